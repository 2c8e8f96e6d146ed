"""Local accounts: `<state dir>/users.json`, outside the warehouse (docs/contracts.md, "Accounts").

`{"version": 1, "users": {"<username>": {"display_name", "role", "la_code", "service_id", "team_id",
"password_hash", "sso_email", "created_at", "disabled"}}}`.

* Usernames are lower-case `[a-z0-9._-]{2,64}` (what people type is stripped and lower-cased).
* Passwords are hashed with argon2id (`argon2-cffi`, its RFC 9106 defaults); the password itself is never
  stored or printed. A null `password_hash` means the account signs in only by single sign-on.
* `sso_email` (lower-case, unique) maps an identity from Streamlit's OIDC sign-in to the account.
* The folder is 0700 and the files 0600. Every change is a read-modify-write under an exclusive `flock` on
  `users.lock`, written to a temporary file in the same folder and renamed over users.json, so two writers never
  clobber each other and a reader never sees half a file.
* Five failed passwords for one username within 15 minutes lock it for 15 minutes; the failures are kept in
  `sign_in_failures.json` beside it (for any well-formed username tried, so a lockout says nothing about whether
  the account exists). A correct password clears them.
* Checking an unknown username, a disabled account or one without a password still runs a full argon2
  verification (against a dummy hash), so the time taken does not tell whether the account exists.

Nothing here knows about Streamlit: the command line (`csqa users`) and the app share it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app import roles
from app.state import FILE_MODE, make_dir, state_dir

VERSION = 1
FILE_NAME = "users.json"
FAILURES_FILE = "sign_in_failures.json"
LOCK_FILE = "users.lock"
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
LOCKOUT_SECONDS = 15 * 60
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # longer is refused outright (never hashed): no one types more, and it bounds the work
MAX_DISPLAY_NAME = 200
DEMO_PREFIX = "demo-"

USERNAME = re.compile(r"[a-z0-9._-]{2,64}")
LA_CODE = re.compile(r"[0-9]{3}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,253}")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
FIELDS = (
    "display_name",
    "role",
    "la_code",
    "service_id",
    "team_id",
    "password_hash",
    "sso_email",
    "created_at",
    "disabled",
)


class UserError(ValueError):
    """A request the store refuses: a bad username, unknown role, duplicate account, weak password, ..."""


class DuplicateUser(UserError):
    """An account with that username (or single sign-on email) already exists."""


class UnknownUser(LookupError):
    def __init__(self, username: str) -> None:
        super().__init__(f"no account called {username!r}")
        self.username = username


class UsersFileError(RuntimeError):
    """users.json (or the failures file) is not what this version writes."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    la_code: str | None = None
    service_id: str | None = None
    team_id: str | None = None
    password_hash: str | None = field(default=None, repr=False)
    sso_email: str | None = None
    created_at: str | None = None
    disabled: bool = False

    def session(self, method: str) -> dict[str, Any]:
        """What `st.session_state["csqa_user"]` holds for this account (docs/contracts.md, "Sessions")."""
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "la_code": self.la_code,
            "service_id": self.service_id,
            "team_id": self.team_id,
            "method": method,
        }

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        del record["username"]
        return record

    @classmethod
    def from_json(cls, username: str, record: dict[str, Any]) -> User:
        if not isinstance(record, dict):
            raise UsersFileError(f"{FILE_NAME}: the entry for {username!r} is not an object")
        values = {k: record.get(k) for k in FIELDS}
        values["disabled"] = bool(values["disabled"])
        values["display_name"] = values["display_name"] or username
        return cls(username=username, **values)


@dataclass(frozen=True)
class SignInResult:
    """The outcome of checking a password. `reason`: `ok`, `unknown_user`, `wrong_password`, `no_password`
    (single sign-on only), `disabled` or `locked`. `locked_until` (epoch seconds) is set while the username is
    locked, including by this attempt."""

    username: str
    reason: str
    user: User | None = None
    locked_until: float | None = None

    @property
    def ok(self) -> bool:
        return self.reason == "ok" and self.user is not None


# --- checking what comes in --------------------------------------------------------------------------------


def normalise_username(text: Any) -> str:
    return str(text or "").strip().lower()


def check_username(text: Any) -> str:
    name = normalise_username(text)
    if not USERNAME.fullmatch(name):
        raise UserError(
            f"{str(text)!r} is not a valid username: use 2 to 64 lower-case letters, digits, dots, hyphens or "
            "underscores"
        )
    return name


def check_role(role: Any) -> str:
    role_id = str(role or "").strip()
    if role_id not in roles.role_ids():
        raise UserError(f"{role_id!r} is not a role; choose one of {', '.join(roles.role_ids())}")
    return role_id


def check_password(password: Any) -> str:
    if not isinstance(password, str):
        raise UserError("a password must be text")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"a password may have at most {MAX_PASSWORD} characters")
    return password


def check_email(email: Any) -> str | None:
    if email is None or str(email).strip() == "":
        return None
    text = str(email).strip().lower()
    if len(text) > 254 or not EMAIL.fullmatch(text):
        raise UserError(f"{str(email)!r} is not an email address")
    return text


def _clean_id(value: Any, what: str) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if len(text) > 100 or _UNSAFE.search(text):
        raise UserError(f"{text!r} is not a valid {what}")
    return text


def _clean_display_name(value: Any, username: str) -> str:
    text = _UNSAFE.sub("", str(value or "")).strip()
    if len(text) > MAX_DISPLAY_NAME:
        raise UserError(f"a display name may have at most {MAX_DISPLAY_NAME} characters")
    return text or username


def check_scope(role: str, la_code: Any, service_id: Any, team_id: Any) -> tuple[str | None, str | None, str | None]:
    """(la_code, service_id, team_id), checked: no authority only for analysts and administrators; a service
    or a team (not both) only within an authority."""
    la = None if la_code is None or str(la_code).strip() == "" else str(la_code).strip()
    if la is not None and not LA_CODE.fullmatch(la):
        raise UserError(f"{la!r} is not an authority code (three digits, e.g. 845)")
    service = _clean_id(service_id, "service id")
    team = _clean_id(team_id, "team id")
    if la is None and role not in roles.ALL_AUTHORITY_ROLES:
        raise UserError(
            f"a {role} account needs an authority (--la); only {' and '.join(roles.ALL_AUTHORITY_ROLES)} accounts "
            "may see every authority"
        )
    if (service or team) and la is None:
        raise UserError("a service or team scope needs an authority (--la) as well")
    if service and team:
        raise UserError("scope an account to a service or to a team, not both")
    return la, service, team


def generate_password() -> str:
    """A fresh random password (20 URL-safe characters, about 120 bits), starting with a letter or digit so it
    is never mistaken for a command-line option."""
    while True:
        password = secrets.token_urlsafe(15)
        if password[0].isalnum():
            return password


# --- the hasher and its dummy hash -------------------------------------------------------------------------


def default_hasher() -> PasswordHasher:
    return PasswordHasher(type=Type.ID)  # argon2-cffi's RFC 9106 low-memory profile, argon2id


@functools.cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int, hash_len: int, salt_len: int) -> str:
    hasher = PasswordHasher(time_cost, memory_cost, parallelism, hash_len, salt_len, type=Type.ID)
    return hasher.hash(secrets.token_urlsafe(32))


def _dummy_for(hasher: PasswordHasher) -> str:
    return _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len)


# --- the store ---------------------------------------------------------------------------------------------


def _now_iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")


class Store:
    """The accounts in one state folder (default: the app's state dir)."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.folder = Path(folder) if folder is not None else state_dir()
        self.clock = clock
        self.hasher = hasher or default_hasher()

    @property
    def path(self) -> Path:
        return self.folder / FILE_NAME

    @property
    def failures_path(self) -> Path:
        return self.folder / FAILURES_FILE

    def exists(self) -> bool:
        return self.path.is_file()

    # --- files -----------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            make_dir(self.folder)
            fd = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise UsersFileError(f"the accounts folder {self.folder} cannot be used: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read_json(self, path: Path, default: dict[str, Any]) -> dict[str, Any]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return default
        except OSError as exc:  # not a folder, no permission, ...
            raise UsersFileError(f"{path} cannot be read: {exc}") from exc
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsersFileError(f"{path} is not valid JSON: {exc}") from None
        if not isinstance(doc, dict) or doc.get("version") != VERSION:
            raise UsersFileError(f"{path} is not a version {VERSION} file")
        return doc

    def _write_json(self, path: Path, doc: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=self.folder)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, indent=2, sort_keys=True)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):  # make the rename durable where the platform allows it
            dir_fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def _read_users(self) -> dict[str, dict[str, Any]]:
        doc = self._read_json(self.path, {"version": VERSION, "users": {}})
        users = doc.get("users")
        if not isinstance(users, dict):
            raise UsersFileError(f"{self.path}: 'users' is not an object")
        return users

    def _write_users(self, users: dict[str, dict[str, Any]]) -> None:
        self._write_json(self.path, {"version": VERSION, "users": dict(sorted(users.items()))})

    # --- reading ---------------------------------------------------------------------------------------------

    def list(self) -> list[User]:
        return [User.from_json(name, record) for name, record in sorted(self._read_users().items())]

    def get(self, username: str) -> User | None:
        name = normalise_username(username)
        record = self._read_users().get(name)
        return User.from_json(name, record) if record is not None else None

    def by_sso_email(self, email: str | None) -> User | None:
        """The account whose `sso_email` is this identity's email (compared lower-case), or None."""
        wanted = str(email or "").strip().lower()
        if not wanted:
            return None
        for name, record in self._read_users().items():
            if isinstance(record, dict) and str(record.get("sso_email") or "").lower() == wanted:
                return User.from_json(name, record)
        return None

    # --- changing --------------------------------------------------------------------------------------------

    def _new_user(
        self,
        username: str,
        *,
        role: str,
        password_hash: str | None,
        la_code: str | None,
        service_id: str | None,
        team_id: str | None,
        display_name: str | None,
        sso_email: str | None,
    ) -> User:
        name = check_username(username)
        role_id = check_role(role)
        la, service, team = check_scope(role_id, la_code, service_id, team_id)
        return User(
            username=name,
            display_name=_clean_display_name(display_name, name),
            role=role_id,
            la_code=la,
            service_id=service,
            team_id=team,
            password_hash=password_hash,
            sso_email=check_email(sso_email),
            created_at=_now_iso(self.clock()),
            disabled=False,
        )

    def _hash(self, password: str | None) -> str | None:
        return None if password is None else self.hasher.hash(check_password(password))

    @staticmethod
    def _check_unique_email(users: dict[str, dict[str, Any]], user: User) -> None:
        if user.sso_email is None:
            return
        for name, record in users.items():
            if name != user.username and str(record.get("sso_email") or "").lower() == user.sso_email:
                raise DuplicateUser(f"{user.sso_email} is already the single sign-on email of {name}")

    def add(
        self,
        username: str,
        *,
        role: str,
        password: str | None = None,
        la_code: str | None = None,
        service_id: str | None = None,
        team_id: str | None = None,
        display_name: str | None = None,
        sso_email: str | None = None,
    ) -> User:
        """Add an account. With no password it can sign in only by single sign-on (it then needs an email)."""
        if password is None and sso_email is None:
            raise UserError("an account needs a password or a single sign-on email (or both)")
        # Check everything before the (slow) hash, and hash before taking the lock.
        probe = self._new_user(
            username, role=role, password_hash=None, la_code=la_code, service_id=service_id, team_id=team_id,
            display_name=display_name, sso_email=sso_email,
        )
        user = User(**{**asdict(probe), "password_hash": self._hash(password)})
        with self._locked():
            users = self._read_users()
            if user.username in users:
                raise DuplicateUser(f"there is already an account called {user.username}")
            self._check_unique_email(users, user)
            users[user.username] = user.to_json()
            self._write_users(users)
        return user

    def remove(self, username: str) -> User:
        name = normalise_username(username)
        with self._locked():
            users = self._read_users()
            if name not in users:
                raise UnknownUser(name)
            removed = User.from_json(name, users.pop(name))
            self._write_users(users)
            self._forget_failures(name)
        return removed

    def set_role(self, username: str, role: str) -> User:
        """Change an account's role (its scope must suit the new role)."""
        role_id = check_role(role)
        name = normalise_username(username)
        with self._locked():
            users = self._read_users()
            if name not in users:
                raise UnknownUser(name)
            user = User.from_json(name, users[name])
            check_scope(role_id, user.la_code, user.service_id, user.team_id)
            users[name] = {**users[name], "role": role_id}
            self._write_users(users)
        return User.from_json(name, users[name])

    def set_password(self, username: str, password: str) -> User:
        password_hash = self._hash(password)
        name = normalise_username(username)
        with self._locked():
            users = self._read_users()
            if name not in users:
                raise UnknownUser(name)
            users[name] = {**users[name], "password_hash": password_hash}
            self._write_users(users)
            self._forget_failures(name)
        return User.from_json(name, users[name])

    def replace_prefixed(self, prefix: str, accounts: list[dict[str, Any]]) -> list[User]:
        """Remove every account whose username starts with `prefix` and add `accounts` (keyword arguments of
        `add`, each username starting with the prefix), in one change. Used by `csqa demo`."""
        if not prefix:
            raise UserError("a prefix is needed")
        new: list[User] = []
        for account in accounts:
            account = dict(account)
            password = account.pop("password", None)
            username = account.pop("username")
            if not normalise_username(username).startswith(prefix):
                raise UserError(f"{username!r} does not start with {prefix!r}")
            probe = self._new_user(username, password_hash=None, **{
                k: account.get(k) for k in ("role", "la_code", "service_id", "team_id", "display_name", "sso_email")
            })
            new.append(User(**{**asdict(probe), "password_hash": self._hash(password)}))
        with self._locked():
            users = {n: r for n, r in self._read_users().items() if not n.startswith(prefix)}
            for user in new:
                if user.username in users:
                    raise DuplicateUser(f"{user.username} is listed twice")
                self._check_unique_email(users, user)
                users[user.username] = user.to_json()
            self._write_users(users)
            for user in new:
                self._forget_failures(user.username)
        return new

    # --- signing in ------------------------------------------------------------------------------------------

    def _read_failures(self) -> dict[str, dict[str, Any]]:
        try:
            doc = self._read_json(self.failures_path, {"version": VERSION, "accounts": {}})
        except UsersFileError:
            return {}  # a damaged failures file only loses the count; it is rewritten at the next failure
        accounts = doc.get("accounts")
        return accounts if isinstance(accounts, dict) else {}

    def _write_failures(self, accounts: dict[str, dict[str, Any]]) -> None:
        now = self.clock()
        kept = {}
        for name, entry in accounts.items():
            recent = [t for t in entry.get("failures", []) if now - t < FAILURE_WINDOW_SECONDS]
            until = entry.get("locked_until")
            if recent or (until is not None and until > now):
                kept[name] = {"failures": recent, "locked_until": until if until and until > now else None}
        self._write_json(self.failures_path, {"version": VERSION, "accounts": kept})

    def _forget_failures(self, name: str) -> None:
        """Inside the lock: clear a username's failures (after a success, a removal or a new password)."""
        accounts = self._read_failures()
        if name in accounts:
            del accounts[name]
            self._write_failures(accounts)

    def locked_until(self, username: str) -> float | None:
        """When the username's lockout ends (epoch seconds), or None if it is not locked."""
        entry = self._read_failures().get(normalise_username(username)) or {}
        until = entry.get("locked_until")
        return float(until) if until is not None and until > self.clock() else None

    def _record_failure(self, name: str) -> float | None:
        """Inside the lock: count a failed password; returns the lockout end if this one locks the username."""
        now = self.clock()
        accounts = self._read_failures()
        entry = accounts.get(name) or {}
        recent = [t for t in entry.get("failures", []) if now - t < FAILURE_WINDOW_SECONDS] + [now]
        until = None
        if len(recent) >= MAX_FAILURES:
            until, recent = now + LOCKOUT_SECONDS, []
        accounts[name] = {"failures": recent, "locked_until": until}
        self._write_failures(accounts)
        return until

    def verify_password(self, username: str, password: str) -> SignInResult:
        """Check a username and password (see the module notes for lockout and timing)."""
        name = normalise_username(username)
        well_formed = bool(USERNAME.fullmatch(name))
        if well_formed:
            until = self.locked_until(name)
            if until is not None:
                return SignInResult(name, "locked", locked_until=until)
        record = self._read_users().get(name) if well_formed else None
        user = User.from_json(name, record) if record is not None else None
        text = password if isinstance(password, str) else ""
        if len(text) > MAX_PASSWORD:
            text = ""  # never hash an over-long input; the dummy check below still takes the usual time
        if user is None or not user.password_hash or user.disabled or not text:
            self._verify(_dummy_for(self.hasher), text or "-")
            reason = (
                "unknown_user" if user is None
                else "disabled" if user.disabled
                else "no_password" if not user.password_hash
                else "wrong_password"
            )
            ok = False
        else:
            ok = self._verify(user.password_hash, text)
            reason = "ok" if ok else "wrong_password"
        if not well_formed:
            return SignInResult(name, reason)
        with self._locked():
            if ok:
                self._forget_failures(name)
                self._rehash_if_needed(name, user, text)
                return SignInResult(name, "ok", user=user)
            until = self._record_failure(name)
        return SignInResult(name, reason, locked_until=until)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _rehash_if_needed(self, name: str, user: User | None, password: str) -> None:
        """Inside the lock: after a correct password, bring an old hash up to the current parameters."""
        if user is None or not user.password_hash:
            return
        try:
            if not self.hasher.check_needs_rehash(user.password_hash):
                return
        except InvalidHashError:
            return
        users = self._read_users()
        if name in users and users[name].get("password_hash") == user.password_hash:
            users[name] = {**users[name], "password_hash": self.hasher.hash(password)}
            self._write_users(users)
