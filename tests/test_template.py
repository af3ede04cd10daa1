"""``dc template xlsx``: the workbook communities fill in, read back as Excel and the importer
would read it (openpyxl for its structure, python-calamine for its values)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from dianchang_cli.cli.app import build_app
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.i18n import _
from dianchang_cli.intake.sheetnames import (
    LIST_SHEET,
    MAX_TITLE,
    instructions_title,
    sheet_titles,
    type_for_sheet,
)
from dianchang_cli.intake.template import ROWS, build_workbook, columns
from dianchang_cli.planfile.plan import Plan

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(ROOT / "plan", ROOT)


@pytest.fixture(scope="module")
def book_file(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    path.write_bytes(build_workbook(plan))
    return path


@pytest.fixture(scope="module")
def book(book_file: Path) -> Workbook:
    return openpyxl.load_workbook(book_file)


def dc(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), ["template", "xlsx", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


def header(ws: Worksheet) -> list[str]:
    return [c.value for c in ws[1]]


def validation_of(ws: Worksheet, col: int) -> DataValidation:
    letter = get_column_letter(col)
    found = [dv for dv in ws.data_validations.dataValidation
             if f"{letter}2:{letter}{ROWS}" in str(dv.sqref)]
    assert len(found) == 1, (letter, found)
    return found[0]


def list_values(book: Workbook, ref: str) -> list[str]:
    sheet, cells = ref.split("!")
    assert sheet.strip("'") == LIST_SHEET
    first, last = cells.replace("$", "").split(":")
    assert first[1:] == "1"
    return [c.value for row in book[LIST_SHEET][f"{first}:{last}"] for c in row]


# ---------------------------------------------------------------- sheets and headers
def test_one_sheet_per_type_between_instructions_and_hidden_lists(plan: Plan,
                                                                  book: Workbook) -> None:
    titles = sheet_titles(plan)
    assert book.sheetnames == [instructions_title(), *titles.values(), LIST_SHEET]
    for type_id, title in titles.items():  # "/" becomes "／"; nothing else changes
        assert title == plan.types[type_id].name.replace("/", "／")
        assert type_for_sheet(plan, f" {title} ") == type_id
    assert book[LIST_SHEET].sheet_state == "hidden"
    assert book.active.title == instructions_title()
    assert book.properties.creator == "dc" and book.properties.subject == plan.meta.title


def test_headers_are_the_plans_field_names_id_first_type_left_out(plan: Plan,
                                                                  book: Workbook) -> None:
    titles = sheet_titles(plan)
    for type_id, rtype in plan.types.items():
        ws = book[titles[type_id]]
        names = [(plan.field_spec(type_id, f).name or f) for f in
                 ["id", *(f for f in rtype.fields)]]
        got = header(ws)
        assert got[0] == plan.common_fields["id"].name
        assert plan.common_fields["type"].name not in got
        assert set(names) <= set(got) and len(got) == len(set(got))
        assert got == [c.header for c in columns(plan, type_id)]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref.startswith("A1:")


def test_every_header_has_a_comment_and_required_ones_say_so(plan: Plan,
                                                             book: Workbook) -> None:
    for type_id, title in sheet_titles(plan).items():
        ws = book[title]
        for cell, column in zip(ws[1], columns(plan, type_id), strict=True):
            assert cell.comment is not None and cell.comment.text
            first = cell.comment.text.splitlines()[0]
            assert first == (_("Required") if column.required else _("Optional"))
            assert cell.font.bold
            red = cell.font.color is not None and cell.font.color.rgb.endswith("9C0006")
            assert red == column.required
    ws = book[plan.types["lecture"].name]
    by_name = {c.value: c for c in ws[1]}
    assert by_name["宣讲阵地"].comment.text.startswith(_("Required"))
    assert by_name["宣讲人"].comment.text.startswith(_("Optional"))
    # date is required of events by the validator though the plan does not mark it
    assert by_name[plan.common_fields["date"].name].comment.text.startswith(_("Required"))


# ---------------------------------------------------------------- drop-downs and formats
def test_enum_unit_staff_and_bool_columns_have_lists_on_the_hidden_sheet(
        plan: Plan, book: Workbook) -> None:
    for type_id, title in sheet_titles(plan).items():
        ws = book[title]
        for index, column in enumerate(columns(plan, type_id), start=1):
            kind = column.spec.type
            if kind not in ("enum", "unit", "staff", "bool"):
                continue
            dv = validation_of(ws, index)
            assert dv.type == "list" and dv.showErrorMessage and dv.error and dv.prompt
            assert dv.formula1.startswith(f"'{LIST_SHEET}'!$")
            values = list_values(book, dv.formula1)
            if kind == "enum":
                assert values == column.spec.values
            elif kind == "bool":
                assert values == ["是", "否"]
            elif kind == "staff":
                assert set(values) == {s.name for s in plan.staff.values()}
            else:
                kinds = plan.types[type_id].unit_kinds if column.field == "unit" else None
                assert set(values) == {u.name for u in plan.units.values()
                                       if not kinds or u.kind in kinds}


def test_multi_value_enum_gets_a_prompt_not_a_blocking_list(plan: Plan,
                                                            book: Workbook) -> None:
    type_id, field = next((t, f) for t, r in plan.types.items() for f, s in r.fields.items()
                          if s.type == "list" and s.items == "enum")
    cols = columns(plan, type_id)
    index = next(i for i, c in enumerate(cols, start=1) if c.field == field)
    dv = validation_of(book[sheet_titles(plan)[type_id]], index)
    assert dv.type is None and not dv.showErrorMessage
    assert plan.types[type_id].fields[field].values[0] in dv.prompt
    assert len(dv.prompt) <= 255


def test_dates_numbers_and_codes_are_formatted_and_checked(plan: Plan,
                                                           book: Workbook) -> None:
    seen: set[str] = set()
    for type_id, title in sheet_titles(plan).items():
        ws = book[title]
        for index, column in enumerate(columns(plan, type_id), start=1):
            letter = get_column_letter(index)
            fmt = ws.column_dimensions[letter].number_format
            kind = column.spec.type
            if kind == "date":
                assert fmt == "yyyy-mm-dd" and validation_of(ws, index).type == "date"
            elif kind == "datetime":
                assert fmt == "yyyy-mm-dd hh:mm"
            elif kind == "integer":
                dv = validation_of(ws, index)
                assert dv.type == "whole" and dv.operator == "greaterThanOrEqual"
                if column.spec.min is not None:
                    assert float(dv.formula1) == column.spec.min
            elif kind == "number":
                assert validation_of(ws, index).type == "decimal"
            elif column.field == "id" or kind in ("record", "rule", "month", "period"):
                assert fmt == "@"
            else:
                continue
            seen.add(kind)
            assert ws.column_dimensions[letter].width >= 8
    assert {"date", "datetime", "integer", "number", "text"} <= seen


def test_instructions_sheet(plan: Plan, book: Workbook) -> None:
    text = "\n".join(str(v) for row in book[instructions_title()].iter_rows(values_only=True)
                     for v in row if v is not None)
    assert plan.meta.title in text
    assert "dc import" in text and "--unit" in text
    for rtype in plan.types.values():
        assert rtype.name in text
        if rtype.description:
            assert rtype.description in text
    for unit in plan.units.values():
        assert unit.name in text and unit.id in text
    assert plan.common_fields["id"].name in text


def test_calamine_reads_the_headers_back(plan: Plan, book_file: Path) -> None:
    cal = CalamineWorkbook.from_path(str(book_file))
    titles = sheet_titles(plan)
    assert cal.sheet_names[1:-1] == list(titles.values())
    for type_id, title in titles.items():
        rows = cal.get_sheet_by_name(title).to_python()
        assert rows[0] == [c.header for c in columns(plan, type_id)]


# ---------------------------------------------------------------- the command
def test_command_writes_the_default_file_and_refuses_to_overwrite(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _err = dc("--repo", str(ROOT))
    assert code == 0 and out.strip() == "台账模板.xlsx"
    first = (tmp_path / "台账模板.xlsx").read_bytes()
    (tmp_path / "台账模板.xlsx").write_bytes(b"mine")
    code, out, err = dc("--repo", str(ROOT))
    assert code == 2 and "--force" in err and out == ""
    assert (tmp_path / "台账模板.xlsx").read_bytes() == b"mine"
    code, _out, _err = dc("--repo", str(ROOT), "--force")
    assert code == 0 and (tmp_path / "台账模板.xlsx").read_bytes()[:2] == first[:2] == b"PK"


def test_type_by_id_and_by_chinese_name(plan: Plan, tmp_path: Path) -> None:
    first, second = list(plan.types.values())[2:4]
    out = tmp_path / "two.xlsx"
    code, _out, err = dc("--repo", str(ROOT), "--type", first.id, "--type", second.name,
                         "--type", first.name, "-o", str(out))
    assert code == 0, err
    titles = openpyxl.load_workbook(out).sheetnames
    assert titles == [instructions_title(), first.name, second.name, LIST_SHEET]


def test_unknown_type_is_a_usage_error_naming_known_ones(plan: Plan, tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    code, _out, err = dc("--repo", str(ROOT), "--type", "没有这种类型", "-o", str(out))
    assert code == 2 and "没有这种类型" in err
    assert next(iter(plan.types.values())).name in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


def test_broken_plan_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "plan.yaml").write_text("plan: [\n", encoding="utf-8")
    code, _out, _err = dc("--repo", str(tmp_path), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and not (tmp_path / "x.xlsx").exists()


# ---------------------------------------------------------------- nothing is 2023-specific
OTHER_PLAN = """\
plan: {id: riverside-2024, title: 河畔街道2024年环境整治工作要点, year: 2024}
sections:
  - {id: 一, title: 环境整治, items: [1]}
items:
  - {number: 1, title: 植树, text: 每季度开展植树活动。}
common_fields:
  id: {type: text, name: 记录号}
  type: {type: text, name: 类别, required: true}
  unit: {type: unit, name: 责任单位, required: true}
  date: {type: date, name: 活动日期}
  title: {type: text, name: 活动名称, required: true}
record_types:
  - id: planting
    name: "植树/护绿: 活动*"
    kind: event
    description: 一次植树或护绿活动。
    unit_kinds: [community]
    fields:
      trees: {type: integer, name: 植树棵数, required: true, min: 1}
      species: {type: list, items: enum, name: 树种, values: [银杏, 香樟, 其他]}
      weather: {type: enum, name: 天气, values: [晴, 雨]}
      leader: {type: staff, name: 带队人}
      watered: {type: bool, name: 已浇水}
      started_at: {type: datetime, name: 开始时间}
  - id: planting_b
    name: "植树／护绿： 活动＊"
    kind: registry
  - id: long
    name: 一个名字非常非常非常非常非常非常非常非常非常非常非常非常长的记录类型
    kind: document
rules:
  - id: "1.1"
    name: 每季度植树
    item: 1
    source: 每季度开展植树活动
    basis: explicit
    kind: count
    scope: community
    period: quarter
    select: {types: [planting]}
    target: 1
    severity: error
"""

OTHER_UNITS = """\
subdistrict: riverside
units:
  - {id: riverside, name: 河畔街道, kind: subdistrict}
  - {id: willow, name: 柳岸社区, kind: community}
  - {id: pine, name: 松林社区, kind: community}
staff:
  - {id: w-sec, name: 柳岸社区书记, unit: willow, roles: [secretary]}
"""


@pytest.fixture
def other_repo(tmp_path: Path) -> Path:
    root = tmp_path / "other"
    (root / "plan").mkdir(parents=True)
    (root / "records").mkdir()
    (root / "plan" / "plan.yaml").write_text(textwrap.dedent(OTHER_PLAN), encoding="utf-8")
    (root / "plan" / "units.yaml").write_text(OTHER_UNITS, encoding="utf-8")
    return root


def test_another_plan_makes_its_own_sheets(other_repo: Path) -> None:
    out = other_repo / "t.xlsx"
    code, _out, err = dc("--repo", str(other_repo), "-o", str(out))
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    first, second, third = book.sheetnames[1:4]
    assert first == "植树／护绿： 活动＊" and second == "植树／护绿： 活动＊(2)"
    assert len(third) == MAX_TITLE and third.startswith("一个名字")
    ws = book[first]
    assert header(ws) == ["记录号", "责任单位", "活动日期", "活动名称", "植树棵数", "树种",
                          "天气", "带队人", "已浇水", "开始时间"]
    units = validation_of(ws, 2)
    assert list_values(book, units.formula1) == ["柳岸社区", "松林社区"]  # community only
    trees = validation_of(ws, 5)
    assert trees.type == "whole" and trees.formula1 == "1"
    assert list_values(book, validation_of(ws, 7).formula1) == ["晴", "雨"]
    assert list_values(book, validation_of(ws, 8).formula1) == ["柳岸社区书记"]
    assert ws.column_dimensions["J"].number_format == "yyyy-mm-dd hh:mm"
    assert "2024-05-12" in ws["C1"].comment.text
    assert "河畔街道2024年环境整治工作要点" in str(book[instructions_title()]["A1"].value)
    cal = CalamineWorkbook.from_path(str(out))
    assert cal.get_sheet_by_name(second).to_python()[0] == ["记录号", "责任单位", "活动日期",
                                                             "活动名称"]


def test_repo_copy_works_from_its_own_folder(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    shutil.copytree(ROOT / "plan", tmp_path / "plan", ignore=shutil.ignore_patterns("tests"))
    monkeypatch.chdir(tmp_path)
    code, _out, err = dc("-o", "mine.xlsx", "--type", "宣讲")
    assert code == 0, err
    assert openpyxl.load_workbook(tmp_path / "mine.xlsx").sheetnames[1] == "宣讲"


def test_no_sheet_but_the_type_sheets_has_a_row_of_field_names(plan: Plan,
                                                               book: Workbook) -> None:
    """The importer takes a row naming two fields for a header: the instructions and the
    hidden lists must never look like one."""
    spellings = {key for rtype in plan.types.values()
                 for name, spec in {**plan.common_fields, **rtype.fields}.items()
                 for key in spec.spellings(name)}
    for title in (instructions_title(), LIST_SHEET):
        for row in book[title].iter_rows(values_only=True):
            assert sum(1 for v in row if v in spellings) < 2, (title, row)
