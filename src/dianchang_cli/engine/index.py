"""Records indexed once by (type, unit), sorted by day, so a period is two bisects away.

Rules ask the index, never the whole record list: evaluating is proportional to the records
a rule selects, not rules × records.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ..records.model import Record


class Index:
    """Built when first asked, not when made: an outcome taken whole from the memo may
    never need its records indexed (or even read)."""

    def __init__(self, records: Iterable[Record]) -> None:
        self._all: Sequence[Record] = records if isinstance(records, Sequence) else list(records)
        self._built = False
        self._by_id: dict[str, Record] | None = None  # made when asked: a check never asks
        self._grouped: dict[tuple[str, str], list[Record]] = {}
        self._sorted: dict[tuple[str, str], tuple[list[Record], list[dt.date]]] = {}
        self._by_field: dict[tuple[str, str], dict[str, list[Record]]] = {}

    def _build(self) -> None:
        if self._built:
            return
        grouped: dict[tuple[str, str], list[Record]] = defaultdict(list)
        for rec in self._all:
            grouped[(rec.type, rec.unit)].append(rec)
        self._grouped = dict(grouped)
        self._built = True

    @property
    def by_id(self) -> dict[str, Record]:
        """Every record by its id (a million records: a table of ~30 MB, made when first
        asked — by a report, not by a check)."""
        if self._by_id is None:
            self._by_id = {rec.id: rec for rec in self._all}
        return self._by_id

    def size(self) -> int:
        """How many records there are."""
        return len(self._all)

    def group_sizes(self) -> dict[tuple[str, str], int]:
        """How many records each (type, unit) has."""
        self._build()
        return {key: len(recs) for key, recs in self._grouped.items()}

    def type_sizes(self) -> dict[str, int]:
        """How many records each type has."""
        self._build()
        sizes: dict[str, int] = defaultdict(int)
        for (type_id, _unit), recs in self._grouped.items():
            sizes[type_id] += len(recs)
        return dict(sizes)

    def _list(self, key: tuple[str, str]) -> tuple[list[Record], list[dt.date]]:
        """The records of one (type, unit), sorted by day, and their days: sorted when a
        rule first asks for them (a memo may answer the rest)."""
        found = self._sorted.get(key)
        if found is None:
            self._build()
            recs = sorted(self._grouped.get(key, ()), key=_sort_key)
            found = self._sorted[key] = (recs, [_sort_key(r)[0] for r in recs])
        return found

    def of(self, type_id: str, units: Iterable[str]) -> list[Record]:
        """All records of a type done by any of ``units``, sorted by day."""
        out: list[Record] = []
        for unit in units:
            out.extend(self._list((type_id, unit))[0])
        return out

    def between(self, type_id: str, units: Iterable[str], start: dt.date, end: dt.date
                ) -> list[Record]:
        """Records of a type and units whose ``date`` lies in ``[start, end]``."""
        out: list[Record] = []
        for unit in units:
            recs, days = self._list((type_id, unit))
            if days:
                lo = bisect.bisect_left(days, start)
                hi = bisect.bisect_right(days, end)
                out.extend(recs[lo:hi])
        return out

    def by_field(self, type_id: str, field: str) -> dict[str, list[Record]]:
        """Records of a type grouped by a field's value (scope ``target``), built on demand."""
        key = (type_id, field)
        if key not in self._by_field:
            self._build()
            groups: dict[str, list[Record]] = defaultdict(list)
            for (t, unit) in self._grouped:
                if t == type_id:
                    for rec in self._list((t, unit))[0]:
                        value = rec.fields.get(field)
                        if isinstance(value, str):
                            groups[value].append(rec)
            self._by_field[key] = dict(groups)
        return self._by_field[key]

    def units_with(self, type_id: str) -> list[str]:
        self._build()
        return sorted({u for (t, u) in self._grouped if t == type_id})


def _sort_key(rec: Record) -> tuple[dt.date, str]:
    return (rec.date or dt.date.min, rec.id)
