"""Complaints: the statutory children's complaints procedure, quarter by quarter.

Stages and timeliness, the nature and outcome of complaints, the learning loop (actions from complaints, open,
overdue and completed) and each team's figures, from the complaints and compliments register
(docs/contracts.md, "Workforce and complaints": the `complaints_*` and `compliments_received` indicators and
the `complaints` mart).

The page is read by Scrutiny and the Lead Member, so every aggregate number (tables, charts and downloads) goes
through `app.disclosure` (via `app.complaints`) before it is shown: counts under 5, percentages built on them,
and any second figure that would let one be worked out. The learning-action list is a list of actions, not of
people: it never shows the register's reference, the complainant or the date a complaint was made.

The authority and quarter live in the web address (`?la=845&quarter=2024-25+Q3`), so a link opens the same
view; a value there that does not match the warehouse falls back politely with a note.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import streamlit as st

from app import auth, charts, choices, complaints, data, disclosure, downloads, formatting, layout, monthly
from app.indicators import Catalogue, Quarter, quarters_from_frame

KEY = "complaints"
MART = "complaints"
MART_COLUMNS = (
    "la_code",
    "record_type",
    "team_id",
    "service_id",
    "nature",
    "stage",
    "stage1_response_date",
    "stage1_outcome",
    "stage2_response_date",
    "stage2_outcome",
    "stage3_response_date",
    "stage3_outcome",
    "learning_action",
    "learning_action_due_date",
    "learning_action_status",
    "learning_action_completed_date",
    "as_at_date",
)
HEADLINES = (
    (complaints.RECEIVED[1], "Stage 1 complaints received"),
    (complaints.WITHIN_TIMESCALE[1], "Stage 1 responses within timescale"),
    (complaints.UPHELD, "Upheld or partly upheld at stage 1"),
    (complaints.ESCALATED, "Taken on to stage 2"),
    (complaints.COMPLIMENTS, "Compliments received"),
)
LEARNING_TILES = (
    (complaints.ACTIONS_OPEN, "Learning actions open"),
    (complaints.ACTIONS_OVERDUE, "Learning actions overdue"),
)


def render() -> None:
    st.title("Complaints")
    st.caption(
        "Complaints about children's social care under the statutory three-stage procedure, and compliments: how "
        "many, how quickly they are answered, what they are about, how they end, and what is being learnt from "
        "them. Reported each quarter to Scrutiny, the Lead Member and the management team."
    )
    try:
        _render()
    except data.WarehouseUnavailable as exc:
        layout.warehouse_unavailable(exc)


# --- the page ----------------------------------------------------------------------------------------------


def _no_data(where: str = "") -> None:
    st.info(
        f"**No complaints data has been loaded{where} yet.** This page reads the complaints and compliments "
        "register (`complaints/<la_code>/<yyyy-mm>/complaints.csv`). Load it with `csqa ingest`, run "
        "`csqa build`, then reload this page.",
        icon=":material/forum:",
    )


def _render() -> None:
    catalogue = Catalogue(data.catalogue(complaints.INDICATOR_IDS, [complaints.NATURE_GROUP]))
    ids = catalogue.ids or list(complaints.INDICATOR_IDS)
    authorities = data.period_authorities(ids, "quarter")
    if authorities.is_empty() or not catalogue.ids:
        _no_data()
        return

    left, right = choices.columns(authorities.height > 1)
    with left:
        la_code, la_name, bad_la = choices.choose_authority(KEY, authorities)
    quarters = quarters_from_frame(data.quarters(la_code, ids))
    if not quarters:
        _no_data(f" for {monthly.md_escape(la_name)}")
        return
    with right:
        quarter, bad_quarter = choices.choose_quarter(
            KEY, quarters, complaints.match_quarter, "Financial-year quarters with figures, newest first."
        )
    choices.keep_in_url({"la": la_code, "quarter": quarter.label})

    frame = data.period_values(la_code, ids, "quarter", quarter.year_ago_start, quarter.start)
    orgs = monthly.OrgUnits(
        data.org_units(la_code),
        la_code,
        la_name,
        frame.filter(pl.col("org_level") == "team")["org_id"].unique().to_list(),
    )
    units = {i: catalogue.get(i).unit for i in catalogue.ids}  # type: ignore[union-attr]
    values = complaints.QuarterValues(frame, units, orgs)

    if bad_la:
        choices.not_recognised("authority", monthly.md_escape(la_name))
    if bad_quarter:
        choices.not_recognised("quarter", quarter.label, choose_again=True)
    columns = data.table_columns(MART)
    lacking = [c for c in MART_COLUMNS if c not in columns]
    register = data.complaints_as_at(la_code) if not lacking else {}
    by_stage = complaints.outcomes(data.complaint_outcomes(la_code, quarter.start, quarter.end)) if not lacking else {}
    _about(la_code, la_name, quarter, ids, register)
    _headlines(catalogue, values, quarter, la_name)
    _stages(catalogue, values, quarter, la_code)
    _nature(catalogue, values, quarter, la_code)
    _outcomes(by_stage, la_code, quarter, lacking, columns)
    _learning(catalogue, values, quarter, la_code, orgs, lacking, columns, register)
    _by_team(catalogue, values, quarter, la_code)


def _table(df: pl.DataFrame, *, key: str, file_name: str, escape: Sequence[str] = (), empty: str = "") -> None:
    """A table exactly as its CSV download holds it (both already suppressed). Text from the data (team names,
    action text) is escaped for the screen (`st.table` renders Markdown); the download holds it as it is, made
    safe for spreadsheets by `app.downloads`."""
    layout.escaped_table(
        df, key=f"{KEY}_{key}", file_name=file_name, escape=escape, empty=empty or "_No figures for this quarter._"
    )


def _about(la_code: str, la_name: str, quarter: Quarter, ids: list[str], register: dict) -> None:
    info = layout.build_info_or_none() or {}
    as_at = data.data_as_at(la_code, ids)
    register_text = (
        f"; the register loaded is as at {formatting.long_date(register['as_at_date'])}"
        if register.get("as_at_date")
        else ""
    )
    st.caption(
        f"**About this data:** {monthly.md_escape(la_name)}, {quarter.label} ({formatting.long_date(quarter.start)} "
        f"to {formatting.long_date(quarter.end)}); figures up to {formatting.long_date(as_at)}{register_text}; "
        f"warehouse built {formatting.date_time(info.get('built_at'))}. To protect the privacy of children and "
        f"families, counts under 5 are shown as “{disclosure.FEWER_THAN_5}”, and percentages built on them as "
        f"“{disclosure.SUPPRESSED}”; a second figure is hidden where it would let a small number be worked out "
        "(teams add up to their service and the authority; natures add up to their total); a stage whose outcomes "
        "include a small number shows none of its outcomes, so the shares above cannot give one away; and a "
        "hidden figure's change and status against target are hidden with it."
    )


def _tile(catalogue: Catalogue, values: monthly.MonthlyValues, quarter: Quarter, indicator_id: str, label: str):
    ind = catalogue.get(indicator_id)
    if ind is None:
        st.metric(label, formatting.NOT_AVAILABLE, border=True)
        st.caption("Not in the indicator catalogue of this build.")
        return
    t = complaints.tile(ind, values, quarter, label)
    st.metric(
        t.label,
        t.value,
        delta=t.delta,
        delta_color=t.delta_color if t.delta is not None else "off",
        delta_description=f"since {quarter.previous_label}" if t.delta is not None else None,
        help=ind.definition,
        border=True,
    )
    if t.change_withheld:
        st.caption(f"Change since {quarter.previous_label} {disclosure.NOT_SHOWN}.")
    if t.rag_hidden:
        st.markdown(f"{t.target} · against target: {disclosure.NOT_SHOWN}")
    elif t.target:
        st.markdown(f"{t.target} {layout.rag_badge(t.rag)}".strip())
    layout.definition_popover(ind, key=f"{KEY}_def_{indicator_id}")


def _headlines(catalogue: Catalogue, values: monthly.MonthlyValues, quarter: Quarter, la_name: str) -> None:
    st.header(f"{monthly.md_escape(la_name)} in {quarter.label}", divider="gray")
    st.markdown(
        f"Quarter from {formatting.long_date(quarter.start)} to {formatting.long_date(quarter.end)}. Complaints "
        "received are stage 1 complaints started in the quarter; responses within timescale, upheld and taken on "
        f"to stage 2 are of the stage 1 responses sent in the quarter. Changes are since {quarter.previous_label}."
    )
    cols = st.columns(len(HEADLINES))
    for col, (indicator_id, label) in zip(cols, HEADLINES, strict=True):
        with col:
            _tile(catalogue, values, quarter, indicator_id, label)


def _stages(catalogue: Catalogue, values: monthly.MonthlyValues, quarter: Quarter, la_code: str) -> None:
    st.header("Stages and timeliness", divider="gray")
    table = complaints.stage_table(catalogue, values, quarter)
    if table.is_empty():
        st.markdown("_The catalogue has no complaint stage measures._")
        return
    st.markdown(
        "Complaints received at each stage of the procedure (stages started in the quarter) and the share of the "
        "stage's responses sent within its timescale (stage 1: 10 working days, or 20 if extended; stage 2: 25, "
        f"or up to 65; stage 3: a panel within 30), against {quarter.previous_label} and {quarter.year_ago_label}."
    )
    frame = complaints.timeliness_frame(values, quarter)
    if not frame.is_empty():
        st.altair_chart(
            charts.grouped_period_bars(frame, x_title="% of responses within timescale", label_title="Stage"),
            width="stretch",
            key=f"{KEY}_chart_timeliness",
            alt="Bar chart of the share of responses within timescale at each stage, for this quarter, the "
            "quarter before and the same quarter a year before. The figures are in the table below.",
        )
        if frame["value"].is_null().any():
            st.caption("Bars are not drawn for figures hidden to protect small numbers.")
    _table(table, key="stages", file_name=downloads.file_name("complaints_stages", la_code, quarter.label))
    layout.definition_popovers(
        [catalogue.get(i) for n in complaints.STAGES for i in (complaints.RECEIVED[n], complaints.WITHIN_TIMESCALE[n])],
        key=f"{KEY}_def_stages",
    )


def _nature(catalogue: Catalogue, values: monthly.MonthlyValues, quarter: Quarter, la_code: str) -> None:
    st.header("What complaints are about", divider="gray")
    breakdown = complaints.natures(catalogue, values, quarter.start)
    if breakdown is None:
        st.markdown(f"_There are no figures on the nature of complaints for {quarter.label}._")
        return
    st.markdown(f"Stage 1 complaints received in {quarter.label}, by what they are mainly about.")
    frame = complaints.nature_frame(breakdown)
    st.altair_chart(
        charts.category_bars(
            frame, x_title="Stage 1 complaints received", label_title="Nature", value_title="Complaints"
        ),
        width="stretch",
        key=f"{KEY}_chart_nature",
        alt=f"Bar chart of stage 1 complaints received in {quarter.label} by nature. The figures are in the table "
        "below.",
    )
    if frame["value"].is_null().any():
        st.caption("Bars are not drawn for figures hidden to protect small numbers.")
    _table(
        complaints.nature_table(breakdown, quarter),
        key="nature",
        file_name=downloads.file_name("complaints_nature", la_code, quarter.label),
        escape=["Nature of complaint"],
    )
    items = complaints.nature_items(catalogue)
    if items:
        with st.popover("About these measures", icon=":material/info:", key=f"{KEY}_def_nature"):
            st.markdown("**Nature of complaints**")
            for ind, label in items:
                st.markdown(f"**{monthly.md_escape(label)}:** {ind.definition or 'No definition recorded.'}")
            if items[0][0].definition_source:
                st.markdown(f"**Source of the definitions:** {items[0][0].definition_source}")


def _outcomes(by_stage: dict, la_code: str, quarter: Quarter, lacking: list[str], columns: list[str]) -> None:
    st.header("How complaints ended", divider="gray")
    if lacking:
        layout.lacking_note("Outcomes of complaints", "complaints table", lacking, columns)
        return
    if not by_stage:
        st.markdown(f"_No responses were sent in {quarter.label}._")
        return
    st.markdown(
        f"Responses sent in {quarter.label} at each stage, by outcome (from the register: a complaint answered at "
        "two stages in the quarter is counted at both)."
    )
    st.altair_chart(
        charts.ranked_stacked_bars(
            complaints.outcome_frame(by_stage),
            x_title="Responses",
            category_order=[
                *complaints.OUTCOME_LABELS.values(),
                complaints.NOT_RECORDED_LABEL,
            ],
            label_title="Stage",
            category_title="Outcome",
            total_title="All responses at this stage",
        ),
        width="stretch",
        key=f"{KEY}_chart_outcomes",
        alt=f"Stacked bar chart of responses in {quarter.label} by outcome at each stage. The figures are in the "
        "table below; hidden figures are not drawn.",
    )
    _table(
        complaints.outcome_table(by_stage),
        key="outcomes",
        file_name=downloads.file_name("complaints_outcomes", la_code, quarter.label),
    )


def _learning(
    catalogue: Catalogue,
    values: monthly.MonthlyValues,
    quarter: Quarter,
    la_code: str,
    orgs: monthly.OrgUnits,
    lacking: list[str],
    columns: list[str],
    register: dict,
) -> None:
    st.header("The learning loop", divider="gray")
    st.markdown(
        "What the service has agreed to change because of complaints that were upheld or partly upheld, and "
        f"whether it has. The counts are at the end of {quarter.label}."
    )
    cols = st.columns(len(LEARNING_TILES) + 2)
    for col, (indicator_id, label) in zip(cols, LEARNING_TILES, strict=False):
        with col:
            _tile(catalogue, values, quarter, indicator_id, label)
    if lacking:
        layout.lacking_note("Learning actions", "complaints table", lacking, columns)
        return
    as_at = register.get("as_at_date")
    if hasattr(as_at, "date"):
        as_at = as_at.date()
    actions = data.learning_actions(la_code)
    st.subheader("Learning actions")
    if actions.is_empty():
        st.markdown("_The register holds no learning actions._")
        return
    st.markdown(
        f"Every learning action in the register as it stood on {formatting.long_date(as_at)} (the latest register "
        "loaded), whatever quarter is chosen above. An action is overdue when it is still open after its due date. "
        "Actions only: no complainant, child or complaint reference is shown."
    )
    choice = st.radio(
        "Show",
        list(complaints.FILTERS),
        key=f"{KEY}_learning_filter",
        horizontal=True,
        index=list(complaints.FILTERS).index(complaints.DEFAULT_FILTER),
    )
    _table(
        complaints.learning_table(actions, orgs, choice, as_at),
        key="learning",
        file_name=downloads.file_name("complaints_learning_actions", la_code, complaints.FILTER_SLUGS.get(choice, "")),
        escape=["Team", "Service", "Learning action"],
        empty="_No learning actions with this status._",
    )


def _by_team(catalogue: Catalogue, values: monthly.MonthlyValues, quarter: Quarter, la_code: str) -> None:
    st.header(f"Teams in {quarter.label}", divider="gray")
    present = [catalogue.get(i) for i in complaints.TEAM_TABLE_IDS if i in catalogue]
    if not values.team_ids([quarter.start]):
        st.markdown(f"_There are no team figures for {quarter.label}._")
        return
    st.markdown(
        "Each team's complaints, responses, learning actions and compliments in the quarter, with the whole "
        "authority and each service. Team figures add up to their service and the authority, so a second "
        "figure is hidden wherever a small one could be worked out by subtraction."
    )
    _table(
        complaints.team_table(present, values, quarter.start),  # type: ignore[arg-type]
        key="teams",
        file_name=downloads.file_name("complaints_teams", la_code, quarter.label),
        escape=["Service", "Team"],
    )
    layout.definition_popovers(
        [i for i in present if i.indicator_id not in {h for h, _ in HEADLINES}],  # type: ignore[union-attr]
        key=f"{KEY}_def_teams",
    )


# Every page checks access itself: a page left out of the menu can still be asked for by its address.
auth.require_page("complaints")
render()
