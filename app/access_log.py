"""The access log: who signed in, what they looked at and downloaded, and what they were refused (issue 7).

docs/contracts.md, "Sign-in, roles, scope and the access log (issue 7)":

* `<state dir>/access_log.sqlite` (the same state folder as the commentary store: `$CSQA_STATE_DIR`, else
  `state/` beside the served warehouse), folder 0700 and file 0600, SQLite in WAL mode with a busy timeout, so
  many app sessions (threads) and processes can append at once and none loses an entry.
* Table `access_log(event_id INTEGER PRIMARY KEY, at` (UTC ISO timestamp)`, username, role, event, page, detail`
  (JSON)`, session_id)`. Events: `sign_in`, `sign_in_failed`, `sign_out`, `session_expired`, `page_view`,
  `download`, `refused`.
* Append-only: triggers refuse every UPDATE and DELETE. (They guard against the app and honest mistakes; anyone
  who can write the file itself can still drop them, so the file's permissions are the real protection.)

`record()` appends one entry and raises `AccessLogUnavailable` when it cannot: sign-in fails closed on it, and a
download whose entry could not be written switches the session's downloads off (`app.layout`). Text is stored
plain: control and invisible characters are removed and long values cut short, so a hostile user name or query
parameter is data, never markup; pages must still escape it for the screen.

Reading never creates anything: with no log yet, every read is empty.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import os
import re
import sqlite3
import stat
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from app.state import FILE_MODE, make_dir, state_dir

FILE_NAME = "access_log.sqlite"
EVENTS = ("sign_in", "sign_in_failed", "sign_out", "session_expired", "page_view", "download", "refused")
COLUMNS = ("event_id", "at", "username", "role", "event", "page", "detail", "session_id")
BUSY_TIMEOUT_MS = 10_000
MAX_FIELD = 200  # username, role, page, session id
MAX_VALUE = 500  # one text value inside `detail`
MAX_KEY = 100  # one key inside `detail`
MAX_ITEMS = 50  # keys of a mapping, or items of a list, inside `detail`
MAX_DEPTH = 4
ELLIPSIS = "…"
DEFAULT_LIMIT = 1000
MAX_LIMIT = 100_000
SESSION_KEY = "csqa_session_id"

_SCHEMA = (
    """
    create table if not exists access_log (
        event_id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        username TEXT,
        role TEXT,
        event TEXT NOT NULL,
        page TEXT,
        detail TEXT,
        session_id TEXT
    )
    """,
    "create index if not exists access_log_at on access_log (at)",
    "create index if not exists access_log_user on access_log (username, at)",
    "create index if not exists access_log_event on access_log (event, at)",
    """
    create trigger if not exists access_log_no_update before update on access_log
    begin
        select raise(abort, 'the access log is append-only: entries cannot be changed');
    end
    """,
    """
    create trigger if not exists access_log_no_delete before delete on access_log
    begin
        select raise(abort, 'the access log is append-only: entries cannot be deleted');
    end
    """,
)
_HAS_TABLE = "select 1 from sqlite_master where type = 'table' and name = 'access_log'"
_N_TRIGGERS = (
    "select count(*) from sqlite_master where type = 'trigger' "
    "and name in ('access_log_no_update', 'access_log_no_delete')"
)

# Control characters (Unicode Cc, new lines included: every value is one line), line and paragraph separators,
# and the invisible characters that reorder or hide text (bidirectional overrides and isolates, zero-width
# joiners and friends, the byte-order mark).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


class AccessLogUnavailable(RuntimeError):
    """The access log could not be written (or read). Callers fail closed: no sign-in, no unlogged download."""

    def __init__(self, path: Path, problem: BaseException | str):
        self.path = path
        self.problem = str(problem)
        super().__init__(f"The access log ({path}) could not be used: {self.problem}")


# --- where the log lives -----------------------------------------------------------------------------------


def log_path() -> Path:
    return state_dir() / FILE_NAME


def _make_file(path: Path) -> None:
    """Create the log with mode 0600 before SQLite opens it (its -wal and -shm files get the same mode)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def _open(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    return con


def _prepare(con: sqlite3.Connection) -> None:
    """WAL mode, the table and its triggers, once per log: cheap reads when already done.

    Switching to WAL needs the file to itself and SQLite does not wait for that, so a first entry racing
    another retries for up to the busy timeout. The table is created inside `begin immediate`, which waits."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while str(con.execute("pragma journal_mode").fetchone()[0]).lower() != "wal":
        try:
            con.execute("pragma journal_mode = wal")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    if con.execute(_HAS_TABLE).fetchone() and con.execute(_N_TRIGGERS).fetchone()[0] == 2:
        return
    con.execute("begin immediate")
    try:
        for statement in _SCHEMA:
            con.execute(statement)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


@contextlib.contextmanager
def _writer() -> Iterator[sqlite3.Connection]:
    path = log_path()
    con = None
    try:
        make_dir(path.parent)  # 0700; if the state dir is a file, creating the log below fails
        if not path.exists():
            _make_file(path)
        con = _open(path)
        _prepare(con)
    except (OSError, sqlite3.Error) as exc:
        if con is not None:
            con.close()
        raise AccessLogUnavailable(path, exc) from exc
    try:
        yield con
    except (OSError, sqlite3.Error) as exc:
        raise AccessLogUnavailable(path, exc) from exc
    finally:
        con.close()


@contextlib.contextmanager
def _reader() -> Iterator[sqlite3.Connection | None]:
    """A connection to an existing log, or None when there is no log (or no table) yet."""
    path = log_path()
    if not path.is_file():
        yield None
        return
    try:
        con = _open(path)
    except sqlite3.Error as exc:
        raise AccessLogUnavailable(path, exc) from exc
    try:
        yield con if con.execute(_HAS_TABLE).fetchone() else None
    except sqlite3.Error as exc:
        raise AccessLogUnavailable(path, exc) from exc
    finally:
        con.close()


def check() -> None:
    """Make sure the log can be written (creating it if need be), without appending anything; raises
    AccessLogUnavailable if not."""
    with _writer():
        pass


# --- cleaning what comes in --------------------------------------------------------------------------------


def clean_text(value: Any, limit: int) -> str:
    """One line of plain text: control and invisible characters removed, white space collapsed, at most `limit`
    characters (a longer value is cut and ends with an ellipsis)."""
    text = " ".join(_UNSAFE.sub(" ", str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _clean_field(value: Any) -> str | None:
    if value is None:
        return None
    return clean_text(value, MAX_FIELD) or None


def _clean_value(value: Any, depth: int = 0) -> Any:
    """A JSON-ready copy of one detail value: text cleaned and cut, containers cut to MAX_ITEMS and MAX_DEPTH."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth < MAX_DEPTH:
        if isinstance(value, Mapping):
            return _clean_mapping(value, depth + 1)
        if isinstance(value, list | tuple | set | frozenset):
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
            cleaned = [_clean_value(v, depth + 1) for v in items[:MAX_ITEMS]]
            return cleaned + ([f"{ELLIPSIS} {len(items) - MAX_ITEMS} more"] if len(items) > MAX_ITEMS else [])
    return clean_text(value, MAX_VALUE)


def _clean_mapping(detail: Mapping[Any, Any], depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in sorted(detail, key=str)[:MAX_ITEMS]:
        out[clean_text(key, MAX_KEY)] = _clean_value(detail[key], depth)
    if len(detail) > MAX_ITEMS:
        out[ELLIPSIS] = f"{len(detail) - MAX_ITEMS} more"
    return out


def detail_json(detail: Mapping[str, Any] | None) -> str | None:
    """`detail` as stored: JSON with sorted keys, text cleaned and cut short (None stays None)."""
    if detail is None:
        return None
    if not isinstance(detail, Mapping):
        raise ValueError("An access log entry's detail must be a dict (or None).")
    return json.dumps(_clean_mapping(detail), sort_keys=True, ensure_ascii=False, allow_nan=False)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- writing -------------------------------------------------------------------------------------------------


def record(
    event: str,
    *,
    username: str | None,
    role: str | None,
    page: str | None = None,
    detail: Mapping[str, Any] | None = None,
    session_id: str | None = None,
) -> None:
    """Append one entry. ValueError for an event not in EVENTS (or a detail that is not a dict);
    AccessLogUnavailable if the log cannot be written (the caller must fail closed)."""
    if not isinstance(event, str) or event not in EVENTS:
        raise ValueError(f"Unknown access log event {str(event)[:40]!r}: expected one of {', '.join(EVENTS)}.")
    row = (
        _now(),
        _clean_field(username),
        _clean_field(role),
        event,
        _clean_field(page),
        detail_json(detail),
        _clean_field(session_id),
    )
    names = COLUMNS[1:]
    with _writer() as con:
        con.execute("begin immediate")  # take the write lock first, waiting (busy timeout) for another writer
        try:
            con.execute(f"insert into access_log ({', '.join(names)}) values ({', '.join('?' for _ in names)})", row)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


# --- reading -------------------------------------------------------------------------------------------------


def _iso_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"Expected a date (yyyy-mm-dd), not {str(value)[:20]!r}.") from None


def _where(
    first: dt.date | str | None, last: dt.date | str | None, username: str | None, event: str | None
) -> tuple[str, list[str]]:
    """The filter: `first` and `last` are days (UTC, inclusive)."""
    clauses: list[str] = []
    params: list[str] = []
    if first is not None:
        clauses.append("at >= ?")
        params.append(_iso_date(first).isoformat())
    if last is not None:
        clauses.append("at < ?")
        params.append((_iso_date(last) + dt.timedelta(days=1)).isoformat())
    if username is not None:
        clauses.append("username = ?")
        params.append(str(username))
    if event is not None:
        if event not in EVENTS:
            raise ValueError(f"Unknown access log event {str(event)[:40]!r}: expected one of {', '.join(EVENTS)}.")
        clauses.append("event = ?")
        params.append(event)
    return (" where " + " and ".join(clauses)) if clauses else "", params


def read(
    first: dt.date | str | None = None,
    last: dt.date | str | None = None,
    username: str | None = None,
    event: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[dict[str, Any]]:
    """Entries from day `first` to day `last` (UTC, inclusive; None: no bound), of one user and one event if
    given, newest first, at most `limit` of them. Each a dict of COLUMNS; `detail` is the stored JSON text."""
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"The limit must be a whole number from 1 to {MAX_LIMIT:,}.")
    where, params = _where(first, last, username, event)
    with _reader() as con:
        if con is None:
            return []
        sql = f"select {', '.join(COLUMNS)} from access_log{where} order by event_id desc limit ?"
        return [dict(r) for r in con.execute(sql, [*params, limit])]


def count(
    first: dt.date | str | None = None,
    last: dt.date | str | None = None,
    username: str | None = None,
    event: str | None = None,
) -> int:
    """How many entries `read` would give without a limit."""
    where, params = _where(first, last, username, event)
    with _reader() as con:
        if con is None:
            return 0
        return int(con.execute(f"select count(*) from access_log{where}", params).fetchone()[0])


def counts_by_event(
    first: dt.date | str | None = None, last: dt.date | str | None = None, username: str | None = None
) -> dict[str, int]:
    """Entries per event (in EVENTS order, events with none left out) for the days and user given."""
    where, params = _where(first, last, username, None)
    with _reader() as con:
        if con is None:
            return {}
        found = dict(con.execute(f"select event, count(*) from access_log{where} group by event", params).fetchall())
    return {e: int(found[e]) for e in EVENTS if found.get(e)}


def usernames(limit: int = 1000) -> list[str]:
    """The user names in the log (including names tried at failed sign-ins), sorted."""
    with _reader() as con:
        if con is None:
            return []
        sql = "select distinct username from access_log where username is not null order by username limit ?"
        return [r[0] for r in con.execute(sql, [limit])]


# --- the Streamlit session ------------------------------------------------------------------------------------


def _script_run_ctx() -> Any:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # pragma: no cover - streamlit is a dependency
        return None
    return get_script_run_ctx(suppress_warning=True)


def session_id() -> str | None:
    """A stable id for this Streamlit session (None outside one): a random id kept in `st.session_state`.

    Streamlit's own session id is not used: it identifies the live connection to the server, and the log is read
    by people who should not be able to use what they read."""
    if _script_run_ctx() is None:
        return None
    import streamlit as st

    value = st.session_state.get(SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = uuid.uuid4().hex
        st.session_state[SESSION_KEY] = value
    return value


def current_page() -> str | None:
    """The `url_path` (app/navigation.py) of the page this script run is drawing, None if unknown."""
    ctx = _script_run_ctx()
    if ctx is None:
        return None
    try:
        info = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
    except Exception:  # noqa: BLE001 - Streamlit internals: a page name is a nicety, never worth an error
        return None
    script = str(info.get("script_path") or "")
    found = _url_paths().get(str(Path(script).resolve())) if script else None
    return found or str(info.get("url_pathname") or "") or None


@functools.cache
def _url_paths() -> dict[str, str]:
    """Each page's script (resolved path) -> its url_path."""
    from app import navigation

    return {str((navigation.APP_DIR / spec.path).resolve()): spec.url_path for spec in navigation.PAGES}
