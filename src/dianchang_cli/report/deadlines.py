"""The plan's dated items for the plan year: what is due on which day, from the plan alone.

:func:`deadlines` reads the rules and the calendar (no records) and lists, for the whole
plan year (periods that end before the plan's ``effective`` day are left out, as the
engine leaves them out; the year always counts):

- ``due``: each due day of a deadline rule with ``due.day`` (one per period: the 7th of
  every month), from the deadline kind's :func:`~..engine.kinds.deadline.rule_due_day`;
- ``date``: the fixed ``due.date`` of a rule (one item per rule);
- ``end``: the last day of the month, quarter, half or year periods of counted rules
  (:data:`PERIOD_END_KINDS`), ONE item per day listing every rule due then, so a calendar
  is not flooded (31 December ends a month, a quarter, a half and the year);
- ``festival`` and ``window``: a festival's window or a named window (start–end), one item
  per window listing the rules counted in it, from :mod:`..engine.periods`.

Every item carries its words (title, description lines, categories by the plan's section) in
the active language, so a calendar renderer only formats, and a stable ``key``: plan id,
item kind, rule or window, period, unit — the same item has the same key every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from ..diagnostics import printable
from ..engine.kinds.deadline import rule_due_day
from ..engine.periods import Period, periods_for
from ..i18n import _, ngettext
from ..planfile.model import Rule
from ..planfile.plan import Plan
from ..render.labels import section_title, span_text
from .scope import covers
from .text import period_text

PERIOD_END_KINDS = ("count", "coverage", "exists")  # kinds judged when a period ends
CALENDAR_PERIODS = ("month", "quarter", "half", "year")  # ends grouped by day
SOURCE_SHOWN = 300  # characters of a quoted clause in a description


@dataclass(frozen=True, slots=True)
class DueRule:
    """A rule as an item lists it: id, name, its quoted clause, its section's title."""

    id: str
    name: str
    source: str
    section: str


@dataclass(frozen=True, slots=True)
class DatedItem:
    """One dated thing of the plan year: a day (``start == end``) or a span of days."""

    kind: str  # due | date | end | festival | window
    key: str  # stable: plan id / kind / rule or window / period [/ unit], URI-safe
    start: dt.date
    end: dt.date  # inclusive
    title: str
    lines: tuple[str, ...]  # the description, one line each
    categories: tuple[str, ...]  # the plan sections of the rules
    rules: tuple[DueRule, ...]
    unit: str | None = None


def _due_rule(plan: Plan, rule: Rule) -> DueRule:
    section = plan.section_of(rule)
    title = section_title(section) if section else ""
    return DueRule(printable(rule.id), printable(rule.name),
                   printable(rule.source, SOURCE_SHOWN), printable(title))


def _counted(plan: Plan, spec: str) -> list[Period]:
    """The periods of ``spec`` the engine evaluates in the plan year."""
    return periods_for(plan, spec, dt.date.max)


def _key(plan: Plan, *parts: str) -> str:
    return "/".join(quote(p, safe="-._~") for p in (plan.meta.id, *parts))


def _span(plan: Plan, period: Period) -> str:
    if period.kind in ("month", "quarter", "year"):
        return period_text(period)
    return span_text(printable(period.name or period.label), period.start.strftime("%m-%d"),
                     period.end.strftime("%m-%d"))


class _Builder:
    """Collects the items of one plan (and unit) as it walks the rules."""

    def __init__(self, plan: Plan, unit: str | None) -> None:
        self.plan, self.unit = plan, unit
        self.who = printable(plan.unit_name(unit)) if unit else ""
        self.items: list[DatedItem] = []
        self.ends: dict[dt.date, list[tuple[Period, Rule]]] = {}
        self.spans: dict[str, tuple[Period, list[Rule]]] = {}

    def title(self, text: str) -> str:
        return _("{unit}: {what}").format(unit=self.who, what=text) if self.unit else text

    def item(self, kind: str, key: tuple[str, ...], start: dt.date, end: dt.date,
             title: str, head: Iterable[str], rules: list[Rule]) -> None:
        due = [_due_rule(self.plan, r) for r in rules]
        lines = [*head]
        for r in due:
            lines += [f"{r.id} {r.name}", _("Source: “{s}”").format(s=r.source)]
        categories = tuple(dict.fromkeys(r.section for r in due if r.section))
        unit = (self.unit,) if self.unit else ()
        self.items.append(DatedItem(kind, _key(self.plan, kind, *key, *unit), start, end,
                                    self.title(title), tuple(lines), categories, tuple(due),
                                    self.unit))

    def rule(self, rule: Rule) -> None:
        plan, due = self.plan, rule.due
        if due is not None and due.date is not None:
            self.item("date", (rule.id, f"{plan.year:04d}"), due.date, due.date,
                      _("Due: {name}").format(name=printable(rule.name)),
                      [_("Due on {day}.").format(day=due.date.isoformat())], [rule])
        elif due is not None and due.day is not None:
            for p in _counted(plan, rule.period):
                day = rule_due_day(rule, p)
                self.item("due", (rule.id, p.label), day, day,
                          _("Due: {name} ({period})").format(name=printable(rule.name),
                                                              period=_span(plan, p)),
                          [_("Due on {day}, for {period}.").format(
                              day=day.isoformat(), period=_span(plan, p))], [rule])
        elif rule.kind in PERIOD_END_KINDS:
            for p in _counted(plan, rule.period):
                if p.kind in CALENDAR_PERIODS:
                    self.ends.setdefault(p.end, []).append((p, rule))
                else:
                    self.spans.setdefault(p.label, (p, []))[1].append(rule)

    def finish(self) -> list[DatedItem]:
        plan = self.plan
        for day, pairs in self.ends.items():
            by_length = sorted(pairs, key=lambda pr: pr[0].end - pr[0].start)  # month first
            periods = list(dict.fromkeys(_span(plan, p) for p, _r in by_length))
            rules = list({r.id: r for _p, r in pairs}.values())
            text = "、".join(periods)
            self.item("end", (day.isoformat(),), day, day,
                      ngettext("End of {periods}: {n} duty due",
                               "End of {periods}: {n} duties due", len(rules)).format(
                          periods=text, n=len(rules)),
                      [_("Counted when {periods} ends ({day}).").format(
                          periods=text, day=day.isoformat())], rules)
        for label, (p, rules) in self.spans.items():
            names = "、".join(dict.fromkeys(printable(r.name) for r in rules))
            self.item(p.kind, (label,), p.start, p.end,
                      _("{period}: {rules}").format(period=printable(p.name or label),
                                                     rules=names),
                      [_("Counted from {start} to {end}.").format(
                          start=p.start.isoformat(), end=p.end.isoformat())], rules)
        return sorted(self.items, key=lambda i: (i.start, i.end, i.kind, i.key))


def deadlines(plan: Plan, unit: str | None = None) -> list[DatedItem]:
    """Every dated item of the plan year (see the module text), by day; with ``unit``,
    only the rules whose scope covers it (or its branches), each title naming the unit.
    Raises :class:`KeyError` for a unit the plan does not have."""
    if unit is not None and unit not in plan.units:
        raise KeyError(unit)
    build = _Builder(plan, unit)
    members = set(plan.members(unit)) if unit is not None else set()
    for rule in plan.rules:
        if unit is None or covers(plan, rule, members):
            build.rule(rule)
    return build.finish()


__all__ = ["CALENDAR_PERIODS", "PERIOD_END_KINDS", "DatedItem", "DueRule", "covers",
           "deadlines"]
