"""`tandem` and `python -m tui`: the command line, started with the cycle collector off.

Starting builds about 100,000 objects that live as long as the process (modules,
pydantic's model classes, Textual's stylesheet and widgets) and about 1 MB of
garbage. Collecting while they are built walks them again and again: 75–100 ms of a
one-second start here; with the collector off the first frame comes 67 ms sooner. The
command line turns it back on as soon as it knows the command; the dashboard, once
its first frame is painted (`tui.memory.collect_after_start`).
"""

from __future__ import annotations

import gc
import sys


def run() -> int:
    gc.disable()
    try:
        from tui.cli import main

        return main()
    except KeyboardInterrupt:
        # Ctrl-C while starting (a slow machine's imports) or while a one-off command
        # fetches: one line and the shell's exit status for it, never a traceback.
        print("tandem: stopped", file=sys.stderr)
        return 130
    finally:
        gc.enable()


if __name__ == "__main__":
    raise SystemExit(run())
