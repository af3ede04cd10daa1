"""Pydantic's validation errors as a plan author reads them: in the active language, one per key.

A plan file (and a plan test's ``case.yaml``/``expected.yaml``) is checked by pydantic
models, whose messages are English and name Python types ("Input should be a valid
dictionary or instance of ExpectedAbsent").  :func:`said` gives each error's words in the
active language by its ``type`` — the kinds a hand-written YAML file runs into — and keeps
pydantic's text for any other; :func:`key_errors` keeps one error per key (a value that
fits no branch of a union, ``scope: comunity``, gives one error per branch).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from ..i18n import _
from ..load.yamlsafe import locate

Loc = tuple[str | int, ...]


def said(err: Any) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in the active language."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "value_error":  # the models' own checks: their message, already translated
        return str(ctx.get("error", err.get("msg", "")))
    if kind == "literal_error":
        return _("should be one of: {values}").format(values=ctx.get("expected", ""))
    if kind in ("greater_than_equal", "greater_than"):
        return _("should be at least {n}").format(n=ctx.get("ge", ctx.get("gt", "")))
    if kind in ("less_than_equal", "less_than"):
        return _("should be at most {n}").format(n=ctx.get("le", ctx.get("lt", "")))
    if kind == "string_pattern_mismatch":
        return _("should be an id of letters, digits, '-', '_' or '.'")
    for kinds, text in _PLAIN:
        if kind in kinds:
            return text()
    return str(err.get("msg", ""))


_PLAIN: tuple[tuple[frozenset[str], Any], ...] = (
    (frozenset({"missing"}), lambda: _("is required but missing")),
    (frozenset({"extra_forbidden"}), lambda: _("is not a key here (misspelt?)")),
    (frozenset({"dict_type", "model_type", "model_attributes_type", "mapping_type"}),
     lambda: _("should be a mapping (lines of key: value)")),
    (frozenset({"list_type", "tuple_type", "set_type"}), lambda: _("should be a list")),
    (frozenset({"string_type"}), lambda: _("should be text")),
    (frozenset({"int_type", "int_parsing", "int_from_float"}),
     lambda: _("should be a whole number")),
    (frozenset({"float_type", "float_parsing"}), lambda: _("should be a number")),
    (frozenset({"bool_type", "bool_parsing"}), lambda: _("should be true or false")),
    (frozenset({"date_type", "date_parsing", "date_from_datetime_parsing",
                "date_from_datetime_inexact", "datetime_type", "datetime_parsing"}),
     lambda: _("should be a date, e.g. 2024-03-01")),
)


def key_errors(exc: ValidationError, prefix: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """``(key path, words)`` for each key with an error, the first error of a key only; a
    union's branch names (``literal['a','b']``, ``list[...]``) are left out of the path."""
    seen: set[Loc] = set()
    for err in exc.errors():
        loc = prefix + tuple(x for x in err["loc"] if not (isinstance(x, str) and "[" in x))
        if loc not in seen:
            seen.add(loc)
            yield loc, said(err)


def placed_errors(exc: ValidationError, node: Any, prefix: Loc = ()
                  ) -> Iterator[tuple[int, int, str]]:
    """``(line, column, "key.path: words")`` for each key with an error, placed in the YAML
    ``node`` the model was validated from."""
    for loc, words in key_errors(exc, prefix):
        line, column = locate(node, loc)
        yield line, column, f"{'.'.join(str(x) for x in loc)}: {words}"
