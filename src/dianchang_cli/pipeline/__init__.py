"""The one pipeline: plan → records → (git facts) → index → evaluate → :class:`Outcome`.

:func:`run` is what ``dc check``, ``report``, ``rules``, ``ledger``, ``--changed-since``
and the plan's test cases (:mod:`.plan_tests`) all call; they differ only in what they
ask for (which rules, which units, whether git is read), never in how it is wired.

A broken plan raises :class:`~dianchang_cli.diagnostics.PlanError`; a request that names
nothing (an unknown unit or rule, no records folder) raises :class:`UsageError`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Sequence

from ..core import Repo
from ..diagnostics import Problem, printable
from ..engine.evaluate import check_waivers, default_as_of, evaluate
from ..engine.index import Index
from ..engine.plancheck import load_plan
from ..engine.results import Result
from ..engine.score import scores
from ..gitrepo import history
from ..gitrepo.changes import changed_record_files, narrow
from ..gitrepo.changes import note as changes_note
from ..gitrepo.git import is_shallow, provenance
from ..i18n import _
from ..outcome import Outcome
from ..planfile.plan import Plan, with_names
from ..records.batch import RecordSet, Scan, Seen, collector_paused, load_records, scan
from ..records.cache import RecordCache
from ..records.model import Record
from .memo import Kept, LoadedLater, MemoFile, WholeMemo


class UsageError(Exception):
    """A request that cannot be answered as asked: ``--unit``/``--rule`` naming nothing the
    plan knows, or no records folder.  Its message is one sentence for the user."""


def _known(ids: Collection[str]) -> str:
    return ", ".join(printable(i, 40) for i in ids)


def require_known(plan: Plan, units: Collection[str] | None = None,
                  rules: Collection[str] | None = None) -> list[str] | None:
    """The ids of ``units`` (each given by id or by name, :meth:`Plan.unit_id`); raise
    :class:`UsageError` when a unit or rule asked for is not in the plan.

    A filter that names nothing would otherwise give an empty, all-clear answer.
    """
    found = {u: plan.unit_id(u) for u in units or ()}
    unknown = [u for u, unit_id in found.items() if unit_id is None]
    if unknown:
        raise UsageError(_("unknown unit {unit}; the plan's units are: {known}").format(
            unit=", ".join(f"'{printable(u, 60)}'" for u in unknown),
            known=_known(with_names(plan.units.values()))))
    unknown = [r for r in rules or () if plan.rule(r) is None]
    if unknown:
        raise UsageError(_("unknown rule {rule}; the plan's rules are: {known} "
                           "(dc rules lists them with their names)").format(
            rule=", ".join(f"'{printable(r, 60)}'" for r in unknown),
            known=_known([r.id for r in plan.rules])))
    return None if units is None else [str(found[u]) for u in units]


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


def by_place(problems: Sequence[Problem]) -> list[Problem]:
    """Problems in the order they are shown: by file, line and column."""
    return sorted(problems, key=lambda p: (p.file, p.line, p.column))


def record_cache(repo: Repo, cache: bool) -> RecordCache | None:
    """The repository's record cache (:mod:`..records.cache`), or ``None`` without one."""
    return RecordCache.of(repo.root, repo.plan_dir, repo.records_dir) if cache else None


def _load(plan: Plan, repo: Repo, workers: int | None, git: bool,
          store: RecordCache | None, scanned: Scan | None = None
          ) -> tuple[RecordSet, history.CommitFacts | None]:
    """The records, and (with ``git``) the history read in the background meanwhile."""
    if not git:
        return load_records(plan, repo.records_dir, repo.root, workers=workers,
                            cache=store, scanned=scanned), None
    pending = history.start(repo)
    try:
        loaded = load_records(plan, repo.records_dir, repo.root, workers=workers, cache=store,
                              scanned=scanned)
    except BaseException:
        history.cancel(pending)
        raise
    return loaded, history.collect(pending, plan, loaded.records)


def _git_notes(repo: Repo, facts: history.CommitFacts, plan: Plan, results: Sequence[Result],
               prov: dict[str, object] | None = None) -> tuple[dict[str, object], list[str]]:
    """The commit and dirty flag (``prov`` when already asked), and the notes on what git
    could not tell."""
    if prov is None:
        prov = provenance(repo.root)
    notes: list[str] = []
    if facts.note:
        notes.append(facts.note)
    elif not prov:
        notes.append(_("no git repository: commit and dirty flag are not known"))
    uncommitted = history.uncommitted_note(plan, facts, results)
    if uncommitted:
        notes.append(uncommitted)
    return prov, notes


def run(repo: Repo, *, plan: Plan | None = None, as_of: dt.date | None = None,
        day_open: bool | None = None, units: Collection[str] | None = None,
        rules: Collection[str] | None = None, workers: int | None = None,
        git: bool = True, strict: bool = True, changed_since: str | None = None,
        cache: bool = True) -> Outcome:
    """Load, validate, index and evaluate: the whole of a check as one value, built once.

    ``plan``: an already loaded plan (else it is loaded from ``repo``).  ``as_of`` means
    the end of that day; without it the check is as of now (today, at most the plan
    year's last day), a day still running unless ``day_open`` says otherwise.  ``rules``
    ``()`` evaluates none (the records alone).  ``git``: read the history (commit days,
    补录, provenance) in the background while records load.  ``strict``: units, rules and
    the records folder asked for must exist (:class:`UsageError`).  ``changed_since``
    narrows what is reported to the record files changed since that revision
    (:mod:`..gitrepo.changes`; a bad revision raises a ``PlanError``).  ``cache``: reuse
    the records validated last time for unchanged files (``.dc-cache/``, see
    :mod:`..records.cache`); ``False`` neither reads nor writes it.  The outcome is the same.
    """
    with collector_paused():
        return _run(repo, plan, as_of, day_open, units, rules, workers, git, strict,
                    changed_since, cache)


def _run(repo: Repo, plan: Plan | None, as_of: dt.date | None, day_open: bool | None,
         units: Collection[str] | None, rules: Collection[str] | None, workers: int | None,
         git: bool, strict: bool, changed_since: str | None, cache: bool) -> Outcome:
    plan = plan or load_plan(repo.plan_dir, repo.root)
    if strict:
        units = require_known(plan, units, rules)
        require_records(repo)
    today = dt.date.today()
    when = as_of or default_as_of(plan, today)
    if day_open is None:
        day_open = as_of is None and when == today  # a day past the plan year is over
    store = record_cache(repo, cache)
    whole_run = rules is None and not units  # no filter: every rule for every unit
    memo = MemoFile.of(store, when, day_open) if store and whole_run else None
    keep_whole = memo is not None and not changed_since and repo.records_dir.is_dir()
    whole, scanned, seen, state = None, None, None, None
    if keep_whole and memo is not None and store is not None:
        state = _git_state(repo) if git else None
        # with no record cache to compare with, every file is read anyway, each stamped by
        # its own read (no stat pass first), and the whole outcome stored under those
        # stamps; a whole outcome kept without its record cache is not looked for
        if store.holds_base():
            scanned = scan(repo.records_dir)
            seen = scanned.seen
            whole = WholeMemo.of(memo, seen, state, today) \
                if seen.settled else None  # a file changed this very moment may change
            kept = whole.load() if whole is not None else None
            if kept is not None:
                return _from_memo(plan, repo, kept, when, day_open, state, workers, store)
    outcome, read = _evaluate(plan, repo, when, day_open, units, rules, workers, git,
                              changed_since, store, memo, scanned, state)
    if keep_whole and memo is not None and read is not None and read.settled \
            and outcome.files:  # no records folder: no cache
        if whole is None or read != seen:
            whole = WholeMemo.of(memo, read, state, today)
        whole.save(Kept(outcome.problems, outcome.results, outcome.scores, outcome.notes,
                        outcome.commits, outcome.waivers, outcome.files, len(outcome.records)))
    return outcome


def _git_state(repo: Repo) -> dict[str, object]:
    """What a whole outcome depends on in git: the commit checked out and the dirty flag
    (its provenance), and whether the clone is shallow (which hides commit days)."""
    return {**provenance(repo.root), SHALLOW: is_shallow(repo.root)}


SHALLOW = "shallow"  # the key of _git_state that is not part of the provenance


def _provenance(git_state: dict[str, object]) -> dict[str, object]:
    """The provenance part of :func:`_git_state`."""
    return {k: v for k, v in git_state.items() if k != SHALLOW}


def _from_memo(plan: Plan, repo: Repo, kept: Kept, when: dt.date, day_open: bool,
               git_state: dict[str, object] | None, workers: int | None, store: RecordCache
               ) -> Outcome:
    """The stored outcome, with the records read (from the record cache) only if asked;
    its provenance is the git state the memo was matched on."""
    def load() -> list[Record]:
        return load_records(plan, repo.records_dir, repo.root, workers=workers,
                            cache=store).records

    records = LoadedLater(kept.records, load)
    return Outcome(plan=plan, as_of=when, records=records, problems=kept.problems,
                   results=kept.results, files=kept.files, index=Index(records),
                   scores=kept.scores,
                   provenance=_provenance(git_state or {}),
                   commits=kept.commits, notes=kept.notes, day_open=day_open,
                   waivers=kept.waivers)


def _evaluate(plan: Plan, repo: Repo, when: dt.date, day_open: bool,
              units: Collection[str] | None, rules: Collection[str] | None,
              workers: int | None, git: bool, changed_since: str | None,
              store: RecordCache | None, memo_file: MemoFile | None,
              scanned: Scan | None = None, git_state: dict[str, object] | None = None
              ) -> tuple[Outcome, Seen | None]:
    """Load, index and evaluate (reusing what the results memo holds); also what is kept of
    the folder as the records were read (:class:`Seen`), when the record cache was used.
    ``git_state``: :func:`_git_state` as asked already (for the whole outcome's key), whose
    provenance the outcome then carries, as the outcome stored under that key must."""
    changed = changed_record_files(repo, changed_since) if changed_since else None
    loaded, facts = _load(plan, repo, workers, git, store, scanned)
    index = Index(loaded.records)
    waivers = check_waivers(plan, index, when)
    commit_days = facts.days if facts else None
    memo = memo_file.open(loaded.records, loaded.stamps, commit_days) \
        if memo_file and store and loaded.files else None
    results = evaluate(plan, loaded.records, when, units=units, rules=rules, index=index,
                       commit_days=commit_days, day_open=day_open, waivers=waivers.valid,
                       memo=memo, workers=(workers if workers is not None else os.cpu_count()) or 1)
    if memo_file and memo:
        memo_file.save(memo)
    problems = by_place([*loaded.problems, *(facts.late if facts else ()),
                          *waivers.problems])
    known = _provenance(git_state) if git_state is not None else None
    prov, notes = _git_notes(repo, facts, plan, results, known) if facts else ({}, [])
    by_unit = scores(plan, results)  # of every result, also those --changed-since hides
    if changed_since and changed is not None:
        problems, results = narrow(plan, changed, loaded.records, problems, results, when)
        notes.append(changes_note(changed_since, changed, len(loaded.records)))
    return Outcome(plan=plan, as_of=when, records=loaded.records, problems=problems,
                   results=results, files=loaded.files, index=index,
                   scores=by_unit,
                   provenance=prov, commits=facts.commits if facts else {},
                   changed=changed, notes=notes,
                   day_open=day_open, waivers=waivers.valid), loaded.seen
