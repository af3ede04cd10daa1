"""Load ``plan/``: every YAML file, validated by pydantic, cross-checked, with positions.

All problems in all plan files are collected and raised together as one
:class:`~dianchang_cli.diagnostics.PlanError`; the CLI prints them and exits 2.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..diagnostics import PlanError, Problem, printable
from ..engine.conditions import (
    Condition,
    ConditionError,
    ConditionFailed,
    MissingValue,
    compile_condition,
    cost_problems,
    day_end,
    day_start,
)
from ..engine.periods import plan_problems
from ..i18n import _
from ..load.files import MAX_BYTES, Unreadable, read_limited
from ..load.yamlsafe import load_bytes, locate, locate_value
from ..records.values import TZ
from .model import Festivals, FieldSpec, Meta, PlanFile, Rule, Settings, Units
from .plan import Origin, Plan

UNITS_FILE = "units.yaml"
SKIP_DIRS = {"tests", "templates"}
PERIODS = {"month", "quarter", "half", "year", "festival"}
_WINDOW = re.compile(r"^window:(.+)$")


def plan_files(plan_dir: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under the plan folder except test cases and templates.

    Symlinked folders are not followed (their files are not the plan's), and nothing is
    opened here: a name ending in ``.yaml`` that is a FIFO, a device, a folder or a symlink
    is listed all the same, so reading it reports why it is not read.
    """
    found: list[Path] = []
    for folder, dirs, names in os.walk(plan_dir, followlinks=False):
        here = Path(folder)
        rel = here.relative_to(plan_dir).parts
        if SKIP_DIRS.intersection(rel):
            dirs[:] = []
            continue
        dirs.sort()
        found.extend(here / n for n in (*names, *dirs) if Path(n).suffix in (".yaml", ".yml"))
    return sorted(found)


def _pydantic_problems(exc: ValidationError, file: str, node: Any,
                       prefix: tuple[str | int, ...] = ()) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = prefix + tuple(x for x in err["loc"] if not (isinstance(x, str) and "[" in x))
        line, col = locate(node, loc)
        where = ".".join(str(x) for x in loc)
        out.append(Problem(file, line, col, "plan-invalid", f"{where}: {err['msg']}"))
    return out


def _read(path: Path, shown: str, model: type, problems: list[Problem],
          root: Path | None = None) -> tuple[Any, Any]:
    """One plan file, read with bounded cost and validated by ``model``."""
    try:
        data = read_limited(path, root, MAX_BYTES)
    except Unreadable as exc:
        problems.append(Problem(shown, 0, 0, exc.code, exc.message, expected=exc.expected))
        return None, None
    loaded = load_bytes(data, shown)
    if loaded.problem:
        problems.append(loaded.problem)
        return None, None
    hidden = _control_characters(loaded.node, shown)
    if hidden:
        problems.extend(hidden)
        return None, loaded.node
    try:
        return model.model_validate(loaded.value or {}), loaded.node
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, shown, loaded.node))
        return None, loaded.node


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _control_characters(node: Any, shown: str) -> list[Problem]:
    """Plan text goes into every output (terminal tables, XML, PDF): a control character or
    a bidi override in it (an ESC that recolours a terminal, text that reads backwards) is
    refused where it stands.  Line breaks and tabs are allowed."""
    out: list[Problem] = []
    stack = [node] if node is not None else []
    while stack and len(out) < 20:
        current = stack.pop()
        if isinstance(current, ScalarNode):
            found = _CONTROL.search(current.value)
            if found:
                line, col = current.start_mark.line + 1, current.start_mark.column + 1
                out.append(Problem(shown, line, col, "plan-invalid", _(
                    "the text {text} holds a control character ({char})").format(
                        text=printable(current.value, 60), char=printable(found.group())),
                    expected=_("plain text: letters, digits, punctuation, line breaks")))
        elif isinstance(current, MappingNode):
            for key, value in reversed(current.value):
                stack.extend((value, key))
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.value))
    return out


def load_plan(plan_dir: Path, root: Path | None = None) -> Plan:
    """Read and check a plan folder; raise :class:`PlanError` listing every problem."""
    root = root or plan_dir.parent
    problems: list[Problem] = []

    def shown(p: Path) -> str:
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return p.as_posix()

    if not plan_dir.is_dir():
        raise PlanError([Problem(shown(plan_dir), 0, 0, "plan-missing",
                                 _("the plan folder does not exist"),
                                 expected=_("a plan/ folder with units.yaml and the rules"))])
    units_path = plan_dir / UNITS_FILE
    units: Units | None = None
    units_node: Any = None
    if os.path.lexists(units_path):
        units, units_node = _read(units_path, shown(units_path), Units, problems, root)
    else:
        problems.append(Problem(shown(units_path), 0, 0, "plan-missing",
                                _("units.yaml is missing"), expected=_("plan/units.yaml")))

    merged: dict[str, Any] = {"sections": [], "items": [], "windows": [], "record_types": [],
                              "rules": [], "common_fields": {}, "coverage": {}}
    singles: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    files = [p for p in plan_files(plan_dir) if p != units_path]
    for path in files:
        part, node = _read(path, shown(path), PlanFile, problems, root)
        if part is None:
            continue
        for key in ("sections", "items", "windows", "record_types", "rules"):
            entries = getattr(part, key)
            for i, entry in enumerate(entries):
                ident = getattr(entry, "id", getattr(entry, "number", i))
                line, col = locate(node, (key, i))
                first = origins.setdefault(f"{key}:{ident}", Origin(shown(path), line, col))
                if first != Origin(shown(path), line, col):
                    problems.append(Problem(shown(path), line, col, "plan-invalid", _(
                        "'{id}' is defined twice (first at {where})").format(
                        id=printable(ident), where=f"{first.file}:{first.line}")))
                if key == "rules":
                    for which, sub in (("condition", ("condition",)),
                                       ("where", ("select", "where"))):
                        at_expr = Origin(shown(path), *locate_value(node, (key, i, *sub)))
                        origins.setdefault(f"rules:{ident}.{which}", at_expr)
                    for j in range(len(entry.checks or ())):
                        at_check = Origin(shown(path), *locate_value(
                            node, (key, i, "checks", j, "condition")))
                        origins.setdefault(f"rules:{ident}.checks[{j}]", at_check)
                if key == "record_types":
                    for name, spec in entry.fields.items():
                        if spec.not_before is not None:
                            at_field = Origin(shown(path), *locate_value(
                                node, (key, i, "fields", name, "not_before")))
                            origins.setdefault(f"record_types:{ident}.{name}", at_field)
            merged[key].extend(entries)
        merged["common_fields"].update(part.common_fields)
        for name, spec in part.common_fields.items():
            if spec.not_before is not None:
                line, col = locate_value(node, ("common_fields", name, "not_before"))
                origins.setdefault(f"common_fields.{name}", Origin(shown(path), line, col))
        for item, entries in part.coverage.items():
            merged["coverage"].setdefault(item, []).extend(entries)
            line, col = locate(node, ("coverage", item))
            origins.setdefault(f"coverage:{item}", Origin(shown(path), line, col))
        for key in ("plan", "festivals", "waivers", "settings"):
            if getattr(part, key) is not None:
                for sub in ((), ("type",), ("ledger_types",), ("approver",),
                            ("approver_roles",)):
                    line, col = locate(node, (key, *sub))
                    origins.setdefault(".".join((key, *sub)), Origin(shown(path), line, col))
                if key in singles:
                    line, col = locate(node, (key,))
                    problems.append(Problem(shown(path), line, col, "plan-invalid",
                                            _("`{key}` is given in more than one plan file")
                                            .format(key=key)))
                singles[key] = getattr(part, key)
    if "plan" not in singles and not problems:  # else it may be in a file that failed
        problems.append(Problem(shown(plan_dir), 0, 0, "plan-missing",
                                _("no plan file gives `plan:` (id, title, year)")))
    if units is not None:
        problems.extend(check_units(units, units_node, shown(units_path)))
    if problems or units is None:
        raise PlanError(problems)

    meta: Meta = singles["plan"]
    plan = Plan(
        meta=meta,
        subdistrict=units.subdistrict,
        units={u.id: u for u in units.units},
        staff={s.id: s for s in units.staff},
        common_fields=merged["common_fields"],
        types={t.id: t for t in merged["record_types"]},
        type_names={},
        rules=merged["rules"],
        sections=merged["sections"],
        items={i.number: i for i in merged["items"]},
        windows={w.id: w for w in merged["windows"]},
        festivals=singles.get("festivals") or Festivals(),
        waivers=singles.get("waivers"),
        settings=singles.get("settings") or Settings(),
        coverage=merged["coverage"],
        origins=origins,
        files=[shown(p) for p in files],
    )
    for t in merged["record_types"]:
        plan.type_names[t.id] = t.id
        plan.type_names[t.name] = t.id
    problems.extend(cross_check(plan, units, merged, shown(units_path)))
    problems.extend(plan_problems(plan))
    if problems:
        raise PlanError(problems)
    return plan


def check_units(units: Units, node: Any, file: str) -> list[Problem]:
    """The organisation is a tree: subdistrict → communities → branches, ids unique.

    Each problem is reported at the line of the entry that causes it.  A duplicate unit id
    is reported once, at the duplicate; references to units are then not checked, since a
    mistyped id makes every reference to the unit it was meant to be look unknown.
    """
    out: list[Problem] = []

    def at(path: tuple[str | int, ...], message: str, expected: str | None = None,
           value: bool = False) -> None:
        line, col = (locate_value if value else locate)(node, path)
        out.append(Problem(file, line, col, "plan-invalid", message, expected=expected))

    by_id: dict[str, Any] = {}
    for i, u in enumerate(units.units):
        if u.id in by_id:
            first = locate(node, ("units", units.units.index(by_id[u.id])))[0]
            at(("units", i, "id"), _("unit id '{u}' is used twice (first on line {first})")
               .format(u=printable(u.id), first=first), expected=_("each unit id once"),
               value=True)
            continue
        by_id[u.id] = u
    seen_staff: dict[str, int] = {}
    for i, s in enumerate(units.staff):
        if s.id in seen_staff:
            first = locate(node, ("staff", seen_staff[s.id]))[0]
            at(("staff", i, "id"), _("staff id '{s}' is used twice (first on line {first})")
               .format(s=printable(s.id), first=first), expected=_("each staff id once"),
               value=True)
        else:
            seen_staff[s.id] = i
    if len(by_id) < len(units.units):
        return out
    top = by_id.get(units.subdistrict)
    if top is None:
        at(("subdistrict",), _("subdistrict '{id}' is not among the units")
           .format(id=printable(units.subdistrict)), value=True)
    elif top.kind != "subdistrict":
        at(("subdistrict",), _("unit '{id}' is not of kind subdistrict")
           .format(id=printable(units.subdistrict)), value=True)
    in_cycle: set[str] = set()
    for i, u in enumerate(units.units):
        where = ("units", i, "parent")
        parent = by_id.get(u.parent) if u.parent else None
        if u.parent and parent is None:
            at(where, _("unit '{u}' has unknown parent '{p}'").format(
                u=printable(u.id), p=printable(u.parent)), expected=", ".join(by_id), value=True)
            continue
        if u.id not in in_cycle:
            chain, cur = [u.id], parent
            while cur is not None and cur.id not in chain and cur.parent:
                chain.append(cur.id)
                cur = by_id.get(cur.parent)
            if cur is not None and cur.id == u.id:  # reported at the cycle's first unit
                in_cycle.update(chain)
                at(where, _("units form a cycle of parents: {c}").format(
                    c=" → ".join(printable(x) for x in [*chain, u.id])),
                   expected=_("communities belong to the subdistrict, branches to a community"),
                   value=True)
        if u.id in in_cycle:
            continue
        if u.kind == "subdistrict" and u.parent:
            at(where, _("the subdistrict '{u}' cannot have a parent").format(u=printable(u.id)),
               value=True)
        elif u.kind == "community" and u.parent and u.parent != units.subdistrict:
            at(where, _("community '{u}' must belong to the subdistrict '{s}', not '{p}'").format(
                u=printable(u.id), s=printable(units.subdistrict), p=printable(u.parent)),
               value=True)
        elif u.kind == "branch" and (parent is None or parent.kind != "community"):
            at(where if u.parent else ("units", i), _(
                "branch '{u}' must belong to a community (its `parent`)").format(
                u=printable(u.id)), expected=", ".join(
                x.id for x in units.units if x.kind == "community"), value=bool(u.parent))
    for i, s in enumerate(units.staff):
        if s.unit not in by_id:
            at(("staff", i, "unit"), _("staff '{s}' belongs to unknown unit '{u}'").format(
                s=printable(s.id), u=printable(s.unit)), value=True)
    return out


def cross_check(plan: Plan, units: Units, merged: dict[str, Any], units_file: str) -> list[Problem]:
    """What pydantic cannot see alone: references between entries, and CEL that compiles."""
    out: list[Problem] = []

    def at(key: str, message: str, expected: str | None = None) -> None:
        o = plan.origins.get(key) or plan.origins.get(key.split(".")[0]) \
            or Origin(units_file if key.startswith("unit") else "plan", 0, 0)
        out.append(Problem(o.file, o.line, o.column, "plan-invalid", message, expected=expected))

    for rule in plan.rules:
        key = f"rules:{rule.id}"
        for t in rule.select.types:
            if t not in plan.types:
                at(key, _("rule {r}: unknown record type '{t}'").format(r=rule.id, t=t),
                   expected=", ".join(plan.types))
        period = rule.period
        window = _WINDOW.match(period)
        if window and window.group(1) not in plan.windows:
            at(key, _("rule {r}: unknown window '{w}'").format(r=rule.id, w=window.group(1)))
        elif not window and period not in PERIODS:
            at(key, _("rule {r}: unknown period '{p}'").format(r=rule.id, p=period),
               expected="month, quarter, half, year, festival, window:<id>")
        if rule.kind == "coverage" and rule.values is None:
            spec = next((plan.field_spec(t, rule.field or "") for t in rule.select.types), None)
            if spec is None or not spec.values:
                at(key, _("rule {r}: field '{f}' has no enum values to cover; give `values`")
                   .format(r=rule.id, f=rule.field))
        if rule.item not in plan.items and plan.items:
            at(key, _("rule {r}: item {i} is not in the plan's items").format(
                r=rule.id, i=rule.item))
        expressions = [("where", rule.select.where), ("condition", rule.condition),
                       *((f"checks[{j}]", check.condition)
                         for j, check in enumerate(rule.checks or ()))]
        for which, expr in expressions:
            if expr:
                for message, expected in check_expression(plan, rule, which, expr):
                    at(f"{key}.{which}", message, expected)
    rule_ids = {r.id for r in plan.rules}
    for item, entries in plan.coverage.items():
        for entry in entries:
            for rid in entry.rules:
                if rid not in rule_ids:
                    at(f"coverage:{item}", _("coverage of item {i}: unknown rule '{r}'")
                       .format(i=item, r=rid))
    if plan.settings.ledger_types:
        for t in plan.settings.ledger_types:
            if t not in plan.types:
                at("settings.ledger_types",
                   _("settings.ledger_types: unknown record type '{t}'").format(t=t))
    if plan.waivers and plan.waivers.type not in plan.types:
        at("waivers.type", _("waivers: unknown record type '{t}'").format(t=plan.waivers.type))
    elif plan.waivers:
        _check_approver_field(plan, at)
    for key, message in _not_before_problems(plan):
        at(key, message, _("the name of a date or date-time field of the same record type, "
                           "of the same kind"))
    return out


def _check_approver_field(plan: Plan, at: Any) -> None:
    """``waivers.approver`` names a staff field of the waiver type.  Left at its default
    (``approved_by``) on a type without that field, waivers are not checked for an approver
    (a plan written before approvers existed keeps working); named, or with
    ``approver_roles``, the field must be there."""
    spec = plan.waivers
    assert spec is not None
    field = plan.field_spec(spec.type, spec.approver)
    asked = bool({"approver", "approver_roles"} & spec.model_fields_set)
    where = "waivers.approver" if "approver" in spec.model_fields_set \
        else "waivers.approver_roles" if "approver_roles" in spec.model_fields_set \
        else "waivers.type"
    if field is None and asked:
        at(where, _("waivers: the record type {t} has no field '{f}' naming the approver")
           .format(t=spec.type, f=printable(spec.approver)),
           expected=_("a field of type staff, e.g. approved_by: {{type: staff, required: "
                      "true}}"))
    elif field is not None and field.type != "staff":
        at(where, _("waivers: the approver field '{f}' is of type {k}, not staff").format(
            f=printable(spec.approver), k=field.type),
           expected=_("a field of type staff, e.g. approved_by: {{type: staff, required: "
                      "true}}"))


def _not_before_problems(plan: Plan) -> list[tuple[str, str]]:
    """``not_before`` names another date (or date-time) field of the same record type,
    and is written on a field of that same kind: a date may not be earlier than a date."""
    out: list[tuple[str, str]] = []

    def one(key: str, name: str, spec: FieldSpec, fields: dict[str, FieldSpec]) -> None:
        other = fields.get(spec.not_before or "")
        if spec.type not in ("date", "datetime"):
            out.append((key, _("field {f}: `not_before` is for date and date-time fields, "
                               "not {k}").format(f=printable(name), k=spec.type)))
        elif other is None or spec.not_before == name:
            out.append((key, _("field {f}: `not_before` names '{o}', which is not another "
                               "field of the record type").format(
                f=printable(name), o=printable(spec.not_before))))
        elif other.type != spec.type:
            out.append((key, _("field {f} ({k}) cannot be compared with {o} ({ok}): "
                               "`not_before` needs two fields of the same kind").format(
                f=printable(name), k=spec.type, o=printable(spec.not_before), ok=other.type)))

    for name, spec in plan.common_fields.items():
        if spec.not_before is not None:
            one(f"common_fields.{name}", name, spec, plan.common_fields)
    for rtype in plan.types.values():
        fields = {**plan.common_fields, **rtype.fields}
        for name, spec in rtype.fields.items():
            if spec.not_before is not None:
                one(f"record_types:{rtype.id}.{name}", name, spec, fields)
    return out


# ---------------------------------------------------------------- conditions
BUILT_IN_FIELDS = ("id", "type", "unit", "date")  # every record has them in CEL
EXAMPLE_BUDGET = 1.0  # seconds the examples of one expression may take at load
MAX_ENUM_EXAMPLES = 20  # values of one enum field tried


def check_expression(plan: Plan, rule: Rule, which: str, source: str
                     ) -> list[tuple[str, str | None]]:
    """What is wrong with a rule's ``condition`` or ``where``, before any record is seen.

    The CEL binding cannot check types against declared variables, so the expression is
    checked by example: it is evaluated on records of each selected type built from the
    declared fields (typical values of each field's kind, each optional field left out in
    turn, each enum value in turn).  Reading a field a record does not have is normal (that
    record simply fails the condition); any other failure, or a result that is not true or
    false, is the plan's.  Before that: it must compile, not be too expensive
    (:func:`~dianchang_cli.engine.conditions.cost_problems`), and name only fields that
    the selected types declare.
    """
    head = _("rule {r}, `{w}`: ").format(r=rule.id, w=which)
    try:
        cond = compile_condition(source)
    except ConditionError as exc:
        return [(head + _("the condition does not compile: {e}").format(e=exc),
                 _("a CEL expression"))]
    costly = cost_problems(source)
    if costly:
        return [(head + m, _("a simpler condition")) for m in costly]
    types = [plan.types[t] for t in rule.select.types if t in plan.types]
    if not types:
        return []
    fields = {t.id: {**plan.common_fields, **t.fields} for t in types}
    if cond.r_fields is not None and not any(t.extra_fields for t in types):
        known = set(BUILT_IN_FIELDS).union(*(f.keys() for f in fields.values()))
        unknown = [f for f in cond.r_fields if f not in known]
        if unknown:
            return [(head + _("no selected record type has the field {f}").format(
                f=", ".join(printable(f) for f in unknown)),
                _("fields of {t}: {names}").format(
                    t=", ".join(t.id for t in types), names=", ".join(sorted(known))))]
    return _try_examples(plan, cond, head, fields)


def _try_examples(plan: Plan, cond: Condition, head: str,
                  fields: dict[str, dict[str, FieldSpec]]) -> list[tuple[str, str | None]]:
    from ..engine.context import plan_globals  # the engine imports the plan package

    year = _example_year(plan)
    period_day = dt.date(year, 6, 1)
    activation: dict[str, Any] = {
        **plan_globals(plan, dt.date(year, 12, 31)),
        "period": {"label": f"{year:04d}-06", "name": "示例", "start": day_start(period_day),
                   "end": day_end(dt.date(year, 6, 30))},
    }
    expected = _("true or false for every record; guard optional fields with has(r.field)")
    start = time.perf_counter()
    for type_id, specs in fields.items():
        for example in _examples(plan, type_id, specs, cond.r_fields):
            try:
                cond.test({**activation, "r": example})
            except MissingValue:
                pass
            except ConditionFailed as exc:
                shown = {k: example[k] for k in (cond.r_fields or ()) if k in example}
                return [(head + _("fails on a {t} record such as {ex}: {e}").format(
                    t=type_id, ex=printable(shown), e=exc), expected)]
            if time.perf_counter() - start > EXAMPLE_BUDGET:
                return [(head + _("takes too long to evaluate"), _("a simpler condition"))]
    return []


def _examples(plan: Plan, type_id: str, specs: dict[str, FieldSpec],
              reads: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """Records of one type to try an expression on: every field with a typical value, then
    each field the expression reads left out (if optional) or given another value."""
    rtype = plan.types[type_id]
    unit_kind = (rtype.unit_kinds or ["community"])[0]
    unit = next((u.id for u in plan.units.values() if u.kind == unit_kind), plan.subdistrict)
    base: dict[str, Any] = {name: _typical(plan, spec, 0) for name, spec in specs.items()}
    base.update(id="example", type=type_id, unit=unit, date=dt.date(_example_year(plan), 6, 1))
    out = [base]
    for name in reads if reads is not None else list(specs):
        spec = specs.get(name)
        if spec is None:
            continue
        if not spec.required and not (name == "date" and rtype.kind != "registry"):
            out.append({k: v for k, v in base.items() if k != name})
        kind = spec.items if spec.type == "list" else spec.type
        if kind == "enum" or kind == "bool":
            count = min(len(spec.values or ()), MAX_ENUM_EXAMPLES) if kind == "enum" else 2
            out.extend({**base, name: _typical(plan, spec, i)} for i in range(1, count))
    return out


def _example_year(plan: Plan) -> int:
    """The plan year, or a year near it that dates can hold (a bad year is reported apart)."""
    return min(max(plan.year, 1900), 2999)


def _typical(plan: Plan, spec: FieldSpec, variant: int) -> Any:
    """A typical value of a field (``variant`` picks another enum value or ``false``)."""
    def one(kind: str) -> Any:
        year = _example_year(plan)
        match kind:
            case "integer":
                return 1
            case "number":
                return 1.5
            case "bool":
                return variant == 0
            case "date":
                return dt.date(year, 6, 1)
            case "datetime":
                return dt.datetime(year, 6, 1, 10, 0, tzinfo=TZ)
            case "month" | "period":
                return f"{year:04d}-06"
            case "enum":
                values = spec.values or ["示例"]
                return values[variant % len(values)]
            case "staff":
                return next(iter(plan.staff), "staff")
            case "unit":
                return next((u.id for u in plan.units.values() if u.kind == "community"),
                            plan.subdistrict)
            case "rule":
                return plan.rules[0].id if plan.rules else "rule"
            case "url":
                return "https://example.org/evidence.jpg"
            case _:
                return "示例"

    return [one(spec.items)] if spec.type == "list" else one(spec.type)
