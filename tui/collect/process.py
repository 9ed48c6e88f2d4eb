"""The one-machine dashboard's collector, started as a child process, and started again
when it stops.

Apart from the collector itself, so that a screen starting one imports neither httpx
nor the sources: 60 ms of the dashboard's start, for code that runs in the child.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

# Seconds to wait before starting a stopped collector again, by how many times in a row
# it has stopped: a crash is retried at once, one that keeps crashing (a config edited
# into a broken one, a full disk) is retried less and less often, never given up on.
RESTART_AFTER = (1.0, 5.0, 30.0, 120.0, 300.0)
# A collector that has run this long has recovered: its next stop counts from one again.
RECOVERED_SECONDS = 300.0
LAST_WORDS_CHARS = 200


@dataclass(frozen=True)
class CollectorStopped:
    """The collector process ended without being told to: how, and what happens next."""

    how: str  # "exit code 2", "killed by SIGKILL"
    in_a_row: int  # stops without a recovered run between them, this one included
    restart_in: float  # seconds
    last_words: str | None  # the last line of its log, which says why more often than not


def ending(returncode: int) -> str:
    """How a process ended, in words: a negative return code is the signal that ended it."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def restart_delay(in_a_row: int) -> float:
    """Seconds to wait before the next start, after `in_a_row` stops in a row (≥ 1)."""
    return RESTART_AFTER[min(in_a_row, len(RESTART_AFTER)) - 1]


def last_words(path: str) -> str | None:
    """A log's last message, shortened: its last non-empty line, and the lines it
    continues (an indented line goes on from the one above: "config.toml: 1 problem",
    then "  • pairs[2].bogus: unknown key"). None if the log has none."""
    try:
        with open(path, "rb") as file:
            file.seek(0, os.SEEK_END)
            file.seek(max(0, file.tell() - 4096))
            tail = file.read().decode("utf-8", "replace")
    except OSError:
        return None
    lines = [line.rstrip() for line in tail.splitlines() if line.strip()]
    message: list[str] = []
    while lines and len(message) < 4:
        line = lines.pop()
        message.insert(0, line.strip())
        if not line[0].isspace():
            break
    if not message:
        return None
    words = " ".join(message)
    return words if len(words) <= LAST_WORDS_CHARS else words[: LAST_WORDS_CHARS - 1] + "…"


def give_way() -> None:
    """Put this process (a dashboard's own collector) behind the dashboard for the CPU.

    Linux's SCHED_IDLE where it is offered: any ordinary process that wakes takes the
    core at once, and on a machine with a core to spare the collector runs at full
    speed. A nice of 10 was not enough on two cores: with two busy processes at nice 10,
    idle keys took a median of 22 ms (p90 29) against 16 ms (p90 23) at SCHED_IDLE, over
    120 keys each. The nice stays, for systems without SCHED_IDLE.

    Both order the collector only among the processes of its own group, though, and
    where Linux groups processes by session (autogroup, on a kernel whose tasks share
    the root cgroup), the collector, started in a session of its own, is alone in its
    group: beside a busy process it took half the core, whatever its policy. So its
    session's group is set to nice 10 as well: it then took 7-10 % of the core, behind
    the dashboard and other work (though once, under the test suite's load, none for
    2 s). Where processes are grouped by cgroup instead, SCHED_IDLE orders it within
    the dashboard's cgroup. Either way a machine busy with other work for minutes on
    end can starve it; the header then says when it last wrote.
    """
    if hasattr(os, "nice"):
        os.nice(10)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        # Before any thread starts: threads take the policy of the one starting them.
        # Refused (a container's seccomp, say), the nice is what is left.
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    # Only in a session of its own (as CollectorProcess starts it): the group is the
    # session's, and a shell's would take its other work down with it. A lower priority
    # is anyone's to take; no such file, no autogroups.
    if hasattr(os, "getsid") and os.getsid(0) == os.getpid():
        with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
            group.write("10")


class CollectorProcess:
    """`tandem collect` as a child process: the one-machine dashboard's collector.

    A process, not a thread, so that parsing and computing never share the
    interpreter lock with the dashboard (a thread made keys as slow during a refresh
    as fetching on the dashboard's own loop: tests/bench/keys.py). It writes the
    same store the dashboard reads, logs beside it, stands by if another `tandem`
    already collects into that store, and stops with the dashboard: told to, or
    within a second of the dashboard dying without a word (a SIGKILL, a crash).

    A dashboard left on a wall for weeks must not quietly stop fetching: `supervise()`,
    called every half second, notices a collector that ended and starts it again after
    `restart_delay` (the flock it held went with it, so the new one takes over at once).
    """

    def __init__(
        self,
        config_path: os.PathLike[str] | str,
        store_path: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        command: list[str] | None = None,
    ) -> None:
        self.log_path = f"{store_path}.collector.log"
        self._monotonic = monotonic
        self._command = command or [
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
        ]
        self.stopped: CollectorStopped | None = None  # while it is down
        self.restarts = 0
        self._in_a_row = 0
        self._restart_at = 0.0
        self._start(log_mode="w")  # each session's log starts afresh

    def _start(self, log_mode: str) -> None:
        with open(self.log_path, log_mode, encoding="utf-8") as log:
            if log_mode == "a" and self.stopped is not None:
                at = datetime.now().astimezone().isoformat(timespec="seconds")
                log.write(
                    f"tandem: the collector stopped ({self.stopped.how}); started again {at}\n"
                )
                log.flush()
            self.process = subprocess.Popen(
                self._command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # Its own session: a key in the dashboard's terminal never signals it.
                start_new_session=True,
            )
        self._started_at = self._monotonic()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def supervise(self) -> CollectorStopped | None:
        """Start the collector again if it has stopped and its wait is over. Returns what
        stopped it the first time this notices a stop, to be said once; None otherwise."""
        now = self._monotonic()
        returncode = self.process.poll()
        if returncode is None:
            if self._in_a_row and now - self._started_at >= RECOVERED_SECONDS:
                self._in_a_row = 0
            return None
        if self.stopped is None:
            self._notice_stop(returncode, now, restart_delay(self._in_a_row + 1))
            return self.stopped
        if now >= self._restart_at:
            self.restart()
        return None

    def restart(self) -> None:
        """Start a stopped collector now, whatever its wait (`r` asks for this)."""
        if self.alive:
            return
        if self.stopped is None:  # ended, not yet noticed: count it as supervise would
            self._notice_stop(self.process.returncode, self._monotonic(), 0.0)
        self._start(log_mode="a")
        self.restarts += 1
        self.stopped = None

    def _notice_stop(self, returncode: int, now: float, delay: float) -> None:
        self._in_a_row += 1
        self._restart_at = now + delay
        # A collector that exits says why last; one killed by a signal never had the
        # chance, and its last line ("pulse ok, …") would read as the reason.
        words = last_words(self.log_path) if returncode >= 0 else None
        self.stopped = CollectorStopped(ending(returncode), self._in_a_row, delay, words)

    def seconds_to_restart(self) -> float:
        return max(0.0, self._restart_at - self._monotonic())

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
