"""Simple conditions in Python (:mod:`dianchang_cli.engine.fastcond`) give CEL's answer or
none: hypothesis writes conditions and records, and CEL itself is the oracle."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from dianchang_cli.api import Repo, check
from dianchang_cli.engine import conditions
from dianchang_cli.engine.conditions import ConditionError, compile_condition
from dianchang_cli.engine.fastcond import Unsure, compile_fast

FIELDS = ("a", "b", "c")
TEXTS = st.sampled_from(["", "x", "意识形态", "专题研究", "é", "b"])
VALUES = st.one_of(
    TEXTS,
    st.integers(-3, 3),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(TEXTS, max_size=3),
    st.lists(st.one_of(TEXTS, st.integers(0, 2)), max_size=3),
)
RECORDS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=3)

_field = st.sampled_from(FIELDS).map(lambda f: f"r.{f}")
_text = TEXTS.map(lambda t: f"'{t}'")
_int = st.integers(-3, 3).map(str)
_op = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
_key = st.sampled_from(["unit", "roles"])
ATOMS = st.one_of(
    _field.map(lambda f: f"has({f})"),
    st.tuples(_field, _op, st.one_of(_text, _int)).map(" ".join),
    st.tuples(_field, st.sampled_from(["==", "!="]), st.sampled_from(["true", "false"]))
    .map(" ".join),
    st.tuples(_text, _field).map(lambda p: f"{p[0]} in {p[1]}"),
    st.tuples(_field, _op, _int).map(lambda p: f"size({p[0]}) {p[1]} {p[2]}"),
    st.tuples(_field, _op, _field).map(" ".join),
    st.tuples(_field, st.sampled_from(["==", "!="])).map(lambda p: f"{p[0]} {p[1]} period.name"),
    _field.map(lambda f: f"{f} in staff"),
    st.tuples(_text, _field, _key).map(lambda p: f"{p[0]} in staff[{p[1]}].{p[2]}"),
    st.tuples(_field, _key, st.sampled_from(["==", "!="]), _field)
    .map(lambda p: f"staff[{p[0]}].{p[1]} {p[2]} {p[3]}"),
    _field,
    st.sampled_from(["true", "false"]),
)
CONDITIONS = st.recursive(ATOMS, lambda inner: st.one_of(
    st.tuples(inner, st.sampled_from(["&&", "||"]), inner).map(" ".join),
    inner.map(lambda c: f"!({c})"),
    inner.map(lambda c: f"({c})"),
), max_leaves=6)


# ``period`` as the engine passes it (its name is text, "" for a period without one), or
# shapes it never has — Python must step aside for those
PERIODS = st.one_of(st.fixed_dictionaries({"label": st.just("2023-05"), "name": TEXTS}),
                    st.just({}), st.fixed_dictionaries({"name": st.integers(0, 2)}))
# ``staff`` as the engine passes it (id → unit, roles, name), entries lacking a key, and
# shapes it never has
_MEMBER = st.one_of(
    st.fixed_dictionaries({"unit": TEXTS, "roles": st.lists(TEXTS, max_size=2)},
                          optional={"name": TEXTS}),
    st.dictionaries(st.sampled_from(["unit", "roles"]), VALUES, max_size=2),
    st.integers(0, 2))
STAFF = st.one_of(st.dictionaries(TEXTS, _MEMBER, max_size=3), st.just([]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONDITIONS, RECORDS, PERIODS, STAFF)
@example("size(r.a) == 1", {"a": "é"}, {}, {})  # CEL's binding counts this text apart
@example("size(r.a) == 4", {"a": "意识形态"}, {}, {})
@example("has(r.a) && r.a == period.name", {"a": "国庆节"}, {"name": "国庆节"}, {})
@example("has(r.a) && r.a in staff && 'secretary' in staff[r.a].roles && "
         "staff[r.a].unit == r.b", {"a": "x", "b": "c1"}, {},
         {"x": {"unit": "c1", "roles": ["secretary"], "name": "张"}})
@example("'b' in staff[r.a].roles || staff[r.a].unit != r.b", {"a": "x", "b": "c1"}, {},
         {"x": {"unit": "c2"}})
def test_python_answers_only_what_cel_answers_the_same(source: str, record: dict[str, Any],
                                                       period: dict[str, Any],
                                                       staff: Any) -> None:
    try:
        cond = compile_condition(source)
    except ConditionError:
        return  # CEL refuses the text (a comparison CEL does not parse): not ours either
    assert cond.fast is not None, source  # every generated shape is a simple one
    activation = {"r": record, "period": period, "staff": staff}
    try:
        fast = cond.fast(activation)
    except Unsure:
        return  # CEL is asked: nothing to compare
    # the CEL program itself, never the Python form
    cel_answer = cond(activation)
    assert cel_answer is fast, (source, record, cel_answer, fast)


@pytest.mark.parametrize(("source", "record", "answer"), [
    ("has(r.a) && r.a == 'x'", {"a": "x"}, True),
    ("has(r.a) && r.a == 'x'", {}, False),
    ("r.a > 0 && r.a <= 3", {"a": 2}, True),
    ("'x' in r.a", {"a": ["y"]}, False),
    ("size(r.a) > 0", {"a": ["y"]}, True),
    ("r.a || r.b", {"a": True}, True),
    ("!(r.a == r.b)", {"a": "x", "b": "y"}, True),
    ("r.a != period.name", {"a": "x"}, False),
    ("has(r.a) && r.a in staff && 'secretary' in staff[r.a].roles && staff[r.a].unit == r.b",
     {"a": "s1", "b": "c1"}, True),
    ("r.a in staff && staff[r.a].unit == r.b", {"a": "s2", "b": "c1"}, False),
    ("has(r.a) && r.a in staff", {"a": "nobody"}, False),
])
def test_python_answers_the_common_shapes(source: str, record: dict[str, Any],
                                          answer: bool) -> None:
    """The shapes plans use are answered in Python (not all handed back to CEL, which
    would leave the test above nothing to compare), and as CEL answers them."""
    fast = compile_fast(source)
    assert fast is not None
    activation = {"r": record, "period": {"name": "x"},
                  "staff": {"s1": {"unit": "c1", "roles": ["secretary"], "name": "甲"},
                            "s2": {"unit": "c2", "roles": [], "name": "乙"}}}
    assert fast(activation) is answer
    assert compile_condition(source)(activation) is answer


@pytest.mark.parametrize("source", [
    "r.a + 1 > 2", "r.a in ['x', 'y']", "r.a.b == 'x'", "r'x' in r.a", "1.5 < r.a",
    "r.a > 1.5", "r.a > 0x10", "r.a > 5u", "staff[r.a].unit == 'x'", "r == 'x'",
    "r.a in has", "staff[r.a].unit < r.b", "'x' in staff[r.a]", "staff[r.a.b].unit == r.c",
    "has(r.a) && r.a.matches('x')", "r.a < true", "size(r.a) > 'x'", "r.a == 'x' // note",
    "r.a == 'it\\'s'", "r.a > 99999999999999999999", "as_of > r.a", "period.name == r.a",
])
def test_anything_else_is_left_to_cel(source: str) -> None:
    assert compile_fast(source) is None


def test_a_missing_field_gets_cels_own_message() -> None:
    """A field the record lacks is an error only CEL words: Python steps aside."""
    cond = compile_condition("r.a > 0")
    with pytest.raises(conditions.MissingValue) as missing:
        cond.test({"r": {}})
    assert "a" in str(missing.value)
    assert cond.test({"r": {"a": 1}}) is True


def test_the_demo_is_judged_the_same_without_the_python_forms(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "demo"
    shutil.copytree(ROOT / "plan", root / "plan")
    shutil.copytree(ROOT / "records", root / "records")
    repo = Repo.at(root)
    fast = check(repo, as_of=dt.date(2023, 12, 31), cache=False)
    assert any(compile_condition(r.condition).fast for r in fast.plan.rules if r.condition)
    monkeypatch.setattr(conditions, "compile_fast", lambda source: None)
    slow = check(repo, as_of=dt.date(2023, 12, 31), cache=False)
    assert slow.results == fast.results and slow.problems == fast.problems
