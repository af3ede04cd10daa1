"""ruff is part of the test run, so style slips fail CI like any other defect."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


RUFF = shutil.which("ruff") or str(Path(sys.prefix) / "bin" / "ruff")


@pytest.mark.skipif(not Path(RUFF).exists(), reason="ruff comes with the test extras")
def test_ruff_clean() -> None:
    ruff = RUFF
    done = subprocess.run([ruff, "check", "src", "tests", "tools", "bench"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
