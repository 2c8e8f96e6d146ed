"""Check rows of text against a contract: type them, and quarantine every row that breaks a rule.

Checks are vectorised with polars: each check yields (row_number, column, value, rule, message) for the rows
it fails, and a row is rejected when any check fails. Messages are written for the person who must fix the
file, so they name the column, the value and what was expected.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import astuple, dataclass, field
from datetime import date
from typing import NamedTuple

import polars as pl

from ingest.contracts import Column, Table
from ingest.read import CsvText, FileRejected

REJECT_SCHEMA = {
    "row_number": pl.Int64,
    "column_name": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "message": pl.String,
}
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
ROW = "_source_row"


@dataclass
class Period:
    """The collection year a file covers (both ends inclusive); None for reference data."""

    start: date
    end: date
    collection_year: int
    # What the period is called in messages when it is not a collection year: "the census year to 30/09/2024",
    # "the month Nov 2024", "the register as at 30/11/2024".
    name: str | None = None

    @property
    def label(self) -> str:
        return f"{self.collection_year - 1}-{self.collection_year % 100:02d}"

    @property
    def description(self) -> str:
        return self.name or f"collection year {self.label}"


@dataclass
class Checked:
    good: pl.DataFrame  # typed, contract target names, plus _source_row
    rejects: pl.DataFrame  # REJECT_SCHEMA: rows quarantined
    rows_read: int
    warnings: list[str] = field(default_factory=list)
    cleared: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))  # values blanked

    @property
    def rows_rejected(self) -> int:
        return self.rejects["row_number"].n_unique() if self.rejects.height else 0


def map_columns(table: Table, header: list[str], file_name: str) -> tuple[dict[str, int], list[str]]:
    """Contract column name → position in the file; and the headings the contract does not know."""
    found: dict[str, int] = {}
    unknown: list[str] = []
    for i, heading in enumerate(header):
        matches = [c for c in table.columns if c.matches(heading)]
        if not matches:
            unknown.append(heading)
            continue
        col = matches[0]
        if col.name in found:
            raise FileRejected(
                "duplicate_column",
                f"{file_name} row 0 (header), column {heading!r}: {col.name} appears twice "
                f"(columns {found[col.name] + 1} and {i + 1})",
                column=col.name,
            )
        found[col.name] = i
    missing = [c.name for c in table.kept if c.name not in found
               and (c.required or not table.optional_may_be_absent)]
    if missing:
        raise FileRejected(
            "missing_columns",
            f"{file_name} row 0 (header): missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (found: {', '.join(header)})",
            column=missing[0],
        )
    return found, unknown


class _Check(NamedTuple):
    """One rule a row can break: `mask` is true on the rows that break it."""

    mask: pl.Expr
    column: str
    value: pl.Expr
    rule: str
    message: pl.Expr


def _errors(frame: pl.DataFrame | pl.LazyFrame, c: _Check) -> pl.LazyFrame:
    # Lazy: the checks a file breaks are collected together (`_combine`) on polars' threads instead of one small
    # query after another.
    return frame.lazy().filter(c.mask).select(
        pl.col(ROW).cast(pl.Int64).alias("row_number"),
        pl.lit(c.column, pl.String).alias("column_name"),
        c.value.cast(pl.String).alias("value"),
        pl.lit(c.rule, pl.String).alias("rule"),
        c.message.cast(pl.String).alias("message"),
    )


# Identifiers that must never be stored, even inside a rejected value or its message: a row whose columns
# have shifted can put a UPN or a full postcode in any column.
UPN_PATTERN = r"(?i)\b[A-Z][0-9]{11}[0-9A-Z]\b"
FULL_POSTCODE_PATTERN = r"(?i)\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?[0-9][A-Z]{2}\b"


def scrub(expr: pl.Expr) -> pl.Expr:
    return (expr.str.replace_all(UPN_PATTERN, "[UPN removed]")
            .str.replace_all(FULL_POSTCODE_PATTERN, "${1} [rest of postcode removed]"))


# Free text (a complaint's learning action) may also hold a staff number or a Social Work England number
# ("E104233", "SW123456") or a long number such as a phone or case number: a run of letters and digits shaped
# like an identifier is masked there too (not in codes and messages, where such shapes are legitimate). A year
# ("2024") is four digits alone and stays.
IDENTIFIER_PATTERN = r"\b(?:[A-Za-z]{1,3}[0-9]{4,}|[0-9]{6,})[A-Za-z]?\b"


def scrub_free_text(expr: pl.Expr) -> pl.Expr:
    return scrub(expr).str.replace_all(IDENTIFIER_PATTERN, "[identifier removed]")


def _masked_postcode(expr: pl.Expr) -> pl.Expr:
    # A malformed postcode may still be most of a real one: keep only what could be its district.
    return pl.when(expr.str.len_chars() > 4).then(expr.str.slice(0, 4) + pl.lit("…")).otherwise(expr)


EXCEL_ERRORS = ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"]
TRUE_WORDS = ["yes", "y", "true", "1"]
FALSE_WORDS = ["no", "n", "false", "0"]


def check(table: Table, text: CsvText, file_name: str, period: Period | None,
          pseudonym_key: bytes | None = None) -> Checked:
    positions, unknown = map_columns(table, text.header, file_name)
    warnings = []
    if unknown:
        warnings.append(f"ignored column{'s' if len(unknown) > 1 else ''} not in the contract: "
                        + ", ".join(unknown))
    kept = table.kept
    absent = [c.name for c in kept if c.name not in positions]
    if absent:
        warnings.append(f"column{'s' if len(absent) > 1 else ''} not found, left blank: {', '.join(absent)}")
    plan = _plan(table, positions, len(text.header), period, pseudonym_key)
    frame = (text.columns(plan.wanted).lazy().select(plan.columns).with_columns(plan.tidy)
             .with_columns(plan.typed).collect())
    # Most files break no rule: one query asks which checks any row breaks, and only those build their rows.
    broken = frame.select(plan.any_broken).row(0)
    errors = [_errors(frame, c) for c, hit in zip(plan.checks, broken, strict=True) if hit]
    errors.extend(_check_keys(table, frame, kept))
    rejects = _combine(errors)
    if rejects.height == 0:
        # Most files: nothing to quarantine, clear or warn about, so none of the work below is needed.
        good = frame.select([pl.col(ROW)] + [pl.col(f"__typed_{c.name}").alias(c.target) for c in kept])
        return Checked(good=good, rejects=rejects, rows_read=text.n_rows, warnings=warnings)
    # In a row with the wrong number of fields every later column is shifted: its other "errors" are noise.
    misaligned = rejects.filter(pl.col("rule") == "field_count")["row_number"].implode()
    rejects = rejects.filter((pl.col("rule") == "field_count") | ~pl.col("row_number").is_in(misaligned))
    rejects = rejects.with_columns(scrub(pl.col("value")), scrub(pl.col("message"))).sort("row_number", "column_name")
    # Errors in columns the contract marks `on_error: clear` blank the value instead of rejecting the row.
    clearable = {c.name for c in kept if c.on_error == "clear"}
    cleared = rejects.filter(pl.col("column_name").is_in(sorted(clearable)))
    rejects = rejects.filter(~pl.col("column_name").is_in(sorted(clearable)))
    if cleared.height:
        for col in kept:
            if col.name in clearable:
                hit = cleared.filter(pl.col("column_name") == col.name)["row_number"].implode()
                frame = frame.with_columns(
                    pl.when(pl.col(ROW).is_in(hit)).then(None).otherwise(pl.col(f"__typed_{col.name}"))
                    .alias(f"__typed_{col.name}"))
        warnings.append(f"{cleared.height} value(s) not valid and treated as unknown (rows kept): "
                        + ", ".join(sorted(set(cleared["column_name"]))))
    bad_rows = rejects["row_number"].unique()
    if table.key and rejects.height:
        # A quarantined row whose key's first part (the child) also has loaded rows leaves that child's history
        # with a hole: say so, since indicators built from it will be wrong until the file is corrected.
        first = f"__typed_{table.key[0]}"
        hit = frame.filter(pl.col(ROW).is_in(bad_rows.implode()))[first].drop_nulls().unique()
        kept_ids = frame.filter(~pl.col(ROW).is_in(bad_rows.implode()))[first]
        split = hit.is_in(kept_ids.implode()).sum()
        if split:
            warnings.append(f"{split} {table.key[0]} value(s) have some rows loaded and some quarantined: their "
                            f"records are incomplete until the file is corrected")
    good = frame.filter(~pl.col(ROW).is_in(bad_rows.implode())).select(
        [pl.col(ROW)] + [pl.col(f"__typed_{c.name}").alias(c.target) for c in kept]
    )
    return Checked(good=good, rejects=rejects, rows_read=text.n_rows, warnings=warnings, cleared=cleared)


@dataclass
class _Plan:
    """What checking a table's rows takes, built once for a contract table, header layout, period and key.

    Files of the same table, layout and year (each authority's, each month's) share one: building the few dozen
    polars expressions was most of the cost of checking a small file."""

    table: Table  # held so that the id(table) in the cache key cannot be reused while the entry lives
    wanted: list[int]  # header positions read
    columns: list[pl.Expr]  # "c<i>" → contract column names, plus _source_row and _fields
    tidy: list[pl.Expr]
    typed: list[pl.Expr]  # __typed_<name>
    checks: list[_Check]  # evaluated on the typed frame
    any_broken: list[pl.Expr]  # for each check: does any row break it?


_PLANS: dict[tuple, _Plan] = {}
_PLANS_LOCK = threading.Lock()
_PLANS_MAX = 512


def _plan(table: Table, positions: dict[str, int], width: int, period: Period | None,
          pseudonym_key: bytes | None) -> _Plan:
    # Today is in the key because the not_in_future rule compares with it; the pseudonymisation key is held only as
    # its hash (the plan's pseudonymising expression holds the key itself, for as long as the plan lives).
    today = date.today()
    cache_key = (id(table), tuple(sorted(positions.items())), width, astuple(period) if period else None,
                 hashlib.sha256(pseudonym_key).digest() if pseudonym_key else None, today)
    with _PLANS_LOCK:
        found = _PLANS.get(cache_key)
    if found is not None and found.table is table:
        return found
    kept = table.kept

    # Trim, drop a template's list letters ("a) Male"), and treat an empty cell or a spreadsheet error
    # (#N/A) as missing.
    def tidy(col: Column) -> pl.Expr:
        e = pl.col(col.name).str.strip_chars()
        if table.value_prefix:
            e = e.str.replace(table.value_prefix, "").str.strip_chars()
        return pl.when(e.is_in(EXCEL_ERRORS) | (e == "")).then(None).otherwise(e).alias(col.name)

    checks = [_Check(
        pl.col("_fields") != width, "", pl.col("_fields"), "field_count",
        pl.format(f"row has {{}} fields but the header has {width} (truncated or misaligned line)",
                  pl.col("_fields")),
    )]
    typed = []
    for col in kept:
        expr, errs = _check_column(table, col, period, pseudonym_key)
        typed.append(expr)
        checks.extend(errs)
    checks.extend(_check_rules(table, period, today))
    made = _Plan(
        table=table,
        wanted=sorted({positions[c.name] for c in kept if c.name in positions}),
        columns=[pl.col(f"c{positions[c.name]}").alias(c.name) if c.name in positions
                 else pl.lit(None, pl.String).alias(c.name) for c in kept]
        + [pl.col("_row").alias(ROW), pl.col("_fields")],
        tidy=[tidy(c) for c in kept],
        typed=typed,
        checks=checks,
        any_broken=[c.mask.any().alias(f"_broken_{i}") for i, c in enumerate(checks)],
    )
    with _PLANS_LOCK:
        if len(_PLANS) >= _PLANS_MAX:
            _PLANS.clear()
        _PLANS[cache_key] = made
    return made


def _combine(errors: list[pl.LazyFrame]) -> pl.DataFrame:
    found = [e for e in pl.collect_all(errors) if e.height]
    return pl.concat(found, how="vertical") if found else pl.DataFrame(schema=REJECT_SCHEMA)


def _check_column(table: Table, col: Column, period: Period | None, pseudonym_key: bytes | None = None):
    """Return the typed expression for the column (named __typed_<name>) and the checks on it."""
    raw = pl.col(col.name)
    present = raw.is_not_null()
    errs = []
    out_name = f"__typed_{col.name}"
    if col.required:
        errs.append(_Check(~present, col.name, raw, "required",
                            pl.lit(f"{col.name} is required but blank")))
    if col.extract:
        found = raw.str.extract(col.extract, 1)
        errs.append(_Check(present & found.is_null(), col.name, raw, "unexpected_form",
                            pl.format(f"{col.name} '{{}}' does not have the expected form", raw)))
        raw = found
        present = raw.is_not_null()
    if col.type == "date":
        fmt = table.date_format
        # Excel drops leading zeros (1/5/2024): pad them. A two-digit year (1/5/24) is never guessed at.
        padded = raw.str.replace(r"^(\d)([/.-])", "0${1}${2}").str.replace(r"([/.-])(\d)([/.-])", "${1}0${2}${3}")
        shape = "^" + fmt.replace("%d", r"\d{2}").replace("%m", r"\d{2}").replace("%Y", r"\d{4}") + "$"
        parsed = pl.when(padded.str.contains(shape)).then(padded.str.strptime(pl.Date, fmt, strict=False))
        human = fmt.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy")
        errs.append(_Check(present & parsed.is_null(), col.name, raw, "date_format",
                            pl.format(f"{col.name} '{{}}' is not a real date in {human}", raw)))
        errs.append(_Check(parsed < pl.lit(date(1900, 1, 1)), col.name, raw, "implausible_date",
                            pl.format(f"{col.name} '{{}}' is before 1900", raw)))
        typed = parsed
    elif col.type == "code":
        year = period.collection_year if period else None
        # Codes match ignoring case, and spaces or hyphens for underscores ("Fixed term" is fixed_term); the
        # value stored is the code as the code list spells it.
        canonical = {c.upper(): c for c in table.all_codes(col.codes)}
        allowed = sorted(c.upper() for c in table.allowed_codes(col.codes, year))
        ever = set(canonical)
        upper = raw.str.strip_chars().str.to_uppercase()
        if any("_" in c for c in ever):
            upper = upper.str.replace_all(r"[\s\-]+", "_")
        bad = present & ~upper.is_in(allowed)
        # A collection year's code lists may differ from another's: say which year was checked. (Periods with
        # a name of their own — a month, a register — use lists without years.)
        when = f" for {period.label}" if period and period.name is None else ""
        errs.append(_Check(bad & upper.is_in(sorted(ever)), col.name, raw, "code_wrong_year",
            pl.format(f"{col.name} '{{}}' is not valid{when} (valid in other collection years)", raw)))
        errs.append(_Check(bad & ~upper.is_in(sorted(ever)), col.name, raw, "code_unknown",
            pl.format(f"{col.name} '{{}}' is not a valid {col.name} code{when}", raw)))
        typed = upper.replace(canonical) if any(k != v for k, v in canonical.items()) else upper
    elif col.type in ("integer", "number"):
        dtype = pl.Int64 if col.type == "integer" else pl.Float64
        # "nan" and "inf" parse as floats but are no number a return holds (pandas writes "nan" for a blank).
        parsed = raw.cast(pl.Float64, strict=False)
        parsed = pl.when(parsed.is_finite()).then(parsed).otherwise(None)
        low, high = col.min, col.max
        if col.type == "integer":
            # Excel exports whole numbers as "12.0": accept those as integers. raw.* stores INTEGER (32 bits).
            parsed = pl.when(parsed == parsed.round(0)).then(parsed).otherwise(None)
            low = INT32_MIN if low is None else low
            high = INT32_MAX if high is None else high
        kind = "an integer" if col.type == "integer" else "a number"
        errs.append(_Check(present & parsed.is_null(), col.name, raw, "not_a_number",
                            pl.format(f"{col.name} '{{}}' is not {kind}", raw)))
        if low is not None:
            errs.append(_Check(parsed < low, col.name, raw, "out_of_range",
                                pl.format(f"{col.name} {{}} is below the minimum {_bound(low)}", raw)))
        if high is not None:
            errs.append(_Check(parsed > high, col.name, raw, "out_of_range",
                                pl.format(f"{col.name} {{}} is above the maximum {_bound(high)}", raw)))
        if col.type == "integer":
            parsed = pl.when(parsed.is_between(INT32_MIN, INT32_MAX)).then(parsed).otherwise(None)
        typed = parsed.cast(dtype)
    elif col.type == "postcode":
        compact = raw.str.to_uppercase().str.replace_all(r"\s+", "")
        ok = compact.str.contains(POSTCODE_PATTERN)
        errs.append(_Check(present & ~ok, col.name, _masked_postcode(raw), "postcode_format",
                            pl.lit(f"{col.name} is not a UK postcode")))
        typed = compact.str.slice(0, compact.str.len_chars() - 3) + " " + compact.str.slice(-3)
    elif col.type == "boolean":
        lower = raw.str.to_lowercase()
        errs.append(_Check(present & ~lower.is_in(TRUE_WORDS + FALSE_WORDS), col.name, raw,
                            "not_yes_or_no", pl.format(f"{col.name} '{{}}' is not yes or no", raw)))
        typed = pl.when(lower.is_in(TRUE_WORDS)).then(True).when(lower.is_in(FALSE_WORDS)).then(False)
    elif col.type == "pseudonym":
        if pseudonym_key is None:
            raise ValueError(f"{table.dataset}.{table.name}.{col.name} needs a pseudonymisation key")
        from ingest.pseudonym import pseudonymise

        # A child's pseudonym starts C, a worker's W, so the two can never be mistaken for each other.
        prefix = "C" if col.target == "child_id" else "W"
        typed = raw.map_batches(lambda s: pseudonymise(s, pseudonym_key, prefix), return_dtype=pl.String)
    else:
        typed = scrub_free_text(raw) if col.scrub else raw
    return typed.alias(out_name), errs


INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _check_keys(table: Table, frame: pl.DataFrame, kept: tuple[Column, ...]) -> list[pl.LazyFrame]:
    if not table.key or frame.height == 0:
        return []
    key = [f"__typed_{k}" for k in table.key]
    content = [c.name for c in kept]
    # Lazy, like the other checks: collected with them in `_combine`.
    keyed = frame.lazy().filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
    # An exact repeat of an earlier row: reject the repeats, keep the first.
    repeat = keyed.with_columns(pl.int_range(pl.len()).over(content).alias("_nth"))
    dupe_rows = _errors(repeat, _Check(pl.col("_nth") > 0, "", pl.lit(None), "duplicate_row",
                                       pl.lit("exact repeat of an earlier row")))
    # The same key with different content: nobody can tell which is right, so reject them all.
    distinct = repeat.filter(pl.col("_nth") == 0).with_columns(pl.len().over(key).alias("_n"))
    key_label = "+".join(table.key)
    clash = _errors(distinct, _Check(
        pl.col("_n") > 1, key_label, pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator="|"),
        "duplicate_key", pl.format(f"{key_label} appears on {{}} rows with different values", pl.col("_n"))))
    return [dupe_rows, clash]


def _check_rules(table: Table, period: Period | None, today: date) -> list[_Check]:
    errs = []
    t = lambda name: pl.col(f"__typed_{name}")  # noqa: E731
    for spec in table.rules:
        rule = spec["rule"]
        if rule == "not_before":
            a, b = spec["column"], spec["other"]
            errs.append(_Check(t(a) < t(b), a, pl.col(a), "date_order",
                                pl.format(f"{a} {{}} is before {b} {{}}", pl.col(a), pl.col(b))))
        elif rule == "required_with":
            a, b = spec["column"], spec["when"]
            errs.append(_Check(t(a).is_null() & t(b).is_not_null(), a, pl.col(a), "required_with",
                                pl.format(f"{a} is required when {b} is given ({b} {{}})", pl.col(b))))
        elif rule == "required_when_value":
            a, b, value = spec["column"], spec["when"], spec["equals"]
            errs.append(_Check(t(a).is_null() & (t(b) == value).fill_null(False), a, pl.col(a),
                                "required_with", pl.lit(f"{a} is required when {b} is {value}")))
        elif rule == "highest_present":
            # e.g. a complaint's stage is the highest stage with a start date
            a, dates = spec["column"], spec["columns"]
            highest = pl.lit(None, pl.Int64)
            for i, d in enumerate(dates, 1):
                highest = pl.when(t(d).is_not_null()).then(pl.lit(i, pl.Int64)).otherwise(highest)
            errs.append(_Check(~t(a).cast(pl.Int64).eq_missing(highest), a, pl.col(a), "inconsistent",
                pl.format(f"{a} '{{}}' does not match the highest of {', '.join(dates)} given ({{}})",
                          pl.col(a).fill_null(""), highest.cast(pl.String).fill_null("none"))))
        elif rule == "not_in_future":
            for a in spec["columns"]:
                errs.append(_Check(t(a) > pl.lit(today), a, pl.col(a), "future_date",
                                    pl.format(f"{a} {{}} is in the future", pl.col(a))))
        elif rule in ("period_start_not_after_end", "period_end_not_before_start", "period_within"):
            if period is None:
                continue
            end = pl.lit(period.end)
            start = pl.lit(period.start)
            for a in spec["columns"]:
                if rule in ("period_start_not_after_end", "period_within"):
                    errs.append(_Check(t(a) > end, a, pl.col(a), "after_collection_year",
                        pl.format(f"{a} {{}} is after the end of {period.description} "
                                  f"({period.end:%d/%m/%Y})", pl.col(a))))
                if rule in ("period_end_not_before_start", "period_within"):
                    errs.append(_Check(t(a) < start, a, pl.col(a), "before_collection_year",
                        pl.format(f"{a} {{}} is before the start of {period.description} "
                                  f"({period.start:%d/%m/%Y})", pl.col(a))))
        else:
            raise ValueError(f"{table.dataset}.{table.name}: unknown rule {rule}")
    return errs
