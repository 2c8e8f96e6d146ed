"""Pure helpers for the Complaints page: stages and timeliness, nature and outcome, the learning loop and the
team table, with the small-number rules applied (no Streamlit here, so it can be unit tested).

The page is read by Scrutiny and the Lead Member, so every aggregate figure goes through `app.disclosure`:
a count under 5 is "fewer than 5", a percentage built on one is suppressed, and a second figure is hidden
wherever a hidden one could be worked out by subtraction:

* across teams: team counts add up to their service and the authority (`monthly.MonthlyValues`, whose rules
  are the same for any grain, works this out per indicator and quarter);
* across a breakdown: complaints by nature add up to the stage 1 complaints received, and responses by
  outcome add up to the stage's responses (`disclosure.protect_breakdown`). A total already hidden by the
  team rules is passed in as unknown, so the breakdown cannot give it away either.

Indicator ids and the `complaints` mart: docs/contracts.md, "Workforce and complaints".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from app import disclosure, formatting
from app.indicators import Catalogue, Indicator, Quarter
from app.monthly import MonthlyValues, OrgKey, OrgUnits

Row = dict[str, Any]

STAGES = (1, 2, 3)
STAGE_NAMES = {1: "Stage 1 (local resolution)", 2: "Stage 2 (investigation)", 3: "Stage 3 (review panel)"}
RECEIVED = {n: f"complaints_stage{n}_received" for n in STAGES}
WITHIN_TIMESCALE = {n: f"complaints_stage{n}_within_timescale_pct" for n in STAGES}
UPHELD = "complaints_upheld_pct"
ESCALATED = "complaints_escalated_pct"
ACTIONS_OPEN = "complaints_learning_actions_open"
ACTIONS_OVERDUE = "complaints_learning_actions_overdue"
COMPLIMENTS = "compliments_received"
NATURE_GROUP = "complaint_nature"
NATURE_PREFIX = "complaints_nature_"
NATURE_SUFFIX = "_count"
INDICATOR_IDS = (
    *RECEIVED.values(),
    *WITHIN_TIMESCALE.values(),
    UPHELD,
    ESCALATED,
    ACTIONS_OPEN,
    ACTIONS_OVERDUE,
    COMPLIMENTS,
)
DATASET = "complaints"  # meta.loads dataset of the register
TEAM_TABLE_IDS = (
    RECEIVED[1],
    RECEIVED[2],
    WITHIN_TIMESCALE[1],
    UPHELD,
    ACTIONS_OPEN,
    ACTIONS_OVERDUE,
    COMPLIMENTS,
)

OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "withdrawn")
OUTCOME_LABELS = {
    "upheld": "Upheld",
    "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld",
    "withdrawn": "Withdrawn",
}
NOT_RECORDED = "not_recorded"
NOT_RECORDED_LABEL = "Not recorded"
TOTAL = "__total__"
WHOLE_AUTHORITY = "Whole authority"
NO_TEAM = "No team recorded"

_QUARTER_PATTERN = re.compile(r"^(\d{4})-(\d{2})[\s_+-]*Q([1-4])$", re.IGNORECASE)


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def match_quarter(raw: str | None, labels: Sequence[str]) -> str | None:
    """The label among `labels` for a quarter written "2024-25 Q3" (any case, "+", "_" or "-" between)."""
    if raw is None:
        return None
    m = _QUARTER_PATTERN.match(" ".join(str(raw).replace("+", " ").split()))
    if not m:
        return None
    wanted = f"{m.group(1)}-{m.group(2)} Q{m.group(3)}"
    return wanted if wanted in labels else None


class QuarterValues(MonthlyValues):
    """`monthly.MonthlyValues` (whose rules do not depend on the grain) for quarterly rows, plus cells hidden for a
    reason outside the team breakdown (`hide_everywhere`)."""

    def __init__(self, df: pl.DataFrame, units: Mapping[str, str], orgs: OrgUnits) -> None:
        super().__init__(df, units, orgs)
        self._forced: set[tuple[str, dt.date]] = set()

    def hide_everywhere(self, indicator_id: str, start: dt.date) -> None:
        """Hide the indicator for the period at every level (authority, services and teams)."""
        self._forced.add((indicator_id, start))

    def hidden(self, indicator_id: str, key: OrgKey, start: dt.date) -> bool:
        if (indicator_id, start) in self._forced:
            return True
        return super().hidden(indicator_id, key, start)


def la_key(values: MonthlyValues) -> OrgKey:
    return ("la", values.orgs.la_code)


def _cell(row: Row | None) -> tuple[float | None, float | None, float | None]:
    if row is None:
        return (None, None, None)
    return (row.get("value"), row.get("numerator"), row.get("denominator"))


def hidden_cell(values: MonthlyValues, indicator_id: str, key: OrgKey, start: dt.date) -> bool:
    """Whether the cell is hidden: its own small numbers, or the team rules."""
    row = values.row(indicator_id, key, start)
    if row is None:
        return False
    return values.hidden(indicator_id, key, start) or disclosure.is_hidden(values.unit(indicator_id), *_cell(row))


# --- tiles --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | None
    delta_color: str
    change_withheld: bool
    target: str  # "Target 80.0%" or ""
    rag: str | None  # the status, when there is a target and the value is shown
    rag_hidden: bool  # the status is withheld because the value is hidden


def tile(ind: Indicator, values: MonthlyValues, quarter: Quarter, label: str) -> Tile:
    """A headline for the authority: its value, the change since the quarter before (withheld when either side
    is hidden: a change beside a hidden figure gives it away) and its target and status."""
    key = la_key(values)
    row = values.row(ind.indicator_id, key, quarter.start)
    before = values.row(ind.indicator_id, key, quarter.previous_start)
    hidden_now = hidden_cell(values, ind.indicator_id, key, quarter.start)
    hidden_before = hidden_cell(values, ind.indicator_id, key, quarter.previous_start)
    text = values.text(ind.indicator_id, key, quarter.start) if row is not None else formatting.NOT_AVAILABLE
    delta, withheld = None, False
    if row is not None and before is not None:
        if hidden_now or hidden_before:
            withheld = True
        elif not _missing(row.get("value")) and not _missing(before.get("value")):
            delta = formatting.signed_by_unit(ind.unit, row["value"] - before["value"])
    target_value = row.get("target") if row is not None and not _missing(row.get("target")) else ind.target
    target = f"Target {formatting.by_unit(ind.unit, target_value)}" if not _missing(target_value) else ""
    has_status = row is not None and bool(target)
    rag = row.get("rag") if has_status and not hidden_now else None
    return Tile(label, text, delta, ind.delta_color, withheld, target, rag, has_status and hidden_now)


# --- stages and timeliness ----------------------------------------------------------------------------------


def _count_change(values: MonthlyValues, indicator_id: str, key: OrgKey, now: dt.date, before: dt.date) -> str:
    a, b = values.row(indicator_id, key, now), values.row(indicator_id, key, before)
    if a is None or b is None:
        return formatting.NOT_AVAILABLE
    return disclosure.count_change_text(
        a.get("value"),
        b.get("value"),
        hidden=(hidden_cell(values, indicator_id, key, now), hidden_cell(values, indicator_id, key, before)),
    )


def _points_change(values: MonthlyValues, indicator_id: str, key: OrgKey, now: dt.date, before: dt.date) -> str:
    a, b = values.row(indicator_id, key, now), values.row(indicator_id, key, before)
    if a is None or b is None:
        return formatting.NOT_AVAILABLE
    return disclosure.points_change_text(
        _cell(a),
        _cell(b),
        hidden=(hidden_cell(values, indicator_id, key, now), hidden_cell(values, indicator_id, key, before)),
    )


def _text(values: MonthlyValues, indicator_id: str, key: OrgKey, start: dt.date) -> str:
    if values.row(indicator_id, key, start) is None:
        return formatting.NOT_AVAILABLE
    return values.text(indicator_id, key, start)


def stage_columns(quarter: Quarter) -> list[str]:
    q, prev, yago = quarter.label, quarter.previous_label, quarter.year_ago_label
    return [
        "Stage",
        f"Received, {q}",
        f"Received, {prev}",
        f"Received: change since {prev}",
        f"Received, {yago}",
        f"Received: change since {yago}",
        f"Within timescale, {q}",
        f"Within timescale, {prev}",
        f"Within timescale: change since {prev}",
        f"Within timescale, {yago}",
        f"Within timescale: change since {yago}",
        "Within timescale against target",
    ]


def stage_table(catalogue: Catalogue, values: MonthlyValues, quarter: Quarter) -> pl.DataFrame:
    """A row per stage: complaints received (stages started) and the share of responses within timescale, in
    the quarter, the quarter before and the same quarter a year before, as they may be shown."""
    key = la_key(values)
    q, prev, yago = quarter.start, quarter.previous_start, quarter.year_ago_start
    columns = stage_columns(quarter)
    out = []
    for stage in STAGES:
        received, timely = RECEIVED[stage], WITHIN_TIMESCALE[stage]
        if received not in catalogue and timely not in catalogue:
            continue
        row = values.row(timely, key, q)
        rag = ""
        if row is not None and not _missing(row.get("target")):
            rag = disclosure.rag_text(row.get("rag"), hidden_cell(values, timely, key, q))
        cells = [
            STAGE_NAMES[stage],
            _text(values, received, key, q),
            _text(values, received, key, prev),
            _count_change(values, received, key, q, prev),
            _text(values, received, key, yago),
            _count_change(values, received, key, q, yago),
            _text(values, timely, key, q),
            _text(values, timely, key, prev),
            _points_change(values, timely, key, q, prev),
            _text(values, timely, key, yago),
            _points_change(values, timely, key, q, yago),
            rag,
        ]
        out.append(dict(zip(columns, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


def timeliness_frame(values: MonthlyValues, quarter: Quarter) -> pl.DataFrame:
    """Share of responses within timescale per stage, for the three quarters: hidden cells are null."""
    key = la_key(values)
    periods = [
        (quarter.year_ago_label, quarter.year_ago_start, 0),
        (quarter.previous_label, quarter.previous_start, 1),
        (quarter.label, quarter.start, 2),
    ]
    out = []
    for stage in STAGES:
        indicator_id = WITHIN_TIMESCALE[stage]
        for label, start, order in periods:
            row = values.row(indicator_id, key, start)
            if row is None:
                continue
            hidden = hidden_cell(values, indicator_id, key, start)
            value = row.get("value")
            out.append(
                {
                    "label": STAGE_NAMES[stage],
                    "label_order": stage,
                    "period": label,
                    "period_order": order,
                    "value": None if hidden or _missing(value) else float(value),
                    "value_text": values.text(indicator_id, key, start),
                }
            )
    return pl.DataFrame(
        out,
        schema={
            "label": pl.String,
            "label_order": pl.Int64,
            "period": pl.String,
            "period_order": pl.Int64,
            "value": pl.Float64,
            "value_text": pl.String,
        },
    )


# --- nature -------------------------------------------------------------------------------------------------


def nature_items(catalogue: Catalogue) -> list[tuple[Indicator, str]]:
    """(indicator, label) of each `complaints_nature_<code>_count`, in catalogue order."""
    out = []
    for ind in catalogue.group(NATURE_GROUP):
        code = ind.indicator_id
        if code.startswith(NATURE_PREFIX):
            code = code[len(NATURE_PREFIX) :]
        if code.endswith(NATURE_SUFFIX):
            code = code[: -len(NATURE_SUFFIX)]
        label = ind.breakdown_label or code.replace("_", " ").capitalize()
        out.append((ind, label))
    return out


@dataclass
class Breakdown:
    """Counts that add up to a total, with the cells to hide worked out."""

    counts: dict[str, float | None]
    labels: dict[str, str]
    hidden: set[str]

    def count_text(self, key: str) -> str:
        return disclosure.masked_count_text(self.counts.get(key), key in self.hidden)

    def visible(self, key: str) -> float | None:
        n = self.counts.get(key)
        if _missing(n) or key in self.hidden or disclosure.is_small(n):
            return None
        return float(n)  # type: ignore[arg-type]

    def share_text(self, key: str, total_key: str = TOTAL) -> str:
        n, total = self.counts.get(key), self.counts.get(total_key)
        share = None if _missing(n) or _missing(total) or not total else float(n) / float(total) * 100
        hidden = key in self.hidden or total_key in self.hidden
        return disclosure.masked_percent_text(share, n, total, hidden)

    @property
    def parts(self) -> list[str]:
        return [k for k in self.labels if k != TOTAL]


def protect(
    parts: Mapping[str, float | None], total: float | None, *, total_hidden: bool = False, rest_label: str = ""
) -> tuple[dict[str, float | None], set[str]]:
    """Counts (parts, a "not recorded" rest when the parts fall short of the total, and the total) and the keys
    to hide. A total hidden elsewhere goes in as unknown, so no breakdown can reveal it."""
    counts: dict[str, float | None] = dict(parts)
    known = [v for v in parts.values() if not _missing(v)]
    if rest_label and not _missing(total) and len(known) == len(parts):
        rest = float(total) - sum(known)  # type: ignore[arg-type]
        if rest >= 0.5:
            counts[NOT_RECORDED] = rest
    exact = not _missing(total) and len(known) == len(parts) and float(total) >= sum(known)  # type: ignore[arg-type]
    counts[TOTAL] = None if total_hidden else total
    constraints = [(TOTAL, [k for k in counts if k != TOTAL])] if exact or total_hidden else []
    hidden = disclosure.protect_breakdown(counts, constraints)
    counts[TOTAL] = total
    if total_hidden:
        hidden.add(TOTAL)
    return counts, hidden


def natures(catalogue: Catalogue, values: MonthlyValues, start: dt.date) -> Breakdown | None:
    """Stage 1 complaints received in the quarter by nature (authority), protected against the stage 1 total;
    None when the quarter has no nature figures."""
    key = la_key(values)
    items = nature_items(catalogue)
    rows = {ind.indicator_id: values.row(ind.indicator_id, key, start) for ind, _ in items}
    if all(r is None for r in rows.values()):
        return None
    parts = {
        ind.indicator_id: (rows[ind.indicator_id] or {}).get("value") for ind, _ in items if rows[ind.indicator_id]
    }
    total_row = values.row(RECEIVED[1], key, start)
    total = total_row.get("value") if total_row is not None else None
    counts, hidden = protect(
        parts,
        total,
        total_hidden=total_row is not None and hidden_cell(values, RECEIVED[1], key, start),
        rest_label=NOT_RECORDED_LABEL,
    )
    labels = {ind.indicator_id: label for ind, label in items if ind.indicator_id in parts}
    if NOT_RECORDED in counts:
        labels[NOT_RECORDED] = NOT_RECORDED_LABEL
    labels[TOTAL] = "All stage 1 complaints received"
    return Breakdown(counts, labels, hidden)


def nature_table(breakdown: Breakdown, quarter: Quarter) -> pl.DataFrame:
    columns = ["Nature of complaint", f"Stage 1 complaints received, {quarter.label}", "Share"]
    out = [
        dict(zip(columns, [breakdown.labels[k], breakdown.count_text(k), breakdown.share_text(k)], strict=True))
        for k in [*breakdown.parts, TOTAL]
        if k != TOTAL or not _missing(breakdown.counts.get(TOTAL))
    ]
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


def nature_frame(breakdown: Breakdown) -> pl.DataFrame:
    """Bars by nature, largest first among those shown; hidden cells are null (not drawn)."""
    keys = sorted(breakdown.parts, key=lambda k: (-(breakdown.visible(k) or -1), breakdown.labels[k]))
    out = [
        {
            "label": breakdown.labels[k],
            "label_order": order,
            "value": breakdown.visible(k),
            "value_text": breakdown.count_text(k),
        }
        for order, k in enumerate(keys)
    ]
    return pl.DataFrame(
        out, schema={"label": pl.String, "label_order": pl.Int64, "value": pl.Float64, "value_text": pl.String}
    )


# --- outcomes -----------------------------------------------------------------------------------------------


def outcomes(df: pl.DataFrame) -> dict[int, Breakdown]:
    """Responses in the period by stage and outcome (from `data.complaint_outcomes`), protected per stage: a
    stage with any outcome of 1 to 4 hides all its outcomes (its number of responses stays)."""
    out: dict[int, Breakdown] = {}
    for stage in STAGES:
        part = [r for r in df.to_dicts() if r["stage"] == stage]
        if not part:
            continue
        parts: dict[str, float | None] = {o: 0.0 for o in OUTCOMES}
        for r in part:
            key = r["outcome"] if r["outcome"] in OUTCOME_LABELS else NOT_RECORDED
            parts[key] = (parts.get(key) or 0.0) + float(r["responses"])
        total = sum(v or 0.0 for v in parts.values())
        counts, hidden = protect(parts, total)
        if hidden - {TOTAL}:
            # The headline shares (upheld, within timescale, taken on to stage 2) are built on these same
            # responses; with one outcome shown beside them they could give a hidden one away. The headlines matter
            # more than the breakdown, so a stage with any small outcome shows its responses and no outcome.
            hidden |= {k for k in counts if k != TOTAL}
        labels = {o: OUTCOME_LABELS[o] for o in OUTCOMES}
        if NOT_RECORDED in parts:
            labels[NOT_RECORDED] = NOT_RECORDED_LABEL
        labels[TOTAL] = "All responses"
        out[stage] = Breakdown(counts, labels, hidden)
    return out


def outcome_table(by_stage: Mapping[int, Breakdown]) -> pl.DataFrame:
    """A row per stage: responses, then each outcome's count and share of the stage's responses."""
    labels = [OUTCOME_LABELS[o] for o in OUTCOMES]
    extra = any(NOT_RECORDED in b.counts for b in by_stage.values())
    keys = [*OUTCOMES, *([NOT_RECORDED] if extra else [])]
    columns = ["Stage", "Responses"]
    for label in [*labels, *([NOT_RECORDED_LABEL] if extra else [])]:
        columns += [label, f"{label} (share)"]
    out = []
    for stage, b in sorted(by_stage.items()):
        cells = [STAGE_NAMES[stage], b.count_text(TOTAL)]
        for k in keys:
            if k in b.counts:
                cells += [b.count_text(k), b.share_text(k)]
            else:
                cells += ["", ""]
        out.append(dict(zip(columns, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


def outcome_frame(by_stage: Mapping[int, Breakdown]) -> pl.DataFrame:
    """Stacked bars of responses by outcome per stage; hidden cells are null, so a hidden cell and the second
    one hidden with it leave a gap that cannot be split between them."""
    out = []
    for stage, b in sorted(by_stage.items()):
        for order, k in enumerate(b.parts):
            out.append(
                {
                    "label": STAGE_NAMES[stage],
                    "label_order": stage,
                    "category": b.labels[k],
                    "category_order": order,
                    "value": b.visible(k),
                    "value_text": b.count_text(k),
                    "total_text": b.count_text(TOTAL),
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


# --- the learning loop --------------------------------------------------------------------------------------

OVERDUE, OPEN, OPEN_NO_DATE, COMPLETED = "Overdue", "Open", "Open (no due date)", "Completed"
FILTERS = {
    "Open, including overdue": (OVERDUE, OPEN, OPEN_NO_DATE),
    "Overdue only": (OVERDUE,),
    "Completed": (COMPLETED,),
    "All": (OVERDUE, OPEN, OPEN_NO_DATE, COMPLETED),
}
FILTER_SLUGS = {"Open, including overdue": "open", "Overdue only": "overdue", "Completed": "completed", "All": "all"}
DEFAULT_FILTER = "Open, including overdue"
STATUS_ORDER = {OVERDUE: 0, OPEN: 1, OPEN_NO_DATE: 2, COMPLETED: 3}


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def action_status(row: Row, as_at: dt.date | None) -> str:
    """Completed, else overdue (open with a due date before the register's as-at date), else open."""
    status = (row.get("learning_action_status") or "").strip().lower()
    if status == "completed" or _date(row.get("learning_action_completed_date")) is not None:
        return COMPLETED
    due = _date(row.get("learning_action_due_date"))
    if due is None:
        return OPEN_NO_DATE
    if as_at is not None and due < as_at:
        return OVERDUE
    return OPEN


def learning_columns(as_at: dt.date | None) -> list[str]:
    return [
        "Status",
        "Due",
        f"Days overdue on {formatting.long_date(as_at)}" if as_at else "Days overdue",
        "Completed",
        "Team",
        "Service",
        "Nature",
        "Outcome",
        "Learning action",
    ]


def learning_table(df: pl.DataFrame, orgs: OrgUnits, choice: str, as_at: dt.date | None) -> pl.DataFrame:
    """The learning actions with the chosen statuses, overdue first, then by due date."""
    wanted = FILTERS.get(choice, FILTERS[DEFAULT_FILTER])
    columns = learning_columns(as_at)
    records = []
    for r in df.to_dicts():
        row_as_at = _date(r.get("as_at_date")) or as_at
        status = action_status(r, row_as_at)
        if status not in wanted:
            continue
        due = _date(r.get("learning_action_due_date"))
        team_id = r.get("team_id")
        team = orgs.team(team_id) if team_id else None
        service = (
            orgs.service_names.get(r.get("service_id") or "", team.service_name if team else "")
            if (r.get("service_id") or team)
            else ""
        )
        nature = r.get("nature")
        outcome = r.get("outcome")
        cells = [
            status,
            formatting.long_date(due) if due else "no due date",
            f"{(row_as_at - due).days:,}" if status == OVERDUE and due and row_as_at else "",
            formatting.long_date(_date(r.get("learning_action_completed_date")))
            if _date(r.get("learning_action_completed_date"))
            else "",
            team.name if team else NO_TEAM,
            service,
            nature.replace("_", " ").capitalize() if nature else "",
            OUTCOME_LABELS.get(outcome or "", outcome or ""),
            (r.get("learning_action") or "").strip() or "(no action text recorded)",
        ]
        records.append((STATUS_ORDER[status], due or dt.date.max, dict(zip(columns, cells, strict=True))))
    records.sort(key=lambda t: (t[0], t[1]))
    return pl.DataFrame([r for *_, r in records], schema={c: pl.String for c in columns})


def learning_counts(df: pl.DataFrame, as_at: dt.date | None) -> dict[str, int]:
    out = dict.fromkeys(STATUS_ORDER, 0)
    for r in df.to_dicts():
        out[action_status(r, _date(r.get("as_at_date")) or as_at)] += 1
    return out


# --- by team ------------------------------------------------------------------------------------------------


def team_table(indicators: Sequence[Indicator], values: MonthlyValues, start: dt.date) -> pl.DataFrame:
    """The authority, each service and each team in the quarter; a column per measure, as it may be shown."""
    orgs = values.orgs
    labels: dict[str, str] = {}
    for ind in indicators:
        label = ind.short_name if ind.short_name not in labels.values() else ind.name
        labels[ind.indicator_id] = label
    columns = ["Service", "Team", *labels.values()]
    keys: list[tuple[str, OrgKey, str]] = [("", la_key(values), WHOLE_AUTHORITY)]
    for service_id, service_name, teams in orgs.groups(values.team_ids([start])):
        if not teams:
            continue
        if service_id is not None:
            keys.append((service_name, ("service", service_id), orgs.service_label(service_id)))
        keys += [(service_name, ("team", t.org_id), t.name) for t in teams]
    out = []
    for service, key, label in keys:
        cells = [
            values.text(ind.indicator_id, key, start) if values.row(ind.indicator_id, key, start) else ""
            for ind in indicators
        ]
        if key[0] != "la" and not any(cells):
            continue
        out.append(dict(zip(columns, [service, label, *cells], strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in columns})
