"""``due: {day: 7, basis: commit}``: a deadline judged by the day a record was committed."""

from __future__ import annotations

import pytest

from dianchang_cli.api import check
from dianchang_cli.diagnostics import PlanError
from test_git_support import GitRepo, reading

pytestmark = pytest.mark.usefixtures("english")

RULES = """\
rules:
  - id: "t.commit"
    name: 每月7日前提交阅读活动记录（按提交日期）
    item: 17
    source: "社区每月至少开展一次阅读活动"
    basis: assumed
    kind: deadline
    scope: community
    period: month
    select: {types: [reading_activity]}
    due: {day: 7, basis: commit}
    severity: error
  - id: "t.record"
    name: 每月7日前开展阅读活动（按活动日期）
    item: 17
    source: "社区每月至少开展一次阅读活动"
    basis: assumed
    kind: deadline
    scope: community
    period: month
    select: {types: [reading_activity]}
    due: {day: 7}
    severity: error
"""


@pytest.fixture
def rules(repo):
    (repo.plan_dir / "rules" / "9-test-commit.yaml").write_text(RULES, encoding="utf-8")
    return repo


def status(outcome, rule: str, period: str = "2023-04", unit: str = "dongyuan") -> str:
    [res] = [r for r in outcome.results if (r.rule, r.unit, r.period) == (rule, unit, period)]
    return res.status


def test_commit_basis_turns_met_into_late(rules, add, run) -> None:
    git_repo = GitRepo(rules.root)
    add("dongyuan/r.yaml", reading("2023-04-03"))
    git_repo.commit("2023-04-10")  # done on the 3rd, committed on the 10th: after the 7th
    out = run(rules=["t.commit", "t.record"], units=["dongyuan"])
    assert status(out, "t.record") == "met"
    assert status(out, "t.commit") == "late"
    [res] = [r for r in out.results if r.rule == "t.commit" and r.period == "2023-04"]
    assert res.late_records == ("dongyuan/r",)


def test_commit_basis_met_when_committed_in_time(rules, add, run) -> None:
    git_repo = GitRepo(rules.root)
    add("dongyuan/r.yaml", reading("2023-04-03"))
    git_repo.commit("2023-04-07T23:59:00+08:00")  # still the 7th in Shanghai
    out = run(rules=["t.commit"], units=["dongyuan"])
    assert status(out, "t.commit") == "met"
    assert out.notes == []


def test_uncommitted_record_counts_its_own_date_with_a_note(rules, add, run) -> None:
    git_repo = GitRepo(rules.root)
    add("dongyuan/old.yaml", reading("2023-05-02"))
    git_repo.commit("2023-05-20")
    add("dongyuan/r.yaml", reading("2023-04-03"))  # not committed
    out = run(rules=["t.commit"], units=["dongyuan"])
    assert status(out, "t.commit") == "met"
    assert status(out, "t.commit", "2023-05") == "late"
    assert len(out.notes) == 1 and "not committed" in out.notes[0]


def test_without_git_the_record_date_counts_and_one_note(rules, add, run) -> None:
    add("dongyuan/r.yaml", reading("2023-04-03"))
    out = run(rules=["t.commit"], units=["dongyuan"])
    assert status(out, "t.commit") == "met"
    assert len(out.notes) == 1 and "git" in out.notes[0] and "basis: commit" in out.notes[0]


def test_basis_must_be_record_or_commit(repo) -> None:
    (repo.plan_dir / "rules" / "9-bad.yaml").write_text(
        RULES.replace("basis: commit", "basis: push"), encoding="utf-8")
    with pytest.raises(PlanError) as err:
        check(repo, workers=1)
    assert any("9-bad.yaml" in p.file for p in err.value.problems)
