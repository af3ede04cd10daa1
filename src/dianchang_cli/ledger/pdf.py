"""The ledger as a PDF: A4 landscape, compiled by Typst from ``render/templates/ledger.typ``.

The ledger goes to the template as ONE JSON value (``sys.inputs.data``); no record text is
ever written into Typst source, so a title such as ``#set text(red)`` or ``$x$`` prints as
typed.  Every text here is already formatted and translated; the template only lays it out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..i18n import _, is_chinese
from ..render.typst_engine import choose_font, compile_pdf
from .model import SUMMED, TOTALLED, Ledger

TEMPLATE = Path(__file__).resolve().parent.parent / "render" / "templates" / "ledger.typ"
# relative column widths on the page (Typst `fr`)
WIDTHS = {"index": 3, "date": 7, "unit": 11, "title": 21.5, "theme": 12, "location": 13,
          "participants": 7.5, "volunteers": 7, "service_hours": 6.5, "evidence": 6,
          "platform": 10.5}


def _totals_row(ledger: Ledger) -> list[str]:
    cells = []
    for col in ledger.columns:
        if col.key == "title":
            cells.append(_("Total: {n} activities").format(n=ledger.total.activities))
        elif col.key in SUMMED:
            cells.append(ledger.total.text(col.key))
        else:
            cells.append("")
    return cells


def _subtotals(ledger: Ledger) -> dict[str, Any]:
    keys = TOTALLED
    return {
        "title": _("Monthly totals"),
        "header": [_("Unit"), _("Activities"), _("Participants"), _("Volunteers"),
                   _("Service hours")],
        "rows": [[s.name, *(s.text(k) for k in keys)] for s in ledger.subtotals],
        "total": [ledger.total.name, *(ledger.total.text(k) for k in keys)],
    }


def data(ledger: Ledger) -> dict[str, Any]:
    """Everything the template shows, as plain JSON values."""
    return {
        "lang": "zh" if is_chinese() else "en",
        "title": ledger.title,
        "provenance": ledger.provenance,
        "footnote": _("Note: {text}").format(text=ledger.footnote),
        "page": _("Page {n} of {m}"),
        "columns": [{"label": c.label, "numeric": c.numeric, "width": WIDTHS.get(c.key, 8)}
                    for c in ledger.columns],
        "rows": [[r.text(c.key) for c in ledger.columns] for r in ledger.rows],
        "total": _totals_row(ledger),
        "empty": _("No volunteer service activity is recorded for this month."),
        "subtotals": _subtotals(ledger),
        "invalid_title": _("Invalid records ({n})").format(n=len(ledger.invalid)),
        "invalid_note": _("These records are left out of the ledger and of every count "
                          "until they are fixed."),
        "invalid": [{"where": f"{p.file}:{p.line}", "text": f"[{p.code}] {p.message}"}
                    for p in ledger.invalid],
    }


def render(ledger: Ledger) -> bytes:
    """PDF bytes; raises :class:`~..render.typst_engine.RenderError` (e.g. no CJK font)."""
    return compile_pdf(TEMPLATE, data(ledger), choose_font(ledger.font), when=ledger.as_of)
