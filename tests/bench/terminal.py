"""Run a program in a real pseudo-terminal and time what it paints."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass

# CSI and OSC sequences, charset selection, keypad modes: what is left is the text.
_ESCAPES = re.compile(
    rb"\x1b\[[0-9;?<>=!]*[ -/]*[@-~]"  # CSI
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|\x1b[()][A-Za-z0-9]|\x1b[=>78]"
)


def screen_text(output: bytes) -> str:
    """The characters a program wrote, escape sequences removed."""
    return _ESCAPES.sub(b"", output).decode("utf-8", errors="replace")


@dataclass
class Painted:
    seconds: float | None  # None: the marker never appeared
    output: bytes


def time_until(
    command: Sequence[str],
    marker: str | re.Pattern[str],
    *,
    env: dict[str, str] | None = None,
    size: tuple[int, int] = (120, 40),
    timeout: float = 20.0,
) -> Painted:
    """Seconds from starting `command` in a terminal of `size` until `marker` is on screen.

    The program is killed once the marker shows (or at the timeout).
    """
    columns, rows = size
    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    environment = {**os.environ, "TERM": "xterm-256color", **(env or {})}
    # As on a user's machine, bytecode is cached after the first run (this
    # workplace sets PYTHONDONTWRITEBYTECODE, which would recompile every start).
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    pattern = re.compile(re.escape(marker)) if isinstance(marker, str) else marker
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=environment,
        start_new_session=True,
        close_fds=True,
    )
    os.close(child_fd)
    output = bytearray()
    seconds = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([main_fd], [], [], 0.02)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(main_fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if pattern.search(screen_text(bytes(output))):
                seconds = time.perf_counter() - started
                break
    finally:
        stop(process)
        os.close(main_fd)
    return Painted(seconds, bytes(output))


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a program and everything it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
