"""``dc check --changed-since REV``: judge only the record files a push changed.

Every record is still loaded and every rule still sees every valid record (a month's count
needs the whole month).  What is *reported* is narrowed:

- problems: only those in record files changed since ``REV`` (``git diff --name-only REV``
  against the work tree, plus untracked files; deleted files have nothing to report);
- results: only those the changed records affect — a result that counts or flags one of
  them, or a result of a rule selecting the record's type, for the record's unit, one of
  the units above it or the unit it is about (``target``), in a period containing it.

So a push with one new record in ``records/<unit>/`` fails only on that record's problems
and on the results of that unit (and the units above it) that the record could change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core import Repo
from ..diagnostics import PlanError, Problem, printable
from ..engine.context import TARGET_FIELD, Context
from ..engine.periods import Period, periods_for
from ..i18n import _
from ..planfile.plan import Plan
from ..records.model import Record
from .git import GitError, changed_files

if TYPE_CHECKING:
    import datetime as dt

    from ..engine.results import Result


class RevisionError(PlanError):
    """``--changed-since`` names no commit, or there is no git: a usage error (exit 2).

    A :class:`PlanError` so that any caller already mapping plan errors to exit 2 does so.
    """

    def __init__(self, rev: str, message: str) -> None:
        super().__init__([Problem("--changed-since", 0, 0, "bad-revision", message)])
        self.rev = rev
        self.message = message

    def __str__(self) -> str:
        return self.message


def changed_record_files(repo: Repo, rev: str) -> set[str]:
    """Record files (named as in problems) changed since ``rev``; :class:`RevisionError`."""
    try:
        found = changed_files(repo.records_dir, rev, ["."])
    except GitError as exc:
        raise RevisionError(rev, _("--changed-since {rev}: {why}").format(
            rev=printable(rev), why=exc)) from exc
    prefix = repo.shown_prefix
    return {prefix + path for path in found}


def _reach(plan: Plan, rec: Record) -> set[str]:
    """The units whose results a record can move: its own, those above it, its target."""
    out = {rec.unit, *plan.ancestors(rec.unit), plan.subdistrict}
    target = rec.fields.get(TARGET_FIELD)
    if isinstance(target, str):
        out.add(target)
    return out


def affected(plan: Plan, results: Sequence[Result], changed: Sequence[Record],
             as_of: dt.date) -> list[Result]:
    """The results ``changed`` records take part in or could change."""
    if not changed:
        return []
    ids = {r.id for r in changed}
    reach = {r.id: _reach(plan, r) for r in changed}
    rules = {r.id: r for r in plan.rules}
    periods: dict[str, dict[str, Period]] = {}
    out: list[Result] = []
    for res in results:
        if ids.intersection(res.records) or any(v.record in ids for v in res.violations):
            out.append(res)
            continue
        rule = rules.get(res.rule)
        if rule is None:
            continue
        if rule.period not in periods:
            periods[rule.period] = {p.label: p for p in periods_for(plan, rule.period, as_of)}
        period = periods[rule.period].get(res.period)
        if period is None:
            continue
        for rec in changed:
            if (rec.type in rule.select.types and res.unit in reach[rec.id]
                    and Context.in_period(rule, rec, rec.day(rule.date_field), period)):
                out.append(res)
                break
    return out


def narrow(plan: Plan, files: set[str], records: Sequence[Record],
           problems: Sequence[Problem], results: Sequence[Result], as_of: dt.date
           ) -> tuple[list[Problem], list[Result]]:
    """Problems of the changed files, and the results their records affect."""
    changed = [r for r in records if r.file in files]
    return ([p for p in problems if p.file in files],
            affected(plan, results, changed, as_of))


def note(rev: str, files: set[str], records: int) -> str:
    return _("--changed-since {rev}: {n} changed record files checked; results limited to "
             "those the changed records affect (rules saw all {total} valid records)").format(
        rev=rev, n=len(files), total=records)
