"""The demo pipeline end to end: generated files → ingest → build, checked against the published picture."""

from __future__ import annotations

import duckdb
import pytest

REQUIRED = [
    "cla_at_period_end", "cla_rate_per_10k", "cla_starts", "cla_ceased", "cla_3plus_placements_pct",
    "cla_long_term_stability_pct", "cla_placed_over_20_miles_pct", "cla_placed_outside_la_pct",
]


def q(path, sql, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


def test_generated_files_load_cleanly_and_reconcile(demo_data):
    rows = q(demo_data.warehouse, "select file_name, rows_read, rows_loaded, rows_rejected, status from meta.loads")
    assert len(rows) >= 6 * 5 + 2  # five 903 tables a year for six years, plus two reference files
    for name, read, loaded, rejected, status in rows:
        assert read == loaded + rejected and status == "loaded", name
    # The generator writes valid returns: a rejected row here is a generator or contract bug.
    assert q(demo_data.warehouse, "select rule, count(*), any_value(message) from meta.rejected_rows group by 1") == []


def test_every_required_indicator_has_values_at_every_grain(demo_data):
    got = set(q(demo_data.warehouse, "select distinct indicator_id, period_grain from indicator_values"))
    for indicator in REQUIRED:
        for grain in ("month", "quarter", "year"):
            assert (indicator, grain) in got, (indicator, grain)
    mix = q(demo_data.warehouse, """select count(distinct indicator_id) from indicator_values
                                    where indicator_id like 'cla_placement_type_%'
                                       or indicator_id like 'cla_provider_%'""")
    assert mix[0][0] >= 20


def test_demo_authority_resembles_east_sussex(demo_data):
    values = dict(q(demo_data.warehouse, """select indicator_id, value from indicator_values
                                            where period_grain = 'year' and period_label = '2024-25'
                                              and org_level = 'la' and la_code = '845'"""))
    assert 600 <= values["cla_at_period_end"] <= 780
    assert 55 <= values["cla_rate_per_10k"] <= 75
    assert 200 <= values["cla_starts"] <= 300
    assert 180 <= values["cla_ceased"] <= 280
    assert 6 <= values["cla_3plus_placements_pct"] <= 20
    assert 50 <= values["cla_long_term_stability_pct"] <= 85


def test_published_comparators_sit_beside_the_authority(demo_data):
    # DfE 2025 (year ending 31 March 2025): England 67 per 10,000; the South East region; East Sussex's
    # ten statistical neighbours (2025 model) all publish a rate.
    [(year, england, region, region_name, sn, sn_count)] = q(demo_data.warehouse, """
        select benchmark_year, england_value, region_value, region_name, sn_value, sn_count
        from indicator_values where indicator_id = 'cla_rate_per_10k' and period_grain = 'year'
          and period_label = '2024-25' and la_code = '845'""")
    assert (year, england, region_name) == (2025, 67, "South East")
    assert region == pytest.approx(60, abs=15) and sn_count == 10 and sn == pytest.approx(70, abs=20)
    # The rate per 10,000 uses ONS's mid-2024 estimate for East Sussex (104,428 children aged 0-17).
    [(num, den, value)] = q(demo_data.warehouse, """
        select numerator, denominator, value from indicator_values where indicator_id = 'cla_rate_per_10k'
          and period_grain = 'year' and period_label = '2024-25' and la_code = '845'""")
    assert den == 104428 and value == pytest.approx(num * 10000 / 104428, abs=0.05)


def test_served_build_is_marked_synthetic(demo_data):
    assert q(demo_data.warehouse, "select synthetic from meta.build_info") == [(True,)]
