"""CSV and JSON exports on disk: for tools with no API, and for one-off backfills.

CSV: the first row names the columns; `columns` maps record fields to column names
(empty keeps every column under its own name). Values stay text: the metrics read
"9" as 9 and "2026-03-01" as a date, and reject what is neither. JSON: `records_path`
(JMESPath) finds the list of records, `columns` maps record fields to JMESPath
expressions. A file that cannot be read or parsed fails the source with its reason;
the last good values stay on screen.

Fields read, what each means, what is assumed, and the traps handled: the columns the config
maps; values stay text, and the metrics read them strictly.

- columns: record field = column or JMESPath. Assumed: the header row names the columns
  (CSV). Handled: a missing column fails the source, naming it.
- dates, scores: as the metrics read them. Assumed: ISO dates, or Unix times with
  date_format. Handled: a bad value skipped and counted, never guessed.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import datetime
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import jmespath
from pydantic import Field, field_validator

from tui.config.base import config_relative
from tui.config.sources import (
    NoAuth,
    SourceBase,
)
from tui.memory import cycle_collection_paused
from tui.sources.base import ColumnsBuilder, FetchResult, SourceError
from tui.sources.decode import decode_json
from tui.sources.json_api import fields_of, usable_items
from tui.sources.paths import FieldPath

if TYPE_CHECKING:
    import httpx


class FileSource(SourceBase):
    """A CSV or JSON export on disk, for tools with no API and for backfills."""

    kind: Literal["file"]
    path: str
    # By the file name's ending unless given.
    format: Literal["csv", "json"] | None = None
    # Record field = column (CSV) or JMESPath (JSON); empty keeps every column.
    columns: dict[str, str] = Field(default_factory=dict)
    # JSON only: where the list of records is, as JMESPath (empty: the document is the list).
    records_path: str = ""

    _path = field_validator("path")(config_relative)

    @property
    def auth(self) -> NoAuth:
        return NoAuth()

    @property
    def file_format(self) -> str:
        if self.format is not None:
            return self.format
        return "json" if self.path.lower().endswith((".json", ".ndjson")) else "csv"


def _read_csv(source: FileSource, path: Path, result: FetchResult) -> None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        if not source.columns:
            result.records.extend(dict(row) for row in csv.DictReader(handle))
            return
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [column for column in source.columns.values() if column not in header]
        if missing:
            raise SourceError(f"{source.id}: {path.name} has no column {missing[0]!r}")
        # As csv.DictReader reads them (a repeated header name takes its last column, as
        # its dict does; a short row's missing fields are None), but into one list a
        # field: no dict of every column of every row (a million rows took twice as
        # long that way), and no dict a record either (Columns).
        index = {name: at for at, name in enumerate(header)}
        fields = list(source.columns)
        places = [index[source.columns[name]] for name in fields]
        last = max(places)

        def padded(row: list[str]) -> tuple[str | None, ...]:
            return tuple(row[at] if at < len(row) else None for at in places)

        columns = ColumnsBuilder(fields)
        # A slice of rows at a time, each field taken out of it as a column by C loops
        # (no Python code runs a row); no cycle collection walks what is alive
        # meanwhile. Blank lines skipped, as DictReader skips them; a slice with a
        # short row is read row by row, its missing fields None.
        rows = filter(None, reader)
        with cycle_collection_paused():
            while chunk := list(islice(rows, _SLICE)):
                if min(map(len, chunk)) > last:
                    columns.add_columns(
                        {
                            name: list(map(itemgetter(at), chunk))
                            for name, at in zip(fields, places, strict=True)
                        }
                    )
                else:
                    columns.add([padded(row) for row in chunk])
        result.columns = columns.build()


# Rows read into columns at a time.
_SLICE = 10_000


def _read_json(source: FileSource, path: Path, result: FetchResult) -> None:
    document: Any = decode_json(path.read_bytes(), source.id, path.name)
    found = jmespath.search(source.records_path, document) if source.records_path else document
    if not isinstance(found, list):
        raise SourceError(f"{source.id}: {path.name} holds no list of records there")
    usable = usable_items(found, None, set(), result.skipped)
    if not source.columns:
        result.records.extend(dict(item) for item in usable)
        return
    # Mapped fields as columns, as a JSON API source hands them over.
    paths = {field: FieldPath(expression) for field, expression in source.columns.items()}
    columns = ColumnsBuilder(list(paths))
    columns.add_columns(fields_of(usable, paths))
    result.columns = columns.build()


async def fetch_records(
    source: FileSource,
    client: httpx.AsyncClient | None = None,
    environ: Mapping[str, str] | None = None,
    since: datetime | None = None,
) -> FetchResult:
    path = Path(source.path).expanduser()
    result = FetchResult(source.id, [], pages=1)
    if path.exists() and not path.is_file():
        # A FIFO or a device would block the read for ever, holding up every source.
        raise SourceError(f"{source.id}: {path} is not a regular file")
    try:
        if source.file_format == "csv":
            _read_csv(source, path, result)
        else:
            _read_json(source, path, result)
    except FileNotFoundError:
        raise SourceError(f"{source.id}: file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(f"{source.id}: cannot read {path.name}: {type(error).__name__}") from None
    except (ValueError, csv.Error) as error:
        raise SourceError(
            f"{source.id}: {path.name} is not valid {source.file_format.upper()}: {str(error)[:80]}"
        ) from None
    return result
