"""Results of an earlier evaluation, reused where the records a result reads are unchanged.

A rule kind sees records only through :meth:`~.context.Context.select`, which takes the
records of the selector's units (or, for scope ``target``, the records about a unit, which
any unit may have written).  So a result for one rule, unit and period is a function of the
plan, the as-of moment, dc's own code and the records of those units with their commit
days — nothing else.  :class:`Memo` names that last part by a *stamp* per unit: a digest of
the files its records came from, each with the file's size, mtime, ctime and inode as the
record cache keyed it (:mod:`..records.cache`), and the day it was first committed.

A unit with a record whose file has no stamp (a file changed within the file system's clock
tick, which the record cache does not store) has no stamp, and its results are always
evaluated again.  Everything else that a result depends on names the memo as a whole (the
caller's ``key``); the evaluator reuses a result only when the whole memo and the stamp of
its selector both match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from ..records.cache import exact_bytes
from ..records.model import Record

if TYPE_CHECKING:
    from .context import Selector
    from .results import Result

EntryKey = tuple[str, str, str, bytes]  # rule, unit, period label, stamp of the selector
FileStates = Sequence[object]  # each record's file state, in the records' order (None: unknown)


class Memo:
    """Earlier results by (rule, unit, period, stamp) and this run's, to be kept.

    ``old``: what was stored last time (empty for none).  ``states`` gives each record's
    file state, in the order of ``records`` (``None``: unknown).  ``commit_days``: record id →
    first commit day, part of each stamp (deadlines with ``basis: commit`` read them).
    """

    def __init__(self, records: Sequence[Record], states: FileStates,
                 old: Mapping[EntryKey, Result] | None = None,
                 commit_days: Mapping[str, dt.date] | None = None) -> None:
        self.old: Mapping[EntryKey, Result] = old or {}
        self.kept: dict[EntryKey, Result] = {}
        self.hits = 0
        self._units = _unit_stamps(records, states, commit_days or {})
        self._selectors: dict[Selector, bytes | None] = {}

    def stamp(self, who: Selector) -> bytes | None:
        """The digest of everything ``who`` selects from, or ``None`` when not known."""
        if who in self._selectors:
            return self._selectors[who]
        if who.target is not None:  # records about a unit: any unit may have written one
            found = self._everything
        else:
            found = _combine(self._units.get(unit, _NONE) for unit in who.units)
        self._selectors[who] = found
        return found

    @cached_property
    def _everything(self) -> bytes | None:
        """The stamp of every unit's records together."""
        return _combine(self._units[u] for u in sorted(self._units))

    def get(self, rule: str, unit: str, period: str, who: Selector) -> Result | None:
        """The stored result, when its selector's records are unchanged (kept for saving)."""
        stamp = self.stamp(who)
        if stamp is None:
            return None
        key = (rule, unit, period, stamp)
        found = self.old.get(key)
        if found is not None:
            self.kept[key] = found
            self.hits += 1
        return found

    def absorb(self, kept: Mapping[EntryKey, Result], hits: int) -> None:
        """Take in what another process evaluating with a copy of this memo kept (a forked
        child's share of the rules)."""
        self.kept.update(kept)
        self.hits += hits

    def put(self, rule: str, unit: str, period: str, who: Selector, result: Result) -> None:
        """Keep a freshly evaluated result (before any waiver) for the next run."""
        stamp = self.stamp(who)
        if stamp is not None:
            self.kept[(rule, unit, period, stamp)] = result


_NONE = b""  # a unit without records: its stamp is the empty digest


def _unit_stamps(records: Sequence[Record], states: FileStates,
                 commit_days: Mapping[str, dt.date]) -> dict[str, bytes | None]:
    """unit → digest of its records' files (in load order), their states and commit days;
    ``None`` for a unit with a record whose file state is unknown.  A state is a value
    :mod:`marshal` writes exactly (the record cache's stamp, one integer)."""
    # per unit one flat list (file, state, day, file, state, day …): three slots a record,
    # where a tuple each would hold a million more objects at once
    parts: dict[str, list[object] | None] = {}
    days = commit_days.get if commit_days else None
    for rec, state in zip(records, states, strict=True):
        found = parts.get(rec.unit, _NEW)
        if found is None:
            continue
        if state is None:
            parts[rec.unit] = None
            continue
        if found is _NEW:
            found = parts[rec.unit] = []
        day = days(rec.id) if days else None
        found += (rec.file, state, day.toordinal() if day else 0)
    return {unit: None if items is None else hashlib.blake2b(
        exact_bytes(items), digest_size=16).digest() for unit, items in parts.items()}


_NEW: list[object] = []  # a marker: no list for this unit yet


def _combine(stamps: Iterable[bytes | None]) -> bytes | None:
    digest = hashlib.blake2b(digest_size=16)
    for stamp in stamps:
        if stamp is None:
            return None
        digest.update(stamp + b"\1")
    return digest.digest()
