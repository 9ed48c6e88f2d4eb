"""A metric's history as a plotext line, drawn once per change of values or size."""

from __future__ import annotations

import re

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual_plotext import PlotextPlot

# plotext's output is plain braille with a reset code at each line's end (the theme
# "clear" draws no canvas and the line is in the default colour); this strips what is left.
_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")
_RUNS = re.compile(r" +|[^ ]+")


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
        self.refresh()

    def _figure_lines(self, width: int, height: int) -> list[str]:
        key = (self._values, width, height)
        if key != self._lines_key:
            self._lines_key = key
            self._lines = self._build(width, height)
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
