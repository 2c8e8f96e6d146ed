"""Readers during builds (issue 8): `csqa build` swaps a new warehouse in while the app reads the old one.

* One query reads one build and is cached under that build, even if a build is swapped in between taking the
  file's identity and opening it, or while another connection in the process still has the old build open.
* One page run (`data.begin_run`, or `data.snapshot()` outside Streamlit) reads one build: a later query that
  finds another build raises `BuildChanged`, and the app redraws the whole page on the new build.
* The acceptance test: reader processes query through `app.data` while five real builds swap in, with no error,
  and every reader sees each build whole, never a mix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from app_fixtures import BUILD_ID, write_warehouse
from streamlit.testing.v1 import AppTest

from app import data

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app" / "streamlit_app.py"
FIXTURE = Path(__file__).parent / "fixtures" / "ssda903_small"


@pytest.fixture
def served(tmp_path, monkeypatch) -> Path:
    """A served hand-made warehouse (build 'build-a'), selected through CSQA_WAREHOUSE."""
    path = write_warehouse(tmp_path / "warehouse.duckdb", build_id="build-a")
    monkeypatch.setenv(data.ENV_VAR, str(path))
    monkeypatch.setattr(data, "RETRY_DELAY_SECONDS", 0.0)
    return path


def next_build(served: Path, build_id: str) -> Path:
    """A new warehouse file beside the served one, ready to swap in with os.replace (as `csqa build` does)."""
    return write_warehouse(served.parent / "build" / f"{build_id}.duckdb", build_id=build_id, synthetic=False)


def keep(served: Path) -> Path:
    """A hard link to the served file (as `csqa build` keeps served builds), to swap it back in later."""
    link = served.parent / f"served-{served.stat().st_ino}.duckdb"
    os.link(served, link)
    return link


def test_swap_between_stat_and_connect_is_read_as_the_new_build_and_never_cached_as_the_old(served, monkeypatch):
    old = keep(served)
    new = next_build(served, "build-b")
    real_connect = duckdb.connect
    swapped = []

    def connect_after_a_swap(*args, **kwargs):
        if not swapped:  # the build lands after the query took the file's identity, before it opens the path
            os.replace(new, served)
            swapped.append(True)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(data.duckdb, "connect", connect_after_a_swap)
    assert data.build_info()["build_id"] == "build-b"
    assert swapped
    # Serving the old file again (same inode, mtime and size: the identity it had) must show the old build: the
    # new build's rows were not cached under the old identity.
    os.replace(old, served)
    assert data.build_info()["build_id"] == "build-a"


def test_new_build_is_not_read_through_a_connection_still_open_on_the_previous_one(served):
    # DuckDB hands a new connection the database the process already has open on the same path, even after the
    # path has been renamed over: a query of the new build must wait for the previous build's connections.
    identity = data.warehouse_identity()
    con = data._connect(identity)  # another thread's query, still reading the previous build
    os.replace(next_build(served, "build-b"), served)
    closer = threading.Timer(0.3, data._disconnect, args=(identity, con))
    closer.start()
    started = time.monotonic()
    try:
        assert data.build_info()["build_id"] == "build-b"
    finally:
        closer.join()
    assert time.monotonic() - started >= 0.25
    assert data._OPEN == {}


def test_snapshot_reads_one_build_then_raises_build_changed(served):
    with data.snapshot():
        assert data.build_info()["build_id"] == "build-a"
        os.replace(next_build(served, "build-b"), served)
        with pytest.raises(data.BuildChanged) as info:
            data.statistical_neighbours("845")
        assert info.value.pinned[1] != info.value.current[1]
        # BuildChanged is not a polite WarehouseUnavailable that a page would swallow mid-page
        assert not isinstance(info.value, data.WarehouseUnavailable)
    # Outside a snapshot nothing is pinned; a new snapshot pins the new build.
    assert data.build_info()["build_id"] == "build-b"
    with data.snapshot():
        assert data.build_info()["build_id"] == "build-b"
        assert not data.statistical_neighbours("845").is_empty()


def test_first_query_of_a_snapshot_follows_a_swap(served, monkeypatch):
    new = next_build(served, "build-b")
    real_connect = duckdb.connect
    swapped = []

    def connect_after_a_swap(*args, **kwargs):
        if not swapped:
            os.replace(new, served)
            swapped.append(True)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(data.duckdb, "connect", connect_after_a_swap)
    with data.snapshot():
        # nothing had been read on the old build, so the snapshot follows the file to the new one
        assert data.build_info()["build_id"] == "build-b"
        assert data.statistical_neighbours("845")["sn_la_code"].len() > 0
    assert swapped


# --- the app: a page run reads one build ---------------------------------------------------------------------


def swap_during_render(monkeypatch, served: Path, times: int) -> list[str]:
    """Swap a new build in after the run's first query (the sidebar's build) and before the page runs, the first
    `times` runs. Returns the build ids swapped in."""
    from app import layout

    real_banner = layout.synthetic_banner
    swaps: list[str] = []

    def banner_then_swap(info):
        real_banner(info)
        if len(swaps) < times:
            build_id = f"build-{len(swaps) + 2}"
            os.replace(next_build(served, build_id), served)
            swaps.append(build_id)

    monkeypatch.setattr(layout, "synthetic_banner", banner_then_swap)
    return swaps


def sidebar_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.sidebar.markdown)


def test_a_build_swapped_in_mid_page_redraws_the_whole_page_on_it(served, monkeypatch):
    swaps = swap_during_render(monkeypatch, served, times=1)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert swaps == ["build-2"]
    # The run that read build-a stopped at the page's first query; the page was drawn again, all on build-2.
    assert "build-2" in sidebar_text(at) and "build-a" not in sidebar_text(at)
    assert at.metric, "the page itself was drawn"
    assert not [w for w in at.warning if "could not be opened" in w.value]
    assert "csqa_build_changed_reruns" not in at.session_state


def test_builds_that_keep_changing_get_the_polite_message(served, monkeypatch):
    swaps = swap_during_render(monkeypatch, served, times=10)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(swaps) == 4  # the first run and three reruns, then it gives up
    assert [w for w in at.warning if "could not be opened just now" in w.value]
    assert "csqa_build_changed_reruns" not in at.session_state  # the next interaction tries again


# --- acceptance: reader processes while five builds swap in ---------------------------------------------------

# One reader process: THREADS threads, each looping until the stop file appears. Each iteration, inside one
# snapshot, reads the build id and then, separately and after a pause, the build's load count and indicator row
# count. The second query's parameter cycles through ten values, so the first ten iterations on each build open
# the file and the rest are answered from the cache, as the app's pages are (opening the file costs tens of
# milliseconds of CPU that the builds need). BuildChanged means "start the iteration again".
READER = r"""
import json, sys, threading, time
from pathlib import Path

from app import data

stop, out, ready = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
THREADS = int(sys.argv[4])
AGGREGATE = '''
select (select count(*) from meta.loads where status = 'loaded') + 0 * ?::BIGINT as loads,
       (select count(*) from indicator_values) as indicator_rows
'''
results = []


def read(n):
    seen, errors, sequence = {}, [], []
    iterations = retries = 0
    while not stop.exists():
        try:
            with data.snapshot():
                build_id = data.build_info()["build_id"]
                time.sleep(0.04)
                row = data.query(AGGREGATE, [n * 100 + iterations % 10]).to_dicts()[0]
        except data.BuildChanged:
            retries += 1
            continue
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.1)
            continue
        iterations += 1
        key = json.dumps([build_id, row["loads"], row["indicator_rows"]])
        seen[key] = seen.get(key, 0) + 1
        if not sequence or sequence[-1] != build_id:
            sequence.append(build_id)
        if iterations == 1:
            (ready.parent / f"{ready.name}-{n}").touch()
        time.sleep(0.03)
    results.append({"iterations": iterations, "retries": retries, "errors": errors[:20],
                    "error_count": len(errors), "seen": seen, "sequence": sequence})


threads = [threading.Thread(target=read, args=(n,)) for n in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
out.write_text(json.dumps({"cpu_seconds": time.process_time(), "threads": results}))
"""

READERS = 3
THREADS_PER_READER = 2
# Builds 1..5 each add files to landing, so each build's load count (and so its pair) is its own.
INGESTS = (
    [FIXTURE / "reference", FIXTURE / "845" / "2022-23" / "header.csv"],
    [FIXTURE / "845" / "2022-23" / "episodes.csv"],
    [FIXTURE / "845" / "2023-24" / "header.csv"],
    [FIXTURE / "845" / "2023-24" / "episodes.csv"],
    [FIXTURE / "845" / "2024-25"],
)


def served_pair(path: Path) -> tuple[str, int, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        build_id = con.sql("select build_id from meta.build_info").fetchall()[0][0]
        loads, rows = con.sql(
            "select (select count(*) from meta.loads where status = 'loaded'), (select count(*) from indicator_values)"
        ).fetchall()[0]
        return build_id, loads, rows
    finally:
        con.close()


@pytest.mark.slow
def test_readers_see_each_build_whole_while_five_builds_swap_in(tmp_path):
    from ingest.build import build
    from ingest.load import ingest_paths
    from ingest.paths import DataDir

    started = time.monotonic()
    data_dir = DataDir(tmp_path / "data")
    data_dir.root.mkdir(parents=True)
    # What is served when the readers start: the app tests' hand-made warehouse (a real build takes 20 s or so;
    # the five that follow are real).
    write_warehouse(data_dir.warehouse, build_id=BUILD_ID)
    expected = {BUILD_ID: served_pair(data_dir.warehouse)}
    order = [BUILD_ID]

    stop, ready = tmp_path / "stop", tmp_path / "ready"
    env = {**os.environ, data.ENV_VAR: str(data_dir.warehouse), "PYTHONPATH": str(REPO)}
    readers = []
    for r in range(READERS):
        out = tmp_path / f"reader-{r}.json"
        proc = subprocess.Popen(
            [sys.executable, "-c", READER, str(stop), str(out), f"{ready}-{r}", str(THREADS_PER_READER)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        readers.append((proc, out))
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("ready-*-*"))) < READERS * THREADS_PER_READER:
            assert time.monotonic() < deadline, "readers did not start"
            assert all(p.poll() is None for p, _ in readers), [p.stdout.read() for p, _ in readers if p.poll()]
            time.sleep(0.1)

        for files in INGESTS:
            outcomes = ingest_paths(data_dir.landing, files)
            assert outcomes and all(o.status == "loaded" for o in outcomes)
            result = build(data_dir)  # swaps the new file in under the readers
            build_id, loads, rows = served_pair(data_dir.warehouse)
            assert build_id == result.build_id
            expected[build_id] = (build_id, loads, rows)
            order.append(build_id)
            time.sleep(1.0)  # let every reader read this build before the next lands
    finally:
        stop.touch()
        outputs = [proc.communicate(timeout=60)[0] for proc, _ in readers]

    for (proc, _), output in zip(readers, outputs, strict=True):
        assert proc.returncode == 0, output
    reports = [json.loads(out.read_text()) for _, out in readers]
    threads = [t for report in reports for t in report["threads"]]
    elapsed = time.monotonic() - started

    # Each build's pair is its own, so a mix of two builds could not match any recorded pair.
    assert len({(loads, rows) for _, loads, rows in expected.values()}) == len(expected) == 6
    allowed = {json.dumps(list(pair)) for pair in expected.values()}
    for t in threads:
        assert t["error_count"] == 0, t["errors"]
        assert t["iterations"] >= 100, t
        assert set(t["seen"]) <= allowed, (set(t["seen"]) - allowed, expected)
        # Builds only move forward: a reader never goes back to an older build after seeing a newer one.
        positions = [order.index(b) for b in t["sequence"]]
        assert positions == sorted(positions) and len(set(positions)) == len(positions), (t["sequence"], order)
        assert len(t["sequence"]) >= 2, t["sequence"]
    seen_builds = {json.loads(k)[0] for t in threads for k in t["seen"]}
    assert len(seen_builds) >= 2
    retries = sum(t["retries"] for t in threads)
    # The pause between an iteration's two queries makes a swap land mid-iteration for some reader: the snapshot
    # noticed it (and the iteration was read again) rather than pairing two builds.
    assert retries >= 1
    counts = Counter(json.loads(k)[0] for t in threads for k, n in t["seen"].items() for _ in range(n))
    print(
        f"\nreaders during builds: {elapsed:.0f} s, {len(threads)} reader threads in {READERS} processes, "
        f"{sum(t['iterations'] for t in threads)} iterations, {retries} BuildChanged retries, "
        f"{len(seen_builds)} of {len(expected)} builds seen; iterations per build: "
        f"{[counts.get(b, 0) for b in order]}; reader CPU {sum(r['cpu_seconds'] for r in reports):.0f} s"
    )
