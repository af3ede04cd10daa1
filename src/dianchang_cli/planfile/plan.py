"""The loaded plan: everything the later stages ask about units, types and rules."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..diagnostics import Problem
from .model import (
    CoverageEntry,
    Festivals,
    FieldSpec,
    Item,
    Meta,
    RecordType,
    Rule,
    Section,
    Settings,
    Staff,
    Unit,
    Waivers,
    Window,
)

_PAREN_NOTE = re.compile(r"[（(][^（）()]*[)）]$")  # a trailing note: （示例）


def normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms (NFKC), the
    ideographic space to a space, and the ends trimmed: ``"　３６ "`` → ``"36"``."""
    return unicodedata.normalize("NFKC", text).strip()


def short_name(name: str) -> str:
    """A unit or staff name without its trailing note: ``东苑社区（示例）`` → ``东苑社区``."""
    return _PAREN_NOTE.sub("", name).strip()


def with_names(entries: Iterable[Unit | Staff], limit: int | None = None) -> list[str]:
    """Units or staff as a message lists them: ``dongyuan（东苑社区（示例））``, the first
    ``limit`` (all without one)."""
    return [f"{e.id}（{e.name}）" for e in itertools.islice(entries, limit)]


def names_to_ids(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """id, name and short name (each made :func:`normalise`) → id; a name two entries share
    names neither."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for ident, name in pairs:
        out[ident] = ident
        for key in {normalise(name), short_name(normalise(name))} - {ident}:
            if key in taken:
                out.pop(key, None)
            else:
                taken.add(key)
                out[key] = ident
    return out


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a plan entry was written, for messages about it."""

    file: str
    line: int
    column: int = 1


@dataclass
class Plan:
    meta: Meta
    subdistrict: str
    units: dict[str, Unit]
    staff: dict[str, Staff]
    common_fields: dict[str, FieldSpec]
    types: dict[str, RecordType]
    type_names: dict[str, str]  # Chinese name (and id) → type id
    rules: list[Rule]
    sections: list[Section]
    items: dict[int, Item]
    windows: dict[str, Window]
    festivals: Festivals
    waivers: Waivers | None
    settings: Settings
    coverage: dict[int, list[CoverageEntry]] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)  # "rule:1.1" → where
    files: list[str] = field(default_factory=list)

    def problem_at(self, key: str, message: str, expected: str | None = None,
                   code: str = "plan-invalid") -> Problem:
        """A problem about the entry ``key`` of :attr:`origins`, at the line it was written.

        A key not recorded falls back to the part before its first dot (a sub-key to its
        entry), then to ``plan:0:0``.
        """
        o = self.origins.get(key) or self.origins.get(key.split(".")[0]) \
            or Origin("plan", 0, 0)
        return Problem(o.file, o.line, o.column, code, message, expected=expected)

    # ------------------------------------------------------------ time
    @property
    def year(self) -> int:
        return self.meta.year

    @property
    def effective(self) -> dt.date:
        return self.meta.effective or dt.date(self.year, 1, 1)

    @property
    def year_end(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    # ------------------------------------------------------------ organisation
    def units_of_kind(self, kind: str) -> list[Unit]:
        return [u for u in self.units.values() if u.kind == kind]

    def members(self, unit_id: str) -> tuple[str, ...]:
        """The unit and every unit below it (a community and its branches)."""
        out = [unit_id]
        for u in self.units.values():
            if u.parent == unit_id:
                out.extend(self.members(u.id))
        return tuple(out)

    def community_of(self, unit_id: str) -> str | None:
        """The community a unit belongs to (itself, or a branch's parent)."""
        unit = self.units.get(unit_id)
        while unit is not None and unit.kind == "branch" and unit.parent:
            unit = self.units.get(unit.parent)
        return unit.id if unit is not None and unit.kind == "community" else None

    def parent_of(self, unit_id: str) -> str | None:
        """The unit directly above: the ``parent`` of units.yaml; a community written without
        one belongs to the subdistrict; the subdistrict has none."""
        unit = self.units.get(unit_id)
        if unit is None or unit.kind == "subdistrict":
            return None
        if unit.parent:
            return unit.parent
        return self.subdistrict if unit.kind == "community" else None

    def ancestors(self, unit_id: str) -> list[str]:
        """Every unit strictly above ``unit_id``, nearest first (a branch: its community,
        then the subdistrict)."""
        out: list[str] = []
        current = self.parent_of(unit_id)
        while current is not None and current != unit_id and current not in out:
            out.append(current)
            current = self.parent_of(current)
        return out

    def unit_name(self, unit_id: str) -> str:
        unit = self.units.get(unit_id)
        return unit.name if unit else unit_id

    def unit_id(self, text: str) -> str | None:
        """The unit ``text`` names — its id, its name (``东苑社区（示例）``) or its name
        without the note in brackets (``东苑社区``) — or ``None`` (none, or more than one)."""
        return names_to_ids((u.id, u.name) for u in self.units.values()).get(normalise(text))

    def fields_of(self, type_id: str) -> dict[str, FieldSpec]:
        """Every field a record of the type may have: the common ones, then its own (which
        replace a common one of the same id)."""
        return {**self.common_fields, **self.types[type_id].fields}

    def record_fields(self, type_id: str) -> list[tuple[str, FieldSpec]]:
        """The fields of a type that name another record (``type: record``), common ones
        included."""
        return [(name, spec) for name, spec in self.fields_of(type_id).items()
                if spec.type == "record"]

    # ------------------------------------------------------------ rules
    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def section_of(self, rule: Rule) -> Section | None:
        return next((s for s in self.sections if rule.item in s.items), None)

    def rules_by_section(self) -> list[tuple[Section | None, list[Rule]]]:
        """Rules grouped the way the source document is, in document order."""
        groups: list[tuple[Section | None, list[Rule]]] = []
        for section in self.sections:
            rules = [r for r in self.rules if r.item in section.items]
            if rules:
                groups.append((section, rules))
        loose = [r for r in self.rules if self.section_of(r) is None]
        if loose:
            groups.append((None, loose))
        return groups

    def type_of(self, name: str) -> RecordType | None:
        """A record type by id or by its Chinese name."""
        type_id = self.type_names.get(name)
        return self.types.get(type_id) if type_id else None

    def field_spec(self, type_id: str, name: str) -> FieldSpec | None:
        rtype = self.types.get(type_id)
        if rtype and name in rtype.fields:
            return rtype.fields[name]
        return self.common_fields.get(name)

    def window(self, window_id: str) -> Window | None:
        return self.windows.get(window_id)
