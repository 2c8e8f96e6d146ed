"""CSV downloads (app/downloads.py): cells a spreadsheet could run as a formula get a leading quote, including the
full-width look-alikes; everything else is left as it is. (tests/test_app_disclosure.py checks a few cells too.)"""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest

from app import downloads

TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_trigger_gets_a_leading_quote(trigger):
    cell = f"{trigger}SUM(A1:A9)"
    assert downloads.csv_safe(cell) == "'" + cell
    assert downloads.csv_safe(trigger) == "'" + trigger


def test_the_full_width_look_alikes_are_the_ones_meant():
    assert [hex(ord(c)) for c in TRIGGERS[6:]] == ["0xff1d", "0xff0b", "0xff0d", "0xff20"]
    assert set(TRIGGERS) == set(downloads.FORMULA_TRIGGERS)


@pytest.mark.parametrize(
    "cell",
    [
        "fewer than 5",
        "24.6%",
        "",
        "North – Team A",  # an en dash is not a minus
        "−3",  # nor is the minus sign U+2212 (Excel does not read it as a formula)
        " =1+1",  # a leading space: text
        "a=b",
        "'=already quoted",
        "\n=1",
        "ｅｑｕａｌｓ",
    ],
)
def test_other_cells_are_left_alone(cell):
    assert downloads.csv_safe(cell) == cell


@pytest.mark.parametrize(("value", "text"), [(None, ""), (-3, "'-3"), (3, "3"), (-0.5, "'-0.5"), (True, "True")])
def test_values_that_are_not_text(value, text):
    assert downloads.csv_safe(value) == text


def test_the_csv_quotes_cells_and_headers_and_keeps_the_rest():
    df = pl.DataFrame(
        {
            "＝header": ["＝1+1", "＋44", "－1", "＠x", "\r=1", "\t=1", "plain, with a comma", 'say "hi"'],
            "n": ["1", "2", "3", "4", "5", "6", "7", "8"],
        }
    )
    raw = downloads.to_csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark for Excel
    text = raw.decode("utf-8-sig")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["'＝header", "n"]
    assert [r[0] for r in rows[1:]] == [
        "'＝1+1",
        "'＋44",
        "'－1",
        "'＠x",
        "'\r=1",
        "'\t=1",
        "plain, with a comma",
        'say "hi"',
    ]
    for row in rows:
        for value in row:
            assert not value.startswith(downloads.FORMULA_TRIGGERS), value
