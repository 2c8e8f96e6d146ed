"""Placement breakdowns (type of placement, who provides it) with suppression applied.

Catalogue groups `placement_type_mix` (`cla_placement_type_<group>_count/_pct`) and
`placement_provider_mix` (`cla_provider_<group>_count/_pct`) are paired by group. Provider groups are sorted
into internal (the council's own provision) and external capacity (other councils, private, voluntary and
other public bodies); placements with parents, and anything unrecognised, go to "other".

Each breakdown is a set of counts that adds up to the children looked after, so a single hidden small
number could be recovered by subtraction: `snapshot` runs `disclosure.protect_breakdown` over the parts,
the subtotals and the total together.
"""

from __future__ import annotations

import datetime as dt
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
        counts[item.slug] = cell(values.quarter(item.count.indicator_id, period_start))[0] if item.count else None
        if item.pct:
            pcts[item.slug] = cell(values.quarter(item.pct.indicator_id, period_start))
    total = cell(values.quarter(TOTAL_ID, period_start))[0]
    denominators = [t[2] for t in pcts.values() if t[2] is not None]
    denominator = denominators[0] if denominators else total

    all_counts = dict(counts)
    all_counts[TOTAL_KEY] = total
    subtotals: dict[str, float | None] = {}
    constraints: list[tuple[str, list[str]]] = []
    categorised = any(item.category for item in items)
    if categorised:
        for category in CATEGORY_ORDER:
            members = [i.slug for i in items if i.category == category]
            if not members:
                continue
            parts = [counts[m] for m in members]
            subtotal = None if any(p is None for p in parts) else float(sum(parts))  # type: ignore[arg-type]
            subtotals[category] = subtotal
            all_counts[category] = subtotal
            constraints.append((category, members))
            pct_value = None if subtotal is None or not denominator else subtotal / denominator * 100
            pcts[category] = (pct_value, subtotal, denominator)
        constraints.append((TOTAL_KEY, list(subtotals)))
    else:
        constraints.append((TOTAL_KEY, [i.slug for i in items]))
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


def breakdown_table(items: list[BreakdownItem], values: Values, quarter: Quarter, *, first_column: str) -> pl.DataFrame:
    """Children and share for the quarter, with the change in children since the previous quarter and the
    same quarter last year."""
    now = snapshot(items, values, quarter.start)
    before = snapshot(items, values, quarter.previous_start)
    year_ago = snapshot(items, values, quarter.year_ago_start)
    prev, yago = quarter.previous_label, quarter.year_ago_label
    rows = []
    for item in items:
        key = item.slug
        row = {first_column: item.label}
        if item.category:
            row["Provided by"] = CATEGORY_SHORT[item.category]
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
        for order, item in enumerate(items):
            rows.append(
                {
                    "period": q.label,
                    "period_order": q.start,
                    "label": item.label,
                    "label_order": order,
                    "share": snap.visible_pct(item.slug),
                    "share_text": snap.pct_text(item.slug),
                    "children_text": snap.count_text(item.slug),
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
