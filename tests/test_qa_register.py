"""The QA register seeds are a complete, exact transcription of the council's QA framework.

The document (data/seed/qa_framework_2012-13.txt) is parsed here independently of the seeds: its task table rows
start with the task number and a tab, after the first "Role<TAB>" header line (the committee cover report above
it numbers its own paragraphs 1.1, 2.1-2.10, 3.1: those are not tasks).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "data" / "seed" / "qa_framework_2012-13.txt"
SEEDS = REPO / "dbt_project" / "seeds"

EXPECTED_TASKS = (
    [f"1.{i}" for i in range(1, 14)]
    + [f"2.{i}" for i in range(1, 6)]
    + [f"3.{i}" for i in range(1, 17)]
    + [f"4.{i}" for i in range(1, 19)]
    + [f"5.{i}" for i in range(1, 3)]
)
FREQUENCIES = {
    "weekly",
    "monthly",
    "bi_monthly",
    "quarterly",
    "three_times_yearly",
    "twice_yearly",
    "annually",
    "as_required",
    "per_meeting",
}


def ws(text: str) -> str:
    return " ".join(text.split())


def document_rows() -> dict[str, list[str]]:
    """Task number -> the row's tab-separated cells (whitespace normalised), from the document's task tables."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Role\t"))
    rows: dict[str, list[str]] = {}
    for line in lines[header:]:
        m = re.match(r"^(\d\.\d{1,2})\s", line)
        if m:
            assert m.group(1) not in rows, f"task {m.group(1)} appears twice in the document"
            rows[m.group(1)] = [ws(cell) for cell in line.split("\t")]
    return rows


def read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def split_ids(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


@pytest.fixture(scope="module")
def doc():
    return document_rows()


@pytest.fixture(scope="module")
def tasks():
    return read_seed("qa_tasks.csv")


@pytest.fixture(scope="module")
def audiences():
    return read_seed("qa_task_audiences.csv")


@pytest.fixture(scope="module")
def role_ids():
    rows = read_seed("qa_roles.csv")
    ids = [r["role_id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate role_id in qa_roles.csv"
    assert {r["kind"] for r in rows} <= {"person", "group", "board"}
    return set(ids)


@pytest.fixture(scope="module")
def catalogue():
    return read_seed("indicator_catalogue.csv")


def test_document_has_exactly_the_54_tasks(doc):
    assert len(EXPECTED_TASKS) == 54
    assert list(doc) == EXPECTED_TASKS


def test_seed_has_exactly_the_54_tasks_in_order(tasks):
    assert [t["task_number"] for t in tasks] == EXPECTED_TASKS
    assert list(tasks[0]) == [
        "task_number",
        "part",
        "part_name",
        "section",
        "role_text",
        "role_ids",
        "task",
        "frequency_text",
        "purpose",
    ]


def test_role_and_frequency_text_as_written(doc, tasks):
    for t in tasks:
        cells = doc[t["task_number"]]
        assert t["role_text"] == ws(cells[0][len(t["task_number"]) :]), t["task_number"]
        assert t["frequency_text"] == cells[2], t["task_number"]
        assert t["part"] == t["task_number"].split(".")[0], t["task_number"]


def test_task_and_purpose_are_the_document_text_without_html(doc, tasks):
    def plain(text: str) -> str:
        return ws(re.sub(r"<[^>]+>", " ", text))

    for t in tasks:
        cells = doc[t["task_number"]]
        for column in ("task", "purpose", "role_text", "frequency_text"):
            assert "<" not in t[column] and ">" not in t[column], (t["task_number"], column)
        assert t["task"] == plain(cells[1]), t["task_number"]
        if t["task_number"] != "4.3":
            assert t["purpose"] == plain(cells[3]), t["task_number"]
    # 4.3's purpose runs on in the continuation row after it (empty first cells).
    t43 = next(t for t in tasks if t["task_number"] == "4.3")
    assert t43["purpose"].startswith(plain(doc["4.3"][3]))
    assert t43["purpose"].endswith("to respond to new requirements or standards in a timely manner")


def test_parts_and_sections(tasks):
    by = {t["task_number"]: t for t in tasks}
    assert {t["part"]: t["part_name"] for t in tasks} == {
        "1": "The Standards",  # its tasks sit under "Key Chief Executive and Elected Member Responsibilities"
        "2": "The System",
        "3": "Individual Work Review",
        "4": "Monitoring and Auditing of the System",
        "5": "Identifying and Implementing Changes Required for Improving the Quality of Services",
    }
    assert by["1.6"]["section"] == "Key Chief Executive and Elected Member Responsibilities"
    assert by["5.1"]["section"] == ""
    assert by["2.2"]["section"] == "A. Children\u2019s Social Care"
    assert by["3.1"]["section"] == "A.1 Supervision"
    assert by["3.9"]["section"] == "A.2 The Safeguarding Unit"
    assert by["3.11"]["section"] == "A.3 Fostering and Adoption Panels"
    assert [by[f"3.{i}"]["section"] for i in range(12, 17)] == ["A.4 Managers' File Audits"] * 5
    assert by["4.7"]["section"] == "C. Complaints"
    assert by["4.18"]["section"] == "G. Ofsted Inspections, Peer Reviews and Senior Management Responsibilities"


def test_every_task_has_an_audience_and_known_frequencies(tasks, audiences):
    assert {a["task_number"] for a in audiences} == set(EXPECTED_TASKS)
    assert {a["frequency"] for a in audiences} <= FREQUENCIES
    keys = [(a["task_number"], a["audience_id"], a["frequency"]) for a in audiences]
    assert len(keys) == len(set(keys))
    assert all(a["note"].strip() for a in audiences)


def test_every_role_id_is_a_known_role(tasks, audiences, role_ids, catalogue):
    used_by_tasks = {r for t in tasks for r in split_ids(t["role_ids"])}
    assert all(split_ids(t["role_ids"]) for t in tasks)
    assert used_by_tasks <= role_ids, used_by_tasks - role_ids
    used_as_audience = {a["audience_id"] for a in audiences}
    assert used_as_audience <= role_ids, used_as_audience - role_ids
    catalogue_audiences = {r for row in catalogue for r in split_ids(row["audiences"])}
    assert catalogue_audiences <= role_ids, catalogue_audiences - role_ids


def test_catalogue_tasks_are_in_the_register(catalogue):
    used = {t for row in catalogue for t in split_ids(row["qa_task_ids"])}
    assert used and used <= set(EXPECTED_TASKS), used - set(EXPECTED_TASKS)


def audience_set(audiences, task_number):
    return {(a["audience_id"], a["frequency"]) for a in audiences if a["task_number"] == task_number}


def test_spot_checks_by_eye(tasks, audiences):
    by = {t["task_number"]: t for t in tasks}
    # 4.7: "Quarterly up to CSCMT level and to Joint Divisional Meeting Annually to SMT, LM and the Scrutiny Committee"
    assert by["4.7"]["role_text"] == "Complaints Manager"
    assert by["4.7"]["role_ids"] == "complaints_manager"
    assert audience_set(audiences, "4.7") == {
        ("cscmt", "quarterly"),
        ("joint_divisional_meeting", "quarterly"),
        ("smt", "annually"),
        ("lead_member", "annually"),
        ("scrutiny", "annually"),
    }
    # 2.2: "Monthly for operational managers Quarterly to CPP Bi-annually for SMT At least annually to LM ..."
    assert by["2.2"]["role_text"] == "Managers at all levels up to CSCMT SMT CPP LM"
    assert audience_set(audiences, "2.2") == {
        ("team_managers", "monthly"),
        ("operations_managers", "monthly"),
        ("heads_of_service", "monthly"),
        ("cscmt", "monthly"),
        ("corporate_parenting_panel", "quarterly"),
        ("smt", "twice_yearly"),
        ("lead_member", "annually"),
    }
    # 3.16: "One case per month for each worker ... Alert Operations Manager at this point": no audience named for
    # the audits themselves, so the practice managers' own line.
    assert by["3.16"]["role_ids"] == "practice_managers"
    assert audience_set(audiences, "3.16") == {("practice_managers", "monthly"), ("operations_managers", "as_required")}
    # 1.6 Chief Executive: "Monthly monitoring Quarterly review".
    assert by["1.6"]["role_text"] == "Chief Executive"
    assert by["1.6"]["frequency_text"] == "Monthly monitoring Quarterly review"
    assert audience_set(audiences, "1.6") == {("chief_executive", "monthly"), ("chief_executive", "quarterly")}
    # 4.1 and 4.18 (bi-monthly as "6 times a year").
    assert audience_set(audiences, "4.1") == {
        ("team_managers", "monthly"),
        ("cscmt", "monthly"),
        ("joint_divisional_meeting", "twice_yearly"),
        ("smt", "twice_yearly"),
        ("lead_member", "twice_yearly"),
        ("lscb_chair", "twice_yearly"),
    }
    assert audience_set(audiences, "4.18") == {("ad_safeguarding", "bi_monthly"), ("dcs", "twice_yearly")}
    assert audience_set(audiences, "3.11") == {("cscmt", "annually"), ("agency_decision_maker", "three_times_yearly")}
