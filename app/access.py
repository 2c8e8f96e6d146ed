"""Who may see child-level detail: the one place that decides.

Child-level lists (for example assessments open beyond 45 working days, with each child's ID) are for the
managers who act on them, never for a served demonstration or a wider audience. Three things must all be true
(docs/contracts.md, "Roles and pages"):

* the signed-in user's role may see child-level rows (`child_level` in app/roles.csv);
* the server allows it: the environment variable `CSQA_ALLOW_CHILD_LEVEL` is `1` (so a served demo never
  shows child-level data unless whoever runs it says so);
* the user asks for it, with a clearly marked sidebar toggle that is off by default.

`child_level_allowed` is the decision; pages call `child_level_detail()`, which shows the toggle.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import streamlit as st

ENV_VAR = "CSQA_ALLOW_CHILD_LEVEL"
TOGGLE_KEY = "access_child_level"
TOGGLE_LABEL = "Show child-level exception lists (managers only)"
ROLE_OFF_KEY = f"{TOGGLE_KEY}_role_off"


def server_allows_child_level(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this server may show child-level detail at all (`CSQA_ALLOW_CHILD_LEVEL=1`)."""
    env = os.environ if environ is None else environ
    return env.get(ENV_VAR, "").strip() == "1"


def role_allows_child_level(user: Mapping[str, object] | None = None) -> bool:
    """Whether the signed-in user's role (`user`, else the session's) may see child-level rows at all."""
    from app import auth, roles

    user = auth.current_user() if user is None else user
    return bool(user) and roles.child_level(str(user.get("role") or ""))


def child_level_allowed(
    *, requested: bool, environ: Mapping[str, str] | None = None, role_allows: bool = True
) -> bool:
    """The access decision: the role may, the server allows child-level detail and the user has asked for it."""
    return role_allows is True and server_allows_child_level(environ) and requested is True


def child_level_detail() -> bool:
    """Show the sidebar toggle and return whether child-level detail may be shown."""
    with st.sidebar:
        st.divider()
        if not role_allows_child_level():
            st.toggle(
                TOGGLE_LABEL,
                value=False,
                disabled=True,
                key=ROLE_OFF_KEY,
                help="Your role does not include child-level lists.",
            )
            return False
        if not server_allows_child_level():
            st.toggle(
                TOGGLE_LABEL,
                value=False,
                disabled=True,
                key=f"{TOGGLE_KEY}_off",
                help=f"Switched off on this server. Whoever runs it can allow it by setting {ENV_VAR}=1.",
            )
            return False
        requested = st.toggle(
            TOGGLE_LABEL,
            value=False,
            key=TOGGLE_KEY,
            help="Lists name individual children by their case ID. Only for managers who need them to act.",
        )
        if requested:
            st.caption(
                ":warning: Child-level detail is showing. Do not share screenshots or downloads outside the team."
            )
    return child_level_allowed(requested=requested, role_allows=True)
