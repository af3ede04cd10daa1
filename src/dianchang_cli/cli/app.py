"""Build the typer app: one module per command, each with a ``register(app)``."""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

import typer

from ..i18n import _


def _fold_long_words(rich_utils: ModuleType) -> None:
    """Help texts wrap instead of ending in "…" when a line is full.

    Typer prints option help in table cells whose overflow is rich's default "ellipsis", and
    rich breaks lines only at spaces: a Chinese sentence (no spaces) longer than the cell is
    one word, cut off with "…" at 80 columns while English wraps.  Giving the help text
    ``overflow="fold"`` lets rich break such a word at the cell's edge (CJK characters are
    measured as two columns).  The hook is typer's ``_make_rich_text`` (every help text goes
    through it); a typer without it keeps its own behaviour.
    """
    original = getattr(rich_utils, "_make_rich_text", None)
    if original is None or getattr(original, "_dc_fold", False):
        return
    from rich.text import Text

    def make_rich_text(*args: Any, **kwargs: Any) -> Any:
        made = original(*args, **kwargs)
        if isinstance(made, Text):
            made.overflow = "fold"
        return made

    make_rich_text._dc_fold = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = make_rich_text


def _translate_typer(rich_utils: ModuleType) -> None:
    """Typer's own panel titles and markers, in the active language; help texts that wrap."""
    _fold_long_words(rich_utils)
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.ABORTED_TEXT = _("Aborted.")
    rich_utils.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")


class _TranslateWhenImported(importlib.abc.MetaPathFinder):
    """Translate ``typer.rich_utils`` when typer first imports it (for help or an error).

    Importing it up front would cost ~100 ms (it pulls in rich.markdown) on every run,
    a twentieth of a whole ``dc check`` that prints no help at all.
    """

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> ModuleSpec | None:
        if name != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            _translate_typer(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _translate_help_option() -> None:
    """``--help``'s own line ("Show this message and exit.") in the active language.

    Typer vendors click and builds the option through ``decorators.help_option`` (which
    appends it to the command's ``params``) the first time a command is parsed; the wrapper
    below relabels the option it appended.  A typer without that module keeps English.
    """
    try:
        from typer._click import decorators
    except ImportError:  # pragma: no cover - depends on the typer version
        return
    original = getattr(decorators, "_dc_original_help_option", decorators.help_option)

    def help_option(*args: Any, **kwargs: Any) -> Any:
        decorate = original(*args, **kwargs)

        def apply(command: Any) -> Any:
            result = decorate(command)
            if getattr(command, "params", None):
                command.params[-1].help = _("Show this message and exit.")
                command.params[-1].metavar = ""  # a flag: no <bool> in --help
            return result

        return apply

    decorators._dc_original_help_option = original  # type: ignore[attr-defined]
    decorators.help_option = help_option  # type: ignore[assignment]


def _quiet_argument_types() -> None:
    """No type label (``<list[Path]>``) beside an argument that has a metavar of its own.

    Options take their metavar as the label (typer's supported ``metavar=``); arguments
    show their metavar as the name *and* the annotation's type, which reads as noise.
    """
    try:
        from typer.core import TyperArgument
    except ImportError:  # pragma: no cover - depends on the typer version
        return
    original = getattr(TyperArgument, "display_type_rich", None)
    if original is None or getattr(original, "_dc_quiet", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None if self.metavar else original(self, ctx)  # type: ignore[no-any-return]

    display_type_rich._dc_quiet = True  # type: ignore[attr-defined]
    TyperArgument.display_type_rich = display_type_rich  # type: ignore[method-assign]


def _hook_typer_translation() -> None:
    if "typer.rich_utils" in sys.modules:
        _translate_typer(sys.modules["typer.rich_utils"])
    elif not any(isinstance(f, _TranslateWhenImported) for f in sys.meta_path):
        sys.meta_path.insert(0, _TranslateWhenImported())


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
    from . import audit, check, codeowners, init, ledger, plan_cmd, report, rules, validate

    _hook_typer_translation()
    _translate_help_option()
    _quiet_argument_types()
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
        lang: str = typer.Option("zh", "--lang", metavar="zh|en", help=_(
            "Language of messages and reports: zh (default) or en.")),
        version: bool = typer.Option(False, "--version", metavar="", is_eager=True,
                                     callback=_print_version,
                                     help=_("Print the version of dc and exit.")),
    ) -> None:
        """(--lang is read before the app is built; this keeps it in --help.)"""

    for module in (check, validate, rules, plan_cmd, report, ledger, init, audit, codeowners):
        module.register(app)
    return app
