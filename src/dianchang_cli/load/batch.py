"""Read every record file once: discover, parse, validate — on both cores for big folders.

Each worker process parses *and validates* its share and sends back frozen records and
problems; sending raw YAML values back would cost more in pickling than the parse itself.
The garbage collector is paused during the bulk load (records are long-lived; collecting
mid-load only walks them again).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from ..diagnostics import Problem
from ..i18n import _
from ..planfile.plan import Plan
from ..records.model import Record
from ..records.pii import may_hold_pii
from ..records.validate import Validator, cross_check
from .yamlsafe import load_bytes

SUFFIXES = (".yaml", ".yml")
PARALLEL_FROM = 1500  # below this many files one process is faster than starting workers


@dataclass
class RecordSet:
    """The outcome of reading a records folder: valid records and every problem found."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


def discover(records_dir: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` at any depth, in a stable order; hidden folders skipped."""
    if not records_dir.is_dir():
        return []
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(records_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath, f) for f in sorted(filenames) if f.endswith(SUFFIXES))
    return found


def _below(path: Path, folder: Path) -> str | None:
    """``path`` relative to ``folder`` as a POSIX string, or None (string ops: this is hot)."""
    text, prefix = path.as_posix(), folder.as_posix().rstrip("/") + "/"
    if prefix == "./":
        return text[2:] if text.startswith("./") else text
    return text[len(prefix):] if text.startswith(prefix) else None


def _shown(path: Path, root: Path) -> str:
    return _below(path, root) or path.as_posix()


def _default_id(path: Path, records_dir: Path) -> str:
    rel = _below(path, records_dir) or path.name
    return rel.rsplit(".", 1)[0]


_VALIDATOR: Validator | None = None


def _load_chunk(args: tuple[Sequence[str], str, str]) -> tuple[list[Record], list[Problem]]:
    paths, root, records_dir = args
    assert _VALIDATOR is not None
    return _load_files([Path(p) for p in paths], Path(root), Path(records_dir), _VALIDATOR)


def _load_files(paths: Iterable[Path], root: Path, records_dir: Path, validator: Validator
                ) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    for path in paths:
        shown = _shown(path, root)
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(shown, 0, 0, "unreadable",
                                    _("the file cannot be read: {e}").format(e=exc.strerror)))
            continue
        loaded = load_bytes(data, shown)
        if loaded.problem:
            problems.append(loaded.problem)
            continue
        record, found = validator.validate(loaded.value, loaded.node, shown,
                                           _default_id(path, records_dir),
                                           scan_pii=may_hold_pii(data))
        problems.extend(found)
        if record is not None and not found:
            records.append(record)
    return records, problems


def load_records(plan: Plan, records_dir: Path, root: Path,
                 files: Sequence[Path] | None = None, workers: int | None = None) -> RecordSet:
    """Load and validate ``files`` (default: everything under ``records_dir``)."""
    paths = list(files) if files is not None else discover(records_dir)
    validator = Validator(plan)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if workers > 1 and len(paths) >= PARALLEL_FROM:
            records, problems = _parallel(paths, root, records_dir, validator, workers)
        else:
            records, problems = _load_files(paths, root, records_dir, validator)
    finally:
        if was_enabled:
            gc.enable()
    # With only some files given (``dc validate``), a reference may point at a record that
    # was not read: references are then left to ``dc check``, which reads everything.
    records, more = cross_check(plan, records, references=files is None)
    problems.extend(more)
    problems.sort(key=lambda p: (p.file, p.line, p.column))
    return RecordSet(records=records, problems=problems, files=len(paths))


def _parallel(paths: list[Path], root: Path, records_dir: Path, validator: Validator,
              workers: int) -> tuple[list[Record], list[Problem]]:
    """The main process reads one share itself while ``workers - 1`` forked processes read
    the rest (fork: the plan is shared, not pickled).  Results keep the files' order."""
    global _VALIDATOR
    _VALIDATOR = validator
    own = len(paths) // workers
    rest = paths[own:]
    chunks = (workers - 1) * 3
    size = max(1, (len(rest) + chunks - 1) // chunks)
    parts = [([str(p) for p in rest[i:i + size]], str(root), str(records_dir))
             for i in range(0, len(rest), size)]
    try:
        with ProcessPoolExecutor(max_workers=workers - 1, mp_context=get_context("fork")) as pool:
            pending = [pool.submit(_load_chunk, part) for part in parts]
            records, problems = _load_files(paths[:own], root, records_dir, validator)
            for future in pending:
                recs, probs = future.result()
                records.extend(recs)
                problems.extend(probs)
    finally:
        _VALIDATOR = None
    return records, problems
