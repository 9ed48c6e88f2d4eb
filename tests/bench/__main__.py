"""`python -m tests.bench [--only NAME ...]`: every benchmark, then one table."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from tests.bench import (
    failover,
    fanout,
    idle,
    keys,
    many_screens,
    memory,
    render,
    rss,
    scaling,
    screens,
    snapshot_csv,
    start,
    throughput,
    verdicts,
)
from tests.bench.results import Figure, table

BENCHMARKS = {
    "start": start.run,
    "fanout": fanout.run,
    "throughput": throughput.run,
    "render": render.run,
    "keys": keys.run,
    "screens": screens.run,
    "many-screens": many_screens.run,
    "failover": failover.run,
    "idle": idle.run,
    "memory": memory.run,
    "rss": rss.run,
    "scaling": scaling.run,
    "snapshot-csv": snapshot_csv.run,
    "verdicts": verdicts.run,
}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if "model name" in line]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these")
    arguments = parser.parse_args()
    figures: list[Figure] = []
    reports: list[str] = []
    for name in arguments.only or list(BENCHMARKS):
        began = time.monotonic()
        print(f"running {name}…", file=sys.stderr, flush=True)
        found, report = BENCHMARKS[name]()
        figures += found
        if report:
            reports.append(report)
        print(f"  {name} took {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
    print(f"Machine: {machine()}\n")
    print(table(figures))
    for report in reports:
        print(f"\n{report}")
    missed = [f.name for f in figures if f.holds is False]
    if missed:
        print(f"\nMissed: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
