"""The Markdown report: a golden file, escaping of record text, template overrides."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from dianchang_cli.api import Outcome, Repo
from dianchang_cli.render.markdown import md_escape
from dianchang_cli.render.typst_engine import RenderError
from dianchang_cli.report import parse_period, render
from dianchang_cli.report.build import build
from test_report_helpers import MADE, NASTY, filled_outcome, in_language

GOLDEN = Path(__file__).parent / "golden" / "report-2023-04.md"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    yield from in_language("en")


@pytest.fixture
def outcome(add: Callable[[str, dict | str], Path], run: Callable[..., Outcome]) -> Outcome:
    return filled_outcome(add, run)


def _markdown(outcome: Outcome, templates: Path | None = None, unit: str | None = None) -> str:
    period = parse_period("month", "2023-04")
    assert period is not None
    return render(build(outcome, period, unit, made=MADE), "md", templates).decode("utf-8")


def test_golden(outcome: Outcome) -> None:
    """The whole report, byte for byte.  Regenerate with DC_UPDATE_GOLDEN=1 after a change
    you meant (and read the diff)."""
    text = _markdown(outcome)
    if os.environ.get("DC_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_record_text_cannot_break_the_table(outcome: Outcome) -> None:
    page = MarkdownIt("commonmark").enable("table").render(_markdown(outcome))
    assert "<script" not in page and "<em>" not in page
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "alert(1)" in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert len(cells) == 6 and cells[2] == html.escape(NASTY, quote=False)


@pytest.mark.parametrize("text", [NASTY, "1. 不是列表", "- 不是列表", "a\nb | c", "`code` ~~x~~",
                                  "[链接](https://x) ![图](y) &amp; \\ _u_"])
def test_escape_prints_the_characters(text: str) -> None:
    page = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(
        f"| h |\n|---|\n| {md_escape(text)} |\n")
    cell = re.search(r"<td>(.*?)</td>", page, re.S)
    assert cell is not None and html.unescape(cell.group(1)) == " ".join(text.split())


def test_override_template_from_the_plan(outcome: Outcome, repo: Repo) -> None:
    folder = repo.plan_dir / "templates"
    folder.mkdir()
    source = "自定义 {{ r.heading }} {{ r.units[1].events[0].title }}\n"
    (folder / "report.md.j2").write_text(source, encoding="utf-8")
    text = _markdown(outcome, folder)
    assert text.startswith("自定义 电厂街道") and "\\*x\\*" in text and "<script" not in text
    # saved by Notepad: a byte-order mark in front, which the report must not begin with
    (folder / "report.md.j2").write_bytes(b"\xef\xbb\xbf" + source.encode("utf-8"))
    assert _markdown(outcome, folder).startswith("自定义 电厂街道")


def test_broken_override_is_a_render_error(outcome: Outcome, repo: Repo) -> None:
    folder = repo.plan_dir / "templates"
    folder.mkdir()
    (folder / "report.md.j2").write_text("{% for x in %}\n", encoding="utf-8")
    with pytest.raises(RenderError, match=r"report\.md\.j2:1"):
        _markdown(outcome, folder)
    (folder / "report.md.j2").write_text("{{ r.no_such_field }}\n", encoding="utf-8")
    with pytest.raises(RenderError, match="no_such_field"):
        _markdown(outcome, folder)


def test_unit_report_names_the_unit(outcome: Outcome) -> None:
    text = _markdown(outcome, unit="xiyuan")
    assert text.startswith("# 西苑社区") and "社区换届选举" in text and "清洁家园" in text
