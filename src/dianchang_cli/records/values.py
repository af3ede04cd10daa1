"""Reading field values by kind: the one table that turns YAML scalars into typed values.

Each reader takes the raw YAML value and returns the typed value, or raises
:class:`BadValue` with what was expected.  Dates accept the forms people type
(``2023-04-05``, ``2023/4/5``, ``2023.4.5``, ``2023年4月5日``); date-times are Asia/Shanghai
unless an offset is written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from ..i18n import _

# China Standard Time has had no daylight saving since 1991: a fixed +08:00 is exact,
# and it is what the CEL binding can convert (a ZoneInfo zone it cannot).
TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
_DATE = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?\s*$")
_DATETIME = re.compile(
    r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*(?:-|/|\.|月)\s*(\d{1,2})\s*日?"
    r"(?:\s*[T\s]\s*)(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2})(?:\.(\d{1,6}))?)?\s*秒?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?\s*$")
_PERIOD = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])|-Q[1-4]|-H[12]|-.+)?$")
_URL = re.compile(r"^https://\S+$")


class BadValue(ValueError):
    """A value of the wrong form; ``expected`` says what would be right."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def read_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise BadValue(_("text"))
    return str(value)  # a number written where text is expected: keep its digits


def read_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(_("a whole number, e.g. 36"))
    return value


def read_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadValue(_("a number, e.g. 2.5"))
    return float(value)


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("是", "否"):
        return value == "是"
    raise BadValue(_("true or false (是 or 否)"))


def read_date(value: Any) -> dt.date:
    match = _DATE.match(value) if isinstance(value, str) else None
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise BadValue(_("a date such as 2023-04-05 (or 2023/4/5, 2023年4月5日)"))


def read_datetime(value: Any) -> dt.datetime:
    match = _DATETIME.match(value) if isinstance(value, str) else None
    if match:
        y, mo, d, h, mi, s, frac, off = match.groups()
        tz: dt.tzinfo = TZ
        if off == "Z":
            tz = dt.UTC
        elif off:
            sign = 1 if off[0] == "+" else -1
            digits = off[1:].replace(":", "")
            tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        try:
            micro = int((frac or "0").ljust(6, "0"))
            return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro,
                               tzinfo=tz)
        except ValueError:
            pass
    raise BadValue(_("a date and time such as 2023-05-03 10:05 (Beijing time) "
                     "or 2023-05-03T10:05:00+08:00"))


def read_month(value: Any) -> str:
    match = _MONTH.match(value) if isinstance(value, str) else None
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    raise BadValue(_("a month such as 2023-04"))


def read_period(value: Any) -> str:
    text = read_text(value).strip()
    if _PERIOD.match(text):
        return text
    raise BadValue(_("a period label such as 2023-07, 2023-Q3, 2023-H1, 2023 or 2023-端午节"))


def read_url(value: Any) -> str:
    """Evidence: an https URL, or a relative path below the repository (never ``..``)."""
    text = read_text(value).strip()
    if _URL.match(text):
        return text
    relative = "://" not in text and not text.startswith(("/", "\\"))
    if text and relative and ".." not in text.split("/"):
        return text
    raise BadValue(_("an https:// URL or a path below the repository, e.g. evidence/x.jpg"))


READERS: dict[str, Callable[[Any], Any]] = {
    "text": read_text,
    "integer": read_int,
    "number": read_number,
    "bool": read_bool,
    "date": read_date,
    "datetime": read_datetime,
    "month": read_month,
    "period": read_period,
    "url": read_url,
    # references are text here; validate.py checks that the id exists
    "staff": read_text,
    "unit": read_text,
    "record": read_text,
    "rule": read_text,
    "enum": read_text,
}
