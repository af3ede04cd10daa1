"""``dc audit``: commits that touched a unit's records by an identity not listed for it."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..i18n import _
from .common import (
    EXIT_FAIL,
    EXIT_OK,
    fail_usage,
    load_plan,
    options,
    repo_from,
    text_or_json,
    text_or_json_option,
)
from .typerhooks import DcCommand


def register(app: typer.Typer) -> None:
    opt = options()
    since_option = typer.Option(None, "--since", metavar=_("REV"), help=_(
        "Only commits after this git revision (REV..HEAD)."), show_default=False)

    @app.command(cls=DcCommand,
                 help=_(
        "List every commit that added, changed or deleted records of a unit by an author "
        "email not listed under `git:` for that unit, the community above it or the "
        "subdistrict in plan/units.yaml. The unit is the record's `unit:` (else its folder "
        "records/<unit>/). Exit 1 if any is found, 2 without git or for a bad revision."))
    def audit(
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
        since: str | None = since_option,
        format: str = text_or_json_option(),
    ) -> None:
        from ..gitrepo.audit import audit as run_audit
        from ..gitrepo.git import GitError
        from ..render.audit import render

        fmt = text_or_json(format)
        where = repo_from(repo, plan, records)
        the_plan = load_plan(where)
        try:
            commits, findings = run_audit(where, the_plan, since)
        except GitError as exc:
            fail_usage(_("dc audit: {why}").format(why=exc))
        render(the_plan, commits, findings, fmt, sys.stdout)
        raise typer.Exit(EXIT_FAIL if findings else EXIT_OK)
