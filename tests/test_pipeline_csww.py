"""The CSWW sample, ingested and built: csww_census_indicators agrees with a hand calculation from the XML.

The calculation below reads the XML with the standard library and applies the definitions written at the top
of dbt_project/models/marts/csww_census_indicators.sql, independently of the ingest and of dbt.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import duckdb
import pytest

from ingest.build import build
from ingest.load import ingest_paths
from tests.conftest import SAMPLES

CSWW_SAMPLE = SAMPLES / "csww" / "social_work_workforce_2022.xml"
YEAR_START, REFERENCE = date(2021, 10, 1), date(2022, 9, 30)


def hand_calculation() -> dict:
    workers = []
    for w in ET.parse(CSWW_SAMPLE).getroot().iter("CSWWWorker"):
        fields = {e.tag: (e.text or "").strip() for e in w}
        start = date.fromisoformat(fields["RoleStartDate"]) if fields.get("RoleStartDate") else None
        end = date.fromisoformat(fields["RoleEndDate"]) if fields.get("RoleEndDate") else None
        # The contract quarantines a start after the reference date and an end outside the census year.
        if (start and start > REFERENCE) or (end and not YEAR_START <= end <= REFERENCE):
            continue
        workers.append({
            "agency": fields["AgencyWorker"] == "1", "fte": float(fields["FTE"]), "start": start, "end": end,
            "fte30": float(fields["FTE30"]) if fields.get("FTE30") else None,
            "cases": int(fields["Cases30"]) if fields.get("Cases30") else 0,
            "days": float(fields["WorkingDaysLost"]) if fields.get("WorkingDaysLost") else 0.0,
        })
    in_post = [w for w in workers if not w["agency"] and w["fte"] > 0 and w["end"] is None]
    agency = [w for w in workers if w["agency"] and w["fte"] > 0 and w["end"] is None]
    leavers = [w for w in workers if not w["agency"] and w["end"] is not None]
    starters = [w for w in workers if not w["agency"] and w["start"] and YEAR_START <= w["start"] <= REFERENCE]
    holders = [w for w in in_post + agency if w["cases"] > 0]
    inpost_fte = sum(w["fte"] for w in in_post)
    agency_fte = sum(w["fte"] for w in agency)
    leavers_fte = sum(w["fte"] or w["fte30"] or 0 for w in leavers)
    holders_fte = sum(w["fte"] for w in holders)
    vacancies = float(ET.parse(CSWW_SAMPLE).getroot().find("LALevelVacancies/NumberOfVacancies").text)
    return {
        "inpost_fte": round(inpost_fte, 2),
        "inpost_headcount": len(in_post),
        "agency_fte": round(agency_fte, 2),
        "agency_headcount": len(agency),
        "starters_fte": round(sum(w["fte"] for w in starters), 2),
        "leavers_fte": round(leavers_fte, 2),
        "vacancies_fte": vacancies,
        "agency_rate_fte": round(100 * agency_fte / (agency_fte + inpost_fte), 1),
        "vacancy_rate_fte": round(100 * vacancies / (vacancies + inpost_fte), 1),
        "case_holders_fte": round(holders_fte, 2),
        "cases": sum(w["cases"] for w in holders),
        "caseload_fte": round(sum(w["cases"] for w in holders) / holders_fte, 1),
        "working_days_lost_per_fte": round(sum(w["days"] for w in in_post) / inpost_fte, 1),
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from ingest.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("csww") / "data")
    ingest_paths(data.landing, [CSWW_SAMPLE])
    build(data)
    return data


def test_census_indicators_match_a_hand_calculation_from_the_xml(built):
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        [row] = con.sql("select * from csww_census_indicators").pl().to_dicts()
    finally:
        con.close()
    assert (row["la_code"], row["census_year"]) == ("301", 2022)
    expected = hand_calculation()
    assert {k: row[k] for k in expected} == pytest.approx(expected)
    # The same figures written out, so a reader can check them against the XML by eye: of the ten workers
    # the contract keeps, rows 9, 15, 24 and 29 are employees in post (0.843488 + 0.859218 + 0.978729 +
    # 0.034436 = 2.72 FTE); six agency workers (2.34 FTE); none started or left inside the census year.
    assert (row["inpost_fte"], row["inpost_headcount"], row["agency_fte"], row["agency_headcount"]) == (
        2.72, 4, 2.34, 6)
    assert (row["starters_fte"], row["leavers_fte"], row["turnover_rate_fte"]) == (0.0, 0.0, 0.0)
    # 79.68 vacancies against 2.72 in post: the sample is random, not a real authority.
    assert (row["vacancy_rate_fte"], row["agency_rate_fte"]) == (96.7, 46.2)
    # Case holders: rows 1 (72 cases), 11 (23), 15 (85), 19 (14), 27 (63), 29 (23) = 280 cases on 2.29 FTE.
    assert (row["cases"], row["case_holders_fte"], row["caseload_fte"]) == (280, 2.29, 122.2)
