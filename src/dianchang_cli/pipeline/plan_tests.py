"""Plan tests: case folders that pin down what the plan's rules say about given records.

Like ``conftest verify`` for policies, a case is a folder ``plan/tests/<nn-name>/``::

    case.yaml       as_of: 2023-06-30   (required: the day the case is evaluated as of)
                    day_open: true      (optional: as of a moment during as_of, like
                                         ``dc check`` without --as-of; default: its end)
                    rules: ["12.2"]     (optional: evaluate only these rules)
                    units: [dongyuan]   (optional: only these units)
                    exact: true         (optional: every result must be listed)
                    description: 中文说明
    records/        record files, exactly as a community would commit them
    expected.yaml   results: [{rule, unit, period, status, actual?, target?, missing?,
                               violations?}]
                    absent:  [{rule, unit, period}]   results that must not exist
                    errors:  [{file, code}]           invalid records (file below records/)

A case passes when every expected result is produced with the values given, no ``absent``
result is produced, the invalid records are exactly those listed under ``errors`` (an
unlisted invalid record fails the case: it would silently drop out of every count), and —
with ``exact`` — no result is produced that the case does not list.

Cases run the pipeline (:func:`~dianchang_cli.pipeline.run`, without git) on the real
plan with the case's own records; a broken plan raises
:class:`~dianchang_cli.diagnostics.PlanError`, a broken case file is a failing case, never
a traceback.  Waivers that do not count are ``bad-waiver`` errors of their file, like
invalid records.

Before the cases, the plan's own sentences are checked (:func:`missing_texts`): a rule
with a ``condition`` needs its ``condition_text``, a ``where`` filter its ``where_text``,
a check its ``text``, so explanations never show CEL.  A rule lacking one fails the run
(the first outcome, :data:`TEXTS_CASE`), one line per rule; the plan still loads and checks
without them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from ..core import Repo, Status
from ..engine.plancheck import load_plan
from ..engine.results import Result
from ..i18n import _
from ..load.files import MAX_BYTES, Unreadable, read_limited
from ..load.yamlsafe import load_bytes
from ..planfile.errors import placed_errors
from ..planfile.plan import Plan
from . import run

TESTS_DIR = "tests"
CASE_FILE = "case.yaml"
EXPECTED_FILE = "expected.yaml"
RECORDS_DIR = "records"


def _text(value: Any) -> Any:
    """``period: 2023`` reads as a number in YAML; it is a label.  A rule id must be quoted:
    unquoted, ``12.10`` would silently become ``12.1``."""
    if isinstance(value, float):
        raise ValueError(f'write ids in quotes, e.g. "{value}"')
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Label = Annotated[str, BeforeValidator(_text)]
StatusName = Status


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseSpec(_Strict):
    as_of: dt.date
    day_open: bool = False  # as of a moment during as_of (dc check without --as-of)
    rules: list[Label] | None = None
    units: list[str] | None = None
    exact: bool = False
    description: str = ""


class ExpectedResult(_Strict):
    rule: Label
    unit: str
    period: Label
    status: StatusName
    actual: int | list[str] | None = None
    target: int | None = None
    missing: list[str] | None = None
    violations: list[str] | None = None  # ids of the records that break an `each` rule

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule, self.unit, self.period)


class ExpectedAbsent(_Strict):
    rule: Label
    unit: str
    period: Label


class ExpectedError(_Strict):
    file: str
    code: str


class ExpectedFile(_Strict):
    results: list[ExpectedResult] = []
    absent: list[ExpectedAbsent] = []
    errors: list[ExpectedError] = []


@dataclass
class Case:
    name: str
    path: Path
    spec: CaseSpec | None = None
    expected: ExpectedFile | None = None
    broken: list[str] = field(default_factory=list)  # why the case files cannot be used


@dataclass(frozen=True)
class Mismatch:
    """One difference: what the case expects (``None``: nothing) and what the plan gives."""

    expected: dict[str, Any] | None
    actual: dict[str, Any] | None


@dataclass
class CaseOutcome:
    case: Case
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.case.broken and not self.mismatches


# ---------------------------------------------------------------- discovery and loading
def discover(plan_dir: Path, pattern: str | None = None) -> list[Path]:
    """Case folders under ``plan_dir/tests`` (those holding a case.yaml), in name order."""
    tests = plan_dir / TESTS_DIR
    if not tests.is_dir():
        return []
    found = sorted(p for p in tests.iterdir() if (p / CASE_FILE).is_file())
    return [p for p in found if not pattern or pattern.lower() in p.name.lower()]


def _read_model(path: Path, model: type[_Strict], broken: list[str]) -> Any:
    shown = f"{path.parent.name}/{path.name}"
    if not os.path.lexists(path):
        broken.append(_("{f}: the file is missing").format(f=shown))
        return None
    try:  # a case file is as untrusted as the plan: regular files inside the plan folder
        data = read_limited(path, path.parent.parent.parent, MAX_BYTES)
    except Unreadable as exc:
        broken.append(f"{shown}: [{exc.code}] {exc.message}")
        return None
    loaded = load_bytes(data, shown)
    if loaded.problem:
        broken.append(loaded.problem.text())
        return None
    try:
        return model.model_validate(loaded.value or {})
    except ValidationError as exc:
        broken.extend(f"{shown}:{line}:{column}: {said}"  # in the active language
                      for line, column, said in placed_errors(exc, loaded.node))
        return None


def load_case(path: Path) -> Case:
    """Read a case folder; problems with its files are kept in ``Case.broken``."""
    case = Case(path.name, path)
    case.spec = _read_model(path / CASE_FILE, CaseSpec, case.broken)
    case.expected = _read_model(path / EXPECTED_FILE, ExpectedFile, case.broken)
    return case


# ---------------------------------------------------------------- running
def result_view(res: Result, keys: Iterable[str] = ()) -> dict[str, Any]:
    """A result as the flat mapping cases are written in (only ``keys`` beyond the basics)."""
    view: dict[str, Any] = {"rule": res.rule, "unit": res.unit, "period": res.period,
                            "status": res.status}
    values = {"actual": res.actual, "target": res.target,
              "missing": list(res.missing) if res.missing is not None else None,
              "violations": [v.record for v in res.violations]}
    for key in ("actual", *keys):
        if values.get(key) is not None:
            view[key] = values[key]
    return view


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, list) and isinstance(got, list | tuple):
        return sorted(map(str, want)) == sorted(map(str, got))
    return bool(want == got)


def compare(expected: ExpectedFile, spec: CaseSpec, results: list[Result],
            errors: list[tuple[str, str]]) -> list[Mismatch]:
    """Every difference between what a case expects and what evaluation produced."""
    out: list[Mismatch] = []
    by_key = {(r.rule, r.unit, r.period): r for r in results}
    for want in expected.results:
        given = want.model_dump(exclude_none=True)
        got = by_key.get(want.key)
        if got is None:
            out.append(Mismatch(given, None))
            continue
        view = result_view(got, given)
        if any(not _same(v, view.get(k)) for k, v in given.items()):
            out.append(Mismatch(given, view))
    for gone in expected.absent:
        got = by_key.get((gone.rule, gone.unit, gone.period))
        if got is not None:
            out.append(Mismatch(None, result_view(got)))
    if spec.exact:
        listed = {w.key for w in expected.results}
        out.extend(Mismatch(None, result_view(r)) for r in results
                   if (r.rule, r.unit, r.period) not in listed)
    wanted = {(e.file, e.code) for e in expected.errors}
    for file, code in sorted(wanted - set(errors)):
        out.append(Mismatch({"file": file, "code": code}, None))
    for file, code in sorted(set(errors) - wanted):
        out.append(Mismatch(None, {"file": file, "code": code}))
    return out


def _error_file(shown: str, root: Path, records_dir: Path) -> str:
    """A problem's file, written as a path below the case's records folder."""
    path = Path(shown) if Path(shown).is_absolute() else root / shown
    try:
        return path.resolve().relative_to(records_dir.resolve()).as_posix()
    except ValueError:
        return shown


def run_case(case: Case, plan: Plan, repo: Repo) -> CaseOutcome:
    """Evaluate one case against ``plan`` with the case's own records."""
    outcome = CaseOutcome(case)
    if case.broken or case.spec is None or case.expected is None:
        return outcome
    spec = case.spec
    unknown = [r for r in spec.rules or () if plan.rule(r) is None]
    if unknown:
        case.broken.append(_("case.yaml: unknown rule(s): {r}").format(r=", ".join(unknown)))
    strangers = [u for u in spec.units or () if u not in plan.units]
    if strangers:
        case.broken.append(_("case.yaml: unknown unit(s): {u}").format(u=", ".join(strangers)))
    if case.broken:
        return outcome
    where = Repo.at(repo.root, plan=repo.plan_dir, records=case.path / RECORDS_DIR)
    checked = run(where, plan=plan, as_of=spec.as_of, day_open=spec.day_open,
                  units=spec.units or None, rules=spec.rules or None, workers=1,
                  git=False, strict=False, cache=False)  # a case's few records: no cache
    errors = [(_error_file(p.file, where.root, where.records_dir), p.code)
              for p in checked.problems if p.severity == "error"]  # warnings keep the record
    outcome.mismatches = compare(case.expected, spec, checked.results, errors)
    return outcome


def missing_texts(plan: Plan) -> list[str]:
    """One line per rule that lacks a plain-language text for an expression it has: a
    ``condition`` without ``condition_text``, a ``select.where`` without ``where_text``,
    a check without ``text``.  Empty when every expression has its sentence."""
    out: list[str] = []
    for rule in plan.rules:
        lacking: list[str] = []
        if rule.condition and not (rule.condition_text or "").strip():
            lacking.append("condition_text")
        if rule.select.where and not (rule.select.where_text or "").strip():
            lacking.append("select.where_text")
        lacking.extend(f"checks[{i}].text" for i, check in enumerate(rule.checks or ())
                       if not (check.text or "").strip())
        if lacking:
            origin = plan.origins.get(f"rules:{rule.id}")
            where = f"{origin.file}:{origin.line}: " if origin else ""
            out.append(where + _("rule {r} has no {keys}: write what its condition says as "
                                 "a plain sentence").format(r=rule.id, keys=", ".join(lacking)))
    return out


TEXTS_CASE = "plan-texts"  # the name of the outcome that reports missing texts


def run_cases(repo: Repo, pattern: str | None = None) -> list[CaseOutcome]:
    """Load the plan (raising PlanError when it is broken) and run every matching case.

    When rules lack their plain-language texts (:func:`missing_texts`), a first, failing
    outcome named :data:`TEXTS_CASE` lists them, whatever the pattern.
    """
    plan = load_plan(repo.plan_dir, repo.root)
    outcomes = [run_case(load_case(path), plan, repo)
                for path in discover(repo.plan_dir, pattern)]
    missing = missing_texts(plan)
    if missing:
        outcomes.insert(0, CaseOutcome(Case(TEXTS_CASE, repo.plan_dir, broken=missing)))
    return outcomes


# ---------------------------------------------------------------- showing differences
def _flat(d: dict[str, Any]) -> str:
    def one(v: Any) -> str:
        return "[" + ", ".join(map(str, v)) + "]" if isinstance(v, list) else str(v)

    return "{" + ", ".join(f"{k}: {one(v)}" for k, v in d.items()) + "}"


def diff_lines(outcome: CaseOutcome) -> list[str]:
    """The failures of a case as diff lines: ``- expected`` and ``+ actual``."""
    lines = list(outcome.case.broken)
    for m in outcome.mismatches:
        lines.append("- " + (_flat(m.expected) if m.expected is not None
                             else _("(no such result expected)")))
        lines.append("+ " + (_flat(m.actual) if m.actual is not None
                             else _("(no such result)")))
    return lines
