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
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..diagnostics import printable
from ..i18n import _
from ..records.values import TZ
from .fastcond import Fast, Unsure, compile_fast


def _load_cel() -> ModuleType:
    """The CEL extension module, without the package's interactive shell.

    ``import cel`` also imports ``cel.cli`` and prompt_toolkit (~135 ms, a tenth of a whole
    ``dc check``); the compiled extension beside it is all dc needs.
    """
    spec = importlib.util.find_spec("cel")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for so in sorted(Path(folder).glob("cel.*.so")) + sorted(Path(folder).glob("cel.*.pyd")):
            ext = importlib.util.spec_from_file_location("cel.cel", so)
            if ext and ext.loader:
                module = importlib.util.module_from_spec(ext)
                ext.loader.exec_module(module)
                return module
    import cel  # pragma: no cover - a layout without the bare extension file

    return cel


cel = _load_cel()



class ConditionError(Exception):
    """An expression that does not compile, or that failed on one record."""


class MissingValue(ConditionError):
    """The expression read a field or key the record (or a map) does not have.

    Normal for data: a record without the field simply does not satisfy the condition.
    """


class ConditionFailed(ConditionError):
    """The expression failed for another reason (wrong types, division by zero, overflow,
    an unknown function, a result that is not true or false): a fault of the plan."""


# What the CEL binding raises when an evaluation fails (found by experiment, version 0.10):
# KeyError for a missing field or map key; IndexError for a list index past the end;
# TypeError for operands of the wrong type; ZeroDivisionError/OverflowError for arithmetic;
# RuntimeError for unknown names and failing functions (int('x'), a bad regex); ValueError
# for values it cannot convert.  Only a missing field or key is the record's business: an
# index past the end is the plan's (guard it with size()).
_MISSING_ERRORS = (KeyError,)
_FAILED_ERRORS = (IndexError, TypeError, ArithmeticError, RuntimeError, ValueError)


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled CEL expression and its source text.

    Variables other than ``r`` (the staff and unit maps, ``as_of``) are the same objects from
    call to call; they are converted to CEL values once, into a ``cel.Context`` kept here,
    and only ``r`` (and a changed variable) is set per call — 15× faster than passing a dict.
    """

    source: str
    program: Any
    r_fields: tuple[str, ...] | None = None  # fields of `r` it reads, in order; None: all
    fast: Fast | None = None  # the same test in Python, for a simple condition (.fastcond)
    _bound: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _ctx: Any = field(default_factory=lambda: cel.Context(), compare=False, repr=False)

    def __call__(self, activation: dict[str, Any]) -> Any:
        ctx = self._ctx
        if "r" in activation:
            r = activation["r"]
            names = r.keys() if self.r_fields is None else self.r_fields
            activation = {**activation, "r": {k: to_cel(r[k]) for k in names if k in r}}
        for name, value in activation.items():
            # identity, not id(): holding the bound object keeps its id from being reused
            if name == "r" or self._bound.get(name) is not value:
                ctx.add_variable(name, value)
                if name != "r":
                    self._bound[name] = value
        try:
            return self.program.execute(ctx)
        except _MISSING_ERRORS as exc:
            raise MissingValue(_first_line(exc)) from exc
        except _FAILED_ERRORS as exc:
            raise ConditionFailed(_first_line(exc)) from exc

    def test(self, activation: dict[str, Any]) -> bool:
        """Evaluate as a condition; raise :class:`MissingValue` when it reads something
        absent, :class:`ConditionFailed` when it fails otherwise or is not a boolean.

        A simple condition is answered in Python where that answer is certain
        (:mod:`.fastcond`); CEL answers the rest, and gives every error its words."""
        if self.fast is not None and "r" in activation:
            try:
                return self.fast(activation)
            except Unsure:
                pass
        result = self(activation)
        if not isinstance(result, bool):
            raise ConditionFailed(_("the result is {v}, not true or false").format(
                v=printable(result, 60)))
        return result


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return printable(text.splitlines()[0] if text else type(exc).__name__)


def compile_condition(source: str) -> Condition:
    """Compile once; raise :class:`ConditionError` with the parser's words on a bad expression."""
    try:
        program = cel.compile(source)
    except _FAILED_ERRORS as exc:  # the binding raises ValueError for a parse error
        raise ConditionError(_first_line(exc)) from exc
    # Only the fields the expression names are converted to CEL values per record; a bare
    # `r` (passed whole somewhere) keeps them all.
    bare = re.search(r"\br\b(?!\s*\.)", _STRINGS.sub("''", source))
    fields = None if bare else tuple(dict.fromkeys(_R_FIELD.findall(source)))
    return Condition(source, program, fields, compile_fast(source))


_R_FIELD = re.compile(r"\br\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


# CEL timestamps run from 0001-01-01 to 9999-12-31 UTC.  Values handed to CEL are kept a year
# inside that range, so a plan's ``r.date + duration('720h')`` cannot overflow on a record
# dated at the end of the calendar; nothing a plan checks lies that far out.
CEL_MIN = dt.datetime(2, 1, 1, tzinfo=TZ)
CEL_MAX = dt.datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=TZ)


def day_start(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in Beijing time, for any day from ``date.min`` to ``date.max``."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=TZ)


def day_end(day: dt.date) -> dt.datetime:
    """The last microsecond of ``day`` in Beijing time (no overflow at ``date.max``)."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=TZ)


def cel_time(value: dt.datetime) -> dt.datetime:
    """An aware date-time as a CEL timestamp: in Beijing time, clamped to the safe range."""
    try:
        local = value.astimezone(TZ)
    except (OverflowError, ValueError):  # beyond the calendar once moved to +08:00
        return CEL_MAX if value.year > 5000 else CEL_MIN
    return min(max(local, CEL_MIN), CEL_MAX)


def to_cel(value: Any) -> Any:
    """Python record values → CEL values (dates become timestamps)."""
    if isinstance(value, dt.datetime):
        return cel_time(value)
    if isinstance(value, dt.date):
        return cel_time(day_start(value))
    if isinstance(value, list | tuple):
        return [to_cel(v) for v in value]
    return value


def conjuncts(source: str) -> list[str]:
    """The parts of ``a && b && c`` at the top level (not inside brackets or strings).

    Used to tell *which* part of a condition a record fails, so a message can point at the
    field that part reads.
    """
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(source):
        ch = source[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and source.startswith("&&", i):
            parts.append(source[start:i].strip())
            start = i + 2
            i += 1
        i += 1
    parts.append(source[start:].strip())
    return [p for p in parts if p]


# ---------------------------------------------------------------- cost
# Generous for real plans (the longest 2023 condition has 180 characters and one
# comprehension over six literal values), small enough that no condition can run for long:
MAX_SOURCE = 4000  # characters of one expression
MAX_LITERAL_ITEMS = 500  # items of one list or map literal
MAX_TOTAL_ITEMS = 1000  # items of all list and map literals together
MAX_STRING = 1000  # characters of one string literal
MAX_MACRO_DEPTH = 2  # comprehensions (all, exists, exists_one, map, filter) inside each other
MAX_LITERAL_PRODUCT = 10_000  # iterations of nested comprehensions over literals
MACROS = frozenset({"all", "exists", "exists_one", "existsOne", "map", "filter"})

_TOKEN = re.compile(r"""
    (?P<str>(?:[rR][bB]?|[bB][rR]?)?
        (?:\"\"\"(?:\\.|[^\\])*?\"\"\"|\'\'\'(?:\\.|[^\\])*?\'\'\'
          |"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<num>0[xX][0-9a-fA-F]+[uU]?|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?[uU]?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<space>\s+|//[^\n]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|.)
""", re.VERBOSE | re.DOTALL)


@dataclass
class _Open:
    """An open bracket while scanning: what it is and what is inside so far."""

    char: str
    literal: bool = False  # a list or map literal (not an index or a call)
    commas: int = 0
    empty: bool = True
    macro: bool = False
    range_size: int | None = None  # macro over a literal of this many items; None: data

    @property
    def items(self) -> int:
        return 0 if self.empty else self.commas + 1


def cost_problems(source: str) -> list[str]:
    """Why ``source`` is too expensive to evaluate, read from its text alone (empty: fine).

    CEL has no loops and no recursion: only comprehensions (``all``, ``exists``, ``map`` …)
    repeat work, over lists that are either literals in the source or record data.  So the
    limits are on the size of the source and its literals, on how deeply comprehensions
    nest, on the iterations nested comprehensions over literals make, and on nesting two
    comprehensions over data (a record list of n items would make n² iterations).
    """
    if len(source) > MAX_SOURCE:
        return [_("the expression has {n} characters; at most {m} are allowed").format(
            n=len(source), m=MAX_SOURCE)]
    out: list[str] = []
    stack: list[_Open] = []
    closed_at: dict[int, _Open] = {}  # token index of a closing bracket → what it closed
    total = 0
    tokens = [(m.lastgroup or "", m.group()) for m in _TOKEN.finditer(source)
              if m.lastgroup != "space"]
    for i, (kind, text) in enumerate(tokens):
        bracket = kind == "op" and text in "()[]{},"
        if stack and not (bracket and text in ")]},"):
            stack[-1].empty = False
        if kind == "str" and len(text) > MAX_STRING:
            body = text.lstrip("rRbB")
            quotes = 3 if body[:3] in ('"""', "'''") else 1
            if len(body) - 2 * quotes > MAX_STRING:
                out.append(_("a text literal has {n} characters; at most {m} are allowed")
                           .format(n=len(body) - 2 * quotes, m=MAX_STRING))
        if not bracket:
            continue
        if text in "([{":
            prev = tokens[i - 1] if i else ("", "")
            after_value = prev[0] in ("id", "num", "str") or prev[1] in (")", "]", "}")
            frame = _Open(text, literal=text in "[{" and not after_value)
            if (text == "(" and i >= 2 and prev[0] == "id" and prev[1] in MACROS
                    and tokens[i - 2][1] == "."):
                frame.macro = True
                receiver = closed_at.get(i - 3)
                frame.range_size = receiver.items if receiver and receiver.literal else None
                problem = _nesting_problem([*stack, frame])
                if problem:
                    out.append(problem)
            stack.append(frame)
        elif text == ",":
            if stack:
                stack[-1].commas += 1
        elif stack:
            closed = closed_at[i] = stack.pop()
            if closed.literal:
                total += closed.items
                if closed.items > MAX_LITERAL_ITEMS:
                    out.append(_("a literal has {n} items; at most {m} are allowed").format(
                        n=closed.items, m=MAX_LITERAL_ITEMS))
    if total > MAX_TOTAL_ITEMS:
        out.append(_("the literals have {n} items together; at most {m} are allowed").format(
            n=total, m=MAX_TOTAL_ITEMS))
    return list(dict.fromkeys(out))


def _nesting_problem(stack: list[_Open]) -> str | None:
    macros = [f for f in stack if f.macro]
    if len(macros) > MAX_MACRO_DEPTH:
        return _("comprehensions are nested {n} deep; at most {m} are allowed").format(
            n=len(macros), m=MAX_MACRO_DEPTH)
    if sum(f.range_size is None for f in macros) > 1:
        return _("a comprehension over record data inside another one over record data "
                 "may take too long; nest at most one over data")
    product = 1
    for f in macros:
        product *= f.range_size or 1
    if product > MAX_LITERAL_PRODUCT:
        return _("nested comprehensions over literals make {n} steps; at most {m} are "
                 "allowed").format(n=product, m=MAX_LITERAL_PRODUCT)
    return None
