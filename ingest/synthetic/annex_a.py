"""Ofsted Annex A workbooks (sheets "List 1" ... "List 11") cut from an LA's children in need histories.

One workbook per as-at date. Lists 1, 3, 4 and 5 hold events in the 12 months before the as-at date (from the
first day of the month eleven months before the as-at month, as the ingest reads it); list 4 also holds
assessments still open at the as-at date; list 6 holds one row per child in need open at any time in that
window (the child's latest episode; referrals closed with no further action are left out, as Ofsted asks),
list 7 every child protection plan open at any time in it. Lists 2 and 8-11 carry headings only. Nothing
after the as-at date is shown (later closures, authorisations and conferences are blank).

Headings and codes follow the sample in `data/samples/annex_a/` (lettered codes "a) Male", "q) 6: Police",
"k) APKN", "b) No", "c) Child in need plan"). Councils word headings differently; `HEADING_VARIANTS` gives a
second wording used by LAs with an even code (845 uses the sample's).
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from datetime import date
from pathlib import Path

from . import codes as C
from .cin import CinWorld, Episode, Plan
from .xlsx import Cells, write_workbook

COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age"]
DISABILITY = "Does the Child have a Disability"
TEAM_WORKER = ["Allocated Team", "Allocated Worker"]
HEADINGS: dict[str, list[str]] = {
    "List 1": COMMON + ["Date of Contact", "Contact Source"],
    "List 2": COMMON + ["Assessment start date", "Assessment completion date", "Organisation completing assessment"],
    "List 3": COMMON
    + ["Date of Referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months"]
    + TEAM_WORKER,
    "List 4": COMMON
    + [
        DISABILITY,
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
    ]
    + TEAM_WORKER,
    "List 5": COMMON
    + [
        DISABILITY,
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
    ]
    + TEAM_WORKER,
    "List 6": COMMON
    + [
        DISABILITY,
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
    ]
    + TEAM_WORKER,
    "List 7": COMMON
    + [
        DISABILITY,
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
        "Number of Previous Child Protection Plans",
    ]
    + TEAM_WORKER,
    "List 8": COMMON
    + [
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
        DISABILITY,
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months",
        "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
    ]
    + TEAM_WORKER,
    "List 9": COMMON
    + [
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        DISABILITY,
        "Allocated Team",
        "Allocated Worker",
        "Allocated Personal Advisor",
        "Eligibility Category",
        "Latest Pathway Plan Review Date",
        "LA in Touch",
        "Latest Date of Contact",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ],
    "List 10": [
        "Child Unique ID",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        DISABILITY,
        "Date the Child Entered Care",
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement",
    ],
    "List 11": [
        "Individual adopter identifier",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Disability",
        "Is the (prospective) adopter fostering for adoption?",
        "Date enquiry received",
        "Date Stage 1 started",
        "Date Stage 1 ended",
        "Date Stage 2 started",
        "Date Stage 2 ended",
        "Date application submitted",
        "Date application approved",
        "Date adopter matched with child(ren)",
        "Date child/children placed with adopter(s)",
        "No. of children placed",
        "Date of Adoption Order",
        "Date of leaving adoption process",
        "Reason for leaving adoption process",
    ],
}
SHEETS = tuple(HEADINGS)

# the second wording (LAs with an even code): every one still matches the ingest's heading patterns
HEADING_VARIANTS = {
    "Child Unique ID": "Child ID",
    "Date of Birth": "DOB",
    "Date of Contact": "Contact Date",
    "Date of Referral": "Referral Date",
    "Continuous Assessment Start Date": "Assessment Start Date",
    "Continuous Assessment Date of Authorisation": "Assessment Authorised Date",
    "Date of Initial Child Protection Conference": "ICPC Date",
    "CIN Closure Date": "Date Closed",
    "Date of the Last Statutory Visit": "Last Statutory Visit Date",
}


def headings(la_code: str) -> dict[str, list[str]]:
    if int(la_code) % 2 == 0:
        return {s: [HEADING_VARIANTS.get(h, h) for h in hs] for s, hs in HEADINGS.items()}
    return HEADINGS


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# the sample writes NOBT as "s)"; REFU follows it
ETHNIC_LETTERED = {
    c: f"{_LETTERS[i]}) {c}"
    for i, c in enumerate(
        (
            "WBRI",
            "WIRI",
            "WIRT",
            "WOTH",
            "WROM",
            "MWBC",
            "MWBA",
            "MWAS",
            "MOTH",
            "AIND",
            "APKN",
            "ABAN",
            "AOTH",
            "BCRB",
            "BAFR",
            "BOTH",
            "CHNE",
            "OOTH",
            "NOBT",
            "REFU",
        )  # fmt: skip
    )
}
_SOURCE_NAMES = (
    ("1A", "Individual"), ("1B", "Individual"), ("1C", "Individual"), ("1D", "Individual"), ("2A", "Schools"),
    ("2B", "Education services"), ("3A", "Health services"), ("3B", "Health services"), ("3C", "Health services"),
    ("3D", "Health services"), ("3E", "Health services"), ("3F", "Health services"), ("4", "Housing"),
    ("5A", "LA services"), ("5B", "LA services"), ("5C", "LA services"), ("6", "Police"),
    ("7", "Other legal agency"), ("8", "Other"), ("9", "Anonymous"), ("10", "Unknown"),
)  # fmt: skip
SOURCE_LETTERED = {c: f"{_LETTERS[i]}) {c}: {n}" for i, (c, n) in enumerate(_SOURCE_NAMES)}
NEED_LABELS = {
    "N1": "N1 - Abuse or Neglect",
    "N2": "N2 - Child's disability",
    "N3": "N3 - Parental illness/disability",
    "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction",
    "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income",
    "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need",
}
CLOSURE_LABELS = {
    "RC1": "RC1 - Adopted",
    "RC2": "RC2 - Died",
    "RC3": "RC3 - Child arrangements order",
    "RC4": "RC4 - Special guardianship order",
    "RC5": "RC5 - Transferred to services of another local authority",
    "RC6": "RC6 - Transferred to adult social care services",
    "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8": "RC8 - Case closed after assessment, no further action",
}
CASE_STATUS = {
    "a": "a) Looked after child",
    "b": "b) Child Protection plan",
    "c": "c) Child in need plan",
    "d": "d) Open assessment",
    "e": "e) Closed episode",
}
CATEGORY_LABELS = {
    "NEG": "Neglect",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "EMO": "Emotional abuse",
    "MUL": "Multiple/not recommended",
}
GENDER = {1: "a) Male", 2: "b) Female"}
YES_NO = {True: "Yes", False: "No"}
LETTER_YES_NO = {True: "a) Yes", False: "b) No"}


def window_start(as_at: date) -> date:
    """First day of the month eleven months before the as-at month (12 months of lists)."""
    return date(as_at.year, 1, 1) if as_at.month == 12 else date(as_at.year - 1, as_at.month + 1, 1)


def as_at_dates(range_start: date, end: date) -> list[date]:
    """Month ends of the last 12 months of [range_start, end]; the last is `end` itself."""
    out = [end]
    y, m = end.year, end.month
    for _ in range(11):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        last = date(y + (m == 12), 1 if m == 12 else m + 1, 1).toordinal() - 1
        d = date.fromordinal(last)
        if d < range_start:
            break
        out.append(d)
    return sorted(out)


def _mix(*xs: int) -> int:
    """A cheap deterministic hash of a few ints, 0 <= h < 2**32."""
    h = 2166136261
    for x in xs:
        h = ((h ^ (x & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
        h ^= h >> 13
    return h


class AnnexWriter:
    def __init__(self, world: CinWorld, ids: dict[int, str], first: int, last: int):
        """`ids`: person key -> LAchildID. Events touching [first, last] (days) are pre-selected."""
        self.w = world
        self.wd = world.wd
        self.heads = headings(world.la_code)
        vocab = [h for hs in self.heads.values() for h in hs]
        vocab += list(GENDER.values()) + list(ETHNIC_LETTERED.values()) + list(SOURCE_LETTERED.values())
        vocab += list(YES_NO.values()) + list(LETTER_YES_NO.values()) + list(NEED_LABELS.values())
        vocab += list(CLOSURE_LABELS.values()) + list(CASE_STATUS.values()) + list(CATEGORY_LABELS.values())
        for t in world.teams.teams.values():
            vocab += [t.name, *t.workers]
        self.cells = cells = Cells(vocab)
        self._ages: dict[int, str] = {}
        # per child: its id (to sort by), the XML of its first four cells, of its disability cell, its DOB
        self.static: dict[int, int] = {}
        self.pre: dict[int, str] = {}
        self.dis: dict[int, str] = {}
        self.dob: dict[int, int] = {}
        for key, p in world.persons.items():
            cid = int(ids[key])
            self.static[key] = cid
            self.dob[key] = p.dob
            self.pre[key] = (
                Cells.number(cid)
                + cells.text(GENDER[p.sex])
                + cells.text(ETHNIC_LETTERED.get(p.ethnic, "s) NOBT"))
                + cells.date(p.dob)
            )
            self.dis[key] = cells.text(LETTER_YES_NO[bool(p.disabilities)])
        st = self.static
        # contacts: (day, id, key, the row's cells after Age); the same child, day and source only once
        self.contacts = sorted(
            {
                (t, st[p.key], p.key, cells.date(t) + cells.text(SOURCE_LETTERED[src]) + "</row>")
                for t, src, p in world.contacts
                if first <= t <= last
            }
        )
        self.contact_days = [c[0] for c in self.contacts]
        self.tails: dict = {}  # cached row endings that do not change with the as-at date
        eps = [e for e in world.episodes if e.ref <= last and (e.close is None or e.close >= first)]
        eps.sort(key=lambda e: (e.ref, st[e.person.key]))
        self.episodes = eps
        # previous referrals of the same child in the 12 months before each referral
        self.prev12: dict[int, int] = {}
        for e in eps:
            self.prev12[id(e)] = sum(1 for o in e.person.episodes if 0 < e.ref - o.ref <= 365 or (o is not e and
                                     o.ref == e.ref and id(o) < id(e)))  # fmt: skip
        self.assess = []
        self.s47 = []
        self.plans = []
        for e in world.episodes:
            for a in e.assessments:
                if a.start <= last and a.auth >= first:
                    self.assess.append((a.start, st[e.person.key], id(a), e, a))
            for s in e.s47s:
                if first <= s.start <= last:
                    self.s47.append((s.start, st[e.person.key], id(s), e, s))
            for pl in e.plans:
                if pl.start <= last and pl.end >= first:
                    self.plans.append((pl.start, st[e.person.key], id(pl), e, pl))
        self.assess.sort(key=lambda x: x[:2])
        self.s47.sort(key=lambda x: x[:2])
        self.plans.sort(key=lambda x: x[:2])
        self.s47_counts: dict[int, tuple[int, int]] = {}
        for _, _, _, e, s in self.s47:
            prior = [x for o in e.person.episodes for x in o.s47s if 0 < s.start - x.start <= 365 or (
                x is not s and x.start == s.start and id(x) < id(s))]  # fmt: skip
            icpcs = [
                x
                for o in e.person.episodes
                for x in o.s47s
                if x.icpc is not None and 0 < s.start - x.icpc <= 365 and x is not s
            ]
            self.s47_counts[id(s)] = (len(prior), len(icpcs))
        self.visits: dict[int, tuple[list[int], list[bool]]] = {}

    # ------------------------------------------------------------------------------------------------------

    def _age(self, days: int) -> str:
        c = self._ages.get(days)
        if c is None:
            c = self._ages[days] = Cells.number(round(days / 365.25, 2))
        return c

    def _visits(self, pl: Plan) -> tuple[list[int], list[bool]]:
        v = self.visits.get(id(pl))
        if v is None:
            r = random.Random(pl.seed)
            days, alone = [], []
            t = pl.start
            wd = self.wd
            while True:
                late = r.random() < pl.late
                x = 11 + min(30, int(r.expovariate(1 / 6))) if late else 5 + int(r.random() * 6)
                t = wd.add(t, x)
                if t > pl.end:
                    break
                days.append(t)
                alone.append(r.random() < pl.alone)
            v = self.visits[id(pl)] = (days, alone)
        return v

    def rows(self, as_at: date) -> dict[str, list[str]]:
        """Each list's rows (as row XML) as at `as_at`."""
        A = C.day(as_at)
        W0 = C.day(window_start(as_at))
        c = self.cells
        text, dt, num, E = c.text, c.date, Cells.number, Cells.EMPTY
        pre, dis, age = self.pre, self.dis, self._age
        dob = self.dob
        rows: dict[str, list[str]] = {s: [] for s in SHEETS}

        # List 1: contacts
        l1 = rows["List 1"]
        lo, hi = bisect_left(self.contact_days, W0), bisect_right(self.contact_days, A)
        for _, _, key, tail in self.contacts[lo:hi]:
            l1.append(f"<row>{pre[key]}{age(A - dob[key])}{tail}")

        # List 3: referrals; List 6: children in need (latest episode per child)
        l3 = rows["List 3"]
        latest: dict[int, Episode] = {}
        for e in self.episodes:
            if e.ref > A:
                break
            key = e.person.key
            if W0 <= e.ref:
                tail = self.tails.get(id(e))
                if tail is None:
                    team = e.ref_team
                    tail = self.tails[id(e)] = (
                        f"{dt(e.ref)}{text(SOURCE_LETTERED[e.source])}{text(YES_NO[e.nfa])}"
                        f"{num(self.prev12[id(e)])}{text(team.name if team else '')}{text(e.ref_worker)}</row>"
                    )
                l3.append(f"<row>{pre[key]}{age(A - dob[key])}{tail}")
            if not e.nfa and (e.close is None or e.close >= W0):
                latest[key] = e
        l6 = rows["List 6"]
        for key, e in sorted(latest.items(), key=lambda kv: (kv[1].ref, self.static[kv[0]])):
            closed = e.close is not None and e.close <= A
            at = e.close if closed else A
            status, team, worker = e.status_at(at)
            seen = max(e.ref, at - _mix(e.ref, at, key) % 28)
            l6.append(
                f"<row>{pre[key]}{age(A - dob[key])}{dis[key]}{dt(e.ref)}{text(NEED_LABELS[e.need])}{dt(seen)}"
                f"{dt(e.close) if closed else E}{text(CLOSURE_LABELS[e.reason]) if closed else E}"
                f"{text(CASE_STATUS['e' if closed else status])}{text(team.name)}{text(worker)}</row>"
            )

        # List 4: assessments completed in the window or open at the as-at date
        l4 = rows["List 4"]
        for start, _, _, e, a in self.assess:
            if start > A:
                break
            if a.auth < W0:
                continue
            done = a.auth <= A
            key = e.person.key
            tail = self.tails.get((id(a), done))
            if tail is None:
                support = (YES_NO[bool(a.support)] if a.support is not None else "Yes") if done else None
                tail = self.tails[(id(a), done)] = (
                    f"{dis[key]}{dt(a.start)}{text(YES_NO[a.seen])}"
                    f"{dt(a.auth) if done else E}{text(support)}{text(a.team)}{text(a.worker)}</row>"
                )
            l4.append(f"<row>{pre[key]}{age(A - dob[key])}{tail}")

        # List 5: section 47 enquiries
        l5 = rows["List 5"]
        for start, _, _, e, s in self.s47:
            if start > A:
                break
            if start < W0:
                continue
            key = e.person.key
            decided = s.decided <= A
            held = s.icpc is not None and s.icpc <= A
            tail = self.tails.get((id(s), decided, held))
            if tail is None:
                n47, nicpc = self.s47_counts[id(s)]
                tail = self.tails[(id(s), decided, held)] = (
                    f"{dis[key]}{dt(s.start)}"
                    f"{text(YES_NO[s.icpc is None]) if decided else E}{dt(s.icpc) if held else E}"
                    f"{text(YES_NO[s.plan]) if held else E}{num(n47)}{num(nicpc)}{text(s.team)}{text(s.worker)}"
                    "</row>"
                )
            l5.append(f"<row>{pre[key]}{age(A - dob[key])}{tail}")

        # List 7: child protection plans
        l7 = rows["List 7"]
        for start, _, _, e, pl in self.plans:
            if start > A:
                break
            if pl.end < W0:
                continue
            key = e.person.key
            ended = pl.end <= A
            days, alone = self._visits(pl)
            k = bisect_right(days, A) - 1
            rv = [x for x in pl.reviews if x <= A]
            latest_cat = pl.cat1 if pl.cat_change is not None and pl.cat_change <= A else pl.cat0
            l7.append(
                f"<row>{pre[key]}{age(A - dob[key])}{dis[key]}{dt(pl.start)}{text(CATEGORY_LABELS[pl.cat0])}"
                f"{text(CATEGORY_LABELS[latest_cat])}{dt(days[k]) if k >= 0 else E}"
                f"{text(LETTER_YES_NO[alone[k]]) if k >= 0 else E}{dt(rv[-1]) if rv else E}"
                f"{dt(pl.end) if ended else E}{text(LETTER_YES_NO[pl.epo and A - pl.start <= 183])}"
                f"{num(pl.prev)}{text(pl.team)}{text(pl.worker)}</row>"
            )
        return rows

    def write(self, as_at: date, path: Path) -> dict[str, int]:
        rows = self.rows(as_at)
        write_workbook(path, self.cells, [(s, self.heads[s], rows[s]) for s in SHEETS])
        return {s: len(r) for s, r in rows.items()}
