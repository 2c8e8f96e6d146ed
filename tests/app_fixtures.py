"""A small hand-made served warehouse for the app's tests (see docs/contracts.md, "Served warehouse").

`write_warehouse(path)` writes a DuckDB file with meta.build_info, meta.loads, indicators,
indicator_values, statistical_neighbours and a minimal dim_date. Every number follows a rule simple enough to
check by eye. Quarter index i runs 0..11 from 2022-23 Q1 to 2024-25 Q4 (2024-25 Q3 is i = 10).

East Sussex (845), population 100,000 children, quarterly (org_level 'la'):

| indicator | rule | 2024-25 Q3 (i=10) |
| --- | --- | --- |
| cla_at_period_end | 600 + 5i | 650 |
| cla_rate_per_10k | (600 + 5i) / 10, numerator the count, denominator 100,000 | 65.0 |
| cla_starts | 40 + i, except 9 in 2024-25 Q2 | 50 |
| cla_ceased | 35 + i, except 4 (a small number) in 2024-25 Q2 | 45 |
| placement types (count) | foster 380+2i, kinship 80+i, residential 60+i, supported 40+i, | 400, 90, 70, 50, |
| | adoption 22, parents 15, other 3 | 22, 15, 3 |
| providers (count) | own_la 330+2i, private 200+3i, other_la 30, voluntary 20, | 350, 230, 30, 20, |
| | other_public 3, parents 15; no provider recorded 2 (total minus the six) | 3, 15; 2 |
| `_pct` of each | count / (600 + 5i) * 100 | |
| cla_placed_outside_la_pct | (150 + i) / (600 + 5i) | 160/650 = 24.6% |
| cla_placed_over_20_miles_pct | (70 + 2i) / (600 + 5i), target 12 (amber to 15) | 90/650 = 13.8%, amber |
| cla_3plus_placements_pct | (60 + i) / (600 + 5i) (rolling year) | 70/650 = 10.8% |

Two children each quarter have no placement provider recorded (in the total only), so the provider groups add
up to 2 fewer than the children looked after; the placement types add up to the total.

Yearly rows (one per financial year 2022-23, 2023-24, 2024-25, as at 31 March) carry the published
comparators, benchmark_year 2023, 2024, 2025 (long-term stability has yearly rows only):

| indicator | value | England | South East | neighbours (10) |
| --- | --- | --- | --- | --- |
| cla_rate_per_10k | 61.5, 63.5, 65.5 | 71.0, 70.0, 67.0 | 57.0, 56.0, 55.0 | 60.2, 61.4, 62.8 |
| cla_placed_outside_la_pct | Q4 values | 41.0, 42.0, 43.0 | 38.0, 39.0, 40.0 | 35.0, 36.0, 37.0 |
| cla_placed_over_20_miles_pct | Q4 values | 16.0, 16.0, 17.0 | 15.0, 15.0, 16.0 | 14.0, 14.5, 15.0 |
| cla_3plus_placements_pct | 63/615, 67/635, 71/655 | 10.0, 10.0, 11.0 | 11.0, 11.0, 12.0 | 10.5, 10.9, 11.3 |
| cla_long_term_stability_pct | 160/230, 168/240, 175/250 | 71.0, 71.0, 69.0 | 68.0, 68.0, 67.0 | 70.5, 70.8, 69.9 |

Long-term stability has a target of 70 (higher is better, amber from 65): amber, green, green.
Quarters 2022-23 Q1 to Q3 end before the first published year (31 March 2023), so they have no comparators.

Brighton and Hove (846), 2024-25 only (population 50,000): children looked after 300, 301, 302, 303;
rate = count / 5; starts 2 and ceased 1 each quarter (small numbers); long-term stability 2024-25 = 3/4
(75%, "green" in the row: a RAG the page must not show beside the hidden value). Placed more than 20 miles
from home (target 12, amber to 15): Q1 40/300 = 13.3% amber, Q2 4/30 = 13.3% amber (hidden, small
numerator), Q3 39/301 = 13.0% amber, Q4 36/303 = 11.9% green; placed outside the area 90/300, 91/301, ...

Decoys the page must ignore: a team-level row (cla_at_period_end = 123 for team T01 in 2024-25 Q3), a
month row (Dec 2024 = 651) and another domain's indicator in 2025-26 Q1 (cin_rate_per_10k).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
from fixture_writing import insert_rows as _insert

LA, LA_NAME = "845", "East Sussex"
OTHER_LA, OTHER_LA_NAME = "846", "Brighton and Hove"
REGION = "South East"
BUILD_ID = "fixture-20250402-0930"
BUILT_AT = dt.datetime(2025, 4, 2, 9, 30)
N_QUARTERS = 12

PLACEMENT_TYPES = [  # slug, label, rule for quarter i
    ("foster", "Foster care with other carers", lambda i: 380 + 2 * i),
    ("kinship", "Foster care with relatives or friends", lambda i: 80 + i),
    ("residential", "Children's homes and residential care", lambda i: 60 + i),
    ("supported", "Supported accommodation and independent living", lambda i: 40 + i),
    ("adoption", "Placed for adoption", lambda i: 22),
    ("parents", "Placed with parents", lambda i: 15),
    ("other", "Other placements (secure, health, custody)", lambda i: 3),
]
PROVIDERS = [
    ("own_la", "Own council", lambda i: 330 + 2 * i),
    ("private", "Private provider", lambda i: 200 + 3 * i),
    ("other_la", "Another council", lambda i: 30),
    ("voluntary", "Voluntary or third sector", lambda i: 20),
    ("other_public", "Other public body (e.g. NHS)", lambda i: 3),
    ("parents", "Parents or others with parental responsibility", lambda i: 15),
]
SNS_845 = [
    (1, "878", "Devon", "Very close"),
    (2, "886", "Kent", "Very close"),
    (3, "908", "Cornwall", "Very close"),
    (4, "926", "Norfolk", "Very close"),
    (5, "881", "Essex", "Very close"),
    (6, "351", "Bury", "Very close"),
    (7, "838", "Dorset", "Very close"),
    (8, "938", "West Sussex", "Very close"),
    (9, "929", "Northumberland", "Very close"),
    (10, "839", "Bournemouth, Christchurch and Poole", "Close"),
]
SNS_846 = [(1, "801", "Bristol, City of", "Close"), (2, "882", "Southend-on-Sea", "Somewhat close")]


def quarter(i: int) -> tuple[str, dt.date, dt.date]:
    """(label, start, end) of quarter index i: 0 = 2022-23 Q1."""
    fy = 2022 + i // 4
    q = i % 4 + 1
    month = 4 + 3 * (q - 1)
    year = fy if month <= 12 else fy + 1
    month = month if month <= 12 else month - 12
    start = dt.date(year, month, 1)
    nxt = dt.date(year + (month + 3 > 12), (month + 2) % 12 + 1, 1)
    return f"{fy}-{(fy + 1) % 100:02d} Q{q}", start, nxt - dt.timedelta(days=1)


def quarter_index(label: str) -> int:
    return next(i for i in range(N_QUARTERS) if quarter(i)[0] == label)


def fy_label(fy: int) -> str:
    return f"{fy}-{(fy + 1) % 100:02d}"


def cla(i: int) -> int:
    return 600 + 5 * i


def starts(i: int) -> int:
    return 9 if i == 9 else 40 + i


def ceased(i: int) -> int:
    return 4 if i == 9 else 35 + i


def rag(value: float, target: float, amber: float) -> str:
    return "green" if value <= target else "amber" if value <= amber else "red"


def higher_rag(value: float, target: float, amber: float) -> str:
    """RAG where higher is better: green at or above the target, amber at or above the amber threshold."""
    return "green" if value >= target - 1e-9 else "amber" if value >= amber else "red"


# Brighton and Hove, placed more than 20 miles from home: (numerator, denominator) by quarter index
OTHER_LA_OVER_20_MILES = {8: (40, 300), 9: (4, 30), 10: (39, 301), 11: (36, 303)}


# --- catalogue ---------------------------------------------------------------------------------------------

CATALOGUE_COLUMNS = (
    "indicator_id",
    "name",
    "short_name",
    "domain",
    "indicator_group",
    "breakdown_label",
    "definition",
    "numerator_definition",
    "denominator_definition",
    "unit",
    "polarity",
    "target",
    "amber_threshold",
    "definition_source",
    "qa_task_ids",
    "audiences",
    "grains",
    "benchmark_series",
    "is_stock",
    "sort_order",
)
DFE_903 = "DfE, Children looked after in England including adoptions (SSDA903 guidance)"


def _catalogue() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(
        indicator_id: str,
        name: str,
        short: str,
        group: str,
        unit: str,
        definition: str,
        *,
        numerator: str | None = None,
        denominator: str | None = None,
        polarity: str = "neutral",
        target: float | None = None,
        amber: float | None = None,
        breakdown: str | None = None,
        is_stock: bool = True,
        domain: str = "children_looked_after",
        source: str = DFE_903,
    ) -> None:
        rows.append(
            {
                "indicator_id": indicator_id,
                "name": name,
                "short_name": short,
                "domain": domain,
                "indicator_group": group,
                "breakdown_label": breakdown,
                "definition": definition,
                "numerator_definition": numerator,
                "denominator_definition": denominator,
                "unit": unit,
                "polarity": polarity,
                "target": target,
                "amber_threshold": amber,
                "definition_source": source,
                "qa_task_ids": "2.2",
                "audiences": "corporate_parenting_panel,cscmt",
                "grains": "quarter,year",
                "benchmark_series": None,
                "is_stock": is_stock,
                "sort_order": len(rows) + 1,
            }
        )

    add(
        "cla_at_period_end",
        "Children looked after at the end of the period",
        "Children looked after",
        "cla_headline",
        "count",
        "Children looked after on the last day of the period, excluding those looked after only under a "
        "series of short breaks (V3/V4).",
        numerator="Children looked after on the last day",
    )
    add(
        "cla_rate_per_10k",
        "Children looked after per 10,000 children",
        "Rate per 10,000",
        "cla_headline",
        "rate_per_10k",
        "Children looked after on the last day of the period per 10,000 children aged 0 to 17.",
        numerator="Children looked after on the last day",
        denominator="Children aged 0 to 17 (ONS mid-year estimate)",
    )
    add(
        "cla_starts",
        "Children who started to be looked after",
        "Started",
        "cla_headline",
        "count",
        "Children who started a period of care during the period.",
        numerator="Periods of care started",
        is_stock=False,
    )
    add(
        "cla_ceased",
        "Children who stopped being looked after",
        "Ceased",
        "cla_headline",
        "count",
        "Children whose period of care ended during the period.",
        numerator="Periods of care ended",
        is_stock=False,
    )
    for slug, label, _ in PLACEMENT_TYPES:
        for kind in ("count", "pct"):
            add(
                f"cla_placement_type_{slug}_{kind}",
                f"Children looked after: {label.lower()} ({kind})",
                label,
                "placement_type_mix",
                "count" if kind == "count" else "percent",
                f"Children looked after whose placement on the last day is: {label.lower()}.",
                numerator=f"Children placed: {label.lower()}",
                denominator="Children looked after on the last day" if kind == "pct" else None,
                breakdown=label,
            )
    for slug, label, _ in PROVIDERS:
        for kind in ("count", "pct"):
            add(
                f"cla_provider_{slug}_{kind}",
                f"Children looked after, provider: {label.lower()} ({kind})",
                label,
                "placement_provider_mix",
                "count" if kind == "count" else "percent",
                f"Children looked after whose placement on the last day is provided by: {label.lower()}.",
                numerator=f"Children whose placement is provided by: {label.lower()}",
                denominator="Children looked after on the last day" if kind == "pct" else None,
                breakdown=label,
            )
    add(
        "cla_placed_outside_la_pct",
        "Children placed outside the authority's boundary",
        "Outside the area",
        "cla_location",
        "percent",
        "Children looked after on the last day whose placement is outside the authority's boundary.",
        numerator="Placed outside the boundary",
        denominator="Children looked after on the last day with a known placement postcode",
        polarity="lower_is_better",
    )
    add(
        "cla_placed_over_20_miles_pct",
        "Children placed more than 20 miles from home",
        "Over 20 miles",
        "cla_location",
        "percent",
        "Children looked after on the last day placed more than 20 miles from "
        "their home address (straight line between postcode centroids).",
        numerator="Placed more than 20 miles from home",
        denominator="Children looked after on the last day with known home and placement postcodes",
        polarity="lower_is_better",
        target=12.0,
        amber=15.0,
    )
    add(
        "cla_3plus_placements_pct",
        "Children with three or more placements in the year",
        "Three or more placements",
        "placement_stability",
        "percent",
        "Children looked after on the last day who had three or more placements during the previous 12 "
        "months (short-term placement stability).",
        numerator="Children with three or more placements",
        denominator="Children looked after on the last day",
        polarity="lower_is_better",
    )
    add(
        "cla_long_term_stability_pct",
        "Children in a long-term stable placement",
        "Long-term stability",
        "placement_stability",
        "percent",
        "Children aged under 16 on 31 March, looked after continuously for at least 2.5 years, who have "
        "lived in the same placement for at least two years (or are placed for adoption and together the "
        "adoptive placement and the one before it have lasted two years).",
        numerator="Children in the same placement for at least two years",
        denominator="Children under 16 looked after continuously for at least 2.5 years",
        polarity="higher_is_better",
        target=70.0,
        amber=65.0,
    )
    add(
        "cin_rate_per_10k",
        "Children in need per 10,000 children",
        "CIN rate",
        "cin_headline",
        "rate_per_10k",
        "Children in need on the last day per 10,000 children.",
        domain="children_in_need",
        source="DfE, Characteristics of children in need",
    )
    return rows


# --- values ------------------------------------------------------------------------------------------------

VALUE_COLUMNS = (
    "indicator_id",
    "period_grain",
    "period_start",
    "period_end",
    "period_label",
    "financial_year",
    "la_code",
    "org_level",
    "org_id",
    "numerator",
    "denominator",
    "value",
    "target",
    "rag",
    "previous_value",
    "year_ago_value",
    "benchmark_year",
    "england_value",
    "region_value",
    "region_name",
    "sn_value",
    "sn_count",
)


def _row(
    indicator_id: str,
    grain: str,
    start: dt.date,
    end: dt.date,
    label: str,
    fy: str,
    la: str,
    numerator: float | None,
    denominator: float | None,
    value: float | None,
    **extra: Any,
) -> dict[str, Any]:
    row = dict.fromkeys(VALUE_COLUMNS)
    row.update(
        indicator_id=indicator_id,
        period_grain=grain,
        period_start=start,
        period_end=end,
        period_label=label,
        financial_year=fy,
        la_code=la,
        org_level="la",
        org_id=la,
        numerator=numerator,
        denominator=denominator,
        value=value,
    )
    row.update(extra)
    return row


def _quarter_row(
    indicator_id: str, i: int, numerator: float, denominator: float | None = None, la: str = LA, **extra: Any
) -> dict[str, Any]:
    label, start, end = quarter(i)
    if denominator is None:
        value = float(numerator)
    elif indicator_id.endswith("rate_per_10k"):
        value = numerator / denominator * 10_000
    else:
        value = numerator / denominator * 100
    return _row(
        indicator_id,
        "quarter",
        start,
        end,
        label,
        label[:7],
        la,
        float(numerator),
        None if denominator is None else float(denominator),
        value,
        **extra,
    )


def _year_row(
    indicator_id: str,
    y: int,
    numerator: float,
    denominator: float | None,
    value: float,
    comparators: tuple[float, float, float] | None,
    la: str = LA,
    **extra: Any,
) -> dict[str, Any]:
    fy = 2022 + y
    row = _row(
        indicator_id,
        "year",
        dt.date(fy, 4, 1),
        dt.date(fy + 1, 3, 31),
        fy_label(fy),
        fy_label(fy),
        la,
        numerator,
        denominator,
        value,
        **extra,
    )
    if comparators:
        row.update(
            benchmark_year=fy + 1,
            england_value=comparators[0],
            region_value=comparators[1],
            region_name=REGION,
            sn_value=comparators[2],
            sn_count=10,
        )
    return row


def _values() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(N_QUARTERS):
        n = cla(i)
        rows.append(_quarter_row("cla_at_period_end", i, n))
        rows.append(_quarter_row("cla_rate_per_10k", i, n, 100_000))
        rows.append(_quarter_row("cla_starts", i, starts(i)))
        rows.append(_quarter_row("cla_ceased", i, ceased(i)))
        for prefix, groups in (("cla_placement_type_", PLACEMENT_TYPES), ("cla_provider_", PROVIDERS)):
            for slug, _, rule in groups:
                rows.append(_quarter_row(f"{prefix}{slug}_count", i, rule(i)))
                rows.append(_quarter_row(f"{prefix}{slug}_pct", i, rule(i), n))
        rows.append(_quarter_row("cla_placed_outside_la_pct", i, 150 + i, n))
        over = _quarter_row("cla_placed_over_20_miles_pct", i, 70 + 2 * i, n)
        over.update(target=12.0, rag=rag(over["value"], 12.0, 15.0))
        rows.append(over)
        rows.append(_quarter_row("cla_3plus_placements_pct", i, 60 + i, n))

    # previous_value and year_ago_value, as the mart would fill them
    by_key = {(r["indicator_id"], r["period_start"]): r for r in rows}
    for r in rows:
        for column, months in (("previous_value", 3), ("year_ago_value", 12)):
            m = r["period_start"].month - 1 - months
            earlier = dt.date(r["period_start"].year + m // 12, m % 12 + 1, 1)
            if (r["indicator_id"], earlier) in by_key:
                r[column] = by_key[(r["indicator_id"], earlier)]["value"]

    rate_cmp = [(71.0, 57.0, 60.2), (70.0, 56.0, 61.4), (67.0, 55.0, 62.8)]
    outside_cmp = [(41.0, 38.0, 35.0), (42.0, 39.0, 36.0), (43.0, 40.0, 37.0)]
    over_cmp = [(16.0, 15.0, 14.0), (16.0, 15.0, 14.5), (17.0, 16.0, 15.0)]
    three_cmp = [(10.0, 11.0, 10.5), (10.0, 11.0, 10.9), (11.0, 12.0, 11.3)]
    long_cmp = [(71.0, 68.0, 70.5), (71.0, 68.0, 70.8), (69.0, 67.0, 69.9)]
    long_num, long_den = [160, 168, 175], [230, 240, 250]
    for y in range(3):
        q4 = 4 * y + 3
        n = cla(q4)
        rows.append(_year_row("cla_at_period_end", y, n, None, float(n), None))
        rows.append(_year_row("cla_rate_per_10k", y, n, 100_000, n / 10, rate_cmp[y]))
        rows.append(_year_row("cla_placed_outside_la_pct", y, 150 + q4, n, (150 + q4) / n * 100, outside_cmp[y]))
        over_value = (70 + 2 * q4) / n * 100
        rows.append(
            _year_row(
                "cla_placed_over_20_miles_pct",
                y,
                70 + 2 * q4,
                n,
                over_value,
                over_cmp[y],
                target=12.0,
                rag=rag(over_value, 12.0, 15.0),
            )
        )
        rows.append(_year_row("cla_3plus_placements_pct", y, 60 + q4, n, (60 + q4) / n * 100, three_cmp[y]))
        long_value = long_num[y] / long_den[y] * 100
        rows.append(
            _year_row(
                "cla_long_term_stability_pct",
                y,
                long_num[y],
                long_den[y],
                long_value,
                long_cmp[y],
                target=70.0,
                rag=higher_rag(long_value, 70.0, 65.0),
            )
        )

    # Brighton and Hove: 2024-25 only, with small starts and ceased
    for i in range(8, 12):
        n = 300 + (i - 8)
        rows.append(_quarter_row("cla_at_period_end", i, n, la=OTHER_LA))
        rows.append(_quarter_row("cla_rate_per_10k", i, n, 50_000, la=OTHER_LA))
        rows.append(_quarter_row("cla_starts", i, 2, la=OTHER_LA))
        rows.append(_quarter_row("cla_ceased", i, 1, la=OTHER_LA))
        rows.append(_quarter_row("cla_placed_outside_la_pct", i, 90 + (i - 8), n, la=OTHER_LA))
        num, den = OTHER_LA_OVER_20_MILES[i]
        over = _quarter_row("cla_placed_over_20_miles_pct", i, num, den, la=OTHER_LA)
        over.update(target=12.0, rag=rag(over["value"], 12.0, 15.0))
        rows.append(over)
    rows.append(
        _year_row("cla_long_term_stability_pct", 2, 3, 4, 75.0, long_cmp[2], la=OTHER_LA, target=70.0, rag="green")
    )

    # decoys
    label, start, end = quarter(10)
    team = _quarter_row("cla_at_period_end", 10, 123)
    team.update(org_level="team", org_id="T01")
    rows.append(team)
    rows.append(
        _row(
            "cla_at_period_end",
            "month",
            dt.date(2024, 12, 1),
            dt.date(2024, 12, 31),
            "Dec 2024",
            "2024-25",
            LA,
            651.0,
            None,
            651.0,
        )
    )
    rows.append(
        _row(
            "cin_rate_per_10k",
            "quarter",
            dt.date(2025, 4, 1),
            dt.date(2025, 6, 30),
            "2025-26 Q1",
            "2025-26",
            LA,
            3000.0,
            100_000.0,
            300.0,
        )
    )
    return rows


# --- writing -----------------------------------------------------------------------------------------------

DDL = """
create schema meta;
create table meta.build_info (
    build_id varchar, built_at timestamp, dbt_version varchar, csqa_version varchar, synthetic boolean
);
create table meta.loads (
    load_id varchar, dataset varchar, table_name varchar, file_name varchar, file_path varchar, sha256 varchar,
    la_code varchar, collection_year integer, period_start date, period_end date, encoding varchar,
    synthetic boolean, rows_read integer, rows_loaded integer, rows_rejected integer, status varchar,
    superseded_by varchar, message varchar, started_at timestamp, finished_at timestamp
);
create table indicators (
    indicator_id varchar, name varchar, short_name varchar, domain varchar, indicator_group varchar,
    breakdown_label varchar, definition varchar, numerator_definition varchar, denominator_definition varchar,
    unit varchar, polarity varchar, target double, amber_threshold double, definition_source varchar,
    qa_task_ids varchar, audiences varchar, grains varchar, benchmark_series varchar, is_stock boolean,
    sort_order integer
);
create table indicator_values (
    indicator_id varchar, period_grain varchar, period_start date, period_end date, period_label varchar,
    financial_year varchar, la_code varchar, org_level varchar, org_id varchar, numerator double,
    denominator double, value double, target double, rag varchar, previous_value double,
    year_ago_value double, benchmark_year integer, england_value double, region_value double,
    region_name varchar, sn_value double, sn_count integer
);
create table statistical_neighbours (
    la_code varchar, la_name varchar, region_name varchar, sn_rank integer, sn_la_code varchar,
    sn_la_name varchar, closeness varchar
);
create table dim_date as
with days as (
    select cast(d as date) as date_day
    from generate_series(date '2022-04-01', date '2025-03-31', interval 1 day) as t(d)
),
labelled as (
    select date_day,
           case when month(date_day) >= 4 then year(date_day) else year(date_day) - 1 end as fy_start,
           (((month(date_day) + 8) % 12) // 3) + 1 as fy_quarter,
           strftime(date_day, '%b %Y') as month_label,
           dayofweek(date_day) not in (0, 6) as is_working_day
    from days
)
select date_day,
       fy_start || '-' || lpad(cast((fy_start + 1) % 100 as varchar), 2, '0') as financial_year,
       fy_quarter,
       month_label,
       fy_start || '-' || lpad(cast((fy_start + 1) % 100 as varchar), 2, '0') || ' Q' || fy_quarter
           as quarter_label,
       is_working_day,
       cast(sum(case when is_working_day then 1 else 0 end) over (order by date_day) as integer)
           as working_day_index
from labelled;
"""


def write_warehouse(path: Path | str, *, synthetic: bool = True, build_id: str = BUILD_ID) -> Path:
    """Write the hand-made served warehouse to `path` (replacing any file there) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        con.execute(
            "insert into meta.build_info values (?, ?, ?, ?, ?)", [build_id, BUILT_AT, "1.11.0", "0.1.0", synthetic]
        )
        loads = []
        for n, (la, year) in enumerate([(LA, 2023), (LA, 2024), (LA, 2025), (OTHER_LA, 2025)], start=1):
            loads.append(
                {
                    "load_id": f"01FIXTURE{n:04d}",
                    "dataset": "ssda903",
                    "table_name": "episodes",
                    "file_name": "episodes.csv",
                    "file_path": f"data/extracts/ssda903/{la}/{year - 1}-{year % 100:02d}/episodes.csv",
                    "sha256": f"{n:064x}",
                    "la_code": la,
                    "collection_year": year,
                    "period_start": dt.date(year - 1, 4, 1),
                    "period_end": dt.date(year, 3, 31),
                    "encoding": "utf-8",
                    "synthetic": synthetic,
                    "rows_read": 1000,
                    "rows_loaded": 998,
                    "rows_rejected": 2,
                    "status": "loaded",
                    "superseded_by": None,
                    "message": None,
                    "started_at": dt.datetime(2025, 4, 2, 9, 0),
                    "finished_at": dt.datetime(2025, 4, 2, 9, 1),
                }
            )
        _insert(con, "meta.loads", tuple(loads[0]), loads)
        _insert(con, "indicators", CATALOGUE_COLUMNS, _catalogue())
        _insert(con, "indicator_values", VALUE_COLUMNS, _values())
        sns = [
            {
                "la_code": LA,
                "la_name": LA_NAME,
                "region_name": REGION,
                "sn_rank": r,
                "sn_la_code": c,
                "sn_la_name": name,
                "closeness": close,
            }
            for r, c, name, close in SNS_845
        ] + [
            {
                "la_code": OTHER_LA,
                "la_name": OTHER_LA_NAME,
                "region_name": REGION,
                "sn_rank": r,
                "sn_la_code": c,
                "sn_la_name": name,
                "closeness": close,
            }
            for r, c, name, close in SNS_846
        ]
        _insert(con, "statistical_neighbours", tuple(sns[0]), sns)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def lookup(
    path: Path | str, indicator_id: str, period_label: str, *, la_code: str = LA, grain: str = "quarter"
) -> dict[str, Any] | None:
    """The authority-level indicator_values row for one period, read straight from a warehouse file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rel = con.sql(
            "select * from indicator_values where indicator_id = ? and period_label = ? and la_code = ? "
            "and period_grain = ? and org_level = 'la'",
            params=[indicator_id, period_label, la_code, grain],
        )
        columns = rel.columns
        rows = rel.fetchall()
    finally:
        con.close()
    return dict(zip(columns, rows[0], strict=True)) if rows else None
