"""The record cache (``.dc-cache/``): an optimisation only, never a different answer.

Every test compares real ``dc check`` output (or outcomes) with and without the cache, and
counts how many files were validated again by wrapping :func:`batch.validate_bytes`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import shutil
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT
from dianchang_cli import forked
from dianchang_cli.api import Repo, check
from dianchang_cli.cli import main
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.pipeline.memo import WholeMemo
from dianchang_cli.records import batch, cache
from dianchang_cli.records.cache import CACHE_DIR, MAGIC, RecordCache, stale_by_day
from dianchang_cli.records.model import Record, made, new_fields, to_file
from dianchang_cli.records.validate import Validator

OLD_NS = 1_600_000_000 * 10**9  # 2020: far from any racy window
AS_OF = ["--as-of", "2023-12-31"]


def _age(root: Path) -> None:
    """Every record file gets an mtime in the past, so each is cached (none is racy)."""
    for path in (root / "records").rglob("*.y*ml"):
        os.utime(path, ns=(OLD_NS, OLD_NS))


def _demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(ROOT / "plan", root / "plan")
    shutil.copytree(ROOT / "records", root / "records")
    _age(root)
    return root


@pytest.fixture(autouse=True)
def _records_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the record cache, so every check here reads its records: the
    memo of whole outcomes, which answers an unchanged repository without reading any, is
    kept out of the way (tests/test_memo.py tests it, and the two together)."""
    monkeypatch.setattr(WholeMemo, "load", lambda self: None)


def _dc(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """``dc ARGS`` in this process; its standard output."""
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main([*args])
    return capsys.readouterr().out


def _store(root: Path) -> RecordCache:
    repo = Repo.at(root)
    return RecordCache.of(repo.root, repo.plan_dir, repo.records_dir)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files validated (the ``shown`` name of each), in this process."""
    seen: list[str] = []
    real = batch.validate_bytes

    def counting(validator: Validator, data: bytes, shown: str, default_id: str,
                 **options: Any) -> tuple[object, list[object]]:
        seen.append(shown)
        return real(validator, data, shown, default_id, **options)  # type: ignore[return-value]

    monkeypatch.setattr(batch, "validate_bytes", counting)
    return seen


def _outputs(capsys: pytest.CaptureFixture[str], root: Path, *extra: str) -> list[str]:
    return [_dc(capsys, "check", "--repo", str(root), "-f", fmt, *AS_OF, *extra)
            for fmt in ("json", "table")]


def test_demo_output_is_the_same_cold_warm_and_without_cache(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _demo(tmp_path)
    bypassed = _outputs(capsys, root, "--no-cache")
    assert not (root / CACHE_DIR).exists()  # --no-cache neither reads nor writes
    cold = _outputs(capsys, root)
    assert list((root / CACHE_DIR).glob("records-*.pickle"))
    warm = _outputs(capsys, root)
    assert '"results"' in cold[0] and cold[1]
    assert cold == warm == bypassed
    assert (root / CACHE_DIR / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10,000-record repository made by the project's benchmark generator."""
    root = tmp_path_factory.mktemp("cache-10k") / "repo"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(root),
                    "--records", "10000"], check=True, capture_output=True)
    _age(root)
    return root


def test_generated_10k_output_is_the_same_cold_warm_and_without_cache(
        generated: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []  # files read per load (worker processes included)
    real = batch._read_all
    monkeypatch.setattr(batch, "_read_all", lambda paths, *rest, **named: (
        read.append(len(paths)), real(paths, *rest, **named))[1])
    shutil.rmtree(generated / CACHE_DIR, ignore_errors=True)
    bypassed = _outputs(capsys, generated, "--no-cache")
    cold = _outputs(capsys, generated)
    assert read == [10000, 10000, 10000, 0]  # the table run already finds the cache
    read.clear()
    warm = _outputs(capsys, generated)
    assert read == [0, 0]  # nothing read again
    assert cold == warm == bypassed
    assert '"files": 10000' in cold[0]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cold_load_stamps_files_as_it_reads_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """With nothing cached, no file is looked at before it is read: each file's stamp is
    the ``fstat`` of the file read (on a worker too), and equals what a scan finds — so
    the next run finds every entry, and the memo of whole outcomes keyed on it matches."""
    root = _demo(tmp_path)
    if hasattr(os, "symlink") and sys.platform != "win32":
        target = next((root / "records").rglob("*.yaml"))
        (root / "records" / "link.yaml").symlink_to(target)  # read, never stamped
    monkeypatch.setattr(batch, "PARALLEL_FROM", 1)
    stats: list[str] = []
    real_stat = cache.file_stat
    monkeypatch.setattr(batch, "file_stat", lambda path: (stats.append(path),
                                                          real_stat(path))[1])
    repo = Repo.at(root)
    plan = load_plan(repo.plan_dir, repo.root)
    loaded = batch.load_records(plan, repo.records_dir, repo.root, workers=workers,
                                cache=_store(root))
    assert stats == []  # no lstat pass before reading
    assert loaded.seen is not None
    assert loaded.seen == batch.scan(repo.records_dir).seen  # names and stamps alike
    linked = [str(root / "records" / "link.yaml")] if (root / "records" / "link.yaml"
                                                       ).is_symlink() else []
    assert loaded.stamps is not None and len(loaded.stamps) == len(loaded.records)
    assert loaded.stamps.count(None) == len(linked)  # the symlinked record: read, unstamped
    assert all(stamp == cache.file_stat(root / record.file)
               for stamp, record in zip(loaded.stamps, loaded.records, strict=True)
               if stamp is not None)
    again = _store(root).load()
    assert again is not None and len(again.entries) == loaded.files - len(linked)


@pytest.mark.skipif(sys.platform != "linux", reason="written in the background on Linux only")
def test_a_large_cache_is_written_in_the_background(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    """A base file of many entries is written by a forked child while the check goes on;
    reading it waits for that write, and the next load finds every file."""
    root = _demo(tmp_path)
    monkeypatch.setattr(cache, "BACKGROUND_FROM", 1)
    repo = Repo.at(root)
    plan = load_plan(repo.plan_dir, repo.root)
    loaded = batch.load_records(plan, repo.records_dir, repo.root, cache=_store(root))
    store = _store(root)
    assert store.path in cache._writing  # still being written, by a child
    calls.clear()
    again = batch.load_records(plan, repo.records_dir, repo.root, cache=store)
    assert store.path not in cache._writing  # the read waited for it
    assert calls == [] and again.records == loaded.records and again.problems == loaded.problems


def test_settle_waits_for_every_background_write(tmp_path: Path) -> None:
    paths = [tmp_path / f"{n}.pickle" for n in range(3)]
    for path in paths:
        assert cache.write_pickle(path, b"HEAD", list(range(100_000)), background=True)
    if forked.available():  # each written by a child of its own, all at once
        assert set(paths) <= set(cache._writing)
    cache.settle()
    assert cache._writing == {}
    assert [cache.read_pickle(path, b"HEAD", tmp_path) for path in paths] == \
        [list(range(100_000))] * 3


def test_touching_one_file_validates_only_it(tmp_path: Path, calls: list[str]) -> None:
    root = _demo(tmp_path)
    repo = Repo.at(root)
    first = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    files = first.files
    assert len(calls) == files > 5
    calls.clear()
    check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    assert calls == []
    target = sorted((root / "records").rglob("*.yaml"))[3]
    target.write_text(target.read_text(encoding="utf-8") + "# 备注\n", encoding="utf-8")
    os.utime(target, ns=(OLD_NS + 10**9, OLD_NS + 10**9))
    again = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    assert calls == [target.relative_to(root).as_posix()]
    fresh = check(repo, as_of=dt.date(2023, 12, 31), workers=1, cache=False)
    assert again.records == fresh.records and again.problems == fresh.problems


def test_a_deleted_file_is_gone_and_a_new_one_is_read(tmp_path: Path, calls: list[str]) -> None:
    root = _demo(tmp_path)
    repo = Repo.at(root)
    before = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    gone = sorted((root / "records").rglob("*.yaml"))[0]
    shutil.move(gone, root / "records" / "moved-here.yaml")
    calls.clear()
    after = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    assert calls == ["records/moved-here.yaml"]
    assert after.files == before.files
    assert not any(r.file == gone.relative_to(root).as_posix() for r in after.records)
    fresh = check(repo, as_of=dt.date(2023, 12, 31), workers=1, cache=False)
    assert after.records == fresh.records and after.problems == fresh.problems


def test_editing_the_plan_validates_everything_again(tmp_path: Path, calls: list[str]) -> None:
    root = _demo(tmp_path)
    repo = Repo.at(root)
    files = check(repo, as_of=dt.date(2023, 12, 31), workers=1).files
    units = root / "plan" / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "\n# 改过\n", encoding="utf-8")
    calls.clear()
    check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    assert len(calls) == files


def _broken_caches(store: RecordCache, good: bytes) -> dict[str, bytes]:
    key = store.key or b""
    evil = pickle.dumps((os.urandom(16), dt.date.today(), {}), protocol=2)
    planted = pickle.dumps(os.system)  # a cache that would run code if it were unpickled
    return {
        "corrupt": MAGIC + key + os.urandom(4000),
        "truncated": good[:len(good) // 2],
        "foreign": b"\x80\x04\x95" + os.urandom(100),
        "another key (version or plan)": MAGIC + bytes(32) + evil,
        "empty": b"",
        "code inside": MAGIC + key + planted,
    }


def test_a_broken_cache_is_ignored_and_rebuilt(tmp_path: Path, calls: list[str]) -> None:
    root = _demo(tmp_path)
    repo = Repo.at(root)
    fresh = check(repo, as_of=dt.date(2023, 12, 31), workers=1, cache=False)
    check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    store = _store(root)
    good = store.path.read_bytes()
    for name, data in _broken_caches(store, good).items():
        store.path.write_bytes(data)
        calls.clear()
        outcome = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
        assert len(calls) == fresh.files, name  # everything validated again
        assert outcome.records == fresh.records and outcome.problems == fresh.problems, name
        assert _store(root).load() is not None, name  # and the cache rebuilt
        calls.clear()
        check(repo, as_of=dt.date(2023, 12, 31), workers=1)
        assert calls == [], name


def test_a_repository_where_the_cache_cannot_be_written_still_works(
        tmp_path: Path, calls: list[str]) -> None:
    root = _demo(tmp_path)
    (root / CACHE_DIR).write_text("not a folder", encoding="utf-8")
    repo = Repo.at(root)
    fresh = check(repo, as_of=dt.date(2023, 12, 31), workers=1, cache=False)
    outcome = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    assert outcome.records == fresh.records and outcome.problems == fresh.problems
    assert (root / CACHE_DIR).is_file()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="needs a user whom file permissions stop (not root, not Windows)")
def test_a_read_only_repository_still_works(tmp_path: Path) -> None:
    root = _demo(tmp_path)
    repo = Repo.at(root)
    fresh = check(repo, as_of=dt.date(2023, 12, 31), workers=1, cache=False)
    root.chmod(0o555)
    try:
        outcome = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    finally:
        root.chmod(0o755)
    assert outcome.records == fresh.records and outcome.problems == fresh.problems
    assert not (root / CACHE_DIR).exists()


def test_concurrent_runs_leave_a_loadable_cache(generated: Path) -> None:
    shutil.rmtree(generated / CACHE_DIR, ignore_errors=True)
    command = [sys.executable, "-m", "dianchang_cli", "check", "--repo", str(generated),
               "-f", "json", *AS_OF]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]
    outputs = [run.communicate()[0] for run in runs]
    assert outputs[0] == outputs[1] and outputs[0]
    cache.code_hash.cache_clear()  # as the processes saw dc's source, even if it just changed
    snapshot = _store(generated).load()
    assert snapshot is not None and len(snapshot.entries) == 10000
    assert not list((generated / CACHE_DIR).glob(".tmp-*"))  # no temporary file left over


def test_a_small_change_writes_only_the_delta(tmp_path: Path) -> None:
    root = _demo(tmp_path)
    repo = Repo.at(root)
    check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    store = _store(root)
    base = store.path.read_bytes()
    target = sorted((root / "records").rglob("*.yaml"))[1]
    target.write_text(target.read_text(encoding="utf-8") + "# 改\n", encoding="utf-8")
    os.utime(target, ns=(OLD_NS + 10**9, OLD_NS + 10**9))
    check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    assert store.path.read_bytes() == base  # the base is not rewritten …
    assert store.delta_path.is_file()  # … the change went to the delta
    snapshot = _store(root).load()
    assert snapshot is not None
    name = str(Path(repo.records_dir) / target.relative_to(root / "records"))
    assert cache._mtime(snapshot.entries[name][0]) == OLD_NS + 10**9


def _on(day: dt.date) -> Callable[..., Validator]:
    return lambda plan: Validator(plan, today=day)


def test_a_new_day_validates_again_only_records_whose_date_warning_changes(
        tmp_path: Path, calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = _demo(tmp_path)
    repo = Repo.at(root)
    monkeypatch.setattr(batch, "Validator", _on(dt.date(2023, 6, 1)))
    first = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    assert any(p.code == "future-date" for p in first.problems)
    monkeypatch.setattr(batch, "Validator", _on(dt.date(2023, 7, 1)))
    calls.clear()
    later = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    after = [r.file for r in first.records if r.date is not None and r.date > dt.date(2023, 6, 1)]
    assert after and sorted(calls) == sorted(after)  # the warning names the day: all of them
    assert len(calls) < first.files
    fresh = check(repo, as_of=dt.date(2023, 12, 31), workers=1, cache=False)
    assert later.records == fresh.records and later.problems == fresh.problems


def test_stale_by_day_compares_the_record_date_with_both_days() -> None:
    outcome = check(Repo.at(ROOT), as_of=dt.date(2023, 12, 31), workers=1, cache=False)
    record = next(r for r in outcome.records if r.date is not None)
    day = record.date
    assert day is not None
    assert stale_by_day(record, day - dt.timedelta(days=1), day)
    assert stale_by_day(record, day - dt.timedelta(days=3), day - dt.timedelta(days=1))
    assert not stale_by_day(record, day, day + dt.timedelta(days=9))
    assert not stale_by_day(record, day - dt.timedelta(days=1), day - dt.timedelta(days=1))
    assert not stale_by_day(None, day, day + dt.timedelta(days=9))


def test_no_records_folder_writes_no_cache(tmp_path: Path) -> None:
    from dianchang_cli.pipeline import run

    root = _demo(tmp_path)
    shutil.rmtree(root / "records")
    outcome = run(Repo.at(root), as_of=dt.date(2023, 12, 31), workers=1, git=False,
                  strict=False)
    assert outcome.files == 0 and outcome.records == []
    assert not (root / CACHE_DIR).exists()


def test_a_payload_in_parts_reads_back_whole(tmp_path: Path) -> None:
    """Parts are pickled each with a fresh memory of objects; a value shared between them
    (a key tuple, a class) must come back right in every part, and a cut file not at all."""
    shared = ("title", "date")
    parts = [{f"r{i}": (shared, i, "文" * (i % 7)) for i in range(k, k + 3000)}
             for k in range(0, 9000, 3000)]
    path = tmp_path / CACHE_DIR / "x.pickle"
    assert cache.write_pickle(path, b"HEAD", ("head", 3), more=parts)
    back = cache.read_pickle(path, b"HEAD", tmp_path)
    assert back == [("head", 3), *parts]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    assert cache.read_pickle(path, b"HEAD", tmp_path) is None


def test_changes_in_two_runs_both_stay_in_the_delta(tmp_path: Path, calls: list[str]) -> None:
    """The delta holds everything that differs from the base, not only the last run's
    changes: after two runs that each changed one file, nothing is validated again."""
    root = _demo(tmp_path)
    repo = Repo.at(root)
    first = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    one, two = sorted((root / "records").rglob("*.yaml"))[:2]
    for step, path in enumerate((one, two), 1):
        path.write_text(path.read_text(encoding="utf-8") + "# 改过\n", encoding="utf-8")
        os.utime(path, ns=(OLD_NS + step * 10**9, OLD_NS + step * 10**9))
        calls.clear()
        check(repo, as_of=dt.date(2023, 12, 31), workers=1)
        assert len(calls) == 1
    assert _store(root).delta_path.exists()
    calls.clear()
    again = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    assert calls == []
    assert again.records == first.records and again.problems == first.problems


_NS = st.integers(min_value=-(2**63), max_value=2**63 - 1)
_STATS = st.tuples(st.integers(0, 2**63 - 1), _NS, _NS, st.integers(0, 2**128))


@given(_STATS, _STATS)
def test_a_stamp_is_exact_and_keeps_its_mtime(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    """A stamp packs size, mtime, ctime and inode in one integer: equal exactly when all
    four are, and the mtime (negative before 1970) comes back out for the racy test."""
    def stamp(v: tuple[int, ...]) -> int:
        return cache.stat_of(SimpleNamespace(st_size=v[0], st_mtime_ns=v[1],  # type: ignore[arg-type]
                                             st_ctime_ns=v[2], st_ino=v[3]))
    assert (stamp(a) == stamp(b)) == (a == b)
    assert cache._mtime(stamp(a)) == a[1]
    assert cache.racy(stamp(a), a[1]) and not cache.racy(stamp(a), a[1] + 3 * 10**9)


def test_a_record_pickles_every_field() -> None:
    """:meth:`Record.__reduce__` names the fields one by one: a field added to the record
    and not to it would come back from the cache (or a worker) with its default."""
    values: dict[str, object] = {f.name: f"v-{f.name}" for f in dataclasses.fields(Record)}
    values.update(fields={"title": "t", "participants": 3}, line=7, keys=("title",),
                  key_lines=(2,))
    record = Record(**values)  # type: ignore[arg-type]  # every field unlike its default
    assert pickle.loads(pickle.dumps(record)) == record
    for rebuild, args in (record.__reduce__(), to_file(record)):  # a worker's, a cache's
        assert rebuild(*args) == record
    fast = made(*(values[f.name] for f in dataclasses.fields(Record)))  # as loaders make it
    assert fast == record
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.title = "changed"  # type: ignore[misc]


def _bytes_each(make: Callable[[], object], count: int = 2000) -> float:
    """The memory one value made by ``make`` holds (traced over ``count`` of them)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [make() for _ in range(count)]
        return (tracemalloc.get_traced_memory()[0] - before - sys.getsizeof(kept)) / count
    finally:
        tracemalloc.stop()


def test_fields_share_their_key_table_also_after_pickling() -> None:
    """A record's fields dict shares its keys with the other records of its type (about
    half the memory of a dict of its own), and keeps doing so when it comes back pickled
    from a loading worker or the record cache."""
    # values Python keeps one of (small ints, one letter): only the dicts are measured
    items = [("type", "x"), ("unit", "c"), ("title", "t"), ("location", "l"),
             ("participants", 3), ("summary", "s"), ("date", None)]
    fields = new_fields("some-type", items)
    assert fields == dict(items) and type(fields) is dict
    record = Record("r", "some-type", "c", None, "t", fields, "records/r.yaml")
    blob = pickle.dumps(record)
    assert pickle.loads(blob) == record
    own = _bytes_each(lambda: dict(items))
    assert _bytes_each(lambda: new_fields("some-type", items)) < own * 2 / 3
    assert _bytes_each(lambda: pickle.loads(blob).fields) < own * 2 / 3


def test_what_is_kept_of_a_scan_names_every_name_and_stamp_in_order() -> None:
    """A check keeps only a digest of the folder as read (a million names need not stay in
    memory while the rules are evaluated): it changes with any name, stamp or order."""
    names = [f"records/c{i}.yaml" for i in range(25_000)]  # more than one slice
    stats: list[int | None] = [i * 7 for i in range(len(names))]
    seen = batch.Scan(names, stats, 0).seen
    assert seen.digest == batch.Scan(list(names), list(stats), 10**20).seen.digest
    for other in (batch.Scan([*names[:-1], "records/x.yaml"], stats, 0),
                  batch.Scan(names, [*stats[:12000], None, *stats[12001:]], 0),
                  batch.Scan(names[1:] + names[:1], stats[1:] + stats[:1], 0),
                  batch.Scan(names[:-1], stats[:-1], 0)):
        assert other.seen.digest != seen.digest


def test_a_first_read_keeps_no_table_of_entries_and_a_later_save_writes_a_base(
        tmp_path: Path) -> None:
    """The first read writes the base part by part and keeps no second table of every
    entry; a later save in the same process then writes a whole new base, which reads back
    as the same entries."""
    root = _demo(tmp_path)
    repo = Repo.at(root)
    plan = load_plan(repo.plan_dir, repo.root)
    store = _store(root)
    loaded = batch.load_records(plan, repo.records_dir, repo.root, cache=store)
    cache.settle()
    assert store._base == {} and store._token is None
    first = _store(root).load()
    assert first is not None and len(first.entries) == loaded.files
    assert store.save(first)
    cache.settle()
    again = _store(root).load()
    assert again is not None and again.entries == first.entries and store._token is not None


def test_a_cache_file_leaves_no_utf8_copy_in_the_records_it_writes(tmp_path: Path) -> None:
    """Pickling a non-ASCII ``str`` makes CPython keep its UTF-8 inside it (``getsizeof``
    grows); the record cache writes a record's longer text as bytes instead — a forked
    writer sharing a million records would otherwise copy ~150 MB — and reads back equal
    records, short text shared, odd text (a lone surrogate) intact."""
    def fresh(text: str) -> str:
        return "".join([text, ""])  # a new object, never pickled before

    probe = fresh("世界读书日阅读活动，社区组织居民共读经典")
    before = sys.getsizeof(probe)
    pickle.dumps(probe)
    assert sys.getsizeof(probe) > before  # what the cache file must not cause

    place, odd = "社区活动室", "活动现场秩序良好，群众反响热烈。\ud800"
    records = [Record(f"r{i}", "reading", "c1", dt.date(2023, 4, 23),
                      fresh(f"第{i}次世界读书日阅读活动"),
                      new_fields("reading", [("title", fresh(f"第{i}次世界读书日阅读活动")),
                                             ("location", place),
                                             ("summary", fresh(odd)),
                                             ("speakers", ["张三", "李四"]), ("participants", 12)]),
                      f"records/r{i}.yaml") for i in range(3)]
    sizes = [(sys.getsizeof(r.title), sys.getsizeof(r.fields["summary"])) for r in records]
    path = tmp_path / CACHE_DIR / "x.pickle"
    assert cache.write_pickle(path, b"head", {"n": 1}, more=[records])
    assert [(sys.getsizeof(r.title), sys.getsizeof(r.fields["summary"])) for r in records] \
        == sizes
    back = cache.read_pickle(path, b"head", tmp_path)
    assert back[1] == records
    assert back[1][0].fields["location"] is back[1][2].fields["location"]


@pytest.mark.parametrize("cold", [True, False], ids=["first-read", "cache-read"])
def test_a_file_changed_just_now_gives_its_unit_no_memo_stamp(
        tmp_path: Path, cold: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file changed within the clock tick could change again and keep its stamp: its
    record gets no state for the results memo (so its unit's results are always worked
    out again), on a first read and on one from the cache alike; the others keep theirs.
    (The tick is made a minute long here: on a busy machine, reading the cache back can
    take longer than the real 20 ms between the write and the look at the folder.)"""
    monkeypatch.setattr(cache, "RACY_NS", 60 * 10**9)
    root = _demo(tmp_path)
    repo = Repo.at(root)
    plan = load_plan(repo.plan_dir, repo.root)
    if not cold:
        batch.load_records(plan, repo.records_dir, repo.root, cache=_store(root))
        cache.settle()
    fresh = sorted((root / "records").rglob("*.yaml"))[3]
    fresh.write_text(fresh.read_text(encoding="utf-8"), encoding="utf-8")  # mtime: now
    loaded = batch.load_records(plan, repo.records_dir, repo.root, cache=_store(root))
    assert loaded.stamps is not None
    by_file = dict(zip((r.file for r in loaded.records), loaded.stamps, strict=True))
    changed = fresh.relative_to(root).as_posix()
    assert by_file[changed] is None
    assert all(stamp is not None for file, stamp in by_file.items() if file != changed)
