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

from ..records.values import TZ


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
        except Exception as exc:  # the binding raises several types; all mean "no answer"
            raise ConditionError(f"{self.source}: {exc}") from exc

    def test(self, activation: dict[str, Any]) -> bool:
        """Evaluate as a condition: anything but ``True`` is false."""
        return self(activation) is True


def compile_condition(source: str) -> Condition:
    """Compile once; raise :class:`ConditionError` with the parser's words on a bad expression."""
    try:
        program = cel.compile(source)
    except Exception as exc:
        raise ConditionError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from exc
    # Only the fields the expression names are converted to CEL values per record; a bare
    # `r` (passed whole somewhere) keeps them all.
    bare = re.search(r"\br\b(?!\s*\.)", _STRINGS.sub("''", source))
    fields = None if bare else tuple(dict.fromkeys(_R_FIELD.findall(source)))
    return Condition(source, program, fields)


_R_FIELD = re.compile(r"\br\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


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
