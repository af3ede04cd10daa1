"""A rule kind declares itself: adding a kind is adding one module of ``engine/kinds/``.

The registry admits a module that declares everything a kind must (name, needed keys, word,
whether it judges, target text, check); the evaluator stamps rule, unit, period and
severity into what the kind's check returns; the labels read the kind's word and target
text from the module; :func:`rule_problems` says what a rule lacks for its kind.
"""

from __future__ import annotations

import datetime as dt
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dianchang_cli.api import Repo, check
from dianchang_cli.engine import kinds
from dianchang_cli.engine.context import Compiled, Context, Selector
from dianchang_cli.engine.periods import Period
from dianchang_cli.engine.results import Result, Verdict
from dianchang_cli.planfile.model import Rule
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.render.labels import kind_word, target_text
from plans import COMMON_FIELDS, make_repo

UNITS = """
subdistrict: top
units:
  - {id: top, name: 总部, kind: subdistrict}
  - {id: east, name: 东区, kind: community}
  - {id: west, name: 西区, kind: community}
"""

PLAN = """
plan: {id: fake-2024, title: 测试计划, year: 2024, effective: 2024-03-01}
items: [{number: 1, title: 一项, text: 每季巡查三次。}]
sections: [{id: 一, title: 第一部分, items: [1]}]
""" + COMMON_FIELDS + """\
record_types:
  - {id: visit, name: 巡查, kind: event}
rules:
  - {id: c, name: 每季一次巡查, item: 1, source: 每季巡查三次, basis: explicit, kind: count,
     scope: community, period: quarter, select: {types: [visit]}, target: 1, severity: error}
"""

FAKE_RULE = """
rules:
  - {id: z, name: 每季三次巡查, item: 1, source: 每季巡查三次, basis: explicit, kind: fake,
     scope: community, period: quarter, select: {types: [visit]}, severity: warning}
"""


def _fake_check(c: Compiled, ctx: Context, who: Selector, period: Period) -> Verdict:
    found = ctx.select(c, who, period)
    return Verdict("met" if len(found) >= 3 else "unmet", actual=len(found), target=3,
                   records=tuple(r.id for r in found))


def _fake_target(rule: Rule, plan: Plan | None = None) -> str:
    return "three visits a quarter"


def fake_module(**override: Any) -> ModuleType:
    """A kind module made in the test: what a new file in engine/kinds/ would declare."""
    module = ModuleType("fake")
    declared = {"ID": "fake", "NEEDS": (), "WORD": "three visits", "JUDGES": True,
                "target_text": _fake_target, "check": _fake_check, **override}
    for name, value in declared.items():
        setattr(module, name, value)
    return module


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, kinds.Kind]:
    """A copy of the registry for the test to add to; the real one is put back after."""
    copy = dict(kinds.KINDS)
    monkeypatch.setattr(kinds, "KINDS", copy)
    return copy


@pytest.fixture
def tiny(tmp_path: Path) -> Repo:
    repo = make_repo(tmp_path, PLAN, UNITS)
    for n, day in enumerate(("2024-04-02", "2024-04-09", "2024-05-20", "2024-03-05")):
        (repo.records_dir / f"v{n}.yaml").write_text(
            f"type: 巡查\nunit: east\ndate: {day}\ntitle: 巡查{n}\n", encoding="utf-8")
    return repo


def add_fake_rule(repo: Repo) -> None:
    """A rule of the fake kind: a plan may use a kind once its module is registered."""
    (repo.plan_dir / "fake.yaml").write_text(FAKE_RULE, encoding="utf-8")


def _results(repo: Repo, rule: str) -> dict[tuple[str, str], Result]:
    out = check(repo, as_of=dt.date(2024, 6, 30), rules=[rule], workers=1)
    assert out.problems == [], [p.text() for p in out.problems]
    return {(r.unit, r.period): r for r in out.results}


def test_a_kind_module_registered_in_a_test_evaluates(registry: dict[str, kinds.Kind],
                                                      tiny: Repo, english: None) -> None:
    kinds.register(fake_module())
    add_fake_rule(tiny)
    got = _results(tiny, "z")
    assert sorted(got) == [("east", "2024-Q1"), ("east", "2024-Q2"),
                           ("west", "2024-Q1"), ("west", "2024-Q2")]
    q2 = got[("east", "2024-Q2")]
    assert (q2.rule, q2.unit, q2.period, q2.severity) == ("z", "east", "2024-Q2", "warning")
    assert (q2.status, q2.actual, q2.target, len(q2.records)) == ("met", 3, 3, 3)
    assert got[("east", "2024-Q1")].status == "unmet"


def test_the_labels_read_a_kind_from_its_module(registry: dict[str, kinds.Kind],
                                                english: None) -> None:
    kinds.register(fake_module())
    rule = _rule(kind="fake")
    assert target_text(rule) == "three visits a quarter"
    assert kind_word("fake") == "three visits"
    assert kind_word("each") == "every record"  # the word the `each` module declares


def test_a_kind_that_does_not_judge_carries_no_severity(registry: dict[str, kinds.Kind],
                                                        tiny: Repo) -> None:
    kinds.register(fake_module(JUDGES=False))
    add_fake_rule(tiny)
    assert {r.severity for r in _results(tiny, "z").values()} == {None}


def test_the_evaluator_stamps_rule_unit_period_and_severity(tiny: Repo) -> None:
    got = _results(tiny, "c")
    assert {(r.rule, r.severity) for r in got.values()} == {("c", "error")}
    assert got[("west", "2024-Q2")].status == "unmet"
    assert Verdict("late", actual=2, target=1, late_records=("a",)).stamp(
        "r", "u", "2024-03", "error") == Result("r", "u", "2024-03", "late", "error",
                                                actual=2, target=1, late_records=("a",))


def test_every_module_of_the_package_is_a_registered_kind() -> None:
    names = {m.name for m in pkgutil.iter_modules(kinds.__path__) if not m.name.startswith("_")}
    assert set(kinds.KINDS) == names
    assert {"count", "coverage", "deadline", "each", "exists", "tally"} <= names


@pytest.mark.parametrize("name", sorted(kinds.KINDS))
def test_every_registered_kind_declares_itself(name: str) -> None:
    kind = kinds.KINDS[name]
    assert all(hasattr(kind, attr) for attr in kinds.DECLARES)
    assert name == kind.ID
    assert kinds.get(name) is kind
    assert isinstance(kind.WORD, str) and kind.WORD
    assert isinstance(kind.JUDGES, bool)
    assert all(isinstance(n, str) or (isinstance(n, tuple) and len(n) > 1) for n in kind.NEEDS)
    assert callable(kind.check)
    assert isinstance(kind.target_text(_rule(kind=name, target=2, field="topic",
                                             condition="true")), str)


def test_register_refuses_a_module_that_does_not_declare_itself(
        registry: dict[str, kinds.Kind]) -> None:
    incomplete = fake_module()
    del incomplete.WORD
    with pytest.raises(TypeError, match="WORD"):
        kinds.register(incomplete)
    with pytest.raises(ValueError, match="count"):
        kinds.register(fake_module(ID="count"))
    with pytest.raises(KeyError, match="nope"):
        kinds.get("nope")
    assert kinds.find("nope") is None


def _rule(**fields: Any) -> Rule:
    base: dict[str, Any] = {"id": "r1", "name": "规则", "item": 1, "source": "原文",
                            "basis": "explicit", "scope": "community", "period": "month",
                            "select": {"types": ["visit"]}, "severity": "error"}
    return Rule.model_validate({**base, **fields})


@pytest.mark.parametrize(("fields", "problems"), [
    ({"kind": "count", "target": 0}, []),
    ({"kind": "count"}, ["a `count` rule needs: target"]),
    ({"kind": "deadline"}, ["a `deadline` rule needs: due"]),
    ({"kind": "coverage"}, ["a `coverage` rule needs: field"]),
    ({"kind": "each"}, ["a `each` rule needs: condition (or checks)"]),
    ({"kind": "each", "checks": []}, ["a `each` rule needs: condition (or checks)"]),
    ({"kind": "each", "checks": [{"condition": "true", "message": "坏"}]}, []),
    ({"kind": "exists"}, []),
    ({"kind": "tally", "severity": None}, []),
    ({"kind": "exists", "severity": None},
     ["give a `severity` (error or warning); only a tally has none"]),
    ({"kind": "bogus"},
     ["unknown kind 'bogus'; known kinds: count, coverage, deadline, each, exists, tally"]),
])
def test_rule_problems(fields: dict[str, Any], problems: list[str], english: None) -> None:
    assert kinds.rule_problems(_rule(**fields)) == problems
