"""Plain-English sentences about indicator values, shared by the Chief Executive page and the annual report.

Everything here is pure Python (no Streamlit, no SQL), so it can be unit tested on hand-made readings:

    >>> r = Reading(indicator_id="cin_rereferrals_12m_pct", name="Re-referrals within 12 months",
    ...             short_name="Re-referrals", unit="percent", polarity="lower_is_better", domain="children_in_need",
    ...             value=24.1, numerator=241, denominator=1000, previous_value=21.8, england_value=22.6)
    >>> sentence(r, previous_label="Q2")
    "Re-referrals 24.1%, up 2.3 points on Q2, above England's 22.6%."

Small numbers follow `app.disclosure`: a reading whose value would be hidden is described as "not shown (small
numbers)" and takes no part in "what moved most" or "what is red" (its change or status would give it away).
Staff figures (`disclosure.STAFF_DOMAINS`) are never hidden.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app import disclosure, formatting

# A change this small (in the value's own unit, after rounding to what is shown) reads as "unchanged".
_SHOWN_DECIMALS = {"count": 0}


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _num(x: Any) -> float | None:
    return None if _missing(x) else float(x)


@dataclass(frozen=True)
class Reading:
    """One indicator for one org unit and period, as indicator_values (or audience_packs) holds it."""

    indicator_id: str
    name: str
    short_name: str | None
    unit: str
    polarity: str
    domain: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    target: float | None = None
    rag: str | None = None
    previous_value: float | None = None
    year_ago_value: float | None = None
    england_value: float | None = None
    region_value: float | None = None
    region_name: str | None = None
    sn_value: float | None = None
    sn_count: int | None = None
    # The earlier periods' own numerator and denominator, when the caller has them (indicator_values holds only
    # the earlier values): a change to a percentage that was hidden would give that percentage away.
    previous_numerator: float | None = None
    previous_denominator: float | None = None
    year_ago_numerator: float | None = None
    year_ago_denominator: float | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Reading:
        """From a dict holding catalogue and indicator_values columns (extra keys are ignored)."""
        return cls(
            indicator_id=str(row["indicator_id"]),
            name=str(row.get("name") or row["indicator_id"]),
            short_name=row.get("short_name"),
            unit=str(row.get("unit") or "count"),
            polarity=str(row.get("polarity") or "neutral"),
            domain=str(row.get("domain") or ""),
            value=_num(row.get("value")),
            numerator=_num(row.get("numerator")),
            denominator=_num(row.get("denominator")),
            target=_num(row.get("target")),
            rag=row.get("rag"),
            previous_value=_num(row.get("previous_value")),
            year_ago_value=_num(row.get("year_ago_value")),
            england_value=_num(row.get("england_value")),
            region_value=_num(row.get("region_value")),
            region_name=row.get("region_name"),
            sn_value=_num(row.get("sn_value")),
            sn_count=None if _missing(row.get("sn_count")) else int(row["sn_count"]),
            previous_numerator=_num(row.get("previous_numerator")),
            previous_denominator=_num(row.get("previous_denominator")),
            year_ago_numerator=_num(row.get("year_ago_numerator")),
            year_ago_denominator=_num(row.get("year_ago_denominator")),
        )

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def in_full(self) -> bool:
        """Staff figures are shown in full; children's go through the small-number rules."""
        return self.domain in disclosure.STAFF_DOMAINS

    @property
    def hidden(self) -> bool:
        """Whether the value itself may not be shown (a count of 0-4, or a ratio built on one)."""
        if self.in_full or self.value is None:
            return False
        return disclosure.is_hidden(self.unit, self.value, self.numerator, self.denominator)

    @property
    def previous_hidden(self) -> bool:
        """A count's previous value of 0-4 may not be shown either, nor a change to it."""
        if self.in_full or self.previous_value is None:
            return False
        if self.unit == "count":
            return disclosure.is_small(self.previous_value)
        return disclosure.ratio_hidden(self.previous_numerator, self.previous_denominator)

    @property
    def year_ago_hidden(self) -> bool:
        if self.in_full or self.year_ago_value is None:
            return False
        if self.unit == "count":
            return disclosure.is_small(self.year_ago_value)
        return disclosure.ratio_hidden(self.year_ago_numerator, self.year_ago_denominator)


def value_phrase(unit: str, value: float | None) -> str:
    """"24.1%", "1,234", "52.3 per 10,000", "109.9 FTE", "16.8"; "no figure" when missing."""
    if value is None:
        return "no figure"
    if unit == "rate_per_10k":
        return f"{formatting.rate(value)} per 10,000"
    return formatting.by_unit(unit, value)


def _rounded(unit: str, x: float) -> float:
    return round(x, _SHOWN_DECIMALS.get(unit, 1))


def change_phrase(unit: str, now: float | None, before: float | None, before_label: str) -> str | None:
    """"up 2.3 points on Q2", "down 12 on 2023-24 Q3", "unchanged on Q2"; None without both values.

    Percentages change in points; rates per 10,000, FTE and ratios in their own unit; counts by the number and,
    when the earlier figure is not zero, the percentage ("up 12 (8%) on Q2")."""
    if now is None or before is None:
        return None
    delta = _rounded(unit, now) - _rounded(unit, before)
    if _rounded(unit, delta) == 0:
        return f"unchanged on {before_label}"
    direction = "up" if delta > 0 else "down"
    size = abs(delta)
    if unit == "percent":
        amount = f"{size:,.1f} points"
    elif unit == "count":
        amount = f"{round(size):,}"
        if before:
            share = abs(delta) / abs(before) * 100
            # a real change never reads "(0%)": 3,877 -> 3,893 is "up 16 (under 1%)"
            amount += f" ({share:,.0f}%)" if round(share) >= 1 else " (under 1%)"
    elif unit == "fte":
        amount = f"{size:,.1f} FTE"
    else:
        amount = f"{size:,.1f}"
    return f"{direction} {amount} on {before_label}"


def comparison_phrase(unit: str, value: float | None, other: float | None, whose: str) -> str | None:
    """"above England's 22.6%", "below statistical neighbours' 18.0%", "level with England's 22.6%"."""
    if value is None or other is None:
        return None
    shown_value, shown_other = _rounded(unit, value), _rounded(unit, other)
    if shown_value == shown_other:
        relation = "level with"
    else:
        relation = "above" if shown_value > shown_other else "below"
    return f"{relation} {whose} {value_phrase(unit, other)}"


def _target_phrase(r: Reading) -> str | None:
    if r.target is None or r.rag is None:
        return None
    status = {"green": "on target", "amber": "close to target", "red": "off target"}.get(r.rag)
    if status is None:
        return None
    return f"{status} ({value_phrase(r.unit, r.target)})"


def _subject(r: Reading) -> str:
    """The label a sentence starts with: a rate's "per 10,000" is said once, after its value ("CLA rate per
    10,000" reads "CLA rate 66.8 per 10,000")."""
    label = r.label
    if r.unit == "rate_per_10k":
        trimmed = re.sub(r"\s*\(?\s*per\s+10,?000(\s+children)?\s*\)?\s*$", "", label, flags=re.IGNORECASE)
        return trimmed or label
    return label


def sentence(r: Reading, previous_label: str, *, year_ago_label: str | None = None, sn: bool = False) -> str:
    """One sentence about a reading: value, change on the previous period (and on a year ago if a label is
    given), England (and the statistical neighbours if `sn`), and its target status.

    A hidden value gives "Re-referrals: not shown (small numbers)." and nothing derived from it."""
    if r.hidden:
        return f"{r.label}: {disclosure.NOT_SHOWN}."
    if r.value is None:
        return f"{r.label}: no figure for this period."
    parts = [f"{_subject(r)} {value_phrase(r.unit, r.value)}"]
    if not r.previous_hidden:
        parts.append(change_phrase(r.unit, r.value, r.previous_value, previous_label))
    if year_ago_label and not r.year_ago_hidden:
        parts.append(change_phrase(r.unit, r.value, r.year_ago_value, year_ago_label))
    parts.append(comparison_phrase(r.unit, r.value, r.england_value, "England's"))
    if sn:
        parts.append(comparison_phrase(r.unit, r.value, r.sn_value, "statistical neighbours'"))
    parts.append(_target_phrase(r))
    return ", ".join(p for p in parts if p) + "."


def movement(r: Reading) -> float | None:
    """How far a reading moved since the previous period, comparable across units: the change as a share of
    the previous value (for percentages, points as a share of the previous percentage). None when either value
    is missing or hidden, or the previous value is zero."""
    if r.hidden or r.previous_hidden or r.value is None or r.previous_value is None or r.previous_value == 0:
        return None
    return abs(r.value - r.previous_value) / abs(r.previous_value)


def moved_most(readings: Iterable[Reading], n: int = 5, *, min_move: float = 0.05) -> list[Reading]:
    """The `n` readings that moved most since the previous period (by `movement`, at least `min_move`, 5%
    by default, so a quiet quarter lists nothing rather than noise), largest first; ties by name."""
    scored = [(m, r) for r in readings if (m := movement(r)) is not None and m >= min_move]
    scored.sort(key=lambda pair: (-pair[0], pair[1].label))
    return [r for _, r in scored[:n]]


def red(readings: Iterable[Reading]) -> list[Reading]:
    """Readings rated red against their target whose value may be shown, in the order given."""
    return [r for r in readings if r.rag == "red" and not r.hidden]


def direction_word(r: Reading) -> str | None:
    """"better" / "worse" by polarity for a change since the previous period; None for neutral indicators,
    unchanged or unknown values, and hidden ones."""
    if r.polarity not in ("higher_is_better", "lower_is_better") or r.hidden or r.previous_hidden:
        return None
    # Not `movement(r) is None`: that is also None after a zero, and 0% -> 5% is still better or worse.
    if r.value is None or r.previous_value is None:
        return None
    if _rounded(r.unit, r.value) == _rounded(r.unit, r.previous_value):
        return None
    up = r.value > r.previous_value
    return "better" if up == (r.polarity == "higher_is_better") else "worse"


def domain_summary(readings: Sequence[Reading], previous_label: str, *, limit: int = 4) -> list[str]:
    """Sentences for a domain: red readings first, then those that moved most, then the rest in the order
    given, at most `limit` sentences."""
    ordered: list[Reading] = []
    for r in [*red(readings), *moved_most(readings, n=len(readings)), *readings]:
        if r not in ordered and r.value is not None:
            ordered.append(r)
    return [sentence(r, previous_label) for r in ordered[:limit]]
