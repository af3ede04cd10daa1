"""The report model: built from the check outcome, never a second computation of statuses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dianchang_cli.api import Outcome
from dianchang_cli.engine.periods import period_of_label
from dianchang_cli.report import parse_period
from dianchang_cli.report.build import build
from dianchang_cli.report.model import Report
from dianchang_cli.report.text import WORST
from test_report_helpers import MADE, NASTY, filled_outcome, in_language


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    yield from in_language("en")


@pytest.fixture
def outcome(add: Callable[[str, dict | str], Path], run: Callable[..., Outcome]) -> Outcome:
    return filled_outcome(add, run)


def _april(outcome: Outcome, unit: str | None = None) -> Report:
    period = parse_period("month", "2023-04")
    assert period is not None
    return build(outcome, period, unit, made=MADE)


def test_header_and_provenance(outcome: Outcome) -> None:
    report = _april(outcome)
    assert report.title.startswith("电厂街道") and "宣传思想工作" in report.title
    assert report.heading.endswith("April 2023") and report.period.label == "2023-04"
    prov = report.provenance
    assert prov.as_of == "2023-04-30" and prov.records == len(outcome.records) == 6
    assert prov.invalid == 1 and prov.commit == "unknown" and prov.dirty == "unknown"
    outcome.provenance = {"commit": "0123456789abcdef", "dirty": True}
    prov = _april(outcome).provenance
    assert prov.commit == "0123456" and prov.dirty == "yes"


def test_counts_are_the_engine_results_of_the_period(outcome: Outcome) -> None:
    report = _april(outcome)
    april = period_of_label(outcome.plan, "2023-04")
    assert april is not None
    expected: Counter[str] = Counter()
    for r in outcome.results:
        p = period_of_label(outcome.plan, r.period)
        if p is not None and p.start <= april.end and p.end >= april.start:
            expected[r.status] += 1
    assert {c.cell.status: c.n for c in report.counts} == {
        s: expected.get(s, 0) for s in ("met", "unmet", "late", "pending", "waived", "info")}


def test_heatmap_shows_the_worst_engine_status(outcome: Outcome) -> None:
    report = _april(outcome)
    assert report.heatmap.months == ["2023-04"]
    rows = {row.unit: row.cells[0] for row in report.heatmap.rows}
    assert list(rows) == ["dianchang", "dongyuan", "xiyuan", "nanhu", "beiguan", "hexi"]
    for unit, shown in rows.items():
        members = outcome.plan.members(unit)
        statuses = [r.status for r in outcome.results if r.unit in members
                    and r.period != "2023"
                    and (p := period_of_label(outcome.plan, r.period)) is not None
                    and p.end.strftime("%Y-%m") == "2023-04"]
        assert shown.status == min(statuses, key=WORST.index)
        assert shown.symbol and shown.word and shown.colour.startswith("#")
    assert rows["dongyuan"].status == "unmet"  # 2 volunteer services of 8


def test_sections_rows_and_footnotes(outcome: Outcome) -> None:
    report = _april(outcome)
    assert [s.id for s in report.sections] == ["一", "二", "三", "四", "五"]
    rules = {b.id: b for s in report.sections for item in s.blocks for b in item.rules}
    assert set(rules) == {r.id for r in outcome.plan.rules}
    year = rules["1.1"].rows[0]
    assert (year.period, year.to_date, year.actual) == ("2023", True, "1/12")
    xiyuan = next(row for row in rules["12.2"].rows if row.unit == "xiyuan")
    assert xiyuan.cell.status == "waived"
    assert not rules["5.5a"].rows  # September: no result in April
    assumed = [r.id for r in outcome.plan.rules if r.basis == "assumed"]
    assert [n.id for n in report.footnotes] == assumed
    assert all(rules[rid].mark == n + 1 for n, rid in enumerate(assumed))
    assert all(n.source for n in report.rules)


def test_units_events_owed_breaches_waivers_deadlines(outcome: Outcome) -> None:
    units = {u.id: u for u in _april(outcome).units}
    dongyuan = units["dongyuan"]
    assert [e.title for e in dongyuan.events] == [NASTY, "义诊进社区", "世界读书日主题阅读活动"]
    assert (dongyuan.totals.participants, dongyuan.totals.volunteers,
            dongyuan.totals.hours) == ("66", "15", "4")
    assert any(o.rule == "12.2" and o.cell.status == "unmet" for o in dongyuan.owed)
    assert {d.rule for d in dongyuan.deadlines} >= {"12.1", "14.1"}
    assert all(d.due.startswith("2023-05") for d in dongyuan.deadlines)
    xiyuan = units["xiyuan"]
    assert [(b.rule, b.title) for b in xiyuan.breaches] == [("12.3", "清洁家园")]
    assert xiyuan.breaches[0].where == "records/xiyuan/vol-0405.yaml:1"
    [waiver] = xiyuan.waivers
    assert waiver.rule == "12.2" and waiver.period == "2023-04"
    assert {(f.label, f.value) for f in waiver.facts} == {("理由", "社区换届选举"),
                                                         ("批准人", "街道党工委书记")}


def test_problems_list_invalid_records_by_file_and_line(outcome: Outcome) -> None:
    errors = [p for p in _april(outcome).problems if p.severity == "error"]
    assert {p.where for p in errors} == {"records/xiyuan/broken.yaml:1",  # no date
                                         "records/xiyuan/broken.yaml:3"}  # `dat:` is unknown
    assert all(p.code and p.message for p in errors)


def test_one_unit_report(outcome: Outcome) -> None:
    report = _april(outcome, "dongyuan")
    assert report.title.startswith("东苑社区") and [u.id for u in report.units] == ["dongyuan"]
    assert [row.unit for row in report.heatmap.rows] == ["dongyuan"]
    shown = {row.unit for s in report.sections for item in s.blocks for b in item.rules
             for row in b.rows}
    assert shown == {"dongyuan", "dongyuan-b1"}
    assert all(r.id != "1.1" for r in report.rules)  # the subdistrict's own duties are left out
    assert [s.unit for s in report.scores] == ["dongyuan"]


def test_quarter_and_year_reports(outcome: Outcome) -> None:
    q2 = parse_period("quarter", "2023-Q2")
    year = parse_period("year", "2023")
    assert q2 is not None and year is not None
    assert build(outcome, q2, made=MADE).heatmap.months == ["2023-04"]  # as of April 30
    report = build(outcome, year, made=MADE)
    assert report.period.label == "2023" and report.units[1].events


def test_a_year_report_folds_monthly_results_per_unit(add, run) -> None:
    """Monthly results of one rule become one line per unit in a year report; a month
    report keeps them apart; work is listed by type, violations are capped."""
    for month in ("04", "05", "06"):
        add(f"dongyuan/read-{month}.yaml", {"type": "阅读活动", "unit": "dongyuan",
                                            "date": f"2023-{month}-10", "title": "读书会"})
    outcome = run(as_of="2023-07-31", rules=["17.1"], units=["dongyuan"])
    year = build(outcome, parse_period("year", "2023"), "dongyuan", made=MADE)
    rows = [row for s in year.sections for i in s.blocks for b in i.rules for row in b.rows]
    assert len(rows) == 1
    assert rows[0].period == "4 periods"  # April … July
    assert rows[0].actual == "✓3 ✗1" and rows[0].cell.status == "unmet"
    assert "2023-07" in rows[0].detail
    assert [(e.type, e.title) for e in year.units[0].events] == [("阅读活动", "3 records")]
    month = build(outcome, parse_period("month", "2023-05"), "dongyuan", made=MADE)
    rows = [row for s in month.sections for i in s.blocks for b in i.rules for row in b.rows]
    assert [row.period for row in rows] == ["2023-05"]


def test_heatmap_has_the_report_month_even_when_a_window_shares_its_label(run) -> None:
    """Regression: September's window is labelled 2023-09 like the month."""
    outcome = run(as_of="2023-09-30", units=["nanhu"])
    report = build(outcome, parse_period("month", "2023-09"), "nanhu", made=MADE)
    assert report.heatmap.months[-1] == "2023-09"
