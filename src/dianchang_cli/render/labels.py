"""Words shown for statuses, scopes, periods and kinds, in the active language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import N_, _

if TYPE_CHECKING:
    from ..planfile.model import Rule

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


def status_word(status: str) -> str:
    return _(STATUS_WORDS.get(status, status))


def scope_word(scope: str) -> str:
    return _(SCOPE_WORDS.get(scope, scope))


def period_word(period: str) -> str:
    if period.startswith("window:"):
        return _("window {w}").format(w=period.split(":", 1)[1])
    return _(PERIOD_WORDS.get(period, period))


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


def target_text(rule: Rule) -> str:
    """The rule's target in a few words: ``≥ 8``, ``≥ 1, by day 7``, ``covers 5``."""
    if rule.kind == "count":
        return f"≥ {rule.target}"
    if rule.kind == "deadline" and rule.due:
        when = (_("by day {d}").format(d=rule.due.day) if rule.due.day
                else _("by {d}").format(d=rule.due.date.isoformat() if rule.due.date else ""))
        return f"≥ {rule.target or 1}, {when}"
    if rule.kind == "coverage":
        if rule.values:
            return _("covers {values}").format(values="、".join(rule.values))
        return _("covers all values of {f}").format(f=rule.field)
    if rule.kind == "each":
        return _("every record")
    if rule.kind == "exists":
        return _("exists")
    return _("count only")
