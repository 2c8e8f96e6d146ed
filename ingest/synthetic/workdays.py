"""Working days in England: weekdays that are not bank holidays (the `holidays` package, GB / ENG).

Dates are days since 1970-01-01 (see `codes.day`). The table is built once per process for the years asked
for and widened on demand; a date's answer never depends on which years were built.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from .codes import day

__all__ = ["WorkingDays"]


class WorkingDays:
    """`add(d, n)`: the n-th working day after day d; `between(a, b)`: working days in (a, b]."""

    def __init__(self, first_year: int, last_year: int):
        self.first_year = self.last_year = 0
        self._build(first_year, last_year)

    def _build(self, first_year: int, last_year: int) -> None:
        import holidays

        self.first_year, self.last_year = first_year, last_year
        self.first = day(date(first_year, 1, 1))
        last = day(date(last_year, 12, 31))
        days = np.arange(self.first, last + 1)
        work = (days + 3) % 7 < 5  # 1970-01-01 was a Thursday
        for d in holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1)):
            k = day(d) - self.first
            if 0 <= k < len(work):
                work[k] = False
        self.is_work = work
        self.cum = np.cumsum(work)  # working days on or before each day
        self.work_days = days[work]
        self._cum = self.cum.tolist()
        self._wd = self.work_days.tolist()

    def _ensure(self, d: int) -> None:
        k = d - self.first
        if k < 0 or k >= len(self._cum) - 40:
            y = date.fromordinal(d + date(1970, 1, 1).toordinal()).year
            self._build(min(self.first_year, y - 1), max(self.last_year, y + 1))

    def add(self, d: int, n: int) -> int:
        """The n-th working day after d (n >= 1); n = 0 gives d if it is a working day, else the next one."""
        i = d - self.first
        if i < 0 or i + 2 * n + 50 >= len(self._cum):
            self._ensure(d + 2 * n + 10)
            self._ensure(d)
            i = d - self.first
        k = self._cum[i]  # working days on or before d
        if n == 0:
            return d if self.is_work[d - self.first] else self._wd[k]
        return self._wd[k + n - 1]

    def between(self, a: int, b: int) -> int:
        """Working days after a, up to and including b (negative if b < a)."""
        self._ensure(max(a, b))
        self._ensure(min(a, b))
        return self._cum[b - self.first] - self._cum[a - self.first]

    def is_working(self, d: int) -> bool:
        self._ensure(d)
        return bool(self.is_work[d - self.first])
