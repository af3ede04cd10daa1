"""One module per rule kind; each declares itself, and this package registers them by name.

A kind module (as a yamllint rule module declares ``ID``, ``CONF`` and ``check``) declares:

- ``ID``: its name, as a rule's ``kind:`` writes it;
- ``NEEDS``: the plan keys a rule of this kind must give; an entry that is a tuple of keys
  is satisfied by any one of them (``each`` needs ``condition`` or ``checks``);
- ``WORD``: its name in a sentence, a msgid marked with ``N_`` (shown through ``_``);
- ``JUDGES``: whether its results judge (met, unmet …) and so carry the rule's severity,
  which the rule must then give; ``tally`` only counts;
- ``target_text(rule, plan)``: the rule's target in a few words, in the active language;
- ``check(c, ctx, who, period)``: the judgement of one compiled rule for whose records and
  one period, as a bare :class:`~dianchang_cli.engine.results.Verdict` (``None`` when the
  kind has nothing to say, e.g. an ``each`` rule in a month without records).  The
  evaluator stamps rule, unit, period and severity into the result;
- optionally ``plan_problems(rule, plan)``: what else is wrong with a rule of this kind in
  this plan, as messages (``coverage`` without ``values`` needs an enum field).

Every module of this package whose name does not start with ``_`` is a kind: adding a kind
is adding one module.  :func:`rule_problems` says what a plan's rule lacks for its kind.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Protocol, cast

from ...diagnostics import printable
from ...i18n import _
from ...planfile.model import Rule
from ...planfile.plan import Plan
from ..context import TARGET_FIELD, Compiled, Context, Selector
from ..periods import Period
from ..results import Verdict

DECLARES = ("ID", "NEEDS", "WORD", "JUDGES", "target_text", "check")


class Kind(Protocol):
    """What a kind module declares (see the module docstring)."""

    ID: str
    NEEDS: tuple[str | tuple[str, ...], ...]
    WORD: str
    JUDGES: bool

    def target_text(self, rule: Rule, plan: Plan | None = None) -> str: ...

    def check(self, c: Compiled, ctx: Context, who: Selector, period: Period
              ) -> Verdict | None: ...


KINDS: dict[str, Kind] = {}


def register(module: ModuleType) -> Kind:
    """Admit a kind module under its ``ID``; it must declare everything in :data:`DECLARES`."""
    missing = [name for name in DECLARES if not hasattr(module, name)]
    if missing:
        raise TypeError(f"rule kind module {module.__name__} does not declare "
                        f"{', '.join(missing)}")
    kind = cast(Kind, module)
    if KINDS.get(kind.ID, kind) is not kind:
        raise ValueError(f"two rule kind modules declare the ID {kind.ID!r}")
    KINDS[kind.ID] = kind
    return kind


def _discover() -> None:
    """Register every kind module of this package, in the order of their names."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            register(importlib.import_module(f"{__name__}.{info.name}"))


def get(name: str) -> Kind:
    """The kind called ``name``; a name no module declares is a programming error here (the
    plan's checks report an unknown kind with :func:`rule_problems` before anything runs)."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown rule kind {name!r}; known: {', '.join(sorted(KINDS))}"
                       ) from None


def find(name: str) -> Kind | None:
    """The kind called ``name``, or ``None``: for words about a rule whatever its kind."""
    return KINDS.get(name)


def _given(rule: Rule, key: str) -> bool:
    value = getattr(rule, key, None)
    return value is not None and value != []


def _need_text(need: str | tuple[str, ...]) -> str:
    """``target``; ``condition (or checks)`` for keys of which one is enough."""
    if isinstance(need, str):
        return need
    first, *others = need
    return _("{key} (or {others})").format(key=first, others=", ".join(others))


def rule_problems(rule: Rule, plan: Plan | None = None) -> list[str]:
    """What is wrong with a rule for its kind: an unknown kind, keys the kind needs that the
    rule does not give, a severity missing on a kind that judges, and (with ``plan``) what
    the kind's own ``plan_problems(rule, plan)`` finds, if it has one.  Empty: nothing."""
    kind = KINDS.get(rule.kind)
    if kind is None:
        return [_("unknown kind '{kind}'; known kinds: {known}").format(
            kind=printable(rule.kind), known=", ".join(sorted(KINDS)))]
    out: list[str] = []
    missing = [_need_text(need) for need in kind.NEEDS
               if not any(_given(rule, key) for key in
                          ((need,) if isinstance(need, str) else need))]
    if missing:
        out.append(_("a `{kind}` rule needs: {keys}").format(kind=kind.ID,
                                                            keys=", ".join(missing)))
    if kind.JUDGES and rule.severity is None:
        out.append(_("give a `severity` (error or warning); only a tally has none"))
    if plan is not None:
        out.extend(_field_problems(rule, plan))
    own = getattr(kind, "plan_problems", None)
    if plan is not None and own is not None and not missing:
        out.extend(own(rule, plan))
    return out


# The rule keys that name a field of the selected records, and the field types each admits
# (None: any).
_FIELD_KEYS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("field", None),
    ("date_field", frozenset({"date", "datetime"})),
    ("period_field", frozenset({"month", "period"})),
)


def _field_problems(rule: Rule, plan: Plan) -> list[str]:
    """A ``field``, ``date_field`` or ``period_field`` must name a field of every type the
    rule selects (and one of the right type): a misspelt name would otherwise count nothing
    and say nothing."""
    out: list[str] = []
    if "target" in rule.scopes:  # scope target: the records name the unit they are about
        for type_id in rule.select.types:
            spec = plan.field_spec(type_id, TARGET_FIELD) if type_id in plan.types else None
            if type_id in plan.types and (spec is None or spec.type != "unit"):
                out.append(_("`scope: target` needs a unit field `{f}` on the record type "
                             "{t}").format(f=TARGET_FIELD, t=type_id))
    for key, kinds in _FIELD_KEYS:
        name = getattr(rule, key, None)
        if not name:
            continue
        for type_id in rule.select.types:
            if type_id not in plan.types:
                continue  # an unknown type is reported on its own
            spec = plan.field_spec(type_id, name)
            if spec is None:
                out.append(_("`{key}: {f}` is not a field of the record type {t}").format(
                    key=key, f=printable(name), t=type_id))
            elif kinds is not None and spec.type not in kinds:
                out.append(_("`{key}: {f}` is a field of type {k}; it must be one of: "
                             "{kinds}").format(key=key, f=printable(name), k=spec.type,
                                               kinds=", ".join(sorted(kinds))))
    return out


_discover()
