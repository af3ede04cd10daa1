"""The plan is checked in two stages: the plan stage alone (``planfile.loader``: files,
models, units tree, references) and against the engine (``engine.plancheck``: conditions,
periods).  ``engine.plancheck.load_plan`` runs both in one pass, in one order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dianchang_cli.diagnostics import PlanError
from dianchang_cli.engine import plancheck
from dianchang_cli.planfile import loader
from plans import COMMON_FIELDS, ROOT, RULES, UNITS, make_plan, make_repo


def line_of(text: str, words: str) -> int:
    return next(i for i, x in enumerate(text.splitlines(), 1) if words in x)


def test_a_good_plan_passes_both_stages(tmp_path: Path) -> None:
    plan = plancheck.load_plan(make_plan(tmp_path), tmp_path)
    assert plancheck.plan_problems(plan) == []
    assert loader.cross_check(plan) == []


def test_the_plan_stage_leaves_conditions_to_the_engine(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path, where="r.participants >")
    plan = loader.load_plan(plan_dir, tmp_path)  # the plan stage alone: nothing wrong
    [problem] = plancheck.plan_problems(plan)
    assert (problem.file, problem.line, problem.code) == (
        "plan/rules.yaml", line_of(RULES, "where:"), "plan-invalid")
    assert "`where`" in problem.message
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path)
    assert err.value.problems == [problem]


def test_each_rules_problems_stay_together_plan_stage_first(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path, types="reading_activity, nope", where="r.participants >")
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path)
    unknown, where = err.value.problems
    assert "nope" in unknown.message and unknown.line == line_of(RULES, '- id: "1.1"')
    assert "`where`" in where.message and where.line == line_of(RULES, "where:")


def test_the_checks_are_lists_of_small_functions(tmp_path: Path) -> None:
    plan = plancheck.load_plan(make_plan(tmp_path), tmp_path)
    [rule] = plan.rules
    for rule_check in (*loader.RULE_CHECKS, *plancheck.RULE_CHECKS):
        assert rule_check(plan, rule) == [], rule_check.__name__
    for plan_check in (*loader.PLAN_CHECKS, *plancheck.PLAN_CHECKS):
        assert plan_check(plan) == [], plan_check.__name__


def test_the_units_tree_is_checked_by_the_plan_stage(tmp_path: Path) -> None:
    plan_dir = make_plan(tmp_path)
    (plan_dir / "units.yaml").write_text(
        UNITS + "  - {id: west, name: 西区, kind: community, parent: nowhere}\n"
        "staff:\n  - {id: s1, name: 甲, unit: north}\n", encoding="utf-8")
    with pytest.raises(PlanError) as err:
        loader.load_plan(plan_dir, tmp_path)
    parent, staff = err.value.problems
    assert (parent.file, parent.line) == ("plan/units.yaml", 5) and "nowhere" in parent.message
    assert staff.line == 7 and "north" in staff.message


def test_the_real_plan_has_no_engine_problems() -> None:
    plan = plancheck.load_plan(ROOT / "plan", ROOT)
    assert plancheck.plan_problems(plan) == []


def test_a_coverage_rule_without_values_needs_an_enum_field(tmp_path: Path) -> None:
    """The coverage kind's own plan check: covering "every value" of a free-text field
    would cover nothing; the rule is refused at its line, by the plan check of its kind."""
    plan_dir = make_plan(tmp_path)
    rules = (RULES.replace("kind: count", "kind: coverage\n    field: title")
             .replace("    target: 1\n", "").replace("TYPES", "reading_activity")
             .replace("WHERE", "'r.participants > 10'"))
    (plan_dir / "rules.yaml").write_text(rules, encoding="utf-8")
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path)
    [problem] = err.value.problems
    assert problem.code == "plan-invalid" and problem.line == line_of(rules, '- id: "1.1"')
    assert "title" in problem.message and "values" in problem.message
    (plan_dir / "rules.yaml").write_text(rules.replace("field: title",
                                                       "field: title\n    values: [读书]"),
                                         encoding="utf-8")
    assert plancheck.load_plan(plan_dir, tmp_path).rules[0].values == ["读书"]


@pytest.mark.parametrize(("keys", "words"), [
    ("kind: coverage\n    field: topic\n    values: [读书]", "`field: topic`"),
    ("kind: deadline\n    due: {day: 7}\n    date_field: submitted", "`date_field: submitted`"),
    ("kind: deadline\n    due: {day: 7}\n    date_field: title", "type text"),
    ("kind: deadline\n    due: {day: 7}\n    period_field: date", "type date"),
])
def test_a_field_a_rule_names_must_be_one_of_its_records(tmp_path: Path, keys: str,
                                                         words: str, english: None) -> None:
    """A misspelt ``field``/``date_field``/``period_field`` would count nothing and say
    nothing: it is refused at the rule's line, as is a field of the wrong type."""
    plan_dir = make_plan(tmp_path)
    rules = (RULES.replace("kind: count", keys).replace("    target: 1\n", "")
             .replace("TYPES", "reading_activity").replace("WHERE", "'r.participants > 10'"))
    (plan_dir / "rules.yaml").write_text(rules, encoding="utf-8")
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path)
    [problem] = err.value.problems
    assert problem.code == "plan-invalid" and problem.line == line_of(rules, '- id: "1.1"')
    assert words in problem.message


def test_a_key_naming_two_common_fields_is_refused_at_the_second_field(tmp_path: Path) -> None:
    """A clash between two common fields has the line of the common field that repeats the
    key, in plan.yaml (not the plan as a whole, at line 0)."""
    plan = ("plan: {id: t, title: 测试计划, year: 2024}\n"
            + COMMON_FIELDS.replace("id: {type: text}", "id: {type: text, aliases: [标题]}")
                           .replace("title: {type: text,", "title: {type: text, name: 标题,")
            + "record_types:\n  - {id: visit, name: 巡查, kind: event}\n")
    repo = make_repo(tmp_path, plan)
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(repo.plan_dir, tmp_path)
    [problem] = err.value.problems
    assert (problem.file, problem.line) == ("plan/plan.yaml", line_of(plan, "id: {type: text"))
    assert "标题" in problem.message and "title" in problem.message


@pytest.mark.parametrize(("file", "old", "new", "words"), [
    ("types.yaml", "to: media_account,", "to: media_acount,", "`to: media_acount`"),
    ("types.yaml", "default_month_of: submitted_on", "default_month_of: submited_on",
     "`default_month_of: submited_on`"),
    ("types.yaml", "default_month_of: submitted_on", "default_month_of: nominee",
     "`default_month_of: nominee`"),
    ("types.yaml", "resident_names: [nominee]", "resident_names: [nomine]", "nomine"),
    ("plan.yaml", "  unit: target\n", "  unit: targt\n", "'targt'"),
])
def test_a_field_the_plan_names_must_exist(tmp_path: Path, file: str, old: str, new: str,
                                           words: str, english: None) -> None:
    """A record field's ``to``, a ``default_month_of``, a ``resident_names`` entry and the
    waiver's fields name fields (types) that exist: a typo is a plan error at its line,
    never an internal error in the middle of a check, nor records that silently count
    nothing."""
    plan_dir = tmp_path / "plan"
    shutil.copytree(ROOT / "plan", plan_dir, ignore=shutil.ignore_patterns("tests"))
    path = plan_dir / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path)
    [problem] = err.value.problems
    assert problem.file == f"plan/{file}" and words in problem.message
    assert problem.line == line_of(path.read_text(encoding="utf-8"), new.strip().split(",")[0])


def test_scope_target_needs_a_target_field(tmp_path: Path, english: None) -> None:
    plan_dir = tmp_path / "plan"
    shutil.copytree(ROOT / "plan", plan_dir, ignore=shutil.ignore_patterns("tests"))
    path = plan_dir / "types.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      target: {type: unit", "      targets: {type: unit", 1),
                    encoding="utf-8")
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path)
    assert any("`scope: target`" in p.message for p in err.value.problems)


def test_model_errors_are_said_in_the_plan_authors_language(tmp_path: Path) -> None:
    """Pydantic's English ("Input should be …", "Extra inputs are not permitted") never
    reaches a plan author: each key's error once, in Chinese by default; a scope that fits
    no branch of its union is one error, not one per branch."""
    plan_dir = tmp_path / "plan"
    shutil.copytree(ROOT / "plan", plan_dir, ignore=shutil.ignore_patterns("tests"))
    path = plan_dir / "rules" / "2-opinion.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    scope: target\n", "    scope: comunity\n    scoep: x\n", 1),
                    encoding="utf-8")
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path)
    said = [(p.line, p.message) for p in err.value.problems]
    assert [line for line, _m in said] == [40, 41]
    assert "应为以下之一：" in said[0][1] and "'community'" in said[0][1]
    assert "不是这里可用的键" in said[1][1]
    assert not any("Input should" in m or "Extra inputs" in m for _l, m in said)


@pytest.mark.parametrize(("old", "new", "words"), [
    ("  - id: hexi\n", "  - id: con\n", "Windows"),
    ("  - id: hexi\n", "  - id: nul.x\n", "Windows"),
    ("  - id: hexi\n", "  - id: DongYuan\n", "DongYuan"),
])
def test_a_unit_id_must_make_a_folder_on_windows(tmp_path: Path, old: str, new: str,
                                                 words: str, english: None) -> None:
    """A unit's id names its folder below records/: not a Windows device name, and not
    the same as another's but for case."""
    plan_dir = tmp_path / "plan"
    shutil.copytree(ROOT / "plan", plan_dir, ignore=shutil.ignore_patterns("tests"))
    path = plan_dir / "units.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PlanError) as err:
        plancheck.load_plan(plan_dir, tmp_path)
    assert any(words in p.message and p.file == "plan/units.yaml" for p in err.value.problems)
