"""Words and formats of the report: headings, period and day names, numbers, status cells.

Everything a template prints that is not record or plan data comes from :func:`labels`, so
the Markdown, HTML and Typst templates stay free of language and all three say the same.
Period and day names follow the language (``2023年4月`` / ``April 2023``) without a catalog.
"""

from __future__ import annotations

import datetime as dt

from ..core import WORST_FIRST as WORST
from ..engine.periods import Period
from ..i18n import _, is_chinese
from ..planfile.plan import Plan
from ..render.labels import STATUS_SYMBOLS, status_word
from .model import Cell

COLOURS = {"met": "#c8e6c9", "unmet": "#ffcdd2", "late": "#ffe0b2", "pending": "#fff59d",
           "waived": "#bbdefb", "info": "#eeeeee", "": "#ffffff"}
NO_RESULT = "—"
_ZH_DIGITS = "〇一二三四五六七八九"
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def labels() -> dict[str, str]:
    """Every fixed text of the report in the active language."""
    return {
        "period": _("Period"), "made": _("Made on"), "as_of": _("Data as of"),
        "records": _("Records"), "invalid": _("Invalid records"), "commit": _("Commit"),
        "dirty": _("Uncommitted changes"), "data_source": _("Data source"),
        "summary": _("Summary"), "counts": _("Results by status"), "scores": _("Scores"),
        "score_period": _("This period"), "score_year": _("Year to date"),
        "heatmap": _("Status by month"),
        "heatmap_note": _("Each cell shows the worst status among the unit's results of "
                          "periods ending that month (months, quarters, festivals, windows)."),
        "legend": _("Legend"), "results": _("Results by section"), "item": _("Item"),
        "rule": _("Rule"), "unit": _("Unit"), "target": _("Target"), "actual": _("Actual"),
        "status": _("Status"), "detail": _("Detail"), "no_result": _("No result for this "
                                                                      "period yet."),
        "units": _("By unit"), "done": _("Done this period"), "date": _("Date"),
        "type": _("Type"), "title": _("Title"), "participants": _("Participants"),
        "volunteers": _("Volunteers"), "hours": _("Service hours"), "total": _("Total"),
        "owed": _("Still owed"), "breaches": _("Records that break a rule"),
        "record": _("Record"), "problem": _("Problem"), "waivers": _("Waivers"),
        "deadlines": _("Deadlines next month"), "due": _("Due"), "none": _("None."),
        "problems": _("Data problems"), "where": _("Where"), "code": _("Code"),
        "message": _("Message"), "appendix": _("Appendix: rules used"),
        "source": _("Source clause"), "basis": _("Basis"), "scope": _("Scope"),
        "note": _("Note"), "footnotes": _("Notes on assumed readings"),
        "page": _("Page {n} of {m}"), "symbol": _("Symbol"), "count": _("Count"),
        "to_date": _("to date"), "no_months": _("No month of the plan has begun yet."),
        "no_problems": _("Every record is valid."),
        # punctuation of the language: full-width in Chinese
        **({"c": "：", "s": "；", "lp": "（", "rp": "）", "dot": "、"} if is_chinese() else
           {"c": ": ", "s": "; ", "lp": " (", "rp": ")", "dot": ". "}),
    }


def period_text(period: Period) -> str:
    """``2023年4月`` / ``April 2023``, ``2023年第二季度`` / ``Q2 2023``, ``2023年`` / ``2023``."""
    year = period.start.year
    if period.kind == "month":
        m = period.start.month
        return f"{year}年{m}月" if is_chinese() else f"{_EN_MONTHS[m - 1]} {year}"
    if period.kind == "quarter":
        q = (period.start.month - 1) // 3 + 1
        return f"{year}年第{_ZH_DIGITS[q]}季度" if is_chinese() else f"Q{q} {year}"
    if period.kind == "year":
        return f"{year}年" if is_chinese() else str(year)
    return period.label


def month_name(day: dt.date) -> str:
    """A heatmap column head: ``4月`` / ``Apr``."""
    return f"{day.month}月" if is_chinese() else _EN_MONTHS[day.month - 1][:3]


def day_text(day: dt.date | None) -> str:
    """``2023年4月30日`` / ``2023-04-30``; empty for no day."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日" if is_chinese() else day.isoformat()


def report_kind(period: Period) -> str:
    return {"month": _("monthly report"), "quarter": _("quarterly report"),
            "year": _("annual report")}.get(period.kind, _("report"))


def plan_topic(plan: Plan) -> str:
    """What the plan is about, from its title: ``电厂街道2023年宣传思想工作要点`` → 宣传思想工作."""
    title = plan.meta.title
    top = plan.unit_name(plan.subdistrict)
    topic = title.removeprefix(top)
    for year in (f"{plan.year}年", f"{plan.year}"):
        topic = topic.removeprefix(year)
    topic = topic.removesuffix("要点").strip()
    return topic or title


def cell(status: str) -> Cell:
    """A status as symbol, word and colour, so it reads with and without colour."""
    if not status:
        return Cell("", NO_RESULT, "", COLOURS[""])
    return Cell(status, STATUS_SYMBOLS.get(status, "?"), status_word(status),
                COLOURS.get(status, "#ffffff"))


def worst(statuses: list[str]) -> str:
    """The worst of several statuses (``unmet`` before ``late`` …); empty for none."""
    return min(statuses, key=WORST.index) if statuses else ""


def legend() -> list[Cell]:
    return [cell(s) for s in WORST] + [Cell("", NO_RESULT, _("no result"), COLOURS[""])]
