"""The validator under hostile records: bounded cost and output, escaped and masked quotes,
null and non-text keys, and date warnings that leave the record counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dianchang_cli.api import Outcome
from dianchang_cli.diagnostics import _CONTROL as CONTROL
from dianchang_cli.diagnostics import Problem
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.load.yamlsafe import load_bytes
from dianchang_cli.planfile.plan import Plan
from dianchang_cli.records import validate as validate_module
from dianchang_cli.records.model import Record
from dianchang_cli.records.validate import LISTED, Validator

PLAN = Path(__file__).resolve().parent.parent / "plan"
READING = "type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: 世界读书日阅读活动\n"
TODAY = dt.date(2023, 6, 1)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(PLAN)


@pytest.fixture(scope="module")
def validator(plan: Plan) -> Validator:
    return Validator(plan, today=TODAY)


def validate(validator: Validator, text: str) -> tuple[Record | None, list[Problem]]:
    loaded = load_bytes(text.encode(), "r.yaml")
    assert loaded.problem is None, loaded.problem
    return validator.validate(loaded.value, loaded.node, "r.yaml", "r")


def codes(problems: list[Problem]) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.code) for p in problems]


# ---------------------------------------------------------------- bounded work and output
def test_fifty_thousand_unknown_keys_are_listed_twenty_and_counted(
        validator: Validator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: one problem per key, each placed by a walk of all keys and carrying the
    whole field list (50,000 keys: over a minute).  Now every mapping is indexed once."""
    walks = []
    entries = validate_module._Places._entries

    def counted(self: validate_module._Places, node: object, value: object) -> object:
        if id(node) not in self._maps:
            walks.append(id(node))
        return entries(self, node, value)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_module._Places, "_entries", counted)
    text = READING + "".join(f"k{i:05d}: v\n" for i in range(50_000))
    record, problems = validate(validator, text)
    assert record is None
    assert len(problems) == LISTED + 1
    assert codes(problems)[:2] == [(5, 1, "unknown-field"), (6, 1, "unknown-field")]
    last = problems[-1]
    assert last.code == "unknown-field" and "49980" in last.message
    assert (last.line, last.column) == (5 + LISTED, 1)  # at the first key not listed
    assert len(walks) == 1  # the record's mapping, indexed once
    assert sum(len(p.text()) for p in problems) < 10_000


def test_many_pii_hits_are_listed_twenty_and_counted(validator: Validator) -> None:
    text = READING + "tags:\n" + "".join(f"  - 138 1234 {i:04d}\n" for i in range(5000))
    record, problems = validate(validator, text)
    assert record is None
    assert [p.code for p in problems] == ["pii"] * (LISTED + 1)
    assert (problems[0].line, problems[0].column) == (6, 5)
    assert (problems[LISTED - 1].line, problems[LISTED - 1].column) == (5 + LISTED, 5)
    assert "4980" in problems[-1].message


def test_a_huge_bad_value_is_quoted_short(validator: Validator) -> None:
    text = READING.replace("2023-04-23", "2023-04-23" + "9" * 900_000)
    record, problems = validate(validator, text)
    assert record is None and codes(problems) == [(3, 7, "bad-value")]
    assert len(problems[0].text()) < 600
    assert "…(+" in problems[0].message


@pytest.mark.parametrize("extra", [
    '"\\e[31mred": x\n',  # an ESC in a key
    'summary: "\\e]0;owned\\a\\e[2J"\n',  # fine as a summary, but…
    'participants: "\\e[31m12"\n',  # …quoted back when the value is bad
    'unit: "\\e[31mnowhere\\u202e"\n',
])
def test_control_characters_are_escaped_in_messages(validator: Validator, extra: str) -> None:
    _record, problems = validate(validator, READING.replace("unit: dongyuan\n", "") + extra
                                 if extra.startswith("unit") else READING + extra)
    for p in problems:
        assert not CONTROL.search(p.text()), p.text()
    if "e[31m" in extra:
        assert problems and any("\\x1b" in p.message for p in problems)


def test_an_escaped_type_name_is_escaped_and_capped(validator: Validator) -> None:
    text = READING.replace("type: 阅读活动", 'type: "\\e[2J' + "读" * 5000 + '"')
    _record, problems = validate(validator, text)
    assert codes(problems) == [(1, 7, "unknown-type")]
    assert "\\x1b[2J" in problems[0].message and len(problems[0].message) < 500


def test_a_hostile_plan_cannot_make_the_expected_text_long(plan: Plan) -> None:
    schema = validate_module.TypeSchema(plan, plan.types["reading_activity"])
    assert len(schema.field_list) < 300
    many = {**plan.common_fields, **{f"f{i}": plan.common_fields["title"]
                                     for i in range(10_000)}}
    wide_plan = type("P", (), {"common_fields": many})()
    schema = validate_module.TypeSchema(wide_plan, plan.types["reading_activity"])  # type: ignore[arg-type]
    assert len(schema.field_list) < 300


# ---------------------------------------------------------------- keys
@pytest.mark.parametrize(("extra", "shown"), [
    ("1: x\n", "'1'"),
    ("0x10: x\n", "'0x10'"),  # shown as written, not as 16
    ("true: x\n", "'true'"),
    ("1.5: x\n", "'1.5'"),
])
def test_a_key_that_is_not_a_word_is_a_bad_key(validator: Validator, extra: str,
                                               shown: str, english: None) -> None:
    _record, problems = validate(validator, READING + extra)
    assert codes(problems) == [(5, 1, "bad-key")]
    assert shown in problems[0].message


def test_two_keys_of_one_field_are_a_duplicate(validator: Validator) -> None:
    text = ("type: 网络安全宣传\nunit: dongyuan\ndate: 2023-04-23\ntitle: x\n"
            "anti_fraud: true\n防诈骗宣传: false\n")
    record, problems = validate(validator, text)
    assert record is None and codes(problems) == [(6, 1, "duplicate-key")]


# ---------------------------------------------------------------- personal data
GOOD_PERSON = ("type: 好人典型事迹报送\nunit: dongyuan\ndate: 2023-05-06\ntitle: 助人为乐事迹\n"
               "category: 助人为乐\nsubmitted_on: 2023-05-06\n")


@pytest.mark.parametrize("nominee", [
    "张三 13812345678", "张三 138 1234 5678", "张三１３８１２３４５６７８", "+86 138-1234-5678",
    "张三 110101 19900307 4514", "13812345678",
])
def test_a_name_field_may_not_hold_a_number(validator: Validator, nominee: str) -> None:
    record, problems = validate(validator, GOOD_PERSON + f"nominee: {nominee}\n")
    assert record is None and codes(problems) == [(7, 10, "pii")]
    assert "nominee" in problems[0].message


def test_a_name_alone_passes(validator: Validator) -> None:
    record, problems = validate(validator, GOOD_PERSON + "nominee: 张某某（示例）\n")
    assert record is not None and problems == []


@pytest.mark.parametrize("extra", [
    "date: 13812345678\n", "participants: 138 1234 5678\n", "13812345678: x\n",
    "evidence: 110101199003074514\n",
])
def test_messages_never_repeat_the_number(validator: Validator, extra: str) -> None:
    text = READING.replace("date: 2023-04-23\n", "") if extra.startswith("date") else READING
    _record, problems = validate(validator, text + extra)
    assert "pii" in {p.code for p in problems}
    for p in problems:
        assert "1234" not in p.text() and "0307" not in p.text(), p.text()


def test_pii_found_through_check(add: Callable[[str, str], Path],
                                 run: Callable[..., Outcome]) -> None:
    add("a.yaml", GOOD_PERSON + "nominee: 张三 13812345678\n")
    add("b.yaml", READING + "summary: 联系人 ＋８６　１３８　１２３４　５６７８\n")
    add("c.yaml", READING.replace("2023-04-23", "2023-04-24") + "summary: 13812345678\n")
    add("ok.yaml", READING + "summary: 2023-04-23 10:05 开始，BJ-2023-0412-07 派单\n")
    out = run()
    assert sorted((p.file.split("/")[-1], p.code) for p in out.problems) == [
        ("a.yaml", "pii"), ("b.yaml", "pii"), ("c.yaml", "pii")]
    assert [r.file.split("/")[-1] for r in out.records] == ["ok.yaml"]


# ---------------------------------------------------------------- dates
@pytest.mark.parametrize(("day", "code", "line_col"), [
    ("2023-06-02", "future-date", (3, 7)),
    ("2099-12-31", "future-date", (3, 7)),
    ("2021-12-31", "early-date", (3, 7)),
    ("1900-01-01", "early-date", (3, 7)),
])
def test_odd_dates_warn_and_the_record_still_counts(validator: Validator, day: str, code: str,
                                                    line_col: tuple[int, int]) -> None:
    record, problems = validate(validator, READING.replace("2023-04-23", day))
    assert record is not None and record.date == dt.date.fromisoformat(day)
    assert codes(problems) == [(*line_col, code)]
    assert problems[0].severity == "warning" and problems[0].path == ("date",)


@pytest.mark.parametrize("day", ["2022-01-01", "2023-04-23", "2023-06-01"])
def test_ordinary_dates_do_not_warn(validator: Validator, day: str) -> None:
    record, problems = validate(validator, READING.replace("2023-04-23", day))
    assert record is not None and problems == []


def test_today_defaults_to_the_real_today(plan: Plan) -> None:
    assert Validator(plan).today == dt.date.today()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    loaded = load_bytes(READING.replace("2023-04-23", tomorrow.isoformat()).encode(), "r.yaml")
    record, problems = Validator(plan).validate(loaded.value, loaded.node, "r.yaml", "r")
    assert record is not None and [p.code for p in problems] == ["future-date"]


def test_a_warned_record_is_counted_by_check(add: Callable[[str, str], Path],
                                             run: Callable[..., Outcome]) -> None:
    add("old.yaml", READING.replace("2023-04-23", "2021-04-23"))
    add("new.yaml", READING.replace("2023-04-23", "2099-04-23"))
    out = run(rules=["17.1"], units=["dongyuan"])
    assert sorted(p.code for p in out.problems) == ["early-date", "future-date"]
    assert all(p.severity == "warning" for p in out.problems)
    assert len(out.records) == 2  # the loader keeps a record that only has warnings


# ---------------------------------------------------------------- never a traceback
KEYS = st.sampled_from(["type", "unit", "date", "title", "participants", "tags", "summary",
                        "nominee", "evidence", "id", "anti_fraud", "防诈骗宣传", "x"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
                    st.sampled_from(["阅读活动", "dongyuan", "2023-04-23", "13812345678",
                                     "2023-02-30", "1e400", "\x1b[2J", "9" * 300]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.one_of(KEYS, st.integers(), st.text(max_size=10)), VALUES,
                       max_size=12))
def test_any_mapping_validates_without_raising(validator: Validator, record: dict) -> None:
    result, problems = validator.validate(record, None, "r.yaml", "r")
    errors = [p for p in problems if p.severity == "error"]
    assert (result is None) == bool(errors)
    for p in problems:
        assert len(p.message) < 800 and not CONTROL.search(p.message)


@pytest.mark.parametrize(("extra", "where"), [
    ("13812345678: x\n", (5, 1)),  # the key holds it: point at the key
    ("tags: {13812345678: 1}\n", (5, 8)),
    ("tags: [a, 13812345678]\n", (5, 11)),  # a list item: point at the item
    ("summary: 电话 138 1234 5678\n", (5, 10)),
])
def test_pii_points_at_what_holds_it(validator: Validator, extra: str,
                                     where: tuple[int, int]) -> None:
    _record, problems = validate(validator, READING + extra)
    assert [(p.line, p.column) for p in problems if p.code == "pii"] == [where]
