"""Pure helpers for the Audits and learning page: headline tiles, completion by team, the grade mix, themes,
follow-up of significant concerns and the actions audits set (no Streamlit here, so it can be unit tested).

Two kinds of figure, treated differently (the page says so):

* about staff practice: audits completed and required, completion, follow-up compliance and actions. Like the
  workforce figures (`disclosure.STAFF_DOMAINS`) they are shown in full. No audit is ever tied to a worker or a
  child on screen: lists name the audit's own reference and its team, never `worker_id` or `child_id`.
* about what audits found: grades and themes. Grades per team can be small and the page is read by the Lead
  Member, so they go through `app.disclosure` like any count on the Complaints page: a count under 5 is "fewer
  than 5", a percentage built on one is suppressed, and a second cell is hidden wherever a hidden one could be
  worked out by subtraction (grades add up to the audits graded, which are shown; outstanding and good add up
  to "good or better", whose share is shown; teams add up to their service and the authority). Themes are
  shown for the whole authority only, each with the standard rules.

Indicator ids and the `case_file_audits` mart: docs/contracts.md, "The QA framework, activity log and case-file
audits".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from app import disclosure, formatting
from app.indicators import RAG_TEXT, Catalogue, Indicator
from app.monthly import MonthlyValues, OrgKey, OrgUnits, masked_text, month_label, rag_text, unit_text

Row = dict[str, Any]

COMPLETED = "audits_completed"
REQUIRED = "audits_required"
COMPLETION = "audits_completion_pct"
GOOD_OR_BETTER = "audits_good_or_better_pct"
FOLLOW_UP = "audits_follow_up_compliance_pct"
ACTIONS_OPEN = "audit_actions_open"
ACTIONS_OVERDUE = "audit_actions_overdue"
GRADE_GROUP = "audit_grades"
THEME_GROUP = "audit_themes"
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
GRADE_LABELS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
GRADE_IDS = {g: f"audits_grade_{g}_count" for g in GRADES}
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
    "child_centred": "Child-centred practice",
    "fathers": "Fathers",
    "plan_review": "Plans and reviews",
    "supervision": "Supervision",
    "learning": "Learning",
    "risk_assessment": "Risk assessment",
    "recording": "Recording",
    "timeliness": "Timeliness",
    "other": "Other",
}
THEME_PREFIX, THEME_SUFFIX = "audits_theme_", "_pct"
THEME_IDS = {t: f"{THEME_PREFIX}{t}{THEME_SUFFIX}" for t in THEMES}
CORE_IDS = (COMPLETED, REQUIRED, COMPLETION, GOOD_OR_BETTER, FOLLOW_UP, ACTIONS_OPEN, ACTIONS_OVERDUE)
INDICATOR_IDS = (*CORE_IDS, *GRADE_IDS.values(), *THEME_IDS.values())
# About staff practice, not children: shown in full (the page says so).
IN_FULL = frozenset({COMPLETED, REQUIRED, COMPLETION, FOLLOW_UP, ACTIONS_OPEN, ACTIONS_OVERDUE})
DATASET = "audits"  # meta.loads dataset of the audits and actions files
THEME_QUARTERS = 8
FOLLOW_UPS_NEEDED = 2
FOLLOW_UP_MONTHS = 3
WHOLE_AUTHORITY = "Whole authority"
WHOLE_SERVICE = "Whole service"
NO_TEAM = "No team recorded"
TOTAL, GOB = "total", "good_or_better"
OVERDUE, IN_PROGRESS = "Overdue", "In progress"
_ALWAYS_SHOWN = 1e12  # stands in for a total shown in full while the breakdown is protected


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _cell(row: Row | None) -> tuple[float | None, float | None, float | None]:
    if row is None:
        return (None, None, None)
    return (row.get("value"), row.get("numerator"), row.get("denominator"))


def la_key(values: MonthlyValues) -> OrgKey:
    return ("la", values.orgs.la_code)


def org_rows(values: MonthlyValues, indicator_ids: Sequence[str], start: dt.date) -> list[tuple[str, OrgKey, str]]:
    """(service name, org key, row label) in page order: the authority, then each service and its teams, keeping
    only those with a row for any of `indicator_ids` in the period."""
    orgs = values.orgs
    candidates: list[tuple[str, OrgKey, str]] = [("", la_key(values), WHOLE_AUTHORITY)]
    for service_id, service_name, teams in orgs.groups(values.team_ids([start])):
        if not teams:
            continue
        if service_id is not None:
            candidates.append((service_name, ("service", service_id), orgs.service_label(service_id)))
        candidates += [(service_name, ("team", t.org_id), t.name) for t in teams]
    return [c for c in candidates if any(values.row(i, c[1], start) is not None for i in indicator_ids)]


def full_text(values: MonthlyValues, indicator_id: str, key: OrgKey, start: dt.date) -> str:
    """A staff-practice figure as shown: in full, by its unit."""
    row = values.row(indicator_id, key, start)
    if row is None:
        return formatting.NOT_AVAILABLE
    return formatting.by_unit(values.unit(indicator_id), row.get("value"))


# --- the grade mix, protected -----------------------------------------------------------------------------------


def _tag(metric: str, key: OrgKey) -> str:
    return f"{metric}|{key[0]}|{key[1]}"


def _team_sums(keys: Sequence[OrgKey], orgs: OrgUnits) -> list[tuple[OrgKey, list[OrgKey]]]:
    """Which cells add up to which: each service to its teams, the authority to its teams and to its services
    (with any team outside them)."""
    la = [k for k in keys if k[0] == "la"]
    services = [k for k in keys if k[0] == "service"]
    teams = [k for k in keys if k[0] == "team"]
    present = {k[1] for k in services}
    sums: list[tuple[OrgKey, list[OrgKey]]] = []
    for service in services:
        members = [t for t in teams if orgs.service_of(t[1]) == service[1]]
        if members:
            sums.append((service, members))
    for total in la:
        if teams:
            sums.append((total, teams))
        if services:
            sums.append((total, services + [t for t in teams if orgs.service_of(t[1]) not in present]))
    return sums


class GradeMix:
    """Audits by grade in one period for the authority, its services and teams, with the cells to hide.

    A grade with no row for an org unit that has other grades is taken as none (0). The audits graded (the sum of
    the grades) are shown in full; "good or better" (outstanding plus good) is shown through its percentage.
    """

    def __init__(self, values: MonthlyValues, start: dt.date, good_or_better_id: str = GOOD_OR_BETTER) -> None:
        self.values, self.start, self.good_or_better_id = values, start, good_or_better_id
        self.rows = org_rows(values, list(GRADE_IDS.values()), start)
        self.counts: dict[str, float | None] = {}
        for _, key, _ in self.rows:
            found = {g: values.row(GRADE_IDS[g], key, start) for g in GRADES}
            for g, row in found.items():
                value = row.get("value") if row is not None else 0.0
                if row is not None and _missing(value):
                    value = row.get("numerator")
                self.counts[_tag(g, key)] = None if _missing(value) else float(value)
            parts = [self.counts[_tag(g, key)] for g in GRADES]
            self.counts[_tag(TOTAL, key)] = None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]
            o, g = self.counts[_tag("outstanding", key)], self.counts[_tag("good", key)]
            self.counts[_tag(GOB, key)] = None if o is None or g is None else o + g
        self.hidden = self._protect()

    def _protect(self) -> set[str]:
        keys = [key for _, key, _ in self.rows]
        cells = dict(self.counts)
        for key in keys:
            if cells[_tag(TOTAL, key)] is not None:
                cells[_tag(TOTAL, key)] = _ALWAYS_SHOWN
        constraints: list[tuple[str, list[str]]] = []
        for key in keys:
            constraints.append((_tag(TOTAL, key), [_tag(g, key) for g in GRADES]))
            constraints.append((_tag(GOB, key), [_tag("outstanding", key), _tag("good", key)]))
            constraints.append(
                (_tag(TOTAL, key), [_tag(GOB, key), _tag("requires_improvement", key), _tag("inadequate", key)])
            )
        for n, (total, parts) in enumerate(_team_sums(keys, self.values.orgs)):
            for metric in (*GRADES, GOB):
                total_tag, part_tags = _tag(metric, total), [_tag(metric, p) for p in parts]
                known = [self.counts[total_tag], *(self.counts[t] for t in part_tags)]
                if any(x is None for x in known):
                    constraints.append((total_tag, part_tags))
                    continue
                rest = known[0] - sum(known[1:])  # type: ignore[operator]
                if rest >= disclosure.THRESHOLD:
                    continue  # a rest of 5 or more cannot be told apart from a hidden part: this sum protects nothing
                if rest >= 0.5:
                    rest_tag = f"{metric}|rest|{n}"
                    cells[rest_tag] = rest
                    part_tags = [*part_tags, rest_tag]
                constraints.append((total_tag, part_tags))
        hidden = disclosure.protect_breakdown(cells, constraints)
        return {h for h in hidden if not h.startswith(f"{TOTAL}|")}

    def is_hidden(self, metric: str, key: OrgKey) -> bool:
        value = self.counts.get(_tag(metric, key))
        return _tag(metric, key) in self.hidden or (metric != TOTAL and disclosure.is_small(value) and value != 0)

    def count_text(self, grade: str, key: OrgKey) -> str:
        return disclosure.masked_count_text(self.counts.get(_tag(grade, key)), _tag(grade, key) in self.hidden)

    def shown_count(self, grade: str, key: OrgKey) -> float | None:
        """A grade's count for a chart: None when hidden or small."""
        value = self.counts.get(_tag(grade, key))
        if value is None or _tag(grade, key) in self.hidden or disclosure.is_small(value):
            return None
        return value

    def total_text(self, key: OrgKey) -> str:
        total = self.counts.get(_tag(TOTAL, key))
        return formatting.count(total) if total is not None else formatting.NOT_AVAILABLE

    def good_or_better_hidden(self, key: OrgKey) -> bool:
        row = self.values.row(self.good_or_better_id, key, self.start)
        _, numerator, denominator = _cell(row)
        return _tag(GOB, key) in self.hidden or disclosure.ratio_hidden(numerator, denominator)

    def good_or_better_text(self, key: OrgKey) -> str:
        row = self.values.row(self.good_or_better_id, key, self.start)
        if row is None:
            return formatting.NOT_AVAILABLE
        return masked_text("percent", _cell(row), self.good_or_better_hidden(key))


GRADE_COLUMNS = ["Service", "Team", *GRADE_LABELS.values(), "Audits graded", "Good or better"]


def grade_table(mix: GradeMix) -> pl.DataFrame:
    out = []
    for service, key, label in mix.rows:
        cells = [
            service,
            label,
            *(mix.count_text(g, key) for g in GRADES),
            mix.total_text(key),
            mix.good_or_better_text(key),
        ]
        out.append(dict(zip(GRADE_COLUMNS, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in GRADE_COLUMNS})


def grade_frame(mix: GradeMix) -> pl.DataFrame:
    """Stacked bars of each team's audits by grade; hidden cells are null (not drawn)."""
    out = []
    teams = [(key, label) for _, key, label in mix.rows if key[0] == "team"]
    for order, (key, label) in enumerate(teams):
        for grade_order, grade in enumerate(GRADES):
            out.append(
                {
                    "label": label,
                    "label_order": order,
                    "category": GRADE_LABELS[grade],
                    "category_order": grade_order,
                    "value": mix.shown_count(grade, key),
                    "value_text": mix.count_text(grade, key),
                    "total_text": mix.total_text(key),
                }
            )
    return pl.DataFrame(
        out,
        schema={
            "label": pl.String,
            "label_order": pl.Int64,
            "category": pl.String,
            "category_order": pl.Int64,
            "value": pl.Float64,
            "value_text": pl.String,
            "total_text": pl.String,
        },
    )


# --- tiles ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | None
    delta_color: str
    change_withheld: bool
    target: str
    rag: str | None
    rag_hidden: bool
    note: str = ""


def tile(
    ind: Indicator,
    values: MonthlyValues,
    start: dt.date,
    previous_start: dt.date,
    label: str,
    *,
    hidden_now: bool = False,
    hidden_before: bool = False,
    note: str = "",
) -> Tile:
    """The authority's figure in the period, its change since the period before (withheld beside a hidden figure)
    and its target and status (withheld with a hidden figure)."""
    key = la_key(values)
    row = values.row(ind.indicator_id, key, start)
    before = values.row(ind.indicator_id, key, previous_start)
    if row is None:
        text = formatting.NOT_AVAILABLE
    elif ind.indicator_id in values.in_full:
        text = formatting.by_unit(ind.unit, row.get("value"))
    else:
        text = masked_text(ind.unit, _cell(row), hidden_now)
    delta, withheld = None, False
    if row is not None and before is not None:
        if hidden_now or hidden_before:
            withheld = True
        elif not _missing(row.get("value")) and not _missing(before.get("value")):
            delta = formatting.signed_by_unit(ind.unit, row["value"] - before["value"])
    target_value = row.get("target") if row is not None and not _missing(row.get("target")) else ind.target
    target = f"Target {formatting.by_unit(ind.unit, target_value)}" if not _missing(target_value) else ""
    has_status = row is not None and bool(target) and not _missing(row.get("value"))
    rag = row.get("rag") if has_status and not hidden_now and row.get("rag") in RAG_TEXT else None
    return Tile(label, text, delta, ind.delta_color, withheld, target, rag, has_status and hidden_now, note)


# --- months inside the quarter ---------------------------------------------------------------------------------

MONTH_COLUMNS = [
    "Month",
    "Audits completed",
    "Audits required",
    "Completion",
    "Follow-up compliance",
    "Actions open at the month end",
    "Actions overdue at the month end",
]
MONTH_IDS = (COMPLETED, REQUIRED, COMPLETION, FOLLOW_UP, ACTIONS_OPEN, ACTIONS_OVERDUE)


def months_table(values: MonthlyValues, starts: Sequence[dt.date]) -> pl.DataFrame:
    """The authority month by month (staff-practice figures, in full)."""
    key = la_key(values)
    out = []
    for start in starts:
        if all(values.row(i, key, start) is None for i in MONTH_IDS):
            continue
        cells = [month_label(start), *(full_text(values, i, key, start) for i in MONTH_IDS)]
        out.append(dict(zip(MONTH_COLUMNS, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in MONTH_COLUMNS})


# --- completion by team ---------------------------------------------------------------------------------------

COMPLETION_COLUMNS = [
    "Service",
    "Team",
    "Audits completed",
    "Audits required",
    "Completion",
    "Target",
    "Against target",
]
NO_TARGET = "No target"


def _target(values: MonthlyValues, ind: Indicator | None, key: OrgKey, start: dt.date) -> float | None:
    row = values.row(COMPLETION, key, start)
    if row is not None and not _missing(row.get("target")):
        return float(row["target"])
    if ind is not None and ind.has_target:
        return float(ind.target)  # type: ignore[arg-type]
    return None


def completion_table(values: MonthlyValues, start: dt.date, ind: Indicator | None = None) -> pl.DataFrame:
    out = []
    for service, key, label in org_rows(values, (COMPLETED, REQUIRED, COMPLETION), start):
        row = values.row(COMPLETION, key, start)
        target = _target(values, ind, key, start)
        cells = [
            service,
            label,
            full_text(values, COMPLETED, key, start),
            full_text(values, REQUIRED, key, start),
            full_text(values, COMPLETION, key, start),
            unit_text("percent", target) if target is not None else "",
            rag_text(row.get("rag"), False) if row is not None else "",
        ]
        out.append(dict(zip(COMPLETION_COLUMNS, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in COMPLETION_COLUMNS})


def completion_frame(values: MonthlyValues, start: dt.date) -> pl.DataFrame:
    """Bars of completion for each team, each service and the authority, coloured by status against target."""
    out = []
    for order, (service, key, label) in enumerate(org_rows(values, (COMPLETION,), start)):
        row = values.row(COMPLETION, key, start)
        value = row.get("value") if row is not None else None
        name = values.orgs.la_name if key[0] == "la" else f"{label} ({service})" if key[0] == "service" else label
        out.append(
            {
                "label": name,
                "label_order": order,
                "level": {"la": "Authority", "service": "Service"}.get(key[0], "Team"),
                "value": None if _missing(value) else float(value),
                "value_text": full_text(values, COMPLETION, key, start),
                "status": RAG_TEXT.get((row or {}).get("rag") or "", NO_TARGET),
            }
        )
    return pl.DataFrame(
        out,
        schema={
            "label": pl.String,
            "label_order": pl.Int64,
            "level": pl.String,
            "value": pl.Float64,
            "value_text": pl.String,
            "status": pl.String,
        },
    )


# --- themes -----------------------------------------------------------------------------------------------------


def theme_items(catalogue: Catalogue) -> list[tuple[Indicator, str]]:
    """(indicator, label) of each theme measure, in catalogue order."""
    out = []
    for ind in catalogue.group(THEME_GROUP):
        code = ind.indicator_id.removeprefix(THEME_PREFIX).removesuffix(THEME_SUFFIX)
        out.append((ind, ind.breakdown_label or THEME_LABELS.get(code) or code.replace("_", " ").capitalize()))
    return out


def _theme_hidden(row: Row | None) -> bool:
    _, numerator, denominator = _cell(row)
    return disclosure.ratio_hidden(numerator, denominator)


def theme_count_text(row: Row | None) -> str:
    """Audits finding the theme (the share's numerator): "fewer than 5" under 5, and hidden with its share."""
    if row is None:
        return formatting.NOT_AVAILABLE
    numerator = row.get("numerator")
    if _missing(numerator):
        return formatting.NOT_AVAILABLE
    if disclosure.is_small(numerator):
        return disclosure.FEWER_THAN_5
    if _theme_hidden(row):
        return disclosure.SUPPRESSED
    return formatting.count(numerator)


def theme_share_text(row: Row | None) -> str:
    if row is None:
        return formatting.NOT_AVAILABLE
    return disclosure.percent_text(*_cell(row))


def ranked_themes(items: Sequence[tuple[Indicator, str]], values: MonthlyValues, start: dt.date):
    """Themes with a figure in the period: those shown by share (largest first), then the hidden ones by name, so
    the order gives no hidden figure away."""
    key = la_key(values)
    present = [(ind, label, values.row(ind.indicator_id, key, start)) for ind, label in items]
    present = [p for p in present if p[2] is not None]
    shown = [p for p in present if not _theme_hidden(p[2]) and not _missing(p[2].get("value"))]
    hidden = [p for p in present if p not in shown]
    shown.sort(key=lambda p: (-float(p[2]["value"]), p[1]))
    hidden.sort(key=lambda p: p[1])
    return shown + hidden


THEME_COLUMNS = ["Rank", "Theme", "Audits finding it", "Share of audits"]


def theme_table(items: Sequence[tuple[Indicator, str]], values: MonthlyValues, start: dt.date) -> pl.DataFrame:
    out = []
    ranked = ranked_themes(items, values, start)
    n_shown = sum(1 for _, _, row in ranked if not _theme_hidden(row) and not _missing(row.get("value")))
    for order, (_, label, row) in enumerate(ranked, start=1):
        cells = [str(order) if order <= n_shown else "", label, theme_count_text(row), theme_share_text(row)]
        out.append(dict(zip(THEME_COLUMNS, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in THEME_COLUMNS})


def theme_trend_frame(
    items: Sequence[tuple[Indicator, str]], values: MonthlyValues, quarters: Sequence[tuple[str, dt.date]]
) -> pl.DataFrame:
    """Each theme's share of audits by quarter (oldest first), for the authority; hidden shares are null."""
    key = la_key(values)
    with_rows = [(ind, label) for ind, label in items if any(values.row(ind.indicator_id, key, s) for _, s in quarters)]
    out = []
    for quarter_label, start in quarters:
        for ind, label in with_rows:
            row = values.row(ind.indicator_id, key, start)
            if row is None:
                continue
            hidden = _theme_hidden(row) or _missing(row.get("value"))
            out.append(
                {
                    "quarter": quarter_label,
                    "period": quarter_label,
                    "series": label,
                    "value": None if hidden else float(row["value"]),
                    "value_text": theme_share_text(row),
                }
            )
    return pl.DataFrame(
        out,
        schema={
            "quarter": pl.String,
            "period": pl.String,
            "series": pl.String,
            "value": pl.Float64,
            "value_text": pl.String,
        },
    )


def theme_trend_table(
    items: Sequence[tuple[Indicator, str]], values: MonthlyValues, quarters: Sequence[tuple[str, dt.date]]
) -> pl.DataFrame:
    """The figures behind the theme chart: a row per theme, a column per quarter."""
    key = la_key(values)
    columns = ["Theme", *(label for label, _ in quarters)]
    out = []
    for ind, label in items:
        rows = [values.row(ind.indicator_id, key, s) for _, s in quarters]
        if all(r is None for r in rows):
            continue
        out.append(dict(zip(columns, [label, *(theme_share_text(r) if r else "" for r in rows)], strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


# --- follow-up of significant concerns --------------------------------------------------------------------------

FOLLOW_UP_COLUMNS = [
    "Audit reference",
    "Team",
    "Service",
    "Audit date",
    "Audit type",
    "Follow-up audits",
    "Re-reviewed",
    "Due by",
    "Status",
]


def follow_up_due(audit_date: dt.date) -> dt.date:
    """Three months after the audit (the day clipped to the month's end, as DuckDB's `+ interval 3 month`)."""
    return formatting.shift_months(audit_date, FOLLOW_UP_MONTHS)


def _team_cells(orgs: OrgUnits, team_id: Any, service_id: Any) -> tuple[str, str]:
    team = orgs.team(team_id) if team_id else None
    service = (
        orgs.service_names.get(service_id or "", team.service_name if team else "") if (service_id or team) else ""
    )
    return (team.name if team else NO_TEAM), service


def _label(code: Any) -> str:
    text = str(code or "").strip()
    return text.replace("_", " ").capitalize() if text else ""


def follow_up_status(row: Row, as_at: dt.date | None) -> str:
    """Overdue once the three months have passed without the follow-up complete, else in progress."""
    if row.get("follow_up_compliant") is False:
        return OVERDUE
    audit_date = _date(row.get("audit_date"))
    if audit_date is not None and as_at is not None and as_at >= follow_up_due(audit_date):
        return OVERDUE
    return IN_PROGRESS


def follow_up_table(df: pl.DataFrame, orgs: OrgUnits, as_at: dt.date | None) -> pl.DataFrame:
    """Significant-concern audits whose follow-up is incomplete: overdue first, then by date. The audit's own
    reference and its team only: the query never reads a worker's or a child's pseudonym."""
    records = []
    for r in df.to_dicts():
        if r.get("follow_up_compliant") is True:
            continue
        audit_date = _date(r.get("audit_date"))
        status = follow_up_status(r, as_at)
        team, service = _team_cells(orgs, r.get("team_id"), r.get("service_id"))
        follow_ups = r.get("follow_ups")
        cells = [
            str(r.get("audit_reference") or ""),
            team,
            service,
            formatting.long_date(audit_date) if audit_date else "",
            _label(r.get("audit_type")),
            f"{int(follow_ups or 0):,} of {FOLLOW_UPS_NEEDED}",
            "Yes" if r.get("re_reviewed") else "No",
            formatting.long_date(follow_up_due(audit_date)) if audit_date else "",
            status,
        ]
        order = (0 if status == OVERDUE else 1, audit_date or dt.date.max, cells[0])
        records.append((order, dict(zip(FOLLOW_UP_COLUMNS, cells, strict=True))))
    records.sort(key=lambda t: t[0])
    return pl.DataFrame([r for _, r in records], schema={c: pl.String for c in FOLLOW_UP_COLUMNS})


# --- actions ----------------------------------------------------------------------------------------------------

ACTION_TEAM_COLUMNS = ["Service", "Team", "Actions open", "Actions overdue"]


def action_team_table(values: MonthlyValues, start: dt.date) -> pl.DataFrame:
    """Actions open and overdue at the period's end for the authority, each service and team (in full)."""
    out = []
    for service, key, label in org_rows(values, (ACTIONS_OPEN, ACTIONS_OVERDUE), start):
        cells = [
            service,
            label,
            full_text(values, ACTIONS_OPEN, key, start),
            full_text(values, ACTIONS_OVERDUE, key, start),
        ]
        out.append(dict(zip(ACTION_TEAM_COLUMNS, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in ACTION_TEAM_COLUMNS})


def is_overdue(row: Row, on: dt.date) -> bool:
    """Open on the day and due before it (an action due on the day is not yet overdue)."""
    due, completed = _date(row.get("due_date")), _date(row.get("completed_date"))
    return due is not None and due < on and (completed is None or completed > on)


def action_columns(on: dt.date) -> list[str]:
    return ["Team", "Service", "Audit reference", "Action", "Due", f"Days overdue on {formatting.long_date(on)}"]


def overdue_actions(df: pl.DataFrame, orgs: OrgUnits, on: dt.date) -> pl.DataFrame:
    """The actions overdue on the day, longest overdue first."""
    columns = action_columns(on)
    records = []
    for r in df.to_dicts():
        if not is_overdue(r, on):
            continue
        due = _date(r.get("due_date"))
        team, service = _team_cells(orgs, r.get("team_id"), r.get("service_id"))
        cells = [
            team,
            service,
            str(r.get("audit_reference") or ""),
            (r.get("action") or "").strip() or "(no action text recorded)",
            formatting.long_date(due),
            f"{(on - due).days:,}",  # type: ignore[operator]
        ]
        records.append(((due, team, cells[2], r.get("action_number") or 0), dict(zip(columns, cells, strict=True))))
    records.sort(key=lambda t: t[0])
    return pl.DataFrame([r for _, r in records], schema={c: pl.String for c in columns})


def open_not_yet_due(df: pl.DataFrame, on: dt.date) -> int:
    """Actions open on the day that are not overdue (due on or after it, or with no due date)."""
    return sum(
        1
        for r in df.to_dicts()
        if not is_overdue(r, on) and (_date(r.get("completed_date")) is None or _date(r["completed_date"]) > on)
    )


# --- periods ----------------------------------------------------------------------------------------------------


def months_in(start: dt.date, end: dt.date) -> list[dt.date]:
    out, current = [], start.replace(day=1)
    while current <= end:
        out.append(current)
        current = formatting.shift_months(current, 1)
    return out


def in_full_units(catalogue: Catalogue, ids: Iterable[str]) -> Mapping[str, str]:
    return {i: catalogue.get(i).unit for i in ids if i in catalogue}  # type: ignore[union-attr]
