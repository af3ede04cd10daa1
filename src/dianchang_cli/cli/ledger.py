"""``dc ledger``: the monthly volunteer-service ledger, written to a file whose path is printed."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from .. import api
from ..diagnostics import PlanError
from ..i18n import _
from ..ledger import FORMATS, build, parse_month, renderer
from ..planfile.plan import Plan
from ..render.typst_engine import RenderError
from .common import EXIT_OK, as_of_from, fail_usage, options, plan_failed, repo_from

LedgerFormat = Enum("LedgerFormat", {n: n for n in FORMATS}, type=str)  # type: ignore[misc]


def _types(plan: Plan, names: list[str] | None) -> list[str] | None:
    """``--type`` values (ids or Chinese names) as type ids; a usage error for unknown ones."""
    if not names:
        return None
    out: list[str] = []
    for name in names:
        rtype = plan.type_of(name)
        if rtype is None:
            fail_usage(_("Unknown record type: {name}").format(name=name))
        out.append(rtype.id)
    return out


def default_output(reports: Path, period: str, unit: str | None, fmt: str) -> Path:
    """``reports/ledger-2023-04.md``, ``reports/ledger-2023-04-dongyuan.pdf`` …"""
    return reports / f"ledger-{period}{'-' + unit if unit else ''}.{fmt}"


def _write(path: Path, data: bytes) -> None:
    from ..render.atomic import write_bytes

    try:
        write_bytes(path, data)
    except OSError as exc:
        fail_usage(_("Cannot write {path}: {error}").format(path=path, error=exc.strerror
                                                           or exc))


def _options() -> dict[str, object]:
    """This command's own options (built after the language is set, like common.options)."""
    return {
        "month": typer.Option(..., "--month", help=_("The month, e.g. 2023-04."),
                              show_default=False),
        "unit": typer.Option(None, "--unit", help=_("Only this unit and its branches."),
                             show_default=False),
        "format": typer.Option("md", "--format", "-f", help=_("Output format.")),
        "output": typer.Option(None, "--output", "-o", help=_(
            "Where to write (default: REPO/reports/ledger-MONTH[-UNIT].FORMAT)."),
            show_default=False),
        "type": typer.Option(None, "--type", help=_(
            "Record type of the ledger (repeatable; default: every type that requires "
            "volunteers and service_hours)."), show_default=False),
    }


def register(app: typer.Typer) -> None:
    opt = {**options(), **_options()}

    @app.command(help=_("Write the monthly volunteer service ledger (rows, totals, per-unit "
                        "subtotals) from the records, as Markdown, xlsx or PDF, and print "
                        "the file's path."))
    def ledger(
        month: str = opt["month"],
        unit: str | None = opt["unit"],
        format: LedgerFormat = opt["format"],
        output: Path | None = opt["output"],
        type_: list[str] | None = opt["type"],
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        records: Path | None = opt["records"],
        as_of: str | None = opt["as_of"],
    ) -> None:
        try:
            year, month_no = parse_month(month)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--month") from exc
        where = repo_from(repo, plan, records)
        try:
            # the ledger lists records; it needs no rule evaluated
            outcome = api.check(where, as_of=as_of_from(as_of), rules=())
        except PlanError as err:
            plan_failed(err)
        if unit is not None and unit not in outcome.plan.units:
            fail_usage(_("Unknown unit: {unit}").format(unit=unit))
        book = build(outcome, year, month_no, unit=unit, types=_types(outcome.plan, type_))
        try:
            data = renderer(format.value)(book)
        except RenderError as err:
            fail_usage(err.message)
        path = output or default_output(where.reports_dir, book.period, unit, format.value)
        _write(path, data)
        print(path)
        raise typer.Exit(EXIT_OK)
