"""`ingest.validate.check` builds a table's checks once and reuses them for files of the same layout, year and key.

Each test checks files one after another in one process, as a folder of extracts is, and asserts what each file
alone should give: reusing the checks must never carry one file's year, column order or key into the next.
"""

from __future__ import annotations

from datetime import date

from ingest.contracts import get_table
from ingest.pseudonym import pseudonym
from ingest.read import read_csv_text
from ingest.validate import Period, check

HEADER = get_table("ssda903", "header")
AUDITS = get_table("audits", "case_file_audits")
YEAR_2024 = Period(start=date(2023, 4, 1), end=date(2024, 3, 31), collection_year=2024)
YEAR_2025 = Period(start=date(2024, 4, 1), end=date(2025, 3, 31), collection_year=2025)


def text(csv: str):
    return read_csv_text(csv.encode(), "header.csv")


def rejected(checked) -> list[tuple[int, str, str]]:
    return [(r["row_number"], r["column_name"], r["rule"]) for r in checked.rejects.iter_rows(named=True)]


def test_the_collection_year_checked_is_the_files_own_each_time():
    # SEX "1" was valid up to 2023-24; "M" from 2024-25. The same layout, checked for each year in turn.
    csv = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,1,01/01/2015,WBRI,,,\nA2,M,01/01/2016,WBRI,,,\n"
    assert rejected(check(HEADER, text(csv), "header.csv", YEAR_2024)) == [(2, "SEX", "code_wrong_year")]
    assert rejected(check(HEADER, text(csv), "header.csv", YEAR_2025)) == [(1, "SEX", "code_wrong_year")]
    assert rejected(check(HEADER, text(csv), "header.csv", YEAR_2024)) == [(2, "SEX", "code_wrong_year")]


def test_columns_in_another_order_are_read_by_their_headings():
    first = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,M,01/01/2015,WBRI,,,\n"
    moved = "DOB,ETHNIC,CHILD,SEX,UPN,MOTHER,MC_DOB\n02/03/2016,WIRI,B7,F,,,\n"
    a = check(HEADER, text(first), "header.csv", YEAR_2025).good
    b = check(HEADER, text(moved), "header.csv", YEAR_2025).good
    assert a.select("child_id", "sex", "dob", "ethnic").rows() == [("A1", "M", date(2015, 1, 1), "WBRI")]
    assert b.select("child_id", "sex", "dob", "ethnic").rows() == [("B7", "F", date(2016, 3, 2), "WIRI")]



def test_a_header_one_column_wider_counts_fields_against_its_own_width():
    # The contract's columns are in the same places; the second file has an extra column at the end, so its
    # rows must have 8 fields, not 7.
    narrow = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,M,01/01/2015,WBRI,,,\n"
    wide = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,NOTE\nA1,M,01/01/2015,WBRI,,,,x\nA2,M,01/01/2015,WBRI,,,\n"
    assert rejected(check(HEADER, text(narrow), "header.csv", YEAR_2025)) == []
    assert rejected(check(HEADER, text(wide), "header.csv", YEAR_2025)) == [(2, "", "field_count")]

def test_a_rule_broken_only_in_a_later_file_is_still_found():
    # The first file breaks nothing; the second breaks three different rules on three rows.
    good = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,M,01/01/2015,WBRI,,,\n"
    bad = ("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,M,01/01/2015,WBRI,,,\nA2,M,31/02/2015,WBRI,,,\n"
           "A3,M,01/01/2015,XXXX,,,\n,M,01/01/2015,WBRI,,,\n")
    assert rejected(check(HEADER, text(good), "header.csv", YEAR_2025)) == []
    assert rejected(check(HEADER, text(bad), "header.csv", YEAR_2025)) == [
        (2, "DOB", "date_format"), (3, "ETHNIC", "code_unknown"), (4, "CHILD", "required")]


def test_each_pseudonymisation_key_gives_its_own_pseudonyms():
    # Two data folders have two keys: the same worker must get each key's pseudonym, not the first one's.
    csv = ("audit_id,task,type,audit_date,team,worker_id,child_id,auditor,grade,significant_concerns,themes,"
           "follows_up\nAU1,,peer,05/11/2024,Team A,E1001,C77,team manager,good,no,,\n")
    key_a, key_b = bytes(range(32)), bytes(range(1, 33))
    checks = [check(AUDITS, text(csv), "audits.csv", None, pseudonym_key=k).good for k in (key_a, key_b)]
    assert [c["worker_id"].to_list() for c in checks] == [[pseudonym("E1001", key_a, "W")],
                                                        [pseudonym("E1001", key_b, "W")]]
    assert [c["child_id"].to_list() for c in checks] == [[pseudonym("C77", key_a, "C")],
                                                       [pseudonym("C77", key_b, "C")]]
