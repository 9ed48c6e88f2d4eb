"""Render: a full update of 24 panels with sparklines, and an update that changes nothing.

Twelve pairs of `value` metrics on a 200×60 screen; the store gets a new history
before each update, and each update is timed from reading the store to a
rendered frame (Textual's compositor renders every widget whose content changed).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

from tests.bench.results import Figure, median
from tests.bench.throughput import NOW, TODAY

PAIRS = 12


def config_text() -> str:
    parts = [
        '[dashboard]\nperiod = "month"\nhistory_periods = 24\n',
        '\n[[sources]]\nid = "s"\nkind = "json"\nbase_url = "http://127.0.0.1:9"\n',
    ]
    for i in range(PAIRS * 2):
        side = "employee" if i % 2 == 0 else "customer"
        parts.append(
            f'\n[[metrics]]\nid = "m{i}"\nlabel = "Metric {i}"\nside = "{side}"\nsource = "s"\n'
            'kind = "value"\ntarget = 50\nthresholds = { warn = 40, bad = 30 }\n'
        )
    for i in range(0, PAIRS * 2, 2):
        parts.append(f'\n[[pairs]]\nemployee = "m{i}"\ncustomer = "m{i + 1}"\n')
    return "".join(parts)


def history(seed: int) -> list[object]:
    """24 months of every metric, different for each seed."""
    from tui.metrics.compute import Observation
    from tui.periods import last_periods

    rng = random.Random(seed)
    return [
        Observation(f"m{i}", "", period, rng.uniform(20, 70), rng.randrange(50, 500))
        for i in range(PAIRS * 2)
        for period in last_periods(TODAY, "month", 24)
    ]


def sparklines_alone(width: int, height: int, runs: int = 15) -> float:
    """24 sparklines' plotext figures built and turned into Text, as PlotextPlot.render does."""
    from rich.text import Text
    from textual_plotext.plot import Plot

    rng = random.Random(3)
    plots = []
    for _ in range(PAIRS * 2):
        plot = Plot()
        plot.frame(False)
        plot.xaxes(False, False)
        plot.yaxes(False, False)
        plot.plotsize(width, height)
        plot._set_size(width, height)
        plots.append(plot)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for plot in plots:
            plot.clear_data()
            plot.plot(list(range(12)), [rng.uniform(20, 70) for _ in range(12)], marker="braille")
            Text.from_ansi(plot.build())
        times.append(time.perf_counter() - started)
    return median(times)


def run(updates: int = 15) -> tuple[list[Figure], str]:
    from tui.app import TandemApp
    from tui.config import parse_config
    from tui.store import Store

    config = parse_config(config_text())
    # A new history for every update: nothing can be served from a cache.
    histories = [history(seed) for seed in range(updates + 3)]
    changed: list[float] = []
    unchanged: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "render.db")
        store.write_refresh("s", histories[0], NOW, 1, 1, 0.1)  # type: ignore[arg-type]
        app = TandemApp(config, store, clock=lambda: NOW, fetch_automatically=False)
        sizes: list[tuple[int, int]] = []

        def render_frame() -> None:
            app.screen._compositor.render_update(full=True)

        def timed_update() -> float:
            started = time.perf_counter()
            app.show_from_store()
            render_frame()
            return time.perf_counter() - started

        async def drive() -> None:
            async with app.run_test(size=(200, 60)) as pilot:
                await pilot.pause()
                from tui.app.widgets import Sparkline

                sizes.append(tuple(app.screen.query(Sparkline).first().size))  # type: ignore[arg-type]
                for update in range(updates + 2):
                    store.write_refresh("s", histories[update + 1], NOW, 1, 1, 0.1)  # type: ignore[arg-type]
                    seconds = timed_update()
                    if update >= 2:  # the first two warm the caches
                        changed.append(seconds)
                    await pilot.pause()
                    unchanged.append(timed_update())
                    await pilot.pause()

        asyncio.run(drive())
        store.close()
    return [
        Figure(
            "render: full update of 24 panels with sparklines",
            median(changed) * 1000,
            "ms",
            50,
            f"median of {updates}; store read to rendered frame",
        ),
        Figure(
            f"render: of which 24 plotext sparklines alone ({sizes[0][0]}×{sizes[0][1]})",
            sparklines_alone(*sizes[0]) * 1000,
            "ms",
            None,
            "figure built, ANSI turned into Text; Textual's strips not counted",
        ),
        Figure(
            "render: an update that changes nothing",
            median(unchanged) * 1000,
            "ms",
            None,
            "store read, nothing repainted",
        ),
    ], ""
