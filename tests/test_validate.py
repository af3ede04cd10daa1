"""Record validation: each mistake gets its contract code, its line, and what is expected."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import PLAN, ROOT
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.records import pii
from dianchang_cli.records.values import BadValue, read_date, read_datetime

READING = "type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: 世界读书日阅读活动\n"


def errors(outcome):
    return [(p.file.split("/")[-1], p.line, p.column, p.code) for p in outcome.problems]


def test_valid_record_counts(add, run) -> None:
    add("dongyuan/r.yaml", READING)
    out = run(rules=["17.1"], units=["dongyuan"])
    assert out.problems == []
    april = next(r for r in out.results if r.period == "2023-04")
    assert april.status == "met" and april.records == ("dongyuan/r",)


def test_type_by_id_or_chinese_name(add, run) -> None:
    add("a.yaml", READING)
    add("b.yaml", READING.replace("阅读活动", "reading_activity"))
    out = run(rules=["17.1"], units=["dongyuan"])
    assert out.problems == [] and len(out.records) == 2


@pytest.mark.parametrize(("text", "expected"), [
    (READING + "dat: 2023-04-01\n", ("r.yaml", 5, 1, "unknown-field")),
    (READING.replace("title: 世界读书日阅读活动\n", ""), ("r.yaml", 1, 1, "missing-field")),
    (READING.replace("title: 世界读书日阅读活动\n", "title:\n"), ("r.yaml", 1, 1, "missing-field")),
    (READING.replace("2023-04-23", "2023-02-30"), ("r.yaml", 3, 7, "bad-value")),
    (READING + "participants: 很多\n", ("r.yaml", 5, 15, "bad-value")),
    (READING + "participants: -1\n", ("r.yaml", 5, 15, "bad-value")),
    (READING.replace("阅读活动", "读书会"), ("r.yaml", 1, 7, "unknown-type")),
    (READING.replace("dongyuan", "nowhere"), ("r.yaml", 2, 7, "unknown-unit")),
    (READING + "summary: 联系人电话13812345678\n", ("r.yaml", 5, 10, "pii")),
    (READING + "tags: [110101199003074514]\n", ("r.yaml", 5, 8, "pii")),
    ("- a\n- b\n", ("r.yaml", 1, 1, "bad-value")),
    (READING + "date: 2023-04-24\n", ("r.yaml", 5, 1, "duplicate-key")),
    # a bad item of a list is placed at the item, not at the list's key
    (READING + "evidence:\n  - evidence/a.jpg\n  - http://example.org/a\n",
     ("r.yaml", 7, 5, "bad-value")),
    # a number in a comment sits in the repository as well as one in a field
    ("# 联系人 138 1234 5678\n" + READING, ("r.yaml", 1, 1, "pii")),
    (READING + "location: 活动室  # 电话（138）1234-5678\n", ("r.yaml", 5, 16, "pii")),
    (READING + "summary: 电话 138、1234、5678\n", ("r.yaml", 5, 10, "pii")),
])
def test_problem_codes_and_positions(add, run, text: str, expected: tuple) -> None:
    add("r.yaml", text)
    out = run(rules=["17.1"])
    assert expected in errors(out)
    assert out.records == []  # an invalid record is left out of every count


@pytest.mark.parametrize(("text", "place"), [
    (READING + "summary: 联系人电话13812345678\n", (5, 10)),
    (READING + "tags: [110101199003074514]\n", (5, 8)),
    ("# 联系人 138 1234 5678\n" + READING, (1, 1)),
    (READING + "location: 活动室  # 电话（138）1234-5678\n", (5, 16)),
    (READING + "summary: 电话 １３８ １２３４ ５６７８\n", (5, 10)),
])
def test_resident_data_is_found_among_many_clean_files(add, run, text: str,
                                                       place: tuple[int, int]) -> None:
    """Files are read in groups that are looked at for resident data together: one file
    holding a number among a hundred without is still found, at its place."""
    for i in range(100):
        add(f"c{i:03d}.yaml", READING.replace("世界读书日阅读活动", f"读书会{i}") + f"id: c{i}\n")
    add("c050b.yaml", text)
    out = run(rules=[])
    assert [(p.file.split("/")[-1], p.line, p.column, p.code) for p in out.problems] == [
        ("c050b.yaml", *place, "pii")]
    assert len(out.records) == 100


@pytest.mark.parametrize(("written", "kept"), [
    ("12.10", "12.10"),  # not 12.1
    ("1.50", "1.50"),
    ("0x1F", "0x1F"),  # not 31
    ("0o17", "0o17"),
    ("1e3", "1e3"),  # not 1000.0
    ("+5", "+5"),
    ("2023", "2023"),
])
def test_a_number_where_text_is_expected_stays_as_written(add, run, written: str,
                                                          kept: str) -> None:
    """records.md §3: values stay what the person wrote — a plain scalar that YAML reads
    as a number keeps its own digits in a text field, in a list of texts too."""
    add("r.yaml", READING.replace("世界读书日阅读活动", written) + f"location: {written}\n"
        + f"tags: [{written}, 读书]\n")
    out = run(rules=["17.1"], units=["dongyuan"])
    assert out.problems == []
    (record,) = out.records
    assert (record.title, record.fields["location"], record.fields["tags"]) == (
        kept, kept, [kept, "读书"])


def test_a_rule_written_as_a_number_is_the_rule_written(add, run) -> None:
    """``rule: 12.10`` names rule 12.10 (not 12.1, which exists too); ``rule: 12.100``
    names no rule and says so, instead of quietly waiving 12.1."""
    waiver = {"type": "waiver", "unit": "dianchang", "date": "2023-04-05", "title": "豁免",
              "target": "dongyuan", "period": "2023-04", "reason": "停电",
              "approved_by": "dc-sec"}
    add("w.yaml", "".join(f"{k}: {v}\n" for k, v in waiver.items()) + "rule: 12.100\n")
    problems = run().problems
    assert [(p.code, p.line) for p in problems if p.file.endswith("w.yaml")] == [
        ("unknown-rule", 9)]
    assert "12.100" in next(p.message for p in problems if p.code == "unknown-rule")


@pytest.mark.parametrize("written", ['"36"', "３６", '" 36 "', "036", '"２.５"'])
def test_a_count_written_as_text_says_how_to_write_it(add, run, written: str) -> None:
    """A count quoted, in full-width digits or with a leading zero stays a bad value (a
    number is plain digits; 0123 stays text on purpose), and the message says how to write
    it instead of the puzzling "'36': a whole number, e.g. 36"."""
    add("r.yaml", READING + f"participants: {written}\n")
    (problem,) = run(rules=["17.1"], units=["dongyuan"]).problems
    assert (problem.code, problem.line) == ("bad-value", 5)
    assert problem.expected is not None and "不带引号" in problem.expected


def test_a_record_file_may_end_in_capitals(add, run) -> None:
    """``活动.YAML`` (as some Windows programs save it) is a record file like any other."""
    add("dongyuan/读书.YAML", READING)
    add("dongyuan/读书2.Yml", READING)
    out = run(rules=["17.1"], units=["dongyuan"])
    assert out.problems == [] and sorted(r.id for r in out.records) == [
        "dongyuan/读书", "dongyuan/读书2"]


def test_every_problem_says_what_is_expected(add, run) -> None:
    add("r.yaml", READING + "dat: x\nparticipants: x\n")
    out = run(rules=["17.1"])
    assert len(out.problems) == 2
    assert all(p.expected for p in out.problems)


def test_unknown_staff_and_enum(add, run) -> None:
    add("p.yaml", {"type": "新媒体发布", "unit": "dongyuan", "date": "2023-05-03",
                   "title": "推文", "account": "acc", "published_at": "2023-05-03 10:05",
                   "author": "nobody", "proofreader": "dy-proof", "reviewer": "dy-sec"})
    add("c.yaml", {"type": "文明城市巩固提升", "unit": "dongyuan", "date": "2023-05-03",
                   "title": "x", "focus": "卫生"})
    codes = {p.code for p in run().problems}
    assert {"unknown-staff", "bad-value"} <= codes


def test_duplicate_ids_and_dangling_reference(add, run) -> None:
    add("a.yaml", READING + "id: same\n")
    add("b.yaml", READING + "id: same\n")
    add("p.yaml", {"type": "新媒体发布", "unit": "dongyuan", "date": "2023-05-03",
                   "title": "推文", "account": "no-such-account",
                   "published_at": "2023-05-03 10:05", "author": "dy-pub",
                   "proofreader": "dy-proof", "reviewer": "dy-sec"})
    found = sorted((p.code, p.file.rsplit("/", 1)[-1], p.line, p.column) for p in run().problems)
    assert found == [("duplicate-id", "b.yaml", 5, 1),  # at the field at fault
                     ("unknown-record", "p.yaml", 5, 1)]
    # the key as written is not kept with a record: the field's Chinese name and its id
    [dangling] = [p for p in run().problems if p.code == "unknown-record"]
    assert "发布账号（account）" in dangling.message


def test_a_record_field_among_the_common_fields_is_checked_too(tmp_path) -> None:
    """A plan may give every record a field naming another record (here ``follows``): a
    value naming none is ``unknown-record`` there too, as in a type's own fields."""
    from dianchang_cli.api import check
    from plans import COMMON_FIELDS, make_repo

    plan = ("plan: {id: t, title: 测试, year: 2023, effective: 2023-01-01}\n"
            "items: [{number: 1, title: 一项, text: 活动}]\n"
            "sections: [{id: 一, title: 一, items: [1]}]\n"
            + COMMON_FIELDS + "  follows: {type: record, name: 接续}\n"
            "record_types:\n  - {id: act, name: 活动, kind: event}\n")
    repo = make_repo(tmp_path, plan)
    head = "type: 活动\nunit: east\ndate: 2023-05-03\n"
    (repo.records_dir / "a.yaml").write_text(head + "title: 甲\nid: a\n", encoding="utf-8")
    (repo.records_dir / "b.yaml").write_text(head + "title: 乙\nfollows: a\n",
                                             encoding="utf-8")
    (repo.records_dir / "c.yaml").write_text(head + "title: 丙\nfollows: nothing\n",
                                             encoding="utf-8")
    outcome = check(repo, as_of=dt.date(2023, 12, 31), workers=1, rules=[])
    assert [(p.file, p.code, p.line) for p in outcome.problems] == [
        ("records/c.yaml", "unknown-record", 5)]
    assert sorted(r.id for r in outcome.records) == ["a", "b"]


def test_a_bad_file_never_stops_the_others(add, run) -> None:
    add("bad.yaml", b"\xff\xfe\x00".decode("latin-1"))
    add("broken.yaml", "title: [\n")
    add("good.yaml", READING)
    out = run(rules=["17.1"], units=["dongyuan"])
    assert len(out.records) == 1 and len(out.problems) == 2


def test_nominee_may_name_a_person_but_not_hold_a_phone(add, run) -> None:
    base = {"type": "好人典型事迹报送", "unit": "dongyuan", "date": "2023-05-06",
            "title": "助人为乐事迹", "category": "助人为乐", "nominee": "张某某（示例）",
            "submitted_on": "2023-05-06"}
    add("ok.yaml", base)
    assert run().problems == []
    add("bad.yaml", {**base, "summary": "身份证 110101199003074514 已核实"})
    found = [p for p in run().problems if p.code == "pii"]
    assert len(found) == 1 and found[0].file.endswith("bad.yaml")


# ---------------------------------------------------------------- values
@pytest.mark.parametrize("text", ["2023-04-05", "2023/4/5", "2023.4.5", "2023年4月5日",
                                  "2023-4-5", " 2023 年 4 月 5 日 "])
def test_date_forms(text: str) -> None:
    assert read_date(text) == dt.date(2023, 4, 5)


@pytest.mark.parametrize("text", ["2023-13-01", "05/04/2023", "2023-04", "", "昨天"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(BadValue):
        read_date(text)


def test_datetime_zone() -> None:
    local = read_datetime("2023-05-03 10:05")
    assert local.utcoffset() == dt.timedelta(hours=8)
    assert read_datetime("2023-05-03T02:05:00Z") == local
    assert read_datetime("2023-05-03T10:05:00+08:00") == local
    assert read_datetime("2023-05-03 04:05+02:00") == local
    assert read_datetime("2023-05-03 10:05:30").second == 30


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_reads_back_in_every_form(day: dt.date) -> None:
    for text in (day.isoformat(), f"{day.year}/{day.month}/{day.day}",
                 f"{day.year}年{day.month}月{day.day}日"):
        assert read_date(text) == day


def test_id_card_check_digit() -> None:
    assert pii.id_card_valid("110101199003074514")
    assert not pii.id_card_valid("11010119900307451X")
    assert pii.find_in_text("11010519491231002X") == "id-card"  # GB 11643 example
    assert pii.find_in_text("110105194912310021") is None  # wrong check digit
    assert pii.find_in_text("编号 BJ-2023-0412-07") is None
    assert pii.find_in_text("电话：139 1234 5678") == "mobile"  # spaced digits are matched too
    assert pii.find_in_text("13912345678") == "mobile"
    assert pii.find_in_text("订单 213912345678") is None  # part of a longer number


def test_repeated_short_text_and_type_names_are_one_object(add, run) -> None:
    """A million records name a few types and places: each is kept once (memory), while
    longer text — a title — stays each record's own.  The values are what was written."""
    for n in (1, 2):
        add(f"dongyuan/r{n}.yaml", READING.replace("title: ", "location: 社区活动室\ntitle: ")
            .replace("世界读书日", f"世界读书日{n}号"))
    first, second = sorted(run(rules=[]).records, key=lambda r: r.id)
    assert first.fields["location"] == second.fields["location"] == "社区活动室"
    assert first.fields["location"] is second.fields["location"]
    assert first.fields["type"] == second.fields["type"] == "阅读活动"
    assert first.fields["type"] is second.fields["type"]
    assert first.title != second.title


def test_a_value_read_before_is_remembered_per_field_and_by_kind_of_value(add, run) -> None:
    """Values recur (days, units, counts): each field remembers what it read by what was
    written — the number 1 is not ``true``, which a count refuses, and a bad value is never
    remembered as good."""
    add("dongyuan/a.yaml", READING + "participants: 1\n")
    add("dongyuan/b.yaml", READING + "participants: true\n")
    add("dongyuan/c.yaml", READING + "participants: 1\n")
    add("dongyuan/d.yaml", READING + "participants: -1\n")
    add("dongyuan/e.yaml", READING + "participants: -1\n")
    out = run(rules=[])
    assert sorted(r.id for r in out.records) == ["dongyuan/a", "dongyuan/c"]
    assert [r.fields["participants"] for r in out.records] == [1, 1]
    assert sorted((p.file.split("/")[-1], p.code) for p in out.problems) == [
        ("b.yaml", "bad-value"), ("d.yaml", "bad-value"), ("e.yaml", "bad-value")]


def test_the_memos_of_values_share_one_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every field remembers the values it read, but all of a validator's fields together
    keep at most MAX_REMEMBERED: a plan of many types and fields cannot multiply it."""
    from dianchang_cli.records import validate as validating
    from dianchang_cli.records.validate import Validator

    monkeypatch.setattr(validating, "MAX_REMEMBERED", 5)
    validator = Validator(load_plan(PLAN, ROOT))
    for day in range(1, 10):
        record, problems = validator.validate(
            {"type": "阅读活动", "unit": "dongyuan", "date": f"2023-04-{day:02d}",
             "title": f"读书会{day}", "participants": day}, None, "r.yaml", "r")
        assert record is not None and not problems
    remembered = {id(field.seen): len(field.seen) for schema in validator.schemas.values()
                  for field in schema.readers.values() if field.seen is not None}
    assert sum(remembered.values()) == 5


def test_fields_read_alike_share_one_memo_in_a_worker_too() -> None:
    """The ``date`` of every type is read once a day, not once a type and day; fields read
    differently (another kind, other enum values) keep memos apart.  A worker's copy of
    the validator shares its memos the same way, and starts them empty."""
    import pickle

    from dianchang_cli.records.validate import Validator

    validator = Validator(load_plan(PLAN, ROOT))
    validator.validate({"type": "阅读活动", "unit": "dongyuan", "date": "2023-04-01",
                        "title": "读书会", "participants": 3}, None, "r.yaml", "r")

    def memos(v: Validator) -> dict[tuple[str, str], int]:
        return {(type_id, name): id(field.seen) for type_id, schema in v.schemas.items()
                for name, field in schema.readers.items() if field.seen is not None}

    for v in (validator, pickle.loads(pickle.dumps(validator))):
        by_field = memos(v)
        dates = {memo for (_t, name), memo in by_field.items() if name == "date"}
        assert len(dates) == 1 and len(v.schemas) > 1
        date_memo = next(f.seen for f in v.schemas["reading_activity"].readers.values()
                         if f.name == "date")
        assert date_memo is not None
        assert date_memo is not next(f.seen for f in v.schemas["reading_activity"].readers
                                     .values() if f.name == "participants")
        enums = {(tuple(f.spec.values or ()), id(f.seen)) for s in v.schemas.values()
                 for f in s.readers.values() if f.kind == "enum"}
        assert len({values for values, _memo in enums}) == len(enums) > 1
    assert len(date_memo) == 0  # the copy's, as unpickled: empty

