"""Shared fixtures: every test gets its own data folder, so nothing touches the repository's data/."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"


# The account every AppTest is signed in as unless marked `signed_out`: an analyst sees every page and every
# authority, so page tests see what they did before sign-in existed. Tests of sign-in, roles and scope mark
# themselves `signed_out` and sign in as they need.
TEST_ANALYST = {
    "username": "test-analyst",
    "display_name": "Test analyst",
    "role": "analyst",
    "la_code": None,
    "service_id": None,
    "team_id": None,
    "method": "password",
}


@pytest.fixture(autouse=True)
def _own_state_folder(tmp_path, monkeypatch):
    """Commentary, accounts and the access log go to a folder of the test's own, never data/state/."""
    monkeypatch.setenv("CSQA_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture(autouse=True)
def _signed_in_app_tests(request, monkeypatch):
    """Start every AppTest signed in as TEST_ANALYST (see above), unless the test is marked `signed_out`."""
    if request.node.get_closest_marker("signed_out"):
        return
    from streamlit.testing.v1 import AppTest

    original = AppTest.from_file.__func__

    def from_file(cls, *args, **kwargs):
        at = original(cls, *args, **kwargs)
        at.session_state["csqa_user"] = dict(TEST_ANALYST)
        at.session_state["csqa_last_seen"] = time.time()
        return at

    monkeypatch.setattr(AppTest, "from_file", classmethod(from_file))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty csqa data folder, selected through CSQA_DATA_DIR as the command line would be."""
    from ingest.paths import DataDir

    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("CSQA_DATA_DIR", str(root))
    return DataDir(root)


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory):
    """The demo, once per test session: one synthetic authority (845) over six years, ingested and built.

    Returns the DataDir; its warehouse is a real build, as `make demo` serves it.
    """
    from ingest.build import build
    from ingest.generate import generate
    from ingest.load import ingest_paths
    from ingest.paths import DataDir

    data = DataDir(tmp_path_factory.mktemp("demo") / "data")
    generate(data.extracts / "demo", las=1, years=6, seed=42)
    outcomes = ingest_paths(data.landing, [data.extracts / "demo"])
    assert outcomes and all(o.status == "loaded" for o in outcomes)
    build(data)
    return data
