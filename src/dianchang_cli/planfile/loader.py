"""Load ``plan/``: every YAML file, validated by pydantic, cross-checked, with positions.

All problems in all plan files are collected and raised together as one
:class:`~dianchang_cli.diagnostics.PlanError`; the CLI prints them and exits 2.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..diagnostics import PlanError, Problem
from ..engine.conditions import ConditionError, compile_condition
from ..i18n import _
from ..load.yamlsafe import load_bytes, locate
from .model import Festivals, Meta, PlanFile, Settings, Units
from .plan import Origin, Plan

UNITS_FILE = "units.yaml"
SKIP_DIRS = {"tests", "templates"}
PERIODS = {"month", "quarter", "half", "year", "festival"}
_WINDOW = re.compile(r"^window:(.+)$")


def plan_files(plan_dir: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under the plan folder except test cases and templates."""
    files = [p for p in plan_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
             and not SKIP_DIRS.intersection(p.relative_to(plan_dir).parts[:-1])]
    return sorted(files)


def _pydantic_problems(exc: ValidationError, file: str, node: Any,
                       prefix: tuple[str | int, ...] = ()) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = prefix + tuple(x for x in err["loc"] if not (isinstance(x, str) and "[" in x))
        line, col = locate(node, loc)
        where = ".".join(str(x) for x in loc)
        out.append(Problem(file, line, col, "plan-invalid", f"{where}: {err['msg']}"))
    return out


def _read(path: Path, shown: str, model: type, problems: list[Problem]) -> tuple[Any, Any]:
    loaded = load_bytes(path.read_bytes(), shown)
    if loaded.problem:
        problems.append(loaded.problem)
        return None, None
    try:
        return model.model_validate(loaded.value or {}), loaded.node
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, shown, loaded.node))
        return None, loaded.node


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
    if units_path.is_file():
        units, _node = _read(units_path, shown(units_path), Units, problems)
    else:
        problems.append(Problem(shown(units_path), 0, 0, "plan-missing",
                                _("units.yaml is missing"), expected=_("plan/units.yaml")))

    merged: dict[str, Any] = {"sections": [], "items": [], "windows": [], "record_types": [],
                              "rules": [], "common_fields": {}, "coverage": {}}
    singles: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    files = [p for p in plan_files(plan_dir) if p != units_path]
    for path in files:
        part, node = _read(path, shown(path), PlanFile, problems)
        if part is None:
            continue
        for key in ("sections", "items", "windows", "record_types", "rules"):
            entries = getattr(part, key)
            for i, entry in enumerate(entries):
                ident = getattr(entry, "id", getattr(entry, "number", i))
                line, col = locate(node, (key, i))
                origins.setdefault(f"{key}:{ident}", Origin(shown(path), line, col))
            merged[key].extend(entries)
        merged["common_fields"].update(part.common_fields)
        for item, entries in part.coverage.items():
            merged["coverage"].setdefault(item, []).extend(entries)
        for key in ("plan", "festivals", "waivers", "settings"):
            if getattr(part, key) is not None:
                if key in singles:
                    line, col = locate(node, (key,))
                    problems.append(Problem(shown(path), line, col, "plan-invalid",
                                            _("`{key}` is given in more than one plan file")
                                            .format(key=key)))
                singles[key] = getattr(part, key)
    if "plan" not in singles:
        problems.append(Problem(shown(plan_dir), 0, 0, "plan-missing",
                                _("no plan file gives `plan:` (id, title, year)")))
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
    if problems:
        raise PlanError(problems)
    return plan


def cross_check(plan: Plan, units: Units, merged: dict[str, Any], units_file: str) -> list[Problem]:
    """What pydantic cannot see alone: references between entries, and CEL that compiles."""
    out: list[Problem] = []

    def at(key: str, message: str, expected: str | None = None) -> None:
        o = plan.origins.get(key, Origin(units_file if key.startswith("unit") else "plan", 1))
        out.append(Problem(o.file, o.line, o.column, "plan-invalid", message, expected=expected))

    if plan.subdistrict not in plan.units:
        at("units", _("subdistrict '{id}' is not among the units").format(id=plan.subdistrict))
    for u in units.units:
        if u.parent and u.parent not in plan.units:
            at("units", _("unit '{u}' has unknown parent '{p}'").format(u=u.id, p=u.parent))
    for s in units.staff:
        if s.unit not in plan.units:
            at("units", _("staff '{s}' belongs to unknown unit '{u}'").format(s=s.id, u=s.unit))
    for kind in ("record_types", "rules"):
        seen: set[str] = set()
        for entry in merged[kind]:
            if entry.id in seen:
                at(f"{kind}:{entry.id}", _("'{id}' is defined twice").format(id=entry.id))
            seen.add(entry.id)
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
        for expr in (rule.select.where, rule.condition):
            if expr:
                try:
                    compile_condition(expr)
                except ConditionError as exc:
                    at(key, _("rule {r}: the condition does not compile: {e}")
                       .format(r=rule.id, e=exc), expected=_("a CEL expression"))
    rule_ids = {r.id for r in plan.rules}
    for item, entries in plan.coverage.items():
        for entry in entries:
            for rid in entry.rules:
                if rid not in rule_ids:
                    at("plan", _("coverage of item {i}: unknown rule '{r}'").format(i=item, r=rid))
    if plan.settings.ledger_types:
        for t in plan.settings.ledger_types:
            if t not in plan.types:
                at("plan", _("settings.ledger_types: unknown record type '{t}'").format(t=t))
    if plan.waivers and plan.waivers.type not in plan.types:
        at("plan", _("waivers: unknown record type '{t}'").format(t=plan.waivers.type))
    return out
