"""What a report looks at: its period, its units, and the engine's results that fall in them.

A result belongs to the report when its unit is one of the report's units (a branch counts
with its community) and its period overlaps the report's period: the month's own results,
the quarter, festival and window periods that touch the month, and the year's results as of
the as-of day (progress so far).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import partial

from ..engine.evaluate import scope_units
from ..engine.periods import Period, all_periods
from ..engine.results import Result
from ..outcome import Outcome
from ..planfile.model import Rule
from ..planfile.plan import Plan
from ..render import vocabulary
from ..render.labels import progress, still_needed
from ..render.vocabulary import Wording, number_text
from .clipping import TEXT_LIMIT, clip
from .text import day_text


def period_table(plan: Plan) -> dict[str, Period]:
    """Every period label the plan's rules can produce → its period.

    A window may carry a month's label (September's window is ``2023-09``); the month keeps
    the label, so the heatmap and month lookups see a month.
    """
    table: dict[str, Period] = {}
    others = sorted({r.period for r in plan.rules} - {"month", "quarter", "year"})
    for spec in ("month", "quarter", "year", *others):
        for p in all_periods(plan, spec):
            table.setdefault(p.label, p)
    return table


def covers(plan: Plan, rule: Rule, members: Collection[str]) -> bool:
    """Whether one of the units the rule reports under is one of ``members`` (a unit and
    its branches: :meth:`Plan.members`)."""
    return any(u in members for scope in rule.scopes for u, _who in scope_units(plan, scope))


def overlaps(a: Period, b: Period) -> bool:
    return a.start <= b.end and a.end >= b.start


@dataclass
class View:
    """The report's slice of an outcome; built once, read by every part of the report."""

    outcome: Outcome
    period: Period
    units: list[str]  # the units the report is about, in plan order
    owner: dict[str, str]  # unit id of a result → the report unit it is shown under
    periods: dict[str, Period]
    results: list[Result] = field(default_factory=list)  # the results in the report
    rules: list[Rule] = field(default_factory=list)  # the rules the report shows
    marks: dict[str, int] = field(default_factory=dict)  # assumed rule → footnote number

    @classmethod
    def of(cls, outcome: Outcome, period: Period, unit: str | None = None) -> View:
        plan = outcome.plan
        if unit:
            units = [unit]
        else:
            units = [plan.subdistrict, *(u.id for u in plan.units_of_kind("community"))]
        owner = {member: u for u in units for member in plan.members(u)}
        view = cls(outcome, period, units, owner, period_table(plan))
        view.results = [r for r in outcome.results if view.shows(r)]
        view.rules = [rule for _section, group in plan.rules_by_section() for rule in group
                      if unit is None or view.applies(rule)]
        assumed = [r.id for r in view.rules if r.basis == "assumed"]
        view.marks = {rule_id: n for n, rule_id in enumerate(assumed, start=1)}
        return view

    @property
    def plan(self) -> Plan:
        return self.outcome.plan

    @property
    def as_of(self) -> dt.date:
        return self.outcome.as_of

    def shows(self, result: Result) -> bool:
        p = self.periods.get(result.period)
        return result.unit in self.owner and p is not None and overlaps(p, self.period)

    def applies(self, rule: Rule) -> bool:
        """Whether the rule has an obligation for one of the report's units."""
        return covers(self.plan, rule, self.owner)

    def to_date(self, result: Result) -> bool:
        """The result's period is not over: its numbers are progress so far."""
        p = self.periods.get(result.period)
        return p is not None and not p.over(self.as_of)

    def sort_key(self, result: Result) -> tuple[int, int, dt.date, str]:
        p = self.periods.get(result.period)
        unit = self.owner.get(result.unit, "")
        order = self.units.index(unit) if unit in self.units else len(self.units)
        return (order, 0 if result.unit == unit else 1, p.start if p else dt.date.min,
                result.unit)

    def label_scores(self) -> set[str]:
        """Period labels whose deductions count for the report period's score: periods that
        end within it and are no longer than it (a month report: months, festivals …)."""
        span = self.period.end - self.period.start
        return {label for label, p in self.periods.items()
                if self.period.start <= p.end <= self.period.end and p.end - p.start <= span}


def actual_text(result: Result) -> str:
    return progress(result.actual, result.target) or number_text(
        result.actual if isinstance(result.actual, int | float) else None)


def detail_text(result: Result, titles: dict[str, str], view: View | None = None) -> str:
    """Why a result is what it is, in a few words (record text cut: ``titles`` are); with
    the view, a count still running says what is still needed (``剩余3天，还差5次``)."""
    wording = Wording(titles=titles, ident=clip, day=day_text,
                      cut=partial(clip, limit=TEXT_LIMIT))
    text = vocabulary.detail_text(result, wording)
    if text or view is None:
        return text
    rule = view.plan.rule(result.rule)
    period = view.periods.get(result.period)
    if rule is not None and period is not None:
        return still_needed(rule.kind, result, period.end, view.as_of)
    return ""
