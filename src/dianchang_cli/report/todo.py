"""The to-do list of one unit: what is still owed now, what fell short lately, which of its
records are invalid — the one screen a community secretary opens (``dc todo``).

Built from the engine's results in a check :class:`~dianchang_cli.outcome.Outcome`; no
status, count or due day is computed again here.  What is added is words: each open result
becomes one plain sentence (``本月还需：… 3 次（已完成 5/8，剩余 6 天）``) from the rule's
``name`` and the plan's own texts, never its CEL or field ids, so the report's "still owed"
section can print the same sentences.

- *open*: results of the periods running on the as-of day (month, quarter, half, year,
  festival and named windows) that are ``pending`` or ``unmet``, by due day;
- *recent*: ``unmet`` or ``late`` results whose due day (or period end) lies in the
  :data:`RECENT_DAYS` before the as-of day, and that are not open;
- *invalid*: the error problems of the unit's record files, with ``file:line``.

Without a unit, :func:`build_overview` gives the coordinator one line per unit with its
open count and its year-to-date score (:mod:`..engine.score`), worst first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..core import FAILING, OWED
from ..diagnostics import printable
from ..engine.periods import Period, all_periods, shift
from ..engine.results import Result
from ..i18n import _, is_chinese
from ..planfile.model import Rule
from ..planfile.plan import Plan
from ..render.labels import progress, status_word
from .clipping import TEXT_LIMIT, clean, clip
from .explain import THIS_PERIOD, as_of_day, period_words, raw_field
from .scope import period_table

if TYPE_CHECKING:
    from ..outcome import Outcome

RECENT_DAYS = 31  # "recently": due (or ended) at most this many days before the as-of day
INVALID_SHOWN = 200  # invalid record files listed per unit; the rest are counted
INVALID_FILES = 200  # invalid files outside a unit's folder read for the unit they name


@dataclass(frozen=True, slots=True)
class TodoItem:
    """One result still owed (or recently short), as a sentence and as data."""

    rule: str
    name: str  # the rule's name, from the plan
    unit: str  # the unit the result is for (the community or one of its branches)
    unit_name: str
    period: str  # the period's label: 2023-05, 2023-Q2, 2023-中秋节
    period_text: str  # the period in words
    due: str  # ISO day: the due day, else the period's last day
    days_left: int  # days from the as-of day to ``due`` (negative: overdue)
    status: str  # the engine's: pending, unmet, late
    done: int | None  # records counted (values covered) so far
    target: int | None
    missing: list[str]  # coverage: the values still missing
    text: str  # the whole sentence


@dataclass(frozen=True, slots=True)
class InvalidItem:
    """An invalid record of the unit: where, and what is wrong."""

    file: str
    where: str  # file:line
    message: str


@dataclass(frozen=True, slots=True)
class Todo:
    """The to-do list of one unit as of a day."""

    unit: str
    unit_name: str
    as_of: str
    score: float | None  # the year-to-date score, when the unit has one
    open: list[TodoItem]
    recent: list[TodoItem]
    invalid: list[InvalidItem]
    invalid_more: int = 0  # invalid files not listed

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-ready data with stable keys."""
        return clean(asdict(self))  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class UnitLine:
    """One unit in the coordinator's view."""

    unit: str
    name: str
    open: int
    recent: int
    invalid: int  # invalid record files
    score: float | None


@dataclass(frozen=True, slots=True)
class Overview:
    """The coordinator's view: every community (and the subdistrict), worst first."""

    as_of: str
    units: list[UnitLine] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        return clean(asdict(self))  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------- words
def _day_words(day: dt.date) -> str:
    """``5月7日`` / ``05-07`` — short, the plan year is known."""
    return f"{day.month}月{day.day}日" if is_chinese() else day.strftime("%m-%d")


def _this(plan: Plan, period: Period) -> str:
    word = THIS_PERIOD.get(period.kind)
    return _(word) if word else period_words(plan, period)


def _count_text(rule: Rule, res: Result, period: Period, plan: Plan, left: int) -> str:
    n, target = int(res.actual or 0), int(res.target or 0)
    short = max(target - n, 0)
    if res.status == "unmet":
        return _("{period}: {name} fell short ({n}/{target})").format(
            period=period_words(plan, period), name=rule.name, n=n, target=target)
    if period.kind in THIS_PERIOD:
        return _("Still needed {this}: {name} — {short} more (done {n}/{target}, {left} days "
                 "left)").format(this=_this(plan, period), name=rule.name, short=short, n=n,
                                 target=target, left=left)
    if n == 0:
        return _("{period} {name}: not done yet").format(period=period_words(plan, period),
                                                          name=rule.name)
    return _("{period} {name}: {short} more needed (done {n}/{target}, {left} days left)"
             ).format(period=period_words(plan, period), name=rule.name, short=short, n=n,
                      target=target, left=left)


def _deadline_text(rule: Rule, res: Result, due: dt.date) -> str:
    if res.status == "late":
        return _("{name} (due {due}): filed late").format(name=rule.name, due=_day_words(due))
    if res.status == "unmet":
        return _("{name} (due {due}): overdue, nothing filed").format(
            name=rule.name, due=_day_words(due))
    return _("{name} (due {due}): not filed yet").format(name=rule.name, due=_day_words(due))


def _coverage_text(rule: Rule, res: Result, period: Period, plan: Plan, left: int) -> str:
    missing = "、".join(printable(v) for v in res.missing or ())
    if res.status == "unmet":
        return _("{period}: {name} still misses {missing}").format(
            period=period_words(plan, period), name=rule.name, missing=missing)
    return _("Still to cover {this}: {name} — {missing} ({left} days left)").format(
        this=_this(plan, period), name=rule.name, missing=missing, left=left)


def _other_text(rule: Rule, res: Result, period: Period, plan: Plan, due: dt.date) -> str:
    if rule.kind == "exists":
        if res.status == "unmet":
            return _("{name}: not registered by {due}").format(name=rule.name,
                                                               due=_day_words(due))
        return _("{name}: not registered yet (due {due})").format(name=rule.name,
                                                                 due=_day_words(due))
    if rule.kind == "each" and res.violations:
        return _("{period}: {name} — {k} records do not meet it").format(
            period=period_words(plan, period), name=rule.name, k=len(res.violations))
    shown = progress(res.actual, res.target)
    return _("{period}: {name} — {status} {progress}").format(
        period=period_words(plan, period), name=rule.name, status=status_word(res.status),
        progress=shown).rstrip()


def sentence(plan: Plan, rule: Rule, res: Result, period: Period, as_of: dt.date) -> str:
    """The result as one plain sentence, by its rule's kind; the rule's ``name`` is the
    plan's own wording.  Counts say what is still needed and the days left."""
    due = res.due or period.end
    left = max((due - as_of).days, 0)
    if rule.kind == "count":
        text = _count_text(rule, res, period, plan, left)
    elif rule.kind == "deadline":
        text = _deadline_text(rule, res, due)
    elif rule.kind == "coverage":
        text = _coverage_text(rule, res, period, plan, left)
    else:
        text = _other_text(rule, res, period, plan, due)
    return clip(text, TEXT_LIMIT)


# ---------------------------------------------------------------------------- building
def _item(plan: Plan, res: Result, period: Period, as_of: dt.date) -> TodoItem | None:
    rule = plan.rule(res.rule)
    if rule is None:
        return None
    due = res.due or period.end
    done = (len(res.actual) if isinstance(res.actual, list)
            else res.actual if isinstance(res.actual, int) else None)
    target = res.target if isinstance(res.target, int) else None
    return TodoItem(res.rule, clip(rule.name), res.unit, clip(plan.unit_name(res.unit)),
                    res.period, period_words(plan, period), due.isoformat(),
                    (due - as_of).days, res.status, done, target,
                    [clip(str(v)) for v in res.missing or ()],
                    sentence(plan, rule, res, period, as_of))


def _sorted(items: list[TodoItem]) -> list[TodoItem]:
    return sorted(items, key=lambda i: (i.due, i.period, i.rule, i.unit))


def _periods(plan: Plan) -> dict[str, Period]:
    """Every period label → its period; a rule's own periods win (a window keeps its
    name even when it carries a month's label)."""
    periods = period_table(plan)
    specs = [r.period for r in plan.rules if r.period not in ("month", "quarter", "year")]
    for spec in reversed(dict.fromkeys(reversed(specs))):  # each once, where it last wins
        periods.update({p.label: p for p in all_periods(plan, spec)})
    return periods


def open_and_recent(outcome: Outcome, members: set[str] | None = None
                    ) -> tuple[list[TodoItem], list[TodoItem]]:
    """The open items (periods running on the as-of day) and the recent shortfalls of the
    results of ``members`` (every unit: None), each list by due day."""
    plan, as_of = outcome.plan, as_of_day(outcome.as_of)
    periods = _periods(plan)
    opened: list[TodoItem] = []
    recent: list[TodoItem] = []
    since = shift(as_of, -RECENT_DAYS)  # never before date.min
    for res in outcome.results:
        period = periods.get(res.period)
        if (members is not None and res.unit not in members) or period is None:
            continue
        running = period.start <= as_of <= period.end and not period.over(
            as_of, outcome.day_open)
        when = res.due or period.end
        if running and res.status in OWED:
            target = opened
        elif res.status in FAILING and since <= when <= as_of:
            target = recent
        else:
            continue
        item = _item(plan, res, period, as_of)
        if item is not None:
            target.append(item)
    return _sorted(opened), _sorted(recent)


def _written_unit(plan: Plan, file: str, root: Path) -> str | None:
    """The ``unit`` an unreadable-as-a-record file writes about itself (under the field's
    id, Chinese name or an alias), or None."""
    from ..load.files import Unreadable, read_limited
    from ..load.yamlsafe import load_bytes

    try:
        data = read_limited(root / file, root)
    except (Unreadable, OSError, ValueError):
        return None
    value = load_bytes(data, file).value
    if not isinstance(value, dict):
        return None
    found = raw_field(value, plan, "unit")
    return found if isinstance(found, str) and found in plan.units else None


def unit_of_file(outcome: Outcome, file: str, record: str | None,
                 root: Path | None = None) -> str | None:
    """The unit an invalid record file belongs to: its record's unit when it was read,
    else the folder it lies in (``records/<unit>/…``, the layout CODEOWNERS relies on),
    else (with the repository ``root``) the ``unit`` the file itself writes."""
    rec = outcome.index.by_id.get(record) if record else None
    if rec is not None:
        return rec.unit
    parts = PurePosixPath(file).parts
    found = next((p for p in parts[:2] if p in outcome.plan.units), None)
    if found is None and root is not None:
        found = _written_unit(outcome.plan, file, root)
    return found


def invalid_records(outcome: Outcome, root: Path | None = None
                    ) -> list[tuple[str | None, InvalidItem]]:
    """Every error problem of a record file as (its unit, ``file:line`` and message); files
    that name no unit by folder are read once each, at most :data:`INVALID_FILES`."""
    out: list[tuple[str | None, InvalidItem]] = []
    owners: dict[str, str | None] = {}
    for p in outcome.problems:
        if p.severity != "error":
            continue
        if p.file not in owners:
            reads = root if len(owners) < INVALID_FILES else None
            owners[p.file] = unit_of_file(outcome, p.file, p.record, reads)
        tail = f"（{p.expected}）" if p.expected else ""
        out.append((owners[p.file], InvalidItem(clip(p.file), clip(f"{p.file}:{p.line}"),
                                                clip(p.message + tail, TEXT_LIMIT))))
    return out


def _score(outcome: Outcome, unit: str) -> float | None:
    return outcome.scores.get(unit, {}).get(f"{outcome.plan.year:04d}")


def build_todo(outcome: Outcome, unit: str, root: Path | None = None) -> Todo:
    """The to-do list of ``unit`` (a community: its branches' duties too) as of the
    outcome's day.  ``unit`` must be a unit of the plan (:class:`KeyError` otherwise).
    ``root``: the repository, to read the unit of an invalid file outside ``<unit>/``."""
    plan = outcome.plan
    if unit not in plan.units:
        raise KeyError(unit)
    members = set(plan.members(unit))
    opened, recent = open_and_recent(outcome, members)
    invalid = [item for owner, item in invalid_records(outcome, root) if owner in members]
    return Todo(unit, clip(plan.unit_name(unit)), as_of_day(outcome.as_of).isoformat(),
                _score(outcome, unit), opened, recent, invalid[:INVALID_SHOWN],
                max(0, len(invalid) - INVALID_SHOWN))


def build_overview(outcome: Outcome, root: Path | None = None) -> Overview:
    """One line per community (and the subdistrict): open items, recent shortfalls,
    invalid records and the year-to-date score; the lowest score first, then the most
    open items."""
    plan = outcome.plan
    opened, recent = open_and_recent(outcome)
    invalid = invalid_records(outcome, root)
    lines = []
    for unit in [plan.subdistrict, *(u.id for u in plan.units_of_kind("community"))]:
        members = set(plan.members(unit))
        lines.append(UnitLine(unit, clip(plan.unit_name(unit)),
                              sum(i.unit in members for i in opened),
                              sum(i.unit in members for i in recent),
                              len({i.file for owner, i in invalid if owner in members}),
                              _score(outcome, unit)))
    base = plan.settings.score_base
    lines.sort(key=lambda u: (u.score if u.score is not None else base, -u.recent, -u.open,
                              -u.invalid, u.unit))
    return Overview(as_of_day(outcome.as_of).isoformat(), lines)


__all__ = ["InvalidItem", "Overview", "Todo", "TodoItem", "UnitLine", "build_overview",
           "build_todo", "sentence"]
