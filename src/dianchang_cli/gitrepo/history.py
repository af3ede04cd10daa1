"""Git as evidence in ``dc check``: first-commit facts, commit days and 补录 (late entry).

:func:`start` launches the one ``git log`` pass in the background before the records are
read; :func:`collect` joins its answer to the loaded records (by file) and derives:

- ``days``: record id → the day its file was first committed, for deadlines written
  ``due: {…, basis: commit}``;
- ``late``: a ``late-entry`` *warning* for every dated event or document committed more
  than ``settings.late_entry_days`` after its ``date`` (registries are skipped: their
  ``date`` is when a standing thing was set up, often long before the repository);
- ``notes``: at most one note about missing facts (no git, a shallow clone) and one about
  records a ``basis: commit`` deadline counted by their own date because they are not
  committed yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core import Repo
from ..diagnostics import Problem
from ..i18n import _
from ..planfile.plan import Plan
from ..records.model import Record
from .git import NOT_A_REPOSITORY, NOT_INSTALLED, FirstCommit, PendingHistory, is_shallow

if TYPE_CHECKING:
    from ..engine.results import Result

LATE_ENTRY = "late-entry"


@dataclass
class Pending:
    """The background history pass of one repository."""

    repo: Repo
    history: PendingHistory


def start(repo: Repo) -> Pending:
    """Begin reading the records' history (one ``git log``) while records load."""
    where = repo.records_dir if repo.records_dir.is_dir() else repo.root
    return Pending(repo, PendingHistory(where, ["."]))


def cancel(pending: Pending) -> None:
    pending.history.cancel()


@dataclass
class CommitFacts:
    """What the history says about the loaded records."""

    available: bool  # False: no git, not a repository, or a shallow clone
    commits: dict[str, FirstCommit] = field(default_factory=dict)  # record id → first commit
    late: list[Problem] = field(default_factory=list)
    note: str | None = None  # why the facts are missing, when they are

    @property
    def days(self) -> dict[str, dt.date] | None:
        """record id → commit day, or ``None`` when git could not tell."""
        if not self.available:
            return None
        return {rid: fc.day for rid, fc in self.commits.items()}


def collect(pending: Pending, plan: Plan, records: Sequence[Record]) -> CommitFacts:
    """Wait for the history pass and join it to ``records``."""
    by_path = pending.history.result()
    if by_path is None:
        why = pending.history.why
        if why is None or why[0] in (NOT_INSTALLED, NOT_A_REPOSITORY):
            return CommitFacts(False, note=_(
                "no git history (git missing or not a repository): commit, dirty flag, commit "
                "days and late-entry (补录) checks are not available; deadlines with "
                "`basis: commit` count each record's own date"))
        return CommitFacts(False, note=_(
            "git cannot be used here ({why}): commit times are unavailable, so the commit, "
            "dirty flag, commit days and late-entry (补录) checks are not available; deadlines "
            "with `basis: commit` count each record's own date").format(why=why[1]))
    if by_path and is_shallow(pending.history.root):
        return CommitFacts(False, note=_(
            "shallow clone: the history is incomplete, so commit days and late-entry (补录) "
            "checks are skipped; fetch the full history (fetch-depth: 0 / GIT_DEPTH: 0)"))
    prefix = pending.repo.shown_prefix
    cut = len(prefix)
    commits: dict[str, FirstCommit] = {}
    for rec in records:
        if rec.file.startswith(prefix):
            fc = by_path.get(rec.file[cut:])
            if fc is not None:
                commits[rec.id] = fc
    return CommitFacts(True, commits, late_entries(plan, records, commits))


def late_entries(plan: Plan, records: Sequence[Record], commits: dict[str, FirstCommit]
                 ) -> list[Problem]:
    """补录: records first committed more than ``late_entry_days`` after their date."""
    limit = plan.settings.late_entry_days
    if limit is None:
        return []
    out: list[Problem] = []
    for rec in records:
        fc = commits.get(rec.id)
        rtype = plan.types.get(rec.type)
        if fc is None or rec.date is None or rtype is None or rtype.kind == "registry":
            continue
        days = (fc.day - rec.date).days
        if days > limit:
            out.append(Problem(
                rec.file, rec.line_of(("date",)), 1, LATE_ENTRY,
                _("late entry (补录): dated {date} but first committed on {committed} "
                  "(commit {sha} by {email}), {days} days later").format(
                    date=rec.date.isoformat(), committed=fc.day.isoformat(),
                    sha=fc.sha[:10], email=fc.email, days=days),
                severity="warning", record=rec.id,
                expected=_("a record committed within {limit} days of its date").format(
                    limit=limit)))
    return out


def uncommitted_note(plan: Plan, facts: CommitFacts, results: Sequence[Result]) -> str | None:
    """One note when ``basis: commit`` deadlines counted uncommitted records by their date."""
    if not facts.available:
        return None  # the no-git note already says so
    rules = {r.id for r in plan.rules if r.due is not None and r.due.basis == "commit"}
    if not rules:
        return None
    missing = {rid for res in results if res.rule in rules for rid in res.records
               if rid not in facts.commits}
    if not missing:
        return None
    return _("{n} records counted by deadlines with `basis: commit` are not committed yet; "
             "their own date was used").format(n=len(missing))

