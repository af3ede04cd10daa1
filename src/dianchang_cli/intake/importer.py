"""``dc import``: spreadsheet rows → what to do with each (new, changed, unchanged, a problem).

Hidden sheets are skipped (the value lists behind drop-downs live there), and so is every
sheet without a header (:mod:`.rows`).

:func:`prepare` decides everything and writes nothing (``--dry-run`` is :func:`prepare`
alone); :mod:`.apply` writes.  For each row (:mod:`.rows`):

1. ``--unit`` fills an empty unit; a row of another unit (not the unit nor one of its
   branches) is a problem at its unit cell.
2. Its id is the ``编号`` column (the common field ``id``, any spelling), else a stable id
   made from its content: ``<unit>-<yyyymmdd>-<8 hex>`` of a SHA-256 over type, unit, date
   and title (:func:`stable_id`), written into the new file — so importing the same sheet
   again finds every row's record and writes nothing.
3. The row becomes record text (:func:`.writer.render`, keys as ``--keys`` asks: the text
   that will be written) and goes through
   :func:`~..records.batch.validate_bytes`: the very validator of ``dc check``.  Each
   problem is placed at its cell (the field's column) or at the row.  No file is written for
   a bad row; ID-card and mobile numbers are masked by the validator, never echoed.
4. A row without an ``编号`` whose made id names no record may be a row corrected since it
   was imported (its name or date changed, so its id did too): it is taken as a change of
   the record imported earlier from the same workbook, sheet and row
   (:mod:`.provenance`), when that record has the same type and unit, the same date or
   the same name, and no row of this import makes its id any more — and only in a sheet
   whose other rows still make records imported from it (see :meth:`Importer._corrected`
   for a row that moved).
5. A row whose id names an existing record is compared with it, field by field, over the
   columns the sheet has: the same → *unchanged*; different → *changed* (which fields, old
   → new), written only with ``--update``.  For the comparison and the validation the row's
   values are laid over the existing record's, so a sheet with a few columns can update a
   few fields; an empty cell in a present column removes the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..diagnostics import Problem, printable
from ..i18n import _
from ..load.files import MAX_BYTES
from ..planfile.plan import Plan
from ..records.batch import validate_bytes
from ..records.model import Record
from ..records.validate import Validator
from .friendly import Friendly
from .links import Links
from .provenance import Source, of_file
from .rows import Headers, Issue, Row, Where, sheet_rows
from .sheets import Book, Grid
from .writer import KeyStyle, key_of, render

Kind = Literal["new", "changed", "unchanged"]
NOT_COMPARED = ("id", "type")  # the id finds the record; a type change is a problem


@dataclass(frozen=True)
class Change:
    """One field of an existing record that the row changes."""

    field: str
    old: Any
    new: Any
    label: str = ""  # the field's name in the plan (what the sheet's header says)


@dataclass
class Action:
    """What one valid row asks for."""

    kind: Kind
    where: Where
    record_id: str
    type_id: str
    unit: str
    day: dt.date | None
    values: dict[str, Any]  # the record's values to write (new) or the row's (changed)
    existing: Record | None = None
    changes: list[Change] = field(default_factory=list)
    path: Path | None = None  # the file written / to write / updated
    moved_from: Path | None = None  # an update's file before its date moved it (see apply)
    text: str = ""  # a new record's text as validated (keys as asked, no modeline)


@dataclass
class ImportResult:
    """Everything one import found: actions, problems, notes — nothing written yet."""

    actions: list[Action] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)

    def of(self, kind: Kind) -> list[Action]:
        return [a for a in self.actions if a.kind == kind]

    @property
    def bad_rows(self) -> int:
        """Rows (and sheets, files) with at least one error."""
        return len({(i.where.file, i.where.sheet, i.where.row) for i in self.issues
                    if i.severity == "error"})


def stable_id(type_id: str, unit: str, day: dt.date | None, title: Any) -> str:
    """``<unit>-<yyyymmdd>-<8 hex>``: the same row content gives the same id every time."""
    text = "\x1f".join([type_id, unit, day.isoformat() if day else "", str(title or "")])
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{unit}-{day:%Y%m%d}-{digest}" if day else f"{unit}-{digest}"


_MADE = re.compile(r".+-[0-9a-f]{8}")  # the shape of a stable_id


class Importer:
    """Decides what each row of some workbooks means for the repository; build once."""

    def __init__(self, plan: Plan, records: Iterable[Record], unit: str | None = None,
                 today: dt.date | None = None, keys: KeyStyle = "en",
                 root: Path | None = None) -> None:
        """``root``: the repository the records were read from (record files name their
        source there, :mod:`.provenance`); without it a corrected row is a new record."""
        self.plan = plan
        self.root = root
        self.keys = keys
        self.validator = Validator(plan, today)
        self.friendly = Friendly(plan, today)
        self.headers = Headers(plan, self.validator)
        self.links = Links(plan, records)  # the records to link to, by id and by name
        self.by_id = self.links.by_id
        self.unit = unit
        self.members = set(plan.members(unit)) if unit else set()
        self.seen: dict[str, Where] = {}
        self.made: set[str] = set()  # the id every row of this import makes (or names)
        self.corrected: set[str] = set()  # records a corrected row was taken for
        # per workbook and sheet, the type and values of each row whose made id names no
        # record
        self._new_rows: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
        # per type and unit, per workbook and sheet: the records imported from it
        self._sources: dict[tuple[str, str],
                            dict[tuple[str, str], list[tuple[Record, Source]]]] = {}
        spec = plan.common_fields.get("id")  # the column a row's own id goes in, as headed
        self._id_column = spec.name if spec is not None and spec.name else "id"

    def prepare(self, books: Sequence[Book]) -> ImportResult:
        """The actions and problems of every sheet of ``books``."""
        out = ImportResult()
        sheets: list[list[Row]] = []
        for book in books:
            out.files.append(book.name)
            out.notes.extend(book.notes)
            out.issues.extend(Issue(Where(book.name, s.sheet), s.code, s.message, s.expected)
                              for s in book.issues)
            for grid in book.grids:
                if not grid.hidden:  # hidden: the value lists behind drop-downs, not data
                    sheets.append(self._sheet(book, grid, out))
        # every id the rows make, first: a record one of them makes is no corrected row's
        self.made, self._new_rows = set(), {}
        identified: list[tuple[Row, dict[str, Any], str, bool]] = []
        for rows in sheets:
            for row in rows:
                values = self._with_unit(row)
                record_id, made = self._id_of(row, values)
                identified.append((row, values, record_id, made))
                self.made.add(record_id)
                where = Source.of(row.where)
                if made and record_id not in self.by_id and where is not None:
                    self._new_rows.setdefault((where.file, where.sheet), []).append(
                        (row.type_id, values))
        for row, values, record_id, made in identified:
            try:
                self._row(row, values, record_id, made, out)
            except Exception as exc:  # one odd row never stops the others
                out.issues.append(Issue(row.where, "unreadable", _(
                    "the row cannot be read: {error}").format(error=printable(str(exc), 160))))
        return out

    def _sheet(self, book: Book, grid: Grid, out: ImportResult) -> list[Row]:
        rows, issues = sheet_rows(grid, self.headers, self.friendly,
                                  Where(book.name, grid.title))
        out.issues.extend(issues)
        if rows:
            out.sheets.append(f"{book.name} › {grid.title}")
        return rows

    def _row(self, row: Row, values: dict[str, Any], made_id: str, made: bool,
             out: ImportResult) -> None:
        """One row (its ``values``, the unit filled in, and the id :meth:`_id_of` gave):
        its unit and id checked, then new, unchanged, changed or a problem."""
        problem = self._unit(row, values)
        if problem is None:
            record_id, problem = self._identify(row, values, made_id, made)
        if problem is not None:
            out.issues.append(problem)
            return
        existing = self.by_id.get(record_id)
        if existing is not None and all(_same(existing.fields.get(n), values.get(n))
                                        for n in row.columns if n not in NOT_COMPARED):
            # the cells hold the record's own values: nothing to validate or write
            out.actions.append(Action("unchanged", row.where, record_id, row.type_id,
                                      existing.unit, existing.date, values, existing,
                                      path=Path(existing.file)))
            return
        problem = self._references(row, values)
        if problem is not None:
            out.issues.append(problem)
            return
        merged = {**existing.fields, **values} if existing is not None else values
        record, text = self._validate(row, merged, record_id, out)
        if record is None:
            return
        action = Action("new", row.where, record_id, row.type_id, record.unit, record.date,
                        merged, existing, text=text)
        if existing is not None:
            action.changes = compare(row, record, existing, self.plan)
            action.kind = "changed" if action.changes else "unchanged"
            action.path = Path(existing.file)
            if action.changes and record_id in self.corrected:
                out.notes.append(_(
                    "{where}: its name or date changed since it was imported as {id}: shown "
                    "as a change of that record").format(where=row.where.text(),
                                                         id=printable(record_id, 80)))
        out.actions.append(action)

    def _with_unit(self, row: Row) -> dict[str, Any]:
        """The row's values, an empty unit filled from ``--unit``."""
        values = dict(row.values)
        if self.unit and values.get("unit") is None:
            values["unit"] = self.unit
        return values

    @staticmethod
    def _id_of(row: Row, values: dict[str, Any]) -> tuple[str, bool]:
        """The row's record id — its ``id`` cell, else :func:`stable_id` — and whether it
        was made (no id cell)."""
        record_id = values.get("id")
        if record_id is not None:
            return str(record_id), False
        day, unit = values.get("date"), values.get("unit")
        return stable_id(row.type_id, unit if isinstance(unit, str) else "",
                         day if isinstance(day, dt.date) else None, values.get("title")), True

    def _identify(self, row: Row, values: dict[str, Any], record_id: str, made: bool
                  ) -> tuple[str, Issue | None]:
        """The row's record id (``record_id`` as :meth:`_id_of` gave it, or the id of the
        record a corrected row was imported as, :meth:`_corrected`; set in ``values``), or
        the problem with it: used twice, or a record of another type."""
        if made and record_id not in self.by_id:
            earlier = self._corrected(row, values)
            if earlier is not None:
                record_id = earlier.id
                self.corrected.add(record_id)
        if made:
            values["id"] = record_id
        at = row.where.at(row.columns.get("id"))
        if record_id in self.seen:
            return record_id, Issue(at, "duplicate-id", _(
                "the id '{id}' is already used by {where}").format(
                id=printable(record_id, 80), where=self.seen[record_id].text()),
                expected=_("the two rows have the same type, unit, date and name: if both "
                           "are real, give one a '{id}' of its own, or a different name")
                .format(id=printable(self._id_column, 40))
                if made else _("each record once in an import"))
        self.seen[record_id] = row.where
        existing = self.by_id.get(record_id)
        if existing is not None and existing.type != row.type_id:
            rtype = self.plan.types.get(existing.type)
            return record_id, Issue(at, "bad-value", _(
                "the id '{id}' belongs to a record of another type ({t})").format(
                id=printable(record_id, 80), t=printable(rtype.name if rtype else
                                                         existing.type, 40)),
                expected=_("a new id, or the record's own type"))
        return record_id, None

    def _corrected(self, row: Row, values: dict[str, Any]) -> Record | None:
        """The record this row was imported as before its name or date was corrected.

        Only in a sheet that is recognisably the one imported before: some record imported
        from the same workbook and sheet (:mod:`.provenance`), of this type and unit, is
        made again by a row of this import (a workbook overwritten with next month's rows,
        where the same activities recur, matches nothing).  Then a record from that sheet,
        of the same type and unit, whose id no row of this import makes nor has claimed:
        the one from the same row, if it has the same date or the same name; else, when
        the row moved, the only one left with the same date, if this is the only new row
        of the sheet with that date.  (The same name on another row and another day is
        too weak a sign: that is how a recurring activity looks.)"""
        where = Source.of(row.where)
        if where is None or self.root is None:
            return None
        imported = self._imported(where, row.type_id, values.get("unit"))
        if not any(rec.id in self.made for rec, _source in imported):
            return None
        left = [(rec, source) for rec, source in imported
                if rec.id not in self.made and rec.id not in self.seen and _alike(rec, values)]
        same_row = [rec for rec, source in left if source.row == where.row]
        if len(same_row) == 1:
            return same_row[0]
        same_day = [rec for rec, _source in left if rec.date == values.get("date")]
        if same_row or len(same_day) != 1:
            return None
        [rec] = same_day
        rivals = sum(1 for type_id, other in self._new_rows.get((where.file, where.sheet), ())
                     if type_id == rec.type and other.get("unit") == rec.unit
                     and other.get("date") == rec.date)
        return rec if rivals == 1 else None

    def _imported(self, where: Source, type_id: str, unit: Any
                  ) -> list[tuple[Record, Source]]:
        """The records of ``type_id`` and ``unit`` with a made id that were imported from
        the workbook and sheet of ``where``, with their sources (files read once)."""
        key = (type_id, str(unit))
        if key not in self._sources:
            by_sheet: dict[tuple[str, str], list[tuple[Record, Source]]] = {}
            for rec in self.by_id.values():
                if rec.type == type_id and rec.unit == unit and _MADE.fullmatch(rec.id):
                    source = of_file(self.root / rec.file, self.root) if self.root else None
                    if source is not None:
                        by_sheet.setdefault((source.file, source.sheet), []).append(
                            (rec, source))
            self._sources[key] = by_sheet
        return self._sources[key].get((where.file, where.sheet), [])

    def _references(self, row: Row, values: dict[str, Any]) -> Issue | None:
        """Each field naming another record names one that exists, by its id or its name
        (:class:`~.links.Links`: the name becomes the id); else a problem at its cell."""
        dangling = self.links.resolve(row.type_id, values, also=self.seen)
        if dangling is None:
            return None
        return Issue(row.where.at(row.columns.get(dangling.field)), "unknown-record",
                     dangling.message, expected=dangling.expected)

    def _unit(self, row: Row, values: dict[str, Any]) -> Issue | None:
        """With ``--unit`` (filled in by :meth:`_with_unit`), a row of another unit is a
        problem."""
        if not self.unit:
            return None
        value = values.get("unit")
        if value in self.plan.units and value not in self.members:
            return Issue(row.where.at(row.columns.get("unit")), "other-unit", _(
                "this row belongs to {row_unit}, not to {unit} (--unit)").format(
                row_unit=printable(self.plan.unit_name(value), 60),
                unit=printable(self.plan.unit_name(self.unit), 60)),
                expected=_("rows of {unit} or its branches only").format(
                    unit=printable(self.plan.unit_name(self.unit), 60)))
        return None

    def _validate(self, row: Row, values: dict[str, Any], record_id: str,
                  out: ImportResult) -> tuple[Record | None, str]:
        """The record the values make and its text, or ``None`` with the problems placed
        at cells."""
        text = render(self.plan, row.type_id, values, self.keys)
        data = text.encode("utf-8")
        if len(data) > MAX_BYTES - 1024:  # room for the modeline
            out.issues.append(Issue(row.where, "too-large", _(
                "the row makes a record of {kb} KiB; dc check reads at most {limit} KiB")
                .format(kb=len(data) // 1024, limit=MAX_BYTES // 1024),
                expected=_("shorter texts; long material belongs in evidence files")))
            return None, text
        record, problems = validate_bytes(self.validator, data, row.where.text(), record_id)
        spellings = self.validator.schemas[row.type_id].keys
        out.issues.extend(placed(row, p, spellings) for p in problems)
        return record, text


def _alike(record: Record, values: dict[str, Any]) -> bool:
    """Whether a row's ``values`` keep the date or the name of ``record``."""
    return record.date == values.get("date") or record.title == values.get("title")


def placed(row: Row, problem: Problem, spellings: dict[str, str]) -> Issue:
    """A validator problem at the cell of the field it names (``path[0]``, the key as
    written, any spelling), else at the row."""
    key = problem.path[0] if problem.path else None
    name = spellings.get(key) if isinstance(key, str) else None
    col = row.columns.get(name) if name is not None else None
    return Issue(row.where.at(col), problem.code, problem.message, problem.expected,
                 problem.severity)


def compare(row: Row, record: Record, existing: Record, plan: Plan) -> list[Change]:
    """The fields of the sheet's columns whose values differ from the existing record."""
    changes: list[Change] = []
    for name in row.columns:
        if name in NOT_COMPARED:
            continue
        old, new = existing.fields.get(name), record.fields.get(name)
        if _same(old, new):
            continue
        changes.append(Change(name, old, row.values.get(name),
                              key_of(plan, row.type_id, name, "zh")))
    return changes


def _same(old: Any, new: Any) -> bool:
    """Equal typed values: a date-time is never the same as a bare date, nor a bool a 1."""
    if old in (None, "", []) and new in (None, "", []):
        return True
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if isinstance(old, dt.datetime) != isinstance(new, dt.datetime):
        return False
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
    return bool(old == new)
