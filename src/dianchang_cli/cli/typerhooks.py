"""dc's help and error screens in the active language, through typer's supported hooks.

Checked against typer 0.29.2 (which vendors click as ``typer._click``).

What has a supported hook uses it:

- every command and group is built from :class:`DcCommand` / :class:`DcGroup` (``cls=`` on
  ``Typer(...)`` and ``@app.command(...)``: subclassing typer's command classes is its
  documented way to change their behaviour);
- ``--help``'s own line ("Show this message and exit.", no ``<bool>``) comes from click's
  overridable ``Command.get_help_option``;
- commands are imported when they run, not to be listed: :class:`LazyGroup` is click's
  documented "lazy loading of subcommands" pattern (``list_commands``/``get_command``
  overridden) on typer's group class, fed by the table in :mod:`.app`;
- typer's screens are set up only when one is shown: ``format_help`` (help) and the
  group's ``make_context``/``invoke`` (where every usage error and abort passes on its way
  to typer's error panel) translate ``typer.rich_utils`` before typer imports and uses it.
  Importing it up front would cost ~100 ms (it pulls in rich.markdown) on every run.

What has none stays a patch, said here why:

- typer's panel titles and markers (Options, Arguments, Commands, Error, ``[default: …]``,
  ``[required]``, "Aborted.", the "Try … for help." line) are module constants of
  ``typer.rich_utils``, read through the standard library's ``gettext.gettext`` with the
  process-wide default domain.  Translating them through gettext would mean a global text
  domain and a ``LANGUAGE`` environment variable that every child process (git) inherits;
  typer has no setting for them, so :func:`translate_typer` sets the constants;
- help texts wrap instead of ending in "…": typer makes every help text with the private
  ``rich_utils._make_rich_text`` and offers no overflow setting (:func:`_fold_long_words`);
- an argument with a metavar of its own shows no type label (``<list[Path]>``): typer
  creates the ``TyperArgument`` itself and takes no class for it, so
  :func:`quiet_argument_types` overrides ``TyperArgument.display_type_rich``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import get_close_matches
from types import ModuleType
from typing import Any

from typer import Abort, Typer, TyperException
from typer.core import TyperCommand, TyperGroup

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


def translate_typer() -> None:
    """Typer's own panel titles and markers, in the active language; help texts that wrap.

    Imports ``typer.rich_utils``: call it only when a help or error screen is shown.
    """
    from typer import rich_utils

    _fold_long_words(rich_utils)
    rich_utils.OPTIONS_PANEL_TITLE = _("Options")
    rich_utils.ARGUMENTS_PANEL_TITLE = _("Arguments")
    rich_utils.COMMANDS_PANEL_TITLE = _("Commands")
    rich_utils.ERRORS_PANEL_TITLE = _("Error")
    rich_utils.DEFAULT_STRING = _("[default: {}]")
    rich_utils.REQUIRED_LONG_STRING = _("[required]")
    rich_utils.ABORTED_TEXT = _("Aborted.")
    rich_utils.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")


def quiet_argument_types() -> None:
    """No type label (``<list[Path]>``) beside an argument that has a metavar of its own.

    Options take their metavar as the label (typer's supported ``metavar=``); arguments
    show their metavar as the name *and* the annotation's type, which reads as noise.
    """
    from typer.core import TyperArgument

    original = getattr(TyperArgument, "display_type_rich", None)
    if original is None or getattr(original, "_dc_quiet", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None if self.metavar else original(self, ctx)  # type: ignore[no-any-return]

    display_type_rich._dc_quiet = True  # type: ignore[attr-defined]
    TyperArgument.display_type_rich = display_type_rich  # type: ignore[method-assign]


@contextmanager
def _translated_on_the_way_out() -> Iterator[None]:
    """Translate typer's screens, and the usage error itself, when an exception typer shows
    as a panel leaves.

    Not for ``typer.Exit``, which every command raises to set its exit status: a plain run
    never imports ``typer.rich_utils``."""
    try:
        yield
    except (TyperException, Abort, EOFError) as exc:  # usage errors (ClickException), aborts
        translate_typer()
        said = _usage_text(exc)
        if said is not None:
            exc.format_message = lambda: said  # type: ignore[method-assign,union-attr]
        raise


_OPTION_WANTS_VALUE = re.compile(r"^Option (.+) requires (?:an argument|\d+ arguments)\.$")
_OPTION_TAKES_NONE = re.compile(r"^Option (.+) does not take a value\.$")
_EXTRA_ARGUMENTS = re.compile(r"^Got unexpected extra argument\(s\) \((.*)\)$", re.S)
_NOT_A_CHOICE = re.compile(r"^(?:Value error, )?(.+) is not one of (.+?)\.?$", re.S)


def _hint(exc: Any) -> str:
    """The option or argument a parameter error is about, as click names it."""
    hint = exc.param_hint if exc.param_hint is not None else (
        exc.param.get_error_hint() if exc.param is not None else "")
    if isinstance(hint, list | tuple):
        return " / ".join(repr(x) for x in hint)
    return str(hint)


def _usage_text(exc: BaseException) -> str | None:
    """Click's own usage messages — hard-coded English in the click typer vendors — in the
    active language (``None``: not one of them; it is shown as it is).  dc's catalog holds
    click's wording as its English, so ``--lang en`` shows what click would."""
    from typer._click import exceptions as click

    if isinstance(exc, click.NoSuchOption):
        text = _("No such option: {name}").format(name=exc.option_name)
        if exc.possibilities:
            text += " " + _("(Possible options: {names})").format(
                names=", ".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "")
        hint = _hint(exc)
        return {"argument": _("Missing argument {name}."),
                "option": _("Missing option {name}.")}.get(
            kind, _("Missing parameter {name}.")).format(name=hint)
    if isinstance(exc, click.BadParameter):
        hint, message = _hint(exc), exc.message
        choice = _NOT_A_CHOICE.match(message)
        if choice:  # typer's check of a choice (an enum or Literal option)
            message = _("{value} is not one of {choices}").format(value=choice.group(1),
                                                                  choices=choice.group(2))
        if not hint:
            return _("Invalid value: {message}").format(message=message)
        return _("Invalid value for {name}: {message}").format(name=hint, message=message)
    if isinstance(exc, click.UsageError):
        for pattern, said in ((_OPTION_WANTS_VALUE, _("Option {name} requires a value.")),
                              (_OPTION_TAKES_NONE, _("Option {name} does not take a value.")),
                              (_EXTRA_ARGUMENTS, _("Unexpected extra arguments: {name}"))):
            found = pattern.match(exc.message)
            if found:
                return said.format(name=found.group(1))
    return None


class _Translated:
    """The part :class:`DcCommand` and :class:`DcGroup` share: help in the active language."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _("Show this message and exit.")
            option.metavar = ""  # a flag: no <bool> in --help
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        translate_typer()
        return super().format_help(ctx, formatter)  # type: ignore[misc,no-any-return]


class DcCommand(_Translated, TyperCommand):
    """Every ``dc`` command (``@app.command(cls=DcCommand)``)."""


class DcGroup(_Translated, TyperGroup):
    """``dc`` and ``dc plan`` (``Typer(cls=DcGroup)``): usage errors and aborts, raised while
    the command line is parsed or a command runs, find typer's screens translated."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _translated_on_the_way_out():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _translated_on_the_way_out():
            return super().invoke(ctx)


@dataclass(frozen=True)
class Lazy:
    """A command of a :class:`LazyGroup`, known by name before its module is imported.

    ``module`` is the dotted name of a module with a ``register(app: typer.Typer)`` that
    adds the command (it may add others too: ``dc rules`` and ``dc explain`` share one);
    ``help`` is what the group's own ``--help`` lists beside the name, the same text as
    the command's ``help=`` (a test holds the two equal).
    """

    module: str
    help: str


class LazyGroup(DcGroup):
    """A ``dc`` group whose commands are imported on first use, not to be listed.

    Click's documented pattern for lazy subcommands (override ``list_commands`` and
    ``get_command``) on typer's group class.  :meth:`lazy_commands` names each command's
    module and one-line help; the group's help screen lists those with a stand-in command
    that carries only the name and the help, and running a command (or asking for its own
    ``--help``) imports its module, calls ``register`` on a throw-away :class:`~typer.Typer`
    and adopts the click commands typer builds from it.  Subclasses give the table.
    """

    _listing = False  # True while the group's own help screen is made

    def lazy_commands(self) -> Mapping[str, Lazy]:
        """Command name → :class:`Lazy`, in the order the help screen lists them."""
        return {}

    def list_commands(self, ctx: Any) -> list[str]:
        table = self.lazy_commands()
        return [*(n for n in self.commands if n not in table), *table]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        lazy = self.lazy_commands().get(cmd_name)
        if cmd_name in self.commands or lazy is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return TyperCommand(cmd_name, help=lazy.help,
                                rich_markup_mode=self.rich_markup_mode)
        self._adopt(lazy.module)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Typer's "Did you mean …?" for a mistyped command, from every command listed.

        Typer draws its suggestions from the commands already built (``self.commands``),
        which here are only those imported so far; the listed names are the right pool.
        """
        try:
            return super().resolve_command(ctx, args)
        except TyperException as exc:  # click's UsageError for an unknown command
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            message = getattr(exc, "message", None)
            if isinstance(message, str) and message.startswith("No such command") and args:
                message = _("No such command '{name}'.").format(name=args[0])
            if matches and isinstance(message, str) and self.suggest_commands:
                message = _("{head} Did you mean {names}?").format(  # typer's wording
                    head=message, names=", ".join(repr(m) for m in matches))
            if isinstance(message, str):
                exc.message = message
            raise

    def _adopt(self, module_name: str) -> None:
        """Import a command module and add every command its ``register`` defines."""
        module = importlib.import_module(module_name)
        holder = Typer(cls=DcGroup)
        holder.callback()(_no_options)  # a callback: typer builds a group, never one command
        module.register(holder)
        from typer.main import get_command

        for name, command in get_command(holder).commands.items():  # type: ignore[attr-defined]
            self.add_command(command, name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _no_options() -> None:
    """The callback of the throw-away group a command module registers into."""
