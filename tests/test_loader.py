"""The hardened YAML loader: every hazard of the issue gives its own code and position."""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dianchang_cli.load.yamlsafe import MAX_BYTES, StrictLoader, load_bytes, locate


def load(text: bytes | str):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return load_bytes(data, "r.yaml")


def problem(text: bytes | str) -> tuple[str, int, int]:
    found = load(text).problem
    assert found is not None, "expected a problem"
    return found.code, found.line, found.column


@pytest.mark.parametrize(("source", "expected"), [
    ("t: 10:05", "10:05"),          # never 605 (YAML 1.1 sexagesimal)
    ("t: no", "no"),                # never False
    ("t: on", "on"),
    ("t: yes", "yes"),
    ("t: 0123", "0123"),            # never 83 (octal) nor 123
    ("t: 2023-04-05", "2023-04-05"),  # dates stay text for validation to parse
    ("t: 2023-05-03 10:05", "2023-05-03 10:05"),
    ("t: 1_000", "1_000"),
])
def test_yaml_1_1_surprises_stay_text(source: str, expected: str) -> None:
    assert load(source).value == {"t": expected}


@pytest.mark.parametrize(("source", "expected"), [
    ("t: 12", 12), ("t: -3", -3), ("t: 2.5", 2.5), ("t: 1e3", 1000.0), ("t: true", True),
    ("t: False", False), ("t: ~", None), ("t: null", None), ("t: 0x1F", 31),
])
def test_core_schema_scalars(source: str, expected: object) -> None:
    assert load(source).value == {"t": expected}


def test_duplicate_key_points_at_second_key() -> None:
    assert problem("a: 1\nb: 2\n  \na: 3\n") == ("duplicate-key", 4, 1)
    message = load("a: 1\na: 2\n").problem.message
    assert "line 1" in message or "第 1 行" in message  # the first key's line is named


def test_nested_duplicate_key() -> None:
    assert problem("a:\n  x: 1\n  x: 2\n") == ("duplicate-key", 3, 3)


@pytest.mark.parametrize("data", [
    "title: 阅读活动\n".encode("gbk"),
    "title: 阅读活动\n".encode("gb18030"),
])
def test_gbk_is_refused_with_a_hint(data: bytes) -> None:
    found = load(data).problem
    assert found is not None and found.code == "encoding"
    assert "GBK" in found.message and "UTF-8" in (found.expected or "")
    assert "iconv" in (found.expected or "")  # says how to convert


def test_utf16_is_refused() -> None:
    assert problem("a: 1\n".encode("utf-16"))[0] == "encoding"


@pytest.mark.parametrize("data", [b"\xef\xbb\xbftitle: x\n", b"title: x\r\nunit: y\r\n"])
def test_bom_and_crlf_are_fine(data: bytes) -> None:
    assert load(data).value["title"] == "x"


def test_several_documents() -> None:
    assert problem("a: 1\n---\nb: 2\n")[0] == "multiple-documents"


def test_alias_bomb_is_refused_fast() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]" for i in range(1, 10)]
    start = time.perf_counter()
    assert problem("\n".join(lines))[0] == "alias"
    assert time.perf_counter() - start < 1.0


def test_plain_star_and_ampersand_in_text_are_fine() -> None:
    assert load("title: 书香 & 阅读 * 活动\n").value == {"title": "书香 & 阅读 * 活动"}


def test_deep_nesting() -> None:
    assert problem("a: " + "[" * 100 + "]" * 100)[0] in ("too-deep", "yaml-syntax")
    assert problem("a: " + "[" * 5000 + "]" * 5000)[0] in ("too-deep", "yaml-syntax")
    deep_block = "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v"
    assert problem(deep_block)[0] == "too-deep"


def test_large_file() -> None:
    assert problem(b"a: '" + b"x" * MAX_BYTES + b"'\n")[0] == "too-large"


def test_syntax_error_has_position() -> None:
    code, line, _col = problem("title: x\nunit: [a, b\nsummary: y\n")
    assert code == "yaml-syntax" and line >= 2


def test_empty_file() -> None:
    assert problem(b"")[0] == "empty"
    assert problem(b"# only a comment\n")[0] == "empty"


def test_locate_walks_to_the_node() -> None:
    loaded = load("type: x\nevidence:\n  - a.jpg\n  - b.jpg\n")
    assert locate(loaded.node, ("evidence", 1)) == (4, 5)
    assert locate(loaded.node, ("type",)) == (1, 1)
    assert locate(loaded.node, ("missing",)) == (1, 1)


# ---------------------------------------------------------------- properties
# line and paragraph separators are folded by YAML itself; records never need them
chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"),
                      exclude_characters="\x85\ufeff")
keys = st.text(chars, min_size=1, max_size=8)
scalars = st.one_of(st.text(chars, max_size=20), st.integers(), st.booleans(), st.none(),
                    st.floats(allow_nan=False, allow_infinity=False))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(keys, inner, max_size=4)),
                      max_leaves=12)


class CoreDumper(yaml.SafeDumper):
    """Quotes exactly the strings that the loader's core schema would read as non-strings."""

    yaml_implicit_resolvers = StrictLoader.yaml_implicit_resolvers


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, values, min_size=1, max_size=6))
def test_round_trip_of_dumped_mappings(doc: dict) -> None:
    """What a dumper with our (YAML 1.2 core) resolvers writes, we read back unchanged."""
    text = yaml.dump(doc, Dumper=CoreDumper, allow_unicode=True)
    loaded = load(text)
    assert loaded.problem is None
    assert loaded.value == doc


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    loaded = load_bytes(data, "fuzz.yaml")
    if loaded.problem is None:
        assert loaded.node is not None
    else:
        assert loaded.problem.code in {"encoding", "yaml-syntax", "empty", "alias", "too-deep",
                                       "multiple-documents", "duplicate-key", "bad-key"}


@pytest.mark.parametrize("source", ["a: !!python/object:os.system x", "a: !!binary aGVsbG8=",
                                    "a: !custom x", "? [a, b]\n: 1"])
def test_tags_and_complex_keys_are_refused(source: str) -> None:
    assert problem(source)[0] == "yaml-syntax"


@pytest.mark.parametrize(("text", "words"), [
    ("type: 阅读活动\nunit: dongyuan\n\tdate: 2023-04-05\n", "制表符"),
    ("type: 阅读活动\nunit: dongyuan\ntitle: a: b\n", "加引号"),
    ("type: 阅读活动\n  unit: dongyuan\ntitle: a\n", "缩进"),
    ('title: "abc\n', "没有配对"),
])
def test_yaml_syntax_errors_say_what_to_do(text: str, words: str) -> None:
    """libyaml's English ("mapping values are not allowed here") is said as what it
    means for a person writing a record, in the active language."""
    from dianchang_cli.load.yamlsafe import load_bytes

    problem = load_bytes(text.encode("utf-8"), "r.yaml").problem
    assert problem is not None and problem.code == "yaml-syntax"
    assert words in problem.message and "mapping values" not in problem.message
