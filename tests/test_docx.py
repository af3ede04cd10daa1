"""``dc report -f docx``: a GB/T 9704 official document, read back with python-docx, then
laid out by LibreOffice (when installed) to check pages, page numbers and text."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from functools import cache
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from typer.testing import CliRunner

from dianchang_cli.api import Repo, check
from dianchang_cli.cli.app import build_app
from dianchang_cli.render.docx import (
    BODY_FONT,
    HEADING_FONT,
    SUBHEADING_FONT,
    TITLE_FONT,
    char_space,
)
from dianchang_cli.report import parse_period
from dianchang_cli.report.build import build, report_as_of
from dianchang_cli.report.summary import paragraphs, summarize

ROOT = Path(__file__).resolve().parent.parent
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")


def _dc(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["report", *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dc report --month 2023-05 -o 报告.docx`` on the demo."""
    path = tmp_path_factory.mktemp("docx") / "报告.docx"
    code, out = _dc("--month", "2023-05", "--repo", str(ROOT), "-o", str(path))
    assert code == 0 and out.strip() == str(path)
    return path


@cache
def _summary_paragraphs() -> list[str]:
    period = parse_period("month", "2023-05")
    assert period is not None
    outcome = check(Repo.at(ROOT), as_of=report_as_of(period))
    report = build(outcome, period)
    return paragraphs(summarize(outcome, period, report), ROOT / "plan" / "templates")


def _east_asia(run: object) -> str | None:
    fonts = run._r.rPr.rFonts  # type: ignore[attr-defined]
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_dash_f_docx_writes_the_default_path(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "plan", tmp_path / "plan")
    shutil.copytree(ROOT / "records", tmp_path / "records")
    code, out = _dc("--month", "2023-05", "--repo", str(tmp_path), "-f", "docx")
    path = tmp_path / "reports" / "2023-05.docx"
    assert code == 0 and out.strip() == str(path)
    assert docx.Document(str(path)).paragraphs  # a document python-docx opens


def test_page_a4_and_margins(made: Path) -> None:
    section = docx.Document(str(made)).sections[0]
    for value, mm in ((section.page_width, 210), (section.page_height, 297),
                      (section.top_margin, 37), (section.bottom_margin, 35),
                      (section.left_margin, 28), (section.right_margin, 26)):
        assert value is not None and abs(value - Mm(mm)) <= Mm(0.1), (value, mm)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid is not None and grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579" and grid.get(qn("w:charSpace")) == str(
        char_space())
    assert -900 < char_space() < -800  # 28 characters of 16 pt in 156 mm


def test_fonts_and_sizes(made: Path) -> None:
    document = docx.Document(str(made))
    paras = [p for p in document.paragraphs if p.runs]
    title = paras[0].runs[0]
    assert _east_asia(title) == TITLE_FONT[0] and title.font.size.pt == 22
    first = [p for p in paras if p.style.name == "Heading 1"]
    second = [p for p in paras if p.style.name == "Heading 2"]
    assert first[0].text.startswith("一、") and second[0].text.startswith("（一）")
    for p in first:
        assert _east_asia(p.runs[0]) == HEADING_FONT[0] and p.runs[0].font.size.pt == 16
    for p in second:
        assert _east_asia(p.runs[0]) == SUBHEADING_FONT[0] and p.runs[0].font.size.pt == 16
    body = [p for p in paras if p.text in _summary_paragraphs()]
    assert body and all(_east_asia(p.runs[0]) == BODY_FONT[0] and p.runs[0].font.size.pt == 16
                        for p in body)
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == BODY_FONT[0]


def test_fallback_fonts_are_named(made: Path) -> None:
    document = docx.Document(str(made))
    part = next(p for p in document.part.package.iter_parts()
                if str(p.partname) == "/word/fontTable.xml")
    text = part.blob.decode("utf-8")
    for chain in (TITLE_FONT, BODY_FONT):
        for name, alt in itertools.pairwise(chain):
            assert f'w:name="{name}"><w:altName w:val="{alt}"/>' in text


def test_page_numbers_at_the_outer_corners(made: Path) -> None:
    document = docx.Document(str(made))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element.xml
        assert 'w:fldCharType="begin"' in xml and "PAGE" in xml and "—" in xml
        assert f'w:jc w:val="{side}"' in xml
        run = footer.paragraphs[0].runs[0]
        assert _east_asia(run) == "宋体" and run.font.size.pt == 14


def test_summary_tables_and_closing(made: Path) -> None:
    document = docx.Document(str(made))
    texts = [p.text for p in document.paragraphs]
    for paragraph in _summary_paragraphs():
        assert paragraph in texts
    assert texts.index(_summary_paragraphs()[0]) < 5  # the summary comes first
    assert len(document.tables) >= 2
    first = document.tables[0]
    assert first.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated header
    assert len(first.rows) > 3 and first.style.name == "Table Grid"
    closing = [p for p in document.paragraphs if p.text][-2:]
    assert [p.text for p in closing] == ["中共通辽经济技术开发区电厂街道工作委员会",
                                          "2023年5月31日"]
    assert all(p.alignment == 2 for p in closing)  # right


def _pdf(made: Path, tmp_path: Path) -> Path:
    subprocess.run([str(SOFFICE), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(made)],
                   check=True, capture_output=True, timeout=180)
    return tmp_path / (made.stem + ".pdf")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


@needs_soffice
@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                    reason="poppler-utils not installed")
def test_laid_out_by_libreoffice(made: Path, tmp_path: Path) -> None:
    pdf = _pdf(made, tmp_path)
    pages = _pages(pdf)
    assert 2 <= len(pages) <= 60
    for number, page in enumerate(pages, start=1):  # every page numbered by the PAGE field
        assert f"—{number}—" in page.replace(" ", ""), (number, page[-200:])
        footer = [line for line in page.splitlines() if line.strip()][-1]
        indent = len(footer) - len(footer.lstrip())
        assert indent > 20 if number % 2 else indent < 5, (number, footer)  # outer corner
    whole = "".join(pages).replace(" ", "")
    assert "电厂街道2023年5月" in whole and "2023年5月31日" in whole
    first = _summary_paragraphs()[0].replace(" ", "")
    assert first[:20] in whole
    # 28 characters a line: the longest line of the summary is not cut in half
    lines = [line.replace(" ", "") for line in pages[0].splitlines()]
    assert max(len(line) for line in lines) >= 26
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(png)],
                   check=True, capture_output=True)
    image = next(tmp_path.glob("page*.png"))
    assert image.stat().st_size > 2000
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-gray", str(pdf), str(png)],
                   check=True, capture_output=True)
    gray = next(tmp_path.glob("page*.pgm")).read_bytes()
    pixels = gray[gray.index(b"255\n") + 4:]
    dark = sum(1 for b in pixels if b < 128)
    assert dark > len(pixels) // 200  # ink on the page, not a blank one


def test_a_broken_summary_template_stops_the_docx(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "plan", tmp_path / "plan")
    shutil.copytree(ROOT / "records", tmp_path / "records")
    folder = tmp_path / "plan" / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "summary.txt.j2").write_text("{{ s.__class__.__mro__ }}\n", encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["report", "--month", "2023-05", "--repo",
                                              str(tmp_path), "-f", "docx"])
    assert result.exit_code == 2 and "summary.txt.j2:1: [plan-template]" in result.stderr
    assert not (tmp_path / "reports" / "2023-05.docx").exists()
    (folder / "summary.txt.j2").write_text("自定义总结：{{ s.events }}次。\n", encoding="utf-8")
    result = CliRunner().invoke(build_app(), ["report", "--month", "2023-05", "--repo",
                                              str(tmp_path), "-f", "docx"])
    document = docx.Document(str(tmp_path / "reports" / "2023-05.docx"))
    assert result.exit_code == 0
    assert any(p.text.startswith("自定义总结：") for p in document.paragraphs)


def test_without_a_summary_the_report_still_renders() -> None:
    """The docx renderer called like the other formats (no ``summary`` in the data): the
    report's heading is the title and the tables are there."""
    from dianchang_cli.report import render

    period = parse_period("month", "2023-05")
    assert period is not None
    outcome = check(Repo.at(ROOT), as_of=report_as_of(period))
    unit = outcome.plan.units_of_kind("community")[0].id
    report = build(outcome, period, unit)
    document = docx.Document(BytesIO(render(report, "docx")))
    assert document.paragraphs[0].text == report.heading
    assert document.tables and document.paragraphs[-1].text == report.provenance.as_of_text
