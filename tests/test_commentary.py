"""The commentary store (app/commentary.py, docs/contracts.md "Commentary (outside the warehouse)"): where it
lives, its permissions, append-only history, current = latest, clearing, limits, control characters, two
writers at once and current_between for the annual report."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from app import commentary

Q3 = dt.date(2024, 10, 1)
Q2 = dt.date(2024, 7, 1)
RE_REFERRALS = "cin_rereferrals_12m_pct"


@pytest.fixture
def state(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv(commentary.ENV_VAR, str(folder))
    monkeypatch.setenv("CSQA_WAREHOUSE", str(tmp_path / "served" / "warehouse.duckdb"))
    return folder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def rows(folder: Path) -> list[tuple]:
    con = sqlite3.connect(folder / commentary.FILE_NAME)
    try:
        return con.execute("select * from commentary order by comment_id").fetchall()
    finally:
        con.close()


# --- where it lives ------------------------------------------------------------------------------------------


def test_state_dir_is_the_env_var_else_state_beside_the_served_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("CSQA_WAREHOUSE", str(tmp_path / "served" / "warehouse.duckdb"))
    monkeypatch.delenv(commentary.ENV_VAR, raising=False)
    assert commentary.state_dir() == tmp_path / "served" / "state"
    assert commentary.store_path() == tmp_path / "served" / "state" / "commentary.sqlite"
    monkeypatch.setenv(commentary.ENV_VAR, "   ")  # blank: as if unset
    assert commentary.state_dir() == tmp_path / "served" / "state"
    monkeypatch.setenv(commentary.ENV_VAR, str(tmp_path / "elsewhere"))
    assert commentary.store_path() == tmp_path / "elsewhere" / "commentary.sqlite"


def test_saving_beside_the_warehouse_when_no_state_dir_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("CSQA_WAREHOUSE", str(tmp_path / "served" / "warehouse.duckdb"))
    monkeypatch.delenv(commentary.ENV_VAR, raising=False)
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "Rising.", "Jo")
    assert (tmp_path / "served" / "state" / "commentary.sqlite").is_file()


def test_folder_is_0700_and_file_0600_whatever_the_umask(state):
    import os

    old = os.umask(0o000)
    try:
        commentary.save("845", RE_REFERRALS, "quarter", Q3, "Rising.", "Jo")
    finally:
        os.umask(old)
    assert mode(state) == 0o700
    assert mode(state / commentary.FILE_NAME) == 0o600
    for extra in state.glob("commentary.sqlite-*"):  # WAL and shared-memory files, if still there
        assert mode(extra) == 0o600


def test_reading_creates_nothing(state):
    assert commentary.current("845", "quarter", Q3) == {}
    assert commentary.history("845", RE_REFERRALS, "quarter", Q3) == []
    assert commentary.current_between("845", dt.date(2024, 4, 1), dt.date(2025, 3, 31)) == []
    assert not state.exists()


def test_the_store_is_sqlite_in_wal_mode_with_the_contract_columns(state):
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "Rising.", "Jo", build_id="b1")
    con = sqlite3.connect(state / commentary.FILE_NAME)
    try:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
        columns = [r[1] for r in con.execute("pragma table_info(commentary)")]
    finally:
        con.close()
    assert tuple(columns) == commentary.COLUMNS
    assert columns == ["comment_id", "la_code", "indicator_id", "period_grain", "period_start", "org_level",
                       "org_id", "body", "author", "written_at", "build_id"]  # fmt: skip


# --- saving and reading --------------------------------------------------------------------------------------


def test_save_returns_the_row_as_stored(state):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    row = commentary.save("845", RE_REFERRALS, "quarter", Q3, "  Rising: see the audit.  ", " Jo  Bloggs ",
                          build_id="pack-1")  # fmt: skip
    assert row["comment_id"] == 1
    assert row["body"] == "Rising: see the audit."
    assert row["author"] == "Jo Bloggs"
    assert (row["la_code"], row["period_grain"], row["period_start"]) == ("845", "quarter", "2024-10-01")
    assert (row["org_level"], row["org_id"], row["build_id"]) == ("la", "845", "pack-1")
    written = dt.datetime.fromisoformat(row["written_at"])
    assert written.utcoffset() == dt.timedelta(0) and written >= before
    assert commentary.written_at(row) == written
    assert rows(state) == [tuple(row[c] for c in commentary.COLUMNS)]


def test_history_is_append_only_and_current_is_the_latest(state):
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "First.", "Jo")
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "Second.", "Sam")
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "Third.", "Jo")
    assert [r[7] for r in rows(state)] == ["First.", "Second.", "Third."]  # nothing updated or deleted
    current = commentary.current("845", "quarter", Q3)
    assert list(current) == [RE_REFERRALS]
    assert current[RE_REFERRALS]["body"] == "Third."
    history = commentary.history("845", RE_REFERRALS, "quarter", Q3)
    assert [h["body"] for h in history] == ["Third.", "Second.", "First."]


def test_clearing_appends_an_empty_body_and_removes_the_current_comment(state):
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "Rising.", "Jo")
    commentary.save("845", "cin_referrals", "quarter", Q3, "Steady.", "Jo")
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "", "Sam")
    assert list(commentary.current("845", "quarter", Q3)) == ["cin_referrals"]
    assert [h["body"] for h in commentary.history("845", RE_REFERRALS, "quarter", Q3)] == ["", "Rising."]
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "Back again.", "Jo")
    assert commentary.current("845", "quarter", Q3)[RE_REFERRALS]["body"] == "Back again."
    assert len(rows(state)) == 4


def test_keys_keep_authorities_periods_grains_and_org_units_apart(state):
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "Q3 la.", "Jo")
    commentary.save("845", RE_REFERRALS, "quarter", Q2, "Q2 la.", "Jo")
    commentary.save("846", RE_REFERRALS, "quarter", Q3, "Other authority.", "Jo")
    commentary.save("845", RE_REFERRALS, "month", Q3, "October.", "Jo")
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "A team.", "Jo", org_level="team", org_id="845-T01")
    assert commentary.current("845", "quarter", Q3)[RE_REFERRALS]["body"] == "Q3 la."
    assert commentary.current("845", "quarter", "2024-07-01")[RE_REFERRALS]["body"] == "Q2 la."
    assert commentary.current("846", "quarter", Q3)[RE_REFERRALS]["body"] == "Other authority."
    assert commentary.current("845", "month", Q3)[RE_REFERRALS]["body"] == "October."
    assert commentary.current("845", "quarter", Q3, "team", "845-T01")[RE_REFERRALS]["body"] == "A team."
    assert commentary.current("845", "quarter", Q3, "la", "845")[RE_REFERRALS]["body"] == "Q3 la."
    assert commentary.current("845", "year", Q3) == {}


# --- what is accepted ------------------------------------------------------------------------------------------


def test_two_thousand_characters_is_the_limit(state):
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "x" * 2000, "Jo")
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "  " + "y" * 2000 + "\n\n", "Jo")  # stripped first
    with pytest.raises(ValueError, match="at most 2,000 characters; this one has 2,001"):
        commentary.save("845", RE_REFERRALS, "quarter", Q3, "z" * 2001, "Jo")
    assert [len(r[7]) for r in rows(state)] == [2000, 2000]


def test_control_characters_are_removed_but_new_lines_kept():
    body = "Line one\r\nLine two\rLine three\n\tTabbed\x00\x07\x1b[31m red\x7f\u202eevil\u200b zero-width\ufeff"
    assert commentary.clean_body(body) == "Line one\nLine two\nLine three\nTabbed[31m redevil zero-width"
    assert commentary.clean_body("   \n\x00  ") == ""
    assert commentary.clean_body(None) == ""
    # markup is kept as typed: pages show bodies as plain text
    assert commentary.clean_body("<script>alert(1)</script> **bold**") == "<script>alert(1)</script> **bold**"


def test_a_body_of_control_characters_only_clears(state):
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "Rising.", "Jo")
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "\x00\x01 \x02", "Jo")
    assert commentary.current("845", "quarter", Q3) == {}


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"author": "  \x00 "}, "name is needed"),
        ({"author": "n" * 201}, "at most 200"),
        ({"la_code": " "}, "authority"),
        ({"indicator_id": ""}, "indicator"),
        ({"period_grain": "week"}, "grain"),
        ({"period_start": "2024-13-01"}, "must be a date"),
        ({"period_start": "Q3"}, "must be a date"),
        ({"org_level": "region"}, "organisation level"),
        ({"org_level": "team"}, "organisation unit"),  # a team needs its org_id
    ],
)
def test_bad_input_is_refused_with_a_clear_message(state, kw, message):
    args = {"la_code": "845", "indicator_id": RE_REFERRALS, "period_grain": "quarter", "period_start": Q3,
            "body": "Rising.", "author": "Jo"} | kw  # fmt: skip
    with pytest.raises(ValueError, match=message):
        commentary.save(**args)


def test_period_start_accepts_dates_datetimes_and_iso_text(state):
    commentary.save("845", "a", "quarter", dt.datetime(2024, 10, 1, 12, 0), "One.", "Jo")
    commentary.save("845", "b", "quarter", "2024-10-01", "Two.", "Jo")
    assert sorted(commentary.current("845", "quarter", Q3)) == ["a", "b"]


def test_hostile_keys_are_data_not_sql(state):
    sneaky = "845' or '1'='1"
    commentary.save(sneaky, RE_REFERRALS, "quarter", Q3, "Sneaky.", "Jo")
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "Real.", "Jo")
    assert commentary.current(sneaky, "quarter", Q3)[RE_REFERRALS]["body"] == "Sneaky."
    assert commentary.current("845", "quarter", Q3)[RE_REFERRALS]["body"] == "Real."
    assert len(rows(state)) == 2


# --- concurrency -------------------------------------------------------------------------------------------


def test_two_threads_saving_at_once_both_succeed(state):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait()
            for n in range(25):
                commentary.save("845", f"ind_{name}", "quarter", Q3, f"{name} {n}", name)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(rows(state)) == 50
    current = commentary.current("845", "quarter", Q3)
    assert {k: v["body"] for k, v in current.items()} == {"ind_a": "a 24", "ind_b": "b 24"}
    assert len({r[0] for r in rows(state)}) == 50  # every comment_id distinct


def test_a_reader_sees_saved_comments_while_another_connection_is_open(state):
    commentary.save("845", RE_REFERRALS, "quarter", Q3, "First.", "Jo")
    con = sqlite3.connect(state / commentary.FILE_NAME)
    try:
        con.execute("begin")
        con.execute("select count(*) from commentary").fetchone()  # a reader holding a snapshot (WAL)
        commentary.save("845", RE_REFERRALS, "quarter", Q3, "Second.", "Sam")
    finally:
        con.close()
    assert commentary.current("845", "quarter", Q3)[RE_REFERRALS]["body"] == "Second."


# --- current_between (the annual report) ---------------------------------------------------------------------


def test_current_between_gives_current_comments_in_the_range(state):
    commentary.save("845", RE_REFERRALS, "quarter", dt.date(2024, 1, 1), "Before the year.", "Jo")
    commentary.save("845", RE_REFERRALS, "quarter", dt.date(2024, 4, 1), "Q1 first.", "Jo")
    commentary.save("845", RE_REFERRALS, "quarter", dt.date(2024, 4, 1), "Q1 replaced.", "Sam", build_id="b2")
    commentary.save("845", "cin_referrals", "quarter", dt.date(2024, 7, 1), "Q2, later cleared.", "Jo")
    commentary.save("845", "cin_referrals", "quarter", dt.date(2024, 7, 1), "", "Jo")
    commentary.save("845", "cin_referrals", "year", dt.date(2024, 4, 1), "The year.", "Jo")
    commentary.save("845", RE_REFERRALS, "month", dt.date(2025, 3, 1), "March.", "Jo", org_level="team",
                    org_id="845-T01")  # fmt: skip
    commentary.save("845", RE_REFERRALS, "month", dt.date(2025, 4, 1), "After the year.", "Jo")
    commentary.save("846", RE_REFERRALS, "quarter", dt.date(2024, 4, 1), "Another authority.", "Jo")

    found = commentary.current_between("845", dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert [(r["period_start"], r["period_grain"], r["indicator_id"], r["body"]) for r in found] == [
        ("2024-04-01", "quarter", RE_REFERRALS, "Q1 replaced."),
        ("2024-04-01", "year", "cin_referrals", "The year."),
        ("2025-03-01", "month", RE_REFERRALS, "March."),
    ]
    assert all(tuple(r) == commentary.COLUMNS for r in found)
    first = found[0]
    assert (first["author"], first["build_id"], first["org_level"], first["org_id"]) == ("Sam", "b2", "la", "845")
    assert commentary.current_between("845", dt.date(2024, 4, 1), dt.date(2024, 4, 1))[0]["body"] == "Q1 replaced."
    assert commentary.current_between("999", dt.date(2024, 4, 1), dt.date(2025, 3, 31)) == []
