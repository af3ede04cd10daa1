"""Measure ``dc check`` as a user runs it: whole process, wall time, peak memory.

    python bench/run.py                 # 10,000 and 100,000 records (generated once, kept)
    python bench/run.py --sizes 10000   # only 10k
    python bench/run.py --jsonschema    # also check-jsonschema on the same 10k files

Prints the README's Speed table (Markdown, median and range of ``--repeat`` runs): for each
size ``dc check`` (its default table, read through a pipe) cold (no cache: the first run
after dc or the plan changed), warm with nothing changed, warm with 10 files changed, with
``--no-cache``, and the read floor (only reading the files' bytes); every file is read
once untimed first, so that each row finds them in the system's file cache; with
``--jsonschema``, check-jsonschema with the plan's own schema (``dc schema``; schema only,
no rules; ``pip install check-jsonschema`` first).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


Row = tuple[str, list[float], float]  # label, wall seconds of each run, peak MiB


def timed(cmd: list[str], repeat: int) -> tuple[list[float], float]:
    """Wall seconds of each run and peak RSS (MiB, largest process) of ``cmd``."""
    walls, peaks = [], []
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    for _ in range(repeat):
        start = time.perf_counter()
        if gnu_time:
            done = subprocess.run([gnu_time, "-f", "%M", *cmd], capture_output=True, text=True)
            peaks.append(int(done.stderr.strip().splitlines()[-1]) / 1024)
        else:
            subprocess.run(cmd, capture_output=True)
        walls.append(time.perf_counter() - start)
    return walls, max(peaks) if peaks else float("nan")


def timed_after(prepare: Callable[[], object], cmd: list[str], repeat: int
                ) -> tuple[list[float], float]:
    """:func:`timed` over runs that each follow ``prepare()`` (untimed)."""
    runs = []
    for _ in range(repeat):
        prepare()
        runs.append(timed(cmd, 1))
    return [w for walls, _ in runs for w in walls], max(p for _, p in runs)


def ensure_repo(n: int, communities: int) -> Path:
    repo = OUT / f"repo-{n}"
    if not (repo / "records").is_dir() or sum(1 for _ in (repo / "records").rglob("*.yaml")) != n:
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(repo), "--records",
                        str(n), "--communities", str(communities)], check=True)
    return repo


def read_floor(repo: Path) -> list[str]:
    """A command that only reads every record file's bytes in a Python loop: the floor."""
    code = ("import os,sys\n"
            "for d,_s,fs in os.walk(sys.argv[1]):\n"
            "    for f in fs:\n"
            "        open(os.path.join(d,f),'rb').read()\n")
    return [sys.executable, "-c", code, str(repo / "records")]


def touch(repo: Path, count: int) -> None:
    """Change ``count`` record files (a comment appended; what they say stays the same)."""
    for path in sorted((repo / "records").rglob("*.yaml"))[:count]:
        with path.open("a", encoding="utf-8") as out:
            out.write("# changed\n")


def check_rows(dc: str, repo: Path, n: int, repeat: int) -> list[Row]:
    """Cold (no cache: the first run after a change of dc or the plan), warm (nothing
    changed), warm with 10 files changed, and ``--no-cache``."""
    check = [dc, "check", "--repo", str(repo), "--as-of", "2023-12-31"]  # its table, as typed
    cache = repo / ".dc-cache"
    rows = []
    # every file read once, untimed, first: each row then finds them in the system's file
    # cache and measures its own work, not the disk (a million files read back from disk
    # made the same cold run take 49 s instead of 32 s, and the read floor 20 s instead of 9)
    subprocess.run(read_floor(repo), check=True)
    floor = (f"{n:,} read floor (bytes only)", *timed(read_floor(repo), repeat))
    rows.append((f"{n:,} cold", *timed_after(
        lambda: shutil.rmtree(cache, ignore_errors=True), check, repeat)))
    rows.append((f"{n:,} warm, nothing changed", *timed(check, repeat)))
    rows.append((f"{n:,} warm, 10 files changed", *timed_after(
        lambda: touch(repo, 10), check, repeat)))
    rows.append((f"{n:,} --no-cache", *timed([*check, "--no-cache"], repeat)))
    rows.append(floor)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--communities", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jsonschema", action="store_true")
    args = ap.parse_args()
    dc = shutil.which("dc") or str(Path(sys.executable).parent / "dc")
    # A user's install has bytecode; an editable install under PYTHONDONTWRITEBYTECODE has
    # none and would pay for compiling dc's own modules on every run.  Measure the former.
    import dianchang_cli

    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    str(Path(dianchang_cli.__file__).parent)], check=False)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    rows: list[Row] = []
    for n in args.sizes:
        rows += check_rows(dc, ensure_repo(n, args.communities), n, args.repeat)
    if args.jsonschema and 10_000 in args.sizes:
        rows += jsonschema_row(dc, OUT / "repo-10000")
    print(f"| dc check | time, median of {args.repeat} (range) | peak memory |")
    print("|---|---:|---:|")
    for label, walls, peak in rows:
        print(f"| {label} | {statistics.median(walls):.2f} s ({min(walls):.2f}–"
              f"{max(walls):.2f}) | {peak:.0f} MiB |")
    for line in ratios({label: statistics.median(walls) for label, walls, _p in rows}):
        print(line)


def ratios(medians: dict[str, float]) -> list[str]:
    """The ratios the targets are stated in, from the medians of this one run."""
    out = []
    schema = next((t for label, t in medians.items() if label.startswith("check-jsonschema")),
                  None)
    for label, t in medians.items():
        n = label.split(" ", 1)[0]
        floor = medians.get(f"{n} read floor (bytes only)")
        if label.endswith(" cold") and floor:
            out.append(f"- {n} cold is {t / floor:.1f}× the read floor")
        if label == "10,000 cold" and schema:
            out.append(f"- 10,000 cold is {schema / t:.0f}× faster than check-jsonschema")
    return out


def jsonschema_row(dc: str, repo: Path) -> list[Row]:
    """check-jsonschema with the plan's own schema (``dc schema``) on the same 10k files."""
    cj = shutil.which("check-jsonschema") or str(Path(sys.executable).parent /
                                                  "check-jsonschema")
    if not Path(cj).exists():
        print("check-jsonschema not installed: pip install check-jsonschema")
        return []
    schema = OUT / "schema.json"
    subprocess.run([dc, "schema", "--repo", str(repo), "-o", str(schema)], check=True,
                   capture_output=True)
    files = [str(p) for p in sorted((repo / "records").rglob("*.yaml"))]
    wall, peak = timed([cj, "--schemafile", str(schema), *files], 1)
    return [("check-jsonschema, same 10,000 files, schema only", wall, peak)]


if __name__ == "__main__":
    main()
