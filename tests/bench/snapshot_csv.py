"""`tandem snapshot` end to end on a 1,000,000-row CSV file source.

24 months of survey answers from 10 teams, as a tool with no API exports them: every
field text. The command reads the file, computes every granularity, stores, analyses
and prints the JSON document, in a process of its own; its wall time is taken from
start to exit, and its peak RSS (VmHWM) is read by the process itself as it exits.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.bench.results import Figure, median

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1_000_000
TEAMS = [f"Team {n:02d}" for n in range(10)]
END = datetime(2026, 6, 17, tzinfo=timezone.utc)

CONFIG = """
[dashboard]
period = "month"
history_periods = 24

[[sources]]
id = "export"
kind = "file"
path = "{path}"
[sources.columns]
submitted_at = "submitted_at"
team = "team"
nps = "nps"

[[metrics]]
id = "nps"
label = "NPS"
side = "customer"
source = "export"
kind = "nps"
score_field = "nps"
date_field = "submitted_at"
segment_field = "team"

[[metrics]]
id = "answers"
label = "Answers"
side = "employee"
source = "export"
kind = "count"
date_field = "submitted_at"
segment_field = "team"

[[pairs]]
employee = "answers"
customer = "nps"
"""

# Runs the command line and, as it exits, prints its own peak RSS on stderr. It reads
# /proc itself (not tests.bench.rss): importing the benchmarks would add to what it measures.
SHIM = """
import atexit, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("peak-kb", line.split()[1], file=sys.stderr)
atexit.register(peak)
from tui.cli import main
sys.argv = ["tandem", *sys.argv[1:]]
raise SystemExit(main())
"""


def write_export(path: Path, rows: int = ROWS) -> None:
    rng = random.Random(11)
    start = END - timedelta(days=730)
    span = int((END - start).total_seconds())
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "submitted_at", "team", "nps"])
        for i in range(rows):
            moment = start + timedelta(seconds=rng.randrange(span))
            writer.writerow(
                [i, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), rng.choice(TEAMS), rng.randrange(11)]
            )


def snapshot_once(folder: Path, run: int) -> tuple[float, float]:
    config = folder / "tandem.toml"
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SHIM,
            "snapshot",
            "--config",
            str(config),
            "--store",
            str(folder / f"s{run}.db"),
            "--as-of",
            END.date().isoformat(),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    document = json.loads(done.stdout)
    assert all(source["ok"] for source in document["sources"]), document["sources"]
    peak = next(line for line in done.stderr.splitlines() if line.startswith("peak-kb"))
    return seconds, int(peak.split()[1]) / 1024


def run(runs: int = 3) -> tuple[list[Figure], str]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        export = folder / "answers.csv"
        write_export(export)
        (folder / "tandem.toml").write_text(CONFIG.format(path=export))
        found = [snapshot_once(folder, run) for run in range(runs)]
    seconds = [s for s, _ in found]
    peaks = [p for _, p in found]
    return [
        Figure(
            "snapshot: 1,000,000-row CSV file, 24 months, 10 teams, end to end",
            median(seconds),
            "s",
            3.0,
            f"median of {runs}; {min(seconds):.2f}–{max(seconds):.2f} s",
        ),
        Figure("  … its peak RSS", median(peaks), "MB", 250.0, "the process's VmHWM"),
    ], ""
