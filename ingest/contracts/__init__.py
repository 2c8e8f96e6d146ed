"""Extract contracts: declarative specs (YAML beside this file) of every input table.

A contract says which columns a table has, what each may hold, and which row rules apply. The loader in
`ingest.load` reads files against them; nothing else in the ingest knows a column name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml

CONTRACT_DIR = Path(__file__).parent
COLUMN_TYPES = {"string", "code", "date", "integer", "number", "postcode", "boolean", "pseudonym"}
# duckdb type of each contract type once stored in raw.*
SQL_TYPES = {
    "string": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "integer": "INTEGER",
    "number": "DOUBLE",
    "postcode": "VARCHAR",
    "boolean": "BOOLEAN",
    "pseudonym": "VARCHAR",  # a keyed hash of a person's name or staff number (see ingest/pseudonym.py)
}


@lru_cache(maxsize=8192)  # every heading of every file is compared with every column's names
def normalise_heading(text: str) -> str:
    """Headings match ignoring case, spaces, underscores, hyphens, dots and a byte-order mark."""
    return re.sub(r"[\s_\-.\ufeff]+", "", text).lower()


@dataclass(frozen=True)
class Column:
    name: str
    target: str
    type: str = "string"
    required: bool = False
    keep: bool = True
    codes: str | None = None
    aliases: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    on_error: str = "reject"  # or "clear": a bad value becomes unknown and the row is kept (logged)
    # Regular expressions tried against the heading (lower case, spaces collapsed) when no name or alias
    # matches exactly: councils word headings differently (Annex A above all).
    patterns: tuple[str, ...] = ()
    # A regular expression whose first group is the value kept (e.g. the code in "N1 - Abuse or neglect").
    extract: str | None = None
    # Free text: anything shaped like a UPN or a full postcode is masked before it is stored.
    scrub: bool = False

    def matches(self, heading: str) -> bool:
        wanted = {normalise_heading(self.name), normalise_heading(self.target)}
        wanted |= {normalise_heading(a) for a in self.aliases}
        if normalise_heading(heading) in wanted:
            return True
        loose = re.sub(r"\s+", " ", heading.strip().lower())
        return any(re.search(p, loose) for p in self.patterns)


@dataclass(frozen=True)
class CodeRange:
    codes: frozenset[str]
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True)
class Table:
    dataset: str
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[dict, ...]
    derive: str | None
    date_format: str
    per_authority: bool
    as_at_columns: tuple[str, ...]
    # What a newer file replaces: "collection_year" (same authority and year), "snapshot" (same authority and
    # as-at date: Annex A), "month" (same authority and month: HR extracts), "register" (the same authority,
    # whatever its date: a complaints register is whole each time) or "file" (same file name: reference data).
    slot: str = "collection_year"
    # A date column whose earliest value is the load's period_start (a register covers from its first record).
    period_start_column: str | None = None
    # Sheet name (workbooks) and file-name tokens that identify this table.
    sheet: str | None = None
    file_tokens: tuple[str, ...] = ()
    # Stripped from every cell before checking: e.g. Annex A's list letters in "a) Male".
    value_prefix: str | None = None
    # False (SSDA903): every column must be present. True (Annex A, whose lists councils trim): an optional
    # column that is absent is left blank, and the load says so.
    optional_may_be_absent: bool = False
    code_lists: dict[str, tuple[CodeRange, ...]] = field(default_factory=dict, repr=False, hash=False,
                                                         compare=False)

    @property
    def raw_table(self) -> str:
        return f"raw.{self.dataset}_{self.name}"

    @property
    def kept(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.keep)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.dataset}.{self.name} has no column {name}")

    def allowed_codes(self, list_name: str, collection_year: int | None) -> frozenset[str]:
        allowed: set[str] = set()
        for r in self.code_lists[list_name]:
            if collection_year is None or (
                (r.first_year is None or collection_year >= r.first_year)
                and (r.last_year is None or collection_year <= r.last_year)
            ):
                allowed |= r.codes
        return frozenset(allowed)

    def all_codes(self, list_name: str) -> frozenset[str]:
        return self.allowed_codes(list_name, None)


def _load_code_lists(path: Path) -> dict[str, tuple[CodeRange, ...]]:
    spec = yaml.safe_load(path.read_text())
    for name, ranges in spec.items():
        for r in ranges:
            if any(isinstance(c, bool) for c in r["codes"]):
                raise ValueError(f"{path.name}: {name} has an unquoted YES/NO/ON/OFF code (YAML reads a boolean)")
    return {
        name: tuple(
            CodeRange(frozenset(str(c) for c in r["codes"]), r.get("from"), r.get("to")) for r in ranges
        )
        for name, ranges in spec.items()
    }


def _parse_contract(path: Path) -> dict[str, Table]:
    spec = yaml.safe_load(path.read_text())
    dataset = spec["dataset"]
    code_lists = _load_code_lists(CONTRACT_DIR / spec["code_lists"]) if spec.get("code_lists") else {}
    tables = {}
    for name, t in spec["tables"].items():
        columns = []
        for c in list(t["columns"]) + list(t.get("extra_columns", [])):
            col = Column(
                name=c["name"],
                target=c.get("target", c["name"].lower()),
                type=c.get("type", "string"),
                required=bool(c.get("required", False)),
                keep=bool(c.get("keep", True)),
                codes=c.get("codes"),
                aliases=tuple(c.get("aliases", ())),
                min=c.get("min"),
                max=c.get("max"),
                on_error=c.get("on_error", "reject"),
                patterns=tuple(c.get("patterns", ())),
                extract=c.get("extract"),
                scrub=bool(c.get("scrub", False)),
            )
            if col.on_error not in ("reject", "clear") or (col.on_error == "clear" and col.required):
                raise ValueError(f"{path.name}: {name}.{col.name}: on_error must be reject, or clear when optional")
            if col.type not in COLUMN_TYPES:
                raise ValueError(f"{path.name}: {name}.{col.name} has unknown type {col.type}")
            if col.type == "code" and col.codes not in code_lists:
                raise ValueError(f"{path.name}: {name}.{col.name} names unknown code list {col.codes}")
            columns.append(col)
        tables[name] = Table(
            dataset=dataset,
            name=name,
            columns=tuple(columns),
            key=tuple(t.get("key", ())),
            rules=tuple(t.get("rules", ())),
            derive=t.get("derive"),
            date_format=spec.get("date_format", "%d/%m/%Y"),
            per_authority=spec.get("per_authority", True),
            as_at_columns=tuple(t.get("as_at_columns", ())),
            slot=spec.get("slot", "collection_year" if spec.get("per_authority", True) else "file"),
            sheet=t.get("sheet"),
            file_tokens=tuple(t.get("file_tokens", (name,))),
            value_prefix=spec.get("value_prefix"),
            optional_may_be_absent=bool(spec.get("optional_may_be_absent", False)),
            period_start_column=t.get("period_start_column"),
            code_lists=code_lists,
        )
    return tables


@cache
def all_tables() -> tuple[Table, ...]:
    """Every table of every contract, in a stable order (reference data first: others derive from it)."""
    tables: list[Table] = []
    for path in sorted(CONTRACT_DIR.glob("*.yaml")):
        if path.name.endswith("_codes.yaml"):
            continue
        tables.extend(_parse_contract(path).values())
    return tuple(sorted(tables, key=lambda t: (t.dataset != "reference", t.dataset, t.name)))


def dataset_tables(dataset: str) -> tuple[Table, ...]:
    return tuple(t for t in all_tables() if t.dataset == dataset)


def get_table(dataset: str, name: str) -> Table:
    for t in all_tables():
        if t.dataset == dataset and t.name == name:
            return t
    raise KeyError(f"no contract for {dataset}.{name}")
