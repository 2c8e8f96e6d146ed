"""Unit tests for small-number suppression (app/disclosure.py), safe CSV (app/downloads.py) and formatting."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import polars as pl
import pytest

from app import disclosure, downloads, formatting

# --- primary suppression -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 0.0, 4.0, 4.4])
def test_counts_under_5_are_never_shown(n):
    assert disclosure.count_text(n) == "fewer than 5"
    assert disclosure.value_text("count", n, n, None) == "fewer than 5"


@pytest.mark.parametrize(("n", "text"), [(5, "5"), (5.0, "5"), (12, "12"), (1234, "1,234"), (650.0, "650")])
def test_counts_of_5_or_more_are_shown(n, text):
    assert disclosure.count_text(n) == text


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_missing_count_is_not_available_not_zero(missing):
    assert disclosure.count_text(missing) == "not available"


@pytest.mark.parametrize(("numerator", "denominator"), [(3, 650), (0, 650), (4, 4), (10, 4), (10, 0), (2, 3)])
def test_percentages_on_small_numerators_or_denominators_are_suppressed(numerator, denominator):
    value = numerator / denominator * 100 if denominator else 0.0
    assert disclosure.percent_text(value, numerator, denominator) == "suppressed (small numbers)"
    assert disclosure.value_text("percent", value, numerator, denominator) == "suppressed (small numbers)"


def test_percentages_on_5_or_more_are_shown_to_one_decimal_place():
    assert disclosure.percent_text(160 / 650 * 100, 160, 650) == "24.6%"
    assert disclosure.percent_text(5 / 5 * 100, 5, 5) == "100.0%"
    assert disclosure.value_text("percent", 12.0, 60, 500) == "12.0%"


def test_rates_follow_the_same_rule():
    assert disclosure.rate_text(650 / 100_000 * 10_000, 650, 100_000) == "65.0"
    assert disclosure.rate_text(0.4, 4, 100_000) == "suppressed (small numbers)"
    assert disclosure.value_text("rate_per_10k", 65.04, 650, 100_000) == "65.0"


def test_is_hidden_agrees_with_value_text():
    cases = [
        ("count", 3, 3, None),
        ("count", 7, 7, None),
        ("percent", 50.0, 2, 4),
        ("percent", 50.0, 10, 20),
        ("rate_per_10k", 1.0, 4, 40_000),
        ("rate_per_10k", 65.0, 650, 100_000),
    ]
    for unit, value, num, den in cases:
        text = disclosure.value_text(unit, value, num, den)
        hidden = text in (disclosure.FEWER_THAN_5, disclosure.SUPPRESSED)
        assert disclosure.is_hidden(unit, value, num, den) is hidden, (unit, value, num, den)


def test_count_with_missing_numerator_uses_value():
    assert disclosure.value_text("count", 3.0, None, None) == "fewer than 5"
    assert disclosure.value_text("count", None, 3.0, None) == "fewer than 5"


# --- changes -----------------------------------------------------------------------------------------------


def test_count_change_is_plain_english_and_hidden_when_either_side_is_small():
    assert disclosure.count_change_text(650, 645) == "up 5"
    assert disclosure.count_change_text(640, 645) == "down 5"
    assert disclosure.count_change_text(22, 22) == "no change"
    assert disclosure.count_change_text(9, 4) == "suppressed (small numbers)"
    assert disclosure.count_change_text(4, 9) == "suppressed (small numbers)"
    assert disclosure.count_change_text(20, 30, hidden=(True, False)) == "suppressed (small numbers)"
    assert disclosure.count_change_text(None, 30) == "not available"


def test_points_change():
    assert disclosure.points_change_text((24.6, 160, 650), (24.4, 157, 645)) == "up 0.2 points"
    assert disclosure.points_change_text((24.6, 160, 650), (50.0, 2, 4)) == "suppressed (small numbers)"


# --- what is worked out from a hidden value goes with it -----------------------------------------------------


def test_rag_of_a_hidden_value_is_not_shown():
    # target 15, amber to 20: "Close to target" beside a hidden percentage would say it is 15-20%
    assert disclosure.rag_text("amber", hidden=True) == "not shown (small numbers)"
    assert disclosure.rag_text("green", hidden=True) == "not shown (small numbers)"
    assert disclosure.rag_text(None, hidden=True) == "not shown (small numbers)"
    assert disclosure.rag_text("amber", hidden=False) == "Close to target"
    assert disclosure.rag_text("green", hidden=False) == "On target"
    assert disclosure.rag_text("red", hidden=False) == "Off target"
    assert disclosure.rag_text(None, hidden=False) == ""


# --- secondary suppression ---------------------------------------------------------------------------------


def test_one_small_cell_in_a_breakdown_hides_the_next_smallest():
    counts = {
        "total": 650,
        "foster": 400,
        "kinship": 90,
        "residential": 70,
        "supported": 50,
        "adoption": 22,
        "parents": 15,
        "other": 3,
    }
    parts = [k for k in counts if k != "total"]
    hidden = disclosure.protect_breakdown(counts, [("total", parts)])
    assert hidden == {"other", "parents"}
    # whatever is left visible, the hidden cells cannot be recovered by subtraction
    visible_sum = sum(counts[k] for k in parts if k not in hidden)
    assert counts["total"] - visible_sum == 18  # only the sum of two hidden cells is revealed


def test_two_small_cells_need_no_extra_suppression():
    counts = {"total": 100, "a": 90, "b": 6, "c": 2, "d": 2}
    assert disclosure.protect_breakdown(counts, [("total", ["a", "b", "c", "d"])]) == {"c", "d"}


def test_nested_breakdown_protects_every_level():
    # total = internal + external + other; external = other_la + private + voluntary + other_public
    counts = {
        "total": 650,
        "internal": 350,
        "external": 283,
        "other": 17,
        "own_la": 350,
        "private": 230,
        "other_la": 30,
        "voluntary": 20,
        "other_public": 3,
        "parents": 17,
    }
    constraints = [
        ("internal", ["own_la"]),
        ("external", ["private", "other_la", "voluntary", "other_public"]),
        ("other", ["parents"]),
        ("total", ["internal", "external", "other"]),
    ]
    hidden = disclosure.protect_breakdown(counts, constraints)
    assert hidden == {"other_public", "voluntary"}


def test_small_subtotal_propagates_up_and_down():
    counts = {"total": 100, "internal": 96, "external": 4, "own_la": 96, "private": 2, "voluntary": 2}
    constraints = [
        ("internal", ["own_la"]),
        ("external", ["private", "voluntary"]),
        ("total", ["internal", "external"]),
    ]
    hidden = disclosure.protect_breakdown(counts, constraints)
    # external (4) is small; with the total shown, internal would give it away, and own_la equals internal
    assert {"external", "private", "voluntary", "internal", "own_la"} <= hidden


def test_missing_cells_count_as_unknown_not_as_hidden_numbers():
    counts = {"total": 100, "a": 60, "b": None, "c": 3}
    hidden = disclosure.protect_breakdown(counts, [("total", ["a", "b", "c"])])
    assert hidden == {"c"}  # b is unknown, so c cannot be recovered from total - a


def test_masked_cells():
    assert disclosure.masked_count_text(3, hidden=True) == "fewer than 5"
    assert disclosure.masked_count_text(17, hidden=True) == "suppressed (small numbers)"
    assert disclosure.masked_count_text(17, hidden=False) == "17"
    assert disclosure.masked_percent_text(2.6, 17, 650, hidden=True) == "suppressed (small numbers)"
    assert disclosure.masked_percent_text(2.6, 17, 650, hidden=False) == "2.6%"


# --- CSV safety --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+5", "'+5"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("fewer than 5", "fewer than 5"),
        ("24.6%", "24.6%"),
        ("", ""),
        (None, ""),
        (-3, "'-3"),
    ],
)
def test_csv_safe(cell, safe):
    assert downloads.csv_safe(cell) == safe


def test_csv_has_no_cell_starting_with_a_formula_character():
    df = pl.DataFrame({"=name": ["=1+1", "+44", "-1", "@x", "plain", "up 5"], "n": ["1", "2", "3", "4", "5", "6"]})
    text = downloads.to_csv_bytes(df).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["'=name", "n"]
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@")), value
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+44", "'-1", "'@x", "plain", "up 5"]


def test_file_name_is_tidy():
    assert downloads.file_name("cla_trend", "845", "2024-25 Q3") == "cla_trend_845_2024-25_Q3.csv"
    assert downloads.file_name("x", "../../etc") == "x_etc.csv"


# --- formatting --------------------------------------------------------------------------------------------


def test_formatting():
    assert formatting.percent(12.345) == "12.3%"
    assert formatting.rate(65) == "65.0"
    assert formatting.count(1234.0) == "1,234"
    assert formatting.count_change(-3) == "down 3"
    assert formatting.points_change(0.04) == "no change"
    assert formatting.signed_count(5) == "+5"
    assert formatting.signed_count(-5) == "-5"
    assert formatting.long_date(dt.date(2025, 3, 31)) == "31 March 2025"
    assert formatting.date_time(dt.datetime(2025, 4, 2, 9, 30)) == "2 April 2025 at 09:30"
    assert formatting.benchmark_year_label(2024) == "2023-24"
    assert math.isnan(float("nan"))


@pytest.mark.parametrize(
    ("start", "label"),
    [
        (dt.date(2024, 4, 1), "2024-25 Q1"),
        (dt.date(2024, 7, 1), "2024-25 Q2"),
        (dt.date(2024, 10, 1), "2024-25 Q3"),
        (dt.date(2025, 1, 1), "2024-25 Q4"),
        (dt.date(2000, 1, 1), "1999-00 Q4"),
    ],
)
def test_quarter_labels(start, label):
    assert formatting.quarter_label(start) == label


def test_shift_months():
    assert formatting.shift_months(dt.date(2025, 1, 1), -3) == dt.date(2024, 10, 1)
    assert formatting.shift_months(dt.date(2024, 10, 1), -12) == dt.date(2023, 10, 1)
    assert formatting.shift_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
