"""Stage 4 — evaluate: every rule × scope unit × period → :class:`Result`.

The loop is generic: scopes come from ``units.yaml``, periods from the plan's calendar, the
judgement from the rule's kind module (a bare verdict, which the loop stamps with rule,
unit, period and severity).  Waiver records approved from above turn a result
that is not met into ``waived``; a waiver that does not count is a ``bad-waiver`` problem
(:func:`check_waivers`).
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from .. import forked
from ..core import OPEN
from ..diagnostics import Problem, printable
from ..i18n import _
from ..planfile.model import Rule
from ..planfile.plan import Plan
from ..records.model import Record
from . import kinds
from .context import Compiled, Context, Selector
from .index import Index
from .kinds import Kind
from .memo import Memo
from .periods import Period, all_periods, periods_for
from .results import Result


def scope_units(plan: Plan, scope: str) -> list[tuple[str, Selector]]:
    """For one scope: the units results are reported under, and whose records count."""
    top = plan.subdistrict
    if scope == "subdistrict":
        return [(top, Selector(units=(top,)))]
    if scope == "all":
        return [(top, Selector(units=tuple(plan.units)))]
    if scope == "community":
        return [(u.id, Selector(units=plan.members(u.id))) for u in plan.units_of_kind("community")]
    if scope == "branch":
        return [(u.id, Selector(units=(u.id,))) for u in plan.units_of_kind("branch")]
    if scope == "target":
        return [(u.id, Selector(target=u.id)) for u in plan.units_of_kind("community")]
    raise ValueError(scope)  # the plan model admits only the scopes above


@dataclass
class WaiverCheck:
    """The waivers that count, and a ``bad-waiver`` problem for each one that does not."""

    valid: dict[tuple[str, str, str], str] = field(default_factory=dict)  # key → record id
    problems: list[Problem] = field(default_factory=list)


def check_waivers(plan: Plan, index: Index, as_of: dt.date) -> WaiverCheck:
    """Read every waiver record: (rule, unit, period) → waiver id for those that count.

    A waiver counts when it has been issued by ``as_of`` and nothing below is wrong with it.
    Each wrong one is a ``bad-waiver`` error at the waiver's file and the line of the field
    at fault, and waives nothing (it is never silently ignored):

    - its rule is not a rule of the plan;
    - its unit is not one the rule has results for (not in the rule's scope);
    - its period is not a period of the rule's kind (``2023-Q2`` on a monthly rule), or one
      that ends before the plan took effect (never evaluated);
    - its approver (``waivers.approver``, when the waiver type has that field) is not a
      staff member of a unit strictly above the waived unit holding one of
      ``waivers.approver_roles`` (any role, when none are listed).

    A waiver issued in advance, for a period that has not begun yet, is not wrong: it
    counts once that period is evaluated.  All waivers are checked, also those dated after
    ``as_of``: a mistake in a record is one whatever day is asked about.
    """
    spec = plan.waivers
    out = WaiverCheck()
    if spec is None:
        return out
    checks_approver = plan.field_spec(spec.type, spec.approver) is not None
    scopes: dict[str, set[str]] = {}
    labels: dict[str, list[Period]] = {}
    for unit in index.units_with(spec.type):
        for rec in index.of(spec.type, [unit]):
            problems = _waiver_problems(plan, rec, scopes, labels, checks_approver)
            out.problems.extend(problems)
            if problems or (rec.date is not None and rec.date > as_of):
                continue
            key = (str(rec.fields.get(spec.rule)), str(rec.fields.get(spec.unit)),
                   str(rec.fields.get(spec.period)))
            out.valid.setdefault(key, rec.id)
    return out


def _waiver_problems(plan: Plan, rec: Record, scopes: dict[str, set[str]],
                     labels: dict[str, list[Period]], checks_approver: bool
                     ) -> list[Problem]:
    """Why one waiver record does not count (empty: it counts)."""
    spec = plan.waivers
    assert spec is not None
    out: list[Problem] = []

    def bad(name: str, message: str, expected: str | None = None) -> None:
        out.append(Problem(rec.file, rec.line_of((name,)), 1, "bad-waiver", message,
                           expected=expected, record=rec.id, path=(name,)))

    rule_id, unit, label = (rec.fields.get(spec.rule), rec.fields.get(spec.unit),
                            rec.fields.get(spec.period))
    rule = plan.rule(str(rule_id)) if rule_id is not None else None
    if rule is None:
        bad(spec.rule, _("the waiver names no rule of the plan ('{r}')").format(
            r=printable(rule_id if rule_id is not None else "")),
            expected=_("a rule id of the plan (dc rules lists them)"))
    if unit is None:
        bad(spec.unit, _("the waiver names no unit (field '{f}')").format(
            f=printable(spec.unit)), expected=_("the id of the unit the waiver is for"))
    if rule is not None and unit is not None:
        owners = scopes.get(rule.id)
        if owners is None:
            owners = {u for scope in rule.scopes for u, _who in scope_units(plan, scope)}
            scopes[rule.id] = owners
        if str(unit) not in owners:
            bad(spec.unit, _("rule {r} is not a duty of '{u}', so there is nothing to waive")
                .format(r=rule.id, u=printable(unit)),
                expected=_("a unit rule {r} has results for: {units}").format(
                    r=rule.id, units=printable(", ".join(sorted(owners)))))
    if rule is not None:
        kind = labels.get(rule.period)
        if kind is None:
            kind = all_periods(plan, rule.period)
            labels[rule.period] = kind
        period = next((p for p in kind if p.label == str(label)), None)
        examples = printable(", ".join(p.label for p in kind[:3]))
        if label is None:
            bad(spec.period, _("the waiver names no period (field '{f}')").format(
                f=printable(spec.period)),
                expected=_("a period of rule {r}, e.g. {e}").format(r=rule.id, e=examples))
        elif period is None:
            bad(spec.period, _("'{p}' is not a period of rule {r}, which is judged per {kind}")
                .format(p=printable(label), r=rule.id, kind=printable(rule.period)),
                expected=_("a period of rule {r}, e.g. {e}").format(r=rule.id, e=examples))
        elif period.kind != "year" and period.end < plan.effective:
            bad(spec.period, _("'{p}' ends before the plan took effect ({day}): it has no "
                               "result to waive").format(p=printable(label),
                                                          day=plan.effective.isoformat()),
                expected=_("a period from {day} on").format(day=plan.effective.isoformat()))
    if unit is not None and str(unit) in plan.units and not plan.ancestors(str(unit)):
        # the top unit: nobody is above it to approve, whether approvers are checked or not
        bad(spec.unit, _("{unit} has no unit above it, so no one can waive its results")
            .format(unit=printable(plan.unit_name(str(unit)))))
    elif checks_approver and unit is not None:
        _check_approver(plan, rec, str(unit), bad)
    return out


def _check_approver(plan: Plan, rec: Record, unit: str, bad: Callable[..., None]) -> None:
    """A waiver comes from above: its approver holds an approving role at a unit strictly
    above the waived one; what is wrong is reported through ``bad``."""
    spec = plan.waivers
    assert spec is not None
    approver = rec.fields.get(spec.approver)
    above = plan.ancestors(unit)
    where = printable(", ".join(plan.unit_name(u) for u in above)) if above else ""
    staff = plan.staff.get(str(approver)) if approver is not None else None
    if staff is None:
        bad(spec.approver, _("the waiver names no approver of the plan's staff ('{s}')").format(
            s=printable(approver if approver is not None else "")),
            expected=_("a staff id of plan/units.yaml"))
    elif staff.unit not in above:
        if above:
            bad(spec.approver, _("{who} of {own} cannot approve a waiver for {unit}: a waiver "
                                 "must come from a unit above it ({above})").format(
                who=printable(staff.name), own=printable(plan.unit_name(staff.unit)),
                unit=printable(plan.unit_name(unit)), above=where),
                expected=_("an approver of {above}").format(above=where))
        else:
            bad(spec.approver, _("{unit} has no unit above it, so no one can waive its "
                                 "results").format(unit=printable(plan.unit_name(unit))))
    elif spec.approver_roles and not set(staff.roles) & set(spec.approver_roles):
        need = printable(", ".join(spec.approver_roles))
        bad(spec.approver, _("{who} ({roles}) cannot approve a waiver: it needs one of the "
                             "roles {need}").format(
            who=printable(staff.name), roles=printable(", ".join(staff.roles) or "-"),
            need=need), expected=_("a staff member with one of the roles {need}").format(
                need=need))


def default_as_of(plan: Plan, today: dt.date | None = None) -> dt.date:
    """Today, capped at the end of the plan year."""
    return min(today or dt.date.today(), plan.year_end)


SPLIT_FROM = 20_000  # records: with fewer, a child costs more than half the units do
CHILD_SHARE = 45  # per cent of the estimated work the child takes: it also pickles its
# results for this process to unpickle, and copies each page of records it touches (copy on
# write); measured on 100,000 records, 45 % took 0.29 s where a half took 0.32 s


def evaluate(plan: Plan, records: Iterable[Record], as_of: dt.date,
             units: Collection[str] | None = None, rules: Collection[str] | None = None,
             index: Index | None = None, commit_days: Mapping[str, dt.date] | None = None,
             day_open: bool = False,
             waivers: Mapping[tuple[str, str, str], str] | None = None,
             memo: Memo | None = None, workers: int = 1) -> list[Result]:
    """Evaluate the plan's rules (or only ``rules``; an empty collection: none) for all units
    (or only ``units``).

    ``commit_days`` (record id → day its file was first committed) serves deadlines with
    ``basis: commit``; without it they count each record's own day.  ``as_of`` means the
    end of that day; with ``day_open`` the day is still running (evaluated as of now), so a
    due day or a period's last day that is ``as_of`` is not over yet.  ``waivers`` are the
    valid waivers of :func:`check_waivers` (computed here when not given).  ``memo``:
    results of an earlier run to reuse where the records they read are unchanged
    (:mod:`.memo`); it must have been made for the same plan, as-of moment and code.
    ``workers``: with more than one, many records and nothing to reuse, a forked child
    evaluates about half of the units meanwhile (:func:`_split`); the results are the same.
    """
    index = index or Index(records)
    ctx = Context(plan, index, as_of, commit_days, day_open=day_open)
    if waivers is None:
        waivers = check_waivers(plan, index, as_of).valid
    chosen = [rule for rule in plan.rules if rules is None or rule.id in rules]
    cells = _cells(plan, chosen, as_of, units)

    def results_of(cell: _Cell) -> list[Result]:
        return cell.results(ctx, waivers, memo)

    done: dict[int, list[Result]] = {}
    if workers > 1 and len(cells) > 1 and not (memo is not None and memo.old) \
            and index.size() >= SPLIT_FROM:
        done = _split(cells, _share(cells, index), results_of, memo)
    return [result for i, cell in enumerate(cells)
            for result in (done[i] if i in done else results_of(cell))]


@dataclass(frozen=True)
class _Prepared:
    """What evaluating one rule needs once, whatever the unit: its compiled conditions,
    its kind, the severity results carry and its periods."""

    rule: Rule
    compiled: Compiled
    kind: Kind
    severity: str | None
    periods: list[Period]


@dataclass(frozen=True)
class _Cell:
    """One rule for one unit of one of its scopes: the results of every period."""

    of: _Prepared
    unit: str
    who: Selector

    def results(self, ctx: Context, waivers: Mapping[tuple[str, str, str], str],
                memo: Memo | None) -> list[Result]:
        """The kind's verdict for every period, stamped with rule, unit, period and severity
        (none for a kind that does not judge); waived where a valid waiver covers a result
        that is not met."""
        rule, kind, compiled = self.of.rule, self.of.kind, self.of.compiled
        out: list[Result] = []
        for period in self.of.periods:
            result = _result(rule, kind, compiled, ctx, self.unit, self.who, period,
                             self.of.severity, memo)
            if result is None:
                continue
            waiver = waivers.get((rule.id, self.unit, period.label))
            if waiver and result.status in OPEN:
                result = replace(result, status="waived", waiver=waiver)
            out.append(result)
        return out


def _cells(plan: Plan, rules: list[Rule], as_of: dt.date, units: Collection[str] | None
           ) -> list[_Cell]:
    """Every rule for every unit of its scopes (only ``units``, if given), in the order
    results are reported: rule, scope, unit (then period)."""
    cells: list[_Cell] = []
    for rule in rules:
        kind = kinds.get(rule.kind)
        prepared = _Prepared(rule, Compiled.of(rule), kind,
                             rule.severity if kind.JUDGES else None,
                             periods_for(plan, rule.period, as_of))
        for scope in rule.scopes:
            cells.extend(_Cell(prepared, unit, who) for unit, who in scope_units(plan, scope)
                         if not units or unit in units)
    return cells


def _share(cells: list[_Cell], index: Index) -> set[int]:
    """About :data:`CHILD_SHARE` of the work of ``cells``: the positions of those a child
    takes.  Cells go in groups by the units whose records they read, so that each side
    mostly sorts and reads records of its own units; a group's cost is the records its
    cells select (the heaviest group first, to the child while its part is below its
    share).  (Splitting rule by rule could not balance: one rule over every activity record
    was half of the work.)"""
    sizes, by_type = index.group_sizes(), index.type_sizes()
    targets = Counter(id(cell.of) for cell in cells if cell.who.target is not None)
    groups: dict[tuple[str, ...] | str | None, list[int]] = {}
    cost: dict[tuple[str, ...] | str | None, int] = {}
    for i, cell in enumerate(cells):
        key = cell.who.units or cell.who.target
        types = cell.of.rule.select.types
        if cell.who.target is not None:  # records about a unit: its share of the types'
            selected = sum(by_type.get(t, 0) for t in types) // targets[id(cell.of)]
        else:
            selected = sum(sizes.get((t, u), 0) for t in types for u in cell.who.units)
        groups.setdefault(key, []).append(i)
        cost[key] = cost.get(key, 0) + 1 + selected + len(cell.of.periods)
    mine = theirs = 0
    taken: set[int] = set()
    for key in sorted(groups, key=lambda k: -cost[k]):
        if theirs * (100 - CHILD_SHARE) < mine * CHILD_SHARE:
            taken.update(groups[key])
            theirs += cost[key]
        else:
            mine += cost[key]
    return taken


def _split(cells: list[_Cell], theirs: set[int],
           results_of: Callable[[_Cell], list[Result]], memo: Memo | None
           ) -> dict[int, list[Result]]:
    """cell position → results, for ``cells``: ``theirs`` evaluated by a forked child
    (:mod:`..forked`) while this process evaluates the others.  Where no child can be made
    nothing is given, and where the child failed only this process's share: the caller
    evaluates the rest.  What the child put in ``memo`` is kept here too."""
    def work() -> bytes:
        done = {i: results_of(cells[i]) for i in sorted(theirs)}
        kept = (memo.kept, memo.hits) if memo is not None else None
        return pickle.dumps((done, kept), protocol=pickle.HIGHEST_PROTOCOL)

    child = forked.fork(work)
    if child is None:
        return {}
    try:
        done = {i: results_of(cell) for i, cell in enumerate(cells) if i not in theirs}
    except BaseException:
        child.stop()
        raise
    data = child.result()
    if data is not None:
        got, kept = pickle.loads(data)  # our own child's bytes
        done.update(got)
        if kept is not None and memo is not None:
            memo.absorb(*kept)
    return done


_NOTHING = Result("", "", "", "met", None)  # remembered: the kind had no verdict here


def _result(rule: Rule, kind: Kind, compiled: Compiled, ctx: Context, unit: str,
            who: Selector, period: Period, severity: str | None, memo: Memo | None
            ) -> Result | None:
    """The kind's verdict for one unit and period, stamped — from ``memo`` when it has it."""
    if memo is not None:
        found = memo.get(rule.id, unit, period.label, who)
        if found is not None:
            return None if found.rule == "" else found
    verdict = kind.check(compiled, ctx, who, period)
    result = verdict.stamp(rule.id, unit, period.label, severity) if verdict else None
    if memo is not None:
        memo.put(rule.id, unit, period.label, who, result or _NOTHING)
    return result
