"""Many screens, one collector: vendor requests per refresh cycle with 1 screen and with 30.

A PostgreSQL server (tests/postgres_server.py) holds the store; one `tandem collect`
fetches a vendor-shaped API on 127.0.0.1 every 5 s. The screens are real processes:
dashboards in pseudo-terminals (`tandem --store URL`) and the viewers `tandem serve`
starts for browsers (`tandem --viewer`), two in three and one in three. Requests are
counted at the API over the same span with 1 screen and with 30, and divided by the
cycles the collector ran in it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.keys import Terminal
from tests.bench.results import Figure
from tests.bench.terminal import screen_text

SPAN = 20.0  # seconds counted, after the screens started


def _count(api: Any, url: str, config: Path, screens: int) -> tuple[int, int, int]:
    """Requests at the API, collector cycles over SPAN seconds with `screens` open, and
    how many screens were running and had painted the dashboard at the end."""
    import re
    import subprocess

    log = config.with_suffix(f".{screens}.log")
    env = {**os.environ, "PULSE_TOKEN": "pulse-secret-9c41"}
    command = [sys.executable, "-m", "tui"]
    with log.open("w") as out:
        collector = subprocess.Popen(
            [*command, "collect", "--config", str(config), "--store", url, "--beat-seconds", "5"],
            env=env,
            stdout=out,
            stderr=out,
        )
    opened: list[Terminal] = []  # with this process's environment: no vendor token
    try:
        for index in range(screens):
            viewer = ["--viewer"] if index % 3 == 2 else []
            opened.append(
                Terminal([*command, *viewer, "--config", str(config), "--store", url], (100, 30))
            )
        deadline = time.monotonic() + 8.0  # every screen started and painting
        while time.monotonic() < deadline:
            for terminal in opened:
                terminal.read(0.005)
        before = len(api.requests)
        cycles_before = len(re.findall("pulse ok", log.read_text()))
        deadline = time.monotonic() + SPAN
        while time.monotonic() < deadline:
            for terminal in opened:
                terminal.read(0.005)  # drain what they paint, or they block writing
            time.sleep(0.2)
        requests = len(api.requests) - before
        cycles = len(re.findall("pulse ok", log.read_text())) - cycles_before
        painted = sum(
            1
            for terminal in opened
            if terminal.process.poll() is None and "eNPS" in screen_text(bytes(terminal.output))
        )
    finally:
        for terminal in opened:
            terminal.close()
        collector.terminate()
        collector.wait(10)
    return requests, cycles, painted


def run() -> tuple[list[Figure], str]:
    from tests.postgres_server import running
    from tests.test_collect import _config, _server

    figures: list[Figure] = []
    lines = []
    with running() as server, tempfile.TemporaryDirectory() as folder, _server() as api:
        config = Path(folder) / "tandem.toml"
        config.write_text(_config(api.url).replace("history_periods = 12", "refresh_seconds = 5"))
        per_cycle = {}
        for screens in (1, 30):
            url = server.url(server.new_database())
            requests, cycles, painted = _count(api, url, config, screens)
            per_cycle[screens] = requests / max(cycles, 1)
            lines.append(
                f"  {screens} screen{'s' if screens > 1 else ''} ({painted} running and "
                f"painted at the end): {requests} requests in {cycles} cycles"
            )
        figures.append(Figure("vendor requests per cycle, 1 screen", per_cycle[1], "", None, ""))
        figures.append(
            Figure(
                "vendor requests per cycle, 30 screens ÷ 1 screen",
                per_cycle[30] / per_cycle[1],
                "×",
                1.0,
                "20 terminals, 10 browser viewers",
            )
        )
    return figures, "Many screens, one collector (requests counted at the API):\n" + "\n".join(
        lines
    )
