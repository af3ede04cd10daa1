"""Stage 4 — evaluate: every rule × scope unit × period → :class:`Result`.

The loop is generic: scopes come from ``units.yaml``, periods from the plan's calendar, the
judgement from the rule's kind module.  Waiver records turn a result that is not met into
``waived``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace

from ..planfile.plan import Plan
from ..records.model import Record
from . import kinds
from .context import Compiled, Context, Selector
from .index import Index
from .periods import periods_for
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


def waiver_map(plan: Plan, index: Index, as_of: dt.date) -> dict[tuple[str, str, str], str]:
    """(rule, unit, period) → waiver record id, for waivers issued by ``as_of``."""
    spec = plan.waivers
    if spec is None:
        return {}
    out: dict[tuple[str, str, str], str] = {}
    for unit in index.units_with(spec.type):
        for rec in index.of(spec.type, [unit]):
            if rec.date is not None and rec.date > as_of:
                continue
            key = (str(rec.fields.get(spec.rule)), str(rec.fields.get(spec.unit)),
                   str(rec.fields.get(spec.period)))
            out.setdefault(key, rec.id)
    return out


def default_as_of(plan: Plan, today: dt.date | None = None) -> dt.date:
    """Today, capped at the end of the plan year."""
    return min(today or dt.date.today(), plan.year_end)


def evaluate(plan: Plan, records: Iterable[Record], as_of: dt.date,
             units: Collection[str] | None = None, rules: Collection[str] | None = None,
             index: Index | None = None, commit_days: Mapping[str, dt.date] | None = None
             ) -> list[Result]:
    """Evaluate the plan's rules (or only ``rules``; an empty collection: none) for all units
    (or only ``units``).

    ``commit_days`` (record id → day its file was first committed) serves deadlines with
    ``basis: commit``; without it they count each record's own day.
    """
    index = index or Index(records)
    ctx = Context(plan, index, as_of, commit_days)
    waivers = waiver_map(plan, index, as_of)
    results: list[Result] = []
    for rule in plan.rules:
        if rules is not None and rule.id not in rules:
            continue
        compiled = Compiled.of(rule)
        kind = kinds.get(rule.kind)
        periods = periods_for(plan, rule.period, as_of)
        for scope in rule.scopes:
            for unit, who in scope_units(plan, scope):
                if units and unit not in units:
                    continue
                for period in periods:
                    result = kind(compiled, ctx, unit, who, period)
                    if result is None:
                        continue
                    waiver = waivers.get((rule.id, unit, period.label))
                    if waiver and result.status in ("unmet", "pending", "late"):
                        result = replace(result, status="waived", waiver=waiver)
                    results.append(result)
    return results
