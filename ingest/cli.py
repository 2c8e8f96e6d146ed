"""The `csqa` command line: generate, ingest, build, serve, demo, status, report, users.

Exit codes: 0 success; 1 input rejected or a build failed; 2 wrong usage.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from ingest.identify import UsageError, parse_year
from ingest.paths import REPO_ROOT, DataDir

DEMO_SEED = 42


def _say(message: str) -> None:
    print(message, flush=True)


def _err(message: str) -> None:
    print(f"csqa: {message}", file=sys.stderr, flush=True)


def cmd_generate(args) -> int:
    from ingest.generate import generate

    summary = generate(Path(args.out), las=args.las, years=args.years, seed=args.seed, end=args.end,
                       progress=_say, workers=args.workers)
    _say(f"wrote {summary.files} files for {len(summary.la_codes)} authorit"
         f"{'y' if len(summary.la_codes) == 1 else 'ies'} to {args.out}")
    return 0


def _ingest(paths: list[Path], la, year, as_at, strict: bool, reload: bool = False) -> int:
    from ingest.load import ingest_paths

    data = DataDir.from_env()
    failed = unidentified = rows_rejected = 0

    def progress(o, i, n):
        nonlocal failed, unidentified, rows_rejected
        where = f"[{i}/{n}]"
        if o.status == "rejected":
            failed += 1
            unidentified += o.unidentified
            _err(f"{where} rejected {o.path}: {o.message}")
            for line in o.first_rejects:  # the records that refused it (a register, a file of wrong rows)
                _err(f"      {line}")
            return
        if o.status == "unchanged":
            _say(f"{where} unchanged: {o.message}")
            return
        rows_rejected += o.rows_rejected
        extra = f", superseding {', '.join(o.superseded)}" if o.superseded else ""
        _say(f"{where} loaded {o.path} as {o.table} {o.la_code or ''} {o.period}".rstrip()
             + f": {o.rows_read:,} read, "
             f"{o.rows_loaded:,} loaded, {o.rows_rejected:,} rejected{extra}")
        for line in o.first_rejects:
            _say(f"      {line}")
        if o.rows_rejected > len(o.first_rejects):
            _say(f"      … {o.rows_rejected - len(o.first_rejects):,} more rejected rows: see `csqa status`")
        for w in o.warnings:
            _say(f"      note: {w}")

    skipped: list[Path] = []
    with data.lock("ingest"):
        ingest_paths(data.landing, paths, la=la, year=year, as_at=as_at, progress=progress, reload=reload,
                     skipped=skipped)
    if skipped:
        _say(f"skipped {len(skipped)} file(s) that are not extracts csqa reads: "
             + ", ".join(p.name for p in skipped[:5]) + (" …" if len(skipped) > 5 else ""))
    if unidentified:
        return 2
    if failed or (strict and rows_rejected):
        return 1
    return 0


def cmd_ingest(args) -> int:
    year = parse_year(args.year) if args.year else None
    return _ingest([Path(p) for p in args.paths], args.la, year, args.as_at, args.strict, args.reload)


def cmd_build(args) -> int:
    from ingest.build import BuildFailed, build

    try:
        build(DataDir.from_env(), progress=_say, unit_tests=getattr(args, "unit_tests", False))
    except BuildFailed as exc:
        # dbt may be the one to hit a full disk (writing the new build): say that plainly, if so.
        _err(_storage_problem(exc) or str(exc))
        return 1
    return 0


def cmd_serve(args) -> int:
    data = DataDir.from_env()
    if not data.warehouse.exists():
        _err(f"no warehouse at {data.warehouse}: run `csqa build` first (or `make demo`)")
        return 1
    env = {**os.environ, "CSQA_WAREHOUSE": str(data.warehouse)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app" / "streamlit_app.py"),
           "--server.port", str(args.port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    _say(f"serving the dashboard at http://localhost:{args.port} (Ctrl+C to stop)")
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def cmd_demo(args) -> int:
    data = DataDir.from_env()
    out = data.extracts / "demo"
    _say(f"1/3 generating synthetic data ({args.las} authority, {args.years} years, seed {DEMO_SEED}) into {out}")
    from ingest.generate import generate

    generate(out, las=args.las, years=args.years, seed=DEMO_SEED, progress=_say)
    _say("2/3 ingesting")
    code = _ingest([out], None, None, None, strict=False)
    if code:
        return code
    _say("3/3 building the warehouse")
    code = cmd_build(args)
    if code:
        return code
    code = _demo_accounts(data)
    if code or args.no_serve:
        return code
    return cmd_serve(args)


DEMO_LA = "845"


def _demo_scope(data: DataDir, la_code: str) -> tuple[str | None, str | None]:
    """(service_id, team_id) for the demo's service- and team-scoped accounts: the first mapped team of the
    authority in the built warehouse's org_units, and its service; else the same from the generated
    reference/org_units.csv; else (None, None)."""
    import csv

    import duckdb

    try:
        con = duckdb.connect(str(data.warehouse), read_only=True)
        try:
            row = con.execute(
                "select org_id, parent_id from org_units where la_code = ? and org_level = 'team' "
                "and coalesce(is_mapped, true) and parent_id is not null order by parent_id, org_id limit 1",
                [la_code],
            ).fetchone()
        finally:
            con.close()
        if row:
            return str(row[1]), str(row[0])
    except duckdb.Error:
        pass
    reference = data.extracts / "demo" / "reference" / "org_units.csv"
    if reference.is_file():
        with open(reference, newline="", encoding="utf-8") as fh:
            rows = sorted(
                (r["service_id"], r["team_id"])
                for r in csv.DictReader(fh)
                if r.get("la_code") == la_code and r.get("service_id") and r.get("team_id")
            )
        if rows:
            return rows[0]
    return None, None


def _demo_accounts(data: DataDir) -> int:
    """Replace the `demo-<role>` accounts, one per role with a fresh random password, and print them."""
    from app import roles, users
    from app.state import state_dir

    service, team = _demo_scope(data, DEMO_LA)
    accounts = []
    for role in roles.all_roles().values():
        account = {
            "username": f"{users.DEMO_PREFIX}{role.role_id}",
            "role": role.role_id,
            "la_code": DEMO_LA,
            "display_name": f"Demo {role.role_name}",
            "password": users.generate_password(),
        }
        if role.role_id == "practice_manager":
            account["team_id"] = team
        elif role.role_id in ("operations_manager", "head_of_service"):
            account["service_id"] = service
        accounts.append(account)
    store = users.Store(state_dir(data.warehouse))  # where `csqa serve` (which serves data.warehouse) looks
    try:
        store.replace_prefixed(users.DEMO_PREFIX, accounts)
    except (users.UserError, users.UsersFileError) as exc:
        _err(f"could not create the demo accounts in {store.path}: {exc}")
        return 1
    passwords = {a["username"]: a["password"] for a in accounts}
    _say(f"demo accounts (in {store.path}; passwords are shown only now, `csqa demo` makes new ones):")
    rows = [("username", "role", "scope", "password")]
    for a in accounts:
        scope = ", ".join(
            f"{label} {a[key]}" for key, label in (("la_code", "authority"), ("service_id", "service"),
                                                   ("team_id", "team")) if a.get(key)
        )
        rows.append((a["username"], a["role"], scope, passwords[a["username"]]))
    for line in _table(rows):
        _say(line)
    if service is None or team is None:
        _say("note: the warehouse names no services or teams, so the manager accounts see the whole authority")
    return 0


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return lines


# --- accounts (`csqa users`) ---------------------------------------------------------------------------------


def _users_store():
    """The accounts store the app uses: `$CSQA_STATE_DIR`, else `state/` beside the served warehouse (the one
    `$CSQA_WAREHOUSE` names, else the data folder's, as `csqa serve` serves it)."""
    from app import users
    from app.state import state_dir

    warehouse = None if os.environ.get("CSQA_WAREHOUSE", "").strip() else DataDir.from_env().warehouse
    return users.Store(state_dir(warehouse))


def _scope_text(user) -> str:
    parts = [f"authority {user.la_code}" if user.la_code else "every authority"]
    if user.service_id:
        parts.append(f"service {user.service_id}")
    if user.team_id:
        parts.append(f"team {user.team_id}")
    return ", ".join(parts)


def _users_call(fn):
    """Run a store change: bad usage exits 2, an unknown or duplicate account or an unreadable file exits 1."""
    from app import users

    try:
        return fn(), 0
    except users.DuplicateUser as exc:
        _err(str(exc))
        return None, 1
    except users.UserError as exc:
        raise UsageError(str(exc)) from None
    except users.UnknownUser as exc:
        _err(f"{exc}; `csqa users list` shows the accounts")
        return None, 1
    except users.UsersFileError as exc:
        _err(str(exc))
        return None, 1


def cmd_users_add(args) -> int:
    from app import users

    store = _users_store()
    generated = False
    if args.password_stdin:
        if args.sso_only:
            raise UsageError("--password-stdin and --sso-only do not go together")
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("--password-stdin: no password on standard input")
    elif args.sso_only:
        if not args.sso_email:
            raise UsageError("--sso-only needs --sso-email")
        password = None
    else:
        password, generated = users.generate_password(), True
    user, code = _users_call(lambda: store.add(
        args.username, role=args.role, password=password, la_code=args.la, service_id=args.service,
        team_id=args.team, display_name=args.name, sso_email=args.sso_email,
    ))
    if code:
        return code
    _say(f"added {user.username}: {user.role}, {_scope_text(user)}"
         + (f", single sign-on as {user.sso_email}" if user.sso_email else ""))
    if generated:
        _say(f"password (shown only now): {password}")
    return 0


def cmd_users_remove(args) -> int:
    store = _users_store()
    user, code = _users_call(lambda: store.remove(args.username))
    if not code:
        _say(f"removed {user.username}")
    return code


def cmd_users_set_role(args) -> int:
    store = _users_store()
    user, code = _users_call(lambda: store.set_role(args.username, args.role))
    if not code:
        _say(f"{user.username} is now {user.role}")
    return code


def cmd_users_list(args) -> int:
    store = _users_store()
    accounts, code = _users_call(store.list)
    if code:
        return code
    if not accounts:
        _say(f"no accounts yet in {store.path}: add one with `csqa users add USERNAME --role ROLE`")
        return 0
    rows = [("username", "name", "role", "scope", "sign-in", "created", "")]
    for u in accounts:
        sign_in = " + ".join(
            ([] if not u.password_hash else ["password"]) + ([f"sso {u.sso_email}"] if u.sso_email else [])
        )
        rows.append((u.username, u.display_name, u.role, _scope_text(u), sign_in or "none",
                     (u.created_at or "")[:10], "disabled" if u.disabled else ""))
    for line in _table(rows):
        _say(line)
    return 0


def cmd_status(args) -> int:
    from ingest.status import status_lines

    for line in status_lines(DataDir.from_env()):
        _say(line)
    return 0


def _report_formats(text: str) -> list[str]:
    chosen = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in ("pdf", "html")]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"{text!r}: choose pdf, html or pdf,html")
    return list(dict.fromkeys(chosen))


def cmd_report(args) -> int:
    """The annual QA review for one financial year, as PDF and HTML, from the served warehouse (read-only)."""
    import logging

    data = DataDir.from_env()
    # The app reads $CSQA_WAREHOUSE, else the repository's data/warehouse.duckdb; say which file, as `serve` does,
    # so the report and the commentary store beside it follow CSQA_DATA_DIR too.
    if not os.environ.get("CSQA_WAREHOUSE", "").strip():
        os.environ["CSQA_WAREHOUSE"] = str(data.warehouse)
    # Outside a Streamlit server the app's query cache lives in memory, and Streamlit warns about that (a level set
    # here would be reset when Streamlit reads its config; a filter stays).
    logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
        lambda record: "No runtime found" not in record.getMessage()
    )
    from app import data as served
    from app import report
    from app.report import document

    try:
        report.parse_year(args.year)
    except ValueError as exc:
        raise UsageError(f"--year {exc}") from None
    path = served.warehouse_path()
    if not path.is_file():
        _err(f"no warehouse at {path}: run `csqa build` first (or `make demo`)")
        return 1
    out = Path(args.out) if args.out else data.root / "reports"
    try:
        authorities = document.available_authorities()
        codes = [r["la_code"] for r in authorities]
        la = args.la
        if la is None:
            if not codes:
                _err(f"the warehouse at {path} holds no year figures for any authority")
                return 1
            if len(codes) > 1:
                raise UsageError(
                    "the warehouse holds more than one authority: choose one with --la ("
                    + ", ".join(f"{r['la_code']} {r['la_name'] or ''}".strip() for r in authorities)
                    + ")"
                )
            la = codes[0]
        if la not in codes:
            raise report.UnknownAuthority(la, codes)
        years = document.available_years(la)
        if args.year not in years:
            raise report.UnknownYear(args.year, years, la)
        _say(f"preparing the annual QA review for {la}, {args.year} …")
        written = report.write_report(la, args.year, out, args.format)
    except report.ReportError as exc:
        _err(str(exc))
        return 1
    except served.WarehouseUnavailable as exc:
        _err(f"the warehouse at {exc.path} could not be read ({exc.reason}{': ' + exc.detail if exc.detail else ''}); "
             "run `csqa build` again")
        return 1
    for p in written:
        _say(str(p))
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in yyyy-mm-dd") from exc


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="csqa", description="Children's social care QA warehouse and dashboard.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    g = sub.add_parser("generate", help="write synthetic extracts (real layouts, invented children)")
    g.add_argument("--out", required=True, help="folder to write into")
    g.add_argument("--las", type=int, default=1, help="number of authorities (first is 845)")
    g.add_argument("--years", type=int, default=6, help="number of collection years")
    g.add_argument("--seed", type=int, default=DEMO_SEED)
    g.add_argument("--end", type=_date, default=None, help="last day of data (default: the last 31 March)")
    g.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="authorities written side by side (default: one per CPU; the files are the same)")
    g.set_defaults(func=cmd_generate)

    i = sub.add_parser("ingest", help="check files against their contracts and load them")
    i.add_argument("paths", nargs="+", help="files or folders (searched for .csv files)")
    i.add_argument("--la", help="authority code for every file (default: from the path)")
    i.add_argument("--year", help="collection year for every file, e.g. 2024-25 (default: from the path)")
    i.add_argument("--as-at", type=_date, help="last day an in-year file covers (yyyy-mm-dd)")
    i.add_argument("--strict", action="store_true", help="exit 1 if any row is rejected, not only files")
    i.add_argument("--reload", action="store_true",
                   help="load files again even if identical bytes were loaded before (e.g. after loading a "
                        "postcode reference, or with a new --as-at)")
    i.set_defaults(func=cmd_ingest)

    b = sub.add_parser("build", help="build the warehouse in a new file and swap it in")
    b.add_argument("--unit-tests", action="store_true",
                   help="also run dbt's unit tests (the SQL on hand-made rows; the test suite does)")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", help="serve the dashboard")
    s.add_argument("--port", type=int, default=8501)
    s.set_defaults(func=cmd_serve)

    d = sub.add_parser("demo", help="generate, ingest, build and serve synthetic data")
    d.add_argument("--no-serve", action="store_true", help="stop after the build")
    d.add_argument("--port", type=int, default=8501)
    d.add_argument("--las", type=int, default=1)
    d.add_argument("--years", type=int, default=6)
    d.set_defaults(func=cmd_demo)

    st = sub.add_parser("status", help="loads, rejected rows and the served build")
    st.set_defaults(func=cmd_status)

    r = sub.add_parser("report", help="write the annual QA review (PDF and HTML) for a financial year")
    r.add_argument("--year", required=True, help="financial year, e.g. 2024-25")
    r.add_argument("--la", help="authority code (default: the only authority in the warehouse)")
    r.add_argument("--out", help="folder to write into (default: the data folder's reports/)")
    r.add_argument("--format", type=_report_formats, default=["pdf", "html"],
                   help="pdf, html or pdf,html (default: both)")
    r.set_defaults(func=cmd_report)

    u = sub.add_parser("users", help="dashboard accounts: add, remove, set-role, list")
    us = u.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    ua = us.add_parser("add", help="add an account (a random password is printed once unless --password-stdin)")
    ua.add_argument("username", help="lower-case letters, digits, dots, hyphens and underscores (2-64)")
    ua.add_argument("--role", required=True, help="a role_id from app/roles.csv")
    ua.add_argument("--la", help="authority code, e.g. 845 (only analyst and administrator may go without)")
    ua.add_argument("--service", help="limit the account to one service (org_id)")
    ua.add_argument("--team", help="limit the account to one team (org_id)")
    ua.add_argument("--name", help="display name")
    ua.add_argument("--sso-email", help="the email of the organisation identity (single sign-on) for this account")
    ua.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    ua.add_argument("--sso-only", action="store_true", help="no password: sign in only by single sign-on")
    ua.set_defaults(func=cmd_users_add)
    ur = us.add_parser("remove", help="remove an account")
    ur.add_argument("username")
    ur.set_defaults(func=cmd_users_remove)
    usr = us.add_parser("set-role", help="change an account's role")
    usr.add_argument("username")
    usr.add_argument("role")
    usr.set_defaults(func=cmd_users_set_role)
    ul = us.add_parser("list", help="list the accounts (never their passwords or hashes)")
    ul.set_defaults(func=cmd_users_list)
    return p


# A full disk, a read-only data folder or a folder this user may not write is the user's to fix, not a bug in csqa:
# say so in one line naming the file and the fix, not with a traceback. DuckDB raises its own exceptions whose text
# carries the system's message, and a commit that failed for lack of space can be hidden behind the failed rollback
# that follows it, so the whole chain of causes is searched.
_STORAGE_ERRORS = {
    errno.ENOSPC: ("no space left on device", "free some space in {folder} and run it again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space in {folder} and run it again"),
    errno.EROFS: ("read-only file system", "make {folder} writable and run it again"),
    errno.EACCES: ("permission denied", "make {folder} writable by this user and run it again"),
    errno.EPERM: ("operation not permitted", "make {folder} writable by this user and run it again"),
}


def _storage_problem(exc: BaseException) -> str | None:
    """One line for a storage error anywhere in exc's chain of causes, else None."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        for code, (what, fix) in _STORAGE_ERRORS.items():
            if isinstance(e, OSError) and e.errno == code:
                where = e.filename2 or e.filename  # a copy names its source first, then the file written
            elif not isinstance(e, OSError) and os.strerror(code) in str(e):
                quoted = re.search(r'"(/[^"]+)"', str(e))  # DuckDB: Could not write file "/path": No space…
                where = quoted.group(1) if quoted else None
            else:
                continue
            folder = DataDir.from_env().root
            # The fix is for the data folder; a file elsewhere (an extract that cannot be read) is only named.
            if where and not Path(where).resolve().is_relative_to(folder):
                return f"{what}: {where}"
            return f"{what}{f': {where}' if where else ''}; {fix.format(folder=folder)}"
        e = e.__cause__ or e.__context__
    return None


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        _err(str(exc))
        return 2
    except Exception as exc:
        problem = _storage_problem(exc)
        if problem is None:
            raise
        _err(problem)
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
