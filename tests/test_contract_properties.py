"""Property tests of the contracts: rows generated from the contracts' own code lists and date rules.

Valid rows (SSDA903 header and episodes, HR workers, the complaints register) must all pass and their values come
back typed as written. The same rows with one field of one row broken (a date in the wrong form or impossible, a
code unknown or of another collection year, a required field blank, a field too few or too many, ...) must lose
exactly that row, for exactly the rule and column broken. Always: rows read = rows kept + rows rejected, and every
rejection names a real data row. Most examples go through `ingest.validate.check` (fast); HR workers also go through
whole files (`ingest.load.ingest_file`: CSV quoting, encodings, blank lines) into a landing database.
"""

from __future__ import annotations

import csv
import io
import math
import string
from datetime import date, timedelta

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ingest.contracts import Table, get_table
from ingest.landing import ensure_schema
from ingest.load import ingest_file
from ingest.pseudonym import pseudonym
from ingest.read import CsvText
from ingest.validate import Period, check

KEY = bytes(range(32))  # a fixed pseudonymisation key: pseudonyms can be predicted
YEAR = 2025  # collection year 2024-25
START, END = date(2024, 4, 1), date(2025, 3, 31)
YEAR_PERIOD = Period(start=START, end=END, collection_year=YEAR)
MONTH = Period(start=date(2024, 11, 1), end=date(2024, 11, 30), collection_year=YEAR, name="the month Nov 2024")
AS_AT = date(2024, 11, 30)
REGISTER_PERIOD = Period(start=AS_AT, end=AS_AT, collection_year=YEAR, name="the register as at 30/11/2024")
INT32_MAX = 2**31 - 1

HEADER = get_table("ssda903", "header")
EPISODES = get_table("ssda903", "episodes")
WORKERS = get_table("hr", "workers")
REGISTER = get_table("complaints", "register")

SETTINGS = settings(max_examples=30, deadline=None, database=None)  # no example database in the repo


def dmy(d: date, zeros: bool = True) -> str:
    return f"{d:%d/%m/%Y}" if zeros else f"{d.day}/{d.month}/{d.year}"  # Excel drops leading zeros: both pass


# --- strategies ---------------------------------------------------------------------------------------------------

ids = st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=8)
names = st.text(string.ascii_letters + " -'é", min_size=1, max_size=20).map(str.strip).filter(bool)


def code(table: Table, list_name: str, year: int | None = YEAR) -> st.SearchStrategy[tuple[str, str]]:
    """(as written, as stored): any valid code, in its own spelling, lower case, or with spaces for underscores."""
    canonical = {c.upper(): c for c in table.all_codes(list_name)}
    stored = (lambda c: c) if any(k != v for k, v in canonical.items()) else str.upper
    return st.sampled_from(sorted(table.allowed_codes(list_name, year))).flatmap(
        lambda c: st.sampled_from([c, c.lower(), c.replace("_", " ").title(), f" {c} "]).map(lambda w: (w, stored(c))))


def unknown_code(table: Table, list_name: str) -> st.SearchStrategy[str]:
    every = {c.upper() for c in table.all_codes(list_name)}
    return st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=5).filter(lambda v: v not in every)


def bad_date(d: date) -> st.SearchStrategy[str]:
    """A date in a form a dd/mm/yyyy column must refuse: ISO, a two-digit year, dashes, or a day that does not
    exist."""
    return st.sampled_from([
        d.isoformat(), f"{d.day}/{d.month}/{d.year % 100:02d}", f"{d:%d-%m-%Y}", f"{d:%Y/%m/%d}",
        f"31/02/{d.year}", f"30/02/{d.year}", f"31/04/{d.year}", f"{d:%d/%m}/{d.year}0",
    ])


class Rows:
    """Generated rows of one contract table: heading → text, and what each should be stored as."""

    def __init__(self, table: Table, headings: list[str], rows: list[dict], stored: list[dict]):
        self.table, self.headings, self.rows, self.stored = table, headings, rows, stored

    def text(self, broken: dict[int, list[str]] | None = None) -> CsvText:
        lines = [[r[h] for h in self.headings] for r in self.rows]
        for i, fields in (broken or {}).items():
            lines[i] = fields
        return CsvText("utf-8", list(self.headings), lines, list(range(1, len(lines) + 1)))

    def fields(self, i: int) -> list[str]:
        return [self.rows[i][h] for h in self.headings]


@st.composite
def header_rows(draw) -> Rows:
    n = draw(st.integers(1, 10))
    children = draw(st.lists(ids, min_size=n, max_size=n, unique=True))
    rows, stored = [], []
    for child in children:
        sex, sex_stored = draw(code(HEADER, "sex"))
        ethnic, ethnic_stored = draw(code(HEADER, "ethnic"))
        dob = draw(st.dates(date(1995, 1, 1), date(2025, 3, 31)))
        rows.append({"CHILD": child, "SEX": sex, "DOB": dmy(dob, draw(st.booleans())), "ETHNIC": ethnic,
                     "UPN": draw(st.sampled_from(["", "A123456789012"])), "MOTHER": "", "MC_DOB": ""})
        stored.append({"child_id": child, "sex": sex_stored, "dob": dob, "ethnic": ethnic_stored})
    headings = draw(st.permutations([c.name for c in HEADER.columns]))  # any column order
    return Rows(HEADER, list(headings), rows, stored)


POSTCODES = ["TN34 1AA", "ME1 1AA", "SW1A 1AA", "B1 1BB", "tn341aa"]


@st.composite
def episode_rows(draw) -> Rows:
    n = draw(st.integers(1, 10))
    children = draw(st.lists(ids, min_size=n, max_size=n, unique=True))
    rows, stored = [], []
    for child in children:
        decom = draw(st.dates(START, END))
        ended = draw(st.booleans())
        dec = draw(st.dates(decom, END)) if ended else None
        written, typed = {}, {}
        for name, codes in (("RNE", "rne"), ("LS", "legal_status"), ("CIN", "category_of_need"),
                            ("PLACE", "placement")):
            written[name], typed[name.lower()] = draw(code(EPISODES, codes))
        provider, provider_stored = draw(st.one_of(st.just(("", None)), code(EPISODES, "placement_provider")))
        rec, rec_stored = draw(code(EPISODES, "reason_episode_ceased")) if ended else ("", None)
        rows.append({"CHILD": child, "DECOM": dmy(decom), "DEC": dmy(dec) if dec else "", "REC": rec,
                     "PLACE_PROVIDER": provider, "REASON_PLACE_CHANGE": "",
                     "HOME_POST": draw(st.sampled_from(["", *POSTCODES])),
                     "PL_POST": draw(st.sampled_from(["", *POSTCODES])), "URN": draw(st.sampled_from(["", "SC1"])),
                     **written})
        stored.append({"child_id": child, "decom": decom, "dec": dec, "rec": rec_stored,
                       "place_provider": provider_stored, **typed})
    return Rows(EPISODES, [c.name for c in EPISODES.columns], rows, stored)


@st.composite
def worker_rows(draw, min_size: int = 1) -> Rows:
    n = draw(st.integers(min_size, 10))
    numbers = draw(st.lists(st.integers(1, 99999), min_size=n, max_size=n, unique=True))
    rows, stored = [], []
    for number in numbers:
        staff = f"E{number}"
        role, role_stored = draw(code(WORKERS, "hr_role"))
        kind, kind_stored = draw(code(WORKERS, "employment_type"))
        fte = draw(st.sampled_from([0, 0.2, 0.5, 0.6, 0.81, 1]))
        start = draw(st.one_of(st.none(), st.dates(date(1990, 1, 1), MONTH.end)))
        leave = draw(st.one_of(st.none(), st.dates(max(start or MONTH.start, MONTH.start), date(2025, 6, 30))))
        reason, reason_stored = draw(code(WORKERS, "leave_reason")) if leave else ("", None)
        cases = draw(st.integers(0, 40))
        rows.append({"month": dmy(draw(st.dates(MONTH.start, MONTH.end))), "worker_id": staff,
                     "team_name": draw(names), "role": role, "fte": draw(st.sampled_from([str(fte), f"{fte:.2f}"])),
                     "employment_type": kind, "start_date": dmy(start) if start else "",
                     "leave_date": dmy(leave) if leave else "", "leave_reason": reason,
                     "sickness_days": str(draw(st.sampled_from([0, 1.5, 23]))),
                     "cases_held": draw(st.sampled_from([str(cases), f"{cases}.0"]))})
        stored.append({"worker_id": pseudonym(staff, KEY, "W"), "role": role_stored, "employment_type": kind_stored,
                       "fte": float(fte), "start_date": start, "leave_date": leave, "leave_reason": reason_stored,
                       "cases_held": cases})
    return Rows(WORKERS, [c.name for c in WORKERS.columns], rows, stored)


@st.composite
def register_rows(draw) -> Rows:
    n = draw(st.integers(1, 8))
    rows, stored = [], []
    for i in range(n):
        kind = draw(st.sampled_from(["complaint", "compliment", ""]))
        stage = 0 if kind == "compliment" else draw(st.integers(0, 3))
        # received, then each stage's start and (perhaps) response, in order, none after the as-at date
        when = sorted(draw(st.lists(st.dates(date(2023, 4, 1), AS_AT), min_size=1 + 2 * stage,
                                    max_size=1 + 2 * stage)))
        row = {c.name: "" for c in REGISTER.columns}
        row.update(reference=f"CC-{i}", record_type=draw(st.sampled_from([kind, kind.upper()])),
                   received_date=dmy(when[0]), stage=str(stage) if stage else "")
        if kind != "compliment":
            row["nature"] = draw(code(REGISTER, "complaint_nature"))[0]
            row["complainant"] = draw(st.sampled_from(["", "parent", "Child"]))
        for s in range(1, stage + 1):
            row[f"stage{s}_start_date"] = dmy(when[2 * s - 1])
            if draw(st.booleans()):
                row[f"stage{s}_response_date"] = dmy(when[2 * s])
                row[f"stage{s}_outcome"] = draw(code(REGISTER, "complaint_outcome"))[0]
            if s < 3:
                row[f"stage{s}_extended"] = draw(st.sampled_from(["", "Y", "n", "Yes", "false"]))
        status = draw(st.sampled_from(["", "open", "completed", "not_required"]))
        row["learning_action_status"] = status
        if status == "completed":
            row["learning_action_completed_date"] = dmy(draw(st.dates(date(2023, 4, 1), AS_AT)))
        rows.append(row)
        stored.append({"reference": f"CC-{i}", "stage": stage or None, "received_date": when[0],
                       "record_type": kind or None})
    return Rows(REGISTER, [c.name for c in REGISTER.columns], rows, stored)


# --- checks -------------------------------------------------------------------------------------------------------


def reconciled(checked, n: int) -> None:
    assert checked.rows_read == n
    assert checked.good.height + checked.rows_rejected == n
    assert all(1 <= r <= n for r in checked.rejects["row_number"].to_list())
    assert set(checked.good["_source_row"].to_list()).isdisjoint(checked.rejects["row_number"].to_list())


def assert_round_trip(checked, rows: Rows) -> None:
    good = checked.good.sort("_source_row").to_dicts()
    assert len(good) == len(rows.stored)
    for got, want in zip(good, rows.stored, strict=True):
        for column, value in want.items():
            assert got[column] == value, (column, got[column], value)


def only_row_rejected(checked, rows: Rows, i: int, expected: set[tuple[str, str]]) -> None:
    """Row i+1 alone is rejected, for exactly the (column, rule) pairs expected; the others kept as written."""
    reconciled(checked, len(rows.rows))
    got = {(r["column_name"], r["rule"]) for r in checked.rejects.iter_rows(named=True)}
    assert set(checked.rejects["row_number"].to_list()) == {i + 1}, checked.rejects
    assert got == expected, checked.rejects
    kept = Rows(rows.table, rows.headings, rows.rows[:i] + rows.rows[i + 1:], rows.stored[:i] + rows.stored[i + 1:])
    assert_round_trip(checked, kept)


def broken_count(fields: list[str], draw_bool: bool) -> list[str]:
    """A field too few (a truncated line) or one too many (a stray comma)."""
    return fields[:-1] if draw_bool else [*fields, "x"]


# --- SSDA903 header -----------------------------------------------------------------------------------------------


@SETTINGS
@given(header_rows())
def test_valid_header_rows_all_load_as_written(rows):
    checked = check(HEADER, rows.text(), "header.csv", YEAR_PERIOD)
    reconciled(checked, len(rows.rows))
    assert checked.rejects.height == 0 and checked.cleared.height == 0
    assert_round_trip(checked, rows)


@SETTINGS
@given(rows=header_rows(), data=st.data())
def test_one_broken_header_field_rejects_exactly_that_row(rows, data):
    i = data.draw(st.integers(0, len(rows.rows) - 1), label="row")
    row = dict(rows.rows[i])
    kind = data.draw(st.sampled_from(["date", "unknown", "other_year", "blank", "field_count"]), label="kind")
    if kind == "date":
        dob = date(2015, 6, 7)
        row["DOB"] = data.draw(bad_date(dob))
        expected = {("DOB", "date_format")}
    elif kind == "unknown":
        column, codes = data.draw(st.sampled_from([("SEX", "sex"), ("ETHNIC", "ethnic")]))
        row[column] = data.draw(unknown_code(HEADER, codes))
        expected = {(column, "code_unknown")}
    elif kind == "other_year":  # SEX 1/2 ended with 2023-24
        row["SEX"] = data.draw(st.sampled_from(sorted(HEADER.all_codes("sex") - HEADER.allowed_codes("sex", YEAR))))
        expected = {("SEX", "code_wrong_year")}
    elif kind == "blank":
        column = data.draw(st.sampled_from(["CHILD", "SEX", "DOB", "ETHNIC"]))
        row[column] = data.draw(st.sampled_from(["", "  ", "#N/A"]))  # a spreadsheet error is a blank too
        expected = {(column, "required")}
    else:
        fields = broken_count([row[h] for h in rows.headings], data.draw(st.booleans()))
        checked = check(HEADER, rows.text({i: fields}), "header.csv", YEAR_PERIOD)
        only_row_rejected(checked, rows, i, {("", "field_count")})
        return
    checked = check(HEADER, rows.text({i: [row[h] for h in rows.headings]}), "header.csv", YEAR_PERIOD)
    only_row_rejected(checked, rows, i, expected)


# --- SSDA903 episodes ---------------------------------------------------------------------------------------------


@SETTINGS
@given(episode_rows())
def test_valid_episodes_all_load_as_written(rows):
    checked = check(EPISODES, rows.text(), "episodes.csv", YEAR_PERIOD)
    reconciled(checked, len(rows.rows))
    assert checked.rejects.height == 0 and checked.cleared.height == 0
    assert_round_trip(checked, rows)
    postcodes = checked.good.sort("_source_row")["placement_postcode"].to_list()
    for got, row in zip(postcodes, rows.rows, strict=True):
        written = row["PL_POST"].upper().replace(" ", "")
        assert got == (f"{written[:-3]} {written[-3:]}" if written else None)


@SETTINGS
@given(rows=episode_rows(), data=st.data())
def test_one_broken_episode_field_rejects_exactly_that_row(rows, data):
    i = data.draw(st.integers(0, len(rows.rows) - 1), label="row")
    row = dict(rows.rows[i])
    decom = rows.stored[i]["decom"]
    kind = data.draw(st.sampled_from(["date", "ends_first", "after_year", "unknown", "other_year", "blank",
                                      "no_reason", "field_count", "postcode"]), label="kind")
    if kind == "date":
        column = data.draw(st.sampled_from(["DECOM", "DEC"]))
        row[column] = data.draw(bad_date(decom))  # (a DEC compared with a DECOM that is no date breaks no order)
        expected = {(column, "date_format")}
    elif kind == "ends_first":
        dec = decom - timedelta(days=data.draw(st.integers(1, 30)))
        row.update(DEC=dmy(dec), REC="E13")
        expected = {("DEC", "date_order")} | ({("DEC", "before_collection_year")} if dec < START else set())
    elif kind == "after_year":
        row.update(DECOM=dmy(END + timedelta(days=data.draw(st.integers(1, 400)))), DEC="", REC="")
        expected = {("DECOM", "after_collection_year")}
    elif kind == "unknown":
        column, codes = data.draw(st.sampled_from([("RNE", "rne"), ("LS", "legal_status"),
                                                   ("CIN", "category_of_need"), ("PLACE", "placement"),
                                                   ("PLACE_PROVIDER", "placement_provider")]))
        row[column] = data.draw(unknown_code(EPISODES, codes))
        expected = {(column, "code_unknown")}
    elif kind == "other_year":  # e.g. H5 and P2 ended with 2023-24, Z11-Z14 start in 2025-26
        others = sorted(EPISODES.all_codes("placement") - EPISODES.allowed_codes("placement", YEAR))
        row["PLACE"] = data.draw(st.sampled_from(others))
        expected = {("PLACE", "code_wrong_year")}
    elif kind == "blank":
        column = data.draw(st.sampled_from(["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE"]))
        row[column] = ""
        expected = {(column, "required")}
    elif kind == "no_reason":
        row.update(DEC=dmy(max(decom, START)), REC="")
        expected = {("REC", "required_with")}
    elif kind == "postcode":  # on_error: clear: the row is kept, the postcode unknown, the value logged
        row["PL_POST"] = data.draw(st.sampled_from(["2TR", "NOT A PC", "TN34"]))
        checked = check(EPISODES, rows.text({i: [row[h] for h in rows.headings]}), "episodes.csv", YEAR_PERIOD)
        reconciled(checked, len(rows.rows))
        assert checked.rejects.height == 0
        assert [(r["row_number"], r["column_name"], r["rule"]) for r in checked.cleared.iter_rows(named=True)] == [
            (i + 1, "PL_POST", "postcode_format")]
        assert checked.good.sort("_source_row")["placement_postcode"][i] is None
        assert_round_trip(checked, rows)
        return
    else:
        fields = broken_count([row[h] for h in rows.headings], data.draw(st.booleans()))
        checked = check(EPISODES, rows.text({i: fields}), "episodes.csv", YEAR_PERIOD)
        only_row_rejected(checked, rows, i, {("", "field_count")})
        return
    checked = check(EPISODES, rows.text({i: [row[h] for h in rows.headings]}), "episodes.csv", YEAR_PERIOD)
    only_row_rejected(checked, rows, i, expected)


# --- HR workers ---------------------------------------------------------------------------------------------------


@SETTINGS
@given(worker_rows())
def test_valid_hr_workers_all_load_as_written(rows):
    checked = check(WORKERS, rows.text(), "hr_workers.csv", MONTH, pseudonym_key=KEY)
    reconciled(checked, len(rows.rows))
    assert checked.rejects.height == 0
    assert_round_trip(checked, rows)


def break_worker(row: dict, data) -> set[tuple[str, str]]:
    """Break one field of a worker's row in place; return the (column, rule) pairs it must be rejected for."""
    kind = data.draw(st.sampled_from(["other_month", "date", "fte", "not_a_number", "unknown", "blank",
                                      "leaves_first"]), label="kind")
    if kind == "other_month":
        row["month"] = data.draw(st.sampled_from(["31/10/2024", "01/12/2024"]))
        return {("month", "before_collection_year" if row["month"].endswith("10/2024") else "after_collection_year")}
    if kind == "date":
        row["month"] = data.draw(bad_date(date(2024, 11, 30)))
        return {("month", "date_format")}
    if kind == "fte":
        row["fte"] = data.draw(st.sampled_from(["1.2", "2", "-0.5"]))
        return {("fte", "out_of_range")}
    if kind == "not_a_number":
        column = data.draw(st.sampled_from(["fte", "sickness_days", "cases_held"]))
        row[column] = data.draw(st.sampled_from(["full", "1,5", "n/a", "12.5" if column == "cases_held" else "x"]))
        return {(column, "not_a_number")}
    if kind == "unknown":
        column, codes = data.draw(st.sampled_from([("role", "hr_role"), ("employment_type", "employment_type")]))
        row[column] = data.draw(unknown_code(WORKERS, codes))
        return {(column, "code_unknown")}
    if kind == "blank":
        column = data.draw(st.sampled_from(["month", "worker_id", "team_name", "role", "fte", "employment_type"]))
        row[column] = ""
        return {(column, "required")}
    row.update(start_date="15/11/2024", leave_date="10/11/2024", leave_reason="resignation")
    return {("leave_date", "date_order")}


@SETTINGS
@given(rows=worker_rows(), data=st.data())
def test_one_broken_hr_field_rejects_exactly_that_row(rows, data):
    i = data.draw(st.integers(0, len(rows.rows) - 1), label="row")
    row = dict(rows.rows[i])
    expected = break_worker(row, data)
    checked = check(WORKERS, rows.text({i: [row[h] for h in rows.headings]}), "hr_workers.csv", MONTH,
                    pseudonym_key=KEY)
    only_row_rejected(checked, rows, i, expected)


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(2**40), 2**40).map(str),
    st.text(string.digits + ".,-+eE naifNAIF", max_size=8),
).filter(lambda v: v.strip())  # a blank is another matter (required, or unknown)


@SETTINGS
@example(column="cases_held", value="nan")  # pandas writes "nan" for a blank number
@example(column="cases_held", value="inf")
@example(column="cases_held", value="1e30")
@example(column="cases_held", value="3000000000")  # more than raw.hr_workers.cases_held (INTEGER) can hold
@example(column="sickness_days", value="NaN")
@example(column="fte", value="-inf")
@given(column=st.sampled_from(["fte", "sickness_days", "cases_held"]), value=NUMBERS)
def test_a_number_is_kept_only_when_it_is_a_finite_number_in_range(column, value):
    """Whatever text a numeric cell holds, the row is kept with a finite number within the contract's range (and an
    integer within the INTEGER column), or rejected as not a number or out of range: never a crash, never NaN."""
    rows = Rows(WORKERS, [c.name for c in WORKERS.columns], [{
        "month": "30/11/2024", "worker_id": "E1", "team_name": "Team", "role": "SW", "fte": "1",
        "employment_type": "permanent", "start_date": "", "leave_date": "", "leave_reason": "",
        "sickness_days": "0", "cases_held": "0", column: value}], [])
    checked = check(WORKERS, rows.text(), "hr_workers.csv", MONTH, pseudonym_key=KEY)
    reconciled(checked, 1)
    spec = WORKERS.column(column)
    if checked.good.height:
        got = checked.good[column][0]
        assert got is not None and math.isfinite(got), (value, got)
        assert spec.min <= got and (spec.max is None or got <= spec.max), (value, got)
        assert spec.type != "integer" or abs(got) <= INT32_MAX, (value, got)
        assert got == pytest.approx(float(value)), value
    else:
        assert {r["rule"] for r in checked.rejects.iter_rows(named=True)} <= {"not_a_number", "out_of_range"}, (
            value, checked.rejects)
        assert set(checked.rejects["column_name"].to_list()) == {column}


# --- complaints register ------------------------------------------------------------------------------------------


@SETTINGS
@given(register_rows())
def test_valid_registers_all_load_as_written(rows):
    checked = check(REGISTER, rows.text(), "complaints.csv", REGISTER_PERIOD)
    reconciled(checked, len(rows.rows))
    assert checked.rejects.height == 0, checked.rejects
    assert_round_trip(checked, rows)


@SETTINGS
@given(rows=register_rows(), data=st.data())
def test_one_broken_register_field_rejects_exactly_that_record(rows, data):
    i = data.draw(st.integers(0, len(rows.rows) - 1), label="row")
    row = dict(rows.rows[i])
    stage = rows.stored[i]["stage"] or 0
    kinds = ["date", "blank", "stage", "nature", "completed_no_date", "field_count"]
    if stage and row["stage1_response_date"]:
        kinds.append("answered_first")
    kind = data.draw(st.sampled_from(kinds), label="kind")
    if kind == "date":
        row["received_date"] = data.draw(bad_date(rows.stored[i]["received_date"]))
        expected = {("received_date", "date_format")}
    elif kind == "blank":
        row["received_date"] = ""
        expected = {("received_date", "required")}
    elif kind == "stage":
        row["stage"] = "2" if stage == 1 else "1"
        expected = {("stage", "inconsistent")}
    elif kind == "nature":
        row["nature"] = data.draw(unknown_code(REGISTER, "complaint_nature"))
        expected = {("nature", "code_unknown")}
    elif kind == "completed_no_date":
        row.update(learning_action_status="completed", learning_action_completed_date="")
        expected = {("learning_action_completed_date", "required_with")}
    elif kind == "answered_first":
        start = date(*map(int, reversed(row["stage1_start_date"].split("/"))))
        row["stage1_response_date"] = dmy(start - timedelta(days=1))
        expected = {("stage1_response_date", "date_order")}
    else:
        fields = broken_count([row[h] for h in rows.headings], data.draw(st.booleans()))
        checked = check(REGISTER, rows.text({i: fields}), "complaints.csv", REGISTER_PERIOD)
        only_row_rejected(checked, rows, i, {("", "field_count")})
        return
    checked = check(REGISTER, rows.text({i: [row[h] for h in rows.headings]}), "complaints.csv", REGISTER_PERIOD)
    only_row_rejected(checked, rows, i, expected)


# --- HR workers as whole files, through the loader ----------------------------------------------------------------


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("properties")
    con = duckdb.connect(str(folder / "landing.duckdb"))
    ensure_schema(con)
    yield folder, con
    con.close()


@settings(max_examples=20, deadline=None, database=None)
@given(rows=worker_rows(min_size=2), data=st.data())
def test_whole_hr_files_reconcile_and_name_the_broken_row(landing, rows, data):
    """Written as a real file (quoted where needed, in UTF-8, UTF-8 with BOM or Windows-1252, blank lines here and
    there), loaded with ingest_file: the load reconciles, the broken row (if any) alone is rejected and named by its
    data-row number, and the rest are in raw.hr_workers as written."""
    folder, con = landing
    broken = data.draw(st.one_of(st.none(), st.integers(0, len(rows.rows) - 1)), label="broken row")
    lines = [dict(r) for r in rows.rows]
    expected = break_worker(lines[broken], data) if broken is not None else set()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=data.draw(st.sampled_from(["\n", "\r\n"]), label="line end"))
    writer.writerow(rows.headings)
    for line in lines:
        if data.draw(st.booleans(), label="blank line before"):
            out.write("\n")
        writer.writerow([line[h] for h in rows.headings])
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), label="encoding")
    path = folder / "hr" / "845" / "2024-11" / "hr_workers.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue().encode(encoding))
    # Windows-1252 is told from UTF-8 only by a character outside ASCII (é in a team name).
    read_as = "windows-1252" if encoding == "cp1252" and not out.getvalue().isascii() else "utf-8"

    [outcome] = ingest_file(con, path, reload=True, key=KEY)

    n = len(rows.rows)
    assert outcome.status == "loaded", outcome.message
    assert (outcome.rows_read, outcome.rows_rejected) == (n, 1 if broken is not None else 0)
    assert con.sql("select rows_read, rows_loaded + rows_rejected, encoding from meta.loads where load_id = ?",
                   params=[outcome.load_id]).fetchall() == [(n, n, read_as)]
    rejected = con.sql("select row_number, column_name, rule from meta.rejected_rows where load_id = ?",
                       params=[outcome.load_id]).fetchall()
    assert {(c, rule) for _r, c, rule in rejected} == expected
    assert {r for r, _c, _rule in rejected} == ({broken + 1} if broken is not None else set())
    for line in outcome.first_rejects:
        assert line.startswith(f"hr_workers.csv row {broken + 1}, column "), line
    stored = con.sql("select _source_row, worker_id, team_name, fte from raw.hr_workers where _load_id = ? "
                     "order by 1", params=[outcome.load_id]).fetchall()
    want = [(i + 1, rows.stored[i]["worker_id"], rows.rows[i]["team_name"].strip(), rows.stored[i]["fte"])
            for i in range(n) if i != broken]
    assert stored == want
