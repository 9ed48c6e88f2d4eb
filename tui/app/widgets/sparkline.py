"""A metric's history as a plotext line, drawn once per change of values or size."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual_plotext import PlotextPlot

from tui.app.widgets import braille

# plotext's output is plain braille with a reset code at each line's end (the theme
# "clear" draws no canvas and the line is in the default colour); this strips what is left.
_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")
_RUNS = re.compile(r" +|[^ ]+")

# plotext's slowest step, grouping braille dots into cells, done in a third of the time.
braille.install()

# Building a figure takes plotext 1.5–2 ms, and a refresh of 24 panels asks for 24 of
# them. They are built for at most this long in one turn of the event loop, and each
# shown as soon as it is built: a key pressed meanwhile waits for a few figures, not
# for all of them.
BUILD_BUDGET_SECONDS = 0.008


class _FigureBuilder:
    """Builds sparklines' figures a few per turn of the event loop.

    A sparkline whose values change asks to be built (`want`); a callback builds the
    waiting ones until the budget is spent, shows them, and queues itself again if
    any are left, so anything else ready (a key) runs in between. Until its turn a
    sparkline paints the figure it had. A paint that finds a figure out of date for
    another reason (a new size) builds it within the same budget, which is spent per
    turn: paints are synchronous, and all they build is one stall.
    """

    def __init__(self) -> None:
        self.spent = 0.0  # seconds spent building this turn, on this many figures
        self.built = 0
        self._turn_of: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[Sparkline, None] = {}  # in the order asked, once each
        self._building_on: asyncio.AbstractEventLoop | None = None  # a build is queued there
        # A screenshot is one whole picture: every figure built for it, whatever it costs.
        self.unlimited = False

    def allows(self) -> bool:
        """Whether this turn may build another figure (always its first one)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # painted outside an app (a test's direct call): no stall
            return True
        if loop is not self._turn_of:  # the first build this turn (or on a new loop)
            self.spent, self.built = 0.0, 0
            self._turn_of = loop
            loop.call_soon(self._end_turn)  # runs once this turn's callback is over
        # One figure a turn however long it takes, then more while the budget lasts.
        return self.unlimited or self.built == 0 or self.spent < BUILD_BUDGET_SECONDS

    def _end_turn(self) -> None:
        self._turn_of = None

    def build(self, sparkline: Sparkline, width: int, height: int) -> None:
        started = time.perf_counter()
        sparkline._rebuild(width, height)
        self.spent += time.perf_counter() - started
        self.built += 1

    def is_waiting(self, sparkline: Sparkline) -> bool:
        """Whether `sparkline` has a turn coming (a screenshot builds it anyway)."""
        return not self.unlimited and sparkline in self._waiting

    def want(self, sparkline: Sparkline) -> None:
        self._waiting[sparkline] = None
        loop = asyncio.get_running_loop()
        if self._building_on is not loop:  # none queued, or on a loop that has ended
            self._building_on = loop
            loop.call_soon(self._build_waiting)

    def _build_waiting(self) -> None:
        while self._waiting and self.allows():
            sparkline = next(iter(self._waiting))
            del self._waiting[sparkline]
            if sparkline.is_attached:
                width, height = sparkline.size
                if not sparkline.is_current(width, height):
                    self.build(sparkline, width, height)
                sparkline.refresh()
        if self._waiting:
            asyncio.get_running_loop().call_soon(self._build_waiting)
        else:
            self._building_on = None


_builder = _FigureBuilder()


@contextmanager
def every_figure_now() -> Iterator[None]:
    """Within this, every sparkline builds its figure when painted: for a screenshot."""
    _builder.unlimited = True
    try:
        yield
    finally:
        _builder.unlimited = False


class Sparkline(PlotextPlot):
    """A plotext line of a metric's recent periods, with no axes: the shape is the point.

    plotext draws the braille; the widget paints it in one style (its CSS colour on the
    panel's background) through the line API. Turning plotext's colour codes into Text
    cost more than building the figure, and the figure is built only when the values or
    the size change, never on a repaint.
    """

    def __init__(self, side: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.add_class(f"-{side}")
        self._values: tuple[float | None, ...] = ()
        self._lines: list[str] = []
        self._lines_key: tuple[tuple[float | None, ...], int, int] | None = None
        # No frame, axes, ticks or canvas colours, set once: each update only replaces
        # the data (plotext's clear_figure rebuilt the whole figure, 0.6 ms a sparkline).
        plt = self.plt
        plt.frame(False)
        plt.xaxes(False, False)
        plt.yaxes(False, False)
        plt.xticks([])
        plt.yticks([])
        plt.theme("clear")

    def _register_theme(self, app_theme_name: str) -> None:
        """The figure has no theme of its own: nothing to register."""

    def show(self, values: tuple[float | None, ...]) -> None:
        if values == self._values:
            return  # unchanged data: no new figure, no repaint
        self._values = values
        if self.is_attached:
            _builder.want(self)  # built and repainted in a turn of its own
        else:
            self.refresh()

    def is_current(self, width: int, height: int) -> bool:
        return self._lines_key == (self._values, width, height)

    def _rebuild(self, width: int, height: int) -> None:
        self._lines_key = (self._values, width, height)
        self._lines = self._build(width, height)

    def _figure_lines(self, width: int, height: int) -> list[str]:
        if not self.is_current(width, height) and not _builder.is_waiting(self):
            if _builder.allows():
                _builder.build(self, width, height)
            else:
                # This turn has built enough: the figure as it was until its own turn.
                _builder.want(self)
        return self._lines

    def _build(self, width: int, height: int) -> list[str]:
        # Periods without a value are gaps, not zeros.
        points = [(i, v) for i, v in enumerate(self._values) if v is not None]
        if len(points) < 2 or width < 1 or height < 1:
            return []
        plt = self.plt
        plt.clear_data()
        xs, ys = zip(*points, strict=True)
        plt.plot(list(xs), list(ys), marker="braille", color="default")
        plt.xlim(0, max(len(self._values) - 1, 1))
        plt.plotsize(width, height)
        plt._set_size(width, height)  # as PlotextPlot.render does: plotsize alone lags a resize
        return _ANSI_CODE.sub("", plt.build()).splitlines()

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        style = self.visual_style.rich_style
        lines = self._figure_lines(width, height)
        if y >= len(lines):
            return Strip.blank(width, style)
        # Runs of dots and runs of blanks in two styles, as plotext's colour codes made
        # them: Textual joins neighbours of one style, and an SVG screenshot places each
        # segment at its cell, where a long run drifts (a braille glyph is not always a
        # cell wide in the viewer's font).
        blank = Style(bgcolor=style.bgcolor)
        segments = [
            Segment(run, blank if run[0] == " " else style) for run in _RUNS.findall(lines[y])
        ]
        return Strip(segments).adjust_cell_length(width, blank)
