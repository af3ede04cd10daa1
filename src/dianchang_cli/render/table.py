"""``dc check`` in a terminal: problems first, then results grouped by the plan's sections.

Each rule gets a line with its tally of statuses; below it one line per result that needs
attention (unmet, late, pending, waived) with progress such as ``5/8``.  ``--verbose`` lists
met and info results too.  Fits an 80-column terminal; ends with a one-line summary.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..core import QUIET
from ..i18n import _
from .labels import (
    STATUS_STYLES,
    STATUS_SYMBOLS,
    progress,
    section_title,
    status_word,
    still_needed,
)
from .vocabulary import detail_text

if TYPE_CHECKING:
    from ..diagnostics import Problem
    from ..engine.results import Result
    from ..outcome import Outcome
    from ..planfile.model import Rule
    from ..planfile.plan import Plan

FEW = 3  # warnings shown per code without --verbose


def _first_of_each_code(problems: list[Problem], few: int) -> list[Problem]:
    """At most ``few`` problems of each code, in their order."""
    seen: Counter[str] = Counter()
    out = []
    for p in problems:
        seen[p.code] += 1
        if seen[p.code] <= few:
            out.append(p)
    return out


def _console(out: TextIO) -> Console:
    return Console(file=out, width=max(80, min(120, Console(file=out).width)),
                   highlight=False, soft_wrap=False)


def _status_cell(status: str) -> str:
    style = STATUS_STYLES.get(status, "")
    return f"[{style}]{STATUS_SYMBOLS.get(status, '')} {escape(status_word(status))}[/]"


def _ends(plan: Plan) -> dict[str, dt.date]:
    """Every period label of the plan's rules → its last day (a rule's own period first)."""
    from ..diagnostics import PlanError
    from ..engine.periods import all_periods

    out: dict[str, dt.date] = {}
    for spec in dict.fromkeys(r.period for r in plan.rules):
        try:
            out.update({p.label: p.end for p in all_periods(plan, spec)})
        except (PlanError, ValueError):  # the loader has reported it; say nothing more here
            continue
    return out


class _Ends:
    """Period label → last day, worked out from the plan when a row first asks."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.ends: dict[str, dt.date] | None = None

    def get(self, label: str) -> dt.date | None:
        if self.ends is None:
            self.ends = _ends(self.plan)
        return self.ends.get(label)


def _print_problems(console: Console, errors: list[Problem], warnings: list[Problem],
                    verbose: bool) -> None:
    """Invalid records in full, then warnings (a few of each code without ``--verbose``)."""
    if errors:
        heading = _("Invalid records ({n})").format(n=len(errors))
        console.print("[bold red]" + escape(heading) + "[/]")
        for p in errors:
            console.print(f"  [red]{escape(p.text())}[/]")
        console.print()
    if warnings:
        heading = _("Warnings ({n})").format(n=len(warnings))
        console.print("[bold yellow]" + escape(heading) + "[/]")
        shown = warnings if verbose else _first_of_each_code(warnings, FEW)
        for p in shown:
            console.print(f"  [yellow]{escape(p.text())}[/]")
        if len(shown) < len(warnings):
            console.print("  " + escape(_("… and {n} more warnings (--verbose lists them all)")
                                        .format(n=len(warnings) - len(shown))))
        console.print()


def _section_table(title: str) -> Table:
    table = Table(title=escape(title), title_justify="left", title_style="bold",
                  show_header=True, header_style="bold", expand=False, pad_edge=False,
                  show_lines=False)
    table.add_column(_("Rule"), no_wrap=True)
    table.add_column(_("Unit / period"), overflow="fold", max_width=30)
    table.add_column(_("Status"), no_wrap=True)
    table.add_column(_("Progress"), no_wrap=True, justify="right")
    table.add_column(_("Detail"), overflow="fold", max_width=36)
    return table


def _add_rule(table: Table, rule: Rule, results: list[Result], outcome: Outcome, ends: _Ends,
              verbose: bool) -> None:
    """The rule's line with its tally, then a line per result worth a look."""
    counts = Counter(r.status for r in results)
    tally = " ".join(f"{STATUS_SYMBOLS[s]}{n}" for s, n in sorted(counts.items()))
    table.add_row(f"[bold]{escape(rule.id)}[/]", f"[bold]{escape(rule.name)}[/]", "",
                  "", escape(tally))
    for r in results:
        if r.status in QUIET and not verbose:
            continue
        unit = outcome.plan.unit_name(r.unit)
        still = still_needed(rule.kind, r, ends.get(r.period), outcome.as_of)
        table.add_row("", escape(f"{unit} {r.period}"), _status_cell(r.status),
                      progress(r.actual, r.target), escape(detail_text(r) or still))


def _print_results(console: Console, outcome: Outcome, verbose: bool) -> None:
    """One table per section of the plan, for the rules that have results."""
    plan = outcome.plan
    ends = _Ends(plan)
    by_rule: dict[str, list[Result]] = defaultdict(list)
    for r in outcome.results:
        by_rule[r.rule].append(r)
    for section, rules in plan.rules_by_section():
        shown = [rule for rule in rules if rule.id in by_rule]
        if not shown:
            continue
        table = _section_table(section_title(section))
        for rule in shown:
            _add_rule(table, rule, by_rule[rule.id], outcome, ends, verbose)
        console.print(table)
        console.print()


def _print_footer(console: Console, outcome: Outcome, invalid: int) -> None:
    """The year's scores, then the one-line summary."""
    plan = outcome.plan
    year = f"{plan.year:04d}"
    scored = [(plan.unit_name(unit), row[year]) for unit, row in outcome.scores.items()
              if year in row]
    if scored:
        console.print(escape(_("Scores ({period}, {base} minus deductions): ").format(
            period=year, base=f"{plan.settings.score_base:g}")
            + " · ".join(f"{name} {score:g}" for name, score in scored)))
    summary = outcome.summary()
    parts = [_("{n} records").format(n=len(outcome.records))]
    if invalid:
        parts.append(_("{n} invalid").format(n=invalid))
    parts += [f"{status_word(s)} {n}" for s, n in summary.items() if n]
    console.print(_("As of {day}: ").format(day=outcome.as_of.isoformat()) + " · ".join(parts))


def render(outcome: Outcome, out: TextIO, verbose: bool = False) -> None:
    console = _console(out)
    errors = [p for p in outcome.problems if p.severity == "error"]
    warnings = [p for p in outcome.problems if p.severity != "error"]
    _print_problems(console, errors, warnings, verbose)
    _print_results(console, outcome, verbose)
    _print_footer(console, outcome, len(errors))
