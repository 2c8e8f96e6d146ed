"""Pure helpers for the CSCMT monthly page: months, teams, suppression across the team breakdown, the tables
and the charts (no Streamlit here, so it can be unit tested).

Every number passes through `app.disclosure`. Team counts add up to their service and to the authority, so
a small count hidden in one team could be worked out by subtraction: for each count indicator and month the
authority, service and team cells are treated as a breakdown and `disclosure.protect_breakdown` hides a
second cell where needed. A percentage or rate is hidden when its own numerator or denominator is small.
Whatever is worked out from a hidden cell goes with it: its RAG status and its direction of travel.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

from app import disclosure, formatting
from app.data import plain_types
from app.indicators import RAG_TEXT, Indicator

Row = dict[str, Any]
OrgKey = tuple[str, str]  # (org_level, org_id)

RAG_EMOJI = {"green": "🟢", "amber": "🟠", "red": "🔴"}
DIRECTION_WORDS = {"better": "better", "worse": "worse", "same": "no change", "up": "up", "down": "down"}
UNMAPPED_PREFIX = "unmapped:"
NOT_MAPPED_SERVICE = "Not mapped to a service"
WHOLE_SERVICE = "Whole service"
ALL_UNMAPPED = "All teams not in the team list"
RATIO_UNITS = ("percent", "rate_per_10k")

# heat map statuses, in legend order, with their fill and text colours
STATUS_ON, STATUS_CLOSE, STATUS_OFF = RAG_TEXT["green"], RAG_TEXT["amber"], RAG_TEXT["red"]
STATUS_NO_TARGET = "No target"
STATUS_HIDDEN = "Hidden (small numbers)"
STATUS_MISSING = "Not available"
STATUSES = (STATUS_ON, STATUS_CLOSE, STATUS_OFF, STATUS_NO_TARGET, STATUS_HIDDEN, STATUS_MISSING)
STATUS_FILL = ("#00703c", "#f47738", "#d4351c", "#f3f2f1", "#b1b4b6", "#ffffff")
STATUS_TEXT = {STATUS_ON: "#ffffff", STATUS_OFF: "#ffffff"}
TEAM_COLOUR, LA_COLOUR, TARGET_COLOUR = "#f47738", "#1d70b8", "#505a5f"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# --- months ------------------------------------------------------------------------------------------------


def month_label(d: dt.date) -> str:
    """2024-12-01 -> "Dec 2024" (as the warehouse labels months, whatever the server's locale)."""
    return f"{calendar.month_abbr[d.month]} {d.year}"


@dataclass(frozen=True)
class Month:
    label: str
    start: dt.date
    end: dt.date

    @property
    def previous_start(self) -> dt.date:
        return formatting.shift_months(self.start, -1)

    @property
    def year_ago_start(self) -> dt.date:
        return formatting.shift_months(self.start, -12)

    @property
    def previous_label(self) -> str:
        return month_label(self.previous_start)

    @property
    def year_ago_label(self) -> str:
        return month_label(self.year_ago_start)


def months_from_frame(df: pl.DataFrame) -> list[Month]:
    """Months from `data.months` (period_label, period_start, period_end), newest first."""
    return [Month(r["period_label"], r["period_start"], r["period_end"]) for r in df.to_dicts()]


_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH_NAMES["sept"] = 9
_NAMED = re.compile(r"^([a-z]{3,9})\.?[\s,/-]*(\d{4})$")
_NUMBERED = re.compile(r"^(\d{4})[\s/-]*(\d{1,2})$")


def parse_month(text: str | None) -> tuple[int, int] | None:
    """(year, month) from "Dec 2024", "dec+2024", "December 2024", "2024-12"; None for anything else."""
    if text is None:
        return None
    cleaned = " ".join(str(text).replace("+", " ").replace("_", " ").split()).lower()
    m = _NAMED.match(cleaned)
    if m and m.group(1) in _MONTH_NAMES:
        return int(m.group(2)), _MONTH_NAMES[m.group(1)]
    m = _NUMBERED.match(cleaned)
    if m and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), int(m.group(2))
    return None


def match_month(raw: str, labels: Sequence[str]) -> str | None:
    """The label among `labels` for the month `raw` names, or None."""
    wanted = parse_month(raw)
    if wanted is None:
        return None
    return next((label for label in labels if parse_month(label) == wanted), None)


# --- teams and services ------------------------------------------------------------------------------------


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text))


@dataclass(frozen=True)
class Team:
    org_id: str
    name: str
    service_id: str | None  # the service it is shown (and summed) under: its parent, if org_units lists it
    service_name: str  # as shown: the service's name, or NOT_MAPPED_SERVICE
    mapped: bool
    parent_id: str | None = None  # its parent in org_units, as given

    @property
    def label(self) -> str:
        return f"{self.name} ({self.service_name})"


class OrgUnits:
    """The authority's services and teams, in the order the page shows them.

    Services in order of id (the order of the team list), each with its teams; then any service that holds
    teams missing from the team list (`is_mapped` false, such as the build's 'unmapped' service); then teams
    with no listed service (org_id 'unmapped:<name>' without a parent, or a team id the values hold but
    `org_units` does not). Teams missing from the team list are shown under "Not mapped to a service". Their
    figures are counted in the authority's, never dropped.
    """

    def __init__(self, units: pl.DataFrame, la_code: str, la_name: str, team_ids: Iterable[str] = ()) -> None:
        self.la_code, self.la_name = la_code, la_name
        rows = units.to_dicts()
        services = sorted(
            (r for r in rows if r["org_level"] == "service"),
            key=lambda r: (not r["is_mapped"], _natural(r["org_id"])),
        )
        self.service_mapped = {r["org_id"]: bool(r["is_mapped"]) for r in services}
        self.service_names = {
            r["org_id"]: (r["org_name"] or r["org_id"]) if r["is_mapped"] else NOT_MAPPED_SERVICE for r in services
        }
        teams: dict[str, Team] = {}
        for r in rows:
            if r["org_level"] != "team":
                continue
            parent = r["parent_id"]
            service = parent if parent in self.service_names else None
            mapped = (
                bool(r["is_mapped"])
                and service is not None
                and self.service_mapped[service]
                and not r["org_id"].startswith(UNMAPPED_PREFIX)
            )
            teams[r["org_id"]] = Team(
                r["org_id"],
                r["org_name"] or team_name_from_id(r["org_id"]),
                service,
                self.service_names[service] if service is not None else NOT_MAPPED_SERVICE,
                mapped,
                parent,
            )
        for org_id in team_ids:
            if org_id not in teams:
                teams[org_id] = Team(org_id, team_name_from_id(org_id), None, NOT_MAPPED_SERVICE, False)
        self.teams = dict(sorted(teams.items(), key=lambda kv: self._team_order(kv[1])))

    def _team_order(self, team: Team) -> tuple:
        services = list(self.service_names)
        if team.service_id is not None:
            return (0, services.index(team.service_id), _natural(team.org_id))
        return (1, 0, _natural(team.name))

    def team(self, org_id: str) -> Team:
        return self.teams.get(org_id) or Team(org_id, team_name_from_id(org_id), None, NOT_MAPPED_SERVICE, False)

    def service_of(self, team_id: str) -> str | None:
        """The team's parent as org_units gives it (what its figures are summed into)."""
        return self.team(team_id).parent_id

    def service_label(self, service_id: str) -> str:
        """The row label of a service's own total in the heat map."""
        return WHOLE_SERVICE if self.service_mapped.get(service_id, True) else ALL_UNMAPPED

    def groups(self, team_ids: Iterable[str]) -> list[tuple[str | None, str, list[Team]]]:
        """(service id, service name, its teams among `team_ids`) in page order; unmapped teams last."""
        wanted = set(team_ids)
        out: list[tuple[str | None, str, list[Team]]] = []
        for service_id, service_name in self.service_names.items():
            members = [t for t in self.teams.values() if t.service_id == service_id and t.org_id in wanted]
            out.append((service_id, service_name, members))
        loose = [t for t in self.teams.values() if t.service_id is None and t.org_id in wanted]
        if loose:
            out.append((None, NOT_MAPPED_SERVICE, loose))
        return out

    def match_team(self, raw: str, options: Sequence[str]) -> str | None:
        """A team id among `options` from the web address: its id (any case) or its name."""
        wanted = " ".join(raw.split()).casefold()
        for org_id in options:
            if org_id == raw or org_id.casefold() == wanted:
                return org_id
        for org_id in options:
            if self.team(org_id).name.casefold() == wanted:
                return org_id
        return None


def team_name_from_id(org_id: str) -> str:
    return org_id[len(UNMAPPED_PREFIX) :] if org_id.startswith(UNMAPPED_PREFIX) else org_id


# --- values and suppression across the breakdown -----------------------------------------------------------


def _tag(key: OrgKey) -> str:
    return f"{key[0]}|{key[1]}"


def protected_cells(rows: Mapping[OrgKey, Row], unit: str, service_of: Mapping[str, str | None]) -> set[OrgKey]:
    """The cells of one indicator in one month that must be hidden.

    Every small number, and for counts, because teams add up to their service and services (with teams outside
    any service) to the authority, a second cell wherever a small count could otherwise be worked out by
    subtraction. Percentages and rates are hidden on their own numerator and denominator only: working a
    small numerator out of them would take the hidden denominators as well.

    A total may hold more than its parts (events recorded with no team count for the authority only). That
    rest is never shown, but it can be worked out when every part is shown, so a rest of 1 to 4 is protected
    like any small cell; a rest of 5 or more cannot be told apart from a hidden part, so that sum protects
    nothing and is left out.
    """
    keys = list(rows)
    hidden = {k for k in keys if disclosure.is_hidden(unit, *_cell(rows[k]))}
    if unit != "count":
        return hidden
    la = [k for k in keys if k[0] == "la"]
    services = [k for k in keys if k[0] == "service"]
    teams = [k for k in keys if k[0] == "team"]
    present_services = {k[1] for k in services}
    # value = numerator for counts; the numerator stands in for a missing value
    counts: dict[str, float | None] = {
        _tag(k): _first_present(r.get("value"), r.get("numerator")) for k, r in rows.items()
    }

    sums: list[tuple[OrgKey, list[OrgKey]]] = []
    for service in services:
        members = [t for t in teams if service_of.get(t[1]) == service[1]]
        if members:
            sums.append((service, members))
    for total in la:
        if teams:
            sums.append((total, teams))
        if services:
            loose = [t for t in teams if service_of.get(t[1]) not in present_services]
            sums.append((total, services + loose))

    constraints: list[tuple[str, list[str]]] = []
    for n, (total, parts) in enumerate(sums):
        part_tags = [_tag(p) for p in parts]
        known = [counts[_tag(total)], *(counts[t] for t in part_tags)]
        if any(_missing(x) for x in known):
            constraints.append((_tag(total), part_tags))
            continue
        rest = known[0] - sum(known[1:])
        if rest >= disclosure.THRESHOLD:
            continue
        if rest >= 0.5:
            counts[f"rest|{n}"] = rest
            part_tags.append(f"rest|{n}")
        constraints.append((_tag(total), part_tags))

    hidden_tags = disclosure.protect_breakdown(counts, constraints)
    return hidden | {k for k in keys if _tag(k) in hidden_tags}


def _first_present(*xs: float | None) -> float | None:
    return next((x for x in xs if not _missing(x)), None)


def _cell(row: Row | None) -> tuple[float | None, float | None, float | None]:
    if row is None:
        return (None, None, None)
    return (row.get("value"), row.get("numerator"), row.get("denominator"))


class MonthlyValues:
    """indicator_values rows for one authority (month grain, authority, service and team level), with the
    cells hidden by the small-number rules worked out once per indicator and month."""

    def __init__(
        self, df: pl.DataFrame, units: Mapping[str, str], orgs: OrgUnits, in_full: Iterable[str] = ()
    ) -> None:
        self.units = dict(units)
        self.orgs = orgs
        # indicators about staff (disclosure.STAFF_DOMAINS): never suppressed, written by their unit
        self.in_full = frozenset(in_full)
        self._rows: dict[tuple[str, dt.date], dict[OrgKey, Row]] = {}
        for row in df.to_dicts():
            key = (row["indicator_id"], row["period_start"])
            self._rows.setdefault(key, {})[(row["org_level"], row["org_id"])] = row
        self._hidden: dict[tuple[str, dt.date], set[OrgKey]] = {}

    def rows(self, indicator_id: str, start: dt.date) -> dict[OrgKey, Row]:
        return self._rows.get((indicator_id, start), {})

    def row(self, indicator_id: str, key: OrgKey, start: dt.date) -> Row | None:
        return self.rows(indicator_id, start).get(key)

    def unit(self, indicator_id: str) -> str:
        return self.units.get(indicator_id, "count")

    def hidden(self, indicator_id: str, key: OrgKey, start: dt.date) -> bool:
        if indicator_id in self.in_full:
            return False
        cache_key = (indicator_id, start)
        if cache_key not in self._hidden:
            service_of = {k[1]: self.orgs.service_of(k[1]) for k in self.rows(indicator_id, start) if k[0] == "team"}
            self._hidden[cache_key] = protected_cells(
                self.rows(indicator_id, start), self.unit(indicator_id), service_of
            )
        return key in self._hidden[cache_key]

    def text(self, indicator_id: str, key: OrgKey, start: dt.date) -> str:
        """The cell as it may be shown."""
        row = self.row(indicator_id, key, start)
        if row is None:
            return formatting.NOT_AVAILABLE
        if indicator_id in self.in_full:
            return formatting.by_unit(self.unit(indicator_id), row.get("value"))
        return masked_text(self.unit(indicator_id), _cell(row), self.hidden(indicator_id, key, start))

    def shown_value(self, indicator_id: str, key: OrgKey, start: dt.date) -> float | None:
        """The value for a chart: None when hidden or missing."""
        row = self.row(indicator_id, key, start)
        if row is None or self.hidden(indicator_id, key, start) or _missing(row.get("value")):
            return None
        return float(row["value"])

    def has_level(self, indicator_id: str, level: str, starts: Iterable[dt.date] | None = None) -> bool:
        wanted = set(starts) if starts is not None else None
        return any(
            i == indicator_id and (wanted is None or s in wanted) and any(k[0] == level for k in rows)
            for (i, s), rows in self._rows.items()
        )

    def team_ids(self, starts: Iterable[dt.date] | None = None) -> list[str]:
        wanted = set(starts) if starts is not None else None
        found = {
            k[1] for (_, s), rows in self._rows.items() if wanted is None or s in wanted for k in rows if k[0] == "team"
        }
        return [t for t in self.orgs.teams if t in found] + sorted(found - set(self.orgs.teams), key=_natural)


def masked_text(unit: str, cell: tuple[float | None, float | None, float | None], hidden: bool) -> str:
    value, numerator, denominator = cell
    if unit == "count":
        return disclosure.masked_count_text(value if not _missing(value) else numerator, hidden)
    if unit in RATIO_UNITS:
        if hidden or disclosure.ratio_hidden(numerator, denominator):
            return disclosure.SUPPRESSED
        return formatting.percent(value) if unit == "percent" else formatting.rate(value)
    return disclosure.SUPPRESSED if hidden else formatting.number(value)


def unit_text(unit: str, value: float | None) -> str:
    """A published figure or a target (never suppressed: not a count of children in this authority)."""
    if _missing(value):
        return ""
    if unit == "percent":
        return formatting.percent(value)
    if unit == "rate_per_10k":
        return formatting.rate(value)
    if unit == "count":
        return formatting.count(value)
    return formatting.by_unit(unit, value)


def rag_text(rag: str | None, hidden: bool) -> str:
    """Status as "🟢 On target" and friends; "not shown (small numbers)" beside a hidden value; '' if none."""
    if hidden:
        return disclosure.NOT_SHOWN
    if rag not in RAG_TEXT:
        return ""
    return f"{RAG_EMOJI[rag]} {RAG_TEXT[rag]}"


def direction_text(direction: str | None, now: float | None, before: float | None, hidden: bool) -> str:
    """Direction as "↑ better", "↓ worse", "no change", "↑ up"...; hidden with either side."""
    if hidden:
        return disclosure.NOT_SHOWN
    word = DIRECTION_WORDS.get((direction or "").strip().lower())
    if word is None:
        return ""
    if word == "no change" or _missing(now) or _missing(before) or now == before:
        return word
    return f"{'↑' if now > before else '↓'} {word}"


# --- the performance table ---------------------------------------------------------------------------------


def performance_columns(month: Month) -> list[str]:
    return [
        "Measure",
        month.label,
        "Target",
        "Against target",
        f"{month.previous_label} (month before)",
        f"Change since {month.previous_label}",
        f"{month.year_ago_label} (a year before)",
        f"Change since {month.year_ago_label}",
        "England",
        "England figure for",
    ]


def _earlier_text(
    values: MonthlyValues, ind: Indicator, key: OrgKey, row: Row | None, column: str, start: dt.date
) -> tuple[str, bool]:
    """An earlier period's value as it may be shown, and whether it is hidden.

    The figure is the row's own `previous_value` / `year_ago_value`; whether it may be shown is decided on
    that period's own row (its numerator, denominator and the breakdown it belongs to)."""
    earlier = values.row(ind.indicator_id, key, start)
    value = row.get(column) if row is not None else None
    if _missing(value):
        value = earlier.get("value") if earlier is not None else None
    if _missing(value):
        return formatting.NOT_AVAILABLE, False
    if ind.indicator_id in values.in_full:
        return formatting.by_unit(ind.unit, value), False
    if earlier is None:  # nothing to check it against: counts by their own size, ratios hidden to be safe
        if ind.unit == "count":
            return disclosure.count_text(value), disclosure.is_small(value)
        return disclosure.SUPPRESSED, True
    hidden = values.hidden(ind.indicator_id, key, start) or disclosure.is_hidden(ind.unit, *_cell(earlier))
    return masked_text(ind.unit, (value, earlier.get("numerator"), earlier.get("denominator")), hidden), hidden


def performance_table(indicators: Sequence[Indicator], values: MonthlyValues, month: Month) -> pl.DataFrame:
    """One row per indicator for the authority in the month; every cell text, as shown and downloaded."""
    key: OrgKey = ("la", values.orgs.la_code)
    columns = performance_columns(month)
    out = []
    for ind in indicators:
        row = values.row(ind.indicator_id, key, month.start)
        hidden = row is not None and ind.indicator_id not in values.in_full and (
            values.hidden(ind.indicator_id, key, month.start) or disclosure.is_hidden(ind.unit, *_cell(row))
        )
        now = row.get("value") if row else None
        previous, previous_hidden = _earlier_text(values, ind, key, row, "previous_value", month.previous_start)
        year_ago, year_ago_hidden = _earlier_text(values, ind, key, row, "year_ago_value", month.year_ago_start)
        england = row.get("england_value") if row else None
        cells = [
            ind.name,
            values.text(ind.indicator_id, key, month.start),
            unit_text(ind.unit, row.get("target")) if row else "",
            rag_text(row.get("rag"), hidden) if row and (row.get("rag") or not _missing(row.get("target"))) else "",
            previous,
            direction_text(
                row.get("direction_previous") if row else None,
                now,
                row.get("previous_value") if row else None,
                hidden or previous_hidden,
            )
            if row and previous != formatting.NOT_AVAILABLE
            else "",
            year_ago,
            direction_text(
                row.get("direction_year_ago") if row else None,
                now,
                row.get("year_ago_value") if row else None,
                hidden or year_ago_hidden,
            )
            if row and year_ago != formatting.NOT_AVAILABLE
            else "",
            unit_text(ind.unit, england),
            formatting.benchmark_year_label(row.get("benchmark_year")) if row and not _missing(england) else "",
        ]
        out.append(dict(zip(columns, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


# --- the team x indicator heat map -------------------------------------------------------------------------


def short_names(indicators: Sequence[Indicator]) -> dict[str, str]:
    """A unique short label per indicator (its short name, else its full name, else its id)."""
    out: dict[str, str] = {}
    for ind in indicators:
        label = ind.short_name
        if label in out.values():
            label = ind.name if ind.name not in out.values() else ind.indicator_id
        out[ind.indicator_id] = label
    return out


def heat_map_indicators(indicators: Sequence[Indicator], values: MonthlyValues, month: Month) -> list[Indicator]:
    return [i for i in indicators if values.has_level(i.indicator_id, "team", [month.start])]


def _status(row: Row, hidden: bool) -> str:
    if hidden:
        return STATUS_HIDDEN
    if _missing(row.get("value")):
        return STATUS_MISSING
    return RAG_TEXT.get(row.get("rag") or "", STATUS_NO_TARGET)


HEAT_MAP_SCHEMA = {
    "service": pl.String,
    "service_order": pl.Int64,
    "org_level": pl.String,
    "org_id": pl.String,
    "team": pl.String,
    "team_order": pl.Int64,
    "indicator_id": pl.String,
    "measure": pl.String,
    "measure_order": pl.Int64,
    "value": pl.Float64,
    "value_text": pl.String,
    "label": pl.String,
    "rag": pl.String,
    "status": pl.String,
    "text_colour": pl.String,
}


def heat_map_rows(values: MonthlyValues, month: Month, team_ids: Sequence[str]) -> list[tuple[int, str, OrgKey, str]]:
    """(service order, service name, org key, row label): each service's whole-service row, then its teams."""
    rows = []
    for order, (service_id, service_name, teams) in enumerate(values.orgs.groups(team_ids)):
        if not teams:
            continue
        if service_id is not None:
            rows.append((order, service_name, ("service", service_id), values.orgs.service_label(service_id)))
        rows += [(order, service_name, ("team", t.org_id), t.name) for t in teams]
    return rows


def heat_map_frame(indicators: Sequence[Indicator], values: MonthlyValues, month: Month) -> pl.DataFrame:
    """The heat map's data: one row per team (or whole service) and indicator with a figure in the month."""
    inds = heat_map_indicators(indicators, values, month)
    labels = short_names(inds)
    team_ids = values.team_ids([month.start])
    out = []
    for team_order, (service_order, service, key, label) in enumerate(heat_map_rows(values, month, team_ids)):
        for measure_order, ind in enumerate(inds):
            row = values.row(ind.indicator_id, key, month.start)
            if row is None:
                continue
            hidden = values.hidden(ind.indicator_id, key, month.start)
            status = _status(row, hidden)
            text = values.text(ind.indicator_id, key, month.start)
            out.append(
                {
                    "service": service,
                    "service_order": service_order,
                    "org_level": key[0],
                    "org_id": key[1],
                    "team": label,
                    "team_order": team_order,
                    "indicator_id": ind.indicator_id,
                    "measure": labels[ind.indicator_id],
                    "measure_order": measure_order,
                    "value": values.shown_value(ind.indicator_id, key, month.start),
                    "value_text": text,
                    "label": "" if hidden or status == STATUS_MISSING else text,
                    "rag": None if hidden else row.get("rag"),
                    "status": status,
                    "text_colour": STATUS_TEXT.get(status, "#0b0c0c"),
                }
            )
    return pl.DataFrame(out, schema=HEAT_MAP_SCHEMA)


def heat_map_table(indicators: Sequence[Indicator], values: MonthlyValues, month: Month) -> pl.DataFrame:
    """The heat map as a table: a row per team (and whole service), a column per measure."""
    inds = heat_map_indicators(indicators, values, month)
    labels = short_names(inds)
    columns = ["Service", "Team", *labels.values()]
    out = []
    for _, service, key, label in heat_map_rows(values, month, values.team_ids([month.start])):
        record = {"Service": service, "Team": label}
        for ind in inds:
            row = values.row(ind.indicator_id, key, month.start)
            if row is None:
                record[labels[ind.indicator_id]] = ""
                continue
            text = values.text(ind.indicator_id, key, month.start)
            hidden = values.hidden(ind.indicator_id, key, month.start)
            emoji = "" if hidden else RAG_EMOJI.get(row.get("rag") or "", "")
            record[labels[ind.indicator_id]] = f"{emoji} {text}" if emoji else text
        out.append(record)
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


HEAT_MAP_WIDTH = 760  # the cells' share of a wide page's main column, leaving room for the team names
HEAT_MAP_STEP = (34, 64)  # narrowest and widest cell


def heat_map_chart(frame: pl.DataFrame) -> alt.FacetChart:
    """Rectangles coloured by status with the value written in; one panel of rows per service, titled above."""
    frame = plain_types(frame)
    measures = frame.sort("measure_order")["measure"].unique(maintain_order=True).to_list()
    services = frame.sort("service_order")["service"].unique(maintain_order=True).to_list()
    step = max(HEAT_MAP_STEP[0], min(HEAT_MAP_STEP[1], HEAT_MAP_WIDTH // max(len(measures), 1)))
    base = alt.Chart().encode(
        x=alt.X(
            "measure:N",
            title=None,
            sort=measures,
            scale=alt.Scale(domain=measures),
            axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=200, labelFontSize=11, labelOverlap=False),
        ),
        y=alt.Y(
            "team:N",
            title=None,
            sort=alt.EncodingSortField("team_order"),
            axis=alt.Axis(labelLimit=200, labelFontSize=11, minExtent=200, labelOverlap=False),
        ),
    )
    rect = base.mark_rect(stroke="#ffffff", strokeWidth=2).encode(
        color=alt.Color(
            "status:N",
            title="Against target",
            scale=alt.Scale(domain=list(STATUSES), range=list(STATUS_FILL)),
            legend=alt.Legend(orient="bottom", columns=3, symbolStrokeColor="#b1b4b6"),
        ),
        tooltip=[
            alt.Tooltip("team:N", title="Team"),
            alt.Tooltip("service:N", title="Service"),
            alt.Tooltip("measure:N", title="Measure"),
            alt.Tooltip("value_text:N", title="Value"),
            alt.Tooltip("status:N", title="Against target"),
        ],
    )
    text = base.mark_text(fontSize=10 if step < 48 else 11).encode(
        text="label:N", color=alt.Color("text_colour:N", scale=None)
    )
    return (
        alt.layer(rect, text, data=frame)
        .properties(width=alt.Step(step), height=alt.Step(26))
        .facet(
            row=alt.Row(
                "service:N",
                title=None,
                sort=services,
                header=alt.Header(
                    labelOrient="top",
                    labelAngle=0,
                    labelAlign="left",
                    labelAnchor="start",
                    labelFontWeight="bold",
                    labelFontSize=12,
                    labelPadding=4,
                ),
            ),
            spacing=14,
        )
        .resolve_scale(y="independent")
    )


# --- a team's trends ---------------------------------------------------------------------------------------

TREND_SCHEMA = {
    "indicator_id": pl.String,
    "measure": pl.String,
    "panel": pl.String,
    "measure_order": pl.Int64,
    "month": pl.String,
    "month_start": pl.String,
    "series": pl.String,
    "value": pl.Float64,
    "value_text": pl.String,
}


def trend_indicators(indicators: Sequence[Indicator], values: MonthlyValues, team_id: str, starts: Sequence[dt.date]):
    return [i for i in indicators if any(values.row(i.indicator_id, ("team", team_id), s) for s in starts)]


def trend_frame(
    indicators: Sequence[Indicator], values: MonthlyValues, team_id: str, starts: Sequence[dt.date]
) -> pl.DataFrame:
    """A team's monthly values with the authority's (percentages and rates only: an authority's count dwarfs a
    team's) and the target, for each indicator the team has figures for."""
    team = values.orgs.team(team_id)
    la_key: OrgKey = ("la", values.orgs.la_code)
    team_key: OrgKey = ("team", team_id)
    inds = [
        i
        for i in trend_indicators(indicators, values, team_id, starts)
        if i.indicator_id not in set(all_hidden(indicators, values, team_id, starts))
    ]
    labels = short_names(inds)
    out = []
    for order, ind in enumerate(inds):
        for start in starts:
            base = {
                "indicator_id": ind.indicator_id,
                "measure": labels[ind.indicator_id],
                "panel": labels[ind.indicator_id] + PANEL_UNITS.get(ind.unit, ""),
                "measure_order": order,
                "month": month_label(start),
                "month_start": start.isoformat(),
            }
            team_row = values.row(ind.indicator_id, team_key, start)
            if team_row is not None:
                value = values.shown_value(ind.indicator_id, team_key, start)
                text = values.text(ind.indicator_id, team_key, start)
                out.append(base | {"series": team.name, "value": value, "value_text": text})
            la_row = values.row(ind.indicator_id, la_key, start)
            if la_row is not None and ind.unit in RATIO_UNITS:
                value = values.shown_value(ind.indicator_id, la_key, start)
                text = values.text(ind.indicator_id, la_key, start)
                out.append(base | {"series": values.orgs.la_name, "value": value, "value_text": text})
            target = _target(team_row, la_row)
            if target is not None:
                out.append(base | {"series": "Target", "value": target, "value_text": unit_text(ind.unit, target)})
    return pl.DataFrame(out, schema=TREND_SCHEMA)


PANEL_UNITS = {"percent": " (%)", "rate_per_10k": " (per 10,000)"}


def all_hidden(
    indicators: Sequence[Indicator], values: MonthlyValues, team_id: str, starts: Sequence[dt.date]
) -> list[str]:
    """Indicators whose every figure for the team is hidden (nothing to draw: the page names them instead)."""
    key: OrgKey = ("team", team_id)
    out = []
    for ind in trend_indicators(indicators, values, team_id, starts):
        present = [s for s in starts if values.row(ind.indicator_id, key, s) is not None]
        if all(values.shown_value(ind.indicator_id, key, s) is None for s in present):
            out.append(ind.indicator_id)
    return out


def _target(*rows: Row | None) -> float | None:
    for row in rows:
        if row is not None and not _missing(row.get("target")):
            return float(row["target"])
    return None


def trend_table(
    indicators: Sequence[Indicator], values: MonthlyValues, team_id: str, starts: Sequence[dt.date]
) -> pl.DataFrame:
    """The figures behind the trend charts: a row per indicator and month, team beside authority and target."""
    team = values.orgs.team(team_id)
    la_key: OrgKey = ("la", values.orgs.la_code)
    team_key: OrgKey = ("team", team_id)
    columns = ["Measure", "Month", team.name, f"{values.orgs.la_name} (whole authority)", "Target"]
    out = []
    for ind in trend_indicators(indicators, values, team_id, starts):
        for start in starts:
            team_row = values.row(ind.indicator_id, team_key, start)
            la_row = values.row(ind.indicator_id, la_key, start)
            if team_row is None and la_row is None:
                continue
            target = _target(team_row, la_row)
            out.append(
                dict(
                    zip(
                        columns,
                        [
                            ind.name,
                            month_label(start),
                            values.text(ind.indicator_id, team_key, start),
                            values.text(ind.indicator_id, la_key, start),
                            unit_text(ind.unit, target) if target is not None else "",
                        ],
                        strict=True,
                    )
                )
            )
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


def trend_chart(frame: pl.DataFrame, *, team_name: str, la_name: str) -> alt.FacetChart:
    """Small multiples: one panel per measure, the team's line against the authority's and the target."""
    frame = plain_types(frame)
    panels = frame.sort("measure_order")["panel"].unique(maintain_order=True).to_list()
    series = [team_name, la_name, "Target"]
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=series, range=[TEAM_COLOUR, LA_COLOUR, TARGET_COLOUR]),
        legend=alt.Legend(orient="top", labelLimit=400),
    )
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=series, range=[[1, 0], [1, 0], [6, 4]]), legend=None)
    x = alt.X("utcyearmonth(month_start):T", title=None, axis=alt.Axis(format="%b %y", labelAngle=-45, tickCount=6))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("measure:N", title="Measure"),
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("month:N", title="Month"),
        alt.Tooltip("value_text:N", title="Value"),
    ]
    line = alt.Chart().mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, strokeDash=dash)
    points = (
        alt.Chart()
        .transform_filter(alt.datum.series != "Target")
        .mark_point(filled=True, size=36)
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
    )
    return (
        alt.layer(line, points, data=frame)
        .properties(width=260, height=150)
        .facet(
            facet=alt.Facet("panel:N", title=None, sort=panels, header=alt.Header(labelFontWeight="bold")),
            columns=3,
            spacing=16,
        )
        .resolve_scale(y="independent")
    )


# --- child-level exception lists ---------------------------------------------------------------------------

EXCEPTION_TYPES = {
    "assessment_over_45wd": (
        "Assessments open beyond 45 working days",
        "Assessments started but not completed within 45 working days, open at the month end.",
    ),
    "cp_plan_over_2_years": (
        "Child protection plans lasting two years or more",
        "Children subject to a child protection plan that started two or more years before the month end.",
    ),
    "cp_visit_overdue": (
        "Child protection visits overdue",
        "Children on a child protection plan not visited within the local standard by the month end.",
    ),
}


def exception_title(exception_type: str) -> tuple[str, str]:
    if exception_type in EXCEPTION_TYPES:
        return EXCEPTION_TYPES[exception_type]
    return exception_type.replace("_", " ").capitalize(), ""


def _date_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return formatting.long_date(value) if isinstance(value, dt.date) else ("" if value is None else str(value))


def _number_text(value: Any) -> str:
    if _missing(value):
        return ""
    return f"{round(float(value)):,}"


def exception_tables(df: pl.DataFrame, orgs: OrgUnits, team_id: str | None) -> list[tuple[str, pl.DataFrame]]:
    """(exception type, table) per type, longest waits first; only the chosen team's children if one is chosen.

    Counts of working days are in `working_days`, of calendar days in `days` (either may be absent)."""
    if team_id is not None and "team_id" in df.columns:
        df = df.filter(pl.col("team_id") == team_id)
    if df.is_empty():
        return []
    types = list(EXCEPTION_TYPES) + sorted(set(df["exception_type"].to_list()) - set(EXCEPTION_TYPES))
    out = []
    for exception_type in types:
        part = df.filter(pl.col("exception_type") == exception_type)
        if part.is_empty():
            continue
        has_wd = "working_days" in part.columns and part["working_days"].is_not_null().any()
        has_days = "days" in part.columns and part["days"].is_not_null().any()
        sort_by = "working_days" if has_wd else "days" if has_days else None
        if sort_by:
            part = part.sort([sort_by, "child_id"], descending=[True, False], nulls_last=True)
        records = []
        for r in part.to_dicts():
            team = orgs.team(r["team_id"]) if r.get("team_id") else None
            record = {
                "Child ID": str(r.get("child_id") or ""),
                "Team": team.name if team else "not recorded",
                "Service": (
                    orgs.service_names.get(r.get("service_id") or "", team.service_name if team else "")
                    if (r.get("service_id") or team)
                    else ""
                ),
                "Started": _date_text(r.get("start_date")),
            }
            if has_wd:
                record["Working days"] = _number_text(r.get("working_days"))
            if has_days:
                record["Days"] = _number_text(r.get("days"))
            record["As at"] = _date_text(r.get("as_at_date"))
            records.append(record)
        columns = list(records[0])
        out.append((exception_type, pl.DataFrame(records, schema={c: pl.String for c in columns})))
    return out


# --- text from the data in Markdown -------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])")


def md_escape(text: Any) -> str:
    """Text from the data (team names, child IDs) made inert in Markdown: no links, emphasis, HTML, maths or
    colour directives."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def escaped(df: pl.DataFrame, columns: Iterable[str] = ()) -> pl.DataFrame:
    """A copy for st.table (which renders Markdown): the named columns, and every header, escaped."""
    wanted = [c for c in columns if c in df.columns]
    out = df.with_columns([pl.col(c).map_elements(md_escape, return_dtype=pl.String) for c in wanted])
    return out.rename({c: md_escape(c) for c in out.columns})
