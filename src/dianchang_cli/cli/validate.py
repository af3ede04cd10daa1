"""``dc validate FILE…``: check only these record files, no rules (pre-commit, editors).

Run on every commit, so it is kept quick: it imports only what checking records needs
(not :mod:`dianchang_cli.api`, whose pipeline, outcome and git modules serve ``dc
check``), and it loads the plan without trying each rule condition on example records
(``load_plan(..., examples=False)``): a rule condition is not evaluated here, so it is
still compiled, costed and checked for unknown fields, and the plan's other checks all
run; a condition that compiles but fails on some record is reported by ``dc check``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from ..core import Repo
    from ..records.batch import RecordSet


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
        from ..render.validate import errors, render

        fmt = text_or_json(format)
        where = repo_from(repo, plan, records)
        with plan_errors():
            loaded = validate_files(where, files)
        render(loaded, fmt, sys.stdout)
        raise typer.Exit(EXIT_FAIL if errors(loaded) else EXIT_OK)


def validate_files(repo: Repo, files: Sequence[Path]) -> RecordSet:
    """The records of ``files`` checked against the plan; a waiver among them that cannot
    count is a ``bad-waiver`` problem too (the steps of :func:`dianchang_cli.api.
    validate_files`, with the plan loaded for records only: see the module's docstring)."""
    from ..engine.evaluate import check_waivers
    from ..engine.index import Index
    from ..engine.plancheck import load_plan
    from ..records.batch import load_records

    plan = load_plan(repo.plan_dir, repo.root, examples=False)
    loaded = load_records(plan, repo.records_dir, repo.root, files=files, workers=1)
    bad = check_waivers(plan, Index(loaded.records), plan.year_end).problems
    if bad:
        loaded.problems = sorted([*loaded.problems, *bad],
                                 key=lambda p: (p.file, p.line, p.column))
    return loaded
