"""The district view: what the database of :mod:`.aggregate` says about its subdistricts.

:func:`district_view` reads the database and returns one plain dict (JSON-ready) for the
templates ``district.md.j2``, ``district.html.j2`` and ``district.typ``:

* ``subdistricts`` — each export: plan, subdistrict, as-of day, results and share met;
* ``months`` and ``heatmap`` — subdistricts × months, the share of the month's results that
  were met (``met`` out of ``met``/``unmet``/``late``: pending, waived and info results are
  no verdict yet), with a level 0–4 for the colour;
* ``item_rates`` — per plan item (number and title, the same in plans that share the source
  document's structure): its rate overall and in each subdistrict;
* ``lowest`` — the communities with the lowest year score (the plan's base plus the score
  contributions of their results), then the lowest share met.

Rule ids are never compared across subdistricts: plans differ; items and statuses do not.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ..core import FAILING
from ..i18n import _

JUDGED = "status IN ({})".format(", ".join(f"'{s}'" for s in sorted({"met", *FAILING})))
"""Results with a verdict: met, or one of the failing statuses (core's named set)."""
MET = "count(*) FILTER (WHERE status = 'met')"
MONTH = re.compile(r"^\d{4}-\d{2}$")
LOWEST = 10


def level(share: float | None) -> int:
    """0 (nothing met) … 4 (all met); -1 when nothing was judged."""
    if share is None:
        return -1
    return min(4, int(share * 5))


def _share(met: int, judged: int) -> float | None:
    return round(met / judged, 4) if judged else None


def _cell(met: int, judged: int) -> dict[str, Any]:
    share = _share(met, judged)
    return {"met": met, "judged": judged, "share": share,
            "percent": f"{share * 100:.0f}%" if share is not None else "–",
            "level": level(share)}


def _subdistricts(con: Any) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT m.plan_id, m.subdistrict, m.subdistrict_name, m.title, m.as_of, m.\"commit\", "
        f"(SELECT {MET} FROM results r WHERE r.plan_id = m.plan_id AND "
        f"r.subdistrict = m.subdistrict AND {JUDGED}), "
        "(SELECT count(*) FROM results r WHERE r.plan_id = m.plan_id AND "
        f"r.subdistrict = m.subdistrict AND {JUDGED}) "
        "FROM meta m ORDER BY m.subdistrict_name, m.subdistrict, m.plan_id").fetchall()
    return [{"plan": p, "id": s, "name": n or s, "title": t, "as_of": str(a),
             "commit": c or "", **_cell(met, judged)}
            for p, s, n, t, a, c, met, judged in rows]


def _heatmap(con: Any, subs: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    rows = con.execute(
        f"SELECT plan_id, subdistrict, period, {MET}, count(*) FROM results WHERE {JUDGED} "
        "GROUP BY ALL").fetchall()
    months = sorted({str(r[2]) for r in rows if MONTH.match(str(r[2]))})
    cells = {(p, s, m): (met, n) for p, s, m, met, n in rows}
    grid = [{"name": sub["name"], "plan": sub["plan"],
             "cells": [_cell(*cells.get((sub["plan"], sub["id"], m), (0, 0))) for m in months]}
            for sub in subs]
    return months, grid


def _items(con: Any, subs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = con.execute(
        f"SELECT item, item_title, plan_id, subdistrict, {MET}, count(*) FROM results "
        f"WHERE {JUDGED} AND item IS NOT NULL GROUP BY ALL").fetchall()
    by_item: dict[tuple[int, str], dict[tuple[str, str], tuple[int, int]]] = {}
    for item, title, plan, sub, met, n in rows:
        by_item.setdefault((int(item), str(title or "")), {})[(plan, sub)] = (met, n)
    out = []
    for (item, title), per in sorted(by_item.items()):
        met = sum(m for m, _n in per.values())
        judged = sum(n for _m, n in per.values())
        out.append({"item": item, "title": title, **_cell(met, judged),
                    "cells": [_cell(*per.get((s["plan"], s["id"]), (0, 0))) for s in subs]})
    return out


def _lowest(con: Any, limit: int) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT r.plan_id, r.subdistrict_name, r.unit, r.unit_name, "
        "any_value(m.score_base) + coalesce(sum(r.score_contribution), 0) AS score, "
        f"count(*) FILTER (WHERE r.status = 'met'), count(*) FILTER (WHERE r.{JUDGED}) "
        "FROM results r JOIN meta m ON m.plan_id = r.plan_id AND m.subdistrict = r.subdistrict "
        "WHERE r.unit_kind = 'community' GROUP BY ALL "
        "ORDER BY score, r.subdistrict_name, r.unit LIMIT ?", [limit]).fetchall()
    return [{"plan": p, "subdistrict": s, "unit": u, "name": n or u,
             "score": round(float(score), 2), **_cell(met, judged)}
            for p, s, u, n, score, met, judged in rows]


def labels() -> dict[str, str]:
    """The words of the district view, in the active language."""
    return {
        "title": _("District view"), "subdistricts": _("Subdistricts"),
        "plan": _("Plan"), "as_of": _("As of"), "met": _("Share met"),
        "heatmap": _("Share of results met, by subdistrict and month"),
        "rates": _("Rates per item"), "item": _("Item"), "all": _("All"),
        "lowest": _("Lowest-scoring communities"), "community": _("Community"),
        "subdistrict": _("Subdistrict"), "score": _("Score"),
        "none": _("No results."),
        "legend": _("A share is the results met out of those met, unmet or late; pending, "
                    "waived and informational results are left out. – means nothing was "
                    "judged."),
    }


def district_view(database: Path, lowest: int = LOWEST) -> dict[str, Any]:
    """The district view's model, read from the database file of :func:`.aggregate`."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        subs = _subdistricts(con)
        months, grid = _heatmap(con, subs)
        return {"subdistricts": subs, "months": months, "heatmap": grid,
                "item_rates": _items(con, subs), "lowest": _lowest(con, lowest),
                "labels": labels()}
    finally:
        con.close()


TEMPLATES = {"md": "district.md.j2", "html": "district.html.j2", "pdf": "district.typ"}
REPORT_FORMATS = tuple(TEMPLATES)  # md, html, pdf


def render_district(view: dict[str, Any], fmt: str, font: str | None = None) -> bytes:
    """The district view as Markdown, HTML or PDF through the report's renderers: the same
    sandboxed Jinja2 (every value escaped for Markdown or HTML, the page checked to be
    self-contained) and the same Typst engine (the data passed as one JSON value).
    Raises :class:`~dianchang_cli.render.typst_engine.RenderError`."""
    if fmt == "pdf":
        from ..render.pdf import PACKAGED
        from ..render.typst_engine import choose_font, compile_pdf

        when = max((s["as_of"] for s in view["subdistricts"]), default=None)
        day = dt.date.fromisoformat(when) if when else None
        return compile_pdf(PACKAGED / TEMPLATES["pdf"], view, choose_font(font), when=day)
    from ..render.markdown import render_template

    page = render_template(TEMPLATES[fmt], view, None, html=fmt == "html")
    if fmt == "html":
        from ..render.html import check_self_contained

        check_self_contained(page, TEMPLATES["html"])
    return page.encode("utf-8")
