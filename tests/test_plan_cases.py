"""The plan's own test cases (plan/tests/<case>/), the runner behind them, and `dc plan test`."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from dianchang_cli.api import Repo
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.engine.results import Result, Violation
from dianchang_cli.pipeline.plan_tests import (
    CaseSpec,
    ExpectedFile,
    compare,
    diff_lines,
    discover,
    load_case,
    run_case,
    run_cases,
)
from dianchang_cli.planfile.plan import Plan

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plan"
CASES = discover(PLAN)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(PLAN, ROOT)


@pytest.mark.parametrize("case_dir", CASES, ids=[p.name for p in CASES])
def test_case(case_dir: Path, plan: Plan) -> None:
    outcome = run_case(load_case(case_dir), plan, Repo.at(ROOT))
    assert outcome.passed, "\n".join([case_dir.name, *diff_lines(outcome)])


def test_cases_exist_and_are_numbered() -> None:
    assert len(CASES) >= 40
    numbers = [p.name.split("-", 1)[0] for p in CASES]
    assert all(n.isdigit() for n in numbers)
    assert len(set(numbers)) == len(numbers), "two cases share a number"


def _expected() -> dict[str, list[dict]]:
    """Case name → its expected results, read straight from the files."""
    out = {}
    for case_dir in CASES:
        data = yaml.safe_load((case_dir / "expected.yaml").read_text(encoding="utf-8")) or {}
        out[case_dir.name] = [{k: str(v) if k in ("rule", "period") else v
                               for k, v in r.items()} for r in data.get("results", [])]
    return out


def test_every_rule_has_a_met_case_and_another_not_met_case(plan: Plan) -> None:
    met: dict[str, set[str]] = defaultdict(set)
    not_met: dict[str, set[str]] = defaultdict(set)
    counted: dict[str, set[str]] = defaultdict(set)  # tally: cases with actual > 0
    empty: dict[str, set[str]] = defaultdict(set)  # tally: cases with actual == 0
    for name, results in _expected().items():
        for r in results:
            if r["status"] == "met":
                met[r["rule"]].add(name)
            elif r["status"] in ("unmet", "late", "pending", "waived"):
                not_met[r["rule"]].add(name)
            elif r["status"] == "info" and "actual" in r:
                (counted if r["actual"] else empty)[r["rule"]].add(name)
    failing = {r["rule"] for rs in _expected().values() for r in rs
               if r["status"] in ("unmet", "late")}
    lacking = []
    for rule in plan.rules:
        if rule.kind != "tally" and rule.id not in failing:
            lacking.append(rule.id)  # pending or waived alone does not show it can fail
        if rule.kind == "tally":
            good, bad = counted[rule.id], empty[rule.id]
        else:
            good, bad = met[rule.id], not_met[rule.id]
        if not good or not bad or len(good | bad) < 2:
            lacking.append(rule.id)
    assert not lacking, f"rules without both a met and a not-met case: {lacking}"


def test_edges_named_in_the_brief_are_pinned() -> None:
    """The boundary cases stay in the suite (a refactor must not quietly drop them)."""
    seen = {(r["rule"], r["status"], r.get("actual")) for rs in _expected().values()
            for r in rs if not isinstance(r.get("actual"), list)}
    for edge in [("12.2", "met", 8), ("12.2", "unmet", 7), ("14.1", "late", 1),
                 ("12.2", "waived", 3), ("16.1", "pending", 0)]:
        assert edge in seen, edge


# ---------------------------------------------------------------- the runner itself
def _result(status: str, actual: object = 1, violations: tuple[str, ...] = ()) -> Result:
    return Result("17.1", "dongyuan", "2023-05", status, "error", actual=actual, target=1,
                  violations=tuple(Violation(v, "x") for v in violations))


def _compare(expected: dict, results: list[Result], exact: bool = False,
             errors: list[tuple[str, str]] | None = None) -> list:
    spec = CaseSpec(as_of=dt.date(2023, 5, 31), exact=exact)
    return compare(ExpectedFile.model_validate(expected), spec, results, errors or [])


WANT = {"results": [{"rule": "17.1", "unit": "dongyuan", "period": "2023-05", "status": "met"}]}


def test_compare_finds_a_wrong_status_and_a_wrong_value() -> None:
    assert _compare(WANT, [_result("met")]) == []
    [m] = _compare(WANT, [_result("unmet", 0)])
    assert m.expected["status"] == "met" and m.actual["status"] == "unmet"
    wrong_actual = {"results": [{**WANT["results"][0], "actual": 2}]}
    assert _compare(wrong_actual, [_result("met", 1)])


def test_compare_missing_extra_absent_and_errors() -> None:
    assert _compare(WANT, [])[0].actual is None
    extra = Result("17.1", "xiyuan", "2023-05", "unmet", "error", actual=0, target=1)
    assert _compare(WANT, [_result("met"), extra]) == []
    assert len(_compare(WANT, [_result("met"), extra], exact=True)) == 1
    absent = {"absent": [{"rule": "17.1", "unit": "dongyuan", "period": "2023-05"}]}
    assert _compare(absent, [_result("met")])
    errs = {"errors": [{"file": "a.yaml", "code": "pii"}]}
    assert _compare(errs, [], errors=[("a.yaml", "pii")]) == []
    assert len(_compare(errs, [], errors=[("b.yaml", "pii")])) == 2  # one missing, one extra


def test_compare_violations_are_record_ids_in_any_order() -> None:
    want = {"results": [{**WANT["results"][0], "status": "unmet", "violations": ["b", "a"]}]}
    assert _compare(want, [_result("unmet", violations=("a", "b"))]) == []
    assert _compare(want, [_result("unmet", violations=("a",))])


def test_a_broken_case_file_is_a_failing_case_not_a_crash(tmp_path: Path, plan: Plan) -> None:
    case = tmp_path / "01-broken"
    (case / "records").mkdir(parents=True)
    (case / "case.yaml").write_text("as_of: 2023-13-45\nfoo: 1\n", encoding="utf-8")
    (case / "expected.yaml").write_text("results:\n  - {rule: '1.1'}\n", encoding="utf-8")
    outcome = run_case(load_case(case), plan, Repo.at(ROOT))
    assert not outcome.passed
    text = "\n".join(diff_lines(outcome))
    assert "as_of" in text and "foo" in text and "status" in text
    # each at its line: the bad date, the extra key, the result lacking a status
    assert "case.yaml:1:1: as_of:" in text and "case.yaml:2:1: foo:" in text
    assert "expected.yaml:2:5: results.0.status:" in text


def test_unknown_rule_or_unit_in_case_yaml_breaks_the_case(tmp_path: Path, plan: Plan) -> None:
    case = tmp_path / "02-typo"
    (case / "records").mkdir(parents=True)
    (case / "case.yaml").write_text("as_of: 2023-05-31\nrules: [17.10]\nunits: [dongyan]\n",
                                    encoding="utf-8")
    (case / "expected.yaml").write_text("results: []\n", encoding="utf-8")
    outcome = run_case(load_case(case), plan, Repo.at(ROOT))
    assert not outcome.passed
    assert len(outcome.case.broken) == 1 and "quotes" in outcome.case.broken[0]
    (case / "case.yaml").write_text('as_of: 2023-05-31\nrules: ["17.10"]\nunits: [dongyan]\n',
                                    encoding="utf-8")
    outcome = run_case(load_case(case), plan, Repo.at(ROOT))
    assert len(outcome.case.broken) == 2 and "dongyan" in outcome.case.broken[1]


# ---------------------------------------------------------------- dc plan test
def _app() -> typer.Typer:
    from dianchang_cli.cli.app import build_app

    return build_app()


def test_dc_plan_test_runs_every_case() -> None:
    result = CliRunner().invoke(_app(), ["plan", "test", "--repo", str(ROOT)])
    assert result.exit_code == 0, result.output
    for case_dir in CASES:
        assert case_dir.name in result.output


def _copy_plan(tmp_path: Path, cases: list[str]) -> Path:
    shutil.copytree(PLAN, tmp_path / "plan", ignore=shutil.ignore_patterns("tests"))
    for name in cases:
        shutil.copytree(PLAN / "tests" / name, tmp_path / "plan" / "tests" / name)
    return tmp_path


def test_dc_plan_test_shows_a_diff_and_exits_1(tmp_path: Path) -> None:
    root = _copy_plan(tmp_path, ["29-volunteer-eight-vs-seven", "39-reading-monthly"])
    expected = root / "plan/tests/29-volunteer-eight-vs-seven/expected.yaml"
    expected.write_text(expected.read_text(encoding="utf-8").replace(
        "status: met, actual: 8", "status: unmet, actual: 8"), encoding="utf-8")
    result = CliRunner().invoke(_app(), ["plan", "test", "--repo", str(root)])
    assert result.exit_code == 1, result.output
    assert "- {rule: 12.2, unit: dongyuan, period: 2023-05, status: unmet, actual: 8" \
        in result.output
    assert "+ {rule: 12.2, unit: dongyuan, period: 2023-05, status: met, actual: 8" \
        in result.output
    only = CliRunner().invoke(_app(), ["plan", "test", "--repo", str(root), "-k", "reading"])
    assert only.exit_code == 0 and "29-volunteer" not in only.output


def test_dc_plan_test_exits_2_for_a_broken_plan(tmp_path: Path) -> None:
    root = _copy_plan(tmp_path, ["39-reading-monthly"])
    (root / "plan" / "rules" / "5-culture.yaml").write_text("rules: [{id: x}]\n",
                                                             encoding="utf-8")
    result = CliRunner().invoke(_app(), ["plan", "test", "--repo", str(root)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_run_cases_filters_by_name() -> None:
    outcomes = run_cases(Repo.at(ROOT), "festival")
    assert [o.case.name for o in outcomes] == [p.name for p in CASES if "festival" in p.name]
    assert all(o.passed for o in outcomes)
