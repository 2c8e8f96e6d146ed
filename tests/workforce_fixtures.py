"""A small hand-made served warehouse for the Workforce and Complaints pages (docs/contracts.md, "Served
warehouse" and "Workforce and complaints (issue 4)").

`write_warehouse(path)` writes meta.build_info, meta.loads, indicators, indicator_values, org_units,
statistical_neighbours, workforce_worker_months and complaints. Every number follows a rule simple enough to
check by eye.

East Sussex (845): one service, 845-S1 "Safeguarding", with two teams, 845-T01 "North Safeguarding" and 845-T02
"South Safeguarding". The service is the sum of its teams and the authority the service.

Workforce, monthly: month index m runs 0..12 from Dec 2023 to Dec 2024 (Dec 2024 is m = 12, Nov 2024 m = 11).
Per team (FTE): employees E, agency A, vacancies V, leavers in the 12 months L12, starters S, leavers Lm, sickness
days in the 12 months D12, cases K held by case holders of FTE C. Dec 2024 in brackets.

| team | E | A | V | L12 | S | Lm | D12 | K / C |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| North (T01) | 15 + 0.5m (21) | 1 | 3 | 2 + 0.1m (3.2) | 1 if m%3 = 0 (1) | 0.5 if m even (0.5) | 168 | 44+m (56) / 3 |
| South (T02) | 12 | 1 + 0.25m (4) | 2 + 0.25m (5) | 3 | 0.5 if m odd (0) | 1 if m%4 = 0 (1) | 120 | 46 + m (58) / 3.5 |

wf_sw_fte_in_post = E; wf_vacancy_rate_pct = V / (E + V); wf_agency_rate_pct = A / (A + E); wf_turnover_rate_pct =
L12 / E; wf_starters_fte = S; wf_leavers_fte = Lm; wf_days_lost_per_fte = D12 / E; wf_caseload_per_case_holder =
K / C. So for the authority in Dec 2024: 33.0 FTE (Nov 32.5, Dec 2023 27.0), vacancy 8/41 = 19.5% (red against
10, amber to 15), agency 5/38 = 13.2% (amber), turnover 6.2/33 = 18.8% (amber against 15, amber to 20), starters
1.0 FTE, leavers 1.5 FTE, 8.7 days lost per FTE, caseload 114/6.5 = 17.5 (green against 18, amber to 20).
Pressure (vacancy + agency) in Dec 2024: South 29.4% + 25.0%, North 12.5% + 4.5%.

England and statistical neighbours (authority rows): the CSWW census of 30 September 2023 up to Aug 2024, of 30
September 2024 from Sep 2024 (benchmark_year 2023, 2024). Vacancy: England 20.0, 17.1, neighbours 18.0, 16.2;
agency 17.6, 15.5 / 16.0, 14.0; turnover 17.1, 15.8 / 16.5, 15.0; caseload 17.0, 16.4 / 16.8, 16.1 (10 neighbours).

workforce_worker_months, case-holding social workers (cases, FTE) in Dec 2024: North 12, 19, 25 (full time);
South 10, 16, 10 at 0.5 FTE (20 per FTE), 22 (agency). So 2 + 2 above a ceiling of 18 cases per FTE, 1 + 1 above
20, none above 25. Nov 2024: North 12, 18, 25 (1 above 18); South as December but 15 for 16 (2 above 18). Not
case holders: a first line manager with no cases and family support (UNQ) with 5 cases in North. Another
authority's worker with 40 cases in Dec 2024 must not count. Worker ids all start "WKR-PSEUDO-": never shown.

Complaints, quarterly: quarter index i runs 0..4 from 2023-24 Q3 to 2024-25 Q3 (2024-25 Q3 is i = 4, the quarter
before i = 3, the same quarter a year before i = 0).

| indicator | North | South | 2024-25 Q3 authority |
| --- | --- | --- | --- |
| complaints_stage1_received | 10 + i | 3 | 17 (16, 13) |
| complaints_stage2_received | 2 if i = 4 else 3 | 1 if i = 4 else 3 | 3 (6, 6) |
| complaints_stage3_received | 1 if i = 4 else 0 | 0 | 1 (0, 0) |
| complaints_stage1_within_timescale_pct (80/70) | 12/14; 7/7; (8+i)/(10+i) | 4/7; 3/3; 2/3 | 16/21 (10/10, 10/13) |
| complaints_stage2_within_timescale_pct (80 / 70) | 1/2 if i = 4 else 3/3 | 1/1 if i = 4 else 2/3 | 2/3 hidden (5/6) |
| complaints_stage3_within_timescale_pct | 1/1 in i = 4 only | | 1/1 hidden |
| complaints_upheld_pct | 8/13 if i = 4, 2/4 if i = 3, else 7/(9 + i) | 3 / 6 | 11/19 = 57.9% (5/10) |
| complaints_escalated_pct | 2 / (10 + i) | 1 / 3 | 3/17 hidden |
| complaints_learning_actions_open | 2 if i = 4 else 3 | 1 if i = 4 else 2 | 3 (5) |
| complaints_learning_actions_overdue | 1 | 0 | 1 |
| compliments_received | 8 + i | 4 | 16 |
| natures, i = 4 | communication 4, quality of service 2, delay 8 | communication 1, quality 2 | 5, 4, 8 |
| natures, i < 4 | communication 5, delay 5 + i | quality of service 3 | |

So in 2024-25 Q3 South's small counts hide North's as well (teams add up to the service), and the natures hide
communication (5) with quality of service (4), since they add up to the stage 1 complaints received (17). Stage 1
timeliness in Q3 and Q2 is of the register's 21 and 10 stage 1 responses: 16/21 = 76.2% (amber), 5 late; 10/10,
none late, so nothing a small number would give away.

The `complaints` register (as at 31 December 2024): 21 stage 1 responses in 2024-25 Q3 (6 upheld, 5 partly
upheld, 8 not upheld, 2 withdrawn: the 2 is small, so every stage 1 outcome is hidden and the share upheld,
11/19, is shown); 10 in Q2 (5 upheld, 5 not upheld: nothing hidden), three of
which went to stage 2 with responses in Q3 (1 upheld, 2 not upheld) and one of those to a stage 3 panel in Q3
(not upheld); two compliments. Learning actions: one overdue (North, due 15 November 2024, "Remind staff to return
calls within 2 working days"), one open (North, due 31 January 2025), one open with no due date (South), two
completed (one starting "=HYPERLINK" to test formula-safe downloads), one not required (never listed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
from fixture_writing import VALUE_COLUMNS
from fixture_writing import insert_rows as _insert

LA, LA_NAME = "845", "East Sussex"
OTHER_LA = "846"
REGION = "South East"
BUILD_ID = "workforce-fixture-20250107-0800"
BUILT_AT = dt.datetime(2025, 1, 7, 8, 0)
SERVICE, SERVICE_NAME = "845-S1", "Safeguarding"
NORTH, SOUTH = "845-T01", "845-T02"
TEAM_NAMES = {NORTH: "North Safeguarding", SOUTH: "South Safeguarding"}
N_MONTHS = 13
FIRST_MONTH = dt.date(2023, 12, 1)
LATEST_MONTH, PREVIOUS_MONTH, YEAR_AGO_MONTH = "Dec 2024", "Nov 2024", "Dec 2023"
N_QUARTERS = 5
FIRST_QUARTER = dt.date(2023, 10, 1)
LATEST_QUARTER, PREVIOUS_QUARTER, YEAR_AGO_QUARTER = "2024-25 Q3", "2024-25 Q2", "2023-24 Q3"
AS_AT = dt.date(2024, 12, 31)
WORKER_PREFIX = "WKR-PSEUDO-"
OVERDUE_ACTION = "Remind staff to return calls within 2 working days"
HOSTILE_ACTION = '=HYPERLINK("http://example.com") share **learning** about contact arrangements'

NATURES = [  # code, label
    ("communication", "Communication"),
    ("quality_of_service", "Quality of service"),
    ("staff_conduct", "Staff conduct"),
    ("delay", "Delay"),
    ("decision", "Decision"),
    ("contact", "Contact arrangements"),
    ("placement", "Placement"),
    ("assessment", "Assessment"),
    ("information", "Information"),
    ("financial", "Financial"),
    ("other", "Other"),
]

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
WF = "cscmt;smt;lead_member;workforce_lead"
CO = "cscmt;smt;lead_member;scrutiny;complaints_manager"

# indicator_id, name, short name, group, unit, polarity, target, amber, sort order, definition
INDICATORS: list[tuple] = [
    ("wf_sw_fte_in_post", "Social workers employed (FTE) at the end of the period", "Social workers in post (FTE)",
     "workforce_capacity", "fte", "neutral", None, None, 600,
     "Full-time equivalent of employed social workers in post at the end of the period."),
    ("wf_vacancy_rate_pct", "Social worker vacancy rate", "Vacancy rate", "workforce_capacity", "percent",
     "lower_is_better", 10.0, 15.0, 610, "Vacant funded posts as a percentage of vacant posts plus employees."),
    ("wf_agency_rate_pct", "Agency social worker rate", "Agency rate", "workforce_capacity", "percent",
     "lower_is_better", 10.0, 15.0, 620, "Agency social workers as a percentage of agency plus employed, in FTE."),
    ("wf_turnover_rate_pct", "Social worker turnover in the last 12 months", "Turnover (12 months)",
     "workforce_stability", "percent", "lower_is_better", 15.0, 20.0, 630,
     "Leavers' FTE in the 12 months to the period end as a percentage of FTE in post at its end."),
    ("wf_starters_fte", "Social workers starting (FTE)", "Starters (FTE)", "workforce_stability", "fte", "neutral",
     None, None, 640, "Employed social workers who joined in the period, in FTE."),
    ("wf_leavers_fte", "Social workers leaving (FTE)", "Leavers (FTE)", "workforce_stability", "fte", "neutral",
     None, None, 650, "Employed social workers who left in the period, in FTE."),
    ("wf_days_lost_per_fte", "Working days lost to sickness per social worker FTE in the last 12 months",
     "Sickness days per FTE", "workforce_wellbeing", "ratio", "lower_is_better", None, None, 660,
     "Working days lost to sickness in the 12 months to the period end per FTE in post at its end."),
    ("wf_caseload_per_case_holder", "Average caseload per case-holding social worker (FTE)",
     "Caseload per case holder", "caseloads", "ratio", "lower_is_better", 18.0, 20.0, 670,
     "Cases held by case-holding social workers divided by their FTE at the end of the period."),
    ("complaints_stage1_received", "Complaints received at stage 1", "Stage 1 complaints", "complaints_received",
     "count", "neutral", None, None, 700, "Complaints whose stage 1 started during the period."),
    ("complaints_stage2_received", "Complaints received at stage 2", "Stage 2 complaints", "complaints_received",
     "count", "neutral", None, None, 710, "Complaints whose stage 2 started during the period."),
    ("complaints_stage3_received", "Complaints received at stage 3", "Stage 3 complaints", "complaints_received",
     "count", "neutral", None, None, 720, "Complaints whose stage 3 started during the period."),
    ("complaints_stage1_within_timescale_pct", "Stage 1 complaint responses within timescale",
     "Stage 1 in timescale", "complaints_timeliness", "percent", "higher_is_better", 80.0, 70.0, 730,
     "Of the stage 1 responses dated in the period, the percentage within 10 working days (20 if extended)."),
    ("complaints_stage2_within_timescale_pct", "Stage 2 complaint responses within timescale",
     "Stage 2 in timescale", "complaints_timeliness", "percent", "higher_is_better", 80.0, 70.0, 740,
     "Of the stage 2 responses dated in the period, the percentage within 25 working days (65 if extended)."),
    ("complaints_stage3_within_timescale_pct", "Stage 3 complaint responses within timescale",
     "Stage 3 in timescale", "complaints_timeliness", "percent", "higher_is_better", None, None, 750,
     "Of the stage 3 responses dated in the period, the percentage within 30 working days."),
    ("complaints_upheld_pct", "Stage 1 complaints upheld or partly upheld", "Upheld (stage 1)",
     "complaints_outcomes", "percent", "neutral", None, None, 760,
     "Of the stage 1 responses dated in the period with an outcome, the percentage upheld or partly upheld."),
    ("complaints_escalated_pct", "Stage 1 complaints escalated to stage 2", "Escalated to stage 2",
     "complaints_outcomes", "percent", "lower_is_better", None, None, 770,
     "Of the stage 1 responses dated in the period, the percentage that went on to stage 2."),
    *[
        (f"complaints_nature_{code}_count", f"Complaints by nature: {label}", f"{label} (number)",
         "complaint_nature", "count", "neutral", None, None, 780 + 10 * n,
         f"Complaints whose stage 1 started during the period and whose nature is '{label}'.")
        for n, (code, label) in enumerate(NATURES)
    ],
    ("complaints_learning_actions_open", "Learning actions from complaints open at the end of the period",
     "Learning actions open", "complaints_learning", "count", "neutral", None, None, 890,
     "Learning actions open on the last day of the period."),
    ("complaints_learning_actions_overdue", "Learning actions from complaints overdue at the end of the period",
     "Learning actions overdue", "complaints_learning", "count", "lower_is_better", None, None, 900,
     "Of the learning actions open on the last day of the period, those whose due date is before that day."),
    ("compliments_received", "Compliments received", "Compliments", "compliments", "count", "neutral", None, None,
     910, "Compliments received during the period."),
]  # fmt: skip
UNITS = {r[0]: r[4] for r in INDICATORS}
POLARITY = {r[0]: r[5] for r in INDICATORS}
TARGETS = {r[0]: (r[6], r[7]) for r in INDICATORS}
NATURE_LABELS = dict(NATURES)


def _catalogue() -> list[dict[str, Any]]:
    rows = []
    for ind_id, name, short, group, unit, polarity, target, amber, order, definition in INDICATORS:
        domain = "workforce" if ind_id.startswith("wf_") else "complaints"
        rows.append(
            {
                "indicator_id": ind_id,
                "name": name,
                "short_name": short,
                "domain": domain,
                "indicator_group": group,
                "breakdown_label": NATURE_LABELS.get(ind_id.removeprefix("complaints_nature_").removesuffix("_count"))
                if group == "complaint_nature"
                else None,
                "definition": definition,
                "numerator_definition": f"Counted: {short.lower()}",
                "denominator_definition": "Out of: what it applies to" if unit in ("percent", "ratio") else None,
                "unit": unit,
                "polarity": polarity,
                "target": target,
                "amber_threshold": amber,
                "definition_source": "Hand-made test catalogue",
                "qa_task_ids": None,
                "audiences": WF if domain == "workforce" else CO,
                "grains": "month;quarter;year",
                "benchmark_series": None,
                "is_stock": unit != "count",
                "sort_order": order,
            }
        )
    return rows


# --- periods -----------------------------------------------------------------------------------------------


def _add_months(d: dt.date, n: int) -> dt.date:
    y, mo = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, mo + 1, 1)


def month(m: int) -> tuple[str, dt.date, dt.date]:
    """(label, start, end) of month index m: 0 = Dec 2023."""
    start = _add_months(FIRST_MONTH, m)
    return f"{start:%b %Y}", start, _add_months(start, 1) - dt.timedelta(days=1)


def quarter(i: int) -> tuple[str, dt.date, dt.date]:
    """(label, start, end) of quarter index i: 0 = 2023-24 Q3."""
    start = _add_months(FIRST_QUARTER, 3 * i)
    fy = start.year if start.month >= 4 else start.year - 1
    q = (start.month - 4) % 12 // 3 + 1
    return f"{fy}-{(fy + 1) % 100:02d} Q{q}", start, _add_months(start, 3) - dt.timedelta(days=1)


def fy_label(d: dt.date) -> str:
    fy = d.year if d.month >= 4 else d.year - 1
    return f"{fy}-{(fy + 1) % 100:02d}"


# --- workforce rules -----------------------------------------------------------------------------------------


def team_measures(team: str, m: int) -> dict[str, float]:
    if team == NORTH:
        return {
            "E": 15 + 0.5 * m,
            "A": 1.0,
            "V": 3.0,
            "L12": 2 + 0.1 * m,
            "S": 1.0 if m % 3 == 0 else 0.0,
            "Lm": 0.5 if m % 2 == 0 else 0.0,
            "D12": 168.0,
            "K": 44.0 + m,
            "C": 3.0,
        }
    return {
        "E": 12.0,
        "A": 1 + 0.25 * m,
        "V": 2 + 0.25 * m,
        "L12": 3.0,
        "S": 0.5 if m % 2 == 1 else 0.0,
        "Lm": 1.0 if m % 4 == 0 else 0.0,
        "D12": 120.0,
        "K": 46.0 + m,
        "C": 3.5,
    }


def wf_cells(x: dict[str, float]) -> dict[str, tuple[float, float | None]]:
    """(numerator, denominator) of each workforce indicator from one org unit's measures."""
    return {
        "wf_sw_fte_in_post": (x["E"], None),
        "wf_vacancy_rate_pct": (x["V"], x["E"] + x["V"]),
        "wf_agency_rate_pct": (x["A"], x["A"] + x["E"]),
        "wf_turnover_rate_pct": (x["L12"], x["E"]),
        "wf_starters_fte": (x["S"], None),
        "wf_leavers_fte": (x["Lm"], None),
        "wf_days_lost_per_fte": (x["D12"], x["E"]),
        "wf_caseload_per_case_holder": (x["K"], x["C"]),
    }


ENGLAND = {  # (England, statistical neighbours) for the census of 30 September 2023, 2024
    "wf_vacancy_rate_pct": ((20.0, 18.0), (17.1, 16.2)),
    "wf_agency_rate_pct": ((17.6, 16.0), (15.5, 14.0)),
    "wf_turnover_rate_pct": ((17.1, 16.5), (15.8, 15.0)),
    "wf_caseload_per_case_holder": ((17.0, 16.8), (16.4, 16.1)),
}


# --- complaints rules ----------------------------------------------------------------------------------------


def complaint_cells(team: str, i: int) -> dict[str, tuple[float, float | None]]:
    latest = i == 4
    if team == NORTH:
        cells: dict[str, tuple[float, float | None]] = {
            "complaints_stage1_received": (10 + i, None),
            "complaints_stage2_received": (2 if latest else 3, None),
            "complaints_stage3_received": (1 if latest else 0, None),
            "complaints_stage1_within_timescale_pct": (12, 14) if latest else (7, 7) if i == 3 else (8 + i, 10 + i),
            "complaints_stage2_within_timescale_pct": (1, 2) if latest else (3, 3),
            "complaints_upheld_pct": (8, 13) if latest else (2, 4) if i == 3 else (7, 9 + i),
            "complaints_escalated_pct": (2, 10 + i),
            "complaints_learning_actions_open": (2 if latest else 3, None),
            "complaints_learning_actions_overdue": (1, None),
            "compliments_received": (8 + i, None),
        }
        if latest:
            cells["complaints_stage3_within_timescale_pct"] = (1, 1)
            natures = {"communication": 4, "quality_of_service": 2, "delay": 8}
        else:
            natures = {"communication": 5, "delay": 5 + i}
    else:
        cells = {
            "complaints_stage1_received": (3, None),
            "complaints_stage2_received": (1 if latest else 3, None),
            "complaints_stage3_received": (0, None),
            "complaints_stage1_within_timescale_pct": (4, 7) if latest else (3, 3) if i == 3 else (2, 3),
            "complaints_stage2_within_timescale_pct": (1, 1) if latest else (2, 3),
            "complaints_upheld_pct": (3, 6),
            "complaints_escalated_pct": (1, 3),
            "complaints_learning_actions_open": (1 if latest else 2, None),
            "complaints_learning_actions_overdue": (0, None),
            "compliments_received": (4, None),
        }
        natures = {"communication": 1, "quality_of_service": 2} if latest else {"quality_of_service": 3}
    for code, n in natures.items():
        cells[f"complaints_nature_{code}_count"] = (n, None)
    return cells


# --- indicator_values ----------------------------------------------------------------------------------------

def _value(unit: str, numerator: float, denominator: float | None) -> float | None:
    if denominator is None:
        return float(numerator)
    if denominator == 0:
        return None
    return numerator / denominator * (100 if unit == "percent" else 1)


def rag(indicator_id: str, value: float | None) -> str | None:
    goal, amber = TARGETS[indicator_id]
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


def _row(
    indicator_id: str,
    grain: str,
    period: tuple[str, dt.date, dt.date],
    level: str,
    org_id: str,
    numerator: float,
    denominator: float | None,
) -> dict[str, Any]:
    label, start, end = period
    value = _value(UNITS[indicator_id], numerator, denominator)
    row = dict.fromkeys(VALUE_COLUMNS)
    row.update(
        indicator_id=indicator_id,
        period_grain=grain,
        period_start=start,
        period_end=end,
        period_label=label,
        financial_year=fy_label(start),
        la_code=LA,
        org_level=level,
        org_id=org_id,
        numerator=float(numerator),
        denominator=None if denominator is None else float(denominator),
        value=value,
        target=TARGETS[indicator_id][0],
        rag=rag(indicator_id, value),
    )
    if level == "la" and indicator_id in ENGLAND:
        year = 2024 if end >= dt.date(2024, 9, 30) else 2023
        england, neighbours = ENGLAND[indicator_id][year - 2023]
        row.update(benchmark_year=year, england_value=england, sn_value=neighbours, sn_count=10)
    return row


def _sum(parts: list[tuple[float, float | None]]) -> tuple[float, float | None]:
    numerator = sum(p[0] for p in parts)
    denominators = [p[1] for p in parts]
    return numerator, None if any(d is None for d in denominators) else sum(denominators)


def _org_rows(indicator_id: str, grain: str, period, cells: dict[str, tuple[float, float | None]]) -> list[dict]:
    rows = [_row(indicator_id, grain, period, "team", team, *cell) for team, cell in cells.items()]
    total = _sum(list(cells.values()))
    rows.append(_row(indicator_id, grain, period, "service", SERVICE, *total))
    rows.append(_row(indicator_id, grain, period, "la", LA, *total))
    return rows


def _values(workforce: bool, complaints: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if workforce:
        for m in range(N_MONTHS):
            per_team = {team: wf_cells(team_measures(team, m)) for team in (NORTH, SOUTH)}
            for indicator_id in per_team[NORTH]:
                cells = {team: per_team[team][indicator_id] for team in per_team}
                rows += _org_rows(indicator_id, "month", month(m), cells)
    if complaints:
        for i in range(N_QUARTERS):
            per_team = {team: complaint_cells(team, i) for team in (NORTH, SOUTH)}
            ids = sorted(set(per_team[NORTH]) | set(per_team[SOUTH]))
            for indicator_id in ids:
                cells = {team: per_team[team][indicator_id] for team in per_team if indicator_id in per_team[team]}
                rows += _org_rows(indicator_id, "quarter", quarter(i), cells)

    # previous period, the same period a year before, and their directions, as the mart fills them
    by_key = {(r["indicator_id"], r["period_grain"], r["org_level"], r["org_id"], r["period_start"]): r for r in rows}
    for r in rows:
        step = 1 if r["period_grain"] == "month" else 3
        for back, value_column, direction_column in (
            (step, "previous_value", "direction_previous"),
            (12, "year_ago_value", "direction_year_ago"),
        ):
            earlier = _add_months(r["period_start"], -back)
            before = by_key.get((r["indicator_id"], r["period_grain"], r["org_level"], r["org_id"], earlier))
            if before is not None:
                r[value_column] = before["value"]
                r[direction_column] = direction(r["indicator_id"], r["value"], before["value"])
    return rows


# --- workforce_worker_months -----------------------------------------------------------------------------------

WORKER_COLUMNS = (
    "la_code",
    "month_start",
    "month_end",
    "worker_id",
    "team_id",
    "service_id",
    "role",
    "is_social_worker",
    "is_agency",
    "fte",
    "cases_held",
    "is_case_holder",
    "sickness_days",
    "started_in_month",
    "left_in_month",
    "leave_reason",
)
# team, role, agency, fte, cases in Nov 2024, cases in Dec 2024
WORKERS = [
    (NORTH, "SW", False, 1.0, 12, 12),
    (NORTH, "SW", False, 1.0, 18, 19),
    (NORTH, "SP", False, 1.0, 25, 25),
    (NORTH, "FLM", False, 1.0, 0, 0),
    (NORTH, "UNQ", False, 1.0, 5, 5),
    (SOUTH, "SW", False, 1.0, 10, 10),
    (SOUTH, "SW", False, 1.0, 15, 16),
    (SOUTH, "SW", False, 0.5, 10, 10),
    (SOUTH, "SW", True, 1.0, 22, 22),
]


def above_ceiling(team: str, label: str, ceiling: float) -> int:
    """Case-holding social workers of a team above `ceiling` cases per FTE in Nov or Dec 2024 (from WORKERS)."""
    column = 4 if label == PREVIOUS_MONTH else 5
    return sum(1 for w in WORKERS if w[0] == team and w[1] != "UNQ" and w[column] > 0 and w[column] / w[3] > ceiling)


def _workers() -> list[dict[str, Any]]:
    rows = []
    for m, column in ((11, 4), (12, 5)):
        _, start, end = month(m)
        for n, w in enumerate(WORKERS, start=1):
            team, role, agency, fte, cases = w[0], w[1], w[2], w[3], w[column]
            rows.append(
                {
                    "la_code": LA,
                    "month_start": start,
                    "month_end": end,
                    "worker_id": f"{WORKER_PREFIX}{n:02d}",
                    "team_id": team,
                    "service_id": SERVICE,
                    "role": role,
                    "is_social_worker": role != "UNQ",
                    "is_agency": agency,
                    "fte": fte,
                    "cases_held": cases,
                    "is_case_holder": cases > 0,
                    "sickness_days": 1.0,
                    "started_in_month": False,
                    "left_in_month": False,
                    "leave_reason": None,
                }
            )
    _, start, end = month(12)
    rows.append(
        {
            "la_code": OTHER_LA,
            "month_start": start,
            "month_end": end,
            "worker_id": f"{WORKER_PREFIX}99",
            "team_id": "846-T01",
            "service_id": "846-S1",
            "role": "SW",
            "is_social_worker": True,
            "is_agency": False,
            "fte": 1.0,
            "cases_held": 40,
            "is_case_holder": True,
            "sickness_days": 0.0,
            "started_in_month": False,
            "left_in_month": False,
            "leave_reason": None,
        }
    )
    return rows


# --- the complaints register -------------------------------------------------------------------------------------

COMPLAINT_COLUMNS = (
    "la_code",
    "reference",
    "record_type",
    "received_date",
    "team_id",
    "service_id",
    "complainant",
    "nature",
    "stage",
    *[
        f"stage{n}_{c}"
        for n in (1, 2, 3)
        for c in ("start_date", "response_date", "extended", "outcome", "working_days", "timescale_days",
                  "within_timescale")
    ],
    "ombudsman_referred",
    "learning_action",
    "learning_action_due_date",
    "learning_action_status",
    "learning_action_completed_date",
    "as_at_date",
)  # fmt: skip
Q3_OUTCOMES = ["upheld"] * 6 + ["partly_upheld"] * 5 + ["not_upheld"] * 8 + ["withdrawn"] * 2
Q2_OUTCOMES = ["upheld"] * 5 + ["not_upheld"] * 5
# reference: (status, due date, completed date, action text)
ACTIONS = {
    "R001": ("open", dt.date(2024, 11, 15), None, OVERDUE_ACTION),
    "R002": ("open", dt.date(2025, 1, 31), None, "Review letter templates so decisions are explained plainly"),
    "R003": ("completed", dt.date(2024, 12, 15), dt.date(2024, 12, 2), HOSTILE_ACTION),
    "R007": ("open", None, None, "Agree a named contact for families waiting for an assessment"),
    "R009": ("not_required", None, None, "No action needed"),
    "R101": ("completed", dt.date(2024, 10, 31), dt.date(2024, 10, 20), "Add checks for delay to supervision"),
}
ACTION_TEAMS = {"R001": NORTH, "R002": NORTH, "R003": SOUTH, "R007": SOUTH, "R009": SOUTH, "R101": NORTH}


def _record(reference: str, received: dt.date, team: str, nature: str) -> dict[str, Any]:
    row = dict.fromkeys(COMPLAINT_COLUMNS)
    row.update(
        la_code=LA,
        reference=reference,
        record_type="complaint",
        received_date=received,
        team_id=team,
        service_id=SERVICE,
        complainant="parent",
        nature=nature,
        stage=1,
        stage1_start_date=received,
        stage1_extended=False,
        stage1_timescale_days=10,
        ombudsman_referred=False,
        as_at_date=AS_AT,
    )
    return row


def _complaints() -> list[dict[str, Any]]:
    rows = []
    codes = [code for code, _ in NATURES]
    for k, outcome in enumerate(Q3_OUTCOMES):  # stage 1 responses in 2024-25 Q3
        reference = f"R{k + 1:03d}"
        received = dt.date(2024, 10, 1) + dt.timedelta(days=2 * k)
        team = ACTION_TEAMS.get(reference, NORTH if k % 2 == 0 else SOUTH)
        row = _record(reference, received, team, codes[k % 4])
        row.update(
            stage1_response_date=received + dt.timedelta(days=7),
            stage1_outcome=outcome,
            stage1_working_days=5,
            stage1_within_timescale=True,
        )
        rows.append(row)
    for k, outcome in enumerate(Q2_OUTCOMES):  # stage 1 responses in 2024-25 Q2
        reference = f"R{101 + k}"
        received = dt.date(2024, 7, 1) + dt.timedelta(days=3 * k)
        row = _record(reference, received, ACTION_TEAMS.get(reference, NORTH if k % 2 else SOUTH), "delay")
        row.update(
            stage1_response_date=received + dt.timedelta(days=10),
            stage1_outcome=outcome,
            stage1_working_days=8,
            stage1_within_timescale=True,
        )
        rows.append(row)
    # three of Q2's not upheld complaints went to stage 2 (answered in Q3), one of them on to a stage 3 panel
    for reference, outcome2, panel in (("R106", "upheld", False), ("R107", "not_upheld", False),
                                       ("R108", "not_upheld", True)):  # fmt: skip
        row = next(r for r in rows if r["reference"] == reference)
        row.update(
            stage=3 if panel else 2,
            stage2_start_date=dt.date(2024, 9, 20),
            stage2_response_date=dt.date(2024, 10, 25),
            stage2_extended=False,
            stage2_outcome=outcome2,
            stage2_working_days=25,
            stage2_timescale_days=25,
            stage2_within_timescale=True,
        )
        if panel:
            row.update(
                stage3_start_date=dt.date(2024, 11, 1),
                stage3_response_date=dt.date(2024, 12, 10),
                stage3_outcome="not_upheld",
                stage3_working_days=27,
                stage3_timescale_days=30,
                stage3_within_timescale=True,
            )
    for row in rows:
        if row["reference"] in ACTIONS:
            status, due, completed, text = ACTIONS[row["reference"]]
            row.update(
                learning_action=text,
                learning_action_due_date=due,
                learning_action_status=status,
                learning_action_completed_date=completed,
            )
    for k in range(2):
        row = dict.fromkeys(COMPLAINT_COLUMNS)
        row.update(
            la_code=LA,
            reference=f"C{k + 1:03d}",
            record_type="compliment",
            received_date=dt.date(2024, 11, 1 + k),
            team_id=NORTH,
            service_id=SERVICE,
            as_at_date=AS_AT,
        )
        rows.append(row)
    return rows


# --- writing -----------------------------------------------------------------------------------------------------

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
create table unmapped_teams (
    la_code varchar, team_name varchar, first_seen date, last_seen date, events integer, org_id varchar
);
create table statistical_neighbours (
    la_code varchar, la_name varchar, region_name varchar, sn_rank integer, sn_la_code varchar,
    sn_la_name varchar, closeness varchar
);
"""
WORKERS_DDL = """
create table workforce_worker_months (
    la_code varchar, month_start date, month_end date, worker_id varchar, team_id varchar, service_id varchar,
    role varchar, is_social_worker boolean, is_agency boolean, fte double, cases_held integer,
    is_case_holder boolean, sickness_days double, started_in_month boolean, left_in_month boolean,
    leave_reason varchar
);
"""
COMPLAINTS_DDL = """
create table complaints (
    la_code varchar, reference varchar, record_type varchar, received_date date, team_id varchar,
    service_id varchar, complainant varchar, nature varchar, stage integer,
    stage1_start_date date, stage1_response_date date, stage1_extended boolean, stage1_outcome varchar,
    stage1_working_days integer, stage1_timescale_days integer, stage1_within_timescale boolean,
    stage2_start_date date, stage2_response_date date, stage2_extended boolean, stage2_outcome varchar,
    stage2_working_days integer, stage2_timescale_days integer, stage2_within_timescale boolean,
    stage3_start_date date, stage3_response_date date, stage3_extended boolean, stage3_outcome varchar,
    stage3_working_days integer, stage3_timescale_days integer, stage3_within_timescale boolean,
    ombudsman_referred boolean, learning_action varchar, learning_action_due_date date,
    learning_action_status varchar, learning_action_completed_date date, as_at_date date
);
"""


CENSUS_DDL = """
create table csww_census_indicators (
    la_code varchar, census_year integer, reference_date date, inpost_fte double, inpost_headcount integer,
    agency_fte double, vacancies_fte double, starters_fte double, leavers_fte double, turnover_rate_fte double,
    agency_rate_fte double, vacancy_rate_fte double, caseload_fte double, working_days_lost_per_fte double,
    published_turnover_rate_fte double, published_agency_rate_fte double, published_vacancy_rate_fte double,
    published_caseload_fte double, published_working_days_lost_per_fte double, england_turnover_rate_fte double,
    england_agency_rate_fte double, england_vacancy_rate_fte double, england_caseload_fte double,
    england_working_days_lost_per_fte double
);
"""
# Two censuses: 2024 (published figures not out yet, England's 2024 are) and 2023 (both published).
CENSUS_ROWS = [
    ("845", 2024, dt.date(2024, 9, 30), 108.4, 115, 14.0, 12.5, 15.0, 14.6, 13.5, 11.4, 10.3, 16.9, 8.6,
     None, None, None, None, None, 15.9, 17.7, 16.3, 16.8, 9.1),
    ("845", 2023, dt.date(2023, 9, 30), 111.0, 118, 11.0, 10.0, 14.0, 12.0, 10.8, 9.0, 8.3, 16.1, 8.2,
     10.8, 9.0, 8.3, 16.1, 8.2, 15.4, 17.9, 16.2, 16.3, 8.9),
]


def _loads() -> list[dict[str, Any]]:
    out = []
    specs = [
        ("hr", "workers", "hr_workers.csv", dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
        ("hr", "vacancies", "hr_vacancies.csv", dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
        ("csww", "workers", "csww_2024.xml", dt.date(2023, 10, 1), dt.date(2024, 9, 30)),
        ("complaints", "register", "complaints.csv", dt.date(2023, 10, 1), AS_AT),
    ]
    for n, (dataset, table, name, start, end) in enumerate(specs, start=1):
        out.append(
            {
                "load_id": f"01WF{n:04d}",
                "dataset": dataset,
                "table_name": table,
                "file_name": name,
                "file_path": f"data/extracts/{dataset}/{LA}/{name}",
                "sha256": f"{n:064x}",
                "la_code": LA,
                "collection_year": 2025,
                "period_start": start,
                "period_end": end,
                "encoding": "utf-8",
                "synthetic": True,
                "rows_read": 10,
                "rows_loaded": 10,
                "rows_rejected": 0,
                "status": "loaded",
                "superseded_by": None,
                "message": None,
                "started_at": dt.datetime(2025, 1, 7, 7, 50),
                "finished_at": dt.datetime(2025, 1, 7, 7, 51),
            }
        )
    return out


def _org_units() -> list[dict[str, Any]]:
    rows = [
        {"la_code": LA, "org_level": "la", "org_id": LA, "org_name": LA_NAME, "parent_id": None, "is_mapped": True},
        {
            "la_code": LA,
            "org_level": "service",
            "org_id": SERVICE,
            "org_name": SERVICE_NAME,
            "parent_id": LA,
            "is_mapped": True,
        },
    ]
    rows += [
        {"la_code": LA, "org_level": "team", "org_id": t, "org_name": n, "parent_id": SERVICE, "is_mapped": True}
        for t, n in TEAM_NAMES.items()
    ]
    return rows


def write_warehouse(
    path: Path | str,
    *,
    workforce: bool = True,
    complaints: bool = True,
    worker_months: bool = True,
    complaints_mart: bool = True,
    census: bool = True,
    build_id: str = BUILD_ID,
) -> Path:
    """Write the hand-made warehouse to `path` (replacing any file there) and return the path.

    `workforce=False` / `complaints=False` leave out those indicator rows (as before any such file is loaded);
    `worker_months=False` / `complaints_mart=False` leave out the marts' tables, as an older build would.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        con.execute("insert into meta.build_info values (?, ?, ?, ?, ?)", [build_id, BUILT_AT, "1.11.0", "0.1.0", True])
        loads = _loads()
        _insert(con, "meta.loads", tuple(loads[0]), loads)
        _insert(con, "indicators", CATALOGUE_COLUMNS, _catalogue())
        values = _values(workforce, complaints)
        if values:
            _insert(con, "indicator_values", VALUE_COLUMNS, values)
        units = _org_units()
        _insert(con, "org_units", tuple(units[0]), units)
        con.execute(
            "insert into statistical_neighbours values (?, ?, ?, ?, ?, ?, ?)",
            [LA, LA_NAME, REGION, 1, "878", "Devon", "Very close"],
        )
        if worker_months:
            con.execute(WORKERS_DDL)
            _insert(con, "workforce_worker_months", WORKER_COLUMNS, _workers())
        if census:
            con.execute(CENSUS_DDL)
            con.executemany(f"insert into csww_census_indicators values ({', '.join('?' * 24)})", CENSUS_ROWS)
        if complaints_mart:
            con.execute(COMPLAINTS_DDL)
            _insert(con, "complaints", COMPLAINT_COLUMNS, _complaints())
        con.execute("checkpoint")
    finally:
        con.close()
    return path


# --- reading back ------------------------------------------------------------------------------------------------


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
    path: Path | str, indicator_id: str, label: str, *, org_level: str = "la", org_id: str = LA
) -> dict[str, Any] | None:
    """One indicator_values row (month or quarter, by its label), read straight from the file (value as float)."""
    rows = _select(
        path,
        "select * from indicator_values where indicator_id = ? and period_label = ? and la_code = ? "
        "and org_level = ? and org_id = ?",
        [indicator_id, label, LA, org_level, org_id],
    )
    return rows[0] if rows else None


def catalogue(path: Path | str) -> dict[str, dict[str, Any]]:
    return {r["indicator_id"]: r for r in _select(path, "select * from indicators", [])}


def worker_ids(path: Path | str) -> set[str]:
    return {r["worker_id"] for r in _select(path, "select worker_id from workforce_worker_months", [])}


def register(path: Path | str) -> list[dict[str, Any]]:
    return _select(path, "select * from complaints order by reference", [])
