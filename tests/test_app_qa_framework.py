"""AppTest for the QA framework page, against the hand-made warehouse in qa_fixtures.

The page is reached as a user reaches it: through `app/streamlit_app.py` and `st.navigation`. The register, the
reports due in a month and a quarter, and the late and overdue reports are read back and compared with
`qa_register` and `qa_schedule` read straight from the warehouse file; downloads are checked against the tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from qa_fixtures import (
    AS_AT,
    CHILD_PREFIX,
    HOSTILE_PURPOSE,
    HOSTILE_REFERENCE,
    LA,
    ROLES,
    WORKER_PREFIX,
    schedule,
    write_warehouse,
)
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app import monthly, navigation, qa

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PAGE = "views/qa_framework.py"
MONTH_KEY, ROLE_KEY, AUDIENCE_KEY, SEARCH_KEY = "qa_month", "qa_role", "qa_audience", "qa_search"
ALL_TASKS = ["2.2", "3.12", "3.13", "3.16", "4.1", "4.7", "4.8"]
CSCMT = ROLES["cscmt"]
DUE_COLUMNS = qa.SCHEDULE_COLUMNS


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return write_warehouse(tmp_path_factory.mktemp("served") / "warehouse.duckdb")


@pytest.fixture
def app(warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(warehouse))
    return AppTest.from_file(str(APP), default_timeout=60)


def fresh_app(path: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    return AppTest.from_file(str(APP), default_timeout=60)


def open_page(at: AppTest, **params: str) -> AppTest:
    """Open the page with these query parameters, as a link to /qa-framework?... would."""
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "QA framework"
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tables(at: AppTest, first_column: str) -> list[pd.DataFrame]:
    return [t.value.reset_index(drop=True) for t in at.table if list(t.value.columns)[0] == first_column]


def table(at: AppTest, first_column: str, contains: str | None = None) -> pd.DataFrame:
    for t in at.table:
        df = t.value
        if list(df.columns)[0] == first_column and (contains is None or contains in df.columns):
            return df.reset_index(drop=True)
    raise AssertionError(f"no table starting {first_column!r}: {[list(t.value.columns)[:3] for t in at.table]}")


def register_table(at: AppTest) -> pd.DataFrame:
    return table(at, "Task", "Reported to")


def due_tables(at: AppTest) -> tuple[pd.DataFrame, pd.DataFrame]:
    month, quarter = tables(at, "Due by")[:2]
    return month, quarter


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [h.value for h in at.header] + [s.value for s in at.subheader]
    return "\n".join(parts)


class RecordingStorage(MemoryMediaFileStorage):
    instances: list[RecordingStorage] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingStorage.instances.append(self)


def downloads(at: AppTest) -> dict[str, list[list[str]]]:
    storage = RecordingStorage.instances[-1]
    out = {}
    for b in at.download_button:
        stored = storage.get_file(b.proto.url.rsplit("/", 1)[-1])
        out[stored.filename] = list(csv.reader(io.StringIO(stored.content.decode("utf-8-sig"))))
    return out


@pytest.fixture
def recording(monkeypatch):
    import streamlit.testing.v1.app_test as app_test_module

    RecordingStorage.instances.clear()
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)


def due_in(warehouse: Path, first: dt.date, last: dt.date) -> list[dict]:
    """The schedule's rows due in a span, read straight from the file."""
    return [r for r in schedule(warehouse) if first <= r["due_date"] <= last]


# --- navigation ----------------------------------------------------------------------------------------------


def test_pages_are_listed_with_their_audiences():
    specs = {s.url_path: s for s in navigation.PAGES}
    assert specs["qa-framework"].path == "views/qa_framework.py"
    assert set(specs["qa-framework"].audiences) == {
        "cscmt",
        "smt",
        "chief_executive",
        "lead_member",
        "heads_of_service",
        "operations_managers",
        "practice_managers",
        "complaints_manager",
        "workforce_lead",
        "scrutiny",
        "corporate_parenting_panel",
        "team_managers",
    }
    assert specs["audits"].path == "views/audits.py"
    assert set(specs["audits"].audiences) == {
        "cscmt",
        "smt",
        "heads_of_service",
        "operations_managers",
        "practice_managers",
        "lead_member",
    }
    for spec in navigation.PAGES:
        assert (navigation.APP_DIR / spec.path).is_file()
        assert spec.path.startswith("views/")
    assert navigation.PAGES[0].url_path == "corporate-parenting"  # the default page is unchanged


# --- the register --------------------------------------------------------------------------------------------


def test_register_lists_every_task_in_order(app):
    at = open_page(app)
    t = register_table(at)
    assert t["Task"].tolist() == ALL_TASKS
    assert list(t.columns) == [monthly.md_escape(c) for c in qa.REGISTER_COLUMNS]
    row = t.set_index("Task").loc["2.2"]
    # most frequent audience first
    assert row["Reported to"] == f"{CSCMT} (monthly); Corporate Parenting Panel (CPP) (quarterly)"
    assert row["Part"] == "Part 2: The System"
    assert row["Who does it"] == "Managers at all levels up to CSCMT"
    assert row["Measures serving it"] == monthly.md_escape("cla_at_period_end")  # not in this catalogue: its id
    measures = t.set_index("Task").loc["3.12", "Measures serving it"]
    assert measures == (
        "Case-file audits completed against requirement; Case-file audits graded good or outstanding; "
        "Significant concerns followed up within three months"
    )  # linked by name
    assert "**7 of 7 tasks**." in all_text(at)


def test_register_text_is_escaped_on_screen_and_kept_in_the_download(app, recording):
    at = open_page(app)
    purpose = register_table(at).set_index("Task").loc["3.13", "Purpose"]
    assert purpose == monthly.md_escape(HOSTILE_PURPOSE)  # no bold, link or HTML on screen
    rows = downloads(at)["qa_register_any_role_any_audience.csv"]
    (line,) = [r for r in rows[1:] if r[0] == "3.13"]
    assert line[rows[0].index("Purpose")] == HOSTILE_PURPOSE


@pytest.mark.parametrize(
    ("role", "audience", "expected"),
    [
        ("practice_managers", None, ["3.16"]),
        ("heads_of_service", None, ["2.2", "3.12", "3.13"]),
        (None, "cscmt", ["2.2", "3.12", "3.13", "4.1", "4.7", "4.8"]),
        (None, "lead_member", ["3.12", "4.1", "4.7", "4.8"]),
        ("heads_of_service", "lead_member", ["3.12"]),
        ("complaints_manager", "cscmt", ["4.7"]),
        ("practice_managers", "lead_member", []),
    ],
)
def test_filters_by_role_and_audience_with_the_widgets(app, role, audience, expected):
    at = open_page(app)
    if role:
        at.selectbox(key=ROLE_KEY).select(role)
    if audience:
        at.selectbox(key=AUDIENCE_KEY).select(audience)
    rerun(at)
    if expected:
        assert register_table(at)["Task"].tolist() == expected
    else:
        assert not [t for t in at.table if "Reported to" in t.value.columns]
        assert "_No task matches these choices._" in [m.value for m in at.markdown]
    assert f"**{len(expected)} of 7 tasks**" in all_text(at)
    assert at.query_params.get("role") == role
    assert at.query_params.get("audience") == audience


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"role": "practice_managers"}, ["3.16"]),
        ({"role": "Practice Managers, Children's Social Care"}, ["3.16"]),  # by name, any case
        ({"role": "HEADS_OF_SERVICE", "audience": "lead member"}, ["3.12"]),
        ({"audience": "corporate_parenting_panel"}, ["2.2"]),
    ],
)
def test_filters_from_the_url(app, params, expected):
    at = open_page(app, **params)
    assert register_table(at)["Task"].tolist() == expected
    assert not any("not recognised" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("complaints", ["4.7"]),
        ("AUDIT tool", ["3.13"]),  # every word, any case
        ("Lead Member", ["3.12", "4.1", "4.7", "4.8"]),  # audience names are searched
        ("good or outstanding", ["3.12"]),  # so are the measures' names
        ("no such words anywhere", []),
    ],
)
def test_text_search(app, words, expected):
    at = open_page(app)
    at.text_input(key=SEARCH_KEY).input(words)
    rerun(at)
    if expected:
        assert register_table(at)["Task"].tolist() == expected
    else:
        assert not [t for t in at.table if "Reported to" in t.value.columns]
        assert "_No task matches these choices._" in [m.value for m in at.markdown]


def test_definitions_of_the_measures_serving_the_tasks_are_one_click_away(app):
    at = open_page(app)
    text = "\n".join(m.value for p in at.get("popover") for m in p.markdown)
    assert "Audits completed as a percentage of those required." in text
    assert "Of the audits graded in the period, those good or better." in text
    at.selectbox(key=ROLE_KEY).select("practice_managers")  # 3.16: completion and follow-up only
    rerun(at)
    text = "\n".join(m.value for p in at.get("popover") for m in p.markdown)
    assert "Audits completed as a percentage of those required." in text
    assert "Of the audits graded in the period, those good or better." not in text


def test_role_names_without_the_roles_table(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", roles=False)
    at = open_page(fresh_app(path, monkeypatch))
    options = at.selectbox(key=ROLE_KEY).options
    # a doer that is also an audience is named from the register; one that is not, from its id
    assert "Practice Managers, Children's Social Care" in options
    assert "Planning performance manager" in options


# --- what is due -----------------------------------------------------------------------------------------------


def test_default_month_is_the_log_as_at_month(app):
    at = open_page(app)
    month = at.selectbox(key=MONTH_KEY)
    assert month.value == "Dec 2024"
    assert month.options[0] == "Apr 2025" and month.options[-1] == "May 2024"  # first to last due date
    assert at.query_params["month"] == "2024-12"
    assert at.query_params["la"] == LA


def test_due_this_month_lists_exactly_the_schedule_rows_with_their_status(app, warehouse):
    at = open_page(app)
    month, _ = due_tables(at)
    assert list(month.columns) == DUE_COLUMNS
    assert month[["Task", "Period covered", "Status"]].values.tolist() == [
        ["2.2", "Nov 2024", "Overdue"],
        ["4.1", "Nov 2024", "Delivered"],
        ["4.8", "Nov 2024", "Late"],  # a monthly report delivered a day after its due date
    ]
    assert month["Due by"].unique().tolist() == ["30 December 2024"]
    assert month["To"].unique().tolist() == [CSCMT]
    late = month.set_index("Task").loc["4.8"]
    assert late["Delivered"] == "31 December 2024"
    assert late["Reference"] == monthly.md_escape(HOSTILE_REFERENCE)
    # the same rows as qa_schedule, read straight from the file
    expected = due_in(warehouse, dt.date(2024, 12, 1), dt.date(2024, 12, 31))
    assert sorted((r["task_number"], r["status"]) for r in expected) == [
        ("2.2", "overdue"),
        ("4.1", "delivered"),
        ("4.8", "late"),
    ]
    assert metrics(at) == {
        "Delivered (Dec 2024)": "1",
        "Late (Dec 2024)": "1",
        "Overdue (Dec 2024)": "1",
        "Due (Dec 2024)": "0",
    }


def test_due_this_quarter_and_the_count_by_status(app, warehouse):
    at = open_page(app)
    _, quarter = due_tables(at)
    expected = due_in(warehouse, dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert len(quarter) == len(expected) == 12
    assert sorted(zip(quarter["Task"], quarter["To"], quarter["Period covered"], quarter["Status"], strict=True)) == (
        sorted(
            (r["task_number"], ROLES[r["audience_id"]], r["period_label"], qa.STATUS_LABELS[r["status"]])
            for r in expected
        )
    )
    counts = table(at, "Status").set_index("Status")
    assert counts["Dec 2024"].to_dict() == {
        "Delivered": "1",
        "Late": "1",
        "Overdue": "1",
        "Due": "0",
        "All reports due": "3",
    }
    assert counts["2024-25 Q3"].to_dict() == {
        "Delivered": "7",
        "Late": "2",
        "Overdue": "3",
        "Due": "0",
        "All reports due": "12",
    }


@pytest.mark.parametrize("given", ["2025-01", "Jan 2025", "jan+2025", "2025-1", "January 2025"])
def test_month_from_the_url(app, given):
    at = open_page(app, month=given)
    assert at.selectbox(key=MONTH_KEY).value == "Jan 2025"
    assert at.query_params["month"] == "2025-01"
    month, quarter = due_tables(at)
    assert month["Status"].tolist() == ["Due"] * 5  # December's monthly reports and Q3's quarterly ones
    assert sorted(month["Task"]) == ["2.2", "3.12", "4.1", "4.7", "4.8"]
    assert metrics(at)["Due (Jan 2025)"] == "5"
    assert "2025-26" not in all_text(at)
    assert "Due in 2024-25 Q4" in all_text(at)
    assert len(quarter) == 5
    assert not any("not recognised" in i.value for i in at.info)


def test_month_chosen_with_the_widget(app):
    at = open_page(app)
    at.selectbox(key=MONTH_KEY).select("Nov 2024")
    rerun(at)
    assert at.query_params["month"] == "2024-11"
    month, _ = due_tables(at)
    assert month[["Task", "Period covered", "Status"]].values.tolist() == [
        ["2.2", "Oct 2024", "Delivered"],
        ["4.1", "Oct 2024", "Overdue"],
        ["4.8", "Oct 2024", "Delivered"],
    ]


# --- late and overdue ------------------------------------------------------------------------------------------


def test_late_and_overdue_by_task_and_audience(app):
    at = open_page(app)
    assert "Late and overdue, Jan 2024 to Dec 2024" in all_text(at)
    t = table(at, "Task", "Overdue")
    assert t[["Task", "To", "Reports due", "Delivered on time", "Late", "Overdue"]].values.tolist() == [
        ["2.2", CSCMT, "8", "6", "0", "2"],
        ["4.1", CSCMT, "8", "7", "0", "1"],
        ["4.7", CSCMT, "2", "1", "0", "1"],
        ["4.8", CSCMT, "8", "6", "2", "0"],
        ["3.12", CSCMT, "2", "1", "1", "0"],
    ]
    assert t.set_index("Task").loc["4.8", "Latest late or overdue"] == "Nov 2024 (late)"
    each = table(at, "Due by", "Days late (overdue ones: on 31 December 2024)")
    assert len(each) == 7
    rows = each.set_index(["Task", "Period covered"])
    assert rows.loc[("2.2", "Jun 2024"), "Days late (overdue ones: on 31 December 2024)"] == "154"  # 30 July to AS_AT
    assert rows.loc[("4.8", "Jul 2024"), "Days late (overdue ones: on 31 December 2024)"] == "6"  # 30 Aug to 5 Sep
    assert (AS_AT - dt.date(2024, 7, 30)).days == 154


def test_late_and_overdue_follow_the_month(app):
    at = open_page(app, month="2024-08")
    assert "Late and overdue, Sep 2023 to Aug 2024" in all_text(at)
    t = table(at, "Task", "Overdue")
    assert t[["Task", "Late", "Overdue"]].values.tolist() == [["2.2", "0", "1"], ["4.8", "1", "0"]]


# --- downloads, privacy, about --------------------------------------------------------------------------------


def test_downloads_equal_the_tables_and_are_safe(app, recording):
    at = open_page(app)
    files = downloads(at)
    shown = [t.value for t in at.table]
    assert len(files) == len(shown) == 6  # register, month, quarter, by status, late by task, each late report
    assert set(files) == {
        "qa_register_any_role_any_audience.csv",
        "qa_due_845_2024-12.csv",
        "qa_due_845_2024-25_Q3.csv",
        "qa_due_by_status_845_2024-12.csv",
        "qa_late_and_overdue_845_2024-12.csv",
        "qa_late_and_overdue_reports_845_2024-12.csv",
    }
    for rows, shown_table in zip(files.values(), shown, strict=True):
        assert [monthly.md_escape(c) for c in rows[0]] == list(shown_table.columns)
        unquoted = [[c[1:] if c.startswith("'") else c for c in r] for r in rows[1:]]
        escaped = [[monthly.md_escape(c) if h in qa.ESCAPED_COLUMNS else c for h, c in zip(rows[0], r, strict=True)]
                   for r in unquoted]  # fmt: skip
        assert escaped == shown_table.astype(str).values.tolist()
        for cells in rows:
            for c in cells:
                assert not c.startswith(("=", "+", "-", "@")), c
    due = files["qa_due_845_2024-12.csv"]
    assert ["'" + HOSTILE_REFERENCE] == [r[-1] for r in due if "HYPERLINK" in r[-1]]


def test_nothing_about_any_child_or_worker(app, recording):
    at = open_page(app)
    text = all_text(at) + "".join(t.value.to_csv() for t in at.table)
    text += "".join(",".join(c for r in rows for c in r) for rows in downloads(at).values())
    assert WORKER_PREFIX not in text and CHILD_PREFIX not in text


def test_about_this_data(app):
    text = all_text(open_page(app))
    assert "the framework's 7 tasks" in text
    assert "the activity log loaded for East Sussex is as at 31 December 2024 (loaded 7 January 2025 at 07:45)" in text
    assert "warehouse built 7 January 2025 at 08:00" in text
    assert "Nothing on this page is about children, so no figure is suppressed." in text
    assert "A report is due 30 days after the end of the period it covers." in text


# --- hostile or unknown values in the web address ------------------------------------------------------------

HOSTILE = ["' OR 1=1 --", "../../etc/passwd", "<script>alert(1)</script>", "2031-01", "2024-13", "9" * 5000]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_or_unknown_month_falls_back_politely(app, hostile):
    at = open_page(app, month=hostile)
    assert at.selectbox(key=MONTH_KEY).value == "Dec 2024"
    notes = [i.value for i in at.info]
    assert any("month in the web address was not recognised" in n for n in notes), notes
    assert not any(hostile.strip() in n for n in notes)
    assert at.query_params["month"] == "2024-12"
    assert len(due_tables(at)[0]) == 3


@pytest.mark.parametrize(
    "hostile", ["' OR 1=1 --", "../../etc/passwd", "<b>cscmt</b>", "cscmt; drop table x", "x" * 500]
)
@pytest.mark.parametrize("param", ["role", "audience"])
def test_hostile_or_unknown_role_or_audience_falls_back_politely(app, warehouse, param, hostile):
    at = open_page(app, **{param: hostile})
    notes = [i.value for i in at.info]
    assert any(f"{param} in the web address was not recognised" in n for n in notes), notes
    assert register_table(at)["Task"].tolist() == ALL_TASKS
    assert param not in at.query_params
    assert len(schedule(warehouse)) == 36  # nothing harmed


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", "845' OR '1'='1", "../../etc/passwd", "999"])
def test_hostile_or_unknown_authority_falls_back_politely(app, hostile):
    at = open_page(app, la=hostile, month="2024-11")
    notes = [i.value for i in at.info]
    assert any("authority in the web address was not recognised" in n for n in notes), notes
    assert at.query_params["la"] == LA
    assert at.selectbox(key=MONTH_KEY).value == "Nov 2024"


# --- empty states ------------------------------------------------------------------------------------------------


def test_no_activity_log_loaded(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", schedule=False)
    at = open_page(fresh_app(path, monkeypatch))
    assert any("No QA activity log has been loaded yet" in i.value for i in at.info)
    assert register_table(at)["Task"].tolist() == ALL_TASKS  # the register does not need it
    assert not at.metric
    assert "no activity log has been loaded yet" in all_text(at)


def test_an_older_build_without_the_framework(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "warehouse.duckdb", qa_marts=False)
    at = open_page(fresh_app(path, monkeypatch))
    assert any("The QA framework is not in this build" in i.value for i in at.info)
    assert not at.table and not at.metric


def test_a_build_from_before_the_framework(tmp_path, monkeypatch):
    from workforce_fixtures import write_warehouse as write_workforce_warehouse

    path = write_workforce_warehouse(tmp_path / "warehouse.duckdb")
    at = open_page(fresh_app(path, monkeypatch))
    assert any("The QA framework is not in this build" in i.value for i in at.info)


def test_missing_warehouse_gives_a_polite_message(tmp_path, monkeypatch):
    at = open_page(fresh_app(tmp_path / "not-built-yet.duckdb", monkeypatch))
    assert any("There is no data to show yet" in i.value for i in at.info)


# --- pure helpers ----------------------------------------------------------------------------------------------


def test_task_order_and_summaries():
    assert sorted(["4.10", "4.2", "1.1", "x"], key=qa.task_key) == ["1.1", "4.2", "4.10", "x"]
    assert qa.summary("Short task.") == "Short task."
    long = "Deep-dive audit using the CareFirst audit record. Document a summary of each team's findings " * 3
    assert qa.summary(long) == "Deep-dive audit using the CareFirst audit record."
    assert qa.summary("word " * 60).endswith("…") and len(qa.summary("word " * 60)) <= qa.SUMMARY_LIMIT + 1
    assert qa.split_ids(" a; b ,a;;c ") == ["a", "b", "c"]
    assert qa.humanise("heads_of_service") == "Heads of service"


def test_months_and_quarters():
    months = qa.months_between(dt.date(2024, 11, 15), dt.date(2025, 2, 1))
    assert [m.label for m in months] == ["Feb 2025", "Jan 2025", "Dec 2024", "Nov 2024"]
    assert qa.match_month("2024-12", months) == "Dec 2024"
    for hostile in HOSTILE:
        assert qa.match_month(hostile, months) is None
    assert qa.quarter_of(dt.date(2025, 2, 10)) == ("2024-25 Q4", dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert qa.quarter_of(dt.date(2024, 4, 1))[0] == "2024-25 Q1"
    assert qa.month_param(months[0]) == "2025-02"
