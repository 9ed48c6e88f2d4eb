"""The SQLite history store."""

import sqlite3
from datetime import date, datetime, timezone

import pytest

from tui.metrics.compute import Observation
from tui.periods import period_of
from tui.store import SCHEMA_VERSION, Store, StoreError

T1 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
T2 = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)


def obs(month: int, value, n=10, segment=""):
    return Observation("enps", segment, period_of(date(2026, month, 1), "month"), value, n)


def test_fetching_a_period_again_replaces_its_value(tmp_path):
    store = Store(tmp_path / "history.db")
    store.write_refresh("pulse", [obs(1, 10.0), obs(2, 20.0)], T1, 100, 1, 0.1)
    store.write_refresh("pulse", [obs(2, 25.0, n=12), obs(3, 30.0)], T2, 120, 2, 0.1)
    series = store.series("enps", "month")
    assert [(o.period_key, o.value, o.n) for o in series] == [
        ("2026-01", 10.0, 10),
        ("2026-02", 25.0, 12),
        ("2026-03", 30.0, 10),
    ]
    rows = sqlite3.connect(tmp_path / "history.db").execute("SELECT count(*) FROM observations")
    assert rows.fetchone()[0] == 3


def test_series_keeps_the_latest_periods_oldest_first(tmp_path):
    store = Store(tmp_path / "h.db")
    store.write_refresh("pulse", [obs(m, float(m)) for m in range(1, 13)], T1, 1, 1, 0.1)
    assert [o.value for o in store.series("enps", "month", limit=3)] == [10.0, 11.0, 12.0]


def test_segments_are_kept_apart(tmp_path):
    store = Store(tmp_path / "h.db")
    store.write_refresh("pulse", [obs(1, 1.0), obs(1, 2.0, segment="Support")], T1, 1, 1, 0.1)
    assert store.series("enps", "month")[0].value == 1.0
    assert store.series("enps", "month", segment="Support")[0].value == 2.0


def test_a_failure_keeps_the_values_and_marks_the_source_failing(tmp_path):
    store = Store(tmp_path / "h.db")
    store.write_refresh("pulse", [obs(1, 10.0)], T1, 100, 1, 0.1)
    store.record_failure("pulse", "503 from pulse", T2)
    assert store.series("enps", "month")[0].value == 10.0
    status = store.source_statuses()["pulse"]
    assert status.failing and status.last_ok_at == T1 and status.last_error == "503 from pulse"
    store.write_refresh(
        "pulse", [obs(1, 11.0)], datetime(2026, 3, 1, 11, tzinfo=timezone.utc), 1, 1, 0.1
    )
    assert not store.source_statuses()["pulse"].failing


def test_history_survives_reopening(tmp_path):
    Store(tmp_path / "h.db").write_refresh("pulse", [obs(1, 10.0)], T1, 1, 1, 0.1)
    assert Store(tmp_path / "h.db").series("enps", "month")[0].value == 10.0


def test_a_store_from_a_newer_tandem_is_refused_with_a_way_out(tmp_path):
    path = tmp_path / "h.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(
        StoreError, match=r"written by a newer Tandem .* use --store with another store"
    ):
        Store(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable Tandem store"):
        Store(path)


def test_a_version_1_store_is_migrated_and_keeps_its_history(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE observations (
            metric_id TEXT NOT NULL, segment TEXT NOT NULL, granularity TEXT NOT NULL,
            period_key TEXT NOT NULL, period_start TEXT NOT NULL, value REAL,
            n INTEGER NOT NULL, source_id TEXT NOT NULL, fetched_at TEXT NOT NULL,
            PRIMARY KEY (metric_id, segment, granularity, period_key)) WITHOUT ROWID;
        CREATE TABLE source_status (source_id TEXT PRIMARY KEY, last_ok_at TEXT,
            records INTEGER, pages INTEGER, seconds REAL, last_error TEXT, last_error_at TEXT);
        INSERT INTO observations VALUES
            ('enps', '', 'month', '2026-01', '2026-01-01', 12.5, 40, 'pulse',
             '2026-02-01T00:00:00+00:00');
        PRAGMA user_version = 1;
        """
    )
    db.close()
    store = Store(path)
    [row] = store.series("enps", "month")
    assert (row.value, row.n, row.suppressed) == (12.5, 40, False)
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION == 7
    assert row.variance is None  # unknown for history stored before the spread was kept


def test_a_store_locked_by_another_process_refuses_writes_in_words_and_still_reads(tmp_path):
    from tui.store import StoreWriteError

    path = tmp_path / "s.db"
    store = Store(path, busy_seconds=0.1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreWriteError, match="store not writable: locked by another process"):
            store.record_failure("s", "x", datetime(2026, 3, 1, tzinfo=timezone.utc))
        assert store.source_statuses() == {}  # reading goes on meanwhile
        # Opening it again works too: nothing in it is damaged.
        Store(path, busy_seconds=0.1).close()
    finally:
        holder.execute("ROLLBACK")
    store.record_failure("s", "x", datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert store.source_statuses()["s"].last_error == "x"


def test_a_new_store_that_another_process_has_locked_is_not_called_damaged(tmp_path):
    path = tmp_path / "s.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE other (x)")
    try:
        with pytest.raises(StoreError) as caught:
            Store(path, busy_seconds=0.1)
    finally:
        holder.execute("ROLLBACK")
    assert str(caught.value) == f"{path}: store not writable: locked by another process"


def test_a_damaged_page_read_is_a_store_error_in_words(tmp_path):
    path = tmp_path / "s.db"
    store = Store(path)
    day = datetime(2026, 3, 1, tzinfo=timezone.utc)
    for i in range(400):
        store.record_failure(f"source-{i}", "x" * 300, day)
    store.close()
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 8192] = b"\xa5" * 8192
    path.write_bytes(bytes(raw))
    damaged = Store(path)
    with pytest.raises(StoreError, match="the store is damaged"):
        damaged.source_statuses()
    with pytest.raises(StoreError, match="the store is damaged"):
        damaged.check_readable()


def test_the_spread_behind_a_value_is_kept_and_a_hidden_one_is_not(tmp_path):
    store = Store(tmp_path / "history.db")
    march = period_of(date(2026, 3, 1), "month")
    shown = Observation("enps", "", march, 10.0, 40, 0, 6900.0)
    hidden = Observation("enps", "Legal", march, 10.0, 3, 1, 6900.0)
    store.write_refresh("pulse", [shown, hidden], T1, 43, 1, 0.1)
    assert store.series("enps", "month")[0].variance == 6900.0
    [row] = store.series("enps", "month", "Legal")
    assert row.suppressed and row.value is None and row.variance is None
