"""Pure helpers for the QA framework page: the register of tasks, what is due in a month and a quarter, and the
reports delivered late or not at all (no Streamlit here, so it can be unit tested).

The register (`qa_register`) is the council's quality-assurance framework, one row per task × audience
(× frequency); the schedule (`qa_schedule`) expands each scheduled task × audience into due periods and matches
the activity log against them (docs/contracts.md, "The QA framework, activity log and case-file audits").

Nothing here is about children, so nothing is suppressed. Task text, references and role names are free text
from the council: the page escapes them for Markdown on screen, and `app.downloads` makes the CSVs safe.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from app import formatting
from app.monthly import Month, month_label, parse_month

Row = dict[str, Any]

FREQUENCY_LABELS = {
    "weekly": "weekly",
    "monthly": "monthly",
    "bi_monthly": "every two months",
    "quarterly": "quarterly",
    "three_times_yearly": "three times a year",
    "twice_yearly": "twice a year",
    "annually": "annually",
    "as_required": "as required",
    "per_meeting": "at each meeting",
}
FREQUENCY_ORDER = {f: n for n, f in enumerate(FREQUENCY_LABELS)}

DELIVERED, LATE, OVERDUE, DUE = "delivered", "late", "overdue", "due"
STATUSES = (DELIVERED, LATE, OVERDUE, DUE)
STATUS_LABELS = {DELIVERED: "Delivered", LATE: "Late", OVERDUE: "Overdue", DUE: "Due"}
STATUS_MEANINGS = {
    DELIVERED: "delivered on or before its due date",
    LATE: "delivered after its due date",
    OVERDUE: "not delivered, and its due date has passed",
    DUE: "not delivered yet, and not yet due",
}
# Columns holding free text from the council (task text, references, role and measure names): escaped for
# Markdown on screen, kept as they are (but formula-safe) in downloads.
ESCAPED_COLUMNS = (
    "Task",
    "Part",
    "Section",
    "Who does it",
    "What is done",
    "How often",
    "Reported to",
    "Purpose",
    "Measures serving it",
    "Report",
    "To",
    "Period covered",
    "Reference",
    "Latest late or overdue",
)
MISSED_MONTHS = 12
SUMMARY_LIMIT = 110
NOT_RECORDED = "not recorded"


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def task_key(task_number: Any) -> tuple:
    """Natural order of task numbers: 4.2 before 4.10; anything else after, as text."""
    text = _text(task_number)
    parts = text.split(".")
    if all(p.isdigit() for p in parts) and text:
        return (0, *(int(p) for p in parts))
    return (1, text.casefold())


def humanise(role_id: str) -> str:
    """A role id as words when no name is known: heads_of_service -> "Heads of service"."""
    words = role_id.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else role_id


def split_ids(value: Any) -> list[str]:
    """`;`-separated ids (commas tolerated), trimmed, in order, without repeats."""
    out: list[str] = []
    for part in re.split(r"[;,]", _text(value)):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def summary(text: Any, limit: int = SUMMARY_LIMIT) -> str:
    """The start of a task's text: its first sentence if short enough, else cut at a word, with an ellipsis."""
    text = _text(text)
    if len(text) <= limit:
        return text
    sentence = re.match(r"^(.{20,}?[.!?])\s", text)
    if sentence and len(sentence.group(1)) <= limit:
        return sentence.group(1)
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def frequency_label(frequency: Any) -> str:
    code = _text(frequency).lower()
    return FREQUENCY_LABELS.get(code, code.replace("_", " "))


# --- the register ------------------------------------------------------------------------------------------


@dataclass
class Task:
    task_number: str
    part: int | None
    part_name: str
    section: str
    role_text: str
    role_ids: list[str]
    task: str
    frequency_text: str
    purpose: str
    audiences: dict[str, list[str]] = field(default_factory=dict)  # audience id -> frequencies
    indicator_ids: list[str] = field(default_factory=list)


class Register:
    """The framework's tasks, in order, with names for roles and measures."""

    def __init__(
        self,
        df: pl.DataFrame,
        role_names: Mapping[str, str] | None = None,
        indicator_names: Mapping[str, str] | None = None,
    ) -> None:
        tasks: dict[str, Task] = {}
        names: dict[str, str] = {}
        for r in df.to_dicts():
            number = _text(r.get("task_number"))
            if not number:
                continue
            task = tasks.get(number)
            if task is None:
                part = r.get("part")
                task = tasks[number] = Task(
                    task_number=number,
                    part=int(part) if part is not None else None,
                    part_name=_text(r.get("part_name")),
                    section=_text(r.get("section")),
                    role_text=_text(r.get("role_text")),
                    role_ids=split_ids(r.get("role_ids")),
                    task=_text(r.get("task")),
                    frequency_text=_text(r.get("frequency_text")),
                    purpose=_text(r.get("purpose")),
                )
            audience = _text(r.get("audience_id"))
            if audience:
                frequencies = task.audiences.setdefault(audience, [])
                frequency = _text(r.get("frequency")).lower()
                if frequency and frequency not in frequencies:
                    frequencies.append(frequency)
                if r.get("audience_name"):
                    names.setdefault(audience, _text(r["audience_name"]))
            for indicator_id in split_ids(r.get("indicator_ids")):
                if indicator_id not in task.indicator_ids:
                    task.indicator_ids.append(indicator_id)
        self.role_names = names | {k: _text(v) for k, v in (role_names or {}).items() if v}
        for task in tasks.values():
            for frequencies in task.audiences.values():
                frequencies.sort(key=lambda f: FREQUENCY_ORDER.get(f, len(FREQUENCY_ORDER)))
            # most frequent first, then by name
            task.audiences = dict(
                sorted(
                    task.audiences.items(),
                    key=lambda kv: (
                        min(
                            (FREQUENCY_ORDER.get(f, len(FREQUENCY_ORDER)) for f in kv[1]), default=len(FREQUENCY_ORDER)
                        ),
                        self.role_name(kv[0]).casefold(),
                    ),
                )
            )
        self.tasks = sorted(
            tasks.values(), key=lambda t: (t.part if t.part is not None else 99, task_key(t.task_number))
        )
        self._by_number = {t.task_number: t for t in self.tasks}
        self.indicator_names = dict(indicator_names or {})

    def __len__(self) -> int:
        return len(self.tasks)

    def get(self, task_number: Any) -> Task | None:
        return self._by_number.get(_text(task_number))

    def role_name(self, role_id: str) -> str:
        return self.role_names.get(role_id) or humanise(role_id)

    def indicator_name(self, indicator_id: str) -> str:
        return self.indicator_names.get(indicator_id) or indicator_id

    def doers(self) -> list[str]:
        """Role ids that do at least one task, by name."""
        found = {r for t in self.tasks for r in t.role_ids}
        return sorted(found, key=lambda r: self.role_name(r).casefold())

    def audiences(self) -> list[str]:
        """Audience ids that receive at least one task, by name."""
        found = {a for t in self.tasks for a in t.audiences}
        return sorted(found, key=lambda a: self.role_name(a).casefold())

    def match_role(self, raw: str | None, options: Sequence[str]) -> str | None:
        """A role id among `options` from the web address: its id or its name, in any case."""
        if raw is None:
            return None
        wanted = " ".join(str(raw).replace("+", " ").split()).casefold()
        for role_id in options:
            if role_id.casefold() == wanted or role_id.casefold() == wanted.replace(" ", "_"):
                return role_id
        for role_id in options:
            if self.role_name(role_id).casefold() == wanted:
                return role_id
        return None

    def audience_text(self, task: Task) -> str:
        return "; ".join(
            f"{self.role_name(a)} ({', '.join(frequency_label(f) for f in fs)})" if fs else self.role_name(a)
            for a, fs in task.audiences.items()
        )

    def haystack(self, task: Task) -> str:
        parts = [
            task.task_number,
            task.part_name,
            task.section,
            task.role_text,
            *(self.role_name(r) for r in task.role_ids),
            task.task,
            task.frequency_text,
            task.purpose,
            *(self.role_name(a) for a in task.audiences),
            *(self.indicator_name(i) for i in task.indicator_ids),
            *task.indicator_ids,
        ]
        return " ".join(parts).casefold()

    def filter(self, role: str | None = None, audience: str | None = None, search: str = "") -> list[Task]:
        """Tasks done by `role`, received by `audience` and containing every word of `search` (any case)."""
        words = _text(search).casefold().split()
        out = []
        for task in self.tasks:
            if role and role not in task.role_ids:
                continue
            if audience and audience not in task.audiences:
                continue
            if words:
                hay = self.haystack(task)
                if not all(w in hay for w in words):
                    continue
            out.append(task)
        return out


REGISTER_COLUMNS = [
    "Task",
    "Part",
    "Section",
    "Who does it",
    "What is done",
    "How often",
    "Reported to",
    "Purpose",
    "Measures serving it",
]


def register_table(register: Register, tasks: Iterable[Task]) -> pl.DataFrame:
    """One row per task, as shown and downloaded."""
    out = []
    for t in tasks:
        part = f"Part {t.part}" + (f": {t.part_name}" if t.part_name else "") if t.part is not None else t.part_name
        cells = [
            t.task_number,
            part,
            t.section,
            t.role_text or "; ".join(register.role_name(r) for r in t.role_ids),
            t.task,
            t.frequency_text,
            register.audience_text(t),
            t.purpose,
            "; ".join(register.indicator_name(i) for i in t.indicator_ids),
        ]
        out.append(dict(zip(REGISTER_COLUMNS, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in REGISTER_COLUMNS})


# --- months ------------------------------------------------------------------------------------------------


def month_of(d: dt.date) -> Month:
    start = (_date(d) or d).replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return Month(month_label(start), start, end)


def month_param(month: Month) -> str:
    """How the web address holds a month: 2024-12."""
    return f"{month.start:%Y-%m}"


def months_between(first: dt.date, last: dt.date) -> list[Month]:
    """Every month from `first`'s to `last`'s, newest first."""
    out = []
    current = first.replace(day=1)
    while current <= last:
        out.append(month_of(current))
        current = formatting.shift_months(current, 1)
    return out[::-1]


def schedule_months(span: Mapping[str, Any]) -> list[Month]:
    """Months a calendar can show: from the first due date (or the log's as-at date) to the last, newest first."""
    dates = [_date(span.get(k)) for k in ("first_due", "last_due", "as_at_date")]
    known = [d for d in dates if d is not None]
    if not known:
        return []
    return months_between(min(known), max(known))


def match_month(raw: str | None, months: Sequence[Month]) -> str | None:
    """The label of the month `raw` names ("2024-12", "Dec 2024"), if it is one of `months`."""
    wanted = parse_month(raw)
    if wanted is None:
        return None
    return next((m.label for m in months if (m.start.year, m.start.month) == wanted), None)


def quarter_of(d: dt.date) -> tuple[str, dt.date, dt.date]:
    """The financial-year quarter holding `d`: (label, start, end)."""
    start = dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    end = formatting.shift_months(start, 3) - dt.timedelta(days=1)
    return formatting.quarter_label(start), start, end


# --- the schedule ------------------------------------------------------------------------------------------

SCHEDULE_COLUMNS = ["Due by", "Task", "Report", "To", "How often", "Period covered", "Status", "Delivered", "Reference"]


def due_days_text(df: pl.DataFrame) -> str:
    """How long after its period a report is due, read from the schedule: "A report is due 30 days after the end of
    the period it covers. " ('' when the schedule does not say, or says several things)."""
    gaps = {
        (due - end).days
        for r in df.to_dicts()
        if (due := _date(r.get("due_date"))) is not None and (end := _date(r.get("period_end"))) is not None
    }
    if len(gaps) != 1:
        return ""
    days = gaps.pop()
    return f"A report is due {days:,} day{'s' if days != 1 else ''} after the end of the period it covers. "


def status_label(status: Any) -> str:
    code = _text(status).lower()
    return STATUS_LABELS.get(code, code.capitalize() or NOT_RECORDED)


def _sorted(rows: Iterable[Row]) -> list[Row]:
    return sorted(
        rows,
        key=lambda r: (
            _date(r.get("due_date")) or dt.date.max,
            task_key(r.get("task_number")),
            _text(r.get("audience_id")),
            _date(r.get("period_start")) or dt.date.min,
        ),
    )


def _in(rows: Iterable[Row], first: dt.date, last: dt.date) -> list[Row]:
    return [r for r in rows if (d := _date(r.get("due_date"))) is not None and first <= d <= last]


def _report(register: Register, task_number: Any) -> str:
    task = register.get(task_number)
    return summary(task.task) if task else ""


def _period(r: Row) -> str:
    label = _text(r.get("period_label"))
    if label:
        return label
    start, end = _date(r.get("period_start")), _date(r.get("period_end"))
    if start and end:
        return f"{formatting.long_date(start)} to {formatting.long_date(end)}"
    return ""


def schedule_table(df: pl.DataFrame, register: Register, first: dt.date, last: dt.date) -> pl.DataFrame:
    """Every scheduled report due from `first` to `last`, by due date, with its status."""
    out = []
    for r in _sorted(_in(df.to_dicts(), first, last)):
        delivered = _date(r.get("delivered_date"))
        cells = [
            formatting.long_date(_date(r.get("due_date"))),
            _text(r.get("task_number")),
            _report(register, r.get("task_number")),
            register.role_name(_text(r.get("audience_id"))),
            frequency_label(r.get("frequency")),
            _period(r),
            status_label(r.get("status")),
            formatting.long_date(delivered) if delivered else "",
            _text(r.get("reference")),
        ]
        out.append(dict(zip(SCHEDULE_COLUMNS, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in SCHEDULE_COLUMNS})


def status_counts(df: pl.DataFrame, first: dt.date, last: dt.date) -> dict[str, int]:
    """Reports due from `first` to `last` by status (every status present, zeros included)."""
    out = dict.fromkeys(STATUSES, 0)
    for r in _in(df.to_dicts(), first, last):
        code = _text(r.get("status")).lower()
        out[code] = out.get(code, 0) + 1
    return out


def status_table(counts: Mapping[str, Mapping[str, int]]) -> pl.DataFrame:
    """A row per status, a column per period ({period label: counts}), and the total."""
    columns = ["Status", *counts]
    statuses = list(STATUSES) + sorted({s for c in counts.values() for s in c} - set(STATUSES))
    out = []
    for status in statuses:
        cells = [status_label(status), *(f"{c.get(status, 0):,}" for c in counts.values())]
        out.append(dict(zip(columns, cells, strict=True)))
    out.append(dict(zip(columns, ["All reports due", *(f"{sum(c.values()):,}" for c in counts.values())], strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


MISSED_COLUMNS = [
    "Task",
    "Report",
    "To",
    "How often",
    "Reports due",
    "Delivered on time",
    "Late",
    "Overdue",
    "Latest late or overdue",
]


def missed_by_task(df: pl.DataFrame, register: Register, first: dt.date, last: dt.date) -> pl.DataFrame:
    """Per task and audience with any report late or overdue among those due from `first` to `last`: how many were
    due, on time, late and overdue. Most overdue first."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for r in _in(df.to_dicts(), first, last):
        groups.setdefault((_text(r.get("task_number")), _text(r.get("audience_id"))), []).append(r)
    records = []
    for (task_number, audience), rows in groups.items():
        statuses = [_text(r.get("status")).lower() for r in rows]
        late, overdue = statuses.count(LATE), statuses.count(OVERDUE)
        if not late and not overdue:
            continue
        missed = [r for r in rows if _text(r.get("status")).lower() in (LATE, OVERDUE)]
        latest = max(missed, key=lambda r: _date(r.get("due_date")) or dt.date.min)
        frequencies = sorted(
            {_text(r.get("frequency")).lower() for r in rows}, key=lambda f: FREQUENCY_ORDER.get(f, 99)
        )
        cells = [
            task_number,
            _report(register, task_number),
            register.role_name(audience),
            ", ".join(frequency_label(f) for f in frequencies),
            f"{len(rows):,}",
            f"{statuses.count(DELIVERED):,}",
            f"{late:,}",
            f"{overdue:,}",
            f"{_period(latest)} ({status_label(latest.get('status')).lower()})",
        ]
        records.append(((-overdue, -late, task_key(task_number), register.role_name(audience)), cells))
    records.sort(key=lambda t: t[0])
    out = [dict(zip(MISSED_COLUMNS, cells, strict=True)) for _, cells in records]
    return pl.DataFrame(out, schema={c: pl.String for c in MISSED_COLUMNS})


def missed_columns(as_at: dt.date | None) -> list[str]:
    return [
        "Due by",
        "Task",
        "Report",
        "To",
        "Period covered",
        "Status",
        "Delivered",
        f"Days late (overdue ones: on {formatting.long_date(as_at)})" if as_at else "Days late",
        "Reference",
    ]


def missed_list(
    df: pl.DataFrame, register: Register, first: dt.date, last: dt.date, as_at: dt.date | None
) -> pl.DataFrame:
    """Each report late or overdue among those due from `first` to `last`, by due date."""
    columns = missed_columns(as_at)
    out = []
    for r in _sorted(_in(df.to_dicts(), first, last)):
        status = _text(r.get("status")).lower()
        if status not in (LATE, OVERDUE):
            continue
        due, delivered = _date(r.get("due_date")), _date(r.get("delivered_date"))
        row_as_at = _date(r.get("as_at_date")) or as_at
        until = delivered if status == LATE else row_as_at
        days = f"{(until - due).days:,}" if due and until else ""
        cells = [
            formatting.long_date(due),
            _text(r.get("task_number")),
            _report(register, r.get("task_number")),
            register.role_name(_text(r.get("audience_id"))),
            _period(r),
            status_label(status),
            formatting.long_date(delivered) if delivered else "",
            days,
            _text(r.get("reference")),
        ]
        out.append(dict(zip(columns, cells, strict=True)))
    return pl.DataFrame(out, schema={c: pl.String for c in columns})


def role_names(roles: pl.DataFrame) -> dict[str, str]:
    """{role_id: role_name} from the roles table (empty frame: {})."""
    if roles.is_empty():
        return {}
    return {r["role_id"]: r["role_name"] for r in roles.to_dicts() if r.get("role_id") and r.get("role_name")}
