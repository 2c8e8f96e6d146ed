"""Where csqa keeps its files, and the lock that keeps ingest and build from overlapping."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def from_env(cls) -> DataDir:
        return cls(Path(os.environ.get("CSQA_DATA_DIR", REPO_ROOT / "data")).resolve())

    @property
    def landing(self) -> Path:
        return self.root / "landing.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def builds(self) -> Path:
        return self.root / "build"

    @property
    def extracts(self) -> Path:
        return self.root / "extracts"

    @property
    def benchmarks(self) -> Path:
        # Published comparators are committed with the code, not per data folder.
        return Path(os.environ.get("CSQA_BENCHMARKS_DIR", REPO_ROOT / "data" / "benchmarks" / "dfe")).resolve()

    @contextmanager
    def lock(self, what: str):
        """Exclusive lock for writers (ingest, build). Released by the OS if the process dies.

        The holder's name written into the lock file is only a courtesy for whoever waits: on a full disk it
        cannot be written (a page is needed), and that must not stop the run from reaching the real work and
        its real error. Unbuffered writes, so a failed note is not retried (and raised) again at close.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / ".lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # as open(path, "a+") did: the umask decides
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another csqa process"
                print(f"waiting for {holder} to finish before {what}…", flush=True)
                fcntl.flock(fd, fcntl.LOCK_EX)
            _note(fd, f"csqa {what} (pid {os.getpid()})")
            try:
                yield
            finally:
                _note(fd, "")
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _note(fd: int, text: str) -> None:
    """Replace the lock file's content with `text`, if the disk lets us (best effort: see DataDir.lock)."""
    try:
        os.ftruncate(fd, 0)
        if text:
            os.pwrite(fd, text.encode(), 0)
    except OSError:
        pass
