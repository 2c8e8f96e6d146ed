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
        """Exclusive lock for writers (ingest, build). Released by the OS if the process dies."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / ".lock"
        with open(path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip() or "another csqa process"
                print(f"waiting for {holder} to finish before {what}…", flush=True)
                fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            fh.truncate()
            fh.write(f"csqa {what} (pid {os.getpid()})")
            fh.flush()
            try:
                yield
            finally:
                fh.seek(0)
                fh.truncate()
                fcntl.flock(fh, fcntl.LOCK_UN)
