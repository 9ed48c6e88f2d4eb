"""Calendar periods (week, month, quarter) that observations are bucketed into.

Weeks are ISO weeks starting on Monday; months and quarters are calendar ones.
Every date here is a calendar date in UTC: sources convert timestamps first.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Granularity = Literal["week", "month", "quarter"]

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, order=True)
class Period:
    """One calendar period: `start` is its first day, `end` the first day after it."""

    start: date
    end: date
    granularity: Granularity

    @functools.cached_property
    def key(self) -> str:
        """A stable, sortable key: 2026-W05, 2026-03 or 2026-Q1 (worked out once: the
        disclosure control alone asks a refresh's periods for it 60,000 times)."""
        if self.granularity == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.granularity == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        """A short label for people: 'W05 2026', 'Mar 2026', 'Q1 2026'."""
        if self.granularity == "week":
            year, week, _ = self.start.isocalendar()
            return f"W{week:02d} {year}"
        if self.granularity == "month":
            return f"{_MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def previous(self) -> Period:
        return period_of(self.start - timedelta(days=1), self.granularity)

    def next(self) -> Period:
        return period_of(self.end, self.granularity)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(day: date, granularity: Granularity) -> date:
    """The first day of the period of the given granularity that contains `day`: all
    that tells one period of a granularity from another, without building it."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return date(day.year, day.month, 1)
    if granularity == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    raise ValueError(f"unknown period granularity {granularity!r}")


def period_of(day: date, granularity: Granularity) -> Period:
    """The period of the given granularity that contains `day`."""
    start = period_start(day, granularity)
    if granularity == "week":
        return Period(start, start + timedelta(days=7), "week")
    return Period(start, _add_months(start, 1 if granularity == "month" else 3), granularity)


def last_periods(today: date, granularity: Granularity, count: int) -> list[Period]:
    """The `count` periods ending with the one that contains `today`, oldest first."""
    return list(_last_periods(today, granularity, count))


# A refresh asks for the same few axes once per source and granularity, and each
# repaint once per panel: building one was a quarter of computing a small source.
@functools.lru_cache(maxsize=64)
def _last_periods(today: date, granularity: Granularity, count: int) -> tuple[Period, ...]:
    periods = [period_of(today, granularity)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    periods.reverse()
    return tuple(periods)
