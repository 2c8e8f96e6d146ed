"""An authority's children's social care workforce: the monthly HR extracts and the CSWW census, one history.

The LA's teams (`teams`) are staffed post by post. Every team has a first line manager, six to nine social
worker posts (some part-time), one or two senior practitioners and one or two unqualified staff (family
support, business support); two senior managers, four middle managers and two qualified staff without cases
sit in a team of their service (every worker belongs to a team, so `team_name` is always one of the LA's
teams; the children with disabilities team, left out of `reference/org_units.csv`, is staffed like the
others). Every LA gets the same establishment (about 130 social work posts), whatever its size.

Each post is simulated over a fixed span (`WF_FIRST` to the end of the care model's span, widened only for
windows reaching outside it), so one seed gives one history whatever the window: an employee holds the post
until they leave (time in post drawn from a gamma distribution with the mean a 14% yearly leaving rate gives
for social workers, less for managers, so leavers come more evenly than a Poisson stream; fixed-term contracts
end), then the post is vacant for some months (a vacancy: agency cover does not fill it) and is usually
covered by a chain of agency assignments until the next employee starts. One locality assessment team (the
slow one in `teams`) loses staff faster, takes longer to recruit, covers nearly every gap with agency staff
and has an extra agency-only post, so "agency pressure" shows there. Sickness is a run of spells per worker
(short, medium, long-term; about 9 working days a year per FTE, as in England). Cases: each team carries a
caseload (cases per establishment FTE times a slow random walk) shared among the case holders in post at the
month end by FTE, experience and a personal factor, so caseloads drift month to month and rise when posts are
vacant; the slow locality assessment and child protection teams run at or above 22 cases per FTE. Newly
qualified workers and new starters carry fewer; managers (but a few first line managers), QNC and UNQ staff
hold none.

The HR extract of a month lists everyone in post on any day of it (a leaver with their leave date and reason,
in the month they leave, then never again), cut at `end` for a month still under way; the CSWW census lists
the qualified staff (not UNQ) in post on 30 September, agency included, and the employees who left in the
census year, with FTE, cases, days lost and vacancies taken from the same history as the HR months.

Staff numbers are `E` + six digits (employees) or `AG` + five (agency); SWENo (`SW` + six digits) is a keyed
permutation of the staff number, so a worker keeps both for life. Nobody has a name. Days are days since
1970-01-01 (`codes.day`); a worker's `end` is their last day in post (the leave date), None if they never
leave within the span.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import codes as C
from .teams import ASSESS_CP, CWD, FRONT_DOOR, IN_CARE, MASH, Teams
from .workdays import WorkingDays

__all__ = ["HR_WORKERS", "HR_VACANCIES", "WF_FIRST", "Workforce", "month_ends", "census_dates"]

WF_FIRST = date(2008, 4, 1)
DATE_FMT = "%d/%m/%Y"
HR_WORKERS = [
    "month", "worker_id", "team_name", "role", "fte", "employment_type", "start_date", "leave_date",
    "leave_reason", "sickness_days", "cases_held",
]  # fmt: skip
HR_VACANCIES = ["month", "team_name", "vacancy_fte"]
ROLES = ("SM", "MM", "FLM", "SP", "SW", "QNC", "UNQ")
ORG_ROLE = {"SM": 1, "MM": 2, "FLM": 3, "SP": 4, "SW": 5, "QNC": 6}  # CSWW OrgRole; UNQ staff are not in it
# HR leave reason -> CSWW ReasonLeave (1 resignation, 2 voluntary redundancy, 4 dismissed, 5 retired,
# 7 moved to another role within the LA, 8 other, 9 not known)
REASON_LEAVE = {
    "resignation": 1, "redundancy": 2, "dismissal": 4, "retirement": 5, "transfer": 7, "end_of_contract": 8,
    "other": 8, "not_known": 9,
}  # fmt: skip
EMPLOYEE_REASONS = (
    ("resignation", 0.70), ("retirement", 0.06), ("transfer", 0.07), ("dismissal", 0.03), ("redundancy", 0.02),
    ("other", 0.07), ("not_known", 0.05),
)  # fmt: skip
AGENCY_REASONS = (("end_of_contract", 0.65), ("resignation", 0.25), ("other", 0.05), ("not_known", 0.05))
ETHNICITY = (
    ("WBRI", 0.68), ("WOTH", 0.06), ("WIRI", 0.02), ("BAFR", 0.07), ("BCRB", 0.03), ("AIND", 0.03),
    ("APKN", 0.02), ("MWBC", 0.02), ("MOTH", 0.02), ("AOTH", 0.02), ("OOTH", 0.01), ("REFU", 0.02),
)  # fmt: skip
QUAL_INST = (
    "University of Northvale", "Eastmoor University", "Riverton Metropolitan University", "Southcliff University",
    "University of Westbridge", "Kingsmead College", "Harbourside University", "Institution outside England",
)  # fmt: skip

# leaving: annual probability for an employee; recruitment: mean days a vacancy stays open; agency: chance a
# vacancy is covered
HAZARD = {"SM": 0.08, "MM": 0.09, "FLM": 0.10, "SP": 0.11, "SW": 0.14, "QNC": 0.12, "UNQ": 0.14}
FILL_DAYS = {"SM": 200, "MM": 200, "FLM": 210, "SP": 230, "SW": 370, "QNC": 150, "UNQ": 120}
COVER = {"SM": 0.35, "MM": 0.45, "FLM": 0.65, "SP": 0.6, "SW": 0.96, "QNC": 0.15, "UNQ": 0.0}
TENURE_SHAPE = 2.0
FIXED_TERM_SHARE = 0.07  # of new employees (not managers)
NQ_SHARE = 0.22  # of new social workers: newly qualified (StartOrigin 1), lighter caseload in their first year
# sickness spells: (annual rate, fewest and most working days)
SPELLS = ((1.45, 1, 3), (0.30, 4, 12), (0.075, 15, 90))
SPELL_RATE = sum(s[0] for s in SPELLS)
# cases per establishment FTE of case-holding posts, by kind of team (times the LA's level / 16.5)
TEAM_CASES = {"mash": 11.0, "assessment": 17.0, "cp": 17.5, "cin": 17.5, "cla": 15.5, "cwd": 14.0}
PRESSURE_EXTRA = 1.25  # the slow locality assessment team
SLOW_CP_EXTRA = 1.33


def _d(t: int, cache: dict[int, str] = {}) -> str:  # noqa: B006 - a per-process format cache
    s = cache.get(t)
    if s is None:
        s = cache[t] = C.from_day(t).strftime(DATE_FMT)
    return s


def _num(x: float) -> str:
    """A number as written in the extracts: at most two decimals, no trailing zeros ("1", "0.8", "2.5")."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def _pick(r: random.Random, table) -> str:
    u, acc = r.random(), 0.0
    for v, p in table:
        acc += p
        if u < acc:
            return v
    return table[-1][0]


def month_ends(range_start: date, end: date, n: int) -> list[date]:
    """The last n month ends of [range_start, end], oldest first; the last is `end` itself (a month cut short
    when `end` is not a month end)."""
    out = [end]
    y, m = end.year, end.month
    while len(out) < n:
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        d = date.fromordinal(date(y + (m == 12), 1 if m == 12 else m + 1, 1).toordinal() - 1)
        if d < range_start:
            break
        out.append(d)
    return sorted(out)


def census_dates(range_start: date, end: date) -> list[date]:
    """Every 30 September in [range_start, end]: the CSWW reference dates."""
    return [date(y, 9, 30) for y in range(range_start.year, end.year + 1) if range_start <= date(y, 9, 30) <= end]


@dataclass(slots=True)
class Post:
    index: int
    team: str
    role: str
    fte: float
    funded: bool  # a social worker post: vacant when no employee holds it (not UNQ, not agency-only)
    hazard: float
    fill_days: float
    cover: float
    cases: float  # expected share of the team's cases per FTE (0 for posts that hold none)
    agency_only: bool = False  # temporary capacity, always filled by agency


@dataclass(slots=True)
class Worker:
    staff_no: str
    post: int
    team: str
    role: str
    fte: float
    employment_type: str  # permanent, fixed_term, agency
    start: int
    end: int | None = None  # last day in post
    leave_reason: str = ""
    cases_factor: float = 0.0  # 0: holds no cases
    nq: bool = False
    birth: int = 0
    gender: str = "2"
    ethnicity: str = "WBRI"
    qual_inst: str = ""
    qual_level: str = "1"
    step_up: bool = False
    frontline: bool = False
    origin: str = "9"
    destination: str = ""
    sick: list[tuple[int, int]] = field(default_factory=list)  # (first, last) working day of each spell

    @property
    def agency(self) -> bool:
        return self.employment_type == "agency"

    def in_post(self, t: int) -> bool:
        """In post at the end of day t, not leaving that day."""
        return self.start <= t and (self.end is None or self.end > t)


def _team_kind(name: str) -> str:
    if name == MASH:
        return "mash"
    if name == CWD:
        return "cwd"
    if name.startswith("Locality"):
        return "assessment"
    if name.startswith("Child Protection"):
        return "cp"
    if name.startswith("Children in Need"):
        return "cin"
    return "cla"


class Workforce:
    """One LA's simulated workforce over [first, last] (days), drawn from `r` (the LA's own stream)."""

    def __init__(self, teams: Teams, r: random.Random, wd: WorkingDays, first: int, last: int):
        self.teams, self.wd, self.first, self.last = teams, wd, first, last
        self.team_names = list(teams.teams)
        self.pressure = teams.assessment(teams.slow_locality).name
        self.slow_cp = f"Child Protection {teams.slow_cp}"
        self.posts: list[Post] = []
        self.workers: list[Worker] = []
        self.by_team: dict[str, list[Worker]] = {t: [] for t in self.team_names}
        self._used: set[str] = set()
        self._swe_keys = tuple(r.getrandbits(20) for _ in range(4))
        level = 15.5 + 2.0 * r.random()  # the LA's cases per FTE
        self._posts(r)
        # the team caseload: cases per establishment FTE, times a slow walk (one value per month of the span)
        self.first_month = (C.from_day(first).year, C.from_day(first).month)
        n_months = self._month_index(last) + 1
        self.demand: dict[str, list[float]] = {}
        for name in self.team_names:
            tr = random.Random(r.getrandbits(64))
            lv = TEAM_CASES[_team_kind(name)] * level / 16.5 * (0.94 + 0.12 * tr.random())
            if name == self.pressure:
                lv *= PRESSURE_EXTRA
            elif name == self.slow_cp:
                lv *= SLOW_CP_EXTRA
            cap = sum(p.fte * p.cases for p in self.posts if p.team == name)
            x, walk = 0.0, []
            for _ in range(n_months):
                x = 0.85 * x + tr.gauss(0.0, 0.035)
                walk.append(lv * cap * math.exp(x))
            self.demand[name] = walk
        for p in self.posts:
            self._run_post(p, random.Random(r.getrandbits(64)))
        for w in self.workers:
            self.by_team[w.team].append(w)
        order = {n: i for i, n in enumerate(self.team_names)}
        self.ordered = sorted(self.workers, key=lambda w: (order[w.team], ROLES.index(w.role), w.staff_no))
        self._cases_cache: dict[int, dict[str, int]] = {}

    # -- structure -----------------------------------------------------------------------------------------

    def _posts(self, r: random.Random) -> None:
        t = self.teams
        first_of_service = {FRONT_DOOR: MASH, ASSESS_CP: t.assessment(1).name, IN_CARE: "Children in Care 1"}
        spec: list[tuple[str, str]] = [("SM", first_of_service[ASSESS_CP]), ("SM", first_of_service[IN_CARE])]
        spec += [("MM", first_of_service[FRONT_DOOR]), ("MM", first_of_service[ASSESS_CP])]
        spec += [("MM", "Child Protection 1"), ("MM", first_of_service[IN_CARE])]
        spec += [("QNC", MASH), ("QNC", "Children in Care 2")]
        for name in self.team_names:
            n_sw = r.randint(5, 7) if name == CWD else r.randint(6, 9)
            spec += [("FLM", name)] + [("SP", name)] * (1 + (r.random() < 0.5))
            spec += [("SW", name)] * n_sw + [("UNQ", name)] * (1 + (r.random() < 0.6))
        for role, team in spec:
            if role == "SW":
                fte = _pick(r, ((1.0, 0.76), (0.8, 0.11), (0.6, 0.08), (0.5, 0.05)))
            elif role == "UNQ":
                fte = _pick(r, ((1.0, 0.55), (0.8, 0.15), (0.6, 0.15), (0.5, 0.15)))
            elif role in ("SP", "FLM", "QNC"):
                fte = _pick(r, ((1.0, 0.88), (0.8, 0.12)))
            else:
                fte = 1.0
            hazard, fill, cover = HAZARD[role], FILL_DAYS[role], COVER[role]
            if team == self.pressure and role in ("SW", "SP", "FLM"):
                hazard, fill, cover = hazard * 1.6, fill * 1.4, max(cover, 0.97)
            elif team == self.slow_cp and role == "SW":
                hazard, fill = hazard * 1.25, fill * 1.2
            cases = {"SW": 1.0, "SP": 0.85}.get(role, 0.0)
            self.posts.append(Post(len(self.posts), team, role, fte, role != "UNQ", hazard, fill, cover, cases))
        # an agency-only post (temporary capacity, not funded) in the pressured team
        self.posts.append(Post(len(self.posts), self.pressure, "SW", 1.0, False, 0.0, 0.0, 1.0, 1.0, True))

    def _staff_no(self, r: random.Random, agency: bool) -> str:
        while True:
            s = f"AG{r.randint(10_000, 99_999)}" if agency else f"E{r.randint(100_000, 999_999)}"
            if s not in self._used:
                self._used.add(s)
                return s

    def swe_no(self, staff_no: str) -> str:
        """SWENo for a staff number: a keyed permutation (Feistel network on 20 bits, cycle-walked into
        0..989,999) of E100000-E999999 then AG10000-AG99999, so distinct staff never share one."""
        x = int(staff_no[1:]) - 100_000 if staff_no[0] == "E" else 900_000 + int(staff_no[2:]) - 10_000
        while True:
            left, right = x >> 10, x & 0x3FF
            for k in self._swe_keys:
                left, right = right, left ^ (((right * 0x9E37 + k) ^ (right >> 3)) & 0x3FF)
            x = (left << 10) | right
            if x < 990_000:
                return f"SW{x:06d}"

    # -- simulation ----------------------------------------------------------------------------------------

    def _person(self, r: random.Random, p: Post, start: int, agency: bool, before: bool = False) -> Worker:
        nq = p.role == "SW" and not agency and not before and r.random() < NQ_SHARE
        if nq:
            age = 22 + r.random() * 8
        else:
            base = {"SM": 44, "MM": 42, "FLM": 38, "SP": 36}.get(p.role, 33)
            age = min(62.0, max(24.0, r.gauss(base, 7)))
        if agency:
            etype = "agency"
        elif p.role in ("SW", "UNQ", "QNC") and not before and r.random() < FIXED_TERM_SHARE:
            etype = "fixed_term"
        else:
            etype = "permanent"
        w = Worker(
            self._staff_no(r, agency),
            p.index,
            p.team,
            p.role,
            1.0 if agency else p.fte,
            etype,
            start,
            nq=nq,
            birth=start - int(age * 365.25),
        )
        w.gender = _pick(r, (("2", 0.83), ("1", 0.15), ("9", 0.02)))
        w.ethnicity = _pick(r, ETHNICITY)
        if p.role != "UNQ":
            w.qual_inst = QUAL_INST[r.randrange(len(QUAL_INST))]
            w.qual_level = _pick(r, (("1", 0.6), ("2", 0.36), ("3", 0.04)))
            w.step_up = r.random() < 0.04
            w.frontline = not w.step_up and r.random() < 0.07
        if nq:
            w.origin = "1"
        elif not agency:
            w.origin = _pick(r, (("2", 0.42), ("4", 0.22), ("3", 0.04), ("5", 0.08), ("6", 0.08), ("8", 0.06),
                                 ("9", 0.10)))  # fmt: skip
        if p.cases > 0:
            w.cases_factor = p.cases * (0.82 + 0.36 * r.random())
        elif p.role == "FLM" and r.random() < 0.15:
            w.cases_factor = 0.15  # a team manager holding a few cases
        self.workers.append(w)
        return w

    def _sickness(self, r: random.Random, w: Worker) -> None:
        last = self.last if w.end is None else w.end
        t = max(w.start, self.first - 400) + int(r.expovariate(SPELL_RATE) * 365.25)
        while t <= last:
            u, acc, spell = r.random() * SPELL_RATE, 0.0, SPELLS[-1]
            for spell in SPELLS:
                acc += spell[0]
                if u < acc:
                    break
            n = r.randint(spell[1], spell[2])
            s = self.wd.add(t, 0)
            e = self.wd.add(s, n - 1) if n > 1 else s
            w.sick.append((s, e))
            t = e + 1 + int(r.expovariate(SPELL_RATE) * 365.25)

    def _leave(self, r: random.Random, w: Worker, end: int, reason: str | None = None) -> None:
        w.end = end
        if reason is None:
            if w.agency:
                reason = _pick(r, AGENCY_REASONS)
            elif (end - w.birth) / 365.25 >= 60 and r.random() < 0.7:
                reason = "retirement"
            else:
                reason = _pick(r, EMPLOYEE_REASONS)
        w.leave_reason = reason
        if not w.agency:
            w.destination = {"retirement": "6", "transfer": "5"}.get(reason) or (
                _pick(r, (("1", 0.35), ("3", 0.22), ("4", 0.12), ("6", 0.11), ("8", 0.2)))
                if reason == "resignation"
                else "8"
            )

    def _run_post(self, p: Post, r: random.Random) -> None:
        """Occupants of one post over the span: employees, and agency cover while it is vacant."""
        first, last = self.first, self.last
        if p.agency_only:  # a chain of assignments
            self._agency_chain(r, p, first - r.randint(0, 200), last + 1)
            return
        # time in post: gamma (shape TENURE_SHAPE) with the mean a constant hazard would give, so a team's
        # leavers come more evenly than a Poisson stream would make them
        mean = 365.25 / -math.log(1 - p.hazard)
        scale = mean / TENURE_SHAPE
        vacant_share = p.hazard * p.fill_days / 365.25
        if r.random() < vacant_share:
            t = first - int(r.random() * p.fill_days)  # vacant since t
        else:
            whole = r.gammavariate(TENURE_SHAPE, scale)
            done = whole * r.random()
            w = self._person(r, p, first - int(min(25 * 365.25, done)), agency=False, before=True)
            end = first + int(whole - done)
            if end > last:
                self._sickness(r, w)
                return
            self._leave(r, w, end)
            self._sickness(r, w)
            t = end + 1
        while True:
            # vacant from day t until the next employee starts (a working day)
            gap = 30 + r.gammavariate(2.0, (p.fill_days - 30) / 2.0)
            nxt = self.wd.add(t + int(gap), 0)
            if r.random() < p.cover:
                self._agency_chain(r, p, t + r.randint(3, 25), nxt)
            if nxt > last:
                return
            w = self._person(r, p, nxt, agency=False)
            end = nxt + int(r.gammavariate(TENURE_SHAPE, scale))
            reason = None
            if w.employment_type == "fixed_term":
                contract_end = nxt + r.randint(365, 730)
                if contract_end < end:
                    end, reason = contract_end, "end_of_contract"
            if end > last:
                self._sickness(r, w)
                return
            self._leave(r, w, end, reason)
            self._sickness(r, w)
            t = end + 1

    def _agency_chain(self, r: random.Random, p: Post, a: int, until: int) -> None:
        """Agency workers covering the post from day a until the day before `until` (gaps between them)."""
        while a < until - 20 and a <= self.last:
            w = self._person(r, p, self.wd.add(a, 0), agency=True)
            e = w.start + 40 + int(r.expovariate(1 / 230))
            if e >= until - 1:
                e = until - 1 - r.randint(0, 5)  # handed over to the new employee
                reason = "end_of_contract"
            else:
                reason = None
            if e > self.last:
                self._sickness(r, w)
                return
            self._leave(r, w, max(e, w.start), reason)
            self._sickness(r, w)
            a = e + 1 + r.randint(3, 30)

    # -- cuts ----------------------------------------------------------------------------------------------

    def _month_index(self, t: int) -> int:
        d = C.from_day(t)
        return (d.year - self.first_month[0]) * 12 + d.month - self.first_month[1]

    def sickness_days(self, w: Worker, a: int, b: int) -> float:
        """Working days lost to sickness in [a, b] while in post, times FTE, to one decimal."""
        a, b = max(a, w.start), b if w.end is None else min(b, w.end)
        if a > b:
            return 0.0
        n = 0
        for s, e in w.sick:
            if s <= b and e >= a:
                n += self.wd.between(max(s, a) - 1, min(e, b))
        return round(n * w.fte, 1)

    def cases(self, t: int) -> dict[str, int]:
        """Cases held by each worker in post at the end of day t (a month end), by staff number."""
        got = self._cases_cache.get(t)
        if got is not None:
            return got
        out: dict[str, int] = {}
        k = self._month_index(t)
        for name in self.team_names:
            holders = []
            for w in self.by_team[name]:
                if w.cases_factor > 0 and w.in_post(t):
                    months = (t - w.start) / 30.44
                    ramp = 0.4 if months < 1 else 0.75 if months < 2 else 1.0
                    nq = 0.8 if w.nq and months < 12 else 1.0
                    holders.append((w, w.fte * w.cases_factor * ramp * nq))
            total = sum(x for _, x in holders)
            d = self.demand[name][k]
            for w, x in holders:
                out[w.staff_no] = int(d * x / total + 0.5)
        self._cases_cache[t] = out
        return out

    def vacancies(self, t: int) -> dict[str, float]:
        """Vacant funded FTE per team at the end of day t (posts no employee holds; agency cover does not
        count)."""
        held = {w.post for w in self.workers if not w.agency and w.in_post(t)}
        out = dict.fromkeys(self.team_names, 0.0)
        for p in self.posts:
            if p.funded and p.index not in held:
                out[p.team] += p.fte
        return {k: round(v, 2) for k, v in out.items()}

    def month_rows(self, month_end: date, cut: date) -> tuple[list[list[str]], list[list[str]]]:
        """The HR extract for the month ending `month_end`, as known at `cut` (<= month_end): worker rows and
        vacancy rows."""
        c = C.day(min(cut, month_end))
        ms = C.day(month_end.replace(day=1))
        label = _d(c)
        cases = self.cases(c)
        rows = []
        for w in self.ordered:
            if w.start > c or (w.end is not None and w.end < ms):
                continue
            leaving = w.end is not None and w.end <= c
            rows.append([
                label, w.staff_no, w.team, w.role, f"{w.fte:.2f}", w.employment_type, _d(w.start),
                _d(w.end) if leaving else "", w.leave_reason if leaving else "",
                _num(self.sickness_days(w, ms, c)), str(0 if leaving else cases.get(w.staff_no, 0)),
            ])  # fmt: skip
        vac = self.vacancies(c)
        return rows, [[label, n, _num(vac[n])] for n in self.team_names]

    def write_month(self, month_end: date, cut: date, folder: Path) -> tuple[int, int]:
        rows, vac = self.month_rows(month_end, cut)
        folder.mkdir(parents=True, exist_ok=True)
        for name, head, body in (("hr_workers.csv", HR_WORKERS, rows), ("hr_vacancies.csv", HR_VACANCIES, vac)):
            with (folder / name).open("w", newline="", encoding="utf-8") as f:
                wr = csv.writer(f, lineterminator="\n")
                wr.writerow(head)
                wr.writerows(body)
        return len(rows), len(vac)

    def write_census(self, la_code: str, ref: date, path: Path) -> int:
        """The CSWW return as at 30 September `ref`: qualified workers in post (agency too), and employees who
        left in the census year (1 October to 30 September) with FTE 0. Returns the number of CSWWWorker."""
        r_day, ys = C.day(ref), C.day(date(ref.year - 1, 10, 1))
        cases = self.cases(r_day)
        vac = self.vacancies(r_day)
        # sickness as the monthly HR extracts give it, summed over the census year's twelve months
        months = [C.day(m) for m in month_ends(date(ref.year - 1, 10, 1), ref, 12)]
        starts = [ys] + [m + 1 for m in months[:-1]]

        def lost(w: Worker) -> float:
            return sum(self.sickness_days(w, a, b) for a, b in zip(starts, months, strict=True))

        in_post, leavers = [], []
        for w in self.workers:
            if w.role == "UNQ" or w.start > r_day:
                continue
            if w.in_post(r_day):
                in_post.append(w)
            elif not w.agency and w.end is not None and ys <= w.end <= r_day:
                leavers.append(w)
        agency_fte = sum(w.fte for w in in_post if w.agency)
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            "<Message><Header><CollectionDetails><Collection>CSWW</Collection>",
            f"<Year>{ref.year}</Year><ReferenceDate>{ref.isoformat()}</ReferenceDate></CollectionDetails>",
            f"<Source><SourceLevel>L</SourceLevel><LEA>{la_code}</LEA><SoftwareCode>csqa generate</SoftwareCode>",
            f"<DateTime>{ref.isoformat()}T12:00:00</DateTime></Source></Header>\n",
            f"<LALevelVacancies><NumberOfVacancies>{sum(vac.values()):.2f}</NumberOfVacancies>",
            f"<NoAgencyFTE>{agency_fte:.2f}</NoAgencyFTE>",
            f"<NoAgencyHeadcount>{sum(1 for w in in_post if w.agency)}</NoAgencyHeadcount></LALevelVacancies>\n",
        ]
        recs = [(self.swe_no(w.staff_no), w, True) for w in in_post]
        recs += [(self.swe_no(w.staff_no), w, False) for w in leavers]
        for swe, w, here in sorted(recs, key=lambda x: x[0]):
            x = [f"<CSWWWorker><AgencyWorker>{int(w.agency)}</AgencyWorker><SWENo>{swe}</SWENo>"]
            x.append(f"<FTE>{_num(w.fte) if here else '0'}</FTE>")
            x.append(f"<PersonBirthDate>{C.from_day(w.birth).isoformat()}</PersonBirthDate>")
            x.append(f"<GenderCurrent>{w.gender}</GenderCurrent><Ethnicity>{w.ethnicity}</Ethnicity>")
            x.append(f"<QualInst>{w.qual_inst}</QualInst><QualLevel>{w.qual_level}</QualLevel>")
            if not w.agency:
                x.append(f"<StepUpGrad>{int(w.step_up)}</StepUpGrad>")
            x.append(f"<OrgRole>{ORG_ROLE[w.role]}</OrgRole>")
            x.append(f"<RoleStartDate>{C.from_day(w.start).isoformat()}</RoleStartDate>")
            if not w.agency:
                x.append(f"<StartOrigin>{w.origin}</StartOrigin>")
            if not here:
                x.append(f"<RoleEndDate>{C.from_day(w.end).isoformat()}</RoleEndDate>")
                x.append(f"<LeaverDestination>{w.destination}</LeaverDestination>")
                x.append(f"<ReasonLeave>{REASON_LEAVE[w.leave_reason]}</ReasonLeave><FTE30>{_num(w.fte)}</FTE30>")
            else:
                x.append(f"<Cases30>{cases.get(w.staff_no, 0)}</Cases30>")
            x.append(f"<WorkingDaysLost>{lost(w):.2f}</WorkingDaysLost>")
            if w.agency:
                x.append(f"<ContractWeeks>{(r_day - w.start + 1) / 7:.1f}</ContractWeeks>")
            else:
                x.append(f"<FrontlineGrad>{int(w.frontline)}</FrontlineGrad>")
            if here:
                absent = any(s <= r_day <= e for s, e in w.sick)
                x.append(f"<Absat30Sept>{int(absent)}</Absat30Sept>")
                if absent:
                    x.append("<ReasonAbsence>SIC</ReasonAbsence>")
                if w.nq and r_day - w.start < 365:
                    x.append("<CFKSSstatus>1</CFKSSstatus>")
            x.append("</CSWWWorker>\n")
            out.append("".join(x))
        out.append("</Message>\n")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(out), encoding="utf-8")
        return len(recs)
