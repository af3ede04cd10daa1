"""What a check keeps in ``.dc-cache/`` beside the record cache: results, and whole outcomes.

``.dc-cache/results-<hash>.pickle`` holds the results of the last full evaluation of one
records folder, each under the stamp of the records it read (:mod:`..engine.memo`).  The
file as a whole is keyed on what the record cache is keyed on (the plan's bytes, the
message catalog, dc's validating code), plus the engine's own code, the as-of day and
whether that day is still running.  So after ten records of one community changed, only
that community's results (and those that count every unit) are evaluated again; with
nothing changed, none are.

``.dc-cache/outcome-<hash>.pickle`` (:class:`WholeMemo`) holds the last whole outcome,
keyed further on every record file's stamp, git's state and the day: with nothing changed a
check answers from it without reading a record (they are read from the record cache only if
a report asks for them, :class:`LoadedLater`).

Like the record cache it is an optimisation only: read through the same bounded, symlink-
refusing reader, unpickled only after its key matched and then only into results, and
written atomically.  Anything wrong with it means "no memo".  It is used only for a whole
evaluation (no ``--unit``/``--rule`` filter) with the record cache on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Problem
from ..engine.memo import EntryKey, Memo
from ..engine.results import Result, Violation
from ..gitrepo.git import FirstCommit
from ..records.batch import Seen
from ..records.cache import (
    BACKGROUND_FROM,
    RECORD_CLASSES,
    RecordCache,
    code_hash,
    read_pickle,
    write_pickle,
)
from ..records.model import Record

MAGIC = b"dc-result-memo\n"
# the code an outcome depends on besides validation's (its git notes, its assembly)
_ENGINE = ("engine", "core.py", "gitrepo", "pipeline", "outcome.py")
_CLASSES = RECORD_CLASSES | {(Result.__module__, "Result"), (Violation.__module__, "Violation")}


class _KeyedFile:
    """One cache file beside the record cache: its path, its key (written after the
    file kind's magic line, checked before anything is unpickled) and the root it must stay
    in."""

    MAGIC: bytes = b""

    def __init__(self, path: Path, key: bytes, root: Path) -> None:
        self.path, self.key, self.root = path, key, root

    def _read(self, classes: Any) -> Any:
        return read_pickle(self.path, self.MAGIC + self.key, self.root, classes)

    def _write(self, head: Any, results: Sequence[Any], size: int) -> bool:
        """Write ``head``, then ``results`` in parts of :data:`PART` (each pickled with a
        fresh memory of objects, so the writer never holds a table of every record id the
        results name); read back by :meth:`_read` as ``[head, part, part …]``.  One about
        ``size`` records or results large is written in the background
        (:func:`~..records.cache.write_pickle`)."""
        parts = [results[i:i + PART] for i in range(0, len(results), PART)] or [[]]
        return write_pickle(self.path, self.MAGIC + self.key, head, more=parts,
                            background=size >= BACKGROUND_FROM)


PART = 256  # results pickled together in a memo file


def _joined(value: Any) -> tuple[Any, list[Any]] | None:
    """The head and the results of a file :meth:`_KeyedFile._write` wrote, or ``None``."""
    if not isinstance(value, list) or not value or not all(
            isinstance(part, list) for part in value[1:]):
        return None
    return value[0], [item for part in value[1:] for item in part]


class MemoFile(_KeyedFile):
    """The memo file of one records folder, for one key."""

    MAGIC = MAGIC

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

    def open(self, records: Sequence[Record], stamps: Sequence[object] | None,
             commit_days: Mapping[str, dt.date] | None) -> Memo:
        """A :class:`Memo` over ``records`` (their files' ``stamps`` in the same order, as
        the record cache loaded them) holding what the file stored (if anything)."""
        joined = _joined(self._read(_CLASSES))
        old = _entries(joined[1]) if joined is not None else {}
        return Memo(records, stamps if stamps is not None else [None] * len(records), old,
                    commit_days)

    def save(self, memo: Memo) -> bool:
        """Keep this run's results, unless they are exactly those stored."""
        if memo.hits == len(memo.kept) and len(memo.kept) == len(memo.old):
            return True  # nothing new: the file already holds these
        # its size goes with the record ids the results name, not with their number
        named = sum(len(result.records) for result in memo.kept.values())
        return self._write(None, list(memo.kept.items()), max(len(memo.kept), named))


def _entries(items: list[Any]) -> dict[EntryKey, Result]:
    """The entries read back that have the memo's shape: key → result."""
    return {item[0]: item[1] for item in items
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], tuple)
            and len(item[0]) == 4 and isinstance(item[1], Result)}


# ------------------------------------------------------------------ the whole outcome
WHOLE_MAGIC = b"dc-outcome-memo\n"


class LoadedLater(Sequence[Record]):
    """The records of an outcome taken from the memo, read (from the record cache) only
    when something asks for more than their number: a table or JSON summary never does."""

    def __init__(self, count: int, load: Callable[[], list[Record]]) -> None:
        self._count, self._load = count, load
        self._records: list[Record] | None = None

    def _all(self) -> list[Record]:
        if self._records is None:
            self._records = self._load()
        return self._records

    def __len__(self) -> int:
        return self._count if self._records is None else len(self._records)

    def __getitem__(self, i: Any) -> Any:
        return self._all()[i]

    def __iter__(self) -> Iterator[Record]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return self._all() == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a sequence of records, not a key


@dataclass(frozen=True)
class Kept:
    """What a whole check gave, apart from the plan and the records themselves."""

    problems: list[Problem]
    results: list[Result]
    scores: dict[str, dict[str, float]]
    notes: list[str]
    commits: dict[str, FirstCommit]
    waivers: dict[tuple[str, str, str], str]
    files: int
    records: int


class WholeMemo(_KeyedFile):
    """The last whole outcome of a records folder, for a run in which nothing changed.

    Keyed on the results memo's key (:class:`MemoFile`), every record file's name and
    stamp (:meth:`~..records.batch.Scan.seen`), what git says (the commit checked out, the
    dirty flag, a shallow clone) and today's date: when all match, the outcome is the one
    stored, and not a record is parsed, validated or evaluated.
    """

    MAGIC = WHOLE_MAGIC

    @classmethod
    def of(cls, memo: MemoFile, seen: Seen, git: Mapping[str, object] | None,
           today: dt.date) -> WholeMemo:
        """The memo for this folder as scanned, this git state and this day (records dated
        after today are warned about: the warnings change with the day)."""
        digest = hashlib.sha256(memo.key + today.isoformat().encode())
        digest.update(repr(sorted(git.items()) if git is not None else "no git").encode())
        digest.update(seen.digest)  # the memo's key holds the Python version
        return cls(memo.path.with_name(memo.path.name.replace("results-", "outcome-", 1)),
                   digest.digest(), memo.root)

    def load(self) -> Kept | None:
        joined = _joined(self._read(_WHOLE_CLASSES))
        if joined is None or not isinstance(joined[0], Kept):
            return None
        kept = dataclasses.replace(joined[0], results=joined[1])
        return kept if _whole_shape(kept) else None

    def save(self, kept: Kept) -> bool:
        return self._write(dataclasses.replace(kept, results=[]), kept.results,
                           max(kept.records, len(kept.results)))


def _whole_shape(kept: Kept) -> bool:
    """Whether an unpickled :class:`Kept` holds what its fields say (it is our own file,
    but a file is only trusted as far as it is checked)."""
    return (isinstance(kept.problems, list) and isinstance(kept.results, list)
            and all(isinstance(p, Problem) for p in kept.problems)
            and all(isinstance(r, Result) for r in kept.results)
            and isinstance(kept.scores, dict) and isinstance(kept.notes, list)
            and all(isinstance(n, str) for n in kept.notes)
            and isinstance(kept.commits, dict) and isinstance(kept.waivers, dict)
            and isinstance(kept.files, int) and isinstance(kept.records, int))


_WHOLE_CLASSES = _CLASSES | {(Kept.__module__, "Kept"), (FirstCommit.__module__, "FirstCommit")}
