"""Build the served warehouse: copy landing into a new file, run dbt there, then swap it in atomically.

Nothing ever writes to data/warehouse.duckdb. A build that fails or is killed leaves the served file as it
was; the next build clears the leftovers. The last few served builds are kept (as hard links) for rollback.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb

from ingest.landing import ensure_schema
from ingest.paths import REPO_ROOT, DataDir

DBT_PROJECT = REPO_ROOT / "dbt_project"
# A copy of the project (say, with an edited seed) can be built instead: tests use this to change the catalogue
# without touching the repository.
DBT_PROJECT_ENV = "CSQA_DBT_PROJECT"
KEEP_SERVED = 3
NO_SPACE = os.strerror(errno.ENOSPC)
DBT_PROGRESS = re.compile(r"^\S*\s*(\d+) of (\d+) (START|OK|PASS|ERROR|FAIL|WARN|SKIP)\b")


def _die_with_parent() -> None:
    """Run in the dbt child: if `csqa build` is killed, dbt is killed too and stops writing (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class BuildFailed(Exception):
    pass


@dataclass
class BuildResult:
    build_id: str
    warehouse: Path
    seconds: float
    log: Path


def _new_build_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _clear_leftovers(data: DataDir) -> None:
    """Remove unfinished builds from killed or failed runs (we hold the lock, so none is running)."""
    for f in data.builds.glob("*.duckdb*"):
        if f.name.startswith("served-"):
            continue
        if f.is_dir():
            # DuckDB's spill folder (`<build>.duckdb.tmp`), left by a killed build that ran short of memory:
            # unlink() would fail on it and stop every later build.
            shutil.rmtree(f, ignore_errors=True)
        else:
            f.unlink(missing_ok=True)


def _keep_served_copy(data: DataDir) -> None:
    if not data.warehouse.exists():
        return
    try:
        con = duckdb.connect(str(data.warehouse), read_only=True)
        try:
            old_id = con.sql("select build_id from meta.build_info").fetchall()[0][0]
        finally:
            con.close()
    except (duckdb.Error, IndexError):
        old_id = f"unknown-{int(data.warehouse.stat().st_mtime)}"
    link = data.builds / f"served-{old_id}.duckdb"
    if not link.exists():
        try:
            os.link(data.warehouse, link)
        except OSError:
            try:
                shutil.copy2(data.warehouse, link)
            except BaseException:
                link.unlink(missing_ok=True)  # a cut-short copy is no rollback point, only lost space
                raise
    served = sorted(data.builds.glob("served-*.duckdb"))
    for old in served[:-KEEP_SERVED]:
        old.unlink(missing_ok=True)


def dbt_project() -> Path:
    """The dbt project to build: `$CSQA_DBT_PROJECT`, else the repository's `dbt_project/`."""
    raw = os.environ.get(DBT_PROJECT_ENV, "").strip()
    return Path(raw).expanduser().resolve() if raw else DBT_PROJECT


def run_dbt(db_path: Path, data: DataDir, log: Path, progress: Callable[[str], None] | None,
            unit_tests: bool = False) -> None:
    env = {
        **os.environ,
        "CSQA_DB_PATH": str(db_path),
        "CSQA_BENCHMARKS_DIR": str(data.benchmarks),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    target = data.builds / "dbt-target"
    project = dbt_project()
    cmd = [
        sys.executable, "-m", "dbt.cli.main", "build",
        "--project-dir", str(project), "--profiles-dir", str(project),
        "--target-path", str(target), "--log-path", str(data.builds / "dbt-logs"),
        "--no-partial-parse", "--no-use-colors",
    ]
    if not unit_tests:
        # dbt unit tests check the SQL on hand-made rows, not the data: they pass or fail the same for every
        # build, so the test suite runs them (`csqa build --unit-tests`) and serving builds skip their cost.
        cmd += ["--exclude-resource-type", "unit_test"]
    # The log is written unbuffered: on a full disk the write that fails raises at once, naming the log, rather
    # than again (without a name) when the file is closed.
    with open(log, "wb", buffering=0) as fh:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                cwd=str(project), preexec_fn=_die_with_parent)
        errors: list[str] = []
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                fh.write(line.encode())
                text = line.rstrip()
                m = DBT_PROGRESS.search(text)
                if m and progress and m.group(3) != "START":
                    progress(f"  dbt {m.group(1)}/{m.group(2)} {text.split(m.group(3), 1)[-1].strip()[:90]}")
                if (re.search(r"\b(ERROR|FAIL)\b", text) or "Compilation Error" in text or "Runtime Error" in text
                        or NO_SPACE in text):  # dbt's "IO Error: … No space left on device" says what to do
                    errors.append(text)
            code = proc.wait()
        except BaseException as exc:
            # Stop dbt before the caller deletes the file it is writing: PR_SET_PDEATHSIG acts only when this
            # process dies, and a library caller (or a test) may live on.
            proc.kill()
            proc.wait()
            if isinstance(exc, OSError) and exc.filename is None:
                exc.filename = str(log)  # a full disk often shows first here: say which file could not be written
            raise
    if code != 0:
        detail = "; ".join(e.strip() for e in errors[-3:]) or "see the log"
        raise BuildFailed(f"dbt build failed (exit {code}): {detail} (full log: {log})")


def build(data: DataDir | None = None, progress: Callable[[str], None] | None = None,
          unit_tests: bool = False) -> BuildResult:
    data = data or DataDir.from_env()
    say = progress or (lambda _m: None)
    started = datetime.now(UTC)
    with data.lock("build"):
        data.builds.mkdir(parents=True, exist_ok=True)
        _clear_leftovers(data)
        build_id = _new_build_id()
        work = data.builds / f"{build_id}.duckdb"
        log = data.builds / f"{build_id}.log"
        say(f"build {build_id}: copying landing data")
        # Everything from the copy of landing on is inside the try: a copy cut short (a full disk, a failed
        # checkpoint) must not stay behind in data/build holding the space the user has to free.
        try:
            if data.landing.exists():
                # A killed ingest can leave committed loads in the write-ahead log: opening the file replays it,
                # and a checkpoint folds it in, so the copy holds everything committed.
                con = duckdb.connect(str(data.landing))
                try:
                    con.execute("checkpoint")
                finally:
                    con.close()
                shutil.copy2(data.landing, work)
            con = duckdb.connect(str(work))
            try:
                ensure_schema(con)  # an empty landing still builds: every source table exists
                con.execute("checkpoint")
            finally:
                con.close()
            say(f"running dbt build (seeds, models, data tests{', unit tests' if unit_tests else ''})")
            run_dbt(work, data, log, progress, unit_tests=unit_tests)
            con = duckdb.connect(str(work))
            try:
                synthetic = bool(con.sql(
                    "select coalesce(bool_or(synthetic), false) from meta.loads where status = 'loaded'"
                ).fetchall()[0][0])
                con.execute("create or replace table meta.build_info as select ?::varchar as build_id, "
                            "?::timestamp as built_at, ?::varchar as dbt_version, ?::varchar as csqa_version, "
                            "?::boolean as synthetic",
                            [build_id, datetime.now(UTC).replace(tzinfo=None), version("dbt-core"),
                             version("csqa"), synthetic])
                con.execute("checkpoint")
            finally:
                con.close()
            _keep_served_copy(data)
            os.replace(work, data.warehouse)  # atomic on one filesystem: readers see old or new, never a mix
        except BaseException:
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)
            raise
        seconds = (datetime.now(UTC) - started).total_seconds()
        say(f"served build {build_id} at {data.warehouse} ({seconds:.1f} s)")
        return BuildResult(build_id, data.warehouse, seconds, log)
