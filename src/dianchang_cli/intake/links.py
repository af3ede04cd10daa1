"""Fields that name another record, as a person fills them in: by the record's name.

A ``record`` field (``account: {type: record, to: media_account}``) holds the id of another
record, but staff know that record by its name (``东苑社区微信公众号``), not by an id they
never see.  :class:`Links` turns a name into the id of the one record of that type it
names — among several of one name, the one of the writer's own community — and says so
when a value names no record at all, before a file is written that ``dc check`` would
refuse.  ``dc import`` and ``dc new`` use it alike.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from typing import Any

from ..diagnostics import printable
from ..i18n import _
from ..planfile.model import FieldSpec
from ..planfile.plan import Plan
from ..records.model import Record


@dataclass(frozen=True)
class Dangling:
    """A field whose value names no record of its type."""

    field: str
    message: str
    expected: str


def record_fields(plan: Plan, type_id: str) -> list[tuple[str, FieldSpec]]:
    """The fields of a type that name a record of a given type (``record`` with ``to``):
    only those can be looked up by name."""
    return [(name, spec) for name, spec in plan.record_fields(type_id) if spec.to]


class Links:
    """The records a new one may link to, by id and by name; build once."""

    def __init__(self, plan: Plan, records: Iterable[Record]) -> None:
        self.plan = plan
        self.by_id = {r.id: r for r in records}
        self._titles: dict[str, dict[str, list[Record]]] = {}

    def resolve(self, type_id: str, values: dict[str, Any], also: Container[str] = ()
                ) -> Dangling | None:
        """Put the id of the record each ``record`` field of ``values`` names in its place
        (an id stays, a name becomes the id); the first value naming none, or ``None``.
        ``also``: ids of records being written alongside (the other rows of an import)."""
        for name, spec in record_fields(self.plan, type_id):
            value = values.get(name)
            if not isinstance(value, str):
                continue
            known = self.by_id.get(value)
            if (known is not None and known.type == spec.to) or value in also:
                continue
            found = self._titled(spec.to).get(value.strip(), [])
            unit = values.get("unit")
            if len(found) > 1 and isinstance(unit, str):  # one name in several communities
                home = self.plan.members(self.plan.community_of(unit) or unit)
                found = [r for r in found if r.unit in home] or found
            if len(found) == 1:
                values[name] = found[0].id
                continue
            target = self.plan.types[spec.to].name if spec.to in self.plan.types else spec.to
            names = sorted({r.title for r in self._of(spec.to)})[:5]
            return Dangling(name, _("'{v}' is not the name (or id) of one {t} record").format(
                v=printable(value, 80), t=printable(target, 40)),
                _("the name of an existing {t} record, e.g. {e}").format(
                    t=printable(target, 40), e=printable("、".join(names) or "-", 200)))
        return None

    def _of(self, type_id: str) -> list[Record]:
        return [r for r in self.by_id.values() if r.type == type_id]

    def _titled(self, type_id: str) -> dict[str, list[Record]]:
        """Records of a type by their title (built once per type)."""
        table = self._titles.get(type_id)
        if table is None:
            table = {}
            for record in self._of(type_id):
                table.setdefault(record.title.strip(), []).append(record)
            self._titles[type_id] = table
        return table
