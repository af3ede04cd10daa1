"""Records track work, not residents: find resident ID-card and mobile numbers in any field.

* ID card (GB 11643-1999): 17 digits and a check character (0-9 or X) whose ISO 7064
  MOD 11-2 checksum is right — the contract (``records.md`` §4) asks nothing more, so a
  number with an impossible birth date is caught too.
* Mobile: 11 digits beginning 1[3-9], not inside a longer number; a ``+86``, ``0086`` or
  ``86`` country prefix in front of it is allowed.

People do not write numbers the way a regular expression expects, so the text is
normalised first:

1. NFKC: full-width digits (``１３８``) become ASCII, the ideographic space (U+3000) and
   no-break spaces become spaces, full-width dashes and dots become ASCII ones.
2. Every other digit character (Arabic-Indic, circled and dingbat digits …) becomes its
   ASCII digit.
3. A *run* is digit groups joined by at most three separator characters (spaces,
   dashes, dots, slashes, underscores, brackets, colons, commas, 、, tildes, asterisks,
   middle dots, invisible format characters): ``(138)1234-5678`` and ``138、1234、5678``
   are numbers written down, whatever stands between the groups.  A number
   is found when it starts at the beginning of a group and ends at the end of one, so
   ``138 1234 5678`` and ``+86-138-1234-5678`` are mobiles while the digits of
   ``2023-05-12 10:05`` or ``BJ-2023-0412-07`` never line up into one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Characters that may stand between the digits of one number (after NFKC).
_SEPARATORS = (r"\s\-./_()\[\],~*\u3001\u3010\u3011\u00b7\u2022\u2027\u2043\u30fb\u2010-\u2015"
               r"\u2212\ufe58\ufe63\u00ad\u034f\u180e\u200b-\u200f\u2060-\u2064\ufeff")
_SEP = f"[{_SEPARATORS}:]"
_RUN = re.compile(rf"[0-9]++(?:{_SEP}{{1,3}}+[0-9]++)*+(?:{_SEP}{{0,3}}+[Xx])?")
_GROUP = re.compile(r"[0-9]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_ELEVEN_DIGITS = re.compile(r"[^0-9]*+(?:[0-9][^0-9]*+){11}")
# The prefilter, on bytes: every digit becomes 0, ASCII separators are dropped …
_DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_ASCII_SEPARATORS = b" \t\n\r\v\f\x1c\x1d\x1e\x1f-./_()[],~*"
# … in text that is not all ASCII, every non-ASCII byte too: 、（）【】：and the like
# between ASCII digits (a superset: ``138个1234人5678`` is scanned for nothing, which only
# costs time) …
_AND_NON_ASCII = _ASCII_SEPARATORS + bytes(range(0x80, 0x100))
# … and a colon only before three digits or more (``138:1234:5678``; ``10:05`` is a time).
_COLON_IN_NUMBER = re.compile(rb":(?=[0-9]{3})")
# … and the non-ASCII separators NFKC leaves, on text.
_OTHER_SEPARATOR = re.compile(f"[{_SEPARATORS}]")  # the colon: see _COLON_IN_NUMBER
# Characters that cannot be, or become, a digit or a separator: CJK ideographs and the
# Chinese punctuation and full-width letters records are full of.  Anything else sends a
# file down the slow path (normalise, then count).  A test checks the list.
_USUAL = ("\u4e00-\u9fff\u3400-\u4dbf\u3001-\u3003\u3008-\u3011\u3014-\u301b"
          "\uff01-\uff0c\uff1a-\uff3e\uff40-\uff5e\u2018-\u201d")
_UNUSUAL = re.compile(f"[^\x00-\x7f{_USUAL}]")
_MASK = re.compile(r"[0-9Xx]")
# Digit characters NFKC leaves alone: every decimal digit (``\d``) beyond ASCII, and the
# circled/dingbat/other digits that only have a digit value (Unicode 14; a test checks).
_OTHER_DIGIT = re.compile(
    r"(?![0-9])[\d\u1369-\u1371\u19da\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788"
    r"\u278a-\u2792\U00010a40-\U00010a43\U00010e60-\U00010e68\U00011052-\U0001105a]")
_LONGEST_INT = 64  # bits: an int beyond 2**64 has too many digits to be one number


def normalise(text: str) -> str:
    """``text`` with every digit written as an ASCII digit (NFKC, then digit values)."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), text)


def digit_count(text: str) -> int:
    """How many ASCII digits ``text`` holds (normalise first to count the others too)."""
    return sum(text.count(d) for d in "0123456789")


def _eleven_in_a_row(data: bytes, dropped: bytes = _ASCII_SEPARATORS) -> bool:
    """Whether 11 ASCII digits stand together once the separators (``dropped``) are."""
    if _COLON_IN_NUMBER.search(data) is not None:
        data = _COLON_IN_NUMBER.sub(b"", data)
    return b"00000000000" in data.translate(_DIGITS_TO_ZERO, dropped)


def may_hold_pii(data: bytes) -> bool:
    """False when a file's bytes cannot hold either kind: most records skip the scan.

    Both kinds need 11 digits in one run, whatever separators stand between them (a
    superset of what :func:`find_in_text` joins: indentation may fold into one space).
    Dates and times (``2023-05-03 10:05``: ten digits, then ``:``) do not make a run that
    long.  A file with other characters than ASCII, CJK ideographs and common Chinese
    punctuation is normalised first, so full-width, circled or other digits and separators
    count; one with a backslash escape is always scanned (``"\\u0031"`` is a digit too).
    """
    found = _prefiltered(data)
    if isinstance(found, bool):
        return found
    text = _OTHER_SEPARATOR.sub("", normalise(found))
    return _eleven_in_a_row(text.encode("utf-8", "replace"))


def none_may_hold_pii(files: list[bytes]) -> bool:
    """True when no one of ``files`` can hold either kind (:func:`may_hold_pii` would say
    False for each): one pass over them all instead of one call a file.

    The files are joined by ``x``, which is neither a digit nor a separator, so no run of
    digits reaches from one file into the next; the answer is True only where every file
    would take :func:`may_hold_pii`'s cheap way to False (no backslash, no unusual
    character).  False says nothing of any one file: ask :func:`may_hold_pii` of each."""
    return _prefiltered(b"x".join(files)) is False


def _prefiltered(data: bytes) -> bool | str:
    """:func:`may_hold_pii` as far as the bytes answer it: True or False, or else their
    text, which holds characters to be normalised before the digits can be counted."""
    if b"\\" in data:
        return True
    if data.isascii():
        return _eleven_in_a_row(data)
    if _eleven_in_a_row(data, _AND_NON_ASCII):
        return True
    text = data.decode("utf-8", "replace")
    return text if _UNUSUAL.search(text) else False


def id_card_valid(text: str) -> bool:
    """True for an 18-character number with a valid GB 11643 check digit."""
    if len(text) != 18 or not text[:17].isascii() or not text[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(text[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == text[17].upper()


def _in_run(run: str) -> str | None:
    """``"id-card"``/``"mobile"`` when the run's digit groups line up into one, else None."""
    digits = "".join(_GROUP.findall(run))
    check_x = run[-1] in "Xx"
    if check_x:
        digits += "X"
    starts: list[int] = []
    ends: set[int] = set()
    position = 0
    for group in _GROUP.findall(run):
        starts.append(position)
        position += len(group)
        ends.add(position)
    mobile = False
    for start in starts:
        id_end = start + 18 in ends or (check_x and start + 18 == len(digits))
        if id_end and id_card_valid(digits[start:start + 18]):
            return "id-card"
        for prefix in ("", "86", "0086"):
            if not digits.startswith(prefix, start):
                continue
            begin = start + len(prefix)
            if begin + 11 in ends and _MOBILE.fullmatch(digits, begin, begin + 11):
                mobile = True
    return "mobile" if mobile else None


def find_in_text(text: str) -> str | None:
    """``"id-card"`` or ``"mobile"`` when the text holds one, else ``None``."""
    text = normalise(text)
    if len(text) < 11 or not _ELEVEN_DIGITS.match(text):
        return None
    found = None
    for match in _RUN.finditer(text):
        run = match.group()
        if len(run) < 11:
            continue
        kind = _in_run(run)
        if kind == "id-card":
            return kind
        found = found or kind
    return found


def redact(text: str) -> str:
    """``text`` with the digits of every ID-card or mobile number in it shown as ``*``
    (unchanged when it holds none), so a message can quote a value without leaking one."""
    if find_in_text(text) is None:
        return text
    return _RUN.sub(lambda m: _MASK.sub("*", m.group()) if _in_run(m.group()) else m.group(),
                    normalise(text))


Path = tuple[str | int, ...]


def _number_text(value: int | float) -> str | None:
    """A YAML number as the digits a person wrote (``13812345678``, ``1.3812345678e10``)."""
    if isinstance(value, int):
        return str(value) if value.bit_length() <= _LONGEST_INT else None
    return repr(value) if value == value and abs(value) != float("inf") else None


def _text_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value)
    return None


def scan(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Yield ``(path, kind)`` for every string or number in ``value`` that holds PII.

    Every field is scanned, names included (a name field may hold a name, never a
    number); so are mapping keys (the path then ends at that key).
    """
    if isinstance(value, dict):
        for key, item in value.items():
            text = _text_of(key)
            kind = find_in_text(text) if text else None
            if kind:
                yield (*path, key), kind
                continue
            yield from scan(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from scan(item, (*path, i))
    else:
        text = _text_of(value)
        kind = find_in_text(text) if text else None
        if kind:
            yield path, kind


def in_comments(text: str) -> Iterator[tuple[int, int, str]]:
    """``(line, column, kind)`` of each YAML comment in ``text`` that holds an ID-card or
    mobile number: no field holds it, but it would sit in the repository all the same.
    A comment starts at a ``#`` at the start of a line or after a space (one inside quoted
    text is scanned too, which only finds what the fields' scan finds as well)."""
    for number, line in enumerate(text.splitlines(), 1):
        at = line.find("#")
        while at > 0 and not line[at - 1].isspace():
            at = line.find("#", at + 1)
        if at >= 0:
            kind = find_in_text(line[at + 1:])
            if kind:
                yield number, at + 1, kind
