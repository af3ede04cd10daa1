"""HTML and PDF reports: escaped, self-contained, with the CJK font, readable in a browser."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dianchang_cli.api import Outcome, Repo
from dianchang_cli.render import typst_engine
from dianchang_cli.render.html import check_self_contained
from dianchang_cli.render.typst_engine import FontNotFound, RenderError
from dianchang_cli.report import parse_period, render
from dianchang_cli.report.build import build
from test_report_helpers import MADE, NASTY, filled_outcome, in_language

CHROMIUM = Path("/usr/bin/chromium")
PWN = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                             reason="poppler-utils (pdftotext, pdffonts) is not installed")


@pytest.fixture
def outcome(add: Callable[[str, dict | str], Path], run: Callable[..., Outcome]) -> Outcome:
    add("hexi/vol-0406.yaml", {"type": "新时代文明实践志愿服务活动", "unit": "hexi",
                               "date": "2023-04-06", "title": PWN, "theme": "其他",
                               "volunteers": 1, "service_hours": 1})
    return filled_outcome(add, run)


@pytest.fixture
def chinese() -> Iterator[None]:
    yield from in_language("zh")


def _render(outcome: Outcome, fmt: str, templates: Path | None = None, **kw: object) -> bytes:
    period = parse_period("month", "2023-04")
    assert period is not None
    return render(build(outcome, period, made=MADE), fmt, templates, **kw)  # type: ignore[arg-type]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


# ---------------------------------------------------------------- HTML
def test_html_escapes_every_record_string(outcome: Outcome) -> None:
    page = _render(outcome, "html").decode("utf-8")
    tags = _tags(page)
    assert not [t for t, _a in tags if t in ("script", "img", "link", "iframe")]
    assert not any(k.startswith("on") for _t, attrs in tags for k in attrs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | *x* #set text(fill: red) $x$" in page
    cells = [a for t, a in tags if t == "td" and "cell" in (a.get("class") or "")]
    assert len(cells) == 6  # six units × April
    assert all("background:#" in (a.get("style") or "") for a in cells)


def test_html_override_cannot_add_a_script(outcome: Outcome, repo: Repo) -> None:
    folder = repo.plan_dir / "templates"
    folder.mkdir()
    (folder / "report.html.j2").write_text("<p>{{ r.title }}</p><script>x()</script>",
                                           encoding="utf-8")
    with pytest.raises(RenderError, match="script"):
        _render(outcome, "html", folder)
    for bad in ('<link rel="stylesheet" href="https://x/y.css">', "<p onclick='x()'>",
                "<style>@import 'x.css';</style>", '<a href="javascript:x()">'):
        with pytest.raises(RenderError):
            check_self_contained(bad)
    check_self_contained("<p>&lt;script&gt; onerror= https://x</p>")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_html_in_a_real_browser(outcome: Outcome, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_bytes(_render(outcome, "html"))
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    dom = done.stdout
    assert done.returncode == 0 and "</html>" in dom, done.stderr[-2000:]
    tags = _tags(dom)
    cells = [a for t, a in tags if t == "td" and "cell" in (a.get("class") or "")]
    assert len(cells) == 6 and {a.get("data-month") for a in cells} == {"2023-04"}
    assert not [t for t, _a in tags if t in ("script", "img")]
    assert "data-pwned" not in dom.replace("data-pwned','1')", "")  # the text, not an attribute
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


# ---------------------------------------------------------------- PDF
def _pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    return text, fonts


@POPPLER
def test_pdf_chinese_font_and_literal_text(outcome: Outcome, chinese: None,
                                           tmp_path: Path) -> None:
    pdf = _render(outcome, "pdf")
    assert pdf.startswith(b"%PDF")
    text, fonts = _pdf_text(pdf, tmp_path)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    assert "NotoSansCJK" in fonts and all(
        line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if "NotoSansCJK" in line)
    flat = "".join(text.split())
    assert "2023年4月" in flat and "电厂街道" in flat and "东苑社区" in flat
    assert "".join(NASTY.split()) in flat  # typed text, never Typst markup or math
    assert "".join(PWN.split()) in flat
    from dianchang_cli.i18n import _

    last = _("Page {n} of {m}").format(n=len(pages), m=len(pages))
    assert "".join(last.split()) in "".join(pages[-1].split())


def test_pdf_is_reproducible(outcome: Outcome) -> None:
    assert _render(outcome, "pdf") == _render(outcome, "pdf")


def test_pdf_missing_font_is_a_clear_error(outcome: Outcome,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FontNotFound, match="NoSuchFontXyz"):
        _render(outcome, "pdf", font="NoSuchFontXyz")
    monkeypatch.setattr(typst_engine, "bundled_font_dir", lambda: None)
    with pytest.raises(FontNotFound, match="pip install manimgx-fonts-cjk"):
        _render(outcome, "pdf")
    if shutil.which("fc-list"):  # a Latin-only font with nothing to fall back on: refused
        with pytest.raises(FontNotFound, match="DejaVu Sans"):
            typst_engine.choose_font("DejaVu Sans")


@POPPLER
def test_pdf_override_template(outcome: Outcome, repo: Repo, tmp_path: Path) -> None:
    folder = repo.plan_dir / "templates"
    folder.mkdir()
    (folder / "report.typ").write_text(
        '#let r = json(bytes(sys.inputs.data))\n#set text(font: sys.inputs.font)\n'
        '= 自定义 #r.title\n#r.units.at(1).events.at(0).title\n', encoding="utf-8")
    text, _fonts = _pdf_text(_render(outcome, "pdf", folder), tmp_path)
    assert "自定义" in text and "".join(NASTY.split()) in "".join(text.split())
    (folder / "report.typ").write_text("#panic(\"broken\")\n", encoding="utf-8")
    with pytest.raises(RenderError, match="broken"):
        _render(outcome, "pdf", folder)
