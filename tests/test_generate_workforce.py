"""The synthetic workforce and complaints extracts (`ingest.synthetic.workforce`, `ingest.synthetic.complaints`)
as `csqa generate` writes them: layout and headings from docs/contracts.md, determinism, one staff history
behind the HR months and the CSWW census, and a complaints register that is consistent at its as-at date.

One authority (845) over two collection years ending 31 March 2026: HR extracts April 2024 to March 2026,
CSWW censuses at 30 September 2024 and 2025, one register as at 31 March 2026 (records from 1 April 2023).
"""

from __future__ import annotations

import csv
import random
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from ingest.generate import generate
from ingest.synthetic import codes as C
from ingest.synthetic.complaints import COMPLAINTS, Complaints
from ingest.synthetic.teams import CWD, FIRST_NAMES, LAST_NAMES, build_teams
from ingest.synthetic.workdays import WorkingDays
from ingest.synthetic.workforce import HR_VACANCIES, HR_WORKERS, Workforce

LA = "845"
END = date(2026, 3, 31)
MONTHS = [date(2024 + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(4, 28)]  # April 2024 .. March 2026
CENSUS_YEARS = [2024, 2025]
REGISTER_FROM = date(2023, 4, 1)
HR_HEADING = (
    "month,worker_id,team_name,role,fte,employment_type,start_date,leave_date,leave_reason,sickness_days,cases_held"
)
VAC_HEADING = "month,team_name,vacancy_fte"
COMPLAINTS_HEADING = (
    "reference,record_type,received_date,team_name,service_name,complainant,nature,stage,"
    "stage1_start_date,stage1_response_date,stage1_extended,stage1_outcome,"
    "stage2_start_date,stage2_response_date,stage2_extended,stage2_outcome,"
    "stage3_start_date,stage3_response_date,stage3_outcome,"
    "ombudsman_referred,learning_action,learning_action_due_date,learning_action_status,"
    "learning_action_completed_date"
)
# the order of a CSWWWorker's elements in the DfE schema
CSWW_ORDER = [
    "AgencyWorker", "SWENo", "FTE", "PersonBirthDate", "GenderCurrent", "Ethnicity", "QualInst", "QualLevel",
    "StepUpGrad", "OrgRole", "RoleStartDate", "StartOrigin", "RoleEndDate", "LeaverDestination", "ReasonLeave",
    "FTE30", "Cases30", "WorkingDaysLost", "ContractWeeks", "FrontlineGrad", "Absat30Sept", "ReasonAbsence",
    "CFKSSstatus",
]  # fmt: skip
ROLES = {"SM", "MM", "FLM", "SP", "SW", "QNC", "UNQ"}
LEAVE_REASONS = {"resignation", "retirement", "end_of_contract", "dismissal", "redundancy", "transfer", "other",
                 "not_known"}  # fmt: skip
NATURES = {"communication", "quality_of_service", "staff_conduct", "delay", "decision", "contact", "placement",
           "assessment", "information", "financial", "other"}  # fmt: skip
OUTCOMES = {"upheld", "partly_upheld", "not_upheld", "withdrawn"}
DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    out = tmp_path_factory.mktemp("wf")
    summary = generate(out, las=1, years=2, seed=42, end=END)
    return out, summary


def month_end(m: date) -> date:
    return date.fromordinal(date(m.year + (m.month == 12), m.month % 12 + 1, 1).toordinal() - 1)


def d(text: str) -> date | None:
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def hr(out: Path, m: date, name: str = "hr_workers") -> list[dict[str, str]]:
    return read_csv(out / "hr" / LA / f"{m:%Y-%m}" / f"{name}.csv")


def census(out: Path, year: int) -> ET.Element:
    return ET.parse(out / "csww" / LA / str(year) / f"social_work_workforce_{year}.xml").getroot()


def register(out: Path) -> list[dict[str, str]]:
    return read_csv(out / "complaints" / LA / "2026-03" / "complaints.csv")


def extract_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for sub in ("hr", "csww", "complaints")
        for p in sorted((root / sub).rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------------------------------------------------
# layout, headings, determinism


def test_files_where_the_contract_says(gen):
    out, s = gen
    assert sorted(p.name for p in (out / "hr" / LA).iterdir()) == [f"{m:%Y-%m}" for m in MONTHS]
    for m in MONTHS:
        assert sorted(p.name for p in (out / "hr" / LA / f"{m:%Y-%m}").iterdir()) == [
            "hr_vacancies.csv",
            "hr_workers.csv",
        ]
    assert sorted(p.name for p in (out / "csww" / LA).iterdir()) == ["2024", "2025"]
    for y in CENSUS_YEARS:
        assert [p.name for p in (out / "csww" / LA / str(y)).iterdir()] == [f"social_work_workforce_{y}.xml"]
    assert [p.name for p in (out / "complaints" / LA).iterdir()] == ["2026-03"]
    assert [p.name for p in (out / "complaints" / LA / "2026-03").iterdir()] == ["complaints.csv"]
    # the summary counts every file written
    assert s.files == sum(1 for p in out.rglob("*") if p.is_file())
    assert s.files_by_table["hr_workers"] == 24 and s.files_by_table["csww"] == 2
    assert s.hr_months == [month_end(m) for m in MONTHS]
    assert s.csww_dates == [date(2024, 9, 30), date(2025, 9, 30)]


def test_headings_exact(gen):
    out, _ = gen
    assert ",".join(HR_WORKERS) == HR_HEADING and ",".join(HR_VACANCIES) == VAC_HEADING
    assert ",".join(COMPLAINTS) == COMPLAINTS_HEADING
    for m in MONTHS:
        folder = out / "hr" / LA / f"{m:%Y-%m}"
        assert (folder / "hr_workers.csv").read_text(encoding="utf-8").splitlines()[0] == HR_HEADING
        assert (folder / "hr_vacancies.csv").read_text(encoding="utf-8").splitlines()[0] == VAC_HEADING
    text = (out / "complaints" / LA / "2026-03" / "complaints.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == COMPLAINTS_HEADING
    # the templates carry the same headings
    templates = Path(__file__).resolve().parents[1] / "data" / "templates"
    for name, heading in (
        ("hr_workers", HR_HEADING),
        ("hr_vacancies", VAC_HEADING),
        ("complaints", COMPLAINTS_HEADING),
    ):
        lines = (templates / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == heading and 2 <= len(lines) - 1 <= 3, name
    assert (templates / "README.md").is_file()


def test_same_arguments_same_bytes_and_one_history(gen, tmp_path):
    """Same arguments: byte-identical files. A shorter window (one year) writes the same files for the months,
    census and as-at date it shares: one staff history and one register, whatever the window."""
    out, _ = gen
    again = tmp_path / "again"
    generate(again, las=1, years=2, seed=42, end=END)
    assert extract_files(again) == extract_files(out)
    short = tmp_path / "short"
    generate(short, las=1, years=1, seed=42, end=END)
    files = extract_files(short)
    assert sorted(p.name for p in (short / "hr" / LA).iterdir()) == [f"{m:%Y-%m}" for m in MONTHS[12:]]
    assert [p.name for p in (short / "csww" / LA).iterdir()] == ["2025"]
    for rel, data in files.items():
        assert data == (out / rel).read_bytes(), rel
    # another stream gives another workforce
    teams = build_teams(LA, random.Random(1))
    wd = WorkingDays(2005, 2040)
    span = C.day(date(2008, 4, 1)), C.day(date(2036, 3, 31))
    a, b = (Workforce(teams, random.Random(k), wd, *span).month_rows(END, END) for k in (1, 2))
    assert a != b and Workforce(teams, random.Random(1), wd, *span).month_rows(END, END) == a


# ---------------------------------------------------------------------------------------------------------
# HR extracts


def test_team_names_are_the_las_teams(gen):
    out, _ = gen
    org = read_csv(out / "reference" / "org_units.csv")
    teams = {r["team_name"] for r in org if r["la_code"] == LA}
    assert len(teams) == 11 and CWD not in teams
    allowed = teams | {CWD}
    seen = set()
    for m in MONTHS:
        seen |= {r["team_name"] for r in hr(out, m)}
        vac = [r["team_name"] for r in hr(out, m, "hr_vacancies")]
        assert len(vac) == 12 and set(vac) == allowed  # one row per team, every month
    assert seen == allowed  # every team is staffed, the unmapped one too
    complaints = {r["team_name"] for r in register(out)}
    assert complaints <= allowed and CWD in complaints
    services = {r["team_name"]: r["service_name"] for r in org if r["la_code"] == LA}
    for r in register(out):
        assert r["service_name"] == services.get(r["team_name"], ""), r["reference"]


def test_hr_rows_follow_the_contract(gen):
    out, _ = gen
    for m in MONTHS:
        me = month_end(m)
        rows = hr(out, m)
        assert len({r["worker_id"] for r in rows}) == len(rows)  # one row per worker a month
        for r in rows:
            assert d(r["month"]) == me
            assert re.fullmatch(r"E\d{6}|AG\d{5}", r["worker_id"]), r
            assert r["worker_id"].startswith("AG") == (r["employment_type"] == "agency")
            assert r["role"] in ROLES and r["employment_type"] in {"permanent", "fixed_term", "agency"}
            assert 0 < float(r["fte"]) <= 1
            for c in ("start_date", "leave_date"):
                assert r[c] == "" or DATE_RE.match(r[c]), r
            start, leave = d(r["start_date"]), d(r["leave_date"])
            assert start <= me
            if leave:
                assert m <= leave <= me and leave >= start and r["leave_reason"] in LEAVE_REASONS
                assert r["cases_held"] == "0"
            else:
                assert r["leave_reason"] == ""
            assert float(r["sickness_days"]) >= 0 and int(r["cases_held"]) >= 0
            if r["role"] in ("UNQ", "MM", "SM", "QNC"):
                assert r["cases_held"] == "0", r
        for v in hr(out, m, "hr_vacancies"):
            assert d(v["month"]) == me and 0 <= float(v["vacancy_fte"]) <= 6


def test_workers_are_contiguous_and_leavers_never_come_back(gen):
    out, _ = gen
    months: dict[str, list[int]] = defaultdict(list)
    rows: dict[str, list[dict]] = defaultdict(list)
    for i, m in enumerate(MONTHS):
        for r in hr(out, m):
            months[r["worker_id"]].append(i)
            rows[r["worker_id"]].append(r)
    assert len(months) > 150
    for wid, idx in months.items():
        assert idx == list(range(idx[0], idx[-1] + 1)), f"{wid} has a gap"
        rs = rows[wid]
        # the same person every month: team, role, FTE, contract and start date do not change
        for c in ("team_name", "role", "fte", "employment_type", "start_date"):
            assert len({r[c] for r in rs}) == 1, (wid, c)
        # a leave date only in the last month they appear; anyone who disappears before the end left
        assert all(r["leave_date"] == "" for r in rs[:-1]), wid
        if idx[-1] < len(MONTHS) - 1:
            assert rs[-1]["leave_date"], f"{wid} disappears without a leave date"
        # anyone who appears after the first month started in that month
        if idx[0] > 0:
            assert d(rs[0]["start_date"]) >= MONTHS[idx[0]], wid


def test_workforce_looks_like_a_children_social_care_service(gen):
    """Loose bounds for 845: FTE, agency share, turnover, sickness and caseloads in the ranges the generator aims
    for (the published England figures are about 18% agency, 15-17% turnover, 8.9 days lost per FTE)."""
    out, _ = gen
    last = hr(out, MONTHS[-1])
    in_post = [r for r in last if not r["leave_date"] and r["role"] != "UNQ"]
    emp = sum(float(r["fte"]) for r in in_post if r["employment_type"] != "agency")
    agency = sum(float(r["fte"]) for r in in_post if r["employment_type"] == "agency")
    year = [r for m in MONTHS[12:] for r in hr(out, m) if r["role"] != "UNQ" and r["employment_type"] != "agency"]
    leavers = sum(float(r["fte"]) for r in year if r["leave_date"])
    sick = sum(float(r["sickness_days"]) for r in year)
    assert 80 <= emp <= 150
    assert 0.05 <= agency / (agency + emp) <= 0.30
    assert 0.08 <= leavers / emp <= 0.25
    assert 5 <= sick / emp <= 14
    holders = [r for r in in_post if int(r["cases_held"]) > 0]
    caseload = sum(int(r["cases_held"]) for r in holders) / sum(float(r["fte"]) for r in holders)
    assert 14 <= caseload <= 21
    # a team or two carry more than 22 cases per FTE at some point
    high = set()
    for m in MONTHS:
        by_team = defaultdict(lambda: [0, 0.0])
        for r in hr(out, m):
            if int(r["cases_held"]) > 0:
                by_team[r["team_name"]][0] += int(r["cases_held"])
                by_team[r["team_name"]][1] += float(r["fte"])
        high |= {t for t, (c, f) in by_team.items() if c / f > 22}
    assert 1 <= len(high) <= 4, high
    # one locality assessment team leans on agency staff more than the rest
    share = {}
    for t in {r["team_name"] for r in last}:
        rs = [r for m in MONTHS for r in hr(out, m) if r["team_name"] == t and r["role"] != "UNQ"]
        share[t] = sum(float(r["fte"]) for r in rs if r["employment_type"] == "agency") / sum(
            float(r["fte"]) for r in rs
        )
    top = max(share, key=share.get)
    assert top.startswith("Locality") and share[top] >= 0.2, share


# ---------------------------------------------------------------------------------------------------------
# CSWW census


def test_csww_layout(gen):
    out, _ = gen
    for y in CENSUS_YEARS:
        root = census(out, y)
        ref = date(y, 9, 30)
        assert root.tag == "Message"
        assert root.findtext("Header/CollectionDetails/Collection") == "CSWW"
        assert root.findtext("Header/CollectionDetails/Year") == str(y)
        assert root.findtext("Header/CollectionDetails/ReferenceDate") == ref.isoformat()
        assert root.findtext("Header/Source/SourceLevel") == "L" and root.findtext("Header/Source/LEA") == LA
        assert [c.tag for c in root] == ["Header", "LALevelVacancies"] + ["CSWWWorker"] * (len(root) - 2)
        vac = root.find("LALevelVacancies")
        assert [c.tag for c in vac] == ["NumberOfVacancies", "NoAgencyFTE", "NoAgencyHeadcount"]
        swe = set()
        for w in root.iter("CSWWWorker"):
            tags = [c.tag for c in w]
            assert tags == sorted(tags, key=CSWW_ORDER.index), tags
            assert re.fullmatch(r"[A-Z]{2}[0-9]{4,12}", w.findtext("SWENo"))
            swe.add(w.findtext("SWENo"))
            assert w.findtext("AgencyWorker") in ("0", "1") and w.findtext("OrgRole") in "123456"
            assert 0 <= float(w.findtext("FTE")) <= 1 and float(w.findtext("WorkingDaysLost")) >= 0
            assert date.fromisoformat(w.findtext("RoleStartDate")) <= ref
            end = w.findtext("RoleEndDate")
            if end:
                assert date(y - 1, 10, 1) <= date.fromisoformat(end) <= ref
                assert float(w.findtext("FTE")) == 0 and 0 < float(w.findtext("FTE30")) <= 1
                assert w.findtext("ReasonLeave") in {str(k) for k in range(1, 11)}
            else:
                assert float(w.findtext("FTE")) > 0
        assert len(swe) == len(root.findall("CSWWWorker"))
    # (no whitespace between elements inside a worker: compact)
    assert "<CSWWWorker>\n" not in (out / "csww" / LA / "2025" / "social_work_workforce_2025.xml").read_text()


def test_csww_is_the_hr_workforce_on_30_september(gen):
    """The census is cut from the same staff history as the HR months: on 30 September, employee FTE in post,
    agency FTE and headcount, vacancies and cases agree with the September HR extract; the 2025 leavers and
    days lost agree with the HR months October 2024 to September 2025."""
    out, _ = gen
    for y in CENSUS_YEARS:
        root = census(out, y)
        sept = [r for r in hr(out, date(y, 9, 1)) if r["role"] != "UNQ" and not r["leave_date"]]
        workers = root.findall("CSWWWorker")
        here = [w for w in workers if float(w.findtext("FTE")) > 0]
        emp_csww = sum(float(w.findtext("FTE")) for w in here if w.findtext("AgencyWorker") == "0")
        emp_hr = sum(float(r["fte"]) for r in sept if r["employment_type"] != "agency")
        assert emp_csww == pytest.approx(emp_hr, abs=1e-6) and emp_hr > 50
        ag_hr = [r for r in sept if r["employment_type"] == "agency"]
        assert float(root.findtext("LALevelVacancies/NoAgencyFTE")) == pytest.approx(
            sum(float(r["fte"]) for r in ag_hr)
        )
        assert int(root.findtext("LALevelVacancies/NoAgencyHeadcount")) == len(ag_hr)
        assert sum(1 for w in here if w.findtext("AgencyWorker") == "1") == len(ag_hr)
        vac = sum(float(v["vacancy_fte"]) for v in hr(out, date(y, 9, 1), "hr_vacancies"))
        assert float(root.findtext("LALevelVacancies/NumberOfVacancies")) == pytest.approx(vac, abs=0.005)
        assert sum(int(w.findtext("Cases30")) for w in here) == sum(int(r["cases_held"]) for r in sept)
        roles = defaultdict(int)
        for w in here:
            roles[w.findtext("OrgRole")] += 1
        hr_roles = defaultdict(int)
        for r in sept:
            hr_roles[str({"SM": 1, "MM": 2, "FLM": 3, "SP": 4, "SW": 5, "QNC": 6}[r["role"]])] += 1
        assert roles == hr_roles
    # leavers in the 2025 census year: employees (not agency) with a leave date from 1 October 2024
    root = census(out, 2025)
    year_months = [m for m in MONTHS if date(2024, 10, 1) <= m <= date(2025, 9, 1)]
    assert len(year_months) == 12
    rows = [r for m in year_months for r in hr(out, m) if r["role"] != "UNQ"]
    left = [r for r in rows if r["leave_date"] and r["employment_type"] != "agency"]
    csww_left = [w for w in root.iter("CSWWWorker") if w.findtext("RoleEndDate")]
    assert len(csww_left) == len(left) > 5
    assert sum(float(w.findtext("FTE30")) for w in csww_left) == pytest.approx(sum(float(r["fte"]) for r in left))
    assert sorted(w.findtext("RoleEndDate") for w in csww_left) == sorted(d(r["leave_date"]).isoformat() for r in left)
    # days lost: the census counts the year's HR sickness of everyone it lists
    listed = {r["worker_id"] for r in hr(out, date(2025, 9, 1)) if r["role"] != "UNQ" and not r["leave_date"]}
    listed |= {r["worker_id"] for r in left}
    hr_days = sum(float(r["sickness_days"]) for r in rows if r["worker_id"] in listed)
    csww_days = sum(float(w.findtext("WorkingDaysLost")) for w in root.iter("CSWWWorker"))
    assert csww_days == pytest.approx(hr_days, abs=0.01 * len(listed))


# ---------------------------------------------------------------------------------------------------------
# complaints register


def test_register_consistent_at_its_as_at_date(gen):
    out, _ = gen
    rows = register(out)
    assert len({r["reference"] for r in rows}) == len(rows)
    date_cols = [c for c in COMPLAINTS if c.endswith("_date")]
    for r in rows:
        ref = r["reference"]
        for c in date_cols:
            assert r[c] == "" or DATE_RE.match(r[c]), (ref, c)
            # nothing after the as-at date, but an action may fall due after it
            if c != "learning_action_due_date" and r[c]:
                assert d(r[c]) <= END, (ref, c)
        assert REGISTER_FROM <= d(r["received_date"]) <= END
        assert r["record_type"] in ("complaint", "compliment")
        assert r["complainant"] in ("child", "parent", "carer", "other")
        if r["record_type"] == "compliment":
            assert all(r[c] == "" for c in COMPLAINTS if c.startswith("stage")), ref
            assert r["nature"] == "" and r["learning_action"] == ""
            continue
        assert r["nature"] in NATURES
        started = [n for n in (1, 2, 3) if r[f"stage{n}_start_date"]]
        # the stage is the highest with a start date, and a stage needs the one before it
        assert started == list(range(1, len(started) + 1)) and r["stage"] == str(len(started)), ref
        assert r["stage1_start_date"] == r["received_date"]
        for n in (1, 2, 3):
            start, resp, outcome = (r[f"stage{n}_{c}"] for c in ("start_date", "response_date", "outcome"))
            if resp:
                assert d(resp) >= d(start) and outcome in OUTCOMES, ref
            else:
                assert outcome == "", ref  # still open at the as-at date: no response, no outcome
            if n > 1 and start:
                assert r[f"stage{n - 1}_response_date"] and d(start) > d(r[f"stage{n - 1}_response_date"])
            if n < 3:
                assert r[f"stage{n}_extended"] in (("Y", "N") if start else ("",)), ref
        assert r["ombudsman_referred"] in ("Y", "N")
        status = r["learning_action_status"]
        assert status in ("", "open", "completed", "not_required")
        if status == "completed":
            assert r["learning_action_completed_date"] and r["learning_action"]
        if status == "open":
            assert r["learning_action"] and r["learning_action_due_date"] and not r["learning_action_completed_date"]
        if status:  # learning actions follow an upheld or partly upheld response
            outcomes = {r["stage1_outcome"], r["stage2_outcome"], r["stage3_outcome"]}
            assert outcomes & {"upheld", "partly_upheld"}, ref
        words = set(re.findall(r"[A-Za-z]+", r["learning_action"]))
        assert not words & (set(FIRST_NAMES) | set(LAST_NAMES)), ref  # made-up text, never a name


def test_register_volumes_and_timeliness(gen):
    """For 845 (about 690 children looked after): some 120-200 stage 1 complaints a year, about 10% escalated,
    most answered within 10 working days, 30-40% upheld or partly upheld, a few compliments, learning actions
    completed, open and overdue."""
    out, _ = gen
    wd = WorkingDays(2022, 2027)
    rows = register(out)
    for fy in (2023, 2024, 2025):
        first, last = date(fy, 4, 1), date(fy + 1, 3, 31)
        year = [r for r in rows if first <= d(r["received_date"]) <= last]
        comp = [r for r in year if r["record_type"] == "complaint"]
        assert 120 <= len(comp) <= 200, fy
        assert 3 <= sum(r["record_type"] == "compliment" for r in year) <= 40
        escalated = sum(1 for r in comp if r["stage2_start_date"])
        assert 0.04 <= escalated / len(comp) <= 0.18, fy
        answered = [r for r in comp if r["stage1_response_date"]]
        days = [wd.between(C.day(d(r["stage1_start_date"])), C.day(d(r["stage1_response_date"]))) for r in answered]
        assert 0.6 <= sum(n <= 10 for n in days) / len(days) <= 0.9, fy
        assert any(n > 20 for n in days)  # some late
        assert any(r["stage1_extended"] == "Y" for r in answered)
        judged = [r for r in answered if r["stage1_outcome"] != "withdrawn"]
        upheld = sum(r["stage1_outcome"] in ("upheld", "partly_upheld") for r in judged)
        assert 0.28 <= upheld / len(judged) <= 0.45, fy
    assert any(r["stage3_start_date"] for r in rows) and any(r["ombudsman_referred"] == "Y" for r in rows)
    assert any(r["stage1_start_date"] and not r["stage1_response_date"] for r in rows)  # open at the as-at date
    status = defaultdict(int)
    for r in rows:
        status[r["learning_action_status"]] += 1
        if r["learning_action_status"] == "open" and d(r["learning_action_due_date"]) < END:
            status["overdue"] += 1
        if r["learning_action_status"] == "open" and d(r["learning_action_due_date"]) >= END:
            status["not_yet_due"] += 1
    assert status["completed"] > status["open"] > 0 and status["overdue"] > 0 and status["not_yet_due"] > 0
    assert status["not_required"] > 0


# ---------------------------------------------------------------------------------------------------------
# a window ending mid-month: nothing after its end


def test_mid_month_cut():
    teams = build_teams(LA, random.Random(1))
    wd = WorkingDays(2005, 2040)
    wf = Workforce(teams, random.Random(2), wd, C.day(date(2008, 4, 1)), C.day(date(2036, 3, 31)))
    cut = date(2026, 10, 15)
    rows, vac = wf.month_rows(date(2026, 10, 31), cut)
    assert rows and {r[0] for r in rows} == {"15/10/2026"} and {v[0] for v in vac} == {"15/10/2026"}
    for r in rows:
        assert d(r[6]) <= cut and (r[7] == "" or d(r[7]) <= cut)
    reg = Complaints(teams, 690.0, random.Random(3), wd, C.day(date(2008, 4, 1)), C.day(date(2036, 3, 31)))
    for r in reg.rows(cut):
        assert all(d(x) <= cut for i, x in enumerate(r) if x and COMPLAINTS[i].endswith("_date")
                   and COMPLAINTS[i] != "learning_action_due_date")  # fmt: skip
        assert d(r[2]) >= date(2024, 4, 1)
