"""Periods: months, quarters, halves, the year, named windows and festival windows.

Labels are contract: ``2023-04``, ``2023-Q2``, ``2023-H1``, ``2023``, ``2023-端午节``; a
window's label comes from the plan (``{year}-09`` for September).

A period is evaluated when it has begun by ``as_of`` and does not end before the plan's
``effective`` day (the year always counts).  It is *over* when its last day is on or
before ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from ..planfile.plan import Plan
from .calendar import festival_date


@dataclass(frozen=True, slots=True)
class Period:
    kind: str
    label: str
    start: dt.date
    end: dt.date  # inclusive
    name: str | None = None  # festival or window name

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def over(self, as_of: dt.date) -> bool:
        return self.end <= as_of


def month(year: int, m: int) -> Period:
    start = dt.date(year, m, 1)
    end = start + relativedelta(months=1, days=-1)
    return Period("month", f"{year:04d}-{m:02d}", start, end)


def quarter(year: int, q: int) -> Period:
    start = dt.date(year, 3 * q - 2, 1)
    return Period("quarter", f"{year:04d}-Q{q}", start, start + relativedelta(months=3, days=-1))


def half(year: int, h: int) -> Period:
    start = dt.date(year, 6 * h - 5, 1)
    return Period("half", f"{year:04d}-H{h}", start, start + relativedelta(months=6, days=-1))


def year_period(year: int) -> Period:
    return Period("year", f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31))


def all_periods(plan: Plan, spec: str) -> list[Period]:
    """Every period of kind ``spec`` in the plan year, before any as-of filtering."""
    y = plan.year
    if spec == "month":
        return [month(y, m) for m in range(1, 13)]
    if spec == "quarter":
        return [quarter(y, q) for q in range(1, 5)]
    if spec == "half":
        return [half(y, h) for h in (1, 2)]
    if spec == "year":
        return [year_period(y)]
    if spec == "festival":
        days = dt.timedelta(days=plan.festivals.days)
        out = []
        for fest in plan.festivals.list:
            day = festival_date(fest, y)
            out.append(Period("festival", f"{y:04d}-{fest.name}", day - days, day + days,
                              fest.name))
        return sorted(out, key=lambda p: p.start)
    if spec.startswith("window:"):
        win = plan.windows[spec.split(":", 1)[1]]
        start = dt.date.fromisoformat(f"{y:04d}-{win.start}")
        end = dt.date.fromisoformat(f"{y:04d}-{win.end}")
        label = win.label.format(year=f"{y:04d}", start_month=win.start[:2])
        return [Period("window", label, start, end, win.name)]
    raise ValueError(spec)  # the plan loader has already refused unknown periods


def periods_for(plan: Plan, spec: str, as_of: dt.date) -> list[Period]:
    """The periods of ``spec`` that have a result as of ``as_of``."""
    effective = plan.effective
    return [p for p in all_periods(plan, spec)
            if p.start <= as_of and (p.kind == "year" or p.end >= effective)]


def period_of_label(plan: Plan, label: str) -> Period | None:
    """Find a period by its label (for ``--month 2023-04`` and waiver records)."""
    for spec in ("month", "quarter", "half", "year", "festival",
                 *(f"window:{w}" for w in plan.windows)):
        for p in all_periods(plan, spec):
            if p.label == label:
                return p
    return None
