"""``dc codeowners``: write CODEOWNERS from the staff ``git:`` identities in units.yaml."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..diagnostics import PlanError, printable
from ..i18n import _
from .common import EXIT_OK, fail_usage, options, plan_failed, repo_from


def register(app: typer.Typer) -> None:
    opt = options()
    own = {"output": typer.Option(None, "--output", "-o", metavar=_("FILE"), help=_(
        "Where to write (default: REPO/CODEOWNERS; - for standard output)."),
        show_default=False)}

    @app.command(help=_(
        "Write a CODEOWNERS file: subdistrict staff own plan/ and records/, each unit's "
        "identities own records/<unit>/. Default: CODEOWNERS at the repository root (read "
        "by GitHub and GitLab); `--output -` prints it."))
    def codeowners(
        repo: Path | None = opt["repo"],
        plan: Path | None = opt["plan"],
        output: str | None = own["output"],
    ) -> None:
        from ..gitrepo.codeowners import DEFAULT_CODEOWNERS
        from ..gitrepo.codeowners import codeowners as make
        from ..planfile.loader import load_plan

        where = repo_from(repo, plan, None)
        try:
            the_plan = load_plan(where.plan_dir, where.root)
        except PlanError as err:
            plan_failed(err)
        if output == "-":
            sys.stdout.write(make(where, the_plan, None))
            raise typer.Exit(EXIT_OK)
        target = Path(output) if output else where.root / DEFAULT_CODEOWNERS
        try:
            inside: str | None = target.resolve().relative_to(where.root.resolve()).as_posix()
        except ValueError:
            inside = None
        text = make(where, the_plan, inside)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except (OSError, ValueError) as exc:
            fail_usage(_("Cannot write {path}: {error}").format(
                path=printable(str(target)), error=printable(getattr(exc, "strerror", None)
                                                             or str(exc))))
        print(_("wrote {path}").format(path=target))
        raise typer.Exit(EXIT_OK)
