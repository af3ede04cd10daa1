"""The ground floor: value types every stage shares, importing nothing of the package.

- :class:`Repo`: where a records repository keeps its plan and records;
- :data:`TZ`: the time zone of dates, date-times and commit days;
- the status vocabulary: :data:`STATUSES` (the order summaries count them in) and the
  named sets the stages and the renderers ask about, so no module spells its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# China Standard Time has had no daylight saving since 1991: a fixed +08:00 is exact,
# and it is what the CEL binding can convert (a ZoneInfo zone it cannot).
TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

Status = Literal["met", "unmet", "pending", "late", "waived", "info"]
STATUSES: tuple[Status, ...] = ("met", "unmet", "late", "pending", "waived", "info")
"""Every status, in the order summaries and counts list them."""

WORST_FIRST: tuple[Status, ...] = ("unmet", "late", "pending", "waived", "met", "info")
"""Every status, the worst first: what a cell showing several results shows."""

FAILING: frozenset[Status] = frozenset({"unmet", "late"})
"""Results that fall short: a failure in CI formats, points deducted from a score."""

OWED: frozenset[Status] = frozenset({"unmet", "pending"})
"""Results still owed: nothing done yet (or not enough), in time or not."""

OPEN: frozenset[Status] = frozenset({"unmet", "pending", "late"})
"""Results a waiver can excuse and a due day is worth showing for."""

SKIPPED: frozenset[Status] = frozenset({"pending", "waived", "info"})
"""Results that neither pass nor fail yet (a skipped test case in JUnit)."""

QUIET: frozenset[Status] = frozenset({"met", "info"})
"""Results the terminal table does not dwell on."""


@dataclass(frozen=True)
class Repo:
    """Where a records repository keeps its plan and records."""

    root: Path
    plan_dir: Path
    records_dir: Path

    @classmethod
    def at(cls, root: str | Path = ".", plan: str | Path | None = None,
           records: str | Path | None = None) -> Repo:
        base = Path(root)
        return cls(base, Path(plan) if plan else base / "plan",
                   Path(records) if records else base / "records")

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def shown_prefix(self) -> str:
        """How record files under :attr:`records_dir` are named in records and problems:
        ``records/`` (with the slash), or ``""`` when the records folder is the root."""
        try:
            base = self.records_dir.relative_to(self.root).as_posix()
        except ValueError:
            base = self.records_dir.as_posix()
        return "" if base == "." else base.rstrip("/") + "/"
