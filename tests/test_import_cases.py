"""dc import, data-driven: each case in ``tests/import-cases/*.json`` is a workbook and what
the import must make of it (the format is in that folder's README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook
from typer.testing import CliRunner

from dianchang_cli.api import Repo
from dianchang_cli.cli.app import build_app
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.records.validate import Validator

CASES = sorted((Path(__file__).parent / "import-cases").glob("*.json"))


@pytest.mark.parametrize("case_file", CASES, ids=lambda p: p.stem)
def test_import_case(case_file: Path, repo: Repo, tmp_path: Path) -> None:
    case: dict[str, Any] = json.loads(case_file.read_text(encoding="utf-8"))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = case["sheet"]
    for row in case["rows"]:
        ws.append(row)
    book = tmp_path / f"{case_file.stem}.xlsx"
    wb.save(book)
    result = CliRunner().invoke(build_app(), ["import", str(book), *case["args"], "--repo",
                                              str(repo.root), "-f", "json"])
    out = json.loads(result.stdout)
    assert result.exit_code == case["exit"], out
    assert out["summary"] == case["summary"]
    assert [[p["cell"], p["code"]] for p in out["problems"]] == case["problems"]
    written = {}
    for action in out["added"]:
        data = by_field_id(repo, yaml.safe_load(
            (repo.root / action["path"]).read_text(encoding="utf-8")))
        written[data["title"]] = data
    for title, fields in case["records"].items():
        got = {k: str(v) if k == "date" else v for k, v in written[title].items()}
        assert {k: got.get(k) for k in fields} == fields


def by_field_id(repo: Repo, data: dict[str, Any]) -> dict[str, Any]:
    """A record as {field id: value}, whichever spelling of the keys it was written with."""
    validator = Validator(load_plan(repo.plan_dir, repo.root))
    type_name = next(data[k] for k in validator.type_keys if k in data)
    schema = validator.schemas[validator.plan.type_names[type_name]]
    return {schema.keys[k]: v for k, v in data.items()}


def test_there_are_cases() -> None:
    assert len(CASES) >= 2
