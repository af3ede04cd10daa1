"""Build the typer app: one module per command, each with a ``register(app)``."""

from __future__ import annotations

import typer
import typer.rich_utils as rich_utils

from ..i18n import _


def _translate_typer() -> None:
    """Typer's own panel titles and markers, in the active language."""
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.ABORTED_TEXT = _("Aborted.")


def build_app() -> typer.Typer:
    from . import check, rules, validate

    _translate_typer()
    app = typer.Typer(
        name="dc",
        help=_("dc — checks the work plan of 电厂街道 against the records communities commit."),
        no_args_is_help=True,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        lang: str = typer.Option("zh", "--lang", help=_("Language of messages and reports: "
                                                         "zh (default) or en.")),
    ) -> None:
        """(--lang is read before the app is built; this keeps it in --help.)"""

    for module in (check, validate, rules):
        module.register(app)
    for name in ("plan_cmd", "report", "ledger", "init", "audit", "codeowners"):
        _register_optional(app, name)
    return app


def _register_optional(app: typer.Typer, name: str) -> None:
    """Commands whose modules may not exist yet in a trimmed install."""
    from importlib import import_module

    try:
        module = import_module(f"{__package__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith(f".{name}"):
            return
        raise
    module.register(app)
