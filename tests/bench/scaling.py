"""Scaling: time and memory as each dimension grows, to show the growth is linear.

Each point runs in a process of its own, so that its peak RSS is its own:

- responses (10 k → 5 M): a refresh's computation of NPS by week, month and quarter
  over 24 months and 6 teams, from records as the JSON and CSV sources hand them over
  (a list a field);
- years of history (1 → 10): 1 M responses spread over that many years, every period
  of them computed;
- people (1 k → 50 k) in an HR export, a dict a person as a vendor module hands them
  over, half of them gone: a refresh's turnover by week, month and quarter over 24
  months and 10 teams;
- segments (0 → 50), 10 pairs of NPS: the collector's analysis of every granularity,
  and a screen's update that reads it (tests/bench/screens.py);
- sources (2 → 100), each answering after 300 ms: a full refresh against a local API
  in a process of its own (tests/bench/fanout.py);
- panels (6 → 48): a full update of the dashboard, CPU, from reading the store to the
  last frame painted (tests/bench/render.py).

"records" is the process's RSS once the records are built; "peak" its highest RSS.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.bench.results import Figure, median
from tests.bench.rss import status_megabytes

ROOT = Path(__file__).resolve().parents[2]
TEAMS = ("Support", "Success", "Sales", "Field Ops", "Legal", "Ops")
END = datetime(2026, 6, 17, tzinfo=timezone.utc)

RESPONSES = (10_000, 100_000, 1_000_000, 5_000_000)
YEARS = (1, 2, 5, 10)
PEOPLE = (1_000, 10_000, 50_000)
SEGMENTS = (0, 10, 50)
SOURCES = (2, 10, 30, 100)
PANELS = (6, 12, 24, 48)


def _rss_mb() -> float:
    return status_megabytes("VmRSS")


def _peak_mb() -> float:
    # VmHWM, not getrusage's ru_maxrss: Linux carries that over from the parent
    # through fork and exec, so every point would report the benchmark's own peak.
    return status_megabytes("VmHWM")


def _records(count: int, years: int):  # type: ignore[no-untyped-def]
    """Responses as the JSON and CSV sources hand them to the metrics: fields selected,
    a list a field (tui.sources.base.Columns), built a page of 1,000 at a time. (A vendor
    module still hands over a dict a record; tests/bench/throughput.py measures those.)"""
    from tui.sources.base import ColumnsBuilder

    rng = random.Random(7)
    start = END - timedelta(days=365 * years)
    span = int((END - start).total_seconds())
    builder = ColumnsBuilder(["submitted_at", "team", "nps"])

    def stamp() -> str:
        return (start + timedelta(seconds=rng.randrange(span))).isoformat().replace("+00:00", "Z")

    for first in range(0, count, 1_000):
        size = min(1_000, count - first)
        builder.add_columns(
            {
                "submitted_at": [stamp() for _ in range(size)],
                # As a JSON decoder gives them: a new string each time.
                "team": ["".join(rng.choice(TEAMS)) for _ in range(size)],
                "nps": [rng.randrange(11) for _ in range(size)],
            }
        )
    return builder.build()


def _compute(count: int, years: int) -> dict[str, float]:
    from tests.bench.throughput import _nps_metric
    from tui.metrics.compute import compute_metric_each
    from tui.periods import last_periods

    today = END.date()
    # Once a process: numpy's import, and the first call's setting up.
    compute_metric_each(_nps_metric(), _records(2_000, 1), [last_periods(today, "month", 1)], today)
    records = _records(count, years)
    held = _rss_mb()
    windows = [
        last_periods(today, "month", 12 * years),
        last_periods(today, "week", 52 * years),
        last_periods(today, "quarter", 4 * years),
    ]
    started = time.perf_counter()
    results = compute_metric_each(_nps_metric(), records, windows, today)
    seconds = time.perf_counter() - started
    assert results[0].used > 0.9 * count  # a few fall before the first period
    return {"seconds": seconds, "records_mb": held, "peak_mb": _peak_mb()}


def _people(count: int) -> list[dict[str, object]]:
    """Spells of employment over ten years to END, a dict each; half have ended."""
    rng = random.Random(7)
    today = END.date()
    first = today - timedelta(days=3650)
    people: list[dict[str, object]] = []
    for _ in range(count):
        hired = first + timedelta(days=rng.randrange(3650))
        left = hired + timedelta(days=rng.randrange(30, 2190)) if rng.random() < 0.5 else None
        people.append(
            {
                "hire_date": hired.isoformat(),
                "termination_date": left.isoformat() if left and left <= today else None,
                "team": f"Team {rng.randrange(10)}",
            }
        )
    return people


def _turnover(count: int) -> dict[str, float]:
    from tui.config import TurnoverMetric
    from tui.metrics.compute import compute_metric_each
    from tui.periods import Granularity, last_periods

    today = END.date()
    metric = TurnoverMetric(
        id="turnover",
        label="Turnover",
        side="employee",
        source="hr",
        kind="turnover",
        segment_field="team",
    )
    spans: tuple[tuple[Granularity, int], ...] = (("month", 24), ("week", 104), ("quarter", 8))
    windows = [last_periods(today, g, n) for g, n in spans]
    compute_metric_each(metric, _people(100), windows, today)  # imports, first call
    people = _people(count)
    held = _rss_mb()
    started = time.perf_counter()
    results = compute_metric_each(metric, people, windows, today)
    seconds = time.perf_counter() - started
    assert results[0].used == count
    return {"seconds": seconds, "records_mb": held, "peak_mb": _peak_mb()}


def _segments(count: int) -> dict[str, float]:
    from tests.bench import screens
    from tests.bench.throughput import NOW, TODAY
    from tui.analysis.stored import read_analysis, write_analyses
    from tui.config import parse_config
    from tui.store import Store

    screens.SEGMENTS = count
    config = parse_config(screens.config_text())
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "s.db")
        screens.fill(store)
        held = _rss_mb()
        started = time.process_time()
        write_analyses(config, store, NOW)
        analysis = time.process_time() - started
        reads = []
        for _ in range(5):
            started = time.process_time()
            assert read_analysis(store, "month", TODAY) is not None
            reads.append(time.process_time() - started)
        store.close()
    return {
        "seconds": analysis,
        "read_ms": 1000 * median(reads),
        "records_mb": held,
        "peak_mb": _peak_mb(),
    }


def _sources(count: int) -> dict[str, float]:
    from tests.bench import fanout
    from tests.bench.throughput import page_server

    with page_server("--delay", str(fanout.DELAY)) as url, tempfile.TemporaryDirectory() as folder:
        ratio = fanout.full_refresh(url, Path(folder), min(3, count), count=count)[-1]
    wall = re.search(r"median wall ([0-9.]+) s", ratio.note)
    assert wall is not None, ratio.note
    return {"seconds": float(wall.group(1)), "ratio": ratio.value, "peak_mb": _peak_mb()}


def _panels(count: int) -> dict[str, float]:
    from tests.bench import render

    render.PAIRS = count // 2
    timings = render.measure(8)
    return {"seconds": median(timings.changed_cpu), "peak_mb": _peak_mb()}


POINTS = {
    "responses": lambda n: _compute(n, 2),
    "years": lambda n: _compute(1_000_000, n),
    "people": _turnover,
    "segments": _segments,
    "sources": _sources,
    "panels": _panels,
}


def _point(kind: str, size: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.scaling", kind, str(size)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run() -> tuple[list[Figure], str]:
    lines = ["Scaling (each point a process of its own; time, the process's RSS):"]
    figures: list[Figure] = []

    def row(label: str, found: dict[str, float], per: str) -> None:
        extra = f", records {found['records_mb']:.0f} MB" if "records_mb" in found else ""
        lines.append(
            f"  {label:<28} {found['seconds']:8.3f} s  {per}{extra}, peak {found['peak_mb']:.0f} MB"
        )

    for n in RESPONSES:
        found = _point("responses", n)
        row(f"responses {n:>9,}", found, f"{1e6 * found['seconds'] / n:5.2f} µs a response")
        if n == 5_000_000:
            figures.append(
                Figure(
                    "scaling: a refresh's computation of 5,000,000 responses",
                    found["seconds"],
                    "s",
                    5.0,
                )
            )
            figures.append(
                Figure("  … its peak RSS", found["peak_mb"], "MB", 600.0, "records as columns")
            )
    for n in YEARS:
        found = _point("years", n)
        row(f"years of history {n:>2}", found, "1,000,000 responses")
    for n in PEOPLE:
        found = _point("people", n)
        row(f"people {n:>7,}", found, f"{1e6 * found['seconds'] / n:5.1f} µs a person")
    for n in SEGMENTS:
        found = _point("segments", n)
        row(f"segments {n:>3} (10 pairs)", found, f"a screen reads it in {found['read_ms']:.1f} ms")
    for n in SOURCES:
        found = _point("sources", n)
        row(f"sources {n:>3}", found, f"{found['ratio']:.2f} × one source")
    for n in PANELS:
        found = _point("panels", n)
        row(f"panels {n:>2}", found, f"{1000 * found['seconds'] / n:5.2f} ms a panel")
    return figures, "\n".join(lines)


if __name__ == "__main__":
    kind, size = sys.argv[1], int(sys.argv[2])
    print(json.dumps(POINTS[kind](size)))
