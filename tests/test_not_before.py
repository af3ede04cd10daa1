"""``not_before``: a later date or date-time of a record may not be earlier than the one it
follows (a reply before the report, a need resolved before it was received) — a record
error at the later field, so the impossible record is stopped at its file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dianchang_cli.api import Repo, check, validate_files
from dianchang_cli.diagnostics import PlanError
from dianchang_cli.engine.plancheck import load_plan
from plans import COMMON_FIELDS, make_repo

PLAN = """
plan: {id: test-2024, title: 测试计划, year: 2024}
""" + COMMON_FIELDS + """\
record_types:
  - id: incident
    name: 舆情
    kind: event
    fields:
      reported_at: {type: datetime, required: true, aliases: [发现时间]}
      responded_at: {type: datetime, not_before: reported_at, aliases: [回复时间]}
  - id: need
    name: 需求
    kind: event
    fields:
      received_on: {type: date, required: true}
      resolved_on: {type: date, not_before: received_on}
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Repo:
    return make_repo(tmp_path, PLAN)


def problems(repo: Repo, name: str, body: str) -> list:
    path = repo.records_dir / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    _plan, loaded = validate_files(repo, [path])
    return loaded.problems


HEAD = "type: 舆情\nunit: east\ndate: 2024-05-06\ntitle: 舆情\n"


def test_a_reply_before_the_report_is_a_bad_value_at_the_reply(tiny: Repo,
                                                                english: None) -> None:
    [p] = problems(tiny, "x", HEAD + "reported_at: 2024-05-06T10:05\n"
                                     "responded_at: 2024-05-06T10:03\n")
    assert (p.code, p.line, p.severity) == ("bad-value", 6, "error")
    assert p.message == "responded_at (10:03) is earlier than reported_at (10:05)"


def test_the_keys_are_quoted_as_written(tiny: Repo, english: None) -> None:
    [p] = problems(tiny, "x", HEAD + "回复时间: 2024-05-06T10:03\n发现时间: 2024-05-06T10:05\n")
    assert p.line == 5 and p.message == "回复时间 (10:03) is earlier than 发现时间 (10:05)"


def test_other_days_show_the_day_and_seconds_show(tiny: Repo, english: None) -> None:
    [p] = problems(tiny, "x", HEAD + "reported_at: 2024-05-06T10:05\n"
                                     "responded_at: 2024-05-05T23:59\n")
    assert "(2024-05-05 23:59)" in p.message and "(2024-05-06 10:05)" in p.message
    [p] = problems(tiny, "y", HEAD + "reported_at: 2024-05-06T10:05:30\n"
                                     "responded_at: 2024-05-06T10:05:10\n")
    assert "(10:05:10)" in p.message


def test_equal_later_or_missing_is_fine(tiny: Repo) -> None:
    assert problems(tiny, "a", HEAD + "reported_at: 2024-05-06T10:05\n"
                                      "responded_at: 2024-05-06T10:05\n") == []
    assert problems(tiny, "b", HEAD + "reported_at: 2024-05-06T10:05\n"
                                      "responded_at: 2024-05-06T10:09\n") == []
    assert problems(tiny, "c", HEAD + "reported_at: 2024-05-06T10:05\n") == []
    # time zones are compared as moments: 03:04 UTC is 11:04 in Beijing
    assert problems(tiny, "d", HEAD + "reported_at: 2024-05-06T11:00+08:00\n"
                                      "responded_at: 2024-05-06T03:04Z\n") == []


def test_dates_too_and_the_record_drops_out(tiny: Repo) -> None:
    body = ("type: 需求\nunit: east\ndate: 2024-05-06\ntitle: 需求\n"
            "received_on: 2024-05-06\nresolved_on: 2024-05-01\n")
    [p] = problems(tiny, "need", body)
    assert p.code == "bad-value" and p.line == 6 and "2024-05-01" in p.message
    out = check(tiny, as_of=dt.date(2024, 5, 31), workers=1)
    assert out.records == [] and [q.code for q in out.problems] == ["bad-value"]


@pytest.mark.parametrize(("change", "words"), [
    ("not_before: reported_at, aliases: [回复时间]", "not_before: reported, aliases: [回复时间]"),
    ("resolved_on: {type: date, not_before: received_on}",
     "resolved_on: {type: date, not_before: reported_at}"),
    ("resolved_on: {type: date, not_before: received_on}",
     "resolved_on: {type: datetime, not_before: received_on}"),
    ("resolved_on: {type: date, not_before: received_on}",
     "resolved_on: {type: text, not_before: received_on}"),
    ("resolved_on: {type: date, not_before: received_on}",
     "resolved_on: {type: date, not_before: resolved_on}"),
])
def test_the_plan_loader_checks_not_before(tmp_path: Path, change: tuple[str, str],
                                           words: str) -> None:
    plan = PLAN.replace(change, words)
    assert plan != PLAN
    with pytest.raises(PlanError) as err:
        load_plan(make_repo(tmp_path, plan).plan_dir, tmp_path)
    [problem] = err.value.problems
    assert problem.file == "plan/plan.yaml" and problem.code == "plan-invalid"
    line = next(i for i, x in enumerate(plan.splitlines(), 1) if words.split(":")[0] in x)
    assert problem.line == line
