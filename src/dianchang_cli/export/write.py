"""Writing the tables of :mod:`.tables` as Parquet (through DuckDB), CSV or JSON Lines.

The layout is Hive style, one folder per plan and year, one file per table::

    DIR/plan=<plan id>/year=<yyyy>/results.parquet
    DIR/plan=<plan id>/year=<yyyy>/records.parquet
    DIR/plan=<plan id>/year=<yyyy>/record_<type id>.parquet
    DIR/plan=<plan id>/year=<yyyy>/meta.parquet

Parquet files all have the same columns (see :mod:`.tables`), so
``read_parquet('DIR/**/*.parquet')`` reads the export with no option and adds the ``plan``
and ``year`` columns from the folder names.  CSV and JSON Lines files hold only each
table's own columns (a spreadsheet has no use for empty ones).

The one-schema promise holds per plan: the columns come from the plan's record types, so
two plans exported into one folder may differ.  Keep one folder per plan (``dc aggregate``
takes many), or read such a folder with ``union_by_name = true`` as ``dc aggregate`` does.

The rows go to DuckDB as one newline-delimited JSON file read with the declared column
types, so no Arrow or pandas is needed; DuckDB runs single-threaded and rows keep their
order, so the same outcome gives the same bytes.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from .tables import Tables

FORMATS = ("parquet", "csv", "jsonl")
_UNSAFE = re.compile(r"[^\w.\-]|^\.+$", re.UNICODE)


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def partition(out_dir: Path, plan_id: str, year: int) -> Path:
    """The folder of one plan and year: ``plan=<id>/year=<yyyy>``; characters a folder name
    cannot safely hold become ``_``."""
    safe = _UNSAFE.sub("_", plan_id)[:120] or "_"
    return out_dir / f"plan={safe}" / f"year={year:04d}"


def _load(con: object, data: Tables, folder: Path) -> None:
    """Every row of every table into the DuckDB table ``t`` (with its row number)."""
    rows = folder / "rows.jsonl"
    with rows.open("w", encoding="utf-8") as out:
        n = 0
        for table in data.rows.values():
            for row in table:
                out.write(json.dumps({"_n": n, **row}, ensure_ascii=False))
                out.write("\n")
                n += 1
    spec = ", ".join(f"{literal(name)}: {literal(kind)}"
                     for name, kind in {"_n": "BIGINT", **data.columns}.items())
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_json({literal(str(rows))}, "  # type: ignore[attr-defined]
                f"format='newline_delimited', columns={{{spec}}})")


def _copy_options(fmt: str) -> str:
    if fmt == "parquet":
        return "FORMAT parquet, COMPRESSION zstd"
    if fmt == "csv":
        return "FORMAT csv, HEADER true"
    return "FORMAT json"


def _with_bom(path: Path) -> None:
    """A UTF-8 byte-order mark in front of a CSV file: Excel on a Chinese Windows reads a
    CSV without one as GBK and shows the Chinese garbled (DuckDB, pandas and Python's csv
    with ``utf-8-sig`` read it either way)."""
    data = path.read_bytes()
    if not data.startswith(b"\xef\xbb\xbf"):
        path.write_bytes(b"\xef\xbb\xbf" + data)


def write(data: Tables, out_dir: Path, fmt: str = "parquet") -> list[Path]:
    """Write every table of ``data`` under ``out_dir``; return the files, in order.

    Files of an earlier export of the same plan and year in that format are replaced
    (a table that no longer exists is removed).
    """
    import duckdb

    target = partition(out_dir, data.plan_id, data.year)
    target.mkdir(parents=True, exist_ok=True)
    suffix = "." + fmt
    for old in target.glob("*" + suffix):
        if old.is_file():
            old.unlink()
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="dc-export-") as tmp:
        con = duckdb.connect(":memory:")
        try:
            con.execute("SET threads = 1")
            con.execute("SET preserve_insertion_order = true")
            _load(con, data, Path(tmp))
            every = list(data.columns)
            for table in data.rows:
                path = target / f"{table}{suffix}"
                cols = every if fmt == "parquet" else data.own[table]
                select = ", ".join(quote(c) for c in cols)
                con.execute(f"COPY (SELECT {select} FROM t WHERE \"table\" = {literal(table)} "
                            f"ORDER BY _n) TO {literal(str(path))} ({_copy_options(fmt)})")
                if fmt == "csv":
                    _with_bom(path)
                written.append(path)
        finally:
            con.close()
    return written
