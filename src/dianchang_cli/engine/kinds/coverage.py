"""``coverage``: together, the period's records cover every value of a required set.

The set is the rule's ``values``, or else every value of the field's enum.  A field may hold
one value or a list.  ``actual`` lists the covered values, ``missing`` the rest.
"""

from __future__ import annotations

from ...i18n import N_, _
from ...planfile.model import Rule
from ...planfile.plan import Plan
from ..context import Compiled, Context, Selector
from ..periods import Period
from ..results import Verdict

ID = "coverage"
NEEDS: tuple[str | tuple[str, ...], ...] = ("field",)
WORD = N_("coverage")
JUDGES = True


def field_name(rule: Rule, plan: Plan | None) -> str:
    """The name the plan gives the rule's field (``宣讲阵地``), else its id."""
    if plan is not None and rule.field:
        for type_id in rule.select.types:
            spec = plan.field_spec(type_id, rule.field)
            if spec is not None and spec.name:
                return spec.name
    return rule.field or ""


def field_values(rule: Rule, plan: Plan | None) -> list[str]:
    """The values a coverage rule's field can take, from the plan (its enum)."""
    if plan is None or not rule.field:
        return []
    for type_id in rule.select.types:
        spec = plan.field_spec(type_id, rule.field)
        if spec is not None and spec.values:
            return list(spec.values)
    return []


def plan_problems(rule: Rule, plan: Plan) -> list[str]:
    """Without ``values`` the rule covers its field's enum values: there must be some."""
    if rule.values is None and not field_values(rule, plan):
        return [_("rule {r}: field '{f}' has no enum values to cover; give `values`")
                .format(r=rule.id, f=rule.field)]
    return []


def target_text(rule: Rule, plan: Plan | None = None) -> str:
    """``covers 甲、乙``; with the plan, the field named as the plan names it (``宣讲阵地``)."""
    if rule.values:
        return _("covers {values}").format(values="、".join(rule.values))
    values = field_values(rule, plan)
    if values:
        return _("covers every {f}: {values}").format(f=field_name(rule, plan),
                                                      values="、".join(values))
    return _("covers all values of {f}").format(f=field_name(rule, plan))


def required_values(c: Compiled, ctx: Context) -> list[str]:
    """The rule's ``values``, else every value of its field's enum."""
    rule = c.rule
    return list(rule.values) if rule.values is not None else field_values(rule, ctx.plan)


def check(c: Compiled, ctx: Context, who: Selector, period: Period) -> Verdict:
    found = ctx.select(c, who, period)
    seen: set[str] = set()
    for rec in found:
        value = rec.fields.get(c.rule.field or "")
        seen.update(value if isinstance(value, list) else [value] if value is not None else [])
    required = required_values(c, ctx)
    covered = [v for v in required if v in seen]
    missing = [v for v in required if v not in seen]
    if not missing:
        status = "met"
    else:
        status = "unmet" if ctx.ended(period.end) else "pending"
    return Verdict(status, actual=covered, target=len(required), missing=tuple(missing),
                   records=tuple(r.id for r in found))
