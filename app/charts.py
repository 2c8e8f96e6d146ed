"""Altair chart builders shared by pages.

Every builder takes a polars frame whose numbers have already been through `app.disclosure` (hidden cells
are null, so they are simply not drawn) and casts any DECIMAL column to DOUBLE first: Altair in Streamlit
draws DECIMAL values 100 times too large. Tooltips repeat the formatted text shown in the tables, and each
chart picks the nearest point under the pointer, so a reader (or a browser test) can check chart against
table.
"""

from __future__ import annotations

import math

import altair as alt
import polars as pl

from app.data import plain_types

HEIGHT = 300
LA_COLOUR = "#1d70b8"
ENGLAND_COLOUR = "#d4351c"
SERIES_COLOURS = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#b58840", "#5694ca", "#912b88", "#85994b"]


def _prepare(df: pl.DataFrame) -> pl.DataFrame:
    return plain_types(df)


def _quarter_axis(order: list[str]) -> alt.X:
    return alt.X("quarter:N", title=None, sort=order, scale=alt.Scale(domain=order), axis=alt.Axis(labelAngle=-45))


def trend_with_reference(
    local: pl.DataFrame,
    reference: pl.DataFrame,
    *,
    y_title: str,
    local_name: str,
    reference_name: str = "England",
    value_format: str = ".1f",
) -> alt.LayerChart:
    """Quarterly line for the authority plus published yearly reference points (e.g. England).

    `local`: quarter (axis label, oldest first), period (tooltip text), value (float or null), value_text.
    `reference`: the same columns; quarter is the quarter ending on the 31 March the figure is published for.
    """
    order = local["quarter"].to_list()
    local = _prepare(local).with_columns(pl.lit(local_name).alias("series"))
    reference = _prepare(reference).with_columns(pl.lit(reference_name).alias("series"))
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[local_name, reference_name], range=[LA_COLOUR, ENGLAND_COLOUR]),
        legend=alt.Legend(orient="top"),
    )
    x = _quarter_axis(order)
    drawn = [v for v in [*local["value"].to_list(), *reference["value"].to_list()] if v is not None]
    scale = (
        alt.Scale(zero=False, domain=[math.floor(min(drawn)) - 1, math.ceil(max(drawn)) + 1])
        if drawn
        else alt.Scale(zero=False)
    )
    y = alt.Y("value:Q", title=y_title, scale=scale, axis=alt.Axis(format=value_format))
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value_text:N", title=y_title),
    ]
    hover = alt.selection_point(on="pointerover", nearest=True, empty=False, clear="pointerout")
    line = alt.Chart(local).mark_line(strokeWidth=2).encode(x=x, y=y, color=colour)
    points = (
        alt.Chart(local)
        .mark_point(filled=True, size=60)
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
        .add_params(hover)
    )
    ref_points = (
        alt.Chart(reference)
        .mark_point(shape="diamond", filled=True, size=150)
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
    )
    return alt.layer(line, points, ref_points).properties(height=HEIGHT)


def multi_line(
    frame: pl.DataFrame, *, y_title: str, series_order: list[str], value_format: str = ".1f"
) -> alt.LayerChart:
    """Several quarterly series: frame has quarter (oldest first), period, series, value, value_text."""
    order = frame["quarter"].unique(maintain_order=True).to_list()
    frame = _prepare(frame)
    colour = alt.Color(
        "series:N",
        title=None,
        sort=series_order,
        scale=alt.Scale(domain=series_order, range=SERIES_COLOURS[: len(series_order)]),
        legend=alt.Legend(orient="top", labelLimit=400),
    )
    x = _quarter_axis(order)
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(format=value_format))
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value_text:N", title=y_title),
    ]
    hover = alt.selection_point(on="pointerover", nearest=True, empty=False, clear="pointerout")
    line = alt.Chart(frame).mark_line(strokeWidth=2).encode(x=x, y=y, color=colour)
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=50)
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
        .add_params(hover)
    )
    return alt.layer(line, points).properties(height=HEIGHT)


def grouped_bars(frame: pl.DataFrame, *, x_title: str) -> alt.Chart:
    """Horizontal bars of share by category, one bar per period within each category.

    frame: label, label_order, period, period_order, share (null when hidden), share_text, children_text.
    """
    frame = _prepare(frame)
    periods = frame.sort("period_order")["period"].unique(maintain_order=True).to_list()
    labels = frame.sort("label_order")["label"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("period:N", sort=periods),
            x=alt.X("share:Q", title=x_title),
            color=alt.Color(
                "period:N",
                title=None,
                sort=periods,
                scale=alt.Scale(domain=periods, range=["#b1b4b6", "#5694ca", LA_COLOUR][-len(periods) :]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Placement"),
                alt.Tooltip("period:N", title="Quarter"),
                alt.Tooltip("children_text:N", title="Children"),
                alt.Tooltip("share_text:N", title="Share"),
            ],
        )
        .properties(height=alt.Step(12))
    )


def stacked_share(frame: pl.DataFrame, *, category_order: list[str]) -> alt.Chart:
    """Stacked columns of share by category per quarter: period, period_order, category, category_order,
    share, share_text, children_text."""
    frame = _prepare(frame)
    periods = frame.sort("period_order")["period"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("period:N", title=None, sort=periods, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("share:Q", title="% of children looked after", stack="zero"),
            color=alt.Color(
                "category:N",
                title=None,
                sort=category_order,
                scale=alt.Scale(domain=category_order, range=SERIES_COLOURS[: len(category_order)]),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("category_order:Q"),
            tooltip=[
                alt.Tooltip("period:N", title="Quarter"),
                alt.Tooltip("category:N", title="Provided by"),
                alt.Tooltip("children_text:N", title="Children"),
                alt.Tooltip("share_text:N", title="Share"),
            ],
        )
        .properties(height=HEIGHT)
    )


def comparator_bars(frame: pl.DataFrame, *, x_title: str, who_order: list[str]) -> alt.Chart:
    """Bars of one value per comparator, per measure: measure, who, value (null when hidden), value_text."""
    frame = _prepare(frame)
    measures = frame["measure"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", title=None, sort=measures, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("who:N", sort=who_order),
            x=alt.X("value:Q", title=x_title),
            color=alt.Color(
                "who:N",
                title=None,
                sort=who_order,
                scale=alt.Scale(domain=who_order, range=SERIES_COLOURS[: len(who_order)]),
                legend=alt.Legend(orient="top", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("who:N", title="Area"),
                alt.Tooltip("value_text:N", title="Value"),
            ],
        )
        .properties(height=alt.Step(16))
    )


# --- workforce and complaints ----------------------------------------------------------------------------------

TARGET_COLOUR = "#505a5f"


def monthly_lines(frame: pl.DataFrame, *, y_title: str, value_format: str = ".1f") -> alt.LayerChart:
    """A line per series month by month, with a dashed "Target" series if the frame has one.

    frame: series, series_order, month (label), month_start (ISO date), value (null when missing), value_text.
    """
    frame = _prepare(frame)
    series = frame.sort("series_order")["series"].unique(maintain_order=True).to_list()
    palette = [TARGET_COLOUR if s == "Target" else c for s, c in zip(series, _cycle(len(series)), strict=True)]
    colour = alt.Color(
        "series:N",
        title=None,
        sort=series,
        scale=alt.Scale(domain=series, range=palette),
        legend=alt.Legend(orient="top", labelLimit=400),
    )
    dash = alt.StrokeDash(
        "series:N",
        scale=alt.Scale(domain=series, range=[[6, 4] if s == "Target" else [1, 0] for s in series]),
        legend=None,
    )
    x = alt.X("utcyearmonth(month_start):T", title=None, axis=alt.Axis(format="%b %y", labelAngle=-45))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format=value_format))
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("month:N", title="Month"),
        alt.Tooltip("value_text:N", title=y_title),
    ]
    hover = alt.selection_point(on="pointerover", nearest=True, empty=False, clear="pointerout")
    line = alt.Chart(frame).mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, strokeDash=dash)
    points = (
        alt.Chart(frame)
        .transform_filter(alt.datum.series != "Target")
        .mark_point(filled=True, size=40)
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
        .add_params(hover)
    )
    return alt.layer(line, points).properties(height=HEIGHT)


def _cycle(n: int) -> list[str]:
    return [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(n)]


def ranked_stacked_bars(
    frame: pl.DataFrame,
    *,
    x_title: str,
    category_order: list[str],
    label_title: str,
    category_title: str,
    total_title: str | None = None,
) -> alt.Chart:
    """Horizontal stacked bars, one per label in `label_order` (rank), stacked by category.

    frame: label, label_order, category, category_order, value (null when hidden or missing), value_text, and
    total_text when `total_title` is given.
    """
    frame = _prepare(frame)
    labels = frame.sort("label_order")["label"].unique(maintain_order=True).to_list()
    tooltip = [
        alt.Tooltip("label:N", title=label_title),
        alt.Tooltip("category:N", title=category_title),
        alt.Tooltip("value_text:N", title="Value"),
    ]
    if total_title:
        tooltip.append(alt.Tooltip("total_text:N", title=total_title))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=320)),
            x=alt.X("value:Q", title=x_title, stack="zero"),
            color=alt.Color(
                "category:N",
                title=None,
                sort=category_order,
                scale=alt.Scale(domain=category_order, range=_cycle(len(category_order))),
                legend=alt.Legend(orient="top", labelLimit=400),
            ),
            order=alt.Order("category_order:Q"),
            tooltip=tooltip,
        )
        .properties(height=alt.Step(24))
    )


def bars_against_ceiling(frame: pl.DataFrame, *, ceiling: float, x_title: str) -> alt.LayerChart:
    """Horizontal bars (label, label_order, value, value_text, above_text, status) with a rule at the ceiling."""
    frame = _prepare(frame)
    labels = frame.sort("label_order")["label"].unique(maintain_order=True).to_list()
    statuses = ["At or below the ceiling", "Above the ceiling"]
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=320)),
            x=alt.X("value:Q", title=x_title),
            color=alt.Color(
                "status:N",
                title=None,
                sort=statuses,
                scale=alt.Scale(domain=statuses, range=[LA_COLOUR, ENGLAND_COLOUR]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Team"),
                alt.Tooltip("value_text:N", title="Average caseload"),
                alt.Tooltip("above_text:N", title="Workers above the ceiling"),
            ],
        )
    )
    rule = (
        alt.Chart(pl.DataFrame({"ceiling": [float(ceiling)]}))
        .mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], strokeWidth=2)
        .encode(x="ceiling:Q", tooltip=[alt.Tooltip("ceiling:Q", title="Ceiling", format=".1f")])
    )
    return alt.layer(bars, rule).properties(height=alt.Step(24))


def category_bars(frame: pl.DataFrame, *, x_title: str, label_title: str, value_title: str) -> alt.Chart:
    """Horizontal bars, one per label in `label_order`: label, label_order, value (null when hidden), value_text."""
    frame = _prepare(frame)
    labels = frame.sort("label_order")["label"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(frame)
        .mark_bar(color=LA_COLOUR)
        .encode(
            y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=320)),
            x=alt.X("value:Q", title=x_title, axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip("label:N", title=label_title), alt.Tooltip("value_text:N", title=value_title)],
        )
        .properties(height=alt.Step(22))
    )


def grouped_period_bars(frame: pl.DataFrame, *, x_title: str, label_title: str) -> alt.Chart:
    """Horizontal bars by label, one per period within each label.

    frame: label, label_order, period, period_order, value (null when hidden), value_text.
    """
    frame = _prepare(frame)
    periods = frame.sort("period_order")["period"].unique(maintain_order=True).to_list()
    labels = frame.sort("label_order")["label"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("period:N", sort=periods),
            x=alt.X("value:Q", title=x_title),
            color=alt.Color(
                "period:N",
                title=None,
                sort=periods,
                scale=alt.Scale(domain=periods, range=["#b1b4b6", "#5694ca", LA_COLOUR][-len(periods) :]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=label_title),
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("value_text:N", title="Value"),
            ],
        )
        .properties(height=alt.Step(14))
    )


# --- audits --------------------------------------------------------------------------------------------------------

RAG_STATUSES = ("On target", "Close to target", "Off target", "No target")
RAG_FILLS = ("#00703c", "#f47738", "#d4351c", "#b1b4b6")


def rag_bars(frame: pl.DataFrame, *, x_title: str, target: float | None = None) -> alt.LayerChart:
    """Horizontal bars (label, label_order, level, value, value_text, status) coloured by status against target,
    with a dashed rule at the target when there is one."""
    frame = _prepare(frame)
    labels = frame.sort("label_order")["label"].unique(maintain_order=True).to_list()
    drawn = [v for v in frame["value"].to_list() if v is not None]
    upper = max([100.0, *drawn, *([float(target)] if target is not None else [])])  # completion can pass 100%
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=320)),
            x=alt.X("value:Q", title=x_title, scale=alt.Scale(domain=[0, upper])),
            color=alt.Color(
                "status:N",
                title=None,
                sort=list(RAG_STATUSES),
                scale=alt.Scale(domain=list(RAG_STATUSES), range=list(RAG_FILLS)),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Who"),
                alt.Tooltip("level:N", title="Level"),
                alt.Tooltip("value_text:N", title=x_title),
                alt.Tooltip("status:N", title="Against target"),
            ],
        )
    )
    layers = [bars]
    if target is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"target": [float(target)]}))
            .mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], strokeWidth=2)
            .encode(x="target:Q", tooltip=[alt.Tooltip("target:Q", title="Target", format=".1f")])
        )
    return alt.layer(*layers).properties(height=alt.Step(24))
