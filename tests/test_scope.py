"""The scope rule in app/data.py, on hand-made frames: the one place every query's rows are limited to the
signed-in user's authority, service or team (docs/contracts.md, issue 7)."""

from __future__ import annotations

import polars as pl
import pytest

from app import data
from app.data import Scope, apply_scope

# Authority 845: service S1 with teams T1 and T2, service S2 with team T3. Authority 846 has service S9.
TEAMS = {("845", "S1"): frozenset({"T1", "T2"}), ("845", "S2"): frozenset({"T3"})}


def teams_of(la_code, service_id):
    return TEAMS.get((la_code, service_id), frozenset())


VALUES = pl.DataFrame(
    {
        "la_code": ["845", "845", "845", "845", "845", "845", "846", "846"],
        "org_level": ["la", "service", "service", "team", "team", "team", "la", "service"],
        "org_id": ["845", "S1", "S2", "T1", "T2", "T3", "846", "S9"],
        "value": [100.0, 60.0, 40.0, 25.0, 35.0, 40.0, 7.0, 7.0],
    }
)
HIERARCHY = VALUES.drop("value").with_columns(org_name=pl.col("org_id"))
CHILD_ROWS = pl.DataFrame(
    {"la_code": ["845", "845", "845", "846"], "team_id": ["T1", "T2", "T3", "T9"], "child_id": ["C1", "C2", "C3", "C4"]}
)
SERVICE_ROWS = pl.DataFrame({"la_code": ["845", "845"], "service_id": ["S1", "S2"], "open": [3, 4]})
PUBLIC = pl.DataFrame({"sn_la_code": ["846", "847"], "la_value": [1.0, 2.0]})


def ids(df: pl.DataFrame, column: str = "org_id") -> list[str]:
    return df[column].to_list()


def test_no_scope_outside_the_app_changes_nothing():
    assert data.current_scope() is None  # the command line: no Streamlit session
    assert apply_scope(VALUES, None, teams_of).equals(VALUES)


def test_every_authority_sees_everything():
    assert apply_scope(VALUES, Scope(), teams_of).equals(VALUES)


def test_an_authority_scope_keeps_only_that_authority():
    assert ids(apply_scope(VALUES, Scope("845"), teams_of)) == ["845", "S1", "S2", "T1", "T2", "T3"]
    assert ids(apply_scope(CHILD_ROWS, Scope("846"), teams_of), "child_id") == ["C4"]


def test_a_service_scope_keeps_its_service_and_teams_and_no_authority_total():
    assert ids(apply_scope(VALUES, Scope("845", service_id="S1"), teams_of)) == ["S1", "T1", "T2"]
    assert ids(apply_scope(CHILD_ROWS, Scope("845", service_id="S1"), teams_of), "child_id") == ["C1", "C2"]
    assert ids(apply_scope(SERVICE_ROWS, Scope("845", service_id="S2"), teams_of), "service_id") == ["S2"]


def test_a_team_scope_keeps_only_its_team():
    assert ids(apply_scope(VALUES, Scope("845", team_id="T2"), teams_of)) == ["T2"]
    assert ids(apply_scope(CHILD_ROWS, Scope("845", team_id="T2"), teams_of), "child_id") == ["C2"]
    # figures by service say nothing about one team, so a team scope sees none of them
    assert apply_scope(SERVICE_ROWS, Scope("845", team_id="T2"), teams_of).is_empty()


def test_the_hierarchy_still_names_the_authority_and_services():
    # no figures in it: the authority and services stay so the team can be shown under its service's name
    assert ids(apply_scope(HIERARCHY, Scope("845", team_id="T2"), teams_of)) == ["845", "S1", "S2", "T2"]


def test_public_results_pass_unchanged():
    assert apply_scope(PUBLIC, Scope("845", team_id="T2"), teams_of).equals(PUBLIC)


@pytest.mark.parametrize("scope", [Scope("845", team_id="T1"), Scope("845", service_id="S2"), Scope("846")])
def test_a_scoped_result_never_holds_another_authority(scope):
    for frame in (VALUES, HIERARCHY, CHILD_ROWS, SERVICE_ROWS):
        kept = apply_scope(frame, scope, teams_of)
        assert set(kept["la_code"].to_list()) <= {scope.la_code}
