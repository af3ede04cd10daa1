"""Records indexed once by (type, unit), sorted by day, so a period is two bisects away.

Rules ask the index, never the whole record list: evaluating is proportional to the records
a rule selects, not rules × records.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from ..records.model import Record


class Index:
    def __init__(self, records: Iterable[Record]) -> None:
        self.by_id: dict[str, Record] = {}
        grouped: dict[tuple[str, str], list[Record]] = defaultdict(list)
        for rec in records:
            self.by_id[rec.id] = rec
            grouped[(rec.type, rec.unit)].append(rec)
        self._lists = {key: sorted(recs, key=_sort_key) for key, recs in grouped.items()}
        self._days = {key: [_sort_key(r)[0] for r in recs] for key, recs in self._lists.items()}
        self._by_field: dict[tuple[str, str], dict[str, list[Record]]] = {}

    def of(self, type_id: str, units: Iterable[str]) -> list[Record]:
        """All records of a type done by any of ``units``, sorted by day."""
        out: list[Record] = []
        for unit in units:
            out.extend(self._lists.get((type_id, unit), ()))
        return out

    def between(self, type_id: str, units: Iterable[str], start: dt.date, end: dt.date
                ) -> list[Record]:
        """Records of a type and units whose ``date`` lies in ``[start, end]``."""
        out: list[Record] = []
        for unit in units:
            key = (type_id, unit)
            days = self._days.get(key)
            if days:
                lo = bisect.bisect_left(days, start)
                hi = bisect.bisect_right(days, end)
                out.extend(self._lists[key][lo:hi])
        return out

    def by_field(self, type_id: str, field: str) -> dict[str, list[Record]]:
        """Records of a type grouped by a field's value (scope ``target``), built on demand."""
        key = (type_id, field)
        if key not in self._by_field:
            groups: dict[str, list[Record]] = defaultdict(list)
            for (t, _unit), recs in self._lists.items():
                if t == type_id:
                    for rec in recs:
                        value = rec.fields.get(field)
                        if isinstance(value, str):
                            groups[value].append(rec)
            self._by_field[key] = dict(groups)
        return self._by_field[key]

    def units_with(self, type_id: str) -> list[str]:
        return sorted({u for (t, u) in self._lists if t == type_id})


def _sort_key(rec: Record) -> tuple[dt.date, str]:
    return (rec.date or dt.date.min, rec.id)
