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
