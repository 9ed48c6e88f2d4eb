"""CSV and JSON exports on disk: for tools with no API, and for one-off backfills.

CSV: the first row names the columns; `columns` maps record fields to column names
(empty keeps every column under its own name). Values stay text: the metrics read
"9" as 9 and "2026-03-01" as a date, and reject what is neither. JSON: `records_path`
(JMESPath) finds the list of records, `columns` maps record fields to JMESPath
expressions. A file that cannot be read or parsed fails the source with its reason;
the last good values stay on screen.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import jmespath

from tui.config import FileSource
from tui.sources.base import FetchResult, Record, SourceError


def _read_csv(source: FileSource, path: Path, result: FetchResult) -> None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in source.columns.values() if column not in header]
        if missing:
            raise SourceError(f"{source.id}: {path.name} has no column {missing[0]!r}")
        for row in reader:
            if source.columns:
                result.records.append(
                    {field: row.get(column) for field, column in source.columns.items()}
                )
            else:
                result.records.append(dict(row))


def _read_json(source: FileSource, path: Path, result: FetchResult) -> None:
    document: Any = json.loads(path.read_text(encoding="utf-8"))
    found = jmespath.search(source.records_path, document) if source.records_path else document
    if not isinstance(found, list):
        raise SourceError(f"{source.id}: {path.name} holds no list of records there")
    paths = {field: jmespath.compile(expression) for field, expression in source.columns.items()}
    for item in found:
        if not isinstance(item, dict):
            result.skipped["record is not a JSON object"] += 1
            continue
        record: Record = {f: p.search(item) for f, p in paths.items()} if paths else dict(item)
        result.records.append(record)


async def fetch_records(
    source: FileSource,
    client: httpx.AsyncClient | None = None,
    environ: Mapping[str, str] | None = None,
) -> FetchResult:
    started = time.monotonic()
    path = Path(source.path).expanduser()
    result = FetchResult(source.id, [], pages=1)
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
    result.seconds = time.monotonic() - started
    return result
