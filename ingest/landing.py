"""The landing database: raw.* tables typed by the contracts, and meta.loads / meta.rejected_rows.

Only `csqa ingest` writes here, one file per transaction, so a file is loaded whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from ingest.contracts import SQL_TYPES, Table, all_tables

# Columns derived at ingest in place of the ones a contract drops (see ingest/derive.py).
DERIVED_COLUMNS = {
    "placement_geography": [
        ("home_postcode_district", "VARCHAR"),
        ("placement_postcode_district", "VARCHAR"),
        ("placement_distance_miles", "DOUBLE"),
        ("placed_outside_la", "BOOLEAN"),
    ]
}
# Contract columns that never reach raw.* because a derivation replaces them.
REPLACED_COLUMNS = {"placement_geography": {"home_postcode", "placement_postcode"}}

META_DDL = """
create schema if not exists raw;
create schema if not exists meta;
create table if not exists meta.loads (
    load_id varchar primary key,
    dataset varchar not null,
    table_name varchar not null,
    file_name varchar not null,
    file_path varchar,
    sha256 varchar not null,
    la_code varchar,
    collection_year integer,
    period_start date,
    period_end date,
    encoding varchar,
    synthetic boolean not null default false,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_rejected integer not null,
    status varchar not null,
    superseded_by varchar,
    message varchar,
    started_at timestamp not null,
    finished_at timestamp not null,
    check (rows_read = rows_loaded + rows_rejected),
    check (status in ('loaded', 'superseded', 'rejected'))
);
create table if not exists meta.rejected_rows (
    load_id varchar not null,
    row_number integer not null,
    column_name varchar,
    value varchar,
    rule varchar not null,
    message varchar not null
);
-- Values that broke a rule in a column whose contract says `on_error: clear`: the row was loaded with the
-- value unknown. Not counted in rows_rejected.
create table if not exists meta.cleared_values (
    load_id varchar not null,
    row_number integer not null,
    column_name varchar not null,
    value varchar,
    rule varchar not null,
    message varchar not null
);
"""


def raw_columns(table: Table) -> list[tuple[str, str]]:
    """(name, sql type) of every column of the table's raw.* table, in order."""
    cols = [("_load_id", "VARCHAR"), ("_source_row", "INTEGER")]
    if table.per_authority:
        cols += [("la_code", "VARCHAR"), ("collection_year", "INTEGER")]
    replaced = REPLACED_COLUMNS.get(table.derive or "", set())
    for c in table.kept:
        if c.target in replaced:
            continue
        cols.append((c.target, SQL_TYPES[c.type]))
    cols += DERIVED_COLUMNS.get(table.derive or "", [])
    return cols


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every meta and raw table the contracts describe; add columns a contract has gained."""
    con.execute(META_DDL)
    for table in all_tables():
        cols = raw_columns(table)
        con.execute(
            f"create table if not exists {table.raw_table} ("
            + ", ".join(f"{name} {sqltype}" for name, sqltype in cols)
            + ")"
        )
        schema, name = table.raw_table.split(".")
        have = {
            r[0]
            for r in con.sql(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                params=[schema, name],
            ).fetchall()
        }
        for col, sqltype in cols:
            if col not in have:
                con.execute(f"alter table {table.raw_table} add column {col} {sqltype}")


@dataclass
class LoadRecord:
    load_id: str
    dataset: str
    table_name: str
    file_name: str
    file_path: str
    sha256: str
    la_code: str | None
    collection_year: int | None
    period_start: date | None
    period_end: date | None
    encoding: str | None
    synthetic: bool
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    status: str
    message: str | None
    started_at: datetime
    finished_at: datetime | None = None
    slot: str = "collection_year"


def _slot(rec: LoadRecord) -> tuple[str, list]:
    """The condition naming a load's slot: what a newer file replaces (the contract's `slot`).

    collection_year: the same table, authority and collection year (SSDA903, CIN census).
    snapshot: the same table, authority and as-at date (Annex A: a newer snapshot of the same period).
    month: the same table, authority and month (HR extracts; period_end is the month's last day).
    register: the same table and authority (a complaints register is whole each time).
    file: the same table and file name (reference data: a directory split into several files loads file by
    file).
    """
    if rec.slot == "file":
        return ("dataset = ? and table_name = ? and file_name = ?", [rec.dataset, rec.table_name, rec.file_name])
    if rec.slot == "register":
        return ("dataset = ? and table_name = ? and la_code is not distinct from ?",
                [rec.dataset, rec.table_name, rec.la_code])
    if rec.slot in ("snapshot", "month"):
        return ("dataset = ? and table_name = ? and la_code is not distinct from ? and period_end = ?",
                [rec.dataset, rec.table_name, rec.la_code, rec.period_end])
    return ("dataset = ? and table_name = ? and la_code is not distinct from ? "
            "and collection_year is not distinct from ?",
            [rec.dataset, rec.table_name, rec.la_code, rec.collection_year])


@dataclass
class Previous:
    load_id: str
    status: str
    superseded_by: str | None
    message: str | None


def find_identical(con, rec: LoadRecord) -> Previous | None:
    """The latest earlier load of exactly these bytes into the same slot, whatever became of it."""
    where, params = _slot(rec)
    rows = con.sql(
        f"""select load_id, status, superseded_by, message from meta.loads
            where sha256 = ? and {where} order by load_id desc limit 1""",
        params=[rec.sha256, *params],
    ).fetchall()
    return Previous(*rows[0]) if rows else None


def current_rows(con, rec: LoadRecord) -> tuple[str, int] | None:
    """The load currently filling this slot, and how many rows it holds."""
    where, params = _slot(rec)
    rows = con.sql(f"select load_id, rows_loaded from meta.loads where status = 'loaded' and {where}",
                   params=params).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def _insert_frame(con, target: str, names: list[str], frame: pl.DataFrame) -> None:
    """Insert a polars frame's columns into a table of the same column names.

    DuckDB finds `incoming_rows` among this function's local variables (its replacement scan), so `execute` must be
    called here, with the variable in scope. Registering the frame as a view and dropping it again, or wrapping
    it in a relation, cost about a tenth more of a folder of 2,043 small files' ingest."""
    incoming_rows = frame.to_arrow()  # noqa: F841 (read by name in the SQL below)
    columns = ", ".join(f'"{n}"' for n in names)
    con.execute(f"insert into {target} ({columns}) select {columns} from incoming_rows")


def store(con, table: Table, rec: LoadRecord, good: pl.DataFrame | None, rejects: pl.DataFrame,
          cleared: pl.DataFrame | None = None) -> list[str]:
    """Supersede the current load for the same slot, insert rows, record the load.

    Returns the load ids superseded. A rejected file supersedes nothing. The caller holds the transaction
    (`ingest.load`: a file's tables, or several files read ahead, load together or not at all).
    """
    superseded: list[str] = []
    if rec.status == "loaded":
        where, params = _slot(rec)
        superseded = [
            r[0] for r in con.execute(f"select load_id from meta.loads where status = 'loaded' and {where}",
                                      params).fetchall()
        ]
        for old in superseded:
            con.execute(f"delete from {table.raw_table} where _load_id = ?", [old])
            con.execute(
                "update meta.loads set status = 'superseded', superseded_by = ? where load_id = ?",
                [rec.load_id, old],
            )
        if good is not None and good.height:
            names = [n for n, _ in raw_columns(table)]
            _insert_frame(con, table.raw_table, names, good.select(names))
    con.execute(
        """insert into meta.loads (load_id, dataset, table_name, file_name, file_path, sha256, la_code,
               collection_year, period_start, period_end, encoding, synthetic, rows_read, rows_loaded,
               rows_rejected, status, message, started_at, finished_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [rec.load_id, rec.dataset, rec.table_name, rec.file_name, rec.file_path, rec.sha256, rec.la_code,
         rec.collection_year, rec.period_start, rec.period_end, rec.encoding, rec.synthetic,
         rec.rows_read, rec.rows_loaded, rec.rows_rejected, rec.status, rec.message, rec.started_at,
         rec.finished_at or datetime.now()],
    )
    for target, frame in (("meta.rejected_rows", rejects), ("meta.cleared_values", cleared)):
        if frame is not None and frame.height:
            names = ["load_id", "row_number", "column_name", "value", "rule", "message"]
            _insert_frame(con, target, names,
                          frame.with_columns(pl.lit(rec.load_id).alias("load_id")).select(names))
    return superseded
