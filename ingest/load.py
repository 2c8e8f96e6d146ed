"""Load extract files into the landing database, each through its contract, each in one transaction."""

from __future__ import annotations

import calendar
import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.contracts import Table, dataset_tables
from ingest.derive import DERIVATIONS
from ingest.identify import (
    MANIFEST,
    Identity,
    UsageError,
    find_manifest,
    identify,
    identify_snapshot,
    period_for,
    table_from_name,
)
from ingest.landing import LoadRecord, current_rows, ensure_schema, find_identical, store
from ingest.pseudonym import load_key
from ingest.read import (
    CsvText,
    FileRejected,
    find_sheet,
    parse_xml,
    read_cin_census,
    read_csv_text,
    read_csww,
    read_workbook,
    xml_collection,
)
from ingest.validate import REJECT_SCHEMA, Checked, Period, check

# Files picked up when a folder is named (a file named on the command line is read whatever its suffix).
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
XML_SUFFIXES = {".xml"}
INPUT_SUFFIXES = {".csv"} | WORKBOOK_SUFFIXES | XML_SUFFIXES


@dataclass
class Outcome:
    path: Path
    status: str  # loaded | unchanged | rejected
    unidentified: bool = False  # rejected because its table, authority or year could not be told (usage)
    load_id: str | None = None
    table: str | None = None
    la_code: str | None = None
    collection_year: int | None = None
    period: str = ""  # "2024-25", or "as at 31/01/2024" for a snapshot
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


@dataclass
class Prepared:
    """One table's worth of a file, checked and ready to store (or an outcome needing no store)."""

    table: Table
    rec: LoadRecord
    outcome: Outcome
    good: pl.DataFrame | None = None
    rejects: pl.DataFrame | None = None
    cleared: pl.DataFrame | None = None
    store: bool = True


def _prepare(con, path: Path, sha: str, table: Table, text: CsvText | None, failure: FileRejected | None,
             ident: Identity, as_at: date | None, reload: bool, where: str = "",
             key: bytes | None = None, checked_ahead: Checked | FileRejected | None = None,
             known_hashes: set[str] | None = None) -> Prepared:
    """Check one table's rows against its contract and build its load record (nothing written yet).

    checked_ahead: the contract check already done off the writer's thread (`_read_csv_file`); it is the same
    pure function of the file, so doing it early changes nothing but when it runs.
    known_hashes: a set holding at least every sha256 in meta.loads, when the caller keeps one; a file whose hash
    is not in it cannot be identical to an earlier load, so the lookup is skipped.
    """
    name = path.name
    label = f"{name}{where}"
    rec = LoadRecord(
        load_id=_new_load_id(sha), dataset=table.dataset, table_name=table.name, file_name=name,
        file_path=str(path.resolve()), sha256=sha, la_code=ident.la_code,
        collection_year=ident.period.collection_year if ident.period else None,
        period_start=ident.period.start if ident.period else None,
        period_end=ident.period.end if ident.period else None,
        encoding=text.encoding if text else None, synthetic=ident.synthetic,
        rows_read=0, rows_loaded=0, rows_rejected=0, status="loaded", message=None, started_at=datetime.now(),
        slot=table.slot,
    )
    outcome = Outcome(path, "loaded", load_id=rec.load_id, table=f"{table.dataset}.{table.name}",
                      la_code=rec.la_code, collection_year=rec.collection_year)
    if ident.period:
        if table.slot in ("snapshot", "register"):
            outcome.period = f"as at {ident.period.end:%d/%m/%Y}"
        elif table.slot == "month":
            outcome.period = f"{ident.period.end:%b %Y}"
        else:
            outcome.period = ident.period.name or ident.period.label
    unseen = known_hashes is not None and sha not in known_hashes
    same = None if reload or unseen else find_identical(con, rec)
    if same:
        outcome.load_id = same.load_id
        if same.status == "rejected":
            outcome.status = "rejected"
            outcome.message = f"{same.message} (unchanged since load {same.load_id})"
        else:
            outcome.status = "unchanged"
            later = f", since superseded by {same.superseded_by}" if same.superseded_by else ""
            outcome.message = (f"{label}: identical to load {same.load_id}{later}; nothing changed "
                               f"(--reload loads it again)")
        return Prepared(table, rec, outcome, store=False)

    checked = None
    if failure is None and table.slot == "register":
        # A register is whole each time: an older one arriving late must not replace a newer one.
        newer = con.sql("select load_id, period_end from meta.loads where status = 'loaded' and dataset = ? "
                        "and table_name = ? and la_code = ? and period_end > ?",
                        params=[rec.dataset, rec.table_name, rec.la_code, rec.period_end]).fetchall()
        if newer:
            failure = FileRejected(
                "older_register", f"{label}: a register as at {rec.period_end:%d/%m/%Y} is older than the one "
                f"loaded (load {newer[0][0]}, as at {newer[0][1]:%d/%m/%Y}); nothing changed")
            failure.rows_read = text.n_rows if text else 0
    if failure is None:
        try:
            if isinstance(checked_ahead, FileRejected):
                raise checked_ahead
            checked = checked_ahead or check(table, text, label, ident.period, pseudonym_key=key)
        except FileRejected as exc:
            failure = exc
            failure.rows_read = text.n_rows
    if failure is None and checked.rows_read == 0:
        holding = current_rows(con, rec)
        if holding and holding[1] > 0:
            failure = FileRejected(
                "no_data_rows", f"{label}: a header but no data rows; it would replace load {holding[0]} "
                f"holding {holding[1]:,} rows (an empty extract is usually a failed export)")
    if failure is not None:
        return _rejected(table, rec, outcome, failure)

    good, cleared = checked.good, checked.cleared
    first_rejects = [
        f"{label} row {r['row_number']}, column {r['column_name'] or '(row)'}: {r['message']} [{r['rule']}]"
        for r in checked.rejects.head(5).iter_rows(named=True)
    ]
    refusal = None
    if checked.rows_read and good.height == 0:
        # Nothing usable (often the wrong month or year in the file): it must not empty the slot it names.
        refusal = FileRejected("every_row_rejected", f"{label}: every one of its {checked.rows_read:,} rows was "
                               "rejected, so it replaces nothing; nothing changed")
    elif table.slot == "register" and checked.rows_rejected:
        # A register replaces the previous one whole: loading the rest would silently drop the rejected records
        # from every period they were counted in.
        refusal = FileRejected("register_incomplete", f"{label}: {checked.rows_rejected:,} of its "
                               f"{checked.rows_read:,} records were rejected; a register replaces the previous "
                               "one whole, so it loads only when every record passes; nothing changed")
    if refusal is not None:
        refusal.rows_read = checked.rows_read
        refused = _rejected(table, rec, outcome, refusal)
        refused.rejects = pl.concat([checked.rejects, refused.rejects])  # each bad row, then the file's verdict
        outcome.first_rejects = first_rejects
        return refused
    warnings = list(checked.warnings)
    if table.period_start_column and good.height:
        first = good[table.column(table.period_start_column).target].min()
        if first is not None:
            rec.period_start = first
    if (table.as_at_columns and as_at is None and ident.period and good.height
            and ident.period.end > date.today() and table.slot == "collection_year"):
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
    rec.rows_read = checked.rows_read
    rec.rows_loaded = good.height
    rec.rows_rejected = checked.rows_rejected
    rec.message = "; ".join(warnings) or None
    outcome.warnings = warnings
    outcome.first_rejects = first_rejects
    return Prepared(table, rec, outcome, good, checked.rejects, cleared)


def _rejected(table: Table, rec: LoadRecord, outcome: Outcome, failure: FileRejected) -> Prepared:
    rec.status = "rejected"
    rec.rows_read = rec.rows_rejected = failure.rows_read
    rec.rows_loaded = 0
    rec.message = str(failure)
    rejects = pl.DataFrame(
        [{"row_number": 0, "column_name": failure.column, "value": None, "rule": failure.rule,
          "message": str(failure)}], schema=REJECT_SCHEMA)
    outcome.status = "rejected"
    outcome.message = str(failure)
    return Prepared(table, rec, outcome, None, rejects, None)


def _store_all(con, prepared: list[Prepared], transaction: bool = True) -> list[Outcome]:
    """Store every table of one file in one transaction: all of the file or none of it. With transaction=False
    the caller holds the transaction (`ingest_paths` stores several files read ahead in one)."""
    if not transaction:
        return _store_each(con, prepared)
    con.execute("begin transaction")
    try:
        outcomes = _store_each(con, prepared)
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    return outcomes


def _rollback(con) -> None:
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass  # a failed commit (a full disk) has already ended the transaction: keep its error, not this one


def _store_each(con, prepared: list[Prepared]) -> list[Outcome]:
    """Store each prepared table in the transaction the caller holds."""
    for p in prepared:
        if not p.store:
            continue
        p.rec.finished_at = datetime.now()
        assert p.rec.rows_read == p.rec.rows_loaded + p.rec.rows_rejected, "row reconciliation failed"
        p.outcome.superseded = store(con, p.table, p.rec, p.good, p.rejects, p.cleared)
        p.outcome.rows_read = p.rec.rows_read
        p.outcome.rows_loaded = p.rec.rows_loaded
        p.outcome.rows_rejected = p.rec.rows_rejected
    return [p.outcome for p in prepared]


def ingest_file(con, path: Path, la: str | None = None, year: int | None = None,
                as_at: date | None = None, reload: bool = False, key: bytes | None = None,
                known_hashes: set[str] | None = None) -> list[Outcome]:
    """Load one file: one outcome per table it holds (a CSV holds one; a workbook or XML return several).

    known_hashes: see `_prepare`; the file's hash is added to it.
    """
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES | XML_SUFFIXES:  # a CSV file, or a file named as one on the command line
        return _finish_csv(con, _read_csv_file(path, la, year, as_at, key, data, sha), as_at, reload, known_hashes)
    if known_hashes is not None:
        known_hashes.add(sha)  # before it is stored: a hash too many only costs a lookup, one too few a miss
    if suffix in WORKBOOK_SUFFIXES:
        return _ingest_workbook(con, path, data, sha, la, as_at, reload, key)
    if suffix in XML_SUFFIXES:
        try:
            root = parse_xml(data, path.name)
        except FileRejected as exc:
            root, failure = None, exc
        else:
            failure = None
        if root is not None and xml_collection(root) == "csww":
            return _ingest_csww(con, path, data, sha, root, la, year, reload, key)
        if root is not None and xml_collection(root) is None:
            failure = FileRejected("unknown_xml", f"{path.name}: an XML file that is neither a CIN census nor a "
                                   f"social work workforce census return")
        return _ingest_cin_census(con, path, data, sha, la, year, reload, key, root, failure)


@dataclass
class CsvRead:
    """A CSV file read, identified and checked against its contract: all the work on it that does not touch the
    database, so that it can be done on another thread while the writer stores the file before it."""

    path: Path
    sha: str
    text: CsvText | None
    failure: FileRejected | None  # unreadable (encoding, binary, empty…)
    ident: Identity | None
    unidentified: Outcome | None  # no table, authority or year could be told
    checked: Checked | FileRejected | None = None


def _read_csv_file(path: Path, la: str | None, year: int | None, as_at: date | None, key: bytes | None,
                   data: bytes | None = None, sha: str | None = None) -> CsvRead:
    if data is None:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
    header: list[str] = []
    failure = None
    text = None
    try:
        text = read_csv_text(data, path.name)
        header = text.header
    except FileRejected as exc:
        failure = exc
    try:
        ident = identify(path, header, la, year, as_at)
    except UsageError as exc:
        # Without a table (or authority, or year) there is no slot to record a load in: reject the file alone,
        # so one stray file in a folder does not stop the others.
        message = str(failure) if failure is not None and "cannot tell which table" in str(exc) else str(exc)
        return CsvRead(path, sha, text, failure, None, Outcome(
            path, "rejected", message=message, rows_read=failure.rows_read if failure else 0,
            rows_rejected=failure.rows_read if failure else 0, unidentified=True))
    checked = None
    if failure is None:
        try:
            checked = check(ident.table, text, path.name, ident.period, pseudonym_key=key)
        except FileRejected as exc:
            checked = exc
    return CsvRead(path, sha, text, failure, ident, None, checked)


def _finish_csv(con, read: CsvRead, as_at: date | None, reload: bool,
                known_hashes: set[str] | None = None, transaction: bool = True) -> list[Outcome]:
    """Store a CSV file read by `_read_csv_file` (its check is done: the pseudonymisation key is not needed)."""
    if read.unidentified is not None:
        return [read.unidentified]
    outcomes = _store_all(con, [_prepare(con, read.path, read.sha, read.ident.table, read.text, read.failure,
                                         read.ident, as_at, reload, checked_ahead=read.checked,
                                         known_hashes=known_hashes)], transaction=transaction)
    if known_hashes is not None:
        known_hashes.add(read.sha)
    return outcomes


def _ingest_workbook(con, path: Path, data: bytes, sha: str, la: str | None, as_at: date | None,
                     reload: bool, key: bytes | None) -> list[Outcome]:
    """An Ofsted Annex A workbook: every list the contract names, checked, then loaded together."""
    tables = dataset_tables("annex_a")
    try:
        sheets = read_workbook(data, path.name)
        texts = {t.name: find_sheet(sheets, t, path.name) for t in tables}
        failure = None
    except FileRejected as exc:
        texts, failure = {}, exc
    try:
        ident = identify_snapshot(path, la, as_at, texts, tables)
    except UsageError as exc:
        return [Outcome(path, "rejected", message=str(failure or exc), unidentified=True)]
    prepared = [
        _prepare(con, path, sha, t, texts.get(t.name), failure, ident, as_at, reload,
                 where=f" sheet '{t.sheet}'", key=key)
        for t in tables
    ]
    # One bad list rejects the workbook: a partial snapshot would mix two dates' pictures.
    return _store_all(con, _all_or_nothing(prepared))


def _ingest_cin_census(con, path: Path, data: bytes, sha: str, la: str | None, year: int | None,
                       reload: bool, key: bytes | None, root=None, failure: FileRejected | None = None,
                       ) -> list[Outcome]:
    """A CIN census XML return: the authority and year come from its header unless given."""
    tables = dataset_tables("cin_census")
    census = None
    if failure is None:
        try:
            census = read_cin_census(data, path.name, root)
        except FileRejected as exc:
            failure = exc
    la_code = la or (census.la_code if census else None)
    collection_year = year or (census.collection_year if census else None)
    try:
        if la_code is None or collection_year is None:
            # No usable header (or an unreadable file): fall back on the path, as for CSV returns.
            ident = identify(path, [], la_code, collection_year, None, table=tables[0])
        else:
            ident = Identity(None, la_code, period_for(collection_year), bool(find_manifest(path).get("synthetic")))
    except UsageError as exc:
        return [Outcome(path, "rejected", message=str(failure or exc), unidentified=True)]
    prepared = [
        _prepare(con, path, sha, t, census.tables.get(t.name) if census else None, failure, ident, None, reload,
                 where=f" ({t.name.replace('_', ' ')})", key=key)
        for t in tables
    ]
    return _store_all(con, _all_or_nothing(prepared))


def _ingest_csww(con, path: Path, data: bytes, sha: str, root, la: str | None, year: int | None,
                 reload: bool, key: bytes | None) -> list[Outcome]:
    """A social work workforce census return (as at 30 September): workers and LA-level vacancies together."""
    tables = dataset_tables("csww")
    try:
        census = read_csww(data, path.name, root)
        failure = None
    except FileRejected as exc:
        census, failure = None, exc
    la_code = la or (census.la_code if census else None)
    census_year = year or (census.census_year if census else None)
    if la_code is None or census_year is None:
        try:
            fallback = identify(path, [], la_code, census_year, None, table=tables[0])
        except UsageError as exc:
            return [Outcome(path, "rejected", message=str(failure or exc), unidentified=True)]
        la_code, census_year = fallback.la_code, fallback.period.collection_year
    reference = date(census_year, 9, 30)
    if census and census.reference_date and census.reference_date != reference and failure is None:
        failure = FileRejected("bad_header", f"{path.name}: ReferenceDate {census.reference_date:%d/%m/%Y} is not "
                               f"30 September of the census year {census_year}")
    period = Period(start=date(census_year - 1, 10, 1), end=reference, collection_year=census_year,
                    name=f"the census year to {reference:%d/%m/%Y}")
    ident = Identity(None, la_code, period, bool(find_manifest(path).get("synthetic")))
    prepared = [
        _prepare(con, path, sha, t, census.tables.get(t.name) if census else None, failure, ident, None, reload,
                 where=f" ({t.name})", key=key)
        for t in tables
    ]
    return _store_all(con, _all_or_nothing(prepared))


def _all_or_nothing(prepared: list[Prepared]) -> list[Prepared]:
    if not any(p.outcome.status == "rejected" and p.store for p in prepared):
        return prepared
    first = next(p for p in prepared if p.outcome.status == "rejected")
    whole = FileRejected("file_rejected", first.outcome.message)
    return [p if p.outcome.status in ("rejected", "unchanged")
            else _rejected(p.table, p.rec, p.outcome, _cause(whole, p)) for p in prepared]


def _cause(whole: FileRejected, p: Prepared) -> FileRejected:
    exc = FileRejected("file_rejected", f"not loaded because another part of the file was rejected: {whole}")
    exc.rows_read = p.rec.rows_read
    return exc


# Reading and checking a CSV file (polars, mostly outside the GIL) overlaps with storing the one before it (DuckDB,
# also outside it): a small file's cost is mostly fixed, so this is most of the speed-up on a folder of extracts.
# A file bigger than READ_AHEAD_MAX_BYTES is read in its turn, so at most one large file is held at once.
READ_AHEAD_THREADS = max(1, min(2, os.cpu_count() or 1))
READ_AHEAD_FILES = 4
READ_AHEAD_MAX_BYTES = 32 * 2**20
INGEST_CHECKPOINT_THRESHOLD = "1GB"
# Files read ahead are stored in one transaction for as long as the next one is already read, up to this many: a
# commit writes and syncs the write-ahead log (about 2 ms), which over thousands of small files is seconds. A file
# is reported only after its transaction commits. If storing one fails, the others in its transaction are rolled
# back with it, unreported, and load on the next run like any file not yet loaded. (A file that cannot be read
# ends the run too, but the files before it are committed first.)
COMMIT_GROUP_FILES = 16


def _read_ahead(files: list[Path], la, year, as_at, key) -> Iterable[tuple[Path, CsvRead | None, bool]]:
    """Each file in order, with its CsvRead if it was read ahead (a CSV file of up to READ_AHEAD_MAX_BYTES), and
    whether the file after it has been read ahead already."""
    def ahead(f: Path) -> bool:
        try:
            return f.suffix.lower() == ".csv" and f.stat().st_size <= READ_AHEAD_MAX_BYTES
        except OSError:
            return False  # gone or unreadable: ingest_file says so in its turn

    with ThreadPoolExecutor(max_workers=READ_AHEAD_THREADS, thread_name_prefix="csqa-read") as pool:
        pending: deque[tuple[Path, Future | None]] = deque()
        queue = iter(files)

        def submit() -> None:
            f = next(queue, None)
            if f is not None:
                pending.append((f, pool.submit(_read_csv_file, f, la, year, as_at, key) if ahead(f) else None))

        for _ in range(READ_AHEAD_FILES):
            submit()
        while pending:
            f, future = pending.popleft()
            read = future.result() if future is not None else None
            submit()
            # A read that failed is "done" too, but raises when its turn comes: the files stored before it are
            # committed first, not rolled back with it.
            following = pending[0][1] if pending else None
            yield f, read, following is not None and following.done() and following.exception() is None


def ingest_paths(landing: Path, paths: Iterable[Path], la: str | None = None, year: int | None = None,
                 as_at: date | None = None, progress: Callable[[Outcome, int, int], None] | None = None,
                 reload: bool = False, skipped: list[Path] | None = None) -> list[Outcome]:
    files = expand(paths, skipped)
    landing.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(landing))
    # Checkpoint at the end (below), not every 16 MB of write-ahead log: thousands of small loads otherwise
    # rewrite the same half-filled row groups again and again (a folder of 2,043 files: about a tenth faster).
    con.execute(f"set checkpoint_threshold = '{INGEST_CHECKPOINT_THRESHOLD}'")
    outcomes = []
    key = load_key(landing.parent)
    try:
        ensure_schema(con)
        known_hashes = {r[0] for r in con.sql("select distinct sha256 from meta.loads").fetchall()}
        stored: list[tuple[int, list[Outcome]]] = []  # in the open transaction, reported when it commits

        def report(i: int, got: list[Outcome]) -> None:
            for outcome in got:
                outcomes.append(outcome)
                if progress:
                    progress(outcome, i, len(files))

        def commit() -> None:
            if stored:
                con.execute("commit")
                for i, got in stored:
                    report(i, got)
                stored.clear()

        try:
            for i, (f, read, next_read) in enumerate(_read_ahead(files, la, year, as_at, key), 1):
                if read is None:
                    commit()
                    report(i, ingest_file(con, f, la=la, year=year, as_at=as_at, reload=reload, key=key,
                                          known_hashes=known_hashes))
                    continue
                if not stored:
                    con.execute("begin transaction")
                stored.append((i, _finish_csv(con, read, as_at, reload, known_hashes, transaction=False)))
                if not next_read or len(stored) >= COMMIT_GROUP_FILES:
                    commit()
            commit()
        except BaseException:
            if stored:
                _rollback(con)
            raise
        con.execute("checkpoint")
    finally:
        con.close()
    # The landing file is copied by `csqa build`: make sure nothing is left in a write-ahead log.
    wal = Path(str(landing) + ".wal")
    if wal.exists() and wal.stat().st_size == 0:
        os.remove(wal)
    return outcomes
