"""Build the typer app: one module per command, each with a ``register(app)``.

Help and error screens in the active language come from :mod:`.typerhooks` (typer's
supported class hooks, and the patches typer leaves no hook for, each said why).
"""

from __future__ import annotations

import typer

from ..i18n import _
from .typerhooks import DcGroup, quiet_argument_types


def version() -> str:
    """The installed version of dianchang-cli (the package's own when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("dianchang-cli")
    except PackageNotFoundError:
        from .. import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
        print(f"dc {version()}")
        raise typer.Exit(0)


def build_app() -> typer.Typer:
    from . import (
        aggregate,
        audit,
        calendar,
        check,
        codeowners,
        export,
        fmt,
        import_cmd,
        init,
        ledger,
        new,
        plan_cmd,
        report,
        rules,
        schema,
        summary,
        template,
        todo,
        validate,
    )

    quiet_argument_types()
    app = typer.Typer(
        name="dc",
        cls=DcGroup,
        help=_("dc — checks the work plan of 电厂街道 against the records communities commit."),
        no_args_is_help=True,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root(
        lang: str = typer.Option("zh", "--lang", metavar="zh|en", help=_(
            "Language of messages and reports: zh (default) or en.")),
        version: bool = typer.Option(False, "--version", metavar="", is_eager=True,
                                     callback=_print_version,
                                     help=_("Print the version of dc and exit.")),
    ) -> None:
        """(--lang is read before the app is built; this keeps it in --help.)"""

    for module in (check, validate, todo, new, import_cmd, template, schema, fmt, rules,
                   plan_cmd, report, summary, ledger, calendar, export, aggregate, init, audit,
                   codeowners):
        module.register(app)
    return app
