"""The annual review as a PDF, laid out with reportlab's platypus.

A4, the seed's cover block as a two-column table, numbered headings, paragraphs and bullet lists, tables that
split across pages with their header row repeated, charts as PNG (rendered offline), "Page n of N" and the
report's name at the foot of every page, and the document's title, author and subject in its metadata.

Only reportlab's standard fonts are used (Helvetica), so the text can be read back (searched, copied, tested)
and nothing needs embedding. They cover Windows-1252: any other character is replaced by a plain equivalent
before it reaches the page, and every piece of text is escaped for reportlab's paragraph markup.
"""

from __future__ import annotations

import io
import unicodedata
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from app.report import charts
from app.report.document import Block, Bullets, Chart, Document, Paragraph, Section, Subheading, Table

PAGE = A4
MARGIN = 2 * cm
BOTTOM = 2.2 * cm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN
INK = colors.HexColor("#0b0c0c")
MUTED = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")
BAND = colors.HexColor("#f3f2f1")
ACCENT = colors.HexColor("#1d70b8")
FONT, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"

STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22, textColor=INK, spaceAfter=12),
    "h1": ParagraphStyle("h1", fontName=BOLD, fontSize=14, leading=18, textColor=INK, spaceBefore=16, spaceAfter=6,
                         keepWithNext=1),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=11.5, leading=15, textColor=INK, spaceBefore=10,
                         spaceAfter=4, keepWithNext=1),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5, textColor=INK, spaceAfter=6),
    "note": ParagraphStyle("note", fontName=FONT, fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=6),
    "lead": ParagraphStyle("lead", fontName=BOLD, fontSize=10.5, leading=14, textColor=INK, spaceAfter=8),
    "bullet": ParagraphStyle("bullet", fontName=FONT, fontSize=10, leading=13.5, textColor=INK, leftIndent=14,
                             bulletIndent=3, spaceAfter=3),
    "notice": ParagraphStyle("notice", fontName=BOLD, fontSize=10, leading=14, textColor=INK, spaceAfter=10,
                             backColor=colors.HexColor("#fef4ec"), borderColor=colors.HexColor("#f47738"),
                             borderWidth=0.8, borderPadding=5),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK),
    "cell_num": ParagraphStyle("cell_num", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK,
                               alignment=TA_RIGHT),
    "head": ParagraphStyle("head", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=INK),
    "head_num": ParagraphStyle("head_num", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=INK,
                               alignment=TA_RIGHT),
    "caption": ParagraphStyle("caption", fontName=BOLD, fontSize=9, leading=12, textColor=INK, spaceAfter=3,
                              keepWithNext=1),
    "cover_label": ParagraphStyle("cover_label", fontName=BOLD, fontSize=10, leading=13.5, textColor=INK),
    "cover_value": ParagraphStyle("cover_value", fontName=FONT, fontSize=10, leading=13.5, textColor=INK),
}

# Characters the standard fonts cannot show, and what to write instead.
REPLACEMENTS = {
    "\u2265": ">=",
    "\u2264": "<=",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2212": "-",
    "\u2011": "-",
    "\u2010": "-",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u2713": "yes",
    "\u2717": "no",
}


def plain(text: object) -> str:
    """Text the standard fonts can show: Windows-1252 only, anything else replaced by a plain equivalent."""
    out = []
    for ch in str(text):
        if ch in REPLACEMENTS:
            out.append(REPLACEMENTS[ch])
            continue
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            try:
                folded.encode("cp1252")
                out.append(folded)
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def markup(text: object) -> str:
    """Plain text made safe for a reportlab Paragraph (which reads a little XML)."""
    return escape(plain(text)).replace("\n", "<br/>")


def para(text: object, style: str = "body") -> RLParagraph:
    return RLParagraph(markup(text), STYLES[style])


def _widths(t: Table) -> list[float]:
    """Column widths in points: the model's centimetres, scaled down to the page if they are wider, and up to it if
    they nearly fill it; even widths across the page when the model gives none."""
    if len(t.widths) != len(t.columns):
        return [FRAME_WIDTH / len(t.columns)] * len(t.columns)
    widths = [w * cm for w in t.widths]
    total = sum(widths)
    if total > FRAME_WIDTH or total > 0.8 * FRAME_WIDTH:
        widths = [w * FRAME_WIDTH / total for w in widths]
    return widths


def table(t: Table) -> list:
    numeric = set(t.numeric)
    head = [para(c, "head_num" if i in numeric else "head") for i, c in enumerate(t.columns)]
    body = [[para(c, "cell_num" if i in numeric else "cell") for i, c in enumerate(row)] for row in t.rows]
    grid = RLTable([head, *body], colWidths=_widths(t), repeatRows=1, hAlign="LEFT", splitByRow=1)
    grid.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), BAND),
                ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    out: list = []
    if t.caption:
        out.append(para(t.caption, "caption"))
    out += [grid, Spacer(1, 8)]
    return out


def chart(c: Chart) -> list:
    png = charts.to_png(c.chart)
    width_px, height_px = charts.png_size(png)
    # Vega-Lite draws in CSS pixels (0.75 pt each); the PNG is PNG_SCALE times larger.
    width = width_px / charts.PNG_SCALE * 0.75
    height = height_px / charts.PNG_SCALE * 0.75
    if width > FRAME_WIDTH:
        height, width = height * FRAME_WIDTH / width, FRAME_WIDTH
    image = Image(io.BytesIO(png), width=width, height=height)
    image.hAlign = "LEFT"
    return [KeepTogether([para(c.title, "caption"), image, para(c.description, "note")])]


def block(b: Block) -> list:
    if isinstance(b, Paragraph):
        return [para(b.text, b.style if b.style in STYLES else "body")]
    if isinstance(b, Bullets):
        return [RLParagraph(markup(item), STYLES["bullet"], bulletText="\u2022") for item in b.items] + [
            Spacer(1, 4)
        ]
    if isinstance(b, Subheading):
        return [para(b.text, "h2")]
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, Chart):
        return chart(b)
    raise TypeError(f"unknown block {type(b).__name__}")  # pragma: no cover


def section(s: Section) -> list:
    out = [para(s.heading, "h1")]
    for b in s.blocks:
        out += block(b)
    return out


def cover(doc: Document) -> list:
    out: list = [para(n, "notice") for n in doc.notices]
    out += [para(doc.la_name, "h2"), para(doc.title, "title")]
    rows = [[para(f"{k}:", "cover_label"), para(v, "cover_value")] for k, v in doc.cover]
    if rows:
        out.append(_cover_grid(rows))
    out += [Spacer(1, 12), para("RECOMMENDATION:", "lead"), para(doc.recommendation, "body"), Spacer(1, 6)]
    return out


def _cover_grid(rows: list) -> RLTable:
    grid = RLTable(rows, colWidths=[4.2 * cm, FRAME_WIDTH - 4.2 * cm], hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return grid


def _canvas_class(footer: str, marker: str):
    """A canvas that writes "Page n of N" and the report's name on every page once it knows N."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, BOTTOM - 0.6 * cm, PAGE[0] - MARGIN, BOTTOM - 0.6 * cm)
            self.drawString(MARGIN, BOTTOM - 1.0 * cm, plain(footer))
            self.drawRightString(PAGE[0] - MARGIN, BOTTOM - 1.0 * cm, f"Page {self._pageNumber} of {total}")
            if marker:
                self.setFont(BOLD, 8)
                self.drawCentredString(PAGE[0] / 2, PAGE[1] - 1.2 * cm, plain(marker))
            self.restoreState()

    return NumberedCanvas


def render_pdf(doc: Document) -> bytes:
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=BOTTOM,
        title=plain(f"{doc.title}: {doc.la_name}"),
        author=plain(doc.author),
        subject=plain(doc.subject),
        creator="csqa",
        keywords=plain(f"quality assurance, children's social care, {doc.la_code}, {doc.year}"),
        lang="en-GB",
    )
    frame = Frame(MARGIN, BOTTOM, FRAME_WIDTH, PAGE[1] - MARGIN - BOTTOM, id="body", leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story = cover(doc)
    for s in doc.sections:
        story += section(s)
    footer = f"{doc.la_name}: QA annual review {doc.year}"
    marker = "Synthetic demonstration data - not real children" if doc.synthetic else ""
    template.build(story, canvasmaker=_canvas_class(footer, marker))
    return buffer.getvalue()
