"""Waivers are approvals from above: who may waive, what a waiver may name, and what a
waiver that does not count becomes (a ``bad-waiver`` error at its file and line)."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import plans
from dianchang_cli.api import Outcome, Repo, check
from dianchang_cli.diagnostics import PlanError
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.pipeline.plan_tests import load_case, run_case
from plans import COMMON_FIELDS

UNITS = """
subdistrict: top
units:
  - {id: top, name: 总部, kind: subdistrict}
  - {id: east, name: 东区, kind: community}
  - {id: west, name: 西区, kind: community, parent: top}
  - {id: east-b, name: 东区支部, kind: branch, parent: east}
staff:
  - {id: boss, name: 主任, unit: top, roles: [secretary]}
  - {id: clerk, name: 干事, unit: top, roles: [publicity]}
  - {id: e-sec, name: 东区书记, unit: east, roles: [secretary]}
  - {id: w-sec, name: 西区书记, unit: west, roles: [secretary]}
"""

PLAN = """
plan: {id: test-2024, title: 测试计划, year: 2024, effective: 2024-03-01}
items: [{number: 1, title: 一项, text: 每月巡查。}]
sections: [{id: 一, title: 第一部分, items: [1]}]
waivers: {type: exemption, approver_roles: [secretary]}
""" + COMMON_FIELDS + """\
record_types:
  - id: visit
    name: 巡查
    kind: event
    fields:
      topic: {type: enum, values: [甲, 乙]}
      ok: {type: bool}
  - id: report
    name: 报告
    kind: document
    fields:
      month: {type: month, required: true}
  - id: exemption
    name: 免考
    kind: document
    fields:
      rule: {type: rule, required: true}
      target: {type: unit, required: true}
      period: {type: period, required: true}
      approved_by: {type: staff, required: true}
"""

RULES = """
rules:
  - {id: c, name: 每月两次巡查, item: 1, source: 每月巡查, basis: explicit, kind: count,
     scope: community, period: month, select: {types: [visit]}, target: 2, severity: error}
  - {id: b, name: 支部每季巡查, item: 1, source: 每月巡查, basis: explicit, kind: count,
     scope: branch, period: quarter, select: {types: [visit]}, target: 1, severity: error}
  - {id: e, name: 巡查合格, item: 1, source: 每月巡查, basis: explicit, kind: each,
     scope: community, period: month, select: {types: [visit]}, severity: error,
     condition: "has(r.ok) && r.ok", condition_text: 巡查须合格, message: 巡查不合格}
  - {id: d, name: 五日前报告, item: 1, source: 每月巡查, basis: explicit, kind: deadline,
     scope: community, period: month, select: {types: [report]}, period_field: month,
     due: {day: 5}, severity: error}
  - {id: v, name: 主题全覆盖, item: 1, source: 每月巡查, basis: explicit, kind: coverage,
     scope: community, period: year, select: {types: [visit]}, field: topic, severity: error}
"""


def make_repo(root: Path, plan: str = PLAN) -> Repo:
    return plans.make_repo(root, plan, UNITS, RULES)


@pytest.fixture
def tiny(tmp_path: Path) -> Repo:
    return make_repo(tmp_path)


def waiver(repo: Repo, name: str, rule: str, target: str, period: str,
           approver: str = "boss", day: str = "2024-04-02") -> Path:
    path = repo.records_dir / f"{name}.yaml"
    path.write_text(textwrap.dedent(f"""\
        type: 免考
        unit: top
        date: {day}
        title: 免考
        rule: "{rule}"
        target: {target}
        period: "{period}"
        approved_by: {approver}
        """), encoding="utf-8")
    return path


def write(repo: Repo, name: str, text: str) -> None:
    (repo.records_dir / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")


def run(repo: Repo, as_of: str = "2024-04-30", rules: list[str] | None = None) -> Outcome:
    return check(repo, as_of=dt.date.fromisoformat(as_of), rules=rules, workers=1)


def status(out: Outcome, rule: str, unit: str, period: str) -> str:
    [res] = [r for r in out.results if (r.rule, r.unit, r.period) == (rule, unit, period)]
    return res.status


def bad_waivers(out: Outcome) -> list[tuple[str, int, str]]:
    return [(Path(p.file).name, p.line, p.message) for p in out.problems if p.code == "bad-waiver"]


# ---------------------------------------------------------------- who may waive
def test_a_secretary_of_the_subdistrict_waives_a_community(tiny: Repo) -> None:
    waiver(tiny, "wv", "c", "west", "2024-03")
    out = run(tiny, rules=["c"])
    assert out.problems == []
    assert status(out, "c", "west", "2024-03") == "waived"
    assert status(out, "c", "west", "2024-04") == "unmet"  # one period only
    assert not out.fails("invalid")


def test_a_self_approved_waiver_is_an_error_at_its_approver_line(tiny: Repo) -> None:
    waiver(tiny, "self", "c", "east", "2024-03", approver="e-sec")
    out = run(tiny, rules=["c"])
    [(file, line, message)] = bad_waivers(out)
    assert file == "self.yaml" and line == 8  # the approved_by line
    assert "东区书记" in message and "总部" in message  # who, and who would have to approve
    assert status(out, "c", "east", "2024-03") == "unmet"  # it waives nothing
    assert out.fails("invalid")  # an error problem: dc check exits 1


def test_a_neighbour_cannot_waive_and_a_clerk_lacks_the_role(tiny: Repo) -> None:
    waiver(tiny, "neighbour", "c", "east", "2024-03", approver="w-sec")
    waiver(tiny, "clerk", "c", "west", "2024-03", approver="clerk")
    out = run(tiny, rules=["c"])
    found = {file: (line, message) for file, line, message in bad_waivers(out)}
    assert set(found) == {"neighbour.yaml", "clerk.yaml"}
    assert found["neighbour.yaml"][0] == 8 and "西区书记" in found["neighbour.yaml"][1]
    assert found["clerk.yaml"][0] == 8 and "secretary" in found["clerk.yaml"][1]
    assert status(out, "c", "east", "2024-03") == "unmet"
    assert status(out, "c", "west", "2024-03") == "unmet"


def test_a_community_secretary_waives_her_branch(tiny: Repo) -> None:
    waiver(tiny, "branch", "b", "east-b", "2024-Q1", approver="e-sec")
    out = run(tiny, rules=["b"])
    assert out.problems == []
    assert status(out, "b", "east-b", "2024-Q1") == "waived"


def test_nothing_is_above_the_subdistrict(tiny: Repo, english: None) -> None:
    # a rule of the subdistrict's own: no one may waive it
    rules = (tiny.plan_dir / "rules.yaml")
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        "scope: community, period: month, select: {types: [visit]}, target: 2",
        "scope: subdistrict, period: month, select: {types: [visit]}, target: 2"),
        encoding="utf-8")
    waiver(tiny, "top", "c", "top", "2024-03")
    out = run(tiny, rules=["c"])
    [(_file, line, message)] = bad_waivers(out)
    assert line == 6 and "no unit above" in message  # at the unit waived (target:)
    assert status(out, "c", "top", "2024-03") == "unmet"


def test_nothing_is_above_the_subdistrict_without_approvers_either(tmp_path: Path,
                                                                   english: None) -> None:
    """A plan that checks no approver (written before approvals existed) still cannot
    waive the subdistrict's own results: nobody is above it."""
    plan = PLAN.replace("waivers: {type: exemption, approver_roles: [secretary]}",
                        "waivers: {type: exemption}").replace(
        "      approved_by: {type: staff, required: true}\n", "")
    repo = plans.make_repo(tmp_path, plan, UNITS, RULES.replace(
        "scope: community, period: month, select: {types: [visit]}, target: 2",
        "scope: subdistrict, period: month, select: {types: [visit]}, target: 2"))
    write(repo, "wv", "type: 免考\nunit: top\ndate: 2024-04-02\ntitle: 免考\nrule: c\n"
                      "target: top\nperiod: 2024-03\n")
    out = run(repo, rules=["c"])
    [(_file, line, message)] = bad_waivers(out)
    assert line == 6 and "no unit above" in message
    assert status(out, "c", "top", "2024-03") == "unmet"


# ---------------------------------------------------------------- what a waiver may name
def test_a_quarter_on_a_monthly_rule_is_an_error_at_the_period_line(tiny: Repo,
                                                                     english: None) -> None:
    waiver(tiny, "quarter", "c", "west", "2024-Q2")
    out = run(tiny, rules=["c"])
    [(file, line, message)] = bad_waivers(out)
    assert (file, line) == ("quarter.yaml", 7)
    assert "2024-Q2" in message and "month" in message
    [problem] = [p for p in out.problems if p.code == "bad-waiver"]
    assert problem.expected and "2024-01" in problem.expected  # an example of a right label
    assert all(r.status != "waived" for r in out.results)


def test_a_unit_outside_the_rule_scope_is_an_error_at_the_target_line(tiny: Repo) -> None:
    waiver(tiny, "branch", "c", "east-b", "2024-03")  # rule c is the communities' duty
    out = run(tiny, rules=["c"])
    [(file, line, _message)] = bad_waivers(out)
    assert (file, line) == ("branch.yaml", 6)


def test_a_period_before_the_plan_took_effect_is_an_error(tiny: Repo) -> None:
    waiver(tiny, "early", "c", "west", "2024-01")  # effective 2024-03-01: never evaluated
    out = run(tiny, rules=["c"])
    [(_file, line, message)] = bad_waivers(out)
    assert line == 7 and "2024-03-01" in message


def test_a_waiver_in_advance_counts_once_its_period_is_evaluated(tiny: Repo) -> None:
    waiver(tiny, "ahead", "c", "west", "2024-05", day="2024-04-20")
    assert run(tiny, "2024-04-30", rules=["c"]).problems == []
    assert status(run(tiny, "2024-05-31", rules=["c"]), "c", "west", "2024-05") == "waived"


def test_bad_waivers_are_reported_whatever_the_as_of_day(tiny: Repo) -> None:
    waiver(tiny, "later", "c", "east", "2024-03", approver="e-sec", day="2024-06-01")
    assert len(bad_waivers(run(tiny, "2024-04-30", rules=["c"]))) == 1


# ---------------------------------------------------------------- every kind can be waived
def test_waivers_on_each_deadline_and_coverage_rules(tiny: Repo) -> None:
    write(tiny, "bad-visit", "type: 巡查\nunit: east\ndate: 2024-03-10\ntitle: x\nok: false\n"
                             "topic: 甲\n")
    waiver(tiny, "w-each", "e", "east", "2024-03")
    waiver(tiny, "w-deadline", "d", "west", "2024-03")
    waiver(tiny, "w-coverage", "v", "east", "2024")
    out = run(tiny, "2024-12-31", rules=["e", "d", "v"])
    assert out.problems == []
    assert status(out, "e", "east", "2024-03") == "waived"
    assert status(out, "d", "west", "2024-03") == "waived"
    assert status(out, "d", "west", "2024-04") == "unmet"
    assert status(out, "v", "east", "2024") == "waived"
    assert status(out, "v", "west", "2024") == "unmet"


def test_a_met_result_stays_met_under_a_waiver(tiny: Repo) -> None:
    for day in ("2024-03-02", "2024-03-09"):
        write(tiny, f"v{day}", f"type: 巡查\nunit: west\ndate: {day}\ntitle: x\n")
    waiver(tiny, "wv", "c", "west", "2024-03")
    assert status(run(tiny, rules=["c"]), "c", "west", "2024-03") == "met"


# ---------------------------------------------------------------- plans and the CLI
def test_a_plan_without_approver_field_keeps_waivers_as_before(tmp_path: Path) -> None:
    """A plan whose waiver type has no approver field (and names none) checks no approver."""
    plan = PLAN.replace("waivers: {type: exemption, approver_roles: [secretary]}",
                        "waivers: {type: exemption}").replace(
        "      approved_by: {type: staff, required: true}\n", "")
    repo = make_repo(tmp_path, plan)
    write(repo, "wv", "type: 免考\nunit: east\ndate: 2024-04-02\ntitle: 免考\nrule: c\n"
                      "target: west\nperiod: 2024-03\n")
    out = run(repo, rules=["c"])
    assert out.problems == [] and status(out, "c", "west", "2024-03") == "waived"


def test_approver_roles_without_an_approver_field_is_a_plan_error(tmp_path: Path,
                                                                  english: None) -> None:
    plan = PLAN.replace("      approved_by: {type: staff, required: true}\n", "")
    repo = make_repo(tmp_path, plan)
    with pytest.raises(PlanError) as err:
        load_plan(repo.plan_dir, repo.root)
    [problem] = err.value.problems
    assert problem.file == "plan/plan.yaml" and problem.line == 5
    assert "approved_by" in problem.message
    assert problem.expected is not None and "{type: staff, required: true}" in problem.expected
    assert "{{" not in problem.expected  # the example as it is written in YAML


def test_an_approver_field_that_is_not_staff_is_a_plan_error(tmp_path: Path) -> None:
    plan = PLAN.replace("      approved_by: {type: staff, required: true}\n",
                        "      approved_by: {type: text, required: true}\n")
    with pytest.raises(PlanError):
        load_plan(make_repo(tmp_path, plan).plan_dir, tmp_path)


def _app() -> typer.Typer:
    from dianchang_cli.cli.app import build_app

    return build_app()


def test_dc_check_exits_1_and_shows_the_bad_waiver(tiny: Repo) -> None:
    waiver(tiny, "self", "c", "east", "2024-03", approver="e-sec")
    args = ["check", "--repo", str(tiny.root), "--as-of", "2024-04-30", "--rule", "c",
            "--fail-on", "invalid"]
    result = CliRunner().invoke(_app(), [*args, "-f", "json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    [error] = [e for e in doc["errors"] if e["code"] == "bad-waiver"]
    assert error["file"].endswith("self.yaml") and error["line"] == 8
    table = CliRunner().invoke(_app(), args)
    assert table.exit_code == 1 and "bad-waiver" in table.output


def test_plan_test_cases_list_bad_waivers_as_errors(tiny: Repo) -> None:
    case = tiny.plan_dir / "tests" / "01-waivers"
    (case / "records").mkdir(parents=True)
    (case / "case.yaml").write_text("as_of: 2024-04-30\nrules: [c]\n", encoding="utf-8")
    (case / "expected.yaml").write_text(
        "results:\n  - {rule: c, unit: east, period: 2024-03, status: unmet}\n"
        "errors:\n  - {file: self.yaml, code: bad-waiver}\n", encoding="utf-8")
    waiver(Repo.at(tiny.root, records=case / "records"), "self", "c", "east", "2024-03",
           approver="e-sec")
    plan = load_plan(tiny.plan_dir, tiny.root)
    outcome = run_case(load_case(case), plan, tiny)
    assert outcome.passed, outcome.mismatches


def test_dc_validate_stops_a_bad_waiver(tiny: Repo) -> None:
    path = waiver(tiny, "self", "c", "east", "2024-03", approver="e-sec")
    result = CliRunner().invoke(_app(), ["validate", "--repo", str(tiny.root), str(path)])
    assert result.exit_code == 1, result.output
    assert "bad-waiver" in result.output
    good = waiver(tiny, "good", "c", "east", "2024-03")
    ok = CliRunner().invoke(_app(), ["validate", "--repo", str(tiny.root), str(good)])
    assert ok.exit_code == 0, ok.output


def test_the_outcome_carries_the_waivers_that_count_and_reports_list_only_those(
        tiny: Repo) -> None:
    """Reports read the engine's matched waivers instead of matching waiver records again:
    a self-approved waiver is an error and is not shown as an exemption."""
    from dianchang_cli.report import parse_period
    from dianchang_cli.report.build import build

    waiver(tiny, "good", "c", "west", "2024-03")
    waiver(tiny, "self", "c", "east", "2024-03", approver="e-sec")
    out = run(tiny, rules=["c"])
    assert out.waivers == {("c", "west", "2024-03"): "good"}
    period = parse_period("month", "2024-03")
    assert period is not None
    blocks = {u.id: u for u in build(out, period, made=dt.date(2024, 4, 1)).units}
    assert [w.record for w in blocks["west"].waivers] == ["good"]
    assert blocks["east"].waivers == []
