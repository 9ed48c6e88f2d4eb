"""People and customers over time: headcount, turnover and churn from start and end dates.

Definitions (shared/vendor-apis.md, "Standard metric definitions"):
- headcount on day d: started on or before d, and no end date on or before d;
- turnover in a period: 100 × ends dated in the period ÷ the mean of the
  headcount on the day before the period and on its last day;
- hires and separations in a period: spells of employment that started, or ended,
  in it;
- churn in a period: 100 × customers at the period's start whose end date falls
  in the period ÷ customers at the period's start.

For the period that holds `today`, "its last day" is today: a month in progress
is measured to date, not against people who might still leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tui.metrics.scores import Aggregate, share_spread
from tui.periods import Period


@dataclass(frozen=True)
class Tenure:
    """One person's employment, or one customer's contract: `end` is None while it lasts."""

    start: date
    end: date | None = None

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)


def headcount_on(tenures: Sequence[Tenure], day: date) -> int:
    return sum(1 for tenure in tenures if tenure.active_on(day))


def _measured_last_day(period: Period, today: date) -> date:
    return min(period.last_day, today)


def headcount(tenures: Sequence[Tenure], period: Period, today: date) -> Aggregate:
    """People employed on the period's last day (today, for the current period)."""
    if period.start > today:
        return Aggregate(None, 0)
    count = headcount_on(tenures, _measured_last_day(period, today))
    return Aggregate(float(count) if count else None, count)


def turnover_rate(tenures: Sequence[Tenure], period: Period, today: date) -> Aggregate:
    """Terminations in the period ÷ average headcount, in percent.

    n is the number of people employed at any time in the period.
    """
    if period.start > today:
        return Aggregate(None, 0)
    last_day = _measured_last_day(period, today)
    at_start = headcount_on(tenures, period.start - timedelta(days=1))
    at_end = headcount_on(tenures, last_day)
    leavers = _ended_in(tenures, period, last_day)
    employed = _employed_in(tenures, period, last_day)
    average = (at_start + at_end) / 2
    if average == 0:
        return Aggregate(None, employed)
    rate = 100.0 * leavers / average
    # Each of the `average` people left or not: a share's spread, per person employed.
    share = min(1.0, leavers / average)
    variance = 10_000.0 * share * (1 - share) * employed / average
    return Aggregate(rate, employed, variance)


def _employed_in(tenures: Sequence[Tenure], period: Period, last_day: date) -> int:
    """People employed at any time from the period's start to `last_day`."""
    return sum(
        1 for t in tenures if t.start <= last_day and (t.end is None or t.end >= period.start)
    )


def _ended_in(tenures: Sequence[Tenure], period: Period, last_day: date) -> int:
    """Spells that ended from the period's start to `last_day`."""
    return sum(1 for t in tenures if t.end is not None and period.start <= t.end <= last_day)


def hires(tenures: Sequence[Tenure], period: Period, today: date) -> Aggregate:
    """Spells of employment that started in the period (to today, for the current one).

    n is the number of people employed at any time in the period, as for turnover:
    the group the count is about, which the anonymity threshold applies to.
    """
    if period.start > today:
        return Aggregate(None, 0)
    last_day = _measured_last_day(period, today)
    count = sum(1 for t in tenures if period.start <= t.start <= last_day)
    employed = _employed_in(tenures, period, last_day)
    return Aggregate(float(count) if employed else None, employed)


def separations(tenures: Sequence[Tenure], period: Period, today: date) -> Aggregate:
    """Spells of employment that ended in the period (to today); n as for `hires`."""
    if period.start > today:
        return Aggregate(None, 0)
    last_day = _measured_last_day(period, today)
    count = _ended_in(tenures, period, last_day)
    employed = _employed_in(tenures, period, last_day)
    return Aggregate(float(count) if employed else None, employed)


def churn_rate(contracts: Sequence[Tenure], period: Period, today: date) -> Aggregate:
    """Customers at the period's start who ended in it ÷ customers at its start, in percent.

    n is the number of customers at the start. Customers who both start and
    end inside the period are not in the base, so they do not count as churn.
    """
    if period.start > today:
        return Aggregate(None, 0)
    day_before = period.start - timedelta(days=1)
    last_day = _measured_last_day(period, today)
    base = [c for c in contracts if c.active_on(day_before)]
    if not base:
        return Aggregate(None, 0)
    lost = sum(1 for c in base if c.end is not None and c.end <= last_day)
    rate = 100.0 * lost / len(base)
    return Aggregate(rate, len(base), share_spread(rate))
