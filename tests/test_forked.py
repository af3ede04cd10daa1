"""Work in a forked child: its bytes come back, its failure loses nothing, and evaluating
half of the rules in a child gives exactly the results (and memo) of evaluating them here."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT
from dianchang_cli import forked
from dianchang_cli.core import Repo
from dianchang_cli.engine import evaluate as evaluate_module
from dianchang_cli.engine.evaluate import evaluate
from dianchang_cli.engine.index import Index
from dianchang_cli.engine.memo import Memo
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.records import batch
from dianchang_cli.records.batch import load_records

linux = pytest.mark.skipif(sys.platform != "linux", reason="children are forked on Linux only")
AS_OF = dt.date(2023, 12, 31)


def test_available_only_where_fork_is_safe() -> None:
    assert forked.available() == (sys.platform == "linux")


@linux
def test_a_child_gives_back_its_bytes() -> None:
    parent = os.getpid()
    child = forked.fork(lambda: f"{os.getpid()} {parent}\n".encode() * 20_000)  # > a pipe
    assert child is not None
    data = child.result()
    assert data is not None
    lines = data.decode().splitlines()
    pid, seen_parent = lines[0].split()
    assert int(pid) == child.pid != parent and int(seen_parent) == parent
    assert lines == [lines[0]] * 20_000


@linux
@pytest.mark.parametrize("work", [lambda: 1 / 0, lambda: None, lambda: os._exit(3)],
                         ids=["raises", "gives-nothing", "exits-badly"])
def test_a_failed_child_gives_none(work: object) -> None:
    child = forked.fork(work)  # type: ignore[arg-type]
    assert child is not None and child.result() is None


@linux
def test_stop_ends_a_child_at_once() -> None:
    child = forked.fork(lambda: time.sleep(60) or b"late")  # type: ignore[func-returns-value]
    assert child is not None
    started = time.monotonic()
    child.stop()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)  # reaped: no zombie left


def test_no_child_where_fork_is_not_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked.sys, "platform", "win32")
    assert forked.fork(lambda: b"x") is None


@linux
def test_no_child_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not forked.available() and forked.fork(lambda: b"x") is None
    finally:
        stop.set()
        other.join()
    assert forked.available()


@pytest.fixture(scope="module")
def demo() -> tuple[object, list[object]]:
    repo = Repo.at(ROOT)
    plan = load_plan(repo.plan_dir, repo.root)
    return plan, load_records(plan, repo.records_dir, repo.root).records


def _memo(records: list[object]) -> Memo:
    return Memo(records, [(1, 2, 3, 4)] * len(records))  # type: ignore[arg-type]


@pytest.mark.parametrize("child_fails", [False, True], ids=["child", "child-fails"])
def test_split_evaluation_gives_the_same_results_and_memo(
        demo: tuple[object, list[object]], monkeypatch: pytest.MonkeyPatch,
        child_fails: bool) -> None:
    plan, records = demo
    alone_memo = _memo(records)
    alone = evaluate(plan, records, AS_OF, index=Index(records), memo=alone_memo)  # type: ignore[arg-type]
    monkeypatch.setattr(evaluate_module, "SPLIT_FROM", 1)
    taken: list[set[int]] = []
    real_share = evaluate_module._share
    monkeypatch.setattr(evaluate_module, "_share", lambda cells, index: (
        taken.append(real_share(cells, index)) or taken[-1]))
    if child_fails:  # the child cannot send its results: this process evaluates them
        monkeypatch.setattr(evaluate_module.pickle, "dumps", lambda *a, **k: 1 / 0)
    split_memo = _memo(records)
    split = evaluate(plan, records, AS_OF, index=Index(records), memo=split_memo,  # type: ignore[arg-type]
                     workers=2)
    cells = evaluate_module._cells(plan, plan.rules, AS_OF, None)  # type: ignore[arg-type]
    assert taken and 0 < len(taken[0]) < len(cells)
    # the child takes whole groups: the cells reading the same units stay on one side
    theirs = {cells[i].who for i in taken[0]}
    assert not theirs & {cell.who for i, cell in enumerate(cells) if i not in taken[0]}
    assert split == alone
    assert split_memo.kept == alone_memo.kept and split_memo.hits == alone_memo.hits == 0


def test_split_needs_many_records_and_nothing_to_reuse(
        demo: tuple[object, list[object]], monkeypatch: pytest.MonkeyPatch) -> None:
    plan, records = demo
    made: list[int] = []
    real_fork = forked.fork
    monkeypatch.setattr(forked, "fork", lambda work: made.append(1) or real_fork(work))
    evaluate(plan, records, AS_OF, workers=2)  # type: ignore[arg-type]
    assert made == []  # the demo is far below SPLIT_FROM
    monkeypatch.setattr(evaluate_module, "SPLIT_FROM", 1)
    memo = _memo(records)
    evaluate(plan, records, AS_OF, memo=memo, workers=2)  # type: ignore[arg-type]
    assert len(made) == 1
    again = Memo(records, [(1, 2, 3, 4)] * len(records), memo.kept)  # type: ignore[arg-type]
    evaluate(plan, records, AS_OF, memo=again, workers=2)  # type: ignore[arg-type]
    assert len(made) == 1 and again.hits == len(memo.kept)  # all reused: no child


@linux
def test_a_child_past_its_time_is_ended_and_has_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "LIMIT", 0.5)
    started = time.monotonic()
    hung = forked.fork(lambda: time.sleep(60) or b"late")  # type: ignore[func-returns-value]
    silent = forked.fork(lambda: time.sleep(60) or b"")  # type: ignore[func-returns-value]
    assert hung is not None and silent is not None
    assert hung.result() is None and silent.wait() is False
    assert time.monotonic() - started < 10
    for child in (hung, silent):
        with pytest.raises(ChildProcessError):
            os.waitpid(child.pid, os.WNOHANG)  # ended and reaped


@linux
def test_no_descriptor_is_left_open() -> None:
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(10):
        child = forked.fork(lambda: b"x" * 100_000)
        assert child is not None and child.result() == b"x" * 100_000
        child = forked.fork(lambda: b"")
        assert child is not None and child.wait()
        child = forked.fork(lambda: b"")
        assert child is not None
        child.stop()
    assert len(os.listdir("/proc/self/fd")) == before


def _folders(root: Path) -> None:
    """Six units' folders with a month folder each (and a file or two at every level)."""
    (root / "0.yaml").write_text("x: 1\n", encoding="utf-8")
    for unit in "abcdef":
        for name in ("top.yaml", "2023-04/1.yaml", "2023-04/2.yml", "2023-05/deep/3.yaml"):
            path = root / unit / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"x: {name}\n", encoding="utf-8")


@linux
@pytest.mark.parametrize("child", ["works", "fails"])
def test_a_big_folder_is_stamped_half_in_a_child(tmp_path: Path, child: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan of a big folder has a forked child stamp the second half of its subfolders:
    the names and stamps are those of a scan made here alone, in the same order; a child
    that fails leaves its folders to be walked here."""
    _folders(tmp_path)
    alone = batch.scan(tmp_path)
    made: list[int] = []
    real_fork = forked.fork
    monkeypatch.setattr(batch, "SPLIT_SCAN_FROM", 10)
    monkeypatch.setattr(forked, "fork", lambda work: made.append(1) or real_fork(
        work if child == "works" else (lambda: None)))
    split = batch.scan(tmp_path)
    assert made == [1]
    assert len(alone.names) == 25 and split.names == alone.names
    assert split.stats == alone.stats and None not in split.stats


def test_a_small_folder_is_stamped_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    """A folder whose first subfolder suggests fewer files than a child is worth stamping
    is scanned here alone, and so is every folder when only names are listed."""
    _folders(tmp_path)
    made: list[int] = []
    real_fork = forked.fork
    monkeypatch.setattr(forked, "fork", lambda work: made.append(1) or real_fork(work))
    assert len(batch.scan(tmp_path).names) == 25
    monkeypatch.setattr(batch, "SPLIT_SCAN_FROM", 1)
    assert len(batch.discover(tmp_path)) == 25
    assert made == []
