"""plotext's grouping of braille dots into cells, computed the same way in less time.

A sparkline's figure costs plotext about 2.4 ms here, and a full update of 24 panels
builds 24 of them on the event loop. A third of that is `plotext._utility.hd_group`,
which builds a nested list for every dot and flattens each cell through a recursive
join. `hd_group` below returns exactly what plotext's does (tests/test_widgets.py
compares them on thousands of random inputs, and whole sparklines drawn with each), and
hands anything it does not expect back to plotext's own. plotext still draws every
figure: this is only its slowest step, for the one release it was checked against.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import plotext
import plotext._utility as plotext_utility

# The release whose hd_group this one was checked against: another gets plotext's own.
CHECKED_PLOTEXT = "5.3.2"

HdGroup = Callable[..., tuple[list[Any], list[Any], list[tuple[int, ...]]]]
plotext_hd_group: HdGroup = plotext_utility.hd_group


def hd_group(
    x: Sequence[Any], y: Sequence[Any], xf: Sequence[int], yf: Sequence[int]
) -> tuple[list[Any], list[Any], list[tuple[int, ...]]]:
    """The cells that dots at (x, y) fall in, in the order first reached, and which of
    each cell's xf × yf dots are set (its rows top down), as plotext's hd_group returns.

    Only for what a line of numbers gives: plain numbers, one cell shape. Anything else
    (a gap, a date string, mixed markers) goes to plotext's own.
    """
    if not x or not len(x) == len(y) == len(xf) == len(yf):
        return plotext_hd_group(x, y, xf, yf)
    width, height = xf[0], yf[0]
    if any(f != width for f in xf) or any(f != height for f in yf):
        return plotext_hd_group(x, y, xf, yf)
    cells: dict[tuple[Any, Any], list[int]] = {}
    for dot_x, dot_y in zip(x, y, strict=True):
        if type(dot_x) not in (int, float) or type(dot_y) not in (int, float):
            return plotext_hd_group(x, y, xf, yf)
        if math.isnan(dot_x) or math.isnan(dot_y):
            return plotext_hd_group(x, y, xf, yf)
        cell = (dot_x // width, dot_y // height)
        dots = cells.get(cell)
        if dots is None:
            dots = cells[cell] = [0] * (width * height)
        row = height - 1 - math.floor(dot_y % height)  # plotext counts rows bottom up
        dots[row * width + math.floor(dot_x % width)] = 1
    return (
        [cell[0] for cell in cells],
        [cell[1] for cell in cells],
        [tuple(dots) for dots in cells.values()],
    )


def install() -> bool:
    """Use `hd_group` in plotext, if it is the release it was checked against."""
    if plotext.__version__ != CHECKED_PLOTEXT:
        return False
    plotext_utility.hd_group = hd_group
    return True
