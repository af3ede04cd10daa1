"""``dc export``: the demo's evaluation as Parquet, CSV and JSON Lines, read back with DuckDB.

Counts must equal the outcome's records and results, the contract call
``read_parquet('DIR/**/*.parquet')`` must work with no option, and two exports of the same
repository must be byte-identical.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from dianchang_cli.api import Outcome, Repo, check
from dianchang_cli.cli.app import build_app
from dianchang_cli.export.tables import tables
from dianchang_cli.export.write import partition, write

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2023, 12, 31)


def dc_app() -> typer.Typer:
    """The ``dc`` app, as the command line builds it."""
    return build_app()


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    return check(Repo.at(ROOT), as_of=AS_OF)


def source(folder: Path) -> str:
    """The call the CLI contract promises to work on an export, exactly."""
    return f"read_parquet('{folder}/**/*.parquet')"


def contract(folder: Path) -> duckdb.DuckDBPyRelation:
    return duckdb.sql(f"SELECT * FROM {source(folder)}")


def test_parquet_counts_equal_the_outcome(outcome: Outcome, tmp_path: Path) -> None:
    files = write(tables(outcome, "test"), tmp_path, "parquet")
    assert all(f.parent == partition(tmp_path, outcome.plan.meta.id, 2023) for f in files)
    assert (tmp_path / "plan=dianchang-2023" / "year=2023" / "results.parquet").is_file()
    rel = source(tmp_path)
    counts = dict(duckdb.sql(f'SELECT "table", count(*) FROM {rel} GROUP BY 1').fetchall())
    assert counts["results"] == len(outcome.results)
    assert counts["records"] == len(outcome.records)
    assert counts["meta"] == 1
    per_type = sum(n for t, n in counts.items() if t.startswith("record_"))
    assert per_type == len(outcome.records)
    # the hive folders become columns: plan and year
    assert duckdb.sql(f"SELECT DISTINCT plan, year FROM {rel}").fetchall() == [
        ("dianchang-2023", 2023)]


def test_results_carry_plan_status_and_score(outcome: Outcome, tmp_path: Path) -> None:
    write(tables(outcome, "test"), tmp_path, "parquet")
    rel = source(tmp_path)
    rows = duckdb.sql(f"SELECT status, count(*) FROM {rel} WHERE \"table\" = 'results' "
                      "GROUP BY 1").fetchall()
    assert dict(rows) == {k: v for k, v in outcome.summary().items() if v}
    bad = duckdb.sql(f"SELECT count(*) FROM {rel} WHERE \"table\" = 'results' AND (plan_id IS NULL "
                     "OR as_of <> DATE '2023-12-31' OR item IS NULL OR rule IS NULL)").fetchall()[0]
    assert bad == (0,)
    weighted = {r.id: r.weight for r in outcome.plan.rules if r.weight}
    lost = sum(w for r in outcome.results if r.status in ("unmet", "late")
               for w in [weighted.get(r.rule)] if w)
    total = duckdb.sql(f"SELECT -sum(score_contribution) FROM {rel} "
                       "WHERE \"table\" = 'results'").fetchall()[0][0]
    assert total == pytest.approx(lost)


def test_record_tables_are_typed(outcome: Outcome, tmp_path: Path) -> None:
    write(tables(outcome, "test"), tmp_path, "parquet")
    folder = partition(tmp_path, outcome.plan.meta.id, 2023)
    plan = outcome.plan
    common = duckdb.sql(f"DESCRIBE SELECT * FROM '{folder}/records.parquet'").fetchall()
    kinds = {name: kind for name, kind, *_ in common}
    assert kinds["date"] == "DATE"
    for name, spec in plan.common_fields.items():
        if spec.type == "list" and name in kinds:
            assert kinds[name].endswith("[]")
    # a type with a date or list field of its own shows it typed in its table
    checked = 0
    for type_id, rtype in plan.types.items():
        for name, spec in rtype.fields.items():
            if spec.type not in ("date", "list"):
                continue
            desc = duckdb.sql(f"DESCRIBE SELECT * FROM '{folder}/record_{type_id}.parquet'")
            found = {n: k for n, k, *_ in desc.fetchall()}
            column = name if name in found else f"{type_id}.{name}"
            typed = found[column] == "DATE" if spec.type == "date" \
                else found[column].endswith("[]")
            assert typed, (type_id, name, found[column])
            checked += 1
    assert checked  # the plan has such fields: the loop is not vacuous
    one = outcome.records[0]
    got = duckdb.sql(f"SELECT id, type, unit, title FROM '{folder}/records.parquet' "
                     f"WHERE id = '{one.id}'").fetchall()
    assert got == [(one.id, one.type, one.unit, one.title)]


def test_meta_table(outcome: Outcome, tmp_path: Path) -> None:
    write(tables(outcome, "9.9"), tmp_path, "parquet")
    folder = partition(tmp_path, outcome.plan.meta.id, 2023)
    row = duckdb.sql(f"SELECT plan_id, title, subdistrict, as_of, dc_version, exported_at "
                     f"FROM '{folder}/meta.parquet'").fetchall()
    plan = outcome.plan
    assert row == [(plan.meta.id, plan.meta.title, plan.subdistrict, AS_OF, "9.9",
                    dt.datetime(2023, 12, 31, 23, 59, 59))]


def test_byte_stable(outcome: Outcome, tmp_path: Path) -> None:
    first = write(tables(outcome, "test"), tmp_path / "a", "parquet")
    again = check(Repo.at(ROOT), as_of=AS_OF)
    second = write(tables(again, "test"), tmp_path / "b", "parquet")
    assert [f.name for f in first] == [f.name for f in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_csv_and_jsonl(outcome: Outcome, tmp_path: Path, fmt: str) -> None:
    files = write(tables(outcome, "test"), tmp_path, fmt)
    folder = partition(tmp_path, outcome.plan.meta.id, 2023)
    assert {f.name for f in files} >= {f"results.{fmt}", f"records.{fmt}", f"meta.{fmt}"}
    reader = "read_csv" if fmt == "csv" else "read_json"
    n = duckdb.sql(f"SELECT count(*) FROM {reader}('{folder}/results.{fmt}')").fetchall()[0]
    assert n == (len(outcome.results),)
    if fmt == "jsonl":
        first = json.loads((folder / "records.jsonl").read_text(encoding="utf-8").splitlines()[0])
        assert first["table"] == "records" and "rule" not in first  # own columns only
    else:
        raw = (folder / "results.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel on a Chinese Windows reads it as UTF-8
        header = raw.decode("utf-8-sig").splitlines()[0]
        assert header.startswith("table,plan_id,") and ",status," in header
        # DuckDB reads the header past the mark: the first column is `table`, not "\ufefftable"
        assert duckdb.sql(f"SELECT * FROM read_csv('{folder}/results.csv')").columns[0] == "table"


def test_old_tables_are_replaced(outcome: Outcome, tmp_path: Path) -> None:
    folder = partition(tmp_path, outcome.plan.meta.id, 2023)
    folder.mkdir(parents=True)
    (folder / "record_gone.parquet").write_bytes(b"old")
    write(tables(outcome, "test"), tmp_path, "parquet")
    assert not (folder / "record_gone.parquet").exists()
    assert contract(tmp_path).count("*").fetchall()[0][0] > 0


def test_dc_export_command(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "plan", repo / "plan")
    shutil.copytree(ROOT / "records", repo / "records")
    run = CliRunner().invoke(dc_app(), ["export", "--repo", str(repo), "--as-of",
                                        "2023-06-30"])
    assert run.exit_code == 0, run.output
    out = repo / "export"
    assert str(out / "plan=dianchang-2023" / "year=2023") in run.output
    dates = contract(out).filter("\"table\" = 'meta'").project("as_of").fetchall()
    assert dates == [(dt.date(2023, 6, 30),)]
    run = CliRunner().invoke(dc_app(), ["export", "--repo", str(repo), "-f", "csv", "-o",
                                        str(tmp_path / "csv")])
    assert run.exit_code == 0, run.output
    assert list((tmp_path / "csv").rglob("results.csv"))


def test_dc_export_bad_format(tmp_path: Path) -> None:
    run = CliRunner().invoke(dc_app(), ["export", "--repo", str(ROOT), "-f", "xlsx"])
    assert run.exit_code == 2


def test_values_a_column_cannot_hold_become_null() -> None:
    from dianchang_cli.export.tables import plain

    assert plain(float("nan"), "DOUBLE") is None
    assert plain(10**30, "BIGINT") is None and plain(36, "BIGINT") == 36
    assert plain(True, "BIGINT") is None and plain("x", "DATE") is None
    assert plain(dt.date(2023, 5, 1), "DATE") == "2023-05-01"
    assert plain(["a", 3], "VARCHAR[]") == ["a", "3"]
    assert plain("solo", "VARCHAR[]") == ["solo"]
