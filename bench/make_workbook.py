"""Generate a realistic ledger workbook for benchmarking ``dc import``.

    python bench/make_workbook.py OUT.xlsx --rows 2000 --unit UNIT [--plan plan/]

The workbook looks like one a community secretary keeps in WPS: a title line, a header of
the plan's Chinese field names with ``*`` on the required ones and a ``序号`` column, dates
as date cells, counts sometimes typed as text with full-width digits, a date merged over
the rows of one day, a blank row now and then, a totals line at the end, and a hidden list
sheet.  The record type is the plan's first ledger type (``settings.ledger_types``, else
the first type with volunteers and service hours); fields and enum values are read from
the plan, so the generator follows whatever plan it is given.  Then time the import:

    time dc import OUT.xlsx --unit UNIT --dry-run
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.ledger import default_types

ROOT = Path(__file__).resolve().parent.parent
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SKIPPED = {"id", "type", "unit"}  # the import makes the id; the sheet and --unit give the rest


def columns(plan: Any, type_id: str) -> list[tuple[str, Any]]:
    """(field id, spec) of the columns: the common lead fields, then the type's own."""
    specs = {**plan.common_fields, **plan.types[type_id].fields}
    return [(name, spec) for name, spec in specs.items() if name not in SKIPPED
            and spec.type in {"text", "integer", "number", "date", "enum"}]


def value(name: str, spec: Any, day: dt.date, n: int, rng: random.Random) -> Any:
    if spec.type == "date":
        return day
    if spec.type == "enum":
        return rng.choice(spec.values)
    if spec.type == "integer":
        number = rng.randint(3, 120)
        return str(number).translate(FULL_WIDTH) if n % 7 == 0 else number
    if spec.type == "number":
        return rng.choice([1, 1.5, 2, 2.5, 3, 4.5, 6])
    return f"{spec.name or name}{n}号：社区志愿者入户走访开展服务"


def merge(ws: Any, group: list[int], col: int) -> None:
    """Merge one column over consecutive rows (how a day is often written once)."""
    if len(group) > 1:
        ws.merge_cells(start_row=group[0], start_column=col, end_row=group[-1], end_column=col)


def build(out: Path, rows: int, unit: str, plan_dir: Path, seed: int = 7) -> None:
    plan = load_plan(plan_dir, plan_dir.parent)
    type_id = default_types(plan)[0]
    rtype = plan.types[type_id]
    cols = columns(plan, type_id)
    rng = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = rtype.name[:31]
    ws.append([f"{plan.unit_name(unit)}{rtype.name}台账"])
    ws.append(["序号", *(("*" if spec.required else "") + (spec.name or name)
                         for name, spec in cols)])
    start = dt.date(plan.year, 1, 1)
    date_col = 2 + [name for name, _spec in cols].index("date")
    group: list[int] = []  # the sheet rows of the current day, to merge their date cells
    for n in range(1, rows + 1):
        day = start + dt.timedelta(days=(n - 1) * 365 // max(rows, 1))
        cells = [value(name, spec, day, n, rng) for name, spec in cols]
        if group and ws.cell(group[0], date_col).value == day:
            cells[date_col - 2] = None  # written once, merged over the day's rows
        else:
            merge(ws, group, date_col)
            group = []
        ws.append([n, *cells])
        group.append(ws.max_row)
        if n % 50 == 0:
            merge(ws, group, date_col)
            group = []
            ws.append([])
    merge(ws, group, date_col)
    ws.append(["合计", f"{rows} 条"])
    lists = wb.create_sheet("_lists")
    lists.sheet_state = "hidden"
    for name, spec in cols:
        if spec.type == "enum":
            lists.append([spec.name or name, *spec.values])
    wb.save(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--unit", required=True)
    parser.add_argument("--plan", type=Path, default=ROOT / "plan")
    args = parser.parse_args()
    build(args.out, args.rows, args.unit, args.plan)
    print(args.out)


if __name__ == "__main__":
    main()
