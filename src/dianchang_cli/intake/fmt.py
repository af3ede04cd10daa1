"""Record files → one canonical form, comments kept: what ``dc fmt`` does.

A record file may be written by hand in any order, under any accepted spelling of its keys
(the field id, the Chinese name, an alias), indented any way.  Formatting gives every file
the form :mod:`.writer` writes:

* the keys in the type's order (:func:`~.writer.field_order`); keys that name no field stay,
  after the others, in their own order — formatting never drops anything;
* every key spelled one way: the field id (``keys="en"``) or the Chinese name (``"zh"``);
* the writer's indentation (:func:`~.writer.yaml`); values are not retyped: ruamel.yaml's
  round trip keeps each scalar as it was written, quotes included (it does normalise a few
  spellings: ``~``/``null`` become an empty value, ``True`` becomes ``true``, a plain scalar
  folded over several lines becomes one line);
* comments stay with what they describe.  ruamel.yaml hangs a comment line on whatever
  precedes it, so before reordering every comment is taken off and given to its key:

  - the file's header — the comment lines before the first key, up to the last blank line
    or the schema modeline — stays first (one blank line where it had blank lines);
  - the comment lines right above a key move with the key (blank lines between keys go);
  - an end-of-line comment stays on its line, as many spaces after the value as before;
  - inside a list or mapping value, comments stay where they are; full-line comments after
    its last item stay inside it when indented, and belong to the next key when they start
    in the first column;
  - comment lines after the last key stay last.

  Then each comment is hung again on whatever precedes it in the new order.

A file is only rewritten when this is safe: it must parse, be a mapping, name a known type
and write no field twice; and the formatted text must validate to exactly the same record
(the same typed :attr:`~..records.model.Record.fields` and the same problem codes) as the
file did.  Otherwise the file is left as it is and the problem says why, at ``file:line:col``
with the codes ``dc validate`` uses.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken
from yaml.nodes import MappingNode, Node, SequenceNode

from ..diagnostics import Problem, printable
from ..i18n import _, os_reason
from ..load.files import MAX_BYTES, Unreadable, lexically_inside, read_limited
from ..load.yamlsafe import check_encoding, load_bytes
from ..planfile.plan import Plan
from ..records.batch import default_id, discover, validate_bytes
from ..records.pii import may_hold_pii
from ..records.validate import TypeSchema, Validator
from .writer import MODELINE_MARK, KeyStyle, field_order, key_of, yaml

BOM = "\ufeff"
LISTED = 20  # problems of one file shown one by one
REFUSED = ("bad-value", "unknown-type", "missing-field")  # no mapping, or no known type
MAX_LINES = 5000  # ruamel.yaml reads ~5,000 lines or values a second; a record has dozens
_START = re.compile(r"^---[ \t]*(#.*)?$")  # an explicit document start, maybe with a comment
_COMMENT = re.compile(r"(?:^|[ \t])(#.*)$")  # where a comment may start on a line


@dataclass(frozen=True)
class FormatResult:
    """One text formatted: ``text`` (the canonical text, or ``None`` when it must be left as
    it is) and the ``problems`` that kept it from being formatted."""

    text: str | None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class FormatReport:
    """What :func:`format_files` did: the files whose text changes (written unless
    ``check``), how many were already canonical, and the files left as they are."""

    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """How many files were left untouched because of a problem."""
        return len({p.file for p in self.problems})

    def lines(self, check: bool) -> list[str]:
        """What ``dc fmt`` prints: each problem, each file changed (or that would change
        with ``check``), and one line of counts."""
        done = _("would change: {file}") if check else _("formatted: {file}")
        counts = (_("{n} files would change, {m} need no change") if check
                  else _("Formatted {n} files, {m} needed no change"))
        tail = _("; {k} left as they are (see above)").format(k=self.failed) \
            if self.problems else ""
        return [*(p.text() for p in self.problems),
                *(done.format(file=name) for name in self.changed),
                counts.format(n=len(self.changed), m=self.unchanged) + tail]


# ------------------------------------------------------------------ one text


Keys = Literal["en", "zh", "auto"]  # "auto": each file keeps the spelling most keys have


def format_text(plan: Plan, text: str, keys: Keys = "auto", *,
                validator: Validator | None = None, shown: str = "-",
                record_id: str = "-") -> FormatResult:
    """``text`` (one record file) in canonical form, or the problems that keep it as it is.

    ``shown`` is the file name problems show, ``record_id`` the id a record that names none
    gets (its path below ``records/``); both only matter for the problems.  Newlines
    (``\\r\\n`` or ``\\n``) and a byte-order mark are kept as the text has them.
    """
    validator = validator or Validator(plan)
    data = text.encode("utf-8")
    loaded = load_bytes(data, shown)
    if loaded.problem is not None:
        return FormatResult(None, [loaded.problem])
    before = validator.validate(loaded.value, loaded.node, shown, record_id,
                                scan_pii=may_hold_pii(data))
    schema = _schema_of(validator, loaded.value)
    if schema is None or _writes_twice(schema, loaded.value):
        codes = REFUSED if schema is None else ("duplicate-key",)
        errors = [p for p in before[1] if p.severity == "error"]
        return FormatResult(None, [p for p in errors if p.code in codes] or errors)
    if text.count("\n") > MAX_LINES or _nodes(loaded.node) > MAX_LINES:
        return FormatResult(None, [_not_formatted(shown, _(
            "the file has more than {n} lines or values; dc fmt leaves files that long as "
            "they are").format(n=MAX_LINES))])
    style = _style_of(schema, loaded.value) if keys == "auto" else keys
    newline = "\r\n" if "\r\n" in text else "\n"
    bom = BOM if text.startswith(BOM) else ""
    body = text.removeprefix(BOM).replace("\r\n", "\n")
    try:
        out = rewrite(plan, schema, body, style)
    except Exception as exc:  # ruamel.yaml refused what libyaml read: leave the file be
        return FormatResult(None, [_not_formatted(shown, _(
            "the file cannot be formatted: {error}").format(error=printable(str(exc))))])
    if Counter(_comments_in(body)) != Counter(_comments_in(out)):
        return FormatResult(None, [_not_formatted(shown, _(
            "formatting would lose or repeat a comment; the file is left as it is"))])
    out = bom + out.replace("\n", newline)
    after = validate_bytes(validator, out.encode("utf-8"), shown, record_id)
    if _meaning(*before) != _meaning(*after):
        return FormatResult(None, [_not_formatted(shown, _(
            "formatting would change what the record says; the file is left as it is"))])
    return FormatResult(out)


def _nodes(node: Node | None) -> int:
    """How many keys and values the file holds (counting stops past :data:`MAX_LINES`)."""
    count, pending = 0, [node] if node is not None else []
    while pending and count <= MAX_LINES:
        current = pending.pop()
        count += 1
        if isinstance(current, MappingNode):
            pending += [part for pair in current.value for part in pair]
        elif isinstance(current, SequenceNode):
            pending += current.value
    return count


def _comments_in(text: str) -> list[str]:
    """Every text that may be a comment (from a ``#`` at a line's start or after a space
    to the line's end).  A ``#`` inside a quoted value counts too: values are kept as
    written, so it is found in both texts alike."""
    return [found.group(1).rstrip() for line in text.split("\n")
            if (found := _COMMENT.search(line)) is not None]


def _not_formatted(shown: str, message: str) -> Problem:
    return Problem(shown, 1, 1, "not-formatted", message,
                   expected=_("fix the file by hand, then run dc fmt again"))


def _schema_of(validator: Validator, value: Any) -> TypeSchema | None:
    """The type of a record value (by any spelling of the type key and the type), or None."""
    return validator.type_of(value)[1] if isinstance(value, dict) else None


def _style_of(schema: TypeSchema, value: dict[Any, Any]) -> KeyStyle:
    """``zh`` when more of a record's keys are written as Chinese names than as ids: a file
    a secretary wrote (or ``dc new`` wrote) in Chinese stays Chinese."""
    known = [k for k in value if isinstance(k, str) and k in schema.keys]
    chinese = sum(1 for k in known if schema.keys[k] != k)
    return "zh" if chinese * 2 > len(known) else "en"


def _writes_twice(schema: TypeSchema, value: dict[Any, Any]) -> bool:
    """Whether two keys of the record spell the same field (formatting would merge them)."""
    names = [schema.keys[k] for k in value if isinstance(k, str) and k in schema.keys]
    return len(names) != len(set(names))


def _meaning(record: Any, problems: Sequence[Problem]) -> tuple[Any, ...]:
    """What must not change: the typed fields and id, and the problem codes in order."""
    typed = (record.id, record.fields) if record is not None else None
    return typed, sorted(p.code for p in problems)


# ------------------------------------------------------------------ the rewrite


@dataclass
class _Comments:
    """The comments of a record taken off its keys: header, per key, and after the last."""

    header: list[str] = field(default_factory=list)
    above: dict[Any, list[str]] = field(default_factory=dict)
    eol: dict[Any, CommentToken | None] = field(default_factory=dict)
    trailer: list[str] = field(default_factory=list)


def rewrite(plan: Plan, schema: TypeSchema, body: str, keys: KeyStyle) -> str:
    """The canonical text of ``body`` (``\\n`` newlines, no byte-order mark), a record of
    ``schema``'s type; raises whatever ruamel.yaml raises on text it cannot read."""
    rt = yaml()
    rt.preserve_quotes = True
    prefix, body = _document_start(body)
    doc = rt.load(body)
    if not isinstance(doc, CommentedMap):
        raise ValueError(_("a record must be a mapping of fields"))
    comments = _harvest(doc, body.split("\n"))
    comments.header = prefix + comments.header
    out = CommentedMap()
    for old, new in _key_plan(plan, schema, doc, keys):
        _hang_above(out, comments.above.get(old, []))
        out[new] = doc[old]
        eol = comments.eol.get(old)
        if eol is not None:
            out.ca.items.setdefault(new, [None, None, None, None])[2] = eol
    _hang_above(out, comments.trailer)
    start = out.ca.comment[1] if out.ca.comment else []
    if comments.header or start:
        out.ca.comment = [None, [_line_token(line) for line in comments.header] + start]
    buf = io.StringIO()
    rt.dump(out, buf)
    return buf.getvalue()


def _document_start(body: str) -> tuple[list[str], str]:
    """An explicit ``---`` that only comments precede: (those comments, the text after it).
    ruamel.yaml drops comments before ``---``; the canonical form has no ``---``."""
    lines = body.split("\n")
    for i, line in enumerate(lines):
        start = _START.match(line)
        if start is not None:
            after = [start.group(1)] if start.group(1) else []
            return [*(text.rstrip() for text in lines[:i]), *after], "\n".join(lines[i + 1:])
        if line.strip() and not line.lstrip().startswith("#"):
            break
    return [], body


def _key_plan(plan: Plan, schema: TypeSchema, doc: CommentedMap, keys: KeyStyle
              ) -> list[tuple[Any, Any]]:
    """``(key as written, key to write)`` in the canonical order; unknown keys last, as
    they are."""
    written = {schema.keys[k]: k for k in doc if isinstance(k, str) and k in schema.keys}
    type_id = schema.type.id
    known = [(written[name], key_of(plan, type_id, name, keys))
             for name in field_order(plan, type_id) if name in written]
    taken = set(written.values())
    return [*known, *((k, k) for k in doc if k not in taken)]


def _harvest(doc: CommentedMap, lines: list[str]) -> _Comments:
    """Take every comment off the top level of ``doc`` and give it to its key."""
    found = _Comments()
    start = doc.ca.comment[1] if doc.ca.comment and len(doc.ca.comment) > 1 else None
    found.header, pending = _split_header(_token_lines(start))
    doc.ca.comment = None
    for key in list(doc):
        item = doc.ca.items.pop(key, None) or [None, None, None, None]
        value = doc[key]
        pending += _full_lines(_token_lines(item[1]))
        found.above[key] = pending
        pending = []
        eol, rest = _split_eol(item[0], lines)  # between a key and its colon: rare
        pending += [eol.value.strip()] if eol is not None else []
        pending += _full_lines(rest)
        if not (isinstance(value, CommentedMap | CommentedSeq) and value.ca.comment):
            pending += _full_lines(_token_lines(item[3]))  # else the value holds them too
        found.eol[key], rest = _key_line(item[2], value, lines)
        pending += rest
        pending += _tail_out(value, lines)
        _regap(value, lines)
    end = getattr(doc.ca, "end", None)
    found.trailer = pending + _full_lines(_token_lines(end))
    return found


def _key_line(token: Any, value: Any, lines: list[str]
              ) -> tuple[CommentToken | None, list[str]]:
    """The comment on a key's own line, and the full lines after it that leave with the
    key's predecessor.  Above a list's or mapping's first item those lines belong to the
    value: they stay, as written."""
    eol, rest = _split_eol(token, lines)
    if _last_slot(value) is None:
        return eol, _full_lines(rest)
    kept = "".join(f"{line}\n" for line in rest if line.strip())
    if not kept:
        return eol, []
    if eol is None:
        return CommentToken("\n" + kept, CommentMark(0)), []
    eol.value += kept
    return eol, []


def _token_lines(tokens: Any) -> list[str]:
    """The text lines of a comment token or a list of them (``None``: none)."""
    if tokens is None:
        return []
    if not isinstance(tokens, list):
        tokens = [tokens]
    out: list[str] = []
    for token in tokens:
        if isinstance(token, CommentToken):
            out += token.value.removesuffix("\n").split("\n")
    return out


def _full_lines(lines: Iterable[str]) -> list[str]:
    """Comment lines as they go above a top-level key: unindented, blank lines dropped."""
    return [line.strip() for line in lines if line.strip()]


def _split_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """The comment lines before the first key → (the file's header, the first key's own):
    the header runs to the last blank line or schema modeline."""
    cut = 0
    for i, line in enumerate(lines):
        if not line.strip() or MODELINE_MARK in line:
            cut = i + 1
    header: list[str] = []
    for line in lines[:cut]:  # no blank line first, nor two in a row
        if line.strip() or (header and header[-1]):
            header.append(line.rstrip())
    return header, _full_lines(lines[cut:])


def _split_eol(token: Any, lines: list[str]) -> tuple[CommentToken | None, list[str]]:
    """A comment token → (its end-of-line comment as a token, or None; the full lines after).

    A comment is at the end of a line when text stands before it on its line."""
    if not isinstance(token, CommentToken):
        return None, _token_lines(token)
    first, *rest = token.value.removesuffix("\n").split("\n")
    if not first.strip():
        return None, rest
    mark = token.start_mark
    line, column = getattr(mark, "line", -1), getattr(mark, "column", 0)
    before = lines[line][:column] if 0 <= line < len(lines) else ""
    if not before.strip():
        return None, [first, *rest]
    # The writer puts one space before the comment: the others are written with it, so the
    # gap stays what it was wherever the value lands (a column would not: keys change).
    gap = max(len(before) - len(before.rstrip()), 1)
    return CommentToken(" " * (gap - 1) + first.strip() + "\n", CommentMark(0)), rest


def _last_slot(value: Any) -> tuple[Any, Any, int] | None:
    """``(comments, key, slot)`` of the comment after a block list's or mapping's last item
    (at any depth), or None for a scalar, a flow collection or an empty one."""
    if not isinstance(value, CommentedMap | CommentedSeq) or not value \
            or value.fa.flow_style():
        return None
    last: Any = next(reversed(value)) if isinstance(value, CommentedMap) else len(value) - 1
    deeper = _last_slot(value[last])
    if deeper is not None:
        return deeper
    return value.ca, last, 0 if isinstance(value, CommentedSeq) else 2


def _tail_out(value: Any, lines: list[str]) -> list[str]:
    """Take the full-line comments after a block value's last item off it, except the
    indented ones right after the item (they describe the value), and return them."""
    where = _last_slot(value)
    if where is None:
        return []
    ca, key, slot = where
    item = ca.items.get(key)
    if not item or not isinstance(item[slot], CommentToken):
        return []
    eol, rest = _split_eol(item[slot], lines)
    kept: list[str] = []
    while rest and (not rest[0].strip() or rest[0][:1].isspace()):
        kept.append(rest.pop(0))
    kept = [line for line in kept if line.strip()]
    text = (eol.value if eol is not None else "\n") + "".join(f"{k}\n" for k in kept)
    item[slot] = (eol or CommentToken(text, CommentMark(0))) if text.strip() else None
    if eol is not None:
        eol.value = text
    return _full_lines(rest)


def _regap(value: Any, lines: list[str]) -> None:
    """Give every end-of-line comment inside a list or mapping value its gap instead of its
    column (see :func:`_split_eol`); full-line comments inside stay as they are."""
    if not isinstance(value, CommentedMap | CommentedSeq):
        return
    slot = 2 if isinstance(value, CommentedMap) else 0
    for item in value.ca.items.values():
        token = item[slot] if len(item) > slot else None
        if isinstance(token, CommentToken) and hasattr(token.start_mark, "line"):
            eol, rest = _split_eol(token, lines)
            if eol is not None:
                eol.value += "".join(f"{line}\n" for line in rest)
                item[slot] = eol
    for child in value.values() if isinstance(value, CommentedMap) else value:
        _regap(child, lines)


def _line_token(line: str) -> CommentToken:
    return CommentToken(f"{line}\n", CommentMark(0))


def _hang_above(out: CommentedMap, lines: list[str]) -> None:
    """Hang comment lines after the last key written so far (so they come before the next
    key): on the deepest last item of a block value, else on the key itself; before any
    key, at the start of the document."""
    if not lines:
        return
    text = "".join(f"{line}\n" for line in lines)
    if not out:
        start = out.ca.comment[1] if out.ca.comment else []
        out.ca.comment = [None, [*start, *(_line_token(line) for line in lines)]]
        return
    key = next(reversed(out))
    where = _last_slot(out[key]) or (out.ca, key, 2)
    ca, at, slot = where
    item = ca.items.setdefault(at, [None, None, None, None])
    token = item[slot]
    if isinstance(token, CommentToken):
        token.value = token.value.removesuffix("\n") + "\n" + text
    else:
        item[slot] = CommentToken("\n" + text, CommentMark(0))


# ------------------------------------------------------------------ files


def _shown(path: Path, root: Path) -> str:
    """The name problems and lists show: below the repository when it is (as written,
    no symlink followed), else as given; control characters escaped."""
    try:
        text = Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        text = path.as_posix()
    return text if text.isprintable() else printable(text)


def expand(paths: Iterable[Path]) -> list[Path]:
    """The files named: a folder stands for every ``*.yaml``/``*.yml`` below it."""
    out: list[Path] = []
    for path in paths:
        out += discover(path) if path.is_dir() else [path]
    return list(dict.fromkeys(out))


def format_file(plan: Plan, path: Path, root: Path, records_dir: Path, keys: Keys,
                validator: Validator) -> tuple[bytes | None, bytes | None, list[Problem]]:
    """One file → (its bytes, the formatted bytes, problems); ``None`` bytes when it cannot
    be read or formatted.  Read like ``dc validate`` reads a named file."""
    shown = _shown(path, root)
    fence = next((base for base in (root, records_dir) if lexically_inside(path, base)), None)
    try:
        data = read_limited(path, fence, MAX_BYTES, strict=True)
    except Unreadable as bad:
        return None, None, [Problem(shown, 0, 0, bad.code, bad.message, expected=bad.expected)]
    refused = check_encoding(data, shown)
    if refused is not None and refused.problem is not None:
        return data, None, [refused.problem]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data, None, [load_bytes(data, shown).problem or _not_formatted(
            shown, _("the file is not UTF-8 text"))]
    result = format_text(plan, text, keys, validator=validator, shown=shown,
                         record_id=default_id(path, records_dir))
    return data, None if result.text is None else result.text.encode("utf-8"), \
        result.problems


def format_files(plan: Plan, paths: Sequence[Path], root: Path, records_dir: Path,
                 keys: Keys = "auto", check: bool = False) -> FormatReport:
    """Format every file named (folders: every record file below); with ``check`` write
    nothing.  A file is written (atomically, in its own folder) only when its text changes;
    a file with a problem is left as it is and the others are still formatted."""
    from ..render.atomic import write_bytes

    validator = Validator(plan)
    report = FormatReport()
    for path in expand(paths):
        old, new, problems = format_file(plan, path, root, records_dir, keys, validator)
        if new is None or old is None:
            report.problems += problems[:LISTED]
            continue
        if new == old:
            report.unchanged += 1
            continue
        shown = _shown(path, root)
        if not check:
            try:  # through a symlink (read_limited let it be read) to the file it names
                write_bytes(Path(os.path.realpath(path)), new)
            except OSError as exc:
                report.problems.append(Problem(shown, 0, 0, "unwritable", _(
                    "the file cannot be written: {error}").format(
                    error=printable(os_reason(exc)))))
                continue
        report.changed.append(shown)
    return report
