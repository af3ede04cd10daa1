"""``dc rules --coverage``: which rules cover each duty-bearing sentence of the source items.

The mapping is plan data (``plan/coverage.yaml``, the plan's ``coverage`` key)::

    coverage:
      12:
        - {sentence: 每月至少开展8次主题性活动, rules: ["12.2"]}
        - {sentence: 同时要创新活动形式, not_checkable: 是否创新无法从记录客观判断。}

Each ``sentence`` is a verbatim piece of the item's text.  Unmapped sentences are found
generically: every item text is split into sentences (at 。；！？), a sentence whose words
state a duty must be touched by at least one mapping entry, and the item's own title
(its first sentence) is a heading that needs none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..i18n import _
from ..planfile.model import CoverageEntry as Entry
from ..planfile.plan import Plan

Coverage = dict[int, list[Entry]]
# Words of obligation in a work plan: a sentence holding one states a duty.
DUTY_WORDS = ("开展", "制定", "建立", "设立", "设置", "报送", "上报", "汇报", "落实", "加强",
              "强化", "组织", "推进", "推动", "做好", "提供", "培育", "建设", "完善", "实施",
              "确保", "调整", "审核", "校对", "申报", "督查", "排查", "整改", "打造", "配备",
              "收集", "坚持", "用好", "利用", "发挥", "提升", "要", "需", "须", "应", "至少",
              "不少于")
_SENTENCE_END = re.compile(r"(?<=[。；！？;])")


@dataclass
class Sentence:
    text: str
    start: int
    heading: bool
    duty: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Trace:
    """The mapping laid over the items: sentences with their entries, and what is wrong."""

    items: dict[int, list[Sentence]]
    unmapped: list[tuple[int, str]]
    unused_rules: list[str]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not (self.unmapped or self.unused_rules or self.problems)


def split_sentences(text: str) -> list[tuple[int, str]]:
    """``(offset, sentence)`` pairs; a sentence keeps its closing mark."""
    out, pos = [], 0
    for part in _SENTENCE_END.split(text):
        if part.strip():
            out.append((pos, part))
        pos += len(part)
    return out


def is_duty(sentence: str, words: tuple[str, ...] = DUTY_WORDS) -> bool:
    return any(w in sentence for w in words)


def trace(plan: Plan, coverage: Coverage | None = None) -> Trace:
    """Lay the mapping (default: the plan's) over the items; collect what is unmapped or bad."""
    coverage = plan.coverage if coverage is None else coverage
    words = DUTY_WORDS
    known = {r.id for r in plan.rules}
    used: set[str] = set()
    out = Trace({}, [], [], [])
    for number in sorted(set(coverage) - set(plan.items)):
        out.problems.append(_("item {n} is not among the plan's items").format(n=number))
    for number, item in sorted(plan.items.items()):
        parts = split_sentences(item.text)
        sentences = [Sentence(s, at, i == 0 and s.rstrip("。；！？;") == item.title,
                              is_duty(s, words)) for i, (at, s) in enumerate(parts)]
        for entry in coverage.get(number, []):
            at = item.text.find(entry.sentence) if entry.sentence else -1
            if at < 0:
                out.problems.append(_("item {n}: “{s}” is not in the item's text").format(
                    n=number, s=entry.sentence))
                continue
            end = at + len(entry.sentence)
            for s in sentences:
                if s.start < end and at < s.start + len(s.text):
                    s.entries.append(entry)
            for rid in entry.rules:
                if rid not in known:
                    out.problems.append(_("item {n}: unknown rule '{r}'").format(n=number, r=rid))
            used.update(entry.rules)
        out.items[number] = sentences
        out.unmapped.extend((number, s.text) for s in sentences
                            if s.duty and not s.heading and not s.entries)
        if not any(r.item == number for r in plan.rules):
            out.problems.append(_("item {n} has no rule").format(n=number))
    out.unused_rules = [r.id for r in plan.rules if r.id not in used]
    return out


def render_coverage(plan: Plan, console: Console, coverage: Coverage | None = None) -> int:
    """Print every item's sentences with their rules or reasons; 0 when all are covered."""
    result = trace(plan, coverage)
    if not plan.coverage and coverage is None:
        result.problems.insert(0, _("the plan has no `coverage:` mapping"))
    names = {r.id: r.name for r in plan.rules}
    counts = {"rules": 0, "reason": 0}
    for number, sentences in result.items.items():
        head = _("Item {n}: {title}").format(n=number, title=plan.items[number].title)
        console.print(f"\n[bold]{escape(head)}[/]")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)
        grid.add_column(overflow="fold")
        for s in sentences:
            if s.heading and not s.entries:
                continue
            mark = "[green]✓[/]" if s.entries else "[bold red]✗[/]" if s.duty else "[dim]·[/]"
            grid.add_row(mark, escape(s.text))
            if not s.entries and s.duty:
                grid.add_row("", "[red]" + escape(_("not mapped")) + "[/]")
            for e in s.entries:
                grid.add_row("", Padding(Text.from_markup(_entry_line(e, names)), (0, 0, 0, 2)))
            if s.duty and not s.heading and s.entries:
                counts["rules" if any(e.rules for e in s.entries) else "reason"] += 1
        console.print(Padding(grid, (0, 0, 0, 2)))
    _summary(console, result, counts)
    return 0 if result.ok else 1


def _entry_line(e: Entry, names: dict[str, str]) -> str:
    if e.rules:
        ids = "；".join(f"{r} {names.get(r, '?')}" for r in e.rules)
        return f"“{escape(e.sentence)}” → [cyan]{escape(ids)}[/]"
    why = _("not checkable: {why}").format(why=e.not_checkable)
    return f"“{escape(e.sentence)}” — [yellow]{escape(why)}[/]"


def _summary(console: Console, result: Trace, counts: dict[str, int]) -> None:
    console.print()
    console.print(_("Duty-bearing sentences: {r} checked by rules, {n} not checkable (with a "
                    "reason), {u} not mapped.").format(r=counts["rules"], n=counts["reason"],
                                                      u=len(result.unmapped)))
    if result.unmapped:
        console.print("[bold red]" + escape(_("Duty-bearing sentences not mapped:")) + "[/]")
        for number, text in result.unmapped:
            console.print(f"  {number}. {escape(text)}")
    else:
        console.print(_("Every duty-bearing sentence is mapped."))
    if result.unused_rules:
        console.print("[bold red]" + escape(_("Rules missing from the mapping: {ids}").format(
            ids=", ".join(result.unused_rules))) + "[/]")
    for line in result.problems:
        console.print(f"[bold red]✗[/] {escape(line)}")
