"""The one problem type of dc.

Every stage collects problems as values and hands them on; nothing below the CLI raises
for bad input.  A problem says *what* is wrong (``code``, ``message``), *where*
(``file:line:column``) and, when known, *what is expected*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

SHOWN_LIMIT = 200  # never echo more than this many characters of a user's value
# C0 and C1 controls, DEL, and the bidi/zero-width marks that can disguise text in a terminal
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                      "\u2066-\u2069\ufeff]")


def _escape_control(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: Any, limit: int = SHOWN_LIMIT) -> str:
    """``value`` as text that is safe to show anywhere: control characters escaped
    (``\\x1b``), tabs and line breaks as ``\\t``/``\\n``, at most ``limit`` characters
    (then ``…`` and how many more).

    Every message that quotes something a user wrote (a value, a key, a file name) goes
    through here, so a 900 KB date cannot flood a terminal and an ESC byte cannot reach it.
    """
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = f"{text[:limit]}…(+{len(text) - limit})"
    if text.isprintable():
        return text
    text = text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return _CONTROL.sub(_escape_control, text)


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
