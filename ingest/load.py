"""Load extract files into the landing database, each through its contract, each in one transaction."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.derive import DERIVATIONS
from ingest.identify import MANIFEST, UsageError, identify, table_from_name
from ingest.landing import LoadRecord, ensure_schema, find_identical, raw_columns, store
from ingest.read import FileRejected, read_csv_text
from ingest.validate import REJECT_SCHEMA, check

INPUT_SUFFIXES = {".csv", ".txt"}


@dataclass
class Outcome:
    path: Path
    status: str  # loaded | unchanged | rejected
    load_id: str | None = None
    table: str | None = None
    la_code: str | None = None
    collection_year: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str = ""
    superseded: list[str] = field(default_factory=list)
    first_rejects: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _new_load_id(sha: str) -> str:
    return f"L{datetime.now():%Y%m%dT%H%M%S%f}-{sha[:8]}"


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named on the command line, and every input file under folders named there.

    Reference data goes first (episodes derive distances from the postcode reference), then by path.
    """
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(f for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES
                         and f.name != MANIFEST)
        elif p.exists():
            files.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder")

    def order(f: Path):
        t = table_from_name(f)
        return (0 if t is not None and t.dataset == "reference" else 1, str(f))

    return sorted(dict.fromkeys(files), key=order)


def ingest_file(con, path: Path, la: str | None = None, year: int | None = None,
                as_at: date | None = None) -> Outcome:
    started = datetime.now()
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    name = path.name
    header: list[str] = []
    try:
        text = read_csv_text(data, name)
        header = text.header
    except FileRejected as exc:
        text, failure = None, exc
    else:
        failure = None
    try:
        ident = identify(path, header, la, year, as_at)
    except UsageError:
        if failure is None:
            raise
        # An unreadable file whose table cannot be told: reject it without recording a load.
        return Outcome(path, "rejected", message=str(failure), rows_read=failure.rows_read,
                       rows_rejected=failure.rows_read)
    table = ident.table
    rec = LoadRecord(
        load_id=_new_load_id(sha), dataset=table.dataset, table_name=table.name, file_name=name,
        file_path=str(path.resolve()), sha256=sha, la_code=ident.la_code,
        collection_year=ident.period.collection_year if ident.period else None,
        period_start=ident.period.start if ident.period else None,
        period_end=ident.period.end if ident.period else None,
        encoding=text.encoding if text else None, synthetic=ident.synthetic,
        rows_read=0, rows_loaded=0, rows_rejected=0, status="loaded", message=None, started_at=started,
    )
    outcome = Outcome(path, "loaded", load_id=rec.load_id, table=f"{table.dataset}.{table.name}",
                      la_code=rec.la_code, collection_year=rec.collection_year)
    same = find_identical(con, rec)
    if same:
        outcome.status = "unchanged"
        outcome.load_id = same[0]
        outcome.message = (f"{name}: identical to load {same[0]} ({same[1]}); nothing changed")
        return outcome

    good = None
    if failure is None:
        try:
            checked = check(table, text, name, ident.period)
        except FileRejected as exc:
            failure = exc
            failure.rows_read = len(text.rows)
    if failure is not None:
        rec.status = "rejected"
        rec.rows_read = rec.rows_rejected = failure.rows_read
        rec.message = str(failure)
        rejects = pl.DataFrame(
            [{"row_number": 0, "column_name": failure.column, "value": None, "rule": failure.rule,
              "message": str(failure)}], schema=REJECT_SCHEMA)
        outcome.status = "rejected"
        outcome.message = str(failure)
    else:
        good = checked.good
        if table.per_authority:
            good = good.with_columns(pl.lit(ident.la_code).alias("la_code"),
                                     pl.lit(ident.period.collection_year, pl.Int32).alias("collection_year"))
        warnings = list(checked.warnings)
        if table.derive:
            good, extra = DERIVATIONS[table.derive](con, good)
            warnings += extra
        good = good.with_columns(pl.lit(rec.load_id).alias("_load_id"))
        rejects = checked.rejects
        rec.rows_read = checked.rows_read
        rec.rows_loaded = good.height
        rec.rows_rejected = checked.rows_rejected
        rec.message = "; ".join(warnings) or None
        outcome.warnings = warnings
        outcome.first_rejects = [
            f"{name} row {r['row_number']}, column {r['column_name'] or '(row)'}: {r['message']} [{r['rule']}]"
            for r in rejects.head(5).iter_rows(named=True)
        ]
    rec.finished_at = datetime.now()
    assert rec.rows_read == rec.rows_loaded + rec.rows_rejected, "row reconciliation failed"
    assert good is None or [c for c, _ in raw_columns(table)] == [c for c, _ in raw_columns(table)]
    outcome.superseded = store(con, table, rec, good, rejects)
    outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected = rec.rows_read, rec.rows_loaded, rec.rows_rejected
    return outcome


def ingest_paths(landing: Path, paths: Iterable[Path], la: str | None = None, year: int | None = None,
                 as_at: date | None = None, progress: Callable[[Outcome, int, int], None] | None = None
                 ) -> list[Outcome]:
    files = expand(paths)
    landing.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(landing))
    outcomes = []
    try:
        ensure_schema(con)
        for i, f in enumerate(files, 1):
            outcome = ingest_file(con, f, la=la, year=year, as_at=as_at)
            outcomes.append(outcome)
            if progress:
                progress(outcome, i, len(files))
        con.execute("checkpoint")
    finally:
        con.close()
    # The landing file is copied by `csqa build`: make sure nothing is left in a write-ahead log.
    wal = Path(str(landing) + ".wal")
    if wal.exists() and wal.stat().st_size == 0:
        os.remove(wal)
    return outcomes
