"""``dc plan test``: run the plan's own test cases (``plan/tests/<case>/``).

Each case gives records and the results the plan must produce for them; a failing case
prints what was expected (``-``) and what the plan gave (``+``).  Exit 1 when a case fails,
2 when the plan itself cannot be loaded.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..i18n import _
from .common import EXIT_FAIL, EXIT_OK, options, plan_errors, repo_from
from .typerhooks import DcCommand, DcGroup


def register(app: typer.Typer) -> None:
    opt = options()
    plan_app = typer.Typer(name="plan", cls=DcGroup, no_args_is_help=True,
                           help=_("Work on the plan itself: run its test cases."))

    @plan_app.command("test", cls=DcCommand,
                      help=_("Run every test case under plan/tests/ against the "
                             "plan: pass or fail per case, with a diff of expected "
                             "and actual results for failures. Exit 1 if a case "
                             "fails, 2 for a broken plan."))
    def test(
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        keyword: str | None = typer.Option(None, "-k", "--keyword", metavar=_("NAME"), help=_(
            "Only cases whose folder name contains this text."), show_default=False),
    ) -> None:
        from ..pipeline.plan_tests import run_cases
        from ..render.plantests import render

        where = repo_from(repo, plan, None)
        with plan_errors():
            outcomes = run_cases(where, keyword)
        failed = render(outcomes, where.plan_dir / "tests")
        raise typer.Exit(EXIT_FAIL if failed else EXIT_OK)

    app.add_typer(plan_app, name="plan")
