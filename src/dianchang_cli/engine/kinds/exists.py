"""``exists``: a standing registry entry (an account, a service point) exists by a date.

Registry records count from the day they were set up (their ``date``, when given) to the end
of time, so anything set up by the period's end — or by ``due`` — counts.  An optional
condition must hold for the entry (e.g. a red station offering all six services).
"""

from __future__ import annotations

from ...i18n import N_, _
from ...planfile.model import Rule
from ...planfile.plan import Plan
from ..context import Compiled, Context, Selector
from ..periods import Period
from ..results import Verdict

ID = "exists"
NEEDS: tuple[str | tuple[str, ...], ...] = ()
WORD = N_("exists")
JUDGES = True


def target_text(rule: Rule, plan: Plan | None = None) -> str:
    return _("exists")


def check(c: Compiled, ctx: Context, who: Selector, period: Period) -> Verdict:
    candidates = ctx.select(c, who, period, upto=True)
    deadline = c.rule.due.date if c.rule.due and c.rule.due.date else period.end
    found = [r for r in candidates
             if (r.date is None or r.date <= deadline)
             and (not c.parts or ctx.check(c, r, period) is None)]
    if found:
        status = "met"
    else:
        status = "unmet" if ctx.ended(deadline) else "pending"
    return Verdict(status, actual=len(found), target=c.rule.target or 1,
                   records=tuple(r.id for r in found),
                   due=c.rule.due.date if c.rule.due else None)
