"""A validated record: frozen, typed, and carrying the file and line it came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .values import TZ


@dataclass(frozen=True, slots=True)
class Record:
    """One activity, document or registry entry.

    ``fields`` holds every field of the record, typed (dates as ``date``, date-times as aware
    ``datetime``), under its canonical name; treat it as read-only.  ``date`` is the day the
    record counts on (``None`` only for a registry entry written without one).
    ``keys``/``key_lines`` keep each top-level field and its line, read from the YAML nodes
    while they were at hand, so a message about a field can point at it without parsing the
    file again.  (Two flat tuples, the first shared by every record with the same keys:
    cheap to send back from the loading workers.)
    """

    id: str
    type: str
    unit: str
    date: dt.date | None
    title: str
    fields: dict[str, Any]
    file: str
    line: int = 1
    keys: tuple[str, ...] = ()  # top-level fields in file order (canonical names)
    key_lines: tuple[int, ...] = ()  # their lines

    def __reduce__(self) -> tuple[type[Record], tuple[Any, ...]]:
        """Pickled (for the record cache, and back from a loading worker) as a call of the
        constructor: unpickling then skips a slotted dataclass's generic state restoring."""
        return Record, (self.id, self.type, self.unit, self.date, self.title, self.fields,
                        self.file, self.line, self.keys, self.key_lines)

    def line_of(self, names: tuple[str, ...]) -> int:
        """The line of the first of ``names`` the record has, else its first line."""
        for name in names:
            if name in self.keys:
                return self.key_lines[self.keys.index(name)]
        return self.line

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def day(self, field: str | None) -> dt.date | None:
        """The day a rule counts this record on: ``field`` if given and set, else ``date``."""
        if field:
            value = self.fields.get(field)
            if isinstance(value, dt.datetime):
                return value.astimezone(TZ).date()
            if isinstance(value, dt.date):
                return value
            return None
        return self.date

