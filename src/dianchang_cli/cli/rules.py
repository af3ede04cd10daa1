"""``dc rules`` (every rule, by section) and ``dc explain RULE`` (why a status is what it is)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..diagnostics import PlanError, printable
from ..i18n import _
from ..planfile.plan import Plan
from ..render.labels import (
    STATUS_STYLES,
    basis_word,
    period_word,
    scope_word,
    target_text,
)

if TYPE_CHECKING:
    from ..report.explain import Entry, Explanation
from .common import (
    NO_METAVAR,
    as_of_from,
    fail_usage,
    month_like,
    options,
    period_option,
    plan_failed,
    repo_from,
    run_check,
)


def _load_plan(repo: Path | None, plan: Path | None) -> Plan:
    from ..planfile.loader import load_plan

    where = repo_from(repo, plan, None)
    try:
        return load_plan(where.plan_dir, where.root)
    except PlanError as err:
        plan_failed(err)


PLAN_TEXT = 1000  # characters of a plan's text shown (a source clause, a condition)


def _show(text: object) -> str:
    """Text from the plan or a record, safe in rich markup: escaped controls, capped."""
    return escape(printable(str(text)))


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

    @app.command(help=_("List every rule with its id, name, item, scope, period, target and "
                        "basis, grouped by the plan's sections."))
    def rules(
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        coverage: bool = typer.Option(False, "--coverage", metavar=NO_METAVAR, help=_(
            "Show, for every item of the source, which rules cover its duties.")),
    ) -> None:
        the_plan = _load_plan(repo, plan)
        console = Console(highlight=False)
        if coverage:
            from ..render.traceability import render_coverage

            raise typer.Exit(render_coverage(the_plan, console))
        for section, group in the_plan.rules_by_section():
            title = f"{section.id}、{section.title}" if section else _("Other rules")
            table = Table(title=_show(title), title_justify="left", title_style="bold",
                          header_style="bold", pad_edge=False)
            for head in (_("Rule"), _("Name"), _("Item"), _("Scope"), _("Period"),
                         _("Target"), _("Basis")):
                table.add_column(head, overflow="fold")
            for r in group:
                basis = basis_word(r.basis) + ("*" if r.basis == "assumed" else "")
                table.add_row(_show(r.id), _show(r.name), str(r.item),
                              "、".join(scope_word(s) for s in r.scopes),
                              _show(period_word(r.period, the_plan)),
                              _show(target_text(r, the_plan)), basis)
            console.print(table)
        console.print(_("* assumed: the source says 定期/及时/不定期; the plan file notes "
                        "what was assumed."))

    @app.command(help=_("Show a rule, its quoted source clause, and the records that count "
                        "toward it."))
    def explain(
        rule_id: str = typer.Argument(..., metavar=_("RULE"), help=_("Rule id, e.g. 12.2")),
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        records: Path | None = opt["records"],
        as_of: str | None = opt["as_of"],
        unit: list[str] | None = opt["unit"],
        month: str | None = typer.Option(None, "--month", metavar=_("PERIOD"), help=_(
            "Only this period, e.g. 2023-04."), show_default=False),
    ) -> None:
        wanted = _wanted_period(month)
        where = repo_from(repo, plan, records)
        day = as_of_from(as_of)
        outcome = run_check(where, as_of=day, units=unit or None, rules=[rule_id])
        rule = outcome.plan.rule(rule_id)
        if rule is None:  # pragma: no cover - run_check refuses unknown rules
            fail_usage(_("unknown rule '{r}'; dc rules lists them").format(
                r=printable(rule_id)))
        if (wanted is not None and wanted not in {res.period for res in outcome.results}
                and not month_like(wanted) and not _PERIOD_LABEL.match(wanted)):
            fail_usage(_("--month {value}: no period of rule {rule} is called that; write a "
                         "month like 2023-04 (or a label dc check shows, such as 2023-Q2)")
                       .format(value=printable(wanted), rule=printable(rule.id)))
        from ..report.explain import explain as explain_rule

        told = explain_rule(outcome, rule.id, unit or (), wanted, where.root)
        _print_explanation(Console(highlight=False, soft_wrap=True), told)
        sys.stdout.flush()
        raise typer.Exit(0)


def _print_explanation(console: Console, told: Explanation) -> None:
    """An explanation, every plan and record text escaped for rich markup (a condition's
    ``[r.reviewer]`` is text, not a style)."""
    console.print(f"[bold]{escape(told.rule)} {escape(told.name)}[/]")
    for line in (told.item, told.source, told.facts, told.note, *told.conditions, told.as_of,
                 *told.duty):
        if line:
            console.print(escape(line))
    for res in told.results:
        head = " ".join(x for x in (res.unit, res.period) if x)
        style = STATUS_STYLES.get(res.status, "")
        status = f"[{style}]{escape(res.status_word)}[/]" if style else escape(res.status_word)
        console.print(f"\n[bold]{escape(head)}[/] {status} {escape(res.progress)}".rstrip())
        for line in res.says:
            console.print("  " + escape(line))
        for entry in res.records:
            console.print(_entry_line(entry))
        if res.near:
            console.print("  " + escape(_("Almost counted:")))
            for entry in res.near:
                console.print(_entry_line(entry))
        if res.near_more:
            console.print("    " + escape(_("… and {n} more").format(n=res.near_more)))
    if not told.results and not told.duty:
        console.print(escape(_("No result for this rule and these options.")))


def _entry_line(entry: Entry) -> str:
    head = " ".join(x for x in (entry.day, entry.title) if x)
    why = f" — {entry.why}" if entry.why else ""
    return (f"  {escape(entry.mark)} {escape(head)} [dim]{escape(entry.file)}[/]"
            f"{escape(why)}")
