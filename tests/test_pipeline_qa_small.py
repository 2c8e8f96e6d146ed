"""Hand-made QA activity log, HR month and case-file audits, ingested and built end to end (issue 5).

Activity log as at 30/04/2025, task 4.1 (the performance data set) monthly to CSCMT, due 30 days after the month:

    December 2024 report delivered 20/01/2025 (due 30/01/2025)  → delivered
    January 2025: nothing delivered (due 02/03/2025)              → overdue
    February 2025 report delivered 15/04/2025 (due 30/03/2025)  → late
    March 2025: nothing yet (due 30/04/2025, the as-at date)      → due

Team "Assessment Team 1" in March 2025 (HR): five case-holding social workers E1-E5 and a practice manager M1.
Audits file as at 30/06/2025:

    A1  E1  child C1  05/03/2025  supervision  significant concerns  → one follow-up only (A5), C1 not re-reviewed
    A2  E2  child C3  06/03/2025  supervision  significant concerns  → further files A6 and A8, and A7 re-reviews C3
    A3  E3  child C5  07/03/2025  supervision  good
    A4  E4  child C6  10/03/2025  supervision  good
    A5  E1  child C2  10/04/2025  supervision  follow-up of A1
    A6  E2  child C4  10/04/2025  supervision  follow-up of A2
    A7  E2  child C3  12/05/2025  supervision  follow-up of A2 (the same child's file: the re-review, "in addition")
    A8  E2  child C7  20/05/2025  supervision  follow-up of A2

March 2025: four of the five case-holding social workers audited → 80%. Both concerns' three months have passed
by 30/06/2025: A2 complete, A1 not → follow-up compliance 1 of 2.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.build import build
from ingest.load import ingest_paths

ORG_UNITS = "la_code,team_name,team_id,service_id,service_name\n845,Assessment Team 1,T_AT1,S_FD,Front Door\n"
LOG = """task_number,audience,period_start,period_end,delivered_date,reference
4.1,cscmt,01/12/2024,31/12/2024,20/01/2025,CSCMT 2025-01 item 3
4.1,CSCMT,01/02/2025,28/02/2025,15/04/2025,CSCMT 2025-04 item 2
"""
HR = """month,worker_id,team_name,role,fte,employment_type,start_date,leave_date,leave_reason,sickness_days,cases_held
31/03/2025,E1,Assessment Team 1,SW,1,permanent,01/04/2019,,,0,15
31/03/2025,E2,Assessment Team 1,SW,1,permanent,01/04/2019,,,0,15
31/03/2025,E3,Assessment Team 1,SW,1,permanent,01/04/2019,,,0,15
31/03/2025,E4,Assessment Team 1,SW,1,permanent,01/04/2019,,,0,15
31/03/2025,E5,Assessment Team 1,SW,1,permanent,01/04/2019,,,0,15
31/03/2025,M1,Assessment Team 1,FLM,1,permanent,01/04/2015,,,0,0
"""
AUDITS = """audit_reference,task_number,audit_type,audit_date,team_name,worker_id,child_id,auditor_role,grade,\
significant_concerns,themes,follow_up_of
A1,3.16,supervision,05/03/2025,Assessment Team 1,E1,C1,practice_managers,inadequate,Y,child_centred;fathers,
A2,3.16,supervision,06/03/2025,Assessment Team 1,E2,C3,practice_managers,inadequate,Y,child_centred,
A3,3.16,supervision,07/03/2025,Assessment Team 1,E3,C5,practice_managers,good,N,multi_agency,
A4,3.16,supervision,10/03/2025,Assessment Team 1,E4,C6,practice_managers,good,N,,
A5,3.16,supervision,10/04/2025,Assessment Team 1,E1,C2,practice_managers,requires_improvement,N,,A1
A6,3.16,supervision,10/04/2025,Assessment Team 1,E2,C4,practice_managers,good,N,,A2
A7,3.16,supervision,12/05/2025,Assessment Team 1,E2,C3,practice_managers,good,N,,A2
A8,3.16,supervision,20/05/2025,Assessment Team 1,E2,C7,practice_managers,good,N,,A2
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from ingest.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("qa_small") / "data")
    root = data.extracts / "small"
    files = {
        "reference/org_units.csv": ORG_UNITS,
        "qa_activity/845/2025-04/qa_activity.csv": LOG,
        "hr/845/2025-03/hr_workers.csv": HR,
        "audits/845/2025-06/case_file_audits.csv": AUDITS,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    outcomes = ingest_paths(data.landing, [root])
    bad = [o for o in outcomes if o.status != "loaded" or o.rows_rejected]
    assert not bad, [o.message or o.first_rejects for o in bad]
    build(data)
    return data.warehouse


def rows(warehouse: Path, sql: str, params=None):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


def test_a_monthly_report_delivered_late_is_late_and_a_missing_one_overdue(warehouse):
    schedule = rows(warehouse, """select period_label, due_date, delivered_date, status from qa_schedule
                                  where task_number = '4.1' and audience_id = 'cscmt' and frequency = 'monthly'
                                  order by period_start""")
    assert schedule == [
        ("Dec 2024", date(2025, 1, 30), date(2025, 1, 20), "delivered"),
        ("Jan 2025", date(2025, 3, 2), None, "overdue"),
        ("Feb 2025", date(2025, 3, 30), date(2025, 4, 15), "late"),
        ("Mar 2025", date(2025, 4, 30), None, "due"),
        ("Apr 2025", date(2025, 5, 30), None, "due"),
    ]


def test_a_worker_with_a_significant_concern_and_one_follow_up_is_flagged(warehouse):
    audits = rows(warehouse, """select audit_reference, follow_ups, re_reviewed, follow_up_compliant
                                from case_file_audits where significant_concerns order by 1""")
    assert audits == [("A1", 1, False, False), ("A2", 2, True, True)]
    compliance = rows(warehouse, """select numerator, denominator, value from indicator_values
                                    where indicator_id = 'audits_follow_up_compliance_pct' and org_id = '845'
                                      and period_grain = 'month' and period_label = 'Mar 2025'""")
    assert compliance == [(1.0, 2.0, 50.0)]


def test_a_team_of_five_with_four_audits_in_a_month_is_80_percent(warehouse):
    value = rows(warehouse, """select numerator, denominator, value from indicator_values
                               where indicator_id = 'audits_supervision_completion_pct' and org_id = 'T_AT1'
                                 and period_grain = 'month' and period_label = 'Mar 2025'""")
    assert value == [(4.0, 5.0, 80.0)]
    # March's audits: four, two of them good.
    good = rows(warehouse, """select numerator, denominator from indicator_values
                              where indicator_id = 'audits_good_or_better_pct' and org_id = 'T_AT1'
                                and period_grain = 'month' and period_label = 'Mar 2025'""")
    assert good == [(2.0, 4.0)]
