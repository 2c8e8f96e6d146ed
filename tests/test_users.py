"""Local accounts (app/users.py, docs/contracts.md "Accounts"): argon2id hashes, never the password; 0700/0600;
add, remove, set-role, list; duplicates and bad input refused; timing-safe checks; lockout after five failures
and its expiry (with an injected clock); single sign-on lookup; two writers at once; and `csqa users` and the demo
accounts through the command line."""

from __future__ import annotations

import io
import json
import os
import stat
import threading
from pathlib import Path

import duckdb
import pytest
from argon2 import PasswordHasher, Type

from app import roles, users
from ingest import cli
from ingest.paths import DataDir

PASSWORD = "correct horse battery staple"
FAST = dict(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


class Clock:
    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


class CountingHasher(PasswordHasher):
    """A fast argon2id hasher that counts verifications."""

    def __init__(self) -> None:
        super().__init__(**FAST)
        self.verifications = 0

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def store(folder, clock) -> users.Store:
    return users.Store(folder, clock=clock, hasher=CountingHasher())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def stored(folder: Path) -> dict:
    return json.loads((folder / users.FILE_NAME).read_text())


# --- hashes and files ----------------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_never_as_text(folder):
    store = users.Store(folder)  # the real parameters
    store.add("alice", role="analyst", password=PASSWORD)
    text = (folder / users.FILE_NAME).read_text()
    assert PASSWORD not in text
    record = stored(folder)["users"]["alice"]
    assert record["password_hash"].startswith("$argon2id$v=19$")
    assert "m=65536,t=3,p=4" in record["password_hash"]  # argon2-cffi's RFC 9106 low-memory profile
    assert store.verify_password("alice", PASSWORD).ok
    assert not store.verify_password("alice", PASSWORD + "!").ok


def test_the_file_layout_is_the_contracts(store, folder):
    store.add("alice", role="dcs", password=PASSWORD, la_code="845", display_name="Alice Smith",
              sso_email="Alice.Smith@Example.gov.uk")
    doc = stored(folder)
    assert doc["version"] == 1
    assert set(doc["users"]["alice"]) == {
        "display_name", "role", "la_code", "service_id", "team_id", "password_hash", "sso_email", "created_at",
        "disabled",
    }
    record = doc["users"]["alice"]
    assert record["sso_email"] == "alice.smith@example.gov.uk"
    assert (record["role"], record["la_code"], record["display_name"], record["disabled"]) == (
        "dcs", "845", "Alice Smith", False,
    )
    assert record["created_at"] == "2025-06-15T15:06:40+00:00"


def test_folder_is_0700_and_files_0600_whatever_the_umask(store, folder):
    old = os.umask(0o000)
    try:
        store.add("alice", role="analyst", password=PASSWORD)
        store.verify_password("alice", "not the password")  # writes the failures file
    finally:
        os.umask(old)
    assert mode(folder) == 0o700
    for name in (users.FILE_NAME, users.FAILURES_FILE, users.LOCK_FILE):
        assert mode(folder / name) == 0o600, name
    assert not [p for p in folder.iterdir() if p.suffix == ".tmp"]  # written through a renamed temporary file


def test_the_default_folder_is_the_app_state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "elsewhere"))
    assert users.Store().path == tmp_path / "elsewhere" / "users.json"
    monkeypatch.delenv("CSQA_STATE_DIR")
    monkeypatch.setenv("CSQA_WAREHOUSE", str(tmp_path / "served" / "warehouse.duckdb"))
    assert users.Store().path == tmp_path / "served" / "state" / "users.json"


# --- managing accounts ---------------------------------------------------------------------------------------


def test_add_remove_set_role_and_list(store):
    store.add("bob", role="analyst", password=PASSWORD)
    store.add("alice", role="practice_manager", password=PASSWORD, la_code="845", team_id="845-T01")
    assert [u.username for u in store.list()] == ["alice", "bob"]
    alice = store.get("ALICE ")
    assert (alice.role, alice.la_code, alice.team_id, alice.display_name) == ("practice_manager", "845", "845-T01",
                                                                            "alice")
    assert store.set_role("alice", "head_of_service").role == "head_of_service"
    assert store.get("alice").role == "head_of_service"
    assert store.verify_password("alice", PASSWORD).ok  # the password survives a role change
    assert store.remove("bob").username == "bob"
    assert [u.username for u in store.list()] == ["alice"]
    with pytest.raises(users.UnknownUser):
        store.remove("bob")
    with pytest.raises(users.UnknownUser):
        store.set_role("bob", "dcs")
    with pytest.raises(users.UserError, match="not a role"):
        store.set_role("alice", "wizard")


def test_session_dict_is_the_contracts(store):
    user = store.add("alice", role="operations_manager", password=PASSWORD, la_code="845", service_id="845-S2",
                     display_name="Alice")
    assert user.session("password") == {
        "username": "alice", "display_name": "Alice", "role": "operations_manager", "la_code": "845",
        "service_id": "845-S2", "team_id": None, "method": "password",
    }


def test_duplicates_are_refused(store):
    store.add("alice", role="analyst", password=PASSWORD, sso_email="alice@example.org")
    with pytest.raises(users.DuplicateUser):
        store.add("Alice", role="analyst", password=PASSWORD)
    with pytest.raises(users.DuplicateUser, match="single sign-on email"):
        store.add("bob", role="analyst", password=PASSWORD, sso_email="ALICE@example.org")
    assert [u.username for u in store.list()] == ["alice"]


@pytest.mark.parametrize(
    "username",
    ["", "a", "x" * 65, "has space", "slash/name", "back\\slash", "ünïcode", "semi;colon", "new\nline", "at@sign"],
)
def test_bad_usernames_are_refused(store, username):
    with pytest.raises(users.UserError, match="not a valid username"):
        store.add(username, role="analyst", password=PASSWORD)


def test_usernames_are_stored_lower_case(store):
    assert store.add("  Jo.Bloggs-2_x ", role="analyst", password=PASSWORD).username == "jo.bloggs-2_x"
    assert store.verify_password("JO.BLOGGS-2_X", PASSWORD).ok


def test_scope_rules(store):
    with pytest.raises(users.UserError, match="needs an authority"):
        store.add("dee", role="dcs", password=PASSWORD)
    with pytest.raises(users.UserError, match="authority code"):
        store.add("dee", role="dcs", password=PASSWORD, la_code="84")
    with pytest.raises(users.UserError, match="not both"):
        store.add("dee", role="dcs", password=PASSWORD, la_code="845", service_id="845-S1", team_id="845-T01")
    with pytest.raises(users.UserError, match="needs an authority"):
        store.add("dee", role="analyst", password=PASSWORD, team_id="845-T01")
    for role in roles.ALL_AUTHORITY_ROLES:
        assert store.add(f"all-{role}", role=role, password=PASSWORD).la_code is None
    with pytest.raises(users.UserError, match="needs an authority"):
        store.set_role("all-analyst", "dcs")  # an every-authority account cannot become a one-authority role
    assert store.get("all-analyst").role == "analyst"


def test_passwords_and_sign_in_methods(store):
    with pytest.raises(users.UserError, match="at least 12"):
        store.add("dee", role="analyst", password="short")
    with pytest.raises(users.UserError, match="password or a single sign-on email"):
        store.add("dee", role="analyst")
    sso_only = store.add("dee", role="analyst", sso_email="dee@example.org")
    assert sso_only.password_hash is None
    result = store.verify_password("dee", PASSWORD)
    assert not result.ok and result.reason == "no_password"
    with pytest.raises(users.UserError, match="not an email"):
        store.add("eve", role="analyst", password=PASSWORD, sso_email="not-an-email")


def test_generated_passwords_are_long_and_fresh():
    made = {users.generate_password() for _ in range(50)}
    assert len(made) == 50 and all(len(p) >= 20 for p in made)


# --- checking passwords --------------------------------------------------------------------------------------


def test_every_failure_takes_a_full_verification(store, folder):
    """Unknown users, disabled accounts and single-sign-on-only accounts still run one argon2 verification
    (against a dummy hash), like a wrong password, so timing does not tell them apart."""
    store.add("alice", role="analyst", password=PASSWORD)
    store.add("sso", role="analyst", sso_email="sso@example.org")
    store.add("off", role="analyst", password=PASSWORD)
    doc = stored(folder)
    doc["users"]["off"]["disabled"] = True
    (folder / users.FILE_NAME).write_text(json.dumps(doc))
    hasher = store.hasher
    for username, password, reason in [
        ("alice", PASSWORD, "ok"),
        ("alice", "wrong password!", "wrong_password"),
        ("nobody", PASSWORD, "unknown_user"),
        ("sso", PASSWORD, "no_password"),
        ("off", PASSWORD, "disabled"),
        ("alice", "", "wrong_password"),
        ("alice", "x" * (users.MAX_PASSWORD + 1), "wrong_password"),
    ]:
        before = hasher.verifications
        result = store.verify_password(username, password)
        assert result.reason == reason, username
        assert result.ok is (reason == "ok")
        assert (result.user is not None) is (reason == "ok")
        assert hasher.verifications == before + 1, (username, reason)


def test_lockout_after_five_failures_in_fifteen_minutes_and_its_expiry(store, clock):
    store.add("alice", role="analyst", password=PASSWORD)
    for n in range(4):
        result = store.verify_password("alice", f"wrong {n} password")
        assert result.reason == "wrong_password" and result.locked_until is None
        clock.advance(1)
    fifth = store.verify_password("alice", "wrong 5 password")
    assert fifth.reason == "wrong_password" and fifth.locked_until == clock.now + 15 * 60
    clock.advance(14)
    locked = store.verify_password("alice", PASSWORD)  # even the right password
    assert not locked.ok and locked.reason == "locked" and locked.locked_until == fifth.locked_until
    assert store.locked_until("alice") == fifth.locked_until
    clock.advance(1.01)
    assert store.locked_until("alice") is None
    assert store.verify_password("alice", PASSWORD).ok


def test_failures_older_than_fifteen_minutes_do_not_count(store, clock):
    store.add("alice", role="analyst", password=PASSWORD)
    for _ in range(4):
        store.verify_password("alice", "wrong password!!")
    clock.advance(16)
    for _ in range(4):
        assert store.verify_password("alice", "wrong password!!").locked_until is None
    assert store.verify_password("alice", "wrong password!!").locked_until is not None


def test_a_correct_password_clears_the_failures(store):
    store.add("alice", role="analyst", password=PASSWORD)
    for _ in range(4):
        store.verify_password("alice", "wrong password!!")
    assert store.verify_password("alice", PASSWORD).ok
    for _ in range(4):
        assert store.verify_password("alice", "wrong password!!").locked_until is None


def test_unknown_usernames_lock_like_real_ones(store):
    """So a lockout says nothing about whether the account exists."""
    for _ in range(5):
        result = store.verify_password("nobody", "wrong password!!")
    assert result.reason == "unknown_user" and result.locked_until is not None
    assert store.verify_password("nobody", PASSWORD).reason == "locked"


def test_lockout_is_per_username(store):
    store.add("alice", role="analyst", password=PASSWORD)
    store.add("bob", role="analyst", password=PASSWORD)
    for _ in range(5):
        store.verify_password("alice", "wrong password!!")
    assert store.verify_password("alice", PASSWORD).reason == "locked"
    assert store.verify_password("bob", PASSWORD).ok


def test_an_old_hash_is_upgraded_at_sign_in(folder, clock):
    weak = users.Store(folder, clock=clock, hasher=PasswordHasher(**FAST))
    weak.add("alice", role="analyst", password=PASSWORD)
    old_hash = stored(folder)["users"]["alice"]["password_hash"]
    strong = users.Store(folder, clock=clock, hasher=PasswordHasher(time_cost=2, memory_cost=16, parallelism=1,
                                                                     type=Type.ID))
    assert strong.verify_password("alice", PASSWORD).ok
    new_hash = stored(folder)["users"]["alice"]["password_hash"]
    assert new_hash != old_hash and "m=16,t=2,p=1" in new_hash
    assert strong.verify_password("alice", PASSWORD).ok


# --- single sign-on ------------------------------------------------------------------------------------------


def test_sso_lookup_by_email_ignores_case(store):
    store.add("alice", role="dcs", la_code="845", sso_email="Alice@Example.org")
    store.add("bob", role="analyst", password=PASSWORD)
    assert store.by_sso_email(" ALICE@example.ORG ").username == "alice"
    assert store.by_sso_email("bob@example.org") is None
    assert store.by_sso_email("") is None and store.by_sso_email(None) is None


# --- two writers ---------------------------------------------------------------------------------------------


def test_two_writers_at_once_both_land(folder, clock):
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            users.Store(folder, clock=clock, hasher=PasswordHasher(**FAST)).add(
                f"user{n:02d}", role="analyst", password=PASSWORD
            )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(stored(folder)["users"]) == 12


def test_a_damaged_file_is_an_error_not_an_empty_list(store, folder):
    folder.mkdir(parents=True)
    (folder / users.FILE_NAME).write_text("{not json")
    with pytest.raises(users.UsersFileError):
        store.list()
    with pytest.raises(users.UsersFileError):
        store.add("alice", role="analyst", password=PASSWORD)
    assert (folder / users.FILE_NAME).read_text() == "{not json"  # left alone for someone to look at


# --- the command line ----------------------------------------------------------------------------------------


@pytest.fixture
def cli_state(tmp_path, monkeypatch) -> Path:
    """The command line's state folder, with quick (still argon2id) hashing: the real cost is tested above."""
    folder = tmp_path / "cli-state"
    monkeypatch.setenv("CSQA_STATE_DIR", str(folder))
    monkeypatch.setattr(users, "default_hasher", lambda: PasswordHasher(**FAST))
    return folder


def test_cli_add_prints_a_generated_password_once(cli_state, capsys):
    assert cli.main(["users", "add", "alice", "--role", "practice_manager", "--la", "845", "--team", "845-T01",
                     "--name", "Alice Smith", "--sso-email", "Alice@Example.org"]) == 0
    out = capsys.readouterr().out
    password = out.split("password (shown only now): ")[1].split()[0]
    assert len(password) >= 20
    store = users.Store(cli_state)
    assert store.verify_password("alice", password).ok
    alice = store.get("alice")
    assert (alice.role, alice.la_code, alice.team_id, alice.display_name, alice.sso_email) == (
        "practice_manager", "845", "845-T01", "Alice Smith", "alice@example.org",
    )
    assert mode(cli_state / users.FILE_NAME) == 0o600 and mode(cli_state) == 0o700


def test_cli_add_reads_the_password_from_stdin(cli_state, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["users", "add", "bob", "--role", "analyst", "--password-stdin"]) == 0
    out = capsys.readouterr().out
    assert PASSWORD not in out and "password" not in out.split("\n", 1)[1]
    assert users.Store(cli_state).verify_password("bob", PASSWORD).ok
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["users", "add", "carol", "--role", "analyst", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli.main(["users", "add", "carol", "--role", "analyst", "--password-stdin"]) == 2


def test_cli_sso_only_account(cli_state, capsys):
    assert cli.main(["users", "add", "dee", "--role", "analyst", "--sso-only"]) == 2  # needs --sso-email
    assert cli.main(["users", "add", "dee", "--role", "analyst", "--sso-only", "--sso-email", "dee@example.org"]) == 0
    assert "password" not in capsys.readouterr().out
    assert users.Store(cli_state).get("dee").password_hash is None


def test_cli_exit_codes(cli_state, capsys):
    assert cli.main(["users", "add", "alice", "--role", "analyst"]) == 0
    assert cli.main(["users", "add", "carol", "--role", "wizard"]) == 2  # unknown role
    assert cli.main(["users", "add", "Bad Name", "--role", "analyst"]) == 2
    assert cli.main(["users", "add", "carol", "--role", "dcs"]) == 2  # no authority
    assert cli.main(["users", "add", "alice", "--role", "analyst"]) == 1  # already there
    assert cli.main(["users", "set-role", "alice", "wizard"]) == 2
    assert cli.main(["users", "set-role", "nobody", "dcs"]) == 1
    assert cli.main(["users", "remove", "nobody"]) == 1
    assert cli.main(["users", "set-role", "alice", "administrator"]) == 0
    assert users.Store(cli_state).get("alice").role == "administrator"
    assert cli.main(["users", "remove", "alice"]) == 0
    assert users.Store(cli_state).list() == []
    err = capsys.readouterr().err
    assert "'wizard' is not a role" in err and "no account called 'nobody'" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["users"])
    assert exc.value.code == 2


def test_cli_list_never_prints_hashes(cli_state, capsys):
    assert cli.main(["users", "list"]) == 0
    assert "no accounts yet" in capsys.readouterr().out
    cli.main(["users", "add", "alice", "--role", "analyst"])
    cli.main(["users", "add", "bob", "--role", "head_of_service", "--la", "845", "--service", "845-S2",
              "--sso-email", "bob@example.org"])
    capsys.readouterr()
    assert cli.main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "argon2" not in out and "$" not in out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["username", "name", "role", "scope"]
    assert lines[2].startswith("alice") and "every authority" in lines[2] and "password" in lines[2]
    assert lines[3].startswith("bob") and "authority 845, service 845-S2" in lines[3]
    assert "sso bob@example.org" in lines[3]


def test_cli_follows_the_data_folder_without_a_state_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("CSQA_STATE_DIR", raising=False)
    monkeypatch.delenv("CSQA_WAREHOUSE", raising=False)
    monkeypatch.setenv("CSQA_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["users", "add", "alice", "--role", "analyst"]) == 0
    assert (tmp_path / "data" / "state" / "users.json").is_file()


# --- demo accounts -------------------------------------------------------------------------------------------


def demo_warehouse(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create table org_units (la_code varchar, org_level varchar, org_id varchar, org_name varchar, "
                "parent_id varchar, is_mapped boolean)")
    con.executemany("insert into org_units values (?, ?, ?, ?, ?, ?)", [
        ("845", "la", "845", "East Sussex", None, True),
        ("845", "service", "845-S2", "Assessment", "845", True),
        ("845", "service", "845-S1", "Front door", "845", True),
        ("845", "team", "845-T03", "Locality 2", "845-S2", True),
        ("845", "team", "845-T01", "MASH", "845-S1", True),
        ("845", "service", "unmapped", "Unmapped teams", "845", False),
        ("845", "team", "unmapped:Ghost", "Ghost", "unmapped", False),
        ("846", "team", "846-T01", "Elsewhere", "846-S1", True),
    ])
    con.close()


def printed_accounts(out: str) -> dict[str, tuple[str, str]]:
    """username -> (role, password) from the demo's table."""
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0].startswith(users.DEMO_PREFIX):
            rows[parts[0]] = (parts[1], parts[-1])
    return rows


def test_demo_creates_one_account_per_role_and_prints_them(tmp_path, cli_state, capsys):
    data = DataDir(tmp_path / "data")
    demo_warehouse(data.warehouse)
    store = users.Store(cli_state)
    store.add("keep-me", role="analyst", password=PASSWORD)
    assert cli._demo_accounts(data) == 0
    first = printed_accounts(capsys.readouterr().out)
    assert set(first) == {f"demo-{r}" for r in roles.role_ids()}
    for username, (role, password) in first.items():
        assert username == f"demo-{role}"
        assert store.verify_password(username, password).ok
    by_role = {u.role: u for u in store.list() if u.username.startswith("demo-")}
    assert all(u.la_code == "845" for u in by_role.values())
    assert (by_role["practice_manager"].team_id, by_role["practice_manager"].service_id) == ("845-T01", None)
    assert by_role["operations_manager"].service_id == "845-S1"
    assert by_role["head_of_service"].service_id == "845-S1"
    assert by_role["dcs"].service_id is None and by_role["dcs"].team_id is None
    # Run again: fresh passwords replace the old ones; other accounts stay.
    assert cli._demo_accounts(data) == 0
    second = printed_accounts(capsys.readouterr().out)
    for username, (_, password) in second.items():
        assert password != first[username][1]
        assert store.verify_password(username, password).ok
        assert not store.verify_password(username, first[username][1]).ok
    assert store.get("keep-me") is not None
    assert len(store.list()) == len(roles.role_ids()) + 1


def test_demo_scope_falls_back_to_the_generated_reference(tmp_path, cli_state, capsys):
    data = DataDir(tmp_path / "data")
    reference = data.extracts / "demo" / "reference" / "org_units.csv"
    reference.parent.mkdir(parents=True)
    reference.write_text("la_code,team_name,team_id,service_id,service_name\n"
                         "845,Locality 2,845-T03,845-S2,Assessment\n845,CWD,845-T09,845-S2,Assessment\n")
    assert cli._demo_accounts(data) == 0  # no warehouse at all
    capsys.readouterr()
    pm = users.Store(cli_state).get("demo-practice_manager")
    assert (pm.la_code, pm.team_id) == ("845", "845-T03")
    assert users.Store(cli_state).get("demo-operations_manager").service_id == "845-S2"


def test_demo_without_org_units_scopes_managers_to_the_authority(tmp_path, cli_state, capsys):
    assert cli._demo_accounts(DataDir(tmp_path / "data")) == 0
    assert "see the whole authority" in capsys.readouterr().out
    pm = users.Store(cli_state).get("demo-practice_manager")
    assert (pm.la_code, pm.team_id, pm.service_id) == ("845", None, None)
