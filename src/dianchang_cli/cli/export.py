"""``dc export``: one evaluation as tables another tool can read (Parquet, CSV, JSON Lines).

The results, the records (a common table and one table per record type) and a one-row
``meta`` table are written under ``-o DIR`` (default ``<repo>/export``) in Hive-style
folders ``plan=<id>/year=<yyyy>/``; ``read_parquet('DIR/**/*.parquet')`` in DuckDB reads a
Parquet export as it is.  The library is :mod:`dianchang_cli.export`; this module is the
typer layer.  Exit 0; usage errors and a broken plan exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from ..export.write import FORMATS
from ..i18n import N_, _
from .common import (
    EXIT_OK,
    as_of_from,
    cannot_write,
    format_choices,
    options,
    print_notes,
    repo_from,
    run_check,
)
from .typerhooks import DcCommand

ExportFormat = format_choices("ExportFormat", FORMATS)
HELP = N_("Write one evaluation as tables for other tools: the results, the records (a common "
        "table and one per record type) and a small meta table, as Parquet (default), CSV or "
        "JSON Lines in folders plan=<id>/year=<yyyy>/ under -o (default: export/), and print "
        "the folder.")


@dataclass(frozen=True)
class ExportOptions:
    """This command's own options (built after the language is set, like the shared ones)."""

    format: Any = field(default_factory=lambda: typer.Option(
        "parquet", "--format", "-f", help=_("parquet (default), csv or jsonl.")))
    output: Any = field(default_factory=lambda: typer.Option(
        None, "--output", "-o", metavar=_("FOLDER"),
        help=_("The folder to write into (default: REPO/export)."), show_default=False))


def export_repo(where: Any, out_dir: Path, fmt: str, as_of: str | None) -> list[Path]:
    """Evaluate ``where`` and write its export under ``out_dir``; the files written.

    Shared with ``dc aggregate``, which exports repositories it is given before loading
    them.  Exit 2 (one sentence) when the folder cannot be written (by Python or DuckDB).
    """
    import duckdb

    from ..export.tables import tables
    from ..export.write import write
    from .app import version

    outcome = run_check(where, as_of=as_of_from(as_of))
    print_notes(outcome)
    try:
        return write(tables(outcome, version()), out_dir, fmt)
    except (OSError, duckdb.Error) as err:
        cannot_write(out_dir, err)


def register(app: typer.Typer) -> None:
    opt, own = options(), ExportOptions()

    @app.command(cls=DcCommand, help=_(HELP))
    def export(
        format: ExportFormat = own.format,
        output: Path | None = own.output,
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
        as_of: str | None = opt.as_of,
    ) -> None:
        where = repo_from(repo, plan, records)
        out_dir = output if output is not None else where.root / "export"
        files = export_repo(where, out_dir, str(format.value), as_of)
        print(files[0].parent if files else out_dir)
        raise typer.Exit(EXIT_OK)
