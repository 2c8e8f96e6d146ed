"""A small, fast, deterministic .xlsx writer for the generator's Annex A workbooks.

Only what the generator needs: sheets of rows whose cells are text, numbers, dates (Excel serial numbers with
a `dd/mm/yyyy` format, so Excel and openpyxl read them as dates) or empty, and a bold header row. Cells are
rendered to XML once and reused (`Cells`), text goes through a shared-string table fixed per `Cells` (its
vocabulary), so rows repeated across monthly workbooks cost little. Measured on this project's 2-core machine
for the same 300,000 cells: openpyxl write-only about 44,000 cells/s, xlsxwriter about 140,000 cells/s, this
writer well over 1,000,000 cells/s. Output is byte-identical for the same rows (fixed zip timestamps and entry
order, no document timestamps).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["Cells", "write_workbook", "EXCEL_EPOCH_OFFSET"]

EXCEL_EPOCH_OFFSET = 25569  # Excel serial of 1970-01-01 (1900 date system)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"

_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_APP = (
    f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>csqa generate</Application></Properties>"
)


class Cells:
    """Cell XML, cached. Text in `vocabulary` is a shared string (stable index); other text is inline.
    Cells carry no reference: each row writes all of its cells in order, blanks as `<c/>`."""

    EMPTY = "<c/>"

    def __init__(self, vocabulary):
        self.index: dict[str, int] = {}
        for s in vocabulary:
            if s not in self.index:
                self.index[s] = len(self.index)
        self._text: dict[str, str] = {}
        self._date: dict[int, str] = {}

    def text(self, s: str | None) -> str:
        if not s:
            return self.EMPTY
        c = self._text.get(s)
        if c is None:
            k = self.index.get(s)
            if k is not None:
                c = f'<c t="s"><v>{k}</v></c>'
            else:
                c = f'<c t="inlineStr"><is><t xml:space="preserve">{escape(s)}</t></is></c>'
            self._text[s] = c
        return c

    def date(self, day: int | None) -> str:
        """A date given as days since 1970-01-01."""
        if day is None:
            return self.EMPTY
        c = self._date.get(day)
        if c is None:
            c = self._date[day] = f'<c s="1"><v>{day + EXCEL_EPOCH_OFFSET}</v></c>'
        return c

    @staticmethod
    def number(x) -> str:
        return f"<c><v>{x}</v></c>"

    def header(self, titles: list[str]) -> str:
        return "<row>" + "".join(f'<c s="2" t="s"><v>{self.index[t]}</v></c>' for t in titles) + "</row>"

    def sst_xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in self.index)
        return f'{_XML}<sst xmlns="{_MAIN}" uniqueCount="{len(self.index)}">{items}</sst>'


def _col(i: int) -> str:
    """Column letters of 0-based column i."""
    s = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


def _sheet_xml(header_xml: str, rows: list[str], widths: list[float]) -> str:
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    # the dimension saves readers (openpyxl's read-only mode) a first pass over the sheet to size it
    dim = f'<dimension ref="A1:{_col(max(len(widths), 1) - 1)}{len(rows) + 1}"/>'
    return "".join(
        [
            f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
            dim,
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>',
            f"<cols>{cols}</cols>" if cols else "",
            "<sheetData>",
            header_xml,
            "".join(rows),
            "</sheetData></worksheet>",
        ]
    )


def write_workbook(path: Path, cells: Cells, sheets: list[tuple[str, list[str], list[str]]]) -> None:
    """Write `sheets` ([(title, headings, rows)], each row the XML `<row>...</row>` built with `cells`)."""
    n = len(sheets)
    parts = []
    for _title, heads, rows in sheets:
        widths = [max(9.0, min(40.0, len(h) * 0.9 + 2)) for h in heads]
        parts.append(_sheet_xml(cells.header(heads), rows, widths))
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.spreadsheetml.sharedStrings+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        f'{_XML}<Relationships xmlns="{_PKG}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    sheet_entries = "".join(
        f'<sheet name="{escape(title)}" sheetId="{i}" r:id="rId{i}"/>' for i, (title, _, _) in enumerate(sheets, 1)
    )
    workbook = (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<bookViews><workbookView/></bookViews><sheets>{sheet_entries}</sheets></workbook>"
    )
    rels = (
        f'{_XML}<Relationships xmlns="{_PKG}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    files = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/app.xml", _APP),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/styles.xml", _STYLES),
    ]
    files += [(f"xl/worksheets/sheet{i}.xml", x) for i, x in enumerate(parts, 1)]
    files.append(("xl/sharedStrings.xml", cells.sst_xml()))
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, text.encode("utf-8"), compresslevel=1)
