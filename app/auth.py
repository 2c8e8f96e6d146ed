"""Sign-in, sessions and page checks (docs/contracts.md, "Sign-in, roles, scope and the access log").

`gate()` runs first on every page run, before navigation or any data query:

* a signed-in session (`st.session_state["csqa_user"]`) idle for more than `CSQA_SESSION_IDLE_MINUTES`
  (default 30) is signed out and told so (`session_expired` in the access log); an account removed or disabled
  in users.json since sign-in is signed out too, and a changed role or scope applies at once;
* signed out, only the sign-in screen renders: single sign-on through Streamlit's OIDC (`st.login`) when
  `.streamlit/secrets.toml` has an `[auth]` section, mapped to an account by its `sso_email` (an identity not on
  that list is refused), and the local username and password form. A wrong password and an unknown username get
  the same message; five failures lock the username for 15 minutes (`app/users.py`). Every attempt is logged;
* signed in, the sidebar names the account and offers "Sign out".

`require_page(url_path)` is the check every page makes first (and the entry point makes before running one): a
role without the page (app/roles.csv) is refused, logged and stopped. `page_view` logs each page and query
string a session sees, once per change.

Every event goes to the access log (`app.access_log.record`). If it cannot be written the app stops with an
error: no data without an audit trail.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
import uuid
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from app import roles, users

SESSION_USER = "csqa_user"
LAST_SEEN = "csqa_last_seen"
SESSION_ID = "csqa_session_id"
NOTICE = "csqa_auth_notice"
LAST_VIEW = "csqa_last_page_view"
SSO_REFUSAL_LOGGED = "csqa_sso_refusal_logged"
FORM_KEY = "csqa_sign_in"
USERNAME_KEY = "csqa_sign_in_username"
PASSWORD_KEY = "csqa_sign_in_password"
SIGN_OUT_KEY = "csqa_sign_out"
SSO_BUTTON_KEY = "csqa_sso_sign_in"
SSO_LOGOUT_KEY = "csqa_sso_sign_out"
KEEP_ON_CLEAR = (SESSION_ID, NOTICE)

IDLE_ENV_VAR = "CSQA_SESSION_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 30.0
MAX_LOGGED_USERNAME = 100

BAD_CREDENTIALS = "That username and password do not match an account."
SSO_BUTTON = "Sign in with your organisation account"
SIGN_IN_HEADING = "Sign in"


# --- the session -------------------------------------------------------------------------------------------


def idle_minutes(environ: Mapping[str, str] | None = None) -> float:
    """`CSQA_SESSION_IDLE_MINUTES`, a positive number of minutes (default 30; anything else means the default)."""
    raw = (os.environ if environ is None else environ).get(IDLE_ENV_VAR, "").strip()
    try:
        minutes = float(raw)
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return minutes if math.isfinite(minutes) and minutes > 0 else DEFAULT_IDLE_MINUTES


def current_user() -> dict[str, Any] | None:
    """The signed-in account (`st.session_state["csqa_user"]`), or None."""
    user = st.session_state.get(SESSION_USER)
    if isinstance(user, Mapping) and user.get("username") and user.get("role"):
        return dict(user)
    return None


def session_id() -> str:
    """A random id for this browser session, kept across sign-in and sign-out, for the access log (the same key
    and form as `app.access_log.session_id`)."""
    sid = st.session_state.get(SESSION_ID)
    if not isinstance(sid, str) or not sid:
        sid = uuid.uuid4().hex
        st.session_state[SESSION_ID] = sid
    return sid


def _clear_session() -> None:
    """Forget the account and everything the session chose (filters, toggles), so whoever signs in next on this
    browser starts afresh; the session id (and a notice for the sign-in screen) stay."""
    for key in list(st.session_state.keys()):
        if key not in KEEP_ON_CLEAR:
            try:
                del st.session_state[key]
            except (KeyError, StreamlitAPIException):
                pass


def _start_session(user: dict[str, Any], now: float) -> None:
    _clear_session()
    st.session_state.pop(NOTICE, None)
    st.session_state[SESSION_USER] = user
    st.session_state[LAST_SEEN] = now


# --- the access log ----------------------------------------------------------------------------------------


def log(
    event: str,
    *,
    user: Mapping[str, Any] | None = None,
    username: str | None = None,
    role: str | None = None,
    page: str | None = None,
    detail: Any = None,
) -> None:
    """Append to the access log; if it cannot be written, say so and stop (fail closed)."""
    if user is not None:
        username = username or user.get("username")
        role = role or user.get("role")
    try:
        from app import access_log

        unavailable: type[BaseException] = access_log.AccessLogUnavailable
    except (ImportError, AttributeError) as exc:
        _log_unavailable(exc)
        return
    try:
        access_log.record(event, username=username, role=role, page=page, detail=detail, session_id=session_id())
    except unavailable as exc:
        _log_unavailable(exc)


def _log_unavailable(exc: BaseException) -> None:
    st.error(
        "**The access log cannot be written just now, so the dashboard is closed.** Every sign-in and page view "
        "is recorded; nothing is shown without that record. Please try again in a moment, and tell the data "
        "team if this keeps happening.",
        icon=":material/policy:",
    )
    with st.expander("Details for the data team"):
        st.text(f"{type(exc).__name__}: {exc}")
    st.stop()


def _attempted(username: str) -> str:
    """The username someone typed, as logged: stripped, lower-case, at most 100 characters."""
    return users.normalise_username(username)[:MAX_LOGGED_USERNAME]


# --- single sign-on ----------------------------------------------------------------------------------------


def sso_configured() -> bool:
    """Whether `.streamlit/secrets.toml` has an `[auth]` section (Streamlit's OIDC sign-in)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all, or one that cannot be read: no single sign-on
        return False


def sso_identity() -> dict[str, Any]:
    """The identity from Streamlit's OIDC sign-in (`st.user`), or {} when no one is signed in that way."""
    try:
        info = dict(st.user.to_dict())
    except Exception:
        return {}
    return info if info.get("is_logged_in") is True else {}


def map_identity(identity: Mapping[str, Any], store: users.Store) -> tuple[users.User | None, str]:
    """The account an OIDC identity maps to through its `sso_email`, and why not when none: (user, reason),
    reason `ok`, `no_email`, `email_not_verified`, `not_on_allow_list` or `disabled`."""
    email = str(identity.get("email") or "").strip().lower()
    if not email:
        return None, "no_email"
    if identity.get("email_verified") is False:
        return None, "email_not_verified"
    user = store.by_sso_email(email)
    if user is None:
        return None, "not_on_allow_list"
    if user.disabled:
        return None, "disabled"
    return user, "ok"


# --- the gate ----------------------------------------------------------------------------------------------


def gate() -> dict[str, Any]:
    """Return the signed-in account, or show the sign-in screen and stop the script."""
    now = time.time()
    session_id()
    user = current_user()
    if user is not None:
        user = _still_signed_in(user, now)
    if user is not None:
        st.session_state[LAST_SEEN] = now
        _sidebar(user)
        return user
    _sign_in_screen(now)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def _still_signed_in(user: dict[str, Any], now: float) -> dict[str, Any] | None:
    last = st.session_state.get(LAST_SEEN)
    limit = idle_minutes()
    if isinstance(last, int | float) and now - last > limit * 60:
        log(
            "session_expired",
            user=user,
            detail={"reason": "idle", "idle_minutes": limit, "last_seen": _iso(last)},
        )
        _end_session(user, notice="expired")
        return None
    if user.get("method") == "sso" and not sso_identity():
        _end_session(user, notice=None)  # the organisation sign-in has gone (signed out elsewhere)
        return None
    store = users.Store()
    try:
        if not store.exists():
            return user  # no accounts file: nothing to check the session against
        account = store.get(user["username"])
    except users.UsersFileError as exc:
        _accounts_unreadable(exc)
    if account is None or account.disabled:
        log("refused", user=user, detail={"reason": "account_removed" if account is None else "account_disabled"})
        _end_session(user, notice="inactive")
        return None
    fresh = account.session(str(user.get("method") or "password"))
    if fresh != user:
        st.session_state[SESSION_USER] = fresh  # a changed role or scope applies at once
    return fresh


def _end_session(user: Mapping[str, Any], *, notice: str | None) -> None:
    _clear_session()
    if notice:
        st.session_state[NOTICE] = notice
    if user.get("method") == "sso" and sso_configured() and sso_identity():
        st.logout()  # forget the identity cookie too, or the next run would sign straight back in


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")


def _accounts_unreadable(exc: Exception) -> None:
    st.error(
        "**The list of accounts cannot be read, so no one can sign in just now.** Tell whoever runs the dashboard.",
        icon=":material/lock:",
    )
    with st.expander("Details for the data team"):
        st.text(str(exc))
    st.stop()


def _sidebar(user: Mapping[str, Any]) -> None:
    with st.sidebar:
        st.caption("Signed in as")
        st.text(f"{user.get('display_name') or user['username']}\n{roles.name(user['role'])}")
        scope = scope_text(user)
        if scope:
            st.caption(scope)
        if st.button("Sign out", key=SIGN_OUT_KEY, icon=":material/logout:"):
            sign_out(user)


def scope_text(user: Mapping[str, Any]) -> str:
    parts = []
    if user.get("la_code"):
        parts.append(f"Authority {user['la_code']}")
    if user.get("service_id"):
        parts.append(f"service {user['service_id']}")
    if user.get("team_id"):
        parts.append(f"team {user['team_id']}")
    return ", ".join(parts) if parts else ("Every authority" if user.get("role") else "")


def sign_out(user: Mapping[str, Any]) -> None:
    log("sign_out", user=user, detail={"method": user.get("method")})
    _end_session(user, notice="signed_out")
    st.rerun()


# --- the sign-in screen ------------------------------------------------------------------------------------


_NOTICES = {
    "expired": (
        "warning",
        "Your session expired after {minutes} minutes without activity, so you have been signed out. Please sign "
        "in again.",
    ),
    "signed_out": ("info", "You have signed out."),
    "inactive": ("warning", "Your account is no longer active on this dashboard, so you have been signed out."),
}


def _sign_in_screen(now: float) -> None:
    from app.layout import APP_TITLE  # here: layout may come to use this module

    st.title(APP_TITLE)
    notice = st.session_state.pop(NOTICE, None)
    if notice in _NOTICES:
        kind, text = _NOTICES[notice]
        minutes = idle_minutes()
        text = text.format(minutes=int(minutes) if minutes == int(minutes) else minutes)
        (st.warning if kind == "warning" else st.info)(text, icon=":material/lock_clock:")
    st.subheader(SIGN_IN_HEADING)
    if sso_configured():
        _single_sign_on(now)
        st.caption("Or sign in with a dashboard account:")
    _password_form(now)


def _single_sign_on(now: float) -> None:
    identity = sso_identity()
    if not identity:
        if st.button(SSO_BUTTON, key=SSO_BUTTON_KEY, type="primary", icon=":material/login:"):
            st.login()
        return
    try:
        store = users.Store()
        user, reason = map_identity(identity, store)
    except users.UsersFileError as exc:
        _accounts_unreadable(exc)
    email = str(identity.get("email") or "")[:254]
    if user is not None:
        account = user.session("sso")
        log("sign_in", user=account, detail={"method": "sso", "email": email})  # first: no session without a record
        _start_session(account, now)
        st.rerun()
    st.error(
        "Your organisation account is signed in, but it is not on this dashboard's list of users. Ask the "
        "dashboard's administrator to add it, or sign out of it and sign in with a dashboard account.",
        icon=":material/block:",
    )
    logged = st.session_state.get(SSO_REFUSAL_LOGGED)
    if logged != email:  # once per session and identity, not on every rerun
        log("sign_in_failed", username=_attempted(email), detail={"method": "sso", "reason": reason, "email": email})
        st.session_state[SSO_REFUSAL_LOGGED] = email
    if st.button("Sign out of your organisation account", key=SSO_LOGOUT_KEY):
        st.session_state.pop(SSO_REFUSAL_LOGGED, None)
        st.logout()


def _password_form(now: float) -> None:
    with st.form(FORM_KEY, clear_on_submit=True, enter_to_submit=True):
        username = st.text_input("Username", key=USERNAME_KEY, max_chars=64, autocomplete="username")
        password = st.text_input(
            "Password", key=PASSWORD_KEY, type="password", max_chars=users.MAX_PASSWORD,
            autocomplete="current-password",
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    if not username.strip() or not password:
        st.error("Enter your username and password.")
        return
    try:
        result = users.Store().verify_password(username, password)
    except users.UsersFileError as exc:
        _accounts_unreadable(exc)
    if result.ok and result.user is not None:
        account = result.user.session("password")
        log("sign_in", user=account, detail={"method": "password"})  # first: no session without a record
        _start_session(account, now)
        st.rerun()
    if result.locked_until is not None:
        minutes = max(1, math.ceil(round(result.locked_until - time.time()) / 60))
        st.error(
            ("" if result.reason == "locked" else BAD_CREDENTIALS + " ")
            + f"Too many failed attempts: this username is locked for {minutes} minute{'s' if minutes != 1 else ''}. "
            "Try again later, or ask the dashboard's administrator.",
            icon=":material/lock:",
        )
    else:
        st.error(BAD_CREDENTIALS, icon=":material/lock:")
    log(
        "sign_in_failed",
        username=_attempted(username),
        detail={"method": "password", "reason": result.reason},
    )


# --- pages -------------------------------------------------------------------------------------------------


def require_page(url_path: str) -> dict[str, Any]:
    """The check each page makes first: the signed-in role may see `url_path`, or the page is refused (logged)
    and the script stops. Returns the signed-in account."""
    user = current_user()
    if user is None:
        log("refused", page=url_path, detail={"reason": "signed_out"})
        st.error("Please sign in to see this page.", icon=":material/lock:")
        st.stop()
    if not roles.may_view(user["role"], url_path):
        log("refused", user=user, page=url_path, detail={"reason": "role_lacks_page"})
        st.error(
            f"This page is not available to your role ({roles.name(user['role'])}). Choose a page from the menu; if "
            "you need this one, ask the dashboard's administrator.",
            icon=":material/block:",
        )
        st.stop()
    return user


def _view_key(url_path: str, params: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return url_path, tuple(sorted((k, repr(v)) for k, v in params.items()))


def _plain_params(query_params: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): (list(v) if isinstance(v, list | tuple) else str(v)) for k, v in query_params.items()}


def page_view(url_path: str, query_params: Mapping[str, Any]) -> None:
    """Log a page view (detail: the query string), once per change of page or query string in a session. Called
    before the page runs, so nothing is shown unlogged."""
    user = current_user()
    params = _plain_params(query_params)
    key = _view_key(url_path, params)
    if st.session_state.get(LAST_VIEW) == key:
        return
    log("page_view", user=user, page=url_path, detail=params)
    st.session_state[LAST_VIEW] = key


def page_shown(url_path: str, query_params: Mapping[str, Any]) -> None:
    """After the page has run: adopt the query string it settled on (its own defaults, such as the latest
    quarter) without logging again, so only a change the user makes counts as a new view."""
    st.session_state[LAST_VIEW] = _view_key(url_path, _plain_params(query_params))
