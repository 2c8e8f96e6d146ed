"""Fault injection: kill -9, a full disk and a read-only data folder.

Whatever happens to `csqa ingest` or `csqa build`, the served warehouse stays readable and unchanged, landing
stays consistent (each file loaded whole or not at all), and the next run succeeds without manual repair.
See docs/operations.md, "Faults and recovery".

The full-disk and read-only tests mount a small tmpfs as the data folder: they need root (CI runs as root) and
skip, saying why, where mounting is not permitted. Without root the read-only test uses `chmod -R a-w` instead.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from ingest.build import build
from ingest.contracts import all_tables
from ingest.load import ingest_paths
from ingest.paths import DataDir

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "ssda903_small"
LOADED_LINE = re.compile(r"^\[\d+/\d+\] loaded ")
EXTRA_PARTS = 40  # extra postcode-directory files, so an ingest killed after its first load is surely mid-way
TMPFS_MB = 64  # landing 2 MB + served 12 MB + a build in progress 12 MB + dbt's target and logs 10 MB, and slack


# --- helpers ---------------------------------------------------------------------------------------------------


def csqa(data: DataDir, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "CSQA_DATA_DIR": str(data.root)}
    return subprocess.run([sys.executable, "-m", "ingest.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def assert_ok(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def assert_one_line_error(result: subprocess.CompletedProcess, *expected: str) -> str:
    """Exit 1 and exactly one `csqa: …` line on stderr (no traceback), containing each expected text."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    assert len(lines) == 1 and lines[0].startswith("csqa: "), result.stderr[-3000:]
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def served_state(warehouse: Path) -> tuple[str, int, str]:
    """(build_id, rows, checksum of every indicator value) of a warehouse, opened read-only as the app does."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        build_id = con.sql("select build_id from meta.build_info").fetchall()[0][0]
        values = con.sql("select * from indicator_values order by all").fetchall()
    finally:
        con.close()
    return build_id, len(values), hashlib.sha256(repr(values).encode()).hexdigest()


def landing_slots(landing: Path) -> dict:
    """What landing holds, per slot, without load ids or timestamps: the loads in force, their raw rows and their
    rejected rows. Two landings that answer the same here build the same warehouse."""
    con = duckdb.connect(str(landing), read_only=True)
    try:
        slot = "l.dataset, l.table_name, l.file_name, l.la_code, l.collection_year, l.period_end"
        out = {"loads": con.sql(
            "select dataset, table_name, file_name, sha256, la_code, collection_year, period_start, period_end, "
            "rows_read, rows_loaded, rows_rejected from meta.loads where status = 'loaded' order by all"
        ).fetchall()}
        for t in all_tables():
            out[t.raw_table] = con.sql(
                f"select {slot}, r.* exclude (_load_id) from {t.raw_table} r "
                "join meta.loads l on l.load_id = r._load_id order by all").fetchall()
        out["rejected"] = con.sql(
            f"select {slot}, r.* exclude (load_id) from meta.rejected_rows r join meta.loads l using (load_id) "
            "where l.status = 'loaded' order by all").fetchall()
        return out
    finally:
        con.close()


def assert_landing_consistent(landing: Path) -> list[tuple]:
    """Every load reconciles and every loaded file is in raw whole (no half-written file); returns meta.loads."""
    con = duckdb.connect(str(landing), read_only=True)
    try:
        loads = con.sql("select load_id, dataset, table_name, file_name, status, rows_read, rows_loaded, "
                        "rows_rejected from meta.loads").fetchall()
        for load_id, _ds, _t, name, _s, read, loaded, rejected in loads:
            assert read == loaded + rejected, f"{name} ({load_id}) does not reconcile"
        for t in all_tables():
            in_raw = dict(con.sql(f"select _load_id, count(*) from {t.raw_table} group by 1").fetchall())
            expected = {lid: n for lid, ds, tn, _f, status, _r, n, _j in loads
                        if status == "loaded" and (ds, tn) == (t.dataset, t.name) and n}
            assert in_raw == expected, f"{t.raw_table}: rows per load {in_raw} != meta.loads {expected}"
        orphans = con.sql("select count(*) from meta.rejected_rows where load_id not in "
                          "(select load_id from meta.loads)").fetchall()[0][0]
        assert orphans == 0, "rejected rows of a load that was never recorded"
        return loads
    finally:
        con.close()


def lock_is_free(data: DataDir) -> bool:
    fd = os.open(data.root / ".lock", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def unfinished_builds(data: DataDir) -> list[str]:
    """Files of builds that never got served (anything in data/build holding a database but a served- copy)."""
    return sorted(p.name for p in data.builds.glob("*.duckdb*") if not p.name.startswith("served-"))


def children_of(pid: int) -> list[int]:
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(d.name))
    return kids


def running(pid: int) -> bool:
    """The process exists and is not a zombie (a killed child nobody has reaped yet holds no files)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def copy_data(src: DataDir, dest: Path) -> DataDir:
    """A copy of a built data folder (landing, served warehouse, pseudonym key), without dbt's working files."""
    shutil.copytree(src.root, dest, ignore=shutil.ignore_patterns("build", ".lock"), dirs_exist_ok=True)
    return DataDir(dest)


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill_disk(folder: Path, leave: int = 0) -> Path:
    """Take all but `leave` bytes of the file system holding `folder` (real pages: tmpfs does not count holes)."""
    ballast = folder / "ballast"
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.posix_fallocate(fd, 0, max(free_bytes(folder) - leave, 4096))
        if leave == 0:
            # Whatever allocation rounding left: write until the file system refuses.
            with open(folder / "ballast-tail", "wb", buffering=0) as fh:
                try:
                    while True:
                        fh.write(b"\0" * 4096)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return ballast


@contextmanager
def tmpfs(mountpoint: Path, size_mb: int):
    """Mount a tmpfs of size_mb at mountpoint for the test (skip where that is not permitted); always unmount."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs as the data folder (CI runs as root)")
    mountpoint.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "csqa-faults",
                           str(mountpoint)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", str(mountpoint)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


def remount(mountpoint: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mountpoint)], check=True, capture_output=True)


def extracts_with_many_files(dest: Path) -> Path:
    """The small fixture plus EXTRA_PARTS postcode-directory files of made-up postcodes used by no episode
    (each its own slot: reference data is slotted by file name), so indicator values do not change."""
    shutil.copytree(FIXTURE, dest)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    for part in range(1, EXTRA_PARTS + 1):
        rows = ["postcode,postcode_district,la_code,latitude,longitude"]
        for j in range(500):
            rows.append(f"ZZ{part} {j // 400}{letters[j // 20 % 20]}{letters[j % 20]},ZZ{part},999,"
                        f"{50 + j / 1000:.4f},{-1 + part / 100:.4f}")
        (dest / "reference" / f"postcode_centroids_part{part:02d}.csv").write_text("\n".join(rows) + "\n")
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> DataDir:
    """A data folder with the small fixture ingested and served once (each test copies it: builds are slow)."""
    data = DataDir(tmp_path_factory.mktemp("faults") / "data")
    outcomes = ingest_paths(data.landing, [FIXTURE])
    assert outcomes and all(o.status == "loaded" for o in outcomes)
    build(data)
    return data


# --- kill -9 ---------------------------------------------------------------------------------------------------


def test_kill_9_during_ingest_keeps_committed_files_whole_and_the_rerun_completes(built, tmp_path):
    data = copy_data(built, tmp_path / "data")
    before = served_state(data.warehouse)
    extracts = extracts_with_many_files(tmp_path / "extracts")

    env = {**os.environ, "CSQA_DATA_DIR": str(data.root)}
    proc = subprocess.Popen([sys.executable, "-m", "ingest.cli", "ingest", str(extracts)], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the first file committed (it prints after the commit): kill now
            seen.append(line)
            if LOADED_LINE.match(line):
                break
    finally:
        proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the ingest ended before it was killed:\n" + "".join(seen)

    # The served warehouse never noticed.
    assert served_state(data.warehouse) == before
    assert lock_is_free(data)
    # Landing opens; every committed load is in raw whole; the kill landed part-way through the folder.
    loads = assert_landing_consistent(data.landing)
    parts = [name for _lid, _ds, _t, name, *_ in loads if name.startswith("postcode_centroids_part")]
    assert 1 <= len(parts) < EXTRA_PARTS, f"{len(parts)} of {EXTRA_PARTS} extra files loaded before the kill"

    # Running the same ingest again finishes the job: the result is what one clean ingest gives.
    assert_ok(csqa(data, "ingest", str(extracts)))
    clean = DataDir(tmp_path / "clean")
    ingest_paths(clean.landing, [extracts])
    assert_landing_consistent(data.landing)
    assert landing_slots(data.landing) == landing_slots(clean.landing)
    con = duckdb.connect(str(data.landing), read_only=True)
    try:
        assert con.sql("select count(*) from meta.loads where status <> 'loaded'").fetchall() == [(0,)]
    finally:
        con.close()

    # ...and the next build serves it (the extra postcodes are used by no episode: same figures, new build).
    assert_ok(csqa(data, "build"))
    after = served_state(data.warehouse)
    assert after[0] != before[0] and after[1:] == before[1:]


def test_kill_9_during_build_leaves_the_served_warehouse_and_no_running_dbt(built, tmp_path):
    data = copy_data(built, tmp_path / "data")
    before = served_state(data.warehouse)

    env = {**os.environ, "CSQA_DATA_DIR": str(data.root)}
    proc = subprocess.Popen([sys.executable, "-m", "ingest.cli", "build"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen, dbt = [], []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # dbt has written a model into the new build file: kill the build now
            seen.append(line)
            if re.match(r"\s*dbt \d+/\d+ ", line):
                dbt = [pid for pid in children_of(proc.pid)
                       if b"dbt.cli.main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the build ended before it was killed:\n" + "".join(seen)
    assert dbt, "no dbt child process found while dbt was reporting progress:\n" + "".join(seen)

    # dbt dies with its parent (PR_SET_PDEATHSIG) and stops writing.
    deadline = time.monotonic() + 15
    while any(running(pid) for pid in dbt) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in dbt), f"dbt ({dbt}) outlived the killed build"

    assert served_state(data.warehouse) == before
    assert lock_is_free(data)
    assert unfinished_builds(data), "the kill left no unfinished build: it did not land during the build"
    # A build killed while DuckDB was spilling to disk also leaves its spill folder: make one, as it would be.
    spill = data.builds / f"{unfinished_builds(data)[0].split('.')[0]}.duckdb.tmp"
    spill.mkdir(exist_ok=True)
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"\0" * 4096)

    # The next build clears the leftovers and serves a new build without any manual repair.
    result = csqa(data, "build")
    assert_ok(result)
    after = served_state(data.warehouse)
    assert after[0] != before[0] and f"served build {after[0]}" in result.stdout
    assert after[1:] == before[1:]
    assert unfinished_builds(data) == []
    assert (data.builds / f"served-{before[0]}.duckdb").is_file()  # the previous build kept for rollback


# --- a full disk ----------------------------------------------------------------------------------------------


def test_full_disk_fails_cleanly_and_the_next_run_succeeds_once_space_is_freed(built, tmp_path):
    with tmpfs(tmp_path / "mnt", TMPFS_MB) as mnt:
        data = copy_data(built, mnt / "data")
        before = served_state(data.warehouse)
        landing_before = landing_slots(data.landing)
        fill_disk(mnt)
        assert free_bytes(mnt) == 0

        # (a) An ingest with no space: one line naming the problem and the data folder; nothing half-loaded.
        assert_one_line_error(csqa(data, "ingest", "--reload", str(FIXTURE)), "no space left on device",
                              str(data.root))
        assert served_state(data.warehouse) == before
        assert_landing_consistent(data.landing)
        assert landing_slots(data.landing) == landing_before

        # (b) A build with no space for the copy of landing: the same, and no partial copy left behind.
        assert_one_line_error(csqa(data, "build"), "no space left on device", str(data.root))
        assert served_state(data.warehouse) == before
        assert unfinished_builds(data) == []

        # (c) A build with room for the copy but not for dbt's work: the build file it was writing goes too.
        (mnt / "ballast-tail").unlink()
        fill_disk(mnt, leave=data.landing.stat().st_size + 6 * 2**20)
        free = free_bytes(mnt)
        assert_one_line_error(csqa(data, "build"), "no space left on device", str(data.root))
        assert served_state(data.warehouse) == before
        assert unfinished_builds(data) == []
        dbt_files = sum(f.stat().st_size for f in data.builds.rglob("*") if f.is_file())
        assert free_bytes(mnt) + dbt_files >= free - 2**20, "space still held after the failed build"
        assert_landing_consistent(data.landing)
        assert landing_slots(data.landing) == landing_before

        # Free the space: the next ingest and build succeed with no cleaning up.
        (mnt / "ballast").unlink()
        assert_ok(csqa(data, "ingest", "--reload", str(FIXTURE)))
        assert landing_slots(data.landing) == landing_before
        assert_ok(csqa(data, "build"))
        after = served_state(data.warehouse)
        assert after[0] != before[0] and after[1:] == before[1:]
        assert unfinished_builds(data) == []


# --- a read-only data folder -------------------------------------------------------------------------------------


@contextmanager
def read_only_folder(tmp_path: Path, built: DataDir):
    """A copy of the built data folder, made read-only: a read-only remount of a tmpfs as root (root writes
    through file modes), `chmod -R a-w` otherwise. Yields (data, make_writable, reason): the reason for the
    one-line message."""
    if os.geteuid() == 0:
        with tmpfs(tmp_path / "mnt", TMPFS_MB) as mnt:
            data = copy_data(built, mnt / "data")
            remount(mnt, "ro")
            try:
                yield data, lambda: remount(mnt, "rw"), "read-only file system"
            finally:
                remount(mnt, "rw")  # so the tmpfs unmounts cleanly whatever happened
        return
    data = copy_data(built, tmp_path / "data")
    subprocess.run(["chmod", "-R", "a-w", str(data.root)], check=True)
    try:
        yield data, lambda: subprocess.run(["chmod", "-R", "u+w", str(data.root)], check=True), "permission denied"
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(data.root)], check=True)  # so pytest can remove it


def test_read_only_data_folder_still_serves_and_writers_fail_cleanly(built, tmp_path, monkeypatch):
    with read_only_folder(tmp_path, built) as (data, make_writable, reason):
        before = served_state(data.warehouse)
        files = sorted(p.name for p in data.root.iterdir())

        # The app reads the served warehouse as ever (a read-only DuckDB connection writes nothing beside it).
        monkeypatch.setenv("CSQA_WAREHOUSE", str(data.warehouse))
        from app import data as served

        assert served.query("select build_id from meta.build_info")["build_id"].to_list() == [before[0]]
        sql = "select indicator_id, period_grain, period_start, la_code, org_id, value from indicator_values"
        through_app = served.query(sql + " order by all")
        assert through_app.height == before[1]
        con = duckdb.connect(str(built.warehouse), read_only=True)  # the original, on a writable folder
        try:
            assert through_app.equals(served.plain_types(con.sql(sql + " order by all").pl()))
        finally:
            con.close()
        assert served_state(data.warehouse) == before
        assert_landing_consistent(data.landing)

        # Writers refuse in one line naming the folder.
        assert_one_line_error(csqa(data, "ingest", "--reload", str(FIXTURE)), reason, str(data.root))
        assert_one_line_error(csqa(data, "build"), reason, str(data.root))
        assert sorted(p.name for p in data.root.iterdir()) == files

        # Writable again: the next runs succeed with no repair.
        make_writable()
        landing_before = landing_slots(data.landing)
        assert_ok(csqa(data, "ingest", "--reload", str(FIXTURE)))
        assert landing_slots(data.landing) == landing_before
        assert_ok(csqa(data, "build"))
        after = served_state(data.warehouse)
        assert after[0] != before[0] and after[1:] == before[1:]
