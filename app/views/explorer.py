"""Indicator explorer: any indicator at any grain for any org unit (issue 6, point 3).

Choose a domain and a measure from the catalogue, a grain (month, quarter or financial year, as the catalogue
reports it), the whole authority, a service or a team, and a range of periods. The page shows the measure's
definition, numerator and denominator, unit, polarity, source, target, the QA framework tasks it serves and
who it is reported to; a chart and a table of the figures over time against the target and England; and, for
the last period in the range, DfE's published comparators with each statistical neighbour named beside its own
figure.

The measure, grain and org unit live in the web address (`?indicator=cp_plans&grain=quarter&org=845-T01`, with
`la=` when the warehouse holds more than one authority), so a view can be linked. Those values are untrusted: they
are only ever compared with the options on offer, and one that matches none falls back politely with a note.
Every figure goes through `app.explorer` (and so `app.disclosure`) before it reaches the screen, the chart or a
download.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import streamlit as st

from app import auth, choices, data, downloads, explorer, formatting, layout, monthly

KEY = "explorer"
LA_KEY, DOMAIN_KEY, INDICATOR_KEY = f"{KEY}_la", f"{KEY}_domain", f"{KEY}_indicator"
GRAIN_KEY, ORG_KEY, RANGE_KEY = f"{KEY}_grain", f"{KEY}_org", f"{KEY}_range"


def render() -> None:
    st.title("Indicator explorer")
    st.caption(
        "Any measure in the catalogue, month by month, quarter by quarter or year by year, for the whole authority, "
        "a service or a team: what it measures and where the definition comes from, the numbers behind it over "
        "time against the target, and DfE's published comparators with the statistical neighbours named."
    )
    try:
        _render()
    except data.WarehouseUnavailable as exc:
        layout.warehouse_unavailable(exc)


# --- choices, seeded from the web address ----------------------------------------------------------------------


def _param(name: str) -> str | None:
    return explorer.clean_param(st.query_params.get(name))


def _seed(state_key: str, options: Sequence[str], wanted: str | None, default: str) -> bool:
    """Put a valid choice into the widget's state before it is drawn: the current one if still offered, else the
    web address's (`wanted`), else `default`. True when this is the widget's first render."""
    first = state_key not in st.session_state
    if st.session_state.get(state_key) not in options:
        st.session_state[state_key] = wanted if wanted in options else default
    return first


def _no_data() -> None:
    st.info(
        "**No indicator figures have been built yet.** The explorer reads `indicator_values`, which `csqa build` "
        "fills from the loaded extracts. Load them with `csqa ingest`, run `csqa build`, then reload this page.",
        icon=":material/query_stats:",
    )


# --- the page ----------------------------------------------------------------------------------------------------


def _render() -> None:
    catalogue_frame = data.explorer_catalogue()
    if catalogue_frame.is_empty():
        st.info("**The indicator catalogue in this build is empty**, so there is nothing to explore yet.")
        return
    catalogue = explorer.ExplorerCatalogue(catalogue_frame, data.explorer_domains())
    authorities = data.explorer_authorities()
    if authorities.is_empty():
        _no_data()
        return
    notes: list[str] = []

    # the authority (a choice only when there is more than one)
    names = choices.authority_names(authorities)
    codes = list(names)
    raw_la = _param("la")
    la_match = explorer.match_choice(raw_la, codes, names)
    first = _seed(LA_KEY, codes, la_match, codes[0])
    if first and raw_la is not None and la_match is None:
        notes.append(
            f"The authority in the web address was not recognised, so the page shows "
            f"{monthly.md_escape(names[st.session_state[LA_KEY]])}."
        )

    top = st.columns([1, 1, 2]) if len(codes) > 1 else [st.empty(), *st.columns([1, 2])]
    with top[0]:
        if len(codes) > 1:
            st.selectbox("Authority", codes, key=LA_KEY, format_func=lambda c: f"{names[c]} ({c})")
    la_code = st.session_state[LA_KEY]
    la_name = names[la_code]

    # the domain and the measure
    raw_indicator = _param("indicator")
    url_indicator = catalogue.match_indicator(raw_indicator)
    domain_ids = [d.domain_id for d in catalogue.domains]
    url_measure = catalogue.get(url_indicator)
    _seed(DOMAIN_KEY, domain_ids, url_measure.domain_id if url_measure else None, domain_ids[0])
    with top[1]:
        st.selectbox("Domain", domain_ids, key=DOMAIN_KEY, format_func=catalogue.domain_name)
    measures = catalogue.measures(st.session_state[DOMAIN_KEY])
    ids = [m.indicator_id for m in measures]
    first = _seed(INDICATOR_KEY, ids, url_indicator, ids[0])
    if first and raw_indicator is not None and url_indicator is None:
        notes.append(
            f"The measure in the web address is not in the indicator catalogue, so the page shows "
            f"{measures[0].name}. Choose another measure above."
        )
    with top[2]:
        st.selectbox(
            "Measure",
            ids,
            key=INDICATOR_KEY,
            format_func=lambda i: catalogue.get(i).name if i in catalogue else i,
            help="The catalogue's measures in this domain, in the catalogue's order.",
        )
    measure = catalogue.get(st.session_state[INDICATOR_KEY])
    assert measure is not None  # the state was seeded from `ids`

    # the grain
    grains = list(measure.grains)
    raw_grain = _param("grain")
    grain_match = explorer.match_choice(raw_grain, grains, {g: explorer.grain_name(g) for g in grains})
    first = _seed(GRAIN_KEY, grains, grain_match, explorer.default_grain(grains))
    if first and raw_grain is not None and grain_match is None:
        notes.append(
            f"The grain in the web address is not one this measure is reported by, so the page shows it by "
            f"{explorer.GRAIN_WORDS.get(st.session_state[GRAIN_KEY], st.session_state[GRAIN_KEY])}."
        )
    middle = st.columns([1, 2, 3])
    with middle[0]:
        st.selectbox("Grain", grains, key=GRAIN_KEY, format_func=explorer.grain_name)
    grain = st.session_state[GRAIN_KEY]

    # the org unit: those with a figure for this measure at this grain
    frame = data.explorer_values(la_code, measure.indicator_id, grain)
    team_ids = frame.filter(pl.col("org_level") == "team")["org_id"].unique().to_list()
    orgs = monthly.OrgUnits(data.org_units(la_code), la_code, la_name, team_ids)
    options = explorer.org_options(frame, orgs)
    raw_org = _param("org")
    if not options:
        for note in notes:
            st.info(note)
        choices.keep_in_url({"indicator": measure.indicator_id, "grain": grain, "org": None,
                             "la": la_code if len(codes) > 1 else None})  # fmt: skip
        st.header(measure.name, divider="gray")
        st.info(
            f"**There are no figures for this measure by {explorer.GRAIN_WORDS.get(grain, grain)} for "
            f"{monthly.md_escape(la_name)} in this build.** Its definition is below; try another grain.",
            icon=":material/query_stats:",
        )
        _definition(catalogue, measure)
        return
    by_id = {o.org_id: o for o in options}
    org_ids = list(by_id)
    org_match = explorer.match_choice(raw_org, org_ids, {o.org_id: o.label for o in options}) or explorer.match_choice(
        raw_org, org_ids, _plain_names(options, orgs)
    )
    default_org = next((o.org_id for o in options if o.level == "la"), org_ids[0])
    first = _seed(ORG_KEY, org_ids, org_match, default_org)
    if first and raw_org is not None and org_match is None:
        notes.append(
            "The authority, service or team in the web address has no figures for this measure at this grain, so "
            f"the page shows {monthly.md_escape(by_id[st.session_state[ORG_KEY]].label)}."
        )
    with middle[1]:
        st.selectbox(
            "Authority, service or team",
            org_ids,
            key=ORG_KEY,
            format_func=lambda o: by_id[o].label if o in by_id else o,
            help="The whole authority, then each service and its teams: those with figures for this measure.",
        )
    option = by_id[st.session_state[ORG_KEY]]

    # the periods
    series = explorer.Series(measure, frame, orgs)
    periods = series.periods(option.key)
    labels = [p.label for p in periods]
    if len(labels) > 1:
        current = st.session_state.get(RANGE_KEY)
        if RANGE_KEY in st.session_state and not (
            isinstance(current, tuple | list) and len(current) == 2 and all(c in labels for c in current)
        ):
            del st.session_state[RANGE_KEY]  # periods of another grain or org unit: start again from them all
        with middle[2]:
            chosen = st.select_slider(
                "Periods",
                options=labels,
                value=(labels[0], labels[-1]),
                key=RANGE_KEY,
                help="Drag either end to narrow the range.",
            )
        low, high = sorted(labels.index(c) for c in chosen)
        shown = periods[low : high + 1]
    else:
        shown = periods

    choices.keep_in_url({"indicator": measure.indicator_id, "grain": grain, "org": option.org_id,
                          "la": la_code if len(codes) > 1 else None})  # fmt: skip
    for note in notes:
        st.info(note)

    st.header(measure.name, divider="gray")
    st.caption(
        f"{monthly.md_escape(option.label)} · by {explorer.GRAIN_WORDS.get(grain, grain)} · "
        + (f"{shown[0].label} to {shown[-1].label}" if len(shown) > 1 else shown[0].label)
    )
    _definition(catalogue, measure)
    _over_time(series, option, shown, la_code, grain)
    _comparators(series, option, shown[-1], la_code, la_name)


def _plain_names(options: Sequence[explorer.OrgOption], orgs: monthly.OrgUnits) -> dict[str, str]:
    """Names a link may use for an org unit: the authority's, a service's or a team's own name."""
    out = {}
    for o in options:
        if o.level == "la":
            out[o.org_id] = orgs.la_name
        elif o.level == "service":
            out[o.org_id] = orgs.service_names.get(o.org_id, o.org_id)
        else:
            out[o.org_id] = orgs.team(o.org_id).name
    return out


# --- what it measures ----------------------------------------------------------------------------------------------


def _definition(catalogue: explorer.ExplorerCatalogue, measure: explorer.Measure) -> None:
    st.subheader("What it measures")
    tasks = explorer.task_lines(measure.qa_task_ids, data.explorer_qa_tasks(measure.qa_task_ids))
    audiences = explorer.audience_names(measure.audiences, data.qa_roles())
    left, right = st.columns([3, 2])
    with left:
        st.markdown(layout.definition_markdown(measure.indicator))
    with right:
        st.markdown("  \n".join(explorer.details(measure, catalogue.domain_name(measure.domain_id), audiences, tasks)))


# --- over time -----------------------------------------------------------------------------------------------------


def _over_time(
    series: explorer.Series, option: explorer.OrgOption, shown: Sequence[explorer.Period], la_code: str, grain: str
) -> None:
    st.subheader("Over time")
    measure = series.measure
    frame = series.chart_frame(option.key, shown, option.label)
    own = frame.filter(pl.col("series") == option.label)
    if own["value"].is_null().all():
        st.markdown("_Every figure in this range is hidden (small numbers) or missing, so there is nothing to draw._")
    else:
        lines = frame["series"].unique(maintain_order=True).to_list()
        against = [s for s in lines if s != option.label]
        st.altair_chart(
            explorer.chart(frame, y_title=explorer.y_title(measure)),
            width="stretch",
            key=f"{KEY}_chart",
            alt=f"Line chart of {measure.name} by {explorer.GRAIN_WORDS.get(grain, grain)} for {option.label}"
            + (f", with {' and '.join(against)}" if against else "")
            + ". The figures are in the table below the chart.",
        )
    if series.in_full:
        st.caption("These figures are about staff, not children, so they are shown in full.")
    else:
        st.caption(
            "Small numbers are hidden to protect children's privacy: a count of 0 to 4 shows as “fewer than 5”; a "
            "percentage or rate whose numerator or denominator is under 5 is suppressed, with its status and "
            "change; and where a small figure could be worked out from another (a team's from its service's, a "
            "month's from its quarter, a quarter's from its year), a second figure is hidden too. Hidden "
            "figures are never drawn. England, the region and the statistical neighbours are "
            "DfE's published figures."
        )
    table = series.table(option.key, shown)
    layout.table(
        table,
        key=f"{KEY}_series",
        file_name=downloads.file_name(
            "indicator", la_code, measure.indicator_id, grain, option.org_id, shown[0].label, shown[-1].label
        ),
    )


# --- published comparators ----------------------------------------------------------------------------------------


def _escaped_table(df: pl.DataFrame, *, key: str, file_name: str, escape: Sequence[str]) -> None:
    """A table exactly as its CSV download holds it; names from the data are escaped for the screen only."""
    layout.escaped_table(df, key=f"{KEY}_{key}", file_name=file_name, escape=escape, empty="_No figures to show._")


def _comparators(
    series: explorer.Series, option: explorer.OrgOption, period: explorer.Period, la_code: str, la_name: str
) -> None:
    measure = series.measure
    st.subheader(f"Published comparators for {period.label}")
    if option.level != "la":
        st.caption("DfE publishes figures for whole authorities, so these compare the whole authority.")
    if not data.explorer_has_published_comparators():
        st.info(
            "**This build does not hold DfE's published figures authority by authority** (`published_comparators`), "
            "so the statistical neighbours cannot be shown with their own figures. England's, the region's and the "
            "neighbours' average, where published, are in the table above. A newer `csqa build` adds them.",
            icon=":material/database:",
        )
        neighbours = data.statistical_neighbours(la_code)
        if not neighbours.is_empty():
            named = [monthly.md_escape(n) for n in neighbours["sn_la_name"].to_list() if n]
            st.markdown(f"{monthly.md_escape(la_name)}'s statistical neighbours: {explorer.and_list(named)}.")
        return
    years = data.explorer_published_years(measure.indicator_id)
    if years.is_empty():
        st.markdown("_DfE publishes no comparator for this measure._")
        return
    row = series.comparator_row(option.key, period.start)
    year = row.get("benchmark_year") if row is not None else None
    if year is None:
        published = explorer.and_list([explorer.benchmark_text(y, measure.benchmark_series)
                                       for y in years["benchmark_year"].to_list()])  # fmt: skip
        st.markdown(
            f"_No published figure belongs with {period.label}: DfE's figures are set beside a period only once "
            f"the year they describe has ended by its end ({formatting.long_date(period.end)}). DfE has published "
            f"this measure for {published}._"
        )
        return
    year = int(year)
    summary = data.explorer_published_summary(la_code, measure.indicator_id, year)
    neighbours = data.explorer_published_neighbours(la_code, measure.indicator_id, year)
    label = explorer.published_label(year, summary.get("reference_date"), measure.benchmark_series)
    st.markdown(
        f"DfE's published figures {label} (DfE's year {year}), for the latest year ended by the end of "
        f"{period.label}: "
        f"{monthly.md_escape(la_name)} as DfE counted it, England, the region and each statistical neighbour, "
        "nearest first. The neighbours' average is of those with a published figure."
    )
    unit = measure.unit
    _escaped_table(
        explorer.summary_table(unit, la_name, summary, neighbours),
        key="published",
        file_name=downloads.file_name("indicator_published", la_code, measure.indicator_id, str(year)),
        escape=["Comparator"],
    )
    if neighbours.is_empty():
        st.markdown(f"_No statistical neighbours are recorded for {monthly.md_escape(la_name)}._")
        return
    _escaped_table(
        explorer.neighbours_table(unit, neighbours),
        key="neighbours",
        file_name=downloads.file_name("indicator_neighbours", la_code, measure.indicator_id, str(year)),
        escape=["Statistical neighbour", "Code", "Closeness"],
    )


# Every page checks access itself: a page left out of the menu can still be asked for by its address.
auth.require_page("explorer")
render()
