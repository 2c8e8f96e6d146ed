"""Corporate Parenting Panel: children looked after, where they live, who provides their homes, stability.

QA framework task 2.2: capacity and usage of internal and external placements for looked-after children,
and out-of-area trends; reported quarterly to the Corporate Parenting Panel. The Panel sees aggregates only,
so every number goes through `app.disclosure` before it reaches the screen, a chart or a download.

The authority and quarter live in the web address (`?la=845&quarter=2024-25+Q3`), so a link opens the same
view. A value there that does not match the warehouse falls back to the default with a note.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import streamlit as st

from app import auth, charts, choices, data, disclosure, downloads, formatting, layout, placements
from app.indicators import (
    NO_PUBLISHED_FIGURE,
    Catalogue,
    Comparators,
    Indicator,
    Quarter,
    Row,
    Values,
    cell,
    quarters_from_frame,
)

KEY = "cpp"
HEADLINE_IDS = ["cla_at_period_end", "cla_rate_per_10k", "cla_starts", "cla_ceased"]
LOCATION_IDS = ["cla_placed_outside_la_pct", "cla_placed_over_20_miles_pct"]
STABILITY_IDS = ["cla_3plus_placements_pct", "cla_long_term_stability_pct"]
PAGE_IDS = HEADLINE_IDS + LOCATION_IDS + STABILITY_IDS
GROUPS = [placements.PLACEMENT_TYPE_GROUP, placements.PROVIDER_GROUP]
TREND_QUARTERS = 12
_QUARTER_PATTERN = re.compile(r"^(\d{4})-(\d{2})[\s_+-]*Q([1-4])$", re.IGNORECASE)


def render() -> None:
    st.title("Corporate Parenting Panel")
    st.caption(
        "Children looked after: how many there are, where they live, who provides their homes and how "
        "settled they are. QA framework task 2.2 (capacity and use of internal and external placements, "
        "and out-of-area trends), reported to the Panel each quarter."
    )
    try:
        _render()
    except data.WarehouseUnavailable as exc:
        layout.warehouse_unavailable(exc)


# --- choosing the authority and quarter (app.choices) -----------------------------------------------------


def _match_quarter(raw: str, labels: list[str]) -> str | None:
    """The label among `labels` the web address's quarter names ("2024-25 Q3", "2024-25+q3"). Stricter than
    `complaints.match_quarter` (nothing may stand before the year or after the quarter), so this page keeps its own."""
    m = _QUARTER_PATTERN.match(raw)
    if not m:
        return None
    wanted = f"{m.group(1)}-{m.group(2)} Q{m.group(3)}"
    return wanted if wanted in labels else None


# --- the page ----------------------------------------------------------------------------------------------


def _render() -> None:
    authorities = data.authorities()
    if authorities.is_empty():
        st.info("The warehouse holds no figures for children looked after yet. Run `csqa build` to add them.")
        return

    left, right = choices.columns(authorities.height > 1)
    with left:
        la_code, la_name, bad_la = choices.choose_authority(KEY, authorities)
    catalogue = Catalogue(data.catalogue(PAGE_IDS, GROUPS))
    quarter_rows = quarters_from_frame(data.quarters(la_code, catalogue.ids or PAGE_IDS))
    if not quarter_rows:
        st.info(f"There are no quarterly figures for {la_name} in the warehouse yet.")
        return
    with right:
        quarter, bad_quarter = choices.choose_quarter(
            KEY, quarter_rows, _match_quarter, "Financial-year quarters, newest first."
        )
    choices.keep_in_url({"la": la_code, "quarter": quarter.label})
    if bad_la:
        choices.not_recognised("authority", la_name)
    if bad_quarter:
        choices.not_recognised("quarter", quarter.label, choose_again=True)

    values = Values(data.indicator_values(la_code, catalogue.ids or PAGE_IDS))
    trend = [q for q in sorted(quarter_rows, key=lambda q: q.start) if q.start <= quarter.start][-TREND_QUARTERS:]
    _about(la_code, la_name, catalogue.ids or PAGE_IDS)

    _headlines(catalogue, values, quarter, la_name)
    _trend(catalogue, values, trend, la_code, la_name, quarter)
    _placement_types(catalogue, values, quarter, la_code)
    _providers(catalogue, values, quarter, trend, la_code)
    _location(catalogue, values, quarter, trend, la_code)
    _stability(catalogue, values, quarter, la_code, la_name)


def _about(la_code: str, la_name: str, indicator_ids: list[str]) -> None:
    as_at = data.data_as_at(la_code, indicator_ids)
    info = layout.build_info_or_none() or {}
    st.caption(
        f"**About this data:** {la_name}, figures up to {formatting.long_date(as_at)} (the latest period in the "
        f"warehouse); warehouse built {formatting.date_time(info.get('built_at'))}. To protect children's "
        f"privacy, counts under 5 are shown as “{disclosure.FEWER_THAN_5}”, and percentages or rates built on "
        f"them as “{disclosure.SUPPRESSED}”; a second figure is hidden where it would let a small number be "
        "worked out."
    )


def _delta(ind: Indicator, now: Row | None, before: Row | None) -> tuple[str | None, bool]:
    """The tile's change since the previous quarter, and whether it is withheld for small numbers.

    A change to or from a hidden value would give that value away ("+2" beside a known 650), so it is
    withheld whenever either side is hidden.
    """
    v_now, v_before = cell(now), cell(before)
    if now is not None and disclosure.is_hidden(ind.unit, *v_now):
        return None, True
    if before is not None and disclosure.is_hidden(ind.unit, *v_before):
        return None, now is not None
    if v_now[0] is None or v_before[0] is None:
        return None, False
    diff = v_now[0] - v_before[0]
    if ind.unit == "count":
        return formatting.signed_count(diff), False
    return formatting.signed_points(diff, " points" if ind.unit == "percent" else ""), False


def _unit_text(ind: Indicator, value: float | None) -> str:
    if ind.unit == "percent":
        return formatting.percent(value)
    if ind.unit == "rate_per_10k":
        return formatting.rate(value)
    return formatting.count(value)


def _comparator_text(ind: Indicator, comps: Comparators | None, *, published_later: bool) -> str:
    """Comparators beside a tile. Only a year ending 31 March by the quarter's end is ever used; when the only
    published years are later, the tile says so rather than showing a later year's figures."""
    if comps is None or not comps.any:
        if published_later:
            return f"Published comparators: {NO_PUBLISHED_FIGURE} (none for a year ending by this quarter)."
        return "No published comparators."
    parts = []
    if comps.england is not None:
        parts.append(f"England {_unit_text(ind, comps.england)}")
    if comps.region is not None:
        parts.append(f"{comps.region_name or 'Region'} {_unit_text(ind, comps.region)}")
    if comps.neighbours is not None:
        n = f" (average of {comps.neighbours_count})" if comps.neighbours_count else ""
        parts.append(f"statistical neighbours {_unit_text(ind, comps.neighbours)}{n}")
    return f"{' · '.join(parts)}. Published figures for {comps.year_label}."


def _target_text(ind: Indicator, row: Row | None) -> str:
    """The target ("Target 12.0%") and the RAG badge; the badge is withheld when the value itself is hidden,
    since "Close to target" beside a hidden percentage tells the reader its range."""
    target = f"Target {_unit_text(ind, ind.target)}"
    if disclosure.is_hidden(ind.unit, *cell(row)):
        return f"{target} · against target: {disclosure.NOT_SHOWN}"
    return f"{target} {layout.rag_badge(row.get('rag') if row else None)}".strip()


def _tile(
    catalogue: Catalogue,
    values: Values,
    indicator_id: str,
    quarter: Quarter,
    *,
    label: str,
    comparators: bool = False,
) -> None:
    ind = catalogue.get(indicator_id)
    if ind is None:
        st.metric(label, formatting.NOT_AVAILABLE, border=True)
        return
    row = values.quarter(indicator_id, quarter.start)
    before = values.quarter(indicator_id, quarter.previous_start)
    delta, withheld = _delta(ind, row, before)
    st.metric(
        label,
        disclosure.value_text(ind.unit, *cell(row)),
        delta=delta,
        delta_color=ind.delta_color if delta is not None else "off",
        delta_description=f"since {quarter.previous_label}" if delta is not None else None,
        help=ind.definition,
        border=True,
    )
    if withheld:
        st.caption(f"Change since {quarter.previous_label} {disclosure.NOT_SHOWN}.")
    if ind.has_target and row is not None:
        st.markdown(_target_text(ind, row))
    if comparators:
        comps = values.comparators(indicator_id, quarter)
        st.caption(_comparator_text(ind, comps, published_later=values.any_comparators(indicator_id)))
    layout.definition_popover(ind, key=f"{KEY}_def_{indicator_id}")


def _headlines(catalogue: Catalogue, values: Values, quarter: Quarter, la_name: str) -> None:
    st.header(f"Headlines for {quarter.label}", divider="gray")
    st.markdown(
        f"Quarter from {formatting.long_date(quarter.start)} to {formatting.long_date(quarter.end)}. "
        f"Children looked after are counted on {formatting.long_date(quarter.end)}; starts and leavers during "
        "the quarter. Changes are since the previous quarter."
    )
    cols = st.columns(4)
    with cols[0]:
        _tile(catalogue, values, "cla_at_period_end", quarter, label="Children looked after")
    with cols[1]:
        _tile(catalogue, values, "cla_rate_per_10k", quarter, label="Rate per 10,000 children", comparators=True)
    with cols[2]:
        _tile(catalogue, values, "cla_starts", quarter, label="Children who started care")
    with cols[3]:
        _tile(catalogue, values, "cla_ceased", quarter, label="Children who left care")


def _trend(
    catalogue: Catalogue, values: Values, trend: list[Quarter], la_code: str, la_name: str, quarter: Quarter
) -> None:
    st.header("Trend over three years", divider="gray")
    rate = catalogue.get("cla_rate_per_10k")
    count = catalogue.get("cla_at_period_end")
    if rate is None or not trend:
        st.markdown("_No trend figures._")
        return
    st.markdown(
        f"Children looked after per 10,000 children in {la_name} at the end of each quarter, with England's "
        "published rate on 31 March each year (diamonds)."
    )
    england: dict[dt.date, tuple[float, int]] = {}
    for row in values.series("cla_rate_per_10k", "year"):
        year = row.get("benchmark_year")
        if year is not None and row.get("england_value") is not None:
            england[dt.date(int(year), 3, 31)] = (row["england_value"], int(year))

    local_rows, table_rows = [], []
    for q in trend:
        rate_row = values.quarter("cla_rate_per_10k", q.start)
        count_row = values.quarter("cla_at_period_end", q.start)
        v = cell(rate_row)
        hidden = disclosure.ratio_hidden(v[1], v[2])
        rate_text = disclosure.rate_text(*v)
        local_rows.append(
            {
                "quarter": q.label,
                "period": f"{q.label} (at {formatting.long_date(q.end)})",
                "value": None if hidden else v[0],
                "value_text": rate_text,
            }
        )
        eng = england.get(q.end)
        table_rows.append(
            {
                "Quarter": q.label,
                "Quarter ending": formatting.long_date(q.end),
                "Children looked after": disclosure.count_text(cell(count_row)[0]) if count else "not available",
                "Rate per 10,000 children": rate_text,
                "England rate per 10,000 (published, 31 March)": formatting.rate(eng[0]) if eng else "",
            }
        )
    quarter_at_end = {q.end: q.label for q in trend}
    reference_rows = [
        {
            "quarter": quarter_at_end[end],
            "period": f"31 March {year} ({formatting.benchmark_year_label(year)})",
            "value": value,
            "value_text": formatting.rate(value),
        }
        for end, (value, year) in sorted(england.items())
        if end in quarter_at_end
    ]
    schema = {"quarter": pl.String, "period": pl.String, "value": pl.Float64, "value_text": pl.String}
    chart = charts.trend_with_reference(
        pl.DataFrame(local_rows, schema=schema),
        pl.DataFrame(reference_rows, schema=schema),
        y_title="Rate per 10,000 children",
        local_name=la_name,
    )
    st.altair_chart(
        chart,
        width="stretch",
        key=f"{KEY}_chart_trend",
        alt=f"Line chart of children looked after per 10,000 children in {la_name} by quarter, "
        "with England's published rate each 31 March. The figures are in the table below.",
    )
    layout.table(
        pl.DataFrame(table_rows, schema={k: pl.String for k in table_rows[0]}),
        key=f"{KEY}_trend",
        file_name=downloads.file_name("cla_trend", la_code, quarter.label),
    )
    layout.definition_popover(rate, key=f"{KEY}_def_trend_rate")


def _group_popover(items: list[placements.BreakdownItem], *, key: str, title: str) -> None:
    if not items:
        return
    with st.popover("About these measures", icon=":material/info:", key=key):
        ref = items[0].pct or items[0].count
        st.markdown(f"**{title}**")
        if ref and ref.denominator_definition:
            st.markdown(f"**Out of (denominator):** {ref.denominator_definition}")
        for item in items:
            ind = item.count or item.pct
            st.markdown(f"**{item.label}:** {ind.definition or 'No definition recorded.'}")
        if ref and ref.definition_source:
            st.markdown(f"**Source of the definitions:** {ref.definition_source}")


def _placement_types(catalogue: Catalogue, values: Values, quarter: Quarter, la_code: str) -> None:
    st.header("Where children live: type of placement", divider="gray")
    items = placements.breakdown_items(catalogue, placements.PLACEMENT_TYPE_GROUP, placements.PLACEMENT_TYPE_PREFIX)
    if not items:
        st.markdown("_The catalogue has no placement-type measures._")
        return
    if placements.snapshot(items, values, quarter.start).empty:
        st.markdown(f"_There are no placement-type figures for {quarter.label}._")
        return
    st.markdown(
        f"Share of children looked after in each type of placement at the end of {quarter.label}, against the "
        f"previous quarter ({quarter.previous_label}) and the same quarter last year ({quarter.year_ago_label})."
    )
    periods = [
        Quarter(quarter.year_ago_label, quarter.year_ago_start, quarter.end),
        Quarter(quarter.previous_label, quarter.previous_start, quarter.end),
        quarter,
    ]
    frame = placements.share_chart_frame(items, values, periods)
    st.altair_chart(
        charts.grouped_bars(frame, x_title="% of children looked after"),
        width="stretch",
        key=f"{KEY}_chart_types",
        alt="Bar chart of the share of children looked after in each type of placement, for this quarter, "
        "the previous quarter and the same quarter last year. The figures are in the table below.",
    )
    if (frame["share_text"] == disclosure.SUPPRESSED).any():
        st.caption("Bars are not drawn for figures hidden to protect small numbers.")
    layout.table(
        placements.breakdown_table(items, values, quarter, first_column="Type of placement"),
        key=f"{KEY}_types",
        file_name=downloads.file_name("cla_placement_types", la_code, quarter.label),
    )
    _group_popover(items, key=f"{KEY}_def_types", title="Types of placement")


def _providers(catalogue: Catalogue, values: Values, quarter: Quarter, trend: list[Quarter], la_code: str) -> None:
    st.header("Who provides the placements: internal and external capacity", divider="gray")
    items = placements.breakdown_items(
        catalogue, placements.PROVIDER_GROUP, placements.PROVIDER_PREFIX, categorise=True
    )
    if not items:
        st.markdown("_The catalogue has no placement-provider measures._")
        return
    if placements.snapshot(items, values, quarter.start).empty:
        st.markdown(f"_There are no placement-provider figures for {quarter.label}._")
        return
    st.markdown(
        "Internal capacity is the council's own provision (its own foster carers and children's homes). "
        "External capacity is bought or arranged from other councils, private and voluntary providers and "
        "other public bodies. Children placed with parents, and children with no provider recorded, make up the "
        "rest, so the three add up to all children looked after."
    )
    now = placements.snapshot(items, values, quarter.start)
    before = placements.snapshot(items, values, quarter.previous_start)
    cols = st.columns(len(now.subtotals) or 1)
    for col, category in zip(cols, [c for c in placements.CATEGORY_ORDER if c in now.subtotals], strict=False):
        with col:
            delta = None
            if now.visible_count(category) is not None and before.visible_count(category) is not None:
                delta = formatting.signed_count(now.counts[category] - before.counts[category])
            # a change to or from a hidden subtotal would give it away
            withheld = delta is None and all(s.counts.get(category) is not None for s in (now, before))
            st.metric(
                placements.CATEGORY_TILES[category],
                now.count_text(category),
                delta=delta,
                delta_color="off",
                delta_description=f"since {quarter.previous_label}" if delta is not None else None,
                help=placements.CATEGORY_LABELS[category],
                border=True,
            )
            if now.pcts.get(category, (None,))[0] is not None:
                st.caption(f"{now.pct_text(category)} of children looked after")
            if withheld:
                st.caption(f"Change since {quarter.previous_label} {disclosure.NOT_SHOWN}.")

    st.subheader("Share of children by provider, quarter by quarter")
    chart_frame = placements.category_trend_chart_frame(items, values, trend)
    st.altair_chart(
        charts.stacked_share(
            chart_frame, category_order=[placements.CATEGORY_SHORT[c] for c in placements.CATEGORY_ORDER]
        ),
        width="stretch",
        key=f"{KEY}_chart_providers",
        alt="Stacked bar chart of the share of children in own-council, external and other placements by "
        "quarter. The figures are in the table below.",
    )
    layout.table(
        placements.category_trend(items, values, trend),
        key=f"{KEY}_provider_trend",
        file_name=downloads.file_name("cla_provider_trend", la_code, quarter.label),
    )
    st.subheader(f"Providers in {quarter.label}")
    layout.table(
        placements.breakdown_table(items, values, quarter, first_column="Provider"),
        key=f"{KEY}_providers",
        file_name=downloads.file_name("cla_providers", la_code, quarter.label),
    )
    _group_popover(items, key=f"{KEY}_def_providers", title="Placement providers")


def _location(catalogue: Catalogue, values: Values, quarter: Quarter, trend: list[Quarter], la_code: str) -> None:
    st.header("Living away from home: out of area and distance", divider="gray")
    inds = [catalogue.get(i) for i in LOCATION_IDS]
    present = [i for i in inds if i is not None]
    if not any(values.quarter(i.indicator_id, q.start) for i in present for q in trend):
        st.markdown(f"_There are no figures on where children are placed up to {quarter.label}._")
        return
    cols = st.columns(2)
    labels = {
        "cla_placed_outside_la_pct": "Placed outside the authority's area",
        "cla_placed_over_20_miles_pct": "Placed more than 20 miles from home",
    }
    for col, indicator_id in zip(cols, LOCATION_IDS, strict=True):
        with col:
            _tile(catalogue, values, indicator_id, quarter, label=labels[indicator_id], comparators=True)
    chart_rows, table_rows = [], []
    for q in trend:
        table_row = {"Quarter": q.label}
        for ind in present:
            v = cell(values.quarter(ind.indicator_id, q.start))
            text = disclosure.percent_text(*v)
            hidden = disclosure.ratio_hidden(v[1], v[2])
            chart_rows.append(
                {
                    "quarter": q.label,
                    "period": q.label,
                    "series": labels[ind.indicator_id],
                    "value": None if hidden else v[0],
                    "value_text": text,
                }
            )
            table_row[labels[ind.indicator_id]] = text
        table_rows.append(table_row)
    st.subheader("Trend")
    st.altair_chart(
        charts.multi_line(
            pl.DataFrame(
                chart_rows,
                schema={
                    "quarter": pl.String,
                    "period": pl.String,
                    "series": pl.String,
                    "value": pl.Float64,
                    "value_text": pl.String,
                },
            ),
            y_title="% of children looked after",
            series_order=[labels[i.indicator_id] for i in present],
        ),
        width="stretch",
        key=f"{KEY}_chart_location",
        alt="Line chart of the share of children placed outside the authority and more than 20 miles from "
        "home, by quarter. The figures are in the table below.",
    )
    layout.table(
        pl.DataFrame(table_rows, schema={k: pl.String for k in table_rows[0]}),
        key=f"{KEY}_location",
        file_name=downloads.file_name("cla_location", la_code, quarter.label),
    )


def _stability(catalogue: Catalogue, values: Values, quarter: Quarter, la_code: str, la_name: str) -> None:
    st.header("Placement stability", divider="gray")
    st.markdown(
        "How settled children are, against England, the region and similar authorities "
        "(statistical neighbours). Published comparators are for the latest year ending 31 March on or before "
        "the end of the quarter."
    )
    table_rows, chart_rows = [], []
    present = [ind for ind in (catalogue.get(i) for i in STABILITY_IDS) if ind is not None]
    any_target = any(i.has_target for i in present)
    found = [
        (ind, *values.for_quarter(ind.indicator_id, quarter), values.comparators(ind.indicator_id, quarter))
        for ind in present
    ]
    region_names = {c.region_name for *_, c in found if c is not None and c.region_name}
    region = region_names.pop() if len(region_names) == 1 else "Region"
    for ind, row, period, comps in found:
        v = cell(row)
        text = disclosure.value_text(ind.unit, *v)
        hidden = disclosure.is_hidden(ind.unit, *v)

        # never a later year's figures beside an earlier period: "no published figure yet" instead
        none_text = NO_PUBLISHED_FIGURE if values.any_comparators(ind.indicator_id) else ""

        def published(
            value: float | None, ind: Indicator = ind, comps: Comparators | None = comps, none_text: str = none_text
        ) -> str:
            if comps is None or not comps.any:
                return none_text
            return _unit_text(ind, value) if value is not None else formatting.NOT_AVAILABLE

        table_row = {
            "Measure": ind.name,
            "Period": period,
            la_name: text,
            "England": published(comps.england if comps else None),
            region: published(comps.region if comps else None),
            "Statistical neighbours (average)": published(comps.neighbours if comps else None),
            "Comparators published for": comps.year_label if comps and comps.any else none_text,
        }
        if any_target:
            table_row["Against target"] = (
                disclosure.rag_text(row.get("rag"), hidden) if (row is not None and ind.has_target) else ""
            )
        table_rows.append(table_row)
        for who, value, value_text in (
            (la_name, None if hidden else v[0], text),
            ("England", comps.england if comps else None, table_row["England"]),
            (region, comps.region if comps else None, table_row[region]),
            (
                "Statistical neighbours",
                comps.neighbours if comps else None,
                table_row["Statistical neighbours (average)"],
            ),
        ):
            chart_rows.append({"measure": ind.short_name, "who": who, "value": value, "value_text": value_text})
    if not table_rows:
        st.markdown("_The catalogue has no placement-stability measures._")
        return
    st.altair_chart(
        charts.comparator_bars(
            pl.DataFrame(
                chart_rows,
                schema={"measure": pl.String, "who": pl.String, "value": pl.Float64, "value_text": pl.String},
            ),
            x_title="% of children",
            who_order=[la_name, "England", region, "Statistical neighbours"],
        ),
        width="stretch",
        key=f"{KEY}_chart_stability",
        alt="Bar chart comparing placement stability with England, the region and statistical neighbours. "
        "The figures are in the table below.",
    )
    layout.table(
        pl.DataFrame(table_rows, schema={k: pl.String for k in table_rows[0]}),
        key=f"{KEY}_stability",
        file_name=downloads.file_name("cla_stability", la_code, quarter.label),
    )
    cols = st.columns(len(present))
    for col, ind in zip(cols, present, strict=True):
        with col:
            layout.definition_popover(ind, key=f"{KEY}_def_{ind.indicator_id}", label=f"About: {ind.short_name}")
    _neighbours(la_code, la_name)


def _neighbours(la_code: str, la_name: str) -> None:
    neighbours = data.statistical_neighbours(la_code)
    with st.expander(f"Which authorities are {la_name}'s statistical neighbours?"):
        if neighbours.is_empty():
            st.markdown("_The warehouse lists no statistical neighbours for this authority._")
            return
        st.markdown(
            "Statistical neighbours are the authorities most like this one on the Department for Education's "
            "measures of need. The neighbours' figure is the average of those with a published value."
        )
        table = pl.DataFrame(
            [
                {
                    "Rank": str(r["sn_rank"]),
                    "Authority": r["sn_la_name"] or "",
                    "Code": r["sn_la_code"] or "",
                    "How close": str(r["closeness"]) if r["closeness"] is not None else "",
                }
                for r in neighbours.to_dicts()
            ],
            schema={"Rank": pl.String, "Authority": pl.String, "Code": pl.String, "How close": pl.String},
        )
        layout.table(table, key=f"{KEY}_neighbours", file_name=downloads.file_name("statistical_neighbours", la_code))


# Every page checks access itself: a page left out of the menu can still be asked for by its address.
auth.require_page("corporate-parenting")
render()
