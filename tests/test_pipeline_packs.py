"""Audience packs end to end (issue 6): an indicator added to an audience by a seed edit alone reaches that
audience's page after `csqa build`, and commentary saved on the page survives the build.

The hand-made children-in-need fixture (tests/fixtures/cin_small, counted by hand in its README) is ingested
and built twice: first with the repository's dbt project, then with a copy whose indicator catalogue gives the
Chief Executive one more indicator, contacts (5 in 2024-25 Q3, from the README). Nothing in app/ changes
between the two builds.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app import commentary
from ingest.build import DBT_PROJECT, DBT_PROJECT_ENV, build
from ingest.load import ingest_paths
from ingest.paths import DataDir

FIXTURE = Path(__file__).parent / "fixtures" / "cin_small"
APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PAGE = "views/chief_executive.py"
Q3 = "2024-25 Q3"
AUDIENCE = "chief_executive"
ADDED = "cin_contacts"  # not given to the Chief Executive by the repository's catalogue or register
ADDED_Q3_VALUE = 5  # contacts in 2024-25 Q3 for the authority (fixture README)


def copy_project(dest: Path) -> Path:
    """The dbt project without its build artefacts."""
    shutil.copytree(DBT_PROJECT, dest, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"))
    return dest


def add_audience(project: Path, indicator_id: str, audience: str) -> None:
    """Edit only the `audiences` cell of one catalogue row, as a performance officer would."""
    path = project / "seeds" / "indicator_catalogue.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    matched = [row for row in rows if row["indicator_id"] == indicator_id]
    assert len(matched) == 1, indicator_id
    audiences = [a for a in matched[0]["audiences"].split(";") if a]
    assert audience not in audiences
    matched[0]["audiences"] = ";".join([*audiences, audience])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def catalogue_name(indicator_id: str) -> str:
    with (DBT_PROJECT / "seeds" / "indicator_catalogue.csv").open(newline="", encoding="utf-8") as fh:
        return next(row["name"] for row in csv.DictReader(fh) if row["indicator_id"] == indicator_id)


def open_page(monkeypatch, data: DataDir, state: Path) -> AppTest:
    """The Chief Executive page for 2024-25 Q3, reached through the app's navigation."""
    monkeypatch.setenv("CSQA_WAREHOUSE", str(data.warehouse))
    monkeypatch.setenv(commentary.ENV_VAR, str(state))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["quarter"] = Q3
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_rows(at: AppTest) -> dict[str, dict]:
    """Every table row on the page by its indicator name."""
    frames = [t.value.reset_index(drop=True) for t in at.table]
    rows = pd.concat(frames).to_dict("records") if frames else []
    return {row["Indicator"]: row for row in rows}


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


def assignments(warehouse: Path, indicator_id: str) -> list[tuple]:
    return query(warehouse, """
        select period_grain, assigned_by
        from audience_indicators
        where audience_id = ? and indicator_id = ?
        order by period_grain
    """, [AUDIENCE, indicator_id])


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> DataDir:
    data = DataDir(tmp_path_factory.mktemp("packs") / "data")
    outcomes = ingest_paths(data.landing, [FIXTURE])
    assert outcomes and {o.status for o in outcomes} == {"loaded"}
    build(data)
    return data


def test_register_and_catalogue_give_the_chief_executive_quarterly_headlines(data):
    # re-referrals carries task 1.6 (the Chief Executive's monthly monitoring and quarterly review) in the catalogue
    assert assignments(data.warehouse, "cin_rereferrals_12m_pct") == [("month", "register"), ("quarter", "register")]
    rows = query(data.warehouse, """
        select value, numerator, denominator
        from audience_packs
        where audience_id = ? and indicator_id = 'cin_rereferrals_12m_pct' and period_grain = 'quarter'
          and period_label = '2024-25 Q3' and org_level = 'la'
    """, [AUDIENCE])
    assert rows == [(pytest.approx(100 / 9), 1, 9)]  # 1 of 9 referrals (fixture README)
    assert assignments(data.warehouse, ADDED) == []


def test_a_seed_edit_alone_adds_an_indicator_to_the_audience(data, tmp_path, monkeypatch):
    state = tmp_path / "state"
    at = open_page(monkeypatch, data, state)
    before = shown_rows(at)
    referrals = catalogue_name("cin_referrals")
    assert before[referrals][Q3] == "9"  # referrals in 2024-25 Q3 (fixture README)
    assert catalogue_name(ADDED) not in before

    # a manager's comment on this quarter, saved before the rebuild
    at.selectbox(key="chief_executive_comment_indicator").select("cin_referrals")
    at.run()
    text_key = "chief_executive_comment_text_845_2024-10-01_cin_referrals"
    at.text_area(key=text_key).input("Referrals steady after the front door review.")
    at.button(key="chief_executive_comment_save").click()
    at.run()
    assert not at.exception
    assert "Referrals steady after the front door review." in [t.value for t in at.text]

    project = copy_project(tmp_path / "dbt_project")
    add_audience(project, ADDED, AUDIENCE)
    monkeypatch.setenv(DBT_PROJECT_ENV, str(project))
    build(data)
    # the catalogue names the audience without a periodic task: every grain the indicator has
    assert assignments(data.warehouse, ADDED) == [(grain, "catalogue") for grain in ("month", "quarter", "year")]
    rows = query(data.warehouse, """
        select p.value, v.value
        from audience_packs as p
        inner join indicator_values as v using (indicator_id, period_grain, period_start, la_code, org_level, org_id)
        where p.audience_id = ? and p.indicator_id = ? and p.period_grain = 'quarter'
          and p.period_label = '2024-25 Q3' and p.org_level = 'la'
    """, [AUDIENCE, ADDED])
    assert rows == [(ADDED_Q3_VALUE, ADDED_Q3_VALUE)]

    # the page shows it without any code change, and the comment is still there after the build
    at = open_page(monkeypatch, data, state)
    after = shown_rows(at)
    assert after[catalogue_name(ADDED)][Q3] == str(ADDED_Q3_VALUE)
    assert after[referrals][Q3] == "9"
    assert "Referrals steady after the front door review." in [t.value for t in at.text]
    assert any("comment by Test analyst (test-analyst)" in m.value for m in at.markdown)  # conftest's account
