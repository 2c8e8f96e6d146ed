"""Turn a file's bytes into a header and rows of text, or say exactly why the file cannot be read."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time

import polars as pl


class FileRejected(Exception):
    """The whole file is unusable. `rule` names the check; the message names file, row and column."""

    def __init__(self, rule: str, message: str, column: str | None = None, rows_read: int = 0):
        super().__init__(message)
        self.rule = rule
        self.column = column
        self.rows_read = rows_read


@dataclass
class CsvText:
    """A table of text: a header and its data rows (blank lines dropped), held row by row (`rows`, from the
    csv module or an XML return) or column by column (`frame`, from the fast CSV and workbook readers)."""

    encoding: str
    header: list[str]
    rows: list[list[str]]  # data rows, blank lines dropped (empty when `frame` holds them)
    row_numbers: list[int]  # 1-based data-row number of each row (header excluded, blank lines counted out)
    # Columnar form: "c0".."c<n-1>" (String, one per header position; null past the end of a short row),
    # "_fields" (how many fields the row had) and "_row" (its data-row number).
    frame: pl.DataFrame | None = None

    @property
    def n_rows(self) -> int:
        return self.frame.height if self.frame is not None else len(self.rows)

    def columns(self, positions: list[int]) -> pl.DataFrame:
        """The header positions asked for as "c<i>" text columns, with "_fields" and "_row"."""
        if self.frame is not None:
            return self.frame.select([f"c{i}" for i in positions] + ["_fields", "_row"])
        data = {f"c{i}": [r[i] if i < len(r) else None for r in self.rows] for i in positions}
        return pl.DataFrame(data, schema={f"c{i}": pl.String for i in positions}).with_columns(
            pl.Series("_fields", [len(r) for r in self.rows], dtype=pl.Int64),
            pl.Series("_row", self.row_numbers, dtype=pl.Int64),
        )


# Free-text fields in case-management exports can be long; the csv module's default limit (128 KiB) is not.
csv.field_size_limit(64 * 1024 * 1024)


def decode(data: bytes, file_name: str) -> tuple[str, str]:
    """UTF-8 (with or without a byte-order mark) first, then Windows-1252, as councils' systems export;
    UTF-16 when it carries a byte-order mark (Excel's "Unicode text")."""
    if not data.strip():
        raise FileRejected("empty_file", f"{file_name}: the file is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileRejected("encoding", f"{file_name}: byte {exc.start} is not valid UTF-16") from exc
    if b"\x00" in data[:65536]:
        raise FileRejected("not_text", f"{file_name}: not a CSV text file (binary content)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileRejected(
            "encoding", f"{file_name}: byte {exc.start} is neither UTF-8 nor Windows-1252 text"
        ) from exc


def _fast_csv(data: bytes, file_name: str, encoding: str) -> CsvText:
    """The columnar reader for the common case, a CSV without quotes: polars splits lines and fields in Rust,
    which is many times faster than the csv module and holds a large file in a fraction of the memory. Gives
    the same header, rows, row numbers and field counts as the csv module path (`read_csv_text`)."""
    lines = pl.read_csv(io.BytesIO(data), has_header=False, separator="\x1f", quote_char=None,
                        schema={"line": pl.String}, raise_if_empty=False)
    # A blank line (or one of separators and spaces) is not a row and is not counted.
    lines = lines.filter(pl.col("line").str.replace_all(r"[,\s]", "").str.len_bytes() > 0)
    if lines.height == 0:
        raise FileRejected("empty_file", f"{file_name}: the file has no header row")
    header = [f.strip().lstrip("\ufeff") for f in lines["line"][0].split(",")]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    if width < 2:
        raise FileRejected(
            "not_csv", f"{file_name} row 0 (header): one column only ({(header or [''])[0][:40]!r}): not a CSV file")
    body = lines.slice(1)
    parts = pl.col("line").str.split(",")
    count = parts.list.len()
    # Spreadsheet exports pad rows with empty trailing fields: past the header's width they are not fields.
    trailing = pl.col("line").str.extract(r"((?:,\s*)+)$", 1).str.count_matches(",").fill_null(0)
    fields = pl.when(count > width).then(pl.max_horizontal(pl.lit(width), count - trailing)).otherwise(count)
    frame = body.select(
        [parts.list.get(i, null_on_oob=True).alias(f"c{i}") for i in range(width)]
        + [fields.cast(pl.Int64).alias("_fields"), pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_row")]
    )
    return CsvText(encoding, header, [], [], frame=frame)


def read_csv_text(data: bytes, file_name: str) -> CsvText:
    text, encoding = decode(data, file_name)
    # Without quotes every line is one row and every comma a separator: the fast reader gives the same answer.
    # (A stray unit separator or a bare carriage return would read differently, so those take the slow path.)
    if '"' not in text and "\x1f" not in text and text.count("\r") == text.count("\r\n"):
        utf8 = data if encoding == "utf-8" else text.encode("utf-8")
        del text  # a large file: do not hold it twice
        return _fast_csv(utf8[3:] if utf8.startswith(b"\xef\xbb\xbf") else utf8, file_name, encoding)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header: list[str] | None = None
        width = 0
        rows: list[list[str]] = []
        numbers: list[int] = []
        n = 0
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue  # blank line (commonly the last one)
            if header is None:
                header = [f.strip().lstrip("\ufeff") for f in fields]
                # Spreadsheet exports often end the header with empty cells: they are not columns.
                while header and not header[-1]:
                    header.pop()
                width = len(header)
                continue
            n += 1
            # ...and pad data rows with empty trailing fields to match: drop those too.
            while len(fields) > width and not fields[-1].strip():
                fields.pop()
            rows.append(fields)
            numbers.append(n)
    except csv.Error as exc:
        raise FileRejected(
            "csv_syntax", f"{file_name} line {reader.line_num}: not valid CSV ({exc})", rows_read=n
        ) from exc
    if header is None:
        raise FileRejected("empty_file", f"{file_name}: the file has no header row")
    if len(header) < 2:
        raise FileRejected(
            "not_csv", f"{file_name} row 0 (header): one column only ({header[0][:40]!r}): not a CSV file"
        )
    return CsvText(encoding, header, rows, numbers)




def _date_text(value) -> str:
    # An f-string, not strftime: a workbook holds hundreds of thousands of dates and strftime is 5x slower.
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


# How each type calamine returns becomes the text a CSV export of the cell would hold (dates as dd/mm/yyyy).
# Looked up by exact type, because this runs once per cell: bool before int matters, and a dict lookup is
# several times faster than a chain of isinstance checks.
_CELL_TEXT = {
    str: lambda v: v,
    type(None): lambda v: "",
    float: _float_text,
    int: str,
    bool: lambda v: "Yes" if v else "No",
    date: _date_text,
    datetime: _date_text,
    time: lambda v: v.strftime("%H:%M:%S"),
}


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export of it would hold (dates as dd/mm/yyyy)."""
    convert = _CELL_TEXT.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, datetime | date):  # subclasses (pandas-like timestamps)
        return _date_text(value)
    return str(value)


def read_workbook(data: bytes, file_name: str) -> dict[str, CsvText]:
    """Every sheet of an .xlsx workbook as header + rows of text (cached values, not formulas).

    Read with calamine (a Rust reader): about five times faster than openpyxl on Annex A workbooks.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for anything that is not a workbook
        raise FileRejected("not_a_workbook", f"{file_name}: not an Excel workbook (.xlsx) ({exc})") from exc
    sheets: dict[str, CsvText] = {}
    for title in book.sheet_names:
        try:
            values = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
        except Exception as exc:
            raise FileRejected("not_a_workbook", f"{file_name} sheet '{title}': cannot be read ({exc})") from exc
        sheets[title] = _sheet_text(values)
    return sheets


def _is_blank(value) -> bool:
    return value is None or (type(value) is str and not value.strip())


def _column_text(values: tuple) -> pl.Series:
    """One column of cells as text, converted in polars when the column holds one kind of value (as a generated
    or exported list does), cell by cell otherwise."""
    kinds = set(map(type, values)) - {type(None)}
    if kinds <= {str}:
        return pl.Series(values, dtype=pl.String)
    if kinds <= {float, int} and not kinds & {bool}:
        s = pl.Series(values, dtype=pl.Float64)
        whole = (s.round(0) == s) & (s.abs() < 1e15)  # beyond 15 digits Excel itself is not exact
        return pl.select(pl.when(whole).then(s.cast(pl.Int64, strict=False).cast(pl.String))
                         .otherwise(s.cast(pl.String))).to_series()
    if kinds <= {date}:
        return pl.Series(values, dtype=pl.Date).dt.strftime("%d/%m/%Y")
    if kinds <= {datetime}:
        return pl.Series(values, dtype=pl.Datetime("us")).dt.strftime("%d/%m/%Y")
    return pl.Series([_cell_text(v) for v in values], dtype=pl.String)


def _sheet_text(values: list[list]) -> CsvText:
    """A sheet's cells as a columnar CsvText: the first non-blank row is the header; blank rows are dropped;
    empty cells past the header's width are not fields, and a short row is padded (a spreadsheet row has no
    "truncated line")."""
    h = next((i for i, cells in enumerate(values) if not all(map(_is_blank, cells))), None)
    if h is None:
        return CsvText("xlsx", [], [], [])
    header = [_cell_text(v).strip() for v in values[h]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    body = values[h + 1:]
    n_cols = max((len(r) for r in body), default=0)
    if n_cols == 0:
        return CsvText("xlsx", header, [], [], frame=pl.DataFrame(
            schema={**{f"c{i}": pl.String for i in range(width)}, "_fields": pl.Int64, "_row": pl.Int64}))
    if len(set(map(len, body))) > 1:  # calamine's rows are rectangular; pad any that are not
        body = [r + [None] * (n_cols - len(r)) for r in body]
    columns = list(zip(*body, strict=True))
    frame = pl.DataFrame([_column_text(c).alias(f"c{i}") for i, c in enumerate(columns)])
    for i in range(n_cols, width):
        frame = frame.with_columns(pl.lit("", pl.String).alias(f"c{i}"))
    filled = [pl.col(f"c{i}").fill_null("") for i in range(max(n_cols, width))]
    frame = frame.with_columns(filled)
    nonblank = [pl.col(f"c{i}").str.strip_chars() != "" for i in range(max(n_cols, width))]
    frame = frame.filter(pl.any_horizontal(nonblank))
    fields = pl.max_horizontal([pl.lit(width, pl.Int64)] + [
        pl.when(nonblank[i]).then(pl.lit(i + 1, pl.Int64)).otherwise(pl.lit(width, pl.Int64))
        for i in range(width, n_cols)])
    frame = frame.select([f"c{i}" for i in range(width)] + [
        fields.alias("_fields"), pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_row")])
    return CsvText("xlsx", header, [], [], frame=frame)


def find_sheet(sheets: dict[str, CsvText], table, file_name: str) -> CsvText:
    """The sheet a contract table names ("List 3"), matched ignoring case and spaces."""
    wanted = re.sub(r"\s+", "", (table.sheet or table.name)).lower()
    for title, text in sheets.items():
        if re.sub(r"\s+", "", title).lower() == wanted:
            if not text.header:
                raise FileRejected("empty_sheet", f"{file_name} sheet '{title}' ({table.name}): no header row",
                                   column=None)
            return text
    raise FileRejected(
        "missing_sheet",
        f"{file_name}: no sheet '{table.sheet}' ({table.name.replace('_', ' ')}); sheets found: "
        + ", ".join(f"'{t}'" for t in sheets),
    )


# --- the CIN census (XML) -------------------------------------------------------------------------------

# Which element starts a row of each flattened table, and which child elements become its columns. A row also
# carries LAchildID and, below a referral, its CINreferralDate (and below a plan, its CPPstartDate).
CIN_CENSUS_LAYOUT = {
    "referrals": ("CINdetails", ["CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate",
                                 "ReasonForClosure", "ReferralNFA"]),
    "assessments": ("Assessments", ["AssessmentActualStartDate", "AssessmentInternalReviewDate",
                                    "AssessmentAuthorisationDate", "AssessmentFactors"]),
    "cin_plans": ("CINPlanDates", ["CINPlanStartDate", "CINPlanEndDate"]),
    "section47": ("Section47", ["S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"]),
    "cp_plans": ("ChildProtectionPlans", ["CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse",
                                          "LatestCategoryOfAbuse", "NumberOfPreviousCPP"]),
}


def _child_text(elem, name: str) -> str:
    """Text of a direct or nested child element; repeated values (factors, disabilities) joined with ';'."""
    found = [e for e in elem.iter(name) if e is not elem]  # iter(tag) filters in C: tags have no namespace
    if not found:
        return ""
    if len(found) == 1 and len(found[0]) == 0:
        return (found[0].text or "").strip()
    values = [(e.text or "").strip() for e in found if len(e) == 0 and (e.text or "").strip()]
    if not values:  # a container (e.g. <AssessmentFactors><AssessmentFactor>…): its leaves
        values = [(x.text or "").strip() for e in found for x in e.iter() if len(x) == 0 and (x.text or "").strip()]
    return ";".join(values)


@dataclass
class CinCensus:
    la_code: str | None
    collection_year: int | None
    tables: dict[str, CsvText]


def parse_xml(data: bytes, file_name: str):
    """The root element of an XML return, or a rejection naming the line and column where it breaks."""
    import xml.etree.ElementTree as ET

    if not data.strip():
        raise FileRejected("empty_file", f"{file_name}: the file is empty")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        raise FileRejected("xml_syntax", f"{file_name} line {line}, column {col}: not well-formed XML ({exc})") \
            from exc
    # DfE returns may or may not carry a namespace: take it off every tag once, here, so the readers can look
    # elements up by plain name (and ElementTree's C-level `iter(tag)` can do the filtering).
    for e in root.iter():
        if "}" in e.tag:
            e.tag = e.tag.rsplit("}", 1)[1]
    return root


def xml_collection(root) -> str | None:
    """Which DfE collection an XML return is: 'cin_census', 'csww', or None when it is neither."""
    collection = next(root.iter("Collection"), None)
    name = (collection.text or "").strip().upper() if collection is not None else ""
    tags = {e.tag for e in root.iter()}
    if name.startswith("CSWW") or (not name and "CSWWWorker" in tags):
        return "csww"
    if name == "CIN" or (not name and ("Children" in tags or "Child" in tags)):
        return "cin_census"
    return None


@dataclass
class CswwReturn:
    la_code: str | None
    census_year: int | None
    reference_date: date | None
    tables: dict[str, CsvText]


def read_csww(data: bytes, file_name: str, root=None) -> CswwReturn:
    """Flatten a social work workforce census return: one row per CSWWWorker, one for LALevelVacancies.

    Headings are the element names found (an element no worker has is simply absent); repeated elements
    (ContractWeeks, ReasonAbsence, …) are joined with ';'.
    """
    root = parse_xml(data, file_name) if root is None else root
    if xml_collection(root) != "csww":
        raise FileRejected("not_csww", f"{file_name}: not a social work workforce census return (no CSWWWorker)")

    def header_text(tag: str) -> str:
        e = next(root.iter(tag), None)
        return (e.text or "").strip() if e is not None else ""

    year_text, ref_text = header_text("Year"), header_text("ReferenceDate")
    try:
        reference_date = date.fromisoformat(ref_text) if ref_text else None
    except ValueError:
        raise FileRejected("bad_header", f"{file_name}: ReferenceDate '{ref_text}' is not a date (yyyy-mm-dd)") \
            from None
    year = int(year_text) if year_text.isdigit() else (reference_date.year if reference_date else None)
    la = header_text("LEA") or None

    def flatten(elements) -> CsvText:
        names: list[str] = []
        records = []
        for el in elements:
            values: dict[str, list[str]] = {}
            for leaf in el:
                tag = leaf.tag
                values.setdefault(tag, []).append((leaf.text or "").strip())
                if tag not in names:
                    names.append(tag)
            records.append(values)
        rows = [[";".join(v for v in r.get(n, []) if v) for n in names] for r in records]
        return CsvText("utf-8", names, rows, list(range(1, len(rows) + 1)))

    workers = list(root.iter("CSWWWorker"))
    vacancies = list(root.iter("LALevelVacancies"))
    return CswwReturn(la, year, reference_date, {"workers": flatten(workers), "vacancies": flatten(vacancies)})


def read_cin_census(data: bytes, file_name: str, root=None) -> CinCensus:
    """Flatten a CIN census XML return into one table per contract table (text values, ISO dates)."""
    root = parse_xml(data, file_name) if root is None else root
    by_tag = {}
    for e in root.iter():
        by_tag.setdefault(e.tag, e)
    if "Children" not in by_tag and "Child" not in by_tag:
        raise FileRejected("not_cin_census", f"{file_name}: not a CIN census return (no Children element)")
    collection = by_tag.get("Collection")
    if collection is not None and (collection.text or "").strip().upper() not in ("CIN", ""):
        raise FileRejected("not_cin_census", f"{file_name}: a '{collection.text}' collection, not CIN")
    year_el, lea_el = by_tag.get("Year"), by_tag.get("LEA")
    year = int(year_el.text.strip()) if year_el is not None and (year_el.text or "").strip().isdigit() else None
    la = (lea_el.text or "").strip() if lea_el is not None else None

    children = list(root.iter("Child"))
    rows: dict[str, list[list[str]]] = {"children": [], "cp_reviews": [], **{k: [] for k in CIN_CENSUS_LAYOUT}}
    headers = {
        "children": ["LAchildID", "Sex", "PersonBirthDate", "Ethnicity", "Disabilities"],
        "cp_reviews": ["LAchildID", "CPPstartDate", "CPPreviewDate"],
        **{k: ["LAchildID"] + (["CINreferralDate"] if k != "referrals" else []) + cols
           for k, (_, cols) in CIN_CENSUS_LAYOUT.items()},
    }
    for child in children:
        child_id = _child_text(child, "LAchildID")
        ident = next((e for e in child if e.tag == "ChildIdentifiers"), child)
        chars = next((e for e in child if e.tag == "ChildCharacteristics"), child)
        rows["children"].append([child_id, _child_text(ident, "Sex"), _child_text(ident, "PersonBirthDate"),
                                 _child_text(chars, "Ethnicity"), _child_text(chars, "Disabilities")])
        for details in (e for e in child if e.tag == "CINdetails"):
            referral_date = _child_text(details, "CINreferralDate")
            rows["referrals"].append([child_id] + [
                _leaf(details, c) for c in CIN_CENSUS_LAYOUT["referrals"][1]])
            for table, (tag, cols) in CIN_CENSUS_LAYOUT.items():
                if table == "referrals":
                    continue
                for part in (e for e in details if e.tag == tag):
                    rows[table].append([child_id, referral_date] + [_child_text(part, c) for c in cols])
                    if table == "cp_plans":
                        start = _child_text(part, "CPPstartDate")
                        for review in part.iter("CPPreviewDate"):
                            rows["cp_reviews"].append([child_id, start, (review.text or "").strip()])
    tables = {name: CsvText("utf-8", headers[name], r, list(range(1, len(r) + 1))) for name, r in rows.items()}
    return CinCensus(la, year, tables)


def _leaf(elem, name: str) -> str:
    """A referral's own field: a direct child only (a nested assessment has dates of its own)."""
    for e in elem:
        if e.tag == name:
            return (e.text or "").strip()
    return ""
