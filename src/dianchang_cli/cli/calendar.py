"""``dc calendar``: the plan's deadlines and period ends as a calendar file (.ics).

Reads the plan only (no records): :mod:`..report.deadlines` lists the dated items,
:mod:`..render.ics` writes them.  WPS, Outlook, phone calendars and 钉钉/企业微信 import
the file; importing it again updates the same events.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..i18n import _
from .common import (
    EXIT_OK,
    fail_usage,
    load_plan,
    options,
    repo_from,
    require_unit,
    write_file,
)
from .typerhooks import DcCommand

DEFAULT_OUTPUT = "截止日期.ics"
MAX_REMIND = 366  # days: a reminder more than a year ahead reminds of nothing


def register(app: typer.Typer) -> None:
    opt = options()
    unit_option = typer.Option(None, "--unit", metavar=_("UNIT"), show_default=False, help=_(
        "Only the duties of this unit (and its branches), its name in every event."))
    output_option = typer.Option(None, "--output", "-o", metavar=_("FILE"),
                                 show_default=False, help=_(
        "Where to write the calendar (default: 截止日期.ics in the current folder; - for "
        "standard output)."))
    remind_option = typer.Option(3, "--remind", metavar=_("DAYS"), help=_(
        "Remind this many days before each event (0: on the day)."))

    @app.command(cls=DcCommand, help=_(
        "Write the plan's deadlines as a calendar file (.ics) to import into a phone, WPS "
        "or Outlook calendar: monthly due days, fixed due dates, the ends of months, "
        "quarters and the year, festival windows and named windows, each with a reminder. "
        "Importing it again updates the events instead of adding them twice."))
    def calendar(
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        unit: str | None = unit_option,
        output: str | None = output_option,
        remind: int = remind_option,
    ) -> None:
        from ..render.ics import render_ics
        from ..report.deadlines import deadlines

        if not 0 <= remind <= MAX_REMIND:
            fail_usage(_("--remind must be a number of days from 0 to {max}").format(
                max=MAX_REMIND))
        where = repo_from(repo, plan, None)
        the_plan = load_plan(where)
        if unit is not None:
            unit = require_unit(the_plan, unit)
        items = deadlines(the_plan, unit)
        data = render_ics(the_plan, items, remind,
                          the_plan.unit_name(unit) if unit is not None else None)
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            path = Path(output or DEFAULT_OUTPUT)
            write_file(path, data)
            print(path)
        raise typer.Exit(EXIT_OK)
