"""``dc init DIR``: scaffold a new records repository (plan, records, CI, README)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..diagnostics import PlanError
from ..i18n import _
from .common import EXIT_FAIL, EXIT_OK, fail_usage, plan_failed

if TYPE_CHECKING:
    from ..scaffold import Scaffold


def _options() -> dict[str, Any]:
    """Built after the language is set, so their help is translated."""
    return {
        "directory": typer.Argument(..., metavar="DIR", help=_(
            "Folder of the new repository (created if missing).")),
        "force": typer.Option(False, "--force", help=_("Overwrite existing files.")),
        "plan": typer.Option(None, "--plan", help=_("Copy the plan from this folder."),
                             show_default=False),
        "from_repo": typer.Option(None, "--from-repo", help=_(
            "Copy the plan of this records repository (its plan/ folder)."),
            show_default=False),
        "dc_source": typer.Option(None, "--dc-source", help=_(
            "Where CI installs dc from, as pip understands it after 'dianchang-cli @', "
            "e.g. git+https://git.example.org/dc.git (default: a placeholder to fill in)."),
            show_default=False),
    }


def register(app: typer.Typer) -> None:
    o = _options()

    @app.command(help=_(
        "Create a new records repository in DIR: plan/ (a copy of --plan, of --from-repo's "
        "plan/, of ./plan when it exists, else a minimal packaged plan) with a commented "
        "units.yaml template, records/, examples/, evidence/ (large files ignored), "
        "reports/, a README for community staff, GitHub Actions and GitLab CI files. "
        "Refuses to overwrite existing files unless --force (exit 1)."))
    def init(
        directory: Path = o["directory"],
        force: bool = o["force"],
        plan: Path | None = o["plan"],
        from_repo: Path | None = o["from_repo"],
        dc_source: str | None = o["dc_source"],
    ) -> None:
        from .. import scaffold

        if plan is not None and from_repo is not None:
            fail_usage(_("give --plan or --from-repo, not both"))
        if directory.exists() and not directory.is_dir():
            fail_usage(_("{path} exists and is not a folder").format(path=directory))
        source = scaffold.plan_source(plan, from_repo, Path.cwd())
        if source is not None and not source.is_dir():
            fail_usage(_("the plan folder {path} does not exist").format(path=source))
        built = scaffold.build(directory, source, dc_source)
        try:
            built.verify()
        except PlanError as err:
            plan_failed(err)
        clash = built.existing()
        if clash and not force:
            print(_("dc init: these files exist already (use --force to overwrite them):"))
            for name in clash:
                print(f"  {directory / name}")
            raise typer.Exit(EXIT_FAIL)
        for name in built.write():
            word = _("overwrote") if name in clash else _("created")
            print(f"{word} {directory / name}")
        print(_("plan copied from {src}").format(src=source) if source is not None else
              _("plan: the minimal packaged example (one type, one rule); use --plan to copy "
                "a full plan"))
        _check_examples(built)
        print(_("next: edit plan/units.yaml, then run `git init` and `dc check` in {dir}")
              .format(dir=directory))
        raise typer.Exit(EXIT_OK)


def _check_examples(built: Scaffold) -> None:
    """Say so when an example record does not fit the copied plan (it is only an example)."""
    from .. import api

    examples = built.examples()
    if not examples:
        return
    try:
        _plan, loaded = api.validate_files(api.Repo.at(built.dest), examples)
    except PlanError:
        return
    for p in loaded.problems:
        if p.severity == "error":
            print(_("note: the example does not fit this plan: {p}").format(p=p.text()))
