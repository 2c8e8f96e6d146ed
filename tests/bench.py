"""`make bench`: how fast csqa is, and how its cost grows, at three scales.

    python -m tests.bench [--scales demo,regional,national] [--runs 10] [--keep]

For each scale it runs the real commands in a data folder of its own (`data/bench/<scale>/`, or
`$CSQA_BENCH_DIR/<scale>/`) and measures:

* generation: `csqa generate` wall time and the files and bytes written;
* ingest: `csqa ingest` of every file except the last month's, split into the CSV files and the workbooks and
  XML returns, with rows per second; beside it DuckDB's own `read_csv` (every column as text, materialised in
  memory) of the same CSV files, and the ratio of the two. Both run as commands in a fresh Python process, so
  both include starting Python and importing their libraries;
* build: `csqa build` wall time and peak memory (the largest resident set of the build or its dbt child);
* incremental refresh: the held-back last month's files (Annex A, HR, complaints register, QA log, audits)
  ingested, then a rebuild: what a council's monthly refresh costs;
* pages: each page drawn through Streamlit's AppTest, signed in as an analyst, `--runs` times with the query
  cache cleared before each run (the first visitor after a build): median and 95th percentile.

Results go to `docs/benchmarks.json` (every figure) and the table between the markers in `docs/benchmarks.md`
(the prose around it is written by hand). Numbers are wall-clock on the machine named in the report; compare
ratios and medians, not single runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CSQA = [sys.executable, "-m", "ingest.cli"]
DOCS_JSON = REPO / "docs" / "benchmarks.json"
DOCS_MD = REPO / "docs" / "benchmarks.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# The fixed last day keeps every run on the same data (the generator's default is "the last 31 March").
BENCH_END = "2026-03-31"
# Monthly files: the last month's are held back from the first ingest and make the incremental refresh.
MONTHLY = ("annex_a", "hr", "complaints", "qa_activity", "audits")
CSV_DATASETS = ("ssda903", "reference", "hr", "complaints", "qa_activity", "audits")


@dataclass(frozen=True)
class Scale:
    name: str
    las: int  # 0: every authority the generator knows
    years: int
    label: str


SCALES = {
    "demo": Scale("demo", 1, 6, "one authority × 6 years (the demo)"),
    "regional": Scale("regional", 20, 10, "20 authorities × 10 years"),
    "national": Scale("national", 0, 10, "every English authority × 10 years"),
}


def say(msg: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {msg}", flush=True)


def run(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, int]:
    """Run a command to completion: (wall seconds, peak resident set in MB of it or any child it waited for)."""
    t0 = time.perf_counter()
    with open(log, "a") as fh:
        fh.write(f"$ {' '.join(cmd)}\n")
        fh.flush()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)
        # wait4 gives this child's resource use, including the children it waited for (dbt under csqa build).
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {code}): see {log}")
    return seconds, usage.ru_maxrss // 1024


def files_of(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != "csqa-manifest.json")


def last_month_files(extracts: Path) -> list[Path]:
    """The files of the latest month folder (yyyy-mm) of each monthly dataset and authority."""
    held = []
    for dataset in MONTHLY:
        for la in sorted((extracts / dataset).glob("*")):
            months = sorted(d for d in la.glob("*") if re.fullmatch(r"\d{4}-\d{2}", d.name))
            if months:
                held += files_of(months[-1])
    return held


def warehouse_rows(db: Path, sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


# DuckDB's own reader over the same CSV files: every column as text, materialised, one file at a time. Run as a
# command of its own, as `csqa ingest` is, so that both figures include starting Python and importing a library.
READ_CSV = """
import sys, duckdb
con = duckdb.connect()
rows = 0
for f in open(sys.argv[1]).read().splitlines():
    con.execute("create or replace temp table t as select * from read_csv(?, all_varchar = true, header = true)", [f])
    rows += con.sql("select count(*) from t").fetchall()[0][0]
print(rows)
"""


def read_csv_seconds(files: list[Path], folder: Path) -> tuple[float, int]:
    listing = folder / "read_csv-files.txt"
    listing.write_text("".join(f"{f}\n" for f in files))
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", READ_CSV, str(listing)], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"DuckDB read_csv of {listing} failed (exit {done.returncode}):\n{done.stderr}")
    listing.unlink()
    return seconds, int(done.stdout.strip())


def loaded_rows(landing: Path, files: list[Path]) -> int:
    names = {str(f.resolve()) for f in files}
    got = warehouse_rows(landing, "select file_path, sum(rows_read) from meta.loads group by all")
    return int(sum(n for p, n in got if p in names))


def page_times(warehouse: Path, runs: int) -> dict[str, dict[str, float]]:
    """Each page drawn cold (query cache cleared) `runs` times through AppTest, as an analyst."""
    os.environ["CSQA_WAREHOUSE"] = str(warehouse)
    os.environ.setdefault("CSQA_STATE_DIR", str(warehouse.parent / "state"))
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest outside a server warns on every run
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from app import auth
    from app.navigation import PAGES
    from tests.conftest import TEST_ANALYST

    out: dict[str, dict[str, float]] = {}
    for spec in PAGES:
        times = []
        for _ in range(runs):
            at = AppTest.from_file(str(REPO / "app" / "streamlit_app.py"), default_timeout=600)
            # The access log is the administrator's page; every other page is drawn for an analyst (every
            # authority, every page but that one).
            user = {**TEST_ANALYST, "role": "administrator"} if spec.url_path == "access-log" else TEST_ANALYST
            at.session_state[auth.SESSION_USER] = dict(user)
            at.session_state[auth.LAST_SEEN] = time.time()
            at.run()
            at.switch_page(spec.path)
            st.cache_data.clear()
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
            if at.exception:
                raise SystemExit(f"page {spec.url_path} raised: {at.exception[0].message}")
        times.sort()
        out[spec.url_path] = {
            "median_s": round(statistics.median(times), 3),
            "p95_s": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 3),
            "max_s": round(times[-1], 3),
            "runs": runs,
        }
        say(f"  page {spec.url_path}: median {out[spec.url_path]['median_s']} s, p95 {out[spec.url_path]['p95_s']} s")
    return out


def bench_scale(scale: Scale, root: Path, runs: int, keep: bool, generate_only: bool = False) -> dict:
    folder = root / scale.name
    extracts = folder / "extracts"
    data = folder / "data"
    log = folder / "bench.log"
    if folder.exists() and not keep:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if data.exists():
        shutil.rmtree(data)
    env = {**os.environ, "CSQA_DATA_DIR": str(data), "CSQA_STATE_DIR": str(data / "state")}
    result: dict = {"scale": scale.name, "label": scale.label, "years": scale.years}

    from ingest.synthetic.las import la_table

    las = scale.las or len(la_table())
    result["authorities"] = las
    say(f"{scale.name}: generating {las} authorities × {scale.years} years")
    if keep and (folder / "generate.json").exists():
        result["generate"] = json.loads((folder / "generate.json").read_text())
    else:
        shutil.rmtree(extracts, ignore_errors=True)  # an unfinished earlier generation
        seconds, peak = run(CSQA + ["generate", "--out", str(extracts), "--las", str(las), "--years",
                                    str(scale.years), "--end", BENCH_END], env, log)
        files = files_of(extracts)
        result["generate"] = {"seconds": round(seconds, 1), "peak_mb": peak, "files": len(files),
                              "bytes": sum(f.stat().st_size for f in files)}
        (folder / "generate.json").write_text(json.dumps(result["generate"]))

    if generate_only:
        return result
    held = set(last_month_files(extracts))
    everything = [f for f in files_of(extracts) if f not in held]
    csv_files = [f for f in everything if f.suffix.lower() == ".csv"]
    other_files = [f for f in everything if f.suffix.lower() != ".csv"]
    landing = data / "landing.duckdb"
    say(f"{scale.name}: ingesting {len(csv_files)} CSV files")
    # File lists go through a list file? No: folders are named per dataset, and held-back files are moved aside.
    aside = folder / "held-back"
    for f in held:
        target = aside / f.relative_to(extracts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(f, target)
    try:
        csv_roots = [extracts / d for d in CSV_DATASETS if (extracts / d).exists()]
        other_roots = [extracts / d for d in ("annex_a", "cin_census", "csww") if (extracts / d).exists()]
        csv_s, csv_peak = run(CSQA + ["ingest", *map(str, csv_roots)], env, log)
        csv_rows = loaded_rows(landing, csv_files)
        say(f"{scale.name}: ingesting {len(other_files)} workbooks and XML returns")
        other_s, other_peak = run(CSQA + ["ingest", *map(str, other_roots)], env, log)
        other_rows = loaded_rows(landing, other_files)
    finally:
        for f in held:
            shutil.move(aside / f.relative_to(extracts), f)
        shutil.rmtree(aside, ignore_errors=True)
    say(f"{scale.name}: DuckDB read_csv of the same {len(csv_files)} CSV files")
    raw_s, raw_rows = read_csv_seconds(csv_files, folder)
    result["ingest"] = {
        "csv_files": len(csv_files), "csv_rows": csv_rows, "csv_seconds": round(csv_s, 1),
        "csv_rows_per_s": round(csv_rows / csv_s), "csv_peak_mb": csv_peak,
        "other_files": len(other_files), "other_rows": other_rows, "other_seconds": round(other_s, 1),
        "other_rows_per_s": round(other_rows / other_s) if other_s else None, "other_peak_mb": other_peak,
        "read_csv_rows": raw_rows, "read_csv_seconds": round(raw_s, 2),
        "read_csv_rows_per_s": round(raw_rows / raw_s),
        "ratio_to_read_csv": round((csv_rows / csv_s) / (raw_rows / raw_s), 3),
        "landing_mb": round(landing.stat().st_size / 2**20),
    }
    say(f"{scale.name}: building")
    build_s, build_peak = run(CSQA + ["build"], env, log)
    warehouse = data / "warehouse.duckdb"
    iv = warehouse_rows(warehouse, "select count(*) from indicator_values")[0][0]
    result["build"] = {"seconds": round(build_s, 1), "peak_mb": build_peak,
                       "warehouse_mb": round(warehouse.stat().st_size / 2**20), "indicator_values_rows": iv}
    say(f"{scale.name}: incremental refresh ({len(held)} files of the last month)")
    inc_ingest_s, _ = run(CSQA + ["ingest", *map(str, sorted(held))], env, log)
    inc_build_s, inc_peak = run(CSQA + ["build"], env, log)
    result["incremental"] = {"files": len(held), "ingest_seconds": round(inc_ingest_s, 1),
                             "build_seconds": round(inc_build_s, 1), "peak_mb": inc_peak}
    say(f"{scale.name}: drawing pages ({runs} cold runs each)")
    result["pages"] = page_times(warehouse, runs)
    if not keep:
        shutil.rmtree(data, ignore_errors=True)
    return result


def demo_to_served(root: Path) -> dict:
    """`csqa demo` on a fresh data folder, timed from the command to the dashboard answering its health check."""
    import urllib.request

    folder = root / "demo-served"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    port = "8765"
    env = {**os.environ, "CSQA_DATA_DIR": str(folder / "data"), "CSQA_STATE_DIR": str(folder / "state")}
    t0 = time.perf_counter()
    with open(folder / "demo.log", "w") as fh:
        proc = subprocess.Popen(CSQA + ["demo", "--port", port], cwd=REPO, env=env, stdout=fh,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"csqa demo exited with {proc.returncode}: see {folder / 'demo.log'}")
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - t0 > 900:
                raise SystemExit("csqa demo did not serve within 15 minutes")
            time.sleep(0.5)
        seconds = time.perf_counter() - t0
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()
    return {"seconds": round(seconds, 1)}


def machine() -> dict:
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    import duckdb
    import polars

    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "duckdb": duckdb.__version__, "polars": polars.__version__,
            "os": platform.platform()}


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"Run {report['finished_at']} with `{report['command']}` on {m['cpus']} × {m['cpu']}, "
        f"{m['memory_gb']} GB, Python {m['python']}, DuckDB {m['duckdb']}, polars {m['polars']}.",
        "",
    ]
    if "demo_to_served" in report:
        lines += [f"`csqa demo`, from nothing to the dashboard answering: **{report['demo_to_served']['seconds']} s**.",
                  ""]
    scales = report["scales"]
    head = "| | " + " | ".join(s["label"] for s in scales) + " |"
    lines += [head, "|---" * (len(scales) + 1) + "|"]

    def cell(fn, s):
        try:
            return fn(s)
        except (KeyError, TypeError):  # a step that did not run at this scale (see the notes)
            return "not measured"

    def row(name, fn):
        lines.append(f"| {name} | " + " | ".join(cell(fn, s) for s in scales) + " |")

    row("authorities", lambda s: str(s["authorities"]))
    row("generate: wall", lambda s: f"{s['generate']['seconds']:,} s")
    row("generate: files, size", lambda s: f"{s['generate']['files']:,}, {s['generate']['bytes'] / 2**20:,.0f} MB")
    row("ingest CSV: rows, wall", lambda s: f"{s['ingest']['csv_rows']:,} in {s['ingest']['csv_seconds']:,} s")
    row("ingest CSV: rows/s", lambda s: f"{s['ingest']['csv_rows_per_s']:,}")
    row("DuckDB read_csv: rows/s", lambda s: f"{s['ingest']['read_csv_rows_per_s']:,}")
    row("ingest ÷ read_csv", lambda s: f"{s['ingest']['ratio_to_read_csv']:.2f}")
    row("ingest XLSX + XML: rows, wall",
        lambda s: f"{s['ingest']['other_rows']:,} in {s['ingest']['other_seconds']:,} s")
    row("ingest XLSX + XML: rows/s", lambda s: f"{s['ingest']['other_rows_per_s'] or 0:,}")
    row("landing database", lambda s: f"{s['ingest']['landing_mb']:,} MB")
    row("dbt build: wall", lambda s: f"{s['build']['seconds']:,} s")
    row("dbt build: peak memory", lambda s: f"{s['build']['peak_mb']:,} MB")
    row("warehouse, indicator_values rows",
        lambda s: f"{s['build']['warehouse_mb']:,} MB, {s['build']['indicator_values_rows']:,}")
    row("one new month: ingest + build",
        lambda s: f"{s['incremental']['ingest_seconds']} s + {s['incremental']['build_seconds']} s "
                  f"({s['incremental']['files']} files)")
    pages = list(next(s["pages"] for s in scales if s.get("pages")))
    for p in pages:
        row(f"page `{p}`: median / p95",
            lambda s, p=p: f"{s['pages'][p]['median_s']:.2f} / {s['pages'][p]['p95_s']:.2f} s")
    return "\n".join(lines)


def write_docs(report: dict) -> None:
    DOCS_JSON.write_text(json.dumps(report, indent=2) + "\n")
    text = DOCS_MD.read_text() if DOCS_MD.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    DOCS_MD.write_text(f"{before}{START}\n{markdown(report)}\n{END}{after}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", default="demo,regional,national", help="comma-separated: " + ", ".join(SCALES))
    p.add_argument("--runs", type=int, default=10, help="cold runs per page (median and p95 of these)")
    p.add_argument("--keep", action="store_true", help="keep (and reuse) generated files and built data")
    p.add_argument("--no-demo", action="store_true", help="skip timing `csqa demo` to a served dashboard")
    p.add_argument("--no-docs", action="store_true", help="print the results; leave docs/ alone")
    p.add_argument("--generate-only", action="store_true",
                   help="only generate (and time) each scale's files, for a later run with --keep")
    args = p.parse_args(argv)
    names = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [n for n in names if n not in SCALES]
    if unknown:
        p.error(f"unknown scale(s): {', '.join(unknown)}")
    root = Path(os.environ.get("CSQA_BENCH_DIR", REPO / "data" / "bench")).resolve()
    root.mkdir(parents=True, exist_ok=True)
    report = {"started_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "machine": machine(),
              "command": "make bench" if argv is None and len(sys.argv) == 1 else
              "python -m tests.bench " + " ".join(argv if argv is not None else sys.argv[1:]),
              "scales": []}
    if not args.no_demo and not args.generate_only:
        say("timing `csqa demo` to a served dashboard")
        report["demo_to_served"] = demo_to_served(root)
        say(f"demo served in {report['demo_to_served']['seconds']} s")
    for name in names:
        report["scales"].append(bench_scale(SCALES[name], root, args.runs, args.keep or args.generate_only,
                                            args.generate_only))
        # Partial results are kept as each scale finishes (a national run is long).
        (root / "partial.json").write_text(json.dumps(report, indent=2))
    report["finished_at"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    if args.generate_only:
        say("generated: " + json.dumps([{s["scale"]: s["generate"]} for s in report["scales"]]))
        return 0
    print(markdown(report))
    if not args.no_docs:
        write_docs(report)
        say(f"wrote {DOCS_JSON.relative_to(REPO)} and the table in {DOCS_MD.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
