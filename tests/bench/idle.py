"""Idle: CPU and terminal output of the running dashboard between refreshes.

Tandem runs the demo in a real terminal (tmux, 160×45); once its first refresh
is on screen, its CPU time and its collector process's are read from /proc over
the window, and everything it writes to the terminal is captured with tmux's
pipe-pane. The demo refreshes every 300 s, so the window has no refresh in it;
the clock's minute changes once in a 60 s window, and that repaint is all that
should be written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.results import Figure
from tests.bench.start import fill_demo_store

SESSION = "tandem-bench-idle"


def _tmux(*arguments: str) -> str:
    return subprocess.run(
        ["tmux", *arguments], check=True, capture_output=True, text=True
    ).stdout.strip()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime, fields 14 and 15 of stat(5), counted after the ")".
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]


def run(window: float = 60.0) -> tuple[list[Figure], str]:
    if shutil.which("tmux") is None:
        return [], "idle: skipped, tmux is not installed (apt-get install tmux)"
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "demo.db"
        fill_demo_store(store)
        output = Path(folder) / "terminal.out"
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
        command = f"exec {sys.executable} -m tui --store {store}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", SESSION, "-x", "160", "-y", "45", command],
            check=True,
            env=environment,
            cwd=Path(__file__).resolve().parents[2],
        )
        try:
            pid = int(_tmux("display-message", "-p", "-t", SESSION, "#{pane_pid}"))
            deadline = time.monotonic() + 30
            # The first refresh has landed when every source says ok with a time.
            while time.monotonic() < deadline:
                screen = _tmux("capture-pane", "-p", "-t", SESSION)
                if screen.count(" ok ") >= 4 and "updated" in screen:
                    break
                time.sleep(0.2)
            else:
                raise RuntimeError(f"the dashboard never refreshed:\n{screen}")
            time.sleep(2)  # let the last repaint go out
            _tmux("pipe-pane", "-o", "-t", SESSION, f"cat >> {output}")
            # The dashboard's collector is a process of its own, and idles too.
            (collector,) = _children(pid)
            collector_before = _cpu_seconds(collector)
            cpu_before, started = _cpu_seconds(pid), time.monotonic()
            time.sleep(window)
            cpu = _cpu_seconds(pid) - cpu_before
            collector_cpu = _cpu_seconds(collector) - collector_before
            elapsed = time.monotonic() - started
            _tmux("pipe-pane", "-t", SESSION)
            written = output.stat().st_size if output.exists() else 0
        finally:
            subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    return [
        Figure(
            f"idle: CPU between refreshes, over {elapsed:.0f} s",
            100 * cpu / elapsed,
            "% of a core",
            1.0,
            f"{cpu:.2f} s of CPU; tmux, 160×45",
        ),
        Figure(
            "  … its collector process, idle",
            100 * collector_cpu / elapsed,
            "% of a core",
            None,
            f"{collector_cpu:.2f} s of CPU: a heartbeat each 5 s, a look at its parent each 0.5 s",
        ),
        Figure(
            "  … the two together",
            100 * (cpu + collector_cpu) / elapsed,
            "% of a core",
            1.0,
            "what `tandem` costs a box between refreshes",
        ),
        Figure(
            f"idle: bytes written to the terminal, over {elapsed:.0f} s",
            written,
            "bytes",
            None,
            "the clock's minute changing is the only repaint expected",
        ),
    ], ""
