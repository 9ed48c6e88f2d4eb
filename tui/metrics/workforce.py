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

from bisect import bisect_left, bisect_right
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


class Tenures:
    """Tenures sorted by their first and by their last day, so that each count a period
    needs is a pair of binary searches, not a pass over everyone: a refresh measures
    every segment in every week, month and quarter it stores, and a pass each made a
    50,000-person company's turnover take seconds a refresh.

    The counts rest on every end being on or after its start (the records' reading
    refuses the others), so that "ended by day d" implies "started by day d".
    """

    def __init__(self, tenures: Sequence[Tenure]) -> None:
        if any(t.end is not None and t.end < t.start for t in tenures):
            raise ValueError("a tenure ends before it starts")
        self._starts = sorted(t.start for t in tenures)
        ended = sorted((t.end, t.start) for t in tenures if t.end is not None)
        self._ends = [end for end, _ in ended]
        self._starts_by_end = [start for _, start in ended]

    def __len__(self) -> int:
        return len(self._starts)

    def started(self, first: date, last: date) -> int:
        """Tenures that started from `first` to `last`, both included."""
        return bisect_right(self._starts, last) - bisect_left(self._starts, first)

    def ended(self, first: date, last: date) -> int:
        """Tenures that ended from `first` to `last`, both included."""
        return bisect_right(self._ends, last) - bisect_left(self._ends, first)

    def active_on(self, day: date) -> int:
        """Started on or before `day`, and no end on or before it."""
        return bisect_right(self._starts, day) - bisect_right(self._ends, day)

    def active_during(self, first: date, last: date) -> int:
        """Active at any time from `first` to `last` (not before `first`): started by
        `last`, not ended before `first`."""
        return bisect_right(self._starts, last) - bisect_left(self._ends, first)

    def active_on_and_ended_by(self, day: date, last: date) -> int:
        """Active on `day` and ended after it, by `last`."""
        low, high = bisect_right(self._ends, day), bisect_right(self._ends, last)
        # Those ending in (day, last] that had started by `day`: a period's leavers, few.
        return sum(1 for start in self._starts_by_end[low:high] if start <= day)


def _measured_last_day(period: Period, today: date) -> date:
    return min(period.last_day, today)


def headcount(tenures: Tenures, period: Period, today: date) -> Aggregate:
    """People employed on the period's last day (today, for the current period)."""
    if period.start > today:
        return Aggregate(None, 0)
    count = tenures.active_on(_measured_last_day(period, today))
    return Aggregate(float(count) if count else None, count)


def turnover_rate(tenures: Tenures, period: Period, today: date) -> Aggregate:
    """Terminations in the period ÷ average headcount, in percent.

    n is the number of people employed at any time in the period.
    """
    if period.start > today:
        return Aggregate(None, 0)
    last_day = _measured_last_day(period, today)
    at_start = tenures.active_on(period.start - timedelta(days=1))
    at_end = tenures.active_on(last_day)
    leavers = tenures.ended(period.start, last_day)
    employed = tenures.active_during(period.start, last_day)
    average = (at_start + at_end) / 2
    if average == 0:
        return Aggregate(None, employed)
    rate = 100.0 * leavers / average
    # Each of the `average` people left or not: a share's spread, per person employed.
    share = min(1.0, leavers / average)
    variance = 10_000.0 * share * (1 - share) * employed / average
    return Aggregate(rate, employed, variance)


def hires(tenures: Tenures, period: Period, today: date) -> Aggregate:
    """Spells of employment that started in the period (to today, for the current one).

    n is the number of people employed at any time in the period, as for turnover:
    the group the count is about, which the anonymity threshold applies to.
    """
    if period.start > today:
        return Aggregate(None, 0)
    last_day = _measured_last_day(period, today)
    count = tenures.started(period.start, last_day)
    employed = tenures.active_during(period.start, last_day)
    return Aggregate(float(count) if employed else None, employed)


def separations(tenures: Tenures, period: Period, today: date) -> Aggregate:
    """Spells of employment that ended in the period (to today); n as for `hires`."""
    if period.start > today:
        return Aggregate(None, 0)
    last_day = _measured_last_day(period, today)
    count = tenures.ended(period.start, last_day)
    employed = tenures.active_during(period.start, last_day)
    return Aggregate(float(count) if employed else None, employed)


def churn_rate(contracts: Tenures, period: Period, today: date) -> Aggregate:
    """Customers at the period's start who ended in it ÷ customers at its start, in percent.

    n is the number of customers at the start. Customers who both start and
    end inside the period are not in the base, so they do not count as churn.
    """
    if period.start > today:
        return Aggregate(None, 0)
    day_before = period.start - timedelta(days=1)
    base = contracts.active_on(day_before)
    if not base:
        return Aggregate(None, 0)
    lost = contracts.active_on_and_ended_by(day_before, _measured_last_day(period, today))
    rate = 100.0 * lost / base
    return Aggregate(rate, base, share_spread(rate))
