"""A secretary's whole path, end to end, through the real command line on a copy of the
demo repository: template → fill rows as Excel/WPS stores them → import and commit →
``dc check`` counts them → the ledger exported → re-importing either writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from dianchang_cli.cli.app import build_app
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.intake.sheetnames import sheet_titles

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan(ROOT / "plan", ROOT)


def dc(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout


def dc_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out = dc(*args, "-f", "json")
    return code, json.loads(out)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=True).stdout


def record_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "records").rglob("*.yaml"))}


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """The demo repository, committed, with a git user who is 东苑社区's secretary."""
    root = tmp_path / "repo"
    root.mkdir()
    for part in ("plan", "records"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("tests"))
    shutil.copy(ROOT / "records.schema.json", root)
    git(root, "init", "-q")
    git(root, "config", "user.email", "dy-sec@example.org")
    git(root, "config", "user.name", "东苑社区书记")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "demo")
    return root


def fill(book: openpyxl.Workbook, type_id: str, rows: list[dict[str, Any]]) -> None:
    """Write rows under the header of a type's sheet, by the header's Chinese names."""
    ws = book[sheet_titles(PLAN)[type_id]]
    header = [c.value for c in ws[1]]
    for r, row in enumerate(rows, start=2):
        for name, value in row.items():
            ws.cell(row=r, column=header.index(name) + 1, value=value)


def names(type_id: str, *fields: str) -> list[str]:
    return [PLAN.field_spec(type_id, f).name or f for f in fields]  # type: ignore[union-attr]


def test_template_to_records_to_ledger_and_back(office: Path, tmp_path: Path) -> None:
    template = tmp_path / "台账模板.xlsx"
    assert dc("template", "xlsx", "--repo", str(office), "-o", str(template))[0] == 0

    # The empty template imports nothing and complains about nothing.
    before = record_files(office)
    code, out = dc_json("import", str(template), "--unit", "dongyuan", "--repo", str(office))
    assert code == 0 and out["added"] == [] and out["problems"] == []
    assert record_files(office) == before

    # Fill it as a person does in Excel or WPS: a typed day, a date serial, a date cell,
    # counts as text with full-width digits, a trailing space, a unit by its name.
    book = openpyxl.load_workbook(template)
    vs = "volunteer_service"
    title, day, theme, vols, hours, unit = names(vs, "title", "date", "theme", "volunteers",
                                                 "service_hours", "unit")
    theme_value = PLAN.field_spec(vs, "theme").values[0]  # type: ignore[union-attr,index]
    fill(book, vs, [
        {title: "端午节包粽子志愿服务 ", day: "2023年6月20日", theme: theme_value,
         vols: "１２", hours: "24小时"},
        {title: "助老理发志愿服务", day: 45090, theme: theme_value, vols: 5, hours: 10,
         unit: PLAN.units["dongyuan"].name},
    ])
    reading = "reading_activity"
    r_title, r_day = names(reading, "title", "date")
    fill(book, reading, [{r_title: "端午诗词诵读会", r_day: dt.datetime(2023, 6, 21)}])
    filled = tmp_path / "东苑6月台账.xlsx"
    book.save(filled)

    code, out = dc_json("import", str(filled), "--unit", "dongyuan", "--commit",
                        "--repo", str(office))
    assert code == 0, out
    assert out["summary"]["added"] == 3 and out["problems"] == []
    added = [a["path"] for a in out["added"]]
    assert all(p.startswith("records/dongyuan/2023/06/") for p in added)
    message = git(office, "log", "-1", "--format=%s%n%b")
    assert "东苑6月台账.xlsx" in message and "3" in message
    assert git(office, "status", "--porcelain") == ""  # every written file is committed
    for path in added:
        assert (office / path).read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../../../../records.schema.json\n")

    # dc check counts the new records.
    code, text = dc("check", "--as-of", "2023-12-31", "-f", "json", "--repo", str(office))
    report = json.loads(text)
    assert report["records"] == 811 + 3 and report["errors"] == []
    counted = {rid for r in report["results"] for rid in r.get("records", ())}
    new_ids = {r["id"] for r in out["added"]}
    assert new_ids <= counted, new_ids - counted

    # The month's ledger, exported and imported back unchanged, writes nothing.
    ledger = tmp_path / "台账.xlsx"
    assert dc("ledger", "--month", "2023-06", "-f", "xlsx", "-o", str(ledger),
              "--repo", str(office))[0] == 0
    before = record_files(office)
    code, out = dc_json("import", str(ledger), "--repo", str(office))
    assert code == 0, out
    assert out["added"] == [] and out["summary"]["updated"] == 0 and out["problems"] == []
    assert out["summary"]["unchanged"] >= 2
    assert record_files(office) == before

    # So does the filled template, imported a second time.
    code, out = dc_json("import", str(filled), "--unit", "dongyuan", "--repo", str(office))
    assert code == 0 and out["added"] == [] and out["summary"]["unchanged"] == 3
    assert record_files(office) == before


def test_every_sheet_of_the_template_imports_to_its_own_type(office: Path,
                                                              tmp_path: Path) -> None:
    """One minimal row on every type's sheet: each lands as a record of that type (or is
    refused at a cell of its own sheet), so no sheet title is lost between the two."""
    template = tmp_path / "t.xlsx"
    assert dc("template", "xlsx", "--repo", str(office), "-o", str(template))[0] == 0
    book = openpyxl.load_workbook(template)
    for type_id in PLAN.types:
        title, day = names(type_id, "title", "date")
        fill(book, type_id, [{title: f"{type_id} 测试", day: "2023-06-01"}])
    book.save(template)
    code, out = dc_json("import", str(template), "--unit", "dongyuan", "--dry-run",
                        "--repo", str(office))
    assert code == (1 if out["problems"] else 0)
    titles = sheet_titles(PLAN)
    seen = {a["sheet"] for a in out["added"]} | {p["sheet"] for p in out["problems"]}
    assert seen == set(titles.values())
    for action in out["added"]:
        type_id = next(t for t, s in titles.items() if s == action["sheet"])
        assert Path(action["path"]).name.startswith(type_id + "-")
