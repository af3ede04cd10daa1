"""``dc fmt FILE…``: rewrite record files into one canonical form, comments kept."""

from __future__ import annotations

from pathlib import Path

import typer

from ..i18n import _
from .common import EXIT_FAIL, EXIT_OK, NO_METAVAR, fail_usage, load_plan, options, repo_from
from .typerhooks import DcCommand

KEY_STYLES = ("auto", "en", "zh")


def register(app: typer.Typer) -> None:
    opt = options()

    @app.command(cls=DcCommand, help=_(
        "Rewrite record files into one canonical form: fields in the type's order, keys "
        "spelled one way, the usual indentation; comments and values stay as written. A "
        "folder stands for every record file below it. Exit 1 if a file could not be "
        "formatted (or, with --check, if any would change)."))
    def fmt(
        files: list[Path] = typer.Argument(..., metavar=_("FILE"), help=_(
            "Record files or folders to format.")),
        keys: str = typer.Option("auto", "--keys", metavar="auto|en|zh", help=_(
            "Write keys as field ids (en), as the plan's Chinese names (zh), or as most keys "
            "of each file already are (auto, the default).")),
        check: bool = typer.Option(False, "--check", metavar=NO_METAVAR, help=_(
            "Write nothing: list the files that would change, exit 1 if any would.")),
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
    ) -> None:
        from ..intake.fmt import format_files

        if keys not in KEY_STYLES:
            fail_usage(_("--keys must be auto, en or zh"))
        where = repo_from(repo, plan, records)
        the_plan = load_plan(where)
        report = format_files(the_plan, files, where.root, where.records_dir,
                              keys, check=check)  # type: ignore[arg-type]
        for line in report.lines(check):
            print(line)
        failed = bool(report.problems) or (check and bool(report.changed))
        raise typer.Exit(EXIT_FAIL if failed else EXIT_OK)
