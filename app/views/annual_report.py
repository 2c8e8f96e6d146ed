"""Annual QA review: the year's report to the Scrutiny Committee, as PDF and HTML (docs/contracts.md, "Annual QA
review report").

Choose the authority and the financial year (years with year figures, newest first), see the headline measures,
then prepare the report and download it. It is the same document `csqa report --year 2024-25` writes: built from
the served warehouse and the managers' commentary for the year, with the panels' small-number rules applied.

Preparing takes a few seconds (charts are drawn offline), so it waits for the button; the files are kept per
warehouse build, authority, year and state of the commentary, so a second person asking for the same report gets
it at once, and a new build or a new comment makes a fresh one. Each download is written to the access log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import streamlit as st

from app import auth, choices, data, layout, report
from app.monthly import escaped, md_escape
from app.report import document

KEY = "annual_review"


def render() -> None:
    st.title("Annual QA review")
    st.caption(
        "The annual review of quality assurance in children's social care, in the shape of the review presented to "
        "the Scrutiny Committee: purpose, method and sources, findings by area of the framework, audit themes, "
        "complaints learning, workforce and areas for development, with every measure in an appendix. Download "
        "it as a PDF to circulate, or as a web page to read on screen."
    )
    try:
        _render()
    except data.WarehouseUnavailable as exc:
        layout.warehouse_unavailable(exc)


@st.cache_data(show_spinner=False, max_entries=16)
def _rendered(
    identity: data.Identity,
    la_code: str,
    year: str,
    commentary_state: str,
    today: str,
    _comments: list[dict[str, Any]],
) -> dict[str, bytes]:
    """Both files for one build (identity), authority, year, commentary state and day (the cover is dated the
    day it is prepared; `_comments` is not hashed: its fingerprint, `commentary_state`, is)."""
    doc = document.build_document(la_code, year, comments=_comments)
    return {fmt: report.render_document(doc, fmt) for fmt in report.FORMATS}


def _choose_year(years: list[str]) -> str:
    state_key = f"{KEY}_year"
    if st.session_state.get(state_key) not in years:
        st.session_state[state_key] = years[0]
    st.selectbox("Financial year", years, key=state_key, help="Years with figures for the whole year, newest first.")
    return st.session_state[state_key]


def _render() -> None:
    authorities = data.report_authorities()
    if authorities.is_empty():
        st.info(
            "**There are no figures for a whole year yet.** The annual review needs year figures (as at 31 March) in "
            "the warehouse. Load a year's returns with `csqa ingest`, run `csqa build`, then reload this page.",
            icon=":material/description:",
        )
        return
    left, right = choices.columns(authorities.height > 1)
    with left:
        la_code, la_name, _ = choices.choose_authority(KEY, authorities, param=None)  # not kept in the address
    years = document.available_years(la_code)
    if not years:  # pragma: no cover - an authority is listed only with year rows
        st.info(f"There are no year figures for {md_escape(la_name)}.")
        return
    with right:
        year = _choose_year(years)

    _prepare(la_code, la_name, year)
    _headline(la_code, la_name, year)


def _prepare(la_code: str, la_name: str, year: str) -> None:
    st.header(f"The report for {year}", divider="gray")
    comments, note = document.read_commentary(la_code, *document.year_bounds(year))
    if note:
        st.caption(note)
    elif comments:
        st.caption(
            f"It includes the {len(comments):,} current comment{'s' if len(comments) != 1 else ''} managers have "
            f"written on {year}'s figures."
        )
    else:
        st.caption(f"No manager has written a comment on {year}'s figures yet, so the report has none.")
    identity = data.warehouse_identity()
    state = document.commentary_key(comments)
    wanted = (identity, la_code, year, state)
    prepared_key = f"{KEY}_prepared"
    if st.button("Prepare the report", key=f"{KEY}_prepare", type="primary", icon=":material/description:"):
        st.session_state[prepared_key] = wanted
    prepared = st.session_state.get(prepared_key)
    if prepared != wanted:
        if prepared is not None and prepared[1:3] == wanted[1:3]:
            st.caption("The warehouse or the commentary has changed since the report was prepared: prepare it again.")
        return
    with st.spinner("Preparing the report (drawing the charts)…"):
        files = _rendered(identity, la_code, year, state, dt.date.today().isoformat(), comments)
    pdf_col, html_col, _ = st.columns([1, 1, 1])
    with pdf_col:
        layout.download_button(  # logged in the access log (see layout.download_button)
            "Download the PDF",
            data=files["pdf"],
            file_name=report.file_name(la_code, year, "pdf"),
            mime=report.MIME_TYPES["pdf"],
            key=f"{KEY}_download_pdf",
            icon=":material/picture_as_pdf:",
        )
    with html_col:
        layout.download_button(
            "Download the HTML",
            data=files["html"],
            file_name=report.file_name(la_code, year, "html"),
            mime=report.MIME_TYPES["html"],
            key=f"{KEY}_download_html",
            icon=":material/download:",
        )
    st.caption(
        f"{md_escape(la_name)}, {year}: PDF {len(files['pdf']) / 1024:,.0f} KB, web page "
        f"{len(files['html']) / 1024:,.0f} KB. The same files as `csqa report --year {year} --la {la_code}`."
    )


def _headline(la_code: str, la_name: str, year: str) -> None:
    facts = document.gather(la_code, year, comments=[])
    st.header(f"Headline measures, {md_escape(la_name)} {year}", divider="gray")
    table = document.headline_table(facts)
    if not table.rows:
        st.markdown(f"_No measure marked for the Chief Executive's quarterly reviews has a figure for {year}._")
        return
    st.markdown(
        "The measures the Chief Executive's quarterly performance reviews follow (task 1.6 of the framework), as the "
        "report shows them. Small numbers of children are not shown."
    )
    frame = pl.DataFrame([list(r) for r in table.rows], schema=list(table.columns), orient="row")
    st.table(escaped(frame, ["Area", "Measure"]), hide_index=True, border="horizontal")


# Every page checks access itself: a page left out of the menu can still be asked for by its address.
auth.require_page("annual-review")
render()
