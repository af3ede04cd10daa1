"""``dc rules`` (every rule, by section) and ``dc explain RULE`` (why a status is what it is)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..diagnostics import PlanError, printable
from ..i18n import _
from ..planfile.plan import Plan
from ..render.labels import (
    basis_word,
    kind_word,
    period_word,
    progress,
    scope_word,
    status_word,
    target_text,
)
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
                              "、".join(scope_word(s) for s in r.scopes), period_word(r.period),
                              _show(target_text(r)), basis)
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
        console = Console(highlight=False)
        item = outcome.plan.items.get(rule.item)
        console.print(f"[bold]{_show(rule.id)} {_show(rule.name)}[/]")
        console.print(escape(_("Item {n}: {title}").format(
            n=rule.item, title=printable(item.title if item else "", PLAN_TEXT))))
        console.print(escape(_("Source: “{s}”").format(s=printable(rule.source, PLAN_TEXT))))
        console.print(escape(_("Kind: {k} · scope: {s} · period: {p} · target: {t} · basis: {b}")
                             .format(k=kind_word(rule.kind),
                                     s="、".join(scope_word(x) for x in rule.scopes),
                                     p=period_word(rule.period), t=target_text(rule),
                                     b=basis_word(rule.basis))))
        if rule.note:
            console.print(escape(_("Note: {n}").format(n=printable(rule.note, PLAN_TEXT))))
        if rule.select.where:
            console.print(escape(_("Counts records where: {w}").format(
                w=printable(rule.select.where, PLAN_TEXT))))
        if rule.condition:
            console.print(escape(_("Each record must satisfy: {c}").format(
                c=printable(rule.condition, PLAN_TEXT))))
        console.print(_("As of {day}").format(day=outcome.as_of.isoformat()))
        by_id = outcome.index.by_id
        shown = 0
        for res in outcome.results:
            if wanted is not None and res.period != wanted:
                continue
            shown += 1
            console.print(f"\n[bold]{_show(outcome.plan.unit_name(res.unit))} "
                          f"{_show(res.period)}[/] {escape(status_word(res.status))} "
                          f"{escape(progress(res.actual, res.target))}")
            if res.missing:
                console.print("  " + escape(_("missing: {values}").format(
                    values="、".join(printable(v) for v in res.missing))))
            bad = {v.record: v.message for v in res.violations}
            for rid in res.records:
                rec = by_id.get(rid)
                if rec is None:
                    continue
                mark = "✗" if rid in bad else "·"
                why = f" — {printable(bad[rid], PLAN_TEXT)}" if rid in bad else ""
                console.print(f"  {mark} {rec.date or ''} {_show(rec.title)} "
                              f"[dim]{_show(rec.file)}[/]{escape(why)}")
        if not shown:
            console.print(_("No result for this rule and these options."))
        sys.stdout.flush()
        raise typer.Exit(0)
