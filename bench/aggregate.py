"""How long ``dc aggregate`` takes for many subdistricts: load their exports into one DuckDB
file and build and render the district view.

    python bench/aggregate.py [--subdistricts 50] [--records 20000] [--communities 20]
    python bench/aggregate.py --keep DIR    # keep the exports, and print the dc aggregate
                                            # command that times the same as a whole process

One repository of ``--records`` records is generated (bench/generate.py) and exported once
(``dc export``'s library, Parquet); its export is then copied ``--subdistricts`` times with
another subdistrict id and name each (half of them under a second plan id), so the timed
part sees as many distinct subdistricts as asked without generating each.  Timed: the load
(:func:`dianchang_cli.export.aggregate.aggregate`) and the district view with its HTML,
best of ``--repeat`` runs.  The target of issue 13 is 50 × 20k records in ≤ 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_export(work: Path, records: int, communities: int) -> Path:
    """Generate one repository and export it; the export folder."""
    from dianchang_cli.api import Repo, check
    from dianchang_cli.export.tables import tables
    from dianchang_cli.export.write import write

    repo = work / "repo"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(repo),
                    "--records", str(records), "--communities", str(communities)], check=True)
    started = time.perf_counter()
    outcome = check(Repo.at(repo), as_of=dt.date(2023, 12, 31))
    write(tables(outcome, "bench"), work / "export", "parquet")
    print(f"check + export of one subdistrict: {time.perf_counter() - started:.2f} s "
          f"({len(outcome.records)} records, {len(outcome.results)} results)")
    return work / "export"


def clone(export: Path, work: Path, n: int) -> list[Path]:
    """``n`` copies of ``export``, each another subdistrict (odd ones another plan id)."""
    import duckdb

    from dianchang_cli.export.write import partition

    files = sorted(export.rglob("*.parquet"))
    out = []
    con = duckdb.connect()
    for i in range(n):
        plan_id = "bench-b-2023" if i % 2 else "bench-a-2023"
        folder = work / f"sub{i:03d}"
        target = partition(folder, plan_id, 2023)
        target.mkdir(parents=True)
        for path in files:
            con.execute(
                f"COPY (SELECT * REPLACE ('{plan_id}' AS plan_id, 'sub{i:03d}' AS subdistrict, "
                f"'第{i + 1}街道' AS subdistrict_name) FROM read_parquet('{path}')) "
                f"TO '{target / path.name}' (FORMAT parquet)")
        out.append(folder)
    con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subdistricts", type=int, default=50)
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--communities", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="a new folder for the exports, kept")
    args = ap.parse_args()
    if args.keep is not None:
        args.keep.mkdir(parents=True)
        run(args, args.keep)
        subs = " ".join(str(args.keep / f"sub{i:03d}") for i in range(args.subdistricts))
        print(f"whole process: dc aggregate {subs} -o {args.keep / 'district.duckdb'} "
              f"--report {args.keep / 'view.html'}")
        return
    with tempfile.TemporaryDirectory(prefix="dc-bench-aggregate-") as tmp:
        run(args, Path(tmp))


def run(args: argparse.Namespace, work: Path) -> None:
    """Make the exports in ``work``; time the load and the view in this process."""
    from dianchang_cli.export.aggregate import aggregate
    from dianchang_cli.export.district import district_view, render_district

    folders = clone(make_export(work, args.records, args.communities), work,
                    args.subdistricts)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        loaded = aggregate(folders, work / "district.duckdb")
        page = render_district(district_view(work / "district.duckdb"), "html")
        times.append(time.perf_counter() - started)
    assert len(loaded.exports) == args.subdistricts and not loaded.problems
    print(f"aggregate {args.subdistricts} subdistricts × {args.records} records "
          f"+ district view (HTML, {len(page)} bytes): best {min(times):.2f} s, "
          f"runs {', '.join(f'{t:.2f}' for t in times)} s")


if __name__ == "__main__":
    main()
