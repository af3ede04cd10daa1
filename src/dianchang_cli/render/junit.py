"""``dc check --format junit``: JUnit XML, as GitLab, Jenkins and most CI systems read it.

* one ``<testsuite>`` per rule (name ``<id> <name>``), in plan order, with one
  ``<testcase>`` per rule × unit × period (classname = rule id, name = ``<unit> <period>``);
* ``unmet`` and ``late`` results are ``<failure type="unmet|late">`` whatever their severity
  (the message says the severity; whether the *job* fails is ``--fail-on``'s business, told
  by the exit status); ``pending``, ``waived`` and ``info`` are ``<skipped>``; ``met`` passes;
* when records are invalid, a first suite ``records`` holds one failing testcase per error
  (name ``file:line``, failure type = the problem code); warnings get none, so a repository
  without invalid records has exactly one testcase per result.

Status words, codes and attribute names are English in every language; the texts inside
follow the active language.  Characters XML 1.0 forbids are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from functools import partial
from typing import TYPE_CHECKING, TextIO

from ..core import FAILING, SKIPPED
from .vocabulary import detail_lines, violation_place

if TYPE_CHECKING:
    from ..diagnostics import Problem
    from ..engine.results import Result
    from ..outcome import Outcome

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: object) -> str:
    """``text`` as a string XML 1.0 can hold."""
    return _NOT_XML.sub("", str(text))


def _counted(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    suite.set("time", "0")


def records_suite(problems: list[Problem]) -> ET.Element:
    suite = ET.Element("testsuite", name="records")
    for p in problems:
        case = ET.SubElement(suite, "testcase", classname="records",
                             name=clean(f"{p.file}:{p.line}"), file=clean(p.file))
        if p.line > 0:
            case.set("line", str(p.line))
        head = f"[{p.severity}] {p.message}"
        failure = ET.SubElement(case, "failure", message=clean(head), type=p.code)
        failure.text = clean(p.text())
    _counted(suite)
    return suite


def details(outcome: Outcome, r: Result) -> list[str]:
    """The lines under a failure: progress, what is missing, violations, due day, records."""
    return detail_lines(r, partial(violation_place, by_id=outcome.index.by_id), labelled=True,
                        records=True)


def _summary(outcome: Outcome, r: Result) -> str:
    """The one-line message: English status (and severity), then the first detail."""
    head = f"{r.status} ({r.severity})" if r.severity and r.status in FAILING else r.status
    first = details(outcome, r)[:1]
    return f"{head}: {first[0]}" if first else head


def testcase(outcome: Outcome, r: Result) -> ET.Element:
    case = ET.Element("testcase", classname=clean(r.rule), name=clean(f"{r.unit} {r.period}"))
    if r.status in FAILING:
        failure = ET.SubElement(case, "failure", message=clean(_summary(outcome, r)),
                                type=r.status)
        failure.text = clean("\n".join(details(outcome, r)))
    elif r.status in SKIPPED:
        ET.SubElement(case, "skipped", message=clean(_summary(outcome, r)))
    return case


def rule_suites(outcome: Outcome) -> list[ET.Element]:
    by_rule: dict[str, list[Result]] = defaultdict(list)
    for r in outcome.results:
        by_rule[r.rule].append(r)
    order = [rule.id for rule in outcome.plan.rules if rule.id in by_rule]
    order += [rid for rid in by_rule if rid not in order]
    suites = []
    for rid in order:
        rule = outcome.plan.rule(rid)
        suite = ET.Element("testsuite", name=clean(f"{rid} {rule.name}" if rule else rid))
        if rule is not None:
            props = ET.SubElement(suite, "properties")
            for key, value in (("kind", rule.kind), ("severity", rule.severity),
                               ("period", rule.period), ("source", rule.source)):
                if value is not None:
                    ET.SubElement(props, "property", name=key, value=clean(value))
        suite.extend(testcase(outcome, r) for r in by_rule[rid])
        _counted(suite)
        suites.append(suite)
    return suites


def document(outcome: Outcome) -> ET.Element:
    root = ET.Element("testsuites", name="dc")
    invalid = [p for p in outcome.problems if p.severity == "error"]
    if invalid:  # warnings (a late entry …) fail nothing: no testcase of their own
        root.append(records_suite(invalid))
    root.extend(rule_suites(outcome))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    root.set("time", "0")
    return root


def render(outcome: Outcome, out: TextIO, verbose: bool = False) -> None:
    root = document(outcome)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
