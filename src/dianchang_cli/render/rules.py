"""``dc rules`` and ``dc explain`` on the terminal: the plan's rules as tables by section,
and one rule's explanation.  Every plan and record text is escaped for rich markup (a
condition's ``[r.reviewer]`` is text, not a style) and shown through
:func:`~dianchang_cli.diagnostics.printable`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..diagnostics import printable
from ..i18n import _
from .labels import (
    STATUS_STYLES,
    basis_word,
    period_word,
    scope_word,
    section_title,
    target_text,
)

if TYPE_CHECKING:
    from ..planfile.model import Rule
    from ..planfile.plan import Plan
    from ..report.explain import Entry, Explanation, ResultText


def _show(text: object) -> str:
    """Text from the plan or a record, safe in rich markup: escaped controls, capped."""
    return escape(printable(str(text)))


def render_rules(plan: Plan) -> None:
    """Every rule of ``plan`` on standard output: one table per section, then the footnote
    on assumed bases."""
    console = Console(highlight=False)
    for section, group in plan.rules_by_section():
        table = Table(title=_show(section_title(section)), title_justify="left", title_style="bold",
                      header_style="bold", pad_edge=False)
        for head in (_("Rule"), _("Name"), _("Item"), _("Scope"), _("Period"), _("Target"),
                     _("Basis")):
            table.add_column(head, overflow="fold")
        for rule in group:
            table.add_row(*_rule_row(rule, plan))
        console.print(table)
    console.print(_("* assumed: the source states no number or day (定期, 及时 …); the "
                    "rule's note says what was assumed."))


def _rule_row(rule: Rule, plan: Plan) -> tuple[str, ...]:
    basis = basis_word(rule.basis) + ("*" if rule.basis == "assumed" else "")
    return (_show(rule.id), _show(rule.name), str(rule.item),
            "、".join(scope_word(s) for s in rule.scopes),
            _show(period_word(rule.period, plan)), _show(target_text(rule, plan)), basis)


def render_coverage(plan: Plan) -> int:
    """``dc rules --coverage``: the source's items and the rules covering them; the exit
    status :func:`~dianchang_cli.render.traceability.render_coverage` gives."""
    from .traceability import render_coverage as coverage

    return coverage(plan, Console(highlight=False))


def render_explanation(told: Explanation) -> None:
    """``dc explain``: a rule, its source, and per result the records that count."""
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"[bold]{escape(told.rule)} {escape(told.name)}[/]")
    for line in (told.item, told.source, told.facts, told.note, *told.conditions, told.as_of,
                 *told.duty):
        if line:
            console.print(escape(line))
    for res in told.results:
        _print_result(console, res)
    if not told.results and not told.duty:
        console.print(escape(_("No result for this rule and these options.")))
    console.file.flush()


def _print_result(console: Console, res: ResultText) -> None:
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


def _entry_line(entry: Entry) -> str:
    head = " ".join(x for x in (entry.day, entry.title) if x)
    why = f" — {entry.why}" if entry.why else ""
    return (f"  {escape(entry.mark)} {escape(head)} [dim]{escape(entry.file)}[/]"
            f"{escape(why)}")
