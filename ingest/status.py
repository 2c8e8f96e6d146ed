"""`csqa status`: what has been loaded, what was rejected and why, and which build is served."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.paths import DataDir


class Busy(Exception):
    pass


def _connect(path: Path):
    if not path.exists():
        return None
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise Busy(f"{path.name} is being written by another csqa process (ingest or build): "
                       f"try again when it finishes") from None
        raise


def status_lines(data: DataDir, rejects: int = 10) -> list[str]:
    try:
        return _status_lines(data, rejects)
    except Busy as exc:
        return [f"status: {exc}"]


def _status_lines(data: DataDir, rejects: int) -> list[str]:
    lines: list[str] = []
    con = _connect(data.landing)
    if con is None:
        lines.append(f"landing: no data loaded yet ({data.landing} does not exist); run `csqa ingest PATH…`")
    else:
        try:
            rows = con.sql(
                """select dataset || '.' || table_name, coalesce(la_code, '-'),
                          -- a CSWW census year is the 30 September it is as at, not a financial year
                          case when dataset = 'csww' then 'Sep ' || collection_year::varchar
                               else coalesce((collection_year - 1)::varchar || '-'
                                   || lpad((collection_year % 100)::varchar, 2, '0'), '-') end,
                          status, count(*), sum(rows_read), sum(rows_loaded), sum(rows_rejected), max(finished_at)
                   from meta.loads group by all order by 1, 2, 3, 4"""
            ).fetchall()
            lines.append(f"landing: {data.landing}")
            lines.append(f"  {'table':<34} {'la':>4} {'year':>8} {'status':<10} {'files':>5} {'read':>9} "
                         f"{'loaded':>9} {'rejected':>9}  last load")
            for t, la, yr, st, n, read, loaded, rej, last in rows:
                lines.append(f"  {t:<34} {la:>4} {yr:>8} {st:<10} {n:>5} {read:>9,} {loaded:>9,} {rej:>9,}  "
                             f"{last:%Y-%m-%d %H:%M}")
            rules = con.sql(
                """select r.rule, count(*), any_value(r.message)
                   from meta.rejected_rows r join meta.loads l using (load_id)
                   where l.status <> 'superseded' group by 1 order by 2 desc limit ?""",
                params=[rejects],
            ).fetchall()
            if rules:
                lines.append("  rejected rows in current loads, by rule (example message):")
                for rule, n, msg in rules:
                    lines.append(f"    {rule:<24} {n:>7,}  e.g. {msg}")
            cleared = con.sql(
                """select c.rule, count(*), any_value(c.message)
                   from meta.cleared_values c join meta.loads l using (load_id)
                   where l.status = 'loaded' group by 1 order by 2 desc limit ?""",
                params=[rejects],
            ).fetchall()
            if cleared:
                lines.append("  values treated as unknown in loaded rows, by rule (example message):")
                for rule, n, msg in cleared:
                    lines.append(f"    {rule:<24} {n:>7,}  e.g. {msg}")
        finally:
            con.close()
    con = _connect(data.warehouse)
    if con is None:
        lines.append(f"served: no warehouse yet ({data.warehouse}); run `csqa build`")
    else:
        try:
            bid, at, synthetic = con.sql("select build_id, built_at, synthetic from meta.build_info").fetchall()[0]
            n = con.sql("select count(*) from indicator_values").fetchall()[0][0]
            lines.append(f"served: build {bid}, built {at:%Y-%m-%d %H:%M} UTC, {n:,} indicator values"
                         f"{' (synthetic data)' if synthetic else ''}: {data.warehouse}")
        except (duckdb.Error, IndexError) as exc:
            lines.append(f"served: {data.warehouse} is not a complete csqa build ({str(exc).splitlines()[0]})")
        finally:
            con.close()
    return lines
