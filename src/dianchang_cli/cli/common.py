"""Options shared by the commands, and the one place where library errors meet exit codes."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

import typer

from ..api import Repo
from ..diagnostics import PlanError
from ..i18n import _

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    from ..records.values import BadValue, read_date

    try:
        return read_date(value)
    except BadValue as exc:
        raise typer.BadParameter(exc.expected) from exc


def options() -> dict[str, object]:
    """Typer option objects, built after the language is set so their help is translated."""
    return {
        "repo": typer.Option(None, "--repo", help=_("The records repository: plan/ and records/ "
                                              "below it (default: current folder)."),
                             show_default=False),
        "plan": typer.Option(None, "--plan", help=_("The plan folder (default: REPO/plan)."),
                             show_default=False),
        "records": typer.Option(None, "--records", help=_("The records folder (default: "
                                                    "REPO/records)."), show_default=False),
        "as_of": typer.Option(None, "--as-of", help=_("Evaluate as of the end of this day, e.g. "
                                                "2023-06-30 (default: today, at most the "
                                                "plan year's end)."), show_default=False),
        "unit": typer.Option(None, "--unit", help=_("Only this unit (repeatable)."),
                             show_default=False),
    }


def repo_from(repo: Path | None, plan: Path | None, records: Path | None) -> Repo:
    return Repo.at(repo or Path("."), plan, records)


def as_of_from(value: str | None) -> dt.date | None:
    return _parse_day(value)


def plan_failed(err: PlanError) -> NoReturn:
    """A broken plan: every problem on stderr with its place, then exit 2."""
    print(_("The plan cannot be used:"), file=sys.stderr)
    for problem in err.problems:
        print(f"  {problem.text()}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


def fail_usage(message: str) -> NoReturn:
    print(message, file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)
