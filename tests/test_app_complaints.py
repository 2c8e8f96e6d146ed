"""AppTest for the Complaints page, against the hand-made warehouse in workforce_fixtures.

The page is reached through `app/streamlit_app.py` and `st.navigation`. Tiles, tables, charts' data as sent to the
browser and downloads are read back and compared with indicator_values and the `complaints` mart read straight
from the warehouse file, and checked for small numbers: the page is read by Scrutiny and the Lead Member.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from cscmt_fixtures import write_warehouse as write_cscmt_warehouse
from streamlit import dataframe_util
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from workforce_fixtures import (
    HOSTILE_ACTION,
    LA,
    LATEST_QUARTER,
    NORTH,
    OVERDUE_ACTION,
    PREVIOUS_QUARTER,
    SOUTH,
    TEAM_NAMES,
    YEAR_AGO_QUARTER,
    catalogue,
    lookup,
    register,
    write_warehouse,
)

from app import complaints, disclosure, monthly

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PAGE = "views/complaints.py"
QUARTER_KEY, FILTER_KEY = "complaints_quarter", "complaints_learning_filter"
SUPPRESSED = "suppressed (small numbers)"
FEWER = "fewer than 5"
NOT_SHOWN = "not shown (small numbers)"
HEADLINES = {
    "complaints_stage1_received": "Stage 1 complaints received",
    "complaints_stage1_within_timescale_pct": "Stage 1 responses within timescale",
    "complaints_upheld_pct": "Upheld or partly upheld at stage 1",
    "complaints_escalated_pct": "Taken on to stage 2",
    "compliments_received": "Compliments received",
    "complaints_learning_actions_open": "Learning actions open",
    "complaints_learning_actions_overdue": "Learning actions overdue",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("served") / "warehouse.duckdb")


@pytest.fixture
def app(warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    return AppTest.from_file(str(APP), default_timeout=60)


def fresh_app(path: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    return AppTest.from_file(str(APP), default_timeout=60)


def open_page(at: AppTest, **params: str) -> AppTest:
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Complaints"
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, first_column: str, contains: str | None = None) -> pd.DataFrame:
    for t in at.table:
        df = t.value
        if list(df.columns)[0] == first_column and (contains is None or contains in df.columns):
            return df.reset_index(drop=True)
    raise AssertionError(f"no table starting {first_column!r}: {[list(t.value.columns)[:3] for t in at.table]}")


def metrics(at: AppTest) -> dict[str, object]:
    return {m.label: m for m in at.metric}


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(parts)


def chart_frames(chart) -> list[pd.DataFrame]:
    return [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]


def chart_with(at: AppTest, *columns: str, without: tuple[str, ...] = ()) -> pd.DataFrame:
    for chart in at.get("vega_lite_chart"):
        for frame in chart_frames(chart):
            if all(c in frame.columns for c in columns) and not any(c in frame.columns for c in without):
                return frame
    raise AssertionError(f"no chart data with {columns!r}")


def learning_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Status", "Learning action")


# --- the rules, stated independently of the app -------------------------------------------------------------


def shown(unit: str, row: dict | None) -> str:
    if row is None:
        return "not available"
    if unit == "count":
        return FEWER if row["value"] < 5 else f"{round(row['value']):,}"
    if row["numerator"] < 5 or row["denominator"] < 5:
        return SUPPRESSED
    return f"{row['value']:,.1f}%"


def units(warehouse: Path) -> dict[str, str]:
    return {i: r["unit"] for i, r in catalogue(warehouse).items()}


# --- choosing the quarter ---------------------------------------------------------------------------------------


def test_default_is_the_latest_quarter_and_the_url_keeps_the_choice(app):
    at = open_page(app)
    q = at.selectbox(key=QUARTER_KEY)
    assert q.value == LATEST_QUARTER
    assert q.options == [LATEST_QUARTER, PREVIOUS_QUARTER, "2024-25 Q1", "2023-24 Q4", YEAR_AGO_QUARTER]
    assert at.query_params["quarter"] == LATEST_QUARTER
    assert at.query_params["la"] == LA


@pytest.mark.parametrize("given", ["2024-25 Q2", "2024-25+Q2", "2024-25_q2", " 2024-25   Q2 ", "2024-25-Q2"])
def test_quarter_from_the_url(app, given):
    at = open_page(app, quarter=given)
    assert at.selectbox(key=QUARTER_KEY).value == PREVIOUS_QUARTER
    assert at.query_params["quarter"] == PREVIOUS_QUARTER
    assert not any("not recognised" in i.value for i in at.info)


def test_quarter_chosen_with_the_selectbox(app, warehouse):
    at = open_page(app)
    at.selectbox(key=QUARTER_KEY).select(PREVIOUS_QUARTER)
    rerun(at)
    assert at.query_params["quarter"] == PREVIOUS_QUARTER
    tiles = metrics(at)
    assert tiles[HEADLINES["complaints_stage1_received"]].value == "16"
    # Q2's outcomes hide nothing (5 upheld, 5 not upheld), so its share upheld (5/10) is shown
    assert tiles[HEADLINES["complaints_upheld_pct"]].value == "50.0%"
    assert lookup(warehouse, "complaints_upheld_pct", PREVIOUS_QUARTER)["value"] == 50.0


# --- headlines ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [LATEST_QUARTER, PREVIOUS_QUARTER, "2024-25 Q1", YEAR_AGO_QUARTER])
def test_tiles_equal_indicator_values_with_small_numbers_hidden(app, warehouse, label):
    at = open_page(app, quarter=label)
    tiles = metrics(at)
    unit_of = units(warehouse)
    for indicator_id, tile_label in HEADLINES.items():
        expected = shown(unit_of[indicator_id], lookup(warehouse, indicator_id, label))
        assert tiles[tile_label].value == expected, (indicator_id, label)


def test_tiles_by_eye_for_the_latest_quarter(app):
    at = open_page(app)
    tiles = metrics(at)
    assert {label: m.value for label, m in tiles.items()} == {
        "Stage 1 complaints received": "17",
        "Stage 1 responses within timescale": "76.2%",
        # 6 upheld + 5 partly upheld of 21 responses less 2 withdrawn: 11/19. The outcomes table hides every
        # stage 1 outcome instead (withdrawn is 2), so this share gives nothing away.
        "Upheld or partly upheld at stage 1": "57.9%",
        "Taken on to stage 2": SUPPRESSED,
        "Compliments received": "16",
        "Learning actions open": FEWER,
        "Learning actions overdue": FEWER,
    }
    assert tiles["Stage 1 complaints received"].delta == "+1"
    assert tiles["Stage 1 responses within timescale"].delta == "-23.8 points"
    assert tiles["Upheld or partly upheld at stage 1"].delta == "+7.9 points"  # from 5/10 = 50.0%
    for hidden in ("Taken on to stage 2", "Learning actions open"):
        assert not tiles[hidden].delta  # a change beside a hidden figure would give it away
    assert "Target 80.0% :orange-badge[Close to target]" in [m.value for m in at.markdown]
    assert "Change since 2024-25 Q2 not shown (small numbers)." in [c.value for c in at.caption]


# --- stages and timeliness -----------------------------------------------------------------------------------------


def test_stage_table_by_eye(app):
    t = table(open_page(app), "Stage").set_index("Stage")
    q, prev, yago = LATEST_QUARTER, PREVIOUS_QUARTER, YEAR_AGO_QUARTER
    stage1 = t.loc[complaints.STAGE_NAMES[1]]
    assert stage1[f"Received, {q}"] == "17"
    assert stage1[f"Received, {prev}"] == "16"
    assert stage1[f"Received: change since {prev}"] == "up 1"
    assert stage1[f"Received, {yago}"] == "13"
    assert stage1[f"Received: change since {yago}"] == "up 4"
    assert stage1[f"Within timescale, {q}"] == "76.2%"
    assert stage1[f"Within timescale, {prev}"] == "100.0%"
    assert stage1[f"Within timescale: change since {prev}"] == "down 23.8 points"
    assert stage1[f"Within timescale, {yago}"] == "76.9%"
    assert stage1[f"Within timescale: change since {yago}"] == "down 0.7 points"
    assert stage1["Within timescale against target"] == "Close to target"
    stage2 = t.loc[complaints.STAGE_NAMES[2]]
    assert stage2[f"Received, {q}"] == FEWER
    assert stage2[f"Received: change since {prev}"] == SUPPRESSED
    assert stage2[f"Within timescale, {q}"] == SUPPRESSED
    assert stage2[f"Within timescale, {prev}"] == "83.3%"
    assert stage2["Within timescale against target"] == NOT_SHOWN
    assert t.loc[complaints.STAGE_NAMES[3], f"Within timescale, {prev}"] == "not available"


@pytest.mark.parametrize("label", [LATEST_QUARTER, "2024-25 Q1"])
def test_stage_table_equals_indicator_values(app, warehouse, label):
    at = open_page(app, quarter=label)
    t = table(at, "Stage").set_index("Stage")
    for n in complaints.STAGES:
        row = t.loc[complaints.STAGE_NAMES[n]]
        received = lookup(warehouse, f"complaints_stage{n}_received", label)
        timely = lookup(warehouse, f"complaints_stage{n}_within_timescale_pct", label)
        assert row[f"Received, {label}"] == shown("count", received)
        assert row[f"Within timescale, {label}"] == shown("percent", timely)


def test_timeliness_chart_leaves_out_hidden_figures(app):
    at = open_page(app)
    frame = chart_with(at, "period", "label")
    stage2 = frame[frame["label"] == complaints.STAGE_NAMES[2]].set_index("period")
    assert pd.isna(stage2.loc[LATEST_QUARTER, "value"])
    assert stage2.loc[LATEST_QUARTER, "value_text"] == SUPPRESSED
    assert stage2.loc[PREVIOUS_QUARTER, "value"] == pytest.approx(5 / 6 * 100)
    assert frame["value"].dtype == "float64"


# --- nature and outcome -------------------------------------------------------------------------------------------


def test_nature_with_secondary_suppression(app):
    at = open_page(app)
    t = table(at, "Nature of complaint").set_index("Nature of complaint")
    column = f"Stage 1 complaints received, {LATEST_QUARTER}"
    assert t[column].to_dict() == {
        "Communication": SUPPRESSED,  # 5: hidden with quality of service, or 17 - 8 - 5 would give it away
        "Quality of service": FEWER,
        "Delay": "8",
        "All stage 1 complaints received": "17",
    }
    assert t.loc["Delay", "Share"] == "47.1%"
    frame = chart_with(at, "label", "value_text", without=("period", "category")).set_index("label")
    assert frame.loc["Delay", "value"] == 8.0
    assert pd.isna(frame.loc["Communication", "value"]) and pd.isna(frame.loc["Quality of service", "value"])
    assert frame.loc["Communication", "value_text"] == SUPPRESSED


def test_outcomes_from_the_register(app, warehouse):
    at = open_page(app)
    t = table(at, "Stage", "Responses").set_index("Stage")
    stage1 = t.loc[complaints.STAGE_NAMES[1]]
    # 6 upheld, 5 partly, 8 not upheld, 2 withdrawn: the 2 is small, so no stage 1 outcome is shown (beside the
    # headline share upheld, 11/19, any one shown would let the others be worked out); the responses stay.
    assert stage1["Responses"] == "21"
    assert (stage1["Upheld"], stage1["Upheld (share)"]) == (SUPPRESSED, SUPPRESSED)
    assert (stage1["Partly upheld"], stage1["Partly upheld (share)"]) == (SUPPRESSED, SUPPRESSED)
    assert (stage1["Not upheld"], stage1["Not upheld (share)"]) == (SUPPRESSED, SUPPRESSED)
    assert (stage1["Withdrawn"], stage1["Withdrawn (share)"]) == (FEWER, SUPPRESSED)
    assert set(t.loc[complaints.STAGE_NAMES[2]]) == {FEWER, SUPPRESSED}
    assert t.loc[complaints.STAGE_NAMES[3], "Responses"] == FEWER
    # the register, counted independently
    records = register(warehouse)
    q3 = [r for r in records if r["stage1_response_date"] and dt.date(2024, 10, 1) <= r["stage1_response_date"]]
    assert len(q3) == 21 and sum(r["stage1_outcome"] == "upheld" for r in q3) == 6
    frame = chart_with(at, "category", "total_text")
    s1 = frame[frame["label"] == complaints.STAGE_NAMES[1]].set_index("category")
    assert s1["value"].isna().all()
    assert frame[frame["label"] == complaints.STAGE_NAMES[2]]["value"].isna().all()


def test_outcomes_follow_the_quarter(app):
    at = open_page(app, quarter=PREVIOUS_QUARTER)
    stage1 = table(at, "Stage", "Responses").set_index("Stage").loc[complaints.STAGE_NAMES[1]]
    assert (stage1["Responses"], stage1["Upheld"], stage1["Not upheld"]) == ("10", "5", "5")
    assert complaints.STAGE_NAMES[2] not in table(at, "Stage", "Responses")["Stage"].tolist()


# --- the learning loop ----------------------------------------------------------------------------------------------


def test_learning_loop_filtered_to_overdue_lists_exactly_the_overdue_action(app):
    at = open_page(app)
    radio = at.radio(key=FILTER_KEY)
    assert radio.value == complaints.DEFAULT_FILTER
    t = learning_table(at)
    assert t["Status"].tolist() == ["Overdue", "Open", "Open (no due date)"]

    radio.set_value("Overdue only")
    rerun(at)
    t = learning_table(at)
    assert len(t) == 1
    row = t.iloc[0]
    assert row["Learning action"] == OVERDUE_ACTION
    assert row["Due"] == "15 November 2024"
    assert row["Days overdue on 31 December 2024"] == "46"
    assert row["Team"] == TEAM_NAMES[NORTH]
    assert row["Status"] == "Overdue"

    at.radio(key=FILTER_KEY).set_value("Completed")
    rerun(at)
    t = learning_table(at)
    assert t["Status"].tolist() == ["Completed", "Completed"]
    assert set(t["Team"]) == {TEAM_NAMES[NORTH], TEAM_NAMES[SOUTH]}

    at.radio(key=FILTER_KEY).set_value("All")
    rerun(at)
    t = learning_table(at)
    assert len(t) == 5
    assert "No action needed" not in t["Learning action"].tolist()  # not required: never listed
    assert not any(c in t.columns for c in ("Reference", "Complainant", "Received"))


def test_learning_actions_are_the_register_as_it_stands_whatever_the_quarter(app):
    at = open_page(app, quarter=YEAR_AGO_QUARTER)
    at.radio(key=FILTER_KEY).set_value("Overdue only")
    rerun(at)
    assert learning_table(at)["Learning action"].tolist() == [OVERDUE_ACTION]


def test_action_text_is_inert_on_screen_and_in_the_download(app, monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = open_page(app)
    at.radio(key=FILTER_KEY).set_value("Completed")
    rerun(at)
    shown_text = learning_table(at)["Learning action"].tolist()
    assert monthly.md_escape(HOSTILE_ACTION) in shown_text  # no bold, no link on screen
    storage = RecordingStorage.instances[-1]
    (stored,) = [
        storage.get_file(b.proto.url.rsplit("/", 1)[-1])
        for b in at.download_button
        if "learning" in storage.get_file(b.proto.url.rsplit("/", 1)[-1]).filename
    ]
    assert stored.filename == "complaints_learning_actions_845_completed.csv"
    rows = list(csv.reader(io.StringIO(stored.content.decode("utf-8-sig"))))
    assert ["'" + HOSTILE_ACTION] == [r[-1] for r in rows if "HYPERLINK" in r[-1]]


# --- by team, and no small number anywhere -------------------------------------------------------------------------


def test_team_table_with_secondary_suppression(app, warehouse):
    at = open_page(app)
    t = table(at, "Service", "Stage 1 complaints").set_index("Team")
    assert t.loc["Whole authority", "Stage 1 complaints"] == "17"
    assert t.loc["Whole service", "Stage 1 complaints"] == "17"
    assert t.loc[TEAM_NAMES[SOUTH], "Stage 1 complaints"] == FEWER
    assert t.loc[TEAM_NAMES[NORTH], "Stage 1 complaints"] == SUPPRESSED  # 17 - 3 would give South away
    assert t.loc[TEAM_NAMES[NORTH], "Compliments"] == SUPPRESSED
    assert t.loc[TEAM_NAMES[NORTH], "Stage 1 in timescale"] == "85.7%"
    # Upheld: the authority and its one service 11/19, North 8/13; South's 3 of 6 is small.
    assert t.loc["Whole authority", "Upheld (stage 1)"] == t.loc["Whole service", "Upheld (stage 1)"] == "57.9%"
    assert t.loc[TEAM_NAMES[NORTH], "Upheld (stage 1)"] == "61.5%"
    assert t.loc[TEAM_NAMES[SOUTH], "Upheld (stage 1)"] == SUPPRESSED
    north = lookup(warehouse, "complaints_stage1_received", LATEST_QUARTER, org_level="team", org_id=NORTH)
    assert north["value"] == 14  # shown nowhere on the page
    assert "14" not in all_text(at)


BARE_SMALL = re.compile(r"^\s*[0-4](\.0)?\s*$")


def small_cells(df: pd.DataFrame, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(c, str(v)) for c in df.columns if c not in skip for v in df[c] if BARE_SMALL.match(str(v))]


@pytest.mark.parametrize("label", [LATEST_QUARTER, PREVIOUS_QUARTER, YEAR_AGO_QUARTER])
def test_no_small_count_in_any_aggregate_table_chart_or_download(app, monkeypatch, label):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = open_page(app, quarter=label)
    assert not [m.value for m in at.metric if BARE_SMALL.match(m.value)]
    for t in at.table:
        if "Learning action" in t.value.columns:
            continue  # a list of actions, not a count
        assert not small_cells(t.value), (list(t.value.columns)[:2], small_cells(t.value))
    for chart in at.get("vega_lite_chart"):
        for frame in chart_frames(chart):
            for column in ("value_text", "total_text"):
                if column in frame.columns:
                    assert not small_cells(frame[[column]])
            if "value" in frame.columns and "value_text" in frame.columns:
                drawn = frame[frame["value"].notna()]
                assert not drawn["value_text"].isin([FEWER, SUPPRESSED]).any()
    storage = RecordingStorage.instances[-1]
    for b in at.download_button:
        stored = storage.get_file(b.proto.url.rsplit("/", 1)[-1])
        if "learning" in stored.filename:
            continue
        rows = list(csv.reader(io.StringIO(stored.content.decode("utf-8-sig"))))
        assert not [c for r in rows[1:] for c in r if BARE_SMALL.match(c)], stored.filename


# --- downloads, definitions, about -----------------------------------------------------------------------------------


class RecordingStorage(MemoryMediaFileStorage):
    instances: list[RecordingStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


def test_downloads_equal_the_tables_and_are_safe(app, monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = open_page(app)
    storage = RecordingStorage.instances[-1]
    buttons = at.download_button
    tables = [t.value for t in at.table]
    assert len(buttons) == len(tables) == 5  # stages, nature, outcomes, learning actions, teams
    names = set()
    for button, shown_table in zip(buttons, tables, strict=True):
        stored = storage.get_file(button.proto.url.rsplit("/", 1)[-1])
        names.add(stored.filename)
        rows = list(csv.reader(io.StringIO(stored.content.decode("utf-8-sig"))))
        assert rows[0] == list(shown_table.columns)
        unquoted = [[c[1:] if c.startswith("'") else c for c in r] for r in rows[1:]]
        escaped = {"Team", "Service", "Learning action", "Nature of complaint"}  # the screen escapes Markdown
        unquoted = [
            [monthly.md_escape(c) if h in escaped else c for h, c in zip(rows[0], r, strict=True)] for r in unquoted
        ]
        assert unquoted == shown_table.astype(str).values.tolist()
        for cells in rows:
            for c in cells:
                assert not c.startswith(("=", "+", "-", "@")), c
    assert names == {
        "complaints_stages_845_2024-25_Q3.csv",
        "complaints_nature_845_2024-25_Q3.csv",
        "complaints_outcomes_845_2024-25_Q3.csv",
        "complaints_learning_actions_845_open.csv",
        "complaints_teams_845_2024-25_Q3.csv",
    }


def test_definitions_are_one_click_away(app, warehouse):
    at = open_page(app)
    cat = catalogue(warehouse)
    text = "\n".join(m.value for p in at.get("popover") for m in p.markdown)
    for indicator_id in [*HEADLINES, *complaints.RECEIVED.values(), *complaints.WITHIN_TIMESCALE.values()]:
        assert cat[indicator_id]["definition"] in text, indicator_id
    assert "**Delay:** Complaints whose stage 1 started during the period and whose nature is 'Delay'." in text


def test_about_this_data(app):
    text = all_text(open_page(app))
    assert "East Sussex, 2024-25 Q3 (1 October 2024 to 31 December 2024)" in text
    assert "the register loaded is as at 31 December 2024" in text
    assert "warehouse built 7 January 2025 at 08:00" in text
    assert f"counts under 5 are shown as “{FEWER}”" in text


# --- hostile or unknown values in the web address ------------------------------------------------------------------

HOSTILE = ["' OR 1=1 --", "../../etc/passwd", "<script>alert(1)</script>", "2030-31 Q1", "2024-25 Q5", "9" * 5000]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_or_unknown_quarter_falls_back_politely(app, warehouse, hostile):
    at = open_page(app, quarter=hostile)
    assert at.selectbox(key=QUARTER_KEY).value == LATEST_QUARTER
    notes = [i.value for i in at.info]
    assert any("quarter in the web address was not recognised" in n for n in notes), notes
    assert not any(hostile.strip() in n for n in notes)
    assert at.query_params["quarter"] == LATEST_QUARTER
    assert metrics(at)["Stage 1 complaints received"].value == "17"
    assert lookup(warehouse, "complaints_stage1_received", LATEST_QUARTER)["value"] == 17  # nothing harmed


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", "845' OR '1'='1", "../../etc/passwd", "999"])
def test_hostile_or_unknown_authority_falls_back_politely(app, hostile):
    at = open_page(app, la=hostile, quarter=PREVIOUS_QUARTER)
    notes = [i.value for i in at.info]
    assert any("authority in the web address was not recognised" in n for n in notes), notes
    assert at.query_params["la"] == LA
    assert at.selectbox(key=QUARTER_KEY).value == PREVIOUS_QUARTER


# --- empty states ----------------------------------------------------------------------------------------------


def test_no_complaints_data_loaded(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", complaints=False)
    at = open_page(fresh_app(path, monkeypatch))
    assert any("No complaints data has been loaded yet" in i.value for i in at.info)
    assert not at.metric and not at.table


def test_a_build_without_any_complaints_measures(tmp_path, monkeypatch):
    path = write_cscmt_warehouse(tmp_path / "warehouse.duckdb")
    at = open_page(fresh_app(path, monkeypatch))
    assert any("No complaints data has been loaded yet" in i.value for i in at.info)


def test_a_build_without_the_register(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", complaints_mart=False)
    at = open_page(fresh_app(path, monkeypatch))
    notes = [i.value for i in at.info]
    assert any("Outcomes of complaints are not available in this build" in n for n in notes), notes
    assert any("Learning actions are not available in this build" in n for n in notes), notes
    tiles = metrics(at)
    assert tiles["Stage 1 complaints received"].value == "17"  # the rest still works
    # with no outcomes table beside it, the share upheld gives nothing away, so it is shown
    assert tiles["Upheld or partly upheld at stage 1"].value == "57.9%"


def test_missing_warehouse_gives_a_polite_message(tmp_path, monkeypatch):
    at = open_page(fresh_app(tmp_path / "not-built-yet.duckdb", monkeypatch))
    assert any("There is no data to show yet" in i.value for i in at.info)


# --- pure helpers -----------------------------------------------------------------------------------------------


def test_match_quarter():
    labels = [LATEST_QUARTER, PREVIOUS_QUARTER]
    assert complaints.match_quarter("2024-25+q3", labels) == LATEST_QUARTER
    assert complaints.match_quarter("2024-25 Q1", labels) is None
    for hostile in HOSTILE:
        assert complaints.match_quarter(hostile, labels) is None


def test_action_status():
    as_at = dt.date(2024, 12, 31)
    due = {"learning_action_status": "open", "learning_action_due_date": dt.date(2024, 12, 30)}
    assert complaints.action_status(due, as_at) == complaints.OVERDUE
    assert complaints.action_status(due | {"learning_action_due_date": as_at}, as_at) == complaints.OPEN
    assert complaints.action_status({"learning_action_status": "open"}, as_at) == complaints.OPEN_NO_DATE
    done = due | {"learning_action_status": "completed", "learning_action_completed_date": dt.date(2024, 12, 1)}
    assert complaints.action_status(done, as_at) == complaints.COMPLETED


def test_a_total_hidden_elsewhere_cannot_be_recovered_from_a_breakdown():
    counts, hidden = complaints.protect({"a": 9.0, "b": 8.0}, 17.0, total_hidden=True)
    assert hidden & {"a", "b"}  # else a + b = the hidden total
    counts, hidden = complaints.protect({"a": 9.0, "b": 8.0}, 17.0)
    assert not hidden
    counts, hidden = complaints.protect({"a": 9.0, "b": 8.0}, 19.0, rest_label="Not recorded")
    assert counts[complaints.NOT_RECORDED] == 2.0
    assert {complaints.NOT_RECORDED, "b"} <= hidden
    assert disclosure.is_small(counts[complaints.NOT_RECORDED])


def test_a_stage_with_a_small_outcome_shows_none_of_its_outcomes():
    by_stage = complaints.outcomes(
        pl.DataFrame({"stage": [1] * 4 + [2, 2], "outcome": [*complaints.OUTCOMES, "upheld", "not_upheld"],
                      "responses": [6, 5, 8, 2, 5, 7]})
    )
    # Stage 1: withdrawn is 2, so every outcome goes and only the 21 responses stay. Stage 2: nothing small.
    assert by_stage[1].hidden == set(by_stage[1].parts)
    assert by_stage[1].count_text(complaints.TOTAL) == "21"
    assert not by_stage[2].hidden
    assert by_stage[2].count_text("upheld") == "5"
