"""The one-machine dashboard's collector, started as a child process.

Apart from the collector itself, so that a screen starting one imports neither httpx
nor the sources: 60 ms of the dashboard's start, for code that runs in the child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys


class CollectorProcess:
    """`tandem collect` as a child process: the one-machine dashboard's collector.

    A process, not a thread, so that parsing and computing never share the
    interpreter lock with the dashboard (a thread made keys as slow during a refresh
    as fetching on the dashboard's own loop: tests/bench/keys.py). It writes the
    same store the dashboard reads, logs beside it, stands by if another `tandem`
    already collects into that store, and stops with the dashboard: told to, or
    within a second of the dashboard dying without a word (a SIGKILL, a crash).
    """

    def __init__(self, config_path: os.PathLike[str] | str, store_path: str) -> None:
        self.log_path = f"{store_path}.collector.log"
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tui",
                    "collect",
                    "--config",
                    os.fspath(config_path),
                    "--store",
                    store_path,
                    "--with-parent",
                    str(os.getpid()),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # Its own session: a key in the dashboard's terminal never signals it.
                start_new_session=True,
            )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def refresh_now(self) -> None:
        """Fetch every source now."""
        if self.alive and hasattr(signal, "SIGUSR1"):
            self.process.send_signal(signal.SIGUSR1)

    def stop(self, timeout: float = 5.0) -> None:
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
