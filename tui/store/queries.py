"""The statements both databases run, written once with `?` placeholders.

SQLite takes them as written; PostgreSQL (psycopg) as `postgres(...)` gives them, with
`%s`. One text a query keeps the two stores' contract one contract.
"""

from __future__ import annotations

UPSERT_OBSERVATION = (
    "INSERT INTO observations (metric_id, segment, granularity, period_key, "
    "period_start, value, n, source_id, fetched_at, suppressed, variance) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (metric_id, segment, granularity, period_key) DO UPDATE SET "
    "period_start = excluded.period_start, value = excluded.value, n = excluded.n, "
    "source_id = excluded.source_id, fetched_at = excluded.fetched_at, "
    "suppressed = excluded.suppressed, variance = excluded.variance"
)
UPSERT_SOURCE_OK = (
    "INSERT INTO source_status (source_id, last_ok_at, records, pages, seconds, "
    "skipped) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET "
    "last_ok_at = excluded.last_ok_at, records = excluded.records, "
    "pages = excluded.pages, seconds = excluded.seconds, skipped = excluded.skipped"
)
UPSERT_SOURCE_FAILURE = (
    "INSERT INTO source_status (source_id, last_error, last_error_at) VALUES (?, ?, ?) "
    "ON CONFLICT (source_id) DO UPDATE SET "
    "last_error = excluded.last_error, last_error_at = excluded.last_error_at"
)
SELECT_SERIES = (
    "SELECT period_key, period_start, value, n, source_id, fetched_at, suppressed, variance "
    "FROM observations WHERE metric_id = ? AND segment = ? AND granularity = ? "
    "ORDER BY period_start DESC LIMIT ?"
)
SELECT_SEGMENTS = (
    "SELECT DISTINCT segment FROM observations "
    "WHERE metric_id = ? AND granularity = ? AND segment <> '' ORDER BY segment"
)
SELECT_STATUSES = (
    "SELECT source_id, last_ok_at, records, last_error, last_error_at, skipped, "
    "fetch_started_at FROM source_status"
)
SELECT_STATUS = f"{SELECT_STATUSES} WHERE source_id = ?"
UPSERT_FETCH_START = (
    "INSERT INTO source_status (source_id, fetch_started_at) VALUES (?, ?) "
    "ON CONFLICT (source_id) DO UPDATE SET fetch_started_at = excluded.fetch_started_at"
)
UPSERT_COLLECTOR = (
    "INSERT INTO collectors (collector_id, started_at, last_beat_at, beat_seconds, "
    "last_error) VALUES (?, ?, ?, ?, ?) ON CONFLICT (collector_id) DO UPDATE SET "
    "last_beat_at = excluded.last_beat_at, beat_seconds = excluded.beat_seconds, "
    "last_error = excluded.last_error"
)
SELECT_COLLECTORS = (
    "SELECT collector_id, started_at, last_beat_at, beat_seconds, last_error "
    "FROM collectors ORDER BY last_beat_at DESC"
)
UPSERT_ANALYSIS = (
    "INSERT INTO analysis (granularity, computed_at, format, payload) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (granularity) DO UPDATE SET "
    "computed_at = excluded.computed_at, format = excluded.format, payload = excluded.payload"
)
SELECT_ANALYSIS = "SELECT computed_at, format, payload FROM analysis WHERE granularity = ?"
UPSERT_WRITTEN_BY = (
    "INSERT INTO tandem_meta (key, value) VALUES ('written_by', ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
SELECT_WRITTEN_BY = "SELECT value FROM tandem_meta WHERE key = 'written_by'"


def postgres(statement: str) -> str:
    """The statement with psycopg's placeholders (none of them holds a `?` or `%`)."""
    return statement.replace("?", "%s")
