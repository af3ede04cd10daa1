"""``dc todo``: a unit's open items, recent shortfalls and invalid records, from the same
results as ``dc check`` — every number asserted here is asked of the engine, not typed in."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dianchang_cli.api import Outcome, Repo, check
from dianchang_cli.core import FAILING, OWED
from dianchang_cli.engine.periods import Period, all_periods
from dianchang_cli.report.todo import RECENT_DAYS, build_overview, build_todo

ROOT = Path(__file__).resolve().parent.parent
DAYS = ("2023-05-20", "2023-10-03", "2023-12-31")
CEL_SIGNS = ("r.", "&&", "||", "has(", "size(", "duration(")


@cache
def outcome(day: str) -> Outcome:
    return check(Repo.at(ROOT), as_of=dt.date.fromisoformat(day), workers=1)


def periods(o: Outcome) -> dict[str, Period]:
    """Every period label of the plan's rules → its period (a rule's own period wins)."""
    out: dict[str, Period] = {}
    for spec in ("month", "quarter", "half", "year"):
        out.update({p.label: p for p in all_periods(o.plan, spec)})
    for rule in o.plan.rules:
        out.update({p.label: p for p in all_periods(o.plan, rule.period)})
    return out


def expected(o: Outcome, unit: str) -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """From the engine's results: (rule, unit, period) owed in the running periods, and
    those that fell short in the last RECENT_DAYS."""
    members, table, day = set(o.plan.members(unit)), periods(o), o.as_of
    running, recent = set(), set()
    for r in o.results:
        p = table[r.period]
        if r.unit not in members:
            continue
        if p.start <= day < p.end and r.status in OWED:  # an explicit day: its end
            running.add((r.rule, r.unit, r.period))
            continue
        when = r.due or p.end
        if r.status in FAILING and day - dt.timedelta(days=RECENT_DAYS) <= when <= day:
            recent.add((r.rule, r.unit, r.period))
    return running, recent


def app_run(*args: str) -> tuple[int, str]:
    from dianchang_cli.cli.app import build_app

    done = CliRunner().invoke(build_app(), list(args))
    return done.exit_code, done.stdout


def copy_demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(ROOT / "plan", root / "plan", ignore=shutil.ignore_patterns("tests"))
    shutil.copytree(ROOT / "records", root / "records")
    return root


@pytest.mark.parametrize("day", DAYS)
def test_open_and_recent_are_the_engines_results(day: str) -> None:
    o = outcome(day)
    for unit in ("nanhu", o.plan.subdistrict):
        todo = build_todo(o, unit)
        running, recent = expected(o, unit)
        assert {(i.rule, i.unit, i.period) for i in todo.open} == running
        assert {(i.rule, i.unit, i.period) for i in todo.recent} == recent - running
        dues = [i.due for i in todo.open]
        assert dues == sorted(dues)  # ordered by due day


def test_something_is_owed_and_something_fell_short_on_the_demo() -> None:
    """The cases above are not empty: the demo owes things in May and fell short in
    September (so the equality tests test something)."""
    assert build_todo(outcome("2023-05-20"), "nanhu").open
    assert build_todo(outcome("2023-10-03"), "nanhu").recent


def test_a_count_says_how_many_more_and_days_left(english: None) -> None:
    o = outcome("2023-05-20")
    table = periods(o)
    todo = build_todo(o, "nanhu")
    counts = [r for r in o.results if r.unit == "nanhu" and r.status == "pending"
              and o.plan.rule(r.rule).kind == "count" and table[r.period].kind == "month"]
    assert counts
    for res in counts:
        item = next(i for i in todo.open if (i.rule, i.period) == (res.rule, res.period))
        left = (table[res.period].end - o.as_of).days
        assert item.done == res.actual and item.target == res.target
        assert item.days_left == left
        assert (f"{res.target - res.actual} more (done {res.actual}/{res.target}, "
                f"{left} days left)") in item.text
        assert o.plan.rule(res.rule).name in item.text and "this month" in item.text


def test_a_branch_duty_is_shown_under_its_community() -> None:
    o = outcome("2023-05-20")
    branches = [u.id for u in o.plan.units_of_kind("branch") if u.parent == "nanhu"]
    owed = {r.rule for r in o.results if r.unit in branches and r.status in OWED
            and periods(o)[r.period].contains(o.as_of)}
    assert owed
    todo = build_todo(o, "nanhu")
    assert {i.rule for i in todo.open if i.unit in branches} == owed
    code, out = app_run("todo", "--repo", str(ROOT), "--unit", "nanhu", "--as-of", "2023-05-20")
    assert code == 0
    assert o.plan.unit_name(branches[0]) in out


def test_text_lists_every_item_and_exits_0() -> None:
    todo = build_todo(outcome("2023-10-03"), "nanhu")
    code, out = app_run("todo", "--repo", str(ROOT), "--unit", "nanhu", "--as-of", "2023-10-03")
    assert code == 0  # things are owed, and still 0: it is information
    for item in todo.open + todo.recent:
        assert item.text in out and item.due[5:] in out
    assert todo.unit_name in out


def test_json_shape_and_english_statuses() -> None:
    code, out = app_run("todo", "--repo", str(ROOT), "--unit", "nanhu", "--as-of",
                        "2023-10-03", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"unit", "unit_name", "as_of", "score", "open", "recent", "invalid",
                        "invalid_more"}
    assert all(set(i) == {"file", "where", "message"} for i in doc["invalid"])
    assert doc["unit"] == "nanhu" and doc["as_of"] == "2023-10-03"
    items = doc["open"] + doc["recent"]
    assert items
    for item in items:
        assert set(item) == {"rule", "name", "unit", "unit_name", "period", "period_text",
                             "due", "days_left", "status", "done", "target", "missing",
                             "text"}
        assert item["status"] in {"pending", "unmet", "late"}
    assert {i["status"] for i in doc["open"]} <= {"pending", "unmet"}
    assert {i["status"] for i in doc["recent"]} <= {"unmet", "late"}
    assert doc["score"] == outcome("2023-10-03").scores["nanhu"]["2023"]


def test_coordinator_view_one_line_per_community_worst_first() -> None:
    o = outcome("2023-12-31")
    code, out = app_run("todo", "--repo", str(ROOT), "--as-of", "2023-12-31", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    communities = {u.id for u in o.plan.units_of_kind("community")}
    listed = [u["unit"] for u in doc["units"]]
    assert communities <= set(listed) and len(listed) == len(set(listed))
    for line in doc["units"]:
        todo = build_todo(o, line["unit"])
        assert line["open"] == len(todo.open) and line["recent"] == len(todo.recent)
        assert line["score"] == o.scores[line["unit"]]["2023"]
    scores = [u["score"] for u in doc["units"]]
    assert scores == sorted(scores) and scores[0] < scores[-1]  # the demo has a spread
    code, text = app_run("todo", "--repo", str(ROOT), "--as-of", "2023-12-31")
    worst = build_overview(o).units[0]
    assert code == 0 and text.index(worst.name) < text.index(build_overview(o).units[-1].name)


def test_invalid_records_of_the_unit_are_listed(tmp_path: Path) -> None:
    root = copy_demo(tmp_path)
    bad = root / "records" / "nanhu" / "2023" / "05" / "broken-0510.yaml"
    bad.write_text("type: 阅读活动\nunit: nanhu\ndate: 2023-05-10\ntitle: 读书会\n"
                   "participants: 很多\n", encoding="utf-8")
    code, out = app_run("todo", "--repo", str(root), "--unit", "nanhu", "--as-of",
                        "2023-05-20", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert [i["where"] for i in doc["invalid"]] == ["records/nanhu/2023/05/broken-0510.yaml:5"]
    assert doc["invalid"][0]["message"]
    code, text = app_run("todo", "--repo", str(root), "--unit", "nanhu", "--as-of", "2023-05-20")
    assert code == 0 and "records/nanhu/2023/05/broken-0510.yaml:5" in text
    code, other = app_run("todo", "--repo", str(root), "--unit", "dongyuan", "--as-of",
                          "2023-05-20", "-f", "json")
    assert code == 0 and json.loads(other)["invalid"] == []
    code, overview = app_run("todo", "--repo", str(root), "--as-of", "2023-05-20", "-f", "json")
    assert code == 0
    by_unit = {u["unit"]: u["invalid"] for u in json.loads(overview)["units"]}
    assert by_unit["nanhu"] == 1 and by_unit["dongyuan"] == 0


def test_an_invalid_file_outside_unit_folders_is_found_by_its_unit(tmp_path: Path) -> None:
    """A file not under ``records/<unit>/`` is read for the unit it names itself (under the
    field's Chinese name here)."""
    root = copy_demo(tmp_path)
    loose = root / "records" / "misc" / "broken.yaml"
    loose.parent.mkdir()
    loose.write_text("类型: 阅读活动\n单位: nanhu\n日期: 2023-05-10\n名称: 读书会\n"
                     "参与人数: 很多\n", encoding="utf-8")
    code, out = app_run("todo", "--repo", str(root), "--unit", "nanhu", "--as-of",
                        "2023-05-20", "-f", "json")
    doc = json.loads(out)
    assert code == 0 and [i["file"] for i in doc["invalid"]] == ["records/misc/broken.yaml"]
    code, out = app_run("todo", "--repo", str(root), "--unit", "hexi", "--as-of",
                        "2023-05-20", "-f", "json")
    assert code == 0 and json.loads(out)["invalid"] == []


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_any_day_of_the_calendar(day: str) -> None:
    for args in (("--unit", "nanhu"), ()):
        code, out = app_run("todo", "--repo", str(ROOT), "--as-of", day, "-f", "json", *args)
        assert code == 0
        doc = json.loads(out)
        assert doc.get("open", []) == [] and doc["as_of"] == day


@pytest.mark.parametrize("day", DAYS)
def test_plain_language_only(day: str) -> None:
    o = outcome(day)
    field_ids = {f for t in o.plan.types.values() for f in t.fields if "_" in f}
    field_ids |= {f for f in o.plan.common_fields if "_" in f}
    for unit in ["nanhu", "dongyuan", o.plan.subdistrict]:
        code, out = app_run("todo", "--repo", str(ROOT), "--unit", unit, "--as-of", day)
        assert code == 0
        for sign in CEL_SIGNS:
            assert sign not in out, (unit, sign)
        for fid in field_ids:
            assert fid not in out, (unit, fid)


def test_english_with_lang_en() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DC_LANG"}
    done = subprocess.run([sys.executable, "-m", "dianchang_cli", "--lang", "en", "todo",
                           "--repo", str(ROOT), "--unit", "nanhu", "--as-of", "2023-05-20"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Still needed this month:" in done.stdout
    assert "Fell short recently:" in done.stdout and "None." in done.stdout


def test_usage_errors_exit_2() -> None:
    from dianchang_cli.cli.app import build_app

    done = CliRunner().invoke(build_app(), ["todo", "--repo", str(ROOT), "--unit", "nowhere"])
    assert done.exit_code == 2 and "nowhere" in done.stderr
    done = CliRunner().invoke(build_app(), ["todo", "--repo", str(ROOT), "-f", "xml"])
    assert done.exit_code == 2
    done = CliRunner().invoke(build_app(), ["todo", "--repo", str(ROOT), "--as-of", "soon"])
    assert done.exit_code == 2 and "Traceback" not in done.output


def test_build_todo_refuses_an_unknown_unit() -> None:
    with pytest.raises(KeyError):
        build_todo(outcome("2023-05-20"), "nowhere")
