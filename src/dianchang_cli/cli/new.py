"""``dc new [TYPE] [--set KEY=VALUE …]``: one record file, by options or by answering prompts.

With every required field given (``--set``, or a default: the git user's unit, today) it
asks nothing, checks the file with the validator of ``dc check`` and writes it.  At a
terminal, anything missing is asked for, one field at a time, each answer checked at once
with the validator's own words; without a terminal, the missing fields are listed as
``--set`` hints and nothing waits for input.  The work is in :mod:`dianchang_cli.intake.new`
and the questions in :mod:`dianchang_cli.intake.ask`; questionary (prompt_toolkit) is
imported only when a prompt is shown, so ``dc --help`` and the non-interactive path never
pay for it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from ..i18n import _
from .common import (
    EXIT_FAIL,
    NO_METAVAR,
    cannot_write,
    fail_usage,
    load_plan,
    options,
    repo_from,
)
from .typerhooks import DcCommand

if TYPE_CHECKING:
    from ..intake.new import Draft, Intake

KEY_STYLES = ("zh", "en")


def register(app: typer.Typer) -> None:
    opt = options()

    @app.command(cls=DcCommand, help=_(
        "Create one record file. Give the type and the values with --set, or answer the "
        "questions at a terminal; the file is checked like dc check before it is written."))
    def new(
        record_type: str | None = typer.Argument(None, metavar=_("TYPE"), help=_(
            "The record type, by id or by its Chinese name in the plan (default: chosen "
            "from a list)."), show_default=False),
        sets: list[str] | None = typer.Option(None, "--set", metavar=_("KEY=VALUE"), help=_(
            "A field's value, by id, Chinese name or alias (repeatable), e.g. --set "
            "名称=读书会 --set 日期=5.12."), show_default=False),
        unit: str | None = typer.Option(None, "--unit", metavar=_("UNIT"), help=_(
            "The unit, by id or name (default: the unit of the git user)."),
            show_default=False),
        keys: str = typer.Option("zh", "--keys", metavar="zh|en", help=_(
            "Write the keys as Chinese names (zh, default) or as ids (en).")),
        commit: bool = typer.Option(False, "--commit", metavar=NO_METAVAR, help=_(
            "Commit the new file (only it) with git.")),
        repo: Path | None = opt.repo,
        plan: Path | None = opt.plan,
        records: Path | None = opt.records,
    ) -> None:
        from ..intake.new import Intake, UsageError

        if keys not in KEY_STYLES:
            fail_usage(_("--keys must be zh or en"))
        where = repo_from(repo, plan, records)
        intake = Intake(load_plan(where), where.root, where.records_dir, keys=keys)  # type: ignore[arg-type]
        terminal = sys.stdin.isatty() and sys.stdout.isatty()
        try:
            unit_id = intake.unit_option(unit)
            if record_type is None and not terminal:
                fail_usage(_("give the record type, e.g. dc new {example} --set …").format(
                    example=next(iter(intake.plan.types.values())).name))
            given = None if record_type is None else _given(intake, record_type, sets or [],
                                                            unit_id)
            if given is None or (terminal and intake.missing(given[0],
                                                             intake.values(*given))):
                _interactive(intake, given, sets or [], unit_id, commit)
                return
            _direct(intake, given, commit)
        except UsageError as err:
            fail_usage(str(err))


Given = tuple[str, dict[str, str], dict[str, Any]]  # type id, --set texts, defaults


def _given(intake: Intake, type_text: str, sets: list[str], unit: str | None) -> Given:
    """The type, the ``--set`` texts by field id and the defaults (read once: the git
    user's unit is a git call)."""
    type_id = intake.type_id(type_text)
    return type_id, intake.sets(type_id, sets), intake.defaults(type_id, unit)


def _direct(intake: Intake, given: Given, commit: bool) -> None:
    """No questions: write what was given, or say what is missing (exit 2) or wrong (1)."""
    type_id = given[0]
    values = intake.values(*given)
    missing = intake.missing(type_id, values)
    if missing:
        fail_usage(_("{t} needs {fields}; add {hint}").format(
            t=intake.plan.types[type_id].name,
            fields="、".join(intake.label(type_id, n) for n in missing),
            hint=intake.hint(type_id, missing)))
    draft = intake.draft(type_id, values)
    _refuse_errors(intake, draft)
    _save(intake, draft, commit)


def _refuse_errors(intake: Intake, draft: Draft) -> None:
    """Every warning on stderr; with an error, every error too and exit 1."""
    for problem in draft.problems:
        label = _("error") if problem.severity == "error" else _("warning")
        print(f"{label}: {intake.describe(problem)}", file=sys.stderr)
    if draft.errors:
        print(_("Nothing was written."), file=sys.stderr)
        raise typer.Exit(EXIT_FAIL)


def _save(intake: Intake, draft: Draft, commit: bool, show: bool = True) -> None:
    """Write the draft, print where (and, unless it was just shown, what), and commit it
    when asked."""
    from ..gitrepo.git import GitError

    try:
        path = intake.write(draft)
    except OSError as exc:
        cannot_write(intake.shown(draft.path), exc)
    print(_("Written: {path}").format(path=intake.shown(path)))
    if show:
        print()
        print(path.read_text(encoding="utf-8"), end="")
    if commit:
        try:
            sha = intake.commit(path, draft.type_id, draft.values)
        except GitError as err:
            print(_("The file was written but not committed: {error}").format(error=err),
                  file=sys.stderr)
            raise typer.Exit(EXIT_FAIL) from None
        print(_("Committed {sha}: {message}").format(
            sha=sha[:10], message=intake.message(draft.type_id, draft.values)))


# ---------------------------------------------------------------- at a terminal
def _cancelled() -> NoReturn:
    print(_("Cancelled; no file was written."), file=sys.stderr)
    raise typer.Exit(EXIT_FAIL)


def _interactive(intake: Intake, given: Given | None, sets: list[str], unit: str | None,
                 commit: bool) -> None:
    """Ask for the type (unless given) and every missing field, show the file, ask
    before saving.  Ctrl-C or Ctrl-D anywhere: nothing is written, exit 1."""
    from ..intake import ask

    try:
        type_id, typed, defaults = given or _given(intake, ask.ask_type(intake), sets, unit)
        values = intake.values(type_id, typed, defaults)
        for problem in intake.draft(type_id, values).errors if typed else []:
            name = intake.field_of(type_id, problem)
            if name in typed:  # a bad --set value: ask again
                print(intake.describe(problem), file=sys.stderr)
                typed.pop(name)
        values = intake.values(type_id, typed, defaults)
        given = {*typed, *(["unit"] if unit else [])}  # --unit is an answer too
        required = intake.required(type_id)
        for name in required:
            if name not in given:
                values = ask.ask_field(intake, type_id, name, values)
        optional = [n for n in intake.order(type_id) if n not in given and n not in required]
        if optional and ask.confirm(_("Fill in the other, optional fields?"), False):
            for name in optional:
                values = ask.ask_field(intake, type_id, name, values)
        draft = intake.draft(type_id, values)
        print()
        print(draft.text, end="")
        print()
        _refuse_errors(intake, draft)
        if not ask.confirm(_("Save it?"), True):
            _cancelled()
    except (KeyboardInterrupt, EOFError):
        _cancelled()
    _save(intake, draft, commit, show=False)
