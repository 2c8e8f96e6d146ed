"""A small hand-made served warehouse for the QA framework and Audits and learning pages (docs/contracts.md, "The
QA framework, activity log and case-file audits (issue 5)").

`write_warehouse(path)` writes what workforce_fixtures writes for every page (meta.build_info, meta.loads,
indicators, indicator_values, org_units, statistical_neighbours) plus lookup.qa_roles, qa_register, qa_schedule,
case_file_audits and the `audit_actions` mart. Every number follows from the lists
below and can be checked by eye.

East Sussex (845): one service, 845-S1 "Safeguarding", with two teams, 845-T01 "North Safeguarding" and 845-T02
"South Safeguarding".

The register: tasks 2.2, 3.12, 3.13, 3.16, 4.1, 4.7 and 4.8 (REGISTER). Done by heads of service: 2.2, 3.12,
3.13; by practice managers: 3.16. Received by CSCMT: 2.2, 3.12, 3.13, 4.1, 4.7, 4.8; by the Lead Member: 3.12,
4.1, 4.7, 4.8. 3.13's purpose holds Markdown (bold, a link, HTML) to test escaping.

The activity log, as at 31 December 2024 (so the page opens on Dec 2024); a report is due 30 days after its
period ends. Monthly to CSCMT, April to December 2024: 2.2, 4.1 and 4.8, delivered 10 days after the month,
except 2.2 June and November (overdue), 4.1 October (overdue), 4.8 July (delivered 5 September: late) and
November (delivered 31 December, due 30 December: late, with a reference starting "=HYPERLINK"); December's are
not yet due. Quarterly to CSCMT: 3.12 (Q1 on time, Q2 delivered 1 November: late) and 4.7 (Q1 on time, Q2
overdue); Q3 not yet due. 4.1 to SMT for April to September (on time) and October to March (due 30 April 2025);
3.12 to the Lead Member for 2024-25 (due 30 April 2025).

So due in Dec 2024: 4.1 (delivered), 4.8 (late), 2.2 (overdue), each on November. Due in 2024-25 Q3: 7
delivered, 2 late, 3 overdue. Due in Jan 2025: five reports, all due. Late or overdue in the 12 months to Dec
2024 (by task and audience): 2.2 (8 due, 2 overdue), 4.1 (8, 1 overdue), 4.7 (2, 1 overdue), 4.8 (8, 2 late),
3.12 to CSCMT (2, 1 late).

Case-file audits (AUDITS): 27 over 2024-25 Q1 to Q3: North 4, 6 and 8, South 2, 3 and 4. Required: 3 a month in
North, 2 in South (9 and 6 a quarter), so completion in Q3 is 8/9 = 88.9% (amber against 90, amber to 80),
4/6 = 66.7% (red) and 12/15 = 80.0% for the authority (amber); Q2 9/15 = 60.0%. Grades in Q3: North good 6,
requires improvement 2; South good 2, requires improvement 1, inadequate 1; so the authority has good 8 (the only
grade shown: South's 2 hides North's 6, as teams add up to the authority), 12 graded, 8/12 = 66.7% good or better
(Q2: 7/9 = 77.8%, where outstanding 1 hides good 6, since outstanding and good add up to the good or better shown).
Themes in Q3: recording 8/12 = 66.7%, risk assessment 7/12 = 58.3%, the rest under 5. Significant concerns:
AUD-2024-002 (Q1, followed up in full), AUD-2024-008 (Q2, North: one follow-up audit, never re-reviewed: the one
audit whose follow-up is overdue), AUD-2024-013 (Q2, South, followed up in full), AUD-2024-021 and AUD-2024-027
(Q3, still within their three months). So follow-up compliance is 1/1 in Q1, 1/2 = 50.0% in Q2, none due in Q3.

Actions (ACTIONS): at the end of Q3 three are overdue (North two, one of them starting "=HYPERLINK"; South one)
and one more is open (due January 2025); at the end of Q2 two were overdue. Another authority's audit and action
must never show. Worker and child pseudonyms start "WKR-PSEUDO-" and "CHD-PSEUDO-": never on screen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
from workforce_fixtures import (
    BUILT_AT,
    CATALOGUE_COLUMNS,
    DDL,
    LA,
    LA_NAME,
    NORTH,
    REGION,
    SERVICE,
    SOUTH,
    TEAM_NAMES,
    VALUE_COLUMNS,
    _insert,
    _org_units,
    _select,
)

OTHER_LA = "846"
BUILD_ID = "qa-fixture-20250107-0800"
AS_AT = dt.date(2024, 12, 31)
DUE_DAYS = 30
WORKER_PREFIX, CHILD_PREFIX = "WKR-PSEUDO-", "CHD-PSEUDO-"
LATEST_QUARTER, PREVIOUS_QUARTER, FIRST_QUARTER = "2024-25 Q3", "2024-25 Q2", "2024-25 Q1"
QUARTERS = {  # label: (start, end)
    FIRST_QUARTER: (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
    PREVIOUS_QUARTER: (dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
    LATEST_QUARTER: (dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
}
HOSTILE_PURPOSE = "Report to CSCMT **to influence** change: see [the guidance](http://example.com) <b>now</b>"
HOSTILE_REFERENCE = '=HYPERLINK("http://example.com") **CSCMT** paper 12/24'
HOSTILE_ACTION = '=HYPERLINK("http://example.com") **Refresh** the risk assessment [now](http://example.com)'
OVERDUE_AUDIT = "AUD-2024-008"

# --- roles and the register -----------------------------------------------------------------------------------

ROLES = {
    "cscmt": "Children's Social Care Management Team (CSCMT)",
    "smt": "Children's Services Senior Management Team (SMT)",
    "lead_member": "Lead Member for Children's Services (LM)",
    "scrutiny": "Children's Services Scrutiny Committee",
    "corporate_parenting_panel": "Corporate Parenting Panel (CPP)",
    "heads_of_service": "Heads of Service, Children's Social Care",
    "operations_managers": "Operations Managers (OMs), Children's Social Care",
    "practice_managers": "Practice Managers, Children's Social Care",
    "team_managers": "Team and unit managers",
    "complaints_manager": "Complaints Manager",
    "planning_performance_manager": "Manager, Planning and Performance Team",
    "ad_performance": "AD, Communication, Planning & Performance",
}

# task, part, part name, section, role text, role ids, task, frequency text, purpose, [(audience, frequency)],
# indicator ids
REGISTER: list[tuple] = [
    ("2.2", 2, "The System", "A. Children's Social Care", "Managers at all levels up to CSCMT",
     "team_managers;operations_managers;heads_of_service",
     "Looked after children placements: capacity and usage of internal and external placements",
     "Monthly for operational managers; quarterly to CPP",
     "Informs strategic planning for looked after children and the placement strategy.",
     [("cscmt", "monthly"), ("corporate_parenting_panel", "quarterly")], "cla_at_period_end"),
    ("3.12", 3, "Individual Work Review", "A.4 Managers' File Audits", "Heads of Service, Children's Social Care",
     "heads_of_service",
     "Results, recommendations and action plans arising from routine, regular case record checks",
     "Quarterly to CSCMT; annually to SMT and the Lead Member",
     "To identify whether quality standards relating to practice are being met.",
     [("cscmt", "quarterly"), ("smt", "annually"), ("lead_member", "annually")],
     "audits_completion_pct;audits_good_or_better_pct;audits_follow_up_compliance_pct"),
    ("3.13", 3, "Individual Work Review", "A.4 Managers' File Audits", "Heads of Service, Children's Social Care",
     "heads_of_service", "Off-line (peer) deep dive audit using case file audit tool",
     "One case file quarterly for each team in a different service.", HOSTILE_PURPOSE,
     [("cscmt", "quarterly")], "audits_completed;audits_required"),
    ("3.16", 3, "Individual Work Review", "A.4 Managers' File Audits", "Practice Managers, Children's Social Care",
     "practice_managers",
     "Practice Managers will complete supervision case file audit using the CareFirst audit record",
     "One case per month for each worker.", "Review the management of the case in line with practice standards.",
     [("practice_managers", "monthly"), ("operations_managers", "as_required")],
     "audits_completion_pct;audits_follow_up_compliance_pct"),
    ("4.1", 4, "Monitoring and Auditing of the System", "A. Performance Management Information",
     "Manager, Planning and Performance Team", "planning_performance_manager",
     "National and locally-agreed performance data set", "Monthly to team managers and CSCMT; bi-annually to SMT",
     "Current performance, to identify performance issues in specific teams.",
     [("cscmt", "monthly"), ("team_managers", "monthly"), ("smt", "twice_yearly"), ("lead_member", "twice_yearly")],
     None),
    ("4.7", 4, "Monitoring and Auditing of the System", "C. Complaints", "Complaints Manager", "complaints_manager",
     "Complaints reports (numbers and nature)", "Quarterly up to CSCMT; annually to SMT, LM and Scrutiny",
     "Service users' views of the services they have received.",
     [("cscmt", "quarterly"), ("lead_member", "annually"), ("scrutiny", "annually")],
     "complaints_stage1_received"),
    ("4.8", 4, "Monitoring and Auditing of the System", "D. Human Resources Data",
     "AD, Communication, Planning & Performance", "ad_performance",
     "Social care workforce information (recruitment, retention, vacancy, sickness levels)",
     "Monthly to CSCMT; summary report annually to SMT and lead member",
     "Early information about staff turnover, recruitment and retention.",
     [("cscmt", "monthly"), ("smt", "annually"), ("lead_member", "annually")], None),
]  # fmt: skip
TASK_TEXT = {r[0]: r[6] for r in REGISTER}


def _register() -> list[dict[str, Any]]:
    rows = []
    for number, part, part_name, section, role_text, role_ids, task, freq_text, purpose, audiences, ids in REGISTER:
        for audience, frequency in audiences:
            rows.append(
                {
                    "task_number": number,
                    "part": part,
                    "part_name": part_name,
                    "section": section,
                    "role_text": role_text,
                    "role_ids": role_ids,
                    "task": task,
                    "frequency_text": freq_text,
                    "purpose": purpose,
                    "audience_id": audience,
                    "audience_name": ROLES[audience],
                    "frequency": frequency,
                    "indicator_ids": ids,
                }
            )
    return rows


# --- the schedule -------------------------------------------------------------------------------------------------


def _month(year: int, month: int) -> tuple[str, dt.date, dt.date]:
    start = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return f"{start:%b %Y}", start, following - dt.timedelta(days=1)


MONTHS = [_month(2024, m) for m in range(4, 13)]  # Apr to Dec 2024
MISSING = object()  # not delivered
# (task, period label) -> delivered date (MISSING: not delivered); others 10 days after the period's end
DELIVERIES = {
    ("2.2", "Jun 2024"): MISSING,
    ("2.2", "Nov 2024"): MISSING,
    ("2.2", "Dec 2024"): MISSING,
    ("4.1", "Oct 2024"): MISSING,
    ("4.1", "Dec 2024"): MISSING,
    ("4.8", "Jul 2024"): dt.date(2024, 9, 5),
    ("4.8", "Nov 2024"): dt.date(2024, 12, 31),
    ("4.8", "Dec 2024"): MISSING,
}
REFERENCES = {("4.8", "Nov 2024"): HOSTILE_REFERENCE}
# task, audience, frequency, period label, start, end, delivered (None: not delivered)
OTHER_REPORTS = [
    ("3.12", "cscmt", "quarterly", FIRST_QUARTER, *QUARTERS[FIRST_QUARTER], dt.date(2024, 7, 15)),
    ("3.12", "cscmt", "quarterly", PREVIOUS_QUARTER, *QUARTERS[PREVIOUS_QUARTER], dt.date(2024, 11, 1)),
    ("3.12", "cscmt", "quarterly", LATEST_QUARTER, *QUARTERS[LATEST_QUARTER], None),
    ("4.7", "cscmt", "quarterly", FIRST_QUARTER, *QUARTERS[FIRST_QUARTER], dt.date(2024, 7, 20)),
    ("4.7", "cscmt", "quarterly", PREVIOUS_QUARTER, *QUARTERS[PREVIOUS_QUARTER], None),
    ("4.7", "cscmt", "quarterly", LATEST_QUARTER, *QUARTERS[LATEST_QUARTER], None),
    ("4.1", "smt", "twice_yearly", "Apr-Sep 2024", dt.date(2024, 4, 1), dt.date(2024, 9, 30), dt.date(2024, 10, 28)),
    ("4.1", "smt", "twice_yearly", "Oct 2024-Mar 2025", dt.date(2024, 10, 1), dt.date(2025, 3, 31), None),
    ("3.12", "lead_member", "annually", "2024-25", dt.date(2024, 4, 1), dt.date(2025, 3, 31), None),
]


def status(due: dt.date, delivered: dt.date | None, as_at: dt.date = AS_AT) -> str:
    """As the contract says: delivered on or before the due date, late after it, overdue undelivered once the due
    date has passed by the as-at date, else due."""
    if delivered is not None:
        return "delivered" if delivered <= due else "late"
    return "overdue" if due < as_at else "due"


def _schedule() -> list[dict[str, Any]]:
    reports = []
    for task in ("2.2", "4.1", "4.8"):
        for label, start, end in MONTHS:
            delivered = DELIVERIES.get((task, label), end + dt.timedelta(days=10))
            reports.append((task, "cscmt", "monthly", label, start, end, None if delivered is MISSING else delivered))
    reports += OTHER_REPORTS
    rows = []
    for task, audience, frequency, label, start, end, delivered in reports:
        due = end + dt.timedelta(days=DUE_DAYS)
        rows.append(
            {
                "la_code": LA,
                "task_number": task,
                "audience_id": audience,
                "frequency": frequency,
                "period_start": start,
                "period_end": end,
                "period_label": label,
                "due_date": due,
                "delivered_date": delivered,
                "reference": REFERENCES.get((task, label), f"Paper {task}/{label}") if delivered else None,
                "status": status(due, delivered),
                "as_at_date": AS_AT,
            }
        )
    return rows


# --- audits -----------------------------------------------------------------------------------------------------

# reference number, date, team, task, type, auditor, grade, significant concerns, themes, worker, child, follow-up of
AUDITS: list[tuple] = [
    (1, dt.date(2024, 4, 10), NORTH, "3.16", "supervision", "practice_managers", "good", False,
     "recording;risk_assessment", 1, 1, None),
    (2, dt.date(2024, 5, 10), NORTH, "3.16", "supervision", "practice_managers", "requires_improvement", True,
     "risk_assessment;plan_review", 2, 2, None),
    (3, dt.date(2024, 5, 20), NORTH, "3.14", "deep_dive", "operations_managers", "good", False, "recording", 2, 3, 2),
    (4, dt.date(2024, 6, 12), NORTH, "3.16", "supervision", "practice_managers", "outstanding", False,
     "child_centred", 3, 4, None),
    (5, dt.date(2024, 4, 15), SOUTH, "3.16", "supervision", "practice_managers", "good", False, "recording", 5, 10,
     None),
    (6, dt.date(2024, 6, 3), SOUTH, "3.13", "peer", "heads_of_service", "good", False, "multi_agency", 6, 11, None),
    (7, dt.date(2024, 7, 1), NORTH, "3.16", "supervision", "practice_managers", "good", False, "plan_review", 2, 5,
     2),
    (8, dt.date(2024, 7, 15), NORTH, "3.16", "supervision", "practice_managers", "inadequate", True,
     "risk_assessment;recording;fathers", 3, 6, None),
    (9, dt.date(2024, 7, 20), NORTH, "3.14", "deep_dive", "operations_managers", "good", False,
     "plan_review;recording", 4, 2, None),
    (10, dt.date(2024, 8, 10), NORTH, "3.16", "supervision", "practice_managers", "good", False,
     "recording;risk_assessment", 3, 7, 8),
    (11, dt.date(2024, 9, 5), NORTH, "3.16", "supervision", "practice_managers", "good", False,
     "plan_review;risk_assessment", 1, 8, None),
    (12, dt.date(2024, 9, 18), NORTH, "3.13", "peer", "heads_of_service", "outstanding", False,
     "plan_review;recording", 4, 9, None),
    (13, dt.date(2024, 8, 5), SOUTH, "3.16", "supervision", "practice_managers", "requires_improvement", True,
     "multi_agency;plan_review;recording", 5, 12, None),
    (14, dt.date(2024, 8, 20), SOUTH, "3.16", "supervision", "practice_managers", "good", False,
     "plan_review;recording", 5, 13, 13),
    (15, dt.date(2024, 9, 10), SOUTH, "3.14", "deep_dive", "operations_managers", "good", False,
     "plan_review;recording;supervision", 5, 14, 13),
    (16, dt.date(2024, 10, 1), SOUTH, "3.14", "deep_dive", "operations_managers", "good", False,
     "recording;risk_assessment", 7, 12, 13),
    (17, dt.date(2024, 10, 8), NORTH, "3.16", "supervision", "practice_managers", "good", False,
     "recording;risk_assessment", 1, 15, None),
    (18, dt.date(2024, 10, 15), NORTH, "3.16", "supervision", "practice_managers", "good", False,
     "recording;supervision", 2, 16, None),
    (19, dt.date(2024, 10, 22), NORTH, "3.14", "deep_dive", "operations_managers", "good", False,
     "risk_assessment;child_centred", 3, 17, None),
    (20, dt.date(2024, 11, 5), NORTH, "3.16", "supervision", "practice_managers", "requires_improvement", False,
     "recording;supervision;risk_assessment", 4, 18, None),
    (21, dt.date(2024, 11, 20), NORTH, "3.16", "supervision", "practice_managers", "requires_improvement", True,
     "risk_assessment;recording;supervision", 1, 19, None),
    (22, dt.date(2024, 12, 2), NORTH, "3.16", "supervision", "practice_managers", "good", False,
     "recording;plan_review", 2, 20, None),
    (23, dt.date(2024, 12, 10), NORTH, "3.16", "supervision", "practice_managers", "good", False,
     "risk_assessment;multi_agency", 3, 21, None),
    (24, dt.date(2024, 12, 16), NORTH, "3.13", "peer", "heads_of_service", "good", False, "child_centred", 4, 22,
     None),
    (25, dt.date(2024, 11, 12), SOUTH, "3.16", "supervision", "practice_managers", "good", False, "recording", 6, 23,
     None),
    (26, dt.date(2024, 12, 4), SOUTH, "3.16", "supervision", "practice_managers", "requires_improvement", False,
     "fathers", 7, 24, None),
    (27, dt.date(2024, 12, 11), SOUTH, "3.16", "supervision", "practice_managers", "inadequate", True,
     "risk_assessment;recording", 5, 25, None),
]  # fmt: skip
# significant-concern audits: (follow-ups, re-reviewed, compliant), as the mart works them out
FOLLOW_UPS = {2: (2, True, True), 8: (1, False, False), 13: (2, True, True), 21: (0, False, None), 27: (0, False, None)}
REQUIRED_PER_MONTH = {NORTH: 3, SOUTH: 2}
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
THEMES = (
    "multi_agency",
    "family_history",
    "child_centred",
    "fathers",
    "plan_review",
    "supervision",
    "learning",
    "risk_assessment",
    "recording",
    "timeliness",
    "other",
)
THEME_LABELS = {
    "multi_agency": "Multi-agency working",
    "family_history": "Family history",
    "child_centred": "Child-centred",
    "fathers": "Fathers",
    "plan_review": "Plans and reviews",
    "supervision": "Supervision",
    "learning": "Learning",
    "risk_assessment": "Risk assessment",
    "recording": "Recording",
    "timeliness": "Timeliness",
    "other": "Other",
}
GRADE_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}

# audit reference number, action number, action, due, completed
ACTIONS: list[tuple] = [
    (2, 1, "Update the chronology and share it with the new worker", dt.date(2024, 6, 30), dt.date(2024, 6, 20)),
    (8, 1, "Hold a review of the safety plan with the family", dt.date(2024, 8, 31), None),
    (8, 2, HOSTILE_ACTION, dt.date(2024, 11, 30), None),
    (13, 1, "Refer the case to the multi-agency panel", dt.date(2024, 9, 15), dt.date(2024, 10, 5)),
    (21, 1, "Complete the outstanding assessment", dt.date(2025, 1, 31), None),
    (26, 1, "Record the father's details and views", dt.date(2024, 12, 15), None),
]
OTHER_AUDIT = "AUD-846-001"
OTHER_ACTION = "Another authority's action: never shown"


def reference(n: int) -> str:
    return f"AUD-2024-{n:03d}"


def _audit_rows() -> list[dict[str, Any]]:
    rows = []
    for n, date, team, task, kind, auditor, grade, concern, themes, worker, child, follow_up_of in AUDITS:
        follow_ups, re_reviewed, compliant = FOLLOW_UPS.get(n, (None, None, None))
        due = dt.date(date.year + (date.month + 2) // 12, (date.month + 2) % 12 + 1, date.day) if concern else None
        rows.append(
            {
                "la_code": LA,
                "audit_reference": reference(n),
                "task_number": task,
                "audit_type": kind,
                "audit_date": date,
                "team_name": TEAM_NAMES[team],
                "team_id": team,
                "service_id": SERVICE,
                "worker_id": f"{WORKER_PREFIX}{worker:02d}",
                "child_id": f"{CHILD_PREFIX}{child:03d}",
                "auditor_role": auditor,
                "grade": grade,
                "significant_concerns": concern,
                "themes": themes,
                "follow_up_of": reference(follow_up_of) if follow_up_of else None,
                "is_good_or_better": grade in ("outstanding", "good"),
                "follow_ups": follow_ups,
                "re_reviewed": re_reviewed,
                "follow_up_compliant": compliant,
                "follow_up_due_date": due,
                "as_at_date": AS_AT,
            }
        )
    rows.append(
        rows[7]
        | {
            "la_code": OTHER_LA,
            "audit_reference": OTHER_AUDIT,
            "team_name": "Elsewhere",
            "team_id": "846-T01",
            "service_id": "846-S1",
            "worker_id": f"{WORKER_PREFIX}99",
            "child_id": f"{CHILD_PREFIX}999",
        }
    )
    return rows


def _action_rows() -> list[dict[str, Any]]:
    rows = [
        {
            "_load_id": "01QA0004",
            "_source_row": k,
            "la_code": LA,
            "collection_year": 2025,
            "audit_reference": reference(n),
            "action_number": number,
            "action": text,
            "due_date": due,
            "completed_date": completed,
        }
        for k, (n, number, text, due, completed) in enumerate(ACTIONS, start=1)
    ]
    rows.append(
        rows[1]
        | {"la_code": OTHER_LA, "audit_reference": OTHER_AUDIT, "action": OTHER_ACTION, "_source_row": len(rows) + 1}
    )
    return rows


# --- indicator values ------------------------------------------------------------------------------------------

AUD = "cscmt;smt;heads_of_service;operations_managers;practice_managers;lead_member"
# indicator_id, name, short name, group, unit, polarity, target, amber, sort order, definition
INDICATORS: list[tuple] = [
    ("audits_completed", "Case-file audits completed", "Audits completed", "audit_completion", "count", "neutral",
     None, None, 1000, "Practice manager, operations manager and peer case-file audits dated in the period."),
    ("audits_required", "Case-file audits required by the QA framework", "Audits required", "audit_completion",
     "count", "neutral", None, None, 1010, "Audits the framework requires in the period."),
    ("audits_completion_pct", "Case-file audits completed against requirement", "Completion", "audit_completion",
     "percent", "higher_is_better", 90.0, 80.0, 1020, "Audits completed as a percentage of those required."),
    ("audits_good_or_better_pct", "Case-file audits graded good or outstanding", "Good or better", "audit_quality",
     "percent", "higher_is_better", 80.0, 70.0, 1030, "Of the audits graded in the period, those good or better."),
    *[
        (f"audits_grade_{g}_count", f"Case-file audits graded {GRADE_LABELS[g].lower()}", GRADE_LABELS[g],
         "audit_grades", "count", "neutral", None, None, 1040 + n, f"Audits in the period graded '{GRADE_LABELS[g]}'.")
        for n, g in enumerate(GRADES)
    ],
    *[
        (f"audits_theme_{t}_pct", f"Case-file audits finding the theme: {THEME_LABELS[t]}", THEME_LABELS[t],
         "audit_themes", "percent", "neutral", None, None, 1100 + n,
         f"Share of the audits in the period that found the theme '{THEME_LABELS[t]}'.")
        for n, t in enumerate(THEMES)
    ],
    ("audits_follow_up_compliance_pct", "Significant concerns followed up within three months",
     "Follow-up compliance", "audit_follow_up", "percent", "higher_is_better", 100.0, 90.0, 1200,
     "Significant-concern audits whose follow-up is complete, of those whose three months have passed."),
    ("audit_actions_open", "Actions from audits open at the end of the period", "Actions open", "audit_actions",
     "count", "neutral", None, None, 1210, "Actions set by audits and not completed by the period's last day."),
    ("audit_actions_overdue", "Actions from audits overdue at the end of the period", "Actions overdue",
     "audit_actions", "count", "lower_is_better", None, None, 1220,
     "Of the actions open on the period's last day, those due before it."),
]  # fmt: skip
UNITS = {r[0]: r[4] for r in INDICATORS}
POLARITY = {r[0]: r[5] for r in INDICATORS}
TARGETS = {r[0]: (r[6], r[7]) for r in INDICATORS}


def _catalogue() -> list[dict[str, Any]]:
    rows = []
    for ind_id, name, short, group, unit, polarity, target, amber, order, definition in INDICATORS:
        label = None
        if group == "audit_grades":
            label = short
        elif group == "audit_themes":
            label = short
        rows.append(
            {
                "indicator_id": ind_id,
                "name": name,
                "short_name": short,
                "domain": "audit",
                "indicator_group": group,
                "breakdown_label": label,
                "definition": definition,
                "numerator_definition": f"Counted: {short.lower()}",
                "denominator_definition": "Out of: the audits it applies to" if unit == "percent" else None,
                "unit": unit,
                "polarity": polarity,
                "target": target,
                "amber_threshold": amber,
                "definition_source": "Hand-made test catalogue",
                "qa_task_ids": "3.12;3.13;3.14;3.16",
                "audiences": AUD,
                "grains": "month;quarter;year",
                "benchmark_series": None,
                "is_stock": ind_id.startswith("audit_actions"),
                "sort_order": order,
            }
        )
    return rows


def rag(indicator_id: str, value: float | None) -> str | None:
    goal, amber = TARGETS[indicator_id]
    if goal is None or value is None:
        return None
    return "green" if value >= goal else "amber" if value >= amber else "red"


def _months_of(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    return [m for m in MONTHS if start <= m[1] <= end]


def team_cells(team: str, start: dt.date, end: dt.date, months: int) -> dict[str, tuple[float, float | None]]:
    """(numerator, denominator) of each audit indicator for one team in one period, from AUDITS and ACTIONS."""
    mine = [a for a in AUDITS if a[2] == team and start <= a[1] <= end]
    cells: dict[str, tuple[float, float | None]] = {
        "audits_completed": (len(mine), None),
        "audits_required": (REQUIRED_PER_MONTH[team] * months, None),
        "audits_completion_pct": (len(mine), REQUIRED_PER_MONTH[team] * months),
        "audits_good_or_better_pct": (sum(a[6] in ("outstanding", "good") for a in mine), len(mine)),
    }
    for g in GRADES:
        cells[f"audits_grade_{g}_count"] = (sum(a[6] == g for a in mine), None)
    for t in THEMES:
        cells[f"audits_theme_{t}_pct"] = (sum(t in a[8].split(";") for a in mine), len(mine))
    concerns = [a for a in mine if a[7]]
    passed = [a for a in concerns if FOLLOW_UPS[a[0]][2] is not None]
    if passed:
        cells["audits_follow_up_compliance_pct"] = (sum(FOLLOW_UPS[a[0]][2] for a in passed), len(passed))
    audit_dates = {a[0]: (a[1], a[2]) for a in AUDITS}
    open_actions = [
        x
        for x in ACTIONS
        if audit_dates[x[0]][1] == team and audit_dates[x[0]][0] <= end and (x[4] is None or x[4] > end)
    ]
    cells["audit_actions_open"] = (len(open_actions), None)
    cells["audit_actions_overdue"] = (sum(x[3] < end for x in open_actions), None)
    return cells


def _value(unit: str, numerator: float, denominator: float | None) -> float | None:
    if denominator is None:
        return float(numerator)
    if denominator == 0:
        return None
    return numerator / denominator * 100


def _row(indicator_id: str, grain: str, label: str, start: dt.date, end: dt.date, level: str, org_id: str,
         numerator: float, denominator: float | None) -> dict[str, Any]:  # fmt: skip
    value = _value(UNITS[indicator_id], numerator, denominator)
    row = dict.fromkeys(VALUE_COLUMNS)
    fy = start.year if start.month >= 4 else start.year - 1
    row.update(
        indicator_id=indicator_id,
        period_grain=grain,
        period_start=start,
        period_end=end,
        period_label=label,
        financial_year=f"{fy}-{(fy + 1) % 100:02d}",
        la_code=LA,
        org_level=level,
        org_id=org_id,
        numerator=float(numerator),
        denominator=None if denominator is None else float(denominator),
        value=value,
        target=TARGETS[indicator_id][0],
        rag=rag(indicator_id, value),
    )
    return row


def _values() -> list[dict[str, Any]]:
    periods = [("quarter", label, start, end, 3) for label, (start, end) in QUARTERS.items()]
    periods += [("month", label, start, end, 1) for label, start, end in MONTHS]
    rows = []
    for grain, label, start, end, months in periods:
        per_team = {team: team_cells(team, start, end, months) for team in (NORTH, SOUTH)}
        ids = [i for i in UNITS if any(i in cells for cells in per_team.values())]
        for indicator_id in ids:
            parts = {team: cells[indicator_id] for team, cells in per_team.items() if indicator_id in cells}
            for team, (numerator, denominator) in parts.items():
                rows.append(_row(indicator_id, grain, label, start, end, "team", team, numerator, denominator))
            numerator = sum(p[0] for p in parts.values())
            denominators = [p[1] for p in parts.values()]
            denominator = None if any(d is None for d in denominators) else sum(denominators)  # type: ignore[arg-type]
            for level, org_id in (("service", SERVICE), ("la", LA)):
                rows.append(_row(indicator_id, grain, label, start, end, level, org_id, numerator, denominator))
    return rows


# --- writing ------------------------------------------------------------------------------------------------------

QA_DDL = """
create schema lookup;
create table lookup.qa_roles (role_id varchar, role_name varchar, kind varchar);
create table qa_register (
    task_number varchar, part integer, part_name varchar, section varchar, role_text varchar, role_ids varchar,
    task varchar, frequency_text varchar, purpose varchar, audience_id varchar, audience_name varchar,
    frequency varchar, indicator_ids varchar
);
"""
SCHEDULE_DDL = """
create table qa_schedule (
    la_code varchar, task_number varchar, audience_id varchar, frequency varchar, period_start date,
    period_end date, period_label varchar, due_date date, delivered_date date, reference varchar, status varchar,
    as_at_date date
);
"""
AUDITS_DDL = """
create table case_file_audits (
    la_code varchar, audit_reference varchar, task_number varchar, audit_type varchar, audit_date date,
    team_name varchar, team_id varchar, service_id varchar, worker_id varchar, child_id varchar,
    auditor_role varchar, grade varchar, significant_concerns boolean, themes varchar, follow_up_of varchar,
    is_good_or_better boolean, follow_ups integer, re_reviewed boolean, follow_up_compliant boolean,
    follow_up_due_date date, as_at_date date
);
"""
MART_ACTIONS_DDL = """
create table audit_actions (
    la_code varchar, audit_reference varchar, action_number integer, action varchar, due_date date,
    completed_date date, audit_date date, team_id varchar, service_id varchar, as_at_date date
);
"""
SCHEDULE_COLUMNS = (
    "la_code",
    "task_number",
    "audience_id",
    "frequency",
    "period_start",
    "period_end",
    "period_label",
    "due_date",
    "delivered_date",
    "reference",
    "status",
    "as_at_date",
)
REGISTER_COLUMNS = (
    "task_number",
    "part",
    "part_name",
    "section",
    "role_text",
    "role_ids",
    "task",
    "frequency_text",
    "purpose",
    "audience_id",
    "audience_name",
    "frequency",
    "indicator_ids",
)


def _loads() -> list[dict[str, Any]]:
    specs = [
        ("qa_activity", "qa_activity_log", "qa_activity.csv", dt.date(2024, 4, 1)),
        ("audits", "case_file_audits", "case_file_audits.csv", dt.date(2024, 4, 1)),
        ("audits", "audit_actions", "audit_actions.csv", dt.date(2024, 4, 1)),
    ]
    return [
        {
            "load_id": f"01QA{n:04d}",
            "dataset": dataset,
            "table_name": table,
            "file_name": name,
            "file_path": f"data/extracts/{dataset}/{LA}/2024-12/{name}",
            "sha256": f"{n:064x}",
            "la_code": LA,
            "collection_year": 2025,
            "period_start": start,
            "period_end": AS_AT,
            "encoding": "utf-8",
            "synthetic": True,
            "rows_read": 10,
            "rows_loaded": 10,
            "rows_rejected": 0,
            "status": "loaded",
            "superseded_by": None,
            "message": None,
            "started_at": dt.datetime(2025, 1, 7, 7, 40),
            "finished_at": dt.datetime(2025, 1, 7, 7, 45),
        }
        for n, (dataset, table, name, start) in enumerate(specs, start=1)
    ]


def write_warehouse(
    path: Path | str,
    *,
    qa_marts: bool = True,
    schedule: bool = True,
    roles: bool = True,
    audits: bool = True,
    audits_mart: bool = True,
    actions: str | None = "mart",
    build_id: str = BUILD_ID,
) -> Path:
    """Write the hand-made warehouse to `path` (replacing any file there) and return the path.

    `qa_marts=False` leaves out the register and schedule tables (an older build); `schedule=False` leaves the
    schedule empty (no activity log loaded); `roles=False` leaves out the roles seed; `audits=False` leaves out the
    audit indicator rows (no audits loaded); `audits_mart=False` leaves out `case_file_audits`; `actions` says where
    the actions are ("mart": the `audit_actions` mart, dated and given a team by their audit, as dbt builds it;
    None: an older build without it).
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
        if audits:
            _insert(con, "indicator_values", VALUE_COLUMNS, _values())
        units = _org_units()
        _insert(con, "org_units", tuple(units[0]), units)
        con.execute(
            "insert into statistical_neighbours values (?, ?, ?, ?, ?, ?, ?)",
            [LA, LA_NAME, REGION, 1, "878", "Devon", "Very close"],
        )
        if qa_marts:
            con.execute(QA_DDL)
            if roles:
                con.executemany(
                    "insert into lookup.qa_roles values (?, ?, ?)", [[k, v, "person"] for k, v in ROLES.items()]
                )
            _insert(con, "qa_register", REGISTER_COLUMNS, _register())
            con.execute(SCHEDULE_DDL)
            if schedule:
                _insert(con, "qa_schedule", SCHEDULE_COLUMNS, _schedule())
        if audits_mart:
            con.execute(AUDITS_DDL)
            rows = _audit_rows()
            _insert(con, "case_file_audits", tuple(rows[0]), rows)
        action_rows = _action_rows()
        if actions == "mart":
            con.execute(MART_ACTIONS_DDL)
            columns = ("la_code", "audit_reference", "action_number", "action", "due_date", "completed_date")
            _insert(con, "audit_actions", columns, action_rows)
            if audits_mart:  # as dbt's mart: dated and given a team by the audit; actions of no audit left out
                con.execute("""update audit_actions set audit_date = a.audit_date, team_id = a.team_id,
                                   service_id = a.service_id, as_at_date = a.as_at_date
                               from case_file_audits a
                               where a.la_code = audit_actions.la_code
                                 and a.audit_reference = audit_actions.audit_reference""")
                con.execute("delete from audit_actions where audit_date is null")
        con.execute("checkpoint")
    finally:
        con.close()
    return path


# --- reading back ------------------------------------------------------------------------------------------------


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


def schedule(path: Path | str) -> list[dict[str, Any]]:
    return _select(path, "select * from qa_schedule order by due_date, task_number, audience_id", [])


def pseudonyms(path: Path | str) -> set[str]:
    """Every worker and child pseudonym in the audits mart."""
    rows = _select(path, "select worker_id, child_id from case_file_audits", [])
    return {r["worker_id"] for r in rows} | {r["child_id"] for r in rows}
