"""Deterministic synthetic SSDA903 returns, postcode centroids and population for one or more LAs.

`generate(out_dir, ...)` writes

    out_dir/ssda903/<la_code>/<yyyy-yy>/{header,episodes,reviews,missing,oc3}.csv
    out_dir/reference/postcode_centroids.csv   postcode,postcode_district,la_code,latitude,longitude
    out_dir/reference/population.csv           area_code,year,age_group,population
    out_dir/csqa-manifest.json

The same arguments always give byte-identical files. Each LA is drawn from its own random stream
(seed, LA code), so an LA's files do not depend on which other LAs are generated with it. The model is in
`ingest.synthetic.simulate`; the LA sizes come from the published figures in `data/benchmarks/dfe`. Every
person, identifier and postcode is synthetic (postcode areas start with Q, V or X, which no real UK postcode
area does).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from .synthetic import codes as C
from .synthetic import simulate as sim
from .synthetic.geography import postcode_location
from .synthetic.las import choose_las, la_table
from .synthetic.writer import TABLES, write_la, year_label

__all__ = ["GenerateSummary", "default_end", "collection_years", "generate"]

BURN_IN_YEARS = 18.5
# Every run simulates the same span (widened only for windows reaching outside it), so one seed gives one
# history: runs with a different `end` or `years` write the same files for the years they share.
SIM_FIRST = date(1990, 4, 1)
SIM_LAST = date(2036, 3, 31)
_METROPOLITAN = {"801", "821", "831", "856", "870", "871", "892"}


@dataclass
class GenerateSummary:
    out_dir: Path
    la_codes: list[str]
    collection_years: list[str]  # "2020-21", ...
    end: date
    seed: int
    files: int = 0  # every file written, reference files and manifest included
    rows: dict[str, int] = field(default_factory=dict)  # per table: header, episodes, ..., postcode_centroids
    files_by_table: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def default_end(today: date | None = None) -> date:
    """The most recent 31 March on or before today."""
    today = today or date.today()
    return date(today.year if today >= date(today.year, 3, 31) else today.year - 1, 3, 31)


def collection_years(end: date, years: int) -> list[int]:
    """Collection years (year ending 31 March) ending with the one `end` falls in."""
    last = end.year if end <= date(end.year, 3, 31) else end.year + 1
    return list(range(last - years + 1, last + 1))


def _london_share(region: str, code: str) -> float:
    if "London" in region:
        return 1.0
    if code.startswith("3") or code in _METROPOLITAN:
        return 0.45
    return 0.0


def _child_id(keys: tuple[int, ...], index: int) -> str:
    """A six-digit CHILD for a child index: a keyed permutation (Feistel network on 20 bits, cycle-walked
    into 0..899,999), so ids are unique within the LA, look random and never depend on who else is written."""
    x = index
    while True:
        left, right = x >> 10, x & 0x3FF
        for k in keys:
            left, right = right, left ^ (((right * 0x9E37 + k) ^ (right >> 3)) & 0x3FF)
        x = (left << 10) | right
        if x < 900_000:
            return str(100_000 + x)


def generate(
    out_dir: Path,
    las: int = 1,
    years: int = 6,
    seed: int = 42,
    end: date | None = None,
    la_codes: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Write synthetic SSDA903 returns for `las` LAs and `years` collection years ending at `end`'s.

    `end` defaults to the most recent 31 March; a date inside a financial year makes the last year an
    in-year return holding only what happened up to `end`. The first LA is 845 (East Sussex) unless
    `la_codes` is given; further LAs follow 845's statistical neighbours, then the rest by code.
    """
    t0 = time.perf_counter()
    if years < 1:
        raise ValueError("years must be at least 1")
    if las < 1 and not la_codes:
        raise ValueError("las must be at least 1")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    out_dir = Path(out_dir)
    if isinstance(end, datetime):
        end = end.date()
    end = end or default_end()
    cys = collection_years(end, years)
    year_bounds = [(cy, C.day(date(cy - 1, 4, 1)), C.day(date(cy, 3, 31))) for cy in cys]
    window_start, horizon = year_bounds[0][1], C.day(end)
    codes = choose_las(las, la_codes)
    table = la_table()
    say = progress or (lambda _msg: None)

    summary = GenerateSummary(out_dir, codes, [year_label(cy) for cy in cys], end, seed)
    rows = dict.fromkeys(TABLES, 0)
    postcodes: set[str] = set()
    n_files = 0
    for k, code in enumerate(codes, 1):
        info = table[code]
        ss = np.random.SeedSequence([seed, int(code)])
        rng = np.random.default_rng(ss)
        base, *id_keys = (int(x) for x in ss.generate_state(5, dtype=np.uint32))
        target = info.cla_target
        t_ref = C.day(date(info.cla_published_year or 2025, 3, 31))
        sk = sim.skeleton(
            rng,
            starts_per_year=target / sim.STOCK_PER_ANNUAL_START,
            t_ref=t_ref,
            burn_start=min(C.day(SIM_FIRST), window_start - int(BURN_IN_YEARS * sim.YEAR)),
            horizon=max(C.day(SIM_LAST), horizon),
            cla_target=target,
        )
        keep = (sk.end >= window_start) & (sk.start <= horizon)
        h = sim.detail(sk, keep, code, target, base, _london_share(info.region, code))
        needed = set(h.e_child)
        sim.oc3_rows(sk, h, base, window_start, horizon, needed)
        ids = {c: _child_id(tuple(id_keys), c) for c in sorted(needed)}
        la_rows, la_files, la_pcs = write_la(h, ids, out_dir, year_bounds, horizon)
        for t, n in la_rows.items():
            rows[t] += n
        n_files += la_files
        postcodes |= la_pcs
        say(f"LA {code} {info.name} ({k}/{len(codes)}): {len(ids)} children, {la_rows['episodes']} episode rows")

    ref = out_dir / "reference"
    ref.mkdir(parents=True, exist_ok=True)
    pcs = sorted(postcodes)
    locs = [postcode_location(p) for p in pcs]
    pl.DataFrame(
        {
            "postcode": pcs,
            "postcode_district": [x[0] for x in locs],
            "la_code": [x[1] for x in locs],
            "latitude": [x[2] for x in locs],
            "longitude": [x[3] for x in locs],
        },
        schema={
            "postcode": pl.String,
            "postcode_district": pl.String,
            "la_code": pl.String,
            "latitude": pl.Float64,
            "longitude": pl.Float64,
        },
    ).write_csv(ref / "postcode_centroids.csv", float_precision=6)
    rows["postcode_centroids"] = len(pcs)

    # mid-year estimates: the one before each collection year (the DfE denominator) and the last year's own
    pop_years = list(range(cys[0] - 1, cys[-1] + 1))
    pop = pl.DataFrame(
        [
            {"area_code": c, "year": y, "age_group": "0-17", "population": table[c].population_for(y)}
            for c in codes
            for y in pop_years
        ],
        schema={"area_code": pl.String, "year": pl.Int64, "age_group": pl.String, "population": pl.Int64},
    )
    pop.write_csv(ref / "population.csv")
    rows["population"] = pop.height

    manifest = {
        "synthetic": True,
        "generator": "csqa generate",
        "seed": seed,
        "las": codes,
        "years": years,
        "end": end.isoformat(),
    }
    (out_dir / "csqa-manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")

    summary.rows = rows
    summary.files_by_table = {t: len(codes) * len(cys) for t in TABLES}
    summary.files_by_table.update(postcode_centroids=1, population=1, manifest=1)
    summary.files = n_files + 3
    summary.seconds = time.perf_counter() - t0
    say(f"wrote {summary.files} files to {out_dir} in {summary.seconds:.1f}s")
    return summary
