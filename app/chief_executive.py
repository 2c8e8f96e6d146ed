"""Pure logic for the Chief Executive quarterly review (no Streamlit, no SQL), so it can be unit tested.

QA framework task 1.6: the Chief Executive's quarterly performance review. One screen per financial quarter
across every domain in the Chief Executive's pack (`audience_packs`, audience 'chief_executive', grain
'quarter', org_level 'la'). Nothing here names a domain or an indicator: domains come from the pack rows
(`domain_name`, `domain_order`), indicators from the pack (`sort_order`), so a new domain or indicator in the
seeds appears without a code change.

`Review(rows, quarter)` takes the pack rows of the quarter, the quarter before and the same quarter a year
before, and gives the sections (one per domain), their summary sentences (`app.narrative`), "what is red",
"what moved most" and each section's table as text cells, exactly as shown and downloaded.

Small numbers follow `app.disclosure` through `narrative.Reading`: a hidden value (a children's count of 0-4,
or a percentage or rate on one) is shown in the disclosure module's words, and its status against target and
its changes with it. The earlier quarters' own numerators and denominators are read from their rows, so a
change *to* a hidden earlier percentage is not shown either; when an earlier quarter's row is missing from the
pack, a children's percentage or rate from then cannot be checked and is not shown. Staff figures
(`disclosure.STAFF_DOMAINS`) are shown in full.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from app import disclosure, formatting, narrative
from app.indicators import RAG_TEXT, Quarter

Row = dict[str, Any]

AUDIENCE = "chief_executive"
GRAIN = "quarter"
ORG_LEVEL = "la"
RAG_EMOJI = {"green": "🟢", "amber": "🟠", "red": "🔴"}
MOVED_MOST = 5
SUMMARY_SENTENCES = 4
NO_TARGET = ""

_QUARTER_PATTERN = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2})[\s_+-]*Q([1-4])$", re.IGNORECASE)


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# --- quarters ----------------------------------------------------------------------------------------------


def match_quarter(raw: str | None, labels: Sequence[str]) -> str | None:
    """The label among `labels` that `raw` names ("2024-25 Q3", "2024-25+Q3", "2024/25 q3"), else None.

    `raw` is untrusted (it comes from the web address): anything that is not a quarter label gives None."""
    if raw is None:
        return None
    m = _QUARTER_PATTERN.match(" ".join(str(raw).split()))
    if not m:
        return None
    wanted = f"{m.group(1)}-{m.group(2)} Q{m.group(3)}"
    return wanted if wanted in labels else None


def quarters_from_frame(df: pl.DataFrame) -> list[Quarter]:
    """Quarters from `data.pack_periods` (period_label, period_start, period_end), newest first."""
    return [Quarter(r["period_label"], r["period_start"], r["period_end"]) for r in df.to_dicts()]


def earlier_starts(quarter: Quarter) -> tuple[dt.date, dt.date, dt.date]:
    """The period starts whose rows a review needs: the quarter, the one before, the same one a year before."""
    return (quarter.start, quarter.previous_start, quarter.year_ago_start)


# --- domains -----------------------------------------------------------------------------------------------


def fallback_domain_name(domain: str | None) -> str:
    """A domain missing from `indicator_domains`: its id with underscores as spaces and a capital letter
    (docs/contracts.md): "early_help" -> "Early help"."""
    text = " ".join(str(domain or "").replace("_", " ").split())
    return text[:1].upper() + text[1:] if text else "Other measures"


# --- one indicator -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One indicator of a section: its reading for the quarter and the rows it came from."""

    reading: narrative.Reading
    row: Row
    previous: Row | None
    year_ago: Row | None
    previous_unverified: bool = False  # an earlier percentage indicator_values has but whose row is missing
    year_ago_unverified: bool = False

    @property
    def indicator_id(self) -> str:
        return self.reading.indicator_id

    @property
    def name(self) -> str:
        return self.reading.name


def _value(row: Row | None, column: str) -> Any:
    if row is None:
        return None
    value = row.get(column)
    return None if _missing(value) else value


def make_line(row: Row, previous: Row | None, year_ago: Row | None) -> Line:
    """A line from the quarter's pack row and (when the pack has them) the earlier quarters' rows.

    The earlier values are the row's own `previous_value` / `year_ago_value` (indicator_values' figures),
    falling back to the earlier row's value; the earlier numerator and denominator come from the earlier rows.
    A children's percentage or rate whose earlier row is missing cannot be checked for small numbers, so its
    earlier value is left out of the reading (no change is described) and the table says it is suppressed."""
    record = dict(row)
    domain = str(record.get("domain") or "")
    unit = str(record.get("unit") or "count")
    checkable = unit == "count" or domain in disclosure.STAFF_DOMAINS
    unverified = {}
    for prefix, earlier in (("previous", previous), ("year_ago", year_ago)):
        value = _value(row, f"{prefix}_value")
        if value is None:
            value = _value(earlier, "value")
        unverified[prefix] = value is not None and earlier is None and not checkable
        record[f"{prefix}_value"] = None if unverified[prefix] else value
        record[f"{prefix}_numerator"] = _value(earlier, "numerator")
        record[f"{prefix}_denominator"] = _value(earlier, "denominator")
    return Line(
        reading=narrative.Reading.from_row(record),
        row=row,
        previous=previous,
        year_ago=year_ago,
        previous_unverified=unverified["previous"],
        year_ago_unverified=unverified["year_ago"],
    )


# --- cell text ---------------------------------------------------------------------------------------------


def _hidden_word(unit: str) -> str:
    return disclosure.FEWER_THAN_5 if unit == "count" else disclosure.SUPPRESSED


def value_text(reading: narrative.Reading) -> str:
    """The quarter's figure as it may be shown."""
    if reading.value is None:
        return formatting.NOT_AVAILABLE
    if reading.hidden:
        return _hidden_word(reading.unit)
    return formatting.by_unit(reading.unit, reading.value)


def earlier_text(line: Line, which: str) -> str:
    """The previous quarter's (`which` = "previous") or the year-ago quarter's figure as it may be shown."""
    r = line.reading
    if getattr(line, f"{which}_unverified"):
        return disclosure.SUPPRESSED
    value = getattr(r, f"{which}_value")
    if value is None:
        return formatting.NOT_AVAILABLE
    if getattr(r, f"{which}_hidden"):
        return _hidden_word(r.unit)
    return formatting.by_unit(r.unit, value)


def change_text(line: Line, which: str, label: str) -> str:
    """"up 2.3 points", "down 12 (8%)", "unchanged"; the disclosure words when either figure is hidden; '' when
    either is missing."""
    r = line.reading
    before = getattr(r, f"{which}_value")
    if getattr(line, f"{which}_unverified"):
        return disclosure.NOT_SHOWN if r.value is not None else ""
    if r.value is None or before is None:
        return ""
    if r.hidden or getattr(r, f"{which}_hidden"):
        return disclosure.NOT_SHOWN
    phrase = narrative.change_phrase(r.unit, r.value, before, label) or ""
    return phrase.removesuffix(f" on {label}")


def rag_text(reading: narrative.Reading) -> str:
    """"🔴 Off target" and friends; the disclosure words beside a hidden value; '' with no status."""
    if reading.rag not in RAG_TEXT:
        return ""
    if reading.hidden:
        return disclosure.NOT_SHOWN
    return f"{RAG_EMOJI[reading.rag]} {RAG_TEXT[reading.rag]}"


def published_text(unit: str, value: float | None) -> str:
    """A target or a published comparator (not this authority's count of children: never suppressed)."""
    return "" if value is None else formatting.by_unit(unit, value)


def neighbours_text(reading: narrative.Reading) -> str:
    if reading.sn_value is None:
        return ""
    text = formatting.by_unit(reading.unit, reading.sn_value)
    return f"{text} (mean of {reading.sn_count})" if reading.sn_count else text


def region_text(reading: narrative.Reading) -> str:
    if reading.region_value is None:
        return ""
    text = formatting.by_unit(reading.unit, reading.region_value)
    return f"{text} ({reading.region_name})" if reading.region_name else text


def benchmark_text(line: Line) -> str:
    """Which published figures the comparators are ("2023-24", or "30 September 2024" for the workforce census),
    '' when there are none."""
    r = line.reading
    if r.england_value is None and r.sn_value is None and r.region_value is None:
        return ""
    year = line.row.get("benchmark_year")
    return "" if _missing(year) else formatting.comparator_year(int(year), line.row.get("benchmark_series"))


def table_columns(quarter: Quarter) -> list[str]:
    return [
        "Indicator",
        quarter.label,
        "Target",
        "Against target",
        f"{quarter.previous_label} (previous quarter)",
        f"Change since {quarter.previous_label}",
        f"{quarter.year_ago_label} (same quarter last year)",
        f"Change since {quarter.year_ago_label}",
        "England",
        "Statistical neighbours",
        "Region",
        "Comparators published for",
    ]


def table_cells(line: Line, quarter: Quarter) -> list[str]:
    r = line.reading
    return [
        r.name,
        value_text(r),
        published_text(r.unit, r.target),
        rag_text(r),
        earlier_text(line, "previous"),
        change_text(line, "previous", quarter.previous_label),
        earlier_text(line, "year_ago"),
        change_text(line, "year_ago", quarter.year_ago_label),
        published_text(r.unit, r.england_value),
        neighbours_text(r),
        region_text(r),
        benchmark_text(line),
    ]


# --- sections and the review -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One domain: its name, its place and its indicators in the pack's order."""

    domain: str
    name: str
    order: float | None
    lines: tuple[Line, ...]

    @property
    def readings(self) -> list[narrative.Reading]:
        return [line.reading for line in self.lines]


def _sort_number(x: Any) -> float:
    return math.inf if _missing(x) else float(x)


class Review:
    """The Chief Executive's quarterly review of one authority, from its pack rows.

    `rows` holds pack rows (dicts or a frame with `data.PACK_COLUMNS`) of the quarter and, when the pack has
    them, of the quarter before and the same quarter a year before. Sections are the domains with figures in
    the quarter, by `domain_order` (a domain without one after those with one), then `domain`; lines by
    `sort_order` (missing last), then indicator id.
    """

    def __init__(self, rows: pl.DataFrame | Iterable[Mapping[str, Any]], quarter: Quarter) -> None:
        self.quarter = quarter
        records = rows.to_dicts() if isinstance(rows, pl.DataFrame) else [dict(r) for r in rows]
        by_key: dict[tuple[str, dt.date], Row] = {}
        for r in records:
            by_key.setdefault((r["indicator_id"], r["period_start"]), r)
        current = [r for (_, start), r in by_key.items() if start == quarter.start]
        current.sort(key=lambda r: (_sort_number(r.get("sort_order")), r["indicator_id"]))

        domains: dict[str, dict[str, Any]] = {}
        for r in current:
            domain = str(r.get("domain") or "")
            entry = domains.setdefault(domain, {"name": None, "order": None, "lines": []})
            if entry["name"] is None and not _missing(r.get("domain_name")) and str(r["domain_name"]).strip():
                entry["name"] = str(r["domain_name"]).strip()
            if entry["order"] is None and not _missing(r.get("domain_order")):
                entry["order"] = float(r["domain_order"])
            entry["lines"].append(
                make_line(
                    r,
                    by_key.get((r["indicator_id"], quarter.previous_start)),
                    by_key.get((r["indicator_id"], quarter.year_ago_start)),
                )
            )
        self.sections = [
            Section(domain, entry["name"] or fallback_domain_name(domain), entry["order"], tuple(entry["lines"]))
            for domain, entry in sorted(domains.items(), key=lambda kv: (_sort_number(kv[1]["order"]), kv[0]))
        ]
        self._domain_names = {s.domain: s.name for s in self.sections}

    # --- what the page shows ---

    @property
    def lines(self) -> list[Line]:
        return [line for s in self.sections for line in s.lines]

    @property
    def readings(self) -> list[narrative.Reading]:
        return [line.reading for line in self.lines]

    def domain_name(self, reading: narrative.Reading) -> str:
        return self._domain_names.get(reading.domain) or fallback_domain_name(reading.domain)

    def sentence(self, reading: narrative.Reading) -> str:
        return narrative.sentence(reading, self.quarter.previous_label)

    def summary(self, section: Section) -> list[str]:
        """The section's plain-English summary: red first, then what moved most, then the rest."""
        return narrative.domain_summary(section.readings, self.quarter.previous_label, limit=SUMMARY_SENTENCES)

    def red(self) -> list[tuple[str, str]]:
        """(domain name, sentence) of every indicator off target whose figure may be shown, in page order."""
        return [(self.domain_name(r), self.sentence(r)) for r in narrative.red(self.readings)]

    def moved_most(self, n: int = MOVED_MOST) -> list[tuple[str, str]]:
        """(domain name, sentence) of the indicators that moved most since the previous quarter."""
        return [(self.domain_name(r), self.sentence(r)) for r in narrative.moved_most(self.readings, n)]

    def table(self, section: Section) -> pl.DataFrame:
        """The section's table, every cell text, as shown and downloaded."""
        columns = table_columns(self.quarter)
        rows = [dict(zip(columns, table_cells(line, self.quarter), strict=True)) for line in section.lines]
        return pl.DataFrame(rows, schema={c: pl.String for c in columns})

    def indicator_choices(self) -> list[tuple[str, str]]:
        """(indicator_id, "Domain: indicator name") of every indicator on the page, in page order."""
        return [(line.indicator_id, f"{s.name}: {line.name}") for s in self.sections for line in s.lines]


# --- commentary --------------------------------------------------------------------------------------------


def comment_byline(row: Mapping[str, Any]) -> str:
    """"Jo Bloggs, 6 January 2025 at 08:00 UTC" for a commentary row (plain text: escape it for Markdown)."""
    when = row.get("written_at")
    try:
        stamp = dt.datetime.fromisoformat(str(when))
    except ValueError:
        stamp = None
    if stamp is not None and stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC)
    written = f"{formatting.date_time(stamp)} UTC" if stamp is not None else "at an unknown time"
    return f"{row.get('author') or 'unknown author'}, {written}"
