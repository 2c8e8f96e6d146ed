"""The access log (app/access_log.py, docs/contracts.md "Sign-in, roles, scope and the access log (issue 7)"):
appending and reading, filters, the append-only triggers, permissions, many writers at once (threads and
processes), bad events, an unwritable folder, hostile detail; then the administrators' page and download logging
in the app.

Downloads in AppTest: AppTest cannot fetch a download button's bytes the way a browser does, but
`DownloadButton.click()` sends the same trigger the browser sends when the button is clicked, so the next run calls
the button's `on_click` callback exactly as the server would. The tests click and then read the log back; the
bytes themselves are read from AppTest's media storage, as tests/test_app_chief_executive.py does.

The page tests go through `app/streamlit_app.py` and the real `app.auth` (which logs page views and refusals too,
so they pick out the entries they wrote); the table download failure test draws `layout.table` on its own.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
import multiprocessing
import os
import sqlite3
import stat
import sys
import threading
import time
import types
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app import access_log, layout
from app.monthly import md_escape

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PAGE_SOURCE = Path(__file__).resolve().parent.parent / "app" / "views" / "access_log.py"
PAGE = "views/access_log.py"
ADMIN = {
    "username": "admin1",
    "display_name": "Admin",
    "role": "administrator",
    "la_code": None,
    "service_id": None,
    "team_id": None,
    "method": "password",
}
ANALYST = {**ADMIN, "username": "ana1", "display_name": "Analyst", "role": "analyst"}
HOSTILE = "**bold** <b>x</b> [link](http://evil.example) `code` $x$ :red[red] | pipe"


@pytest.fixture
def state(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("CSQA_STATE_DIR", str(folder))
    monkeypatch.setenv("CSQA_WAREHOUSE", str(tmp_path / "served" / "warehouse.duckdb"))
    return folder


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def raw_rows(folder: Path) -> list[dict]:
    con = sqlite3.connect(folder / access_log.FILE_NAME)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("select * from access_log order by event_id")]
    finally:
        con.close()


def record_at(monkeypatch, when: dt.datetime, event: str, **kw) -> None:
    """Record an entry as if written at `when` (UTC)."""
    with monkeypatch.context() as mp:
        mp.setattr(access_log, "_now", lambda: when.isoformat(timespec="seconds"))
        access_log.record(event, **kw)


# --- appending and reading -----------------------------------------------------------------------------------


def test_record_appends_one_row_with_the_contract_columns(state):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    access_log.record(
        "page_view", username="jo", role="analyst", page="cscmt", detail={"month": "2025-01"}, session_id="s1"
    )
    after = dt.datetime.now(dt.UTC)
    (row,) = raw_rows(state)
    assert list(row) == list(access_log.COLUMNS)
    assert {k: v for k, v in row.items() if k not in ("event_id", "at")} == {
        "username": "jo",
        "role": "analyst",
        "event": "page_view",
        "page": "cscmt",
        "detail": '{"month": "2025-01"}',
        "session_id": "s1",
    }
    at = dt.datetime.fromisoformat(row["at"])
    assert at.utcoffset() == dt.timedelta(0) and before <= at <= after


def test_the_log_is_sqlite_in_wal_mode_with_indexes(state):
    access_log.record("sign_in", username="jo", role="analyst")
    con = sqlite3.connect(state / access_log.FILE_NAME)
    try:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
        columns = [r[1] for r in con.execute("pragma table_info(access_log)")]
        triggers = {r[0] for r in con.execute("select name from sqlite_master where type = 'trigger'")}
    finally:
        con.close()
    assert columns == list(access_log.COLUMNS)
    assert triggers == {"access_log_no_update", "access_log_no_delete"}


def test_every_contract_event_is_accepted_and_optional_fields_may_be_empty(state):
    for event in access_log.EVENTS:
        access_log.record(event, username=None, role=None)
    rows = raw_rows(state)
    assert [r["event"] for r in rows] == list(access_log.EVENTS)
    assert all(r["username"] is None and r["detail"] is None and r["page"] is None for r in rows)


def test_read_gives_newest_first_with_a_limit(state):
    for n in range(5):
        access_log.record("page_view", username=f"u{n}", role="analyst", page="cscmt")
    entries = access_log.read()
    assert [e["username"] for e in entries] == ["u4", "u3", "u2", "u1", "u0"]
    assert list(entries[0]) == list(access_log.COLUMNS)
    assert [e["username"] for e in access_log.read(limit=2)] == ["u4", "u3"]
    assert access_log.count() == 5


def test_reading_creates_nothing(state):
    assert access_log.read() == []
    assert access_log.count() == 0
    assert access_log.counts_by_event() == {}
    assert access_log.usernames() == []
    assert not state.exists()


def test_filters_by_day_user_and_event(state, monkeypatch):
    day = dt.datetime(2025, 3, 10, tzinfo=dt.UTC)
    record_at(monkeypatch, day - dt.timedelta(seconds=1), "sign_in", username="jo", role="analyst")  # 9 March
    record_at(monkeypatch, day, "sign_in", username="jo", role="analyst")  # 10 March 00:00:00
    record_at(monkeypatch, day + dt.timedelta(hours=12), "page_view", username="sam", role="cscmt", page="cscmt")
    record_at(monkeypatch, day + dt.timedelta(hours=23, minutes=59, seconds=59), "download", username="jo", role="x")
    record_at(monkeypatch, day + dt.timedelta(days=1), "refused", username="sam", role="cscmt", page="access-log")

    def users(**kw) -> list[str]:
        return [f"{e['username']}:{e['event']}" for e in access_log.read(**kw)]

    assert users(first=dt.date(2025, 3, 10), last=dt.date(2025, 3, 10)) == [
        "jo:download",
        "sam:page_view",
        "jo:sign_in",
    ]
    assert users(first="2025-03-10") == ["sam:refused", "jo:download", "sam:page_view", "jo:sign_in"]
    assert users(last="2025-03-09") == ["jo:sign_in"]
    assert users(username="jo") == ["jo:download", "jo:sign_in", "jo:sign_in"]
    assert users(event="sign_in") == ["jo:sign_in", "jo:sign_in"]
    assert users(first="2025-03-10", username="jo", event="sign_in") == ["jo:sign_in"]
    assert users(username="nobody") == []
    assert access_log.count(first="2025-03-10", last="2025-03-10") == 3
    assert access_log.counts_by_event() == {"sign_in": 2, "page_view": 1, "download": 1, "refused": 1}
    assert access_log.counts_by_event(username="sam") == {"page_view": 1, "refused": 1}
    assert access_log.usernames() == ["jo", "sam"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"event": "sign_up"}, "Unknown access log event"),
        ({"first": "10/03/2025"}, "Expected a date"),
        ({"limit": 0}, "limit"),
        ({"limit": access_log.MAX_LIMIT + 1}, "limit"),
    ],
)
def test_bad_filters_are_refused(state, kw, message):
    with pytest.raises(ValueError, match=message):
        access_log.read(**kw)


# --- append-only ---------------------------------------------------------------------------------------------


def test_update_and_delete_are_refused(state):
    access_log.record("sign_in", username="jo", role="analyst")
    access_log.record("sign_out", username="jo", role="analyst")
    before = raw_rows(state)
    con = sqlite3.connect(state / access_log.FILE_NAME)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("update access_log set username = 'someone else' where event_id = 1")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("update access_log set detail = null")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("delete from access_log where event_id = 2")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("delete from access_log")
        con.commit()
    finally:
        con.close()
    assert raw_rows(state) == before


def test_triggers_are_added_to_a_log_that_lacks_them(state):
    state.mkdir(mode=0o700)
    con = sqlite3.connect(state / access_log.FILE_NAME)
    con.execute(
        "create table access_log (event_id INTEGER PRIMARY KEY, at TEXT NOT NULL, username TEXT, role TEXT, "
        "event TEXT NOT NULL, page TEXT, detail TEXT, session_id TEXT)"
    )
    con.commit()
    con.close()
    access_log.record("sign_in", username="jo", role="analyst")
    con = sqlite3.connect(state / access_log.FILE_NAME)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("delete from access_log")
    finally:
        con.close()
    assert len(raw_rows(state)) == 1


# --- permissions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_folder_is_0700_and_files_0600_whatever_the_umask(state, umask):
    old = os.umask(umask)
    try:
        access_log.record("sign_in", username="jo", role="analyst")
    finally:
        os.umask(old)
    assert mode(state) == 0o700
    assert mode(state / access_log.FILE_NAME) == 0o600
    for suffix in ("-wal", "-shm"):
        extra = state / (access_log.FILE_NAME + suffix)
        if extra.exists():
            assert mode(extra) == 0o600


def test_it_lives_in_the_state_folder_beside_the_warehouse_when_no_state_dir_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv("CSQA_STATE_DIR", raising=False)
    monkeypatch.setenv("CSQA_WAREHOUSE", str(tmp_path / "served" / "warehouse.duckdb"))
    access_log.record("sign_in", username="jo", role="analyst")
    assert (tmp_path / "served" / "state" / access_log.FILE_NAME).is_file()
    assert access_log.log_path() == tmp_path / "served" / "state" / access_log.FILE_NAME


# --- failures ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("event", ["sign_up", "", "SIGN_IN", None, 3])
def test_unknown_events_raise_value_error_and_write_nothing(state, event):
    with pytest.raises(ValueError, match="Unknown access log event"):
        access_log.record(event, username="jo", role="analyst")
    assert not state.exists()


def test_a_detail_that_is_not_a_dict_is_refused(state):
    with pytest.raises(ValueError, match="must be a dict"):
        access_log.record("download", username="jo", role="analyst", detail="file.csv")  # type: ignore[arg-type]


def test_a_state_folder_that_is_a_file_makes_the_log_unavailable(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("CSQA_STATE_DIR", str(blocker))
    with pytest.raises(access_log.AccessLogUnavailable) as caught:
        access_log.record("sign_in", username="jo", role="analyst")
    assert caught.value.path == blocker / access_log.FILE_NAME
    assert "could not be used" in str(caught.value)
    with pytest.raises(access_log.AccessLogUnavailable):
        access_log.check()


def test_a_folder_under_a_file_makes_the_log_unavailable(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CSQA_STATE_DIR", str(blocker / "state"))
    with pytest.raises(access_log.AccessLogUnavailable):
        access_log.record("sign_in", username="jo", role="analyst")


def test_a_log_that_is_a_folder_or_not_a_database_is_unavailable(state):
    (state / access_log.FILE_NAME).mkdir(parents=True)
    with pytest.raises(access_log.AccessLogUnavailable):
        access_log.record("sign_in", username="jo", role="analyst")
    (state / access_log.FILE_NAME).rmdir()
    (state / access_log.FILE_NAME).write_bytes(b"this is not a database, " * 100)
    with pytest.raises(access_log.AccessLogUnavailable):
        access_log.record("sign_in", username="jo", role="analyst")
    with pytest.raises(access_log.AccessLogUnavailable):
        access_log.read()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only folder")
def test_a_read_only_folder_makes_the_log_unavailable(state):  # pragma: no cover - CI runs as root
    state.mkdir(mode=0o500)
    try:
        with pytest.raises(access_log.AccessLogUnavailable):
            access_log.record("sign_in", username="jo", role="analyst")
    finally:
        state.chmod(0o700)


def test_the_exception_is_a_clear_class_of_its_own():
    assert issubclass(access_log.AccessLogUnavailable, Exception)
    assert not issubclass(access_log.AccessLogUnavailable, ValueError)  # a bad call is not an unavailable log


# --- hostile text ------------------------------------------------------------------------------------------------


def test_detail_is_sorted_json_with_control_characters_removed_and_long_values_cut(state):
    detail = {
        "zeta": "last",
        "alpha": "a\x00b\x1bc\x7fd\u202eevil\u200b\ufeffe\r\nnext line\tend",
        "html": "<script>alert(1)</script>",
        "long": "x" * 5000,
        "markdown": HOSTILE,
        "quote": '"); drop table access_log; --',
        "nested": {"b": ["=1+1", "\x07bell"], "a": {"deep": {"deeper": {"deepest": {"too": "deep"}}}}},
        "number": 3,
        "float": float("nan"),
        "flag": True,
        "none": None,
        "when": dt.date(2025, 3, 10),
        "set": {"b", "a"},
        7: "a number as a key",
        "k" * 500: "long key",
    }
    access_log.record("page_view", username="jo", role="analyst", detail=detail)
    stored = raw_rows(state)[0]["detail"]
    parsed = json.loads(stored)
    assert list(parsed) == sorted(parsed)  # sorted keys
    assert parsed["alpha"] == "a b c d evil e next line end"
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch in "\u202e\u200b\ufeff" for ch in stored)
    assert parsed["html"] == "<script>alert(1)</script>"  # stored as data: the page escapes it
    assert parsed["markdown"] == HOSTILE
    assert parsed["quote"] == '"); drop table access_log; --'
    assert parsed["long"] == "x" * (access_log.MAX_VALUE - 1) + "…"
    assert parsed["float"] == "nan" and parsed["flag"] is True and parsed["none"] is None
    assert parsed["7"] == "a number as a key"
    assert parsed["k" * (access_log.MAX_KEY - 1) + "…"] == "long key"
    assert parsed["when"] == "2025-03-10" and parsed["set"] == ["a", "b"] and parsed["number"] == 3
    nested = parsed["nested"]
    assert nested["b"] == ["=1+1", "bell"]
    assert nested["a"]["deep"]["deeper"]["deepest"] == "{'too': 'deep'}"  # deeper than MAX_DEPTH: as text
    assert len(stored) < 20_000
    assert access_log.count() == 1  # the SQL-looking text was data


def test_a_detail_with_too_many_keys_or_items_is_cut(state):
    detail = {f"key{n:03d}": n for n in range(120)} | {"list": list(range(80))}
    access_log.record("page_view", username="jo", role="analyst", detail=detail)
    parsed = json.loads(raw_rows(state)[0]["detail"])
    assert len(parsed) == access_log.MAX_ITEMS + 1  # the first 50 keys in order, and a note of how many more
    assert parsed["…"] == f"{len(detail) - access_log.MAX_ITEMS} more"
    assert parsed["key000"] == 0 and "key050" not in parsed and "list" not in parsed
    access_log.record("page_view", username="jo", role="analyst", detail={"list": list(range(80))})
    assert json.loads(raw_rows(state)[1]["detail"])["list"] == [*range(access_log.MAX_ITEMS), "… 30 more"]


def test_sorted_keys_and_small_details_round_trip(state):
    access_log.record("download", username="jo", role="analyst", detail={"file_name": "a.csv", "b": [1, 2]})
    assert raw_rows(state)[0]["detail"] == '{"b": [1, 2], "file_name": "a.csv"}'


def test_hostile_user_names_and_fields_are_one_cleaned_line(state):
    access_log.record(
        "sign_in_failed",
        username="eve\r\n2025-01-01 admin signed in\x1b[31m" + "y" * 500,
        role="\u202eadmin",
        page="cscmt\n",
        session_id="  s\t1  ",
    )
    row = raw_rows(state)[0]
    assert row["username"].startswith("eve 2025-01-01 admin signed in [31my")
    assert len(row["username"]) == access_log.MAX_FIELD and row["username"].endswith("…")
    assert (row["role"], row["page"], row["session_id"]) == ("admin", "cscmt", "s 1")
    assert access_log.usernames() == [row["username"]]


# --- many writers at once ----------------------------------------------------------------------------------------


def test_many_threads_appending_at_once_lose_nothing(state):
    n_threads, per_thread = 8, 25
    barrier = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                access_log.record("page_view", username=name, role="analyst", detail={"n": n})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"t{i}",)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    rows = raw_rows(state)
    assert len(rows) == n_threads * per_thread
    assert len({r["event_id"] for r in rows}) == len(rows)
    got = {(r["username"], json.loads(r["detail"])["n"]) for r in rows}
    assert got == {(f"t{i}", n) for i in range(n_threads) for n in range(per_thread)}


def _process_writer(state_dir: str, name: str, count: int, barrier) -> None:
    os.environ["CSQA_STATE_DIR"] = state_dir
    barrier.wait(60)
    for n in range(count):
        access_log.record("download", username=name, role="analyst", detail={"n": n})


@pytest.mark.parametrize("processes", [2, 4])
def test_several_processes_appending_at_once_lose_nothing(state, processes, monkeypatch):
    """Each process creates the log if it is not there yet, so the first entries also race to create it."""
    per_process = 30
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as separate app servers would be
    # An AppTest earlier in the session leaves app/streamlit_app.py as __main__, which spawn would re-run in
    # each child: start them with a bare __main__ instead.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    barrier = context.Barrier(processes)
    workers = [
        context.Process(target=_process_writer, args=(str(state), f"p{i}", per_process, barrier))
        for i in range(processes)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(180)
    assert [w.exitcode for w in workers] == [0] * processes
    rows = raw_rows(state)
    assert len(rows) == processes * per_process
    got = {(r["username"], json.loads(r["detail"])["n"]) for r in rows}
    assert got == {(f"p{i}", n) for i in range(processes) for n in range(per_process)}
    assert mode(state / access_log.FILE_NAME) == 0o600


def test_a_reader_holding_a_snapshot_does_not_block_appending(state):
    access_log.record("sign_in", username="jo", role="analyst")
    con = sqlite3.connect(state / access_log.FILE_NAME)
    try:
        con.execute("begin")
        con.execute("select count(*) from access_log").fetchone()
        access_log.record("sign_out", username="jo", role="analyst")
    finally:
        con.close()
    assert access_log.count() == 2


# --- outside Streamlit ---------------------------------------------------------------------------------------------


def test_session_id_and_page_are_none_outside_a_streamlit_run():
    assert access_log.session_id() is None
    assert access_log.current_page() is None


# --- the page: auth ------------------------------------------------------------------------------------------------


def test_the_page_checks_access_before_drawing_anything():
    """`auth.require_page("access-log")` is the page's first action: the first statement of render(), and
    render() is the only thing the module runs."""
    tree = ast.parse(PAGE_SOURCE.read_text())
    calls = [n for n in tree.body if isinstance(n, ast.Expr)]
    assert [ast.unparse(c) for c in calls[1:]] == ["render()"]  # [0] is the docstring
    render = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "render")
    assert ast.unparse(render.body[0]).startswith("auth.require_page(PAGE)")
    assert 'PAGE = "access-log"' in PAGE_SOURCE.read_text()
    assert "from app import access_log, auth, layout" in PAGE_SOURCE.read_text()


def open_access_log(user: dict, *, warehouse: Path | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["csqa_user"] = user
    at.session_state["csqa_last_seen"] = time.time()
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def entries_table(at: AppTest):
    tables = [t.value for t in at.table if "When (UTC)" in t.value.columns]
    assert len(tables) == 1
    return tables[0].reset_index(drop=True)


def test_the_page_refuses_anyone_but_an_administrator(state):
    at = open_access_log(ANALYST)
    assert "Access log" not in [t.value for t in at.title]
    assert not [t for t in at.table if "When (UTC)" in t.value.columns]
    assert not at.get("download_button")
    (refusal,) = access_log.read(event="refused")
    assert (refusal["username"], refusal["page"]) == ("ana1", "access-log")  # app.auth logs it


@pytest.fixture
def seeded(state, monkeypatch) -> dict[str, dt.datetime]:
    """Entries over the last days (the page shows the last 30 by default) and one from 60 days ago."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    times = {
        "old": now - dt.timedelta(days=60),
        "sign_in": now - dt.timedelta(days=3),
        "failed": now - dt.timedelta(days=2),
        "view": now - dt.timedelta(days=1),
        "refused": now - dt.timedelta(hours=1),
    }
    record_at(monkeypatch, times["old"], "sign_in", username="olduser", role="cscmt", session_id="s0")
    record_at(monkeypatch, times["sign_in"], "sign_in", username="jo", role="analyst", session_id="s1")
    record_at(monkeypatch, times["failed"], "sign_in_failed", username=HOSTILE, role=None, detail={"reason": HOSTILE})
    record_at(
        monkeypatch,
        times["view"],
        "page_view",
        username="jo",
        role="analyst",
        page="cscmt",
        detail={"month": "2025-01", "la": "845"},
        session_id="s1",
    )
    record_at(
        monkeypatch, times["refused"], "refused", username="jo", role="analyst", page="access-log", session_id="s1"
    )
    return times


def seeded_rows(df) -> list[tuple[str, str]]:
    """(user, event) of the seeded entries shown, in order (the app may add its own, e.g. admin1's page views)."""
    names = ("jo", "olduser", md_escape(HOSTILE))
    return [(u, e) for u, e in zip(df["User"], df["Event"], strict=True) if u in names]


def test_the_page_shows_entries_newest_first_escaped_with_counts(seeded):
    at = open_access_log(ADMIN)
    assert at.title[0].value == "Access log"
    df = entries_table(at)
    assert list(df.columns) == ["When (UTC)", "User", "Role", "Event", "Page", "Detail", "Session"]
    assert seeded_rows(df) == [
        ("jo", "refused"),
        ("jo", "page\\_view"),
        (md_escape(HOSTILE), "sign\\_in\\_failed"),
        ("jo", "sign\\_in"),
    ]  # newest first; the entry from 60 days ago is outside the default 30 days
    hostile = df[df["User"] == md_escape(HOSTILE)].iloc[0]
    assert hostile["Detail"] == md_escape(json.dumps({"reason": HOSTILE}, ensure_ascii=False))
    assert hostile["Role"] == ""
    view = df[(df["Event"] == "page\\_view") & (df["User"] == "jo")].iloc[0]
    assert view["Detail"] == md_escape('{"la": "845", "month": "2025-01"}')
    assert view["When (UTC)"] == seeded["view"].strftime("%Y-%m-%d %H:%M:%S")
    assert (view["Page"], view["Session"]) == ("cscmt", "s1")
    counts = next(t.value for t in at.table if "Entries" in t.value.columns).reset_index(drop=True)
    by_event = dict(zip(counts["Event"], counts["Entries"], strict=True))
    assert by_event["sign_in"] == "1" and by_event["sign_in_failed"] == "1" and by_event["refused"] == "1"
    assert len(at.get("download_button")) == 1


def test_the_page_filters_by_user_event_and_days(seeded):
    at = open_access_log(ADMIN)
    assert "jo" in at.selectbox(key="access_log_user").options
    at.selectbox(key="access_log_user").select("jo").run()
    assert not at.exception
    df = entries_table(at)
    assert set(df["User"]) == {"jo"} and len(df) == 3

    at.selectbox(key="access_log_event").select("page_view").run()
    df = entries_table(at)
    assert [(u, e) for u, e in zip(df["User"], df["Event"], strict=True)] == [("jo", "page\\_view")]

    at.selectbox(key="access_log_user").select("Everyone").run()
    at.selectbox(key="access_log_event").select("sign_in").run()
    assert seeded_rows(entries_table(at)) == [("jo", "sign\\_in")]
    today = dt.datetime.now(dt.UTC).date()
    at.date_input(key="access_log_days").set_value((today - dt.timedelta(days=90), today)).run()
    assert not at.exception
    assert seeded_rows(entries_table(at)) == [("jo", "sign\\_in"), ("olduser", "sign\\_in")]

    old = seeded["old"].date()
    at.date_input(key="access_log_days").set_value((old, old)).run()
    assert seeded_rows(entries_table(at)) == [("olduser", "sign\\_in")]

    at.selectbox(key="access_log_user").select("jo").run()  # jo has no sign-in that day
    assert not [t for t in at.table if "When (UTC)" in t.value.columns]
    assert "No entries match these filters." in [i.value for i in at.info]


def test_the_page_with_no_matching_entries_says_so(state):
    at = open_access_log(ADMIN)  # the only entries: app.auth's record of this page view
    assert at.title[0].value == "Access log"
    at.selectbox(key="access_log_event").select("download").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "No entries match these filters." in [i.value for i in at.info]
    assert not [t for t in at.table if "When (UTC)" in t.value.columns]
    assert not at.get("download_button")


def test_the_page_explains_an_unreadable_log(state):
    state.mkdir(mode=0o700)
    (state / access_log.FILE_NAME).write_bytes(b"this is not a database, " * 100)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["csqa_user"] = ADMIN
    at.session_state["csqa_last_seen"] = time.time()
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(e.value for e in at.error)
    assert "access log" in text.lower()  # app.auth fails closed: it cannot log the page view
    assert "Access log" not in [t.value for t in at.title]


# --- downloads are logged --------------------------------------------------------------------------------------------


class RecordingStorage(MemoryMediaFileStorage):
    instances: list[RecordingStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


@pytest.fixture
def storage(monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    return RecordingStorage.instances


def downloads_logged() -> list[dict]:
    return [e for e in reversed(access_log.read(event="download"))]


def test_the_access_log_download_is_itself_logged(seeded, storage):
    at = open_access_log(ADMIN)
    (button,) = at.get("download_button")
    stored = storage[-1].get_file(button.proto.url.rsplit("/", 1)[-1])
    today = dt.datetime.now(dt.UTC).date()
    name = f"access_log_{(today - dt.timedelta(days=29)).isoformat()}_{today.isoformat()}.csv"
    assert stored.filename == name
    rows = list(csv.reader(io.StringIO(stored.content.decode("utf-8-sig"))))
    assert rows[0] == ["When (UTC)", "User", "Role", "Event", "Page", "Detail", "Session"]
    users = [r[1] for r in rows[1:]]
    assert HOSTILE in users  # the CSV holds the text as it is (no Markdown escapes)
    assert downloads_logged() == []

    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    (entry,) = downloads_logged()
    assert (entry["username"], entry["role"], entry["page"]) == ("admin1", "administrator", "access-log")
    assert json.loads(entry["detail"]) == {"file_name": name}
    assert entry["session_id"] == at.session_state[access_log.SESSION_KEY]
    assert len(at.get("download_button")) == 1  # still offered after the click's rerun


def test_a_table_download_on_a_report_page_is_logged(tmp_path, monkeypatch):
    from pack_fixtures import write_warehouse

    warehouse = write_warehouse(tmp_path / "served" / "warehouse.duckdb")
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "state"))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["csqa_user"] = ANALYST
    at.session_state["csqa_last_seen"] = time.time()
    at.run()
    at.switch_page("views/chief_executive.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = at.get("download_button")
    assert len(buttons) == 4
    buttons[1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    (entry,) = downloads_logged()
    assert (entry["username"], entry["role"], entry["event"], entry["page"]) == (
        "ana1",
        "analyst",
        "download",
        "chief-executive",
    )
    assert json.loads(entry["detail"]) == {"file_name": "chief_executive_845_child_protection_2024-25_Q3.csv"}
    at.get("download_button")[1].click().run()  # every click is an entry
    assert len(downloads_logged()) == 2


def test_the_annual_report_downloads_are_logged(tmp_path, monkeypatch):
    from report_fixtures import LA, YEAR, write_warehouse

    warehouse = write_warehouse(tmp_path / "served" / "warehouse.duckdb")
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "state"))
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.session_state["csqa_user"] = ANALYST
    at.session_state["csqa_last_seen"] = time.time()
    at.run()
    at.switch_page("views/annual_report.py")
    at.run()
    at.button(key="annual_review_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    pdf, html = at.get("download_button")
    pdf.click().run()
    at.get("download_button")[1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [(e["page"], json.loads(e["detail"])["file_name"]) for e in downloads_logged()] == [
        ("annual-review", f"qa-annual-review-{LA}-{YEAR}.pdf"),
        ("annual-review", f"qa-annual-review-{LA}-{YEAR}.html"),
    ]
    assert {e["username"] for e in downloads_logged()} == {"ana1"}


# --- a download whose entry cannot be written ----------------------------------------------------------------------


def _table_page() -> None:
    import polars as pl
    import streamlit as st

    from app import layout

    st.session_state["csqa_user"] = {"username": "jo", "role": "analyst"}
    layout.table(pl.DataFrame({"Team": ["=HYPERLINK(1)", "North"], "Cases": ["12", "30"]}), key="t", file_name="t.csv")


def test_a_download_that_cannot_be_logged_switches_downloads_off_until_the_log_works(state, tmp_path, monkeypatch):
    at = AppTest.from_function(_table_page, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("download_button")) == 1

    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    monkeypatch.setenv("CSQA_STATE_DIR", str(blocker))  # the log can no longer be written
    at.get("download_button")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[layout.DOWNLOAD_LOG_FAILED] is True
    assert not at.get("download_button")  # no more files ...
    assert [e.value for e in at.error] == [layout.DOWNLOADS_OFF]  # ... and it says why
    at.run()
    assert not at.get("download_button") and len(at.error) == 1  # still off in later runs

    monkeypatch.setenv("CSQA_STATE_DIR", str(state))  # the log works again
    at.run()
    assert len(at.get("download_button")) == 1 and not at.error
    assert layout.DOWNLOAD_LOG_FAILED not in at.session_state
    at.get("download_button")[0].click().run()
    (entry,) = downloads_logged()
    assert (entry["username"], entry["page"], json.loads(entry["detail"])) == ("jo", None, {"file_name": "t.csv"})


def test_the_callback_records_the_signed_in_user(state, monkeypatch):
    """The on_click callback on its own, outside a script run: the user comes from session_state."""
    import streamlit as st

    monkeypatch.setattr(st, "session_state", {"csqa_user": {"username": "sam", "role": "cscmt"}})
    layout.log_download("cscmt_845_2025-01.csv", "cscmt")
    (entry,) = downloads_logged()
    assert (entry["username"], entry["role"], entry["page"], entry["session_id"]) == ("sam", "cscmt", "cscmt", None)
    assert json.loads(entry["detail"]) == {"file_name": "cscmt_845_2025-01.csv"}


def test_the_page_explains_a_log_it_cannot_read(seeded, monkeypatch):
    def unavailable(*args, **kwargs):
        raise access_log.AccessLogUnavailable(access_log.log_path(), "disk I/O error")

    monkeypatch.setattr(access_log, "counts_by_event", unavailable)  # reading fails; writing (app.auth) works
    at = open_access_log(ADMIN)
    assert at.title[0].value == "Access log"
    assert "could not be read just now" in " ".join(e.value for e in at.error)
    assert "disk I/O error" in " ".join(t.value for t in at.text)
    assert not [t for t in at.table if "When (UTC)" in t.value.columns]
    assert not at.get("download_button")
