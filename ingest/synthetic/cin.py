"""Children in need and child protection: the front door-to-care histories behind Annex A and the CIN census.

One LA at a time, alongside the care model in `simulate`:

1. `cin_skeleton` (numpy, a fixed span from 2005 to the end of the care model's span, so one seed gives one
   history whatever the window): the children known to children's social care who never come into care,
   arriving year by year at the LA's calibrated rate: contact-only children (contacts that never become a
   referral; drawn whole here), "careers" (a first referral, perhaps re-referrals: everything within three
   years, or six for a quarter of them) and disabled children with a long child in need plan. Each has an
   index in order of arrival, which gives its id.
2. `CinModel.career`, `long_cin` and `care_child`, in plain Python, each child from its own seeded stream (so
   nothing depends on which other children are simulated, nor on the window):
   - careers: referral (source, contact, no further action?), assessment (working days by team), section 47
     (strategy discussion, initial conference by team, or conference not needed), child protection plan
     (reviews at three months then six-monthly; ends at a review; categories, previous plans), child in
     need plan, closure (RC1-RC8), re-referrals;
   - the children of the care model (`simulate`), with the same index and so the same CHILD: before each
     period of care a referral, an assessment and often a section 47 enquiry and a plan (which ends when the
     child comes into care), the episode staying open while the child is looked after and closing when care
     ends (adopted RC1, special guardianship RC4, another LA RC5, ...) or after some months at home.
3. The writers (`annex_a`, `cin_census`) cut these histories at each as-at date.

Teams (`teams`) are attached to every event: referrals to the MASH (no further action) or the child's
locality assessment team, assessments and section 47 enquiries to the locality team, plans to a child
protection team, child in need plans to a children in need team, children in care to a children in care team,
disabled children to the children with disabilities team. One locality and one child protection team perform
worse. Calibration: `CinTargets` (published figures for the LA) and the constants below, checked against East
Sussex (845) and a few others.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

import numpy as np

from . import codes as C
from .cin_targets import CinTargets
from .simulate import REMAND, SHORT_BREAK, YEAR, History, Skeleton, _upn, birthday
from .teams import LOCALITY_WEIGHTS, Team, Teams
from .workdays import WorkingDays

CIN_FIRST = date(2005, 4, 1)
# a career's referrals all fall within CAP of its first, and everything in it (closures included) within SPAN;
# most careers are short, a share (drawn in the skeleton, so known before the detail) may run longer
CAREER_CAP, CAREER_SPAN = int(2 * YEAR), int(3 * YEAR)
LONG_CAREER_CAP, LONG_CAREER_SPAN = int(3.5 * YEAR), int(6 * YEAR)
LONG_CAREER_SHARE = 0.25
CONTACT_ONLY_SPAN = 480  # a contact-only child's contacts fall within this many days of the first
PRE_CONTACT_LEAD = 320  # contacts before a first referral fall within this many days before it
PRE_CARE_LEAD = int(4 * YEAR)  # a child's events before a period of care start at most this long before it
POST_CARE_TAIL = 365  # a child in need episode closes at most this long after care ends
INDEX_OFFSET = 300_000  # children who never come into care: index INDEX_OFFSET + k (six-digit ids)
SIX_DIGIT_CAPACITY = 600_000  # beyond this many, ids get seven digits

# age at first referral: <1, 1-4, 5-9, 10-15, 16-17
AGE_BANDS = ((0.0, 1.0, 0.13), (1.0, 5.0, 0.20), (5.0, 10.0, 0.25), (10.0, 16.0, 0.32), (16.0, 17.7, 0.10))
CONTACTS_PER_REFERRAL = 2.6  # all contacts / referrals
CONTACTS_PER_CONTACT_ONLY_CHILD = 1.3
PRE_CONTACT_P = 0.3  # a first referral preceded by contacts that were not referred
LONG_CIN_SHARE = 0.07  # of children in need at 31 March: disabled children on long plans
LONG_CIN_YEARS = 4.5
S47_PER_ICPC = 1 / 0.45
PLAN_PER_ICPC = 0.83
ASSESS_DAYS_MEAN = 38  # calendar days from referral to authorisation, about
REFERRALS_PER_CARE_PERIOD = 1.2  # referrals (incl. earlier ones) per period of care, as the model produces
CARE_STARTS_PER_CLA = 0.365
LONG_PLAN = 1095  # plans past three years are ended at most reviews
LONG_PLAN_HAZARD = 0.7
CARE_PLAN_SHARE = 0.38  # periods of care preceded by a child protection plan

# team performance: share of assessments within 45 working days, of ICPCs within 15, of visits late
ASSESS_ON_TIME = {"normal": 0.89, "slow": 0.62, "cwd": 0.80}
ICPC_ON_TIME = {"normal": 0.84, "slow": 0.52, "cwd": 0.80}
VISIT_LATE = {"normal": 0.05, "slow": 0.4}

SOURCES = (
    ("1A", 3), ("1B", 1), ("1C", 1), ("1D", 2), ("2A", 19), ("2B", 2), ("3A", 2), ("3B", 2), ("3C", 1),
    ("3D", 3), ("3E", 3), ("3F", 4), ("4", 2), ("5A", 6), ("5B", 2), ("5C", 3), ("6", 29), ("7", 2),
    ("8", 7), ("9", 1), ("10", 2),
)  # fmt: skip
NEEDS = (("N1", 57), ("N2", 4), ("N3", 3), ("N4", 10), ("N5", 16), ("N6", 4), ("N7", 0.3), ("N8", 2), ("N9", 1.5))
CATEGORIES = (("NEG", 49), ("EMO", 37), ("PHY", 7), ("SAB", 4), ("MUL", 3))
FACTORS = (
    ("3B", 14), ("4B", 12), ("3A", 9), ("4A", 8), ("2B", 6), ("1B", 5), ("8E", 5), ("8B", 4), ("21", 4),
    ("5B", 3), ("6A", 3), ("8C", 3), ("18B", 3), ("11A", 2), ("22A", 2), ("9A", 2), ("24A", 2), ("7A", 1),
    ("8D", 1),
)  # fmt: skip
DISABILITIES = (("AUT", 30), ("LD", 20), ("COMM", 15), ("BEH", 12), ("MOB", 6), ("PC", 5), ("CON", 4),
                ("HEAR", 3), ("VIS", 2), ("HAND", 2), ("INC", 1))  # fmt: skip
CLOSE_OTHER = (("RC7", 88), ("RC5", 8), ("RC3", 2), ("RC4", 1.5), ("RC2", 0.5))
# REC of the last episode of a period of care -> reason the child in need episode closes then
REC_TO_RC = {"E11": "RC1", "E12": "RC1", "E41": "RC3", "E45": "RC4", "E46": "RC4", "E47": "RC4", "E48": "RC4",
             "E3": "RC5", "E7": "RC6", "E2": "RC2"}  # fmt: skip


def _cum(pairs):
    vals = [v for v, _ in pairs]
    tot = sum(w for _, w in pairs)
    cum = list(accumulate(w / tot for _, w in pairs))
    cum[-1] = 1.0
    return vals, cum


def _pick(r: random.Random, vc):
    vals, cum = vc
    return vals[bisect_left(cum, r.random())]


_SOURCES, _NEEDS, _CATS, _FACTORS = _cum(SOURCES), _cum(NEEDS), _cum(CATEGORIES), _cum(FACTORS)
_DISAB, _CLOSE_OTHER = _cum(DISABILITIES), _cum(CLOSE_OTHER)
_LOCALITY_CUM = _cum(list(enumerate(LOCALITY_WEIGHTS)))[1]


# ----------------------------------------------------------------------------------------------------------
# records


_DAY18: dict[int, int] = {}


def day18(dob: int) -> int:
    """The 18th birthday (29 February -> 1 March), in days."""
    b = _DAY18.get(dob)
    if b is None:
        d = C.from_day(dob)
        try:
            b = C.day(d.replace(year=d.year + 18))
        except ValueError:
            b = C.day(date(d.year + 18, 3, 1))
        _DAY18[dob] = b
    return b


class Person:
    __slots__ = ("key", "dob", "b18", "sex", "ethnic", "upn", "disabilities", "locality", "looked_after",
                 "episodes")  # fmt: skip

    def __init__(self, key, dob, sex, ethnic, upn, disabilities, locality, looked_after):
        self.key = key  # index: care-model child index, or INDEX_OFFSET + k
        self.dob = dob
        self.b18 = day18(dob)
        self.sex = sex  # 1 male, 2 female
        self.ethnic = ethnic
        self.upn = upn  # the UPN, or an int seed to draw it from when it is first written (`CinWorld.upn`)
        self.disabilities = disabilities  # tuple of codes, () for none
        self.locality = locality
        self.looked_after = looked_after
        self.episodes: list[Episode] = []


class Assessment:
    __slots__ = ("start", "auth", "team", "worker", "seen", "support", "factors")

    def __init__(self, start, auth, team, worker, seen, support, factors):
        self.start, self.auth, self.team, self.worker = start, auth, team, worker
        self.seen, self.support, self.factors = seen, support, factors


class S47:
    __slots__ = ("start", "target", "icpc", "decided", "plan", "team", "worker")

    def __init__(self, start, target, icpc, decided, plan, team, worker):
        self.start, self.target, self.icpc, self.decided = start, target, icpc, decided
        self.plan, self.team, self.worker = plan, team, worker

    @property
    def not_required(self) -> bool:
        return self.icpc is None


class Plan:
    __slots__ = ("start", "end", "cat0", "cat1", "cat_change", "prev", "reviews", "team", "worker", "seed",
                 "late", "alone", "epo")  # fmt: skip

    def __init__(self, start, end, cat0, cat1, cat_change, prev, reviews, team, worker, seed, late, alone, epo):
        self.start, self.end, self.cat0, self.cat1, self.cat_change = start, end, cat0, cat1, cat_change
        self.prev, self.reviews, self.team, self.worker = prev, reviews, team, worker
        self.seed, self.late, self.alone, self.epo = seed, late, alone, epo


class Episode:
    """A child in need episode: one referral and what followed it."""

    __slots__ = ("person", "ref", "contact", "source", "nfa", "need", "close", "reason", "ref_team", "ref_worker",
                 "assessments", "s47s", "plans", "cin_plans", "status")  # fmt: skip

    def __init__(self, person, ref, contact, source, nfa, need):
        self.person: Person = person
        self.ref = ref
        self.contact = contact
        self.source = source
        self.nfa = nfa
        self.need = need
        self.close: int | None = None
        self.reason: str | None = None
        self.ref_team: Team | None = None
        self.ref_worker = ""
        self.assessments: list[Assessment] = []
        self.s47s: list[S47] = []
        self.plans: list[Plan] = []
        self.cin_plans: list[list[int]] = []  # [start, end]
        # (from day, case status letter a-d, team, worker), in order; after `close` the episode is closed
        self.status: list[tuple[int, str, Team, str]] = []

    def status_at(self, t: int) -> tuple[str, Team, str]:
        cur = self.status[0]
        for s in self.status:
            if s[0] > t:
                break
            cur = s
        return cur[1], cur[2], cur[3]


@dataclass
class CinWorld:
    """An LA's children in need histories (everything simulated, uncut)."""

    la_code: str
    teams: Teams
    targets: CinTargets
    persons: dict[int, Person] = field(default_factory=dict)
    episodes: list[Episode] = field(default_factory=list)
    contacts: list[tuple[int, str, Person]] = field(default_factory=list)  # (day, source, person)
    wd: WorkingDays | None = None
    params: dict[str, float] = field(default_factory=dict)

    def upn(self, p: Person) -> str:
        if not isinstance(p.upn, str):
            p.upn = _upn(random.Random(p.upn), self.la_code, C.from_day(p.dob).year)
        return p.upn


# ----------------------------------------------------------------------------------------------------------
# calibration


def _plan_hazards(mean_days: float, share_2y: float) -> tuple[float, float, float]:
    """Hazards of a plan ending at its first review (3 months), at later reviews before two years and after,
    so that plans last `mean_days` on average and plans open two years or more are `share_2y` of the stock."""
    h1 = 0.2
    reviews = [82 + 182 * k for k in range(60)]

    def stats(h, h2):
        surv, mean, over = 1.0, 0.0, 0.0
        for k, t in enumerate(reviews):
            p = h1 if k == 0 else (h if t < 730 else (h2 if t < LONG_PLAN else max(h2, LONG_PLAN_HAZARD)))
            end = surv * p
            mean += end * t
            over += end * max(0, t - 730)
            surv -= end
        mean += surv * reviews[-1]
        return mean, over / mean if mean else 0.0

    h, h2 = 0.45, 0.45
    for _ in range(4):
        lo, hi = 0.02, 0.99
        for _ in range(40):
            h = (lo + hi) / 2
            lo, hi = (h, hi) if stats(h, h2)[0] > mean_days else (lo, h)
        lo, hi = 0.05, 0.99
        for _ in range(40):
            h2 = (lo + hi) / 2
            lo, hi = (h2, hi) if stats(h, h2)[1] > share_2y else (lo, h2)
    return h1, h, h2


def calibrate(t: CinTargets, cla_target: float) -> dict[str, float]:
    """Rates for this LA's children (per year, per referral) from its published figures."""
    starts = cla_target * CARE_STARTS_PER_CLA
    r903 = starts * REFERRALS_PER_CARE_PERIOD
    referrals = max(t.referrals, 1.0)
    r_co = max(0.3 * referrals, referrals - r903)
    nfa = min(0.6, t.nfa_pct / 100)
    cpp903 = starts * CARE_PLAN_SHARE
    cpp_co = max(0.05 * t.cpp_starts, t.cpp_starts - cpp903)
    assessed = r_co * (1 - nfa)
    p_plan_path = min(0.4, 0.95 * cpp_co / max(assessed, 1.0))  # repeat referrals reach plans more often
    p_icpc_given_s47 = 1 / S47_PER_ICPC
    p_s47 = p_plan_path / (PLAN_PER_ICPC * p_icpc_given_s47)
    if p_s47 > 0.5:
        p_s47 = 0.5
        p_icpc_given_s47 = min(0.95, p_plan_path / (PLAN_PER_ICPC * p_s47))
    nin = t.not_in_need_pct / 100 * referrals
    p_nin = min(0.8, nin / max(assessed * (1 - p_plan_path), 1.0))
    # re-referrals
    rr = max(0.0, t.rereferral_pct / 100)
    # the model gives about 0.68 * q * within re-referrals a referral
    wq = rr / 0.68
    q = min(0.6, max(0.28, wq / 0.8))
    within = min(0.95, wq / q)
    # children in need open at 31 March: what is left for child in need plans of careers
    long_stock = LONG_CIN_SHARE * t.cin_at31
    open_assess = referrals * (1 - nfa) * ASSESS_DAYS_MEAN / 365.25
    care_related = cla_target * 1.12 + starts * 0.5
    cin_plan_stock = max(0.15 * t.cin_at31, t.cin_at31 - long_stock - open_assess - care_related - t.cpp_at31)
    stepdown = 0.55 * cpp_co
    cin_plan_flow = max(1.0, assessed * (1 - p_plan_path) * (1 - p_nin) + stepdown)
    cin_mean_days = min(1400.0, max(60.0, 1.25 * cin_plan_stock / cin_plan_flow * 365.25))
    plan_mean = max(120.0, min(900.0, 1.12 * t.cpp_at31 / max(t.cpp_starts, 1.0) * 365.25))
    share_2y = max(0.002, min(0.25, 1.3 * t.cpp_2y_pct / 100))
    h1, h, h2 = _plan_hazards(plan_mean, share_2y)
    h3 = max(h2, LONG_PLAN_HAZARD)
    sub = max(0.0, min(0.7, t.cpp_subsequent_pct / 100))
    careers = r_co / (0.9 / (1 - q))
    long_new = long_stock / LONG_CIN_YEARS
    contact_only = max(0.0, (CONTACTS_PER_REFERRAL - 1 - PRE_CONTACT_P * 1.5 * (1 - q)) * referrals)
    return {
        "careers": max(0.0, careers - long_new),
        "long": long_new,
        "contact_only": contact_only / CONTACTS_PER_CONTACT_ONLY_CHILD,
        "p_nfa": nfa,
        "p_s47": p_s47,
        "p_icpc": p_icpc_given_s47,
        "p_nin": p_nin,
        "q": q,
        "within": within,
        "cin_mean_days": cin_mean_days,
        "h1": h1,
        "h": h,
        "h2": h2,
        "h3": h3,
        # previous plans not seen in the career (earlier plans elsewhere or before the records begin)
        "p_prior_cpp": max(0.0, (sub - 0.14) / 0.86),
    }


# ----------------------------------------------------------------------------------------------------------
# 1. skeleton of the children who never come into care


@dataclass
class CinSkeleton:
    kind: np.ndarray  # 0 contact-only, 1 career, 2 long child in need plan (disabled)
    start: np.ndarray  # first contact (kind 0) or first referral
    dob: np.ndarray
    sex: np.ndarray
    long_end: np.ndarray  # kind 2: when the plan ends
    u: np.ndarray  # (n, 6) uniforms: what a contact-only child's contacts and ethnicity are drawn from


def cin_skeleton(rng: np.random.Generator, params: dict[str, float], first: int, last: int) -> CinSkeleton:
    kinds, starts, dobs, sexes, ends, us = [], [], [], [], [], []
    t0 = first
    z = 0.0
    while t0 <= last:
        t1 = min(last + 1, t0 + int(YEAR))
        frac = (t1 - t0) / YEAR
        z = 0.6 * z + 0.8 * float(rng.standard_normal())
        wobble = math.exp(0.04 * z)
        block_k, block_s = [], []
        for kind, rate in ((1, params["careers"]), (2, params["long"]), (0, params["contact_only"])):
            expected = rate * frac * wobble
            k = int(expected) + int(rng.random() < expected - int(expected))
            u = (np.arange(k) + rng.random(k)) / max(k, 1)
            block_k.append(np.full(k, kind, np.int8))
            block_s.append(t0 + (u * (t1 - t0)).astype(np.int64))
        kind = np.concatenate(block_k)
        start = np.concatenate(block_s)
        n = len(start)
        band = np.searchsorted(np.cumsum([b[2] for b in AGE_BANDS]), rng.random(n), side="right")
        band = np.minimum(band, len(AGE_BANDS) - 1)
        lo = np.array([b[0] for b in AGE_BANDS])[band]
        hi = np.array([b[1] for b in AGE_BANDS])[band]
        age = lo + (hi - lo) * rng.random(n)
        age = np.where(kind == 2, 0.5 + 13.5 * rng.random(n), age)
        dob = start - (age * YEAR).astype(np.int64)
        sex = np.where(rng.random(n) < np.where(kind == 2, 0.68, 0.52), 1, 2).astype(np.int8)
        dur = np.exp(math.log(LONG_CIN_YEARS * YEAR * 0.85) + 0.55 * rng.standard_normal(n)).astype(np.int64)
        end = np.minimum(start + np.maximum(dur, 200), birthday(dob, 18))
        u = rng.random((n, 6))
        order = np.argsort(start, kind="stable")
        kinds.append(kind[order]), starts.append(start[order]), dobs.append(dob[order])
        sexes.append(sex[order]), ends.append(end[order]), us.append(u[order])
        t0 = t1
    return CinSkeleton(
        np.concatenate(kinds), np.concatenate(starts), np.concatenate(dobs), np.concatenate(sexes),
        np.concatenate(ends), np.concatenate(us),
    )  # fmt: skip


# ----------------------------------------------------------------------------------------------------------
# 2. detail


class CinModel:
    def __init__(self, world: CinWorld, base: int, london: float):
        self.w = world
        self.base = base
        self.p = world.params
        self.wd = world.wd
        self.eth = _cum(
            list(
                zip(
                    C.ETHNIC_CODES,
                    [(1 - london) * a + london * b for a, b in zip(C.ETHNIC_SHIRES, C.ETHNIC_LONDON, strict=True)],
                    strict=True,
                )
            )
        )
        self.teams = world.teams
        self._perf: dict[str, str] = {}

    # -- streams and people -----------------------------------------------------------------------------

    def stream(self, key: int) -> random.Random:
        return random.Random(self.base * 10_000_019 + key)

    def _performance(self, team: Team) -> str:
        p = self._perf.get(team.name)
        if p is None:
            if team.name == self.teams.cwd.name:
                p = "cwd"
            elif team.name == self.teams.assessment(self.teams.slow_locality).name:
                p = "slow"
            else:
                p = "normal"
            self._perf[team.name] = p
        return p

    def _locality(self, r: random.Random) -> int:
        return 1 + bisect_left(_LOCALITY_CUM, r.random())

    def _disabilities(self, r: random.Random, certain: bool, p: float) -> tuple[str, ...]:
        if not certain and r.random() >= p:
            return ()
        first = _pick(r, _DISAB)
        if r.random() < 0.3:
            second = _pick(r, _DISAB)
            if second != first:
                return (first, second)
        return (first,)

    # -- building blocks ----------------------------------------------------------------------------------

    def _new_episode(self, r, p: Person, ref: int, source: str, nfa: bool, need: str) -> Episode:
        lag = 0 if r.random() < 0.7 else (1 if r.random() < 0.65 else 2 + int(r.random() * 2))
        contact = max(p.dob, ref - lag)
        ep = Episode(p, ref, contact, source, nfa, need)
        p.episodes.append(ep)
        self.w.episodes.append(ep)
        self.w.contacts.append((contact, source, p))
        return ep

    def _assess_days(self, r, team: Team) -> int:
        """Working days from referral to authorisation."""
        if r.random() < ASSESS_ON_TIME[self._performance(team)]:
            return max(3, min(45, int(r.triangular(4, 46, 38))))
        return 46 + min(150, int(r.expovariate(1 / 18)))

    def _assessment(self, r, ep: Episode, team: Team, worker: str, need_support: bool | None) -> Assessment:
        wd = self.wd
        start = wd.add(ep.ref, 0 if r.random() < 0.55 else 1 + int(r.random() * 4))
        auth = max(start, wd.add(ep.ref, self._assess_days(r, team)))
        factors = []
        for _ in range(1 + int(r.random() * 3)):
            f = _pick(r, _FACTORS)
            if f not in factors:
                factors.append(f)
        a = Assessment(start, auth, team.name, worker, r.random() < 0.97, need_support, tuple(factors))
        ep.assessments.append(a)
        ep.status.append((ep.ref, "d", team, worker))
        return a

    def _s47(self, r, ep: Episode, team: Team, worker: str, start: int, icpc: bool, plan: bool) -> S47:
        wd = self.wd
        target = wd.add(start, 15)
        if icpc:
            if r.random() < ICPC_ON_TIME[self._performance(team)]:
                x = max(3, min(15, int(r.triangular(5, 16, 13))))
            else:
                x = 16 + min(40, int(r.expovariate(1 / 7)))
            date_icpc = wd.add(start, x)
            s = S47(start, target, date_icpc, date_icpc, plan, team.name, worker)
        else:
            s = S47(start, target, None, wd.add(start, 4 + int(r.random() * 12)), False, team.name, worker)
        ep.s47s.append(s)
        return s

    def _plan_end(self, r, start: int) -> tuple[int, list[int]]:
        """End (at a review conference) and review dates of a plan starting at `start`."""
        p = self.p
        reviews = []
        t = start + (62 + int(r.random() * 28) if r.random() < 0.93 else 92 + int(r.random() * 30))
        k = 0
        while True:
            reviews.append(t)
            d = t - start
            hz = p["h1"] if k == 0 else (p["h"] if d < 730 else (p["h2"] if d < LONG_PLAN else p["h3"]))
            if r.random() < hz or k > 40:
                return t, reviews
            k += 1
            t += 168 + int(r.random() * 14) if r.random() < 0.94 else 183 + int(r.random() * 40)

    def _plan(self, r, ep: Episode, start: int, prev: int, end: int | None = None, epo: bool = False) -> Plan:
        p = ep.person
        team = self.teams.cp(p.locality)
        worker = team.worker(r)
        cat0 = _pick(r, _CATS)
        if end is None:
            end, reviews = self._plan_end(r, start)
        else:
            _, reviews = self._plan_end(r, start)
            reviews = [x for x in reviews if x < end]
        cat1, change = cat0, None
        if len(reviews) > 1 and r.random() < 0.12:
            cat1 = _pick(r, _CATS)
            change = reviews[0] if cat1 != cat0 else None
            if change is None:
                cat1 = cat0
        slow = team.name == f"Child Protection {self.teams.slow_cp}"
        epo = epo or r.random() < 0.03  # police protection or an EPO shortly before the plan
        plan = Plan(start, end, cat0, cat1, change, prev, reviews, team.name, worker, r.getrandbits(32),
                    VISIT_LATE["slow" if slow else "normal"], 0.55 + 0.3 * r.random(), epo)  # fmt: skip
        ep.plans.append(plan)
        ep.status.append((start, "b", team, worker))
        return plan

    def _cin_plan(self, r, ep: Episode, start: int, end: int, team: Team | None = None) -> None:
        p = ep.person
        team = team or self.teams.cin(p.locality)
        ep.cin_plans.append([start, end])
        ep.status.append((start, "c", team, team.worker(r)))

    def _close(self, ep: Episode, t: int, reason: str) -> None:
        b18 = ep.person.b18
        if t > b18:
            t, reason = b18, ("RC6" if ep.person.disabilities and reason == "RC7" else reason)
        t = max(t, ep.ref)
        ep.close, ep.reason = t, reason
        # nothing in the episode outlives it: later plans go, open ones end with it
        ep.cin_plans = [[c0, min(c1, t)] for c0, c1 in ep.cin_plans if c0 <= t]
        ep.plans = [pl for pl in ep.plans if pl.start <= t]
        for pl in ep.plans:
            if pl.end > t:
                pl.end = t
                pl.reviews = [x for x in pl.reviews if x <= t]
        for a in ep.assessments:
            if a.auth > t:
                a.auth = max(a.start, t)
        ep.status = [x for x in ep.status if x[0] <= t] or ep.status[:1]

    def _cin_plan_days(self, r) -> int:
        m = self.p["cin_mean_days"]
        return max(30, int(m * math.exp(0.75 * r.gauss(0, 1) - 0.28125)))

    # -- one referral of a child who stays at home ---------------------------------------------------------

    def _community_episode(self, r, p: Person, ref: int, prev_plans: int, need: str | None = None) -> Episode:
        """A referral and its course for a child who does not come into care. Returns the closed episode."""
        pr = self.p
        nfa = r.random() < pr["p_nfa"]
        need = need or ("N2" if p.disabilities and r.random() < 0.6 else _pick(r, _NEEDS))
        ep = self._new_episode(r, p, ref, _pick(r, _SOURCES), nfa, need)
        mash = self.teams.mash
        if nfa:
            w = mash.worker(r)
            ep.ref_team, ep.ref_worker = mash, w
            ep.status.append((ref, "d", mash, w))
            self._close(ep, ref, "RC8")
            return ep
        team = self.teams.cwd if need == "N2" and p.disabilities else self.teams.assessment(p.locality)
        worker = team.worker(r)
        ep.ref_team, ep.ref_worker = team, worker
        boost = 1.6 if prev_plans else 1.0
        s47 = r.random() < min(0.9, pr["p_s47"] * boost)
        icpc = s47 and r.random() < pr["p_icpc"]
        plan = icpc and r.random() < PLAN_PER_ICPC
        nin = not plan and r.random() < pr["p_nin"]
        a = self._assessment(r, ep, team, worker, None if plan else not nin)
        if s47:
            st = self.wd.add(ep.ref, 0 if r.random() < 0.5 else int(r.random() * 6))
            st = min(st, a.auth)
            s = self._s47(r, ep, team, worker, st, icpc, plan)
            if plan:
                a.support = True
                pl = self._plan(r, ep, s.icpc, prev_plans)
                end = pl.end
                if r.random() < 0.55:
                    d = self._cin_plan_days(r) // 2 + 30
                    self._cin_plan(r, ep, end, end + d)
                    end += d
                self._close(ep, end, "RC7")
                return ep
        if nin:
            self._close(ep, a.auth, "RC8")
            return ep
        d = self._cin_plan_days(r)
        self._cin_plan(r, ep, a.auth, a.auth + d)
        self._close(ep, a.auth + d, _pick(r, _CLOSE_OTHER))
        return ep

    # -- children who never come into care ---------------------------------------------------------------

    def person(self, r, key: int, dob: int, sex: int, disabled: bool, looked_after: bool, ethnic=None, upn=None):
        loc = self._locality(r)
        eth = ethnic or _pick(r, self.eth)
        upn = upn or r.getrandbits(40)
        dis = self._disabilities(r, disabled, 0.05)
        p = Person(key, dob, sex, eth, upn, dis, loc, looked_after)
        self.w.persons[key] = p
        return p

    def career(self, key: int, start: int, dob: int, sex: int, extended: bool) -> None:
        r = self.stream(2 * key)
        cap, span = (LONG_CAREER_CAP, LONG_CAREER_SPAN) if extended else (CAREER_CAP, CAREER_SPAN)
        p = self.person(r, key, dob, sex, False, False)
        pr = self.p
        b18 = p.b18
        if r.random() < PRE_CONTACT_P:
            t = start - 14 - int(r.random() * (PRE_CONTACT_LEAD - 20))
            for _ in range(1 + int(r.random() * 2)):
                if t > dob:
                    self.w.contacts.append((t, _pick(r, _SOURCES), p))
                t += 7 + int(r.random() * 60)
                if t >= start:
                    break
        prev_plans = 1 if r.random() < pr["p_prior_cpp"] else 0
        ref = start
        while True:
            ep = self._community_episode(r, p, ref, prev_plans)
            if ep.close > start + span:
                self._close(ep, start + span, "RC7")
            prev_plans += len(ep.plans)
            if r.random() >= pr["q"] * (1.25 if ep.plans else 1.0):
                break
            if r.random() < pr["within"]:
                nxt = ref + 20 + int(r.random() * 340)
            else:
                nxt = ref + 366 + int(r.expovariate(1 / 420))
            nxt = max(nxt, ep.close + 7 + int(r.random() * 30))
            if nxt >= start + cap or nxt >= b18 - 45:
                break
            ref = nxt

    def long_cin(self, key: int, start: int, dob: int, sex: int, end: int) -> None:
        r = self.stream(2 * key)
        p = self.person(r, key, dob, sex, True, False)
        ep = self._new_episode(r, p, start, _pick(r, _cum((("3F", 30), ("3A", 15), ("2B", 15), ("1A", 25),
                                                            ("5A", 15)))), False, "N2")  # fmt: skip
        team = self.teams.cwd
        worker = team.worker(r)
        ep.ref_team, ep.ref_worker = team, worker
        a = self._assessment(r, ep, team, worker, True)
        self._cin_plan(r, ep, a.auth, max(end, a.auth + 60), team)
        self._close(ep, max(end, a.auth + 60), "RC6" if r.random() < 0.4 else "RC7")

    # -- children of the care model -----------------------------------------------------------------------

    def care_child(self, sk: Skeleton, h: History, ci: int, periods: list[tuple[int, int, int]],
                   firsts: dict[int, tuple[str, str]], last_rec: dict[int, str]) -> None:  # fmt: skip
        """Referrals, assessments, enquiries and plans before each period of care of care-model child `ci`,
        and the child in need episode covering the care. periods: (start, end, class) in order; firsts:
        start -> (LS, CIN code) of its first episode; last_rec: start -> REC of the period's last episode."""
        r = self.stream(2 * ci + 1)
        dob = int(sk.dob[ci])
        uasc = bool(sk.uasc[ci])
        short_break = bool(sk.short_break[ci])
        p = self.person(r, ci, dob, int(sk.sex[ci]), short_break, True, h.ethnic.get(ci), h.upn.get(ci))
        b18 = p.b18
        if short_break:
            s, e, _ = periods[0]
            self._short_break_child(r, p, s, e, b18)
            return
        open_ep: Episode | None = None
        for s, e, klass in periods:
            ls, cin = firsts.get(s, ("V2", "N1"))
            rec = last_rec.get(s, "E8")
            if open_ep is not None and open_ep.close is not None and open_ep.close >= s:
                ep = open_ep  # still open from the last period: no new referral
                for cp in ep.cin_plans:
                    cp[1] = min(cp[1], s)
            else:
                ep = self._pre_care(r, p, s, klass, ls, cin, uasc, dob)
            team = self.teams.cla(p.locality)
            ep.status.append((s, "a", team, team.worker(r)))
            # after care
            reason = REC_TO_RC.get(rec)
            if reason is not None or e >= b18 - 1:
                close = e
                reason = reason or ("RC6" if rec == "E7" else "RC7")
                ep.close = None
                self._close(ep, close, reason)
            elif rec in ("E4A", "E4B", "E13"):
                tail = 30 + int(r.random() * (POST_CARE_TAIL - 30))
                d = tail
                self._cin_plan(r, ep, e, e + d)
                ep.close = None
                self._close(ep, e + d, "RC7")
            else:
                ep.close = None
                self._close(ep, e + int(r.random() * 60), "RC7")
            open_ep = ep

    def _pre_care(self, r, p: Person, s: int, klass: int, ls: str, cin: str, uasc: bool, dob: int) -> Episode:
        """The referral (and perhaps an earlier one) leading to a period of care starting on day s. Nothing
        starts before PRE_CARE_LEAD before s, nor before the child's last episode closed."""
        wd = self.wd
        room = s - dob  # days since birth
        after = max([dob] + [e.close for e in p.episodes if e.close is not None]) + 1
        floor = max(s - PRE_CARE_LEAD, after)
        emergency = ls in ("L1", "L2", "L3") or r.random() < 0.12
        if uasc:
            path = "uasc"
        elif klass == REMAND:
            path = "remand"
        elif emergency or room < 45:
            path = "emergency"
        else:
            u = r.random()
            plan_p = 0.62 * (1.2 if room < 5 * YEAR else 0.85)
            path = "plan" if u < plan_p else ("short" if u < plan_p + 0.6 * (1 - plan_p) else "cin")
        if path == "plan" and room < 150:
            path = "short"
        # when the referral came
        if path == "uasc":
            ref = s
        elif path == "remand":
            ref = s - int(r.random() * 3)
        elif path == "emergency":
            ref = s - (0 if r.random() < 0.6 else 1 + int(r.random() * 3))
        elif path == "plan":
            plan_days = max(40, min(room - 60, int(math.exp(math.log(170) + 0.7 * r.gauss(0, 1)))))
            ref = s - plan_days - 20 - int(r.random() * 25)
        elif path == "short":
            ref = s - 5 - int(r.random() * 110)
        else:  # a child in need plan, then care
            ref = s - 120 - int(r.random() * 600)
        ref = min(s, max(ref, floor))
        # an earlier, closed episode (prior referral) for some
        if path in ("plan", "short", "cin") and r.random() < 0.33 and ref - floor > 500:
            t0 = max(floor, ref - 300 - int(r.random() * 900))
            ep0 = self._community_episode(r, p, t0, 0)
            if ep0.close is not None and ep0.close >= ref - 30:
                # too close to the referral: make it a referral closed with no further action
                self._close(ep0, ep0.ref, "RC8")
                ep0.nfa = True
                ep0.assessments.clear()
                ep0.s47s.clear()
                ep0.plans.clear()
                ep0.cin_plans.clear()
                ep0.status = [(ep0.ref, "d", self.teams.mash, self.teams.mash.worker(r))]
                ep0.ref_team, ep0.ref_worker = ep0.status[0][2], ep0.status[0][3]
        prev_plans = sum(len(e.plans) for e in p.episodes) + (1 if r.random() < self.p["p_prior_cpp"] else 0)
        team = self.teams.assessment(p.locality)
        worker = team.worker(r)
        if path == "uasc":
            source = "6" if r.random() < 0.4 else "8"
        elif path in ("remand", "emergency"):
            source = "6" if path == "remand" or r.random() < 0.6 else _pick(r, _SOURCES)
        else:
            source = _pick(r, _SOURCES)
        ep = self._new_episode(r, p, ref, source, False, cin)
        ep.ref_team, ep.ref_worker = team, worker
        a = self._assessment(r, ep, team, worker, True)
        if path == "emergency":
            self._s47(r, ep, team, worker, ref, False, False)
        elif path == "plan":
            st = wd.add(ref, int(r.random() * 4))
            sq = self._s47(r, ep, team, worker, st, True, True)
            if sq.icpc >= s - 7:
                sq.plan = False
            else:
                self._plan(r, ep, sq.icpc, prev_plans, end=s)
        elif path == "short":
            if r.random() < 0.55:
                self._s47(r, ep, team, worker, wd.add(ref, int(r.random() * 3)), r.random() < 0.25, False)
        elif path == "cin":
            if a.auth < s - 14:
                self._cin_plan(r, ep, a.auth, s)
        return ep

    def _short_break_child(self, r, p: Person, s: int, e: int, b18: int) -> None:
        ref = max(p.dob + 30, s - 60 - int(r.random() * 500))
        ep = self._new_episode(r, p, ref, _pick(r, _cum((("3F", 40), ("1A", 30), ("2B", 15), ("5A", 15)))),
                               False, "N2")  # fmt: skip
        team = self.teams.cwd
        worker = team.worker(r)
        ep.ref_team, ep.ref_worker = team, worker
        a = self._assessment(r, ep, team, worker, True)
        end = min(b18, e + int(r.random() * 120))
        self._cin_plan(r, ep, a.auth, max(end, a.auth + 30), team)
        self._close(ep, max(end, a.auth + 30), "RC6" if end >= b18 - 1 else "RC7")


# ----------------------------------------------------------------------------------------------------------
# driver


def care_periods(sk: Skeleton, h: History, children: set[int]):
    """Per care-model child: its periods (start, end, class) in order, the LS and CIN code of each period's
    first episode, and the REC of each period's last episode (keyed by period start)."""
    periods: dict[int, list[tuple[int, int, int]]] = {}
    idx = np.nonzero(np.isin(sk.child, np.fromiter(children, dtype=np.int64, count=len(children))))[0]
    for i in idx.tolist():
        periods.setdefault(int(sk.child[i]), []).append((int(sk.start[i]), int(sk.end[i]), int(sk.klass[i])))
    firsts: dict[int, dict[int, tuple[str, str]]] = {}
    last_rec: dict[int, dict[int, str]] = {}
    cur_start: dict[int, int] = {}
    for ci, decom, rne, ls, cin, rec in zip(h.e_child, h.e_decom, h.e_rne, h.e_ls, h.e_cin, h.e_rec, strict=True):
        if ci not in periods:
            continue
        if rne == "S":
            cur_start[ci] = decom
            firsts.setdefault(ci, {})[decom] = (ls, cin)
        s = cur_start.get(ci)
        if s is not None and rec != "X1":
            last_rec.setdefault(ci, {})[s] = rec
    return periods, firsts, last_rec


def simulate_cin(
    world: CinWorld,
    rng: np.random.Generator,
    base: int,
    london: float,
    sk: Skeleton,
    h: History,
    care_children: set[int],
    window_start: int,
    horizon: int,
    contacts_from: int,
    span: tuple[int, int],
) -> CinSkeleton:
    """Fill `world` with every history that can touch [window_start, horizon] (contacts from `contacts_from`)."""
    model = CinModel(world, base, london)
    csk = cin_skeleton(rng, world.params, span[0], span[1])
    periods, firsts, last_rec = care_periods(sk, h, care_children)
    for ci in sorted(periods):
        ps = periods[ci]
        if sk.short_break[ci]:
            ps = [(min(p[0] for p in ps), max(p[1] for p in ps), SHORT_BREAK)]
        model.care_child(sk, h, ci, ps, firsts.get(ci, {}), last_rec.get(ci, {}))
    kind, start = csk.kind, csk.start
    extended = csk.u[:, 5] < LONG_CAREER_SHARE
    reach = np.where(extended, LONG_CAREER_SPAN, CAREER_SPAN)
    sel_career = (kind == 1) & (start >= window_start - reach - 1) & (start <= horizon + PRE_CONTACT_LEAD)
    sel_long = (kind == 2) & (start <= horizon) & (csk.long_end >= window_start - 400)
    for k in np.nonzero(sel_career | sel_long)[0].tolist():
        key = INDEX_OFFSET + k
        s, dob, sex = int(start[k]), int(csk.dob[k]), int(csk.sex[k])
        if kind[k] == 1:
            model.career(key, s, dob, sex, bool(extended[k]))
        else:
            model.long_cin(key, s, dob, sex, int(csk.long_end[k]))
    _contact_only(world, model, csk, (kind == 0) & (start >= contacts_from - CONTACT_ONLY_SPAN) & (start <= horizon))
    return csk


def _contact_only(world: CinWorld, model: CinModel, csk: CinSkeleton, sel: np.ndarray) -> None:
    """Children with one to three contacts and no referral, drawn from the skeleton's uniforms."""
    ks = np.nonzero(sel)[0]
    u = csk.u[ks]
    n = np.where(u[:, 0] < 0.76, 1, np.where(u[:, 0] < 0.95, 2, 3))
    gap = 7 + (u[:, 1] * 150).astype(np.int64)  # contacts at +gap and +3 gap: within CONTACT_ONLY_SPAN
    src_cum = np.array(_SOURCES[1])
    eth_vals, eth_cum = model.eth
    eth = np.searchsorted(np.array(eth_cum), u[:, 2], side="left")
    srcs = [np.searchsorted(src_cum, u[:, j], side="left") for j in (3, 4, 5)]
    src_vals = _SOURCES[0]
    for i, k in enumerate(ks.tolist()):
        key = INDEX_OFFSET + k
        s, dob = int(csk.start[k]), int(csk.dob[k])
        p = Person(key, dob, int(csk.sex[k]), eth_vals[min(int(eth[i]), len(eth_vals) - 1)], None, (), 0, False)
        world.persons[key] = p
        t = s
        for j in range(int(n[i])):
            world.contacts.append((t, src_vals[min(int(srcs[j][i]), len(src_vals) - 1)], p))
            t += int(gap[i]) * (j + 1)


__all__ = [
    "CIN_FIRST",
    "INDEX_OFFSET",
    "SIX_DIGIT_CAPACITY",
    "CinWorld",
    "Episode",
    "Person",
    "Plan",
    "S47",
    "Assessment",
    "calibrate",
    "simulate_cin",
]
