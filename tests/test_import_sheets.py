"""dc import's parts: reading sheets within bounds, headers, sheet types, stable ids."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from dianchang_cli.api import Repo
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.intake import sheets
from dianchang_cli.intake.importer import Importer, stable_id
from dianchang_cli.intake.rows import header_text, is_total, type_from_title
from dianchang_cli.intake.writer import render
from dianchang_cli.ledger.model import derived_headers

VOL = "新时代文明实践志愿服务活动"  # test data only


def test_decode_tries_bom_utf8_then_gb18030() -> None:
    assert sheets.decode("名称".encode()) == ("名称", "UTF-8")
    assert sheets.decode(b"\xef\xbb\xbf" + "名称".encode()) == ("名称", "UTF-8")
    assert sheets.decode("名称".encode("gbk")) == ("名称", "GB18030")
    assert sheets.decode(b"\xff\xfe\xff") == (None, "")
    assert sheets.decode(b"\xef\xbb\xbf\xff") == (None, "")  # a BOM promises UTF-8


def test_cell_names() -> None:
    assert [sheets.cell_name(6, 1), sheets.cell_name(0, 25), sheets.cell_name(9, 26)] == [
        "B7", "Z1", "AA10"]


def test_header_text_and_totals() -> None:
    assert header_text(" *名称\n ") == "名称"
    assert header_text("＊志愿服务总时长\n（小时）") == "志愿服务总时长（小时）"
    assert header_text(None) == ""
    assert is_total(["", "合计：活动 3 场"]) and is_total(["Total: 3 activities"])
    assert not is_total(["1", "合计以外"]) and not is_total(["", ""])


def test_type_from_title(repo: Repo) -> None:
    plan = load_plan(repo.plan_dir, repo.root)
    vol = plan.type_of(VOL)
    assert vol is not None
    assert type_from_title(plan, VOL) == vol.id
    assert type_from_title(plan, vol.id) == vol.id
    assert type_from_title(plan, VOL + "台账") == vol.id
    assert type_from_title(plan, "东苑社区5月" + VOL + "统计") == vol.id
    assert type_from_title(plan, "填写说明") is None


def test_derived_headers_are_not_fields(repo: Repo) -> None:
    plan = load_plan(repo.plan_dir, repo.root)
    names = {spec.name for t in plan.types.values() for spec in t.fields.values()}
    names |= {spec.name for spec in plan.common_fields.values()}
    assert "序号" in derived_headers() and "Record file" in derived_headers()
    assert not derived_headers() & names


def test_stable_id_is_stable() -> None:
    day = dt.date(2023, 5, 12)
    first = stable_id("t", "u", day, "读书会")
    assert first == stable_id("t", "u", day, "读书会")
    assert first.startswith("u-20230512-") and len(first) == len("u-20230512-") + 8
    assert first != stable_id("t", "u", day, "读书会2")
    assert stable_id("t", "u", None, "x").startswith("u-")


def test_modeline_prefix_is_what_render_writes(repo: Repo) -> None:
    plan = load_plan(repo.plan_dir, repo.root)
    tid = next(iter(plan.types))
    values = {"unit": "x", "title": "t", "date": dt.date(2023, 5, 1)}
    line = "yaml-language-server: $schema=../records.schema.json"
    assert render(plan, tid, values, "en", line) == f"# {line}\n" + render(plan, tid, values)


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = VOL
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_bounds_are_problems_not_hangs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(["名称"] * (sheets.MAX_COLUMNS + 1)) + "\n", encoding="utf-8")
    assert [i.code for i in sheets.read(wide).issues] == ["too-large"]
    monkeypatch.setattr(sheets, "MAX_ROWS", 5)
    long = _xlsx(tmp_path / "long.xlsx", [["日期", "名称"]] + [["2023-05-01", "x"]] * 10)
    book = sheets.read(long)
    assert [(i.sheet, i.code) for i in book.issues] == [(VOL, "too-large")] and not book.grids
    monkeypatch.setattr(sheets, "MAX_BYTES", 10)
    assert [i.code for i in sheets.read(long).issues] == ["too-large"]


@pytest.mark.parametrize("name, data, code", [
    ("x.xlsx", b"PK\x03\x04 not really a zip", "unreadable"),
    ("x.xls", b"\x00" * 600, "unreadable"),
    ("x.docx", b"whatever", "unknown-format"),
    ("x.csv", b'a,"b\n' * 3, None),
])
def test_broken_files_are_problems(tmp_path: Path, name: str, data: bytes,
                                   code: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    book = sheets.read(path)
    assert [i.code for i in book.issues] == ([code] if code else [])


def test_importer_alone(repo: Repo, tmp_path: Path) -> None:
    """The library without the CLI: prepare decides, nothing is written."""
    plan = load_plan(repo.plan_dir, repo.root)
    book = sheets.read(_xlsx(tmp_path / "a.xlsx", [
        ["日期", "名称", "服务主题", "志愿者人数", "志愿服务总时长（小时）"],
        [dt.date(2023, 5, 2), "义诊", "其他", "５", "1.5小时"]]))
    result = Importer(plan, [], "dongyuan").prepare([book])
    [action] = result.actions
    assert action.kind == "new" and action.values["volunteers"] == 5
    assert action.values["service_hours"] == 1.5 and action.values["unit"] == "dongyuan"
    assert "title: 义诊" in action.text and not list(repo.records_dir.rglob("*.yaml"))


def test_time_cells_become_text_and_zip_expansion_is_bounded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _xlsx(tmp_path / "t.xlsx", [["名称", "活动简介"], ["x", dt.time(10, 5)]])
    [grid] = sheets.read(path).grids
    assert grid.rows[1] == ["x", "10:05"]
    monkeypatch.setattr(sheets, "MAX_UNZIPPED", 1000)
    book = sheets.read(path)
    assert [i.code for i in book.issues] == ["too-large"] and not book.grids


def test_a_huge_cell_is_a_problem_not_a_record_dc_check_cannot_read(repo: Repo,
                                                                     tmp_path: Path) -> None:
    plan = load_plan(repo.plan_dir, repo.root)
    book = sheets.read(_xlsx(tmp_path / "h.xlsx", [
        ["日期", "名称", "服务主题", "志愿者人数", "志愿服务总时长（小时）", "活动简介"],
        [dt.date(2023, 5, 2), "义诊", "其他", 5, 1, "长" * 32000],
        [dt.date(2023, 5, 3), "清洁", "其他", 5, 1, None]]))
    book.grids[0].rows[1][5] *= 20  # 640,000 characters: 1.9 MB of UTF-8
    result = Importer(plan, [], "dongyuan").prepare([book])
    assert [i.code for i in result.issues] == ["too-large"]
    [action] = result.actions
    assert action.values["title"] == "清洁"  # the other row is imported all the same
