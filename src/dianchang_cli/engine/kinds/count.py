"""``count``: at least ``target`` matching records in the period.

met when reached; otherwise pending while the period runs and unmet once it is over.
"""

from __future__ import annotations

from ..context import Compiled, Context, Selector
from ..periods import Period
from ..results import Result


def evaluate(c: Compiled, ctx: Context, unit: str, who: Selector, period: Period) -> Result:
    found = ctx.select(c, who, period)
    target = c.rule.target or 0
    if len(found) >= target:
        status = "met"
    else:
        status = "unmet" if period.over(ctx.as_of) else "pending"
    return Result(c.rule.id, unit, period.label, status, c.rule.severity, actual=len(found),
                  target=target, records=tuple(r.id for r in found))
