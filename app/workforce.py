"""Pure helpers for the Workforce page: the measures, their text, the team table, trends, vacancy and agency
pressure, and caseloads against a ceiling (no Streamlit here, so it can be unit tested).

Workforce figures are about staff, not children, so the small-number rules in `app.disclosure` (which protect
children) do not apply: figures are shown as they are. Workers are never named or identified: the caseload
section reads counts per team from `app.data.caseloads`, never a worker's row or pseudonym.

The measures are the workforce indicators of docs/contracts.md ("Workforce and complaints"), at `la`, `service`
and `team` level, month by month. Published comparators come from the Children's Social Work Workforce census
(CSWW), which is taken on 30 September: `benchmark_year` on a month row names the census year, so the figures
shown for a month are those of the latest census on or before the month's end.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from app import formatting
from app.indicators import RAG_TEXT, Indicator
from app.monthly import RAG_EMOJI, MonthlyValues, OrgKey, month_label

Row = dict[str, Any]

FTE_IN_POST = "wf_sw_fte_in_post"
VACANCY = "wf_vacancy_rate_pct"
AGENCY = "wf_agency_rate_pct"
TURNOVER = "wf_turnover_rate_pct"
STARTERS = "wf_starters_fte"
LEAVERS = "wf_leavers_fte"
DAYS_LOST = "wf_days_lost_per_fte"
CASELOAD = "wf_caseload_per_case_holder"
INDICATOR_IDS = (FTE_IN_POST, VACANCY, AGENCY, TURNOVER, STARTERS, LEAVERS, DAYS_LOST, CASELOAD)
TILE_LABELS = {
    FTE_IN_POST: "Social workers in post (FTE)",
    VACANCY: "Vacancy rate",
    AGENCY: "Agency rate",
    TURNOVER: "Turnover (rolling 12 months)",
    STARTERS: "Starters (FTE)",
    LEAVERS: "Leavers (FTE)",
    DAYS_LOST: "Sickness: days lost per FTE (12 months)",
    CASELOAD: "Average caseload (cases per FTE)",
}
DATASETS = ("hr", "csww")  # meta.loads datasets behind the page (monthly HR extract, CSWW census)

# The caseload ceiling's default: the server's CSQA_CASELOAD_CEILING if it is a number above 0, else this.
CEILING_ENV_VAR = "CSQA_CASELOAD_CEILING"
DEFAULT_CASELOAD_CEILING = 18.0
MAX_CEILING = 100.0

WHOLE_AUTHORITY = "Whole authority"
# The total row for an account scoped to a service or team: its own teams, never named as the authority.
TEAMS_SHOWN = "All teams shown"
NO_TEAM = "No team recorded"
CENSUS_MONTH, CENSUS_DAY = 9, 30


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def default_ceiling(environ: Mapping[str, str] | None = None) -> float:
    """The caseload ceiling the page starts with: `CSQA_CASELOAD_CEILING`, else DEFAULT_CASELOAD_CEILING."""
    env = os.environ if environ is None else environ
    raw = env.get(CEILING_ENV_VAR, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_CASELOAD_CEILING
    if math.isnan(value) or not 0 < value <= MAX_CEILING:
        return DEFAULT_CASELOAD_CEILING
    return value


def value_text(unit: str, value: float | None) -> str:
    """A workforce figure as shown (staff figures: not suppressed)."""
    return formatting.by_unit(unit, value)


def cell_text(ind: Indicator, row: Row | None, *, rag: bool = True) -> str:
    """A table cell: the value, with its RAG as an emoji when it has one."""
    if row is None:
        return ""
    text = value_text(ind.unit, row.get("value"))
    emoji = RAG_EMOJI.get(row.get("rag") or "", "") if rag else ""
    return f"{emoji} {text}" if emoji else text


# --- tiles ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | None
    delta_color: str
    target: str  # "Target 10.0%" or ""
    rag: str | None
    year_ago: str  # "Dec 2023: 14.0% (↓ better)" or ""
    comparators: str


DIRECTION_WORDS = {"better": "better", "worse": "worse", "same": "no change", "up": "up", "down": "down"}


def direction_text(direction: str | None, now: float | None, before: float | None) -> str:
    word = DIRECTION_WORDS.get((direction or "").strip().lower())
    if word is None:
        return ""
    if word == "no change" or _missing(now) or _missing(before) or now == before:
        return word
    return f"{'↑' if now > before else '↓'} {word}"


def census_date(benchmark_year: Any) -> dt.date | None:
    """30 September of the CSWW census year named by `benchmark_year` (DfE `time_period`)."""
    if _missing(benchmark_year):
        return None
    return dt.date(int(benchmark_year), CENSUS_MONTH, CENSUS_DAY)


def comparator_text(unit: str, row: Row | None, period_end: dt.date) -> str:
    """England, the region and statistical neighbours from the latest census on or before the period's end.

    A census after the period's end is never set beside it ("no census by this month yet")."""
    if row is None:
        return ""
    england, region, neighbours = row.get("england_value"), row.get("region_value"), row.get("sn_value")
    if all(_missing(v) for v in (england, region, neighbours)):
        return "No published comparator."
    census = census_date(row.get("benchmark_year"))
    if census is not None and census > period_end:
        return "Published comparators: no census by this month yet."
    parts = []
    if not _missing(england):
        parts.append(f"England {value_text(unit, england)}")
    if not _missing(region):
        parts.append(f"{row.get('region_name') or 'Region'} {value_text(unit, region)}")
    if not _missing(neighbours):
        n = row.get("sn_count")
        parts.append(f"statistical neighbours {value_text(unit, neighbours)}" + (f" (average of {n})" if n else ""))
    when = f"CSWW census, {formatting.long_date(census)}" if census else "published figures (year not recorded)"
    return f"{' · '.join(parts)}. {when}."


def tile(ind: Indicator, row: Row | None, label: str, period_end: dt.date, previous_label: str, year_ago_label: str):
    """Everything a headline tile shows for one measure in the chosen month."""
    if row is None:
        return Tile(label, formatting.NOT_AVAILABLE, None, "off", "", None, "", "")
    now, before, year_ago = row.get("value"), row.get("previous_value"), row.get("year_ago_value")
    delta = None if _missing(now) or _missing(before) else formatting.signed_by_unit(ind.unit, now - before)
    target = row.get("target")
    if _missing(target):
        target = ind.target
    year_ago_text = ""
    if not _missing(year_ago):
        direction = direction_text(row.get("direction_year_ago"), now, year_ago)
        year_ago_text = f"{year_ago_label}: {value_text(ind.unit, year_ago)}" + (f" ({direction})" if direction else "")
    return Tile(
        label=label,
        value=value_text(ind.unit, now),
        delta=delta,
        delta_color=ind.delta_color,
        target=f"Target {value_text(ind.unit, target)}" if not _missing(target) else "",
        rag=row.get("rag") if row.get("rag") in RAG_TEXT else None,
        year_ago=year_ago_text,
        comparators=comparator_text(ind.unit, row, period_end),
    )


# --- the team table -----------------------------------------------------------------------------------------


def org_rows(values: MonthlyValues, starts: Sequence[dt.date]) -> list[tuple[str, OrgKey, str]]:
    """(service name, org key, row label) in page order: the authority, then each service and its teams."""
    orgs = values.orgs
    rows: list[tuple[str, OrgKey, str]] = [("", ("la", orgs.la_code), WHOLE_AUTHORITY)]
    for service_id, service_name, teams in orgs.groups(values.team_ids(starts)):
        if not teams:
            continue
        if service_id is not None:
            rows.append((service_name, ("service", service_id), orgs.service_label(service_id)))
        rows += [(service_name, ("team", t.org_id), t.name) for t in teams]
    return rows


def short_labels(indicators: Sequence[Indicator]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ind in indicators:
        label = ind.short_name
        if label in out.values():
            label = ind.name if ind.name not in out.values() else ind.indicator_id
        out[ind.indicator_id] = label
    return out


def team_table(indicators: Sequence[Indicator], values: MonthlyValues, start: dt.date) -> pl.DataFrame:
    """One row for the authority, each service and each team in the month; a column per measure."""
    labels = short_labels(indicators)
    columns = ["Service", "Team", *labels.values()]
    out = []
    for service, key, label in org_rows(values, [start]):
        cells = [cell_text(ind, values.row(ind.indicator_id, key, start)) for ind in indicators]
        if key[0] != "la" and not any(cells):
            continue
        out.append(dict(zip(columns, [service, label, *cells], strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


# --- trends -------------------------------------------------------------------------------------------------

TREND_SCHEMA = {
    "series": pl.String,
    "series_order": pl.Int64,
    "month": pl.String,
    "month_start": pl.String,
    "value": pl.Float64,
    "value_text": pl.String,
}
RATIO_LIKE = ("percent", "ratio", "rate_per_10k")


def trend_series(ind: Indicator, values: MonthlyValues, starts: Sequence[dt.date], team_id: str | None):
    """(label, org key) of each line: every team (or the chosen team), and for rates and ratios the authority
    (an authority's FTE dwarfs a team's, so FTE measures show teams only unless a team is chosen)."""
    orgs = values.orgs
    if team_id is not None:
        out = [(orgs.team(team_id).name, ("team", team_id))]
    else:
        out = [(orgs.team(t).name, ("team", t)) for t in values.team_ids(starts)]
        out = [(name, key) for name, key in out if any(values.row(ind.indicator_id, key, s) for s in starts)]
    if ind.unit in RATIO_LIKE or (team_id is None and not out):
        out.append((f"{orgs.la_name} ({WHOLE_AUTHORITY.lower()})", ("la", orgs.la_code)))
    return out


def trend_frame(ind: Indicator, values: MonthlyValues, starts: Sequence[dt.date], team_id: str | None):
    """The lines for one measure, month by month, plus its target where it has one."""
    out = []
    series = trend_series(ind, values, starts, team_id)
    for order, (name, key) in enumerate(series):
        for start in starts:
            row = values.row(ind.indicator_id, key, start)
            if row is None:
                continue
            value = row.get("value")
            out.append(
                {
                    "series": name,
                    "series_order": order,
                    "month": month_label(start),
                    "month_start": start.isoformat(),
                    "value": None if _missing(value) else float(value),
                    "value_text": value_text(ind.unit, value),
                }
            )
    target = trend_target(ind, values, starts, series)
    if target is not None:
        for start in starts:
            out.append(
                {
                    "series": "Target",
                    "series_order": len(series),
                    "month": month_label(start),
                    "month_start": start.isoformat(),
                    "value": target,
                    "value_text": value_text(ind.unit, target),
                }
            )
    return pl.DataFrame(out, schema=TREND_SCHEMA)


def trend_target(ind: Indicator, values: MonthlyValues, starts: Sequence[dt.date], series) -> float | None:
    """The latest month's target on any shown line, else the catalogue's."""
    for start in reversed(list(starts)):
        for _, key in series:
            row = values.row(ind.indicator_id, key, start)
            if row is not None and not _missing(row.get("target")):
                return float(row["target"])
    return ind.target if ind.has_target else None


def trend_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The figures behind the trend chart: a row per month, a column per line."""
    if frame.is_empty():
        return pl.DataFrame()
    series = frame.sort("series_order")["series"].unique(maintain_order=True).to_list()
    months = frame.sort("month_start")["month"].unique(maintain_order=True).to_list()
    texts = {(r["month"], r["series"]): r["value_text"] for r in frame.to_dicts()}
    rows = [{"Month": m, **{s: texts.get((m, s), "") for s in series}} for m in months]
    return pl.DataFrame(rows, schema={c: pl.String for c in ["Month", *series]})


# --- vacancy and agency pressure ----------------------------------------------------------------------------

PRESSURE_PARTS = ((VACANCY, "Vacancy rate"), (AGENCY, "Agency rate"))


def pressure_rows(values: MonthlyValues, start: dt.date) -> list[dict[str, Any]]:
    """Teams with a vacancy or agency rate in the month, highest combined pressure first."""
    out = []
    for team_id in values.team_ids([start]):
        rates = {}
        for indicator_id, _ in PRESSURE_PARTS:
            row = values.row(indicator_id, ("team", team_id), start)
            rates[indicator_id] = None if row is None or _missing(row.get("value")) else float(row["value"])
        if all(v is None for v in rates.values()):
            continue
        team = values.orgs.team(team_id)
        out.append(
            {
                "team_id": team_id,
                "team": team.name,
                "service": team.service_name,
                "vacancy": rates[VACANCY],
                "agency": rates[AGENCY],
                "combined": sum(v for v in rates.values() if v is not None),
            }
        )
    return sorted(out, key=lambda r: (-r["combined"], r["team"]))


def pressure_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Long frame for a ranked stacked bar: label, label_order, category, category_order, value, value_text."""
    out = []
    for rank, r in enumerate(rows):
        for order, (indicator_id, name) in enumerate(PRESSURE_PARTS):
            value = r["vacancy"] if indicator_id == VACANCY else r["agency"]
            out.append(
                {
                    "label": r["team"],
                    "label_order": rank,
                    "category": name,
                    "category_order": order,
                    "value": value,
                    "value_text": formatting.percent(value),
                    "total_text": formatting.number(r["combined"]),
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


def pressure_table(rows: list[dict[str, Any]]) -> pl.DataFrame:
    columns = ["Rank", "Team", "Service", "Vacancy rate", "Agency rate", "Vacancy plus agency (percentage points)"]
    out = [
        dict(
            zip(
                columns,
                [
                    str(rank),
                    r["team"],
                    r["service"],
                    formatting.percent(r["vacancy"]),
                    formatting.percent(r["agency"]),
                    formatting.number(r["combined"]),
                ],
                strict=True,
            )
        )
        for rank, r in enumerate(rows, start=1)
    ]
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


# --- caseloads against a ceiling ------------------------------------------------------------------------------


def caseload_lines(
    counts: pl.DataFrame, values: MonthlyValues, start: dt.date
) -> list[tuple[str, str, OrgKey | None, float | None, int, int]]:
    """(service, team label, org key, average caseload, case holders, above the ceiling) per team, then the
    authority. The average is the team's `wf_caseload_per_case_holder` for the month, else worked out from the
    worker counts (cases / FTE of case holders)."""
    orgs = values.orgs
    by_team = {r["team_id"]: r for r in counts.to_dicts()}
    known = [t for t in orgs.teams if t in by_team]
    unknown = sorted(t for t in by_team if t is not None and t not in orgs.teams)
    out = []
    for team_id in known + unknown:
        r = by_team[team_id]
        team = orgs.team(team_id)
        out.append(
            (team.service_name, team.name, ("team", team_id), _average(values, ("team", team_id), start, r),
             int(r["case_holders"] or 0), int(r["above_ceiling"] or 0))
        )  # fmt: skip
    if None in by_team:
        r = by_team[None]
        out.append(("", NO_TEAM, None, _ratio(r), int(r["case_holders"] or 0), int(r["above_ceiling"] or 0)))
    if by_team:
        total = {
            "cases_held": sum(r["cases_held"] or 0 for r in by_team.values()),
            "case_holder_fte": sum(r["case_holder_fte"] or 0 for r in by_team.values()),
        }
        # Without the authority's own row (a service or team account's scope leaves it out), the total is of the
        # teams shown, and says so.
        whole = values.row(CASELOAD, ("la", orgs.la_code), start) is not None
        out.append(
            ("", WHOLE_AUTHORITY if whole else TEAMS_SHOWN, ("la", orgs.la_code),
             _average(values, ("la", orgs.la_code), start, total),
             sum(int(r["case_holders"] or 0) for r in by_team.values()),
             sum(int(r["above_ceiling"] or 0) for r in by_team.values()))
        )  # fmt: skip
    return out


def _ratio(r: Mapping[str, Any]) -> float | None:
    fte, cases = r.get("case_holder_fte"), r.get("cases_held")
    if _missing(fte) or _missing(cases) or not fte:
        return None
    return float(cases) / float(fte)


def _average(values: MonthlyValues, key: OrgKey, start: dt.date, counts: Mapping[str, Any]) -> float | None:
    row = values.row(CASELOAD, key, start)
    if row is not None and not _missing(row.get("value")):
        return float(row["value"])
    return _ratio(counts)


def against(average: float | None, ceiling: float) -> str:
    if average is None:
        return formatting.NOT_AVAILABLE
    if round(average, 1) > ceiling:
        return f"above by {formatting.ratio(average - ceiling)}"
    return "at or below"


def caseload_table(lines, ceiling: float) -> pl.DataFrame:
    """The caseload section's table: average against the ceiling, case holders and how many are above it."""
    ceiling_text = formatting.ratio(ceiling)
    columns = [
        "Service",
        "Team",
        "Average caseload (cases per FTE)",
        f"Against the ceiling of {ceiling_text}",
        "Case-holding social workers",
        f"Workers above {ceiling_text} cases per FTE",
    ]
    out = []
    for service, team, _, average, holders, above in lines:
        out.append(
            dict(
                zip(
                    columns,
                    [service, team, formatting.ratio(average), against(average, ceiling), f"{holders:,}",
                     f"{above:,}"],
                    strict=True,
                )
            )
        )  # fmt: skip
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


def caseload_frame(lines, ceiling: float) -> pl.DataFrame:
    """Bars of each team's average caseload (not the authority's): label, label_order, value, value_text,
    above_text, status."""
    out = []
    for order, (service, team, key, average, holders, above) in enumerate(lines):
        if key is not None and key[0] == "la":
            continue
        out.append(
            {
                "label": team,
                "label_order": order,
                "service": service,
                "value": average,
                "value_text": formatting.ratio(average),
                "above_text": f"{above:,} of {holders:,}",
                "status": "Above the ceiling" if average is not None and round(average, 1) > ceiling else
                "At or below the ceiling",
            }
        )  # fmt: skip
    return pl.DataFrame(
        out,
        schema={
            "label": pl.String,
            "label_order": pl.Int64,
            "service": pl.String,
            "value": pl.Float64,
            "value_text": pl.String,
            "above_text": pl.String,
            "status": pl.String,
        },
    )


# The census section: each measure, its column in csww_census_indicators, and how it is written.
CENSUS_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("Social workers in post (FTE)", "inpost_fte", "fte"),
    ("Turnover", "turnover_rate_fte", "percent"),
    ("Agency rate", "agency_rate_fte", "percent"),
    ("Vacancy rate", "vacancy_rate_fte", "percent"),
    ("Cases per case holder (FTE)", "caseload_fte", "ratio"),
    ("Days lost to sickness per FTE", "working_days_lost_per_fte", "ratio"),
)


def census_table(census: pl.DataFrame) -> pl.DataFrame:
    """One row per census measure and year: the return's figure, DfE's published figure for the authority (a
    check that the return was read as DfE read it) and England's. Published figures exist up to the latest
    release; later censuses show only the return's own figure."""
    rows = []
    for record in census.to_dicts():
        for label, column, unit in CENSUS_MEASURES:
            rows.append({
                "Census": formatting.long_date(record["reference_date"]),
                "Measure": label,
                "This return": formatting.by_unit(unit, record.get(column)),
                "Published for the authority": formatting.by_unit(unit, record.get(f"published_{column}"))
                if f"published_{column}" in record else "",
                "England": formatting.by_unit(unit, record.get(f"england_{column}"))
                if f"england_{column}" in record else "",
            })
    return pl.DataFrame(rows, schema={k: pl.String for k in (
        "Census", "Measure", "This return", "Published for the authority", "England")})
