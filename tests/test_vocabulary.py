"""The shared vocabulary of the outputs (render/vocabulary): a result's detail text, a
violation's place, number formatting — pinned on real results of the real plan, so the
check formats, the report and the ledger keep saying the same thing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from dianchang_cli.api import Outcome
from dianchang_cli.core import FAILING, OPEN, OWED, QUIET, SKIPPED, STATUSES, WORST_FIRST
from dianchang_cli.engine.periods import year_period
from dianchang_cli.engine.results import Result, Violation
from dianchang_cli.render import REPORT_FORMATS, check_renderer, report_renderer
from dianchang_cli.render.vocabulary import (
    Wording,
    detail_lines,
    detail_text,
    number_text,
    violation_place,
)
from dianchang_cli.report.scope import View
from dianchang_cli.report.scope import detail_text as report_detail
from dianchang_cli.report.text import day_text
from plans import ACCOUNT, POST, POST_FILE


@pytest.fixture
def outcome(english: None, add: Callable[[str, str], Path], run: Callable[..., Outcome]
            ) -> Outcome:
    """Dongyuan's account and one post that breaks a rule, checked at the year's end (in
    English: the engine words its messages when it runs)."""
    add("dongyuan/wechat.yaml", ACCOUNT)
    add("dongyuan/post-1.yaml", POST)
    return run("2023-12-31")


def first(outcome: Outcome, test: Callable[[Result], bool]) -> Result:
    found = [r for r in outcome.results if test(r)]
    assert found, "the plan has such a result"
    return found[0]


def kind(outcome: Outcome, r: Result) -> str:
    rule = outcome.plan.rule(r.rule)
    assert rule is not None
    return rule.kind


# ------------------------------------------------------------------ detail text
def test_detail_of_a_violation_names_the_record_and_the_reason(outcome: Outcome) -> None:
    r = first(outcome, lambda r: bool(r.violations))
    v = r.violations[0]
    assert detail_text(r) == f"dongyuan/post-1: {v.message}"
    assert "proofread" in v.message
    two = dataclasses.replace(r, violations=(v, v, v))
    assert detail_text(two) == f"dongyuan/post-1: {v.message} (+2 more)"


def test_detail_of_a_coverage_gap_lists_what_is_missing(outcome: Outcome,
                                                        english: None) -> None:
    r = first(outcome, lambda r: bool(r.missing))
    assert r.missing is not None
    assert detail_text(r) == "missing: " + "、".join(r.missing)


@pytest.mark.parametrize("status", ["unmet", "pending", "late"])
def test_an_open_result_with_a_due_day_shows_it(outcome: Outcome, english: None,
                                                status: str) -> None:
    r = dataclasses.replace(first(outcome, lambda r: r.due is not None and not r.missing),
                            status=status)
    assert r.due is not None
    assert detail_text(r) == f"due {r.due.isoformat()}"


def test_a_waived_result_names_its_waiver(outcome: Outcome, english: None) -> None:
    r = first(outcome, lambda r: r.status == "unmet" and kind(outcome, r) == "count")
    waived = dataclasses.replace(r, status="waived", waiver="dongyuan/waiver-1")
    assert detail_text(waived) == "waiver dongyuan/waiver-1"
    assert detail_lines(waived)[-1] == "waiver dongyuan/waiver-1"


def test_met_and_info_results_have_no_detail(outcome: Outcome) -> None:
    for status in ("met", "info"):
        r = first(outcome, lambda r, s=status: r.status == s)  # type: ignore[misc]
        assert detail_text(r) == ""


def test_the_wording_decides_titles_ids_days_and_length(outcome: Outcome, english: None
                                                        ) -> None:
    r = first(outcome, lambda r: bool(r.violations))
    titled = Wording(titles={"dongyuan/post-1": "五月宣传推文"}, cut=lambda s: s[:12] + "…")
    assert detail_text(r, titled) == "五月宣传推文: not …"
    due = first(outcome, lambda r: r.due is not None and r.status in OPEN and not r.missing)
    assert detail_text(due, Wording(day=lambda d: f"<{d.day}>")) == f"due <{due.due.day}>"  # type: ignore[union-attr]


def test_the_report_says_what_the_table_says(outcome: Outcome, english: None) -> None:
    """The report's detail is the shared one with record titles and its own day format."""
    for r in outcome.results:
        mine = report_detail(r, {})
        shared = detail_text(r, Wording(day=day_text))
        assert mine == shared, r


def test_a_running_count_says_what_it_still_needs(run: Callable[..., Outcome],
                                                  english: None) -> None:
    out = run("2023-06-15")
    pending = first(out, lambda r: r.status == "pending" and kind(out, r) == "count"
                    and r.period == "2023")
    assert detail_text(pending) == ""  # nothing shared to say: each format adds the days left
    view = View.of(out, year_period(2023))
    left = (dt.date(2023, 12, 31) - dt.date(2023, 6, 15)).days
    assert report_detail(pending, {}, view) == (
        f"{left} days left, {pending.target - pending.actual} more needed")


# ------------------------------------------------------------------ detail lines
def test_detail_lines_list_every_fact(outcome: Outcome, english: None) -> None:
    r = first(outcome, lambda r: bool(r.violations))
    place = violation_place(r.violations[0], outcome.index.by_id)
    lines = detail_lines(r, lambda v: violation_place(v, outcome.index.by_id), labelled=True,
                         records=True)
    assert lines[0] == f"progress: {r.actual}/{r.target}"
    assert lines[1] == f"{POST_FILE}:8: dongyuan/post-1: {r.violations[0].message}"
    assert place == (POST_FILE, 8)
    met = first(outcome, lambda r: r.status == "met" and bool(r.records))
    assert detail_lines(met, records=True)[-1] == "records: " + ", ".join(met.records)
    assert not any(line.startswith("records:") for line in detail_lines(met))


def test_github_joins_the_detail_lines(outcome: Outcome, english: None) -> None:
    r = first(outcome, lambda r: r.status == "unmet" and r.due is not None and not r.missing)
    out = io.StringIO()
    check_renderer("github")(outcome, out, False)
    assert f"{r.period}: {'; '.join(detail_lines(r))}" in out.getvalue()


# ------------------------------------------------------------------ places
def test_violation_place_from_the_violation_then_the_index(outcome: Outcome) -> None:
    by_id = outcome.index.by_id
    own = Violation("dongyuan/post-1", "x", file="elsewhere.yaml", line=3)
    assert violation_place(own, by_id) == ("elsewhere.yaml", 3)
    rec = by_id["dongyuan/post-1"]
    assert violation_place(Violation("dongyuan/post-1", "x"), by_id) == (rec.file, rec.line)
    assert rec.file == POST_FILE
    assert violation_place(Violation("nowhere/1", "x"), by_id) is None


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize(("value", "report", "ledger"), [
    (None, "", ""),
    (0, "0", "0"),
    (36, "36", "36"),
    (12.0, "12", "12"),
    (3.5, "3.5", "3.5"),
    (2.4999999, "2.5", "2.5"),
    (0.125, "0.125", "0.12"),
    (1234567.5, "1.23457e+06", "1234567.5"),
])
def test_number_text_with_and_without_places(value: float | None, report: str,
                                             ledger: str) -> None:
    assert number_text(value) == report
    assert number_text(value, places=2) == ledger


def test_number_text_shows_other_values_as_they_are() -> None:
    assert number_text("") == ""
    assert number_text("十") == "十"
    assert number_text(dt.date(2023, 4, 1)) == "2023-04-01"


# ------------------------------------------------------------------ statuses, registries
def test_status_sets_are_made_of_known_statuses() -> None:
    assert sorted(WORST_FIRST) == sorted(STATUSES)
    for named in (FAILING, OWED, OPEN, SKIPPED, QUIET):
        assert named <= set(STATUSES)
    assert FAILING.isdisjoint(SKIPPED) and OWED <= OPEN and FAILING <= OPEN


@pytest.mark.parametrize("name", sorted(REPORT_FORMATS))
def test_every_report_format_is_registered_by_name(name: str) -> None:
    assert callable(report_renderer(name))
