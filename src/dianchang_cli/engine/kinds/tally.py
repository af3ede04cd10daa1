"""``tally``: count the matching records of the period; no target, status ``info``.

For duties the source states without a number (不定期, 积极): the reports show what was done.
A tally judges nothing, so its results carry no severity and its rules need none.
"""

from __future__ import annotations

from ...i18n import N_, _
from ...planfile.model import Rule
from ...planfile.plan import Plan
from ..context import Compiled, Context, Selector
from ..periods import Period
from ..results import Verdict

ID = "tally"
NEEDS: tuple[str | tuple[str, ...], ...] = ()
WORD = N_("tally")
JUDGES = False


def target_text(rule: Rule, plan: Plan | None = None) -> str:
    return _("count only")


def check(c: Compiled, ctx: Context, who: Selector, period: Period) -> Verdict:
    found = ctx.select(c, who, period)
    return Verdict("info", actual=len(found), records=tuple(r.id for r in found))
