"""Hostile record text in reports and ledgers: cut to a sensible length, controls escaped.

A record with a 1 MB title made a month's PDF take 15 s and 1.5 GB.  Record text is now cut
once, when the report or ledger model is built, so every format (md, html, pdf, xlsx) gets
it; control characters (ESC, BEL, bidi overrides) never reach an output raw.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from dianchang_cli.api import Outcome, Repo
from dianchang_cli.cli.app import build_app
from dianchang_cli.records.values import MAX_TEXT
from dianchang_cli.report import parse_period
from dianchang_cli.report.build import build
from dianchang_cli.report.clipping import ANY_LIMIT, TITLE_LIMIT, clip
from test_report_helpers import MADE, VOL, fill, in_language

HUGE = "长标题" + "x" * (MAX_TEXT - 3)  # the longest title a valid record can have
CUT = "长标题" + "x" * (TITLE_LIMIT - 4) + "…"  # what every format shows of it
NASTY = "危险\x1b[31m红字\x07\u202e反转\x00尾"
RAW = ("\x1b", "\x07", "\u202e", "\x00")
POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None,
                             reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    yield from in_language("en")


def _vol(title: str, **extra: Any) -> dict[str, Any]:
    return {"type": VOL, "unit": "dongyuan", "date": "2023-04-12", "title": title,
            "theme": "卫生健康", "volunteers": 3, "service_hours": 2, "participants": 5,
            **extra}


@pytest.fixture
def huge(add: Callable[[str, dict | str], Path]) -> None:
    fill(add)
    add("dongyuan/huge.yaml", _vol(HUGE, location="楼" * MAX_TEXT))


@pytest.fixture
def nasty(add: Callable[[str, dict | str], Path]) -> None:
    fill(add)
    add("dongyuan/nasty.yaml", _vol(NASTY, location="地点\x1b]0;title\x07"))


def _dc(repo: Repo, command: str, fmt: str) -> Path:
    result = CliRunner().invoke(build_app(), [command, "--repo", str(repo.root), "--month",
                                              "2023-04", "-f", fmt])
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().splitlines()[-1])


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _xlsx_strings(path: Path) -> list[str]:
    book = load_workbook(io.BytesIO(path.read_bytes()))
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)]


# ---------------------------------------------------------------- the longest valid title
@pytest.mark.parametrize(("command", "fmt", "most"), [
    ("report", "md", 200_000), ("report", "html", 300_000), ("ledger", "md", 50_000)])
def test_a_huge_title_is_cut_in_text_outputs(huge: None, repo: Repo, command: str, fmt: str,
                                             most: int) -> None:
    path = _dc(repo, command, fmt)
    assert path.stat().st_size < most
    text = path.read_text(encoding="utf-8")
    assert CUT in text and "x" * TITLE_LIMIT not in text
    assert "楼" * TITLE_LIMIT not in text


@pytest.mark.parametrize("command", ["report", "ledger"])
def test_a_huge_title_keeps_the_pdf_small(huge: None, repo: Repo, command: str) -> None:
    path = _dc(repo, command, "pdf")
    assert path.read_bytes().startswith(b"%PDF") and path.stat().st_size < 1_500_000
    if shutil.which("pdftotext"):
        flat = "".join(_pdf_text(path).split())
        assert "长标题xxxx" in flat and "x" * 1000 not in flat


def test_a_huge_title_is_cut_in_the_workbook(huge: None, repo: Repo) -> None:
    path = _dc(repo, "ledger", "xlsx")
    assert path.stat().st_size < 100_000
    strings = _xlsx_strings(path)
    assert CUT in strings and max(len(s) for s in strings) <= 1000


def test_the_report_model_holds_no_long_record_text(huge: None,
                                                    run: Callable[..., Outcome]) -> None:
    outcome = run(as_of="2023-04-30")
    assert any(r.title == HUGE for r in outcome.records)  # a valid record, counted
    for kind, label in (("month", "2023-04"), ("quarter", "2023-Q2"), ("year", "2023")):
        period = parse_period(kind, label)
        assert period is not None
        report = build(outcome, period, made=MADE)
        titles = [e.title for u in report.units for e in u.events]
        assert all(len(t) <= TITLE_LIMIT for t in titles)
        data = report.to_data()
        assert max(_lengths(data)) <= ANY_LIMIT
        if kind == "month":
            assert CUT in titles


def _lengths(value: Any) -> Iterator[int]:
    if isinstance(value, str):
        yield len(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _lengths(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _lengths(v)
    else:
        yield 0


# ---------------------------------------------------------------- control characters
@pytest.mark.parametrize(("command", "fmt"), [("report", "md"), ("report", "html"),
                                              ("ledger", "md")])
def test_control_characters_are_escaped_in_text_outputs(nasty: None, repo: Repo,
                                                        command: str, fmt: str) -> None:
    text = _dc(repo, command, fmt).read_text(encoding="utf-8")
    assert not any(c in text for c in RAW)
    assert "\\x1b" in text and "\\u202e" in text and "红字" in text


def test_control_characters_are_escaped_in_the_workbook(nasty: None, repo: Repo) -> None:
    strings = _xlsx_strings(_dc(repo, "ledger", "xlsx"))
    assert not any(c in s for s in strings for c in RAW)
    assert any("危险\\x1b[31m红字" in s for s in strings)


@POPPLER
@pytest.mark.parametrize("command", ["report", "ledger"])
def test_control_characters_are_escaped_in_the_pdf(nasty: None, repo: Repo,
                                                   command: str) -> None:
    text = _pdf_text(_dc(repo, command, "pdf"))
    assert not any(c in text for c in RAW)
    assert "危险\\x1b[31m红字" in "".join(text.split())


@pytest.mark.parametrize(("value", "shown"), [
    ("a\nb\tc\r\nd", "a b c d"), ("\x1b[2J", "\\x1b[2J"), ("\u202eevil", "\\u202eevil"),
    ("正常的标题", "正常的标题"), ("全角　空格", "全角　空格"), (None, ""), (12, "12"),
    ("\n" * 1000 + "x" * 1000, " " + "x" * 198 + "…")])
def test_clip(value: object, shown: str) -> None:
    assert clip(value) == shown
