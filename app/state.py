"""The state folder: what the app keeps outside the rebuilt warehouse (commentary, accounts, the access log).

docs/contracts.md: the state dir is `$CSQA_STATE_DIR`, else the folder `state/` beside the served warehouse
(`data/state/`). `csqa build` never touches it. The folder is readable by its owner only (0700) and the files
in it likewise (0600).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "CSQA_STATE_DIR"
STATE_FOLDER = "state"
DIR_MODE = 0o700
FILE_MODE = 0o600


def state_dir(warehouse: Path | None = None) -> Path:
    """`$CSQA_STATE_DIR`, else `state/` beside the served warehouse (`warehouse`, else the app's served file:
    `app.data.warehouse_path()`)."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if raw:
        return Path(raw).expanduser()
    if warehouse is None:
        from app import data  # here, not at the top: app.data may itself come to need the state folder

        warehouse = data.warehouse_path()
    return warehouse.parent / STATE_FOLDER


def make_dir(folder: Path) -> None:
    """Create the state folder (and any missing parents) readable by its owner only."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=DIR_MODE)
    except FileExistsError:  # another session made it a moment ago
        return
    os.chmod(folder, DIR_MODE)  # mkdir's mode is reduced by the umask, never widened: make sure
