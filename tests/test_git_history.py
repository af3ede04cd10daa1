"""Git as evidence in ``dc check``: 补录 (late-entry) warnings and the notes about git."""

from __future__ import annotations

import json
import subprocess

import pytest

from dianchang_cli.api import Repo, check
from test_git_support import GitRepo, dc, reading

pytestmark = pytest.mark.usefixtures("english")

ACCOUNT = ("type: 新媒体平台账号\nunit: dongyuan\ndate: 2019-03-01\ntitle: 东苑社区公众号\n"
           "platform: 微信公众号\naccount_name: 东苑社区\n")


def late(outcome) -> list:
    return [p for p in outcome.problems if p.code == "late-entry"]


def test_committed_long_after_its_date_is_a_late_entry_warning(repo, add, run) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/2023/04/late.yaml", reading("2023-04-01"))
    sha = git_repo.commit("2023-06-15")
    out = run(rules=["17.1"], units=["dongyuan"])
    [warning] = late(out)
    assert warning.severity == "warning"
    # at the record's date; the commit is in the message, what is expected says the limit
    assert (warning.file, warning.line) == ("records/dongyuan/2023/04/late.yaml", 3)
    assert "2023-04-01" in warning.message and "2023-06-15" in warning.message
    assert sha[:10] in warning.message and sha[:10] not in (warning.expected or "")
    assert warning.record == "dongyuan/2023/04/late"
    assert out.commits["dongyuan/2023/04/late"].sha == sha
    assert not [p for p in out.problems if p.severity == "error"]
    assert out.notes == []  # git is there, everything is committed


def test_committed_the_next_day_is_no_late_entry(repo, add, run) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/2023/04/soon.yaml", reading("2023-04-01"))
    git_repo.commit("2023-04-02")
    assert late(run(rules=["17.1"])) == []


def test_the_limit_comes_from_the_plan(repo, add, run) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/a.yaml", reading("2023-04-01"))
    git_repo.commit("2023-05-01")  # 30 days later: allowed by late_entry_days: 30
    assert late(run(rules=["17.1"])) == []
    add("dongyuan/b.yaml", reading("2023-04-01"))
    git_repo.commit("2023-05-02")  # 31 days
    assert [p.file for p in late(run(rules=["17.1"]))] == ["records/dongyuan/b.yaml"]
    plan = repo.plan_dir / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("late_entry_days: 30",
                                                             "late_entry_days: 60"),
                    encoding="utf-8")
    assert late(run(rules=["17.1"])) == []


def test_registries_are_not_late_entries(repo, add, run) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/account.yaml", ACCOUNT)  # set up in 2019, recorded in 2023: not 补录
    git_repo.commit("2023-04-10")
    out = run(rules=["17.1"])
    assert not [p for p in out.problems if p.severity == "error"], out.problems
    assert late(out) == []


def test_warnings_never_fail_the_check(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/late.yaml", reading("2023-04-01"))
    git_repo.commit("2023-06-15")
    done = dc("check", "--repo", str(repo.root), "--format", "json", "--fail-on", "invalid")
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["errors"] == []
    assert [w["code"] for w in doc["warnings"]] == ["late-entry"]
    assert doc["provenance"]["dirty"] is False
    table = dc("check", "--repo", str(repo.root), "--fail-on", "invalid", "--rule", "17.1")
    assert table.returncode == 0 and "late-entry" in table.stdout


def test_without_git_one_note_and_no_facts(repo, add, run) -> None:
    add("dongyuan/late.yaml", reading("2023-04-01"))
    out = run(rules=["17.1"])
    assert len(out.notes) == 1 and "git" in out.notes[0]
    assert late(out) == [] and out.commits == {} and out.provenance == {}


def test_git_missing_from_path_is_the_same_as_no_repository(repo, add, monkeypatch, tmp_path
                                                            ) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/late.yaml", reading("2023-04-01"))
    git_repo.commit("2023-06-15")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = check(repo, workers=1)
    assert len(out.notes) == 1 and "git" in out.notes[0]
    assert late(out) == []


def test_uncommitted_records_have_no_facts(repo, add, run) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/old.yaml", reading("2023-04-02"))
    git_repo.commit("2023-04-03")
    add("dongyuan/new.yaml", reading("2023-04-01"))  # written, not committed yet
    out = run(rules=["17.1"])
    assert set(out.commits) == {"dongyuan/old"}
    assert late(out) == [] and out.notes == []
    assert out.provenance["dirty"] is True


def test_a_shallow_clone_gives_no_false_late_entries(repo, add, tmp_path) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/a.yaml", reading("2023-04-01"))
    git_repo.commit("2023-04-02")
    add("dongyuan/b.yaml", reading("2023-04-03"))
    git_repo.commit("2023-08-20")  # far later: a shallow clone sees only this commit
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
                   check=True, capture_output=True)
    out = check(Repo.at(clone), workers=1)
    assert late(out) == []
    assert len(out.notes) == 1 and "shallow" in out.notes[0]
    full = check(Repo.at(repo.root), workers=1)
    assert [p.file for p in late(full)] == ["records/dongyuan/b.yaml"]


def test_records_folder_given_separately(repo, add, tmp_path) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/late.yaml", reading("2023-04-01"))
    git_repo.commit("2023-06-15")
    elsewhere = Repo.at(tmp_path / "nowhere", plan=repo.plan_dir, records=repo.records_dir)
    out = check(elsewhere, workers=1, rules=["17.1"])
    [warning] = late(out)
    assert warning.file.endswith("records/dongyuan/late.yaml")
