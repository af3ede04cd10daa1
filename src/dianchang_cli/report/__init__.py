"""``dc report``: one report model, rendered as Markdown, HTML or PDF.

>>> period = parse_period("month", "2023-04")
>>> period.label, str(period.end)
('2023-04', '2023-04-30')
>>> default_output(Path("reports"), "2023-04", "dongyuan", "pdf").as_posix()
'reports/2023-04-dongyuan.pdf'

The model (:mod:`.model`) is built from a check outcome by :func:`.build.build`; the
renderers live in :mod:`dianchang_cli.render`, registered by name in its
``REPORT_FORMATS`` and imported only for the chosen format (jinja2 for Markdown and HTML,
typst for PDF).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.periods import Period, month, quarter, year_period
from ..render import REPORT_FORMATS, ReportOptions, report_renderer

if TYPE_CHECKING:
    from .model import Report

FORMATS = tuple(REPORT_FORMATS)  # md, html, pdf
_PATTERNS = {"month": re.compile(r"^(\d{4})-(\d{1,2})$"),
             "quarter": re.compile(r"^(\d{4})-[Qq]([1-4])$"),
             "year": re.compile(r"^(\d{4})$")}


def parse_period(kind: str, text: str) -> Period | None:
    """``--month 2023-04`` / ``--quarter 2023-Q2`` / ``--year 2023`` → the period, or None."""
    match = _PATTERNS[kind].match(text.strip())
    if not match:
        return None
    year = int(match.group(1))
    if kind == "year":
        return year_period(year)
    number = int(match.group(2))
    if kind == "quarter":
        return quarter(year, number)
    return month(year, number) if 1 <= number <= 12 else None


def default_output(reports: Path, label: str, unit: str | None, fmt: str) -> Path:
    """``reports/2023-04.md``, ``reports/2023-04-dongyuan.pdf`` …"""
    return reports / f"{label}{'-' + unit if unit else ''}.{fmt}"


def format_of(path: Path | None) -> str | None:
    """The format an output file name asks for (``x.pdf`` → pdf), if it is one of ours."""
    if path is None:
        return None
    suffix = path.suffix.lower().lstrip(".")
    suffix = {"markdown": "md", "htm": "html"}.get(suffix, suffix)
    return suffix if suffix in FORMATS else None


def render(report: Report, fmt: str, templates: Path | None = None, font: str | None = None,
           when: dt.date | None = None, embed_font: bool = False) -> bytes:
    """The report in ``fmt`` as bytes.  ``templates``: the folder of template overrides.

    Raises :class:`~dianchang_cli.render.typst_engine.RenderError` when it cannot be made.
    """
    # the PDF's own date is the day the report was made: same input, same bytes
    options = ReportOptions(templates=templates, font=font,
                            when=when or dt.date.fromisoformat(report.made),
                            embed_font=embed_font)
    return report_renderer(fmt)(report.to_data(), options)
