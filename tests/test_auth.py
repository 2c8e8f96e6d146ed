"""Sign-in, sessions, roles and page checks (app/auth.py, app/roles.py, app/navigation.py, app/streamlit_app.py;
docs/contracts.md "Sign-in, roles, scope and the access log").

Every AppTest here starts signed out (`signed_out`: tests/conftest.py otherwise signs AppTests in as an
analyst) and signs in as it needs. The access log is the real one (app/access_log.py) in the test's own state
folder.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from streamlit.testing.v1 import AppTest

from app import access, access_log, auth, layout, navigation, roles, users
from tests.app_fixtures import write_warehouse

pytestmark = pytest.mark.signed_out

APP = Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py"
PASSWORD = "correct horse battery staple"
SSO_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-test-cookie-secret-that-is-long-enough",
        "client_id": "client",
        "client_secret": "secret",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
    }
}


@pytest.fixture
def state(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("CSQA_STATE_DIR", str(folder))
    monkeypatch.delenv(auth.IDLE_ENV_VAR, raising=False)
    # Quick argon2id for the tests' accounts and the app's checks alike (tests/test_users.py checks the real cost).
    monkeypatch.setattr(users, "default_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1,
                                                                        type=Type.ID))
    return folder


@pytest.fixture
def store(state) -> users.Store:
    store = users.Store(state)
    # A Corporate Parenting Panel member: corporate-parenting and qa-framework only, no child-level rows.
    store.add("pat", role="corporate_parenting_panel", password=PASSWORD, la_code="845", display_name="Pat Panel")
    store.add("ann", role="analyst", password=PASSWORD, sso_email="ann@example.org")
    return store


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    path = write_warehouse(tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("CSQA_WAREHOUSE", str(path))
    return path


@pytest.fixture
def queries(monkeypatch) -> list[object]:
    """Every time the app looks at the served warehouse."""
    from app import data

    seen: list[object] = []
    original = data.warehouse_identity

    def spy(*args, **kwargs):
        seen.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(data, "warehouse_identity", spy)
    return seen


def app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=60)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key=auth.USERNAME_KEY).input(username)
    at.text_input(key=auth.PASSWORD_KEY).input(password)
    submit = next(b for b in at.button if b.label == "Sign in")
    submit.click()
    return run(at)


def signed_in(username: str = "pat", *, role: str = "corporate_parenting_panel", method: str = "password",
              la_code: str | None = "845", display_name: str = "Pat Panel") -> dict:
    return {"username": username, "display_name": display_name, "role": role, "la_code": la_code,
            "service_id": None, "team_id": None, "method": method}


def log(event: str | None = None) -> list[dict]:
    """Access log entries, oldest first, detail parsed."""
    rows = list(reversed(access_log.read(event=event)))
    for r in rows:
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
    return rows


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def page_views(at: AppTest | None = None) -> list[str | None]:
    return [r["page"] for r in log("page_view")]


def sign_in_form_only(at: AppTest) -> None:
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert at.title[0].value == layout.APP_TITLE
    assert len(at.sidebar) == 0  # no build information, no menu, nothing
    assert auth.SESSION_USER not in at.session_state


# --- roles.csv ---------------------------------------------------------------------------------------------


def test_roles_csv_names_only_real_pages_and_every_contract_role():
    with open(roles.ROLES_CSV, newline="") as fh:
        rows = list(csv.DictReader(fh))
    page_paths = {spec.url_path for spec in navigation.PAGES}
    for row in rows:
        for page in row["pages"].split(";"):
            assert page in page_paths, (row["role_id"], page)
    assert set(roles.CONTRACT_ROLES) <= {r["role_id"] for r in rows}
    assert set(roles.role_ids()) == {r["role_id"] for r in rows}
    for role in roles.all_roles().values():
        assert role.pages, role.role_id


def test_roles_lookups():
    assert roles.may_view("analyst", "cscmt") and not roles.may_view("scrutiny", "cscmt")
    assert roles.may_view("administrator", "access-log") and not roles.may_view("analyst", "access-log")
    assert roles.child_level("practice_manager") and not roles.child_level("dcs")
    assert not roles.child_level("nobody") and roles.pages_for("nobody") == () and not roles.may_view(None, "cscmt")
    assert roles.pages_for("scrutiny") == ("complaints", "annual-review", "qa-framework")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("role_id,role_name,pages\nx,X,cscmt\n", "columns"),
        ("role_id,role_name,child_level,pages\nx,X,yes,cscmt\n", "child_level"),
        ("role_id,role_name,child_level,pages\nx,X,true,nowhere\n", "unknown pages"),
        ("role_id,role_name,child_level,pages\nx,X,true,cscmt\nx,Y,false,cscmt\n", "twice"),
        ("role_id,role_name,child_level,pages\nBad Role,X,true,cscmt\n", "not a role id"),
        ("role_id,role_name,child_level,pages\nx,X,true,cscmt;cscmt\n", "page twice"),
    ],
)
def test_a_bad_roles_table_is_refused(tmp_path, text, problem):
    path = tmp_path / "roles.csv"
    path.write_text(text)
    with pytest.raises(roles.RolesError, match=problem):
        roles.parse(path)


def test_navigation_for_a_role_keeps_the_pages_order():
    titles = [spec.title for spec in navigation.PAGES]
    assert len(set(titles)) == len(titles)  # spec_for matches pages by title
    expected = [s.url_path for s in navigation.PAGES if s.url_path in roles.pages_for("cscmt")]
    assert [s.url_path for s in navigation.for_role("cscmt")] == expected
    assert [s.url_path for s in navigation.for_role("scrutiny")] == ["complaints", "annual-review", "qa-framework"]
    assert navigation.for_role("nobody") == ()


def _build_script():
    import streamlit as st

    from app import navigation

    allowed = navigation.for_role("corporate_parenting_panel")
    hidden = tuple(s for s in navigation.PAGES if s not in allowed)
    sections = navigation.build(allowed, hidden=hidden)
    st.session_state["built"] = [
        (section, p.title, p.visibility, p._default) for section, pages in sections.items() for p in pages
    ]


def test_navigation_lists_the_roles_pages_and_hides_the_rest():
    """st.Page needs a script run, hence AppTest."""
    at = AppTest.from_function(_build_script)
    at.run()
    built = at.session_state["built"]
    assert {section for section, *_ in built} == {"Reports"}  # no Administration section with nothing in it
    visible = [(title, default) for _, title, visibility, default in built if visibility == "visible"]
    assert visible == [("Corporate Parenting Panel", True), ("QA framework", False)]
    hidden = {title for _, title, visibility, default in built if visibility == "hidden" and not default}
    assert hidden == {s.title for s in navigation.PAGES} - {"Corporate Parenting Panel", "QA framework"}


# --- signed out ----------------------------------------------------------------------------------------------


def test_signed_out_only_the_sign_in_form_and_no_data_query(state, tmp_path, monkeypatch, queries):
    monkeypatch.setenv("CSQA_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    at = run(app())
    sign_in_form_only(at)
    assert not at.info and not at.warning and not errors(at)  # not even "there is no data to show yet"
    assert queries == []
    assert log() == []


def test_signed_out_a_page_address_shows_the_sign_in_form(state, store, warehouse, queries):
    at = app()
    at.run()
    at.query_params["month"] = "Dec 2024"
    run(at)
    sign_in_form_only(at)
    assert queries == []


# --- signing in ----------------------------------------------------------------------------------------------


def test_correct_password_signs_in_and_lands_on_the_roles_first_page(state, store, warehouse):
    at = sign_in(run(app()), "Pat", PASSWORD)  # usernames are not case-sensitive
    assert at.session_state[auth.SESSION_USER] == signed_in()
    assert at.session_state[auth.LAST_SEEN] == pytest.approx(time.time(), abs=60)
    assert at.title[0].value == "Corporate Parenting Panel"
    assert not any(t.label == "Password" for t in at.text_input)
    sidebar_text = [t.value for t in at.sidebar.text]
    assert "Pat Panel\nCorporate Parenting Panel member" in sidebar_text
    assert any(b.label == "Sign out" for b in at.sidebar.button)
    entries = log()
    assert [e["event"] for e in entries] == ["sign_in", "page_view"]
    assert entries[0]["username"] == "pat" and entries[0]["role"] == "corporate_parenting_panel"
    assert entries[0]["detail"] == {"method": "password"}
    assert entries[1]["page"] == "corporate-parenting"
    assert len({e["session_id"] for e in entries}) == 1 and entries[0]["session_id"]


def test_wrong_password_and_unknown_user_get_the_same_message_and_are_logged(state, store, warehouse, queries):
    at = sign_in(run(app()), "pat", "not the password")
    assert errors(at) == [auth.BAD_CREDENTIALS]
    first = [t for t in at.text_input]
    at = sign_in(at, "nobody", PASSWORD)
    assert errors(at) == [auth.BAD_CREDENTIALS]
    assert [t.label for t in at.text_input] == [t.label for t in first]
    sign_in_form_only(at)
    failed = log("sign_in_failed")
    assert [(e["username"], e["role"], e["detail"]) for e in failed] == [
        ("pat", None, {"method": "password", "reason": "wrong_password"}),
        ("nobody", None, {"method": "password", "reason": "unknown_user"}),
    ]
    assert log("sign_in") == [] and queries == []


def test_an_empty_form_is_not_an_attempt(state, store):
    at = sign_in(run(app()), "", "")
    assert errors(at) == ["Enter your username and password."]
    assert log() == []


def test_five_failures_lock_the_username(state, store, warehouse):
    at = run(app())
    for n in range(4):
        at = sign_in(at, "pat", f"wrong password {n}")
        assert errors(at) == [auth.BAD_CREDENTIALS]
    at = sign_in(at, "pat", "wrong password 5")
    assert "locked for 15 minutes" in errors(at)[0]
    at = sign_in(at, "pat", PASSWORD)
    assert "locked" in errors(at)[0] and auth.SESSION_USER not in at.session_state
    reasons = [e["detail"]["reason"] for e in log("sign_in_failed")]
    assert reasons == ["wrong_password"] * 5 + ["locked"]


# --- sessions ------------------------------------------------------------------------------------------------


def test_an_idle_session_expires(state, store, warehouse, queries):
    at = app()
    at.session_state[auth.SESSION_USER] = signed_in()
    at.session_state[auth.LAST_SEEN] = time.time() - 31 * 60
    at.session_state["some_page_filter"] = "Dec 2024"
    run(at)
    assert "Your session expired after 30 minutes" in at.warning[0].value
    sign_in_form_only(at)
    assert "some_page_filter" not in at.session_state  # the next person starts afresh
    assert queries == []
    [entry] = log()
    assert (entry["event"], entry["username"], entry["role"]) == ("session_expired", "pat", "corporate_parenting_panel")
    assert entry["detail"]["reason"] == "idle" and entry["detail"]["idle_minutes"] == 30


def test_the_idle_limit_is_configurable(state, store, warehouse, monkeypatch):
    monkeypatch.setenv(auth.IDLE_ENV_VAR, "5")
    at = app()
    at.session_state[auth.SESSION_USER] = signed_in()
    at.session_state[auth.LAST_SEEN] = time.time() - 4 * 60
    run(at)
    assert at.title[0].value == "Corporate Parenting Panel"  # still signed in, and the clock restarts
    assert at.session_state[auth.LAST_SEEN] == pytest.approx(time.time(), abs=60)
    at.session_state[auth.LAST_SEEN] = time.time() - 6 * 60
    run(at)
    assert "Your session expired after 5 minutes" in at.warning[0].value
    assert [e["event"] for e in log()] == ["page_view", "session_expired"]


def test_idle_minutes_setting():
    assert auth.idle_minutes({}) == 30
    assert auth.idle_minutes({auth.IDLE_ENV_VAR: "12"}) == 12
    for bad in ("0", "-5", "soon", "nan", "inf", ""):
        assert auth.idle_minutes({auth.IDLE_ENV_VAR: bad}) == 30


def test_sign_out(state, store, warehouse):
    at = sign_in(run(app()), "pat", PASSWORD)
    next(b for b in at.sidebar.button if b.label == "Sign out").click()
    run(at)
    assert at.info[0].value == "You have signed out."
    sign_in_form_only(at)
    assert [e["event"] for e in log()] == ["sign_in", "page_view", "sign_out"]
    assert log("sign_out")[0]["username"] == "pat"


def test_a_removed_account_is_signed_out_and_a_new_role_applies_at_once(state, store, warehouse):
    at = sign_in(run(app()), "pat", PASSWORD)
    store.set_role("pat", "scrutiny")
    run(at)
    assert at.session_state[auth.SESSION_USER]["role"] == "scrutiny"
    assert "not available to your role (Scrutiny Committee member)" in errors(at)[0]  # the page on screen
    assert log("refused")[-1]["page"] == "corporate-parenting"
    store.remove("pat")
    run(at)
    assert "no longer active" in at.warning[0].value
    sign_in_form_only(at)
    assert log("refused")[-1]["detail"] == {"reason": "account_removed"}


def test_page_views_are_logged_once_per_page_and_query_string(state, store, warehouse):
    """The page's own defaults (written to the query string as it runs) are not a new view; the user's
    choices are."""
    at = sign_in(run(app()), "pat", PASSWORD)
    assert at.query_params.get("quarter") == "2024-25 Q4"  # the page's default
    run(at)
    run(at)
    assert page_views() == ["corporate-parenting"]
    at.query_params["quarter"] = "2024-25 Q2"
    run(at)
    run(at)
    views = log("page_view")
    assert len(views) == 2 and views[1]["detail"] == {"la": "845", "quarter": "2024-25 Q2"}
    at.switch_page("views/qa_framework.py")
    run(at)
    assert page_views() == ["corporate-parenting", "corporate-parenting", "qa-framework"]


# --- pages a role may not see --------------------------------------------------------------------------------


def test_a_page_outside_the_role_is_refused_and_logged(state, store, warehouse, queries):
    at = sign_in(run(app()), "pat", PASSWORD)
    queries.clear()
    at.switch_page("views/cscmt.py")
    run(at)
    assert errors(at) == [
        "This page is not available to your role (Corporate Parenting Panel member). Choose a page from the menu; "
        "if you need this one, ask the dashboard's administrator."
    ]
    assert not at.title  # the page itself never ran
    assert queries == []
    [refused] = log("refused")
    assert (refused["username"], refused["page"], refused["detail"]) == ("pat", "cscmt", {"reason": "role_lacks_page"})
    assert "cscmt" not in page_views()


def test_require_page_refuses_signed_out_and_unlisted_roles():
    def script():
        import streamlit as st

        from app import auth

        auth.require_page(st.session_state.get("want", "cscmt"))
        st.write("shown")

    at = AppTest.from_function(script)
    at.run()
    assert [e.value for e in at.error] == ["Please sign in to see this page."]
    at.session_state[auth.SESSION_USER] = signed_in("ann", role="analyst", la_code=None)
    at.run()
    assert not at.error and at.markdown[0].value == "shown"
    at.session_state["want"] = "access-log"
    at.run()
    assert "not available to your role (Performance analyst)" in at.error[0].value


def test_the_administrator_sees_only_the_access_log(state, warehouse):
    users.Store(state).add("root", role="administrator", password=PASSWORD)
    at = sign_in(run(app()), "root", PASSWORD)
    assert page_views() == ["access-log"]
    at.switch_page("views/corporate_parenting.py")
    run(at)
    assert log("refused")[0]["page"] == "corporate-parenting"


# --- the access log must be writable -------------------------------------------------------------------------


def test_no_sign_in_without_an_access_log_entry(state, store, warehouse, monkeypatch):
    def broken(*args, **kwargs):
        raise access_log.AccessLogUnavailable(state / access_log.FILE_NAME, "disk full")

    at = run(app())
    monkeypatch.setattr(access_log, "record", broken)
    at = sign_in(at, "pat", PASSWORD)
    assert "access log cannot be written" in errors(at)[0]
    assert auth.SESSION_USER not in at.session_state


def test_no_page_without_an_access_log_entry(state, store, warehouse, monkeypatch, queries):
    monkeypatch.setattr(
        access_log, "record", lambda *a, **k: (_ for _ in ()).throw(access_log.AccessLogUnavailable(state, "gone"))
    )
    at = app()
    at.session_state[auth.SESSION_USER] = signed_in()
    at.session_state[auth.LAST_SEEN] = time.time()
    run(at)
    assert "access log cannot be written" in errors(at)[0]
    assert not at.title and queries == []


def test_an_unreadable_accounts_file_closes_sign_in(state, store, warehouse):
    (state / users.FILE_NAME).write_text("{broken")
    at = sign_in(run(app()), "pat", PASSWORD)
    assert "list of accounts cannot be read" in errors(at)[0]
    assert auth.SESSION_USER not in at.session_state


# --- single sign-on (Streamlit's OIDC) -----------------------------------------------------------------------


def test_without_auth_secrets_there_is_no_sso_button(state, store):
    at = run(app())
    assert auth.SSO_BUTTON not in [b.label for b in at.button]


def test_sso_button_when_configured(state, store, monkeypatch):
    import streamlit

    calls = []
    monkeypatch.setattr(streamlit, "login", lambda *a, **k: calls.append(a))
    at = app()
    at.secrets = dict(SSO_SECRETS)
    at.user = {"is_logged_in": False}
    run(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]  # local accounts still work
    at.button(key=auth.SSO_BUTTON_KEY).click()
    run(at)
    assert calls == [()]


def test_an_sso_identity_on_the_list_signs_in(state, store, warehouse):
    at = app()
    at.secrets = dict(SSO_SECRETS)
    at.user = {"is_logged_in": True, "email": "Ann@Example.org", "name": "Ann"}
    run(at)
    assert at.session_state[auth.SESSION_USER] == signed_in("ann", role="analyst", method="sso", la_code=None,
                                                             display_name="ann")
    assert at.title[0].value == "Corporate Parenting Panel"  # the analyst's first page
    [entry] = log("sign_in")
    assert entry["username"] == "ann" and entry["detail"] == {"email": "Ann@Example.org", "method": "sso"}


def test_an_sso_identity_not_on_the_list_is_refused(state, store, warehouse, queries):
    at = app()
    at.secrets = dict(SSO_SECRETS)
    at.user = {"is_logged_in": True, "email": "stranger@example.org"}
    run(at)
    assert "not on this dashboard's list of users" in errors(at)[0]
    assert auth.SESSION_USER not in at.session_state and queries == []
    run(at)  # logged once, not on every rerun
    [entry] = log("sign_in_failed")
    assert entry["username"] == "stranger@example.org"
    assert entry["detail"] == {"email": "stranger@example.org", "method": "sso", "reason": "not_on_allow_list"}
    at.button(key=auth.SSO_LOGOUT_KEY).click()
    run(at)
    assert at.user == {"is_logged_in": False}


def test_an_expired_sso_session_also_signs_out_of_the_identity(state, store, warehouse):
    at = app()
    at.secrets = dict(SSO_SECRETS)
    at.user = {"is_logged_in": True, "email": "ann@example.org"}
    at.session_state[auth.SESSION_USER] = signed_in("ann", role="analyst", method="sso", la_code=None)
    at.session_state[auth.LAST_SEEN] = time.time() - 60 * 60
    run(at)
    assert at.user == {"is_logged_in": False}  # st.logout(): the next run does not sign straight back in
    assert [e["event"] for e in log()] == ["session_expired"]


def test_identity_mapping(state, store):
    ann = store.get("ann")
    assert auth.map_identity({"email": " ANN@example.org "}, store) == (ann, "ok")
    assert auth.map_identity({"email": "ann@example.org", "email_verified": False}, store) == (
        None, "email_not_verified",
    )
    assert auth.map_identity({"name": "No Email"}, store) == (None, "no_email")
    assert auth.map_identity({"email": "who@example.org"}, store) == (None, "not_on_allow_list")


# --- child-level detail needs the role -----------------------------------------------------------------------


def _child_level_script():
    import streamlit as st

    from app import access

    st.write(f"allowed={access.child_level_detail()}")


@pytest.mark.parametrize(("role", "expected"), [("dcs", False), ("practice_manager", True), ("analyst", True)])
def test_child_level_detail_needs_the_roles_child_level(monkeypatch, role, expected):
    monkeypatch.setenv(access.ENV_VAR, "1")
    at = AppTest.from_function(_child_level_script)
    at.session_state[auth.SESSION_USER] = signed_in("x", role=role)
    at.run()
    if expected:
        at.toggle(key=access.TOGGLE_KEY).set_value(True)
        at.run()
    else:
        toggle = at.toggle(key=access.ROLE_OFF_KEY)
        assert toggle.disabled and toggle.value is False
    assert at.markdown[0].value == f"allowed={expected}"


def test_child_level_detail_is_off_when_signed_out(monkeypatch):
    monkeypatch.setenv(access.ENV_VAR, "1")
    at = AppTest.from_function(_child_level_script)
    at.run()
    assert at.markdown[0].value == "allowed=False"
