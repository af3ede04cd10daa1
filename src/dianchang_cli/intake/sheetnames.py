"""The titles of a workbook's sheets, shared by the template that names them and the
importer that reads them back — without loading a spreadsheet library.

A type's sheet is titled with its Chinese name; Excel refuses ``[]:*?/\\`` in a title and
cuts it to 31 characters, so those characters become their full-width forms (``／``, ``：``,
``【`` …), and a title taken already (Excel compares without case) gets ``(2)``, ``(3)`` ….
"""

from __future__ import annotations

import re

from ..i18n import _
from ..planfile.plan import Plan

LIST_SHEET = "_lists"  # the template's hidden sheet holding every drop-down list
MAX_TITLE = 31  # Excel's limit on a sheet title
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")  # characters a sheet title may not hold …
WIDE = {c: chr(ord(c) + 0xFEE0) for c in ":*?/\\"} | {"[": "【", "]": "】"}  # … and theirs
RESERVED = ("history",)  # a sheet title Excel keeps for itself
ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")  # characters no cell may hold


def clean(text: str) -> str:
    """Plan text as a cell or title may hold it: control characters replaced."""
    return ILLEGAL.sub("\ufffd", text)


def instructions_title() -> str:
    """The title of the template's first sheet (填写说明), which the importer skips."""
    return _("How to fill in")[:MAX_TITLE]


def sheet_titles(plan: Plan) -> dict[str, str]:
    """Type id → its sheet's title, for every type of the plan in plan order.

    Computed over all types, so a workbook of some types names each sheet as a workbook of
    all would, and the importer finds the type of any sheet the template wrote.
    """
    taken = {instructions_title().casefold(), LIST_SHEET.casefold(), *RESERVED}
    out: dict[str, str] = {}
    for type_id, rtype in plan.types.items():
        wide = BAD_TITLE.sub(lambda m: WIDE[m.group()], clean(rtype.name))
        base = wide.strip().strip("'") or type_id
        title, n = base[:MAX_TITLE], 1
        while title.casefold() in taken:
            n += 1
            suffix = f"({n})"
            title = base[:MAX_TITLE - len(suffix)] + suffix
        taken.add(title.casefold())
        out[type_id] = title
    return out


def type_for_sheet(plan: Plan, title: str) -> str | None:
    """The type whose template sheet is titled ``title`` (as Excel compares: without
    case), or None."""
    wanted = title.strip().casefold()
    return next((t for t, s in sheet_titles(plan).items() if s.casefold() == wanted), None)
