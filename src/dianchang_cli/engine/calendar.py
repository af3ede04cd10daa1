"""Festival dates from the Chinese calendar, computed by ``lunar-python`` — never typed in.

Lunar festivals (端午 = fifth month, fifth day) are converted to the Gregorian day of the
plan year; 清明 is a solar term and comes from the same library's solar-term table.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from ..planfile.model import Festival


def _lunar(year: int, month: int, day: int) -> Any:
    from lunar_python import Lunar  # imported only when a plan has festival periods

    return Lunar.fromYmd(year, month, day)


@lru_cache(maxsize=256)
def lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    solar = _lunar(year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=64)
def solar_term(year: int, name: str) -> dt.date:
    """The day of solar term ``name`` (e.g. 清明) in Gregorian ``year``."""
    table = _lunar(year, 6, 1).getJieQiTable()
    solar = table[name]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def festival_date(festival: Festival, year: int) -> dt.date:
    if festival.solar_term:
        return solar_term(year, festival.solar_term)
    assert festival.lunar is not None
    m, d = (int(x) for x in festival.lunar.split("-"))
    return lunar_to_solar(year, m, d)
