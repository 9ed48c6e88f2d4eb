"""Refresh fan-out: 30 sources that each answer after 300 ms, and one that hangs; and
a refresh of 100 such sources, more than a fixed pool of 32 connections would hold."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from tests.bench.results import Figure, median
from tests.bench.throughput import NOW, page_server

SOURCES = 30
DELAY = 0.3
HANG_TIMEOUT = 3.0


def config_text(url: str, hanging: bool, count: int = SOURCES) -> str:
    parts = ['[dashboard]\nperiod = "month"\nhistory_periods = 24\n']
    for i in range(count):
        path = f"hang/s{i}" if hanging and i == 0 else f"slow/s{i}"
        parts.append(
            f"""
[[sources]]
id = "s{i}"
kind = "json"
base_url = "{url}"
path = "{path}"
timeout_seconds = {HANG_TIMEOUT}
retries = 0
[sources.records]
path = "data"
fields = {{ at = "submitted_at", nps = "answers.nps" }}

[[metrics]]
id = "m{i}"
label = "NPS {i}"
side = "{"employee" if i % 2 == 0 else "customer"}"
source = "s{i}"
kind = "nps"
score_field = "nps"
date_field = "at"
"""
        )
    for i in range(0, count, 2):
        parts.append(f'\n[[pairs]]\nemployee = "m{i}"\ncustomer = "m{i + 1}"\n')
    return "".join(parts)


def full_refresh(url: str, folder: Path, runs: int, count: int = SOURCES) -> list[Figure]:
    """refresh_sources over all `count`, against the slowest of them fetched alone."""
    from tui.collect.refresh import refresh_sources
    from tui.config import parse_config
    from tui.sources import make_client
    from tui.store import Store

    config = parse_config(config_text(url, hanging=False, count=count))
    walls, alone = [], []
    for run in range(runs):
        store = Store(folder / f"full{count}-{run}.db")

        async def once(store: Store, run: int) -> tuple[float, float]:
            async with make_client(sources=count) as client:
                # One source by itself: what "the slowest source" takes.
                started = time.perf_counter()
                (single,) = await refresh_sources(
                    config, config.sources[run : run + 1], client, store, lambda: NOW
                )
                single_seconds = time.perf_counter() - started
                started = time.perf_counter()
                outcomes = await refresh_sources(config, config.sources, client, store, lambda: NOW)
                wall = time.perf_counter() - started
            assert single.ok and all(o.ok for o in outcomes)
            return wall, single_seconds

        wall, single = asyncio.run(once(store, run))
        store.close()
        walls.append(wall)
        alone.append(single)
    slowest = max(alone)
    ratio = Figure(
        f"fan-out: full refresh of {count} sources ÷ one source alone",
        median(walls) / slowest,
        "×",
        1.15 if count == SOURCES else 1.3,
        f"median wall {median(walls):.3f} s of {runs}",
    )
    if count != SOURCES:
        return [ratio]
    return [
        Figure(
            "fan-out: one source (300 ms) fetched alone, slowest", slowest, "s", None, f"of {runs}"
        ),
        ratio,
    ]


def in_the_app(url: str, folder: Path, hanging: bool) -> tuple[float, float | None]:
    """The app, headless, from the first fetch started until the good sources are on
    screen; and when the hanging one (if any) showed its error."""
    from tui.app import TandemApp
    from tui.app.app import SourceRefreshStarted
    from tui.config import parse_config
    from tui.store import Store

    config = parse_config(config_text(url, hanging=hanging))
    landed: dict[str, float] = {}
    started: list[float] = []

    class Timed(TandemApp):
        # Textual calls this beside TandemApp's own handler, not instead of it.
        def on_source_refresh_started(self, message: SourceRefreshStarted) -> None:
            started.append(time.perf_counter())

        def _show_landed(self) -> None:
            sources = [outcome.source_id for outcome in self._landed]
            super()._show_landed()
            # On screen: the widgets are updated (the terminal write follows).
            landed.update(dict.fromkeys(sources, time.perf_counter()))

    folder.mkdir(parents=True, exist_ok=True)
    app = Timed(config, Store(folder / "app.db"), clock=lambda: NOW)

    async def drive() -> None:
        async with app.run_test(size=(160, 50)) as pilot:
            deadline = time.perf_counter() + HANG_TIMEOUT + 5
            while len(landed) < SOURCES and time.perf_counter() < deadline:
                await pilot.pause(0.02)

    asyncio.run(drive())
    first = min(started)
    good = [t - first for source, t in landed.items() if not (hanging and source == "s0")]
    assert len(good) == SOURCES - hanging, f"only {len(good)} sources landed"
    hung = landed.get("s0") if hanging else None
    return max(good), None if hung is None else hung - first


def app_figures(url: str, folder: Path, slowest: float, runs: int = 3) -> list[Figure]:
    # Alternated and repeated: the first app in a process also pays for imports.
    all_runs: list[float] = []
    hang_runs: list[float] = []
    hung_runs: list[float] = []
    for run in range(runs):
        for hanging in (run % 2 == 1, run % 2 == 0):
            landed, hung = in_the_app(url, folder / f"{run}-{hanging}", hanging=hanging)
            (hang_runs if hanging else all_runs).append(landed)
            if hung is not None:
                hung_runs.append(hung)
    all_30, good_29 = median(all_runs), median(hang_runs)
    hung = median(hung_runs) if hung_runs else None
    return [
        Figure(
            "fan-out in the app: all 30 on screen (median of 3)",
            all_30,
            "s",
            None,
            f"{all_30 / slowest:.2f} × one source alone: the app's own work shows here",
        ),
        Figure(
            "fan-out in the app: 29 on screen while one hangs ÷ all 30 when none does",
            good_29 / all_30,
            "×",
            1.15,
            f"29 on screen after {good_29:.3f} s (median of 3)",
        ),
        Figure(
            "fan-out in the app: the hanging source shows its error after",
            hung if hung is not None else float("nan"),
            "s",
            None,
            f"its timeout is {HANG_TIMEOUT:g} s, no retries",
        ),
    ]


def run(runs: int = 5) -> tuple[list[Figure], str]:
    with page_server("--delay", str(DELAY)) as url, tempfile.TemporaryDirectory() as folder:
        figures = full_refresh(url, Path(folder), runs)
        figures += full_refresh(url, Path(folder), runs, count=100)
        figures += app_figures(url, Path(folder), figures[0].value)
    return figures, ""
