"""A validated record: frozen, typed, and carrying the file and line it came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from sys import getrefcount
from typing import Any

from .values import TZ

MAX_LAYOUTS = 256  # record types given a shared key table; a plan has a few dozen
MAX_NAME_TUPLES = 256  # field-name tuples kept as one object each (see Record.__reduce__)


def new_fields(type_id: str, items: Iterable[tuple[str, Any]] = ()) -> dict[str, Any]:
    """A plain ``dict`` for a record's fields that shares its table of keys with every other
    record of ``type_id``: half the size of a dict of its own (~150 bytes against ~280 for
    seven fields, 130 MB over a million records).

    It is CPython's *key-sharing* dict, the kind every object's ``__dict__`` is: the keys
    live once in the class of a (never used) layout object per type, each dict holds only
    its values.  It is a real ``dict`` in every way; a key the table cannot take, or any
    other Python, simply gives an ordinary dict — only the memory differs."""
    layout = _LAYOUTS.get(type_id)
    if layout is None:
        if len(_LAYOUTS) >= MAX_LAYOUTS:
            return dict(items)
        layout = _LAYOUTS[type_id] = type("Fields", (), {"__module__": __name__})
    fields: dict[str, Any] = object.__new__(layout).__dict__
    fields.update(items)
    return fields


_LAYOUTS: dict[str, type] = {}  # record type → the class holding its records' key table


@dataclass(frozen=True, slots=True)
class Record:
    """One activity, document or registry entry.

    ``fields`` holds every field of the record, typed (dates as ``date``, date-times as aware
    ``datetime``), under its canonical name; treat it as read-only.  ``date`` is the day the
    record counts on (``None`` only for a registry entry written without one).
    ``keys``/``key_lines`` keep each top-level field and its line, read from the YAML nodes
    while they were at hand, so a message about a field can point at it without parsing the
    file again.  (Two flat tuples, the first shared by every record with the same keys:
    cheap to send back from the loading workers.)
    """

    id: str
    type: str
    unit: str
    date: dt.date | None
    title: str
    fields: dict[str, Any]
    file: str
    line: int = 1
    keys: tuple[str, ...] = ()  # top-level fields in file order (canonical names)
    key_lines: tuple[int, ...] = ()  # their lines

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled (for the record cache, and back from a loading worker) as a call of
        :func:`rebuilt`: unpickling then skips a slotted dataclass's generic state restoring,
        and the fields come back sharing their type's key table (:func:`new_fields`)."""
        fields = self.fields
        names = tuple(fields)
        return rebuilt, (self.id, self.type, self.unit, self.date, self.title,
                         _NAMES.setdefault(names, names) if len(_NAMES) < MAX_NAME_TUPLES
                         else names,
                         tuple(fields.values()), self.file, self.line, self.keys,
                         self.key_lines)

    def line_of(self, names: tuple[str, ...]) -> int:
        """The line of the first of ``names`` the record has, else its first line."""
        for name in names:
            if name in self.keys:
                return self.key_lines[self.keys.index(name)]
        return self.line

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def day(self, field: str | None) -> dt.date | None:
        """The day a rule counts this record on: ``field`` if given and set, else ``date``."""
        if field:
            value = self.fields.get(field)
            if isinstance(value, dt.datetime):
                return value.astimezone(TZ).date()
            if isinstance(value, dt.date):
                return value
            return None
        return self.date


_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}  # one object per field-name tuple:
# pickled once per part of the record cache, then referred to


def made(record_id: str, record_type: str, unit: str, date: dt.date | None, title: str,
         fields: dict[str, Any], file: str, line: int, keys: tuple[str, ...],
         key_lines: tuple[int, ...]) -> Record:
    """``Record(...)`` as the loaders make hundreds of thousands of them: the same object,
    its slots filled directly.  (A frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``: 1.0 µs for ten, against 0.55 µs here.)"""
    record = _new(Record)
    _id(record, record_id)
    _type(record, record_type)
    _unit(record, unit)
    _date(record, date)
    _title(record, title)
    _fields(record, fields)
    _file(record, file)
    _line(record, line)
    _keys(record, keys)
    _key_lines(record, key_lines)
    return record


_new = object.__new__
(_id, _type, _unit, _date, _title, _fields, _file, _line, _keys, _key_lines) = (
    Record.__dict__[name].__set__ for name in  # each slot's own setter
    ("id", "type", "unit", "date", "title", "fields", "file", "line", "keys", "key_lines"))


def to_file(record: Record) -> tuple[Any, tuple[Any, ...]]:
    """How every cache file pickles a :class:`Record` (:meth:`Record.__reduce__` serves a
    loading worker's records).

    Each non-ASCII text only its record holds (a title, a summary) is written as UTF-8
    bytes, with the names of the fields holding one: CPython's pickler keeps a UTF-8 copy
    inside every non-ASCII ``str`` it writes, and in a forked writer sharing the parent's
    million records those copies would all be new memory (~150 MB).  Text many records
    share (a place, an enum value) stays ``str``: one object, written once a part.  The
    fields come back as a dict of their own, the fastest to read back (a warm check reads
    the whole cache; a cold one writes it once)."""
    fields = record.fields
    texts = [name for name, v in fields.items()
             if v.__class__ is str and not v.isascii() and getrefcount(v) <= _OWN]
    if texts:
        fields = dict(fields)
        for name in texts:
            fields[name] = fields[name].encode("utf-8", "surrogatepass")
    title: str | bytes | None = record.title
    if title is record.fields.get("title"):
        title = None  # the title field itself: written once
    elif not title.isascii():  # type: ignore[union-attr]
        title = title.encode("utf-8", "surrogatepass")  # type: ignore[union-attr]
    return rebuilt_from_file, (record.id, record.type, record.unit, record.date, title, fields,
                               tuple(texts), record.file, record.line, record.keys,
                               record.key_lines)


# references to a text its record alone holds, as counted above: the fields, the record's
# title, the loop's name, the items iterator's last pair and getrefcount's own argument
_OWN = 5


def rebuilt_from_file(record_id: str, record_type: str, unit: str, date: dt.date | None,
                      title: str | bytes | None, fields: dict[str, Any], texts: tuple[str, ...],
                      file: str, line: int, keys: tuple[str, ...], key_lines: tuple[int, ...]
                      ) -> Record:
    """A :class:`Record` as :func:`to_file` wrote it: the fields named in ``texts`` are
    UTF-8 (no field's value is ever bytes otherwise); no ``title``: the title field's."""
    for name in texts:
        fields[name] = fields[name].decode("utf-8", "surrogatepass")
    if title is None:
        title = fields["title"]
    elif title.__class__ is bytes:
        title = title.decode("utf-8", "surrogatepass")  # type: ignore[union-attr]
    return made(record_id, record_type, unit, date, title, fields,  # type: ignore[arg-type]
                file, line, keys, key_lines)


def rebuilt(record_id: str, record_type: str, unit: str, date: dt.date | None, title: str,
            names: tuple[str, ...], values: tuple[Any, ...], file: str, line: int,
            keys: tuple[str, ...], key_lines: tuple[int, ...]) -> Record:
    """A :class:`Record` from its pickled form (:meth:`Record.__reduce__`)."""
    return made(record_id, record_type, unit, date, title,
                new_fields(record_type, zip(names, values, strict=True)), file, line, keys,
                key_lines)
