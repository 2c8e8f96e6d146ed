"""Children in need and child protection volumes each LA is calibrated to, from `data/benchmarks/dfe`.

Each figure is the mean of the LA's last three published years (2023-2025 in the files shipped); where an LA
has no published value (suppressed, merged or missing) the England figure is used, as a rate per 10,000
children aged 0-17 for counts and as the national percentage for shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .las import _rows, benchmarks_dir, la_table

REFERRALS_FILE = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
CIN_FILE = "b1_children_in_need_2013_to_2025.csv"
SUBSEQUENT_FILE = "d3_cpps_subsequent_plan_2013_to_2025.csv"
DURATION_FILE = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
POPULATION_FILE = "ons_mid-year_population_estimates_2012_to_2024.csv"
YEARS_AVERAGED = 3

# (file, column, kind): kind "count" is scaled by population where missing, "pct" is a percentage
FIELDS = {
    "referrals": (REFERRALS_FILE, "referral_count", "count"),
    "rereferral_pct": (REFERRALS_FILE, "rereferral_percent", "pct"),
    "nfa_pct": (REFERRALS_FILE, "no_further_action_percent", "pct"),
    "not_in_need_pct": (REFERRALS_FILE, "not_in_need_percent", "pct"),
    "cin_at31": (CIN_FILE, "At31_episodes", "count"),
    "cpp_starts": (SUBSEQUENT_FILE, "CPP_start", "count"),
    "cpp_subsequent_pct": (SUBSEQUENT_FILE, "CPP_subsequent_percent", "pct"),
    "cpp_at31": (DURATION_FILE, "CPP_At31", "count"),
    "cpp_2y_pct": (DURATION_FILE, "2_years_or_more_percent", "pct"),
}


@dataclass(frozen=True)
class CinTargets:
    referrals: float  # a year
    rereferral_pct: float
    nfa_pct: float
    not_in_need_pct: float
    cin_at31: float
    cpp_starts: float
    cpp_subsequent_pct: float
    cpp_at31: float
    cpp_2y_pct: float
    published: tuple[str, ...]  # the fields taken from the LA's own published figures


def _num(v: str | None) -> float | None:
    try:
        return float((v or "").strip())
    except ValueError:
        return None


@cache
def _series() -> tuple[dict, dict, float]:
    """{(field, la_code): {year: value}}, {field: {year: England value}}, England population 0-17."""
    d = benchmarks_dir()
    la: dict[tuple[str, str], dict[int, float]] = {}
    nat: dict[str, dict[int, float]] = {}
    by_file: dict[str, list[tuple[str, str]]] = {}
    for f, (file, col, _) in FIELDS.items():
        by_file.setdefault(file, []).append((f, col))
    for file, cols in by_file.items():
        path = d / file
        if not path.is_file():
            continue
        for r in _rows(path):
            level = r.get("geographic_level")
            y = int(r["time_period"])
            for f, col in cols:
                v = _num(r.get(col))
                if v is None:
                    continue
                if level == "Local authority":
                    la.setdefault((f, r["old_la_code"]), {})[y] = v
                elif level == "National":
                    nat.setdefault(f, {})[y] = v
    pop = 0.0
    path = d / POPULATION_FILE
    latest = 0
    for r in _rows(path):
        if r["geographic_level"] == "National":
            y = int(r["time_period"])
            v = _num(r.get("population_estimate"))
            if v and y >= latest:
                latest, pop = y, v
    return la, nat, pop


def _mean_recent(series: dict[int, float] | None) -> float | None:
    if not series:
        return None
    ys = sorted(series)[-YEARS_AVERAGED:]
    return sum(series[y] for y in ys) / len(ys)


@cache
def cin_targets(code: str) -> CinTargets:
    la, nat, england_pop = _series()
    info = la_table()[code]
    pop = info.latest_population
    vals: dict[str, float] = {}
    published = []
    for f, (_, _, kind) in FIELDS.items():
        v = _mean_recent(la.get((f, code)))
        if v is not None and (kind == "pct" or v > 0):
            vals[f] = v
            published.append(f)
            continue
        n = _mean_recent(nat.get(f)) or 0.0
        vals[f] = n * pop / england_pop if kind == "count" and england_pop else n
    return CinTargets(**vals, published=tuple(published))
