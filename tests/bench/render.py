"""Render: a full update of 24 panels with sparklines, and an update that changes nothing.

Twelve pairs of `value` metrics on a 200×60 screen; the store gets a new history
before each update, and each update is timed from reading the store to the last
frame Textual paints for it, through Textual's own message loop: the widgets'
updates, any layout they ask for, and the compositor's render of what changed.
The figure is the process's CPU time over that span, so Textual's frame pacing
(it paints at most 60 times a second) does not count; the wall time is shown too.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.bench.results import Figure, median
from tests.bench.throughput import NOW, TODAY
from tests.configs import pairs_config

if TYPE_CHECKING:
    from textual.app import App

PAIRS = 12
# Short enough for the compact layout: three lines a panel, as on most laptops.
SCREEN = (200, 60)


def config_text() -> str:
    return pairs_config(
        PAIRS, 'kind = "value"\ntarget = 50\nthresholds = { warn = 40, bad = 30 }\n'
    )


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
    """24 sparklines' figures built by Sparkline's own plotext code, nothing painted."""
    from tui.app.widgets import Sparkline

    rng = random.Random(3)
    sparklines = [Sparkline("employee") for _ in range(PAIRS * 2)]
    # New values for every figure of every run, drawn before the clock starts.
    values = [
        [tuple(rng.uniform(20, 70) for _ in range(24)) for _ in sparklines] for _ in range(runs)
    ]
    times = []
    for run_values in values:
        started = time.perf_counter()
        for sparkline, series in zip(sparklines, run_values, strict=True):
            sparkline._values = series
            sparkline._build(width, height)
        times.append(time.perf_counter() - started)
    return median(times)


# After the first frame, Textual may lay out again (a widget whose size changed) and
# paint a second frame; an update is over when no frame has come for this long.
SETTLE_SECONDS = 0.15


class FrameClock:
    """Records each frame an app writes, with the moment and the process's CPU time."""

    def __init__(self, app: App[Any]) -> None:
        self.painted: list[tuple[float, float]] = []
        display = app._display

        def record_frame(screen: object, update: object) -> None:
            self.painted.append((time.perf_counter(), time.process_time()))
            display(screen, update)  # type: ignore[arg-type]

        app._display = record_frame  # type: ignore[method-assign, assignment]

    async def time(
        self, update: Callable[[], None], stalls: list[float] | None = None
    ) -> tuple[float, float, int] | None:
        """CPU and wall seconds from calling `update` to the last frame it caused, and
        the number of frames; None if it painted nothing. With `stalls`, the longest
        the event loop was held in one go meanwhile is added to it: what a key pressed
        during the update would wait (a watcher wakes every millisecond, so this pass's
        CPU figure is not the one reported)."""
        painted = self.painted
        painted.clear()
        longest = 0.0
        watching = stalls is not None

        async def watch() -> None:
            nonlocal longest
            last = time.perf_counter()
            while watching:
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                longest = max(longest, now - last - 0.001)
                last = now

        watcher = asyncio.create_task(watch()) if watching else None
        if watcher is not None:
            await asyncio.sleep(0.005)  # the watcher is running before the update
        wall, cpu = time.perf_counter(), time.process_time()
        update()
        longest = max(longest, time.perf_counter() - wall)  # the update itself is one
        while True:
            seen = len(painted)
            await asyncio.sleep(SETTLE_SECONDS)
            if len(painted) == seen:
                break
        if watcher is not None and stalls is not None:
            watching = False
            await watcher
            stalls.append(longest)
        if not painted:
            return None
        last_wall, last_cpu = painted[-1]
        return last_cpu - cpu, last_wall - wall, len(painted)


@dataclass
class Timings:
    changed_cpu: list[float] = field(default_factory=list)
    changed_wall: list[float] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    unchanged: list[float] = field(default_factory=list)
    sparkline_size: tuple[int, int] = (0, 0)
    # The longest the event loop was held in one go during each update (watched runs).
    stalls: list[float] = field(default_factory=list)


def measure(updates: int, blank_sparklines: bool = False, watch_stalls: bool = False) -> Timings:
    """Time `updates` full updates; with `blank_sparklines`, as if drawing a sparkline
    cost nothing (what everything else costs)."""
    from tui.analysis.stored import write_analyses
    from tui.app import TandemApp
    from tui.app.widgets import Sparkline
    from tui.config import parse_config
    from tui.store import Store

    config = parse_config(config_text())
    # A new history for every update: nothing can be served from a cache.
    histories = [history(seed) for seed in range(updates + 3)]
    timings = Timings()
    build = Sparkline._build
    if blank_sparklines:
        Sparkline._build = lambda self, width, height: []  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "render.db")
            store.write_refresh("s", histories[0], NOW, 1, 1, 0.1)  # type: ignore[arg-type]
            write_analyses(config, store, NOW)
            # A screen as every screen now is: it reads what a collector wrote, the
            # analysis included, and computes nothing.
            app = TandemApp(config, store, clock=lambda: NOW, viewer=True)
            frames = FrameClock(app)

            async def drive() -> None:
                async with app.run_test(size=SCREEN) as pilot:
                    await pilot.pause()
                    size = app.screen.query(Sparkline).first().size
                    timings.sparkline_size = (size.width, size.height)
                    for update in range(updates + 2):
                        store.write_refresh("s", histories[update + 1], NOW, 1, 1, 0.1)  # type: ignore[arg-type]
                        write_analyses(config, store, NOW)
                        # The update is the bench's own call, not the store poll's.
                        app._store_version = app._data_version()
                        await pilot.pause()
                        stalls: list[float] | None = [] if watch_stalls else None
                        timed = await frames.time(app.show_from_store, stalls)
                        if update >= 2 and stalls:
                            timings.stalls.extend(stalls)
                        if update >= 2 and timed:  # the first two warm the caches
                            timings.changed_cpu.append(timed[0])
                            timings.changed_wall.append(timed[1])
                            timings.frames.append(timed[2])
                        started = time.process_time()
                        app.show_from_store()
                        timings.unchanged.append(time.process_time() - started)
                        await pilot.pause()

            asyncio.run(drive())
            store.close()
    finally:
        Sparkline._build = build  # type: ignore[method-assign]
    return timings


def longest_stall(updates: int) -> float:
    return max(measure(updates, watch_stalls=True).stalls)


def blank_median(updates: int) -> float:
    return median(measure(updates, blank_sparklines=True).changed_cpu)


def stock_median(updates: int) -> float:
    """The same change on screen, made with Textual's stock widgets and nothing of
    Tandem's: what Textual itself asks of an update like this one.

    Each panel is a Static of the compact figures' three lines beside an empty
    Static the sparkline's size, in a bordered row coloured by status, under a
    caption line per pair; an update gives every Static its new lines, repaints
    every empty one and moves the panels whose status changed to their new
    border colour. No store is read and nothing is computed but the text.
    """
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal, Vertical
    from textual.widgets import Static

    class Panel(Horizontal):
        DEFAULT_CSS = """
        Panel { width: 1fr; height: 3; background: $surface; padding: 0 0 0 1;
                border-left: outer $success; }
        Panel.-warn { border-left: outer $warning; }
        Panel.-bad { border-left: outer $error; }
        Panel > .figures { width: auto; min-width: 36; height: 3; }
        Panel > .sparkline { width: 1fr; height: 3; margin-left: 2; }
        """

        def compose(self) -> ComposeResult:
            yield Static(classes="figures")
            yield Static(classes="sparkline")

    class Stock(App[None]):
        CSS = "Horizontal.pair { height: auto; } .caption { height: 1; }"

        def compose(self) -> ComposeResult:
            with Vertical():
                for _ in range(PAIRS):
                    yield Static(classes="caption")
                    with Horizontal(classes="pair"):
                        yield Panel()
                        yield Panel()

        def show(self, observations: list[object]) -> None:
            latest: dict[str, list[float]] = {}
            for observation in observations:
                latest.setdefault(observation.metric_id, []).append(observation.value)  # type: ignore[attr-defined]
            for i, panel in enumerate(self.query(Panel)):
                values = latest[f"m{i}"]
                value, change = values[-1], values[-1] - values[-2]
                status = "good" if value >= 40 else "warn" if value >= 30 else "bad"
                panel.set_class(status == "warn", "-warn")
                panel.set_class(status == "bad", "-bad")
                figures, sparkline = panel.children
                assert isinstance(figures, Static)
                figures.update(
                    f"[b]Metric {i}[/]  [b]{value:.1f}[/]  {change:+.1f} vs last month\n"
                    f"target 50 · n {len(values)}\n[dim]{TODAY:%B %Y}[/]"
                )
                sparkline.refresh()
            for i, caption in enumerate(self.query(".caption")):
                e, c = latest[f"m{2 * i}"][-1], latest[f"m{2 * i + 1}"][-1]
                assert isinstance(caption, Static)
                caption.update(f"Metric {2 * i} ↔ Metric {2 * i + 1} · gap {e - c:+.1f}")

    histories = [history(seed) for seed in range(updates + 3)]
    app = Stock()
    frames = FrameClock(app)
    cpu: list[float] = []

    async def drive() -> None:
        async with app.run_test(size=SCREEN) as pilot:
            app.show(histories[0])
            await pilot.pause()
            for update in range(updates + 2):
                await pilot.pause()
                timed = await frames.time(functools.partial(app.show, histories[update + 1]))
                if update >= 2 and timed:
                    cpu.append(timed[0])

    asyncio.run(drive())
    return median(cpu)


def run(updates: int = 15) -> tuple[list[Figure], str]:
    timings = measure(updates)
    # In a process of its own: a second app in one process runs on the first one's
    # heap, and every update then costs more (garbage collection walks more objects).
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        blank_cpu = pool.apply(blank_median, (updates,))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        stock_cpu = pool.apply(stock_median, (updates,))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        stall = pool.apply(longest_stall, (updates,))
    width, height = timings.sparkline_size
    return [
        Figure(
            "render: full update of 24 panels with sparklines, CPU",
            median(timings.changed_cpu) * 1000,
            "ms",
            70,
            f"median of {updates}; store read to the last frame painted, through "
            "Textual's own layout and paint",
        ),
        Figure(
            "render: the longest event-loop stall in any of those updates",
            stall * 1000,
            "ms",
            50,
            f"worst of {updates}, watched in a run of its own: what a key would wait",
        ),
        Figure(
            "render: the same, wall clock",
            median(timings.changed_wall) * 1000,
            "ms",
            None,
            f"frames per update: {max(timings.frames)}; includes Textual's frame pacing",
        ),
        Figure(
            f"render: of which 24 plotext sparklines alone ({width}×{height})",
            sparklines_alone(width, height) * 1000,
            "ms",
            None,
            "plotext building the figures, nothing else",
        ),
        Figure(
            "render: the same update with the sparklines left blank, CPU",
            blank_cpu * 1000,
            "ms",
            None,
            "everything but plotext: what a sparkline costing nothing would leave",
        ),
        Figure(
            "render: the same change made with stock Textual widgets, CPU",
            stock_cpu * 1000,
            "ms",
            None,
            "Statics, no store read, no plotext: what Textual's own widgets ask",
        ),
        Figure(
            "render: an update that changes nothing",
            median(timings.unchanged) * 1000,
            "ms",
            None,
            "store read, nothing repainted",
        ),
    ], ""
