"""A small hand-made served warehouse for the Indicator explorer (docs/contracts.md, "Served warehouse" and "Audience
packs, commentary and the annual report (issue 6)").

`write_warehouse(path)` writes meta.build_info, indicators, indicator_values, org_units, statistical_neighbours,
published_comparators, qa_register and, in the `lookup` schema (where dbt puts seeds), qa_roles and
indicator_domains. Every number follows a rule simple enough to check by eye. The table layouts are the Workforce
fixture's (imported, not copied).

East Sussex (845, South East): one service, 845-S1 "Safeguarding", with two teams, 845-T01 "North Safeguarding"
and 845-T02 "South Safeguarding". The service is the sum of its teams and the authority the service.

Periods: years 2022-23 and 2023-24; quarters 2023-24 Q3, 2023-24 Q4 and 2024-25 Q1; months Apr, May, Jun 2024.

`cp_plans_at_period_end` (count, child protection; month, quarter, year; North / South, authority = the sum):

| period | North | South | authority |
| --- | --- | --- | --- |
| 2022-23 / 2023-24 | 30 / 33 | 12 / 10 | 42 / 43 |
| 2023-24 Q3 / Q4 / 2024-25 Q1 | 31 / 33 / 35 | 9 / 10 / 3 | 40 / 43 / 38 |
| Apr / May / Jun 2024 | 34 / 36 / 35 | 8 / 6 / 3 | 42 / 42 / 38 |

So South's 3 (2024-25 Q1, Jun 2024) is "fewer than 5", and North's 35 goes with it (it and the service's 38 would
give South's away).

`cp_visits_in_time_pct` (percent, higher is better, target 90, amber down to 80; numerator / denominator):

| period | North | South | authority |
| --- | --- | --- | --- |
| 2022-23 / 2023-24 | 27/30 (90.0%) / 30/33 (90.9%) | 10/12 (83.3%) / 9/10 (90.0%) | 37/42 (88.1%) / 39/43 (90.7%) |
| 2023-24 Q3 / Q4 | 28/31 (90.3%) / 30/33 (90.9%) | 8/9 (88.9%) / 9/10 (90.0%) | 36/40 (90.0%) / 39/43 (90.7%) |
| 2024-25 Q1 and Jun 2024 | 32/35 (91.4%) | 3/4 (75.0%: hidden) | 35/39 (89.7%) |
| Apr / May 2024 | 31/34 (91.2%) / 33/36 (91.7%) | 7/8 (87.5%) / 5/6 (83.3%) | 38/42 (90.5%) / 38/42 (90.5%) |

South's 3/4 is hidden with its status; North's numerator and denominator go with it (the service's 35/39 would
give South's away), and so does North's percentage (it and either of them would give the other).

`cla_rate_per_10k` (rate per 10,000, children looked after; quarter and year, the authority only): children looked
after per 100,000 children: 2022-23 640 (64.0), 2023-24 660 (66.0); 2023-24 Q3 650 (65.0), Q4 660 (66.0), 2024-25
Q1 670 (67.0). Published (DfE year 2023 / 2024, 31 March): East Sussex 64.0 / 66.0, England 70.0 / 69.0, South
East 56.0 / 57.0; statistical neighbours Devon 60.0 / 61.0, Kent 62.0 / 63.0, Cornwall 64.0 / 65.0, Norfolk 58.0 /
not published: an average of 61.0 (of 4) / 63.0 (of 3). Newham (not a neighbour) publishes 100.0 / 101.0. A year row
carries its own year; 2023-24 Q3 (to December 2023) the 2023 figures, Q4 and 2024-25 Q1 the 2024 figures.

`wf_starters_fte` (FTE, workforce; month and quarter): North 1.0, 0.0, 0.5 and South 0.0, 2.0, 0.0 FTE in Apr,
May, Jun 2024; 2024-25 Q1 North 1.5, South 2.0. `wf_vacancy_rate_pct` (percent, workforce, lower is better, target
10, amber to 15; month): North 1/4 (25.0%), 1/5 (20.0%), 0/5 (0.0%); South 2/10, 1/10, 1/10; the authority 3/14
(21.4%), 2/15 (13.3%), 1/15 (6.7%). Staff figures: shown in full, however small. Published (census of 30 September
2023, DfE year 2023): East Sussex 12.0, England 20.0, South East 18.0, Devon 15.0, Kent 17.0, Cornwall 19.0, Norfolk
21.0 (average 18.0). Starters are published for the census of 30 September 2024 only: after every period here,
so no period has them beside it.

`audits_completed` (domain `audit`, which the domains seed does not name): in the catalogue, no values.

Stocks and flows (catalogue `is_stock`): CP plans, CP visits, the CLA rate and the vacancy rate are stocks (a count
on the last day of the period); starters and audits are flows (events in the period: starters' months add up to
the quarter, North 1.0 + 0.0 + 0.5 = 1.5, South 0.0 + 2.0 + 0.0 = 2.0). The numbers above are not meant to add up
over time.

`flows=True` adds three measures whose months add up to their quarters and quarters to their year, for the small-
number protection across time (periods: months Jan to Jun 2024; quarters 2023-24 Q1 to Q4 and 2024-25 Q1; the year
2023-24; the service and the authority are North + South):

`cp_plans_started` (count, child protection, a flow; month, quarter, year):

| period | North | South | service and authority |
| --- | --- | --- | --- |
| Jan / Feb / Mar 2024 | 2 / 5 / 5 | 6 / 7 / 8 | 8 / 12 / 13 |
| Apr / May / Jun 2024 | 6 / 7 / 8 | 9 / 9 / 9 | 15 / 16 / 17 |
| 2023-24 Q1 / Q2 / Q3 / Q4 | 3 / 6 / 9 / 12 | 10 / 11 / 12 / 21 | 13 / 17 / 21 / 33 |
| 2024-25 Q1 | 21 | 27 | 48 |
| 2023-24 | 30 | 54 | 84 |

North's January 2 is the reviewer's shape: shown next to February's 5, March's 5 and the quarter's 12, it could be
worked out as 12 - 5 - 5. Likewise North's 2023-24 Q1 of 3 from the year's 30 and Q2, Q3, Q4 (6, 9, 12).
`cla_at_period_end` (count, children looked after, a stock; month, quarter, year) has the same numbers: a stock does
not add up over time, so only the org units protect it. `cin_referrals_nfa_pct` (percent, children in need, a flow,
lower is better, target 45, amber to 55; month and quarter), North / South numerator / denominator: Jan 2/10 /
6/12, Feb 5/10 / 7/12, Mar 5/10 (50.0%) / 8/12 (66.7%); 2023-24 Q4 12/30 (40.0%) / 21/36 (58.3%); the service and
the authority 8/22, 12/22, 13/22 and 33/66 (50.0%).

Domains seed: children_looked_after "Children looked after" (10), child_protection "Child protection" (20),
complaints "Complaints" (50, no measure here), workforce "Workforce" (60). So the page lists Children looked after,
Child protection, Workforce, then Audit.

`two_authorities=True` adds Brighton and Hove (846): CP plans at the authority only, 20, 22, 25 in Apr-Jun 2024.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from workforce_fixtures import CATALOGUE_COLUMNS, DDL, VALUE_COLUMNS, _insert, _select

LA, LA_NAME, REGION = "845", "East Sussex", "South East"
OTHER_LA, OTHER_LA_NAME = "846", "Brighton and Hove"
SERVICE, SERVICE_NAME = "845-S1", "Safeguarding"
NORTH, SOUTH = "845-T01", "845-T02"
TEAM_NAMES = {NORTH: "North Safeguarding", SOUTH: "South Safeguarding"}
BUILD_ID = "explorer-fixture-20240710-0800"
BUILT_AT = dt.datetime(2024, 7, 10, 8, 0)

CP_PLANS, CP_VISITS, CLA_RATE = "cp_plans_at_period_end", "cp_visits_in_time_pct", "cla_rate_per_10k"
STARTERS, VACANCY, AUDITS = "wf_starters_fte", "wf_vacancy_rate_pct", "audits_completed"
CP_STARTED, CLA_AT_END, NFA_PCT = "cp_plans_started", "cla_at_period_end", "cin_referrals_nfa_pct"  # flows=True
FLOWS = {STARTERS, AUDITS, CP_STARTED, NFA_PCT}  # events in the period; the rest are stocks

YEARS = [("2022-23", dt.date(2022, 4, 1), dt.date(2023, 3, 31)), ("2023-24", dt.date(2023, 4, 1), dt.date(2024, 3, 31))]
QUARTERS = [
    ("2023-24 Q3", dt.date(2023, 10, 1), dt.date(2023, 12, 31)),
    ("2023-24 Q4", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ("2024-25 Q1", dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
]
MONTHS = [
    ("Apr 2024", dt.date(2024, 4, 1), dt.date(2024, 4, 30)),
    ("May 2024", dt.date(2024, 5, 1), dt.date(2024, 5, 31)),
    ("Jun 2024", dt.date(2024, 6, 1), dt.date(2024, 6, 30)),
]
PERIODS = {"year": YEARS, "quarter": QUARTERS, "month": MONTHS}
LABELS = {grain: [p[0] for p in periods] for grain, periods in PERIODS.items()}
# the periods of the measures `flows=True` adds
FLOW_PERIODS = {
    "year": YEARS[1:],
    "quarter": [
        ("2023-24 Q1", dt.date(2023, 4, 1), dt.date(2023, 6, 30)),
        ("2023-24 Q2", dt.date(2023, 7, 1), dt.date(2023, 9, 30)),
        *QUARTERS,
    ],
    "month": [
        ("Jan 2024", dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
        ("Feb 2024", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("Mar 2024", dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
        *MONTHS,
    ],
}
FLOW_LABELS = {grain: [p[0] for p in periods] for grain, periods in FLOW_PERIODS.items()}

CLA_SERIES = "cla_number_and_rate_per_10k_children.csv: rate_per_10000"
CSWW_SERIES = "csww_indicators_2017_to_2025.csv (as at 30 September of time_period): vacancy_rate_fte"
STARTERS_SERIES = "csww_indicators_2017_to_2025.csv (as at 30 September of time_period): starters_fte"

# indicator_id: name, short name, domain, unit, polarity, target, amber, grains, sort order, tasks, audiences, series
CATALOGUE: dict[str, tuple] = {
    CLA_RATE: ("Children looked after per 10,000 children", "CLA rate per 10,000", "children_looked_after",
               "rate_per_10k", "neutral", None, None, "quarter;year", 5, "1.6;2.2", "corporate_parenting_panel;smt",
               CLA_SERIES),
    CP_PLANS: ("Children on a child protection plan at the end of the period", "CP plans", "child_protection", "count",
               "neutral", None, None, "month;quarter;year", 10, "4.1;1.6", "cscmt;chief_executive", None),
    CP_VISITS: ("Child protection visits within 10 working days", "CP visits in time", "child_protection",
                "percent", "higher_is_better", 90.0, 80.0, "month;quarter;year", 20, "4.1", "cscmt;team_managers",
                None),
    STARTERS: ("Social workers starting (FTE)", "Starters (FTE)", "workforce", "fte", "neutral", None, None,
               "month;quarter", 600, "4.8", "cscmt;workforce_lead", STARTERS_SERIES),
    VACANCY: ("Social worker vacancy rate", "Vacancy rate", "workforce", "percent", "lower_is_better", 10.0, 15.0,
              "month", 610, "4.8", "cscmt;workforce_lead", CSWW_SERIES),
    AUDITS: ("Case-file audits completed", "Audits completed", "audit", "count", "neutral", None, None, "month", 900,
             "", "", None),
}  # fmt: skip
FLOW_CATALOGUE: dict[str, tuple] = {
    CP_STARTED: ("Child protection plans started", "CP plans started", "child_protection", "count", "neutral", None,
                 None, "month;quarter;year", 30, "4.1", "cscmt", None),
    CLA_AT_END: ("Children looked after at the end of the period", "CLA", "children_looked_after", "count",
                 "neutral", None, None, "month;quarter;year", 6, "4.1", "cscmt", None),
    NFA_PCT: ("Referrals closed with no further action", "Referrals NFA", "children_in_need", "percent",
              "lower_is_better", 45.0, 55.0, "month;quarter", 40, "4.1", "cscmt", None),
}  # fmt: skip
ALL_CATALOGUE = CATALOGUE | FLOW_CATALOGUE
DEFINITIONS = {
    CLA_RATE: "Children looked after on the last day of the period per 10,000 children aged 0 to 17.",
    CP_PLANS: "Children subject to a child protection plan on the last day of the period.",
    CP_VISITS: "Of the child protection visits due in the period, the percentage made within 10 working days.",
    STARTERS: "Employed social workers who joined in the period, in FTE.",
    VACANCY: "Vacant funded posts as a percentage of vacant posts plus employees.",
    AUDITS: "Case-file audits dated in the period.",
    CP_STARTED: "Child protection plans that started in the period.",
    CLA_AT_END: "Children looked after on the last day of the period.",
    NFA_PCT: "Of the referrals closed in the period, the percentage closed with no further action.",
}
SOURCE = "Hand-made explorer test catalogue"
VISITS_SOURCE = "Local measure agreed by CSCMT (2024)"

DOMAINS = [
    ("children_looked_after", "Children looked after", "Children in the authority's care.", 10),
    ("child_protection", "Child protection", "Children subject to a child protection plan.", 20),
    ("complaints", "Complaints", "Complaints and compliments.", 50),
    ("workforce", "Workforce", "Social workers: capacity, stability and caseloads.", 60),
]
ROLES = {
    "cscmt": "Children's Social Care Management Team (CSCMT)",
    "chief_executive": "Chief Executive",
    "corporate_parenting_panel": "Corporate Parenting Panel",
    "smt": "Senior Management Team (SMT)",
    "team_managers": "Team managers",
}  # workforce_lead is left out on purpose: the page names it from its id ("Workforce lead")
TASKS = {
    "1.6": (1, "Quarterly performance reviews by the Chief Executive"),
    "2.2": (2, "Corporate Parenting Panel performance report"),
    "4.1": (4, "National and locally-agreed performance data set"),
    "4.8": (4, "Workforce report to CSCMT"),
}

# --- the figures -------------------------------------------------------------------------------------------------

# (North, South) per period label
PLANS = {
    "2022-23": (30, 12), "2023-24": (33, 10),
    "2023-24 Q3": (31, 9), "2023-24 Q4": (33, 10), "2024-25 Q1": (35, 3),
    "Apr 2024": (34, 8), "May 2024": (36, 6), "Jun 2024": (35, 3),
}  # fmt: skip
VISITS = {
    "2022-23": ((27, 30), (10, 12)), "2023-24": ((30, 33), (9, 10)),
    "2023-24 Q3": ((28, 31), (8, 9)), "2023-24 Q4": ((30, 33), (9, 10)), "2024-25 Q1": ((32, 35), (3, 4)),
    "Apr 2024": ((31, 34), (7, 8)), "May 2024": ((33, 36), (5, 6)), "Jun 2024": ((32, 35), (3, 4)),
}  # fmt: skip
CLA_CHILDREN = {"2022-23": 640, "2023-24": 660, "2023-24 Q3": 650, "2023-24 Q4": 660, "2024-25 Q1": 670}
POPULATION = 100_000
STARTERS_FTE = {"Apr 2024": (1.0, 0.0), "May 2024": (0.0, 2.0), "Jun 2024": (0.5, 0.0), "2024-25 Q1": (1.5, 2.0)}
VACANCIES = {"Apr 2024": ((1, 4), (2, 10)), "May 2024": ((1, 5), (1, 10)), "Jun 2024": ((0, 5), (1, 10))}
OTHER_PLANS = {"Apr 2024": 20, "May 2024": 22, "Jun 2024": 25}
# flows=True: (North, South) per period label; CLA_AT_END has the same numbers as CP_STARTED
STARTED = {
    "Jan 2024": (2, 6), "Feb 2024": (5, 7), "Mar 2024": (5, 8),
    "Apr 2024": (6, 9), "May 2024": (7, 9), "Jun 2024": (8, 9),
    "2023-24 Q1": (3, 10), "2023-24 Q2": (6, 11), "2023-24 Q3": (9, 12), "2023-24 Q4": (12, 21),
    "2024-25 Q1": (21, 27),
    "2023-24": (30, 54),
}  # fmt: skip
NFA = {
    "Jan 2024": ((2, 10), (6, 12)), "Feb 2024": ((5, 10), (7, 12)), "Mar 2024": ((5, 10), (8, 12)),
    "2023-24 Q4": ((12, 30), (21, 36)),
}  # fmt: skip

NEIGHBOURS = [  # rank, code, name, closeness, region
    (1, "878", "Devon", "Very close", "South West"),
    (2, "886", "Kent", "Very close", "South East"),
    (3, "908", "Cornwall", "Close", "South West"),
    (4, "926", "Norfolk", "Somewhat close", "East of England"),
]
# indicator -> year -> (reference date, England, South East, {la_code: value})
PUBLISHED: dict[str, dict[int, tuple]] = {
    CLA_RATE: {
        2023: (dt.date(2023, 3, 31), 70.0, 56.0,
               {LA: 64.0, "878": 60.0, "886": 62.0, "908": 64.0, "926": 58.0, "316": 100.0}),
        2024: (dt.date(2024, 3, 31), 69.0, 57.0,
               {LA: 66.0, "878": 61.0, "886": 63.0, "908": 65.0, "926": None, "316": 101.0}),
    },
    VACANCY: {
        2023: (dt.date(2023, 9, 30), 20.0, 18.0, {LA: 12.0, "878": 15.0, "886": 17.0, "908": 19.0, "926": 21.0}),
    },
    # only after every period here: no period may be set beside it
    STARTERS: {
        2024: (dt.date(2024, 9, 30), 8.0, 7.0, {LA: 9.0, "878": 5.0, "886": 6.0, "908": 7.0, "926": 8.0}),
    },
}  # fmt: skip
LA_NAMES = {LA: LA_NAME, "316": "Newham", **{code: name for _, code, name, _, _ in NEIGHBOURS}}
LA_REGIONS = {LA: REGION, "316": "London", **{code: region for _, code, _, _, region in NEIGHBOURS}}


def neighbour_mean(indicator_id: str, year: int) -> tuple[float, int]:
    values = [PUBLISHED[indicator_id][year][3][code] for _, code, _, _, _ in NEIGHBOURS]
    shown = [v for v in values if v is not None]
    return sum(shown) / len(shown), len(shown)


def _catalogue(flows: bool = False) -> list[dict[str, Any]]:
    rows = []
    for ind, spec in (CATALOGUE | FLOW_CATALOGUE if flows else CATALOGUE).items():
        name, short, domain, unit, polarity, target, amber, grains, order, tasks, audiences, series = spec
        rows.append(
            {
                "indicator_id": ind,
                "name": name,
                "short_name": short,
                "domain": domain,
                "indicator_group": None,
                "breakdown_label": None,
                "definition": DEFINITIONS[ind],
                "numerator_definition": f"Counted: {short.lower()}",
                "denominator_definition": "Out of: what it applies to" if unit != "count" else None,
                "unit": unit,
                "polarity": polarity,
                "target": target,
                "amber_threshold": amber,
                "definition_source": VISITS_SOURCE if ind == CP_VISITS else SOURCE,
                "qa_task_ids": tasks or None,
                "audiences": audiences or None,
                "grains": grains,
                "benchmark_series": series,
                "is_stock": ind not in FLOWS,
                "sort_order": order,
            }
        )
    return rows


def rag(indicator_id: str, value: float | None) -> str | None:
    _, _, _, _, polarity, target, amber, *_ = ALL_CATALOGUE[indicator_id]
    if target is None or value is None:
        return None
    if polarity == "higher_is_better":
        return "green" if value >= target else "amber" if value >= amber else "red"
    return "green" if value <= target else "amber" if value <= amber else "red"


def _period(grain: str, label: str) -> tuple[str, dt.date, dt.date]:
    return next(p for p in PERIODS[grain] + FLOW_PERIODS[grain] if p[0] == label)


def _grain_of(label: str) -> str:
    return next(g for g in PERIODS if label in LABELS[g] + FLOW_LABELS[g])


def _benchmark(indicator_id: str, end: dt.date) -> int | None:
    """The latest published year by the period's end: DfE's year ends 31 March, the census is 30 September."""
    years = [y for y, (reference, *_) in PUBLISHED.get(indicator_id, {}).items() if reference <= end]
    return max(years) if years else None


def _row(
    indicator_id: str, label: str, level: str, org_id: str, numerator: float, denominator: float | None, la=LA
) -> dict[str, Any]:
    grain = _grain_of(label)
    _, start, end = _period(grain, label)
    unit = ALL_CATALOGUE[indicator_id][3]
    if denominator is None:
        value = float(numerator)
    else:
        value = numerator / denominator * (100 if unit == "percent" else 10_000 if unit == "rate_per_10k" else 1)
    row = dict.fromkeys(VALUE_COLUMNS)
    fy = start.year if start.month >= 4 else start.year - 1
    row.update(
        indicator_id=indicator_id,
        period_grain=grain,
        period_start=start,
        period_end=end,
        period_label=label,
        financial_year=f"{fy}-{(fy + 1) % 100:02d}",
        la_code=la,
        org_level=level,
        org_id=org_id,
        numerator=float(numerator),
        denominator=None if denominator is None else float(denominator),
        value=value,
        target=ALL_CATALOGUE[indicator_id][5],
        rag=rag(indicator_id, value),
    )
    year = _benchmark(indicator_id, end) if la == LA else None
    if year is not None:
        _, england, region, _ = PUBLISHED[indicator_id][year]
        mean, count = neighbour_mean(indicator_id, year)
        row.update(benchmark_year=year, england_value=england, region_value=region, region_name=REGION,
                   sn_value=mean, sn_count=count)  # fmt: skip
    return row


def _breakdown(indicator_id: str, label: str, north: tuple, south: tuple) -> list[dict[str, Any]]:
    """Rows for both teams, the service and the authority (each the sum of the teams)."""
    total = (north[0] + south[0], None if north[1] is None else north[1] + south[1])
    return [
        _row(indicator_id, label, "team", NORTH, *north),
        _row(indicator_id, label, "team", SOUTH, *south),
        _row(indicator_id, label, "service", SERVICE, *total),
        _row(indicator_id, label, "la", LA, *total),
    ]


def _values(two_authorities: bool, flows: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for label, (north, south) in PLANS.items():
        rows += _breakdown(CP_PLANS, label, (north, None), (south, None))
    for label, (north, south) in VISITS.items():
        rows += _breakdown(CP_VISITS, label, north, south)
    for label, children in CLA_CHILDREN.items():
        rows.append(_row(CLA_RATE, label, "la", LA, children, POPULATION))
    for label, (north, south) in STARTERS_FTE.items():
        rows += _breakdown(STARTERS, label, (north, None), (south, None))
    for label, (north, south) in VACANCIES.items():
        rows += _breakdown(VACANCY, label, north, south)
    if two_authorities:
        rows += [_row(CP_PLANS, label, "la", OTHER_LA, n, None, la=OTHER_LA) for label, n in OTHER_PLANS.items()]
    if flows:
        for label, (north, south) in STARTED.items():
            rows += _breakdown(CP_STARTED, label, (north, None), (south, None))
            rows += _breakdown(CLA_AT_END, label, (north, None), (south, None))
        for label, (north, south) in NFA.items():
            rows += _breakdown(NFA_PCT, label, north, south)

    # the period before and its direction, as the mart fills them
    by_key = {(r["indicator_id"], r["period_grain"], r["la_code"], r["org_level"], r["org_id"], r["period_start"]): r
              for r in rows}  # fmt: skip
    step = {"month": 1, "quarter": 3, "year": 12}
    for r in rows:
        m = r["period_start"].month - 1 - step[r["period_grain"]]
        earlier = dt.date(r["period_start"].year + m // 12, m % 12 + 1, 1)
        before = by_key.get((r["indicator_id"], r["period_grain"], r["la_code"], r["org_level"], r["org_id"], earlier))
        if before is None:
            continue
        r["previous_value"] = before["value"]
        polarity = ALL_CATALOGUE[r["indicator_id"]][4]
        if abs(r["value"] - before["value"]) < 1e-9:
            r["direction_previous"] = "same"
        elif polarity == "neutral":
            r["direction_previous"] = "up" if r["value"] > before["value"] else "down"
        else:
            better = (r["value"] > before["value"]) == (polarity == "higher_is_better")
            r["direction_previous"] = "better" if better else "worse"
    return rows


def _published() -> list[dict[str, Any]]:
    rows = []
    for indicator_id, years in PUBLISHED.items():
        for year, (reference, england, region, values) in years.items():
            for code, value in values.items():
                rows.append(
                    {
                        "indicator_id": indicator_id,
                        "benchmark_year": year,
                        "reference_date": reference,
                        "la_code": code,
                        "la_name": LA_NAMES[code],
                        "region_name": LA_REGIONS[code],
                        "la_value": value,
                        "region_value": region if LA_REGIONS[code] == REGION else 40.0,
                        "england_value": england,
                    }
                )
    return rows


PUBLISHED_DDL = """
create table published_comparators (
    indicator_id varchar, benchmark_year integer, reference_date date, la_code varchar, la_name varchar,
    region_name varchar, la_value double, region_value double, england_value double
);
"""
SEEDS_DDL = """
create schema lookup;
create table lookup.qa_roles (role_id varchar, role_name varchar, kind varchar);
create table qa_register (
    task_number varchar, part integer, part_name varchar, task varchar, audience_id varchar, frequency varchar
);
"""
DOMAINS_DDL = """
create table lookup.indicator_domains (domain varchar, domain_name varchar, description varchar, sort_order integer);
"""


def _org_units(two_authorities: bool) -> list[dict[str, Any]]:
    rows = [
        {"la_code": LA, "org_level": "la", "org_id": LA, "org_name": LA_NAME, "parent_id": None, "is_mapped": True},
        {"la_code": LA, "org_level": "service", "org_id": SERVICE, "org_name": SERVICE_NAME, "parent_id": LA,
         "is_mapped": True},
        *[{"la_code": LA, "org_level": "team", "org_id": t, "org_name": n, "parent_id": SERVICE, "is_mapped": True}
          for t, n in TEAM_NAMES.items()],
    ]  # fmt: skip
    if two_authorities:
        rows.append({"la_code": OTHER_LA, "org_level": "la", "org_id": OTHER_LA, "org_name": OTHER_LA_NAME,
                     "parent_id": None, "is_mapped": True})  # fmt: skip
    return rows


def write_warehouse(
    path: Path | str,
    *,
    published: bool = True,
    domains: bool = True,
    two_authorities: bool = False,
    flows: bool = False,
) -> Path:
    """Write the hand-made warehouse to `path` (replacing any file there) and return the path.

    `published=False` leaves out `published_comparators` and `domains=False` the `indicator_domains` seed, as an
    older build would; `two_authorities=True` adds a second authority; `flows=True` the measures that add up over
    time.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        con.execute(SEEDS_DDL)
        con.execute("insert into meta.build_info values (?, ?, ?, ?, ?)", [BUILD_ID, BUILT_AT, "1.11.0", "0.1.0", True])
        _insert(con, "indicators", CATALOGUE_COLUMNS, _catalogue(flows))
        _insert(con, "indicator_values", VALUE_COLUMNS, _values(two_authorities, flows))
        units = _org_units(two_authorities)
        _insert(con, "org_units", tuple(units[0]), units)
        con.executemany(
            "insert into statistical_neighbours values (?, ?, ?, ?, ?, ?, ?)",
            [[LA, LA_NAME, REGION, rank, code, name, closeness] for rank, code, name, closeness, _ in NEIGHBOURS],
        )
        con.executemany("insert into lookup.qa_roles values (?, ?, ?)", [[k, v, "group"] for k, v in ROLES.items()])
        con.executemany(
            "insert into qa_register values (?, ?, ?, ?, ?, ?)",
            [[task, part, f"Part {part}", text, "cscmt", "monthly"] for task, (part, text) in TASKS.items()],
        )
        if domains:
            con.execute(DOMAINS_DDL)
            con.executemany("insert into lookup.indicator_domains values (?, ?, ?, ?)", [list(d) for d in DOMAINS])
        if published:
            con.execute(PUBLISHED_DDL)
            rows = _published()
            _insert(con, "published_comparators", tuple(rows[0]), rows)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


# --- reading back ------------------------------------------------------------------------------------------------


def explorer_frame(path: Path | str, indicator_id: str, grain: str) -> pl.DataFrame:
    """indicator_values rows of one indicator and grain for the authority and every org unit, as the explorer reads
    them (`app.data.explorer_values`), read straight from the file."""
    rows = _select(
        path,
        "select * from indicator_values where la_code = ? and indicator_id = ? and period_grain = ? "
        "order by period_start, org_level, org_id",
        [LA, indicator_id, grain],
    )
    return pl.DataFrame(rows, infer_schema_length=None)


def values(path: Path | str, indicator_id: str, grain: str, org_id: str = LA) -> dict[str, dict[str, Any]]:
    """indicator_values rows of one indicator, grain and org unit, read straight from the file, by period label."""
    rows = _select(
        path,
        "select * from indicator_values where indicator_id = ? and period_grain = ? and org_id = ? "
        "order by period_start",
        [indicator_id, grain, org_id],
    )
    return {r["period_label"]: r for r in rows}


def published(path: Path | str, indicator_id: str, year: int) -> dict[str, dict[str, Any]]:
    """published_comparators rows of one indicator and year, by la_code, read straight from the file."""
    rows = _select(
        path,
        "select * from published_comparators where indicator_id = ? and benchmark_year = ?",
        [indicator_id, year],
    )
    return {r["la_code"]: r for r in rows}
