"""What evaluating a rule yields: one :class:`Result` per rule × unit × period.

A rule kind judges and returns a bare :class:`Verdict` (status and evidence); the evaluator
stamps it with the rule, the unit, the period and the severity (:meth:`Verdict.stamp`), so
no kind repeats them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..core import STATUSES, Status  # the one status vocabulary (re-exported here)

__all__ = ["STATUSES", "Result", "Status", "Verdict", "Violation"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One record that breaks an ``each`` rule, and why."""

    record: str
    message: str
    file: str = ""
    line: int = 1
    fields: tuple[str, ...] = ()  # the fields read by the part of the condition that failed

    def __reduce__(self) -> tuple[type[Violation], tuple[Any, ...]]:
        """Pickled as a constructor call (the evaluation memo): quicker to load."""
        return Violation, (self.record, self.message, self.file, self.line, self.fields)


@dataclass(frozen=True, slots=True)
class Result:
    rule: str
    unit: str
    period: str
    status: Status
    severity: str | None
    actual: Any = None
    target: Any = None
    records: tuple[str, ...] = ()
    missing: tuple[str, ...] | None = None
    violations: tuple[Violation, ...] = ()
    due: dt.date | None = None
    waiver: str | None = None  # id of the waiver record, when waived
    late_records: tuple[str, ...] = field(default=())

    def __reduce__(self) -> tuple[type[Result], tuple[Any, ...]]:
        """Pickled as a constructor call (the evaluation memo): quicker to load."""
        return Result, (self.rule, self.unit, self.period, self.status, self.severity,
                        self.actual, self.target, self.records, self.missing, self.violations,
                        self.due, self.waiver, self.late_records)

    def fails(self, fail_on: str) -> bool:
        """Whether this result makes ``dc check --fail-on <fail_on>`` exit 1."""
        if fail_on == "invalid":
            return False
        if self.status == "unmet":
            return self.severity == "error" or (fail_on == "warning" and self.severity == "warning")
        return self.status == "late" and fail_on in ("late", "warning")

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "unit": self.unit, "period": self.period,
                               "status": self.status, "severity": self.severity}
        if self.actual is not None:
            out["actual"] = self.actual
        if self.target is not None:
            out["target"] = self.target
        if self.missing is not None:
            out["missing"] = list(self.missing)
        out["records"] = list(self.records)
        if self.violations:
            out["violations"] = [{"record": v.record, "message": v.message, "file": v.file,
                                  "line": v.line} for v in self.violations]
        if self.due is not None:
            out["due"] = self.due.isoformat()
        if self.waiver:
            out["waived_by"] = self.waiver
        return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a rule kind says about one unit and period, before it is stamped: the status
    and its evidence (the fields of :class:`Result` that a kind decides)."""

    status: Status
    actual: Any = None
    target: Any = None
    records: tuple[str, ...] = ()
    missing: tuple[str, ...] | None = None
    violations: tuple[Violation, ...] = ()
    due: dt.date | None = None
    late_records: tuple[str, ...] = ()

    def stamp(self, rule: str, unit: str, period: str, severity: str | None) -> Result:
        """The :class:`Result` of rule ``rule`` for ``unit`` in ``period``."""
        return Result(rule, unit, period, self.status, severity, self.actual, self.target,
                      self.records, self.missing, self.violations, self.due, None,
                      self.late_records)
