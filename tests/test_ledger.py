"""dc ledger: the monthly volunteer-service ledger from the records (md, xlsx, pdf, CLI)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from typer.testing import CliRunner

from dianchang_cli.api import Outcome, Repo
from dianchang_cli.cli.app import build_app
from dianchang_cli.engine.plancheck import load_plan
from dianchang_cli.i18n import _
from dianchang_cli.ledger import build, default_types, renderer
from dianchang_cli.ledger.markdown import escape, render_text

VOL = "新时代文明实践志愿服务活动"  # test data only: the plan's volunteer-service type
NASTY = "| # $x$ <b>加粗</b> *星* [链](x) `c` \\ ~~删~~"


def _vol(unit: str, date: str, title: str, vols: int, hours: float, **extra: object) -> dict:
    return {"type": VOL, "unit": unit, "date": date, "title": title, "theme": "卫生健康",
            "volunteers": vols, "service_hours": hours, **extra}


@pytest.fixture
def filled(add: Callable[[str, dict | str], Path]) -> None:
    add("dy/0403.yaml", _vol("dongyuan", "2023-04-03", "义诊进社区", 10, 2.5,
                             participants=30, location="东苑社区广场", app_order="BJ-0001",
                             evidence=["evidence/a.jpg", "evidence/b.jpg"]))
    add("dy/0410.yaml", _vol("dongyuan-b1", "2023-04-10", "支部助老服务", 5, 1.5))
    add("xy/0403.yaml", _vol("xiyuan", "2023-04-03", NASTY, 6, 3, participants=15))
    add("xy/0502.yaml", _vol("xiyuan", "2023-05-02", "五月清洁家园", 8, 4, participants=20))
    add("xy/0404-read.yaml", {"type": "阅读活动", "unit": "xiyuan", "date": "2023-04-04",
                              "title": "读书会", "participants": 12})
    add("xy/broken.yaml", {"type": VOL, "unit": "xiyuan", "date": "2023-04-05",
                           "title": "缺志愿者人数", "theme": "其他", "service_hours": 2})


@pytest.fixture
def outcome(filled: None, run: Callable[..., Outcome]) -> Outcome:
    return run()


def test_default_types_come_from_required_fields(repo: Repo) -> None:
    plan = load_plan(repo.plan_dir, repo.root)
    types = default_types(plan)
    assert [plan.types[t].name for t in types] == [VOL]
    for t in types:
        assert plan.types[t].fields["volunteers"].required
        assert plan.types[t].fields["service_hours"].required


def test_rows_totals_and_subtotals(outcome: Outcome) -> None:
    book = build(outcome, 2023, 4)
    assert [(r.date.isoformat(), r.unit, r.title) for r in book.rows] == [
        ("2023-04-03", "dongyuan", "义诊进社区"),
        ("2023-04-03", "xiyuan", NASTY),
        ("2023-04-10", "dongyuan-b1", "支部助老服务")]
    first = book.rows[0]
    assert (first.participants, first.volunteers, first.service_hours, first.evidence,
            first.platform, first.theme, first.location) == (
        30, 10, 2.5, 2, "BJ-0001", "卫生健康", "东苑社区广场")
    assert book.rows[2].participants is None
    t = book.total
    assert (t.activities, t.participants, t.volunteers, t.service_hours) == (3, 45, 21, 7.0)
    subs = {s.unit: (s.activities, s.participants, s.volunteers, s.service_hours)
            for s in book.subtotals}
    assert subs == {"dongyuan": (2, 30, 15, 4.0), "xiyuan": (1, 15, 6, 3.0)}
    assert [p.file for p in book.invalid] == ["records/xy/broken.yaml"]
    assert "电厂街道" in book.title
    assert {"theme", "platform"} <= {c.key for c in book.columns}


def test_unit_filter_keeps_branches(outcome: Outcome) -> None:
    book = build(outcome, 2023, 4, unit="dongyuan")
    assert [r.unit for r in book.rows] == ["dongyuan", "dongyuan-b1"]
    assert book.subtotals == []
    assert (book.total.activities, book.total.volunteers) == (2, 15)
    assert "东苑社区（示例）" in book.title
    assert build(outcome, 2023, 4, unit="xiyuan").total.activities == 1


def test_type_override_and_empty_month(outcome: Outcome) -> None:
    reading = [t for t, rt in outcome.plan.types.items() if rt.name == "阅读活动"]
    book = build(outcome, 2023, 4, types=reading)
    assert [r.title for r in book.rows] == ["读书会"]
    assert "theme" not in {c.key for c in book.columns}
    assert book.rows[0].volunteers is None and book.total.volunteers == 0
    empty = build(outcome, 2023, 7)
    assert empty.rows == [] and empty.total.activities == 0
    assert _md_cells(render_text(empty))[-1] == [empty.total.name, "0", "0", "0", "0"]


def test_provenance(outcome: Outcome) -> None:
    book = build(outcome, 2023, 4)
    assert book.commit is None and str(len(outcome.records)) in book.provenance
    assert _("unknown") in book.provenance
    dirty = build(replace(outcome, provenance={"commit": "abcdef1234", "dirty": True}), 2023, 4)
    assert "abcdef1" in dirty.provenance and "abcdef12" not in dirty.provenance
    assert _(" (uncommitted changes)") in dirty.provenance
    assert "2023-12-31" in dirty.provenance


def _md_cells(text: str) -> list[list[str]]:
    """The first table of rendered Markdown, as the text a reader sees in each cell."""
    rows: list[list[str]] = []
    for tok in MarkdownIt("commonmark").enable("table").parse(text):
        if tok.type == "tr_open":
            rows.append([])
        elif tok.type == "inline" and rows:
            rows[-1].append("".join(c.content for c in tok.children or []))
        elif tok.type == "table_close":
            break
    return rows


def test_markdown_rows_totals_and_literal_text(outcome: Outcome) -> None:
    text = render_text(build(outcome, 2023, 4))
    rows = _md_cells(text)
    assert len(rows) == 1 + 3 + 1  # header, activities, totals
    assert rows[1][:4] == ["1", "2023-04-03", "东苑社区（示例）", "义诊进社区"]
    assert rows[2][3] == NASTY  # shown literally: no table split, no markup, no HTML
    assert rows[3][2] == "东苑社区第一党支部（示例）" and rows[3][6] == ""
    assert [rows[4][i] for i in (6, 7, 8)] == ["45", "21", "7"]
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<b>" not in html and "<em>" not in html and "<a " not in html
    assert "records/xy/broken.yaml:1" in text.replace("\\", "")


def test_markdown_escape_is_literal() -> None:
    md = MarkdownIt("commonmark").enable("table")
    for s in (NASTY, "a|b", "&amp; &lt;", "line1\nline2", "_x_ **y**"):
        html = md.render(f"| h |\n|---|\n| {escape(s)} |\n")
        inner = html.split("<td>")[1].split("</td>")[0]
        expected = " ".join(s.split()).replace("&", "&amp;").replace("<", "&lt;")
        assert inner == expected.replace(">", "&gt;").replace('"', "&quot;")


def test_xlsx_values_and_totals(outcome: Outcome) -> None:
    book = build(outcome, 2023, 4)
    wb = load_workbook(io.BytesIO(renderer("xlsx")(book)))
    ws, about = wb.worksheets
    header = [c.value for c in ws[3]]
    assert ws.freeze_panes == "A4"
    assert all(c.font.bold for c in ws[3] if c.value)
    col = {label: i for i, label in enumerate(header)}
    labels = [c.label for c in book.columns]
    title, vols, hours = labels[3], labels[7], labels[8]
    body = [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=6)]
    assert [r[col[title]] for r in body] == ["义诊进社区", NASTY, "支部助老服务"]
    assert [r[col[vols]] for r in body] == [10, 6, 5]
    assert body[0][col[hours]] == 2.5 and ws.cell(4, col[hours] + 1).number_format == "0.0#"
    assert ws.cell(4, 2).value.date().isoformat() == "2023-04-03"
    totals = [c.value for c in ws[7]]
    assert (totals[col[labels[6]]], totals[col[vols]], totals[col[hours]]) == (45, 21, 7.0)
    assert "3" in totals[col[title]]
    assert ws.column_dimensions["D"].width > ws.column_dimensions["A"].width
    notes = "\n".join(str(c.value) for row in about.iter_rows() for c in row if c.value)
    assert book.provenance in notes and "records/xy/broken.yaml:1" in notes


def test_xlsx_never_makes_formulas(add: Callable[..., Path], run: Callable[..., Outcome]) -> None:
    add("f.yaml", _vol("hexi", "2023-04-09", "=HYPERLINK(\"http://x\",\"y\")", 1, 1))
    wb = load_workbook(io.BytesIO(renderer("xlsx")(build(run(), 2023, 4))))
    cell = wb.worksheets[0].cell(4, 4)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "ledger.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return done.stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_title_rows_and_literal_text(outcome: Outcome, tmp_path: Path) -> None:
    book = build(outcome, 2023, 4)
    pdf = renderer("pdf")(book)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    flat = "".join(text.split())
    assert "".join(book.title.split()) in flat and "电厂街道" in flat
    assert "义诊进社区" in flat and "支部助老服务" in flat
    assert "|#$x$<b>加粗</b>" in flat  # printed as typed, not interpreted
    assert all(token in flat for token in NASTY.split())
    assert "records/xy/broken.yaml:1" in flat and "全国志愿服务信息系统" in flat
    total = _("Total: {n} activities").format(n=3)
    line = next(x for x in text.splitlines() if total in x)
    assert line.split()[-3:] == ["45", "21", "7"]


def test_pdf_repeats_header_and_numbers_pages(add: Callable[..., Path],
                                              run: Callable[..., Outcome],
                                              tmp_path: Path) -> None:
    for day in range(1, 29):
        for unit in ("dongyuan", "xiyuan"):
            add(f"{unit}/{day}.yaml", _vol(unit, f"2023-06-{day:02d}", f"服务{unit}{day}", 2, 1))
    add("code.yaml", _vol("hexi", "2023-06-30", '#panic("boom") #set text(fill: red)', 1, 1))
    book = build(run(), 2023, 6)
    pages = _pdf_text(renderer("pdf")(book), tmp_path).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    header = "".join(book.columns[3].label.split())
    with_rows = [p for p in pages if "服务dongyuan" in p or "服务xiyuan" in p]
    assert len(with_rows) >= 2  # the header repeats on every page the table runs over
    assert all(header in "".join(p.split()) for p in with_rows)
    assert '#panic("boom")' in "".join(pages)
    last = _("Page {n} of {m}").format(n=len(pages), m=len(pages))
    assert "".join(last.split()) in "".join(pages[-1].split())
    first = _("Page {n} of {m}").format(n=1, m=len(pages))
    assert "".join(first.split()) in "".join(pages[0].split())


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), ["ledger", *args])
    return result.exit_code, result.output


def test_cli_writes_default_paths(outcome: Outcome, repo: Repo) -> None:
    code, out = _cli("--repo", str(repo.root), "--month", "2023-04")
    path = repo.root / "reports" / "ledger-2023-04.md"
    assert code == 0 and out.strip() == str(path)
    assert path.read_text(encoding="utf-8") == render_text(build(outcome, 2023, 4))
    code, out = _cli("--repo", str(repo.root), "--month", "2023-4", "--unit", "dongyuan",
                     "--format", "xlsx")
    path = repo.root / "reports" / "ledger-2023-04-dongyuan.xlsx"
    assert code == 0 and out.strip() == str(path)
    ws = load_workbook(path).worksheets[0]
    titles = [ws.cell(r, 4).value for r in range(4, ws.max_row + 1)]
    assert "义诊进社区" in titles and "支部助老服务" in titles and NASTY not in titles
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "ledger-2023-04-dongyuan.xlsx", "ledger-2023-04.md"]  # no temporary files left


def test_cli_output_pdf_and_type(outcome: Outcome, repo: Repo, tmp_path: Path) -> None:
    target = tmp_path / "out" / "l.pdf"
    code, out = _cli("--repo", str(repo.root), "--month", "2023-05", "-f", "pdf",
                     "--output", str(target))
    assert code == 0 and out.strip() == str(target)
    assert target.read_bytes().startswith(b"%PDF")
    md = tmp_path / "r.md"
    code, _out = _cli("--repo", str(repo.root), "--month", "2023-04", "--type", "阅读活动",
                      "--output", str(md))
    assert code == 0 and "读书会" in md.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [["--month", "2023-13"], ["--month", "April"],
                                  ["--month", "2023-04", "--unit", "nowhere"],
                                  ["--month", "2023-04", "--type", "nosuchtype"],
                                  ["--month", "2023-04", "--format", "docx"]])
def test_cli_usage_errors(outcome: Outcome, repo: Repo, args: list[str]) -> None:
    code, out = _cli("--repo", str(repo.root), *args)
    assert code == 2 and "Traceback" not in out
    assert not (repo.root / "reports").exists()


def test_cli_missing_font_is_a_message(outcome: Outcome, repo: Repo) -> None:
    plan_file = repo.plan_dir / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    plan_file.write_text(text.replace("settings:\n", "settings:\n  font: NoSuchFontXyz\n", 1),
                         encoding="utf-8")
    code, out = _cli("--repo", str(repo.root), "--month", "2023-04", "-f", "pdf")
    assert code == 2 and "NoSuchFontXyz" in out and "Traceback" not in out
    assert not (repo.root / "reports").exists()
