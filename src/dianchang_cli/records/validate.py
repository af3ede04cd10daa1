"""One YAML value → a :class:`Record`, or the problems that keep it out of every count.

Checks, in order: it is a mapping; its type is known (by id or Chinese name); no unknown
field; every required field present; every value of the right form; references (unit, staff,
rule) exist; no resident ID-card or mobile number anywhere.  Record-to-record checks
(duplicate ids, references to other records) run once all files are read, in
:func:`cross_check`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode

from ..diagnostics import Problem
from ..i18n import _
from ..load.yamlsafe import locate, locate_value
from ..planfile.model import FieldSpec, RecordType
from ..planfile.plan import Plan
from . import pii
from .model import Record
from .values import READERS, BadValue

_DATED = {"event", "document"}


class TypeSchema:
    """A record type's fields merged with the common ones, prepared once per plan."""

    def __init__(self, plan: Plan, rtype: RecordType) -> None:
        self.type = rtype
        self.fields: dict[str, FieldSpec] = {**plan.common_fields, **rtype.fields}
        self.keys: dict[str, str] = {name: name for name in self.fields}
        for name, spec in self.fields.items():
            for alias in spec.aliases:
                self.keys[alias] = name
        self.required = [n for n, s in self.fields.items() if s.required]
        if rtype.kind in _DATED and "date" in self.fields and "date" not in self.required:
            self.required.append("date")
        self.pii_exempt = set(rtype.resident_names)


class Validator:
    """Validates records against one plan; build once, call for every file."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.schemas = {t.id: TypeSchema(plan, t) for t in plan.types.values()}
        self.rule_ids = {r.id for r in plan.rules}
        self._key_tuples: dict[tuple[str, ...], tuple[str, ...]] = {}

    def validate(self, value: Any, node: Node | None, file: str, default_id: str,
                 scan_pii: bool = True) -> tuple[Record | None, list[Problem]]:
        """One record, or the problems with it; ``scan_pii=False`` when the bytes cannot
        hold an ID-card or mobile number (no run of 11 digits)."""
        problems: list[Problem] = []

        def add(code: str, message: str, path: tuple[str | int, ...] = (),
                expected: str | None = None, on_value: bool = True) -> None:
            line, col = (locate_value if on_value else locate)(node, path)
            problems.append(Problem(file, line, col, code, message, expected=expected,
                                    record=default_id, path=path))

        if not isinstance(value, dict):
            add("bad-value", _("a record must be a mapping of fields"),
                expected=_("lines such as 'type: 阅读活动', 'unit: dongyuan', 'title: …'"))
            return None, problems
        type_name = value.get("type")
        schema = self.schemas.get(self.plan.type_names.get(type_name, "")) \
            if isinstance(type_name, str) else None
        exempt = schema.pii_exempt if schema else set()
        for path, kind in pii.scan(value) if scan_pii else ():
            if path and path[0] in exempt:
                continue
            what = _("a resident ID-card number") if kind == "id-card" else _("a mobile number")
            add("pii", _("field '{f}' holds {what}; records must not hold resident data")
                .format(f=".".join(map(str, path)), what=what), path,
                expected=_("remove it; records describe work, not people"))
        if schema is None:
            add("unknown-type" if "type" in value else "missing-field",
                _("unknown record type '{t}'").format(t=type_name) if "type" in value
                else _("the field 'type' is missing"), ("type",) if "type" in value else (),
                expected=_("one of the plan's types, e.g. {examples}").format(
                    examples="、".join(list(self.plan.type_names)[1:8:2])))
            return None, problems
        fields = self._fields(value, schema, add)
        if problems:
            return None, problems
        rtype = schema.type
        unit = fields["unit"]
        if rtype.unit_kinds and self.plan.units[unit].kind not in rtype.unit_kinds:
            add("bad-value", _("a {t} record belongs to a {k}, not to '{u}'").format(
                t=rtype.name, k="/".join(rtype.unit_kinds), u=unit), ("unit",))
            return None, problems
        date = fields.get("date")
        return Record(id=str(fields.get("id", default_id)), type=rtype.id, unit=unit,
                      date=date if isinstance(date, dt.date) else None,
                      title=fields.get("title", ""), fields=fields, file=file,
                      **self._key_lines(node, schema)), problems

    def _key_lines(self, node: Node | None, schema: TypeSchema) -> dict[str, tuple]:
        """``keys`` and ``key_lines`` of a record; equal key tuples are one shared object."""
        if not isinstance(node, MappingNode):
            return {}
        keys, lines = [], []
        for key, _value in node.value:
            name = schema.keys.get(key.value) if isinstance(key, ScalarNode) else None
            if name is not None:
                keys.append(name)
                lines.append(key.start_mark.line + 1)
        shared = self._key_tuples.setdefault(tuple(keys), tuple(keys))
        return {"keys": shared, "key_lines": tuple(lines)}

    def _fields(self, value: dict[str, Any], schema: TypeSchema, add: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        bad: set[str] = set()
        for key, raw in value.items():
            name = schema.keys.get(key) if isinstance(key, str) else None
            if name is None:
                add("unknown-field", _("unknown field '{f}' for type {t}").format(
                    f=key, t=schema.type.name), (key,),
                    expected=_("fields of {t}: {names}").format(
                        t=schema.type.name, names=", ".join(schema.fields)), on_value=False)
                continue
            if raw is None or raw == [] or raw == "":
                continue  # an empty value is the same as leaving the field out
            spec = schema.fields[name]
            try:
                out[name] = self._read(spec, raw)
            except BadValue as exc:
                bad.add(name)
                add("bad-value", _("field '{f}' has a bad value: {v!r}").format(f=key, v=raw),
                    (key,), expected=exc.expected)
            except _Unknown as unknown:
                bad.add(name)
                add(unknown.code, unknown.message, (key,), expected=unknown.expected)
        for name in schema.required:
            if name not in out and name not in bad:
                add("missing-field", _("the field '{f}' ({label}) is required for {t}").format(
                    f=name, label=schema.fields[name].name or name, t=schema.type.name),
                    expected=_("add '{f}: …'").format(f=name), on_value=False)
        for name, spec in schema.fields.items():
            if spec.default_month_of and name not in out:
                source = out.get(spec.default_month_of)
                if isinstance(source, dt.date):
                    out[name] = f"{source.year:04d}-{source.month:02d}"
        return out

    def _read(self, spec: FieldSpec, raw: Any) -> Any:
        if spec.type == "list":
            if not isinstance(raw, list):
                raw = [raw]
            return [self._scalar(spec.items, spec, item) for item in raw]
        return self._scalar(spec.type, spec, raw)

    def _scalar(self, kind: str, spec: FieldSpec, raw: Any) -> Any:
        value = READERS[kind](raw)
        if kind == "enum" and value not in (spec.values or ()):
            raise BadValue(_("one of: {values}").format(values="、".join(spec.values or ())))
        if spec.min is not None and isinstance(value, int | float) and value < spec.min:
            raise BadValue(_("at least {n}").format(n=_num(spec.min)))
        if kind == "unit" and value not in self.plan.units:
            raise _Unknown("unknown-unit", _("unknown unit '{u}'").format(u=value),
                           _("a unit id of plan/units.yaml, e.g. {e}").format(
                               e=", ".join(list(self.plan.units)[:3])))
        if kind == "staff" and value not in self.plan.staff:
            raise _Unknown("unknown-staff", _("unknown staff '{s}'").format(s=value),
                           _("a staff id of plan/units.yaml, e.g. {e}").format(
                               e=", ".join(list(self.plan.staff)[:3])))
        if kind == "rule" and value not in self.rule_ids:
            raise _Unknown("unknown-rule", _("unknown rule '{r}'").format(r=value),
                           _("a rule id of the plan (dc rules lists them)"))
        return value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class _Unknown(Exception):
    def __init__(self, code: str, message: str, expected: str) -> None:
        super().__init__(message)
        self.code, self.message, self.expected = code, message, expected


def cross_check(plan: Plan, records: Iterable[Record], references: bool = True
                ) -> tuple[list[Record], list[Problem]]:
    """Checks across records: unique ids, and (``references``) that references point somewhere.

    Returns the records that pass and the problems of those that do not.
    """
    records = list(records)
    problems: list[Problem] = []
    by_id: dict[str, Record] = {}
    bad: set[int] = set()
    for i, rec in enumerate(records):
        first = by_id.get(rec.id)
        if first is not None:
            problems.append(Problem(rec.file, 1, 1, "duplicate-id",
                                    _("record id '{id}' is also used by {other}").format(
                                        id=rec.id, other=first.file),
                                    expected=_("a unique 'id', or none (the file path is used)"),
                                    record=rec.id))
            bad.add(i)
        else:
            by_id[rec.id] = rec
    for i, rec in enumerate(records if references else ()):
        rtype = plan.types[rec.type]
        for name, spec in rtype.fields.items():
            if spec.type != "record" or name not in rec.fields:
                continue
            target = by_id.get(rec.fields[name])
            if target is None or (spec.to and target.type != spec.to):
                problems.append(Problem(rec.file, rec.line, 1, "unknown-record",
                                        _("field '{f}' points to '{v}', which is not a {t} record")
                                        .format(f=name, v=rec.fields[name],
                                                t=plan.types[spec.to].name if spec.to else ""),
                                        expected=_("the id of an existing record"),
                                        record=rec.id, path=(name,)))
                bad.add(i)
    return [r for i, r in enumerate(records) if i not in bad], problems
