"""Read ``plan/``: every YAML file, validated by pydantic, cross-checked, with positions.

This is the plan stage alone: files → models → one :class:`~.plan.Plan` with the origin
(file, line) of every entry, the units tree checked and the references between entries
followed.  What needs the engine (conditions that compile and type-check, periods,
festivals and windows that can be built) is checked by
:mod:`dianchang_cli.engine.plancheck`, whose ``load_plan`` is the loader callers use; it
hands its checks to :func:`load_plan` here, so every problem is still found in one pass
and raised together as one :class:`~dianchang_cli.diagnostics.PlanError` (the CLI prints
them and exits 2).

The checks are lists of small functions, each returning the problems it finds:
:data:`RULE_CHECKS` (one rule at a time), :data:`PLAN_CHECKS` (the plan as a whole) and
:data:`UNIT_CHECKS` (the organisation tree).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..diagnostics import PlanError, Problem, printable
from ..i18n import _
from ..load.files import MAX_BYTES, Unreadable, read_limited
from ..load.yamlsafe import load_bytes, locate, locate_value
from .errors import placed_errors
from .model import (
    Festivals,
    FieldSpec,
    Meta,
    PlanFile,
    Rule,
    Settings,
    Unit,
    Units,
)
from .plan import Origin, Plan

UNITS_FILE = "units.yaml"
SKIP_DIRS = {"tests", "templates"}
PERIODS = {"month", "quarter", "half", "year", "festival"}
_WINDOW = re.compile(r"^window:(.+)$")

RuleCheck = Callable[[Plan, Rule], list[Problem]]
PlanCheck = Callable[[Plan], list[Problem]]


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
    return [Problem(file, line, col, "plan-invalid", said)
            for line, col, said in placed_errors(exc, node, prefix)]


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


def load_plan(plan_dir: Path, root: Path | None = None, *,
              rule_checks: Sequence[RuleCheck] = (),
              plan_checks: Sequence[PlanCheck] = ()) -> Plan:
    """Read and check a plan folder; raise :class:`PlanError` listing every problem.

    Alone, this checks what the plan stage can see.  Callers want
    :func:`dianchang_cli.engine.plancheck.load_plan`, which passes the engine's checks as
    ``rule_checks`` (run on each rule after :data:`RULE_CHECKS`) and ``plan_checks`` (run
    last), so the problems come in one order: each rule's together, then the plan's.
    """
    plan = _Reading(plan_dir, root or plan_dir.parent).plan()
    problems = cross_check(plan, rule_checks)
    for check in plan_checks:
        problems.extend(check(plan))
    if problems:
        raise PlanError(problems)
    return plan


ENTRY_KEYS = ("sections", "items", "windows", "record_types", "rules")  # lists, merged
SINGLE_KEYS = ("plan", "festivals", "waivers", "settings")  # given in one file only
_SINGLE_SUBKEYS = ((), ("type",), ("ledger_types",), ("approver",), ("approver_roles",),
                   ("rule",), ("unit",), ("period",))


@dataclass
class _Reading:
    """One plan folder being read: the entries merged so far, their origins, the problems."""

    plan_dir: Path
    root: Path
    problems: list[Problem] = field(default_factory=list)
    merged: dict[str, Any] = field(default_factory=lambda: {
        **{key: [] for key in ENTRY_KEYS}, "common_fields": {}, "coverage": {}})
    singles: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)

    def shown(self, p: Path) -> str:
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()

    def plan(self) -> Plan:
        """Every file read and merged; raises :class:`PlanError` when one cannot be read
        or validated, when no file gives ``plan:``, or when the units are not a tree."""
        if not self.plan_dir.is_dir():
            raise PlanError([Problem(self.shown(self.plan_dir), 0, 0, "plan-missing",
                                     _("the plan folder does not exist"),
                                     expected=_("a plan/ folder with units.yaml and the rules"))])
        units_path = self.plan_dir / UNITS_FILE
        units, units_node = self._units(units_path)
        files = [p for p in plan_files(self.plan_dir) if p != units_path]
        for path in files:
            part, node = _read(path, self.shown(path), PlanFile, self.problems, self.root)
            if part is not None:
                self._add(part, node, self.shown(path))
        if "plan" not in self.singles and not self.problems:  # else it may be in a failed file
            self.problems.append(Problem(self.shown(self.plan_dir), 0, 0, "plan-missing",
                                         _("no plan file gives `plan:` (id, title, year)")))
        if units is not None:
            self.problems.extend(check_units(units, units_node, self.shown(units_path)))
        if self.problems or units is None:
            raise PlanError(self.problems)
        return self._build(units, files)

    def _units(self, units_path: Path) -> tuple[Units | None, Any]:
        if os.path.lexists(units_path):
            return _read(units_path, self.shown(units_path), Units, self.problems, self.root)
        self.problems.append(Problem(self.shown(units_path), 0, 0, "plan-missing",
                                     _("units.yaml is missing"), expected=_("plan/units.yaml")))
        return None, None

    def _add(self, part: PlanFile, node: Any, file: str) -> None:
        """One file's entries merged in, each with the place it was written."""
        for key in ENTRY_KEYS:
            self._entries(key, getattr(part, key), node, file)
        self.merged["common_fields"].update(part.common_fields)
        for name in part.common_fields:
            self.origins.setdefault(f"common_fields:{name}", Origin(file, *locate(
                node, ("common_fields", name))))
        self._field_origins("common_fields", part.common_fields, node, ("common_fields",),
                            file)
        for item, entries in part.coverage.items():
            self.merged["coverage"].setdefault(item, []).extend(entries)
            self.origins.setdefault(f"coverage:{item}",
                                    Origin(file, *locate(node, ("coverage", item))))
        self._singles(part, node, file)

    def _entries(self, key: str, entries: list[Any], node: Any, file: str) -> None:
        for i, entry in enumerate(entries):
            ident = getattr(entry, "id", getattr(entry, "number", i))
            here = Origin(file, *locate(node, (key, i)))
            first = self.origins.setdefault(f"{key}:{ident}", here)
            if first != here:
                self.problems.append(Problem(file, here.line, here.column, "plan-invalid", _(
                    "'{id}' is defined twice (first at {where})").format(
                    id=printable(ident), where=f"{first.file}:{first.line}")))
            if key == "rules":
                self._rule_origins(entry, ident, node, (key, i), file)
            if key == "record_types":
                self._field_origins(f"record_types:{ident}", entry.fields, node,
                                    (key, i, "fields"), file)
                if entry.resident_names:
                    self.origins.setdefault(f"record_types:{ident}.resident_names", Origin(
                        file, *locate_value(node, (key, i, "resident_names"))))
        self.merged[key].extend(entries)

    def _field_origins(self, owner: str, fields: dict[str, FieldSpec], node: Any,
                       at: tuple[str | int, ...], file: str) -> None:
        """Where each field's ``not_before`` (``<owner>.<field>``) and each setting naming
        another type or field (``<owner>.<field>.<setting>``, :data:`_REFERRING`) is written:
        the plan checks point there."""
        for name, spec in fields.items():
            if spec.not_before is not None:
                self.origins.setdefault(f"{owner}.{name}", Origin(file, *locate_value(
                    node, (*at, name, "not_before"))))
            for attr in _REFERRING:
                if getattr(spec, attr) is not None:
                    self.origins.setdefault(f"{owner}.{name}.{attr}", Origin(
                        file, *locate_value(node, (*at, name, attr))))

    def _rule_origins(self, rule: Rule, ident: str, node: Any, at: tuple[str | int, ...],
                      file: str) -> None:
        """Where a rule's condition, where-filter and each check's condition are written."""
        for which, sub in (("condition", ("condition",)), ("where", ("select", "where"))):
            self.origins.setdefault(f"rules:{ident}.{which}",
                                    Origin(file, *locate_value(node, (*at, *sub))))
        for j in range(len(rule.checks or ())):
            self.origins.setdefault(f"rules:{ident}.checks[{j}]", Origin(
                file, *locate_value(node, (*at, "checks", j, "condition"))))

    def _singles(self, part: PlanFile, node: Any, file: str) -> None:
        for key in SINGLE_KEYS:
            if getattr(part, key) is None:
                continue
            for sub in _SINGLE_SUBKEYS:
                self.origins.setdefault(".".join((key, *sub)),
                                        Origin(file, *locate(node, (key, *sub))))
            if key in self.singles:
                line, col = locate(node, (key,))
                self.problems.append(Problem(file, line, col, "plan-invalid",
                                             _("`{key}` is given in more than one plan file")
                                             .format(key=key)))
            self.singles[key] = getattr(part, key)

    def _build(self, units: Units, files: list[Path]) -> Plan:
        meta: Meta = self.singles["plan"]
        merged = self.merged
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
            festivals=self.singles.get("festivals") or Festivals(),
            waivers=self.singles.get("waivers"),
            settings=self.singles.get("settings") or Settings(),
            coverage=merged["coverage"],
            origins=self.origins,
            files=[self.shown(p) for p in files],
        )
        for t in merged["record_types"]:
            plan.type_names[t.id] = t.id
            plan.type_names[t.name] = t.id
        return plan


# ---------------------------------------------------------------- the units tree
@dataclass(frozen=True)
class _UnitsFile:
    """units.yaml as read: its model, its YAML node (for lines) and its name as shown."""

    units: Units
    node: Any
    file: str

    def at(self, path: tuple[str | int, ...], message: str, expected: str | None = None,
           value: bool = False) -> Problem:
        line, col = (locate_value if value else locate)(self.node, path)
        return Problem(self.file, line, col, "plan-invalid", message, expected=expected)


def check_units(units: Units, node: Any, file: str) -> list[Problem]:
    """The organisation is a tree: subdistrict → communities → branches, ids unique.

    Each problem is reported at the line of the entry that causes it.  A duplicate unit id
    is reported once, at the duplicate; references to units are then not checked, since a
    mistyped id makes every reference to the unit it was meant to be look unknown.
    """
    src = _UnitsFile(units, node, file)
    out = _duplicate_units(src) + _duplicate_staff(src)
    by_id: dict[str, Unit] = {}
    for u in units.units:
        by_id.setdefault(u.id, u)
    if len(by_id) < len(units.units):
        return out
    for check in UNIT_CHECKS:
        out.extend(check(src, by_id))
    return out


def _repeats(ids: Iterable[str]) -> list[tuple[int, int]]:
    """``(index, index of the first entry with that id)`` for each id seen before."""
    first: dict[str, int] = {}
    out: list[tuple[int, int]] = []
    for i, ident in enumerate(ids):
        if ident in first:
            out.append((i, first[ident]))
        else:
            first[ident] = i
    return out


def _duplicate_ids(src: _UnitsFile, key: str, entries: Sequence[Any], message: str,
                   expected: str) -> list[Problem]:
    """Each id of ``units.yaml``'s ``key`` list given a second time, at its own line."""
    return [src.at((key, i, "id"), message.format(id=printable(entries[i].id),
                                                   first=locate(src.node, (key, j))[0]),
                   expected=expected, value=True)
            for i, j in _repeats(e.id for e in entries)]


def _duplicate_units(src: _UnitsFile) -> list[Problem]:
    return _duplicate_ids(src, "units", src.units.units,
                          _("unit id '{id}' is used twice (first on line {first})"),
                          _("each unit id once"))


def _duplicate_staff(src: _UnitsFile) -> list[Problem]:
    return _duplicate_ids(src, "staff", src.units.staff,
                          _("staff id '{id}' is used twice (first on line {first})"),
                          _("each staff id once"))


def _subdistrict_problems(src: _UnitsFile, by_id: dict[str, Unit]) -> list[Problem]:
    top = by_id.get(src.units.subdistrict)
    if top is None:
        return [src.at(("subdistrict",), _("subdistrict '{id}' is not among the units")
                       .format(id=printable(src.units.subdistrict)), value=True)]
    if top.kind != "subdistrict":
        return [src.at(("subdistrict",), _("unit '{id}' is not of kind subdistrict")
                       .format(id=printable(src.units.subdistrict)), value=True)]
    return []


def _parent_problems(src: _UnitsFile, by_id: dict[str, Unit]) -> list[Problem]:
    """Each unit's parent: known, not in a cycle (reported once, at its first unit), and
    of the right kind."""
    out: list[Problem] = []
    in_cycle: set[str] = set()
    for i, u in enumerate(src.units.units):
        where = ("units", i, "parent")
        parent = by_id.get(u.parent) if u.parent else None
        if u.parent and parent is None:
            out.append(src.at(where, _("unit '{u}' has unknown parent '{p}'").format(
                u=printable(u.id), p=printable(u.parent)), expected=", ".join(by_id),
                value=True))
            continue
        cycle = None if u.id in in_cycle else _cycle_from(u, parent, by_id)
        if cycle:
            in_cycle.update(cycle)
            out.append(src.at(where, _("units form a cycle of parents: {c}").format(
                c=" → ".join(printable(x) for x in [*cycle, u.id])),
                expected=_("communities belong to the subdistrict, branches to a community"),
                value=True))
        if u.id not in in_cycle:
            out.extend(_placement_problems(src, i, u, parent))
    return out


def _cycle_from(u: Unit, parent: Unit | None, by_id: dict[str, Unit]) -> list[str] | None:
    """The units on the way up from ``u`` when the way leads back to it, else ``None``."""
    chain, cur = [u.id], parent
    while cur is not None and cur.id not in chain and cur.parent:
        chain.append(cur.id)
        cur = by_id.get(cur.parent)
    return chain if cur is not None and cur.id == u.id else None


def _placement_problems(src: _UnitsFile, i: int, u: Unit, parent: Unit | None
                        ) -> list[Problem]:
    """A subdistrict has no parent, a community belongs to the subdistrict, a branch to a
    community."""
    where = ("units", i, "parent")
    subdistrict = src.units.subdistrict
    if u.kind == "subdistrict" and u.parent:
        return [src.at(where, _("the subdistrict '{u}' cannot have a parent").format(
            u=printable(u.id)), value=True)]
    if u.kind == "community" and u.parent and u.parent != subdistrict:
        return [src.at(where, _(
            "community '{u}' must belong to the subdistrict '{s}', not '{p}'").format(
            u=printable(u.id), s=printable(subdistrict), p=printable(u.parent)), value=True)]
    if u.kind == "branch" and (parent is None or parent.kind != "community"):
        return [src.at(where if u.parent else ("units", i), _(
            "branch '{u}' must belong to a community (its `parent`)").format(
            u=printable(u.id)), expected=", ".join(
            x.id for x in src.units.units if x.kind == "community"), value=bool(u.parent))]
    return []


def _staff_unit_problems(src: _UnitsFile, by_id: dict[str, Unit]) -> list[Problem]:
    return [src.at(("staff", i, "unit"), _("staff '{s}' belongs to unknown unit '{u}'").format(
        s=printable(s.id), u=printable(s.unit)), value=True)
        for i, s in enumerate(src.units.staff) if s.unit not in by_id]


UNIT_CHECKS: tuple[Callable[[_UnitsFile, dict[str, Unit]], list[Problem]], ...] = (
    _subdistrict_problems, _parent_problems, _staff_unit_problems)


# ---------------------------------------------------------------- references
def cross_check(plan: Plan, rule_checks: Sequence[RuleCheck] = ()) -> list[Problem]:
    """What pydantic cannot see alone: the references between entries.

    :data:`RULE_CHECKS`, then ``rule_checks`` (the engine's), on each rule in turn; then
    :data:`PLAN_CHECKS` on the plan as a whole.
    """
    out: list[Problem] = []
    for rule in plan.rules:
        for check in (*RULE_CHECKS, *rule_checks):
            out.extend(check(plan, rule))
    for plan_check in PLAN_CHECKS:
        out.extend(plan_check(plan))
    return out


def _rule_types(plan: Plan, rule: Rule) -> list[Problem]:
    return [plan.problem_at(f"rules:{rule.id}", _("rule {r}: unknown record type '{t}'")
                            .format(r=rule.id, t=t), expected=", ".join(plan.types))
            for t in rule.select.types if t not in plan.types]


def _rule_period(plan: Plan, rule: Rule) -> list[Problem]:
    window = _WINDOW.match(rule.period)
    if window and window.group(1) not in plan.windows:
        return [plan.problem_at(f"rules:{rule.id}", _("rule {r}: unknown window '{w}'")
                                .format(r=rule.id, w=window.group(1)))]
    if not window and rule.period not in PERIODS:
        return [plan.problem_at(f"rules:{rule.id}", _("rule {r}: unknown period '{p}'")
                                .format(r=rule.id, p=rule.period),
                                expected="month, quarter, half, year, festival, window:<id>")]
    return []


def _rule_item(plan: Plan, rule: Rule) -> list[Problem]:
    if rule.item not in plan.items and plan.items:
        return [plan.problem_at(f"rules:{rule.id}", _(
            "rule {r}: item {i} is not in the plan's items").format(r=rule.id, i=rule.item))]
    return []


RULE_CHECKS: tuple[RuleCheck, ...] = (_rule_types, _rule_period, _rule_item)


def _coverage_rules(plan: Plan) -> list[Problem]:
    rule_ids = {r.id for r in plan.rules}
    return [plan.problem_at(f"coverage:{item}", _("coverage of item {i}: unknown rule '{r}'")
                            .format(i=item, r=rid))
            for item, entries in plan.coverage.items()
            for entry in entries for rid in entry.rules if rid not in rule_ids]


def _ledger_types(plan: Plan) -> list[Problem]:
    return [plan.problem_at("settings.ledger_types", _(
        "settings.ledger_types: unknown record type '{t}'").format(t=t))
        for t in plan.settings.ledger_types or () if t not in plan.types]


def _waiver_type(plan: Plan) -> list[Problem]:
    """The waiver record type exists; then its approver field is checked."""
    if plan.waivers and plan.waivers.type not in plan.types:
        return [plan.problem_at("waivers.type", _("waivers: unknown record type '{t}'")
                                .format(t=plan.waivers.type))]
    return _approver_field(plan) if plan.waivers else []


def _approver_field(plan: Plan) -> list[Problem]:
    """``waivers.approver`` names a staff field of the waiver type.  Left at its default
    (``approved_by``) on a type without that field, waivers are not checked for an approver
    (a plan written before approvers existed keeps working); named, or with
    ``approver_roles``, the field must be there."""
    spec = plan.waivers
    assert spec is not None
    named = plan.field_spec(spec.type, spec.approver)
    asked = bool({"approver", "approver_roles"} & spec.model_fields_set)
    where = "waivers.approver" if "approver" in spec.model_fields_set \
        else "waivers.approver_roles" if "approver_roles" in spec.model_fields_set \
        else "waivers.type"
    if named is None and asked:
        return [plan.problem_at(where, _(
            "waivers: the record type {t} has no field '{f}' naming the approver")
            .format(t=spec.type, f=printable(spec.approver)),
            expected=_("a field of type staff, e.g. approved_by: {{type: staff, required: "
                       "true}}").format())]
    if named is not None and named.type != "staff":
        return [plan.problem_at(where, _(
            "waivers: the approver field '{f}' is of type {k}, not staff").format(
            f=printable(spec.approver), k=named.type),
            expected=_("a field of type staff, e.g. approved_by: {{type: staff, required: "
                       "true}}").format())]
    return []


def _not_before(plan: Plan) -> list[Problem]:
    expected = _("the name of a date or date-time field of the same record type, "
                 "of the same kind")
    return [plan.problem_at(key, message, expected)
            for key, message in _not_before_problems(plan)]


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
        fields = plan.fields_of(rtype.id)
        for name, spec in rtype.fields.items():
            if spec.not_before is not None:
                one(f"record_types:{rtype.id}.{name}", name, spec, fields)
    return out


def _key_clashes(plan: Plan) -> list[Problem]:
    """No key may name two fields of one record type: a record may write each field under
    its id, its Chinese ``name`` or an alias (common fields included), so ``名称`` as the
    name of a type's own field would make ``名称: …`` mean two things."""
    out: list[Problem] = []
    for rtype in plan.types.values():
        owner: dict[str, str] = {}
        for name, spec in plan.fields_of(rtype.id).items():
            for key in spec.spellings(name):
                first = owner.setdefault(key, name)
                if first != name:
                    where = f"record_types:{rtype.id}" if name in rtype.fields \
                        else f"common_fields:{name}"
                    out.append(plan.problem_at(where, _(
                        "record type {t}: the key '{k}' names both field {a} and field {b}")
                        .format(t=rtype.id, k=printable(key), a=first, b=name),
                        expected=_("a Chinese name or alias used by one field of the type "
                                   "only")))
    return out


_REFERRING = ("to", "default_month_of")  # field settings that name a type or another field


def _field_references(plan: Plan) -> list[Problem]:
    """Every field a field names exists and is of the right kind: a ``record`` field's
    ``to`` is a record type, a ``default_month_of`` a date field of the same type, a
    ``resident_names`` entry a field of its type.  (Unchecked, a typo would count nothing
    and say nothing — or fail later, in the middle of a check.)"""
    out: list[Problem] = []
    # (where its fields are written, its own fields, every field a record of it may have)
    owners = [("common_fields", plan.common_fields, plan.common_fields)]
    owners += [(f"record_types:{t.id}", t.fields, plan.fields_of(t.id))
               for t in plan.types.values()]
    for where, own, every in owners:
        for name, spec in own.items():
            key = f"{where}.{name}"
            if spec.type == "record" and spec.to is not None and spec.to not in plan.types:
                out.append(plan.problem_at(f"{key}.to", _(
                    "field {f}: `to: {t}` is not a record type of the plan").format(
                    f=printable(name), t=printable(spec.to)),
                    expected=_("the id of a record type")))
            month_of = spec.default_month_of
            source = every.get(month_of) if month_of is not None else None
            if month_of is not None and (source is None
                                         or source.type not in ("date", "datetime")):
                out.append(plan.problem_at(f"{key}.default_month_of", _(
                    "field {f}: `default_month_of: {o}` is not a date field of the record "
                    "type").format(f=printable(name), o=printable(month_of)),
                    expected=_("the name of a date or date-time field of the same record "
                               "type")))
    for rtype in plan.types.values():
        every = plan.fields_of(rtype.id)
        out.extend(plan.problem_at(f"record_types:{rtype.id}.resident_names", _(
            "record type {t}: `resident_names` names '{f}', which is not one of its "
            "fields").format(t=rtype.id, f=printable(name)))
            for name in rtype.resident_names if name not in every)
    return out


def _waiver_fields(plan: Plan) -> list[Problem]:
    """The waiver type has the fields ``waivers`` names for rule, unit and period."""
    spec = plan.waivers
    if spec is None or spec.type not in plan.types:
        return []  # no waivers, or an unknown type (reported by _waiver_type)
    said = {"rule": _("waivers: the record type {t} has no field '{f}' naming the rule"),
            "unit": _("waivers: the record type {t} has no field '{f}' naming the unit"),
            "period": _("waivers: the record type {t} has no field '{f}' naming the period")}
    return [plan.problem_at(f"waivers.{key}", message.format(t=spec.type, f=printable(name)))
            for key, message in said.items()
            if plan.field_spec(spec.type, name := getattr(spec, key)) is None]


PLAN_CHECKS: tuple[PlanCheck, ...] = (_coverage_rules, _ledger_types, _waiver_type, _not_before,
                                      _key_clashes, _field_references, _waiver_fields)
