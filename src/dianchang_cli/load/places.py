"""Where in its file a violation is: the line of the field the failing condition reads.

The engine judges records without their YAML nodes (they are dropped after validation to
keep 100,000 records small).  So, back in the load stage, only the few files that break an
``each`` rule are parsed again, and CI annotations and SARIF regions land on the
``reviewer:`` line of a post rather than on its first line.  A field the record lacks (the
usual reason for a violation) leaves the record's first line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from ..engine.results import Result, Violation
from .yamlsafe import load_bytes, locate


def _line(root: Path, v: Violation, fields: tuple[str, ...]) -> int:
    try:
        loaded = load_bytes((root / v.file).read_bytes(), v.file)
    except OSError:
        return v.line
    if loaded.node is None or not isinstance(loaded.value, dict):
        return v.line
    for name in fields:
        if name in loaded.value:
            return locate(loaded.node, (name,))[0]
    return v.line


def place_violations(root: Path, results: Iterable[Result]) -> list[Result]:
    """``results`` with each violation's line moved to the field that made it fail."""
    out = []
    for result in results:
        if result.violations:
            result = replace(result, violations=tuple(
                replace(v, line=_line(root, v, v.fields)) if v.file and v.fields else v
                for v in result.violations))
        out.append(result)
    return out
