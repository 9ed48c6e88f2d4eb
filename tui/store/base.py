"""What both stores share: the records they hold, their errors, and the interface.

A store is SQLite (a file; the embedded default) or PostgreSQL (a server many
screens read): the same tables, the same migrations, the same contract, which
tests/test_store_contract.py runs against both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Protocol

from tui.metrics.compute import EVERYONE, Observation

# The tables' version. Each store migrates to it step by step, and refuses a store
# written by a newer Tandem instead of guessing at its tables.
SCHEMA_VERSION = 7


def newer_store(path: str, version: int, written_by: str | None) -> str:
    """Why a store from a newer Tandem is refused, and which Tandem reads it."""
    from tui import __version__

    wrote = f"Tandem {written_by}" if written_by else "a newer Tandem"
    install = f"Tandem {written_by} or later" if written_by else "the Tandem that wrote it"
    return (
        f"{path} was written by {wrote} (store version {version}; this Tandem, {__version__}, "
        f"reads up to {SCHEMA_VERSION}). Install {install} here too, or use --store with "
        "another store."
    )


class StoreError(Exception):
    """The store cannot be opened or used; the message says which one and what to do."""


class StoreUnreachable(StoreError):
    """A shared store's server cannot be reached, or dropped the connection: a screen
    keeps what it shows, says so, and reads again by itself."""


class StoreRefused(StoreError):
    """The store answers and cannot be used here: its schema is newer than this
    Tandem, or older and this role may not bring it up to date. Trying again mends
    nothing; the message says what will."""


class StoreWriteError(StoreError):
    """The store could not be written (locked by another process, a full or read-only
    disk, a server gone): one refresh's values are not stored, the history stays."""


@dataclass(frozen=True)
class StoredObservation:
    period_key: str
    period_start: date
    value: float | None
    n: int
    source_id: str
    fetched_at: datetime
    # 0 shown; else why hidden (tui.metrics.compute.SMALL_GROUP or COMPLEMENT).
    suppressed: int = 0
    # Per record: the value's standard error is √(variance / n). None: unknown.
    variance: float | None = None


@dataclass(frozen=True)
class SourceStatus:
    """The last outcome of a source: when it last worked, and its last error if any."""

    source_id: str
    last_ok_at: datetime | None
    records: int | None
    last_error: str | None
    last_error_at: datetime | None
    # Records the last successful refresh left out (bad values, duplicates).
    skipped: int = 0
    # When the collector last started fetching it.
    fetch_started_at: datetime | None = None

    @property
    def failing(self) -> bool:
        """True when the latest attempt failed (its error is newer than its last success)."""
        if self.last_error_at is None:
            return False
        return self.last_ok_at is None or self.last_error_at >= self.last_ok_at

    @property
    def fetching_since(self) -> datetime | None:
        """When the fetch under way started: a start newer than its last outcome; None
        when no fetch is under way (or none was ever recorded)."""
        started = self.fetch_started_at
        if started is None:
            return None
        outcomes = [at for at in (self.last_ok_at, self.last_error_at) if at is not None]
        return started if not outcomes or started > max(outcomes) else None


@dataclass(frozen=True)
class CollectorStatus:
    """A collector's heartbeat: who it is, when it last wrote, how often it beats, and
    the last error of its latest cycle (None: every source was fetched)."""

    collector_id: str
    started_at: datetime
    last_beat_at: datetime
    beat_seconds: float
    last_error: str | None = None

    def missed(self, now: datetime) -> bool:
        """Two beats missed: the collector has stopped, or cannot reach the store."""
        return (now - self.last_beat_at).total_seconds() > 2 * self.beat_seconds + 5


@dataclass(frozen=True)
class StoredAnalysis:
    """What the collector computed from the observations (tui.analysis.stored): a screen reads
    it rather than computing it again. `payload` is JSON in `format`'s shape."""

    computed_at: datetime
    format: int
    payload: str


class CollectorLock(Protocol):
    """Held by the one collector that writes a store; another waits as a standby. The
    database or the operating system lets go when the holder dies, however it dies."""

    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class HistoryStore(Protocol):
    """What every part of Tandem asks of a store, whichever database holds it."""

    # Where it is, for messages: a file path, or a URL with no password in it.
    path: str

    def write_refresh(
        self,
        source_id: str,
        observations: Iterable[Observation],
        fetched_at: datetime,
        records: int,
        pages: int,
        seconds: float,
        skipped: int = 0,
    ) -> None: ...

    def record_failure(self, source_id: str, error: str, at: datetime) -> None: ...

    def record_fetch_start(self, source_id: str, at: datetime) -> None: ...

    def check_readable(self) -> None: ...

    def series(
        self, metric_id: str, granularity: str, segment: str = EVERYONE, limit: int = 12
    ) -> list[StoredObservation]: ...

    def segments(self, metric_id: str, granularity: str) -> list[str]: ...

    def data_version(self) -> int: ...

    def source_statuses(self) -> dict[str, SourceStatus]: ...

    def status_of(self, source_id: str) -> SourceStatus | None: ...

    def beat(self, collector: CollectorStatus) -> None: ...

    def collectors(self) -> list[CollectorStatus]: ...

    def collector_lock(self) -> CollectorLock: ...

    def write_analysis(self, granularity: str, analysis: StoredAnalysis) -> None: ...

    def analysis(self, granularity: str) -> StoredAnalysis | None: ...

    def reopen(self) -> HistoryStore | None:
        """Another connection to the same store, for another thread; None when no other
        connection can see it (a store in memory)."""
        ...

    def close(self) -> None: ...


Row = tuple[str, str, str, str, str, float | None, int, str, str, int, float | None]


def observation_rows(
    source_id: str, observations: Iterable[Observation], fetched_at: datetime
) -> list[Row]:
    """The rows one refresh writes: a period with no records is left out, so a refresh
    never erases a stored value; a hidden group is written without its value, n or spread."""
    stamp = timestamp(fetched_at)
    return [
        (
            o.metric_id,
            o.segment,
            o.period.granularity,
            o.period.key,
            o.period.start.isoformat(),
            None if o.suppressed else o.value,
            0 if o.suppressed else o.n,
            source_id,
            stamp,
            int(o.suppressed),
            None if o.suppressed else o.variance,
        )
        for o in observations
        if o.n > 0 or o.suppressed
    ]


def stored_observation(row: Sequence[Any]) -> StoredObservation:
    """A row of (period_key, period_start, value, n, source_id, fetched_at, suppressed,
    variance), as both stores select it."""
    key, start, value, n, source, fetched, suppressed, variance = row
    return StoredObservation(
        key,
        date.fromisoformat(start),
        value,
        n,
        source,
        datetime.fromisoformat(fetched),
        suppressed,
        variance,
    )


def source_status(row: Sequence[Any]) -> SourceStatus:
    """A row of (source_id, last_ok_at, records, last_error, last_error_at, skipped,
    fetch_started_at)."""
    source_id, ok_at, records, error, error_at, skipped, started = row
    return SourceStatus(
        source_id,
        parse_timestamp(ok_at),
        records,
        error,
        parse_timestamp(error_at),
        skipped,
        parse_timestamp(started),
    )


def collector_status(row: Sequence[Any]) -> CollectorStatus:
    """A row of (collector_id, started_at, last_beat_at, beat_seconds, last_error)."""
    collector_id, started, beat, seconds, error = row
    started_at, beat_at = parse_timestamp(started), parse_timestamp(beat)
    assert started_at is not None and beat_at is not None  # NOT NULL columns
    return CollectorStatus(collector_id, started_at, beat_at, seconds, error)


def collector_row(collector: CollectorStatus) -> tuple[str, str, str, float, str | None]:
    return (
        collector.collector_id,
        timestamp(collector.started_at),
        timestamp(collector.last_beat_at),
        collector.beat_seconds,
        collector.last_error,
    )


def stored_analysis(row: Sequence[Any]) -> StoredAnalysis:
    computed, format_, payload = row
    computed_at = parse_timestamp(computed)
    assert computed_at is not None  # a NOT NULL column
    return StoredAnalysis(computed_at, format_, payload)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_timestamp(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
