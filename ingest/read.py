"""Turn a file's bytes into a header and rows of text, or say exactly why the file cannot be read."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass


class FileRejected(Exception):
    """The whole file is unusable. `rule` names the check; the message names file, row and column."""

    def __init__(self, rule: str, message: str, column: str | None = None, rows_read: int = 0):
        super().__init__(message)
        self.rule = rule
        self.column = column
        self.rows_read = rows_read


@dataclass
class CsvText:
    encoding: str
    header: list[str]
    rows: list[list[str]]  # data rows, blank lines dropped
    row_numbers: list[int]  # 1-based data-row number of each row (header excluded, blank lines counted out)


# Free-text fields in case-management exports can be long; the csv module's default limit (128 KiB) is not.
csv.field_size_limit(64 * 1024 * 1024)


def decode(data: bytes, file_name: str) -> tuple[str, str]:
    """UTF-8 (with or without a byte-order mark) first, then Windows-1252, as councils' systems export;
    UTF-16 when it carries a byte-order mark (Excel's "Unicode text")."""
    if not data.strip():
        raise FileRejected("empty_file", f"{file_name}: the file is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileRejected("encoding", f"{file_name}: byte {exc.start} is not valid UTF-16") from exc
    if b"\x00" in data[:65536]:
        raise FileRejected("not_text", f"{file_name}: not a CSV text file (binary content)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise FileRejected(
            "encoding", f"{file_name}: byte {exc.start} is neither UTF-8 nor Windows-1252 text"
        ) from exc


def read_csv_text(data: bytes, file_name: str) -> CsvText:
    text, encoding = decode(data, file_name)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header: list[str] | None = None
        width = 0
        rows: list[list[str]] = []
        numbers: list[int] = []
        n = 0
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue  # blank line (commonly the last one)
            if header is None:
                header = [f.strip().lstrip("\ufeff") for f in fields]
                # Spreadsheet exports often end the header with empty cells: they are not columns.
                while header and not header[-1]:
                    header.pop()
                width = len(header)
                continue
            n += 1
            # ...and pad data rows with empty trailing fields to match: drop those too.
            while len(fields) > width and not fields[-1].strip():
                fields.pop()
            rows.append(fields)
            numbers.append(n)
    except csv.Error as exc:
        raise FileRejected(
            "csv_syntax", f"{file_name} line {reader.line_num}: not valid CSV ({exc})", rows_read=n
        ) from exc
    if header is None:
        raise FileRejected("empty_file", f"{file_name}: the file has no header row")
    if len(header) < 2:
        raise FileRejected(
            "not_csv", f"{file_name} row 0 (header): one column only ({header[0][:40]!r}): not a CSV file"
        )
    return CsvText(encoding, header, rows, numbers)
