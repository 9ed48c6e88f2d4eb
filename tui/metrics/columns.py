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
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from tui.sources.base import PackedTexts

# Stamps checked at once: their characters take 21 to 128 bytes each while checked.
_SLICE = 100_000
# Bins of (day, segment, score) counted in one array; more, and they are sorted instead.
_MAX_BINS = 4_000_000
# Offsets of the digits in `YYYY-MM-DD` and in the `THH:MM:SS` after it.
_DATE_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9)
_TIME_DIGITS = (11, 12, 14, 15, 17, 18)
_ZONE = "+00:00"
# The accepted forms' lengths.
_LENGTHS = frozenset({10, 20, 24, 25, 27, 29, 32})

T = TypeVar("T")
Bools = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.uint8] | npt.NDArray[np.uint32]
Ints = npt.NDArray[np.int64]


@dataclass
class Counted:
    """How many well-formed answers fell on each (day, segment, score), as arrays, and
    the positions of the records left for the strict reading.

    Entry i counts `amounts[i]` answers on `days[day_at[i]]`, from the segment named
    `names[segment_at[i]]`, with the score `scores[score_at[i]]` (None: a count metric).
    """

    days: list[date | None]
    names: list[str | None]
    scores: list[int | None]
    day_at: Ints
    segment_at: Ints
    score_at: Ints
    amounts: Ints
    left: list[int]

    def by_period(
        self, period_of_day: Callable[[date], int]
    ) -> dict[tuple[int, str | None, int | None], int]:
        """The answers summed by (period, segment, score), each day's period being
        `period_of_day(day)` (-1: outside the periods, left out): a few hundred sums
        for a million answers, worked out once per granularity."""
        if not len(self.amounts):
            return {}
        period_of = np.array(
            [-1 if day is None else period_of_day(day) for day in self.days], dtype=np.int64
        )
        period_at = period_of[self.day_at]
        inside = period_at >= 0
        groups = (period_at[inside] * len(self.names) + self.segment_at[inside]) * len(
            self.scores
        ) + self.score_at[inside]
        keys, group_of = np.unique(groups, return_inverse=True)
        # Sums of whole numbers under 2**53: exact in float64.
        sums = np.bincount(group_of.reshape(-1), weights=self.amounts[inside]).astype(np.int64)
        rest, score_at = np.divmod(keys, len(self.scores))
        period_at, segment_at = np.divmod(rest, len(self.names))
        summed: dict[tuple[int, str | None, int | None], int] = {}
        # Two raw values may name one segment (1 and "1"): their answers add up.
        for period, name, score, amount in zip(
            period_at.tolist(),
            map(self.names.__getitem__, segment_at.tolist()),
            map(self.scores.__getitem__, score_at.tolist()),
            sums.tolist(),
            strict=True,
        ):
            key = (period, name, score)
            summed[key] = summed.get(key, 0) + amount
        return summed


def _uniform_codes(stamps: Sequence[Any]) -> tuple[Codes, int] | None:
    """The common case read fast: stamps that are all text of one length, in ASCII with
    no NUL, as a matrix of bytes (a row a stamp, padded with NULs to at least 20
    columns) and their length; None for any other."""
    if isinstance(stamps, PackedTexts):  # the bytes are there already
        if not 10 <= stamps.width <= 32:
            return None
        rows = np.frombuffer(stamps.data, dtype=np.uint8).reshape(len(stamps), stamps.width)
        return _padded(rows, stamps.width)
    first = stamps[0]
    if type(first) is not str or not 10 <= len(first) <= 32:
        return None
    try:
        joined = "\0".join(stamps)
    except TypeError:  # not all text
        return None
    length = len(first)
    if not joined.isascii() or len(joined) != len(stamps) * (length + 1) - 1:
        return None
    codes = np.frombuffer(joined.encode("ascii") + b"\0", dtype=np.uint8)
    rows = codes.reshape(len(stamps), length + 1)
    # One NUL a stamp, each at a row's end: then they are the separators, and every
    # stamp is `length` characters long.
    if np.count_nonzero(codes == 0) != len(stamps) or rows[:, length].any():
        return None
    return _padded(rows, length)


def _padded(rows: Codes, length: int) -> tuple[Codes, int]:
    """Rows of `length` bytes (and any more columns), padded with NULs to at least 20."""
    if length < 20:
        padded = np.zeros((len(rows), 20), dtype=np.uint8)
        padded[:, :length] = rows[:, :length]
        return padded, length
    return rows, length


def _text_codes(stamps: Sequence[str]) -> tuple[Codes, Ints]:
    """Any text stamps as a matrix of their characters' codes, four bytes each, padded
    with NULs to at least 20 columns, and each stamp's length."""
    width = max(map(len, stamps))
    if width > 32:
        # Longer than any accepted form: those are left, the rest checked as usual.
        stamps = [stamp if len(stamp) <= 32 else "" for stamp in stamps]
        width = 32
    # Shorter stamps are padded with NULs, which no form has where a character is due.
    width = max(width, 20)
    text = np.array(stamps, dtype=f"<U{width}")
    codes32 = text.view(np.uint32).reshape(len(stamps), width)
    # Python's lengths: numpy's would not count a trailing NUL.
    return codes32, np.fromiter(map(len, stamps), dtype=np.int64, count=len(stamps))


def _utc_stamps(stamps: Sequence[Any]) -> tuple[Bools, Ints]:
    """Which of `stamps` are text in an accepted form, and each one's yyyymmdd."""
    uniform = _uniform_codes(stamps)
    if uniform is not None:
        return _checked_stamps(*uniform)
    total = len(stamps)
    ok = np.zeros(total, dtype=np.bool_)
    yyyymmdd = np.zeros(total, dtype=np.int64)
    text_at = np.flatnonzero(np.fromiter((type(s) is str for s in stamps), np.bool_, total))
    if len(text_at):
        texts = list(stamps) if len(text_at) == total else [stamps[i] for i in text_at.tolist()]
        ok[text_at], yyyymmdd[text_at] = _checked_stamps(*_text_codes(texts))
    return ok, yyyymmdd


def _checked_stamps(codes: Codes, lengths: Ints | int) -> tuple[Bools, Ints]:
    """Which stamps, given as codes and lengths, are in an accepted form, and each
    one's yyyymmdd."""
    count, width = codes.shape
    if np.max(lengths) < 10 or (isinstance(lengths, int) and lengths not in _LENGTHS):
        return np.zeros(count, dtype=np.bool_), np.zeros(count, dtype=np.int64)

    def is_digit(column: int) -> Bools:
        return (codes[:, column] >= ord("0")) & (codes[:, column] <= ord("9"))

    def digit(column: int) -> Ints:
        return codes[:, column].astype(np.int64) - ord("0")

    def is_char(column: int, characters: str) -> Bools:
        found: Bools = codes[:, column] == ord(characters[0])
        for character in characters[1:]:
            found |= codes[:, column] == ord(character)
        return found

    date_part = is_char(4, "-") & is_char(7, "-")
    for column in _DATE_DIGITS:
        date_part &= is_digit(column)
    ok = date_part & is_char(10, "T ") & is_char(13, ":") & is_char(16, ":")
    for column in _TIME_DIGITS:
        ok &= is_digit(column)
    ok &= digit(11) * 10 + digit(12) <= 23
    ok &= (digit(14) <= 5) & (digit(17) <= 5)

    def fraction(digits: int) -> Bools:
        found = is_char(19, ".")
        for column in range(20, 20 + digits):
            found &= is_digit(column)
        return found

    def zone(at: int) -> Bools:
        if at + len(_ZONE) > width:
            return np.zeros(count, dtype=np.bool_)
        found = np.ones(count, dtype=np.bool_)
        for offset, character in enumerate(_ZONE):
            found &= codes[:, at + offset] == ord(character)
        return found

    def z(at: int) -> Bools:
        return is_char(at, "Zz") if at < width else np.zeros(count, dtype=np.bool_)

    tail = np.zeros(count, dtype=np.bool_)
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
        (((digit(0) * 10 + digit(1)) * 10 + digit(2)) * 10 + digit(3)) * 10_000
        + (digit(5) * 10 + digit(6)) * 100
        + digit(8) * 10
        + digit(9)
    )
    return ok, np.where(ok, day, 0)


def _numbered(keys: npt.NDArray[np.integer[Any]], chosen: Bools) -> tuple[list[int], Ints]:
    """The distinct keys where `chosen`, in order, and each chosen key's number among
    them (the others' numbers mean nothing). Counted, not sorted, when the keys span
    a small range, as days do."""
    if not chosen.any():
        return [], np.zeros(len(keys), dtype=np.int64)
    picked = keys[chosen]
    low, high = int(picked.min()), int(picked.max())
    del picked
    if high - low > _MAX_BINS:
        distinct, numbers = np.unique(np.where(chosen, keys, low), return_inverse=True)
        return distinct.tolist(), numbers.reshape(-1)
    # In place where it can be: with 5 M answers each array is 40 MB.
    offsets = keys.astype(np.int64)
    offsets -= low
    offsets[~chosen] = 0
    present = np.zeros(high - low + 1, dtype=np.bool_)
    present[offsets] = True
    number_of = np.cumsum(present) - 1
    np.take(number_of, offsets, out=offsets)
    return (np.flatnonzero(present) + low).tolist(), offsets


def _remembered(memo: dict[Any, Any] | None, key: Any, work: Callable[[], T]) -> T:
    if memo is None:
        return work()
    if key not in memo:
        memo[key] = work()
    return memo[key]  # type: ignore[no-any-return]


def _read_stamps(stamps: Sequence[Any]) -> tuple[Bools, npt.NDArray[np.int32]]:
    """Which stamps are in an accepted form, and each one's yyyymmdd; in slices, as a
    slice's characters are a matrix (of bytes, or 4-byte cells)."""
    total = len(stamps)
    ok = np.zeros(total, dtype=np.bool_)
    # yyyymmdd fits in 32 bits (kept for the next metric: half the memory).
    yyyymmdd = np.zeros(total, dtype=np.int32)
    for start in range(0, total, _SLICE):
        ok[start : start + _SLICE], yyyymmdd[start : start + _SLICE] = _utc_stamps(
            stamps[start : start + _SLICE]
        )
    return ok, yyyymmdd


def _numbered_segments(segments: Sequence[Any]) -> tuple[list[Any], Ints]:
    """The distinct raw segment values, and each record's number among them (-1: an
    unhashable value, left for the strict reading)."""
    texts = _numbered_texts(segments)
    if texts is not None:
        return texts
    numbers: dict[tuple[type, Any], int] = {}
    raws: list[Any] = []

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

    return raws, np.fromiter(map(number, segments), dtype=np.int64, count=len(segments))


def _numbered_texts(values: Sequence[Any]) -> tuple[list[str], Ints] | None:
    """The distinct values and each value's number among them, where all are text;
    None where any is not."""
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # unhashable: not text
        return None
    # Only text keys tell: True, 1 and 1.0 are one key, and a value of another type
    # merges into a text key only if it equals a text (nothing a payload or file holds).
    if set(map(type, distinct)) != {str}:
        return None
    number_of = {value: at for at, value in enumerate(distinct)}
    numbers = np.fromiter(map(number_of.__getitem__, values), dtype=np.int64, count=len(values))
    return list(number_of), numbers


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
    memo: dict[Any, Any] | None = None,
) -> Counted:
    """Count the well-formed answers among parallel columns of raw field values.

    `scores` None: each record counts (a count metric), with score None. `segments`
    None: the metric has no segment field. `valid_day(y, m, d)` is the day, or None
    where the strict reading would refuse it (not a date, or out of range);
    `segment_named(raw)` the segment a field's value names. `memo`: where the columns'
    stamps and segments, once read, are kept for the next metric counted from the same
    column lists (by identity: the owner keeps them alive and unchanged meanwhile).
    """
    total = len(stamps)
    ok, yyyymmdd = _remembered(memo, ("stamps", id(stamps)), lambda: _read_stamps(stamps))
    ok = ok.copy()  # narrowed below; the remembered one is not
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
    distinct, day_index = _numbered(yyyymmdd, ok)
    day_of = [valid_day(key // 10_000, key // 100 % 100, key % 100) for key in distinct]
    good_day = np.array([day is not None for day in day_of], dtype=np.bool_)
    if len(distinct):
        ok &= good_day[day_index]
    # Segments: each distinct raw value numbered; an unhashable one is left (-1).
    if segments is None:
        raws: list[Any] = [None]
        segment_number = np.zeros(total, dtype=np.int64)
    else:
        raws, segment_number = _remembered(
            memo, ("segments", id(segments)), lambda: _numbered_segments(segments)
        )
        ok &= segment_number >= 0
    width = high - low + 1
    # (day, segment, score) as one number, in place in day_index (its own, and 40 MB
    # with 5 M answers): no temporaries the size of the answers.
    flat = day_index
    flat *= len(raws)
    flat += segment_number
    flat *= width
    flat += values
    flat -= low
    chosen = flat[ok]
    del flat, values
    bins = len(distinct) * len(raws) * width
    if bins <= _MAX_BINS:
        tallies = np.bincount(chosen, minlength=bins)
        keys = np.flatnonzero(tallies)
        amounts = tallies[keys]
    else:
        keys, amounts = np.unique(chosen, return_counts=True)
    # Raw values are numbered by type and value (1 and 1.0 are different teams, "1" and
    # "1.0"); the counts are by the segment each names, so two raws may add up later.
    rest, score_at = np.divmod(keys, width)
    day_at, segment_at = np.divmod(rest, len(raws))
    return Counted(
        days=day_of,
        names=[segment_named(raw) for raw in raws],
        scores=list(range(low, high + 1)) if scores is not None else [None],
        day_at=day_at,
        segment_at=segment_at,
        score_at=score_at,
        amounts=amounts,
        left=np.flatnonzero(~ok).tolist(),
    )
