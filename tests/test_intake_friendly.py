"""What people type and spreadsheets hold becomes the value a record file holds — or is
handed on unchanged for the validator to explain.  Never a guess, never an exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.intake.friendly import Friendly
from dianchang_cli.planfile.model import FieldSpec
from dianchang_cli.planfile.plan import normalise, short_name

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan(ROOT / "plan", ROOT)
TODAY = dt.date(2023, 5, 20)
F = Friendly(PLAN, TODAY)


def spec(kind: str, **kw: object) -> FieldSpec:
    return FieldSpec(type=kind, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("raw", "day"), [
    ("2023-05-12", dt.date(2023, 5, 12)),
    ("2023/5/12", dt.date(2023, 5, 12)),
    ("2023.5.12", dt.date(2023, 5, 12)),
    ("2023年5月12日", dt.date(2023, 5, 12)),
    ("２０２３年５月１２日", dt.date(2023, 5, 12)),
    (" 2023 年 5 月 12 日 ", dt.date(2023, 5, 12)),
    ("5.12", dt.date(2023, 5, 12)),  # the plan's year
    ("5月12日", dt.date(2023, 5, 12)),
    ("5/12", dt.date(2023, 5, 12)),
    ("今天", TODAY),
    ("昨天", TODAY - dt.timedelta(days=1)),
    ("前天", TODAY - dt.timedelta(days=2)),
    (45058, dt.date(2023, 5, 12)),  # an Excel date serial
    (45058.0, dt.date(2023, 5, 12)),
    (dt.datetime(2023, 5, 12, 0, 0), dt.date(2023, 5, 12)),  # a date cell
    ("2023年5月12号", dt.date(2023, 5, 12)),
    ("5月12号", dt.date(2023, 5, 12)),
    ("20230512", dt.date(2023, 5, 12)),
    (20230512, dt.date(2023, 5, 12)),  # typed into a number cell
    ("2023-5-12 0:00:00", dt.date(2023, 5, 12)),  # a date cell as Excel writes it to CSV
    ("2023/5/12 00:00", dt.date(2023, 5, 12)),
])
def test_days_people_write(raw: object, day: dt.date) -> None:
    assert F.value(spec("date"), raw) == day


@pytest.mark.parametrize("raw", ["2023-02-30", "13.40", "明天见", "5.12.3", 5.12, True,
                                 "2023年5月", "20231345", "2023-5-12 10:05:00"])
def test_what_is_not_surely_a_day_is_handed_on(raw: object) -> None:
    out = F.value(spec("date"), raw)
    assert not isinstance(out, dt.date)
    assert out == (normalise(raw) if isinstance(raw, str) else raw)


@pytest.mark.parametrize(("raw", "value"), [
    ("36", 36), ("３６", 36), (" 36 人", 36), ("1,236", 1236), (36.0, 36), ("36人次", 36),
])
def test_counts(raw: object, value: int) -> None:
    got = F.value(spec("integer"), raw)
    assert got == value and isinstance(got, int)


@pytest.mark.parametrize(("raw", "value"), [("2.5", 2.5), ("2.5小时", 2.5), ("２", 2), (3, 3)])
def test_numbers(raw: object, value: float) -> None:
    assert F.value(spec("number"), raw) == value


def test_a_count_that_is_not_one_is_left_for_the_validator() -> None:
    assert F.value(spec("integer"), "很多") == "很多"
    assert F.value(spec("integer"), "2.5") == "2.5"
    assert F.value(spec("integer"), "nan") == "nan"


@pytest.mark.parametrize(("raw", "value"), [("是", True), ("否", False), ("√", True),
                                            ("无", False), (True, True), ("YES", True)])
def test_yes_and_no(raw: object, value: bool) -> None:
    assert F.value(spec("bool"), raw) is value


def test_units_and_staff_by_id_or_name() -> None:
    unit = next(u for u in PLAN.units.values() if u.kind == "community")
    assert F.value(spec("unit"), unit.id) == unit.id
    assert F.value(spec("unit"), unit.name) == unit.id
    assert F.value(spec("unit"), short_name(unit.name)) == unit.id
    person = next(iter(PLAN.staff.values()))
    assert F.value(spec("staff"), person.name) == person.id
    assert F.value(spec("unit"), "不存在的社区") == "不存在的社区"


def test_lists_split_on_chinese_and_ascii_separators() -> None:
    assert F.value(spec("list", items="text"), "派出所、综合执法，物业; 学校") == [
        "派出所", "综合执法", "物业", "学校"]
    assert F.value(spec("list", items="text"), ["a", "", "b"]) == ["a", "b"]


def test_date_times() -> None:
    assert F.value(spec("datetime"), "2023-05-03 10:05") == "2023-05-03 10:05"
    assert F.value(spec("datetime"), "5.3 10:05") == "2023-05-03 10:05"
    assert F.value(spec("datetime"), "今天 9：30") == "2023-05-20 09:30"
    assert F.value(spec("datetime"), dt.datetime(2023, 5, 3, 10, 5, 30)) == \
        "2023-05-03 10:05:30"
    assert F.value(spec("datetime"), 45049.4201388889) == "2023-05-03 10:05"
    assert F.value(spec("datetime"), "10:05") == "10:05"  # no day: the validator says so


def test_months() -> None:
    assert F.value(spec("month"), "5月") == "2023-05"
    assert F.value(spec("month"), "2023年5月") == "2023-05"
    assert F.value(spec("month"), dt.date(2023, 5, 1)) == "2023-05"


def test_empty_is_left_out() -> None:
    for kind in ("text", "integer", "date", "unit"):
        assert F.value(spec(kind), "  ") is None
        assert F.value(spec(kind), None) is None


KINDS = ["text", "integer", "number", "bool", "date", "datetime", "month", "period", "enum",
         "staff", "unit", "record", "rule", "url"]
CELLS = st.one_of(st.none(), st.text(max_size=40), st.integers(), st.booleans(),
                  st.floats(allow_nan=True, allow_infinity=True),
                  st.dates(), st.datetimes(), st.lists(st.text(max_size=5), max_size=3))


@given(kind=st.sampled_from(KINDS), raw=CELLS)
@example(kind="datetime", raw=float("inf"))  # once an OverflowError: int(inf)
def test_never_raises(kind: str, raw: object) -> None:
    values = ["a"] if kind == "enum" else None
    F.value(spec(kind, values=values), raw)
    F.value(spec("list", items=kind, values=values), raw)


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2999, 12, 31)),
       st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m}.{d}",
                        "{y}年{m}月{d}日"]))
def test_every_written_form_of_a_day_reads_back(day: dt.date, form: str) -> None:
    text = form.format(y=day.year, m=day.month, d=day.day)
    assert F.day(text) == day
    full_width = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert F.day(full_width) == day
