"""Shared page furniture: page config, build sidebar, synthetic-data banner, polite warehouse messages,
indicator definitions, tables with CSV downloads (each download written to the access log), RAG badges."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
import streamlit as st

from app import access_log, data, downloads, formatting, monthly
from app.indicators import RAG_TEXT, Indicator

APP_TITLE = "Children's social care quality assurance"
SYNTHETIC_BANNER = "Synthetic demonstration data – not real children"


def page_config() -> None:
    st.set_page_config(page_title=APP_TITLE, page_icon=":material/child_care:", layout="wide")


def build_info_or_none() -> dict[str, Any] | None:
    try:
        return data.build_info()
    except data.WarehouseUnavailable:
        return None


def synthetic_banner(info: dict[str, Any] | None) -> None:
    if info and info.get("synthetic"):
        st.warning(f"**{SYNTHETIC_BANNER}**", icon=":material/science:")


def sidebar_build(info: dict[str, Any] | None) -> None:
    """The served build, so everyone can say which data they were looking at."""
    with st.sidebar:
        st.caption("Served build")
        if info is None:
            st.markdown("No warehouse has been built yet.")
            return
        if info.get("synthetic"):
            st.warning(SYNTHETIC_BANNER, icon=":material/science:")
        st.markdown(
            f"Build **{info.get('build_id') or 'unknown'}**  \nBuilt {formatting.date_time(info.get('built_at'))}"
        )


def warehouse_unavailable(exc: data.WarehouseUnavailable) -> None:
    """A polite explanation instead of a traceback."""
    if exc.reason == "missing":
        st.info(
            "**There is no data to show yet.** The dashboard reads the served warehouse, which has not been "
            "built. Run `csqa build` (or `make demo` for synthetic demonstration data), then reload this page.",
            icon=":material/database:",
        )
    elif exc.reason == "incomplete":
        st.warning(
            "**The warehouse does not hold everything this page needs.** It may come from an older build. "
            "Run `csqa build` to rebuild it, then reload this page.",
            icon=":material/database:",
        )
    else:
        st.warning(
            "**The warehouse could not be opened just now.** A new build may be replacing it: wait a moment "
            "and reload. If this keeps happening, run `csqa build` again.",
            icon=":material/database:",
        )
    with st.expander("Details for the data team"):
        st.text(
            f"Warehouse: {exc.path} (set {data.ENV_VAR} to use another file)\nProblem: {exc.reason}"
            + (f"\n{exc.detail}" if exc.detail else "")
        )


def definition_popover(indicator: Indicator | None, *, key: str, label: str = "About this measure") -> None:
    """Definition, numerator and denominator, target and source, one click away."""
    if indicator is None:
        return
    with st.popover(label, icon=":material/info:", key=key):
        st.markdown(definition_markdown(indicator))


def definition_popovers(indicators: Sequence[Indicator | None], *, key: str) -> None:
    """A row of definition popovers (up to six a row), one per indicator present, each labelled with its short
    name; widget keys are `key` and the indicator id."""
    present = [i for i in indicators if i is not None]
    if not present:
        return
    cols = st.columns(min(len(present), 6))
    for n, ind in enumerate(present):
        with cols[n % len(cols)]:
            definition_popover(ind, key=f"{key}_{ind.indicator_id}", label=ind.short_name)


def lacking_note(what: str, table: str, lacking: Sequence[str], columns: Sequence[str], *, plural: bool = True) -> None:
    """Say that `what` is not in this build: the `table` lacks these columns, or is missing (no `columns`)."""
    st.info(
        f"{what} {'are' if plural else 'is'} not available in this build"
        + ("." if not columns else f" (the {table} lacks {', '.join(lacking)}).")
        + f" A newer `csqa build` adds {'them' if plural else 'it'}.",
        icon=":material/database:",
    )


def definition_markdown(indicator: Indicator) -> str:
    lines = [f"**{indicator.name}**", "", indicator.definition or "No definition recorded in the catalogue."]
    if indicator.numerator_definition:
        lines += ["", f"**Counted (numerator):** {indicator.numerator_definition}"]
    if indicator.denominator_definition:
        lines += ["", f"**Out of (denominator):** {indicator.denominator_definition}"]
    if indicator.has_target:
        target = _unit_text(indicator.unit, indicator.target)
        lines += [
            "",
            f"**Target:** {target}"
            + (
                f" (amber up to {_unit_text(indicator.unit, indicator.amber_threshold)})"
                if indicator.amber_threshold is not None
                else ""
            ),
        ]
    direction = {"higher_is_better": "Higher is better.", "lower_is_better": "Lower is better."}.get(indicator.polarity)
    if direction:
        lines += ["", direction]
    if indicator.definition_source:
        lines += ["", f"**Source of the definition:** {indicator.definition_source}"]
    return "\n".join(lines)


def _unit_text(unit: str, value: float | None) -> str:
    if unit == "percent":
        return formatting.percent(value)
    if unit == "rate_per_10k":
        return f"{formatting.rate(value)} per 10,000"
    return formatting.number(value)


def rag_badge(rag: str | None) -> str:
    """Markdown badge for a RAG status ('' when there is none)."""
    if rag not in RAG_TEXT:
        return ""
    colour = {"green": "green", "amber": "orange", "red": "red"}[rag]
    return f":{colour}-badge[{RAG_TEXT[rag]}]"


def table(df: pl.DataFrame, *, key: str, file_name: str, label: str = "Download this table (CSV)") -> None:
    """A table exactly as the CSV download will hold it (both already suppressed)."""
    if df.is_empty():
        st.markdown("_No figures for this period._")
        return
    st.table(df, hide_index=True, border="horizontal")
    download_csv(df, key=key, file_name=file_name, label=label)


def escaped_table(df: pl.DataFrame, *, key: str, file_name: str, escape: Sequence[str], empty: str) -> None:
    """A table exactly as its CSV download holds it, but that `st.table` renders Markdown: the `escape` columns
    (text from the data) and every header are escaped for the screen only; the download holds them as they are,
    made safe for spreadsheets by `app.downloads`. `empty` is said instead of an empty table."""
    if df.is_empty():
        st.markdown(empty)
        return
    st.table(monthly.escaped(df, escape), hide_index=True, border="horizontal")
    download_csv(df, key=key, file_name=file_name)


def download_csv(df: pl.DataFrame, *, key: str, file_name: str, label: str = "Download this table (CSV)") -> None:
    """A CSV download of `df` (made safe for spreadsheets by `app.downloads`), logged; widget key
    `download_{key}`."""
    download_button(
        label,
        data=downloads.to_csv_bytes(df),
        file_name=file_name,
        mime="text/csv",
        key=f"download_{key}",
        icon=":material/download:",
    )


# --- downloads, each written to the access log ----------------------------------------------------------------

DOWNLOAD_LOG_FAILED = "csqa_download_log_failed"  # session_state: a download's access log entry failed
DOWNLOADS_OFF = (
    "**Downloads are switched off.** A download could not be written to the access log, so no more files can "
    "be downloaded in this session until it can. Tell the data team (the state folder may be full or unwritable)."
)


def download_button(label: str, *, data: bytes, file_name: str, mime: str, key: str, icon: str | None = None) -> None:
    """`st.download_button` whose every click is written to the access log (event `download`, the page's
    url_path and `{"file_name": ...}`), for the signed-in user in `st.session_state["csqa_user"]`.

    Streamlit delivers the bytes itself: the browser fetches them from a media URL when the button is clicked,
    and the click also sends a trigger that runs the `on_click` callback on the server. Logging in `on_click` is
    the best available here, so the entry is written alongside the download, not before it: when it cannot be
    written, that one file has already gone, but the session's downloads are switched off, with an error in
    place of every download button, until the access log can be written again. (`on_click` is a callable, so a
    click also reruns the page.) Stricter would be deferred data (`data=` a callable, run on the server when
    the file is asked for, which could log first and refuse on failure), at the price of no URL until then;
    the app's tests read the bytes through that URL."""
    if st.session_state.get(DOWNLOAD_LOG_FAILED):
        try:
            access_log.check()
        except access_log.AccessLogUnavailable:
            st.error(DOWNLOADS_OFF, icon=":material/block:")
            return
        st.session_state.pop(DOWNLOAD_LOG_FAILED, None)
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        key=key,
        on_click=log_download,
        args=(file_name, access_log.current_page()),
        icon=icon,
    )


def log_download(file_name: str, page: str | None) -> None:
    """A download button's `on_click` callback: write the `download` entry, or switch the session's downloads off
    when the access log cannot be written (see `download_button`)."""
    user = st.session_state.get("csqa_user")
    user = user if isinstance(user, dict) else {}
    try:
        access_log.record(
            "download",
            username=user.get("username"),
            role=user.get("role"),
            page=page,
            detail={"file_name": file_name},
            session_id=access_log.session_id(),
        )
    except access_log.AccessLogUnavailable:
        st.session_state[DOWNLOAD_LOG_FAILED] = True
