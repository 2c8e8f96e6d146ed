"""AppTest for the Audits and learning page, against the hand-made warehouse in qa_fixtures.

The page is reached through `app/streamlit_app.py` and `st.navigation`. Tiles, tables, charts' data as sent to the
browser and downloads are read back and compared with indicator_values and `case_file_audits` read straight from
the warehouse file. Completion, follow-up and actions are shown in full (staff practice); grades and themes obey
the small-number rules; no worker or child pseudonym may appear anywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest
from cscmt_fixtures import write_warehouse as write_cscmt_warehouse
from qa_fixtures import (
    CHILD_PREFIX,
    FIRST_QUARTER,
    HOSTILE_ACTION,
    LA,
    LATEST_QUARTER,
    NORTH,
    OTHER_ACTION,
    OTHER_AUDIT,
    OVERDUE_AUDIT,
    PREVIOUS_QUARTER,
    SERVICE,
    SOUTH,
    TEAM_NAMES,
    WORKER_PREFIX,
    catalogue,
    lookup,
    pseudonyms,
    write_warehouse,
)
from streamlit import dataframe_util
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app import audits, monthly

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PAGE = "views/audits.py"
QUARTER_KEY = "audits_quarter"
SUPPRESSED = "suppressed (small numbers)"
FEWER = "fewer than 5"
NORTH_NAME, SOUTH_NAME = TEAM_NAMES[NORTH], TEAM_NAMES[SOUTH]
TILES = {
    audits.COMPLETED: "Audits completed",
    audits.COMPLETION: "Completion",
    audits.GOOD_OR_BETTER: "Good or better",
    audits.FOLLOW_UP: "Follow-up compliance",
    audits.ACTIONS_OVERDUE: "Actions overdue",
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
    """Open the page with these query parameters, as a link to /audits?... would."""
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Audits and learning"
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


def has_table(at: AppTest, column: str) -> bool:
    return any(column in t.value.columns for t in at.table)


def metrics(at: AppTest) -> dict[str, object]:
    return {m.label: m for m in at.metric}


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [h.value for h in at.header] + [s.value for s in at.subheader]
    return "\n".join(parts)


def chart_frames(chart) -> list[pd.DataFrame]:
    return [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]


def chart_with(at: AppTest, *columns: str) -> pd.DataFrame:
    for chart in at.get("vega_lite_chart"):
        for frame in chart_frames(chart):
            if all(c in frame.columns for c in columns):
                return frame
    raise AssertionError(f"no chart data with {columns!r}")


def grade_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Service", "Audits graded").set_index("Team")


def completion_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Service", "Against target").set_index("Team")


def follow_up_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Audit reference", "Re-reviewed")


def actions_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Team", "Action")


class RecordingStorage(MemoryMediaFileStorage):
    instances: list[RecordingStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


@pytest.fixture
def recording(monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)


def downloads(at: AppTest) -> dict[str, list[list[str]]]:
    storage = RecordingStorage.instances[-1]
    out = {}
    for b in at.download_button:
        stored = storage.get_file(b.proto.url.rsplit("/", 1)[-1])
        out[stored.filename] = list(csv.reader(io.StringIO(stored.content.decode("utf-8-sig"))))
    return out


def mart(path: Path, sql: str, params: list) -> list[dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rel = con.sql(sql, params=params)
        return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.close()


# --- the rules, stated independently of the app ---------------------------------------------------------------


def in_full(unit: str, row: dict | None) -> str:
    if row is None or row["value"] is None:
        return "not available"
    return f"{round(row['value']):,}" if unit == "count" else f"{row['value']:,.1f}%"


def suppressed_share(row: dict | None) -> str:
    if row is None:
        return "not available"
    if row["numerator"] < 5 or row["denominator"] < 5:
        return SUPPRESSED
    return f"{row['value']:,.1f}%"


# --- choosing the quarter -------------------------------------------------------------------------------------


def test_default_is_the_latest_quarter_and_the_url_keeps_the_choice(app):
    at = open_page(app)
    q = at.selectbox(key=QUARTER_KEY)
    assert q.value == LATEST_QUARTER
    assert q.options == [LATEST_QUARTER, PREVIOUS_QUARTER, FIRST_QUARTER]
    assert at.query_params["quarter"] == LATEST_QUARTER
    assert at.query_params["la"] == LA


@pytest.mark.parametrize("given", ["2024-25 Q2", "2024-25+Q2", "2024-25_q2", " 2024-25   Q2 "])
def test_quarter_from_the_url(app, given):
    at = open_page(app, quarter=given)
    assert at.selectbox(key=QUARTER_KEY).value == PREVIOUS_QUARTER
    assert at.query_params["quarter"] == PREVIOUS_QUARTER
    assert not any("not recognised" in i.value for i in at.info)
    assert metrics(at)[TILES[audits.COMPLETED]].value == "9"


def test_quarter_chosen_with_the_selectbox(app):
    at = open_page(app)
    at.selectbox(key=QUARTER_KEY).select(FIRST_QUARTER)
    rerun(at)
    assert at.query_params["quarter"] == FIRST_QUARTER
    assert metrics(at)[TILES[audits.COMPLETED]].value == "6"
    assert table(at, "Month")["Month"].tolist() == ["Apr 2024", "May 2024", "Jun 2024"]


# --- headlines --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [LATEST_QUARTER, PREVIOUS_QUARTER, FIRST_QUARTER])
def test_tiles_equal_indicator_values(app, warehouse, label):
    at = open_page(app, quarter=label)
    tiles = metrics(at)
    for indicator_id, tile_label in TILES.items():
        row = lookup(warehouse, indicator_id, label)
        if indicator_id == audits.GOOD_OR_BETTER:  # about what audits found: the small-number rules
            expected = suppressed_share(row)
        else:  # about staff practice: in full
            expected = in_full(catalogue(warehouse)[indicator_id]["unit"], row)
        assert tiles[tile_label].value == expected, (indicator_id, label)
    required = lookup(warehouse, audits.REQUIRED, label)
    assert f"audits of every kind; the framework required {round(required['value'])} (see Completion)" in [
        c.value for c in at.caption]


def test_tiles_by_eye_for_the_latest_quarter(app):
    at = open_page(app)
    tiles = metrics(at)
    assert {label: m.value for label, m in tiles.items()} == {
        "Audits completed": "12",
        "Completion": "80.0%",
        "Good or better": "66.7%",
        "Follow-up compliance": "not available",  # no concern of Q3 has reached its three months
        "Actions overdue": "3",  # a small count, but about staff practice: shown in full
    }
    assert tiles["Audits completed"].delta == "+3"
    assert tiles["Completion"].delta == "+20.0 points"
    assert tiles["Good or better"].delta == "-11.1 points"  # from 7/9
    assert tiles["Actions overdue"].delta == "+1"
    assert "audits of every kind; the framework required 15 (see Completion)" in [c.value for c in at.caption]
    assert "Target 90.0% :orange-badge[Close to target]" in [m.value for m in at.markdown]
    assert any("No significant concern of 2024-25 Q3 had reached its three months" in c.value for c in at.caption)


def test_follow_up_tile_for_a_quarter_whose_months_have_passed(app):
    tiles = metrics(open_page(app, quarter=PREVIOUS_QUARTER))
    assert tiles["Follow-up compliance"].value == "50.0%"  # 1 of 2: shown in full
    assert tiles["Actions overdue"].value == "2"


# --- months, completion --------------------------------------------------------------------------------------


def test_months_inside_the_quarter(app, warehouse):
    t = table(open_page(app), "Month").set_index("Month")
    assert list(t.index) == ["Oct 2024", "Nov 2024", "Dec 2024"]
    assert t["Audits completed"].tolist() == ["4", "3", "5"]
    assert t["Completion"].tolist() == ["80.0%", "60.0%", "100.0%"]
    assert t["Actions overdue at the month end"].tolist() == ["1", "1", "3"]
    for label in t.index:
        for column, indicator_id, unit in (
            ("Audits required", audits.REQUIRED, "count"),
            ("Completion", audits.COMPLETION, "percent"),
            ("Actions open at the month end", audits.ACTIONS_OPEN, "count"),
        ):
            assert t.loc[label, column] == in_full(unit, lookup(warehouse, indicator_id, label))


def test_completion_by_team_equals_indicator_values(app, warehouse):
    at = open_page(app)
    t = completion_table(at)
    assert list(t.index) == ["Whole authority", "Whole service", NORTH_NAME, SOUTH_NAME]
    for team, (level, org_id) in {
        "Whole authority": ("la", LA),
        "Whole service": ("service", SERVICE),
        NORTH_NAME: ("team", NORTH),
        SOUTH_NAME: ("team", SOUTH),
    }.items():
        for column, indicator_id, unit in (
            ("Audits completed", audits.COMPLETED, "count"),
            ("Audits required", audits.REQUIRED, "count"),
            ("Completion", audits.COMPLETION, "percent"),
        ):
            row = lookup(warehouse, indicator_id, LATEST_QUARTER, org_level=level, org_id=org_id)
            assert t.loc[team, column] == in_full(unit, row), (team, column)
    assert t.loc[NORTH_NAME, "Completion"] == "88.9%"
    assert t.loc[NORTH_NAME, "Against target"] == "🟠 Close to target"
    assert t.loc[SOUTH_NAME, "Audits completed"] == "4"  # small, but in full: staff practice
    assert t.loc[SOUTH_NAME, "Against target"] == "🔴 Off target"
    assert t.loc["Whole authority", "Target"] == "90.0%"
    frame = chart_with(at, "status", "level").set_index("label")
    assert frame.loc[NORTH_NAME, "value"] == pytest.approx(800 / 9)
    assert frame.loc[SOUTH_NAME, "status"] == "Off target"
    assert frame.loc["East Sussex", "level"] == "Authority"
    assert frame["value"].dtype == "float64"


# --- grades and themes: small numbers --------------------------------------------------------------------------


def test_grade_mix_with_secondary_suppression(app):
    at = open_page(app)
    t = grade_table(at)
    assert list(t.index) == ["Whole authority", "Whole service", NORTH_NAME, SOUTH_NAME]
    # Q3: the authority good 8; North good 6, South good 2. South's 2 is hidden, so North's 6 goes with it (teams
    # add up to the authority). The audits graded are shown in full.
    assert t.loc["Whole authority", "Good"] == "8"
    assert t.loc["Whole service", "Good"] == "8"
    assert t.loc[SOUTH_NAME, "Good"] == FEWER
    assert t.loc[NORTH_NAME, "Good"] == SUPPRESSED
    assert t["Audits graded"].tolist() == ["12", "12", "8", "4"]
    assert t.loc["Whole authority", "Good or better"] == "66.7%"
    assert t.loc[NORTH_NAME, "Good or better"] == SUPPRESSED  # 6/8, but South's 2 of 4 could be worked out
    assert t.loc[SOUTH_NAME, "Good or better"] == SUPPRESSED
    for grade in ("Outstanding", "Requires improvement", "Inadequate"):
        assert set(t[grade]) == {FEWER}
    # every team's grade is hidden, so there is no bar to draw: no empty chart, a note instead
    assert not any("total_text" in f.columns for c in at.get("vega_lite_chart") for f in chart_frames(c))
    assert "No team's grades can be drawn without giving a small number away" in all_text(at)


def test_a_grade_that_good_or_better_would_give_away_is_hidden(app):
    # Q2: the authority outstanding 1, good 6, of 9 graded: 77.8% good or better (7) is shown, so good (6) would
    # give the outstanding 1 away.
    t = grade_table(open_page(app, quarter=PREVIOUS_QUARTER))
    assert t.loc["Whole authority", "Good or better"] == "77.8%"
    assert t.loc["Whole authority", "Outstanding"] == FEWER
    assert t.loc["Whole authority", "Good"] == SUPPRESSED
    assert t.loc["Whole authority", "Audits graded"] == "9"


def test_themes_ranked_with_hidden_ones_last(app, warehouse):
    at = open_page(app)
    t = table(at, "Rank", "Theme")
    assert t.iloc[0].tolist() == ["1", "Recording", "8", "66.7%"]
    assert t.iloc[1].tolist() == ["2", "Risk assessment", "7", "58.3%"]
    hidden = t.iloc[2:]
    assert hidden["Theme"].tolist() == sorted(hidden["Theme"].tolist())  # by name: the order gives nothing away
    assert set(hidden["Rank"]) == {""}
    assert set(hidden["Audits finding it"]) == {FEWER}
    assert set(hidden["Share of audits"]) == {SUPPRESSED}
    for _, row in t.iterrows():
        code = next(c for c, label in _theme_labels(warehouse).items() if label == row["Theme"])
        assert row["Share of audits"] == suppressed_share(lookup(warehouse, f"audits_theme_{code}_pct", LATEST_QUARTER))


def _theme_labels(warehouse: Path) -> dict[str, str]:
    return {
        i.removeprefix("audits_theme_").removesuffix("_pct"): r["breakdown_label"]
        for i, r in catalogue(warehouse).items()
        if r["indicator_group"] == "audit_themes"
    }


def test_theme_trend_over_the_quarters(app):
    at = open_page(app)
    frame = chart_with(at, "series", "quarter", "value_text")
    recording = frame[frame["series"] == "Recording"].set_index("quarter")
    assert recording["value"].tolist()[1:] == pytest.approx([700 / 9, 800 / 12])
    assert pd.isna(recording.loc[FIRST_QUARTER, "value"])  # 3 of 6: hidden, not drawn
    assert recording.loc[FIRST_QUARTER, "value_text"] == SUPPRESSED
    assert frame["quarter"].unique().tolist() == [FIRST_QUARTER, PREVIOUS_QUARTER, LATEST_QUARTER]
    # only themes with a share shown in some quarter are drawn; the table behind the chart lists them all
    assert set(frame["series"]) == {"Recording", "Risk assessment", "Plans and reviews"}
    trend = table(at, "Theme", LATEST_QUARTER).set_index("Theme")
    assert len(trend) == 11
    assert trend.loc["Plans and reviews", PREVIOUS_QUARTER] == "77.8%"
    assert trend.loc["Plans and reviews", LATEST_QUARTER] == SUPPRESSED


BARE_SMALL = re.compile(r"^\s*[0-4](\.0)?\s*$")


@pytest.mark.parametrize("label", [LATEST_QUARTER, PREVIOUS_QUARTER, FIRST_QUARTER])
def test_no_small_count_in_grade_or_theme_tables_charts_or_downloads(app, recording, label):
    at = open_page(app, quarter=label)
    for column in ("Audits graded", "Audits finding it"):
        if not has_table(at, column):
            continue
        t = next(t.value for t in at.table if column in t.value.columns)
        cells = [(c, v) for c in t.columns if c not in ("Rank", "Audits graded") for v in t[c] if BARE_SMALL.match(v)]
        assert not cells, cells
    for chart in at.get("vega_lite_chart"):
        for frame in chart_frames(chart):
            if "value_text" in frame.columns and "value" in frame.columns:
                assert not frame[frame["value"].notna()]["value_text"].isin([FEWER, SUPPRESSED]).any()
                assert not [v for v in frame["value_text"] if BARE_SMALL.match(v)]
    for name, rows in downloads(at).items():
        if not name.startswith(("audits_grades", "audits_themes", "audits_theme_trend")):
            continue
        header = rows[0]
        skip = {header.index(c) for c in ("Rank", "Audits graded") if c in header}
        assert not [c for r in rows[1:] for n, c in enumerate(r) if n not in skip and BARE_SMALL.match(c)], name


# --- follow-up and actions -------------------------------------------------------------------------------------


def test_incomplete_follow_up_lists_exactly_the_non_compliant_audit(app, warehouse):
    at = open_page(app, quarter=PREVIOUS_QUARTER)
    t = follow_up_table(at)
    assert t["Audit reference"].tolist() == [OVERDUE_AUDIT]
    row = t.iloc[0]
    assert row["Team"] == NORTH_NAME
    assert row["Audit date"] == "15 July 2024"
    assert row["Follow-up audits"] == "1 of 2"
    assert row["Re-reviewed"] == "No"
    assert row["Due by"] == "15 October 2024"
    assert row["Status"] == audits.OVERDUE
    # the mart, read independently: the one significant-concern audit of Q2 not followed up
    rows = mart(
        warehouse,
        "select audit_reference from case_file_audits where la_code = ? and significant_concerns "
        "and audit_date between ? and ? and follow_up_compliant is not true",
        [LA, dt.date(2024, 7, 1), dt.date(2024, 9, 30)],
    )
    assert [r["audit_reference"] for r in rows] == [OVERDUE_AUDIT]


def test_follow_ups_still_running_are_in_progress(app):
    t = follow_up_table(open_page(app))
    assert t["Audit reference"].tolist() == ["AUD-2024-021", "AUD-2024-027"]
    assert set(t["Status"]) == {audits.IN_PROGRESS}
    assert t["Due by"].tolist() == ["20 February 2025", "11 March 2025"]


def test_a_quarter_with_every_concern_followed_up(app):
    at = open_page(app, quarter=FIRST_QUARTER)
    assert not has_table(at, "Re-reviewed")
    assert "_Every significant-concern audit of 2024-25 Q1 has been followed up in full._" in [
        m.value for m in at.markdown
    ]


def test_actions_by_team_and_the_overdue_list(app, warehouse):
    at = open_page(app)
    counts = table(at, "Service", "Actions overdue").set_index("Team")
    for team, (level, org_id) in {
        "Whole authority": ("la", LA),
        NORTH_NAME: ("team", NORTH),
        SOUTH_NAME: ("team", SOUTH),
    }.items():
        for column, indicator_id in (
            ("Actions open", audits.ACTIONS_OPEN),
            ("Actions overdue", audits.ACTIONS_OVERDUE),
        ):
            row = lookup(warehouse, indicator_id, LATEST_QUARTER, org_level=level, org_id=org_id)
            assert counts.loc[team, column] == in_full("count", row)
    assert counts.loc[SOUTH_NAME, "Actions overdue"] == "1"
    t = actions_table(at)
    days = "Days overdue on 31 December 2024"
    assert t[["Team", "Audit reference", "Due", days]].values.tolist() == [
        [NORTH_NAME, OVERDUE_AUDIT, "31 August 2024", "122"],
        [NORTH_NAME, OVERDUE_AUDIT, "30 November 2024", "31"],
        [SOUTH_NAME, "AUD-2024-026", "15 December 2024", "16"],
    ]
    # the list agrees with the counts, team by team
    assert (t["Team"] == NORTH_NAME).sum() == int(counts.loc[NORTH_NAME, "Actions overdue"])
    assert (t["Team"] == SOUTH_NAME).sum() == int(counts.loc[SOUTH_NAME, "Actions overdue"])
    assert "1 further action is open and not yet due." in [c.value for c in at.caption]
    assert OTHER_ACTION not in all_text(at) + t.to_csv() and OTHER_AUDIT not in t.to_csv()


def test_overdue_actions_follow_the_quarter(app):
    t = actions_table(open_page(app, quarter=PREVIOUS_QUARTER))
    days = "Days overdue on 30 September 2024"
    assert t[["Team", "Audit reference", days]].values.tolist() == [
        [NORTH_NAME, OVERDUE_AUDIT, "30"],
        [SOUTH_NAME, "AUD-2024-013", "15"],  # completed on 5 October: still overdue at the quarter's end
    ]


def test_actions_read_from_an_actions_mart(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", actions="mart")
    t = actions_table(open_page(fresh_app(path, monkeypatch)))
    assert t["Audit reference"].tolist() == [OVERDUE_AUDIT, OVERDUE_AUDIT, "AUD-2024-026"]


def test_action_text_is_inert_on_screen_and_safe_in_the_download(app, recording):
    at = open_page(app)
    assert monthly.md_escape(HOSTILE_ACTION) in actions_table(at)["Action"].tolist()
    rows = downloads(at)["audits_actions_overdue_845_2024-25_Q3.csv"]
    action = rows[0].index("Action")
    assert ["'" + HOSTILE_ACTION] == [r[action] for r in rows[1:] if "HYPERLINK" in r[action]]


# --- privacy, downloads, definitions, about --------------------------------------------------------------------


@pytest.mark.parametrize("label", [LATEST_QUARTER, PREVIOUS_QUARTER, FIRST_QUARTER])
def test_no_worker_or_child_id_anywhere(app, warehouse, recording, label):
    at = open_page(app, quarter=label)
    ids = pseudonyms(warehouse)
    assert ids and all(i.startswith((WORKER_PREFIX, CHILD_PREFIX)) for i in ids)
    text = all_text(at) + "".join(t.value.to_csv() for t in at.table)
    text += "".join(m.value for m in at.metric) + "".join(c.value for c in at.caption)
    for chart in at.get("vega_lite_chart"):
        text += "".join(f.to_csv() for f in chart_frames(chart))
    text += "".join(",".join(c for r in rows for c in r) for rows in downloads(at).values())
    assert WORKER_PREFIX not in text and CHILD_PREFIX not in text
    for t in at.table:
        assert not {"worker_id", "child_id", "Worker", "Child"} & set(t.value.columns)


def test_downloads_equal_the_tables_and_are_safe(app, recording):
    at = open_page(app)
    files = downloads(at)
    shown = [t.value for t in at.table]
    # months, completion, grades, themes over time, themes ranked, follow-up, actions by team, actions overdue
    assert len(files) == len(shown) == 8
    assert set(files) == {
        "audits_months_845_2024-25_Q3.csv",
        "audits_completion_845_2024-25_Q3.csv",
        "audits_grades_845_2024-25_Q3.csv",
        "audits_theme_trend_845_2024-25_Q3.csv",
        "audits_themes_845_2024-25_Q3.csv",
        "audits_follow_up_845_2024-25_Q3.csv",
        "audits_actions_by_team_845_2024-25_Q3.csv",
        "audits_actions_overdue_845_2024-25_Q3.csv",
    }
    escaped = {"Service", "Team", "Audit reference", "Action", "Theme"}  # the screen escapes Markdown
    for rows, shown_table in zip(files.values(), shown, strict=True):
        assert rows[0] == list(shown_table.columns)
        unquoted = [[c[1:] if c.startswith("'") else c for c in r] for r in rows[1:]]
        unquoted = [
            [monthly.md_escape(c) if h in escaped else c for h, c in zip(rows[0], r, strict=True)] for r in unquoted
        ]
        assert unquoted == shown_table.astype(str).values.tolist()
        for cells in rows:
            for c in cells:
                assert not c.startswith(("=", "+", "-", "@")), c


def test_definitions_are_one_click_away(app, warehouse):
    at = open_page(app)
    cat = catalogue(warehouse)
    text = "\n".join(m.value for p in at.get("popover") for m in p.markdown)
    for indicator_id in [*TILES, audits.REQUIRED, audits.ACTIONS_OPEN, *audits.GRADE_IDS.values()]:
        assert cat[indicator_id]["definition"] in text, indicator_id
    assert "Share of the audits in the period that found the theme 'Recording'." in text


def test_about_this_data(app):
    text = all_text(open_page(app))
    assert "East Sussex, 2024-25 Q3 (1 October 2024 to 31 December 2024)" in text
    assert "the audits file loaded is as at 31 December 2024 (loaded 7 January 2025 at 07:45)" in text
    assert "warehouse built 7 January 2025 at 08:00" in text
    assert "about staff practice, not children, so they are shown in full" in text
    assert f"counts under 5 are shown as “{FEWER}”" in text


# --- hostile or unknown values in the web address -------------------------------------------------------------

HOSTILE = ["' OR 1=1 --", "../../etc/passwd", "<script>alert(1)</script>", "2030-31 Q1", "2024-25 Q5", "9" * 5000]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_or_unknown_quarter_falls_back_politely(app, warehouse, hostile):
    at = open_page(app, quarter=hostile)
    assert at.selectbox(key=QUARTER_KEY).value == LATEST_QUARTER
    notes = [i.value for i in at.info]
    assert any("quarter in the web address was not recognised" in n for n in notes), notes
    assert not any(hostile.strip() in n for n in notes)
    assert at.query_params["quarter"] == LATEST_QUARTER
    assert metrics(at)["Audits completed"].value == "12"
    assert lookup(warehouse, audits.COMPLETED, LATEST_QUARTER)["value"] == 12  # nothing harmed


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", "845' OR '1'='1", "../../etc/passwd", "999"])
def test_hostile_or_unknown_authority_falls_back_politely(app, hostile):
    at = open_page(app, la=hostile, quarter=PREVIOUS_QUARTER)
    notes = [i.value for i in at.info]
    assert any("authority in the web address was not recognised" in n for n in notes), notes
    assert at.query_params["la"] == LA
    assert at.selectbox(key=QUARTER_KEY).value == PREVIOUS_QUARTER


# --- empty states ----------------------------------------------------------------------------------------------


def test_no_audits_loaded(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", audits=False)
    at = open_page(fresh_app(path, monkeypatch))
    assert any("No case-file audits have been loaded yet" in i.value for i in at.info)
    assert not at.metric and not at.table


def test_a_build_without_any_audit_measures(tmp_path, monkeypatch):
    path = write_cscmt_warehouse(tmp_path / "warehouse.duckdb")
    at = open_page(fresh_app(path, monkeypatch))
    assert any("No case-file audits have been loaded yet" in i.value for i in at.info)


def test_a_build_without_the_audits_mart(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", audits_mart=False)
    at = open_page(fresh_app(path, monkeypatch))
    notes = [i.value for i in at.info]
    assert any("Audits awaiting follow-up are not available in this build" in n for n in notes), notes
    assert any("Lists of actions are not available in this build" in n for n in notes), notes
    assert metrics(at)["Audits completed"].value == "12"  # the rest still works
    assert grade_table(at).loc["Whole authority", "Good"] == "8"


def test_a_build_without_the_actions(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", actions=None)
    at = open_page(fresh_app(path, monkeypatch))
    assert any("Lists of actions are not available in this build" in i.value for i in at.info)
    assert follow_up_table(at)["Audit reference"].tolist() == ["AUD-2024-021", "AUD-2024-027"]


def test_missing_warehouse_gives_a_polite_message(tmp_path, monkeypatch):
    at = open_page(fresh_app(tmp_path / "not-built-yet.duckdb", monkeypatch))
    assert any("There is no data to show yet" in i.value for i in at.info)


# --- pure helpers ------------------------------------------------------------------------------------------------


def _values(rows: list[tuple[str, str, str, float, float | None]]) -> monthly.MonthlyValues:
    start = dt.date(2024, 10, 1)
    frame = pl.DataFrame(
        [
            {
                "indicator_id": i,
                "period_start": start,
                "org_level": level,
                "org_id": org,
                "numerator": n,
                "denominator": d,
                "value": n if d is None else n / d * 100,
            }
            for i, level, org, n, d in rows
        ]
    )
    units = pl.DataFrame(
        {"la_code": ["845"] * 4, "org_level": ["la", "service", "team", "team"], "org_id": ["845", "S", "A", "B"],
         "org_name": ["LA", "Service", "A", "B"], "parent_id": [None, "845", "S", "S"], "is_mapped": [True] * 4}
    )  # fmt: skip
    orgs = monthly.OrgUnits(units, "845", "LA", ["A", "B"])
    return monthly.MonthlyValues(frame, {i: "count" for i in audits.GRADE_IDS.values()}, orgs)


def test_grade_mix_protects_across_grades_and_teams():
    grades = {"A": (0, 9, 6, 0), "B": (0, 7, 0, 2)}  # outstanding, good, requires improvement, inadequate
    rows = []
    for team, counts in grades.items():
        for g, n in zip(audits.GRADES, counts, strict=True):
            rows.append((audits.GRADE_IDS[g], "team", team, float(n), None))
    for n, g in enumerate(audits.GRADES):
        total = float(sum(c[n] for c in grades.values()))
        rows += [(audits.GRADE_IDS[g], "service", "S", total, None), (audits.GRADE_IDS[g], "la", "845", total, None)]
    rows += [(audits.GOOD_OR_BETTER, "team", "A", 9.0, 15.0), (audits.GOOD_OR_BETTER, "team", "B", 7.0, 9.0)]
    rows += [(audits.GOOD_OR_BETTER, level, org, 16.0, 24.0) for level, org in (("service", "S"), ("la", "845"))]
    mix = audits.GradeMix(_values(rows), dt.date(2024, 10, 1))
    table = audits.grade_table(mix).to_pandas().set_index("Team")
    # B's inadequate 2 is small. B's audits graded (9) and good or better (7 of 9) are shown, so:
    # - a second of B's grades goes (the smallest shown one, outstanding 0: "fewer than 5" in any case);
    # - with outstanding hidden, good = good or better - outstanding would give it away: good goes;
    # - requires improvement = 9 - 7 - inadequate would give inadequate away: it goes too.
    assert table.loc["B"].tolist()[1:] == [FEWER, SUPPRESSED, FEWER, FEWER, "9", "77.8%"]
    # The authority likewise (inadequate 2, so outstanding, good and requires improvement go), while team A, whose
    # grades need no protection of their own, keeps its good 9 and requires improvement 6.
    assert table.loc["A"].tolist()[1:] == [FEWER, "9", "6", FEWER, "15", "60.0%"]
    assert table.loc["Whole authority"].tolist()[1:] == [FEWER, SUPPRESSED, SUPPRESSED, FEWER, "24", "66.7%"]
    # Every sum a reader can form holds two hidden cells: B's outstanding and good make 7, the other two 2.
    assert mix.is_hidden("inadequate", ("team", "B")) and mix.is_hidden("requires_improvement", ("team", "B"))
    frame = audits.grade_frame(mix).to_pandas()
    bars = frame.set_index(["label", "category"])["value"]
    assert bars[("A", "Good")] == 9.0 and bars[("A", "Requires improvement")] == 6.0
    assert bars[["B"]].isna().all() and pd.isna(bars[("A", "Inadequate")])  # hidden or small: not drawn


def test_follow_up_status_and_overdue_actions():
    row = {"audit_date": dt.date(2024, 11, 30), "follow_up_compliant": None}
    assert audits.follow_up_due(dt.date(2024, 11, 30)) == dt.date(2025, 2, 28)  # clipped to the month's end
    assert audits.follow_up_status(row, dt.date(2025, 2, 27)) == audits.IN_PROGRESS
    assert audits.follow_up_status(row, dt.date(2025, 2, 28)) == audits.OVERDUE
    assert audits.follow_up_status(row | {"follow_up_compliant": False}, dt.date(2024, 12, 1)) == audits.OVERDUE
    on = dt.date(2024, 12, 31)
    assert audits.is_overdue({"due_date": dt.date(2024, 12, 30), "completed_date": None}, on)
    assert not audits.is_overdue({"due_date": on, "completed_date": None}, on)  # due on the day: not yet
    assert audits.is_overdue({"due_date": dt.date(2024, 12, 1), "completed_date": dt.date(2025, 1, 2)}, on)
    assert not audits.is_overdue({"due_date": dt.date(2024, 12, 1), "completed_date": on}, on)
