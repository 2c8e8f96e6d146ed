"""Ofsted Annex A workbooks: lists matched by sheet, headings by pattern, snapshots superseded by date."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingest.cli import main
from ingest.load import ingest_paths
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "annex_a" / "Annex_A_2024_Jan.xlsx"
LISTS = {"contacts": "List 1", "referrals": "List 3", "assessments": "List 4", "section47": "List 5",
         "children_in_need": "List 6", "cp_plans": "List 7"}


def query(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


def raw_snapshot(db: Path) -> dict:
    return {t: sorted(map(repr, query(db, f"select * from raw.annex_a_{t}"))) for t in LISTS}


def copy_sample(tmp_path: Path, as_at: str = "2024-01", la: str = "845") -> Path:
    target = tmp_path / la / as_at / "annex_a.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, target)
    return target


def edit(path: Path, change) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def test_sample_workbook_ingests_with_reconciled_counts(data_dir):
    outcomes = ingest_paths(data_dir.landing, [SAMPLE], la="845")
    assert {o.table for o in outcomes} == {f"annex_a.{t}" for t in LISTS}
    book = openpyxl.load_workbook(SAMPLE, read_only=True)
    for o in outcomes:
        sheet = book[LISTS[o.table.split(".")[1]]]
        data_rows = sum(1 for r in list(sheet.iter_rows(values_only=True))[1:] if any(v is not None for v in r))
        assert o.status == "loaded"
        assert o.rows_read == data_rows == o.rows_loaded + o.rows_rejected, o.table
    # The file name says the snapshot's date: January 2024.
    assert query(data_dir.landing, "select distinct period_end::varchar from meta.loads") == [("2024-01-31",)]
    # Lettered codes lose their letters; Excel's #N/A is a blank, not a team called "#N/A".
    assert query(data_dir.landing, "select sex, ethnicity from raw.annex_a_referrals where child_id = '6537810'") == [
        ("Male", "WBRI")]
    assert query(data_dir.landing, "select count(*) from raw.annex_a_children_in_need where team_name is null") == [
        (5,)]


def test_worker_names_become_keyed_pseudonyms(data_dir):
    ingest_paths(data_dir.landing, [SAMPLE], la="845")
    workers = [w for (w,) in query(data_dir.landing, "select worker_id from raw.annex_a_referrals")]
    assert all(w.startswith("W") and len(w) == 13 for w in workers)
    assert len(set(workers)) == 3  # Dustin Hazlett, Mathilde Cutsforth (x4), and one more
    con = duckdb.connect(str(data_dir.landing), read_only=True)
    try:
        text = repr(con.sql("select * from raw.annex_a_referrals").fetchall())
    finally:
        con.close()
    assert "Hazlett" not in text and "Cutsforth" not in text
    key = data_dir.root / "secrets" / "pseudonym.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_same_workbook_twice_and_a_newer_snapshot_of_the_same_date(data_dir, tmp_path):
    first = copy_sample(tmp_path)
    ingest_paths(data_dir.landing, [first])
    before = raw_snapshot(data_dir.landing)
    assert {o.status for o in ingest_paths(data_dir.landing, [first])} == {"unchanged"}
    assert raw_snapshot(data_dir.landing) == before
    # A corrected snapshot as at the same date replaces every list; another month's snapshot adds to them.
    edit(first, lambda b: b["List 1"].delete_rows(2))
    outcomes = ingest_paths(data_dir.landing, [first])
    assert all(o.superseded for o in outcomes)
    assert query(data_dir.landing, "select count(*) from raw.annex_a_contacts") == [(4,)]
    other = copy_sample(tmp_path, as_at="2024-02")
    assert not any(o.superseded for o in ingest_paths(data_dir.landing, [other]))
    assert query(data_dir.landing, "select count(*) from raw.annex_a_contacts") == [(9,)]


def test_missing_list_rejects_the_workbook_naming_the_list(data_dir, tmp_path, capsys):
    good = copy_sample(tmp_path, as_at="2023-12")
    ingest_paths(data_dir.landing, [good])
    before = raw_snapshot(data_dir.landing)
    bad = edit(copy_sample(tmp_path / "bad"), lambda b: b.remove(b["List 4"]))
    assert main(["ingest", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "no sheet 'List 4' (assessments)" in err
    assert raw_snapshot(data_dir.landing) == before
    statuses = query(data_dir.landing, "select distinct status from meta.loads where file_name = 'annex_a.xlsx' "
                                       "and period_end = '2024-01-31'")
    assert statuses == [("rejected",)]


def test_unrecognised_heading_names_the_list_and_heading(data_dir, tmp_path):
    def rename(book):
        book["List 3"]["F1"] = "When the referral came in"  # was "Date of Referral"

    bad = edit(copy_sample(tmp_path), rename)
    outcomes = ingest_paths(data_dir.landing, [bad])
    referrals = next(o for o in outcomes if o.table == "annex_a.referrals")
    assert referrals.status == "rejected"
    assert "sheet 'List 3'" in referrals.message
    assert "missing required column REFERRAL_DATE" in referrals.message
    assert "When the referral came in" in referrals.message  # the heading found, so the council can map it
    assert {o.status for o in outcomes} == {"rejected"}  # the workbook loads whole or not at all
    assert query(data_dir.landing, "select count(*) from raw.annex_a_contacts") == [(0,)]


def test_headings_worded_differently_still_match(data_dir, tmp_path):
    def reword(book):
        ws = book["List 3"]
        ws["A1"], ws["F1"], ws["J1"], ws["K1"] = "Child ID", "Referral Date", "Team", "Social Worker"

    f = edit(copy_sample(tmp_path), reword)
    outcomes = ingest_paths(data_dir.landing, [f])
    assert {o.status for o in outcomes} == {"loaded"}
    assert query(data_dir.landing, "select count(*) from raw.annex_a_referrals where team_name is not null") == [(6,)]


def test_not_a_workbook(data_dir, tmp_path):
    junk = tmp_path / "845" / "2024-01" / "annex_a.xlsx"
    junk.parent.mkdir(parents=True)
    junk.write_bytes(b"PK\x03\x04 this is not really a zip")
    outcomes = ingest_paths(data_dir.landing, [junk])
    assert {o.status for o in outcomes} == {"rejected"}
    assert "not an Excel workbook" in outcomes[0].message


def test_a_list_as_csv(data_dir, tmp_path):
    f = tmp_path / "845" / "2024-01" / "List 3.csv"
    f.parent.mkdir(parents=True)
    f.write_text("Child Unique ID,Date of Referral,Referral Source,Referral NFA?,Allocated Team,Allocated Worker\n"
                 "101,03/01/2024,a) 1: Individual,b) No,Locality 1,A Worker\n"
                 "102,05/02/2024,a) 1: Individual,b) No,Locality 1,A Worker\n")  # after the as-at date
    [o] = ingest_paths(data_dir.landing, [f])
    assert (o.table, o.rows_loaded, o.rows_rejected) == ("annex_a.referrals", 1, 1)
    assert query(data_dir.landing, "select rule from meta.rejected_rows") == [("after_collection_year",)]


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch):
    monkeypatch.delenv("CSQA_PSEUDONYM_KEY", raising=False)
    yield
    os.environ.pop("CSQA_PSEUDONYM_KEY", None)
