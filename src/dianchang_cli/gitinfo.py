"""What git knows about a records repository: the commit, and whether the tree is dirty.

Every function degrades to "unknown" without git or outside a repository: dc works on a
plain folder, minus these facts.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def _git(root: Path, *args: str) -> str | None:
    if shutil.which("git") is None:
        return None
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def provenance(root: Path) -> dict[str, object]:
    """``{"commit": sha, "dirty": bool}``, or ``{}`` when ``root`` is not in a git checkout."""
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return {}
    status = _git(root, "status", "--porcelain", "--untracked-files=normal", "--",
                  "plan", "records")
    return {"commit": commit.strip(), "dirty": bool(status and status.strip())}
