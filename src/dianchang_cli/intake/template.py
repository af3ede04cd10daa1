"""The Excel workbook people fill in instead of writing YAML: ``dc template xlsx``.

Many communities already keep their 台账 in Excel or WPS.  This module writes them a
workbook made from the plan, from which ``dc import`` creates record files:

- the first sheet explains the workbook: one row per activity, one sheet per record type,
  what not to touch, how to write dates, and a table of every sheet with its required
  fields and of the units with their ids (for ``dc import … --unit``);
- one sheet per record type, titled with the type's Chinese name (see :func:`sheet_titles`);
  row 1 holds, for every field of :func:`~.writer.field_order` except ``type`` (the sheet
  says the type), the field's Chinese name exactly as the plan spells it — the importer
  maps a header back through the same names — with the id column (编号) first;
- every header cell has a comment saying what the field is, whether it is required and how
  to write it; required headers are bold dark red on a pink fill;
- drop-down lists for enum, yes/no, unit and staff fields live on a hidden sheet
  (:data:`LIST_SHEET`) and are referenced by absolute range: an inline list is limited to
  255 characters.  Dates, numbers and whole numbers are checked as they are typed;
  code-like columns are formatted as text, so Excel keeps ``0123`` and ``12.2`` as typed.

Only plain features every spreadsheet program reads are used: cell values and styles,
comments, data validations, a frozen row, an autofilter, a hidden sheet — no formula in any
cell, no macro, no merged cell.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from rich.cells import cell_len  # display width: a Chinese character takes two columns

from ..i18n import _
from ..planfile.model import FieldSpec
from ..planfile.plan import Plan, normalise
from ..records.validate import TypeSchema
from ..records.values import MAX_YEAR, MIN_YEAR
from .friendly import EXCEL_EPOCH
from .sheetnames import LIST_SHEET, clean, instructions_title, sheet_titles
from .writer import field_order

ROWS = 1000  # rows 2..ROWS of each column carry its validation
BOOL_WORDS = ("是", "否")  # the yes/no words Friendly reads (its TRUE_WORDS/FALSE_WORDS)
LIST_JOINER = "、"  # how several values share a cell (Friendly splits on it)
PROMPT_TITLE, PROMPT, ERROR = 32, 255, 255  # Excel's limits on validation texts
SHOWN_VALUES = 40  # values listed in one comment at most
MAX_NOTE = 500  # characters of a plan's note or description shown in one cell or comment
TEXT_FORMAT = "@"
CODE_KINDS = {"record", "rule", "month", "period", "url"}  # formatted as text
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "integer": "0",
           "number": "General"}
WIDTHS = {"date": 12, "datetime": 17, "integer": 10, "number": 10, "bool": 8, "text": 18,
          "list": 24, "month": 10, "period": 12, "url": 24, "record": 18, "rule": 10}
MAX_WIDTH = 40
HEADER_HEIGHT = 36
DARK_RED = "9C0006"
REQUIRED_FONT = Font(bold=True, color=DARK_RED)
REQUIRED_FILL = PatternFill("solid", fgColor="FFC7CE")
OPTIONAL_FONT = Font(bold=True)
OPTIONAL_FILL = PatternFill("solid", fgColor="E7E6E6")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TITLE_FONT = Font(bold=True, size=14)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a type's sheet: the field, its header text and whether it is needed."""

    field: str  # the field id
    spec: FieldSpec
    header: str  # the field's Chinese name (or its id when it has none)
    required: bool


def columns(plan: Plan, type_id: str) -> list[Column]:
    """The columns of a type's sheet, in order: ``id`` first, then every other field of
    :func:`field_order` except ``type``.  A field is required when the validator requires
    it (a field marked ``required``, and ``date`` for events and documents)."""
    required = set(TypeSchema(plan, plan.types[type_id]).required)
    order = [name for name in field_order(plan, type_id) if name != "type"]
    if "id" in order:
        order.remove("id")
        order.insert(0, "id")
    out: list[Column] = []
    for name in order:
        spec = plan.field_spec(type_id, name)
        if spec is not None:
            out.append(Column(name, spec, spec.name or name, name in required))
    return out


def build_workbook(plan: Plan, types: Sequence[str] | None = None) -> bytes:
    """The template workbook (xlsx bytes) for ``types`` (type ids; default: every type)."""
    chosen = list(types) if types else list(plan.types)
    titles = sheet_titles(plan)
    book = Workbook()
    intro = book.active
    intro.title = instructions_title()
    lists = _Lists(book.create_sheet(LIST_SHEET))
    for type_id in chosen:
        ws = book.create_sheet(titles[type_id], index=len(book.sheetnames) - 1)
        _type_sheet(ws, plan, type_id, lists)
    _instructions(intro, plan, chosen, titles)
    lists.sheet.sheet_state = "hidden"
    book.active = 0
    props = book.properties
    props.title = _("Record template")
    props.creator = props.lastModifiedBy = "dc"
    props.subject = clean(plan.meta.title)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- the drop-down lists
class _Lists:
    """The hidden sheet: one column per distinct list, each written once, from row 1 on.

    No labels above the lists: a row of field names would look like a header to the
    importer, which skips sheets without one."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.ranges: dict[tuple[str, ...], str] = {}

    def ref(self, values: Sequence[str]) -> str:
        """The absolute range (``'_lists'!$A$1:$A$5``) holding ``values``."""
        key = tuple(values)
        if key not in self.ranges:
            col = len(self.ranges) + 1
            letter = get_column_letter(col)
            for row, value in enumerate(values, start=1):
                _put(self.sheet, row, col, value)
            self.ranges[key] = (f"{quote_sheetname(LIST_SHEET)}!"
                                f"${letter}$1:${letter}${len(values)}")
        return self.ranges[key]


def choices(plan: Plan, type_id: str, column: Column) -> list[str] | None:
    """What a drop-down offers for a column, or None when it has none: an enum's values,
    是/否, unit names (only the unit kinds the type allows, for its ``unit``) or staff
    names.  A name two units (or staff) share is offered as the id, which is unambiguous."""
    spec = column.spec
    kind = spec.value_kind
    if kind == "enum":
        return list(dict.fromkeys(spec.values or []))
    if kind == "bool":
        return list(BOOL_WORDS)
    if kind == "unit":
        kinds = plan.types[type_id].unit_kinds if column.field == "unit" else None
        units = [u for u in plan.units.values() if not kinds or u.kind in kinds]
        return _names((u.id, u.name) for u in units)
    if kind == "staff":
        return _names((s.id, s.name) for s in plan.staff.values())
    return None


def _names(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """The names to offer for ``(id, name)`` pairs: the name, or the id where two share it
    (Friendly maps a shared name to neither, so only the id would import)."""
    pairs = list(pairs)
    seen: dict[str, int] = {}
    for _id, name in pairs:
        seen[normalise(name)] = seen.get(normalise(name), 0) + 1
    return list(dict.fromkeys(clean(name) if seen[normalise(name)] == 1 else ident
                              for ident, name in pairs))


# ---------------------------------------------------------------- one type's sheet
def _type_sheet(ws: Worksheet, plan: Plan, type_id: str, lists: _Lists) -> None:
    """A type's sheet: the header row with its styles and comments, and each column's
    width, number format and validation."""
    cols = columns(plan, type_id)
    for index, column in enumerate(cols, start=1):
        cell = _put(ws, 1, index, column.header)
        cell.font = REQUIRED_FONT if column.required else OPTIONAL_FONT
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = HEADER_ALIGN
        offered = choices(plan, type_id, column)
        text = comment_text(plan, column, offered)
        lines = sum(1 + cell_len(line) // 40 for line in text.splitlines())
        cell.comment = Comment(text, "dc", width=300, height=min(24 + 16 * lines, 400))
        letter = get_column_letter(index)
        _format(ws, letter, column, offered)
        _validate(ws, letter, plan, column, offered, lists)
    last = get_column_letter(max(len(cols), 1))
    ws.row_dimensions[1].height = HEADER_HEIGHT
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{ROWS}"


def _format(ws: Worksheet, letter: str, column: Column, offered: list[str] | None) -> None:
    """The column's width and number format (set on the column, so every new cell has it)."""
    spec = column.spec
    widest = max((cell_len(v) for v in offered or []), default=0)
    base = WIDTHS.get(spec.type, 14)
    width = max(min(cell_len(column.header), 16) + 3, base, widest + 3)  # long headers wrap
    dim = ws.column_dimensions[letter]
    dim.width = min(width, MAX_WIDTH)
    if column.field == "id" or spec.type in CODE_KINDS:
        dim.number_format = TEXT_FORMAT
    elif spec.type in FORMATS:
        dim.number_format = FORMATS[spec.type]


def _validate(ws: Worksheet, letter: str, plan: Plan, column: Column,
              offered: list[str] | None, lists: _Lists) -> None:
    """The column's data validation (rows 2..ROWS), with a Chinese prompt and error."""
    spec, kind = column.spec, column.spec.type
    base: dict[str, Any] = {}
    if kind == "list":
        base = {"type": None}  # several values in one cell: a prompt only, never blocking
    elif offered:
        base = {"type": "list", "formula1": lists.ref(offered),
                "error": _("Pick a value from the drop-down list.")}
    elif kind in ("date", "datetime"):
        low = max(_serial(dt.date(MIN_YEAR, 1, 1)), 1)
        high = _serial(dt.date(MAX_YEAR, 12, 31)) + 1
        base = {"type": "date" if kind == "date" else "decimal", "operator": "between",
                "formula1": str(low), "formula2": str(high),
                "error": _("Write a date like {example}.").format(example=_example(plan, kind))}
    elif kind in ("integer", "number"):
        base = _numeric(kind, spec.min)
    else:
        base = {"type": None}
    error = base.pop("error", "")
    check = DataValidation(**base, allow_blank=True, showInputMessage=True,
                           showErrorMessage=bool(error), errorStyle="stop",
                           promptTitle=_cut(column.header, PROMPT_TITLE),
                           prompt=_cut(_prompt(plan, column, offered), PROMPT),
                           errorTitle=_cut(_("Not allowed here"), PROMPT_TITLE) if error else None,
                           error=_cut(error, ERROR) if error else None)
    check.add(f"{letter}2:{letter}{ROWS}")
    ws.add_data_validation(check)


def _numeric(kind: str, least: float | None) -> dict[str, Any]:
    """A whole-number (``integer``) or decimal (``number``) check, at least ``min``."""
    whole = kind == "integer"
    low: float = -1e15 if least is None else (math.ceil(least) if whole else least)
    if least is None:
        error = _("Write a whole number.") if whole else _("Write a number.")
    else:
        error = (_("Write a whole number of at least {min}.") if whole else
                 _("Write a number of at least {min}.")).format(min=_num(low))
    return {"type": "whole" if whole else "decimal", "operator": "greaterThanOrEqual",
            "formula1": _num(low), "error": error}


# ---------------------------------------------------------------- texts
def form_of(plan: Plan, spec: FieldSpec) -> str:
    """How a value of the field is written, in one phrase (日期：2023-05-12 …)."""
    kind = spec.value_kind
    phrase = {
        "text": _("text"),
        "integer": _("a whole number"),
        "number": _("a number, e.g. 2.5"),
        "bool": _("{yes} or {no}").format(yes=BOOL_WORDS[0], no=BOOL_WORDS[1]),
        "date": _("a date, e.g. {example}").format(example=_example(plan, "date")),
        "datetime": _("a date and time, e.g. {example}").format(
            example=_example(plan, "datetime")),
        "month": _("a month, e.g. {year}-05").format(year=plan.year),
        "period": _("a period, e.g. {year}-05 (month), {year}-Q2 (quarter), {year}-H1 "
                    "(half year) or {year} (year)").format(year=plan.year),
        "enum": _("one of the values listed"),
        "staff": _("a staff member's name"),
        "unit": _("a unit's name"),
        "record": _("the {id} of a record of type {type}").format(
            id=_id_name(plan), type=_type_name(plan, spec.to)),
        "rule": _("the number of a rule of the plan, e.g. {example}").format(
            example=plan.rules[0].id) if plan.rules else _("the number of a rule of the plan"),
        "url": _("an https:// link, or a file path below the repository such as "
                 "evidence/photo.jpg"),
    }.get(kind, _("text"))
    if spec.type == "list":
        phrase = _("several values separated by {sep}, each {form}").format(
            sep=LIST_JOINER, form=phrase)
    if spec.min is not None and kind in ("integer", "number"):
        phrase += _(", at least {min}").format(min=_num(spec.min))
    return phrase


def comment_text(plan: Plan, column: Column, offered: list[str] | None) -> str:
    """The header's comment: required or not, what the field is, its form, its values."""
    lines = [_("Required") if column.required else _("Optional")]
    if column.field == "id":
        lines.append(_("Leave empty for a new row: dc gives the record its {id}. To change a "
                       "record filed already, write its {id}.").format(id=column.header))
    if column.spec.note:
        lines.append(_cut(clean(column.spec.note), MAX_NOTE))
    lines.append(_("Form: {form}").format(form=form_of(plan, column.spec)))
    kind = column.spec.value_kind
    if offered and kind in ("enum", "bool"):  # unit and staff names: the drop-down has them
        shown = LIST_JOINER.join(offered[:SHOWN_VALUES])
        more = "…" if len(offered) > SHOWN_VALUES else ""
        lines.append(_("Values: {values}").format(values=shown + more))
    if offered and column.spec.type != "list":
        lines.append(_("Pick from the drop-down list."))
    return "\n".join(lines)


def _prompt(plan: Plan, column: Column, offered: list[str] | None) -> str:
    """The input message shown when a cell of the column is selected (cut to 255)."""
    need = _("Required") if column.required else _("Optional")
    text = _("{need}: {form}").format(need=need, form=form_of(plan, column.spec))
    if offered and column.spec.type == "list":
        text += "\n" + _("Values: {values}").format(values=LIST_JOINER.join(offered))
    return text


def _instructions(ws: Worksheet, plan: Plan, chosen: list[str],
                  titles: dict[str, str]) -> None:
    """The first sheet: what the workbook is, how to fill it, its sheets and the units."""
    _put(ws, 1, 1, _("{title}: record template").format(
        title=clean(plan.meta.title))).font = TITLE_FONT
    row = 2
    for line in _guidance(plan):
        _put(ws, row, 1, line)
        row += 1
    row += 1
    table = [(titles[t], plan.types[t].name, _cut(plan.types[t].description or "", MAX_NOTE),
              "、".join(c.header for c in columns(plan, t) if c.required)) for t in chosen]
    row = _table(ws, row, (_("Sheet"), _("Record type"), _("What it records"),
                           _("Required columns")), table)
    units = [(u.name, u.id) for u in plan.units.values()]
    _table(ws, row + 1, (_("Unit name"), _("Unit id (for --unit)")), units)
    for letter, width in zip("ABCD", (28, 28, 60, 40), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = None


def _guidance(plan: Plan) -> list[str]:
    id_name = _id_name(plan) if "id" in plan.common_fields else None
    command = "dc import {file}.xlsx --unit {unit}".format(file=_("FILE-NAME"),
                                                           unit=_("UNIT-ID"))
    lines = [
        _("This workbook is for keeping the activity records of {plan} in Excel or WPS; "
          "dc import turns every row into one record.").format(plan=clean(plan.meta.title)),
        _("How to fill it in:"),
        "1. " + _("One row per activity; one sheet per record type: put each activity on "
                  "the sheet of its type."),
        "2. " + _("Do not rename the sheets and do not change the header cells of row 1: "
                  "the import reads them."),
        "3. " + (_("Leave {id} empty for new rows.").format(id=id_name) if id_name
                 else _("Do not add columns of your own.")),
        "4. " + _("Write dates like {date} and times like {time}.").format(
            date=_example(plan, "date"), time=_example(plan, "datetime")),
        "5. " + _("Where a column has a drop-down list, pick from it; several values in "
                  "one cell are separated by {sep}.").format(sep=LIST_JOINER),
        "6. " + _("Columns with a dark red header are required; point at a header to read "
                  "what it means and how to write it."),
        "7. " + _("Records describe work, not people: never write a resident's ID-card "
                  "number or phone number."),
        _("When it is filled in, import it: {command}").format(command=command),
    ]
    return lines


def _table(ws: Worksheet, row: int, header: Sequence[str],
           rows: Iterable[Sequence[str]]) -> int:
    """A small table at ``row``: a bold header, then the rows; the next free row."""
    for col, text in enumerate(header, start=1):
        cell = _put(ws, row, col, text)
        cell.font, cell.fill = OPTIONAL_FONT, OPTIONAL_FILL
    for row_values in rows:
        row += 1
        for col, text in enumerate(row_values, start=1):
            _put(ws, row, col, text).alignment = WRAP
    return row + 1


# ---------------------------------------------------------------- small helpers
def _put(ws: Worksheet, row: int, col: int, value: str) -> Cell:
    """A text cell that stays text (never a formula, even when it starts with ``=``)."""
    cell = ws.cell(row=row, column=col, value=clean(value))
    cell.data_type = "s"
    return cell


def _cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, ending in … when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _serial(day: dt.date) -> int:
    """Excel's day number of ``day`` (what a date validation compares)."""
    return (day - EXCEL_EPOCH).days


def _num(value: float) -> str:
    """``0.0`` → ``0``; ``2.5`` stays ``2.5``."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _example(plan: Plan, kind: str) -> str:
    """An example date (or date-time) in the plan's year."""
    return f"{plan.year}-05-12" + (" 10:05" if kind == "datetime" else "")


def _id_name(plan: Plan) -> str:
    """What the plan calls a record's id (编号)."""
    spec = plan.common_fields.get("id")
    return spec.name if spec is not None and spec.name else "id"


def _type_name(plan: Plan, type_id: str | None) -> str:
    """A type's Chinese name, or what was given when the plan has no such type."""
    rtype = plan.types.get(type_id or "")
    return rtype.name if rtype is not None else (type_id or "")
