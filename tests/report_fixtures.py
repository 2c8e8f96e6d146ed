"""A small hand-made served warehouse for the annual QA review report (docs/contracts.md, "Annual QA review report").

`write_warehouse(path)` writes every table the report reads, for East Sussex (845), with year rows for 2023-24 and
2024-25 (the report's year) and quarter rows for 2024-25. The table writers and DDL come from the other fixture
modules (workforce_fixtures: the served tables, complaints and the CSWW census; qa_fixtures: the register, roles,
schedule and audit marts). Every number is chosen to be checked by eye:

| indicator (domain) | 1.6? | 2024-25 | 2023-24 | England | neighbours | target (amber) |
| --- | --- | --- | --- | --- | --- | --- |
| cla_at_period_end (children looked after) | yes | 650 | 630 | | | |
| cla_rate_per_10k | yes | 650 / 100,000 = 65.0 | 63.0 | 67.0 | 62.5 | |
| cla_long_term_stability_pct (higher better) | | 126/200 = 63.0% red | 140/200 = 70.0% | 69.0 | 70.5 | 70 (65) |
| cla_placement_type_{foster,residential,other}_count | | 400, 247, 3 | 390, 237, 3 | | | |
| cin_rereferrals_12m_pct (lower better) | yes | 230/1,000 = 23.0% amber | 210/1,000 = 21.0% | 22.6 | 21.0 | 22 (25) |
| cin_assessments_open_over_45wd | | 3 (small) | 12 | | | |
| cp_plans_at_period_end (child protection) | yes | 2 (small) | 7 | | | |
| cp_visits_within_standard_pct (higher better) | yes | 3/4 = 75.0% (hidden; row: red) | 18/20 = 90.0% | | | 90 (80) |
| audits_completed (audit) | | 120 | | | | |
| audits_good_or_better_pct | | 84/120 = 70.0% amber | | | | 80 (amber 70) |
| audits_grade_{outstanding,good,requires_improvement,inadequate}_count | | 40, 44, 33, 3 | | | | |
| audits_theme_{fathers,multi_agency,child_centred,recording}_pct | | 42, 30, 18, 2 of 120 | | | | |
| audits_follow_up_compliance_pct | | 9/12 = 75.0% red | | | | 100 (amber 90) |
| complaints_stage1_received (complaints) | | 80 (quarters 20, 22, 3, 35) | 70 | | | |
| complaints_stage1_within_timescale_pct | yes | 68/80 = 85.0% green | 60/70 = 85.7% | | | 80 (amber 70) |
| complaints_nature_{communication,delay,other}_count | | 40, 30, 10 | | | | |
| complaints_learning_actions_overdue | | 6 | 2 | | | |
| wf_vacancy_rate_pct (workforce, lower better) | yes | 12/100 = 12.0% amber | | 17.3 | 16.1 | 10 (amber 15) |
| wf_leavers_fte | | 3.0 FTE (staff: shown in full) | | | | |
| eh_families_supported (early_help: not in the domains seed) | | 250 | 240 | | | |

The early help measure's name holds markup (`HOSTILE_NAME`): the HTML must escape it. Placement types add up to the
650 children looked after, so the small "other" (3) takes the next smallest, residential (247), with it; grades add
up to the 120 audits graded (shown), so the small "inadequate" (3) takes the next smallest, requires improvement
(33), with it (outstanding and good add up to the 84 good or better, whose share is shown, and stay).

The QA schedule has, due in 2024-25: task 1.6 to the Chief Executive monthly (12: 10 on time, 1 late (Jul 2024),
1 overdue (Jan 2025)), task 4.8 to CSCMT monthly (12: 11 on time, 1 late (Oct 2024)) and task 3.16 to practice
managers quarterly (4, on time).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
from qa_fixtures import QA_DDL, REGISTER_COLUMNS, ROLES, SCHEDULE_COLUMNS, SCHEDULE_DDL, _register
from workforce_fixtures import (
    CATALOGUE_COLUMNS,
    CENSUS_DDL,
    CENSUS_ROWS,
    COMPLAINTS_DDL,
    DDL,
    VALUE_COLUMNS,
    _insert,
)

LA, LA_NAME = "845", "East Sussex"
OTHER_LA, OTHER_LA_NAME = "846", "Brighton and Hove"
YEAR, PREVIOUS = "2024-25", "2023-24"
BUILD_ID = "report-fixture-20250415-0800"
BUILT_AT = dt.datetime(2025, 4, 15, 8, 0)
HOSTILE_NAME = 'Families supported <script>alert("x")</script> & <b>more</b>'
HOSTILE_COMMENT = 'Rise explained <script>alert("comment")</script> & <img src=x onerror=alert(1)>'
LEARNING_OVERDUE = "Return calls within two working days"
HOSTILE_ACTION = "Explain <b>delays</b> to families & carers"

DOMAINS = [
    ("children_looked_after", "Children looked after", "Children in the council's care.", 10),
    ("children_in_need", "Children in need", "Referrals and assessments.", 20),
    ("child_protection", "Child protection", "Enquiries, conferences and plans.", 30),
    ("workforce", "Workforce", "Social workers in post, vacancies and caseloads.", 40),
    ("complaints", "Complaints and compliments", "Complaints and what we learnt from them.", 50),
    ("audit", "Audits and learning", "Case-file audits and their themes.", 60),
]

# id, name, short name, domain, group, breakdown label, unit, polarity, target, amber, qa tasks
INDICATORS: list[tuple] = [
    ("cla_at_period_end", "Children looked after at 31 March", "Children looked after", "children_looked_after",
     "cla_population", None, "count", "neutral", None, None, "1.6;2.2"),
    ("cla_rate_per_10k", "Children looked after per 10,000 children", "CLA rate", "children_looked_after",
     "cla_population", None, "rate_per_10k", "neutral", None, None, "1.6"),
    ("cla_long_term_stability_pct", "Children in a long-term stable placement", "Long-term stability",
     "children_looked_after", "placement_stability", None, "percent", "higher_is_better", 70.0, 65.0, "2.2"),
    ("cla_placement_type_foster_count", "Children placed with foster carers", "Foster care",
     "children_looked_after", "placement_type_mix", "Foster care", "count", "neutral", None, None, "2.2"),
    ("cla_placement_type_residential_count", "Children placed in residential care", "Residential",
     "children_looked_after", "placement_type_mix", "Residential care", "count", "neutral", None, None, "2.2"),
    ("cla_placement_type_other_count", "Children in other placements", "Other placements",
     "children_looked_after", "placement_type_mix", "Other placements", "count", "neutral", None, None, "2.2"),
    ("cin_rereferrals_12m_pct", "Re-referrals within 12 months", "Re-referrals", "children_in_need", "front_door",
     None, "percent", "lower_is_better", 22.0, 25.0, "1.6;4.1"),
    ("cin_assessments_open_over_45wd", "Assessments open beyond 45 working days", "Open over 45 days",
     "children_in_need", "assessments", None, "count", "lower_is_better", None, None, "4.1"),
    ("cp_plans_at_period_end", "Children on a child protection plan at 31 March", "CP plans", "child_protection",
     "cp_plans", None, "count", "neutral", None, None, "1.6"),
    ("cp_visits_within_standard_pct", "Child protection visits within the standard", "CP visits",
     "child_protection", "cp_plans", None, "percent", "higher_is_better", 90.0, 80.0, "1.6"),
    ("audits_completed", "Case-file audits completed", "Audits completed", "audit", "audit_activity", None, "count",
     "neutral", None, None, "3.16"),
    ("audits_good_or_better_pct", "Case-file audits graded good or better", "Good or better", "audit",
     "audit_quality", None, "percent", "higher_is_better", 80.0, 70.0, "3.16"),
    ("audits_grade_outstanding_count", "Audits graded outstanding", "Outstanding", "audit", "audit_grades",
     "Outstanding", "count", "neutral", None, None, "3.16"),
    ("audits_grade_good_count", "Audits graded good", "Good", "audit", "audit_grades", "Good", "count", "neutral",
     None, None, "3.16"),
    ("audits_grade_requires_improvement_count", "Audits graded requires improvement", "Requires improvement",
     "audit", "audit_grades", "Requires improvement", "count", "neutral", None, None, "3.16"),
    ("audits_grade_inadequate_count", "Audits graded inadequate", "Inadequate", "audit", "audit_grades",
     "Inadequate", "count", "neutral", None, None, "3.16"),
    ("audits_theme_fathers_pct", "Audits finding: fathers", "Fathers", "audit", "audit_themes", "Involving fathers",
     "percent", "neutral", None, None, "3.16"),
    ("audits_theme_multi_agency_pct", "Audits finding: multi-agency working", "Multi-agency", "audit",
     "audit_themes", "Multi-agency working", "percent", "neutral", None, None, "3.16"),
    ("audits_theme_child_centred_pct", "Audits finding: child-centred practice", "Child-centred", "audit",
     "audit_themes", "Child-centred practice", "percent", "neutral", None, None, "3.16"),
    ("audits_theme_recording_pct", "Audits finding: recording", "Recording", "audit", "audit_themes", "Recording",
     "percent", "neutral", None, None, "3.16"),
    ("audits_follow_up_compliance_pct", "Significant-concern audits followed up", "Follow-up", "audit",
     "audit_quality", None, "percent", "higher_is_better", 100.0, 90.0, "3.16"),
    ("complaints_stage1_received", "Complaints received at stage 1", "Stage 1 complaints", "complaints",
     "complaints_received", None, "count", "neutral", None, None, "4.7"),
    ("complaints_stage1_within_timescale_pct", "Stage 1 responses within timescale", "Stage 1 in time",
     "complaints", "complaints_timeliness", None, "percent", "higher_is_better", 80.0, 70.0, "1.6;4.7"),
    ("complaints_nature_communication_count", "Complaints about communication", "Communication", "complaints",
     "complaint_nature", "Communication", "count", "neutral", None, None, "4.7"),
    ("complaints_nature_delay_count", "Complaints about delay", "Delay", "complaints", "complaint_nature", "Delay",
     "count", "neutral", None, None, "4.7"),
    ("complaints_nature_other_count", "Complaints about other things", "Other", "complaints", "complaint_nature",
     "Other", "count", "neutral", None, None, "4.7"),
    ("complaints_learning_actions_overdue", "Learning actions overdue", "Actions overdue", "complaints",
     "complaints_learning", None, "count", "lower_is_better", None, None, "4.7"),
    ("wf_vacancy_rate_pct", "Social worker vacancy rate", "Vacancy rate", "workforce", "workforce_capacity", None,
     "percent", "lower_is_better", 10.0, 15.0, "1.6;4.8"),
    ("wf_leavers_fte", "Social workers leaving (FTE)", "Leavers", "workforce", "workforce_stability", None, "fte",
     "neutral", None, None, "4.8"),
    ("eh_families_supported", HOSTILE_NAME, "Families supported", "early_help", "early_help", None, "count",
     "higher_is_better", None, None, "5.2"),
]  # fmt: skip

# id: (this year (numerator, denominator), last year (numerator, denominator) or None, england, neighbours)
YEAR_VALUES: dict[str, tuple] = {
    "cla_at_period_end": ((650, None), (630, None), None, None),
    "cla_rate_per_10k": ((650, 100_000), (630, 100_000), 67.0, 62.5),
    "cla_long_term_stability_pct": ((126, 200), (140, 200), 69.0, 70.5),
    "cla_placement_type_foster_count": ((400, None), (390, None), None, None),
    "cla_placement_type_residential_count": ((247, None), (237, None), None, None),
    "cla_placement_type_other_count": ((3, None), (3, None), None, None),
    "cin_rereferrals_12m_pct": ((230, 1000), (210, 1000), 22.6, 21.0),
    "cin_assessments_open_over_45wd": ((3, None), (12, None), None, None),
    "cp_plans_at_period_end": ((2, None), (7, None), None, None),
    "cp_visits_within_standard_pct": ((3, 4), (18, 20), None, None),
    "audits_completed": ((120, None), None, None, None),
    "audits_good_or_better_pct": ((84, 120), None, None, None),
    "audits_grade_outstanding_count": ((40, None), None, None, None),
    "audits_grade_good_count": ((44, None), None, None, None),
    "audits_grade_requires_improvement_count": ((33, None), None, None, None),
    "audits_grade_inadequate_count": ((3, None), None, None, None),
    "audits_theme_fathers_pct": ((42, 120), None, None, None),
    "audits_theme_multi_agency_pct": ((30, 120), None, None, None),
    "audits_theme_child_centred_pct": ((18, 120), None, None, None),
    "audits_theme_recording_pct": ((2, 120), None, None, None),
    "audits_follow_up_compliance_pct": ((9, 12), None, None, None),
    "complaints_stage1_received": ((80, None), (70, None), None, None),
    "complaints_stage1_within_timescale_pct": ((68, 80), (60, 70), None, None),
    "complaints_nature_communication_count": ((40, None), None, None, None),
    "complaints_nature_delay_count": ((30, None), None, None, None),
    "complaints_nature_other_count": ((10, None), None, None, None),
    "complaints_learning_actions_overdue": ((6, None), (2, None), None, None),
    "wf_vacancy_rate_pct": ((12.0, 100.0), None, 17.3, 16.1),
    "wf_leavers_fte": ((3.0, None), None, None, None),
    "eh_families_supported": ((250, None), (240, None), None, None),
}
QUARTERS = [
    (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
    (dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
    (dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
]
# Quarter rows for 2024-25: id -> four (numerator, denominator)
QUARTER_VALUES: dict[str, list[tuple[float, float | None]]] = {
    "complaints_stage1_received": [(20, None), (22, None), (3, None), (35, None)],
    "audits_theme_fathers_pct": [(10, 30), (12, 30), (9, 30), (11, 30)],
    "audits_theme_multi_agency_pct": [(6, 30), (8, 30), (7, 30), (9, 30)],
    "audits_theme_child_centred_pct": [(5, 30), (4, 30), (5, 30), (4, 30)],
    "audits_theme_recording_pct": [(0, 30), (1, 30), (1, 30), (0, 30)],
}

UNITS = {r[0]: r[6] for r in INDICATORS}
POLARITY = {r[0]: r[7] for r in INDICATORS}
TARGETS = {r[0]: (r[8], r[9]) for r in INDICATORS}
HEADLINE_IDS = [r[0] for r in INDICATORS if "1.6" in r[10].split(";")]


def _catalogue() -> list[dict[str, Any]]:
    rows = []
    for n, (i, name, short, domain, group, label, unit, polarity, target, amber, tasks) in enumerate(INDICATORS):
        rows.append(
            {
                "indicator_id": i,
                "name": name,
                "short_name": short,
                "domain": domain,
                "indicator_group": group,
                "breakdown_label": label,
                "definition": f"Definition of {short}.",
                "numerator_definition": None,
                "denominator_definition": None,
                "unit": unit,
                "polarity": polarity,
                "target": target,
                "amber_threshold": amber,
                "definition_source": "Local",
                "qa_task_ids": tasks,
                "audiences": "cscmt;smt",
                "grains": "quarter;year",
                "benchmark_series": None,
                "is_stock": unit == "count" and not i.startswith("complaints_"),
                "sort_order": (n + 1) * 10,
            }
        )
    return rows


def value(unit: str, numerator: float, denominator: float | None) -> float:
    if denominator is None:
        return float(numerator)
    return numerator / denominator * (100 if unit == "percent" else 10_000 if unit == "rate_per_10k" else 1)


def rag(indicator_id: str, v: float | None) -> str | None:
    goal, amber = TARGETS[indicator_id]
    if goal is None or v is None:
        return None
    if POLARITY[indicator_id] == "higher_is_better":
        return "green" if v >= goal else "amber" if v >= amber else "red"
    return "green" if v <= goal else "amber" if v <= amber else "red"


def _row(indicator_id: str, grain: str, label: str, start: dt.date, end: dt.date, fy: str, cell, *, la: str = LA,
         previous: float | None = None, england: float | None = None, neighbours: float | None = None) -> dict:
    numerator, denominator = cell
    v = value(UNITS[indicator_id], numerator, denominator)
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
        numerator=float(numerator),
        denominator=None if denominator is None else float(denominator),
        value=v,
        target=TARGETS[indicator_id][0],
        rag=rag(indicator_id, v),
        previous_value=previous,
        year_ago_value=previous,
        benchmark_year=int(fy[:4]) + 1 if england is not None else None,
        england_value=england,
        sn_value=neighbours,
        sn_count=10 if neighbours is not None else None,
    )
    return row


def _values(other_la: bool) -> list[dict[str, Any]]:
    rows = []
    this_start, this_end = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
    last_start, last_end = dt.date(2023, 4, 1), dt.date(2024, 3, 31)
    for indicator_id, (now, before, england, neighbours) in YEAR_VALUES.items():
        unit = UNITS[indicator_id]
        previous = value(unit, *before) if before else None
        rows.append(_row(indicator_id, "year", YEAR, this_start, this_end, YEAR, now, previous=previous,
                         england=england, neighbours=neighbours))
        if before:
            rows.append(_row(indicator_id, "year", PREVIOUS, last_start, last_end, PREVIOUS, before))
    for indicator_id, cells in QUARTER_VALUES.items():
        for q, (cell, (start, end)) in enumerate(zip(cells, QUARTERS, strict=True)):
            rows.append(_row(indicator_id, "quarter", f"{YEAR} Q{q + 1}", start, end, YEAR, cell))
    if other_la:
        rows.append(_row("cla_at_period_end", "year", YEAR, this_start, this_end, YEAR, (300, None), la=OTHER_LA))
    return rows


# --- the QA schedule ------------------------------------------------------------------------------------------------


def _month(year: int, month: int) -> tuple[str, dt.date, dt.date]:
    start = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return f"{start:%b %Y}", start, following - dt.timedelta(days=1)


AS_AT = dt.date(2025, 3, 31)
# Months Mar 2024 to Feb 2025: their reports are due 30 days after the month's end, inside 2024-25.
MONTHS = [_month(2024 + (m > 9), (m + 2) % 12 + 1) for m in range(12)]
LATE = {("1.6", "Jul 2024"), ("4.8", "Oct 2024")}
OVERDUE = {("1.6", "Jan 2025")}


def _schedule() -> list[dict[str, Any]]:
    rows = []
    for task, audience in (("1.6", "chief_executive"), ("4.8", "cscmt")):
        for label, start, end in MONTHS:
            due = end + dt.timedelta(days=30)
            key = (task, label)
            delivered = None if key in OVERDUE else due + dt.timedelta(days=5) if key in LATE else due
            status = "overdue" if key in OVERDUE else "late" if key in LATE else "delivered"
            rows.append(dict(zip(SCHEDULE_COLUMNS, (LA, task, audience, "monthly", start, end, label, due, delivered,
                                                    f"Paper {task}/{label}", status, AS_AT), strict=True)))
    for q, (start, end) in enumerate([(dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
                                      (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
                                      (dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
                                      (dt.date(2024, 10, 1), dt.date(2024, 12, 31))]):
        due = end + dt.timedelta(days=30)
        rows.append(dict(zip(SCHEDULE_COLUMNS, (LA, "3.16", "practice_managers", "quarterly", start, end,
                                                f"Q{q}", due, due, None, "delivered", AS_AT), strict=True)))
    return rows


def _qa_register() -> list[dict[str, Any]]:
    rows = _register()
    rows.append(
        {
            "task_number": "1.6",
            "part": 1,
            "part_name": "The Standards",
            "section": "Key Chief Executive and Elected Member Responsibilities",
            "role_text": "Chief Executive",
            "role_ids": "chief_executive",
            "task": "Monitoring via one-to-one meetings with the DCS and quarterly performance reviews",
            "frequency_text": "Monthly monitoring; quarterly review",
            "purpose": "To maintain an overview of service and performance issues",
            "audience_id": "chief_executive",
            "audience_name": "Chief Executive",
            "frequency": "monthly",
            "indicator_ids": ";".join(HEADLINE_IDS),
        }
    )
    return rows


# --- loads, complaints, org units ----------------------------------------------------------------------------------


def _loads() -> list[dict[str, Any]]:
    specs = [  # dataset, table, files (first period start, last period end, rows of each)
        ("ssda903", "episodes", [(dt.date(2023, 4, 1), dt.date(2024, 3, 31), 900),
                                 (dt.date(2024, 4, 1), dt.date(2025, 3, 31), 950)]),
        ("complaints", "register", [(dt.date(2023, 4, 1), AS_AT, 120)]),
        ("hr", "workers", [(dt.date(2025, 2, 1), dt.date(2025, 2, 28), 130), (dt.date(2025, 3, 1), AS_AT, 131)]),
        ("qa_activity", "log", [(dt.date(2024, 3, 1), AS_AT, 28)]),
        ("reference", "population", [(None, None, 7)]),
    ]
    out = []
    for dataset, table, files in specs:
        for start, end, rows in files:
            n = len(out) + 1
            out.append(
                {
                    "load_id": f"01REPORT{n:04d}",
                    "dataset": dataset,
                    "table_name": table,
                    "file_name": f"{table}.csv",
                    "file_path": f"data/extracts/{dataset}/{table}.csv",
                    "sha256": f"{n:064x}",
                    "la_code": None if dataset == "reference" else LA,
                    "collection_year": None if end is None else end.year + (end.month > 3),
                    "period_start": start,
                    "period_end": end,
                    "encoding": "utf-8",
                    "synthetic": True,
                    "rows_read": rows,
                    "rows_loaded": rows,
                    "rows_rejected": 0,
                    "status": "loaded",
                    "superseded_by": None,
                    "message": None,
                    "started_at": dt.datetime(2025, 4, 15, 7, 0),
                    "finished_at": dt.datetime(2025, 4, 15, 7, 1),
                }
            )
    superseded = dict(out[0], load_id="01REPORT0099", status="superseded", rows_loaded=999_999)
    return [*out, superseded]


def _complaints() -> list[dict[str, Any]]:
    base = dict(la_code=LA, record_type="complaint", team_id=f"{LA}-T01", service_id=f"{LA}-S1", complainant="parent",
                stage=1, as_at_date=AS_AT)
    return [
        dict(base, reference="C1", nature="communication", received_date=dt.date(2024, 5, 1),
             learning_action=LEARNING_OVERDUE, learning_action_due_date=dt.date(2024, 6, 30),
             learning_action_status="open"),
        dict(base, reference="C2", nature="delay", received_date=dt.date(2024, 8, 1),
             learning_action=HOSTILE_ACTION, learning_action_due_date=dt.date(2024, 10, 31),
             learning_action_status="completed", learning_action_completed_date=dt.date(2024, 10, 20)),
        dict(base, reference="C3", nature="other", received_date=dt.date(2024, 9, 1),
             learning_action="Not needed", learning_action_status="not_required"),
    ]


COMPLAINT_COLUMNS = (
    "la_code", "reference", "record_type", "received_date", "team_id", "service_id", "complainant", "nature", "stage",
    "learning_action", "learning_action_due_date", "learning_action_status", "learning_action_completed_date",
    "as_at_date",
)  # fmt: skip


def write_warehouse(path: Path | str, *, other_la: bool = False, build_id: str = BUILD_ID) -> Path:
    """Write the hand-made warehouse to `path` (replacing any file there) and return the path. `other_la=True`
    adds a second authority (846) with one year row, so no authority is the default."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
        con.execute(QA_DDL)
        con.execute(SCHEDULE_DDL)
        con.execute(COMPLAINTS_DDL)
        con.execute(CENSUS_DDL)
        con.execute(
            "create table lookup.indicator_domains (domain varchar, domain_name varchar, description varchar, "
            "sort_order integer)"
        )
        con.executemany("insert into lookup.indicator_domains values (?, ?, ?, ?)", DOMAINS)
        con.execute("insert into meta.build_info values (?, ?, ?, ?, ?)", [build_id, BUILT_AT, "1.11.0", "0.1.0", True])
        loads = _loads()
        _insert(con, "meta.loads", tuple(loads[0]), loads)
        _insert(con, "indicators", CATALOGUE_COLUMNS, _catalogue())
        _insert(con, "indicator_values", VALUE_COLUMNS, _values(other_la))
        con.executemany(
            "insert into org_units values (?, ?, ?, ?, ?, ?)",
            [(LA, "la", LA, LA_NAME, None, True), (LA, "team", f"{LA}-T01", "North Safeguarding", f"{LA}-S1", True)],
        )
        con.execute(
            "insert into statistical_neighbours values (?, ?, ?, ?, ?, ?, ?)",
            [LA, LA_NAME, "South East", 1, "878", "Devon", "Very close"],
        )
        if other_la:
            con.execute(
                "insert into statistical_neighbours values (?, ?, ?, ?, ?, ?, ?)",
                [OTHER_LA, OTHER_LA_NAME, "South East", 1, "801", "Bristol", "Close"],
            )
        con.executemany("insert into lookup.qa_roles values (?, ?, ?)",
                        [(k, v, "group") for k, v in {**ROLES, "chief_executive": "Chief Executive"}.items()])
        _insert(con, "qa_register", REGISTER_COLUMNS, _qa_register())
        _insert(con, "qa_schedule", SCHEDULE_COLUMNS, _schedule())
        _insert(con, "complaints", COMPLAINT_COLUMNS, _complaints())
        con.executemany(f"insert into csww_census_indicators values ({', '.join('?' * 24)})", CENSUS_ROWS)
        con.execute("checkpoint")
    finally:
        con.close()
    return path
