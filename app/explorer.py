"""Pure logic for the Indicator explorer: any indicator at any grain for any org unit (no Streamlit here, so it can
be unit tested).

The page reads one indicator at one grain for an authority, every period and every org unit (the authority, its
services and its teams), through `app.data.explorer_values`, and shows one org unit's series. Everything on
screen, in the chart and in the CSV download goes through the rules of `app.disclosure`:

* a count of 0 to 4 is "fewer than 5"; because teams add up to their service and services to the authority, a
  second cell is hidden wherever a small one could be worked out by subtraction (as the CSCMT page does);
* a flow (a count of events in the period, catalogue `is_stock = false`) also adds up over time: the three months
  of a quarter make the quarter and the four quarters of a financial year make the year, so a month hidden here
  could be worked out from the quarter shown on the same page a grain away. For a flow the hidden cells are worked
  out once over everything the page can show for the authority (every org unit, every month, quarter and year,
  `protected_lattice`), and each grain hides what that says, so no two views together give a small number away.
  A stock (a count on the last day of the period) does not add up over time, so only the org units are looked at;
* a percentage or rate is hidden when its numerator or denominator is small. This page also shows numerators and
  denominators, which are counts and add up across teams like any count, so they are protected as a breakdown
  too; where either of a cell's is hidden, its numerator, denominator and value are all hidden (the value and one
  of them would give the other away);
* whatever is worked out from a hidden value goes with it: its RAG status and its change since the period
  before; a hidden value is never drawn;
* staff figures (`disclosure.STAFF_DOMAINS`) are shown in full, written by their unit.

Published comparators (England, the region, statistical neighbours) are DfE's own figures and are shown as
published.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl

from app import data, disclosure, formatting, monthly
from app.data import plain_types
from app.indicators import Indicator

Row = dict[str, Any]
OrgKey = tuple[str, str]  # (org_level, org_id)

GRAIN_ORDER = ("month", "quarter", "year")
GRAIN_NAMES = {"month": "Month", "quarter": "Quarter", "year": "Financial year"}
GRAIN_WORDS = {"month": "month", "quarter": "quarter", "year": "year"}
GRAIN_STEP_MONTHS = {"month": 1, "quarter": 3, "year": 12}
DEFAULT_GRAIN_PREFERENCE = ("quarter", "month", "year")
MAX_PARAM_LENGTH = 200
NO_DOMAIN = "other"
WHOLE_AUTHORITY = "whole authority"
NOT_PUBLISHED = "not published"
TARGET_SERIES, ENGLAND_SERIES = "Target", "England"
# Units whose England figure sits on the same scale as an authority's (a count of England's children does not).
COMPARABLE_UNITS = ("percent", "rate_per_10k", "ratio")
UNIT_NAMES = {
    "count": "a count",
    "percent": "a percentage (0 to 100)",
    "rate_per_10k": "a rate per 10,000 children",
    "fte": "full-time equivalent (FTE) staff",
    "ratio": "a ratio",
}
POLARITY_NAMES = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
    "neutral": "neither higher nor lower is better",
}
TABLE_COLUMNS = (
    "Period",
    "Numerator",
    "Denominator",
    "Value",
    "Target",
    "Against target",
    "Change since the period before",
    "England",
    "Region",
    "Statistical neighbours (average)",
    "Comparators published for",
)


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def split_list(text: Any) -> list[str]:
    """The catalogue's `;`-separated lists: "a; b, c" -> ["a", "b", "c"] (a `,` is taken as well), no repeats."""
    if _missing(text):
        return []
    out: list[str] = []
    for part in re.split(r"[;,]", str(text)):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def _natural(text: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.split(r"(\d+)", text) if p)


# --- the catalogue: domains and measures ---------------------------------------------------------------------


def prettify(domain_id: str | None) -> str:
    """A domain's name from its id when the seed does not name it: "children_in_need" -> "Children in need"."""
    text = " ".join(str(domain_id or "").replace("_", " ").split())
    return text[:1].upper() + text[1:] if text else "Other measures"


def grains_of(text: Any) -> tuple[str, ...]:
    """The catalogue's `grains` ("month;quarter;year") in month, quarter, year order; all three if blank."""
    listed = [g.lower() for g in split_list(text)]
    known = [g for g in GRAIN_ORDER if g in listed]
    others = sorted(g for g in listed if g not in GRAIN_ORDER)
    return tuple(known + others) or GRAIN_ORDER


def default_grain(grains: Sequence[str]) -> str:
    return next((g for g in DEFAULT_GRAIN_PREFERENCE if g in grains), grains[0])


def grain_name(grain: str) -> str:
    return GRAIN_NAMES.get(grain, prettify(grain))


@dataclass(frozen=True)
class Domain:
    domain_id: str
    name: str
    description: str | None
    listed: bool  # named in the indicator_domains seed


@dataclass(frozen=True)
class Measure:
    """A catalogue row: the `Indicator` the shared page furniture knows, and what the explorer needs besides."""

    indicator: Indicator
    domain_id: str
    grains: tuple[str, ...]
    qa_task_ids: tuple[str, ...]
    audiences: tuple[str, ...]
    benchmark_series: str | None
    # A count at the period's end (children on a plan on the last day) rather than events in the period (plans
    # started): a stock does not add up over time. Unknown counts as a flow, which only ever hides more.
    is_stock: bool = False

    @classmethod
    def from_row(cls, row: Row) -> Measure:
        return cls(
            indicator=Indicator.from_row(row),
            domain_id=(row.get("domain") or "").strip() or NO_DOMAIN,
            grains=grains_of(row.get("grains")),
            qa_task_ids=tuple(split_list(row.get("qa_task_ids"))),
            audiences=tuple(split_list(row.get("audiences"))),
            benchmark_series=row.get("benchmark_series"),
            is_stock=not _missing(row.get("is_stock")) and bool(row.get("is_stock")),
        )

    @property
    def indicator_id(self) -> str:
        return self.indicator.indicator_id

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def in_full(self) -> bool:
        """Staff figures are shown in full; children's go through the small-number rules."""
        return self.domain_id in disclosure.STAFF_DOMAINS


def _sort_key(measure: Measure) -> tuple:
    order = measure.indicator.sort_order
    return (_missing(order), 0 if _missing(order) else float(order), measure.indicator_id)


class ExplorerCatalogue:
    """The whole catalogue, grouped by domain: the seed's domains in its order, then any other domain by name."""

    def __init__(self, catalogue: pl.DataFrame, domains: pl.DataFrame | None = None) -> None:
        self._measures = sorted((Measure.from_row(r) for r in catalogue.to_dicts()), key=_sort_key)
        self._by_id = {m.indicator_id: m for m in self._measures}
        seed: dict[str, Row] = {}
        for r in domains.to_dicts() if domains is not None else []:
            if r.get("domain"):
                seed.setdefault(str(r["domain"]).strip(), r)
        present = {m.domain_id for m in self._measures}

        def seed_order(domain_id: str) -> tuple:
            order = seed[domain_id].get("sort_order")
            return (_missing(order), 0 if _missing(order) else float(order), domain_id)

        listed = sorted((d for d in present if d in seed), key=seed_order)
        unlisted = sorted((d for d in present if d not in seed), key=lambda d: (prettify(d).lower(), d))
        self.domains = [
            Domain(d, (seed[d].get("domain_name") or "").strip() or prettify(d), seed[d].get("description"), True)
            for d in listed
        ] + [Domain(d, prettify(d), None, False) for d in unlisted]
        self._domain_names = {d.domain_id: d.name for d in self.domains}

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    @property
    def ids(self) -> list[str]:
        return [m.indicator_id for m in self._measures]

    def get(self, indicator_id: str | None) -> Measure | None:
        return self._by_id.get(indicator_id or "")

    def measures(self, domain_id: str) -> list[Measure]:
        return [m for m in self._measures if m.domain_id == domain_id]

    def domain_name(self, domain_id: str) -> str:
        return self._domain_names.get(domain_id, prettify(domain_id))

    def match_indicator(self, raw: str | None) -> str | None:
        """An indicator id from the web address: the id itself (any case), or the measure's exact name."""
        return match_choice(raw, self.ids, {m.indicator_id: m.name for m in self._measures})


# --- choices from the web address (untrusted: only ever compared with the options) ---------------------------


def clean_param(raw: Any) -> str | None:
    """A query parameter as text with its spaces tidied; None when absent; '' when too long to be any option."""
    if raw is None:
        return None
    text = " ".join(str(raw).split())
    return text if len(text) <= MAX_PARAM_LENGTH else ""


def match_choice(raw: str | None, options: Sequence[str], labels: Mapping[str, str] | None = None) -> str | None:
    """The option `raw` names: the option itself, the option in any case, or its label in any case; else None."""
    if not raw:
        return None
    if raw in options:
        return raw
    wanted = raw.casefold()
    for option in options:
        if option.casefold() == wanted:
            return option
    for option in options:
        if labels and (labels.get(option) or "").casefold() == wanted:
            return option
    return None


# --- org units -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgOption:
    level: str
    org_id: str
    label: str

    @property
    def key(self) -> OrgKey:
        return (self.level, self.org_id)


def org_options(values: pl.DataFrame, orgs: monthly.OrgUnits) -> list[OrgOption]:
    """The authority, then each service followed by its teams, of those with a value in `values`; no org id
    twice (the first level wins)."""
    present = {(r["org_level"], r["org_id"]) for r in values.select("org_level", "org_id").unique().to_dicts()}
    out: list[OrgOption] = []
    for level, org_id in sorted(k for k in present if k[0] == "la"):
        out.append(OrgOption(level, org_id, f"{orgs.la_name} ({WHOLE_AUTHORITY})"))
    team_ids = [k[1] for k in present if k[0] == "team"]
    listed_services = set()
    for service_id, service_name, teams in orgs.groups(team_ids):
        if service_id is not None:
            listed_services.add(service_id)
            if ("service", service_id) in present:
                mapped = orgs.service_mapped.get(service_id, True)
                label = f"{service_name} (service)" if mapped else monthly.ALL_UNMAPPED
                out.append(OrgOption("service", service_id, label))
        out += [OrgOption("team", t.org_id, t.label) for t in teams]
    for level, org_id in sorted((k for k in present if k[0] == "service" and k[1] not in listed_services),
                                key=lambda k: _natural(k[1])):  # fmt: skip
        out.append(OrgOption(level, org_id, f"{org_id} (service)"))
    seen: set[str] = set()
    unique = []
    for option in out:
        if option.org_id not in seen:
            seen.add(option.org_id)
            unique.append(option)
    return unique


# --- the series -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


def _cell(row: Row | None) -> tuple[float | None, float | None, float | None]:
    if row is None:
        return (None, None, None)
    return (row.get("value"), row.get("numerator"), row.get("denominator"))


def amount_text(x: float | None, unit: str | None = None) -> str:
    """A numerator or denominator shown in full (staff figures): whole numbers as counts, FTE by its unit."""
    if _missing(x):
        return ""
    if unit == "fte":
        return formatting.fte(x)
    if float(x).is_integer():
        return formatting.count(x)
    return formatting.number(x)


def change_text(unit: str, delta: float) -> str:
    """The change between two shown values in plain English: "up 5", "down 1.2 points", "up 0.5 FTE"."""
    if unit == "count":
        return formatting.count_change(delta)
    if unit == "percent":
        return formatting.points_change(delta)
    d = round(float(delta), 1)
    if d == 0:
        return "no change"
    suffix = " FTE" if unit == "fte" else ""
    return f"{'up' if d > 0 else 'down'} {abs(d):,.1f}{suffix}"


def benchmark_text(year: Any, benchmark_series: str | None = None) -> str:
    """Which published year a row's comparators are: "2023-24" (DfE's year to 31 March), or the workforce
    census date ("30 September 2024") for series taken then."""
    if _missing(year):
        return ""
    if "30 september" in (benchmark_series or "").lower():
        return f"30 September {int(year)}"
    return formatting.benchmark_year_label(int(year))


def published_text(unit: str, value: Any) -> str:
    """A published (or target) figure: never suppressed, written by its unit; '' when there is none."""
    if _missing(value):
        return ""
    return formatting.by_unit(unit, float(value))


# --- small numbers across org units and across time -----------------------------------------------------------

Cell = tuple[str, dt.date, OrgKey]  # (grain, period start, org unit)
# Grid[grain][period start][org unit]: one count (None when not known); a cell that is not there is not shown.
Grid = Mapping[str, Mapping[dt.date, Mapping[OrgKey, float | None]]]
# How a flow adds up over time: a total's grain -> the grains its parts may be in, each with how many parts and how
# many months apart they start, the first that is all there winning (a year is its quarters, else its months).
TIME_PARTS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "quarter": (("month", 3, 1),),
    "year": (("quarter", 4, 3), ("month", 12, 1)),
}


def _grain_rank(grain: str) -> tuple[int, str]:
    return (GRAIN_ORDER.index(grain) if grain in GRAIN_ORDER else len(GRAIN_ORDER), grain)


def org_sums(keys: Iterable[OrgKey], service_of: Mapping[str, str | None]) -> list[tuple[OrgKey, list[OrgKey]]]:
    """How one period's org units add up, as `monthly.protected_cells` has it: each service is its teams; the
    authority is its teams, and its services with any team outside them."""
    keys = list(keys)
    la = [k for k in keys if k[0] == "la"]
    services = [k for k in keys if k[0] == "service"]
    teams = [k for k in keys if k[0] == "team"]
    present_services = {k[1] for k in services}
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
    return sums


def time_sums(grid: Grid) -> list[tuple[Cell, list[Cell]]]:
    """How a flow adds up over time, org unit by org unit: each quarter is its 3 months and each financial year its
    4 quarters (else its 12 months), only where every part is there."""
    sums: list[tuple[Cell, list[Cell]]] = []
    for grain in sorted(grid, key=_grain_rank):
        for start in sorted(grid[grain]):
            options = [
                (grid[part_grain], part_grain, [formatting.shift_months(start, k * step) for k in range(n)])
                for part_grain, n, step in TIME_PARTS.get(grain, ())
                if part_grain in grid
            ]
            for key in grid[grain][start]:
                for periods, part_grain, starts in options:
                    if all(key in periods.get(s, ()) for s in starts):
                        sums.append(((grain, start, key), [(part_grain, s, key) for s in starts]))
                        break
    return sums


def _tag(cell: Cell) -> str:
    grain, start, (level, org_id) = cell
    return f"{grain}|{start.isoformat()}|{level}|{org_id}"


def protected_lattice(grid: Grid, service_of: Mapping[str, str | None], across_time: bool) -> set[Cell]:
    """The cells of one count that must be hidden, worked out all together: every small number (0 to 4), and a
    second cell wherever one could be worked out by subtraction, through how the org units add up in each period
    and, with `across_time` (a flow), how months add up to quarters and quarters to years
    (`disclosure.protect_breakdown`, which repeats until nothing changes).

    A total may hold more than its parts (events recorded with no team count for the authority only). That rest is
    never shown, but it can be worked out when every part is shown, so a rest of 1 to 4 is protected like any small
    cell; a rest of 5 or more cannot be told apart from a hidden part, so that sum protects nothing and is left out.
    """
    tags: dict[Cell, str] = {}  # protect_breakdown's keys, which also break its ties: grain, period, org unit
    counts: dict[str, float | None] = {}
    sums: list[tuple[Cell, list[Cell]]] = []
    for grain in sorted(grid, key=_grain_rank):
        for start in sorted(grid[grain]):
            period = grid[grain][start]
            for key, n in period.items():
                tag = tags[(grain, start, key)] = _tag((grain, start, key))
                counts[tag] = None if _missing(n) else n
            for total, parts in org_sums(period, service_of):
                sums.append(((grain, start, total), [(grain, start, p) for p in parts]))
    if across_time:
        sums += time_sums(grid)

    constraints: list[tuple[str, list[str]]] = []
    for n, (total, parts) in enumerate(sums):
        part_tags = [tags[p] for p in parts]
        known = [counts[tags[total]], *(counts[t] for t in part_tags)]
        if None in known:
            constraints.append((tags[total], part_tags))
            continue
        rest = known[0] - sum(known[1:])
        if rest >= disclosure.THRESHOLD:
            continue
        if rest >= 0.5:
            counts[f"rest|{n}"] = rest
            part_tags.append(f"rest|{n}")
        constraints.append((tags[total], part_tags))

    hidden = disclosure.protect_breakdown(counts, constraints)
    return {cell for cell, tag in tags.items() if tag in hidden or disclosure.is_small(counts[tag])}


def _rows_by_start(values: pl.DataFrame) -> dict[dt.date, dict[OrgKey, Row]]:
    """Just the counts of another grain's rows, by period start and org unit (all its protection needs)."""
    wanted = ("period_start", "org_level", "org_id", "value", "numerator", "denominator")
    rows: dict[dt.date, dict[OrgKey, Row]] = {}
    for row in plain_types(values.select(c for c in wanted if c in values.columns)).to_dicts():
        rows.setdefault(row["period_start"], {})[(row["org_level"], row["org_id"])] = row
    return rows


def _by_period(values: pl.DataFrame) -> tuple[dict[dt.date, dict[OrgKey, Row]], dict[dt.date, Period]]:
    rows: dict[dt.date, dict[OrgKey, Row]] = {}
    periods: dict[dt.date, Period] = {}
    for row in plain_types(values).to_dicts():
        start = row["period_start"]
        rows.setdefault(start, {})[(row["org_level"], row["org_id"])] = row
        periods.setdefault(start, Period(row["period_label"], start, row["period_end"]))
    return rows, periods


class Series:
    """One indicator at one grain: every period for the authority, its services and its teams, with the cells
    the small-number rules hide worked out once for the whole series (for a flow, with every other grain the page
    can show: `other_grains`, a frame per grain, else read from the warehouse when first needed)."""

    def __init__(
        self,
        measure: Measure,
        values: pl.DataFrame,
        orgs: monthly.OrgUnits,
        other_grains: Mapping[str, pl.DataFrame] | None = None,
    ) -> None:
        self.measure = measure
        self.unit = measure.unit
        self.in_full = measure.in_full
        self.orgs = orgs
        self._rows, periods = _by_period(values)
        self._periods = [periods[s] for s in sorted(periods)]
        self._other_grains = other_grains
        self._hidden: dict[dt.date, set[OrgKey]] | None = None
        grain = values["period_grain"][0] if values.height and "period_grain" in values.columns else None
        self.grain: str | None = grain

    # rows and periods

    def periods(self, key: OrgKey | None = None) -> list[Period]:
        """Periods, oldest first; with a key, those where that org unit has a row."""
        return [p for p in self._periods if key is None or key in self._rows[p.start]]

    def row(self, key: OrgKey, start: dt.date) -> Row | None:
        return self._rows.get(start, {}).get(key)

    def previous_start(self, start: dt.date) -> dt.date | None:
        step = GRAIN_STEP_MONTHS.get(self.grain or "")
        return formatting.shift_months(start, -step) if step else None

    # suppression

    @property
    def across_time(self) -> bool:
        """Whether small numbers are protected across grains as well as org units: a flow about children."""
        return not self.in_full and not self.measure.is_stock and self.grain in GRAIN_ORDER

    def _grid_rows(self) -> dict[str, dict[dt.date, dict[OrgKey, Row]]]:
        """Rows by grain and period start: this series' own and, for a flow, every other grain the page offers."""
        assert self.grain is not None
        grid = {self.grain: self._rows}
        if not self.across_time:
            return grid
        for grain in GRAIN_ORDER:
            if grain == self.grain or grain not in self.measure.grains:
                continue
            if self._other_grains is not None:
                frame = self._other_grains.get(grain)
            else:
                frame = data.explorer_values(self.orgs.la_code, self.measure.indicator_id, grain)
            if frame is not None and frame.height:
                grid[grain] = _rows_by_start(frame)
        return grid

    def _work_out(self) -> dict[dt.date, set[OrgKey]]:
        """Period start -> the org units whose cell is hidden at this series' grain (value, numerator, denominator,
        status and change together), worked out once."""
        if self._hidden is not None:
            return self._hidden
        self._hidden = {}
        if self.in_full or not self._rows:
            return self._hidden
        grid = self._grid_rows()
        team_ids = {k[1] for periods in grid.values() for rows in periods.values() for k in rows if k[0] == "team"}
        service_of = {t: self.orgs.service_of(t) for t in sorted(team_ids)}

        def protect(count_of: Any, present_only: bool) -> dict[dt.date, set[OrgKey]]:
            counts = {
                grain: {
                    start: {k: count_of(r) for k, r in rows.items() if not (present_only and _missing(count_of(r)))}
                    for start, rows in periods.items()
                }
                for grain, periods in grid.items()
            }
            out: dict[dt.date, set[OrgKey]] = {}
            for grain, start, key in protected_lattice(counts, service_of, self.across_time):
                if grain == self.grain:
                    out.setdefault(start, set()).add(key)
            return out

        if self.unit == "count":
            # value = numerator for counts; the numerator stands in for a missing value
            self._hidden = protect(lambda r: r.get("numerator") if _missing(r.get("value")) else r.get("value"), False)
            return self._hidden
        # A percentage or rate is hidden on its own numerator and denominator; those are counts and add up like any
        # count, so each is protected as one. Where either of a cell's is hidden, its numerator, denominator and
        # value all are (the value and one of them would give the other away).
        parts = {
            start: {k for k, r in rows.items() if disclosure.is_hidden(self.unit, *_cell(r))}
            for start, rows in self._rows.items()
        }
        for column in ("numerator", "denominator"):
            for start, keys in protect(lambda r, c=column: r.get(c), True).items():
                parts.setdefault(start, set()).update(keys)
        self._hidden = {start: keys for start, keys in parts.items() if keys}
        return self._hidden

    def hidden(self, key: OrgKey, start: dt.date) -> bool:
        """Whether the cell's value (and with it its RAG and changes) may not be shown."""
        return key in self._work_out().get(start, ())

    def parts_hidden(self, key: OrgKey, start: dt.date) -> bool:
        """Whether the cell's numerator and denominator may not be shown (always with its value: either of them and
        the value would give the other away)."""
        return key in self._work_out().get(start, ())

    # text

    def value_text(self, key: OrgKey, start: dt.date) -> str:
        row = self.row(key, start)
        if row is None:
            return formatting.NOT_AVAILABLE
        value, numerator, _ = _cell(row)
        if self.in_full:
            return formatting.by_unit(self.unit, value)
        hidden = self.hidden(key, start)
        if self.unit == "count":
            return disclosure.masked_count_text(value if not _missing(value) else numerator, hidden)
        if hidden:
            return disclosure.SUPPRESSED
        return formatting.by_unit(self.unit, value)

    def part_text(self, key: OrgKey, start: dt.date, column: str) -> str:
        """The numerator or denominator as it may be shown ('' where there is none, as for a count's denominator)."""
        row = self.row(key, start)
        if row is None:
            return ""
        x = row.get(column)
        if self.unit == "count" and column == "numerator" and _missing(x):
            x = row.get("value")
        if _missing(x):
            return ""
        if self.in_full:
            return amount_text(x, self.unit if self.unit == "fte" and column == "numerator" else None)
        return disclosure.masked_count_text(x, self.parts_hidden(key, start))

    def shown_value(self, key: OrgKey, start: dt.date) -> float | None:
        """The value for a chart: None when hidden or missing."""
        row = self.row(key, start)
        if row is None or _missing(row.get("value")) or self.hidden(key, start):
            return None
        return float(row["value"])

    def target(self, key: OrgKey, start: dt.date) -> float | None:
        """The row's target (an org unit's own beats the general one), else the catalogue's."""
        row = self.row(key, start)
        if row is not None and not _missing(row.get("target")):
            return float(row["target"])
        return self.measure.indicator.target if self.measure.indicator.has_target else None

    def rag_text(self, key: OrgKey, start: dt.date) -> str:
        row = self.row(key, start)
        if row is None or (not row.get("rag") and self.target(key, start) is None):
            return ""  # no target, so no status to hide
        return monthly.rag_text(row.get("rag"), self.hidden(key, start))

    def change(self, key: OrgKey, start: dt.date) -> str:
        """The change since the period before, hidden with either value; '' when there is no period before."""
        before = self.previous_start(start)
        now_row = self.row(key, start)
        before_row = self.row(key, before) if before is not None else None
        if now_row is None or before_row is None:
            return ""
        if self.hidden(key, start) or self.hidden(key, before):
            return disclosure.SUPPRESSED
        now, then = now_row.get("value"), before_row.get("value")
        if _missing(now) or _missing(then):
            return ""
        text = change_text(self.unit, float(now) - float(then))
        word = {"better": "better", "worse": "worse"}.get((now_row.get("direction_previous") or "").lower())
        return f"{text} ({word})" if word and text != "no change" else text

    # what the page shows

    def table(self, key: OrgKey, periods: Sequence[Period]) -> pl.DataFrame:
        """One row per period: the time-series table exactly as shown and downloaded (every cell text)."""
        out = []
        for period in periods:
            row = self.row(key, period.start)
            if row is None:
                continue
            target = self.target(key, period.start)
            out.append(
                dict(
                    zip(
                        TABLE_COLUMNS,
                        [
                            period.label,
                            self.part_text(key, period.start, "numerator"),
                            self.part_text(key, period.start, "denominator"),
                            self.value_text(key, period.start),
                            published_text(self.unit, target),
                            self.rag_text(key, period.start),
                            self.change(key, period.start),
                            published_text(self.unit, row.get("england_value")),
                            published_text(self.unit, row.get("region_value")),
                            published_text(self.unit, row.get("sn_value")),
                            benchmark_text(row.get("benchmark_year"), self.measure.benchmark_series),
                        ],
                        strict=True,
                    )
                )
            )
        return pl.DataFrame(out, schema={c: pl.String for c in TABLE_COLUMNS})

    def chart_frame(self, key: OrgKey, periods: Sequence[Period], label: str) -> pl.DataFrame:
        """The chart's lines: the org unit's value (null where hidden, so it is never drawn), its target, and
        England's figure where it sits on the same scale (percentages, rates, ratios)."""
        lines: list[tuple[str, list[tuple[Period, float | None, str]]]] = []
        own = [(p, self.shown_value(key, p.start), self.value_text(key, p.start))
               for p in periods if self.row(key, p.start) is not None]  # fmt: skip
        lines.append((label, own))
        targets = [(p, self.target(key, p.start)) for p in periods if self.row(key, p.start) is not None]
        if any(t is not None for _, t in targets):
            lines.append((TARGET_SERIES, [(p, t, published_text(self.unit, t)) for p, t in targets if t is not None]))
        if self.unit in COMPARABLE_UNITS:
            england = []
            for p in periods:
                row = self.row(key, p.start)
                if row is not None and not _missing(row.get("england_value")):
                    value = float(row["england_value"])
                    england.append((p, value, published_text(self.unit, value)))
            if england:
                lines.append((ENGLAND_SERIES, england))
        order = {p.start: n for n, p in enumerate(periods)}
        out = [
            {
                "series": name,
                "series_order": n,
                "period": p.label,
                "period_order": order[p.start],
                "value": value,
                "value_text": text,
            }
            for n, (name, points) in enumerate(lines)
            for p, value, text in points
        ]
        return pl.DataFrame(out, schema=CHART_SCHEMA)

    def comparator_row(self, key: OrgKey, start: dt.date) -> Row | None:
        """The row whose published comparators belong to the period: the org unit's own, else the authority's."""
        row = self.row(key, start)
        if row is not None and not _missing(row.get("benchmark_year")):
            return row
        la = self.row(("la", self.orgs.la_code), start)
        if la is not None and not _missing(la.get("benchmark_year")):
            return la
        return row or la


CHART_SCHEMA = {
    "series": pl.String,
    "series_order": pl.Int64,
    "period": pl.String,
    "period_order": pl.Int64,
    "value": pl.Float64,
    "value_text": pl.String,
}
SERIES_COLOURS = ["#1d70b8", "#505a5f", "#d4351c"]


def chart(frame: pl.DataFrame, *, y_title: str, value_format: str = ",.1f") -> alt.LayerChart:
    """Lines over time, the periods in order on the x axis; Target dashed, England dotted."""
    frame = plain_types(frame).with_columns(pl.col("value").cast(pl.Float64))
    series = frame.sort("series_order")["series"].unique(maintain_order=True).to_list()
    periods = frame.sort("period_order")["period"].unique(maintain_order=True).to_list()
    palette = [
        {TARGET_SERIES: SERIES_COLOURS[1], ENGLAND_SERIES: SERIES_COLOURS[2]}.get(s, SERIES_COLOURS[0]) for s in series
    ]
    dashes = [{TARGET_SERIES: [6, 4], ENGLAND_SERIES: [2, 2]}.get(s, [1, 0]) for s in series]
    colour = alt.Color(
        "series:N",
        title=None,
        sort=series,
        scale=alt.Scale(domain=series, range=palette),
        legend=alt.Legend(orient="top", labelLimit=400),
    )
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=series, range=dashes), legend=None)
    x = alt.X("period:N", title=None, sort=periods, scale=alt.Scale(domain=periods), axis=alt.Axis(labelAngle=-45))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format=value_format))
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("period:N", title="Period"),
        alt.Tooltip("value_text:N", title=y_title),
    ]
    hover = alt.selection_point(on="pointerover", nearest=True, empty=False, clear="pointerout")
    line = alt.Chart(frame).mark_line(strokeWidth=2).encode(x=x, y=y, color=colour, strokeDash=dash)
    points = (
        alt.Chart(frame)
        .transform_filter("isValid(datum.value)")
        .mark_point(filled=True, size=45)
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
        .add_params(hover)
    )
    return alt.layer(line, points).properties(height=320)


def y_title(measure: Measure) -> str:
    suffix = {"percent": " (%)", "rate_per_10k": " (per 10,000)", "fte": " (FTE)"}.get(measure.unit, "")
    return f"{measure.indicator.short_name}{suffix}"


# --- published comparators ---------------------------------------------------------------------------------------

SUMMARY_COLUMNS = ("Comparator", "Published value")
NEIGHBOUR_COLUMNS = ("Rank", "Statistical neighbour", "Code", "Closeness", "Published value")


def neighbour_mean(neighbours: pl.DataFrame) -> tuple[float | None, int]:
    """The mean of the neighbours' published figures, and how many have one."""
    values = [float(v) for v in neighbours["la_value"].to_list() if not _missing(v)] if neighbours.height else []
    return (sum(values) / len(values) if values else None), len(values)


def summary_table(unit: str, la_name: str, summary: Mapping[str, Any], neighbours: pl.DataFrame) -> pl.DataFrame:
    """The authority's own published figure, England's, the region's and the neighbours' average."""
    mean, count = neighbour_mean(neighbours)

    def text(value: Any) -> str:
        return published_text(unit, value) or NOT_PUBLISHED

    rows = [
        (f"{la_name} (as DfE published it)", text(summary.get("la_value"))),
        ("England", text(summary.get("england_value"))),
        (
            f"{summary['region_name']} (region)" if summary.get("region_name") else "Region",
            text(summary.get("region_value")),
        ),
        (
            f"Statistical neighbours (average of the {count} with a published figure)"
            if count
            else "Statistical neighbours (average)",
            text(mean),
        ),
    ]
    return pl.DataFrame([dict(zip(SUMMARY_COLUMNS, r, strict=True)) for r in rows],
                        schema={c: pl.String for c in SUMMARY_COLUMNS})  # fmt: skip


def neighbours_table(unit: str, neighbours: pl.DataFrame) -> pl.DataFrame:
    """Each statistical neighbour, named, in rank order, with its own published figure."""
    out = []
    for r in neighbours.to_dicts():
        rank = r.get("sn_rank")
        out.append(
            dict(
                zip(
                    NEIGHBOUR_COLUMNS,
                    [
                        "" if _missing(rank) else str(int(rank)),
                        r.get("sn_la_name") or r.get("sn_la_code") or "",
                        r.get("sn_la_code") or "",
                        r.get("closeness") or "",
                        published_text(unit, r.get("la_value")) or NOT_PUBLISHED,
                    ],
                    strict=True,
                )
            )
        )
    return pl.DataFrame(out, schema={c: pl.String for c in NEIGHBOUR_COLUMNS})


def published_label(benchmark_year: Any, reference_date: dt.date | None, benchmark_series: str | None = None) -> str:
    """When published figures are for: "as at 31 March 2024" from the reference date, else as `benchmark_text`."""
    if reference_date is not None:
        return f"as at {formatting.long_date(reference_date)}"
    text = benchmark_text(benchmark_year, benchmark_series)
    return f"for {text}" if text else ""


# --- the definition -----------------------------------------------------------------------------------------------


def and_list(items: Iterable[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def audience_names(audiences: Sequence[str], roles: pl.DataFrame) -> list[str]:
    """Each audience's role name from the roles seed, else its id made readable."""
    names = {r["role_id"]: r["role_name"] for r in roles.to_dicts() if r.get("role_id")} if roles.height else {}
    return [names.get(a) or prettify(a) for a in audiences]


def task_lines(task_ids: Sequence[str], tasks: pl.DataFrame, limit: int = 160) -> list[str]:
    """One line per task in framework order, "4.7: Complaints reported quarterly ...", its text cut to `limit`."""
    texts = {r["task_number"]: (r.get("task") or "") for r in tasks.to_dicts()} if tasks.height else {}
    out = []
    for task in sorted(task_ids, key=_natural):
        text = " ".join(texts.get(task, "").split())
        if len(text) > limit:
            text = text[: limit - 1].rstrip() + "…"
        out.append(f"{task}: {text}" if text else task)
    return out


def details(measure: Measure, domain_name: str, audiences: Sequence[str], tasks: Sequence[str]) -> list[str]:
    """The facts set beside the definition: domain, unit, polarity, grains, comparator series, tasks, audiences."""
    lines = [
        f"**Domain:** {domain_name}",
        f"**Unit:** {UNIT_NAMES.get(measure.unit, measure.unit)}",
        f"**Polarity:** {POLARITY_NAMES.get(measure.indicator.polarity, measure.indicator.polarity)}",
        f"**Reported by:** {and_list(GRAIN_WORDS.get(g, g) for g in measure.grains)}",
    ]
    ind = measure.indicator
    # The definition (layout.definition_markdown) gives the target and the source when the catalogue has them.
    if not ind.has_target:
        lines.append("**Target:** none set in the catalogue")
    if not ind.definition_source:
        lines.append("**Source of the definition:** not recorded")
    if measure.benchmark_series:
        lines.append(f"**Published comparator:** {measure.benchmark_series}")
    if measure.in_full:
        lines.append("**Small numbers:** about staff, not children, so shown in full.")
    lines.append("**QA framework tasks:** " + ("; ".join(tasks) if tasks else "none recorded"))
    lines.append("**Reported to:** " + (and_list(audiences) if audiences else "no audience recorded"))
    return lines
