"""``dc rules`` (every rule, by section) and ``dc explain RULE`` (why a status is what it is).

Both only parse options and call the library; :mod:`dianchang_cli.render.rules` prints.
"""

from __future__ import annotations

import re
from pathlib import Path

import typer

from ..diagnostics import printable
from ..i18n import _
from .common import (
    NO_METAVAR,
    as_of_from,
    fail_usage,
    load_plan,
    month_like,
    options,
    period_option,
    repo_from,
    run_check,
)
from .typerhooks import DcCommand

_PERIOD_LABEL = re.compile(r"^\d{4}(-(Q[1-4]|H[12]))?$")


def _wanted_period(month: str | None) -> str | None:
    """``explain --month``: a month (``2023-4`` → ``2023-04``; ``2023-13`` exits 2) or
    another period label as the results name it (``2023-Q2``, ``2023``)."""
    if month is None:
        return None
    if month_like(month):
        return period_option("month", month, "--month").label
    return month.strip()


def register(app: typer.Typer) -> None:
    opt = options()

    @app.command(cls=DcCommand,
                 help=_("List every rule with its id, name, item, scope, period, target and "
                        "basis, grouped by the plan's sections."))
    def rules(
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        coverage: bool = typer.Option(False, "--coverage", metavar=NO_METAVAR, help=_(
            "Show, for every item of the source, which rules cover its duties.")),
    ) -> None:
        from ..render.rules import render_coverage, render_rules

        the_plan = load_plan(repo_from(repo, plan, None))
        if coverage:
            raise typer.Exit(render_coverage(the_plan))
        render_rules(the_plan)

    @app.command(cls=DcCommand,
                 help=_("Show a rule, its quoted source clause, and the records that count "
                        "toward it."))
    def explain(
        rule_id: str = typer.Argument(..., metavar=_("RULE"), help=_("Rule id, e.g. 12.2")),
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
        as_of: str | None = opt.as_of,
        unit: list[str] | None = opt.unit,
        month: str | None = typer.Option(None, "--month", metavar=_("PERIOD"), help=_(
            "Only this period, e.g. 2023-04."), show_default=False),
    ) -> None:
        from ..render.rules import render_explanation
        from ..report.explain import explain as explain_rule

        wanted = _wanted_period(month)
        where = repo_from(repo, plan, records)
        outcome = run_check(where, as_of=as_of_from(as_of), units=unit or None,
                            rules=[rule_id])
        rule = outcome.plan.rule(rule_id)
        if rule is None:  # pragma: no cover - run_check refuses unknown rules
            fail_usage(_("unknown rule '{r}'; dc rules lists them").format(
                r=printable(rule_id)))
        if (wanted is not None and wanted not in {res.period for res in outcome.results}
                and not month_like(wanted) and not _PERIOD_LABEL.match(wanted)):
            fail_usage(_("--month {value}: no period of rule {rule} is called that; write a "
                         "month like 2023-04 (or a label dc check shows, such as 2023-Q2)")
                       .format(value=printable(wanted), rule=printable(rule.id)))
        render_explanation(explain_rule(outcome, rule.id, unit or (), wanted, where.root))
        raise typer.Exit(0)
