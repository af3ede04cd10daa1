"""``dc import FILE…``: a coordinator's Excel/WPS ledger (or CSV) → one record file per row.

The work is in :mod:`dianchang_cli.intake` (:mod:`~..intake.sheets` reads the files,
:mod:`~..intake.rows` and :mod:`~..intake.importer` decide, :mod:`~..intake.apply` writes,
:mod:`~..intake.summary` prints); this module checks the options, loads the repository
once, and turns the outcome into an exit status: 0 all fine, 1 a row had a problem or a
changed row was not updated, 2 a usage error (before anything is written).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..diagnostics import printable
from ..i18n import _
from .common import (
    EXIT_FAIL,
    EXIT_OK,
    NO_METAVAR,
    fail_usage,
    options,
    plan_errors,
    repo_from,
    require_unit,
    text_or_json,
    text_or_json_option,
)
from .typerhooks import DcCommand

if TYPE_CHECKING:
    from ..intake.importer import ImportResult

KEY_STYLES = ("en", "zh")


def register(app: typer.Typer) -> None:
    opt = options()

    @app.command("import", cls=DcCommand, help=_(
        "Import records from Excel/WPS workbooks (.xlsx, .xls, .ods) or CSV files: one "
        "record file per valid row, each checked like dc check; rows already imported are "
        "left alone, changed ones are shown (and written with --update)."))
    def import_(
        files: list[Path] = typer.Argument(..., metavar=_("FILE"), help=_(
            "Workbooks or CSV files to import.")),
        unit: str | None = typer.Option(None, "--unit", metavar=_("UNIT"), help=_(
            "Fill this unit into rows without one; a row of another unit is a problem."),
            show_default=False),
        dry_run: bool = typer.Option(False, "--dry-run", metavar=NO_METAVAR, help=_(
            "Check everything and say what would be written, but write nothing.")),
        update: bool = typer.Option(False, "--update", metavar=NO_METAVAR, help=_(
            "Rewrite the records whose rows changed (only the changed fields; comments "
            "kept).")),
        commit: bool = typer.Option(False, "--commit", metavar=NO_METAVAR, help=_(
            "Commit exactly the files written, with a message naming the files and counts.")),
        keys: str = typer.Option("zh", "--keys", metavar="zh|en", help=_(
            "Write new files' keys as the plan's Chinese names (zh, default: as the sheet's "
            "header, so problems name the columns as written) or as ids (en).")),
        format: str = text_or_json_option(),
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
    ) -> None:
        from .. import api
        from ..intake import sheets
        from ..intake.apply import Writer
        from ..intake.importer import Importer
        from ..intake.summary import as_json, render_text

        fmt = text_or_json(format)
        for path in files:
            if not path.is_file():
                fail_usage(_("{path}: no such file").format(path=printable(str(path))))
        if keys not in KEY_STYLES:
            fail_usage(_("--keys must be en or zh"))
        where = repo_from(repo, plan, records)
        try:
            with plan_errors():
                the_plan, loaded = api.load(where)
        except api.UsageError as err:
            fail_usage(str(err))
        if unit:
            unit = require_unit(the_plan, unit)
        who = _git_identity(where.root) if commit and not dry_run else None
        result = Importer(the_plan, loaded.records, unit, keys=keys, root=where.root).prepare(  # type: ignore[arg-type]
            [sheets.read(f, printable(f.name, 120)) for f in files])
        writer = Writer(the_plan, where, keys)  # type: ignore[arg-type]
        written = writer.run(result, update, dry_run)
        sha = _commit(where.root, result, [*written, *writer.removed], update, who) \
            if who else None
        if fmt == "json":
            json.dump(as_json(result, update=update, dry_run=dry_run, commit=sha), sys.stdout,
                      ensure_ascii=False, indent=2, default=str)
            print()
        else:
            render_text(result, sys.stdout, update=update, dry_run=dry_run, commit=sha)
        not_committed = bool(who and written and sha is None)
        failed = result.bad_rows or (result.of("changed") and not update) or not_committed
        raise typer.Exit(EXIT_FAIL if failed else EXIT_OK)


def _git_identity(root: Path) -> str:
    """``name <email>`` of the git user who will commit; exit 2 (before anything is
    written) when git cannot commit here."""
    from ..gitrepo.git import unusable, user_email, user_name

    why = unusable(root)
    if why is not None:
        fail_usage(_("--commit needs git: {why}").format(why=why[1]))
    email = user_email(root)
    if email is None:
        fail_usage(_("--commit: git does not know who you are; run git config user.name "
                     "\"…\" and git config user.email \"…\" first"))
    name = user_name(root)
    return f"{name} <{email}>" if name else email


def _commit(root: Path, result: ImportResult, written: list[Path], update: bool,
            who: str) -> str | None:
    """Commit the written files; ``None`` when nothing was written.  A failed commit leaves
    the files and says so on stderr."""
    from ..gitrepo.git import GitError, commit_files
    from ..intake.apply import commit_message
    from ..intake.summary import counts

    if not written:
        return None
    n = counts(result, update)
    try:
        return commit_files(root, written, commit_message(result, n["added"], n["updated"],
                                                          who))
    except GitError as err:
        print(_("The files were written but not committed: {error}").format(error=err),
              file=sys.stderr)
        return None
