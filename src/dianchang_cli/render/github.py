"""``dc check --format github``: GitHub Actions workflow commands, one per line.

* every invalid record (and PII finding) → ``::error file=…,line=…,col=…,title=dc <code>::…``
  (``::warning`` for a warning-severity problem);
* every record that breaks an ``each`` rule → ``::error`` (``::warning`` for a warning rule)
  at that record's file and line, titled ``dc <rule id>``;
* every other ``unmet`` result (count, coverage, deadline, exists) → ``::error`` (or
  ``::warning``) without a file, titled ``dc <rule id>``; ``late`` → ``::warning``;
* ``met``, ``pending``, ``waived`` and ``info`` print nothing; a last ``::notice`` line sums up.

Lines with a file come first (problems, then violations), because GitHub shows only the first
few annotations of a step (10 errors, 10 warnings) beside the code; the log keeps them all.

Messages follow the active language; the title words (``dc``, codes, rule ids) and the
status word that starts a result's message (``[unmet]``, ``[late]``) are English in every
language.  Escaping follows GitHub's toolkit: ``%``, CR and LF in the message; also ``:``
and ``,`` in property values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from ..i18n import _
from .vocabulary import detail_lines, violation_place

if TYPE_CHECKING:
    from ..diagnostics import Problem
    from ..engine.results import Result, Violation
    from ..outcome import Outcome


def escape_data(text: str) -> str:
    """Escape a command's message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=…``, ``title=…``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props: object) -> str:
    """One workflow command line; properties whose value is ``None`` are left out."""
    shown = ",".join(f"{key}={escape_property(str(value))}"
                     for key, value in props.items() if value is not None)
    return f"::{level} {shown}::{escape_data(message)}" if shown else \
        f"::{level}::{escape_data(message)}"


def with_expected(message: str, expected: str | None) -> str:
    if not expected:
        return message
    return _("{message} (expected: {expected})").format(message=message, expected=expected)


def problem_line(p: Problem) -> str:
    level = "error" if p.severity == "error" else "warning"
    line = p.line if p.line > 0 else None
    col = p.column if line and p.column > 0 else None
    return command(level, with_expected(p.message, p.expected), file=p.file or None,
                   line=line, col=col, title=f"dc {p.code}")


def _rule_name(outcome: Outcome, rule_id: str) -> str:
    rule = outcome.plan.rule(rule_id)
    return f"{rule_id} {rule.name}" if rule else rule_id


def violation_line(outcome: Outcome, r: Result, v: Violation) -> str:
    level = "warning" if r.severity == "warning" else "error"
    file, line = violation_place(v, outcome.index.by_id) or (None, 1)
    message = (f"[{r.status}] {_rule_name(outcome, r.rule)} — "
               f"{outcome.plan.unit_name(r.unit)} {r.period}: {v.record}: {v.message}")
    return command(level, message, file=file, line=max(line, 1) if file else None,
                   title=f"dc {r.rule}")


def result_line(outcome: Outcome, r: Result) -> str | None:
    """The line for an unmet or late result without per-record violations, else ``None``."""
    if r.status == "unmet":
        level = "warning" if r.severity == "warning" else "error"
    elif r.status == "late":
        level = "warning"
    else:
        return None
    detail = "; ".join(detail_lines(r))
    message = (f"[{r.status}] {_rule_name(outcome, r.rule)} — "
               f"{outcome.plan.unit_name(r.unit)} {r.period}" + (f": {detail}" if detail else ""))
    return command(level, message, title=f"dc {r.rule}")


def lines(outcome: Outcome) -> list[str]:
    """Annotations with a place in a file first: GitHub shows only the first few per step."""
    out = [problem_line(p) for p in outcome.problems]
    out += [violation_line(outcome, r, v) for r in outcome.results for v in r.violations]
    for r in outcome.results:
        one = None if r.violations else result_line(outcome, r)
        if one is not None:
            out.append(one)
    return out


def summary_line(outcome: Outcome) -> str:
    invalid = sum(1 for p in outcome.problems if p.severity == "error")
    counts = " ".join(f"{status}={n}" for status, n in outcome.summary().items())
    text = _("As of {day}: ").format(day=outcome.as_of.isoformat())
    text += _("{n} records").format(n=len(outcome.records))
    text += f", invalid={invalid}, {counts}"
    return command("notice", text, title="dc")


def render(outcome: Outcome, out: TextIO, verbose: bool = False) -> None:
    for line in lines(outcome):
        out.write(line + "\n")
    out.write(summary_line(outcome) + "\n")
