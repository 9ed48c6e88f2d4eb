"""The history store, and the only code that speaks SQL.

Two databases behind one interface (base.HistoryStore): an embedded SQLite file,
the default, for one machine; and a PostgreSQL server, which one collector
writes and many screens read. `open_store` takes either: a path (or nothing,
for the default file) is SQLite, `postgresql://…` is PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from tui.store.base import (
    SCHEMA_VERSION,
    CollectorLock,
    CollectorStatus,
    HistoryStore,
    SourceStatus,
    StoredAnalysis,
    StoredObservation,
    StoreError,
    StoreRefused,
    StoreUnreachable,
    StoreWriteError,
)
from tui.store.sqlite import SqliteStore, Store

URL_SCHEMES = ("postgresql://", "postgres://")


def is_store_url(location: str | Path) -> bool:
    """A PostgreSQL URL, rather than a file path."""
    return str(location).startswith(URL_SCHEMES)


def open_store(
    location: str | Path, busy_seconds: float = 5.0, *, wait_for_server: bool = False
) -> HistoryStore:
    """The store at `location`: a PostgreSQL URL, or a SQLite file path (":memory:" too).

    `wait_for_server`: a PostgreSQL server out of reach is not refused but waited for
    (a screen says so, and shows the store once it answers)."""
    if is_store_url(location):
        from tui.store.postgres import PostgresStore  # psycopg loads only when asked for

        return PostgresStore(str(location), wait_for_server=wait_for_server)
    return SqliteStore(location, busy_seconds=busy_seconds)


__all__ = [
    "SCHEMA_VERSION",
    "URL_SCHEMES",
    "CollectorLock",
    "CollectorStatus",
    "HistoryStore",
    "SourceStatus",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoreRefused",
    "StoreUnreachable",
    "StoreWriteError",
    "StoredAnalysis",
    "StoredObservation",
    "is_store_url",
    "open_store",
]
