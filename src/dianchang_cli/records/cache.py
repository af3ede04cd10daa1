"""A persistent cache of validated records, so an unchanged repository is not read again.

``dc check`` on 100,000 records spends most of its time parsing YAML and validating it.
This module keeps, per records folder, what each file gave — its :class:`Record` (or
``None``) and its problems — in a file under ``.dc-cache/`` at the repository root, so
the next run validates only the files that changed.  It is an optimisation only: whatever
goes wrong with the cache (missing, corrupt, truncated, foreign, written by another version
of dc, not writable) the records are read as if there were none, and the output is the same
byte for byte.

**When is an entry fresh?**  A file's entry is used when its ``lstat`` still gives the same
size, ``mtime_ns``, ``ctime_ns`` and inode (ctime catches a ``chmod`` or a copy that keeps
mtime) and the file is a regular file (symlinks and the like are always read again).  An
entry whose mtime is within :data:`RACY_NS` of the moment the files were looked at is not
stored: a second edit in the same clock tick would keep its mtime, as git's "racily clean"
index entries.

**When is the whole cache stale?**  Its :func:`cache_key` hashes everything else the
outcome depends on: the bytes of every plan file (``units.yaml`` too), dc's version and the
source of the packages that read and validate (``load/``, ``planfile/``, ``records/``,
``diagnostics.py``, ``i18n.py``), the message language and its catalog (problems hold
translated text), how the records folder and root are spelled (names shown are relative to
the root), and the Python version.

**Today.**  Validation warns about a record dated after today.  Rather than throwing the
cache away every midnight, the day it was written is stored, and on another day only the
files whose record is dated after either day are validated again (:func:`stale_by_day`):
usually none, as records describe work done.

**Format.**  One pickle per records folder (``records-<hash>.pickle``) plus a small
``.delta`` beside it for the latest few changes (see :class:`RecordCache`).  Measured on
generated repositories, loading the pickle takes 0.04 s for 10,000 records (5 MB) and
0.45 s for 100,000 (53 MB); the same entries in SQLite, one pickled row per file, took
0.07 s and 1.26 s (8 MB, 80 MB) — so a pickle.  The base is pickled in parts of
:data:`CHUNK` entries, each with a fresh memory of objects, and streamed from the file when
read: a million records in one pickle would hold a reference to every object they contain
until the end, well over a GiB.

**Safety.**  The file is written to a temporary name and moved into place with
:func:`os.replace`, so concurrent runs never leave half a file; the last writer wins.  It is
read through :func:`~..load.files.open_limited` (no symlink, size-bounded), checked against a
magic header and the key *before* anything is unpickled, and unpickled by
:class:`_SafeUnpickler`, which builds nothing but records, problems and date values: a cache
file planted in a repository cannot run code.  Nor can it slip records in: an entry counts
only for a file whose inode and ctime (which no one can set, and a clone or copy renews)
match, so a cache copied from elsewhere — or restored on a CI machine — simply misses.
"""

from __future__ import annotations

import atexit
import contextlib
import copyreg
import dataclasses
import datetime as dt
import hashlib
import marshal
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

from .. import __version__, forked, i18n
from ..diagnostics import Problem
from ..load.files import Unreadable, open_limited
from .model import Record, to_file

CACHE_DIR = ".dc-cache"
MAGIC = b"dc-record-cache\n"
FORMAT = 4  # bump when the layout of the pickled payload changes
MAX_CACHE_BYTES = 1 << 31  # a cache larger than this is not read (100k records: ~40 MB)
MAX_PLAN_BYTES = 64 << 20  # plan files hashed at most this much in all
CHUNK = 20_000  # entries pickled together in the base file (see write_pickle's ``more``)
DELTA_MIN = 1000  # up to this many changed entries go to the delta file …
DELTA_SHARE = 0.1  # … or up to this share of all entries, if more
BACKGROUND_FROM = 5000  # entries: a smaller file is written before a child could start
RACY_NS = 20_000_000  # 20 ms: a coarse file-system clock tick (2 s for whole-second ones)
_SOURCES = ("load", "planfile", "records", "diagnostics.py", "i18n.py")

Stat = int  # size, mtime_ns, ctime_ns and inode in one exact integer (see stat_of)
Entry = tuple[Stat, Record | None, tuple[Problem, ...]]


@dataclass
class Snapshot:
    """What a cache file holds: per file (path below the records folder) its stat and
    outcome, and the day validation ran (future-date warnings depend on it)."""

    today: dt.date
    entries: dict[str, Entry] = field(default_factory=dict)


def file_stat(path: str | Path) -> Stat | None:
    """The part of ``lstat`` an entry is keyed by; ``None`` for anything but a regular file
    (never cached) or a file that cannot be looked at."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return stat_of(info) if stat.S_ISREG(info.st_mode) else None


_WORD = (1 << 64) - 1


def stat_of(info: os.stat_result) -> Stat:
    """The stamp of a regular file from its ``lstat`` (or the ``fstat`` of the file opened
    without following a symlink, which is the same): size, mtime and ctime (nanoseconds, as
    64-bit words) and the inode (whole, at the top: it may be wider on Windows), packed in
    one integer.  Equal exactly when all four are — and one object where a tuple of four
    integers is five: 140 MB less for a million files."""
    return ((info.st_size & _WORD) | (info.st_mtime_ns & _WORD) << 64
            | (info.st_ctime_ns & _WORD) << 128 | info.st_ino << 192)


def _mtime(entry_stat: Stat) -> int:
    """The mtime (ns) in a :func:`stat_of` stamp."""
    mtime = entry_stat >> 64 & _WORD
    return mtime - (1 << 64) if mtime >> 63 else mtime  # a time before 1970 is negative


def racy(entry_stat: Stat, looked_ns: int) -> bool:
    """Whether a file changed so close to ``looked_ns`` that a further edit in the same
    clock tick could keep its mtime (and size): such an entry is not stored."""
    mtime = _mtime(entry_stat)
    window = 2_000_000_000 if mtime % 1_000_000_000 == 0 else RACY_NS
    return mtime >= looked_ns - window


def kept(stamp: Stat | None, looked_ns: int) -> bool:
    """Whether an outcome stamped ``stamp`` (``None``: not a regular file, never cached)
    may be kept under it — in the record cache, or as its records' state in the results
    memo: not a file changed within the clock tick before ``looked_ns`` (:func:`racy`)."""
    return stamp is not None and not racy(stamp, looked_ns)


def exact_bytes(value: object) -> bytes:
    """``value`` (names, numbers, tuples and lists of them) as bytes that depend on the value
    alone: :mod:`marshal` format 2, the fastest exact serialisation of these.  (From format
    3 on, marshal writes an object seen twice as a back-reference only if something else
    also holds it, so equal values can give different bytes from one run to the next.)
    Keys built from it hold the Python version, whose marshal format it is."""
    return marshal.dumps(value, 2)


def stale_by_day(record: Record | None, then: dt.date, now: dt.date) -> bool:
    """Whether the date warnings of ``record`` may differ between the day the cache was
    written (``then``) and today (``now``): it is dated after either day (the future-date
    warning names today, so it changes with the day too).  Only a valid record got date
    warnings at all; an invalid file's problems stand."""
    if then == now or record is None or record.date is None:
        return False
    try:
        return record.date > then or record.date > now
    except TypeError:  # a date-time against a date: validate it again to be sure
        return True


# ------------------------------------------------------------------ the key
@cache
def code_hash(sources: tuple[str, ...] = _SOURCES) -> str:
    """dc's version and the source of the stages a cache depends on (packages and modules
    of dc by name; by default those validation depends on), hashed once per run."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version_info[:2]}\0{FORMAT}".encode())
    base = Path(__file__).resolve().parent.parent
    for name in sources:
        top = base / name
        files = sorted(top.rglob("*.py")) if top.is_dir() else [top]
        for path in files:
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"\1unreadable")
    return digest.hexdigest()


def _catalog_hash() -> str:
    """The active language and the bytes of its compiled catalog (messages are cached
    translated)."""
    lang = i18n.current()
    digest = hashlib.sha256(lang.encode())
    mo = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    try:
        digest.update(mo.read_bytes())
    except OSError:
        digest.update(b"\1none")
    return digest.hexdigest()


def _plan_hash(plan_dir: Path) -> str | None:
    """Every file of the plan folder, name and bytes; ``None`` when one cannot be read or
    the plan is implausibly large (then there is no cache)."""
    digest = hashlib.sha256()
    total = 0
    try:
        paths = sorted(p for p in plan_dir.rglob("*") if p.is_file())
        for path in paths:
            data = path.read_bytes()
            total += len(data)
            if total > MAX_PLAN_BYTES:
                return None
            digest.update(path.relative_to(plan_dir).as_posix().encode() + b"\0")
            digest.update(len(data).to_bytes(8, "big") + data)
    except OSError:
        return None
    return digest.hexdigest()


def cache_key(plan_dir: Path, records_dir: Path, root: Path) -> bytes | None:
    """32 bytes naming everything but the files themselves that an outcome depends on."""
    plan = _plan_hash(plan_dir)
    if plan is None:
        return None
    parts = [code_hash(), _catalog_hash(), plan, root.as_posix(), records_dir.as_posix()]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).digest()


# ------------------------------------------------------------------ reading and writing
Allowed = frozenset[tuple[str, str]]  # (module, name) of the classes a cache file may build

RECORD_CLASSES: Allowed = frozenset({
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"),
    ("datetime", "timedelta"), (Record.__module__, "rebuilt_from_file"),
    (Record.__module__, "rebuilt"),
    (Problem.__module__, "Problem"), ("builtins", "set"), ("builtins", "frozenset")})


class _SafeUnpickler(pickle.Unpickler):
    """Builds only the classes it is given (records, problems, date values …): no code
    from a file."""

    def __init__(self, file: IO[bytes], allowed: Allowed) -> None:
        super().__init__(file)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache")
        return super().find_class(module, name)


def read_pickle(path: Path, header: bytes, root: Path, allowed: Allowed = RECORD_CLASSES
                ) -> Any:
    """The payload after ``header`` in the cache file ``path``, or ``None`` (missing, not a
    regular file inside ``root``, foreign, truncated, corrupt).  Only ``allowed`` classes
    are built, and only after the header matched.  Never raises.

    A payload written in parts (:func:`write_pickle` with ``more``) is read back whole: the
    first part, then each further part in turn, as the list ``[first, *more]``."""
    stream = _open_past(path, header, root)
    if stream is None:
        return None
    with stream:
        try:
            first = _SafeUnpickler(stream, allowed | PART_CLASSES).load()
            if not isinstance(first, _Parts):
                return first
            # each part was pickled with a fresh memo: a fresh unpickler reads it
            return [first.first, *(_SafeUnpickler(stream, allowed).load()
                                   for _ in range(first.count))]
        except Exception:  # truncated, corrupt or foreign bytes: no cache
            return None


def _open_past(path: Path, header: bytes, root: Path) -> IO[bytes] | None:
    """The cache file ``path`` opened just past its ``header``, once any write of it still
    running has ended; ``None`` when it is missing, not a regular file inside ``root``, too
    large, or does not start with ``header``."""
    settle(path)
    try:
        stream = open_limited(path, root, MAX_CACHE_BYTES)
    except (Unreadable, OSError):
        return None
    try:
        if stream.read(len(header)) == header:
            return stream
    except OSError:
        pass
    stream.close()
    return None


_FILE_TABLE = {**copyreg.dispatch_table, Record: to_file}  # how a cache file pickles


@dataclasses.dataclass(frozen=True)
class _Parts:
    """The head of a payload written in parts: its first value and how many follow."""

    first: Any
    count: int


PART_CLASSES: Allowed = frozenset({(_Parts.__module__, "_Parts")})


def write_pickle(path: Path, header: bytes, payload: Any, more: Collection[Any] = (), *,
                 background: bool = False) -> bool:
    """Write ``header`` and ``payload`` atomically (a temporary file in the same folder, then
    :func:`os.replace`), creating the cache folder with its ``.gitignore``.  ``False`` when
    nothing could be written (a read-only repository, a folder that is a symlink).
    ``more``: further parts, each pickled on its own after ``payload`` with the pickler's
    memory of objects cleared in between — a million records pickled at once would keep
    a reference to every object they hold until the end (over a GiB).

    ``background``: write in a child process while this one goes on (see
    :func:`_in_background`); then ``True`` means only that the write has begun."""
    settle(path)  # an earlier write of the same file finishes first
    if background and _in_background(path, lambda: _write(path, header, payload, more)):
        return True
    return _write(path, header, payload, more)


def _write(path: Path, header: bytes, payload: Any, more: Collection[Any]) -> bool:
    tmp: str | None = None
    try:
        made = _temp_beside(path)
        if made is None:
            return False
        fd, tmp = made
        with os.fdopen(fd, "wb") as out:
            out.write(header)
            pickler = _file_pickler(out)
            pickler.dump(_Parts(payload, len(more)) if more else payload)
            for part in more:
                pickler.clear_memo()
                pickler.dump(part)
        os.replace(tmp, path)
        tmp = None
        return True
    except _WRITE_ERRORS:
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


_WRITE_ERRORS = (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError)


def _temp_beside(path: Path) -> tuple[int, str] | None:
    """A new temporary file in the folder of ``path`` (made, with its ``.gitignore``, if
    missing), open for writing: its descriptor and name; ``None`` where the folder is a
    symlink (never written through).  Raises :class:`OSError`."""
    folder = path.parent
    if folder.is_symlink():  # never write through a link to elsewhere
        return None
    if not folder.is_dir():
        folder.mkdir()
        (folder / ".gitignore").write_text("# written by dc: a cache, never committed\n*\n",
                                           encoding="utf-8")
    return tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=folder)


def _file_pickler(out: IO[bytes]) -> pickle.Pickler:
    """A pickler as a cache file is written by the process that holds its records
    (:func:`~.model.to_file`)."""
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _FILE_TABLE
    return pickler


def part_bytes(entries: dict[str, Entry]) -> bytes:
    """One part of a base file, pickled where its records were made and are dropped once
    sent — a loading worker (:class:`FirstBase`) — so they pickle as themselves
    (:meth:`Record.__reduce__`): no second copy of their text is at stake."""
    return pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)


# ------------------------------------------------------------------ writing in the background
# Pickling 100,000 records for the cache takes a third of a second that the check itself
# does not need.  A forked child (:mod:`..forked`: Linux) has every record already and
# writes the file while the parent evaluates the rules.  Whoever reads a cache file first
# waits for a write of it still running (read_pickle, holds_base), and so does the process
# before it exits (settle(), from dc's exit and atexit), so a finished command leaves the
# same files as before.  Where no child can be made, the write happens inline.
_writing: dict[Path, forked.Child] = {}  # file → the child writing it


def _in_background(path: Path, write: Callable[[], bool]) -> bool:
    """Run ``write`` in a forked child; ``False`` when this platform or moment cannot."""
    child = forked.fork(lambda: b"" if write() else None)
    if child is None:
        return False
    _writing[path] = child
    return True


def settle(path: Path | None = None) -> None:
    """Wait for the background write of ``path`` (of every file, without one)."""
    for where in [path] if path is not None else list(_writing):
        child = _writing.pop(where, None)  # type: ignore[arg-type]
        if child is not None:
            child.wait()


atexit.register(settle)  # nothing to do unless a write is still running


class RecordCache:
    """The cache files of one records folder of one repository.

    ``RecordCache.of(root, plan_dir, records_dir)`` names them; :meth:`load` gives the
    :class:`Snapshot` they hold or ``None``; :meth:`save` stores a new one.  Neither raises
    for any state of the files or the folder.

    Two files: the *base* (every entry) and a small *delta* beside it (the entries that
    differ from the base, and the names gone from it).  When few files changed only the
    delta is written, so editing ten records of 100,000 does not rewrite 50 MB; past
    :data:`DELTA_SHARE` of the entries the base is written again and the delta dropped.  A
    delta names the base it belongs to by a random token, so a delta left over from another
    base is ignored.
    """

    def __init__(self, path: Path, key: bytes | None, root: Path) -> None:
        self.path, self.key, self.root = path, key, root
        self.delta_path = path.with_suffix(".delta")
        self._base: dict[str, Entry] = {}
        self._token: bytes | None = None
        self._in_delta: set[str] = set()  # names the delta file differs in from the base

    @classmethod
    def of(cls, root: Path, plan_dir: Path, records_dir: Path) -> RecordCache:
        where = os.path.abspath(records_dir).encode("utf-8", "surrogateescape")
        name = f"records-{hashlib.sha256(where).hexdigest()[:16]}.pickle"
        return cls(root / CACHE_DIR / name, cache_key(plan_dir, records_dir, root), root)

    def holds_base(self) -> bool:
        """Whether a base file with this cache's key is there (its header alone is read): if
        not, a check reads every file anyway and has no need to look at them first."""
        stream = None if self.key is None else _open_past(self.path, MAGIC + self.key,
                                                           self.root)
        if stream is None:
            return False
        stream.close()
        return True

    def load(self) -> Snapshot | None:
        """The snapshot in the files, or ``None`` (no file, not ours, another key, broken)."""
        if self.key is None:
            return None
        base = _base_entries(read_pickle(self.path, MAGIC + self.key, self.root))
        if base is None:
            return None
        self._token, today, self._base = base
        entries = self._base
        delta = read_pickle(self.delta_path, MAGIC + self.key + self._token, self.root)
        if isinstance(delta, tuple) and len(delta) == 3 and isinstance(delta[0], dt.date) \
                and isinstance(delta[1], dict) and isinstance(delta[2], list):
            today, changed, removed = delta
            entries = {**entries, **changed}
            for name in removed:
                entries.pop(name, None)
            self._in_delta = {*changed, *removed}
        return Snapshot(today, entries)

    def save(self, snapshot: Snapshot, changed: list[str] | None = None) -> bool:
        """Store ``snapshot``: only the delta when it differs from the base loaded in few
        entries, else a new base.  ``changed``: the names whose entries may differ from the
        last load, when the caller knows (else every entry is compared with the base).
        ``False`` when nothing could be written (a read-only repository): not an error."""
        if self.key is None:
            return False
        entries, base = snapshot.entries, self._base
        if self._token is not None:  # a base was loaded: perhaps only a delta to write
            names = entries if changed is None else {*self._in_delta, *changed}
            updated = {name: entries[name] for name in names
                       if name in entries and base.get(name) is not entries[name]}
            still = len(entries) - sum(1 for name in updated if name not in base)
            removed = [name for name in base if name not in entries] if still < len(base) \
                else []
            if len(updated) + len(removed) <= max(DELTA_MIN, len(entries) * DELTA_SHARE):
                self._in_delta = {*updated, *removed}
                return write_pickle(self.delta_path, MAGIC + self.key + self._token,
                                    (snapshot.today, updated, removed))
        names = list(entries)
        parts = [{name: entries[name] for name in names[i:i + CHUNK]}
                 for i in range(0, len(names), CHUNK)] or [{}]
        return self._new_base(self.key, snapshot.today, parts, len(names), entries)

    def save_first(self, today: dt.date, names: Sequence[str], outcomes: Sequence[Entry],
                   looked: int) -> bool:
        """Store what a first read of every file gave — ``outcomes[i]`` of ``names[i]``,
        stamped as read at ``looked`` (:func:`racy` ones left out) — as a new base, as
        :meth:`save` would.  The parts are made one at a time where the file is written (in
        the background child, for a big folder), so this process holds no second table of
        a million entries; it keeps none either: a later save here writes a new base."""
        if self.key is None:
            return False
        return self._new_base(self.key, today, FirstParts(names, outcomes, looked),
                              len(names), None)

    def _new_base(self, key: bytes, today: dt.date, parts: Collection[dict[str, Entry]],
                  size: int, entries: dict[str, Entry] | None) -> bool:
        """Write a new base file of ``parts`` (``size`` entries in all); ``entries``: the
        same entries as a table, kept to write later changes as a delta (``None``: not
        kept, a later save writes a new base)."""
        token = os.urandom(16)
        if not write_pickle(self.path, MAGIC + key, (token, today), more=parts,
                            background=size >= BACKGROUND_FROM):
            return False
        self.replaced_base(token, entries)
        return True

    def first_base(self, today: dt.date, parts: int) -> FirstBase:
        """A new base of ``parts`` parts written as a first read goes on (:class:`FirstBase`):
        the loading workers' parts as they come, not pickled again."""
        return FirstBase(self, today, parts)

    def replaced_base(self, token: bytes | None, entries: dict[str, Entry] | None) -> None:
        """A new base file is in place: ``entries`` are its entries, kept to write later
        changes as a delta under ``token`` (``None``: not kept, a later save writes a new
        base); the old delta belonged to the old base."""
        self._token = token if entries is not None else None
        self._base, self._in_delta = entries or {}, set()
        with contextlib.suppress(OSError):
            self.delta_path.unlink()


class FirstParts:
    """The base file's parts for :meth:`RecordCache.save_first` (and :meth:`FirstBase.finish`),
    each made as it is written: the entries of :data:`CHUNK` files at a time."""

    def __init__(self, names: Sequence[str], outcomes: Sequence[Entry], looked: int) -> None:
        self.names, self.outcomes, self.looked = names, outcomes, looked

    def __len__(self) -> int:
        return self.count(len(self.names))

    @staticmethod
    def count(files: int) -> int:
        """How many parts the outcomes of ``files`` files make."""
        return max(1, -(-files // CHUNK))

    def __iter__(self) -> Iterator[dict[str, Entry]]:
        names, outcomes, looked = self.names, self.outcomes, self.looked
        for start in range(0, max(1, len(names)), CHUNK):
            yield {name: entry for name, entry in zip(names[start:start + CHUNK],
                                                      outcomes[start:start + CHUNK], strict=True)
                   if kept(entry[0], looked)}


class FirstBase:
    """A new base file written while a first read of every file goes on
    (:meth:`RecordCache.first_base`): the parts the loading workers pickled, as they come
    (:meth:`add_bytes`), then the parts of the records this process read, in a forked child
    as :meth:`save_first` would (:meth:`finish`).  Only a file with every promised part
    takes the cache's place; a failure to write leaves no cache, never an error."""

    def __init__(self, cache: RecordCache, today: dt.date, parts: int) -> None:
        self.cache, self.parts = cache, parts
        self._out: IO[bytes] | None = None
        self._tmp: str | None = None
        if cache.key is None:
            return
        settle(cache.path)  # an earlier write of the same file finishes first
        try:
            made = _temp_beside(cache.path)
            if made is None:
                return
            fd, self._tmp = made
            self._out = os.fdopen(fd, "wb")
            self._out.write(MAGIC + cache.key)
            _file_pickler(self._out).dump(_Parts((os.urandom(16), today), parts))
        except OSError:
            self._fail()

    def add_bytes(self, data: bytes) -> None:
        """A part as :func:`part_bytes` made it."""
        if self._out is not None:
            try:
                self._out.write(data)
                self.parts -= 1
            except OSError:
                self._fail()

    def finish(self, own: Collection[dict[str, Entry]], more: Sequence[dict[str, Entry]],
               entries: int) -> bool:
        """Write the last parts, ``own`` then ``more`` (``entries`` records of this
        process: in a forked child for many) and put the file in place; ``True``: done, or
        begun in the background."""
        parts = _Chained(own, more)
        if self._out is None or len(parts) != self.parts:
            self._fail()
            return False
        try:
            self._out.flush()  # nothing buffered may be written twice, by a child too
        except OSError:
            self._fail()
            return False
        if entries >= BACKGROUND_FROM and _in_background(self.cache.path,
                                                         lambda: self._end(parts)):
            self._out.close()  # the child's to write to and to put in place (or remove)
            self._out = self._tmp = None
        elif not self._end(parts):
            return False
        self.cache.replaced_base(None, None)
        return True

    def _end(self, parts: _Chained) -> bool:
        """Write ``parts`` and put the file in place (here, or in the forked child)."""
        out, tmp = self._out, self._tmp
        if out is None or tmp is None:
            return False
        try:
            for part in parts:
                _file_pickler(out).dump(part)
            out.close()
            os.replace(tmp, self.cache.path)
            self._out = self._tmp = None
            return True
        except _WRITE_ERRORS:
            self._fail()
            return False

    def _fail(self) -> None:
        """Give up: the temporary file goes, and nothing more is written."""
        out, self._out = self._out, None
        with contextlib.suppress(OSError):
            if out is not None:
                out.close()
            if self._tmp is not None:
                os.unlink(self._tmp)
        self._tmp = None


class _Chained:
    """Two collections of parts as one, neither copied."""

    def __init__(self, first: Collection[Any], second: Collection[Any]) -> None:
        self.first, self.second = first, second

    def __len__(self) -> int:
        return len(self.first) + len(self.second)

    def __iter__(self) -> Iterator[Any]:
        yield from self.first
        yield from self.second


def _base_entries(parts: Any) -> tuple[bytes, dt.date, dict[str, Entry]] | None:
    """The token, day and entries of a base file read in parts, or ``None`` (not that
    shape: another format, or not ours)."""
    if not (isinstance(parts, list) and len(parts) >= 2 and isinstance(parts[0], tuple)
            and len(parts[0]) == 2 and isinstance(parts[0][0], bytes)
            and isinstance(parts[0][1], dt.date)):
        return None
    entries: dict[str, Entry] = {}
    for part in parts[1:]:
        if not isinstance(part, dict):
            return None
        entries.update(part)
    return parts[0][0], parts[0][1], entries
