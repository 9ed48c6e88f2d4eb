"""The benchmarks' own machinery, so that it cannot rot unseen between runs.

No figure is checked against a target here (timings belong in `python -m tests.bench`,
not in tests); these check that the benchmarks still see what they time: the frames a
render update paints, a program's output in a real terminal, the collector and screen
the memory benchmark drives, and the verdict printed beside each figure. The render
benchmark leans on Textual's private `App._display`, which an upgrade could rename.
"""

from __future__ import annotations

import sys

from tests.bench import render
from tests.bench.results import Figure, table
from tests.bench.terminal import time_until
from tui.app.widgets import Sparkline


def test_a_figure_says_whether_it_holds_and_by_how_much() -> None:
    assert Figure("render", 69.3, "ms", 50).cells() == (
        "69.3 ms",
        "≤ 50.0 ms",
        "MISSED by 19.3 ms",
        "",
    )
    assert Figure("start", 0.418, "s", 0.6, "median of 7").cells() == (
        "0.418 s",
        "≤ 0.6 s",
        "holds",
        "median of 7",
    )
    assert Figure("bare", 0.169, "s", None).cells() == ("0.169 s", "", "", "")
    assert table([Figure("start", 0.418, "s", 0.6)]).splitlines() == [
        "| figure | measured | target  | verdict | notes |",
        "| ------ | -------- | ------- | ------- | ----- |",
        "| start  | 0.418 s  | ≤ 0.6 s | holds   |       |",
    ]


def test_the_render_benchmark_times_each_update_to_its_painted_frame() -> None:
    timings = render.measure(updates=1)
    assert len(timings.changed_cpu) == 1 and timings.changed_cpu[0] > 0
    assert timings.frames[0] >= 1  # the update's frame was seen, not just waited for
    width, height = timings.sparkline_size
    assert width > 20 and height == 3  # the compact layout's sparklines


def test_the_blank_sparkline_run_leaves_the_sparkline_as_it_was() -> None:
    build = Sparkline._build
    timings = render.measure(updates=1, blank_sparklines=True)
    assert len(timings.changed_cpu) == 1
    assert Sparkline._build is build


def test_the_plotext_figure_benchmark_builds_with_sparklines_own_code() -> None:
    # It calls Sparkline's private _build: a rename would break it here, not at a run.
    assert render.sparklines_alone(40, 3, runs=1) > 0


def test_the_stock_textual_comparison_paints_its_updates() -> None:
    assert render.stock_median(updates=1) > 0


def test_time_until_sees_what_a_program_writes_in_a_terminal() -> None:
    program = [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(5)"]
    painted = time_until(program, "ready", timeout=10)
    assert painted.seconds is not None and painted.seconds < 10
    never = time_until([sys.executable, "-c", "print('something else')"], "ready", timeout=2)
    assert never.seconds is None
    assert b"something else" in never.output


def test_a_percentile_interpolates_between_the_nearest_ranks() -> None:
    from tests.bench.results import percentile

    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 90) == 4.6  # rank 3.6 of 0..4
    assert percentile([7.0], 90) == 7.0


def test_the_memory_benchmark_drives_a_real_collector_and_a_screen_that_reads_it() -> None:
    from tests.bench import memory

    # Each cycle must reach the screen, or the harness raises rather than wait.
    screen, collector = memory.measure(cycles=3, warm_up=1, backend="sqlite")
    assert screen[0].startswith("memory: a screen that only reads")
    assert collector[0].startswith("memory: `tandem collect`")
    assert "ms a cycle" in screen[2]


def test_a_difference_interval_covers_no_change_and_finds_a_shift() -> None:
    from tests.bench.results import difference_interval, percentile

    def p90(values):  # type: ignore[no-untyped-def]
        return percentile(values, 90)

    idle = [float(v) for v in range(10, 34)]  # 24 keys, 10–33 ms
    low, high = difference_interval(idle, list(idle), p90)
    assert low < 0 < high  # the same sample: no difference it can tell
    low, high = difference_interval(idle, [v + 50 for v in idle], p90)
    assert 40 < low <= 50 <= high < 60  # shifted by 50 ms: found, and no wider than the noise
