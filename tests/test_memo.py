"""The evaluation memo (``.dc-cache/results-*.pickle``): results are reused only where the
records they read are unchanged, and the answer is always the one a fresh evaluation gives.

Each test counts the verdicts a rule kind really worked out (by wrapping the kinds' registry)
and compares whole ``dc check`` outputs with ``--no-cache`` runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from dianchang_cli.cli import main
from dianchang_cli.engine import evaluate as evaluate_module
from dianchang_cli.engine import kinds
from dianchang_cli.engine.memo import Memo
from dianchang_cli.engine.results import Result, Violation
from dianchang_cli.records.cache import CACHE_DIR, exact_bytes

OLD_NS = 1_600_000_000 * 10**9  # 2020: far from the racy window of a fresh write
AS_OF = ["--as-of", "2023-12-31"]


def _demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(ROOT / "plan", root / "plan")
    shutil.copytree(ROOT / "records", root / "records")
    for path in (root / "records").rglob("*.y*ml"):
        os.utime(path, ns=(OLD_NS, OLD_NS))
    return root


class _Counting:
    """A kind module whose ``check`` calls are counted by the units they were asked for."""

    def __init__(self, kind: Any, seen: Counter[str]) -> None:
        self._kind, self._seen = kind, seen

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kind, name)

    def check(self, compiled: Any, ctx: Any, who: Any, period: Any) -> Any:
        self._seen[f"about {who.target}" if who.target else ",".join(who.units)] += 1
        return self._kind.check(compiled, ctx, who, period)


@pytest.fixture
def evaluated(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Verdicts worked out in this process, by the units (or target) they were for."""
    seen: Counter[str] = Counter()
    real = kinds.get
    monkeypatch.setattr(evaluate_module.kinds, "get", lambda name: _Counting(real(name), seen))
    return seen


def _dc(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main([*args])
    return capsys.readouterr().out


def _check(capsys: pytest.CaptureFixture[str], root: Path, *more: str) -> str:
    return _dc(capsys, "check", "--repo", str(root), "-f", "json", *AS_OF, *more)


def _forget_outcome(root: Path) -> None:
    """Drop the whole-outcome memo, so the next run evaluates, reusing what the results
    memo holds."""
    for path in (root / CACHE_DIR).glob("outcome-*.pickle"):
        path.unlink()


def test_nothing_changed_nothing_evaluated(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          evaluated: Counter[str]) -> None:
    root = _demo(tmp_path)
    first = _check(capsys, root)
    assert sum(evaluated.values()) > 100  # the first run evaluated every rule
    assert list((root / CACHE_DIR).glob("results-*.pickle"))
    evaluated.clear()
    _forget_outcome(root)
    assert _check(capsys, root) == first
    assert sum(evaluated.values()) == 0
    assert _check(capsys, root, "--no-cache") == first
    assert sum(evaluated.values()) > 100  # --no-cache neither reads nor writes the memo


def test_a_changed_record_evaluates_its_community_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], evaluated: Counter[str]) -> None:
    root = _demo(tmp_path)
    _check(capsys, root)
    path = next((root / "records" / "dongyuan").rglob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("participants: ", "participants: 1", 1), encoding="utf-8")
    os.utime(path, ns=(OLD_NS + 10**9, OLD_NS + 10**9))
    evaluated.clear()
    cached = _check(capsys, root)
    assert evaluated, "the changed community was not evaluated again"
    # its own results, those about any unit (any unit may write about another) and the
    # subdistrict's, which count every unit's records
    assert all("dongyuan" in who or who.startswith("about ") for who in evaluated), evaluated
    assert "nanhu" not in evaluated  # another community's results were reused
    assert cached == _check(capsys, root, "--no-cache")


def test_another_day_is_evaluated_afresh(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         evaluated: Counter[str]) -> None:
    root = _demo(tmp_path)
    _check(capsys, root)
    evaluated.clear()
    june = _dc(capsys, "check", "--repo", str(root), "-f", "json",
               "--as-of", "2023-06-30")
    assert sum(evaluated.values()) > 100
    assert june == _dc(capsys, "check", "--repo", str(root), "-f", "json",
                       "--as-of", "2023-06-30", "--no-cache")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_memo_is_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   evaluated: Counter[str], damage: str) -> None:
    root = _demo(tmp_path)
    first = _check(capsys, root)
    (memo,) = (root / CACHE_DIR).glob("results-*.pickle")
    data = memo.read_bytes()
    memo.write_bytes({"truncate": data[: len(data) // 2], "garbage": data[:40] + b"\x80junk",
                      "empty": b""}[damage])
    _forget_outcome(root)
    evaluated.clear()
    assert _check(capsys, root) == first
    assert sum(evaluated.values()) > 100
    evaluated.clear()
    _forget_outcome(root)
    assert _check(capsys, root) == first  # rewritten: the next run reuses it again
    assert sum(evaluated.values()) == 0


def test_a_filtered_check_neither_reads_nor_writes_the_memo(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], evaluated: Counter[str]) -> None:
    root = _demo(tmp_path)
    _dc(capsys, "check", "--repo", str(root), "--unit", "nanhu", *AS_OF)
    assert not list((root / CACHE_DIR).glob("results-*.pickle"))
    assert evaluated and all("nanhu" in who for who in evaluated)


class _Planted:
    """Unpickled, this would create a file: what a planted cache could try."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.target,))


def test_a_planted_memo_runs_no_code(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    evaluated: Counter[str]) -> None:
    """A memo file with the right header but a payload that would build something other
    than results is refused whole: nothing in it runs, and results are evaluated again."""
    from dianchang_cli.api import Repo
    from dianchang_cli.pipeline.memo import MAGIC, MemoFile
    from dianchang_cli.records.cache import RecordCache

    root = _demo(tmp_path)
    first = _check(capsys, root)
    repo = Repo.at(root)
    store = RecordCache.of(repo.root, repo.plan_dir, repo.records_dir)
    memo = MemoFile.of(store, dt.date(2023, 12, 31), False)
    assert memo is not None and memo.path.exists()
    pwned = tmp_path / "pwned"
    memo.path.write_bytes(MAGIC + memo.key + pickle.dumps({("r", "u", "p", b""): _Planted(pwned)}))
    _forget_outcome(root)
    evaluated.clear()
    assert _check(capsys, root) == first
    assert not pwned.exists()
    assert sum(evaluated.values()) > 100


# ------------------------------------------------------------------ the whole outcome
@pytest.fixture
def validated(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record files validated in this process (their shown names)."""
    from dianchang_cli.records import batch

    seen: list[str] = []
    real = batch.validate_bytes

    def counting(validator: Any, data: bytes, shown: str, default_id: str,
                 **options: Any) -> Any:
        seen.append(shown)
        return real(validator, data, shown, default_id, **options)

    monkeypatch.setattr(batch, "validate_bytes", counting)
    return seen


def test_an_unchanged_repository_is_answered_whole(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], evaluated: Counter[str],
        validated: list[str]) -> None:
    """Nothing changed: not a record is read or evaluated, and every output is the same."""
    root = _demo(tmp_path)
    fresh = {fmt: _dc(capsys, "check", "--repo", str(root), "-f", fmt, *AS_OF, "--no-cache")
             for fmt in ("json", "table", "sarif", "github")}
    _check(capsys, root)  # writes the caches
    assert list((root / CACHE_DIR).glob("outcome-*.pickle"))
    evaluated.clear()
    validated.clear()
    for fmt, expected in fresh.items():
        assert _dc(capsys, "check", "--repo", str(root), "-f", fmt, *AS_OF) == expected, fmt
    assert sum(evaluated.values()) == 0
    assert validated == []  # the record cache answered whatever asked for records


def test_records_are_read_when_a_report_asks(tmp_path: Path) -> None:
    """An outcome from the memo reads its records (from the record cache) when a report
    lists them, and they are the records a fresh check gives."""
    from dianchang_cli.api import Repo, check

    root = _demo(tmp_path)
    repo = Repo.at(root)
    fresh = check(repo, as_of=dt.date(2023, 12, 31), cache=False)
    check(repo, as_of=dt.date(2023, 12, 31))
    whole = check(repo, as_of=dt.date(2023, 12, 31))
    assert type(whole.records) is not list  # taken from the memo, not read yet
    assert len(whole.records) == len(fresh.records)
    assert list(whole.records) == fresh.records
    assert whole.index.by_id.keys() == fresh.index.by_id.keys()
    assert whole.results == fresh.results and whole.problems == fresh.problems


def test_a_new_commit_is_a_new_outcome(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       evaluated: Counter[str]) -> None:
    """The outcome names the commit it was checked at: a commit makes the stored one stale."""
    import json
    import subprocess

    root = _demo(tmp_path)
    for args in (["init", "-q"], ["config", "user.email", "a@example.org"],
                 ["config", "user.name", "A"], ["add", "."], ["commit", "-qm", "one"]):
        subprocess.run(["git", "-C", str(root), *args], check=True)
    first = json.loads(_check(capsys, root))
    (root / "NOTE.txt").write_text("x", encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "add", "NOTE.txt"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "two"], check=True)
    evaluated.clear()
    second = json.loads(_check(capsys, root))
    assert first["provenance"]["commit"] != second["provenance"]["commit"]
    assert sum(evaluated.values()) == 0  # no record changed: the results memo answered
    assert second == json.loads(_check(capsys, root, "--no-cache"))


def test_files_written_this_moment_keep_no_whole_outcome(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file changed within the file system's clock tick could change again without its
    stamp changing: then no whole outcome is kept (the next run looks at the records)."""
    root = _demo(tmp_path)
    path = next((root / "records").rglob("*.yaml"))
    path.write_text(path.read_text(encoding="utf-8") + "# 刚改过\n", encoding="utf-8")
    moment = time.time_ns() + 10**9  # "now" as the check will see it, whatever its speed
    os.utime(path, ns=(moment, moment))
    _check(capsys, root)
    assert list((root / CACHE_DIR).glob("records-*.pickle"))
    assert not list((root / CACHE_DIR).glob("outcome-*.pickle"))


def test_the_whole_outcome_is_kept_for_one_day(tmp_path: Path) -> None:
    """Records dated after today are warned about, so tomorrow's outcome may differ even
    with nothing changed: the day is part of the key (the results memo needs no day)."""
    from dianchang_cli.api import Repo
    from dianchang_cli.pipeline.memo import MemoFile, WholeMemo
    from dianchang_cli.records.batch import scan
    from dianchang_cli.records.cache import RecordCache

    root = _demo(tmp_path)
    repo = Repo.at(root)
    memo = MemoFile.of(RecordCache.of(repo.root, repo.plan_dir, repo.records_dir),
                       dt.date(2023, 12, 31), False)
    assert memo is not None
    scanned = scan(repo.records_dir).seen
    today = WholeMemo.of(memo, scanned, None, dt.date(2026, 12, 4))
    assert today.key == WholeMemo.of(memo, scanned, None, dt.date(2026, 12, 4)).key
    assert today.key != WholeMemo.of(memo, scanned, None, dt.date(2026, 12, 5)).key
    assert today.key != WholeMemo.of(memo, scanned, {"commit": "abc"}, dt.date(2026, 12, 4)).key


def test_stamps_depend_on_values_not_on_who_else_holds_them() -> None:
    """The same names and stats give the same key bytes, whether or not something else
    holds them too (a cold run's stats are also in the cache's entries; a scan's are not):
    marshal's default format would write the held ones as back-references."""
    name = "".join(["records/a", "/b.yaml"])  # built at run time: not interned
    stat = (331, 10**18 + 1, 10**18 + 2, 4242)
    held = [name, stat]  # a second holder of each
    shared = exact_bytes(([name, name], [stat, stat]))
    fresh = exact_bytes((["records/a/b.yaml", "records/a/" + "b.yaml"],
                         [(331, 10**18 + 1, 10**18 + 2, 4242), tuple(list(stat))]))
    assert shared == fresh and held


@pytest.mark.parametrize("cls", [Result, Violation])
def test_a_result_pickles_every_field(cls: type) -> None:
    """``Result.__reduce__`` and ``Violation.__reduce__`` name the fields one by one: a
    field added to the class and not to them would come back from the memo with its
    default."""
    values = {f.name: f"v-{f.name}" for f in dataclasses.fields(cls)}
    value = cls(**values)
    assert pickle.loads(pickle.dumps(value)) == value
    assert value.__reduce__()[1] == tuple(values.values())


def test_memo_files_are_written_in_parts_and_read_back_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The results (in both memo files) are pickled a few hundred at a time, so a writer
    never holds a table of every record id they name; they read back whole — and a whole
    outcome with no results at all is kept too."""
    from dianchang_cli.api import Repo
    from dianchang_cli.pipeline import memo as memo_files
    from dianchang_cli.pipeline.memo import Kept, MemoFile, WholeMemo
    from dianchang_cli.records.batch import Seen
    from dianchang_cli.records.cache import RecordCache, read_pickle

    monkeypatch.setattr(memo_files, "PART", 2)
    root = _demo(tmp_path)
    repo = Repo.at(root)
    store = RecordCache.of(repo.root, repo.plan_dir, repo.records_dir)
    results_file = MemoFile.of(store, dt.date(2023, 12, 31), False)
    assert results_file is not None
    whole = WholeMemo.of(results_file, Seen(True, b"x"), None, dt.date(2026, 12, 5))
    results = [Result(f"r{i}", "c1", "2023-04", "met", None, records=("a", f"b{i}"))
               for i in range(5)]
    kept = Kept([], results, {}, [], {}, {}, 5, 5)
    assert whole.save(kept)
    assert whole.load() == kept
    raw = read_pickle(whole.path, whole.MAGIC + whole.key, root, memo_files._WHOLE_CLASSES)
    assert [len(part) for part in raw[1:]] == [2, 2, 1] and raw[0].results == []
    empty = Kept([], [], {}, [], {}, {}, 0, 0)
    assert whole.save(empty)
    assert whole.load() == empty
    memo = Memo([], [])
    memo.kept = {(r.rule, r.unit, r.period, b"s"): r for r in results}
    assert results_file.save(memo)
    assert results_file.open([], [], None).old == memo.kept
