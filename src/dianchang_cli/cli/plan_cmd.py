"""``dc plan test``: run the plan's own test cases (``plan/tests/<case>/``).

Each case gives records and the results the plan must produce for them; a failing case
prints what was expected (``-``) and what the plan gave (``+``).  Exit 1 when a case fails,
2 when the plan itself cannot be loaded.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from ..diagnostics import PlanError
from ..i18n import _
from ..pipeline.plan_tests import diff_lines, run_cases
from .common import EXIT_FAIL, EXIT_OK, options, plan_failed, repo_from


def register(app: typer.Typer) -> None:
    opt = options()
    plan_app = typer.Typer(name="plan", no_args_is_help=True,
                           help=_("Work on the plan itself: run its test cases."))

    @plan_app.command("test", help=_("Run every test case under plan/tests/ against the "
                                     "plan: pass or fail per case, with a diff of expected "
                                     "and actual results for failures. Exit 1 if a case "
                                     "fails, 2 for a broken plan."))
    def test(
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        keyword: str | None = typer.Option(None, "-k", "--keyword", metavar=_("NAME"), help=_(
            "Only cases whose folder name contains this text."), show_default=False),
    ) -> None:
        where = repo_from(repo, plan, None)
        try:
            outcomes = run_cases(where, keyword)
        except PlanError as err:
            plan_failed(err)
        console = Console(highlight=False)
        if not outcomes:
            console.print(_("No test cases found under {d}.").format(
                d=escape(str(where.plan_dir / "tests"))))
        failed = 0
        for out in outcomes:
            if out.passed:
                console.print("[green]✓ " + escape(_("PASS")) + "[/] " + escape(out.case.name))
                continue
            failed += 1
            console.print("[bold red]✗ " + escape(_("FAIL")) + "[/] " + escape(out.case.name))
            if out.case.spec and out.case.spec.description:
                console.print(Padding(Text(out.case.spec.description, style="dim"),
                                      (0, 0, 0, 4)))
            for line in diff_lines(out):
                style = {"- ": "red", "+ ": "green"}.get(line[:2], "yellow")
                console.print(f"    [{style}]{escape(line)}[/]", soft_wrap=True)
        console.print(_("{p} passed, {f} failed").format(p=len(outcomes) - failed, f=failed))
        raise typer.Exit(EXIT_FAIL if failed else EXIT_OK)

    app.add_typer(plan_app, name="plan")
