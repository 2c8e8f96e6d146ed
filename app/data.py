"""The app's only data access: parameterised, read-only, short-lived connections to the served warehouse.

* The warehouse is `$CSQA_WAREHOUSE`, else `<repo root>/data/warehouse.duckdb`.
* Connections are read-only and short-lived: a page run opens one at its first query that misses the cache and
  closes it when the run ends (opening the file costs more than most queries); a query outside a run opens and
  closes its own. The app never holds the file between runs, and `csqa build` can swap it underneath.
* Results are cached with `st.cache_data`, keyed on the file's identity (inode, mtime, size): a new build
  is a new file, so it shows at once.
* If the file is being swapped the query is retried once. Anything still wrong becomes
  `WarehouseUnavailable`, which pages turn into a polite message.
* DECIMAL columns come back as DOUBLE (Altair in Streamlit draws DECIMAL 100 times too large).

Readers during builds (`csqa build` renames a new file over the served one at any moment):

* **One query reads one build, and is cached under that build.** A query takes the file's identity, opens the
  path, then checks the path still has that identity: if a build was swapped in between, the connection may
  hold the new file, so the result is thrown away (never cached under the old identity) and the query runs
  again on the new build (a few times at most, then `WarehouseUnavailable`). DuckDB shares one database
  between a process's connections to the same path, so a connection to a new build also waits until the
  process's connections to the previous build have closed (else it would be handed the previous build).
* **One page run reads one build.** `begin_run()` (called at the top of `app/streamlit_app.py` on every run)
  starts a run; its first query pins the build it read, and a later query in the same run that finds another
  build raises `BuildChanged` instead of answering, so no page mixes two builds. The entry point answers
  `BuildChanged` by rerunning the whole page on the new build (and, if builds keep changing, with the polite
  "being updated" message). Outside Streamlit, `with snapshot():` pins the same way for its block.

Only the SQL in this module touches the warehouse; every value from outside goes in as a parameter.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl
import polars.selectors as cs
import streamlit as st

ENV_VAR = "CSQA_WAREHOUSE"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "warehouse.duckdb"
RETRY_DELAY_SECONDS = 0.3
# How many times one query follows the served file to a newer build before giving up (a build takes many
# seconds, so more than one swap during one query means something else is rewriting the file).
MOVED_RETRIES = 5
# How long a connection to a new build waits for this process's connections to the previous build to close.
PREVIOUS_BUILD_WAIT_SECONDS = 30.0
# Never let a missing table resolve to a Python object of the same name (DuckDB "replacement scans").
CONNECTION_CONFIG = {"python_enable_replacements": False}

Reason = Literal["missing", "unreadable", "incomplete"]
Identity = tuple[str, int, int, int]


class WarehouseUnavailable(Exception):
    """The served warehouse cannot answer: not built yet, unreadable, or missing a table or column."""

    def __init__(self, reason: Reason, path: Path, detail: str = "") -> None:
        super().__init__(f"{reason}: {path} {detail}".strip())
        self.reason = reason
        self.path = path
        self.detail = detail


class BuildChanged(Exception):
    """A new build was swapped in during a run (or `snapshot()`) that has already read the previous one.

    Not a `WarehouseUnavailable`: pages do not catch it; the whole run starts again on the new build."""

    def __init__(self, path: Path, pinned: Identity, current: Identity) -> None:
        super().__init__(f"the served warehouse {path} changed during one run (inode {pinned[1]} -> {current[1]})")
        self.path = path
        self.pinned = pinned
        self.current = current


class _Moved(Exception):
    """The path no longer holds the file a query was keyed on: `identity` is what it holds now."""

    def __init__(self, identity: Identity) -> None:
        super().__init__(identity)
        self.identity = identity


def warehouse_path() -> Path:
    raw = os.environ.get(ENV_VAR, "").strip()
    return Path(raw).expanduser() if raw else DEFAULT_WAREHOUSE


def warehouse_identity(path: Path | None = None) -> Identity:
    """(resolved path, inode, mtime_ns, size) of the served file; raises if it is not there."""
    path = path or warehouse_path()
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise WarehouseUnavailable("missing", path) from None
    if not path.is_file():
        raise WarehouseUnavailable("missing", path, "not a file")
    return (str(path.resolve()), stat.st_ino, stat.st_mtime_ns, stat.st_size)


def plain_types(df: pl.DataFrame) -> pl.DataFrame:
    """DECIMAL -> DOUBLE, so charts and arithmetic see ordinary floats."""
    return df.with_columns(cs.decimal().cast(pl.Float64))


# DuckDB hands a new connection the database a process already has open on the same path (even if the path now
# names another file), so: the identity each path's open connections read and how many are open. A connection
# to another identity waits until they have closed.
_OPEN: dict[str, tuple[Identity, int]] = {}
_OPEN_CHANGED = threading.Condition()


def _connect(identity: Identity) -> duckdb.DuckDBPyConnection:
    """A read-only connection that reads the file `identity` names, or `_Moved` if the path holds another."""
    key = identity[0]
    with _OPEN_CHANGED:
        if not _OPEN_CHANGED.wait_for(lambda: key not in _OPEN or _OPEN[key][0] == identity,
                                      timeout=PREVIOUS_BUILD_WAIT_SECONDS):
            raise WarehouseUnavailable("unreadable", Path(key), "the previous build is still being read")
        con = duckdb.connect(key, read_only=True, config=CONNECTION_CONFIG)
        try:
            # The path named this file before connecting and still does: the connection opened it (or shares a
            # database already open on it).
            now = warehouse_identity(Path(key))
        except BaseException:
            con.close()
            raise
        if now != identity:
            con.close()
            raise _Moved(now)
        _OPEN[key] = (identity, _OPEN.get(key, (identity, 0))[1] + 1)
    return con


def _disconnect(identity: Identity, con: duckdb.DuckDBPyConnection) -> None:
    key = identity[0]
    try:
        con.close()
    finally:
        with _OPEN_CHANGED:
            opened, count = _OPEN[key]
            if count > 1:
                _OPEN[key] = (opened, count - 1)
            else:
                del _OPEN[key]
            _OPEN_CHANGED.notify_all()


def _execute(identity: Identity, sql: str, params: list[Any]) -> pl.DataFrame:
    path = Path(identity[0])
    for attempt in (1, 2):
        pin = _active_pin()
        try:
            if pin is not None and pin.identity == identity:
                # The run's own connection (see _Pin): opened by its first query that reaches the file.
                if pin.con is None:
                    pin.con = _connect(identity)
                return plain_types(pin.con.sql(sql, params=params or None).pl())
            con = _connect(identity)
            try:
                return plain_types(con.sql(sql, params=params or None).pl())
            finally:
                _disconnect(identity, con)
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            raise WarehouseUnavailable("incomplete", path, str(exc).splitlines()[0]) from None
        except (duckdb.Error, OSError) as exc:
            if pin is not None:
                pin.close()  # a connection that failed is not reused
            # Most likely `csqa build` is renaming a new warehouse into place: wait and try once more.
            if attempt == 1:
                time.sleep(RETRY_DELAY_SECONDS)
                continue
            if not path.exists():
                raise WarehouseUnavailable("missing", path) from None
            raise WarehouseUnavailable("unreadable", path, str(exc).splitlines()[0]) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@st.cache_data(show_spinner=False, max_entries=2048)
def _cached_query(identity: Identity, sql: str, params: tuple[Any, ...]) -> pl.DataFrame:
    # Raises `_Moved` (so nothing is cached) if the path no longer holds the file `identity` names.
    return _execute(identity, sql, _thaw(params))


# --- one build per page run ------------------------------------------------------------------------------

RUN_PIN_KEY = "csqa_warehouse_pin"


@dataclass
class _Pin:
    """The build one run (or snapshot) reads: None until its first query; and the run's one connection to it.

    Opening the warehouse reads its catalogue (some 150 tables and views), which costs more than most of the
    queries a page makes: a page drawn from a cold cache makes 10-25, so the run opens the file once, at its
    first query that misses the cache, and closes it when the run ends (`end_run`), never holding it between
    runs."""

    identity: Identity | None = None
    con: duckdb.DuckDBPyConnection | None = None

    def close(self) -> None:
        if self.con is not None and self.identity is not None:
            con, self.con = self.con, None
            _disconnect(self.identity, con)


_SNAPSHOT: contextvars.ContextVar[_Pin | None] = contextvars.ContextVar("csqa_warehouse_snapshot", default=None)


def begin_run() -> None:
    """Start one run of the app's script: its first query pins the build, and a later query that finds another
    build raises `BuildChanged`. Reads nothing (a signed-out run never touches the warehouse)."""
    end_run()  # a run stopped before its end (st.rerun, st.stop) leaves its connection for the next to close
    st.session_state[RUN_PIN_KEY] = _Pin()


def end_run() -> None:
    """Close the run's connection, if its queries opened one (the entry point calls this when the run ends)."""
    pin = st.session_state.get(RUN_PIN_KEY) if _in_app_session() else None
    if isinstance(pin, _Pin):
        pin.close()


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """Pin the served build for the block, as `begin_run` does for a page run: every query in the block reads the
    build the first one read, or raises `BuildChanged` (then start the block again)."""
    pin = _Pin()
    token = _SNAPSHOT.set(pin)
    try:
        yield
    finally:
        _SNAPSHOT.reset(token)
        pin.close()


def _active_pin() -> _Pin | None:
    """The innermost `snapshot()`, else this app run's pin (if the run began with `begin_run`), else None."""
    pin = _SNAPSHOT.get()
    if pin is None and _in_app_session():
        pin = st.session_state.get(RUN_PIN_KEY)
    return pin if isinstance(pin, _Pin) else None


def _read(identity: Identity, sql: str, params: tuple[Any, ...]) -> pl.DataFrame:
    result = _cached_query(identity, sql, params)
    return apply_scope(result, current_scope(), lambda la, service: _teams_of(identity, la, service))


def query(sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    """Run one parameterised statement against the served warehouse (cached per build), keeping only the rows
    the signed-in user's scope allows (see `apply_scope`). In a pinned run or snapshot whose build has been
    replaced, raises `BuildChanged`."""
    frozen = _freeze(list(params))
    pin = _active_pin()
    identity = warehouse_identity()
    pins_now = pin is not None and pin.identity is None  # the run's first query: it chooses the build
    for _ in range(MOVED_RETRIES):
        if pin is not None:
            if pins_now:
                pin.identity = identity  # nothing has been read on an earlier choice: follow the file
            elif pin.identity != identity:
                raise BuildChanged(warehouse_path(), pin.identity, identity)
        try:
            return _read(identity, sql, frozen)
        except _Moved as moved:
            identity = moved.identity
    raise WarehouseUnavailable("unreadable", warehouse_path(), "new builds kept replacing it while it was read")


# --- scope: the one place every query's rows are limited to the signed-in user's authority, service or team ---

SESSION_USER_KEY = "csqa_user"
# Columns that make a result figures rather than the org-unit hierarchy used to name things.
_FIGURE_COLUMNS = frozenset({"value", "numerator", "denominator"})


class NotSignedIn(Exception):
    """A page asked for data in a session with nobody signed in (the sign-in gate should have stopped it)."""


@dataclass(frozen=True)
class Scope:
    """Where a user may look: an authority (None: every authority), then optionally one service or one team."""

    la_code: str | None = None
    service_id: str | None = None
    team_id: str | None = None

    @property
    def whole_authority(self) -> bool:
        return self.service_id is None and self.team_id is None


def _in_app_session() -> bool:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return get_script_run_ctx(suppress_warning=True) is not None


def current_scope() -> Scope | None:
    """The signed-in user's scope inside the app; None (everything) outside a Streamlit session, for the
    command line. Inside the app with nobody signed in, refuse: no data is reachable signed out."""
    if not _in_app_session():
        return None
    user = st.session_state.get(SESSION_USER_KEY)
    if not user:
        raise NotSignedIn("no one is signed in")
    clean = {k: (str(user.get(k)).strip() or None) if user.get(k) is not None else None
             for k in ("la_code", "service_id", "team_id")}
    return Scope(**clean)


_ORG_TREE = """
select org_level, org_id, parent_id
from org_units
where la_code = ?
"""


def _teams_of(identity: Identity, la_code: str | None, service_id: str) -> frozenset[str]:
    """The teams under a service (from org_units; none when the build has no org_units)."""
    try:
        tree = _cached_query(identity, _ORG_TREE, (la_code,))
    except WarehouseUnavailable:
        return frozenset()
    return frozenset(
        r["org_id"] for r in tree.to_dicts() if r["org_level"] == "team" and r["parent_id"] == service_id
    )


def apply_scope(df: pl.DataFrame, scope: Scope | None, teams_of) -> pl.DataFrame:
    """The rows of a result the scope allows.

    * `la_code`: rows of other authorities go (and rows with no authority, for a scope with one).
    * For a service or team scope, rows with `org_level`/`org_id` keep only the user's service and its teams (or
      their own team). Authority and other services' rows go from figures (a result with `value`, `numerator` or
      `denominator`); a result without figures (the org-unit hierarchy, used for names) keeps the authority and
      services so a team can still be named under its service.
    * Rows with a `team_id` keep only teams in scope; rows with only a `service_id` keep only the user's service
      (a team scope's service is its team's parent).
    Results with none of these columns (the catalogue, DfE's published figures) are public and pass unchanged.
    """
    if scope is None or df.is_empty():
        return df
    columns = set(df.columns)
    if scope.la_code is not None and "la_code" in columns:
        df = df.filter(pl.col("la_code") == scope.la_code)
    if scope.whole_authority:
        return df
    if scope.team_id is not None:
        teams = frozenset({scope.team_id})
        service = None
    else:
        teams = teams_of(scope.la_code, scope.service_id)
        service = scope.service_id
    if {"org_level", "org_id"} <= columns:
        in_scope = (pl.col("org_level") == "team") & pl.col("org_id").is_in(list(teams))
        if service is not None:
            in_scope = in_scope | ((pl.col("org_level") == "service") & (pl.col("org_id") == service))
        if not (columns & _FIGURE_COLUMNS):
            in_scope = in_scope | pl.col("org_level").is_in(["la", "service"])
        df = df.filter(in_scope)
    if "team_id" in columns:
        df = df.filter(pl.col("team_id").is_in(list(teams)))
    elif "service_id" in columns and service is not None:
        df = df.filter(pl.col("service_id") == service)
    elif "service_id" in columns:
        df = df.filter(pl.lit(False))
    return df


# --- the queries pages use ------------------------------------------------------------------------------


def _named_authorities(las: str) -> str:
    """A query of the authorities `las` selects (a constant `select distinct la_code ...`, values only as `?`
    parameters), each named from org_units, else statistical_neighbours (null when neither names it): la_code,
    la_name, by la_code."""
    return f"""
with las as (
    {las.strip()}
),
units as (
    select la_code, min(org_name) as la_name from org_units where org_level = 'la' group by la_code
),
neighbours as (
    select la_code, min(la_name) as la_name from statistical_neighbours group by la_code
)
select las.la_code, coalesce(units.la_name, neighbours.la_name) as la_name
from las
left join units on units.la_code = las.la_code
left join neighbours on neighbours.la_code = las.la_code
order by las.la_code
"""


# Every catalogue column the pages read (`Indicator.from_row`).
_CATALOGUE_COLUMNS = """indicator_id, name, short_name, domain, indicator_group, breakdown_label, definition,
       numerator_definition, denominator_definition, unit, polarity, target, amber_threshold,
       definition_source, qa_task_ids, audiences, grains, benchmark_series, is_stock, sort_order"""

_BUILD_INFO = """
select build_id, built_at, synthetic
from meta.build_info
order by built_at desc
limit 1
"""

_AUTHORITIES = """
with las as (
    select distinct la_code from indicator_values where org_level = 'la'
),
names as (
    select la_code, min(la_name) as la_name from statistical_neighbours group by la_code
)
select las.la_code, names.la_name
from las left join names on names.la_code = las.la_code
order by las.la_code
"""

_QUARTERS = """
select period_label, min(period_start) as period_start, max(period_end) as period_end
from indicator_values
where la_code = ?
  and org_level = 'la'
  and period_grain = 'quarter'
  and list_contains(?::VARCHAR[], indicator_id)
group by period_label
order by period_start desc
"""

_CATALOGUE = f"""
select {_CATALOGUE_COLUMNS}
from indicators
where list_contains(?::VARCHAR[], indicator_id)
   or list_contains(?::VARCHAR[], indicator_group)
order by sort_order, indicator_id
"""

_VALUES = """
select la_code, org_level, org_id,
       indicator_id, period_grain, period_start, period_end, period_label, financial_year,
       numerator, denominator, value, target, rag, previous_value, year_ago_value,
       benchmark_year, england_value, region_value, region_name, sn_value, sn_count
from indicator_values
where la_code = ?
  and org_level = 'la'
  and list_contains(?::VARCHAR[], indicator_id)
  and list_contains(?::VARCHAR[], period_grain)
order by indicator_id, period_grain, period_start
"""

_NEIGHBOURS = """
select sn_rank, sn_la_code, sn_la_name, closeness, la_name, region_name
from statistical_neighbours
where la_code = ?
order by sn_rank
"""

_DATA_AS_AT = """
select max(period_end) as data_as_at
from indicator_values
where la_code = ? and org_level = 'la' and list_contains(?::VARCHAR[], indicator_id)
"""


def build_info() -> dict[str, Any] | None:
    """The served build (build_id, built_at, synthetic), or None if meta.build_info is empty."""
    rows = query(_BUILD_INFO).to_dicts()
    return rows[0] if rows else None


def authorities() -> pl.DataFrame:
    """Authorities with indicator values: la_code, la_name (null where statistical_neighbours lacks it)."""
    return query(_AUTHORITIES)


def quarters(la_code: str, indicator_ids: Sequence[str]) -> pl.DataFrame:
    """Financial-year quarters holding any of these indicators for the authority, newest first."""
    return query(_QUARTERS, [la_code, list(indicator_ids)])


def catalogue(indicator_ids: Sequence[str] = (), groups: Sequence[str] = ()) -> pl.DataFrame:
    """Catalogue rows for the given indicator ids and indicator groups."""
    return query(_CATALOGUE, [list(indicator_ids), list(groups)])


def indicator_values(
    la_code: str, indicator_ids: Sequence[str], grains: Sequence[str] = ("quarter", "year")
) -> pl.DataFrame:
    """Authority-level values (org_level 'la') for these indicators at these grains, every period."""
    return query(_VALUES, [la_code, list(indicator_ids), list(grains)])


def statistical_neighbours(la_code: str) -> pl.DataFrame:
    return query(_NEIGHBOURS, [la_code])


def data_as_at(la_code: str, indicator_ids: Sequence[str]) -> dt.date | None:
    """Latest period end among these indicators for the authority."""
    rows = query(_DATA_AS_AT, [la_code, list(indicator_ids)]).to_dicts()
    return rows[0]["data_as_at"] if rows else None


# --- the CSCMT monthly page (children in need, child protection, by team) --------------------------------

_AUDIENCE_CATALOGUE = f"""
select {_CATALOGUE_COLUMNS}
from indicators
where list_contains(
    list_transform(string_split(replace(lower(coalesce(audiences, '')), ',', ';'), ';'), lambda a: trim(a)),
    lower(trim(?))
)
order by sort_order nulls last, indicator_id
"""

_MONTHLY_AUTHORITIES = _named_authorities("""
    select distinct la_code
    from indicator_values
    where org_level = 'la' and period_grain = 'month' and list_contains(?::VARCHAR[], indicator_id)
""")

_MONTHS = """
select period_label, min(period_start) as period_start, max(period_end) as period_end
from indicator_values
where la_code = ?
  and org_level = 'la'
  and period_grain = 'month'
  and list_contains(?::VARCHAR[], indicator_id)
group by period_label
order by min(period_start) desc
"""

_MONTHLY_VALUES = """
select indicator_id, period_start, period_end, period_label, org_level, org_id,
       numerator, denominator, value, target, rag, previous_value, year_ago_value,
       direction_previous, direction_year_ago, benchmark_year, england_value
from indicator_values
where la_code = ?
  and period_grain = 'month'
  and period_start between ? and ?
  and list_contains(?::VARCHAR[], indicator_id)
  and org_level in ('la', 'service', 'team')
order by indicator_id, org_level, org_id, period_start
"""

_ORG_UNITS = """
select org_level, org_id, org_name, parent_id, is_mapped
from org_units
where la_code = ?
order by org_level, org_id
"""

_UNMAPPED_TEAMS_WITHOUT_ORG_ID = """
select team_name, first_seen, last_seen, events
from unmapped_teams
where la_code = ?
order by team_name
"""

_UNMAPPED_TEAMS = """
select team_name, first_seen, last_seen, events, 'team' as org_level, org_id
from unmapped_teams
where la_code = ?
order by team_name
"""

_TABLE_COLUMNS = """
select column_name
from information_schema.columns
where table_schema = ? and table_name = ?
order by ordinal_position
"""

_EXCEPTION_DATES = """
select distinct cast(as_at_date as date) as as_at_date
from cin_exceptions
where la_code = ?
order by as_at_date desc
"""

_EXCEPTIONS = """
select *
from cin_exceptions
where la_code = ? and cast(as_at_date as date) = ?
order by exception_type, team_id, child_id
"""


def audience_catalogue(audience: str) -> pl.DataFrame:
    """Catalogue rows whose `audiences` (separated by ';', or ',') include this audience, by sort_order."""
    return query(_AUDIENCE_CATALOGUE, [audience])


def monthly_authorities(indicator_ids: Sequence[str]) -> pl.DataFrame:
    """Authorities with monthly values for any of these indicators: la_code, la_name (from org_units, else
    statistical_neighbours; null when neither has it)."""
    return query(_MONTHLY_AUTHORITIES, [list(indicator_ids)])


def months(la_code: str, indicator_ids: Sequence[str]) -> pl.DataFrame:
    """Months holding any of these indicators for the authority (org_level 'la'), newest first."""
    return query(_MONTHS, [la_code, list(indicator_ids)])


def monthly_values(la_code: str, indicator_ids: Sequence[str], first: dt.date, last: dt.date) -> pl.DataFrame:
    """Monthly rows at authority, service and team level for months starting from `first` to `last`."""
    return query(_MONTHLY_VALUES, [la_code, first, last, list(indicator_ids)])


def org_units(la_code: str) -> pl.DataFrame:
    """The authority's services and teams (org_level, org_id, org_name, parent_id, is_mapped)."""
    return query(_ORG_UNITS, [la_code])


def unmapped_teams(la_code: str) -> pl.DataFrame:
    """Team names seen in the case records but missing from the team list (counted, never dropped). With their
    org_id, so a service or team account sees none but its own; a build whose mart lacks org_id shows them to
    whole-authority accounts only."""
    if "org_id" in table_columns("unmapped_teams"):
        return query(_UNMAPPED_TEAMS, [la_code])
    scope = current_scope()
    if scope is not None and not scope.whole_authority:
        return pl.DataFrame(schema={"team_name": pl.String, "first_seen": pl.Date, "last_seen": pl.Date,
                                    "events": pl.Int64})
    return query(_UNMAPPED_TEAMS_WITHOUT_ORG_ID, [la_code])


def table_columns(table_name: str, schema: str = "main") -> list[str]:
    """Columns of a served table or view (in `main` unless another schema is named), [] when the build does not
    have it."""
    return query(_TABLE_COLUMNS, [schema, table_name])["column_name"].to_list()


def exception_dates(la_code: str) -> list[dt.date]:
    """Month ends with child-level exception lists for the authority, newest first (needs `cin_exceptions`)."""
    return query(_EXCEPTION_DATES, [la_code])["as_at_date"].to_list()


def cin_exceptions(la_code: str, as_at: dt.date) -> pl.DataFrame:
    """Child-level exception rows as at a month end (needs `cin_exceptions`; check `table_columns` first).

    Child-level: only for pages that have checked `app.access` first.
    """
    return query(_EXCEPTIONS, [la_code, as_at])


# --- the workforce and complaints pages (docs/contracts.md, "Workforce and complaints") ------------------------

_PERIOD_AUTHORITIES = _named_authorities("""
    select distinct la_code
    from indicator_values
    where org_level = 'la' and period_grain = ? and list_contains(?::VARCHAR[], indicator_id)
""")

_PERIOD_VALUES = """
select indicator_id, period_grain, period_start, period_end, period_label, org_level, org_id,
       numerator, denominator, value, target, rag, previous_value, year_ago_value,
       direction_previous, direction_year_ago, benchmark_year, england_value, region_value, region_name,
       sn_value, sn_count
from indicator_values
where la_code = ?
  and period_grain = ?
  and period_start between ? and ?
  and list_contains(?::VARCHAR[], indicator_id)
  and org_level in ('la', 'service', 'team')
order by indicator_id, org_level, org_id, period_start
"""

_LATEST_LOAD = """
select max(period_end) as period_end, max(finished_at) as loaded_at
from meta.loads
where la_code = ? and status = 'loaded' and list_contains(?::VARCHAR[], dataset)
"""

# Case-holding social workers (agency included, as in wf_caseload_per_case_holder) in one month, per team:
# counts only. A worker is above the ceiling when their cases per FTE exceed it (a part-timer's ceiling is pro
# rata; a worker with no FTE recorded is taken as full time). No worker_id ever leaves the warehouse.
_CASELOADS = """
with holders as (
    select team_id, service_id, cases_held,
           case when fte > 0 then fte else 1.0 end as fte_used,
           fte
    from workforce_worker_months
    where la_code = ? and month_start = ? and is_case_holder and is_social_worker
)
select team_id, service_id,
       count(*)::INTEGER as case_holders,
       sum(fte)::DOUBLE as case_holder_fte,
       sum(cases_held)::INTEGER as cases_held,
       (count(*) filter (where cases_held > ? * fte_used))::INTEGER as above_ceiling
from holders
group by team_id, service_id
order by team_id nulls last
"""

# The authority's CSWW census returns (as at 30 September), newest first, with DfE's published figures.
_CSWW_CENSUS = """
select census_year, reference_date, inpost_fte, inpost_headcount, agency_fte, vacancies_fte, starters_fte,
       leavers_fte, turnover_rate_fte, agency_rate_fte, vacancy_rate_fte, caseload_fte, working_days_lost_per_fte,
       published_turnover_rate_fte, published_agency_rate_fte, published_vacancy_rate_fte, published_caseload_fte,
       published_working_days_lost_per_fte, england_turnover_rate_fte, england_agency_rate_fte,
       england_vacancy_rate_fte, england_caseload_fte, england_working_days_lost_per_fte
from csww_census_indicators
where la_code = ?
order by census_year desc
"""

_COMPLAINTS_AS_AT = """
select max(as_at_date) as as_at_date, count(*)::INTEGER as records
from complaints
where la_code = ?
"""

# Responses at each stage between two dates, by outcome (complaints only, never compliments).
_COMPLAINT_OUTCOMES = """
with register as (
    select * from complaints where la_code = ? and coalesce(record_type, 'complaint') <> 'compliment'
),
responses as (
    select 1 as stage, stage1_response_date as responded, stage1_outcome as outcome from register
    union all
    select 2, stage2_response_date, stage2_outcome from register
    union all
    select 3, stage3_response_date, stage3_outcome from register
)
select stage, outcome, count(*)::INTEGER as responses
from responses
where responded between ? and ?
group by stage, outcome
order by stage, outcome
"""

# Learning actions recorded against complaints (not those marked not required), as the register stands.
_LEARNING_ACTIONS = """
select team_id, service_id, nature, stage,
       case stage when 3 then stage3_outcome when 2 then stage2_outcome else stage1_outcome end as outcome,
       learning_action, learning_action_due_date, learning_action_status, learning_action_completed_date,
       as_at_date
from complaints
where la_code = ?
  and coalesce(record_type, 'complaint') <> 'compliment'
  and coalesce(learning_action_status, '') <> 'not_required'
  and (learning_action is not null or learning_action_status is not null)
order by learning_action_due_date nulls last, team_id, learning_action
"""


def period_authorities(indicator_ids: Sequence[str], grain: str) -> pl.DataFrame:
    """Authorities with values at this grain for any of these indicators: la_code, la_name."""
    return query(_PERIOD_AUTHORITIES, [grain, list(indicator_ids)])


def period_values(
    la_code: str, indicator_ids: Sequence[str], grain: str, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """Rows at authority, service and team level, with every comparator column, for periods starting from
    `first` to `last` at one grain."""
    return query(_PERIOD_VALUES, [la_code, grain, first, last, list(indicator_ids)])


def latest_load(la_code: str, datasets: Sequence[str]) -> dict[str, Any]:
    """Latest period covered (period_end) and load time (loaded_at) of these datasets' loaded files."""
    rows = query(_LATEST_LOAD, [la_code, list(datasets)]).to_dicts()
    return rows[0] if rows else {"period_end": None, "loaded_at": None}


def caseloads(la_code: str, month_start: dt.date, ceiling: float) -> pl.DataFrame:
    """Per team (team_id, service_id): case-holding social workers, their FTE and cases, and how many hold
    more than `ceiling` cases per FTE in the month. Counts only (needs `workforce_worker_months`)."""
    return query(_CASELOADS, [la_code, month_start, float(ceiling)])


def csww_census(la_code: str) -> pl.DataFrame:
    """The authority's CSWW census returns summarised as DfE publishes them, newest first (needs
    `csww_census_indicators`; check `table_columns` first)."""
    return query(_CSWW_CENSUS, [la_code])


def complaints_as_at(la_code: str) -> dict[str, Any]:
    """The complaints register's as-at date and number of records for the authority (needs `complaints`)."""
    rows = query(_COMPLAINTS_AS_AT, [la_code]).to_dicts()
    return rows[0] if rows else {"as_at_date": None, "records": 0}


def complaint_outcomes(la_code: str, first: dt.date, last: dt.date) -> pl.DataFrame:
    """Responses per stage (1-3) and outcome with a response date from `first` to `last` (needs `complaints`)."""
    return query(_COMPLAINT_OUTCOMES, [la_code, first, last])


def learning_actions(la_code: str) -> pl.DataFrame:
    """Learning actions from complaints as the latest register stands (needs `complaints`). No reference,
    complainant or received date: the action, its team, due date and status."""
    return query(_LEARNING_ACTIONS, [la_code])


# --- the QA framework and audits pages (docs/contracts.md, "The QA framework, activity log and case-file audits") --

_QA_REGISTER = """
select task_number, part, part_name, section, role_text, role_ids, task, frequency_text, purpose,
       audience_id, audience_name, frequency, indicator_ids
from qa_register
order by part, task_number, audience_id, frequency
"""

# The roles seed names the doers as well as the audiences; dbt puts seeds in the `lookup` schema.
_QA_ROLES = {
    "main": "select role_id, role_name, kind from main.qa_roles order by role_id",
    "lookup": "select role_id, role_name, kind from lookup.qa_roles order by role_id",
}

_QA_AUTHORITIES = _named_authorities("select distinct la_code from qa_schedule where la_code is not null")

_QA_SCHEDULE_SPAN = """
select min(due_date) as first_due, max(due_date) as last_due, max(as_at_date) as as_at_date,
       count(*)::INTEGER as reports
from qa_schedule
where la_code = ?
"""

_QA_SCHEDULE = """
select task_number, audience_id, frequency, period_start, period_end, period_label, due_date, delivered_date,
       reference, status, as_at_date
from qa_schedule
where la_code = ? and due_date between ? and ?
order by due_date, task_number, audience_id, period_start
"""

# Significant-concern audits dated between two days whose follow-up is not (or not yet) complete. Never the
# worker's or the child's pseudonym: only the audit's own reference, its team and what the follow-up found.
_AUDIT_FOLLOW_UPS = """
select audit_reference, task_number, audit_type, audit_date, team_id, service_id, follow_ups, re_reviewed,
       follow_up_compliant
from case_file_audits
where la_code = ?
  and significant_concerns
  and audit_date between ? and ?
  and follow_up_compliant is not true
order by audit_date, audit_reference
"""

_AUDITS_AS_AT = """
select max(audit_date) as last_audit, count(*)::INTEGER as audits
from case_file_audits
where la_code = ?
"""

# Actions set by audits, open on a day (their audit dated on or before it, not completed on or before it), with
# the team of the audit that set them (the `audit_actions` mart, as the audit_actions_* indicators count them).
_OPEN_AUDIT_ACTIONS = """
select audit_reference, action_number, action, due_date, completed_date, team_id, service_id, audit_date
from audit_actions
where la_code = ?
  and (completed_date is null or completed_date > ?)
  and audit_date <= ?
order by due_date nulls last, team_id, audit_reference, action_number
"""
AUDIT_ACTION_COLUMNS = ("la_code", "audit_reference", "action_number", "action", "due_date", "completed_date",
                        "team_id", "audit_date")


def qa_register() -> pl.DataFrame:
    """The QA framework register, one row per task × audience (× frequency) (needs `qa_register`)."""
    return query(_QA_REGISTER)


def _seed_rows(queries: dict[str, str], table: str, wanted: Sequence[str]) -> pl.DataFrame | None:
    """A seed's rows by the first of `queries` (one per schema: `main` if the build serves the seed there, else
    dbt's `lookup`) whose table has the `wanted` columns; None when none has."""
    for schema, sql in queries.items():
        if set(wanted) <= set(table_columns(table, schema)):
            return query(sql)
    return None


def qa_roles() -> pl.DataFrame:
    """role_id, role_name, kind of every role the framework names; empty when the build has no roles table."""
    roles = _seed_rows(_QA_ROLES, "qa_roles", ("role_id", "role_name"))
    if roles is not None:
        return roles
    return pl.DataFrame(schema={"role_id": pl.String, "role_name": pl.String, "kind": pl.String})


def qa_authorities() -> pl.DataFrame:
    """Authorities with a QA schedule (an activity log loaded): la_code, la_name (needs `qa_schedule`)."""
    return query(_QA_AUTHORITIES)


def qa_schedule_span(la_code: str) -> dict[str, Any]:
    """First and last due date, the log's as-at date and the number of scheduled reports (needs `qa_schedule`)."""
    rows = query(_QA_SCHEDULE_SPAN, [la_code]).to_dicts()
    return rows[0] if rows else {"first_due": None, "last_due": None, "as_at_date": None, "reports": 0}


def qa_schedule(la_code: str, first: dt.date, last: dt.date) -> pl.DataFrame:
    """Scheduled reports due from `first` to `last` (inclusive) with their status (needs `qa_schedule`)."""
    return query(_QA_SCHEDULE, [la_code, first, last])


def audit_follow_ups(la_code: str, first: dt.date, last: dt.date) -> pl.DataFrame:
    """Significant-concern audits dated from `first` to `last` whose follow-up is incomplete or still running
    (needs `case_file_audits`). No worker or child pseudonym."""
    return query(_AUDIT_FOLLOW_UPS, [la_code, first, last])


def audits_as_at(la_code: str) -> dict[str, Any]:
    """The latest audit date and the number of audits loaded for the authority (needs `case_file_audits`)."""
    rows = query(_AUDITS_AS_AT, [la_code]).to_dicts()
    return rows[0] if rows else {"last_audit": None, "audits": 0}


def has_audit_actions() -> bool:
    """Whether this build has the `audit_actions` mart (an older build may not)."""
    return set(AUDIT_ACTION_COLUMNS) <= set(table_columns("audit_actions"))


def open_audit_actions(la_code: str, on: dt.date) -> pl.DataFrame:
    """Actions set by audits that were open on the day `on` (audit dated on or before it, not completed on or
    before it), with their audit's team (needs `audit_actions`; check `has_audit_actions` first)."""
    return query(_OPEN_AUDIT_ACTIONS, [la_code, on, on])


# --- audience packs and the Chief Executive quarterly review (issue 6) -----------------------------------

# What a page reads from `audience_packs` (docs/contracts.md, "Audience packs"): an older build without the view
# (or without one of these columns) gets a polite message, never a traceback (check `has_audience_packs`).
PACK_COLUMNS = (
    "audience_id",
    "indicator_id",
    "period_grain",
    "period_start",
    "period_end",
    "period_label",
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
    "benchmark_year",
    "england_value",
    "region_value",
    "region_name",
    "sn_value",
    "sn_count",
    "domain",
    "domain_name",
    "domain_order",
    "name",
    "short_name",
    "unit",
    "polarity",
    "benchmark_series",
    "sort_order",
)

_PACK_AUTHORITIES = _named_authorities("""
    select distinct la_code
    from audience_packs
    where audience_id = ? and period_grain = ? and org_level = ? and la_code is not null
""")

_PACK_PERIODS = """
select period_label, min(period_start) as period_start, max(period_end) as period_end
from audience_packs
where audience_id = ? and la_code = ? and period_grain = ? and org_level = ?
group by period_label
order by min(period_start) desc
"""

_PACK_VALUES = f"""
select {", ".join(PACK_COLUMNS)}
from audience_packs
where audience_id = ?
  and la_code = ?
  and period_grain = ?
  and org_level = ?
  and list_contains(?::DATE[], period_start)
order by domain_order nulls last, domain, sort_order nulls last, indicator_id, org_id, period_start
"""


def has_audience_packs() -> bool:
    """Whether this build has the `audience_packs` view with every column the pages read."""
    return set(PACK_COLUMNS) <= set(table_columns("audience_packs"))


def pack_authorities(audience_id: str, period_grain: str, org_level: str = "la") -> pl.DataFrame:
    """Authorities with rows in an audience's pack at this grain and level: la_code, la_name (from org_units,
    else statistical_neighbours; null when neither has it). Needs `audience_packs`."""
    return query(_PACK_AUTHORITIES, [audience_id, period_grain, org_level])


def pack_periods(audience_id: str, la_code: str, period_grain: str, org_level: str = "la") -> pl.DataFrame:
    """Periods (period_label, period_start, period_end) of an audience's pack for the authority, newest first."""
    return query(_PACK_PERIODS, [audience_id, la_code, period_grain, org_level])


def pack_values(
    audience_id: str,
    la_code: str,
    period_grain: str,
    period_starts: Sequence[dt.date],
    org_level: str = "la",
) -> pl.DataFrame:
    """An audience's pack rows (`PACK_COLUMNS`) for the authority at one grain and level, for the periods
    starting on these dates, ordered by domain_order, domain, sort_order and indicator."""
    return query(_PACK_VALUES, [audience_id, la_code, period_grain, org_level, list(period_starts)])


# --- the indicator explorer (issue 6) --------------------------------------------------------------------

_EXPLORER_CATALOGUE = f"""
select {_CATALOGUE_COLUMNS}
from indicators
order by sort_order nulls last, indicator_id
"""

# The domains seed (docs/contracts.md, issue 6): a mart in `main` if the build serves one, else dbt's `lookup`.
_EXPLORER_DOMAINS = {
    "main": "select domain, domain_name, description, sort_order from main.indicator_domains",
    "lookup": "select domain, domain_name, description, sort_order from lookup.indicator_domains",
}
EXPLORER_DOMAIN_COLUMNS = ("domain", "domain_name", "description", "sort_order")

_EXPLORER_AUTHORITIES = _named_authorities("select distinct la_code from indicator_values where org_level = 'la'")

# Every period of one indicator at one grain, for the authority and each of its services and teams (the page
# needs them all: a small team's count can be worked out from its service's, so suppression looks across).
_EXPLORER_VALUES = """
select indicator_id, period_grain, period_start, period_end, period_label, financial_year, org_level, org_id,
       numerator, denominator, value, target, rag, previous_value, year_ago_value, direction_previous,
       direction_year_ago, benchmark_year, england_value, region_value, region_name, sn_value, sn_count
from indicator_values
where la_code = ?
  and indicator_id = ?
  and period_grain = ?
  and org_level in ('la', 'service', 'team')
order by period_start, org_level, org_id
"""

EXPLORER_PUBLISHED_COLUMNS = (
    "indicator_id",
    "benchmark_year",
    "reference_date",
    "la_code",
    "la_name",
    "region_name",
    "la_value",
    "region_value",
    "england_value",
)

_EXPLORER_PUBLISHED_YEARS = """
select benchmark_year, max(reference_date) as reference_date, count(*)::INTEGER as authorities
from published_comparators
where indicator_id = ?
group by benchmark_year
order by benchmark_year
"""

# DfE's figures for one indicator and year: the authority's own row, its region's and England's.
_EXPLORER_PUBLISHED_SUMMARY = """
select max(reference_date) as reference_date,
       max(england_value) as england_value,
       max(la_name) filter (where la_code = ?) as la_name,
       max(la_value) filter (where la_code = ?) as la_value,
       max(region_name) filter (where la_code = ?) as region_name,
       max(region_value) filter (where la_code = ?) as region_value,
       (count(*) filter (where la_code = ?))::INTEGER as la_rows
from published_comparators
where indicator_id = ? and benchmark_year = ?
"""

# Each statistical neighbour, named, with its own published figure for the indicator and year (null when DfE
# published none or suppressed it).
_EXPLORER_PUBLISHED_NEIGHBOURS = """
with published as (
    select la_code, max(la_name) as la_name, max(region_name) as region_name, max(la_value) as la_value
    from published_comparators
    where indicator_id = ? and benchmark_year = ?
    group by la_code
)
select sn.sn_rank, sn.sn_la_code, coalesce(sn.sn_la_name, published.la_name) as sn_la_name, sn.closeness,
       published.region_name, published.la_value
from statistical_neighbours as sn
left join published on published.la_code = sn.sn_la_code
where sn.la_code = ?
order by sn.sn_rank, sn.sn_la_code
"""

_EXPLORER_QA_TASKS = """
select task_number, min(part) as part, min(task) as task
from qa_register
where list_contains(?::VARCHAR[], task_number)
group by task_number
"""


def explorer_catalogue() -> pl.DataFrame:
    """Every indicator in the catalogue, by sort_order (then id)."""
    return query(_EXPLORER_CATALOGUE)


def explorer_domains() -> pl.DataFrame:
    """domain, domain_name, description, sort_order from the `indicator_domains` seed; empty when the build has
    none (pages then name domains from their ids)."""
    domains = _seed_rows(_EXPLORER_DOMAINS, "indicator_domains", EXPLORER_DOMAIN_COLUMNS)
    if domains is not None:
        return domains
    return pl.DataFrame(
        schema={"domain": pl.String, "domain_name": pl.String, "description": pl.String, "sort_order": pl.Int64}
    )


def explorer_authorities() -> pl.DataFrame:
    """Authorities with any indicator value: la_code, la_name (from org_units, else statistical_neighbours)."""
    return query(_EXPLORER_AUTHORITIES)


def explorer_values(la_code: str, indicator_id: str, grain: str) -> pl.DataFrame:
    """Every period of one indicator at one grain for the authority, its services and its teams."""
    return query(_EXPLORER_VALUES, [la_code, indicator_id, grain])


def explorer_has_published_comparators() -> bool:
    """Whether this build has the `published_comparators` mart (older builds do not)."""
    return set(EXPLORER_PUBLISHED_COLUMNS) <= set(table_columns("published_comparators"))


def explorer_published_years(indicator_id: str) -> pl.DataFrame:
    """The years DfE published the indicator (benchmark_year, reference_date, authorities), oldest first (needs
    `published_comparators`)."""
    return query(_EXPLORER_PUBLISHED_YEARS, [indicator_id])


def explorer_published_summary(la_code: str, indicator_id: str, benchmark_year: int) -> dict[str, Any]:
    """England's, the region's and the authority's own published figure for one year (needs
    `published_comparators`)."""
    rows = query(
        _EXPLORER_PUBLISHED_SUMMARY, [la_code, la_code, la_code, la_code, la_code, indicator_id, int(benchmark_year)]
    ).to_dicts()
    return rows[0] if rows else {}


def explorer_published_neighbours(la_code: str, indicator_id: str, benchmark_year: int) -> pl.DataFrame:
    """The authority's statistical neighbours in rank order, each with its own published figure for the year
    (sn_rank, sn_la_code, sn_la_name, closeness, region_name, la_value; needs `published_comparators`)."""
    return query(_EXPLORER_PUBLISHED_NEIGHBOURS, [indicator_id, int(benchmark_year), la_code])


def explorer_qa_tasks(task_numbers: Sequence[str]) -> pl.DataFrame:
    """task_number, part, task of these QA framework tasks (empty when the build has no `qa_register`)."""
    if not {"task_number", "part", "task"} <= set(table_columns("qa_register")):
        return pl.DataFrame(schema={"task_number": pl.String, "part": pl.Int64, "task": pl.String})
    return query(_EXPLORER_QA_TASKS, [list(task_numbers)])


# --- the annual QA review report (issue 6) ---------------------------------------------------------------

# Authorities with year rows, named from org_units, else statistical_neighbours (either may be missing).
_REPORT_AUTHORITIES = """
with las as (
    select distinct la_code from indicator_values where org_level = 'la' and period_grain = 'year'
)
select las.la_code,
       coalesce(
           (select min(org_name) from org_units where org_units.la_code = las.la_code and org_level = 'la'),
           (select min(la_name) from statistical_neighbours where statistical_neighbours.la_code = las.la_code)
       ) as la_name
from las
order by las.la_code
"""
_REPORT_AUTHORITIES_NO_UNITS = """
with las as (
    select distinct la_code from indicator_values where org_level = 'la' and period_grain = 'year'
)
select las.la_code,
       (select min(la_name) from statistical_neighbours where statistical_neighbours.la_code = las.la_code)
           as la_name
from las
order by las.la_code
"""

_REPORT_YEARS = """
select financial_year, min(period_start) as period_start, max(period_end) as period_end,
       count(*)::INTEGER as indicators
from indicator_values
where la_code = ? and org_level = 'la' and period_grain = 'year' and financial_year is not null
group by financial_year
order by financial_year desc
"""

_REPORT_CATALOGUE = _EXPLORER_CATALOGUE  # the whole catalogue, as the explorer reads it

REPORT_DOMAIN_COLUMNS = EXPLORER_DOMAIN_COLUMNS  # the same seed as the explorer's

# The authority's rows at one grain for the financial years asked for (the report's year and the one before).
_REPORT_VALUES = """
select la_code, org_level, org_id,
       indicator_id, period_grain, period_start, period_end, period_label, financial_year,
       numerator, denominator, value, target, rag, previous_value, year_ago_value,
       benchmark_year, england_value, region_value, region_name, sn_value, sn_count
from indicator_values
where la_code = ?
  and org_level = 'la'
  and period_grain = ?
  and list_contains(?::VARCHAR[], financial_year)
order by indicator_id, period_start
"""

# Every loaded source of the authority (and the reference tables, which belong to no authority): files, rows
# and the latest date covered.
_REPORT_SOURCES = """
select dataset, table_name,
       count(*)::INTEGER as files,
       sum(rows_loaded)::BIGINT as rows_loaded,
       arg_max(rows_loaded, coalesce(period_end, date '1900-01-01'))::BIGINT as latest_rows,
       min(period_start) as period_start,
       max(period_end) as period_end,
       max(finished_at) as loaded_at
from meta.loads
where status = 'loaded' and (la_code = ? or la_code is null)
group by dataset, table_name
order by dataset, table_name
"""


def report_authorities() -> pl.DataFrame:
    """Authorities with year rows (org_level 'la'): la_code, la_name (null when no table names it)."""
    if {"la_code", "org_level", "org_name"} <= set(table_columns("org_units")):
        return query(_REPORT_AUTHORITIES)
    return query(_REPORT_AUTHORITIES_NO_UNITS)


def report_years(la_code: str) -> pl.DataFrame:
    """Financial years with year rows for the authority, newest first: financial_year, period_start,
    period_end, indicators."""
    return query(_REPORT_YEARS, [la_code])


def report_catalogue() -> pl.DataFrame:
    """The whole indicator catalogue, by sort_order (then id)."""
    return query(_REPORT_CATALOGUE)


def report_domains() -> pl.DataFrame:
    """The `indicator_domains` seed (domain, domain_name, description, sort_order), as the explorer reads it;
    empty when the build has none (the report then names domains from their ids)."""
    return explorer_domains()


def report_values(la_code: str, grain: str, financial_years: Sequence[str]) -> pl.DataFrame:
    """Authority-level rows (org_level 'la') at one grain for these financial years, every indicator."""
    return query(_REPORT_VALUES, [la_code, grain, list(financial_years)])


def report_sources(la_code: str) -> pl.DataFrame:
    """Loaded sources (status 'loaded') of the authority and the reference tables, per dataset and table: files,
    rows_loaded (all files), latest_rows (the latest file's), period_start, period_end, loaded_at."""
    return query(_REPORT_SOURCES, [la_code])
