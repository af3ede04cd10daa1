"""Every rule kind, on a small made-up 2024 plan: the engine knows nothing of 2023."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from dianchang_cli.api import Repo, check
from dianchang_cli.engine.periods import periods_for
from dianchang_cli.engine.plancheck import load_plan
from plans import COMMON_FIELDS, make_repo

UNITS = """
subdistrict: top
units:
  - {id: top, name: 总部, kind: subdistrict}
  - {id: east, name: 东区, kind: community}
  - {id: west, name: 西区, kind: community}
  - {id: east-b, name: 东区支部, kind: branch, parent: east}
staff:
  - {id: boss, name: 主任, unit: top, roles: [secretary]}
  - {id: e-sec, name: 东区书记, unit: east, roles: [secretary]}
  - {id: e-pub, name: 东区宣传员, unit: east, roles: [publicity]}
  - {id: w-sec, name: 西区书记, unit: west, roles: [secretary]}
"""

PLAN = """
plan: {id: test-2024, title: 测试计划, year: 2024, effective: 2024-03-01}
items: [{number: 1, title: 一项, text: 每月巡查，按时报告。}]
sections: [{id: 一, title: 第一部分, items: [1]}]
windows: [{id: may, name: 五月, start: "05-01", end: "05-31"}]
festivals: {days: 3, list: [{name: 端午节, lunar: "05-05"}, {name: 清明节, solar_term: 清明}]}
waivers: {type: exemption, rule: rule, unit: target, period: period}
""" + COMMON_FIELDS + """\
record_types:
  - id: visit
    name: 巡查
    kind: event
    fields:
      topic: {type: enum, values: [甲, 乙, 丙]}
      festival: {type: enum, values: [端午节, 清明节]}
  - id: report
    name: 报告
    kind: document
    fields:
      month: {type: month, required: true}
      reviewer: {type: staff, required: true}
  - id: kiosk
    name: 服务点
    kind: registry
    fields:
      services: {type: list, items: text}
  - id: exemption
    name: 免考
    kind: document
    fields:
      rule: {type: rule, required: true}
      target: {type: unit, required: true}
      period: {type: period, required: true}
"""

RULES = """
rules:
  - {id: c, name: 每月两次巡查, item: 1, source: 每月巡查, basis: explicit, kind: count,
     scope: community, period: month, select: {types: [visit]}, target: 2, severity: error,
     weight: 1}
  - {id: v, name: 主题全覆盖, item: 1, source: 每月巡查, basis: explicit, kind: coverage,
     scope: all, period: year, select: {types: [visit]}, field: topic, severity: error}
  - {id: e, name: 书记审核, item: 1, source: 按时报告, basis: explicit, kind: each,
     scope: community, period: month, select: {types: [report]}, severity: error,
     condition: "r.reviewer in staff && 'secretary' in staff[r.reviewer].roles && staff[r.reviewer].unit == r.unit",
     message: 审核人不是本社区书记}
  - {id: d, name: 五日前报告, item: 1, source: 按时报告, basis: assumed, note: 假定5日, kind: deadline,
     scope: community, period: month, select: {types: [report]}, period_field: month,
     due: {day: 5}, severity: error}
  - {id: x, name: 设立服务点, item: 1, source: 每月巡查, basis: explicit, kind: exists,
     scope: community, period: year, select: {types: [kiosk]}, severity: warning,
     condition: "'饮水' in r.services"}
  - {id: t, name: 巡查统计, item: 1, source: 每月巡查, basis: explicit, kind: tally,
     scope: branch, period: quarter, select: {types: [visit]}}
  - {id: f, name: 节日巡查, item: 1, source: 每月巡查, basis: assumed, note: 窗口, kind: count,
     scope: community, period: festival, select: {types: [visit], where: "has(r.festival) && r.festival == period.name"},
     target: 1, severity: warning}
  - {id: w, name: 五月巡查, item: 1, source: 每月巡查, basis: explicit, kind: count,
     scope: community, period: "window:may", select: {types: [visit]}, target: 1, severity: error}
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Repo:
    return make_repo(tmp_path, PLAN, UNITS, RULES)


def rec(repo: Repo, name: str, text: str) -> None:
    path = repo.records_dir / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def visit(repo: Repo, name: str, unit: str, day: str, **extra: str) -> None:
    more = "".join(f"{k}: {v}\n" for k, v in extra.items())
    rec(repo, name, f"type: 巡查\nunit: {unit}\ndate: {day}\ntitle: 巡查{name}\n{more}")


def results(repo: Repo, as_of: str, rule: str) -> dict[tuple[str, str], object]:
    out = check(repo, as_of=dt.date.fromisoformat(as_of), rules=[rule], workers=1)
    assert out.problems == [], [p.text() for p in out.problems]
    return {(r.unit, r.period): r for r in out.results}


def test_count_met_pending_unmet(tiny: Repo) -> None:
    visit(tiny, "a", "east", "2024-03-02")
    visit(tiny, "b", "east-b", "2024-03-20")  # a branch's work counts for its community
    visit(tiny, "c", "west", "2024-03-05")
    got = results(tiny, "2024-04-10", "c")
    assert got[("east", "2024-03")].status == "met"
    assert got[("west", "2024-03")].status == "unmet"
    assert (got[("west", "2024-03")].actual, got[("west", "2024-03")].target) == (1, 2)
    assert got[("east", "2024-04")].status == "pending"
    assert ("east", "2024-02") not in got  # before the plan's effective day
    assert ("east", "2024-05") not in got  # begins after as-of


def test_as_of_is_the_end_of_that_day(tiny: Repo) -> None:
    visit(tiny, "a", "east", "2024-03-02")
    visit(tiny, "b", "east", "2024-03-31")
    assert results(tiny, "2024-03-30", "c")[("east", "2024-03")].status == "pending"
    assert results(tiny, "2024-03-31", "c")[("east", "2024-03")].status == "met"


def test_coverage_lists_missing_values(tiny: Repo) -> None:
    visit(tiny, "a", "east", "2024-03-02", topic="甲")
    visit(tiny, "b", "west", "2024-06-02", topic="丙")
    mid = results(tiny, "2024-07-01", "v")[("top", "2024")]
    assert mid.status == "pending" and mid.actual == ["甲", "丙"] and mid.missing == ("乙",)
    assert results(tiny, "2024-12-31", "v")[("top", "2024")].status == "unmet"


def test_each_names_the_violating_records(tiny: Repo) -> None:
    rec(tiny, "r1", "type: 报告\nunit: east\ndate: 2024-03-03\ntitle: 三月报告\n"
                    "month: 2024-03\nreviewer: e-sec\n")
    rec(tiny, "r2", "type: 报告\nunit: east\ndate: 2024-04-03\ntitle: 四月报告\n"
                    "month: 2024-04\nreviewer: e-pub\n")
    rec(tiny, "r3", "type: 报告\nunit: west\ndate: 2024-04-04\ntitle: 四月报告\n"
                    "month: 2024-04\nreviewer: e-sec\n")  # another community's secretary
    got = results(tiny, "2024-04-10", "e")
    assert got[("east", "2024-03")].status == "met"
    east = got[("east", "2024-04")]
    assert east.status == "unmet"  # a violation is a fact before the month ends
    assert [v.record for v in east.violations] == ["r2"]
    assert east.violations[0].message == "审核人不是本社区书记"
    assert got[("west", "2024-04")].status == "unmet"
    assert ("west", "2024-03") not in got  # no records, nothing to judge


def test_deadline_on_time_late_missing_pending(tiny: Repo) -> None:
    rec(tiny, "m3", "type: 报告\nunit: east\ndate: 2024-03-05\ntitle: x\nmonth: 2024-03\n"
                    "reviewer: e-sec\n")
    rec(tiny, "m4", "type: 报告\nunit: east\ndate: 2024-04-06\ntitle: x\nmonth: 2024-04\n"
                    "reviewer: e-sec\n")
    got = results(tiny, "2024-05-04", "d")
    assert got[("east", "2024-03")].status == "met"
    assert got[("east", "2024-04")].status == "late"
    assert got[("east", "2024-04")].due == dt.date(2024, 4, 5)
    assert got[("west", "2024-03")].status == "unmet"
    assert got[("east", "2024-05")].status == "pending"
    assert results(tiny, "2024-05-05", "d")[("east", "2024-05")].status == "unmet"


def test_exists_with_condition(tiny: Repo) -> None:
    rec(tiny, "k1", "type: 服务点\nunit: east\ntitle: 服务点\nservices: [饮水, 休息]\n")
    rec(tiny, "k2", "type: 服务点\nunit: west\ntitle: 服务点\ndate: 2024-08-01\n"
                    "services: [休息]\n")
    mid = results(tiny, "2024-06-30", "x")
    assert mid[("east", "2024")].status == "met"
    assert mid[("west", "2024")].status == "pending"
    assert results(tiny, "2024-12-31", "x")[("west", "2024")].status == "unmet"


def test_tally_is_info_per_branch_and_quarter(tiny: Repo) -> None:
    visit(tiny, "a", "east-b", "2024-04-02")
    visit(tiny, "b", "east", "2024-04-03")  # the community's own work is not the branch's
    got = results(tiny, "2024-06-30", "t")
    assert got[("east-b", "2024-Q2")].status == "info"
    assert got[("east-b", "2024-Q2")].actual == 1
    # Q1 ends after the effective day (03-01), so it has a result, with nothing in it
    assert got[("east-b", "2024-Q1")].actual == 0


def test_festival_windows_from_the_chinese_calendar(tiny: Repo) -> None:
    plan = load_plan(tiny.plan_dir)
    fests = {p.label: (p.start, p.end) for p in periods_for(plan, "festival", dt.date(2024, 12, 31))}
    # 2024: 清明 04-04 (solar term), 端午 06-10 (fifth lunar month, fifth day)
    assert fests["2024-清明节"] == (dt.date(2024, 4, 1), dt.date(2024, 4, 7))
    assert fests["2024-端午节"] == (dt.date(2024, 6, 7), dt.date(2024, 6, 13))
    visit(tiny, "in", "east", "2024-06-13", festival="端午节")
    visit(tiny, "out", "west", "2024-06-14", festival="端午节")
    visit(tiny, "wrong", "west", "2024-06-10", festival="清明节")
    got = results(tiny, "2024-12-31", "f")
    assert got[("east", "2024-端午节")].status == "met"
    assert got[("west", "2024-端午节")].status == "unmet"


def test_named_window(tiny: Repo) -> None:
    visit(tiny, "a", "east", "2024-05-31")
    visit(tiny, "b", "west", "2024-06-01")
    got = results(tiny, "2024-12-31", "w")
    assert got[("east", "2024-05")].status == "met"
    assert got[("west", "2024-05")].status == "unmet"


def test_waiver_covers_one_unit_and_period(tiny: Repo) -> None:
    rec(tiny, "wv", "type: 免考\nunit: top\ndate: 2024-04-02\ntitle: 免考\nrule: c\n"
                    "target: west\nperiod: 2024-03\n")
    got = results(tiny, "2024-04-30", "c")
    assert got[("west", "2024-03")].status == "waived"
    assert got[("west", "2024-03")].waiver == "wv"
    assert got[("west", "2024-04")].status == "unmet"
    # a waiver issued after the as-of day does not count yet
    assert results(tiny, "2024-04-01", "c")[("west", "2024-03")].status == "unmet"


def test_records_after_as_of_do_not_count(tiny: Repo) -> None:
    visit(tiny, "a", "east", "2024-03-02")
    visit(tiny, "b", "east", "2024-03-20")
    got = results(tiny, "2024-03-10", "c")
    assert got[("east", "2024-03")].actual == 1


def test_each_festival_sees_its_own_name(tiny: Repo) -> None:
    """Regression: the `period` variable must change from one festival to the next."""
    visit(tiny, "q", "east", "2024-04-04", festival="清明节")
    visit(tiny, "d", "east", "2024-06-10", festival="端午节")
    got = results(tiny, "2024-12-31", "f")
    assert got[("east", "2024-清明节")].status == "met"
    assert got[("east", "2024-端午节")].status == "met"
    assert got[("west", "2024-清明节")].status == "unmet"


def test_each_judges_standing_entries_from_before_the_plan_once(tiny: Repo) -> None:
    """A kiosk (registry) set up before the plan is judged in March; an old event is not."""
    extra = tiny.plan_dir / "more.yaml"
    extra.write_text("rules:\n  - {id: k, name: 服务点有饮水, item: 1, source: 每月巡查, "
                     "basis: explicit, kind: each, scope: community, period: month, "
                     "select: {types: [kiosk, report]}, severity: error, "
                     "condition: \"has(r.services) && '饮水' in r.services\", message: 缺饮水}\n",
                     encoding="utf-8")
    rec(tiny, "k-old", "type: 服务点\nunit: east\ntitle: 老服务点\ndate: 2023-05-01\n"
                       "services: [休息]\n")
    rec(tiny, "k-undated", "type: 服务点\nunit: west\ntitle: 服务点\nservices: [饮水]\n")
    rec(tiny, "r-old", "type: 报告\nunit: east\ndate: 2024-01-20\ntitle: x\nmonth: 2024-01\n"
                       "reviewer: e-pub\n")
    got = results(tiny, "2024-05-31", "k")
    assert [v.record for v in got[("east", "2024-03")].violations] == ["k-old"]
    assert got[("west", "2024-03")].status == "met"
    assert ("east", "2024-04") not in got


def test_a_violation_names_the_field_that_failed_and_its_line(tiny: Repo) -> None:
    rec(tiny, "r2", "type: 报告\nunit: east\ndate: 2024-04-03\ntitle: 四月报告\n"
                    "month: 2024-04\nreviewer: e-pub\n")
    got = results(tiny, "2024-04-10", "e")
    violation = got[("east", "2024-04")].violations[0]
    assert violation.fields == ("reviewer",)  # `'secretary' in staff[r.reviewer].roles` failed
    assert (violation.file, violation.line) == ("records/r2.yaml", 6)


def test_conjuncts_split_only_at_the_top_level() -> None:
    from dianchang_cli.engine.conditions import conjuncts

    assert conjuncts("has(r.a) && (r.b || r.c && r.d) && 'x && y' in r.e") == [
        "has(r.a)", "(r.b || r.c && r.d)", "'x && y' in r.e"]
    assert conjuncts("r.a") == ["r.a"]


def test_an_empty_rule_selection_evaluates_nothing(tiny: Repo) -> None:
    visit(tiny, "a", "east", "2024-03-02")
    assert check(tiny, as_of=dt.date(2024, 3, 31), rules=(), workers=1).results == []
    assert check(tiny, as_of=dt.date(2024, 3, 31), rules=None, workers=1).results != []
