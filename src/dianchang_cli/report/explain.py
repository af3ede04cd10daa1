"""Why a result is what it is, in sentences a community secretary can read.

:func:`explain` turns a check :class:`~dianchang_cli.outcome.Outcome` (for one rule) into an
:class:`Explanation`: plain data, every text already in the active language, which
``dc explain`` prints and tests read.  Nothing here shows the plan's CEL or a raw window or
field id: conditions are the plan's own sentences (``condition_text``, ``select.where_text``,
each check's ``text``), windows and fields are called by the names the plan gives them.

Statuses are the engine's.  The one thing computed here is the list of records that
*almost* counted toward a result that is not met: the unit's records of the rule's types
near the period that failed the rule's filter, fell just outside the period, are dated after
the as-of day, or are invalid.  Only those few records are looked at, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import OWED
from ..diagnostics import printable
from ..engine.conditions import ConditionError
from ..engine.context import TARGET_FIELD, Compiled, Context, Selector
from ..engine.evaluate import scope_units
from ..engine.periods import Period, all_periods
from ..engine.results import Result
from ..i18n import N_, _
from ..planfile.model import Rule
from ..planfile.plan import Plan
from ..records.model import Record
from ..render.labels import (
    basis_word,
    kind_word,
    period_word,
    progress,
    scope_word,
    span_text,
    status_word,
    target_text,
    unit_kind_word,
)
from .scope import period_table
from .text import period_text

if TYPE_CHECKING:
    from ..outcome import Outcome

NO_TEXT = N_("(the plan gives no wording for this)")
NEAR_DAYS = 31  # a record this many days outside a period "almost" counted
NEAR_SHOWN = 5  # near misses listed per result; the rest are counted
OUTSIDE_SHOWN = 2  # records outside the period listed before it, and after it
PLAN_TEXT = 1000  # characters of a plan's text shown (a clause, a note, a condition)
INVALID_FILES = 200  # invalid record files read to see whether they belong to a result

COUNTS, MISSES, LATE, BREAKS = "·", "?", "!", "✗"


@dataclass(frozen=True, slots=True)
class Entry:
    """One record in an explanation: a mark, its day, title and file, and why it is shown."""

    mark: str  # · counts  ! late  ✗ breaks the rule  ? almost counted
    day: str
    title: str
    file: str
    why: str = ""


@dataclass(frozen=True, slots=True)
class ResultText:
    """One result (a unit in a period) explained."""

    unit: str  # the unit's name
    period: str  # the period in words, with its days when it is not a plain month
    status: str  # met, unmet … (the engine's)
    status_word: str
    progress: str  # 5/8
    says: list[str]  # sentences: why the status is what it is, what is still needed
    records: list[Entry]  # the records the result counts (or that break an `each` rule)
    near: list[Entry] = field(default_factory=list)  # records that almost counted
    near_more: int = 0  # near misses not listed


@dataclass(frozen=True, slots=True)
class Explanation:
    """A rule, its source, its conditions in words, and its results explained."""

    rule: str
    name: str
    item: str  # 第 12 条：…
    source: str
    facts: str  # kind · scope · period · target · basis
    note: str
    conditions: list[str]  # the plan's sentences: what counts, what every record must meet
    as_of: str
    results: list[ResultText]
    duty: list[str] = field(default_factory=list)  # units asked about that the rule is not for

    def lines(self) -> list[str]:
        """The explanation as plain lines (what ``dc explain`` prints, without styles)."""
        out = [f"{self.rule} {self.name}", self.item, self.source, self.facts]
        out += [self.note] if self.note else []
        out += self.conditions
        out.append(self.as_of)
        out += self.duty
        for res in self.results:
            out += ["", " ".join(x for x in (res.unit, res.period, res.status_word,
                                              res.progress) if x)]
            out += [f"  {s}" for s in res.says]
            out += [f"  {e.mark} {entry_text(e)}" for e in res.records]
            if res.near:
                out.append("  " + _("Almost counted:"))
                out += [f"  {e.mark} {entry_text(e)}" for e in res.near]
            if res.near_more:
                out.append("    " + _("… and {n} more").format(n=res.near_more))
        return out


def entry_text(e: Entry) -> str:
    """``09-15 网络安全宣传 records/…yaml — 不符合计入条件：…``."""
    head = " ".join(x for x in (e.day, e.title) if x)
    tail = f" — {e.why}" if e.why else ""
    return f"{head} {e.file}{tail}" if e.file else f"{head}{tail}"


# ---------------------------------------------------------------------------- the rule
def text(value: str | None) -> str:
    """Plan text for people: its sentence, or the note that the plan gives none."""
    return printable(value, PLAN_TEXT) if value and value.strip() else _(NO_TEXT)


def condition_lines(rule: Rule) -> list[str]:
    """The rule's filter and conditions as the plan's sentences, never as CEL."""
    out: list[str] = []
    if rule.select.where:
        out.append(_("Counts records where: {w}").format(w=text(rule.select.where_text)))
    if rule.checks:
        out.append(_("Each record must:"))
        out += [f"  {n}. {text(check.text)}" for n, check in enumerate(rule.checks, start=1)]
    elif rule.condition:
        line = (_("Each record must satisfy: {c}") if rule.kind == "each"
                else _("The entry must satisfy: {c}"))
        out.append(line.format(c=text(rule.condition_text)))
    return out


def facts_line(plan: Plan, rule: Rule) -> str:
    return _("Kind: {k} · scope: {s} · period: {p} · target: {t} · basis: {b}").format(
        k=kind_word(rule.kind), s="、".join(scope_word(x) for x in rule.scopes),
        p=period_word(rule.period, plan), t=printable(target_text(rule, plan), PLAN_TEXT),
        b=basis_word(rule.basis))


def duty_lines(plan: Plan, rule: Rule, units: Iterable[str]) -> list[str]:
    """For each unit asked about that the rule has no result for: whose duty it is."""
    reported = {u for scope in rule.scopes for u, _who in scope_units(plan, scope)}
    whose = "、".join(scope_word(s) for s in rule.scopes)
    out = []
    for unit_id in units:
        if unit_id in reported or unit_id not in plan.units:
            continue
        unit = plan.units[unit_id]
        out.append(_("{rule} is the duty of {whose}; {unit} is a {kind}, not one of them.")
                   .format(rule=printable(rule.id), whose=whose,
                           unit=printable(unit.name), kind=unit_kind_word(unit.kind)))
        owner = next((o for o in reported if unit_id in plan.members(o) and o != unit_id), None)
        if owner is not None:
            out.append(_("Its records count toward {owner}: ask with --unit {id}.").format(
                owner=printable(plan.unit_name(owner)), id=printable(owner)))
    return out


def _unmet(sentence: str | None, bare: str) -> str:
    """Why a record fails a filter: ``不符合“…”`` with the plan's sentence, else ``bare``
    and the note that the plan gives no wording."""
    if sentence and sentence.strip():
        return _("does not meet “{w}”").format(w=printable(sentence, PLAN_TEXT))
    return f"{bare}{_(NO_TEXT)}"


# ---------------------------------------------------------------------------- periods, days
def _day(plan: Plan, day: dt.date | None) -> str:
    if day is None:
        return ""
    return day.strftime("%m-%d") if day.year == plan.year else day.isoformat()


def period_words(plan: Plan, period: Period) -> str:
    """A period for people: ``2023年4月``; a festival or window with its days
    (``中秋节（09-22 至 10-06）``); a half year with its days."""
    if period.kind in ("month", "quarter", "year"):
        return period_text(period)
    return span_text(printable(period.name or period.label), _day(plan, period.start),
                     _day(plan, period.end))


THIS_PERIOD = {"month": N_("this month"), "quarter": N_("this quarter"),  # the running one
               "half": N_("this half-year"), "year": N_("this year")}


def _this(plan: Plan, period: Period) -> str:
    word = THIS_PERIOD.get(period.kind)
    return _(word) if word else printable(period.name or period.label)


def as_of_day(value: object) -> dt.date:
    """An outcome's as-of moment as a day (a datetime's date)."""
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]


# ---------------------------------------------------------------------------- results
class _Explainer:
    """Explains the results of one rule, sharing the plan's periods and one context."""

    def __init__(self, outcome: Outcome, rule: Rule, root: Path | None) -> None:
        self.outcome, self.plan, self.rule = outcome, outcome.plan, rule
        self.as_of = as_of_day(outcome.as_of)
        # the rule's own periods first: September's window keeps its name, not the month's
        self.periods = {**period_table(self.plan),
                        **{p.label: p for p in all_periods(self.plan, rule.period)}}
        self.by_id = outcome.index.by_id
        self.root = root
        self.who: dict[str, Selector] = {}
        for scope in rule.scopes:
            for unit, who in scope_units(self.plan, scope):
                self.who.setdefault(unit, who)
        self._ctx: Context | None = None
        self._compiled: Compiled | None = None
        self._invalid: list[_Invalid] | None = None

    # -------------------------------------------------------------- one result
    def result(self, res: Result) -> ResultText:
        plan, rule = self.plan, self.rule
        period = self.periods.get(res.period)
        shown = period_words(plan, period) if period else printable(res.period)
        says: list[str] = []
        records: list[Entry] = []
        if period is not None:
            says = self._says(res, period)
        bad = {v.record: v.message for v in res.violations}
        late = set(res.late_records)
        for rid in res.records:
            rec = self.by_id.get(rid)
            if rec is None:
                continue
            if rid in bad:
                records.append(self._entry(rec, BREAKS, printable(bad[rid], PLAN_TEXT)))
            elif rid in late:
                records.append(self._entry(rec, LATE, status_word("late")))
            else:
                records.append(self._entry(rec, COUNTS))
        near: list[Entry] = []
        if period is not None and res.status in OWED and rule.kind != "each":
            near = self._near(res, period)
        return ResultText(printable(plan.unit_name(res.unit)), shown, res.status,
                          status_word(res.status), progress(res.actual, res.target), says,
                          records, near[:NEAR_SHOWN], max(0, len(near) - NEAR_SHOWN))

    def _entry(self, rec: Record, mark: str, why: str = "") -> Entry:
        return Entry(mark, _day(self.plan, rec.day(self.rule.date_field) or rec.date),
                     printable(rec.title), printable(rec.file), why)

    def _counted_day(self, rec: Record) -> dt.date | None:
        due = self.rule.due
        if due is not None and due.basis == "commit":
            first = self.outcome.commits.get(rec.id)
            if first is not None:
                return first.day
        return rec.day(self.rule.date_field)

    # -------------------------------------------------------------- sentences
    def _says(self, res: Result, period: Period) -> list[str]:
        """What the result means, in sentences: the waiver, then what the rule's kind says."""
        out: list[str] = []
        if res.status == "waived" and res.waiver:
            rec = self.by_id.get(res.waiver)
            out.append(_("Waived by the waiver record “{title}” ({file}).").format(
                title=printable(rec.title if rec else res.waiver),
                file=printable(rec.file if rec else "")))
        kind = self.rule.kind
        if kind == "count":
            out += self._count_says(res, period)
        elif kind == "coverage":
            out += self._coverage_says(res, period)
        elif kind == "deadline":
            out += self._deadline(res)
        elif kind == "each":
            out += self._each_says(res)
        elif kind == "exists":
            out += self._exists_says(res, period)
        elif kind == "tally":
            out.append(_("{n} records counted (a tally: no target).").format(
                n=int(res.actual or 0)))
        return out

    def _running(self, res: Result, period: Period) -> tuple[int, bool]:
        """Days left in the period, and whether the result is still running (pending, or
        waived while the period lasts)."""
        left = (period.end - self.as_of).days
        return left, res.status == "pending" or (res.status == "waived" and left > 0)

    def _count_says(self, res: Result, period: Period) -> list[str]:
        n, target = int(res.actual or 0), int(res.target or 0)
        short = max(target - n, 0)
        end = _day(self.plan, period.end)
        left, running = self._running(res, period)
        if short == 0:
            return [_("{n} counted; the target of at least {target} is reached.")
                    .format(n=n, target=target)]
        if not running:
            return [_("{n} counted when the period ended on {end}; the target is at "
                      "least {target}: {short} short.").format(
                          n=n, end=end, target=target, short=short)]
        out = [_("{n} counted so far; {this} has {left} days left (until {end}), "
                 "{short} more needed.").format(n=n, this=_this(self.plan, period), left=left,
                                                end=end, short=short)]
        if short > left:
            out.append(_("Even one a day, the target can no longer be reached in time."))
        return out

    def _coverage_says(self, res: Result, period: Period) -> list[str]:
        missing = "、".join(printable(v) for v in res.missing or ())
        end = _day(self.plan, period.end)
        left, running = self._running(res, period)
        if not missing:
            return [_("Every required value is covered.")]
        if running:
            return [_("Still missing: {values}; {this} has {left} days left (until "
                      "{end}).").format(values=missing, this=_this(self.plan, period),
                                        left=left, end=end)]
        return [_("Still missing when the period ended on {end}: {values}.")
                .format(end=end, values=missing)]

    def _each_says(self, res: Result) -> list[str]:
        total, broken = int(res.target or 0), len(res.violations)
        if broken:
            return [_("{k} of {n} records do not meet the requirement:").format(
                k=broken, n=total)]
        return [_("All {n} records meet the requirement.").format(n=total)]

    def _exists_says(self, res: Result, period: Period) -> list[str]:
        rule = self.rule
        deadline = rule.due.date if rule.due and rule.due.date else period.end
        if res.records:
            return [_("An entry meeting the rule is registered.")]
        if res.status == "pending":
            return [_("No entry meeting the rule yet; it is due by {due}.").format(
                due=_day(self.plan, deadline))]
        return [_("No entry meeting the rule was registered by {due}.").format(
            due=_day(self.plan, deadline))]

    def _deadline(self, res: Result) -> list[str]:
        plan = self.plan
        due = _day(plan, res.due)
        if res.status == "met":
            return [_("Filed on time (due {due}).").format(due=due)]
        if res.status == "late":
            out = []
            for rid in res.late_records:
                rec = self.by_id.get(rid)
                if rec is not None:
                    out.append(_("Late: “{title}” was filed on {day}, after the due day {due}.")
                               .format(title=printable(rec.title),
                                       day=_day(plan, self._counted_day(rec)), due=due))
            return out or [_("Filed after the due day {due}.").format(due=due)]
        if res.status == "unmet" or res.due is None:
            return [_("Nothing was filed by the due day {due}.").format(due=due)]
        left = (res.due - self.as_of).days
        if left <= 0:
            return [_("Not filed yet; today ({due}) is the due day.").format(due=due)]
        return [_("Not filed yet; due {due}, {left} days left.").format(due=due, left=left)]

    # -------------------------------------------------------------- near misses
    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            self._ctx = Context(self.plan, self.outcome.index, self.as_of)
        return self._ctx

    @property
    def compiled(self) -> Compiled | None:
        if self._compiled is None:
            try:
                self._compiled = Compiled.of(self.rule)
            except ConditionError:  # the plan loader refuses these; be safe regardless
                return None
        return self._compiled

    def _passes(self, which: str, rec: Record, period: Period) -> bool:
        c = self.compiled
        cond = None if c is None else c.where if which == "where" else c.condition
        if c is None or cond is None:
            return True
        needs = c.where_needs if which == "where" else c.condition_needs
        try:
            return cond.test(self.ctx.activation(rec, needs, period))
        except (ConditionError, ValueError, TypeError, OverflowError):
            return False

    def _candidates(self, who: Selector) -> list[Record]:
        index = self.outcome.index
        out: list[Record] = []
        for type_id in self.rule.select.types:
            if who.target is not None:
                out += index.by_field(type_id, TARGET_FIELD).get(who.target, [])
            else:
                out += index.of(type_id, who.units)
        return out

    def _near(self, res: Result, period: Period) -> list[Entry]:
        """Records of the unit that almost counted, nearest the period first."""
        rule, plan = self.rule, self.plan
        who = self.who.get(res.unit)
        if who is None:
            return []
        counted = set(res.records)
        where_text = _unmet(rule.select.where_text, _("does not meet what counts"))
        cond_text = _unmet(rule.condition_text, _("does not meet the rule's condition"))
        upto = rule.kind == "exists"
        deadline = (rule.due.date if upto and rule.due and rule.due.date else period.end)
        found: list[tuple[int, bool, Entry]] = []  # distance, before the period, entry
        for rec in self._candidates(who):
            if rec.id in counted:
                continue
            day = rec.day(rule.date_field)
            inside = self._inside(rec, day, period, deadline if upto else None)
            distance = 0 if inside or day is None else min(abs((day - period.start).days),
                                                            abs((day - period.end).days))
            if not inside and distance > NEAR_DAYS:
                continue
            passes = self._passes("where", rec, period)
            if inside:
                if day is not None and day > self.as_of:
                    why = _("dated after {as_of}, the day the check is made for: not counted "
                            "yet").format(as_of=_day(plan, self.as_of))
                elif not passes:
                    why = where_text
                elif rule.condition and upto and not self._passes("condition", rec, period):
                    why = cond_text
                else:
                    continue
            elif not passes:
                continue  # outside the period and not of the kind counted: not a near miss
            elif rule.period_field and not upto:
                why = _("filed for {other}, not for {period}").format(
                    other=printable(rec.fields.get(rule.period_field, "")),
                    period=period_words(plan, period))
            elif upto:
                why = _("registered on {day}, after {due}").format(
                    day=_day(plan, day), due=_day(plan, deadline))
            else:
                why = _("not within {period}").format(period=period_words(plan, period))
            before = day is not None and day < period.start
            found.append((distance, before, self._entry(rec, MISSES, why)))
        found += [(0, False, e) for e in self._invalid_near(who, period)]
        found.sort(key=lambda x: (x[0], x[2].day, x[2].file))
        # outside the period only the nearest few on each side: a busy neighbouring month
        # would otherwise bury the records that tell why
        sides: dict[bool, int] = {True: 0, False: 0}
        out = []
        for distance, before, entry in found:
            if distance:
                sides[before] += 1
                if sides[before] > OUTSIDE_SHOWN:
                    continue
            out.append(entry)
        return out

    def _inside(self, rec: Record, day: dt.date | None, period: Period,
                deadline: dt.date | None) -> bool:
        if deadline is not None:  # a registry entry counts from the day it was set up
            return day is None or day <= deadline
        if self.rule.period_field:
            return rec.fields.get(self.rule.period_field) == period.label
        return day is not None and period.contains(day)

    # -------------------------------------------------------------- invalid records
    def _invalid_near(self, who: Selector, period: Period) -> list[Entry]:
        out = []
        types = set(self.rule.select.types)
        for bad in self._invalid_records():
            if bad.type not in types:
                continue
            if who.target is not None:
                if bad.target != who.target:
                    continue
            elif bad.unit not in who.units:
                continue
            if bad.day is not None and (bad.day < period.start - dt.timedelta(NEAR_DAYS)
                                        or bad.day > period.end + dt.timedelta(NEAR_DAYS)):
                continue
            out.append(Entry(MISSES, _day(self.plan, bad.day), bad.title, bad.file,
                             _("invalid record, not counted: {problem}").format(
                                 problem=bad.problem)))
        return out

    def _invalid_records(self) -> list[_Invalid]:
        if self._invalid is None:
            self._invalid = _read_invalid(self.plan, self.outcome, self.root)
        return self._invalid


@dataclass(frozen=True, slots=True)
class _Invalid:
    """What an invalid record file says about itself (type, unit, day), and its problem."""

    file: str
    type: str
    unit: str
    target: str
    day: dt.date | None
    title: str
    problem: str


def raw_field(value: dict[str, Any], plan: Plan, name: str) -> Any:
    """A common field of a raw record, under any of its spellings (id, Chinese name,
    aliases: :meth:`FieldSpec.spellings`), or None."""
    spec = plan.common_fields.get(name)
    return next((value[key] for key in (spec.spellings(name) if spec else [name])
                 if key in value), None)


def _read_invalid(plan: Plan, outcome: Outcome, root: Path | None) -> list[_Invalid]:
    """The invalid record files (at most :data:`INVALID_FILES`), read once for what they
    say about themselves; a file that cannot be read as a mapping is left out."""
    if root is None:
        return []
    from ..load.files import Unreadable, read_limited
    from ..load.yamlsafe import load_bytes
    from ..records.values import BadValue, read_date

    first: dict[str, str] = {}
    for p in outcome.problems:
        if p.severity == "error" and p.file not in first:
            first[p.file] = p.message + (f"（{p.expected}）" if p.expected else "")
    out: list[_Invalid] = []
    for file, problem in list(first.items())[:INVALID_FILES]:
        try:
            data = read_limited(root / file, root)
        except (Unreadable, OSError, ValueError):
            continue
        loaded = load_bytes(data, file)
        value = loaded.value
        if loaded.problem or not isinstance(value, dict):
            continue
        type_name = raw_field(value, plan, "type")
        type_id = plan.type_names.get(type_name) if isinstance(type_name, str) else None
        if type_id is None:
            continue
        day = None
        raw_day = raw_field(value, plan, "date")
        if isinstance(raw_day, dt.date):
            day = raw_day
        elif isinstance(raw_day, str):
            try:
                day = read_date(raw_day)
            except BadValue:
                day = None
        unit, target, title = (raw_field(value, plan, k)
                               for k in ("unit", TARGET_FIELD, "title"))
        out.append(_Invalid(printable(file), type_id, str(unit), str(target), day,
                            printable(title if isinstance(title, str) else ""),
                            printable(problem, PLAN_TEXT)))
    return out


# ---------------------------------------------------------------------------- entry point
def explain(outcome: Outcome, rule_id: str, units: Iterable[str] = (),
            period: str | None = None, root: Path | None = None) -> Explanation:
    """The explanation of rule ``rule_id`` in ``outcome`` (only the results of ``period``,
    a label such as ``2023-04``, when given).  ``units``: only these units' results, and a
    unit the rule is not for is told whose duty it is.  ``root``: the repository, to read invalid
    record files that may have almost counted (none are read without it)."""
    plan = outcome.plan
    rule = plan.rule(rule_id)
    if rule is None:
        raise KeyError(rule_id)
    item = plan.items.get(rule.item)
    explainer = _Explainer(outcome, rule, root)
    units = list(units)
    results = [explainer.result(res) for res in outcome.results
               if res.rule == rule.id and (period is None or res.period == period)
               and (not units or res.unit in units)]
    return Explanation(
        rule=printable(rule.id), name=printable(rule.name),
        item=_("Item {n}: {title}").format(n=rule.item, title=printable(
            item.title if item else "", PLAN_TEXT)),
        source=_("Source: “{s}”").format(s=printable(rule.source, PLAN_TEXT)),
        facts=facts_line(plan, rule),
        note=_("Note: {n}").format(n=printable(rule.note, PLAN_TEXT)) if rule.note else "",
        conditions=condition_lines(rule),
        as_of=_("As of {day}").format(day=as_of_day(outcome.as_of).isoformat()),
        results=results, duty=duty_lines(plan, rule, units))


__all__ = ["Entry", "Explanation", "ResultText", "condition_lines", "explain"]
