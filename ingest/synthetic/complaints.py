"""An authority's complaints and compliments register (the statutory children's complaints procedure).

Records arrive over a fixed span (`CP_FIRST` to the end of the care model's span, widened only for windows
reaching outside it) at a rate scaled by the LA's size (about 0.22 stage 1 complaints a year per child looked
after at the published count: some 150 a year for East Sussex), so one seed gives one history whatever the
window; the register written is that history as known at the as-at date. Each complaint is drawn whole:

- stage 1 starts on receipt (a working day) and is answered within 10 working days (most), extended to 20
  (some) or late; the slow locality assessment team (`teams`) answers later; about 35% are upheld or partly
  upheld, a few withdrawn;
- about 10% of answered complaints go to stage 2 (25 working days, or 65 extended), about 20% of those to a
  stage 3 panel (30 working days, no extension); some stage 3 complainants go on to the Ombudsman;
- most upheld or partly upheld complaints get a learning action (short made-up text, never a name) due one
  to three months after the response; most are completed, some late, some never (overdue).

Cut at the as-at date: later stages not yet started are blank, an unanswered stage has no response date or
outcome, an action not yet completed is `open`, and nothing after the as-at date is shown. A handful of
compliments (`record_type` compliment) carry no stage columns. Dates are days since 1970-01-01.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import codes as C
from .teams import CWD, MASH, Team, Teams
from .workdays import WorkingDays

__all__ = ["COMPLAINTS", "CP_FIRST", "Complaints", "register_start"]

CP_FIRST = date(2008, 4, 1)
DATE_FMT = "%d/%m/%Y"
COMPLAINTS = [
    "reference", "record_type", "received_date", "team_name", "service_name", "complainant", "nature", "stage",
    "stage1_start_date", "stage1_response_date", "stage1_extended", "stage1_outcome",
    "stage2_start_date", "stage2_response_date", "stage2_extended", "stage2_outcome",
    "stage3_start_date", "stage3_response_date", "stage3_outcome",
    "ombudsman_referred", "learning_action", "learning_action_due_date", "learning_action_status",
    "learning_action_completed_date",
]  # fmt: skip
STAGE1_PER_CLA = 0.22  # stage 1 complaints a year per child looked after (published count)
COMPLIMENT_SHARE = 0.10  # compliments a year per stage 1 complaint
OUTCOMES = {
    1: (("upheld", 0.11), ("partly_upheld", 0.24), ("not_upheld", 0.58), ("withdrawn", 0.07)),
    2: (("upheld", 0.14), ("partly_upheld", 0.28), ("not_upheld", 0.53), ("withdrawn", 0.05)),
    3: (("upheld", 0.12), ("partly_upheld", 0.25), ("not_upheld", 0.60), ("withdrawn", 0.03)),
}
ESCALATE = {  # chance an answered stage goes on to the next, by its outcome
    1: {"upheld": 0.03, "partly_upheld": 0.10, "not_upheld": 0.14, "withdrawn": 0.0},
    2: {"upheld": 0.05, "partly_upheld": 0.18, "not_upheld": 0.27, "withdrawn": 0.0},
}
COMPLAINANT = (("parent", 0.60), ("child", 0.14), ("carer", 0.11), ("other", 0.15))
COMPLIMENT_FROM = (("parent", 0.50), ("carer", 0.25), ("child", 0.10), ("other", 0.15))
NATURE = {  # by kind of team
    "default": (
        ("communication", 0.24), ("quality_of_service", 0.15), ("staff_conduct", 0.12), ("delay", 0.10),
        ("decision", 0.10), ("assessment", 0.09), ("information", 0.07), ("contact", 0.05), ("financial", 0.03),
        ("placement", 0.02), ("other", 0.03),
    ),
    "cla": (
        ("communication", 0.20), ("placement", 0.18), ("contact", 0.16), ("quality_of_service", 0.12),
        ("staff_conduct", 0.09), ("decision", 0.08), ("financial", 0.06), ("delay", 0.05), ("information", 0.03),
        ("other", 0.03),
    ),
}  # fmt: skip
ACTIONS = {
    "communication": ("Remind team of 10-day response standard", "Agree how often families are updated",
                      "Add return-call check to team meeting agenda"),
    "quality_of_service": ("Audit a sample of the team's recent cases", "Refresh supervision on case recording"),
    "staff_conduct": ("Discuss in reflective supervision", "Team session on respectful practice"),
    "delay": ("Review allocation process for new cases", "Add timescale tracker to weekly team meeting"),
    "decision": ("Explain decisions in writing to families", "Manager to review similar decisions"),
    "assessment": ("Share assessment with family before sign-off", "Practice session on analysis in assessments"),
    "information": ("Update the family information leaflet", "Check consent before sharing information"),
    "contact": ("Review contact arrangements guidance", "Confirm contact plans in writing"),
    "placement": ("Review placement planning meeting notes", "Involve child in placement planning"),
    "financial": ("Clarify allowances guidance for carers", "Check payments are made on time"),
    "other": ("Share learning at service meeting",),
}  # fmt: skip
TEAM_WEIGHT = {"mash": 0.6, "assessment": 1.0, "cp": 1.0, "cin": 0.9, "cla": 1.4, "cwd": 0.7}


def _d(t: int | None, cache: dict[int, str] = {}) -> str:  # noqa: B006 - a per-process format cache
    if t is None:
        return ""
    s = cache.get(t)
    if s is None:
        s = cache[t] = C.from_day(t).strftime(DATE_FMT)
    return s


def _pick(r: random.Random, table) -> str:
    return _pick_u(r.random(), table)


def _pick_u(u: float, table) -> str:
    acc = 0.0
    for v, p in table:
        acc += p
        if u < acc:
            return v
    return table[-1][0]


def _kind(team: Team) -> str:
    if team.name == MASH:
        return "mash"
    if team.name == CWD:
        return "cwd"
    for prefix, kind in (("Locality", "assessment"), ("Child Protection", "cp"), ("Children in Need", "cin")):
        if team.name.startswith(prefix):
            return kind
    return "cla"


def register_start(as_at: date) -> date:
    """The first day of the register: 1 April two financial years before the as-at date's (3 years in all)."""
    fy = as_at.year if as_at.month >= 4 else as_at.year - 1
    return date(fy - 2, 4, 1)


@dataclass(slots=True)
class Stage:
    start: int
    response: int
    extended: bool
    extend_decided: int  # the day the extension was agreed (the original deadline)
    outcome: str


@dataclass(slots=True)
class Record:
    received: int
    team: Team
    compliment: bool
    complainant: str
    nature: str = ""
    stages: list[Stage] = field(default_factory=list)
    ombudsman: int | None = None
    action: str = ""
    action_from: int | None = None  # the response that set it
    action_due: int | None = None
    action_done: int | None = None
    reference: str = ""


class Complaints:
    """One LA's register over [first, last] (days), drawn from `r` (the LA's own stream)."""

    def __init__(self, teams: Teams, cla_target: float, r: random.Random, wd: WorkingDays, first: int, last: int):
        self.teams, self.wd = teams, wd
        self.slow = teams.assessment(teams.slow_locality).name
        team_list = list(teams.teams.values())
        weights = [TEAM_WEIGHT[_kind(t)] * (1.3 if t.name == self.slow else 1.0) for t in team_list]
        rate = max(4.0, STAGE1_PER_CLA * cla_target)
        self.records: list[Record] = []
        y0, y1 = C.from_day(first).year, C.from_day(last).year
        for year in range(y0, y1 + 1):
            a, b = max(first, C.day(date(year, 1, 1))), min(last, C.day(date(year, 12, 31)))
            if a > b:
                continue
            span = (b - a + 1) / (366 if year % 4 == 0 else 365)
            yr = random.Random(r.getrandbits(64))  # the year's own stream
            made = []
            # stage 1 timeliness and outcome: low-discrepancy sequences (golden ratio, sqrt 2) from a random
            # start, so each year's shares sit near the year's rates (the model's, times a factor for a better
            # or worse year) rather than wherever a lucky or unlucky draw puts them
            self._u = [yr.random(), yr.random()]
            self._f = 0.93 + 0.14 * yr.random()  # on time
            f = 0.85 + 0.27 * yr.random()  # upheld or partly upheld
            (up, p_up), (part, p_part), (no, p_no), (wdn, p_wdn) = OUTCOMES[1]
            self._outcomes1 = ((up, p_up * f), (part, p_part * f), (no, p_no + (p_up + p_part) * (1 - f)), (wdn, p_wdn))
            counts = (_poisson(yr, rate * span), _poisson(yr, rate * COMPLIMENT_SHARE * span))
            for compliment, n in zip((False, True), counts, strict=True):
                for _ in range(n):
                    day = wd.add(a + int(yr.random() * (b - a + 1)), 0)
                    if day > b:
                        continue
                    team = yr.choices(team_list, weights)[0]
                    rec = Record(day, team, compliment, _pick(yr, COMPLIMENT_FROM if compliment else COMPLAINANT))
                    if not compliment:
                        self._complaint(yr, rec)
                    made.append(rec)
            made.sort(key=lambda x: (x.received, x.team.team_id, x.compliment))
            for i, rec in enumerate(made, 1):
                rec.reference = f"CC-{year}-{i:04d}"
            self.records += made

    def _answer(self, r: random.Random, stage: int, start: int, slow: bool) -> Stage:
        wd = self.wd
        if stage == 1:
            u = self._u[0] = (self._u[0] + 0.6180339887498949) % 1.0
        else:
            u = r.random()
        if stage == 1:
            on_time = (0.58 if slow else 0.74) * self._f
            if u < on_time:
                n, ext = r.randint(3, 10), False
            elif u < on_time + 0.14:
                n, ext = r.randint(11, 20), True
            else:
                ext = r.random() < 0.4
                n = r.randint(21, 40) if ext else r.randint(11, 25)
            base = 10
        elif stage == 2:
            if u < 0.55:
                n, ext = r.randint(12, 25), False
            elif u < 0.85:
                n, ext = r.randint(26, 65), True
            else:
                ext = r.random() < 0.5
                n = r.randint(66, 95) if ext else r.randint(26, 50)
            base = 25
        else:
            n, ext = (r.randint(15, 30), False) if u < 0.75 else (r.randint(31, 55), False)
            base = 30
        if stage == 1:
            self._u[1] = (self._u[1] + 0.4142135623730951) % 1.0
            outcome = _pick_u(self._u[1], self._outcomes1)
        else:
            outcome = _pick(r, OUTCOMES[stage])
        if outcome == "withdrawn":
            n, ext = r.randint(1, min(n, base)), False
        return Stage(start, wd.add(start, n), ext, wd.add(start, base), outcome)

    def _complaint(self, r: random.Random, rec: Record) -> None:
        kind = _kind(rec.team)
        rec.nature = _pick(r, NATURE["cla" if kind in ("cla", "cwd") else "default"])
        slow = rec.team.name == self.slow
        s = self._answer(r, 1, rec.received, slow)
        rec.stages.append(s)
        while len(rec.stages) < 3 and r.random() < ESCALATE[len(rec.stages)][s.outcome]:
            s = self._answer(r, len(rec.stages) + 1, self.wd.add(s.response, r.randint(3, 18)), slow)
            rec.stages.append(s)
        last = rec.stages[-1]
        p_ombudsman = {1: 0.004, 2: 0.03, 3: 0.35}[len(rec.stages)]
        if last.outcome != "withdrawn" and r.random() < p_ombudsman:
            rec.ombudsman = last.response + r.randint(20, 120)
        for st in rec.stages:
            if st.outcome in ("upheld", "partly_upheld"):
                rec.action_from = st.response
                if r.random() < 0.8:
                    options = ACTIONS[rec.nature]
                    rec.action = options[r.randrange(len(options))]
                    rec.action_due = st.response + r.randint(20, 90)
                    u = r.random()
                    if u < 0.62:
                        rec.action_done = max(st.response + 3, rec.action_due - r.randint(0, 40))
                    elif u < 0.85:
                        rec.action_done = rec.action_due + r.randint(1, 75)
                break

    def rows(self, as_at: date) -> list[list[str]]:
        """The register as at `as_at`: every record received from `register_start(as_at)` up to it."""
        a, first = C.day(as_at), C.day(register_start(as_at))
        out = []
        for rec in self.records:
            if not first <= rec.received <= a:
                continue
            team = rec.team
            row = [rec.reference, "compliment" if rec.compliment else "complaint", _d(rec.received), team.name,
                   team.service_name or "", rec.complainant, rec.nature]  # fmt: skip
            if rec.compliment:
                out.append(row + [""] * (len(COMPLAINTS) - len(row)))
                continue
            stages = [s for s in rec.stages if s.start <= a]
            row.append(str(len(stages)))
            for i in (1, 2, 3):
                s = stages[i - 1] if i <= len(stages) else None
                if s is None:
                    row += ["", ""] + ([""] if i == 3 else ["", ""])
                    continue
                done = s.response <= a
                row += [_d(s.start), _d(s.response) if done else ""]
                if i < 3:
                    row.append("Y" if s.extended and (done or s.extend_decided <= a) else "N")
                row.append(s.outcome if done else "")
            row.append("Y" if rec.ombudsman is not None and rec.ombudsman <= a else "N")
            if rec.action_from is not None and rec.action_from <= a:
                if rec.action:
                    completed = rec.action_done is not None and rec.action_done <= a
                    row += [rec.action, _d(rec.action_due), "completed" if completed else "open",
                            _d(rec.action_done) if completed else ""]  # fmt: skip
                else:
                    row += ["", "", "not_required", ""]
            else:
                row += ["", "", "", ""]
            out.append(row)
        return out

    def write(self, as_at: date, path: Path) -> int:
        rows = self.rows(as_at)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(COMPLAINTS)
            w.writerows(rows)
        return len(rows)


def _poisson(r: random.Random, lam: float) -> int:
    """A Poisson draw (normal approximation above 50, Knuth's method below)."""
    if lam > 50:
        return max(0, int(r.gauss(lam, lam**0.5) + 0.5))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= r.random()
        if p <= limit:
            return k
        k += 1
