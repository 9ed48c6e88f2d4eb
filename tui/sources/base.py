"""What every source kind returns, and the one error type it raises."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from httpx import URL

Record = dict[str, Any]


class Columns(Sequence[Record]):
    """Records held as one list a field, as the CSV file and JSON sources hand over
    their mapped fields: a million records without a dict each (a dict costs about 280
    bytes a record).

    Metrics that count answers take whole columns (`column`); anything that reads a
    record gets a new dict of its fields, built when asked for.
    """

    def __init__(self, columns: Mapping[str, list[Any]], length: int) -> None:
        if any(len(values) != length for values in columns.values()):
            raise ValueError("columns of different lengths")
        self._columns = dict(columns)
        self._length = length
        self._missing: dict[str, list[None]] = {}
        # What metrics derive from these column lists (the stamps read, the segments
        # numbered), kept for the next metric counted from the same source: keyed by
        # the lists' identity, which holds while this object owns them unchanged.
        self.memo: dict[Any, Any] = {}

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> Columns: ...
    def __getitem__(self, index: int | slice) -> Record | Columns:
        if isinstance(index, slice):
            picked = {name: values[index] for name, values in self._columns.items()}
            return Columns(picked, len(range(*index.indices(self._length))))
        if not -self._length <= index < self._length:
            raise IndexError(index)
        return {name: values[index] for name, values in self._columns.items()}

    def __iter__(self) -> Iterator[Record]:
        if not self._columns:  # records with no fields: as many empty ones
            yield from ({} for _ in range(self._length))
            return
        names = list(self._columns)
        for values in zip(*self._columns.values(), strict=True):
            yield dict(zip(names, values, strict=True))

    @property
    def fields(self) -> list[str]:
        return list(self._columns)

    def column(self, name: str) -> list[Any]:
        """Every record's value of `name` (None where the records have no such field).
        The list itself: read it, do not change it."""
        values = self._columns.get(name)
        if values is None:  # one list of Nones, the same each time (see memo)
            return self._missing.setdefault(name, [None] * self._length)
        return values

    def replace_column(self, name: str, values: list[Any]) -> None:
        if len(values) != self._length:
            raise ValueError("a column of a different length")
        self._columns[name] = values
        self.memo.clear()

    def taken(self, positions: Sequence[int]) -> Columns:
        """The records at `positions`, in that order."""
        picked = {name: [values[at] for at in positions] for name, values in self._columns.items()}
        return Columns(picked, len(positions))


# Values a builder shares: text, which equals nothing of another type.
_SHAREABLE = {str, type(None)}


class ColumnsBuilder:
    """Columns filled a slice of records at a time (a page, 100,000 rows of a file).

    A value that repeats (a team, a text score) is kept as one object: a million records
    of ten teams hold ten strings, not a million. A column stops sharing once it has
    more distinct values than `SHARED_AT_MOST` (timestamps, ids), or a value that is
    not text (a number, a list).
    """

    SHARED_AT_MOST = 10_000

    def __init__(self, fields: Sequence[str]) -> None:
        self._columns: dict[str, list[Any]] = {name: [] for name in fields}
        self._shared: dict[str, dict[Any, Any] | None] = {name: {} for name in fields}
        self._length = 0

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        """Rows of values, one a field in the order the fields were given."""
        if rows:
            self.add_columns(dict(zip(self._columns, zip(*rows, strict=True), strict=True)))

    def add_columns(self, values_of: Mapping[str, Sequence[Any]]) -> None:
        """One slice of values a field, all of one length."""
        lengths = {len(values) for values in values_of.values()}
        if set(values_of) != set(self._columns) or len(lengths) != 1:
            raise ValueError("a slice must have every field, at one length")
        for name, values in values_of.items():
            self._columns[name].extend(self._share(name, values))
        self._length += lengths.pop()

    def _share(self, name: str, values: Sequence[Any]) -> Sequence[Any]:
        cache = self._shared[name]
        if cache is None:
            return values
        if not set(map(type, values)) <= _SHAREABLE:
            # Only text is shared: 1, 1.0 and True are one key, and would come back as
            # whichever came first (a true where a score is due counted as a 1).
            self._shared[name] = None
            return values
        shared = list(map(cache.setdefault, values, values))
        if len(cache) > self.SHARED_AT_MOST:
            self._shared[name] = None
        return shared

    def build(self) -> Columns:
        return Columns(self._columns, self._length)


@dataclass
class FetchResult:
    """The records one source returned in one refresh: built one by one (`records`), or
    as columns (`columns`: a file's or a JSON API's mapped fields); `received` is every
    record either way."""

    source_id: str
    records: list[Record]
    pages: int = 0
    seconds: float = 0.0
    # Items the source could not turn into records, by reason.
    skipped: Counter[str] = field(default_factory=Counter)
    # Every page asked for so far (URL and query), to stop a pagination that loops.
    visited: set[str] = field(default_factory=set, repr=False)
    columns: Columns | None = field(default=None, repr=False)

    @property
    def received(self) -> Sequence[Record]:
        """Every record received, however the source handed them over."""
        return self.records if self.columns is None else self.columns

    def unread_page(self, url: object, params: Mapping[str, Any] | None, number: int) -> str:
        """The key of the page about to be asked for; SourceError if it was read before.

        A next link or cursor that points back at a page already read would otherwise
        be followed until max_pages (a thousand requests), counting its records again.
        Add the key to `visited` once the page is read (a retry after a refused token
        asks for the same page again, rightly).
        """
        key = f"{url}?{sorted((params or {}).items())}"
        if key in self.visited:
            raise SourceError(
                f"{self.source_id}: page {number} is a page already read: the API's next "
                "link or cursor loops; stopped"
            )
        return key


class SourceError(Exception):
    """A fetch that failed, in one line fit for a status bar.

    The message never holds a secret: it is built from the source id, the
    environment variable's *name*, the status code and a URL without its query.
    """


def display_url(url: URL | str) -> str:
    """A URL as shown to people: scheme, host, port and path, never the query."""
    from httpx import URL

    url = URL(str(url))
    return str(url.copy_with(query=None, fragment=None, username=None, password=None))
