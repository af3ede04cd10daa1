"""``dc schema [-o FILE]``: the JSON Schema of a record file, for editors."""

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
        "Where to write (default: standard output), e.g. records.schema.json."),
        show_default=False)

    @app.command(cls=DcCommand,
                 help=_(
        "Print the JSON Schema of a record file, generated from the plan: editors such as "
        "VS Code with the YAML extension use it to complete fields and values and to mark "
        "mistakes while a record is typed. Run it again after the plan changes: "
        "dc schema -o records.schema.json"))
    def schema(
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        output: Path | None = output_option,
    ) -> None:
        from ..intake.schema import schema_text

        where = repo_from(repo, plan, None)
        data = schema_text(load_plan(where)).encode("utf-8")
        if output is None or str(output) == "-":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)  # UTF-8 whatever the console's code page
            sys.stdout.buffer.flush()
            raise typer.Exit(EXIT_OK)
        write_file(output, data)
        print(_("wrote {path}").format(path=output), file=sys.stderr)
        raise typer.Exit(EXIT_OK)
