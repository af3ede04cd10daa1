"""Sheets → rows of field values: which type a sheet holds, where its header is, what each
column means, and where the table ends.

The rules, all generic (the plan says what the fields are called):

- **The record type** of a row comes from a type column (any spelling of the common field
  ``type``: ``类型``) when the sheet has one, else from the sheet's title
  (:func:`type_from_title`).  A sheet with a header but no type is one problem; a sheet with
  no header at all (``填写说明``, a notes sheet, a hidden list sheet) is skipped silently.
- **The header** is the first of the first :data:`HEADER_ROWS` rows in which at least two
  cells name fields.  A header cell is trimmed, its line breaks removed, and a leading or
  trailing ``*``/``＊`` (the "required" mark of Chinese forms) ignored; it names a field by
  any spelling the plan allows (id, Chinese name, aliases), also followed by a note in
  brackets (``日期（年月日）``).
- The ledger's own headers (``dc ledger -f xlsx`` in English: ``Activity``, ``Record
  id`` …) name their fields too (:func:`..ledger.model.field_headers`).
- **Derived columns** are not fields and are ignored without a word: a row number
  (``序号``) and the ledger's own derived columns (:func:`..ledger.model.derived_headers`).
  Any other unknown column is one warning at its header cell; its values are ignored.
- **Rows**: blank rows are skipped; a row whose first non-empty cell starts with
  :data:`TOTAL_WORDS` (合计/总计/小计, or ``Total``) ends the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import printable
from ..i18n import _
from ..ledger.model import derived_headers, field_headers
from ..planfile.plan import Plan, normalise, short_name
from ..records import pii
from ..records.validate import Validator
from .friendly import Friendly
from .sheetnames import MAX_TITLE, type_for_sheet
from .sheets import Grid, cell_name, column_letter

HEADER_ROWS = 10
ROW_NUMBER_HEADERS = frozenset({"序号", "编号序号", "行号", "No.", "No"})
TOTAL_WORDS = ("合计", "总计", "小计", "total")
LEDGER_SUFFIX = "台账"  # "<type name>台账": a ledger of that type


@dataclass(frozen=True)
class Where:
    """A place in an imported file: the file, the sheet, a row (1-based) and a column
    (0-based), each optional.  :meth:`text` reads ``台账.xlsx › 志愿服务 › B7``."""

    file: str
    sheet: str | None = None
    row: int | None = None
    col: int | None = None

    def text(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(self.sheet)
        if self.row is not None and self.col is not None:
            parts.append(cell_name(self.row - 1, self.col))
        elif self.row is not None:
            parts.append(_("row {n}").format(n=self.row))
        return " › ".join(printable(p, 80) for p in parts)

    def at(self, col: int | None) -> Where:
        return Where(self.file, self.sheet, self.row, col)

    def as_json(self) -> dict[str, object]:
        cell = cell_name(self.row - 1, self.col) if self.row and self.col is not None else None
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "cell": cell}


@dataclass(frozen=True)
class Issue:
    """One problem (or warning) of an import, at its place."""

    where: Where
    code: str
    message: str
    expected: str | None = None
    severity: str = "error"

    def text(self) -> str:
        tail = f"（{self.expected}）" if self.expected else ""
        return f"{self.where.text()}: [{self.code}] {self.message}{tail}"

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {**self.where.as_json(), "where": self.where.text(),
                                  "code": self.code, "message": self.message,
                                  "severity": self.severity}
        if self.expected:
            out["expected"] = self.expected
        return out


@dataclass
class Row:
    """One data row: its type, its values by field id (``None``: the cell was empty) and
    the column each field came from."""

    where: Where  # the row (col None)
    type_id: str
    values: dict[str, Any]
    columns: dict[str, int]


@dataclass
class Columns:
    """A sheet's header: field id → column, the type column if any, the header's row."""

    header_row: int  # 0-based
    fields: dict[str, int] = field(default_factory=dict)
    type_col: int | None = None


def header_text(cell: Any) -> str:
    """A header cell as text: trimmed, without line breaks and required marks."""
    text = "".join(str(cell).split("\n")).replace("\r", "").strip() if cell is not None else ""
    return text.strip("*＊").strip()


class Headers:
    """Every spelling of every field → field id, per type and over all types."""

    def __init__(self, plan: Plan, validator: Validator) -> None:
        self.plan = plan
        extra = field_headers()
        self.by_type = {tid: _lookup(s.keys, extra) for tid, s in validator.schemas.items()}
        merged: dict[str, str] = {}
        for keys in self.by_type.values():
            for key, name in keys.items():
                merged.setdefault(key, name)
        self.any = merged
        self.ignored = {_norm(h) for h in ROW_NUMBER_HEADERS | derived_headers()}

    def field(self, text: str, type_id: str | None) -> str | None:
        """The field a header names: as written, normalised, or without a trailing note
        in brackets (``日期（年月日）`` → ``日期``)."""
        keys = self.by_type[type_id] if type_id else self.any
        found = keys.get(text) or keys.get(_norm(text))
        if found is None and (bare := short_name(text)) != text and bare:
            found = keys.get(bare) or keys.get(_norm(bare))
        return found


def _norm(text: str) -> str:
    return normalise(text).lower().replace(" ", "_")


def _lookup(keys: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    """Spelling → field id for one type: the plan's spellings, then the ledger's own
    headers of the type's fields, each also in a normalised form (NFKC, lower case)."""
    out = dict(keys)
    fields = set(keys.values())
    for key, name in extra.items():
        if name in fields:
            out.setdefault(key, name)
    for key, name in list(out.items()):
        out.setdefault(_norm(key), name)
    return out


def type_from_title(plan: Plan, title: str) -> str | None:
    """The type a sheet title names: the title the template gave it, a type's id or name,
    the name cut to Excel's 31 characters, ``<name>台账``, else the longest type name the
    title contains."""
    text = title.strip()
    template = type_for_sheet(plan, text)  # a sheet of `dc template xlsx`, as it titled it
    if template is not None:
        return template
    for tid, rtype in plan.types.items():
        ledger = rtype.name + LEDGER_SUFFIX
        if text in {tid, rtype.name, rtype.name[:MAX_TITLE], ledger,
                    ledger[:MAX_TITLE]}:
            return tid
    found = [(len(rtype.name), tid) for tid, rtype in plan.types.items() if rtype.name in text]
    return max(found)[1] if found else None


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def find_header(grid: Grid, headers: Headers, type_id: str | None) -> Columns | None:
    """The header (first of the first rows naming two fields), or ``None``."""
    for r, cells in enumerate(grid.rows[:HEADER_ROWS]):
        named = {headers.field(header_text(c), type_id) for c in cells if not _empty(c)}
        named.discard(None)
        if len(named) >= 2:
            return Columns(header_row=r)
    return None


def map_columns(grid: Grid, columns: Columns, headers: Headers, type_id: str | None,
                where: Where) -> list[Issue]:
    """Fill ``columns`` from the header row; a warning for each unknown or repeated one."""
    issues: list[Issue] = []
    r = columns.header_row
    for c, cell in enumerate(grid.rows[r]):
        text = header_text(cell)
        if not text or _norm(text) in headers.ignored:
            continue
        name = headers.field(text, type_id)
        at = Where(where.file, where.sheet, r + 1, c)
        if name is None:
            issues.append(Issue(at, "unknown-column", _(
                "unknown column '{c}'; its values are ignored").format(
                c=printable(pii.redact(text), 60)), expected=_(
                "a field name of the plan, e.g. {examples}").format(
                examples=_examples(headers, type_id)), severity="warning"))
        elif name == "type":
            columns.type_col = c
        elif name in columns.fields:
            issues.append(Issue(at, "duplicate-column", _(
                "column '{c}' repeats the field of column {first}; its values are ignored")
                .format(c=printable(text, 60), first=column_letter(columns.fields[name])),
                severity="warning"))
        else:
            columns.fields[name] = c
    return issues


def _examples(headers: Headers, type_id: str | None) -> str:
    if type_id is None:
        return "、".join(s.name or n for n, s in list(headers.plan.common_fields.items())[:6])
    rtype = headers.plan.types[type_id]
    specs = {**headers.plan.common_fields, **rtype.fields}
    return printable("、".join(s.name or n for n, s in list(specs.items())[:10]), 120)


def is_total(cells: list[Any]) -> bool:
    """Whether a row is a totals line (its first non-empty cell starts with 合计 …)."""
    first = next((c for c in cells if not _empty(c)), None)
    return isinstance(first, str) and first.strip().lower().startswith(TOTAL_WORDS)


def sheet_rows(grid: Grid, headers: Headers, friendly: Friendly, where: Where
               ) -> tuple[list[Row], list[Issue]]:
    """The rows of one sheet, and its problems; ``([], [])`` for a sheet with no header."""
    title_type = type_from_title(headers.plan, grid.title)
    columns = find_header(grid, headers, title_type) or (
        find_header(grid, headers, None) if title_type else None)
    if columns is None:
        return [], []
    issues = map_columns(grid, columns, headers, title_type, where)
    if columns.type_col is None and title_type is None:
        return [], [Issue(where, "unknown-type", _(
            "cannot tell which record type the sheet '{s}' holds").format(
            s=printable(grid.title, 60)), expected=_(
            "a sheet named after a record type (e.g. {t}) or a column '{col}'").format(
            t=printable(next(iter(headers.plan.types.values())).name, 40),
            col=_type_header(headers.plan)))]
    rows: list[Row] = []
    for r, cells in _body(grid, columns.header_row):
        row_where = Where(where.file, where.sheet, r + 1)
        row, problem = _row(cells, columns, title_type, headers, friendly, row_where)
        if problem is not None:
            issues.append(problem)
        if row is not None:
            rows.append(row)
    return rows, issues


def _type_header(plan: Plan) -> str:
    spec = plan.common_fields.get("type")
    return spec.name if spec is not None and spec.name else "type"


def _body(grid: Grid, header_row: int) -> Iterator[tuple[int, list[Any]]]:
    for r in range(header_row + 1, len(grid.rows)):
        cells = grid.rows[r]
        if all(_empty(c) for c in cells):
            continue
        if is_total(cells):
            return
        yield r, cells


def _cell(cells: list[Any], col: int) -> Any:
    value = cells[col] if col < len(cells) else None
    return None if _empty(value) else value


def _row(cells: list[Any], columns: Columns, title_type: str | None, headers: Headers,
         friendly: Friendly, where: Where) -> tuple[Row | None, Issue | None]:
    """One row's values, or the problem with its type."""
    type_id = title_type
    if columns.type_col is not None:
        raw = _cell(cells, columns.type_col)
        if raw is not None:
            rtype = headers.plan.type_of(normalise(str(raw)))
            if rtype is None:
                return None, Issue(where.at(columns.type_col), "unknown-type", _(
                    "unknown record type '{t}'").format(t=printable(pii.redact(str(raw)), 60)),
                    expected=_("one of the plan's types"))
            type_id = rtype.id
    if type_id is None:
        return None, Issue(where.at(columns.type_col), "missing-field", _(
            "the row names no record type"), expected=_("a record type in this column"))
    fields = {**headers.plan.common_fields, **headers.plan.types[type_id].fields}
    values: dict[str, Any] = {}
    used: dict[str, int] = {}
    for name, col in columns.fields.items():
        raw = _cell(cells, col)
        spec = fields.get(name)
        if spec is None:
            if raw is not None:
                return None, Issue(where.at(col), "unknown-field", _(
                    "this column is not a field of {t}").format(
                    t=printable(headers.plan.types[type_id].name, 40)), expected=_(
                    "leave the cell empty for this type"))
            continue
        values[name] = friendly.value(spec, raw)
        used[name] = col
    return Row(where, type_id, values, used), None
