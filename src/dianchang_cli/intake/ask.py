"""The questions of ``dc new`` at a terminal, in Chinese: the type from a list grouped by
the plan's sections, then one field at a time — pick lists for enums, yes/no, units and
staff, check boxes for lists of enums, text with a default for the rest — each answer
checked at once with the validator's own words and asked again until it is right.

questionary (prompt_toolkit) is imported inside each function, only when a prompt is shown.
Ctrl-C raises :class:`KeyboardInterrupt` and Ctrl-D :class:`EOFError` in every prompt; the
command turns either into "nothing written".
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

from ..i18n import _

if TYPE_CHECKING:
    from .new import Intake


def confirm(message: str, default: bool) -> bool:
    import questionary

    return bool(_ask(questionary.confirm(message, default=default)))


def _ask(question: Any) -> Any:
    """The answer to a questionary question; Ctrl-C raises KeyboardInterrupt and Ctrl-D
    EOFError in every kind of prompt (questionary binds Ctrl-D only in text prompts)."""
    from prompt_toolkit.key_binding import KeyBindings

    extra = KeyBindings()

    @extra.add("c-d", eager=True)
    def _end_of_input(event: Any) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")

    _bind(question, extra)
    return question.unsafe_ask()


def _bind(question: Any, extra: Any) -> None:
    """Add the key bindings ``extra`` to a questionary question's own (they come after, so
    they win where both bind a key)."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), extra])


def ask_type(intake: Intake) -> str:
    """The type, from a list grouped by the plan's sections (typing filters it)."""
    import questionary

    from .new import OTHER, type_groups

    choices: list[Any] = []
    for title, types in type_groups(intake.plan):
        shown = _("Other") if title == OTHER else title
        choices.append(questionary.Separator(f"── {shown} ──"))
        choices.extend(questionary.Choice(_type_title(t.name, t.description, t.id), value=t.id)
                       for t in types)
    question = questionary.select(
        _("Which kind of record?"), choices=choices, use_search_filter=True,
        use_jk_keys=False, use_shortcuts=False,
        instruction=_("(arrow keys move, typing filters, Enter chooses)"))
    _filter_by_any_character(question)
    answer = _ask(question)
    if answer is None:
        raise KeyboardInterrupt
    return str(answer)


def _filter_by_any_character(question: Any) -> None:
    """Let Chinese typed into the list filter it, as letters do.

    questionary's search filter binds the ASCII characters only; a character an input
    method sends (阅读) falls to its catch-all binding, which drops it.  A binding added
    after that one, for any other printable character, hands it to the same filter."""
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.keys import Keys
    from questionary.prompts.common import InquirerControl

    app = question.application
    control = next((w.content for w in app.layout.find_all_windows()
                    if isinstance(w.content, InquirerControl)), None)
    if control is None:  # another questionary: its own filter, as it is
        return
    extra = KeyBindings()

    @extra.add(Keys.Any)
    def _typed(event: Any) -> None:
        for char in event.data or "":
            if not char.isascii() and char.isprintable():
                control.add_search_character(char)

    _bind(question, extra)


def _type_title(name: str, description: str | None, type_id: str) -> str:
    """``中文名 — description [id]``, the description cut to fit one line of the terminal
    (the id lets a person filter the list by typing letters)."""
    import shutil

    from rich.cells import cell_len

    room = shutil.get_terminal_size((80, 24)).columns - 12 - cell_len(name) - len(type_id)
    text, width = "", 0
    for char in (description or "").strip():
        width += cell_len(char)
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


def ask_field(intake: Intake, type_id: str, name: str, values: dict[str, Any]
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
        from .new import unit_choices

        pairs = unit_choices(intake.plan, intake.plan.types[type_id])
    else:
        from .new import staff_choices

        unit = values.get("unit")
        pairs = staff_choices(intake.plan, unit if isinstance(unit, str) else None)
    choices = [questionary.Choice(title, value=value) for title, value in pairs]
    current = values.get(name)
    default = current if current in [v for _t, v in pairs] else None
    if not required:  # first, and where the cursor starts: Enter leaves it empty
        choices.insert(0, questionary.Choice(_("(leave empty)"), value=SKIP))
        default = SKIP if default is None else default
    answer = _ask(questionary.select(_prompt(intake, type_id, name), choices=choices,
                                     default=default, use_jk_keys=False,
                                     instruction=_("(arrow keys move, Enter chooses)")))
    return None if answer == SKIP else answer


def _ask_checkbox(intake: Intake, type_id: str, name: str, values: dict[str, Any]
                  ) -> list[str] | None:
    """``checkbox`` for a list of enum values (space ticks, enter confirms).  Nothing
    ticked is ``None``; :func:`ask_field` asks a required field again (questionary 2.1
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

    # what the field holds already (a default such as today) is shown greyed, not typed
    # in: what a person types replaces it, an empty answer keeps it
    shown = _shown_value(values.get(name))

    def check(text: str) -> bool | str:
        value = intake.convert(type_id, name, text or shown)
        if value is None:
            return True if not required else _("required: {name}").format(
                name=intake.label(type_id, name))
        trial = {**values, name: value}
        problems = intake.field_problems(type_id, trial, name)
        return True if not problems else "；".join(
            intake.describe(p) for p in problems)

    answer = _ask(questionary.text(_prompt(intake, type_id, name), default="",
                                   placeholder=shown or None, validate=check,
                                   validate_while_typing=False))
    return intake.convert(type_id, name, answer or shown)
