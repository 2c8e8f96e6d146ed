"""Pure helpers over the served `indicators` catalogue and `indicator_values` rows (no Streamlit here).

Pages load frames through `app.data`, wrap them in `Catalogue` and `Values`, and ask for the row of a
quarter, the quarter before, the same quarter a year earlier, or the published comparators to show.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from app import formatting

Row = dict[str, Any]


@dataclass(frozen=True)
class Quarter:
    label: str
    start: dt.date
    end: dt.date

    @property
    def previous_start(self) -> dt.date:
        return formatting.shift_months(self.start, -3)

    @property
    def year_ago_start(self) -> dt.date:
        return formatting.shift_months(self.start, -12)

    @property
    def previous_label(self) -> str:
        return formatting.quarter_label(self.previous_start)

    @property
    def year_ago_label(self) -> str:
        return formatting.quarter_label(self.year_ago_start)


def quarters_from_frame(df: pl.DataFrame) -> list[Quarter]:
    """Quarters from `data.quarters` (period_label, period_start, period_end), newest first."""
    return [Quarter(r["period_label"], r["period_start"], r["period_end"]) for r in df.to_dicts()]


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    name: str
    short_name: str
    indicator_group: str | None
    breakdown_label: str | None
    definition: str | None
    numerator_definition: str | None
    denominator_definition: str | None
    unit: str
    polarity: str
    target: float | None
    amber_threshold: float | None
    definition_source: str | None
    sort_order: float | None
    domain: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Indicator:
        return cls(
            indicator_id=row["indicator_id"],
            name=row.get("name") or row["indicator_id"],
            short_name=row.get("short_name") or row.get("name") or row["indicator_id"],
            indicator_group=row.get("indicator_group"),
            breakdown_label=row.get("breakdown_label"),
            definition=row.get("definition"),
            numerator_definition=row.get("numerator_definition"),
            denominator_definition=row.get("denominator_definition"),
            unit=row.get("unit") or "count",
            polarity=row.get("polarity") or "neutral",
            target=row.get("target"),
            amber_threshold=row.get("amber_threshold"),
            definition_source=row.get("definition_source"),
            sort_order=row.get("sort_order"),
            domain=row.get("domain"),
        )

    @property
    def has_target(self) -> bool:
        return self.target is not None and not (isinstance(self.target, float) and math.isnan(self.target))

    @property
    def delta_color(self) -> str:
        """st.metric delta colour: green when the change is good, grey when neither."""
        return {"higher_is_better": "normal", "lower_is_better": "inverse"}.get(self.polarity, "off")


class Catalogue:
    def __init__(self, df: pl.DataFrame) -> None:
        self._rows = [Indicator.from_row(r) for r in df.to_dicts()]
        self._by_id = {i.indicator_id: i for i in self._rows}

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def get(self, indicator_id: str) -> Indicator | None:
        return self._by_id.get(indicator_id)

    def group(self, indicator_group: str) -> list[Indicator]:
        return [i for i in self._rows if i.indicator_group == indicator_group]

    @property
    def ids(self) -> list[str]:
        return list(self._by_id)


@dataclass(frozen=True)
class Comparators:
    england: float | None
    region: float | None
    region_name: str | None
    neighbours: float | None
    neighbours_count: int | None
    benchmark_year: int | None

    @property
    def year_label(self) -> str:
        return formatting.benchmark_year_label(self.benchmark_year)

    @property
    def any(self) -> bool:
        return any(_present(v) for v in (self.england, self.region, self.neighbours))


def _present(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _comparators(row: Row) -> Comparators:
    return Comparators(
        england=row.get("england_value"),
        region=row.get("region_value"),
        region_name=row.get("region_name"),
        neighbours=row.get("sn_value"),
        neighbours_count=row.get("sn_count"),
        benchmark_year=row.get("benchmark_year"),
    )


class Values:
    """Authority-level indicator_values rows, looked up by indicator, grain and period start."""

    def __init__(self, df: pl.DataFrame) -> None:
        self._rows: dict[tuple[str, str, dt.date], Row] = {}
        for row in df.to_dicts():
            self._rows[(row["indicator_id"], row["period_grain"], row["period_start"])] = row

    def row(self, indicator_id: str, grain: str, period_start: dt.date) -> Row | None:
        return self._rows.get((indicator_id, grain, period_start))

    def quarter(self, indicator_id: str, period_start: dt.date) -> Row | None:
        return self.row(indicator_id, "quarter", period_start)

    def series(self, indicator_id: str, grain: str) -> list[Row]:
        rows = [r for (i, g, _), r in self._rows.items() if i == indicator_id and g == grain]
        return sorted(rows, key=lambda r: r["period_start"])

    def latest_year_row(self, indicator_id: str, on_or_before: dt.date) -> Row | None:
        rows = [r for r in self.series(indicator_id, "year") if r["period_end"] <= on_or_before]
        return rows[-1] if rows else None

    def for_quarter(self, indicator_id: str, quarter: Quarter) -> tuple[Row | None, str]:
        """The quarter's row, else the latest full year ending by the quarter's end (annual measures).

        Returns the row and a label saying which period it is.
        """
        row = self.quarter(indicator_id, quarter.start)
        if row is not None:
            return row, quarter.label
        year_row = self.latest_year_row(indicator_id, quarter.end)
        if year_row is not None:
            return year_row, f"year to {formatting.long_date(year_row['period_end'])}"
        return None, quarter.label

    def comparators(self, indicator_id: str, quarter: Quarter) -> Comparators | None:
        """Published comparators to set beside a quarter's value, or None when none was published yet.

        Only a published year whose 31 March is on or before the quarter's end may be used (docs/contracts.md,
        "Comparators"): the quarter's own benchmark columns when filled and their year qualifies, else the
        latest yearly row ending on or before the quarter's end that has them. A quarter before the first
        published year gets None, never a later year's figures.
        """
        row = self.quarter(indicator_id, quarter.start)
        if row is not None and _comparators(row).any and _published_by(row, quarter.end, needs_year=True):
            return _comparators(row)
        years = [
            r
            for r in self.series(indicator_id, "year")
            if _comparators(r).any and _published_by(r, quarter.end, needs_year=False)
        ]
        return _comparators(years[-1]) if years else None

    def any_comparators(self, indicator_id: str) -> bool:
        """Whether any period of the indicator has published comparators (so "none yet" rather than "none")."""
        return any(_comparators(r).any for (i, _, _), r in self._rows.items() if i == indicator_id)


def _published_by(row: Row, period_end: dt.date, *, needs_year: bool) -> bool:
    """Whether the comparators on `row` were published for a year ending (31 March) by `period_end`.

    A quarter or month row names its year in `benchmark_year`; without it the year cannot be checked, so the
    row is not used (`needs_year`). A yearly row carries its own year's figures: its `benchmark_year` when
    filled, else its period end.
    """
    year = row.get("benchmark_year")
    if _present(year):
        return dt.date(int(year), 3, 31) <= period_end
    if needs_year:
        return False
    return row["period_end"] <= period_end


def cell(row: Row | None) -> tuple[float | None, float | None, float | None]:
    """(value, numerator, denominator) of a row, or Nones."""
    if row is None:
        return (None, None, None)
    return (row.get("value"), row.get("numerator"), row.get("denominator"))


NO_PUBLISHED_FIGURE = "no published figure yet"
RAG_TEXT = {"green": "On target", "amber": "Close to target", "red": "Off target"}
