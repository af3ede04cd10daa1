"""``dc report`` on the command line: options, default paths, exit codes, atomic writes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dianchang_cli.api import Repo
from dianchang_cli.cli.app import build_app
from test_report_helpers import fill, in_language


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    yield from in_language("en")


@pytest.fixture
def filled(add: Callable[[str, dict | str], Path]) -> None:
    fill(add)


def _dc(repo: Repo, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["report", "--repo", str(repo.root), *args],
                                env=env)
    return result.exit_code, result.output


def test_default_paths_and_printed_path(filled: None, repo: Repo) -> None:
    code, out = _dc(repo, "--month", "2023-04")
    path = repo.root / "reports" / "2023-04.md"
    assert code == 0 and out.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 电厂街道") and "| Data as of | 2023-04-30 |" in text
    code, out = _dc(repo, "--month", "2023-04", "--unit", "dongyuan", "--format", "pdf")
    path = repo.root / "reports" / "2023-04-dongyuan.pdf"
    assert code == 0 and out.strip() == str(path) and path.read_bytes().startswith(b"%PDF")
    code, out = _dc(repo, "--quarter", "2023-Q2", "-f", "html")
    assert code == 0 and out.strip().endswith("2023-Q2.html")
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "2023-04-dongyuan.pdf", "2023-04.md", "2023-Q2.html"]  # no temporary files


def test_output_names_the_format(filled: None, repo: Repo, tmp_path: Path) -> None:
    target = tmp_path / "out" / "april.html"
    code, out = _dc(repo, "--year", "2023", "--output", str(target))
    assert code == 0 and out.strip() == str(target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_as_of_and_made_on(filled: None, repo: Repo) -> None:
    code, _out = _dc(repo, "--month", "2023-04", "--as-of", "2023-04-15",
                     env={"SOURCE_DATE_EPOCH": "1683000000"})  # 2023-05-02
    text = (repo.root / "reports" / "2023-04.md").read_text(encoding="utf-8")
    assert code == 0 and "| Data as of | 2023-04-15 |" in text
    assert "| Made on | 2023-05-02 |" in text


@pytest.mark.parametrize("args", [[], ["--month", "2023-04", "--year", "2023"],
                                  ["--month", "2023-13"], ["--quarter", "Q2"],
                                  ["--month", "2024-04"], ["--month", "2023-04", "--unit", "x"],
                                  ["--month", "2023-04", "--format", "odt"],
                                  ["--month", "2023-04", "--as-of", "yesterday"]])
def test_usage_errors_exit_2(filled: None, repo: Repo, args: list[str]) -> None:
    code, out = _dc(repo, *args)
    assert code == 2 and "Traceback" not in out
    assert not (repo.root / "reports").exists()


def test_failed_render_keeps_the_old_report(filled: None, repo: Repo) -> None:
    old = repo.root / "reports" / "2023-04.md"
    old.parent.mkdir()
    old.write_text("OLD", encoding="utf-8")
    templates = repo.plan_dir / "templates"
    templates.mkdir()
    (templates / "report.md.j2").write_text("{{ r.title }}\n{{ r.nope.nothing }}\n",
                                            encoding="utf-8")
    code, out = _dc(repo, "--month", "2023-04")
    assert code == 2 and "report.md.j2" in out and "Traceback" not in out
    assert old.read_text(encoding="utf-8") == "OLD"
    assert os.listdir(old.parent) == ["2023-04.md"]


def test_missing_font_exits_2_with_advice(filled: None, repo: Repo) -> None:
    plan_file = repo.plan_dir / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    plan_file.write_text(text.replace("settings:\n", "settings:\n  font: NoSuchFontXyz\n", 1),
                         encoding="utf-8")
    code, out = _dc(repo, "--month", "2023-04", "-f", "pdf")
    assert code == 2 and "NoSuchFontXyz" in out and "--font" in out
    assert not (repo.root / "reports").exists()
    code, out = _dc(repo, "--month", "2023-04", "-f", "pdf", "--font", "Noto Sans CJK SC")
    assert code == 0 and out.strip().endswith("2023-04.pdf")
