"""Periods: months, quarters, halves, the year, named windows and festival windows.

Labels are contract: ``2023-04``, ``2023-Q2``, ``2023-H1``, ``2023``, ``2023-端午节``; a
window's label comes from the plan (``{year}-09`` for September).

A period is evaluated when it has begun by ``as_of`` and does not end before the plan's
``effective`` day (the year always counts).  It is *over* when its last day is on or
before ``as_of`` — or strictly before it while the as-of day is still running
(``day_open``: ``dc check`` without ``--as-of`` evaluates as of now, and a period ending
today is not over until the day is).

The plan is untrusted input, so building periods never raises anything but
:class:`PlanError`: a plan year outside 1900–2999, a festival the Chinese calendar cannot
place in the plan year, or a window that ends before it starts is a plan problem at the
entry's line (:func:`plan_problems` lists them all, for the plan loader).  A window day the
month does not have (``02-29`` in 2023, ``04-31``) is that month's last day, and no period
reaches past ``date.min`` or ``date.max``.
"""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
import re
from dataclasses import dataclass

from ..diagnostics import PlanError, Problem, printable
from ..i18n import _
from ..planfile.model import Festival, Window
from ..planfile.plan import Plan
from ..records.values import MAX_YEAR, MIN_YEAR
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

    def over(self, as_of: dt.date, day_open: bool = False) -> bool:
        """Whether the period has ended as of the end of ``as_of`` (or, ``day_open``, as of
        some moment during ``as_of``)."""
        return day_ended(self.end, as_of, day_open)


def day_ended(day: dt.date, as_of: dt.date, day_open: bool = False) -> bool:
    """Whether ``day`` is over: before ``as_of``, or ``as_of`` itself once it has ended
    (an explicit as-of day means its end; ``day_open`` means the day is still running)."""
    return day < as_of or (day == as_of and not day_open)


def _month_end(year: int, m: int) -> dt.date:
    return dt.date(year, m, gregorian.monthrange(year, m)[1])


def month(year: int, m: int) -> Period:
    return Period("month", f"{year:04d}-{m:02d}", dt.date(year, m, 1), _month_end(year, m))


def quarter(year: int, q: int) -> Period:
    start = dt.date(year, 3 * q - 2, 1)
    return Period("quarter", f"{year:04d}-Q{q}", start, _month_end(year, 3 * q))


def half(year: int, h: int) -> Period:
    start = dt.date(year, 6 * h - 5, 1)
    return Period("half", f"{year:04d}-H{h}", start, _month_end(year, 6 * h))


def year_period(year: int) -> Period:
    return Period("year", f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31))


def shift(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, clamped to ``date.min`` … ``date.max``."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


# ---------------------------------------------------------------- plan problems
def _problem(plan: Plan, key: str, message: str, expected: str | None = None) -> Problem:
    origin = plan.origins.get(key) or plan.origins.get(key.split(":")[0])
    file, line, column = (origin.file, origin.line, origin.column) if origin else ("plan", 0, 0)
    return Problem(file, line, column, "plan-invalid", message, expected=expected)


def _year_problem(plan: Plan) -> Problem | None:
    if MIN_YEAR <= plan.year <= MAX_YEAR:
        return None
    return _problem(plan, "plan", _("the plan year {year} is outside {low}–{high}").format(
        year=printable(plan.year), low=MIN_YEAR, high=MAX_YEAR),
        expected=_("a year such as 2023"))


def _festival_problem(plan: Plan, fest: Festival) -> Problem:
    if fest.solar is not None:  # a fixed day: 02-29 outside a leap year, or a typo
        return _problem(plan, "festivals", _(
            "the festival {name} falls on {day}, a day the year {year} does not have").format(
            name=printable(fest.name), day=printable(fest.solar), year=plan.year),
            expected=_("a month and day such as 10-01"))
    return _problem(plan, "festivals", _(
        "the festival {name} cannot be placed in the Chinese calendar of {year}").format(
        name=printable(fest.name), year=plan.year),
        expected=_("a lunar month and day such as 05-05, or a solar term such as 清明"))


def _window_problem(plan: Plan, win: Window) -> Problem:
    return _problem(plan, f"windows:{win.id}", _(
        "the window {id} ends ({end}) before it starts ({start})").format(
        id=printable(win.id), start=printable(win.start), end=printable(win.end)),
        expected=_("start and end as MM-DD in the same year, start first"))


def plan_problems(plan: Plan) -> list[Problem]:
    """Every reason the plan's periods cannot be built; the plan loader reports them."""
    year = _year_problem(plan)
    if year is not None:
        return [year]
    out = [_festival_problem(plan, f) for f in plan.festivals.list
           if festival_date(f, plan.year) is None]
    for win in plan.windows.values():
        if _window_day(plan.year, win.start) > _window_day(plan.year, win.end):
            out.append(_window_problem(plan, win))
    return out


# ---------------------------------------------------------------- building periods
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_LABEL_FIELD = re.compile(r"\{(year|start_month)\}")


def _window_day(year: int, month_day: str) -> dt.date:
    """``MM-DD`` in ``year``; a day the month does not have is its last day."""
    match = _MONTH_DAY.match(month_day)
    m, d = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
    m = min(max(m, 1), 12)  # the plan model has checked MM-DD; stay safe regardless
    return dt.date(year, m, min(max(d, 1), gregorian.monthrange(year, m)[1]))


def window_label(template: str, year: int, start: str) -> str:
    """The label of a window: only ``{year}`` and ``{start_month}`` are replaced.

    Not :meth:`str.format`: a plan's label such as ``{0}`` or ``{year.__class__}`` would
    raise or reach into Python objects.
    """
    fields = {"year": f"{year:04d}", "start_month": start[:2]}
    return _LABEL_FIELD.sub(lambda m: fields[m.group(1)], template)


def _festivals(plan: Plan) -> list[Period]:
    y, days = plan.year, plan.festivals.days
    out, problems = [], []
    for fest in plan.festivals.list:
        day = festival_date(fest, y)
        if day is None:
            problems.append(_festival_problem(plan, fest))
            continue
        # within the plan year: a festival near New Year (元旦, 冬至 with many days) would
        # otherwise reach into a year this plan does not judge, and, past its end, never be
        # over for a check made "now" (capped at the year's last day)
        start = max(shift(day, -days), dt.date(y, 1, 1))
        end = min(shift(day, days), dt.date(y, 12, 31))
        out.append(Period("festival", f"{y:04d}-{fest.name}", start, end, fest.name))
    if problems:
        raise PlanError(problems)
    return sorted(out, key=lambda p: p.start)


def _window(plan: Plan, window_id: str) -> Period:
    win = plan.windows[window_id]
    start, end = _window_day(plan.year, win.start), _window_day(plan.year, win.end)
    if start > end:
        raise PlanError([_window_problem(plan, win)])
    return Period("window", window_label(win.label, plan.year, win.start), start, end, win.name)


def all_periods(plan: Plan, spec: str) -> list[Period]:
    """Every period of kind ``spec`` in the plan year, before any as-of filtering.

    Raises :class:`PlanError` when the plan's periods cannot be built (see the module text).
    """
    problem = _year_problem(plan)
    if problem is not None:
        raise PlanError([problem])
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
        return _festivals(plan)
    if spec.startswith("window:"):
        return [_window(plan, spec.split(":", 1)[1])]
    raise ValueError(spec)  # the plan loader has already refused unknown periods


def periods_for(plan: Plan, spec: str, as_of: dt.date) -> list[Period]:
    """The periods of ``spec`` that have a result as of ``as_of``."""
    periods = all_periods(plan, spec)  # first: it refuses a plan year with no calendar
    effective = plan.effective
    return [p for p in periods if p.start <= as_of and (p.kind == "year" or p.end >= effective)]


def period_of_label(plan: Plan, label: str) -> Period | None:
    """Find a period by its label (for ``--month 2023-04`` and waiver records)."""
    for spec in ("month", "quarter", "half", "year", "festival",
                 *(f"window:{w}" for w in plan.windows)):
        for p in all_periods(plan, spec):
            if p.label == label:
                return p
    return None
