"""An outcome as tables: rows of plain values and one column list with DuckDB types.

:func:`tables` turns one evaluation (:class:`~dianchang_cli.outcome.Outcome`) into
the tables of ``dc export``:

* ``results`` — one row per rule × unit × period: the rule, its item and section, the unit,
  the period, status and severity, actual and target, the rule's weight and the points the
  result costs (``score_contribution``: minus the weight for an unmet or late result);
* ``records`` — one row per valid record: id, type, unit, date, title, file and line, and
  the plan's common fields;
* ``record_<type id>`` — one per record type: the record's id, unit, date and title and the
  type's own fields, typed (dates as dates, lists as lists);
* ``meta`` — one row: plan id, title, issuer, subdistrict, as-of day, git commit, dc
  version, and the export time (the end of the as-of day, so exports are byte-stable).

Every row also carries the *envelope*: the table it belongs to, the plan id and year, the
subdistrict, the as-of day and the commit.  All tables share ONE column list
(:attr:`Tables.columns`): a column a table does not have is empty (null) in its rows.  That
is what lets DuckDB's ``read_parquet('DIR/**/*.parquet')``, which requires every file of a
glob to have the columns of the first one, read a whole export with no option; select a
table with ``WHERE "table" = 'results'``.  A type's field takes the field id as its column
name unless another table uses that name with another type: then it is ``<type>.<field>``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import FAILING

if TYPE_CHECKING:
    from ..outcome import Outcome
    from ..planfile.model import FieldSpec
    from ..planfile.plan import Plan
    from ..records.model import Record

ENVELOPE: tuple[tuple[str, str], ...] = (
    ("table", "VARCHAR"), ("plan_id", "VARCHAR"), ("plan_year", "INTEGER"),
    ("subdistrict", "VARCHAR"), ("subdistrict_name", "VARCHAR"), ("as_of", "DATE"),
    ("commit", "VARCHAR"))
RESULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rule", "VARCHAR"), ("rule_name", "VARCHAR"), ("item", "INTEGER"),
    ("item_title", "VARCHAR"), ("section", "VARCHAR"), ("section_title", "VARCHAR"),
    ("unit", "VARCHAR"), ("unit_name", "VARCHAR"), ("unit_kind", "VARCHAR"),
    ("period", "VARCHAR"), ("status", "VARCHAR"), ("severity", "VARCHAR"),
    ("actual", "DOUBLE"), ("actual_text", "VARCHAR"), ("target", "DOUBLE"),
    ("target_text", "VARCHAR"), ("weight", "DOUBLE"), ("score_contribution", "DOUBLE"),
    ("due", "DATE"), ("waived_by", "VARCHAR"))
RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "VARCHAR"), ("type", "VARCHAR"), ("type_name", "VARCHAR"), ("unit", "VARCHAR"),
    ("unit_name", "VARCHAR"), ("date", "DATE"), ("title", "VARCHAR"), ("file", "VARCHAR"),
    ("line", "INTEGER"))
META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("title", "VARCHAR"), ("issuer", "VARCHAR"), ("dc_version", "VARCHAR"),
    ("exported_at", "TIMESTAMP"), ("score_base", "DOUBLE"), ("records_total", "BIGINT"),
    ("results_total", "BIGINT"))

BIGINT_LIMIT = 2**63  # a BIGINT column holds integers strictly within ± this
_SCALAR = {"integer": "BIGINT", "number": "DOUBLE", "bool": "BOOLEAN", "date": "DATE",
           "datetime": "TIMESTAMPTZ"}


def duck_type(spec: FieldSpec) -> str:
    """The DuckDB type of a field: numbers, booleans, dates as themselves; lists as lists
    of their items' type; every other kind (text, enum, unit, staff, month …) as text."""
    if spec.type == "list":
        return _SCALAR.get(spec.items, "VARCHAR") + "[]"
    return _SCALAR.get(spec.type, "VARCHAR")


@dataclass
class Tables:
    """The tables of one export: ``rows[name]`` (dicts keyed by column name, in a stable
    order) and ``columns`` (name → DuckDB type, shared by every table), ``own[name]`` (the
    columns a table really has, for formats that write each table on its own)."""

    plan_id: str
    year: int
    columns: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    own: dict[str, list[str]] = field(default_factory=dict)


def _number(value: Any) -> float | None:
    """A finite number as a float; anything else (text, a list, NaN, a huge integer): None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def plain(value: Any, kind: str) -> Any:
    """A record value ready for a column of DuckDB type ``kind`` (JSON-friendly)."""
    if value is None:
        return None
    if kind.endswith("[]"):
        items = value if isinstance(value, list | tuple) else [value]
        return [plain(v, kind[:-2]) for v in items]
    if kind in ("DATE", "TIMESTAMPTZ"):
        return value.isoformat() if isinstance(value, dt.date) else None
    if kind == "BIGINT":
        whole = isinstance(value, int) and not isinstance(value, bool)
        return value if whole and -BIGINT_LIMIT < value < BIGINT_LIMIT else None
    if kind == "DOUBLE":
        return _number(value)
    if kind == "BOOLEAN":
        return value if isinstance(value, bool) else None
    return _text(value)


def envelope(outcome: Outcome, table: str) -> dict[str, Any]:
    """The columns every row carries."""
    plan = outcome.plan
    return {"table": table, "plan_id": plan.meta.id, "plan_year": plan.year,
            "subdistrict": plan.subdistrict,
            "subdistrict_name": plan.unit_name(plan.subdistrict),
            "as_of": outcome.as_of.isoformat(),
            "commit": str(outcome.provenance.get("commit") or "") or None}


def result_rows(outcome: Outcome) -> list[dict[str, Any]]:
    """One row per result, in the order of the evaluation."""
    plan = outcome.plan
    rules = {r.id: r for r in plan.rules}
    base = envelope(outcome, "results")
    out = []
    for res in outcome.results:
        rule = rules.get(res.rule)
        section = plan.section_of(rule) if rule else None
        item = plan.items.get(rule.item) if rule else None
        unit = plan.units.get(res.unit)
        weight = float(rule.weight) if rule and rule.weight else None
        cost = -(weight or 0.0) if res.status in FAILING else 0.0
        out.append({**base, "rule": res.rule,
                    "rule_name": rule.name if rule else None,
                    "item": rule.item if rule else None,
                    "item_title": item.title if item else None,
                    "section": section.id if section else None,
                    "section_title": section.title if section else None,
                    "unit": res.unit, "unit_name": plan.unit_name(res.unit),
                    "unit_kind": unit.kind if unit else None, "period": res.period,
                    "status": res.status, "severity": res.severity,
                    "actual": _number(res.actual), "actual_text": _text(res.actual),
                    "target": _number(res.target), "target_text": _text(res.target),
                    "weight": weight, "score_contribution": cost,
                    "due": res.due.isoformat() if res.due else None,
                    "waived_by": res.waiver})
    return out


def _common_columns(plan: Plan) -> dict[str, str]:
    core = {name for name, _ in RECORD_COLUMNS}
    return {name: duck_type(spec) for name, spec in plan.common_fields.items()
            if name not in core}


def record_rows(outcome: Outcome, records: list[Record], common: dict[str, str]
                ) -> list[dict[str, Any]]:
    """The common table: one row per valid record of ``records`` (sorted by id)."""
    plan = outcome.plan
    base = envelope(outcome, "records")
    out = []
    for rec in records:
        row = {**base, "id": rec.id, "type": rec.type,
               "type_name": plan.types[rec.type].name if rec.type in plan.types else None,
               "unit": rec.unit, "unit_name": plan.unit_name(rec.unit),
               "date": rec.date.isoformat() if rec.date else None, "title": rec.title,
               "file": rec.file, "line": rec.line}
        row.update({name: plain(rec.fields.get(name), kind) for name, kind in common.items()})
        out.append(row)
    return out


def type_columns(plan: Plan, taken: dict[str, str]) -> dict[str, dict[str, str]]:
    """type id → {field id → column name}; ``taken`` (name → type) gains the new columns.

    A field keeps its id as the column name unless that name already has another DuckDB
    type (in ``taken`` or in another record type): then it is ``<type>.<field>``.
    """
    kinds: dict[str, set[str]] = defaultdict(set)
    for rtype in plan.types.values():
        for name, spec in rtype.fields.items():
            kinds[name].add(duck_type(spec))
    out: dict[str, dict[str, str]] = {}
    for type_id in sorted(plan.types):
        names: dict[str, str] = {}
        for name, spec in plan.types[type_id].fields.items():
            kind = duck_type(spec)
            clash = len(kinds[name]) > 1 or taken.get(name, kind) != kind
            column = f"{type_id}.{name}" if clash else name
            taken[column] = kind
            names[name] = column
        out[type_id] = names
    return out


def typed_rows(outcome: Outcome, type_id: str, records: list[Record], names: dict[str, str],
               columns: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of table ``record_<type_id>``: the own fields of ``records`` (its records,
    sorted by id), typed."""
    base = envelope(outcome, f"record_{type_id}")
    out = []
    for rec in records:
        row = {**base, "id": rec.id, "unit": rec.unit,
               "date": rec.date.isoformat() if rec.date else None, "title": rec.title}
        row.update({col: plain(rec.fields.get(name), columns[col])
                    for name, col in names.items()})
        out.append(row)
    return out


def meta_row(outcome: Outcome, version: str) -> dict[str, Any]:
    """The one row of ``meta``; the export time is the end of the as-of day (stable)."""
    plan = outcome.plan
    end = dt.datetime.combine(outcome.as_of, dt.time(23, 59, 59))
    return {**envelope(outcome, "meta"), "title": plan.meta.title, "issuer": plan.meta.issuer,
            "dc_version": version, "exported_at": end.isoformat(),
            "score_base": float(plan.settings.score_base),
            "records_total": len(outcome.records), "results_total": len(outcome.results)}


def tables(outcome: Outcome, version: str) -> Tables:
    """Every table of the export of ``outcome`` (``version``: dc's version, for ``meta``)."""
    plan = outcome.plan
    out = Tables(plan.meta.id, plan.year)
    columns = dict(ENVELOPE)
    for part in (RESULT_COLUMNS, RECORD_COLUMNS, META_COLUMNS):
        columns.update(part)
    common = _common_columns(plan)
    columns.update(common)
    per_type = type_columns(plan, columns)
    out.columns = columns
    base = [n for n, _ in ENVELOPE]
    out.rows["meta"] = [meta_row(outcome, version)]
    out.own["meta"] = base + [n for n, _ in META_COLUMNS]
    out.rows["results"] = result_rows(outcome)
    out.own["results"] = base + [n for n, _ in RESULT_COLUMNS]
    records = sorted(outcome.records, key=lambda r: r.id)
    by_type: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        by_type[rec.type].append(rec)
    out.rows["records"] = record_rows(outcome, records, common)
    out.own["records"] = base + [n for n, _ in RECORD_COLUMNS] + list(common)
    for type_id, names in per_type.items():
        table = f"record_{type_id}"
        out.rows[table] = typed_rows(outcome, type_id, by_type[type_id], names, columns)
        out.own[table] = [*base, "id", "unit", "date", "title", *names.values()]
    return out
