"""CSV downloads: the same table the page shows, made safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return) can be run as a formula by
Excel and friends ("CSV injection"), so such cells get a leading single quote; so do cells starting with the
full-width look-alikes `＝ ＋ － ＠`, which some spreadsheets (and East Asian input settings) also turn into
formulas. Tables handed to this module have already been through `app.disclosure`, so downloads obey the same
small-number rules as the screen. Every download button is written to the access log (`app.layout`).

The app offers CSV, PDF and HTML downloads only: no page offers XLSX. An XLSX download would need the same care:
write every cell as a string (openpyxl's `data_type = "s"`), never a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import polars as pl

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # then ＝ ＋ － ＠


def csv_safe(value: Any) -> str:
    """One cell as text that a spreadsheet will not treat as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    """The table as UTF-8 CSV (with a byte-order mark, so Excel reads the en dashes correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(c) for c in df.columns])
    for row in df.iter_rows():
        writer.writerow([csv_safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def file_name(*parts: str) -> str:
    """A tidy file name from page, authority and period: ("cpp", "845", "2024-25 Q3") -> cpp_845_2024-25_Q3.csv."""
    cleaned = []
    for part in parts:
        keep = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(part).strip())
        cleaned.append(keep.strip("_"))
    return "_".join(p for p in cleaned if p) + ".csv"
