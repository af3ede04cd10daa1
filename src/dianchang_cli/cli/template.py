"""``dc template xlsx``: the Excel workbook communities fill in, for ``dc import``.

The workbook itself is built by :func:`dianchang_cli.intake.template.build_workbook`; this
layer reads the options, refuses to overwrite a file without ``--force``, writes the bytes
and prints the file's path (on stdout; the next step on stderr).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..diagnostics import printable
from ..i18n import _
from .common import EXIT_OK, fail_usage, load_plan, options, repo_from, write_file
from .typerhooks import DcCommand, DcGroup

if TYPE_CHECKING:
    from ..planfile.plan import Plan

DEFAULT_OUTPUT = "台账模板.xlsx"
SHOWN_TYPES = 8  # known type names listed when --type names none


def chosen_types(plan: Plan, names: list[str] | None) -> list[str]:
    """``--type`` values (ids or Chinese names) as type ids, each once, in the order given;
    every type of the plan when none is given; exit 2 naming some known types otherwise."""
    if not names:
        return list(plan.types)
    out: list[str] = []
    for name in names:
        rtype = plan.type_of(name.strip())
        if rtype is None:
            known = [printable(t.name, 40) for t in plan.types.values()]
            more = "、…" if len(known) > SHOWN_TYPES else ""
            fail_usage(_("Unknown record type: {name}; known types: {known}").format(
                name=printable(name), known="、".join(known[:SHOWN_TYPES]) + more))
        out.append(rtype.id)
    return list(dict.fromkeys(out))


def register(app: typer.Typer) -> None:
    opt = options()
    template_app = typer.Typer(name="template", cls=DcGroup, no_args_is_help=True,
                               help=_("Write templates to fill in instead of YAML."))

    @template_app.command("xlsx", cls=DcCommand, help=_(
        "Write an Excel workbook for keeping records in Excel or WPS: one sheet per record "
        "type, a header with the plan's field names, drop-down lists and instructions; "
        "dc import turns its rows into records."))
    def xlsx(
        type_: list[str] | None = typer.Option(
            None, "--type", metavar=_("TYPE"), show_default=False, help=_(
                "Record type, by id or Chinese name (repeatable; default: every type).")),
        output: Path = typer.Option(
            Path(DEFAULT_OUTPUT), "--output", "-o", metavar=_("FILE"), help=_(
                "Where to write the workbook (default: 台账模板.xlsx in the current "
                "folder)."), show_default=False),
        force: bool = typer.Option(False, "--force", metavar="", help=_(
            "Overwrite the file if it exists.")),
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
    ) -> None:
        from ..intake.template import build_workbook

        the_plan = load_plan(repo_from(repo, plan, None))
        types = chosen_types(the_plan, type_)
        if (output.exists() or output.is_symlink()) and not force:
            fail_usage(_("{path} exists already; add --force to overwrite it").format(
                path=printable(str(output))))
        write_file(output, build_workbook(the_plan, types))
        print(output)
        print(_("Fill it in, then import it: dc import {path} --unit {unit}").format(
            path=printable(str(output)), unit=_("UNIT-ID")), file=sys.stderr)
        raise typer.Exit(EXIT_OK)

    app.add_typer(template_app, name="template")
