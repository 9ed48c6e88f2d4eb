"""The embedded history store: one SQLite file (the default), or ":memory:".

Each refresh of a source writes its observations in one transaction; an
observation is keyed by (metric, segment, granularity, period), so fetching a
period again replaces its value instead of adding a second one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from tui import __version__
from tui.metrics.compute import EVERYONE, Observation
from tui.store import queries
from tui.store.base import (
    SCHEMA_VERSION,
    CollectorStatus,
    SourceStatus,
    StoredAnalysis,
    StoredObservation,
    StoreError,
    StoreRefused,
    StoreWriteError,
    collector_row,
    collector_status,
    newer_store,
    observation_rows,
    source_status,
    stored_analysis,
    stored_observation,
    timestamp,
)

# Each entry takes the store from the version before it to its own.
_MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE IF NOT EXISTS observations (
    metric_id    TEXT NOT NULL,
    segment      TEXT NOT NULL,
    granularity  TEXT NOT NULL,
    period_key   TEXT NOT NULL,
    period_start TEXT NOT NULL,
    value        REAL,
    n            INTEGER NOT NULL,
    source_id    TEXT NOT NULL,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (metric_id, segment, granularity, period_key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS source_status (
    source_id     TEXT PRIMARY KEY,
    last_ok_at    TEXT,
    records       INTEGER,
    pages         INTEGER,
    seconds       REAL,
    last_error    TEXT,
    last_error_at TEXT
);
""",
    # Employee-side groups below the anonymity threshold: a row that holds no
    # value and says so; and how many records a source's last refresh skipped.
    2: """
ALTER TABLE observations ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE source_status ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
""",
    # The spread per record behind each value, so a movement can be weighed against
    # its sampling noise (NULL: unknown, as for every row stored before).
    3: """
ALTER TABLE observations ADD COLUMN variance REAL;
""",
    # Each collector's heartbeat, so a screen that only reads can say whether the one
    # writing is alive (tui.collect.collector).
    4: """
CREATE TABLE IF NOT EXISTS collectors (
    collector_id TEXT PRIMARY KEY,
    started_at   TEXT NOT NULL,
    last_beat_at TEXT NOT NULL,
    beat_seconds REAL NOT NULL,
    last_error   TEXT
);
""",
    # What the collector computed (linkage, warnings, balance, internal service) per
    # granularity, so a screen reads it rather than computing it again.
    5: """
CREATE TABLE IF NOT EXISTS analysis (
    granularity TEXT PRIMARY KEY,
    computed_at TEXT NOT NULL,
    format      INTEGER NOT NULL,
    payload     TEXT NOT NULL
);
""",
    # Which Tandem last migrated the store: an older one refusing it can say which to
    # install, rather than only "a newer one".
    6: """
CREATE TABLE IF NOT EXISTS tandem_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
""",
    # When the collector started fetching each source, so a screen that only reads
    # can say "refreshing…" as a fetching dashboard does.
    7: """
ALTER TABLE source_status ADD COLUMN fetch_started_at TEXT;
""",
}


def _write_problem(error: sqlite3.Error) -> str | None:
    """A lock, a full disk or a read-only one in words a person acts on; None for any
    other failure (nothing says the file itself is fine)."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return "store not writable: locked by another process"
    if "full" in text:
        return "store not writable: disk full"
    if "readonly" in text or "read-only" in text:
        return "store not writable: read-only"
    return None


def _unusable(path: str, error: object) -> str:
    return (
        f"{path}: not a usable Tandem store ({error}). Move it aside, or start "
        "with --store pointing at a new file; history is fetched again."
    )


def _damaged(path: str, problem: object) -> str:
    return (
        f"{path}: the store is damaged ({problem}). Its history cannot be read; "
        "move it aside (or pass --store with a new file) and Tandem fetches again "
        "as far back as the sources keep."
    )


class SqliteStore:
    """Observations and source outcomes in one SQLite file (or ":memory:")."""

    def __init__(self, path: Path | str, busy_seconds: float = 5.0) -> None:
        self.path = str(path)
        self.busy_seconds = busy_seconds
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            # `timeout` is SQLite's busy timeout: how long a write waits for a lock.
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=busy_seconds)
            self._migrate()
        except StoreWriteError as error:
            # Migrating needs a write: locked, full or read-only, the history is fine.
            raise StoreError(f"{self.path}: {error}") from None
        except sqlite3.OperationalError as error:
            problem = _write_problem(error)
            # Locked, full or read-only: the history in it is fine; never "move it aside".
            raise StoreError(
                f"{self.path}: {problem}" if problem else _unusable(self.path, error)
            ) from None
        except sqlite3.DatabaseError as error:
            raise StoreError(_unusable(self.path, error)) from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreRefused(newer_store(self.path, version, self._written_by()))
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            # One transaction per step: a crash leaves the store at a known version.
            with self._transaction():
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {target}")
                if target == SCHEMA_VERSION:
                    self._db.execute(queries.UPSERT_WRITTEN_BY, (__version__,))

    def _written_by(self) -> str | None:
        try:
            row = self._db.execute(queries.SELECT_WRITTEN_BY).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else str(row[0])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def close(self) -> None:
        self._db.close()

    # ── writing ──

    def write_refresh(
        self,
        source_id: str,
        observations: Iterable[Observation],
        fetched_at: datetime,
        records: int,
        pages: int,
        seconds: float,
        skipped: int = 0,
    ) -> None:
        """Store one successful refresh of a source: its observations and its status, atomically.

        A period with no records is not written, so a refresh never erases a
        stored value; a suppressed group is written without its value or n.
        """
        rows = observation_rows(source_id, observations, fetched_at)
        with self._transaction():
            self._db.executemany(queries.UPSERT_OBSERVATION, rows)
            self._db.execute(
                queries.UPSERT_SOURCE_OK,
                (source_id, timestamp(fetched_at), records, pages, seconds, skipped),
            )

    def record_failure(self, source_id: str, error: str, at: datetime) -> None:
        """Note a failed refresh; the source's observations stay as they were."""
        with self._transaction():
            self._db.execute(queries.UPSERT_SOURCE_FAILURE, (source_id, error, timestamp(at)))

    def record_fetch_start(self, source_id: str, at: datetime) -> None:
        """Note that a fetch of the source started; its outcome is written when it ends."""
        with self._transaction():
            self._db.execute(queries.UPSERT_FETCH_START, (source_id, timestamp(at)))

    # ── reading ──

    def check_readable(self) -> None:
        """StoreError now, in words, if a page of the file is damaged: before a screen
        is drawn from it (quick_check reads every page once; milliseconds for a
        dashboard's history)."""
        rows = self._read("PRAGMA quick_check(1)")
        if rows != [("ok",)]:
            # SQLite's own words, on one line: "Page 10: btreeInitPage() returns error code 11".
            problem = " ".join(str(rows[0][0] if rows else "no answer").split())
            problem = problem.replace("*** in database main *** ", "")
            raise StoreError(_damaged(self.path, problem))

    def _read(self, sql: str, parameters: tuple[object, ...] = ()) -> list[Any]:
        """Rows of a query; a damaged file is one StoreError in words, not DatabaseError."""
        try:
            return self._db.execute(sql, parameters).fetchall()
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: cannot read the store ({error})") from None
        except sqlite3.DatabaseError as error:
            raise StoreError(_damaged(self.path, error)) from None

    def series(
        self, metric_id: str, granularity: str, segment: str = EVERYONE, limit: int = 12
    ) -> list[StoredObservation]:
        """The latest `limit` periods of a metric, oldest first."""
        rows = self._read(queries.SELECT_SERIES, (metric_id, segment, granularity, limit))
        return [stored_observation(row) for row in reversed(rows)]

    def segments(self, metric_id: str, granularity: str) -> list[str]:
        """The segments a metric has been stored for, the whole organisation ("") excluded."""
        rows = self._read(queries.SELECT_SEGMENTS, (metric_id, granularity))
        return [row[0] for row in rows]

    def data_version(self) -> int:
        """A number that changes when another connection commits: a cheap 'has the store
        been written since?' for a viewer that never fetches."""
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def source_statuses(self) -> dict[str, SourceStatus]:
        rows = self._read(queries.SELECT_STATUSES)
        return {row[0]: source_status(row) for row in rows}

    def status_of(self, source_id: str) -> SourceStatus | None:
        """One source's status: what a refresh of it needs, without reading every
        other source's (a refresh of 100 sources read 5,000)."""
        rows = self._read(queries.SELECT_STATUS, (source_id,))
        return source_status(rows[0]) if rows else None

    # ── collectors ──

    def beat(self, collector: CollectorStatus) -> None:
        """Record a collector's heartbeat (and the last error of its cycle)."""
        with self._transaction():
            self._db.execute(queries.UPSERT_COLLECTOR, collector_row(collector))

    def collectors(self) -> list[CollectorStatus]:
        """Every collector that wrote here, the latest heartbeat first."""
        rows = self._read(queries.SELECT_COLLECTORS)
        return [collector_status(row) for row in rows]

    # ── analysis ──

    def write_analysis(self, granularity: str, analysis: StoredAnalysis) -> None:
        with self._transaction():
            self._db.execute(
                queries.UPSERT_ANALYSIS,
                (granularity, timestamp(analysis.computed_at), analysis.format, analysis.payload),
            )

    def analysis(self, granularity: str) -> StoredAnalysis | None:
        rows = self._read(queries.SELECT_ANALYSIS, (granularity,))
        return stored_analysis(rows[0]) if rows else None

    def reopen(self) -> SqliteStore | None:
        """Another connection to the same file (a SQLite connection serves one thread)."""
        if self.path == ":memory:":
            return None
        return SqliteStore(self.path, busy_seconds=self.busy_seconds)

    def collector_lock(self) -> FileLock | UnsharedLock:
        """A lock file beside the store, held with flock: the kernel lets go when the
        holding process dies, even by SIGKILL. A store in memory is this process's alone."""
        if self.path == ":memory:":
            return UnsharedLock()
        return FileLock(Path(f"{self.path}.collector-lock"))


class UnsharedLock:
    """No other process can open the store: always held."""

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


class FileLock:
    """An exclusive, non-blocking flock on a file (POSIX)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        import fcntl

        if self._file is not None:
            return True
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing lets go of the flock
            self._file = None


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK if the block raises."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreWriteError(_write_problem(error) or f"store not writable: {error}") from None
        return self._db

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if kind is None:
            try:
                self._db.execute("COMMIT")
                return
            except sqlite3.OperationalError as failure:
                error = failure
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        if isinstance(error, sqlite3.OperationalError):
            raise StoreWriteError(_write_problem(error) or f"store not writable: {error}") from None
        if isinstance(error, sqlite3.DatabaseError):  # a damaged page met while writing
            raise StoreWriteError(f"store not writable: the file is damaged ({error})") from None


# The name every caller and test knows the embedded store by.
Store = SqliteStore
