"""AppTest for the CSCMT monthly performance page, against the hand-made warehouse in cscmt_fixtures.

The page is reached as a user reaches it: through `app/streamlit_app.py` and `st.navigation`, switching to
`views/cscmt.py` after the first run. Tables, charts' data as sent to the browser, text and widgets are read
back and compared with indicator_values read straight from the warehouse file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from app_fixtures import write_warehouse as write_panel_warehouse
from cscmt_fixtures import (
    BUILD_ID,
    CP1,
    CWD,
    CWD_NAME,
    HOSTILE_CHILD_ID,
    L1,
    L2,
    LA,
    LA_NAME,
    LATEST,
    MASH,
    OTHER_LA,
    PREVIOUS,
    SERVICES,
    TEAM_NAMES,
    UNMAPPED_SERVICE,
    YEAR_AGO,
    catalogue,
    exception_counts,
    exceptions,
    lookup,
    month_index,
    month_rows,
    write_warehouse,
)
from streamlit import dataframe_util
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app import access, disclosure, monthly

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PAGE = "views/cscmt.py"
SUPPRESSED = "suppressed (small numbers)"
FEWER = "fewer than 5"
NOT_SHOWN = "not shown (small numbers)"
NOT_AVAILABLE = "not available"
RAG_WORDS = {"green": "🟢 On target", "amber": "🟠 Close to target", "red": "🔴 Off target"}
DIRECTIONS = {"better": "better", "worse": "worse", "same": "no change", "up": "up", "down": "down"}
CSCMT_IDS = [  # the fixture catalogue's CSCMT audience with monthly rows, by sort_order
    "cla_at_period_end",
    "cla_rate_per_10k",
    "cla_starts",
    "cin_contacts",
    "cin_referrals",
    "cin_rereferrals_12m_pct",
    "cin_referrals_nfa_pct",
    "cin_assessments_completed",
    "cin_assessments_within_45wd_pct",
    "cin_assessments_open_over_45wd",
    "cin_s47_started",
    "cin_icpc_within_15wd_pct",
    "cp_plans_started",
    "cp_plans_at_period_end",
    "cp_rate_per_10k",
    "cp_plans_second_or_subsequent_pct",
    "cp_plans_2yrs_plus_pct",
    "cp_visits_within_standard_pct",
    "cin_open_at_period_end",
]
TEAM_IDS = [i for i in CSCMT_IDS if not i.startswith("cla_") and i != "cp_rate_per_10k"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("served") / "warehouse.duckdb")


@pytest.fixture
def app(warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    monkeypatch.delenv(access.ENV_VAR, raising=False)
    return AppTest.from_file(str(APP), default_timeout=60)


def open_page(at: AppTest, **params: str) -> AppTest:
    """Open the CSCMT page with these query parameters, as a link to /cscmt?... would."""
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "CSCMT monthly performance"
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
    raise AssertionError(f"no table starting {first_column!r}: {[list(t.value.columns)[:2] for t in at.table]}")


def performance(at: AppTest) -> pd.DataFrame:
    return table(at, "Measure", "Against target")


def heat_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Service", "Team")


def trend_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Measure", "Month")


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(parts)


def chart_frames(chart) -> list[pd.DataFrame]:
    return [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]


def chart_with(at: AppTest, column: str) -> pd.DataFrame:
    for chart in at.get("vega_lite_chart"):
        for frame in chart_frames(chart):
            if column in frame.columns:
                return frame
    raise AssertionError(f"no chart data with {column!r}")


def names(warehouse: Path) -> dict[str, str]:
    return {i: r["name"] for i, r in catalogue(warehouse).items()}


def short_names(warehouse: Path) -> dict[str, str]:
    return {i: r["short_name"] for i, r in catalogue(warehouse).items()}


# --- the rules, stated independently of the app -------------------------------------------------------------


def fmt(unit: str, value: float) -> str:
    if unit == "count":
        return f"{round(value):,}"
    if unit == "percent":
        return f"{value:,.1f}%"
    return f"{value:,.1f}"


def is_small_cell(unit: str, row: dict) -> bool:
    if unit == "count":
        return row["value"] < 5
    return row["numerator"] < 5 or row["denominator"] < 5


def shown(unit: str, row: dict | None, value: float | None = None) -> str:
    if row is None:
        return NOT_AVAILABLE
    value = row["value"] if value is None else value
    if unit == "count":
        return FEWER if value < 5 else fmt(unit, value)
    return SUPPRESSED if is_small_cell(unit, row) else fmt(unit, value)


def direction(word: str | None, now: float, before: float, hidden: bool) -> str:
    if hidden:
        return NOT_SHOWN
    if word is None:
        return ""
    text = DIRECTIONS[word]
    if text == "no change" or now == before:
        return text
    return f"{'↑' if now > before else '↓'} {text}"


def expected_performance(warehouse: Path, label: str) -> dict[str, dict[str, str]]:
    """The performance table for a month, built from indicator_values rows (authority level)."""
    cat = catalogue(warehouse)
    m = month_index(label)
    previous = formatting_month(m - 1)
    year_ago = formatting_month(m - 12)
    out = {}
    for indicator_id in CSCMT_IDS:
        unit = cat[indicator_id]["unit"]
        row = lookup(warehouse, indicator_id, label)
        before = lookup(warehouse, indicator_id, previous)
        last_year = lookup(warehouse, indicator_id, year_ago)
        hidden = is_small_cell(unit, row)
        before_hidden = before is not None and is_small_cell(unit, before)
        year_hidden = last_year is not None and is_small_cell(unit, last_year)
        out[cat[indicator_id]["name"]] = {
            label: shown(unit, row),
            "Target": fmt(unit, row["target"]) if row["target"] is not None else "",
            "Against target": (NOT_SHOWN if hidden else RAG_WORDS[row["rag"]]) if row["target"] is not None else "",
            f"{previous} (month before)": shown(unit, before, row["previous_value"]) if before else NOT_AVAILABLE,
            f"Change since {previous}": direction(
                row["direction_previous"], row["value"], row["previous_value"], hidden or before_hidden
            )
            if before
            else "",
            f"{year_ago} (a year before)": shown(unit, last_year, row["year_ago_value"])
            if last_year
            else NOT_AVAILABLE,
            f"Change since {year_ago}": direction(
                row["direction_year_ago"], row["value"], row["year_ago_value"], hidden or year_hidden
            )
            if last_year
            else "",
            "England": fmt(unit, row["england_value"]) if row["england_value"] is not None else "",
            "England figure for": f"{row['benchmark_year'] - 1}-{row['benchmark_year'] % 100:02d}"
            if row["england_value"] is not None
            else "",
        }
    return out


def formatting_month(m: int) -> str:
    start = dt.date(2023 + (9 + m) // 12, (9 + m) % 12 + 1, 1)
    return f"{start:%b %Y}"


# --- choosing the month --------------------------------------------------------------------------------------


def test_default_is_the_latest_month_and_the_url_keeps_the_choice(app):
    at = open_page(app)
    month = at.selectbox(key="cscmt_month")
    assert month.value == LATEST
    assert month.options[0] == LATEST
    assert month.options[-1] == "Oct 2023"
    assert len(month.options) == 15
    assert at.query_params["month"] == LATEST
    assert at.query_params["la"] == LA
    assert "team" not in at.query_params
    assert not [i.value for i in at.info if "web address" in i.value]


@pytest.mark.parametrize(
    "variant", ["Nov 2024", "Nov+2024", "nov 2024", "November 2024", "  NOV   2024 ", "2024-11", "Nov-2024"]
)
def test_month_spellings_in_the_url(app, variant):
    at = open_page(app, month=variant)
    assert at.selectbox(key="cscmt_month").value == PREVIOUS
    assert at.query_params["month"] == PREVIOUS
    assert not [i.value for i in at.info if "web address" in i.value]
    assert PREVIOUS in performance(at).columns


@pytest.mark.parametrize("label", [LATEST, PREVIOUS, "Oct 2024", "Mar 2024", "Oct 2023"])
def test_performance_table_matches_indicator_values(app, warehouse, label):
    at = open_page(app, month=label)
    shown_table = performance(at)
    expected = expected_performance(warehouse, label)
    assert shown_table["Measure"].tolist() == list(expected)  # catalogue order, CSCMT audience only
    for _, r in shown_table.iterrows():
        want = expected[r["Measure"]]
        for column, value in want.items():
            assert r[column] == value, (label, r["Measure"], column, r[column], value)


def test_month_chosen_with_the_selectbox(app, warehouse):
    at = open_page(app)
    at.selectbox(key="cscmt_month").select("Jun 2024")
    rerun(at)
    assert at.query_params["month"] == "Jun 2024"
    shown_table = performance(at)
    assert "Jun 2024" in shown_table.columns
    expected = expected_performance(warehouse, "Jun 2024")
    for _, r in shown_table.iterrows():
        assert r.to_dict() == {"Measure": r["Measure"], **expected[r["Measure"]]}


def test_performance_table_by_eye_for_december(app):
    at = open_page(app, month=LATEST)
    t = performance(at).set_index("Measure")
    within = t.loc["Assessments completed within 45 working days"].tolist()
    assert within == ["86.0%", "85.0%", "🟢 On target", "84.8%", "↑ better", "81.6%", "↑ better", "82.5%", "2023-24"]
    # 5 of 16 is shown (red); November's 4 of 15 is hidden, so the change since November is not shown
    second = t.loc["Plans that are a second or later plan"].tolist()
    assert second == [
        "31.2%",
        "22.0%",
        "🔴 Off target",
        SUPPRESSED,
        NOT_SHOWN,
        "31.2%",
        "no change",
        "23.6%",
        "2023-24",
    ]
    # 3 of 170: hidden, and with it the RAG and both changes (the earlier months themselves are shown)
    long_plans = t.loc["Plans lasting two years or more"].tolist()
    assert long_plans == [SUPPRESSED, "4.0%", NOT_SHOWN, "4.7%", NOT_SHOWN, "4.4%", NOT_SHOWN, "4.0%", "2023-24"]
    starts = t.loc["Children starting to be looked after"].tolist()
    assert starts == [FEWER, "", "", "53", NOT_SHOWN, "42", NOT_SHOWN, "", ""]
    open_over = t.loc["Assessments open beyond 45 working days"].tolist()  # lower is better, no target
    assert open_over == ["28", "", "", "31", "↓ better", "16", "↑ worse", "", ""]
    assert t.loc["Contacts received", "Change since Nov 2024"] == "↑ up"  # neutral: no better or worse
    assert t.loc["Children looked after per 10,000 children", "England"] == "70.0"


def test_measures_come_from_the_catalogue_audience(app, warehouse):
    at = open_page(app)
    measures = performance(at)["Measure"].tolist()
    all_names = names(warehouse)
    assert "Children placed more than 20 miles from home" not in measures  # Corporate Parenting Panel only
    assert all_names["cin_legacy_measure"] not in measures  # audience "cscmt_archive" is not "cscmt"
    assert all_names["cin_assessments_child_seen_pct"] not in measures  # team managers only
    assert "No monthly figures in the warehouse yet for: Children ceasing to be looked after" in all_text(at)
    shown_cells = {str(v) for t in at.table for v in t.value.to_numpy().ravel()}
    assert "9,999" not in shown_cells and "77" not in shown_cells  # a quarterly decoy, the retired measure


def test_adding_an_indicator_to_the_audience_shows_it_without_code_changes(tmp_path, monkeypatch):
    path = write_warehouse(
        tmp_path / "warehouse.duckdb", extra_audiences={"cin_assessments_child_seen_pct": "team_managers; cscmt"}
    )
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    monkeypatch.delenv(access.ENV_VAR, raising=False)
    at = open_page(AppTest.from_file(str(APP), default_timeout=60), month=LATEST, team=L2)
    seen = lookup(path, "cin_assessments_child_seen_pct", LATEST)
    t = performance(at)
    measures = t["Measure"].tolist()
    assert measures.index("Assessments where the child was seen") == measures.index("Assessments completed") + 1
    r = t[t["Measure"] == "Assessments where the child was seen"].iloc[0]
    assert r[LATEST] == f"{seen['value']:.1f}%" == "92.9%"  # (52 + 39) / (54 + 44)
    assert r["Against target"] == RAG_WORDS[seen["rag"]] == "🟠 Close to target"
    assert "Child seen" in heat_table(at).columns
    heat = chart_with(at, "status")
    assert "cin_assessments_child_seen_pct" in set(heat["indicator_id"])
    trend = chart_with(at, "series")
    assert "Child seen" in set(trend["measure"])
    popovers = "\n".join(m.value for p in at.get("popover") for m in p.markdown)
    assert "Assessments completed in the month in which the child was seen." in popovers


# --- suppression -------------------------------------------------------------------------------------------


SMALL = re.compile(r"^(?:\S+ )?[0-4]$")


def test_no_small_number_anywhere(app):
    for label in (LATEST, PREVIOUS, YEAR_AGO):
        at = open_page(app, month=label, team=CWD)
        for t in at.table:
            for value in t.value.astype(str).to_numpy().ravel():
                assert not SMALL.match(value), (label, list(t.value.columns)[:2], value)
        for frame in (chart_with(at, "status"), chart_with(at, "series")):
            texts = frame["value_text"].astype(str).tolist() + frame.get("label", frame["value_text"]).tolist()
            assert not any(SMALL.match(v) for v in texts), label


def test_hidden_cells_lose_their_status_and_label(app, warehouse):
    at = open_page(app, month=LATEST)
    heat = chart_with(at, "status")
    hidden = heat[heat["status"] == "Hidden (small numbers)"]
    assert len(hidden) > 0
    assert hidden["value"].isna().all()
    assert (hidden["label"] == "").all()
    assert hidden["rag"].isna().all()
    assert set(hidden["value_text"]) <= {FEWER, SUPPRESSED}
    # the unmapped team's 5 of 6 visits in time is shown, with its status (neither side is small)
    visits = heat[(heat["org_id"] == CWD) & (heat["indicator_id"] == "cp_visits_within_standard_pct")].iloc[0]
    assert visits["value_text"] == "83.3%" and visits["status"] == "Close to target"


def test_secondary_suppression_across_teams(app, warehouse):
    """A team's count is hidden when the service or authority total would give a small count away."""
    at = open_page(app, month=LATEST)
    heat = heat_table(at)
    by_team = {(r["Service"], r["Team"]): r for r in heat.to_dict("records")}
    short = short_names(warehouse)
    mash = by_team[(SERVICES["845-S1"], TEAM_NAMES[MASH])]
    front_door = by_team[(SERVICES["845-S1"], monthly.WHOLE_SERVICE)]
    cwd = by_team[(monthly.NOT_MAPPED_SERVICE, CWD_NAME)]
    la_referrals = performance(at).set_index("Measure").loc["Referrals to children's social care", LATEST]
    # 117 referrals in the authority, 3 of them to the unmapped team: MASH's 114 (and its service) would tell
    assert la_referrals == "117"
    assert cwd[short["cin_referrals"]] == FEWER
    assert mash[short["cin_referrals"]] == SUPPRESSED
    assert front_door[short["cin_referrals"]] == SUPPRESSED
    locality1 = by_team[(SERVICES["845-S2"], TEAM_NAMES[L1])]
    locality2 = by_team[(SERVICES["845-S2"], TEAM_NAMES[L2])]
    assert locality1[short["cin_assessments_open_over_45wd"]] == FEWER  # 2
    assert locality2[short["cin_assessments_open_over_45wd"]] == SUPPRESSED  # 26, would give the 2 away
    assert locality2[short["cin_assessments_within_45wd_pct"]] == "🔴 77.3%"  # percentages: own numbers only

    front_line = by_team[(SERVICES["845-S2"], monthly.WHOLE_SERVICE)]
    assert front_line[short["cin_s47_started"]] == SUPPRESSED  # 25 - 23 would give away the 2 with no team
    assert performance(at).set_index("Measure").loc["Section 47 enquiries started", LATEST] == "25"
    for label in (LATEST, PREVIOUS, YEAR_AGO, "Jun 2024"):
        if label != LATEST:
            at.selectbox(key="cscmt_month").select(label)
            rerun(at)
        assert_no_small_count_can_be_worked_out(at, warehouse, label)


def assert_no_small_count_can_be_worked_out(at: AppTest, warehouse: Path, label: str) -> None:
    """Whatever is visible, no small count can be worked out: in every sum (teams to their service, teams to the
    authority, services and teams outside any service to the authority) the unknowns are 0 or 2+. A zero shown
    as "fewer than 5" discloses nobody (as on the Panel page); what a total holds beyond its parts (events with
    no team) counts as an unknown when it is 1 to 4, and makes the sum harmless when it is 5 or more."""
    heat = chart_with(at, "status")
    cat = catalogue(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    parents = dict(con.sql("select org_id, parent_id from org_units where org_level = 'team'").fetchall())
    con.close()
    for indicator_id in TEAM_IDS:
        if cat[indicator_id]["unit"] != "count":
            continue
        la_value = lookup(warehouse, indicator_id, label)["value"]
        values = {("la", LA): la_value}
        unknown = {("la", LA): 0 < la_value < 5}
        for r in heat[heat["indicator_id"] == indicator_id].to_dict("records"):
            key = (r["org_level"], r["org_id"])
            values[key] = lookup(warehouse, indicator_id, label, org_level=key[0], org_id=key[1])["value"]
            unknown[key] = pd.isna(r["value"]) and values[key] != 0
        teams = [k for k in values if k[0] == "team"]
        services = [k for k in values if k[0] == "service"]
        loose = [t for t in teams if parents.get(t[1]) not in {s[1] for s in services}]
        sums = [(("la", LA), teams), (("la", LA), services + loose)]
        sums += [(s, [t for t in teams if parents.get(t[1]) == s[1]]) for s in services]
        for total, parts in sums:
            rest = values[total] - sum(values[p] for p in parts)
            if rest >= 5:
                continue
            hidden = unknown[total] + sum(unknown[p] for p in parts) + (0 < rest < 5)
            assert hidden != 1, (label, indicator_id, total, parts, rest)


def test_a_shown_value_and_its_direction_when_the_month_before_is_hidden(app):
    # Nov 2024: 4 of 15 second or later plans is hidden; Dec 2024 (5 of 16) shows, but not the change
    at = open_page(app, month=PREVIOUS)
    row = performance(at).set_index("Measure").loc["Plans that are a second or later plan"]
    assert row[PREVIOUS] == SUPPRESSED
    assert row["Against target"] == NOT_SHOWN
    assert row["Change since Oct 2024"] == NOT_SHOWN


# --- heat map ----------------------------------------------------------------------------------------------


def test_heat_map_data_equals_team_level_indicator_values(app, warehouse):
    at = open_page(app, month=LATEST)
    heat = chart_with(at, "status")
    assert str(heat["value"].dtype) == "float64"  # the warehouse's DECIMAL arrives as DOUBLE
    cscmt = set(CSCMT_IDS)
    for level in ("team", "service"):
        rows = [r for r in month_rows(warehouse, LATEST, org_level=level) if r["indicator_id"] in cscmt]
        cells = heat[heat["org_level"] == level]
        assert {(r["org_id"], r["indicator_id"]) for r in rows} == set(
            zip(cells["org_id"], cells["indicator_id"], strict=True)
        )
        by_key = {(r["org_id"], r["indicator_id"]): r for r in rows}
        for cell in cells.to_dict("records"):
            row = by_key[(cell["org_id"], cell["indicator_id"])]
            unit = catalogue(warehouse)[cell["indicator_id"]]["unit"]
            if pd.isna(cell["value"]):
                assert cell["status"] == "Hidden (small numbers)"
                assert cell["value_text"] in (FEWER, SUPPRESSED)
                continue
            assert cell["value"] == pytest.approx(row["value"]), cell
            assert cell["value_text"] == fmt(unit, row["value"])
            assert cell["label"] == cell["value_text"]
            if row["rag"] is None:
                assert pd.isna(cell["rag"]) and cell["status"] == "No target"
            else:
                assert cell["rag"] == row["rag"]
                assert cell["status"] == RAG_WORDS[row["rag"]].split(" ", 1)[1]
    # teams grouped by service: each service's whole-service row, then its teams; unmapped teams last
    order = heat.sort_values("team_order")[["service", "team"]].drop_duplicates().values.tolist()
    assert order == [
        [SERVICES["845-S1"], monthly.WHOLE_SERVICE],
        [SERVICES["845-S1"], TEAM_NAMES[MASH]],
        [SERVICES["845-S2"], monthly.WHOLE_SERVICE],
        [SERVICES["845-S2"], TEAM_NAMES[L1]],
        [SERVICES["845-S2"], TEAM_NAMES[L2]],
        [SERVICES["845-S2"], TEAM_NAMES[CP1]],
        [monthly.NOT_MAPPED_SERVICE, CWD_NAME],
    ]
    # authority-only measures (rates, children looked after) are not in the team heat map
    assert not {"cp_rate_per_10k", "cla_at_period_end"} & set(heat["indicator_id"])


def test_heat_map_table_equals_the_chart(app):
    at = open_page(app, month=LATEST)
    heat = chart_with(at, "status")
    t = heat_table(at)
    for cell in heat.to_dict("records"):
        row = t[(t["Service"] == cell["service"]) & (t["Team"] == cell["team"])].iloc[0]
        text = row[cell["measure"]]
        emoji = {"green": "🟢 ", "amber": "🟠 ", "red": "🔴 "}.get(cell["rag"] if isinstance(cell["rag"], str) else "")
        assert text == (emoji or "") + cell["value_text"], (cell, text)


# --- a team's trends ---------------------------------------------------------------------------------------


def test_team_from_the_url_shows_its_trends(app, warehouse):
    at = open_page(app, month=LATEST, team=L2)
    assert at.selectbox(key="cscmt_team").value == L2
    assert at.query_params["team"] == L2
    trend = chart_with(at, "series")
    team = trend[trend["series"] == TEAM_NAMES[L2]]
    cat = catalogue(warehouse)
    short = short_names(warehouse)
    expected_ids = [i for i in TEAM_IDS if lookup(warehouse, i, LATEST, org_level="team", org_id=L2)]
    assert expected_ids == [
        "cin_assessments_completed",
        "cin_assessments_within_45wd_pct",
        "cin_assessments_open_over_45wd",
        "cin_s47_started",
        "cin_open_at_period_end",
    ]
    # completed assessments and section 47s are hidden every month (the small numbers of the unmapped team and
    # of CP 1 would follow from the service total): named, not drawn
    drawn = [i for i in expected_ids if i not in ("cin_assessments_completed", "cin_s47_started")]
    assert list(dict.fromkeys(trend["measure"])) == [short[i] for i in drawn]
    assert (
        "Not drawn, because every month's figure is hidden to protect small numbers: Assessments completed; "
        "Section 47 enquiries started." in all_text(at)
    )
    assert trend[trend["indicator_id"] == "cin_assessments_within_45wd_pct"]["panel"].iloc[0] == (
        "Assessments in 45 days (%)"
    )
    for indicator_id in drawn:
        mine = team[team["indicator_id"] == indicator_id]
        assert len(mine) == 15  # Oct 2023 to Dec 2024: every month in the warehouse, up to 24
        for r in mine.to_dict("records"):
            row = lookup(warehouse, indicator_id, r["month"], org_level="team", org_id=L2)
            if pd.isna(r["value"]):
                assert r["value_text"] in (FEWER, SUPPRESSED)
            else:
                assert r["value"] == pytest.approx(row["value"])
                assert r["value_text"] == fmt(cat[indicator_id]["unit"], row["value"])
    # the authority beside percentages only; the target where there is one
    la = trend[trend["series"] == LA_NAME]
    assert set(la["indicator_id"]) == {"cin_assessments_within_45wd_pct"}
    la_dec = la[la["month"] == LATEST].iloc[0]
    assert la_dec["value"] == pytest.approx(lookup(warehouse, "cin_assessments_within_45wd_pct", LATEST)["value"])
    targets = trend[trend["series"] == "Target"]
    assert set(targets["indicator_id"]) == {"cin_assessments_within_45wd_pct"}
    assert targets[targets["month"] == LATEST]["value"].iloc[0] == 85.0
    assert targets[targets["month"] == "Mar 2024"]["value"].iloc[0] == 80.0  # the target rose in April 2024

    figures = trend_table(at)
    assert list(figures.columns) == ["Measure", "Month", TEAM_NAMES[L2], f"{LA_NAME} (whole authority)", "Target"]
    dec = figures[(figures["Measure"] == "Assessments completed within 45 working days") & (figures["Month"] == LATEST)]
    assert dec.iloc[0].tolist()[2:] == ["77.3%", "86.0%", "85.0%"]
    hidden = figures[(figures["Measure"] == "Assessments open beyond 45 working days") & (figures["Month"] == LATEST)]
    assert hidden.iloc[0][TEAM_NAMES[L2]] == SUPPRESSED  # as in the heat map
    assert figures[figures["Month"] == PREVIOUS].iloc[2][TEAM_NAMES[L2]] == "25"


@pytest.mark.parametrize("given", [CP1, CP1.lower(), "Child Protection 1", "child  protection 1"])
def test_team_spellings_in_the_url(app, given):
    at = open_page(app, team=given)
    assert at.selectbox(key="cscmt_team").value == CP1
    assert at.query_params["team"] == CP1


def test_unmapped_team_from_the_url(app):
    at = open_page(app, team=CWD)
    assert at.selectbox(key="cscmt_team").value == CWD
    trend = chart_with(at, "series")
    assert set(trend["series"]) >= {CWD_NAME}
    assert f"**{CWD_NAME}** ({monthly.NOT_MAPPED_SERVICE})" in all_text(at)


def test_team_chosen_with_the_selectbox(app):
    at = open_page(app, month=LATEST)
    team = at.selectbox(key="cscmt_team")
    assert team.value is None
    assert "Choose a team to see its figures" in all_text(at)
    assert team.options == [
        TEAM_NAMES[t] + f" ({s})"
        for t, s in [
            (MASH, SERVICES["845-S1"]),
            (L1, SERVICES["845-S2"]),
            (L2, SERVICES["845-S2"]),
            (CP1, SERVICES["845-S2"]),
            (CWD, monthly.NOT_MAPPED_SERVICE),
        ]
    ]
    team.select(CP1)
    rerun(at)
    assert at.query_params["team"] == CP1
    assert "On a plan" in set(chart_with(at, "series")["measure"])
    # the month can change and the team stays
    at.selectbox(key="cscmt_month").select("Jun 2024")
    rerun(at)
    assert at.query_params["team"] == CP1
    assert trend_table(at)["Month"].iloc[-1] == "Jun 2024"


# --- hostile or unknown values in the web address ----------------------------------------------------------

HOSTILE = [
    "' OR 1=1 --",
    "Dec 2024'; drop table indicator_values; --",
    "<script>alert(1)</script>",
    "**bold** [link](http://example.com)",
    "Dec 2030",
    "2024-13",
    "9" * 5000,
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_or_unknown_month_falls_back_politely(app, warehouse, hostile):
    at = open_page(app, la=LA, month=hostile)
    assert at.selectbox(key="cscmt_month").value == LATEST
    notes = [i.value for i in at.info]
    assert any("month in the web address was not recognised" in n for n in notes), notes
    assert not any(hostile.strip() in n for n in notes)  # never echoed back
    assert at.query_params["month"] == LATEST
    assert performance(at).set_index("Measure").loc["Contacts received", LATEST] == "540"
    assert lookup(warehouse, "cin_contacts", LATEST)["value"] == 540  # nothing harmed


@pytest.mark.parametrize("hostile", HOSTILE + ["845-T99", "unmapped:Nobody"])
def test_hostile_or_unknown_team_falls_back_politely(app, hostile):
    at = open_page(app, month=PREVIOUS, team=hostile)
    assert at.selectbox(key="cscmt_team").value is None
    notes = [i.value for i in at.info]
    assert any("team in the web address was not recognised" in n for n in notes), notes
    assert not any(hostile.strip() in n for n in notes)
    assert "team" not in at.query_params
    assert at.selectbox(key="cscmt_month").value == PREVIOUS  # the good parameter is kept


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", "845' OR '1'='1", "999", "../../etc/passwd"])
def test_hostile_or_unknown_authority_falls_back_politely(app, hostile):
    at = open_page(app, la=hostile, month=PREVIOUS)
    notes = [i.value for i in at.info]
    assert any("authority in the web address was not recognised" in n for n in notes), notes
    assert at.selectbox(key="cscmt_la").value == LA
    assert at.query_params["la"] == LA
    assert at.selectbox(key="cscmt_month").value == PREVIOUS


def test_second_authority_from_the_url_and_the_selectbox(app):
    at = open_page(app, la=OTHER_LA)
    assert at.selectbox(key="cscmt_month").options == [LATEST, PREVIOUS, "Oct 2024"]
    t = performance(at).set_index("Measure")
    assert t.loc["Referrals to children's social care", LATEST] == FEWER
    assert t.loc["Contacts received", LATEST] == "314"
    assert "There are no team figures for Dec 2024." in all_text(at)
    assert not any("not in the team list" in w.value for w in at.warning)
    at.selectbox(key="cscmt_la").select(LA)
    rerun(at)
    assert at.query_params["la"] == LA
    assert performance(at).set_index("Measure").loc["Contacts received", LATEST] == "540"


# --- unmapped teams ----------------------------------------------------------------------------------------


def test_unmapped_teams_are_listed_and_counted(app, tmp_path, monkeypatch):
    at = open_page(app)
    (warning,) = [w.value for w in at.warning if "not in the team list" in w.value]
    assert f"- {CWD_NAME} (57 records, seen 2 October 2023 to 20 December 2024)" in warning
    assert monthly.NOT_MAPPED_SERVICE in heat_table(at)["Service"].tolist()

    path = write_warehouse(tmp_path / "warehouse.duckdb", unmapped=False)
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    at = open_page(AppTest.from_file(str(APP), default_timeout=60))
    assert not any("not in the team list" in w.value for w in at.warning)


def test_unmapped_teams_under_an_unmapped_service(tmp_path, monkeypatch):
    """As the dbt build does it: the unmapped team's parent is a service 'unmapped' (is_mapped false), which has
    its own rows in indicator_values. It is shown with the unmapped teams and counted once in the sums."""
    path = write_warehouse(tmp_path / "warehouse.duckdb", unmapped_service=True)
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    monkeypatch.delenv(access.ENV_VAR, raising=False)
    at = open_page(AppTest.from_file(str(APP), default_timeout=60), month=LATEST, team=CWD)
    heat = chart_with(at, "status")
    order = heat.sort_values("team_order")[["service", "team"]].drop_duplicates().values.tolist()
    assert order[-2:] == [[monthly.NOT_MAPPED_SERVICE, monthly.ALL_UNMAPPED], [monthly.NOT_MAPPED_SERVICE, CWD_NAME]]
    assert "Unmapped teams" not in set(heat["service"])
    referrals = heat[heat["indicator_id"] == "cin_referrals"].set_index("org_id")["value_text"].to_dict()
    assert referrals == {"845-S1": SUPPRESSED, MASH: SUPPRESSED, UNMAPPED_SERVICE: FEWER, CWD: FEWER}
    for label in (LATEST, PREVIOUS):
        if label != LATEST:
            at.selectbox(key="cscmt_month").select(label)
            rerun(at)
        assert_no_small_count_can_be_worked_out(at, path, label)
    assert at.selectbox(key="cscmt_team").value == CWD
    assert f"**{CWD_NAME}** ({monthly.NOT_MAPPED_SERVICE})" in all_text(at)


# --- child-level exception lists ---------------------------------------------------------------------------


def child_ids(at: AppTest) -> set[str]:
    return {str(v) for t in at.table if "Child ID" in t.value.columns for v in t.value["Child ID"]}


def test_exception_lists_hidden_by_default(app):
    at = open_page(app, month=LATEST, team=L2)
    assert not child_ids(at)
    assert any("switched off on this server" in i.value for i in at.info)
    toggle = at.sidebar.toggle[0]
    assert toggle.label == access.TOGGLE_LABEL
    assert toggle.value is False
    assert toggle.disabled


def test_exception_lists_need_the_server_setting_as_well_as_the_toggle(app):
    at = open_page(app, month=LATEST)
    at.session_state[access.TOGGLE_KEY] = True  # as if the toggle were on, but the server does not allow it
    rerun(at)
    assert not child_ids(at)
    assert any("switched off on this server" in i.value for i in at.info)


def test_exception_lists_need_the_toggle_as_well_as_the_server_setting(app, monkeypatch, warehouse):
    monkeypatch.setenv(access.ENV_VAR, "1")
    at = open_page(app, month=LATEST)
    toggle = at.toggle(key=access.TOGGLE_KEY)
    assert toggle.label == access.TOGGLE_LABEL and toggle.value is False
    assert not child_ids(at)
    assert any("turn on" in i.value for i in at.info)

    toggle.set_value(True)
    rerun(at)
    expected = exceptions(warehouse, dt.date(2024, 12, 31))
    assert child_ids(at) == {r["child_id"] for r in expected}
    assert "B000001" not in child_ids(at)  # another authority's child
    headings = [h.value for h in at.subheader]
    counts = exception_counts(month_index(LATEST))
    assert f"Assessments open beyond 45 working days ({counts[('assessment_over_45wd', L1)] + 26})" in headings
    assert f"Child protection plans lasting two years or more ({counts[('cp_plan_over_2_years', CP1)]})" in headings
    visits = sum(n for (kind, _), n in counts.items() if kind == "cp_visit_overdue")
    assert f"Child protection visits overdue ({visits})" in headings
    assessments = table(at, "Child ID", "Working days")
    assert assessments["Working days"].tolist() == sorted(assessments["Working days"], key=int, reverse=True)
    assert set(assessments["Team"]) == {TEAM_NAMES[L1], TEAM_NAMES[L2]}


def test_exception_lists_follow_the_team_and_month(app, monkeypatch, warehouse):
    monkeypatch.setenv(access.ENV_VAR, "1")
    at = open_page(app, month=LATEST, team=L2)
    at.toggle(key=access.TOGGLE_KEY).set_value(True)
    rerun(at)
    lists = [t.value for t in at.table if "Child ID" in t.value.columns]
    assert len(lists) == 1  # Locality 2 has assessments only
    assert set(lists[0]["Team"]) == {TEAM_NAMES[L2]}
    assert (
        len(lists[0])
        == lookup(warehouse, "cin_assessments_open_over_45wd", LATEST, org_level="team", org_id=L2)["value"]
    )
    assert lists[0]["As at"].unique().tolist() == ["31 December 2024"]

    at.selectbox(key="cscmt_month").select(PREVIOUS)
    rerun(at)
    lists = [t.value for t in at.table if "Child ID" in t.value.columns]
    assert len(lists[0]) == 25 and lists[0]["As at"].unique().tolist() == ["30 November 2024"]

    at.selectbox(key="cscmt_month").select("Oct 2024")
    rerun(at)
    assert not child_ids(at)
    assert "There are no exception lists for 31 October 2024._ The latest lists are for 31 December 2024." in all_text(
        at
    )


def test_missing_exception_table_is_handled(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", exceptions=False)
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    monkeypatch.setenv(access.ENV_VAR, "1")
    at = open_page(AppTest.from_file(str(APP), default_timeout=60), month=LATEST)
    at.toggle(key=access.TOGGLE_KEY).set_value(True)
    rerun(at)
    assert any("not available in this build" in i.value for i in at.info)
    assert performance(at).set_index("Measure").loc["Contacts received", LATEST] == "540"  # the rest still works


def test_access_decision():
    assert access.child_level_allowed(requested=True, environ={access.ENV_VAR: "1"})
    assert not access.child_level_allowed(requested=False, environ={access.ENV_VAR: "1"})
    assert not access.child_level_allowed(requested=True, environ={})
    for value in ("0", "yes", "true", "", "11"):
        assert not access.child_level_allowed(requested=True, environ={access.ENV_VAR: value})


# --- downloads ---------------------------------------------------------------------------------------------


class RecordingStorage(MemoryMediaFileStorage):
    instances: list[RecordingStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


def test_downloads_equal_the_tables_and_are_safe(app, monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    monkeypatch.setenv(access.ENV_VAR, "1")
    at = open_page(app, month=LATEST, team=CP1)
    at.toggle(key=access.TOGGLE_KEY).set_value(True)
    rerun(at)
    storage = RecordingStorage.instances[-1]
    buttons = at.download_button
    tables = [t.value for t in at.table]
    # performance, heat map, team trends, and CP 1's two exception lists
    assert len(buttons) == len(tables) == 5
    files = {}
    for button, shown_table in zip(buttons, tables, strict=True):
        assert button.label == "Download this table (CSV)"
        stored = storage.get_file(button.proto.url.rsplit("/", 1)[-1])
        text = stored.content.decode("utf-8-sig")
        files[stored.filename] = text
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == list(shown_table.columns)
        unquoted = [[c[1:] if c.startswith("'") else c for c in r] for r in rows[1:]]
        assert unquoted == shown_table.astype(str).values.tolist()
        for cells in rows:
            for cell in cells:
                assert not cell.startswith(("=", "+", "-", "@")), cell
    assert set(files) == {
        "cscmt_performance_845_Dec_2024.csv",
        "cscmt_teams_845_Dec_2024.csv",
        "cscmt_team_trends_845_845-T04_Dec_2024.csv",
        "cscmt_exceptions_cp_plan_over_2_years_845_845-T04_Dec_2024.csv",
        "cscmt_exceptions_cp_visit_overdue_845_845-T04_Dec_2024.csv",
    }
    assert f"{SUPPRESSED}" in files["cscmt_performance_845_Dec_2024.csv"]
    # the unmapped team's child "=1+1" comes through as text, not a formula
    at.selectbox(key="cscmt_team").select(CWD)
    rerun(at)
    storage = RecordingStorage.instances[-1]
    (visits,) = [
        storage.get_file(b.proto.url.rsplit("/", 1)[-1])
        for b in at.download_button
        if "cp_visit_overdue" in storage.get_file(b.proto.url.rsplit("/", 1)[-1]).filename
    ]
    assert f"'{HOSTILE_CHILD_ID}," in visits.content.decode("utf-8-sig")


# --- definitions, about, the build ------------------------------------------------------------------------


def test_definitions_are_one_click_away(app, warehouse):
    at = open_page(app, month=LATEST)
    cat = catalogue(warehouse)
    popovers = at.get("popover")
    assert len(popovers) == len(CSCMT_IDS)
    text = "\n".join(m.value for p in popovers for m in p.markdown)
    for indicator_id in CSCMT_IDS:
        assert cat[indicator_id]["definition"] in text, indicator_id
    assert "**Target:** 85.0% (amber up to 80.0%)" in text


def test_about_this_data_and_the_build(app):
    at = open_page(app, month=LATEST)
    text = all_text(at)
    assert "East Sussex, Dec 2024 (1 December 2024 to 31 December 2024)" in text
    assert "warehouse built 6 January 2025 at 08:00" in text
    # the entry point's furniture is there too: the page is reached through st.navigation, not run on its own
    assert f"Build **{BUILD_ID}**" in "\n".join(m.value for m in at.sidebar.markdown)
    assert "**Synthetic demonstration data – not real children**" in [w.value for w in at.warning]


def test_old_warehouse_without_the_new_tables_gives_a_polite_message(tmp_path, monkeypatch):
    path = write_panel_warehouse(tmp_path / "warehouse.duckdb")  # the panel's fixture: no org_units, no CIN
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    at = open_page(AppTest.from_file(str(APP), default_timeout=60))
    assert any("does not hold everything this page needs" in w.value for w in at.warning)


def test_missing_warehouse_gives_a_polite_message(tmp_path, monkeypatch):
    monkeypatch.setenv("CSQA_WAREHOUSE", str(tmp_path / "not-built-yet.duckdb"))
    at = open_page(AppTest.from_file(str(APP), default_timeout=60))
    assert any("There is no data to show yet" in i.value for i in at.info)


# --- pure helpers ------------------------------------------------------------------------------------------


def test_markdown_from_the_data_is_made_inert():
    assert monthly.md_escape("[x](http://a) *b* <i>") == r"\[x\](http://a) \*b\* \<i\>"
    assert monthly.md_escape("Locality 2 (North)") == "Locality 2 (North)"


def test_protected_cells_need_no_service_rows():
    rows = {
        ("la", LA): {"value": 12.0},
        ("team", "a"): {"value": 9.0},
        ("team", "b"): {"value": 3.0},
    }
    assert monthly.protected_cells(rows, "count", {"a": None, "b": None}) == {("team", "a"), ("team", "b")}
    assert disclosure.is_small(3)


def test_fixture_cross_checks(warehouse):
    """The fixture's own sums: teams add up to the authority, except the section 47 enquiries with no team."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        bad = con.sql(
            """
            select t.indicator_id, t.period_start
            from indicator_values t
            join indicator_values l
              on l.indicator_id = t.indicator_id and l.period_start = t.period_start
             and l.org_level = 'la' and l.la_code = t.la_code and l.period_grain = 'month'
            where t.org_level = 'team' and t.period_grain = 'month'
            group by t.indicator_id, t.period_start, l.numerator
            having sum(t.numerator) <> l.numerator
            """
        ).fetchall()
    finally:
        con.close()
    assert {indicator_id for indicator_id, _ in bad} == {"cin_s47_started"}  # 2 a month with no team
