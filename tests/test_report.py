"""The annual QA review report (docs/contracts.md, "Annual QA review report"), against report_fixtures.

The report is built from the hand-made warehouse and read back: the HTML with the standard library's parser, the PDF
with pypdf. Expected figures are read straight from the warehouse file and formatted by rules written out here, then
checked against `app.disclosure`, so "as the app formats them" holds both ways.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pypdf
import pytest
from report_fixtures import (
    HEADLINE_IDS,
    HOSTILE_ACTION,
    HOSTILE_COMMENT,
    HOSTILE_NAME,
    LA,
    LA_NAME,
    LEARNING_OVERDUE,
    OTHER_LA,
    PREVIOUS,
    YEAR,
    write_warehouse,
)
from streamlit.testing.v1 import AppTest

from app import commentary, disclosure, formatting
from app.report import document
from app.report.html import render_html
from app.report.pdf import render_pdf
from ingest import cli

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PAGE = "views/annual_report.py"
COMMENT = "Fewer children came into care after the edge-of-care pilot started in October."
COMMENT_AUTHOR = "Head of Service, Looked After Children"
HEADINGS = [
    "Headline measures",
    "1. Purpose of the quality assurance framework",
    "2. Method and sources",
    "3. Findings by area of the framework",
    "4. Audit themes",
    "5. Complaints learning",
    "6. Workforce",
    "7. Areas for development",
    "Appendix: every measure for the year",
]
PARTS = [
    "Part 1: Responsibilities and reporting",
    "Part 2: Service provision",
    "Part 3: Individual work review",
    "Part 4: Monitoring and auditing of the system",
]
# The headline measures as they must be shown for 2024-25 (fixture table in report_fixtures).
HEADLINE_TEXT = {
    "cla_at_period_end": "650",
    "cla_rate_per_10k": "65.0",
    "cin_rereferrals_12m_pct": "23.0%",
    "cp_plans_at_period_end": "fewer than 5",
    "cp_visits_within_standard_pct": "suppressed (small numbers)",
    "wf_vacancy_rate_pct": "12.0%",
    "complaints_stage1_within_timescale_pct": "85.0%",
}


# --- fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The warehouse and a commentary store beside it, with CSQA_WAREHOUSE and CSQA_STATE_DIR pointing at them."""
    root = tmp_path_factory.mktemp("report")
    warehouse = write_warehouse(root / "warehouse.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSQA_WAREHOUSE", str(warehouse))
        mp.setenv("CSQA_STATE_DIR", str(root / "state"))
        commentary.save(LA, "cla_rate_per_10k", "quarter", dt.date(2024, 10, 1), COMMENT, COMMENT_AUTHOR)
        commentary.save(LA, "eh_families_supported", "year", dt.date(2024, 4, 1), HOSTILE_COMMENT, "Early Help lead")
        commentary.save(LA, "cla_at_period_end", "year", dt.date(2023, 4, 1), "Last year's comment", "Someone")
        yield warehouse


@pytest.fixture
def env(served, monkeypatch):
    monkeypatch.setenv("CSQA_WAREHOUSE", str(served))
    monkeypatch.setenv("CSQA_STATE_DIR", str(served.parent / "state"))
    return served


@pytest.fixture(scope="module")
def doc(served):
    return document.build_document(LA, YEAR, generated_on=dt.date(2025, 4, 30))


@pytest.fixture(scope="module")
def html(doc) -> str:
    return render_html(doc)


@pytest.fixture(scope="module")
def page(html) -> Page:
    parser = Page()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def pdf(doc) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(render_pdf(doc)))


@pytest.fixture(scope="module")
def pdf_text(pdf) -> str:
    return "\n".join(p.extract_text() for p in pdf.pages)


# --- reading the HTML back -------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """Headings, tables (rows of cell text) and the text of each section of the report."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.section = ""
        self.headings: list[tuple[str, str]] = []  # (tag, text)
        self.tables: dict[str, list[list[list[str]]]] = {}  # section -> tables -> rows -> cells
        self.text: dict[str, list[str]] = {}
        self._heading: str | None = None
        self._buffer: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs.get("id", "")
        elif tag in ("h1", "h2", "h3"):
            self._heading, self._buffer = tag, []
        elif tag == "table":
            self.tables.setdefault(self.section, []).append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == self._heading:
            self.headings.append((tag, "".join(self._buffer).strip()))
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self.section in self.tables and self.tables[self.section]:
                self.tables[self.section][-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._heading:
            self._buffer.append(data)
        if self._cell is not None:
            self._cell.append(data)
        self.text.setdefault(self.section, []).append(data)

    def section_text(self, key: str) -> str:
        return " ".join(" ".join(self.text.get(f"section-{key}", [])).split())

    def rows(self, key: str) -> list[list[str]]:
        return [row for table in self.tables.get(f"section-{key}", []) for row in table]

    def row(self, key: str, first_cells: tuple[str, ...]) -> list[str]:
        found = [r for r in self.rows(key) if tuple(r[: len(first_cells)]) == first_cells]
        assert len(found) == 1, (first_cells, self.rows(key)[:5])
        return found[0]


def words(text: str) -> str:
    return " ".join(text.split())


# --- the rules, stated independently -------------------------------------------------------------------------------


def year_row(warehouse: Path, indicator_id: str, year: str = YEAR) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rel = con.sql(
            "select v.*, i.unit, i.domain, i.name from indicator_values v join indicators i using (indicator_id) "
            "where v.indicator_id = ? and v.financial_year = ? and v.period_grain = 'year' and v.la_code = ?",
            params=[indicator_id, year, LA],
        )
        columns, rows = rel.columns, rel.fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    row = dict(zip(columns, rows[0], strict=True))
    row["value"] = float(row["value"])
    return row


def shown(unit: str, value: float, numerator: float | None, denominator: float | None, staff: bool) -> str:
    """A year value as the report must show it: staff figures in full; children's counts under 5 as "fewer than
    5"; ratios on a small numerator or denominator suppressed."""
    if staff:
        return f"{value:,.1f}%" if unit == "percent" else f"{value:,.1f} FTE" if unit == "fte" else f"{value:,.1f}"
    if unit == "count":
        return "fewer than 5" if value < 5 else f"{round(value):,}"
    if numerator is not None and numerator < 5 or denominator is not None and denominator < 5:
        return "suppressed (small numbers)"
    return f"{value:,.1f}%" if unit == "percent" else f"{value:,.1f}"


def test_the_expected_headline_values_follow_the_apps_formatting(served):
    assert sorted(HEADLINE_TEXT) == sorted(HEADLINE_IDS)
    for indicator_id, text in HEADLINE_TEXT.items():
        row = year_row(served, indicator_id)
        staff = row["domain"] in disclosure.STAFF_DOMAINS
        assert shown(row["unit"], row["value"], row["numerator"], row["denominator"], staff) == text
        app_text = (
            formatting.by_unit(row["unit"], row["value"])
            if staff
            else disclosure.value_text(row["unit"], row["value"], row["numerator"], row["denominator"])
        )
        assert app_text == text, indicator_id


# --- the HTML --------------------------------------------------------------------------------------------------------


def test_html_headline_table_holds_the_year_values(page, served):
    rows = page.rows("headline")
    assert rows[0] == ["Area", "Measure", YEAR, PREVIOUS, "England", "Against target"]
    by_measure = {r[1]: r for r in rows[1:]}
    assert len(by_measure) == len(HEADLINE_IDS)
    for indicator_id, text in HEADLINE_TEXT.items():
        row = year_row(served, indicator_id)
        cells = by_measure[row["name"]]
        assert cells[2] == text, indicator_id
    assert by_measure["Children looked after at 31 March"][3] == "630"
    assert by_measure["Children looked after per 10,000 children"][4] == "67.0"
    assert by_measure["Re-referrals within 12 months"][5] == "Close to target"
    # a hidden value's status goes with it; a measure without a target has none
    assert by_measure["Child protection visits within the standard"][5] == "not shown (small numbers)"
    assert by_measure["Children on a child protection plan at 31 March"][5] == ""
    assert by_measure["Children on a child protection plan at 31 March"][3] == "7"
    # by domain, in the domains seed's order, each area named once
    assert [r[0] for r in rows[1:] if r[0]] == [
        "Children looked after", "Children in need", "Child protection", "Workforce", "Complaints and compliments"]


def test_html_has_every_section_heading_in_order(page):
    assert [t for tag, t in page.headings if tag == "h2"] == HEADINGS
    h3 = [t for tag, t in page.headings if tag == "h3"]
    positions = [h3.index(p) for p in PARTS]
    assert positions == sorted(positions)


def test_a_domain_not_otherwise_placed_is_in_part_4(page):
    h3 = [t for tag, t in page.headings if tag == "h3"]
    part4 = h3.index(PARTS[3])
    assert h3.index("Early help") > part4  # not in the domains seed: named from its id
    assert h3.index("Complaints and compliments") > part4 and h3.index("Workforce") > part4
    assert h3.index("Audits and learning") < part4
    assert "Families supported 250, up 10 (4%) on 2023-24." in page.section_text("3")


def test_small_counts_are_fewer_than_5_and_never_their_number(page):
    row = page.row("appendix", ("Assessments open beyond 45 working days",))
    assert row[1] == "fewer than 5"
    assert row[4] == "12"  # last year's is not small
    assert not any(re.search(r"\b3\b", c) for c in row)
    cp = page.row("appendix", ("Children on a child protection plan at 31 March",))
    assert cp[1] == "fewer than 5" and not any(re.search(r"\b2\b", c) for c in cp)
    findings = page.section_text("3")
    assert "Open over 45 days: not shown (small numbers)." in findings
    assert "CP plans: not shown (small numbers)." in findings
    # last year's small count is hidden too, and so is the change to it
    overdue = page.row("appendix", ("Learning actions overdue",))
    assert overdue[1] == "6" and overdue[4] == "fewer than 5"
    assert "Actions overdue 6." in page.section_text("5")


def test_a_hidden_cell_cannot_be_worked_out_from_its_total(page):
    assert page.row("appendix", ("Children in other placements",))[1] == "fewer than 5"
    assert page.row("appendix", ("Children placed in residential care",))[1] == "suppressed (small numbers)"
    assert page.row("appendix", ("Children placed with foster carers",))[1] == "400"
    grades = {r[0]: r[1] for r in page.rows("4") if len(r) == 2}
    assert grades["Inadequate"] == "fewer than 5"
    assert grades["Requires improvement"] == "suppressed (small numbers)"
    assert grades["Outstanding"] == "40" and grades["Good"] == "44" and grades["All graded audits"] == "120"
    assert page.row("appendix", ("Audits graded requires improvement",))[1] == "suppressed (small numbers)"
    # stage 1 complaints by quarter add up to the year's 80
    table = next(t for t in page.tables["section-5"] if t[0][0] == f"{YEAR} Q1")
    assert table[1] == ["suppressed (small numbers)", "22", "fewer than 5", "35"]


def test_good_or_better_goes_when_its_count_could_be_worked_out():
    """Outstanding 2 and inadequate 3 are small; good (10) goes with outstanding, and then good or better (12) could
    be had as 65 graded less requires improvement (50) less inadequate, so its share is hidden too."""
    import polars as pl
    from report_fixtures import _catalogue

    counts = {"outstanding": 2, "good": 10, "requires_improvement": 50, "inadequate": 3}
    rows = {
        f"audits_grade_{g}_count": {"indicator_id": f"audits_grade_{g}_count", "period_grain": "year",
                                    "period_start": dt.date(2024, 4, 1), "value": float(n), "numerator": float(n),
                                    "denominator": None}
        for g, n in counts.items()
    }  # fmt: skip
    rows["audits_good_or_better_pct"] = {"indicator_id": "audits_good_or_better_pct", "period_grain": "year",
                                         "period_start": dt.date(2024, 4, 1), "value": 12 / 65 * 100,
                                         "numerator": 12.0, "denominator": 65.0}  # fmt: skip
    masks = document.breakdown_masks(pl.DataFrame(_catalogue(), infer_schema_length=None), rows)
    assert masks["audits_grade_outstanding_count"] == "fewer than 5"
    assert masks["audits_grade_good_count"] == "suppressed (small numbers)"
    assert masks["audits_grade_requires_improvement_count"] == "50"
    assert masks["audits_good_or_better_pct"] == "suppressed (small numbers)"
    assert masks["__audits_graded__"] == "65"
    reading = document.narrative.Reading.from_row(
        {"indicator_id": "audits_good_or_better_pct", "name": "Good or better", "unit": "percent",
         "polarity": "higher_is_better", "domain": "audit", "rag": "red", **rows["audits_good_or_better_pct"]}
    )  # fmt: skip
    assert not reading.hidden
    hidden = document.masked(reading, masks, {})
    assert hidden.hidden
    assert document.narrative.sentence(hidden, PREVIOUS) == "Good or better: not shown (small numbers)."
    assert document.narrative.red([hidden]) == [] and document.rag_text(hidden) == "not shown (small numbers)"


def test_staff_figures_are_shown_in_full(page):
    assert page.row("appendix", ("Social workers leaving (FTE)",))[1] == "3.0 FTE"
    workforce = page.row("6", ("Social worker vacancy rate",))
    assert workforce[1:6] == ["12.0%", "17.3%", "16.1%", "10.0%", "Close to target"]


def test_html_escapes_hostile_text_and_names_no_address(html, page):
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert page.row("appendix", (HOSTILE_NAME,))[1] == "250"  # read back as the plain text it is
    assert HOSTILE_COMMENT in page.section_text("3")
    assert HOSTILE_ACTION in page.section_text("5")
    assert not re.search(r"https?://", html)
    tags = re.findall(r"<[a-zA-Z][^>]*>", html)
    assert not [t for t in tags if re.search(r"\s(src|srcset|onerror|onload)\s*=", t, re.IGNORECASE)]
    links = [m for t in tags for m in re.findall(r"""\shref\s*=\s*["']?([^"'\s>]*)""", t, re.IGNORECASE)]
    assert links and all(h.startswith("#") for h in links)
    assert html.count("<svg") >= 3  # charts inline


def test_part_1_sums_up_the_headline_measures(page):
    text = page.section_text("3")
    assert "The Chief Executive's quarterly performance reviews follow 7 headline measures" in text
    # the hidden CP visits figure has a status in its row, but it is not counted
    assert "Of the 3 with a target, 1 was on target at the year end, 2 close to it and 0 off target." in text


def test_commentary_of_the_year_is_in_the_findings(page):
    findings = page.section_text("3")
    assert f"CLA rate, 2024-25 Q3: {COMMENT} ({COMMENT_AUTHOR}," in findings
    assert "Last year's comment" not in findings


def test_method_lists_sources_and_the_schedules_delivery(page):
    sources = {r[0]: r for r in page.rows("2") if len(r) == 6}
    assert sources["SSDA903 children looked after return: episodes"][1:] == [
        "2", "1,850", "950", "1 April 2023", "31 March 2025"]  # fmt: skip
    assert sources["Monthly HR extract: workers"][1:4] == ["2", "261", "131"]
    assert sources["Reference data: population"][4:] == ["not dated", "not dated"]
    text = page.section_text("2")
    assert "Of the 28 reports the framework schedules due in 2024-25, 25 were delivered on time, 2 late and 1 not " \
           "delivered by their due date." in text
    assert page.row("2", ("Part 1",)) == ["Part 1", "12", "10", "1", "1", "0"]
    assert page.row("2", ("All parts",)) == ["All parts", "28", "25", "2", "1", "0"]


def test_areas_for_development_come_from_the_data(page):
    text = page.section_text("7")
    assert "Long-term stability 63.0%, down 7.0 points on 2023-24, below England's 69.0%" in text
    assert "Follow-up 75.0%, off target (100.0%)." in text
    assert "involving fathers (35.0% of audits); multi-agency working (25.0% of audits); child-centred practice " \
           "(15.0% of audits)" in text
    assert "Task 1.6 (Monitoring via one-to-one meetings with the DCS and quarterly performance reviews) to Chief " \
           "Executive: 1 late and 1 overdue of 12 due." in text
    assert "CP visits" not in text  # hidden: its red status is not shown anywhere
    assert LEARNING_OVERDUE in page.section_text("5")


# --- the PDF ---------------------------------------------------------------------------------------------------------


def test_pdf_text_holds_the_headline_values_near_the_top(pdf, pdf_text):
    top = words(" ".join(p.extract_text() for p in pdf.pages[:2]))
    for text in HEADLINE_TEXT.values():
        assert words(text) in top, text
    assert "Children looked after per 10,000 children" in top


def test_pdf_has_every_section_heading_and_page_numbers(pdf, pdf_text):
    text = words(pdf_text)
    for heading in [*HEADINGS, *PARTS]:
        assert heading in text, heading
    n = len(pdf.pages)
    assert n >= 3
    assert f"Page 1 of {n}" in text and f"Page {n} of {n}" in text
    assert "fewer than 5" in text
    assert "Committee: Children's Services Scrutiny Committee" in words(pdf.pages[0].extract_text())


def test_pdf_metadata_and_escaped_text(pdf, pdf_text):
    meta = pdf.metadata
    assert meta.title == f"Quality Assurance in Children's Social Care annual review {YEAR}: {LA_NAME}"
    assert meta.author == f"{LA_NAME}: Director of Children's Services"
    assert 'Families supported <script>alert("x")</script>' in words(pdf_text)


def test_pdf_tables_split_with_their_header_repeated(tmp_path, monkeypatch):
    """A table longer than a page carries its header row onto the next."""
    rows = tuple((f"Measure {n}", f"{n:,}") for n in range(120))
    doc = document.Document(
        title="Long table", la_code=LA, la_name=LA_NAME, year=YEAR, cover=[], recommendation="Note it.",
        sections=[document.Section("1", "Long", [document.Table(("Measure", "Figure"), rows, widths=(8, 4))])],
        author="Tester", subject="Test", generated_on=dt.date(2025, 4, 30),
    )  # fmt: skip
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(doc)))
    with_rows = [words(p.extract_text()) for p in reader.pages if re.search(r"Measure \d+", p.extract_text())]
    assert len(with_rows) >= 2
    for text in with_rows:
        assert "Measure Figure" in text
    assert "Measure 119 119" in with_rows[-1]


# --- missing data and missing commentary ---------------------------------------------------------------------------


def test_missing_data_sections_say_so(tmp_path, monkeypatch):
    warehouse = write_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(warehouse))
    con.execute("drop table qa_schedule; drop table complaints; drop table csww_census_indicators")
    con.execute("delete from indicator_values where indicator_id like 'audit%' or indicator_id like 'complaints%' "
                "or indicator_id like 'wf_%'")
    con.close()
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "state"))
    parser = Page()
    parser.feed(render_html(document.build_document(LA, YEAR)))
    assert [t for tag, t in parser.headings if tag == "h2"] == HEADINGS
    assert "No QA activity log has been loaded" in parser.section_text("2")
    assert "No case-file audit themes are recorded for 2024-25" in parser.section_text("4")
    assert "No complaints figures are recorded for 2024-25" in parser.section_text("5")
    assert "No workforce figures are recorded for 2024-25" in parser.section_text("6")
    assert "There are no audits and learning figures for 2024-25 in the warehouse." in parser.section_text("3")


def test_without_the_commentary_module_the_report_says_so(env, monkeypatch):
    monkeypatch.setitem(sys.modules, "app.commentary", None)  # as if the module were not there
    comments, note = document.read_commentary(LA, *document.year_bounds(YEAR))
    assert comments == [] and "not available" in note
    parser = Page()
    parser.feed(render_html(document.build_document(LA, YEAR)))
    assert "Managers' commentary is not available in this version" in parser.section_text("3")
    assert COMMENT not in parser.section_text("3")


def test_a_failing_store_becomes_a_note(env, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(commentary, "current_between", broken)
    comments, note = document.read_commentary(LA, *document.year_bounds(YEAR))
    assert comments == [] and "could not be read (OSError)" in note


def test_unknown_year_and_authority(env):
    with pytest.raises(document.UnknownYear) as caught:
        document.build_document(LA, "2019-20")
    assert "2019-20" in str(caught.value) and "2024-25, 2023-24" in str(caught.value)
    with pytest.raises(document.UnknownAuthority):
        document.build_document("999", YEAR)
    with pytest.raises(ValueError):
        document.parse_year("2024-26")


# --- the command line ------------------------------------------------------------------------------------------------


def test_cli_writes_both_files(env, tmp_path, capsys):
    out = tmp_path / "reports"
    assert cli.main(["report", "--year", YEAR, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    pdf_path = out / f"qa-annual-review-{LA}-{YEAR}.pdf"
    html_path = out / f"qa-annual-review-{LA}-{YEAR}.html"
    assert str(pdf_path) in printed and str(html_path) in printed
    assert sorted(p.name for p in out.iterdir()) == sorted([pdf_path.name, html_path.name])  # no partial files
    text = words(" ".join(p.extract_text() for p in pypdf.PdfReader(pdf_path).pages))
    for value in HEADLINE_TEXT.values():
        assert words(value) in text
    assert html_path.read_text("utf-8").startswith("<!DOCTYPE html>")


def test_cli_one_format(env, tmp_path):
    assert cli.main(["report", "--year", YEAR, "--la", LA, "--out", str(tmp_path), "--format", "html"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == [f"qa-annual-review-{LA}-{YEAR}.html"]


def test_cli_unknown_year_exits_1_naming_the_years(env, tmp_path, capsys):
    assert cli.main(["report", "--year", "2019-20", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "2019-20" in err and "years available: 2024-25, 2023-24" in err
    assert not list(tmp_path.iterdir())


def test_cli_usage_errors(env, tmp_path, capsys):
    assert cli.main(["report", "--year", "2024", "--out", str(tmp_path)]) == 2
    assert "2024" in capsys.readouterr().err
    assert cli.main(["report", "--year", YEAR, "--la", "999", "--out", str(tmp_path)]) == 1
    assert "999" in capsys.readouterr().err


def test_cli_says_when_it_cannot_write_the_folder(env, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert cli.main(["report", "--year", YEAR, "--out", str(blocker / "reports")]) == 1
    err = capsys.readouterr().err
    assert f"cannot write to {blocker / 'reports'}" in err and "Traceback" not in err
    assert blocker.read_text() == "not a folder"


def test_cli_asks_which_authority_when_there_are_several(tmp_path, monkeypatch, capsys):
    warehouse = write_warehouse(tmp_path / "two.duckdb", other_la=True)
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "state"))
    assert cli.main(["report", "--year", YEAR, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "--la" in err and LA in err and OTHER_LA in err


def test_cli_reads_the_data_folders_warehouse(tmp_path, monkeypatch, capsys):
    """Without CSQA_WAREHOUSE the report reads CSQA_DATA_DIR's warehouse and writes to its reports/ folder."""
    root = tmp_path / "data"
    write_warehouse(root / "warehouse.duckdb")
    monkeypatch.delenv("CSQA_WAREHOUSE", raising=False)
    monkeypatch.setenv("CSQA_DATA_DIR", str(root))
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "state"))
    try:
        assert cli.main(["report", "--year", YEAR, "--format", "pdf"]) == 0
    finally:
        monkeypatch.delenv("CSQA_WAREHOUSE", raising=False)  # the command sets it for the app's modules
    assert (root / "reports" / f"qa-annual-review-{LA}-{YEAR}.pdf").is_file()


# --- the page --------------------------------------------------------------------------------------------------------


def open_page(warehouse: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CSQA_STATE_DIR", str(warehouse.parent / "state"))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Annual QA review"
    return at


def test_page_shows_the_headline_table_and_prepares_downloads(served, monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    class RecordingStorage(MemoryMediaFileStorage):
        instances: list = []

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            RecordingStorage.instances.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = open_page(served, monkeypatch)
    assert at.selectbox(key="annual_review_year").options == [YEAR, PREVIOUS]
    assert at.selectbox(key="annual_review_year").value == YEAR
    table = at.table[0].value
    assert list(table.columns)[:4] == ["Area", "Measure", YEAR, PREVIOUS]
    values = dict(zip(table["Measure"], table[YEAR], strict=True))
    assert values["Children looked after per 10,000 children"] == "65.0"
    assert values["Children on a child protection plan at 31 March"] == "fewer than 5"
    assert not at.get("download_button")

    at.button(key="annual_review_prepare").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download the PDF", "Download the HTML"]
    storage = RecordingStorage.instances[-1]
    files = {b.proto.label: storage.get_file(b.proto.url.rsplit("/", 1)[-1]) for b in buttons}
    pdf_file = files["Download the PDF"]
    assert pdf_file.filename == f"qa-annual-review-{LA}-{YEAR}.pdf"
    text = words(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf_file.content)).pages))
    assert "65.0" in text and COMMENT in text
    assert files["Download the HTML"].content.decode("utf-8").startswith("<!DOCTYPE html>")

    # the previous year: no downloads until prepared again
    at.selectbox(key="annual_review_year").select(PREVIOUS)
    at.run()
    assert not at.exception
    assert not at.get("download_button")
