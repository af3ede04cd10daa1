"""What a check knows once the pipeline has run: the value every renderer, report and
ledger reads.  Built once, by :func:`~dianchang_cli.pipeline.run`; nothing downstream
changes it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .core import STATUSES
from .diagnostics import Problem
from .engine.index import Index
from .engine.results import Result
from .gitrepo.git import FirstCommit
from .planfile.plan import Plan
from .records.model import Record


@dataclass
class Outcome:
    """Everything ``dc check`` knows: the plan, records, problems and results.

    Not frozen: a caller may stand in other facts (say, another provenance) before it
    renders the same outcome again; the pipeline itself never changes one it returned.
    """

    plan: Plan
    as_of: dt.date
    records: Sequence[Record]  # a list, or read when first asked (an outcome from the memo)
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
    # the waivers that count, as the engine matched them: (rule, unit, period) → record id
    waivers: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.results)
        return {status: counts.get(status, 0) for status in STATUSES}

    def fails(self, fail_on: str = "unmet") -> bool:
        """Whether ``--fail-on fail_on`` makes the check exit 1."""
        if any(p.severity == "error" for p in self.problems):
            return True
        return any(r.fails(fail_on) for r in self.results)
