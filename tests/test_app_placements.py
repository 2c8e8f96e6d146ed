"""Unit tests for app/placements.py: provider and placement-type breakdowns add up to the children looked after
(with a "Not recorded" part for children in the total but in no group), and no small number in them can be
worked out by subtraction, on screen or in the CSV."""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
import pytest

from app import disclosure, downloads, placements
from app.indicators import Catalogue, Quarter, Values

Q3 = Quarter("2024-25 Q3", dt.date(2024, 10, 1), dt.date(2024, 12, 31))
Q2 = dt.date(2024, 7, 1)
PROVIDERS = ["own_la", "other_la", "other_public", "private", "voluntary", "parents"]
LABELS = {
    "own_la": "Own council",
    "other_la": "Another council",
    "other_public": "Other public body",
    "private": "Private provider",
    "voluntary": "Voluntary or third sector",
    "parents": "Parents",
}
TYPES = ["foster", "kinship", "residential", "parents", "other"]


def _catalogue(group: str, prefix: str, slugs: list[str]) -> Catalogue:
    rows = []
    for slug in slugs:
        for kind, unit in (("count", "count"), ("pct", "percent")):
            rows.append(
                {
                    "indicator_id": f"{prefix}{slug}_{kind}",
                    "name": slug,
                    "short_name": slug,
                    "indicator_group": group,
                    "breakdown_label": LABELS.get(slug, slug.title()),
                    "unit": unit,
                }
            )
    return Catalogue(pl.DataFrame(rows))


def _values(prefix: str, periods: dict[dt.date, tuple[int | None, dict[str, int | None]]]) -> Values:
    """periods: start -> (children looked after, {slug: count}); shares use the children looked after."""
    rows = []

    def add(indicator_id, start, numerator, denominator, value):
        rows.append(
            {
                "indicator_id": indicator_id,
                "period_grain": "quarter",
                "period_start": start,
                "period_end": start + dt.timedelta(days=90),
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
            }
        )

    for start, (total, counts) in periods.items():
        if total is not None:
            add("cla_at_period_end", start, float(total), None, float(total))
        for slug, n in counts.items():
            if n is None:
                continue
            add(f"{prefix}{slug}_count", start, float(n), None, float(n))
            if total is not None:
                add(f"{prefix}{slug}_pct", start, float(n), float(total), n / total * 100)
    schema = {
        "indicator_id": pl.String,
        "period_grain": pl.String,
        "period_start": pl.Date,
        "period_end": pl.Date,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "value": pl.Float64,
    }
    return Values(pl.DataFrame(rows, schema=schema))


def providers(periods) -> tuple[list[placements.BreakdownItem], Values]:
    catalogue = _catalogue(placements.PROVIDER_GROUP, placements.PROVIDER_PREFIX, PROVIDERS)
    items = placements.breakdown_items(
        catalogue, placements.PROVIDER_GROUP, placements.PROVIDER_PREFIX, categorise=True
    )
    return items, _values(placements.PROVIDER_PREFIX, periods)


def types(periods) -> tuple[list[placements.BreakdownItem], Values]:
    catalogue = _catalogue(placements.PLACEMENT_TYPE_GROUP, placements.PLACEMENT_TYPE_PREFIX, TYPES)
    items = placements.breakdown_items(catalogue, placements.PLACEMENT_TYPE_GROUP, placements.PLACEMENT_TYPE_PREFIX)
    return items, _values(placements.PLACEMENT_TYPE_PREFIX, periods)


# The review's example: 42 children; the six groups add up to 40, so 2 have no provider recorded.
EXAMPLE = {"own_la": 10, "other_la": 5, "other_public": 5, "private": 10, "voluntary": 5, "parents": 5}


def shown_counts(snap: placements.Snapshot) -> dict[str, float | None]:
    """Each cell as a reader sees it: the number, or None when it is hidden."""
    return {k: (None if k in snap.hidden or disclosure.is_small(v) else v) for k, v in snap.counts.items()}


def provider_equations(snap: placements.Snapshot) -> list[tuple[str, list[str]]]:
    """Every "total = sum of parts" a reader can write down from the provider table and tiles."""
    external = [s for s in PROVIDERS if placements.provider_category(s) == placements.EXTERNAL]
    return [
        (placements.INTERNAL, ["own_la"]),
        (placements.EXTERNAL, external),
        (placements.OTHER, ["parents", placements.NOT_RECORDED]),
        (placements.TOTAL_KEY, [placements.INTERNAL, placements.EXTERNAL, placements.OTHER]),
        (placements.TOTAL_KEY, [*PROVIDERS, placements.NOT_RECORDED]),
    ]


def assert_no_small_number_derivable(snap: placements.Snapshot, equations) -> None:
    """Solve every equation a reader has, as often as anything new comes out; no small number may come out.

    This is the reader's side of `protect_breakdown`, done by brute force over the equations shown.
    """
    known = {k: v for k, v in shown_counts(snap).items() if v is not None}
    changed = True
    while changed:
        changed = False
        for total, parts in equations:
            members = [total, *parts]
            unknown = [m for m in members if m not in known]
            if len(unknown) != 1:
                continue
            (m,) = unknown
            if m == total:
                value = sum(known[p] for p in parts)
            else:
                value = known[total] - sum(known[p] for p in parts if p != m)
            # A derivable zero discloses nobody (an empty group); a derivable 1-4 would.
            assert value == 0 or not disclosure.is_small(value), f"{m} = {value} can be worked out from {members}"
            known[m] = value
            changed = True


# --- providers: "not recorded" ------------------------------------------------------------------------------


def test_not_recorded_is_the_total_minus_the_six_groups_and_is_protected():
    items, values = providers({Q3.start: (42, EXAMPLE)})
    snap = placements.snapshot(items, values, Q3.start)
    assert snap.counts[placements.NOT_RECORDED] == 2
    # the parts add up to the total, at every level
    assert sum(snap.counts[s] for s in PROVIDERS) + snap.counts[placements.NOT_RECORDED] == snap.total == 42
    assert sum(snap.subtotals.values()) == 42
    assert snap.subtotals == {placements.INTERNAL: 10, placements.EXTERNAL: 25, placements.OTHER: 7}
    # 2 with no provider recorded: hidden, and parents (5) with it, or 7 - 5 = 2 would give it away
    assert snap.count_text(placements.NOT_RECORDED) == disclosure.FEWER_THAN_5
    assert snap.pct_text(placements.NOT_RECORDED) == disclosure.SUPPRESSED
    assert "parents" in snap.hidden
    assert snap.count_text(placements.OTHER) == "7"
    assert_no_small_number_derivable(snap, provider_equations(snap))


@pytest.mark.parametrize("not_recorded", [0, 1, 2, 3, 4, 5, 9])
def test_not_recorded_of_any_size(not_recorded):
    counts = {"own_la": 300, "other_la": 30, "other_public": 12, "private": 200, "voluntary": 20, "parents": 17}
    total = sum(counts.values()) + not_recorded
    items, values = providers({Q3.start: (total, counts)})
    snap = placements.snapshot(items, values, Q3.start)
    assert snap.counts[placements.NOT_RECORDED] == not_recorded
    if not_recorded >= 5:
        assert snap.count_text(placements.NOT_RECORDED) == str(not_recorded)
        assert snap.hidden == set()
    elif not_recorded == 0:
        # Shown as "fewer than 5" like any count under 5, but an empty group needs no second cell hidden.
        assert snap.count_text(placements.NOT_RECORDED) == disclosure.FEWER_THAN_5
        assert snap.hidden == set()
    else:
        assert snap.count_text(placements.NOT_RECORDED) == disclosure.FEWER_THAN_5
        assert "parents" in snap.hidden
    assert_no_small_number_derivable(snap, provider_equations(snap))


def test_not_recorded_is_never_negative():
    items, values = providers({Q3.start: (38, EXAMPLE)})  # groups add up to 40, more than the total
    snap = placements.snapshot(items, values, Q3.start)
    assert snap.counts[placements.NOT_RECORDED] == 0
    assert snap.count_text(placements.NOT_RECORDED) == disclosure.FEWER_THAN_5


def test_not_recorded_unknown_without_a_total():
    items, values = providers({Q3.start: (None, dict.fromkeys(PROVIDERS, 20))})
    snap = placements.snapshot(items, values, Q3.start)
    assert snap.counts[placements.NOT_RECORDED] is None
    assert snap.count_text(placements.NOT_RECORDED) == disclosure.NOT_AVAILABLE
    assert snap.count_text(placements.OTHER) == disclosure.NOT_AVAILABLE  # not "parents only"


def test_provider_table_and_csv_have_a_not_recorded_row():
    before = dict(EXAMPLE, own_la=12)
    items, values = providers({Q3.start: (42, EXAMPLE), Q2: (46, before)})
    table = placements.breakdown_table(items, values, Q3, first_column="Provider")
    rows = {r["Provider"]: r for r in table.to_dicts()}
    assert list(rows)[-1] == placements.NOT_RECORDED_LABEL
    not_recorded = rows[placements.NOT_RECORDED_LABEL]
    assert not_recorded["Provided by"] == "Other"
    assert not_recorded["Children, 2024-25 Q3"] == disclosure.FEWER_THAN_5
    assert not_recorded["Share, 2024-25 Q3"] == disclosure.SUPPRESSED
    assert not_recorded["Change since 2024-25 Q2"] == disclosure.SUPPRESSED
    assert rows["Parents"]["Children, 2024-25 Q3"] == disclosure.SUPPRESSED
    assert rows["Parents"]["Change since 2024-25 Q2"] == disclosure.SUPPRESSED
    csv_text = downloads.to_csv_bytes(table).decode("utf-8-sig")
    assert "Not recorded,Other,fewer than 5,suppressed (small numbers)" in csv_text
    for cell in table.to_numpy().ravel():
        assert cell not in {"0", "1", "2", "3", "4"}


def test_other_category_includes_not_recorded_in_the_trend():
    items, values = providers({Q3.start: (650, dict(EXAMPLE, own_la=350, private=230, other_la=30))})
    trend = placements.category_trend(items, values, [Q3])
    # 650 - (350 + 30 + 5 + 230 + 5 + 5) = 25 not recorded; other = parents 5 + 25
    assert trend.row(0, named=True)["Other: children"] == "30"
    chart = placements.category_trend_chart_frame(items, values, [Q3])
    assert chart.filter(pl.col("category") == "Other")["children_text"].to_list() == ["30"]
    assert sum(chart["share"].to_list()) == pytest.approx(100)


# --- placement types ----------------------------------------------------------------------------------------

TYPE_COUNTS = {"foster": 400, "kinship": 90, "residential": 70, "parents": 15, "other": 20}


def test_types_that_add_up_have_no_not_recorded_row():
    items, values = types({Q3.start: (595, TYPE_COUNTS)})
    snap = placements.snapshot(items, values, Q3.start)
    assert not snap.has_not_recorded
    assert snap.hidden == set()
    table = placements.breakdown_table(items, values, Q3, first_column="Type of placement")
    assert placements.NOT_RECORDED_LABEL not in table["Type of placement"].to_list()


def test_types_that_fall_short_of_the_total_get_a_protected_not_recorded_row():
    items, values = types({Q3.start: (598, TYPE_COUNTS)})  # 3 children in no type
    snap = placements.snapshot(items, values, Q3.start)
    assert snap.counts[placements.NOT_RECORDED] == 3
    assert snap.hidden == {placements.NOT_RECORDED, "parents"}
    assert_no_small_number_derivable(snap, [(placements.TOTAL_KEY, [*TYPES, placements.NOT_RECORDED])])
    table = placements.breakdown_table(items, values, Q3, first_column="Type of placement")
    rows = {r["Type of placement"]: r for r in table.to_dicts()}
    assert rows[placements.NOT_RECORDED_LABEL]["Children, 2024-25 Q3"] == disclosure.FEWER_THAN_5
    assert rows["Parents"]["Children, 2024-25 Q3"] == disclosure.SUPPRESSED
    frame = placements.share_chart_frame(items, values, [Q3])
    shares = dict(zip(frame["label"], frame["share"], strict=True))
    assert shares[placements.NOT_RECORDED_LABEL] is None
    assert shares["Parents"] is None


def test_a_count_known_only_from_its_share_is_still_protected():
    # the count row is missing but the share's numerator says 3: it must not be treated as unknown
    items, values = types({Q3.start: (595, dict(TYPE_COUNTS, other=3, kinship=107))})
    values._rows.pop(("cla_placement_type_other_count", "quarter", Q3.start))
    snap = placements.snapshot(items, values, Q3.start)
    assert snap.counts["other"] == 3
    assert not snap.has_not_recorded  # the share's count fills the gap, so the types add up
    assert snap.hidden == {"other", "parents"}


def test_no_small_number_derivable_over_many_breakdowns():
    for own, parents, missing in itertools.product([0, 3, 5, 40], [0, 2, 5, 17], [0, 1, 4, 6]):
        counts = {"own_la": own, "other_la": 30, "other_public": 3, "private": 200, "voluntary": 20, "parents": parents}
        total = sum(counts.values()) + missing
        items, values = providers({Q3.start: (total, counts)})
        snap = placements.snapshot(items, values, Q3.start)
        assert sum(v for k, v in snap.counts.items() if k in [*PROVIDERS, placements.NOT_RECORDED]) == total
        assert_no_small_number_derivable(snap, provider_equations(snap))
