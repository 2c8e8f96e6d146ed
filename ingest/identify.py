"""Work out which contract table, authority and collection year a file holds (see docs/contracts.md)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingest.contracts import Table, all_tables, normalise_heading
from ingest.validate import Period

MANIFEST = "csqa-manifest.json"
FY_PATTERN = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_/]?(\d{2})(?!\d)")
# A bare year, but not the year of a date such as 2024-11-30 (that names an extract day, not a collection year).
YEAR_PATTERN = re.compile(r"(?<![\d-])((?:19|20)\d{2})(?!\d|-\d)")
LA_PATTERN = re.compile(r"^\d{3}$")


class UsageError(Exception):
    """The command line or file naming does not say enough to load the file (exit 2)."""


@dataclass
class Identity:
    table: Table
    la_code: str | None
    period: Period | None
    synthetic: bool


def parse_year(text: str) -> int:
    """`2024-25` → 2025; `2025` → 2025 (the year ending 31 March, as DfE's time_period)."""
    m = FY_PATTERN.fullmatch(text.strip())
    if m:
        first, second = int(m.group(1)), int(m.group(2))
        if (first + 1) % 100 != second:
            raise UsageError(f"{text!r} is not a financial year (expected e.g. 2024-25)")
        return first + 1
    m = YEAR_PATTERN.fullmatch(text.strip())
    if m:
        return int(m.group(1))
    raise UsageError(f"{text!r} is not a collection year (expected e.g. 2024-25)")


def period_for(collection_year: int, as_at: date | None = None) -> Period:
    start, end = date(collection_year - 1, 4, 1), date(collection_year, 3, 31)
    return Period(start=start, end=min(end, as_at) if as_at and as_at >= start else end,
                  collection_year=collection_year)


def find_manifest(path: Path) -> dict:
    for folder in path.resolve().parents:
        candidate = folder / MANIFEST
        if candidate.is_file():
            try:
                return json.loads(candidate.read_text())
            except (OSError, ValueError):
                return {}
    return {}


def table_from_name(path: Path) -> Table | None:
    stem = normalise_heading(path.stem)
    folder = normalise_heading(path.parent.name)
    best: Table | None = None
    # Longest table name first, so "sw_episodes" wins over "episodes".
    for t in sorted(all_tables(), key=lambda t: -len(t.name)):
        token = normalise_heading(t.name)
        if token in stem and (t.dataset != "reference" or "reference" in folder or "reference" in stem
                              or token in ("postcodecentroids",)):
            best = t
            break
    return best


def table_from_headings(header: list[str]) -> Table | None:
    """The contract whose kept columns all appear, preferring the one that explains most headings."""
    candidates = []
    for t in all_tables():
        hits = sum(any(c.matches(h) for h in header) for c in t.kept)
        if hits == len(t.kept):
            candidates.append((hits, t))
    if not candidates:
        return None
    candidates.sort(key=lambda x: -x[0])
    if len(candidates) > 1 and candidates[0][0] == candidates[1][0]:
        return None
    return candidates[0][1]


def identify(path: Path, header: list[str], la: str | None, year: int | None,
             as_at: date | None) -> Identity:
    manifest = find_manifest(path)
    table = table_from_name(path) or table_from_headings(header)
    if table is None:
        raise UsageError(
            f"{path}: cannot tell which table this is; name the file after it (e.g. episodes.csv) "
            f"or give it the contract's column headings"
        )
    synthetic = bool(manifest.get("synthetic", False))
    if not table.per_authority:
        return Identity(table, None, None, synthetic)
    parts = list(path.parts[:-1]) + [path.stem]
    la_code = la
    if la_code is None:
        for part in reversed(parts):
            if LA_PATTERN.match(part):
                la_code = part
                break
    if la_code is None and len(manifest.get("las", [])) == 1:
        la_code = str(manifest["las"][0])
    if la_code is None:
        raise UsageError(f"{path}: cannot tell which authority this is; pass --la (e.g. --la 845)")
    if not LA_PATTERN.match(la_code):
        raise UsageError(f"--la {la_code!r}: an authority code is three digits (e.g. 845)")
    if year is None:
        for part in reversed(parts):
            m = FY_PATTERN.search(part)
            if m and (int(m.group(1)) + 1) % 100 == int(m.group(2)):
                year = int(m.group(1)) + 1
                break
        else:
            for part in reversed(parts):
                m = YEAR_PATTERN.search(part)
                if m:
                    year = int(m.group(1))
                    break
    if year is None:
        raise UsageError(f"{path}: cannot tell the collection year; pass --year (e.g. --year 2024-25)")
    if as_at is None and manifest.get("end"):
        as_at = date.fromisoformat(manifest["end"])
    return Identity(table, la_code, period_for(year, as_at), synthetic)
