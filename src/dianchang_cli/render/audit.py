"""``dc audit``'s output: the commits by identities not listed for a unit, as text or json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ..core import TZ
from ..i18n import _

if TYPE_CHECKING:
    from ..gitrepo.audit import Finding
    from ..planfile.plan import Plan


def render(plan: Plan, commits: int, findings: Sequence[Finding], fmt: str,
           out: TextIO) -> None:
    """Write the audit in ``fmt`` (``text`` or ``json``) to ``out``."""
    if fmt == "json":
        json.dump({"commits": commits, "findings": [f.as_json() for f in findings]},
                  out, ensure_ascii=False, indent=2)
        print(file=out)
        return
    for f in findings:  # one line per finding, its files below: readable in any width
        when = f.time.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
        print(f"{f.commit[:10]}  {when}  {f.email}  {plan.unit_name(f.unit)} ({f.unit})",
              file=out)
        for name in f.files:
            print(f"    {name}", file=out)
    print(_("{n} commits read, {k} by identities not listed for the unit")
          .format(n=commits, k=len({f.commit for f in findings})), file=out)
