"""Time YAML parsers on a folder of record files: which one should ``dc`` parse valid files with?

    python bench/parsers.py                       # bench/out/repo-10000/records
    python bench/parsers.py --records DIR --repeat 5

Each row is one way of turning every file's bytes into Python values, timed over the same
bytes already in memory (so the disk is out of it), one process, garbage collector paused as
in ``dc check``; the median of ``--repeat`` runs is printed as a Markdown table:

* ``read bytes`` — the floor: reading the files;
* ``dc load_bytes`` — the libyaml path (every file the fast path refuses): compose + YAML 1.2
  core build, with the node tree;
* ``dc fast_load`` — the fast path dc tries first (prefilter, fast parser, key scan, checks);
* ``yaml-rs``, ``ryml tree walk``, ``ryaml`` — each candidate parser alone (its own scalar
  typing; ``ryml`` has none, so the walk builds strings only and is a lower bound).

A candidate not installed is shown as such, not an error.  Upkeep (release history, wheels
per platform) is not measured here; see the notes in ``load/fastyaml.py``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.yaml"))


def _ryml_value(tree: Any, node: int, ryml: Any) -> Any:
    """A ryml tree → dicts, lists and strings (no scalar typing: ryml has none)."""
    if tree.is_map(node):
        out: dict[str, Any] = {}
        child = tree.first_child(node)
        while child != ryml.NONE:
            out[bytes(tree.key(child)).decode()] = _ryml_value(tree, child, ryml)
            child = tree.next_sibling(child)
        return out
    if tree.is_seq(node):
        items = []
        child = tree.first_child(node)
        while child != ryml.NONE:
            items.append(_ryml_value(tree, child, ryml))
            child = tree.next_sibling(child)
        return items
    return bytes(tree.val(node)).decode() if tree.has_val(node) else None


def candidates() -> dict[str, Callable[[bytes], Any] | None]:
    """Name → a function of one file's bytes (None when the package is not installed)."""
    from dianchang_cli.load.fastyaml import fast_load
    from dianchang_cli.load.yamlsafe import load_bytes

    found: dict[str, Callable[[bytes], Any] | None] = {
        "read bytes": None,
        "dc load_bytes (libyaml)": lambda data: load_bytes(data, "f").value,
        "dc fast_load (fast path)": fast_load,
    }
    try:
        import yaml_rs
        found["yaml-rs"] = lambda data: yaml_rs.loads(data.decode(), parse_datetime=False)
    except ImportError:
        found["yaml-rs"] = None
    try:
        import ryml
        found["ryml tree walk"] = lambda data: _ryml_value(
            tree := ryml.parse_in_arena(data), tree.root_id(), ryml)
    except ImportError:
        found["ryml tree walk"] = None
    try:
        import ryaml
        found["ryaml"] = lambda data: ryaml.loads(data.decode())
    except ImportError:
        found["ryaml"] = None
    return found


def time_one(fn: Callable[[bytes], Any] | None, blobs: list[bytes], paths: list[Path],
             repeat: int) -> float:
    """Median seconds to run ``fn`` over every blob (``None``: read every path)."""
    runs = []
    for _ in range(repeat):
        gc.disable()
        start = time.perf_counter()
        if fn is None:
            for path in paths:
                path.read_bytes()
        else:
            for data in blobs:
                fn(data)
        runs.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, default=HERE / "out" / "repo-10000" / "records")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = _files(args.records)
    if not paths:
        sys.exit(f"no records under {args.records}; run bench/generate.py first")
    blobs = [p.read_bytes() for p in paths]
    base: float | None = None
    print(f"{len(paths)} files, median of {args.repeat}\n")
    print("| parser | seconds | files/s | × libyaml |")
    print("|---|---:|---:|---:|")
    for name, fn in candidates().items():
        if fn is None and name != "read bytes":
            print(f"| {name} | not installed | | |")
            continue
        secs = time_one(fn, blobs, paths, args.repeat)
        if name.startswith("dc load_bytes"):
            base = secs
        ratio = f"{secs / base:.2f}" if base else ""
        print(f"| {name} | {secs:.3f} | {len(paths) / secs:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
