"""The fast parse (load/fastyaml.py): it refuses, or it gives exactly libyaml's value.

The contract is the loader's: every document the loader tests and the hostile corpus use,
and many generated record-like texts full of tricky scalars, go through both paths; the
fast one may say None, never a different value.  Valid demo records take the fast path and
become the same :class:`Record` as by the slow one.
"""

from __future__ import annotations

import ast
import importlib
import math
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.load import fastyaml
from dianchang_cli.load.fastyaml import fast_load
from dianchang_cli.load.yamlsafe import load_bytes
from dianchang_cli.records import batch
from dianchang_cli.records.batch import default_id, load_records, validate_bytes
from dianchang_cli.records.validate import Validator

ROOT = Path(__file__).parent.parent
TESTS = Path(__file__).parent
LOADER_TESTS = ["test_loader.py", "test_loader_bounds.py", "test_hostile.py",
                "test_hostile_properties.py"]


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (``1 != True``, ``nan`` equals ``nan``)."""
    if a.__class__ is not b.__class__:
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(
            same(ka, kb) and same(a[ka], b[kb]) for ka, kb in zip(a, b, strict=True))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def agrees(data: bytes) -> bool:
    """The property: the fast path refuses, or gives the slow path's value and the lines of
    its top-level keys (and only for a file the slow path loads without a problem)."""
    fast = fast_load(data)
    if fast is None:
        return True
    slow = load_bytes(data, "f.yaml")
    return slow.problem is None and same(fast.value, slow.value) and fast.key_lines == tuple(
        key.start_mark.line + 1 for key, _value in slow.node.value)


def _literals(path: Path) -> list[bytes]:
    """Every str and bytes constant of a test module: its YAML documents among them."""
    found: list[bytes] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            value = node.value
            found.append(value if isinstance(value, bytes) else value.encode("utf-8", "replace"))
    return found


def _case_documents(case: Path) -> list[bytes]:
    """The record files a hostile case writes (text, hex bytes, generated big files)."""
    spec = yaml.safe_load(case.read_text(encoding="utf-8")) or {}
    docs = [text.encode("utf-8", "surrogatepass") for text in (spec.get("files") or {}).values()
            if isinstance(text, str)]
    docs += [bytes.fromhex(h) for h in (spec.get("bytes_hex") or {}).values()]
    for gen in spec.get("generate") or []:
        body = "".join(gen.get("repeat", "").replace("{i}", str(i))
                       for i in range(min(int(gen.get("times", 1)), 20000)))
        docs.append((gen.get("prefix", "") + body + gen.get("suffix", "")).encode())
    return docs


def _documents() -> list[bytes]:
    docs: list[bytes] = []
    for name in LOADER_TESTS:
        docs += _literals(TESTS / name)
    for case in sorted((TESTS / "hostile").rglob("case.yaml")):
        docs += _case_documents(case)
    return docs


DOCUMENTS = _documents()


def test_the_corpus_is_real() -> None:
    """The loader tests and hostile cases were found, and the fast path takes some of them."""
    assert len(DOCUMENTS) > 500
    assert sum(fast_load(d) is not None for d in DOCUMENTS) > 20


def test_loader_documents_agree() -> None:
    bad = [d[:120] for d in DOCUMENTS if not agrees(d)]
    assert bad == []


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "a:\n  b: 1\n  b: 2\n", "- a\n", "", "# only\n",
    "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: [1, 2]\n", "a: {b: 1}\n", "? a\n: 1\n",
    "a: 1\n---\nb: 2\n", "%YAML 1.2\n---\na: 1\n", "a:\tb\n", "a: b\rc: d\n",
    "1: a\n", "true: b\n", "~: c\n", "'': d\n", '"a":b\n',
    "a: x\u2028b: y\n", "a: x\x85y\n", "- " * 5000 + "1\n", "a:\n" + "  " * 40 + "b: 1\n",
    # an empty block scalar: "\n" for yaml-rs, "" for libyaml
    "a: |\n", "a: >\n", "a: |+\n", "a: |\n\n", "l:\n  - |\n    x\n  - >\n",
])
def test_tricky_documents_are_refused(text: str) -> None:
    """Each is typed, shaped or keyed in a way the fast path does not vouch for."""
    assert fast_load(text.encode()) is None


@pytest.mark.parametrize("text", [
    "a: 0123\n", "a: 00\n", "a: 1_000\n", "a: 0b11\n", "a: 0X1F\n", "a: 0O17\n", "a: .iNf\n",
    "a: 1__0\n", "a: 12.10\n", "a: -x\n", "a: it's\n", "a: b#c\n", "a: b # c\n",
    "a: http://x.org/a:b\n", "a: 'it''s'\n", "a: ''\n", 'a: ""\n', 'a: "# x"\n', "a:\n",
    "a:   \n", "# top\n\na: x   \n# end\n", "a b: c\n", "a'b: c\n", "a\u3000: c\n",
    "题目: 世界读书日\n日期: '2023-04-23'\n人数: 36\n",
])
def test_flat_documents_are_read_by_dcs_rules(text: str) -> None:
    """A file of ``key: value`` lines is read line by line, its plain scalars typed by
    dc's own rules — ``0123`` stays text, ``0X1F`` is text, not 31 — as libyaml's path
    reads them, whatever yaml-rs would have made of them."""
    assert fast_load(text.encode()) is not None, text
    assert agrees(text.encode()), text


@pytest.mark.parametrize("text", [
    "a: b: c\n", "a: b:\n", "a: - x\n", "a: -\n", "a: 'b' c\n", "a: 'b' # c\n", "a: 'b''\n",
    'a: "b\\nc"\n', 'a: "b"c"\n', "a: # c\n", "a: |\n", "a: >\n", "a: ,b\n", "a: ]\n",
    "a:b\n", "'a': b\n", "a : b\n", "a: b\n   \n", "1: a\n", "a: b\n  c\n",
    "k" * 129 + ": v\n",
])
def test_flat_lines_it_is_unsure_of_are_left_to_the_parsers(text: str) -> None:
    """A line the line-by-line reading is not sure of sends the file on (to yaml-rs, then
    libyaml), which reads it as libyaml does or reports it."""
    assert fastyaml._flat(text) is None, text
    assert agrees(text.encode()), text


@pytest.mark.parametrize(("text", "value"), [
    ("a: 12\nb: -1.5\nc: 1e3\nd: .inf\ne: ~\nf:\ng: True\nh: 0o17\ni: 0x1F\n",
     {"a": 12, "b": -1.5, "c": 1000.0, "d": math.inf, "e": None, "f": None, "g": True,
      "h": 15, "i": 31}),
    ("t: 10:05\nn: no\nd: 2023-04-05\nq: '0123'\nr: \"17.1\"\n",
     {"t": "10:05", "n": "no", "d": "2023-04-05", "q": "0123", "r": "17.1"}),
    ("\ufeffa: 1\r\nb:\r\n  - x\r\n  - y\r\n", {"a": 1, "b": ["x", "y"]}),
])
def test_plain_documents_are_taken(text: str, value: dict[str, Any]) -> None:
    fast = fast_load(text.encode())
    assert fast is not None and same(fast.value, value)
    assert same(load_bytes(text.encode(), "f").value, value)


def test_key_lines_are_the_top_level_keys() -> None:
    fast = fast_load(b"# a comment\ntype: x\nlist:\n  - a: 1\n    b: 2\n\ntitle: |\n  t\n")
    assert fast is not None and fast.key_lines == (2, 3, 7)


@pytest.mark.parametrize("text", [
    "# c\na: 1\n\nb: x # y\nc: '0123'\n", "a: 1\nb: 2", "a: 1\nb: 2\n\n", "a: 1\n# c",
    "a: 1\na: 1\n", "a: 1\nb: [x]\n", "题目: 读书会\n人数: 12\n日期: 2023-04-05\n",
])
def test_a_line_read_before_is_read_alike(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo of lines read (``_LINE_SEEN``) changes nothing: a file whose lines are all
    new, all known, or forgotten between one line and the next (the memo emptied when
    full) gives the same value and key lines, or is refused each time."""
    data = text.encode()
    fastyaml._LINE_SEEN.clear()
    new, known = fast_load(data), fast_load(data)
    monkeypatch.setattr(fastyaml, "_LINE_SEEN_MAX", 1)
    fastyaml._LINE_SEEN.clear()
    forgotten = fast_load(data)
    monkeypatch.undo()
    fastyaml._LINE_SEEN.clear()
    assert agrees(data), text
    if new is None:
        assert known is None and forgotten is None
        return
    assert known is not None and forgotten is not None
    assert same(new.value, known.value) and same(new.value, forgotten.value)
    assert new.key_lines == known.key_lines == forgotten.key_lines


def test_the_memo_of_lines_is_bounded() -> None:
    """The memo keeps short lines, at most ``_LINE_SEEN_MAX`` of them: a folder of long
    unique lines (a 180 KB summary in each file) cannot fill memory through it."""
    fastyaml._LINE_SEEN.clear()
    long_line = "summary: " + "读" * 60_000
    fast = fast_load(f"title: x\n{long_line}\n".encode())
    assert fast is not None and fast.value["summary"] == "读" * 60_000
    assert "title: x" in fastyaml._LINE_SEEN and long_line not in fastyaml._LINE_SEEN
    for i in range(fastyaml._LINE_SEEN_MAX + 10):
        assert fast_load(f"n: {i}\n".encode()) is not None
    assert len(fastyaml._LINE_SEEN) <= fastyaml._LINE_SEEN_MAX
    fastyaml._LINE_SEEN.clear()


# ------------------------------------------------------------------ generated documents
COMMON = st.sampled_from(["12", "x", "世界读书日", "1.5", "true", "'0123'", "2023-04-05", "-3",
                         "~", "", "10:05", "no", '"17.1"', "0x1F", "1e3", "a b c"])
TRICKY = st.sampled_from([
    "0123", "00", "007", "10:05", "1:2:3", "no", "yes", "on", "off", "y", "N", "~", "null",
    "Null", "NULL", "nULL", ".inf", "-.inf", "+.inf", ".Inf", ".iNf", ".nan", ".NaN", "-.5",
    "+.5", "1.", "1e3", "1E3", "1.5e-3", "0x1F", "0X1F", "0o17", "0O17", "0b11", "1_000",
    "True", "TRUE", "tRUE", "false", "12", "-12", "+12", "0", "-0", "2023-04-05",
    "2023-04-05T10:00:00+08:00", "'12'", '"12"', "'0123'", '"a\\tb"', "''", '""', "世界读书日",
    "第01期", "x # comment", "a b", "99999999999999999999", "1" * 70, "-", "--1", "0.",
    "'it''s'", '"\\u00e9"', "http://x.cn/a:b", "a:b", "1e400", "00.5", "1__0", "|\n  0123\n",
    ">\n  a\n  b\n", "|-\n  x\n", "|+\n  x\n\n", "Infinity", "NaN",
    "x\u3000", "\u3000x", "12\u00a0", "1\u3000", "\u200bx", "'x\u3000'", "\\", "-",
])
SCALARS = st.one_of(COMMON, COMMON, COMMON, TRICKY)
WORDS = st.from_regex(r"[a-z\u4e00-\u4e10]{1,6}", fullmatch=True)
KEYS = st.one_of(WORDS, WORDS, WORDS, WORDS,
    st.sampled_from(["a", "b", "title", "名称", "'a'", '"b"', "1", "true", "~", "date", "0123",
                     "no", "a b", "'x: y'", "k-1", "-k", "<<", "="]))


MULTILINE = st.sampled_from([
    "a\n{i}  0123", "'x\n{i}  y'", '"x\n{i}  \\ty"', "12\n{i}  34", "|\n{i}  a: 1\n{i}  b",
    ">-\n{i}  12\n\n{i}  x", "'a: b'", '"c: 12"', "x # a: 1", "第一次 # 注释",
])


def _scalar_line(draw: st.DrawFn, indent: str, key: str, plain: bool) -> str:
    if not plain and draw(st.integers(0, 5)) == 0:
        return f"{indent}{key}: " + draw(MULTILINE).replace("{i}", indent)
    scalar = draw(COMMON if plain else SCALARS)
    if scalar.startswith(("|", ">")):
        scalar = scalar.replace("\n  ", "\n" + indent + "  ").rstrip("\n")
    return f"{indent}{key}: {scalar}"


def _list_lines(draw: st.DrawFn, depth: int, indent: str, key: str, plain: bool) -> list[str]:
    lines = [f"{indent}{key}:"]
    for _ in range(draw(st.integers(1, 3))):
        if depth < 2 and draw(st.booleans()):  # a list of mappings: '- a: 1' then '  b: 2'
            inner = draw(documents(depth + 1, indent + "    ", plain)).rstrip("\n").split("\n")
            deeper = indent + "    "
            first = next(i for i, line in enumerate(inner)
                         if line.startswith(deeper) and line[len(deeper)] not in " #")
            inner[first] = f"{indent}  - " + inner[first][len(deeper):]
            lines += inner
        else:
            item = draw((COMMON if plain else SCALARS).filter(lambda s: "\n" not in s))
            lines.append(f"{indent}  - " + item)
    return lines


@st.composite
def documents(draw: st.DrawFn, depth: int = 0, indent: str = "", plain: bool = False) -> str:
    """A block mapping of tricky scalars, lists and nested mappings (duplicates included),
    with comments, blank lines and multi-line scalars here and there; ``plain``: common
    scalars and word keys only, as most records are."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        key = draw(WORDS if plain else KEYS)
        kind = draw(st.sampled_from(["scalar", "scalar", "list", "map", "comment"] if depth < 2
                                    else ["scalar", "comment"]))
        if kind == "comment":
            lines.append(draw(st.sampled_from(["", "# a note", f"{indent}# k: 12", "#"])))
            key = draw(WORDS if plain else KEYS)
            lines.append(_scalar_line(draw, indent, key, plain))
        elif kind == "scalar":
            lines.append(_scalar_line(draw, indent, key, plain))
        elif kind == "list":
            lines += _list_lines(draw, depth, indent, key, plain)
        else:
            lines.append(f"{indent}{key}:")
            lines.append(draw(documents(depth + 1, indent + "  ", plain)).rstrip("\n"))
    return "\n".join(lines) + "\n"


@settings(max_examples=600, deadline=None)
@given(documents(), st.booleans())
def test_generated_documents_agree(text: str, crlf: bool) -> None:
    data = (text.replace("\n", "\r\n") if crlf else text).encode()
    assert agrees(data), text


def test_plain_generated_documents_agree_and_are_taken() -> None:
    """The property on record-like documents; most of them take the fast path, so the
    comparison is not vacuous."""
    taken = 0

    @seed(2023)  # the same documents every run: the count below is not left to chance
    @settings(max_examples=300, deadline=None, database=None)
    @given(documents(plain=True))
    def check(text: str) -> None:
        nonlocal taken
        assert agrees(text.encode()), text
        taken += fast_load(text.encode()) is not None

    check()
    assert taken >= 60  # 20 %; about a third to a half are taken


# ------------------------------------------------------------------ records
def _demo_files() -> list[Path]:
    return sorted((ROOT / "records").rglob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(load_plan(ROOT / "plan", ROOT))


def test_every_demo_record_takes_the_fast_path(validator: Validator) -> None:
    """Same record (keys and their lines too) the fast way as with libyaml's node tree."""
    files = _demo_files()
    assert len(files) > 100
    slow_ones = []
    for path in files:
        data = path.read_bytes()
        fast = fast_load(data)
        if fast is None:
            slow_ones.append(path.name)
            continue
        shown = path.relative_to(ROOT).as_posix()
        rid = default_id(path, ROOT / "records")
        quick = validator.validate(fast.value, None, shown, rid, key_lines=fast.key_lines)
        loaded = load_bytes(data, shown)
        slow = validator.validate(loaded.value, loaded.node, shown, rid)
        assert quick == slow, path
        assert quick[0] is not None and quick[0].key_lines, path
    assert slow_ones == []


def test_a_problem_is_placed_as_always(validator: Validator) -> None:
    """A record the fast parse reads but validation faults is placed from the node tree."""
    text = b"type: \xe9\x98\x85\xe8\xaf\xbb\xe6\xb4\xbb\xe5\x8a\xa8\nunit: dongyuan\n" \
           b"date: 2023-04-23\ntitle: t\nparticipants: -3\n"
    assert fast_load(text) is not None
    record, problems = validate_bytes(validator, text, "r.yaml", "r")
    assert record is None and [(p.line, p.column, p.code) for p in problems] == [
        (5, 15, "bad-value")]


def _as_tuples(recs: Any) -> list[Any]:
    return sorted((r.id, r.type, r.unit, r.date, r.title, r.file, r.line, r.keys, r.key_lines,
                   repr(r.fields)) for r in recs)


def test_without_the_fast_parser_dc_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    """A platform without the yaml-rs wheel: flat files read line by line, the others by
    libyaml; and with no fast parse at all, libyaml alone: the same records and problems."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "plan", repo / "plan")
    shutil.copytree(ROOT / "records", repo / "records")
    plan = load_plan(repo / "plan", repo)
    taken: list[bool] = []  # per file read: whether the fast parse took it
    fast_parse = fast_load

    def counted(data: bytes) -> Any:
        fast = fast_parse(data)
        taken.append(fast is not None)
        return fast

    monkeypatch.setattr(batch, "fast_load", counted)
    with_fast = load_records(plan, repo / "records", repo, workers=1)
    assert taken and all(taken)  # the first load really went the fast way
    flat = [fastyaml._flat(p.read_text(encoding="utf-8")) is not None
            for p in _demo_files()]
    assert any(flat) and not all(flat)  # the demo has flat files and others
    taken.clear()
    monkeypatch.setattr(fastyaml, "_yaml_rs", None)
    without_rs = load_records(plan, repo / "records", repo, workers=1)
    assert sorted(taken) == sorted(flat)  # … the second one took only the flat files …
    taken.clear()
    fast_parse = lambda data: None  # noqa: E731  # no fast parse at all
    without = load_records(plan, repo / "records", repo, workers=1)
    assert taken and not any(taken)  # … and the third one went the libyaml way
    assert len(without.records) == len(with_fast.records) > 100
    for other in (without_rs, without):
        assert _as_tuples(other.records) == _as_tuples(with_fast.records)
        assert other.problems == with_fast.problems


SNIPPETS = st.sampled_from([" ", "\n", ":", ": ", "- ", "\n- ", "#", " #", "'", '"', "0", "\n  ",
                            "|", ">", "~", "-", ": 0123", "\t", "\n  x: 1", "\na: 1", "\\",
                            "\u3000", "10:05", "no", "1_0", "\r\n", "[", "{", "&", "*", "!",
                            ": |", ": >-", "\n  - >", " '", "''", ": '", ' "', ": #", "x: y"])


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**6), st.lists(st.tuples(st.integers(0, 10**6), SNIPPETS), max_size=4))
def test_mutated_demo_records_agree(pick: int, edits: list[tuple[int, str]]) -> None:
    """A real record with a few YAML-significant characters put in anywhere: refused, or
    read exactly as libyaml reads it."""
    files = _demo_files()
    text = files[pick % len(files)].read_text(encoding="utf-8")
    for at, snippet in edits:
        at %= len(text) + 1
        text = text[:at] + snippet + text[at:]
    assert agrees(text.encode()), text


def test_the_import_is_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no yaml-rs wheel installs, importing it fails: the module still loads, says it
    is not available, and refuses every file (so libyaml reads them all)."""
    data = (ROOT / "records").rglob("*.yaml").__next__().read_bytes()
    assert fastyaml.AVAILABLE and fast_load(data) is not None
    monkeypatch.setitem(sys.modules, "yaml_rs", None)  # ``import yaml_rs`` now raises
    try:
        importlib.reload(fastyaml)
        assert not fastyaml.AVAILABLE
        assert fastyaml.fast_load(data) is None
        record, problems = validate_bytes(Validator(load_plan(ROOT / "plan", ROOT)), data,
                                          "r.yaml", "r")
        assert record is not None and not [p for p in problems if p.severity == "error"]
    finally:
        monkeypatch.undo()
        importlib.reload(fastyaml)
    assert fastyaml.AVAILABLE and fast_load(data) is not None


FLAT_PIECES = st.sampled_from([*"ab 1:#'\"-?,[]{}|>!&*%@`~.0+_\\/é世\u3000", "null", "true",
                               "0x1F", "0o7", ".inf", "1e3", "10:05", "''", ": ", " #", "--",
                               "..."])
FLAT_KEYS = st.sampled_from(["a", "b c", "题目", "x_y", "1", "true", "null", "a'b", "k-1", "~",
                             "-a", "a#", "a b ", "k" * 129])
FLAT_WORDS = st.sampled_from(["", "x", "读书会", "12", "2023-04-05", "a b"])
FLAT_VALUES = st.one_of(  # mostly a word or two with something significant among them
    st.tuples(FLAT_WORDS, st.lists(FLAT_PIECES, max_size=3).map("".join), FLAT_WORDS),
    st.tuples(st.lists(FLAT_PIECES, max_size=8).map("".join))).map("".join)
FLAT_LINES = st.one_of(
    st.tuples(FLAT_KEYS, st.sampled_from([": ", ":", ":  "]), FLAT_VALUES).map("".join),
    st.sampled_from(["# c", "", "#", " # c"]))


def test_flat_lines_of_every_kind_agree_with_libyaml() -> None:
    """``key: value`` lines with YAML's significant characters anywhere in the value: the
    line-by-line reading refuses, or gives libyaml's value and key lines; and it takes
    enough of them for that to mean something."""
    taken = 0

    @seed(2023)
    @settings(max_examples=1500, deadline=None, database=None)
    @given(st.lists(FLAT_LINES, min_size=1, max_size=4), st.booleans())
    def check(lines: list[str], end: bool) -> None:
        nonlocal taken
        text = "\n".join(lines) + ("\n" if end else "")
        assert agrees(text.encode()), text
        taken += fastyaml._flat(text) is not None

    check()
    assert taken >= 100
