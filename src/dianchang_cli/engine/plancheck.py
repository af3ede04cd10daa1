"""The plan against the engine: what the plan stage cannot check alone.

:mod:`dianchang_cli.planfile.loader` reads the plan folder and checks what the plan
itself can show (files, models, the units tree, references between entries).  Here are
the checks that need the engine: each rule kind's own needs, every ``condition``,
``where`` and check condition compiled, costed and tried on example records, and the
periods, festivals and windows built for the plan year.  Each check returns problems at
the rule's ``file:line`` (through :attr:`~dianchang_cli.planfile.plan.Plan.origins`).

:func:`load_plan` is THE plan loader: it reads the folder and runs both stages' checks in
one pass, raising one :class:`~dianchang_cli.diagnostics.PlanError` with every problem.
``load_plan(..., examples=False)`` is the same load without trying each condition on
example records (compiled and costed still): for commands that evaluate no rule.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from ..core import TZ
from ..diagnostics import Problem, printable
from ..i18n import _
from ..planfile import loader
from ..planfile.loader import PlanCheck, RuleCheck
from ..planfile.model import FieldSpec, Rule
from ..planfile.plan import Plan
from . import periods
from .conditions import (
    Condition,
    ConditionError,
    ConditionFailed,
    MissingValue,
    compile_condition,
    cost_problems,
    day_end,
    day_start,
)
from .context import plan_globals


def load_plan(plan_dir: Path, root: Path | None = None, *, examples: bool = True) -> Plan:
    """Read and check a plan folder; raise :class:`PlanError` listing every problem.

    The plan stage's checks and the engine's (:data:`RULE_CHECKS` on each rule after the
    plan's own, :data:`PLAN_CHECKS` last), so each rule's problems stay together.

    ``examples=False`` is for commands that evaluate no rule (``dc validate``): each
    ``condition``, ``where`` and check condition is still compiled, costed and checked for
    fields no selected type declares, but not tried on example records
    (:data:`COMPILE_RULE_CHECKS`), the slowest of the plan's checks.  A condition that
    compiles but fails on some record is then reported by the commands that evaluate it.
    """
    checks = RULE_CHECKS if examples else COMPILE_RULE_CHECKS
    return loader.load_plan(plan_dir, root, rule_checks=checks, plan_checks=PLAN_CHECKS)


def plan_problems(plan: Plan) -> list[Problem]:
    """Every problem the engine finds in a loaded plan: each rule's, then the periods'."""
    out = [p for rule in plan.rules for check in RULE_CHECKS for p in check(plan, rule)]
    for check in PLAN_CHECKS:
        out.extend(check(plan))
    return out


def kind_problems(plan: Plan, rule: Rule) -> list[Problem]:
    """What the rule's kind needs and the rule does not give, at the rule's line."""
    from . import kinds  # each kind module declares the keys its rules need

    return [plan.problem_at(f"rules:{rule.id}", message)
            for message in kinds.rule_problems(rule, plan)]


def expression_problems(plan: Plan, rule: Rule, *, examples: bool = True) -> list[Problem]:
    """The rule's ``where``, ``condition`` and check conditions, each at its own line
    (``examples=False``: without trying them on example records)."""
    expressions = [("where", rule.select.where), ("condition", rule.condition),
                   *((f"checks[{j}]", check.condition)
                     for j, check in enumerate(rule.checks or ()))]
    return [plan.problem_at(f"rules:{rule.id}.{which}", message, expected)
            for which, expr in expressions if expr
            for message, expected in check_expression(plan, rule, which, expr, examples)]


def compiled_expression_problems(plan: Plan, rule: Rule) -> list[Problem]:
    """:func:`expression_problems` without the examples: compiled, costed, fields known."""
    return expression_problems(plan, rule, examples=False)


RULE_CHECKS: tuple[RuleCheck, ...] = (kind_problems, expression_problems)
COMPILE_RULE_CHECKS: tuple[RuleCheck, ...] = (kind_problems, compiled_expression_problems)
PLAN_CHECKS: tuple[PlanCheck, ...] = (periods.plan_problems,)


# ---------------------------------------------------------------- conditions
BUILT_IN_FIELDS = ("id", "type", "unit", "date")  # every record has them in CEL
EXAMPLE_BUDGET = 1.0  # seconds the examples of one expression may take at load
MAX_ENUM_EXAMPLES = 20  # values of one enum field tried


def check_expression(plan: Plan, rule: Rule, which: str, source: str, examples: bool = True
                     ) -> list[tuple[str, str | None]]:
    """What is wrong with a rule's ``condition`` or ``where``, before any record is seen.

    The CEL binding cannot check types against declared variables, so the expression is
    checked by example: it is evaluated on records of each selected type built from the
    declared fields (typical values of each field's kind, each optional field left out in
    turn, each enum value in turn).  Reading a field a record does not have is normal (that
    record simply fails the condition); any other failure, or a result that is not true or
    false, is the plan's.  Before that: it must compile, not be too expensive
    (:func:`~dianchang_cli.engine.conditions.cost_problems`), and name only fields that
    the selected types declare; ``examples=False`` stops there.
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
    fields = {t.id: plan.fields_of(t.id) for t in types}
    if cond.r_fields is not None and not any(t.extra_fields for t in types):
        known = set(BUILT_IN_FIELDS).union(*(f.keys() for f in fields.values()))
        unknown = [f for f in cond.r_fields if f not in known]
        if unknown:
            return [(head + _("no selected record type has the field {f}").format(
                f=", ".join(printable(f) for f in unknown)),
                _("fields of {t}: {names}").format(
                    t=", ".join(t.id for t in types), names=", ".join(sorted(known))))]
    return _try_examples(plan, cond, head, fields) if examples else []


def _try_examples(plan: Plan, cond: Condition, head: str,
                  fields: dict[str, dict[str, FieldSpec]]) -> list[tuple[str, str | None]]:
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
                shown = "，".join(f"{k}: {_example_text(example[k])}"
                                 for k in (cond.r_fields or ()) if k in example)
                return [(head + _("fails on a {t} record such as {ex}: {e}").format(
                    t=type_id, ex=printable(f"{{{shown}}}"), e=exc), expected)]
            if time.perf_counter() - start > EXAMPLE_BUDGET:
                return [(head + _("takes too long to evaluate"), _("a simpler condition"))]
    return []


def _example_text(value: Any) -> str:
    """An example value as a record would write it (``2024-06-01 10:00``, not a repr)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_example_text(v) for v in value) + "]"
    return str(value)


def _examples(plan: Plan, type_id: str, specs: dict[str, FieldSpec],
              reads: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """Records of one type to try an expression on: every field with a typical value, then
    each field the expression reads left out (if optional) or given another value."""
    rtype = plan.types[type_id]
    unit = _example_unit(plan, (rtype.unit_kinds or ["community"])[0])
    base: dict[str, Any] = {name: _typical(plan, spec, 0) for name, spec in specs.items()}
    base.update(id="example", type=type_id, unit=unit, date=dt.date(_example_year(plan), 6, 1))
    out = [base]
    for name in reads if reads is not None else list(specs):
        spec = specs.get(name)
        if spec is None:
            continue
        if not spec.required and not (name == "date" and rtype.kind != "registry"):
            out.append({k: v for k, v in base.items() if k != name})
        kind = spec.value_kind
        if kind == "enum" or kind == "bool":
            count = min(len(spec.values or ()), MAX_ENUM_EXAMPLES) if kind == "enum" else 2
            out.extend({**base, name: _typical(plan, spec, i)} for i in range(1, count))
    return out


def _example_year(plan: Plan) -> int:
    """The plan year, or a year near it that dates can hold (a bad year is reported apart)."""
    return min(max(plan.year, 1900), 2999)


def _example_unit(plan: Plan, kind: str) -> str:
    """The first unit of this kind, or the subdistrict."""
    return next((u.id for u in plan.units_of_kind(kind)), plan.subdistrict)


def _typical(plan: Plan, spec: FieldSpec, variant: int) -> Any:
    """A typical value of a field (``variant`` picks another enum value or ``false``)."""
    year = _example_year(plan)

    def one(kind: str) -> Any:
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
                return _example_unit(plan, "community")
            case "rule":
                return plan.rules[0].id if plan.rules else "rule"
            case "url":
                return "https://example.org/evidence.jpg"
            case _:
                return "示例"

    return [one(spec.items)] if spec.type == "list" else one(spec.type)
