"""``dc check`` in a terminal: problems first, then results grouped by the plan's sections.

Each rule gets a line with its tally of statuses; below it one line per result that needs
attention (unmet, late, pending, waived) with progress such as ``5/8``.  ``--verbose`` lists
met and info results too.  Fits an 80-column terminal; ends with a one-line summary.

The text is laid out here, as plain strings, and written at once: on a repository with
thousands of results, asking rich to measure, wrap and style every cell costs a second;
joining strings costs milliseconds.  rich still answers the questions only a console can
(is this a terminal, how wide, which colours, ``NO_COLOR``) and measures display width
(:func:`rich.cells.cell_len`: a Chinese character takes two columns).  Layout rules:

- a problem is one line, ``file:line:col: [code] message``, never wrapped, so an editor
  or ``grep`` finds it (its text cut and escaped like any cell's: :func:`_cell`);
- a table's folding columns (unit / period, detail) are capped at 30 and 36 columns and
  narrowed further until the table fits the width; a cell wider than its column continues
  on the next lines, broken at a space where it can and cut between characters where not;
- colour only in a terminal: each style is rendered once to its escape codes; a pipe, a
  file or a test gets plain text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from rich.cells import cell_len, chop_cells

from ..core import QUIET
from ..diagnostics import printable
from ..i18n import _
from .labels import (
    STATUS_STYLES,
    STATUS_SYMBOLS,
    progress,
    section_title,
    status_word,
    still_needed,
)
from .vocabulary import detail_text

if TYPE_CHECKING:
    from rich.console import Console

    from ..diagnostics import Problem
    from ..engine.results import Result
    from ..outcome import Outcome
    from ..planfile.model import Rule
    from ..planfile.plan import Plan

FEW = 3  # warnings shown per code without --verbose
MIN_WIDTH, MAX_WIDTH = 80, 120  # the width of the output, a terminal's clamped to these
CELL_LIMIT = 2000  # characters of one cell shown at most (a plan's text is untrusted)
MIN_FOLD = 8  # a folding column is not narrowed below this (nor below its header)


# ------------------------------------------------------------------ colour


class Paint:
    """Styles as escape codes, each style rendered once; no codes when colour is off.

    ``Paint(None)`` paints nothing.  ``Paint.of(console)`` paints when ``console`` is a
    terminal that takes colour: the same choice rich makes (``NO_COLOR`` keeps bold and dim
    but drops colours; a legacy Windows console, which needs rich's own calls, gets none).
    """

    def __init__(self, color_system: str | None, no_color: bool = False) -> None:
        self.color_system = color_system
        self.no_color = no_color
        self.codes: dict[str, tuple[str, str]] = {}

    @classmethod
    def of(cls, console: Console) -> Paint:
        """The paint ``console`` calls for."""
        if not console.is_terminal or console.legacy_windows:
            return cls(None)
        return cls(console.color_system, console.no_color)

    def __call__(self, style: str, text: str) -> str:
        """``text`` in ``style`` (``"bold red"``); as it is without colour or style."""
        if not style or self.color_system is None or not text:
            return text
        codes = self.codes.get(style)
        if codes is None:
            codes = self.codes[style] = self._codes(style)
        return f"{codes[0]}{text}{codes[1]}"

    def _codes(self, style: str) -> tuple[str, str]:
        """The escape codes that open and close ``style``, from rich once."""
        from rich.console import COLOR_SYSTEMS
        from rich.style import Style

        parsed = Style.parse(style)
        if self.no_color:
            parsed = parsed.without_color
        system = COLOR_SYSTEMS.get(self.color_system or "")
        if system is None:
            return "", ""
        opening, _sep, closing = parsed.render("\0", color_system=system).partition("\0")
        return opening, closing


# ------------------------------------------------------------------ text layout


def fold(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` display columns (``width`` ≥ 2).

    Breaks at spaces where it can; a word wider than a whole line continues the line it
    starts on and is cut between characters (:func:`rich.cells.chop_cells` keeps a
    character, and a character with its combining marks, whole).
    """
    if cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    line, used = "", 0
    for word in text.split(" "):
        size = cell_len(word)
        if used and used + 1 + size <= width:
            line, used = f"{line} {word}", used + 1 + size
        elif size <= width:
            if used:
                lines.append(line)
            line, used = word, size
        else:
            if used and width - used >= 3:  # room for a space and a piece of the word
                first = chop_cells(word, width - used - 1)[0]
                lines.append(f"{line} {first}")
                word = word[len(first):]
            elif used:
                lines.append(line)
            pieces = chop_cells(word, width)
            lines += pieces[:-1]
            line = pieces[-1] if pieces else ""
            used = cell_len(line)
    lines.append(line)
    return lines


def wrap_parts(head: str, parts: Sequence[str], width: int, sep: str = " · ") -> list[str]:
    """``head`` followed by ``parts`` joined with ``sep``, broken between parts (the
    separator ends the line) so no line is wider than ``width``; one part wider than a line
    is folded."""
    lines: list[str] = []
    line = head
    mark = sep.rstrip()  # what ends a line broken after a part
    for i, part in enumerate(parts):
        joined = line + (sep if i else "") + part
        tail = cell_len(mark) if i < len(parts) - 1 else 0
        if i == 0 or cell_len(joined) + tail <= width:
            line = joined
            continue
        lines.append(line + mark)
        line = part
    lines.append(line)
    return [piece for one in lines for piece in fold(one, width)]


def _cell(value: object) -> str:
    """A value from the plan or a result as safe text for one cell."""
    return printable(value, CELL_LIMIT) if value else ""


# ------------------------------------------------------------------ tables


@dataclass(frozen=True)
class Column:
    """One column of a section table: its header, how it folds, how it is aligned."""

    header: str
    folds: bool = False  # False: narrowed (and folded) only when nothing else fits
    max_width: int | None = None
    right: bool = False


@dataclass(frozen=True)
class Row:
    """The cells of one table line and the style of each (``""`` for none)."""

    cells: tuple[str, ...]
    styles: tuple[str, ...]


def columns() -> list[Column]:
    """The columns of every section table, headers in the active language."""
    return [Column(_("Rule")), Column(_("Unit / period"), folds=True, max_width=30),
            Column(_("Status")), Column(_("Progress"), right=True),
            Column(_("Detail"), folds=True, max_width=36)]


def _frame(count: int) -> int:
    """Columns taken by borders and padding: a bar before, between and after the cells, a
    space either side of each cell but the outer ones."""
    return (count + 1) + 2 * count - 2


def widths(cols: Sequence[Column], rows: Iterable[Row], total: int) -> list[int]:
    """Each column's width: its widest cell (a folding one capped at its ``max_width``),
    then, while the table is wider than ``total``, the widest folding column narrowed by
    one (down to its header or ``MIN_FOLD``), and last every column (down to 2)."""
    size = [cell_len(c.header) for c in cols]
    for row in rows:
        for i, text in enumerate(row.cells):
            n = cell_len(text)
            if n > size[i]:
                size[i] = n
    for i, c in enumerate(cols):
        if c.max_width is not None:
            size[i] = min(size[i], max(c.max_width, cell_len(c.header)))
    excess = sum(size) + _frame(len(cols)) - total
    floors = [max(min(cell_len(c.header), size[i]), MIN_FOLD) if c.folds else size[i]
              for i, c in enumerate(cols)]
    for floor in (floors, [2] * len(cols)):
        while excess > 0:
            room = [(size[i] - floor[i], i) for i in range(len(cols)) if size[i] > floor[i]]
            if not room:
                break
            size[max(room)[1]] -= 1
            excess -= 1
    return size


class Table:
    """One section of the plan as box-drawn lines, laid out by :func:`widths`."""

    def __init__(self, cols: Sequence[Column], paint: Paint) -> None:
        self.cols = cols
        self.paint = paint
        self.rows: list[Row] = []

    def add(self, cells: tuple[str, ...], styles: tuple[str, ...] = ()) -> None:
        self.rows.append(Row(cells, styles or ("",) * len(cells)))

    def lines(self, title: str, total: int) -> list[str]:
        """The title, the header in its heavy box, every row and the bottom border."""
        size = widths(self.cols, self.rows, total)
        last = len(size) - 1
        span = [w + (i > 0) + (i < last) for i, w in enumerate(size)]
        header = Row(tuple(c.header for c in self.cols), ("bold",) * len(self.cols))
        out = [self.paint("bold", t) for t in fold(title, total)]
        out.append("┏" + "┳".join("━" * n for n in span) + "┓")
        out += self._row(header, size, "┃")
        out.append("┡" + "╇".join("━" * n for n in span) + "┩")
        for row in self.rows:
            out += self._row(row, size, "│")
        out.append("└" + "┴".join("─" * n for n in span) + "┘")
        return out

    def _row(self, row: Row, size: list[int], bar: str) -> list[str]:
        """The row's lines: one, or more when a cell folds (the others blank below)."""
        pieces = [fold(text, size[i]) for i, text in enumerate(row.cells)]
        height = max(len(p) for p in pieces)
        last = len(size) - 1
        out = []
        for line in range(height):
            parts = []
            for i, col in enumerate(self.cols):
                text = pieces[i][line] if line < len(pieces[i]) else ""
                gap = " " * (size[i] - cell_len(text))
                shown = self.paint(row.styles[i], text)
                shown = gap + shown if col.right else shown + gap
                parts.append((" " if i else "") + shown + (" " if i < last else ""))
            out.append(bar + bar.join(parts) + bar)
        return out


# ------------------------------------------------------------------ the plan's period ends


def _ends(plan: Plan) -> dict[str, dt.date]:
    """Every period label of the plan's rules → its last day (a rule's own period first)."""
    from ..diagnostics import PlanError
    from ..engine.periods import all_periods

    out: dict[str, dt.date] = {}
    for spec in dict.fromkeys(r.period for r in plan.rules):
        try:
            out.update({p.label: p.end for p in all_periods(plan, spec)})
        except (PlanError, ValueError):  # the loader has reported it; say nothing more here
            continue
    return out


class _Ends:
    """Period label → last day, worked out from the plan when a row first asks."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.ends: dict[str, dt.date] | None = None

    def get(self, label: str) -> dt.date | None:
        if self.ends is None:
            self.ends = _ends(self.plan)
        return self.ends.get(label)


# ------------------------------------------------------------------ the parts of the output


def _first_of_each_code(problems: list[Problem], few: int) -> list[Problem]:
    """At most ``few`` problems of each code, in their order."""
    seen: Counter[str] = Counter()
    out = []
    for p in problems:
        seen[p.code] += 1
        if seen[p.code] <= few:
            out.append(p)
    return out


def problem_lines(errors: list[Problem], warnings: list[Problem], verbose: bool,
                  paint: Paint) -> list[str]:
    """Invalid records in full, then warnings (a few of each code without ``--verbose``);
    one problem per line, never wrapped (a control character a file name smuggled in
    is shown escaped, as in the message)."""
    out: list[str] = []
    if errors:
        out.append(paint("bold red", _("Invalid records ({n})").format(
            n=_invalid_files(errors))))
        out += [paint("red", _cell(p.text())) for p in errors]
        out.append("")
    if warnings:
        out.append(paint("bold yellow", _("Warnings ({n})").format(n=len(warnings))))
        shown = warnings if verbose else _first_of_each_code(warnings, FEW)
        out += [paint("yellow", _cell(p.text())) for p in shown]
        if len(shown) < len(warnings):
            out.append("  " + _("… and {n} more warnings (--verbose lists them all)")
                       .format(n=len(warnings) - len(shown)))
        out.append("")
    return out


def _add_rule(table: Table, rule: Rule, results: list[Result], outcome: Outcome, ends: _Ends,
              verbose: bool) -> None:
    """The rule's line with its tally, then a line per result worth a look."""
    counts = Counter(r.status for r in results)
    tally = " ".join(f"{STATUS_SYMBOLS.get(s, s)}{n}" for s, n in sorted(counts.items()))
    table.add((_cell(rule.id), _cell(rule.name), "", "", tally), ("bold", "bold", "", "", ""))
    plan = outcome.plan
    for r in results:
        if r.status in QUIET and not verbose:
            continue
        still = still_needed(rule.kind, r, ends.get(r.period), outcome.as_of)
        status = f"{STATUS_SYMBOLS.get(r.status, '')} {status_word(r.status)}"
        table.add(("", _cell(f"{plan.unit_name(r.unit)} {r.period}"), status,
                   progress(r.actual, r.target), _cell(detail_text(r) or still)),
                  ("", "", STATUS_STYLES.get(r.status, ""), "", ""))


def result_lines(outcome: Outcome, verbose: bool, total: int, paint: Paint) -> list[str]:
    """One table per section of the plan, for the rules that have results."""
    plan = outcome.plan
    ends = _Ends(plan)
    by_rule: dict[str, list[Result]] = defaultdict(list)
    for r in outcome.results:
        by_rule[r.rule].append(r)
    out: list[str] = []
    cols = columns()
    for section, rules in plan.rules_by_section():
        shown = [rule for rule in rules if rule.id in by_rule]
        if not shown:
            continue
        table = Table(cols, paint)
        for rule in shown:
            _add_rule(table, rule, by_rule[rule.id], outcome, ends, verbose)
        out += table.lines(_cell(section_title(section)), total)
        out.append("")
    return out


def _invalid_files(errors: list[Problem]) -> int:
    """How many files the errors are in: invalid records are counted by file, as
    ``dc validate`` and the reports count them (a file may have several errors)."""
    return len({p.file for p in errors})


def footer_lines(outcome: Outcome, invalid: int, total: int) -> list[str]:
    """The year's scores, then the one-line summary (each broken between its parts when
    wider than ``total``)."""
    plan = outcome.plan
    year = f"{plan.year:04d}"
    scored = [f"{_cell(plan.unit_name(unit))} {row[year]:g}"
              for unit, row in outcome.scores.items() if year in row]
    out: list[str] = []
    if scored:
        head = _("Scores ({period}, {base} minus deductions): ").format(
            period=year, base=f"{plan.settings.score_base:g}")
        out += wrap_parts(head, scored, total)
    summary = outcome.summary()
    parts = [_("{n} records").format(n=len(outcome.records))]
    if invalid:
        parts.append(_("{n} invalid files").format(n=invalid))
    parts += [f"{status_word(s)} {n}" for s, n in summary.items() if n]
    out += wrap_parts(_("As of {day}: ").format(day=outcome.as_of.isoformat()), parts, total)
    return out


def _console(out: TextIO) -> Console:
    from rich.console import Console

    return Console(file=out, highlight=False, soft_wrap=False)


def render(outcome: Outcome, out: TextIO, verbose: bool = False,
           console: Console | None = None) -> None:
    """Write ``dc check``'s table output for ``outcome`` to ``out`` in one piece.

    ``console`` answers width and colour (by default a rich console on ``out``: a
    terminal's width clamped to 80–120, 80 otherwise; colour only in a terminal).
    """
    console = console or _console(out)
    total = max(MIN_WIDTH, min(MAX_WIDTH, console.width))
    paint = Paint.of(console)
    errors = [p for p in outcome.problems if p.severity == "error"]
    warnings = [p for p in outcome.problems if p.severity != "error"]
    lines = problem_lines(errors, warnings, verbose, paint)
    lines += result_lines(outcome, verbose, total, paint)
    lines += footer_lines(outcome, _invalid_files(errors), total)
    out.write("\n".join(lines) + "\n")
