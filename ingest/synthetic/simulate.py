"""The care-history model behind the synthetic returns.

One LA at a time, over a fixed span (1990 to 2036, wider only if the output window needs it), so one seed
gives one history whatever `end` and `years` are:

1. `skeleton`: periods of care drawn with numpy, year by year. New children arrive stratified within each
   year at a rate that grows slowly (CLA numbers have risen for two decades), with a few per cent of
   year-to-year wobble, nudged towards the LA's published CLA count. Each period gets an age at entry, an
   outcome class (return home, adoption, SGO/CAO, stays until 18, other, remand) and a duration; children
   who go home may come back (re-entries). A small separate group has short breaks only (V3/V4).
2. `detail`: for every child with a period touching the output window, in plain Python with the child's own
   seeded `random.Random`: the legal-status timeline (L1/L2 -> C1 -> C2, V2, E1 before adoption, J1-J3
   remand), the placements (type by age and history, provider, carer, postcode, URN; moves as a
   frailty-weighted hazard; moves to supported accommodation after 16), changes of placement code with the
   same carer (U6 -> U4 long-term match, U3 -> U1, fostering for adoption U5 -> A5), then episodes
   (RNE S/L/P/T/B/U, X1 chains, REC, reason for placement change), reviews, missing episodes, and oc3 rows
   for care leavers.

The result is the LA's whole history; `writer` cuts it into collection years (and writes retired placement
codes as their successors from the changeover year: see `codes`).

The parameters were calibrated against East Sussex's published figures (2021-2025): CLA at 31 March,
starts, ceased, 3+ placements, long-term stability, and a typical placement mix.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np

from . import codes as C
from .geography import la_geo, neighbours, postcode_location, random_postcode, random_postcode_near

# outcome classes
HOME, ADOPT, SGO, AGE18, OTHER, REMAND, SHORT_BREAK = range(7)

YEAR = 365.25
# age bands at entry: <1, 1-4, 5-9, 10-15, 16-17
ENTRY_AGE_BANDS = (0.18, 0.13, 0.15, 0.36, 0.18)
# outcome class probabilities by age band at entry (HOME, ADOPT, SGO, AGE18, OTHER, REMAND)
CLASS_BY_BAND = np.array(
    [
        [0.22, 0.36, 0.22, 0.14, 0.06, 0.00],
        [0.30, 0.20, 0.26, 0.19, 0.05, 0.00],
        [0.40, 0.02, 0.20, 0.30, 0.08, 0.00],
        [0.37, 0.00, 0.06, 0.38, 0.12, 0.07],
        [0.26, 0.00, 0.00, 0.55, 0.11, 0.08],
    ]
)
UASC_SHARE_16PLUS = 0.2
REENTRY_P = 0.22
GROWTH_PER_YEAR = 0.02
# CLA at 31 March per new child arriving a year, as this model produces it (calibrated by simulation)
STOCK_PER_ANNUAL_START = 2.93
SHORT_BREAK_SHARE = 0.035  # short-break children in the series at any time, per CLA


def _cum(pairs):
    vals = [v for v, _ in pairs]
    tot = sum(w for _, w in pairs)
    cum = list(accumulate(w / tot for _, w in pairs))
    cum[-1] = 1.0
    return vals, cum


def _pick(r: random.Random, vc):
    vals, cum = vc
    return vals[bisect_left(cum, r.random())]


def birthday(dob: np.ndarray, years: int) -> np.ndarray:
    """Exact birthdays (days since epoch) for dates of birth in days since epoch; 29 Feb -> 1 Mar."""
    d = dob.astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dd = (d - m.astype("datetime64[D]")).astype(np.int64)
    return ((m + 12 * years).astype("datetime64[D]").astype(np.int64) + dd).astype(np.int64)


# ----------------------------------------------------------------------------------------------------------
# 1. skeleton


@dataclass
class Skeleton:
    # per period
    child: np.ndarray
    start: np.ndarray
    end: np.ndarray
    klass: np.ndarray
    # per child
    dob: np.ndarray
    sex: np.ndarray
    uasc: np.ndarray
    short_break: np.ndarray


def _draw_classes_and_ends(rng, start, dob, uasc, bday18):
    n = len(start)
    age = (start - dob) / YEAR
    band = np.digitize(age, [1, 5, 10, 16])
    cum = CLASS_BY_BAND.cumsum(axis=1)[band]
    klass = (rng.random(n)[:, None] > cum).sum(axis=1)
    klass = np.minimum(klass, REMAND)
    klass = np.where((klass == REMAND) & (age < 12), OTHER, klass)
    klass = np.where((klass == ADOPT) & (age >= 6), SGO, klass)
    klass = np.where(uasc, np.where(rng.random(n) < 0.85, AGE18, OTHER), klass)
    ln = rng.standard_normal(n)
    u = rng.random(n)
    dur = np.select(
        [klass == HOME, klass == ADOPT, klass == SGO, klass == OTHER, klass == REMAND],
        [
            np.exp(math.log(240) + 1.1 * ln),
            420 + 480 * u,
            np.exp(math.log(600) + 0.55 * ln),
            np.exp(math.log(180) + 1.2 * ln),
            np.where(u < 0.25, 1 + (u * 8).astype(int), np.exp(math.log(45) + 0.8 * ln)),
        ],
        default=1e9,  # AGE18: until the 18th birthday
    )
    early = (klass == AGE18) & (rng.random(n) < 0.15)
    early_at = dob + (16.3 + 1.6 * rng.random(n)) * YEAR
    dur = np.where(early & (early_at > start + 30), early_at - start, dur)
    dur = np.maximum(dur, 1)
    end = np.minimum(start + dur.astype(np.int64), bday18)
    klass = np.where((end == bday18) & (klass != AGE18), AGE18, klass)
    return klass, end


def _arrivals(rng, start, first_child, horizon):
    """Children arriving at `start` (days): their attributes and every period of care (first + re-entries)."""
    n = len(start)
    band = np.searchsorted(np.cumsum(ENTRY_AGE_BANDS), rng.random(n), side="right")
    band = np.minimum(band, 4)
    lo = np.array([0.0, 1, 5, 10, 16])[band]
    hi = np.array([1.0, 5, 10, 16, 17.85])[band]
    age = lo + (hi - lo) * rng.random(n)
    newborn = (band == 0) & (rng.random(n) < 0.4)
    age = np.where(newborn, rng.random(n) * 30 / YEAR, age)
    dob = start - (age * YEAR).astype(np.int64)
    sex = np.where(rng.random(n) < 0.56, 1, 2).astype(np.int8)
    uasc = (band == 4) & (rng.random(n) < UASC_SHARE_16PLUS)
    sex = np.where(uasc & (rng.random(n) < 0.94), 1, sex).astype(np.int8)
    bday18 = birthday(dob, 18)
    bday17 = birthday(dob, 17)
    klass, end = _draw_classes_and_ends(rng, start, dob, uasc, bday18)

    local = np.arange(n)
    p_child, p_start, p_end, p_klass = [local], [start], [end], [klass]
    cur_child, cur_end, cur_klass = local, end, klass
    for _ in range(3):  # re-entries after going home
        m = (
            np.isin(cur_klass, (HOME, OTHER, REMAND))
            & (cur_end < bday17[cur_child])
            & (rng.random(len(cur_child)) < REENTRY_P)
        )
        ch = cur_child[m]
        gap = np.maximum(14, np.exp(math.log(420) + 0.8 * rng.standard_normal(len(ch)))).astype(np.int64)
        s2 = cur_end[m] + gap
        ok = (s2 < bday18[ch] - 60) & (s2 <= horizon) & ~uasc[ch]
        ch, s2 = ch[ok], s2[ok]
        if len(ch) == 0:
            break
        k2, e2 = _draw_classes_and_ends(rng, s2, dob[ch], uasc[ch], bday18[ch])
        p_child.append(ch), p_start.append(s2), p_end.append(e2), p_klass.append(k2)
        cur_child, cur_end, cur_klass = ch, e2, k2
    periods = (
        np.concatenate(p_child) + first_child,
        np.concatenate(p_start),
        np.concatenate(p_end),
        np.concatenate(p_klass),
    )
    return dob, sex, uasc, periods


def skeleton(
    rng: np.random.Generator, starts_per_year: float, t_ref: int, burn_start: int, horizon: int, cla_target: float
) -> Skeleton:
    """Periods of care on [burn_start, horizon], year by year. Arrivals are stratified within each year with
    a smooth wobble of a few per cent, and (once the stock has built up) nudged towards the LA's trajectory:
    the published CLA count at `t_ref`, growing GROWTH_PER_YEAR a year."""
    b = GROWTH_PER_YEAR / YEAR
    control_from = burn_start + int(18 * YEAR)
    dobs, sexes, uascs, pc, ps, pe, pk = [], [], [], [], [], [], []
    n = 0
    t0 = burn_start
    z = 0.0
    while t0 <= horizon:
        t1 = min(horizon + 1, t0 + int(YEAR))
        a0, a1 = math.exp(b * (t0 - t_ref)), math.exp(b * (t1 - t_ref))
        z = 0.6 * z + 0.8 * float(rng.standard_normal())
        expected = starts_per_year / YEAR / b * (a1 - a0) * math.exp(0.04 * z)
        if t0 >= control_from and ps:
            s_all, e_all = np.concatenate(ps), np.concatenate(pe)
            stock = int(((s_all <= t0) & (e_all > t0)).sum())
            target = cla_target * math.exp(b * (t0 - t_ref))
            expected *= min(1.3, max(0.75, (target / max(stock, 1.0)) ** 1.5))
        k = int(expected) + int(rng.random() < expected - int(expected))
        u = (np.arange(k) + rng.random(k)) / max(k, 1)
        start = (t_ref + np.log(a0 + u * (a1 - a0)) / b).astype(np.int64)
        dob, sex, uasc, (c, s_, e_, k_) = _arrivals(rng, start, n, horizon)
        dobs.append(dob), sexes.append(sex), uascs.append(uasc)
        pc.append(c), ps.append(s_), pe.append(e_), pk.append(k_)
        n += k
        t0 = t1
    dob, sex, uasc = np.concatenate(dobs), np.concatenate(sexes), np.concatenate(uascs)
    p_child, p_start, p_end, p_klass = pc, ps, pe, pk

    # short-break children (V3/V4 only): a separate, small group aged 5-17
    span_years = (horizon - burn_start) / YEAR
    n_sb = int(rng.poisson(cla_target * SHORT_BREAK_SHARE / 2.5 * span_years))
    sb_start = np.sort(rng.integers(burn_start, horizon + 1, n_sb))
    sb_age = 5 + 11.5 * rng.random(n_sb)
    sb_dob = sb_start - (sb_age * YEAR).astype(np.int64)
    sb_end = np.minimum(
        sb_start + np.exp(math.log(2.5 * YEAR) + 0.6 * rng.standard_normal(n_sb)).astype(np.int64),
        birthday(sb_dob, 18),
    )
    sb_children = n + np.arange(n_sb)

    child = np.concatenate(p_child + [sb_children])
    order = np.argsort(np.concatenate(p_start + [sb_start]), kind="stable")
    return Skeleton(
        child=child[order],
        start=np.concatenate(p_start + [sb_start])[order],
        end=np.concatenate(p_end + [sb_end])[order],
        klass=np.concatenate(p_klass + [np.full(n_sb, SHORT_BREAK)])[order],
        dob=np.concatenate([dob, sb_dob]),
        sex=np.concatenate([sex, np.where(rng.random(n_sb) < 0.65, 1, 2).astype(np.int8)]),
        uasc=np.concatenate([uasc, np.zeros(n_sb, bool)]),
        short_break=np.concatenate([np.zeros(n, bool), np.ones(n_sb, bool)]),
    )


# ----------------------------------------------------------------------------------------------------------
# 2. detail

L, F, K, R_, S_, P_, A_, SEC, MB, NHS_, YOI_, SCH = (
    C.LA_FOSTER,
    C.IFA,
    C.KIN,
    C.RESI,
    C.SUPPORTED,
    C.PARENTS,
    C.ADOPTION,
    C.SECURE,
    C.MOTHER_BABY,
    C.NHS,
    C.YOI,
    C.SCHOOL,
)

# first-placement group weights by age band (<1, 1-4, 5-11, 12-15, 16-17)
FIRST_GROUP = (
    ((L, 0.60), (F, 0.12), (K, 0.18), (MB, 0.10)),
    ((L, 0.57), (F, 0.15), (K, 0.21), (R_, 0.01), (NHS_, 0.03), (SCH, 0.03)),
    ((L, 0.47), (F, 0.18), (K, 0.19), (R_, 0.095), (SCH, 0.04), (NHS_, 0.025)),
    ((L, 0.33), (F, 0.17), (K, 0.12), (R_, 0.29), (SEC, 0.025), (NHS_, 0.025), (SCH, 0.04)),
    ((L, 0.18), (F, 0.11), (K, 0.07), (R_, 0.15), (S_, 0.46), (SEC, 0.01), (YOI_, 0.01), (NHS_, 0.01)),
)
MOVE_GROUP = (
    ((L, 0.72), (F, 0.21), (K, 0.07)),
    ((L, 0.62), (F, 0.26), (K, 0.09), (R_, 0.01), (SCH, 0.02)),
    ((L, 0.47), (F, 0.28), (K, 0.08), (R_, 0.13), (SCH, 0.04)),
    ((L, 0.26), (F, 0.23), (K, 0.05), (R_, 0.39), (SEC, 0.03), (NHS_, 0.01), (SCH, 0.03)),
    ((L, 0.12), (F, 0.09), (K, 0.03), (R_, 0.14), (S_, 0.60), (SEC, 0.005), (YOI_, 0.01), (NHS_, 0.005)),
)
MOVE_FROM_RESI = (((R_, 0.55), (F, 0.22), (L, 0.15), (SEC, 0.05), (SCH, 0.03)),)
REMAND_GROUP = ((R_, 0.35), (L, 0.28), (F, 0.22), (SEC, 0.08), (YOI_, 0.07))
SB_GROUP = ((L, 0.55), (R_, 0.45))
_FIRST = [_cum(x) for x in FIRST_GROUP]
_MOVE = [_cum(x) for x in MOVE_GROUP]
_MOVE_RESI = _cum(MOVE_FROM_RESI[0])
_REMAND = _cum(REMAND_GROUP)
_SB = _cum(SB_GROUP)

# mean placement duration in years (exponential), by group; foster carers by age band
FOSTER_MEAN = (5.5, 5.5, 5.0, 2.5, 1.7)
GROUP_MEAN = {K: 7.0, R_: 1.6, S_: 0.9, SEC: 0.3, MB: 0.35, NHS_: 0.4, YOI_: 0.3, SCH: 3.0}

LS_START = {
    HOME: _cum((("V2", 0.55), ("C1", 0.29), ("L1", 0.10), ("L2", 0.04), ("C2", 0.02))),
    ADOPT: _cum((("C1", 0.55), ("V2", 0.28), ("L1", 0.07), ("L2", 0.05), ("C2", 0.05))),
    SGO: _cum((("C1", 0.50), ("V2", 0.33), ("L1", 0.08), ("L2", 0.04), ("C2", 0.05))),
    AGE18: _cum((("V2", 0.30), ("C1", 0.53), ("L1", 0.10), ("L2", 0.02), ("C2", 0.05))),
    OTHER: _cum((("V2", 0.62), ("C1", 0.18), ("L1", 0.15), ("L2", 0.05))),
}
V2_TO_C1 = {HOME: 0.12, ADOPT: 1.0, SGO: 0.8, AGE18: 0.8, OTHER: 0.05}

REC_HOME = _cum((("E4A", 0.85), ("E4B", 0.15)))
REC_ADOPT = _cum((("E11", 0.55), ("E12", 0.45)))
REC_SGO_KIN = _cum((("E45", 0.60), ("E41", 0.25), ("E47", 0.15)))
REC_SGO_FOSTER = _cum((("E46", 0.65), ("E48", 0.22), ("E41", 0.13)))
REC_SGO_OTHER = _cum((("E47", 0.5), ("E48", 0.3), ("E41", 0.2)))
REC_18_FOSTER = _cum((("E17", 0.30), ("E5", 0.34), ("E6", 0.10), ("E13", 0.10), ("E8", 0.11), ("E7", 0.05)))
REC_18_SUPPORTED = _cum((("E5", 0.65), ("E6", 0.20), ("E13", 0.05), ("E8", 0.10)))
REC_18_RESI = _cum((("E5", 0.50), ("E7", 0.15), ("E6", 0.10), ("E13", 0.10), ("E8", 0.15)))
REC_18_OTHER = _cum((("E5", 0.40), ("E6", 0.20), ("E8", 0.25), ("E13", 0.15)))
REC_EARLY = _cum((("E5", 0.35), ("E6", 0.20), ("E13", 0.25), ("E4A", 0.10), ("E8", 0.10)))
REC_OTHER = _cum((("E13", 0.35), ("E8", 0.32), ("E3", 0.10), ("E16", 0.05), ("E9", 0.06), ("E4B", 0.11), ("E2", 0.01)))
REC_OTHER_YOUNG = _cum((("E13", 0.40), ("E8", 0.35), ("E3", 0.12), ("E16", 0.05), ("E4B", 0.08)))
REC_UASC_OTHER = _cum((("E15", 0.55), ("E8", 0.30), ("E16", 0.15)))
REC_REMAND = _cum((("E14", 0.55), ("E9", 0.30), ("E4A", 0.15)))
RPC = _cum(C.REASON_PLACE_CHANGE)
CIN = _cum(list(zip(C.CIN_CODES, C.CIN_WEIGHTS, strict=True)))
REVIEW = _cum(C.REVIEW_CODES_4PLUS)
IN_TOUCH = _cum(C.OC3_IN_TOUCH)
ACTIV = _cum(C.OC3_ACTIV)
ACCOM = _cum(C.OC3_ACCOM)
PROV_IFA = _cum((("PR4", 0.86), ("PR5", 0.14)))
PROV_RESI = _cum((("PR4", 0.80), ("PR1", 0.12), ("PR5", 0.05), ("PR2", 0.03)))
PROV_SUPPORTED = _cum((("PR4", 0.70), ("PR1", 0.20), ("PR5", 0.10)))
PROV_ADOPT = _cum((("PR1", 0.70), ("PR5", 0.20), ("PR2", 0.10)))
PROV_SCHOOL = _cum((("PR4", 0.5), ("PR5", 0.3), ("PR3", 0.2)))
# where carers of each group live: (inside the LA, neighbouring LA); the rest further away
LOCATION = {
    L: (0.75, 0.24),
    F: (0.33, 0.61),
    K: (0.60, 0.33),
    R_: (0.22, 0.60),
    S_: (0.55, 0.40),
    A_: (0.35, 0.55),
    SEC: (0.10, 0.30),
    MB: (0.40, 0.40),
    NHS_: (0.40, 0.40),
    YOI_: (0.05, 0.30),
    SCH: (0.20, 0.40),
}


@dataclass
class History:
    """An LA's generated history; child attributes are indexed by the skeleton's child index."""

    la_code: str
    child_ids: dict[int, str] = field(default_factory=dict)
    dob: np.ndarray | None = None
    sex: np.ndarray | None = None
    ethnic: dict[int, str] = field(default_factory=dict)
    upn: dict[int, str] = field(default_factory=dict)
    mc_dob: dict[int, int] = field(default_factory=dict)
    # episodes: parallel lists
    e_child: list[int] = field(default_factory=list)
    e_decom: list[int] = field(default_factory=list)
    e_dec: list[int] = field(default_factory=list)
    e_rne: list[str] = field(default_factory=list)
    e_ls: list[str] = field(default_factory=list)
    e_cin: list[str] = field(default_factory=list)
    e_place: list[str] = field(default_factory=list)
    e_prov: list[str] = field(default_factory=list)
    e_rec: list[str] = field(default_factory=list)
    e_rpc: list[str | None] = field(default_factory=list)
    e_home: list[str] = field(default_factory=list)
    e_pl: list[str | None] = field(default_factory=list)
    e_urn: list[str] = field(default_factory=list)
    # successor code and URN for a code retired later (R1 -> K2/K1, H5/P2 -> K3), else None
    e_recode: list[str | None] = field(default_factory=list)
    e_recode_urn: list[str | None] = field(default_factory=list)
    r_child: list[int] = field(default_factory=list)
    r_date: list[int] = field(default_factory=list)
    r_code: list[str] = field(default_factory=list)
    m_child: list[int] = field(default_factory=list)
    m_type: list[str] = field(default_factory=list)
    m_start: list[int] = field(default_factory=list)
    m_end: list[int] = field(default_factory=list)
    o_child: list[int] = field(default_factory=list)
    o_date: list[int] = field(default_factory=list)  # the birthday (19th-21st) the row is for
    o_in_touch: list[str] = field(default_factory=list)
    o_activ: list[str | None] = field(default_factory=list)
    o_accom: list[str | None] = field(default_factory=list)


def _upn(r: random.Random, la_code: str, dob_year: int) -> str:
    digits = f"{la_code}{r.randrange(1000, 8000):04d}{(dob_year + 5) % 100:02d}{r.randrange(1000):03d}"
    total = sum(int(d) * w for d, w in zip(digits, range(2, 14), strict=True))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + digits


class _Carers:
    """The LA's placement providers: fixed pools of foster households, agency carers, homes and supported
    accommodation (built once per LA, so they do not depend on which children are simulated), plus fresh
    kinship carers and adopters for each child who needs them."""

    def __init__(self, r: random.Random, la_code: str, size: float):
        self.la = la_code
        self.near, self.near_cum, self.far = neighbours(la_code)
        radius = la_geo(la_code).radius_km
        # small (urban) authorities place more children over the boundary
        self.inside_factor = min(1.0, 0.45 + radius / 20.0)
        # dense urban authorities run out of nearby carers and homes: more of their out-of-area
        # placements are far away
        self.far_boost = min(0.5, size / (math.pi * radius**2) / 15.0)
        self.la_urn = f"SC{r.randrange(10**5, 10**6):06d}"
        self.adopt_urn = f"SC{r.randrange(10**5, 10**6):06d}"
        self.agencies = [(f"SC{r.randrange(10**5, 10**6):06d}", _pick(r, PROV_IFA)) for _ in range(8 + int(size // 60))]
        self.next_id = 0
        sizes = {
            L: max(20, int(0.5 * size)),
            F: max(15, int(0.35 * size)),
            R_: max(6, int(0.06 * size)),
            S_: max(4, int(0.03 * size)),
            SEC: 5,
            SCH: max(3, int(0.01 * size)),
        }
        self.pools = {g: [self._new(r, g) for _ in range(n)] for g, n in sizes.items()}

    def postcode(self, r: random.Random, group: int) -> str:
        inside, near = LOCATION[group]
        inside *= self.inside_factor
        u = r.random()
        if u < inside:
            return random_postcode(r, self.la)
        if r.random() < self.far_boost:
            return random_postcode(r, self.far[int(r.random() * len(self.far))])
        if u < inside + near:
            return random_postcode_near(r, self.near[bisect_left(self.near_cum, r.random())], self.la)
        return random_postcode(r, self.far[int(r.random() * len(self.far))])

    def _new(self, r: random.Random, group: int):
        self.next_id += 1
        cid = self.next_id
        pc = self.postcode(r, group)
        if group == L:
            return (cid, pc, "PR1", self.la_urn)
        if group == F:
            urn, prov = self.agencies[int(r.random() * len(self.agencies))]
            return (cid, pc, prov, urn)
        if group == K:
            return (cid, pc, "PR1" if r.random() < 0.95 else "PR2", self.la_urn)
        if group == R_:
            return (cid, pc, _pick(r, PROV_RESI), f"SC{r.randrange(10**5, 10**6):06d}")
        if group == S_:
            return (cid, pc, _pick(r, PROV_SUPPORTED), f"2{r.randrange(10**5, 10**6):06d}")
        if group == A_:
            prov = _pick(r, PROV_ADOPT)
            return (cid, pc, prov, self.adopt_urn if prov == "PR1" else f"SC{r.randrange(10**5, 10**6):06d}")
        if group == SEC:
            return (cid, pc, "PR2" if r.random() < 0.8 else "PR1", f"SC{r.randrange(10**5, 10**6):06d}")
        if group == SCH:
            return (cid, pc, _pick(r, PROV_SCHOOL), f"{r.randrange(10**5, 10**6):06d}")
        if group == MB:
            return (cid, pc, "PR4" if r.random() < 0.6 else "PR1", "XXXXXXX")
        # NHS, YOI
        return (cid, pc, "PR3", "XXXXXXX")

    def _draw(self, r: random.Random, group: int, avoid: int | None):
        pool = self.pools[group]
        while True:
            c = pool[int(r.random() * len(pool))]
            if c[0] != avoid:
                return c

    def get(self, r: random.Random, group: int, avoid: int | None, home: str | None = None):
        """A carer of `group` other than `avoid`; usually the nearest to `home` of a few with a vacancy."""
        if group not in self.pools:
            return self._new(r, group)
        first = self._draw(r, group, avoid)
        if home is None or r.random() < 0.4:
            return first
        _, _, hlat, hlon = postcode_location(home)
        best, best_d = first, None
        for cand in (first, self._draw(r, group, avoid), self._draw(r, group, avoid)):
            _, _, lat, lon = postcode_location(cand[1])
            d = (lat - hlat) ** 2 + ((lon - hlon) * 0.63) ** 2
            if best_d is None or d < best_d:
                best, best_d = cand, d
        return best


def _age(t: int, dob: int) -> float:
    return (t - dob) / YEAR


def _band(age: float) -> int:
    return 0 if age < 1 else 1 if age < 5 else 2 if age < 12 else 3 if age < 16 else 4


def _ls_timeline(r, klass, s, e, uasc, t_e1):
    """[(time, legal status)], strictly increasing times inside [s, e)."""
    dur = e - s
    if klass == REMAND:
        return [(s, "J2" if dur <= 3 else ("J3" if r.random() < 0.05 else "J1"))]
    ls = "V2" if uasc else _pick(r, LS_START[klass])
    out = [(s, ls)]
    t = s
    if ls in ("L1", "L2"):
        t2 = t + (1 + int(r.random() * 3) if ls == "L1" else 2 + int(r.random() * 7))
        if t2 < e - 1:
            ls = "C1" if klass in (ADOPT, SGO) or r.random() < 0.45 else "V2"
            out.append((t2, ls))
            t = t2
    if ls == "V2" and not uasc and r.random() < V2_TO_C1[klass]:
        t2 = t + 20 + int(r.random() * 180)
        if t2 < e - 14:
            ls = "C1"
            out.append((t2, ls))
            t = t2
    if klass == ADOPT and t_e1 is not None:
        # the placement order follows any earlier change; `detail` moves the adoptive placement after it
        if t_e1 <= t + 7:
            t_e1 = t + 7 + int(r.random() * 30)
        out.append((t_e1, "E1"))
        return out
    if ls == "C1":
        t2 = t + 120 + int(r.random() * 150)
        if t2 < e - 7:
            out.append((t2, "C2"))
    return out


def _stream(base: int, k: int) -> random.Random:
    """Independent random streams of one LA: k=0 the LA's carers, 2+2*child a child's history, 3+2*child
    a care leaver's oc3 answers."""
    return random.Random(base * 4_000_037 + k)


def detail(sk: Skeleton, keep: np.ndarray, la_code: str, cla_target: float, base: int, london: float) -> History:
    """Detailed histories of every child with a period in `keep`. Each child draws from its own stream, so a
    child's history does not depend on which other children are simulated (nor on the output window)."""
    h = History(la_code)
    h.dob, h.sex = sk.dob, sk.sex
    carers = _Carers(_stream(base, 0), la_code, cla_target)
    eth = _cum(
        list(
            zip(
                C.ETHNIC_CODES,
                [(1 - london) * a + london * b for a, b in zip(C.ETHNIC_SHIRES, C.ETHNIC_LONDON, strict=True)],
                strict=True,
            )
        )
    )
    uasc_eth = _cum(C.UASC_ETHNIC)
    bday4 = birthday(sk.dob, 4)
    home_of: dict[int, str] = {}
    frail_of: dict[int, float] = {}
    missing_rate: dict[int, float] = {}

    streams: dict[int, random.Random] = {}
    kept_children = np.unique(sk.child[keep])
    idx = np.nonzero(np.isin(sk.child, kept_children))[0]  # all their periods, in order of start
    for i in idx.tolist():
        ci = int(sk.child[i])
        s, e, klass = int(sk.start[i]), int(sk.end[i]), int(sk.klass[i])
        dob = int(sk.dob[ci])
        uasc = bool(sk.uasc[ci])
        r = streams.get(ci)
        if r is None:
            r = streams[ci] = _stream(base, 2 + 2 * ci)
            h.ethnic[ci] = _pick(r, uasc_eth) if uasc else _pick(r, eth)
            h.upn[ci] = _upn(r, la_code, C.from_day(dob).year)
            frail_of[ci] = r.gammavariate(1.3, 1 / 1.3)
            missing_rate[ci] = r.gammavariate(0.9, 4.0) if r.random() < 0.22 else 0.0
            if sk.sex[ci] == 2 and klass != SHORT_BREAK and r.random() < 0.03:
                h.mc_dob[ci] = dob + int((14.5 + 3.3 * r.random()) * YEAR)
            home_of[ci] = random_postcode(r, la_code)
        elif r.random() < 0.2:
            home_of[ci] = random_postcode(r, la_code)
        home = home_of[ci]
        if klass == SHORT_BREAK:
            _short_breaks(r, h, carers, ci, s, e, home)
            continue
        frail = frail_of[ci]
        cin = "N8" if uasc else _pick(r, CIN)
        dur = e - s

        # adoption timeline (backwards from the adoption order)
        t_a = t_e1 = None
        consent = False
        if klass == ADOPT:
            t_a = e - 180 - int(r.random() * 240)
            consent = r.random() < 0.08
            if not consent:
                t_e1 = max(s + 60, t_a - 60 - int(r.random() * 180))
        ls_tl = _ls_timeline(r, klass, s, e, uasc, t_e1)
        if klass == ADOPT and t_e1 is not None:
            t_a = max(t_a, ls_tl[-1][0] + 7)

        # final phase
        final_group, t_final = None, e
        last_ls = ls_tl[-1][1]
        if klass == ADOPT:
            final_group, t_final = A_, t_a
        elif klass == HOME and dur > 200 and last_ls in ("C1", "C2") and r.random() < 0.7:
            final_group, t_final = P_, e - 90 - int(r.random() * min(600, dur - 150))
        elif klass in (AGE18, SGO) and dur > 500 and last_ls == "C2" and r.random() < 0.2:
            final_group, t_final = P_, e - 180 - int(r.random() * min(1500, dur - 300))
        if t_final <= s:
            final_group, t_final = None, e

        # placements: (start, end, group)
        pls: list[list] = []
        t, k, prev, force = s, 0, None, None
        b16 = dob + int(16 * YEAR)
        while t < t_final:
            age = _age(t, dob)
            b = _band(age)
            if klass == REMAND:
                g = _pick(r, _REMAND)
            elif k == 0 and klass == SGO and r.random() < 0.55:
                g = K
            elif k > 0 and klass == SGO and prev != K and r.random() < 0.3:
                g = K
            elif force is not None:
                g = force
            elif k == 0:
                g = _pick(r, _FIRST[b])
            elif prev == R_ and b >= 3 and age < 16:
                g = _pick(r, _MOVE_RESI)
            else:
                g = _pick(r, _MOVE[b])
            if g == S_ and age < 16:
                g = F
            if k == 0 and r.random() < (0.25 if age < 1 else 0.4 if age < 12 else 0.5) and klass != REMAND:
                d = 1 + int(r.random() * 45)
            else:
                mean = FOSTER_MEAN[b] if g in (L, F) else GROUP_MEAN[g]
                d = 1 + int(r.expovariate(1.0) * mean * YEAR / frail)
            t2 = t + d
            force = None
            # many move on to supported accommodation soon after turning 16
            if t < b16 < t2 and klass != REMAND and r.random() < {R_: 0.55, L: 0.10, F: 0.14}.get(g, 0.0):
                t2 = min(t2, b16 + int(r.random() * 200))
                force = S_
            if t2 >= t_final - 10:
                t2 = t_final
            pls.append([t, t2, g])
            prev, t, k = g, t2, k + 1
        if final_group is not None:
            pls.append([t_final, e, final_group])

        # sub-segments: (start, code, carer tuple, reason for the change into it, group)
        segs: list[tuple] = []
        prev_carer = None
        for j, (ts, te, g) in enumerate(pls):
            reason = None
            if j > 0:
                reason = "CARPL" if (g in (A_, P_) or (j == 1 and pls[0][1] - pls[0][0] <= 46)) else _pick(r, RPC)
            if g == P_:
                carer = (-1, home, "PR0", "XXXXXXX")
                segs.append((ts, "P1", carer, reason, g))
            elif g == A_:
                ffa = segs and segs[-1][1] in ("U5", "U2")
                if ffa:
                    carer = segs[-1][2]
                    code = "A3" if consent else "A5"
                else:
                    carer = carers.get(r, A_, None)
                    code = "A4" if consent else "A6"
                segs.append((ts, code, carer, reason, g))
            else:
                carer = carers.get(r, g, prev_carer[0] if prev_carer else None, home)
                if g in (L, F, K):
                    long_term = klass in (AGE18, SGO) and (ts - s) > 365 and r.random() < 0.5
                    if g == K:
                        first, lt = ("U1" if long_term else "U3"), "U1"
                    elif klass == ADOPT and g == L and r.random() < 0.25 and ts < t_final - 60:
                        first, lt = "U5", None
                    else:
                        first, lt = ("U4" if long_term else "U6"), "U4"
                    segs.append((ts, first, carer, reason, g))
                    if first in ("U6", "U3") and klass in (AGE18, SGO) and te - ts > 300 and r.random() < 0.55:
                        tt = ts + 120 + int(r.random() * min(420, te - ts - 150))
                        segs.append((tt, lt, carer, "CARPL", g))
                elif g == R_:
                    segs.append((ts, C.residential_code(ts), carer, reason, g))
                elif g == SEC:
                    segs.append((ts, C.residential_code(ts, secure=True), carer, reason, g))
                elif g == S_:
                    segs.append((ts, C.supported_code(ts, independent=r.random() < 0.25), carer, reason, g))
                else:
                    segs.append((ts, {MB: "R3", NHS_: "R2", YOI_: "R5", SCH: "S1"}[g], carer, reason, g))
            prev_carer = carer

        # merge with legal statuses into episodes
        times = sorted({x[0] for x in segs} | {x[0] for x in ls_tl})
        si = li = 0
        eps = []
        for t in times:
            while si + 1 < len(segs) and segs[si + 1][0] <= t:
                si += 1
            while li + 1 < len(ls_tl) and ls_tl[li + 1][0] <= t:
                li += 1
            eps.append((t, si, li))
        pl_blank = {}
        n_eps = len(eps)
        first_ep = len(h.e_child)
        for q, (t, si, li) in enumerate(eps):
            seg = segs[si]
            ls = ls_tl[li][1]
            if q == 0:
                rne = "S"
            else:
                _, psi, pli = eps[q - 1]
                lchg = pli != li
                if psi != si:
                    if segs[psi][2][0] != seg[2][0]:
                        rne = "B" if lchg else "P"
                    else:
                        rne = "U" if lchg else "T"
                    h.e_rpc[-1] = seg[3] or "OTHER"
                else:
                    rne = "L"
            carer = seg[2]
            if carer[0] not in pl_blank:
                pl_blank[carer[0]] = r.random() < 0.01
            h.e_child.append(ci)
            h.e_decom.append(t)
            h.e_dec.append(eps[q + 1][0] if q + 1 < n_eps else e)
            h.e_rne.append(rne)
            h.e_ls.append(ls)
            h.e_cin.append(cin)
            h.e_place.append(seg[1])
            h.e_prov.append(carer[2])
            h.e_rec.append("X1")
            h.e_rpc.append(None)
            h.e_home.append(home)
            h.e_pl.append(None if pl_blank[carer[0]] else carer[1])
            if seg[1] in C.RECODE_FROM:
                # written with its successor in the returns from the changeover on
                h.e_recode.append("K3" if seg[1] != "R1" else ("K1" if seg[4] == SEC else "K2"))
                h.e_recode_urn.append(carer[3])
                h.e_urn.append("XXXXXXX" if seg[1] != "R1" else carer[3])  # unregistered before K3
            else:
                h.e_recode.append(None)
                h.e_recode_urn.append(None)
                h.e_urn.append(carer[3])
        h.e_rec[-1] = _rec(r, klass, segs[-1][1], e, dob, uasc)
        assert len(h.e_child) - first_ep == n_eps

        # reviews
        if dur > 14:
            t = s + 14 + int(r.random() * 14)
            nrev = 0
            b4 = int(bday4[ci])
            while t < e:
                h.r_child.append(ci)
                h.r_date.append(t)
                h.r_code.append("PN0" if t < b4 else _pick(r, REVIEW))
                nrev += 1
                t += (75 + int(r.random() * 17)) if nrev == 1 else (150 + int(r.random() * 32))

        # missing and away-from-placement episodes (children aged 10+), one at a time
        rate = missing_rate[ci]
        if rate > 0:
            t = max(s, dob + int(10 * YEAR))
            while True:
                t += 1 + int(r.expovariate(rate / YEAR))
                if t >= e:
                    break
                u = r.random()
                if u < 0.3:
                    d = 0
                elif u < 0.7:
                    d = 1
                elif u < 0.95:
                    d = 2 + int(r.random() * 5)
                else:
                    d = 7 + int(r.random() * 24)
                h.m_child.append(ci)
                h.m_type.append("M" if r.random() < 0.82 else "A")
                h.m_start.append(t)
                h.m_end.append(min(t + d, e))
                t += d
    return h


def _rec(r, klass, last_code, e, dob, uasc) -> str:
    if last_code == "P1":  # the order is discharged while the child lives at home
        if klass == SGO and r.random() < 0.5:
            return "E41"
        if _age(e, dob) >= 17.95:
            return "E13" if r.random() < 0.6 else "E8"
        return "E4A" if r.random() < 0.9 else "E4B"
    if klass == HOME:
        return _pick(r, REC_HOME)
    if klass == ADOPT:
        return _pick(r, REC_ADOPT)
    if klass == SGO:
        if last_code in ("U1", "U2", "U3"):
            return _pick(r, REC_SGO_KIN)
        if last_code in ("U4", "U5", "U6"):
            return _pick(r, REC_SGO_FOSTER)
        return _pick(r, REC_SGO_OTHER)
    if klass == REMAND:
        return _pick(r, REC_REMAND)
    if klass == OTHER:
        if uasc:
            return _pick(r, REC_UASC_OTHER)
        return _pick(r, REC_OTHER if _age(e, dob) >= 12 else REC_OTHER_YOUNG)
    # AGE18
    if _age(e, dob) < 17.95:
        return _pick(r, REC_EARLY)
    if last_code in ("U1", "U2", "U3", "U4", "U5", "U6"):
        return _pick(r, REC_18_FOSTER)
    if last_code in ("H5", "P2", "K3"):
        return _pick(r, REC_18_SUPPORTED)
    if last_code in ("R1", "K2"):
        return _pick(r, REC_18_RESI)
    return _pick(r, REC_18_OTHER)


def _short_breaks(r, h: History, carers: _Carers, ci: int, s: int, e: int, home: str) -> None:
    """Short breaks only: V4 agreements (one episode per agreement) or V3 (one episode per break)."""
    g = _pick(r, _SB)
    carer = carers.get(r, g, None)
    series = r.random() < 0.8
    t = s
    while t < e:
        if series:
            t2 = min(e, t + 240 + int(r.random() * 150))
            ls, rec = "V4", "E8"
        else:
            t2 = min(e, t + 2 + int(r.random() * 4))
            ls, rec = "V3", "E4A"
        code = C.residential_code(t) if g == R_ else "U6"
        h.e_child.append(ci)
        h.e_decom.append(t)
        h.e_dec.append(t2)
        h.e_rne.append("S")
        h.e_ls.append(ls)
        h.e_cin.append("N2")
        h.e_place.append(code)
        h.e_prov.append("PR1" if g == L else carer[2])
        h.e_rec.append(rec)
        h.e_rpc.append(None)
        h.e_home.append(home)
        h.e_pl.append(carer[1])
        h.e_urn.append(carer[3])
        h.e_recode.append("K2" if code == "R1" else None)
        h.e_recode_urn.append(carer[3] if code == "R1" else None)
        t = t2 + (7 + int(r.random() * 40) if series else 20 + int(r.random() * 60))


def oc3_rows(sk: Skeleton, h: History, base: int, window_start: int, horizon: int, needed: set[int]) -> None:
    """Care leavers whose 19th, 20th or 21st birthday falls in [window_start, horizon]: those whose last
    period of care (by `horizon`) ended at 16 or over after 13 weeks looked after since turning 14."""
    m = (sk.klass != SHORT_BREAK) & (sk.start <= horizon)
    last: dict[int, int] = {}
    for i, c in zip(np.nonzero(m)[0].tolist(), sk.child[m].tolist(), strict=True):
        last[c] = i
    if not last:
        return
    ch = np.fromiter(last.keys(), dtype=np.int64, count=len(last))
    pi = np.fromiter(last.values(), dtype=np.int64, count=len(last))
    dob = sk.dob[ch]
    s, e = sk.start[pi], sk.end[pi]
    b14, b16 = birthday(dob, 14), birthday(dob, 16)
    leaver = (e >= b16) & (e - np.maximum(s, b14) >= 91) & (e <= horizon)
    rows = []
    for k, age in enumerate((19, 20, 21)):
        b = birthday(dob, age)
        sel = leaver & (b >= window_start) & (b <= horizon)
        rows += [(c, bd, k) for c, bd in zip(ch[sel].tolist(), b[sel].tolist(), strict=True)]
    rows.sort(key=lambda x: (x[1], x[0]))
    for c, bd, k in rows:
        r = _stream(base, 3 + 2 * c)
        answers = []
        for _ in range(3):  # one answer per birthday, drawn whichever are written
            it = _pick(r, IN_TOUCH)
            activ, accom = _pick(r, ACTIV), _pick(r, ACCOM)
            answers.append((it, activ if it == "YES" else None, accom if it == "YES" else None))
        it, activ, accom = answers[k]
        needed.add(c)
        h.o_child.append(c)
        h.o_date.append(bd)
        h.o_in_touch.append(it)
        h.o_activ.append(activ)
        h.o_accom.append(accom)
