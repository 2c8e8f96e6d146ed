"""The SSDA903 ingest: contracts, quarantine, reconciliation, idempotency, supersession, minimisation."""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import pytest

from ingest.cli import main
from ingest.load import ingest_paths
from tests.conftest import SAMPLES

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
POSTCODE_FULL = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def query(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


def snapshot(db: Path) -> dict[str, list]:
    """Every row of every table in the landing database, for before/after comparisons."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.sql("select table_schema, table_name from information_schema.tables order by all").fetchall()
        return {f"{s}.{t}": sorted(map(repr, con.sql(f"select * from {s}.{t}").fetchall())) for s, t in tables}
    finally:
        con.close()


def loads(db: Path):
    return query(db, "select file_name, status, rows_read, rows_loaded, rows_rejected from meta.loads order by load_id")


# --- the published samples -------------------------------------------------------------------------------


def test_every_sample_file_ingests_and_reconciles(data_dir):
    folder = SAMPLES / "ssda903" / "cs-demand-model"
    for start in range(2017, 2022):
        # The demand-model files are named by the collection year's first calendar year.
        outcomes = ingest_paths(data_dir.landing, sorted(folder.glob(f"{start}-*.csv")), la="999",
                                year=start + 1)
        assert {o.status for o in outcomes} == {"loaded"}
    rows = loads(data_dir.landing)
    assert len(rows) == len(list(folder.glob("*.csv")))
    for name, _status, read, loaded, rejected in rows:
        assert read == loaded + rejected, name
    # Counting the rows of each file by hand (lines minus the header) gives rows read.
    for path in folder.glob("*.csv"):
        lines = [ln for ln in path.read_text().splitlines()[1:] if ln.strip()]
        assert query(data_dir.landing, "select rows_read from meta.loads where file_name = ?", [path.name]) == [
            (len(lines),)]
    # Episodes carry no rule breaks in these files: all 1,460 of 2017-18 are loaded.
    assert query(data_dir.landing, "select count(*) from raw.ssda903_episodes where collection_year = 2018") == [
        (1460,)]


def test_dirty_pair_rejects_rows_naming_the_rule(data_dir):
    outcomes = ingest_paths(data_dir.landing, sorted((SAMPLES / "ssda903").glob("liia-dirty-*.csv")),
                            la="999", year=2020)
    by_table = {o.table: o for o in outcomes}
    ep, hd = by_table["ssda903.episodes"], by_table["ssda903.header"]
    assert (ep.rows_read, ep.rows_loaded, ep.rows_rejected) == (5, 2, 3)
    assert (hd.rows_read, hd.rows_loaded, hd.rows_rejected) == (5, 0, 5)
    rejected = query(data_dir.landing, """select l.table_name, r.row_number, r.column_name, r.rule, r.message
                                          from meta.rejected_rows r join meta.loads l using (load_id)
                                          order by 1, 2, 3""")
    assert ("episodes", 2, "LS", "required", "LS is required but blank") in rejected
    assert ("episodes", 5, "RNE", "code_unknown", "RNE '*DUMMY*' is not a valid RNE code for 2019-20") in rejected
    assert ("episodes", 4, "PL_POST", "postcode_format", "PL_POST is not a UK postcode") in rejected
    assert ("header", 5, "ETHNIC", "code_unknown", "ETHNIC 'UNKN' is not a valid ETHNIC code for 2019-20") in rejected
    assert sum(1 for r in rejected if r[0] == "header" and r[3] == "duplicate_key") == 5
    # The extra column is reported, not silently dropped.
    assert "TEST_COLUMN" in query(data_dir.landing, "select message from meta.loads where table_name='episodes'")[0][0]


# --- idempotency and resubmission -----------------------------------------------------------------------


def test_same_file_twice_changes_nothing(data_dir, tmp_path):
    files = sorted((SAMPLES / "ssda903" / "cs-demand-model").glob("2019-*.csv"))
    ingest_paths(data_dir.landing, files, la="999", year=2020)
    before = snapshot(data_dir.landing)
    outcomes = ingest_paths(data_dir.landing, files, la="999", year=2020)
    assert {o.status for o in outcomes} == {"unchanged"}
    assert snapshot(data_dir.landing) == before


def test_corrected_resubmission_supersedes(data_dir, tmp_path):
    first = write(tmp_path / "845" / "2024-25" / "header.csv",
                  HEADER + "1,M,01/01/2015,WBRI,,,\n2,F,01/02/2016,WBRI,,,\n3,F,01/03/2017,XXXX,,,\n")
    [o1] = ingest_paths(data_dir.landing, [first])
    assert (o1.rows_loaded, o1.rows_rejected) == (2, 1)
    write(first, HEADER + "1,M,01/01/2015,WBRI,,,\n2,F,01/02/2016,WBRI,,,\n3,F,01/03/2017,WIRI,,,\n")
    [o2] = ingest_paths(data_dir.landing, [first])
    assert o2.superseded == [o1.load_id]
    assert query(data_dir.landing, "select child_id, ethnic from raw.ssda903_header order by 1") == [
        ("1", "WBRI"), ("2", "WBRI"), ("3", "WIRI")]
    assert query(data_dir.landing, "select load_id, status, superseded_by from meta.loads order by load_id") == [
        (o1.load_id, "superseded", o2.load_id), (o2.load_id, "loaded", None)]
    # Another year for the same authority is a different slot: nothing is superseded.
    other = write(tmp_path / "845" / "2023-24" / "header.csv", HEADER + "1,1,01/01/2015,WBRI,,,\n")
    [o3] = ingest_paths(data_dir.landing, [other])
    assert o3.superseded == []


# --- whole-file rejections leave the warehouse as it was -------------------------------------------------


@pytest.mark.parametrize(
    "content, rule, words",
    [
        (b"", "empty_file", "empty"),
        (b"\x00\x01\x02\x89PNG junk", "not_text", "not a CSV text file"),
        (b"CHILD,SEX,DOB,ETHNIC\n1,M,01/01/2015,WBRI\n", "missing_columns", None),
        (b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST\n"
         b"1,01/05/2024,S,C2,N1,U1,PR1,,,,,\n", "missing_columns", "missing required column URN"),
        ((EPISODES.strip() + ",DECOM\n").encode(), "duplicate_column", "DECOM appears twice"),
        (b"a single heading\nvalue\n", "not_csv", "not a CSV file"),
    ],
)
def test_structurally_wrong_file_is_rejected_whole(data_dir, tmp_path, content, rule, words):
    good = write(tmp_path / "845" / "2024-25" / "episodes.csv", EPISODES + "1,01/05/2024,S,C2,N1,U4,PR1,,,,,,\n")
    ingest_paths(data_dir.landing, [good])
    before = {k: v for k, v in snapshot(data_dir.landing).items() if k.startswith("raw.")}
    bad = tmp_path / "bad" / "845" / "2024-25" / "episodes.csv"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(content)
    [o] = ingest_paths(data_dir.landing, [bad])
    assert o.status == "rejected"
    assert "episodes.csv" in o.message
    if words:
        assert words in o.message
    assert {k: v for k, v in snapshot(data_dir.landing).items() if k.startswith("raw.")} == before
    # The attempt is on record, reconciled, and supersedes nothing.
    status = query(data_dir.landing, "select status, rows_read, rows_loaded, rows_rejected from meta.loads "
                                     "order by load_id")
    assert status[0][0] == "loaded" and status[1][0] == "rejected"
    assert status[1][1] == status[1][2] + status[1][3]
    assert query(data_dir.landing, "select rule from meta.rejected_rows") == [(rule,)]


def test_missing_column_message_names_file_row_and_column(data_dir, tmp_path):
    bad = write(tmp_path / "845" / "2024-25" / "episodes.csv",
                EPISODES.replace("DECOM,", "") + "1,S,C2,N1,U4,PR1,,,,,,\n")
    [o] = ingest_paths(data_dir.landing, [bad])
    assert o.message.startswith("episodes.csv row 0 (header): missing required column DECOM")


# --- row rules -------------------------------------------------------------------------------------------


def test_row_rules_quarantine_with_reasons(data_dir, tmp_path):
    rows = [
        "1,01/05/2024,S,C2,N1,U4,PR1,,,,,,",             # good
        "2,31/02/2024,S,C2,N1,U4,PR1,,,,,,",             # impossible date
        "3,01/06/2024,S,C2,N1,K3,PR4,,,,,,",             # K3 is valid from 2024-25: good
        "4,01/06/2024,S,C2,N1,H5,PR4,,,,,,",             # H5 retired after 2023-24
        "5,01/06/2024,S,C2,N1,U4,PR1,01/05/2024,E11,,,,",  # ended before it started
        "6,01/06/2024,S,C2,N1,U4,PR1,01/07/2024,,,,,",   # ended without a reason
        "7,01/06/2025,S,C2,N1,U4,PR1,,,,,,",             # after the collection year
        "8,01/06/2024,S,C2,N1",                          # truncated line
        "9,2024-06-01,S,C2,N1,U4,PR1,,,,,,",             # wrong date format
    ]
    f = write(tmp_path / "845" / "2024-25" / "episodes.csv", EPISODES + "\n".join(rows) + "\n")
    [o] = ingest_paths(data_dir.landing, [f])
    assert (o.rows_read, o.rows_loaded, o.rows_rejected) == (9, 2, 7)
    got = query(data_dir.landing, "select row_number, column_name, rule from meta.rejected_rows order by 1, 3")
    assert got == [
        (2, "DECOM", "date_format"),
        (4, "PLACE", "code_wrong_year"),
        (5, "DEC", "date_order"),
        (6, "REC", "required_with"),
        (7, "DECOM", "after_collection_year"),
        (8, "", "field_count"),
        (8, "PLACE", "required"),
        (9, "DECOM", "date_format"),
    ]
    messages = dict(query(data_dir.landing, "select row_number, message from meta.rejected_rows "
                                            "where rule in ('date_format', 'code_wrong_year', 'date_order')"))
    assert messages[2] == "DECOM '31/02/2024' is not a real date in dd/mm/yyyy"
    assert messages[4] == "PLACE 'H5' is not valid for 2024-25 (valid in other collection years)"
    assert messages[5] == "DEC 01/05/2024 is before DECOM 01/06/2024"
    assert query(data_dir.landing, "select child_id from raw.ssda903_episodes order by 1") == [("1",), ("3",)]


def test_sex_codes_follow_the_collection_year(data_dir, tmp_path):
    old = write(tmp_path / "845" / "2023-24" / "header.csv",
                HEADER + "1,1,01/01/2015,WBRI,,,\n2,M,01/01/2015,WBRI,,,\n")
    new = write(tmp_path / "845" / "2024-25" / "header.csv",
                HEADER + "1,M,01/01/2015,WBRI,,,\n2,1,01/01/2015,WBRI,,,\n")
    ingest_paths(data_dir.landing, [old, new])
    assert query(data_dir.landing, "select collection_year, child_id, sex from raw.ssda903_header order by 1") == [
        (2024, "1", "1"), (2025, "1", "M")]
    assert query(data_dir.landing, "select rule, count(*) from meta.rejected_rows group by 1") == [
        ("code_wrong_year", 2)]


# --- encodings and headings ------------------------------------------------------------------------------


def test_windows_1252_and_bom_and_loose_headings(data_dir, tmp_path):
    # A Windows-1252 file whose URN holds a non-ASCII character, with headings in another case and spacing.
    cp = write(tmp_path / "845" / "2024-25" / "episodes.csv",
               "child, Decom ,rne,ls,cin,place,place provider,dec,rec,reason place change,home post,pl post,urn\n"
               "1,01/05/2024,S,C2,N1,U4,PR1,,,,,,SC123é\n", encoding="cp1252")
    bom = write(tmp_path / "845" / "2024-25" / "header.csv", "\ufeff" + HEADER + "1,M,01/01/2015,WBRI,,,\n")
    outcomes = ingest_paths(data_dir.landing, [cp, bom])
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    assert query(data_dir.landing, "select encoding from meta.loads order by table_name") == [
        ("windows-1252",), ("utf-8",)]
    assert query(data_dir.landing, "select urn from raw.ssda903_episodes") == [("SC123é",)]


# --- minimisation and derived geography ------------------------------------------------------------------


def test_no_upn_mother_or_full_postcode_reaches_the_warehouse(data_dir, tmp_path):
    ref = write(tmp_path / "reference" / "postcode_centroids.csv",
                "postcode,postcode_district,la_code,latitude,longitude\n"
                "TN34 1AA,TN34,845,50.90,0.50\nTN34 2BB,TN34,845,50.90,0.51\nME1 1AA,ME1,886,51.40,0.50\n")
    hdr = write(tmp_path / "845" / "2024-25" / "header.csv",
                HEADER + "1,M,01/01/2015,WBRI,A123456789012,1,01/02/2000\n")
    ep = write(tmp_path / "845" / "2024-25" / "episodes.csv", EPISODES
               + "1,01/05/2024,S,C2,N1,U4,PR1,01/06/2024,X1,,TN34 1AA,TN34 2BB,\n"
               + "1,01/06/2024,P,C2,N1,U4,PR4,,,CARPL,TN34 1AA,me11aa,\n"
               + "2,01/04/2024,S,C2,N1,U4,PR4,,,,TN34 1AA,ZZ9 9ZZ,\n")
    ingest_paths(data_dir.landing, [hdr, ep, ref])  # the reference is loaded first whatever the order given
    cols = {r[0] for r in query(data_dir.landing, "select column_name from information_schema.columns "
                                                   "where table_name = 'ssda903_header'")}
    assert not cols & {"upn", "mother", "mc_dob"}
    rows = query(data_dir.landing, """select decom, placement_postcode_district, placement_distance_miles,
                                             placed_outside_la from raw.ssda903_episodes order by decom""")
    # 0.01 degrees of longitude at latitude 50.9: 0.01 * pi/180 * 3958.8 * cos(50.9°) = 0.436 miles.
    near = 0.01 * math.pi / 180 * 3958.8 * math.cos(math.radians(50.9))
    # 0.5 degrees of latitude (TN34 to ME1) at the same longitude: 0.5 * pi/180 * 3958.8 = 34.55 miles.
    far = 0.5 * math.pi / 180 * 3958.8
    assert rows[0][1:] == ("ZZ9", None, None)  # not in the reference: unknown, not guessed
    assert rows[1][1] == "TN34" and rows[1][2] == pytest.approx(near, abs=0.01) and rows[1][3] is False
    assert rows[2][1] == "ME1" and rows[2][2] == pytest.approx(far, abs=0.01) and rows[2][3] is True
    # Scan every text column of every raw and meta table (the reference directory aside) for a full postcode.
    con = duckdb.connect(str(data_dir.landing), read_only=True)
    try:
        for schema, table, column in con.sql(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_name <> 'reference_postcode_centroids'"
        ).fetchall():
            for (value,) in con.sql(f'select "{column}" from {schema}.{table}').fetchall():
                assert value is None or not POSTCODE_FULL.search(value.upper()), (table, column, value)
                assert value != "A123456789012"
    finally:
        con.close()


# --- the command line -----------------------------------------------------------------------------------


def test_cli_exit_codes_and_one_line_errors(data_dir, tmp_path, capsys):
    good = write(tmp_path / "845" / "2024-25" / "header.csv", HEADER + "1,M,01/01/2015,WBRI,,,\n")
    assert main(["ingest", str(good)]) == 0
    nameless = write(tmp_path / "x" / "header.csv", HEADER + "1,M,01/01/2015,WBRI,,,\n")
    assert main(["ingest", str(nameless)]) == 2
    assert "pass --la" in capsys.readouterr().err
    assert main(["ingest", "--la", "845", "--year", "2024-26", str(nameless)]) == 2
    assert "not a financial year" in capsys.readouterr().err
    bad = write(tmp_path / "845" / "2024-25" / "episodes.csv", "CHILD,DECOM\n1,01/01/2025\n")
    assert main(["ingest", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "episodes.csv row 0 (header): missing required columns RNE" in err[0]
    with pytest.raises(SystemExit) as exc:
        main(["ingest"])
    assert exc.value.code == 2
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "ssda903.header" in out and "rejected" in out
