"""``dc init DIR``: scaffold a new records repository (plan, records, CI, README)."""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ..diagnostics import PlanError, printable
from ..i18n import _, os_reason
from ..render.init import (
    render_clash,
    render_example_problems,
    render_next,
    render_written,
)
from .common import EXIT_FAIL, EXIT_OK, NO_METAVAR, fail_usage, plan_errors
from .typerhooks import DcCommand

if TYPE_CHECKING:
    from ..scaffold import Scaffold


@dataclass(frozen=True)
class InitOptions:
    """``dc init``'s arguments, built after the language is set so their help is translated."""

    directory: Any = field(default_factory=lambda: typer.Argument(
        ..., metavar=_("FOLDER"), help=_("Folder of the new repository (created if missing).")))
    force: Any = field(default_factory=lambda: typer.Option(
        False, "--force", metavar=NO_METAVAR, help=_("Overwrite existing files.")))
    plan: Any = field(default_factory=lambda: typer.Option(
        None, "--plan", metavar=_("FOLDER"), help=_("Copy the plan from this folder."),
        show_default=False))
    from_repo: Any = field(default_factory=lambda: typer.Option(
        None, "--from-repo", metavar=_("FOLDER"), help=_(
            "Copy the plan of this records repository (its plan/ folder)."),
        show_default=False))
    dc_source: Any = field(default_factory=lambda: typer.Option(
        None, "--dc-source", metavar=_("SOURCE"), help=_(
            "Where CI installs dc from, as pip understands it after 'dianchang-cli @', "
            "e.g. git+https://git.example.org/dc.git (default: a placeholder to fill in)."),
        show_default=False))


def register(app: typer.Typer) -> None:
    o = InitOptions()

    @app.command(cls=DcCommand,
                 help=_(
        "Create a new records repository in DIR: plan/ (a copy of --plan, of --from-repo's "
        "plan/, of ./plan when it exists, else a minimal packaged plan) with a commented "
        "units.yaml template, records/, examples/, evidence/ (large files ignored), "
        "reports/, a README for community staff, GitHub Actions and GitLab CI files, "
        "records.schema.json and .vscode/ settings for editors. "
        "Refuses to overwrite existing files unless --force (exit 1)."))
    def init(
        directory: Path = o.directory,
        force: bool = o.force,
        plan: Path | None = o.plan,
        from_repo: Path | None = o.from_repo,
        dc_source: str | None = o.dc_source,
    ) -> None:
        if plan is not None and from_repo is not None:
            fail_usage(_("give --plan or --from-repo, not both"))
        try:
            _init(directory, force, plan, from_repo, dc_source)
        except (OSError, ValueError) as exc:  # a file in the way, no permission, a bad name
            fail_usage(_("dc init: cannot create {path}: {error}").format(
                path=printable(str(directory)),
                error=printable(os_reason(exc))))
        raise typer.Exit(EXIT_OK)


def _init(directory: Path, force: bool, plan: Path | None, from_repo: Path | None,
          dc_source: str | None) -> None:
    from .. import scaffold

    shown = printable(str(directory))
    if directory.exists() and not directory.is_dir():
        fail_usage(_("{path} exists and is not a folder").format(path=shown))
    source = scaffold.plan_source(plan, from_repo, Path.cwd())
    if source is not None and not source.is_dir():
        fail_usage(_("the plan folder {path} does not exist").format(
            path=printable(str(source))))
    try:
        built = scaffold.build(directory, source, dc_source)
    except scaffold.SourceError as exc:
        fail_usage(_("dc init: the plan cannot be copied: {why}").format(why=exc))
    with plan_errors():
        built.add_schema(built.verify())
    clash = built.existing()
    if clash and not force:
        render_clash(directory, clash, sys.stdout)
        raise typer.Exit(EXIT_FAIL)
    _writable(directory)
    render_written(directory, built.write(), clash, source, sys.stdout)
    _check_examples(built)
    render_next(directory, sys.stdout)


def _writable(directory: Path) -> None:
    """Create ``directory`` and prove a file can be made in it before writing the others,
    so that a folder that cannot be written to is one sentence, not half a repository."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix=".dc-init-"):
        pass


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
    render_example_problems(loaded.problems, sys.stdout)
