"""The per-unit part of a report: what the unit did, owes, broke, was excused from, and
which deadlines come next month.  Everything is read generically from the plan (record
kinds, the waiver spec, deadline rules) and the engine's results."""

from __future__ import annotations

import datetime as dt

from ..core import OWED
from ..engine.kinds.deadline import rule_due_day
from ..engine.periods import Period, all_periods, month, shift
from ..engine.results import Result
from ..i18n import _, ngettext
from ..planfile.model import Rule
from ..records.model import Record
from ..render.vocabulary import number_text
from .clipping import TEXT_LIMIT, clip
from .model import Breach, Deadline, Event, Fact, Owed, UnitBlock, WaiverNote
from .scope import View, actual_text, detail_text, overlaps
from .text import cell
from .todo import sentence

BREACHES_SHOWN = 20  # per unit; the rest are counted in one line


def next_month(period: Period) -> Period:
    after = shift(period.end, 1)
    return month(after.year, after.month)


def unit_blocks(view: View) -> list[UnitBlock]:
    titles = {rid: clip(rec.title) for rid, rec in view.outcome.index.by_id.items()}
    return [_block(view, unit, titles) for unit in view.units]


def _block(view: View, unit: str, titles: dict[str, str]) -> UnitBlock:
    plan = view.plan
    order = {rule.id: n for n, rule in enumerate(view.rules)}
    mine = sorted((r for r in view.results if view.owner.get(r.unit) == unit),
                  key=lambda r: (order.get(r.rule, len(order)), view.sort_key(r)))
    events = _events(view, unit)
    owed = [Owed(r.rule, _rule_name(view, r.rule), r.period, actual_text(r), cell(r.status),
                 detail_text(r, titles, view), view.marks.get(r.rule), _owed_text(view, r))
            for r in mine if r.status in OWED]
    breaches = [Breach(r.rule, clip(v.record), titles.get(v.record) or clip(v.record),
                       clip(v.message, TEXT_LIMIT), clip(f"{v.file}:{v.line}") if v.file else "")
                for r in mine for v in r.violations]
    if len(breaches) > BREACHES_SHOWN:  # a year of a careless unit would fill pages
        more = len(breaches) - BREACHES_SHOWN
        breaches = [*breaches[:BREACHES_SHOWN],
                    Breach("", "", _("… and {n} more").format(n=more),
                           _("dc check and dc explain list them all"), "")]
    rows = ([_event(view, rec) for rec in events] if view.period.kind == "month"
            else _by_type(view, events))
    return UnitBlock(unit, plan.unit_name(unit), rows, _totals(events), owed, breaches,
                     _waivers(view, unit), _deadlines(view, unit))


def _owed_text(view: View, result: Result) -> str:
    """What is still owed, in the very sentence ``dc todo`` shows for it."""
    rule, period = view.plan.rule(result.rule), view.periods.get(result.period)
    if rule is None or period is None:
        return ""
    return sentence(view.plan, rule, result, period, view.as_of)


def _rule_name(view: View, rule_id: str) -> str:
    rule = view.plan.rule(rule_id)
    return rule.name if rule else rule_id


def event_records(view: View, members: list[str]) -> list[Record]:
    """The event records of ``members`` dated in the report's period, up to as-of (by type
    in plan order; the records the report's "done this period" tables list)."""
    plan, index = view.plan, view.outcome.index
    end = min(view.period.end, view.as_of)
    found: list[Record] = []
    for type_id, rtype in plan.types.items():
        if rtype.kind == "event":
            found.extend(index.between(type_id, members, view.period.start, end))
    return found


def _events(view: View, unit: str) -> list[Record]:
    """The unit's (and its branches') event records dated in the period, up to as-of."""
    members = [m for m, owner in view.owner.items() if owner == unit]
    return sorted(event_records(view, members), key=lambda r: (r.date or dt.date.min, r.title,
                                                               r.id))


def _event(view: View, rec: Record) -> Event:
    rtype = view.plan.types.get(rec.type)
    return Event(rec.date.isoformat() if rec.date else "",
                 rtype.name if rtype else clip(rec.type), clip(rec.title),
                 number_text(rec.get("participants")), number_text(rec.get("volunteers")),
                 number_text(rec.get("service_hours")))


def _by_type(view: View, events: list[Record]) -> list[Event]:
    """A quarter's or year's work as one line per record type (a month lists each record:
    a year of a busy community would run to dozens of pages)."""
    groups: dict[str, list[Record]] = {}
    for rec in events:
        groups.setdefault(rec.type, []).append(rec)
    rows = []
    for type_id in view.plan.types:
        if type_id in groups:
            line = _totals(groups[type_id])
            rows.append(Event("", view.plan.types[type_id].name, line.title, line.participants,
                              line.volunteers, line.hours))
    return rows


def field_sum(records: list[Record], name: str) -> int | float | None:
    """The sum of the number field ``name`` over the records that have it; ``None`` when
    none has (a true/false is not a number here)."""
    values = [v for rec in records if isinstance(v := rec.get(name), int | float)
              and not isinstance(v, bool)]
    return sum(values) if values else None


def _totals(events: list[Record]) -> Event:
    def total(name: str) -> str:
        found = field_sum(events, name)
        return "" if found is None else number_text(round(found, 2))

    count = ngettext("{n} record", "{n} records", len(events)).format(n=len(events))
    return Event("", "", count, total("participants"),
                 total("volunteers"), total("service_hours"))


def _waivers(view: View, unit: str) -> list[WaiverNote]:
    """The waivers that count (as the engine matched them) for the unit, whose period
    overlaps the report's."""
    plan, spec = view.plan, view.plan.waivers
    if spec is None or spec.type not in plan.types:
        return []
    named = {spec.rule, spec.unit, spec.period}
    rtype = plan.types[spec.type]
    by_id = view.outcome.index.by_id
    out: list[WaiverNote] = []
    for (rule_id, target, label), rec_id in view.outcome.waivers.items():
        p = view.periods.get(label)
        rec = by_id.get(rec_id)
        if rec is None or view.owner.get(target) != unit or p is None \
                or not overlaps(p, view.period):
            continue
        facts = [Fact(fs.name or name, clip(_value(view, fs.type, rec.get(name))))
                 for name, fs in rtype.fields.items()
                 if name not in named and rec.get(name) not in (None, "", [])]
        out.append(WaiverNote(clip(rule_id), clip(_rule_name(view, rule_id)), clip(label),
                              clip(rec.id), facts))
    return out


def _value(view: View, kind: str, value: object) -> str:
    """A field value for people: staff and units by name, lists joined."""
    if kind == "staff" and isinstance(value, str) and value in view.plan.staff:
        return view.plan.staff[value].name
    if kind == "unit" and isinstance(value, str):
        return view.plan.unit_name(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return number_text(value)


def _deadlines(view: View, unit: str) -> list[Deadline]:
    """Due days of deadline rules for the unit that fall in the month after the period."""
    plan = view.plan
    nxt = next_month(view.period)
    if nxt.start.year != plan.year:
        return []
    by_key = {(r.rule, r.unit, r.period): r for r in view.outcome.results}
    out: list[Deadline] = []
    for rule in plan.rules:
        if rule.kind != "deadline" or rule.due is None:
            continue
        whom = _scope_units(view, rule, unit)
        for p in all_periods(plan, rule.period):
            if p.kind != "year" and p.end < plan.effective:
                continue
            due = rule_due_day(rule, p)
            if not nxt.contains(due):
                continue
            for who in whom:
                res = by_key.get((rule.id, who, p.label))
                out.append(Deadline(rule.id, rule.name, due.isoformat(), p.label,
                                    cell(res.status) if res else None))
    return sorted(out, key=lambda d: (d.due, d.rule))


def _scope_units(view: View, rule: Rule, unit: str) -> list[str]:
    """The units a rule reports under that are shown under ``unit`` (itself, its branches)."""
    from ..engine.evaluate import scope_units

    return sorted({u for scope in rule.scopes for u, _who in scope_units(view.plan, scope)
                   if view.owner.get(u) == unit})
