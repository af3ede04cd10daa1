"""Measure ``dc check`` as a user runs it: whole process, wall time, peak memory.

    python bench/run.py                 # 10,000 and 100,000 records (generated once, cached)
    python bench/run.py --sizes 10000   # only 10k
    python bench/run.py --jsonschema    # also check-jsonschema on the same 10k files

Prints one line per measurement (median of ``--repeat`` runs) and the ratios the issue
asks for: linearity (100k time / 10k time) and the speed-up over check-jsonschema with an
equivalent JSON Schema (schema only, no rules; ``pip install check-jsonschema`` first).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def timed(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MiB, largest process) of ``cmd`` over runs."""
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
    return statistics.median(walls), max(peaks) if peaks else float("nan")


def ensure_repo(n: int, communities: int) -> Path:
    repo = OUT / f"repo-{n}"
    if not (repo / "records").is_dir() or sum(1 for _ in (repo / "records").rglob("*.yaml")) != n:
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(repo), "--records",
                        str(n), "--communities", str(communities)], check=True)
    return repo


def json_schema(plan_dir: Path) -> dict:
    """A JSON Schema equivalent to the plan's record types: fields, types, enums, required."""
    common: dict = {}
    types: list[dict] = []
    for path in sorted(plan_dir.rglob("*.yaml")):
        if "tests" in path.parts:
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        common.update(doc.get("common_fields", {}))
        types.extend(doc.get("record_types", []))
    simple = {"integer": {"type": "integer"}, "number": {"type": "number"},
              "bool": {"type": "boolean"}, "date": {"type": "string",
                                                    "pattern": r"^\d{4}-\d{2}-\d{2}$"}}

    def prop(spec: dict) -> dict:
        kind = spec.get("type", "text")
        if kind == "enum":
            return {"enum": spec["values"]}
        if kind == "list":
            item = {"enum": spec["values"]} if spec.get("items") == "enum" else {"type": "string"}
            return {"type": "array", "items": item}
        return simple.get(kind, {"type": "string"})

    branches = []
    for t in types:
        fields = {**common, **t.get("fields", {})}
        required = [k for k, v in fields.items() if v.get("required")]
        branches.append({
            "if": {"properties": {"type": {"enum": [t["id"], t["name"]]}}},
            "then": {"properties": {k: prop(v) for k, v in fields.items()},
                     "required": required, "additionalProperties": False},
        })
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "required": ["type", "unit", "title"], "allOf": branches}


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
    seconds: dict[int, float] = {}
    for n in args.sizes:
        repo = ensure_repo(n, args.communities)
        wall, peak = timed([dc, "check", "--repo", str(repo), "--as-of", "2023-12-31",
                            "--format", "json"], args.repeat)
        seconds[n] = wall
        print(f"dc check, {n:>7,} records: {wall:6.2f} s  peak {peak:7.1f} MiB")
    if 10_000 in seconds and 100_000 in seconds:
        print(f"linearity: 100k / 10k = {seconds[100_000] / seconds[10_000]:.1f}× (≤ 11 wanted)")
    if args.jsonschema and 10_000 in seconds:
        cj = shutil.which("check-jsonschema") or str(Path(sys.executable).parent /
                                                      "check-jsonschema")
        if not Path(cj).exists():
            print("check-jsonschema not installed: pip install check-jsonschema")
            return
        repo = OUT / "repo-10000"
        schema = OUT / "schema.json"
        schema.write_text(json.dumps(json_schema(repo / "plan"), ensure_ascii=False),
                          encoding="utf-8")
        files = [str(p) for p in sorted((repo / "records").rglob("*.yaml"))]
        wall, _peak = timed([cj, "--schemafile", str(schema), *files], 1)
        print(f"check-jsonschema, 10,000 records: {wall:6.2f} s  "
              f"→ dc is {wall / seconds[10_000]:.1f}× faster (≥ 6× wanted)")


if __name__ == "__main__":
    main()
