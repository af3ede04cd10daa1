"""``dc check``: validate every record, evaluate every rule, print the results."""

from __future__ import annotations

import sys
from enum import Enum, StrEnum
from pathlib import Path

import typer

from .. import api
from ..changes import RevisionError
from ..diagnostics import PlanError
from ..i18n import _
from ..render import CHECK_FORMATS, check_renderer
from .common import EXIT_FAIL, EXIT_OK, as_of_from, fail_usage, options, plan_failed, repo_from

Format = Enum("Format", {name: name for name in CHECK_FORMATS}, type=str)  # type: ignore[misc]


class FailOn(StrEnum):
    invalid = "invalid"
    unmet = "unmet"
    late = "late"
    warning = "warning"


def register(app: typer.Typer) -> None:
    opt = options()

    @app.command(help=_("Validate every record, evaluate every rule and print the results. "
                        "Exit 1 when something fails (see --fail-on), 2 for a broken plan."))
    def check(
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        records: Path | None = opt["records"],
        as_of: str | None = opt["as_of"],
        unit: list[str] | None = opt["unit"],
        rule: list[str] | None = typer.Option(None, "--rule", help=_("Only this rule "
                                                                    "(repeatable).")),
        format: Format = typer.Option("table", "--format", "-f",
                                      help=_("Output format.")),
        fail_on: FailOn = typer.Option(FailOn.unmet, "--fail-on",
                                       help=_("What makes the exit status 1: invalid records "
                                              "only; also unmet errors; also late; also "
                                              "unmet warnings.")),
        verbose: bool = typer.Option(False, "--verbose", "-v",
                                     help=_("List met and info results too.")),
        changed_since: str | None = typer.Option(
            None, "--changed-since", help=_("Report problems only in records changed since "
                                            "this git revision, and only the results those "
                                            "records affect (rules still see every record).")),
    ) -> None:
        where = repo_from(repo, plan, records)
        try:
            outcome = api.check(where, as_of=as_of_from(as_of), units=unit or None,
                                rules=rule or None, changed_since=changed_since)
        except RevisionError as err:
            fail_usage(str(err))
        except PlanError as err:
            plan_failed(err)
        check_renderer(format.value)(outcome, sys.stdout, verbose)
        raise typer.Exit(EXIT_FAIL if outcome.fails(fail_on.value) else EXIT_OK)
