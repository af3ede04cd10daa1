"""Who wrote what: ``dc audit`` findings, against who may (:mod:`.codeowners` writes that down).

A unit's records may be written by the ``git:`` identities (emails) that ``units.yaml``
lists for staff of that unit, of any unit above it (a branch's community), or of the
subdistrict.  :func:`audit` reads the history in one ``git log --name-status`` pass and
reports every commit that added, changed or deleted a record of a unit by an author email
not allowed for it, one finding per commit and unit.

Which unit a file belongs to: the ``unit:`` of the file as it is *now* when it still
exists (cheap, one read per file, and what ``dc check`` judges), else the path convention
``records/<unit>/…`` (its first folder below ``records/``); a deleted file at the top of
``records/`` has no unit, and only subdistrict staff may touch it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import Repo
from ..load.yamlsafe import load_bytes
from ..planfile.plan import Plan
from ..records.batch import is_record_name
from .git import log

NO_UNIT = "?"


@dataclass(frozen=True, slots=True)
class Finding:
    """A commit that touched a unit's records by an identity not listed for that unit."""

    commit: str
    time: dt.datetime
    email: str
    name: str
    unit: str
    files: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"commit": self.commit, "date": self.time.isoformat(), "author": self.email,
                "name": self.name, "unit": self.unit, "files": list(self.files)}


def dedupe(emails: Iterable[str]) -> list[str]:
    """``emails`` without repeats (compared casefolded), first spelling kept, in order."""
    seen: set[str] = set()
    out: list[str] = []
    for e in emails:
        if e.casefold() not in seen:
            seen.add(e.casefold())
            out.append(e)
    return out


def identities(plan: Plan) -> dict[str, list[str]]:
    """unit id → the ``git:`` identities its own staff list, in units.yaml order."""
    out: dict[str, list[str]] = {u: [] for u in plan.units}
    for s in plan.staff.values():
        out.setdefault(s.unit, []).extend(s.git)
    return {u: dedupe(e) for u, e in out.items()}


def allowed(plan: Plan) -> dict[str, frozenset[str]]:
    """unit id (and :data:`NO_UNIT`) → casefolded emails allowed to write its records."""
    own = identities(plan)
    top = own.get(plan.subdistrict, [])
    out = {NO_UNIT: frozenset(e.casefold() for e in top)}
    for unit in plan.units:
        chain = [unit, *plan.ancestors(unit)]
        out[unit] = frozenset(e.casefold() for u in chain for e in own.get(u, [])) | out[NO_UNIT]
    return out


class UnitResolver:
    """record path (below ``records/``) → unit id, each file read at most once."""

    def __init__(self, plan: Plan, records_dir: Path) -> None:
        self.plan = plan
        self.records_dir = records_dir
        self._names = {u.name: u.id for u in plan.units.values()}
        self._cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        unit = self._cache.get(path)
        if unit is None:
            unit = self._from_file(path) or self._from_path(path)
            self._cache[path] = unit
        return unit

    def _from_file(self, path: str) -> str | None:
        try:
            data = (self.records_dir / path).read_bytes()
        except OSError:
            return None
        value = load_bytes(data, path).value
        unit = value.get("unit") if isinstance(value, dict) else None
        if not isinstance(unit, str) or not unit.strip():
            return None
        unit = unit.strip()
        return self._names.get(unit, unit)

    @staticmethod
    def _from_path(path: str) -> str:
        head, sep, _rest = path.partition("/")
        return head if sep else NO_UNIT


def audit(repo: Repo, plan: Plan, since: str | None = None) -> tuple[int, list[Finding]]:
    """(commits read, findings); raises :class:`~.git.GitError` when git cannot answer."""
    commits = log(repo.records_dir, ["."], since=since)
    may = allowed(plan)
    unit_of = UnitResolver(plan, repo.records_dir)
    prefix = repo.shown_prefix
    findings: list[Finding] = []
    for c in commits:
        by_unit: dict[str, list[str]] = {}
        for _status, path in c.changes:
            if is_record_name(path) and not any(p.startswith(".") for p in path.split("/")):
                by_unit.setdefault(unit_of(path), []).append(prefix + path)
        email = c.email.casefold()
        for unit, files in sorted(by_unit.items()):
            if email not in may.get(unit, may[NO_UNIT]):
                findings.append(Finding(c.sha, c.time, c.email, c.name, unit,
                                        tuple(sorted(set(files)))))
    return len(commits), findings
