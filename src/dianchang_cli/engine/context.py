"""What a rule kind needs while it evaluates: the index, the as-of day, compiled conditions.

:meth:`Context.select` is the one place that decides which records count for a rule, a
unit and a period — so every kind agrees on types, scope, period membership, the as-of
cut-off and the rule's ``where`` filter.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..diagnostics import PlanError, Problem, printable
from ..i18n import _, is_chinese
from ..planfile.model import Rule
from ..planfile.plan import Origin, Plan
from ..records.model import Record
from .conditions import (
    Condition,
    ConditionError,
    ConditionFailed,
    MissingValue,
    cel_time,
    compile_condition,
    conjuncts,
    day_end,
    day_start,
)
from .index import Index
from .periods import Period, day_ended

_HAS = re.compile(r"^has\(\s*r\.([A-Za-z_][A-Za-z0-9_]*)\s*\)$")
TARGET_FIELD = "target"  # scope `target`: the field naming the unit a record is about
_GLOBALS = ("staff", "units", "as_of", "period")
# The time one rule's conditions may take in one run, over all records: RULE_BUDGET seconds,
# and TEST_ALLOWANCE more for each record tested.  A plain condition takes a few µs a record,
# so a million records stay far inside; one that takes milliseconds a record is stopped.
RULE_BUDGET = 2.0
TEST_ALLOWANCE = 100e-6
_NOT_YET = (0.0, 0)


@dataclass(frozen=True, slots=True)
class Selector:
    """Whose records a result counts: done by ``units``, or about ``target``."""

    units: tuple[str, ...] = ()
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Part:
    """One condition a record must satisfy: the rule's ``condition``, or one of its
    ``checks``, with the message a violation of it carries."""

    which: str  # "condition" or "checks[0]" …: where the plan wrote it
    condition: Condition
    needs: tuple[str, ...]
    message: str | None
    message_en: str | None
    text: str | None = None  # the plan's plain sentence for it (condition_text, a check's text)

    def says(self) -> str:
        """What a violation of this part means, in the current language: its message, else
        "does not satisfy" and its plain sentence (the CEL only when the plan gives none)."""
        if self.message_en and not is_chinese():
            return self.message_en
        if self.message:
            return self.message
        return _("does not satisfy: {c}").format(
            c=(self.text or "").strip() or self.condition.source)


@dataclass(frozen=True, slots=True)
class Compiled:
    """A rule with its CEL compiled once, and which variables each expression reads.

    ``parts`` are the conditions a record must pass, in order: the rule's ``condition``
    alone, or each of its ``checks``; empty when the rule has neither.
    """

    rule: Rule
    where: Condition | None
    condition: Condition | None
    where_needs: tuple[str, ...]
    condition_needs: tuple[str, ...]
    parts: tuple[Part, ...] = ()

    @classmethod
    def of(cls, rule: Rule) -> Compiled:
        where = compile_condition(rule.select.where) if rule.select.where else None
        cond = compile_condition(rule.condition) if rule.condition else None
        parts: list[Part] = []
        if cond is not None:
            parts.append(Part("condition", cond, _needs(cond), rule.message, rule.message_en,
                              rule.condition_text))
        for i, check in enumerate(rule.checks or ()):
            compiled = compile_condition(check.condition)
            parts.append(Part(f"checks[{i}]", compiled, _needs(compiled), check.message,
                              check.message_en, check.text))
        return cls(rule, where, cond, _needs(where), _needs(cond), tuple(parts))


@dataclass(frozen=True, slots=True)
class _Piece:
    """One ``&&``-part of a condition, as :meth:`Context._failing_fields` asks it: its
    compiled condition, the field it only tests the presence of (``has(r.x)``), the CEL
    variables it needs and the fields it reads."""

    condition: Condition
    has: str | None
    needs: tuple[str, ...]
    fields: tuple[str, ...]


def _pieces(part: Part) -> list[_Piece]:
    """The ``&&``-parts of ``part``'s condition, each compiled once (none if it does not
    split into parts that compile)."""
    try:
        compiled = [compile_condition(p) for p in conjuncts(part.condition.source)]
    except ConditionError:
        return []
    return [_Piece(piece, has.group(1) if (has := _HAS.match(piece.source)) else None,
                   _needs(piece), piece.r_fields or ()) for piece in compiled]


def _needs(cond: Condition | None) -> tuple[str, ...]:
    return tuple(n for n in _GLOBALS if cond and n in cond.source)


def plan_globals(plan: Plan, as_of: dt.date) -> dict[str, Any]:
    """The CEL variables besides ``r`` and ``period``: ``staff``, ``units`` and ``as_of``."""
    return {
        "staff": {s.id: {"unit": s.unit, "roles": list(s.roles), "name": s.name}
                  for s in plan.staff.values()},
        "units": {u.id: {"kind": u.kind, "parent": u.parent or "", "name": u.name}
                  for u in plan.units.values()},
        "as_of": cel_time(day_end(as_of)),
    }


def rule_failed(plan: Plan, rule: Rule, which: str, message: str) -> PlanError:
    """A rule whose ``condition`` (or ``where``) fails at run time: a problem of the plan,
    at the expression's line."""
    key = f"rules:{rule.id}"
    o = plan.origins.get(f"{key}.{which}") or plan.origins.get(key) or Origin("plan", 0, 0)
    return PlanError([Problem(o.file, o.line, o.column, "rule-failed", message,
                              expected=_("a condition that is true or false for every record; "
                                         "guard optional fields with has(r.field)"))])


class Context:
    """``as_of`` is the day evaluated; ``day_open`` says that day is still running (no
    ``--as-of``: as of now), so a deadline or period ending on it is not over yet."""

    def __init__(self, plan: Plan, index: Index, as_of: dt.date,
                 commit_days: Mapping[str, dt.date] | None = None,
                 day_open: bool = False) -> None:
        self.plan = plan
        self.index = index
        self.as_of = as_of
        self.day_open = day_open
        self.commit_days = commit_days  # record id → day first committed (None: no git)
        self._last: tuple[Record | None, dict[str, Any]] = (None, {})  # see cel_record
        self._where_cache: dict[tuple[str, str], bool] = {}
        self._parts: dict[tuple[str, str], list[_Piece]] = {}  # see _failing_fields
        # rule id → seconds spent evaluating its CEL, and on how many tests
        self._spent: dict[str, tuple[float, int]] = {}
        self._globals: dict[str, Any] = plan_globals(plan, as_of)

    def ended(self, day: dt.date) -> bool:
        """Whether ``day`` (a due day, a period's last day) is over as of the as-of moment."""
        return day_ended(day, self.as_of, self.day_open)

    # ------------------------------------------------------------ CEL
    def cel_record(self, rec: Record) -> dict[str, Any]:
        """The record as the CEL variable ``r`` (values converted by the condition itself,
        only for the fields it reads).  Only the last one is kept: a record's conditions
        are asked one after another, and keeping every record's copy would double the
        memory of a million-record check."""
        last, made = self._last
        if last is rec:
            return made
        made = {**rec.fields, "id": rec.id, "type": rec.type, "unit": rec.unit}
        if rec.date is not None:
            made["date"] = rec.date
        self._last = (rec, made)
        return made

    def activation(self, rec: Record, needs: tuple[str, ...], period: Period | None
                   ) -> dict[str, Any]:
        act: dict[str, Any] = {"r": self.cel_record(rec)}
        for name in needs:
            if name == "period":
                act["period"] = _period_value(period)
            else:
                act[name] = self._globals[name]
        return act

    def _test(self, c: Compiled, cond: Condition, which: str, rec: Record,
              period: Period | None, needs: tuple[str, ...]) -> bool:
        """``cond`` on ``rec`` for rule ``c``.  A missing field or key raises
        :class:`MissingValue`; any other failure, or more time spent on the rule than
        :data:`RULE_BUDGET` and :data:`TEST_ALLOWANCE` a test allow, raises
        :class:`PlanError` (``rule-failed``)."""
        start = time.perf_counter()
        try:
            return cond.test(self.activation(rec, needs, period))
        except ConditionFailed as exc:
            raise rule_failed(self.plan, c.rule, which, _(
                "rule {r}: `{w}` fails on record {rec}: {e}").format(
                r=c.rule.id, w=which, rec=printable(rec.id), e=exc)) from None
        finally:
            spent, tests = self._spent.get(c.rule.id, _NOT_YET)
            spent, tests = spent + time.perf_counter() - start, tests + 1
            self._spent[c.rule.id] = (spent, tests)
            allowed = RULE_BUDGET + tests * TEST_ALLOWANCE
            if spent > allowed:
                raise rule_failed(self.plan, c.rule, which, _(
                    "rule {r}: evaluating its conditions took more than {n} seconds; "
                    "stopped").format(r=c.rule.id, n=f"{allowed:.1f}"))

    def failure(self, c: Compiled, rec: Record, period: Period | None
                ) -> tuple[str, tuple[str, ...]] | None:
        """``None`` when ``rec`` passes every part of the rule (its ``condition``, or each of
        its ``checks``), else the first failing part's message and the fields read by the
        first ``&&``-part of it that ``rec`` fails."""
        for part in c.parts:
            try:
                ok = self._test(c, part.condition, part.which, rec, period, part.needs)
            except MissingValue as exc:  # a record without a field it reads fails it
                return (_("the condition could not be computed: {e}").format(e=exc),
                        self._failing_fields(c, part, rec, period))
            if not ok:
                return part.says(), self._failing_fields(c, part, rec, period)
        return None

    def check(self, c: Compiled, rec: Record, period: Period | None) -> str | None:
        """``None`` when ``rec`` satisfies the rule's condition (every check), else why not."""
        found = self.failure(c, rec, period)
        return found[0] if found is not None else None

    def failing_fields(self, c: Compiled, rec: Record, period: Period | None
                       ) -> tuple[str, ...]:
        """The fields read by the first ``&&``-part of the first failing condition."""
        found = self.failure(c, rec, period)
        return found[1] if found is not None else ()

    def _failing_fields(self, c: Compiled, part: Part, rec: Record, period: Period | None
                        ) -> tuple[str, ...]:
        """The fields read by the first ``&&``-part of ``part`` that ``rec`` fails."""
        key = (c.rule.id, part.which)
        pieces = self._parts.get(key)
        if pieces is None:
            pieces = self._parts[key] = _pieces(part)
        if len(pieces) == 1:  # the part failed, so its one piece is the failing one
            return pieces[0].fields or part.condition.r_fields or ()
        for piece in pieces:
            if piece.has is not None:  # `has(r.x)` is exactly "the record has x": no CEL
                ok = piece.has in rec.fields
            else:
                # only a diagnosis: a piece that fails on its own (its guard is in an
                # earlier piece) is simply the failing piece
                try:
                    ok = piece.condition.test(self.activation(rec, piece.needs, period))
                except ConditionError:
                    ok = False
            if not ok:
                return piece.fields
        return part.condition.r_fields or ()

    def _passes_where(self, c: Compiled, rec: Record, period: Period) -> bool:
        if c.where is None:
            return True
        cacheable = "period" not in c.where_needs
        key = (c.rule.id, rec.id)
        if cacheable and key in self._where_cache:
            return self._where_cache[key]
        try:
            ok = self._test(c, c.where, "where", rec, period, c.where_needs)
        except MissingValue:
            ok = False
        if cacheable:
            self._where_cache[key] = ok
        return ok

    # ------------------------------------------------------------ selection
    def select(self, c: Compiled, who: Selector, period: Period, *, upto: bool = False
               ) -> list[Record]:
        """Records that count for rule ``c``, ``who`` and ``period``.

        ``upto=True`` (registries) takes everything set up by the period's end instead of
        only what falls inside the period.
        """
        rule = c.rule
        cutoff = min(self.as_of, period.end) if upto else self.as_of
        out: list[Record] = []
        for type_id in rule.select.types:
            if who.target is not None:
                candidates = self.index.by_field(type_id, TARGET_FIELD).get(who.target, [])
            elif upto or rule.period_field or rule.date_field:
                candidates = self.index.of(type_id, who.units)
            else:
                candidates = self.index.between(type_id, who.units, period.start, period.end)
            for rec in candidates:
                day = rec.day(rule.date_field)
                if day is not None and day > cutoff:
                    continue
                if not upto and not self.in_period(rule, rec, day, period):
                    continue
                if self._passes_where(c, rec, period):
                    out.append(rec)
        return out

    def counted_day(self, rule: Rule, rec: Record) -> dt.date | None:
        """The day a deadline judges ``rec`` by: its commit day for ``basis: commit`` when
        known, else the rule's ``date_field`` or the record's ``date``."""
        if rule.due is not None and rule.due.basis == "commit" and self.commit_days:
            day = self.commit_days.get(rec.id)
            if day is not None:
                return day
        return rec.day(rule.date_field)

    @staticmethod
    def in_period(rule: Rule, rec: Record, day: dt.date | None, period: Period) -> bool:
        """Whether ``rec`` (counted on ``day``) belongs to ``period`` for ``rule``: by its
        ``period_field`` when the rule names one, else by the day."""
        if rule.period_field:
            return rec.fields.get(rule.period_field) == period.label
        return day is not None and period.contains(day)


def _period_value(period: Period | None) -> dict[str, Any]:
    if period is None:
        return {}
    return {"label": period.label, "name": period.name or "",
            "start": cel_time(day_start(period.start)), "end": cel_time(day_end(period.end))}
