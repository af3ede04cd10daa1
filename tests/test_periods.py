"""Periods at the ends of the calendar and under hostile plans.

For every plan year 1900–2999 and every as-of day ``date.min`` … ``date.max`` periods build
without raising, in order, months contiguous over the year, each label finding its period
again.  A plan whose periods cannot be built (a year outside the range, a festival the
Chinese calendar cannot place, a window that ends before it starts) is a plan problem at
the entry's line, never a crash; ``--as-of 9999-12-31`` and ``0001-01-01`` run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dianchang_cli.api import Repo, check
from dianchang_cli.diagnostics import PlanError
from dianchang_cli.engine.calendar import festival_date, lunar_to_solar, solar_term
from dianchang_cli.engine.context import Compiled
from dianchang_cli.engine.kinds.deadline import due_day
from dianchang_cli.engine.periods import (
    Period,
    all_periods,
    month,
    period_of_label,
    periods_for,
    plan_problems,
    shift,
    window_label,
)
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.planfile.model import Due, Festival, Festivals, Window
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.records.values import MAX_YEAR, MIN_YEAR

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan(ROOT / "plan", ROOT)
SPECS = ("month", "quarter", "half", "year", "festival",
         *(f"window:{w}" for w in PLAN.windows))


def in_year(year: int, **changes: object) -> Plan:
    """The real plan moved to ``year`` (effective from its first day unless given)."""
    meta = PLAN.meta.model_copy(update={"year": year, "effective": changes.pop("effective", None)})
    return dataclasses.replace(PLAN, meta=meta, **changes)  # type: ignore[arg-type]


years = st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR)


@settings(max_examples=60, deadline=None)
@given(years, st.dates(min_value=dt.date.min, max_value=dt.date.max))
def test_periods_for_any_year_and_any_day(year: int, as_of: dt.date) -> None:
    plan = in_year(year)
    for spec in SPECS:
        every = all_periods(plan, spec)
        found = periods_for(plan, spec, as_of)
        assert all(p in every for p in found)
        assert all(p.start <= p.end for p in every)
        assert [p.start for p in every] == sorted(p.start for p in every)
        assert all(p.start <= as_of for p in found)
        for p in every:
            p.over(as_of), p.contains(as_of)  # comparisons only: nothing to overflow


def _contiguous(periods: list[Period], year: int) -> None:
    assert periods[0].start == dt.date(year, 1, 1)
    assert periods[-1].end == dt.date(year, 12, 31)
    for before, after in itertools.pairwise(periods):
        assert before.end + dt.timedelta(days=1) == after.start


@settings(max_examples=60, deadline=None)
@given(years)
def test_months_quarters_halves_cover_the_year_and_labels_parse_back(year: int) -> None:
    plan = in_year(year)
    for spec, count in (("month", 12), ("quarter", 4), ("half", 2), ("year", 1)):
        periods = all_periods(plan, spec)
        assert len(periods) == count
        _contiguous(periods, year)
    for spec in SPECS:
        for p in all_periods(plan, spec):
            found = period_of_label(plan, p.label)
            assert found is not None and found.label == p.label
            assert (found.start, found.end) == (p.start, p.end)
            if spec != "window:september":  # its label is the month's: the month comes first
                assert found == p


@settings(max_examples=40, deadline=None)
@given(years)
def test_festivals_fall_in_their_plan_year(year: int) -> None:
    plan = in_year(year)
    festivals = all_periods(plan, "festival")
    assert [p.name for p in festivals] != [] and len(festivals) == len(plan.festivals.list)
    for p in festivals:
        day = festival_date(next(f for f in plan.festivals.list if f.name == p.name), year)
        assert day is not None and day.year == year
        # its day ± days, cut to the plan year (元旦 does not reach into December before)
        assert p.start == max(day - dt.timedelta(days=plan.festivals.days),
                              dt.date(year, 1, 1))
        assert p.end == min(day + dt.timedelta(days=plan.festivals.days),
                            dt.date(year, 12, 31))
        assert p.start.year == p.end.year == year


def test_the_2023_festivals() -> None:
    days = {p.name: p.start + dt.timedelta(days=7) for p in all_periods(PLAN, "festival")}
    assert days["端午节"] == dt.date(2023, 6, 22)
    assert days["春节"] == dt.date(2023, 1, 22)
    assert days["清明节"] == dt.date(2023, 4, 5)


# ---------------------------------------------------------------- the ends of the calendar
def test_month_of_year_9999_and_1() -> None:
    """relativedelta overflowed past December 9999."""
    assert month(9999, 12).end == dt.date(9999, 12, 31)
    assert month(1, 1).start == dt.date(1, 1, 1)


def test_shift_clamps() -> None:
    assert shift(dt.date.max, 7) == dt.date.max
    assert shift(dt.date.min, -7) == dt.date.min
    assert shift(dt.date(2023, 6, 22), -7) == dt.date(2023, 6, 15)


def _deadline(**due: object) -> Compiled:
    rule = PLAN.rule("12.1")
    assert rule is not None
    return Compiled.of(rule.model_copy(update={"due": Due(**due)}))  # type: ignore[arg-type]


@pytest.mark.parametrize(("year", "m", "due"), [(2023, 2, 28), (2024, 2, 29), (2023, 4, 30),
                                                (2023, 12, 31), (9999, 12, 31)])
def test_due_day_31_is_the_last_day_of_short_months(year: int, m: int, due: int) -> None:
    assert due_day(_deadline(day=31), month(year, m)) == dt.date(year, m, due)


def test_due_day_near_date_max() -> None:
    last = Period("festival", "9999-x", dt.date.max, dt.date.max)
    assert due_day(_deadline(day=31), last) == dt.date.max
    assert due_day(_deadline(date=dt.date.max), month(2023, 12)) == dt.date.max


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01"])
def test_check_as_of_the_ends_of_the_calendar(repo: Repo, add: Callable, as_of: str) -> None:
    add("dongyuan/r.yaml", {"type": "阅读活动", "unit": "dongyuan", "date": "2023-04-23",
                            "title": "世界读书日阅读活动"})
    outcome = check(repo, as_of=dt.date.fromisoformat(as_of), workers=1)
    assert len(outcome.records) == 1
    assert bool(outcome.results) == (as_of > "2023")  # nothing has begun on 0001-01-01


# ---------------------------------------------------------------- hostile plans
@pytest.mark.parametrize("year", [1, 1899, 3000, 9999, 10_000, -5])
def test_plan_year_outside_the_range_is_a_plan_problem(year: int) -> None:
    plan = in_year(year)
    [problem] = plan_problems(plan)
    assert problem.code == "plan-invalid" and problem.file.endswith("plan.yaml")
    assert problem.line > 0
    for spec in SPECS:
        with pytest.raises(PlanError):
            all_periods(plan, spec)
        with pytest.raises(PlanError):
            periods_for(plan, spec, dt.date.max)


@pytest.mark.parametrize("festival", [Festival(name="坏", lunar="13-01"),
                                      Festival(name="坏", lunar="00-05"),
                                      Festival(name="坏", lunar="05-31"),
                                      Festival(name="坏", lunar="ab"),
                                      Festival(name="坏", lunar="-5-05"),
                                      Festival(name="坏", solar_term="清名"),
                                      Festival(name="坏", solar_term="")])
def test_unplaceable_festival_is_a_plan_problem(festival: Festival) -> None:
    plan = in_year(2023, festivals=Festivals(days=7, list=[festival]))
    assert festival_date(festival, 2023) is None
    [problem] = plan_problems(plan)
    assert problem.code == "plan-invalid" and problem.line > 0
    with pytest.raises(PlanError):
        all_periods(plan, "festival")
    assert all_periods(plan, "month")  # the other periods are unaffected


def test_library_failures_are_none() -> None:
    assert lunar_to_solar(8, 12, 1) is None  # lunar-python has no table for year 8
    assert solar_term(2023, "DOES_NOT_EXIST") is None


def test_new_years_eve_is_the_last_day_of_a_short_twelfth_month() -> None:
    """除夕 is written 12-30; lunar 2024 has a 29-day twelfth month (2025 has no 年三十)."""
    eve = Festival(name="除夕", lunar="12-30")
    assert lunar_to_solar(2024, 12, 30) == lunar_to_solar(2024, 12, 29) == dt.date(2025, 1, 28)
    assert festival_date(eve, 2025) == festival_date(Festival(name="x", lunar="12-29"), 2025)


@pytest.mark.parametrize(("festival", "year", "day"), [
    (Festival(name="除夕", lunar="12-30"), 2023, dt.date(2023, 1, 21)),  # of lunar 2022
    (Festival(name="除夕", lunar="12-30"), 2024, dt.date(2024, 2, 9)),  # of lunar 2023
    (Festival(name="除夕", lunar="12-30"), 2025, dt.date(2025, 1, 28)),  # of lunar 2024
    (Festival(name="春节", lunar="01-01"), 2024, dt.date(2024, 2, 10)),
    (Festival(name="中秋节", lunar="08-15"), 2024, dt.date(2024, 9, 17)),
    (Festival(name="冬至", solar_term="冬至"), 2024, dt.date(2024, 12, 21)),  # lunar 2025's table
    (Festival(name="冬至", solar_term="冬至"), 2023, dt.date(2023, 12, 22)),
    (Festival(name="小寒", solar_term="小寒"), 2024, dt.date(2024, 1, 6)),
    (Festival(name="大雪", solar_term="大雪"), 2024, dt.date(2024, 12, 6)),
    (Festival(name="清明节", solar_term="清明"), 2024, dt.date(2024, 4, 4)),
])
def test_every_festival_falls_in_the_plan_year(festival: Festival, year: int,
                                                day: dt.date) -> None:
    """A festival is placed in the plan year whichever lunar year's date or table that
    takes: the plan's festival periods never lie outside it."""
    assert festival_date(festival, year) == day


def test_a_festival_no_lunar_year_puts_in_the_plan_year_is_not_placed() -> None:
    """Lunar 11-01 of lunar 2022 is 2022-11-24 and of lunar 2023 is 2023-12-13: in 2023; a
    lunar day that neither lunar year puts in the plan year gives None (a plan error)."""
    days = {y: festival_date(Festival(name="x", lunar="11-01"), y) for y in range(2000, 2040)}
    assert days[2023] == dt.date(2023, 12, 13)
    for year, found in days.items():
        assert found is None or found.year == year


def _with_window(start: str, end: str, label: str = "{year}-{start_month}") -> Plan:
    # model_construct: the plan model refuses 02-30 today; periods must not rely on that
    win = Window.model_construct(id="w", name="窗口", start=start, end=end, label=label)
    return in_year(2023, windows={"w": win})


@pytest.mark.parametrize(("start", "end", "first", "last"), [
    ("02-01", "02-29", "2023-02-01", "2023-02-28"),
    ("02-30", "04-31", "2023-02-28", "2023-04-30"),
    ("12-01", "12-31", "2023-12-01", "2023-12-31"),
])
def test_window_days_the_month_lacks_are_its_last_day(start: str, end: str, first: str,
                                                      last: str) -> None:
    [p] = all_periods(_with_window(start, end), "window:w")
    assert (p.start.isoformat(), p.end.isoformat()) == (first, last)


def test_reversed_window_is_a_plan_problem() -> None:
    plan = _with_window("10-01", "09-30")
    [problem] = plan_problems(plan)
    assert problem.code == "plan-invalid"
    with pytest.raises(PlanError):
        all_periods(plan, "window:w")


@pytest.mark.parametrize(("label", "shown"), [
    ("{year}-09", "2023-09"),
    ("{year}年{start_month}月", "2023年10月"),
    ("{0}{year.__class__}{}", "{0}{year.__class__}{}"),
    ("{year!r:>99999999}", "{year!r:>99999999}"),
    ("{", "{"),
])
def test_window_label_fills_only_year_and_start_month(label: str, shown: str) -> None:
    """str.format raised on {0} and reached into Python objects with {year.__class__}."""
    assert window_label(label, 2023, "10-01") == shown
    [p] = all_periods(_with_window("10-01", "10-31", label), "window:w")
    assert p.label == shown


def test_the_real_plan_has_no_period_problems() -> None:
    assert plan_problems(PLAN) == []
