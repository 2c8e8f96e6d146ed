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
