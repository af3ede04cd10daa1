"""The parallel loader under ``spawn``, the only start method Windows has.

Workers must not rely on anything inherited from the parent (``fork`` copies the parent's
memory; ``spawn`` starts a fresh interpreter): they get the validator with their tasks.
The outcome of a parallel load — records, their order, problems — is the one-process outcome.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PLAN
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.records import batch, cache
from dianchang_cli.records.batch import PARALLEL_FROM, RecordSet, load_records
from dianchang_cli.records.cache import CACHE_DIR, RecordCache

UNITS = ("dongyuan", "xiyuan", "nanhu", "beiguan", "hexi")
BAD = ("type: 阅读活动\nunit: nowhere\ndate: 2023-05-01\ntitle: 未知单位\n",
       "type: [\n",
       "type: 阅读活动\nunit: dongyuan\ndat: 2023-05-01\ntitle: 拼错字段\n",
       "~: x\n")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    """A repository with more than PARALLEL_FROM record files, a few of them bad."""
    root = tmp_path_factory.mktemp("spawn-repo")
    shutil.copytree(PLAN, root / "plan", ignore=shutil.ignore_patterns("tests"))
    records = root / "records"
    for i in range(PARALLEL_FROM + 100):
        unit = UNITS[i % len(UNITS)]
        folder = records / unit / f"{4 + i % 9:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        if i % 97 == 0:
            text = BAD[(i // 97) % len(BAD)]
        else:
            text = (f"type: 阅读活动\nunit: {unit}\ndate: 2023-{4 + i % 9:02d}-{1 + i % 28:02d}\n"
                    f"title: 第{i}次阅读活动\nparticipants: {i % 50}\n")
        (folder / f"r{i:05d}.yaml").write_text(text, encoding="utf-8")
    return load_plan(root / "plan", root), root


def _load(plan: Plan, root: Path, workers: int) -> RecordSet:
    return load_records(plan, root / "records", root, workers=workers)


def _same(one: RecordSet, other: RecordSet) -> None:
    assert other.files == one.files
    assert [r.id for r in other.records] == [r.id for r in one.records]  # same order
    assert other.records == one.records
    assert other.problems == one.problems


def test_spawned_workers_give_the_one_process_result(generated: tuple[Plan, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    plan, root = generated
    alone = _load(plan, root, workers=1)
    assert alone.files >= PARALLEL_FROM and alone.problems and alone.records
    monkeypatch.setattr(batch, "START_METHOD", "spawn")
    monkeypatch.setattr(batch, "SPAWNED_FROM", PARALLEL_FROM)  # spawn for these few files
    started = batch.parallel_loads
    parallel = _load(plan, root, workers=2)
    assert batch.parallel_loads == started + 1  # workers were started …
    assert batch.fallbacks == 0  # … and did the work, not the fallback
    _same(alone, parallel)


def test_spawned_workers_wait_for_more_files(generated: tuple[Plan, Path],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned workers (Windows, macOS) each import dc anew: below SPAWNED_FROM files one
    process reads them all, as fast; forked ones start from PARALLEL_FROM."""
    plan, root = generated
    monkeypatch.setattr(batch, "START_METHOD", "spawn")
    started = batch.parallel_loads
    _same(_load(plan, root, workers=1), _load(plan, root, workers=2))
    assert batch.parallel_loads == started  # fewer files than SPAWNED_FROM: no workers


def test_default_start_method_gives_the_same_result(generated: tuple[Plan, Path]) -> None:
    plan, root = generated
    parallel = _load(plan, root, workers=2)
    assert batch.fallbacks == 0
    _same(_load(plan, root, workers=1), parallel)


def test_no_worker_process_means_one_process(generated: tuple[Plan, Path],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no process can be started, the main process reads every share itself."""

    class NoPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise OSError("no processes here")

    plan, root = generated
    monkeypatch.setattr(batch, "ProcessPoolExecutor", NoPool)
    parallel = _load(plan, root, workers=2)
    assert batch.fallbacks > 0
    _same(_load(plan, root, workers=1), parallel)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 300_000), st.integers(1, 16))
def test_the_workers_tasks_shrink_and_cover_every_file_once(count: int, workers: int) -> None:
    """The tasks of a parallel load, in order, are every file once; none is over
    CHUNK_FILES; they never grow, and only the last is under SMALLEST_PART: big tasks
    first (few of them), a small one last (its outcomes arrive after every file is read)."""
    paths = range(count)
    parts = batch._parts(paths, workers)  # type: ignore[arg-type]  # any sequence serves
    assert [i for part in parts for i in part] == list(paths)
    sizes = [len(part) for part in parts]
    assert all(0 < size <= batch.CHUNK_FILES for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert all(size >= batch.SMALLEST_PART for size in sizes[:-1])
    if count > 4 * workers * batch.SMALLEST_PART:
        assert sizes[-1] <= batch.SMALLEST_PART < sizes[0] // 2


@pytest.mark.parametrize("how", ["fork", "spawn", "no pool", "a worker dies"])
def test_a_first_read_on_workers_writes_the_whole_cache(
        generated: tuple[Plan, Path], monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """With nothing cached, each worker's part of the cache file is written as the worker
    pickled it, and this process's part after it: the cache then holds every file's
    outcome but that of a file changed just now, and the next load validates nothing and
    gives the same — whether workers fork, spawn, cannot start or die on the way."""
    plan, root = generated
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    hour_ago = time.time() - 3600
    files = sorted((root / "records").rglob("*.yaml"))
    for path in files:
        os.utime(path, (hour_ago, hour_ago))
    # a file in the midst of a worker's share: its clock says changed just now (or later) …
    late = batch.discover(root / "records")[len(files) * 3 // 4]
    os.utime(late, (hour_ago + 7200, hour_ago + 7200))  # … so read, but never cached
    alone = _load(plan, root, workers=1)
    if how == "spawn":
        monkeypatch.setattr(batch, "START_METHOD", "spawn")
        monkeypatch.setattr(batch, "SPAWNED_FROM", PARALLEL_FROM)
    elif how == "no pool":
        monkeypatch.setattr(batch, "ProcessPoolExecutor", _NoPool)
    elif how == "a worker dies":
        real = batch._load_part
        monkeypatch.setattr(batch, "_load_part", lambda token, blob, paths, *rest: (
            os._exit(1) if any("r00500" in p for p in paths) else real(token, blob, paths,
                                                                        *rest)))
    cold = load_records(plan, root / "records", root, workers=2, cache=_cache(root))
    _same(alone, cold)
    assert (batch.fallbacks > 0) == (how in ("no pool", "a worker dies"))
    cache.settle()
    kept = _cache(root).load()
    assert kept is not None and set(kept.entries) == {str(p) for p in files if p != late}
    by_name = {str(root / r.file): r for r in cold.records}
    assert all(entry[1] == by_name[name] for name, entry in kept.entries.items()
               if entry[1] is not None)
    assert sum(entry[1] is not None for entry in kept.entries.values()) == len(
        [name for name in by_name if name != str(late)])
    validated: list[str] = []
    real_validate = batch.validate_bytes
    monkeypatch.setattr(batch, "validate_bytes", lambda validator, data, shown, *rest, **kw: (
        validated.append(shown), real_validate(validator, data, shown, *rest, **kw))[1])
    warm = load_records(plan, root / "records", root, workers=1, cache=_cache(root))
    _same(alone, warm)
    assert len(validated) == 1  # only the file changed just now
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)


class _NoPool:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise OSError("no processes here")


def _cache(root: Path) -> RecordCache:
    return RecordCache.of(root, root / "plan", root / "records")
