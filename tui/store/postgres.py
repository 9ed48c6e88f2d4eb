"""The PostgreSQL store: one server that a collector writes and many screens read.

The tables are SQLite's (tui.store.sqlite), column for column, migrated by the same
steps; dates and times are ISO text in both, so a value reads back the same from
either. A PostgreSQL store also keeps a write counter, bumped in every write's
transaction, which is its `data_version`: a screen polls one row to learn that the
collector wrote.

The URL never holds a password: it would show in process lists, shell history
and logs. libpq takes it from PGPASSWORD or ~/.pgpass instead, and honours the
URL's sslmode and every other libpq parameter as given.

A store keeps its connection in a psycopg pool of one: the pool connects in the
background, replaces a connection that broke or grew old, and while the server is
out of reach tries again with a growing, jittered delay (thirty screens do not all
knock at once when it comes back). A read in the meantime fails at once, with
libpq's reason: a screen reads on a thread of its own (tui.app.shared_reads), but a
page it opens must still not wait a connection timeout at every key.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

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
    StoreUnreachable,
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
from tui.store.queries import postgres as pg

T = TypeVar("T")

# Each entry takes the store from the version before it to its own (as SQLite's).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE IF NOT EXISTS observations (
            metric_id    TEXT NOT NULL,
            segment      TEXT NOT NULL,
            granularity  TEXT NOT NULL,
            period_key   TEXT NOT NULL,
            period_start TEXT NOT NULL,
            value        DOUBLE PRECISION,
            n            INTEGER NOT NULL,
            source_id    TEXT NOT NULL,
            fetched_at   TEXT NOT NULL,
            PRIMARY KEY (metric_id, segment, granularity, period_key)
        )""",
        """CREATE TABLE IF NOT EXISTS source_status (
            source_id     TEXT PRIMARY KEY,
            last_ok_at    TEXT,
            records       INTEGER,
            pages         INTEGER,
            seconds       DOUBLE PRECISION,
            last_error    TEXT,
            last_error_at TEXT
        )""",
        # PostgreSQL's own: what data_version reads (SQLite has a pragma for it).
        """CREATE TABLE IF NOT EXISTS tandem_writes (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            version BIGINT NOT NULL
        )""",
        "INSERT INTO tandem_writes (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    ),
    2: (
        "ALTER TABLE observations ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE source_status ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0",
    ),
    3: ("ALTER TABLE observations ADD COLUMN variance DOUBLE PRECISION",),
    4: (
        """CREATE TABLE IF NOT EXISTS collectors (
            collector_id TEXT PRIMARY KEY,
            started_at   TEXT NOT NULL,
            last_beat_at TEXT NOT NULL,
            beat_seconds DOUBLE PRECISION NOT NULL,
            last_error   TEXT
        )""",
    ),
    5: (
        """CREATE TABLE IF NOT EXISTS analysis (
            granularity TEXT PRIMARY KEY,
            computed_at TEXT NOT NULL,
            format      INTEGER NOT NULL,
            payload     TEXT NOT NULL
        )""",
    ),
    6: (
        """CREATE TABLE IF NOT EXISTS tandem_meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    ),
    7: ("ALTER TABLE source_status ADD COLUMN fetch_started_at TEXT",),
}

# What a write NOTIFYs, for screens that LISTEN (PostgresStore.data_version).
CHANNEL = "tandem_writes"

# Held while migrating, so two processes starting at once do not migrate twice.
MIGRATION_LOCK = 0x54414E44  # "TAND"

PASSWORD_HELP = (
    "a password in the store URL would show in process lists, shell history and logs: "
    "give the URL without it, and put the password in the PGPASSWORD environment "
    "variable or in ~/.pgpass (host:port:database:user:password, mode 0600)"
)


def checked_url(url: str) -> str:
    """The URL, refused with a message if it carries a password."""
    parts = urlsplit(url)
    if parts.password is not None or "password" in parse_qs(parts.query):
        # Named without its user, password or parameters: the message must not echo it.
        shown = parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1], query="").geturl()
        raise StoreError(f"{shown}: {PASSWORD_HELP}")
    return url


def _reason(error: Exception) -> str:
    """libpq's message on one line (it spans several, with hints)."""
    return " ".join(str(error).split()) or type(error).__name__


# The store says in its own words why it cannot connect; the pool would also warn
# on stderr at every attempt, under a screen's feet.
logging.getLogger("psycopg.pool").setLevel(logging.ERROR)

# How long the pool keeps trying with a growing delay (1, 2, 4 ... s) before it
# gives up; the next read starts it again at once. It bounds how long a screen
# waits, once the server is back, for a delay that grew while it was away.
RECONNECT_SECONDS = 30.0

# On a network that drops packets (a VPN or a route gone), a query would wait for
# the kernel to give up, a quarter of an hour, and every read queued behind it;
# libpq's keepalives and TCP user timeout give up within seconds, and
# the pool opens a new connection. A URL that sets any of these keeps its own.
NETWORK_DEFAULTS = {
    "keepalives": "1",
    "keepalives_idle": "5",
    "keepalives_interval": "2",
    "keepalives_count": "3",
    "tcp_user_timeout": "10000",  # ms: data sent and not acknowledged
}


def _with_network_defaults(url: str) -> str:
    """The URL's connection string with NETWORK_DEFAULTS where it sets none (what
    make_conninfo is given overrides the URL's own)."""
    given = conninfo_to_dict(url)
    defaults = {name: value for name, value in NETWORK_DEFAULTS.items() if name not in given}
    return make_conninfo(url, **defaults)


def _noting_connection(
    noted: Callable[[str | None], None],
) -> type[psycopg.Connection[Any]]:
    """A connection class that tells `noted` why connecting failed (None: it worked).

    The pool connects in its own threads and keeps the reason to itself; a store
    needs it to say "store unreachable (connection refused)" and not just "no
    connection"."""

    class NotingConnection(psycopg.Connection[Any]):
        @classmethod
        def connect(cls, *args: Any, **kwargs: Any) -> NotingConnection:
            try:
                connection = super().connect(*args, **kwargs)
            except psycopg.Error as error:
                noted(_reason(error))
                raise
            noted(None)
            return connection

    return NotingConnection


class PostgresStore:
    """Observations and source outcomes on a PostgreSQL server."""

    def __init__(
        self, url: str, connect_seconds: int = 5, *, wait_for_server: bool = False
    ) -> None:
        self.path = checked_url(url)
        self._connect_seconds = connect_seconds
        # Why the last attempt to connect failed; None once one succeeds.
        self._unreachable: str | None = None
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            _with_network_defaults(self.path),
            connection_class=_noting_connection(self._note_reach),
            kwargs={
                "autocommit": True,
                "connect_timeout": connect_seconds,
                "application_name": "tandem",
            },
            # One thread reads a screen's store (tui.app.shared_reads), and a collector's
            # thread reopens a store of its own. A pool allowed two would open the second
            # whenever a read found the first still connecting, at every start and
            # reconnect: with the listening connection, thirty screens would hold 90 of
            # the server's default 100.
            min_size=1,
            max_size=1,
            timeout=connect_seconds,
            reconnect_timeout=RECONNECT_SECONDS,
            num_workers=1,
            name="tandem store",
            open=True,
        )
        # Whether the schema is still to be checked: a screen started while the
        # server is out of reach checks it at its first read that reaches it.
        self._unchecked = False
        try:
            self._migrate()
        except StoreUnreachable:
            if not wait_for_server:
                self.close()  # not waiting for an attempt under way, as any close
                raise
            self._unchecked = True  # the pool keeps trying, in the background
        except BaseException:
            self.close()
            raise

    def _note_reach(self, reason: str | None) -> None:
        self._unreachable = reason

    def _borrow(self) -> psycopg.Connection[Any]:
        """The pool's connection: waited for while the pool is connecting, refused at
        once (with the last attempt's reason) while the server is known out of reach."""
        if self._unreachable is not None and not self._pool.get_stats().get("pool_available"):
            # Not asked for: a request that times out stays queued in the pool until a
            # connection comes, and a wall screen reads every second through a
            # weekend's outage. `check` starts the pool trying again if it gave up.
            self._pool.check()
            raise self._unreachable_error()
        deadline = time.monotonic() + self._connect_seconds
        while True:
            try:
                return self._pool.getconn(timeout=0.05)
            except PoolTimeout:
                if self._unreachable is None and time.monotonic() < deadline:
                    continue  # still connecting, or reconnecting after a drop
                if self._unreachable is None:  # no answer: a dead route, or a firewall
                    self._unreachable = f"no answer in {self._connect_seconds} s"
                raise self._unreachable_error() from None

    def _unreachable_error(self) -> StoreUnreachable:
        return StoreUnreachable(f"{self.path}: store unreachable ({self._unreachable})")

    def _run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """`work` on the connection; one the server or the network dropped is replaced
        by the pool and tried again, once."""
        if self._unchecked:
            self._unchecked = False  # the check reads through here too
            try:
                self._migrate()  # a newer schema, or one this role may not migrate: refused
            except StoreUnreachable:
                self._unchecked = True
                raise
        for attempt in range(2):
            db = self._borrow()
            try:
                return work(db)
            except psycopg.OperationalError as error:
                if not db.broken:
                    raise StoreError(f"{self.path}: {_reason(error)}") from None
                if attempt:
                    raise StoreUnreachable(f"{self.path}: {_reason(error)}") from None
            finally:
                self._pool.putconn(db)  # a broken one is closed and replaced
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _version(self, db: psycopg.Connection[Any]) -> int:
        try:
            row = db.execute("SELECT version FROM tandem_schema").fetchone()
        except errors.UndefinedTable:
            return 0
        return int(row[0]) if row else 0

    def _written_by(self, db: psycopg.Connection[Any]) -> str | None:
        try:
            row = db.execute(pg(queries.SELECT_WRITTEN_BY)).fetchone()
        except psycopg.Error:
            return None
        return None if row is None else str(row[0])

    def _migrate(self) -> None:
        version = self._run(self._version)
        if version > SCHEMA_VERSION:
            raise StoreRefused(newer_store(self.path, version, self._run(self._written_by)))
        if version == SCHEMA_VERSION:
            return  # nothing to write: a read-only role opens a current store

        def migrate(db: psycopg.Connection[Any]) -> None:
            with db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                db.execute("CREATE TABLE IF NOT EXISTS tandem_schema (version INTEGER NOT NULL)")
                current = self._version(db)  # another process may have migrated meanwhile
                for target in range(current + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[target]:
                        db.execute(statement)
                db.execute("DELETE FROM tandem_schema")
                db.execute("INSERT INTO tandem_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
                db.execute(pg(queries.UPSERT_WRITTEN_BY), (__version__,))

        try:
            self._run(migrate)
        except errors.InsufficientPrivilege:
            raise StoreRefused(
                f"{self.path}: the store is at version {version} and needs {SCHEMA_VERSION}; "
                "this role may not change its tables. Run `tandem collect` (as the "
                "collector's role) once to bring it up to date."
            ) from None

    def close(self) -> None:
        # An attempt to connect under way (a silent server: a connection timeout) is
        # not waited for: quitting a screen is instant. Its thread is a daemon, and
        # closes what it opens once it sees the pool closed.
        self._pool.close(timeout=0.1)
        if self._listener is not None:
            self._listener.close()

    # ── writing ──

    def _write(self, work: Callable[[psycopg.Connection[Any]], None]) -> None:
        def in_transaction(db: psycopg.Connection[Any]) -> None:
            with db.transaction():
                work(db)
                db.execute("UPDATE tandem_writes SET version = version + 1 WHERE id = 1")
                # Screens listening learn of it without a query (sent at commit).
                db.execute(f"NOTIFY {CHANNEL}")

        try:
            self._run(in_transaction)
        except errors.InsufficientPrivilege:
            raise StoreWriteError("store not writable: this role may only read") from None
        except psycopg.Error as error:
            raise StoreWriteError(f"store not writable: {_reason(error)}") from None
        except StoreError as error:
            raise StoreWriteError(f"store not writable: {error}") from None

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
        """Store one successful refresh of a source: its observations and its status,
        atomically (as SqliteStore.write_refresh)."""
        rows = observation_rows(source_id, observations, fetched_at)

        def write(db: psycopg.Connection[Any]) -> None:
            with db.cursor() as cursor:
                cursor.executemany(pg(queries.UPSERT_OBSERVATION), rows)
            db.execute(
                pg(queries.UPSERT_SOURCE_OK),
                (source_id, timestamp(fetched_at), records, pages, seconds, skipped),
            )

        self._write(write)

    def record_failure(self, source_id: str, error: str, at: datetime) -> None:
        """Note a failed refresh; the source's observations stay as they were."""

        def write(db: psycopg.Connection[Any]) -> None:
            db.execute(pg(queries.UPSERT_SOURCE_FAILURE), (source_id, error, timestamp(at)))

        self._write(write)

    def record_fetch_start(self, source_id: str, at: datetime) -> None:
        """Note that a fetch of the source started; its outcome is written when it ends."""

        def write(db: psycopg.Connection[Any]) -> None:
            db.execute(pg(queries.UPSERT_FETCH_START), (source_id, timestamp(at)))

        self._write(write)

    # ── reading ──

    def _read(self, sql: str, parameters: tuple[object, ...] = ()) -> list[Any]:
        def read(db: psycopg.Connection[Any]) -> list[Any]:
            return db.execute(sql, parameters).fetchall()

        try:
            return self._run(read)
        except psycopg.Error as error:
            raise StoreError(f"{self.path}: cannot read the store ({_reason(error)})") from None

    def check_readable(self) -> None:
        """StoreError now, in words, if the tables cannot be read (a role without SELECT)."""
        self._read("SELECT 1 FROM observations LIMIT 1")
        self._read("SELECT 1 FROM source_status LIMIT 1")

    def series(
        self, metric_id: str, granularity: str, segment: str = EVERYONE, limit: int = 12
    ) -> list[StoredObservation]:
        """The latest `limit` periods of a metric, oldest first."""
        rows = self._read(pg(queries.SELECT_SERIES), (metric_id, segment, granularity, limit))
        return [stored_observation(row) for row in reversed(rows)]

    def segments(self, metric_id: str, granularity: str) -> list[str]:
        """The segments a metric has been stored for, the whole organisation ("") excluded."""
        rows = self._read(pg(queries.SELECT_SEGMENTS), (metric_id, granularity))
        return [row[0] for row in rows]

    def data_version(self) -> int:
        """A number that changes when the store is written, by any process.

        A screen asks every fraction of a second, and thirty screens ask one server: it
        LISTENs on a connection of its own, so a poll reads the notifications that
        arrived and sends nothing. Without that connection (or when it drops, and
        notifications may have been missed) it reads the write counter."""
        listener = self._listener
        if listener is not None:
            try:
                arrived = sum(1 for _ in listener.notifies(timeout=0, stop_after=10_000))
            except psycopg.Error:
                listener.close()
                self._listener = None
            else:
                self._seen += arrived  # one NOTIFY a write: the counter, kept here
                return self._seen
        rows = self._read("SELECT version FROM tandem_writes WHERE id = 1")
        version = int(rows[0][0]) if rows else 0
        self._listen()
        return version

    _listener: psycopg.Connection[Any] | None = None
    _seen = 0

    def _listen(self) -> None:
        """LISTEN from now on, on a connection of its own."""
        try:
            listener = psycopg.connect(
                # A link gone silent fails the next poll, which then reads by query.
                _with_network_defaults(self.path),
                autocommit=True,
                connect_timeout=self._connect_seconds,
                application_name="tandem screen",
            )
            listener.execute(f"LISTEN {CHANNEL}")
            # Read after listening: a write in between is in this, or is notified.
            rows = listener.execute("SELECT version FROM tandem_writes WHERE id = 1").fetchall()
        except psycopg.Error:
            return  # counted by query until it can listen
        self._listener = listener
        self._seen = int(rows[0][0]) if rows else 0

    def source_statuses(self) -> dict[str, SourceStatus]:
        rows = self._read(queries.SELECT_STATUSES)
        return {row[0]: source_status(row) for row in rows}

    def status_of(self, source_id: str) -> SourceStatus | None:
        """One source's status: what a refresh of it needs, without reading every
        other source's (a refresh of 100 sources read 5,000)."""
        rows = self._read(pg(queries.SELECT_STATUS), (source_id,))
        return source_status(rows[0]) if rows else None

    # ── collectors ──

    def beat(self, collector: CollectorStatus) -> None:
        """Record a collector's heartbeat (and the last error of its cycle)."""

        def write(db: psycopg.Connection[Any]) -> None:
            db.execute(pg(queries.UPSERT_COLLECTOR), collector_row(collector))

        self._write(write)

    def collectors(self) -> list[CollectorStatus]:
        """Every collector that wrote here, the latest heartbeat first."""
        rows = self._read(queries.SELECT_COLLECTORS)
        return [collector_status(row) for row in rows]

    # ── analysis ──

    def write_analysis(self, granularity: str, analysis: StoredAnalysis) -> None:
        def write(db: psycopg.Connection[Any]) -> None:
            db.execute(
                pg(queries.UPSERT_ANALYSIS),
                (granularity, timestamp(analysis.computed_at), analysis.format, analysis.payload),
            )

        self._write(write)

    def analysis(self, granularity: str) -> StoredAnalysis | None:
        rows = self._read(pg(queries.SELECT_ANALYSIS), (granularity,))
        return stored_analysis(rows[0]) if rows else None

    def reopen(self) -> PostgresStore:
        """Another connection to the same server, for another thread."""
        return PostgresStore(self.path, self._connect_seconds)

    def collector_lock(self) -> AdvisoryLock:
        """A session-level advisory lock on a connection of its own: the server lets go
        when that connection ends, so a killed collector frees it at once."""
        return AdvisoryLock(self.path, self._connect_seconds)


# The advisory lock key the one active collector holds.
COLLECTOR_LOCK = 0x54414E45  # "TANE"


class AdvisoryLock:
    def __init__(self, url: str, connect_seconds: int) -> None:
        self.url = url
        self.connect_seconds = connect_seconds
        self._db: psycopg.Connection[Any] | None = None

    def try_acquire(self) -> bool:
        """True while this process holds the lock, taking it if it is free."""
        if self._db is not None:
            try:
                self._db.execute("SELECT 1")  # still connected, so still held
                return True
            except psycopg.Error:
                self.release()  # the server restarted or the network dropped: lost
        try:
            db = psycopg.connect(
                # A link gone silent ends the session, and the lock with it, in seconds.
                _with_network_defaults(self.url),
                autocommit=True,
                connect_timeout=self.connect_seconds,
                application_name="tandem collector lock",
            )
            row = db.execute("SELECT pg_try_advisory_lock(%s)", (COLLECTOR_LOCK,)).fetchone()
        except psycopg.Error:
            return False  # the store is out of reach: no one can be told it is active
        if row is None or not row[0]:
            db.close()
            return False
        self._db = db
        return True

    def release(self) -> None:
        if self._db is not None:
            self._db.close()  # the session ends, and its advisory lock with it
            self._db = None
