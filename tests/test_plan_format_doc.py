"""docs/plan-format.md is the contract plan authors write from: its YAML examples are real.

Every ```yaml block of the document is parsed and validated by the model it illustrates —
a plan file's keys, a rule, ``units.yaml``, a plan test's ``case.yaml``/``expected.yaml``
— and the rule excerpts, completed with the keys the text says they omit, load as rules of
their kind.  A key renamed in the code, or a typo in the document, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dianchang_cli.engine import kinds
from dianchang_cli.pipeline.plan_tests import CaseSpec, ExpectedFile
from dianchang_cli.planfile.model import PlanFile, Rule, Units

DOC = Path(__file__).resolve().parent.parent / "docs" / "plan-format.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
# what the excerpts after the first leave out (the document says so below them)
OMITTED = {"name": "示例规则", "item": 1, "source": "示例", "basis": "explicit"}


def _blocks(first_line: str) -> list[Any]:
    found = [yaml.safe_load(b) for b in BLOCKS if b.lstrip().startswith(first_line)]
    assert found, f"a block starting {first_line!r}"
    return found


def _block(first_line: str) -> Any:
    [found] = _blocks(first_line)
    return found


def test_every_block_is_yaml_and_is_checked_here() -> None:
    assert len(BLOCKS) >= 11
    for block in BLOCKS:
        yaml.safe_load(block)


def test_the_units_example_is_a_units_file() -> None:
    units = Units.model_validate(_block("subdistrict:"))
    assert [u.kind for u in units.units] == ["subdistrict", "community", "branch"]


@pytest.mark.parametrize("first_line", ["record_types:", "windows:", "festivals:", "waivers:",
                                        "coverage:"])
def test_plan_file_examples_are_plan_files(first_line: str) -> None:
    for block in _blocks(first_line):
        assert PlanFile.model_validate(block)


def test_the_rule_excerpts_are_rules_of_their_kind() -> None:
    rules = _block("# count:")
    assert {r["kind"] for r in rules} == set(kinds.KINDS)  # one of each kind, at least
    for i, raw in enumerate(rules):
        rule = Rule.model_validate(raw if i == 0 else {**OMITTED, "severity": None, **raw}
                                   if raw["kind"] == "tally" else
                                   {**OMITTED, "severity": "error", **raw})
        needs = kinds.rule_problems(rule)
        assert needs == [], (rule.id, needs)


def test_the_sentence_example_is_two_rules() -> None:
    rules = [Rule.model_validate({**OMITTED, "kind": "each", "scope": "community",
                                  "period": "month", "severity": "error", **raw})
             for raw in _block('- id: "5.8"')]
    assert [r.id for r in rules] == ["5.8", "5.1"]
    # each shows the plain sentence for its CEL: condition_text, where_text
    assert rules[0].condition and rules[0].condition_text
    assert rules[1].select.where and rules[1].select.where_text


def test_the_plan_test_examples_are_a_case() -> None:
    spec = CaseSpec.model_validate(_block("# plan/tests/44-good-person-due-day/case.yaml"))
    assert spec.day_open and spec.rules
    expected = ExpectedFile.model_validate(
        _block("# plan/tests/44-good-person-due-day/expected.yaml"))
    assert expected.results and expected.absent and expected.errors
    coverage = next(r for r in expected.results if r.missing)
    assert isinstance(coverage.actual, list)  # a coverage rule's actual: the values held
