"""The app's pages, listed in one place.

`streamlit_app.py` turns this list into `st.navigation`, filtered by the signed-in user's role (`for_role`, from
`app/roles.csv`): the role's pages are listed in the menu; every other page is registered hidden, so that asking
for it by address reaches the app's refusal (logged) rather than silently landing somewhere else. (`audiences`
says whom each page was designed for; who may see it is decided by roles.csv alone.)
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
    PageSpec(
        path="views/access_log.py",
        title="Access log",
        url_path="access-log",
        icon=":material/policy:",
        audiences=("administrator",),
        section="Administration",
    ),
)


def to_page(spec: PageSpec, *, default: bool = False, hidden: bool = False) -> st.Page:
    return st.Page(
        str(APP_DIR / spec.path),
        title=spec.title,
        icon=spec.icon,
        url_path=spec.url_path,
        default=default,
        visibility="hidden" if hidden else "visible",
    )


def for_role(role_id: str | None, specs: tuple[PageSpec, ...] = PAGES) -> tuple[PageSpec, ...]:
    """The pages the role may see (app/roles.csv), in PAGES order; none for an unknown role."""
    from app import roles

    allowed = set(roles.pages_for(role_id))
    return tuple(spec for spec in specs if spec.url_path in allowed)


def spec_for(page: st.Page, specs: tuple[PageSpec, ...] = PAGES) -> PageSpec | None:
    """The spec behind a page st.navigation chose (matched by title, unique in PAGES: a default page's
    `url_path` reads as "")."""
    return next((spec for spec in specs if spec.title == page.title), None)


def build(specs: tuple[PageSpec, ...] = PAGES, *, hidden: tuple[PageSpec, ...] = ()) -> dict[str, list[st.Page]]:
    """Pages grouped by section for st.navigation; the first page is the default.

    `hidden` pages are registered but not listed (in the last section, so no section shows with nothing in it):
    the entry point refuses them before they run."""
    sections: dict[str, list[st.Page]] = {}
    for index, spec in enumerate(specs):
        sections.setdefault(spec.section, []).append(to_page(spec, default=index == 0))
    if hidden:
        if not sections:
            raise ValueError("hidden pages need at least one listed page")
        last = list(sections)[-1]
        sections[last].extend(to_page(spec, hidden=True) for spec in hidden)
    return sections
