"""Reading dates and scores out of records, strictly: a bad value is rejected, never guessed."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Any


class BadValue(ValueError):
    """A record field that cannot be used; the message is the reason shown to people."""


def parse_day(value: Any) -> date:
    """A calendar date in UTC from an ISO 8601 date or timestamp, or Unix seconds.

    Timestamps with an offset are converted to UTC first; naive ones are taken as UTC.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise BadValue("date is not a finite number")
        moment = datetime.fromtimestamp(value, tz=timezone.utc)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise BadValue(f"not an ISO 8601 date: {value[:40]!r}") from None
    elif value is None or value == "":
        raise BadValue("date is missing")
    else:
        raise BadValue(f"not a date: {type(value).__name__}")
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date()


def parse_optional_day(value: Any) -> date | None:
    """Like `parse_day`, but a missing value (None or "") means no date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_day(value)


def parse_number(value: Any) -> float:
    """A finite number from a JSON number or a numeric string ("9", "4.5")."""
    if isinstance(value, bool):
        raise BadValue("expected a number, got true/false")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise BadValue(f"not a number: {value[:40]!r}") from None
    elif value is None:
        raise BadValue("score is missing")
    else:
        raise BadValue(f"not a number: {type(value).__name__}")
    if not math.isfinite(number):
        raise BadValue("not a finite number")
    return number


def parse_scale_answer(value: Any, low: float, high: float) -> int:
    """A whole-number answer on a scale such as 0–10 or 1–5; anything else is rejected."""
    number = parse_number(value)
    if not number.is_integer():
        raise BadValue(f"score {number:g} is not a whole number")
    if not low <= number <= high:
        raise BadValue(f"score {number:g} is outside {low:g}–{high:g}")
    return int(number)
