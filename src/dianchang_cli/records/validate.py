"""One YAML value → a :class:`Record`, or the problems that keep it out of every count.

Checks, in order: it is a mapping; its type is known (by id or Chinese name); every key a
known field; every required field present; every value of the right form; references (unit,
staff, rule) exist; no resident ID-card or mobile number anywhere.  Record-to-record checks
(duplicate ids, references to other records) run once all files are read, in
:func:`cross_check`.

A valid record may still carry *warnings* (a date after today, or long before the plan
year): it is returned together with them and counts like any other.

Every check costs time linear in the size of the record, however hostile: each problem is
placed through a key → node map built once per mapping (:class:`_Places`), at most
:data:`LISTED` unknown keys and PII hits are listed one by one, and every value, key or
name a message quotes goes through :func:`~dianchang_cli.diagnostics.printable`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import Problem, Severity, printable
from ..i18n import N_, _
from ..planfile.model import UNIT_KIND_WORDS, FieldSpec, RecordType
from ..planfile.plan import Plan, with_names
from . import pii
from .model import Record, made, new_fields
from .values import MAX_TEXT, READERS, TZ, BadValue, read_text

_DATED = {"event", "document"}
LISTED = 20  # unknown keys (and PII hits) listed one by one; the rest are counted in one more

Path = tuple[str | int, ...]


class _Field:
    """How the values of one field of one record type are read: the field's name, spec and
    kind, and (for a kind whose values recur) the values read before, by what was written
    (see :meth:`Validator._scalar`).  Fields read alike share that memo, whatever their type
    (the ``date`` of every type: a day is read once, not once a type)."""

    __slots__ = ("kind", "listed", "memos", "name", "seen", "spec")

    def __init__(self, name: str, spec: FieldSpec, memos: _Memos) -> None:
        self.name, self.spec, self.memos = name, spec, memos
        self.kind: str = spec.value_kind
        self.listed = spec.type == "list"
        self.seen: dict[Any, Any] | None = memos.setdefault(
            (self.kind, tuple(spec.values or ()) if self.kind == "enum" else (), spec.min), {}
        ) if self.kind in _REMEMBERED else None

    def __reduce__(self) -> tuple[type[_Field], tuple[str, FieldSpec, _Memos]]:
        return _Field, (self.name, self.spec, self.memos)


class _Memos(dict[tuple[Any, ...], dict[Any, Any]]):
    """A validator's memos of values read, one for each way of reading a field (its kind,
    enum values and minimum).  Pickled empty, once for all its fields (for a loading
    worker): a worker remembers its own."""

    def __reduce__(self) -> tuple[type[_Memos], tuple[()]]:
        return _Memos, ()


class _Layout:
    """How a record of one type whose keys are written in one order is read: each key's
    field (``None``: no field of the type; a :class:`_Again`: a field named before), the
    key each field is written under, and for the record's ``keys``/``key_lines`` the
    fields' names and the positions of the keys naming one.  Worked out once for all the
    records laid out alike (:meth:`Validator._layout`)."""

    __slots__ = ("names", "picked", "slots", "written")

    def __init__(self, schema: TypeSchema, keys: tuple[Any, ...],
                 names: dict[tuple[Any, ...], tuple[Any, ...]]) -> None:
        slots: list[_Field | _Again | None] = []
        written: dict[str, Any] = {}
        for key in keys:
            field = schema.readers.get(key) if isinstance(key, str) else None
            if field is not None and field.name in written:
                slots.append(_Again(field))
            else:
                slots.append(field)
                if field is not None:
                    written[field.name] = key
        self.slots, self.written = tuple(slots), written
        self.picked = tuple(i for i, slot in enumerate(slots) if slot is not None)
        self.names = _intern(names, tuple(schema.keys[keys[i]] for i in self.picked))


class _Again:
    """A key naming a field that an earlier key of the record named already."""

    __slots__ = ("field",)

    def __init__(self, field: _Field) -> None:
        self.field = field


class TypeSchema:
    """A record type's fields merged with the common ones, prepared once per plan."""

    def __init__(self, plan: Plan, rtype: RecordType, memos: _Memos | None = None) -> None:
        """``memos``: the validator's, shared by every type (a table of this type's own
        when not given)."""
        self.type = rtype
        memos = _Memos() if memos is None else memos
        self.fields: dict[str, FieldSpec] = {**plan.common_fields, **rtype.fields}
        # Every spelling of a field's key (id, Chinese name, aliases) → its id; the plan
        # loader has made sure no spelling names two fields of one type.
        self.keys: dict[str, str] = {key: name for name, spec in self.fields.items()
                                     for key in spec.spellings(name)}
        # … and to how it is read: one lookup a key, one reader for all its spellings
        readers = {name: _Field(name, spec, memos) for name, spec in self.fields.items()}
        self.readers: dict[str, _Field] = {key: readers[name] for key, name in self.keys.items()}
        self.required = [n for n, s in self.fields.items() if s.required]
        self.not_before = [n for n, s in self.fields.items() if s.not_before]
        self.month_defaults = [(n, s.default_month_of) for n, s in self.fields.items()
                               if s.default_month_of]
        if rtype.kind in _DATED and "date" in self.fields and "date" not in self.required:
            self.required.append("date")
        # The plan is input too: names it defines are quoted capped, and prepared once.
        self.name = printable(rtype.name)
        self.field_list = _("fields of {t}: {names}").format(
            t=self.name, names=printable(", ".join(self.fields)))


class _Places:
    """``(line, column)`` of a path in one record's node tree.

    Each mapping on the way gets its key → (key node, value node) map once, so placing
    every one of 50,000 keys costs one pass, not 50,000.  Keys are matched as the values
    were built: the dict beside a mapping node has its keys in node order (duplicates never
    get this far), so a key such as ``~`` (None) or ``1`` (int) is found too.
    """

    def __init__(self, node: Node | None, value: Any) -> None:
        self.node, self.value = node, value
        self._maps: dict[int, dict[Any, tuple[Node, Node]]] = {}

    def _entries(self, node: MappingNode, value: Any) -> dict[Any, tuple[Node, Node]]:
        found = self._maps.get(id(node))
        if found is None:
            found = {}
            if isinstance(value, dict) and len(value) == len(node.value):
                for key, pair in zip(value, node.value, strict=True):
                    found.setdefault(key, pair)
            else:  # pragma: no cover - the value is always built from this node
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode):
                        found.setdefault(key_node.value, (key_node, value_node))
            self._maps[id(node)] = found
        return found

    def _step(self, node: Node, value: Any, step: Any) -> tuple[Node | None, Node, Any] | None:
        """One step of a path down the tree: the key node (``None`` in a list), the child
        node and its value; ``None`` where the path leaves the tree."""
        if isinstance(node, MappingNode):
            pair = self._entries(node, value).get(step)
            if pair is not None:
                return pair[0], pair[1], value.get(step) if isinstance(value, dict) else None
        elif isinstance(node, SequenceNode) and isinstance(step, int) \
                and 0 <= step < len(node.value):
            return None, node.value[step], value[step] if isinstance(value, list) \
                and step < len(value) else None
        return None

    def scalar_text(self, path: Path) -> str | None:
        """The text the scalar at ``path`` was written as (``12.10``, not the number 12.1),
        or ``None``: no node tree (the fast parse), or no scalar there."""
        node, value = self.node, self.value
        if node is None:
            return None
        for step in path:
            down = self._step(node, value, step)
            if down is None:
                return None
            _key, node, value = down
        return node.value if isinstance(node, ScalarNode) else None

    def key_node(self, key: Any) -> Node | None:
        """The node of a top-level key."""
        if not isinstance(self.node, MappingNode):
            return None
        pair = self._entries(self.node, self.value).get(key)
        return pair[0] if pair else None

    def __call__(self, path: Path, on_value: bool = True) -> tuple[int, int]:
        """The value at ``path`` (``on_value``) or its key; for a path that is not there,
        the key of the deepest part that is (the mapping itself at the top)."""
        if self.node is None:
            return 1, 1
        node, value = self.node, self.value
        last_key: Node | None = None
        for step in path:
            down = self._step(node, value, step)
            if down is None:
                return _mark(last_key or node)
            last_key, node, value = down
        return _mark(node if on_value or last_key is None else last_key)


def comment_pii(data: bytes, file: str, default_id: str) -> list[Problem]:
    """A ``pii`` problem for each comment of a record file (at most :data:`LISTED`)
    that holds an ID-card or mobile number (:func:`~.pii.in_comments`)."""
    found: list[Problem] = []
    for line, column, kind in pii.in_comments(data.decode("utf-8", "replace")):
        if len(found) == LISTED:
            break
        found.append(Problem(file, line, column, "pii", _(
            "a comment holds {what}; records must not hold resident data").format(
            what=_pii_what(kind)), expected=_(_PII_EXPECTED), record=default_id))
    return found


def _pii_what(kind: str) -> str:
    return _("a resident ID-card number") if kind == "id-card" else _("a mobile number")


_PII_EXPECTED = N_("remove it; records describe work, not people")


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _quote(value: Any) -> str:
    """A user's value or key, safe to show: capped, control characters escaped, and
    any ID-card or mobile number in it masked (a log must not leak what the record may not
    hold)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 4 * 200:  # do not normalise a megabyte to show 200 characters of it
        text = text[:4 * 200]
    return printable(pii.redact(text))


class Validator:
    """Validates records against one plan; build once, call for every file.

    ``today`` is the day a record may not be dated after (default: the real today).
    """

    def __init__(self, plan: Plan, today: dt.date | None = None) -> None:
        self.plan = plan
        self.today = today or dt.date.today()
        self.earliest = dt.date(min(max(plan.year - 1, dt.MINYEAR), dt.MAXYEAR), 1, 1)
        memos = _Memos()
        self.schemas = {t.id: TypeSchema(plan, t, memos) for t in plan.types.values()}
        self.rule_ids = {r.id for r in plan.rules}
        self._key_tuples: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._short: dict[str, str] = {}  # see _scalar
        self._room = MAX_REMEMBERED  # values the fields' memos may still take, in all
        self._line_tuples: dict[tuple[int, ...], tuple[int, ...]] = {}  # see _intern
        self._layouts: dict[tuple[str, tuple[Any, ...]], _Layout] = {}
        self.type_examples = printable("、".join(list(plan.type_names)[1:8:2]))
        # the plan's own words for a record's first lines (a type's name, a unit's id)
        self.example_type = printable(next((t.name or t.id for t in plan.types.values()), "…"),
                                      40)
        self.example_unit = printable(next((u.id for u in plan.units_of_kind("community")),
                                           next(iter(plan.units), "…")), 40)
        type_spec = plan.common_fields.get("type")
        self.type_keys = type_spec.spellings("type") if type_spec else ["type"]
        # each way of writing a type, as one shared string (a million records name a few)
        self._type_spellings = {name: name for name in plan.type_names}

    def type_of(self, value: dict[Any, Any]) -> tuple[str, TypeSchema | None]:
        """The key a record mapping names its type under (any spelling of ``type``; the
        first when none is written) and that type's schema, or ``None`` for no known type."""
        for type_key in self.type_keys:
            if type_key in value:
                break
        else:
            type_key = self.type_keys[0]
        name = value.get(type_key)
        type_id = self.plan.type_names.get(name) if isinstance(name, str) else None
        return type_key, self.schemas.get(type_id) if type_id else None

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (for a loading worker) without the memos of values (:attr:`_short`, and
        each :class:`_Field`'s): they only cost pickling."""
        return {**self.__dict__, "_short": {}, "_room": MAX_REMEMBERED}

    def validate(self, value: Any, node: Node | None, file: str, default_id: str,
                 scan_pii: bool = True, key_lines: tuple[int, ...] | None = None
                 ) -> tuple[Record | None, list[Problem]]:
        """One record and its warnings, or ``None`` and the problems that keep it out;
        ``scan_pii=False`` when the bytes cannot hold an ID-card or mobile number
        (:func:`~.pii.may_hold_pii`).

        Without a ``node`` (the fast parse, :mod:`~dianchang_cli.load.fastyaml`),
        ``key_lines`` gives the line of each top-level key of ``value`` in order, for the
        record's ``keys``/``key_lines``; problems are then placed at 1:1, so a caller that
        gets any re-validates with the node tree."""
        problems: list[Problem] = []
        place = _Places(node, value)

        def add(code: str, message: str, path: Path = (), expected: str | None = None,
                on_value: bool = True, severity: Severity = "error") -> None:
            line, col = place(path, on_value)
            problems.append(Problem(file, line, col, code, message, severity=severity,
                                    expected=expected, record=default_id, path=path))

        if not isinstance(value, dict):
            add("bad-value", _("a record must be a mapping of fields"),
                expected=_("lines such as 'type: {type}', 'unit: {unit}', 'title: …'").format(
                    type=self.example_type, unit=self.example_unit))
            return None, problems
        type_key, schema = self.type_of(value)
        type_name = value.get(type_key)
        if scan_pii:
            self._pii(value, add)
        if schema is None:
            if type_key in value:
                add("unknown-type", _("unknown record type '{t}'").format(t=_quote(type_name)),
                    (type_key,), expected=_("one of the plan's types, e.g. {examples}").format(
                        examples=self.type_examples))
            else:
                add("missing-field", _("the field 'type' is missing"),
                    expected=_("one of the plan's types, e.g. {examples}").format(
                        examples=self.type_examples))
            return None, problems
        layout = self._layout(schema, value)
        fields, written = self._fields(value, schema, layout, add, place)
        if problems:
            return None, problems
        rtype = schema.type
        unit = fields["unit"]
        written_type = fields.get("type")
        if written_type.__class__ is str:
            fields["type"] = self._type_spellings.get(written_type, written_type)
        if rtype.unit_kinds and self.plan.units[unit].kind not in rtype.unit_kinds:
            add("bad-value", _("a {t} record belongs to a {k}, not to '{u}'").format(
                t=schema.name, k="/".join(_(UNIT_KIND_WORDS[k]) for k in rtype.unit_kinds),
                u=_quote(self.plan.unit_name(unit))), (written["unit"],))
            return None, problems
        date = fields.get("date")
        date = date if isinstance(date, dt.date) else None
        if date is not None:
            self._date_warnings(date, (written["date"],), add)
        keys, lines = self._key_lines(node, schema, layout, key_lines)
        return made(str(fields.get("id", default_id)), rtype.id, unit, date,
                    fields.get("title", ""), fields, file, 1, keys, lines), problems

    def _pii(self, value: dict[Any, Any], add: Callable[..., None]) -> None:
        """A problem for each field (at most :data:`LISTED`) that holds resident data."""
        hits = 0
        for path, kind in pii.scan(value):
            hits += 1
            if hits > LISTED:
                continue
            in_key = bool(path) and pii.find_in_text(str(path[-1])) is not None  # not an index
            add("pii", _("field '{f}' holds {what}; records must not hold resident data")
                .format(f=_quote(".".join(map(str, path))), what=_pii_what(kind)), path,
                expected=_(_PII_EXPECTED), on_value=not in_key)
        if hits > LISTED:
            add("pii", _("and {n} more fields hold resident data").format(n=hits - LISTED),
                expected=_(_PII_EXPECTED))

    def _date_warnings(self, date: dt.date, path: Path, add: Callable[..., None]) -> None:
        """A record dated after today, or long before the plan year, is probably a typo."""
        if date > self.today:
            add("future-date", _("the record is dated {d}, after today ({today})").format(
                d=date.isoformat(), today=self.today.isoformat()), path,
                expected=_("the day it took place; a record of planned work is added "
                           "once it is done"), severity="warning")
        elif date < self.earliest:
            add("early-date", _("the record is dated {d}, long before the plan year {y}")
                .format(d=date.isoformat(), y=self.plan.year), path,
                expected=_("a date from {start} on; check the year").format(
                    start=self.earliest.isoformat()), severity="warning")

    def _key_lines(self, node: Node | None, schema: TypeSchema, layout: _Layout,
                   key_lines: tuple[int, ...] | None
                   ) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """``keys`` and ``key_lines`` of a record, from the node tree or else from the lines
        of its keys (``key_lines``); equal key tuples are one shared object."""
        if node is None and key_lines is not None:
            picked = layout.picked
            if len(picked) != len(key_lines):  # some key is not a field: its line goes
                key_lines = tuple(key_lines[i] for i in picked)
            return layout.names, _intern(self._line_tuples, key_lines)
        if not isinstance(node, MappingNode):
            return (), ()
        keys, lines = [], []
        for key, _value in node.value:
            name = schema.keys.get(key.value) if isinstance(key, ScalarNode) else None
            if name is not None:
                keys.append(name)
                lines.append(key.start_mark.line + 1)
        return _intern(self._key_tuples, tuple(keys)), _intern(self._line_tuples, tuple(lines))

    def _layout(self, schema: TypeSchema, value: dict[Any, Any]) -> _Layout:
        """The :class:`_Layout` of a record of ``schema`` with ``value``'s keys; remembered
        per type and key tuple (records repeat a handful), for short keys."""
        keys = tuple(value)
        known = self._layouts.get((schema.type.id, keys))
        if known is None:
            known = _Layout(schema, keys, self._key_tuples)
            if len(self._layouts) < MAX_LAYOUTS and all(
                    key.__class__ is str and len(key) <= 64 for key in keys):
                self._layouts[(schema.type.id, keys)] = known
        return known

    def _fields(self, value: dict[Any, Any], schema: TypeSchema, layout: _Layout,
                add: Callable[..., None], place: _Places
                ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The typed fields of a record, and the key each was written under."""
        out = new_fields(schema.type.id)  # the record's own fields: see new_fields
        written = layout.written  # shared by the records laid out alike: read only
        bad: set[str] = set()
        unknown = 0
        first_unlisted: Any = None
        for (key, raw), field in zip(value.items(), layout.slots, strict=True):
            if not isinstance(field, _Field):
                if field is None:
                    unknown += 1
                    if unknown <= LISTED:
                        self._unknown_key(key, schema, add, place)
                    elif unknown == LISTED + 1:
                        first_unlisted = key
                else:
                    name = field.field.name
                    add("duplicate-key", _("'{k}' is the same field as '{first}'").format(
                        k=_quote(key), first=_quote(written[name])), (key,),
                        expected=_("each field once"), on_value=False)
                    bad.add(name)
                continue
            name = field.name
            if raw is None or raw == [] or raw == "":
                continue  # an empty value is the same as leaving the field out
            cls = raw.__class__
            if (cls is int or cls is float or (cls is list and any(
                    item.__class__ in _NUMBERS for item in raw))) and field.kind in _AS_WRITTEN:
                raw = _as_written(key, raw, place)
                if raw is None:  # the fast parse keeps no written text: the caller
                    bad.add(name)  # parses the file again, with its nodes
                    add("bad-value", _("field '{f}' holds a number where text is expected")
                        .format(f=_quote(key)), (key,), expected=_("text"))
                    continue
            try:
                if field.listed:
                    out[name] = [self._scalar(field, item)
                                 for item in (raw if isinstance(raw, list) else [raw])]
                else:
                    out[name] = self._scalar(field, raw)
            except BadValue as exc:
                bad.add(name)
                path, shown = self._culprit(field, key, raw)
                add("bad-value", _("field '{f}' has a bad value: '{v}'").format(
                    f=_quote(key), v=_quote(shown)), path, expected=exc.expected)
            except _Unknown as unknown_ref:
                bad.add(name)
                add(unknown_ref.code, unknown_ref.message, self._culprit(field, key, raw)[0],
                    expected=unknown_ref.expected)
        if unknown > LISTED:
            add("unknown-field", _("and {n} more unknown fields").format(n=unknown - LISTED),
                (first_unlisted,), expected=schema.field_list, on_value=False)
        for name in schema.required:
            if name not in out and name not in bad:
                add("missing-field", _("the field '{f}' ({label}) is required for {t}").format(
                    f=printable(name), label=printable(schema.fields[name].name or name),
                    t=schema.name), expected=_("add '{f}: …'").format(f=printable(name)),
                    on_value=False)
        for name in schema.not_before:
            self._not_before(name, schema.fields[name].not_before or "", out, written, add)
        for name, of in schema.month_defaults:
            if name not in out:
                source = out.get(of)
                if isinstance(source, dt.date):
                    out[name] = f"{source.year:04d}-{source.month:02d}"
        return out, written

    def _culprit(self, field: _Field, key: Any, raw: Any) -> tuple[Path, Any]:
        """Where a bad value is, and the value to quote: for a list, its first bad item
        (``evidence.1``), not the whole list."""
        if field.listed and isinstance(raw, list):
            for i, item in enumerate(raw):
                try:
                    self._scalar(field, item)
                except (BadValue, _Unknown):
                    return (key, i), item
        return (key,), raw

    @staticmethod
    def _not_before(name: str, other: str, out: dict[str, Any], written: dict[str, Any],
                    add: Callable[..., None]) -> None:
        """``bad-value`` at ``name`` when it is earlier than ``other`` (both present): a
        reply before the report is a typing mistake, not a late reply."""
        later, earlier = out.get(name), out.get(other)
        if not isinstance(later, dt.date) or not isinstance(earlier, dt.date) \
                or isinstance(later, dt.datetime) != isinstance(earlier, dt.datetime):
            return
        if later >= earlier:  # type: ignore[operator]  # both dates, or both date-times
            return
        shown, other_shown = _moments(later, earlier)
        add("bad-value", _("{f} ({v}) is earlier than {o} ({ov})").format(
            f=_quote(written[name]), v=shown, o=_quote(written[other]), ov=other_shown),
            (written[name],), expected=_("{f} on or after {o}").format(
                f=_quote(written[name]), o=_quote(written[other])))

    @staticmethod
    def _unknown_key(key: Any, schema: TypeSchema, add: Callable[..., None],
                     place: _Places) -> None:
        """``bad-key`` for a key that cannot name a field (null, empty, a number),
        ``unknown-field`` for a word that is not one of the type's fields."""
        if isinstance(key, str) and key.strip():
            add("unknown-field", _("unknown field '{f}' for type {t}").format(
                f=_quote(key), t=schema.name), (key,), expected=schema.field_list,
                on_value=False)
            return
        node = place.key_node(key)
        written = node.value if isinstance(node, ScalarNode) else key
        if key is None or (isinstance(key, str) and not key.strip()):
            message = _("a key is empty or null ('{k}'): every key names a field").format(
                k=_quote(written))
        else:
            message = _("the key '{k}' is not a word: every key names a field").format(
                k=_quote(written))
        add("bad-key", message, (key,), expected=schema.field_list, on_value=False)

    def _scalar(self, field: _Field, raw: Any) -> Any:
        """One value of a field (an item, for a list), read and checked; a value read
        before (the same day, unit, staff member, enum value … recurs across thousands of
        records) is answered from the field's memo — values are immutable, and a bad value
        is never remembered."""
        kind = field.kind
        if kind == "text" and raw.__class__ is str:
            if len(raw) > SHORT_TEXT:  # a title, a summary: good text up to MAX_TEXT
                return raw if len(raw) <= MAX_TEXT else read_text(raw)
            # always good text: kept once for all the records repeating it
            found = self._short.get(raw)
            if found is None:
                found = raw
                if len(self._short) < MAX_REMEMBERED:
                    self._short[raw] = raw
            return found
        seen = field.seen
        if seen is not None and raw.__class__ in _PLAIN:
            key = raw if raw.__class__ is str else (raw.__class__, raw)  # 1 is not True
            found = seen.get(key, _UNSEEN)
            if found is _UNSEEN:
                found = self._check_scalar(kind, field.spec, raw)
                if self._room > 0:
                    self._room -= 1
                    seen[key] = found
            return found
        return self._check_scalar(kind, field.spec, raw)

    def _check_scalar(self, kind: str, spec: FieldSpec, raw: Any) -> Any:
        value = READERS[kind](raw)
        if kind == "enum" and value not in (spec.values or ()):
            raise BadValue(_("one of: {values}").format(
                values=printable("、".join(spec.values or ()))))
        if spec.min is not None and isinstance(value, int | float) and value < spec.min:
            raise BadValue(_("at least {n}").format(n=_num(spec.min)))
        if kind == "unit" and value not in self.plan.units:
            raise _Unknown("unknown-unit", _("unknown unit '{u}'").format(u=_quote(value)),
                           _("a unit id of plan/units.yaml, e.g. {e}").format(
                               e=printable(", ".join(with_names(self.plan.units.values(),
                                                                 3)))))
        if kind == "staff" and value not in self.plan.staff:
            raise _Unknown("unknown-staff", _("unknown staff '{s}'").format(s=_quote(value)),
                           _("a staff id of plan/units.yaml, e.g. {e}").format(
                               e=printable(", ".join(with_names(self.plan.staff.values(),
                                                                 3)))))
        if kind == "rule" and value not in self.rule_ids:
            raise _Unknown("unknown-rule", _("unknown rule '{r}'").format(r=_quote(value)),
                           _("a rule id of the plan (dc rules lists them)"))
        return value


# Kinds read as text: a number written there is kept as the person wrote it (``rule: 12.10``
# is rule 12.10, not 12.1; ``location: 0x1F`` is not 31), from the scalar's node.
_AS_WRITTEN = frozenset({"text", "staff", "unit", "record", "rule", "enum", "url", "period"})
_NUMBERS = (int, float)


def _as_written(key: Any, raw: Any, place: _Places) -> Any:
    """``raw`` (a number, or a list holding some) with each number replaced by the text it
    was written as; ``None`` without a node tree to read that text from."""
    if raw.__class__ is not list:
        return place.scalar_text((key,))
    out = []
    for i, item in enumerate(raw):
        if item.__class__ in _NUMBERS:
            item = place.scalar_text((key, i))
            if item is None:
                return None
        out.append(item)
    return out


# Kinds whose values recur (days, ids, enum values, counts) and are read from plain
# scalars: remembered per validator.  Text and links are mostly unique: not remembered,
# except short text (a place, an organiser), kept once for every record that repeats it.
_REMEMBERED = frozenset({"integer", "number", "bool", "date", "datetime", "month", "period",
                         "staff", "unit", "rule", "enum", "record"})
_PLAIN = frozenset({str, int, bool})  # not float: -0.0 equals 0.0
_UNSEEN = object()
MAX_LAYOUTS = 4096  # key layouts remembered per validator (records repeat a handful)
MAX_REMEMBERED = 50_000  # values remembered per validator, in all fields' memos (and short texts)
SHORT_TEXT = 10  # characters: text this short is remembered (a title is usually longer)


def _intern(table: dict[tuple[Any, ...], tuple[Any, ...]], value: tuple[Any, ...]
            ) -> tuple[Any, ...]:
    """One object for equal tuples (the keys and key lines of records laid out alike): less
    memory for a million records, and a cache pickles each layout once per part.  At most
    :data:`MAX_REMEMBERED` are kept."""
    if len(table) < MAX_REMEMBERED:
        return table.setdefault(value, value)
    return table.get(value, value)


def _moments(a: dt.date, b: dt.date) -> tuple[str, str]:
    """Two dates, or two date-times in Beijing time: only the time of day when both fall on
    the same day (``10:03``, ``10:05``), else the day too."""
    if not isinstance(a, dt.datetime) or not isinstance(b, dt.datetime):
        return a.isoformat(), b.isoformat()
    a, b = a.astimezone(TZ), b.astimezone(TZ)
    fmt = "%H:%M:%S" if a.second or b.second else "%H:%M"
    if a.date() != b.date():
        fmt = "%Y-%m-%d " + fmt
    return a.strftime(fmt), b.strftime(fmt)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _field_label(name: str, spec: FieldSpec) -> str:
    """A field as a message names it when the key the record wrote is no longer at hand:
    its Chinese name and its id (``发布账号（account）``)."""
    return printable(f"{spec.name}（{name}）" if spec.name and spec.name != name else name)


class _Unknown(Exception):
    def __init__(self, code: str, message: str, expected: str) -> None:
        super().__init__(message)
        self.code, self.message, self.expected = code, message, expected


def cross_check(plan: Plan, records: Iterable[Record], references: bool = True
                ) -> tuple[list[Record], list[Problem]]:
    """Checks across records: unique ids, and (``references``) that references point somewhere.
    Each problem is placed at the line of the field at fault (``id``, the reference).

    Returns the records that pass and the problems of those that do not.
    """
    records = list(records)
    problems: list[Problem] = []
    by_id: dict[str, Record] = {}
    bad: set[int] = set()
    for i, rec in enumerate(records):
        first = by_id.get(rec.id)
        if first is not None:
            problems.append(Problem(rec.file, rec.line_of(("id",)), 1, "duplicate-id",
                                    _("record id '{id}' is also used by {other}").format(
                                        id=_quote(rec.id), other=printable(first.file)),
                                    expected=_("a unique 'id', or none (the file path is used)"),
                                    record=rec.id))
            bad.add(i)
        else:
            by_id[rec.id] = rec
    # the fields of each type that name another record (most types have none)
    pointing = {type_id: plan.record_fields(type_id) for type_id in plan.types}
    for i, rec in enumerate(records if references else ()):
        for name, spec in pointing[rec.type]:
            if name not in rec.fields:
                continue
            target = by_id.get(rec.fields[name])
            if target is None or (spec.to and target.type != spec.to):
                problems.append(Problem(rec.file, rec.line_of((name,)), 1, "unknown-record",
                                        _("field '{f}' points to '{v}', which is not a {t} record")
                                        .format(f=_field_label(name, spec),
                                                v=_quote(rec.fields[name]),
                                                t=printable(plan.types[spec.to].name)
                                                if spec.to in plan.types else ""),
                                        expected=_("the id of an existing record"),
                                        record=rec.id, path=(name,)))
                bad.add(i)
    if not bad:
        return records, problems
    return [r for i, r in enumerate(records) if i not in bad], problems
