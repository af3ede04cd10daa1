"""Helpers for tests that need real git repositories (imported by the other test_git_* and
test_audit files), and tests of the git plumbing itself: parsing, first commits, no git."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dianchang_cli.gitrepo import git as gitinfo

READING = "type: 阅读活动\nunit: {unit}\ndate: {date}\ntitle: 阅读活动 {date}\n"


def reading(date: str, unit: str = "dongyuan") -> str:
    return READING.format(unit=unit, date=date)


class GitRepo:
    """A git repository in a temporary folder; commits carry chosen authors and dates."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.git("init", "-q")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        done = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True,
                              text=True, env=base | (env or {}), check=True)
        return done.stdout

    def commit(self, when: str, email: str = "dy-sec@example.org", *paths: str,
               message: str = "records") -> str:
        """Stage ``paths`` (default: everything) and commit at ``when`` (ISO, +08:00 if no
        offset) as ``email``; returns the sha."""
        stamp = when if ("+" in when or when.endswith("Z")) else f"{when}T10:00:00+08:00"
        self.git("add", "-A", "--", *(paths or ["."]))
        name = email.split("@")[0]
        self.git("-c", f"user.name={name}", "-c", f"user.email={email}", "commit", "-q",
                 "--allow-empty", "-m", message,
                 env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
        return self.git("rev-parse", "HEAD").strip()


def dc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line (English messages) in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k != "DC_LANG" and not k.startswith("GIT_")}
    return subprocess.run([sys.executable, "-m", "dianchang_cli", "--lang", "en", *args],
                          cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


pytestmark = pytest.mark.usefixtures("english")


# ---------------------------------------------------------------- the plumbing itself
def test_first_commits_one_pass(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/a.yaml", reading("2023-04-01"))
    add("东苑/中文 名.yaml", reading("2023-04-01"))
    first = git_repo.commit("2023-04-02", "dy-sec@example.org")
    add("dongyuan/a.yaml", reading("2023-04-03"))  # a change: not a new first commit
    add("dongyuan/b.yaml", reading("2023-04-05"))
    second = git_repo.commit("2023-06-15T23:30:00+08:00", "dy-pub@example.org")

    facts = gitinfo.first_commits(repo.root, ["records"])
    assert facts is not None
    a = facts["records/dongyuan/a.yaml"]
    assert (a.sha, a.email, a.day) == (first, "dy-sec@example.org", dt.date(2023, 4, 2))
    assert facts["records/东苑/中文 名.yaml"].sha == first
    b = facts["records/dongyuan/b.yaml"]
    assert (b.sha, b.email) == (second, "dy-pub@example.org")
    assert b.day == dt.date(2023, 6, 15)  # the day in Asia/Shanghai, not UTC (15:30Z)
    assert b.time == dt.datetime(2023, 6, 15, 15, 30, tzinfo=dt.UTC)
    # asked about the records folder itself, paths are relative to it
    below = gitinfo.first_commits(repo.records_dir)
    assert below is not None and set(below) == {"dongyuan/a.yaml", "dongyuan/b.yaml",
                                                "东苑/中文 名.yaml"}


def test_first_commit_is_the_earliest_add(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    path = add("dongyuan/a.yaml", reading("2023-04-01"))
    first = git_repo.commit("2023-04-02")
    path.unlink()
    git_repo.commit("2023-04-03")
    add("dongyuan/a.yaml", reading("2023-04-01"))
    git_repo.commit("2023-05-01")
    facts = gitinfo.first_commits(repo.root, ["records"])
    assert facts is not None and facts["records/dongyuan/a.yaml"].sha == first


def test_commit_files_commits_a_removed_file_it_knows_and_leaves_out_one_it_never_had(
        tmp_path) -> None:
    g = GitRepo(tmp_path)
    g.git("config", "user.email", "coord@example.org")
    g.git("config", "user.name", "Coordinator")
    tracked, untracked, kept = (tmp_path / name for name in ("a.yaml", "b.yaml", "c.yaml"))
    tracked.write_text("a: 1\n")
    g.commit("2023-04-02")
    untracked.write_text("b: 1\n")
    tracked.unlink()
    untracked.unlink()  # written and removed again since the last commit
    kept.write_text("c: 1\n")
    sha = gitinfo.commit_files(tmp_path, [tracked, untracked, kept], "moved")
    assert g.git("show", "--name-status", "--format=", sha).split() == [
        "D", "a.yaml", "A", "c.yaml"]
    assert g.git("status", "--porcelain") == ""


def test_no_git_is_none_not_a_crash(tmp_path, monkeypatch) -> None:
    assert gitinfo.first_commits(tmp_path) is None
    assert gitinfo.provenance(tmp_path) == {}
    with pytest.raises(gitinfo.GitError):
        gitinfo.changed_files(tmp_path, "HEAD")
    monkeypatch.setenv("PATH", str(tmp_path))  # git not installed at all
    assert gitinfo.first_commits(tmp_path) is None
    with pytest.raises(gitinfo.GitError, match=r"(?i)git"):
        gitinfo.log(tmp_path)


def test_repository_without_commits_has_no_first_commits(tmp_path) -> None:
    GitRepo(tmp_path)
    assert gitinfo.first_commits(tmp_path) == {}


def test_bad_revisions_are_refused(tmp_path) -> None:
    g = GitRepo(tmp_path)
    (tmp_path / "x.yaml").write_text("a: 1\n")
    sha = g.commit("2023-04-02")
    assert gitinfo.verify_revision(tmp_path, "HEAD") == sha
    for bad in ("nope", "--output=/tmp/x", "HEAD~5"):
        with pytest.raises(gitinfo.GitError, match=re.escape(bad)):
            gitinfo.verify_revision(tmp_path, bad)


def test_parse_log_reads_statuses_and_odd_names() -> None:
    text = ("\x1eabc\x1fa@x\x1fA B\x1f1680400800\x1f1680400800\0\nA\0records/a b.yaml\0"
            "M\0records/c.yaml\0\x1edef\x1fb@x\x1fB\x1f1680500000\x1f1680500000\0\nD\0"
            "records/a b.yaml\0")
    commits = gitinfo.parse_log(text)
    assert [c.sha for c in commits] == ["abc", "def"]
    assert commits[0].changes == (("A", "records/a b.yaml"), ("M", "records/c.yaml"))
    assert commits[1].changes == (("D", "records/a b.yaml"),)
    assert commits[0].day == dt.date(2023, 4, 2)
    first = gitinfo.first_by_path(commits)
    assert set(first) == {"records/a b.yaml"}
