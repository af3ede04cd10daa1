"""The monthly volunteer-service ledger (志愿服务台账) as data: rows, subtotals and totals.

Every output format (Markdown, xlsx, PDF) renders the :class:`Ledger` built here; none of
them counts or sums anything itself, so the ledger is computed once, from the records.

Which record types are volunteer-service activities is the plan's business.  Until the plan
names them (a ``settings.ledger_types`` key is proposed), the default is computed generically
by :func:`default_types`: **every record type whose fields include both ``volunteers`` and
``service_hours`` as required fields** (the type's own ``fields`` or the plan's common fields
made required by the type).  ``dc ledger --type ID`` overrides the default.

Record text (titles, places, themes, file names, problem messages) is cut to a sensible
length and its control characters escaped here, once (:func:`~..report.clipping.clip`), so a
1 MB title cannot make the PDF or the workbook huge.

Columns are generic too: in Chinese a field's column is headed by the plan's name of the
field, and the derived columns (row number, evidence count, record file) by headers listed
in :data:`DERIVED`, so that ``dc import`` reads an xlsx ledger back as the records it came
from and ignores exactly those columns (:func:`derived_headers`).  A *theme* column appears
when a chosen type has a ``theme`` field, and a *platform number* column (the activity
number in the volunteer platform) when one has an ``app_order`` field.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..i18n import DEFAULT_LANG, DOMAIN, LOCALE_DIR, N_, _, is_chinese
from ..planfile.plan import Plan
from ..records.model import Record
from ..render.vocabulary import number_text
from ..report.clipping import MESSAGE_LIMIT, clip

if TYPE_CHECKING:
    from ..diagnostics import Problem
    from ..outcome import Outcome

THEME_FIELD = "theme"
PLATFORM_FIELD = "app_order"
REQUIRED_FIELDS = ("volunteers", "service_hours")
SUMMED = ("participants", "volunteers", "service_hours")  # the columns with a total
TOTALLED = ("activities", *SUMMED)  # the figures of a total line
PLACES = 2  # a number is shown to hundredths at most (``2.4999999`` → ``2.5``)
_MONTH = re.compile(r"^(\d{4})-(0?[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    """``"2023-04"`` → ``(2023, 4)``; a ValueError says what is expected."""
    match = _MONTH.match(text.strip())
    if not match:
        raise ValueError(_("write a month as YYYY-MM, e.g. 2023-04"))
    return int(match.group(1)), int(match.group(2))


def default_types(plan: Plan) -> list[str]:
    """The plan's ``settings.ledger_types``; failing that, record types with ``volunteers``
    and ``service_hours`` both required (plan order)."""
    if plan.settings.ledger_types:
        return list(plan.settings.ledger_types)
    return [tid for tid, rtype in plan.types.items()
            if all((spec := rtype.fields.get(name)) is not None and spec.required
                   for name in REQUIRED_FIELDS)]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """One activity.  A count is ``None`` when the record does not give it (shown blank,
    counted as 0 in the totals)."""

    index: int
    record: str
    file: str
    line: int
    date: dt.date
    unit: str
    unit_name: str
    group: str  # the unit whose subtotal this row counts toward (a branch → its community)
    title: str
    theme: str
    location: str
    participants: int | None
    volunteers: int | None
    service_hours: float | None
    evidence: int
    platform: str
    type_name: str = ""  # the record type's name (a column when the ledger has several)

    def value(self, key: str) -> Any:
        if key == "id":
            return self.record
        if key == "type":
            return self.type_name
        return self.unit_name if key == "unit" else getattr(self, key)

    def text(self, key: str) -> str:
        value = self.value(key)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float | int) and not isinstance(value, bool):
            return number_text(value, PLACES)
        return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Total:
    unit: str | None  # None: the whole ledger
    name: str
    activities: int
    participants: int
    volunteers: int
    service_hours: float

    def text(self, key: str) -> str:
        return number_text(getattr(self, key), PLACES)


@dataclass(frozen=True)
class Ledger:
    year: int
    month: int
    unit: str | None
    scope_name: str
    types: list[str]
    columns: list[Column]
    rows: list[Row]
    subtotals: list[Total]
    total: Total
    invalid: list[Problem]
    as_of: dt.date
    records: int
    commit: str | None
    dirty: bool | None
    font: str | None = None  # the plan's PDF font family (None: the bundled one)
    type_names: tuple[str, ...] = ()  # the plan's names of ``types``, same order
    id_label: str = "id"  # the header of the record-id column (the plan's name in Chinese)
    type_label: str = "type"  # the header of the type column (a ledger of several types)

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def month_label(self) -> str:
        return _("{year}-{month:02d}").format(year=self.year, month=self.month)

    @property
    def title(self) -> str:
        return _("{unit} New Era Civilization Practice volunteer service ledger · {month}").format(
            unit=self.scope_name, month=self.month_label)

    @property
    def provenance(self) -> str:
        """The data the ledger was made from: as-of day, record count, commit, dirty flag."""
        commit = self.commit[:7] if self.commit else _("unknown")
        if self.dirty is None:
            dirty = ""
        else:
            dirty = _(" (uncommitted changes)") if self.dirty else _(" (no uncommitted changes)")
        return _("As of {as_of}: {n} records; git commit {commit}{dirty}.").format(
            as_of=self.as_of.isoformat(), n=self.records, commit=commit, dirty=dirty)

    @property
    def footnote(self) -> str:
        return _("The national volunteer service information system (全国志愿服务信息系统) is "
                 "the official record of volunteers and service hours; this ledger is a working "
                 "copy made from the activity records, not a certificate.")


# the English headers of the columns that hold a record field (Chinese ledgers use the
# plan's field names); the other columns are derived
LABELS = {"date": N_("Date"), "unit": N_("Unit"), "title": N_("Activity"),
          "theme": N_("Theme"), "location": N_("Location"), "participants": N_("Participants"),
          "volunteers": N_("Volunteers"), "service_hours": N_("Service hours"),
          "platform": N_("Platform no."), "id": N_("Record id"), "type": N_("Record type")}
# column key → field id: the key itself, but for the two optional columns named above
FIELD_OF = {key: key for key in LABELS} | {"theme": THEME_FIELD, "platform": PLATFORM_FIELD}
# Derived columns: not fields, so ``dc import`` of a ledger ignores them by these headers
# (in English and in Chinese: see :func:`derived_headers`).
DERIVED = {"index": N_("No."), "evidence": N_("Evidence count"), "file": N_("Record file")}


def _spellings(message: str) -> set[str]:
    """``message`` in English, in the active language and in Chinese."""
    zh = gettext.translation(DOMAIN, LOCALE_DIR, languages=[DEFAULT_LANG], fallback=True)
    return {message, _(message), zh.gettext(message)}


def derived_headers() -> frozenset[str]:
    """The headers of the ledger's derived columns in every language dc speaks: what an
    import of a ledger workbook ignores without a warning."""
    return frozenset(h for m in DERIVED.values() for h in _spellings(m))


def field_headers() -> dict[str, str]:
    """Header → field id for the ledger's own field headers (English, and their
    translations): so a ledger written with ``--lang en`` imports back too.  The plan's
    spellings of a field come first; these only name what the plan does not."""
    return {h: FIELD_OF[key] for key, m in LABELS.items() for h in _spellings(m)}


def field_label(plan: Plan, types: Sequence[str], key: str) -> str:
    """A field column's header: in Chinese the plan's name of the field (so that the
    workbook imports back with ``dc import``), in English the ledger's own label."""
    english = _(LABELS[key])
    name = FIELD_OF[key]
    if not is_chinese():
        return english
    for spec in [*(plan.types[t].fields.get(name) for t in types if t in plan.types),
                 plan.common_fields.get(name)]:
        if spec is not None and spec.name:
            return spec.name
    return english


def _columns(plan: Plan, types: Sequence[str]) -> list[Column]:
    has = {name for t in types if t in plan.types for name in plan.types[t].fields}

    def col(key: str, numeric: bool = False) -> Column:
        return Column(key, field_label(plan, types, key), numeric)

    cols = [Column("index", _(DERIVED["index"])), col("date"), col("unit"), col("title")]
    if THEME_FIELD in has:
        cols.append(col("theme"))
    cols += [col("location"), col("participants", True), col("volunteers", True),
             col("service_hours", True), Column("evidence", _(DERIVED["evidence"]), True)]
    if PLATFORM_FIELD in has:
        cols.append(col("platform"))
    return cols


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return clip("、".join(str(v) for v in value[:100]))
    return clip(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _sum(rows: Iterable[Row], unit: str | None, name: str) -> Total:
    rows = list(rows)
    return Total(unit=unit, name=name, activities=len(rows),
                 participants=sum(r.participants or 0 for r in rows),
                 volunteers=sum(r.volunteers or 0 for r in rows),
                 service_hours=round(sum(r.service_hours or 0.0 for r in rows), 2))


def select(plan: Plan, records: Iterable[Record], year: int, month: int,
           types: Sequence[str], unit: str | None, as_of: dt.date) -> list[Record]:
    """The month's records of the ledger types (of ``unit`` and its branches) up to
    ``as_of``, sorted by date, then unit (in the plan's order), then title."""
    members = set(plan.members(unit)) if unit else None
    order = {uid: i for i, uid in enumerate(plan.units)}
    chosen = [r for r in records
              if r.type in types and r.date is not None and r.date <= as_of
              and (r.date.year, r.date.month) == (year, month)
              and (members is None or r.unit in members)]
    return sorted(chosen, key=lambda r: (r.date, order.get(r.unit, len(order)), r.unit,
                                         r.title, r.id))


def _row(plan: Plan, index: int, rec: Record) -> Row:
    hours = rec.get("service_hours")
    assert rec.date is not None
    return Row(index=index, record=clip(rec.id), file=clip(rec.file), line=rec.line,
               date=rec.date, unit=rec.unit, unit_name=clip(plan.unit_name(rec.unit)),
               group=plan.community_of(rec.unit) or rec.unit, title=clip(rec.title),
               theme=_text(rec.get(THEME_FIELD)), location=_text(rec.get("location")),
               participants=_int(rec.get("participants")),
               volunteers=_int(rec.get("volunteers")),
               service_hours=float(hours) if isinstance(hours, int | float)
               and not isinstance(hours, bool) else None,
               evidence=len(rec.get("evidence") or ()),
               platform=_text(rec.get(PLATFORM_FIELD)),
               type_name=clip(plan.types[rec.type].name if rec.type in plan.types
                              else rec.type))


def _shown(problem: Problem) -> Problem:
    """``problem`` with its file name and message cut for the ledger."""
    return replace(problem, file=clip(problem.file), code=clip(problem.code),
                   message=clip(problem.message, MESSAGE_LIMIT))


def build(outcome: Outcome, year: int, month: int, unit: str | None = None,
          types: Sequence[str] | None = None) -> Ledger:
    """The ledger of ``year-month`` for the whole subdistrict or one ``unit``."""
    plan = outcome.plan
    chosen_types = list(types) if types else default_types(plan)
    picked = select(plan, outcome.records, year, month, chosen_types, unit, outcome.as_of)
    rows = [_row(plan, i, rec) for i, rec in enumerate(picked, start=1)]
    subtotals: list[Total] = []
    if unit is None:
        groups = dict.fromkeys(u for u in plan.units if any(r.group == u for r in rows))
        groups.update(dict.fromkeys(r.group for r in rows))  # units unknown to the plan last
        subtotals = [_sum((r for r in rows if r.group == g), g, plan.unit_name(g))
                     for g in groups]
    scope = unit or plan.subdistrict
    commit = outcome.provenance.get("commit")
    dirty = outcome.provenance.get("dirty")
    return Ledger(year=year, month=month, unit=unit, scope_name=plan.unit_name(scope),
                  types=chosen_types, columns=_columns(plan, chosen_types), rows=rows,
                  subtotals=subtotals, total=_sum(rows, None, _("Total")),
                  invalid=[_shown(p) for p in outcome.problems if p.severity == "error"],
                  as_of=outcome.as_of, records=len(outcome.records),
                  commit=str(commit) if commit else None,
                  dirty=bool(dirty) if isinstance(dirty, bool) else None,
                  font=plan.settings.font,
                  type_names=tuple(plan.types[t].name if t in plan.types else t
                                   for t in chosen_types),
                  id_label=field_label(plan, chosen_types, "id"),
                  type_label=field_label(plan, chosen_types, "type"))
