"""Shared fixtures: every test gets its own data folder, so nothing touches the repository's data/."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"


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
