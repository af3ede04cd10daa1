"""``dc validate FILE…``: check only these record files, no rules (pre-commit, editors).

Run on every commit, so it is kept quick: :func:`dianchang_cli.api.validate_files` loads
the plan without trying each rule condition on example records (``load_plan(...,
examples=False)``): no rule is evaluated here, so a condition is still compiled, costed
and checked for unknown fields, and the plan's other checks all run; a condition that
compiles but fails on some record is reported by ``dc check``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..i18n import _
from .common import (
    EXIT_FAIL,
    EXIT_OK,
    options,
    plan_errors,
    repo_from,
    text_or_json,
    text_or_json_option,
)
from .typerhooks import DcCommand


def register(app: typer.Typer) -> None:
    opt = options()

    @app.command(cls=DcCommand,
                 help=_("Validate only the given record files; no rule is evaluated. "
                        "Exit 1 if any is invalid."))
    def validate(
        files: list[Path] = typer.Argument(..., metavar=_("FILE"), help=_(
            "Record files to validate.")),
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
        format: str = text_or_json_option(),
    ) -> None:
        from .. import api
        from ..render.validate import errors, render

        fmt = text_or_json(format)
        where = repo_from(repo, plan, records)
        with plan_errors():
            _plan, loaded = api.validate_files(where, files)
        render(loaded, fmt, sys.stdout)
        raise typer.Exit(EXIT_FAIL if errors(loaded) else EXIT_OK)
