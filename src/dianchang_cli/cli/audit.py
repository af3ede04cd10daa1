"""``dc audit``: commits that touched a unit's records by an identity not listed for it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ..core import TZ
from ..diagnostics import PlanError
from ..gitrepo.git import GitError
from ..i18n import _
from .common import EXIT_FAIL, EXIT_OK, fail_usage, options, plan_failed, repo_from


def register(app: typer.Typer) -> None:
    opt = options()
    own = {
        "since": typer.Option(None, "--since", metavar=_("REV"), help=_(
            "Only commits after this git revision (REV..HEAD)."), show_default=False),
        "format": typer.Option("text", "--format", "-f", metavar="text|json",
                                help=_("text or json.")),
    }

    @app.command(help=_(
        "List every commit that added, changed or deleted records of a unit by an author "
        "email not listed under `git:` for that unit, the community above it or the "
        "subdistrict in plan/units.yaml. The unit is the record's `unit:` (else its folder "
        "records/<unit>/). Exit 1 if any is found, 2 without git or for a bad revision."))
    def audit(
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        records: Path | None = opt["records"],
        since: str | None = own["since"],
        format: str = own["format"],
    ) -> None:
        from ..gitrepo.audit import audit as run_audit
        from ..planfile.loader import load_plan

        if format not in ("text", "json"):
            fail_usage(_("--format must be text or json"))
        where = repo_from(repo, plan, records)
        try:
            the_plan = load_plan(where.plan_dir, where.root)
        except PlanError as err:
            plan_failed(err)
        try:
            commits, findings = run_audit(where, the_plan, since)
        except GitError as exc:
            fail_usage(_("dc audit: {why}").format(why=exc))
        if format == "json":
            json.dump({"commits": commits, "findings": [f.as_json() for f in findings]},
                      sys.stdout, ensure_ascii=False, indent=2)
            print()
        else:
            for f in findings:  # one line per finding, its files below: readable in any width
                when = f.time.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
                unit = the_plan.unit_name(f.unit)
                print(f"{f.commit[:10]}  {when}  {f.email}  {unit} ({f.unit})")
                for name in f.files:
                    print(f"    {name}")
            print(_("{n} commits read, {k} by identities not listed for the unit")
                  .format(n=commits, k=len({f.commit for f in findings})))
        raise typer.Exit(EXIT_FAIL if findings else EXIT_OK)
