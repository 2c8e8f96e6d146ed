"""A small hand-made served warehouse with audience packs, for the Chief Executive quarterly review
(docs/contracts.md, "Audience packs, commentary and the annual report").

`write_warehouse(path)` writes meta.build_info, indicators, indicator_values, indicator_domains,
audience_indicators, the `audience_packs` view (audience_indicators joined to indicator_values on indicator and
grain, with the catalogue's name, short_name, unit and polarity), org_units and statistical_neighbours.

Five quarters, index q: 0 = 2023-24 Q3 (the same quarter a year before the latest), 1 = 2023-24 Q4,
2 = 2024-25 Q1, 3 = 2024-25 Q2 (the previous quarter), 4 = 2024-25 Q3 (the latest). Comparators: benchmark_year
2023 for q = 0 (its end, 31 December 2023, is before 31 March 2024), 2024 from q = 1.

East Sussex (845), the Chief Executive's pack, quarterly at authority level. Numerator / denominator per
quarter (counts and FTE have no denominator; percentages are num/den*100, rates num/den*10,000, ratios num/den):

| domain (order) | indicator (sort) | unit, polarity, target/amber | q0 | q1 | q2 | q3 | q4 |
| --- | --- | --- | --- | --- | --- | --- | --- |
| Children in need (20) | cin_referrals (120) | count, neutral | 950 | 990 | 1005 | 1000 | 1000 |
| | cin_rereferrals_12m_pct (130) | percent, lower, 20/23 | 230/1000 | 225/1000 | 220/1000 | 218/1000 | 241/1000 |
| | cin_assessments_within_45wd_pct (160) | percent, higher, 85/80 | 36/45 | 38/45 | 39/45 | 40/50 | 3/4 |
| Child protection (30) | cp_plans_started (200) | count, neutral | 10 | 9 | 11 | 12 | 3 |
| | cp_rate_per_10k (220) | rate, neutral | 450/100k | 420/100k | 410/100k | 400/100k | 520/100k |
| | cp_plans_second_or_subsequent_pct (230) | percent, lower, 22/25 | 6/30 | 5/25 | 6/24 | 1/4 | 5/20 |
| Workforce (40) | wf_sw_fte_in_post (300) | fte, higher | 118.5 | 119.0 | 121.0 | 120.0 | 109.9 |
| | wf_agency_rate_pct (320) | percent, lower, 15/20 | 4/20 | 3/20 | 3/25 | 2/25 | 3/25 |
| | wf_caseload_per_case_holder (330) | ratio, lower, 18/20 | 875/50 | 900/50 | 925/50 | 950/50 | 1050/50 |
| Early help (none) | eh_assessments_completed (50) | count, neutral | 120 | 110 | 105 | 100 | 140 |

So in 2024-25 Q3 (q4), against 2024-25 Q2 (q3) and 2023-24 Q3 (q0):

* re-referrals 24.1% (red), up 2.3 points on 21.8%, up 1.1 points on 23.0%; England 22.6%, statistical
  neighbours 21.4% (mean of 10), South East 23.4% (2023-24): "Re-referrals 24.1%, up 2.3 points on 2024-25 Q2,
  above England's 22.6%, off target (20.0%).";
* assessments in 45 working days 3/4 (hidden, though its row says red: it is not in "what is red"), Q2 80.0%;
* plans started 3 ("fewer than 5"; no change shown);
* second or later plans 5/20 = 25.0% (amber); Q2 was 1/4 (hidden: no change since Q2 shown, although the
  row's previous_value 25.0 is there); a year before 6/30 = 20.0% (up 5.0 points);
* the CP rate 52.0 per 10,000, up 12.0 on 40.0 (30%);
* workforce is shown in full: agency rate 3/25 = 12.0% (green) up 4.0 points on 2/25 = 8.0% (50%, the largest
  move); caseload 21.0 (red), up 2.0 on 19.0; FTE in post 109.9, down 10.1 FTE on 120.0 (8.4%);
* early help (a domain missing from indicator_domains: named "Early help", shown after the listed domains
  although its sort_order is the lowest) 140 assessments, up 40 (40%) on 100.

What is red: re-referrals (Children in need), caseload (Workforce). What moved most (at least 5%, the five
largest): agency rate 50%, early help assessments 40%, CP rate 30%, re-referrals 10.55%, caseload 10.53% (FTE in
post, 8.4%, is sixth; referrals did not move).

Comparators per indicator (benchmark 2023 | 2024), England / South East / statistical neighbours (count):
re-referrals 21.5/22.0/20.0 | 22.6/23.4/21.4 (10); assessments 83.0/82.0/81.0 | 84.0/83.5/82.5 (10); CP rate
42.1/40.0/43.0 | 41.2/38.5/44.0 (10); second or later plans 23.0/22.0/23.5 | 23.7/22.9/24.0 (9); agency rate
17.0/18.0/14.0 | 17.8/19.1/15.2 (10); caseload 16.0/17.0/16.5 | 16.3/17.2/16.9 (10). Counts and FTE have none.

Decoys the page must ignore: cin_contacts (quarterly rows, in the CSCMT audience only: 9,999), a month-grain
Chief Executive row of cin_referrals (Dec 2024: 333), a service-level row (cin_referrals, q4: 777) and a year
row (cin_referrals 2023-24: 4,000) assigned at year grain.

Brighton and Hove (846): cin_referrals only, q3 500 and q4 600.

`write_warehouse(packs=False)` leaves out audience_indicators and audience_packs (an older build);
`fallback_in_view=False` leaves domain_name and domain_order null for a domain missing from indicator_domains
(as a plain left join would), so the page's own fallback is exercised.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
from fixture_writing import VALUE_COLUMNS
from fixture_writing import insert_rows as _insert

LA, LA_NAME = "845", "East Sussex"
OTHER_LA, OTHER_LA_NAME = "846", "Brighton and Hove"
REGION = "South East"
BUILD_ID = "pack-fixture-20250110-0900"
BUILT_AT = dt.datetime(2025, 1, 10, 9, 0)
AUDIENCE = "chief_executive"
N_QUARTERS = 5
LATEST, PREVIOUS, YEAR_AGO = "2024-25 Q3", "2024-25 Q2", "2023-24 Q3"

DOMAINS = [  # the indicator_domains seed: early_help is missing on purpose
    ("children_in_need", "Children in need", "Contacts, referrals and assessments.", 20),
    ("child_protection", "Child protection", "Section 47 enquiries and plans.", 30),
    ("workforce", "Workforce", "Social workers.", 40),
    ("complaints", "Complaints and compliments", "Complaints.", 50),
]
FALLBACK_DOMAIN, FALLBACK_NAME = "early_help", "Early help"
DOMAIN_NAMES = {d: n for d, n, _, _ in DOMAINS} | {FALLBACK_DOMAIN: FALLBACK_NAME}
SECTION_ORDER = ["Children in need", "Child protection", "Workforce", "Early help"]

# indicator_id, name, short name, domain, unit, polarity, target, amber, audiences, sort_order
INDICATORS: list[tuple] = [
    ("cin_contacts", "Contacts received", "Contacts", "children_in_need", "count", "neutral", None, None,
     "cscmt", 110),
    ("cin_referrals", "Referrals to children's social care", "Referrals", "children_in_need", "count", "neutral",
     None, None, AUDIENCE, 120),
    ("cin_rereferrals_12m_pct", "Re-referrals within 12 months", "Re-referrals", "children_in_need", "percent",
     "lower_is_better", 20.0, 23.0, AUDIENCE, 130),
    ("cin_assessments_within_45wd_pct", "Assessments completed within 45 working days", "Assessments in 45 days",
     "children_in_need", "percent", "higher_is_better", 85.0, 80.0, AUDIENCE, 160),
    ("cp_plans_started", "Child protection plans started", "Plans started", "child_protection", "count", "neutral",
     None, None, AUDIENCE, 200),
    ("cp_rate_per_10k", "Child protection plans per 10,000 children", "CP rate", "child_protection",
     "rate_per_10k", "neutral", None, None, AUDIENCE, 220),
    ("cp_plans_second_or_subsequent_pct", "Plans that are a second or later plan", "Second or later plans",
     "child_protection", "percent", "lower_is_better", 22.0, 25.0, AUDIENCE, 230),
    ("wf_sw_fte_in_post", "Social workers in post (FTE)", "Social workers in post", "workforce", "fte",
     "higher_is_better", None, None, AUDIENCE, 300),
    ("wf_agency_rate_pct", "Agency social workers", "Agency rate", "workforce", "percent", "lower_is_better", 15.0,
     20.0, AUDIENCE, 320),
    ("wf_caseload_per_case_holder", "Cases per case-holding social worker", "Caseload", "workforce", "ratio",
     "lower_is_better", 18.0, 20.0, AUDIENCE, 330),
    ("eh_assessments_completed", "Early help assessments completed", "Early help assessments", "early_help",
     "count", "neutral", None, None, AUDIENCE, 50),
]  # fmt: skip
CATALOGUE = {row[0]: row for row in INDICATORS}
# The workforce comparators are the 30 September census; the children's are DfE's year to 31 March.
BENCHMARK_SERIES = {
    "workforce": "csww_indicators_2017_to_2025.csv (as at 30 September of time_period)",
    "children_in_need": "c1_children_in_need_referrals_and_rereferrals.csv",
}
PACK_IDS = [row[0] for row in INDICATORS if row[8] == AUDIENCE]

# numerator, denominator for q = 0..4 (None denominator: a count or FTE)
RULES: dict[str, list[tuple[float, float | None]]] = {
    "cin_contacts": [(9999, None)] * 5,
    "cin_referrals": [(950, None), (990, None), (1005, None), (1000, None), (1000, None)],
    "cin_rereferrals_12m_pct": [(230, 1000), (225, 1000), (220, 1000), (218, 1000), (241, 1000)],
    "cin_assessments_within_45wd_pct": [(36, 45), (38, 45), (39, 45), (40, 50), (3, 4)],
    "cp_plans_started": [(10, None), (9, None), (11, None), (12, None), (3, None)],
    "cp_rate_per_10k": [(450, 100_000), (420, 100_000), (410, 100_000), (400, 100_000), (520, 100_000)],
    "cp_plans_second_or_subsequent_pct": [(6, 30), (5, 25), (6, 24), (1, 4), (5, 20)],
    "wf_sw_fte_in_post": [(118.5, None), (119.0, None), (121.0, None), (120.0, None), (109.9, None)],
    "wf_agency_rate_pct": [(4, 20), (3, 20), (3, 25), (2, 25), (3, 25)],
    "wf_caseload_per_case_holder": [(875, 50), (900, 50), (925, 50), (950, 50), (1050, 50)],
    "eh_assessments_completed": [(120, None), (110, None), (105, None), (100, None), (140, None)],
}
# (england, region, statistical neighbours, count) for benchmark years 2023 and 2024
COMPARATORS: dict[str, dict[int, tuple[float, float, float, int]]] = {
    "cin_rereferrals_12m_pct": {2023: (21.5, 22.0, 20.0, 10), 2024: (22.6, 23.4, 21.4, 10)},
    "cin_assessments_within_45wd_pct": {2023: (83.0, 82.0, 81.0, 10), 2024: (84.0, 83.5, 82.5, 10)},
    "cp_rate_per_10k": {2023: (42.1, 40.0, 43.0, 10), 2024: (41.2, 38.5, 44.0, 10)},
    "cp_plans_second_or_subsequent_pct": {2023: (23.0, 22.0, 23.5, 9), 2024: (23.7, 22.9, 24.0, 9)},
    "wf_agency_rate_pct": {2023: (17.0, 18.0, 14.0, 10), 2024: (17.8, 19.1, 15.2, 10)},
    "wf_caseload_per_case_holder": {2023: (16.0, 17.0, 16.5, 10), 2024: (16.3, 17.2, 16.9, 10)},
}
OTHER_LA_REFERRALS = {3: 500, 4: 600}


def quarter(q: int) -> tuple[str, dt.date, dt.date]:
    """(label, start, end) of quarter index q: 0 = 2023-24 Q3."""
    start = dt.date(2023, 10, 1)
    months = start.month - 1 + 3 * q
    start = dt.date(start.year + months // 12, months % 12 + 1, 1)
    months_end = start.month - 1 + 3
    end = dt.date(start.year + months_end // 12, months_end % 12 + 1, 1) - dt.timedelta(days=1)
    fy = start.year if start.month >= 4 else start.year - 1
    number = (start.month - 4) % 12 // 3 + 1
    return f"{fy}-{(fy + 1) % 100:02d} Q{number}", start, end


def quarter_index(label: str) -> int:
    return next(q for q in range(N_QUARTERS) if quarter(q)[0] == label)


def value_of(indicator_id: str, numerator: float, denominator: float | None) -> float:
    unit = CATALOGUE[indicator_id][4]
    if denominator is None:
        return float(numerator)
    if unit == "percent":
        return numerator / denominator * 100
    if unit == "rate_per_10k":
        return numerator / denominator * 10_000
    return numerator / denominator


def rag(indicator_id: str, value: float) -> str | None:
    _, _, _, _, _, polarity, target, amber, _, _ = CATALOGUE[indicator_id]
    if target is None:
        return None
    if polarity == "lower_is_better":
        return "green" if value <= target else "amber" if value <= amber else "red"
    return "green" if value >= target else "amber" if value >= amber else "red"


def _direction(indicator_id: str, now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    polarity = CATALOGUE[indicator_id][5]
    if round(now, 6) == round(before, 6):
        return "same"
    if polarity == "neutral":
        return "up" if now > before else "down"
    return "better" if (now > before) == (polarity == "higher_is_better") else "worse"


# --- writing -----------------------------------------------------------------------------------------------

def _quarter_rows(indicator_id: str, rule: dict[int, tuple[float, float | None]], la: str) -> list[dict[str, Any]]:
    values = {q: value_of(indicator_id, *nd) for q, nd in rule.items()}
    rows = []
    for q, (numerator, denominator) in rule.items():
        label, start, end = quarter(q)
        value = values[q]
        previous, year_ago = values.get(q - 1), values.get(q - 4)
        year = 2023 if end < dt.date(2024, 3, 31) else 2024
        comps = COMPARATORS.get(indicator_id, {}).get(year) if la == LA else None
        rows.append(
            {
                "indicator_id": indicator_id,
                "period_grain": "quarter",
                "period_start": start,
                "period_end": end,
                "period_label": label,
                "financial_year": label[:7],
                "la_code": la,
                "org_level": "la",
                "org_id": la,
                "numerator": float(numerator),
                "denominator": None if denominator is None else float(denominator),
                "value": value,
                "target": CATALOGUE[indicator_id][6],
                "rag": rag(indicator_id, value),
                "previous_value": previous,
                "year_ago_value": year_ago,
                "direction_previous": _direction(indicator_id, value, previous),
                "direction_year_ago": _direction(indicator_id, value, year_ago),
                "benchmark_year": year if comps else None,
                "england_value": comps[0] if comps else None,
                "region_value": comps[1] if comps else None,
                "region_name": REGION if comps else None,
                "sn_value": comps[2] if comps else None,
                "sn_count": comps[3] if comps else None,
            }
        )
    return rows


def _values() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for indicator_id, pairs in RULES.items():
        rows += _quarter_rows(indicator_id, dict(enumerate(pairs)), LA)
    rows += _quarter_rows("cin_referrals", {q: (n, None) for q, n in OTHER_LA_REFERRALS.items()}, OTHER_LA)
    decoy = dict(rows[[r["indicator_id"] for r in rows].index("cin_referrals") + 4])
    rows.append(decoy | {"org_level": "service", "org_id": "845-S1", "numerator": 777.0, "value": 777.0})
    rows.append(
        decoy
        | {
            "period_grain": "month",
            "period_start": dt.date(2024, 12, 1),
            "period_end": dt.date(2024, 12, 31),
            "period_label": "Dec 2024",
            "numerator": 333.0,
            "value": 333.0,
        }
    )
    rows.append(
        decoy
        | {
            "period_grain": "year",
            "period_start": dt.date(2023, 4, 1),
            "period_end": dt.date(2024, 3, 31),
            "period_label": "2023-24",
            "financial_year": "2023-24",
            "numerator": 4000.0,
            "value": 4000.0,
        }
    )
    return rows


def _audience_indicators(fallback_in_view: bool) -> list[dict[str, Any]]:
    orders = {d: order for d, _, _, order in DOMAINS}
    rows = []
    for ind_id, _, _, domain, _, _, _, _, audiences, sort_order in INDICATORS:
        listed = domain in orders
        name = DOMAIN_NAMES[domain] if listed or fallback_in_view else None
        order = orders.get(domain, 1000 if fallback_in_view else None)
        grains = ["quarter", "month"] + (["year"] if ind_id == "cin_referrals" else [])
        for audience in audiences.split(";"):
            for grain in grains:
                rows.append(
                    {
                        "audience_id": audience,
                        "audience_name": "Chief Executive" if audience == AUDIENCE else audience.upper(),
                        "indicator_id": ind_id,
                        "domain": domain,
                        "domain_name": name,
                        "domain_order": order,
                        "period_grain": grain,
                        "assigned_by": "register",
                        "qa_task_ids": "1.6",
                        "frequencies": "quarterly",
                        "sort_order": sort_order,
                    }
                )
    return rows


DDL = """
create schema meta;
create table meta.build_info (
    build_id varchar, built_at timestamp, dbt_version varchar, csqa_version varchar, synthetic boolean
);
create table indicators (
    indicator_id varchar, name varchar, short_name varchar, domain varchar, indicator_group varchar,
    breakdown_label varchar, definition varchar, numerator_definition varchar, denominator_definition varchar,
    unit varchar, polarity varchar, target double, amber_threshold double, definition_source varchar,
    qa_task_ids varchar, audiences varchar, grains varchar, benchmark_series varchar, is_stock boolean,
    sort_order integer
);
-- value is DECIMAL on purpose: the app must cast it to DOUBLE
create table indicator_values (
    indicator_id varchar, period_grain varchar, period_start date, period_end date, period_label varchar,
    financial_year varchar, la_code varchar, org_level varchar, org_id varchar, numerator double,
    denominator double, value decimal(18, 6), target double, rag varchar, previous_value double,
    year_ago_value double, direction_previous varchar, direction_year_ago varchar, benchmark_year integer,
    england_value double, region_value double, region_name varchar, sn_value double, sn_count integer
);
create table indicator_domains (domain varchar, domain_name varchar, description varchar, sort_order integer);
create table org_units (
    la_code varchar, org_level varchar, org_id varchar, org_name varchar, parent_id varchar, is_mapped boolean
);
create table statistical_neighbours (
    la_code varchar, la_name varchar, region_name varchar, sn_rank integer, sn_la_code varchar,
    sn_la_name varchar, closeness varchar
);
"""
PACK_DDL = """
create table audience_indicators (
    audience_id varchar, audience_name varchar, indicator_id varchar, domain varchar, domain_name varchar,
    domain_order integer, period_grain varchar, assigned_by varchar, qa_task_ids varchar, frequencies varchar,
    sort_order integer
);
create view audience_packs as
select v.*, a.audience_id, a.audience_name, a.domain, a.domain_name, a.domain_order, a.assigned_by,
       a.qa_task_ids, i.name, i.short_name, i.unit, i.polarity, i.benchmark_series, a.sort_order
from audience_indicators a
join indicator_values v on v.indicator_id = a.indicator_id and v.period_grain = a.period_grain
join indicators i on i.indicator_id = a.indicator_id;
"""


def write_warehouse(
    path: Path | str, *, packs: bool = True, fallback_in_view: bool = True, build_id: str = BUILD_ID
) -> Path:
    """Write the hand-made warehouse to `path` (replacing any file there) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        con.execute("insert into meta.build_info values (?, ?, ?, ?, ?)", [build_id, BUILT_AT, "1.11.0", "0.1.0", True])
        catalogue = [
            {
                "indicator_id": ind_id,
                "name": name,
                "short_name": short,
                "domain": domain,
                "indicator_group": domain,
                "unit": unit,
                "polarity": polarity,
                "target": target,
                "amber_threshold": amber,
                "qa_task_ids": "1.6",
                "audiences": audiences,
                "grains": "month;quarter;year",
                "benchmark_series": BENCHMARK_SERIES.get(domain),
                "sort_order": order,
            }
            for ind_id, name, short, domain, unit, polarity, target, amber, audiences, order in INDICATORS
        ]
        _insert(con, "indicators", tuple(catalogue[0]), catalogue)
        _insert(con, "indicator_values", VALUE_COLUMNS, _values())
        domains = [{"domain": d, "domain_name": n, "description": t, "sort_order": o} for d, n, t, o in DOMAINS]
        _insert(con, "indicator_domains", tuple(domains[0]), domains)
        units = [
            {"la_code": la, "org_level": "la", "org_id": la, "org_name": name, "parent_id": None, "is_mapped": True}
            for la, name in ((LA, LA_NAME), (OTHER_LA, OTHER_LA_NAME))
        ]
        _insert(con, "org_units", tuple(units[0]), units)
        sns = [
            {
                "la_code": LA,
                "la_name": LA_NAME,
                "region_name": REGION,
                "sn_rank": 1,
                "sn_la_code": "878",
                "sn_la_name": "Devon",
                "closeness": "Very close",
            }
        ]
        _insert(con, "statistical_neighbours", tuple(sns[0]), sns)
        if packs:
            con.execute(PACK_DDL)
            audience = _audience_indicators(fallback_in_view)
            _insert(con, "audience_indicators", tuple(audience[0]), audience)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


# --- reading back ------------------------------------------------------------------------------------------


def pack_rows(path: Path | str, label: str, *, la_code: str = LA) -> dict[str, dict[str, Any]]:
    """The Chief Executive's quarterly pack rows for one quarter, read straight from the file, by indicator."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rel = con.sql(
            "select * from audience_packs where audience_id = ? and period_grain = 'quarter' and org_level = 'la' "
            "and la_code = ? and period_label = ?",
            params=[AUDIENCE, la_code, label],
        )
        columns, rows = rel.columns, rel.fetchall()
    finally:
        con.close()
    out = {}
    for r in rows:
        record = dict(zip(columns, r, strict=True))
        record["value"] = None if record["value"] is None else float(record["value"])
        out[record["indicator_id"]] = record
    return out


def values_row(path: Path | str, indicator_id: str, label: str, *, la_code: str = LA) -> dict[str, Any] | None:
    """One quarterly indicator_values row at authority level (value as float)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rel = con.sql(
            "select * from indicator_values where indicator_id = ? and period_label = ? and la_code = ? "
            "and org_level = 'la' and period_grain = 'quarter'",
            params=[indicator_id, label, la_code],
        )
        columns, rows = rel.columns, rel.fetchall()
    finally:
        con.close()
    if not rows:
        return None
    record = dict(zip(columns, rows[0], strict=True))
    record["value"] = None if record["value"] is None else float(record["value"])
    return record
