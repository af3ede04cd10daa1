"""Before the deadline is not after it: without ``--as-of`` the check is as of *now*, so a
due day or a period's last day that is today is not over yet (``pending``); an explicit
``--as-of DAY`` means the end of that day, when it is over (``unmet``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dianchang_cli.api import Repo, check
from dianchang_cli.engine.evaluate import evaluate
from dianchang_cli.engine.periods import Period, day_ended
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.pipeline.plan_tests import load_case, run_case

UNITS = """
subdistrict: top
units:
  - {id: top, name: 总部, kind: subdistrict}
  - {id: east, name: 东区, kind: community}
"""

PLAN = """
plan: {id: test, title: 测试计划, year: YEAR}
common_fields:
  unit: {type: unit, required: true}
  type: {type: text, required: true}
  title: {type: text, required: true}
  date: {type: date}
record_types:
  - id: report
    name: 报告
    kind: document
    fields:
      month: {type: month, required: true}
  - {id: visit, name: 巡查, kind: event}
  - {id: kiosk, name: 服务点, kind: registry}
rules:
  - {id: d, name: 报告, item: 1, source: 报告, basis: explicit, kind: deadline,
     scope: community, period: month, select: {types: [report]}, period_field: month,
     due: {date: DUE}, severity: error}
  - {id: c, name: 巡查, item: 1, source: 巡查, basis: explicit, kind: count,
     scope: community, period: month, select: {types: [visit]}, target: 1, severity: error}
  - {id: x, name: 服务点, item: 1, source: 服务点, basis: explicit, kind: exists,
     scope: community, period: year, select: {types: [kiosk]}, due: {date: DUE},
     severity: error}
  - {id: v, name: 全年巡查, item: 1, source: 巡查, basis: explicit, kind: coverage,
     scope: community, period: year, select: {types: [visit]}, field: title,
     values: [春季巡查], severity: error}
"""


def make_repo(root: Path, due: dt.date) -> Repo:
    (root / "plan").mkdir(parents=True)
    (root / "plan" / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "plan" / "plan.yaml").write_text(
        PLAN.replace("YEAR", str(due.year)).replace("DUE", due.isoformat()), encoding="utf-8")
    (root / "records").mkdir()
    return Repo.at(root)


def statuses(repo: Repo, as_of: dt.date, day_open: bool) -> dict[tuple[str, str], str]:
    plan = load_plan(repo.plan_dir, repo.root)
    return {(r.rule, r.period): r.status
            for r in evaluate(plan, [], as_of, day_open=day_open)}


def test_a_day_is_over_at_its_end_unless_it_is_still_running() -> None:
    day = dt.date(2023, 4, 7)
    assert day_ended(day, day) and not day_ended(day, day, day_open=True)
    assert day_ended(day, dt.date(2023, 4, 8), day_open=True)
    assert not day_ended(dt.date(2023, 4, 8), day)
    april = Period("month", "2023-04", dt.date(2023, 4, 1), dt.date(2023, 4, 30))
    assert april.over(dt.date(2023, 4, 30)) and not april.over(dt.date(2023, 4, 30), True)


def test_the_due_day_itself_nothing_filed(tmp_path: Path) -> None:
    """The as-of day is the due day and nothing is filed: pending while the day runs,
    unmet at its end (an explicit as-of day)."""
    repo = make_repo(tmp_path, dt.date(2023, 4, 7))
    due = dt.date(2023, 4, 7)
    assert statuses(repo, due, day_open=True)[("d", "2023-04")] == "pending"
    assert statuses(repo, due, day_open=False)[("d", "2023-04")] == "unmet"
    assert statuses(repo, due, day_open=True)[("x", "2023")] == "pending"
    assert statuses(repo, due, day_open=False)[("x", "2023")] == "unmet"
    assert statuses(repo, dt.date(2023, 4, 8), day_open=True)[("d", "2023-04")] == "unmet"


def test_a_period_ending_today_is_not_over(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, dt.date(2023, 4, 7))
    last = dt.date(2023, 4, 30)
    assert statuses(repo, last, day_open=True)[("c", "2023-04")] == "pending"
    assert statuses(repo, last, day_open=False)[("c", "2023-04")] == "unmet"
    new_year = dt.date(2023, 12, 31)
    assert statuses(repo, new_year, day_open=True)[("v", "2023")] == "pending"
    assert statuses(repo, new_year, day_open=False)[("v", "2023")] == "unmet"


def _app() -> typer.Typer:
    from dianchang_cli.cli.app import build_app

    return build_app()


def test_without_as_of_today_is_still_open(tmp_path: Path) -> None:
    """``dc check`` without --as-of on the due day: pending, exit 0; with --as-of today:
    the end of the day, unmet, exit 1."""
    today = dt.date.today()
    repo = make_repo(tmp_path, today)
    now = check(repo, workers=1, rules=["d"])
    assert now.day_open and now.as_of == today
    assert {r.status for r in now.results if r.period == f"{today:%Y-%m}"} == {"pending"}
    ended = check(repo, as_of=today, workers=1, rules=["d"])
    assert not ended.day_open
    assert {r.status for r in ended.results if r.period == f"{today:%Y-%m}"} == {"unmet"}
    base = ["check", "--repo", str(repo.root), "--rule", "d", "-f", "json"]
    open_run = CliRunner().invoke(_app(), base)
    assert open_run.exit_code == 0, open_run.output
    assert {r["status"] for r in json.loads(open_run.stdout)["results"]
            if r["period"] == f"{today:%Y-%m}"} == {"pending"}
    closed = CliRunner().invoke(_app(), [*base, "--as-of", today.isoformat()])
    assert closed.exit_code == 1, closed.output


def test_a_plan_year_that_is_over_is_not_open(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, dt.date(2020, 12, 31))
    out = check(repo, workers=1, rules=["d"])
    assert out.as_of == dt.date(2020, 12, 31) and not out.day_open
    assert {r.status for r in out.results if r.period == "2020-12"} == {"unmet"}


@pytest.mark.parametrize(("day_open", "want"), [(True, "pending"), (False, "unmet")])
def test_plan_cases_can_ask_for_an_open_day(tmp_path: Path, day_open: bool, want: str) -> None:
    repo = make_repo(tmp_path, dt.date(2023, 4, 7))
    case = repo.plan_dir / "tests" / "01-due-day"
    (case / "records").mkdir(parents=True)
    (case / "case.yaml").write_text(
        f"as_of: 2023-04-07\nday_open: {str(day_open).lower()}\nrules: [d]\n", encoding="utf-8")
    (case / "expected.yaml").write_text(
        f"results:\n  - {{rule: d, unit: east, period: 2023-04, status: {want}}}\n",
        encoding="utf-8")
    outcome = run_case(load_case(case), load_plan(repo.plan_dir, repo.root), repo)
    assert outcome.passed, outcome.mismatches
