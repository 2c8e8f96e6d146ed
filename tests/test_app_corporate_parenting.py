"""AppTest for the Corporate Parenting Panel page, against the hand-made warehouse in app_fixtures.

AppTest cannot draw charts, so the tests read tiles (`at.metric`), tables (`at.table`), text, selectboxes and
the charts' data as sent to the browser; downloads are read back from Streamlit's media store.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from app_fixtures import BUILD_ID, LA, OTHER_LA, lookup, write_warehouse
from streamlit import dataframe_util
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
SUPPRESSED = "suppressed (small numbers)"
FEWER = "fewer than 5"
NOT_SHOWN = "not shown (small numbers)"
NO_FIGURE = "no published figure yet"
RAG_WORDS = ("On target", "Close to target", "Off target", "-badge[")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("served") / "warehouse.duckdb")


@pytest.fixture
def app(warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    return AppTest.from_file(str(APP), default_timeout=60)


def run(at: AppTest, **params: str) -> AppTest:
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no tile {label!r}; tiles: {[m.label for m in at.metric]}"
    return found[0]


def table(at: AppTest, first_column: str) -> pd.DataFrame:
    for t in at.table:
        df = t.value
        if list(df.columns)[0] == first_column:
            return df.reset_index(drop=True)
    raise AssertionError(f"no table starting {first_column!r}: {[list(t.value.columns)[:1] for t in at.table]}")


def row(df: pd.DataFrame, first_value: str) -> dict:
    match = df[df.iloc[:, 0] == first_value]
    assert len(match) == 1, (first_value, df.iloc[:, 0].tolist())
    return match.iloc[0].to_dict()


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(parts)


def quarter_value(warehouse: Path, indicator_id: str, label: str, la: str = LA) -> dict:
    found = lookup(warehouse, indicator_id, label, la_code=la)
    assert found is not None, (indicator_id, label, la)
    return found


# --- choosing the quarter ----------------------------------------------------------------------------------


def test_default_is_latest_quarter_and_url_keeps_the_choice(app):
    at = run(app)
    quarter = at.selectbox(key="cpp_quarter")
    assert quarter.value == "2024-25 Q4"
    assert quarter.options[0] == "2024-25 Q4"
    assert quarter.options[-1] == "2022-23 Q1"
    assert len(quarter.options) == 12
    assert "2025-26 Q1" not in quarter.options  # another domain's quarter
    assert at.query_params["quarter"] == "2024-25 Q4"
    assert at.query_params["la"] == LA
    assert not at.info  # no fallback note


def test_headline_tiles_for_a_quarter_in_the_url(app, warehouse):
    at = run(app, la=LA, quarter="2024-25 Q3")
    assert at.selectbox(key="cpp_quarter").value == "2024-25 Q3"

    cla_now = quarter_value(warehouse, "cla_at_period_end", "2024-25 Q3")["value"]
    cla_before = quarter_value(warehouse, "cla_at_period_end", "2024-25 Q2")["value"]
    tile = metric(at, "Children looked after")
    assert tile.value == f"{cla_now:,.0f}" == "650"
    assert tile.delta == f"{cla_now - cla_before:+.0f}" == "+5"

    rate = quarter_value(warehouse, "cla_rate_per_10k", "2024-25 Q3")
    assert metric(at, "Rate per 10,000 children").value == f"{rate['value']:.1f}" == "65.0"
    assert metric(at, "Children who started care").value == "50"
    assert metric(at, "Children who left care").value == "45"

    # comparators for the rate come from the latest published year up to the quarter (2023-24)
    year = lookup(warehouse, "cla_rate_per_10k", "2023-24", grain="year")
    text = all_text(at)
    assert (
        f"England {year['england_value']:.1f} · South East {year['region_value']:.1f} · "
        f"statistical neighbours {year['sn_value']:.1f} (average of 10). Published figures for 2023-24."
    ) in text
    assert "England 70.0 · South East 56.0 · statistical neighbours 61.4" in text


def test_quarter_chosen_with_the_selectbox(app):
    at = run(app)
    at.selectbox(key="cpp_quarter").select("2024-25 Q2").run()
    assert not at.exception
    assert at.query_params["quarter"] == "2024-25 Q2"
    assert metric(at, "Children looked after").value == "645"
    assert metric(at, "Children who started care").value == "9"
    # 4 children left care in 2024-25 Q2: never shown, and no change that would give it away
    left = metric(at, "Children who left care")
    assert left.value == FEWER
    assert left.delta == ""
    assert "Change since 2024-25 Q1 not shown (small numbers)." in all_text(at)
    # the quarter after: the change from a small number is not shown either
    at.selectbox(key="cpp_quarter").select("2024-25 Q3").run()
    assert metric(at, "Children who left care").delta == ""
    assert metric(at, "Children who started care").delta == "+41"


@pytest.mark.parametrize("variant", ["2024-25 Q3", "2024-25+Q3", "2024-25-q3", "  2024-25   Q3 ", "2024-25_Q3"])
def test_quarter_spellings(app, variant):
    at = run(app, quarter=variant)
    assert at.selectbox(key="cpp_quarter").value == "2024-25 Q3"
    assert not at.info


@pytest.mark.parametrize(
    "hostile",
    [
        "' OR 1=1 --",
        "2024-25 Q3'; drop table indicator_values; --",
        "<script>alert(1)</script>",
        "**bold** [link](http://example.com)",
        "2024-25 Q9",
        "2019-20 Q1",
        "9" * 5000,
        "",
    ],
)
def test_hostile_or_unknown_quarter_falls_back_politely(app, warehouse, hostile):
    at = run(app, la=LA, quarter=hostile)
    assert at.selectbox(key="cpp_quarter").value == "2024-25 Q4"
    notes = [i.value for i in at.info]
    assert any("quarter in the web address was not recognised" in n for n in notes), notes
    assert not any(hostile.strip() and hostile in n for n in notes)  # never echoed back
    assert at.query_params["quarter"] == "2024-25 Q4"
    assert metric(at, "Children looked after").value == "655"
    assert lookup(warehouse, "cla_at_period_end", "2024-25 Q4")["value"] == 655  # nothing harmed


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", "845' OR '1'='1", "999", "../../etc/passwd"])
def test_hostile_or_unknown_authority_falls_back_politely(app, hostile):
    at = run(app, la=hostile, quarter="2024-25 Q3")
    notes = [i.value for i in at.info]
    assert any("authority in the web address was not recognised" in n for n in notes), notes
    assert at.selectbox(key="cpp_la").value == LA
    assert at.query_params["la"] == LA
    assert at.selectbox(key="cpp_quarter").value == "2024-25 Q3"  # the good parameter is kept


def test_second_authority_from_url_and_its_small_numbers(app, warehouse):
    at = run(app, la=OTHER_LA)
    assert at.selectbox(key="cpp_la").value == OTHER_LA
    assert at.selectbox(key="cpp_quarter").options == ["2024-25 Q4", "2024-25 Q3", "2024-25 Q2", "2024-25 Q1"]
    assert metric(at, "Children looked after").value == "303"
    assert metric(at, "Rate per 10,000 children").value == "60.6"
    assert metric(at, "Children who started care").value == FEWER
    assert metric(at, "Children who left care").value == FEWER
    stability = table(at, "Measure")
    long_term = row(stability, "Children in a long-term stable placement")
    assert long_term["Brighton and Hove"] == SUPPRESSED  # 3 out of 4
    assert long_term["England"] == "69.0%"


def test_authority_chosen_with_the_selectbox(app):
    at = run(app, quarter="2024-25 Q3")
    at.selectbox(key="cpp_la").select(OTHER_LA).run()
    assert not at.exception
    assert at.query_params["la"] == OTHER_LA
    assert at.selectbox(key="cpp_quarter").value == "2024-25 Q3"
    assert metric(at, "Children looked after").value == "302"


# --- tables ------------------------------------------------------------------------------------------------


def test_trend_table_matches_indicator_values_over_three_years(app, warehouse):
    at = run(app, quarter="2024-25 Q4")
    trend = table(at, "Quarter")
    assert len(trend) == 12
    assert trend["Quarter"].iloc[0] == "2022-23 Q1"
    assert trend["Quarter"].iloc[-1] == "2024-25 Q4"
    for _, r in trend.iterrows():
        count = quarter_value(warehouse, "cla_at_period_end", r["Quarter"])["value"]
        rate = quarter_value(warehouse, "cla_rate_per_10k", r["Quarter"])["value"]
        assert r["Children looked after"] == f"{count:,.0f}"
        assert r["Rate per 10,000 children"] == f"{rate:.1f}"
    england = dict(zip(trend["Quarter"], trend["England rate per 10,000 (published, 31 March)"], strict=True))
    assert england["2022-23 Q4"] == "71.0"
    assert england["2023-24 Q4"] == "70.0"
    assert england["2024-25 Q4"] == "67.0"
    assert england["2024-25 Q3"] == ""


def test_placement_types_with_suppression(app, warehouse):
    at = run(app, quarter="2024-25 Q3")
    types = table(at, "Type of placement")
    foster = row(types, "Foster care with other carers")
    count = quarter_value(warehouse, "cla_placement_type_foster_count", "2024-25 Q3")["value"]
    pct = quarter_value(warehouse, "cla_placement_type_foster_pct", "2024-25 Q3")["value"]
    assert foster["Children, 2024-25 Q3"] == f"{count:,.0f}" == "400"
    assert foster["Share, 2024-25 Q3"] == f"{pct:.1f}%" == "61.5%"
    assert foster["Change since 2024-25 Q2"] == "up 2"
    assert foster["Change since 2023-24 Q3"] == "up 8"
    adoption = row(types, "Placed for adoption")
    assert adoption["Change since 2024-25 Q2"] == "no change"

    other = row(types, "Other placements (secure, health, custody)")  # 3 children
    assert other["Children, 2024-25 Q3"] == FEWER
    assert other["Share, 2024-25 Q3"] == SUPPRESSED
    assert other["Change since 2024-25 Q2"] == SUPPRESSED
    # 15 with parents would give the 3 away (650 minus the rest), so it is hidden too
    parents = row(types, "Placed with parents")
    assert set(parents.values()) == {"Placed with parents", SUPPRESSED}


def test_providers_internal_and_external(app, warehouse):
    at = run(app, quarter="2024-25 Q3")
    own = quarter_value(warehouse, "cla_provider_own_la_count", "2024-25 Q3")
    own_pct = quarter_value(warehouse, "cla_provider_own_la_pct", "2024-25 Q3")
    internal = metric(at, "Own council placements (internal)")
    assert internal.value == f"{own['value']:.0f}" == "350"
    assert internal.delta == "+2"
    external = metric(at, "External placements")
    assert external.value == "283"  # 230 + 30 + 20 + 3
    assert f"{own_pct['value']:.1f}% of children looked after" in all_text(at)
    assert "43.5% of children looked after" in all_text(at)

    providers = table(at, "Provider")
    assert row(providers, "Own council")["Provided by"] == "Own council"
    assert row(providers, "Private provider")["Children, 2024-25 Q3"] == "230"
    assert row(providers, "Private provider")["Provided by"] == "External"
    nhs = row(providers, "Other public body (e.g. NHS)")
    assert nhs["Children, 2024-25 Q3"] == FEWER
    assert nhs["Share, 2024-25 Q3"] == SUPPRESSED
    # external is shown, so one more external provider must be hidden to protect the 3
    voluntary = row(providers, "Voluntary or third sector")
    assert voluntary["Children, 2024-25 Q3"] == SUPPRESSED

    provider_trend = next(t.value for t in at.table if "Own council: share" in t.value.columns)
    last = provider_trend.iloc[-1].to_dict()
    assert last["Quarter"] == "2024-25 Q3"
    assert last["Own council: children"] == "350"
    assert last["Own council: share"] == f"{own_pct['value']:.1f}%"
    assert last["External: children"] == "283"
    assert last["Other: children"] == "17"  # 15 with parents and 2 with no provider recorded


def test_children_with_no_provider_recorded_are_shown_and_protected(app, warehouse):
    at = run(app, quarter="2024-25 Q3")
    total = quarter_value(warehouse, "cla_at_period_end", "2024-25 Q3")["value"]
    groups = ["own_la", "other_la", "other_public", "private", "voluntary", "parents"]
    six = sum(quarter_value(warehouse, f"cla_provider_{g}_count", "2024-25 Q3")["value"] for g in groups)
    assert total - six == 2  # in the total, in no provider group

    # the tiles add up to the children looked after: the "other" tile holds the 2 as well as the parents
    internal = int(metric(at, "Own council placements (internal)").value)
    external = int(metric(at, "External placements").value)
    other = metric(at, "With parents or not recorded")
    assert other.value == "17"
    assert internal + external + int(other.value) == total == 650

    providers = table(at, "Provider")
    not_recorded = row(providers, "Not recorded")
    assert not_recorded["Provided by"] == "Other"
    assert not_recorded["Children, 2024-25 Q3"] == FEWER
    assert not_recorded["Share, 2024-25 Q3"] == SUPPRESSED
    assert not_recorded["Change since 2024-25 Q2"] == SUPPRESSED
    # with "other" (17) shown, the 15 with parents would give the 2 away, so it is hidden too
    parents = row(providers, "Parents or others with parental responsibility")
    assert parents["Children, 2024-25 Q3"] == SUPPRESSED
    assert parents["Share, 2024-25 Q3"] == SUPPRESSED
    assert parents["Change since 2024-25 Q2"] == SUPPRESSED
    # whatever is visible, no small number can be worked out: every equation has 0 or 2+ unknowns
    shown = {
        r["Provider"]: (None if r["Children, 2024-25 Q3"] in (FEWER, SUPPRESSED) else int(r["Children, 2024-25 Q3"]))
        for r in providers.to_dict("records")
    }
    for members in (
        ["Own council"],
        ["Another council", "Private provider", "Voluntary or third sector", "Other public body (e.g. NHS)"],
        ["Parents or others with parental responsibility", "Not recorded"],
        list(shown),
    ):
        assert sum(shown[m] is None for m in members) != 1, members


def test_no_provider_recorded_in_the_download(app, monkeypatch):
    files = downloaded(app, monkeypatch, quarter="2024-25 Q3")
    providers = files["cla_providers_845_2024-25_Q3.csv"]
    assert "Not recorded,Other,fewer than 5,suppressed (small numbers)" in providers
    assert "Parents or others with parental responsibility,Other,suppressed (small numbers)" in providers


def test_out_of_area_and_distance(app, warehouse):
    at = run(app, quarter="2024-25 Q3")
    outside = quarter_value(warehouse, "cla_placed_outside_la_pct", "2024-25 Q3")
    over = quarter_value(warehouse, "cla_placed_over_20_miles_pct", "2024-25 Q3")
    assert metric(at, "Placed outside the authority's area").value == f"{outside['value']:.1f}%" == "24.6%"
    tile = metric(at, "Placed more than 20 miles from home")
    assert tile.value == f"{over['value']:.1f}%" == "13.8%"
    assert tile.delta == "+0.2 points"
    markdown = [m.value for m in at.markdown]
    assert "Target 12.0% :orange-badge[Close to target]" in markdown  # RAG where the catalogue has a target
    location = next(t.value for t in at.table if "Placed more than 20 miles from home" in t.value.columns)
    assert len(location) == 11  # 2022-23 Q1 .. 2024-25 Q3
    for _, r in location.iterrows():
        v = quarter_value(warehouse, "cla_placed_outside_la_pct", r["Quarter"])["value"]
        assert r["Placed outside the authority's area"] == f"{v:.1f}%"


def test_rag_and_change_of_a_hidden_percentage_are_not_shown(app):
    # Brighton and Hove, 2024-25 Q2: 4 of 30 placed more than 20 miles away (13.3%, amber). With a target of
    # 12 and amber to 15, "Close to target" would tell the reader the hidden figure is 12-15%.
    at = run(app, la=OTHER_LA, quarter="2024-25 Q2")
    tile = metric(at, "Placed more than 20 miles from home")
    assert tile.value == SUPPRESSED
    assert tile.delta == ""  # no change from Q1 either (13.3% to a hidden value)
    text = all_text(at)
    assert f"Target 12.0% · against target: {NOT_SHOWN}" in text
    assert f"Change since 2024-25 Q1 {NOT_SHOWN}." in text
    markdown = "\n".join(m.value for m in at.markdown)
    assert not any(word in markdown for word in RAG_WORDS), markdown
    location = next(t.value for t in at.table if "Placed more than 20 miles from home" in t.value.columns)
    assert row(location, "2024-25 Q2")["Placed more than 20 miles from home"] == SUPPRESSED

    # The quarter after: 13.0% is shown with its RAG, but not the change from the hidden 2024-25 Q2
    at.selectbox(key="cpp_quarter").select("2024-25 Q3").run()
    tile = metric(at, "Placed more than 20 miles from home")
    assert tile.value == "13.0%"
    assert tile.delta == ""
    assert f"Change since 2024-25 Q2 {NOT_SHOWN}." in all_text(at)
    assert "Target 12.0% :orange-badge[Close to target]" in [m.value for m in at.markdown]

    # And the one after that: both sides shown, so the change is too
    at.selectbox(key="cpp_quarter").select("2024-25 Q4").run()
    tile = metric(at, "Placed more than 20 miles from home")
    assert tile.value == "11.9%"
    assert tile.delta == "-1.1 points"
    assert "Target 12.0% :green-badge[On target]" in [m.value for m in at.markdown]


def test_stability_rag_of_a_hidden_value_is_not_shown(app):
    # long-term stability 3 of 4 (75%) is hidden; "On target" (target 70) would say it is at least 70%
    at = run(app, la=OTHER_LA, quarter="2024-25 Q4")
    long_term = row(table(at, "Measure"), "Children in a long-term stable placement")
    assert long_term["Brighton and Hove"] == SUPPRESSED
    assert long_term["Against target"] == NOT_SHOWN
    assert "On target" not in table(at, "Measure").to_numpy().ravel().tolist()

    at.selectbox(key="cpp_la").select(LA).run()  # shown values keep their RAG
    long_term = row(table(at, "Measure"), "Children in a long-term stable placement")
    assert long_term["East Sussex"] == "70.0%"
    assert long_term["Against target"] == "On target"


def test_stability_rag_of_a_hidden_value_is_not_in_the_download(app, monkeypatch):
    files = downloaded(app, monkeypatch, la=OTHER_LA, quarter="2024-25 Q4")
    stability = files["cla_stability_846_2024-25_Q4.csv"]
    long_term = next(line for line in stability.splitlines() if line.startswith("Children in a long-term"))
    assert SUPPRESSED in long_term
    assert long_term.endswith(NOT_SHOWN)
    assert not any(word in stability for word in RAG_WORDS)


def test_no_comparators_from_a_later_year(app, warehouse, monkeypatch):
    # 2022-23 Q2 ends 30 September 2022, before the first published year (31 March 2023)
    at = run(app, la=LA, quarter="2022-23 Q2")
    text = all_text(at)
    later = lookup(warehouse, "cla_rate_per_10k", "2022-23", grain="year")
    assert later["benchmark_year"] == 2023
    assert f"England {later['england_value']:.1f}" not in text
    assert "Published figures for 2022-23" not in text
    assert f"Published comparators: {NO_FIGURE}" in text
    stability = table(at, "Measure")
    for measure in ("Children with three or more placements in the year", "Children in a long-term stable placement"):
        r = row(stability, measure)
        assert r["England"] == r["Region"] == r["Statistical neighbours (average)"] == NO_FIGURE, r
        assert r["Comparators published for"] == NO_FIGURE
    (chart,) = [c for c in at.get("vega_lite_chart") if "Statistical neighbours" in str(chart_frames(c)[0].get("who"))]
    bars = chart_frames(chart)[0]
    assert bars[bars["who"] != "East Sussex"]["value"].isna().all()

    files = downloaded(app, monkeypatch, la=LA, quarter="2022-23 Q2")
    csv_text = files["cla_stability_845_2022-23_Q2.csv"]
    for r in csv.DictReader(io.StringIO(csv_text)):
        assert r["England"] == r["Region"] == r["Statistical neighbours (average)"] == NO_FIGURE, r
        assert r["Comparators published for"] == NO_FIGURE
    for published in ("10.0%", "11.0%", "10.5%", "71.0%", "68.0%", "70.5%"):  # the 2022-23 comparators
        assert published not in csv_text

    # an authority with no published figures at all says so, not "yet"
    at.selectbox(key="cpp_la").select(OTHER_LA).run()
    assert "No published comparators." in all_text(at)

    # the quarter ending 31 March 2023 has that year's own figures
    at.selectbox(key="cpp_la").select(LA).run()
    at.selectbox(key="cpp_quarter").select("2022-23 Q4").run()
    first = (
        "England 71.0 · South East 57.0 · statistical neighbours 60.2 (average of 10). Published figures for 2022-23."
    )
    assert first in all_text(at)


def test_stability_against_comparators_and_neighbours(app, warehouse):
    at = run(app, quarter="2024-25 Q3")
    stability = table(at, "Measure")
    three = row(stability, "Children with three or more placements in the year")
    q3 = quarter_value(warehouse, "cla_3plus_placements_pct", "2024-25 Q3")
    year = lookup(warehouse, "cla_3plus_placements_pct", "2023-24", grain="year")
    assert three["Period"] == "2024-25 Q3"
    assert three["East Sussex"] == f"{q3['value']:.1f}%" == "10.8%"
    assert three["England"] == f"{year['england_value']:.1f}%" == "10.0%"
    assert three["South East"] == "11.0%"
    assert three["Statistical neighbours (average)"] == "10.9%"
    assert three["Comparators published for"] == "2023-24"

    long_term = row(stability, "Children in a long-term stable placement")  # yearly measure only
    assert long_term["Period"] == "year to 31 March 2024"
    assert long_term["East Sussex"] == "70.0%"  # 168 / 240
    assert long_term["England"] == "71.0%"

    expander = next(e for e in at.expander if "statistical neighbours" in e.label)
    neighbours = expander.table[0].value
    assert neighbours["Authority"].tolist()[:3] == ["Devon", "Kent", "Cornwall"]
    assert len(neighbours) == 10


def test_definitions_are_one_click_away(app, warehouse):
    at = run(app, quarter="2024-25 Q3")
    con = duckdb.connect(str(warehouse), read_only=True)
    definitions = dict(con.sql("select indicator_id, definition from indicators").fetchall())
    con.close()
    popovers = at.get("popover")
    assert len(popovers) >= 9
    popover_text = "\n".join(m.value for p in popovers for m in p.markdown)
    for indicator_id in [
        "cla_at_period_end",
        "cla_rate_per_10k",
        "cla_starts",
        "cla_ceased",
        "cla_placed_outside_la_pct",
        "cla_placed_over_20_miles_pct",
        "cla_3plus_placements_pct",
        "cla_long_term_stability_pct",
        "cla_placement_type_foster_count",
        "cla_provider_own_la_count",
    ]:
        assert definitions[indicator_id] in popover_text, indicator_id
    assert "**Out of (denominator):** Children aged 0 to 17 (ONS mid-year estimate)" in popover_text
    assert "**Target:** 12.0% (amber up to 15.0%)" in popover_text


def test_no_small_count_or_decoy_anywhere(app):
    at = run(app, quarter="2024-25 Q3")
    for t in at.table:
        df = t.value
        if "Rank" in df.columns:  # neighbour ranks are not counts
            continue
        for value in df.astype(str).to_numpy().ravel():
            assert value not in {"0", "1", "2", "3", "4"}, (list(df.columns), value)
    shown = [m.value for m in at.metric] + [str(v) for t in at.table for v in t.value.to_numpy().ravel()]
    assert "123" not in shown  # team-level row
    assert "651" not in shown  # month row


def test_about_this_data(app):
    at = run(app, quarter="2024-25 Q3")
    text = all_text(at)
    assert "figures up to 31 March 2025" in text
    assert "warehouse built 2 April 2025 at 09:30" in text


# --- charts: the data sent to the browser equals the tables ------------------------------------------------


def chart_frames(chart) -> list[pd.DataFrame]:
    return [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]


def test_trend_chart_data_equals_table_and_is_not_decimal(app):
    at = run(app, quarter="2024-25 Q4")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 5
    local, reference = chart_frames(charts[0])
    trend = table(at, "Quarter")
    assert local["quarter"].tolist() == trend["Quarter"].tolist()
    assert [f"{v:.1f}" for v in local["value"]] == trend["Rate per 10,000 children"].tolist()
    assert str(local["value"].dtype) == "float64"  # not DECIMAL, which Altair would draw 100 times too large
    england = {q: e for q, e in zip(trend["Quarter"], trend.iloc[:, -1], strict=True) if e}
    assert {q: f"{v:.1f}" for q, v in zip(reference["quarter"], reference["value"], strict=True)} == england


def test_placement_chart_leaves_out_hidden_cells(app):
    at = run(app, quarter="2024-25 Q3")
    (frame,) = chart_frames(at.get("vega_lite_chart")[1])
    now = frame[frame["period"] == "2024-25 Q3"].set_index("label")
    assert now.loc["Foster care with other carers", "share_text"] == "61.5%"
    assert now.loc["Foster care with other carers", "share"] == pytest.approx(400 / 650 * 100)
    assert pd.isna(now.loc["Other placements (secure, health, custody)", "share"])
    assert pd.isna(now.loc["Placed with parents", "share"])
    types = table(at, "Type of placement").set_index("Type of placement")
    for label, r in now.iterrows():
        assert r["share_text"] == types.loc[label, "Share, 2024-25 Q3"]


# --- downloads ---------------------------------------------------------------------------------------------


class RecordingStorage(MemoryMediaFileStorage):
    instances: list[RecordingStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


def downloaded(app: AppTest, monkeypatch, **params: str) -> dict[str, str]:
    """Every CSV download on the page, by file name, as the browser would receive it."""
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = run(app, **params)
    storage = RecordingStorage.instances[-1]
    files = {}
    for button in at.download_button:
        stored = storage.get_file(button.proto.url.rsplit("/", 1)[-1])
        files[stored.filename] = stored.content.decode("utf-8-sig").replace("\r\n", "\n")
    return files


def test_downloads_equal_the_tables_and_are_safe(app, monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = run(app, quarter="2024-25 Q3")
    storage = RecordingStorage.instances[-1]
    buttons = at.download_button
    tables = [t.value for t in at.table]
    assert len(buttons) == len(tables) == 7
    for button, shown in zip(buttons, tables, strict=True):
        assert button.label == "Download this table (CSV)"
        content = storage.get_file(button.proto.url.rsplit("/", 1)[-1]).content
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert rows[0] == list(shown.columns)
        assert rows[1:] == shown.astype(str).values.tolist()
        for cells in rows:
            for cell in cells:
                assert not cell.startswith(("=", "+", "-", "@")), cell
    types_csv = storage.get_file(buttons[1].proto.url.rsplit("/", 1)[-1]).content.decode("utf-8-sig")
    assert '"Other placements (secure, health, custody)",fewer than 5,suppressed (small numbers)' in types_csv
    named = storage.get_file(buttons[1].proto.url.rsplit("/", 1)[-1]).filename
    assert named == "cla_placement_types_845_2024-25_Q3.csv"


# --- the served build and the warehouse being absent -------------------------------------------------------


def test_sidebar_shows_build_and_synthetic_banner(app):
    at = run(app)
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert f"Build **{BUILD_ID}**" in sidebar
    assert "Built 2 April 2025 at 09:30" in sidebar
    banners = [w.value for w in at.warning]
    assert "**Synthetic demonstration data – not real children**" in banners
    assert "Synthetic demonstration data – not real children" in [w.value for w in at.sidebar.warning]


def test_no_banner_for_real_data(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "real.duckdb", synthetic=False, build_id="real-1")
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    at = run(AppTest.from_file(str(APP), default_timeout=60))
    assert not any("Synthetic" in w.value for w in at.warning)
    assert "Build **real-1**" in "\n".join(m.value for m in at.sidebar.markdown)


def test_new_build_shows_at_once(tmp_path, monkeypatch):
    served = write_warehouse(tmp_path / "warehouse.duckdb", build_id="build-1")
    monkeypatch.setenv("CSQA_WAREHOUSE", str(served))
    at = run(AppTest.from_file(str(APP), default_timeout=60))
    assert "Build **build-1**" in "\n".join(m.value for m in at.sidebar.markdown)
    fresh = write_warehouse(tmp_path / "build" / "build-2.duckdb", build_id="build-2")
    os.replace(fresh, served)
    at.run()
    assert "Build **build-2**" in "\n".join(m.value for m in at.sidebar.markdown)


def test_missing_warehouse_gives_a_polite_message(tmp_path, monkeypatch):
    monkeypatch.setenv("CSQA_WAREHOUSE", str(tmp_path / "not-built-yet.duckdb"))
    at = run(AppTest.from_file(str(APP), default_timeout=60))
    notes = [i.value for i in at.info]
    assert any("There is no data to show yet" in n and "`csqa build`" in n and "`make demo`" in n for n in notes)
    assert "No warehouse has been built yet." in [m.value for m in at.sidebar.markdown]
    assert not at.metric


def test_broken_warehouse_gives_a_polite_message(tmp_path, monkeypatch):
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(b"this is not a duckdb file")
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    monkeypatch.setattr("app.data.RETRY_DELAY_SECONDS", 0.0)
    at = run(AppTest.from_file(str(APP), default_timeout=60))
    assert any("could not be opened just now" in w.value for w in at.warning)


def test_old_warehouse_without_the_marts_gives_a_polite_message(tmp_path, monkeypatch):
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create schema meta; create table meta.build_info as "
        "select 'old' as build_id, now()::timestamp as built_at, false as synthetic"
    )
    con.close()
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    at = run(AppTest.from_file(str(APP), default_timeout=60))
    assert any("does not hold everything this page needs" in w.value for w in at.warning)
