"""The one problem type of dc.

Every stage collects problems as values and hands them on; nothing below the CLI raises
for bad input.  A problem says *what* is wrong (``code``, ``message``), *where*
(``file:line:column``) and, when known, *what is expected*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about a file: an invalid record, a PII hit or a broken plan entry.

    ``file`` is shown relative to the repository root where possible; ``line`` and
    ``column`` are 1-based (0 when the whole file is meant).
    """

    file: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = "error"
    expected: str | None = None
    record: str | None = None
    path: tuple[str | int, ...] = field(default=())

    @property
    def where(self) -> str:
        """``file:line:column`` — the form editors and CI annotations understand."""
        return f"{self.file}:{self.line}:{self.column}"

    def text(self) -> str:
        """The problem on one line, with what is expected when that is known."""
        tail = f"（{self.expected}）" if self.expected else ""
        return f"{self.where}: [{self.code}] {self.message}{tail}"

    def as_json(self) -> dict[str, object]:
        """The contract shape of ``errors[]`` in ``dc check --format json``."""
        out: dict[str, object] = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
        }
        if self.expected:
            out["expected"] = self.expected
        if self.record:
            out["record"] = self.record
        return out


class PlanError(Exception):
    """A plan that cannot be used.  Carries every problem found, so all are shown at once.

    This is the one exception that crosses stage boundaries: without a plan nothing can be
    checked, so the CLI turns it into exit status 2 with each problem on its own line.
    """

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems
