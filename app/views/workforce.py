"""Workforce: social workers in post, vacancies, agency use, turnover, sickness and caseloads, month by month.

For the authority, each service and each team, from the monthly HR extract with published comparators from the
Children's Social Work Workforce census (docs/contracts.md, "Workforce and complaints"). The measures are the
`wf_*` indicators; the caseload section counts case-holding workers per team from `workforce_worker_months`.

The authority, month and team live in the web address (`?la=845&month=2024-12&team=845-T01`), so a link opens
the same view; a value there that does not match the warehouse falls back politely with a note.

Workforce figures are about staff, not children, so they are shown in full (no small-number suppression), but
no worker is ever named or identified: the page never reads a worker's pseudonym, only counts per team.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import streamlit as st

from app import auth, charts, choices, data, downloads, formatting, layout, monthly, workforce
from app.indicators import Catalogue, Indicator

KEY = "workforce"
TREND_CHOICES = (12, 24)
WORKER_MONTHS_TABLE = "workforce_worker_months"
WORKER_MONTHS_COLUMNS = (
    "la_code",
    "month_start",
    "team_id",
    "service_id",
    "is_social_worker",
    "fte",
    "cases_held",
    "is_case_holder",
)
TILE_ROWS = (
    (workforce.FTE_IN_POST, workforce.VACANCY, workforce.AGENCY, workforce.TURNOVER),
    (workforce.STARTERS, workforce.LEAVERS, workforce.DAYS_LOST, workforce.CASELOAD),
)


def render() -> None:
    st.title("Workforce")
    st.caption(
        "Children's social workers month by month, for the whole authority and for each service and team: "
        "how many are in post, vacancies and agency cover, starters, leavers and turnover, sickness and "
        "caseloads, against targets and the national workforce census."
    )
    try:
        _render()
    except data.WarehouseUnavailable as exc:
        layout.warehouse_unavailable(exc)


# --- the page ----------------------------------------------------------------------------------------------


def _no_data(where: str = "") -> None:
    st.info(
        f"**No workforce data has been loaded{where} yet.** This page reads the monthly HR extract "
        "(`hr/<la_code>/<yyyy-mm>/hr_workers.csv` and `hr_vacancies.csv`) and the Children's Social Work "
        "Workforce census (`csww/<la_code>/<yyyy>/`). Load them with `csqa ingest`, run `csqa build`, then reload "
        "this page.",
        icon=":material/badge:",
    )


def _render() -> None:
    catalogue = Catalogue(data.catalogue(workforce.INDICATOR_IDS))
    ids = catalogue.ids or list(workforce.INDICATOR_IDS)
    authorities = data.period_authorities(ids, "month")
    if authorities.is_empty() or not catalogue.ids:
        _no_data()
        return

    left, right = choices.columns(authorities.height > 1)
    with left:
        la_code, la_name, bad_la = choices.choose_authority(KEY, authorities)
    months = monthly.months_from_frame(data.months(la_code, ids))
    if not months:
        _no_data(f" for {monthly.md_escape(la_name)}")
        return
    with right:
        month, bad_month = choices.choose_month(
            KEY, months, monthly.match_month, "Months with workforce figures, newest first."
        )

    first = formatting.shift_months(month.start, -(max(TREND_CHOICES) - 1))
    frame = data.period_values(la_code, ids, "month", first, month.start)
    orgs = monthly.OrgUnits(
        data.org_units(la_code),
        la_code,
        la_name,
        frame.filter(pl.col("org_level") == "team")["org_id"].unique().to_list(),
    )
    present = [catalogue.get(i) for i in workforce.INDICATOR_IDS if i in catalogue]
    values = monthly.MonthlyValues(frame, {i.indicator_id: i.unit for i in present}, orgs)
    starts = [m.start for m in sorted(months, key=lambda m: m.start) if first <= m.start <= month.start]

    if bad_la:
        choices.not_recognised("authority", monthly.md_escape(la_name))
    if bad_month:
        choices.not_recognised("month", month.label, choose_again=True)
    _about(la_code, la_name, month, ids)
    _headlines(catalogue, values, month, la_name)
    _teams(present, values, month, la_code)
    team_id = _trends(present, values, month, starts, orgs, la_code)
    choices.keep_in_url({"la": la_code, "month": month.label, "team": team_id})
    _pressure(values, month, la_code)
    _caseloads(catalogue, values, month, la_code)
    _census(la_code)


def _census(la_code: str) -> None:
    """The statutory census return (QA task 4.8's annual view), beside DfE's published figures."""
    if not data.table_columns("csww_census_indicators"):
        return
    census = data.csww_census(la_code)
    st.header("The workforce census (30 September)", divider="gray")
    if census.is_empty():
        st.markdown("_No Children's Social Work Workforce census return has been loaded for this authority._")
        return
    st.markdown(
        "The authority's Children's Social Work Workforce census returns, counted with DfE's definitions: "
        "employees in post on 30 September, agency workers in post, leavers in the year to that date. Beside "
        "each figure, what DfE published for this authority for the same census (where they differ, the return "
        "loaded here is not the one DfE counted) and England's figure."
    )
    _table(
        workforce.census_table(census),
        key="census",
        file_name=downloads.file_name("workforce_census", la_code, "all"),
    )


def _table(df: pl.DataFrame, *, key: str, file_name: str, escape: Sequence[str] = (), empty: str = "") -> None:
    """A table exactly as its CSV download holds it. Text from the data (team names) is escaped for the screen
    (`st.table` renders Markdown); the download holds it as it is, made safe for spreadsheets."""
    layout.escaped_table(
        df, key=f"{KEY}_{key}", file_name=file_name, escape=escape, empty=empty or "_No figures for this month._"
    )


def _about(la_code: str, la_name: str, month: monthly.Month, ids: list[str]) -> None:
    info = layout.build_info_or_none() or {}
    as_at = data.data_as_at(la_code, ids)
    try:
        loaded = data.latest_load(la_code, workforce.DATASETS)
    except data.WarehouseUnavailable:
        loaded = {}
    files = (
        f"; workforce files cover up to {formatting.long_date(loaded['period_end'])}"
        if loaded.get("period_end")
        else ""
    )
    st.caption(
        f"**About this data:** {monthly.md_escape(la_name)}, {month.label} ({formatting.long_date(month.start)} to "
        f"{formatting.long_date(month.end)}); figures up to {formatting.long_date(as_at)}{files}; warehouse built "
        f"{formatting.date_time(info.get('built_at'))}. Workforce figures are about staff, not children, so they "
        "are shown in full; no worker is named or identified, and caseloads are only ever counted per team. "
        "Social workers are every qualified role (not family support or business support staff); employees are "
        "permanent and fixed-term staff, agency workers are counted separately."
    )


def _headlines(catalogue: Catalogue, values: monthly.MonthlyValues, month: monthly.Month, la_name: str) -> None:
    st.header(f"{monthly.md_escape(la_name)} in {month.label}", divider="gray")
    st.markdown(
        f"The whole authority in {month.label}. Changes are since {month.previous_label}; arrows and colours "
        "take account of whether a higher or lower figure is better. Turnover and sickness cover the 12 months to "
        f"the end of {month.label}. Comparators are the latest national workforce census (30 September) on or "
        "before the month's end."
    )
    key = ("la", values.orgs.la_code)
    for row_ids in TILE_ROWS:
        cols = st.columns(len(row_ids))
        for col, indicator_id in zip(cols, row_ids, strict=True):
            with col:
                _tile(catalogue.get(indicator_id), values.row(indicator_id, key, month.start), indicator_id, month)


def _tile(ind: Indicator | None, row: dict | None, indicator_id: str, month: monthly.Month) -> None:
    label = workforce.TILE_LABELS[indicator_id]
    if ind is None:
        st.metric(label, formatting.NOT_AVAILABLE, border=True)
        st.caption("Not in the indicator catalogue of this build.")
        return
    t = workforce.tile(ind, row, label, month.end, month.previous_label, month.year_ago_label)
    st.metric(
        t.label,
        t.value,
        delta=t.delta,
        delta_color=t.delta_color if t.delta is not None else "off",
        delta_description=f"since {month.previous_label}" if t.delta is not None else None,
        help=ind.definition,
        border=True,
    )
    if t.target:
        st.markdown(f"{t.target} {layout.rag_badge(t.rag)}".strip())
    if t.year_ago:
        st.caption(t.year_ago)
    if t.comparators:
        st.caption(t.comparators)
    layout.definition_popover(ind, key=f"{KEY}_def_{indicator_id}")


def _teams(present: list[Indicator], values: monthly.MonthlyValues, month: monthly.Month, la_code: str) -> None:
    st.header(f"Teams and services in {month.label}", divider="gray")
    table = workforce.team_table(present, values, month.start)
    if table.height <= 1 and not values.team_ids([month.start]):
        st.markdown(f"_There are no team figures for {month.label}._")
        return
    st.markdown(
        "Each measure for the whole authority, each service and each team. 🟢 on target · 🟠 close to target · "
        "🔴 off target; measures without a target have no colour. The definitions are under each headline above."
    )
    _table(
        table,
        key="teams",
        file_name=downloads.file_name("workforce_teams", la_code, month.label),
        escape=["Service", "Team"],
    )


def _trends(
    present: list[Indicator],
    values: monthly.MonthlyValues,
    month: monthly.Month,
    starts: list,
    orgs: monthly.OrgUnits,
    la_code: str,
) -> str | None:
    st.header("Trends by team", divider="gray")
    with_rows = [i for i in present if any(values.row(i.indicator_id, k, s) for s in starts for k in _keys(values))]
    team_ids = values.team_ids(starts)
    left, middle, right = st.columns([2, 2, 1])
    with middle:
        team_id, bad_team = choices.choose_team(
            KEY,
            orgs,
            team_ids,
            placeholder="All teams",
            help="Leave empty to compare every team; choose one to see it against the whole authority.",
        )
    if bad_team:
        st.info("The team in the web address was not recognised, so every team is shown. Choose one above.")
    if not with_rows:
        st.markdown("_There are no figures to draw yet._")
        return team_id
    with left:
        measure_key = f"{KEY}_trend_measure"
        if st.session_state.get(measure_key) not in [i.indicator_id for i in with_rows]:
            st.session_state[measure_key] = with_rows[0].indicator_id
        chosen = st.selectbox(
            "Measure",
            [i.indicator_id for i in with_rows],
            key=measure_key,
            format_func=lambda i: workforce.TILE_LABELS.get(i, i),
        )
    with right:
        n_months = st.radio(
            "Period",
            TREND_CHOICES,
            index=len(TREND_CHOICES) - 1,
            key=f"{KEY}_trend_months",
            format_func=lambda n: f"Last {n} months",
        )
    ind = next(i for i in with_rows if i.indicator_id == chosen)
    window = starts[-int(n_months) :]
    frame = workforce.trend_frame(ind, values, window, team_id)
    who = monthly.md_escape(orgs.team(team_id).name) if team_id else "each team"
    st.markdown(
        f"**{monthly.md_escape(ind.name)}**, {monthly.month_label(window[0])} to {month.label}, for {who}"
        + (" and the whole authority" if ind.unit in workforce.RATIO_LIKE else "")
        + (", against the target (dashed)." if "Target" in frame["series"].to_list() else ".")
    )
    if frame.filter(pl.col("series") != "Target").is_empty():
        st.markdown("_No figures for this measure in the period._")
        return team_id
    st.altair_chart(
        charts.monthly_lines(frame, y_title=_axis_title(ind)),
        width="stretch",
        key=f"{KEY}_chart_trend",
        alt=f"Line chart of {ind.name} by month for {who}. The figures are in the table below the chart.",
    )
    with st.expander("The figures behind this chart", icon=":material/table:"):
        _table(
            workforce.trend_table(frame),
            key="trend",
            file_name=downloads.file_name(
                "workforce_trend", la_code, ind.indicator_id, team_id or "all_teams", month.label
            ),
            escape=["Month"],
        )
    layout.definition_popover(ind, key=f"{KEY}_def_trend", label=f"About: {ind.short_name}")
    return team_id


def _keys(values: monthly.MonthlyValues) -> list[tuple[str, str]]:
    return [("la", values.orgs.la_code), *(("team", t) for t in values.team_ids())]


def _axis_title(ind: Indicator) -> str:
    return {"percent": f"{ind.short_name} (%)", "fte": f"{ind.short_name} (FTE)"}.get(ind.unit, ind.short_name)


def _pressure(values: monthly.MonthlyValues, month: monthly.Month, la_code: str) -> None:
    st.header("Vacancy and agency pressure", divider="gray")
    rows = workforce.pressure_rows(values, month.start)
    if not rows:
        st.markdown(f"_There are no team vacancy or agency figures for {month.label}._")
        return
    st.markdown(
        f"Teams in {month.label}, ranked by their vacancy rate plus their agency rate: the posts without a "
        "permanent or fixed-term social worker in them, and the work covered by agency staff. The two rates have "
        "different denominators (vacancies out of all posts; agency workers out of all workers in post), so the "
        "bar is a ranking of pressure, not a share of anything."
    )
    st.altair_chart(
        charts.ranked_stacked_bars(
            workforce.pressure_frame(rows),
            x_title="Vacancy rate plus agency rate (percentage points)",
            category_order=[name for _, name in workforce.PRESSURE_PARTS],
            label_title="Team",
            category_title="Measure",
            total_title="Vacancy plus agency",
        ),
        width="stretch",
        key=f"{KEY}_chart_pressure",
        alt=f"Stacked bar chart of each team's vacancy rate and agency rate in {month.label}, highest first. "
        "The figures are in the table below the chart.",
    )
    _table(
        workforce.pressure_table(rows),
        key="pressure",
        file_name=downloads.file_name("workforce_pressure", la_code, month.label),
        escape=["Team", "Service"],
    )


def _caseloads(catalogue: Catalogue, values: monthly.MonthlyValues, month: monthly.Month, la_code: str) -> None:
    st.header("Caseloads against a ceiling", divider="gray")
    default = workforce.default_ceiling()
    ceiling = st.number_input(
        "Caseload ceiling (cases per FTE)",
        min_value=1.0,
        max_value=workforce.MAX_CEILING,
        value=default,
        step=1.0,
        format="%.1f",
        key=f"{KEY}_ceiling",
        help="Try another ceiling: the table and chart count the workers above it.",
    )
    st.caption(
        f"The ceiling starts at {formatting.ratio(default)} cases per FTE. Whoever runs the server can change "
        f"that default with the environment variable `{workforce.CEILING_ENV_VAR}` (else it is "
        "`DEFAULT_CASELOAD_CEILING` in `app/workforce.py`)."
    )
    columns = data.table_columns(WORKER_MONTHS_TABLE)
    lacking = [c for c in WORKER_MONTHS_COLUMNS if c not in columns]
    if lacking:
        layout.lacking_note("Caseloads by worker", "workforce table", lacking, columns)
        return
    counts = data.caseloads(la_code, month.start, ceiling)
    if counts.is_empty():
        st.markdown(f"_There are no caseload records for {month.label}._")
        return
    lines = workforce.caseload_lines(counts, values, month.start)
    st.markdown(
        f"Each team's average caseload in {month.label} (children's cases held at the month end per FTE of its "
        f"case-holding social workers, agency workers included) against a ceiling of {formatting.ratio(ceiling)}, "
        "and how many of its case-holding social workers hold more than the ceiling. A part-time worker's ceiling "
        "is in proportion to their hours: half time, half the cases. Only counts are shown."
    )
    frame = workforce.caseload_frame(lines, ceiling)
    if not frame.is_empty():
        st.altair_chart(
            charts.bars_against_ceiling(frame, ceiling=ceiling, x_title="Average cases per FTE"),
            width="stretch",
            key=f"{KEY}_chart_caseloads",
            alt=f"Bar chart of each team's average caseload in {month.label} against the ceiling of "
            f"{formatting.ratio(ceiling)}. The figures are in the table below the chart.",
        )
    _table(
        workforce.caseload_table(lines, ceiling),
        key="caseloads",
        file_name=downloads.file_name("workforce_caseloads", la_code, month.label),
        escape=["Service", "Team"],
    )
    layout.definition_popover(catalogue.get(workforce.CASELOAD), key=f"{KEY}_def_caseload_section")


# Every page checks access itself: a page left out of the menu can still be asked for by its address.
auth.require_page("workforce")
render()
