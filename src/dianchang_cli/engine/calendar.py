"""Festival dates from the Chinese calendar, computed by ``lunar-python`` — never typed in.

Lunar festivals (端午 = fifth month, fifth day) are converted to the Gregorian day of the
plan year; 清明 is a solar term and comes from the same library's solar-term table.  Public
holidays on a fixed day (``solar: 10-01`` for 国庆节) need no library: they are that day of
the plan year.

Each festival is placed in the plan year: a lunar date in the lunar year of the same number,
or else in the one before (除夕 of lunar 2023 is 2024-02-09, inside 2024; that of lunar 2024
is in January 2025); a solar term in whichever lunar year's table holds its day of the plan
year (冬至 2024 is in lunar 2025's table).

The festival list comes from the plan, which is untrusted input: a lunar day that a month
does not have in some year is read as that month's last day (除夕, ``12-30``, falls on the
29th in years whose twelfth month is short), and anything the library cannot place — a
month 13, an unknown solar term, a year outside its tables, a day that falls outside the
plan year either way — gives ``None``, never an exception (the library raises plain
``Exception`` for every such case).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from ..planfile.model import Festival

_LUNAR_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")


def _lunar(year: int, month: int, day: int) -> Any:
    from lunar_python import Lunar  # imported only when a plan has festival periods

    return Lunar.fromYmd(year, month, day)


def _date(solar: Any) -> dt.date:
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=256)
def lunar_to_solar(year: int, month: int, day: int) -> dt.date | None:
    """The Gregorian day of lunar ``month``-``day`` of lunar ``year``, or None.

    ``day`` beyond the month's length is the month's last day.
    """
    from lunar_python import LunarMonth

    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None
    try:
        length = LunarMonth.fromYm(year, month)
        if length is None:
            return None
        return _date(_lunar(year, month, min(day, length.getDayCount())).getSolar())
    except Exception:  # lunar-python signals every failure with a plain Exception
        return None


@lru_cache(maxsize=64)
def solar_term(year: int, name: str) -> dt.date | None:
    """The day of solar term ``name`` (e.g. 清明) in Gregorian ``year``, or None.

    A lunar year's table runs from the 冬至 before it (in the December of the year before)
    to the 大雪 that ends it: 冬至 of ``year`` is in the next lunar year's table."""
    for lunar_year in (year, year + 1):
        try:
            solar = _lunar(lunar_year, 6, 1).getJieQiTable().get(name)
        except Exception:  # lunar-python signals every failure with a plain Exception
            return None
        if solar is None:
            return None  # not the name of a solar term
        if solar.getYear() == year:
            return _date(solar)
    return None


def solar_day(year: int, month_day: str) -> dt.date | None:
    """``MM-DD`` in Gregorian ``year``, or None for a day that year does not have (02-29 in
    2023, 04-31) or text that is not a month and day."""
    match = _LUNAR_DAY.match(month_day)
    if match is None:
        return None
    try:
        return dt.date(year, int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None


def festival_date(festival: Festival, year: int) -> dt.date | None:
    """The festival's day in ``year``; None when it cannot be placed in that year."""
    if festival.solar is not None:
        return solar_day(year, festival.solar)
    if festival.solar_term:
        return solar_term(year, festival.solar_term)
    match = _LUNAR_DAY.match(festival.lunar or "")
    if match is None:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    # the lunar year of the same number, else the one before: its last months (除夕,
    # ``12-30``) fall in January or February of ``year``
    for lunar_year in (year, year - 1):
        found = lunar_to_solar(lunar_year, month, day)
        if found is None or found.year == year:
            return found
    return None
