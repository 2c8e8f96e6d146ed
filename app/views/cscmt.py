"""CSCMT monthly performance: children in need and child protection, for the authority and by team.

QA framework task 4.1: the national and locally agreed performance data set, reported monthly to team
managers and the Children's Social Care Management Team, to spot performance issues in specific teams, set
targets and steer improvement. The measures are the catalogue's rows whose `audiences` include `cscmt`, in
`sort_order`, so adding a measure to that audience in the seed shows it here without a code change.

The authority, month and team live in the web address (`?la=845&month=Dec+2024&team=845-T03`), so a link
opens the same view; a value there that does not match the warehouse falls back politely with a note.
Every figure goes through `app.disclosure` (via `app.monthly`) before it reaches the screen, a chart or a
download. Child-level exception lists are shown only when `app.access` allows it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import streamlit as st

from app import access, auth, choices, data, disclosure, downloads, formatting, layout, monthly
from app.indicators import Indicator

KEY = "cscmt"
AUDIENCE = "cscmt"
TREND_MONTHS = 24
EXCEPTIONS_TABLE = "cin_exceptions"
EXCEPTION_COLUMNS = ("la_code", "exception_type", "team_id", "child_id", "as_at_date")
DEFINITION_COLUMNS = 4


def render() -> None:
    st.title("CSCMT monthly performance")
    st.caption(
        "Children in need and child protection, month by month, for the whole authority and for each team: "
        "the national and locally agreed performance measures against their targets. QA framework task 4.1, "
        "reported each month to team managers and the Children's Social Care Management Team."
    )
    allowed = access.child_level_detail()
    try:
        _render(allowed)
    except data.WarehouseUnavailable as exc:
        layout.warehouse_unavailable(exc)


# --- the page ----------------------------------------------------------------------------------------------


def _render(allowed: bool) -> None:
    indicators = [Indicator.from_row(r) for r in data.audience_catalogue(AUDIENCE).to_dicts()]
    if not indicators:
        st.info("The indicator catalogue lists no measures for the CSCMT yet. Run `csqa build` to add them.")
        return
    ids = [i.indicator_id for i in indicators]
    authorities = data.monthly_authorities(ids)
    if authorities.is_empty():
        st.info("The warehouse holds no monthly figures for these measures yet. Run `csqa build` to add them.")
        return

    left, right = choices.columns(authorities.height > 1)
    with left:
        la_code, la_name, bad_la = choices.choose_authority(KEY, authorities)
    months = monthly.months_from_frame(data.months(la_code, ids))
    if not months:
        st.info(f"There are no monthly figures for {monthly.md_escape(la_name)} in the warehouse yet.")
        return
    with right:
        month, bad_month = choices.choose_month(
            KEY, months, monthly.match_month, "Months with figures in the warehouse, newest first."
        )

    first = formatting.shift_months(month.start, -(TREND_MONTHS - 1))
    frame = data.monthly_values(la_code, ids, first, month.start)
    orgs = monthly.OrgUnits(
        data.org_units(la_code),
        la_code,
        la_name,
        frame.filter(pl.col("org_level") == "team")["org_id"].unique().to_list(),
    )
    values = monthly.MonthlyValues(
        frame,
        {i.indicator_id: i.unit for i in indicators},
        orgs,
        in_full=[i.indicator_id for i in indicators if i.domain in disclosure.STAFF_DOMAINS],
    )
    starts = [m.start for m in sorted(months, key=lambda m: m.start) if first <= m.start <= month.start]

    if bad_la:
        choices.not_recognised("authority", monthly.md_escape(la_name))
    if bad_month:
        choices.not_recognised("month", month.label, choose_again=True)
    _about(la_name, month)
    scope = data.current_scope()
    whole_authority = scope is None or scope.whole_authority
    if whole_authority:
        _unmapped_teams(la_code)
        present = [i for i in indicators if values.has_level(i.indicator_id, "la")]
        _performance(indicators, present, values, month, la_code, la_name)
    else:
        # A service or team account gets its own teams' rows only (app/data.py applies the scope to every query).
        present = [i for i in indicators if values.has_level(i.indicator_id, "team")]
        st.info(
            "Your account covers your own service or team, so the authority's figures are not shown here: your "
            "teams' figures are in the heat map and trends below.",
            icon=":material/group:",
        )
    _heat_map(present, values, month, la_code)
    team_id = _team_trends(present, values, month, starts, orgs, la_code, la_name)
    choices.keep_in_url({"la": la_code, "month": month.label, "team": team_id})
    _exceptions(allowed, la_code, month, team_id, orgs)


def _table(df: pl.DataFrame, *, key: str, file_name: str, escape: Sequence[str] = (), empty: str = "") -> None:
    """A table exactly as its CSV download holds it (both already suppressed).

    `st.table` renders Markdown, so text that comes from the data (team names, child IDs) is escaped for the
    screen; the download holds it as it is, made safe for spreadsheets by `app.downloads`.
    """
    layout.escaped_table(
        df, key=f"{KEY}_{key}", file_name=file_name, escape=escape, empty=empty or "_No figures for this month._"
    )


def _about(la_name: str, month: monthly.Month) -> None:
    info = layout.build_info_or_none() or {}
    st.caption(
        f"**About this data:** {monthly.md_escape(la_name)}, {month.label} ({formatting.long_date(month.start)} to "
        f"{formatting.long_date(month.end)}); warehouse built {formatting.date_time(info.get('built_at'))}. "
        f"To protect children's privacy, counts under 5 are shown as “{disclosure.FEWER_THAN_5}”, and "
        f"percentages or rates built on them as “{disclosure.SUPPRESSED}”. Team counts add up to their service "
        "and the authority, so a second figure is hidden where it would let a small count (including work with "
        "no team recorded) be worked out by subtraction; a hidden figure's status against target and direction "
        "of travel are hidden with it. Workforce figures are about staff, not children, and are shown in full."
    )


def _unmapped_teams(la_code: str) -> None:
    unmapped = data.unmapped_teams(la_code)
    if unmapped.is_empty():
        return
    items = []
    for r in unmapped.to_dicts():
        events = disclosure.count_text(r.get("events"))
        seen = (
            f", seen {formatting.long_date(r['first_seen'])} to {formatting.long_date(r['last_seen'])}"
            if r.get("first_seen") and r.get("last_seen")
            else ""
        )
        items.append(f"- {monthly.md_escape(r['team_name'])} ({events} records{seen})")
    st.warning(
        "**Some team names in the case records are not in the team list**, so these teams belong to no "
        "service. Their work is still counted in the authority's figures, and they appear below under "
        f"“{monthly.NOT_MAPPED_SERVICE}”. Add them to the team list (`reference/org_units.csv`) to place "
        "them in a service.\n\n" + "\n".join(items),
        icon=":material/group_off:",
    )


def _performance(
    indicators: list[Indicator],
    present: list[Indicator],
    values: monthly.MonthlyValues,
    month: monthly.Month,
    la_code: str,
    la_name: str,
) -> None:
    st.header(f"{monthly.md_escape(la_name)} in {month.label}", divider="gray")
    st.markdown(
        f"Each measure for the whole authority in {month.label}, against its target, the month before "
        f"({month.previous_label}) and the same month a year before ({month.year_ago_label}). The arrows show "
        "which way a figure moved; “better” and “worse” take account of whether a higher or lower figure is "
        "better, and measures with no better direction just say “up” or “down”. England is the latest "
        "published national figure for the year named."
    )
    _table(
        monthly.performance_table(present, values, month),
        key="performance",
        file_name=downloads.file_name("cscmt_performance", la_code, month.label),
        escape=["Measure"],
    )
    missing = [i for i in indicators if i not in present]
    if missing:
        st.caption(
            "No monthly figures in the warehouse yet for: " + "; ".join(monthly.md_escape(i.name) for i in missing)
        )
    st.markdown(
        "**What the measures mean:** open one for its definition, what is counted and out of what, its target "
        "and where the definition comes from."
    )
    cols = st.columns(DEFINITION_COLUMNS)
    for n, ind in enumerate(present):
        with cols[n % DEFINITION_COLUMNS]:
            layout.definition_popover(ind, key=f"{KEY}_def_{ind.indicator_id}", label=ind.short_name)


def _heat_map(present: list[Indicator], values: monthly.MonthlyValues, month: monthly.Month, la_code: str) -> None:
    st.header(f"Teams in {month.label}", divider="gray")
    frame = monthly.heat_map_frame(present, values, month)
    if frame.is_empty():
        st.markdown(f"_There are no team figures for {month.label}._")
        return
    st.markdown(
        "Each team's figure for the month, coloured by how it compares with the target: green on target, "
        "amber close to it, red off target. Pale cells have no target; grey cells are hidden to protect small "
        f"numbers. Teams are grouped by service, each with a “{monthly.WHOLE_SERVICE}” row for the service's "
        "total. Choose a team below to see its trends."
    )
    st.altair_chart(
        monthly.heat_map_chart(frame),
        width="content",
        key=f"{KEY}_chart_heat_map",
        alt=f"Heat map of each team's figures for {month.label}, coloured by status against target. "
        "The figures are in the table below the chart.",
    )
    with st.expander("The heat map as a table", icon=":material/table:"):
        st.caption("🟢 on target · 🟠 close to target · 🔴 off target")
        _table(
            monthly.heat_map_table(present, values, month),
            key="heat_map",
            file_name=downloads.file_name("cscmt_teams", la_code, month.label),
            escape=["Service", "Team"],
        )


def _team_trends(
    present: list[Indicator],
    values: monthly.MonthlyValues,
    month: monthly.Month,
    starts: list,
    orgs: monthly.OrgUnits,
    la_code: str,
    la_name: str,
) -> str | None:
    st.header("A team's trends", divider="gray")
    team_ids = values.team_ids(starts)
    if not team_ids:
        st.markdown("_There are no team figures in the last two years._")
        return None
    column, _ = st.columns([2, 3])
    with column:
        team_id, bad_team = choices.choose_team(
            KEY,
            orgs,
            team_ids,
            placeholder="Choose a team to see its trends",
            help="Teams with figures in the last two years, grouped by service.",
        )
    if bad_team:
        st.info("The team in the web address was not recognised, so no team is chosen. Choose one above.")
    if team_id is None:
        st.markdown("_Choose a team to see its figures month by month against the authority's and the target._")
        return None
    team = orgs.team(team_id)
    shown = [s for s in starts if any(values.row(i.indicator_id, ("team", team_id), s) for i in present)]
    if not shown:
        st.markdown(f"_{monthly.md_escape(team.name)} has no figures up to {month.label}._")
        return team_id
    st.markdown(
        f"**{monthly.md_escape(team.name)}** ({monthly.md_escape(team.service_name)}), "
        f"{monthly.month_label(starts[0])} to {month.label}: the team's figure each month (orange) against "
        f"{monthly.md_escape(la_name)} as a whole (blue, for percentages and rates: an authority's count "
        "dwarfs a team's) and the target (dashed). Gaps are figures hidden to protect small numbers."
    )
    frame = monthly.trend_frame(present, values, team_id, starts)
    hidden = [i.name for i in present if i.indicator_id in monthly.all_hidden(present, values, team_id, starts)]
    if hidden:
        st.caption(
            "Not drawn, because every month's figure is hidden to protect small numbers: "
            + "; ".join(monthly.md_escape(h) for h in hidden)
            + "."
        )
    if not frame.is_empty():
        st.altair_chart(
            monthly.trend_chart(frame, team_name=team.name, la_name=la_name),
            width="content",
            key=f"{KEY}_chart_team_trends",
            alt=f"Line charts of {team.name}'s measures by month against the authority and the target. "
            "The figures are in the table below the charts.",
        )
    with st.expander("The figures behind these charts", icon=":material/table:"):
        _table(
            monthly.trend_table(present, values, team_id, starts),
            key="team_trends",
            file_name=downloads.file_name("cscmt_team_trends", la_code, team_id, month.label),
            escape=["Measure", "Month"],
        )
    return team_id


def _exceptions(allowed: bool, la_code: str, month: monthly.Month, team_id: str | None, orgs: monthly.OrgUnits) -> None:
    st.header("Children needing attention", divider="gray")
    if not allowed:
        if not access.role_allows_child_level():
            st.info(
                "Child-level exception lists (for example assessments open beyond 45 working days) are for the "
                "managers who act on them; your role does not include them.",
                icon=":material/lock:",
            )
        elif access.server_allows_child_level():
            st.info(
                "Child-level exception lists (for example assessments open beyond 45 working days) are hidden. "
                f"Managers who need them can turn on “{access.TOGGLE_LABEL}” in the sidebar.",
                icon=":material/lock:",
            )
        else:
            st.info(
                "Child-level exception lists (for example assessments open beyond 45 working days) are switched "
                "off on this server. Whoever runs it can allow them by setting CSQA_ALLOW_CHILD_LEVEL=1.",
                icon=":material/lock:",
            )
        return
    columns = data.table_columns(EXCEPTIONS_TABLE)
    lacking = [c for c in EXCEPTION_COLUMNS if c not in columns]
    if lacking:
        layout.lacking_note("Child-level exception lists", "list", lacking, columns)
        return
    who = monthly.md_escape(orgs.team(team_id).name) if team_id else "the whole authority"
    st.markdown(
        f"Children on each list on {formatting.long_date(month.end)}, for {who}, longest first. "
        "These lists name children by their case ID: keep them within the team and do not share downloads."
    )
    rows = data.cin_exceptions(la_code, month.end)
    if rows.is_empty():
        dates = data.exception_dates(la_code)
        latest = f" The latest lists are for {formatting.long_date(dates[0])}." if dates else ""
        st.markdown(f"_There are no exception lists for {formatting.long_date(month.end)}._{latest}")
        return
    tables = monthly.exception_tables(rows, orgs, team_id)
    if not tables:
        st.markdown(f"_No children on the exception lists for {who} on {formatting.long_date(month.end)}._")
        return
    for exception_type, table in tables:
        title, description = monthly.exception_title(exception_type)
        st.subheader(f"{monthly.md_escape(title)} ({table.height:,})")
        if description:
            st.caption(description)
        _table(
            table,
            key=f"exceptions_{exception_type}",
            file_name=downloads.file_name(
                "cscmt_exceptions", exception_type, la_code, team_id or "all_teams", month.label
            ),
            escape=["Child ID", "Team", "Service"],
        )


# Every page checks access itself: a page left out of the menu can still be asked for by its address.
auth.require_page("cscmt")
render()
