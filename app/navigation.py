"""The app's pages, listed in one place.

`streamlit_app.py` turns this list into `st.navigation`; a later `app/auth.py` can filter it by the signed-in
user's role (each page says which audiences it is for) before navigation is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

APP_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to app/
    title: str
    url_path: str
    icon: str
    audiences: tuple[str, ...]
    section: str = "Reports"


# Page modules live in app/views/, not app/pages/: Streamlit treats a folder called pages/ beside the entry
# point as its older multipage mode, which runs a deep-linked page without the entry point on the first request.
PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        path="views/corporate_parenting.py",
        title="Corporate Parenting Panel",
        url_path="corporate-parenting",
        icon=":material/family_restroom:",
        audiences=("corporate_parenting_panel", "lead_member", "cscmt", "smt"),
    ),
    PageSpec(
        path="views/chief_executive.py",
        title="Chief Executive quarterly review",
        url_path="chief-executive",
        icon=":material/insights:",
        audiences=("chief_executive", "dcs", "lead_member", "smt", "cscmt"),
    ),
    PageSpec(
        path="views/cscmt.py",
        title="CSCMT monthly performance",
        url_path="cscmt",
        icon=":material/monitoring:",
        audiences=("cscmt", "team_managers", "smt"),
    ),
    PageSpec(
        path="views/workforce.py",
        title="Workforce",
        url_path="workforce",
        icon=":material/badge:",
        audiences=("cscmt", "smt", "lead_member", "workforce_lead", "team_managers"),
    ),
    PageSpec(
        path="views/complaints.py",
        title="Complaints",
        url_path="complaints",
        icon=":material/forum:",
        audiences=("cscmt", "smt", "lead_member", "scrutiny", "complaints_manager"),
    ),
    PageSpec(
        path="views/audits.py",
        title="Audits and learning",
        url_path="audits",
        icon=":material/rule:",
        audiences=("cscmt", "smt", "heads_of_service", "operations_managers", "practice_managers", "lead_member"),
    ),
    PageSpec(
        path="views/explorer.py",
        title="Indicator explorer",
        url_path="explorer",
        icon=":material/query_stats:",
        audiences=(
            "chief_executive",
            "dcs",
            "lead_member",
            "smt",
            "cscmt",
            "heads_of_service",
            "operations_managers",
            "practice_managers",
            "team_managers",
            "complaints_manager",
            "workforce_lead",
            "planning_performance_manager",
        ),
    ),
    PageSpec(
        path="views/annual_report.py",
        title="Annual QA review",
        url_path="annual-review",
        icon=":material/description:",
        audiences=("cscmt", "smt", "lead_member", "scrutiny", "dcs", "heads_of_service", "policy_audit_officers"),
    ),
    PageSpec(
        path="views/qa_framework.py",
        title="QA framework",
        url_path="qa-framework",
        icon=":material/fact_check:",
        audiences=(
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
        ),
    ),
)


def to_page(spec: PageSpec, *, default: bool = False) -> st.Page:
    return st.Page(str(APP_DIR / spec.path), title=spec.title, icon=spec.icon, url_path=spec.url_path, default=default)


def build(specs: tuple[PageSpec, ...] = PAGES) -> dict[str, list[st.Page]]:
    """Pages grouped by section for st.navigation; the first page is the default."""
    sections: dict[str, list[st.Page]] = {}
    for index, spec in enumerate(specs):
        sections.setdefault(spec.section, []).append(to_page(spec, default=index == 0))
    return sections
