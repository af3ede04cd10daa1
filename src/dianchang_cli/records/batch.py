"""Read every record file once: discover, parse, validate — on both cores for big folders.

Each worker process parses *and validates* its share and sends back frozen records and
problems; sending raw YAML values back would cost more in pickling than the parse itself.
On a first read (nothing cached), what a worker sends is a part of the record cache's new
base file, written as it comes: those records are pickled once, not again for the cache.
The garbage collector is paused during the bulk load (records are long-lived; collecting
mid-load only walks them again).

Only regular files inside the repository are read
(:func:`~dianchang_cli.load.files.read_limited`): the walk does not follow symlinked folders
and never opens anything, and a ``*.yaml`` that is a symlink, a pipe, a device or a folder
is listed, so that it is reported rather than skipped.

Workers get the validator with their tasks, not by inheriting a global, so the platform's
start method serves: ``fork`` where it is the default (Linux up to Python 3.13), ``spawn`` on
Windows and macOS.  It is pickled once and unpickled once per worker (~1 ms each).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import marshal
import os
import pickle
import stat as filemode
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from pathlib import Path, PurePath
from typing import Any

from .. import forked
from ..diagnostics import Problem, printable
from ..i18n import _
from ..load.fastyaml import fast_load
from ..load.files import MAX_BYTES, Unreadable, inside, lexically_inside, read_stamped
from ..load.yamlsafe import load_bytes
from ..planfile.plan import Plan
from .cache import (
    Entry,
    FirstBase,
    FirstParts,
    RecordCache,
    Snapshot,
    Stat,
    exact_bytes,
    file_stat,
    kept,
    part_bytes,
    racy,
    stale_by_day,
    stat_of,
)
from .model import Record
from .pii import may_hold_pii, none_may_hold_pii
from .validate import Validator, comment_pii, cross_check

SUFFIXES = (".yaml", ".yml")
PARALLEL_FROM = 1500  # below this many files one process is faster than forking workers
# … and than spawning them (Windows, macOS), each importing dc anew: measured on 2 cores,
# spawned workers broke even with one process at 10,000 files (0.58 s against 0.56 s) and
# were 13 % faster at 100,000; forked ones were 30 % faster at 10,000
SPAWNED_FROM = 10_000
CHUNK_FILES = 25_000  # files at most in one task of a loading worker: what a task gives is
# pickled back whole, and held here as bytes while it is unpickled (~11 MB for 25,000 records)
SMALLEST_PART = 2000  # files at least in one task (but the last)
OWN_EXTRA = 3  # per cent of a share this process reads beyond the workers' (see _parallel)
OWN_SLICE = 5000  # files this process reads between taking the workers' finished tasks
START_METHOD: str | None = None  # None: the platform's default; tests force "spawn"
NAME_LIMIT = 4096  # a file name is shown whole (escaped), however long: it is a real path


@dataclass
class RecordSet:
    """The outcome of reading a records folder: valid records and every problem found."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    # when a record cache was used: the folder as read, and the stamp of each record's file
    # (in the order of ``records``; ``None`` where not stamped, or changed just now)
    seen: Seen | None = None
    stamps: list[Stat | None] | None = None


def is_record_name(name: str) -> bool:
    """Whether a file of this name is a record file: ``.yaml`` or ``.yml``, in any case
    (``活动.YAML``, as some Windows programs save it)."""
    return name.endswith(SUFFIXES) or name.lower().endswith(SUFFIXES)


def discover(records_dir: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` at any depth, in a stable order; hidden folders skipped.

    Nothing is opened or followed: a symlinked folder is not entered, and an entry named
    ``*.yaml`` that is not a regular file (a symlink, a FIFO, a device, a folder) is listed
    all the same, for :func:`~.files.read_limited` to refuse with its own problem.  A real
    folder named ``*.yaml`` is listed *and* entered.
    """
    return [Path(name) for name in _discover_names(records_dir)]


def _discover_names(records_dir: Path) -> list[str]:
    """:func:`discover` as path strings (``records_dir`` joined with the names below it):
    100,000 :class:`Path` objects cost more than listing the folders."""
    return _walk(records_dir, None)


def _walk(records_dir: Path, stats: list[Stat | None] | None) -> list[str]:
    """The record files below ``records_dir`` in :func:`discover`'s order; with ``stats``,
    each one's stamp (:func:`~.cache.file_stat`) is appended to it as it is listed.

    Stamping is a system call a file (0.3 s for 100,000 files): in a big folder, where a
    child can be forked (:mod:`..forked`), it stamps the second half of the top folder's
    subfolders meanwhile and sends back their names and stamps (:mod:`marshal`: 8 ms to
    write and 7 ms to read for 50,000).  How big is judged by the first subfolder, walked
    first.  Only names, without stamps, are not worth sending: listing them costs what
    sending does."""
    found: list[str] = []
    if not records_dir.is_dir():
        return found
    folders = _list_folder(records_dir, found, stats)
    if stats is None or len(folders) < 3:
        _walk_below(folders, found, stats)
        return found
    _walk_below(folders[:1], found, stats)  # the first subfolder: how big they are
    rest = folders[1:]
    half = len(rest) // 2
    child = forked.fork(lambda: _stamped_below(rest[half:])) \
        if len(found) * len(folders) >= SPLIT_SCAN_FROM else None
    if child is None:
        _walk_below(rest, found, stats)
        return found
    _walk_below(rest[:half], found, stats)
    got = _from_child(child.result())
    if got is None:  # the child failed: its folders are walked here
        _walk_below(rest[half:], found, stats)
    else:
        found += got[0]
        stats += got[1]
    return found


SPLIT_SCAN_FROM = 5000  # files (as the first subfolder suggests) worth a child stamping half


def _walk_below(folders: Sequence[str | Path], found: list[str],
                stats: list[Stat | None] | None) -> None:
    """:func:`_walk` of ``folders`` (in order), each as deep as it goes."""
    pending = list(reversed(folders))
    while pending:
        below = _list_folder(pending.pop(), found, stats)
        pending.extend(reversed(below))  # depth first, in name order, files before folders


def _stamped_below(folders: Sequence[str | Path]) -> bytes:
    """In a forked child: the record files below ``folders`` and their stamps, as bytes."""
    found: list[str] = []
    stats: list[Stat | None] = []
    _walk_below(folders, found, stats)
    return marshal.dumps((found, stats))


def _from_child(data: bytes | None) -> tuple[list[str], list[Stat | None]] | None:
    """What :func:`_stamped_below` sent, or ``None`` when the child failed."""
    if data is None:
        return None
    try:
        names, stats = marshal.loads(data)  # our own child's bytes
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(names, list) or not isinstance(stats, list) or len(names) != len(stats):
        return None
    return names, stats


def _list_folder(folder: str | Path, found: list[str], stats: list[Stat | None] | None
                 ) -> list[str]:
    """One folder of :func:`_walk`: its record files appended to ``found`` (a real folder
    named ``*.yaml`` too, to be refused when read) and stamped into ``stats``; the
    subfolders to enter (not hidden ones, nor symlinks), in name order.

    Stamped where the platform can (not on Windows) through one open handle of the folder
    (``fstatat``), not by each whole path: a third faster."""
    at_folder = stats is not None and _AT_FOLDER
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) \
            if at_folder else None
    except OSError:
        return []  # a folder that cannot be listed holds nothing we can read
    try:
        with os.scandir(folder if handle is None else handle) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        # entry.path is the bare name when listed through a handle (POSIX: joined by "/")
        prefix = "" if handle is None else os.fspath(folder).rstrip("/") + "/"
        folders: list[str] = []
        for entry in entries:
            name = entry.name
            try:
                real_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                real_folder = False
            if real_folder and not name.startswith(".") and not _reparse_point(entry):
                folders.append(prefix + entry.path)
            if is_record_name(name):
                found.append(prefix + entry.path)
                if stats is not None:
                    stats.append(_stamp(entry) if handle is not None else file_stat(found[-1]))
        return folders
    except OSError:
        return []
    finally:
        if handle is not None:
            os.close(handle)


def _reparse_point(entry: os.DirEntry[str]) -> bool:
    """A Windows junction (or another reparse point): a folder that leads elsewhere, like a
    symlink, but ``is_dir(follow_symlinks=False)`` says it is a folder.  Not entered."""
    if os.name != "nt":
        return False
    try:
        attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    except OSError:
        return True  # a folder that cannot even be looked at is not entered
    return bool(attributes & getattr(filemode, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400))


def _stamp(entry: os.DirEntry[str]) -> Stat | None:
    """:func:`~.cache.file_stat` of an entry listed through its folder's handle."""
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    return stat_of(info) if filemode.S_ISREG(info.st_mode) else None


_AT_FOLDER = os.scandir in os.supports_fd and os.stat in os.supports_dir_fd


@dataclass(frozen=True)
class Scan:
    """What a records folder holds as :func:`scan` found it (or a first read of every file,
    :func:`_load_cached`): every record file's name (as :func:`discover` orders them) and
    its stamp (:func:`~.cache.file_stat`, or the ``fstat`` of its read; ``None`` for what
    is not a regular file), and the moment they were looked at."""

    names: list[str]
    stats: list[Stat | None]
    looked: int  # time.time_ns() before the first stat

    @cached_property
    def settled(self) -> bool:
        """No file changed so recently that a further edit in the same clock tick could
        keep its stamp (:func:`~.cache.racy`)."""
        return not any(stamp is not None and racy(stamp, self.looked) for stamp in self.stats)

    @cached_property
    def seen(self) -> Seen:
        """What is kept of this scan once the records are read (see :class:`Seen`)."""
        digest = hashlib.blake2b(digest_size=32)
        names, stats = self.names, self.stats
        for start in range(0, len(names), _SLICE):  # never a whole copy of a million names
            digest.update(exact_bytes((names[start:start + _SLICE], stats[start:start + _SLICE])))
        return Seen(self.settled, digest.digest())


_SLICE = 10_000  # names hashed together by Scan.seen


@dataclass(frozen=True)
class Seen:
    """What a check keeps of a :class:`Scan`, so that a million names need not stay in
    memory while rules are evaluated: whether it was :attr:`~Scan.settled`, and a digest of
    every name and stamp in order (what the memo of whole outcomes is keyed on)."""

    settled: bool
    digest: bytes


def scan(records_dir: Path) -> Scan:
    """The record files of ``records_dir`` and their stamps: what the record cache and the
    memo of whole outcomes are keyed on (read once per check, by whichever asks first)."""
    looked = time.time_ns()  # before any stat: an mtime after it may yet change unseen
    stats: list[Stat | None] = []
    return Scan(_walk(records_dir, stats), stats, looked)


def _below(path: PurePath, folder: PurePath) -> str | None:
    """``path`` relative to ``folder`` as a POSIX string, or None (string ops: this is hot)."""
    return _cut(path.as_posix(), _prefix(folder))


def _prefix(folder: PurePath) -> str:
    return folder.as_posix().rstrip("/") + "/"


def _cut(text: str, prefix: str) -> str | None:
    """``text`` (a POSIX path) below the folder whose :func:`_prefix` is ``prefix``, or None."""
    if prefix == "./":
        return text[2:] if text.startswith("./") else text
    return text[len(prefix):] if text.startswith(prefix) else None


def _shown(path: PurePath, root: PurePath) -> str:
    """The name a problem or record shows: below the root, control characters escaped."""
    return _printable_name(_below(path, root) or path.as_posix())


def default_id(path: PurePath, records_dir: PurePath) -> str:
    """The id of a record file that names none: its path below ``records/``, no suffix."""
    return _id_of(_below(path, records_dir) or path.name)


def _printable_name(text: str) -> str:
    return text if text.isprintable() else printable(text, NAME_LIMIT)


def _id_of(rel: str) -> str:
    """A default record id from a file's path below ``records/`` (or its name)."""
    return _printable_name(rel.rsplit(".", 1)[0])


@dataclass(frozen=True)
class _Where:
    """Where a batch of files lives: what names are shown against, what reads must stay in."""

    root: Path  # names are shown relative to this
    records_dir: Path  # default record ids are paths relative to this
    fence: Path | None  # no file (nor symlink target) outside it is read
    strict: bool = False  # resolve each whole path (files named by a person)


# What one file gave: its stamp (as read with ``stamped``, or as scanned; ``None`` for a file
# not read or reached through a symlink), its record (or ``None``) and its problems.  The same
# tuple is the file's entry in the record cache (:data:`~.cache.Entry`): one object a file.
Outcome = tuple[Stat | None, Record | None, tuple[Problem, ...]]


def _read_each(paths: Iterable[str | Path], where: _Where, validator: Validator,
               stamped: bool = False) -> list[Outcome]:
    """Each file's :data:`Outcome`, in the order of ``paths``; ``stamped``: with the stamp
    of the file as read (:func:`~..load.files.read_stamped`).

    Files are read :data:`GROUP` at a time, and each group's bytes are looked at for
    resident data in one pass (:func:`~.pii.none_may_hold_pii`): most groups hold none, and
    their files then skip that look of their own."""
    outcomes: list[Outcome] = []
    names = _Names(where)
    group: list[tuple[str, str, bytes, Stat | None] | Outcome] = []
    small: list[bytes] = []  # the bytes of the group's files
    for path in paths:
        shown, record_id = names.of(path)
        try:
            data, info = read_stamped(path, where.fence, MAX_BYTES, strict=where.strict)
        except Unreadable as bad:
            group.append((None, None, (Problem(shown, 0, 0, bad.code, bad.message,
                                               expected=bad.expected),)))
            continue
        group.append((shown, record_id, data,
                      stat_of(info) if stamped and info is not None else None))
        small.append(data)
        if len(small) == GROUP or len(data) > GROUP_BYTES:
            _validate_group(group, small, validator, outcomes)
    _validate_group(group, small, validator, outcomes)
    return outcomes


GROUP = 64  # files read, then prefiltered for resident data, together (see _read_each)
GROUP_BYTES = 4096  # a bigger file ends its group: at most ~GROUP_BYTES × GROUP + MAX_BYTES
# are joined


def _validate_group(group: list[tuple[str, str, bytes, Stat | None] | Outcome],
                    data: list[bytes], validator: Validator, outcomes: list[Outcome]) -> None:
    """The outcomes of a group of files read (a file that could not be read is one
    already), appended to ``outcomes`` in order; ``group`` and ``data`` are emptied."""
    scan_pii = None if len(data) < 2 or not none_may_hold_pii(data) else False
    for item in group:
        if len(item) == 3:  # an outcome already: the file could not be read
            outcomes.append(item)  # type: ignore[arg-type]
            continue
        shown, record_id, text, stamp = item  # type: ignore[misc]
        # the record counts even when ``found`` holds warnings; none: the one empty tuple
        # (a million empty lists, and their pickling back from a worker, cost memory)
        record, found = validate_bytes(validator, text, shown, record_id, scan_pii=scan_pii)
        outcomes.append((stamp, record, tuple(found) if found else ()))
    group.clear()
    data.clear()


class _Names:
    """:func:`_shown` and :func:`default_id` for every file of one batch, with the two
    folders' prefixes worked out once and each name handled as a string (100,000
    :class:`Path` objects cost more than reading the files' names)."""

    def __init__(self, where: _Where) -> None:
        self.root, self.records_dir = where.root, where.records_dir
        self.root_prefix = _prefix(where.root)
        self.records_prefix = _prefix(where.records_dir)

    def of(self, path: str | Path) -> tuple[str, str]:
        """The name shown for ``path`` and the id its record gets when it names none."""
        if not isinstance(path, str) or "/./" in path or path.startswith("./") \
                or (os.sep != "/" and "/" in path):
            path = Path(path)  # anything unusual: the careful way
            return _shown(path, self.root), default_id(path, self.records_dir)
        text = path if os.sep == "/" else path.replace(os.sep, "/")
        shown = _cut(text, self.root_prefix)
        rel = _cut(text, self.records_prefix)
        return (_printable_name(text if shown is None else shown),
                _id_of(text.rsplit("/", 1)[-1] if rel is None else rel))


def _flatten(outcomes: Iterable[Outcome]) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    for _stat, record, found in outcomes:
        problems.extend(found)
        if record is not None:
            records.append(record)
    return records, problems


def _load_files(paths: Iterable[Path], where: _Where, validator: Validator
                ) -> tuple[list[Record], list[Problem]]:
    return _flatten(_read_each(paths, where, validator))


def validate_bytes(validator: Validator, data: bytes, shown: str, default_id: str, *,
                   scan_pii: bool | None = None) -> tuple[Record | None, list[Problem]]:
    """One record file's bytes → the record (with its warnings) or the problems keeping it
    out: what ``dc check`` does with every file, for a file not written yet too.

    A plain, valid file takes the fast parse (:func:`~..load.fastyaml.fast_load`, no node
    tree); a file it refuses, or whose record has any problem or warning, is parsed again
    by libyaml and validated with the node tree, so every problem is placed as always.
    ``scan_pii=False``: the bytes are known not to hold resident data (else they are
    looked at here)."""
    if scan_pii is None:
        scan_pii = may_hold_pii(data)
    fast = fast_load(data)
    if fast is not None:
        record, problems = validator.validate(fast.value, None, shown, default_id,
                                              scan_pii=scan_pii, key_lines=fast.key_lines)
        if not problems:
            return _commented(data, shown, default_id, record, problems, scan_pii)
    loaded = load_bytes(data, shown)
    if loaded.problem:
        return None, [loaded.problem]
    record, problems = validator.validate(loaded.value, loaded.node, shown, default_id,
                                          scan_pii=scan_pii)
    return _commented(data, shown, default_id, record, problems, scan_pii)


def _commented(data: bytes, shown: str, default_id: str, record: Record | None,
               problems: list[Problem], scan_pii: bool) -> tuple[Record | None, list[Problem]]:
    """The outcome of one file, kept out when a comment holds resident data (unless a
    field does too: that is reported already)."""
    if not scan_pii or any(p.code == "pii" for p in problems):
        return record, problems
    found = comment_pii(data, shown, default_id)
    if not found:
        return record, problems
    return None, sorted([*problems, *found], key=lambda p: (p.line, p.column))


def _fence(records_dir: Path, root: Path) -> tuple[Path | None, Problem | None]:
    """The folder no record may be read from outside of, or the problem with the folder.

    Normally the repository root.  A ``--records`` folder elsewhere is its own fence; a
    ``records/`` inside the repository that is a symlink to elsewhere is refused whole.
    """
    if inside(records_dir, root):
        return root, None
    if lexically_inside(records_dir, root):
        return None, Problem(_shown(records_dir, root), 0, 0, "outside-repo",
                             _("the records folder is a symbolic link to a place outside the "
                               "repository; it is not read"),
                             expected=_("a real folder inside the repository"))
    return records_dir, None


def load_records(plan: Plan, records_dir: Path, root: Path,
                 files: Sequence[Path] | None = None, workers: int | None = None,
                 cache: RecordCache | None = None, scanned: Scan | None = None) -> RecordSet:
    """Load and validate ``files`` (default: everything under ``records_dir``).

    ``cache`` (for the whole folder only; see :mod:`.cache`): reuse what unchanged files
    gave last time and validate only the others; the result is the same as without it.
    ``scanned``: the folder's :func:`scan`, when the caller has made it already.
    """
    validator = Validator(plan)
    where = _Where(root, records_dir, None, strict=True)
    if files is None:
        fence, refused = _fence(records_dir, root)
        if refused is not None:
            return RecordSet(problems=[refused], files=0)
        where = _Where(root, records_dir, fence)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    seen: Seen | None = None  # with the cache: the folder as read …
    outcomes: list[Outcome] = []  # … what each file gave …
    looked: int | None = None  # … and when the folder was looked at
    with collector_paused():
        if files is not None:
            records, problems = _load_named(list(files), where, validator)
            count = len(files)
        elif cache is not None:
            outcomes, scanned = _load_cached(records_dir, scanned, where, validator, workers,
                                             cache)
            records, problems = _flatten(outcomes)
            count = len(scanned.names)
            seen, looked = scanned.seen, scanned.looked
        else:
            names = _discover_names(records_dir)
            records, problems = _flatten(_read_all(names, where, validator, workers))
            count = len(names)
    # With only some files given (``dc validate``), a reference may point at a record that
    # was not read: references are then left to ``dc check``, which reads everything.
    records, more = cross_check(plan, records, references=files is None)
    problems.extend(more)
    problems.sort(key=lambda p: (p.file, p.line, p.column))
    return RecordSet(records=records, problems=problems, files=count, seen=seen,
                     stamps=_stamps(outcomes, records, looked, seen is not None and seen.settled))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while long-lived values are built (records, results):
    each collection would walk them all again, and building them makes no garbage cycles
    worth collecting mid-way; reference counting still frees the rest.

    On resuming, what was made meanwhile goes straight to the oldest generation (a freeze
    and thaw, both O(1)): the youngest one would otherwise hold every object made while
    paused, and the first collection after it would walk them all (0.1 s for 100,000
    records)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:  # a thaw would release what a host froze
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _stamps(outcomes: Iterable[Outcome], records: Sequence[Record], looked: int | None,
            settled: bool = False) -> list[Stat | None] | None:
    """The stamp of each of ``records`` — those of ``outcomes``, in their order, less any
    that :func:`cross_check` kept out — from its outcome; ``None`` for one changed within
    the clock tick before ``looked`` (:func:`~.cache.kept`): its unit's results are then
    never taken from the memo, as a second edit in the same tick could keep the stamp.
    ``settled``: the folder was :attr:`Scan.settled`, no file changed so recently."""
    if looked is None:
        return None
    following_records = iter(records)
    following = next(following_records, None)
    stamps: list[Stat | None] = []
    for stamp, record, _found in outcomes:
        if record is not None and record is following:
            stamps.append(stamp if settled or kept(stamp, looked) else None)
            following = next(following_records, None)
    return stamps


def _read_all(paths: Sequence[str | Path], where: _Where, validator: Validator, workers: int,
              stamped: bool = False, first: _First | None = None) -> list[Outcome]:
    """Every file's outcome (``stamped``: with its stamp as read): on several processes for
    many files, else here.  ``first``: the record cache's new base is written from them."""
    if workers > 1 and len(paths) >= _parallel_from():
        return _parallel(paths, where, validator, workers, stamped, first)
    return _read_here(paths, where, validator, stamped, first)


def _load_cached(records_dir: Path, scanned: Scan | None, where: _Where, validator: Validator,
                 workers: int, cache: RecordCache) -> tuple[list[Outcome], Scan]:
    """Outcomes from the cache where a file is unchanged, fresh ones for the rest, and the
    folder's :class:`Scan`; the cache file is rewritten when anything was validated or a
    file went away.  Entries are keyed by the path as discovered (the cache's key covers how
    the folder is spelled).

    With nothing cached (the first run, or one after dc or the plan changed) every file is
    read anyway, and its stamp is the ``fstat`` of the file read: no ``lstat`` of its own."""
    snapshot = cache.load()
    if snapshot is None and scanned is None:
        names = _discover_names(records_dir)
        looked = time.time_ns()  # as in scan(): before the first file is looked at
        done = _read_all(names, where, validator, workers, stamped=True,
                         first=_First(cache, looked))
        return done, Scan(names, [stamp for stamp, _record, _found in done], looked)
    scanned = scanned or scan(records_dir)
    old = snapshot.entries if snapshot is not None else {}
    then, today = (snapshot.today if snapshot is not None else validator.today), validator.today
    names, stats = scanned.names, scanned.stats
    outcomes: list[Outcome | None] = [None] * len(names)
    missing: list[int] = []
    same_day, get = then == today, old.get
    for i, (name, now) in enumerate(zip(names, stats, strict=True)):
        hit = get(name) if now is not None else None
        if hit is not None and hit[0] == now and (
                same_day or not stale_by_day(hit[1], then, today)):
            outcomes[i] = hit
        else:
            missing.append(i)
    fresh = _read_all([names[i] for i in missing], where, validator, workers)
    for i, (_none, record, found) in zip(missing, fresh, strict=True):
        outcomes[i] = (stats[i], record, found)  # stamped as scanned: the cache's key
    done: list[Outcome] = outcomes  # type: ignore[assignment]  # every slot is filled
    if (snapshot is None and names) or missing or len(names) - len(missing) != len(old):
        cache.save(Snapshot(today, _entries(old, scanned, missing, done)),
                   changed=[names[i] for i in missing])
    return done, scanned


def _entries(old: dict[str, Entry], scanned: Scan, missing: Sequence[int],
             done: list[Outcome]) -> dict[str, Entry]:
    """The cache's entries after this load: the old ones (the same objects, so the cache
    writes only what differs), those of the files read again (unless changed within the
    clock tick, :func:`~.cache.racy`), none for a file gone."""
    names, stats = scanned.names, scanned.stats
    entries = dict(old)
    for i in missing:
        name, now = names[i], stats[i]
        if kept(now, scanned.looked):
            entries[name] = done[i]
        else:
            entries.pop(name, None)
    if len(entries) > len(names) - len(missing) + sum(1 for i in missing if names[i] in entries):
        here = set(names)  # some file went away since the cache was written
        entries = {name: entry for name, entry in entries.items() if name in here}
    return entries


def _load_named(paths: Sequence[Path], where: _Where, validator: Validator
                ) -> tuple[list[Record], list[Problem]]:
    """Files a person named (``dc validate FILE…``), one at a time, each fenced by the
    repository (or records folder) it is written inside of; a file named outside both is
    the person's own and is read as it is — still only if it is a regular file."""
    records: list[Record] = []
    problems: list[Problem] = []
    for path in paths:
        fence = next((base for base in (where.root, where.records_dir)
                      if lexically_inside(path, base)), None)
        recs, probs = _load_files([path], _Where(where.root, where.records_dir, fence,
                                                 strict=True), validator)
        records.extend(recs)
        problems.extend(probs)
    return records, problems


# ------------------------------------------------------------------ parallel loading
# The validator travels with the tasks, pickled once here and unpickled once per worker: not
# through an initializer, whose arguments are written to the start-up pipe of a spawned
# worker — a worker that dies while starting (its main module cannot be imported) then
# leaves that write blocked for ever, while the pool's own queue reports a dead worker.
_CACHED: tuple[int, Validator] | None = None  # (token, validator) in a worker


def _validator_from(token: int, blob: bytes) -> Validator:
    global _CACHED
    if _CACHED is None or _CACHED[0] != token:
        _CACHED = (token, pickle.loads(blob))  # our own bytes, from our parent
    return _CACHED[1]


def _load_chunk(token: int, blob: bytes, paths: Sequence[str], where: _Where, stamped: bool
                ) -> list[Outcome]:
    return _read_each(paths, where, _validator_from(token, blob), stamped)


def _context() -> BaseContext:
    return get_context(START_METHOD)


def _parallel_from() -> int:
    """How many files make workers worth starting, by how they start."""
    return PARALLEL_FROM if _context().get_start_method() == "fork" else SPAWNED_FROM


def _parts(paths: Sequence[str | Path], workers: int) -> list[Sequence[str | Path]]:
    """The workers' files in tasks that shrink as they go: each takes half of what is left
    divided among the workers, at least :data:`SMALLEST_PART` and at most
    :data:`CHUNK_FILES` files.  The last task's outcomes are unpickled here after every
    file is read, so it is small; the first ones are big, so there are few tasks."""
    parts: list[Sequence[str | Path]] = []
    start = 0
    while start < len(paths):
        left = len(paths) - start
        size = min(CHUNK_FILES, max(SMALLEST_PART, -(-left // (2 * workers))))
        parts.append(paths[start:start + size])
        start += size
    return parts


_TOKENS = itertools.count(1)
fallbacks = 0  # shares of the last parallel load read here because a worker failed (tests)
parallel_loads = 0  # loads that started workers (tests)


def _parallel(paths: Sequence[str | Path], where: _Where, validator: Validator, workers: int,
              stamped: bool = False, first: _First | None = None) -> list[Outcome]:
    """The main process reads one share itself while ``workers - 1`` processes read the rest.
    Results keep the files' order.  A worker that cannot start or dies (no process may be
    created, the plan does not pickle) costs time, not records: its share is read here.

    ``first`` (a first read of every file, the record cache's base to be written anew):
    each worker sends what its files gave as a part of the cache file, which is written as
    it comes and unpickled here for the records, so those records are pickled once, not
    again for the cache; the records read here go to the file after (:class:`FirstBase`)."""
    global fallbacks, parallel_loads
    fallbacks = 0
    parallel_loads += 1
    try:
        blob = pickle.dumps(validator, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a plan that does not pickle: one process reads everything
        fallbacks = 1
        return _read_here(paths, where, validator, stamped, first)
    token = (os.getpid() << 20) + next(_TOKENS)
    # this process's share: a little more than one worker's, as a worker also pickles what
    # it read (~4 µs a record, measured) and this process only unpickles it, meanwhile
    own = len(paths) * (100 + OWN_EXTRA) // (workers * 100 + OWN_EXTRA)
    rest = paths[own:]
    parts = _parts(rest, workers - 1)
    pending: list[Future[Any] | None] = [None] * len(parts)
    pool: ProcessPoolExecutor | None = None
    try:
        pool = ProcessPoolExecutor(max_workers=workers - 1, mp_context=_context())
        for i, part in enumerate(parts):
            names = [os.fspath(p) for p in part]
            pending[i] = pool.submit(_load_part, token, blob, names, where, first.looked) \
                if first else pool.submit(_load_chunk, token, blob, names, where, stamped)
    except Exception:  # no pool (no process can be created): the rest is read here
        pass
    mine = [os.fspath(p) for p in paths[:own]] if first else []
    writer = first.cache.first_base(validator.today, len(parts) + FirstParts.count(len(mine))) \
        if first else None
    later: list[dict[str, Entry]] = []  # parts of records read here, for the cache
    theirs: list[Outcome] = []  # what the workers' files gave, in order
    taken = 0  # the workers' tasks taken so far

    def take(task: int) -> None:
        """The outcomes of a worker's task (read here if the worker failed)."""
        global fallbacks
        part = parts[task]
        future, pending[task] = pending[task], None  # what it holds goes once taken
        try:
            if future is None:
                raise RuntimeError("not submitted")
            got = future.result()
            del future  # (its bytes: ~11 MB for 25,000 records)
            if writer is not None:
                got = _taken(got, len(part), writer)
        except Exception:  # a broken worker: read its share here
            fallbacks += 1
            got = _read_each(part, where, validator, stamped)
            if first is not None:
                later.append(_kept_part(part, got, first.looked)[0])
        theirs.extend(got)

    try:
        outcomes: list[Outcome] = []
        for start in range(0, own, OWN_SLICE):
            outcomes.extend(_read_each(paths[start:min(start + OWN_SLICE, own)], where,
                                       validator, stamped))
            # the tasks done meanwhile are taken now, not held until this share is read
            while taken < len(parts) and (done := pending[taken]) is not None and done.done():
                take(taken)
                taken += 1
        while taken < len(parts):
            take(taken)
            taken += 1
        outcomes.extend(theirs)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if writer is not None and first is not None:  # no thread of the pool left: a child may fork
        writer.finish(FirstParts(mine, outcomes[:own], first.looked), later,
                      len(mine) + sum(len(part) for part in later))
    return outcomes


@dataclass(frozen=True)
class _First:
    """A first read of every file, whose outcomes become the record cache's new base."""

    cache: RecordCache
    looked: int  # time.time_ns() before the first file was read (see scan)


def _read_here(paths: Sequence[str | Path], where: _Where, validator: Validator,
               stamped: bool, first: _First | None) -> list[Outcome]:
    """Every file read in this process (``first``: and the cache's new base written)."""
    outcomes = _read_each(paths, where, validator, stamped or first is not None)
    if first is not None and paths:
        first.cache.save_first(validator.today, [os.fspath(p) for p in paths], outcomes,
                               first.looked)
    return outcomes


def _load_part(token: int, blob: bytes, paths: Sequence[str], where: _Where, looked: int
               ) -> tuple[bytes, dict[int, Outcome]]:
    """A worker's task in a first read (:func:`_parallel` with ``first``): the outcomes the
    cache may keep, as the bytes of a part of its base file, and the others (a file changed
    just now, or not read) by their place in ``paths``."""
    outcomes = _read_each(paths, where, _validator_from(token, blob), stamped=True)
    entries, others = _kept_part(paths, outcomes, looked)
    return part_bytes(entries), others


def _kept_part(paths: Sequence[str | Path], outcomes: Sequence[Outcome], looked: int
               ) -> tuple[dict[str, Outcome], dict[int, Outcome]]:
    """The outcomes of ``paths`` the cache keeps (:func:`~.cache.kept`), by name, and the
    others by their place."""
    entries: dict[str, Outcome] = {}
    others: dict[int, Outcome] = {}
    for i, (path, outcome) in enumerate(zip(paths, outcomes, strict=True)):
        if kept(outcome[0], looked):
            entries[os.fspath(path)] = outcome
        else:
            others[i] = outcome
    return entries, others


def _taken(got: tuple[bytes, dict[int, Outcome]], count: int, writer: FirstBase
           ) -> list[Outcome]:
    """The outcomes of the ``count`` files of a worker's task (:func:`_load_part`), in
    their order; the task's part written to the cache."""
    data, others = got
    entries: dict[str, Outcome] = pickle.loads(data)  # our own worker's bytes
    writer.add_bytes(data)
    if not others:
        return list(entries.values())
    kept_ones = iter(entries.values())
    return [others[i] if i in others else next(kept_ones) for i in range(count)]
