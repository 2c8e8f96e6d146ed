"""Load extract files into the landing database, each through its contract, each in one transaction."""

from __future__ import annotations

import calendar
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
from ingest.landing import LoadRecord, current_rows, ensure_schema, find_identical, store
from ingest.read import FileRejected, read_csv_text
from ingest.validate import REJECT_SCHEMA, check

# Files picked up when a folder is named (a file named on the command line is read whatever its suffix).
INPUT_SUFFIXES = {".csv"}


@dataclass
class Outcome:
    path: Path
    status: str  # loaded | unchanged | rejected
    unidentified: bool = False  # rejected because its table, authority or year could not be told (usage)
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


def expand(paths: Iterable[Path], skipped: list[Path] | None = None) -> list[Path]:
    """Files named on the command line, and every input file under folders named there.

    Reference data goes first (episodes derive distances from the postcode reference), then by path. Other
    files found in folders are listed in `skipped` (documentation, spreadsheets not yet supported, …).
    """
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or f.name == MANIFEST or f.name.startswith("."):
                    continue
                if f.suffix.lower() in INPUT_SUFFIXES:
                    files.append(f)
                elif skipped is not None:
                    skipped.append(f)
        elif p.exists():
            files.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder")

    def order(f: Path):
        t = table_from_name(f)
        return (0 if t is not None and t.dataset == "reference" else 1, str(f))

    return sorted(dict.fromkeys(files), key=order)


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def ingest_file(con, path: Path, la: str | None = None, year: int | None = None,
                as_at: date | None = None, reload: bool = False) -> Outcome:
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
    except UsageError as exc:
        # Without a table (or authority, or year) there is no slot to record a load in: reject the file alone,
        # so one stray file in a folder does not stop the others.
        message = str(failure) if failure is not None and "cannot tell which table" in str(exc) else str(exc)
        return Outcome(path, "rejected", message=message, rows_read=failure.rows_read if failure else 0,
                       rows_rejected=failure.rows_read if failure else 0, unidentified=True)
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
    same = None if reload else find_identical(con, rec)
    if same:
        outcome.load_id = same.load_id
        if same.status == "rejected":
            outcome.status = "rejected"
            outcome.message = f"{same.message} (unchanged since load {same.load_id})"
            return outcome
        outcome.status = "unchanged"
        later = f", since superseded by {same.superseded_by}" if same.superseded_by else ""
        outcome.message = (f"{name}: identical to load {same.load_id}{later}; nothing changed "
                           f"(--reload loads it again)")
        return outcome

    good = None
    cleared = None
    if failure is None:
        try:
            checked = check(table, text, name, ident.period)
        except FileRejected as exc:
            failure = exc
            failure.rows_read = len(text.rows)
    if failure is None and checked.rows_read == 0:
        holding = current_rows(con, rec)
        if holding and holding[1] > 0:
            failure = FileRejected(
                "no_data_rows", f"{name}: a header but no data rows; it would replace load {holding[0]} "
                f"holding {holding[1]:,} rows (an empty extract is usually a failed export)")
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
        cleared = checked.cleared
        warnings = list(checked.warnings)
        if (table.as_at_columns and as_at is None and ident.period and good.height
                and ident.period.end > date.today()):
            # No --as-at, and the collection year is not over: an in-year extract covers the year up to the
            # month of its latest event. (A past year's file is taken as the full return: a small authority
            # may have no event in its last months.)
            latest = good.select(pl.max_horizontal(
                pl.col(table.column(c).target).max() for c in table.as_at_columns)).item()
            if latest is not None and _month_end(latest) < ident.period.end:
                rec.period_end = _month_end(latest)
                warnings.append(f"in-year extract: covers {ident.period.label} up to {rec.period_end:%d/%m/%Y} "
                                f"(month of the latest event); pass --as-at to say otherwise")
        if table.per_authority:
            good = good.with_columns(pl.lit(ident.la_code).alias("la_code"),
                                     pl.lit(ident.period.collection_year, pl.Int32).alias("collection_year"))
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
    outcome.superseded = store(con, table, rec, good, rejects, cleared)
    outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected = rec.rows_read, rec.rows_loaded, rec.rows_rejected
    return outcome


def ingest_paths(landing: Path, paths: Iterable[Path], la: str | None = None, year: int | None = None,
                 as_at: date | None = None, progress: Callable[[Outcome, int, int], None] | None = None,
                 reload: bool = False, skipped: list[Path] | None = None) -> list[Outcome]:
    files = expand(paths, skipped)
    landing.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(landing))
    outcomes = []
    try:
        ensure_schema(con)
        for i, f in enumerate(files, 1):
            outcome = ingest_file(con, f, la=la, year=year, as_at=as_at, reload=reload)
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
