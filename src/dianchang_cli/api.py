"""The library API: what the CLI calls and what tests call.

>>> outcome = check(Repo.at("."), as_of=date(2023, 12, 31))   # doctest: +SKIP
>>> outcome.summary()["unmet"]                                  # doctest: +SKIP

The facade over the pipeline: :func:`check` is :func:`.pipeline.run` with git facts,
:class:`Outcome` lives in :mod:`.outcome`, :class:`Repo` in :mod:`.core`; they are
re-exported here, the names library users import.  Every step returns values; a broken
plan raises :class:`~.diagnostics.PlanError`, and a request that names nothing (an
unknown unit or rule, no records folder) raises :class:`UsageError`: the two exceptions
the CLI turns into exit status 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from pathlib import Path

from .core import Repo
from .engine.evaluate import check_waivers
from .engine.index import Index
from .engine.plancheck import load_plan
from .outcome import Outcome
from .pipeline import (
    UsageError,
    by_place,
    record_cache,
    require_known,
    require_records,
    run,
)
from .planfile.plan import Plan
from .records.batch import RecordSet, load_records

__all__ = ["Outcome", "Repo", "UsageError", "check", "load", "require_known",
           "require_records", "validate_files"]


def load(repo: Repo, files: Sequence[Path] | None = None, workers: int | None = None,
         cache: bool = True) -> tuple[Plan, RecordSet]:
    """Load the plan (raising PlanError if it is broken) and the records.

    Without ``files`` the whole records folder is read, so it must exist
    (:class:`UsageError` otherwise), through the record cache unless ``cache`` is
    ``False``; with ``files`` only those are read, never from the cache.
    """
    plan = load_plan(repo.plan_dir, repo.root)
    if files is None:
        require_records(repo)
    store = record_cache(repo, cache) if files is None else None
    return plan, load_records(plan, repo.records_dir, repo.root, files=files, workers=workers,
                              cache=store)


def check(repo: Repo, as_of: dt.date | None = None, units: Collection[str] | None = None,
          rules: Collection[str] | None = None, workers: int | None = None,
          changed_since: str | None = None, cache: bool = True) -> Outcome:
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
    ``bad-waiver`` problems beside the records' own.  ``cache=False`` bypasses the record
    cache (``.dc-cache/``): it is neither read nor written.
    """
    return run(repo, as_of=as_of, units=units, rules=rules, workers=workers,
               changed_since=changed_since, cache=cache)


def validate_files(repo: Repo, files: Sequence[Path]) -> tuple[Plan, RecordSet]:
    """``dc validate``: only the given files, no rule evaluated; a waiver among them that
    cannot count (not approved from above, a period or unit that does not fit its rule) is
    a ``bad-waiver`` problem here too, so a pre-commit hook stops it.

    The plan is loaded for records only: its conditions are compiled and checked, but not
    tried on example records (:func:`~.engine.plancheck.load_plan` ``examples=False``) —
    no rule is evaluated here, and ``dc check`` reports a condition that fails on records.
    """
    plan = load_plan(repo.plan_dir, repo.root, examples=False)
    loaded = load_records(plan, repo.records_dir, repo.root, files=files, workers=1)
    bad = check_waivers(plan, Index(loaded.records), plan.year_end).problems
    if bad:
        loaded.problems = by_place([*loaded.problems, *bad])
    return plan, loaded
