"""A Corporate Parenting Panel member never receives a count of children between 1 and 4: not on screen, not in
a chart's data, not in a download (issue 7 acceptance).

The fixture is the hand-made SSDA903 return (tests/fixtures/ssda903_small: a handful of children over three
years), ingested and built for real, so nearly every placement, provider and movement figure is 0 to 4. The
member signs in with the panel's role, scoped to the authority, and opens every quarter of every page the role
may see. Everything the browser would receive is searched for a bare 1, 2, 3 or 4 standing as a figure.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import duckdb
import pytest
from streamlit import dataframe_util
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app import roles
from ingest.build import build
from ingest.load import ingest_paths
from ingest.paths import DataDir

pytestmark = pytest.mark.signed_out  # signs in as a panel member itself

FIXTURE = Path(__file__).parent / "fixtures" / "ssda903_small"
APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
ROLE = "corporate_parenting_panel"
PAGE_FILES = {"corporate-parenting": "views/corporate_parenting.py", "qa-framework": "views/qa_framework.py"}
# A figure of 1-4 on its own: a whole cell, or a number followed by what it counts in prose.
BARE_SMALL = re.compile(r"^\s*[1-4](\.0)?\s*$")
SMALL_IN_PROSE = re.compile(r"(?<![\d.,])[1-4] (children|child|young people|placements?|episodes?|moves?)\b")


class RecordingStorage(MemoryMediaFileStorage):
    instances: list[RecordingStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    data = DataDir(tmp_path_factory.mktemp("small_cells") / "data")
    outcomes = ingest_paths(data.landing, [FIXTURE])
    assert outcomes and all(o.rows_rejected == 0 for o in outcomes)
    return build(data).warehouse


def small_counts_in_warehouse(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql("""
            select count(*) from indicator_values v join indicators i using (indicator_id)
            where i.unit = 'count' and v.value between 1 and 4 and v.period_grain = 'quarter'
        """).fetchall()[0][0]
    finally:
        con.close()


def panel_member(monkeypatch, warehouse: Path, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "state"))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["csqa_user"] = {
        "username": "cpp-member", "display_name": "Panel member", "role": ROLE, "la_code": "845",
        "service_id": None, "team_id": None, "method": "password",
    }  # fmt: skip
    at.session_state["csqa_last_seen"] = time.time()
    return at


# Columns that hold no count of children: rates per 10,000, shares, ranks of neighbours, sort orders.
NOT_COUNTS = re.compile(r"rate|per 10,000|rank|order|share|percent|pct|%|how close", re.IGNORECASE)


def y_titles(node) -> list[str]:
    """The titles of a Vega-Lite spec's y encodings (in any layer)."""
    if isinstance(node, list):
        return [t for item in node for t in y_titles(item)]
    if not isinstance(node, dict):
        return []
    found = [str(node["y"].get("title") or "")] if isinstance(node.get("y"), dict) else []
    return found + [t for key, value in node.items() if key != "y" for t in y_titles(value)]


def everything_sent(at: AppTest, storage: MemoryMediaFileStorage) -> tuple[list[str], list[str]]:
    """(cells, prose): every table, chart, metric and download cell that can hold a count; every piece of text."""
    cells: list[str] = []
    for table in [*at.table, *at.dataframe]:
        frame = table.value.astype(str)
        for column in frame.columns:
            if not NOT_COUNTS.search(str(column)):
                cells += list(frame[column])
    for chart in at.get("vega_lite_chart"):
        if NOT_COUNTS.search(" ".join(y_titles(json.loads(chart.proto.spec)))):
            continue  # a chart of rates or shares draws no count
        for dataset in chart.proto.datasets:
            frame = dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data)
            if "series" in frame.columns:  # a line per series: leave out the rate lines
                frame = frame[~frame["series"].astype(str).str.contains(NOT_COUNTS)]
            for column in frame.columns:
                if frame[column].dtype.kind in "iuf" and not NOT_COUNTS.search(str(column)):
                    cells += [str(v) for v in frame[column].dropna()]
    cells += [str(m.value) for m in at.metric if not NOT_COUNTS.search(m.label)]
    for button in at.download_button:
        content = storage.get_file(button.proto.url.rsplit("/", 1)[-1]).content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(content)))
        keep = [i for i, heading in enumerate(rows[0]) if not NOT_COUNTS.search(heading)] if rows else []
        cells += [row[i] for row in rows[1:] for i in keep if i < len(row)]
    prose = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return cells, prose


def test_the_fixture_is_full_of_small_cells(warehouse):
    assert small_counts_in_warehouse(warehouse) >= 20


def test_the_panel_sees_exactly_its_pages():
    assert set(roles.pages_for(ROLE)) == set(PAGE_FILES)


@pytest.mark.parametrize("page", sorted(PAGE_FILES))
def test_a_panel_member_never_receives_a_count_of_1_to_4(page, warehouse, monkeypatch, tmp_path):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = panel_member(monkeypatch, warehouse, tmp_path)
    at.run()
    at.switch_page(PAGE_FILES[page])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    quarters = at.selectbox(key="cpp_quarter").options if page == "corporate-parenting" else [None]
    checked = 0
    for quarter in quarters:
        if quarter is not None:
            at.selectbox(key="cpp_quarter").select(quarter)
            at.run()
            assert not at.exception, [e.value for e in at.exception]
        cells, prose = everything_sent(at, RecordingStorage.instances[-1])
        leaks = [c for c in cells if BARE_SMALL.match(c)]
        leaks += [m.group(0) for text in prose for m in SMALL_IN_PROSE.finditer(text)]
        assert leaks == [], (quarter, leaks)
        checked += len(cells)
    assert checked > 100  # the check looked at real content
