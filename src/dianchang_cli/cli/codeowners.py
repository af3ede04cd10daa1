"""``dc codeowners``: write CODEOWNERS from the staff ``git:`` identities in units.yaml."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..i18n import _
from .common import EXIT_OK, load_plan, options, repo_from, write_file
from .typerhooks import DcCommand


def register(app: typer.Typer) -> None:
    opt = options()
    output_option = typer.Option(None, "--output", "-o", metavar=_("FILE"), help=_(
        "Where to write (default: REPO/CODEOWNERS; - for standard output)."),
        show_default=False)

    @app.command(cls=DcCommand,
                 help=_(
        "Write a CODEOWNERS file: subdistrict staff own plan/ and records/, each unit's "
        "identities own records/<unit>/. Default: CODEOWNERS at the repository root (read "
        "by GitHub and GitLab); `--output -` prints it."))
    def codeowners(
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        output: str | None = output_option,
    ) -> None:
        from ..gitrepo.codeowners import DEFAULT_CODEOWNERS
        from ..gitrepo.codeowners import codeowners as make

        where = repo_from(repo, plan, None)
        the_plan = load_plan(where)
        if output == "-":
            sys.stdout.write(make(where, the_plan, None))
            raise typer.Exit(EXIT_OK)
        target = Path(output) if output else where.root / DEFAULT_CODEOWNERS
        try:
            inside: str | None = target.resolve().relative_to(where.root.resolve()).as_posix()
        except ValueError:
            inside = None
        write_file(target, make(where, the_plan, inside).encode("utf-8"))
        print(_("wrote {path}").format(path=target))
        raise typer.Exit(EXIT_OK)
