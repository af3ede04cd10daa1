"""CEL conditions: what binding failures mean, cost limits, dates at the ends of the calendar."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from conftest import PLAN
from dianchang_cli.engine.conditions import (
    CEL_MAX,
    CEL_MIN,
    MAX_LITERAL_ITEMS,
    MAX_SOURCE,
    ConditionError,
    ConditionFailed,
    MissingValue,
    cel_time,
    compile_condition,
    cost_problems,
    day_end,
    day_start,
    to_cel,
)


def _literal(n: int) -> str:
    return "[" + ",".join(str(i) for i in range(1, n + 1)) + "]"


# ---------------------------------------------------------------- what a failure means
@pytest.mark.parametrize("source", ["r.title == 'x'", "has(r.a) || r.b > 1", "r.m['k'] == 1"])
def test_reading_something_absent_is_a_missing_value(source: str) -> None:
    cond = compile_condition(source)
    with pytest.raises(MissingValue):
        cond.test({"r": {"m": {}, "tags": ["a"]}})


@pytest.mark.parametrize("source", [
    "r.title + 1 > 0",  # string + int
    "r.title > 1",  # no such overload
    "1 / 0 == 1",  # division by zero
    "9223372036854775807 + r.n > 0",  # overflow
    "int(r.title) > 0",  # a function that fails
    "nosuchfunction(r.n)",  # an unknown name
    "r.title.matches('(')",  # a bad regular expression
    "r.tags[3] == 'x'",  # an index past the end: guard it with size()
    "r.n",  # not a boolean
    "r.title",
])
def test_any_other_failure_is_the_conditions_fault(source: str) -> None:
    cond = compile_condition(source)
    with pytest.raises(ConditionFailed):
        cond.test({"r": {"title": "示例", "n": 1, "tags": ["a"]}})


def test_a_programming_error_is_not_turned_into_condition_not_met() -> None:
    """Only the binding's own failures become ConditionError; a bad Python value that dc
    itself would pass (a bug) surfaces as what it is."""
    cond = compile_condition("r.x == 1")
    with pytest.raises(Exception) as info:
        cond.test({"r": {"x": object()}})
    assert not isinstance(info.value, ConditionError)


def test_a_syntax_error_is_a_condition_error_with_the_parsers_words() -> None:
    with pytest.raises(ConditionError, match="1 \\+"):
        compile_condition("1 +")


def test_true_and_false_are_answers() -> None:
    assert compile_condition("r.n > 0").test({"r": {"n": 1}}) is True
    assert compile_condition("r.n > 1").test({"r": {"n": 1}}) is False


# ---------------------------------------------------------------- cost
def test_every_condition_of_the_real_plan_is_cheap_enough() -> None:
    sources = re.findall(r"(?:condition|where): (\"[^\n]*\"|'[^\n]*')",
                         "\n".join(p.read_text(encoding="utf-8")
                                   for p in (PLAN / "rules").glob("*.yaml")))
    assert len(sources) > 10
    for quoted in sources:
        assert cost_problems(quoted[1:-1]) == [], quoted


@pytest.mark.parametrize(("source", "words"), [
    (f"{_literal(1000)}.all(x, {_literal(1000)}.all(y, {_literal(1000)}"
     ".exists(z, x + y + z < 0)))", "characters"),
    (f"{_literal(100)}.all(x, {_literal(200)}.exists(y, x + y < 0))", "10000"),
    (f"{_literal(3)}.all(x, {_literal(3)}.all(y, {_literal(3)}.exists(z, x < y)))", "nested 3"),
    ("r.tags.all(x, r.tags.exists(y, x == y))", "record data"),
    (f"{_literal(MAX_LITERAL_ITEMS + 1)} == r.x", "items"),
    ("'" + "a" * 1001 + "' == r.title", "text literal"),
    ("r.title == 'a' || " * 300 + "true", "characters"),
])
def test_too_expensive_is_said_before_running(source: str, words: str, english: None) -> None:
    problems = cost_problems(source)
    assert problems and any(words in p for p in problems), problems


@pytest.mark.parametrize("source", [
    f"{_literal(100)}.all(x, {_literal(100)}.exists(y, x + y > 0))",
    "r.tags.all(t, ['a', 'b', 'c'].exists(x, x == t))",
    "[[1, 2], [3]].all(x, x.all(y, y > 0))",
    "r.tags[0] == '[' && r.title == \"(,,,]\" && {'a': 1}['a'] == 1",
    "r.outcome.matches(r\"\\S\")",
])
def test_ordinary_conditions_pass_the_cost_check(source: str) -> None:
    assert cost_problems(source) == []


def test_the_cost_check_itself_is_fast() -> None:
    start = time.perf_counter()
    cost_problems("[" + ",".join(["[1,2]"] * 700) + "]" + " " * (MAX_SOURCE - 4300))
    assert time.perf_counter() - start < 0.5


def test_an_expensive_literal_condition_would_really_run_long() -> None:
    """The limit is not arbitrary: the largest nesting it admits finishes quickly."""
    source = f"{_literal(100)}.all(x, {_literal(100)}.all(y, x + y > 0))"
    assert cost_problems(source) == []
    start = time.perf_counter()
    assert compile_condition(source).test({}) is True
    assert time.perf_counter() - start < 1.0


# ---------------------------------------------------------------- the ends of the calendar
def test_day_start_and_end_never_overflow() -> None:
    assert day_end(dt.date.max) == dt.datetime(9999, 12, 31, 23, 59, 59, 999999,
                                               tzinfo=day_end(dt.date.max).tzinfo)
    assert day_start(dt.date.min).year == 1
    assert day_end(dt.date(2023, 12, 31)) - day_start(dt.date(2023, 12, 31)) \
        == dt.timedelta(days=1) - dt.timedelta(microseconds=1)


@pytest.mark.parametrize("value", [
    dt.date.max, dt.date.min,
    dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-23, minutes=-59))),
    dt.datetime.min.replace(tzinfo=dt.timezone(dt.timedelta(hours=23, minutes=59))),
    dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC),
])
def test_values_near_the_ends_convert_and_take_arithmetic(value: dt.date) -> None:
    converted = to_cel(value)
    assert CEL_MIN <= converted <= CEL_MAX
    cond = compile_condition("r.d + duration('744h') > r.d && r.d - duration('744h') < r.d")
    assert cond.test({"r": {"d": value}}) is True


def test_ordinary_values_are_unchanged() -> None:
    when = dt.datetime(2023, 7, 20, 2, 5, tzinfo=dt.UTC)
    assert cel_time(when) == when
    assert to_cel(dt.date(2023, 7, 20)) == day_start(dt.date(2023, 7, 20))
    assert to_cel([dt.date(2023, 1, 1), "x"])[1] == "x"


def test_size_of_text_counts_utf8_bytes_as_docs_say() -> None:
    """docs/plan-format.md: size() of text counts UTF-8 bytes in the CEL library dc uses."""
    assert compile_condition("size('意识形态') == 12").test({}) is True
    assert compile_condition("size(r.a) >= 60").test({"r": {"a": "字" * 20}}) is True
    assert compile_condition("size(['a', 'b']) == 2").test({}) is True
