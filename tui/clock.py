"""The clock the app and refreshes read, so tests can pin the time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def pinned_clock(day: date) -> Clock:
    """A clock that always reads the last second of `day` in UTC (`--as-of`): the numbers
    as they stood at the end of that day, with that day's period complete to date."""
    moment = datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc)
    return lambda: moment
