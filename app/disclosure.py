"""Small-number suppression: the one place the app decides what may be shown.

Rules (applied on screen and in every download):

* a count under 5 (0 to 4) is shown as "fewer than 5", never the number;
* a percentage or rate whose numerator or denominator is under 5 is shown as
  "suppressed (small numbers)";
* secondary suppression: where a breakdown adds up to a total that is shown (for example placement types
  adding up to the children looked after), hiding one cell is not enough, because it can be worked out by
  subtraction. `protect_breakdown` hides the next smallest cell as well, and any percentage built on a hidden
  count is hidden with it;
* anything worked out from a hidden value goes with it: its RAG status against a target, its change since
  another period (and the change *to* a period whose value is hidden), its direction of travel. These are
  shown as "not shown (small numbers)" (or "suppressed (small numbers)" in a table of changes), because
  "close to target" or "up 2" next to a hidden figure tells the reader roughly what it is.

Everything here is pure Python so it can be unit tested without Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from app import formatting
from app.indicators import RAG_TEXT

THRESHOLD = 5
# Catalogue domains whose figures are about staff, not children or families: shown in full on every page
# (a team's 1.0 FTE of vacancies identifies no child). Caseloads count children's cases per worker, never
# which children.
STAFF_DOMAINS = frozenset({"workforce"})
FEWER_THAN_5 = "fewer than 5"
SUPPRESSED = "suppressed (small numbers)"
NOT_SHOWN = "not shown (small numbers)"
NOT_AVAILABLE = formatting.NOT_AVAILABLE


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def is_small(n: float | None) -> bool:
    """True for a known count from 0 to 4 (the numbers that must never be shown)."""
    if _missing(n):
        return False
    return n < THRESHOLD


def ratio_hidden(numerator: float | None, denominator: float | None) -> bool:
    """A percentage or rate is hidden when its numerator or denominator is a small number."""
    return is_small(numerator) or is_small(denominator)


def count_text(n: float | None) -> str:
    """A count as it may be shown: "fewer than 5" for 0-4, "not available" when missing."""
    if _missing(n):
        return NOT_AVAILABLE
    if is_small(n):
        return FEWER_THAN_5
    return formatting.count(n)


def percent_text(value: float | None, numerator: float | None, denominator: float | None) -> str:
    if ratio_hidden(numerator, denominator):
        return SUPPRESSED
    return formatting.percent(value)


def rate_text(value: float | None, numerator: float | None, denominator: float | None) -> str:
    if ratio_hidden(numerator, denominator):
        return SUPPRESSED
    return formatting.rate(value)


def value_text(unit: str, value: float | None, numerator: float | None, denominator: float | None) -> str:
    """Format any indicator value by its catalogue unit, applying the rules above."""
    if unit == "count":
        # For counts value = numerator; use the value so a missing numerator does not leak a small count.
        return count_text(value if not _missing(value) else numerator)
    if unit == "percent":
        return percent_text(value, numerator, denominator)
    if unit == "rate_per_10k":
        return rate_text(value, numerator, denominator)
    return formatting.number(value)


def is_hidden(unit: str, value: float | None, numerator: float | None, denominator: float | None) -> bool:
    """Whether `value_text` would hide this value."""
    if unit == "count":
        return is_small(value if not _missing(value) else numerator)
    return ratio_hidden(numerator, denominator)


def rag_text(rag: str | None, hidden: bool) -> str:
    """A RAG status as words ("On target", ...), or NOT_SHOWN when the value it describes is hidden.

    The status of a hidden value would give its range away (target 15, amber to 20: "Close to target" means
    15-20%), so it goes with the value. '' when there is no status to show.
    """
    if hidden:
        return NOT_SHOWN
    return RAG_TEXT.get(rag or "", "")


def protect_breakdown(
    counts: Mapping[str, float | None],
    constraints: Sequence[tuple[str, Sequence[str]]],
) -> set[str]:
    """Keys of `counts` that must be hidden, with secondary suppression.

    `counts` holds every cell that is shown, including totals and subtotals. Each constraint
    `(total_key, part_keys)` says total = sum of parts, so if exactly one member of that equation is
    hidden it could be recovered by subtraction: the smallest visible part (or, failing that, the total)
    is hidden too. A missing value (None) is treated as already unknown. Repeats until nothing changes,
    so nested breakdowns (total -> internal/external -> provider types) are protected at every level.
    """
    # Cells of 1-4 need protecting. A zero is still shown as "fewer than 5", but working out that a group
    # is empty (say, no child without a recorded provider) discloses nobody, so it forces no second cell.
    hidden = {key for key, value in counts.items() if is_small(value) and value != 0}
    unknown = {key for key, value in counts.items() if _missing(value)}

    changed = True
    while changed:
        changed = False
        for total_key, parts in constraints:
            members = [total_key, *parts]
            concealed = [k for k in members if k in hidden or k in unknown or k not in counts]
            if len(concealed) != 1:
                continue
            visible_parts = [k for k in parts if k not in hidden and k not in unknown and k in counts]
            if visible_parts:
                victim = min(visible_parts, key=lambda k: (counts[k], k))
            elif total_key not in hidden and total_key not in unknown and total_key in counts:
                victim = total_key
            else:  # pragma: no cover - unreachable: one concealed member means another is visible
                continue
            hidden.add(victim)
            changed = True
    return hidden


def masked_count_text(n: float | None, hidden: bool) -> str:
    """A count cell in a protected breakdown."""
    if _missing(n):
        return NOT_AVAILABLE
    if is_small(n):
        return FEWER_THAN_5
    if hidden:
        return SUPPRESSED
    return formatting.count(n)


def masked_percent_text(value: float | None, numerator: float | None, denominator: float | None, hidden: bool) -> str:
    if hidden or ratio_hidden(numerator, denominator):
        return SUPPRESSED
    return formatting.percent(value)


def count_change_text(now: float | None, before: float | None, hidden: Iterable[bool] = ()) -> str:
    """Plain-English change between two counts; hidden if either side is hidden or small."""
    if _missing(now) or _missing(before):
        return NOT_AVAILABLE
    if is_small(now) or is_small(before) or any(hidden):
        return SUPPRESSED
    return formatting.count_change(now - before)


def points_change_text(
    now: tuple[float | None, float | None, float | None],
    before: tuple[float | None, float | None, float | None],
    hidden: Iterable[bool] = (),
) -> str:
    """Change in percentage points; each side is (value, numerator, denominator)."""
    if _missing(now[0]) or _missing(before[0]):
        return NOT_AVAILABLE
    if ratio_hidden(now[1], now[2]) or ratio_hidden(before[1], before[2]) or any(hidden):
        return SUPPRESSED
    return formatting.points_change(now[0] - before[0])
