"""QA framework: the council's quality-assurance framework as a register, what is due when, and what is late.

Three parts (docs/contracts.md, "The QA framework, activity log and case-file audits"):

* the register (`qa_register`): every task of the framework, who does it, what it is, how often, who receives it
  and why, with the measures in this dashboard that serve it; filtered by role (who does it), by audience (who
  receives it) and by words in its text;
* what is due (`qa_schedule`): for a chosen month, every scheduled report due in the month and in its quarter,
  to whom, and whether it was delivered on time, late, is overdue or not yet due;
* the reports delivered late or not at all in the 12 months to the chosen month, by task and audience.

Nothing here is about children, so no figure is suppressed. Task text, references and role names are free text
from the council: escaped for Markdown on screen, made safe for spreadsheets in downloads.

The authority, month, role and audience live in the web address (`?la=845&month=2024-12&role=practice_managers`),
so a link opens the same view; a value there that does not match the warehouse falls back politely with a note.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app import auth, choices, data, downloads, formatting, layout, monthly, qa
from app.indicators import Catalogue

KEY = "qa"
MAX_ROLE_PARAM_LENGTH = 100
REGISTER = "qa_register"
REGISTER_COLUMNS = ("task_number", "part", "role_ids", "task", "audience_id", "frequency")
SCHEDULE = "qa_schedule"
SCHEDULE_COLUMNS = ("la_code", "task_number", "audience_id", "frequency", "period_start", "due_date", "status")
DATASET = "qa_activity"  # meta.loads dataset of the activity log
ESCAPE = qa.ESCAPED_COLUMNS


def render() -> None:
    st.title("QA framework")
    st.caption(
        "The quality-assurance framework for children's social care: every task, who does it and who receives it, "
        "which reports are due when, and which were delivered late or not at all."
    )
    try:
        _render()
    except data.WarehouseUnavailable as exc:
        layout.warehouse_unavailable(exc)


# --- the page ----------------------------------------------------------------------------------------------


def _render() -> None:
    columns = data.table_columns(REGISTER)
    lacking = [c for c in REGISTER_COLUMNS if c not in columns]
    if lacking:
        st.info(
            "**The QA framework is not in this build.** The register of tasks, the schedule of reports and the "
            "activity log arrived with a later version of the warehouse. Run `csqa build` to rebuild it, then "
            "reload this page.",
            icon=":material/database:",
        )
        if columns:
            st.caption(f"The register table lacks {', '.join(lacking)}.")
        return

    register, catalogue = _register()
    schedule_columns = data.table_columns(SCHEDULE)
    schedule_lacking = [c for c in SCHEDULE_COLUMNS if c not in schedule_columns]
    authorities = data.qa_authorities() if not schedule_lacking else pl.DataFrame()

    la_code = la_name = None
    bad_la = False
    if not authorities.is_empty():
        left, _ = st.columns([2, 3])
        with left:
            la_code, la_name, bad_la = choices.choose_authority(KEY, authorities)
        choices.keep_in_url({"la": la_code})
    if bad_la:
        choices.not_recognised("authority", monthly.md_escape(la_name))

    span = data.qa_schedule_span(la_code) if la_code else {}
    loaded = _latest_load(la_code)
    _about(register, la_name, span, loaded)
    _register_section(register, catalogue)
    if schedule_lacking:
        st.header("What is due", divider="gray")
        layout.lacking_note(
            "The schedule of reports", "schedule table", schedule_lacking, schedule_columns, plural=False
        )
        return
    if la_code is None or not span.get("reports"):
        st.header("What is due", divider="gray")
        _no_log()
        return
    _due(register, la_code, span)


def _register() -> tuple[qa.Register, Catalogue]:
    frame = data.qa_register()
    indicator_ids = sorted({i for value in frame["indicator_ids"].to_list() for i in qa.split_ids(value)})
    catalogue = Catalogue(data.catalogue(indicator_ids) if indicator_ids else pl.DataFrame())
    names = {i: catalogue.get(i).name for i in catalogue.ids}  # type: ignore[union-attr]
    return qa.Register(frame, qa.role_names(data.qa_roles()), names), catalogue


def _latest_load(la_code: str | None) -> dict:
    if la_code is None:
        return {}
    try:
        return data.latest_load(la_code, [DATASET])
    except data.WarehouseUnavailable:
        return {}


def _no_log() -> None:
    st.info(
        "**No QA activity log has been loaded yet.** This part reads the log of reports and reviews delivered "
        "(`qa_activity/<la_code>/<yyyy-mm>/qa_activity.csv`, template in `data/templates/`). Load it with "
        "`csqa ingest`, run `csqa build`, then reload this page. The register above does not need it.",
        icon=":material/fact_check:",
    )


def _table(df: pl.DataFrame, *, key: str, file_name: str, empty: str = "") -> None:
    """A table exactly as its CSV download holds it. Free text from the council is escaped for the screen
    (`st.table` renders Markdown); the download holds it as it is, made safe for spreadsheets."""
    layout.escaped_table(
        df, key=f"{KEY}_{key}", file_name=file_name, escape=ESCAPE, empty=empty or "_Nothing to show._"
    )


def _about(register: qa.Register, la_name: str | None, span: dict, loaded: dict) -> None:
    info = layout.build_info_or_none() or {}
    as_at = span.get("as_at_date") or loaded.get("period_end")
    if la_name and as_at:
        log = f"the activity log loaded for {monthly.md_escape(la_name)} is as at {formatting.long_date(as_at)}" + (
            f" (loaded {formatting.date_time(loaded['loaded_at'])})" if loaded.get("loaded_at") else ""
        )
    else:
        log = "no activity log has been loaded yet"
    st.caption(
        f"**About this data:** the framework's {len(register)} tasks; {log}; warehouse built "
        f"{formatting.date_time(info.get('built_at'))}. Nothing on this page is about children, so no figure is "
        "suppressed."
    )


# --- the register ------------------------------------------------------------------------------------------


def _register_section(register: qa.Register, catalogue: Catalogue) -> None:
    st.header("The register", divider="gray")
    if not len(register):
        st.markdown("_The register in this build holds no tasks._")
        return
    st.markdown(
        "Every task of the framework: who does it, what it is, how often, who receives it and why, and the "
        "measures in this dashboard that serve it. Choose a role to see what it does, an audience to see what it "
        "receives, or search the text (every word must appear)."
    )
    doers, audiences = register.doers(), register.audiences()
    role_key, audience_key = f"{KEY}_role", f"{KEY}_audience"
    limit = MAX_ROLE_PARAM_LENGTH
    bad_role = choices.seed_optional("role", role_key, doers, register.match_role, limit)
    bad_audience = choices.seed_optional("audience", audience_key, audiences, register.match_role, limit)
    left, middle, right = st.columns([2, 2, 3])
    with left:
        st.selectbox(
            "Who does it",
            doers,
            key=role_key,
            format_func=register.role_name,
            placeholder="Any role",
            help="The role that carries the task out.",
        )
    with middle:
        st.selectbox(
            "Who receives it",
            audiences,
            key=audience_key,
            format_func=register.role_name,
            placeholder="Any audience",
            help="The person, group or board the task reports to.",
        )
    with right:
        search = st.text_input(
            "Search the register",
            key=f"{KEY}_search",
            max_chars=200,
            placeholder="Words in a task, purpose, role or measure",
        )
    role, audience = st.session_state.get(role_key), st.session_state.get(audience_key)
    choices.keep_in_url({"role": role, "audience": audience})
    if bad_role:
        st.info("The role in the web address was not recognised, so tasks of every role are shown.")
    if bad_audience:
        st.info("The audience in the web address was not recognised, so tasks for every audience are shown.")
    tasks = register.filter(role, audience, search or "")
    chosen = [
        *([f"done by {monthly.md_escape(register.role_name(role))}"] if role else []),
        *([f"received by {monthly.md_escape(register.role_name(audience))}"] if audience else []),
        *(["matching the search"] if (search or "").strip() else []),
    ]
    st.markdown(
        f"**{len(tasks)} of {len(register)} tasks**"
        + (f" {' and '.join(chosen)}." if chosen else ".")
        + " Measures are named as in the indicator catalogue; their definitions are on the pages that show them."
    )
    _table(
        qa.register_table(register, tasks),
        key="register",
        file_name=downloads.file_name("qa_register", role or "any_role", audience or "any_audience"),
        empty="_No task matches these choices._",
    )
    _measure_definitions(catalogue, [i for t in tasks for i in t.indicator_ids])


def _measure_definitions(catalogue: Catalogue, indicator_ids: list[str]) -> None:
    """The definitions of the measures serving the tasks shown, one click away."""
    present = [catalogue.get(i) for i in dict.fromkeys(indicator_ids) if i in catalogue]
    if not present:
        return
    with st.popover("About the measures serving these tasks", icon=":material/info:", key=f"{KEY}_def_measures"):
        for ind in present:
            st.markdown(layout.definition_markdown(ind))  # type: ignore[arg-type]
            st.divider()


# --- what is due, and what was late ------------------------------------------------------------------------


def _due(register: qa.Register, la_code: str, span: dict) -> None:
    st.header("What is due", divider="gray")
    months = qa.schedule_months(span)
    as_at = span.get("as_at_date")
    default = qa.month_of(as_at) if as_at else None
    left, _ = st.columns([1, 4])
    with left:
        month, bad_month = choices.choose_month(
            KEY,
            months,
            lambda raw, _: qa.match_month(raw, months),
            "Reports due in this month and its quarter. It starts at the month of the activity log's as-at date.",
            default=default.label if default else None,
        )
    choices.keep_in_url({"month": qa.month_param(month)})
    if bad_month:
        choices.not_recognised("month", month.label, choose_again=True)
    quarter_label, quarter_start, quarter_end = qa.quarter_of(month.start)
    missed_first = formatting.shift_months(month.start, -(qa.MISSED_MONTHS - 1))
    frame = data.qa_schedule(la_code, min(missed_first, quarter_start), max(month.end, quarter_end))

    st.markdown(
        f"Every scheduled report due in {month.label} and in {quarter_label} ({formatting.long_date(quarter_start)} "
        f"to {formatting.long_date(quarter_end)}), to whom, and where it stands on "
        f"{formatting.long_date(as_at)}, the activity log's as-at date: "
        + "; ".join(f"**{qa.STATUS_LABELS[s].lower()}**: {qa.STATUS_MEANINGS[s]}" for s in qa.STATUSES)
        + f". {qa.due_days_text(frame)}Tasks done as required, at each meeting or weekly have no schedule."
    )
    counts = qa.status_counts(frame, month.start, month.end)
    cols = st.columns(len(qa.STATUSES))
    for col, status in zip(cols, qa.STATUSES, strict=True):
        with col:
            st.metric(
                f"{qa.STATUS_LABELS[status]} ({month.label})",
                f"{counts[status]:,}",
                help=f"Reports due in {month.label} {qa.STATUS_MEANINGS[status]}.",
                border=True,
            )
    st.subheader(f"Due in {month.label}")
    _table(
        qa.schedule_table(frame, register, month.start, month.end),
        key="due_month",
        file_name=downloads.file_name("qa_due", la_code, qa.month_param(month)),
        empty=f"_No scheduled report is due in {month.label}._",
    )
    st.subheader(f"Due in {quarter_label}")
    _table(
        qa.schedule_table(frame, register, quarter_start, quarter_end),
        key="due_quarter",
        file_name=downloads.file_name("qa_due", la_code, quarter_label),
        empty=f"_No scheduled report is due in {quarter_label}._",
    )
    st.markdown("**Reports due, by status**")
    _table(
        qa.status_table(
            {
                month.label: counts,
                quarter_label: qa.status_counts(frame, quarter_start, quarter_end),
            }
        ),
        key="due_status",
        file_name=downloads.file_name("qa_due_by_status", la_code, qa.month_param(month)),
    )
    _missed(register, frame, la_code, month, missed_first, as_at)


def _missed(register: qa.Register, frame: pl.DataFrame, la_code: str, month, first, as_at) -> None:
    first_label = monthly.month_label(first)
    st.header(f"Late and overdue, {first_label} to {month.label}", divider="gray")
    table = qa.missed_by_task(frame, register, first, month.end)
    if table.is_empty():
        st.markdown(f"_Every report due from {first_label} to {month.label} was delivered on time, or is not yet due._")
        return
    st.markdown(
        f"Each task and audience with a report due from {first_label} to {month.label} (the 12 months to the "
        "chosen month, by due date) that was delivered late or is overdue: how many reports were due, how many "
        "came on time, late or not at all. Most overdue first."
    )
    _table(
        table,
        key="missed",
        file_name=downloads.file_name("qa_late_and_overdue", la_code, qa.month_param(month)),
    )
    with st.expander("Each late or overdue report", icon=":material/list:"):
        _table(
            qa.missed_list(frame, register, first, month.end, as_at),
            key="missed_list",
            file_name=downloads.file_name("qa_late_and_overdue_reports", la_code, qa.month_param(month)),
        )


# Every page checks access itself: a page left out of the menu can still be asked for by its address.
auth.require_page("qa-framework")
render()
