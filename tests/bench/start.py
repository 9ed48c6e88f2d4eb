"""Start: process start to the first frame with numbers, beside a bare Textual app.

Both are started the same way, in a real pseudo-terminal, alternately, with
bytecode compiled by a first run that is not counted. Tandem runs the demo
config on a store that a refresh has already filled, so its first frame is
painted from the store; the bare app shows one Static.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

from tests.bench.results import Figure, median
from tests.bench.terminal import screen_text, time_until

BARE_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("bare textual ready")

    Bare().run()
    """
)
# The eNPS panel's meta line has an n only once a value from the store is shown.
TANDEM_PAINTED = re.compile(r"target 30 · n \d+")


def fill_demo_store(path: Path, analysis: bool = True) -> None:
    """Fetch the demo into a store, as a first run of `tandem` would: its collector
    fetches every source and stores the analysis every screen reads. Without
    `analysis`, the store is as the next morning finds it, with no analysis of today's,
    which a screen computes for itself."""
    from tui.clock import utc_now
    from tui.collect.collector import collect_once
    from tui.collect.refresh import refresh_sources
    from tui.config import Config, load_config
    from tui.demo import bundled_demo_config, serving_demo
    from tui.sources import make_client
    from tui.store import Store

    config = load_config(bundled_demo_config())
    store = Store(path)

    async def fill(live: Config) -> None:
        if analysis:
            await collect_once(live, store, utc_now)
            return
        async with make_client() as client:
            await refresh_sources(live, live.sources, client, store)

    with serving_demo(config) as live:
        asyncio.run(fill(live))
    store.close()


def import_times(store: Path) -> list[tuple[str, float]]:
    """Cumulative import times of the modules imported before the first frame, two levels
    deep (a package and what it imports first), largest first."""
    painted = time_until(
        [sys.executable, "-m", "tui", "--store", str(store)],
        TANDEM_PAINTED,
        env={"PYTHONPROFILEIMPORTTIME": "1"},
    )
    found: list[tuple[str, float]] = []
    for line in screen_text(painted.output).splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(3)) <= 3:  # indented 1 or 3: level one or two
            found.append((match.group(4), int(match.group(2)) / 1e6))
    return sorted(found, key=lambda item: -item[1])


def run(runs: int = 7) -> tuple[list[Figure], str]:
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "demo.db"
        fill_demo_store(store)
        morning = Path(folder) / "morning.db"
        fill_demo_store(morning, analysis=False)
        bare = Path(folder) / "bare.py"
        bare.write_text(BARE_APP)
        tandem_cmd = [sys.executable, "-m", "tui", "--store", str(store)]
        bare_cmd = [sys.executable, str(bare)]
        # Compile bytecode and warm the page cache; not counted.
        time_until(tandem_cmd, TANDEM_PAINTED)
        time_until(bare_cmd, "bare textual ready")
        tandem_times: list[float] = []
        bare_times: list[float] = []
        morning_times: list[float] = []
        for run_number in range(runs):
            # Its own collector stores today's analysis within seconds: each morning
            # run starts from a copy that has none.
            copy = Path(folder) / f"morning-{run_number}.db"
            shutil.copyfile(morning, copy)
            for command, marker, times in (
                (tandem_cmd, TANDEM_PAINTED, tandem_times),
                (bare_cmd, "bare textual ready", bare_times),
                ([*tandem_cmd[:-1], str(copy)], TANDEM_PAINTED, morning_times),
            ):
                painted = time_until(command, marker)
                if painted.seconds is None:
                    raise RuntimeError(
                        f"{command[-1]} never painted:\n{screen_text(painted.output)[-2000:]}"
                    )
                times.append(painted.seconds)
        imports = import_times(store)
    tandem, bare_median = median(tandem_times), median(bare_times)
    figures = [
        Figure("start: bare Textual app, first frame", bare_median, "s", None, f"median of {runs}"),
        Figure(
            "start: tandem (demo, filled store), first frame with values",
            tandem,
            "s",
            0.45,
            f"median of {runs}; min {min(tandem_times):.3f} s, max {max(tandem_times):.3f} s",
        ),
        Figure("  … ÷ bare Textual app", tandem / bare_median, "×", None),
        Figure(
            "  … the next morning: no analysis of today's yet",
            median(morning_times),
            "s",
            None,
            "the screen computes the insights before its first frame",
        ),
    ]
    top = "\n".join(f"  {name:<34} {seconds * 1000:7.1f} ms" for name, seconds in imports[:15])
    report = f"Imports before tandem's first frame (cumulative, two levels deep, top 15):\n{top}"
    return figures, report
