"""Bytes → YAML nodes → plain Python values, with libyaml speed and none of YAML 1.1's traps.

* libyaml parses (``yaml.CSafeLoader``); a build without it is refused, being 7× slower.
* Scalars resolve by the YAML 1.2 *core* schema: ``10:05`` stays the text ``"10:05"`` (never
  605), ``no``/``on`` stay text, ``0123`` stays text, dates stay text for validation to parse.
* A duplicated key is a problem at the second key's line, not a silent overwrite.
* Aliases, deep nesting, files over 1 MiB, several documents and non-UTF-8 bytes are each a
  clear problem with bounded cost.

The composed node tree is returned beside the value, so a later stage can turn a field path
into ``line:column`` without parsing the file again (see :func:`locate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import Problem
from ..i18n import _

if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover - depends on the build
    raise ImportError("dc needs PyYAML built with libyaml (yaml.CSafeLoader); reinstall PyYAML")

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
_BOMS_OTHER = (b"\xff\xfe", b"\xfe\xff")


class StrictLoader(yaml.CSafeLoader):
    """CSafeLoader with YAML 1.2 core scalars and duplicate-key detection."""

    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):  # only walk the keys when something collided
            seen: dict[Any, Node] = {}
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise DuplicateKey(key, seen[key], key_node)
                seen[key] = key_node
        return mapping


def _core(tag: str, pattern: str, first: str) -> None:
    StrictLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_core("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])
_core("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_core("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$",
      "-+0123456789")
_core("tag:yaml.org,2002:float",
      r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
      r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789.")


def _int(loader: StrictLoader, node: ScalarNode) -> int:
    text = node.value
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


StrictLoader.add_constructor("tag:yaml.org,2002:int", _int)


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


def check_encoding(data: bytes, file: str) -> Loaded | None:
    """UTF-8, with or without BOM, is accepted; anything else is an ``encoding`` problem."""
    if data.startswith(_BOMS_OTHER):
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


def _depth_or_alias(root: Node, check_alias: bool) -> tuple[str, Node] | None:
    """Walk the tree once (iteratively): too deep, or a node reached twice (an alias)."""
    seen: set[int] = set()
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "too-deep", node
        if check_alias and not isinstance(node, ScalarNode):
            if id(node) in seen:
                return "alias", node
            seen.add(id(node))
        if isinstance(node, MappingNode):
            for k, v in node.value:
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return None


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
        found = _depth_or_alias(node, check_alias=False)
        if found:
            line, col = _mark(found[1])
            return _problem(file, "too-deep", _("the data is nested too deeply"), line, col,
                            expected=_("at most {n} levels").format(n=MAX_DEPTH))
        value = loader.construct_document(node)
    except DuplicateKey as dup:
        line, col = _mark(dup.second)
        first = dup.first.start_mark.line + 1
        return _problem(file, "duplicate-key",
                        _("key '{key}' appears twice (first on line {first})").format(
                            key=dup.key, first=first), line, col,
                        expected=_("each key once"))
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "single document" in str(exc.context or ""):
            return _problem(file, "multiple-documents",
                            _("the file holds more than one YAML document"), line, col,
                            expected=_("one record per file, without '---' separators"))
        return _problem(file, "yaml-syntax", str(exc.problem or exc), line, col)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(x for x in (exc.context, exc.problem) if x)
        return _problem(file, "yaml-syntax", _("YAML syntax error: {detail}").format(detail=detail),
                        line, col, expected=_("valid YAML: 'key: value' lines, two-space indents"))
    except yaml.YAMLError as exc:
        return _problem(file, "yaml-syntax", _("YAML syntax error: {detail}").format(detail=exc))
    except (RecursionError, MemoryError):
        return _problem(file, "too-deep", _("the data is nested too deeply"))
    finally:
        loader.dispose()
    return Loaded(value=value, node=node)


def _has_alias_events(data: bytes) -> bool:
    """True when the document uses an alias; only asked when the bytes contain ``*`` and ``&``."""
    return any(isinstance(ev, yaml.AliasEvent) for ev in yaml.parse(data, Loader=yaml.CSafeLoader))


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
                if isinstance(key_node, ScalarNode) and key_node.value == str(step):
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
            nxt = next((v for k, v in cur.value
                        if isinstance(k, ScalarNode) and k.value == str(step)), None)
        elif isinstance(cur, SequenceNode) and isinstance(step, int) and step < len(cur.value):
            nxt = cur.value[step]
        if nxt is None:
            return parent_line
        cur = nxt
    return _mark(cur)
