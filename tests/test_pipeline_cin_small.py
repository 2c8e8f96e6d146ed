"""The hand-made children-in-need fixture (tests/fixtures/cin_small, README there counts every child) through
ingest and build: indicator_values must hold the values a person counts by hand, for the authority, its
services and its teams, and a team missing from org_units.csv must be reported, never dropped."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.build import build
from ingest.load import ingest_paths
from ingest.paths import DataDir

FIXTURE = Path(__file__).parent / "fixtures" / "cin_small"
DEC, Q3, YEAR = ("month", "Dec 2024"), ("quarter", "2024-25 Q3"), ("year", "2024-25")
LA, MASH, AT1, SGA, SGB = ("la", "845"), ("team", "T_MASH"), ("team", "T_AT1"), ("team", "T_SGA"), ("team", "T_SGB")
UNMAPPED = ("team", "unmapped:Locality 9 Duty Team")
FRONT_DOOR, SAFEGUARDING, NO_SERVICE = ("service", "S_FD"), ("service", "S_SG"), ("service", "unmapped")

# (indicator, org unit, period) -> (numerator, denominator, value), from the fixture README's tables.
BY_HAND = {
    ("cin_contacts", LA, DEC): (4, None, 4),
    ("cin_contacts", LA, Q3): (5, None, 5),
    ("cin_referrals", LA, DEC): (4, None, 4),
    ("cin_referrals", LA, Q3): (9, None, 9),
    ("cin_referrals", LA, YEAR): (13, None, 13),
    ("cin_rereferrals_12m_pct", LA, DEC): (1, 4, 25.0),
    ("cin_rereferrals_12m_pct", LA, Q3): (1, 9, 100 / 9),
    ("cin_rereferrals_12m_pct", LA, YEAR): (1, 13, 100 / 13),
    ("cin_referrals_nfa_pct", LA, DEC): (1, 4, 25.0),
    ("cin_referrals_nfa_pct", LA, Q3): (1, 9, 100 / 9),
    ("cin_referrals_nfa_pct", LA, YEAR): (2, 13, 200 / 13),
    ("cin_assessments_completed", LA, DEC): (2, None, 2),
    ("cin_assessments_completed", LA, Q3): (3, None, 3),
    ("cin_assessments_completed", LA, YEAR): (8, None, 8),
    ("cin_assessments_within_45wd_pct", LA, DEC): (1, 2, 50.0),
    ("cin_assessments_within_45wd_pct", LA, Q3): (2, 3, 200 / 3),
    ("cin_assessments_within_45wd_pct", LA, YEAR): (5, 8, 62.5),
    ("cin_assessments_open_over_45wd", LA, DEC): (1, None, 1),
    ("cin_assessments_open_over_45wd", LA, Q3): (1, None, 1),
    ("cin_assessments_open_over_45wd", LA, YEAR): (0, None, 0),
    ("cin_s47_started", LA, DEC): (2, None, 2),
    ("cin_s47_started", LA, Q3): (3, None, 3),
    ("cin_s47_started", LA, YEAR): (4, None, 4),
    ("cin_icpc_within_15wd_pct", LA, DEC): (1, 1, 100.0),
    ("cin_icpc_within_15wd_pct", LA, Q3): (1, 2, 50.0),
    ("cin_icpc_within_15wd_pct", LA, YEAR): (2, 4, 50.0),
    ("cp_plans_started", LA, DEC): (1, None, 1),
    ("cp_plans_started", LA, Q3): (2, None, 2),
    ("cp_plans_started", LA, YEAR): (4, None, 4),
    ("cp_plans_at_period_end", LA, DEC): (4, None, 4),
    ("cp_plans_at_period_end", LA, Q3): (4, None, 4),
    ("cp_plans_at_period_end", LA, YEAR): (5, None, 5),
    ("cp_rate_per_10k", LA, DEC): (4, 40000, 1.0),
    ("cp_rate_per_10k", LA, Q3): (4, 40000, 1.0),
    ("cp_rate_per_10k", LA, YEAR): (5, 40000, 1.25),
    ("cp_plans_second_or_subsequent_pct", LA, DEC): (0, 1, 0.0),
    ("cp_plans_second_or_subsequent_pct", LA, Q3): (1, 2, 50.0),
    ("cp_plans_second_or_subsequent_pct", LA, YEAR): (2, 4, 50.0),
    ("cp_plans_2yrs_plus_pct", LA, DEC): (1, 4, 25.0),
    ("cp_plans_2yrs_plus_pct", LA, Q3): (1, 4, 25.0),
    ("cp_plans_2yrs_plus_pct", LA, YEAR): (2, 5, 40.0),
    ("cp_visits_within_standard_pct", LA, DEC): (3, 4, 75.0),
    ("cp_visits_within_standard_pct", LA, Q3): (3, 4, 75.0),
    ("cin_open_at_period_end", LA, DEC): (10, None, 10),
    ("cin_open_at_period_end", LA, Q3): (10, None, 10),
    ("cin_open_at_period_end", LA, YEAR): (7, None, 7),
    # teams and services
    ("cin_referrals", MASH, DEC): (1, None, 1),
    ("cin_referrals", AT1, DEC): (0, None, 0),
    ("cin_referrals", SGA, DEC): (2, None, 2),
    ("cin_referrals", UNMAPPED, DEC): (1, None, 1),
    ("cin_referrals", FRONT_DOOR, DEC): (1, None, 1),
    ("cin_referrals", SAFEGUARDING, DEC): (2, None, 2),
    ("cin_referrals", NO_SERVICE, DEC): (1, None, 1),
    ("cin_referrals", MASH, Q3): (2, None, 2),
    ("cin_referrals", AT1, Q3): (3, None, 3),
    ("cin_referrals", FRONT_DOOR, Q3): (5, None, 5),
    ("cin_referrals", AT1, YEAR): (5, None, 5),
    ("cin_referrals", SGA, YEAR): (4, None, 4),
    ("cin_referrals", FRONT_DOOR, YEAR): (7, None, 7),
    ("cin_rereferrals_12m_pct", MASH, DEC): (1, 1, 100.0),
    ("cin_rereferrals_12m_pct", MASH, Q3): (1, 2, 50.0),
    ("cin_rereferrals_12m_pct", FRONT_DOOR, Q3): (1, 5, 20.0),
    ("cin_referrals_nfa_pct", UNMAPPED, DEC): (1, 1, 100.0),
    ("cin_assessments_within_45wd_pct", MASH, DEC): (1, 1, 100.0),
    ("cin_assessments_within_45wd_pct", AT1, DEC): (0, 1, 0.0),
    ("cin_assessments_within_45wd_pct", AT1, Q3): (1, 2, 50.0),
    ("cin_assessments_within_45wd_pct", AT1, YEAR): (2, 5, 40.0),
    ("cin_assessments_within_45wd_pct", FRONT_DOOR, YEAR): (4, 7, 400 / 7),
    ("cin_assessments_within_45wd_pct", SGA, YEAR): (1, 1, 100.0),
    ("cin_assessments_open_over_45wd", AT1, DEC): (1, None, 1),
    ("cin_assessments_open_over_45wd", MASH, DEC): (0, None, 0),
    ("cin_icpc_within_15wd_pct", SGA, Q3): (1, 2, 50.0),
    ("cin_icpc_within_15wd_pct", SAFEGUARDING, YEAR): (2, 4, 50.0),
    ("cp_plans_started", SGA, YEAR): (3, None, 3),
    ("cp_plans_at_period_end", SGA, DEC): (3, None, 3),
    ("cp_plans_at_period_end", UNMAPPED, DEC): (1, None, 1),
    ("cp_plans_at_period_end", SGA, YEAR): (3, None, 3),
    ("cp_plans_second_or_subsequent_pct", SGA, YEAR): (1, 3, 100 / 3),
    ("cp_plans_2yrs_plus_pct", SGA, DEC): (1, 3, 100 / 3),
    ("cp_plans_2yrs_plus_pct", UNMAPPED, DEC): (0, 1, 0.0),
    ("cp_plans_2yrs_plus_pct", UNMAPPED, YEAR): (1, 1, 100.0),
    ("cp_visits_within_standard_pct", SGA, DEC): (2, 3, 200 / 3),
    ("cp_visits_within_standard_pct", UNMAPPED, DEC): (1, 1, 100.0),
    ("cin_open_at_period_end", MASH, DEC): (2, None, 2),
    ("cin_open_at_period_end", AT1, DEC): (3, None, 3),
    ("cin_open_at_period_end", SGA, DEC): (4, None, 4),
    ("cin_open_at_period_end", UNMAPPED, DEC): (1, None, 1),
    ("cin_open_at_period_end", FRONT_DOOR, DEC): (5, None, 5),
    ("cin_open_at_period_end", AT1, YEAR): (0, None, 0),
    ("cin_open_at_period_end", FRONT_DOOR, YEAR): (2, None, 2),
    ("cin_open_at_period_end", NO_SERVICE, YEAR): (1, None, 1),
    ("cin_referrals", SGB, DEC): (0, None, 0),
    ("cp_plans_2yrs_plus_pct", SGB, DEC): (0, 0, None),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    data = DataDir(tmp_path_factory.mktemp("cin_small") / "data")
    outcomes = ingest_paths(data.landing, [FIXTURE])
    assert outcomes and {o.status for o in outcomes} == {"loaded"}
    assert [o.rows_rejected for o in outcomes] == [0] * len(outcomes)
    return build(data).warehouse


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


def fetch(warehouse: Path) -> dict:
    rows = query(warehouse, """
        select indicator_id, org_level, org_id, period_grain, period_label, numerator, denominator, value, target,
               rag, previous_value, year_ago_value, direction_previous, direction_year_ago, benchmark_year,
               england_value
        from indicator_values
        where la_code = '845' and (indicator_id like 'cin%' or indicator_id like 'cp%')""")
    return {(r[0], (r[1], r[2]), (r[3], r[4])): r[5:] for r in rows}


def test_hand_counted_values(warehouse):
    got = fetch(warehouse)
    for key, (numerator, denominator, value) in BY_HAND.items():
        assert key in got, key
        assert got[key][0] == numerator, key
        assert got[key][1] == denominator, key
        assert got[key][2] == pytest.approx(value), key


def test_periods_without_coverage_have_no_row(warehouse):
    got = fetch(warehouse)
    # contacts are only in Annex A (1 Jan-31 Dec 2024): the year 2024-25 is not covered
    assert ("cin_contacts", LA, YEAR) not in got
    # visits are known only as at a snapshot's date: no snapshot on 31 Mar 2025
    assert ("cp_visits_within_standard_pct", LA, YEAR) not in got
    # contacts and the CP rate are for the authority only
    assert not [k for k in got if k[0] in ("cin_contacts", "cp_rate_per_10k") and k[1] != LA]


def test_unmapped_team_is_reported_and_counted_for_the_authority(warehouse):
    assert query(warehouse, "select la_code, team_name, first_seen::varchar, last_seen::varchar, events, org_id "
                            "from unmapped_teams") == [
        ("845", "Locality 9 Duty Team", "2024-12-31", "2024-12-31", 3, "unmapped:Locality 9 Duty Team")]
    org_units = query(warehouse, "select org_level, org_id, parent_id, is_mapped from org_units "
                                 "where la_code = '845' order by 1, 2")
    assert ("team", "unmapped:Locality 9 Duty Team", "unmapped", False) in org_units
    assert ("service", "unmapped", "845", False) in org_units
    assert ("team", "T_MASH", "S_FD", True) in org_units
    assert ("la", "845", None, True) in org_units
    # C02's December referral is the unmapped team's and is one of the authority's four
    got = fetch(warehouse)
    assert got[("cin_referrals", UNMAPPED, DEC)][0] == 1
    assert got[("cin_referrals", LA, DEC)][0] == 4


def test_rag_direction_of_travel_and_comparators(warehouse):
    got = fetch(warehouse)
    target, rag, previous, year_ago, direction_previous, direction_year_ago, benchmark_year, england = \
        got[("cin_rereferrals_12m_pct", LA, DEC)][3:]
    # 25% against a local target of 22 (amber to 25, lower is better): amber; November was 0 of 3: worse
    assert (target, rag, previous, direction_previous) == (22, "amber", 0, "worse")
    assert (year_ago, direction_year_ago) == (None, None)  # Dec 2023 would need Dec 2022 loaded
    assert (benchmark_year, england) == (2024, 22.4)
    assert got[("cin_rereferrals_12m_pct", LA, YEAR)][3:5] == (22, "green")
    assert got[("cin_rereferrals_12m_pct", LA, YEAR)][9:] == (2025, 22.6)
    assert got[("cin_assessments_within_45wd_pct", LA, YEAR)][3:5] == (85, "red")
    assert got[("cin_icpc_within_15wd_pct", LA, DEC)][3:5] == (85, "green")
    assert got[("cp_visits_within_standard_pct", LA, DEC)][3:5] == (90, "red")
    # neutral: 4 plans at the end of December after 3 at the end of November, 2 at the end of Dec 2023
    assert got[("cp_plans_at_period_end", LA, DEC)][5:9] == (3, 2, "up", "up")
    # lower is better: plans open two years or more, 25% after 0%
    assert got[("cp_plans_2yrs_plus_pct", LA, DEC)][7] == "worse"
    # the CP rate comparator is computed from DfE table D5 and the ONS estimate: England 2025 40.6
    assert got[("cp_rate_per_10k", LA, YEAR)][9:] == (2025, pytest.approx(40.6))


def test_team_specific_direction_uses_the_teams_own_history(warehouse):
    got = fetch(warehouse)
    # T_AT1 had C08 open and over 45 working days on 30 Nov and C06 on 31 Dec: 1 after 1
    assert got[("cin_assessments_open_over_45wd", AT1, DEC)][5] == 1
    assert got[("cin_assessments_open_over_45wd", AT1, DEC)][7] == "same"


def test_exception_lists_agree_with_the_indicators(warehouse):
    """The child-level lists behind three indicators, as at 31 Dec 2024: one assessment open beyond 45 working
    days, one plan open two years or more (1 of 4), one plan whose last visit is outside the standard (3 of 4
    within): the same children the indicators count."""
    rows = query(warehouse, """select exception_type, count(*) from cin_exceptions
                               where la_code = '845' and as_at_date = date '2024-12-31' group by 1 order by 1""")
    assert rows == [("assessment_over_45wd", 1), ("cp_plan_over_2_years", 1), ("cp_visit_overdue", 1)]
    [(open_over,)] = query(warehouse, """select value from indicator_values where indicator_id =
        'cin_assessments_open_over_45wd' and org_level = 'la' and period_grain = 'month'
        and period_label = 'Dec 2024'""")
    assert open_over == 1
