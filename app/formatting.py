"""Number, date and period formatting in plain English. No suppression here: see `app.disclosure`."""

from __future__ import annotations

import calendar
import datetime as dt
import math

NOT_AVAILABLE = "not available"


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def count(n: float | None) -> str:
    """1234 -> "1,234"."""
    if _missing(n):
        return NOT_AVAILABLE
    return f"{round(float(n)):,}"


def percent(x: float | None) -> str:
    """Percentages are stored 0-100: 12.345 -> "12.3%"."""
    if _missing(x):
        return NOT_AVAILABLE
    return f"{float(x):,.1f}%"


def rate(x: float | None) -> str:
    """Rates (per 10,000) to one decimal place: 65 -> "65.0"."""
    if _missing(x):
        return NOT_AVAILABLE
    return f"{float(x):,.1f}"


def number(x: float | None) -> str:
    if _missing(x):
        return NOT_AVAILABLE
    return f"{float(x):,.1f}"


def fte(x: float | None) -> str:
    """Full-time equivalents to one decimal place: 123.44 -> "123.4 FTE"."""
    if _missing(x):
        return NOT_AVAILABLE
    return f"{float(x):,.1f} FTE"


def ratio(x: float | None) -> str:
    """A ratio such as cases per FTE or days lost per FTE, to one decimal place: 18.666 -> "18.7"."""
    if _missing(x):
        return NOT_AVAILABLE
    return f"{float(x):,.1f}"


def by_unit(unit: str | None, x: float | None) -> str:
    """Any value by its catalogue unit (`count`, `percent`, `rate_per_10k`, `fte`, `ratio`), unsuppressed.

    For figures that are not counts of children (staff, targets, published comparators); children's figures
    go through `app.disclosure` instead."""
    if unit == "count":
        return count(x)
    if unit == "percent":
        return percent(x)
    if unit == "rate_per_10k":
        return rate(x)
    if unit == "fte":
        return fte(x)
    if unit == "ratio":
        return ratio(x)
    return number(x)


def signed_by_unit(unit: str | None, delta: float) -> str:
    """A change for st.metric (which reads the sign): "+5", "-1.2 points", "+0.5 FTE", "-0.3"."""
    if unit == "count":
        return signed_count(delta)
    if unit == "percent":
        return signed_points(delta)
    if unit == "fte":
        return signed_points(delta, " FTE")
    return signed_points(delta, "")


def count_change(delta: float) -> str:
    """Plain English, never a leading sign: "up 5", "down 3", "no change"."""
    d = round(float(delta))
    if d == 0:
        return "no change"
    return f"{'up' if d > 0 else 'down'} {abs(d):,}"


def points_change(delta: float) -> str:
    """Change between two percentages: "up 1.2 points", "down 0.4 points", "no change"."""
    d = round(float(delta), 1)
    if d == 0:
        return "no change"
    return f"{'up' if d > 0 else 'down'} {abs(d):,.1f} points"


def signed_count(delta: float) -> str:
    """For st.metric deltas, which read the sign: "+5", "-3", "0"."""
    d = round(float(delta))
    return "0" if d == 0 else f"{d:+,}"


def signed_points(delta: float, suffix: str = " points") -> str:
    d = round(float(delta), 1)
    return "0" if d == 0 else f"{d:+,.1f}{suffix}"


def long_date(d: dt.date | dt.datetime | None) -> str:
    """31 March 2025."""
    if d is None:
        return NOT_AVAILABLE
    return f"{d.day} {d:%B %Y}"


def date_time(d: dt.datetime | None) -> str:
    """2 April 2025 at 09:30."""
    if d is None:
        return NOT_AVAILABLE
    if not isinstance(d, dt.datetime):
        return long_date(d)
    return f"{d.day} {d:%B %Y} at {d:%H:%M}"


def financial_year(start_year: int) -> str:
    """2024 -> "2024-25"."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def fy_start_year(d: dt.date) -> int:
    return d.year if d.month >= 4 else d.year - 1


def quarter_label(period_start: dt.date) -> str:
    """Financial-year quarter of a date: 2024-10-01 -> "2024-25 Q3" (Q1 is April to June)."""
    q = (period_start.month - 4) % 12 // 3 + 1
    return f"{financial_year(fy_start_year(period_start))} Q{q}"


def benchmark_year_label(time_period: int | None) -> str:
    """DfE time_period (year ending 31 March) -> financial year: 2024 -> "2023-24"."""
    if time_period is None or _missing(time_period):
        return NOT_AVAILABLE
    return financial_year(int(time_period) - 1)


def comparator_year(time_period: int | None, benchmark_series: str | None = None) -> str:
    """Which published figures a comparator is: DfE's year to 31 March ("2023-24"), or, for a series published
    as at 30 September (the social work workforce census), that census day ("30 September 2024")."""
    if time_period is None or _missing(time_period):
        return ""
    if "30 september" in (benchmark_series or "").lower():
        return f"30 September {int(time_period)}"
    return benchmark_year_label(time_period)


def shift_months(d: dt.date, months: int) -> dt.date:
    """Same day-of-month `months` later (day clipped); used with period starts, which are the 1st."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
