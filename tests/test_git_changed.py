"""``dc check --changed-since REV``: problems of changed files only, affected results only."""

from __future__ import annotations

import json

import pytest

from dianchang_cli.diagnostics import PlanError
from dianchang_cli.gitrepo.changes import RevisionError
from test_git_support import GitRepo, dc, reading

pytestmark = pytest.mark.usefixtures("english")

BAD = reading("2023-04-10") + "dat: 2023-04-10\n"  # unknown field


@pytest.fixture
def pushed(repo, add):
    git_repo = GitRepo(repo.root)
    """A history with an old invalid record, then a push adding and changing records."""
    add("dongyuan/2023/04/old.yaml", reading("2023-04-03"))
    add("dongyuan/2023/04/old-bad.yaml", BAD)
    add("xiyuan/2023/05/first.yaml", reading("2023-05-02", "xiyuan"))
    add("nanhu/2023/05/edit.yaml", reading("2023-05-03", "nanhu"))
    git_repo.commit("2023-05-04")
    git_repo.git("tag", "base")
    add("xiyuan/2023/05/second.yaml", reading("2023-05-20", "xiyuan"))  # untracked
    add("dongyuan/2023/05/new-bad.yaml", BAD.replace("2023-04-10", "2023-05-10"))
    add("nanhu/2023/05/edit.yaml", reading("2023-05-04", "nanhu"))  # changed, committed
    git_repo.commit("2023-05-21", "nh-sec@example.org", "records/nanhu")
    return repo


def test_only_changed_files_are_reported(pushed, run) -> None:
    out = run(as_of="2023-05-31", changed_since="base")
    assert {p.file for p in out.problems} == {"records/dongyuan/2023/05/new-bad.yaml"}
    assert out.changed == {"records/xiyuan/2023/05/second.yaml",
                           "records/dongyuan/2023/05/new-bad.yaml",
                           "records/nanhu/2023/05/edit.yaml"}
    assert any("--changed-since base" in n for n in out.notes)
    full = run(as_of="2023-05-31")
    assert "records/dongyuan/2023/04/old-bad.yaml" in {p.file for p in full.problems}


def test_rules_still_see_every_record_but_results_are_narrowed(pushed, run) -> None:
    out = run(as_of="2023-05-31", rules=["17.1"], changed_since="base")
    shown = {(r.unit, r.period): r for r in out.results}
    assert shown[("xiyuan", "2023-05")].actual == 2  # the unchanged first one counts too
    assert shown[("nanhu", "2023-05")].status == "met"
    assert ("dongyuan", "2023-04") not in shown  # nothing changed there
    assert ("xiyuan", "2023-04") not in shown  # other months of the same unit
    assert ("beiguan", "2023-05") not in shown  # other units
    full = run(as_of="2023-05-31", rules=["17.1"])
    assert len(full.results) > len(out.results)


def test_only_rules_selecting_the_changed_types_are_shown(pushed, run) -> None:
    # the full check has unmet results of many rules in May; a push of reading activities
    # is judged on the reading rule of the units it touched, and on its invalid file
    out = run(as_of="2023-05-31", changed_since="base")
    assert {(r.rule, r.unit, r.period, r.status) for r in out.results} == {
        ("17.1", "xiyuan", "2023-05", "met"), ("17.1", "nanhu", "2023-05", "met")}
    assert out.fails("invalid")
    full = run(as_of="2023-05-31")
    assert len({r.rule for r in full.results if r.status == "unmet"}) > 1


def test_nothing_changed_reports_nothing(repo, add, run) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/bad.yaml", BAD)
    git_repo.commit("2023-05-04")
    out = run(as_of="2023-05-31", changed_since="HEAD")
    assert out.problems == [] and out.results == [] and not out.fails()


def test_bad_revision_is_a_usage_error(pushed, run) -> None:
    with pytest.raises(RevisionError) as err:
        run(changed_since="no-such-tag")
    assert isinstance(err.value, PlanError) and "no-such-tag" in str(err.value)
    done = dc("check", "--repo", str(pushed.root), "--changed-since", "no-such-tag")
    assert done.returncode == 2
    assert "no-such-tag" in done.stderr and "Traceback" not in done.stderr


def test_changed_since_without_git_is_a_usage_error(repo, add) -> None:
    add("dongyuan/r.yaml", reading("2023-04-03"))
    done = dc("check", "--repo", str(repo.root), "--changed-since", "HEAD")
    assert done.returncode == 2
    assert "git" in done.stderr and "Traceback" not in done.stderr


def test_cli_json_lists_only_changed_problems(pushed) -> None:
    done = dc("check", "--repo", str(pushed.root), "--as-of", "2023-05-31", "--format", "json",
              "--changed-since", "base")
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert [e["file"] for e in doc["errors"]] == ["records/dongyuan/2023/05/new-bad.yaml"]
    assert {r["rule"] for r in doc["results"]} == {"17.1"}
