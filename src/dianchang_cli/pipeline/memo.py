"""The evaluation memo on disk: last run's results, beside the record cache.

``.dc-cache/results-<hash>.pickle`` holds the results of the last full evaluation of one
records folder, each under the stamp of the records it read (:mod:`..engine.memo`).  The
file as a whole is keyed on what the record cache is keyed on (the plan's bytes, the
message catalog, dc's validating code), plus the engine's own code, the as-of day and
whether that day is still running.  So after ten records of one community changed, only
that community's results (and those that count every unit) are evaluated again; with
nothing changed, none are.

Like the record cache it is an optimisation only: read through the same bounded, symlink-
refusing reader, unpickled only after its key matched and then only into results, and
written atomically.  Anything wrong with it means "no memo".  It is used only for a whole
evaluation (no ``--unit``/``--rule`` filter) with the record cache on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..engine.memo import EntryKey, Memo
from ..engine.results import Result, Violation
from ..records.cache import (
    RECORD_CLASSES,
    RecordCache,
    code_hash,
    read_pickle,
    write_pickle,
)
from ..records.model import Record

MAGIC = b"dc-result-memo\n"
_ENGINE = ("engine", "core.py")  # the code results depend on, besides validation's
_CLASSES = RECORD_CLASSES | {(Result.__module__, "Result"), (Violation.__module__, "Violation")}


class MemoFile:
    """The memo file of one records folder, for one key."""

    def __init__(self, path: Path, key: bytes, root: Path) -> None:
        self.path, self.key, self.root = path, key, root

    @classmethod
    def of(cls, store: RecordCache, as_of: dt.date, day_open: bool) -> MemoFile | None:
        """The memo beside ``store``, or ``None`` when the record cache has no key."""
        if store.key is None:
            return None
        parts = [store.key, code_hash(_ENGINE).encode(), as_of.isoformat().encode(),
                 b"open" if day_open else b"closed"]
        key = hashlib.sha256(b"\0".join(parts)).digest()
        path = store.path.with_name(store.path.name.replace("records-", "results-", 1))
        return cls(path, key, store.root)

    def open(self, store: RecordCache, records: Sequence[Record],
             commit_days: Mapping[str, dt.date] | None) -> Memo:
        """A :class:`Memo` over ``records`` holding what the file stored (if anything)."""
        old = _entries(read_pickle(self.path, MAGIC + self.key, self.root, _CLASSES))
        states = {id(entry[1]): entry[0] for entry in store.entries.values()
                  if entry[1] is not None}
        return Memo(records, lambda rec: states.get(id(rec)), old, commit_days)

    def save(self, memo: Memo) -> bool:
        """Keep this run's results, unless they are exactly those stored."""
        if memo.hits == len(memo.kept) and len(memo.kept) == len(memo.old):
            return True  # nothing new: the file already holds these
        return write_pickle(self.path, MAGIC + self.key, memo.kept, (Result, Violation))


def _entries(value: Any) -> dict[EntryKey, Result]:
    """The entries of an unpickled payload that have the memo's shape: key → result."""
    if not isinstance(value, dict):
        return {}
    return {key: result for key, result in value.items()
            if isinstance(key, tuple) and len(key) == 4 and isinstance(result, Result)}
