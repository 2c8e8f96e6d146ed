"""Roles and the pages each may see: `app/roles.csv`, the one table (docs/contracts.md, "Roles and pages").

`role_id, role_name, child_level` (`true`/`false`: may see child-level rows), `pages` (`;`-separated `url_path`s
from `app/navigation.py`). The file is read once and checked: unknown pages, a bad boolean, a duplicate or
malformed role id, or a missing column is a `RolesError` (the app refuses to start rather than guess).
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

ROLES_CSV = Path(__file__).resolve().parent / "roles.csv"
COLUMNS = ("role_id", "role_name", "child_level", "pages")
# The roles the contract names; roles.csv may add more, never fewer.
CONTRACT_ROLES = (
    "chief_executive",
    "dcs",
    "lead_member",
    "corporate_parenting_panel",
    "scrutiny",
    "cscmt",
    "head_of_service",
    "operations_manager",
    "practice_manager",
    "complaints_manager",
    "workforce_lead",
    "analyst",
    "administrator",
)
# Only these roles may hold accounts with no authority (la_code null: every authority).
ALL_AUTHORITY_ROLES = ("analyst", "administrator")
_ROLE_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
_BOOLEANS = {"true": True, "false": False}


class RolesError(ValueError):
    """roles.csv is malformed."""


@dataclass(frozen=True)
class Role:
    role_id: str
    role_name: str
    child_level: bool
    pages: tuple[str, ...]  # url_paths, in the order roles.csv lists them


def _known_pages() -> set[str]:
    from app.navigation import PAGES

    return {spec.url_path for spec in PAGES}


def parse(path: Path, known_pages: set[str] | None = None) -> dict[str, Role]:
    """Read and check a roles table; role id -> Role, in file order."""
    known = _known_pages() if known_pages is None else known_pages
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise RolesError(f"{path.name}: the columns must be {', '.join(COLUMNS)}, not {reader.fieldnames}")
        roles: dict[str, Role] = {}
        for line, row in enumerate(reader, start=2):
            role_id = (row["role_id"] or "").strip()
            if not _ROLE_ID.fullmatch(role_id):
                raise RolesError(f"{path.name} line {line}: {role_id!r} is not a role id ([a-z][a-z0-9_]*)")
            if role_id in roles:
                raise RolesError(f"{path.name} line {line}: role {role_id} is listed twice")
            flag = (row["child_level"] or "").strip().lower()
            if flag not in _BOOLEANS:
                raise RolesError(f"{path.name} line {line}: child_level must be true or false, not {flag!r}")
            pages = tuple(p.strip() for p in (row["pages"] or "").split(";") if p.strip())
            unknown = [p for p in pages if p not in known]
            if unknown:
                raise RolesError(f"{path.name} line {line}: {role_id} lists unknown pages {', '.join(unknown)}")
            if len(set(pages)) != len(pages):
                raise RolesError(f"{path.name} line {line}: {role_id} lists a page twice")
            name = (row["role_name"] or "").strip() or role_id
            roles[role_id] = Role(role_id, name, _BOOLEANS[flag], pages)
    return roles


@functools.cache
def all_roles() -> dict[str, Role]:
    """Every role in app/roles.csv (read once per process)."""
    return parse(ROLES_CSV)


def role_ids() -> tuple[str, ...]:
    return tuple(all_roles())


def get(role_id: str | None) -> Role | None:
    return all_roles().get(role_id or "")


def pages_for(role_id: str | None) -> tuple[str, ...]:
    """The url_paths the role may see (none for an unknown role)."""
    role = get(role_id)
    return role.pages if role else ()


def may_view(role_id: str | None, url_path: str) -> bool:
    return url_path in pages_for(role_id)


def child_level(role_id: str | None) -> bool:
    """Whether the role may see child-level rows at all (an unknown role may not)."""
    role = get(role_id)
    return bool(role and role.child_level)


def name(role_id: str | None) -> str:
    role = get(role_id)
    return role.role_name if role else (role_id or "")
