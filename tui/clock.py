"""The clock the app and refreshes read, so tests can pin the time; and time limits."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timezone
from typing import TypeVar

T = TypeVar("T")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def pinned_clock(day: date) -> Clock:
    """A clock that always reads the last second of `day` in UTC (`--as-of`): the numbers
    as they stood at the end of that day, with that day's period complete to date."""
    moment = datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc)
    return lambda: moment


async def within(seconds: float | None, awaitable: Awaitable[T]) -> T:
    """`awaitable`'s result, or asyncio.TimeoutError after `seconds` (None: no limit).

    Not asyncio.wait_for where asyncio.timeout exists (3.11): wait_for runs the
    awaitable as a task of its own and can lose a cancel that lands as that task
    finishes, so a stopped collector went on fetching under a closed client."""
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await awaitable
    return await asyncio.wait_for(awaitable, seconds)  # pragma: no cover - Python 3.10
