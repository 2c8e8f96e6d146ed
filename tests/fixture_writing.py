"""What every hand-made warehouse fixture shares: the indicator_values column order and the row writer."""

from __future__ import annotations

import duckdb
import polars as pl

# indicator_values as the served warehouse holds it (docs/contracts.md), in the order fixtures write it.
VALUE_COLUMNS = (
    "indicator_id",
    "period_grain",
    "period_start",
    "period_end",
    "period_label",
    "financial_year",
    "la_code",
    "org_level",
    "org_id",
    "numerator",
    "denominator",
    "value",
    "target",
    "rag",
    "previous_value",
    "year_ago_value",
    "direction_previous",
    "direction_year_ago",
    "benchmark_year",
    "england_value",
    "region_value",
    "region_name",
    "sn_value",
    "sn_count",
)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Insert dict rows into `table` (a missing key is NULL), letting DuckDB cast to the table's types."""
    frame = pl.DataFrame(
        [[r.get(c) for c in columns] for r in rows], schema=list(columns), orient="row", infer_schema_length=None
    )
    con.register("fixture_rows", frame)
    try:
        con.execute(f"insert into {table} ({', '.join(columns)}) select {', '.join(columns)} from fixture_rows")
    finally:
        con.unregister("fixture_rows")
