"""Bytes → YAML nodes → plain Python values, with libyaml speed and none of YAML 1.1's traps.

* libyaml parses (``yaml.CSafeLoader``); a build without it is refused, being 7× slower.
* Scalars resolve by the YAML 1.2 *core* schema: ``10:05`` stays the text ``"10:05"`` (never
  605), ``no``/``on`` stay text, ``0123`` stays text, dates stay text for validation to parse.
* A duplicated key is a problem at the second key's line, not a silent overwrite.
* Aliases, deep nesting, files over 1 MiB, several documents and non-UTF-8 bytes are each a
  clear problem with bounded cost.
* A null or empty key (``~: x``, ``null: x``, ``?`` alone) is ``bad-key``; other non-text keys
  (``1: x``, ``true: x``, ``.nan: x``) are kept, for validation to report as unknown fields.
* A control character (a NUL byte, ESC …) is reported at its own line and column, and UTF-16
  without a byte-order mark is named as such.  Every message that quotes the file goes through
  :func:`~dianchang_cli.diagnostics.printable`.

The composed node tree is returned beside the value, so a later stage can turn a field path
into ``line:column`` without parsing the file again (see :func:`locate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import Problem, printable
from ..i18n import N_, _

if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover - depends on the build
    raise ImportError("dc needs PyYAML built with libyaml (yaml.CSafeLoader); reinstall PyYAML")

MAX_BYTES = 1024 * 1024
_STR = "tag:yaml.org,2002:str"
SPECIAL_FIRST = frozenset("~nNtTfF-+.0123456789")
MAX_DEPTH = 32
_BOMS_OTHER = (b"\xff\xfe", b"\xfe\xff")


class StrictLoader(yaml.CSafeLoader):
    """libyaml's parser and composer with YAML 1.2 core-schema scalar resolution.

    Values are built from the composed nodes by :func:`build`, not by PyYAML's constructor.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        # Most record scalars are text that starts with a letter or a Chinese character:
        # answer those without the regex loop (libyaml calls this once per scalar).
        if kind is ScalarNode and implicit[0] and value and value[0] not in SPECIAL_FIRST:
            return _STR
        return super().resolve(kind, value, implicit)


def _core(tag: str, pattern: str, first: str) -> None:
    StrictLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_core("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])
_core("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_core("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$",
      "-+0123456789")
_core("tag:yaml.org,2002:float",
      r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
      r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789.")


_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


MAX_INT_TEXT = 64  # digits; a longer "number" stays text (int() of 4,300+ digits raises)


def _int(text: str) -> int | str:
    if len(text) > MAX_INT_TEXT:
        return text  # no record counts that high: validation reports it where a number belongs
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


_SCALARS: dict[str, Any] = {
    _STR: str,
    _INT: _int,
    _FLOAT: _float,
    _BOOL: lambda text: text in ("true", "True", "TRUE"),
    _NULL: lambda text: None,
}


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar's text → its value, by the same YAML 1.2 core rules as the
    loader: ``"0123"`` and ``"10:05"`` stay text, ``"0o17"`` is 15, ``"~"`` and ``""`` are
    None.  The fast path (:mod:`.fastyaml`) types scalars with this, so both paths agree."""
    if not text:
        return None
    if text[0] not in SPECIAL_FIRST:
        return text
    for tag, pattern in StrictLoader.yaml_implicit_resolvers.get(text[0], ()):
        if pattern.match(text):
            return _SCALARS[tag](text)
    return text


class TooDeep(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__("too deep")
        self.node = node


class BadNode(Exception):
    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


def build(node: Node, depth: int = 1) -> Any:
    """Node tree → plain values: dicts, lists, str, int, float, bool, None.

    Replaces PyYAML's general constructor for the one shape records have; it is about three
    times faster, checks nesting depth and duplicate keys on the way, and refuses explicit
    tags (``!!python/…``, ``!!binary``, custom ``!tags``) that have no place in a record.
    """
    if depth > MAX_DEPTH:
        raise TooDeep(node)
    cls = node.__class__
    if cls is ScalarNode:
        convert = _SCALARS.get(node.tag)
        if convert is None:
            raise BadNode(node, _("the tag {tag} is not allowed in records").format(
                tag=printable(node.tag)))
        return convert(node.value)
    if cls is MappingNode:
        if node.tag != _MAP:
            raise BadNode(node, _("the tag {tag} is not allowed in records").format(
                tag=printable(node.tag)))
        out: dict[Any, Any] = {}
        kinds: dict[Any, type] = {}  # the type of each key that is not text
        for key_node, value_node in node.value:
            key = build(key_node, depth + 1)
            if key is None or key == "":
                raise BadKey(key_node, "~" if key is None else '""')
            cls = key.__class__
            if cls is dict or cls is list:
                raise BadNode(key_node, _("a key must be a plain word, not a list or mapping"))
            if cls is not str:
                if key in kinds and kinds[key] is not cls:
                    continue  # ``true`` beside ``1`` (equal in Python): one unknown field is enough
                kinds[key] = cls
            if key in out:
                first = next(k for k, _v in node.value if build(k, depth + 1) == key)
                raise DuplicateKey(key, first, key_node)
            out[key] = build(value_node, depth + 1)
        return out
    if node.tag != _SEQ:
        raise BadNode(node, _("the tag {tag} is not allowed in records").format(
            tag=printable(node.tag)))
    return [build(child, depth + 1) for child in node.value]


class BadKey(Exception):
    """A key that names nothing: ``~``, ``null``, an empty ``?`` key or ``""``."""

    def __init__(self, node: Node, shown: str) -> None:
        super().__init__(shown)
        self.node, self.shown = node, shown


class DuplicateKey(Exception):
    def __init__(self, key: Any, first: Node, second: Node) -> None:
        super().__init__(key)
        self.key, self.first, self.second = key, first, second


@dataclass(frozen=True, slots=True)
class Loaded:
    """One parsed file: its value and node tree, or the problem that stopped it."""

    value: Any = None
    node: Node | None = None
    problem: Problem | None = None


def _problem(file: str, code: str, message: str, line: int = 1, column: int = 1,
             expected: str | None = None) -> Loaded:
    return Loaded(problem=Problem(file, line, column, code, message, expected=expected))


def _utf16_without_bom(data: bytes) -> bool:
    """UTF-16 text without a byte-order mark: NUL bytes at every other position.

    YAML keys, ``:`` and line breaks are ASCII, which UTF-16 writes as a NUL beside the
    character; a UTF-8 file has no NUL at all (YAML forbids it).  So: at least a quarter of
    the byte pairs hold a NUL on the same side, almost none on the other, and the bytes
    decode as UTF-16 of that byte order.
    """
    sample = data[:4096]
    sample = sample[:len(sample) - len(sample) % 2]
    pairs = len(sample) // 2
    if pairs < 2 or sample.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    nuls, other, order = (odd, even, "utf-16-le") if odd >= even else (even, odd, "utf-16-be")
    if nuls < 2 or nuls * 4 < pairs or other * 8 > nuls:
        return False
    try:
        sample.decode(order)
    except UnicodeDecodeError:
        return False
    return True


def check_encoding(data: bytes, file: str) -> Loaded | None:
    """UTF-8, with or without BOM, is accepted; anything else is an ``encoding`` problem."""
    if data.startswith(_BOMS_OTHER) or (b"\x00" in data and _utf16_without_bom(data)):
        return _problem(file, "encoding", _("the file is UTF-16, not UTF-8"),
                        expected=_("save the file as UTF-8"))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = _("save the file as UTF-8")
        try:
            data.decode("gb18030")
            msg = _("the file looks like GBK/GB18030, which is not accepted")
            hint = _("re-save it as UTF-8, e.g. iconv -f GBK -t UTF-8 old.yaml > new.yaml")
        except UnicodeDecodeError:
            msg = _("the file is not valid UTF-8")
        return _problem(file, "encoding", msg, line=line, expected=hint)
    return None


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_bytes(data: bytes, file: str) -> Loaded:
    """Parse one file's bytes into a value; every failure becomes a :class:`Problem`."""
    if len(data) > MAX_BYTES:
        return _problem(file, "too-large", _("the file is larger than 1 MiB"),
                        expected=_("one small record per file; keep photos and scans in evidence/"))
    bad = check_encoding(data, file)
    if bad:
        return bad
    loader = StrictLoader(data)
    try:
        node = loader.get_single_node()
        if node is None:
            return _problem(file, "empty", _("the file holds no record"),
                            expected=_("a YAML mapping with type, unit, title …"))
        if b"*" in data and b"&" in data and _has_alias_events(data):
            line, col = _mark(node)
            return _problem(file, "alias", _("YAML anchors and aliases are not allowed in records"),
                            line, col, expected=_("write every value out in full"))
        value = build(node)
    except TooDeep as deep:
        line, col = _mark(deep.node)
        return _problem(file, "too-deep", _("the data is nested too deeply"), line, col,
                        expected=_("at most {n} levels").format(n=MAX_DEPTH))
    except BadNode as bad:
        line, col = _mark(bad.node)
        return _problem(file, "yaml-syntax", bad.message, line, col,
                        expected=_("plain YAML: text, numbers, lists and mappings"))
    except BadKey as bad_key:
        line, col = _mark(bad_key.node)
        return _problem(file, "bad-key", _("an empty key ({key})").format(key=bad_key.shown),
                        line, col, expected=_("a field name such as 'title:'"))
    except DuplicateKey as dup:
        line, col = _mark(dup.second)
        first = dup.first.start_mark.line + 1
        return _problem(file, "duplicate-key",
                        _("key '{key}' appears twice (first on line {first})").format(
                            key=printable(dup.key), first=first), line, col,
                        expected=_("each key once"))
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "single document" in str(exc.context or ""):
            return _problem(file, "multiple-documents",
                            _("the file holds more than one YAML document"), line, col,
                            expected=_("one record per file, without '---' separators"))
        return _problem(file, "yaml-syntax", printable(str(exc.problem or exc)), line, col)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(x for x in (exc.context, exc.problem) if x)
        return _problem(file, "yaml-syntax", _("YAML syntax error: {detail}").format(
            detail=said_plainly(detail)), line, col,
            expected=_("valid YAML: 'key: value' lines, two-space indents"))
    except yaml.reader.ReaderError as exc:
        return _bad_character(data, file, exc)
    except yaml.YAMLError as exc:
        return _problem(file, "yaml-syntax", _("YAML syntax error: {detail}").format(
            detail=printable(str(exc))))
    except (RecursionError, MemoryError):
        return _problem(file, "too-deep", _("the data is nested too deeply"))
    finally:
        loader.dispose()
    return Loaded(value=value, node=node)


# libyaml's words for the mistakes people make, and what they mean (anything else is shown
# as libyaml says it)
_YAML_MISTAKES = (
    ("tab", N_("a tab character: indent with spaces")),
    ("mapping values are not allowed", N_(
        "a 'key: value' where none can be (a colon inside a value, or the indent is off): "
        "put the value in quotes, or fix the indent")),
    ("could not find expected ':'", N_("a line without the ':' of 'key: value'")),
    ("did not find expected key", N_(
        "the indent is off: the keys of one mapping start in the same column")),
    ("expected <block end>", N_(
        "the indent is off: the keys of one mapping start in the same column")),
    ("did not find expected '-' indicator", N_(
        "the indent of a list is off: its '- ' items start in the same column")),
    ("found unexpected end of stream", N_(
        "the file ends inside quotes or brackets: one is not closed")),
    ("unknown escape character", N_(
        "a backslash inside double quotes: use single quotes, or write it twice")),
    ("cannot start any token", N_(
        "a character that cannot begin a value here (such as @ or `): put the value in "
        "quotes")),
)


def said_plainly(detail: str) -> str:
    """What libyaml's ``detail`` of a syntax error means, in the active language."""
    for words, meaning in _YAML_MISTAKES:
        if words in detail:
            return _(meaning)
    return printable(detail)


# What YAML 1.2 calls printable (c-printable), as a class of what is not
_NOT_YAML_TEXT = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _bad_character(data: bytes, file: str, exc: yaml.reader.ReaderError) -> Loaded:
    """A character YAML refuses (a NUL, ESC …), at its own line and column.

    libyaml reports only a byte offset, so the character is found in the text itself: the
    bytes are known to be UTF-8 here, and this runs only for files that fail.
    """
    text = data.decode("utf-8", errors="replace")
    offset = 1 if text.startswith("\ufeff") else 0
    found = _NOT_YAML_TEXT.search(text, offset)
    if found is not None:
        at, char = found.start(), found.group()
    else:  # not found by the class above: trust libyaml's byte offset
        at = len(data[:max(0, exc.position)].decode("utf-8", errors="replace"))
        char = text[at] if at < len(text) else "\x00"
    start = text.rfind("\n", 0, at) + 1
    line = text.count("\n", 0, at) + 1
    column = at - max(start, offset if line == 1 else 0) + 1
    return _problem(file, "yaml-syntax",
                    _("the character {char} (a control character) is not allowed in YAML "
                      "files").format(char=f"U+{ord(char):04X}"), line, column,
                    expected=_("plain text; remove the character"))


def _has_alias_events(data: bytes) -> bool:
    """True when the document uses an alias; only asked when the bytes contain ``*`` and ``&``."""
    return any(isinstance(ev, yaml.AliasEvent) for ev in yaml.parse(data, Loader=yaml.CSafeLoader))


def _is_key(key_node: Node, step: Any) -> bool:
    """Whether ``key_node`` is the key ``step`` of a built value (``1``, ``True``, ``nan`` too)."""
    if key_node.__class__ is not ScalarNode:
        return False
    if step.__class__ is str:
        return key_node.value == step
    convert = _SCALARS.get(key_node.tag)
    if convert is None or key_node.tag == _STR:
        return False
    value = convert(key_node.value)
    same = value == step or (value != value and step != step)  # nan is the key nan
    return value.__class__ is step.__class__ and same


def locate(node: Node | None, path: tuple[str | int, ...]) -> tuple[int, int]:
    """``(line, column)`` of the deepest node on ``path``; ``(1, 1)`` without a tree.

    For a key that is missing, the mapping that should hold it is returned.
    """
    if node is None:
        return 1, 1
    best = node
    last = len(path) - 1
    for i, step in enumerate(path):
        if isinstance(best, MappingNode):
            for key_node, value_node in best.value:
                if _is_key(key_node, step):
                    best = key_node if i == last else value_node
                    break
            else:
                break
        elif isinstance(best, SequenceNode) and isinstance(step, int) and step < len(best.value):
            best = best.value[step]
        else:
            break
    return _mark(best)


def locate_value(node: Node | None, path: tuple[str | int, ...]) -> tuple[int, int]:
    """Like :func:`locate` but lands on the value of the last key, not the key itself."""
    if node is None or not path:
        return locate(node, path)
    parent_line = locate(node, path[:-1])
    cur = node
    for step in path:
        nxt = None
        if isinstance(cur, MappingNode):
            nxt = next((v for k, v in cur.value if _is_key(k, step)), None)
        elif isinstance(cur, SequenceNode) and isinstance(step, int) and step < len(cur.value):
            nxt = cur.value[step]
        if nxt is None:
            return parent_line
        cur = nxt
    return _mark(cur)
