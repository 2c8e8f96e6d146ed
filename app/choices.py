"""Choices kept in the web address: the authority, period and team selectboxes the pages share.

A page keeps its choices in its widgets' session state and in the web address (`?la=845&quarter=2024-25+Q3`), so a
link opens the same view. The web address is untrusted: a value there is tidied, cut to a length, only ever
compared with the options on offer (by the page's own matcher), and one that matches none falls back to the
default with a note that never echoes it.

Each widget's state key is the page's key prefix and the parameter's name (`audits_quarter`), so pages never share
a choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import polars as pl
import streamlit as st

if TYPE_CHECKING:
    from app.monthly import OrgUnits

MAX_PARAM_LENGTH = 40
MAX_TEAM_PARAM_LENGTH = 160  # a team may be named in the address by its name, which can be long

Matcher = Callable[[str, list[str]], str | None]


class Labelled(Protocol):
    @property
    def label(self) -> str: ...


P = TypeVar("P", bound=Labelled)


def url_value(param: str | None, limit: int = MAX_PARAM_LENGTH) -> str | None:
    """The web address's value of `param` with its spaces tidied, cut one past `limit` (so a longer one is known to
    be too long); None when absent, or when the choice is not kept in the web address (`param` None)."""
    raw = st.query_params.get(param) if param is not None else None
    if raw is None:
        return None
    return " ".join(str(raw).split())[: limit + 1]


def exact(raw: str, options: list[str]) -> str | None:
    """The matcher for options named in the web address exactly as they are (authority codes)."""
    return raw if raw in options else None


def seed_choice(
    param: str | None, state_key: str, options: list[str], match: Matcher, default: str | None = None
) -> bool:
    """Put the URL's choice (or the default, else the first option) into the widget's state on first render.

    Returns True when the URL held a value that is not one of the options, so the page can say so.
    """
    current = st.session_state.get(state_key)
    if current in options:
        return False
    raw = url_value(param)
    chosen = match(raw, options) if raw is not None and len(raw) <= MAX_PARAM_LENGTH else None
    st.session_state[state_key] = chosen or (default if default in options else options[0])
    return raw is not None and chosen is None and current is None


def seed_optional(param: str, state_key: str, options: list[str], match: Matcher, limit: int) -> bool:
    """Like `seed_choice` for a choice that may be empty (None: no team, no filter). True if the URL's value was
    unknown."""
    current = st.session_state.get(state_key)
    if state_key in st.session_state and (current is None or current in options):
        return False
    raw = url_value(param, limit)
    chosen = match(raw, options) if raw and len(raw) <= limit else None
    bad = bool(raw) and chosen is None and state_key not in st.session_state
    st.session_state[state_key] = chosen
    return bad


def authority_names(authorities: pl.DataFrame) -> dict[str, str]:
    """Each authority's name by its code (`la_code`, `la_name`), in the frame's order."""
    return {r["la_code"]: (r["la_name"] or f"Authority {r['la_code']}") for r in authorities.to_dicts()}


def choose_authority(key: str, authorities: pl.DataFrame, param: str | None = "la") -> tuple[str, str, bool]:
    """The authority chosen (a choice only when there is more than one): its code, its name, and whether the web
    address named one that is not on offer. `param` None: the choice is not kept in the web address."""
    names = authority_names(authorities)
    codes = list(names)
    state_key = f"{key}_la"
    bad = seed_choice(param, state_key, codes, exact)
    if len(codes) > 1:
        st.selectbox("Authority", codes, key=state_key, format_func=lambda c: f"{names[c]} ({c})")
    code = st.session_state[state_key]
    return code, names[code], bad


def choose_period(
    key: str,
    param: str,
    periods: Sequence[P],
    match: Matcher,
    *,
    label: str,
    help: str,
    default: str | None = None,
) -> tuple[P, bool]:
    """The period (quarter or month) chosen among `periods` by their labels, and whether the web address named one
    that is not on offer."""
    labels = [p.label for p in periods]
    state_key = f"{key}_{param}"
    bad = seed_choice(param, state_key, labels, match, default=default)
    st.selectbox(label, labels, key=state_key, help=help)
    chosen = st.session_state[state_key]
    return next(p for p in periods if p.label == chosen), bad


def choose_quarter(key: str, quarters: Sequence[P], match: Matcher, help: str) -> tuple[P, bool]:
    """`choose_period` for financial-year quarters, kept in the web address as `quarter`."""
    return choose_period(key, "quarter", quarters, match, label="Quarter", help=help)


def choose_month(
    key: str, months: Sequence[P], match: Matcher, help: str, default: str | None = None
) -> tuple[P, bool]:
    """`choose_period` for months, kept in the web address as `month`."""
    return choose_period(key, "month", months, match, label="Month", help=help, default=default)


def choose_team(
    key: str, orgs: OrgUnits, team_ids: list[str], *, placeholder: str, help: str
) -> tuple[str | None, bool]:
    """The team chosen among `team_ids` (None until one is), by its id or name in the web address (`team`) on first
    render; True if the address's was unknown. No widget when there is no team to choose."""
    state_key = f"{key}_team"
    bad = seed_optional("team", state_key, team_ids, orgs.match_team, MAX_TEAM_PARAM_LENGTH)
    if team_ids:
        st.selectbox(
            "Team",
            team_ids,
            key=state_key,
            format_func=lambda t: orgs.team(t).label,
            placeholder=placeholder,
            help=help,
        )
    return st.session_state.get(state_key), bad


def keep_in_url(values: dict[str, str | None]) -> None:
    """Write the choices back to the web address (None removes a parameter), touching only what changed."""
    for name, value in values.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


def columns(several_authorities: bool) -> tuple[Any, Any]:
    """Where the authority and the period are chosen: side by side, or the period alone when there is one
    authority (the authority's place is then an empty slot)."""
    if several_authorities:
        left, right, _ = st.columns([2, 1, 2])
    else:
        right, _ = st.columns([1, 4])
        left = st.empty()
    return left, right


def not_recognised(what: str, shown: str, *, choose_again: bool = False) -> None:
    """Say that the web address's `what` was not recognised and what the page shows instead (never the value)."""
    st.info(
        f"The {what} in the web address was not recognised, so the page shows {shown}."
        + (f" Choose another {what} above." if choose_again else "")
    )
