"""Which LAs to generate, and their sizes, from the published figures in `data/benchmarks/dfe`."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .geography import LA_CENTROIDS

DEMO_LA = "845"
ENGLAND_CLA_RATE_PER_10K = 67.0  # 31 March 2025, used where an LA has no published count
POPULATION_FILE = "ons_mid-year_population_estimates_2012_to_2024.csv"
CLA_FILE = "cla_number_and_rate_per_10k_children.csv"
SN_FILE = "sn_model_2025_wide.csv"
# tiny authorities go last in the default order (DfE often reports them with a neighbour)
_LAST = ("201", "420")


def benchmarks_dir() -> Path:
    env = os.environ.get("CSQA_BENCHMARKS_DIR")
    candidates = [Path(env)] if env else []
    candidates += [
        Path(__file__).resolve().parents[2] / "data" / "benchmarks" / "dfe",
        Path.cwd() / "data" / "benchmarks" / "dfe",
    ]
    for c in candidates:
        if (c / POPULATION_FILE).is_file():
            return c
    raise FileNotFoundError(
        f"cannot find {POPULATION_FILE} (looked in {', '.join(str(c) for c in candidates)}); "
        "set CSQA_BENCHMARKS_DIR to the folder holding the DfE benchmark CSVs"
    )


def _rows(path: Path):
    with path.open(newline="", encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


def _int(v: str | None) -> int | None:
    v = (v or "").strip()
    return int(v) if v.isdigit() else None


@dataclass
class LAInfo:
    code: str
    name: str
    region: str
    population: dict[int, int] = field(default_factory=dict)  # mid-year -> children aged 0-17
    cla_published: int | None = None  # latest published CLA at 31 March
    cla_published_year: int | None = None

    @property
    def latest_population(self) -> int:
        return self.population[max(self.population)]

    @property
    def cla_target(self) -> float:
        """CLA at 31 March (latest published year) the simulation is scaled to."""
        if self.cla_published:
            return float(self.cla_published)
        return self.latest_population * ENGLAND_CLA_RATE_PER_10K / 10_000

    def population_for(self, year: int) -> int:
        """Mid-year estimate, carried forward (or back) from the nearest published year."""
        if year in self.population:
            return self.population[year]
        years = sorted(self.population)
        return self.population[years[-1] if year > years[-1] else years[0]]


@cache
def la_table() -> dict[str, LAInfo]:
    """Every LA present in the latest year of the ONS file, with its published figures."""
    d = benchmarks_dir()
    pops: dict[str, LAInfo] = {}
    latest = 0
    rows = [r for r in _rows(d / POPULATION_FILE) if r["geographic_level"] == "Local authority"]
    for r in rows:
        latest = max(latest, int(r["time_period"]))
    current = {r["old_la_code"] for r in rows if int(r["time_period"]) == latest}
    for r in rows:
        code = r["old_la_code"]
        if code not in current:
            continue
        info = pops.setdefault(code, LAInfo(code, r["la_name"], r["region_name"]))
        if int(r["time_period"]) == latest:
            info.name, info.region = r["la_name"], r["region_name"]
        pop = _int(r["population_estimate"])
        if pop is not None:
            info.population[int(r["time_period"])] = pop
    cla_path = d / CLA_FILE
    if cla_path.is_file():
        for r in _rows(cla_path):
            if r["geographic_level"] != "Local authority" or "31 March" not in r["population_type"]:
                continue
            info = pops.get(r["old_la_code"])
            n = _int(r["children_count"])
            if info is None or n is None:
                continue
            y = int(r["time_period"])
            if info.cla_published_year is None or y > info.cla_published_year:
                info.cla_published, info.cla_published_year = n, y
    return {c: pops[c] for c in sorted(pops) if c in LA_CENTROIDS and pops[c].population}


def default_order() -> list[str]:
    """845 first, then its statistical neighbours (DfE 2025 model), then the rest by code, tiny LAs last."""
    table = la_table()
    order = [DEMO_LA] if DEMO_LA in table else []
    sn_path = benchmarks_dir() / SN_FILE
    if sn_path.is_file():
        for r in _rows(sn_path):
            if r["old_la_code"] == DEMO_LA:
                for k in range(1, 11):
                    c = (r.get(f"SN_{k}") or "").strip()
                    if c in table and c not in order:
                        order.append(c)
    rest = [c for c in sorted(table) if c not in order and c not in _LAST]
    return order + rest + [c for c in _LAST if c in table]


def choose_las(las: int, la_codes: list[str] | None) -> list[str]:
    table = la_table()
    chosen: list[str] = []
    for c in la_codes or []:
        c = str(c).strip()
        if c not in table:
            raise ValueError(f"unknown LA code {c!r}: not a current English LA in {POPULATION_FILE}")
        if c not in chosen:
            chosen.append(c)
    n = max(las, len(chosen))
    for c in default_order():
        if len(chosen) >= n:
            break
        if c not in chosen:
            chosen.append(c)
    if len(chosen) < n:
        raise ValueError(f"asked for {n} LAs but only {len(table)} are known")
    return chosen
