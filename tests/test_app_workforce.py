"""AppTest for the Workforce page, against the hand-made warehouse in workforce_fixtures.

The page is reached as a user reaches it: through `app/streamlit_app.py` and `st.navigation`, switching to
`views/workforce.py` after the first run. Tiles, tables, charts' data as sent to the browser and downloads are
read back and compared with indicator_values and workforce_worker_months read straight from the warehouse file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from cscmt_fixtures import write_warehouse as write_cscmt_warehouse
from streamlit import dataframe_util
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from workforce_fixtures import (
    BUILD_ID,
    LA,
    LA_NAME,
    LATEST_MONTH,
    NORTH,
    PREVIOUS_MONTH,
    SERVICE,
    SOUTH,
    TEAM_NAMES,
    WORKER_PREFIX,
    YEAR_AGO_MONTH,
    above_ceiling,
    catalogue,
    lookup,
    worker_ids,
    write_warehouse,
)

from app import formatting, navigation, workforce

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PAGE = "views/workforce.py"
TILE_IDS = list(workforce.INDICATOR_IDS)
MONTH_KEY, TEAM_KEY, CEILING_KEY = "workforce_month", "workforce_team", "workforce_ceiling"
MEASURE_KEY = "workforce_trend_measure"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("served") / "warehouse.duckdb")


@pytest.fixture
def app(warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    monkeypatch.delenv(workforce.CEILING_ENV_VAR, raising=False)
    return AppTest.from_file(str(APP), default_timeout=60)


def fresh_app(path: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    monkeypatch.delenv(workforce.CEILING_ENV_VAR, raising=False)
    return AppTest.from_file(str(APP), default_timeout=60)


def open_page(at: AppTest, **params: str) -> AppTest:
    """Open the page with these query parameters, as a link to /workforce?... would."""
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Workforce"
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


def team_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Service", "Vacancy rate")


def caseload_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Service", "Case-holding social workers")


def metrics(at: AppTest) -> dict[str, object]:
    return {m.label: m for m in at.metric}


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(parts)


def chart_frames(chart) -> list[pd.DataFrame]:
    return [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]


def chart_with(at: AppTest, *columns: str) -> pd.DataFrame:
    for chart in at.get("vega_lite_chart"):
        for frame in chart_frames(chart):
            if all(c in frame.columns for c in columns):
                return frame
    raise AssertionError(f"no chart data with {columns!r}")


# --- the rules, stated independently of the app -------------------------------------------------------------


def fmt(unit: str, value: float | None) -> str:
    if value is None:
        return "not available"
    if unit == "fte":
        return f"{value:,.1f} FTE"
    if unit == "percent":
        return f"{value:,.1f}%"
    return f"{value:,.1f}"


def units(warehouse: Path) -> dict[str, str]:
    return {i: r["unit"] for i, r in catalogue(warehouse).items()}


RAG_EMOJI = {"green": "🟢", "amber": "🟠", "red": "🔴"}


def cell(unit: str, row: dict | None) -> str:
    if row is None:
        return ""
    text = fmt(unit, row["value"])
    return f"{RAG_EMOJI[row['rag']]} {text}" if row.get("rag") else text


# --- navigation ----------------------------------------------------------------------------------------------


def test_pages_are_listed_with_their_audiences():
    specs = {s.url_path: s for s in navigation.PAGES}
    assert specs["workforce"].path == "views/workforce.py"
    assert set(specs["workforce"].audiences) == {"cscmt", "smt", "lead_member", "workforce_lead", "team_managers"}
    assert specs["complaints"].path == "views/complaints.py"
    assert set(specs["complaints"].audiences) == {"cscmt", "smt", "lead_member", "scrutiny", "complaints_manager"}
    for spec in navigation.PAGES:
        assert (navigation.APP_DIR / spec.path).is_file()
        assert spec.path.startswith("views/")
    assert navigation.PAGES[0].url_path == "corporate-parenting"  # the default page is unchanged


# --- choosing the month --------------------------------------------------------------------------------------


def test_default_is_the_latest_month_and_the_url_keeps_the_choice(app):
    at = open_page(app)
    month = at.selectbox(key=MONTH_KEY)
    assert month.value == LATEST_MONTH
    assert month.options[:2] == [LATEST_MONTH, PREVIOUS_MONTH]
    assert month.options[-1] == YEAR_AGO_MONTH
    assert at.query_params["month"] == LATEST_MONTH
    assert at.query_params["la"] == LA
    assert "team" not in at.query_params


@pytest.mark.parametrize("given", ["2024-11", "Nov 2024", "nov+2024", "November 2024", "2024/11"])
def test_month_from_the_url(app, warehouse, given):
    at = open_page(app, month=given)
    assert at.selectbox(key=MONTH_KEY).value == PREVIOUS_MONTH
    assert at.query_params["month"] == PREVIOUS_MONTH
    row = lookup(warehouse, "wf_sw_fte_in_post", PREVIOUS_MONTH)
    assert metrics(at)[workforce.TILE_LABELS["wf_sw_fte_in_post"]].value == fmt("fte", row["value"]) == "32.5 FTE"


def test_month_chosen_with_the_selectbox(app, warehouse):
    at = open_page(app)
    at.selectbox(key=MONTH_KEY).select("Jun 2024")
    rerun(at)
    assert at.query_params["month"] == "Jun 2024"
    tiles = metrics(at)
    for indicator_id in TILE_IDS:
        row = lookup(warehouse, indicator_id, "Jun 2024")
        assert tiles[workforce.TILE_LABELS[indicator_id]].value == fmt(units(warehouse)[indicator_id], row["value"])


# --- headline tiles ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [LATEST_MONTH, PREVIOUS_MONTH, "Sep 2024", "Aug 2024", "Jan 2024"])
def test_tiles_equal_indicator_values(app, warehouse, label):
    at = open_page(app, month=label)
    tiles = metrics(at)
    unit_of = units(warehouse)
    for indicator_id in TILE_IDS:
        row = lookup(warehouse, indicator_id, label)
        tile = tiles[workforce.TILE_LABELS[indicator_id]]
        assert tile.value == fmt(unit_of[indicator_id], row["value"]), indicator_id
        if row["previous_value"] is None:
            assert not tile.delta
        else:
            delta = round(row["value"] - row["previous_value"], 1)
            suffix = {"fte": " FTE", "percent": " points"}.get(unit_of[indicator_id], "")
            assert tile.delta == ("0" if delta == 0 else f"{delta:+,.1f}{suffix}"), indicator_id


def test_tiles_by_eye_for_december(app):
    at = open_page(app, month="2024-12")
    tiles = {label: m.value for label, m in metrics(at).items()}
    assert tiles == {
        "Social workers in post (FTE)": "33.0 FTE",
        "Vacancy rate": "19.5%",
        "Agency rate": "13.2%",
        "Turnover (rolling 12 months)": "18.8%",
        "Starters (FTE)": "1.0 FTE",
        "Leavers (FTE)": "1.5 FTE",
        "Sickness: days lost per FTE (12 months)": "8.7",
        "Average caseload (cases per FTE)": "17.5",
    }
    fte = metrics(at)["Social workers in post (FTE)"]
    assert fte.delta == "+0.5 FTE"
    markdown = [m.value for m in at.markdown]
    assert "Target 10.0% :red-badge[Off target]" in markdown  # vacancy
    assert "Target 10.0% :orange-badge[Close to target]" in markdown  # agency
    assert "Target 18.0 :green-badge[On target]" in markdown  # caseload
    captions = [c.value for c in at.caption]
    assert "Dec 2023: 27.0 FTE (↑ up)" in captions
    assert "England 17.1% · statistical neighbours 16.2% (average of 10). CSWW census, 30 September 2024." in captions
    assert "England 16.4 · statistical neighbours 16.1 (average of 10). CSWW census, 30 September 2024." in captions


def test_comparators_are_the_latest_census_by_the_month_end(app):
    at = open_page(app, month="Aug 2024")
    captions = [c.value for c in at.caption]
    assert "England 20.0% · statistical neighbours 18.0% (average of 10). CSWW census, 30 September 2023." in captions
    assert not any("30 September 2024" in c for c in captions)


def test_a_census_after_the_month_is_never_shown():
    row = {"england_value": 17.1, "sn_value": 16.2, "sn_count": 10, "benchmark_year": 2024}
    import datetime as dt

    assert workforce.comparator_text("percent", row, dt.date(2024, 8, 31)).startswith("Published comparators: no")
    assert workforce.comparator_text("percent", row, dt.date(2024, 9, 30)).startswith("England 17.1%")
    assert workforce.comparator_text("percent", {"england_value": None}, dt.date(2024, 9, 30)) == (
        "No published comparator."
    )


# --- teams -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [LATEST_MONTH, "Mar 2024"])
def test_team_table_equals_indicator_values(app, warehouse, label):
    at = open_page(app, month=label)
    t = team_table(at)
    cat = catalogue(warehouse)
    assert t["Team"].tolist() == ["Whole authority", "Whole service", TEAM_NAMES[NORTH], TEAM_NAMES[SOUTH]]
    keys = [("la", LA), ("service", SERVICE), ("team", NORTH), ("team", SOUTH)]
    for indicator_id in TILE_IDS:
        column = cat[indicator_id]["short_name"]
        expected = [
            cell(cat[indicator_id]["unit"], lookup(warehouse, indicator_id, label, org_level=lv, org_id=o))
            for lv, o in keys
        ]
        assert t[column].tolist() == expected, indicator_id


def test_team_table_by_eye_for_december(app):
    t = team_table(open_page(app)).set_index("Team")
    assert t.loc[TEAM_NAMES[SOUTH], "Vacancy rate"] == "🔴 29.4%"
    assert t.loc[TEAM_NAMES[NORTH], "Caseload per case holder"] == "🟠 18.7"
    assert t.loc[TEAM_NAMES[NORTH], "Social workers in post (FTE)"] == "21.0 FTE"
    assert t.loc["Whole authority", "Sickness days per FTE"] == "8.7"


def test_trends_for_every_team_then_one_team(app, warehouse):
    at = open_page(app)
    assert at.selectbox(key=MEASURE_KEY).value == "wf_sw_fte_in_post"
    frame = chart_with(at, "series", "month_start")
    assert set(frame["series"]) == {TEAM_NAMES[NORTH], TEAM_NAMES[SOUTH]}  # FTE: no authority line
    assert frame["value"].dtype == "float64"
    trend = table(at, "Month")
    assert trend[TEAM_NAMES[NORTH]].tolist()[-1] == "21.0 FTE"
    assert len(trend) == 13

    at.selectbox(key=MEASURE_KEY).select("wf_vacancy_rate_pct")
    rerun(at)
    frame = chart_with(at, "series", "month_start")
    assert set(frame["series"]) == {TEAM_NAMES[NORTH], TEAM_NAMES[SOUTH], f"{LA_NAME} (whole authority)", "Target"}
    trend = table(at, "Month")
    for label in (LATEST_MONTH, "Jul 2024"):
        row = trend.set_index("Month").loc[label]
        assert row[TEAM_NAMES[SOUTH]] == fmt("percent", lookup(warehouse, "wf_vacancy_rate_pct", label,
                                                               org_level="team", org_id=SOUTH)["value"])  # fmt: skip
        assert row[f"{LA_NAME} (whole authority)"] == fmt(
            "percent", lookup(warehouse, "wf_vacancy_rate_pct", label)["value"]
        )
        assert row["Target"] == "10.0%"

    at.selectbox(key=TEAM_KEY).select(SOUTH)
    rerun(at)
    assert at.query_params["team"] == SOUTH
    frame = chart_with(at, "series", "month_start")
    assert set(frame["series"]) == {TEAM_NAMES[SOUTH], f"{LA_NAME} (whole authority)", "Target"}

    at.radio(key="workforce_trend_months").set_value(12)
    rerun(at)
    assert len(table(at, "Month")) == 12


def test_team_from_the_url(app):
    at = open_page(app, team="south safeguarding")
    assert at.selectbox(key=TEAM_KEY).value == SOUTH
    assert at.query_params["team"] == SOUTH


def test_vacancy_and_agency_pressure(app):
    at = open_page(app)
    t = table(at, "Rank")
    assert t.values.tolist() == [
        ["1", TEAM_NAMES[SOUTH], "Safeguarding", "29.4%", "25.0%", "54.4"],
        ["2", TEAM_NAMES[NORTH], "Safeguarding", "12.5%", "4.5%", "17.0"],
    ]
    frame = chart_with(at, "category", "label_order")
    south = frame[frame["label"] == TEAM_NAMES[SOUTH]].set_index("category")
    assert south.loc["Vacancy rate", "value"] == pytest.approx(5 / 17 * 100)
    assert south.loc["Agency rate", "value"] == pytest.approx(25.0)
    assert set(frame[frame["label_order"] == 0]["label"]) == {TEAM_NAMES[SOUTH]}


# --- caseloads against a ceiling ------------------------------------------------------------------------------------


def above_column(ceiling: float) -> str:
    return f"Workers above {ceiling:.1f} cases per FTE"


def test_workers_over_the_ceiling_follow_the_input(app):
    at = open_page(app)
    ceiling = at.number_input(key=CEILING_KEY)
    assert ceiling.value == workforce.DEFAULT_CASELOAD_CEILING == 18.0
    t = caseload_table(at).set_index("Team")
    assert t[above_column(18)].to_dict() == {TEAM_NAMES[NORTH]: "2", TEAM_NAMES[SOUTH]: "2", "Whole authority": "4"}
    assert t["Case-holding social workers"].to_dict() == {
        TEAM_NAMES[NORTH]: "3",
        TEAM_NAMES[SOUTH]: "4",
        "Whole authority": "7",
    }
    assert t.loc[TEAM_NAMES[NORTH], "Average caseload (cases per FTE)"] == "18.7"
    assert t.loc[TEAM_NAMES[NORTH], "Against the ceiling of 18.0"] == "above by 0.7"
    assert t.loc[TEAM_NAMES[SOUTH], "Against the ceiling of 18.0"] == "at or below"

    for value, north, south in ((20, 1, 1), (25, 0, 0), (11, 3, 3)):
        at.number_input(key=CEILING_KEY).set_value(float(value))
        rerun(at)
        t = caseload_table(at).set_index("Team")
        assert t[above_column(value)].to_dict() == {
            TEAM_NAMES[NORTH]: str(north),
            TEAM_NAMES[SOUTH]: str(south),
            "Whole authority": str(north + south),
        }
        assert (north, south) == (above_ceiling(NORTH, LATEST_MONTH, value), above_ceiling(SOUTH, LATEST_MONTH, value))
        bars = chart_with(at, "above_text")
        assert bars.set_index("label")["above_text"].to_dict()[TEAM_NAMES[NORTH]] == f"{north} of 3"


def test_caseloads_follow_the_month(app):
    at = open_page(app, month=PREVIOUS_MONTH)
    t = caseload_table(at).set_index("Team")
    assert t[above_column(18)].to_dict() == {TEAM_NAMES[NORTH]: "1", TEAM_NAMES[SOUTH]: "2", "Whole authority": "3"}
    assert above_ceiling(NORTH, PREVIOUS_MONTH, 18) == 1


def test_default_ceiling_from_the_server(warehouse, monkeypatch):
    at = fresh_app(warehouse, monkeypatch)
    monkeypatch.setenv(workforce.CEILING_ENV_VAR, "20")
    at = open_page(at)
    assert at.number_input(key=CEILING_KEY).value == 20.0
    assert caseload_table(at).set_index("Team").loc["Whole authority", above_column(20)] == "2"
    assert f"`{workforce.CEILING_ENV_VAR}`" in all_text(at)
    assert "`app/workforce.py`" in all_text(at)
    for raw in ("abc", "0", "-3", "nan", "1000", ""):
        assert workforce.default_ceiling({workforce.CEILING_ENV_VAR: raw}) == workforce.DEFAULT_CASELOAD_CEILING
    assert workforce.default_ceiling({workforce.CEILING_ENV_VAR: " 16.5 "}) == 16.5


def test_no_worker_id_anywhere(app, warehouse, monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = open_page(app, team=NORTH)
    assert worker_ids(warehouse)  # the fixture does hold them
    seen = [all_text(at)]
    seen += [t.value.to_csv() for t in at.table]
    seen += [f.to_csv() for chart in at.get("vega_lite_chart") for f in chart_frames(chart)]
    storage = RecordingStorage.instances[-1]
    seen += [storage.get_file(b.proto.url.rsplit("/", 1)[-1]).content.decode("utf-8-sig") for b in at.download_button]
    assert not any(WORKER_PREFIX in s for s in seen)


# --- downloads, definitions, about ------------------------------------------------------------------------------


class RecordingStorage(MemoryMediaFileStorage):
    instances: list[RecordingStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


def test_downloads_equal_the_tables_and_are_safe(app, monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = open_page(app, month=LATEST_MONTH)
    storage = RecordingStorage.instances[-1]
    buttons = at.download_button
    tables = [t.value for t in at.table]
    assert len(buttons) == len(tables) == 5  # teams, trend, pressure, caseloads, census
    names = set()
    for button, shown in zip(buttons, tables, strict=True):
        assert button.label == "Download this table (CSV)"
        stored = storage.get_file(button.proto.url.rsplit("/", 1)[-1])
        names.add(stored.filename)
        rows = list(csv.reader(io.StringIO(stored.content.decode("utf-8-sig"))))
        assert rows[0] == list(shown.columns)
        assert rows[1:] == shown.astype(str).values.tolist()
        for cells in rows:
            for c in cells:
                assert not c.startswith(("=", "+", "-", "@")), c
    assert names == {
        "workforce_teams_845_Dec_2024.csv",
        "workforce_trend_845_wf_sw_fte_in_post_all_teams_Dec_2024.csv",
        "workforce_pressure_845_Dec_2024.csv",
        "workforce_caseloads_845_Dec_2024.csv",
        "workforce_census_845_all.csv",
    }


def test_census_returns_beside_the_published_figures(app):
    at = open_page(app, month=LATEST_MONTH)
    census = table(at, "Census", "England")
    assert list(census.columns) == ["Census", "Measure", "This return", "Published for the authority", "England"]
    # Newest census first, six measures each.
    assert census["Census"].tolist() == ["30 September 2024"] * 6 + ["30 September 2023"] * 6
    turnover = census[census["Measure"] == "Turnover"].values.tolist()
    assert turnover == [["30 September 2024", "Turnover", "13.5%", "not available", "15.9%"],
                        ["30 September 2023", "Turnover", "10.8%", "10.8%", "15.4%"]]
    in_post = census[census["Measure"] == "Social workers in post (FTE)"]["This return"].tolist()
    assert in_post == ["108.4 FTE", "111.0 FTE"]


def test_no_census_section_in_a_build_without_the_census(tmp_path, monkeypatch):
    at = open_page(fresh_app(write_warehouse(tmp_path / "w.duckdb", census=False), monkeypatch), month=LATEST_MONTH)
    assert "The workforce census (30 September)" not in [h.value for h in at.header]


def test_definitions_are_one_click_away(app, warehouse):
    at = open_page(app)
    cat = catalogue(warehouse)
    text = "\n".join(m.value for p in at.get("popover") for m in p.markdown)
    for indicator_id in TILE_IDS:
        assert cat[indicator_id]["definition"] in text, indicator_id
    assert "**Target:** 18.0 (amber up to 20.0)" in text


def test_about_this_data_and_the_build(app):
    at = open_page(app)
    text = all_text(at)
    assert "East Sussex, Dec 2024 (1 December 2024 to 31 December 2024)" in text
    assert "figures up to 31 December 2024; workforce files cover up to 31 December 2024" in text
    assert "warehouse built 7 January 2025 at 08:00" in text
    assert f"Build **{BUILD_ID}**" in "\n".join(m.value for m in at.sidebar.markdown)


# --- hostile or unknown values in the web address ------------------------------------------------------------------

HOSTILE = ["' OR 1=1 --", "../../etc/passwd", "<script>alert(1)</script>", "Dec 2030", "2024-13", "9" * 5000]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_or_unknown_month_falls_back_politely(app, warehouse, hostile):
    at = open_page(app, month=hostile)
    assert at.selectbox(key=MONTH_KEY).value == LATEST_MONTH
    notes = [i.value for i in at.info]
    assert any("month in the web address was not recognised" in n for n in notes), notes
    assert not any(hostile.strip() in n for n in notes)
    assert at.query_params["month"] == LATEST_MONTH
    assert metrics(at)["Vacancy rate"].value == "19.5%"
    assert lookup(warehouse, "wf_vacancy_rate_pct", LATEST_MONTH)["numerator"] == 8  # nothing harmed


@pytest.mark.parametrize("hostile", [*HOSTILE, "845-T99"])
def test_hostile_or_unknown_team_falls_back_politely(app, hostile):
    at = open_page(app, month=PREVIOUS_MONTH, team=hostile)
    assert at.selectbox(key=TEAM_KEY).value is None
    notes = [i.value for i in at.info]
    assert any("team in the web address was not recognised" in n for n in notes), notes
    assert not any(hostile.strip() in n for n in notes)
    assert "team" not in at.query_params
    assert at.selectbox(key=MONTH_KEY).value == PREVIOUS_MONTH


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", "845' OR '1'='1", "../../etc/passwd", "999"])
def test_hostile_or_unknown_authority_falls_back_politely(app, hostile):
    at = open_page(app, la=hostile, month=PREVIOUS_MONTH)
    notes = [i.value for i in at.info]
    assert any("authority in the web address was not recognised" in n for n in notes), notes
    assert at.query_params["la"] == LA
    assert at.selectbox(key=MONTH_KEY).value == PREVIOUS_MONTH


# --- empty states ----------------------------------------------------------------------------------------------


def test_no_workforce_data_loaded(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", workforce=False)
    at = open_page(fresh_app(path, monkeypatch))
    assert any("No workforce data has been loaded yet" in i.value for i in at.info)
    assert not at.metric and not at.table


def test_a_build_without_any_workforce_measures(tmp_path, monkeypatch):
    path = write_cscmt_warehouse(tmp_path / "warehouse.duckdb")  # CIN and CP only: no wf_* in the catalogue
    at = open_page(fresh_app(path, monkeypatch))
    assert any("No workforce data has been loaded yet" in i.value for i in at.info)


def test_a_build_without_the_worker_months(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", worker_months=False)
    at = open_page(fresh_app(path, monkeypatch))
    assert any("Caseloads by worker are not available in this build" in i.value for i in at.info)
    assert metrics(at)["Vacancy rate"].value == "19.5%"  # the rest still works


def test_missing_warehouse_gives_a_polite_message(tmp_path, monkeypatch):
    at = open_page(fresh_app(tmp_path / "not-built-yet.duckdb", monkeypatch))
    assert any("There is no data to show yet" in i.value for i in at.info)


# --- pure helpers -----------------------------------------------------------------------------------------------


def test_new_units_are_formatted():
    assert formatting.fte(123.44) == "123.4 FTE"
    assert formatting.fte(None) == "not available"
    assert formatting.ratio(18.666) == "18.7"
    assert formatting.by_unit("fte", 2) == "2.0 FTE"
    assert formatting.by_unit("ratio", 8.72) == "8.7"
    assert formatting.by_unit("percent", 19.51) == "19.5%"
    assert formatting.by_unit("count", 1234) == "1,234"
    assert formatting.signed_by_unit("fte", 0.5) == "+0.5 FTE"
    assert formatting.signed_by_unit("ratio", -0.06) == "-0.1"
    assert formatting.signed_by_unit("percent", 1.25) == "+1.2 points"
