"""One module per rule kind, registered by name.

A kind is a function ``evaluate(c, ctx, unit, who, period) -> Result | None``: given a
compiled rule, the evaluation context, the unit the result is reported under, whose records
count, and the period, it returns that result (``None`` when the kind has nothing to say,
e.g. an ``each`` rule in a month without records).
"""

from __future__ import annotations

from collections.abc import Callable

from ..context import Compiled, Context, Selector
from ..periods import Period
from ..results import Result
from . import count, coverage, deadline, each, exists, tally

Kind = Callable[[Compiled, Context, str, Selector, Period], Result | None]

KINDS: dict[str, Kind] = {
    "count": count.evaluate,
    "coverage": coverage.evaluate,
    "deadline": deadline.evaluate,
    "each": each.evaluate,
    "exists": exists.evaluate,
    "tally": tally.evaluate,
}


def get(name: str) -> Kind:
    """The kind called ``name``; the plan loader only admits known names."""
    return KINDS[name]
