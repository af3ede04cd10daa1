"""What ``dc import`` prints: a short summary in the user's language, or JSON.

Text: each file written (or, with ``--dry-run``, to be written), each changed record with
its fields (old → new), each problem at its cell, then one line of counts — 新增 N、更新 N、
未变 N、有问题 N 行.  JSON: the same as one object (see :func:`as_json`).  Values shown are
capped and escaped (:func:`~..diagnostics.printable`); a value that held an ID-card or
mobile number never got this far (the validator refused the row and masked it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from ..diagnostics import printable
from ..i18n import _
from .importer import Action, Change, ImportResult

VALUE_LIMIT = 60


def shown(value: Any) -> str:
    """A field value as a person reads it: dates ISO, lists joined, empty as （空）."""
    if value is None or value == "" or value == []:
        return _("(empty)")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return printable("、".join(shown(v) for v in value), VALUE_LIMIT)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return printable(str(value), VALUE_LIMIT)


def _changes(changes: list[Change]) -> str:
    return "；".join(f"{printable(c.label or c.field, 40)}: {shown(c.old)} → {shown(c.new)}"
                    for c in changes)


def counts(result: ImportResult, update: bool) -> dict[str, int]:
    changed = len(result.of("changed"))
    return {"added": len(result.of("new")), "updated": changed if update else 0,
            "changed": 0 if update else changed, "unchanged": len(result.of("unchanged")),
            "problem_rows": result.bad_rows}


def render_text(result: ImportResult, out: TextIO, *, update: bool, dry_run: bool,
                commit: str | None = None) -> None:
    """The summary as text."""
    for note in result.notes:
        print(_("note: {note}").format(note=note), file=out)
    new_word = _("would add") if dry_run else _("added")
    upd_word = _("would update") if dry_run else _("updated")
    for action in result.of("new"):
        print(f"{new_word} {_path(action)}  ← {action.where.text()}", file=out)
    for action in result.of("changed"):
        word = upd_word if update else _("changed, not updated")
        print(f"{word} {_path(action)}  ← {action.where.text()}: {_changes(action.changes)}",
              file=out)
    for issue in result.issues:
        print(issue.text(), file=out)
    n = counts(result, update)
    line = _("{added} added, {updated} updated, {unchanged} unchanged, {bad} rows with "
             "problems").format(added=n["added"], updated=n["updated"],
                                unchanged=n["unchanged"], bad=n["problem_rows"])
    if dry_run:
        line = _("Dry run, nothing written: {summary}").format(summary=line)
    print(line, file=out)
    if n["changed"]:
        print(_("{n} records differ from the sheet; run again with --update to write the "
                "changes").format(n=n["changed"]), file=out)
    if commit:
        print(_("Committed as {sha}").format(sha=commit[:7]), file=out)


def _path(action: Action) -> str:
    shown = printable(action.path.as_posix() if action.path else "?", 300)
    if action.moved_from is None:
        return shown
    return _("{path} (moved from {old})").format(
        path=shown, old=printable(action.moved_from.as_posix(), 300))


def as_json(result: ImportResult, *, update: bool, dry_run: bool,
            commit: str | None = None) -> dict[str, Any]:
    """The summary as one JSON object."""
    def one(action: Action) -> dict[str, Any]:
        return {**action.where.as_json(), "where": action.where.text(),
                "id": action.record_id, "path": action.path.as_posix() if action.path else None,
                "moved_from": action.moved_from.as_posix() if action.moved_from else None,
                "changes": [{"field": c.field, "label": c.label, "old": shown(c.old),
                             "new": shown(c.new)} for c in action.changes]}

    return {
        "files": result.files,
        "dry_run": dry_run,
        "summary": counts(result, update),
        "added": [one(a) for a in result.of("new")],
        "changed": [one(a) for a in result.of("changed")],
        "unchanged": [one(a) for a in result.of("unchanged")],
        "problems": [i.as_json() for i in result.issues],
        "notes": result.notes,
        "commit": commit,
    }
