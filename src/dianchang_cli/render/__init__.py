"""Stage 5 — render: one module per output format, chosen by name.

Two registries, one pattern (name → module, imported only when chosen: rich, jinja2 and
typst cost import time that other formats need not pay):

- ``CHECK_FORMATS``, the formats of ``dc check``: each module's
  ``render(outcome, out, verbose=False)`` writes to the text stream ``out``;
- ``REPORT_FORMATS``, the formats of ``dc report``: each module's
  ``render_report(data, options)`` turns the report model's data into the file's bytes.

The ledger keeps the same pattern in :mod:`dianchang_cli.ledger`.  A renderer only
formats: what it shows was computed before it is called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..outcome import Outcome

CheckRenderer = Callable[["Outcome", TextIO, bool], None]

CHECK_FORMATS: dict[str, str] = {
    "table": "table",
    "json": "jsonout",
    "github": "github",
    "junit": "junit",
    "sarif": "sarif",
}


@dataclass(frozen=True)
class ReportOptions:
    """What a report format may need besides the report: each reads its own."""

    templates: Path | None = None  # the folder of template overrides
    font: str | None = None  # PDF: the font family (None: the bundled one)
    when: dt.date | None = None  # PDF: the document's own date
    embed_font: bool = False  # HTML: carry its own Chinese font


ReportRenderer = Callable[[dict[str, Any], ReportOptions], bytes]

REPORT_FORMATS: dict[str, str] = {"md": "markdown", "html": "html", "pdf": "pdf", "docx": "docx"}


def check_renderer(name: str) -> CheckRenderer:
    module = import_module(f"{__name__}.{CHECK_FORMATS[name]}")
    return module.render  # type: ignore[no-any-return]


def report_renderer(name: str) -> ReportRenderer:
    """The ``render_report`` function of report format ``name`` (one of REPORT_FORMATS)."""
    module = import_module(f"{__name__}.{REPORT_FORMATS[name]}")
    return module.render_report  # type: ignore[no-any-return]
