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
    """

    id: str
    type: str
    unit: str
    date: dt.date | None
    title: str
    fields: dict[str, Any]
    file: str
    line: int = 1

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

