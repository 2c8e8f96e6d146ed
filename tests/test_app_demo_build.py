"""AppTest of the Corporate Parenting Panel page against a real build of the demo data (not a hand-made one)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app import disclosure, formatting

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
TILES = {
    "Children looked after": "cla_at_period_end",
    "Children who started care": "cla_starts",
    "Children who left care": "cla_ceased",
}


def values_for(warehouse: Path, quarter: str) -> dict[str, float]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return dict(con.sql(
            """select indicator_id, value from indicator_values
               where la_code = '845' and org_level = 'la' and period_grain = 'quarter' and period_label = ?""",
            params=[quarter]).fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("quarter", ["2024-25 Q3", "2025-26 Q1"])
def test_tiles_for_a_chosen_quarter_match_indicator_values(demo_data, monkeypatch, quarter):
    monkeypatch.setenv("CSQA_WAREHOUSE", str(demo_data.warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["quarter"] = quarter
    at.run()
    assert not at.exception
    assert at.selectbox(key="cpp_quarter").value == quarter
    expected = values_for(demo_data.warehouse, quarter)
    tiles = {m.label: m.value for m in at.metric}
    for label, indicator in TILES.items():
        assert tiles[label] == disclosure.count_text(expected[indicator]), label
    assert tiles["Rate per 10,000 children"] == f"{expected['cla_rate_per_10k']:.1f}"
    # The demo is synthetic and the page says so.
    assert any("Synthetic" in w.value for w in at.warning) or any("Synthetic" in m.value for m in at.markdown)


def _month_values(warehouse: Path, month: str) -> dict[str, tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {r[0]: r[1:] for r in con.sql(
            """select i.name, v.value, v.numerator, v.denominator, i.unit, i.domain
               from indicator_values v join indicators i using (indicator_id)
               where v.la_code = '845' and v.org_level = 'la' and v.period_grain = 'month'
                 and v.period_label = ? and list_contains(string_split(i.audiences, ';'), 'cscmt')""",
            params=[month]).fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize("month", ["Mar 2026", "Dec 2025"])
def test_cscmt_table_for_a_chosen_month_matches_indicator_values(demo_data, monkeypatch, month):
    monkeypatch.setenv("CSQA_WAREHOUSE", str(demo_data.warehouse))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params["month"] = month
    at.run()
    at.switch_page("views/cscmt.py")
    at.run()
    assert not at.exception
    assert at.selectbox(key="cscmt_month").value == month
    table = next(t.value for t in at.table if list(t.value.columns)[:1] == ["Measure"]
                 and "Against target" in t.value.columns)
    expected = _month_values(demo_data.warehouse, month)
    checked = staff = 0
    for _, row in table.iterrows():
        if row["Measure"] not in expected:
            continue
        value, numerator, denominator, unit, domain = expected[row["Measure"]]
        if domain in disclosure.STAFF_DOMAINS:  # staff, not children: in full, by unit ("104.1 FTE")
            want = formatting.by_unit(unit, value)
            staff += 1
        elif unit == "count":
            want = disclosure.count_text(value)
        elif unit == "percent":
            want = disclosure.percent_text(value, numerator, denominator)
        else:
            want = disclosure.rate_text(value, numerator, denominator)
        assert row[month] == want, (row["Measure"], row[month], want)
        checked += 1
    # The sixteen children-in-need and child protection measures (and the CLA headlines) were all compared, and
    # the eight workforce measures (QA task 4.8 reports them to CSCMT monthly).
    assert checked >= 24 and staff == 8


def _period_rows(warehouse: Path, grain: str, label: str) -> dict[str, dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        frame = con.sql(
            """select indicator_id, value, numerator, denominator from indicator_values
               where la_code = '845' and org_level = 'la' and period_grain = ? and period_label = ?""",
            params=[grain, label]).pl()
    finally:
        con.close()
    return {r["indicator_id"]: r for r in frame.to_dicts()}


@pytest.mark.parametrize("month", ["Mar 2026", "Sep 2025"])
def test_workforce_tiles_for_a_chosen_month_match_indicator_values(demo_data, monkeypatch, month):
    from app import formatting, workforce

    monkeypatch.setenv("CSQA_WAREHOUSE", str(demo_data.warehouse))
    monkeypatch.delenv(workforce.CEILING_ENV_VAR, raising=False)
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params["month"] = month
    at.run()
    at.switch_page("views/workforce.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="workforce_month").value == month
    expected = _period_rows(demo_data.warehouse, "month", month)
    units = {"fte": formatting.fte, "percent": formatting.percent, "ratio": formatting.ratio}
    unit_of = {workforce.FTE_IN_POST: "fte", workforce.STARTERS: "fte", workforce.LEAVERS: "fte",
               workforce.DAYS_LOST: "ratio", workforce.CASELOAD: "ratio"}
    tiles = {m.label: m.value for m in at.metric}
    for indicator_id, label in workforce.TILE_LABELS.items():
        want = units[unit_of.get(indicator_id, "percent")](expected[indicator_id]["value"])
        assert tiles[label] == want, (label, tiles[label], want)
    # Staff figures are shown in full: the demo's authority has about a hundred social workers.
    assert expected[workforce.FTE_IN_POST]["value"] > 80
    # The census section lists the six 30 September returns of the demo's years.
    census = next(t.value for t in at.table if list(t.value.columns)[:2] == ["Census", "Measure"])
    assert census["Census"].nunique() == 6


@pytest.mark.parametrize("quarter", ["2025-26 Q4", "2024-25 Q3"])
def test_complaints_tiles_for_a_chosen_quarter_match_indicator_values(demo_data, monkeypatch, quarter):
    monkeypatch.setenv("CSQA_WAREHOUSE", str(demo_data.warehouse))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params["quarter"] = quarter
    at.run()
    at.switch_page("views/complaints.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="complaints_quarter").value == quarter
    expected = _period_rows(demo_data.warehouse, "quarter", quarter)
    tiles = {m.label: m.value for m in at.metric}
    received = expected["complaints_stage1_received"]["value"]
    assert received >= 5  # the demo authority has 150-170 stage 1 complaints a year
    assert tiles["Stage 1 complaints received"] == disclosure.count_text(received)
    timely = expected["complaints_stage1_within_timescale_pct"]
    assert tiles["Stage 1 responses within timescale"] == disclosure.percent_text(
        timely["value"], timely["numerator"], timely["denominator"])
    upheld = expected["complaints_upheld_pct"]
    assert tiles["Upheld or partly upheld at stage 1"] == disclosure.percent_text(
        upheld["value"], upheld["numerator"], upheld["denominator"])


# --- issue 6: the Chief Executive quarterly review and the annual report on the demo build ----------------------


def _pack_values(warehouse: Path, quarter: str) -> dict[str, tuple]:
    """The Chief Executive's quarter, read from indicator_values (not the pack the page reads) by indicator name."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {r[0]: r[1:] for r in con.sql(
            """select i.name, v.value, v.numerator, v.denominator, i.unit, i.domain
               from indicator_values v join indicators i using (indicator_id)
               where v.la_code = '845' and v.org_level = 'la' and v.period_grain = 'quarter' and v.period_label = ?
                 and v.indicator_id in (
                     select indicator_id from audience_indicators
                     where audience_id = 'chief_executive' and period_grain = 'quarter')""",
            params=[quarter]).fetchall()}
    finally:
        con.close()


def test_chief_executive_page_numbers_match_indicator_values(demo_data, monkeypatch, tmp_path):
    quarter = "2024-25 Q3"
    monkeypatch.setenv("CSQA_WAREHOUSE", str(demo_data.warehouse))
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "state"))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["quarter"] = quarter
    at.run()
    at.switch_page("views/chief_executive.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="chief_executive_quarter").value == quarter
    expected = _pack_values(demo_data.warehouse, quarter)
    shown = {row["Indicator"]: row[quarter] for t in at.table for row in t.value.to_dict("records")}
    assert len(expected) >= 20 and shown.keys() == expected.keys()
    for name, (value, numerator, denominator, unit, domain) in expected.items():
        if domain in disclosure.STAFF_DOMAINS:
            assert shown[name] == formatting.by_unit(unit, value), name
        else:
            assert shown[name] == disclosure.value_text(unit, value, numerator, denominator), name


def test_csqa_report_writes_a_pdf_holding_the_years_headline_values(demo_data, monkeypatch, tmp_path):
    import pypdf

    from ingest.cli import main

    monkeypatch.setenv("CSQA_DATA_DIR", str(demo_data.root))
    monkeypatch.delenv("CSQA_WAREHOUSE", raising=False)
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "state"))
    assert main(["report", "--year", "2024-25", "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert written == ["qa-annual-review-845-2024-25.html", "qa-annual-review-845-2024-25.pdf"]
    reader = pypdf.PdfReader(tmp_path / "qa-annual-review-845-2024-25.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "annual review 2024-25" in text.lower()

    con = duckdb.connect(str(demo_data.warehouse), read_only=True)
    try:
        headlines = con.sql(
            """select i.name, v.value, v.numerator, v.denominator, i.unit, i.domain
               from indicator_values v join indicators i using (indicator_id)
               where v.la_code = '845' and v.org_level = 'la' and v.period_grain = 'year'
                 and v.financial_year = '2024-25'
                 and list_contains(string_split(i.qa_task_ids, ';'), '1.6')""").fetchall()
    finally:
        con.close()
    assert len(headlines) >= 20
    for name, value, numerator, denominator, unit, domain in headlines:
        if domain in disclosure.STAFF_DOMAINS:
            figure = formatting.by_unit(unit, value)
        else:
            figure = disclosure.value_text(unit, value, numerator, denominator)
        assert figure in text, (name, figure)
