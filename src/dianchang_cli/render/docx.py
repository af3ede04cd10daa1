"""The report as a Word document laid out like a Chinese official document (GB/T 9704-2012).

``dc report -f docx`` (or ``-o 报告.docx``) writes what a subdistrict office files and
prints: A4, margins 37/35/28/26 mm (top, bottom, left, right), 22 lines of 28 characters
a page, the title in 2号 小标宋, the body in 3号 仿宋_GB2312, first-level
headings ``一、`` in 3号 黑体, second-level ``（一）`` in 3号 楷体_GB2312, page numbers
``— 1 —`` in 4号 宋体 at the outer corner (odd pages right, even pages left), and the
issuer and the date right-aligned at the end.

Content, in order: the title, the written summary (:mod:`dianchang_cli.report.summary`,
given as ``data["summary"]``), the results item by item as tables (the report model's
sections and rows; the header row repeats on every page a table runs over), each unit's
shortfalls, and the data problems.  Every font is named for East-Asian text
(``w:rFonts w:eastAsia``), not only for Latin text, and the font table names fallbacks
(``w:altName``), so WPS, Word and LibreOffice each find a face they have.

The page grid (``w:docGrid`` ``linesAndChars``: 28.95 pt lines, characters 848/4096 pt
narrower than 16 pt) tells Word and WPS the page holds 22 × 28.  The text keeps to it by
itself: exact 28.95 pt lines and characters a quarter point narrower (:func:`squeeze`),
with snap-to-grid off, because LibreOffice gives a character wider than the grid's pitch
two cells of it (14 characters a line).

Like every renderer this one only formats: what it prints was computed before.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
from typing import TYPE_CHECKING, Any

from ..i18n import _

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from . import ReportOptions

# Fonts: the name a document asks for, then the faces to use when it is not installed.
TITLE_FONT = ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "宋体")
BODY_FONT = ("仿宋_GB2312", "仿宋", "FangSong", "STFangsong")
HEADING_FONT = ("黑体", "SimHei", "STHeiti")
SUBHEADING_FONT = ("楷体_GB2312", "楷体", "KaiTi", "STKaiti")
PAGE_FONT = ("宋体", "SimSun", "STSong")
FONT_CHAINS = (TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_FONT)

# Sizes in points: 2号 22, 3号 16, 4号 14, 小四 12.
TITLE_PT, BODY_PT, PAGE_PT, TABLE_PT = 22.0, 16.0, 14.0, 12.0
# Page (mm) and grid: 22 lines of 28 characters in the 156 × 225 mm text block.
PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
LINES, CHARS = 22, 28
LINE_PITCH_PT = 28.95
TITLE_PITCH_PT = 35.0
MAX_TABLE_ROWS = 2000  # rows of one table; the rest are counted in its last row

_ZH_DIGITS = "零一二三四五六七八九"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # no XML 1.0 text


def zh_number(n: int) -> str:
    """``一`` … ``九十九``: the numbers of 公文 headings (``一、``, ``（十二）``).

    >>> zh_number(1), zh_number(10), zh_number(12), zh_number(20), zh_number(99)
    ('一', '十', '十二', '二十', '九十九')
    """
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _ZH_DIGITS[tens] + "十")
    return head + (_ZH_DIGITS[ones] if ones else "")


def _narrower_pt() -> float:
    """How much narrower (pt, negative) one of the 28 characters of a line must be than the
    body size to fit the text block's width."""
    width_pt = (PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) * 72 / 25.4
    return width_pt / CHARS - BODY_PT


def squeeze() -> int:
    """Character spacing (``w:spacing``, 1/20 pt) that fits 28 3号 characters in a line.

    28 × 16 pt is 448 pt, wider than the 442 pt text block: Word and WPS squeeze the
    characters to the grid's pitch, LibreOffice gives a character wider than the pitch two
    grid cells (14 a line).  A quarter point less per character fits in all of them.
    """
    return math.floor(_narrower_pt() * 20)


def char_space() -> int:
    """``w:charSpace`` of the grid: how much narrower (in 1/4096 pt) than the body size each
    of the 28 characters of a line is (156 mm / 28 = 15.79 pt against 16 pt → -849)."""
    return round(_narrower_pt() * 4096)


# ------------------------------------------------------------------ low-level formatting
def set_font(run_or_style: Any, chain: tuple[str, ...], size: float | None = None,
             bold: bool | None = None) -> None:
    """Name ``chain[0]`` for East-Asian and Latin text of a run or style, with its size."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = chain[0]
    r_pr = run_or_style.element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), chain[0])
    fonts.set(qn("w:hint"), "eastAsia")
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold


def _exact(paragraph: Paragraph, pitch: float = LINE_PITCH_PT) -> None:
    """Exactly ``pitch`` points a line, no space before or after."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(pitch)
    fmt.space_before = fmt.space_after = Pt(0)


def _para(doc: Any, text: str, chain: tuple[str, ...] = BODY_FONT, size: float = BODY_PT,
          indent: bool = True, align: str | None = None) -> Paragraph:
    """A body paragraph: first line indented two characters (the 公文 way) unless not."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    _exact(p)
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if align:
        p.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
    set_font(p.add_run(_NOT_XML.sub("", text)), chain, size)
    return p


def _heading(doc: Document, text: str, level: int) -> Paragraph:
    """``一、…`` (黑体) or ``（一）…`` (楷体_GB2312), 3号, as Heading 1/2 for the outline."""
    from docx.shared import Pt

    p = doc.add_paragraph()
    p._p.get_or_add_pPr().style = f"Heading{level}"  # the style's id: no lookup by name
    _exact(p)
    p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    p.paragraph_format.keep_with_next = True
    chain = HEADING_FONT if level == 1 else SUBHEADING_FONT
    set_font(p.add_run(_NOT_XML.sub("", text)), chain, BODY_PT, bold=False)
    return p


# ------------------------------------------------------------------ the page
def _page(doc: Document) -> None:
    """A4, the 公文 margins, the 22 × 28 grid, even/odd footers with the page number."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(22)
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    grid.set(qn("w:charSpace"), str(char_space()))
    sect_pr.append(grid)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], "RIGHT")
    _page_number(section.even_page_footer.paragraphs[0], "LEFT")


def _page_number(p: Paragraph, side: str) -> None:
    """``— 1 —`` in 4号 宋体, one character in from the outer edge; the number a PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p.alignment = getattr(WD_ALIGN_PARAGRAPH, side)
    if side == "RIGHT":
        p.paragraph_format.right_indent = Pt(PAGE_PT)
    else:
        p.paragraph_format.left_indent = Pt(PAGE_PT)
    def run(text: str = "") -> Any:
        one = p.add_run(text)
        set_font(one, PAGE_FONT, PAGE_PT)
        return one

    def field_char(kind: str) -> None:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run()._r.append(char)

    run("— ")
    field_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run()._r.append(instr)
    field_char("separate")
    run("1")
    field_char("end")
    run(" —")


def _styles(doc: Document) -> None:
    """The body font everywhere by default; headings black, not bold, no extra space."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles = doc.styles
    set_font(styles["Normal"], BODY_FONT, BODY_PT)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(squeeze()))
    styles["Normal"].element.get_or_add_rPr().insert_element_before(
        spacing, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u",
        "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em",
        "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
    snap = OxmlElement("w:snapToGrid")  # lines and characters are already the grid's
    snap.set(qn("w:val"), "0")
    styles["Normal"].element.get_or_add_pPr().append(snap)
    for name in ("Heading 1", "Heading 2"):
        style = styles[name]
        set_font(style, HEADING_FONT if name == "Heading 1" else SUBHEADING_FONT, BODY_PT,
                 bold=False)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)
    defaults = styles.element.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docDefaults")
    if defaults is not None:  # the grid's character pitch is relative to this size
        for size in defaults.iter(qn("w:sz"), qn("w:szCs")):
            size.set(qn("w:val"), str(int(BODY_PT * 2)))
        for lang in defaults.iter(qn("w:lang")):  # Chinese line breaking, full-width “”
            lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(doc: Document) -> None:
    """Each font named with the next of its chain as ``w:altName``: 方正小标宋简体 →
    FZXiaoBiaoSong-B05S → 华文中宋 → 宋体, so a machine without the first finds the next."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    part = next((p for p in doc.part.package.iter_parts()
                 if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    table = parse_xml(part.blob)
    for chain in FONT_CHAINS:
        for name, alt in itertools.pairwise(chain):
            entry = parse_xml(
                f'<w:font xmlns:w="{table.nsmap["w"]}" w:name="{name}">'
                f'<w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>')
            for old in table.findall(qn("w:font")):
                if old.get(qn("w:name")) == name:
                    table.remove(old)
            table.append(entry)
    from lxml import etree

    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8",
                                standalone=True)


# ------------------------------------------------------------------ tables
TABLE_STYLE = "DcTableText"  # the paragraph style of every table cell


def _table_style(doc: Document) -> None:
    """小四 仿宋, exact 18 pt lines off the page grid, no space: every table cell's text."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    set_font(style, BODY_FONT, TABLE_PT)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(TABLE_PT * 1.5)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)


class _Grid:
    """A bordered table whose header row repeats on every page; rows are added as XML
    (python-docx's cell objects cost milliseconds each, and a year has hundreds of rows)."""

    def __init__(self, doc: Document, heads: list[str], widths_mm: list[float]) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls
        from docx.shared import Mm

        self.table: Table = doc.add_table(rows=0, cols=len(heads))
        self.table._tbl.tblPr.style = "TableGrid"  # the id of "Table Grid": no lookup
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self.table.autofit = False
        margins = parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="57" w:type="dxa"/>'
                            '<w:right w:w="57" w:type="dxa"/></w:tblCellMar>')
        self.table._tbl.tblPr.append(margins)
        for column, width in zip(self.table.columns, widths_mm, strict=True):
            column.width = Mm(width)
        self.twips = [round(w * 1440 / 25.4) for w in widths_mm]
        self.rows = self.skipped = 0
        self.add(heads, header=True)

    def finish(self) -> None:
        """One last row saying how many rows beyond :data:`MAX_TABLE_ROWS` were left out."""
        if self.skipped:
            more, self.skipped, self.rows = self.skipped, 0, 0
            self.add([_("… and {n} more").format(n=more)], merged=True)

    def add(self, values: list[str], header: bool = False, merged: bool = False) -> None:
        """A row of ``values``; ``merged``: one text across the row (an item's title)."""
        from xml.sax.saxutils import escape

        if self.rows > MAX_TABLE_ROWS:
            self.skipped += 1
            return

        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        row_pr = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if header else \
            "<w:trPr><w:cantSplit/></w:trPr>"
        run_pr = "<w:rPr><w:b/></w:rPr>" if header or merged else ""
        align = '<w:jc w:val="center"/>' if header else ""
        if header or merged:  # never the last row of a page
            align = "<w:keepNext/>" + align
        cells = []
        spans = [(values[0], sum(self.twips), len(self.twips))] if merged else \
            [(v, w, 1) for v, w in zip(values, self.twips, strict=True)]
        for text, width, span in spans:
            grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}</w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{TABLE_STYLE}"/>{align}</w:pPr>'
                f'<w:r>{run_pr}<w:t xml:space="preserve">'
                f'{escape(_NOT_XML.sub("", text))}</w:t></w:r></w:p></w:tc>')
        self.table._tbl.append(parse_xml(f'<w:tr {nsdecls("w")}>{row_pr}{"".join(cells)}</w:tr>'))
        self.rows += 1


# ------------------------------------------------------------------ content
def _results(doc: Document, data: dict[str, Any]) -> None:
    """One table per section of the plan: item, rule, unit, period, actual, status, detail."""
    L = data["labels"]
    heads = [L["rule"], L["unit"], L["period"], L["actual"], L["status"], L["detail"]]
    widths = [34.0, 25.0, 26.0, 16.0, 19.0, 36.0]
    for n, section in enumerate(data["sections"], start=1):
        _heading(doc, f"（{zh_number(n)}）{section['title']}", 2)
        table = _Grid(doc, heads, widths)
        for item in section["blocks"]:
            table.add([f"{item['number']}{L['dot']}{item['title']}"], merged=True)
            for rule in item["rules"]:
                lines = rule["rows"] or [None]
                for k, row in enumerate(lines):
                    name = f"{rule['id']} {rule['name']}" if k == 0 else ""
                    if row is None:
                        table.add([name, "", "", "", "", L["no_result"]])
                        continue
                    period = row["period"] + (f"{L['lp']}{L['to_date']}{L['rp']}"
                                              if row["to_date"] else "")
                    table.add([name, row["unit_name"], period, row["actual"],
                               row["cell"]["word"], row["detail"]])
        table.finish()


def _shortfalls(doc: Document, data: dict[str, Any]) -> bool:
    """Each unit's owed results and rule-breaking records; False when no unit has any."""
    L = data["labels"]
    n = 0
    for unit in data["units"]:
        if not unit["owed"] and not unit["breaches"]:
            continue
        n += 1
        _heading(doc, f"（{zh_number(n)}）{unit['name']}", 2)
        for k, owed in enumerate(unit["owed"], start=1):
            text = owed.get("text") or owed["name"]
            _para(doc, f"{k}. {text}{L['lp']}{owed['rule']}{L['s']}"
                       f"{owed['cell']['word']}{L['rp']}")
        for breach in unit["breaches"]:
            where = f"{L['lp']}{breach['where']}{L['rp']}" if breach["where"] else ""
            _para(doc, f"{breach['title']}{L['c']}{breach['message']}{where}")
    return n > 0


def _problems(doc: Document, data: dict[str, Any]) -> None:
    L = data["labels"]
    if not data["problems"]:
        _para(doc, L["no_problems"])
    else:
        table = _Grid(doc, [L["where"], L["code"], L["message"]], [52.0, 30.0, 74.0])
        for problem in data["problems"]:
            table.add([problem["where"], problem["code"], problem["message"]])
        table.finish()
    if data.get("problems_more"):
        _para(doc, data["problems_more"])


def _title(doc: Document, text: str) -> None:
    """The title, centred, 2号 小标宋, then an empty line."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = doc.add_paragraph()
    _exact(p, TITLE_PITCH_PT)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(p.add_run(_NOT_XML.sub("", text)), TITLE_FONT, TITLE_PT)
    _para(doc, "", indent=False)


def _closing(doc: Document, issuer: str, date: str) -> None:
    """The issuer and the date (成文日期), right-aligned, after two empty lines."""
    from docx.shared import Pt

    _para(doc, "", indent=False)
    _para(doc, "", indent=False)
    for text in (issuer, date):
        p = _para(doc, text, indent=False, align="RIGHT")
        p.paragraph_format.right_indent = Pt(BODY_PT * 2)


def document(data: dict[str, Any], when: dt.date | None = None) -> Document:
    """The report data (with ``data["summary"]``, the written summary) as a document."""
    import docx

    doc = docx.Document()
    _styles(doc)
    _table_style(doc)
    _page(doc)
    _font_table(doc)
    L = data["labels"]
    summary = data.get("summary") or {}
    title = summary.get("title") or data["heading"]
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, summary.get("issuer", ""), ""
    props.created = props.modified = dt.datetime.combine(when or dt.date(2000, 1, 1),
                                                         dt.time())
    props.revision = 1
    _title(doc, title)
    numbers = itertools.count(1)

    def part(text: str) -> None:
        _heading(doc, f"{zh_number(next(numbers))}{L['dot']}{text}", 1)

    if summary.get("paragraphs"):
        part(_("Overall"))
        for paragraph in summary["paragraphs"]:
            _para(doc, paragraph)
    part(_("Results item by item"))
    _results(doc, data)
    part(_("What each unit still owes"))
    if not _shortfalls(doc, data):
        _para(doc, L["none"])
    part(L["problems"])
    _problems(doc, data)
    _closing(doc, summary.get("issuer") or data["unit_name"],
             summary.get("date") or data["provenance"]["as_of_text"])
    return doc


def render_report(data: dict[str, Any], options: ReportOptions) -> bytes:
    """The report format ``docx`` of :data:`~dianchang_cli.render.REPORT_FORMATS`."""
    out = io.BytesIO()
    document(data, options.when).save(out)
    return out.getvalue()
