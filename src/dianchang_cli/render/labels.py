"""Words shown for statuses, scopes, periods and kinds, in the active language."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..i18n import N_, _

if TYPE_CHECKING:
    from ..engine.results import Result
    from ..planfile.model import Rule
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
KIND_WORDS = {
    "count": N_("count"),
    "coverage": N_("coverage"),
    "each": N_("every record"),
    "deadline": N_("deadline"),
    "exists": N_("exists"),
    "tally": N_("tally"),
}
BASIS_WORDS = {"explicit": N_("explicit"), "assumed": N_("assumed")}
UNIT_KIND_WORDS = {
    "subdistrict": N_("subdistrict"),
    "community": N_("community"),
    "branch": N_("party branch"),
}


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


def span_text(name: str, start: str, end: str) -> str:
    """A named stretch of days: ``中秋节（09-22 至 10-06）`` / ``Mid-Autumn (09-22 to 10-06)``."""
    return _("{name} ({start} to {end})").format(name=name, start=start, end=end)


def unit_kind_word(kind: str) -> str:
    """What kind of unit a unit is: ``街道``, ``社区``, ``党支部``."""
    return _(UNIT_KIND_WORDS.get(kind, kind))


def kind_word(kind: str) -> str:
    return _(KIND_WORDS.get(kind, kind))


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


def field_name(rule: Rule, plan: Plan | None, field: str | None) -> str:
    """The name the plan gives a field of the rule's record types (``宣讲阵地``), else its id."""
    if plan is not None and field:
        for type_id in rule.select.types:
            spec = plan.field_spec(type_id, field)
            if spec is not None and spec.name:
                return spec.name
    return field or ""


def field_values(rule: Rule, plan: Plan | None) -> list[str]:
    """The values a coverage rule's field can take, from the plan (its enum)."""
    if plan is None or not rule.field:
        return []
    for type_id in rule.select.types:
        spec = plan.field_spec(type_id, rule.field)
        if spec is not None and spec.values:
            return list(spec.values)
    return []


def target_text(rule: Rule, plan: Plan | None = None) -> str:
    """The rule's target in a few words: ``≥ 8``, ``≥ 1, by day 7``, ``covers 5``.

    With the plan, a coverage field is named as the plan names it (``宣讲阵地``), not by id.
    """
    if rule.kind == "count":
        return f"≥ {rule.target}"
    if rule.kind == "deadline" and rule.due:
        when = (_("by day {d}").format(d=rule.due.day) if rule.due.day
                else _("by {d}").format(d=rule.due.date.isoformat() if rule.due.date else ""))
        return _("≥ {n}, {when}").format(n=rule.target or 1, when=when)
    if rule.kind == "coverage":
        if rule.values:
            return _("covers {values}").format(values="、".join(rule.values))
        values = field_values(rule, plan)
        if values:
            return _("covers every {f}: {values}").format(f=field_name(rule, plan, rule.field),
                                                          values="、".join(values))
        return _("covers all values of {f}").format(f=field_name(rule, plan, rule.field))
    if rule.kind == "each":
        return _("every record")
    if rule.kind == "exists":
        return _("exists")
    return _("count only")


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
