"""The SSDA903 ingest: contracts, quarantine, reconciliation, idempotency, supersession, minimisation."""

from __future__ import annotations

import math
import re
from datetime import date
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
    # Of 2017-18's 1,460 episodes two end on 01/04/2018, after the collection year (lines 65 and 223 of the
    # file, data rows 64 and 222): quarantined, the other 1,458 loaded.
    assert query(data_dir.landing, "select count(*) from raw.ssda903_episodes where collection_year = 2018") == [
        (1458,)]
    assert query(data_dir.landing, """select r.row_number, r.column_name, r.rule from meta.rejected_rows r
                                      join meta.loads l using (load_id)
                                      where l.file_name = '2017-episodes.csv' order by 1""") == [
        (64, "DEC", "after_collection_year"), (222, "DEC", "after_collection_year")]


def test_dirty_pair_rejects_rows_naming_the_rule(data_dir):
    outcomes = ingest_paths(data_dir.landing, sorted((SAMPLES / "ssda903").glob("liia-dirty-*.csv")),
                            la="999", year=2020)
    by_table = {o.table: o for o in outcomes}
    ep, hd = by_table["ssda903.episodes"], by_table["ssda903.header"]
    assert (ep.rows_read, ep.rows_loaded, ep.rows_rejected) == (5, 3, 2)
    assert (hd.rows_read, hd.rows_loaded, hd.rows_rejected) == (5, 0, 5)
    rejected = query(data_dir.landing, """select l.table_name, r.row_number, r.column_name, r.rule, r.message
                                          from meta.rejected_rows r join meta.loads l using (load_id)
                                          order by 1, 2, 3""")
    assert ("episodes", 2, "LS", "required", "LS is required but blank") in rejected
    assert ("episodes", 5, "RNE", "code_unknown", "RNE '*DUMMY*' is not a valid RNE code for 2019-20") in rejected
    # A malformed placement postcode does not cost the episode: it is kept with the postcode unknown.
    assert query(data_dir.landing, "select row_number, column_name, value, rule from meta.cleared_values") == [
        (4, "PL_POST", "2TR", "postcode_format")]
    assert query(data_dir.landing, "select placement_distance_miles, placement_postcode_district "
                                   "from raw.ssda903_episodes where _source_row = 4") == [(None, None)]
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


@pytest.mark.parametrize("read_ahead_max_bytes", [0, 32 * 2**20])
def test_same_file_twice_in_one_run_is_unchanged_the_second_time(data_dir, tmp_path, monkeypatch,
                                                                  read_ahead_max_bytes):
    # CSV files are read and checked ahead of the writer (or, past READ_AHEAD_MAX_BYTES, in their turn); the
    # writer skips the identical-load lookup for a hash it has not seen. A copy met later in the same run has
    # been seen: it must still be found identical, and outcomes must come in the files' order.
    import ingest.load

    monkeypatch.setattr(ingest.load, "READ_AHEAD_MAX_BYTES", read_ahead_max_bytes)
    text = (SAMPLES / "ssda903" / "cs-demand-model" / "2019-episodes.csv").read_text()
    first = write(tmp_path / "a" / "845" / "2019-20" / "episodes.csv", text)
    header = write(tmp_path / "b" / "845" / "2019-20" / "header.csv",
                   (SAMPLES / "ssda903" / "cs-demand-model" / "2019-header.csv").read_text())
    again = write(tmp_path / "c" / "845" / "2019-20" / "episodes.csv", text)
    outcomes = ingest_paths(data_dir.landing, [first, header, again])
    assert [(o.path, o.status) for o in outcomes] == [(first, "loaded"), (header, "loaded"), (again, "unchanged")]
    assert f"identical to load {outcomes[0].load_id}" in outcomes[2].message



def _always_grouped(monkeypatch):
    """Make ingest_paths treat every file as read ahead with the next one ready: all store in one transaction."""
    import ingest.load

    real = ingest.load._read_ahead

    def grouped(*args):
        yield from ((f, read, True) for f, read, _ in real(*args))

    monkeypatch.setattr(ingest.load, "_read_ahead", grouped)


def test_files_stored_together_are_reported_once_committed_and_a_correction_supersedes(data_dir, tmp_path,
                                                                                      monkeypatch):
    _always_grouped(monkeypatch)
    first = write(tmp_path / "a" / "845" / "2024-25" / "header.csv", HEADER + "1,M,01/01/2015,WBRI,,,\n")
    corrected = write(tmp_path / "b" / "845" / "2024-25" / "header.csv",
                      HEADER + "1,M,01/01/2015,WIRI,,,\n2,F,01/02/2016,WBRI,,,\n")
    reported = []

    def committed_loads():
        # Another connection to the database the ingest is writing (same process, same settings) sees only
        # what has been committed.
        con = duckdb.connect(str(data_dir.landing))
        try:
            return con.sql("select file_name, status, rows_read, rows_loaded, rows_rejected from meta.loads").fetchall()
        finally:
            con.close()

    outcomes = ingest_paths(data_dir.landing, [first, corrected],
                            progress=lambda o, i, n: reported.append((o.path, o.status, committed_loads())))
    # The second file in the same transaction supersedes the first, as it would in a run of its own.
    assert outcomes[1].superseded == [outcomes[0].load_id]
    assert query(data_dir.landing, "select child_id, ethnic from raw.ssda903_header order by 1") == [
        ("1", "WIRI"), ("2", "WBRI")]
    # Each file is reported after its transaction committed: a reader already sees both loads.
    committed = [("header.csv", "superseded", 1, 1, 0), ("header.csv", "loaded", 2, 2, 0)]
    assert [(p, st) for p, st, _ in reported] == [(first, "loaded"), (corrected, "loaded")]
    assert [sorted(seen) for _, _, seen in reported] == [sorted(committed)] * 2


def test_a_failure_while_storing_rolls_back_its_transaction_unreported_and_the_next_run_loads_all(
        data_dir, tmp_path, monkeypatch):
    import ingest.load

    _always_grouped(monkeypatch)
    files = [write(tmp_path / la / "2024-25" / "header.csv", HEADER + f"{la}1,M,01/01/2015,WBRI,,,\n")
             for la in ("845", "846", "847")]
    real_store, calls = ingest.load.store, []

    def failing_store(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise duckdb.IOException("IO Error: Could not write file: No space left on device")
        return real_store(*args, **kwargs)

    monkeypatch.setattr(ingest.load, "store", failing_store)
    reported = []
    with pytest.raises(duckdb.IOException):
        ingest_paths(data_dir.landing, files, progress=lambda o, i, n: reported.append(o))
    # The first two were stored in the same transaction as the third: rolled back with it, and never reported.
    assert reported == []
    assert loads(data_dir.landing) == []
    monkeypatch.setattr(ingest.load, "store", real_store)
    outcomes = ingest_paths(data_dir.landing, files)
    assert [o.status for o in outcomes] == ["loaded"] * 3
    assert query(data_dir.landing, "select child_id from raw.ssda903_header order by 1") == [
        ("8451",), ("8461",), ("8471",)]


def test_a_file_that_cannot_be_read_ends_the_run_after_the_files_before_it_are_committed(data_dir, tmp_path,
                                                                                         monkeypatch):
    import ingest.load

    files = [write(tmp_path / la / "2024-25" / "header.csv", HEADER + f"{la}1,M,01/01/2015,WBRI,,,\n")
             for la in ("845", "846", "847")]
    real_read = ingest.load._read_csv_file

    def read(path, *args, **kwargs):
        if path == files[2]:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(ingest.load, "_read_csv_file", read)
    reported = []
    with pytest.raises(PermissionError):
        ingest_paths(data_dir.landing, files, progress=lambda o, i, n: reported.append((o.path, o.status)))
    # The failed read is met in its turn: the two files stored before it are committed and reported, not rolled
    # back with it.
    assert reported == [(files[0], "loaded"), (files[1], "loaded")]
    assert [r[:2] for r in loads(data_dir.landing)] == [("header.csv", "loaded")] * 2

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
        (8, "", "field_count"),  # a misaligned row reports only that: its other columns are shifted
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
    outcomes = ingest_paths(data_dir.landing, [hdr, ep, ref])  # the reference is loaded first whatever the order
    [episodes] = [o for o in outcomes if o.table == "ssda903.episodes"]
    assert "1 row(s) with a postcode not in the postcode reference: distance unknown" in episodes.warnings
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


def test_postcodes_missing_from_a_loaded_reference_are_not_a_missing_reference(data_dir, tmp_path):
    # Only the file's own postcodes are looked up: finding none of them must not read as "no reference loaded".
    ref = write(tmp_path / "reference" / "postcode_centroids.csv",
                "postcode,postcode_district,la_code,latitude,longitude\nME1 1AA,ME1,886,51.40,0.50\n")
    ep = write(tmp_path / "845" / "2024-25" / "episodes.csv",
               EPISODES + "1,01/05/2024,S,C2,N1,U4,PR1,,,,TN34 1AA,ZZ9 9ZZ,\n")
    [_, o] = ingest_paths(data_dir.landing, [ref, ep])
    # one row, both of its postcodes unknown
    assert o.warnings == ["1 row(s) with a postcode not in the postcode reference: distance unknown"]
    assert query(data_dir.landing, "select placement_distance_miles, placed_outside_la "
                                   "from raw.ssda903_episodes") == [(None, None)]


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


# --- regressions from the first independent review ------------------------------------------------------


def test_dates_need_four_digit_years_but_not_leading_zeros(data_dir, tmp_path):
    f = write(tmp_path / "845" / "2024-25" / "episodes.csv", EPISODES
              + "1,1/5/2024,S,C2,N1,U4,PR1,,,,,,\n"      # Excel without leading zeros: fine
              + "2,15/11/24,S,C2,N1,U4,PR1,,,,,,\n")     # two-digit year: never guessed (would be AD 24)
    [o] = ingest_paths(data_dir.landing, [f])
    assert (o.rows_loaded, o.rows_rejected) == (1, 1)
    assert query(data_dir.landing, "select child_id, decom::varchar from raw.ssda903_episodes") == [("1", "2024-05-01")]
    assert query(data_dir.landing, "select row_number, rule, message from meta.rejected_rows") == [
        (2, "date_format", "DECOM '15/11/24' is not a real date in dd/mm/yyyy")]


def test_header_only_file_cannot_replace_a_full_return(data_dir, tmp_path):
    f = write(tmp_path / "845" / "2024-25" / "episodes.csv", EPISODES + "1,01/05/2024,S,C2,N1,U4,PR1,,,,,,\n")
    [first] = ingest_paths(data_dir.landing, [f])
    write(f, EPISODES)
    [o] = ingest_paths(data_dir.landing, [f])
    assert o.status == "rejected" and "no data rows" in o.message and first.load_id in o.message
    assert query(data_dir.landing, "select count(*) from raw.ssda903_episodes") == [(1,)]
    # An empty table with nothing to replace (no missing episodes this year, say) is a valid return.
    empty = write(tmp_path / "845" / "2024-25" / "missing.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END\n")
    [m] = ingest_paths(data_dir.landing, [empty])
    assert (m.status, m.rows_read) == ("loaded", 0)


def test_in_year_extract_covers_the_year_up_to_its_latest_event(data_dir, tmp_path):
    today = date.today()
    first = today.year if today.month >= 4 else today.year - 1  # the collection year now under way
    label = f"{first}-{(first + 1) % 100:02d}"
    f = write(tmp_path / "845" / label / "episodes.csv", EPISODES
              + f"1,01/04/{first},S,C2,N1,U4,PR1,,,,,,\n2,01/04/{first},S,C2,N1,U4,PR1,02/04/{first},E13,,,,\n")
    [o] = ingest_paths(data_dir.landing, [f])
    assert any("in-year extract" in w for w in o.warnings)
    assert query(data_dir.landing, "select period_start, period_end from meta.loads") == [
        (date(first, 4, 1), date(first, 4, 30))]
    # Said explicitly, --as-at wins (and --reload loads the same bytes again to say it).
    [again] = ingest_paths(data_dir.landing, [f], as_at=date(first, 5, 31))
    assert again.status == "unchanged"
    [o2] = ingest_paths(data_dir.landing, [f], as_at=date(first, 5, 31), reload=True)
    assert o2.superseded == [o.load_id]
    assert query(data_dir.landing, "select period_end from meta.loads where status = 'loaded'") == [
        (date(first, 5, 31),)]


def test_a_past_years_file_covers_the_whole_year(data_dir, tmp_path):
    # A small authority's return may have no event in the year's last months: it is still the full return.
    f = write(tmp_path / "845" / "2022-23" / "episodes.csv", EPISODES + "1,01/05/2022,S,C2,N1,U4,PR1,,,,,,\n")
    ingest_paths(data_dir.landing, [f])
    assert query(data_dir.landing, "select period_end from meta.loads") == [(date(2023, 3, 31),)]


def test_identifiers_in_a_shifted_row_are_not_stored(data_dir, tmp_path):
    # A row missing its SEX field: the UPN lands in ETHNIC's place and a postcode in another column.
    f = write(tmp_path / "845" / "2024-25" / "header.csv",
              HEADER + "1,01/01/2015,WBRI,A845201500001,TN34 1AA,\n2,M,01/01/2015,A845201500001,,,\n")
    ingest_paths(data_dir.landing, [f])
    stored = " ".join(str(v) for row in query(data_dir.landing, "select * from meta.rejected_rows") for v in row)
    assert "A845201500001" not in stored and "TN34 1AA" not in stored
    assert "[UPN removed]" in stored


def test_reference_loaded_later_then_reload_derives_distances(data_dir, tmp_path):
    ep = write(tmp_path / "845" / "2024-25" / "episodes.csv",
               EPISODES + "1,01/05/2024,S,C2,N1,U4,PR1,,,,TN34 1AA,ME1 1AA,\n")
    [o] = ingest_paths(data_dir.landing, [ep])
    assert any("--reload" in w for w in o.warnings)
    ref = write(tmp_path / "reference" / "postcode_centroids.csv",
                "postcode,postcode_district,la_code,latitude,longitude\n"
                "TN34 1AA,TN34,845,50.90,0.50\nME1 1AA,ME1,886,51.40,0.50\n")
    ingest_paths(data_dir.landing, [ref])
    ingest_paths(data_dir.landing, [ep], reload=True)
    assert query(data_dir.landing, "select round(placement_distance_miles, 1), placed_outside_la "
                                   "from raw.ssda903_episodes") == [(34.5, True)]


def test_reference_files_accumulate_by_name(data_dir, tmp_path):
    head = "postcode,postcode_district,la_code,latitude,longitude\n"
    a = write(tmp_path / "reference" / "postcode_centroids_TN.csv", head + "TN34 1AA,TN34,845,50.9,0.5\n")
    b = write(tmp_path / "reference" / "postcode_centroids_ME.csv", head + "ME1 1AA,ME1,886,51.4,0.5\n")
    ingest_paths(data_dir.landing, [a, b])
    assert query(data_dir.landing, "select count(*) from raw.reference_postcode_centroids") == [(2,)]
    write(a, head + "TN34 1AA,TN34,845,50.91,0.5\n")  # a corrected TN file replaces only the TN file
    ingest_paths(data_dir.landing, [a])
    assert query(data_dir.landing, "select postcode, latitude from raw.reference_postcode_centroids order by 1") == [
        ("ME1 1AA", 51.4), ("TN34 1AA", 50.91)]


def test_resending_an_old_file_does_not_undo_a_correction(data_dir, tmp_path):
    f = write(tmp_path / "845" / "2024-25" / "header.csv", HEADER + "1,M,01/01/2015,WBRI,,,\n")
    old = f.read_bytes()
    ingest_paths(data_dir.landing, [f])
    write(f, HEADER + "1,M,01/01/2015,WIRI,,,\n")
    ingest_paths(data_dir.landing, [f])
    f.write_bytes(old)
    [o] = ingest_paths(data_dir.landing, [f])
    assert o.status == "unchanged" and "superseded" in o.message
    assert query(data_dir.landing, "select ethnic from raw.ssda903_header") == [("WIRI",)]


def test_a_rejected_file_sent_again_is_rejected_again(data_dir, tmp_path, capsys):
    bad = write(tmp_path / "845" / "2024-25" / "episodes.csv", "CHILD,DECOM\n1,01/01/2025\n")
    assert main(["ingest", str(bad)]) == 1
    assert main(["ingest", str(bad)]) == 1
    assert "unchanged since load" in capsys.readouterr().err


def test_stray_files_in_a_folder_do_not_stop_the_others(data_dir, tmp_path, capsys):
    folder = tmp_path / "drop"
    write(folder / "845" / "2024-25" / "header.csv", HEADER + "1,M,01/01/2015,WBRI,,,\n")
    write(folder / "845" / "2024-25" / "aaa_notes.csv", "ID,WHEN\n1,2024\n")
    write(folder / "README.txt", "notes for the analyst\n")
    write(folder / "845" / "2024-11-30" / "episodes.csv", EPISODES + "1,01/05/2024,S,C2,N1,U4,PR1,,,,,,\n")
    assert main(["ingest", str(folder)]) == 2  # two files could not be identified: a naming problem
    captured = capsys.readouterr()
    assert "aaa_notes.csv: cannot tell which table" in captured.err
    assert "cannot tell the collection year" in captured.err  # a dated folder is not a collection year
    assert "skipped 1 file(s)" in captured.out and "README.txt" in captured.out
    assert query(data_dir.landing, "select table_name from meta.loads") == [("header",)]


def test_trailing_empty_headings_and_utf16(data_dir, tmp_path):
    trailing = write(tmp_path / "845" / "2024-25" / "header.csv",
                     HEADER.strip() + ",,\n1,M,01/01/2015,WBRI,,,,,\n2,F,01/01/2016,WBRI,,,\n")
    utf16 = tmp_path / "845" / "2023-24" / "header.csv"
    utf16.parent.mkdir(parents=True)
    utf16.write_bytes((HEADER + "3,1,01/01/2015,WBRI,,,\n").encode("utf-16"))
    outcomes = {o.path: o for o in ingest_paths(data_dir.landing, [trailing, utf16])}
    assert (outcomes[trailing].rows_loaded, outcomes[trailing].rows_rejected) == (2, 0)
    assert outcomes[trailing].warnings == []  # the empty headings are not "ignored columns"
    assert (outcomes[utf16].rows_loaded, outcomes[utf16].rows_rejected) == (1, 0)
    assert query(data_dir.landing, "select encoding from meta.loads where collection_year = 2024") == [("utf-16",)]


def test_org_units_reference(data_dir, tmp_path):
    f = write(tmp_path / "reference" / "org_units.csv", "la_code,team_name,team_id,service_id,service_name\n"
              "845,Locality 1 Assessment,L1A,AS,Assessment and Child Protection\n"
              "845,Locality 1 Assessment,L1B,AS,Assessment and Child Protection\n"  # the same team twice
              "845,CIN Team 1,CIN1,CIN,Children in Need\n")
    [o] = ingest_paths(data_dir.landing, [f])
    assert (o.table, o.rows_loaded, o.rows_rejected) == ("reference.org_units", 1, 2)
    assert query(data_dir.landing, "select rule from meta.rejected_rows group by 1") == [("duplicate_key",)]
