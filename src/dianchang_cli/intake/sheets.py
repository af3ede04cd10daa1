"""Spreadsheets → plain grids of cell values, with bounded cost and no guessing.

A coordinator's ledger arrives as ``.xlsx`` (or ``.xlsm``, ``.xls``, ``.xlsb``, ``.ods``)
from Excel or WPS, or as a ``.csv`` that Excel on Chinese Windows wrote in GBK.
:func:`read` turns any of them into :class:`Grid` values — one per sheet, rows of raw cell
values (text, numbers, dates, date-times; ``""`` for an empty cell) — that
:mod:`.importer` maps to records.  Nothing here knows the plan.

- Workbooks are read by python-calamine.  A value merged over several rows (a date or a
  unit written once for a block of activities) is copied into each row it covers; a value
  merged across columns stays in its first column only, so a banner cannot fill several
  fields.
- A CSV is decoded as UTF-8 with a BOM, else strict UTF-8, else strict GB18030 (a superset
  of GBK); never with replacement characters.  When it was not UTF-8, :attr:`Book.notes`
  says which encoding was read.
- Bounds: a file over :data:`MAX_BYTES`, a sheet over :data:`MAX_ROWS` rows or
  :data:`MAX_COLUMNS` columns is a problem, read no further.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import printable
from ..i18n import _, os_reason

MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED = 400 * 1024 * 1024  # an .xlsx/.ods is a zip: what it may expand to
ZIPPED = (".xlsx", ".xlsm", ".xlsb", ".ods")
MAX_ROWS = 50_000
MAX_COLUMNS = 200
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
CSV_SUFFIXES = (".csv",)
SUFFIXES = WORKBOOK_SUFFIXES + CSV_SUFFIXES


@dataclass(frozen=True)
class Grid:
    """One sheet: its title, whether it is hidden, and its rows from cell A1 on.

    ``rows[r][c]`` is the value of the cell in row ``r + 1``, column ``c + 1``.
    """

    title: str
    rows: list[list[Any]]
    hidden: bool = False


@dataclass(frozen=True)
class SheetIssue:
    """A file or sheet that could not be read (whole, or a sheet of it): where and why."""

    sheet: str | None
    code: str
    message: str
    expected: str | None = None


@dataclass
class Book:
    """What :func:`read` found in one file."""

    name: str  # the file's name as shown to the user
    grids: list[Grid] = field(default_factory=list)
    issues: list[SheetIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """The Excel name of a cell from 0-based indexes: ``(6, 1)`` → ``B7``."""
    return f"{column_letter(col)}{row + 1}"


def read(path: Path, shown: str | None = None) -> Book:
    """Every sheet of the workbook or CSV at ``path``; problems are values in ``issues``."""
    book = Book(shown or path.name)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        book.issues.append(SheetIssue(None, "unknown-format", _(
            "cannot read files ending in '{suffix}'").format(suffix=printable(suffix or path.name)),
            expected=", ".join(SUFFIXES)))
        return book
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IsADirectoryError(str(path))
    except OSError as exc:
        book.issues.append(_unreadable(exc))
        return book
    if size > MAX_BYTES:
        book.issues.append(SheetIssue(None, "too-large", _(
            "the file is {mb:.1f} MiB; at most {limit} MiB is read").format(
            mb=size / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024),
            expected=_("split the workbook into smaller files")))
        return book
    if suffix in CSV_SUFFIXES:
        _read_csv(path, book)
    else:
        _read_workbook(path, book)
    return book


def _unreadable(exc: OSError) -> SheetIssue:
    return SheetIssue(None, "unreadable", _("cannot read the file: {error}").format(
        error=printable(os_reason(exc))))


# ------------------------------------------------------------------ CSV
def decode(data: bytes) -> tuple[str | None, str]:
    """The text of CSV bytes and the encoding that read them, or ``(None, "")``: a UTF-8
    BOM, else strict UTF-8, else strict GB18030; never a replacement character."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            return None, ""
    for encoding, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    return None, ""


def _read_csv(path: Path, book: Book) -> None:
    try:
        data = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        book.issues.append(_unreadable(exc))
        return
    text, encoding = decode(data)
    if text is None:
        book.issues.append(SheetIssue(None, "bad-encoding", _(
            "the file is neither UTF-8 nor GBK/GB18030 text"),
            expected=_("save the CSV as 'CSV UTF-8' or open it in Excel and save as .xlsx")))
        return
    if encoding != "UTF-8":
        book.notes.append(_("{file} was read as {encoding} (the encoding Excel uses for CSV "
                            "on Chinese Windows)").format(file=book.name, encoding=encoding))
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if len(rows) >= MAX_ROWS or len(row) > MAX_COLUMNS:
                book.issues.append(_too_big(path.stem, len(row) > MAX_COLUMNS))
                return
            rows.append(list(row))
    except csv.Error as exc:
        book.issues.append(SheetIssue(path.stem, "bad-csv", _("the CSV cannot be read: {error}")
                                      .format(error=printable(str(exc)))))
        return
    book.grids.append(Grid(path.stem, rows))


def _too_big(sheet: str, columns: bool) -> SheetIssue:
    if columns:
        return SheetIssue(sheet, "too-large", _("the sheet has more than {n} columns").format(
            n=MAX_COLUMNS), expected=_("a ledger with at most {n} columns").format(
            n=MAX_COLUMNS))
    return SheetIssue(sheet, "too-large", _("the sheet has more than {n} rows").format(
        n=MAX_ROWS), expected=_("split it into sheets of at most {n} rows").format(n=MAX_ROWS))


# ------------------------------------------------------------------ workbooks
def _unzipped_size(path: Path) -> int:
    """What a zipped workbook's parts add up to, read from its directory (nothing is
    expanded); 0 when it is not a zip (calamine then says what is wrong)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return 0


def _read_workbook(path: Path, book: Book) -> None:
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() in ZIPPED and _unzipped_size(path) > MAX_UNZIPPED:
        book.issues.append(SheetIssue(None, "too-large", _(
            "the workbook expands to more than {limit} MiB").format(
            limit=MAX_UNZIPPED // 1024 // 1024),
            expected=_("split the workbook into smaller files")))
        return
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        metas = list(workbook.sheets_metadata)
    except Exception as exc:  # calamine raises its own errors, and OSError, for bad files
        book.issues.append(SheetIssue(None, "unreadable", _(
            "the workbook cannot be read: {error}").format(error=printable(str(exc), 160)),
            expected=_("an .xlsx, .xls or .ods file saved by Excel, WPS or LibreOffice")))
        return
    try:
        for index, meta in enumerate(metas):
            grid = _grid(workbook, index, meta, book)
            if grid is not None:
                book.grids.append(grid)
    finally:
        workbook.close()


def _grid(workbook: Any, index: int, meta: Any, book: Book) -> Grid | None:
    """One sheet as a :class:`Grid`, or ``None`` (a chart sheet, a sheet too big)."""
    title = str(meta.name)
    hidden = not str(meta.visible).endswith(".Visible")  # Hidden, VeryHidden
    try:
        sheet = workbook.get_sheet_by_index(index)
        if sheet.total_width > MAX_COLUMNS or sheet.total_height > MAX_ROWS:
            book.issues.append(_too_big(title, sheet.total_width > MAX_COLUMNS))
            return None
        rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
        merged = sheet.merged_cell_ranges or []
    except Exception as exc:  # a chart sheet, a damaged sheet
        if hidden:
            return None
        book.issues.append(SheetIssue(title, "unreadable", _(
            "the sheet cannot be read: {error}").format(error=printable(str(exc), 160))))
        return None
    _fill_merged(rows, merged)
    return Grid(title, [[_plain(c) for c in row] for row in rows], hidden)


def _plain(cell: Any) -> Any:
    """A cell value a record can hold: a time of day or a duration becomes its text
    (``10:05``); text, numbers, booleans, dates and date-times stay as they are."""
    if isinstance(cell, dt.time):
        return cell.strftime("%H:%M:%S" if cell.second else "%H:%M")
    if isinstance(cell, dt.timedelta):
        return str(cell)
    return cell


def _fill_merged(rows: list[list[Any]], merged: list[Any]) -> None:
    """Copy each merged range's value down its first column (see the module's note)."""
    for (top, left), (bottom, _right) in merged:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top + 1, min(bottom, len(rows) - 1) + 1):
            if left < len(rows[r]) and rows[r][left] in ("", None):
                rows[r][left] = value
