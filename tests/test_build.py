"""Build and swap: the served warehouse changes only when a build succeeds, whatever happens to the build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingest import build as build_module
from ingest.build import BuildFailed, build
from ingest.load import ingest_paths

FIXTURE = Path(__file__).parent / "fixtures" / "ssda903_small"


def served(data_dir) -> tuple[str, list]:
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        build_id = con.sql("select build_id from meta.build_info").fetchall()[0][0]
        values = con.sql("select * from indicator_values order by all").fetchall()
        return build_id, values
    finally:
        con.close()


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """A data folder with the small fixture ingested and built once (dbt runs are the slow part)."""
    from ingest.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("build") / "data")
    ingest_paths(data.landing, [FIXTURE])
    build(data)
    return data


def test_empty_landing_builds_with_every_dbt_unit_test(data_dir):
    # Serving builds skip dbt's unit tests (they test the SQL, not the data); this build runs all of them,
    # so a failing unit test fails the suite. The log shows how many ran.
    result = build(data_dir, unit_tests=True)
    log = result.log.read_text()
    assert log.count("START unit_test") >= 40
    # ...and a serving build runs none of them.
    assert "START unit_test" not in build(data_dir).log.read_text()
    con = duckdb.connect(str(result.warehouse), read_only=True)
    try:
        assert con.sql("select count(*) from indicator_values").fetchall() == [(0,)]
        assert con.sql("select count(*) from indicators").fetchall()[0][0] > 10
        assert con.sql("select synthetic from meta.build_info").fetchall() == [(False,)]
    finally:
        con.close()


def test_failed_build_leaves_served_warehouse_unchanged(built_once, monkeypatch):
    before = served(built_once)

    def broken(*args, **kwargs):
        raise BuildFailed("dbt build failed (exit 1): simulated")

    monkeypatch.setattr(build_module, "run_dbt", broken)
    with pytest.raises(BuildFailed):
        build(built_once)
    assert served(built_once) == before
    # No half-built file is left behind, only the kept copies of served builds.
    assert [p.name for p in built_once.builds.glob("*.duckdb") if not p.name.startswith("served-")] == []


def test_killed_build_leaves_served_warehouse_readable_and_unchanged(built_once):
    before = served(built_once)
    env = {**os.environ, "CSQA_DATA_DIR": str(built_once.root)}
    proc = subprocess.Popen([sys.executable, "-m", "ingest.cli", "build"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    # Wait until dbt is writing into the new file, then kill the whole build without warning.
    deadline = time.monotonic() + 120
    for line in proc.stdout:
        if "dbt 1/" in line or time.monotonic() > deadline:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # dbt runs in a child process; make sure it is gone too before checking.
    subprocess.run(["pkill", "-9", "-f", f"dbt.cli.main build.*{built_once.root}"], check=False)
    assert served(built_once) == before
    # The next build clears the leftovers and succeeds without manual repair.
    result = build(built_once)
    after = served(built_once)
    assert after[0] == result.build_id != before[0]
    assert after[1] == before[1]
    assert [p.name for p in built_once.builds.glob("*.duckdb") if not p.name.startswith("served-")] == []
    assert len(list(built_once.builds.glob("served-*.duckdb"))) >= 1


def test_build_after_a_killed_ingest_keeps_what_was_committed(data_dir):
    """A killed ingest can leave committed loads only in landing's write-ahead log; the build must see them."""
    script = (
        "import os, duckdb; from pathlib import Path; from ingest.landing import ensure_schema; "
        "from ingest.load import ingest_file; "
        f"con = duckdb.connect({str(data_dir.landing)!r}); ensure_schema(con); "
        f"ingest_file(con, Path({str(FIXTURE / '845' / '2024-25' / 'header.csv')!r})); "
        "os._exit(0)  # die without closing: no checkpoint"
    )
    data_dir.root.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", script], check=True)
    assert Path(str(data_dir.landing) + ".wal").exists()
    build(data_dir)
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        assert con.sql("select table_name, status from meta.loads").fetchall() == [("header", "loaded")]
        assert con.sql("select count(*) from raw.ssda903_header").fetchall()[0][0] > 0
    finally:
        con.close()
