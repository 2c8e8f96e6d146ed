"""Hand-made HR extracts and a complaints register, ingested and built end to end.

Every expected value below is counted by hand from the rows written here (comments show the sums).

Workforce, one authority (845), two teams in one service, HR months March 2024 to March 2025 (13 files each):

    worker  team  role  type       FTE  from        to                     cases  sickness
    E1      AT1   SW    permanent  1.0  2019        -                      18     5 days in June 2024
    E2      AT1   SW    permanent  1.0  2020        left 15/05/2024        10
    E3      AT1   SW    permanent  0.5  2021        left 20/03/2024        8
    E4      AT1   SW    permanent  1.0  01/06/2024  -                      12
    A1      AT1   SW    agency     1.0  2023        -                      22
    M1      AT1   FLM   permanent  1.0  2015        -                      0
    F1      AT1   UNQ   permanent  1.0  2018        -                      0      (not a social worker)
    E5      AT2   SW    permanent  1.0  2019        -                      16

Vacancies: AT1 1.0 FTE every month; AT2 none.

Complaints register as at 31/03/2025 (Christmas Day, Boxing Day and New Year's Day are bank holidays):

    K1  AT1  stage 1 started Thu 19/12/2024, answered Tue 07/01/2025 = working day 10 → within 10; upheld;
             learning action due 28/02/2025, still open → overdue at 31/03/2025
    K2  AT1  stage 1 started Thu 19/12/2024, answered Wed 08/01/2025 = working day 11 → late; not upheld;
             escalated: stage 2 started 20/01/2025, not yet answered
    K3  AT2  stage 1 started Mon 02/12/2024, extended, answered Mon 23/12/2024 = working day 15 → within 20;
             partly upheld; learning action completed 10/01/2025
    K4  -    a compliment received 05/02/2025

Working days after 19/12: 20 (1), 23 (2), 24 (3), 27 (4), 30 (5), 31 (6), 2 Jan (7), 3 (8), 6 (9), 7 (10), 8 (11).
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingest.build import build
from ingest.load import ingest_paths

HR_HEADER = "month,worker_id,team_name,role,fte,employment_type,start_date,leave_date,leave_reason,sickness_days," \
            "cases_held"
# worker, team, role, fte, type, start, leave, reason, cases
WORKERS = [
    ("E1", "Assessment Team 1", "SW", 1.0, "permanent", date(2019, 4, 1), None, None, 18),
    ("E2", "Assessment Team 1", "SW", 1.0, "permanent", date(2020, 4, 1), date(2024, 5, 15), "resignation", 10),
    ("E3", "Assessment Team 1", "SW", 0.5, "permanent", date(2021, 4, 1), date(2024, 3, 20), "retirement", 8),
    ("E4", "Assessment Team 1", "SW", 1.0, "permanent", date(2024, 6, 1), None, None, 12),
    ("A1", "Assessment Team 1", "SW", 1.0, "agency", date(2023, 1, 9), None, None, 22),
    ("M1", "Assessment Team 1", "FLM", 1.0, "permanent", date(2015, 1, 5), None, None, 0),
    ("F1", "Assessment Team 1", "UNQ", 1.0, "permanent", date(2018, 1, 8), None, None, 0),
    ("E5", "Assessment Team 2", "SW", 1.0, "permanent", date(2019, 4, 1), None, None, 16),
]
MONTHS = [(2024, m) for m in range(3, 13)] + [(2025, m) for m in range(1, 4)]

REGISTER_HEADER = (
    "reference,record_type,received_date,team_name,service_name,complainant,nature,stage,stage1_start_date,"
    "stage1_response_date,stage1_extended,stage1_outcome,stage2_start_date,stage2_response_date,stage2_extended,"
    "stage2_outcome,stage3_start_date,stage3_response_date,stage3_outcome,ombudsman_referred,learning_action,"
    "learning_action_due_date,learning_action_status,learning_action_completed_date"
)
REGISTER = [
    "K1,complaint,19/12/2024,Assessment Team 1,,parent,communication,1,19/12/2024,07/01/2025,N,upheld,,,,,,,,N,"
    "Agree a contact plan with the family,28/02/2025,open,",
    "K2,complaint,19/12/2024,Assessment Team 1,,parent,delay,2,19/12/2024,08/01/2025,N,not_upheld,20/01/2025,,,,,,,"
    "N,,,,",
    "K3,complaint,02/12/2024,Assessment Team 2,,child,communication,1,02/12/2024,23/12/2024,Y,partly_upheld,,,,,,,,"
    "N,Remind team of the 10-day standard,31/01/2025,completed,10/01/2025",
    "K4,compliment,05/02/2025,Assessment Team 2,,carer,,,,,,,,,,,,,,,,,,",
]
ORG_UNITS = """la_code,team_name,team_id,service_id,service_name
845,Assessment Team 1,T_AT1,S_FD,Front Door
845,Assessment Team 2,T_AT2,S_FD,Front Door
"""


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def write_extracts(root: Path) -> None:
    (root / "reference").mkdir(parents=True)
    (root / "reference" / "org_units.csv").write_text(ORG_UNITS)
    for year, month in MONTHS:
        first, last = date(year, month, 1), month_end(year, month)
        folder = root / "hr" / "845" / f"{year}-{month:02d}"
        folder.mkdir(parents=True)
        rows = []
        for worker, team, role, fte, kind, start, leave, reason, cases in WORKERS:
            if start > last or (leave is not None and leave < first):
                continue  # not in post on any day of the month
            leaving = leave is not None and leave <= last
            sickness = 5 if (worker, year, month) == ("E1", 2024, 6) else 0
            rows.append(",".join([
                f"{last:%d/%m/%Y}", worker, team, role, str(fte), kind, f"{start:%d/%m/%Y}",
                f"{leave:%d/%m/%Y}" if leaving else "", reason if leaving else "", str(sickness),
                "0" if leaving else str(cases)]))
        (folder / "hr_workers.csv").write_text("\n".join([HR_HEADER, *rows]) + "\n")
        (folder / "hr_vacancies.csv").write_text(
            f"month,team_name,vacancy_fte\n{last:%d/%m/%Y},Assessment Team 1,1.0\n"
            f"{last:%d/%m/%Y},Assessment Team 2,0\n")
    register = root / "complaints" / "845" / "2025-03" / "complaints.csv"
    register.parent.mkdir(parents=True)
    register.write_text("\n".join([REGISTER_HEADER, *REGISTER]) + "\n")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from ingest.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("wf_small") / "data")
    write_extracts(data.extracts / "small")
    outcomes = ingest_paths(data.landing, [data.extracts / "small"])
    bad = [o for o in outcomes if o.status != "loaded" or o.rows_rejected]
    assert not bad, [o.message or o.first_rejects for o in bad]
    build(data)
    return data.warehouse


def value(warehouse: Path, indicator: str, grain: str, label: str, org_id: str = "845"):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.sql("select numerator, denominator, value from indicator_values where indicator_id = ? and "
                       "period_grain = ? and period_label = ? and org_id = ?",
                       params=[indicator, grain, label, org_id]).fetchall()
    finally:
        con.close()
    assert len(rows) <= 1
    return rows[0] if rows else None


def test_turnover_counts_leavers_in_the_twelve_months_to_the_period_end(warehouse):
    # In post at 31/03/2025 (employee social workers, not UNQ): E1 1.0 + E4 1.0 + M1 1.0 + E5 1.0 = 4.0 FTE.
    assert value(warehouse, "wf_sw_fte_in_post", "month", "Mar 2025") == (4.0, None, 4.0)
    # April 2024 to March 2025: E2 left (1.0); E3 left in March 2024, outside → 1.0 / 4.0 = 25%.
    assert value(warehouse, "wf_turnover_rate_pct", "month", "Mar 2025") == pytest.approx((1.0, 4.0, 25.0))
    # March 2024 to February 2025 takes in E3 as well: (1.0 + 0.5) / 4.0 = 37.5%.
    assert value(warehouse, "wf_turnover_rate_pct", "month", "Feb 2025") == pytest.approx((1.5, 4.0, 37.5))
    # The year 2024-25 is the rolling year to 31/03/2025.
    assert value(warehouse, "wf_turnover_rate_pct", "year", "2024-25") == pytest.approx((1.0, 4.0, 25.0))
    # Twelve months are needed: January 2025's rolling year starts in February 2024, which was not loaded.
    assert value(warehouse, "wf_turnover_rate_pct", "month", "Jan 2025") is None


def test_team_level_workforce_measures(warehouse):
    # AT1 at 31/03/2025: employees E1, E4, M1 = 3.0 FTE; agency A1 1.0 → agency rate 1 / 4 = 25%;
    # vacancy 1.0 → 1 / 4 = 25%; case holders E1 (18), E4 (12), A1 (22) = 52 cases on 3.0 FTE → 17.3.
    assert value(warehouse, "wf_sw_fte_in_post", "month", "Mar 2025", "T_AT1") == (3.0, None, 3.0)
    assert value(warehouse, "wf_agency_rate_pct", "month", "Mar 2025", "T_AT1") == pytest.approx((1.0, 4.0, 25.0))
    assert value(warehouse, "wf_vacancy_rate_pct", "month", "Mar 2025", "T_AT1") == pytest.approx((1.0, 4.0, 25.0))
    assert value(warehouse, "wf_caseload_per_case_holder", "month", "Mar 2025", "T_AT1") == pytest.approx(
        (52, 3.0, 52 / 3))
    # Starters and leavers in 2024-25 Q1 (April-June 2024): E4 started, E2 left.
    assert value(warehouse, "wf_starters_fte", "quarter", "2024-25 Q1", "845")[2] == pytest.approx(1.0)
    assert value(warehouse, "wf_leavers_fte", "quarter", "2024-25 Q1", "845")[2] == pytest.approx(1.0)
    # Sickness: 5 days (E1, June 2024) over the year to 31/03/2025, per 4.0 FTE in post = 1.25.
    assert value(warehouse, "wf_days_lost_per_fte", "month", "Mar 2025") == pytest.approx((5.0, 4.0, 1.25))


def test_stage_1_answered_on_working_day_10_is_in_time_and_day_11_is_not(warehouse):
    # January 2025: K1 (day 10, in time) and K2 (day 11, late) were answered → 1 of 2.
    assert value(warehouse, "complaints_stage1_within_timescale_pct", "month", "Jan 2025") == pytest.approx(
        (1, 2, 50.0))
    # K3 was extended: day 15 is within 20. December 2024 → 1 of 1.
    assert value(warehouse, "complaints_stage1_within_timescale_pct", "month", "Dec 2024") == pytest.approx(
        (1, 1, 100.0))
    # The year: K1, K3 in time, K2 late.
    assert value(warehouse, "complaints_stage1_within_timescale_pct", "year", "2024-25") == pytest.approx(
        (2, 3, 200 / 3))
    # Per team: AT1 had K1 and K2.
    assert value(warehouse, "complaints_stage1_within_timescale_pct", "year", "2024-25", "T_AT1") == pytest.approx(
        (1, 2, 50.0))


def test_complaint_outcomes_escalation_and_the_learning_loop(warehouse):
    # Stage 1 received in 2024-25 Q3: K1, K2, K3; stage 2 in Q4: K2.
    assert value(warehouse, "complaints_stage1_received", "quarter", "2024-25 Q3")[2] == 3
    assert value(warehouse, "complaints_stage2_received", "quarter", "2024-25 Q4")[2] == 1
    # Stage 1 responses in 2024-25: K1 upheld, K3 partly upheld, K2 not upheld → 2 of 3.
    assert value(warehouse, "complaints_upheld_pct", "year", "2024-25") == pytest.approx((2, 3, 200 / 3))
    # Of January's two stage 1 responses, K2 went on to stage 2.
    assert value(warehouse, "complaints_escalated_pct", "month", "Jan 2025") == pytest.approx((1, 2, 50.0))
    # At 31/03/2025 K1's action (due 28/02/2025) is open and overdue; K3's was completed.
    assert value(warehouse, "complaints_learning_actions_open", "month", "Mar 2025")[2] == 1
    assert value(warehouse, "complaints_learning_actions_overdue", "month", "Mar 2025")[2] == 1
    # At 31/01/2025 K1's action was open but not yet due.
    assert value(warehouse, "complaints_learning_actions_overdue", "month", "Jan 2025")[2] == 0
    assert value(warehouse, "compliments_received", "quarter", "2024-25 Q4")[2] == 1
    assert value(warehouse, "complaints_nature_communication_count", "quarter", "2024-25 Q3")[2] == 2
