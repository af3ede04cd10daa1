"""``deadline``: at least ``target`` (default 1) matching records by a due day.

The due day is a day of the period (``due: {day: 7}`` → the 7th of each month) or a fixed
date.  The day that counts is the rule's ``date_field`` (e.g. ``submitted_on``), else the
record's ``date``; with ``period_field`` a record belongs to the period its month field
names.  With ``due: {…, basis: commit}`` the day a record's file was first committed
decides whether it is on time (see :meth:`Context.counted_day`).  met: enough on time;
late: enough, but only counting those after the due day; unmet: not enough and the due
day is over; pending: not enough yet, the due day not over (a due day that is the as-of
day is over only when the as-of day is given, not while it is still running).
"""

from __future__ import annotations

import datetime as dt

from ...i18n import N_, _
from ...planfile.model import Rule
from ...planfile.plan import Plan
from ...records.model import Record
from ..context import Compiled, Context, Selector
from ..periods import Period, shift
from ..results import Verdict

ID = "deadline"
NEEDS: tuple[str | tuple[str, ...], ...] = ("due",)
WORD = N_("deadline")
JUDGES = True


def target_text(rule: Rule, plan: Plan | None = None) -> str:
    """``≥ 1, by day 7`` / ``≥ 2, by 2023-06-30``."""
    if rule.due is None:  # not a rule the plan admits (it needs `due`)
        return _("count only")
    when = (_("by day {d}").format(d=rule.due.day) if rule.due.day
            else _("by {d}").format(d=rule.due.date.isoformat() if rule.due.date else ""))
    return _("≥ {n}, {when}").format(n=rule.target or 1, when=when)


def due_day(c: Compiled, period: Period) -> dt.date:
    """The day rule ``c`` is due in ``period`` (see :func:`rule_due_day`)."""
    return rule_due_day(c.rule, period)


def rule_due_day(rule: Rule, period: Period) -> dt.date:
    """The fixed ``due.date``, else day ``due.day`` of the period, at most its last day
    (``day: 31`` in April is April 30); never past ``date.max``.  Reports ask it for
    deadlines whose period has not begun yet, so it needs no evaluation context."""
    due = rule.due
    assert due is not None
    if due.date is not None:
        return due.date
    assert due.day is not None
    return min(shift(period.start, max(due.day, 1) - 1), period.end)


def check(c: Compiled, ctx: Context, who: Selector, period: Period) -> Verdict:
    found = ctx.select(c, who, period)
    target = c.rule.target or 1
    due = due_day(c, period)
    on_time: list[Record] = []
    late: list[Record] = []
    for r in found:  # one pass: `r not in on_time` compared every record with every other
        (on_time if (ctx.counted_day(c.rule, r) or dt.date.max) <= due else late).append(r)
    if len(on_time) >= target:
        status = "met"
    elif len(found) >= target:
        status = "late"
    else:
        status = "unmet" if ctx.ended(due) else "pending"
    return Verdict(status, actual=len(found), target=target,
                   records=tuple(r.id for r in found), due=due,
                   late_records=tuple(r.id for r in late))
