"""Rule conditions in CEL (Common Expression Language), compiled once per rule.

CEL is a small, side-effect-free language made for exactly this: policy conditions written
by people who are not programmers, evaluated safely.  A plan expression can read the
variables below and nothing else; it can never run Python.

Variables an expression sees:

``r``        the record: its fields, plus ``id``, ``type``, ``unit``, ``date``; dates and
             date-times are timestamps (dates at 00:00 Asia/Shanghai)
``staff``    staff id → ``{"unit": …, "roles": [...], "name": …}``
``units``    unit id → ``{"kind": …, "parent": …, "name": …}``
``as_of``    the end of the as-of day, a timestamp
``period``   ``{"label", "name", "start", "end"}`` of the period being evaluated

Example: ``has(r.responded_at) && r.responded_at - r.reported_at <= duration('5m')``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import cel

# China Standard Time has had no daylight saving since 1991: a fixed +08:00 is exact,
# and it is what the CEL binding can convert (a ZoneInfo zone it cannot).
TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class ConditionError(Exception):
    """An expression that does not compile, or that failed on one record."""


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled CEL expression and its source text."""

    source: str
    program: Any

    def __call__(self, activation: dict[str, Any]) -> Any:
        try:
            return self.program.execute(activation)
        except Exception as exc:  # the binding raises several types; all mean "no answer"
            raise ConditionError(f"{self.source}: {exc}") from exc

    def test(self, activation: dict[str, Any]) -> bool:
        """Evaluate as a condition: anything but ``True`` is false."""
        return self(activation) is True


def compile_condition(source: str) -> Condition:
    """Compile once; raise :class:`ConditionError` with the parser's words on a bad expression."""
    try:
        return Condition(source, cel.compile(source))
    except Exception as exc:
        raise ConditionError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from exc


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=TZ)


def day_end(day: dt.date) -> dt.datetime:
    return day_start(day) + dt.timedelta(days=1) - dt.timedelta(microseconds=1)


def to_cel(value: Any) -> Any:
    """Python record values → CEL values (dates become timestamps)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(TZ)
    if isinstance(value, dt.date):
        return day_start(value)
    if isinstance(value, list | tuple):
        return [to_cel(v) for v in value]
    return value
