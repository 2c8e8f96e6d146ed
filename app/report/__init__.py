"""The annual QA review report (docs/contracts.md, "Annual QA review report").

    write_report("845", "2024-25", Path("data/reports"), ["pdf", "html"])  # -> the paths written
    render("845", "2024-25", "pdf")                                         # -> the PDF's bytes

`document` builds the plain document model from the warehouse (the only part that reads data); `charts` turns its
Altair charts into SVG and PNG offline; `html` and `pdf` lay it out. Raises `ReportError` (UnknownAuthority,
UnknownYear) with a plain-English message when the warehouse has no year figures for what was asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from app.report.document import (
    Document,
    ReportError,
    UnknownAuthority,
    UnknownYear,
    build_document,
    file_stem,
    parse_year,
)

FORMATS = ("pdf", "html")
MIME_TYPES = {"pdf": "application/pdf", "html": "text/html"}

__all__ = [
    "FORMATS",
    "MIME_TYPES",
    "Document",
    "ReportError",
    "UnknownAuthority",
    "UnknownYear",
    "build_document",
    "file_name",
    "parse_year",
    "render",
    "render_document",
    "write_report",
]


def file_name(la_code: str, year: str, fmt: str) -> str:
    """qa-annual-review-845-2024-25.pdf"""
    return f"{file_stem(la_code, year)}.{fmt}"


def _check(formats: Iterable[str]) -> list[str]:
    chosen = [f.strip().lower() for f in formats if f and f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"formats must be among {', '.join(FORMATS)}; got {', '.join(unknown) or 'none'}")
    return list(dict.fromkeys(chosen))


def render_document(doc: Document, fmt: str) -> bytes:
    """An already built document in one format ("pdf" or "html")."""
    (fmt,) = _check([fmt])
    if fmt == "pdf":
        from app.report.pdf import render_pdf

        return render_pdf(doc)
    from app.report.html import render_html_bytes

    return render_html_bytes(doc)


def render(la_code: str, year: str, fmt: str) -> bytes:
    """The report for the authority and financial year ("2024-25") in one format, read from the served warehouse
    and the commentary store."""
    return render_document(build_document(la_code, year), fmt)


def write_report(la_code: str, year: str, out_dir: Path | str, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Build the report once and write it in each format to `out_dir` (created if need be); the paths written.

    Each file is written beside its final name and renamed into place, so a reader never sees half a report."""
    chosen = _check(formats)
    out = Path(out_dir)
    # Check the folder before the minute spent building the document.
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot write to {out}: {exc.strerror or exc}") from None
    doc = build_document(la_code, year)
    written = []
    for fmt in chosen:
        path = out / file_name(la_code, year, fmt)
        partial = path.with_name(f".{path.name}.partial")
        try:
            partial.write_bytes(render_document(doc, fmt))
            partial.replace(path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written
