"""AppTest of the Corporate Parenting Panel page against a real build of the demo data (not a hand-made one)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app import disclosure

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
            """select i.name, v.value, v.numerator, v.denominator, i.unit
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
    checked = 0
    for _, row in table.iterrows():
        if row["Measure"] not in expected:
            continue
        value, numerator, denominator, unit = expected[row["Measure"]]
        if unit == "count":
            want = disclosure.count_text(value)
        elif unit == "percent":
            want = disclosure.percent_text(value, numerator, denominator)
        else:
            want = disclosure.rate_text(value, numerator, denominator)
        assert row[month] == want, (row["Measure"], row[month], want)
        checked += 1
    # The sixteen children-in-need and child protection measures (and the CLA headlines) were all compared.
    assert checked >= 16
