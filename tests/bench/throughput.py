"""Throughput: NPS from a million parsed responses; 100,000 fetched, parsed and computed."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

from tests.bench.page_server import responses
from tests.bench.results import Figure, median

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 6, 17)
NOW = datetime(2026, 6, 17, 12, tzinfo=timezone.utc)

CONFIG = """
[dashboard]
period = "month"
history_periods = 24

[[sources]]
id = "survey"
kind = "json"
base_url = "{url}"
path = "responses"
timeout_seconds = 30
[sources.pagination]
style = "page"
size = 1000
total_pages_path = "total_pages"
[sources.records]
path = "data"
id = "id"
fields = {{ submitted_at = "submitted_at", team = "team", nps = "answers.nps" }}

[[metrics]]
id = "nps"
label = "NPS"
side = "customer"
source = "survey"
kind = "nps"
score_field = "nps"
date_field = "submitted_at"
segment_field = "team"

[[metrics]]
id = "answers"
label = "Answers"
side = "employee"
source = "survey"
kind = "count"
date_field = "submitted_at"

[[pairs]]
employee = "answers"
customer = "nps"
"""


@contextmanager
def page_server(*arguments: str) -> Iterator[str]:
    """The benchmark API in a process of its own; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.page_server", *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait(timeout=10)


def _nps_metric():  # type: ignore[no-untyped-def]
    from tui.config import NpsMetric

    return NpsMetric(
        id="nps",
        label="NPS",
        side="customer",
        source="s",
        kind="nps",
        score_field="nps",
        date_field="submitted_at",
        segment_field="team",
    )


def _parsed(count: int) -> list[dict[str, object]]:
    """The records as a source hands them to the metrics, fields already selected."""
    return [
        {"submitted_at": r["submitted_at"], "team": r["team"], "nps": r["answers"]["nps"]}  # type: ignore[index]
        for r in responses(count)
    ]


def compute_granularities(runs: int = 3) -> list[Figure]:
    """A refresh's computation: NPS for the weeks, months and quarters it stores, from
    1,000,000 parsed responses; once reading each record once, once a granularity at a
    time (as every refresh did before)."""
    from tui.metrics.compute import compute_metric, compute_metric_each
    from tui.periods import last_periods

    metric, records = _nps_metric(), _parsed(1_000_000)
    windows = [last_periods(TODAY, g, 24) for g in ("month", "week", "quarter")]
    once, each = [], []
    for _ in range(runs):
        started = time.perf_counter()
        results = compute_metric_each(metric, records, windows, TODAY)
        once.append(time.perf_counter() - started)
        started = time.perf_counter()
        separately = [compute_metric(metric, records, periods, TODAY) for periods in windows]
        each.append(time.perf_counter() - started)
    assert [r.observations for r in results] == [r.observations for r in separately]
    return [
        Figure(
            "throughput: a refresh's computation of 1,000,000 responses (week, month, quarter)",
            median(once),
            "s",
            1.0,
            f"median of {runs}; each record read once",
        ),
        Figure(
            "  … one granularity at a time",
            median(each),
            "s",
            None,
            "each record read three times, as before",
        ),
    ]


def compute_million(runs: int = 3) -> Figure:
    from tui.metrics.compute import compute_metric
    from tui.periods import last_periods

    metric, records = _nps_metric(), _parsed(1_000_000)
    periods = last_periods(TODAY, "month", 24)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = compute_metric(metric, records, periods, TODAY)
        times.append(time.perf_counter() - started)
    assert result.used == 1_000_000
    return Figure(
        "throughput: NPS by month and segment, 1,000,000 parsed responses",
        median(times),
        "s",
        0.5,
        f"median of {runs}; 6 segments × 24 months",
    )


def extract_hundred_thousand(runs: int = 5) -> list[Figure]:
    """A page's records to a source's fields, as json_api does for every page: the
    fields of CONFIG (one of them a dotted path) and the record id, 100,000 records,
    into a list a field."""
    from collections import Counter

    import jmespath

    from tui.sources.json_api import fields_of, usable_items
    from tui.sources.paths import FieldPath

    items = list(responses(100_000))
    fields = {"submitted_at": "submitted_at", "team": "team", "nps": "answers.nps"}

    def timed(compile_path) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(runs):
            paths = {name: compile_path(expression) for name, expression in fields.items()}
            started = time.perf_counter()
            usable = usable_items(items, compile_path("id"), set(), Counter())
            columns = fields_of(usable, paths)
            times.append(time.perf_counter() - started)
        assert len(columns["nps"]) == 100_000 and columns["nps"][0] is not None
        return median(times)

    return [
        Figure(
            "throughput: field extraction of 100,000 records (id and 3 fields)",
            timed(FieldPath),
            "s",
            0.15,
            f"median of {runs}",
        ),
        Figure(
            "  … the same through jmespath's compiled expressions",
            timed(jmespath.compile),
            "s",
            None,
            "as before: an interpreter a search",
        ),
    ]


def fetch_hundred_thousand(runs: int = 3) -> Figure:
    from tui.collect.refresh import refresh_source
    from tui.config import parse_config
    from tui.sources import make_client
    from tui.store import Store

    times = []
    with (
        page_server("--records", "100000", "--page-size", "1000") as url,
        tempfile.TemporaryDirectory() as folder,
    ):
        config = parse_config(CONFIG.format(url=url))
        for run in range(runs):
            store = Store(Path(folder) / f"s{run}.db")

            async def once(store: Store) -> float:
                async with make_client() as client:
                    started = time.perf_counter()
                    outcome = await refresh_source(
                        config, config.sources[0], client, store, lambda: NOW
                    )
                    seconds = time.perf_counter() - started
                assert outcome.ok and outcome.records == 100_000 and outcome.pages == 100, outcome
                return seconds

            times.append(asyncio.run(once(store)))
            store.close()
    return Figure(
        "throughput: fetch, parse, compute and store 100,000 responses (100 pages)",
        median(times),
        "s",
        1.5,
        f"median of {runs}; server in another process",
    )


def run() -> tuple[list[Figure], str]:
    figures = [compute_million(), *compute_granularities(), *extract_hundred_thousand()]
    return [*figures, fetch_hundred_thousand()], ""
