"""Answers counted by day, segment and score, a million at a time, as arrays.

A survey source hands over records as dicts; reading a million of them one by one in
Python costs about a microsecond each, most of it in reading the timestamp. Here the
three fields are taken out as columns and the common, well-formed case is checked and
counted with numpy: a UTC timestamp in one of the forms below, a whole-number score on
the scale (an int, or its plain digits as text), any segment. Every record the arrays
do not accept is returned by position, for the strict per-record reading
(tui.metrics.compute) to take or refuse with its reason; so the arrays decide nothing
the strict reading would decide otherwise.

Accepted: a bare date `YYYY-MM-DD`, or that date, a `T` or a space, `HH:MM:SS`, an
optional fraction of 3 or 6 digits, and `Z`, `z` or `+00:00`; hours 00–23, minutes and
seconds 00–59. Every supported Python reads these alike (`date.fromisoformat`,
`datetime.fromisoformat`), and the day of each is its first ten characters, checked
once per distinct day as a calendar date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

# Stamps checked at once: their characters take 128 bytes each while checked.
_SLICE = 100_000
# Bins of (day, segment, score) counted in one array; more, and they are sorted instead.
_MAX_BINS = 4_000_000
# Offsets of the digits in `YYYY-MM-DD` and in the `THH:MM:SS` after it.
_DATE_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9)
_TIME_DIGITS = (11, 12, 14, 15, 17, 18)
_ZONE = "+00:00"

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]


@dataclass
class Counted:
    """How many well-formed answers fell on each (day, segment, score), and the
    positions of the records left for the strict reading."""

    counts: dict[tuple[date, str | None, int | None], int]
    left: list[int]


def _utc_stamps(stamps: Sequence[str]) -> tuple[Bools, Ints]:
    """Which of `stamps` are in an accepted form, and each one's yyyymmdd."""
    width = max(map(len, stamps))
    if width > 32:
        # Longer than any accepted form: those are left, the rest checked as usual.
        stamps = [stamp if len(stamp) <= 32 else "" for stamp in stamps]
        width = 32
    if width < 10:
        return np.zeros(len(stamps), dtype=np.bool_), np.zeros(len(stamps), dtype=np.int64)
    # Shorter stamps are padded with NULs, which no form has where a character is due.
    width = max(width, 20)
    text = np.array(stamps, dtype=f"<U{width}")
    codes = text.view(np.uint32).reshape(len(stamps), width).astype(np.int32)
    # Python's lengths: numpy's would not count a trailing NUL.
    lengths = np.fromiter(map(len, stamps), dtype=np.int64, count=len(stamps))
    digit = codes - ord("0")

    def is_digit(column: int) -> Bools:
        return (digit[:, column] >= 0) & (digit[:, column] <= 9)

    def is_char(column: int, characters: str) -> Bools:
        found = np.zeros(len(stamps), dtype=np.bool_)
        for character in characters:
            found |= codes[:, column] == ord(character)
        return found

    date_part = is_char(4, "-") & is_char(7, "-")
    for column in _DATE_DIGITS:
        date_part &= is_digit(column)
    ok = date_part & is_char(10, "T ") & is_char(13, ":") & is_char(16, ":")
    for column in _TIME_DIGITS:
        ok &= is_digit(column)
    ok &= digit[:, 11] * 10 + digit[:, 12] <= 23
    ok &= (digit[:, 14] <= 5) & (digit[:, 17] <= 5)

    def fraction(digits: int) -> Bools:
        found = is_char(19, ".")
        for column in range(20, 20 + digits):
            found &= is_digit(column)
        return found

    def zone(at: int) -> Bools:
        if at + len(_ZONE) > width:
            return np.zeros(len(stamps), dtype=np.bool_)
        found = np.ones(len(stamps), dtype=np.bool_)
        for offset, character in enumerate(_ZONE):
            found &= codes[:, at + offset] == ord(character)
        return found

    def z(at: int) -> Bools:
        return is_char(at, "Zz") if at < width else np.zeros(len(stamps), dtype=np.bool_)

    tail = np.zeros(len(stamps), dtype=np.bool_)
    for length, form in (
        (20, z(19)),
        (24, fraction(3) & z(23) if width >= 24 else None),
        (27, fraction(6) & z(26) if width >= 27 else None),
        (25, zone(19)),
        (29, fraction(3) & zone(23) if width >= 29 else None),
        (32, fraction(6) & zone(26) if width >= 32 else None),
    ):
        if form is not None:
            tail |= (lengths == length) & form
    ok &= tail
    ok |= date_part & (lengths == 10)  # a bare date is its own day
    day = (
        (((digit[:, 0] * 10 + digit[:, 1]) * 10 + digit[:, 2]) * 10 + digit[:, 3]) * 10_000
        + (digit[:, 5] * 10 + digit[:, 6]) * 100
        + digit[:, 8] * 10
        + digit[:, 9]
    )
    return ok, np.where(ok, day, 0)


def _all_of_type(values: Sequence[Any], kind: type) -> bool:
    """Whether every value is exactly of `kind` (not a subclass: True is no score)."""
    return set(map(type, values)) == {kind}


def _integers(values: Sequence[int]) -> Ints | None:
    """Python ints as an array; None where one does not fit in 64 bits."""
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError:
        return None


def count_answers(
    stamps: Sequence[Any],
    scores: Sequence[Any] | None,
    segments: Sequence[Any] | None,
    scale: tuple[int, int],
    valid_day: Callable[[int, int, int], date | None],
    segment_named: Callable[[Any], str | None],
) -> Counted:
    """Count the well-formed answers among parallel columns of raw field values.

    `scores` None: each record counts (a count metric), with score None. `segments`
    None: the metric has no segment field. `valid_day(y, m, d)` is the day, or None
    where the strict reading would refuse it (not a date, or out of range);
    `segment_named(raw)` the segment a field's value names.
    """
    total = len(stamps)
    if _all_of_type(stamps, str):
        is_text = np.ones(total, dtype=np.bool_)
    else:
        is_text = np.fromiter((type(stamp) is str for stamp in stamps), np.bool_, count=total)
    ok = np.zeros(total, dtype=np.bool_)
    yyyymmdd = np.zeros(total, dtype=np.int64)
    text_at = np.flatnonzero(is_text)
    # In slices: the characters of a slice of stamps are a matrix of 4-byte cells.
    for start in range(0, len(text_at), _SLICE):
        at = text_at[start : start + _SLICE]
        texts = (
            stamps[start : start + _SLICE]
            if len(text_at) == total
            else [stamps[i] for i in at.tolist()]
        )
        found, days = _utc_stamps(texts)
        ok[at], yyyymmdd[at] = found, days
    low, high = scale
    if scores is not None:
        outside = low - 1
        # A CSV file's answers are text: "9" is read as 9, and only the plain digits of
        # a score on the scale are taken here ("09", " 9" and "9.0" go to the strict
        # reading, which takes them too).
        texts_of = {str(score): score for score in range(low, high + 1)}
        values = _integers(scores) if _all_of_type(scores, int) else None
        if values is None and _all_of_type(scores, str):
            values = np.fromiter(
                map(texts_of.get, scores, repeat(outside)), dtype=np.int64, count=total
            )
        if values is None:
            values = np.fromiter(
                (
                    score
                    if type(score) is int and low <= score <= high
                    else texts_of.get(score, outside)
                    if type(score) is str
                    else outside
                    for score in scores
                ),
                dtype=np.int64,
                count=total,
            )
        values[(values < low) | (values > high)] = outside
        ok &= values != outside
    else:
        values = np.zeros(total, dtype=np.int64)
        low = high = 0
    # Days: each distinct one checked once as a calendar date.
    distinct, day_index = np.unique(np.where(ok, yyyymmdd, 0), return_inverse=True)
    day_of: list[date | None] = []
    for key in distinct.tolist():
        day_of.append(valid_day(key // 10_000, key // 100 % 100, key % 100) if key else None)
    good_day = np.array([day is not None for day in day_of], dtype=np.bool_)
    ok &= good_day[day_index.reshape(-1)]
    # Segments: each distinct raw value numbered; an unhashable one is left.
    numbers: dict[tuple[type, Any], int] = {}
    raws: list[Any] = []
    if segments is not None and _all_of_type(segments, str):
        numbers_of = {name: at for at, name in enumerate(dict.fromkeys(segments))}
        raws.extend(numbers_of)
        segment_number = np.fromiter(
            map(numbers_of.__getitem__, segments), dtype=np.int64, count=total
        )
    elif segments is not None:

        def number(raw: Any) -> int:
            # By type too: True, 1 and 1.0 are equal keys, and different segments.
            key = (type(raw), raw)
            try:
                found = numbers.get(key)
            except TypeError:
                return -1
            if found is None:
                found = numbers[key] = len(raws)
                raws.append(raw)
            return found

        segment_number = np.fromiter(map(number, segments), dtype=np.int64, count=total)
        ok &= segment_number >= 0
    else:
        segment_number = np.zeros(total, dtype=np.int64)
        raws.append(None)
    width = high - low + 1
    flat = (day_index.reshape(-1) * len(raws) + segment_number) * width + (values - low)
    chosen = flat[ok]
    bins = len(distinct) * len(raws) * width
    if bins <= _MAX_BINS:
        tallies = np.bincount(chosen, minlength=bins)
        keys = np.flatnonzero(tallies)
        amounts = tallies[keys]
    else:
        keys, amounts = np.unique(chosen, return_counts=True)
    # Raw values are numbered by type and value (1 and 1.0 are different teams, "1" and
    # "1.0"); the counts are by the segment each names, so two raws may add up.
    names = [segment_named(raw) for raw in raws]
    counts: dict[tuple[date, str | None, int | None], int] = {}
    for key, amount in zip(keys.tolist(), amounts.tolist(), strict=True):
        rest, score = divmod(key, width)
        day_at, segment_at = divmod(rest, len(raws))
        day = day_of[day_at]
        assert day is not None
        counted = (day, names[segment_at], score + low if scores is not None else None)
        counts[counted] = counts.get(counted, 0) + amount
    return Counted(counts, np.flatnonzero(~ok).tolist())
