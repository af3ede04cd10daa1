"""``tally``: count the matching records of the period; no target, status ``info``.

For duties the source states without a number (不定期, 积极): the reports show what was done.
"""

from __future__ import annotations

from ..context import Compiled, Context, Selector
from ..periods import Period
from ..results import Result


def evaluate(c: Compiled, ctx: Context, unit: str, who: Selector, period: Period) -> Result:
    found = ctx.select(c, who, period)
    return Result(c.rule.id, unit, period.label, "info", None, actual=len(found),
                  records=tuple(r.id for r in found))
