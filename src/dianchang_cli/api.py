"""The library API: what the CLI calls and what tests call.

>>> outcome = check(Repo.at("."), as_of=date(2023, 12, 31))   # doctest: +SKIP
>>> outcome.summary()["unmet"]                                  # doctest: +SKIP

Every step returns values; a broken plan raises :class:`~.diagnostics.PlanError`, and a
request that names nothing (an unknown unit or rule, no records folder) raises
:class:`UsageError`: the two exceptions the CLI turns into exit status 2.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .core import Repo
from .diagnostics import Problem, printable
from .engine.evaluate import check_waivers, default_as_of, evaluate
from .engine.index import Index
from .engine.results import STATUSES, Result
from .engine.score import scores
from .gitrepo import history
from .gitrepo.changes import changed_record_files, narrow
from .gitrepo.changes import note as changes_note
from .gitrepo.git import FirstCommit, provenance
from .i18n import _
from .load.batch import RecordSet, load_records
from .planfile.loader import load_plan
from .planfile.plan import Plan
from .records.model import Record


class UsageError(Exception):
    """A request that cannot be answered as asked: ``--unit``/``--rule`` naming nothing the
    plan knows, or no records folder.  Its message is one sentence for the user."""


@dataclass
class Outcome:
    """Everything ``dc check`` knows: the plan, records, problems and results."""

    plan: Plan
    as_of: dt.date
    records: list[Record]
    problems: list[Problem]
    results: list[Result]
    files: int
    index: Index
    notes: list[str] = field(default_factory=list)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # unit → period → score
    provenance: dict[str, object] = field(default_factory=dict)  # git commit, dirty flag
    commits: dict[str, FirstCommit] = field(default_factory=dict)  # record id → first commit
    changed: set[str] | None = None  # --changed-since: the record files reported on
    day_open: bool = False  # no --as-of: the as-of day (today) is still running

    def summary(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.results)
        return {status: counts.get(status, 0) for status in STATUSES}

    def fails(self, fail_on: str = "unmet") -> bool:
        """Whether ``--fail-on fail_on`` makes the check exit 1."""
        if any(p.severity == "error" for p in self.problems):
            return True
        return any(r.fails(fail_on) for r in self.results)


def _known(ids: Collection[str]) -> str:
    return ", ".join(printable(i, 40) for i in ids)


def require_known(plan: Plan, units: Collection[str] | None = None,
                  rules: Collection[str] | None = None) -> None:
    """Raise :class:`UsageError` when a unit or rule asked for is not in the plan.

    A filter that names nothing would otherwise give an empty, all-clear answer.
    """
    unknown = [u for u in units or () if u not in plan.units]
    if unknown:
        raise UsageError(_("unknown unit {unit}; the plan's units are: {known}").format(
            unit=", ".join(f"'{printable(u, 60)}'" for u in unknown),
            known=_known(plan.units)))
    unknown = [r for r in rules or () if plan.rule(r) is None]
    if unknown:
        raise UsageError(_("unknown rule {rule}; the plan's rules are: {known} "
                           "(dc rules lists them with their names)").format(
            rule=", ".join(f"'{printable(r, 60)}'" for r in unknown),
            known=_known([r.id for r in plan.rules])))


def require_records(repo: Repo) -> None:
    """Raise :class:`UsageError` when the records folder is missing or not a folder.

    Checking a year against a folder that is not there would report every rule unmet.
    """
    where = printable(str(repo.records_dir))
    if not repo.records_dir.exists():
        raise UsageError(_("there is no records folder {path}; run dc in a records "
                           "repository or give --repo or --records").format(path=where))
    if not repo.records_dir.is_dir():
        raise UsageError(_("the records folder {path} is not a folder").format(path=where))


def load(repo: Repo, files: Sequence[Path] | None = None, workers: int | None = None
         ) -> tuple[Plan, RecordSet]:
    """Load the plan (raising PlanError if it is broken) and the records.

    Without ``files`` the whole records folder is read, so it must exist
    (:class:`UsageError` otherwise); with ``files`` only those are read.
    """
    plan = load_plan(repo.plan_dir, repo.root)
    if files is None:
        require_records(repo)
    return plan, load_records(plan, repo.records_dir, repo.root, files=files, workers=workers)


def check(repo: Repo, as_of: dt.date | None = None, units: Collection[str] | None = None,
          rules: Collection[str] | None = None, workers: int | None = None,
          changed_since: str | None = None) -> Outcome:
    """Load, validate, index and evaluate: the whole of ``dc check`` as a value.

    Git history (first commits: 补录 warnings, ``basis: commit`` deadlines) is read in the
    background while records load.  ``units`` and ``rules`` must name units and rules of
    the plan, and the records folder must exist (:class:`UsageError`).  ``changed_since``
    narrows the problems and results reported to the record files changed since that
    revision (:mod:`.gitrepo.changes`); a bad revision raises
    :class:`~.gitrepo.changes.RevisionError` (a :class:`PlanError`).

    ``as_of`` means the end of that day.  Without it the check is as of now: today (at
    most the plan year's last day), a day still running — a deadline due today is
    ``pending``, not ``unmet``, until the day is over.  Waivers that do not count are
    ``bad-waiver`` problems beside the records' own.
    """
    plan = load_plan(repo.plan_dir, repo.root)
    require_known(plan, units, rules)
    require_records(repo)
    changed = changed_record_files(repo, changed_since) if changed_since else None
    pending = history.start(repo)
    try:
        loaded = load_records(plan, repo.records_dir, repo.root, workers=workers)
    except BaseException:
        history.cancel(pending)
        raise
    today = dt.date.today()
    when = as_of or default_as_of(plan, today)
    day_open = as_of is None and when == today  # a day past the plan year is over
    facts = history.collect(pending, plan, loaded.records)
    index = Index(loaded.records)
    waivers = check_waivers(plan, index, when)
    results = evaluate(plan, loaded.records, when, units=units, rules=rules, index=index,
                       commit_days=facts.days, day_open=day_open, waivers=waivers.valid)
    problems = sorted([*loaded.problems, *facts.late, *waivers.problems],
                      key=lambda p: (p.file, p.line, p.column))
    outcome = Outcome(plan=plan, as_of=when, records=loaded.records, problems=problems,
                      results=results, files=loaded.files, index=index,
                      scores=scores(plan, results), provenance=provenance(repo.root),
                      commits=facts.commits, day_open=day_open)
    if facts.note:
        outcome.notes.append(facts.note)
    elif not outcome.provenance:
        outcome.notes.append(_("no git repository: commit and dirty flag are not known"))
    uncommitted = history.uncommitted_note(plan, facts, results)
    if uncommitted:
        outcome.notes.append(uncommitted)
    if changed_since and changed is not None:
        outcome.problems, outcome.results = narrow(plan, changed, loaded.records,
                                                   outcome.problems, results, when)
        outcome.changed = changed
        outcome.notes.append(changes_note(changed_since, changed, len(loaded.records)))
    return outcome


def validate_files(repo: Repo, files: Sequence[Path]) -> tuple[Plan, RecordSet]:
    """``dc validate``: only the given files, no rule evaluated; a waiver among them that
    cannot count (not approved from above, a period or unit that does not fit its rule) is
    a ``bad-waiver`` problem here too, so a pre-commit hook stops it."""
    plan, loaded = load(repo, files=files, workers=1)
    bad = check_waivers(plan, Index(loaded.records), plan.year_end).problems
    if bad:
        loaded.problems = sorted([*loaded.problems, *bad],
                                 key=lambda p: (p.file, p.line, p.column))
    return plan, loaded
