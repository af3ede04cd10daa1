"""``count``: at least ``target`` matching records in the period.

met when reached; otherwise pending while the period runs and unmet once it is over.  A
count that can no longer reach its target in the days left stays pending: the result
carries ``actual`` and ``target``, and with the period's end and the as-of day that says
how many are still needed and in how many days.
"""

from __future__ import annotations

from ...i18n import N_
from ...planfile.model import Rule
from ...planfile.plan import Plan
from ..context import Compiled, Context, Selector
from ..periods import Period
from ..results import Verdict

ID = "count"
NEEDS: tuple[str | tuple[str, ...], ...] = ("target",)
WORD = N_("count")
JUDGES = True


def target_text(rule: Rule, plan: Plan | None = None) -> str:
    """``≥ 8``."""
    return f"≥ {rule.target}"


def check(c: Compiled, ctx: Context, who: Selector, period: Period) -> Verdict:
    found = ctx.select(c, who, period)
    target = c.rule.target or 0
    if len(found) >= target:
        status = "met"
    else:
        status = "unmet" if ctx.ended(period.end) else "pending"
    return Verdict(status, actual=len(found), target=target,
                   records=tuple(r.id for r in found))
