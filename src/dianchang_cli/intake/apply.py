"""Carry out an import that :mod:`.importer` prepared: create the new record files, update
the changed ones (with ``--update``), and say what a commit of them should be called.

A new file is created by :func:`.writer.create` (never over another file) with the schema
modeline and the line naming its source row (:mod:`.provenance`).  An update edits only the
changed keys of the existing file with ruamel.yaml's round trip, so its comments, key order
and the spelling of its other keys stay as they were; an empty cell removes the field.  The
edited text is validated again before it is written, and written atomically.  An update
that changes the date of a file named for its day (``records/<unit>/<yyyy>/<mm>/<type>-<mmdd>``,
as :func:`.writer.create` names them) moves it to the new day's name, so that the folders
keep telling the months apart; ``--commit`` then commits the old name as removed.  With
``dry_run`` nothing is written: each action gets the path it would have (new names of one
day numbered as :func:`.writer.create` would).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from ..core import Repo
from ..diagnostics import printable
from ..i18n import _, os_reason
from ..load.files import MAX_BYTES, Unreadable, read_limited
from ..planfile.plan import Plan
from ..records.batch import validate_bytes
from ..records.validate import Validator
from ..render.atomic import write_bytes
from .importer import Action, ImportResult
from .provenance import Source
from .rows import Issue
from .writer import (
    MODELINE_MARK,
    KeyStyle,
    create,
    file_name,
    folder,
    free_path,
    key_of,
    modeline,
    plain,
    yaml,
)


class Writer:
    """Writes the actions of one import into the repository ``repo``."""

    def __init__(self, plan: Plan, repo: Repo, keys: KeyStyle = "en",
                 today: dt.date | None = None) -> None:
        self.plan, self.repo, self.keys = plan, repo, keys
        self.today = today or dt.date.today()
        self.claimed: set[Path] = set()
        self.removed: list[Path] = []  # old names of files an update moved

    @cached_property
    def validator(self) -> Validator:
        """Built on the first update: an import that only adds records never needs it."""
        return Validator(self.plan, self.today)

    def run(self, result: ImportResult, update: bool, dry_run: bool) -> list[Path]:
        """Write (or, with ``dry_run``, only place) every new and, with ``update``, every
        changed record; the paths written.  A file that cannot be written is a problem."""
        written: list[Path] = []
        for action in result.actions:
            try:
                if action.kind == "new":
                    action.path = self._planned(action) if dry_run else self._create(action)
                elif action.kind == "changed" and update:
                    if not dry_run:
                        self._update(action)
                    elif self._moves(action):
                        action.moved_from, action.path = action.path, self._planned(action)
                else:
                    continue
            except (OSError, Unreadable, ValueError) as exc:
                result.issues.append(Issue(action.where, "not-written", _(
                    "the record could not be written: {error}").format(error=printable(
                        getattr(exc, "message", None) or os_reason(exc)))))
                continue
            if not dry_run and action.path is not None:
                written.append(self.repo.root / action.path)
        return written

    def _day(self, action: Action) -> dt.date:
        return action.day or self.today

    def _planned(self, action: Action) -> Path:
        path = free_path(self.repo.records_dir, action.unit, action.type_id,
                         self._day(action), self.claimed)
        self.claimed.add(path)
        return self._relative(path)

    def _create(self, action: Action) -> Path:
        root = self.repo.root
        source = Source.of(action.where)
        line = source.line() if source is not None else None
        came_from = f"{line}\n" if line else ""

        def text_for(path: Path) -> str:  # the text validated: modeline, then its source
            return f"# {modeline(path, root)}\n{came_from}{action.text}"

        path = create(self.repo.records_dir, action.unit, action.type_id, self._day(action),
                      text_for)
        return self._relative(path)

    def _relative(self, path: Path) -> Path:
        try:
            return path.relative_to(self.repo.root)
        except ValueError:
            return path

    def _update(self, action: Action) -> None:
        assert action.existing is not None
        path = self.repo.root / action.existing.file
        data = read_limited(path, self.repo.root, MAX_BYTES)
        doc = yaml().load(data.decode("utf-8"))
        for change in action.changes:
            _set(doc, self._spellings(action.type_id, change.field), change.new,
                 key_of(self.plan, action.type_id, change.field, self.keys))
        buf = io.StringIO()
        yaml().dump(doc, buf)
        text = buf.getvalue().encode("utf-8")
        record, problems = validate_bytes(self.validator, text, action.existing.file,
                                          action.record_id)
        if record is None:
            raise ValueError("; ".join(p.message for p in problems[:3]))
        if not self._moves(action):
            write_bytes(path, text)
            return
        root, edited = self.repo.root, text.decode("utf-8")

        def text_for(new: Path) -> str:  # a modeline first names the schema from there
            first, rest = edited.split("\n", 1) if "\n" in edited else (edited, "")
            if first.startswith(f"# {MODELINE_MARK}"):
                return f"# {modeline(new, root)}\n{rest}"
            return edited

        moved = create(self.repo.records_dir, action.unit, action.type_id, self._day(action),
                       text_for)
        path.unlink()
        self.removed.append(path)
        action.moved_from, action.path = action.path, self._relative(moved)

    def _moves(self, action: Action) -> bool:
        """Whether updating ``action``'s record moves its file: its date changes and the
        file has the name :func:`.writer.create` gives a record of the old day."""
        existing = action.existing
        if existing is None or existing.date is None or action.day is None \
                or existing.date == action.day or existing.unit != action.unit:
            return False
        path = self.repo.root / existing.file
        old = existing.date
        stem = file_name(existing.type, old).removesuffix(".yaml")  # <type>-<mmdd>
        return path.parent == folder(self.repo.records_dir, existing.unit, old) and bool(
            re.fullmatch(re.escape(stem) + r"(?:-[0-9]+)?\.yaml", path.name))

    def _spellings(self, type_id: str, name: str) -> list[str]:
        spec = self.plan.field_spec(type_id, name)
        return spec.spellings(name) if spec is not None else [name]


def _set(doc: Any, spellings: Sequence[str], value: Any, new_key: str) -> None:
    """Set (or, for ``None``, remove) a field under whichever spelling the file uses."""
    key = next((k for k in spellings if k in doc), None)
    if value is None or value == []:
        if key is not None:
            del doc[key]
        return
    doc[key if key is not None else new_key] = plain(value)


def commit_message(result: ImportResult, added: int, updated: int, who: str | None) -> str:
    """The commit message of an import: one line naming the files and the counts, then the
    sheets and who imported, one per line."""
    files = "、".join(printable(f, 80) for f in result.files)
    lines = [_("Import ledger {files}: {new} added, {updated} updated").format(
        files=files, new=added, updated=updated), ""]
    lines += [_("Sheet: {sheet}").format(sheet=printable(s, 120)) for s in result.sheets]
    if who:
        lines.append(_("Imported by: {who}").format(who=printable(who, 120)))
    return "\n".join(lines).strip() + "\n"
