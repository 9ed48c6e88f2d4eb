"""Reading dates and scores out of records, strictly: a bad value is rejected, never guessed."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Any, Literal


class BadValue(ValueError):
    """A record field that cannot be used; the message is the reason shown to people."""


# Dates a record can carry and still mean a day people lived through. Outside this,
# a value is a placeholder ("9999-12-31" for "no end"), an overflow or a unit mistake
# (milliseconds read as seconds), never a date to bucket.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)

DateFormat = Literal["iso", "unix_seconds", "unix_milliseconds"]


def parse_day(value: Any, date_format: DateFormat = "iso") -> date:
    """A calendar date in UTC from an ISO 8601 date or timestamp, or, when the config
    says so (`date_format`), Unix seconds or milliseconds.

    Timestamps with an offset are converted to UTC first; naive ones are taken as UTC.
    A number is never guessed to be seconds or milliseconds: with the default format
    it is refused. A date outside 1900–2999, or one that overflows on the way to UTC,
    is refused with the reason.
    """
    day = _parse_day(value, date_format)
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise BadValue(f"date {day.isoformat()} is outside 1900–2999")
    return day


def _parse_day(value: Any, date_format: DateFormat) -> date:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if date_format == "iso":
            raise BadValue("date is a number: set date_format to unix_seconds or unix_milliseconds")
        if not math.isfinite(value):
            raise BadValue("date is not a finite number")
        seconds = value / 1000 if date_format == "unix_milliseconds" else value
        try:
            moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise BadValue(f"date {value:g} is out of range") from None
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if date_format != "iso":
            try:
                number = float(text)
            except ValueError:
                raise BadValue(f"not a Unix timestamp: {value[:40]!r}") from None
            return _parse_day(number, date_format)
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
        try:
            moment = moment.astimezone(timezone.utc)
        except OverflowError:
            raise BadValue(f"date {moment.isoformat()} is out of range in UTC") from None
    return moment.date()


def parse_optional_day(value: Any, date_format: DateFormat = "iso") -> date | None:
    """Like `parse_day`, but a missing value (None or "") means no date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_day(value, date_format)


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
