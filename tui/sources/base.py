"""What every source kind returns, and the one error type it raises."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from httpx import URL

Record = dict[str, Any]


class PackedTexts(Sequence[str]):
    """Texts of one length in ASCII (no NUL), held end to end in one byte string: a million
    timestamps in 20 MB, where a list of them takes 69 MB (61 bytes a str object, 8 a
    reference). A text is decoded when read; metrics read the bytes themselves.

    `data` is not changed once handed over (a builder's bytearray, kept to save a copy).
    """

    __slots__ = ("_length", "data", "width")

    def __init__(self, data: bytes | bytearray, width: int) -> None:
        if width < 1 or len(data) % width:
            raise ValueError("packed texts of a width that does not divide their bytes")
        self.data = data
        self.width = width
        self._length = len(data) // width

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        width = self.width
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step != 1:
                return [self[at] for at in range(start, stop, step)]
            return PackedTexts(self.data[start * width : max(start, stop) * width], width)
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        return self.data[index * width : (index + 1) * width].decode("ascii")

    def __iter__(self) -> Iterator[str]:
        width, data = self.width, self.data
        # Decoded a few thousand at a time: never a second copy of the whole column.
        step = 4096 * width
        for start in range(0, len(data), step):
            text = data[start : start + step].decode("ascii")
            yield from (text[at : at + width] for at in range(0, len(text), width))

    def __repr__(self) -> str:
        return f"PackedTexts({self._length} of width {self.width})"

    def taken(self, positions: Sequence[int]) -> PackedTexts:
        """The texts at `positions`, in that order, still packed."""
        data, width = self.data, self.width
        picked = b"".join([data[at * width : (at + 1) * width] for at in positions])
        return PackedTexts(picked, width)

    @staticmethod
    def pack(values: Sequence[Any], width: int | None = None) -> tuple[bytes, int] | None:
        """`values` packed, and their width: where every one is text in ASCII with no
        NUL, all of one length (`width`, where given) of at least 1; else None."""
        try:
            joined = "\0".join(values)
        except TypeError:  # not all text
            return None
        count = len(values)
        found = (len(joined) + 1) // count - 1 if count else 0
        # NULs exactly where the values end, and nowhere else: all `found` long.
        if (
            found < 1
            or (width is not None and found != width)
            or len(joined) != count * (found + 1) - 1
            or joined.count("\0") != count - 1
            or joined[found :: found + 1] != "\0" * (count - 1)
            or not joined.isascii()
        ):
            return None
        return joined.encode("ascii").replace(b"\0", b""), found


class Columns(Sequence[Record]):
    """Records held as one list a field, as the CSV file and JSON sources hand over
    their mapped fields: a million records without a dict each (a dict costs about 280
    bytes a record).

    Metrics that count answers take whole columns (`column`); anything that reads a
    record gets a new dict of its fields, built when asked for.
    """

    def __init__(self, columns: Mapping[str, Sequence[Any]], length: int) -> None:
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

    def column(self, name: str) -> Sequence[Any]:
        """Every record's value of `name` (None where the records have no such field):
        a list, or texts packed (PackedTexts). The column itself: read it, do not
        change it."""
        values = self._columns.get(name)
        if values is None:  # one list of Nones, the same each time (see memo)
            return self._missing.setdefault(name, [None] * self._length)
        return values

    def replace_column(self, name: str, values: Sequence[Any]) -> None:
        if len(values) != self._length:
            raise ValueError("a column of a different length")
        self._columns[name] = values
        self.memo.clear()

    def taken(self, positions: Sequence[int]) -> Columns:
        """The records at `positions`, in that order."""
        picked = {
            name: values.taken(positions)
            if isinstance(values, PackedTexts)
            else [values[at] for at in positions]
            for name, values in self._columns.items()
        }
        return Columns(picked, len(positions))


# Values a builder shares: text, which equals nothing of another type.
_SHAREABLE = {str, type(None)}


class ColumnsBuilder:
    """Columns filled a slice of records at a time (a page, 10,000 rows of a file).

    A value that repeats (a team, a text score) is kept as one object: a million records
    of ten teams hold ten strings, not a million. A column stops sharing once it has
    more distinct values than `SHARED_AT_MOST` (timestamps, ids), or a value that is
    not text (a number, a list). Its texts are then packed (PackedTexts) while
    they are all in ASCII and of one length, as timestamps and ids are; a value that
    does not fit makes it a list again, for good.
    """

    SHARED_AT_MOST = 10_000

    def __init__(self, fields: Sequence[str]) -> None:
        self._columns: dict[str, list[Any]] = {name: [] for name in fields}
        self._shared: dict[str, dict[Any, Any] | None] = {name: {} for name in fields}
        # Packed columns: their bytes so far and their width (the list stays empty).
        self._packed: dict[str, tuple[bytearray, int]] = {}
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
            self._add(name, values)
        self._length += lengths.pop()

    def _add(self, name: str, values: Sequence[Any]) -> None:
        if not values:  # a page with no records: nothing to add, or to unpack for
            return
        packed = self._packed.get(name)
        if packed is not None:
            data, width = packed
            more = PackedTexts.pack(values, width)
            if more is not None:
                data += more[0]
            else:
                del self._packed[name]
                self._columns[name] = [*PackedTexts(data, width), *values]
            return
        cache = self._shared[name]
        column = self._columns[name]
        if cache is None:
            column.extend(values)
            return
        if not set(map(type, values)) <= _SHAREABLE:
            # Only text is shared: 1, 1.0 and True are one key, and would come back as
            # whichever came first (a true where a score is due counted as a 1).
            self._shared[name] = None
            column.extend(values)
            return
        column.extend(map(cache.setdefault, values, values))
        if len(cache) > self.SHARED_AT_MOST:
            self._shared[name] = None
            packed_now = PackedTexts.pack(column)
            if packed_now is not None:
                self._packed[name] = (bytearray(packed_now[0]), packed_now[1])
                self._columns[name] = []

    def build(self) -> Columns:
        columns: dict[str, Sequence[Any]] = dict(self._columns)
        for name, (data, width) in self._packed.items():
            columns[name] = PackedTexts(data, width)
        return Columns(columns, self._length)


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
