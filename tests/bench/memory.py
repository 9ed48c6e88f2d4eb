"""Memory: RSS growth of the running app over 5,000 refresh cycles.

The app runs headless (Textual's test driver) against two sources whose
answers change on every request, so each cycle fetches, computes, stores,
repaints panels and sparklines. RSS is read after 200 warm-up cycles and at
the end, each time after a garbage collection.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.results import Figure
from tests.bench.rss import status_megabytes
from tests.bench.throughput import NOW, page_server

CONFIG = """
[dashboard]
period = "month"
history_periods = 24

[[sources]]
id = "pulse"
kind = "json"
base_url = "{url}"
path = "varying/pulse"
[sources.records]
path = "data"
fields = {{ at = "submitted_at", team = "team", score = "answers.nps" }}

[[sources]]
id = "survey"
kind = "json"
base_url = "{url}"
path = "varying/survey"
[sources.records]
path = "data"
fields = {{ at = "submitted_at", team = "team", score = "answers.nps" }}

[[metrics]]
id = "enps"
label = "eNPS"
side = "employee"
source = "pulse"
kind = "nps"
score_field = "score"
date_field = "at"
thresholds = {{ warn = 15, bad = 0 }}

[[metrics]]
id = "nps"
label = "NPS"
side = "customer"
source = "survey"
kind = "nps"
score_field = "score"
date_field = "at"
segment_field = "team"
thresholds = {{ warn = 25, bad = 10 }}

[[pairs]]
employee = "enps"
customer = "nps"
"""


def run(cycles: int = 5000, warm_up: int = 200) -> tuple[list[Figure], str]:
    """In a process of its own: the other benchmarks' freed memory would hide growth."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.memory", str(cycles), str(warm_up)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    name, value, note = json.loads(result.stdout.splitlines()[-1])
    return [Figure(name, value, "MB", 5.0, note)], ""


def measure(cycles: int, warm_up: int) -> tuple[str, float, str]:
    from tui.app import TandemApp
    from tui.config import parse_config
    from tui.store import Store

    with page_server() as url, tempfile.TemporaryDirectory() as folder:
        config = parse_config(CONFIG.format(url=url))
        app = TandemApp(config, Store(Path(folder) / "memory.db"), clock=lambda: NOW)
        readings: dict[str, float] = {}
        seconds = 0.0

        async def drive() -> None:
            nonlocal seconds
            async with app.run_test(size=(160, 45)) as pilot:
                while app.refresh_rounds < 1:
                    await pilot.pause(0.01)
                started = time.perf_counter()
                for cycle in range(1, warm_up + cycles + 1):
                    rounds = app.refresh_rounds
                    app.action_refresh()
                    while app.refresh_rounds <= rounds:
                        await pilot.pause(0.001)
                    if cycle == warm_up:
                        gc.collect()
                        readings["start"] = status_megabytes("VmRSS")
                        started = time.perf_counter()
                gc.collect()
                readings["end"] = status_megabytes("VmRSS")
                seconds = time.perf_counter() - started

        asyncio.run(drive())
    growth = readings["end"] - readings["start"]
    return (
        f"memory: RSS growth over {cycles:,} refresh cycles",
        growth,
        f"after {warm_up} warm-up cycles: {readings['start']:.1f} MB, then "
        f"{readings['end']:.1f} MB; {1000 * seconds / cycles:.0f} ms a cycle",
    )


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]))))
