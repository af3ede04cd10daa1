"""Words shown for statuses, scopes, periods and kinds, in the active language.

A rule kind's word and how its target reads are declared by its module in
``engine/kinds/``; :func:`kind_word` and :func:`target_text` ask it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..engine import kinds
from ..i18n import N_, _
from ..planfile.model import UNIT_KIND_WORDS

if TYPE_CHECKING:
    from ..engine.results import Result
    from ..planfile.model import Rule, Section
    from ..planfile.plan import Plan

STATUS_WORDS = {
    "met": N_("met"),
    "unmet": N_("unmet"),
    "pending": N_("pending"),
    "late": N_("late"),
    "waived": N_("waived"),
    "info": N_("info"),
}
STATUS_SYMBOLS = {"met": "✓", "unmet": "✗", "pending": "…", "late": "!", "waived": "~",
                  "info": "·"}
STATUS_STYLES = {"met": "green", "unmet": "bold red", "pending": "yellow", "late": "magenta",
                 "waived": "cyan", "info": "dim"}
SCOPE_WORDS = {
    "subdistrict": N_("subdistrict"),
    "community": N_("each community"),
    "branch": N_("each party branch"),
    "target": N_("each community inspected"),
    "all": N_("all units together"),
}
PERIOD_WORDS = {
    "month": N_("monthly"),
    "quarter": N_("quarterly"),
    "half": N_("half-yearly"),
    "year": N_("yearly"),
    "festival": N_("each festival"),
}
BASIS_WORDS = {"explicit": N_("explicit"), "assumed": N_("assumed")}


def status_word(status: str) -> str:
    return _(STATUS_WORDS.get(status, status))


def scope_word(scope: str) -> str:
    return _(SCOPE_WORDS.get(scope, scope))


def period_word(period: str, plan: Plan | None = None) -> str:
    """``monthly`` …; a window by the name and days the plan gives it (``9月份（09-01 至
    09-30）``), never its id."""
    if period.startswith("window:"):
        window_id = period.split(":", 1)[1]
        window = plan.window(window_id) if plan is not None else None
        if window is None:
            return _("window {w}").format(w=window_id)
        return span_text(window.name, window.start, window.end)
    return _(PERIOD_WORDS.get(period, period))


def section_title(section: Section | None) -> str:
    """A section's heading as the source writes it (``一、组织建设``); ``Other rules`` for
    the rules of no section."""
    return f"{section.id}、{section.title}" if section else _("Other rules")


def span_text(name: str, start: str, end: str) -> str:
    """A named stretch of days: ``中秋节（09-22 至 10-06）`` / ``Mid-Autumn (09-22 to 10-06)``."""
    return _("{name} ({start} to {end})").format(name=name, start=start, end=end)


def unit_kind_word(kind: str) -> str:
    """What kind of unit a unit is: ``街道``, ``社区``, ``党支部``."""
    return _(UNIT_KIND_WORDS.get(kind, kind))


def kind_word(kind: str) -> str:
    """The word the kind module declares (``every record`` for ``each``)."""
    found = kinds.find(kind)
    return _(found.WORD if found is not None else kind)


def basis_word(basis: str) -> str:
    return _(BASIS_WORDS.get(basis, basis))


def progress(result_actual: object, result_target: object) -> str:
    """``5/8`` for counts, ``3/5`` for coverage (covered of required), else empty."""
    if isinstance(result_actual, list) and isinstance(result_target, int):
        return f"{len(result_actual)}/{result_target}"
    if isinstance(result_actual, int) and isinstance(result_target, int):
        return f"{result_actual}/{result_target}"
    if isinstance(result_actual, int):
        return str(result_actual)
    return ""


def target_text(rule: Rule, plan: Plan | None = None) -> str:
    """The rule's target in a few words, as its kind module reads it: ``≥ 8``, ``≥ 1, by
    day 7``, ``covers 5``.

    With the plan, a coverage field is named as the plan names it (``宣讲阵地``), not by id.
    """
    found = kinds.find(rule.kind)
    return found.target_text(rule, plan) if found is not None else _("count only")


def still_needed(kind: str, result: Result, end: dt.date | None, as_of: dt.date) -> str:
    """``剩余3天，还差5次``: a count not reached yet while its period (ending ``end``) runs."""
    if (kind != "count" or result.status != "pending" or end is None
            or not isinstance(result.actual, int) or not isinstance(result.target, int)):
        return ""
    short = result.target - result.actual
    if short <= 0:
        return ""
    day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    return _("{left} days left, {short} more needed").format(
        left=max((end - day).days, 0), short=short)
