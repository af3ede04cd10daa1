"""``dc todo``'s output: a unit's to-do list, or the coordinator's overview, as text or json.

Only formats: the sentences, due days and counts were made by :mod:`..report.todo`.  The
text is plain lines (readable when pasted into WeChat or a mail), one item a line, its due
day first; an item of a branch names the branch.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from ..i18n import _
from .vocabulary import number_text

if TYPE_CHECKING:
    from ..report.todo import Overview, Todo, TodoItem


def _json(data: dict[str, Any], out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    print(file=out)


def _line(todo: Todo, item: TodoItem) -> str:
    who = f"［{item.unit_name}］" if item.unit != todo.unit else ""
    return f"  {item.due[5:]}  {who}{item.text}"


def _section(title: str, lines: list[str], out: TextIO) -> None:
    print(title, file=out)
    for line in lines or ["  " + _("None.")]:
        print(line, file=out)


def render_todo(todo: Todo, fmt: str, out: TextIO) -> None:
    """Write one unit's to-do list in ``fmt`` (text or json) to ``out``."""
    if fmt == "json":
        _json(todo.to_data(), out)
        return
    print(_("{unit} — to do as of {day}").format(unit=todo.unit_name, day=todo.as_of),
          file=out)
    print(file=out)
    _section(_("Still needed now (by due day):"), [_line(todo, i) for i in todo.open], out)
    print(file=out)
    _section(_("Fell short recently:"), [_line(todo, i) for i in todo.recent], out)
    print(file=out)
    invalid = [f"  {i.where}  {i.message}" for i in todo.invalid]
    if todo.invalid_more:
        invalid.append("  " + _("… and {n} more").format(n=todo.invalid_more))
    _section(_("Invalid records (not counted until fixed):"), invalid, out)
    if todo.score is not None:
        print(file=out)
        print(_("Score so far this year: {score}").format(score=number_text(todo.score)),
              file=out)


def render_overview(overview: Overview, fmt: str, out: TextIO) -> None:
    """Write the coordinator's overview (one line per unit, worst first) to ``out``."""
    if fmt == "json":
        _json(overview.to_data(), out)
        return
    print(_("Every unit as of {day}, the worst first:").format(day=overview.as_of), file=out)
    width = max((len(u.name) for u in overview.units), default=0)
    for u in overview.units:
        score = number_text(u.score) if u.score is not None else "—"
        print("  " + _("{name}  score {score} · {open} open · {recent} fell short recently · "
                       "{invalid} invalid records").format(
            name=u.name.ljust(width, "\u3000"), score=score, open=u.open, recent=u.recent,
            invalid=u.invalid), file=out)
    print(_("See one unit with dc todo --unit ID."), file=out)
