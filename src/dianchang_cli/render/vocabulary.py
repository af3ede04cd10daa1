"""The shared vocabulary of every output: numbers, a violation's place, and the text that
says why a result is what it is (the sets of statuses are the ground floor's, in ``core``).

Each is written once here and read by the check formats (table, GitHub, JUnit, SARIF), the
report model and the ledger, so they cannot drift apart.  Nothing here computes a result:
these helpers only phrase what the engine found.

>>> number_text(12.0), number_text(2.4999999, places=2), number_text(None)
('12', '2.5', '')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import OPEN
from ..i18n import _
from .labels import progress

if TYPE_CHECKING:
    from ..engine.results import Result, Violation
    from ..records.model import Record

# ------------------------------------------------------------------ numbers
def number_text(value: Any, places: int | None = None) -> str:
    """``36``, ``3.5``, ``12`` (not ``12.0``); empty for a missing value.

    Without ``places`` a float shows its significant digits (``:g``); with ``places`` a
    number is rounded to that many decimals and written out in full (a sum such as
    ``2.4999999`` → ``2.5``, never ``1e+06``).  Any other value is shown as it is.
    """
    if value is None or value == "":
        return ""
    if places is not None and isinstance(value, int | float):
        rounded = round(float(value), places)
        return str(int(rounded)) if rounded.is_integer() else f"{rounded:.{places}f}".rstrip("0")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


# ------------------------------------------------------------------ places
def violation_place(v: Violation, by_id: Mapping[str, Record]) -> tuple[str, int] | None:
    """The file and line of a record that breaks a rule: the violation's own, else where
    the record is (``by_id``: the index's records by id); ``None`` when neither is known.
    The line is as recorded: a format that needs a line of at least 1 says so itself."""
    if v.file:
        return v.file, v.line
    rec = by_id.get(v.record)
    return (rec.file, rec.line) if rec is not None else None


# ------------------------------------------------------------------ details
def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Wording:
    """How a format writes the pieces of a detail.

    ``titles``: record id → the title shown instead of the id; ``ident``: how an id is
    shown (e.g. cut to a length); ``day``: how a day is written; ``cut``: what a long
    sentence (a record and its message, a list of missing values) is shortened to.
    """

    titles: Mapping[str, str] = field(default_factory=dict)
    ident: Callable[[str], str] = _same
    day: Callable[[dt.date], str] = dt.date.isoformat
    cut: Callable[[str], str] = _same

    def record(self, record_id: str) -> str:
        return self.titles.get(record_id) or self.ident(record_id)


PLAIN = Wording()


def missing_text(missing: tuple[str, ...]) -> str:
    return _("missing: {values}").format(values="、".join(missing))


def due_text(day: str) -> str:
    return _("due {day}").format(day=day)


def waiver_text(waiver: str) -> str:
    return _("waiver {id}").format(id=waiver)


def violation_text(v: Violation, wording: Wording = PLAIN,
                   place: tuple[str, int] | None = None) -> str:
    """``r1: 缺少照片``, with its place when known: ``records/a.yaml:3: r1: 缺少照片``."""
    text = f"{wording.record(v.record)}: {v.message}"
    return f"{place[0]}:{place[1]}: {text}" if place and place[0] else text


def detail_text(result: Result, wording: Wording = PLAIN) -> str:
    """The one fact that best says why a result is what it is: what is missing, the first
    violation (and how many more), the due day of an open result, the waiver; empty when
    none applies (a caller may then say what a running count still needs)."""
    if result.missing:
        return wording.cut(missing_text(result.missing))
    if result.violations:
        more = len(result.violations) - 1
        tail = _(" (+{n} more)").format(n=more) if more else ""
        return wording.cut(violation_text(result.violations[0], wording)) + tail
    if result.due is not None and result.status in OPEN:
        return due_text(wording.day(result.due))
    if result.waiver:
        return waiver_text(wording.ident(result.waiver))
    return ""


def detail_lines(result: Result,
                 place: Callable[[Violation], tuple[str, int] | None] | None = None,
                 *, labelled: bool = False, records: bool = False) -> list[str]:
    """Every fact behind a result, one per line: progress (``progress: 5/8`` when
    ``labelled``), what is missing, each violation (at its ``place``), the due day, the
    waiver, and with ``records`` the records counted (when nothing was violated)."""
    out = []
    shown = progress(result.actual, result.target)
    if shown:
        out.append(_("progress: {p}").format(p=shown) if labelled else shown)
    if result.missing:
        out.append(missing_text(result.missing))
    out += [violation_text(v, place=place(v) if place else None) for v in result.violations]
    if result.due is not None:
        out.append(due_text(result.due.isoformat()))
    if result.waiver:
        out.append(waiver_text(result.waiver))
    if records and result.records and not result.violations:
        out.append(_("records: {ids}").format(ids=", ".join(result.records)))
    return out
