"""Keys while a refresh lands: keypress → its effect on screen, in a real terminal.

The demo dashboard runs in a pseudo-terminal at 120×40 on a store a first fetch
filled. `?` opens the help and `?` closes it, in turn; each figure is from writing
the key to its effect in what the program paints (the help's "Reading the panels",
then a pair's caption again). Not Escape: a terminal sends a lone Escape as the
first byte of every escape sequence, so Textual waits ESCDELAY (100 ms) for more
before it takes it as a key, in every Textual app. Idle: nothing is being fetched. During a
refresh: `r` refetches every source (about 40,000 demo records) and a key follows
0.1–1.5 s later, while the records are fetched, parsed and stored.

Five ways of fetching: `tandem` as a user starts it, whose collector is a process
of its own; a separate `tandem collect` writing a PostgreSQL store that the screen
(`tandem --store postgresql://…`) only reads, where a refresh is a `collect --once`
and a key follows 0.5–4.5 s later, while it fetches, writes, and the screen reads what
it wrote, measured twice: with the collector and the database server on the screen's
own two cores, and with both held to one core of the two (`sched_setaffinity`), which
stands in for the other machines they run on in that deployment, while the screen may
use either core; the collector in a thread of the dashboard's process (as TandemApp
does when it is given a store and no collector); and fetching on the dashboard's own
event loop (every version before, and a store kept in memory still).
"""

from __future__ import annotations

import contextlib
import os
import pty
import random
import re
import select
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from tests.bench.results import Figure, difference_interval, median, percentile
from tests.bench.start import fill_demo_store
from tests.bench.terminal import screen_text, stop

APP = textwrap.dedent(
    """
    import sys
    from tui.app import TandemApp
    from tui.config import load_config
    from tui.demo import bundled_demo_config, serving_demo
    from tui.sources import make_client
    from tui.store import Store

    config = load_config(bundled_demo_config())
    with serving_demo(config) as live:
        # A client given to the app keeps the fetching on its event loop.
        client = make_client() if sys.argv[2] == "loop" else None
        TandemApp(live, Store(sys.argv[1]), client=client).run()
    """
)
HELP_OPEN = re.compile(r"Reading the panels")
DASHBOARD = re.compile(r"Would they recommend us\?")


class Terminal:
    """A program in a pseudo-terminal, its output read as it comes."""

    def __init__(self, command: list[str], size: tuple[int, int] = (120, 40)) -> None:
        import fcntl
        import struct
        import termios

        columns, rows = size
        self.fd, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = {**os.environ, "TERM": "xterm-256color"}
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        self.process = subprocess.Popen(
            command,
            stdin=child,
            stdout=child,
            stderr=child,
            env=environment,
            start_new_session=True,
            close_fds=True,
        )
        os.close(child)
        self.output = bytearray()

    def read(self, seconds: float) -> None:
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                self.output += os.read(self.fd, 1 << 16)

    def press(self, key: bytes, effect: re.Pattern[str], timeout: float = 10.0) -> float | None:
        """Seconds from writing `key` to `effect` in what is painted after it."""
        mark = len(self.output)
        started = time.perf_counter()
        os.write(self.fd, key)
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([self.fd], [], [], 0.005)
            if ready:
                self.output += os.read(self.fd, 1 << 16)
                if effect.search(screen_text(bytes(self.output[mark:]))):
                    return time.perf_counter() - started
        return None

    def close(self) -> None:
        stop(self.process)
        os.close(self.fd)


# The core that stands in for the other machines: the collector and the database
# server are held to it; the screen is not held anywhere.
ELSEWHERE = max(os.sched_getaffinity(0))
SEPARATE = ("shared", "elsewhere")


def latencies(
    app: Path,
    store: str,
    mode: str,
    presses: int,
    refreshing: bool,
    unseen_store: str | None = None,
) -> list[float]:
    """Keys during a refresh of `store`, or with `unseen_store` during the same refresh
    written to a store this screen does not read: the control, in which the screen does
    nothing for the refresh and what slows its keys is the machine sharing its cores."""
    if mode in ("process", *SEPARATE):
        command = [sys.executable, "-m", "tui", "--store", store]
    else:
        command = [sys.executable, str(app), str(store), mode]
    terminal = Terminal(command)
    control = None
    if refreshing and mode == "process" and unseen_store is not None:
        from tui.collect.process import CollectorProcess
        from tui.demo import bundled_demo_config

        # The same collector the dashboard starts (idle priority and all), asked to
        # refresh as `r` asks the dashboard's own.
        control = CollectorProcess(bundled_demo_config(), unseen_store)
    found: list[float] = []
    pick = random.Random(7)
    try:
        terminal.read(4.0)  # started, painted from the store, first refresh landed
        terminal.read(6.0 if refreshing else 0.5)
        for _ in range(presses):
            collector = None
            if refreshing and mode in SEPARATE:
                collector = _collect_once(
                    unseen_store or store, ELSEWHERE if mode == "elsewhere" else None
                )
                terminal.read(pick.uniform(0.5, 4.5))
            elif refreshing:
                if control is not None:
                    control.refresh_now()
                else:
                    os.write(terminal.fd, b"r")
                terminal.read(pick.uniform(0.1, 1.5))
            for key, effect in ((b"?", HELP_OPEN), (b"?", DASHBOARD)):
                seconds = terminal.press(key, effect)
                if seconds is not None:
                    found.append(seconds)
                terminal.read(0.05)
            if collector is not None:
                while collector.poll() is None:
                    terminal.read(0.2)
                terminal.read(2.5)  # the screen's two-second poll reads what it wrote
            elif refreshing:
                terminal.read(4.0)  # the refresh ends before the next one starts
    finally:
        terminal.close()
        if control is not None:
            control.stop()
    return found


def _collect_once(url: str, core: int | None = None) -> subprocess.Popen[bytes]:
    """`tandem collect --once` of the demo into the PostgreSQL store at `url`, held to
    `core` if one is given."""
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "collect", "--once", "--store", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=None if core is None else lambda: os.sched_setaffinity(0, {core}),
    )


def _server_processes(data: Path) -> list[int]:
    """The PostgreSQL server's processes: its postmaster (the first line of
    postmaster.pid) and every process it started."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    found = [postmaster]
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The parent's pid is the second field after the name's closing bracket.
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                found.append(int(entry.name))
    return found


@contextlib.contextmanager
def _server_held_to(data: Path, core: int) -> Iterator[None]:
    """The database server held to one core while the block runs; the backends it
    starts for new connections inherit that from its postmaster."""
    every_core = os.sched_getaffinity(0)
    for pid in _server_processes(data):
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(pid, {core})
    try:
        yield
    finally:
        for pid in _server_processes(data):
            with contextlib.suppress(ProcessLookupError):
                os.sched_setaffinity(pid, every_core)


class SharedStores(NamedTuple):
    urls: list[str]  # the first the screen reads; the next, a control's refreshes write
    data: Path  # the server's data folder


@contextlib.contextmanager
def shared_stores(count: int) -> Iterator[SharedStores | None]:
    """`count` PostgreSQL stores a first `collect --once` filled, on one server; None
    where PostgreSQL is not installed (a bench says so and measures the rest)."""
    from tests import postgres_server

    if postgres_server.binaries() is None:
        yield None
        return
    with postgres_server.running() as server:
        urls = [server.url(server.new_database()) for _ in range(count)]
        for url in urls:
            if _collect_once(url).wait(120) != 0:
                raise RuntimeError("tandem collect --once into PostgreSQL failed")
        yield SharedStores(urls, server.data)


def _p90(values: Sequence[float]) -> float:
    return percentile(values, 90)


def _ms(seconds: Sequence[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def run(presses: int = 20) -> tuple[list[Figure], str]:
    with tempfile.TemporaryDirectory() as folder, shared_stores(2) as shared:
        store = Path(folder) / "demo.db"
        fill_demo_store(store)
        app = Path(folder) / "app.py"
        app.write_text(APP)
        figures: list[Figure] = []
        lines = ["Keypress → visible effect (ms), 120×40, demo:"]
        if shared is None:
            lines.append(
                "  separate collector on PostgreSQL: not measured, PostgreSQL not installed"
            )
        several_cores = len(os.sched_getaffinity(0)) > 1
        if shared is not None and not several_cores:
            lines.append("  collector and server on a core of their own: not measured, one core")
        for mode, name in (
            ("process", "tandem: collector process"),
            ("shared", "tandem collect + a screen on PostgreSQL, all on the same cores"),
            ("elsewhere", "tandem collect + a screen on PostgreSQL, collector elsewhere"),
            ("thread", "collector in a thread"),
            ("loop", "fetching on the UI loop"),
        ):
            if mode in SEPARATE and shared is None:
                continue
            if mode == "elsewhere" and not several_cores:
                continue
            # The bounds: in the one-machine default and with a separate
            # collector, which in that deployment runs on other machines; on the same
            # cores it is shown for what a box running everything costs, unbounded.
            bounded = mode in ("process", "elsewhere")
            where, unseen = str(store), str(Path(folder) / "unseen.db")
            held: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
            if shared is not None and mode in SEPARATE:
                where, unseen = shared.urls
                if mode == "elsewhere":
                    held = _server_held_to(shared.data, ELSEWHERE)
            with held:
                quiet = _ms(latencies(app, where, mode, presses, refreshing=False))
                busy = _ms(latencies(app, where, mode, presses, refreshing=True))
                control = (
                    _ms(latencies(app, where, mode, presses, refreshing=True, unseen_store=unseen))
                    if bounded
                    else None
                )
            lines.append(
                f"  {name}: idle median {median(quiet):.0f}, p90 {_p90(quiet):.0f}; "
                f"during a refresh median {median(busy):.0f}, p90 {_p90(busy):.0f}, "
                f"worst {max(busy):.0f} ({len(busy)} keys)"
                + (
                    ""
                    if control is None
                    else f"; the refresh unseen median {median(control):.0f}, "
                    f"p90 {_p90(control):.0f}"
                )
            )
            detailed = bounded or mode == "shared"
            figures += _figures(name, quiet, busy, control, bounded, detailed)
    return figures, "\n".join(lines)


def _figures(
    name: str,
    quiet: list[float],
    busy: list[float],
    control: list[float] | None,
    bounded: bool,
    detailed: bool,
) -> list[Figure]:
    """The figures of one setting: with `detailed`, the p90's bound and how it compares
    with the idle keys; with `bounded`, the issue's ratio bound too."""
    p90 = _p90(busy)
    figures = [
        Figure(
            f"key during a refresh, p90 ({name})",
            p90,
            "ms",
            60.0 if detailed else None,
            "real terminal",
        )
    ]
    if not detailed:
        return figures
    figures.append(
        Figure(
            "  … ÷ idle median",
            p90 / median(quiet),
            "×",
            1.5 if bounded else None,
            "the issue's bound" if bounded else "no bound: not that deployment",
        )
    )
    # Like for like: the idle keys have a tail of their own (a full frame of
    # Textual's now and then), which the bound above counts as the refresh's.
    figures.append(Figure("  … ÷ idle p90", p90 / _p90(quiet), "×", None, "what a refresh adds"))
    # Whether a refresh adds anything the noise of so few keys can show.
    low, high = difference_interval(quiet, busy, _p90)
    figures.append(
        Figure(
            "  … p90 − idle p90",
            p90 - _p90(quiet),
            "ms",
            None,
            f"95 % interval {low:+.0f} to {high:+.0f} ms (bootstrap, "
            f"{len(quiet)} idle and {len(busy)} keys)",
        )
    )
    if control is not None:
        # The same refresh written where this screen does not look: the screen does
        # nothing for it, so what slows its keys is the machine, not the screen.
        figures.append(
            Figure(
                "  … the same refresh unseen by the screen, p90",
                _p90(control),
                "ms",
                None,
                f"÷ idle median {_p90(control) / median(quiet):.2f} ×",
            )
        )
        low, high = difference_interval(control, busy, _p90)
        figures.append(
            Figure(
                "  … p90 − p90 with the refresh unseen",
                p90 - _p90(control),
                "ms",
                None,
                f"what the screen's own work adds: 95 % interval {low:+.0f} to {high:+.0f} ms",
            )
        )
    return figures
