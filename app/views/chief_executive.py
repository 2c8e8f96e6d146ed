"""Chief Executive quarterly review: one screen per financial quarter across every domain.

QA framework task 1.6 (the Chief Executive's quarterly performance reviews). The headline indicators of each
domain against target, the previous quarter, the same quarter last year, England, statistical neighbours and
the region; what is red and what moved most; a short summary in plain English for each domain; and the
managers' commentary on each indicator for the quarter.

Everything shown comes from the Chief Executive's pack (`audience_packs`, audience 'chief_executive', grain
'quarter', org_level 'la'): domains by `domain_order`, indicators by `sort_order`, so a new domain or indicator
appears without a code change. The logic lives in `app.chief_executive` (pure, unit tested); sentences come from
`app.narrative`; small numbers follow `app.disclosure`.

The authority and quarter live in the web address (`?la=845&quarter=2024-25+Q3`), so a link opens the same
view; a value there that does not match the warehouse falls back politely with a note and is never echoed.

Commentary is written to the commentary store (`app.commentary`, SQLite beside the warehouse, never the
warehouse itself), so a rebuild never loses it. Comment text is user input: it is shown with `st.text`, never
as Markdown or HTML.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import streamlit as st

from app import auth, choices, commentary, data, disclosure, downloads, formatting, layout
from app import chief_executive as ce
from app.indicators import Quarter
from app.monthly import md_escape

KEY = "chief_executive"
MESSAGE_KEY = f"{KEY}_comment_message"
INDICATOR_KEY = f"{KEY}_comment_indicator"


def render() -> None:
    st.title("Chief Executive quarterly review")
    st.caption(
        "Each quarter across every area of children's social care: the headline measures against their targets, "
        "the previous quarter, the same quarter last year, England, statistical neighbours and the region; what "
        "is off target and what moved most; and managers' commentary. QA framework task 1.6, the Chief "
        "Executive's quarterly performance review."
    )
    try:
        _render()
    except data.WarehouseUnavailable as exc:
        layout.warehouse_unavailable(exc)


# --- the page ----------------------------------------------------------------------------------------------


def _render() -> None:
    if not data.has_audience_packs():
        st.info(
            "**This build has no audience packs yet**, which this page reads its measures from. It may come from "
            "an older build: run `csqa build` to rebuild the warehouse, then reload this page.",
            icon=":material/database:",
        )
        return
    authorities = data.pack_authorities(ce.AUDIENCE, ce.GRAIN, ce.ORG_LEVEL)
    if authorities.is_empty():
        st.info("The Chief Executive's pack holds no quarterly figures yet. Run `csqa build` once extracts are loaded.")
        return

    left, right = choices.columns(authorities.height > 1)
    with left:
        la_code, la_name, bad_la = choices.choose_authority(KEY, authorities)
    quarters = ce.quarters_from_frame(data.pack_periods(ce.AUDIENCE, la_code, ce.GRAIN, ce.ORG_LEVEL))
    if not quarters:
        st.info(f"There are no quarterly figures for {md_escape(la_name)} in the Chief Executive's pack yet.")
        return
    with right:
        quarter, bad_quarter = choices.choose_quarter(
            KEY, quarters, ce.match_quarter, "Financial-year quarters with figures, newest first."
        )
    choices.keep_in_url({"la": la_code, "quarter": quarter.label})

    if bad_la:
        choices.not_recognised("authority", md_escape(la_name))
    if bad_quarter:
        choices.not_recognised("quarter", quarter.label, choose_again=True)

    review = ce.Review(
        data.pack_values(ce.AUDIENCE, la_code, ce.GRAIN, ce.earlier_starts(quarter), ce.ORG_LEVEL), quarter
    )
    info = layout.build_info_or_none() or {}
    _header(la_name, quarter, quarters[0], info)
    if not review.sections:
        st.markdown(f"_There are no figures for {quarter.label}._")
        return
    _overview(review)
    comments = _current_comments(la_code, quarter)
    for index, section in enumerate(review.sections):
        _section(review, section, index, la_code, comments)
    _comment_form(review, la_code, quarter, comments, info.get("build_id"))


def _header(la_name: str, quarter: Quarter, newest: Quarter, info: dict[str, Any]) -> None:
    st.header(f"{md_escape(la_name)}: {quarter.label}", divider="gray")
    built = formatting.date_time(info.get("built_at"))
    st.caption(
        f"**{quarter.label}** runs from {formatting.long_date(quarter.start)} to {formatting.long_date(quarter.end)}. "
        f"**Data as at:** the warehouse holds quarters up to {newest.label} (to {formatting.long_date(newest.end)}); "
        f"built {built}"
        + (f" (build {md_escape(info['build_id'])})" if info.get("build_id") else "")
        + ". Changes are since the previous quarter "
        f"({quarter.previous_label}) and the same quarter last year ({quarter.year_ago_label}). England, "
        "statistical neighbours and the region are DfE's published figures for the latest year ended by the quarter's "
        "end (for the workforce census, the latest 30 September). "
        f"To protect children's privacy, counts under 5 are shown as “{disclosure.FEWER_THAN_5}” and percentages "
        f"or rates built on them as “{disclosure.SUPPRESSED}”, with their status and changes "
        f"“{disclosure.NOT_SHOWN}”. Workforce figures are about staff, not children, and are shown in full."
    )


def _bullets(items: list[tuple[str, str]], empty: str) -> str:
    if not items:
        return f"_{empty}_"
    return "\n".join(f"- **{md_escape(domain)}**: {md_escape(text)}" for domain, text in items)


def _overview(review: ce.Review) -> None:
    red, moved = st.columns(2)
    with red:
        st.subheader("What is red")
        st.markdown(_bullets(review.red(), "Nothing is off target this quarter."))
    with moved:
        st.subheader("What moved most")
        st.caption(f"The largest changes since {review.quarter.previous_label}, as a share of the earlier figure.")
        quiet = f"Nothing moved by 5% or more since {review.quarter.previous_label}."
        st.markdown(_bullets(review.moved_most(), quiet))


def _section(
    review: ce.Review, section: ce.Section, index: int, la_code: str, comments: dict[str, dict[str, Any]]
) -> None:
    st.header(md_escape(section.name), divider="gray")
    summary = review.summary(section)
    if summary:
        st.markdown("\n".join(f"- {md_escape(s)}" for s in summary))
    layout.table(
        review.table(section),
        key=f"{KEY}_{index}_{section.domain}",
        file_name=downloads.file_name(KEY, la_code, section.domain or "other", review.quarter.label),
    )
    commented = [line for line in section.lines if line.indicator_id in comments]
    if not commented:
        return
    st.subheader("Commentary", anchor=False)
    for line in commented:
        row = comments[line.indicator_id]
        with st.container(border=True):
            st.markdown(f"**{md_escape(line.name)}**: comment by {md_escape(ce.comment_byline(row))}")
            st.text(row["body"])
            earlier = _history(la_code, review.quarter, line.indicator_id)[1:]
            if earlier:
                _earlier_versions(earlier, f"Earlier versions ({len(earlier)})")


def _earlier_versions(rows: list[dict[str, Any]], label: str) -> None:
    with st.expander(label, icon=":material/history:"):
        for row in rows:
            st.caption(md_escape(ce.comment_byline(row)) + ("" if row["body"] else ": cleared the comment"))
            if row["body"]:
                st.text(row["body"])


# --- commentary ----------------------------------------------------------------------------------------------


def _current_comments(la_code: str, quarter: Quarter) -> dict[str, dict[str, Any]]:
    try:
        return commentary.current(la_code, ce.GRAIN, quarter.start)
    except (sqlite3.Error, OSError):
        st.warning("The commentary could not be read just now. Reload the page in a moment.", icon=":material/error:")
        return {}


def _history(la_code: str, quarter: Quarter, indicator_id: str) -> list[dict[str, Any]]:
    try:
        return commentary.history(la_code, indicator_id, ce.GRAIN, quarter.start)
    except (sqlite3.Error, OSError):
        return []


def _signed_in_name() -> str | None:
    """Who is writing: the signed-in account as "Display name (username)", so a comment is always attributable
    to an account, never to a name typed in. None only outside a signed-in session."""
    account = st.session_state.get(data.SESSION_USER_KEY) or {}
    username = str(account.get("username") or "").strip()
    if not username:
        return None
    name = str(account.get("display_name") or "").strip()
    return f"{name} ({username})" if name and name != username else username


def _text_key(la_code: str, quarter: Quarter, indicator_id: str) -> str:
    return f"{KEY}_comment_text_{la_code}_{quarter.start.isoformat()}_{indicator_id}"


def _save(la_code: str, quarter: Quarter, indicator_id: str, label: str, clear: bool, build_id: str | None) -> None:
    """Button callback: runs before the page is drawn again, so the page shows the saved comment at once."""
    text_key = _text_key(la_code, quarter, indicator_id)
    author = _signed_in_name() or ""  # commentary.save refuses a comment with no author
    body = "" if clear else st.session_state.get(text_key, "")
    try:
        if not clear and not commentary.clean_body(body):
            raise ValueError("Write a comment first (or use “Clear comment” to remove one).")
        commentary.save(la_code, indicator_id, ce.GRAIN, quarter.start, body, author, build_id=build_id)
    except ValueError as exc:
        st.session_state[MESSAGE_KEY] = ("error", str(exc))
        return
    except (sqlite3.Error, OSError):
        st.session_state[MESSAGE_KEY] = ("error", "The comment could not be saved just now. Try again in a moment.")
        return
    if clear:
        st.session_state[text_key] = ""
    st.session_state[MESSAGE_KEY] = ("success", f"Comment {'cleared' if clear else 'saved'} for {label}.")


def _comment_form(
    review: ce.Review, la_code: str, quarter: Quarter, comments: dict[str, dict[str, Any]], build_id: str | None
) -> None:
    st.header("Add or change a comment", divider="gray")
    st.markdown(
        f"A comment belongs to one measure in {quarter.label}; it appears under its area's table. Saving again "
        "replaces it (earlier versions are kept), and clearing removes it. Comments are kept apart from the "
        f"warehouse, so rebuilding never loses them. At most {commentary.MAX_BODY:,} characters, plain text."
    )
    choices = dict(review.indicator_choices())
    ids = list(choices)
    if st.session_state.get(INDICATOR_KEY) not in ids:
        st.session_state[INDICATOR_KEY] = ids[0]
    indicator_id = st.selectbox("Measure", ids, key=INDICATOR_KEY, format_func=lambda i: choices[i])
    label = choices[indicator_id]
    text_key = _text_key(la_code, quarter, indicator_id)
    if text_key not in st.session_state:
        current = comments.get(indicator_id)
        st.session_state[text_key] = current["body"] if current else ""
    st.text_area("Comment", key=text_key, max_chars=commentary.MAX_BODY, height=150)
    signed_in = _signed_in_name()
    if signed_in:
        st.caption(f"Saved as {md_escape(signed_in)}.")
    save, clear, _ = st.columns([1, 1, 4])
    args = (la_code, quarter, indicator_id, label)
    save.button(
        "Save comment", key=f"{KEY}_comment_save", on_click=_save, args=(*args, False, build_id), type="primary"
    )
    clear.button(
        "Clear comment",
        key=f"{KEY}_comment_clear",
        on_click=_save,
        args=(*args, True, build_id),
        disabled=indicator_id not in comments,
    )
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        kind, text = message
        (st.success if kind == "success" else st.error)(md_escape(text))
    history = _history(la_code, quarter, indicator_id)
    if history:
        _earlier_versions(history, f"History of this comment ({len(history)})")


# Every page checks access itself: a page left out of the menu can still be asked for by its address.
auth.require_page("chief-executive")
render()
