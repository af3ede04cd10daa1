"""Shared fixtures: real repositories in temporary folders, built from the real plan."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from dianchang_cli import i18n
from dianchang_cli.api import Outcome, Repo, check

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "plan"


def write_record(records_dir: Path, name: str, data: dict | str) -> Path:
    """Write one record file; ``data`` is a mapping (dumped as YAML) or raw YAML text."""
    path = records_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True,
                                                             sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """Every test starts in the default language: a test that runs ``dc --lang en`` in this
    process must not change what the tests after it read."""
    yield
    i18n.set_language(None)


@pytest.fixture
def english() -> Iterator[None]:
    """Messages in English while a test runs (the default language is Chinese)."""
    before = i18n.current()
    i18n.set_language("en")
    yield
    i18n.set_language(before)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """An empty records repository using a copy of the real 2023 plan (without its tests)."""
    shutil.copytree(PLAN, tmp_path / "plan", ignore=shutil.ignore_patterns("tests"))
    (tmp_path / "records").mkdir()
    return Repo.at(tmp_path)


@pytest.fixture
def add(repo: Repo) -> Callable[[str, dict | str], Path]:
    """``add("x.yaml", {...})`` writes a record into the temporary repository."""
    return lambda name, data: write_record(repo.records_dir, name, data)


@pytest.fixture
def run(repo: Repo) -> Callable[..., Outcome]:
    """``run(as_of="2023-12-31", rules=["12.2"], units=["dongyuan"])`` → the check outcome."""

    def _run(as_of: str = "2023-12-31", **kw: object) -> Outcome:
        return check(repo, as_of=dt.date.fromisoformat(as_of), workers=1, **kw)  # type: ignore[arg-type]

    return _run
