"""The suite's workers (tests/workers.py): the terminal's size is not theirs, and a test
marked `alone` runs while no other does, while the others still run side by side."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TESTS = textwrap.dedent(
    """
    import os
    import time
    from pathlib import Path

    import pytest

    def test_no_size_of_its_own():
        # A pseudo-terminal's `tandem` would take these over the terminal's own size.
        assert "COLUMNS" not in os.environ and "LINES" not in os.environ

    def note(name):
        started = time.monotonic()
        time.sleep(0.6)
        Path(__file__).with_name(name + ".span").write_text(f"{started} {time.monotonic()}")

    @pytest.mark.alone
    def test_alone():
        note("alone")

    @pytest.mark.parametrize("n", range(6))
    def test_side_by_side(n):
        note(f"side-{n}")
    """
)


def test_workers_have_no_terminal_size_and_an_alone_test_overlaps_no_other(tmp_path):
    (tmp_path / "test_spans.py").write_text(TESTS)
    # Only the plugins this needs: the others import Textual in every worker.
    plugins = ["-p", "xdist", "-p", "tests.workers", "-p", "no:cacheprovider"]
    options = ["-q", *plugins, "-n", "3", "--dist", "worksteal"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *options, str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    spans = {
        path.stem: tuple(map(float, path.read_text().split())) for path in tmp_path.glob("*.span")
    }
    assert len(spans) == 7
    alone_start, alone_end = spans.pop("alone")
    overlapping = [
        name for name, (start, end) in spans.items() if start < alone_end and alone_start < end
    ]
    assert overlapping == []
    # Without the mark, tests share the time: the lock did not put them in a row.
    sides = sorted(spans.values())
    assert any(later[0] < earlier[1] for earlier, later in itertools.pairwise(sides))
