"""Workforce and complaints extracts: the CSWW census XML, the monthly HR extract and the complaints register.

Each is checked against its contract (ingest/contracts/csww.yaml, hr.yaml, complaints.yaml): bad rows are
quarantined with the file, row and column named; staff numbers become pseudonyms; a newer file replaces only
its own slot (a census year, a month, or the whole register).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from ingest.load import ingest_paths
from tests.conftest import SAMPLES

CSWW_SAMPLE = SAMPLES / "csww" / "social_work_workforce_2022.xml"

HR_HEADER = "month,worker_id,team_name,role,fte,employment_type,start_date,leave_date,leave_reason,sickness_days," \
            "cases_held"
HR_ROWS = [
    "30/11/2024,E1001,Locality 1 Assessment,SW,1,permanent,01/04/2019,,,0,18",
    # codes match ignoring case and spaces: stored as sw / fixed_term / resignation
    "30/11/2024,E1002,Locality 1 Assessment,sw,0.5,Fixed term,01/04/2020,15/11/2024,Resignation,2,9",
    "30/11/2024,AG77,Locality 1 Assessment,SW,1,agency,01/09/2024,,,0,21",
    "31/10/2024,E1003,Locality 1 Assessment,SW,1,permanent,01/04/2019,,,0,18",  # row 4: October, not November
    "30/11/2024,E1004,Locality 1 Assessment,XX,1,permanent,01/04/2019,,,0,18",  # row 5: unknown role
    "30/11/2024,E1005,Locality 1 Assessment,SW,1.2,permanent,01/04/2019,,,0,18",  # row 6: FTE above 1
    "30/11/2024,E1006,Locality 1 Assessment,SW,1,permanent,01/12/2024,,,0,0",  # row 7: starts after the month
    "30/11/2024,E1007,Locality 1 Assessment,SW,1,permanent,01/04/2019,31/10/2024,resignation,0,0",  # row 8: gone
]

REGISTER_HEADER = (
    "reference,record_type,received_date,team_name,service_name,complainant,nature,stage,stage1_start_date,"
    "stage1_response_date,stage1_extended,stage1_outcome,stage2_start_date,stage2_response_date,stage2_extended,"
    "stage2_outcome,stage3_start_date,stage3_response_date,stage3_outcome,ombudsman_referred,learning_action,"
    "learning_action_due_date,learning_action_status,learning_action_completed_date"
)
REGISTER_ROWS = [
    "C1,complaint,19/12/2023,Locality 1 Assessment,,parent,communication,1,19/12/2023,08/01/2024,N,upheld,,,,,,,,N,"
    "Remind team to write to TN34 1AB within 10 days,31/01/2024,completed,20/01/2024",
    "C2,,19/12/2023,Locality 1 Assessment,,Parent,Quality of service,2,19/12/2023,09/01/2024,N,not upheld,"
    "15/01/2024,,,,,,,N,Staff member E104233 (SWE SW123456) to redo the 2024 training,,,",
    "C3,compliment,01/02/2024,Locality 1 Assessment,,carer,,,,,,,,,,,,,,,,,,",
    "C4,complaint,01/02/2024,,,,delay,1,01/02/2024,,,,,,,,,,,,,,completed,",  # row 4: completed, no date
    "C5,complaint,01/02/2024,,,,delay,2,01/02/2024,,,,,,,,,,,,,,,",  # row 5: stage 2 without a stage 2 start
    "C6,complaint,01/12/2024,,,,delay,1,01/12/2024,,,,,,,,,,,,,,,",  # row 6: after the register's as-at date
    "C7,complaint,01/02/2024,,,,delay,1,01/02/2024,31/01/2024,N,upheld,,,,,,,,,,,,",  # row 7: answered first
]


def q(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


def everything_stored(db: Path) -> str:
    """Every value of every raw and meta table, as text: for checking what must never be stored."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.sql("select schema_name, table_name from duckdb_tables() "
                         "where schema_name in ('raw', 'meta')").fetchall()
        return repr([con.sql(f'select * from "{s}"."{t}"').fetchall() for s, t in tables])
    finally:
        con.close()


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


# --- CSWW census --------------------------------------------------------------------------------------------------


def test_csww_sample_loads_with_every_impossible_date_quarantined(data_dir):
    outcomes = {o.table: o for o in ingest_paths(data_dir.landing, [CSWW_SAMPLE])}
    workers, vacancies = outcomes["csww.workers"], outcomes["csww.vacancies"]
    # 30 workers in the return. The sample (synthetic, from liia-tools) dates 18 starts or ends on 28/03/2023,
    # after its 30/09/2022 reference date, and two ends before the census year began (2019, 2018).
    assert (workers.rows_read, workers.rows_loaded, workers.rows_rejected) == (30, 10, 20)
    assert (vacancies.rows_read, vacancies.rows_loaded, vacancies.rows_rejected) == (1, 1, 0)
    assert workers.la_code == "301" and workers.collection_year == 2022
    assert q(data_dir.landing, "select distinct period_start, period_end from meta.loads") == [
        (date(2021, 10, 1), date(2022, 9, 30))]
    rules = q(data_dir.landing, "select rule, column_name, count(distinct row_number) from meta.rejected_rows "
                                "group by all order by all")
    assert rules == [("after_collection_year", "RoleEndDate", 11), ("after_collection_year", "RoleStartDate", 7),
                     ("before_collection_year", "RoleEndDate", 2)]
    first = q(data_dir.landing, "select message from meta.rejected_rows where row_number = 2")[0][0]
    assert first == ("RoleEndDate 2019-09-23 is before the start of the census year to 30/09/2022 (01/10/2021)")
    assert q(data_dir.landing, "select vacancies_fte, agency_cover_fte, agency_cover_headcount "
                               "from raw.csww_vacancies") == [(79.68, 59.82, 71)]
    # Row 1 is an agency worker in post: FTE 0.521371, 72 cases, 15.31 days lost.
    assert q(data_dir.landing, "select agency_worker, fte, cases30, working_days_lost, role_start_date "
                               "from raw.csww_workers where _source_row = 1") == [
        (True, 0.521371, 72, 15.31, date(1988, 4, 7))]


def test_csww_never_stores_registration_numbers_or_personal_fields(data_dir):
    ingest_paths(data_dir.landing, [CSWW_SAMPLE])
    stored = everything_stored(data_dir.landing)
    for swe in ("Oz2054309383", "Aj9242652291", "od1620971821"):
        assert swe not in stored
    columns = {r[0] for r in q(data_dir.landing, "select column_name from duckdb_columns() "
                                                 "where table_name = 'csww_workers'")}
    assert not columns & {"person_birth_date", "personbirthdate", "ethnicity", "gender_current", "qual_inst"}
    assert len(q(data_dir.landing, "select distinct worker_id from raw.csww_workers")) == 10


def test_csww_with_a_reference_date_that_is_not_30_september_is_rejected_whole(data_dir, tmp_path):
    f = tmp_path / "csww.xml"
    f.write_text(CSWW_SAMPLE.read_text().replace("<ReferenceDate>2022-09-30", "<ReferenceDate>2022-03-31"))
    outcomes = ingest_paths(data_dir.landing, [f])
    assert {o.status for o in outcomes} == {"rejected"}
    assert "ReferenceDate 31/03/2022 is not 30 September of the census year 2022" in outcomes[0].message
    assert q(data_dir.landing, "select count(*) from raw.csww_workers") == [(0,)]


def test_malformed_csww_is_rejected_naming_line_and_column(data_dir, tmp_path):
    f = tmp_path / "301" / "2022" / "csww.xml"
    f.parent.mkdir(parents=True)
    f.write_text(CSWW_SAMPLE.read_text().replace("</CSWWWorker>", "</CSWWWorkr>", 1))
    outcomes = ingest_paths(data_dir.landing, [f])
    assert {o.status for o in outcomes} == {"rejected"}
    assert "csww.xml line" in outcomes[0].message and "not well-formed XML" in outcomes[0].message
    assert q(data_dir.landing, "select count(*) from raw.csww_workers") == [(0,)]


def test_xml_that_is_neither_census_is_rejected_politely(data_dir, tmp_path):
    f = tmp_path / "845" / "2024-25" / "other.xml"
    f.parent.mkdir(parents=True)
    f.write_text("<Message><Header/><Something/></Message>")
    outcomes = ingest_paths(data_dir.landing, [f])
    assert {o.status for o in outcomes} == {"rejected"}
    assert "neither a CIN census nor a social work workforce census" in outcomes[0].message


def test_same_csww_twice_changes_nothing(data_dir):
    ingest_paths(data_dir.landing, [CSWW_SAMPLE])
    assert {o.status for o in ingest_paths(data_dir.landing, [CSWW_SAMPLE])} == {"unchanged"}
    assert q(data_dir.landing, "select count(*) from meta.loads") == [(2,)]


# --- monthly HR extract -------------------------------------------------------------------------------------------


def test_hr_month_loads_good_rows_and_names_each_bad_one(data_dir, tmp_path):
    f = write(tmp_path / "hr" / "845" / "2024-11" / "hr_workers.csv", HR_HEADER, HR_ROWS)
    [outcome] = ingest_paths(data_dir.landing, [f])
    assert (outcome.table, outcome.period) == ("hr.workers", "Nov 2024")
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (8, 3, 5)
    rejected = q(data_dir.landing, "select row_number, column_name, rule, message from meta.rejected_rows "
                                   "order by row_number")
    assert rejected == [
        (4, "month", "before_collection_year", "month 31/10/2024 is before the start of the month Nov 2024 "
                                               "(01/11/2024)"),
        (5, "role", "code_unknown", "role 'XX' is not a valid role code"),
        (6, "fte", "out_of_range", "fte 1.2 is above the maximum 1"),
        (7, "start_date", "after_collection_year", "start_date 01/12/2024 is after the end of the month Nov 2024 "
                                                   "(30/11/2024)"),
        (8, "leave_date", "before_collection_year", "leave_date 31/10/2024 is before the start of the month "
                                                    "Nov 2024 (01/11/2024)"),
    ]
    assert q(data_dir.landing, "select _source_row, role, employment_type, leave_reason, fte, cases_held "
                               "from raw.hr_workers order by 1") == [
        (1, "SW", "permanent", None, 1.0, 18), (2, "SW", "fixed_term", "resignation", 0.5, 9),
        (3, "SW", "agency", None, 1.0, 21)]
    assert q(data_dir.landing, "select period_start, period_end, collection_year from meta.loads") == [
        (date(2024, 11, 1), date(2024, 11, 30), 2025)]
    stored = everything_stored(data_dir.landing)
    assert "E1001" not in stored and "AG77" not in stored


def test_hr_months_are_separate_slots_and_a_resent_month_replaces_only_itself(data_dir, tmp_path):
    nov = write(tmp_path / "hr" / "845" / "2024-11" / "hr_workers.csv", HR_HEADER, HR_ROWS[:3])
    dec_rows = [r.replace("30/11/2024", "31/12/2024", 1) for r in (HR_ROWS[0], HR_ROWS[2])]
    dec = write(tmp_path / "hr" / "845" / "2024-12" / "hr_workers.csv", HR_HEADER, dec_rows)
    ingest_paths(data_dir.landing, [nov, dec])
    assert q(data_dir.landing, "select month, count(*) from raw.hr_workers group by 1 order by 1") == [
        (date(2024, 11, 30), 3), (date(2024, 12, 31), 2)]
    # November corrected: E1002's FTE was 0.6. Only November's rows are replaced.
    write(nov, HR_HEADER, [HR_ROWS[0], HR_ROWS[1].replace(",0.5,", ",0.6,"), HR_ROWS[2]])
    [outcome] = ingest_paths(data_dir.landing, [nov])
    assert outcome.status == "loaded" and len(outcome.superseded) == 1
    assert q(data_dir.landing, "select month, sum(fte) from raw.hr_workers group by 1 order by 1") == [
        (date(2024, 11, 30), 2.6), (date(2024, 12, 31), 2.0)]
    assert {o.status for o in ingest_paths(data_dir.landing, [nov])} == {"unchanged"}


def test_hr_file_with_no_month_in_its_name_asks_for_as_at(data_dir, tmp_path):
    f = write(tmp_path / "845" / "hr_workers.csv", HR_HEADER, HR_ROWS[:1])
    [outcome] = ingest_paths(data_dir.landing, [f])
    assert outcome.status == "rejected" and outcome.unidentified
    assert "pass --as-at" in outcome.message


def test_hr_vacancies_load_per_team(data_dir, tmp_path):
    f = write(tmp_path / "hr" / "845" / "2024-11" / "hr_vacancies.csv", "month,team_name,vacancy_fte",
              ["30/11/2024,Locality 1 Assessment,1.5", "30/11/2024,Locality 2 Assessment,-1",
               "30/11/2024,Locality 1 Assessment,2"])
    [outcome] = ingest_paths(data_dir.landing, [f])
    assert (outcome.table, outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (
        "hr.vacancies", 3, 0, 3)  # a negative vacancy, and one team given twice with different values
    assert outcome.status == "rejected"  # nothing was left to load
    rules = q(data_dir.landing, "select distinct rule from meta.rejected_rows order by 1")
    assert rules == [("duplicate_key",), ("every_row_rejected",), ("out_of_range",)]


def test_hr_file_whose_rows_are_all_for_another_month_leaves_the_month_as_it_was(data_dir, tmp_path):
    june = write(tmp_path / "hr" / "845" / "2025-06" / "hr_workers.csv", HR_HEADER,
                 [r.replace("30/11/2024", "30/06/2025") for r in (HR_ROWS[0], HR_ROWS[2])])
    [first] = ingest_paths(data_dir.landing, [june])
    assert (first.status, first.rows_loaded) == ("loaded", 2)
    # The same folder, but the rows say May: every row is outside June.
    write(june, HR_HEADER, [r.replace("30/11/2024", "31/05/2025") for r in (HR_ROWS[0], HR_ROWS[2])])
    [again] = ingest_paths(data_dir.landing, [june])
    assert (again.status, again.rows_read, again.rows_loaded, again.rows_rejected) == ("rejected", 2, 0, 2)
    assert "every one of its 2 rows was rejected, so it replaces nothing" in again.message
    assert again.first_rejects[0].startswith("hr_workers.csv row 1, column month: month 31/05/2025 is before the "
                                             "start of the month Jun 2025")
    assert q(data_dir.landing, "select status, rows_loaded from meta.loads order by load_id") == [
        ("loaded", 2), ("rejected", 0)]
    assert q(data_dir.landing, "select count(*) from raw.hr_workers") == [(2,)]


# --- complaints register -----------------------------------------------------------------------------------------


def test_register_with_a_bad_record_is_refused_whole_naming_each_bad_row(data_dir, tmp_path):
    f = write(tmp_path / "complaints" / "845" / "2024-11" / "complaints.csv", REGISTER_HEADER, REGISTER_ROWS)
    [outcome] = ingest_paths(data_dir.landing, [f])
    assert (outcome.table, outcome.period, outcome.status) == ("complaints.register", "as at 30/11/2024", "rejected")
    # A register replaces the previous one whole: loading only the good records would drop the bad ones from
    # every period they were counted in, so the register waits until it is corrected.
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == (7, 0, 7)
    assert "4 of its 7 records were rejected; a register replaces the previous one whole" in outcome.message
    rejected = q(data_dir.landing, "select row_number, column_name, rule from meta.rejected_rows order by 1, 2")
    assert rejected == [
        (0, None, "register_incomplete"),
        (4, "learning_action_completed_date", "required_with"),
        (5, "stage", "inconsistent"),
        (6, "received_date", "after_collection_year"),
        (6, "stage1_start_date", "after_collection_year"),
        (7, "stage1_response_date", "date_order"),
    ]
    assert q(data_dir.landing, "select count(*) from raw.complaints_register") == [(0,)]


def test_register_loads_and_scrubs_free_text(data_dir, tmp_path):
    f = write(tmp_path / "complaints" / "845" / "2024-11" / "complaints.csv", REGISTER_HEADER, REGISTER_ROWS[:3])
    [outcome] = ingest_paths(data_dir.landing, [f])
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 3, 3, 0)
    assert q(data_dir.landing, "select reference, record_type, complainant, nature, stage1_outcome, stage "
                               "from raw.complaints_register order by 1") == [
        ("C1", "complaint", "parent", "communication", "upheld", 1),
        ("C2", None, "parent", "quality_of_service", "not_upheld", 2),
        ("C3", "compliment", "carer", None, None, None)]
    action = q(data_dir.landing, "select learning_action from raw.complaints_register where reference = 'C1'")
    assert action == [("Remind team to write to TN34 [rest of postcode removed] within 10 days",)]
    # Staff and registration numbers are masked; a year is not an identifier.
    action = q(data_dir.landing, "select learning_action from raw.complaints_register where reference = 'C2'")
    assert action == [("Staff member [identifier removed] (SWE [identifier removed]) to redo the 2024 training",)]
    # The register covers from its first record to its as-at date.
    assert q(data_dir.landing, "select period_start, period_end from meta.loads") == [
        (date(2023, 12, 19), date(2024, 11, 30))]


def test_newer_register_replaces_the_whole_register_and_an_older_one_is_refused(data_dir, tmp_path):
    nov = write(tmp_path / "complaints" / "845" / "2024-11" / "complaints.csv", REGISTER_HEADER, REGISTER_ROWS[:3])
    ingest_paths(data_dir.landing, [nov])
    # A December register with a bad record is refused; November's stays.
    bad = write(tmp_path / "bad" / "845" / "2024-12" / "complaints.csv", REGISTER_HEADER,
                [*REGISTER_ROWS[:2], REGISTER_ROWS[6]])
    assert [o.status for o in ingest_paths(data_dir.landing, [bad])] == ["rejected"]
    assert q(data_dir.landing, "select count(*) from raw.complaints_register") == [(3,)]
    # December corrected: C2's stage 2 has been answered; C3 (a compliment) was withdrawn from the register.
    dec_rows = [REGISTER_ROWS[0], REGISTER_ROWS[1].replace("15/01/2024,,,", "15/01/2024,05/02/2024,N,upheld")]
    dec = write(tmp_path / "complaints" / "845" / "2024-12" / "complaints.csv", REGISTER_HEADER, dec_rows)
    [outcome] = ingest_paths(data_dir.landing, [dec])
    assert outcome.status == "loaded" and len(outcome.superseded) == 1
    assert q(data_dir.landing, "select reference, stage2_outcome from raw.complaints_register order by 1") == [
        ("C1", None), ("C2", "upheld")]
    # The November file sent again changes nothing; an October register arriving late is refused.
    assert {o.status for o in ingest_paths(data_dir.landing, [nov])} == {"unchanged"}
    older = write(tmp_path / "late" / "845" / "2024-10" / "complaints.csv", REGISTER_HEADER, REGISTER_ROWS[:2])
    [late] = ingest_paths(data_dir.landing, [older])
    assert late.status == "rejected"
    assert "older than the one loaded" in late.message and "as at 31/12/2024" in late.message
    assert q(data_dir.landing, "select reference, stage2_outcome from raw.complaints_register order by 1") == [
        ("C1", None), ("C2", "upheld")]
    loads = q(data_dir.landing, "select status, rows_read, rows_loaded, rows_rejected from meta.loads "
                                "order by load_id")
    assert loads == [("superseded", 3, 3, 0), ("rejected", 3, 0, 3), ("loaded", 2, 2, 0), ("rejected", 2, 0, 2)]
