"""``dc todo``: what a unit still owes now, what fell short lately, its invalid records.

The same evaluation as ``dc check`` (:func:`api.check`); :mod:`..report.todo` turns its
results into sentences and :mod:`..render.todo` prints them.  Exit 0 even when things are
owed (it is information), 2 for a usage error or a broken plan.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..i18n import _
from .common import (
    EXIT_OK,
    as_of_from,
    options,
    print_notes,
    repo_from,
    require_unit,
    run_check,
    text_or_json,
    text_or_json_option,
)
from .typerhooks import DcCommand


def register(app: typer.Typer) -> None:
    opt = options()
    unit_option = typer.Option(None, "--unit", metavar=_("UNIT"), show_default=False, help=_(
        "The community (or other unit) whose to-do list to show; without it, one line per "
        "community for the coordinator."))

    @app.command(cls=DcCommand, help=_(
        "What is still to do: for a unit, what the current month, quarter, year, festival "
        "and other periods still need (by due day), what fell short recently, and its "
        "invalid records; without --unit, every community with its open items and score. "
        "Exit 0 even when things are owed."))
    def todo(
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
        as_of: str | None = opt.as_of,
        unit: str | None = unit_option,
        format: str = text_or_json_option(),
    ) -> None:
        from ..render.todo import render_overview, render_todo
        from ..report.todo import build_overview, build_todo

        fmt = text_or_json(format)
        where = repo_from(repo, plan, records)
        day = as_of_from(as_of)
        outcome = run_check(where, as_of=day)
        if unit is not None:
            unit = require_unit(outcome.plan, unit)
            render_todo(build_todo(outcome, unit, where.root), fmt, sys.stdout)
        else:
            render_overview(build_overview(outcome, where.root), fmt, sys.stdout)
        if fmt != "json":
            sys.stdout.flush()
            print_notes(outcome)
        raise typer.Exit(EXIT_OK)
