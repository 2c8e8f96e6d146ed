"""The synthetic QA activity log and case-file audits (`ingest.synthetic.qa`) as `csqa generate` writes them:
layout and headings from docs/contracts.md ("The QA framework, activity log and case-file audits"), determinism
and one history whatever the window, audits of the HR extract's own staff in post and teams, follow-ups of
significant concerns (mostly complete, some not), and nothing dated after the as-at date.

One authority (845) over two collection years ending 31 March 2026: the log and the audits cover April 2024 to
March 2026, as at 31 March 2026.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from ingest.generate import generate
from ingest.synthetic import codes as C
from ingest.synthetic.qa import (
    AUDIT_ACTIONS,
    CASE_FILE_AUDITS,
    QA_ACTIVITY,
    SCHEDULE,
    Audits,
    activity_rows,
    periods,
    schedule,
)
from ingest.synthetic.qa import (
    PERIOD_MONTHS as FREQUENCY_MONTHS,
)
from ingest.synthetic.teams import build_teams
from ingest.synthetic.workdays import WorkingDays
from ingest.synthetic.workforce import Workforce

LA = "845"
END = date(2026, 3, 31)
FIRST = date(2024, 4, 1)
PRESSURED = "Locality 3 Assessment"  # 845's slow locality assessment team
LOG_HEADING = "task_number,audience,period_start,period_end,delivered_date,reference"
AUDITS_HEADING = (
    "audit_reference,task_number,audit_type,audit_date,team_name,worker_id,child_id,auditor_role,grade,"
    "significant_concerns,themes,follow_up_of"
)
ACTIONS_HEADING = "audit_reference,action_number,action,due_date,completed_date"
# task -> (audit type, auditor roles)
KINDS = {
    "3.16": ("supervision", {"practice_managers"}),
    "3.14": ("deep_dive", {"operations_managers"}),
    "3.13": ("peer", {"heads_of_service"}),
    "3.15": ("peer", {"operations_managers"}),
    "4.5": ("themed", {"head_of_safeguarding"}),
    "4.3": ("multi_agency", {"head_of_safeguarding"}),
}
GRADES = {"outstanding", "good", "requires_improvement", "inadequate"}
THEMES = {"multi_agency", "family_history", "child_centred", "fathers", "plan_review", "supervision", "learning",
          "risk_assessment", "recording", "timeliness", "other"}  # fmt: skip
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
REF_RE = re.compile(r"^CFA-845-(\d{4})-(\d{2})\d{3}$")


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    out = tmp_path_factory.mktemp("qa")
    summary = generate(out, las=1, years=2, seed=42, end=END)
    return out, summary


def d(text: str) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def plus_months(x: date, n: int) -> date:
    y, m = x.year + (x.month - 1 + n) // 12, (x.month - 1 + n) % 12 + 1
    last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(x.day, last))


def qa_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for sub in ("qa_activity", "audits")
        for p in sorted((root / sub).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def data(gen):
    out, _ = gen
    folder = out / "audits" / LA / "2026-03"
    audits = read_csv(folder / "case_file_audits.csv")
    actions = read_csv(folder / "audit_actions.csv")
    log = read_csv(out / "qa_activity" / LA / "2026-03" / "qa_activity.csv")
    hr = {p.parent.name: read_csv(p) for p in sorted((out / "hr" / LA).glob("*/hr_workers.csv"))}
    return audits, actions, log, hr


# ---------------------------------------------------------------------------------------------------------
# layout, headings, determinism


def test_files_where_the_contract_says(gen):
    out, s = gen
    assert [p.name for p in (out / "qa_activity" / LA).iterdir()] == ["2026-03"]
    assert [p.name for p in (out / "qa_activity" / LA / "2026-03").iterdir()] == ["qa_activity.csv"]
    assert [p.name for p in (out / "audits" / LA).iterdir()] == ["2026-03"]
    assert sorted(p.name for p in (out / "audits" / LA / "2026-03").iterdir()) == [
        "audit_actions.csv",
        "case_file_audits.csv",
    ]
    assert s.files == sum(1 for p in out.rglob("*") if p.is_file())
    assert all(s.files_by_table[t] == 1 for t in ("qa_activity", "case_file_audits", "audit_actions"))
    assert s.rows["case_file_audits"] > 2000 and s.rows["audit_actions"] > 1000 and s.rows["qa_activity"] > 100


def test_headings_exact(gen):
    out, _ = gen
    assert ",".join(QA_ACTIVITY) == LOG_HEADING
    assert ",".join(CASE_FILE_AUDITS) == AUDITS_HEADING
    assert ",".join(AUDIT_ACTIONS) == ACTIONS_HEADING
    for rel, heading in (
        ("qa_activity/845/2026-03/qa_activity.csv", LOG_HEADING),
        ("audits/845/2026-03/case_file_audits.csv", AUDITS_HEADING),
        ("audits/845/2026-03/audit_actions.csv", ACTIONS_HEADING),
    ):
        assert (out / rel).read_text(encoding="utf-8").splitlines()[0] == heading, rel
    # the templates carry the same headings, with two or three example rows, and the README a section each
    templates = Path(__file__).resolve().parents[1] / "data" / "templates"
    readme = (templates / "README.md").read_text(encoding="utf-8")
    for name, heading in (
        ("qa_activity", LOG_HEADING),
        ("case_file_audits", AUDITS_HEADING),
        ("audit_actions", ACTIONS_HEADING),
    ):
        lines = (templates / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == heading and 2 <= len(lines) - 1 <= 3, name
        assert f"## `{name}.csv`" in readme
        for col in heading.split(","):
            assert f"| `{col}` |" in readme.split(f"## `{name}.csv`")[1].split("\n## ")[0], (name, col)


def test_same_arguments_same_bytes_and_one_history(gen, tmp_path):
    """Same arguments: byte-identical files. A one-year window writes the same reports and the same audits
    (references, actions and all) for the months it shares; only a follow-up of a concern from before its
    window loses its `follow_up_of` (that audit is not in its register)."""
    out, _ = gen
    again = tmp_path / "again"
    generate(again, las=1, years=2, seed=42, end=END)
    assert qa_files(again) == qa_files(out)
    short = tmp_path / "short"
    generate(short, las=1, years=1, seed=42, end=END)
    log = read_csv(short / "qa_activity" / LA / "2026-03" / "qa_activity.csv")
    long_log = read_csv(out / "qa_activity" / LA / "2026-03" / "qa_activity.csv")
    assert log == [r for r in long_log if d(r["period_start"]) >= date(2025, 4, 1)]
    long = {a["audit_reference"]: a for a in read_csv(out / "audits" / LA / "2026-03" / "case_file_audits.csv")}
    audits = read_csv(short / "audits" / LA / "2026-03" / "case_file_audits.csv")
    assert [a["audit_reference"] for a in audits] == [
        r for r, a in long.items() if d(a["audit_date"]) >= date(2025, 4, 1)
    ]
    dropped = 0
    for a in audits:
        b = long[a["audit_reference"]]
        if a["follow_up_of"] != b["follow_up_of"]:
            assert a["follow_up_of"] == "" and d(long[b["follow_up_of"]]["audit_date"]) < date(2025, 4, 1)
            dropped += 1
        assert {**a, "follow_up_of": ""} == {**b, "follow_up_of": ""}
    assert 0 < dropped < 60
    long_actions = read_csv(out / "audits" / LA / "2026-03" / "audit_actions.csv")
    refs = {a["audit_reference"] for a in audits}
    assert read_csv(short / "audits" / LA / "2026-03" / "audit_actions.csv") == [
        x for x in long_actions if x["audit_reference"] in refs
    ]
    # another stream gives another log
    wd = WorkingDays(2020, 2030)
    assert activity_rows(1, wd, FIRST, END) != activity_rows(2, wd, FIRST, END)
    assert activity_rows(1, wd, FIRST, END) == activity_rows(1, wd, FIRST, END)


# ---------------------------------------------------------------------------------------------------------
# the activity log


def test_periods():
    assert periods("quarterly", date(2024, 4, 1), date(2024, 12, 31)) == [
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 9, 30)),
        (date(2024, 10, 1), date(2024, 12, 31)),
    ]
    assert periods("twice_yearly", date(2024, 5, 1), date(2026, 3, 31)) == [
        (date(2024, 10, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2026, 3, 31)),
    ]
    assert periods("annually", date(2024, 4, 1), date(2026, 3, 30)) == [(date(2024, 4, 1), date(2025, 3, 31))]
    assert periods("monthly", date(2024, 12, 1), date(2025, 2, 27)) == [
        (date(2024, 12, 1), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 1, 31)),
    ]


def test_activity_log(data):
    _, _, log, _ = data
    reports = schedule()
    register = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "qa_task_audiences.csv"
    if register.is_file():  # the register's scheduled rows, every one of them
        with register.open(newline="", encoding="utf-8") as f:
            rows = [(r["task_number"], r["audience_id"], r["frequency"]) for r in csv.DictReader(f)]
        assert set(reports) == {r for r in rows if r[2] in FREQUENCY_MONTHS} and len(reports) > 50
    else:
        assert reports == SCHEDULE
    months = {v: k for k, v in FREQUENCY_MONTHS.items()}

    def frequency(r):
        s, e = d(r["period_start"]), d(r["period_end"])
        return months[(e.year - s.year) * 12 + e.month - s.month + 1]

    written = Counter((r["task_number"], r["audience"], frequency(r)) for r in log)
    # nothing off the schedule, and nearly every scheduled report delivered at least once in two years
    assert set(written) <= set(reports) and len(written) >= 0.95 * len(reports)
    keys = [(r["task_number"], r["audience"], r["period_start"], r["period_end"]) for r in log]
    assert len(keys) == len(set(keys))
    got = defaultdict(set)
    for r in log:
        got[(r["task_number"], r["audience"], frequency(r))].add((r["period_start"], r["period_end"]))
    expected, lags = 0, []
    for task, audience, f in reports:
        pers = {(a.strftime("%d/%m/%Y"), b.strftime("%d/%m/%Y")) for a, b in periods(f, FIRST, END)}
        expected += len(pers)
        assert got[(task, audience, f)] <= pers, (task, audience, f)
    for r in log:
        assert all(DATE_RE.match(r[c]) for c in ("period_start", "period_end", "delivered_date"))
        start, end, delivered = d(r["period_start"]), d(r["period_end"]), d(r["delivered_date"])
        assert FIRST <= start <= end < delivered <= END
        assert C.day(delivered) == WorkingDays(2024, 2026).add(C.day(delivered), 0)  # a working day
        lags.append((delivered - end).days)
        assert r["reference"] == "" or re.fullmatch(r"[A-Z][A-Za-z ]+ \d{4}-\d{2} item \d+", r["reference"]), r
    late = sum(x > 30 for x in lags) / len(lags)
    assert max(lags) <= 60 and 0.04 <= late <= 0.2
    # some reports never delivered, and the last periods not yet: the schedule has something to show
    undelivered = expected - len(log)
    assert 0.06 * expected < undelivered < 0.25 * expected
    assert not any(r["period_end"] == "31/03/2026" for r in log)
    assert any(r["period_end"] == "28/02/2026" for r in log)


# ---------------------------------------------------------------------------------------------------------
# the audits


def test_audit_rows_follow_the_contract(gen, data):
    out, _ = gen
    audits, _, _, _ = data
    children = set()
    for p in (out / "cin_census" / LA).glob("*/cin_census.xml"):
        children |= set(re.findall(r"<LAchildID>(\d+)</LAchildID>", p.read_text(encoding="utf-8")))
    refs = [a["audit_reference"] for a in audits]
    assert len(refs) == len(set(refs))
    for a in audits:
        m = REF_RE.match(a["audit_reference"])
        assert m, a["audit_reference"]
        day = d(a["audit_date"])
        assert DATE_RE.match(a["audit_date"]) and FIRST <= day <= END
        assert (int(m.group(1)), int(m.group(2))) == (day.year, day.month)
        audit_type, auditors = KINDS[a["task_number"]]
        assert a["audit_type"] == audit_type and a["auditor_role"] in auditors, a
        assert a["grade"] in GRADES and a["significant_concerns"] in ("Y", "N")
        themes = a["themes"].split(";")
        assert 1 <= len(themes) <= 3 and len(set(themes)) == len(themes) and set(themes) <= THEMES, a
        assert a["child_id"] in children  # a child the children in need census knows
    # in date order, numbered in date order within each month
    days = [d(a["audit_date"]) for a in audits]
    assert days == sorted(days)
    assert refs == sorted(refs)


def test_workers_in_post_in_that_months_hr_extract(data):
    audits, _, _, hr = data
    teams = {r["team_name"] for rows in hr.values() for r in rows}
    assert len(teams) == 12
    by_month = {m: {r["worker_id"]: r for r in rows} for m, rows in hr.items()}
    for a in audits:
        day = d(a["audit_date"])
        assert a["team_name"] in teams
        w = by_month[f"{day:%Y-%m}"].get(a["worker_id"])
        assert w is not None, a
        assert w["team_name"] == a["team_name"] and w["role"] in ("SW", "SP"), a
        assert d(w["start_date"]) <= day and (w["leave_date"] == "" or day <= d(w["leave_date"])), a


def test_completion_by_kind_and_team(data):
    audits, _, _, hr = data
    done = defaultdict(set)
    for a in audits:
        if a["task_number"] == "3.16":
            done[a["audit_date"][6:] + "-" + a["audit_date"][3:5]].add(a["worker_id"])
    required, completed = Counter(), Counter()
    for m, rows in hr.items():
        for r in rows:
            if r["role"] in ("SW", "SP") and int(r["cases_held"]) > 0:
                required[r["team_name"]] += 1
                completed[r["team_name"]] += r["worker_id"] in done[m]
    pct = {t: completed[t] / required[t] for t in required}
    overall = sum(completed.values()) / sum(required.values())
    assert 0.82 <= overall <= 0.95
    assert pct[PRESSURED] == min(pct.values()) and 0.55 <= pct[PRESSURED] <= 0.8
    assert sum(0.85 <= p <= 0.97 for p in pct.values()) >= 6
    # operations managers: one a team a month, most months; peer audits at most one a team a quarter
    om = Counter((a["team_name"], a["audit_date"][3:]) for a in audits if a["task_number"] == "3.14")
    assert max(om.values()) == 1 and 0.8 <= len(om) / (12 * 24) <= 0.98
    peer = Counter(
        (a["team_name"], d(a["audit_date"]).year, (d(a["audit_date"]).month - 1) // 3)
        for a in audits
        if a["audit_type"] == "peer"
    )
    assert max(peer.values()) == 1 and 0.75 <= len(peer) / (12 * 8) <= 1
    themed = Counter((d(a["audit_date"]).year, (d(a["audit_date"]).month - 1) // 3) for a in audits
                     if a["audit_type"] in ("themed", "multi_agency"))  # fmt: skip
    assert len(themed) == 8 and min(themed.values()) >= 3


def test_grades_themes_and_concerns(data):
    audits, _, _, _ = data
    n = len(audits)
    grades = Counter(a["grade"] for a in audits)
    for g, share, tol in (("outstanding", 0.10, 0.04), ("good", 0.55, 0.06), ("requires_improvement", 0.28, 0.05),
                          ("inadequate", 0.07, 0.03)):  # fmt: skip
        assert abs(grades[g] / n - share) <= tol, (g, grades[g] / n)

    def inadequate(team):
        rows = [a for a in audits if a["team_name"] == team]
        return sum(a["grade"] == "inadequate" for a in rows) / len(rows)

    assert inadequate(PRESSURED) > 1.5 * sum(a["grade"] == "inadequate" for a in audits) / n
    concerns = [a for a in audits if a["significant_concerns"] == "Y"]
    assert 0.05 <= len(concerns) / n <= 0.11
    assert sum(a["grade"] == "inadequate" for a in concerns) / len(concerns) > 0.55
    assert not any(a["grade"] == "outstanding" for a in concerns)
    themes = Counter(t for a in audits for t in a["themes"].split(";"))
    top = {t for t, _ in themes.most_common(5)}
    assert top == {"multi_agency", "child_centred", "family_history", "supervision", "fathers"}

    def child_centred(a, b):
        rows = [x for x in audits if a <= d(x["audit_date"]) <= b]
        return sum("child_centred" in x["themes"].split(";") for x in rows) / len(rows)

    assert child_centred(date(2024, 4, 1), date(2024, 9, 30)) > child_centred(date(2025, 10, 1), END) + 0.07


def test_follow_ups_of_significant_concerns(data):
    audits, _, _, _ = data
    by_ref = {a["audit_reference"]: a for a in audits}
    follow = defaultdict(list)
    for a in audits:
        if a["follow_up_of"]:
            c = by_ref[a["follow_up_of"]]  # a follow-up points at an audit in the register
            assert c["significant_concerns"] == "Y" and c["worker_id"] == a["worker_id"]
            assert d(c["audit_date"]) < d(a["audit_date"]) <= plus_months(d(c["audit_date"]), 3)
            assert a["task_number"] == "3.16"
            follow[a["follow_up_of"]].append(a)
    outcomes = Counter()
    for c in audits:
        if c["significant_concerns"] != "Y" or plus_months(d(c["audit_date"]), 3) > END:
            continue
        fus = follow[c["audit_reference"]]
        lim = plus_months(d(c["audit_date"]), 3)
        re_reviewed = any(
            x["child_id"] == c["child_id"] and d(c["audit_date"]) < d(x["audit_date"]) <= lim
            for x in audits
            if x is not c
        )
        outcomes["compliant" if len(fus) >= 2 and re_reviewed else "one" if len(fus) < 2 else "no_re_review"] += 1
    total = sum(outcomes.values())
    assert total > 100
    assert 0.6 <= outcomes["compliant"] / total <= 0.88, outcomes
    assert outcomes["one"] >= 5 and outcomes["no_re_review"] >= 5, outcomes


def test_actions(data):
    audits, actions, _, _ = data
    by_ref = {a["audit_reference"]: a for a in audits}
    numbers = defaultdict(list)
    for x in actions:
        a = by_ref[x["audit_reference"]]
        numbers[x["audit_reference"]].append(int(x["action_number"]))
        assert x["action"] and not re.search(r"\d", x["action"])
        due, done = d(x["due_date"]), d(x["completed_date"])
        assert 14 <= (due - d(a["audit_date"])).days <= 56
        assert done is None or d(a["audit_date"]) < done <= END
    assert all(n == list(range(1, len(n) + 1)) and len(n) <= 3 for n in numbers.values())
    per_grade = Counter(by_ref[r]["grade"] for r in numbers)
    assert per_grade["outstanding"] == 0 and per_grade["good"] > 0
    assert all(r in numbers for r, a in by_ref.items() if a["grade"] == "inadequate")
    overdue = [x for x in actions if not x["completed_date"] and d(x["due_date"]) < END]
    late = [x for x in actions if x["completed_date"] and d(x["completed_date"]) > d(x["due_date"])]
    assert 0.05 <= len(overdue) / len(actions) <= 0.2 and 0.1 <= len(late) / len(actions) <= 0.3
    assert any(not x["completed_date"] and d(x["due_date"]) > END for x in actions)  # open, not yet due


# ---------------------------------------------------------------------------------------------------------
# a window ending mid-month: nothing after its end


def test_mid_month_cut():
    teams = build_teams(LA, random.Random(1))
    wd = WorkingDays(2005, 2040)
    wf = Workforce(teams, random.Random(2), wd, C.day(date(2008, 4, 1)), C.day(date(2036, 3, 31)))
    cut = date(2026, 10, 15)
    for r in activity_rows(3, wd, date(2025, 11, 1), cut):
        assert d(r[4]) <= cut and d(r[3]) < cut
    world = SimpleNamespace(episodes=[])  # no children: the audits still run, child ids empty
    audits = Audits(LA, teams, wf, world, {}, 4, wd, date(2025, 11, 1), cut)
    rows, actions = audits.rows()
    assert rows and max(d(r[3]) for r in rows) <= cut and min(d(r[3]) for r in rows) >= date(2025, 11, 1)
    assert {r[6] for r in rows} == {""}
    assert any(d(r[3]).month == 10 for r in rows)
    assert all(x[4] == "" or d(x[4]) <= cut for x in actions)
