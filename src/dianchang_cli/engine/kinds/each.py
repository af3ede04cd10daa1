"""``each``: every matching record satisfies the rule's condition — or each of its ``checks``.

A violation carries the message of the first condition (check) the record fails, and the
fields that condition's failing part reads (so the message points at the right line).

One result per unit and period in which there are records; a period without records has
nothing to judge and yields none.  A violation is a fact the moment it is recorded, so it
makes the result ``unmet`` even while the period runs.

Registry entries (standing things: an account, a facility) set up before the plan took
effect, or written without a date, are judged in the period that holds the plan's
``effective`` day — otherwise no period would ever look at them.  Events from before the
plan are not judged: the plan did not yet apply to them.
"""

from __future__ import annotations

from ...i18n import N_, _
from ...planfile.model import Rule
from ...planfile.plan import Plan
from ...records.model import Record
from ..context import Compiled, Context, Selector
from ..periods import Period
from ..results import Verdict, Violation

ID = "each"
NEEDS: tuple[str | tuple[str, ...], ...] = (("condition", "checks"),)
WORD = N_("every record")
JUDGES = True


def target_text(rule: Rule, plan: Plan | None = None) -> str:
    return _("every record")


def check(c: Compiled, ctx: Context, who: Selector, period: Period) -> Verdict | None:
    found = ctx.select(c, who, period) + _standing(c, ctx, who, period)
    if not found:
        return None
    violations = []
    for rec in found:
        failed = ctx.failure(c, rec, period)
        if failed is not None:
            why, fields = failed
            violations.append(Violation(rec.id, why, rec.file, rec.line_of(fields), fields))
    status = "unmet" if violations else "met"
    return Verdict(status, actual=len(found) - len(violations), target=len(found),
                   records=tuple(r.id for r in found), violations=tuple(violations))


def _standing(c: Compiled, ctx: Context, who: Selector, period: Period) -> list[Record]:
    """Undated or earlier registry entries, judged once: in the period holding ``effective``."""
    if not period.contains(ctx.plan.effective):
        return []
    return [r for r in ctx.select(c, who, period, upto=True)
            if ctx.plan.types[r.type].kind == "registry"
            and ((day := r.day(c.rule.date_field)) is None or day < period.start)]
