"""Placement breakdowns (type of placement, who provides it) with suppression applied.

Catalogue groups `placement_type_mix` (`cla_placement_type_<group>_count/_pct`) and
`placement_provider_mix` (`cla_provider_<group>_count/_pct`) are paired by group. Provider groups are sorted
into internal (the council's own provision) and external capacity (other councils, private, voluntary and
other public bodies); placements with parents, anything unrecognised, and children with no provider recorded
go to "other".

Children with no provider recorded are in the denominator only (docs/contracts.md), so the provider groups
do not add up to the children looked after by themselves: `snapshot` adds a "Not recorded" part, the total
minus the sum of the groups (never negative), always for providers and, for other breakdowns such as the
placement type mix, whenever the groups fail to add up. With it the parts always add up to the total, and
`disclosure.protect_breakdown` runs over the parts, the subtotals and the total together, so no hidden small
number (the "not recorded" one included) can be recovered by subtraction.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import polars as pl

from app import disclosure
from app.indicators import Catalogue, Indicator, Quarter, Values, cell

PLACEMENT_TYPE_GROUP = "placement_type_mix"
PLACEMENT_TYPE_PREFIX = "cla_placement_type_"
PROVIDER_GROUP = "placement_provider_mix"
PROVIDER_PREFIX = "cla_provider_"
TOTAL_ID = "cla_at_period_end"

INTERNAL, EXTERNAL, OTHER = "internal", "external", "other"
CATEGORY_ORDER = (INTERNAL, EXTERNAL, OTHER)
CATEGORY_LABELS = {
    INTERNAL: "Own council (internal)",
    EXTERNAL: "External (other councils, private, voluntary, other public bodies)",
    OTHER: "Other (with parents, or not recorded)",
}
CATEGORY_SHORT = {INTERNAL: "Own council", EXTERNAL: "External", OTHER: "Other"}
CATEGORY_TILES = {
    INTERNAL: "Own council placements (internal)",
    EXTERNAL: "External placements",
    OTHER: "With parents or not recorded",
}
# Provider groups by slug, accepting either a descriptive slug or the SSDA903 PLACE_PROVIDER code.
PROVIDER_CATEGORY = {
    "own_la": INTERNAL,
    "pr1": INTERNAL,
    "other_la": EXTERNAL,
    "pr2": EXTERNAL,
    "other_public": EXTERNAL,
    "pr3": EXTERNAL,
    "private": EXTERNAL,
    "pr4": EXTERNAL,
    "voluntary": EXTERNAL,
    "pr5": EXTERNAL,
    "parents": OTHER,
    "pr0": OTHER,
}
TOTAL_KEY = "__total__"
NOT_RECORDED = "not_recorded"
NOT_RECORDED_LABEL = "Not recorded"


def provider_category(slug: str) -> str:
    return PROVIDER_CATEGORY.get(slug.lower(), OTHER)


@dataclass(frozen=True)
class BreakdownItem:
    slug: str
    label: str
    count: Indicator | None
    pct: Indicator | None
    category: str | None = None

    @property
    def ids(self) -> list[str]:
        return [i.indicator_id for i in (self.count, self.pct) if i is not None]

    @property
    def reference(self) -> Indicator:
        return self.count or self.pct  # type: ignore[return-value]


def _slug(indicator_id: str, prefix: str) -> tuple[str, str] | None:
    for suffix, kind in (("_count", "count"), ("_pct", "pct")):
        if indicator_id.endswith(suffix):
            core = indicator_id[: -len(suffix)]
            return (core[len(prefix) :] if core.startswith(prefix) else core), kind
    return None


def breakdown_items(catalogue: Catalogue, group: str, prefix: str, *, categorise: bool = False) -> list[BreakdownItem]:
    """Pair the group's `_count` and `_pct` indicators, in catalogue order."""
    found: dict[str, dict[str, Indicator]] = {}
    for ind in catalogue.group(group):
        parsed = _slug(ind.indicator_id, prefix)
        if parsed is None:
            continue
        slug, kind = parsed
        found.setdefault(slug, {})[kind] = ind
    items = []
    for slug, kinds in found.items():
        ref = kinds.get("count") or kinds["pct"]
        label = ref.breakdown_label or ref.short_name or slug.replace("_", " ")
        items.append(
            BreakdownItem(
                slug=slug,
                label=label,
                count=kinds.get("count"),
                pct=kinds.get("pct"),
                category=provider_category(slug) if categorise else None,
            )
        )
    return items


Triple = tuple[float | None, float | None, float | None]


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def remainder(total: float | None, parts: list[float | None]) -> float | None:
    """Children in the total but in none of the parts (never negative); None when any figure is missing."""
    if _missing(total) or any(_missing(p) for p in parts):
        return None
    return max(0.0, float(total) - float(sum(parts)))  # type: ignore[arg-type]


def _share(count: float | None, denominator: float | None) -> float | None:
    if _missing(count) or _missing(denominator) or not denominator:
        return None
    return count / denominator * 100  # type: ignore[operator]


@dataclass
class Snapshot:
    """One breakdown at one period, with the cells that must be hidden worked out."""

    counts: dict[str, float | None]
    pcts: dict[str, Triple]
    hidden: set[str]
    total: float | None
    subtotals: dict[str, float | None] = field(default_factory=dict)
    denominator: float | None = None
    parts: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """No figures at all for this breakdown in this period."""
        return all(self.counts.get(k) is None and self.pcts.get(k, (None,))[0] is None for k in self.parts)

    @property
    def has_not_recorded(self) -> bool:
        """Whether the breakdown has a "Not recorded" part (total minus the groups) in this period."""
        return NOT_RECORDED in self.counts

    def count_text(self, key: str) -> str:
        return disclosure.masked_count_text(self.counts.get(key), key in self.hidden)

    def pct_text(self, key: str) -> str:
        value, num, den = self.pcts.get(key, (None, None, None))
        return disclosure.masked_percent_text(value, num, den, key in self.hidden)

    def visible_count(self, key: str) -> float | None:
        if key in self.hidden or disclosure.is_small(self.counts.get(key)):
            return None
        return self.counts.get(key)

    def visible_pct(self, key: str) -> float | None:
        value, num, den = self.pcts.get(key, (None, None, None))
        if key in self.hidden or disclosure.ratio_hidden(num, den):
            return None
        return value


def snapshot(items: list[BreakdownItem], values: Values, period_start: dt.date) -> Snapshot:
    counts: dict[str, float | None] = {}
    pcts: dict[str, Triple] = {}
    for item in items:
        pct = cell(values.quarter(item.pct.indicator_id, period_start)) if item.pct else None
        count = cell(values.quarter(item.count.indicator_id, period_start))[0] if item.count else None
        if _missing(count) and pct is not None and not _missing(pct[1]):
            count = pct[1]  # the share's numerator is the same count: it is known, so it must be protected
        counts[item.slug] = count
        if pct is not None:
            pcts[item.slug] = pct
    total = cell(values.quarter(TOTAL_ID, period_start))[0]
    denominators = [t[2] for t in pcts.values() if t[2] is not None]
    denominator = denominators[0] if denominators else total
    categorised = any(item.category for item in items)

    # Children in the total but in no group. For providers that is a real group (no provider recorded), so
    # it is always a part; for other breakdowns only when the groups fail to add up to the total.
    not_recorded = remainder(total, [counts[i.slug] for i in items]) if items else None
    if categorised or (not_recorded is not None and not_recorded > 0):
        counts[NOT_RECORDED] = not_recorded
        pcts[NOT_RECORDED] = (_share(not_recorded, denominator), not_recorded, denominator)

    all_counts = dict(counts)
    all_counts[TOTAL_KEY] = total
    subtotals: dict[str, float | None] = {}
    constraints: list[tuple[str, list[str]]] = []
    if categorised:
        for category in CATEGORY_ORDER:
            members = [i.slug for i in items if i.category == category]
            if category == OTHER:
                members.append(NOT_RECORDED)
            if not members:
                continue
            parts = [counts[m] for m in members]
            subtotal = None if any(_missing(p) for p in parts) else float(sum(parts))  # type: ignore[arg-type]
            subtotals[category] = subtotal
            all_counts[category] = subtotal
            constraints.append((category, members))
            pcts[category] = (_share(subtotal, denominator), subtotal, denominator)
        constraints.append((TOTAL_KEY, list(subtotals)))
    else:
        constraints.append((TOTAL_KEY, [i.slug for i in items] + ([NOT_RECORDED] if NOT_RECORDED in counts else [])))
    hidden = disclosure.protect_breakdown(all_counts, constraints)
    return Snapshot(
        counts=all_counts,
        pcts=pcts,
        hidden=hidden,
        total=total,
        subtotals=subtotals,
        denominator=denominator,
        parts=tuple(i.slug for i in items),
    )


def _rows(items: list[BreakdownItem], snap: Snapshot) -> list[tuple[str, str, str | None]]:
    """(key, label, category) of each row to show: the groups, then "Not recorded" when the breakdown has it."""
    rows = [(item.slug, item.label, item.category) for item in items]
    if snap.has_not_recorded:
        rows.append((NOT_RECORDED, NOT_RECORDED_LABEL, OTHER if snap.subtotals else None))
    return rows


def breakdown_table(items: list[BreakdownItem], values: Values, quarter: Quarter, *, first_column: str) -> pl.DataFrame:
    """Children and share for the quarter, with the change in children since the previous quarter and the
    same quarter last year."""
    now = snapshot(items, values, quarter.start)
    before = snapshot(items, values, quarter.previous_start)
    year_ago = snapshot(items, values, quarter.year_ago_start)
    prev, yago = quarter.previous_label, quarter.year_ago_label
    rows = []
    categorised = any(item.category for item in items)
    for key, label, category in _rows(items, now):
        row = {first_column: label}
        if categorised:
            row["Provided by"] = CATEGORY_SHORT[category] if category else ""
        row.update(
            {
                f"Children, {quarter.label}": now.count_text(key),
                f"Share, {quarter.label}": now.pct_text(key),
                f"Change since {prev}": _change(now, before, key),
                f"Change since {yago}": _change(now, year_ago, key),
            }
        )
        rows.append(row)
    return pl.DataFrame(rows, schema={k: pl.String for k in rows[0]} if rows else None)


def _change(now: Snapshot, before: Snapshot, key: str) -> str:
    return disclosure.count_change_text(
        now.counts.get(key), before.counts.get(key), hidden=(key in now.hidden, key in before.hidden)
    )


def share_chart_frame(items: list[BreakdownItem], values: Values, quarters: list[Quarter]) -> pl.DataFrame:
    """Long frame (period, label, share, children) for a grouped bar chart; hidden cells are null."""
    rows = []
    for q in quarters:
        snap = snapshot(items, values, q.start)
        for order, (key, label, _) in enumerate(_rows(items, snap)):
            rows.append(
                {
                    "period": q.label,
                    "period_order": q.start,
                    "label": label,
                    "label_order": order,
                    "share": snap.visible_pct(key),
                    "share_text": snap.pct_text(key),
                    "children_text": snap.count_text(key),
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "period_order": pl.Date,
            "label": pl.String,
            "label_order": pl.Int64,
            "share": pl.Float64,
            "share_text": pl.String,
            "children_text": pl.String,
        },
    )


def category_trend(items: list[BreakdownItem], values: Values, quarters: list[Quarter]) -> pl.DataFrame:
    """One row per quarter (oldest first): share of children in internal, external and other capacity."""
    rows = []
    for q in sorted(quarters, key=lambda q: q.start):
        snap = snapshot(items, values, q.start)
        if not snap.subtotals or snap.empty:
            continue
        row: dict[str, object] = {"Quarter": q.label}
        for category in CATEGORY_ORDER:
            if category in snap.subtotals:
                row[f"{CATEGORY_SHORT[category]}: children"] = snap.count_text(category)
                row[f"{CATEGORY_SHORT[category]}: share"] = snap.pct_text(category)
        rows.append(row)
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame(rows, schema={k: pl.String for k in rows[0]})


def category_trend_chart_frame(items: list[BreakdownItem], values: Values, quarters: list[Quarter]) -> pl.DataFrame:
    rows = []
    for q in sorted(quarters, key=lambda q: q.start):
        snap = snapshot(items, values, q.start)
        if snap.empty:
            continue
        for order, category in enumerate(CATEGORY_ORDER):
            if category not in snap.subtotals:
                continue
            rows.append(
                {
                    "period": q.label,
                    "period_order": q.start,
                    "category": CATEGORY_SHORT[category],
                    "category_order": order,
                    "share": snap.visible_pct(category),
                    "share_text": snap.pct_text(category),
                    "children_text": snap.count_text(category),
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "period_order": pl.Date,
            "category": pl.String,
            "category_order": pl.Int64,
            "share": pl.Float64,
            "share_text": pl.String,
            "children_text": pl.String,
        },
    )
