"""Collector failover on PostgreSQL: SIGKILL the active collector, time the standby.

Two `tandem collect` processes share a store on a real PostgreSQL server
(tests/postgres_server.py); the first holds the advisory lock and the second stands
by. Each round kills the active one with SIGKILL (no goodbye: its lock goes when
the server sees its connection end) and times, from the kill, the standby's first
write (its heartbeat, as active) and its first landed fetch. The rows are compared
before and after: the same periods fetched again must neither lose nor double one.
The survivor becomes the next round's active collector, and a new standby starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.results import Figure, median

BEAT = 1.0  # seconds between a collector's heartbeats, and a standby's tries for the lock
REFRESH = 5  # the source's refresh_seconds: one collection cycle
ROUNDS = 5


def _start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out)


def _kill_and_time(
    active: subprocess.Popen[bytes], standby: subprocess.Popen[bytes], log: Path, url: str
) -> tuple[float, float, int]:
    """SIGKILL `active` once `standby` stands by: seconds to the standby's first write
    and to its first landed fetch, and how many rows that fetch lost or doubled."""
    from tests.test_collect import _observations, _wait_for
    from tui.store import open_store

    store = open_store(url)
    try:
        assert _wait_for(lambda: "standing by" in log.read_text(), 30), log.read_text()
        before = _observations(url)
        active.send_signal(signal.SIGKILL)
        active.wait(10)
        killed = time.monotonic()
        mine = f":{standby.pid}"
        assert _wait_for(
            lambda: any(c.collector_id.endswith(mine) for c in store.collectors()), 30, 0.01
        ), log.read_text()
        takeover = time.monotonic() - killed
        assert _wait_for(lambda: "pulse ok" in log.read_text().split("writing", 1)[-1], 30), (
            log.read_text()
        )
        return takeover, time.monotonic() - killed, len(_observations(url) ^ before)
    finally:
        store.close()


def run() -> tuple[list[Figure], str]:
    from tests.postgres_server import running
    from tests.test_collect import TOKEN, _config, _server, _wait_for

    takeovers: list[float] = []
    landed: list[float] = []
    changed = 0
    processes: list[subprocess.Popen[bytes]] = []
    with running() as server:
        try:
            with tempfile.TemporaryDirectory() as folder, _server() as api:
                folder_path = Path(folder)
                config = folder_path / "tandem.toml"
                config.write_text(
                    _config(api.url).replace(
                        "history_periods = 12", f"history_periods = 12\nrefresh_seconds = {REFRESH}"
                    )
                )
                url = server.url(server.new_database())
                command = [
                    sys.executable, "-m", "tui", "collect", "--config", str(config),
                    "--store", url, "--beat-seconds", str(BEAT),
                ]  # fmt: skip
                env = {**os.environ, "PULSE_TOKEN": TOKEN}
                logs = [folder_path / f"collector-{i}.log" for i in range(ROUNDS + 1)]
                active = _start(command, logs[0], env)
                processes.append(active)
                assert _wait_for(lambda: "pulse ok" in logs[0].read_text(), 30), logs[0].read_text()
                for round_ in range(ROUNDS):
                    log = logs[round_ + 1]
                    standby = _start(command, log, env)
                    processes.append(standby)
                    takeover, first_fetch, rows_changed = _kill_and_time(active, standby, log, url)
                    takeovers.append(takeover)
                    landed.append(first_fetch)
                    changed += rows_changed
                    active = standby
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
                    process.wait(10)
    figures = [
        Figure(
            "failover: standby's first write after SIGKILL, worst",
            max(takeovers),
            "s",
            float(REFRESH),
            f"one cycle ({REFRESH} s); beat {BEAT:g} s; {ROUNDS} kills",
        ),
        Figure("failover: rows lost or doubled", changed, "", 0.0, f"over {ROUNDS} kills"),
    ]
    lines = [
        f"Collector failover on PostgreSQL ({ROUNDS} SIGKILLs, beat {BEAT:g} s, "
        f"cycle {REFRESH} s):",
        f"  standby's first write: median {median(takeovers):.2f} s, worst {max(takeovers):.2f} s",
        f"  its first fetch landed: median {median(landed):.2f} s, worst {max(landed):.2f} s",
        f"  rows lost or doubled: {changed}",
    ]
    return figures, "\n".join(lines)
