"""The `csqa` command line: generate, ingest, build, serve, demo, status, report.

Exit codes: 0 success; 1 input rejected or a build failed; 2 wrong usage.
"""

from __future__ import annotations

import argparse
import os
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
                       progress=_say)
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
        _err(str(exc))
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
    if code or args.no_serve:
        return code
    return cmd_serve(args)


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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        _err(str(exc))
        return 2
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
