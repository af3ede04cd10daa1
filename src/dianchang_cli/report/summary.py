"""The written summary: a few formal sentences on a period's work, for people who read prose.

>>> summary = summarize(outcome, period, build(outcome, period))   # doctest: +SKIP
>>> print(summary_text(summary, repo.plan_dir / "templates"))      # doctest: +SKIP
2023年5月，电厂街道及所属各社区共开展各类活动56次，其中……参与群众1,236人次……

The numbers come from the report model (:func:`.build.build`: results by status, the
engine's statuses of every rule) and from the outcome's event records of the report's units
in the period (how many of each record type, and the sums of their ``participants``,
``volunteers`` and ``service_hours`` where records have them — the same records and fields
the report's per-unit tables total).  Nothing is evaluated again.

The sentences are not in Python: they come from the Jinja2 template ``summary.txt.j2`` (the
packaged one, or ``plan/templates/summary.txt.j2`` when the plan has its own), rendered in
the same sandbox as the report templates, so a hostile template is a ``plan-template``
problem at its line and never runs code.  Each non-blank line the template prints is one
paragraph.  The template sees ``s``, the :class:`Summary` as plain data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import FAILING
from ..i18n import _
from ..render.labels import status_word
from .clipping import clean, clip
from .scope import View
from .text import plan_topic
from .units import event_records, field_sum

if TYPE_CHECKING:
    from ..engine.periods import Period
    from ..outcome import Outcome
    from ..records.model import Record
    from .model import Report

TEMPLATE = "summary.txt.j2"
TYPES_NAMED = 6  # record types named in the sentence; the rest are counted
PENDING_NAMED = 3  # pending rules named in the sentence; the rest are counted
SHORTFALLS_NAMED = 8  # rules named per unit; the rest are counted
_CONTROLS = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n\t\f\v\u2028\u2029][ \t\r\n\f\v\u2028\u2029]*")


@dataclass(frozen=True, slots=True)
class TypeCount:
    """How many records of one type the period has."""

    name: str
    count: str  # 42, 1,236


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: str
    word: str  # 达标
    count: str


@dataclass(frozen=True, slots=True)
class Miss:
    """A rule a unit fell short of (unmet, or done late) in the period."""

    rule: str
    name: str
    status: str
    word: str  # 未达标, 逾期完成
    periods: int  # how many of the rule's periods (a quarter report: months)


@dataclass(frozen=True, slots=True)
class UnitShortfall:
    unit: str
    name: str
    misses: list[Miss]
    more: int  # rules not named


@dataclass(frozen=True, slots=True)
class Summary:
    """What the summary template prints from, every number already written out."""

    title: str  # 电厂街道2023年5月宣传思想工作落实情况报告
    period: str  # 2023年5月
    period_kind: str  # month, quarter, year
    who: str  # the unit's name (the subdistrict's for the whole report)
    whole: bool  # the report of the subdistrict and all its communities
    events: str  # event records of the period, e.g. 56 ("0" when none)
    types: list[TypeCount]  # the most frequent types, at most TYPES_NAMED
    types_more: str  # how many other types ("0" when none)
    types_total: str  # how many types in all
    participants: str  # "" when no record has the field
    volunteers: str
    hours: str
    counts: list[StatusCount]  # results by status, those with any (info left out)
    shortfalls: list[UnitShortfall]
    pending: str  # rules still in progress ("0" when none)
    pending_names: list[str]
    problems: str  # data problems the report lists
    invalid: str  # invalid record files
    date: str  # the day the numbers speak for: 2023年5月31日
    issuer: str
    paragraphs: list[str] = field(default_factory=list)  # filled in by :func:`with_text`

    def to_data(self) -> dict[str, Any]:
        return clean(asdict(self))  # type: ignore[no-any-return]


def grouped(value: float | int) -> str:
    """A number for prose, digits grouped by thousands: ``1,236``, ``846``, ``1,281.5``.

    >>> grouped(1236), grouped(846.0), grouped(1281.5), grouped(2.4999999)
    ('1,236', '846', '1,281.5', '2.5')
    """
    rounded = round(float(value), 2)
    if rounded.is_integer():
        return f"{int(rounded):,}"
    return f"{rounded:,.2f}".rstrip("0").rstrip(".")


def summarize(outcome: Outcome, period: Period, report: Report) -> Summary:
    """The summary of ``report``, built from ``outcome`` for ``period`` by
    :func:`.build.build`."""
    plan = outcome.plan
    p = report.period
    view = View.of(outcome, period, report.unit)
    records = event_records(view, list(view.owner))  # the report units' and branches'

    def total(name: str) -> str:
        found = field_sum(records, name)
        return "" if found is None else grouped(found)

    who = report.unit_name
    topic = plan_topic(plan)
    types = _types(view, records)
    pending = list(dict.fromkeys(r.rule for r in view.results if r.status == "pending"))
    return Summary(
        title=_("{unit}{period}{topic} implementation report").format(
            unit=who, period=p.text, topic=topic),
        period=p.text, period_kind=p.kind, who=who, whole=report.unit is None,
        events=grouped(len(records)), types=types[:TYPES_NAMED],
        types_more=grouped(max(0, len(types) - TYPES_NAMED)), types_total=grouped(len(types)),
        participants=total("participants"), volunteers=total("volunteers"),
        hours=total("service_hours"),
        counts=[StatusCount(c.cell.status, c.cell.word, grouped(c.n)) for c in report.counts
                if c.n and c.cell.status != "info"],
        shortfalls=_shortfalls(view),
        pending=grouped(len(pending)),
        pending_names=[_rule_name(view, rule) for rule in pending[:PENDING_NAMED]],
        problems=grouped(len(report.problems)), invalid=grouped(report.provenance.invalid),
        date=report.provenance.as_of_text, issuer=plan.meta.issuer or who)


def _types(view: View, records: list[Record]) -> list[TypeCount]:
    """Records per type, most first (plan order among equals)."""
    counts: dict[str, int] = {}
    for rec in records:
        counts[rec.type] = counts.get(rec.type, 0) + 1
    order = {t: n for n, t in enumerate(view.plan.types)}
    ranked = sorted(counts, key=lambda t: (-counts[t], order.get(t, 0)))
    return [TypeCount(clip(view.plan.types[t].name if t in view.plan.types else t),
                      grouped(counts[t])) for t in ranked]


def _rule_name(view: View, rule_id: str) -> str:
    rule = view.plan.rule(rule_id)
    return clip(rule.name if rule else rule_id)


def _shortfalls(view: View) -> list[UnitShortfall]:
    """Per report unit, the rules with an unmet or late result in the report, in plan order."""
    order = {rule.id: n for n, rule in enumerate(view.rules)}
    out: list[UnitShortfall] = []
    for unit in view.units:
        seen: dict[tuple[str, str], int] = {}
        for r in view.results:
            if r.status in FAILING and view.owner.get(r.unit) == unit:
                seen[(r.rule, r.status)] = seen.get((r.rule, r.status), 0) + 1
        keys = sorted(seen, key=lambda k: (order.get(k[0], len(order)), k[1]))
        misses = [Miss(clip(rule), _rule_name(view, rule), status, status_word(status),
                       seen[(rule, status)]) for rule, status in keys]
        if misses:
            out.append(UnitShortfall(unit, view.plan.unit_name(unit),
                                     misses[:SHORTFALLS_NAMED],
                                     max(0, len(misses) - SHORTFALLS_NAMED)))
    return out


# ------------------------------------------------------------------ the sentences
def paragraphs(summary: Summary, templates: Path | None, *, markdown: bool = False
               ) -> list[str]:
    """The summary's paragraphs, from the (overridable) template, in the sandbox.

    ``markdown``: every printed value is escaped for Markdown; otherwise values are printed
    as they are, on one line.  Raises
    :class:`~dianchang_cli.render.typst_engine.RenderError` for a broken template.
    """
    text = _render(TEMPLATE, {"s": summary.to_data()}, templates, markdown=markdown)
    text = _CONTROLS.sub("", text)  # a template's own text may hold them too
    return [line.strip() for line in text.splitlines() if line.strip()]


def with_text(summary: Summary, templates: Path | None) -> Summary:
    """The summary with its plain-text paragraphs filled in (what the docx prints)."""
    return replace(summary, paragraphs=paragraphs(summary, templates))


def render_with_summary(outcome: Outcome, period: Period, report: Report, fmt: str,
                        templates: Path | None, when: dt.date) -> bytes:
    """The report in ``fmt`` (a :data:`~dianchang_cli.render.REPORT_FORMATS` name) with the
    written summary's paragraphs in its data as ``summary`` (what the docx opens with)."""
    from ..render import ReportOptions, report_renderer

    data = report.to_data()
    data["summary"] = with_text(summarize(outcome, period, report), templates).to_data()
    return report_renderer(fmt)(data, ReportOptions(templates=templates, when=when))


def summary_text(summary: Summary, templates: Path | None, fmt: str = "text") -> str:
    """The summary as a WeChat message (``text``: a title line, then one line a paragraph,
    no markup) or a short Markdown post (``md``: a heading, then the paragraphs)."""
    if fmt == "md":
        from ..render.markdown import md_escape

        body = paragraphs(summary, templates, markdown=True)
        return "\n\n".join([f"## {md_escape(summary.title)}", *body]) + "\n"
    body = paragraphs(summary, templates)
    return "\n".join([one_line(summary.title), *body]) + "\n"


def one_line(text: str) -> str:
    """``text`` without line breaks or tabs (a value must not start a new paragraph)."""
    return _LINE_BREAKS.sub(" ", text).strip()


def _render(name: str, data: dict[str, Any], override: Path | None, *, markdown: bool) -> str:
    """Template ``name`` rendered in the report templates' sandbox (:mod:`..render.markdown`:
    bounded output and time, no Python internals), with plain values unless ``markdown``.

    The report renderers print Markdown or HTML only; a WeChat message and a Word paragraph
    want values as they are, so printed values go through :func:`one_line` instead, and
    failures are ``plan-template`` problems exactly as the report templates' are.
    """
    from ..render.markdown import render_sandboxed

    def plain(value: Any) -> str:
        return "" if value is None else one_line(str(value))

    return render_sandboxed(name, data, override, html=False,
                            finalize=None if markdown else plain)
