"""``checks`` on an ``each`` rule: several conditions, each with its own message, and the
plain-language texts ``dc plan test`` requires of every condition, filter and check."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dianchang_cli.api import Repo, check
from dianchang_cli.diagnostics import PlanError
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.pipeline.plan_tests import TEXTS_CASE, missing_texts, run_cases
from plans import COMMON_FIELDS

UNITS = """
subdistrict: top
units:
  - {id: top, name: 总部, kind: subdistrict}
  - {id: east, name: 东区, kind: community}
staff:
  - {id: e-sec, name: 东区书记, unit: east, roles: [secretary]}
  - {id: e-pub, name: 东区宣传员, unit: east, roles: [publicity]}
"""

PLAN = """
plan: {id: test-2024, title: 测试计划, year: 2024}
items: [{number: 1, title: 一项, text: 发布须校对审核。}]
""" + COMMON_FIELDS + """\
record_types:
  - id: post
    name: 发布
    kind: event
    fields:
      author: {type: staff}
      proofreader: {type: staff}
      reviewer: {type: staff}
"""

RULES = """
rules:
  - id: p
    name: 校对审核
    item: 1
    source: 发布须校对审核
    basis: explicit
    kind: each
    scope: community
    period: month
    select: {types: [post], where: "r.unit != ''", where_text: 全部发布}
    severity: error
    checks:
      - condition: "has(r.proofreader) && r.proofreader != r.author"
        message: 未经专人校对
        message_en: not proofread by someone else
        text: 每条发布须由作者以外的专人校对
      - condition: "has(r.reviewer) && 'secretary' in staff[r.reviewer].roles"
        message: 审核人不是书记
        message_en: the reviewer is not the secretary
        text: 每条发布须经书记审核
"""


def make_repo(root: Path, rules: str = RULES) -> Repo:
    (root / "plan").mkdir(parents=True)
    (root / "plan" / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "plan" / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (root / "plan" / "rules.yaml").write_text(rules, encoding="utf-8")
    (root / "records").mkdir()
    return Repo.at(root)


@pytest.fixture
def tiny(tmp_path: Path) -> Repo:
    return make_repo(tmp_path)


def post(repo: Repo, name: str, **fields: str) -> None:
    more = "".join(f"{k}: {v}\n" for k, v in fields.items())
    (repo.records_dir / f"{name}.yaml").write_text(
        f"type: 发布\nunit: east\ndate: 2024-05-06\ntitle: 发布{name}\n{more}", encoding="utf-8")


def violations(repo: Repo) -> dict[str, tuple[str, int, tuple[str, ...]]]:
    out = check(repo, as_of=dt.date(2024, 5, 31), workers=1)
    assert out.problems == [], [p.text() for p in out.problems]
    [res] = [r for r in out.results if r.period == "2024-05"]
    return {Path(v.file).stem: (v.message, v.line, v.fields) for v in res.violations}


def test_the_first_failing_check_names_the_violation(tiny: Repo) -> None:
    post(tiny, "good", author="e-pub", proofreader="e-sec", reviewer="e-sec")
    post(tiny, "unproofed", author="e-pub", reviewer="e-pub")  # fails both: the first names it
    post(tiny, "unreviewed", author="e-pub", proofreader="e-sec", reviewer="e-pub")
    found = violations(tiny)
    assert set(found) == {"unproofed", "unreviewed"}
    assert found["unproofed"][0] == "未经专人校对"
    assert found["unproofed"][2] == ("proofreader",)
    message, line, fields = found["unreviewed"]
    assert message == "审核人不是书记"
    assert fields == ("reviewer",) and line == 7  # the reviewer line of the record


def test_messages_in_english(tiny: Repo, english: None) -> None:
    post(tiny, "unreviewed", author="e-pub", proofreader="e-sec", reviewer="e-pub")
    assert violations(tiny)["unreviewed"][0] == "the reviewer is not the secretary"


def test_without_a_message_a_violation_says_the_plain_sentence(tmp_path: Path) -> None:
    """A condition without ``message`` (a check must have one) is explained by its plain
    sentence, ``condition_text``, never by its CEL."""
    one = RULES.split("    checks:\n")[0] + (
        '    condition: "has(r.proofreader) && r.proofreader != r.author"\n'
        "    condition_text: 每条发布须由作者以外的专人校对\n")
    repo = make_repo(tmp_path, one)
    post(repo, "unproofed", author="e-pub", reviewer="e-sec")
    message = violations(repo)["unproofed"][0]
    assert message == "不满足：每条发布须由作者以外的专人校对"
    assert "has(" not in message


def test_a_result_met_when_every_check_passes(tiny: Repo) -> None:
    post(tiny, "good", author="e-pub", proofreader="e-sec", reviewer="e-sec")
    out = check(tiny, as_of=dt.date(2024, 5, 31), workers=1)
    assert {r.status for r in out.results} == {"met"}


def test_a_check_is_type_checked_at_its_own_line(tmp_path: Path) -> None:
    bad = RULES.replace("'secretary' in staff[r.reviewer].roles", "r.reviewer + 1 > 2")
    with pytest.raises(PlanError) as err:
        load_plan(make_repo(tmp_path, bad).plan_dir, tmp_path)
    [problem] = err.value.problems
    assert problem.file == "plan/rules.yaml"
    assert problem.line == 18 and "checks[1]" in problem.message


def test_a_check_naming_an_unknown_field_is_a_plan_error(tmp_path: Path) -> None:
    bad = RULES.replace("has(r.proofreader) && r.proofreader", "has(r.proofer) && r.proofer")
    with pytest.raises(PlanError) as err:
        load_plan(make_repo(tmp_path, bad).plan_dir, tmp_path)
    [problem] = err.value.problems
    assert problem.line == 14 and "proofer" in problem.message


def test_condition_and_checks_are_exclusive(tmp_path: Path) -> None:
    both = RULES.replace("    checks:\n", "    condition: 'true'\n    checks:\n")
    with pytest.raises(PlanError):
        load_plan(make_repo(tmp_path, both).plan_dir, tmp_path)


# ---------------------------------------------------------------- texts for people
def test_a_plan_with_every_text_has_none_missing(tiny: Repo) -> None:
    assert missing_texts(load_plan(tiny.plan_dir, tiny.root)) == []


@pytest.mark.parametrize(("drop", "key"), [
    ("        text: 每条发布须经书记审核\n", "checks[1].text"),
    (", where_text: 全部发布", "select.where_text"),
])
def test_plan_test_fails_for_a_missing_text(tmp_path: Path, drop: str, key: str,
                                            english: None) -> None:
    repo = make_repo(tmp_path, RULES.replace(drop, ""))
    plan = load_plan(repo.plan_dir, repo.root)  # the plan still loads and checks
    [line] = missing_texts(plan)
    assert line.startswith("plan/rules.yaml:3: ") and "rule p" in line and key in line
    [outcome] = run_cases(repo)
    assert outcome.case.name == TEXTS_CASE and not outcome.passed


def test_a_condition_without_condition_text(tmp_path: Path) -> None:
    rules = RULES.replace("    checks:\n", "    condition: \"has(r.reviewer)\"\n"
                                            "    message: 未审核\n    xchecks:\n")
    rules = rules[:rules.index("    xchecks:")]
    repo = make_repo(tmp_path, rules)
    [line] = missing_texts(load_plan(repo.plan_dir, repo.root))
    assert "condition_text" in line


def _app() -> typer.Typer:
    from dianchang_cli.cli.app import build_app

    return build_app()


def test_dc_plan_test_exits_1_with_a_line_per_rule(tmp_path: Path, english: None) -> None:
    second = textwrap.indent(textwrap.dedent("""\
        - id: q
          name: 有作者
          item: 1
          source: 发布须校对审核
          basis: explicit
          kind: each
          scope: community
          period: month
          select: {types: [post]}
          severity: warning
          condition: "has(r.author)"
          message: 未写作者
        """), "  ")
    repo = make_repo(tmp_path, RULES.replace(", where_text: 全部发布", "") + second)
    result = CliRunner().invoke(_app(), ["plan", "test", "--repo", str(repo.root)])
    assert result.exit_code == 1, result.output
    assert TEXTS_CASE in result.output
    lines = [x for x in result.output.splitlines() if "plan/rules.yaml:" in x]
    assert len(lines) == 2 and "rule p" in lines[0] and "rule q" in lines[1]
