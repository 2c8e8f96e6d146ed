"""The annual QA review as a plain document model, built from the warehouse for one authority and financial year.

The document follows the seed's 2012/13 annual review to Scrutiny (`data/seed/qa_framework_2012-13.txt`): a
cover block (committee, date, title, by, purpose, recommendation), then

* headline measures: the year values of the indicators the Chief Executive's quarterly reviews follow (those
  whose `qa_task_ids` include task 1.6), by domain;
* 1 purpose of the framework; 2 method and sources (every loaded source with its rows and as-at date, and the QA
  schedule's delivery for the year); 3 findings by area of the framework (Part 1 responsibilities and reporting;
  Part 2 service provision; Part 3 individual work review; Part 4 monitoring the system, which also takes any
  domain not placed elsewhere); 4 audit themes; 5 complaints learning; 6 workforce; 7 areas for development;
  an appendix with every year indicator.

Every number comes from the warehouse through `app.data`; domains come from the catalogue (named by the
`indicator_domains` seed where it lists them), so a new domain appears without a code change. Children's figures
follow `app.disclosure` (a count of 0-4 is "fewer than 5", a ratio on one is suppressed, and what is derived from a
hidden value goes with it); staff figures (`disclosure.STAFF_DOMAINS`) are shown in full. A section whose data is
missing says so in a sentence.

The model is plain: sections of paragraphs, bullet lists, sub-headings, tables of text and Altair charts. The HTML
and PDF renderers (`app.report.html`, `app.report.pdf`) only lay it out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from app import audits, complaints, data, disclosure, formatting, narrative, placements, qa, workforce
from app.indicators import Catalogue, Values
from app.report import charts

Row = dict[str, Any]

COMMITTEE = "Children's Services Scrutiny Committee"
BY = "Director of Children's Services"
HEADLINE_TASK = "1.6"
NOT_AVAILABLE = formatting.NOT_AVAILABLE
LIST_LIMIT = 15  # rows of a long list (learning actions, late reports) before "and N more"

SECTION_TITLES = {
    "headline": "Headline measures",
    "1": "Purpose of the quality assurance framework",
    "2": "Method and sources",
    "3": "Findings by area of the framework",
    "4": "Audit themes",
    "5": "Complaints learning",
    "6": "Workforce",
    "7": "Areas for development",
    "appendix": "Appendix: every measure for the year",
}
PART_TITLES = {
    1: "Part 1: Responsibilities and reporting",
    2: "Part 2: Service provision",
    3: "Part 3: Individual work review",
    4: "Part 4: Monitoring and auditing of the system",
}
# Where each domain is reported in section 3. A domain in the catalogue but not here goes to Part 4, after these.
PART_DOMAINS: dict[int, tuple[str, ...]] = {
    2: ("children_looked_after", "children_in_need", "child_protection"),
    3: ("audit",),
    4: ("complaints", "workforce"),
}
# Breakdowns read as tables in their own sections, not as findings sentences.
BREAKDOWN_GROUPS = frozenset(
    {"placement_type_mix", "placement_provider_mix", audits.GRADE_GROUP, audits.THEME_GROUP, complaints.NATURE_GROUP}
)
DATASET_NAMES = {
    "ssda903": "SSDA903 children looked after return",
    "annex_a": "Ofsted Annex A lists",
    "cin_census": "Children in need census",
    "csww": "Children's social work workforce census",
    "hr": "Monthly HR extract",
    "complaints": "Complaints and compliments register",
    "qa_activity": "QA activity log",
    "audits": "Case-file audits",
    "reference": "Reference data",
}
FRAMEWORK_PURPOSES = (
    "improve outcomes for vulnerable children;",
    "design quality into our services through the introduction of practice standards;",
    "ensure services are achieving consistently high standards;",
    "engender an organisational culture committed to learning and continual improvement;",
    "improve the level of feedback on quality of service from children, their families and staff; and",
    "support the continuous improvement and development of the children's workforce.",
)


# --- the model ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # "body", "note" (smaller, for caveats) or "lead" (the recommendation)


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Subheading:
    text: str


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    widths: tuple[float, ...] = ()  # column widths in cm on an A4 page (17 cm wide), scaled to fit; empty: even
    numeric: tuple[int, ...] = ()  # columns aligned right


@dataclass(frozen=True)
class Chart:
    chart: Any  # an Altair chart (see app.report.charts)
    title: str
    description: str  # what it shows, for screen readers and as its caption


Block = Paragraph | Bullets | Subheading | Table | Chart


@dataclass
class Section:
    key: str  # "headline", "1" ... "7", "appendix"
    title: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.key if self.key.isdigit() else ""

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"


@dataclass
class Document:
    title: str
    la_code: str
    la_name: str
    year: str
    cover: list[tuple[str, str]]
    recommendation: str
    sections: list[Section]
    author: str
    subject: str
    generated_on: dt.date
    build_id: str | None = None
    built_at: dt.datetime | None = None
    synthetic: bool = False
    notices: list[str] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        return file_stem(self.la_code, self.year)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def file_stem(la_code: str, year: str) -> str:
    return f"qa-annual-review-{la_code}-{year}"


# --- errors ------------------------------------------------------------------------------------------------------


class ReportError(Exception):
    """The report cannot be made for what was asked (the message says why, in plain English)."""


class UnknownYear(ReportError):
    def __init__(self, year: str, available: Sequence[str], la_code: str) -> None:
        self.year, self.available, self.la_code = year, list(available), la_code
        years = ", ".join(self.available) if self.available else "none"
        super().__init__(
            f"the warehouse holds no year figures for {year} for authority {la_code}; years available: {years}"
        )


class UnknownAuthority(ReportError):
    def __init__(self, la_code: str, available: Sequence[str]) -> None:
        self.la_code, self.available = la_code, list(available)
        codes = ", ".join(self.available) if self.available else "none"
        super().__init__(f"the warehouse holds no year figures for authority {la_code}; authorities: {codes}")


_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def parse_year(text: str) -> int:
    """"2024-25" -> 2024 (the year the financial year starts); ValueError for anything else."""
    match = _YEAR.match(str(text).strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{text!r} is not a financial year written like 2024-25")
    return int(match.group(1))


def year_bounds(year: str) -> tuple[dt.date, dt.date]:
    start = parse_year(year)
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)


def previous_year(year: str) -> str:
    return formatting.financial_year(parse_year(year) - 1)


def next_year(year: str) -> str:
    return formatting.financial_year(parse_year(year) + 1)


def year_quarters(year: str) -> list[tuple[str, dt.date]]:
    """(label, start) of the year's four quarters: 2024-25 Q1 (April) to Q4 (January)."""
    start, _ = year_bounds(year)
    return [(f"{year} Q{q}", formatting.shift_months(start, 3 * (q - 1))) for q in range(1, 5)]


# --- reading values as they may be shown ---------------------------------------------------------------------


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def humanise(code: str) -> str:
    """"early_help" -> "Early help"."""
    words = str(code).replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else str(code)


def split_ids(value: Any) -> list[str]:
    return [p.strip() for p in re.split(r"[;,]", str(value or "")) if p.strip()]


def value_text(r: narrative.Reading) -> str:
    """This period's value as the app shows it: staff figures in full, children's through `app.disclosure`."""
    if r.value is None:
        return NOT_AVAILABLE
    if r.in_full:
        return formatting.by_unit(r.unit, r.value)
    return disclosure.value_text(r.unit, r.value, r.numerator, r.denominator)


def previous_text(r: narrative.Reading) -> str:
    """Last year's value: hidden by the same rules as this year's (a small count is "fewer than 5")."""
    if r.previous_value is None:
        return NOT_AVAILABLE
    if r.in_full:
        return formatting.by_unit(r.unit, r.previous_value)
    if r.unit == "count":
        return disclosure.count_text(r.previous_value)
    if r.previous_hidden:
        return disclosure.SUPPRESSED
    return disclosure.value_text(r.unit, r.previous_value, None, None)


def target_text(r: narrative.Reading) -> str:
    return formatting.by_unit(r.unit, r.target) if r.target is not None else ""


def rag_text(r: narrative.Reading) -> str:
    """Where the value stands against its target; "" without a status, hidden with a hidden value."""
    return disclosure.rag_text(r.rag, r.hidden) if r.value is not None and r.rag else ""


def published_text(unit: str, value: Any) -> str:
    """A published comparator (England, the neighbours' average): never suppressed."""
    return "" if _missing(value) else formatting.by_unit(unit, float(value))


# --- breakdowns: secondary suppression -------------------------------------------------------------------------


def _nature_items(catalogue: Sequence[Row]) -> list[tuple[str, str]]:
    out = []
    for ind in catalogue:
        if ind.get("indicator_group") != complaints.NATURE_GROUP:
            continue
        code = ind["indicator_id"].removeprefix(complaints.NATURE_PREFIX).removesuffix(complaints.NATURE_SUFFIX)
        out.append((ind["indicator_id"], ind.get("breakdown_label") or humanise(code)))
    return out


def _count_of(row: Row | None) -> float | None:
    if row is None:
        return None
    value = row.get("value")
    return None if _missing(value) else float(value)


def breakdown_masks(catalogue: pl.DataFrame, rows: Mapping[str, Row]) -> dict[str, str]:
    """The text of every breakdown cell (placement types and providers, complaint natures, audit grades) for one
    year, with secondary suppression: where parts add up to a total that is shown, a hidden part could be worked
    out by subtraction, so the next smallest part is hidden too (`disclosure.protect_breakdown`). Placements use
    `app.placements.snapshot`, as the Corporate Parenting page does, so both hide the same cells."""
    masks: dict[str, str] = {}
    if catalogue.is_empty():
        return masks
    cat = Catalogue(catalogue)
    year_rows = [{**r, "period_grain": "quarter"} for r in rows.values()]
    if year_rows:
        values = Values(pl.DataFrame(year_rows, infer_schema_length=None))
        start = year_rows[0]["period_start"]
        for group, prefix, categorise in (
            (placements.PLACEMENT_TYPE_GROUP, placements.PLACEMENT_TYPE_PREFIX, False),
            (placements.PROVIDER_GROUP, placements.PROVIDER_PREFIX, True),
        ):
            items = placements.breakdown_items(cat, group, prefix, categorise=categorise)
            if not items:
                continue
            snap = placements.snapshot(items, values, start)
            for item in items:
                if item.count is not None:
                    masks[item.count.indicator_id] = snap.count_text(item.slug)
                if item.pct is not None:
                    masks[item.pct.indicator_id] = snap.pct_text(item.slug)
    catalogue_rows = catalogue.to_dicts()
    # Complaint natures add up to the stage 1 complaints received.
    natures = {i: _count_of(rows.get(i)) for i, _ in _nature_items(catalogue_rows)}
    if natures:
        cells: dict[str, float | None] = dict(natures)
        constraints = []
        total = _count_of(rows.get(complaints.RECEIVED[1]))
        if total is not None:
            cells["__total__"] = total
            constraints.append(("__total__", list(natures)))
        hidden = disclosure.protect_breakdown(cells, constraints)
        masks.update({i: disclosure.masked_count_text(v, i in hidden) for i, v in natures.items()})
    # Audit grades, as the Audits page protects them for the authority (`audits.GradeMix`): they add up to the
    # audits graded (always shown), outstanding and good to "good or better" (shown through its percentage), and
    # good or better, requires improvement and inadequate to the audits graded again.
    if all(i in cat for i in audits.GRADE_IDS.values()) and any(i in rows for i in audits.GRADE_IDS.values()):
        grades = {g: _count_of(rows.get(i)) if i in rows else 0.0 for g, i in audits.GRADE_IDS.items()}
        total = None if None in grades.values() else sum(grades.values())  # type: ignore[arg-type]
        pair = (grades["outstanding"], grades["good"])
        cells = {
            **grades,
            "__total__": _ALWAYS_SHOWN if total is not None else None,
            "__good_or_better__": None if None in pair else sum(pair),  # type: ignore[arg-type]
        }
        constraints = [
            ("__total__", list(audits.GRADES)),
            ("__good_or_better__", ["outstanding", "good"]),
            ("__total__", ["__good_or_better__", "requires_improvement", "inadequate"]),
        ]
        hidden = disclosure.protect_breakdown(cells, constraints)
        masks.update({audits.GRADE_IDS[g]: disclosure.masked_count_text(v, g in hidden) for g, v in grades.items()})
        masks["__audits_graded__"] = formatting.count(total) if total is not None else NOT_AVAILABLE
        if "__good_or_better__" in hidden and audits.GOOD_OR_BETTER in rows:
            masks[audits.GOOD_OR_BETTER] = disclosure.SUPPRESSED
    return masks


_ALWAYS_SHOWN = 1e12  # stands in for a total shown in full, so protection never picks it
HIDDEN_TEXTS = (disclosure.SUPPRESSED, disclosure.FEWER_THAN_5)


@dataclass(frozen=True)
class MaskedReading(narrative.Reading):
    """A reading whose value (or last year's) is hidden by secondary suppression: `app.narrative` then treats it
    as it treats a small number (no value, no change, no status)."""

    mask_now: bool = False
    mask_before: bool = False

    @property
    def hidden(self) -> bool:
        return self.mask_now or bool(narrative.Reading.hidden.fget(self))  # type: ignore[attr-defined]

    @property
    def previous_hidden(self) -> bool:
        return self.mask_before or bool(narrative.Reading.previous_hidden.fget(self))  # type: ignore[attr-defined]


def masked(r: narrative.Reading, masks: Mapping[str, str], previous_masks: Mapping[str, str]) -> narrative.Reading:
    now = masks.get(r.indicator_id) in HIDDEN_TEXTS
    before = previous_masks.get(r.indicator_id) in HIDDEN_TEXTS
    if not now and not before:
        return r
    fields = {f: getattr(r, f) for f in r.__dataclass_fields__}
    return MaskedReading(**fields, mask_now=now, mask_before=before)


def quarters_hidden(year_row: Row | None, quarter_rows: Sequence[Row | None], column: str = "value") -> set[int]:
    """Which of the year's quarters must be hidden when `column` (a count, or a share's numerator) of the four
    quarters adds up to the year's, which is shown: a hidden quarter could be worked out by subtraction, so the next
    smallest goes with it (`disclosure.protect_breakdown`). Indexes 0-3."""
    cells: dict[str, float | None] = {}
    for n, row in enumerate(quarter_rows):
        if row is not None:
            cells[str(n)] = _number(row.get(column))
    constraints = []
    total = _number(year_row.get(column)) if year_row else None
    parts = list(cells.values())
    if total is not None and len(parts) == 4 and None not in parts and abs(sum(parts) - total) < 0.5:  # type: ignore[arg-type]
        cells["year"] = total
        constraints.append(("year", [str(n) for n in range(4)]))
    return {int(k) for k in disclosure.protect_breakdown(cells, constraints) if k != "year"}


def _number(x: Any) -> float | None:
    return None if _missing(x) else float(x)


# --- the domains --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Domain:
    domain: str
    name: str
    description: str = ""


def domains_in_order(catalogue: Sequence[Row], seed: Sequence[Row]) -> list[Domain]:
    """Every domain in the catalogue: those the seed lists in its order, then the rest in catalogue order, named
    from their ids."""
    listed = {r["domain"]: r for r in seed if r.get("domain")}
    present = list(dict.fromkeys(str(r["domain"]) for r in catalogue if r.get("domain")))
    known = sorted(
        (d for d in present if d in listed),
        key=lambda d: (_missing(listed[d].get("sort_order")), listed[d].get("sort_order") or 0, d),
    )
    out = [Domain(d, str(listed[d].get("domain_name") or humanise(d)), str(listed[d].get("description") or ""))
           for d in known]
    return out + [Domain(d, humanise(d)) for d in present if d not in listed]


def placed_domains(domains: Sequence[Domain]) -> dict[int, list[Domain]]:
    """The domains reported in each part of section 3; Part 4 ends with any domain not placed elsewhere."""
    by_id = {d.domain: d for d in domains}
    placed = {d for ids in PART_DOMAINS.values() for d in ids}
    out = {part: [by_id[d] for d in ids if d in by_id] for part, ids in PART_DOMAINS.items()}
    out[4] += [d for d in domains if d.domain not in placed]
    return out


# --- what the report reads --------------------------------------------------------------------------------------


@dataclass
class Facts:
    """Everything the document is made from, read once."""

    la_code: str
    la_name: str
    year: str
    catalogue: list[Row]
    domains: list[Domain]
    readings: dict[str, narrative.Reading]  # this year's rows, by indicator
    year_rows: dict[str, Row]
    previous_rows: dict[str, Row]
    quarter_rows: dict[tuple[str, dt.date], Row]
    comments: list[Row]
    comment_note: str | None = None
    build: Row | None = None
    sources: pl.DataFrame | None = None
    schedule: pl.DataFrame | None = None
    register: qa.Register | None = None
    org_names: dict[str, str] = field(default_factory=dict)
    census: pl.DataFrame | None = None
    learning: pl.DataFrame | None = None
    complaints_as_at: dt.date | None = None
    masks: dict[str, str] = field(default_factory=dict)  # breakdown cells this year, as they may be shown
    previous_masks: dict[str, str] = field(default_factory=dict)  # and last year

    def value_text(self, r: narrative.Reading) -> str:
        if r.indicator_id in self.masks and r.value is not None:
            return self.masks[r.indicator_id]
        return value_text(r)

    def previous_text(self, r: narrative.Reading) -> str:
        if r.indicator_id in self.previous_masks:
            return self.previous_masks[r.indicator_id]
        return previous_text(r)

    def rag_text(self, r: narrative.Reading) -> str:
        return rag_text(r)  # a reading hidden by secondary suppression is a MaskedReading: its status goes too

    @property
    def previous(self) -> str:
        return previous_year(self.year)

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return year_bounds(self.year)

    @property
    def by_id(self) -> dict[str, Row]:
        return {r["indicator_id"]: r for r in self.catalogue}

    def in_domain(self, domain: str, *, breakdowns: bool = True) -> list[narrative.Reading]:
        """This year's readings of a domain, in catalogue order."""
        out = []
        for ind in self.catalogue:
            if ind.get("domain") != domain or ind["indicator_id"] not in self.readings:
                continue
            if not breakdowns and ind.get("indicator_group") in BREAKDOWN_GROUPS:
                continue
            out.append(self.readings[ind["indicator_id"]])
        return out

    def group(self, indicator_group: str) -> list[Row]:
        return [r for r in self.catalogue if r.get("indicator_group") == indicator_group]


def _has(table: str, columns: Iterable[str], schema: str = "main") -> bool:
    present = set(data.table_columns(table, schema))
    return bool(present) and set(columns) <= present


def read_commentary(la_code: str, first: dt.date, last: dt.date) -> tuple[list[Row], str | None]:
    """The current comments on periods starting in the year, and a note when the store could not be read.

    Reads `app.commentary.current_between`; if that module or function is missing (an older version) or the store
    is unreadable, the report says so instead of failing."""
    try:
        module = importlib.import_module("app.commentary")
        current_between = module.current_between
    except (ImportError, AttributeError):
        return [], "Managers' commentary is not available in this version, so none is included."
    try:
        rows = [dict(r) for r in current_between(la_code, first, last)]
    except Exception as exc:  # noqa: BLE001 - the store is outside the warehouse: any failure becomes a note
        return [], f"Managers' commentary could not be read ({type(exc).__name__}), so none is included."
    return [r for r in rows if str(r.get("body") or "").strip()], None


def commentary_key(comments: Sequence[Row]) -> str:
    """A short fingerprint of the comments, to key cached renderings on the commentary's state."""
    digest = hashlib.sha256()
    for c in comments:
        for column in ("indicator_id", "period_grain", "period_start", "org_level", "org_id", "body", "author",
                       "written_at"):
            digest.update(str(c.get(column)).encode("utf-8", "replace") + b"\x1f")
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


def available_authorities() -> list[Row]:
    """Authorities with year rows: la_code, la_name."""
    return data.report_authorities().to_dicts()


def available_years(la_code: str) -> list[str]:
    """Financial years with year rows for the authority, newest first."""
    return [str(y) for y in data.report_years(la_code)["financial_year"].to_list() if y]


def gather(la_code: str, year: str, *, comments: Sequence[Row] | None = None) -> Facts:
    """Read everything for the report; UnknownAuthority or UnknownYear when the warehouse has no year rows."""
    parse_year(year)
    authorities = available_authorities()
    names = {r["la_code"]: r.get("la_name") for r in authorities}
    if la_code not in names:
        raise UnknownAuthority(la_code, list(names))
    years = available_years(la_code)
    if year not in years:
        raise UnknownYear(year, years, la_code)
    la_name = names[la_code] or f"Authority {la_code}"
    first, last = year_bounds(year)
    previous = previous_year(year)

    catalogue_frame = data.report_catalogue()
    catalogue = catalogue_frame.to_dicts()
    domains = domains_in_order(catalogue, data.report_domains().to_dicts())
    by_id = {r["indicator_id"]: r for r in catalogue}
    year_frame = data.report_values(la_code, "year", [year, previous])
    this_year = {r["indicator_id"]: r for r in year_frame.to_dicts() if r["financial_year"] == year}
    last_year = {r["indicator_id"]: r for r in year_frame.to_dicts() if r["financial_year"] == previous}
    readings = {}
    for indicator_id, row in this_year.items():
        ind = by_id.get(indicator_id, {"indicator_id": indicator_id})
        before = last_year.get(indicator_id, {})
        readings[indicator_id] = narrative.Reading.from_row(
            {
                **ind,
                **row,
                "previous_numerator": before.get("numerator"),
                "previous_denominator": before.get("denominator"),
            }
        )
    quarter_rows = {
        (r["indicator_id"], r["period_start"]): r for r in data.report_values(la_code, "quarter", [year]).to_dicts()
    }
    if comments is None:
        comment_rows, note = read_commentary(la_code, first, last)
    else:
        comment_rows, note = [dict(c) for c in comments if str(c.get("body") or "").strip()], None

    facts = Facts(
        la_code=la_code,
        la_name=la_name,
        year=year,
        catalogue=catalogue,
        domains=domains,
        readings=readings,
        year_rows=this_year,
        previous_rows=last_year,
        quarter_rows=quarter_rows,
        comments=comment_rows,
        comment_note=note,
        masks=breakdown_masks(catalogue_frame, this_year),
        previous_masks=breakdown_masks(catalogue_frame, last_year),
    )
    facts.readings = {i: masked(r, facts.masks, facts.previous_masks) for i, r in facts.readings.items()}
    facts.build = data.build_info() if _has("build_info", ("build_id", "built_at"), "meta") else None
    if _has("loads", ("dataset", "table_name", "rows_loaded", "status"), "meta"):
        facts.sources = data.report_sources(la_code)
    if _has("qa_schedule", ("la_code", "task_number", "due_date", "status")):
        facts.schedule = data.qa_schedule(la_code, first, last)
        if _has("qa_register", ("task_number", "task", "audience_id")):
            roles = data.qa_roles()
            facts.register = qa.Register(data.qa_register(), qa.role_names(roles))
    if _has("org_units", ("la_code", "org_level", "org_id", "org_name")):
        facts.org_names = {r["org_id"]: r["org_name"] for r in data.org_units(la_code).to_dicts() if r["org_name"]}
    if _has("csww_census_indicators", ("la_code", "census_year", "reference_date")):
        census = data.csww_census(la_code)
        facts.census = census.filter(pl.col("reference_date").is_between(first, last))
    if _has("complaints", ("la_code", "learning_action", "learning_action_status", "as_at_date")):
        facts.learning = data.learning_actions(la_code)
        facts.complaints_as_at = data.complaints_as_at(la_code).get("as_at_date")
    return facts


# --- building the document --------------------------------------------------------------------------------------


def build_document(
    la_code: str,
    year: str,
    *,
    comments: Sequence[Row] | None = None,
    generated_on: dt.date | None = None,
) -> Document:
    """The annual review for the authority and financial year ("2024-25"), from the served warehouse.

    `comments` (rows as `app.commentary.current_between` returns them) replaces reading the commentary store."""
    facts = gather(la_code, year, comments=comments)
    return compose(facts, generated_on=generated_on or dt.date.today())


def compose(facts: Facts, *, generated_on: dt.date) -> Document:
    title = f"Quality Assurance in Children's Social Care annual review {facts.year}"
    build = facts.build or {}
    notices = []
    if build.get("synthetic"):
        notices.append("Synthetic demonstration data - not real children.")
    cover = [
        ("Committee", COMMITTEE),
        ("Date", formatting.long_date(generated_on)),
        ("Title of report", f"{title}: {facts.la_name}"),
        ("By", BY),
        (
            "Purpose of report",
            f"To inform Scrutiny Committee Members of the findings from the Quality Assurance in Children's Social "
            f"Care annual review {facts.year}",
        ),
    ]
    recommendation = (
        f"The Committee is recommended to note and comment on the findings from the Quality Assurance in "
        f"Children's Social Care annual review {facts.year}."
    )
    sections = [
        _headline(facts),
        _purpose(facts, build),
        _method(facts),
        _findings(facts),
        _audit_themes(facts),
        _complaints(facts),
        _workforce(facts),
        _development(facts),
        _appendix(facts),
    ]
    return Document(
        title=title,
        la_code=facts.la_code,
        la_name=facts.la_name,
        year=facts.year,
        cover=cover,
        recommendation=recommendation,
        sections=sections,
        author=f"{facts.la_name}: {BY}",
        subject=f"Annual review of quality assurance in children's social care, {facts.la_name}, {facts.year}",
        generated_on=generated_on,
        build_id=build.get("build_id"),
        built_at=build.get("built_at"),
        synthetic=bool(build.get("synthetic")),
        notices=notices,
    )


# --- headline measures ------------------------------------------------------------------------------------------


def headline_ids(facts: Facts) -> list[str]:
    """Indicators whose qa_task_ids include 1.6 and that have a year row, by domain then catalogue order."""
    order = {d.domain: n for n, d in enumerate(facts.domains)}
    marked = [r for r in facts.catalogue if HEADLINE_TASK in split_ids(r.get("qa_task_ids"))]
    marked = [r for r in marked if r["indicator_id"] in facts.readings]
    marked.sort(key=lambda r: order.get(r.get("domain"), len(order)))  # stable: catalogue order within a domain
    return [r["indicator_id"] for r in marked]


HEADLINE_COLUMNS = ("Area", "Measure", "{year}", "{previous}", "England", "Against target")


def headline_table(facts: Facts) -> Table:
    names = {d.domain: d.name for d in facts.domains}
    rows = []
    previous_area = None
    for indicator_id in headline_ids(facts):
        r = facts.readings[indicator_id]
        row = facts.year_rows[indicator_id]
        area = names.get(r.domain, humanise(r.domain))
        rows.append(
            (
                area if area != previous_area else "",  # the area once, at the top of its rows
                r.name,
                facts.value_text(r),
                facts.previous_text(r),
                published_text(r.unit, row.get("england_value")),
                facts.rag_text(r),
            )
        )
        previous_area = area
    columns = tuple(c.format(year=facts.year, previous=facts.previous) for c in HEADLINE_COLUMNS)
    return Table(columns, tuple(rows), widths=(2.4, 5.4, 2.1, 2.1, 1.6, 2.6), numeric=(2, 3, 4))


def _headline(facts: Facts) -> Section:
    section = Section("headline", SECTION_TITLES["headline"])
    table = headline_table(facts)
    if not table.rows:
        section.blocks.append(
            Paragraph(
                f"No measure in the indicator catalogue is marked for the Chief Executive's quarterly performance "
                f"reviews (task {HEADLINE_TASK}) with a figure for {facts.year}, so there is no headline table."
            )
        )
        return section
    section.blocks += [
        Paragraph(
            f"The measures the Chief Executive's quarterly performance reviews follow (task {HEADLINE_TASK} of the "
            f"framework), for {facts.la_name} in {facts.year}, beside {facts.previous} and England. Counts are at "
            "31 March or across the year as each measure's definition says; the appendix lists every measure."
        ),
        table,
    ]
    return section


# --- 1 purpose ---------------------------------------------------------------------------------------------------


def _purpose(facts: Facts, build: Mapping[str, Any]) -> Section:
    first, last = facts.bounds
    section = Section("1", SECTION_TITLES["1"])
    built = (
        f" (warehouse build {build.get('build_id')}, built {formatting.date_time(build.get('built_at'))})"
        if build.get("build_id")
        else ""
    )
    section.blocks += [
        Paragraph(
            "Measuring the impact of service delivery is central to achieving improved outcomes for children. This "
            "requires a strong quality assurance system to be in place to evidence that services are being "
            "delivered effectively and to standards that enable children's welfare to be safeguarded and promoted."
        ),
        Paragraph("The purpose of the quality assurance framework is to:"),
        Bullets(FRAMEWORK_PURPOSES),
        Paragraph(
            "Quality assurance is a continual and dynamic process by which we set standards, monitor our "
            "achievements against those standards, use the information we have to improve services and undertake "
            "ongoing review."
        ),
        Paragraph(
            f"This review covers {facts.la_name} for the financial year {facts.year} ({formatting.long_date(first)} "
            f"to {formatting.long_date(last)}). Every figure in it is drawn from the council's quality assurance "
            f"warehouse{built}, and it was prepared on the day shown on the cover."
        ),
    ]
    return section


# --- 2 method and sources -------------------------------------------------------------------------------------


SOURCE_COLUMNS = ("Source", "Files", "Rows loaded", "Rows in the latest file", "First day covered", "As at")
DELIVERY_COLUMNS = ("Part of the framework", "Reports due", "Delivered on time", "Late", "Overdue", "Not yet due")


_ACRONYMS = re.compile(r"\b(cp|cin|s47|oc\d)\b")


def _source_name(dataset: str, table_name: str) -> str:
    name = DATASET_NAMES.get(dataset, humanise(dataset))
    table = str(table_name).replace("_", " ").replace("section47", "section 47")
    if table in ("register", "log") or table.lower() in name.lower():
        return name
    return name + ": " + _ACRONYMS.sub(lambda m: m.group(1).upper(), table)


def sources_table(facts: Facts) -> Table | None:
    if facts.sources is None or facts.sources.is_empty():
        return None
    rows = []
    for r in facts.sources.to_dicts():
        rows.append(
            (
                _source_name(str(r["dataset"]), str(r["table_name"])),
                f"{int(r['files']):,}",
                f"{int(r['rows_loaded'] or 0):,}",
                f"{int(r['latest_rows'] or 0):,}",
                formatting.long_date(r["period_start"]) if r.get("period_start") else "not dated",
                formatting.long_date(r["period_end"]) if r.get("period_end") else "not dated",
            )
        )
    return Table(SOURCE_COLUMNS, tuple(rows), widths=(5.6, 1.2, 1.8, 1.9, 2.6, 2.6), numeric=(1, 2, 3))


def _schedule_rows(facts: Facts, part: int | None = None) -> list[Row]:
    if facts.schedule is None:
        return []
    rows = facts.schedule.to_dicts()
    if part is None:
        return rows
    return [r for r in rows if str(r.get("task_number") or "").split(".")[0] == str(part)]


def _status_counts(rows: Iterable[Row]) -> dict[str, int]:
    counts = dict.fromkeys(qa.STATUSES, 0)
    for r in rows:
        status = str(r.get("status") or "").lower()
        counts[status] = counts.get(status, 0) + 1
    return counts


def delivery_sentence(facts: Facts, rows: list[Row], what: str) -> str:
    """"Of the 97 reports under Part 2 due in 2024-25, 88 were delivered on time, ..."."""
    counts = _status_counts(rows)
    total = sum(counts.values())
    if not total:
        return f"No reports {what} were due in {facts.year}."
    text = (
        f"Of the {total:,} reports {what} due in {facts.year}, {counts[qa.DELIVERED]:,} "
        f"{'was' if counts[qa.DELIVERED] == 1 else 'were'} delivered on time, {counts[qa.LATE]:,} late and "
        f"{counts[qa.OVERDUE]:,} not delivered by their due date"
    )
    if counts[qa.DUE]:
        text += f"; {counts[qa.DUE]:,} {'is' if counts[qa.DUE] == 1 else 'are'} not yet due"
    return text + "."


def delivery_table(facts: Facts) -> Table:
    rows = []
    for part in (1, 2, 3, 4, 5):
        counts = _status_counts(_schedule_rows(facts, part))
        if not sum(counts.values()):
            continue
        rows.append((f"Part {part}", *(f"{n:,}" for n in _delivery_cells(counts))))
    total = _status_counts(_schedule_rows(facts))
    rows.append(("All parts", *(f"{n:,}" for n in _delivery_cells(total))))
    return Table(DELIVERY_COLUMNS, tuple(rows), widths=(3.6, 2, 2.4, 1.6, 1.6, 2), numeric=(1, 2, 3, 4, 5))


def _delivery_cells(counts: Mapping[str, int]) -> tuple[int, ...]:
    return (sum(counts.values()), counts[qa.DELIVERED], counts[qa.LATE], counts[qa.OVERDUE], counts[qa.DUE])


def _method(facts: Facts) -> Section:
    section = Section("2", SECTION_TITLES["2"])
    section.blocks += [
        Paragraph(
            "A key component of the QA framework is the identification and implementation of changes required for "
            "improving the quality of the service. In conducting this review we have drawn on the council's "
            "statutory returns, its case records, the results of case-file audits, the complaints register, "
            "workforce information and the record of quality assurance reports delivered, all loaded into the "
            "quality assurance warehouse and checked against their published definitions."
        ),
        Subheading("Sources of information"),
    ]
    table = sources_table(facts)
    if table is None:
        section.blocks.append(Paragraph("The warehouse holds no record of the files loaded into it."))
    else:
        section.blocks += [
            Paragraph(
                "Each source loaded for the authority, with the number of files, the rows loaded from them (summed "
                "across files: an Annex A list or the HR extract is sent every month, each file a fresh copy) and the "
                "last day the latest file covers."
            ),
            table,
        ]
    section.blocks.append(Subheading("Delivery of the framework's reports"))
    if facts.schedule is None:
        section.blocks.append(
            Paragraph(
                "No QA activity log has been loaded, so this review cannot say which of the framework's reports "
                "were delivered."
            )
        )
    else:
        rows = _schedule_rows(facts)
        section.blocks.append(Paragraph(delivery_sentence(facts, rows, "the framework schedules")))
        if rows:
            section.blocks.append(delivery_table(facts))
        section.blocks.append(
            Paragraph(
                "A report is due a set number of days after the end of the period it covers; it is on time if "
                "delivered by then, late if delivered after, and overdue if not delivered by the date the activity "
                "log was last brought up to date.",
                "note",
            )
        )
    section.blocks.append(
        Paragraph(
            "Figures about children follow the council's small-numbers rules: a count from 0 to 4 is shown as "
            f'"{disclosure.FEWER_THAN_5}", a percentage or rate built on one is "{disclosure.SUPPRESSED}", and '
            "anything worked out from a hidden figure (its change, its status against target) is hidden with it. "
            "Figures about staff are shown in full; no worker or child is named or identified.",
            "note",
        )
    )
    return section


# --- 3 findings ---------------------------------------------------------------------------------------------------


PART_INTROS = {
    1: "Part 1 of the framework sets out the responsibilities of the Lead Member, the Director of Children's "
    "Services, the Chief Executive and elected members, and how they are kept informed: the Chief Executive's "
    "monthly monitoring and quarterly performance reviews, reports to Cabinet, the Corporate Parenting Panel and "
    "this Committee, and members' visits to teams and children's homes.",
    2: "Part 2 covers the services provided: children looked after and their placements, children in need and "
    "child protection.",
    3: "Part 3 covers the review of individual work: supervision, the safeguarding unit's quality assurance and "
    "managers' case-file audits.",
    4: "Part 4 covers monitoring and auditing of the system: performance information, complaints and the "
    "workforce.",
}
PART_TASK_COLUMNS = ("Task", "Report", "To", "Due", "On time", "Late", "Overdue")


def _period_text(grain: Any, start: Any) -> str:
    try:
        day = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start)[:10])
    except ValueError:
        return str(start)
    if grain == "year":
        return formatting.financial_year(formatting.fy_start_year(day))
    if grain == "quarter":
        return formatting.quarter_label(day)
    return f"{day:%b %Y}"


def _written_on(value: Any) -> str:
    try:
        return formatting.long_date(dt.datetime.fromisoformat(str(value)))
    except ValueError:
        return ""


def comment_lines(facts: Facts, indicator_ids: Iterable[str]) -> list[str]:
    """The year's current comments on these indicators, in catalogue order then by period, as plain text."""
    wanted = list(dict.fromkeys(indicator_ids))
    order = {i: n for n, i in enumerate(wanted)}
    names = facts.by_id
    chosen = [c for c in facts.comments if c.get("indicator_id") in order]
    chosen.sort(key=lambda c: (order[c["indicator_id"]], str(c.get("period_start")), str(c.get("org_id"))))
    out = []
    for c in chosen:
        ind = names.get(c["indicator_id"], {})
        label = ind.get("short_name") or ind.get("name") or c["indicator_id"]
        where = ""
        if c.get("org_level") and c.get("org_level") != "la":
            where = f", {facts.org_names.get(c.get('org_id'), c.get('org_id'))}"
        body = " ".join(str(c.get("body") or "").split())
        signed = ", ".join(p for p in (str(c.get("author") or "").strip(), _written_on(c.get("written_at"))) if p)
        out.append(f"{label}, {_period_text(c.get('period_grain'), c.get('period_start'))}{where}: {body}"
                   + (f" ({signed})" if signed else ""))
    return out


def _domain_blocks(facts: Facts, domain: Domain) -> list[Block]:
    blocks: list[Block] = [Subheading(domain.name)]
    if domain.description:
        blocks.append(Paragraph(domain.description))
    readings = facts.in_domain(domain.domain, breakdowns=False) or facts.in_domain(domain.domain)
    if not readings:
        blocks.append(Paragraph(f"There are no {domain.name.lower()} figures for {facts.year} in the warehouse."))
    else:
        sentences = narrative.domain_summary(readings, facts.previous, limit=6)
        blocks.append(Bullets(tuple(sentences)) if sentences else Paragraph(f"No figures for {facts.year}."))
    ids = [r["indicator_id"] for r in facts.catalogue if r.get("domain") == domain.domain]
    lines = comment_lines(facts, ids)
    if lines:
        blocks += [Paragraph("Managers' commentary during the year:"), Bullets(tuple(lines))]
    return blocks


def _task_table(facts: Facts, rows: list[Row]) -> Table:
    groups: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        groups.setdefault((str(r.get("task_number") or ""), str(r.get("audience_id") or "")), []).append(r)
    out = []
    for (task_number, audience), members in sorted(groups.items(), key=lambda kv: (qa.task_key(kv[0][0]), kv[0][1])):
        counts = _status_counts(members)
        task = facts.register.get(task_number) if facts.register else None
        out.append(
            (
                task_number,
                qa.summary(task.task, 90) if task else "",
                facts.register.role_name(audience) if facts.register else humanise(audience),
                f"{len(members):,}",
                f"{counts[qa.DELIVERED]:,}",
                f"{counts[qa.LATE]:,}",
                f"{counts[qa.OVERDUE]:,}",
            )
        )
    return Table(PART_TASK_COLUMNS, tuple(out), widths=(1.1, 6.6, 3.2, 1.2, 1.5, 1.2, 1.6), numeric=(3, 4, 5, 6))


def _headline_findings(facts: Facts) -> list[Block]:
    """How the headline measures stand: their status against target, and those that moved most on last year (each
    area's findings follow under its part)."""
    headline = [facts.readings[i] for i in headline_ids(facts)]
    if not headline:
        return []
    rated = [r for r in headline if r.rag in ("green", "amber", "red") and not r.hidden]
    counts = {rag: sum(1 for r in rated if r.rag == rag) for rag in ("green", "amber", "red")}
    text = (
        f"The Chief Executive's quarterly performance reviews follow {len(headline):,} headline measures (the table "
        f"at the start of this report). Of the {len(rated):,} with a target, {counts['green']:,} "
        f"{'was' if counts['green'] == 1 else 'were'} on target at the year end, {counts['amber']:,} close to it and "
        f"{counts['red']:,} off target."
        if rated
        else f"The Chief Executive's quarterly performance reviews follow {len(headline):,} headline measures (the "
        "table at the start of this report); none has a target whose status may be shown."
    )
    blocks: list[Block] = [Paragraph(text)]
    moved = narrative.moved_most(headline, n=4)
    if moved:
        blocks += [
            Paragraph(f"The headline measures that moved most on {facts.previous}:"),
            Bullets(tuple(narrative.sentence(r, facts.previous, sn=True) for r in moved)),
        ]
    return blocks


def _findings(facts: Facts) -> Section:
    section = Section("3", SECTION_TITLES["3"])
    section.blocks.append(
        Paragraph(
            "The findings follow the framework's parts. For each area, the year's figures are compared with "
            f"{facts.previous}, with England and the statistical neighbours where they are published, and with the "
            "council's targets."
        )
    )
    if facts.comment_note:
        section.blocks.append(Paragraph(facts.comment_note, "note"))
    placed = placed_domains(facts.domains)
    for part in (1, 2, 3, 4):
        section.blocks += [Subheading(PART_TITLES[part]), Paragraph(PART_INTROS[part])]
        if facts.schedule is not None:
            rows = _schedule_rows(facts, part)
            section.blocks.append(Paragraph(delivery_sentence(facts, rows, f"under Part {part}")))
            if part == 1 and rows:
                section.blocks.append(_task_table(facts, rows))
        if part == 1:
            section.blocks += _headline_findings(facts)
        for domain in placed.get(part, []):
            section.blocks += _domain_blocks(facts, domain)
    known = set(facts.by_id)
    stray = comment_lines(facts, sorted({str(c.get("indicator_id")) for c in facts.comments} - known))
    if stray:
        section.blocks += [Subheading("Other commentary"), Bullets(tuple(stray))]
    return section


# --- 4 audit themes -------------------------------------------------------------------------------------------


THEME_COLUMNS = ("Theme", "Audits finding it", "Share of audits")
GRADE_COLUMNS = ("Grade", "Audits")
TOP_THEMES = 5


def theme_items(facts: Facts) -> list[tuple[str, str]]:
    """(indicator_id, label) of each audit theme measure in catalogue order."""
    out = []
    for ind in facts.group(audits.THEME_GROUP):
        code = ind["indicator_id"].removeprefix(audits.THEME_PREFIX).removesuffix(audits.THEME_SUFFIX)
        out.append((ind["indicator_id"], ind.get("breakdown_label") or audits.THEME_LABELS.get(code) or humanise(code)))
    return out


def _theme_hidden(row: Row | None) -> bool:
    return row is None or disclosure.ratio_hidden(row.get("numerator"), row.get("denominator")) or _missing(
        row.get("value")
    )


def ranked_themes(facts: Facts) -> list[tuple[str, str, Row]]:
    """Themes with a year figure: those shown by share (largest first), then hidden ones by name."""
    present = [(i, label, facts.year_rows[i]) for i, label in theme_items(facts) if i in facts.year_rows]
    shown = sorted((p for p in present if not _theme_hidden(p[2])), key=lambda p: (-float(p[2]["value"]), p[1]))
    hidden = sorted((p for p in present if _theme_hidden(p[2])), key=lambda p: p[1])
    return shown + hidden


def _grade_table(facts: Facts) -> Table | None:
    grades = [(audits.GRADE_LABELS[g], audits.GRADE_IDS[g]) for g in audits.GRADES]
    present = [(label, i) for label, i in grades if i in facts.year_rows]
    if not present:
        return None
    rows = [(label, facts.masks.get(i) or disclosure.count_text(_count_of(facts.year_rows[i]))) for label, i in present]
    rows.append(("All graded audits", facts.masks.get("__audits_graded__", NOT_AVAILABLE)))
    return Table(GRADE_COLUMNS, tuple(rows), widths=(6, 3), numeric=(1,))


def _audit_themes(facts: Facts) -> Section:
    section = Section("4", SECTION_TITLES["4"])
    ranked = ranked_themes(facts)
    if not ranked:
        section.blocks.append(
            Paragraph(
                f"No case-file audit themes are recorded for {facts.year}, so this review cannot report what audits "
                "found. The themes come from the case-file audits file (`audits/<la_code>/<yyyy-mm>/"
                "case_file_audits.csv`)."
            )
        )
        return section
    section.blocks.append(
        Paragraph(
            "Each case-file audit records the themes it found in the work on the file: multi-agency working, "
            "family history, whether practice was child-centred, the involvement of fathers, plans and reviews, "
            f"supervision, and others. The share of the year's audits finding each theme, in {facts.year}:"
        )
    )
    rows = []
    for _, label, row in ranked:
        rows.append((label, audits.theme_count_text(row), audits.theme_share_text(row)))
    section.blocks.append(Table(THEME_COLUMNS, tuple(rows), widths=(6, 3, 3), numeric=(1, 2)))

    quarters = year_quarters(facts.year)

    def by_quarter(indicator_id: str) -> list[tuple[Row | None, bool]]:
        """Each quarter's row and whether it is hidden (its own small numbers, or so it cannot be worked out from
        the year's count of audits finding the theme and the other quarters)."""
        rows = [facts.quarter_rows.get((indicator_id, start)) for _, start in quarters]
        protected = quarters_hidden(facts.year_rows.get(indicator_id), rows, "numerator")
        return [(row, row is not None and (_theme_hidden(row) or n in protected)) for n, row in enumerate(rows)]

    top = [(i, label) for i, label, row in ranked if not _theme_hidden(row)][:TOP_THEMES]
    points = []
    for indicator_id, label in top:
        for (quarter_label, _), (row, hidden) in zip(quarters, by_quarter(indicator_id), strict=True):
            if row is None:
                continue
            points.append({"quarter": quarter_label, "series": label, "value": None if hidden else row.get("value")})
    if any(p["value"] is not None for p in points):
        labels = [q for q, _ in quarters]
        section.blocks.append(
            Chart(
                charts.quarter_lines(points, quarters=labels, y_title="Share of audits (%)"),
                f"The {len(top)} most frequent audit themes by quarter, {facts.year}",
                f"Line chart of the share of case-file audits finding each of the {len(top)} most frequent themes in "
                f"each quarter of {facts.year}. The figures are in the table below the chart.",
            )
        )
        table_rows = []
        for indicator_id, label in [(i, label) for i, label, _ in ranked]:
            cells = by_quarter(indicator_id)
            if all(row is None for row, _ in cells):
                continue
            table_rows.append(
                (
                    label,
                    *(
                        "" if row is None else disclosure.SUPPRESSED if hidden else audits.theme_share_text(row)
                        for row, hidden in cells
                    ),
                )
            )
        section.blocks.append(
            Table(("Theme", *labels), tuple(table_rows), caption="Share of audits finding each theme, by quarter",
                  widths=(4.4, 2.2, 2.2, 2.2, 2.2), numeric=(1, 2, 3, 4))
        )
    else:
        section.blocks.append(Paragraph(f"There are no quarterly theme figures for {facts.year} to chart."))

    grade_table = _grade_table(facts)
    gob = facts.readings.get(audits.GOOD_OR_BETTER)
    if grade_table is not None or gob is not None:
        section.blocks.append(Subheading("Grades"))
        if gob is not None:
            section.blocks.append(Paragraph(narrative.sentence(gob, facts.previous)))
        if grade_table is not None:
            section.blocks.append(grade_table)
    follow = facts.readings.get(audits.FOLLOW_UP)
    if follow is not None:
        section.blocks.append(
            Paragraph(
                "When an audit finds significant concerns the framework asks for two more of the worker's files to be "
                "audited and the file of concern to be reviewed again within three months. "
                + narrative.sentence(follow, facts.previous)
            )
        )
    return section


# --- 5 complaints learning ---------------------------------------------------------------------------------------


NATURE_COLUMNS = ("Nature of complaint", "Stage 1 complaints")
LEARNING_COLUMNS = ("Nature", "Learning action", "Due", "Status")


def _nature_rows(facts: Facts) -> list[tuple[str, str, float | None]]:
    """(label, text, value to draw or None) per nature with a year figure, as `breakdown_masks` shows them; shown
    ones largest first, hidden ones after by name (so the order gives nothing away)."""
    hidden_texts = (disclosure.SUPPRESSED, disclosure.FEWER_THAN_5, NOT_AVAILABLE)
    shown, concealed = [], []
    for indicator_id, label in _nature_items(facts.catalogue):
        if indicator_id not in facts.year_rows:
            continue
        text = facts.masks.get(indicator_id) or disclosure.count_text(_count_of(facts.year_rows[indicator_id]))
        if text in hidden_texts:
            concealed.append((label, text, None))
        else:
            shown.append((label, text, _count_of(facts.year_rows[indicator_id])))
    shown.sort(key=lambda t: (-(t[2] or 0.0), t[0]))
    concealed.sort(key=lambda t: t[0])
    return shown + concealed


def _learning_rows(facts: Facts) -> tuple[list[tuple[str, ...]], int]:
    """Learning actions due, completed or still open in the year, overdue first: (rows, how many in all)."""
    if facts.learning is None:
        return [], 0
    first, last = facts.bounds
    records = []
    for r in facts.learning.to_dicts():
        due = r.get("learning_action_due_date")
        done = r.get("learning_action_completed_date")
        as_at = r.get("as_at_date") or facts.complaints_as_at
        # due in the year, or not completed before it began and due by its end (or with no due date)
        in_year = (due is not None and first <= due <= last) or (
            (done is None or done >= first) and (due is None or due <= last)
        )
        if not in_year:
            continue
        status = complaints.action_status(r, as_at)
        nature = r.get("nature")
        records.append(
            (
                complaints.STATUS_ORDER.get(status, 9),
                due or dt.date.max,
                (
                    humanise(nature) if nature else "",
                    " ".join(str(r.get("learning_action") or "").split()) or "(no action text recorded)",
                    formatting.long_date(due) if due else "no due date",
                    status,
                ),
            )
        )
    records.sort(key=lambda t: (t[0], t[1]))
    return [cells for *_, cells in records], len(records)


def _complaints(facts: Facts) -> Section:
    section = Section("5", SECTION_TITLES["5"])
    readings = facts.in_domain("complaints", breakdowns=False)
    if not readings and facts.learning is None:
        section.blocks.append(
            Paragraph(
                f"No complaints figures are recorded for {facts.year}: the complaints and compliments register has not "
                "been loaded for this authority."
            )
        )
        return section
    section.blocks.append(
        Paragraph(
            "Complaints tell us how children, families and carers experienced our services, and how well the "
            "complaints procedure itself works (task 4.7 of the framework). The year in figures:"
        )
    )
    if readings:
        section.blocks.append(Bullets(tuple(narrative.sentence(r, facts.previous) for r in readings)))
    quarters = year_quarters(facts.year)
    received = [(q, facts.quarter_rows.get((complaints.RECEIVED[1], s))) for q, s in quarters]
    if any(row is not None for _, row in received):
        # The quarters add up to the year's count, which is shown: protect them together.
        protected = quarters_hidden(facts.year_rows.get(complaints.RECEIVED[1]), [row for _, row in received])

        def quarter_text(n: int, row: Row | None) -> str:
            if row is None:
                return NOT_AVAILABLE
            return disclosure.masked_count_text(_number(row.get("value")), n in protected)

        texts = [quarter_text(n, row) for n, (_, row) in enumerate(received)]
        hidden_texts = (disclosure.FEWER_THAN_5, disclosure.SUPPRESSED, NOT_AVAILABLE)
        points = [
            {"quarter": q, "value": None if text in hidden_texts else _number(row.get("value"))}
            for (q, row), text in zip(received, texts, strict=True)
        ]
        section.blocks.append(
            Chart(
                charts.quarter_bars(points, quarters=[q for q, _ in quarters], y_title="Stage 1 complaints"),
                f"Stage 1 complaints received by quarter, {facts.year}",
                f"Bar chart of the stage 1 complaints received in each quarter of {facts.year}. The figures are in the "
                "table below the chart.",
            )
        )
        section.blocks.append(
            Table(
                tuple(q for q, _ in received),
                (tuple(texts),),
                caption="Stage 1 complaints received",
                numeric=(0, 1, 2, 3),
            )
        )
    natures = _nature_rows(facts)
    if natures:
        section.blocks += [
            Subheading("What complaints were about"),
            Table(NATURE_COLUMNS, tuple((label, text) for label, text, _ in natures), widths=(6, 3), numeric=(1,)),
        ]
        drawn = [{"label": label, "value": v} for label, _, v in natures if v is not None]
        if drawn:
            section.blocks.append(
                Chart(
                    charts.category_bars(drawn, x_title="Stage 1 complaints"),
                    f"Stage 1 complaints by nature, {facts.year}",
                    "Bar chart of the stage 1 complaints received in the year by their nature, largest first (natures "
                    "with small numbers are not drawn). The figures are in the table above.",
                )
            )
    section.blocks.append(Subheading("Learning from complaints"))
    rows, total = _learning_rows(facts)
    if facts.learning is None:
        section.blocks.append(Paragraph("The complaints register is not in the warehouse, so no learning actions "
                                        "can be listed."))
    elif not rows:
        section.blocks.append(Paragraph(f"No learning actions from complaints were due or open in {facts.year}."))
    else:
        as_at = facts.complaints_as_at
        section.blocks.append(
            Paragraph(
                f"{total:,} learning action{'s' if total != 1 else ''} recorded against complaints fell due, were "
                f"completed or remained open in {facts.year}"
                + (f" (status as the register stood on {formatting.long_date(as_at)})" if as_at else "")
                + (f"; the first {LIST_LIMIT} are listed, overdue first." if total > LIST_LIMIT else ", overdue first.")
            )
        )
        section.blocks.append(Table(LEARNING_COLUMNS, tuple(rows[:LIST_LIMIT]), widths=(2.6, 8.4, 2.6, 2.2)))
    lines = comment_lines(facts, [r["indicator_id"] for r in facts.catalogue if r.get("domain") == "complaints"])
    if lines:
        section.blocks += [Paragraph("Managers' commentary during the year:"), Bullets(tuple(lines))]
    return section


# --- 6 workforce -------------------------------------------------------------------------------------------------


WORKFORCE_COLUMNS = ("Measure", "{year}", "England", "Statistical neighbours", "Target", "Against target")


def _workforce(facts: Facts) -> Section:
    section = Section("6", SECTION_TITLES["6"])
    readings = facts.in_domain("workforce")
    if not readings:
        section.blocks.append(
            Paragraph(
                f"No workforce figures are recorded for {facts.year}: the monthly HR extract has not been loaded for "
                "this authority."
            )
        )
        return section
    section.blocks += [
        Paragraph(
            "Social care workforce information (task 4.8 of the framework) gives early warning of trends in "
            "recruitment and retention, vacancies, agency use, sickness and caseloads. Figures about staff are shown "
            "in full; no worker is identified. England's and the statistical neighbours' figures are the national "
            "workforce census as at 30 September within the year."
        ),
        Bullets(tuple(narrative.sentence(r, facts.previous, sn=True) for r in readings)),
    ]
    rows = []
    for r in readings:
        row = facts.year_rows[r.indicator_id]
        rows.append(
            (
                r.name,
                facts.value_text(r),
                published_text(r.unit, row.get("england_value")),
                published_text(r.unit, row.get("sn_value")),
                target_text(r),
                facts.rag_text(r),
            )
        )
    columns = tuple(c.format(year=facts.year) for c in WORKFORCE_COLUMNS)
    section.blocks.append(Table(columns, tuple(rows), widths=(5.6, 2, 2, 2.4, 1.6, 2.4), numeric=(1, 2, 3, 4)))
    series = [facts.la_name, "England", "Statistical neighbours"]
    points = []
    for r in readings:
        if r.unit != "percent" or r.value is None:
            continue
        row = facts.year_rows[r.indicator_id]
        for name, value in zip(series, (r.value, row.get("england_value"), row.get("sn_value")), strict=True):
            if not _missing(value):
                points.append({"label": r.short_name or r.name, "series": name, "value": value})
    if any(p["series"] != facts.la_name for p in points):
        section.blocks.append(
            Chart(
                charts.comparison_bars(points, series=series, x_title="Per cent"),
                f"Workforce rates against England and statistical neighbours, {facts.year}",
                f"Bar chart of {facts.la_name}'s workforce rates in {facts.year} beside England's and the statistical "
                "neighbours' average. The figures are in the table above.",
            )
        )
    if facts.census is not None and not facts.census.is_empty():
        census = workforce.census_table(facts.census)
        section.blocks += [
            Subheading("The workforce census return"),
            Paragraph(
                "The authority's Children's Social Work Workforce census return for the year, counted with DfE's "
                "definitions, beside DfE's published figure for the authority and England's."
            ),
            Table(tuple(census.columns), tuple(tuple(r) for r in census.iter_rows()),
                  widths=(3, 5, 2.6, 3.2, 2.4), numeric=(2, 3, 4)),
        ]
    lines = comment_lines(facts, [r.indicator_id for r in readings])
    if lines:
        section.blocks += [Paragraph("Managers' commentary during the year:"), Bullets(tuple(lines))]
    return section


# --- 7 areas for development -------------------------------------------------------------------------------------


def _ordered_readings(facts: Facts) -> list[narrative.Reading]:
    out = []
    for d in facts.domains:
        out += facts.in_domain(d.domain, breakdowns=False)
    return out


def worsened(facts: Facts, limit: int = 8) -> list[narrative.Reading]:
    """Readings worse than last year by their polarity (not the red ones), largest move first."""
    red = {r.indicator_id for r in narrative.red(_ordered_readings(facts))}
    found = [
        r for r in _ordered_readings(facts) if narrative.direction_word(r) == "worse" and r.indicator_id not in red
    ]
    found.sort(key=lambda r: -(narrative.movement(r) or 0.0))
    return found[:limit]


def _development(facts: Facts) -> Section:
    section = Section("7", SECTION_TITLES["7"])
    section.blocks.append(
        Paragraph(
            "The areas below are drawn from the year's figures: measures off target, measures that worsened on "
            f"{facts.previous}, the themes audits found most often, and the framework's reports that were late or "
            f"not delivered. Managers will draw up an action plan in response, and it will inform the quality "
            f"assurance framework for {next_year(facts.year)}."
        )
    )
    found = False
    red = narrative.red(_ordered_readings(facts))
    if red:
        found = True
        section.blocks += [
            Subheading("Measures off target"),
            Bullets(tuple(narrative.sentence(r, facts.previous, sn=True) for r in red)),
        ]
    worse = worsened(facts)
    if worse:
        found = True
        section.blocks += [
            Subheading(f"Measures that worsened on {facts.previous}"),
            Bullets(tuple(narrative.sentence(r, facts.previous, sn=True) for r in worse)),
        ]
    themes = [(label, row) for _, label, row in ranked_themes(facts) if not _theme_hidden(row)][:3]
    if themes:
        found = True
        listed = "; ".join(f"{label.lower()} ({formatting.percent(row['value'])} of audits)" for label, row in themes)
        section.blocks += [
            Subheading("Practice themes from audits"),
            Paragraph(
                f"The themes case-file audits found most often in {facts.year} were {listed}. Practice in these areas "
                "should be the focus of supervision, training and the learning programme in the coming year."
            ),
        ]
    if facts.schedule is not None and facts.register is not None:
        missed = qa.missed_by_task(facts.schedule, facts.register, *facts.bounds)
        if not missed.is_empty():
            found = True
            lines = [
                f"Task {r['Task']} ({r['Report']}) to {r['To']}: {r['Late']} late and {r['Overdue']} overdue of "
                f"{r['Reports due']} due."
                for r in missed.head(LIST_LIMIT).to_dicts()
            ]
            if missed.height > LIST_LIMIT:
                lines.append(f"And {missed.height - LIST_LIMIT:,} more tasks with a late or overdue report.")
            section.blocks += [Subheading("Quality assurance reports late or not delivered"), Bullets(tuple(lines))]
    if not found:
        section.blocks.append(
            Paragraph(
                f"No measure was off target or worse than {facts.previous}, no audit themes are recorded and no "
                "framework report was late, so the figures point to no particular area for development this year."
            )
        )
    section.blocks.append(
        Paragraph(
            f"The Committee is asked to note the key findings from the annual review {facts.year}. The findings and "
            "areas for development will also be considered in preparing for inspection of services for children in "
            "need of help and protection, children looked after and care leavers."
        )
    )
    return section


# --- appendix ----------------------------------------------------------------------------------------------------


APPENDIX_COLUMNS = ("Measure", "{year}", "Target", "Against target", "{previous}", "England",
                    "Statistical neighbours")


def appendix_rows(facts: Facts, domain: str) -> list[tuple[str, ...]]:
    rows = []
    for r in facts.in_domain(domain):
        row = facts.year_rows[r.indicator_id]
        rows.append(
            (
                r.name,
                facts.value_text(r),
                target_text(r),
                facts.rag_text(r),
                facts.previous_text(r),
                published_text(r.unit, row.get("england_value")),
                published_text(r.unit, row.get("sn_value")),
            )
        )
    return rows


def _appendix(facts: Facts) -> Section:
    section = Section("appendix", SECTION_TITLES["appendix"])
    section.blocks.append(
        Paragraph(
            f"Every measure with a figure for {facts.year}, by area: the year's figure, the council's target and "
            f"where the figure stands against it, {facts.previous}, England and the average of the statistical "
            "neighbours (both as published by DfE for the same year, where they are). Small numbers follow the "
            "rules in section 2."
        )
    )
    columns = tuple(c.format(year=facts.year, previous=facts.previous) for c in APPENDIX_COLUMNS)
    any_rows = False
    for d in facts.domains:
        rows = appendix_rows(facts, d.domain)
        if not rows:
            continue
        any_rows = True
        section.blocks += [
            Subheading(d.name),
            Table(columns, tuple(rows), widths=(5.0, 2.0, 1.5, 2.3, 2.0, 1.6, 2.1), numeric=(1, 2, 4, 5, 6)),
        ]
    if not any_rows:
        section.blocks.append(Paragraph(f"There are no figures for {facts.year}."))
    return section
