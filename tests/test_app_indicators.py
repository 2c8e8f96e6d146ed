"""Unit tests for app/indicators.py: which published comparators may stand beside a period's value."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from app import formatting
from app.indicators import Quarter, Values

ID = "cla_rate_per_10k"
SCHEMA = {
    "indicator_id": pl.String,
    "period_grain": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value": pl.Float64,
    "benchmark_year": pl.Int64,
    "england_value": pl.Float64,
    "region_value": pl.Float64,
    "region_name": pl.String,
    "sn_value": pl.Float64,
    "sn_count": pl.Int64,
}


def quarter(start: dt.date) -> Quarter:
    """The quarter starting on `start` (the 1st of April, July, October or January)."""
    return Quarter(formatting.quarter_label(start), start, formatting.shift_months(start, 3) - dt.timedelta(days=1))


def year_row(benchmark_year: int, england: float, *, with_year: bool = True) -> dict:
    return {
        "indicator_id": ID,
        "period_grain": "year",
        "period_start": dt.date(benchmark_year - 1, 4, 1),
        "period_end": dt.date(benchmark_year, 3, 31),
        "value": 60.0,
        "benchmark_year": benchmark_year if with_year else None,
        "england_value": england,
        "region_value": england - 10,
        "region_name": "South East",
        "sn_value": england - 5,
        "sn_count": 10,
    }


def quarter_row(q: Quarter, benchmark_year: int | None = None, england: float | None = None) -> dict:
    return {
        "indicator_id": ID,
        "period_grain": "quarter",
        "period_start": q.start,
        "period_end": q.end,
        "value": 61.0,
        "benchmark_year": benchmark_year,
        "england_value": england,
        "region_value": None,
        "region_name": None,
        "sn_value": None,
        "sn_count": None,
    }


def values(*rows: dict) -> Values:
    return Values(pl.DataFrame(list(rows), schema=SCHEMA))


# First published year: the year ending 31 March 2023.
YEARS = (year_row(2023, 71.0), year_row(2024, 70.0), year_row(2025, 67.0))


@pytest.mark.parametrize("start", [dt.date(2022, 4, 1), dt.date(2022, 7, 1), dt.date(2022, 10, 1)])
def test_no_comparators_before_the_first_published_year(start):
    # these quarters end before 31 March 2023: a later year's figure must never stand in
    assert values(*YEARS).comparators(ID, quarter(start)) is None


@pytest.mark.parametrize(
    ("start", "year", "england"),
    [
        (dt.date(2023, 1, 1), 2023, 71.0),  # ends 31 March 2023: that year's own figure
        (dt.date(2023, 4, 1), 2023, 71.0),
        (dt.date(2024, 1, 1), 2024, 70.0),
        (dt.date(2024, 10, 1), 2024, 70.0),
        (dt.date(2025, 7, 1), 2025, 67.0),
    ],
)
def test_latest_year_published_by_the_quarter_end(start, year, england):
    comps = values(*YEARS).comparators(ID, quarter(start))
    assert comps is not None
    assert (comps.benchmark_year, comps.england) == (year, england)


def test_quarter_row_with_a_later_year_is_not_used():
    q = quarter(dt.date(2022, 7, 1))
    assert values(quarter_row(q, 2023, 71.0), *YEARS).comparators(ID, q) is None
    q4 = quarter(dt.date(2024, 1, 1))
    comps = values(quarter_row(q4, 2025, 67.0), *YEARS).comparators(ID, q4)
    assert (comps.benchmark_year, comps.england) == (2024, 70.0)  # falls back to a year that qualifies


def test_quarter_row_with_its_own_qualifying_year_is_used():
    q = quarter(dt.date(2024, 7, 1))
    comps = values(quarter_row(q, 2024, 69.5), *YEARS).comparators(ID, q)
    assert (comps.benchmark_year, comps.england) == (2024, 69.5)


def test_quarter_row_without_a_year_cannot_be_checked_and_is_not_used():
    q = quarter(dt.date(2022, 7, 1))
    assert values(quarter_row(q, None, 71.0), *YEARS).comparators(ID, q) is None


def test_year_rows_without_benchmark_year_use_their_period_end():
    rows = (year_row(2023, 71.0, with_year=False), year_row(2024, 70.0, with_year=False))
    assert values(*rows).comparators(ID, quarter(dt.date(2022, 10, 1))) is None
    assert values(*rows).comparators(ID, quarter(dt.date(2023, 7, 1))).england == 71.0


def test_no_published_years_at_all():
    assert values().comparators(ID, quarter(dt.date(2024, 7, 1))) is None


def test_any_comparators_tells_none_yet_from_none_at_all():
    assert values(*YEARS).any_comparators(ID)
    assert not values().any_comparators(ID)
    assert not values(quarter_row(quarter(dt.date(2024, 7, 1)))).any_comparators(ID)
