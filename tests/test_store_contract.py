"""One contract, two stores: every test here runs against SQLite and against a real
PostgreSQL server (tests/postgres_server.py), and both must give back exactly what
was written. Then what only PostgreSQL has: URLs, passwords, roles, a lost server."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from tui.metrics.compute import COMPLEMENT, SMALL_GROUP, Observation
from tui.periods import last_periods
from tui.store import (
    SCHEMA_VERSION,
    CollectorStatus,
    StoredObservation,
    StoreError,
    StoreWriteError,
    is_store_url,
    open_store,
)

TODAY = date(2026, 6, 17)
FETCHED = datetime(2026, 6, 17, 9, 30, tzinfo=timezone.utc)
LATER = datetime(2026, 6, 17, 10, 45, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgres"])
def location(request, tmp_path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "s.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(location):
    opened = open_store(location)
    yield opened
    opened.close()


def _month(index: int):
    return last_periods(TODAY, "month", 6)[index]


def _observations():
    return [
        # A spread with many digits: it must come back to the last bit in both stores.
        Observation("enps", "", _month(0), 12.345678901234567, 140, 0, 6123.456789012345),
        Observation("enps", "", _month(1), -3.0, 150, 0, None),
        Observation("enps", "Sales", _month(1), None, 0, SMALL_GROUP),
        Observation("enps", "Legal", _month(1), None, 0, COMPLEMENT),
        Observation("enps", "Support", _month(1), 40.0, 90, 0, 5000.0),
        Observation("enps", "", _month(2), 0.0, 0),  # no records: never written
        Observation("enps", "", last_periods(TODAY, "week", 1)[0], 7.5, 12, 0, 100.0),
    ]


def test_what_is_written_is_read_back_exactly(store):
    store.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25, skipped=3)
    assert store.series("enps", "month", limit=12) == [
        StoredObservation(
            _month(0).key, _month(0).start, 12.345678901234567, 140, "pulse", FETCHED, 0,
            6123.456789012345,
        ),
        StoredObservation(_month(1).key, _month(1).start, -3.0, 150, "pulse", FETCHED, 0, None),
    ]  # fmt: skip
    hidden = store.series("enps", "month", "Sales")
    assert [(o.value, o.n, o.suppressed, o.variance) for o in hidden] == [
        (None, 0, SMALL_GROUP, None)
    ]
    assert store.series("enps", "month", "Legal")[0].suppressed == COMPLEMENT
    assert [o.value for o in store.series("enps", "week")] == [7.5]
    assert store.series("enps", "month", limit=1)[0].period_key == _month(1).key  # the latest
    assert store.segments("enps", "month") == ["Legal", "Sales", "Support"]
    assert store.segments("nps", "month") == []
    status = store.source_statuses()["pulse"]
    assert (status.last_ok_at, status.records, status.skipped, status.failing) == (
        FETCHED,
        412,
        3,
        False,
    )


def test_a_period_fetched_again_is_replaced_not_added(store):
    store.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25)
    again = [Observation("enps", "", _month(1), 5.0, 160, 0, 7000.0)]
    store.write_refresh("pulse", again, LATER, 420, 5, 1.0)
    series = store.series("enps", "month")
    assert [(o.period_key, o.value, o.n, o.fetched_at) for o in series] == [
        (_month(0).key, 12.345678901234567, 140, FETCHED),
        (_month(1).key, 5.0, 160, LATER),
    ]


def test_a_failure_is_noted_and_the_history_stays(store):
    store.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25)
    store.record_failure("pulse", "HTTP 503 from the survey API", LATER)
    store.record_failure("hr", "cannot reach the HR API", LATER)
    statuses = store.source_statuses()
    assert statuses["pulse"].failing and statuses["pulse"].last_ok_at == FETCHED
    assert statuses["pulse"].last_error == "HTTP 503 from the survey API"
    assert statuses["hr"].failing and statuses["hr"].last_ok_at is None
    assert store.status_of("pulse") == statuses["pulse"]
    assert store.status_of("never-fetched") is None
    assert len(store.series("enps", "month")) == 2
    store.write_refresh("pulse", [], datetime(2026, 6, 17, 11, tzinfo=timezone.utc), 400, 4, 1.0)
    assert not store.source_statuses()["pulse"].failing


def test_a_fetch_under_way_is_noted_until_its_outcome_is_written(store):
    started = datetime(2026, 6, 17, 10, tzinfo=timezone.utc)
    store.record_fetch_start("hr", started)  # its first fetch: no outcome yet
    assert store.source_statuses()["hr"].fetching_since == started
    store.record_failure("hr", "cannot reach the HR API", LATER)
    assert store.source_statuses()["hr"].fetching_since is None
    store.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25)
    store.record_fetch_start("pulse", LATER)
    status = store.source_statuses()["pulse"]
    assert status.fetching_since == LATER and not status.failing
    assert status.last_ok_at == FETCHED and status.records == 412  # the last outcome stays
    store.write_refresh("pulse", [], LATER + timedelta(seconds=3), 400, 4, 1.0)
    assert store.source_statuses()["pulse"].fetching_since is None


def _changes_from(store, previous: int, seconds: float = 2.0) -> bool:
    """Whether the store's data_version moves off `previous` within moments (a
    PostgreSQL notification reaches a listener just after the commit)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if store.data_version() != previous:
            return True
        time.sleep(0.01)
    return False


def test_another_process_writing_changes_the_data_version(location):
    from datetime import timedelta

    reader, writer = open_store(location), open_store(location)
    try:
        reader.check_readable()
        before = reader.data_version()
        assert reader.data_version() == before  # reading changes nothing
        writer.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25)
        assert _changes_from(reader, before)
        assert len(reader.series("enps", "month")) == 2  # and the reader sees the write
        for minutes in range(3):  # every write changes it (PostgreSQL: counted from NOTIFYs)
            previous = reader.data_version()
            writer.record_failure("hr", "HTTP 503", LATER + timedelta(minutes=minutes))
            assert _changes_from(reader, previous)
    finally:
        reader.close()
        writer.close()


def _as_if_newer(location: str, version: int, written_by: str) -> None:
    """What a newer Tandem's migration leaves: its schema version and its own version."""
    meta = f"UPDATE tandem_meta SET value = '{written_by}' WHERE key = 'written_by'"
    if is_store_url(location):
        import psycopg

        with psycopg.connect(location, autocommit=True) as db:
            db.execute("UPDATE tandem_schema SET version = %s", (version,))
            db.execute(meta)  # type: ignore[arg-type]
    else:
        with sqlite3.connect(location) as db:
            db.execute(f"PRAGMA user_version = {version}")
            db.execute(meta)


def test_a_store_from_a_newer_tandem_is_refused_and_names_the_tandem_to_install(location):
    from tui import __version__

    open_store(location).close()
    _as_if_newer(location, SCHEMA_VERSION + 1, "9.4.0")
    with pytest.raises(StoreError) as caught:
        open_store(location)
    assert str(caught.value).endswith(
        f"was written by Tandem 9.4.0 (store version {SCHEMA_VERSION + 1}; this Tandem, "
        f"{__version__}, reads up to {SCHEMA_VERSION}). Install Tandem 9.4.0 or later here "
        "too, or use --store with another store."
    )


def test_a_store_is_opened_again_without_migrating_twice(location):
    first = open_store(location)
    first.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25)
    first.close()
    again = open_store(location)
    assert len(again.series("enps", "month")) == 2
    again.close()


def test_collectors_beat_and_the_latest_is_first(store):
    from datetime import timedelta

    started = FETCHED
    store.beat(CollectorStatus("box-a:101", started, FETCHED, 60.0))
    store.beat(CollectorStatus("box-b:202", started, LATER, 60.0, "hr: HTTP 503"))
    store.beat(CollectorStatus("box-a:101", started, FETCHED + timedelta(minutes=1), 60.0))
    assert store.collectors() == [
        CollectorStatus("box-b:202", started, LATER, 60.0, "hr: HTTP 503"),
        CollectorStatus("box-a:101", started, FETCHED + timedelta(minutes=1), 60.0),
    ]
    latest = store.collectors()[0]
    assert not latest.missed(LATER + timedelta(seconds=120))
    assert latest.missed(LATER + timedelta(seconds=126))  # two beats and a little more


# ── PostgreSQL only ──────────────────────────────────────────────────────


def test_a_password_in_the_url_is_refused_before_connecting_and_never_echoed():
    start = time.monotonic()
    for url in (
        "postgresql://tandem:s3cret-pw@db.example.com/tandem",
        "postgresql://tandem@db.example.com/tandem?password=s3cret-pw",
    ):
        with pytest.raises(StoreError) as caught:
            open_store(url)
        text = str(caught.value)
        assert "s3cret-pw" not in text
        assert "PGPASSWORD" in text and "~/.pgpass" in text
    assert time.monotonic() - start < 1  # refused, not tried against db.example.com


def test_an_unreachable_server_is_said_in_words_and_quickly():
    with socket_closed_port() as port:
        start = time.monotonic()
        with pytest.raises(StoreError, match="store unreachable"):
            open_store(f"postgresql://tandem@127.0.0.1:{port}/tandem")
    assert time.monotonic() - start < 10


def socket_closed_port():
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        yield port  # nothing listens on it now

    return closed()


def test_the_password_comes_from_the_environment(postgres_server, postgres_url, monkeypatch):
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    with pytest.raises(StoreError, match="store unreachable"):
        open_store(postgres_url)
    from tests.postgres_server import PASSWORD

    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    open_store(postgres_url).close()


def test_sslmode_in_the_url_is_honoured(postgres_url):
    # The test server has no TLS: a URL that requires it must not fall back to plain text.
    with pytest.raises(StoreError, match=r"(?i)ssl"):
        open_store(postgres_url + "?sslmode=require")


def test_a_read_only_role_reads_and_cannot_write(postgres_server, postgres_url):
    writer = open_store(postgres_url)
    writer.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25)
    writer.close()
    database = postgres_url.rsplit("/", 1)[1]
    # The README's GRANTs for a laptop's role.
    for sql in (
        "CREATE ROLE screen LOGIN PASSWORD 'tandem-test-only-7f3a'",
        f"GRANT CONNECT ON DATABASE {database} TO screen",
    ):
        postgres_server.admin(sql)
    for sql in (
        "GRANT USAGE ON SCHEMA public TO screen",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO screen",
    ):
        postgres_server.admin(sql, database)
    try:
        screen = open_store(postgres_server.url(database, role="screen"))
        screen.check_readable()
        assert len(screen.series("enps", "month")) == 2
        with pytest.raises(StoreWriteError, match="this role may only read"):
            screen.write_refresh("pulse", _observations(), LATER, 1, 1, 0.1)
        with pytest.raises(StoreWriteError, match="this role may only read"):
            screen.record_failure("pulse", "boom", LATER)
        screen.close()
    finally:
        postgres_server.admin(f"REVOKE ALL ON DATABASE {database} FROM screen")
        postgres_server.admin("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM screen", database)
        postgres_server.admin("REVOKE ALL ON SCHEMA public FROM screen", database)
        postgres_server.admin("DROP ROLE screen")


def test_a_store_holds_one_connection_through_start_and_restart(postgres_server, postgres_url):
    """A dropped connection is opened again, and thirty screens must not take the
    server's connections: a store holds one (a pool allowed two opened the second
    whenever a read found the first still connecting, at every start and reconnect)."""
    import psycopg

    store = open_store(postgres_url)
    store.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25)
    database = postgres_url.rsplit("/", 1)[1]
    postgres_server.admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND application_name = 'tandem'"
    )
    assert len(store.series("enps", "month")) == 2  # reconnected by itself
    with psycopg.connect(postgres_url, autocommit=True) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'tandem'"
        ).fetchone()
    assert row == (1,) and store._pool.get_stats()["pool_size"] == 1
    store.close()


def test_an_older_postgres_store_is_migrated_step_by_step(postgres_url):
    import psycopg

    from tui.store.postgres import MIGRATIONS

    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("CREATE TABLE tandem_schema (version INTEGER NOT NULL)")
        for statement in MIGRATIONS[1]:
            db.execute(statement)
        db.execute("INSERT INTO tandem_schema VALUES (1)")
        db.execute(
            "INSERT INTO observations VALUES "
            "('enps', '', 'month', '2026-05', '2026-05-01', 20.0, 100, 'pulse', "
            "'2026-06-01T00:00:00+00:00')"
        )
    store = open_store(postgres_url)
    old = store.series("enps", "month")
    assert [(o.value, o.n, o.suppressed, o.variance) for o in old] == [(20.0, 100, 0, None)]
    store.close()


def test_the_readmes_roles_work_as_it_says(postgres_server):
    """The README's SQL, run as written: the collector's role creates and writes the
    tables, the screens' role reads them and may not write."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("## Many screens") :]
    sql = section[section.index("```sql") + 6 : section.index("```", section.index("```sql") + 6)]
    database = f"readme_{postgres_server.port}"
    sql = re.sub(r"--.*", "", sql).replace("'…'", "'tandem-test-only-7f3a'")
    before, after = sql.split("\\c tandem")
    before, after = (re.sub(r"\btandem\b(?=;|\s*TO)", database, part) for part in (before, after))
    try:
        for statement in filter(str.strip, before.split(";")):
            postgres_server.admin(statement)
        for statement in filter(str.strip, after.split(";")):
            postgres_server.admin(statement, database)
        collector = open_store(postgres_server.url(database, "tandem_collector"))
        collector.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25)
        collector.close()
        screen = open_store(postgres_server.url(database, "tandem_screen"))
        screen.check_readable()
        assert len(screen.series("enps", "month")) == 2
        with pytest.raises(StoreWriteError, match="this role may only read"):
            screen.record_failure("pulse", "boom", LATER)
        screen.close()
    finally:
        postgres_server.admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        for role in ("tandem_screen", "tandem_collector"):
            postgres_server.admin(f"DROP ROLE IF EXISTS {role}")


@contextlib.contextmanager
def _through_relay(postgres_server, postgres_url, connect_seconds):  # type: ignore[no-untyped-def]
    """A store on the test server through a TcpRelay the test can cut, holding the
    observations of `_observations`."""
    from tests.tcp_relay import TcpRelay
    from tui.store.postgres import PostgresStore

    database = postgres_url.rsplit("/", 1)[1]
    relay = TcpRelay(postgres_server.port)
    url = f"postgresql://tandem@127.0.0.1:{relay.port}/{database}"
    store = PostgresStore(url, connect_seconds)
    try:
        store.write_refresh("pulse", _observations(), FETCHED, 412, 5, 1.25)
        yield relay, store
    finally:
        store.close()
        relay.close()


def _read_back_within(store, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """The observations read back once the store has reconnected by itself."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            assert len(store.series("enps", "month")) == 2
            return
        except StoreError:
            assert time.monotonic() < deadline, "never reconnected"
            time.sleep(0.2)


def test_a_server_out_of_reach_is_not_waited_for_at_every_read(postgres_server, postgres_url):
    """A screen reads on its event loop every second. A server behind a dead route
    (connections accepted and never answered) costs one connection timeout, once;
    the reads after it fail at once, and the store reconnects by itself."""
    with _through_relay(postgres_server, postgres_url, 1) as (relay, store):
        relay.cut()
        start = time.monotonic()
        with pytest.raises(StoreError, match="store unreachable"):
            store.series("enps", "month")
        assert time.monotonic() - start < 3  # one connection timeout (1 s), and a margin
        for _ in range(5):
            start = time.monotonic()
            with pytest.raises(StoreError, match="store unreachable"):
                store.source_statuses()
            assert time.monotonic() - start < 0.2
        # Reads through a long outage queue nothing in the pool: a request that timed
        # out would stay there until a connection came.
        for _ in range(300):
            with pytest.raises(StoreError, match="store unreachable"):
                store.source_statuses()
        assert store._pool.get_stats().get("requests_waiting", 0) <= 40
        relay.mend()
        _read_back_within(store, 30)


def test_a_store_reconnects_after_its_pool_gave_up_trying(
    postgres_server, postgres_url, monkeypatch
):
    """The pool stops trying after RECONNECT_SECONDS of growing delays; a read after
    that, while the store is known out of reach, starts it trying again."""
    from tui.store import postgres

    monkeypatch.setattr(postgres, "RECONNECT_SECONDS", 2.0)
    with _through_relay(postgres_server, postgres_url, 1) as (relay, store):
        relay.cut()
        with pytest.raises(StoreError, match="store unreachable"):
            store.series("enps", "month")
        deadline = time.monotonic() + 30
        while store._pool.get_stats().get("pool_size", 1) > 0:  # until it gives up
            assert time.monotonic() < deadline, store._pool.get_stats()
            time.sleep(0.2)
        relay.mend()
        _read_back_within(store, 30)


def test_a_connection_gives_up_on_a_silent_network_in_seconds_unless_the_url_says(
    postgres_url,
):
    """libpq's keepalives and TCP user timeout reach the connection (a network that
    drops packets cannot be made on 127.0.0.1, so what the kernel then does is
    libpq's and Linux's documented behaviour); a URL's own values win."""
    from psycopg.conninfo import conninfo_to_dict

    from tui.store.postgres import PostgresStore

    def parameters(url: str) -> dict[str, str]:
        store = PostgresStore(url)
        try:
            with store._pool.connection() as db:
                return conninfo_to_dict(db.info.dsn)  # type: ignore[return-value]
        finally:
            store.close()

    given = parameters(postgres_url)
    assert given["tcp_user_timeout"] == "10000" and given["keepalives_idle"] == "5"
    own = parameters(postgres_url + "?tcp_user_timeout=2500")
    assert own["tcp_user_timeout"] == "2500" and own["keepalives_count"] == "3"
    # The screen's listening connection and the collector's lock alike.
    store = PostgresStore(postgres_url + "?tcp_user_timeout=2500")
    lock = store.collector_lock()
    try:
        store.data_version()  # starts listening
        assert lock.try_acquire()
        for db in (store._listener, lock._db):
            assert db is not None
            dsn = conninfo_to_dict(db.info.dsn)
            assert dsn["tcp_user_timeout"] == "2500" and dsn["keepalives_idle"] == "5"
    finally:
        lock.release()
        store.close()


def test_a_store_closes_at_once_while_its_pool_is_still_trying(postgres_server, postgres_url):
    """Quitting a screen while the server is out of reach: the pool's attempt under
    way (up to a connection timeout) is not waited for."""
    with _through_relay(postgres_server, postgres_url, 3) as (relay, store):
        relay.cut()
        with pytest.raises(StoreError, match="store unreachable"):
            store.source_statuses()
        attempts = store._pool.get_stats().get("connections_num", 0)
        deadline = time.monotonic() + 10
        while store._pool.get_stats().get("connections_num", 0) == attempts:
            assert time.monotonic() < deadline, "the pool never tried again"
            time.sleep(0.05)
        start = time.monotonic()  # an attempt is under way, silent for 3 s
        store.close()
        assert time.monotonic() - start < 1


def test_a_screen_started_while_the_server_is_out_of_reach_waits_for_it(
    postgres_server, postgres_url
):
    """A wall screen may start before its database. Its store is not refused: reads
    say "store unreachable" until the server answers, then read as any; a schema the
    server then shows to be newer is refused at that first read."""
    from tests.tcp_relay import TcpRelay
    from tui.store import StoreRefused, StoreUnreachable
    from tui.store.postgres import PostgresStore

    open_store(postgres_url).close()
    database = postgres_url.rsplit("/", 1)[1]
    relay = TcpRelay(postgres_server.port)
    url = f"postgresql://tandem@127.0.0.1:{relay.port}/{database}"
    relay.cut()
    try:
        with pytest.raises(StoreUnreachable):
            PostgresStore(url, 1)  # a collector, a snapshot, a report: refused at once
        store = PostgresStore(url, 1, wait_for_server=True)
        try:
            with pytest.raises(StoreUnreachable, match="store unreachable"):
                store.source_statuses()
            _as_if_newer(postgres_url, SCHEMA_VERSION + 1, "9.4.0")
            relay.mend()
            deadline = time.monotonic() + 30
            while True:
                try:
                    store.source_statuses()
                except StoreUnreachable:
                    assert time.monotonic() < deadline, "never reconnected"
                    time.sleep(0.2)
                    continue
                except StoreRefused as refused:
                    assert "Install Tandem 9.4.0 or later" in str(refused)
                    break
                raise AssertionError("a newer schema was read from")
        finally:
            store.close()
        _as_if_newer(postgres_url, SCHEMA_VERSION, "0.0.0")
        relay.cut()
        store = PostgresStore(url, 1, wait_for_server=True)
        try:
            relay.mend()
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert store.source_statuses() == {}
                    break
                except StoreUnreachable:
                    assert time.monotonic() < deadline, "never reconnected"
                    time.sleep(0.2)
        finally:
            store.close()
    finally:
        relay.close()


def test_a_store_that_cannot_open_does_not_wait_for_its_pool_either(postgres_server, postgres_url):
    """A silent server at start: the store is refused after its connection timeout,
    not after the pool's attempt under way as well."""
    from tests.tcp_relay import TcpRelay
    from tui.store.postgres import PostgresStore

    database = postgres_url.rsplit("/", 1)[1]
    relay = TcpRelay(postgres_server.port)
    relay.cut()
    try:
        start = time.monotonic()
        with pytest.raises(StoreError, match=r"store unreachable \(no answer in 1 s\)"):
            # libpq gives each attempt at least 2 s: still under way after 1 s.
            PostgresStore(f"postgresql://tandem@127.0.0.1:{relay.port}/{database}", 1)
        assert time.monotonic() - start < 1.7
    finally:
        relay.close()
