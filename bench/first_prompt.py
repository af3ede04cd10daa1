"""Time to the first question of ``dc new``, as a person sees it: start ``dc new`` in a
pseudo-terminal in the demo repository and exit as soon as the type list is on screen.

    python bench/first_prompt.py [REPO]

Time the whole of it from outside (the script's own start-up and pexpect's are in it); it
prints the seconds it measured itself, from spawning ``dc`` to the prompt on screen.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    repo = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    dc = shutil.which("dc") or str(Path(sys.executable).parent / "dc")
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100", "LINES": "40"}
    env.pop("DC_LANG", None)
    start = time.perf_counter()
    child = pexpect.spawn(dc, ["new", "--repo", str(repo)], env=env, encoding="utf-8",
                          dimensions=(40, 100), timeout=30)
    child.expect("要新建哪类记录")
    print(f"first prompt after {time.perf_counter() - start:.3f} s")
    child.delayafterclose = child.delayafterterminate = 0  # pexpect's pauses are not dc's
    child.terminate(force=True)


if __name__ == "__main__":
    main()
