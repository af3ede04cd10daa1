"""The ledger as a Markdown document (GitHub-flavoured tables).

Record text is data, never markup: every character that Markdown, GFM tables, math
extensions or inline HTML would act on is escaped, so a title such as ``| # $x$ <b>`` shows
exactly as typed.
"""

from __future__ import annotations

import re

from ..i18n import _
from .model import SUMMED, TOTALLED, Ledger, Total

_PUNCT = re.compile(r"([\\`*_\[\]|$~#])")  # the rest only matters at a line's start


def escape(text: str) -> str:
    """``text`` as literal Markdown inline text, safe inside a table cell."""
    text = " ".join(str(text).split())  # a newline would end the table row
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _PUNCT.sub(r"\\\1", text)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _rule(numeric: list[bool]) -> str:
    return "|" + "|".join("---:" if n else "---" for n in numeric) + "|"


def _activity_table(ledger: Ledger) -> list[str]:
    cols = ledger.columns
    lines = [_row([escape(c.label) for c in cols]), _rule([c.numeric for c in cols])]
    for row in ledger.rows:
        lines.append(_row([escape(row.text(c.key)) for c in cols]))
    total = ledger.total
    cells = []
    for col in cols:
        if col.key == "title":
            cells.append("**" + escape(_("Total: {n} activities").format(n=total.activities))
                         + "**")
        elif col.key in SUMMED:
            cells.append(f"**{escape(total.text(col.key))}**")
        else:
            cells.append("")
    lines.append(_row(cells))
    return lines


def _totals_table(subtotals: list[Total], total: Total) -> list[str]:
    labels = [_("Unit"), _("Activities"), _("Participants"), _("Volunteers"), _("Service hours")]
    lines = [_row([escape(x) for x in labels]), _rule([False, True, True, True, True])]
    keys = TOTALLED
    for sub in subtotals:
        lines.append(_row([escape(sub.name), *(escape(sub.text(k)) for k in keys)]))
    lines.append(_row([f"**{escape(total.name)}**",
                       *(f"**{escape(total.text(k))}**" for k in keys)]))
    return lines


def _invalid(ledger: Ledger) -> list[str]:
    if not ledger.invalid:
        return []
    lines = ["", "## " + escape(_("Invalid records ({n})").format(n=len(ledger.invalid))), "",
             escape(_("These records are left out of the ledger and of every count until "
                      "they are fixed.")), ""]
    for p in ledger.invalid:
        lines.append(f"- {escape(f'{p.file}:{p.line}')} \\[{escape(p.code)}\\] "
                     f"{escape(p.message)}")
    return lines


def render_text(ledger: Ledger) -> str:
    """The whole ledger as Markdown text."""
    lines = [f"# {escape(ledger.title)}", "", escape(ledger.provenance), ""]
    if ledger.rows:
        lines += _activity_table(ledger)
    else:
        lines.append(escape(_("No volunteer service activity is recorded for this month.")))
    lines += ["", "## " + escape(_("Monthly totals")), ""]
    lines += _totals_table(ledger.subtotals, ledger.total)
    lines += _invalid(ledger)
    lines += ["", "---", "", escape(_("Note: {text}").format(text=ledger.footnote)), ""]
    return "\n".join(lines)


def render(ledger: Ledger) -> bytes:
    return render_text(ledger).encode("utf-8")
