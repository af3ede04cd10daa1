"""``dc new [TYPE] [--set KEY=VALUE …]``: one record file, by options or by answering prompts.

With every required field given (``--set``, or a default: the git user's unit, today) it
asks nothing, checks the file with the validator of ``dc check`` and writes it.  At a
terminal, anything missing is asked for, one field at a time, each answer checked at once
with the validator's own words (:func:`_ask_field`); without a terminal, the missing fields
are listed as ``--set`` hints and nothing waits for input.  The work is in
:mod:`dianchang_cli.intake.new`; questionary (prompt_toolkit) is imported only when a
prompt is shown, so ``dc --help`` and the non-interactive path never pay for it.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from ..i18n import _
from .common import EXIT_FAIL, NO_METAVAR, fail_usage, load_plan, options, repo_from
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
            "The record type, by id or Chinese name, e.g. 阅读活动 (default: chosen from "
            "a list)."), show_default=False),
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
            if terminal and (record_type is None or _missing(intake, record_type, sets,
                                                              unit_id)):
                _interactive(intake, record_type, sets or [], unit_id, commit)
                return
            _direct(intake, record_type or "", sets or [], unit_id, commit)
        except UsageError as err:
            fail_usage(str(err))


def _missing(intake: Intake, type_text: str, sets: list[str] | None,
             unit: str | None) -> list[str]:
    """The required fields neither ``--set`` nor a default gives."""
    type_id = intake.type_id(type_text)
    values = intake.values(type_id, intake.sets(type_id, sets or []),
                           intake.defaults(type_id, unit))
    return intake.missing(type_id, values)


def _direct(intake: Intake, type_text: str, sets: list[str], unit: str | None,
            commit: bool) -> None:
    """No questions: write what was given, or say what is missing (exit 2) or wrong (1)."""
    type_id = intake.type_id(type_text)
    values = intake.values(type_id, intake.sets(type_id, sets), intake.defaults(type_id, unit))
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
        fail_usage(_("Cannot write {path}: {error}").format(
            path=intake.shown(draft.path), error=getattr(exc, "strerror", None) or str(exc)))
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


def _interactive(intake: Intake, type_text: str | None, sets: list[str], unit: str | None,
                 commit: bool) -> None:
    """Ask for the type (unless given) and every missing field, show the file, ask
    before saving.  Ctrl-C or Ctrl-D anywhere: nothing is written, exit 1."""
    try:
        type_id = intake.type_id(type_text) if type_text else _ask_type(intake)
        typed = intake.sets(type_id, sets)
        values = intake.values(type_id, typed, intake.defaults(type_id, unit))
        for problem in intake.draft(type_id, values).errors if typed else []:
            if intake.field_of(type_id, problem) in typed:  # a bad --set value: ask again
                print(intake.describe(problem), file=sys.stderr)
                typed.pop(str(intake.field_of(type_id, problem)))
        values = intake.values(type_id, typed, intake.defaults(type_id, unit))
        given = {*typed, *(["unit"] if unit else [])}  # --unit is an answer too
        for name in intake.required(type_id):
            if name not in given:
                values = _ask_field(intake, type_id, name, values)
        optional = [n for n in intake.order(type_id)
                    if n not in given and n not in intake.required(type_id)]
        if optional and _confirm(_("Fill in the other, optional fields?"), False):
            for name in optional:
                values = _ask_field(intake, type_id, name, values)
        draft = intake.draft(type_id, values)
        print()
        print(draft.text, end="")
        print()
        _refuse_errors(intake, draft)
        if not _confirm(_("Save it?"), True):
            _cancelled()
    except (KeyboardInterrupt, EOFError):
        _cancelled()
    _save(intake, draft, commit, show=False)


def _confirm(message: str, default: bool) -> bool:
    import questionary

    return bool(_ask(questionary.confirm(message, default=default)))


def _ask(question: Any) -> Any:
    """The answer to a questionary question; Ctrl-C raises KeyboardInterrupt and Ctrl-D
    EOFError in every kind of prompt (questionary binds Ctrl-D only in text prompts)."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    extra = KeyBindings()

    @extra.add("c-d", eager=True)
    def _end_of_input(event: Any) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), extra])
    return question.unsafe_ask()


def _ask_type(intake: Intake) -> str:
    """The type, from a list grouped by the plan's sections (typing filters it)."""
    import questionary

    from ..intake.new import OTHER, type_groups

    choices: list[Any] = []
    for title, types in type_groups(intake.plan):
        shown = _("Other") if title == OTHER else title
        choices.append(questionary.Separator(f"── {shown} ──"))
        choices.extend(questionary.Choice(_type_title(t.name, t.description, t.id), value=t.id)
                       for t in types)
    answer = _ask(questionary.select(
        _("Which kind of record?"), choices=choices, use_search_filter=True,
        use_jk_keys=False, use_shortcuts=False,
        instruction=_("(arrow keys move, typing letters filters, Enter chooses)")))
    if answer is None:
        raise KeyboardInterrupt
    return str(answer)


def _type_title(name: str, description: str | None, type_id: str) -> str:
    """``中文名 — description [id]``, the description cut to fit one line of the terminal
    (the id lets a person filter the list by typing letters)."""
    import shutil
    import unicodedata

    room = shutil.get_terminal_size((80, 24)).columns - 12 - 2 * len(name) - len(type_id)
    text, width = "", 0
    for char in (description or "").strip():
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if width > room:
            text += "…"
            break
        text += char
    return f"{name} — {text} [{type_id}]" if text else f"{name} [{type_id}]"


def _prompt(intake: Intake, type_id: str, name: str) -> str:
    """A field's question: its Chinese name, and its note when the plan gives one."""
    spec = intake.spec(type_id, name)
    label = intake.label(type_id, name)
    return f"{label}（{spec.note}）" if spec.note else label


def _ask_field(intake: Intake, type_id: str, name: str, values: dict[str, Any]
               ) -> dict[str, Any]:
    """Ask one field until the validator accepts the answer; the values with it."""
    spec = intake.spec(type_id, name)
    required = name in intake.required(type_id)
    while True:
        if spec.type in ("enum", "bool", "unit", "staff"):
            value = _ask_choice(intake, type_id, name, values, required)
        elif spec.type == "list" and spec.items == "enum":
            value = _ask_checkbox(intake, type_id, name, values)
        else:
            value = _ask_text(intake, type_id, name, values, required)
        if value is None and required:
            print(_("required: {name}").format(name=intake.label(type_id, name)),
                  file=sys.stderr)
            continue
        trial = {k: v for k, v in values.items() if k != name}
        if value is not None:
            trial[name] = value
        problems = intake.field_problems(type_id, trial, name)
        if not problems:
            return trial
        for problem in problems:
            print(intake.describe(problem), file=sys.stderr)


SKIP = "\x00skip"  # the value of the "leave it empty" choice


def _ask_choice(intake: Intake, type_id: str, name: str, values: dict[str, Any],
                required: bool) -> Any:
    """``select`` for an enum, a yes/no, a unit or a staff member: names shown, ids kept."""
    import questionary

    spec = intake.spec(type_id, name)
    pairs: list[tuple[str, Any]]
    if spec.type == "enum":
        pairs = [(v, v) for v in spec.values or []]
    elif spec.type == "bool":
        pairs = [(_("yes"), True), (_("no"), False)]
    elif spec.type == "unit":
        from ..intake.new import unit_choices

        pairs = unit_choices(intake.plan, intake.plan.types[type_id])
    else:
        from ..intake.new import staff_choices

        unit = values.get("unit")
        pairs = staff_choices(intake.plan, unit if isinstance(unit, str) else None)
    choices = [questionary.Choice(title, value=value) for title, value in pairs]
    if not required:
        choices.append(questionary.Choice(_("(leave empty)"), value=SKIP))
    current = values.get(name)
    default = current if current in [v for _t, v in pairs] else None
    answer = _ask(questionary.select(_prompt(intake, type_id, name), choices=choices,
                                     default=default, use_jk_keys=False,
                                     instruction=_("(arrow keys move, Enter chooses)")))
    return None if answer == SKIP else answer


def _ask_checkbox(intake: Intake, type_id: str, name: str, values: dict[str, Any]
                  ) -> list[str] | None:
    """``checkbox`` for a list of enum values (space ticks, enter confirms).  Nothing
    ticked is ``None``; :func:`_ask_field` asks a required field again (questionary 2.1
    does not draw a checkbox's own ``validate`` message)."""
    import questionary

    spec = intake.spec(type_id, name)
    current = values.get(name) or []
    choices = [questionary.Choice(v, value=v, checked=v in current) for v in spec.values or []]
    answer = _ask(questionary.checkbox(_prompt(intake, type_id, name), choices=choices,
                                       use_jk_keys=False, instruction=_(
                                           "(arrow keys move, Space ticks, Enter confirms)")))
    return list(answer) or None


def _shown_value(value: Any) -> str:
    """A value as a person would type it again (the default of a text prompt)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _ask_text(intake: Intake, type_id: str, name: str, values: dict[str, Any],
              required: bool) -> Any:
    """A text prompt whose answer is checked on Enter with the validator's message."""
    import questionary

    def check(text: str) -> bool | str:
        value = intake.convert(type_id, name, text)
        if value is None:
            return True if not required else _("required: {name}").format(
                name=intake.label(type_id, name))
        trial = {**values, name: value}
        problems = intake.field_problems(type_id, trial, name)
        return True if not problems else "；".join(
            intake.describe(p) for p in problems)

    answer = _ask(questionary.text(_prompt(intake, type_id, name),
                                   default=_shown_value(values.get(name)), validate=check,
                                   validate_while_typing=False))
    return intake.convert(type_id, name, answer)

