"""An untrusted plan: files that must not be read, a broken organisation, conditions that
fail or cost too much.  Each is a plan problem at its own file and line (exit 2), never a
hang, a crash or a verdict on the communities."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import PLAN, write_record
from dianchang_cli.api import Repo, check
from dianchang_cli.cli import main
from dianchang_cli.diagnostics import PlanError, Problem
from dianchang_cli.engine import context
from dianchang_cli.engine.plancheck import load_plan

READING = "type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: 世界读书日阅读活动\n"
RULE_171 = '''    select: {types: [reading_activity]}
    target: 1
'''


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A copy of the real plan (without its tests) and one valid record."""
    shutil.copytree(PLAN, tmp_path / "plan", ignore=shutil.ignore_patterns("tests"))
    write_record(tmp_path / "records", "dongyuan/r.yaml", READING)
    return Repo.at(tmp_path)


def edit(repo: Repo, name: str, old: str, new: str) -> None:
    path = repo.plan_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(repo: Repo) -> list[Problem]:
    with pytest.raises(PlanError) as info:
        load_plan(repo.plan_dir, repo.root)
    return info.value.problems


def line_of(repo: Repo, name: str, text: str) -> int:
    lines = (repo.plan_dir / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def dc(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``dc`` in this process; the exit status and everything it printed."""
    try:
        main(["--lang", "en", *args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out + out.err


def with_condition(repo: Repo, condition: str, where: str | None = None) -> int:
    """Rule 17.1 (reading activities) given a condition or where; the line it is on."""
    select = f"    select: {{types: [reading_activity], where: {where!r}}}\n" if where else \
        "    select: {types: [reading_activity]}\n"
    extra = f"    condition: {condition!r}\n" if condition else ""
    edit(repo, "rules/5-culture.yaml", RULE_171, select + "    target: 1\n" + extra)
    return line_of(repo, "rules/5-culture.yaml", where or condition)


# ---------------------------------------------------------------- the valid plan
def test_the_real_plan_loads_unchanged(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    plan = load_plan(repo.plan_dir, repo.root)
    assert len(plan.rules) > 40 and "dongyuan" in plan.units
    code, out = dc(capsys, "check", "--repo", str(repo.root), "--as-of", "2023-05-31")
    assert code == 1 and "[rule-failed]" not in out and "[plan-invalid]" not in out


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "2023-12-31"])
def test_as_of_at_the_ends_of_the_calendar(repo: Repo, as_of: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out = dc(capsys, "check", "--repo", str(repo.root), "--as-of", as_of)
    assert code in (0, 1), out
    assert "Traceback" not in out and "rule-failed" not in out


# ---------------------------------------------------------------- files that are not read
def test_a_symlink_leaving_the_repository_is_refused(repo: Repo, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.yaml"
    outside.write_text("rules: []\n", encoding="utf-8")
    (repo.plan_dir / "rules" / "evil.yaml").symlink_to(outside)
    found = problems(repo)
    assert [(p.file, p.code) for p in found] == [("plan/rules/evil.yaml", "outside-repo")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs need a POSIX system")
def test_a_fifo_named_yaml_does_not_block(repo: Repo) -> None:
    os.mkfifo(repo.plan_dir / "rules" / "pipe.yaml")
    start = time.perf_counter()
    found = problems(repo)
    assert time.perf_counter() - start < 5
    assert [(p.file, p.code) for p in found] == [("plan/rules/pipe.yaml", "not-a-file")]


def test_a_symlink_to_a_device_is_not_read(repo: Repo) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    (repo.plan_dir / "zero.yaml").symlink_to("/dev/zero")
    found = problems(repo)
    assert [p.code for p in found] == ["outside-repo"]


def test_a_folder_named_yaml_is_not_a_file(repo: Repo) -> None:
    (repo.plan_dir / "rules" / "more.yaml").mkdir()
    assert [(p.file, p.code) for p in problems(repo)] == [("plan/rules/more.yaml", "not-a-file")]


def test_a_plan_file_too_large_is_not_read(repo: Repo) -> None:
    (repo.plan_dir / "big.yaml").write_bytes(b"# " + b"x" * (1024 * 1024 + 10) + b"\n")
    assert [(p.file, p.code) for p in problems(repo)] == [("plan/big.yaml", "too-large")]


def test_a_fifo_named_units_yaml_does_not_block(repo: Repo) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs need a POSIX system")
    (repo.plan_dir / "units.yaml").unlink()
    os.mkfifo(repo.plan_dir / "units.yaml")
    assert [(p.file, p.code) for p in problems(repo)] == [("plan/units.yaml", "not-a-file")]


def test_symlinked_folders_are_not_followed(repo: Repo, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("other-plan")
    (elsewhere / "dup.yaml").write_text((repo.plan_dir / "types.yaml").read_text("utf-8"),
                                        encoding="utf-8")
    (repo.plan_dir / "linked").symlink_to(elsewhere, target_is_directory=True)
    plan = load_plan(repo.plan_dir, repo.root)  # the duplicate types behind the link: unseen
    assert not any("linked" in f for f in plan.files)


def test_a_symlink_inside_the_repository_is_read(repo: Repo) -> None:
    shutil.move(repo.plan_dir / "rules" / "5-culture.yaml", repo.root / "culture.yaml")
    (repo.plan_dir / "rules" / "5-culture.yaml").symlink_to(repo.root / "culture.yaml")
    assert load_plan(repo.plan_dir, repo.root).rule("17.1") is not None


def test_unreadable_plan_file_via_the_cli(repo: Repo, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    (repo.plan_dir / "rules" / "more.yaml").mkdir()
    code, out = dc(capsys, "check", "--repo", str(repo.root))
    assert code == 2 and "plan/rules/more.yaml:0:0: [not-a-file]" in out


# ---------------------------------------------------------------- the organisation
UNITS = "units.yaml"


def unit_problems(repo: Repo) -> list[tuple[int, str]]:
    found = problems(repo)
    assert all(p.file == "plan/units.yaml" and p.code == "plan-invalid" for p in found), found
    assert all(p.line > 1 for p in found), found
    return [(p.line, p.message) for p in found]


def test_a_duplicate_unit_id_is_one_error_at_the_duplicate(repo: Repo, english: None) -> None:
    edit(repo, UNITS, "  - id: xiyuan\n", "  - id: dongyuan\n")
    found = unit_problems(repo)
    assert len(found) == 1, found
    assert found[0][0] == line_of(repo, UNITS, "西苑社区（示例）") - 1
    assert "dongyuan" in found[0][1] and "twice" in found[0][1]


def test_a_duplicate_staff_id_is_reported_at_the_duplicate(repo: Repo, english: None) -> None:
    text = (repo.plan_dir / UNITS).read_text(encoding="utf-8")
    (repo.plan_dir / UNITS).write_text(
        text + "  - {id: dy-sec, name: 重复, unit: dongyuan}\n", encoding="utf-8")
    found = unit_problems(repo)
    assert len(found) == 1 and "dy-sec" in found[0][1]
    assert found[0][0] == len(text.splitlines()) + 1


def test_staff_of_an_unknown_unit_at_the_staff_entry(repo: Repo) -> None:
    text = (repo.plan_dir / UNITS).read_text(encoding="utf-8")
    (repo.plan_dir / UNITS).write_text(
        text + "  - id: ghost\n    name: 无\n    unit: nowhere\n", encoding="utf-8")
    assert [line for line, _m in unit_problems(repo)] == [len(text.splitlines()) + 3]
    edit(repo, UNITS, "{id: xy-pub, name: 西苑社区宣传员, unit: xiyuan",
         "{id: xy-pub, name: 西苑社区宣传员, unit: xiyuan-old")
    assert [line for line, _m in unit_problems(repo)] == [
        line_of(repo, UNITS, "xiyuan-old"), len(text.splitlines()) + 3]


@pytest.mark.parametrize(("old", "new", "shown", "at"), [
    # a branch whose parent is itself
    ("    kind: branch\n    parent: dongyuan\n", "    kind: branch\n    parent: dongyuan-b1\n",
     "cycle", "parent: dongyuan-b1"),
    # a branch whose parent is another branch
    ("    kind: branch\n    parent: xiyuan\n", "    kind: branch\n    parent: dongyuan-b1\n",
     "community", "parent: dongyuan-b1"),
    # a branch whose parent is the subdistrict
    ("    kind: branch\n    parent: xiyuan\n", "    kind: branch\n    parent: dianchang\n",
     "community", "parent: dianchang"),
    # a community whose parent is another community
    ("    name: 西苑社区（示例）\n    kind: community\n",
     "    name: 西苑社区（示例）\n    kind: community\n    parent: dongyuan\n", "subdistrict",
     "parent: dongyuan"),
    # a branch without a parent
    ("    kind: branch\n    parent: xiyuan\n", "    kind: branch\n", "community",
     "id: xiyuan-b1"),
    # an unknown parent
    ("    kind: branch\n    parent: xiyuan\n", "    kind: branch\n    parent: atlantis\n",
     "unknown parent", "parent: atlantis"),
])
def test_tree_errors_are_at_their_own_line(repo: Repo, old: str, new: str, shown: str, at: str,
                                          english: None) -> None:
    edit(repo, UNITS, old, new)
    found = unit_problems(repo)
    assert found == [(line_of(repo, UNITS, at), found[0][1])], found
    assert shown in found[0][1]


def test_a_parent_cycle_of_any_length_is_one_error(repo: Repo, english: None) -> None:
    edit(repo, UNITS, "    name: 东苑社区（示例）\n    kind: community\n",
         "    name: 东苑社区（示例）\n    kind: community\n    parent: xiyuan\n")
    edit(repo, UNITS, "    name: 西苑社区（示例）\n    kind: community\n",
         "    name: 西苑社区（示例）\n    kind: community\n    parent: nanhu\n")
    edit(repo, UNITS, "    name: 南湖社区（示例）\n    kind: community\n",
         "    name: 南湖社区（示例）\n    kind: community\n    parent: dongyuan\n")
    found = unit_problems(repo)
    assert len(found) == 1, found
    assert found[0][0] == line_of(repo, UNITS, "parent: xiyuan")
    assert "dongyuan → xiyuan → nanhu → dongyuan" in found[0][1]


def test_unit_errors_via_the_cli(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo, UNITS, "  - id: xiyuan\n", "  - id: dongyuan\n")
    code, out = dc(capsys, "check", "--repo", str(repo.root))
    assert code == 2
    assert out.count("[plan-invalid]") == 1 and "units.yaml:1:1" not in out


def test_a_duplicate_rule_is_reported_at_the_duplicate(repo: Repo) -> None:
    text = (repo.plan_dir / "rules" / "5-culture.yaml").read_text(encoding="utf-8")
    start = text.index('  - id: "17.1"')
    end = text.find("\n  - id:", start + 5) + 1 or len(text)
    (repo.plan_dir / "rules" / "extra.yaml").write_text("rules:\n" + text[start:end],
                                                        encoding="utf-8")
    found = problems(repo)
    assert [(p.file, p.line) for p in found] == [("plan/rules/extra.yaml", 2)]


def test_a_window_day_no_year_has_is_a_plan_error(repo: Repo) -> None:
    edit(repo, "plan.yaml", 'start: "09-01"', 'start: "02-30"')
    found = problems(repo)
    assert [(p.file, p.line, p.code) for p in found] == [
        ("plan/plan.yaml", line_of(repo, "plan.yaml", '"02-30"'), "plan-invalid")]


def test_plan_cross_references_have_real_lines(repo: Repo) -> None:
    edit(repo, "plan.yaml", "  type: waiver\n", "  type: no_such_type\n")
    edit(repo, "plan.yaml", "ledger_types: [volunteer_service]", "ledger_types: [nope]")
    found = problems(repo)
    assert [(p.file, p.line) for p in found] == [
        ("plan/plan.yaml", line_of(repo, "plan.yaml", "ledger_types: [nope]")),
        ("plan/plan.yaml", line_of(repo, "plan.yaml", "type: no_such_type"))]


# ---------------------------------------------------------------- conditions at load
@pytest.mark.parametrize(("condition", "words"), [
    ("r.title + 1 > 0", "string + int"),
    ("r.participants", "not true or false"),
    ("1/0 == 1", "division by zero"),
    ("r.title > 1", "No such overload"),
    ("has(r.participants) && r.participants > 'x'", "No such overload"),
    ("int(r.title) > 0", "int"),
    ("r.nonexistent == 1", "nonexistent"),
    ("has(r.nonexistent)", "nonexistent"),
    ("nosuch(r.title)", "nosuch"),
    ("r.date > '2023-01-01'", "No such overload"),
    ("[" + ",".join(map(str, range(600))) + "].exists(x, x == r.participants)", "items"),
    ("r.tags.all(x, r.tags.exists(y, x == y))", "record data"),
    ("size(r.title) > 0 && [1, 2][5] == 1", "index"),
])
def test_a_broken_condition_is_a_plan_error_at_its_line(repo: Repo, condition: str, words: str,
                                                        english: None) -> None:
    line = with_condition(repo, condition)
    found = problems(repo)
    assert [(p.file, p.line, p.code) for p in found] == [
        ("plan/rules/5-culture.yaml", line, "plan-invalid")], found
    assert "17.1" in found[0].message and words in found[0].message, found[0].message


def test_a_broken_where_is_a_plan_error_at_its_line(repo: Repo, english: None) -> None:
    line = with_condition(repo, "", where="r.title * 2 > 1")
    found = problems(repo)
    assert [(p.line, p.code) for p in found] == [(line, "plan-invalid")]
    assert "where" in found[0].message


def test_the_90_second_condition_is_refused_at_once(repo: Repo, english: None) -> None:
    big = "[" + ",".join(map(str, range(1, 1001))) + "]"
    line = with_condition(repo, f"{big}.all(x, {big}.all(y, {big}.exists(z, x+y+z < 0)))")
    start = time.perf_counter()
    found = problems(repo)
    assert time.perf_counter() - start < 2
    assert [(p.line, p.code) for p in found] == [(line, "plan-invalid")]


def test_guarded_conditions_load(repo: Repo) -> None:
    with_condition(repo, "has(r.participants) && r.participants > 10 "
                         "&& r.date < as_of && r.unit in units && period.label != ''")
    assert load_plan(repo.plan_dir, repo.root).rule("17.1") is not None


def test_a_broken_condition_via_the_cli(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    line = with_condition(repo, "r.title + 1 > 0")
    code, out = dc(capsys, "check", "--repo", str(repo.root), "--as-of", "2023-05-31")
    assert code == 2
    assert f"plan/rules/5-culture.yaml:{line}:" in out and "17.1" in out


# ---------------------------------------------------------------- conditions at run time
def test_a_condition_failing_on_a_record_is_a_rule_failed_plan_problem(
        repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    # passes the examples (participants 1), fails on a record with 5 participants
    line = with_condition(repo, "", where="100 / (r.participants - 5) > 0")
    write_record(repo.records_dir, "dongyuan/five.yaml", READING + "participants: 5\n")
    code, out = dc(capsys, "check", "--repo", str(repo.root), "--as-of", "2023-05-31")
    assert code == 2, out
    assert f"plan/rules/5-culture.yaml:{line}:" in out and "[rule-failed]" in out
    assert "17.1" in out and "division by zero" in out and "Traceback" not in out


def test_rule_failed_via_the_api(repo: Repo, run_each: Callable) -> None:
    write_record(repo.records_dir, "dongyuan/five.yaml", READING + "participants: 5\n")
    with pytest.raises(PlanError) as info:
        run_each("100 / (r.participants - 5) > 0")
    assert [p.code for p in info.value.problems] == ["rule-failed"]
    assert info.value.problems[0].file == "plan/rules/5-culture.yaml"


def test_a_missing_field_is_still_simply_not_satisfied(repo: Repo, run_each: Callable) -> None:
    outcome = run_each("r.participants > 0")  # the record has no participants
    result = next(r for r in outcome.results if r.unit == "dongyuan" and r.period == "2023-04")
    assert result.status == "unmet" and len(result.violations) == 1


def test_a_rule_over_its_time_budget_stops(repo: Repo, run_each: Callable,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "RULE_BUDGET", 0.0)
    monkeypatch.setattr(context, "TEST_ALLOWANCE", 0.0)
    with pytest.raises(PlanError) as info:
        run_each("has(r.participants)")
    assert [p.code for p in info.value.problems] == ["rule-failed"]
    assert "17.1" in info.value.problems[0].message


@pytest.fixture
def run_each(repo: Repo) -> Callable:
    """Turn rule 17.1 into an ``each`` rule with ``condition`` and check the repository."""
    def _run(condition: str) -> object:
        with_condition(repo, condition)
        edit(repo, "rules/5-culture.yaml", "    kind: count\n    scope: community\n"
             "    period: month\n    select: {types: [reading_activity]}\n",
             "    kind: each\n    scope: community\n    period: month\n"
             "    select: {types: [reading_activity]}\n")
        return check(repo, as_of=dt.date(2023, 5, 31), workers=1, rules=["17.1"])

    return _run


def test_no_traceback_for_a_hostile_plan_in_a_subprocess(repo: Repo) -> None:
    """The same, as a user runs it: exit 2 and a sentence, in a fresh interpreter."""
    import subprocess

    with_condition(repo, "1/0 == 1")
    done = subprocess.run([sys.executable, "-m", "dianchang_cli", "--lang", "en", "check",
                           "--repo", str(repo.root)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "[plan-invalid]" in done.stderr and "17.1" in done.stderr


@pytest.mark.parametrize("escaped", ["\\e[31m", "\\x1b]0;title\\x07", "\\u202e", "\\0"])
def test_control_characters_in_plan_text_are_refused(repo: Repo, escaped: str,
                                                     english: None) -> None:
    """Plan text reaches terminals, XML and PDFs: an ESC or a bidi override written with a
    YAML escape is refused at its own line, before any output could carry it."""
    edit(repo, "units.yaml", "name: 东苑社区（示例）", f'name: "东苑{escaped}社区"')
    found = problems(repo)
    assert [(p.file, p.line, p.code) for p in found] == [
        ("plan/units.yaml", line_of(repo, "units.yaml", "东苑"), "plan-invalid")]
    assert "control character" in found[0].message
    assert "\x1b" not in found[0].text() and "\u202e" not in found[0].text()


def test_the_time_budget_grows_with_the_records_a_rule_tests(
        repo: Repo, run_each: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    """A million records at a few µs each must not trip the budget; the allowance per
    record tested is what lets them through, and without it the same run stops."""
    ticks = itertools.count()
    monkeypatch.setattr(context, "time", SimpleNamespace(perf_counter=lambda: next(ticks) * 50e-6))
    monkeypatch.setattr(context, "RULE_BUDGET", 0.0)  # 50 µs a test, against 100 µs allowed
    outcome = run_each("has(r.participants)")
    assert outcome.results
    monkeypatch.setattr(context, "TEST_ALLOWANCE", 10e-6)  # 50 µs a test is now too slow
    with pytest.raises(PlanError) as info:
        check(repo, as_of=dt.date(2023, 5, 31), workers=1, rules=["17.1"])
    assert [p.code for p in info.value.problems] == ["rule-failed"]
