"""Resident memory of a screen that only reads, against a bare Textual app.

Each runs in a real pseudo-terminal at 120×40 on the demo store a first run of
`tandem` leaves; its RSS is read from /proc five seconds after it starts, once the
first frame is painted and the first reading of the store is shown. A screen that
only reads imports no collector code (no httpx, no sources' fetching). The same
screen on a PostgreSQL store that `tandem collect --once` filled is measured too,
where PostgreSQL is installed: it loads psycopg, with the libpq and OpenSSL its
wheel bundles.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.bench.keys import Terminal
from tests.bench.results import Figure, median
from tests.bench.start import BARE_APP, fill_demo_store


def status_megabytes(field: str, pid: int | str = "self") -> float:
    """A memory figure of /proc/<pid>/status (VmRSS: resident now; VmHWM: its peak)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def settled_rss(command: list[str], seconds: float = 5.0) -> float:
    terminal = Terminal(command)
    try:
        terminal.read(seconds)
        return status_megabytes("VmRSS", terminal.process.pid)
    finally:
        terminal.close()


def run(runs: int = 3) -> tuple[list[Figure], str]:
    from tests.bench.keys import shared_stores

    with tempfile.TemporaryDirectory() as folder, shared_stores(1) as on_postgresql:
        store = Path(folder) / "demo.db"
        fill_demo_store(store)
        bare = Path(folder) / "bare.py"
        bare.write_text(BARE_APP)
        viewer = [sys.executable, "-m", "tui", "--store", str(store), "--viewer"]
        screens = [settled_rss(viewer) for _ in range(runs)]
        bares = [settled_rss([sys.executable, str(bare)]) for _ in range(runs)]
        shared = [
            settled_rss([sys.executable, "-m", "tui", "--store", on_postgresql.urls[0]])
            for _ in range(runs)
            if on_postgresql is not None
        ]
    figures = [
        Figure(
            "memory: RSS of a screen that only reads (demo, 120×40)",
            median(screens),
            "MB",
            60.0,
            f"median of {runs}; {min(screens):.1f}–{max(screens):.1f} MB",
        ),
        Figure("  … a bare Textual app", median(bares), "MB", None, f"median of {runs}"),
    ]
    if shared:
        figures.append(
            Figure(
                "  … the same on PostgreSQL",
                median(shared),
                "MB",
                60.0,
                f"median of {runs}; {min(shared):.1f}–{max(shared):.1f} MB",
            )
        )
    report = "" if on_postgresql else "RSS on PostgreSQL: not measured, PostgreSQL not installed"
    return figures, report
