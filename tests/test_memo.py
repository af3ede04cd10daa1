"""The evaluation memo (``.dc-cache/results-*.pickle``): results are reused only where the
records they read are unchanged, and the answer is always the one a fresh evaluation gives.

Each test counts the verdicts a rule kind really worked out (by wrapping the kinds' registry)
and compares whole ``dc check`` outputs with ``--no-cache`` runs.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from dianchang_cli.cli import main
from dianchang_cli.engine import evaluate as evaluate_module
from dianchang_cli.engine import kinds
from dianchang_cli.records.cache import CACHE_DIR

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


def test_nothing_changed_nothing_evaluated(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          evaluated: Counter[str]) -> None:
    root = _demo(tmp_path)
    first = _check(capsys, root)
    assert sum(evaluated.values()) > 100  # the first run evaluated every rule
    assert list((root / CACHE_DIR).glob("results-*.pickle"))
    evaluated.clear()
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
    evaluated.clear()
    assert _check(capsys, root) == first
    assert sum(evaluated.values()) > 100
    evaluated.clear()
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
    evaluated.clear()
    assert _check(capsys, root) == first
    assert not pwned.exists()
    assert sum(evaluated.values()) > 100
