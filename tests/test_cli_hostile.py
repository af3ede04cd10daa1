"""The command line says no when it means no: exit 2 with one sentence, never a traceback.

Every case runs the real ``dc`` in a fresh process on a temporary repository made from the
real plan and a few records.  ``PYTEST_CURRENT_TEST`` is removed from the child's
environment, so the child behaves as it does for a user (an unexpected exception would be
the one-line internal error, which every test here also rules out).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dianchang_cli.api import Repo
from test_git_support import GitRepo

READING = "type: 阅读活动\nunit: {unit}\ndate: {date}\ntitle: 阅读活动 {date}\n"
VOLUNTEER = ("type: 新时代文明实践志愿服务活动\nunit: dongyuan\ndate: 2023-04-10\n"
             "title: 义诊进社区\ntheme: 卫生健康\nvolunteers: 5\nservice_hours: 1.5\n")


def dc(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
       lang: str | None = "en") -> subprocess.CompletedProcess[str]:
    """``dc ARGS`` in a fresh process, as a user runs it (English unless ``lang=None``)."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("DC_LANG", "PYTEST_CURRENT_TEST", "DC_DEBUG")
            and not k.startswith("GIT_")}
    head = ["--lang", lang] if lang else []
    return subprocess.run([sys.executable, "-m", "dianchang_cli", *head, *args], cwd=cwd,
                          capture_output=True, text=True, env=base | (env or {}), timeout=120)


def said_no(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2, no traceback, no internal error, a message on stderr containing ``words``."""
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "Traceback" not in out and "internal error" not in out, out
    message = done.stderr.strip()
    assert message, out
    for word in words:
        assert word in message, message
    return message


@pytest.fixture
def filled(repo: Repo, add: Callable[[str, dict | str], Path]) -> Repo:
    add("dongyuan/r1.yaml", READING.format(unit="dongyuan", date="2023-04-23"))
    add("xiyuan/r1.yaml", READING.format(unit="xiyuan", date="2023-04-20"))
    add("dongyuan/v1.yaml", VOLUNTEER)
    return repo


def at(repo: Repo, *args: str) -> tuple[str, ...]:
    return (*args, "--repo", str(repo.root))


# ------------------------------------------------------------ unknown units and rules
@pytest.mark.parametrize("command", [
    ("check",), ("report", "--month", "2023-04"), ("explain", "17.1"),
    ("ledger", "--month", "2023-04")])
def test_an_unknown_unit_is_exit_2_listing_the_units(filled: Repo, command: tuple[str, ...]
                                                     ) -> None:
    message = said_no(dc(*at(filled, *command, "--unit", "nowhere")), "'nowhere'")
    assert "dongyuan" in message and "xiyuan" in message


@pytest.mark.parametrize("command", [("check", "--rule", "99.9"), ("explain", "99.9")])
def test_an_unknown_rule_is_exit_2_listing_the_rules(filled: Repo, command: tuple[str, ...]
                                                     ) -> None:
    message = said_no(dc(*at(filled, *command)), "'99.9'")
    assert "12.2" in message and "17.1" in message


def test_one_unknown_among_known_ones_is_still_a_no(filled: Repo) -> None:
    said_no(dc(*at(filled, "check", "--rule", "17.1", "--rule", "17.x")), "'17.x'")
    said_no(dc(*at(filled, "check", "--unit", "dongyuan", "--unit", "dongyaun")), "'dongyaun'")


def test_a_hostile_unit_name_is_escaped_and_capped(filled: Repo) -> None:
    message = said_no(dc(*at(filled, "check", "--unit", "\x1b[31m" + "x" * 5000)))
    assert "\x1b" not in message and "\\x1b" in message
    assert len(message) < 1500


def test_known_units_and_rules_still_work(filled: Repo) -> None:
    done = dc(*at(filled, "check", "--unit", "dongyuan", "--unit", "xiyuan", "--rule", "17.1",
                  "--as-of", "2023-04-30", "-f", "json"))
    assert done.returncode == 0, done.stderr
    units = {r["unit"] for r in json.loads(done.stdout)["results"]}
    assert units == {"dongyuan", "xiyuan"}


# ------------------------------------------------------------ repeated --unit
def test_report_with_two_units_writes_one_file_each(filled: Repo) -> None:
    done = dc(*at(filled, "report", "--month", "2023-04", "--unit", "dongyuan",
                  "--unit", "xiyuan"))
    assert done.returncode == 0, done.stderr
    paths = [Path(line) for line in done.stdout.split()]
    assert [p.name for p in paths] == ["2023-04-dongyuan.md", "2023-04-xiyuan.md"]
    assert all(p.is_file() for p in paths)
    assert "东苑" in paths[0].read_text(encoding="utf-8")
    assert "西苑" in paths[1].read_text(encoding="utf-8")


def test_ledger_with_two_units_writes_one_file_each(filled: Repo) -> None:
    done = dc(*at(filled, "ledger", "--month", "2023-04", "--unit", "dongyuan",
                  "--unit", "xiyuan"))
    assert done.returncode == 0, done.stderr
    names = [Path(line).name for line in done.stdout.split()]
    assert names == ["ledger-2023-04-dongyuan.md", "ledger-2023-04-xiyuan.md"]


def test_one_output_file_for_two_units_is_a_no(filled: Repo, tmp_path: Path) -> None:
    out = tmp_path / "one.md"
    said_no(dc(*at(filled, "report", "--month", "2023-04", "--unit", "dongyuan", "--unit",
                   "xiyuan", "-o", str(out))), "-o")
    assert not out.exists()


# ------------------------------------------------------------ periods and option values
@pytest.mark.parametrize("args", [
    ("explain", "17.1", "--month", "2023-13"),
    ("explain", "17.1", "--month", "2023-4-1"),
    ("explain", "17.1", "--month", "soon"),
    ("report", "--month", "2023-13"),
    ("report", "--month", "2023-4-1"),
    ("report", "--quarter", "2023-Q5"),
    ("report", "--year", "0000"),
    ("report", "--month", "9999-12"),
    ("report", "--year", "23"),
    ("ledger", "--month", "2023-13"),
    ("ledger", "--month", "0000-01"),
    ("ledger", "--month", "2023-4-1"),
])
def test_a_bad_period_is_exit_2(filled: Repo, args: tuple[str, ...]) -> None:
    said_no(dc(*at(filled, *args)), args[-2])


def test_explain_accepts_a_month_written_short(filled: Repo) -> None:
    done = dc(*at(filled, "explain", "17.1", "--month", "2023-4", "--unit", "dongyuan",
                  "--as-of", "2023-12-31"))
    assert done.returncode == 0, done.stderr
    assert "2023-04" in done.stdout and "2023-05" not in done.stdout


@pytest.mark.parametrize(("args", "word"), [
    (("check", "--as-of", "2023-02-30"), "2023-02-30"),
    (("check", "--as-of", "abc"), "abc"),
    (("check", "--as-of", ""), "--as-of"),
    (("check", "--fail-on", "x"), "--fail-on"),
    (("check", "-f", "nope"), "--format"),
    (("report", "--month", "2023-04", "-f", "nope"), "--format"),
    (("ledger", "--month", "2023-04", "-f", "nope"), "--format"),
    (("validate", "x.yaml", "-f", "nope"), "--format"),
    (("audit", "-f", "nope"), "--format"),
    (("explain", "17.1", "--as-of", "2023-02-30"), "--as-of"),
    (("report", "--month", "2023-04", "--as-of", "31/12/2023"), "--as-of"),
    (("ledger", "--month", "2023-04", "--as-of", "x" * 5000), "--as-of"),
])
def test_every_bad_option_value_is_exit_2_with_a_sentence(filled: Repo, args: tuple[str, ...],
                                                          word: str) -> None:
    message = said_no(dc(*at(filled, *args)), word)
    assert len(message) < 1500  # a 5000-character value is not echoed whole


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("command", [("check",), ("explain", "17.1"),
                                     ("report", "--month", "2023-04"),
                                     ("ledger", "--month", "2023-04")])
def test_days_at_the_ends_of_the_calendar_do_not_crash(filled: Repo, day: str,
                                                       command: tuple[str, ...]) -> None:
    """Either answered, or refused as a day out of range: never a crash."""
    done = dc(*at(filled, *command, "--as-of", day))
    out = done.stdout + done.stderr
    if done.returncode == 2:
        said_no(done, "--as-of", day)
    else:
        assert done.returncode in (0, 1), out
        assert "Traceback" not in out and "internal error" not in out


def test_an_unreadable_source_date_epoch_is_ignored(filled: Repo) -> None:
    done = dc(*at(filled, "report", "--month", "2023-04"),
              env={"SOURCE_DATE_EPOCH": "99999999999999999999"})
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------ languages
def test_an_unknown_language_is_exit_2_naming_the_languages(filled: Repo) -> None:
    message = said_no(dc(*at(filled, "check"), lang="fr"), "fr")
    assert "zh" in message and "en" in message
    said_no(dc(*at(filled, "check", "--lang=xx")), "xx")
    said_no(dc("check", "--lang", lang=None), "--lang")


def test_an_unknown_dc_lang_is_exit_2_too(filled: Repo) -> None:
    message = said_no(dc(*at(filled, "check"), lang=None, env={"DC_LANG": "fr"}), "DC_LANG=fr")
    assert "zh" in message and "en" in message


def test_dc_lang_may_be_written_like_lang(filled: Repo) -> None:
    done = dc(*at(filled, "check", "--rule", "17.1"), lang=None,
              env={"DC_LANG": "en_US.UTF-8"})
    assert done.returncode in (0, 1) and "As of" in done.stdout


# ------------------------------------------------------------ folders
def test_a_missing_records_folder_is_exit_2(filled: Repo) -> None:
    said_no(dc(*at(filled, "check", "--records", str(filled.root / "nowhere"))), "nowhere")
    (filled.root / "plain.txt").write_text("x", encoding="utf-8")
    said_no(dc(*at(filled, "check", "--records", str(filled.root / "plain.txt"))),
            "plain.txt")


@pytest.mark.parametrize("command", [("check",), ("report", "--month", "2023-04"),
                                     ("explain", "17.1"), ("ledger", "--month", "2023-04")])
def test_a_repository_without_records_is_exit_2(tmp_path: Path, repo: Repo,
                                                command: tuple[str, ...]) -> None:
    repo.records_dir.rmdir()
    said_no(dc(*at(repo, *command)), "records")
    assert not (repo.root / "reports").exists()


def test_validate_named_files_needs_no_records_folder(repo: Repo, tmp_path: Path) -> None:
    repo.records_dir.rmdir()
    one = tmp_path / "one.yaml"
    one.write_text(READING.format(unit="dongyuan", date="2023-04-23"), encoding="utf-8")
    done = dc("validate", str(one), "--repo", str(repo.root))
    assert done.returncode == 0, done.stderr


def test_a_missing_plan_stays_exit_2(tmp_path: Path) -> None:
    said_no(dc("check", "--repo", str(tmp_path)))
    said_no(dc("report", "--month", "2023-04", "--repo", str(tmp_path)))


# ------------------------------------------------------------ output formats
@pytest.mark.parametrize(("command", "name", "magic"), [
    (("report", "--month", "2023-04"), "r.html", b"<!DOCTYPE html"),
    (("report", "--month", "2023-04"), "r.markdown", b"# "),
    (("ledger", "--month", "2023-04"), "l.xlsx", b"PK"),
])
def test_the_format_follows_the_output_suffix(filled: Repo, tmp_path: Path,
                                              command: tuple[str, ...], name: str,
                                              magic: bytes) -> None:
    out = tmp_path / name
    done = dc(*at(filled, *command, "-o", str(out)))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().lstrip()[:20].upper().startswith(magic.upper())


def test_the_pdf_suffix_makes_a_pdf(filled: Repo, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    done = dc(*at(filled, "report", "--month", "2023-04", "-o", str(out)))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("command", [("report", "--month", "2023-04"),
                                     ("ledger", "--month", "2023-04")])
def test_a_suffix_against_the_format_is_exit_2(filled: Repo, tmp_path: Path,
                                               command: tuple[str, ...]) -> None:
    out = tmp_path / "x.md"
    said_no(dc(*at(filled, *command, "-f", "pdf", "-o", str(out))), "-f")
    assert not out.exists()


@pytest.mark.parametrize("command", [("report", "--month", "2023-04"),
                                     ("ledger", "--month", "2023-04")])
def test_an_unknown_suffix_without_format_is_exit_2_naming_the_formats(
        filled: Repo, tmp_path: Path, command: tuple[str, ...]) -> None:
    out = tmp_path / "x.odt"
    message = said_no(dc(*at(filled, *command, "-o", str(out))), ".odt", ".md", ".pdf")
    assert "-f" in message and not out.exists()


def test_an_explicit_format_may_write_any_other_name(filled: Repo, tmp_path: Path) -> None:
    out = tmp_path / "notes.txt"
    done = dc(*at(filled, "report", "--month", "2023-04", "-f", "md", "-o", str(out)))
    assert done.returncode == 0 and out.read_text(encoding="utf-8").startswith("# ")


def test_an_output_that_cannot_be_written_is_exit_2(filled: Repo, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    said_no(dc(*at(filled, "report", "--month", "2023-04", "-o",
                   str(tmp_path / "afile" / "r.md"))), "r.md")
    said_no(dc(*at(filled, "codeowners", "-o", str(tmp_path / "afile" / "CODEOWNERS"))),
            "CODEOWNERS")


# ------------------------------------------------------------ --version
def test_version() -> None:
    from importlib.metadata import version

    done = dc("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"dc {version('dianchang-cli')}"
    assert dc("--version", lang=None).stdout == done.stdout


# ------------------------------------------------------------ dc init
def test_init_where_a_file_is_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    said_no(dc("init", str(tmp_path / "afile")), "afile")
    said_no(dc("init", str(tmp_path / "afile" / "below")), "afile")


def test_init_with_a_name_the_system_refuses(tmp_path: Path) -> None:
    said_no(dc("init", str(tmp_path / ("x" * 300))), "x" * 20)


def test_init_where_nothing_can_be_created(tmp_path: Path) -> None:
    said_no(dc("init", "/proc/dc-init-test/new"), "/proc/dc-init-test/new")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="permissions do not bind root")
def test_init_without_permission(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        said_no(dc("init", str(locked / "new")), "locked")
    finally:
        locked.chmod(0o700)


def test_init_over_an_existing_repository_says_which_files_exist(tmp_path: Path) -> None:
    first = dc("init", str(tmp_path / "new"))
    assert first.returncode == 0, first.stderr
    again = dc("init", str(tmp_path / "new"))
    assert again.returncode == 1 and "--force" in again.stdout
    assert "Traceback" not in again.stdout + again.stderr


def test_init_refuses_a_plan_file_linking_out_of_its_folder(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "units.yaml").write_text("x: 1\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    (plan / "types.yaml").symlink_to(secret)
    said_no(dc("init", str(tmp_path / "new"), "--plan", str(plan)), "types.yaml")
    assert not (tmp_path / "new").exists()


# ------------------------------------------------------------ git that cannot be used
LATE = "late-entry"


@pytest.fixture
def late_repo(repo: Repo, add: Callable[[str, dict | str], Path]) -> Repo:
    """A committed record dated 2023-04-01, first committed on 2023-06-15: 补录."""
    git_repo = GitRepo(repo.root)
    add("dongyuan/late.yaml", READING.format(unit="dongyuan", date="2023-04-01"))
    git_repo.commit("2023-06-15")
    return repo


def _check(repo: Repo, env: dict[str, str] | None = None, *extra: str
           ) -> subprocess.CompletedProcess[str]:
    return dc(*at(repo, "check", "--rule", "17.1", "--fail-on", "invalid", *extra),
              env={"GIT_CEILING_DIRECTORIES": str(repo.root.parent)} | (env or {}))


NOTE = "late-entry (补录) checks are not available"


def test_with_git_the_late_entry_is_reported_and_no_note(late_repo: Repo) -> None:
    done = _check(late_repo)
    assert done.returncode == 0 and LATE in done.stdout
    assert NOTE not in done.stderr


@pytest.mark.parametrize("why", ["dubious", "missing", "not-a-repository"])
def test_without_usable_git_one_note_says_commit_times_are_unavailable(
        late_repo: Repo, tmp_path: Path, why: str) -> None:
    env: dict[str, str] = {}
    if why == "dubious":  # git's own switch for "owned by someone else", as a CI runner sees
        env["GIT_TEST_ASSUME_DIFFERENT_OWNER"] = "1"
        _needs_ownership_check(late_repo.root)
    elif why == "missing":
        empty = tmp_path / "no-git-here"
        empty.mkdir()
        env["PATH"] = str(empty)
    else:  # the same files, no longer a repository
        shutil.rmtree(late_repo.root / ".git")
    done = _check(late_repo, env)
    assert done.returncode == 0, done.stderr
    assert LATE not in done.stdout
    notes = [line for line in done.stderr.splitlines() if NOTE in line]
    assert len(notes) == 1, done.stderr
    if why == "dubious":
        assert "commit times are unavailable" in notes[0]
        assert "dubious ownership" in notes[0] and "safe.directory" in notes[0]
    else:
        assert "git missing or not a repository" in notes[0]
    as_json = _check(late_repo, env, "-f", "json")
    doc = json.loads(as_json.stdout)
    assert sum(NOTE in n for n in doc["notes"]) == 1
    assert NOTE not in as_json.stderr  # json carries it itself


def _needs_ownership_check(root: Path) -> None:
    """Skip on a git too old to refuse a repository owned by someone else (< 2.35.2)."""
    probe = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-dir"],
                           capture_output=True, text=True, check=False,
                           env={**os.environ, "GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"})
    if probe.returncode == 0:
        pytest.skip("this git does not check the owner of a repository")


def test_the_report_says_so_too(late_repo: Repo) -> None:
    _needs_ownership_check(late_repo.root)
    done = dc(*at(late_repo, "report", "--month", "2023-04"),
              env={"GIT_TEST_ASSUME_DIFFERENT_OWNER": "1"})
    assert done.returncode == 0, done.stderr
    text = Path(done.stdout.strip()).read_text(encoding="utf-8")
    assert text.count("commit times are unavailable") == 1 and "dubious ownership" in text


# ------------------------------------------------------------ internal errors
BOOM = ("import sys\n"
        "import dianchang_cli.api as api\n"
        "def boom(*a, **k):\n"
        "    raise ZeroDivisionError('\\x1b[2J' + 'y' * 5000)\n"
        "api.check = boom\n"
        "from dianchang_cli.cli import main\n"
        "main(sys.argv[1:])\n")


def _boom(repo: Repo, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("PYTEST_CURRENT_TEST", "DC_DEBUG", "DC_LANG")}
    return subprocess.run([sys.executable, "-c", BOOM, "--lang", "en", "check", "--repo",
                           str(repo.root)], capture_output=True, text=True,
                          env=base | (env or {}), timeout=120)


def test_an_unexpected_exception_is_one_line_and_exit_2(filled: Repo) -> None:
    done = _boom(filled)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "internal error" in line and "ZeroDivisionError" in line and "DC_DEBUG=1" in line
    assert "\x1b" not in line and len(line) < 600


def test_dc_debug_shows_the_traceback(filled: Repo) -> None:
    done = _boom(filled, {"DC_DEBUG": "1"})
    assert done.returncode == 1 and "Traceback" in done.stderr
    assert "ZeroDivisionError" in done.stderr


def test_under_pytest_a_bug_is_not_hidden(filled: Repo) -> None:
    done = _boom(filled, {"PYTEST_CURRENT_TEST": "x"})
    assert "Traceback" in done.stderr
