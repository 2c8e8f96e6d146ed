"""Unit tests for app/narrative.py: plain-English sentences about readings, on hand-made readings whose every
number can be checked by eye."""

from __future__ import annotations

import doctest
import math

import pytest

from app import disclosure, narrative
from app.narrative import Reading


def reading(**kw) -> Reading:
    base = {
        "indicator_id": "cin_rereferrals_12m_pct",
        "name": "Re-referrals within 12 months",
        "short_name": "Re-referrals",
        "unit": "percent",
        "polarity": "lower_is_better",
        "domain": "children_in_need",
        "value": 24.1,
        "numerator": 241,
        "denominator": 1000,
        "previous_value": 21.8,
        "previous_numerator": 218,
        "previous_denominator": 1000,
        "england_value": 22.6,
    }
    return Reading(**(base | kw))


def count(**kw) -> Reading:
    base = {
        "indicator_id": "cp_plans_started",
        "name": "Child protection plans started",
        "short_name": "Plans started",
        "unit": "count",
        "polarity": "neutral",
        "domain": "child_protection",
        "value": 112,
        "numerator": 112,
        "previous_value": 100,
    }
    return Reading(**(base | kw))


def test_module_doctest_holds():
    results = doctest.testmod(narrative)
    assert results.attempted >= 2 and results.failed == 0


# --- Reading -------------------------------------------------------------------------------------------------


def test_from_row_reads_catalogue_and_value_columns_and_ignores_extras():
    r = Reading.from_row(
        {
            "indicator_id": "cp_rate_per_10k",
            "name": "Child protection plans per 10,000 children",
            "short_name": None,
            "unit": "rate_per_10k",
            "polarity": "neutral",
            "domain": "child_protection",
            "value": 52.0,
            "numerator": 520,
            "denominator": 100_000,
            "sn_count": 10.0,
            "england_value": float("nan"),
            "period_label": "2024-25 Q3",  # extra: ignored
        }
    )
    assert r.label == "Child protection plans per 10,000 children"  # no short name: the name
    assert r.value == 52.0 and r.numerator == 520.0 and r.sn_count == 10
    assert r.england_value is None  # NaN is missing
    assert r.previous_value is None and r.previous_numerator is None


def test_from_row_defaults_name_unit_and_polarity():
    r = Reading.from_row({"indicator_id": "x_count", "value": 7})
    assert (r.name, r.unit, r.polarity, r.domain) == ("x_count", "count", "neutral", "")


@pytest.mark.parametrize(
    ("kw", "hidden"),
    [
        ({}, False),
        ({"numerator": 4, "value": 0.4}, True),  # a percentage on a numerator of 4
        ({"numerator": 3, "denominator": 4, "value": 75.0}, True),
        ({"numerator": 5, "denominator": 5, "value": 100.0}, False),
        ({"value": None, "numerator": None, "denominator": None}, False),  # no figure: nothing to hide
    ],
)
def test_a_percentage_is_hidden_on_small_numbers(kw, hidden):
    assert reading(**kw).hidden is hidden


@pytest.mark.parametrize(("value", "hidden"), [(0, True), (4, True), (5, False), (112, False)])
def test_a_count_is_hidden_from_0_to_4(value, hidden):
    assert count(value=value, numerator=value).hidden is hidden


def test_staff_figures_are_never_hidden():
    r = reading(domain="workforce", numerator=3, denominator=25, value=12.0, previous_numerator=2,
                previous_denominator=25, previous_value=8.0)  # fmt: skip
    assert r.in_full and not r.hidden and not r.previous_hidden and not r.year_ago_hidden
    assert count(domain="workforce", value=3, numerator=3, previous_value=2).hidden is False


def test_earlier_percentages_are_hidden_by_their_own_numbers():
    r = reading(previous_numerator=1, previous_denominator=4, previous_value=25.0)
    assert r.previous_hidden and not r.hidden
    r = reading(year_ago_value=20.0, year_ago_numerator=6, year_ago_denominator=30)
    assert not r.year_ago_hidden
    assert reading(year_ago_value=75.0, year_ago_numerator=3, year_ago_denominator=4).year_ago_hidden


def test_earlier_counts_are_hidden_from_0_to_4():
    assert count(previous_value=4).previous_hidden
    assert not count(previous_value=5).previous_hidden
    assert count(year_ago_value=0).year_ago_hidden
    assert not count(previous_value=None).previous_hidden


# --- phrases -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        ("percent", 24.14, "24.1%"),
        ("count", 1234, "1,234"),
        ("rate_per_10k", 52.345, "52.3 per 10,000"),
        ("fte", 109.94, "109.9 FTE"),
        ("ratio", 16.84, "16.8"),
        ("percent", None, "no figure"),
    ],
)
def test_value_phrase(unit, value, text):
    assert narrative.value_phrase(unit, value) == text


@pytest.mark.parametrize(
    ("unit", "now", "before", "text"),
    [
        ("percent", 24.1, 21.8, "up 2.3 points on Q2"),
        ("percent", 21.8, 24.1, "down 2.3 points on Q2"),
        ("percent", 24.14, 24.06, "unchanged on Q2"),  # both shown as 24.1%
        ("percent", 24.14, 21.86, "up 2.2 points on Q2"),  # as shown: 24.1% and 21.9%
        ("count", 112, 100, "up 12 (12%) on Q2"),
        ("count", 88, 100, "down 12 (12%) on Q2"),
        ("count", 12, 0, "up 12 on Q2"),  # no percentage of nothing
        ("count", 3893, 3877, "up 16 (under 1%) on Q2"),  # never "(0%)"
        ("count", 1006, 1000, "up 6 (1%) on Q2"),
        ("count", 100, 100, "unchanged on Q2"),
        ("rate_per_10k", 52.0, 40.0, "up 12.0 on Q2"),
        ("fte", 109.9, 120.0, "down 10.1 FTE on Q2"),
        ("ratio", 21.0, 19.0, "up 2.0 on Q2"),
        ("percent", None, 21.8, None),
        ("percent", 24.1, None, None),
    ],
)
def test_change_phrase(unit, now, before, text):
    assert narrative.change_phrase(unit, now, before, "Q2") == text


@pytest.mark.parametrize(
    ("value", "other", "text"),
    [
        (24.1, 22.6, "above England's 22.6%"),
        (21.0, 22.6, "below England's 22.6%"),
        (22.64, 22.6, "level with England's 22.6%"),  # the same once rounded as shown
        (24.1, None, None),
        (None, 22.6, None),
    ],
)
def test_comparison_phrase(value, other, text):
    assert narrative.comparison_phrase("percent", value, other, "England's") == text


# --- sentences -----------------------------------------------------------------------------------------------


def test_the_issue_example_sentence():
    assert narrative.sentence(reading(), "Q2") == "Re-referrals 24.1%, up 2.3 points on Q2, above England's 22.6%."


def test_sentence_with_target_year_ago_and_neighbours():
    r = reading(target=20.0, rag="red", year_ago_value=23.0, year_ago_numerator=230, year_ago_denominator=1000,
                sn_value=21.4, sn_count=10)  # fmt: skip
    assert narrative.sentence(r, "2024-25 Q2", year_ago_label="2023-24 Q3", sn=True) == (
        "Re-referrals 24.1%, up 2.3 points on 2024-25 Q2, up 1.1 points on 2023-24 Q3, above England's 22.6%, "
        "above statistical neighbours' 21.4%, off target (20.0%)."
    )


@pytest.mark.parametrize(
    ("rag", "words"), [("green", "on target (20.0%)"), ("amber", "close to target (20.0%)"), ("red", "off target")]
)
def test_sentence_target_words(rag, words):
    assert words in narrative.sentence(reading(target=20.0, rag=rag), "Q2")


@pytest.mark.parametrize(
    "label",
    ["CP rate per 10,000", "CP rate (per 10,000)", "CP rate per 10000", "CP rate", "CP rate PER 10,000 children"],
)
def test_a_rate_says_per_10000_once(label):
    r = Reading(indicator_id="cp_rate_per_10k", name="Child protection plans per 10,000 children", short_name=label,
                unit="rate_per_10k", polarity="neutral", domain="child_protection", value=52.0, numerator=520,
                denominator=100_000, previous_value=40.0, previous_numerator=400,
                previous_denominator=100_000)  # fmt: skip
    assert narrative.sentence(r, "Q2") == "CP rate 52.0 per 10,000, up 12.0 on Q2."


def test_a_rate_named_only_per_10000_keeps_its_name():
    r = Reading(indicator_id="x", name="per 10,000", short_name=None, unit="rate_per_10k", polarity="neutral",
                domain="cp", value=52.0, numerator=520, denominator=100_000)  # fmt: skip
    assert narrative.sentence(r, "Q2") == "per 10,000 52.0 per 10,000."


def test_sentence_without_a_status_has_no_target_words():
    assert "target" not in narrative.sentence(reading(target=20.0, rag=None), "Q2")
    assert "target" not in narrative.sentence(reading(target=None, rag="red"), "Q2")


def test_a_hidden_value_gives_nothing_away():
    r = reading(numerator=3, denominator=4, value=75.0, target=85.0, rag="red", england_value=84.0)
    text = narrative.sentence(r, "Q2", year_ago_label="Q3 last year", sn=True)
    assert text == f"Re-referrals: {disclosure.NOT_SHOWN}."
    assert "75" not in text and "target" not in text


def test_a_change_to_a_hidden_earlier_value_is_left_out():
    r = reading(value=25.0, numerator=5, denominator=20, previous_value=25.0, previous_numerator=1,
                previous_denominator=4, england_value=23.7)  # fmt: skip
    assert narrative.sentence(r, "Q2") == "Re-referrals 25.0%, above England's 23.7%."
    c = count(value=12, numerator=12, previous_value=3, year_ago_value=2)
    assert narrative.sentence(c, "Q2", year_ago_label="Q3 last year") == "Plans started 12."


def test_no_figure():
    assert narrative.sentence(reading(value=None, numerator=None, denominator=None), "Q2") == (
        "Re-referrals: no figure for this period."
    )


def test_staff_sentence_shows_small_numbers_in_full():
    r = reading(short_name="Agency rate", domain="workforce", numerator=3, denominator=25, value=12.0,
                previous_value=8.0, previous_numerator=2, previous_denominator=25, england_value=17.8)  # fmt: skip
    assert narrative.sentence(r, "Q2") == "Agency rate 12.0%, up 4.0 points on Q2, below England's 17.8%."


# --- movement, moved most, red ---------------------------------------------------------------------------------


def test_movement_is_the_change_as_a_share_of_the_earlier_figure():
    assert narrative.movement(reading()) == pytest.approx(2.3 / 21.8)
    assert narrative.movement(count()) == pytest.approx(0.12)
    assert narrative.movement(count(previous_value=0)) is None  # no share of nothing
    assert narrative.movement(count(previous_value=None)) is None
    assert narrative.movement(count(value=3, numerator=3)) is None  # hidden now
    assert narrative.movement(count(previous_value=4)) is None  # hidden before


def test_moved_most_orders_by_movement_and_drops_quiet_and_hidden_readings():
    big = count(indicator_id="a", short_name="A", value=150, numerator=150, previous_value=100)  # 50%
    mid = reading(indicator_id="b", short_name="B")  # 10.6%
    quiet = count(indicator_id="c", short_name="C", value=104, numerator=104, previous_value=100)  # 4%
    hidden = count(indicator_id="d", short_name="D", value=4, numerator=4, previous_value=100)
    tie = count(indicator_id="e", short_name="AA", value=150, numerator=150, previous_value=100)  # 50%, ties big
    assert narrative.moved_most([quiet, mid, hidden, big, tie]) == [big, tie, mid]  # ties by label
    assert narrative.moved_most([quiet, mid, big, tie], n=1) == [big]
    assert narrative.moved_most([quiet], min_move=0.01) == [quiet]
    assert narrative.moved_most([]) == []


def test_red_keeps_order_and_leaves_out_hidden_readings():
    a = reading(indicator_id="a", rag="red")
    b = reading(indicator_id="b", rag="amber")
    c = reading(indicator_id="c", rag="red", numerator=3, denominator=4, value=75.0)  # hidden
    d = count(indicator_id="d", rag="red")
    assert narrative.red([d, a, b, c]) == [d, a]


@pytest.mark.parametrize(
    ("polarity", "value", "previous", "word"),
    [
        ("lower_is_better", 24.1, 21.8, "worse"),
        ("lower_is_better", 21.8, 24.1, "better"),
        ("higher_is_better", 24.1, 21.8, "better"),
        ("higher_is_better", 21.8, 24.1, "worse"),
        ("neutral", 24.1, 21.8, None),
        ("lower_is_better", 24.14, 24.06, None),  # unchanged as shown
        ("lower_is_better", 24.1, None, None),
    ],
)
def test_direction_word(polarity, value, previous, word):
    assert narrative.direction_word(reading(polarity=polarity, value=value, previous_value=previous)) == word


def test_direction_word_after_a_zero_and_when_hidden():
    staff = reading(domain="workforce", value=5.0, previous_value=0.0, previous_numerator=0, previous_denominator=25)
    assert narrative.direction_word(staff) == "worse"  # 0% -> 5% is worse for a lower-is-better measure
    assert narrative.direction_word(reading(previous_numerator=1, previous_denominator=4)) is None
    assert narrative.direction_word(reading(numerator=3, denominator=4, value=75.0)) is None


def test_domain_summary_puts_red_first_then_movers_then_the_rest_within_the_limit():
    steady = count(indicator_id="s", short_name="Steady", value=100, numerator=100, previous_value=100)
    mover = count(indicator_id="m", short_name="Mover", value=150, numerator=150, previous_value=100)
    redder = reading(indicator_id="r", short_name="Red one", rag="red", target=20.0)
    empty = count(indicator_id="e", short_name="Empty", value=None, numerator=None, previous_value=None)
    hidden = count(indicator_id="h", short_name="Hidden", value=2, numerator=2)
    readings = [steady, empty, hidden, mover, redder]
    assert narrative.domain_summary(readings, "Q2") == [
        "Red one 24.1%, up 2.3 points on Q2, above England's 22.6%, off target (20.0%).",
        "Mover 150, up 50 (50%) on Q2.",
        "Steady 100, unchanged on Q2.",
        f"Hidden: {disclosure.NOT_SHOWN}.",
    ]
    assert len(narrative.domain_summary(readings, "Q2", limit=2)) == 2
    assert narrative.domain_summary([], "Q2") == []


def test_no_nan_reaches_a_sentence():
    r = Reading.from_row({"indicator_id": "x", "unit": "percent", "value": 12.0, "numerator": 12, "denominator": 100,
                          "previous_value": math.nan, "england_value": math.nan})  # fmt: skip
    assert narrative.sentence(r, "Q2") == "x 12.0%."
