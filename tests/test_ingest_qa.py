"""The QA activity log and case-file audits: checked against their contracts (ingest/contracts/qa_activity.yaml,
audits.yaml), each file the whole record as at a date, staff and child ids pseudonymised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from ingest.load import ingest_paths

LOG_HEADER = "task_number,audience,period_start,period_end,delivered_date,reference"
LOG_ROWS = [
    "4.1,cscmt,01/02/2025,28/02/2025,20/03/2025,CSCMT 2025-03 item 4",
    "4.7,Scrutiny,01/10/2024,31/12/2024,15/01/2025,",
    "4.1,cscmt,01/03/2025,31/03/2025,02/04/2025,",  # row 3: delivered after the log's as-at date
    "4.8,cscmt,31/01/2025,01/01/2025,10/02/2025,",  # row 4: the period ends before it starts
    "4.1,cscmt,01/01/2025,31/01/2025,,",  # row 5: not delivered: not an activity
]
AUDIT_HEADER = ("audit_reference,task_number,audit_type,audit_date,team_name,worker_id,child_id,auditor_role,grade,"
                "significant_concerns,themes,follow_up_of")
AUDIT_ROWS = [
    "A1,3.16,supervision,05/03/2025,Assessment Team 1,E1001,C123,practice_managers,Requires improvement,Y,"
    "child_centred;recording,",
    "A2,3.16,supervision,20/03/2025,Assessment Team 1,E1001,C456,practice_managers,good,N,,A1",
    "A3,3.14,Deep dive,12/03/2025,Assessment Team 1,E1002,C789,operations_managers,Outstanding,N,multi_agency,",
    "A4,3.16,supervision,12/03/2025,Assessment Team 1,E1002,C790,practice_managers,excellent,N,,",  # row 4: grade
]
ACTIONS_HEADER = "audit_reference,action_number,action,due_date,completed_date"
ACTIONS_ROWS = [
    "A1,1,Update the chronology (call 0123456789),31/03/2025,",
    "A1,2,Record the child's views,15/03/2025,14/03/2025",
]


def q(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_activity_log_with_a_bad_row_is_refused_whole_naming_each_row(data_dir, tmp_path):
    f = write(tmp_path / "qa_activity" / "845" / "2025-03" / "qa_activity.csv", LOG_HEADER, LOG_ROWS)
    [outcome] = ingest_paths(data_dir.landing, [f])
    assert (outcome.table, outcome.period, outcome.status) == ("qa_activity.log", "as at 31/03/2025", "rejected")
    # The log replaces the previous one whole: it loads only when every row passes.
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (5, 0, 5)
    rejected = q(data_dir.landing, "select row_number, column_name, rule from meta.rejected_rows "
                                   "where row_number > 0 order by 1, 2")
    assert rejected == [(3, "delivered_date", "after_collection_year"), (4, "period_end", "date_order"),
                        (5, "delivered_date", "required")]


def test_activity_log_loads_with_the_period_it_covers(data_dir, tmp_path):
    f = write(tmp_path / "qa_activity" / "845" / "2025-03" / "qa_activity.csv", LOG_HEADER, LOG_ROWS[:2])
    [outcome] = ingest_paths(data_dir.landing, [f])
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 2)
    assert q(data_dir.landing, "select task_number, audience, period_start, period_end, delivered_date, reference "
                               "from raw.qa_activity_log order by 1") == [
        ("4.1", "cscmt", date(2025, 2, 1), date(2025, 2, 28), date(2025, 3, 20), "CSCMT 2025-03 item 4"),
        ("4.7", "Scrutiny", date(2024, 10, 1), date(2024, 12, 31), date(2025, 1, 15), None)]
    # The log covers from its first period to its as-at date.
    assert q(data_dir.landing, "select period_start, period_end from meta.loads") == [
        (date(2024, 10, 1), date(2025, 3, 31))]


def test_audits_pseudonymise_workers_as_the_hr_extract_does(data_dir, tmp_path):
    audits = write(tmp_path / "audits" / "845" / "2025-03" / "case_file_audits.csv", AUDIT_HEADER, AUDIT_ROWS[:3])
    hr = write(tmp_path / "hr" / "845" / "2025-03" / "hr_workers.csv",
               "month,worker_id,team_name,role,fte,employment_type,start_date,leave_date,leave_reason,"
               "sickness_days,cases_held", ["31/03/2025,E1001,Assessment Team 1,SW,1,permanent,01/04/2019,,,0,18"])
    outcomes = ingest_paths(data_dir.landing, [audits, hr])
    assert {o.status for o in outcomes} == {"loaded"}
    assert q(data_dir.landing, "select audit_reference, audit_type, grade, significant_concerns, themes, follow_up_of "
                               "from raw.audits_case_file_audits order by 1") == [
        ("A1", "supervision", "requires_improvement", True, "child_centred;recording", None),
        ("A2", "supervision", "good", False, None, "A1"),
        ("A3", "deep_dive", "outstanding", False, "multi_agency", None)]
    # The same staff number gives the same pseudonym in both extracts, so audits join to workers in post.
    joined = q(data_dir.landing, "select count(*) from raw.audits_case_file_audits a "
                                 "join raw.hr_workers h using (worker_id)")
    assert joined == [(2,)]  # A1 and A2, E1001's
    # Children's pseudonyms start C, workers' W.
    ids = q(data_dir.landing, "select worker_id, child_id from raw.audits_case_file_audits")
    assert all(w.startswith("W") and c.startswith("C") and len(c) == 13 for w, c in ids)
    stored = repr(q(data_dir.landing, "select * from raw.audits_case_file_audits"))
    for identifier in ("E1001", "E1002", "C123", "C456", "C789"):
        assert identifier not in stored


def test_audit_with_an_unknown_grade_refuses_the_file(data_dir, tmp_path):
    f = write(tmp_path / "audits" / "845" / "2025-03" / "case_file_audits.csv", AUDIT_HEADER, AUDIT_ROWS)
    [outcome] = ingest_paths(data_dir.landing, [f])
    assert (outcome.status, outcome.rows_read, outcome.rows_rejected) == ("rejected", 4, 4)
    assert outcome.first_rejects == [
        "case_file_audits.csv row 4, column grade: grade 'excellent' is not a valid grade code [code_unknown]"]


def test_actions_mask_identifiers_in_their_text(data_dir, tmp_path):
    f = write(tmp_path / "audits" / "845" / "2025-03" / "audit_actions.csv", ACTIONS_HEADER, ACTIONS_ROWS)
    [outcome] = ingest_paths(data_dir.landing, [f])
    assert (outcome.table, outcome.status, outcome.rows_loaded) == ("audits.audit_actions", "loaded", 2)
    assert q(data_dir.landing, "select action_number, action, due_date, completed_date from raw.audits_audit_actions "
                               "order by 1") == [
        (1, "Update the chronology (call [identifier removed])", date(2025, 3, 31), None),
        (2, "Record the child's views", date(2025, 3, 15), date(2025, 3, 14))]
