"""AppTest and unit tests for the Indicator explorer, against the hand-made warehouse in explorer_fixtures.

The page is reached as a user reaches it: through `app/streamlit_app.py` and `st.navigation`, switching to
`views/explorer.py` after the first run. Tables, the chart's data as sent to the browser and downloads are read
back and compared with indicator_values and published_comparators read straight from the warehouse file, with the
small-number rules stated again here, independently of the app.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from explorer_fixtures import (
    CLA_AT_END,
    CLA_RATE,
    CP_PLANS,
    CP_STARTED,
    CP_VISITS,
    FLOW_LABELS,
    FLOWS,
    LA,
    LA_NAME,
    LABELS,
    NFA_PCT,
    NORTH,
    OTHER_LA,
    OTHER_LA_NAME,
    SERVICE,
    SOUTH,
    STARTERS,
    TEAM_NAMES,
    VACANCY,
    VISITS_SOURCE,
    explorer_frame,
    neighbour_mean,
    published,
    values,
    write_warehouse,
)
from streamlit import dataframe_util
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app import disclosure, explorer, monthly, navigation
from app.indicators import Indicator

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PAGE = "views/explorer.py"
K = "explorer"
LA_KEY, DOMAIN_KEY, INDICATOR_KEY = f"{K}_la", f"{K}_domain", f"{K}_indicator"
GRAIN_KEY, ORG_KEY, RANGE_KEY = f"{K}_grain", f"{K}_org", f"{K}_range"
FEWER, SUPPRESSED, NOT_SHOWN = "fewer than 5", "suppressed (small numbers)", "not shown (small numbers)"
LA_LABEL = f"{LA_NAME} (whole authority)"
ORG_LABELS = {
    LA: LA_LABEL,
    SERVICE: "Safeguarding (service)",
    NORTH: "North Safeguarding (Safeguarding)",
    SOUTH: "South Safeguarding (Safeguarding)",
}
ORG_LEVELS = {LA: "la", SERVICE: "service", NORTH: "team", SOUTH: "team"}
HOSTILE = ["' OR 1=1 --", "../../etc/passwd"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("served") / "warehouse.duckdb")


@pytest.fixture
def app(warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    return AppTest.from_file(str(APP), default_timeout=60)


@pytest.fixture
def make(warehouse, monkeypatch):
    """A new session for each call: a second link opened in the same test starts afresh."""
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    return lambda: AppTest.from_file(str(APP), default_timeout=60)


def fresh_app(path: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    return AppTest.from_file(str(APP), default_timeout=60)


def open_page(at: AppTest, **params: str) -> AppTest:
    """Open the page with these query parameters, as a link to /explorer?... would."""
    at.run()
    for key in list(at.query_params):  # the default page keeps its own choices in the address
        del at.query_params[key]
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Indicator explorer"
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, first_column: str) -> pd.DataFrame:
    for t in at.table:
        df = t.value
        if list(df.columns)[0] == first_column:
            return df.reset_index(drop=True)
    raise AssertionError(f"no table starting {first_column!r}: {[list(t.value.columns)[:3] for t in at.table]}")


def series_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Period").set_index("Period")


def notes(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning] + [h.value for h in at.header]
    parts += [s.value for s in at.subheader]
    return "\n".join(parts)


def chart_frame(at: AppTest) -> pd.DataFrame:
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    frames = [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in charts[0].proto.datasets]
    return next(f for f in frames if {"series", "period", "value"} <= set(f.columns))


class RecordingStorage(MemoryMediaFileStorage):
    instances: list[RecordingStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


@pytest.fixture
def recorded(monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    return RecordingStorage.instances


def downloads(at: AppTest, instances) -> dict[str, list[list[str]]]:
    storage = instances[-1]
    out = {}
    for button in at.download_button:
        stored = storage.get_file(button.proto.url.rsplit("/", 1)[-1])
        out[stored.filename] = list(csv.reader(io.StringIO(stored.content.decode("utf-8-sig"))))
    return out


# --- the rules, stated independently of the app -----------------------------------------------------------------


def fmt(unit: str, value: float | None) -> str:
    if value is None:
        return ""
    if unit == "count":
        return f"{round(value):,}"
    if unit == "percent":
        return f"{value:,.1f}%"
    if unit == "fte":
        return f"{value:,.1f} FTE"
    return f"{value:,.1f}"


# Cells hidden because a small neighbour in the breakdown could be worked out from them (by hand, from the
# fixture's tables): North's count and North's percentage (with its numerator and denominator) where South's is small.
SECOND_CELLS = {(NORTH, "2024-25 Q1"), (NORTH, "Jun 2024")}


def expected_row(indicator_id: str, unit: str, org_id: str, label: str, row: dict, in_full: bool) -> dict[str, str]:
    small = lambda n: n is not None and n < 5  # noqa: E731
    hidden = not in_full and (
        (unit == "count" and small(row["value"]))
        or (unit != "count" and (small(row["numerator"]) or small(row["denominator"])))
        or (org_id, label) in SECOND_CELLS
    )
    if in_full:
        value = fmt(unit, row["value"])
        num = fmt("fte" if unit == "fte" else "count", row["numerator"])
        den = fmt("count", row["denominator"])
    elif unit == "count":
        value = FEWER if small(row["value"]) else SUPPRESSED if hidden else fmt(unit, row["value"])
        num, den = value, ""
    else:
        value = SUPPRESSED if hidden else fmt(unit, row["value"])
        num, den = (
            (FEWER if small(n) else SUPPRESSED if hidden else fmt("count", n))
            for n in (row["numerator"], row["denominator"])
        )
    rag = {"green": "🟢 On target", "amber": "🟠 Close to target", "red": "🔴 Off target"}.get(row["rag"], "")
    return {
        "Numerator": num,
        "Denominator": den,
        "Value": value,
        "Target": fmt(unit, row["target"]),
        "Against target": "" if row["target"] is None and not row["rag"] else NOT_SHOWN if hidden else rag,
        "England": fmt(unit, row["england_value"]),
        "Region": fmt(unit, row["region_value"]),
        "Statistical neighbours (average)": fmt(unit, row["sn_value"]),
    }


UNITS = {CP_PLANS: "count", CP_VISITS: "percent", CLA_RATE: "rate_per_10k", STARTERS: "fte", VACANCY: "percent"}


def check_series(at: AppTest, warehouse: Path, indicator_id: str, grain: str, org_id: str) -> None:
    rows = values(warehouse, indicator_id, grain, org_id)
    shown = series_table(at)
    assert list(shown.index) == list(rows) == LABELS[grain]
    in_full = indicator_id in (STARTERS, VACANCY)
    for label, row in rows.items():
        for column, text in expected_row(indicator_id, UNITS[indicator_id], org_id, label, row, in_full).items():
            assert shown.loc[label, column] == text, (indicator_id, grain, org_id, label, column)


# --- navigation and the default view -------------------------------------------------------------------------------


def test_the_page_is_registered():
    spec = next(s for s in navigation.PAGES if s.url_path == "explorer")
    assert spec.path == PAGE and (navigation.APP_DIR / spec.path).is_file()


def test_default_view_and_the_address_keeps_it(app):
    at = open_page(app)
    assert at.selectbox(key=DOMAIN_KEY).value == "children_looked_after"
    assert at.selectbox(key=DOMAIN_KEY).options == ["Children looked after", "Child protection", "Workforce", "Audit"]
    assert at.selectbox(key=INDICATOR_KEY).value == CLA_RATE
    assert at.selectbox(key=GRAIN_KEY).value == "quarter"
    assert at.selectbox(key=GRAIN_KEY).options == ["Quarter", "Financial year"]  # the catalogue's grains
    assert at.selectbox(key=ORG_KEY).value == LA
    assert not [s for s in at.selectbox if s.key == LA_KEY]  # one authority: no choice
    assert dict(at.query_params) == {"indicator": CLA_RATE, "grain": "quarter", "org": LA}
    assert not notes(at)
    assert at.header[0].value == "Children looked after per 10,000 children"


def test_every_widget_path(app, warehouse):
    at = open_page(app)
    at.selectbox(key=DOMAIN_KEY).select("child_protection")
    rerun(at)
    assert at.selectbox(key=INDICATOR_KEY).value == CP_PLANS  # first of the domain by sort order
    assert at.selectbox(key=INDICATOR_KEY).options == [
        "Children on a child protection plan at the end of the period",
        "Child protection visits within 10 working days",
    ]
    assert at.selectbox(key=GRAIN_KEY).value == "quarter"
    assert at.query_params["indicator"] == CP_PLANS

    at.selectbox(key=INDICATOR_KEY).select(CP_VISITS)
    rerun(at)
    assert at.query_params["indicator"] == CP_VISITS
    assert at.selectbox(key=ORG_KEY).options == list(ORG_LABELS.values())

    at.selectbox(key=GRAIN_KEY).select("month")
    rerun(at)
    assert at.query_params["grain"] == "month"
    assert list(series_table(at).index) == LABELS["month"]

    at.selectbox(key=ORG_KEY).select(SOUTH)
    rerun(at)
    assert at.query_params["org"] == SOUTH
    check_series(at, warehouse, CP_VISITS, "month", SOUTH)

    at.select_slider(key=RANGE_KEY).set_value(("May 2024", "Jun 2024"))
    rerun(at)
    assert list(series_table(at).index) == ["May 2024", "Jun 2024"]
    assert set(chart_frame(at)["period"]) == {"May 2024", "Jun 2024"}

    at.selectbox(key=GRAIN_KEY).select("year")  # a new grain: the whole range again
    rerun(at)
    assert list(series_table(at).index) == LABELS["year"]
    assert at.selectbox(key=ORG_KEY).value == SOUTH

    at.selectbox(key=DOMAIN_KEY).select("workforce")
    rerun(at)
    assert at.selectbox(key=INDICATOR_KEY).value == STARTERS
    assert at.selectbox(key=GRAIN_KEY).value == "quarter"  # starters has no year grain
    assert at.selectbox(key=ORG_KEY).value == SOUTH
    assert dict(at.query_params) == {"indicator": STARTERS, "grain": "quarter", "org": SOUTH}
    assert not notes(at)

    at.selectbox(key=DOMAIN_KEY).select("audit")
    rerun(at)
    assert "There are no figures for this measure by month" in all_text(at)
    assert "Case-file audits dated in the period." in all_text(at)  # the definition is still there
    assert "org" not in at.query_params


# --- the numbers on screen are indicator_values, through the rules --------------------------------------------------


@pytest.mark.parametrize("grain", ["month", "quarter", "year"])
@pytest.mark.parametrize("org_id", [LA, SERVICE, NORTH, SOUTH])
@pytest.mark.parametrize("indicator_id", [CP_PLANS, CP_VISITS])
def test_series_equal_indicator_values(app, warehouse, indicator_id, grain, org_id):
    at = open_page(app, indicator=indicator_id, grain=grain, org=org_id)
    assert not notes(at)
    assert at.selectbox(key=ORG_KEY).value == org_id
    first, last = LABELS[grain][0], LABELS[grain][-1]
    assert f"{ORG_LABELS[org_id]} · by {grain} · {first} to {last}" in [c.value for c in at.caption]
    check_series(at, warehouse, indicator_id, grain, org_id)


@pytest.mark.parametrize("grain", ["quarter", "year"])
def test_a_rate_with_published_comparators_each_period(app, warehouse, grain):
    at = open_page(app, indicator=CLA_RATE, grain=grain)
    shown = series_table(at)
    rows = values(warehouse, CLA_RATE, grain)
    assert list(shown.index) == list(rows)
    for label, row in rows.items():
        assert shown.loc[label, "Value"] == fmt("rate", row["value"])
        assert shown.loc[label, "Numerator"] == f"{row['numerator']:,.0f}"
        assert shown.loc[label, "Denominator"] == "100,000"
        year = row["benchmark_year"]
        assert shown.loc[label, "Comparators published for"] == f"{year - 1}-{year % 100:02d}"
        assert shown.loc[label, "Statistical neighbours (average)"] == fmt("rate", neighbour_mean(CLA_RATE, year)[0])


def test_by_eye(make):
    t = series_table(open_page(make(), indicator=CP_VISITS, grain="quarter", org=SERVICE))
    assert t.loc["2024-25 Q1"].tolist()[:6] == [
        "35", "39", "89.7%", "90.0%", "🟠 Close to target", "down 1.0 points (worse)"
    ]  # fmt: skip
    assert t.loc["2023-24 Q3", "Against target"] == "🟢 On target"
    t = series_table(open_page(make(), indicator=CLA_RATE, grain="year"))
    assert t.loc["2023-24"].tolist() == ["660", "100,000", "66.0", "", "", "up 2.0", "69.0", "57.0", "63.0", "2023-24"]


def test_a_count_of_3_is_fewer_than_5(make, warehouse):
    at = open_page(make(), indicator=CP_PLANS, grain="month", org=SOUTH)
    t = series_table(at)
    assert values(warehouse, CP_PLANS, "month", SOUTH)["Jun 2024"]["value"] == 3
    assert t.loc["Jun 2024", "Value"] == t.loc["Jun 2024", "Numerator"] == FEWER
    assert t.loc["Jun 2024", "Change since the period before"] == SUPPRESSED
    assert t.loc["May 2024", "Value"] == "6"
    frame = chart_frame(at).set_index("period")
    assert pd.isna(frame.loc["Jun 2024", "value"]) and frame.loc["Jun 2024", "value_text"] == FEWER
    assert frame.loc["May 2024", "value"] == 6.0
    # and North's 35, which the service's 38 would give away
    t = series_table(open_page(make(), indicator=CP_PLANS, grain="month", org=NORTH))
    assert t.loc["Jun 2024", "Value"] == SUPPRESSED and t.loc["May 2024", "Value"] == "36"
    t = series_table(open_page(make(), indicator=CP_PLANS, grain="month", org=SERVICE))
    assert t.loc["Jun 2024", "Value"] == "38"


def test_a_percent_on_a_denominator_of_4_is_hidden_with_its_status(app, warehouse, recorded):
    at = open_page(app, indicator=CP_VISITS, grain="quarter", org=SOUTH)
    row = values(warehouse, CP_VISITS, "quarter", SOUTH)["2024-25 Q1"]
    assert (row["numerator"], row["denominator"], row["rag"]) == (3, 4, "red")
    t = series_table(at)
    assert t.loc["2024-25 Q1"].tolist()[:6] == [FEWER, FEWER, SUPPRESSED, "90.0%", NOT_SHOWN, SUPPRESSED]
    frame = chart_frame(at)
    own = frame[frame["series"] == ORG_LABELS[SOUTH]].set_index("period")
    assert pd.isna(own.loc["2024-25 Q1", "value"])
    assert own.loc["2023-24 Q4", "value"] == pytest.approx(90.0)
    assert frame["value"].dtype == "float64"
    files = downloads(at, recorded)
    shown_anywhere = "\n".join(["\n".join(",".join(r) for r in rows) for rows in files.values()] + [all_text(at)])
    shown_anywhere += frame.to_csv()
    assert "75.0" not in shown_anywhere and "Off target" not in shown_anywhere


def test_the_csv_download_is_the_table_as_shown(app, recorded):
    at = open_page(app, indicator=CP_PLANS, grain="month", org=SOUTH)
    files = downloads(at, recorded)
    name = f"indicator_{LA}_{CP_PLANS}_month_{SOUTH}_Apr_2024_Jun_2024.csv"
    assert name in files
    shown = table(at, "Period")
    assert files[name][0] == list(shown.columns) == list(explorer.TABLE_COLUMNS)
    assert files[name][1:] == shown.astype(str).values.tolist()
    jun = next(r for r in files[name] if r[0] == "Jun 2024")
    assert jun[1] == jun[3] == FEWER and "3" not in jun[1:4]


def test_workforce_figures_are_shown_in_full(make, warehouse):
    at = open_page(make(), indicator=STARTERS, grain="month", org=NORTH)
    t = series_table(at)
    assert t.loc["Apr 2024", "Value"] == "1.0 FTE" and t.loc["Apr 2024", "Numerator"] == "1.0 FTE"
    assert t.loc["May 2024", "Value"] == "0.0 FTE"
    check_series(at, warehouse, STARTERS, "month", NORTH)
    assert "about staff, not children, so they are shown in full" in all_text(at)
    at = open_page(make(), indicator=VACANCY, grain="month", org=NORTH)
    t = series_table(at)
    assert t.loc["Apr 2024"].tolist()[:5] == ["1", "4", "25.0%", "10.0%", "🔴 Off target"]
    assert t.loc["Jun 2024", "Numerator"] == "0"
    check_series(at, warehouse, VACANCY, "month", NORTH)
    assert not pd.isna(chart_frame(at).set_index(["series", "period"]).loc[(ORG_LABELS[NORTH], "Apr 2024"), "value"])


def test_the_chart_draws_value_target_and_england(make, warehouse):
    at = open_page(make(), indicator=VACANCY, grain="month")
    frame = chart_frame(at)
    assert frame["series"].unique().tolist() == [LA_LABEL, "Target", "England"]
    rows = values(warehouse, VACANCY, "month")
    own = frame[frame["series"] == LA_LABEL].set_index("period")["value"]
    assert own.to_dict() == pytest.approx({label: r["value"] for label, r in rows.items()})
    assert frame[frame["series"] == "England"]["value"].tolist() == [20.0] * 3
    assert frame[frame["series"] == "Target"]["value"].tolist() == [10.0] * 3
    # a count has no England line: England's number of children is on another scale
    frame = chart_frame(open_page(make(), indicator=CP_PLANS, grain="year"))
    assert frame["series"].unique().tolist() == [LA_LABEL]


def test_every_figure_hidden_draws_nothing(tmp_path, monkeypatch):
    # 2024-25 Q1 is South's only quarter in range: its percentage is hidden, so nothing is drawn
    at = open_page(fresh_app(write_warehouse(tmp_path / "w.duckdb"), monkeypatch), indicator=CP_VISITS,
                   grain="quarter", org=SOUTH)  # fmt: skip
    at.select_slider(key=RANGE_KEY).set_value(("2024-25 Q1", "2024-25 Q1"))
    rerun(at)
    assert not at.get("vega_lite_chart")
    assert "nothing to draw" in all_text(at)
    assert series_table(at).loc["2024-25 Q1", "Value"] == SUPPRESSED


# --- small numbers across time: flows add up, months to quarters and quarters to years -------------------------------
#
# The figures are explorer_fixtures' `flows=True` tables; every expectation below is worked out there by hand.


@pytest.fixture(scope="module")
def flows_warehouse(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("flows") / "warehouse.duckdb", flows=True)


@pytest.fixture
def flows(flows_warehouse, monkeypatch):
    """A new session on the warehouse with the flows, for each call."""
    monkeypatch.setenv("CSQA_WAREHOUSE", str(flows_warehouse))
    return lambda: AppTest.from_file(str(APP), default_timeout=60)


def test_a_flow_month_cannot_be_worked_out_from_its_quarter(flows):
    # The reviewer's shape: North's Jan, Feb, Mar 2024 are 2, 5, 5 and its 2023-24 Q4 is 12. January is fewer than
    # 5, so February goes too (the smaller of the other two months, the first on a tie): the quarter page's 12 less
    # March's 5 leaves January and February together (7), never January alone.
    at = open_page(flows(), indicator=CP_STARTED, grain="month", org=NORTH)
    t = series_table(at)
    assert list(t.index) == FLOW_LABELS["month"]
    assert t["Value"].tolist() == [FEWER, SUPPRESSED, "5", "6", "7", "8"]
    assert t["Numerator"].tolist() == t["Value"].tolist()
    changes = t["Change since the period before"].tolist()
    assert changes == ["", SUPPRESSED, SUPPRESSED, "up 1", "up 1", "up 1"]
    own = chart_frame(at).set_index("period")["value"]
    assert pd.isna(own["Jan 2024"]) and pd.isna(own["Feb 2024"]) and own["Mar 2024"] == 5.0
    quarters = series_table(open_page(flows(), indicator=CP_STARTED, grain="quarter", org=NORTH))
    assert quarters.loc["2023-24 Q4", "Value"] == "12"  # shown: it gives away only January + February
    # South's January and February go with North's, or the service's 8 and 12 would give North's away
    assert series_table(open_page(flows(), indicator=CP_STARTED, grain="month", org=SOUTH))["Value"].tolist() == [
        SUPPRESSED, SUPPRESSED, "8", "9", "9", "9"
    ]  # fmt: skip
    for org_id in (SERVICE, LA):
        t = series_table(open_page(flows(), indicator=CP_STARTED, grain="month", org=org_id))
        assert t["Value"].tolist() == ["8", "12", "13", "15", "16", "17"]


def test_a_flow_quarter_cannot_be_worked_out_from_its_year(flows):
    # North's 2023-24 quarters are 3, 6, 9, 12 and its year 30: Q1 is fewer than 5, so Q2 (the smallest other) goes
    # too, and South's Q1 and Q2 with them (the service's 13 and 17). The year is shown: 30 - 9 - 12 = Q1 + Q2 = 9.
    t = series_table(open_page(flows(), indicator=CP_STARTED, grain="quarter", org=NORTH))
    assert list(t.index) == FLOW_LABELS["quarter"]
    assert t["Value"].tolist() == [FEWER, SUPPRESSED, "9", "12", "21"]
    t = series_table(open_page(flows(), indicator=CP_STARTED, grain="quarter", org=SOUTH))
    assert t["Value"].tolist() == [SUPPRESSED, SUPPRESSED, "12", "21", "27"]
    t = series_table(open_page(flows(), indicator=CP_STARTED, grain="quarter", org=SERVICE))
    assert t["Value"].tolist() == ["13", "17", "21", "33", "48"]
    for org_id, year in ((NORTH, "30"), (SOUTH, "54"), (SERVICE, "84"), (LA, "84")):
        t = series_table(open_page(flows(), indicator=CP_STARTED, grain="year", org=org_id))
        assert t["Value"].tolist() == [year]


def test_a_stock_is_protected_across_org_units_only(flows):
    # Children looked after at the period's end: the same numbers as the plans started, but a stock does not add
    # up over time, so February's and Q2's stay (only South's January and Q1 go, for the service's total).
    assert ("cla_at_period_end", False) == (CLA_AT_END, CLA_AT_END in FLOWS)
    t = series_table(open_page(flows(), indicator=CLA_AT_END, grain="month", org=NORTH))
    assert t["Value"].tolist() == [FEWER, "5", "5", "6", "7", "8"]
    t = series_table(open_page(flows(), indicator=CLA_AT_END, grain="month", org=SOUTH))
    assert t["Value"].tolist() == [SUPPRESSED, "7", "8", "9", "9", "9"]
    t = series_table(open_page(flows(), indicator=CLA_AT_END, grain="quarter", org=NORTH))
    assert t["Value"].tolist() == [FEWER, "6", "9", "12", "21"]


def test_a_percentage_whose_numerator_is_a_flow(flows, flows_warehouse):
    # Referrals closed with no further action: North's numerators 2, 5, 5 add up to the quarter's 12 like the plans
    # started, so February's cell goes with January's: numerator, denominator, value, status and change.
    at = open_page(flows(), indicator=NFA_PCT, grain="month", org=NORTH)
    t = series_table(at)
    assert [r[:6] for r in t.values.tolist()] == [
        [FEWER, SUPPRESSED, SUPPRESSED, "45.0%", NOT_SHOWN, ""],
        [SUPPRESSED, SUPPRESSED, SUPPRESSED, "45.0%", NOT_SHOWN, SUPPRESSED],
        ["5", "10", "50.0%", "45.0%", "🟠 Close to target", SUPPRESSED],
    ]
    assert chart_frame(at).set_index(["series", "period"]).loc[(ORG_LABELS[NORTH], "Feb 2024"), "value_text"] == (
        SUPPRESSED
    )
    assert values(flows_warehouse, NFA_PCT, "month", NORTH)["Feb 2024"]["rag"] == "amber"  # 50.0%: not shown
    t = series_table(open_page(flows(), indicator=NFA_PCT, grain="month", org=SOUTH))
    assert [r[:3] for r in t.values.tolist()] == [[SUPPRESSED] * 3, [SUPPRESSED] * 3, ["8", "12", "66.7%"]]
    t = series_table(open_page(flows(), indicator=NFA_PCT, grain="month", org=SERVICE))
    assert [r[:3] for r in t.values.tolist()] == [["8", "22", "36.4%"], ["12", "22", "54.5%"], ["13", "22", "59.1%"]]
    t = series_table(open_page(flows(), indicator=NFA_PCT, grain="quarter", org=NORTH))
    assert t.loc["2023-24 Q4"].tolist()[:5] == ["12", "30", "40.0%", "45.0%", "🟢 On target"]


def test_workforce_flows_are_shown_in_full_across_time(make):
    # Starters are a flow whose months add up to the quarter (North 1.0 + 0.0 + 0.5 = 1.5), but staff figures are
    # shown in full however small.
    assert STARTERS in FLOWS
    t = series_table(open_page(make(), indicator=STARTERS, grain="month", org=NORTH))
    assert t["Value"].tolist() == ["1.0 FTE", "0.0 FTE", "0.5 FTE"]
    t = series_table(open_page(make(), indicator=STARTERS, grain="quarter", org=NORTH))
    assert t["Value"].tolist() == ["1.5 FTE"]


ORG_KEYS = [("la", LA), ("service", SERVICE), ("team", NORTH), ("team", SOUTH)]


def _month(start: dt.date, k: int) -> dt.date:
    m = start.month - 1 + k
    return dt.date(start.year + m // 12, m % 12 + 1, 1)


def worked_out_small(series: dict[str, explorer.Series], column: str, across_time: bool) -> set[tuple]:
    """Every count of 1 to 4 a reader could work out from all the pages of one measure (every grain, every org unit),
    by subtraction, again and again: the org units add up (service = North + South, authority = North + South =
    service) and, for a flow, over time (a quarter = its 3 months, a year = its 4 quarters or 12 months). Only sums
    that really hold are used. Stated here independently of the app."""
    truth: dict[tuple, float] = {}
    known: dict[tuple, float] = {}
    for grain, s in series.items():
        for p in s.periods():
            for key in ORG_KEYS:
                row = s.row(key, p.start)
                if row is None or row[column] is None:
                    continue
                cell = (grain, p.start, key)
                truth[cell] = row[column]
                text = s.part_text(key, p.start, column).replace(",", "")
                if text.replace(".", "", 1).isdigit():
                    known[cell] = float(text)
    team, la, service = ORG_KEYS[2:], ORG_KEYS[0], ORG_KEYS[1]
    sums = []
    for grain, start in sorted({cell[:2] for cell in truth}):
        for total, parts in ((service, team), (la, team), (la, [service])):
            sums.append(((grain, start, total), [(grain, start, k) for k in parts]))
        if across_time:
            for key in ORG_KEYS:
                if grain == "quarter":
                    sums.append(((grain, start, key), [("month", _month(start, k), key) for k in range(3)]))
                if grain == "year":
                    sums.append(((grain, start, key), [("quarter", _month(start, 3 * k), key) for k in range(4)]))
                    sums.append(((grain, start, key), [("month", _month(start, k), key) for k in range(12)]))
    sums = [(t, parts) for t, parts in sums
            if t in truth and all(p in truth for p in parts) and truth[t] == sum(truth[p] for p in parts)]  # fmt: skip
    worked_out: set[tuple] = set()
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            unknown = [c for c in (total, *parts) if c not in known]
            if len(unknown) == 1:
                known[unknown[0]] = truth[unknown[0]]  # what the subtraction gives, as the sum holds
                worked_out.add(unknown[0])
                changed = True
    return {c for c in worked_out if 1 <= truth[c] <= 4}


def _all_grains(path: Path, measure: explorer.Measure) -> dict[str, explorer.Series]:
    frames = {g: explorer_frame(path, measure.indicator_id, g) for g in measure.grains}
    return {
        g: explorer.Series(measure, frames[g], _orgs(), {o: f for o, f in frames.items() if o != g})
        for g in measure.grains
    }


def test_no_small_number_can_be_worked_out_from_any_views_together(flows_warehouse):
    cat = explorer.ExplorerCatalogue(read_catalogue(flows_warehouse))
    checked = 0
    for measure in (cat.get(i) for i in (CP_STARTED, CLA_AT_END, NFA_PCT, CP_PLANS, CP_VISITS)):
        series = _all_grains(flows_warehouse, measure)
        for column in ("numerator", "denominator") if measure.unit != "count" else ("numerator",):
            found = worked_out_small(series, column, across_time=not measure.is_stock)
            assert found == set(), (measure.indicator_id, column, found)
            checked += 1
    assert checked == 7
    # Without the protection across time the old leaks come back: the check above is not empty-handed.
    stock = dataclasses.replace(cat.get(CP_STARTED), is_stock=True)
    assert worked_out_small(_all_grains(flows_warehouse, stock), "numerator", across_time=True) == {
        ("month", dt.date(2024, 1, 1), ("team", NORTH)),  # 12 - 5 - 5 = 2
        ("quarter", dt.date(2023, 4, 1), ("team", NORTH)),  # 30 - 6 - 9 - 12 = 3
    }


def read_catalogue(path: Path) -> pl.DataFrame:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql("select * from indicators").pl()
    finally:
        con.close()


# --- the definition ------------------------------------------------------------------------------------------------


def test_the_definition_and_who_it_is_for(make):
    text = all_text(open_page(make(), indicator=CP_VISITS, grain="month"))
    for expected in (
        "Of the child protection visits due in the period, the percentage made within 10 working days.",
        "**Counted (numerator):** Counted: cp visits in time",
        "**Out of (denominator):** Out of: what it applies to",
        "**Target:** 90.0% (amber up to 80.0%)",
        f"**Source of the definition:** {VISITS_SOURCE}",
        "**Unit:** a percentage (0 to 100)",
        "**Polarity:** higher is better",
        "**Domain:** Child protection",
        "**Reported by:** month, quarter and year",
        "**QA framework tasks:** 4.1: National and locally-agreed performance data set",
        "**Reported to:** Children's Social Care Management Team (CSCMT) and Team managers",
    ):
        assert expected in text, expected
    text = all_text(open_page(make(), indicator=STARTERS, grain="month"))
    assert "**Reported to:** Children's Social Care Management Team (CSCMT) and Workforce lead" in text
    assert "**Target:** none set in the catalogue" in text
    assert "**QA framework tasks:** 4.8: Workforce report to CSCMT" in text


# --- published comparators with the neighbours named ------------------------------------------------------------------


def test_neighbours_named_with_their_own_published_values(app, warehouse):
    at = open_page(app, indicator=CLA_RATE, grain="year")
    assert "Published comparators for 2023-24" in [s.value for s in at.subheader]
    pub = published(warehouse, CLA_RATE, 2024)
    neighbours = table(at, "Rank")
    assert neighbours.values.tolist() == [
        ["1", "Devon", "878", "Very close", fmt("rate", pub["878"]["la_value"])],
        ["2", "Kent", "886", "Very close", fmt("rate", pub["886"]["la_value"])],
        ["3", "Cornwall", "908", "Close", fmt("rate", pub["908"]["la_value"])],
        ["4", "Norfolk", "926", "Somewhat close", "not published"],
    ]
    assert "Newham" not in all_text(at) and "Newham" not in table(at, "Comparator").to_csv()
    summary = table(at, "Comparator").set_index("Comparator")["Published value"].to_dict()
    mean, count = neighbour_mean(CLA_RATE, 2024)
    assert summary == {
        f"{LA_NAME} (as DfE published it)": "66.0",
        "England": "69.0",
        "South East (region)": "57.0",
        f"Statistical neighbours (average of the {count} with a published figure)": fmt("rate", mean),
    }
    assert (mean, count) == (63.0, 3)
    assert summary["England"] == fmt("rate", values(warehouse, CLA_RATE, "year")["2023-24"]["england_value"])
    assert "as at 31 March 2024 (DfE's year 2024)" in all_text(at)

    at.select_slider(key=RANGE_KEY).set_value(("2022-23", "2022-23"))
    rerun(at)
    assert "Published comparators for 2022-23" in [s.value for s in at.subheader]
    assert table(at, "Rank")["Published value"].tolist() == ["60.0", "62.0", "64.0", "58.0"]
    assert (
        "Statistical neighbours (average of the 4 with a published figure)"
        in table(at, "Comparator")["Comparator"].tolist()
    )


def test_a_quarter_takes_the_latest_year_published_by_its_end(app):
    at = open_page(app, indicator=CLA_RATE, grain="quarter")
    at.select_slider(key=RANGE_KEY).set_value(("2023-24 Q3", "2023-24 Q3"))
    rerun(at)
    assert "as at 31 March 2023 (DfE's year 2023)" in all_text(at)
    assert table(at, "Rank")["Published value"].tolist()[0] == "60.0"


def test_workforce_comparators_are_the_september_census(app):
    at = open_page(app, indicator=VACANCY, grain="month", org=SOUTH)
    assert "as at 30 September 2023" in all_text(at)
    assert "DfE publishes figures for whole authorities" in all_text(at)
    assert table(at, "Rank")["Published value"].tolist() == ["15.0%", "17.0%", "19.0%", "21.0%"]
    assert series_table(at).loc["Apr 2024", "Comparators published for"] == "30 September 2023"


def test_comparators_not_yet_published_by_the_period(app):
    at = open_page(app, indicator=STARTERS, grain="month")
    text = all_text(at)
    assert "No published figure belongs with Jun 2024" in text
    assert "DfE has published this measure for 30 September 2024" in text
    assert not [t for t in at.table if list(t.value.columns)[0] == "Rank"]
    assert series_table(at)["England"].tolist() == ["", "", ""]


def test_a_measure_without_published_comparators(app):
    at = open_page(app, indicator=CP_VISITS, grain="quarter")
    assert "DfE publishes no comparator for this measure." in all_text(at)
    assert not [t for t in at.table if list(t.value.columns)[0] == "Rank"]


def test_an_older_build_without_published_comparators(tmp_path, monkeypatch, warehouse):
    path = write_warehouse(tmp_path / "w.duckdb", published=False)
    at = open_page(fresh_app(path, monkeypatch), indicator=CLA_RATE, grain="year")
    assert any("does not hold DfE's published figures authority by authority" in n for n in notes(at))
    assert "statistical neighbours: Devon, Kent, Cornwall and Norfolk." in all_text(at)
    assert series_table(at).loc["2023-24", "England"] == "69.0"  # indicator_values still carries them


def test_a_build_without_the_domains_seed(tmp_path, monkeypatch):
    at = open_page(fresh_app(write_warehouse(tmp_path / "w.duckdb", domains=False), monkeypatch))
    assert at.selectbox(key=DOMAIN_KEY).options == ["Audit", "Child protection", "Children looked after", "Workforce"]
    assert at.selectbox(key=DOMAIN_KEY).value == "audit"


# --- the web address -------------------------------------------------------------------------------------------------


def test_the_address_preselects(app):
    at = open_page(app, indicator=CP_PLANS, grain="month", org=SOUTH)
    assert at.selectbox(key=DOMAIN_KEY).value == "child_protection"
    assert (at.selectbox(key=INDICATOR_KEY).value, at.selectbox(key=GRAIN_KEY).value) == (CP_PLANS, "month")
    assert at.selectbox(key=ORG_KEY).value == SOUTH
    assert not notes(at)


@pytest.mark.parametrize(
    ("params", "org"),
    [
        ({"indicator": "CP_PLANS_AT_PERIOD_END", "grain": "Month", "org": "south safeguarding"}, SOUTH),
        ({"indicator": CP_PLANS, "grain": "  quarter ", "org": "845-s1"}, SERVICE),
    ],
)
def test_the_address_is_read_forgivingly(app, params, org):
    at = open_page(app, **params)
    assert at.selectbox(key=INDICATOR_KEY).value == CP_PLANS
    assert at.selectbox(key=ORG_KEY).value == org
    assert not notes(at)
    assert at.query_params["org"] == org and at.query_params["indicator"] == CP_PLANS


NOTE_WORDS = {
    "indicator": "The measure in the web address is not in the indicator catalogue",
    "grain": "The grain in the web address is not one this measure is reported by",
    "org": "The authority, service or team in the web address has no figures for this measure",
    "la": "The authority in the web address was not recognised",
}


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("param", ["indicator", "grain", "org", "la"])
def test_hostile_parameters_fall_back_politely(app, param, hostile):
    params = {"indicator": CP_VISITS, "grain": "month", "org": NORTH}
    params[param] = hostile
    at = open_page(app, **params)
    said = notes(at)
    assert said and said[0].startswith(NOTE_WORDS[param]), said
    assert all("in the web address" in n for n in said)
    assert hostile not in all_text(at)
    assert hostile not in dict(at.query_params).values()
    if param == "indicator":  # the default measure; the grain and team then fall back to its defaults too
        assert dict(at.query_params) == {"indicator": CLA_RATE, "grain": "quarter", "org": LA}
        assert len(said) == 3
    else:
        assert len(said) == 1
        assert dict(at.query_params) == {
            "indicator": CP_VISITS,
            "grain": "quarter" if param == "grain" else "month",
            "org": LA if param == "org" else NORTH,
        }
    assert series_table(at).index.tolist()


def test_a_grain_the_measure_is_not_reported_by(app):
    at = open_page(app, indicator=CLA_RATE, grain="month")
    assert notes(at) == ["The grain in the web address is not one this measure is reported by, so the page shows "
                         "it by quarter."]  # fmt: skip
    assert at.query_params["grain"] == "quarter"


def test_a_very_long_parameter(app):
    at = open_page(app, indicator="x" * 5000)
    assert any("not in the indicator catalogue" in n for n in notes(at))


# --- more than one authority, and no data ----------------------------------------------------------------------------


def test_two_authorities(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "w.duckdb", two_authorities=True)
    at = open_page(fresh_app(path, monkeypatch), indicator=CP_PLANS, grain="month", la=OTHER_LA)
    assert at.selectbox(key=LA_KEY).value == OTHER_LA
    assert at.selectbox(key=ORG_KEY).options == [f"{OTHER_LA_NAME} (whole authority)"]
    assert series_table(at)["Value"].tolist() == ["20", "22", "25"]
    assert at.query_params["la"] == OTHER_LA
    at.selectbox(key=LA_KEY).select(LA)
    rerun(at)
    assert at.query_params["la"] == LA
    assert series_table(at).loc["Apr 2024", "Value"] == "42"


def test_no_values_built(tmp_path, monkeypatch):
    import duckdb

    path = write_warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    con.execute("delete from indicator_values")
    con.close()
    at = open_page(fresh_app(path, monkeypatch))
    assert any("No indicator figures have been built yet" in n for n in notes(at))


def test_missing_warehouse_gives_a_polite_message(tmp_path, monkeypatch):
    at = open_page(fresh_app(tmp_path / "not-built-yet.duckdb", monkeypatch))
    assert any("There is no data to show yet" in n for n in notes(at))


# --- pure helpers (app/explorer.py) ---------------------------------------------------------------------------------


def catalogue_frame(rows: list[dict]) -> pl.DataFrame:
    base = {"indicator_id": None, "name": None, "short_name": None, "domain": None, "unit": "count",
            "polarity": "neutral", "target": None, "amber_threshold": None, "grains": None, "sort_order": None,
            "qa_task_ids": None, "audiences": None, "benchmark_series": None, "definition_source": None}  # fmt: skip
    return pl.DataFrame([{**base, **r} for r in rows], infer_schema_length=None)


def test_split_list_grains_and_names():
    assert explorer.split_list("4.1; 1.6,4.1 ;") == ["4.1", "1.6"]
    assert explorer.split_list(None) == []
    assert explorer.grains_of("year;Month;weekly") == ("month", "year", "weekly")
    assert explorer.grains_of("") == ("month", "quarter", "year")
    assert explorer.default_grain(("month", "year")) == "month"
    assert explorer.default_grain(("month", "quarter", "year")) == "quarter"
    assert explorer.prettify("children_in_need") == "Children in need"
    assert explorer.prettify(None) == "Other measures"
    assert explorer.grain_name("year") == "Financial year"
    assert explorer.and_list(["a", "b", "c"]) == "a, b and c"


def test_matching_is_only_against_the_options():
    options = ["845", "845-T01"]
    labels = {"845-T01": "North Safeguarding (Safeguarding)"}
    assert explorer.match_choice("845-t01", options, labels) == "845-T01"
    assert explorer.match_choice("north safeguarding (safeguarding)", options, labels) == "845-T01"
    for hostile in [*HOSTILE, "845; drop table indicators", "", None]:
        assert explorer.match_choice(hostile, options, labels) is None
    assert explorer.clean_param(None) is None
    assert explorer.clean_param("  a \n b ") == "a b"
    assert explorer.clean_param("x" * 201) == ""


def test_domains_from_the_seed_then_the_rest():
    cat = explorer.ExplorerCatalogue(
        catalogue_frame([
            {"indicator_id": "b", "name": "B", "domain": "zeta", "sort_order": 2},
            {"indicator_id": "a", "name": "A", "domain": "zeta", "sort_order": None},
            {"indicator_id": "c", "name": "C", "domain": "new_area", "sort_order": 1},
            {"indicator_id": "d", "name": "D", "domain": None, "sort_order": 1},
        ]),
        pl.DataFrame({"domain": ["zeta", "unused"], "domain_name": ["Zeta things", "Unused"],
                      "description": [None, None], "sort_order": [1, 0]}),
    )  # fmt: skip
    assert [(d.domain_id, d.name) for d in cat.domains] == [
        ("zeta", "Zeta things"),
        ("new_area", "New area"),
        ("other", "Other"),
    ]
    assert [m.indicator_id for m in cat.measures("zeta")] == ["b", "a"]  # sort order, unsorted last
    assert cat.match_indicator("B") == "b" and cat.match_indicator("' OR 1=1 --") is None


def _orgs() -> monthly.OrgUnits:
    units = pl.DataFrame(
        {
            "org_level": ["la", "service", "team", "team"],
            "org_id": [LA, SERVICE, NORTH, SOUTH],
            "org_name": [LA_NAME, "Safeguarding", TEAM_NAMES[NORTH], TEAM_NAMES[SOUTH]],
            "parent_id": [None, LA, SERVICE, SERVICE],
            "is_mapped": [True] * 4,
        }
    )
    return monthly.OrgUnits(units, LA, LA_NAME, [NORTH, SOUTH])


def _values(unit: str, cells: dict[str, tuple], label="Jun 2024", start=dt.date(2024, 6, 1)) -> pl.DataFrame:
    rows = []
    for org_id, (numerator, denominator) in cells.items():
        value = numerator if denominator is None else numerator / denominator * 100
        rows.append({"indicator_id": "x", "period_grain": "month", "period_start": start, "period_end": start,
                     "period_label": label, "org_level": ORG_LEVELS[org_id], "org_id": org_id,
                     "numerator": float(numerator),
                     "denominator": None if denominator is None else float(denominator),
                     "value": float(value), "target": None, "rag": "red", "direction_previous": None,
                     "benchmark_year": None, "england_value": None, "region_value": None,
                     "sn_value": None})  # fmt: skip
    return pl.DataFrame(rows, infer_schema_length=None)


def _measure(unit: str, domain: str = "child_protection") -> explorer.Measure:
    return explorer.Measure.from_row({"indicator_id": "x", "name": "X", "unit": unit, "domain": domain,
                                      "grains": "month", "target": 90.0})  # fmt: skip


def test_series_suppression_across_the_breakdown():
    start = dt.date(2024, 6, 1)
    counts = {LA: (38, None), SERVICE: (38, None), NORTH: (35, None), SOUTH: (3, None)}
    s = explorer.Series(_measure("count"), _values("count", counts), _orgs())
    assert [s.value_text(("team", t), start) for t in (NORTH, SOUTH)] == [SUPPRESSED, FEWER]
    assert s.value_text(("service", SERVICE), start) == "38"
    assert s.shown_value(("team", SOUTH), start) is None and s.shown_value(("la", LA), start) == 38.0
    assert s.rag_text(("team", SOUTH), start) == NOT_SHOWN  # the measure has a target
    no_target = explorer.Measure.from_row({"indicator_id": "x", "name": "X", "unit": "count", "grains": "month"})
    s = explorer.Series(no_target, _values("count", counts).with_columns(pl.lit(None).alias("rag")), _orgs())
    assert s.rag_text(("team", SOUTH), start) == ""  # no target: no status to hide

    ratios = {LA: (35, 39), SERVICE: (35, 39), NORTH: (32, 35), SOUTH: (3, 4)}
    s = explorer.Series(_measure("percent"), _values("percent", ratios), _orgs())
    assert s.table(("team", NORTH), s.periods()).row(0)[1:4] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    assert s.table(("team", SOUTH), s.periods()).row(0)[1:6] == (FEWER, FEWER, SUPPRESSED, "90.0%", NOT_SHOWN)
    assert s.table(("la", LA), s.periods()).row(0)[1:4] == ("35", "39", "89.7%")

    staff = explorer.Series(_measure("percent", "workforce"), _values("percent", ratios), _orgs())
    assert staff.table(("team", SOUTH), staff.periods()).row(0)[1:6] == ("3", "4", "75.0%", "90.0%", "🔴 Off target")


def _grid(cells: dict[tuple[str, str], float]) -> dict:
    """{(grain, "YYYY-MM"): count} for North alone -> protected_lattice's grid."""
    grid: dict = {}
    for (grain, month), n in cells.items():
        grid.setdefault(grain, {})[dt.date.fromisoformat(f"{month}-01")] = {("team", NORTH): n}
    return grid


def _hidden(cells: set) -> list[str]:
    return sorted(f"{grain} {start:%Y-%m}" for grain, start, _ in cells)


def test_the_lattice_by_hand():
    # months 2, 5, 5 and their quarter 12: a second month goes (February: equal to March, and first)
    shape = {("month", "2024-01"): 2, ("month", "2024-02"): 5, ("month", "2024-03"): 5, ("quarter", "2024-01"): 12}
    assert _hidden(explorer.protected_lattice(_grid(shape), {}, across_time=True)) == ["month 2024-01", "month 2024-02"]
    assert _hidden(explorer.protected_lattice(_grid(shape), {}, across_time=False)) == ["month 2024-01"]  # a stock
    # a month not there: the sum cannot be used (nor shown), so it protects nothing
    gap = {k: v for k, v in shape.items() if k != ("month", "2024-03")}
    assert _hidden(explorer.protected_lattice(_grid(gap), {}, across_time=True)) == ["month 2024-01"]
    # a zero is "fewer than 5" but working out that nothing happened discloses nobody
    zero = {**shape, ("month", "2024-01"): 0, ("quarter", "2024-01"): 10}
    assert _hidden(explorer.protected_lattice(_grid(zero), {}, across_time=True)) == ["month 2024-01"]
    # quarters 3, 6, 9, 12 and their financial year 30: Q2 goes with Q1
    year = {("quarter", "2023-04"): 3, ("quarter", "2023-07"): 6, ("quarter", "2023-10"): 9,
            ("quarter", "2024-01"): 12, ("year", "2023-04"): 30}  # fmt: skip
    assert _hidden(explorer.protected_lattice(_grid(year), {}, across_time=True)) == [
        "quarter 2023-04",
        "quarter 2023-07",
    ]
    # and a year reported by month only is its 12 months: 1 + 11 x 6 = 67
    months = {("month", f"{2023 + (m > 9)}-{(m + 2) % 12 + 1:02d}"): 1 if m == 1 else 6 for m in range(1, 13)}
    hidden = explorer.protected_lattice(_grid({**months, ("year", "2023-04"): 67}), {}, across_time=True)
    assert _hidden(hidden) == ["month 2023-04", "month 2023-05"]


def test_series_across_time_a_month_and_its_quarter():
    jan, feb, mar = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
    month = {NORTH: (2, 5, 5), SOUTH: (6, 7, 8)}

    def frames(unit: str) -> tuple[pl.DataFrame, pl.DataFrame]:
        per_month = [
            _values(unit, {o: (n[i], 10 if unit == "percent" else None) for o, n in month.items()}
                    | {SERVICE: (month[NORTH][i] + month[SOUTH][i], 20 if unit == "percent" else None)},
                    label=start.strftime("%b %Y"), start=start)
            for i, start in enumerate((jan, feb, mar))
        ]  # fmt: skip
        quarter = _values(unit, {NORTH: (12, 30 if unit == "percent" else None),
                                 SOUTH: (21, 30 if unit == "percent" else None),
                                 SERVICE: (33, 60 if unit == "percent" else None)},
                          label="2023-24 Q4", start=jan).with_columns(period_grain=pl.lit("quarter"))  # fmt: skip
        return pl.concat(per_month), quarter

    def measure(unit: str, **changes) -> explorer.Measure:
        return dataclasses.replace(_measure(unit), grains=("month", "quarter"), **changes)

    months, quarter = frames("count")
    north, south = ("team", NORTH), ("team", SOUTH)
    s = explorer.Series(measure("count"), months, _orgs(), {"quarter": quarter})
    assert s.across_time
    assert [s.value_text(north, d) for d in (jan, feb, mar)] == [FEWER, SUPPRESSED, "5"]
    assert [s.value_text(south, d) for d in (jan, feb, mar)] == [SUPPRESSED, SUPPRESSED, "8"]
    q = explorer.Series(measure("count"), quarter, _orgs(), {"month": months})
    assert q.value_text(north, jan) == "12"
    # a stock: the org units only
    s = explorer.Series(measure("count", is_stock=True), months, _orgs(), {"quarter": quarter})
    assert not s.across_time
    assert [s.value_text(north, d) for d in (jan, feb, mar)] == [FEWER, "5", "5"]
    # staff: in full, however small and whatever adds up
    s = explorer.Series(measure("count", domain_id="workforce"), months, _orgs(), {"quarter": quarter})
    assert not s.across_time
    assert [s.value_text(north, d) for d in (jan, feb, mar)] == ["2", "5", "5"]
    # a percentage on a flow: the numerator adds up the same way; the whole cell goes
    months, quarter = frames("percent")
    s = explorer.Series(measure("percent"), months, _orgs(), {"quarter": quarter})
    assert s.table(north, s.periods()).rows()[1][1:4] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    assert s.table(north, s.periods()).rows()[2][1:4] == ("5", "10", "50.0%")
    # the catalogue's is_stock; unknown counts as a flow (it only ever hides more)
    assert explorer.Measure.from_row({"indicator_id": "x", "is_stock": True}).is_stock
    assert not explorer.Measure.from_row({"indicator_id": "x", "is_stock": None}).is_stock


def test_changes_and_labels():
    assert explorer.change_text("count", 2) == "up 2"
    assert explorer.change_text("percent", -1.04) == "down 1.0 points"
    assert explorer.change_text("fte", 0.5) == "up 0.5 FTE"
    assert explorer.change_text("rate_per_10k", 0.01) == "no change"
    assert explorer.benchmark_text(2024) == "2023-24"
    assert explorer.benchmark_text(2023, "csww … (as at 30 September of time_period)") == "30 September 2023"
    assert explorer.benchmark_text(None) == ""
    assert explorer.published_label(2024, dt.date(2024, 3, 31)) == "as at 31 March 2024"
    assert explorer.published_label(2024, None) == "for 2023-24"
    assert explorer.amount_text(3.0) == "3" and explorer.amount_text(2.5) == "2.5"
    assert explorer.amount_text(1.0, "fte") == "1.0 FTE"


def test_comparator_tables():
    neighbours = pl.DataFrame({"sn_rank": [1, 2], "sn_la_code": ["878", "926"], "sn_la_name": ["Devon", "Norfolk"],
                               "closeness": ["Very close", None], "region_name": ["South West", None],
                               "la_value": [61.0, None]})  # fmt: skip
    assert explorer.neighbour_mean(neighbours) == (61.0, 1)
    assert explorer.neighbours_table("percent", neighbours).rows() == [
        ("1", "Devon", "878", "Very close", "61.0%"),
        ("2", "Norfolk", "926", "", "not published"),
    ]
    summary = explorer.summary_table("percent", "East Sussex", {"england_value": 69.0, "region_name": None}, neighbours)
    assert summary.rows() == [
        ("East Sussex (as DfE published it)", "not published"),
        ("England", "69.0%"),
        ("Region", "not published"),
        ("Statistical neighbours (average of the 1 with a published figure)", "61.0%"),
    ]


def test_definition_details():
    roles = pl.DataFrame({"role_id": ["cscmt"], "role_name": ["CSCMT"], "kind": ["group"]})
    assert explorer.audience_names(["cscmt", "workforce_lead"], roles) == ["CSCMT", "Workforce lead"]
    assert explorer.audience_names(["cscmt"], pl.DataFrame()) == ["Cscmt"]
    tasks = pl.DataFrame({"task_number": ["4.1", "3.13", "3.2"], "part": [4, 3, 3], "task": ["A", "B " * 100, "C"]})
    lines = explorer.task_lines(["4.1", "3.13", "3.2", "9.9"], tasks, limit=20)
    assert lines[0] == "3.2: C" and lines[1].startswith("3.13: B B") and lines[1].endswith("…")
    assert lines[2:] == ["4.1: A", "9.9"]
    measure = _measure("count", "workforce")
    details = explorer.details(measure, "Workforce", ["CSCMT"], [])
    assert "**Small numbers:** about staff, not children, so shown in full." in details
    assert "**QA framework tasks:** none recorded" in details
    assert isinstance(measure.indicator, Indicator) and measure.in_full
    assert disclosure.STAFF_DOMAINS == {"workforce"}
