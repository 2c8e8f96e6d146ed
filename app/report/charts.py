"""The report's charts: Altair specifications built from plain Python rows, and their offline rendering.

Charts are rendered by `vl-convert-python` without a browser or a network: SVG for the HTML file (inline, with
no reference to anything outside it) and PNG for the PDF. Every number is cast to float before it goes into a
specification (DuckDB's DECIMAL would otherwise travel as a string or be scaled wrongly), and a value hidden by
the small-number rules arrives here as None, so it is simply not drawn.

Each builder takes rows of dicts, already through `app.disclosure`, and returns an Altair chart of a fixed size
(a printed page has no "container width").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape
from typing import Any

import altair as alt
import vl_convert as vlc

WIDTH = 440
HEIGHT = 220
LA_COLOUR = "#1d70b8"
ENGLAND_COLOUR = "#d4351c"
NEIGHBOURS_COLOUR = "#505a5f"
SERIES_COLOURS = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#b58840", "#5694ca", "#912b88", "#85994b"]
FONT = "Helvetica, Arial, sans-serif"
PNG_SCALE = 2.0


def _float(x: Any) -> float | None:
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of the rows with `value` cast to float (None stays None: a hidden or missing figure)."""
    return [{**r, "value": _float(r.get("value"))} for r in rows]


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=FONT).configure_view(stroke=None).configure_axis(
        labelFontSize=11, titleFontSize=11, gridColor="#e5e5e5"
    ).configure_legend(labelFontSize=11, titleFontSize=11, orient="top", labelLimit=260)


def quarter_lines(rows: Sequence[dict[str, Any]], *, quarters: Sequence[str], y_title: str) -> alt.TopLevelMixin:
    """Lines across the year's quarters, one per series: rows of quarter, series, value (null when hidden)."""
    data = alt.Data(values=_rows(rows))
    series = list(dict.fromkeys(r["series"] for r in rows))
    colours = (SERIES_COLOURS * (len(series) // len(SERIES_COLOURS) + 1))[: len(series)]
    x = alt.X("quarter:N", title=None, sort=list(quarters), scale=alt.Scale(domain=list(quarters)),
              axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=True))
    colour = alt.Color("series:N", title=None, sort=series, scale=alt.Scale(domain=series, range=colours))
    lines = alt.Chart(data).mark_line(strokeWidth=2).encode(x=x, y=y, color=colour)
    points = alt.Chart(data).mark_point(filled=True, size=50).encode(x=x, y=y, color=colour)
    return _config(alt.layer(lines, points).properties(width=WIDTH, height=HEIGHT))


def quarter_bars(rows: Sequence[dict[str, Any]], *, quarters: Sequence[str], y_title: str) -> alt.TopLevelMixin:
    """One bar per quarter: rows of quarter, value (null when hidden)."""
    data = alt.Data(values=_rows(rows))
    chart = (
        alt.Chart(data)
        .mark_bar(color=LA_COLOUR)
        .encode(
            x=alt.X("quarter:N", title=None, sort=list(quarters), scale=alt.Scale(domain=list(quarters)),
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=y_title, axis=alt.Axis(tickMinStep=1)),
        )
        .properties(width=WIDTH, height=HEIGHT * 0.8)
    )
    return _config(chart)


def category_bars(rows: Sequence[dict[str, Any]], *, x_title: str) -> alt.TopLevelMixin:
    """Horizontal bars in the order given: rows of label, value (null when hidden)."""
    data = alt.Data(values=_rows(rows))
    labels = [r["label"] for r in rows]
    chart = (
        alt.Chart(data)
        .mark_bar(color=LA_COLOUR)
        .encode(
            y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=260)),
            x=alt.X("value:Q", title=x_title),
        )
        .properties(width=WIDTH - 120, height=alt.Step(18))
    )
    return _config(chart)


def comparison_bars(rows: Sequence[dict[str, Any]], *, series: Sequence[str], x_title: str) -> alt.TopLevelMixin:
    """Horizontal bars by measure, one per series within each (the authority, England, neighbours): rows of
    label, series, value."""
    data = alt.Data(values=_rows(rows))
    labels = list(dict.fromkeys(r["label"] for r in rows))
    palette = [LA_COLOUR, ENGLAND_COLOUR, NEIGHBOURS_COLOUR, *SERIES_COLOURS[1:]][: len(series)]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=220)),
            yOffset=alt.YOffset("series:N", sort=list(series)),
            x=alt.X("value:Q", title=x_title),
            color=alt.Color("series:N", title=None, sort=list(series), scale=alt.Scale(domain=list(series),
                                                                                     range=palette)),
        )
        .properties(width=WIDTH - 120, height=alt.Step(12))
    )
    return _config(chart)


# --- rendering ---------------------------------------------------------------------------------------------------


def _vl_version() -> str | None:
    """The Vega-Lite version Altair writes, if vl-convert knows it (else vl-convert's default)."""
    match = re.match(r"v?(\d+)\.(\d+)", alt.SCHEMA_VERSION)
    if not match:
        return None
    wanted = f"{match.group(1)}.{match.group(2)}"
    try:
        known = vlc.get_vegalite_versions()
    except AttributeError:  # pragma: no cover - older vl-convert
        return None
    return wanted if wanted in known else None


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return chart.to_dict()


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (text), rendered offline."""
    return vlc.vegalite_to_svg(spec(chart), vl_version=_vl_version())


def to_png(chart: alt.TopLevelMixin, scale: float = PNG_SCALE) -> bytes:
    """The chart as PNG bytes, rendered offline at `scale` times its size in pixels."""
    return vlc.vegalite_to_png(spec(chart), vl_version=_vl_version(), scale=scale)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def inline_svg(svg: str, *, label: str) -> str:
    """An SVG document made fit to sit inside an HTML page: no XML prologue, no namespace declarations (HTML
    does not need them, and the file then names no address at all), a title for screen readers."""
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    svg = _XMLNS.sub("", svg)
    return svg.replace("<svg", f'<svg role="img" aria-label="{escape(label, quote=True)}"', 1)
