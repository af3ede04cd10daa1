"""One self-contained HTML file from a Jinja2 template with autoescape on.

The page has its CSS inline, makes no request (a Content-Security-Policy forbids scripts and
every outside resource), and has no ``<script>``.  Every value is HTML-escaped by Jinja2's
autoescape; colours carry a symbol and a word too, so the page reads in black and white.
An override ``<repo>/plan/templates/report.html.j2`` replaces the packaged template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .markdown import render_template

TEMPLATE = "report.html.j2"


def render(data: dict[str, Any], override: Path | None = None) -> bytes:
    """The report as one UTF-8 HTML document."""
    return render_template(TEMPLATE, data, override, html=True).encode("utf-8")
