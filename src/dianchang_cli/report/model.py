"""The report as one value: what every renderer (Markdown, HTML, PDF) prints.

Built once from a check :class:`~dianchang_cli.outcome.Outcome` by :mod:`.build` — statuses are
the engine's results, never computed again here.  Every field is text, a number, a list or
another of these classes, so :meth:`Report.to_data` is plain JSON for Typst and the same
mapping feeds the Jinja2 templates.  Record text is cut to a sensible length and its control
characters escaped when the model is built (:func:`~.clipping.clip`); each renderer escapes it for
its format.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .clipping import clean


@dataclass(frozen=True, slots=True)
class Cell:
    """A status shown three ways: symbol, word and background colour."""

    status: str  # "" when there is no result
    symbol: str
    word: str
    colour: str


@dataclass(frozen=True, slots=True)
class PeriodInfo:
    label: str  # 2023-04, 2023-Q2, 2023
    kind: str  # month, quarter, year
    start: str
    end: str
    text: str  # 2023年4月


@dataclass(frozen=True, slots=True)
class Provenance:
    as_of: str
    as_of_text: str
    records: int
    invalid: int
    commit: str  # short sha, or the word for "unknown"
    dirty: str  # yes / no / unknown, in words
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Count:
    cell: Cell
    n: int


@dataclass(frozen=True, slots=True)
class Score:
    unit: str
    name: str
    period: str  # the score counting only the report period's results, e.g. 98.5
    year: str  # the year-to-date score


@dataclass(frozen=True, slots=True)
class HeatRow:
    unit: str
    name: str
    cells: list[Cell]


@dataclass(frozen=True, slots=True)
class Heatmap:
    months: list[str]  # labels: 2023-04 …
    heads: list[str]  # 4月 …
    rows: list[HeatRow]


@dataclass(frozen=True, slots=True)
class Row:
    """One result of a rule: a unit in a period."""

    unit: str
    unit_name: str
    period: str
    to_date: bool  # the period runs past the report's end: progress so far
    actual: str
    cell: Cell
    detail: str


@dataclass(frozen=True, slots=True)
class RuleBlock:
    id: str
    name: str
    target: str
    mark: int | None  # footnote number when the rule's basis is assumed
    rows: list[Row]


@dataclass(frozen=True, slots=True)
class ItemBlock:
    number: int
    title: str
    rules: list[RuleBlock]


@dataclass(frozen=True, slots=True)
class SectionBlock:
    id: str
    title: str
    blocks: list[ItemBlock]  # the numbered items of the section


@dataclass(frozen=True, slots=True)
class Event:
    """One event record of the period (also used for the totals line)."""

    date: str
    type: str
    title: str
    participants: str
    volunteers: str
    hours: str


@dataclass(frozen=True, slots=True)
class Owed:
    rule: str
    name: str
    period: str
    actual: str
    cell: Cell
    detail: str
    mark: int | None
    text: str = ""  # the one plain sentence dc todo shows for it (report.todo.sentence)


@dataclass(frozen=True, slots=True)
class Breach:
    rule: str
    record: str
    title: str
    message: str
    where: str


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class WaiverNote:
    rule: str
    name: str
    period: str
    record: str
    facts: list[Fact]


@dataclass(frozen=True, slots=True)
class Deadline:
    rule: str
    name: str
    due: str
    period: str
    cell: Cell | None  # the result so far, when the period has one


@dataclass(frozen=True, slots=True)
class UnitBlock:
    id: str
    name: str
    events: list[Event]
    totals: Event
    owed: list[Owed]
    breaches: list[Breach]
    waivers: list[WaiverNote]
    deadlines: list[Deadline]


@dataclass(frozen=True, slots=True)
class ProblemRow:
    where: str
    code: str
    message: str
    severity: str


@dataclass(frozen=True, slots=True)
class RuleNote:
    id: str
    name: str
    item: int
    kind: str
    scope: str
    period: str
    target: str
    basis: str
    source: str
    note: str
    mark: int | None


@dataclass(frozen=True, slots=True)
class Report:
    lang: str  # zh or en
    title: str  # 电厂街道宣传思想工作月度报告
    heading: str  # title · 2023年4月
    unit: str | None
    unit_name: str
    period: PeriodInfo
    made: str
    made_text: str
    provenance: Provenance
    counts: list[Count]
    scores: list[Score]
    heatmap: Heatmap
    sections: list[SectionBlock]
    units: list[UnitBlock]
    problems: list[ProblemRow]
    rules: list[RuleNote]
    footnotes: list[RuleNote]
    legend: list[Cell]
    labels: dict[str, str]
    next_month: str = ""  # the month of the deadlines listed: 2023年5月
    problems_more: str = ""  # how many warnings were left out, in a sentence

    def to_data(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (dicts, lists, text, numbers, null); no text
        longer than :data:`~.clipping.ANY_LIMIT` or with a control character in it."""
        return clean(asdict(self))  # type: ignore[no-any-return]
