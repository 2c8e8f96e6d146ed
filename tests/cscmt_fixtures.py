"""A small hand-made served warehouse for the CSCMT monthly page (docs/contracts.md, "Served warehouse", plus
the CSCMT contract: `direction_previous` / `direction_year_ago` on indicator_values, `org_units`,
`unmapped_teams` and `cin_exceptions`).

`write_warehouse(path)` writes meta.build_info, meta.loads, indicators, indicator_values, org_units,
unmapped_teams, cin_exceptions and statistical_neighbours. Month index m runs 0..14 from Oct 2023 to Dec 2024
(Dec 2024 is m = 14, Nov 2024 m = 13, Dec 2023 m = 2). Every number follows a rule simple enough to check by eye.

East Sussex (845): two services, four mapped teams and one team missing from the team list.

| team (org_id) | name | service |
| --- | --- | --- |
| 845-T01 | Multi Agency Safeguarding Hub | 845-S1 Early Help and Front Door |
| 845-T02 | Locality 1 Assessment | 845-S2 Assessment and Child Protection |
| 845-T03 | Locality 2 Assessment (the slow one) | 845-S2 |
| 845-T04 | Child Protection 1 | 845-S2 |
| unmapped:Children with Disabilities Team | (in no service: counted in the authority only) | |

Team rules (numerator / denominator; counts have no denominator). A service is the sum of its teams, the
authority the sum of all five. Dec 2024 values in brackets.

| indicator | MASH | Locality 1 | Locality 2 | CP 1 | Disabilities |
| --- | --- | --- | --- | --- | --- |
| cin_contacts | 400+10m (540) | | | | |
| cin_referrals | 100+m (114) | | | | 3 |
| cin_rereferrals_12m_pct (target 20, amber 23, lower better) | 20+m%3 / 100+m | | | | 1/3 |
| cin_referrals_nfa_pct | 8 / 100+m | | | | 0/3 |
| cin_assessments_completed | | 40+m (54) | 30+m (44) | | 2+m%2 (2) |
| cin_assessments_within_45wd_pct (higher, 85/80; 80/75 before Apr) | | 36+m / 40+m | 20+m / 30+m | | 2 / 2+m%2 |
| cin_assessments_open_over_45wd (lower better, no target) | | 2 (m even), 6 (m odd) | 12+m (26) | | 0 |
| cin_s47_started | | 10+m%4 (12) | 8 | 3 | |
| cin_icpc_within_15wd_pct (higher better, 80/70) | | | | 14+m%4 / 20 | |
| cp_plans_started | | | | 12+m%3 (14) | 2 |
| cp_plans_at_period_end | | | | 150+m (164) | 6 |
| cp_plans_second_or_subsequent_pct (lower better, 22/25) | | | | 3+m%3 / 12+m%3 | 0/2 |
| cp_plans_2yrs_plus_pct (lower better, 4/6) | | | | 3 in Dec 2024, else 7+m%2 / 150+m | 0/6 |
| cp_visits_within_standard_pct (higher better, 90/80) | | | | 140+m-10(m%4) / 150+m | 5/6 |
| cin_open_at_period_end | 20 | 150+m | 170+2m | 160+m | 90 |

Two section 47 enquiries a month have no team: they are in the authority's figure only (25 in Dec 2024).
Authority only: cp_rate_per_10k = (156+m) per 100,000 children; cla_at_period_end 600+5m;
cla_rate_per_10k (600+5m) per 100,000; cla_starts 40+m except 4 (a small number) in Dec 2024. cla_ceased is in
the CSCMT audience with no monthly rows at all.

So in Dec 2024 at authority level: assessments within 45 working days 86/100 = 86.0% (green; Nov 84/99 amber;
Dec 2023 62/76 amber: better on both); second or subsequent plans 5/16 = 31.3% red, with Nov 2024 4/15 hidden
(so the change since Nov is not shown) and Dec 2023 5/16 (no change); plans lasting two years or more 3/170
(hidden, with its RAG and both changes); children who started care 4 ("fewer than 5").

Secondary suppression in Dec 2024 (counts only): referrals (the 3 at Disabilities would follow from the
authority's 117 minus MASH's 114, so MASH and its service are hidden too); assessments completed (Locality 2
and the service hidden); open over 45 working days (Locality 1 has 2, so Locality 2 is hidden); section 47
enquiries (CP 1 has 3, so Locality 2 is hidden; the 2 with no team would follow from the authority's 25
minus the service's 23, so the service is hidden); plans started (Disabilities has 2: CP 1 and the service
hidden).

Catalogue decoys: cla_placed_over_20_miles_pct (Corporate Parenting Panel only) and cin_legacy_measure
(audience "cscmt_archive") have monthly rows but are not CSCMT measures; cin_assessments_child_seen_pct
has rows at every level but is for team managers only, until `write_warehouse(extra_audiences=...)` adds it.
A quarterly cin_contacts row (9,999) must be ignored.

England (authority rows of percentages and rates): benchmark_year 2023 for Oct 2023 to Feb 2024 (m <= 4), 2024
from Mar 2024 (its 31 March is the period end).

Brighton and Hove (846): Oct to Dec 2024 at authority level only: contacts 300+m and referrals 2.

cin_exceptions, as at 30 November and 31 December 2024, agree with the counts: assessments open over 45
working days (Locality 1 and 2), plans lasting two years or more (CP 1: the numerator), visits overdue (CP 1:
denominator minus numerator; Disabilities: 1, child "=1+1" to test formula-safe downloads). One row for 846.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import duckdb
from fixture_writing import VALUE_COLUMNS
from fixture_writing import insert_rows as _insert

LA, LA_NAME = "845", "East Sussex"
OTHER_LA, OTHER_LA_NAME = "846", "Brighton and Hove"
REGION = "South East"
BUILD_ID = "cscmt-fixture-20250106-0800"
BUILT_AT = dt.datetime(2025, 1, 6, 8, 0)
N_MONTHS = 15
FIRST_MONTH = dt.date(2023, 10, 1)
LATEST, PREVIOUS, YEAR_AGO = "Dec 2024", "Nov 2024", "Dec 2023"

MASH, L1, L2, CP1 = "845-T01", "845-T02", "845-T03", "845-T04"
CWD_NAME = "Children with Disabilities Team"
CWD = f"unmapped:{CWD_NAME}"
SERVICES = {"845-S1": "Early Help and Front Door", "845-S2": "Assessment and Child Protection"}
TEAMS = [  # org_id, name, service id
    (MASH, "Multi Agency Safeguarding Hub", "845-S1"),
    (L1, "Locality 1 Assessment", "845-S2"),
    (L2, "Locality 2 Assessment", "845-S2"),
    (CP1, "Child Protection 1", "845-S2"),
    (CWD, CWD_NAME, None),
]
TEAM_NAMES = {org_id: name for org_id, name, _ in TEAMS}
UNMAPPED_SERVICE = "unmapped"  # write_warehouse(unmapped_service=True): the build's service for unmapped teams
TEAM_SERVICE = {org_id: service for org_id, _, service in TEAMS}

Rule = Callable[[int], tuple[float, float | None]]


def month(m: int) -> tuple[str, dt.date, dt.date]:
    """(label, start, end) of month index m: 0 = Oct 2023."""
    y, mo = divmod(FIRST_MONTH.month - 1 + m, 12)
    start = dt.date(FIRST_MONTH.year + y, mo + 1, 1)
    y2, mo2 = divmod(mo + 1, 12)
    end = dt.date(start.year + y2, mo2 + 1, 1) - dt.timedelta(days=1)
    return f"{start:%b %Y}", start, end


def month_index(label: str) -> int:
    return next(m for m in range(N_MONTHS) if month(m)[0] == label)


def fy_label(d: dt.date) -> str:
    fy = d.year if d.month >= 4 else d.year - 1
    return f"{fy}-{(fy + 1) % 100:02d}"


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
CSCMT = "cscmt;team_managers;smt"

# indicator_id, name, short name, domain, unit, polarity, target, amber, audiences, sort_order, definition
INDICATORS: list[tuple] = [
    ("cla_at_period_end", "Children looked after at the end of the period", "Children looked after",
     "children_looked_after", "count", "neutral", None, None, "corporate_parenting_panel;cscmt", 10,
     "Children looked after on the last day of the period."),
    ("cla_rate_per_10k", "Children looked after per 10,000 children", "CLA rate per 10,000",
     "children_looked_after", "rate_per_10k", "neutral", None, None, "corporate_parenting_panel; cscmt ", 20,
     "Children looked after on the last day per 10,000 children aged 0 to 17."),
    ("cla_starts", "Children starting to be looked after", "Started care", "children_looked_after", "count",
     "neutral", None, None, "cscmt;corporate_parenting_panel", 30, "Periods of care that started in the period."),
    ("cla_ceased", "Children ceasing to be looked after", "Left care", "children_looked_after", "count",
     "neutral", None, None, "cscmt", 40, "Periods of care that ended in the period."),
    ("cla_placed_over_20_miles_pct", "Children placed more than 20 miles from home", "Over 20 miles",
     "children_looked_after", "percent", "lower_is_better", 12.0, 15.0, "corporate_parenting_panel", 50,
     "Children placed more than 20 miles from home."),
    ("cin_contacts", "Contacts received", "Contacts", "children_in_need", "count", "neutral", None, None,
     CSCMT, 110, "Contacts about a child received by the front door in the month."),
    ("cin_referrals", "Referrals to children's social care", "Referrals", "children_in_need", "count",
     "neutral", None, None, CSCMT, 120, "Referrals received in the month."),
    ("cin_rereferrals_12m_pct", "Re-referrals within 12 months", "Re-referrals", "children_in_need", "percent",
     "lower_is_better", 20.0, 23.0, CSCMT, 130,
     "Referrals in the month for a child referred in the 12 months before."),
    ("cin_referrals_nfa_pct", "Referrals ending in no further action", "Referrals: no further action",
     "children_in_need", "percent", "neutral", None, None, CSCMT, 140,
     "Referrals in the month that ended in no further action."),
    ("cin_assessments_completed", "Assessments completed", "Assessments completed", "children_in_need", "count",
     "neutral", None, None, CSCMT, 150, "Children and family assessments authorised in the month."),
    ("cin_assessments_child_seen_pct", "Assessments where the child was seen", "Child seen",
     "children_in_need", "percent", "higher_is_better", 95.0, 90.0, "team_managers", 155,
     "Assessments completed in the month in which the child was seen."),
    ("cin_assessments_within_45wd_pct", "Assessments completed within 45 working days",
     "Assessments in 45 days", "children_in_need", "percent", "higher_is_better", 85.0, 80.0, CSCMT, 160,
     "Assessments authorised in the month within 45 working days of starting."),
    ("cin_assessments_open_over_45wd", "Assessments open beyond 45 working days", "Assessments over 45 days",
     "children_in_need", "count", "lower_is_better", None, None, CSCMT, 170,
     "Assessments open on the last day of the month that started more than 45 working days before."),
    ("cin_s47_started", "Section 47 enquiries started", "Section 47s", "child_protection", "count", "neutral",
     None, None, CSCMT, 180, "Section 47 enquiries started in the month."),
    ("cin_icpc_within_15wd_pct", "Initial conferences within 15 working days", "ICPC in 15 days",
     "child_protection", "percent", "higher_is_better", 80.0, 70.0, CSCMT, 190,
     "Initial child protection conferences held in the month within 15 working days of the strategy discussion."),
    ("cp_plans_started", "Child protection plans started", "Plans started", "child_protection", "count",
     "neutral", None, None, CSCMT, 200, "Child protection plans that started in the month."),
    ("cp_plans_at_period_end", "Children on a child protection plan", "On a plan", "child_protection", "count",
     "neutral", None, None, CSCMT, 210, "Children on a child protection plan on the last day of the month."),
    ("cp_rate_per_10k", "Child protection plans per 10,000 children", "CP rate per 10,000", "child_protection",
     "rate_per_10k", "neutral", None, None, CSCMT, 220,
     "Children on a child protection plan on the last day per 10,000 children aged 0 to 17."),
    ("cp_plans_second_or_subsequent_pct", "Plans that are a second or later plan", "Second or later plan",
     "child_protection", "percent", "lower_is_better", 22.0, 25.0, CSCMT, 230,
     "Plans started in the month for a child who had a plan before."),
    ("cp_plans_2yrs_plus_pct", "Plans lasting two years or more", "Plans over 2 years", "child_protection",
     "percent", "lower_is_better", 4.0, 6.0, CSCMT, 240,
     "Children on a plan on the last day whose plan started two or more years before."),
    ("cp_visits_within_standard_pct", "Child protection visits within the standard", "Visits in time",
     "child_protection", "percent", "higher_is_better", 90.0, 80.0, CSCMT, 250,
     "Children on a plan on the last day who were visited within the local standard."),
    ("cin_open_at_period_end", "Children in need (open cases)", "Open cases", "children_in_need", "count",
     "neutral", None, None, CSCMT, 260, "Children with an open children in need episode on the last day."),
    ("cin_legacy_measure", "A retired measure", "Retired", "children_in_need", "count", "neutral", None, None,
     "cscmt_archive", 270, "No longer reported."),
]  # fmt: skip
UNITS = {row[0]: row[4] for row in INDICATORS}
POLARITY = {row[0]: row[5] for row in INDICATORS}


def _catalogue(extra_audiences: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = []
    for ind_id, name, short, domain, unit, polarity, target, amber, audiences, order, definition in INDICATORS:
        rows.append(
            {
                "indicator_id": ind_id,
                "name": name,
                "short_name": short,
                "domain": domain,
                "indicator_group": domain,
                "breakdown_label": None,
                "definition": definition,
                "numerator_definition": f"Counted: {short.lower()}",
                "denominator_definition": "Out of: the children it applies to" if unit != "count" else None,
                "unit": unit,
                "polarity": polarity,
                "target": target,
                "amber_threshold": amber,
                "definition_source": "Hand-made test catalogue",
                "qa_task_ids": "4.1",
                "audiences": extra_audiences.get(ind_id, audiences),
                "grains": "month;quarter;year",
                "benchmark_series": None,
                "is_stock": unit != "count",
                "sort_order": order,
            }
        )
    return rows


# --- the rules ---------------------------------------------------------------------------------------------


def _count(f: Callable[[int], float]) -> Rule:
    return lambda m: (f(m), None)


def _ratio(num: Callable[[int], float], den: Callable[[int], float]) -> Rule:
    return lambda m: (num(m), den(m))


TEAM_RULES: dict[str, dict[str, Rule]] = {
    "cin_contacts": {MASH: _count(lambda m: 400 + 10 * m)},
    "cin_referrals": {MASH: _count(lambda m: 100 + m), CWD: _count(lambda m: 3)},
    "cin_rereferrals_12m_pct": {
        MASH: _ratio(lambda m: 20 + m % 3, lambda m: 100 + m),
        CWD: _ratio(lambda m: 1, lambda m: 3),
    },
    "cin_referrals_nfa_pct": {MASH: _ratio(lambda m: 8, lambda m: 100 + m), CWD: _ratio(lambda m: 0, lambda m: 3)},
    "cin_assessments_completed": {
        L1: _count(lambda m: 40 + m),
        L2: _count(lambda m: 30 + m),
        CWD: _count(lambda m: 2 + m % 2),
    },
    "cin_assessments_child_seen_pct": {
        L1: _ratio(lambda m: 38 + m, lambda m: 40 + m),
        L2: _ratio(lambda m: 25 + m, lambda m: 30 + m),
    },
    "cin_assessments_within_45wd_pct": {
        L1: _ratio(lambda m: 36 + m, lambda m: 40 + m),
        L2: _ratio(lambda m: 20 + m, lambda m: 30 + m),
        CWD: _ratio(lambda m: 2, lambda m: 2 + m % 2),
    },
    "cin_assessments_open_over_45wd": {
        L1: _count(lambda m: 2 if m % 2 == 0 else 6),
        L2: _count(lambda m: 12 + m),
        CWD: _count(lambda m: 0),
    },
    "cin_s47_started": {L1: _count(lambda m: 10 + m % 4), L2: _count(lambda m: 8), CP1: _count(lambda m: 3)},
    "cin_icpc_within_15wd_pct": {CP1: _ratio(lambda m: 14 + m % 4, lambda m: 20)},
    "cp_plans_started": {CP1: _count(lambda m: 12 + m % 3), CWD: _count(lambda m: 2)},
    "cp_plans_at_period_end": {CP1: _count(lambda m: 150 + m), CWD: _count(lambda m: 6)},
    "cp_plans_second_or_subsequent_pct": {
        CP1: _ratio(lambda m: 3 + m % 3, lambda m: 12 + m % 3),
        CWD: _ratio(lambda m: 0, lambda m: 2),
    },
    "cp_plans_2yrs_plus_pct": {
        CP1: _ratio(lambda m: 3 if m == 14 else 7 + m % 2, lambda m: 150 + m),
        CWD: _ratio(lambda m: 0, lambda m: 6),
    },
    "cp_visits_within_standard_pct": {
        CP1: _ratio(lambda m: 140 + m - 10 * (m % 4), lambda m: 150 + m),
        CWD: _ratio(lambda m: 5, lambda m: 6),
    },
    "cin_open_at_period_end": {
        MASH: _count(lambda m: 20),
        L1: _count(lambda m: 150 + m),
        L2: _count(lambda m: 170 + 2 * m),
        CP1: _count(lambda m: 160 + m),
        CWD: _count(lambda m: 90),
    },
    "cin_legacy_measure": {MASH: _count(lambda m: 77)},
}
NO_TEAM = {"cin_s47_started": 2}  # enquiries recorded with no team: in the authority's figure only
LA_ONLY_RULES: dict[str, Rule] = {
    "cp_rate_per_10k": _ratio(lambda m: 156 + m, lambda m: 100_000),
    "cla_at_period_end": _count(lambda m: 600 + 5 * m),
    "cla_rate_per_10k": _ratio(lambda m: 600 + 5 * m, lambda m: 100_000),
    "cla_starts": _count(lambda m: 4 if m == 14 else 40 + m),
    "cla_placed_over_20_miles_pct": _ratio(lambda m: 70 + m, lambda m: 600 + 5 * m),
}
ENGLAND = {  # published figure for the year ending 31 March 2023, 2024
    "cin_rereferrals_12m_pct": (21.5, 22.4),
    "cin_referrals_nfa_pct": (7.0, 7.4),
    "cin_assessments_within_45wd_pct": (83.6, 82.5),
    "cin_icpc_within_15wd_pct": (78.0, 79.0),
    "cp_rate_per_10k": (41.6, 41.0),
    "cp_plans_second_or_subsequent_pct": (23.3, 23.6),
    "cp_plans_2yrs_plus_pct": (3.9, 4.0),
    "cla_rate_per_10k": (71.0, 70.0),
}


def target(indicator_id: str, m: int) -> tuple[float | None, float | None]:
    """(target, amber threshold) in force in month m (assessments within 45 days rose in April 2024)."""
    row = next(r for r in INDICATORS if r[0] == indicator_id)
    if indicator_id == "cin_assessments_within_45wd_pct" and month(m)[1] < dt.date(2024, 4, 1):
        return 80.0, 75.0
    return row[6], row[7]


def rag(indicator_id: str, value: float | None, m: int) -> str | None:
    goal, amber = target(indicator_id, m)
    if goal is None or value is None:
        return None
    if POLARITY[indicator_id] == "higher_is_better":
        return "green" if value >= goal else "amber" if value >= amber else "red"
    return "green" if value <= goal else "amber" if value <= amber else "red"


def direction(indicator_id: str, now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    if abs(now - before) < 1e-9:
        return "same"
    up = now > before
    polarity = POLARITY[indicator_id]
    if polarity == "neutral":
        return "up" if up else "down"
    return "better" if up == (polarity == "higher_is_better") else "worse"


def _value(unit: str, numerator: float, denominator: float | None) -> float | None:
    if denominator is None:
        return float(numerator)
    if denominator == 0:
        return None
    return numerator / denominator * (10_000 if unit == "rate_per_10k" else 100)


# --- values ------------------------------------------------------------------------------------------------

def _month_row(
    indicator_id: str, m: int, la: str, level: str, org_id: str, numerator: float, denominator: float | None
) -> dict[str, Any]:
    label, start, end = month(m)
    value = _value(UNITS[indicator_id], numerator, denominator)
    goal, _ = target(indicator_id, m)
    row = dict.fromkeys(VALUE_COLUMNS)
    row.update(
        indicator_id=indicator_id,
        period_grain="month",
        period_start=start,
        period_end=end,
        period_label=label,
        financial_year=fy_label(start),
        la_code=la,
        org_level=level,
        org_id=org_id,
        numerator=float(numerator),
        denominator=None if denominator is None else float(denominator),
        value=value,
        target=goal,
        rag=rag(indicator_id, value, m),
    )
    if level == "la" and indicator_id in ENGLAND:
        year = 2023 if m <= 4 else 2024
        row.update(
            benchmark_year=year,
            england_value=ENGLAND[indicator_id][year - 2023],
            region_value=ENGLAND[indicator_id][year - 2023] - 1.0,
            region_name=REGION,
        )
    return row


def _sum(parts: list[tuple[float, float | None]]) -> tuple[float, float | None]:
    numerator = sum(p[0] for p in parts)
    denominators = [p[1] for p in parts]
    return numerator, None if any(d is None for d in denominators) else sum(denominators)


def _values(unmapped_service: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    service_of = dict(TEAM_SERVICE) | ({CWD: UNMAPPED_SERVICE} if unmapped_service else {})
    services = [*SERVICES, UNMAPPED_SERVICE] if unmapped_service else list(SERVICES)
    for indicator_id, rules in TEAM_RULES.items():
        for m in range(N_MONTHS):
            cells = {team: rule(m) for team, rule in rules.items()}
            for team, (num, den) in cells.items():
                rows.append(_month_row(indicator_id, m, LA, "team", team, num, den))
            for service in services:
                members = [cells[t] for t in cells if service_of[t] == service]
                if members:
                    rows.append(_month_row(indicator_id, m, LA, "service", service, *_sum(members)))
            num, den = _sum(list(cells.values()))
            rows.append(_month_row(indicator_id, m, LA, "la", LA, num + NO_TEAM.get(indicator_id, 0), den))
    for indicator_id, rule in LA_ONLY_RULES.items():
        for m in range(N_MONTHS):
            rows.append(_month_row(indicator_id, m, LA, "la", LA, *rule(m)))
    for m in range(12, N_MONTHS):  # Brighton and Hove: three months, authority level only
        rows.append(_month_row("cin_contacts", m, OTHER_LA, "la", OTHER_LA, 300 + m, None))
        rows.append(_month_row("cin_referrals", m, OTHER_LA, "la", OTHER_LA, 2, None))

    # previous month, same month a year before, and their directions, as the mart fills them
    by_key = {(r["indicator_id"], r["la_code"], r["org_level"], r["org_id"], r["period_start"]): r for r in rows}
    for r in rows:
        for months_back, value_column, direction_column in (
            (1, "previous_value", "direction_previous"),
            (12, "year_ago_value", "direction_year_ago"),
        ):
            y, mo = divmod(r["period_start"].month - 1 - months_back, 12)
            earlier = dt.date(r["period_start"].year + y, mo + 1, 1)
            before = by_key.get((r["indicator_id"], r["la_code"], r["org_level"], r["org_id"], earlier))
            if before is not None:
                r[value_column] = before["value"]
                r[direction_column] = direction(r["indicator_id"], r["value"], before["value"])

    # decoy: a quarterly row the monthly page must not read
    decoy = _month_row("cin_contacts", 14, LA, "la", LA, 9999, None)
    decoy.update(
        period_grain="quarter",
        period_start=dt.date(2024, 10, 1),
        period_end=dt.date(2024, 12, 31),
        period_label="2024-25 Q3",
    )
    rows.append(decoy)
    return rows


# --- teams, exceptions -------------------------------------------------------------------------------------


def _org_units(unmapped_service: bool) -> list[dict[str, Any]]:
    rows = [
        {"la_code": LA, "org_level": "la", "org_id": LA, "org_name": LA_NAME, "parent_id": None, "is_mapped": True},
        {
            "la_code": OTHER_LA,
            "org_level": "la",
            "org_id": OTHER_LA,
            "org_name": OTHER_LA_NAME,
            "parent_id": None,
            "is_mapped": True,
        },
    ]
    rows += [
        {"la_code": LA, "org_level": "service", "org_id": s, "org_name": n, "parent_id": LA, "is_mapped": True}
        for s, n in SERVICES.items()
    ]
    rows += [
        {
            "la_code": LA,
            "org_level": "team",
            "org_id": org_id,
            "org_name": name,
            "parent_id": service,
            "is_mapped": service is not None,
        }
        for org_id, name, service in TEAMS
    ]
    if unmapped_service:  # as the dbt build does it: unmapped teams under a service 'unmapped', not mapped
        rows.append(
            {
                "la_code": LA,
                "org_level": "service",
                "org_id": UNMAPPED_SERVICE,
                "org_name": "Unmapped teams",
                "parent_id": LA,
                "is_mapped": False,
            }
        )
        for r in rows:
            if r["org_id"] == CWD:
                r["parent_id"] = UNMAPPED_SERVICE
    return rows


EXCEPTION_COLUMNS = (
    "la_code",
    "exception_type",
    "team_id",
    "service_id",
    "child_id",
    "start_date",
    "working_days",
    "days",
    "as_at_date",
)
HOSTILE_CHILD_ID = "=1+1"


def exception_counts(m: int) -> dict[tuple[str, str], int]:
    """{(exception_type, team): children} in month m, agreeing with the team counts above."""
    return {
        ("assessment_over_45wd", L1): int(TEAM_RULES["cin_assessments_open_over_45wd"][L1](m)[0]),
        ("assessment_over_45wd", L2): int(TEAM_RULES["cin_assessments_open_over_45wd"][L2](m)[0]),
        ("cp_plan_over_2_years", CP1): int(TEAM_RULES["cp_plans_2yrs_plus_pct"][CP1](m)[0]),
        ("cp_visit_overdue", CP1): int(
            TEAM_RULES["cp_visits_within_standard_pct"][CP1](m)[1]
            - TEAM_RULES["cp_visits_within_standard_pct"][CP1](m)[0]
        ),
        ("cp_visit_overdue", CWD): 1,
    }


def _exceptions() -> list[dict[str, Any]]:
    rows = []
    for m in (13, 14):
        _, _, as_at = month(m)
        for (kind, team), n in exception_counts(m).items():
            for k in range(n):
                child = f"C{team[-2:] if team != CWD else 'DT'}{m:02d}{k:03d}"
                if team == CWD:
                    child = HOSTILE_CHILD_ID
                working_days = 46 + 3 * k if kind == "assessment_over_45wd" else None
                days = (
                    (731 + 40 * k)
                    if kind == "cp_plan_over_2_years"
                    else (15 + k)
                    if kind == "cp_visit_overdue"
                    else None
                )
                rows.append(
                    {
                        "la_code": LA,
                        "exception_type": kind,
                        "team_id": team,
                        "service_id": TEAM_SERVICE[team],
                        "child_id": child,
                        "start_date": as_at - dt.timedelta(days=(working_days or 0) * 7 // 5 + (days or 0)),
                        "working_days": working_days,
                        "days": days,
                        "as_at_date": as_at,
                    }
                )
    rows.append(
        {
            "la_code": OTHER_LA,
            "exception_type": "assessment_over_45wd",
            "team_id": "846-T01",
            "service_id": "846-S1",
            "child_id": "B000001",
            "start_date": dt.date(2024, 9, 2),
            "working_days": 88,
            "days": None,
            "as_at_date": dt.date(2024, 12, 31),
        }
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
-- value is DECIMAL on purpose: the app must cast it to DOUBLE (Altair draws DECIMAL 100 times too large)
create table indicator_values (
    indicator_id varchar, period_grain varchar, period_start date, period_end date, period_label varchar,
    financial_year varchar, la_code varchar, org_level varchar, org_id varchar, numerator double,
    denominator double, value decimal(18, 6), target double, rag varchar, previous_value double,
    year_ago_value double, direction_previous varchar, direction_year_ago varchar, benchmark_year integer,
    england_value double, region_value double, region_name varchar, sn_value double, sn_count integer
);
create table org_units (
    la_code varchar, org_level varchar, org_id varchar, org_name varchar, parent_id varchar, is_mapped boolean
);
create table unmapped_teams (la_code varchar, team_name varchar, first_seen date, last_seen date, events integer);
create table statistical_neighbours (
    la_code varchar, la_name varchar, region_name varchar, sn_rank integer, sn_la_code varchar,
    sn_la_name varchar, closeness varchar
);
"""
EXCEPTIONS_DDL = """
create table cin_exceptions (
    la_code varchar, exception_type varchar, team_id varchar, service_id varchar, child_id varchar,
    start_date date, working_days integer, days integer, as_at_date date
);
"""


def write_warehouse(
    path: Path | str,
    *,
    exceptions: bool = True,
    extra_audiences: Mapping[str, str] | None = None,
    unmapped: bool = True,
    unmapped_service: bool = False,
    build_id: str = BUILD_ID,
) -> Path:
    """Write the hand-made warehouse to `path` (replacing any file there) and return the path.

    `exceptions=False` leaves out `cin_exceptions`, as an older build would; `extra_audiences` overrides the
    `audiences` of catalogue rows ({indicator_id: "team_managers;cscmt"}); `unmapped=False` empties
    `unmapped_teams`; `unmapped_service=True` puts the unmapped team under a service 'unmapped' (is_mapped
    false, with its own service rows), as the dbt build does, instead of under no service.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        if exceptions:
            con.execute(EXCEPTIONS_DDL)
            _insert(con, "cin_exceptions", EXCEPTION_COLUMNS, _exceptions())
        con.execute("insert into meta.build_info values (?, ?, ?, ?, ?)", [build_id, BUILT_AT, "1.11.0", "0.1.0", True])
        loads = [
            {
                "load_id": f"01CSCMT{n:04d}",
                "dataset": "annex_a",
                "table_name": "annex_a",
                "file_name": "annex_a.xlsx",
                "file_path": f"data/extracts/annex_a/{LA}/{as_at:%Y-%m}/annex_a.xlsx",
                "sha256": f"{n:064x}",
                "la_code": LA,
                "collection_year": 2025,
                "period_start": starts,
                "period_end": as_at,
                "encoding": None,
                "synthetic": True,
                "rows_read": 500,
                "rows_loaded": 500,
                "rows_rejected": 0,
                "status": "loaded",
                "superseded_by": None,
                "message": None,
                "started_at": dt.datetime(2025, 1, 6, 7, 50),
                "finished_at": dt.datetime(2025, 1, 6, 7, 51),
            }
            for n, (starts, as_at) in enumerate(
                [(dt.date(2023, 12, 1), dt.date(2024, 11, 30)), (dt.date(2024, 1, 1), dt.date(2024, 12, 31))], start=1
            )
        ]
        _insert(con, "meta.loads", tuple(loads[0]), loads)
        _insert(con, "indicators", CATALOGUE_COLUMNS, _catalogue(extra_audiences or {}))
        _insert(con, "indicator_values", VALUE_COLUMNS, _values(unmapped_service))
        units = _org_units(unmapped_service)
        _insert(con, "org_units", tuple(units[0]), units)
        if unmapped:
            con.execute(
                "insert into unmapped_teams values (?, ?, ?, ?, ?)",
                [LA, CWD_NAME, dt.date(2023, 10, 2), dt.date(2024, 12, 20), 57],
            )
        sns = [
            {
                "la_code": la,
                "la_name": name,
                "region_name": REGION,
                "sn_rank": 1,
                "sn_la_code": "878",
                "sn_la_name": "Devon",
                "closeness": "Very close",
            }
            for la, name in ((LA, LA_NAME), (OTHER_LA, OTHER_LA_NAME))
        ]
        _insert(con, "statistical_neighbours", tuple(sns[0]), sns)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


# --- reading back ------------------------------------------------------------------------------------------


def _select(path: Path | str, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rel = con.sql(sql, params=params)
        columns = rel.columns
        rows = rel.fetchall()
    finally:
        con.close()
    out = []
    for r in rows:
        record = dict(zip(columns, r, strict=True))
        if record.get("value") is not None:
            record["value"] = float(record["value"])
        out.append(record)
    return out


def lookup(
    path: Path | str, indicator_id: str, label: str, *, org_level: str = "la", org_id: str = LA, la_code: str = LA
) -> dict[str, Any] | None:
    """One monthly indicator_values row, read straight from a warehouse file (value as float)."""
    rows = _select(
        path,
        "select * from indicator_values where indicator_id = ? and period_label = ? and la_code = ? "
        "and org_level = ? and org_id = ? and period_grain = 'month'",
        [indicator_id, label, la_code, org_level, org_id],
    )
    return rows[0] if rows else None


def month_rows(path: Path | str, label: str, *, org_level: str, la_code: str = LA) -> list[dict[str, Any]]:
    """Every monthly row at one level for one month."""
    return _select(
        path,
        "select * from indicator_values where period_label = ? and la_code = ? and org_level = ? "
        "and period_grain = 'month' order by indicator_id, org_id",
        [label, la_code, org_level],
    )


def catalogue(path: Path | str) -> dict[str, dict[str, Any]]:
    return {r["indicator_id"]: r for r in _select(path, "select * from indicators", [])}


def exceptions(path: Path | str, as_at: dt.date, *, la_code: str = LA) -> list[dict[str, Any]]:
    return _select(
        path, "select * from cin_exceptions where la_code = ? and as_at_date = ? order by child_id", [la_code, as_at]
    )
