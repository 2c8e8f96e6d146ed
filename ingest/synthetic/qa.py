"""An authority's quality assurance record: the QA activity log and the case-file audits with their actions.

Both are registers written as at one date (the range's end), covering a window of months (the HR extracts'
last 24). Every draw comes from a stream keyed on the LA's base and what is drawn (a report on a period, a
worker's audit in a month, a team's deep dive), so a report or an audit is the same whatever the window or
whichever others were skipped, and the same arguments give the same files. The audits are simulated from
`WARM_UP_MONTHS` before the window, so the window's first months carry the follow-ups and gaps of earlier
concerns; a follow-up of a concern before the window is written without `follow_up_of` (that audit is not in
the register).

The activity log (`schedule()`: every task, audience and frequency of the QA register, the dbt seed
`qa_task_audiences.csv`, with a frequency the QA schedule expands; a short built-in list if the seed is not
there): one row per report delivered, for every period (monthly, bi-monthly, quarterly, three and two times a
year, annually, all aligned on April; `periods`) that starts in the window and has ended by the as-at date.
Most reports go within 30 days of the period's end (a working day), about one in ten 31 to 60 days after,
about one in twenty never (each task and audience has its own factor around the LA's rates); a delivery after
the as-at date is not written yet, so the latest periods are due or overdue. References are a meeting and an
item ("CSCMT 2025-03 item 4"), sometimes blank; never a name.

Case-file audits (`Audits`), on the workforce's own staff (`workforce`: the staff numbers and teams of the HR
extract) and the children in need model's children (`cin`: a child open to the audited team that month):

- practice managers (3.16, `supervision`): one audit a month of each case-holding social worker or senior
  practitioner in post at the month's end, on a working day while they are in post; each team completes
  85-95% of them (the pressured locality assessment team about 70%, the slow child protection team about 80%),
  varying month to month;
- operations managers (3.14, `deep_dive`): one a team a month, about 90%;
- peer audits: one a team a quarter (3.13 by heads of service or 3.15 by operations managers, alternately);
- each quarter three to six themed audits (4.5, one focus theme) and two to four multi-agency audits (4.3),
  both by the head of safeguarding.

Grades come from a latent score (the worker's own level, the team's: the pressured teams lower, and noise),
cut so that about 10% are outstanding, 55% good, 28% requires improvement and 7% inadequate; significant
concerns on about 8% (mostly inadequate). Themes: one to three codes, multi-agency work, family history,
supervision and fathers most often; child-centred practice found less often as time goes on. A significant
concern is usually followed by two further audits of the same worker within three months, the first a re-review
of the same child (`follow_up_of` the concern's reference; each counts as that month's audit of the worker); in
about a quarter of cases only one follow-up is done (and the worker is not audited again in those three months)
or the child is never re-reviewed, and a worker who leaves is not followed up, so non-compliance shows.
Actions: up to three an audit graded requires improvement or inadequate (a few for good), short made-up texts
due two to eight weeks after the audit; most completed on time, some late, some never (open and overdue).

References are `CFA-<la>-<yyyy>-<mm><nnn>` (numbered in date order within the audit's month). Days are days
since 1970-01-01 (`codes.day`).
"""

from __future__ import annotations

import csv
import math
import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from . import codes as C
from .cin import CinWorld
from .teams import CWD, MASH, Teams
from .workdays import WorkingDays
from .workforce import Worker, Workforce

__all__ = [
    "AUDIT_ACTIONS", "CASE_FILE_AUDITS", "QA_ACTIVITY", "SCHEDULE", "Audits", "activity_rows", "periods", "schedule",
]  # fmt: skip

DATE_FMT = "%d/%m/%Y"
QA_ACTIVITY = ["task_number", "audience", "period_start", "period_end", "delivered_date", "reference"]
CASE_FILE_AUDITS = [
    "audit_reference", "task_number", "audit_type", "audit_date", "team_name", "worker_id", "child_id",
    "auditor_role", "grade", "significant_concerns", "themes", "follow_up_of",
]  # fmt: skip
AUDIT_ACTIONS = ["audit_reference", "action_number", "action", "due_date", "completed_date"]

# the register of the framework's tasks and audiences (dbt seed): its scheduled rows are the reports written
REGISTER = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "qa_task_audiences.csv"
# the main regular reports, (task, audience, frequency): used only when the register is not there
SCHEDULE = (
    ("1.6", "chief_executive", "quarterly"),
    ("2.2", "corporate_parenting_panel", "quarterly"), ("2.2", "operations_managers", "monthly"),
    ("3.7", "cscmt", "quarterly"), ("3.7", "lscb", "quarterly"),
    ("3.12", "cscmt", "quarterly"),
    ("4.1", "cscmt", "monthly"), ("4.1", "team_managers", "monthly"), ("4.1", "smt", "twice_yearly"),
    ("4.1", "lead_member", "twice_yearly"),
    ("4.7", "cscmt", "quarterly"), ("4.7", "smt", "annually"), ("4.7", "lead_member", "annually"),
    ("4.7", "scrutiny", "annually"),
    ("4.8", "cscmt", "monthly"), ("4.8", "smt", "annually"), ("4.8", "lead_member", "annually"),
    ("5.1", "cscmt", "annually"), ("5.1", "smt", "annually"), ("5.1", "lead_member", "annually"),
    ("5.1", "scrutiny", "annually"),
)  # fmt: skip
# months a period covers; periods are aligned on April (financial years)
PERIOD_MONTHS = {"monthly": 1, "bi_monthly": 2, "quarterly": 3, "three_times_yearly": 4, "twice_yearly": 6,
                 "annually": 12}  # fmt: skip
MEETINGS = {
    "cscmt": "CSCMT", "team_managers": "Team managers meeting", "smt": "SMT", "lead_member": "Lead Member briefing",
    "scrutiny": "Scrutiny Committee", "corporate_parenting_panel": "Corporate Parenting Panel",
    "operations_managers": "Operations managers meeting", "chief_executive": "Chief Executive review",
    "lscb": "LSCB", "joint_divisional_meeting": "Joint Divisional Meeting", "cmt": "CMT", "cabinet": "Cabinet",
    "dcs": "DCS briefing", "elected_members": "Members briefing", "heads_of_service": "Heads of Service meeting",
    "fostering_adoption_panels": "Fostering and Adoption Panel", "iros_cpas": "IRO and CPA meeting",
    "practice_managers": "Practice managers meeting", "head_of_safeguarding": "Safeguarding report",
    "ad_safeguarding": "AD Safeguarding briefing", "ad_early_help": "AD Early Help briefing",
    "lscb_chair": "LSCB Chair briefing", "lscb_qa_subgroup": "LSCB QA Subgroup", "ofsted": "Ofsted return",
    "agency_decision_maker": "Agency decision maker report",
}  # fmt: skip
LATE_SHARE = 0.10  # delivered 31-60 days after the period's end
MISSED_SHARE = 0.05  # never delivered

WARM_UP_MONTHS = 6  # audits simulated before the window (not written), so early follow-ups and their effects exist
FOLLOW_UP_DAYS = 84  # follow-ups fall within this many days of the concern (inside three months)
BLOCK_DAYS = 92  # a worker followed up only once, or a child not re-reviewed: left unaudited this long
# practice managers' monthly completion by team: normal teams draw from this range
PM_RATE = (0.85, 0.95)
PM_RATE_PRESSURED, PM_RATE_SLOW_CP = 0.66, 0.80  # before follow-ups, which are always done
OM_RATE, OM_RATE_PRESSURED = 0.91, 0.80
PEER_RATE = 0.92
# grades: a latent score z ~ N(team shift, 1) (the worker's level weighing WORKER_WEIGHT), cut at these points
GRADE_CUTS = ((1.2816, "outstanding"), (-0.3853, "good"), (-1.4758, "requires_improvement"))
WORKER_WEIGHT = 0.5
SHIFT = {"normal": 0.10, "pressured": -0.45, "slow_cp": -0.25}
FOLLOW_UP_SHIFT = 0.35  # follow-ups find things improving
CONCERN = {"outstanding": 0.0, "good": 0.006, "requires_improvement": 0.085, "inadequate": 0.72}
THEMES = (
    ("multi_agency", 0.16), ("family_history", 0.14), ("supervision", 0.13), ("fathers", 0.13),
    ("plan_review", 0.08), ("recording", 0.08), ("risk_assessment", 0.07), ("timeliness", 0.07),
    ("learning", 0.05), ("other", 0.03),
)  # fmt: skip
THEME_COUNT = ((1, 0.45), (2, 0.35), (3, 0.20))
CHILD_CENTRED_2024 = 0.25  # the theme's weight on 1 April 2024, falling by CHILD_CENTRED_FALL a year
CHILD_CENTRED_FALL = 0.065
THEMED_FOCUS = ("child_centred", "fathers", "family_history", "multi_agency", "risk_assessment", "plan_review")
ACTIONS = {
    "multi_agency": ("Request health and school information", "Invite partner agencies to the core group",
                     "Share the plan with the school"),
    "family_history": ("Update the chronology", "Complete a genogram", "Add previous involvement to the summary"),
    "child_centred": ("Record the child's views", "See the child alone and record it",
                      "Write the plan in words the child understands"),
    "fathers": ("Record the father's involvement", "Invite the father to the next meeting",
                "Assess the father's capacity to care"),
    "plan_review": ("Make the plan's actions specific", "Update the plan after the review",
                    "Set a review date for the plan"),
    "supervision": ("Record case direction in supervision", "Discuss the case at the next supervision",
                    "Add a management oversight note"),
    "learning": ("Attend the practice workshop", "Reflect on the audit findings in supervision"),
    "risk_assessment": ("Update the risk assessment", "Complete a safety plan with the family",
                        "Analyse risks and strengths in the assessment"),
    "recording": ("Bring case notes up to date", "Upload missing documents to the file", "Complete the case summary"),
    "timeliness": ("Complete the overdue statutory visit", "Book the review within timescale",
                   "Authorise the assessment"),
    "other": ("Check consent to share information", "Close the case with a closure summary"),
}  # fmt: skip
N_ACTIONS = {
    "outstanding": ((0, 1.0),),
    "good": ((0, 0.72), (1, 0.24), (2, 0.04)),
    "requires_improvement": ((0, 0.12), (1, 0.40), (2, 0.32), (3, 0.16)),
    "inadequate": ((1, 0.20), (2, 0.40), (3, 0.40)),
}
# actions: shares completed by the due date and completed late (the rest never), by kind of team
ACTION_DONE = {"normal": (0.70, 0.23), "pressured": (0.55, 0.30)}


def _d(t: int | None, cache: dict[int, str] = {}) -> str:  # noqa: B006 - a per-process format cache
    if t is None:
        return ""
    s = cache.get(t)
    if s is None:
        s = cache[t] = C.from_day(t).strftime(DATE_FMT)
    return s


def _pick(r: random.Random, table):
    u, acc = r.random(), 0.0
    for v, p in table:
        acc += p
        if u < acc:
            return v
    return table[-1][0]


def _task_key(task: str) -> tuple[int, ...]:
    return tuple(int(x) for x in task.split("."))


def _month_end(y: int, m: int) -> date:
    return date.fromordinal(date(y + (m == 12), m % 12 + 1, 1).toordinal() - 1)


def _workday(r: random.Random, wd: WorkingDays, a: int, b: int) -> int | None:
    """A working day drawn evenly from [a, b], None if there is none."""
    n = wd.between(a - 1, b)
    return wd.add(a - 1, r.randrange(n) + 1) if n > 0 else None


def periods(frequency: str, first: date, last: date) -> list[tuple[date, date]]:
    """The periods of a frequency (aligned on April) that start on or after `first` and end by `last`."""
    n = PERIOD_MONTHS[frequency]
    y, m = first.year, first.month
    while (m - 4) % n:  # back to the start of the period `first` falls in
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    out = []
    while True:
        start = date(y, m, 1)
        ey, em = y + (m + n - 2) // 12, (m + n - 2) % 12 + 1
        end = _month_end(ey, em)
        if end > last:
            return out
        if start >= first:
            out.append((start, end))
        y, m = ey + (em == 12), em % 12 + 1


@cache
def schedule(path: Path = REGISTER) -> tuple[tuple[str, str, str], ...]:
    """The scheduled reports, (task, audience, frequency), in the register's order: its rows with a frequency
    the QA schedule expands (`PERIOD_MONTHS`); the built-in `SCHEDULE` when the register is not there."""
    if not path.is_file():
        return SCHEDULE
    with path.open(newline="", encoding="utf-8") as f:
        rows = [(r["task_number"], r["audience_id"], r["frequency"]) for r in csv.DictReader(f)]
    return tuple(dict.fromkeys(r for r in rows if r[2] in PERIOD_MONTHS))


def activity_rows(
    base: int, wd: WorkingDays, first: date, as_at: date, reports: tuple[tuple[str, str, str], ...] | None = None
) -> list[list[str]]:
    """The activity log as at `as_at`: a row for each scheduled report (`schedule()` unless `reports` is given)
    delivered by then, on a period starting on or after `first` (each report drawn from its own stream, so it
    never depends on the window or on the other reports)."""
    la = random.Random(base)
    late, missed = LATE_SHARE * (0.7 + 0.6 * la.random()), MISSED_SHARE * (0.6 + 0.8 * la.random())
    a = C.day(as_at)
    rows = []
    for task, audience, frequency in schedule() if reports is None else reports:
        tr = random.Random(f"{base}|{task}|{audience}|{frequency}")
        f = 0.7 + 0.7 * tr.random()  # this report's own record
        for start, end in periods(frequency, first, as_at):
            r = random.Random(f"{base}|{task}|{audience}|{frequency}|{start.isoformat()}")
            u = r.random()
            if u < missed * f:
                continue
            lag = r.randint(31, 57) if u < (missed + late) * f else r.randint(4, 27)
            delivered = wd.add(C.day(end) + lag, 0)
            if delivered > a:
                continue
            meeting = MEETINGS.get(audience) or audience.replace("_", " ").capitalize()
            ref = "" if r.random() < 0.12 else f"{meeting} {C.from_day(delivered):%Y-%m} item {r.randint(2, 11)}"
            rows.append([task, audience, start, end, delivered, ref])
    rows.sort(key=lambda x: (x[2], x[3], _task_key(x[0]), x[1]))
    return [[t, aud, s.strftime(DATE_FMT), e.strftime(DATE_FMT), _d(dl), ref] for t, aud, s, e, dl, ref in rows]


def write_activity(rows: list[list[str]], path: Path) -> int:
    return _write(path, QA_ACTIVITY, rows)


def _write(path: Path, head: list[str], rows: list[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(rows)
    return len(rows)


@dataclass(slots=True)
class Audit:
    day: int
    kind: int  # order within a day: 0 supervision, 1 deep dive, 2 peer, 3 themed, 4 multi-agency
    task: str
    audit_type: str
    auditor: str
    team: str
    worker: str  # staff number
    child: int | None  # the children in need model's person key
    grade: str = ""
    concern: bool = False
    themes: tuple[str, ...] = ()
    follow_up_of: Audit | None = None
    actions: list[tuple[str, int, int | None]] = field(default_factory=list)  # (text, due, completed)
    reference: str = ""


class Audits:
    """One LA's case-file audits over the months from `first` (a month's first day) to `as_at`, on the
    workforce's staff and the children in need model's children (`pids`: person key -> child id)."""

    def __init__(self, la_code: str, teams: Teams, wf: Workforce, world: CinWorld, pids: dict[int, str],
                 base: int, wd: WorkingDays, first: date, as_at: date):  # fmt: skip
        self.la_code, self.wf, self.wd, self.pids, self.base = la_code, wf, wd, pids, base
        self.first, self.as_at = C.day(first), C.day(as_at)
        self.team_names = list(teams.teams)
        self.order = {n: i for i, n in enumerate(self.team_names)}
        self.pressured = teams.assessment(teams.slow_locality).name
        self.slow_cp = f"Child Protection {teams.slow_cp}"
        self.by_staff = {w.staff_no: w for w in wf.workers}
        r = random.Random(base)
        self.pm_rate, self.om_rate = {}, {}
        for name in self.team_names:
            self.pm_rate[name] = PM_RATE[0] + (PM_RATE[1] - PM_RATE[0]) * r.random()
            self.om_rate[name] = OM_RATE + 0.04 * (r.random() - 0.5)
        self.pm_rate[self.pressured], self.om_rate[self.pressured] = PM_RATE_PRESSURED, OM_RATE_PRESSURED
        self.pm_rate[self.slow_cp] = PM_RATE_SLOW_CP
        self.level = {w.staff_no: r.gauss(0.0, 1.0) for w in wf.workers}  # each worker's practice
        # the months simulated: WARM_UP_MONTHS before `first`, to the as-at date's
        y, m = first.year, first.month - WARM_UP_MONTHS
        while m < 1:
            y, m = y - 1, m + 12
        self.months: list[tuple[int, int]] = []
        while (y, m) <= (as_at.year, as_at.month):
            self.months.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        self._index = {ym: i for i, ym in enumerate(self.months)}
        self._children(world)
        self.audits: list[Audit] = []
        self._follow_ups: dict[int, set[str]] = {}  # month index -> staff numbers with a follow-up due in it
        self._blocked_worker: dict[str, int] = {}  # staff number -> last day they are not audited
        self._blocked_child: dict[int, int] = {}  # person key -> last day their file is not audited
        for i in range(len(self.months)):
            self._month(i)
        self._number()

    # -- children --------------------------------------------------------------------------------------------

    def _children(self, world: CinWorld) -> None:
        """Children open to each team all month (to the as-at date in its month), person keys, sorted: a file
        audited on any day of the month is open then; and, for a team that holds children only briefly (the
        MASH), those who came to it during the month, with the day."""
        firsts = [C.day(date(y, m, 1)) for y, m in self.months]
        lasts = [min(C.day(_month_end(y, m)), self.as_at) for y, m in self.months]
        lo, hi = firsts[0], lasts[-1]
        found: list[dict[str, set[int]]] = [{} for _ in firsts]
        arrived: list[dict[str, set[tuple[int, int]]]] = [{} for _ in firsts]
        for ep in world.episodes:
            if not ep.status or ep.ref > hi or (ep.close is not None and ep.close <= lo):
                continue
            stop = ep.close if ep.close is not None else hi + 1
            st = ep.status
            for k, (t0, _letter, team, _worker) in enumerate(st):
                t1 = min(st[k + 1][0], stop) if k + 1 < len(st) else stop
                # months whose first day is on or after t0 and whose last day is before t1
                for i in range(bisect_left(firsts, t0), bisect_left(lasts, t1)):
                    found[i].setdefault(team.name, set()).add(ep.person.key)
                i = bisect_left(firsts, t0 + 1) - 1  # the month t0 falls in
                if 0 <= i < len(firsts) and t0 <= lasts[i]:
                    arrived[i].setdefault(team.name, set()).add((t0, ep.person.key))
        self.kids = [{team: sorted(keys) for team, keys in f.items()} for f in found]
        self.arrived = [{team: sorted(x) for team, x in f.items()} for f in arrived]
        self.all_kids = [sorted(set().union(*f.values())) if f else [] for f in found]

    def _child(self, r: random.Random, team: str, day: int) -> int | None:
        d = C.from_day(day)
        i = self._index.get((d.year, d.month))
        if i is None:
            return None
        pool = self.kids[i].get(team) or [k for t, k in self.arrived[i].get(team, ()) if t <= day] or self.all_kids[i]
        for _ in range(6):
            if not pool:
                return None
            key = pool[r.randrange(len(pool))]
            if self._blocked_child.get(key, -1) < day:
                return key
        return key

    # -- audits ----------------------------------------------------------------------------------------------

    def _kind_of_team(self, team: str) -> str:
        return "pressured" if team == self.pressured else "slow_cp" if team == self.slow_cp else "normal"

    def _themes(self, r: random.Random, day: int, first: str | None, n: int) -> tuple[str, ...]:
        years = (day - C.day(date(2024, 4, 1))) / 365.25
        cc = min(0.35, max(0.06, CHILD_CENTRED_2024 - CHILD_CENTRED_FALL * years))
        pool = [*THEMES, ("child_centred", cc)]
        got = [first] if first else []
        pool = [(t, w) for t, w in pool if t != first]
        while len(got) < n and pool:
            u, acc, j = r.random() * sum(w for _, w in pool), 0.0, 0
            while j < len(pool) - 1:
                acc += pool[j][1]
                if u < acc:
                    break
                j += 1
            got.append(pool.pop(j)[0])
        return tuple(got)

    def _grade(self, r: random.Random, a: Audit, shift: float = 0.0, first_theme: str | None = None) -> None:
        q = self.level.get(a.worker, 0.0)
        z = WORKER_WEIGHT * q + SHIFT[self._kind_of_team(a.team)] + shift
        z += math.sqrt(1 - WORKER_WEIGHT**2) * r.gauss(0.0, 1.0)
        a.grade = next((g for cut, g in GRADE_CUTS if z > cut), "inadequate")
        a.concern = r.random() < CONCERN[a.grade]
        n = _pick(r, THEME_COUNT) + (a.grade == "inadequate")
        a.themes = self._themes(r, a.day, first_theme, min(3, n))
        texts: list[str] = []
        for _ in range(_pick(r, N_ACTIONS[a.grade])):
            theme = a.themes[r.randrange(len(a.themes))] if r.random() < 0.85 else "other"
            options = [x for x in ACTIONS[theme] if x not in texts] or [
                x for t in a.themes for x in ACTIONS[t] if x not in texts
            ]
            if options:
                texts.append(options[r.randrange(len(options))])
        on_time, late = ACTION_DONE["pressured" if a.team == self.pressured else "normal"]
        for text in texts:
            due = a.day + r.randint(14, 56)
            u = r.random()
            if u < on_time:
                done = a.day + r.randint(2, due - a.day)
            elif u < on_time + late:
                done = due + r.randint(1, 75)
            else:
                done = None
            a.actions.append((text, due, None if done is None else self.wd.add(done, 0)))

    def _case_holders(self, team: str, day: int) -> list[Worker]:
        return [
            w
            for w in self.wf.by_team[team]
            if w.role in ("SW", "SP") and w.cases_factor > 0 and w.in_post(day)
            and self._blocked_worker.get(w.staff_no, -1) < day
        ]  # fmt: skip

    def _add(self, r: random.Random, a: Audit, shift: float = 0.0, first_theme: str | None = None) -> Audit:
        self._grade(r, a, shift, first_theme)
        self.audits.append(a)
        if a.concern:
            self._follow(r, a)
        return a

    def _follow(self, r: random.Random, a: Audit) -> None:
        """Follow-ups of a significant concern: usually two audits of the worker, the first re-reviewing the
        child; sometimes only one (nobody audits the worker again for three months), or no re-review."""
        w = self.by_staff[a.worker]
        u = r.random()
        same = [True, False] if u < 0.75 else [True] if u < 0.87 else [False, False]
        if 0.75 <= u < 0.87:
            self._blocked_worker[w.staff_no] = max(self._blocked_worker.get(w.staff_no, -1), a.day + BLOCK_DAYS)
        if a.child is not None and not same[0]:
            self._blocked_child[a.child] = max(self._blocked_child.get(a.child, -1), a.day + BLOCK_DAYS)
        d1 = a.day + r.randint(7, 45)
        days = [d1, min(a.day + FOLLOW_UP_DAYS - 4, d1 + r.randint(10, 45))]  # a working day adds at most 4
        for same_child, day in zip(same, days, strict=False):
            day = self.wd.add(day, 0)
            if day > a.day + FOLLOW_UP_DAYS or not w.in_post(day):
                continue
            child = a.child if same_child else self._child(r, w.team, day)
            fu = Audit(day, 0, "3.16", "supervision", "practice_managers", w.team, w.staff_no, child, follow_up_of=a)
            d = C.from_day(day)
            i = self._index.get((d.year, d.month))
            if i is not None:
                self._follow_ups.setdefault(i, set()).add(w.staff_no)
            self._add(r, fu, FOLLOW_UP_SHIFT)

    def _rng(self, *key) -> random.Random:
        """The stream of one audit (or one decision): keyed on the LA's base and what it is, so skipping one
        audit (a blocked worker, a worker who has left) never moves another's draws."""
        return random.Random("|".join(map(str, (self.base, *key))))

    def _month(self, i: int) -> None:
        y, m = self.months[i]
        ym = f"{y}-{m:02d}"
        ms = C.day(date(y, m, 1))
        c = min(C.day(_month_end(y, m)), self.as_at)
        cases = self.wf.cases(c)
        followed = self._follow_ups.get(i, set())
        for team in self.team_names:
            # practice managers: each case holder in post at the month end
            rate = min(1.0, max(0.3, self.pm_rate[team] + self._rng(ym, team).gauss(0.0, 0.04)))
            for w in self.wf.by_team[team]:
                if w.role not in ("SW", "SP") or not w.in_post(c) or cases.get(w.staff_no, 0) <= 0:
                    continue
                r = self._rng(ym, w.staff_no)
                if r.random() >= rate:
                    continue
                day = _workday(r, self.wd, max(ms, w.start), c)
                if day is None or w.staff_no in followed or self._blocked_worker.get(w.staff_no, -1) >= day:
                    continue
                self._add(r, Audit(day, 0, "3.16", "supervision", "practice_managers", team, w.staff_no,
                                   self._child(r, team, day)))  # fmt: skip
            # operations managers: one of the team's files
            r = self._rng(ym, team, "3.14")
            if r.random() < self.om_rate[team]:
                self._one(r, ms, c, team, 1, "3.14", "deep_dive", "operations_managers")
        if (m - 1) % 3 == 0:
            self._quarter(y, m)

    def _one(
        self,
        r: random.Random,
        a: int,
        b: int,
        team: str,
        kind: int,
        task: str,
        audit_type: str,
        auditor: str,
        theme: str | None = None,
    ) -> None:
        """An audit of one of the team's case holders in post on a working day in [a, b]."""
        day = _workday(r, self.wd, a, b)
        holders = self._case_holders(team, day) if day is not None else []
        if holders:
            w = holders[r.randrange(len(holders))]
            audit = Audit(day, kind, task, audit_type, auditor, team, w.staff_no, self._child(r, team, day))
            self._add(r, audit, first_theme=theme)

    def _quarter(self, y: int, m: int) -> None:
        """The quarter's peer, themed and multi-agency audits (drawn in its first month, dated across it)."""
        yq = f"{y}-{m:02d}"
        qs = C.day(date(y, m, 1))
        qe = C.day(_month_end(y + (m + 2 > 12), (m + 1) % 12 + 1))
        q = (y * 12 + m) // 3
        for k, team in enumerate(self.team_names):
            r = self._rng(yq, team, "peer")
            if r.random() < PEER_RATE:
                task, auditor = ("3.13", "heads_of_service") if (q + k) % 2 == 0 else ("3.15", "operations_managers")
                self._one(r, qs, qe, team, 2, task, "peer", auditor)
        r = self._rng(yq, "themed")
        focus = THEMED_FOCUS[r.randrange(len(THEMED_FOCUS))]
        mid = C.day(date(y + (m + 1 > 12), m % 12 + 1, 1))  # themed work runs in the quarter's later months
        near_cp = [t for t in self.team_names if t != CWD and (t == MASH or t.startswith(("Locality", "Child Pro")))]
        for kind, task, audit_type, n, teams, theme in (
            (3, "4.5", "themed", r.randint(3, 6), [t for t in self.team_names if t != MASH], focus),
            (4, "4.3", "multi_agency", r.randint(2, 4), near_cp, "multi_agency"),
        ):
            for j in range(n):
                ra = self._rng(yq, task, j)
                self._one(ra, mid, qe, teams[ra.randrange(len(teams))], kind, task, audit_type,
                          "head_of_safeguarding", theme)  # fmt: skip

    def _number(self) -> None:
        """References in date order within each audit's month."""
        self.audits.sort(key=lambda a: (a.day, a.kind, self.order[a.team], a.worker, a.child or 0, a.task))
        seq: dict[tuple[int, int], int] = {}
        for a in self.audits:
            d = C.from_day(a.day)
            n = seq[(d.year, d.month)] = seq.get((d.year, d.month), 0) + 1
            a.reference = f"CFA-{self.la_code}-{d.year}-{d.month:02d}{n:03d}"

    # -- the register ----------------------------------------------------------------------------------------

    def written(self) -> list[Audit]:
        """The audits in the register: dated from the window's first day to the as-at date."""
        return [a for a in self.audits if self.first <= a.day <= self.as_at]

    def rows(self) -> tuple[list[list[str]], list[list[str]]]:
        audits, actions = [], []
        for a in self.written():
            fu = a.follow_up_of
            audits.append([
                a.reference, a.task, a.audit_type, _d(a.day), a.team, a.worker,
                "" if a.child is None else self.pids[a.child], a.auditor, a.grade, "Y" if a.concern else "N",
                ";".join(a.themes), fu.reference if fu is not None and fu.day >= self.first else "",
            ])  # fmt: skip
            for k, (text, due, done) in enumerate(a.actions, 1):
                actions.append([a.reference, str(k), text, _d(due), _d(done) if done is not None and done <= self.as_at
                                else ""])  # fmt: skip
        return audits, actions

    def write(self, folder: Path) -> tuple[int, int]:
        audits, actions = self.rows()
        return _write(folder / "case_file_audits.csv", CASE_FILE_AUDITS, audits), _write(
            folder / "audit_actions.csv", AUDIT_ACTIONS, actions
        )
