"""PDF through Typst: ``templates/report.typ`` reads the report as one JSON value.

No Typst source is ever built from record text; the template reads
``json(bytes(sys.inputs.data))`` and prints strings as strings.  An override
``<repo>/plan/templates/report.typ`` replaces the packaged template (it may import files
beside it).  The font is the bundled Noto Sans CJK SC unless ``font`` names a system font.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .typst_engine import choose_font, compile_pdf

PACKAGED = Path(__file__).parent / "templates"
TEMPLATE = "report.typ"


def template_path(override: Path | None, name: str = TEMPLATE) -> Path:
    """The override's file if it exists, else the packaged one."""
    if override is not None and (override / name).is_file():
        return override / name
    return PACKAGED / name


def render(data: dict[str, Any], override: Path | None = None, font: str | None = None,
           when: dt.date | None = None) -> bytes:
    """The report as PDF bytes; raises :class:`~.typst_engine.RenderError`."""
    return compile_pdf(template_path(override), data, choose_font(font), when=when)
