"""One new record from values a person gives: ``dc new 阅读活动 --set 名称=读书会 --set 日期=5.12``.

This is the non-interactive core of ``dc new``; the prompts of ``cli/new.py`` are a face on
it.  The steps, each a function a test can call:

1. :meth:`Intake.type_id` and :meth:`Intake.sets` turn what was typed into ids: a type by id
   or Chinese name, a key by id, Chinese name or alias (:attr:`TypeSchema.keys`).  A name
   that names nothing is a :class:`UsageError`: one sentence listing what it may be.
2. :meth:`Intake.values` reads each typed value through
   :class:`~dianchang_cli.intake.friendly.Friendly` (``5.12``, ``昨天``, ``东苑社区``,
   ``a、b``) on top of the defaults from context (:meth:`Intake.defaults`): the unit of the
   git user (``git config user.email`` listed under ``staff[].git``) and today's date.
3. :meth:`Intake.draft` renders the file exactly as it would be written and validates the
   bytes with the same code as ``dc check`` (``records.batch.validate_bytes``) — before
   anything touches the disk.  Errors keep it from being written; warnings are shown.
4. :meth:`Intake.write` creates it under the first free name (never over another file), and
   :meth:`Intake.commit` commits that one file with a Chinese message.

Nothing here prompts or prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..diagnostics import Problem, printable
from ..i18n import _
from ..planfile.model import FieldSpec, RecordType
from ..planfile.plan import Plan, normalise, short_name
from ..render.labels import section_title
from .friendly import Friendly, beijing_today
from .links import Links, record_fields

if TYPE_CHECKING:
    from ..records.validate import TypeSchema, Validator
    from .writer import KeyStyle

SKIPPED = ("type", "id")  # never asked for: the type is chosen first, the id is the path
MAX_SETS = 200  # --set values read at most (a record has a few dozen fields)
MAX_VALUE = 10_000  # characters of one --set value
OTHER = "__other__"  # the group of types no rule selects


class UsageError(Exception):
    """A request that names nothing the plan has: exit 2 with this one sentence."""


@dataclass
class Draft:
    """A record not written yet: its values, the file it would be and what the validator
    says about that file (errors keep it from being written, warnings do not)."""

    type_id: str
    values: dict[str, Any]
    path: Path
    text: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


@dataclass
class Intake:
    """Everything ``dc new`` needs about one repository: build once, ask many times.

    ``root`` is the repository (``records.schema.json`` and git live there), ``records_dir``
    where records go, ``day`` what today is (Beijing time unless a test says otherwise).
    """

    plan: Plan
    root: Path
    records_dir: Path
    day: dt.date = field(default_factory=beijing_today)
    keys: KeyStyle = "zh"

    def __post_init__(self) -> None:
        self.friendly = Friendly(self.plan, self.day)
        self._validator: Validator | None = None
        self._schemas: dict[str, TypeSchema] = {}
        self._linked: Links | None = None

    # ------------------------------------------------------------ names → ids
    @property
    def validator(self) -> Validator:
        """The validator of ``dc check`` (built when first needed: it is not cheap)."""
        if self._validator is None:
            from ..records.validate import Validator

            self._validator = Validator(self.plan, self.day)
        return self._validator

    def schema(self, type_id: str) -> TypeSchema:
        """The type's fields merged with the common ones, and every spelling of each key."""
        if type_id not in self._schemas:
            from ..records.validate import TypeSchema

            self._schemas[type_id] = TypeSchema(self.plan, self.plan.types[type_id])
        return self._schemas[type_id]

    def type_id(self, text: str) -> str:
        """The id of the type ``text`` names (id or Chinese name); :class:`UsageError`
        listing the plan's types otherwise."""
        found = self.plan.type_of(text.strip()) or self.plan.type_of(normalise(text))
        if found is None:
            raise UsageError(_("unknown record type '{t}'; the plan's types are: {names}")
                             .format(t=printable(text),
                                     names=printable("、".join(t.name for t in
                                                              self.plan.types.values()), 4000)))
        return found.id

    def field_id(self, type_id: str, key: str) -> str:
        """The field ``key`` names (id, Chinese name or alias); :class:`UsageError` listing
        the type's fields otherwise."""
        schema = self.schema(type_id)
        found = schema.keys.get(key.strip())
        if found is None:
            names = "、".join(self.label(type_id, f) for f in self.order(type_id))
            raise UsageError(_("unknown field '{k}' for {t}; its fields are: {names}").format(
                k=printable(key), t=printable(self.plan.types[type_id].name),
                names=printable(names, 4000)))
        return found

    def label(self, type_id: str, name: str) -> str:
        """What a person calls a field: its Chinese name, else its id."""
        from .writer import key_of

        return key_of(self.plan, type_id, name, "zh")

    def spec(self, type_id: str, name: str) -> FieldSpec:
        return self.schema(type_id).fields[name]

    def order(self, type_id: str) -> list[str]:
        """The fields a person fills in, in the file's order (no type, no id)."""
        from .writer import field_order

        return [n for n in field_order(self.plan, type_id) if n not in SKIPPED]

    def required(self, type_id: str) -> list[str]:
        """The fields a record of this type must have, in the file's order."""
        needed = set(self.schema(type_id).required)
        return [n for n in self.order(type_id) if n in needed]

    def sets(self, type_id: str, sets: Sequence[str]) -> dict[str, str]:
        """``--set KEY=VALUE`` → field id → the text typed (a later one wins)."""
        if len(sets) > MAX_SETS:
            raise UsageError(_("too many --set values ({n}); at most {limit}").format(
                n=len(sets), limit=MAX_SETS))
        out: dict[str, str] = {}
        for item in sets:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise UsageError(_("--set {item}: write it as KEY=VALUE, e.g. --set 名称=读书会")
                                 .format(item=printable(item)))
            if len(value) > MAX_VALUE:
                raise UsageError(_("--set {k}: the value is longer than {n} characters")
                                 .format(k=printable(key), n=MAX_VALUE))
            name = self.field_id(type_id, key)
            if name == "type":
                raise UsageError(_("--set {k}: the type is the first word after dc new, not "
                                   "a --set value").format(k=printable(key)))
            out[name] = value
        return out

    # ------------------------------------------------------------ values
    def git_unit(self) -> str | None:
        """The unit of the person git commits as: ``git config user.email`` matched
        (case-insensitively) against ``staff[].git`` of units.yaml; ``None`` if not listed."""
        from ..gitrepo.git import user_email

        email = (user_email(self.root) or "").strip().lower()
        if not email:
            return None
        for person in self.plan.staff.values():
            if email in (g.strip().lower() for g in person.git):
                return person.unit if person.unit in self.plan.units else None
        return None

    def unit_option(self, text: str | None) -> str | None:
        """``--unit`` (id or name) → the unit id; :class:`UsageError` if it names none."""
        if text is None or not text.strip():
            return None
        found = self.friendly.scalar("unit", text)
        if found not in self.plan.units:
            raise UsageError(_("--unit {u}: no such unit; the units are: {names}").format(
                u=printable(text), names=printable("、".join(
                    f"{u.id}（{short_name(u.name)}）" for u in self.plan.units.values()), 4000)))
        return str(found)

    def defaults(self, type_id: str, unit: str | None = None) -> dict[str, Any]:
        """The values a person need not type: the unit (``unit``, else the git user's)
        and the date (today), for the fields the type has."""
        fields = self.schema(type_id).fields
        out: dict[str, Any] = {}
        chosen = unit or self.git_unit()
        if "unit" in fields and chosen is not None:
            out["unit"] = chosen
        if "date" in fields and fields["date"].type == "date":
            out["date"] = self.day
        return out

    def convert(self, type_id: str, name: str, raw: Any) -> Any:
        """What a person typed for one field → the value the file holds (or the text
        itself, for the validator to explain)."""
        return self.friendly.value(self.spec(type_id, name), raw)

    def values(self, type_id: str, typed: dict[str, str],
               defaults: dict[str, Any] | None = None) -> dict[str, Any]:
        """``defaults`` overlaid with each typed value, converted; an empty one removes."""
        out = dict(defaults or {})
        for name, raw in typed.items():
            value = self.convert(type_id, name, raw)
            if value is None:
                out.pop(name, None)
            else:
                out[name] = value
        return out

    def missing(self, type_id: str, values: dict[str, Any]) -> list[str]:
        """The required fields ``values`` lacks, in the file's order."""
        return [n for n in self.required(type_id) if values.get(n) in (None, "", [])]

    def hint(self, type_id: str, names: Iterable[str]) -> str:
        """``--set 名称=… --set 日期=…`` for the fields ``names``."""
        return " ".join(f"--set {self.label(type_id, n)}=…" for n in names)

    # ------------------------------------------------------------ the file
    def day_of(self, values: dict[str, Any]) -> dt.date:
        """The day that names the file: the record's date, else today."""
        date = values.get("date")
        return date if isinstance(date, dt.date) else self.day

    def target(self, type_id: str, values: dict[str, Any]) -> Path:
        """Where the file would be written now (the first free name of its day)."""
        from .writer import free_path

        unit = values.get("unit")
        folder = unit if isinstance(unit, str) and unit in self.plan.units else "_"
        return free_path(self.records_dir, folder, type_id, self.day_of(values))

    def text(self, type_id: str, values: dict[str, Any], path: Path) -> str:
        """The file's text at ``path``: the schema modeline, then the fields in order."""
        from .writer import modeline, render

        return render(self.plan, type_id, values, self.keys, modeline(path, self.root))

    def draft(self, type_id: str, values: dict[str, Any]) -> Draft:
        """The file as it would be written, checked by the validator of ``dc check``; a
        field naming another record by its name gets that record's id (:mod:`.links`), and
        one naming no record is an ``unknown-record`` error of that field."""
        from ..records.batch import default_id, validate_bytes

        values = dict(values)
        dangling = self._links().resolve(type_id, values) if self._links_wanted(
            type_id, values) else None
        path = self.target(type_id, values)
        text = self.text(type_id, values, path)
        _record, problems = validate_bytes(self.validator, text.encode("utf-8"),
                                           self.shown(path), default_id(path, self.records_dir))
        if dangling is not None:
            problems.append(Problem(self.shown(path), 1, 1, "unknown-record", dangling.message,
                                    expected=dangling.expected, path=(dangling.field,)))
        return Draft(type_id, values, path, text, problems)

    def _links_wanted(self, type_id: str, values: dict[str, Any]) -> bool:
        """Whether a field of ``values`` names another record (only then are the
        repository's records read)."""
        return any(values.get(name) is not None for name, _spec in record_fields(self.plan,
                                                                                   type_id))

    def _links(self) -> Links:
        """The repository's records, read once, to link to (see :mod:`.links`)."""
        if self._linked is None:
            from ..records.batch import load_records

            self._linked = Links(self.plan, load_records(self.plan, self.records_dir,
                                                         self.root).records)
        return self._linked

    def shown(self, path: Path) -> str:
        """``path`` as messages show it: below the repository root."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def field_problems(self, type_id: str, values: dict[str, Any], name: str) -> list[Problem]:
        """The validator's errors about one field of a draft (an answer checked at once):
        those whose path starts at the key the field is written under."""
        draft = self.draft(type_id, values)
        spellings = set(self.schema(type_id).fields[name].spellings(name))
        return [p for p in draft.errors if p.path and p.path[0] in spellings]

    def field_of(self, type_id: str, problem: Problem) -> str | None:
        """The field a problem is about, or ``None`` (it is about the record)."""
        if not problem.path or not isinstance(problem.path[0], str):
            return None
        return self.schema(type_id).keys.get(problem.path[0])

    def describe(self, problem: Problem) -> str:
        """One line a person reads: the validator's message (it names the field as the
        file writes it) and what is expected."""
        tail = f"（{problem.expected}）" if problem.expected else ""
        return f"{problem.message}{tail}"

    def write(self, draft: Draft) -> Path:
        """Create the file under the first free name of its day; never over another."""
        from .writer import create

        if draft.errors:
            raise ValueError("a draft with errors is not written")
        unit = str(draft.values["unit"])
        return create(self.records_dir, unit, draft.type_id, self.day_of(draft.values),
                      lambda path: self.text(draft.type_id, draft.values, path))

    def message(self, type_id: str, values: dict[str, Any]) -> str:
        """The commit message: ``新增记录：阅读活动「读书会」（东苑社区，2023-05-12）``."""
        unit = values.get("unit")
        unit_name = short_name(self.plan.unit_name(unit)) if isinstance(unit, str) else ""
        return _("New record: {type} “{title}” ({unit}, {date})").format(
            type=self.plan.types[type_id].name, title=str(values.get("title", "")),
            unit=unit_name, date=self.day_of(values).isoformat())

    def commit(self, path: Path, type_id: str, values: dict[str, Any]) -> str:
        """Commit exactly this file; the commit's id (``GitError`` says why not)."""
        from ..gitrepo.git import commit_files

        return commit_files(self.root, [path.resolve()], self.message(type_id, values))


# ---------------------------------------------------------------- what the prompts list
def type_groups(plan: Plan) -> list[tuple[str, list[RecordType]]]:
    """The types grouped the way the plan is: each section's types are those its items'
    rules select, each type listed once, under the first section that selects it (the list
    stays short enough for a terminal); types no rule selects come last, under
    :data:`OTHER` (the prompt shows it as 其他)."""
    groups: list[tuple[str, list[RecordType]]] = []
    seen: set[str] = set()
    for section in plan.sections:
        ids: dict[str, None] = {}
        for rule in plan.rules:
            if rule.item in section.items:
                ids.update(dict.fromkeys(t for t in rule.select.types
                                         if t in plan.types and t not in seen))
        if ids:
            groups.append((section_title(section), [plan.types[t] for t in ids]))
            seen.update(ids)
    rest = [t for t in plan.types.values() if t.id not in seen]
    if rest:
        groups.append((OTHER, rest))
    return groups


def unit_choices(plan: Plan, rtype: RecordType) -> list[tuple[str, str]]:
    """(name, id) of the units a record of this type may belong to."""
    kinds = rtype.unit_kinds
    return [(u.name, u.id) for u in plan.units.values() if not kinds or u.kind in kinds]


def staff_choices(plan: Plan, unit: str | None) -> list[tuple[str, str]]:
    """(name, id) of every staff member, those of ``unit`` first."""
    people = sorted(plan.staff.values(), key=lambda s: s.unit != unit)
    return [(s.name, s.id) for s in people]
