"""``dc audit`` (who changed whose records) and ``dc codeowners``."""

from __future__ import annotations

import json

import pytest

from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.gitrepo.audit import audit
from dianchang_cli.gitrepo.codeowners import codeowners
from dianchang_cli.gitrepo.git import GitError
from test_git_support import GitRepo, dc, reading

pytestmark = pytest.mark.usefixtures("english")


def findings(repo, since: str | None = None) -> list:
    return audit(repo, load_plan(repo.plan_dir, repo.root), since)[1]


def test_a_listed_identity_of_the_unit_is_no_finding(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/2023/04/r.yaml", reading("2023-04-03"))
    git_repo.commit("2023-04-03", "dy-sec@example.org")
    add("dongyuan/2023/04/r.yaml", reading("2023-04-04"))
    git_repo.commit("2023-04-04", "DY-PUB@Example.org")  # emails compare case-insensitively
    assert findings(repo) == []


def test_an_unlisted_email_touching_a_unit_is_a_finding(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/2023/04/r.yaml", reading("2023-04-03"))
    add("dongyuan/2023/04/s.yaml", reading("2023-04-05"))
    sha = git_repo.commit("2023-04-06", "stranger@example.org")
    [f] = findings(repo)
    assert (f.commit, f.email, f.unit) == (sha, "stranger@example.org", "dongyuan")
    assert f.files == ("records/dongyuan/2023/04/r.yaml", "records/dongyuan/2023/04/s.yaml")
    assert f.time.isoformat().startswith("2023-04-06")


def test_who_may_write_what(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/a.yaml", reading("2023-04-03"))
    git_repo.commit("2023-04-03", "dc-coord@example.org")  # subdistrict staff: anywhere
    add("dongyuan-b1/a.yaml", reading("2023-04-04", "dongyuan-b1"))
    git_repo.commit("2023-04-04", "dy-sec@example.org")  # the branch's community
    add("dongyuan/b.yaml", reading("2023-04-05"))
    wrong = git_repo.commit("2023-04-05", "xy-sec@example.org")  # another community
    add("xiyuan/a.yaml", reading("2023-04-06", "xiyuan"))
    git_repo.commit("2023-04-06", "xy-sec@example.org")
    add("dianchang/a.yaml", reading("2023-04-07", "dianchang"))
    up = git_repo.commit("2023-04-07", "dy-sec@example.org")  # a community on the subdistrict
    assert [(f.commit, f.unit) for f in findings(repo)] == [(wrong, "dongyuan"),
                                                            (up, "dianchang")]


def test_the_unit_comes_from_the_file_then_from_its_folder(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    add("shared/x.yaml", reading("2023-04-03", "xiyuan"))  # folder says nothing
    git_repo.commit("2023-04-03", "xy-pub@example.org")
    gone = add("xiyuan/gone.yaml", reading("2023-04-03", "xiyuan"))
    git_repo.commit("2023-04-04", "xy-pub@example.org")
    gone.unlink()
    deleted = git_repo.commit("2023-04-05", "dy-sec@example.org")  # deleting counts too
    [f] = findings(repo)
    assert (f.commit, f.unit, f.files) == (deleted, "xiyuan", ("records/xiyuan/gone.yaml",))


def test_one_finding_per_commit_and_unit(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/a.yaml", reading("2023-04-03"))
    add("nanhu/a.yaml", reading("2023-04-03", "nanhu"))
    (repo.root / "notes.txt").write_text("not a record\n", encoding="utf-8")
    git_repo.commit("2023-04-03", "someone@example.org")
    assert sorted(f.unit for f in findings(repo)) == ["dongyuan", "nanhu"]


def test_since_limits_the_commits(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/a.yaml", reading("2023-04-03"))
    git_repo.commit("2023-04-03", "stranger@example.org")
    git_repo.git("tag", "checked")
    add("dongyuan/b.yaml", reading("2023-04-04"))
    later = git_repo.commit("2023-04-04", "dy-sec@example.org")
    assert len(findings(repo)) == 1
    assert findings(repo, since="checked") == []
    assert audit(repo, load_plan(repo.plan_dir, repo.root), "checked")[0] == 1
    add("dongyuan/c.yaml", reading("2023-04-05"))
    last = git_repo.commit("2023-04-05", "stranger@example.org")
    assert [f.commit for f in findings(repo, since=later)] == [last]


def test_errors_are_git_errors(repo) -> None:
    plan = load_plan(repo.plan_dir, repo.root)
    with pytest.raises(GitError):
        audit(repo, plan)  # not a repository
    GitRepo(repo.root).commit("2023-04-03")
    with pytest.raises(GitError, match="no-such-rev"):
        audit(repo, plan, "no-such-rev")


def test_cli_exit_codes_and_json(repo, add) -> None:
    git_repo = GitRepo(repo.root)
    add("dongyuan/a.yaml", reading("2023-04-03"))
    git_repo.commit("2023-04-03", "dy-sec@example.org")
    clean = dc("audit", "--repo", str(repo.root))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    add("dongyuan/b.yaml", reading("2023-04-04"))
    sha = git_repo.commit("2023-04-04", "stranger@example.org")
    done = dc("audit", "--repo", str(repo.root), "--format", "json")
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert doc["commits"] == 2
    assert doc["findings"] == [{"commit": sha, "date": doc["findings"][0]["date"],
                                "author": "stranger@example.org", "name": "stranger",
                                "unit": "dongyuan", "files": ["records/dongyuan/b.yaml"]}]
    text = dc("audit", "--repo", str(repo.root))
    assert text.returncode == 1 and sha[:10] in text.stdout and "stranger" in text.stdout
    bad = dc("audit", "--repo", str(repo.root), "--since", "nope")
    assert bad.returncode == 2 and "nope" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_without_git_is_a_usage_error(repo) -> None:
    done = dc("audit", "--repo", str(repo.root))
    assert done.returncode == 2 and "git" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------- CODEOWNERS
def test_codeowners_content(repo) -> None:
    text = codeowners(repo, load_plan(repo.plan_dir, repo.root))
    lines = text.splitlines()
    assert lines[0].startswith("#") and "dc" in lines[0]
    rules = [line for line in lines if line and not line.startswith("#")]
    top = "dc-sec@example.org dc-pub@example.org dc-coord@example.org"
    assert rules[:3] == [f"/records/ {top}", f"/plan/ {top}", f"/CODEOWNERS {top}"]
    assert "/records/dongyuan/ dy-sec@example.org dy-pub@example.org" in rules
    assert "/records/dongyuan-b1/ dy-sec@example.org dy-pub@example.org" in rules
    units = [line.split()[0].removeprefix("/records/").rstrip("/") for line in rules[3:]]
    assert units == sorted(units) and len(units) == 10  # every unit but the subdistrict
    assert text == codeowners(repo, load_plan(repo.plan_dir, repo.root))  # deterministic


def test_units_without_identities_get_no_line(repo) -> None:
    units = repo.plan_dir / "units.yaml"
    text = units.read_text(encoding="utf-8").replace(
        ", git: [hx-sec@example.org]", "").replace(", git: [hx-pub@example.org]", "")
    units.write_text(text, encoding="utf-8")
    out = codeowners(repo, load_plan(repo.plan_dir, repo.root))
    assert "/records/hexi/" not in out and "/records/hexi-b1/" not in out


def test_cli_writes_codeowners(repo, tmp_path) -> None:
    done = dc("codeowners", "--repo", str(repo.root))
    assert done.returncode == 0, done.stderr
    written = (repo.root / "CODEOWNERS").read_text(encoding="utf-8")
    assert "/records/xiyuan/ xy-sec@example.org xy-pub@example.org" in written
    other = dc("codeowners", "--repo", str(repo.root), "--output",
               str(repo.root / ".github" / "CODEOWNERS"))
    assert other.returncode == 0
    moved = (repo.root / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "/.github/CODEOWNERS dc-sec@example.org" in moved
    shown = dc("codeowners", "--repo", str(repo.root), "--output", "-")
    assert shown.returncode == 0 and "/records/xiyuan/" in shown.stdout


def test_a_repository_without_commits_has_nothing_to_audit(repo, add) -> None:
    GitRepo(repo.root)
    add("dongyuan/a.yaml", reading("2023-04-03"))
    assert audit(repo, load_plan(repo.plan_dir, repo.root)) == (0, [])
