"""``dc rules`` (every rule, by section) and ``dc explain RULE`` (why a status is what it is)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .. import api
from ..diagnostics import PlanError
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
from .common import as_of_from, fail_usage, options, plan_failed, repo_from


def _load_plan(repo: Path | None, plan: Path | None) -> Plan:
    from ..planfile.loader import load_plan

    where = repo_from(repo, plan, None)
    try:
        return load_plan(where.plan_dir, where.root)
    except PlanError as err:
        plan_failed(err)


def register(app: typer.Typer) -> None:
    opt = options()

    @app.command(help=_("List every rule with its id, name, item, scope, period, target and "
                        "basis, grouped by the plan's sections."))
    def rules(
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        coverage: bool = typer.Option(False, "--coverage", help=_(
            "Show, for every item of the source, which rules cover its duties.")),
    ) -> None:
        the_plan = _load_plan(repo, plan)
        console = Console(highlight=False)
        if coverage:
            from ..render.traceability import render_coverage

            raise typer.Exit(render_coverage(the_plan, console))
        for section, group in the_plan.rules_by_section():
            title = f"{section.id}、{section.title}" if section else _("Other rules")
            table = Table(title=escape(title), title_justify="left", title_style="bold",
                          header_style="bold", pad_edge=False)
            for head in (_("Rule"), _("Name"), _("Item"), _("Scope"), _("Period"),
                         _("Target"), _("Basis")):
                table.add_column(head, overflow="fold")
            for r in group:
                basis = basis_word(r.basis) + ("*" if r.basis == "assumed" else "")
                table.add_row(r.id, escape(r.name), str(r.item),
                              "、".join(scope_word(s) for s in r.scopes), period_word(r.period),
                              escape(target_text(r)), basis)
            console.print(table)
        console.print(_("* assumed: the source says 定期/及时/不定期; the plan file notes "
                        "what was assumed."))

    @app.command(help=_("Show a rule, its quoted source clause, and the records that count "
                        "toward it."))
    def explain(
        rule_id: str = typer.Argument(..., metavar="RULE", help=_("Rule id, e.g. 12.2")),
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        records: Path | None = opt["records"],
        as_of: str | None = opt["as_of"],
        unit: list[str] | None = opt["unit"],
        month: str | None = typer.Option(None, "--month", help=_("Only this period, e.g. "
                                                                 "2023-04.")),
    ) -> None:
        where = repo_from(repo, plan, records)
        try:
            outcome = api.check(where, as_of=as_of_from(as_of), units=unit or None,
                                rules=[rule_id])
        except PlanError as err:
            plan_failed(err)
        rule = outcome.plan.rule(rule_id)
        if rule is None:
            fail_usage(_("unknown rule '{r}'; dc rules lists them").format(r=rule_id))
        console = Console(highlight=False)
        item = outcome.plan.items.get(rule.item)
        console.print(f"[bold]{escape(rule.id)} {escape(rule.name)}[/]")
        console.print(_("Item {n}: {title}").format(n=rule.item,
                                                    title=item.title if item else ""))
        console.print(_("Source: “{s}”").format(s=rule.source))
        console.print(_("Kind: {k} · scope: {s} · period: {p} · target: {t} · basis: {b}").format(
            k=kind_word(rule.kind), s="、".join(scope_word(x) for x in rule.scopes),
            p=period_word(rule.period), t=target_text(rule), b=basis_word(rule.basis)))
        if rule.note:
            console.print(_("Note: {n}").format(n=rule.note))
        if rule.select.where:
            console.print(_("Counts records where: {w}").format(w=rule.select.where))
        if rule.condition:
            console.print(_("Each record must satisfy: {c}").format(c=rule.condition))
        console.print(_("As of {day}").format(day=outcome.as_of.isoformat()))
        by_id = outcome.index.by_id
        for res in outcome.results:
            if month and res.period != month:
                continue
            console.print(f"\n[bold]{escape(outcome.plan.unit_name(res.unit))} {res.period}[/] "
                          f"{status_word(res.status)} {progress(res.actual, res.target)}")
            if res.missing:
                console.print("  " + _("missing: {values}").format(values="、".join(res.missing)))
            bad = {v.record: v.message for v in res.violations}
            for rid in res.records:
                rec = by_id.get(rid)
                if rec is None:
                    continue
                mark = "✗" if rid in bad else "·"
                why = f" — {bad[rid]}" if rid in bad else ""
                console.print(f"  {mark} {rec.date or ''} {escape(rec.title)} "
                              f"[dim]{escape(rec.file)}[/]{escape(why)}")
        if not outcome.results:
            console.print(_("No result for this rule and these options."))
        sys.stdout.flush()
        raise typer.Exit(0)
