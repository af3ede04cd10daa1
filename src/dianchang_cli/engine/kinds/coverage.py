"""``coverage``: together, the period's records cover every value of a required set.

The set is the rule's ``values``, or else every value of the field's enum.  A field may hold
one value or a list.  ``actual`` lists the covered values, ``missing`` the rest.
"""

from __future__ import annotations

from ..context import Compiled, Context, Selector
from ..periods import Period
from ..results import Result


def required_values(c: Compiled, ctx: Context) -> list[str]:
    if c.rule.values is not None:
        return list(c.rule.values)
    for type_id in c.rule.select.types:
        spec = ctx.plan.field_spec(type_id, c.rule.field or "")
        if spec and spec.values:
            return list(spec.values)
    return []


def evaluate(c: Compiled, ctx: Context, unit: str, who: Selector, period: Period) -> Result:
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
    return Result(c.rule.id, unit, period.label, status, c.rule.severity, actual=covered,
                  target=len(required), missing=tuple(missing),
                  records=tuple(r.id for r in found))
