"""Field readers under hostile input: a value or a BadValue, never another exception.

Every reader of ``records/values.py`` is fed anything YAML can produce (and more); valid
forms read back to the value written; out-of-range offsets, years and numbers are bad
values with a sentence saying the range; and ``dc validate``/``dc check`` report them at
``file:line:column`` while the valid record beside them still counts.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dianchang_cli.records.values import (
    INT_LIMIT,
    MAX_TEXT,
    MAX_YEAR,
    MIN_YEAR,
    READERS,
    BadValue,
    read_date,
    read_datetime,
    read_int,
    read_month,
    read_number,
    read_period,
    read_text,
    read_url,
)

ROOT = Path(__file__).resolve().parent.parent

# What the YAML loader can hand a reader, and a few things it cannot.
scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=80),
    st.integers(), st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["2023-07-20T02:05:00+24:00", "+99:99", "0000-00-00", "9999-99-99 99:99",
                     "2023年13月1日", "２０２３-０４-０５", "\x00", "\u3000", ".inf", ".nan"]),
)
anything = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=8)

DATE_LIKE = [read_date, read_datetime, read_month, read_period]


def _outcome(reader: Callable[[Any], Any], value: Any) -> Any:
    try:
        return reader(value)
    except BadValue as exc:
        assert exc.expected and isinstance(exc.expected, str)
        return exc


@settings(max_examples=300, deadline=None)
@given(anything)
def test_every_reader_returns_a_value_or_bad_value(value: Any) -> None:
    for reader in READERS.values():
        _outcome(reader, value)  # any other exception fails the test


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789-/.:年月日时分秒 TZ+\u3000\t", max_size=40))
def test_date_shaped_text_never_raises_anything_else(text: str) -> None:
    for reader in DATE_LIKE:
        value = _outcome(reader, text)
        if isinstance(value, dt.date):
            assert MIN_YEAR <= value.year <= MAX_YEAR


# ---------------------------------------------------------------- round trips
days = st.dates(min_value=dt.date(MIN_YEAR, 1, 1), max_value=dt.date(MAX_YEAR, 12, 31))


@given(days, st.sampled_from([" ", "\u3000", "  ", "\t"]))
def test_dates_read_back_in_every_form(day: dt.date, space: str) -> None:
    y, m, d = day.year, day.month, day.day
    for text in (day.isoformat(), f"{y}/{m}/{d}", f"{y}.{m}.{d}", f"{y}年{m}月{d}日",
                 f"{space}{y}{space}年{space}{m}{space}月{space}{d}{space}日{space}"):
        assert read_date(text) == day


offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)))


@given(st.datetimes(min_value=dt.datetime(MIN_YEAR, 1, 1), max_value=dt.datetime(MAX_YEAR, 12, 31)),
       offsets)
def test_datetimes_read_back(moment: dt.datetime, zone: dt.timezone) -> None:
    written = moment.replace(tzinfo=zone)
    assert read_datetime(written.isoformat()) == written
    assert read_datetime(written.isoformat(sep=" ")) == written
    local = moment.replace(microsecond=0)
    assert read_datetime(local.strftime("%Y-%m-%d %H:%M:%S")).utcoffset() == dt.timedelta(hours=8)


@given(days)
def test_months_and_periods_read_back(day: dt.date) -> None:
    label = f"{day.year:04d}-{day.month:02d}"
    assert read_month(label) == label
    assert read_month(f"{day.year}年{day.month}月") == label
    for text in (label, f"{day.year}", f"{day.year}-Q{(day.month + 2) // 3}",
                 f"{day.year}-H{1 + (day.month > 6)}", f"{day.year}-端午节"):
        assert read_period(text) == text


@given(st.integers(min_value=-INT_LIMIT, max_value=INT_LIMIT))
def test_whole_numbers_in_range_read_back(n: int) -> None:
    assert read_int(n) == n
    assert read_number(n) == float(n)
    assert read_text(n) == str(n)


@given(st.floats(min_value=-INT_LIMIT, max_value=INT_LIMIT))
def test_numbers_in_range_read_back(x: float) -> None:
    assert read_number(x) == x


@given(st.integers().filter(lambda n: abs(n) > INT_LIMIT))
def test_whole_numbers_out_of_range_are_bad(n: int) -> None:
    with pytest.raises(BadValue, match=str(INT_LIMIT)):
        read_int(n)
    with pytest.raises(BadValue):
        read_number(n)


# ---------------------------------------------------------------- examples
@pytest.mark.parametrize("text", [
    "2023-07-20T02:05:00+24:00", "2023-07-20T02:05:00+99:99", "2023-07-20T02:05:00-2400",
    "2023-07-20T02:05:00-24:00", "2023-07-20T02:05:00+23:59", "2023-07-20T02:05:00+05:60",
    "2023-07-20T02:05:00+0099", "2023-07-20T02:05:00+14:01", "2023-07-20T02:05:00-12:30",
])
def test_offsets_out_of_range_are_bad_values(text: str) -> None:
    with pytest.raises(BadValue, match="-12:00"):
        read_datetime(text)


@pytest.mark.parametrize("text", ["2023-07-20T02:05:00+14:00", "2023-07-20T02:05:00-12:00",
                                  "2023-07-20T02:05:00+0545", "2023-07-20 02:05Z"])
def test_real_offsets_are_kept(text: str) -> None:
    assert read_datetime(text).utcoffset() is not None


@pytest.mark.parametrize("text", [
    "2023-05-03 24:00", "2023-05-03 23:60", "2023-05-03 10:05:60", "2023-05-03 99:99:99",
    "2023-05-03 10:05:30.1234567", "2023-05-03 10:05:30.", "2023-02-29 10:05",
    "0001-01-01 00:00", "9999-12-31 23:59", "1899-12-31 23:59+08:00", "3000-01-01 00:00",
    "99999-01-01 00:00",
])
def test_bad_times_and_years_are_bad_values(text: str) -> None:
    with pytest.raises(BadValue):
        read_datetime(text)


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31",
                                  "0000-01-01", "99999-01-01", "2023-02-29"])
def test_dates_outside_the_range_are_bad_values(text: str) -> None:
    with pytest.raises(BadValue):
        read_date(text)


def test_out_of_range_year_says_the_range(english: None) -> None:
    with pytest.raises(BadValue, match="1900 to 2999"):
        read_date("0001-01-01")
    with pytest.raises(BadValue, match="1900 to 2999"):
        read_month("9999-12")
    with pytest.raises(BadValue, match="1900 to 2999"):
        read_period("0001-Q1")


@pytest.mark.parametrize("value", [10**400, -(10**400), 2**63, -(2**63) - 1, float("nan"),
                                   float("inf"), float("-inf"), 1e308, True, "36", "三十六", "3 6",
                                   "036", "３６", None])
def test_numbers_that_cannot_be_numbers(value: Any) -> None:
    with pytest.raises(BadValue):
        read_number(value)
    with pytest.raises(BadValue):
        read_int(value)


def test_integer_too_long_to_print_is_bad_text() -> None:
    huge = int("f" * 5000, 16)  # hexadecimal: built without the 4,300-digit limit
    with pytest.raises(BadValue):
        read_text(huge)


@pytest.mark.parametrize("text", ["..\\secret.yaml", "evidence\\..\\..\\x", "C:\\x.jpg",
                                  "c:/x.jpg", "/etc/passwd", "../x", "file:///etc/passwd"])
def test_evidence_paths_leaving_the_repository(text: str) -> None:
    with pytest.raises(BadValue):
        read_url(text)


@pytest.mark.parametrize("reader", DATE_LIKE)
@pytest.mark.parametrize("filler", [" ", "\u3000", "0", "-"])
def test_long_date_text_is_refused_quickly(reader: Callable[[Any], Any], filler: str) -> None:
    """A date-time followed by 100,000 spaces backtracked for minutes before the cap."""
    for text in ("2023-04-05" + filler * 100_000 + "x", "2023-04-05 10:05" + filler * 100_000,
                 filler * 1_000_000):
        start = time.perf_counter()
        _outcome(reader, text)
        assert time.perf_counter() - start < 0.2
    with pytest.raises(BadValue):
        reader("2023-04-05" + filler * 100_000 + "x")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=" \u3000\t0123456789-:年月日T", min_size=20, max_size=64))
def test_short_date_text_is_cheap(text: str) -> None:
    start = time.perf_counter()
    for reader in DATE_LIKE:
        _outcome(reader, text)
    assert time.perf_counter() - start < 0.05


# ---------------------------------------------------------------- through the command line
INCIDENT = ("type: opinion_incident\nunit: dianchang\ndate: 2023-07-20\ntitle: 网络舆情处置\n"
            "reported_at: {at}\n")


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "plan", tmp_path / "plan", ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "records" / "dianchang").mkdir(parents=True)
    good = tmp_path / "records" / "dianchang" / "good.yaml"
    good.write_text(INCIDENT.format(at="2023-07-20 10:05"), encoding="utf-8")
    return tmp_path


def _dc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from dianchang_cli.cli import main

    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    code = done.value.code
    return (code if isinstance(code, int) else 0 if code is None else 2), out, err


@pytest.mark.parametrize("at", ["2023-07-20T02:05:00+24:00", "2023-07-20T02:05:00+99:99",
                                "2023-07-20T02:05:00-2400", "2023-07-20T02:05:00+08:60",
                                "0001-01-01 00:00", "2023-07-20 25:00", "'9999-12-31T23:59-12:00'"])
def test_validate_reports_bad_offsets_at_their_place(repository: Path, at: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad = repository / "records" / "dianchang" / "bad.yaml"
    bad.write_text(INCIDENT.format(at=at), encoding="utf-8")
    code, out, err = _dc(capsys, "validate", "--repo", str(repository), "-f", "json",
                         str(bad), str(repository / "records" / "dianchang" / "good.yaml"))
    assert code == 1, err
    assert "Traceback" not in err
    doc = json.loads(out)
    assert doc["files"] == 2 and doc["records"] == 1  # the valid record is still counted
    [problem] = [p for p in doc["errors"] if p["code"] == "bad-value"]
    assert problem["file"].endswith("bad.yaml")
    assert (problem["line"], problem["column"]) == (5, 14)


@pytest.mark.parametrize("command", [("check",), ("report", "--year", "2023", "-o", "r.md")])
def test_check_and_report_survive_an_offset_of_24_hours(
        repository: Path, command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    bad = repository / "records" / "dianchang" / "bad.yaml"
    bad.write_text(INCIDENT.format(at="2023-07-20T02:05:00+24:00"), encoding="utf-8")
    args = [str(repository / a) if a == "r.md" else a for a in command]
    code, out, err = _dc(capsys, *args, "--repo", str(repository), "--as-of", "2023-12-31")
    assert code in (0, 1), err
    assert "Traceback" not in out + err
    if command[0] == "report":
        out = (repository / "r.md").read_text(encoding="utf-8")
    assert "bad.yaml:5" in out + err


def test_text_is_bounded() -> None:
    """A title a plan condition could multiply (``r.title + r.title`` in a loop) stays small."""
    assert read_text("名" * MAX_TEXT) == "名" * MAX_TEXT
    with pytest.raises(BadValue):
        read_text("名" * (MAX_TEXT + 1))


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-Q5", "2024-Q0", "2024-H3",
                                  "2024-q1", "2024-", "24-Q1"])
def test_a_period_label_that_is_a_typing_mistake_is_refused(text: str) -> None:
    """Any label after the year may be a festival's or a window's — but not digits alone
    or Q/H and digits, which can only be a month, quarter or half mistyped."""
    with pytest.raises(BadValue):
        read_period(text)


@pytest.mark.parametrize("text", ["2024", "2024-04", "2024-Q2", "2024-H1", "2024-中秋节",
                                  "2024-09w", "2024-网络安全宣传周"])
def test_period_labels_of_every_kind_are_read(text: str) -> None:
    assert read_period(text) == text
