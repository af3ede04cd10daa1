"""``dc validate``'s output: the problems of the files checked, as text or json."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TextIO

from ..i18n import _

if TYPE_CHECKING:
    from ..diagnostics import Problem
    from ..records.batch import RecordSet


def errors(loaded: RecordSet) -> list[Problem]:
    """The problems that make a file invalid (warnings do not)."""
    return [p for p in loaded.problems if p.severity == "error"]


def render(loaded: RecordSet, fmt: str, out: TextIO) -> None:
    """Write the result of validating files in ``fmt`` (``text`` or ``json``) to ``out``:
    json lists the errors only, text every problem and a count."""
    bad = errors(loaded)
    if fmt == "json":
        json.dump({"files": loaded.files, "records": len(loaded.records),
                   "errors": [p.as_json() for p in bad]},
                  out, ensure_ascii=False, indent=2)
        print(file=out)
        return
    for p in loaded.problems:
        print(p.text(), file=out)
    print(_("{n} files checked, {bad} invalid").format(
        n=loaded.files, bad=len({p.file for p in bad})), file=out)
