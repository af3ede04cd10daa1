"""``dc check --format json``: one object with the contract keys of cli.md."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..outcome import Outcome


def document(outcome: Outcome) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "as_of": outcome.as_of.isoformat(),
        "records": len(outcome.records),
        "files": outcome.files,
        "errors": [p.as_json() for p in outcome.problems if p.severity == "error"],
        "warnings": [p.as_json() for p in outcome.problems if p.severity != "error"],
        "results": [r.as_json() for r in outcome.results],
        "summary": outcome.summary(),
    }
    if outcome.scores:
        doc["scores"] = outcome.scores
    if outcome.provenance:
        doc["provenance"] = outcome.provenance
    if outcome.notes:
        doc["notes"] = outcome.notes
    return doc


def render(outcome: Outcome, out: TextIO, verbose: bool = False) -> None:
    """Indented for a person at a terminal; compact (C encoder, several times faster) for
    pipes and CI."""
    indent = 2 if out.isatty() else None
    out.write(json.dumps(document(outcome), ensure_ascii=False, indent=indent, default=str))
    out.write("\n")
