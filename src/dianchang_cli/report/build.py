"""Build the one report model for a period (and optionally one unit) from a check outcome.

>>> outcome = api.check(repo, as_of=report_as_of(period))   # doctest: +SKIP
>>> report = build(outcome, period, unit="dongyuan")               # doctest: +SKIP

Statuses, scores and progress are the engine's; this module only selects and arranges them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import groupby

from ..core import FAILING
from ..engine.periods import Period
from ..engine.results import STATUSES, Result
from ..engine.score import score_for
from ..i18n import _, is_chinese
from ..outcome import Outcome
from ..planfile.model import Rule
from ..render.labels import (
    STATUS_SYMBOLS,
    basis_word,
    kind_word,
    period_word,
    scope_word,
    target_text,
)
from ..render.vocabulary import number_text
from .clipping import MESSAGE_LIMIT, clip
from .model import (
    Count,
    Heatmap,
    HeatRow,
    ItemBlock,
    PeriodInfo,
    ProblemRow,
    Provenance,
    Report,
    Row,
    RuleBlock,
    RuleNote,
    Score,
    SectionBlock,
)
from .scope import View, actual_text, detail_text
from .text import (
    cell,
    day_text,
    labels,
    legend,
    month_name,
    period_text,
    plan_topic,
    report_kind,
    worst,
)
from .units import next_month, unit_blocks


def report_as_of(period: Period, today: dt.date | None = None) -> dt.date:
    """A report's default as-of day: the period's end (within its year), at most today."""
    return min(period.end, dt.date(period.end.year, 12, 31), today or dt.date.today())


def build(outcome: Outcome, period: Period, unit: str | None = None,
          made: dt.date | None = None) -> Report:
    """The report of ``period`` (for ``unit`` only, if given) from ``outcome``."""
    plan = outcome.plan
    view = View.of(outcome, period, unit)
    made = made or dt.date.today()
    who = plan.unit_name(unit or plan.subdistrict)
    title = _("{unit}{topic} {kind}").format(unit=who, topic=plan_topic(plan),
                                             kind=report_kind(period))
    notes = [_rule_note(view, rule) for rule in view.rules]
    problems, more = _problems(view)
    return Report(
        lang="zh" if is_chinese() else "en", title=title,
        heading=f"{title} · {period_text(period)}", unit=unit, unit_name=who,
        period=PeriodInfo(period.label, period.kind, period.start.isoformat(),
                          period.end.isoformat(), period_text(period)),
        made=made.isoformat(), made_text=day_text(made), provenance=_provenance(outcome),
        counts=_counts(view), scores=_scores(view), heatmap=_heatmap(view),
        sections=_sections(view), units=unit_blocks(view), problems=problems, problems_more=more,
        rules=notes, footnotes=[n for n in notes if n.mark], legend=legend(),
        labels=labels(), next_month=period_text(next_month(period)))


def _provenance(outcome: Outcome) -> Provenance:
    prov = outcome.provenance or {}
    commit = str(prov.get("commit") or "")[:7] or _("unknown")
    dirty = prov.get("dirty")
    dirty_text = _("unknown") if dirty is None else _("yes") if dirty else _("no")
    invalid = len({p.file for p in outcome.problems if p.severity == "error"})
    return Provenance(outcome.as_of.isoformat(), day_text(outcome.as_of), len(outcome.records),
                      invalid, commit, dirty_text, list(outcome.notes))


def _counts(view: View) -> list[Count]:
    tally = Counter(r.status for r in view.results)
    return [Count(cell(s), tally.get(s, 0)) for s in STATUSES]


def _scores(view: View) -> list[Score]:
    plan, outcome = view.plan, view.outcome
    labels_in = view.label_scores()
    year = f"{plan.year:04d}"
    return [Score(u, plan.unit_name(u),
                  number_text(score_for(plan, outcome.results, u, labels_in)),
                  number_text(outcome.scores[u].get(year, plan.settings.score_base)))
            for u in view.units if u in outcome.scores]


def _months(view: View) -> list[Period]:
    """Months from the plan's effective month to the report's last month (and as-of)."""
    plan = view.plan
    last = min(view.period.end, view.as_of)
    first = plan.effective if plan.effective.year == plan.year else dt.date(plan.year, 1, 1)
    return [p for label, p in view.periods.items()
            if p.kind == "month" and p.end >= first and p.start <= last]


def _heatmap(view: View) -> Heatmap:
    months = sorted(_months(view), key=lambda p: p.start)
    statuses: dict[tuple[str, str], list[str]] = {}
    for r in view.outcome.results:
        unit = view.owner.get(r.unit)
        p = view.periods.get(r.period)
        if unit is None or p is None or p.kind == "year":
            continue
        statuses.setdefault((unit, p.end.strftime("%Y-%m")), []).append(r.status)
    rows = [HeatRow(u, view.plan.unit_name(u),
                    [cell(worst(statuses.get((u, m.label), []))) for m in months])
            for u in view.units]
    return Heatmap([m.label for m in months], [month_name(m.start) for m in months], rows)


def _sections(view: View) -> list[SectionBlock]:
    plan = view.plan
    titles = {rid: clip(rec.title) for rid, rec in view.outcome.index.by_id.items()}
    # a rule's lines in order: a result, or (for folded periods) the unit's group of results
    lines: dict[str, list[Result | list[Result]]] = {}
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in sorted(view.results, key=view.sort_key):
        if not _foldable(view, r):
            lines.setdefault(r.rule, []).append(r)
        elif (r.rule, r.unit) in groups:
            groups[(r.rule, r.unit)].append(r)
        else:
            groups[(r.rule, r.unit)] = [r]
            lines.setdefault(r.rule, []).append(groups[(r.rule, r.unit)])
    by_rule = {rule_id: [_folded_row(view, x) if isinstance(x, list) else
                         Row(x.unit, plan.unit_name(x.unit), x.period, view.to_date(x),
                             actual_text(x), cell(x.status), detail_text(x, titles, view))
                         for x in entries]
               for rule_id, entries in lines.items()}
    shown = {rule.id for rule in view.rules}
    out: list[SectionBlock] = []
    for section, rules in plan.rules_by_section():
        items: list[ItemBlock] = []
        mine = [rule for rule in rules if rule.id in shown]
        for number, group in groupby(mine, key=lambda rule: rule.item):
            item = plan.items.get(number)
            blocks = [RuleBlock(rule.id, rule.name, target_text(rule, plan),
                                view.marks.get(rule.id),
                                by_rule.get(rule.id, [])) for rule in group]
            items.append(ItemBlock(number, item.title if item else "", blocks))
        if items:
            out.append(SectionBlock(section.id if section else "",
                                    section.title if section else _("Other rules"), items))
    return out


def _foldable(view: View, r: Result) -> bool:
    """In a quarter or year report, a unit's monthly (or festival …) results of one rule are
    folded into one line; a month's report shows each."""
    p = view.periods.get(r.period)
    return (view.period.kind != "month" and p is not None and p.kind != "year"
            and r.period != view.period.label)


def _folded_row(view: View, results: list[Result]) -> Row:
    """One line for several periods: how many of each status, the worst, and which fell short."""
    first = results[0]
    counts = Counter(r.status for r in results)
    actual = " ".join(f"{STATUS_SYMBOLS[s]}{counts[s]}" for s in STATUSES if counts.get(s))
    short = [r.period for r in results if r.status in FAILING]
    detail = _("short in: {periods}").format(periods="、".join(short[:6])
                                              + ("…" if len(short) > 6 else "")) if short else ""
    return Row(first.unit, view.plan.unit_name(first.unit),
               _("{n} periods").format(n=len(results)), False, actual,
               cell(worst([r.status for r in results])), detail)


WARNINGS_PER_CODE = 20  # a report lists at most this many warnings of one kind


def _problems(view: View) -> tuple[list[ProblemRow], str]:
    """Every invalid record; warnings only about the report's records, at most
    :data:`WARNINGS_PER_CODE` of a kind (the rest are counted)."""
    by_id = view.outcome.index.by_id
    end = min(view.period.end, view.as_of)
    rows: list[ProblemRow] = []
    shown: Counter[str] = Counter()
    hidden = 0
    for p in view.outcome.problems:
        if p.severity != "error":
            rec = by_id.get(p.record) if p.record else None
            if (rec is None or rec.date is None or view.owner.get(rec.unit) is None
                    or not view.period.start <= rec.date <= end
                    or shown[p.code] >= WARNINGS_PER_CODE):
                hidden += 1
                continue
            shown[p.code] += 1
        rows.append(ProblemRow(clip(f"{p.file}:{p.line}"), clip(p.code),
                               clip(p.message + (f"（{p.expected}）" if p.expected else ""),
                                    MESSAGE_LIMIT), p.severity))
    more = _("{n} more warnings (about records outside this report, or beyond {limit} of a "
             "kind) are not listed; dc check lists them all.").format(
                 n=hidden, limit=WARNINGS_PER_CODE) if hidden else ""
    return rows, more


def _rule_note(view: View, rule: Rule) -> RuleNote:
    return RuleNote(rule.id, rule.name, rule.item, kind_word(rule.kind),
                    "、".join(scope_word(s) for s in rule.scopes),
                    period_word(rule.period, view.plan), target_text(rule, view.plan),
                    basis_word(rule.basis), rule.source,
                    rule.note or "", view.marks.get(rule.id))
