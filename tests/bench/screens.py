"""Screens that only read: a screen's update when the collector stored the analysis.

50 segments × 10 pairs of NPS metrics (with their spread, so warnings are weighed)
over 24 months are written to a SQLite store; the collector's analysis of every
granularity is computed and stored once. A screen's update is then what a screen
does when the store changes: the panels' views from the observations, and the
analysis read; beside it, the same update computing the analysis itself, as every
screen did before (and still does where no collector stored one today). Both are
timed over the same store, CPU time of this process, median of several runs.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from tests.bench.results import Figure, median
from tests.bench.throughput import NOW, TODAY
from tests.configs import pairs_config

PAIRS = 10
SEGMENTS = 50


def config_text() -> str:
    return pairs_config(
        PAIRS,
        'kind = "nps"\nsegment_field = "team"\ntarget = 40\nthresholds = { warn = 20, bad = 0 }\n',
    )


def fill(store: object) -> None:
    from tui.metrics.compute import Observation
    from tui.periods import Granularity, last_periods

    rng = random.Random(5)
    observations = []
    spans: tuple[tuple[Granularity, int], ...] = (("month", 24), ("quarter", 8), ("week", 104))
    for granularity, count in spans:
        periods = last_periods(TODAY, granularity, count)
        for i in range(PAIRS * 2):
            for segment in ["", *(f"Team {s:02d}" for s in range(SEGMENTS))]:
                for period in periods:
                    value = rng.uniform(-20, 60)
                    n = rng.randrange(30, 300)
                    observations.append(
                        Observation(f"m{i}", segment, period, value, n, 0, 10_000 - value**2)
                    )
    store.write_refresh("s", observations, NOW, len(observations), 1, 0.1)  # type: ignore[attr-defined]


def run(runs: int = 7) -> tuple[list[Figure], str]:
    import functools

    from tui.analysis.insights import LINKAGE_PERIODS
    from tui.analysis.stored import compute_analysis, read_analysis, write_analyses
    from tui.config import parse_config
    from tui.metrics.display import HISTORY_PERIODS
    from tui.store import Store
    from tui.views.panels import metric_views

    config = parse_config(config_text())
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "s.db")
        fill(store)
        started = time.process_time()
        write_analyses(config, store, NOW)
        collector_cpu = time.process_time() - started
        statuses = store.source_statuses()

        def views(limit: int) -> None:
            @functools.cache
            def series_of(metric_id: str, segment: str) -> object:
                return store.series(metric_id, "month", segment, limit=limit)

            metric_views(config, lambda m: series_of(m, ""), statuses, NOW)  # type: ignore[arg-type,return-value]

        def reading() -> None:
            views(max(config.dashboard.history_periods, HISTORY_PERIODS))
            assert read_analysis(store, "month", TODAY) is not None

        def computing() -> None:
            views(LINKAGE_PERIODS)
            compute_analysis(config, store, TODAY)

        def timed(update: object) -> float:
            times = []
            for _ in range(runs):
                began = time.process_time()
                update()  # type: ignore[operator]
                times.append(time.process_time() - began)
            return median(times) * 1000

        read_ms, compute_ms = timed(reading), timed(computing)
        store.close()
    figures = [
        Figure(
            f"screen update, {SEGMENTS} segments × {PAIRS} pairs (reads the analysis)",
            read_ms,
            "ms",
            100.0,
            "CPU",
        ),
        Figure("  … computing the analysis itself, as before", compute_ms, "ms", None, "CPU"),
        Figure(
            "  … a screen's update ÷ the collector's analysis of a cycle",
            100 * read_ms / (collector_cpu * 1000),
            "%",
            10.0,
            "CPU",
        ),
    ]
    report = (
        f"Screens: {SEGMENTS} segments × {PAIRS} pairs, 24 months. A screen's update reading the "
        f"stored analysis: {read_ms:.0f} ms CPU; computing it instead: {compute_ms:.0f} ms; the "
        f"collector's analysis of all three granularities for one cycle: "
        f"{collector_cpu * 1000:.0f} ms (fetching and parsing not counted)."
    )
    return figures, report
