"""``dc report``: the status report of a month, quarter or year, written to a file.

The report is evaluated as of the end of its period (at most today) unless ``--as-of`` says
otherwise, written atomically, and its path printed.  Exit 0: a report is not a check.
Usage errors, a broken plan, a broken template or a missing font exit 2 with a message.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..i18n import _
from ..render import REPORT_FORMATS
from .common import (
    EXIT_OK,
    NO_METAVAR,
    as_of_from,
    fail_usage,
    format_choices,
    one_output,
    options,
    output_format,
    period_option,
    render_errors,
    repo_from,
    require_units,
    run_check,
    write_file,
)
from .typerhooks import DcCommand

if TYPE_CHECKING:
    from ..core import Repo
    from ..engine.periods import Period
    from ..outcome import Outcome

FORMATS = tuple(REPORT_FORMATS)  # md, html, pdf, docx: the report formats, by name
WITH_SUMMARY = ("docx",)  # formats that open with the written summary (dc summary's text)
ReportFormat = format_choices("ReportFormat", FORMATS)


def made_day() -> dt.date:
    """The report's "made on" day: ``SOURCE_DATE_EPOCH`` (reproducible builds) or today.

    An epoch no calendar can show (``SOURCE_DATE_EPOCH=99999999999999``) is ignored.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit() and len(epoch) <= 12:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            pass
    return dt.date.today()


def period_from(month: str | None, quarter: str | None, year: str | None) -> Period:
    """The one period of --month, --quarter or --year; exit 2 unless exactly one is given."""
    given = [(kind, value) for kind, value in (("month", month), ("quarter", quarter),
                                               ("year", year)) if value is not None]
    if len(given) != 1:
        fail_usage(_("Give exactly one of --month, --quarter or --year."))
    kind, text = given[0]
    return period_option(kind, text)


def period_outcome(where: Repo, period: Period, as_of: str | None,
                   units: list[str] | None) -> tuple[Outcome, list[str] | None]:
    """The check outcome a report of ``period`` is made from (as of ``--as-of``, else the
    period's end: every unit evaluated, since a unit's report compares), and the ids of
    ``units`` (named by id or by name); exit 2 for a unit the plan does not have or a
    period outside the plan year."""
    from ..report.build import report_as_of

    outcome = run_check(where, as_of=as_of_from(as_of) or report_as_of(period))
    units = require_units(outcome.plan, units)
    if period.start.year != outcome.plan.year:
        fail_usage(_("{period} is not in the plan year {year}.").format(
            period=period.label, year=outcome.plan.year))
    return outcome, units


@dataclass(frozen=True)
class PeriodOptions:
    """--month, --quarter and --year, for :func:`period_from` (dc report, dc summary)."""

    month: Any = field(default_factory=lambda: typer.Option(
        None, "--month", metavar=_("MONTH"), help=_("The month, e.g. 2023-04."),
        show_default=False))
    quarter: Any = field(default_factory=lambda: typer.Option(
        None, "--quarter", metavar=_("QUARTER"), help=_("The quarter, e.g. 2023-Q2."),
        show_default=False))
    year: Any = field(default_factory=lambda: typer.Option(
        None, "--year", metavar=_("YEAR"), help=_("The year, e.g. 2023."), show_default=False))


@dataclass(frozen=True)
class ReportCommandOptions(PeriodOptions):
    """The options of ``dc report`` (built after the language is set, like the shared ones)."""

    unit: Any = field(default_factory=lambda: typer.Option(
        None, "--unit", metavar=_("UNIT"), help=_(
            "Only this unit (e.g. one community); repeatable: one report per unit."),
        show_default=False))
    format: Any = field(default_factory=lambda: typer.Option(
        None, "--format", "-f", show_default=False, help=_(
            "md (default), html, pdf or docx; default: from --output's extension.")))
    output: Any = field(default_factory=lambda: typer.Option(
        None, "--output", "-o", metavar=_("FILE"), show_default=False,
        help=_("Where to write the report.")))
    font: Any = field(default_factory=lambda: typer.Option(
        None, "--font", metavar=_("FONT"), show_default=False, help=_(
            "PDF: an installed system font family instead of the bundled Noto Sans CJK SC.")))
    embed_font: Any = field(default_factory=lambda: typer.Option(
        False, "--embed-font", metavar=NO_METAVAR, help=_(
            "HTML: carry the Chinese font inside the file (subset to its text, ~0.5 MB), for "
            "readers without a Chinese font.")))


def register(app: typer.Typer) -> None:
    opt = options()
    own = ReportCommandOptions()

    @app.command(cls=DcCommand,
                 help=_("Render the status report of a month, quarter or year as Markdown, "
                        "HTML, PDF or Word (default file: reports/<period>[-<unit>].<format>) and "
                        "print the path written."))
    def report(
        month: str | None = own.month,
        quarter: str | None = own.quarter,
        year: str | None = own.year,
        unit: list[str] | None = own.unit,
        format: ReportFormat | None = own.format,
        output: Path | None = own.output,
        font: str | None = own.font,
        embed_font: bool = own.embed_font,
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
        as_of: str | None = opt.as_of,
    ) -> None:
        from ..report import default_output, render
        from ..report.build import build
        from ..report.summary import render_with_summary

        period = period_from(month, quarter, year)
        one_output(output, unit or [])
        fmt = output_format(format.value if format is not None else None, output, FORMATS,
                            "md")
        where = repo_from(repo, plan, records)
        outcome, ids = period_outcome(where, period, as_of, unit)
        units: list[str | None] = list(dict.fromkeys(ids)) if ids else [None]
        made = made_day()  # notes (no git: no commit times) are in the report's data block
        for one in units:
            path = output or default_output(where.reports_dir, period.label, one, fmt)
            model = build(outcome, period, one, made=made)
            templates = where.plan_dir / "templates"
            with render_errors():
                if fmt in WITH_SUMMARY:
                    data = render_with_summary(outcome, period, model, fmt, templates, made)
                else:
                    data = render(model, fmt, templates=templates,
                                  font=font or outcome.plan.settings.font, when=made,
                                  embed_font=embed_font)
            write_file(path, data)
            print(path)
        raise typer.Exit(EXIT_OK)
