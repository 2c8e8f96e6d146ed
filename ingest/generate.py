"""Deterministic synthetic SSDA903 returns, Annex A workbooks, CIN census returns, workforce and complaints
extracts, the QA activity log and case-file audits, and reference files.

`generate(out_dir, ...)` writes

    out_dir/ssda903/<la_code>/<yyyy-yy>/{header,episodes,reviews,missing,oc3}.csv
    out_dir/annex_a/<la_code>/<yyyy-mm>/annex_a.xlsx     Ofsted Annex A as at each of the last 12 month ends
    out_dir/cin_census/<la_code>/<yyyy-yy>/cin_census.xml children in need census, each collection year
    out_dir/hr/<la_code>/<yyyy-mm>/{hr_workers,hr_vacancies}.csv   HR extract, each of the last 24 months
    out_dir/csww/<la_code>/<yyyy>/social_work_workforce_<yyyy>.xml workforce census, each 30 September
    out_dir/complaints/<la_code>/<yyyy-mm>/complaints.csv  complaints register as at the range's end
    out_dir/qa_activity/<la_code>/<yyyy-mm>/qa_activity.csv   QA reports delivered, as at the range's end
    out_dir/audits/<la_code>/<yyyy-mm>/{case_file_audits,audit_actions}.csv   case-file audits, as at the end
    out_dir/reference/postcode_centroids.csv   postcode,postcode_district,la_code,latitude,longitude
    out_dir/reference/population.csv           area_code,year,age_group,population
    out_dir/reference/org_units.csv            la_code,team_name,team_id,service_id,service_name
    out_dir/csqa-manifest.json

The same arguments always give byte-identical files. Each LA is drawn from its own random streams
(seed, LA code), so an LA's files do not depend on which other LAs are generated with it, and one seed gives
one history whatever `end` and `years` are. The care model is in `ingest.synthetic.simulate`, the children in
need model in `ingest.synthetic.cin` (the same children: a child who comes into care has a referral,
an assessment and often a section 47 enquiry and a plan before it, under the same id); the workforce (HR
months and the CSWW census cut from one simulated staff history) in `ingest.synthetic.workforce` and the
complaints register in `ingest.synthetic.complaints`, both for the same teams; the QA activity log (the
scheduled reports of the QA register, `dbt_project/seeds/qa_task_audiences.csv`) and the case-file audits (of
the HR extract's own staff in post, in their teams, on children of the children in need model) in
`ingest.synthetic.qa`; the LA sizes come from the published figures in `data/benchmarks/dfe`. Every person,
identifier and postcode is synthetic (postcode areas start with Q, V or X, which no real UK postcode area
does; worker names are made up from short lists; HR and CSWW staff carry made-up staff and SWE numbers, never
names; audit actions and report references are made-up text).
"""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import polars as pl

from .synthetic import cin as cin_model
from .synthetic import codes as C
from .synthetic import simulate as sim
from .synthetic.annex_a import AnnexWriter, as_at_dates
from .synthetic.annex_a import window_start as annex_window_start
from .synthetic.cin_census import write_census
from .synthetic.cin_targets import cin_targets
from .synthetic.complaints import CP_FIRST, Complaints, register_start
from .synthetic.geography import postcode_location
from .synthetic.las import choose_las, la_table
from .synthetic.qa import Audits, activity_rows, write_activity
from .synthetic.teams import UNMAPPED_TEAM, build_teams
from .synthetic.workdays import WorkingDays
from .synthetic.workforce import WF_FIRST, Workforce, census_dates, month_ends
from .synthetic.writer import TABLES, write_la, year_label

__all__ = ["GenerateSummary", "default_end", "collection_years", "generate"]

BURN_IN_YEARS = 18.5
# Every run simulates the same span (widened only for windows reaching outside it), so one seed gives one
# history: runs with a different `end` or `years` write the same files for the years they share.
SIM_FIRST = date(1990, 4, 1)
SIM_LAST = date(2036, 3, 31)
_METROPOLITAN = {"801", "821", "831", "856", "870", "871", "892"}
HR_MONTHS = 24  # monthly HR extracts: the last 24 months of the range
QA_MONTHS = HR_MONTHS  # the QA activity log and case-file audits: the same months


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
    annex_a_as_at: list[date] = field(default_factory=list)
    hr_months: list[date] = field(default_factory=list)  # month ends (the last may be `end`, mid-month)
    csww_dates: list[date] = field(default_factory=list)  # 30 September reference dates
    seconds_by_part: dict[str, float] = field(default_factory=dict)


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


def _child_id7(keys: tuple[int, ...], index: int) -> str:
    """A seven-digit id (Feistel network on 24 bits, cycle-walked into 0..8,999,999): for the children of
    large LAs past the six-digit space."""
    x = index
    while True:
        left, right = x >> 12, x & 0xFFF
        for k in keys:
            left, right = right, left ^ (((right * 0x9E37 + k) ^ (right >> 3)) & 0xFFF)
        x = (left << 12) | right
        if x < 9_000_000:
            return str(1_000_000 + x)


def person_id(keys: tuple[int, ...], key: int) -> str:
    """CHILD / LAchildID for a person key: a care-model child index (< INDEX_OFFSET) keeps the SSDA903 id;
    children who never come into care (INDEX_OFFSET + k, k in order of arrival) take the rest of the
    six-digit space, then seven digits."""
    if key < cin_model.INDEX_OFFSET:
        return _child_id(keys, key)
    k = key - cin_model.INDEX_OFFSET
    if k < cin_model.SIX_DIGIT_CAPACITY:
        return _child_id(keys, key)
    return _child_id7(keys, k - cin_model.SIX_DIGIT_CAPACITY)



@dataclass
class _Run:
    """What every authority's generation shares (set once; worker processes inherit it by fork)."""

    out_dir: Path
    seed: int
    codes: list[str]
    end: date
    cys: list[int]
    year_bounds: list[tuple[int, int, int]]
    window_start: int
    horizon: int
    cin_from: int
    annex_first: int
    as_ats: list[date]
    hr_months: list[date]
    csww_dates: list[date]
    wf_span: tuple[int, int]
    cp_span: tuple[int, int]
    qa_first: date
    wd: WorkingDays


_RUN: _Run | None = None


def _one_la(item: tuple[int, str]) -> tuple[dict, int, set, list, dict, str]:
    """Write every file of one authority: (row counts, files written, postcodes used, org rows, seconds by part,
    progress line). Each authority draws from its own seeded streams, so authorities can be written in any
    order, or side by side in worker processes, and give the same files."""
    k, code = item
    r = _RUN
    assert r is not None
    out_dir, seed, codes, end, cys = r.out_dir, r.seed, r.codes, r.end, r.cys
    year_bounds, window_start, horizon, cin_from = r.year_bounds, r.window_start, r.horizon, r.cin_from
    annex_first, as_ats, hr_months, csww_dates = r.annex_first, r.as_ats, r.hr_months, r.csww_dates
    wf_span, cp_span, qa_first, wd = r.wf_span, r.cp_span, r.qa_first, r.wd
    table = la_table()
    rows: dict[str, int] = {}

    def add(key: str, n: int) -> None:
        rows[key] = rows.get(key, 0) + n

    timing: dict[str, float] = {}
    org_rows: list[dict[str, str]] = []
    n_files = 0
    t_la = time.perf_counter()
    info = table[code]
    ss = np.random.SeedSequence([seed, int(code)])
    rng = np.random.default_rng(ss)
    base, *id_keys = (int(x) for x in ss.generate_state(5, dtype=np.uint32))
    target = info.cla_target
    t_ref = C.day(date(info.cla_published_year or 2025, 3, 31))
    london = _london_share(info.region, code)
    sk = sim.skeleton(
        rng,
        starts_per_year=target / sim.STOCK_PER_ANNUAL_START,
        t_ref=t_ref,
        burn_start=min(C.day(SIM_FIRST), window_start - int(BURN_IN_YEARS * sim.YEAR)),
        horizon=max(C.day(SIM_LAST), horizon),
        cla_target=target,
    )
    # children with a period of care touching the window, or whose children in need history can (the
    # referral before care starts up to PRE_CARE_LEAD earlier; the episode closes up to a year after)
    keep = (sk.end >= cin_from - cin_model.POST_CARE_TAIL - 31) & (
        sk.start <= horizon + cin_model.PRE_CARE_LEAD + 7
    )
    h = sim.detail(sk, keep, code, target, base, london)
    needed = set(h.e_child)
    sim.oc3_rows(sk, h, base, window_start, horizon, needed)
    keys = tuple(id_keys)
    ids = {c: _child_id(keys, c) for c in sorted(needed)}
    la_rows, la_files, la_pcs = write_la(h, ids, out_dir, year_bounds, horizon)
    for t, n in la_rows.items():
        add(t, n)
    n_files += la_files
    postcodes = set(la_pcs)
    t_903 = time.perf_counter()
    timing["ssda903"] = t_903 - t_la

    # children in need: own streams (seed, LA, 1), so the care model's draws are untouched
    css = np.random.SeedSequence([seed, int(code), 1])
    cbase, tbase = (int(x) for x in css.generate_state(2, dtype=np.uint32))
    teams = build_teams(code, random.Random(tbase))
    org_rows += teams.org_rows()
    world = cin_model.CinWorld(code, teams, cin_targets(code), wd=wd)
    world.params = cin_model.calibrate(world.targets, target)
    care_children = set(np.unique(sk.child[keep]).tolist())
    cin_model.simulate_cin(
        world,
        np.random.default_rng(css),
        cbase,
        london,
        sk,
        h,
        care_children,
        cin_from,
        horizon,
        annex_first,
        (min(C.day(cin_model.CIN_FIRST), cin_from - 7 * 366), max(C.day(SIM_LAST), horizon)),
    )
    pids = {key: ids.get(key) or person_id(keys, key) for key in world.persons}
    t_cin = time.perf_counter()
    timing["cin_model"] = t_cin - t_903

    annex = AnnexWriter(world, pids, annex_first, horizon)
    for a in as_ats:
        counts = annex.write(a, out_dir / "annex_a" / code / f"{a:%Y-%m}" / "annex_a.xlsx")
        for sheet, n in counts.items():
            key = f"annex_a_list_{sheet.split()[-1]}"
            if key in rows:
                add(key, n)
        add("annex_a_workbooks", 1)
        n_files += 1
    t_annex = time.perf_counter()
    timing["annex_a"] = t_annex - t_cin

    for cy, ys, ye in year_bounds:
        path = out_dir / "cin_census" / code / year_label(cy) / "cin_census.xml"
        nc, ne = write_census(world, pids, cy, ys, ye, min(ye, horizon), path)
        add("cin_census_children", nc)
        add("cin_census_episodes", ne)
        n_files += 1
    t_census = time.perf_counter()
    timing["cin_census"] = t_census - t_annex

    # workforce and complaints: own streams (seed, LA, 2), for the same teams
    wss = np.random.SeedSequence([seed, int(code), 2])
    wbase, pbase = (int(x) for x in wss.generate_state(2, dtype=np.uint32))
    wf = Workforce(teams, random.Random(wbase), wd, *wf_span)
    for m in hr_months:
        nw, nv = wf.write_month(m, end, out_dir / "hr" / code / f"{m:%Y-%m}")
        add("hr_workers", nw)
        add("hr_vacancies", nv)
        n_files += 2
    for ref_date in csww_dates:
        path = out_dir / "csww" / code / str(ref_date.year) / f"social_work_workforce_{ref_date.year}.xml"
        add("csww_workers", wf.write_census(code, ref_date, path))
        n_files += 1
    t_wf = time.perf_counter()
    timing["workforce"] = t_wf - t_census
    register = Complaints(teams, target, random.Random(pbase), wd, *cp_span)
    n_register = register.write(end, out_dir / "complaints" / code / f"{end:%Y-%m}" / "complaints.csv")
    add("complaints", n_register)
    n_files += 1
    t_cp = time.perf_counter()
    timing["complaints"] = t_cp - t_wf

    # the QA activity log and case-file audits: own streams (seed, LA, 3), on the same staff and children
    qss = np.random.SeedSequence([seed, int(code), 3])
    lbase, abase = (int(x) for x in qss.generate_state(2, dtype=np.uint32))
    add("qa_activity", write_activity(
        activity_rows(lbase, wd, qa_first, end),
        out_dir / "qa_activity" / code / f"{end:%Y-%m}" / "qa_activity.csv",
    ))
    audits = Audits(code, teams, wf, world, pids, abase, wd, qa_first, end)
    n_audits, n_actions = audits.write(out_dir / "audits" / code / f"{end:%Y-%m}")
    add("case_file_audits", n_audits)
    add("audit_actions", n_actions)
    n_files += 3
    timing["qa"] = time.perf_counter() - t_cp
    refs = sum(1 for e in world.episodes if year_bounds[-1][1] <= e.ref <= min(year_bounds[-1][2], horizon))
    line = (
        f"LA {code} {info.name} ({k}/{len(codes)}): {len(ids)} children looked after, "
        f"{la_rows['episodes']} episode rows; {len(world.persons)} children known to social care, "
        f"{refs} referrals in {year_label(cys[-1])}; {n_register} complaints register records; "
        f"{n_audits} case-file audits"
    )
    return rows, n_files, postcodes, org_rows, timing, line


def generate(
    out_dir: Path,
    las: int = 1,
    years: int = 6,
    seed: int = 42,
    end: date | None = None,
    la_codes: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int = 1,
) -> GenerateSummary:
    """Write synthetic SSDA903 returns, Annex A workbooks, CIN census returns, HR and CSWW workforce files, a
    complaints register, a QA activity log and case-file audits for `las` LAs and `years` collection years
    ending at `end`'s.

    `end` defaults to the most recent 31 March; a date inside a financial year makes the last year an
    in-year return holding only what happened up to `end` (and the last Annex A workbook, the last HR month
    and the complaints register are as at `end`). The range runs from 1 April of the first collection year to
    `end`: HR extracts for its last 24 months, a CSWW census for each 30 September in it, one complaints
    register (the last three financial years' records) as at `end`, and, as at `end` too, a QA activity log
    (reports on the periods starting in the HR months, delivered by `end`) and the case-file audits of the HR
    months with their actions. The first LA is 845 (East Sussex) unless `la_codes` is given; further LAs follow
    845's statistical neighbours, then the rest by code.
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
    range_start = date(cys[0] - 1, 4, 1)
    as_ats = as_at_dates(range_start, end)
    hr_months = month_ends(range_start, end, HR_MONTHS)
    csww_dates = census_dates(range_start, end)
    # the workforce and complaints histories: a fixed span, widened only for windows reaching outside it
    wf_span = (min(C.day(WF_FIRST), C.day(range_start) - 2 * 366), max(C.day(SIM_LAST), horizon))
    cp_span = (min(C.day(CP_FIRST), C.day(register_start(end))), max(C.day(SIM_LAST), horizon))
    annex_first = C.day(annex_window_start(as_ats[0]))  # the earliest day any Annex A list reaches
    cin_from = min(window_start, annex_first)  # the earliest day any children in need file reaches
    codes = choose_las(las, la_codes)
    table = la_table()
    say = progress or (lambda _msg: None)
    timing = dict.fromkeys(("ssda903", "cin_model", "annex_a", "cin_census", "workforce", "complaints", "qa"), 0.0)
    # working days for every date the children in need model can reach
    wd = WorkingDays(min(cin_model.CIN_FIRST.year, cys[0] - 6), max(SIM_LAST.year, end.year) + 8)

    summary = GenerateSummary(
        out_dir,
        codes,
        [year_label(cy) for cy in cys],
        end,
        seed,
        annex_a_as_at=as_ats,
        hr_months=hr_months,
        csww_dates=csww_dates,
    )
    rows = dict.fromkeys(TABLES, 0)
    rows.update(dict.fromkeys(("annex_a_workbooks", "cin_census_children", "cin_census_episodes"), 0))
    rows.update({f"annex_a_list_{k}": 0 for k in (1, 3, 4, 5, 6, 7)})
    rows.update(dict.fromkeys(("hr_workers", "hr_vacancies", "csww_workers", "complaints"), 0))
    rows.update(dict.fromkeys(("qa_activity", "case_file_audits", "audit_actions"), 0))
    qa_first = hr_months[0].replace(day=1)
    postcodes: set[str] = set()
    org_rows: list[dict[str, str]] = []
    n_files = 0
    global _RUN
    _RUN = _Run(out_dir, seed, codes, end, cys, year_bounds, window_start, horizon, cin_from, annex_first, as_ats,
                hr_months, csww_dates, wf_span, cp_span, qa_first, wd)
    work = list(enumerate(codes, 1))
    workers = max(1, min(workers or 1, len(codes)))
    try:
        if workers == 1:
            results = map(_one_la, work)
        else:
            # fork: the workers inherit _RUN and the loaded reference tables instead of re-reading them
            pool = multiprocessing.get_context("fork").Pool(workers)
            results = pool.imap(_one_la, work)
        for la_rows, la_files, la_pcs, la_org, la_timing, line in results:
            for t, n in la_rows.items():
                if t in rows:  # the tables the summary counts (Annex A lists 2 and 8-11 are not)
                    rows[t] += n
            for part, sec in la_timing.items():
                timing[part] += sec
            n_files += la_files
            postcodes |= la_pcs
            org_rows += la_org
            say(line)
    finally:
        _RUN = None
        if workers > 1:
            pool.close()
            pool.join()

    t_ref_files = time.perf_counter()
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

    org_cols = ["la_code", "team_name", "team_id", "service_id", "service_name"]
    pl.DataFrame(org_rows, schema=dict.fromkeys(org_cols, pl.String)).write_csv(ref / "org_units.csv")
    rows["org_units"] = len(org_rows)

    manifest = {
        "synthetic": True,
        "generator": "csqa generate",
        "seed": seed,
        "las": codes,
        "years": years,
        "end": end.isoformat(),
        "datasets": {
            "ssda903": "ssda903/<la_code>/<yyyy-yy>/{header,episodes,reviews,missing,oc3}.csv",
            "annex_a": "annex_a/<la_code>/<yyyy-mm>/annex_a.xlsx",
            "cin_census": "cin_census/<la_code>/<yyyy-yy>/cin_census.xml",
            "hr": "hr/<la_code>/<yyyy-mm>/{hr_workers,hr_vacancies}.csv",
            "csww": "csww/<la_code>/<yyyy>/social_work_workforce_<yyyy>.xml",
            "complaints": "complaints/<la_code>/<yyyy-mm>/complaints.csv",
            "qa_activity": "qa_activity/<la_code>/<yyyy-mm>/qa_activity.csv",
            "audits": "audits/<la_code>/<yyyy-mm>/{case_file_audits,audit_actions}.csv",
            "reference": [
                "reference/postcode_centroids.csv",
                "reference/population.csv",
                "reference/org_units.csv",
            ],
        },
        "annex_a_as_at": [a.isoformat() for a in as_ats],
        "hr_months": [m.isoformat() for m in hr_months],
        "csww_reference_dates": [d.isoformat() for d in csww_dates],
        "complaints_as_at": end.isoformat(),
        "qa_as_at": end.isoformat(),
        "collection_years": [year_label(cy) for cy in cys],
        # a team named in the Annex A lists but left out of reference/org_units.csv on purpose
        "unmapped_teams": [UNMAPPED_TEAM],
    }
    (out_dir / "csqa-manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    timing["reference"] = time.perf_counter() - t_ref_files

    summary.rows = rows
    summary.files_by_table = {t: len(codes) * len(cys) for t in TABLES}
    summary.files_by_table.update(
        annex_a=len(codes) * len(as_ats),
        cin_census=len(codes) * len(cys),
        hr_workers=len(codes) * len(hr_months),
        hr_vacancies=len(codes) * len(hr_months),
        csww=len(codes) * len(csww_dates),
        complaints=len(codes),
        qa_activity=len(codes),
        case_file_audits=len(codes),
        audit_actions=len(codes),
        postcode_centroids=1,
        population=1,
        org_units=1,
        manifest=1,
    )
    summary.files = n_files + 4
    summary.seconds = time.perf_counter() - t0
    summary.seconds_by_part = timing
    say(f"wrote {summary.files} files to {out_dir} in {summary.seconds:.1f}s")
    return summary
