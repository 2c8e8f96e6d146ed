"""Audits and learning: case-file audits quarter by quarter (QA framework task 3.12 reports them quarterly to
CSCMT), with the months inside the quarter.

Audits completed against those the framework requires (practice managers, operations managers and peer audits),
the grades audits gave and the themes they found, completion by team against target, whether significant
concerns were followed up (two further files of the same worker and the file itself re-reviewed within three
months) and the actions audits set, open and overdue (docs/contracts.md, "The QA framework, activity log and
case-file audits": the `audits_*` and `audit_actions_*` indicators and the `case_file_audits` mart).

Completion, follow-up and actions are about staff practice, so they are shown in full, like workforce figures.
Grades and themes describe what audits found in children's files and the page is read by the Lead Member, so
they go through `app.disclosure` (via `app.audits`). No worker or child is ever identified: the page never reads
`worker_id` or `child_id`, and its lists give an audit's own reference and team only.

The authority and quarter live in the web address (`?la=845&quarter=2024-25+Q3`), so a link opens the same view;
a value there that does not match the warehouse falls back politely with a note.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import streamlit as st

from app import audits, auth, charts, choices, complaints, data, disclosure, downloads, formatting, layout, monthly
from app.indicators import Catalogue, Indicator, Quarter, quarters_from_frame

KEY = "audits"
MART = "case_file_audits"
MART_COLUMNS = (
    "la_code",
    "audit_reference",
    "task_number",
    "audit_type",
    "audit_date",
    "team_id",
    "service_id",
    "significant_concerns",
    "follow_ups",
    "re_reviewed",
    "follow_up_compliant",
)
HEADLINES = (
    (audits.COMPLETED, "Audits completed"),
    (audits.COMPLETION, "Completion"),
    (audits.GOOD_OR_BETTER, "Good or better"),
    (audits.FOLLOW_UP, "Follow-up compliance"),
    (audits.ACTIONS_OVERDUE, "Actions overdue"),
)
ESCAPE = ("Service", "Team", "Audit reference", "Action", "Theme")


def render() -> None:
    st.title("Audits and learning")
    st.caption(
        "Case-file audits by practice managers, operations managers and peers: how many were done against what the "
        "QA framework requires, what they found, whether concerns were followed up, and whether the actions they "
        "set are being done. Reported each quarter to the management team, heads of service and the Lead Member."
    )
    try:
        _render()
    except data.WarehouseUnavailable as exc:
        layout.warehouse_unavailable(exc)


# --- the page ----------------------------------------------------------------------------------------------


def _no_data(where: str = "") -> None:
    st.info(
        f"**No case-file audits have been loaded{where} yet.** This page reads the audits file and the actions "
        "file (`audits/<la_code>/<yyyy-mm>/case_file_audits.csv` and `audit_actions.csv`, templates in "
        "`data/templates/`). Load them with `csqa ingest`, run `csqa build`, then reload this page.",
        icon=":material/rule:",
    )


def _render() -> None:
    catalogue = Catalogue(data.catalogue(audits.INDICATOR_IDS, [audits.GRADE_GROUP, audits.THEME_GROUP]))
    ids = catalogue.ids or list(audits.INDICATOR_IDS)
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
            KEY, quarters, complaints.match_quarter, "Financial-year quarters with audit figures, newest first."
        )
    choices.keep_in_url({"la": la_code, "quarter": quarter.label})

    index = next(n for n, q in enumerate(quarters) if q.label == quarter.label)
    window = [(q.label, q.start) for q in reversed(quarters[index : index + audits.THEME_QUARTERS])]
    first = min(window[0][1], quarter.previous_start)
    frame = data.period_values(la_code, ids, "quarter", first, quarter.start)
    month_starts = audits.months_in(quarter.start, quarter.end)
    month_frame = data.period_values(la_code, list(audits.MONTH_IDS), "month", month_starts[0], month_starts[-1])
    orgs = monthly.OrgUnits(
        data.org_units(la_code),
        la_code,
        la_name,
        pl.concat([frame, month_frame], how="diagonal_relaxed")
        .filter(pl.col("org_level") == "team")["org_id"]
        .unique()
        .to_list(),
    )
    units = audits.in_full_units(catalogue, ids)
    values = monthly.MonthlyValues(frame, units, orgs, in_full=audits.IN_FULL)
    month_values = monthly.MonthlyValues(month_frame, units, orgs, in_full=audits.IN_FULL)
    mix = audits.GradeMix(values, quarter.start)

    if bad_la:
        choices.not_recognised("authority", monthly.md_escape(la_name))
    if bad_quarter:
        choices.not_recognised("quarter", quarter.label, choose_again=True)
    columns = data.table_columns(MART)
    lacking = [c for c in MART_COLUMNS if c not in columns]
    as_at, loaded_at = _audits_as_at(la_code, lacking)
    _about(la_code, la_name, quarter, ids, as_at, loaded_at)
    _headlines(catalogue, values, mix, quarter, la_name)
    _months(catalogue, month_values, month_starts, quarter, la_code)
    _completion(catalogue, values, quarter, la_code)
    _grades(catalogue, mix, quarter, la_code)
    _themes(catalogue, values, quarter, window, la_code)
    _follow_up(catalogue, orgs, quarter, la_code, lacking, columns, as_at)
    _actions(catalogue, values, orgs, quarter, la_code, lacking, columns, as_at)


def _audits_as_at(la_code: str, lacking: list[str]):
    """The audits file's as-at date (meta.loads), else the latest audit date; and when it was loaded."""
    try:
        loaded = data.latest_load(la_code, [audits.DATASET])
    except data.WarehouseUnavailable:
        loaded = {}
    as_at = loaded.get("period_end")
    if as_at is None and not lacking:
        as_at = data.audits_as_at(la_code).get("last_audit")
    if hasattr(as_at, "date"):
        as_at = as_at.date()
    return as_at, loaded.get("loaded_at")


def _table(df: pl.DataFrame, *, key: str, file_name: str, empty: str = "") -> None:
    """A table exactly as its CSV download holds it. Text from the data (team names, references, action text) is
    escaped for the screen (`st.table` renders Markdown); the download holds it as it is, made safe for
    spreadsheets by `app.downloads`."""
    layout.escaped_table(
        df, key=f"{KEY}_{key}", file_name=file_name, escape=ESCAPE, empty=empty or "_No figures for this quarter._"
    )


def _about(la_code: str, la_name: str, quarter: Quarter, ids: list[str], as_at, loaded_at) -> None:
    info = layout.build_info_or_none() or {}
    figures_to = data.data_as_at(la_code, ids)
    file_text = (
        f"; the audits file loaded is as at {formatting.long_date(as_at)}"
        + (f" (loaded {formatting.date_time(loaded_at)})" if loaded_at else "")
        if as_at
        else ""
    )
    st.caption(
        f"**About this data:** {monthly.md_escape(la_name)}, {quarter.label} ({formatting.long_date(quarter.start)} "
        f"to {formatting.long_date(quarter.end)}); figures up to {formatting.long_date(figures_to)}{file_text}; "
        f"warehouse built {formatting.date_time(info.get('built_at'))}. Audits completed and required, follow-up "
        "of concerns and actions are about staff practice, not children, so they are shown in full, like workforce "
        "figures; no worker or child is ever identified (lists give an audit's own reference and team only). "
        "Grades and themes describe what audits found in children's files: to protect their privacy, counts under 5 "
        f"are shown as “{disclosure.FEWER_THAN_5}” and percentages built on them as “{disclosure.SUPPRESSED}”, and "
        "a second figure is hidden where it would let a small one be worked out (grades add up to the audits "
        "graded, teams to their service and the authority)."
    )


def _tile(ind: Indicator | None, t: audits.Tile | None, label: str, previous_label: str, key: str) -> None:
    if ind is None or t is None:
        st.metric(label, formatting.NOT_AVAILABLE, border=True)
        st.caption("Not in the indicator catalogue of this build.")
        return
    st.metric(
        t.label,
        t.value,
        delta=t.delta,
        delta_color=t.delta_color if t.delta is not None else "off",
        delta_description=f"since {previous_label}" if t.delta is not None else None,
        help=ind.definition,
        border=True,
    )
    if t.note:
        st.caption(t.note)
    if t.change_withheld:
        st.caption(f"Change since {previous_label} {disclosure.NOT_SHOWN}.")
    if t.rag_hidden:
        st.markdown(f"{t.target} · against target: {disclosure.NOT_SHOWN}")
    elif t.target:
        st.markdown(f"{t.target} {layout.rag_badge(t.rag)}".strip())
    layout.definition_popover(ind, key=f"{KEY}_def_{key}")


def _headlines(
    catalogue: Catalogue, values: monthly.MonthlyValues, mix: audits.GradeMix, quarter: Quarter, la_name: str
) -> None:
    st.header(f"{monthly.md_escape(la_name)} in {quarter.label}", divider="gray")
    st.markdown(
        f"Quarter from {formatting.long_date(quarter.start)} to {formatting.long_date(quarter.end)}. Completion counts "
        "the audits the framework requires (practice managers: one a month per social worker; operations managers: "
        "one a month per team; peer audits: one a quarter per team). Follow-up is of the significant-concern audits "
        "whose three months have passed; actions are as at the quarter's end. Changes are since "
        f"{quarter.previous_label}."
    )
    key = audits.la_key(values)
    before = audits.GradeMix(values, quarter.previous_start)
    required = values.row(audits.REQUIRED, key, quarter.start)
    cols = st.columns(len(HEADLINES))
    for col, (indicator_id, label) in zip(cols, HEADLINES, strict=True):
        ind = catalogue.get(indicator_id)
        t = None
        if ind is not None:
            note = ""
            if indicator_id == audits.COMPLETED and required is not None:
                # completed counts audits of every kind; required only the kinds the framework sets a number of
                note = (
                    f"audits of every kind; the framework required {formatting.count(required.get('value'))} "
                    "(see Completion)"
                )
            row = values.row(indicator_id, key, quarter.start)
            if indicator_id == audits.FOLLOW_UP and (row is None or row.get("value") is None):
                note = (
                    f"No significant concern of {quarter.label} had reached its three months by the audits file's date."
                )
            hidden = (
                (mix.good_or_better_hidden(key), before.good_or_better_hidden(key))
                if indicator_id == audits.GOOD_OR_BETTER
                else (False, False)
            )
            t = audits.tile(
                ind,
                values,
                quarter.start,
                quarter.previous_start,
                label,
                hidden_now=hidden[0],
                hidden_before=hidden[1],
                note=note,
            )
        with col:
            _tile(ind, t, label, quarter.previous_label, indicator_id)


def _months(catalogue: Catalogue, values: monthly.MonthlyValues, starts: list, quarter: Quarter, la_code: str) -> None:
    st.header(f"Month by month in {quarter.label}", divider="gray")
    table = audits.months_table(values, starts)
    st.markdown(
        "The whole authority in each month of the quarter: audits completed against those required, follow-up of "
        "the month's significant concerns, and actions at each month's end. Shown in full: these are about staff "
        "practice."
    )
    _table(
        table,
        key="months",
        file_name=downloads.file_name("audits_months", la_code, quarter.label),
        empty=f"_There are no monthly audit figures for {quarter.label}._",
    )


def _completion(catalogue: Catalogue, values: monthly.MonthlyValues, quarter: Quarter, la_code: str) -> None:
    st.header("Completion by team", divider="gray")
    ind = catalogue.get(audits.COMPLETION)
    table = audits.completion_table(values, quarter.start, ind)
    if table.is_empty():
        st.markdown(f"_There are no completion figures for {quarter.label}._")
        return
    target = ind.target if ind is not None and ind.has_target else None
    st.markdown(
        f"Audits completed in {quarter.label} against those required, for each team, each service and the whole "
        "authority, against the target"
        + (f" of {formatting.percent(target)}" if target is not None else "")
        + ". 🟢 on target · 🟠 close to target · 🔴 off target."
    )
    frame = audits.completion_frame(values, quarter.start)
    if not frame.is_empty() and frame["value"].is_not_null().any():
        st.altair_chart(
            charts.rag_bars(frame, x_title="Completion (%)", target=target),
            width="stretch",
            key=f"{KEY}_chart_completion",
            alt=f"Bar chart of audit completion in {quarter.label} for each team, service and the authority, coloured "
            "by status against target. The figures are in the table below.",
        )
    _table(table, key="completion", file_name=downloads.file_name("audits_completion", la_code, quarter.label))
    completion = [catalogue.get(i) for i in (audits.COMPLETED, audits.REQUIRED, audits.COMPLETION)]
    layout.definition_popovers(completion, key=f"{KEY}_def_completion")


def _grades(catalogue: Catalogue, mix: audits.GradeMix, quarter: Quarter, la_code: str) -> None:
    st.header("Grades", divider="gray")
    if not mix.rows:
        st.markdown(f"_There are no audit grades for {quarter.label}._")
        return
    st.markdown(
        f"Audits in {quarter.label} by the grade the auditor gave, for each team, each service and the whole "
        "authority. The audits graded are shown in full; grades under 5, and any grade that would let one be worked "
        "out, are hidden."
    )
    frame = audits.grade_frame(mix)
    if not frame.is_empty() and frame["value"].is_null().all():
        st.caption("No team's grades can be drawn without giving a small number away: the table below has them.")
    elif not frame.is_empty():
        st.altair_chart(
            charts.ranked_stacked_bars(
                frame,
                x_title="Audits",
                category_order=list(audits.GRADE_LABELS.values()),
                label_title="Team",
                category_title="Grade",
                total_title="Audits graded",
            ),
            width="stretch",
            key=f"{KEY}_chart_grades",
            alt=f"Stacked bar chart of each team's audits in {quarter.label} by grade. The figures are in the table "
            "below; hidden figures are not drawn.",
        )
        if frame["value"].is_null().any():
            st.caption("Bars are not drawn for figures hidden to protect small numbers.")
    _table(
        audits.grade_table(mix), key="grades", file_name=downloads.file_name("audits_grades", la_code, quarter.label)
    )
    _group_definitions(
        [catalogue.get(i) for i in audits.GRADE_IDS.values()] + [catalogue.get(audits.GOOD_OR_BETTER)],
        "Grades",
        key="grades",
    )


def _group_definitions(indicators: Sequence[Indicator | None], title: str, *, key: str) -> None:
    present = [i for i in indicators if i is not None]
    if not present:
        return
    with st.popover("About these measures", icon=":material/info:", key=f"{KEY}_def_{key}"):
        st.markdown(f"**{title}**")
        for ind in present:
            st.markdown(f"**{monthly.md_escape(ind.name)}:** {ind.definition or 'No definition recorded.'}")
        if present[0].definition_source:
            st.markdown(f"**Source of the definitions:** {present[0].definition_source}")


def _themes(catalogue: Catalogue, values: monthly.MonthlyValues, quarter: Quarter, window: list, la_code: str) -> None:
    st.header("Themes", divider="gray")
    items = audits.theme_items(catalogue)
    table = audits.theme_table(items, values, quarter.start)
    if not items or table.is_empty():
        st.markdown(f"_There are no audit themes for {quarter.label}._")
        return
    st.markdown(
        f"What audits found: the share of the whole authority's audits in each quarter that found each theme (an "
        f"audit can find several), over the last {len(window)} quarters to {quarter.label}, then {quarter.label}'s "
        "themes ranked. Shares built on fewer than 5 audits are hidden and ranked last, by name."
    )
    frame = audits.theme_trend_frame(items, values, window)
    drawn = frame.filter(pl.col("value").is_not_null())["series"].unique().to_list()
    frame = frame.filter(pl.col("series").is_in(drawn))  # a theme hidden in every quarter has nothing to draw
    if not frame.is_empty():
        ranked = [label for _, label, _ in audits.ranked_themes(items, values, quarter.start) if label in drawn]
        order = ranked + sorted(set(drawn) - set(ranked))
        st.altair_chart(
            charts.multi_line(frame, y_title="% of audits finding the theme", series_order=order),
            width="stretch",
            key=f"{KEY}_chart_themes",
            alt=f"Line chart of each theme's share of audits by quarter to {quarter.label}. The figures are in the "
            "table below the chart.",
        )
        st.caption(
            "Points are not drawn for shares hidden to protect small numbers; themes hidden in every quarter are "
            "left out of the chart (the figures behind it list them all)."
        )
        with st.expander("The figures behind this chart", icon=":material/table:"):
            _table(
                audits.theme_trend_table(items, values, window),
                key="theme_trend",
                file_name=downloads.file_name("audits_theme_trend", la_code, quarter.label),
            )
    st.subheader(f"Themes in {quarter.label}, ranked")
    _table(table, key="themes", file_name=downloads.file_name("audits_themes", la_code, quarter.label))
    _group_definitions([ind for ind, _ in items], "Themes", key="themes")


def _follow_up(
    catalogue: Catalogue,
    orgs: monthly.OrgUnits,
    quarter: Quarter,
    la_code: str,
    lacking: list[str],
    columns: list[str],
    as_at,
) -> None:
    st.header("Follow-up of significant concerns", divider="gray")
    st.markdown(
        "When an audit finds significant concerns, the framework asks for two further files of the same worker to "
        "be audited and the file itself to be reviewed again within three months. Listed: the significant-concern "
        f"audits of {quarter.label} whose follow-up is not complete, overdue once the three months have passed "
        f"(on {formatting.long_date(as_at)}, the audits file's as-at date), else in progress. The audit's reference "
        "and team only: never the worker or the child."
    )
    if lacking:
        layout.lacking_note("Audits awaiting follow-up", "audits table", lacking, columns)
        return
    table = audits.follow_up_table(data.audit_follow_ups(la_code, quarter.start, quarter.end), orgs, as_at)
    _table(
        table,
        key="follow_up",
        file_name=downloads.file_name("audits_follow_up", la_code, quarter.label),
        empty=f"_Every significant-concern audit of {quarter.label} has been followed up in full._",
    )
    layout.definition_popover(catalogue.get(audits.FOLLOW_UP), key=f"{KEY}_def_follow_up_section")


def _actions(
    catalogue: Catalogue,
    values: monthly.MonthlyValues,
    orgs: monthly.OrgUnits,
    quarter: Quarter,
    la_code: str,
    lacking: list[str],
    columns: list[str],
    as_at,
) -> None:
    st.header("Actions from audits", divider="gray")
    on = min(quarter.end, as_at) if as_at else quarter.end
    st.markdown(
        f"The actions audits set, open and overdue at the end of {quarter.label}, for each team (shown in full), then "
        f"each action overdue on {formatting.long_date(on)}: still open after its due date."
    )
    _table(
        audits.action_team_table(values, quarter.start),
        key="action_teams",
        file_name=downloads.file_name("audits_actions_by_team", la_code, quarter.label),
        empty=f"_There are no action figures for {quarter.label}._",
    )
    layout.definition_popovers(
        [catalogue.get(i) for i in (audits.ACTIONS_OPEN, audits.ACTIONS_OVERDUE)], key=f"{KEY}_def_actions"
    )
    if lacking or not data.has_audit_actions():
        missing = lacking or ["audit actions"]
        layout.lacking_note("Lists of actions", "audits table", missing, columns if lacking else [])
        return
    actions = data.open_audit_actions(la_code, on)
    st.subheader(f"Actions overdue on {formatting.long_date(on)}")
    _table(
        audits.overdue_actions(actions, orgs, on),
        key="actions",
        file_name=downloads.file_name("audits_actions_overdue", la_code, quarter.label),
        empty=f"_No action was overdue on {formatting.long_date(on)}._",
    )
    waiting = audits.open_not_yet_due(actions, on)
    if waiting:
        st.caption(f"{waiting:,} further action{'s are' if waiting != 1 else ' is'} open and not yet due.")


# Every page checks access itself: a page left out of the menu can still be asked for by its address.
auth.require_page("audits")
render()
