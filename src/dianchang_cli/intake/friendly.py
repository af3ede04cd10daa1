"""What people type and spreadsheets hold → the values a record file holds.

A secretary types ``5.12`` or ``昨天``; WPS stores a date as the serial ``45058``, a count
as the text ``"３６"`` with full-width digits, a unit as its name ``东苑社区（示例）``.
:class:`Friendly` turns each into the canonical value (a ``date``, an ``int``, a unit id)
*when it unambiguously is one*, and otherwise hands the text on unchanged, so that the
validator — the same one ``dc check`` runs — says what is wrong in its own words.  It never
raises and never guesses: ``5.12`` is the 12th of May of the plan's year, never a number.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from ..core import TZ
from ..planfile.model import FieldSpec
from ..planfile.plan import Plan, names_to_ids, normalise

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (with Excel's 1900 leap bug)
SERIALS = range(1, 2_958_466)  # Excel's days: 1900-01-01 … 9999-12-31
RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
TRUE_WORDS = {"是", "有", "对", "√", "✓", "✔", "true", "yes", "y", "1"}
FALSE_WORDS = {"否", "无", "没有", "错", "×", "✗", "false", "no", "n", "0"}
LIST_SEPARATORS = re.compile(r"\s*[、,，;；\n]\s*")
COUNT_SUFFIXES = ("人次", "小时", "人", "名", "次", "个", "h")

# 2023-05-12, 2023/5/12, 2023.5.12, 2023年5月12日 (or 号), 20230512, and a spreadsheet's
# date-time of a day at midnight (2023-5-10 0:00:00, as Excel writes a date cell to CSV)
_FULL_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
                        r"(?:\s+0{1,2}:00(?::00)?)?$|^(\d{4})(\d{2})(\d{2})$")
_SHORT_DATE = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_TIME = re.compile(r"^(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?\s*秒?$")
_MONTH = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*月?$")


def beijing_today() -> dt.date:
    """Today in Beijing time (what ``今天`` and the default date mean)."""
    return dt.datetime.now(TZ).date()


class Friendly:
    """Turns raw input into record values for one plan; build once, use for every value.

    ``today`` is the day ``今天`` means; ``year`` the year a date without one is in (the
    plan's year).
    """

    def __init__(self, plan: Plan, today: dt.date | None = None) -> None:
        self.plan = plan
        self.today = today or beijing_today()
        self.year = plan.year
        self.units = names_to_ids((u.id, u.name) for u in plan.units.values())
        self.staff = names_to_ids((s.id, s.name) for s in plan.staff.values())

    def value(self, spec: FieldSpec, raw: Any) -> Any:
        """The canonical value of ``raw`` for a field, or ``raw`` (text trimmed) when it is
        not unambiguously one: the validator then explains what is expected.  An empty cell
        or answer is ``None`` (the field is left out)."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if spec.type == "list":
            items = raw if isinstance(raw, list) else _split(raw)
            values = [self.scalar(spec.items, item) for item in items]
            return [v for v in values if v is not None] or None
        return self.scalar(spec.type, raw)

    def scalar(self, kind: str, raw: Any) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        reader = getattr(self, f"_{kind}", None)
        converted = reader(raw) if reader is not None else None
        if converted is not None:
            return converted
        if isinstance(raw, str):
            return normalise(raw) if kind in _NORMALISED else raw.strip()
        return raw

    # ------------------------------------------------------------ one per field kind
    def _text(self, raw: Any) -> str | None:
        if isinstance(raw, bool):
            return None
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))  # a number cell holding an id or a code: 2023001.0 → 2023001
        if isinstance(raw, int | float):
            return str(raw)
        return raw.strip() if isinstance(raw, str) else None

    _enum = _record = _rule = _url = _text

    def _integer(self, raw: Any) -> int | None:
        number = _number(raw)
        if number is not None and float(number).is_integer():
            return int(number)
        return None

    def _number(self, raw: Any) -> int | float | None:
        number = _number(raw)
        if number is None:
            return None
        return int(number) if float(number).is_integer() else number

    def _bool(self, raw: Any) -> bool | None:
        if isinstance(raw, bool):
            return raw
        word = normalise(str(raw)).lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None

    def _date(self, raw: Any) -> dt.date | None:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            # a whole day number only: 5.12 typed into a cell that Excel made a number is
            # not a day we can be sure of (5.1 may have been 5.10), so the validator says so;
            # 20230512 typed into a number cell is that day, not a serial number
            if float(raw).is_integer() and 19000101 <= raw <= 29991231:
                return self.day(str(int(raw)))
            return _serial(raw) if float(raw).is_integer() else None
        return self.day(raw) if isinstance(raw, str) else None

    def _datetime(self, raw: Any) -> str | None:
        if isinstance(raw, dt.datetime):
            return _moment(raw)
        if isinstance(raw, int | float) and not isinstance(raw, bool) and raw >= 1 \
                and math.isfinite(raw):  # inf: a cell no day is
            day = _serial(int(raw))
            if day is None:
                return None
            seconds = round((raw - int(raw)) * 86400)
            return _moment(dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds))
        if not isinstance(raw, str):
            return None
        text = normalise(raw)
        head, _sep, tail = text.replace("T", " ").rpartition(" ")
        day = self.day(head) if head else None
        time = _TIME.match(tail.strip())
        if day is None or time is None:
            return None
        hour, minute, second = int(time.group(1)), int(time.group(2)), int(time.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            return None
        return _moment(dt.datetime.combine(day, dt.time(hour, minute, second)))

    def _month(self, raw: Any) -> str | None:
        if isinstance(raw, dt.date):
            return f"{raw.year:04d}-{raw.month:02d}"
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            day = _serial(raw) if raw > 12 else None
            return f"{day.year:04d}-{day.month:02d}" if day else None
        match = _MONTH.match(normalise(str(raw)))
        if match and 1 <= int(match.group(2)) <= 12:
            return f"{int(match.group(1) or self.year):04d}-{int(match.group(2)):02d}"
        return None

    def _unit(self, raw: Any) -> str | None:
        return self.units.get(normalise(str(raw)))

    def _staff(self, raw: Any) -> str | None:
        return self.staff.get(normalise(str(raw)))

    # ------------------------------------------------------------ dates
    def day(self, text: str) -> dt.date | None:
        """``2023-05-12``, ``2023/5/12``, ``2023.5.12``, ``2023年5月12日`` (or 号),
        ``20230512``, ``2023-5-12 0:00:00``, ``5.12``, ``5月12日``, ``今天``, ``昨天``,
        ``前天`` → the day; anything else → None."""
        text = normalise(text)
        if text in RELATIVE_DAYS:
            return self.today - dt.timedelta(days=RELATIVE_DAYS[text])
        full = _FULL_DATE.match(text)
        if full:
            year, month, day = (int(g) for g in full.groups() if g is not None)
        else:
            short = _SHORT_DATE.match(text)
            if not short:
                return None
            year, month, day = self.year, int(short.group(1)), int(short.group(2))
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None


_NORMALISED = {"integer", "number", "date", "datetime", "month", "period", "unit", "staff"}


def _split(raw: Any) -> list[Any]:
    if not isinstance(raw, str):
        return [raw]
    return [part for part in LIST_SEPARATORS.split(raw.strip()) if part]


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return float(raw) if math.isfinite(raw) else None
    if not isinstance(raw, str):
        return None
    text = normalise(raw).replace(",", "")
    for suffix in COUNT_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)].strip()
            break
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) and text.lstrip("+-")[:1].isdigit() else None


def _serial(raw: float) -> dt.date | None:
    """An Excel day number (the value behind a date cell that lost its format)."""
    if not math.isfinite(raw):
        return None
    whole = int(raw)
    if whole not in SERIALS:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=whole)


def _moment(value: dt.datetime) -> str:
    """A date-time as a record writes it: Beijing time without offset, else with it."""
    if value.tzinfo is not None and value.utcoffset() != dt.timedelta(hours=8):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    fmt = "%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M"
    return value.strftime(fmt)
