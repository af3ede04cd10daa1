"""Simple conditions answered in Python, without a CEL call per record.

Most conditions of a plan are small: ``has(r.kind) && r.kind == '专题研究'``,
``r.volunteers > 0``, ``'意识形态' in r.topics``, ``size(r.partners) > 0``,
``r.festival == period.name`` (a field against a field of another variable, as text), and
the look-ups of a staff member: ``r.reviewer in staff && 'secretary' in
staff[r.reviewer].roles && staff[r.reviewer].unit == r.unit``.  Handing each
record to CEL costs a conversion of the record into a CEL map and a call (~6 µs); the same
test in Python costs a dictionary lookup.  :func:`compile_fast` turns a condition of that
shape into a Python function, and returns ``None`` for anything else (CEL answers those).

The function gives exactly CEL's answer or none at all:

* It answers only where the meaning is beyond doubt: text compared with text, whole
  numbers with whole numbers, true/false with true/false, ``in`` over a list of texts,
  ``size`` of text or a list.  A value of any other type (a date, a number with a fraction,
  a mixed list) raises :class:`Unsure`, and the caller asks CEL for that record.
* A field the record does not have (or a key a map of ``staff``/``units`` does not have) is
  :data:`MISSING` inside the expression, combined as
  CEL combines errors: ``false && error`` is false, ``true || error`` is true, anything
  else with an error is an error.  An error at the top raises :class:`Unsure` too — CEL then
  gives the same error with its own message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Fast = Callable[[dict[str, Any]], bool]  # the activation (``r``, ``period`` …) → its value


class Unsure(Exception):
    """This record is not one the Python form answers for certain: ask CEL."""


class _Missing:
    """An error value inside an expression (a field the record does not have)."""


MISSING = _Missing()
_Node = Callable[[dict[str, Any], dict[str, Any]], "bool | _Missing"]  # (r, activation)

_TOKENS = re.compile(r"""
    \s*(?:
      (?P<str>'[^'\\\n]*'|"[^"\\\n]*")
    | (?P<int>-?\d+)(?![\d.eExXuU])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>&&|\|\||==|!=|<=|>=|[<>!().,\[\]])
    )""", re.VERBOSE)
_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
_MAX_INT = 2**63 - 1  # CEL's int is 64-bit: a larger literal is CEL's business
_WORDS = frozenset({"r", "has", "size", "true", "false", "in", "null"})  # not a variable


def compile_fast(source: str) -> Fast | None:
    """The Python form of ``source``, or ``None`` when it is not a simple condition."""
    tokens = _tokenize(source)
    if tokens is None:
        return None
    parser = _Parser(tokens)
    try:
        node = parser.expression()
        if parser.peek() is not None:
            return None
    except _NotSimple:
        return None

    def run(activation: dict[str, Any]) -> bool:
        value = node(activation["r"], activation)
        if value is MISSING:
            raise Unsure
        return value  # type: ignore[return-value]  # MISSING was handled above

    return run


class _NotSimple(Exception):
    """The expression uses something outside the simple forms."""


def _tokenize(source: str) -> list[tuple[str, str]] | None:
    out: list[tuple[str, str]] = []
    pos = 0
    source = source.rstrip()
    while pos < len(source):
        match = _TOKENS.match(source, pos)
        if match is None or match.end() == pos:
            return None
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    """Recursive descent over the simple forms; anything else raises :class:`_NotSimple`."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, text: str | None = None, kind: str | None = None) -> str:
        token = self.peek()
        if token is None or (text is not None and token[1] != text) \
                or (kind is not None and token[0] != kind):
            raise _NotSimple
        self.i += 1
        return token[1]

    def at(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] == text

    def at_end(self) -> bool:
        """Whether the operand just read ends here (the text, a junction or a ``)``)."""
        token = self.peek()
        return token is None or token[1] in ("&&", "||", ")")

    def expression(self) -> _Node:
        return self.chain("||", self.conjunction, True)

    def conjunction(self) -> _Node:
        return self.chain("&&", self.unary, False)

    def chain(self, op: str, operand: Callable[[], _Node], decides: bool) -> _Node:
        """``operand (op operand)*``, joined left to right by :func:`_junction`."""
        node = operand()
        while self.at(op):
            self.take(op)
            node = _junction(node, operand(), decides)
        return node

    def unary(self) -> _Node:
        if self.at("!"):
            self.take("!")
            return _not(self.unary())
        if self.at("("):
            self.take("(")
            node = self.expression()
            self.take(")")
            return node
        return self.atom()

    def field(self) -> str:
        self.take("r", "name")
        self.take(".")
        return self.take(kind="name")

    def field_of(self, function: str) -> str:
        """``function(r.FIELD)``: the field's name."""
        self.take(function)
        self.take("(")
        name = self.field()
        self.take(")")
        return name

    def variable(self) -> tuple[str, str]:
        """``NAME.FIELD``: a field of another variable (``period.name``)."""
        name = self.take(kind="name")
        self.take(".")
        return name, self.take(kind="name")

    def entry(self) -> tuple[str, str, str]:
        """``NAME[r.FIELD].KEY``: a key of the entry of a map (``staff``, ``units``) that a
        field of the record names."""
        variable = self.take(kind="name")
        if variable in _WORDS:
            raise _NotSimple
        self.take("[")
        name = self.field()
        self.take("]")
        self.take(".")
        return variable, name, self.take(kind="name")

    def literal(self) -> Any:
        token = self.peek()
        if token is None:
            raise _NotSimple
        kind, text = token
        self.i += 1
        if kind == "str":
            return text[1:-1]
        if kind == "int" and abs(int(text)) <= _MAX_INT:
            return int(text)
        if kind == "name" and text in ("true", "false"):
            return text == "true"
        raise _NotSimple

    def atom(self) -> _Node:
        token = self.peek()
        if token is None:
            raise _NotSimple
        if token == ("name", "has"):
            name = self.field_of("has")
            return lambda r, env: name in r
        if token == ("name", "size"):
            name = self.field_of("size")
            op = self.take(kind="op")
            limit = self.literal()
            if op not in _COMPARE or type(limit) is not int:
                raise _NotSimple
            return _size(name, _COMPARE[op], limit)
        if token == ("name", "r"):
            name = self.field()
            if self.at_end():
                return _flag(name)
            if self.peek() == ("name", "in"):  # r.X in staff: a key of a map
                self.take("in")
                variable = self.take(kind="name")
                if variable in _WORDS:
                    raise _NotSimple
                return _key_of(name, variable)
            op = self.take(kind="op")
            if op not in _COMPARE:
                raise _NotSimple
            if self.peek() == ("name", "r"):
                return _same_text(name, op, self.field())
            token = self.peek()
            if token is not None and token[0] == "name" and token[1] not in _WORDS \
                    and op in ("==", "!="):
                return _same_as_variable(name, op, *self.variable())
            return _compare(name, op, self.literal())
        if token[0] == "name" and token[1] not in _WORDS:  # staff[r.X].F == r.Y
            entry = self.entry()
            op = self.take(kind="op")
            if op not in ("==", "!="):
                raise _NotSimple
            return _entry_is(entry, op, self.field())
        value = self.literal()
        if type(value) is str and self.peek() == ("name", "in"):
            self.take("in")
            if self.peek() == ("name", "r"):
                return _member(value, self.field())
            return _in_entry(value, self.entry())
        if type(value) is bool and self.at_end():
            return lambda r, env: value
        raise _NotSimple


def _value(r: dict[str, Any], name: str) -> Any:
    return r.get(name, MISSING)


def _flag(name: str) -> _Node:
    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        value = _value(r, name)
        if value is MISSING:
            return MISSING
        if type(value) is not bool:
            raise Unsure
        return value
    return node


def _compare(name: str, op: str, literal: Any) -> _Node:
    """``r.name <op> literal``.  A whole-number literal also meets a number with a fraction,
    as in CEL (``2.5 > 0``), except NaN, which CEL refuses to order."""
    kind, test = type(literal), _COMPARE[op]
    if kind is bool and op not in ("==", "!="):
        raise _NotSimple  # CEL orders booleans; no plan needs it
    numbers = (int, float) if kind is int else (kind,)

    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        value = _value(r, name)
        if value is MISSING:
            return MISSING
        if type(value) not in numbers or value != value:  # NaN is not equal to itself
            raise Unsure
        return test(value, literal)
    return node


def _same_text(left: str, op: str, right: str) -> _Node:
    """``r.left <op> r.right`` for two texts (any other pair: CEL decides)."""
    test = _COMPARE[op]

    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        return _texts(_value(r, left), _value(r, right), test)
    return node


def _texts(a: Any, b: Any, test: Callable[[str, str], bool]) -> bool | _Missing:
    """``test`` of two texts; :data:`MISSING` where either is missing (and the other is text
    or missing); anything else is CEL's to say."""
    if (a is not MISSING and type(a) is not str) or (b is not MISSING and type(b) is not str):
        raise Unsure
    if a is MISSING or b is MISSING:
        return MISSING
    return test(a, b)


def _same_as_variable(left: str, op: str, variable: str, key: str) -> _Node:
    """``r.left == variable.key`` (or ``!=``) for two texts: ``period.name`` and the like.
    Anything but text on either side, or a variable that is not there, is CEL's to say."""
    test = _COMPARE[op]

    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        holder = env.get(variable)
        other = holder.get(key) if type(holder) is dict else None
        if type(other) is not str:
            raise Unsure
        a = _text(r, left)
        return a if a is MISSING else test(a, other)
    return node


def _text(r: dict[str, Any], name: str) -> str | _Missing:
    """The record's text ``name``, :data:`MISSING` where it has none; any other value is
    CEL's to say."""
    value = _value(r, name)
    if value is not MISSING and type(value) is not str:
        raise Unsure
    return value  # type: ignore[no-any-return]


def _contains(value: Any, literal: str) -> bool | _Missing:
    """``literal in value`` for a list of texts; :data:`MISSING` stays so; anything else is
    CEL's to say."""
    if value is MISSING:
        return MISSING
    if type(value) is not list or any(type(item) is not str for item in value):
        raise Unsure
    return literal in value


def _member(literal: str, name: str) -> _Node:
    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        return _contains(_value(r, name), literal)
    return node


def _keyed(r: dict[str, Any], env: dict[str, Any], variable: str, name: str
           ) -> tuple[dict[Any, Any], str] | _Missing:
    """The map ``variable`` and the text ``r.name`` to look up in it; :data:`MISSING` where
    the record has no such field; anything unusual is CEL's to say."""
    holder = env.get(variable)
    if type(holder) is not dict:
        raise Unsure
    at = _text(r, name)
    return at if at is MISSING else (holder, at)  # type: ignore[return-value]


def _key_of(name: str, variable: str) -> _Node:
    """``r.name in variable``: the text is a key of that map."""
    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        keyed = _keyed(r, env, variable, name)
        return keyed if keyed is MISSING else keyed[1] in keyed[0]  # type: ignore[index]
    return node


def _looked_up(r: dict[str, Any], env: dict[str, Any], entry: tuple[str, str, str]) -> Any:
    """``variable[r.name].key``: its value, :data:`MISSING` where the field, the entry or
    the key is not there (CEL's "no such key")."""
    variable, name, key = entry
    keyed = _keyed(r, env, variable, name)
    if keyed is MISSING:
        return MISSING
    holder, at = keyed  # type: ignore[misc]
    found = holder.get(at, MISSING)
    if found is MISSING:
        return MISSING
    if type(found) is not dict:
        raise Unsure
    return found.get(key, MISSING)


def _in_entry(literal: str, entry: tuple[str, str, str]) -> _Node:
    """``'literal' in variable[r.name].key``, that key holding a list of texts."""
    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        return _contains(_looked_up(r, env, entry), literal)
    return node


def _entry_is(entry: tuple[str, str, str], op: str, other: str) -> _Node:
    """``variable[r.name].key == r.other`` (or ``!=``), both texts."""
    test = _COMPARE[op]

    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        return _texts(_looked_up(r, env, entry), _value(r, other), test)
    return node


def _size(name: str, test: Callable[[int, int], bool], limit: int) -> _Node:
    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        value = _value(r, name)
        if value is MISSING:
            return MISSING
        if type(value) is not list and (type(value) is not str or not value.isascii()):
            raise Unsure  # the size of non-ASCII text is CEL's to say (its count differs)
        return test(len(value), limit)
    return node


def _junction(left: _Node, right: _Node, decides: bool) -> _Node:
    """``&&`` (``decides=False``: a false side makes it false) or ``||`` (``decides=True``:
    a true side makes it true), with CEL's errors: a deciding side wins over an error on
    the other; otherwise an error is the answer."""
    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        a = left(r, env)
        if a is decides:
            return decides
        b = right(r, env)
        if b is decides:
            return decides
        return MISSING if a is MISSING or b is MISSING else not decides
    return node


def _not(inner: _Node) -> _Node:
    def node(r: dict[str, Any], env: dict[str, Any]) -> bool | _Missing:
        value = inner(r, env)
        return value if value is MISSING else not value
    return node
