"""One self-contained HTML file from a Jinja2 template with autoescape on.

The page has its CSS inline, makes no request (a Content-Security-Policy forbids scripts and
every outside resource), and has no ``<script>``.  Every value is HTML-escaped by Jinja2's
autoescape; colours carry a symbol and a word too, so the page reads in black and white.
An override ``<repo>/plan/templates/report.html.j2`` replaces the packaged template; the
finished page is checked, so an override cannot add a script or an outside resource either.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..diagnostics import printable
from ..i18n import _
from .markdown import TemplateProblem, render_template, shown_name
from .typst_engine import RenderError

if TYPE_CHECKING:
    from . import ReportOptions

TEMPLATE = "report.html.j2"

# what a self-contained, script-free page never contains (record text is escaped, so a
# match can only come from a template)
_FORBIDDEN = re.compile(
    r"<\s*(script|iframe|object|embed|link|base|frame)\b"
    r"|\bon[a-z]+\s*=\s*[\"']"
    r"|\b(src|href|action|srcset)\s*=\s*[\"']?\s*(https?:|//|javascript:)"
    r"|url\(\s*[\"']?\s*(https?:|//)"
    r"|@import",
    re.IGNORECASE)


def check_self_contained(page: str, template: str = TEMPLATE) -> None:
    """Raise :class:`RenderError` if the page has a script or loads anything from outside."""
    found = _FORBIDDEN.search(page)
    if found:
        raise RenderError(TemplateProblem(template, 0, _(
            "the HTML report must be self-contained and script-free, but it contains "
            "“{text}”").format(text=printable(found.group(0)))).text())


def render(data: dict[str, Any], override: Path | None = None, embed_font: bool = False
           ) -> bytes:
    """The report as one UTF-8 HTML document; ``embed_font`` carries its own Chinese font."""
    page = render_template(TEMPLATE, data, override, html=True)
    from .pdf import has_override

    check_self_contained(page, shown_name(override, TEMPLATE) if override is not None
                         and has_override(override, TEMPLATE) else TEMPLATE)
    if embed_font:
        from .webfont import embed

        page = embed(page)
    return page.encode("utf-8")


def render_report(data: dict[str, Any], options: ReportOptions) -> bytes:
    """The report format ``html`` of :data:`~dianchang_cli.render.REPORT_FORMATS`."""
    return render(data, options.templates, embed_font=options.embed_font)
