"""Public holidays on a fixed day (``solar: 10-01`` for 国庆节) beside lunar festivals and
solar terms: the day in the plan year, its window, and a plan error for a day the year lacks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dianchang_cli.api import check
from dianchang_cli.diagnostics import PlanError
from dianchang_cli.engine.calendar import festival_date
from dianchang_cli.engine.periods import all_periods
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.planfile.model import Festival
from plans import make_repo

PLAN = """
plan: {id: test-2023, title: 测试计划, year: 2023}
festivals:
  days: 3
  list:
    - {name: 中秋节, lunar: "08-15"}
    - {name: 国庆节, solar: "10-01"}
    - {name: 元旦, solar: "01-01"}
common_fields:
  unit: {type: unit, required: true}
  type: {type: text, required: true}
  title: {type: text, required: true}
  date: {type: date}
  festival: {type: text}
record_types:
  - {id: event, name: 活动, kind: event}
rules:
  - {id: f, name: 节日活动, item: 1, source: 节日活动, basis: explicit, kind: count,
     scope: community, period: festival, target: 1, severity: warning,
     select: {types: [event], where: "has(r.festival) && r.festival == period.name",
              where_text: 为该节日开展的活动}}
"""


def test_a_solar_festival_is_that_day_of_the_year() -> None:
    assert festival_date(Festival(name="国庆节", solar="10-01"), 2023) == dt.date(2023, 10, 1)
    assert festival_date(Festival(name="元旦", solar="01-01"), 2024) == dt.date(2024, 1, 1)
    leap = Festival(name="闰日", solar="02-29")
    assert festival_date(leap, 2024) == dt.date(2024, 2, 29)
    assert festival_date(leap, 2023) is None


def test_festival_periods_include_solar_days_with_their_window(tmp_path: Path) -> None:
    plan = load_plan(make_repo(tmp_path, PLAN).plan_dir, tmp_path)
    periods = {p.label: p for p in all_periods(plan, "festival")}
    national = periods["2023-国庆节"]
    assert (national.start, national.end, national.name) == (
        dt.date(2023, 9, 28), dt.date(2023, 10, 4), "国庆节")
    assert periods["2023-元旦"].start == dt.date(2023, 1, 1)  # cut to the plan year
    # sorted by start: 元旦, 中秋节 (09-29 in 2023), 国庆节
    assert list(periods) == ["2023-元旦", "2023-中秋节", "2023-国庆节"]


def test_a_solar_festival_counts_like_any_festival(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, PLAN)
    (repo.records_dir / "a.yaml").write_text(
        "type: 活动\nunit: east\ndate: 2023-10-03\ntitle: 国庆活动\nfestival: 国庆节\n",
        encoding="utf-8")
    out = check(repo, as_of=dt.date(2023, 12, 31), workers=1)
    got = {r.period: r.status for r in out.results}
    assert got["2023-国庆节"] == "met" and got["2023-中秋节"] == "unmet"


def test_a_day_the_plan_year_lacks_is_a_plan_error(tmp_path: Path) -> None:
    plan = PLAN.replace('{name: 元旦, solar: "01-01"}', '{name: 闰日, solar: "02-29"}')
    with pytest.raises(PlanError) as err:
        load_plan(make_repo(tmp_path, plan).plan_dir, tmp_path)
    [problem] = err.value.problems
    assert problem.code == "plan-invalid" and problem.file == "plan/plan.yaml"
    assert "闰日" in problem.message and "02-29" in problem.message and "2023" in problem.message


@pytest.mark.parametrize("day", ["10-1", "13-01", "02-30", "国庆"])
def test_a_malformed_or_impossible_day_is_a_plan_error(tmp_path: Path, day: str) -> None:
    plan = PLAN.replace('solar: "10-01"', f'solar: "{day}"')
    with pytest.raises(PlanError) as err:
        load_plan(make_repo(tmp_path, plan).plan_dir, tmp_path)
    assert [p.code for p in err.value.problems] == ["plan-invalid"]


def test_one_of_lunar_solar_term_or_solar(english: None) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Festival(name="x", lunar="08-15", solar="10-01")
