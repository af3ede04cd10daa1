"""Where one ``dc check`` spends its time: each stage of the pipeline timed in-process.

    python bench/stages.py bench/out/repo-100000             # as the cache finds it
    python bench/stages.py bench/out/repo-100000 --cold      # caches removed first
    python bench/stages.py bench/out/repo-100000 --changed 10   # 10 files changed first

The stages are the pipeline's own functions, wrapped to print their wall time as they
return (a stage that does not run prints nothing); the last line is the whole of
:func:`dianchang_cli.pipeline.run`.  Interpreter start, imports and rendering are not in it:
``bench/run.py`` times the whole process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import touch  # noqa: E402  (bench/run.py: the same change as its "10 changed" row)


def timed(owner: Any, name: str) -> None:
    """Replace ``owner.name`` with a wrapper printing its wall time."""
    real: Callable[..., Any] = getattr(owner, name)
    label = f"{owner.__name__.rsplit('.', 1)[-1]}.{name}"

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            print(f"{label:<26} {time.perf_counter() - started:7.3f} s")

    setattr(owner, name, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo", type=Path)
    ap.add_argument("--cold", action="store_true", help="remove .dc-cache first")
    ap.add_argument("--changed", type=int, default=0, help="change this many files first")
    args = ap.parse_args()
    if not (args.repo / "plan").is_dir() or not (args.repo / "records").is_dir():
        sys.exit(f"{args.repo} is not a records repository; make one first, e.g.\n"
                 f"  python bench/generate.py {args.repo} --records 10000 --communities 20")
    if args.cold:
        shutil.rmtree(args.repo / ".dc-cache", ignore_errors=True)
    if args.changed:
        touch(args.repo, args.changed)
        time.sleep(0.05)  # out of the racy window of the file system's clock

    from dianchang_cli import pipeline
    from dianchang_cli.core import Repo
    from dianchang_cli.pipeline import memo
    from dianchang_cli.records import batch, cache

    for owner, name in [(pipeline, "load_plan"), (pipeline, "scan"),
                        (cache.RecordCache, "load"), (batch, "_read_all"),
                        (batch, "cross_check"), (cache.RecordCache, "save"),
                        (pipeline.history, "collect"), (pipeline, "check_waivers"),
                        (memo.MemoFile, "open"), (pipeline, "evaluate"),
                        (memo.MemoFile, "save"), (memo.WholeMemo, "load"),
                        (memo.WholeMemo, "save")]:
        timed(owner, name)
    started = time.perf_counter()
    pipeline.run(Repo.at(args.repo), as_of=dt.date(2023, 12, 31))
    print(f"{'pipeline.run (all)':<26} {time.perf_counter() - started:7.3f} s")


if __name__ == "__main__":
    main()
