"""The ledger as an Excel workbook (openpyxl): the ledger sheet and a notes sheet.

Sheet one holds a title line, a bold frozen header row, one row per activity (dates as dates,
counts and hours as numbers with number formats), then the totals row; the per-unit
subtotals follow below it.  Sheet two holds the provenance, the note on the official record
and the invalid records.  Every value comes from the :class:`~.model.Ledger`; no formula
recomputes anything.  Record text is always written as text: a title starting with ``=``
never becomes a formula.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..i18n import _
from .model import DERIVED, SUMMED, TOTALLED, Column, Ledger, Total

HEADER_ROW = 3  # row 1: title, row 2: provenance
WIDTHS = {"index": 6, "date": 12, "unit": 22, "title": 40, "theme": 18, "location": 22,
          "participants": 10, "volunteers": 10, "service_hours": 12, "evidence": 10,
          "platform": 20, "id": 30, "type": 24, "file": 44}
FORMATS = {"index": "0", "date": "yyyy-mm-dd", "participants": "0", "volunteers": "0",
           "service_hours": "0.0#", "evidence": "0", "activities": "0"}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _put(ws: Worksheet, row: int, col: int, value: Any, key: str = "",
         bold: bool = False) -> Cell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # control characters
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # literal text, even when it starts with "="
    if key in FORMATS and not isinstance(value, str):
        cell.number_format = FORMATS[key]
    if bold:
        cell.font = BOLD
    return cell


def _columns(ledger: Ledger) -> list[Column]:
    """The ledger's columns, then the record's id (headed by the plan's name of the ``id``
    field in Chinese: the key ``dc import`` matches rows to records by), its type when the
    ledger has several (so that ``dc import`` knows each row's), and its file."""
    typed = [Column("type", ledger.type_label)] if len(ledger.types) > 1 else []
    return [*ledger.columns, Column("id", ledger.id_label), *typed,
            Column("file", _(DERIVED["file"]))]


def sheet_title(ledger: Ledger) -> str:
    """``<type name>台账`` for a ledger of one type (what ``dc import`` reads the type
    from), else a plain "Ledger"; cut to Excel's 31 characters."""
    if len(ledger.type_names) == 1:
        return _("{type} ledger").format(type=ledger.type_names[0])[:31]
    return _("Ledger")[:31]


def _ledger_sheet(ws: Worksheet, ledger: Ledger) -> None:
    cols = _columns(ledger)
    _put(ws, 1, 1, ledger.title, bold=True).font = Font(bold=True, size=14)
    _put(ws, 2, 1, ledger.provenance)
    for i, col in enumerate(cols, start=1):
        _put(ws, HEADER_ROW, i, col.label, bold=True)
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(col.key, 14)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header on every printed page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    r = HEADER_ROW
    for r, row in enumerate(ledger.rows, start=HEADER_ROW + 1):
        for i, col in enumerate(cols, start=1):
            value = f"{row.file}:{row.line}" if col.key == "file" else row.value(col.key)
            cell = _put(ws, r, i, value if value != "" else None, col.key)
            if col.key in ("title", "location", "theme"):
                cell.alignment = WRAP
    r += 1
    keys = [c.key for c in cols]
    _put(ws, r, keys.index("title") + 1,
         _("Total: {n} activities").format(n=ledger.total.activities), bold=True)
    for key in SUMMED:
        _put(ws, r, keys.index(key) + 1, getattr(ledger.total, key), key, bold=True)
    if ledger.subtotals:
        _subtotals(ws, r + 2, ledger.subtotals, ledger.total)


def _subtotals(ws: Worksheet, top: int, subtotals: list[Total], total: Total) -> None:
    labels = [_("Unit"), _("Activities"), _("Participants"), _("Volunteers"),
              _("Service hours")]
    keys = TOTALLED
    _put(ws, top, 1, _("Totals by unit"), bold=True)
    for i, label in enumerate(labels, start=2):
        _put(ws, top + 1, i, label, bold=True)
    for n, sub in enumerate([*subtotals, total], start=top + 2):
        last = sub is total
        _put(ws, n, 2, sub.name, bold=last)
        for i, key in enumerate(keys, start=3):
            _put(ws, n, i, getattr(sub, key), key, bold=last)


def _notes_sheet(ws: Worksheet, ledger: Ledger) -> None:
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    facts = [
        (_("Ledger"), ledger.title),
        (_("Month"), ledger.period),
        (_("Record types"), "、".join(f"{name} ({tid})" for name, tid
                                     in zip(ledger.type_names, ledger.types, strict=True))),
        (_("As of"), ledger.as_of.isoformat()),
        (_("Records"), str(ledger.records)),
        (_("Git commit"), ledger.commit or _("unknown")),
        (_("Provenance"), ledger.provenance),
        (_("Note"), ledger.footnote),
    ]
    for r, (label, text) in enumerate(facts, start=1):
        _put(ws, r, 1, label, bold=True)
        _put(ws, r, 2, text).alignment = WRAP
    top = len(facts) + 2
    _put(ws, top, 1, _("Invalid records ({n})").format(n=len(ledger.invalid)), bold=True)
    for r, p in enumerate(ledger.invalid, start=top + 1):
        _put(ws, r, 1, f"{p.file}:{p.line}")
        _put(ws, r, 2, f"[{p.code}] {p.message}").alignment = WRAP


def render(ledger: Ledger) -> bytes:
    """The workbook as bytes."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title(ledger)
    _ledger_sheet(ws, ledger)
    _notes_sheet(wb.create_sheet(_("About")[:31]), ledger)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
