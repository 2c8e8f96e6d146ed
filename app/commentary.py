"""The commentary store: managers' comments per indicator and period, kept outside the rebuilt warehouse.

docs/contracts.md, "Commentary (outside the warehouse)":

* `<state dir>/commentary.sqlite`, where the state dir is `$CSQA_STATE_DIR`, else the folder `state/` beside the
  served warehouse (`app.data.warehouse_path()`). `csqa build` replaces the warehouse whole and never touches
  this file, so a build never loses a comment.
* SQLite from Python's standard library (many app sessions write while `csqa report` reads), in WAL mode with a
  busy timeout, so two people saving at once both succeed.
* Table `commentary`, append-only: `comment_id INTEGER PRIMARY KEY, la_code, indicator_id, period_grain,
  period_start` (ISO date), `org_level, org_id, body` (plain text, at most 2,000 characters; empty clears),
  `author, written_at` (UTC ISO timestamp), `build_id`. The current comment for a key is its latest row; the
  earlier rows are its history. Nothing is ever updated or deleted.

The folder is created readable by its owner only (0700) and the file likewise (0600): comments are internal
working notes. Bodies are plain text: surrounding white space is stripped, control characters other than new
lines are removed, and more than 2,000 characters is refused with a ValueError. Pages must show a body as plain
text (`st.text`), never as Markdown or HTML.

Reading never creates anything: with no store yet, every read is empty.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.state import DIR_MODE, ENV_VAR, FILE_MODE, STATE_FOLDER, make_dir, state_dir  # noqa: F401 (re-exported)

FILE_NAME = "commentary.sqlite"
MAX_BODY = 2000
MAX_AUTHOR = 200
MAX_KEY = 200  # la_code, indicator_id, org_id and friends: identifiers, never long
GRAINS = ("month", "quarter", "year")
ORG_LEVELS = ("la", "service", "team")
BUSY_TIMEOUT_MS = 10_000
COLUMNS = (
    "comment_id",
    "la_code",
    "indicator_id",
    "period_grain",
    "period_start",
    "org_level",
    "org_id",
    "body",
    "author",
    "written_at",
    "build_id",
)

_SCHEMA = """
create table if not exists commentary (
    comment_id INTEGER PRIMARY KEY,
    la_code TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    period_grain TEXT NOT NULL,
    period_start TEXT NOT NULL,
    org_level TEXT NOT NULL,
    org_id TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    written_at TEXT NOT NULL,
    build_id TEXT
);
create index if not exists commentary_key
    on commentary (la_code, period_grain, period_start, org_level, org_id, indicator_id, comment_id);
create index if not exists commentary_period on commentary (la_code, period_start);
"""

_HAS_TABLE = "select 1 from sqlite_master where type = 'table' and name = 'commentary'"

# Control characters (Unicode category Cc) other than the new line, plus the invisible characters that reorder
# or hide text (bidirectional overrides and isolates, zero-width joiners and friends, the byte-order mark).
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

_CURRENT_FOR_PERIOD = f"""
select {", ".join("c." + c for c in COLUMNS)}
from commentary c
join (
    select max(comment_id) as comment_id
    from commentary
    where la_code = ? and period_grain = ? and period_start = ? and org_level = ? and org_id = ?
    group by indicator_id
) latest on latest.comment_id = c.comment_id
where c.body <> ''
order by c.indicator_id
"""

_HISTORY = f"""
select {", ".join(COLUMNS)}
from commentary
where la_code = ? and indicator_id = ? and period_grain = ? and period_start = ? and org_level = ? and org_id = ?
order by comment_id desc
"""

_CURRENT_BETWEEN = f"""
select {", ".join("c." + c for c in COLUMNS)}
from commentary c
join (
    select max(comment_id) as comment_id
    from commentary
    where la_code = ? and period_start between ? and ?
    group by indicator_id, period_grain, period_start, org_level, org_id
) latest on latest.comment_id = c.comment_id
where c.body <> ''
order by c.period_start, c.period_grain, c.indicator_id, c.org_level, c.org_id
"""


# --- where the store lives ---------------------------------------------------------------------------------


def store_path() -> Path:
    return state_dir() / FILE_NAME


def _make_file(path: Path) -> None:
    """Create the store file with mode 0600 before SQLite opens it (SQLite gives its -wal and -shm files the
    same permissions as the database file)."""
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


@contextlib.contextmanager
def _writer() -> Iterator[sqlite3.Connection]:
    path = store_path()
    make_dir(path.parent)
    if not path.exists():
        _make_file(path)
    con = _open(path)
    try:
        _prepare(con)
        yield con
    finally:
        con.close()


def _prepare(con: sqlite3.Connection) -> None:
    """WAL mode and the table, once per store: cheap reads when already done.

    Switching to WAL needs the file to itself and SQLite does not wait for that (no busy handler), so a first
    save racing another retries for up to the busy timeout. The table is created inside `begin immediate`,
    which does wait."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while str(con.execute("pragma journal_mode").fetchone()[0]).lower() != "wal":
        try:
            con.execute("pragma journal_mode = wal")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    if con.execute(_HAS_TABLE).fetchone():
        return
    con.execute("begin immediate")
    try:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                con.execute(statement)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


@contextlib.contextmanager
def _reader() -> Iterator[sqlite3.Connection | None]:
    """A connection to an existing store, or None when there is no store (or no table) yet."""
    path = store_path()
    if not path.is_file():
        yield None
        return
    con = _open(path)
    try:
        exists = con.execute(_HAS_TABLE).fetchone()
        yield con if exists else None
    finally:
        con.close()


# --- cleaning what comes in --------------------------------------------------------------------------------


def clean_text(text: Any) -> str:
    """Plain text as stored: Windows and old Mac line ends become new lines, control and invisible characters
    other than the new line are removed, and surrounding white space is stripped."""
    if text is None:
        return ""
    cleaned = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", cleaned).strip()


def clean_body(text: Any) -> str:
    """A comment body as stored; ValueError when it is longer than 2,000 characters. '' clears."""
    body = clean_text(text)
    if len(body) > MAX_BODY:
        raise ValueError(
            f"A comment can be at most {MAX_BODY:,} characters; this one has {len(body):,}. Shorten it and save again."
        )
    return body


def _clean_author(author: Any) -> str:
    name = " ".join(clean_text(author).split())
    if not name:
        raise ValueError("Say who is writing the comment: a name is needed.")
    if len(name) > MAX_AUTHOR:
        raise ValueError(f"A name can be at most {MAX_AUTHOR} characters.")
    return name


def _clean_key(value: Any, what: str) -> str:
    text = clean_text(value)
    if not text or "\n" in text:
        raise ValueError(f"A comment needs its {what}.")
    if len(text) > MAX_KEY:
        raise ValueError(f"The {what} is too long.")
    return text


def _iso_date(value: dt.date | str) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(f"The period start must be a date (yyyy-mm-dd), not {str(value)[:20]!r}.") from None


def _key(
    la_code: Any, period_grain: Any, period_start: dt.date | str, org_level: Any, org_id: Any
) -> tuple[str, str, str, str, str]:
    la = _clean_key(la_code, "authority")
    grain = clean_text(period_grain)
    if grain not in GRAINS:
        raise ValueError(f"The period grain must be one of {', '.join(GRAINS)}.")
    level = clean_text(org_level)
    if level not in ORG_LEVELS:
        raise ValueError(f"The organisation level must be one of {', '.join(ORG_LEVELS)}.")
    org = la if org_id is None and level == "la" else _clean_key(org_id, "organisation unit")
    return la, grain, _iso_date(period_start), level, org


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- writing and reading -----------------------------------------------------------------------------------


def save(
    la_code: str,
    indicator_id: str,
    period_grain: str,
    period_start: dt.date | str,
    body: str,
    author: str,
    *,
    org_level: str = "la",
    org_id: str | None = None,
    build_id: str | None = None,
) -> dict[str, Any]:
    """Append a comment (an empty body clears the current one) and return the row as stored.

    `org_id` defaults to the authority's own code for `org_level` 'la'. Raises ValueError for a body over 2,000
    characters, a missing author or a malformed key; sqlite3.Error or OSError if the store cannot be written.
    """
    la, grain, start, level, org = _key(la_code, period_grain, period_start, org_level, org_id)
    row = {
        "la_code": la,
        "indicator_id": _clean_key(indicator_id, "indicator"),
        "period_grain": grain,
        "period_start": start,
        "org_level": level,
        "org_id": org,
        "body": clean_body(body),
        "author": _clean_author(author),
        "written_at": _now(),
        "build_id": clean_text(build_id)[:MAX_KEY] or None,
    }
    names = [c for c in COLUMNS if c != "comment_id"]
    with _writer() as con:
        con.execute("begin immediate")  # take the write lock first, waiting (busy timeout) for another writer
        try:
            cursor = con.execute(
                f"insert into commentary ({', '.join(names)}) values ({', '.join('?' for _ in names)})",
                [row[c] for c in names],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return {"comment_id": cursor.lastrowid, **row}


def current(
    la_code: str,
    period_grain: str,
    period_start: dt.date | str,
    org_level: str = "la",
    org_id: str | None = None,
) -> dict[str, dict[str, Any]]:
    """The current (latest, not cleared) comment of each indicator for one org unit and period, by indicator."""
    key = _key(la_code, period_grain, period_start, org_level, org_id)
    with _reader() as con:
        if con is None:
            return {}
        return {r["indicator_id"]: dict(r) for r in con.execute(_CURRENT_FOR_PERIOD, key)}


def history(
    la_code: str,
    indicator_id: str,
    period_grain: str,
    period_start: dt.date | str,
    org_level: str = "la",
    org_id: str | None = None,
) -> list[dict[str, Any]]:
    """Every row written for one key, newest first (the first is the current one; an empty body is a clear)."""
    la, grain, start, level, org = _key(la_code, period_grain, period_start, org_level, org_id)
    with _reader() as con:
        if con is None:
            return []
        rows = con.execute(_HISTORY, [la, clean_text(indicator_id), grain, start, level, org])
        return [dict(r) for r in rows]


def current_between(la_code: str, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Every current (not cleared) comment of the authority on a period starting from `first` to `last`
    (inclusive), any grain and org unit, ordered by period start, grain, indicator and org unit. For the annual
    report: each a dict of the contract's columns."""
    la = _clean_key(la_code, "authority")
    with _reader() as con:
        if con is None:
            return []
        return [dict(r) for r in con.execute(_CURRENT_BETWEEN, [la, _iso_date(first), _iso_date(last)])]


def written_at(row: dict[str, Any]) -> dt.datetime | None:
    """A row's `written_at` as a UTC datetime (None if unreadable)."""
    try:
        when = dt.datetime.fromisoformat(str(row.get("written_at")))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
