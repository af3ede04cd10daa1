"""``dc aggregate``: many subdistricts' exports in one DuckDB file, and the district view.

Each PATH is an export folder (what ``dc export`` wrote) or a records repository (a folder
with ``plan/``), which is exported first into a temporary folder.  Everything is loaded into
one embedded DuckDB database file (``-o``, default ``district.duckdb``; no server), and the
district view — subdistricts × months heatmap, per-item rates, the lowest-scoring
communities — is rendered beside it (``district.md``), or to ``--report FILE.md|.html|.pdf``.
The library is :mod:`dianchang_cli.export.aggregate` and :mod:`dianchang_cli.export.district`.
Exit 0; a folder that cannot be used is reported on stderr and skipped (exit 1 when none
could be used); usage errors exit 2.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from ..diagnostics import printable
from ..i18n import N_, _
from .common import (
    EXIT_FAIL,
    EXIT_OK,
    cannot_write,
    fail_usage,
    format_named,
    options,
    render_errors,
    repo_from,
    write_file,
)
from .typerhooks import DcCommand

HELP = N_("Load many subdistricts' exports (or repositories, exported first) into one DuckDB "
          "database file and write the district view beside it (subdistricts × months "
          "heatmap, rates per item, lowest-scoring communities; --report: as Markdown, HTML "
          "or PDF, where you say); print both paths.")
MAX_PATHS = 1000


@dataclass(frozen=True)
class AggregateOptions:
    """This command's own options (built after the language is set, like the shared ones)."""

    paths: Any = field(default_factory=lambda: typer.Argument(
        ..., metavar=_("PATH"), help=_("Export folders of dc export, or repositories."),
        show_default=False))
    output: Any = field(default_factory=lambda: typer.Option(
        Path("district.duckdb"), "--output", "-o", metavar=_("FILE"),
        help=_("The DuckDB database file to write (replaced when it exists).")))
    report: Any = field(default_factory=lambda: typer.Option(
        None, "--report", metavar=_("FILE"),
        help=_("Write the district view to FILE.md, FILE.html or FILE.pdf (default: the "
               "database's name ending in .md)."),
        show_default=False))


def _report_format(report: Path | None) -> str | None:
    from ..export.district import REPORT_FORMATS

    if report is None:
        return None
    fmt = format_named(report.suffix.lower().lstrip("."))
    if fmt not in REPORT_FORMATS:
        fail_usage(_("--report {path}: the file must end in .md, .html or .pdf").format(
            path=printable(str(report))))
    return fmt


def _folders(paths: list[Path], tmp: Path, as_of: str | None) -> list[Path]:
    """Export folders for ``paths``: a repository is exported into ``tmp`` first."""
    from .export import export_repo

    out: list[Path] = []
    for n, path in enumerate(paths):
        if not path.is_dir():
            fail_usage(_("{path}: no such folder").format(path=printable(str(path))))
        if (path / "plan").is_dir():
            target = tmp / f"repo-{n:04d}"
            try:  # a repository that cannot be checked is said why (on stderr) and skipped
                export_repo(repo_from(path, None, None), target, "parquet", as_of)
            except typer.Exit:
                print(_("{path}: skipped, it could not be exported").format(
                    path=printable(str(path))), file=sys.stderr)
                continue
            out.append(target)
        else:
            out.append(path)
    return out


def _write_report(database: Path, report: Path, fmt: str) -> None:
    from ..export.district import district_view, render_district

    with render_errors():
        data = render_district(district_view(database), fmt)
    write_file(report, data)
    print(report)


def register(app: typer.Typer) -> None:
    opt, own = options(), AggregateOptions()

    @app.command(cls=DcCommand, help=_(HELP))
    def aggregate(
        paths: list[Path] = own.paths,
        output: Path = own.output,
        report: Path | None = own.report,
        as_of: str | None = opt.as_of,
    ) -> None:
        import tempfile

        import duckdb

        from ..export.aggregate import aggregate as load

        if len(paths) > MAX_PATHS:
            fail_usage(_("at most {n} paths at once").format(n=MAX_PATHS))
        if report is None:  # beside the database, never the database itself
            report = output.with_suffix(".md")
            report = report if report != output else output.with_name(output.name + ".md")
        fmt = _report_format(report)
        with tempfile.TemporaryDirectory(prefix="dc-aggregate-") as tmp:
            folders = _folders(paths, Path(tmp), as_of)
            try:
                loaded = load(folders, output)
            except (OSError, duckdb.Error) as err:
                cannot_write(output, str(err))
        for problem in loaded.problems:
            print(printable(problem), file=sys.stderr)
        print(output)
        if fmt is not None and loaded.exports:
            _write_report(output, report, fmt)
        raise typer.Exit(EXIT_OK if loaded.exports else EXIT_FAIL)
