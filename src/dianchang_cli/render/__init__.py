"""Stage 5 — render: one module per output format, chosen by name.

``CHECK_FORMATS`` are the formats of ``dc check``; each is a function
``render(outcome, out, verbose=False)`` writing to the text stream ``out``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..api import Outcome

CheckRenderer = Callable[["Outcome", TextIO, bool], None]

# name → module below render/ that defines `render` (imported only when chosen: rich and
# jinja2 cost import time that json output need not pay)
CHECK_FORMATS: dict[str, str] = {
    "table": "table",
    "json": "jsonout",
    "github": "github",
    "junit": "junit",
    "sarif": "sarif",
}


def check_renderer(name: str) -> CheckRenderer:
    module = import_module(f"{__name__}.{CHECK_FORMATS[name]}")
    return module.render  # type: ignore[no-any-return]
