"""The plan's vocabulary as pydantic models: units, record types, rules, sections, calendars.

A plan is any number of YAML files under ``plan/``; each may hold any of the top-level keys
of :class:`PlanFile`, and lists are concatenated.  ``units.yaml`` (contract shape) holds
:class:`Units`.  See ``docs/plan-format.md`` for the format written out by example.
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..i18n import N_, _

ID = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
UnitKind = Literal["subdistrict", "community", "branch"]
UNIT_KIND_WORDS = {  # how messages and reports name each kind (translated where shown)
    "subdistrict": N_("subdistrict"),
    "community": N_("community"),
    "branch": N_("party branch"),
}
RecordKind = Literal["event", "document", "registry"]
FieldKind = Literal["text", "integer", "number", "bool", "date", "datetime", "month",
                    "period", "enum", "list", "staff", "unit", "record", "rule", "url"]
Scope = Literal["subdistrict", "community", "branch", "target", "all"]
Basis = Literal["explicit", "assumed"]
Severity = Literal["error", "warning"]
MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")


class Strict(BaseModel):
    """Plan models reject unknown keys, so a typo in the plan is an error with a line."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- units.yaml (contract)
# Names Windows gives to devices, whatever the case and extension: a unit id is the name of
# its folder below records/, which Windows could not create (nor git check out there).
_DEVICE_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                           *(f"LPT{i}" for i in range(1, 10))})


class Unit(Strict):
    id: ID
    name: str
    kind: UnitKind
    parent: str | None = None

    @field_validator("id")
    @classmethod
    def _a_folder_name_everywhere(cls, v: str) -> str:
        if v.split(".")[0].upper() in _DEVICE_NAMES or v.endswith("."):
            raise ValueError(_("'{id}' cannot name a folder on Windows (a device name, or a "
                               "name ending in '.'); choose another id").format(id=v))
        return v


class Staff(Strict):
    id: ID
    name: str
    unit: str
    roles: list[str] = []
    git: list[str] = []


class Units(Strict):
    subdistrict: str
    units: list[Unit]
    staff: list[Staff] = []

    @model_validator(mode="after")
    def _distinct_ignoring_case(self) -> Units:
        """Windows and macOS file names ignore case: ``dongyuan`` and ``DongYuan`` would be
        one folder below records/."""
        seen: dict[str, str] = {}
        for unit in self.units:
            first = seen.setdefault(unit.id.casefold(), unit.id)
            if first != unit.id:
                raise ValueError(_("the unit ids '{a}' and '{b}' differ only in case: they "
                                   "would share one folder on Windows").format(a=first,
                                                                              b=unit.id))
        return self


# ---------------------------------------------------------------- record types
class FieldSpec(Strict):
    """One field of a record type.  ``type`` says how the value is read and checked."""

    type: FieldKind = "text"
    name: str | None = None  # Chinese label
    required: bool = False
    values: list[str] | None = None  # enum values (for enum, or list items of enum)
    items: FieldKind = "text"  # item kind of a list
    min: float | None = None
    to: str | None = None  # record type a `record` reference points to
    aliases: list[str] = []  # other keys accepted for this field (e.g. Chinese)
    default_month_of: str | None = None  # month field: default is the month of that date field
    not_before: str | None = None  # date/datetime field: may not be earlier than that field
    note: str | None = None

    @property
    def value_kind(self) -> FieldKind:
        """The kind of each value: a list's ``items``, else the field's own ``type``."""
        return self.items if self.type == "list" else self.type

    def spellings(self, field_id: str) -> list[str]:
        """Every key a record may write this field under: its id, its Chinese ``name``
        and its ``aliases``, in that order, each once."""
        return list(dict.fromkeys([field_id, *([self.name] if self.name else []),
                                   *self.aliases]))

    @model_validator(mode="after")
    def _enum_has_values(self) -> FieldSpec:
        needs = self.type == "enum" or (self.type == "list" and self.items == "enum")
        if needs and not self.values:
            raise ValueError(_("an enum field needs `values`"))
        return self


class RecordType(Strict):
    id: ID
    name: str
    kind: RecordKind
    fields: dict[str, FieldSpec] = {}
    unit_kinds: list[UnitKind] | None = None  # e.g. party_day: [branch]
    extra_fields: bool = False
    resident_names: list[str] = []  # fields allowed to name a resident (a name, never a number:
    # they are scanned for ID-card and mobile numbers like every other field)
    description: str | None = None


# ---------------------------------------------------------------- calendar
class Window(Strict):
    """A named date range repeated every plan year, e.g. September."""

    id: ID
    name: str
    start: str  # MM-DD
    end: str  # MM-DD
    label: str = "{year}-{start_month}"

    @field_validator("start", "end")
    @classmethod
    def _month_day(cls, v: str) -> str:
        if not MONTH_DAY.match(v):
            raise ValueError(_("write a month and day as MM-DD, e.g. 09-01"))
        try:  # a day no year has (02-30, 04-31) is a typo; 02-29 is a leap day
            dt.date(2000, int(v[:2]), int(v[3:]))
        except ValueError:
            raise ValueError(_("{v} is a day no year has").format(v=v)) from None
        return v


class Festival(Strict):
    """A festival: a traditional one, found in the Chinese calendar by a library (never typed
    in), or a public holiday on a fixed day of the plan year (``solar: 10-01``)."""

    name: str
    lunar: str | None = None  # lunar MM-DD, e.g. 05-05 for 端午节
    solar_term: str | None = None  # e.g. 清明
    solar: str | None = None  # a public holiday on a fixed day, MM-DD, e.g. 10-01 for 国庆节

    @field_validator("solar")
    @classmethod
    def _month_day(cls, v: str | None) -> str | None:
        if v is not None and not MONTH_DAY.match(v):
            raise ValueError(_("write a month and day as MM-DD, e.g. 10-01"))
        return v

    @model_validator(mode="after")
    def _one_rule(self) -> Festival:
        if sum(x is not None for x in (self.lunar, self.solar_term, self.solar)) != 1:
            raise ValueError(_("give exactly one of `lunar` (MM-DD), `solar_term` or "
                               "`solar` (MM-DD)"))
        return self


class Festivals(Strict):
    days: int = Field(7, ge=0, le=31)  # window: the festival ± this many days
    list: builtins.list[Festival] = []


# ---------------------------------------------------------------- rules
class Select(Strict):
    """Which records a rule looks at: their types, and optionally a CEL filter."""

    types: list[str]
    where: str | None = None
    where_text: str | None = None  # the filter as a plain Chinese phrase (e.g. 研讨主题含意识形态)


class Due(Strict):
    """A deadline: a day of the period (``day: 7``) or a fixed date.

    ``basis: commit`` counts the day a record's file was first committed to git instead of
    the record's own day (a record not committed yet, or without git, counts its own day).
    """

    day: int | None = Field(None, ge=1, le=31)
    date: dt.date | None = None
    basis: Literal["record", "commit"] = "record"

    @model_validator(mode="after")
    def _one(self) -> Due:
        if (self.day is None) == (self.date is None):
            raise ValueError(_("give exactly one of `day` or `date`"))
        return self


class Check(Strict):
    """One part of an ``each`` rule: a CEL condition, what a violation of it means, and the
    condition as a sentence.  A record must pass every check; the first it fails names it."""

    condition: str
    message: str  # e.g. 新媒体发布未经专人校对
    message_en: str | None = None
    text: str | None = None  # e.g. 每条发布须由作者以外的专人校对


class Rule(Strict):
    id: str
    name: str
    item: int
    source: str  # the clause quoted verbatim from the source document
    basis: Basis
    note: str | None = None
    kind: str  # a rule kind of engine/kinds/ (checked there: rule_problems)
    scope: Scope | list[Scope]
    period: str  # month | quarter | half | year | festival | window:<id>
    select: Select
    target: int | None = Field(None, ge=0)
    field: str | None = None  # coverage: the field whose values must be covered
    values: list[str] | None = None  # coverage: the required set (default: the field's enum)
    condition: str | None = None  # each / exists: CEL over `r`, `staff`, `units`, `as_of`
    condition_text: str | None = None  # the condition as a plain Chinese sentence
    message: str | None = None  # each: what a violation means, in Chinese
    message_en: str | None = None
    checks: list[Check] | None = None  # each: several conditions, each with its own message
    due: Due | None = None  # deadline
    date_field: str | None = None  # which date counts (default: the record's `date`)
    period_field: str | None = None  # month field that says which period a record is for
    severity: Severity | None = None
    weight: float | None = Field(None, ge=0)
    weight_basis: Literal["explicit", "assumed"] = "assumed"

    @property
    def scopes(self) -> list[str]:
        return [self.scope] if isinstance(self.scope, str) else list(self.scope)

    @model_validator(mode="after")
    def _condition_or_checks(self) -> Rule:
        """What a rule's kind needs (keys, a severity) its kind module says; not here."""
        if self.checks and self.condition is not None:
            raise ValueError(_("give either `condition` or `checks`, not both"))
        return self


# ---------------------------------------------------------------- document structure
class Item(Strict):
    number: int
    title: str
    text: str = ""


class Section(Strict):
    id: str  # 一, 二 …
    title: str
    items: list[int]


class Meta(Strict):
    id: str
    title: str
    year: int
    issued: dt.date | None = None
    effective: dt.date | None = None
    issuer: str | None = None
    source: str | None = None


class Waivers(Strict):
    """Which record type waives a result, and which of its fields name rule, unit, period."""

    type: str
    rule: str = "rule"
    unit: str = "target"
    period: str = "period"
    approver: str = "approved_by"  # the staff field naming who approved the waiver
    # roles that may approve: the approver must hold one of them at a unit above the waived
    # unit (the subdistrict, for a community); empty: any staff of a unit above
    approver_roles: list[str] = []


class Clause(Strict):
    """One duty of a sentence, quoted verbatim: the rules that check or count it, or why none."""

    clause: str
    rules: list[str] = []
    not_checkable: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Clause:
        if bool(self.rules) == (self.not_checkable is not None):
            raise ValueError(_("give either `rules` or `not_checkable` (the reason)"))
        return self


class CoverageEntry(Strict):
    """One duty-bearing sentence of the source, split into its duty clauses.

    ``rules`` / ``not_checkable`` directly on the sentence is the short form of a sentence
    that is one clause.
    """

    sentence: str
    rules: list[str] = []
    not_checkable: str | None = None
    clauses: list[Clause] = []

    @model_validator(mode="after")
    def _one(self) -> CoverageEntry:
        short = bool(self.rules) or self.not_checkable is not None
        if self.clauses and short:
            raise ValueError(_("give `clauses`, or `rules`/`not_checkable` for a one-clause "
                               "sentence, not both"))
        if not self.clauses and bool(self.rules) == (self.not_checkable is not None):
            raise ValueError(_("give either `rules` or `not_checkable` (the reason)"))
        return self

    @property
    def all_clauses(self) -> list[Clause]:
        """The clauses of the sentence (the sentence itself when it is one clause)."""
        if self.clauses:
            return list(self.clauses)
        return [Clause(clause=self.sentence, rules=self.rules,
                       not_checkable=self.not_checkable)]


class Settings(Strict):
    late_entry_days: int | None = None  # 补录: committed this many days after the activity
    ledger_types: list[str] | None = None  # record types of the volunteer-service ledger
    font: str | None = None  # PDF font family (default: the bundled Noto Sans CJK SC)
    score_base: float = 100


class PlanFile(Strict):
    """What one YAML file under ``plan/`` may contain; lists from all files are joined."""

    plan: Meta | None = None
    sections: list[Section] = []
    items: list[Item] = []
    windows: list[Window] = []
    festivals: Festivals | None = None
    common_fields: dict[str, FieldSpec] = {}
    record_types: list[RecordType] = []
    rules: list[Rule] = []
    waivers: Waivers | None = None
    settings: Settings | None = None
    coverage: dict[int, builtins.list[CoverageEntry]] = {}  # item → sentences → rules
