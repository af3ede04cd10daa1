"""``dc ledger``: the monthly volunteer-service ledger, written to a file whose path is printed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..diagnostics import printable
from ..i18n import _
from ..ledger import FORMATS, build, parse_month, renderer
from .common import (
    EXIT_OK,
    as_of_from,
    fail_usage,
    format_choices,
    one_output,
    options,
    output_format,
    render_errors,
    repo_from,
    require_units,
    run_check,
    write_file,
)
from .typerhooks import DcCommand

if TYPE_CHECKING:
    from ..planfile.plan import Plan

LedgerFormat = format_choices("LedgerFormat", FORMATS)


def _types(plan: Plan, names: list[str] | None) -> list[str] | None:
    """``--type`` values (ids or Chinese names) as type ids; a usage error for unknown ones."""
    from .template import chosen_types

    return chosen_types(plan, names) if names else None


def default_output(reports: Path, period: str, unit: str | None, fmt: str) -> Path:
    """``reports/ledger-2023-04.md``, ``reports/ledger-2023-04-dongyuan.pdf`` …"""
    return reports / f"ledger-{period}{'-' + unit if unit else ''}.{fmt}"


def _month(text: str) -> tuple[int, int]:
    """``--month``: ``(year, month)``, or exit 2 with the form expected."""
    try:
        year, month_no = parse_month(text)
        dt.date(year, month_no, 1) + dt.timedelta(days=31)  # a month with a next month
    except (ValueError, OverflowError):
        fail_usage(_("{option} {value}: write it like {example}").format(
            option="--month", value=printable(text), example="2023-04"))
    return year, month_no


@dataclass(frozen=True)
class LedgerOptions:
    """This command's own options (built after the language is set, like the shared ones)."""

    month: Any = field(default_factory=lambda: typer.Option(
        ..., "--month", metavar=_("MONTH"), help=_("The month, e.g. 2023-04."),
        show_default=False))
    unit: Any = field(default_factory=lambda: typer.Option(
        None, "--unit", metavar=_("UNIT"), help=_(
            "Only this unit and its branches; repeatable: one ledger per unit."),
        show_default=False))
    format: Any = field(default_factory=lambda: typer.Option(
        None, "--format", "-f", show_default=False, help=_(
            "Output format: md (default), xlsx or pdf; default: from --output's extension.")))
    output: Any = field(default_factory=lambda: typer.Option(
        None, "--output", "-o", metavar=_("FILE"), help=_(
            "Where to write (default: REPO/reports/ledger-MONTH[-UNIT].FORMAT)."),
        show_default=False))
    type: Any = field(default_factory=lambda: typer.Option(
        None, "--type", metavar=_("TYPE"), help=_(
            "Record type of the ledger (repeatable; default: every type that requires "
            "volunteers and service_hours)."), show_default=False))


def register(app: typer.Typer) -> None:
    opt, own = options(), LedgerOptions()

    @app.command(cls=DcCommand,
                 help=_("Write the monthly volunteer service ledger (rows, totals, per-unit "
                        "subtotals) from the records, as Markdown, xlsx or PDF, and print "
                        "the file's path."))
    def ledger(
        month: str = own.month,
        unit: list[str] | None = own.unit,
        format: LedgerFormat | None = own.format,
        output: Path | None = own.output,
        type_: list[str] | None = own.type,
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
        as_of: str | None = opt.as_of,
    ) -> None:
        year, month_no = _month(month)
        one_output(output, unit or [])
        fmt = output_format(format.value if format is not None else None, output,
                            list(FORMATS), "md")
        where = repo_from(repo, plan, records)
        # the ledger lists records; it needs no rule evaluated
        outcome = run_check(where, as_of=as_of_from(as_of), rules=())
        ids = require_units(outcome.plan, unit)
        units: list[str | None] = list(dict.fromkeys(ids)) if ids else [None]
        types = _types(outcome.plan, type_)
        for one in units:
            book = build(outcome, year, month_no, unit=one, types=types)
            with render_errors():
                data = renderer(fmt)(book)
            path = output or default_output(where.reports_dir, book.period, one, fmt)
            write_file(path, data)
            print(path)
        raise typer.Exit(EXIT_OK)
