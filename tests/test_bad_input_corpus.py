"""Every case of the bad-input corpus (tests/bad_input_corpus.py) ingested into a fresh data folder.

For each case: the documented outcome (docs/bad-input.md), the rules, rows and columns recorded in
meta.rejected_rows and named in the message the user sees, the file name in that message, rows read = loaded +
rejected for every load, and, for a rejected file, every table of the landing database as it was apart from the
record of the rejection (an earlier good load of the same slot still serving).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.cli import main
from ingest.contracts import dataset_tables
from ingest.load import ingest_paths
from tests.bad_input_corpus import (
    CASES,
    INPUTS,
    LOADED,
    NOTE,
    OUTCOMES,
    QUARANTINED,
    REJECTED,
    SUPERSEDES,
    UNCHANGED,
    Case,
)
from tests.conftest import REPO

DOC = REPO / "docs" / "bad-input.md"


@pytest.fixture(scope="module")
def schema_landing(tmp_path_factory) -> Path:
    """A landing database with every table created (by `ingest_paths`) and nothing loaded."""
    folder = tmp_path_factory.mktemp("empty-landing")
    ingest_paths(folder / "landing.duckdb", [])
    return folder / "landing.duckdb"


@pytest.fixture
def empty_landing(schema_landing, monkeypatch) -> Path:
    """The empty landing database, copied into each case's fresh data folder. Its schema is complete, so checking it
    again on every `ingest_paths` call (`ensure_schema`: "create table if not exists" and a look at the columns of
    each of ~40 tables, most of a small case's time) is skipped."""
    monkeypatch.setattr("ingest.load.ensure_schema", lambda con: None)
    return schema_landing


def snapshot(con) -> dict[str, list[str]]:
    """Every row of every table in the landing database (as tests/test_ingest.py's snapshot)."""
    tables = con.sql("select table_schema, table_name from information_schema.tables order by all").fetchall()
    return {f"{s}.{t}": sorted(map(repr, con.sql(f'select * from "{s}"."{t}"').fetchall())) for s, t in tables}


def prepare(case: Case, data_dir, tmp_path: Path, empty_landing: Path, snap: bool = False):
    """Write the case's files into a fresh data folder and do its base loads, each one `ingest_paths` call.

    Returns the files, a snapshot of the landing database after the base loads (when asked for) and its load ids.
    """
    shutil.copy(empty_landing, data_dir.landing)
    files = case.make(tmp_path / "files")
    for path in files.before:
        base = ingest_paths(data_dir.landing, [path])
        assert base and {o.status for o in base} == {"loaded"}, [o.message for o in base]
        assert sum(o.rows_rejected for o in base) == 0, [o.first_rejects for o in base]
    con = duckdb.connect(str(data_dir.landing), read_only=True)
    try:
        before = snapshot(con) if snap else None
        ids = {r[0] for r in con.sql("select load_id from meta.loads").fetchall()}
    finally:
        con.close()
    return files, before, ids


def shown(outcomes) -> str:
    """What the user is told: each outcome's message, its first rejected rows and its notes."""
    return "\n".join([o.message for o in outcomes] + [line for o in outcomes for line in o.first_rejects]
                     + [w for o in outcomes for w in o.warnings])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, data_dir, tmp_path, empty_landing):
    whole = case.outcome in (REJECTED, UNCHANGED)  # the whole database is compared before and after
    files, before, ids_before = prepare(case, data_dir, tmp_path, empty_landing, snap=whole)
    if files.before and case.outcome == REJECTED:
        # The comparison below must mean something: the base is in the warehouse, serving.
        assert any(v for k, v in before.items() if k.startswith("raw.")), "the base loaded no rows"

    outcomes = ingest_paths(data_dir.landing, [files.bad])

    con = duckdb.connect(str(data_dir.landing), read_only=True)
    try:
        check(case, files, outcomes, before, ids_before, lambda sql, params=None: con.sql(sql, params=params)
              .fetchall(), snapshot(con) if whole else None)
    finally:
        con.close()


def check(case: Case, files, outcomes, before, ids_before, q, after):
    name = files.bad.name
    assert outcomes, "no outcome at all"
    text = shown(outcomes)
    assert case.says in text, text

    # Every load, old and new, reconciles; every rejected row is a real data row of its file (0: the file).
    for load_id, read, loaded, rejected in q("select load_id, rows_read, rows_loaded, rows_rejected from meta.loads"):
        assert read == loaded + rejected, load_id
    for load_id, row_number, read in q("select r.load_id, r.row_number, l.rows_read from meta.rejected_rows r "
                                       "join meta.loads l using (load_id)"):
        assert 0 <= row_number <= read, (load_id, row_number, read)
    new = sorted({r[0] for r in q("select load_id from meta.loads")} - ids_before)
    recorded = q("select row_number, column_name, rule from meta.rejected_rows where load_id in ?", [new]) if new \
        else []
    row_rejects = {(r, c, rule) for r, c, rule in recorded if r > 0}
    file_rules = {rule for r, _c, rule in recorded if r == 0}
    assert row_rejects == set(case.rejects)
    for row, column, rule in case.rejects:
        # Named in the first rejected rows shown: file, row and column (rows with the wrong field count: "(row)").
        where = f" row {row}, column {column or '(row)'}: "
        assert any(line.startswith(name) and where in line and line.endswith(f"[{rule}]")
                   for o in outcomes for line in o.first_rejects), (where, rule, text)

    if case.outcome == REJECTED:
        assert {o.status for o in outcomes} == {"rejected"}
        for o in outcomes:
            assert name in o.message, o.message
        if case.column:
            assert any(case.column in o.message for o in outcomes), text
        if case.unidentified:
            assert all(o.unidentified for o in outcomes)
            assert after == before and not new  # no slot: nothing to record the rejection in
            return
        assert new and q("select distinct status from meta.loads where load_id in ?", [new]) == [("rejected",)]
        assert q("select sum(rows_loaded) from meta.loads where load_id in ?", [new]) == [(0,)]
        assert case.file_rule in file_rules and file_rules <= {case.file_rule, "file_rejected"}, file_rules
        # The warehouse as it was: raw tables and cleared values identical, meta only gains the rejection.
        assert after.keys() == before.keys()
        for table in before:
            if table in ("meta.loads", "meta.rejected_rows"):
                kept = sorted(repr(r) for r in q(f"select * from {table}") if r[0] not in new)
                assert kept == before[table], table
            else:
                assert after[table] == before[table], table
        return

    assert case.file_rule is None and not file_rules, file_rules
    if case.outcome == UNCHANGED:
        assert {o.status for o in outcomes} == {"unchanged"}
        for o in outcomes:
            assert name in o.message and "identical to load" in o.message, o.message
        assert after == before
        return

    # Loaded: rows_quarantined, loaded_with_note, loaded, supersedes.
    assert {o.status for o in outcomes} == {"loaded"}, text
    for o in outcomes:
        raw = "raw." + o.table.replace(".", "_")
        assert q(f"select count(*) from {raw} where _load_id = ?", [o.load_id]) == [(o.rows_loaded,)]
        assert o.rows_read == o.rows_loaded + o.rows_rejected
    rejected_rows = sum(o.rows_rejected for o in outcomes)
    assert rejected_rows == len({row for row, _c, _r in case.rejects})
    if case.outcome == QUARANTINED:
        assert rejected_rows > 0
        assert all(line.startswith(name) for o in outcomes for line in o.first_rejects)
    elif case.outcome == NOTE:
        notes = "; ".join(m for (m,) in q("select message from meta.loads where load_id in ?", [new]) if m)
        assert case.says in notes, notes
    elif case.outcome == LOADED:
        assert rejected_rows == 0 and not text.strip(), text
    elif case.outcome == SUPERSEDES:
        assert rejected_rows == 0
        for o in outcomes:
            assert o.superseded and set(o.superseded) <= ids_before, o.table
            assert q("select distinct status, superseded_by from meta.loads where load_id in ?",
                     [o.superseded]) == [("superseded", o.load_id)]
            raw = "raw." + o.table.replace(".", "_")
            assert q(f"select count(*) from {raw} where _load_id in ?", [o.superseded]) == [(0,)]
    if case.check:
        sql, expected = case.check
        assert q(sql) == expected


CLI_CASES = [c for c in CASES if c.cli_exit is not None]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_prints_the_message_and_exits(case: Case, data_dir, tmp_path, empty_landing, capsys):
    """`csqa ingest FILE`: one line per table the file holds (a workbook holds six), naming the file; then, indented,
    the rows named with their column; exit 0 loaded (rows quarantined or not) or unchanged, 1 rejected, 2 the file
    could not even be identified."""
    files, _before, _ids = prepare(case, data_dir, tmp_path, empty_landing)
    capsys.readouterr()
    assert main(["ingest", str(files.bad)]) == case.cli_exit
    out, err = capsys.readouterr()
    tables = len(dataset_tables("annex_a")) if files.bad.suffix == ".xlsx" and not case.unidentified else 1
    if case.outcome == REJECTED:
        assert not out
        prefix = f"csqa: [1/1] rejected {files.bad}: "
        lines = err.strip().splitlines()
        verdicts = [line for line in lines if line.startswith(prefix)]
        assert len(verdicts) == tables, err
        assert all(files.bad.name in line[len(prefix):] for line in verdicts), err
        assert all(line.startswith("csqa:       ") for line in lines if line not in verdicts), err
        assert case.says in err
    elif case.outcome == UNCHANGED:
        assert not err
        assert out.startswith(f"[1/1] unchanged: {files.bad.name}: identical to load") and case.says in out, out
    else:
        assert not err
        assert out.startswith(f"[1/1] loaded {files.bad}"), out
        assert case.says in out
    for row, column, rule in case.rejects:
        # The rows that were rejected, or that refused the whole file, named with file, row and column.
        where = re.escape(f"{files.bad.name} row {row}, column {column or '(row)'}: ")
        assert re.search(rf"^(csqa: )?      {where}.*\[{rule}\]$", out + err, re.M), (row, column, rule, out + err)


def test_the_corpus_covers_every_input_and_outcome():
    ids = [c.id for c in CASES]
    assert len(ids) >= 45 and len(set(ids)) == len(ids)
    assert {c.input for c in CASES} == set(INPUTS)
    assert {c.outcome for c in CASES} == set(OUTCOMES)
    for c in CASES:
        assert bool(c.says) == (c.outcome not in (LOADED, SUPERSEDES)), c.id  # a clean load says nothing
        # A row-specific case names its rows; a whole-file rejection its rule.
        assert bool(c.rejects) == (c.outcome == QUARANTINED or (c.outcome == REJECTED and c.file_rule in (
            "register_incomplete", "every_row_rejected"))), c.id
        assert (c.file_rule is not None) == (c.outcome == REJECTED and not c.unidentified), c.id
        assert c.check is None or c.outcome not in (REJECTED, UNCHANGED), c.id  # those compare everything instead


def test_every_case_is_documented_with_its_outcome():
    documented = {}
    for line in DOC.read_text().splitlines():
        m = re.match(r"^\| `([a-z0-9-]+)` \|(.*)$", line)
        if m:
            cells = [cell.strip() for cell in m.group(2).split(" | ")]
            assert m.group(1) not in documented, f"{m.group(1)} documented twice"
            documented[m.group(1)] = cells
    assert set(documented) == {c.id for c in CASES}
    for c in CASES:
        input_type, _what, outcome = documented[c.id][:3]
        assert (input_type, outcome) == (c.input, f"`{c.outcome}`"), c.id
