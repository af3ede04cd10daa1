"""A fast parse for the common record file, taken only where it is certain to agree with libyaml.

:func:`~.yamlsafe.load_bytes` (libyaml compose, then :func:`~.yamlsafe.build`) spends ~24 µs
on a 550-byte record, most of it making a node tree that is needed only to place problems.
:func:`fast_load` parses with ``yaml-rs`` (a Rust YAML 1.2 parser, ~5 µs) and, with the
checks below, takes ~15 µs; it returns the value and the line of each top-level key, or
``None`` whenever it cannot be *sure* the value equals what :func:`~.yamlsafe.load_bytes`
gives.  ``None`` is never an error: the caller takes the libyaml path, which reports every
problem at its place.

How certainty is reached, cheapest test first:

1. **Bytes** — at most :data:`MAX_FAST_BYTES`, strict UTF-8 (a leading UTF-8 byte-order mark
   is dropped, as libyaml does; CR LF line ends read as LF), and only ordinary characters:
   no tab, lone carriage return, NUL or other control character, nor the line separators
   YAML 1.1 and 1.2 disagree on (U+0085, U+2028, U+2029).
2. **Shape** — no directive or document marker (``%``, ``---``, ``...`` at a line start);
   no token that starts with an anchor, alias, tag, flow or explicit-key indicator
   (``& * ! [ { ? @ ` % :``); no quoted key glued to its ``:``; no line indented 31 columns
   or more (``yaml-rs`` recurses per level and would crash the process on thousands).
3. **Flat** — most records are nothing but ``key: value`` lines (and whole-line comments,
   blank lines).  Such a file is read line by line (:func:`_flat`), no parser needed: each
   line's key, then its value — a plain scalar typed by dc's rules
   (:func:`~.yamlsafe.resolve_plain`, as libyaml's path types it), or a one-line quoted
   scalar without escapes.  A line it is unsure of (a value starting with an indicator,
   ``: `` inside a plain value, a comment after a quoted one …) sends the file on to step 4;
   so does a duplicate key.  Steps 4 to 6 are for the other files (lists, nested fields).
4. **Parse** — ``yaml-rs`` with duplicate keys an error; the top level must be a mapping.
5. **Typing** — dc types scalars by the YAML 1.2 core schema (:func:`~.yamlsafe.resolve_plain`),
   ``yaml-rs`` by its own rules (``0123`` is 123 there, ``1_000`` is 1000, ``0X1F`` is 31).
   Every plain scalar that fills the rest of its line (after ``key:``, ``- `` or the
   indent) is typed by dc's rules; a non-text one must be in a form both agree on
   (:data:`_AGREED`).  The numbers and bools so found must be, as a multiset, exactly
   those ``yaml-rs`` built (null is left out: an empty value has no token, and both read
   ``~``/``null``/``Null``/``NULL``/empty alike); and text ``yaml-rs`` built that dc would
   read as a number, bool or null if plain (``rule: "17.1"``) must be found in quotes.
   So a scalar typed differently, or one the scan did not see, makes the two disagree, and
   the file goes the slow way.
6. **Keys** — every key must be non-empty text; the ``": "`` and ``":\\n"`` in the text must
   number exactly the keys in the value, at every depth (each key line has one; any other,
   in a comment or quoted text, only sends the file the slow way), so a duplicate can never
   vanish; and the column-0 keys must be the top-level keys, in order: their lines are the
   key lines.

What was weighed (``bench/parsers.py`` on 10,000 generated records, one process):
reading a flat file line by line (steps 1 to 3, a line seen before answered from a memo)
takes ~5 µs, against ~20 µs for steps 4 to 6 on a file with a list; libyaml as dc uses it
0.23 s, :func:`fast_load` 0.07 s (96 % flat files); the parsers alone: ``yaml-rs``
0.05 s; ``ryaml`` (on serde_yaml, itself no longer maintained) 0.09 s, and its last release
has no Linux wheels; ``rapidyaml`` parses fast, but reading its tree from Python costs a call
per node: 0.25 s, no gain, and it lacks macOS-x86_64 (3.12+) and musl wheels.  ``yaml-rs``
(23 releases since 0.0.1, the last in 2026, one maintainer: a bus factor of one, hence the
version cap and this module's "refuse when unsure" design) has wheels for Windows, macOS
(x86_64, arm64) and Linux (glibc and musl, x86_64 and aarch64) for CPython 3.11–3.13.
Where it cannot be imported, :data:`AVAILABLE` is False and every file that is not flat
takes the libyaml path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .yamlsafe import MAX_DEPTH, SPECIAL_FIRST, resolve_plain

try:  # an optional speed-up: dc is complete without it
    import yaml_rs as _yaml_rs
except ImportError:  # pragma: no cover - depends on the platform's wheels
    _yaml_rs = None

AVAILABLE = _yaml_rs is not None
MAX_FAST_BYTES = 256 * 1024  # records are ~0.5 KiB; anything larger is not the common case
_BOM = b"\xef\xbb\xbf"

# Characters outside the plain set (step 1): controls, tab, CR, DEL, C1, the YAML 1.1 line
# breaks, a byte-order mark inside the text, non-characters.
_ODD_CHAR = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                       "\U00010000-\U0010ffff]")
# Step 2 runs on "\n" + text + "\n", so every line starts after a "\n".  Each pattern starts
# with one literal character: the regex engine then skips ahead instead of trying every
# position (a character class there makes a pattern ten times slower on Chinese text).
_ODD_LINE = re.compile(r"\n(?:---|\.\.\.|%|[ -]{31}|[&*!\[{?@`%:])")  # marks, directives, deep
_ODD_WORD = re.compile(r" [&*!\[{?@`%:]")  # a token starting with an indicator
_GLUED_KEY = re.compile(r"[\"']:[^ \n]")  # "key":value is a key in YAML 1.2, not in libyaml
# A plain scalar dc may read as non-text that fills the rest of its line (up to a comment):
# after 'key: ', or at a line start after the indent and any '- ' markers.  (A token after
# other words is part of a longer scalar, text for both parsers; one after ': ' elsewhere,
# in a comment say, is counted too, which only sends the file the slow way.)
_TOKEN = r"([~nNtTfF+.0-9-][^ \n]*)(?=(?: +#[^\n]*)? *\n)"
_WHOLE_TOKENS = (re.compile(": +" + _TOKEN), re.compile(r"\n *(?:- +)*" + _TOKEN))
# Each line's top-level key ('' for any other line): a plain word at column 0, then ':' and
# a space or the line's end.
_TOP_KEY = re.compile(r"\n([^ \n#\-\"'][^:\n]*(?=:[ \n]))?")
# Non-text scalars written the way both parsers read alike (checked by tests/test_fastyaml).
_AGREED = re.compile(r"""
    ~|null|Null|NULL|true|True|TRUE|false|False|FALSE
  | [-+]?(?:0|[1-9][0-9]{0,39})                     # decimal int, no leading zero
  | 0o[0-7]{1,20} | 0x[0-9a-fA-F]{1,16}
  | [-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]{0,39})\.[0-9]*)(?:[eE][-+]?[0-9]{1,4})?
  | [-+]?(?:0|[1-9][0-9]{0,39})[eE][-+]?[0-9]{1,4}
  | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
""", re.X)
_BIG = 10 ** 40  # an int beyond what _AGREED lets through


@dataclass(frozen=True, slots=True)
class FastLoaded:
    """A file parsed the fast way: its mapping and the line of each top-level key, in order."""

    value: dict[str, Any]
    key_lines: tuple[int, ...]


def _decoded(data: bytes) -> str | None:
    """Step 1 on the bytes: their text (no byte-order mark, CR LF read as LF), or None when
    they are too many or not strict UTF-8."""
    if len(data) > MAX_FAST_BYTES:
        return None
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in text:  # Windows line ends (git's autocrlf): one line break each, as for libyaml
        text = text.replace("\r\n", "\n")
    return text


def _scan(text: str) -> str | None:
    """Steps 1 and 2 on ``text`` (a whole file, or one line of it: every test here looks
    within one line): ``"\\n" + text + "\\n"``, or None for anything unusual."""
    if _ODD_CHAR.search(text):
        return None
    scan = f"\n{text}\n"
    if _ODD_WORD.search(scan) or _ODD_LINE.search(scan):
        return None
    if ('":' in text or "':" in text) and _GLUED_KEY.search(text):
        return None
    return scan


_TEXT_SEEN: dict[str, Any] = {}  # text → whether dc reads it as text (keys, dates repeat)
_TEXT_SEEN_MAX = 1 << 16


def _is_text(text: str) -> bool:
    """Whether dc reads ``text``, written plain, as text (not a number, bool or null)."""
    known = _TEXT_SEEN.get(text)
    if known is None:
        known = _remember(_TEXT_SEEN, text, resolve_plain(text).__class__ is str)
    return known  # type: ignore[return-value]  # a bool in this table


def _remember(table: dict[str, Any], key: str, value: Any, most: int = _TEXT_SEEN_MAX) -> Any:
    """``table[key] = value`` in a memo of at most ``most`` entries (emptied when full: the
    same few keys, dates and tokens recur)."""
    if len(table) >= most:
        table.clear()
    table[key] = value
    return value


class _Refuse(Exception):
    """The value is not certain to equal libyaml's: take the slow path."""


Leaf = tuple[str, str]  # a number or bool as compared: its type's name and repr (nan is nan)


def _walk(value: Any, depth: int, found: list[Leaf], quoted: list[str]) -> int:
    """Count keys and collect number and bool leaves, and text that dc
    would read as one if it were plain (``quoted``: it must be seen in quotes); refuse
    what dc reads apart."""
    if depth > MAX_DEPTH:
        raise _Refuse
    cls = value.__class__
    if cls is str:
        if value and value[0] in _LOOKED_AT:
            _text_leaf(value, quoted)
        return 0
    if cls is dict:
        keys = len(value)
        for key, item in value.items():
            if key.__class__ is not str or not key or (
                    key[0] in SPECIAL_FIRST and not _is_text(key)):
                raise _Refuse
            if item.__class__ is str:  # the common leaf, without a call
                if item and item[0] in _LOOKED_AT:
                    _text_leaf(item, quoted)
            else:
                keys += _walk(item, depth + 1, found, quoted)
        return keys
    if cls is list:
        return sum(_walk(item, depth + 1, found, quoted) for item in value)
    if value is None:
        return 0  # an empty value has no token to scan; null is read alike (see _scanned)
    if cls is int and not -_BIG < value < _BIG:
        raise _Refuse  # dc keeps a 65-digit "number" as text; yaml-rs may not
    if cls is int or cls is float or cls is bool:
        found.append((cls.__name__, repr(value)))
        return 0
    raise _Refuse  # a date, bytes …: not a value libyaml's path builds here


_LOOKED_AT = SPECIAL_FIRST | {"\n"}  # first characters of text _text_leaf looks at


def _text_leaf(text: str, quoted: list[str]) -> None:
    """Text ``yaml-rs`` built that dc would read as a number (or bool, null) if plain goes
    to ``quoted``; text starting with a line break is refused: an empty block scalar
    (``summary: |``) is ``"\\n"`` for yaml-rs and ``""`` for libyaml."""
    if text[0] == "\n":
        raise _Refuse
    if not _is_text(text):
        quoted.append(text)


def _scanned(scan: str) -> list[Leaf] | None:
    """The numbers and bools, by dc's rules, of the plain scalars that fill the rest of their
    line, sorted; None when one is written in a form the two parsers may read apart."""
    found: list[Leaf] = []
    for pattern in _WHOLE_TOKENS:
        for token in pattern.findall(scan):
            leaf = _TOKEN_SEEN.get(token, _UNSEEN)
            if leaf is _UNSEEN:
                leaf = _remember(_TOKEN_SEEN, token, _token_leaf(token))
            if leaf is _REFUSED:
                return None
            if leaf is not None:
                found.append(leaf)  # type: ignore[arg-type]  # a Leaf here
    found.sort()
    return found


_UNSEEN, _REFUSED = object(), object()
_TOKEN_SEEN: dict[str, Any] = {}  # token → its Leaf, None (text, null) or _REFUSED


def _token_leaf(token: str) -> object:
    """One whole-line plain token: its Leaf if dc reads a number or bool, None for text or
    null, :data:`_REFUSED` for a non-text form the two parsers may read apart."""
    value = resolve_plain(token)
    if value.__class__ is str or value is None:
        return None  # null (~, null, Null, NULL, empty) is the core schema's in both
    if not _AGREED.fullmatch(token):
        return _REFUSED
    return value.__class__.__name__, repr(value)


_FIRST_LINES = [tuple(range(1, n + 1)) for n in range(64)]  # (1, …, n): one object each


def _first_lines(count: int) -> tuple[int, ...]:
    """The lines ``1`` to ``count``: a file with a top-level key on each."""
    return _FIRST_LINES[count] if count < len(_FIRST_LINES) else tuple(range(1, count + 1))


def _top_lines(scan: str, value: dict[str, Any]) -> tuple[int, ...] | None:
    """The line of each top-level key, or None unless the column-0 keys are exactly the
    value's keys in order (a plain key is its own text; " :" was refused, so no key here
    ends in a space).

    A file of as many lines as top-level keys (the usual record: one ``key: value`` a
    line) needs no looking: each key of a block mapping starts a line of its own, so key
    *i* is on line *i*."""
    lines = scan.count("\n") - (2 if scan.endswith("\n\n") else 1)
    if lines == len(value):
        return _first_lines(lines)
    found = _TOP_KEY.findall(scan)  # one entry a line (and one for the final "\n")
    if [key for key in found if key] != list(value):
        return None
    return tuple(line for line, key in enumerate(found, 1) if key)


# Step 3: a line of a flat file — a key (a plain word of at most 128 characters — libyaml
# takes at most 1024 — with no indicator first, no '#' or ':' in it, no space before its
# ':') and the rest of the line, or a comment, or nothing.
_FLAT_LINE = re.compile(r"([^\s#'\"\-?:,\[\]{}|>!&*%@`][^\n:#]{0,127})(?<! ):(?: +([^\n]*))?"
                        r"|#[^\n]*|")
_NOT_FIRST = frozenset(",[]{}#&*!|>%@`'\"")  # indicators no plain scalar starts with
_SPACE_AFTER = frozenset("-?:")  # … nor these before a space (or alone)
_CAREFUL = _NOT_FIRST | _SPACE_AFTER | SPECIAL_FIRST  # a value so started: see _scalar


def _flat(text: str) -> FastLoaded | None:
    """Step 3 (with steps 1 and 2, line by line): a file of ``key: value`` lines, comments
    and blank lines only; None when any line is otherwise, or any value or key is not surely
    read as libyaml reads it.

    Each line is read on its own (:func:`_flat_line`), and most lines recur from file to
    file (``unit: c008``, ``location: 社区活动室``, a date, a count): a line read before
    is answered from :data:`_LINE_SEEN`, its key and value objects shared."""
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()  # the "" after a final line break: no line of the file
    value: dict[str, Any] = {}
    keys = 0
    at: list[int] | None = None  # the key lines, once some line is not one
    seen = _LINE_SEEN.get
    for i, line in enumerate(lines, 1):
        read = seen(line, _UNSEEN)
        if read is _UNSEEN:
            read = _flat_line(line)
            if len(line) <= _LINE_SEEN_LONGEST:
                _remember(_LINE_SEEN, line, read, _LINE_SEEN_MAX)
        if read is None:  # a comment or a blank line
            if at is None:
                at = list(range(1, i))
            continue
        if read is _REFUSED:
            return None
        value[read[0]] = read[1]  # type: ignore[index]  # a (key, value) pair here
        keys += 1
        if at is not None:
            at.append(i)
    if not keys or len(value) != keys:  # nothing, or a key twice
        return None
    return FastLoaded(value, _first_lines(keys) if at is None else tuple(at))


def _flat_line(line: str) -> tuple[str, Any] | object | None:
    """One line of a flat file: its key and value, ``None`` for a comment or a blank line,
    :data:`_REFUSED` for any other line, an unusual one (:func:`_scan`), or a key or value
    not surely read as libyaml reads it."""
    found = _FLAT_LINE.fullmatch(line)
    if found is None or _scan(line) is None:
        return _REFUSED
    key, written = found.groups()
    if key is None:
        return None
    if key[0] in SPECIAL_FIRST and not _is_text(key):
        return _REFUSED  # a key dc reads as a number, bool or null
    if not written:
        return key, None
    if written[0] not in _CAREFUL and " #" not in written and ": " not in written \
            and written[-1] != " " and written[-1] != ":":
        return key, written  # plain text, all of it: the usual value
    read = _scalar(written)
    return _REFUSED if read is _REFUSED else (key, read)


_LINE_SEEN: dict[str, Any] = {}  # a line of a flat file → what _flat_line made of it
_LINE_SEEN_MAX = 1 << 13  # lines remembered …
_LINE_SEEN_LONGEST = 200  # … of at most this many characters: ~10 MB at most, in a process


def _scalar(written: str) -> Any:
    """The value of the rest of a ``key: `` line, or :data:`_REFUSED`."""
    first = written[0]
    if first == "'" or first == '"':  # one-line quoted text, nothing after it
        quoted = written.rstrip(" ")
        inner = quoted[1:-1]
        if len(quoted) < 2 or quoted[-1] != first:
            return _REFUSED
        if first == "'":
            return inner.replace("''", "'") if "'" not in inner.replace("''", "") \
                else _REFUSED
        return inner if '"' not in inner and "\\" not in inner else _REFUSED
    cut = written.find(" #")  # a comment after a plain scalar
    plain = (written if cut < 0 else written[:cut]).rstrip(" ")
    if not plain or plain[0] in _NOT_FIRST or ": " in plain or plain[-1] == ":" or (
            plain[0] in _SPACE_AFTER and (len(plain) == 1 or plain[1] == " ")):
        return _REFUSED  # '#' first is a comment: no value (left to yaml-rs to say)
    if plain[0] not in SPECIAL_FIRST:
        return plain  # text by every rule: no number, bool or null starts so
    return resolve_plain(plain)  # (a line read again is answered by _LINE_SEEN)


def fast_load(data: bytes) -> FastLoaded | None:
    """The mapping in ``data`` and its top-level key lines, when certain to equal
    ``load_bytes(data, …).value``; else None (see the module's steps)."""
    text = _decoded(data)
    if text is None:
        return None
    flat = _flat(text)
    if flat is not None:
        return flat
    scan = _scan(text)
    if scan is None or _yaml_rs is None:
        return None
    try:
        value = _yaml_rs.loads(scan[1:-1], parse_datetime=False)
    except BaseException as exc:  # a parse error, or a panic in the extension
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return None
    if value.__class__ is not dict:
        return None
    leaves: list[Leaf] = []
    quoted: list[str] = []
    try:
        keys = _walk(value, 1, leaves, quoted)
    except (_Refuse, RecursionError):
        return None
    if any(f'"{q}"' not in scan and f"'{q}'" not in scan for q in quoted):
        return None  # text that looks like a number must be seen written in quotes
    leaves.sort()
    if keys != scan.count(": ") + scan.count(":\n") or _scanned(scan) != leaves:
        return None
    lines = _top_lines(scan, value)
    return FastLoaded(value, lines) if lines is not None else None
