"""The command line as users and CI meet it: exit codes, JSON contract, languages, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

READING = "type: 阅读活动\nunit: dongyuan\ndate: 2023-04-23\ntitle: 世界读书日阅读活动\n"


def dc(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
       ) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "DC_LANG"} | (env or {})
    return subprocess.run([sys.executable, "-m", "dianchang_cli", *args], cwd=cwd,
                          capture_output=True, text=True, env=full_env, timeout=120)


def test_json_contract_keys(repo, add) -> None:
    add("dongyuan/r.yaml", READING)
    add("dongyuan/bad.yaml", READING + "dat: x\n")
    done = dc("check", "--repo", str(repo.root), "--format", "json", "--as-of", "2023-05-31",
              "--rule", "17.1", "--rule", "1.5")
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert {"as_of", "records", "errors", "results", "summary"} <= doc.keys()
    assert doc["as_of"] == "2023-05-31" and doc["records"] == 1
    err = doc["errors"][0]
    assert err == {**err, "file": "records/dongyuan/bad.yaml", "line": 5, "column": 1,
                   "code": "unknown-field"}
    first = next(r for r in doc["results"] if r["rule"] == "17.1" and r["unit"] == "dongyuan"
                 and r["period"] == "2023-04")
    assert first["status"] == "met" and first["actual"] == 1 and first["target"] == 1
    assert first["records"] == ["dongyuan/r"] and first["severity"] == "error"
    cov = next(r for r in doc["results"] if r["rule"] == "1.5")
    assert cov["status"] == "pending" and "missing" in cov and isinstance(cov["actual"], list)
    assert set(doc["summary"]) == {"met", "unmet", "pending", "late", "waived", "info"}


@pytest.mark.parametrize(("fail_on", "code"), [("invalid", 0), ("unmet", 1)])
def test_fail_on(repo, add, fail_on: str, code: int) -> None:
    add("dongyuan/r.yaml", READING)
    done = dc("check", "--repo", str(repo.root), "--as-of", "2023-05-31", "--rule", "17.1",
              "--fail-on", fail_on, "--format", "json")
    assert done.returncode == code


def test_pending_and_waived_never_fail(repo, add) -> None:
    add("dongyuan/r.yaml", READING)
    done = dc("check", "--repo", str(repo.root), "--as-of", "2023-04-10", "--rule", "17.1",
              "--unit", "dongyuan", "--format", "json")
    doc = json.loads(done.stdout)
    assert {r["status"] for r in doc["results"]} == {"pending"}  # dated after the as-of day
    assert done.returncode == 0


def test_broken_plan_exits_2_with_file_and_line(repo) -> None:
    rules = repo.plan_dir / "rules" / "1-learning.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("kind: count", "kind: cuont", 1),
                     encoding="utf-8")
    done = dc("check", "--repo", str(repo.root))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "plan/rules/1-learning.yaml:" in done.stderr


def test_plan_with_bad_cel_is_reported(repo) -> None:
    extra = repo.plan_dir / "rules" / "9-extra.yaml"
    extra.write_text("rules:\n  - {id: z, name: 测试, item: 1, source: 每月学习, basis: explicit,"
                     " kind: each, scope: community, period: month,"
                     " select: {types: [reading_activity]}, severity: error,"
                     " condition: 'r.title ==== 1'}\n", encoding="utf-8")
    done = dc("check", "--repo", str(repo.root))
    assert done.returncode == 2 and "9-extra.yaml:2:" in done.stderr


def test_missing_plan_is_a_usage_error(tmp_path: Path) -> None:
    done = dc("check", "--repo", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_bad_option_values_exit_2(repo) -> None:
    assert dc("check", "--repo", str(repo.root), "--as-of", "昨天").returncode == 2
    assert dc("check", "--repo", str(repo.root), "--format", "xml").returncode == 2


def test_validate_only_given_files(repo, add) -> None:
    good = add("a.yaml", READING)
    bad = add("b.yaml", READING.replace("2023-04-23", "2023-04-31"))
    ok = dc("validate", str(good), "--repo", str(repo.root))
    assert ok.returncode == 0
    done = dc("validate", str(good), str(bad), "--repo", str(repo.root), "--format", "json")
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert [e["code"] for e in doc["errors"]] == ["bad-value"]


def test_chinese_by_default_english_on_request(repo, add) -> None:
    add("bad.yaml", READING + "dat: x\n")
    zh = dc("check", "--repo", str(repo.root), "--rule", "17.1", env={"LANG": "en_US.UTF-8"})
    assert "未知字段" in zh.stdout
    en = dc("check", "--repo", str(repo.root), "--rule", "17.1", "--lang", "en")
    assert "unknown field" in en.stdout
    env = dc("check", "--repo", str(repo.root), "--rule", "17.1", env={"DC_LANG": "en"})
    assert "unknown field" in env.stdout


def test_help_is_chinese(repo) -> None:
    done = dc("check", "--help")
    assert done.returncode == 0 and "选项" in done.stdout
    assert "显示本帮助并退出" in done.stdout  # typer's own --help line too
    assert "运行" in dc("check", "--format", "xml").stderr  # and its usage-error hint


def test_table_fits_80_columns_and_ends_with_summary(repo, add) -> None:
    add("dongyuan/r.yaml", READING)
    done = dc("check", "--repo", str(repo.root), "--as-of", "2023-05-31",
              env={"COLUMNS": "80"})
    lines = done.stdout.rstrip("\n").splitlines()
    assert max(_width(line) for line in lines) <= 80
    assert lines[-1].startswith("截至 2023-05-31")


def test_rules_and_explain(repo, add) -> None:
    add("dongyuan/r.yaml", READING)
    rules = dc("rules", "--repo", str(repo.root))
    assert rules.returncode == 0 and "12.2" in rules.stdout and "一、学习引领" in rules.stdout
    explain = dc("explain", "17.1", "--repo", str(repo.root), "--unit", "dongyuan",
                 "--month", "2023-04", "--as-of", "2023-12-31")
    assert explain.returncode == 0
    assert "社区每月至少开展一次阅读活动" in explain.stdout
    assert "世界读书日阅读活动" in explain.stdout
    assert dc("explain", "99.9", "--repo", str(repo.root)).returncode == 2


def _width(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_unit_option_takes_a_name_in_every_command(repo, add, tmp_path: Path) -> None:
    """--unit takes a unit's id, its name or its name without the note in brackets
    (东苑社区 for 东苑社区（示例）), in dc check, report, ledger and todo alike; one that
    names nothing lists the units with their names."""
    add("dongyuan/2023/05/r.yaml", READING.replace("2023-04-23", "2023-05-06"))
    where = ("--repo", str(repo.root))
    for name in ("dongyuan", "东苑社区", "东苑社区（示例）"):
        done = dc("check", *where, "--as-of", "2023-12-31", "--unit", name, "-f", "json")
        units = {r["unit"] for r in json.loads(done.stdout)["results"]}
        assert units == {"dongyuan"}, (name, done.stderr)
    for args in (("report", "--month", "2023-05"), ("ledger", "--month", "2023-05")):
        out = tmp_path / f"{args[0]}.md"
        done = dc(*args, *where, "--unit", "东苑社区", "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert "东苑社区" in out.read_text(encoding="utf-8")
    done = dc("todo", *where, "--unit", "东苑社区", "--as-of", "2023-06-01")
    assert done.returncode == 0 and "东苑社区" in done.stdout, done.stderr
    done = dc("check", *where, "--unit", "没有这个社区")
    assert done.returncode == 2 and "dongyuan（东苑社区（示例））" in done.stderr
