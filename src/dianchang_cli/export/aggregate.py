"""Many subdistricts' exports in one embedded DuckDB database file (no server).

:func:`aggregate` reads each export folder (what ``dc export`` wrote: Parquet files under
``plan=<id>/year=<yyyy>/``) and fills three tables of one database file:

* ``results`` — every result of every export, with its plan, subdistrict and as-of day;
* ``records`` — the common record table of every export;
* ``meta`` — one row per export (plan, title, issuer, subdistrict, as-of, commit, version).

The per-type record tables are not copied: their columns differ from plan to plan; query
them straight from the Parquet files.  Different subdistricts may follow different plans,
so nothing here joins on rule ids: the district view (:mod:`.district`) compares by item
and status.  An export folder that holds nothing readable is a problem, not a stop, and
leaves no rows behind (each folder is loaded in one transaction); the same plan and
subdistrict given twice is loaded once.  The database is written to a
temporary file beside the target and moved into place, so a failed run leaves the old one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import _
from .tables import ENVELOPE, META_COLUMNS, RECORD_COLUMNS, RESULT_COLUMNS
from .write import literal, quote

MAX_EXPORTS = 10_000  # folders one aggregate reads
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "results": ENVELOPE + RESULT_COLUMNS,
    "records": ENVELOPE + RECORD_COLUMNS,
    "meta": ENVELOPE + META_COLUMNS,
}


@dataclass
class Loaded:
    """What :func:`aggregate` did: the database, the exports loaded (plan id, subdistrict),
    and one sentence per folder it could not use or skipped."""

    database: Path
    exports: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _create(con: Any) -> None:
    for name, columns in TABLES.items():
        spec = ", ".join(f"{quote(c)} {kind}" for c, kind in columns)
        con.execute(f"CREATE TABLE {name} ({spec})")


def _source(folder: Path, table: str) -> str:
    """The Parquet files of one table of an export folder (every plan and year in it)."""
    glob = str(folder / "**" / f"{table}.parquet")
    return f"read_parquet({literal(glob)}, union_by_name = true, hive_partitioning = false)"


def _keys(con: Any, folder: Path) -> list[tuple[str, str]]:
    rows = con.execute(f"SELECT DISTINCT plan_id, subdistrict FROM {_source(folder, 'meta')} "
                       "WHERE \"table\" = 'meta' ORDER BY 1, 2").fetchall()
    return [(str(a), str(b)) for a, b in rows]


def _load_one(con: Any, folder: Path, loaded: Loaded) -> None:
    """Copy one export folder's results, records and meta rows into the database."""
    import duckdb

    if not any(folder.rglob("meta.parquet")):
        loaded.problems.append(_("{path}: no Parquet export found (run dc export first, or "
                                 "give the repository)").format(path=folder))
        return
    try:
        keys = _keys(con, folder)
        fresh = [k for k in keys if k not in loaded.exports]
        if not keys or len(fresh) < len(keys):
            loaded.problems.append(_("{path}: already loaded or without a meta table; "
                                     "skipped").format(path=folder))
            return
        con.begin()  # all three tables of the folder, or none of them
        try:
            for name, columns in TABLES.items():
                cols = ", ".join(quote(c) for c, _kind in columns)
                con.execute(f"INSERT INTO {name} SELECT {cols} FROM {_source(folder, name)} "
                            f"WHERE \"table\" = {literal(name)}")
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except duckdb.Error as err:
        loaded.problems.append(_("{path}: not a dc export ({error})").format(
            path=folder, error=str(err).splitlines()[0][:200]))
        return
    loaded.exports.extend(fresh)


def aggregate(folders: list[Path], database: Path) -> Loaded:
    """Load every export folder of ``folders`` into the DuckDB file ``database``
    (replaced when it exists); raises :class:`OSError` when it cannot be written."""
    import duckdb

    loaded = Loaded(database)
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(f".{database.name}.{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(partial))
        try:
            _create(con)
            for folder in folders[:MAX_EXPORTS]:
                _load_one(con, folder, loaded)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(partial, database)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    wal = partial.with_name(partial.name + ".wal")
    wal.unlink(missing_ok=True)
    return loaded
