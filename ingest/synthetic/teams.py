"""An authority's social work teams, the services they sit in, and their (synthetic) workers.

Every LA gets the same shape: a front door (MASH), four locality assessment teams, two child protection teams,
two children in need teams and two children in care teams, grouped into three services, plus a children with
disabilities team. That last one holds long-term disabled children's cases and appears in the Annex A lists
but is deliberately left out of `reference/org_units.csv`, so "unmapped team" reporting has something to show.

Performance differs by team: in each LA one locality assessment team is slow (assessments past 45 working
days, late initial conferences) and one child protection team lets visits slip. Which ones depends on the LA
(845: "Locality 3 Assessment" and "Child Protection 2").
"""

from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate

FRONT_DOOR = "Early Help and Front Door"
ASSESS_CP = "Assessment and Child Protection"
IN_CARE = "Children in Care"
SERVICES = (FRONT_DOOR, ASSESS_CP, IN_CARE)

MASH = "Multi Agency Safeguarding Hub"
CWD = "Children with Disabilities Team"  # appears in Annex A, not in org_units.csv
UNMAPPED_TEAM = CWD
N_LOCALITIES = 4
LOCALITY_WEIGHTS = (0.28, 0.25, 0.26, 0.21)

FIRST_NAMES = (
    "Aisha", "Alex", "Amara", "Ben", "Bethany", "Callum", "Chloe", "Daniel", "Dev", "Eleanor", "Ellie", "Farah",
    "Femi", "George", "Grace", "Hannah", "Harvey", "Imran", "Jade", "James", "Jasmine", "Joel", "Kate", "Kieran",
    "Laura", "Leah", "Liam", "Lucy", "Marcus", "Maria", "Megan", "Nadia", "Naomi", "Oliver", "Priya", "Rachel",
    "Rory", "Sam", "Sarah", "Sofia", "Tom", "Yusuf", "Zara", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Ahmed", "Baker", "Bennett", "Brooks", "Campbell", "Carter", "Clarke", "Cole", "Davies", "Edwards",
    "Evans", "Fisher", "Foster", "Green", "Hall", "Harris", "Hughes", "Jackson", "James", "Kaur", "Khan", "Lewis",
    "Marsh", "Mitchell", "Morgan", "Murphy", "Nolan", "Okafor", "Owen", "Patel", "Price", "Reid", "Roberts",
    "Shaw", "Singh", "Taylor", "Thomas", "Turner", "Walker", "Ward", "Watson", "Webb", "Wood", "Wright", "Young",
)  # fmt: skip


@dataclass
class Team:
    name: str
    team_id: str
    service_id: str | None
    service_name: str | None
    workers: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()  # relative caseload of each worker
    mapped: bool = True
    _cum: list[float] = field(default_factory=list, repr=False)

    def __post_init__(self):
        tot = sum(self.weights) or 1.0
        self._cum = [x / tot for x in accumulate(self.weights)]
        if self._cum:
            self._cum[-1] = 1.0

    def worker(self, r: random.Random) -> str:
        return self.workers[bisect_left(self._cum, r.random())]


@dataclass
class Teams:
    la_code: str
    teams: dict[str, Team] = field(default_factory=dict)
    slow_locality: int = 3  # its assessment team is slow and its conferences late
    slow_cp: int = 2  # its child protection team lets visits slip

    def assessment(self, locality: int) -> Team:
        return self.teams[f"Locality {locality} Assessment"]

    def cp(self, locality: int) -> Team:
        return self.teams[f"Child Protection {1 if locality <= 2 else 2}"]

    def cin(self, locality: int) -> Team:
        return self.teams[f"Children in Need {1 if locality <= 2 else 2}"]

    def cla(self, locality: int) -> Team:
        return self.teams[f"Children in Care {1 if locality in (1, 3) else 2}"]

    @property
    def mash(self) -> Team:
        return self.teams[MASH]

    @property
    def cwd(self) -> Team:
        return self.teams[CWD]

    def org_rows(self) -> list[dict[str, str]]:
        return [
            {
                "la_code": self.la_code,
                "team_name": t.name,
                "team_id": t.team_id,
                "service_id": t.service_id or "",
                "service_name": t.service_name or "",
            }
            for t in self.teams.values()
            if t.mapped
        ]


def build_teams(la_code: str, r: random.Random) -> Teams:
    """The LA's teams and workers, drawn from the LA's own stream (so they never depend on the window)."""
    code = int(la_code)
    out = Teams(la_code, slow_locality=1 + (code + 1) % N_LOCALITIES, slow_cp=1 + code % 2)
    spec: list[tuple[str, str | None, int]] = [(MASH, FRONT_DOOR, 9)]
    spec += [(f"Locality {k} Assessment", ASSESS_CP, 7) for k in range(1, N_LOCALITIES + 1)]
    spec += [(f"Child Protection {k}", ASSESS_CP, 7) for k in (1, 2)]
    spec += [(f"Children in Need {k}", ASSESS_CP, 7) for k in (1, 2)]
    spec += [(f"Children in Care {k}", IN_CARE, 7) for k in (1, 2)]
    spec += [(CWD, None, 6)]
    used: set[str] = set()
    sid = {s: f"{la_code}-S{i}" for i, s in enumerate(SERVICES, 1)}
    for i, (name, service, n) in enumerate(spec, 1):
        n = n + int(r.random() * 3)
        workers = []
        while len(workers) < n:
            w = f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}"
            if w not in used:
                used.add(w)
                workers.append(w)
        weights = tuple(0.4 + r.random() for _ in workers)
        out.teams[name] = Team(
            name,
            f"{la_code}-T{i:02d}",
            sid.get(service) if service else None,
            service,
            tuple(workers),
            weights,
            mapped=name != UNMAPPED_TEAM,
        )
    return out
