"""The hand-made SSDA903 fixture (tests/fixtures/ssda903_small, README there counts every child) through
ingest and build: indicator_values must hold the values a person counts by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from ingest.build import build
from ingest.load import ingest_paths
from ingest.paths import DataDir

FIXTURE = Path(__file__).parent / "fixtures" / "ssda903_small"
DEC, Q3, YEAR = ("month", "Dec 2024"), ("quarter", "2024-25 Q3"), ("year", "2024-25")

# (indicator, grain and period) → (numerator, denominator, value), from the fixture README's tables.
BY_HAND = {
    ("cla_at_period_end", DEC): (8, None, 8),
    ("cla_at_period_end", Q3): (8, None, 8),
    ("cla_at_period_end", YEAR): (8, None, 8),
    ("cla_rate_per_10k", DEC): (8, 40000, 2.0),
    ("cla_rate_per_10k", YEAR): (8, 40000, 2.0),
    ("cla_starts", DEC): (1, None, 1),
    ("cla_starts", Q3): (2, None, 2),
    ("cla_starts", YEAR): (4, None, 4),
    ("cla_ceased", DEC): (1, None, 1),
    ("cla_ceased", Q3): (1, None, 1),
    ("cla_ceased", YEAR): (2, None, 2),
    ("cla_3plus_placements_pct", Q3): (1, 8, 12.5),
    ("cla_3plus_placements_pct", YEAR): (1, 8, 12.5),
    ("cla_long_term_stability_pct", DEC): (1, 2, 50.0),
    ("cla_long_term_stability_pct", YEAR): (2, 3, 200 / 3),
    ("cla_placed_over_20_miles_pct", Q3): (1, 5, 20.0),
    ("cla_placed_over_20_miles_pct", YEAR): (2, 5, 40.0),
    ("cla_placed_outside_la_pct", DEC): (3, 6, 50.0),
    ("cla_placed_outside_la_pct", YEAR): (3, 6, 50.0),
    ("cla_placement_type_foster_la_count", Q3): (3, None, 3),
    ("cla_placement_type_foster_la_pct", YEAR): (2, 8, 25.0),
    ("cla_placement_type_adoption_count", YEAR): (1, None, 1),
    ("cla_placement_type_other_count", YEAR): (1, None, 1),
    ("cla_provider_own_la_count", DEC): (4, None, 4),
    ("cla_provider_own_la_pct", YEAR): (3, 8, 37.5),
    ("cla_provider_parents_pct", Q3): (1, 8, 12.5),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    data = DataDir(tmp_path_factory.mktemp("small") / "data")
    outcomes = ingest_paths(data.landing, [FIXTURE])
    assert [o.rows_rejected for o in outcomes] == [0] * len(outcomes)
    return build(data).warehouse


def fetch(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.sql("""select indicator_id, period_grain, period_label, numerator, denominator, value, rag,
                                 previous_value, year_ago_value, benchmark_year, england_value, region_name,
                                 sn_count
                          from indicator_values where la_code = '845' and org_level = 'la'""").fetchall()
    finally:
        con.close()
    return {(r[0], (r[1], r[2])): r[3:] for r in rows}


def test_hand_counted_values(warehouse):
    got = fetch(warehouse)
    for key, (numerator, denominator, value) in BY_HAND.items():
        assert key in got, key
        assert got[key][0] == numerator, key
        assert got[key][1] == denominator, key
        assert got[key][2] == pytest.approx(value), key


def test_rag_previous_year_ago_and_comparators(warehouse):
    got = fetch(warehouse)
    # 3+ placements 12.5 against a local target of 10 (amber to 12), lower is better: red.
    assert got[("cla_3plus_placements_pct", Q3)][3] == "red"
    assert got[("cla_long_term_stability_pct", YEAR)][3] == "amber"
    # CLA: Nov 2024 = 8, Dec 2023 = 5; Q2 = 7; 31 March 2024 = 6.
    assert got[("cla_at_period_end", DEC)][4:6] == (8, 5)
    assert got[("cla_at_period_end", Q3)][4:6] == (7, 5)
    assert got[("cla_at_period_end", YEAR)][4] == 6
    # The year uses DfE's 2025 figures (England 67 per 10,000); December uses 2024's (69).
    assert got[("cla_rate_per_10k", YEAR)][6:] == (2025, 67, "South East", 10)
    assert got[("cla_rate_per_10k", DEC)][6:8] == (2024, 69)


def test_short_break_child_appears_nowhere(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.sql("select count(*) from placements where child_id = 'C03'").fetchall() == [(0,)]
    finally:
        con.close()


def test_every_row_of_the_expected_table(warehouse):
    """The fixture's full expected table (every CLA indicator for the three periods) matches to 4 places."""
    got = fetch(warehouse)
    with open(FIXTURE / "expected_indicator_values.tsv") as fh:
        expected = list(csv.DictReader(fh, delimiter="\t"))
    assert len(expected) > 100
    for row in expected:
        key = (row["indicator_id"], (row["period_grain"], row["period_label"]))
        assert key in got, key
        assert got[key][2] == pytest.approx(float(row["value"]), abs=1e-4), key
