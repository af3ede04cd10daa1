"""``dc plan test``'s output: pass or fail per case, a diff of expected (``-``) and actual
(``+``) results under each failure, and the count."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from ..i18n import _

if TYPE_CHECKING:
    from ..pipeline.plan_tests import CaseOutcome


def render(outcomes: Sequence[CaseOutcome], tests_dir: Path) -> int:
    """Print every case's outcome; return how many failed."""
    console = Console(highlight=False)
    if not outcomes:
        console.print(_("No test cases found under {d}.").format(d=escape(str(tests_dir))))
    failed = 0
    for out in outcomes:
        if out.passed:
            console.print("[green]✓ " + escape(_("PASS")) + "[/] " + escape(out.case.name))
            continue
        failed += 1
        _print_failure(console, out)
    console.print(_("{p} passed, {f} failed").format(p=len(outcomes) - failed, f=failed))
    return failed


def _print_failure(console: Console, out: CaseOutcome) -> None:
    from ..pipeline.plan_tests import diff_lines

    console.print("[bold red]✗ " + escape(_("FAIL")) + "[/] " + escape(out.case.name))
    if out.case.spec and out.case.spec.description:
        console.print(Padding(Text(out.case.spec.description, style="dim"), (0, 0, 0, 4)))
    for line in diff_lines(out):
        style = {"- ": "red", "+ ": "green"}.get(line[:2], "yellow")
        console.print(f"    [{style}]{escape(line)}[/]", soft_wrap=True)
