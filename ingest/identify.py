"""Work out which contract table, authority and collection year a file holds (see docs/contracts.md)."""

from __future__ import annotations

import functools
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
    table: Table | None  # None for a file holding several tables (a workbook)
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


@functools.cache
def _name_tokens() -> list[tuple[str, re.Pattern, Table]]:
    # Longest token first, so "sw_episodes" wins over "episodes"; a token must not run on into a digit, so
    # "list1" does not claim "List 10". Built once: every file of a folder of thousands is named against them.
    tokens = sorted(((normalise_heading(tok), t) for t in all_tables() for tok in t.file_tokens),
                    key=lambda x: -len(x[0]))
    return [(token, re.compile(re.escape(token) + r"(?!\d)"), t) for token, t in tokens]


def table_from_name(path: Path) -> Table | None:
    stem = normalise_heading(path.stem)
    folder = normalise_heading(path.parent.name)
    for token, pattern, t in _name_tokens():
        if not pattern.search(stem):
            continue
        if t.dataset == "reference" and not ("reference" in folder or "reference" in stem
                                             or token == "postcodecentroids"):
            continue
        return t
    return None


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
             as_at: date | None, table: Table | None = None) -> Identity:
    manifest = find_manifest(path)
    table = table or table_from_name(path) or table_from_headings(header)
    if table is None:
        raise UsageError(
            f"{path}: cannot tell which table this is; name the file after it (e.g. episodes.csv) "
            f"or give it the contract's column headings"
        )
    synthetic = bool(manifest.get("synthetic", False))
    if not table.per_authority:
        return Identity(table, None, None, synthetic)
    if table.slot in ("snapshot", "month", "register"):
        ident = identify_snapshot(path, la, as_at, {}, [table], slot=table.slot)
        ident.table = table
        return ident
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


MONTHS = {m.lower(): i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_ ]?(0[1-9]|1[0-2])(?![\d])")
_MON = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
MONTH_NAME_YEAR = re.compile(rf"(?i)(?<![a-z]){_MON}[a-z]*[-_ ]?((?:19|20)\d{{2}})|((?:19|20)\d{{2}})[-_ ]?{_MON}")


def _month_end(year: int, month: int) -> date:
    import calendar

    return date(year, month, calendar.monthrange(year, month)[1])


def snapshot_date(path: Path) -> date | None:
    """The as-at date a snapshot's path gives: a `2024-01` folder or `Annex_A_2024_Jan` name → 31 Jan 2024."""
    for part in reversed(list(path.parts[:-1]) + [path.stem]):
        m = YEAR_MONTH.search(part)
        if m:
            return _month_end(int(m.group(1)), int(m.group(2)))
        m = MONTH_NAME_YEAR.search(part)
        if m:
            if m.group(1):
                return _month_end(int(m.group(2)), MONTHS[m.group(1).lower()[:3]])
            return _month_end(int(m.group(3)), MONTHS[m.group(4).lower()[:3]])
    return None


def identify_snapshot(path: Path, la: str | None, as_at: date | None, texts: dict, tables,
                      slot: str = "snapshot") -> Identity:
    """Authority and as-at date of a dated extract: an Annex A snapshot, a month's HR extract, or a register.

    A snapshot's lists reach back twelve months before its as-at date; a month's extract covers that month
    (an --as-at inside it means its last day); a register covers everything up to its as-at date.
    """
    manifest = find_manifest(path)
    parts = list(path.parts[:-1]) + [path.stem]
    la_code = la or next((p for p in reversed(parts) if LA_PATTERN.match(p)), None)
    if la_code is None and len(manifest.get("las", [])) == 1:
        la_code = str(manifest["las"][0])
    if la_code is None:
        raise UsageError(f"{path}: cannot tell which authority this is; pass --la (e.g. --la 845)")
    if not LA_PATTERN.match(la_code):
        raise UsageError(f"--la {la_code!r}: an authority code is three digits (e.g. 845)")
    as_at = as_at or snapshot_date(path)
    if as_at is None:
        raise UsageError(f"{path}: cannot tell the date this snapshot is as at; pass --as-at (e.g. --as-at "
                         f"2024-01-31) or name it like Annex_A_2024_Jan.xlsx")
    collection_year = as_at.year + 1 if as_at.month >= 4 else as_at.year
    synthetic = bool(manifest.get("synthetic", False))
    if slot == "month":
        end = _month_end(as_at.year, as_at.month)
        period = Period(start=end.replace(day=1), end=end, collection_year=collection_year,
                        name=f"the month {end:%b %Y}")
        return Identity(None, la_code, period, synthetic)
    if slot == "register":
        period = Period(start=as_at, end=as_at, collection_year=collection_year,
                        name=f"the register as at {as_at:%d/%m/%Y}")
        return Identity(None, la_code, period, synthetic)
    # Lists reach back up to 12 months before the as-at date (children in need and plans open longer).
    start = date(as_at.year, 1, 1) if as_at.month == 12 else date(as_at.year - 1, as_at.month + 1, 1)
    period = Period(start=start, end=as_at, collection_year=collection_year)
    return Identity(None, la_code, period, bool(manifest.get("synthetic", False)))
