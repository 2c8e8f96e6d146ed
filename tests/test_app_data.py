"""Unit tests for app/data.py: the warehouse path, read-only short-lived connections, caching per build,
retry while a build is being swapped in, polite errors, parameters never spliced into SQL."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import polars as pl
import pytest
from app_fixtures import BUILD_ID, LA, OTHER_LA, write_warehouse

from app import data


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    path = write_warehouse(tmp_path / "warehouse.duckdb")
    monkeypatch.setenv(data.ENV_VAR, str(path))
    monkeypatch.setattr(data, "RETRY_DELAY_SECONDS", 0.0)
    return path


def test_default_path_is_repo_data_folder(monkeypatch):
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    assert data.warehouse_path() == Path(__file__).resolve().parent.parent / "data" / "warehouse.duckdb"


def test_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "w.duckdb"))
    assert data.warehouse_path() == tmp_path / "w.duckdb"


def test_missing_warehouse_is_a_polite_error(monkeypatch, tmp_path):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "nope.duckdb"))
    with pytest.raises(data.WarehouseUnavailable) as info:
        data.build_info()
    assert info.value.reason == "missing"


def test_unreadable_file_is_retried_once_then_reported(monkeypatch, tmp_path):
    path = tmp_path / "broken.duckdb"
    path.write_bytes(b"not a database")
    monkeypatch.setenv(data.ENV_VAR, str(path))
    monkeypatch.setattr(data, "RETRY_DELAY_SECONDS", 0.0)
    calls = []
    real_connect = duckdb.connect

    def counting_connect(*args, **kwargs):
        calls.append(args)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(data.duckdb, "connect", counting_connect)
    with pytest.raises(data.WarehouseUnavailable) as info:
        data.build_info()
    assert info.value.reason == "unreadable"
    assert len(calls) == 2


def test_retry_succeeds_when_the_swap_has_finished(warehouse, monkeypatch):
    real_connect = duckdb.connect
    calls = []

    def flaky_connect(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise duckdb.IOException("Could not set lock on file: Conflicting lock is held")
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(data.duckdb, "connect", flaky_connect)
    # a query no other test has cached for this file
    assert data.statistical_neighbours("878").is_empty()
    assert len(calls) == 2
    assert all(kw.get("read_only") is True for kw in calls)


def test_incomplete_warehouse(monkeypatch, tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema meta; create table meta.build_info (build_id varchar)")
    con.close()
    monkeypatch.setenv(data.ENV_VAR, str(path))
    with pytest.raises(data.WarehouseUnavailable) as info:
        data.build_info()
    assert info.value.reason == "incomplete"


def test_missing_table_is_never_a_python_object(monkeypatch, tmp_path):
    # DuckDB would otherwise resolve `indicator_values` to app.data.indicator_values (a "replacement scan")
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema meta")
    con.close()
    monkeypatch.setenv(data.ENV_VAR, str(path))
    with pytest.raises(data.WarehouseUnavailable) as info:
        data.indicator_values(LA, ["cla_at_period_end"])
    assert info.value.reason == "incomplete"
    assert "indicator_values does not exist" in info.value.detail


def test_build_info_and_connection_is_closed(warehouse):
    info = data.build_info()
    assert info["build_id"] == BUILD_ID
    assert info["built_at"] == dt.datetime(2025, 4, 2, 9, 30)
    assert info["synthetic"] is True
    # no connection is held: a writer can open the file straight away
    con = duckdb.connect(str(warehouse))
    con.execute("select 1")
    con.close()


def test_new_build_shows_at_once(warehouse):
    assert data.build_info()["build_id"] == BUILD_ID
    fresh = write_warehouse(warehouse.parent / "build" / "next.duckdb", build_id="next-build", synthetic=False)
    os.replace(fresh, warehouse)  # what `csqa build` does
    info = data.build_info()
    assert info["build_id"] == "next-build"
    assert info["synthetic"] is False


def test_authorities_named_from_statistical_neighbours(warehouse):
    df = data.authorities()
    assert df.to_dicts() == [
        {"la_code": LA, "la_name": "East Sussex"},
        {"la_code": OTHER_LA, "la_name": "Brighton and Hove"},
    ]


def test_quarters_only_for_requested_indicators_newest_first(warehouse):
    labels = data.quarters(LA, ["cla_at_period_end"])["period_label"].to_list()
    assert labels[0] == "2024-25 Q4"
    assert labels[-1] == "2022-23 Q1"
    assert len(labels) == 12
    assert "2025-26 Q1" not in labels  # another domain's indicator


def test_values_are_authority_level_only(warehouse):
    df = data.indicator_values(LA, ["cla_at_period_end"], ["quarter"])
    q3 = df.filter(pl.col("period_label") == "2024-25 Q3")
    assert q3["value"].to_list() == [650.0]  # not the team-level 123


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", "845' OR '1'='1", "845; drop table indicators; --", "%"])
def test_hostile_values_are_parameters_not_sql(warehouse, hostile):
    assert data.quarters(hostile, ["cla_at_period_end"]).is_empty()
    assert data.indicator_values(LA, [hostile], ["quarter"]).is_empty()
    assert data.catalogue([hostile], [hostile]).is_empty()
    assert data.statistical_neighbours(hostile).is_empty()
    assert not data.quarters(LA, ["cla_at_period_end"]).is_empty()  # nothing was dropped


def test_decimal_becomes_double():
    df = duckdb.sql("select 65.5::DECIMAL(9, 1) as value, 3 as n").pl()
    out = data.plain_types(df)
    assert out.schema["value"] == pl.Float64
    assert out["value"].to_list() == [65.5]
    assert out.schema["n"] == df.schema["n"]
