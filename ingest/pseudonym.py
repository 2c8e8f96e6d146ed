"""Keyed pseudonyms for people's names and staff numbers (workers in Annex A, workforce extracts).

The same name always gives the same pseudonym under one key, so a worker's cases can be counted together,
but nobody holding the warehouse alone can reverse it or test a guess: the key lives outside the warehouse,
in `CSQA_PSEUDONYM_KEY` (hex) or `<data dir>/secrets/pseudonym.key` (created on first use, owner-only).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

KEY_ENV = "CSQA_PSEUDONYM_KEY"


def load_key(data_root: Path) -> bytes:
    if os.environ.get(KEY_ENV):
        return bytes.fromhex(os.environ[KEY_ENV])
    path = data_root / "secrets" / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def pseudonym(value: str, key: bytes, prefix: str = "W") -> str:
    # Names are compared case- and space-insensitively ("Jo  Bloggs" and "jo bloggs" are one worker).
    canonical = " ".join(value.replace("\xa0", " ").split()).casefold()
    return prefix + hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()[:12]


def pseudonymise(values: pl.Series, key: bytes, prefix: str = "W") -> pl.Series:
    uniques = values.drop_nulls().unique()
    mapping = {v: pseudonym(v, key, prefix) for v in uniques.to_list()}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)
