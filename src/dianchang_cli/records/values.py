"""Reading field values by kind: the one table that turns YAML scalars into typed values.

Each reader takes the raw YAML value and returns the typed value, or raises
:class:`BadValue` with what was expected — never any other exception, whatever it is given.
Dates accept the forms people type (``2023-04-05``, ``2023/4/5``, ``2023.4.5``,
``2023年4月5日``); date-times are Asia/Shanghai unless an offset is written.

Values are also kept in a sane range, so nothing downstream (the CEL timestamps of the
conditions, sums in reports, date arithmetic) can overflow:

* years 1900–2999 in dates, date-times, months and period labels (a year outside is a typo);
* time-zone offsets from −12:00 to +14:00, the offsets in use on Earth;
* whole numbers and numbers between −10⁹ and 10⁹, so the product of two still fits CEL's
  64-bit integers;
* text that is to be read as a date is at most :data:`MAX_DATE_TEXT` characters, so a
  pathological value costs nothing to refuse.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from ..core import TZ  # the time zone lives on the ground floor; importable from here too
from ..i18n import _

MIN_YEAR, MAX_YEAR = 1900, 2999
INT_LIMIT = 10**9  # |whole number| and |number| at most this
MAX_DATE_TEXT = 64  # characters; no date, date-time, month or period label is longer
_MIN_OFFSET = dt.timedelta(hours=-12)
_MAX_OFFSET = dt.timedelta(hours=14)

# Whitespace is collapsed to single spaces before these match (see _squeeze), so every
# optional space is one character and no pattern can backtrack over a run of spaces.
_YMD = r"(\d{4}) ?(?:-|/|\.|年) ?(\d{1,2}) ?(?:-|/|\.|月) ?(\d{1,2})(?: ?日)?"
_DATE = re.compile(rf"^{_YMD}$")
_DATETIME = re.compile(
    rf"^{_YMD}(?: ?T ?| )(\d{{1,2}}) ?[:：时] ?(\d{{2}})"
    r"(?: ?[:：分] ?(\d{2})(?:\.(\d{1,6}))?)?(?: ?秒)?(?: ?(Z|[+-]\d{2}:?\d{2}))?$")
_MONTH = re.compile(r"^(\d{4}) ?(?:-|/|\.|年) ?(\d{1,2})(?: ?月)?$")
# a month, quarter, half or the year, or a festival's or window's label: any other text after
# the year, but never digits alone or Q/H and digits (2023-13, 2023-Q5 are typing mistakes)
_PERIOD = re.compile(r"^(\d{4})(?:-(?:0[1-9]|1[0-2])|-Q[1-4]|-H[12]"
                     r"|-(?![0-9]+$|[QHqh][0-9]+$).+)?$")
_URL = re.compile(r"^https://\S+$")
_DRIVE = re.compile(r"^[A-Za-z]:")


class BadValue(ValueError):
    """A value of the wrong form; ``expected`` says what would be right."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def _squeeze(value: Any) -> str | None:
    """Text to be read as a date-like value, whitespace collapsed; None if it cannot be one."""
    if not isinstance(value, str) or len(value) > 16 * MAX_DATE_TEXT:
        return None
    text = " ".join(value.split())
    return text if len(text) <= MAX_DATE_TEXT else None


def _year_in_range(year: int, expected: str) -> None:
    """Refuse a year outside MIN_YEAR..MAX_YEAR; ``expected`` has {low} and {high}."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadValue(expected.format(low=MIN_YEAR, high=MAX_YEAR))


# Text is bounded so that a plan condition building strings from it (`r.title + r.title`
# inside a comprehension) stays small; a summary longer than this belongs in evidence/.
MAX_TEXT = 10_000


def read_text(value: Any) -> str:
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise BadValue(_("text of at most {n} characters (this one has {m})").format(
                n=MAX_TEXT, m=len(value)))
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return str(value)  # a number written where text is expected: keep its digits
        except ValueError:  # an integer too long to print in decimal
            pass
    raise BadValue(_("text"))


# A count written as text, as spreadsheets and input methods leave it ("36", "３６", "036"):
# still a bad value — a number is written as plain half-width digits, and the loader keeps
# ``0123`` text on purpose — but the message then says how to write it.
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]{1,40}(?:\.[0-9]{0,40})?|\.[0-9]{1,40})")


def _looks_like_a_number(value: str) -> bool:
    """Whether text is digits once full-width ones are made ASCII and spaces dropped."""
    return len(value) <= MAX_DATE_TEXT and bool(
        _NUMBER_TEXT.fullmatch(unicodedata.normalize("NFKC", value).strip()))


def read_int(value: Any) -> int:
    if value.__class__ is str and _looks_like_a_number(value):
        raise BadValue(_("a whole number in plain half-width digits without quotes or a "
                         "leading zero, e.g. 36"))
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(_("a whole number, e.g. 36"))
    if not -INT_LIMIT <= value <= INT_LIMIT:
        raise BadValue(_("a whole number from {low} to {high}").format(
            low=-INT_LIMIT, high=INT_LIMIT))
    return value


def read_number(value: Any) -> float:
    if value.__class__ is str and _looks_like_a_number(value):
        raise BadValue(_("a number in plain half-width digits without quotes, e.g. 2.5"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue(_("a number, e.g. 2.5"))
    # compare before converting: float() of a huge int raises OverflowError
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue(_("a number, e.g. 2.5"))
    if not -INT_LIMIT <= value <= INT_LIMIT:
        raise BadValue(_("a number from {low} to {high}").format(low=-INT_LIMIT, high=INT_LIMIT))
    return float(value)


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("是", "否"):
        return value == "是"
    raise BadValue(_("true or false (是 or 否)"))


def read_date(value: Any) -> dt.date:
    expected = _("a date such as 2023-04-05 (or 2023/4/5, 2023年4月5日)")
    text = _squeeze(value)
    match = _DATE.match(text) if text is not None else None
    if match:
        y, m, d = (int(g) for g in match.groups())
        _year_in_range(y, _("a date in the years {low} to {high}, e.g. 2023-04-05"))
        try:
            return dt.date(y, m, d)
        except ValueError:
            pass
    raise BadValue(expected)


def _offset(text: str | None, expected: str) -> dt.tzinfo:
    if not text:
        return TZ
    if text == "Z":
        return dt.UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if minutes >= 60:
        raise BadValue(expected)
    offset = (1 if text[0] == "+" else -1) * dt.timedelta(hours=hours, minutes=minutes)
    if not _MIN_OFFSET <= offset <= _MAX_OFFSET:
        raise BadValue(expected)
    return dt.timezone(offset)


def read_datetime(value: Any) -> dt.datetime:
    expected = _("a date and time such as 2023-05-03 10:05 (Beijing time) "
                 "or 2023-05-03T10:05:00+08:00")
    text = _squeeze(value)
    match = _DATETIME.match(text) if text is not None else None
    if match:
        y, mo, d, h, mi, s, frac, off = match.groups()
        _year_in_range(int(y), _("a date and time in the years {low} to {high}, "
                                 "e.g. 2023-05-03 10:05"))
        tz = _offset(off, _("a date and time with an offset from -12:00 to +14:00, "
                            "e.g. 2023-05-03T10:05:00+08:00"))
        try:
            micro = int((frac or "0").ljust(6, "0"))
            return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro,
                               tzinfo=tz)
        except ValueError:
            pass
    raise BadValue(expected)


def read_month(value: Any) -> str:
    expected = _("a month such as 2023-04")
    text = _squeeze(value)
    match = _MONTH.match(text) if text is not None else None
    if match and 1 <= int(match.group(2)) <= 12:
        _year_in_range(int(match.group(1)), _("a month in the years {low} to {high}, "
                                               "e.g. 2023-04"))
        return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    raise BadValue(expected)


def read_period(value: Any) -> str:
    expected = _("a period label such as 2023-07, 2023-Q3, 2023-H1, 2023 or 2023-端午节")
    text = read_text(value).strip()
    match = _PERIOD.match(text) if len(text) <= MAX_DATE_TEXT else None
    if match:
        _year_in_range(int(match.group(1)), _("a period label in the years {low} to {high}, "
                                               "e.g. 2023-07"))
        return text
    raise BadValue(expected)


def read_url(value: Any) -> str:
    """Evidence: an https URL, or a relative path below the repository (never ``..``)."""
    text = read_text(value).strip()
    if _URL.match(text):
        return text
    relative = "://" not in text and not text.startswith(("/", "\\")) and not _DRIVE.match(text)
    if text and relative and ".." not in re.split(r"[/\\]", text):
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
