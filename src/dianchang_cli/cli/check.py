"""``dc check``: validate every record, evaluate every rule, print the results."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from ..i18n import _
from ..render import CHECK_FORMATS, check_renderer
from .common import (
    EXIT_FAIL,
    EXIT_OK,
    NO_METAVAR,
    as_of_from,
    format_choices,
    options,
    print_notes,
    repo_from,
    run_check,
)
from .typerhooks import DcCommand

Format = format_choices("Format", CHECK_FORMATS)


class FailOn(StrEnum):
    invalid = "invalid"
    unmet = "unmet"
    late = "late"
    warning = "warning"


def register(app: typer.Typer) -> None:
    opt = options()

    @app.command(cls=DcCommand,
                 help=_("Validate every record, evaluate every rule and print the results. "
                        "Exit 1 when something fails (see --fail-on), 2 for a broken plan."))
    def check(
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
        as_of: str | None = opt.as_of,
        unit: list[str] | None = opt.unit,
        rule: list[str] | None = typer.Option(None, "--rule", metavar=_("RULE"), help=_(
            "Only this rule (repeatable)."), show_default=False),
        format: Format = typer.Option("table", "--format", "-f",
                                      help=_("Output format.")),
        fail_on: FailOn = typer.Option(FailOn.unmet, "--fail-on",
                                       help=_("What makes the exit status 1: invalid records "
                                              "only; also unmet errors; also late; also "
                                              "unmet warnings.")),
        verbose: bool = typer.Option(False, "--verbose", "-v", metavar=NO_METAVAR,
                                     help=_("List met and info results too.")),
        changed_since: str | None = typer.Option(
            None, "--changed-since", metavar=_("REV"), show_default=False,
            help=_("Report problems only in records changed since this git revision, and "
                   "only the results those records affect (rules still see every record).")),
        no_cache: bool = typer.Option(
            False, "--no-cache", metavar=NO_METAVAR,
            help=_("Read and validate every record file again, without the cache in "
                   ".dc-cache/ (it is neither read nor written).")),
    ) -> None:
        where = repo_from(repo, plan, records)
        ask = {"as_of": as_of_from(as_of), "units": unit or None, "rules": rule or None,
               "changed_since": changed_since}
        outcome = run_check(where, cache=not no_cache, **ask)
        check_renderer(format.value)(outcome, sys.stdout, verbose)
        if format.value != "json":  # json carries the notes itself
            sys.stdout.flush()
            print_notes(outcome)
        raise typer.Exit(EXIT_FAIL if outcome.fails(fail_on.value) else EXIT_OK)
