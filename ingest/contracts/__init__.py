"""Extract contracts: declarative specs (YAML beside this file) of every input table.

A contract says which columns a table has, what each may hold, and which row rules apply. The loader in
`ingest.load` reads files against them; nothing else in the ingest knows a column name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONTRACT_DIR = Path(__file__).parent
COLUMN_TYPES = {"string", "code", "date", "integer", "number", "postcode"}
# duckdb type of each contract type once stored in raw.*
SQL_TYPES = {
    "string": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "integer": "INTEGER",
    "number": "DOUBLE",
    "postcode": "VARCHAR",
}


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

    def matches(self, heading: str) -> bool:
        wanted = {normalise_heading(self.name), normalise_heading(self.target)}
        wanted |= {normalise_heading(a) for a in self.aliases}
        return normalise_heading(heading) in wanted


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
    code_lists: dict[str, tuple[CodeRange, ...]] = field(repr=False, hash=False, compare=False)

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
        for c in t["columns"]:
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


def get_table(dataset: str, name: str) -> Table:
    for t in all_tables():
        if t.dataset == dataset and t.name == name:
            return t
    raise KeyError(f"no contract for {dataset}.{name}")
