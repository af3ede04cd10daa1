"""``dc validate FILE…``: check only these record files, no rules (pre-commit, editors)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from .. import api
from ..diagnostics import PlanError
from ..i18n import _
from .common import EXIT_FAIL, EXIT_OK, fail_usage, options, plan_failed, repo_from


def register(app: typer.Typer) -> None:
    opt = options()

    @app.command(help=_("Validate only the given record files; no rule is evaluated. "
                        "Exit 1 if any is invalid."))
    def validate(
        files: list[Path] = typer.Argument(..., metavar=_("FILE"), help=_(
            "Record files to validate.")),
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        records: Path | None = opt["records"],
        format: str = typer.Option("text", "--format", "-f", metavar="text|json",
                                   help=_("text or json.")),
    ) -> None:
        if format not in ("text", "json"):
            fail_usage(_("--format must be text or json"))
        where = repo_from(repo, plan, records)
        try:
            _plan, loaded = api.validate_files(where, files)
        except PlanError as err:
            plan_failed(err)
        errors = [p for p in loaded.problems if p.severity == "error"]
        if format == "json":
            json.dump({"files": loaded.files, "records": len(loaded.records),
                       "errors": [p.as_json() for p in errors]},
                      sys.stdout, ensure_ascii=False, indent=2)
            print()
        else:
            for p in loaded.problems:
                print(p.text())
            print(_("{n} files checked, {bad} invalid").format(
                n=loaded.files, bad=len({p.file for p in errors})))
        raise typer.Exit(EXIT_FAIL if errors else EXIT_OK)
