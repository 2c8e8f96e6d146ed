"""Access log (administrators only): who signed in, what they viewed and downloaded, and what they were refused.

docs/contracts.md, "Sign-in, roles, scope and the access log (issue 7)". The page checks the signed-in role
itself before drawing anything (`auth.require_page`), because a page left out of the menu can still be asked for
by address. Filter by days (UTC), user and event; see how many entries each event has, and the entries newest
first. Everything in the log is shown as plain text (user names tried at a failed sign-in and query parameters
can hold anything). The CSV download is itself written to the log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import streamlit as st

from app import access_log, auth, layout
from app.monthly import escaped

PAGE = "access-log"
KEY = "access_log"
SHOWN = 500  # entries drawn on the page
EXPORTED = 10_000  # entries in the CSV download
DEFAULT_DAYS = 30
EVERYONE = "Everyone"
EVERY_EVENT = "Every event"
EVENT_LABELS = {
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_out": "Signed out",
    "session_expired": "Session expired",
    "page_view": "Viewed a page",
    "download": "Downloaded a file",
    "refused": "Refused",
}
HEADERS = {
    "at": "When (UTC)",
    "username": "User",
    "role": "Role",
    "event": "Event",
    "page": "Page",
    "detail": "Detail",
    "session_id": "Session",
}
TEXT_COLUMNS = [HEADERS[c] for c in ("username", "role", "event", "page", "detail", "session_id")]


def render() -> None:
    auth.require_page(PAGE)  # first: nothing is drawn for a role without this page
    st.title("Access log")
    st.caption(
        "Every sign-in (and failed attempt), sign-out, expired session, page viewed, file downloaded and page "
        "refused, newest first. The log is append-only: entries are never changed or deleted. Times are UTC."
    )
    try:
        _render()
    except access_log.AccessLogUnavailable as exc:
        st.error(
            "**The access log could not be read just now.** Tell the data team: the state folder may be missing "
            "or unreadable.",
            icon=":material/error:",
        )
        with st.expander("Details for the data team"):
            st.text(str(exc))


def _render() -> None:
    first, last, username, event = _filters()
    counts = access_log.counts_by_event(first, last, username)
    total = access_log.count(first, last, username, event)
    entries = frame(access_log.read(first, last, username, event, limit=EXPORTED)) if total else None

    st.header("Entries by event", divider="gray")
    if counts:
        st.table(
            pl.DataFrame(
                {
                    "Event": list(counts),
                    "What it means": [EVENT_LABELS[e] for e in counts],
                    "Entries": [f"{n:,}" for n in counts.values()],
                }
            ),
            hide_index=True,
            border="horizontal",
        )
        st.caption(f"For {_days_text(first, last)}{'' if username is None else ' and the chosen user'}, every event.")
    else:
        st.markdown(f"_No entries for {_days_text(first, last)}{'' if username is None else ' and this user'}._")

    st.header("Entries", divider="gray")
    if entries is None:
        st.info("No entries match these filters.", icon=":material/policy:")
        return
    if total > SHOWN:
        st.caption(
            f"Showing the newest {SHOWN:,} of {total:,} entries; the download holds the newest "
            f"{min(total, EXPORTED):,}. Choose fewer days, a user or an event to see others."
        )
    else:
        st.caption(f"{total:,} entr{'y' if total == 1 else 'ies'}.")
    st.table(escaped(entries.head(SHOWN), TEXT_COLUMNS), hide_index=True, border="horizontal")
    layout.download_csv(
        entries,
        key=KEY,
        file_name=f"access_log_{first.isoformat()}_{last.isoformat()}.csv",
        label="Download these entries (CSV)",
    )


def _filters() -> tuple[dt.date, dt.date, str | None, str | None]:
    today = dt.datetime.now(dt.UTC).date()
    days_key, user_key, event_key = f"{KEY}_days", f"{KEY}_user", f"{KEY}_event"
    if days_key not in st.session_state:
        st.session_state[days_key] = (today - dt.timedelta(days=DEFAULT_DAYS - 1), today)
    users = [EVERYONE, *access_log.usernames()]
    if st.session_state.get(user_key) not in users:
        st.session_state[user_key] = EVERYONE
    events = [EVERY_EVENT, *access_log.EVENTS]
    if st.session_state.get(event_key) not in events:
        st.session_state[event_key] = EVERY_EVENT

    left, middle, right = st.columns([2, 2, 2])
    with left:
        chosen = st.date_input("Days (UTC)", key=days_key, max_value=today, format="YYYY-MM-DD")
    with middle:
        username = st.selectbox("User", users, key=user_key, help="Including names tried at failed sign-ins.")
    with right:
        event = st.selectbox(
            "Event", events, key=event_key, format_func=lambda e: e if e == EVERY_EVENT else f"{e} ({EVENT_LABELS[e]})"
        )
    days = [d for d in (chosen if isinstance(chosen, list | tuple) else [chosen]) if d is not None]
    first, last = (min(days), max(days)) if days else (today, today)  # half-chosen range: its one day
    return first, last, None if username == EVERYONE else username, None if event == EVERY_EVENT else event


def _days_text(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The entries as the page shows them (before escaping) and the CSV holds them, newest first."""
    columns: dict[str, list[str]] = {header: [] for header in HEADERS.values()}
    for row in rows:
        columns[HEADERS["at"]].append(_when(row.get("at")))
        for name in ("username", "role", "event", "page", "detail", "session_id"):
            value = row.get(name)
            columns[HEADERS[name]].append("" if value is None else str(value))
    return pl.DataFrame(columns, schema={header: pl.String for header in HEADERS.values()})


def _when(value: Any) -> str:
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    when = when if when.tzinfo is None else when.astimezone(dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M:%S")


render()
