"""Bounded reading: only regular files inside the repository, each hazard its own problem.

Every case is a real file system entry in ``tmp_path`` beside valid records: the hazard gets
its code quickly, and every valid record beside it is still loaded.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PLAN
from dianchang_cli.diagnostics import Problem, printable
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.load.files import Unreadable, lexically_inside, read_limited, read_stamped
from dianchang_cli.load.yamlsafe import load_bytes, locate
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.records import batch
from dianchang_cli.records.batch import RecordSet, discover, load_records
from dianchang_cli.records.model import Record

READING = "type: 阅读活动\nunit: dongyuan\ndate: 2023-04-{day:02d}\ntitle: 阅读活动 {day}\n"
VALID = 5
BUDGET_S = 2.0

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32",
                                    reason="symbolic links need privileges on Windows")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    where = tmp_path_factory.mktemp("plan-repo")
    shutil.copytree(PLAN, where / "plan", ignore=shutil.ignore_patterns("tests"))
    return load_plan(where / "plan", where)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with ``VALID`` valid records in ``records/ok/``."""
    root = tmp_path / "repo"
    ok = root / "records" / "ok"
    ok.mkdir(parents=True)
    for day in range(1, VALID + 1):
        (ok / f"r{day}.yaml").write_text(READING.format(day=day), encoding="utf-8")
    return root


def load(plan: Plan, root: Path, **kw: object) -> RecordSet:
    start = time.perf_counter()
    loaded = load_records(plan, root / "records", root, workers=1, **kw)  # type: ignore[arg-type]
    assert time.perf_counter() - start < BUDGET_S
    return loaded


def codes(loaded: RecordSet) -> list[tuple[str, str]]:
    return [(p.file, p.code) for p in loaded.problems]


def all_valid_loaded(loaded: RecordSet) -> bool:
    return {f"ok/r{d}" for d in range(1, VALID + 1)} <= {r.id for r in loaded.records}


# ----------------------------------------------------------------------- each hazard alone
def _devzero(records: Path, outside: Path) -> None:
    (records / "x.yaml").symlink_to("/dev/zero")


def _passwd(records: Path, outside: Path) -> None:
    (records / "x.yaml").symlink_to("/etc/passwd")


def _outside_file(records: Path, outside: Path) -> None:
    (outside / "secret.yaml").write_text(READING.format(day=9), encoding="utf-8")
    (records / "x.yaml").symlink_to(outside / "secret.yaml")


def _dangling_inside(records: Path, outside: Path) -> None:
    (records / "x.yaml").symlink_to(records / "gone.yaml")


def _dangling_outside(records: Path, outside: Path) -> None:
    (records / "x.yaml").symlink_to(outside / "gone.yaml")


def _link_loop(records: Path, outside: Path) -> None:
    (records / "x.yaml").symlink_to(records / "y.yml")
    (records / "y.yml").symlink_to(records / "x.yaml")


def _fifo(records: Path, outside: Path) -> None:
    os.mkfifo(records / "x.yaml")


def _folder(records: Path, outside: Path) -> None:
    (records / "x.yaml").mkdir()


def _link_to_folder(records: Path, outside: Path) -> None:
    (records / "x.yaml").symlink_to(records / "ok", target_is_directory=True)


def _device(records: Path, outside: Path) -> None:
    (records / "x.yaml").symlink_to(records.parent / "dev")
    (records.parent / "dev").symlink_to("/dev/null")


def _sparse(records: Path, outside: Path) -> None:
    with open(records / "x.yaml", "wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB of nothing, costs no disk


@pytest.mark.parametrize(("make", "code"), [
    pytest.param(_devzero, "outside-repo", marks=needs_symlinks, id="symlink-to-dev-zero"),
    pytest.param(_passwd, "outside-repo", marks=needs_symlinks, id="symlink-to-etc-passwd"),
    pytest.param(_outside_file, "outside-repo", marks=needs_symlinks, id="symlink-leaving-repo"),
    pytest.param(_dangling_inside, "unreadable", marks=needs_symlinks, id="dangling-inside"),
    pytest.param(_dangling_outside, "outside-repo", marks=needs_symlinks,
                 id="dangling-outside"),
    pytest.param(_link_loop, "unreadable", marks=needs_symlinks, id="symlink-loop"),
    pytest.param(_fifo, "not-a-file", marks=needs_fifo, id="fifo"),
    pytest.param(_folder, "not-a-file", id="folder-named-yaml"),
    pytest.param(_link_to_folder, "not-a-file", marks=needs_symlinks, id="symlink-to-folder"),
    pytest.param(_device, "outside-repo", marks=needs_symlinks, id="chain-to-dev-null"),
    pytest.param(_sparse, "too-large", id="sparse-50MB"),
])
def test_each_hazard_is_its_own_problem(plan: Plan, repo: Path, tmp_path: Path,
                                        make: Callable[[Path, Path], None], code: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    make(repo / "records", outside)
    loaded = load(plan, repo)
    assert ("records/x.yaml", code) in codes(loaded)
    assert all(p.code == code for p in loaded.problems if p.file.startswith("records/x."))
    assert all_valid_loaded(loaded)
    assert "ok/r9" not in {r.id for r in loaded.records}  # nothing outside was read


@needs_symlinks
@needs_fifo
def test_every_hazard_at_once(plan: Plan, repo: Path, tmp_path: Path) -> None:
    records = repo / "records"
    (records / "zero.yaml").symlink_to("/dev/zero")
    (records / "passwd.yaml").symlink_to("/etc/passwd")
    (records / "dangling.yaml").symlink_to(records / "gone.yaml")
    os.mkfifo(records / "pipe.yaml")
    (records / "folder.yaml").mkdir()
    with open(records / "sparse.yaml", "wb") as f:
        f.truncate(50 * 1024 * 1024)
    loaded = load(plan, repo)
    assert sorted(codes(loaded)) == [
        ("records/dangling.yaml", "unreadable"), ("records/folder.yaml", "not-a-file"),
        ("records/passwd.yaml", "outside-repo"), ("records/pipe.yaml", "not-a-file"),
        ("records/sparse.yaml", "too-large"), ("records/zero.yaml", "outside-repo")]
    assert len(loaded.records) == VALID and loaded.files == VALID + 6


@needs_symlinks
def test_symlink_to_a_record_inside_the_repository_is_read(plan: Plan, repo: Path) -> None:
    (repo / "records" / "again.yaml").symlink_to(repo / "records" / "ok" / "r1.yaml")
    loaded = load(plan, repo)
    assert loaded.problems == [] and len(loaded.records) == VALID + 1


@needs_symlinks
def test_symlinked_folders_are_not_followed(plan: Plan, repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "r.yaml").write_text(READING.format(day=20), encoding="utf-8")
    (repo / "records" / "out").symlink_to(elsewhere, target_is_directory=True)
    (repo / "records" / "loop").symlink_to(repo / "records", target_is_directory=True)
    loaded = load(plan, repo)
    assert loaded.problems == [] and len(loaded.records) == VALID
    assert loaded.files == VALID


def test_folder_named_yaml_is_reported_and_its_records_still_load(plan: Plan,
                                                                   repo: Path) -> None:
    inner = repo / "records" / "2023.yaml"
    inner.mkdir()
    (inner / "r.yaml").write_text(READING.format(day=21), encoding="utf-8")
    loaded = load(plan, repo)
    assert codes(loaded) == [("records/2023.yaml", "not-a-file")]
    assert len(loaded.records) == VALID + 1


@needs_symlinks
def test_records_folder_linking_outside_is_refused(plan: Plan, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "r.yaml").write_text(READING.format(day=3), encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "records").symlink_to(elsewhere, target_is_directory=True)
    loaded = load(plan, root)
    assert codes(loaded) == [("records", "outside-repo")] and loaded.records == []


def test_records_folder_named_outside_the_repository_is_its_own_fence(plan: Plan,
                                                                       tmp_path: Path) -> None:
    """``--records DIR`` elsewhere: read, with DIR as the folder nothing may leave."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "r.yaml").write_text(READING.format(day=3), encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    loaded = load_records(plan, elsewhere, root, workers=1)
    assert loaded.problems == [] and [r.id for r in loaded.records] == ["r"]
    if hasattr(os, "symlink") and sys.platform != "win32":
        (elsewhere / "x.yaml").symlink_to("/etc/passwd")
        loaded = load_records(plan, elsewhere, root, workers=1)
        assert [p.code for p in loaded.problems] == ["outside-repo"]


@needs_symlinks
def test_named_files_are_fenced_too(plan: Plan, repo: Path, tmp_path: Path) -> None:
    """``dc validate FILE``: a file reached through a symlinked folder that leaves the
    repository is refused; a file named outside the repository is the person's own."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "r.yaml").write_text(READING.format(day=3), encoding="utf-8")
    (repo / "records" / "out").symlink_to(elsewhere, target_is_directory=True)
    (repo / "records" / "zero.yaml").symlink_to("/dev/zero")
    named = [repo / "records" / "out" / "r.yaml", repo / "records" / "zero.yaml",
             repo / "records" / "ok" / "r1.yaml", elsewhere / "r.yaml"]
    loaded = load(plan, repo, files=named)
    assert sorted(codes(loaded)) == [("records/out/r.yaml", "outside-repo"),
                                     ("records/zero.yaml", "outside-repo")]
    assert sorted(r.id for r in loaded.records) == ["ok/r1", "r"]


@needs_fifo
def test_named_fifo_does_not_block(plan: Plan, repo: Path) -> None:
    os.mkfifo(repo / "records" / "pipe.yaml")
    loaded = load(plan, repo, files=[repo / "records" / "pipe.yaml"])
    assert codes(loaded) == [("records/pipe.yaml", "not-a-file")]


def test_read_limited_reads_at_most_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 100)
    assert read_limited(path, tmp_path, 100) == b"x" * 100
    with pytest.raises(Unreadable) as info:
        read_limited(path, tmp_path, 99)
    assert info.value.code == "too-large"
    with pytest.raises(Unreadable) as info:
        read_limited(tmp_path / "missing.yaml", tmp_path)
    assert info.value.code == "unreadable"


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no procfs")
def test_read_limited_reads_a_file_whose_size_says_zero() -> None:
    """procfs files are regular, say size 0 and hold text: read in pieces to their end."""
    data = read_limited(Path("/proc/self/status"), None)
    assert data.startswith(b"Name:") and data.endswith(b"\n")
    with pytest.raises(Unreadable) as info:
        read_limited(Path("/proc/self/status"), None, 10)
    assert info.value.code == "too-large"


def test_read_stamped_gives_the_stat_of_the_file_itself(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"type: x\n" * 3000)  # larger than one pipe or page
    data, info = read_stamped(path, tmp_path)
    before = os.lstat(path)
    assert data == path.read_bytes()
    assert info is not None
    assert (info.st_size, info.st_mtime_ns, info.st_ino) == \
        (before.st_size, before.st_mtime_ns, before.st_ino)


@needs_symlinks
def test_read_stamped_gives_no_stat_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"type: x\n")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert read_stamped(tmp_path / "b.yaml", tmp_path) == (b"type: x\n", None)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_read_limited_refuses_a_device_named_directly() -> None:
    start = time.perf_counter()
    with pytest.raises(Unreadable) as info:
        read_limited(Path("/dev/zero"), None)
    assert info.value.code == "not-a-file" and time.perf_counter() - start < 1


def test_lexically_inside() -> None:
    assert lexically_inside(Path("a/b/c.yaml"), Path("a"))
    assert lexically_inside(Path("a"), Path("a"))
    assert not lexically_inside(Path("a/../b/c.yaml"), Path("a"))
    assert not lexically_inside(Path("ab/c.yaml"), Path("a"))


# ----------------------------------------------------------------------- names and discovery
@pytest.mark.skipif(sys.platform == "win32", reason="Windows file names cannot hold controls")
def test_control_characters_in_file_names_are_escaped(plan: Plan, repo: Path) -> None:
    (repo / "records" / "a\x1b[31mb.yaml").write_text(READING.format(day=9), encoding="utf-8")
    (repo / "records" / "c\x1b.yaml").write_text("type: [\n", encoding="utf-8")
    loaded = load(plan, repo)
    assert codes(loaded) == [("records/c\\x1b.yaml", "yaml-syntax")]
    shown = next(r for r in loaded.records if r.date and r.date.day == 9)
    assert shown.file == "records/a\\x1b[31mb.yaml" and "\x1b" not in shown.id
    assert all_valid_loaded(loaded)


def _walk_order(records_dir: Path) -> list[Path]:
    """The order discovery had before it was rewritten: os.walk, names sorted."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(records_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath, f) for f in sorted(filenames) if f.endswith(batch.SUFFIXES))
    return found


def test_discovery_keeps_its_order(tmp_path: Path) -> None:
    for name in ("b/2.yaml", "b/1.yml", "a/z/9.yaml", "a/0.yaml", "c.yaml", ".hidden/x.yaml",
                 "a/.x.yaml", "b/note.txt", "a/z/q/r.yaml", "0.yaml"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x: 1\n", encoding="utf-8")
    assert discover(tmp_path) == _walk_order(tmp_path)
    assert discover(tmp_path / "missing") == []


def test_discovery_of_a_deep_tree_does_not_recurse(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["d"] * 60)
    deep.mkdir(parents=True)
    (deep / "r.yaml").write_text("x: 1\n", encoding="utf-8")
    assert discover(tmp_path) == [deep / "r.yaml"]


@pytest.mark.parametrize(("path", "folder", "expected"), [
    (PureWindowsPath(r"C:\repo\records\dy\r.yaml"), PureWindowsPath(r"C:\repo"),
     "records/dy/r.yaml"),
    (PureWindowsPath(r"C:\repo\records\dy\r.yaml"), PureWindowsPath("C:\\repo\\"),
     "records/dy/r.yaml"),
    (PureWindowsPath(r"records\dy\r.yaml"), PureWindowsPath("."), "records/dy/r.yaml"),
    (PureWindowsPath(r"D:\other\r.yaml"), PureWindowsPath(r"C:\repo"), None),
    (PureWindowsPath(r"C:\repository\r.yaml"), PureWindowsPath(r"C:\repo"), None),
    (PurePosixPath("/repo/records/r.yaml"), PurePosixPath("/repo"), "records/r.yaml"),
    (PurePosixPath("/repo/records/r.yaml"), PurePosixPath("/"), "repo/records/r.yaml"),
    (PurePosixPath("./records/r.yaml"), PurePosixPath("."), "records/r.yaml"),
])
def test_below_handles_windows_paths(path: PureWindowsPath | PurePosixPath,
                                     folder: PureWindowsPath | PurePosixPath,
                                     expected: str | None) -> None:
    assert batch._below(path, folder) == expected


def test_default_ids_from_windows_paths() -> None:
    assert batch.default_id(PureWindowsPath(r"C:\repo\records\dy\04\r.yaml"),
                             PureWindowsPath(r"C:\repo\records")) == "dy/04/r"


# ----------------------------------------------------------------------- validator contract
class _Warns:
    """A validator that accepts every record with a warning (future-date and the like)."""

    def validate(self, value: object, node: object, file: str, default_id: str,
                 scan_pii: bool = True, key_lines: object = None
                 ) -> tuple[Record | None, list[Problem]]:
        record = Record(id=default_id, type="reading_activity", unit="dongyuan", date=None,
                        title="t", fields={}, file=file)
        return record, [Problem(file, 1, 1, "future-date", "later than today",
                                severity="warning")]


def test_a_record_with_warnings_counts(tmp_path: Path) -> None:
    path = tmp_path / "records" / "r.yaml"
    path.parent.mkdir()
    path.write_text(READING.format(day=1), encoding="utf-8")
    where = batch._Where(tmp_path, tmp_path / "records", tmp_path)
    records, problems = batch._load_files([path], where, _Warns())  # type: ignore[arg-type]
    assert [r.id for r in records] == ["r"] and [p.code for p in problems] == ["future-date"]


# ----------------------------------------------------------------------- YAML hazards
def parsed(data: bytes) -> tuple[str, int, int] | object:
    loaded = load_bytes(data, "r.yaml")
    if loaded.problem is None:
        return loaded.value
    return loaded.problem.code, loaded.problem.line, loaded.problem.column


@pytest.mark.parametrize(("data", "where"), [
    (b"a: 1\nb: x\x00y\nc: 3\n", (2, 5)),
    (b"a: 1\nb: 2\nc: 3\n\x00", (4, 1)),
    (b"a: 1\n\n\nb: \"x\x00\"\n", (4, 6)),
    (b"# c\x00\na: 1\n", (1, 4)),
    (b"\xef\xbb\xbfa: \x00\n", (1, 4)),
    ("a: 1\nb: 中中\x00\n".encode(), (2, 6)),  # columns count characters, not bytes
    (b"a: 1\nb: x\x1b[31m\n", (2, 5)),
    (b"a: 1\nb: x\x7f\n", (2, 5)),
])
def test_control_character_at_its_line(data: bytes, where: tuple[int, int]) -> None:
    loaded = load_bytes(data, "r.yaml")
    assert loaded.problem is not None
    assert (loaded.problem.code, loaded.problem.line, loaded.problem.column) == \
        ("yaml-syntax", *where)
    assert "\n" not in loaded.problem.message and loaded.problem.message.isprintable()


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", ["a: 1\n", "title: 阅读活动\nunit: dongyuan\n",
                                  "类型: 阅读活动\n单位: dongyuan\n", READING.format(day=3)])
def test_utf16_without_bom_is_named(codec: str, text: str) -> None:
    loaded = load_bytes(text.encode(codec), "r.yaml")
    assert loaded.problem is not None and loaded.problem.code == "encoding"
    assert "UTF-16" in loaded.problem.message and "GBK" not in loaded.problem.message


def test_a_lone_nul_is_not_utf16() -> None:
    assert parsed(b"title: abcdefghijklmnop\x00qrstuvwxyz\n")[0] == "yaml-syntax"  # type: ignore[index]


@pytest.mark.parametrize(("data", "where"), [
    (b"~: x\n", (1, 1)), (b"null: x\n", (1, 1)), (b"a: 1\nNULL: x\n", (2, 1)),
    (b"a: 1\n?\n: x\n", (2, 2)), (b'a: 1\n"": x\n', (2, 1)), (b"a: {~: 1}\n", (1, 5)),
    (b"a:\n  - b: 1\n    ~: 2\n", (3, 5)),
])
def test_null_and_empty_keys(data: bytes, where: tuple[int, int]) -> None:
    loaded = load_bytes(data, "r.yaml")
    assert loaded.problem is not None
    assert (loaded.problem.code, loaded.problem.line, loaded.problem.column) == ("bad-key", *where)


def test_null_key_message(english: None) -> None:
    found = load_bytes(b"~: x\n", "r.yaml").problem
    assert found is not None and found.message == "an empty key (~)"


def test_non_text_keys_are_kept() -> None:
    kept = parsed(b"1: x\ntrue: y\n2.5: z\n")
    assert isinstance(kept, dict)
    assert [(type(k), k, v) for k, v in kept.items()] == [(int, 1, "x"), (float, 2.5, "z")]
    kept = parsed(b"7: x\nfalse: y\n")
    assert isinstance(kept, dict)
    assert [(type(k), k, v) for k, v in kept.items()] == [(int, 7, "x"), (bool, False, "y")]
    nan = parsed(b"a: 1\n.nan: 2\n.nan: 3\n")
    assert isinstance(nan, dict) and len(nan) == 3
    assert parsed(b"1: x\n1: y\n")[0] == "duplicate-key"  # type: ignore[index]
    assert parsed(b"1: x\ntrue: y\n1.0: z\n") == {1: "x"}  # equal in Python: one is enough


def test_locate_finds_non_text_keys() -> None:
    loaded = load_bytes(b"a: 1\n7: x\ntrue: y\n.nan: z\n", "r.yaml")
    assert locate(loaded.node, (7,)) == (2, 1)
    assert locate(loaded.node, (True,)) == (3, 1)
    assert locate(loaded.node, (math.nan,)) == (4, 1)
    assert locate(loaded.node, ("7",)) == (2, 1)


def test_over_long_integers_stay_text() -> None:
    assert parsed(b"a: " + b"1" * 5000 + b"\n") == {"a": "1" * 5000}
    assert parsed(b"a: 0x" + b"f" * 5000 + b"\n") == {"a": "0x" + "f" * 5000}
    assert parsed(b"a: 12\n") == {"a": 12}


def test_quoted_text_is_escaped_in_messages() -> None:
    for data in (b'"a\\eb": 1\n"a\\eb": 2\n', b"a: !<x%1By> v\n",
                 b'"' + b"k" * 1000 + b'\\e": 1\n"' + b"k" * 1000 + b'\\e": 2\n'):
        found = load_bytes(data, "r.yaml").problem
        assert found is not None and "\x1b" not in found.message, data
        assert len(found.message) < 400


def test_non_text_keys_reach_validation(plan: Plan, repo: Path) -> None:
    (repo / "records" / "k.yaml").write_text(READING.format(day=7) + "1: x\n.nan: y\n",
                                             encoding="utf-8")
    (repo / "records" / "n.yaml").write_text(READING.format(day=8) + "~: x\n", encoding="utf-8")
    loaded = load(plan, repo)
    found = [(p.file, p.line, p.code) for p in loaded.problems]
    assert ("records/n.yaml", 5, "bad-key") in found  # the loader's: a key that names nothing
    # 1 and .nan are kept for validation, which refuses them at their own lines
    assert [(f, line) for f, line, code in found if f == "records/k.yaml"] == \
        [("records/k.yaml", 5), ("records/k.yaml", 6)]
    assert {code for f, _line, code in found if f == "records/k.yaml"} <= {"unknown-field",
                                                                           "bad-key"}
    assert len(found) == 3 and len(loaded.records) == VALID


# property: any scalar as a key, any nesting of keys — a value or a problem, never a raise
key_text = st.one_of(st.sampled_from(["~", "null", "true", "False", "1", "-0", "0x1f", "0o7",
                                      ".nan", ".inf", "-.inf", "1e3", "2.5", "''", '""', "?",
                                      "[]", "{}", "[a]", "{a: 1}", "!!str x", "!x y", "*a",
                                      "&a b", "1" * 5000]),
                     st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                             max_size=6))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(key_text, key_text), min_size=1, max_size=6))
def test_any_key_never_raises(pairs: list[tuple[str, str]]) -> None:
    text = "".join(f"{k}: {v}\n" for k, v in pairs)
    start = time.perf_counter()
    loaded = load_bytes(text.encode("utf-8", "surrogatepass"), "r.yaml")
    assert time.perf_counter() - start < 1
    if loaded.problem is not None:
        message = loaded.problem.message
        assert printable(message, limit=len(message)) == message  # nothing left to escape


def test_read_stamped_without_o_nofollow_still_stamps(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no O_NOFOLLOW: every file takes the lstat-then-open way, and a plain
    file still gets the stamp a scan would give (the cache's cold path relies on it)."""
    from dianchang_cli.load import files
    from dianchang_cli.records.cache import file_stat, stat_of

    monkeypatch.setattr(files, "_NOFOLLOW", 0)
    path = tmp_path / "a.yaml"
    path.write_bytes(b"type: x\n")
    data, info = read_stamped(path, tmp_path)
    assert data == b"type: x\n" and info is not None
    assert stat_of(info) == file_stat(path)


@pytest.mark.parametrize("at_folder", [True, False], ids=["folder-handles", "whole-paths"])
def test_a_scan_finds_what_discovery_finds_each_stamped_as_by_lstat(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at_folder: bool) -> None:
    """A scan lists exactly what discovery lists, in its order, and stamps each file as
    ``file_stat`` would: a regular file by its lstat, a symlink, a folder named ``*.yaml``
    or a pipe not at all; whether it looks through each folder's handle (Linux, macOS)
    or by whole paths (Windows)."""
    from dianchang_cli.records.cache import file_stat

    if at_folder and not batch._AT_FOLDER:
        pytest.skip("this platform looks at files by whole paths only")
    monkeypatch.setattr(batch, "_AT_FOLDER", at_folder)
    for name in ("b/2.yaml", "b/1.yml", "a/z/9.yaml", "a/0.yaml", "c.yaml", ".hidden/x.yaml",
                 "a/.x.yaml", "b/note.txt", "a/z/q/r.yaml", "0.yaml", "d.yaml/in.yaml"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x: 1\n", encoding="utf-8")
    if sys.platform != "win32":
        (tmp_path / "link.yaml").symlink_to(tmp_path / "c.yaml")
        (tmp_path / "linked").symlink_to(tmp_path / "a", target_is_directory=True)
        os.mkfifo(tmp_path / "pipe.yaml")
    scanned = batch.scan(tmp_path)
    assert scanned.names == [str(p) for p in discover(tmp_path)]
    listed = ["0.yaml", "c.yaml", "d.yaml", "a/.x.yaml", "a/0.yaml", "a/z/9.yaml",
              "a/z/q/r.yaml", "b/1.yml", "b/2.yaml", "d.yaml/in.yaml"]
    if sys.platform != "win32":
        listed[3:3] = ["link.yaml", "pipe.yaml"]
    assert [Path(name).relative_to(tmp_path).as_posix() for name in scanned.names] == listed
    assert scanned.stats == [file_stat(name) for name in scanned.names]
    assert scanned.stats.count(None) == (3 if sys.platform != "win32" else 1)  # d.yaml …
    assert batch.scan(tmp_path / "missing").names == []


def test_what_is_built_with_the_collector_paused_goes_to_the_oldest_generation() -> None:
    """The cycle collector is off while a check builds, and back on after; what was built
    meanwhile is then in the oldest generation — not left in the youngest, where the first
    collection afterwards would walk every record again."""
    import gc

    assert gc.isenabled()
    with batch.collector_paused():
        assert not gc.isenabled()
        built = [[i] for i in range(5000)]  # tracked by the collector
    assert gc.isenabled()
    ids = {id(item) for item in built}
    assert not ids & {id(o) for o in gc.get_objects(generation=0)}
    assert ids <= {id(o) for o in gc.get_objects(generation=2)}


def test_the_collector_leaves_what_a_host_froze_frozen() -> None:
    """A program using dc that froze its own objects (before forking workers, say) finds
    them frozen still after a check."""
    import gc

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with batch.collector_paused():
            built = [[i] for i in range(100)]
        assert gc.get_freeze_count() == frozen and built
    finally:
        gc.unfreeze()


def test_a_windows_junction_is_not_entered(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows a junction is a folder to ``is_dir(follow_symlinks=False)`` but leads
    elsewhere, like a symlink: the walk does not enter it (simulated: no junction here)."""
    import os as real_os
    import stat as filemode
    from types import SimpleNamespace

    from dianchang_cli.records import batch

    class Entry:
        def __init__(self, attributes: int) -> None:
            self.attributes = attributes

        def stat(self, follow_symlinks: bool = True) -> SimpleNamespace:
            return SimpleNamespace(st_file_attributes=self.attributes)

    monkeypatch.setattr(real_os, "name", "nt")
    junction = getattr(filemode, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)
    assert batch._reparse_point(Entry(junction | 0x10))  # type: ignore[arg-type]
    assert not batch._reparse_point(Entry(0x10))  # a plain folder  # type: ignore[arg-type]
    monkeypatch.setattr(real_os, "name", "posix")
    assert not batch._reparse_point(Entry(junction))  # type: ignore[arg-type]
