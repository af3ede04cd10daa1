"""``dc rules --coverage``: which rules cover each duty clause of the source items.

The mapping is plan data (``plan/coverage.yaml``, the plan's ``coverage`` key): every
duty-bearing sentence of an item, split into its duty clauses::

    coverage:
      12:
        - sentence: 各社区每月要有方案，建立每月志愿服务台账，每月至少开展8次主题性活动，…
          clauses:
            - {clause: 每月至少开展8次主题性活动, rules: ["12.2"]}
            - {clause: 同时要创新活动形式, not_checkable: 是否创新无法从记录客观判断。}
            - …

Each ``sentence`` is a verbatim piece of the item's text and each ``clause`` a verbatim
piece of its sentence; a sentence that is one clause may carry ``rules`` or
``not_checkable`` itself.  A clause is *checked* when a rule that is not a tally covers it,
*counted* when only tallies do, or *not checkable* with a reason.

What is left unaccounted is found generically: every item text is split into sentences
(at 。；！？) and each sentence into phrases (at ，：), a phrase whose words state a duty
must be touched by at least one clause, and the item's own title (its first sentence) is a
heading that needs none.  So a sentence is no longer ticked because one of its clauses is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..engine import kinds as engine_kinds
from ..i18n import _
from ..planfile.model import Clause
from ..planfile.model import CoverageEntry as Entry
from ..planfile.plan import Plan

Coverage = dict[int, list[Entry]]
ClauseStatus = Literal["checked", "counted", "not_checkable"]
# Words of obligation in a work plan: a phrase holding one states a duty.
DUTY_WORDS = ("开展", "制定", "建立", "设立", "设置", "报送", "上报", "汇报", "落实", "加强",
              "强化", "组织", "推进", "推动", "做好", "提供", "培育", "建设", "完善", "实施",
              "确保", "调整", "审核", "校对", "申报", "督查", "排查", "整改", "打造", "配备",
              "收集", "坚持", "用好", "利用", "发挥", "提升", "创建", "建强", "明确", "压实",
              "发动", "吸纳", "维护", "提高", "夯实", "要", "需", "须", "应", "至少", "不少于")
_SENTENCE_END = re.compile(r"(?<=[。；！？;])")
_PHRASE_END = re.compile(r"(?<=[，,：:])")
_TRAILING = "。；！？;，,：: "


@dataclass
class PlacedClause:
    """A clause of the mapping at its place in the item's text, with what covers it."""

    clause: Clause
    start: int
    status: ClauseStatus

    @property
    def end(self) -> int:
        return self.start + len(self.clause.clause)


@dataclass
class Sentence:
    text: str
    start: int
    heading: bool
    duty: bool
    entries: list[Entry] = field(default_factory=list)
    clauses: list[PlacedClause] = field(default_factory=list)
    unaccounted: list[str] = field(default_factory=list)  # duty phrases no clause touches


@dataclass
class Trace:
    """The mapping laid over the items: sentences with their clauses, and what is wrong."""

    items: dict[int, list[Sentence]]
    unaccounted: list[tuple[int, str]]  # (item, duty phrase that no clause touches)
    unused_rules: list[str]
    problems: list[str]
    clauses: list[PlacedClause] = field(default_factory=list)  # every clause, once

    @property
    def ok(self) -> bool:
        return not (self.unaccounted or self.unused_rules or self.problems)

    def count(self, status: ClauseStatus) -> int:
        return sum(c.status == status for c in self.clauses)


def split_sentences(text: str) -> list[tuple[int, str]]:
    """``(offset, sentence)`` pairs; a sentence keeps its closing mark."""
    return _split(text, _SENTENCE_END)


def split_phrases(sentence: str) -> list[tuple[int, str]]:
    """``(offset, phrase)`` pairs of a sentence cut at its commas and colons."""
    return _split(sentence, _PHRASE_END)


def _split(text: str, at: re.Pattern[str]) -> list[tuple[int, str]]:
    out, pos = [], 0
    for part in at.split(text):
        if part.strip():
            out.append((pos, part))
        pos += len(part)
    return out


def is_duty(sentence: str, words: tuple[str, ...] = DUTY_WORDS) -> bool:
    return any(w in sentence for w in words)


def clause_status(rule_ids: list[str], kinds: dict[str, str]) -> ClauseStatus:
    """checked when any rule's kind judges (a verdict of met or unmet); counted when every
    rule only counts (a kind that does not judge, such as ``tally``).  ``kinds``: rule id
    → kind name."""
    if not rule_ids:
        return "not_checkable"
    return "checked" if any(_judges(kinds.get(r)) for r in rule_ids) else "counted"


def _judges(kind_name: str | None) -> bool:
    kind = engine_kinds.find(kind_name) if kind_name else None
    return kind is None or bool(kind.JUDGES)  # an unknown kind: the plan check reports it


def trace(plan: Plan, coverage: Coverage | None = None) -> Trace:
    """Lay the mapping (default: the plan's) over the items; collect what is unaccounted."""
    coverage = plan.coverage if coverage is None else coverage
    kinds = {r.id: r.kind for r in plan.rules}
    used: set[str] = set()
    out = Trace({}, [], [], [])
    for number in sorted(set(coverage) - set(plan.items)):
        out.problems.append(_("item {n} is not among the plan's items").format(n=number))
    for number, item in sorted(plan.items.items()):
        parts = split_sentences(item.text)
        sentences = [Sentence(s, at, i == 0 and s.rstrip("。；！？;") == item.title,
                              is_duty(s)) for i, (at, s) in enumerate(parts)]
        for entry in coverage.get(number, []):
            at = item.text.find(entry.sentence) if entry.sentence else -1
            if at < 0:
                out.problems.append(_("item {n}: “{s}” is not in the item's text").format(
                    n=number, s=entry.sentence))
                continue
            end = at + len(entry.sentence)
            touched = [s for s in sentences if s.start < end and at < s.start + len(s.text)]
            for s in touched:
                s.entries.append(entry)
            for clause in entry.all_clauses:
                offset = entry.sentence.find(clause.clause) if clause.clause else -1
                if offset < 0:
                    out.problems.append(_("item {n}: the clause “{c}” is not in its sentence "
                                          "“{s}”").format(n=number, c=clause.clause,
                                                          s=entry.sentence))
                    continue
                placed = PlacedClause(clause, at + offset, clause_status(clause.rules, kinds))
                out.clauses.append(placed)
                for s in touched:
                    if s.start < placed.end and placed.start < s.start + len(s.text):
                        s.clauses.append(placed)
            for rid in dict.fromkeys(r for c in entry.all_clauses for r in c.rules):
                if rid not in kinds:
                    out.problems.append(_("item {n}: unknown rule '{r}'").format(n=number, r=rid))
                used.add(rid)
        for s in sentences:
            if s.heading:
                continue
            s.clauses.sort(key=lambda c: c.start)
            for offset, phrase in split_phrases(s.text):
                start, end = s.start + offset, s.start + offset + len(phrase)
                if is_duty(phrase) and not any(c.start < end and start < c.end
                                               for c in s.clauses):
                    s.unaccounted.append(phrase.rstrip(_TRAILING))
            out.unaccounted.extend((number, p) for p in s.unaccounted)
        out.items[number] = sentences
        if not any(r.item == number for r in plan.rules):
            out.problems.append(_("item {n} has no rule").format(n=number))
    out.unused_rules = [r.id for r in plan.rules if r.id not in used]
    return out


def render_coverage(plan: Plan, console: Console, coverage: Coverage | None = None) -> int:
    """Print every item's sentences with their clauses, rules or reasons; 0 when every duty
    clause is accounted for."""
    result = trace(plan, coverage)
    if not plan.coverage and coverage is None:
        result.problems.insert(0, _("the plan has no `coverage:` mapping"))
    names = {r.id: r.name for r in plan.rules}
    for number, sentences in result.items.items():
        head = _("Item {n}: {title}").format(n=number, title=plan.items[number].title)
        console.print(f"\n[bold]{escape(head)}[/]")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)
        grid.add_column(overflow="fold")
        for s in sentences:
            if s.heading and not s.clauses:
                continue
            if s.unaccounted:
                mark = "[bold red]✗[/]"
            elif s.clauses:
                mark = "[green]✓[/]"
            else:
                mark = "[dim]·[/]"
            grid.add_row(mark, escape(s.text))
            lines = [(c.start, *_clause_line(c, names)) for c in s.clauses]
            lines += [(s.start + s.text.find(p), *_unaccounted_line(p)) for p in s.unaccounted]
            if lines:
                sub = Table.grid(padding=(0, 1))
                sub.add_column(width=1)
                sub.add_column(overflow="fold")
                for _at, sign, line in sorted(lines, key=lambda x: x[0]):
                    sub.add_row(Text.from_markup(sign), Text.from_markup(line))
                grid.add_row("", Padding(sub, (0, 0, 0, 1)))
        console.print(Padding(grid, (0, 0, 0, 2)))
    _summary(console, result)
    return 0 if result.ok else 1


def _clause_line(c: PlacedClause, names: dict[str, str]) -> tuple[str, str]:
    """The sign and the text of one clause: checked ✓, counted Σ, not checkable —."""
    quoted = escape(f"“{c.clause.clause}”")
    if c.status == "not_checkable":
        why = _("not checkable: {why}").format(why=c.clause.not_checkable)
        return "[yellow]—[/]", f"{quoted} [yellow]{escape(why)}[/]"
    ids = "；".join(f"{r} {names.get(r, '?')}" for r in c.clause.rules)
    if c.status == "counted":
        label = _("counted by {rules}").format(rules=ids)
        return "[cyan]Σ[/]", f"{quoted} → [cyan]{escape(label)}[/]"
    label = _("checked by {rules}").format(rules=ids)
    return "[green]✓[/]", f"{quoted} → [green]{escape(label)}[/]"


def _unaccounted_line(phrase: str) -> tuple[str, str]:
    return "[bold red]✗[/]", (escape(f"“{phrase}”") + " [red]"
                               + escape(_("no rule and no reason")) + "[/]")


def _summary(console: Console, result: Trace) -> None:
    console.print()
    console.print(_("Duty clauses: {c} checked by rules, {t} counted by tallies, {n} not "
                    "checkable (with a reason), {u} unaccounted.").format(
        c=result.count("checked"), t=result.count("counted"),
        n=result.count("not_checkable"), u=len(result.unaccounted)))
    if result.unaccounted:
        console.print("[bold red]" + escape(_("Duty clauses unaccounted for:")) + "[/]")
        for number, text in result.unaccounted:
            console.print(f"  {number}. {escape(text)}")
    else:
        console.print(_("Every duty clause is accounted for."))
    if result.unused_rules:
        console.print("[bold red]" + escape(_("Rules missing from the mapping: {ids}").format(
            ids=", ".join(result.unused_rules))) + "[/]")
    for line in result.problems:
        console.print(f"[bold red]✗[/] {escape(line)}")
