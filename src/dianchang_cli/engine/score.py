"""The score sheet: inspections start each unit at 100 and deduct per shortfall.

Each rule may carry a ``weight`` (points deducted for each ``unmet`` or ``late`` result of a
unit); results of ``all``/``subdistrict`` scope count against the subdistrict.  A unit's score
for a period is the base minus the deductions of results whose period lies within it: the
year's score takes everything, a month's score only that month's results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..core import FAILING
from ..planfile.plan import Plan
from .results import Result


def deductions(plan: Plan, results: Iterable[Result]) -> dict[str, dict[str, float]]:
    """unit → period label → points deducted by results of exactly that period."""
    weights = {r.id: r.weight for r in plan.rules if r.weight}
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for res in results:
        weight = weights.get(res.rule)
        if weight and res.status in FAILING:  # results that cost points
            out[res.unit][res.period] += weight
    return out


def scores(plan: Plan, results: Iterable[Result], year: str | None = None
           ) -> dict[str, dict[str, float]]:
    """unit → {period label → score}, with a year-to-date score under the year's label.

    Every community and the subdistrict get a year score, even with nothing deducted.
    """
    base = plan.settings.score_base
    year = year or f"{plan.year:04d}"
    table = deductions(plan, results)
    out: dict[str, dict[str, float]] = {}
    for unit in [plan.subdistrict, *(u.id for u in plan.units_of_kind("community"))]:
        per = table.get(unit, {})
        row = {label: round(base - pts, 2) for label, pts in sorted(per.items())}
        row[year] = round(base - sum(per.values()), 2)
        out[unit] = row
    return out


def score_for(plan: Plan, results: Iterable[Result], unit: str, labels: set[str]) -> float:
    """The score of ``unit`` counting only results whose period label is in ``labels``."""
    table = deductions(plan, results).get(unit, {})
    return round(plan.settings.score_base - sum(v for k, v in table.items() if k in labels), 2)
