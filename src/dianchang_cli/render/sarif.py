"""``dc check --format sarif``: SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, IDEs).

SARIF is about places in files, so one run holds:

* a result for every invalid record and PII finding: ``ruleId`` = the problem code
  (``unknown-field``, ``pii`` …), at the problem's ``file:line:column``;
* a result for every record that breaks an ``each`` rule: ``ruleId`` = the plan rule id,
  at the violating record's file and the line of the field read by the part of the
  condition that failed (``Record.key_lines``; the first line when the record lacks that
  field);
* ``tool.driver.rules``: one reportingDescriptor per problem code and per plan rule used.

Results that have no place in a file — an ``unmet`` count, coverage, deadline or exists
rule, a ``late`` deadline — are **left out** of ``results``: they are not findings about a
file, and code-scanning tools drop or misplace results without a location.  The run's
``properties`` carry the as-of day and the status summary instead, so a reader can tell a
clean run from one with unmet targets; ``dc check --format json`` has them in full.

Paths are relative to the repository root (``uriBaseId: "%SRCROOT%"``); lines and columns
are 1-based (a problem about a whole file points at 1:1).  Codes, rule ids and levels are
English in every language; message texts follow the active language.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from .. import __version__
from ..i18n import N_, _, is_chinese
from .vocabulary import violation_place

if TYPE_CHECKING:
    from ..diagnostics import Problem
    from ..engine.results import Result, Violation
    from ..outcome import Outcome
    from ..planfile.model import Rule

SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
          "sarif-schema-2.1.0.json")
ROOT = "%SRCROOT%"

CODE_WORDS = {
    "yaml-syntax": N_("The file is not valid YAML."),
    "duplicate-key": N_("A key appears twice in one mapping."),
    "encoding": N_("The file is not UTF-8."),
    "too-large": N_("The file is larger than a record may be."),
    "empty": N_("The file holds no record."),
    "alias": N_("The record uses YAML anchors or aliases."),
    "too-deep": N_("The record is nested too deeply."),
    "multiple-documents": N_("The file holds more than one YAML document."),
    "unreadable": N_("The file cannot be read."),
    "unknown-field": N_("A field the record's type does not have."),
    "missing-field": N_("A required field is missing."),
    "bad-value": N_("A field's value has the wrong form."),
    "unknown-type": N_("The record's type is not in the plan."),
    "unknown-unit": N_("The record's unit is not in units.yaml."),
    "unknown-staff": N_("A staff reference is not in units.yaml."),
    "unknown-rule": N_("A reference to a rule that is not in the plan."),
    "unknown-record": N_("A reference to a record that does not exist."),
    "duplicate-id": N_("Two records have the same id."),
    "pii": N_("The record holds a resident's ID-card or mobile number."),
}


def uri(file: str) -> dict[str, str]:
    """An artifactLocation: relative paths under ``%SRCROOT%``, absolute ones as file URIs."""
    if PureWindowsPath(file).is_absolute() and not PurePosixPath(file).is_absolute():
        return {"uri": PureWindowsPath(file).as_uri()}
    if PurePosixPath(file).is_absolute():
        return {"uri": PurePosixPath(file).as_uri()}
    return {"uri": quote(file.replace("\\", "/"), safe="/"), "uriBaseId": ROOT}


def location(file: str, line: int, column: int = 1) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": uri(file),
        "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
    }}


def code_descriptor(code: str) -> dict[str, Any]:
    text = _(CODE_WORDS[code]) if code in CODE_WORDS else _("Invalid record: {code}").format(
        code=code)
    return {"id": code, "shortDescription": {"text": text},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["records"]}}


def rule_descriptor(rule_id: str, rule: Rule | None) -> dict[str, Any]:
    if rule is None:
        return {"id": rule_id, "shortDescription": {"text": rule_id}}
    out: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": rule.source},
        "defaultConfiguration": {"level": "warning" if rule.severity == "warning" else "error"},
        "properties": {"tags": ["plan"], "kind": rule.kind, "item": rule.item},
    }
    message = rule.message_en if rule.message_en and not is_chinese() else rule.message
    if message:
        out["help"] = {"text": message}
    return out


def problem_result(p: Problem, index: int) -> dict[str, Any]:
    text = p.message if not p.expected else _("{message} (expected: {expected})").format(
        message=p.message, expected=p.expected)
    out: dict[str, Any] = {
        "ruleId": p.code, "ruleIndex": index,
        "level": "error" if p.severity == "error" else "warning",
        "message": {"text": text},
        "locations": [location(p.file, p.line, p.column)],
    }
    if p.record:
        out["properties"] = {"record": p.record}
    return out


def violation_result(r: Result, v: Violation, place: tuple[str, int], index: int
                     ) -> dict[str, Any]:
    return {
        "ruleId": r.rule, "ruleIndex": index,
        "level": "warning" if r.severity == "warning" else "error",
        "message": {"text": f"{v.record}: {v.message}"},
        "locations": [location(*place)],
        "properties": {"record": v.record, "unit": r.unit, "period": r.period},
    }


def run(outcome: Outcome) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    where: dict[str, int] = {}

    def index_of(rule_id: str, make: Callable[[], dict[str, Any]]) -> int:
        if rule_id not in where:
            where[rule_id] = len(rules)
            rules.append(make())
        return where[rule_id]

    results = [problem_result(p, index_of(p.code, partial(code_descriptor, p.code)))
               for p in outcome.problems]
    for r in outcome.results:
        for v in r.violations:
            place = violation_place(v, outcome.index.by_id)
            if place is None:
                continue
            i = index_of(r.rule, partial(rule_descriptor, r.rule, outcome.plan.rule(r.rule)))
            results.append(violation_result(r, v, place, i))
    return {
        "tool": {"driver": {"name": "dc", "version": __version__,
                            "semanticVersion": __version__, "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"as_of": outcome.as_of.isoformat(), "records": len(outcome.records),
                       "summary": outcome.summary()},
    }


def document(outcome: Outcome) -> dict[str, Any]:
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run(outcome)]}


def render(outcome: Outcome, out: TextIO, verbose: bool = False) -> None:
    json.dump(document(outcome), out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")
