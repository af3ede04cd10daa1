"""Records track work, not residents: find resident ID-card and mobile numbers in any field.

* ID card (GB 11643-1999): 17 digits and a check character (0-9 or X) whose ISO 7064
  MOD 11-2 checksum is right, with a plausible birth date.  Random 18-digit strings are
  rarely valid, so evidence numbers and order ids do not trip it.
* Mobile: 11 digits beginning 1[3-9], not inside a longer run of digits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_DIGIT_RUN = re.compile(rb"[0-9]{11}")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def may_hold_pii(data: bytes) -> bool:
    """Both kinds need 11 digits in a row somewhere in the file's bytes: most files have none."""
    return _DIGIT_RUN.search(data) is not None


def id_card_valid(text: str) -> bool:
    """True for an 18-character number with a valid GB 11643 check digit and birth date."""
    if len(text) != 18 or not text[:17].isdigit():
        return False
    total = sum(int(c) * w for c, w in zip(text[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != text[17].upper():
        return False
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def find_in_text(text: str) -> str | None:
    """``"id-card"`` or ``"mobile"`` when the text holds one, else ``None``."""
    if len(text) < 11:
        return None
    for match in _ID.finditer(text):
        if id_card_valid(match.group(1)):
            return "id-card"
    if _MOBILE.search(text):
        return "mobile"
    return None


Path = tuple[str | int, ...]


def scan(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Yield ``(path, kind)`` for every string or number in ``value`` that holds PII."""
    if isinstance(value, str):
        kind = find_in_text(value)
        if kind:
            yield path, kind
    elif isinstance(value, int) and not isinstance(value, bool):
        kind = find_in_text(str(value))
        if kind:
            yield path, kind
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from scan(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from scan(item, (*path, i))
