"""Memory: RSS growth over 5,000 refresh cycles of the processes that run for weeks.

They are the ones a user runs: a real `tandem collect`, in a process of its own as the
one-machine dashboard and a collector box start it, fetches two sources whose answers
change on every request, each cycle asked for with SIGUSR1 as the dashboard's `r` asks
it; and a screen that only reads (TandemApp as a viewer, headless) reads each cycle's
writes and repaints its panels and sparklines. Once on SQLite, and once on PostgreSQL
where it is installed, where the screen reads on its reader thread.

RSS is read after 200 warm-up cycles and at the end: the screen's after a garbage
collection, in the process that measures; the collector's as /proc shows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from tests.bench.results import Figure
from tests.bench.rss import status_megabytes
from tests.bench.throughput import page_server

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """
[dashboard]
period = "month"
history_periods = 24
# Only the bench asks for a cycle: no scheduled one lands in between.
refresh_seconds = 86400

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
SOURCES = ("pulse", "survey")


class Collector:
    """`tandem collect` in a process of its own, one cycle at a time."""

    def __init__(self, config: Path, store: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui", "collect", "--config", str(config), "--store", store],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._landed()  # its first cycle runs as it starts

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._lines.put(line.strip())
        self._lines.put("")  # ended

    def _landed(self) -> None:
        """Until each source has logged its landing: logged once its values and the
        analysis are in the store."""
        waiting = set(SOURCES)
        while waiting:
            line = self._lines.get(timeout=60)
            if not line:
                raise RuntimeError(f"tandem collect ended: {self.process.wait()}")
            source = line.removeprefix("tandem collect: ").split(" ")[0]
            if source in waiting:
                if " ok, " not in line:
                    raise RuntimeError(line)
                waiting.discard(source)

    def cycle(self) -> None:
        self.process.send_signal(signal.SIGUSR1)
        self._landed()

    @property
    def rss(self) -> float:
        return status_megabytes("VmRSS", self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


@contextlib.contextmanager
def _store_location(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield str(folder / "memory.db")
        return
    from tests import postgres_server

    with postgres_server.running() as server:
        yield server.url(server.new_database())


def run(cycles: int = 5000, warm_up: int = 200) -> tuple[list[Figure], str]:
    """Each backend in a process of its own: the other benchmarks' freed memory would
    hide growth."""
    from tests import postgres_server

    backends = ["sqlite"] + (["postgresql"] if postgres_server.binaries() else [])
    figures: list[Figure] = []
    for backend in backends:
        result = subprocess.run(
            [sys.executable, "-m", "tests.bench.memory", str(cycles), str(warm_up), backend],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        for name, value, note in json.loads(result.stdout.splitlines()[-1]):
            figures.append(Figure(name, value, "MB", 5.0, note))
    report = "" if len(backends) == 2 else "memory on PostgreSQL: not measured, not installed"
    return figures, report


def measure(cycles: int, warm_up: int, backend: str) -> list[tuple[str, float, str]]:
    from tui.app import TandemApp
    from tui.config import load_config
    from tui.store import open_store

    with (
        page_server() as url,
        tempfile.TemporaryDirectory() as folder,
        _store_location(backend, Path(folder)) as where,
    ):
        config_path = Path(folder) / "tandem.toml"
        config_path.write_text(CONFIG.format(url=url))
        collector = Collector(config_path, where)
        store = open_store(where)
        app = TandemApp(load_config(config_path), store, config_path=config_path, viewer=True)
        screen: dict[str, float] = {}
        collecting: dict[str, float] = {}
        seconds = 0.0

        async def drive() -> None:
            nonlocal seconds
            async with app.run_test(size=(160, 45)) as pilot:
                started = time.perf_counter()
                for cycle in range(1, warm_up + cycles + 1):
                    # On the screen's loop: it reads nothing while a cycle is written.
                    collector.cycle()
                    shown = app.data
                    app._read_store_if_written()  # what its poll does, now
                    deadline = time.monotonic() + 10
                    while app.data is shown:  # a shared store's read ends off the loop
                        if time.monotonic() > deadline:
                            raise RuntimeError(f"cycle {cycle} was never shown")
                        await pilot.pause(0.001)
                    await pilot.pause(0.001)  # its events handled, and painted
                    if cycle == warm_up:
                        gc.collect()
                        screen["start"] = status_megabytes("VmRSS")
                        collecting["start"] = collector.rss
                        started = time.perf_counter()
                gc.collect()
                screen["end"] = status_megabytes("VmRSS")
                collecting["end"] = collector.rss
                seconds = time.perf_counter() - started

        try:
            asyncio.run(drive())
        finally:
            collector.stop()
            store.close()
    where_named = "SQLite" if backend == "sqlite" else "PostgreSQL"
    per_cycle = f"{1000 * seconds / cycles:.0f} ms a cycle"
    return [
        (
            f"memory: a screen that only reads, RSS growth over {cycles:,} cycles ({where_named})",
            screen["end"] - screen["start"],
            f"after {warm_up} warm-up cycles: {screen['start']:.1f} MB, then "
            f"{screen['end']:.1f} MB; {per_cycle}",
        ),
        (
            f"memory: `tandem collect`, RSS growth over {cycles:,} cycles ({where_named})",
            collecting["end"] - collecting["start"],
            f"{collecting['start']:.1f} MB, then {collecting['end']:.1f} MB",
        ),
    ]


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])))
