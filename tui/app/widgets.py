"""Small widgets that receive values and render them. None of them fetches or computes metrics."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Digits, Static
from textual_plotext import PlotextPlot

from tui.insights import WHOLE_ORGANISATION
from tui.view import PairView, PanelView, SourceLine, clock_time

_SIDE_COLOURS = {"employee": "cyan+", "customer": "orange+"}


class Sparkline(PlotextPlot):
    """A plotext line of a metric's recent periods, with no axes: the shape is the point."""

    def __init__(self, side: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._colour = _SIDE_COLOURS.get(side, "white")
        self._values: tuple[float | None, ...] = ()
        # No frame, axes or ticks, set once: each update only replaces the data
        # (plotext's clear_figure rebuilt the whole figure, 0.6 ms a sparkline).
        plt = self.plt
        plt.frame(False)
        plt.xaxes(False, False)
        plt.yaxes(False, False)
        plt.xticks([])
        plt.yticks([])

    def show(self, values: tuple[float | None, ...]) -> None:
        if values == self._values:
            return  # unchanged data: no new figure, no repaint
        self._values = values
        plt = self.plt
        plt.clear_data()
        # Periods without a value are gaps, not zeros.
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) >= 2:
            xs, ys = zip(*points, strict=True)
            plt.plot(list(xs), list(ys), marker="braille", color=self._colour)
            plt.xlim(0, max(len(values) - 1, 1))
        self.refresh()


class MetricPanel(Vertical):
    """One metric: its value large, the change, target, n and a sparkline of its history."""

    def __init__(self, side: str, view: PanelView | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.side = side
        self.add_class(f"-{side}")
        self._view = view
        # Kept, not queried: a refresh updates 24 panels of 8 parts each.
        self._headline = Static(classes="headline")
        self._digits = Digits(classes="digits")
        self._change = Static(classes="change")
        self._meta = Static(classes="meta")
        self._period = Static(classes="period")
        self._range = Static(classes="range")
        self._sparkline = Sparkline(side, classes="sparkline")
        # Classes from the view, set before mounting: no restyle for the first frame.
        self._state = _state_classes(view)
        self.add_class(*self._state, update=False)
        self._digits.add_class(*self._state, update=False)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="panel-body"):
            with Vertical(classes="figures"):
                yield self._headline
                yield self._digits
                yield self._change
                yield self._meta
                yield self._period
                yield self._range
            yield self._sparkline

    def on_mount(self) -> None:
        if self._view is not None:
            self.show(self._view)

    _shown: PanelView | None = None

    def show(self, view: PanelView) -> None:
        if view == self._shown:
            return  # an update of another source's panels: nothing to repaint here
        self._shown = view
        self.border_title = view.label
        self.border_subtitle = " · ".join(t for t in (view.period_label, view.stale_text) if t)
        state = _state_classes(view)
        if state != self._state:
            # Only the panel (its border) and its digits (their colour) depend on
            # these classes: restyle those two, not every part of the panel.
            nodes = (self, self._digits)
            for node in nodes:
                node.remove_class(*self._state, update=False)
                node.add_class(*state, update=False)
            self.app.stylesheet.update_nodes(nodes)
            self.refresh()
            self._state = state
        self._headline.update(_headline(view))
        self._digits.update(view.value_text)
        self._change.update(_change(view))
        self._meta.update(_meta(view, self.app.no_color))
        period = Text(view.period_label, style="dim")
        if view.stale_text:
            period.append(f" · {view.stale_text}", style="yellow")
        self._period.update(period)
        self._range.update(Text(view.range_text, style="dim"))
        self._sparkline.show(tuple(point.value for point in view.history))
        self.tooltip = f"{view.label}: {view.value_text} ({view.period_label})"


def _state_classes(view: PanelView | None) -> frozenset[str]:
    """-status-good/warn/bad/none by thresholds, and -stale while the source is failing."""
    if view is None:
        return frozenset({"-status-none"})
    return frozenset({f"-status-{view.status}", *(("-stale",) if view.stale_text else ())})


def _change_style(view: PanelView) -> str:
    if view.improving is None:
        return "dim"
    return "green" if view.improving else "red"


def _headline(view: PanelView) -> Text:
    """The compact layout's first line: label, value and change."""
    text = Text()
    text.append(view.label, style="bold")
    text.append("  ")
    text.append(view.value_text, style=f"bold {_status_style(view.status)}")
    if view.suppressed_text:
        text.append(f"  {view.suppressed_text}", style="dim")
    elif view.change_text:
        text.append("  ")
        text.append(view.change_text, style=_change_style(view))
    return text


def _change(view: PanelView) -> Text:
    if view.suppressed_text:
        # Employee privacy: too few to show, and the panel says so.
        return Text(view.suppressed_text, style="dim")
    text = Text(view.change_text, style=_change_style(view))
    if view.compared_with:
        text.append(f" {view.compared_with}", style="dim")
    return text


def _meta(view: PanelView, no_color: bool = False) -> Text:
    parts = [view.target_text] if view.target_text else []
    if view.current is not None:
        parts.append(f"n {view.n}")
    if no_color and view.status in ("warn", "bad"):
        # With NO_COLOR the border cannot say it: the word does.
        parts.append(view.status.upper())
    return Text(" · ".join(parts), style="dim")


def _status_style(status: str) -> str:
    return {"good": "green", "warn": "yellow", "bad": "red"}.get(status, "")


class CaptionLine(Widget):
    """'eNPS ↔ NPS  Would they recommend us?' on the left, the linkage on the right.

    On a narrow screen the caption gives way first, then the linkage is
    shortened: the line never wraps and never cuts a word off silently.
    """

    _names = ""
    _caption = ""
    _link = ""
    _warned: tuple[str, ...] = ()

    def show_caption(self, names: str, caption: str) -> None:
        if (names, caption) != (self._names, self._caption):
            self._names, self._caption = names, caption
            self.refresh()

    def show_insight(self, link_text: str, warned: list[str]) -> None:
        if (link_text, tuple(warned)) != (self._link, self._warned):
            self._link, self._warned = link_text, tuple(warned)
            self.refresh()

    def _warning(self) -> str:
        if not self._warned:
            return ""
        if list(self._warned) == [WHOLE_ORGANISATION]:
            return "⚠ early warning"
        if len(self._warned) > 2:
            return f"⚠ {len(self._warned)} early warnings"
        return "⚠ " + ", ".join(self._warned)

    def render(self) -> RenderResult:
        width = self.content_size.width
        left = Text(self._names, style="bold")
        warning = self._warning()
        right = Text()
        if warning:
            right.append(warning, style="bold yellow")
            right.append("  ")
        right.append(self._link, style="dim")
        if self._caption and len(left) + 2 + len(self._caption) + 2 + len(right) <= width:
            left.append(f"  {self._caption}", style="dim")
        gap = width - len(left) - len(right)
        if gap < 2:
            # Too narrow for everything: the warning stays whole, the linkage is shortened.
            right.truncate(max(width - len(left) - 2, 0), overflow="ellipsis")
            gap = max(width - len(left) - len(right), 0)
        return Text.assemble(left, " " * gap, right, no_wrap=True, overflow="ellipsis")


class PairRow(Vertical, can_focus=True):
    """A pair's caption over its employee panel and its customer panel; Enter drills down."""

    BINDINGS = [Binding("enter", "select", "Details", tooltip="Open this pair's detail")]

    class Selected(Message):
        """Enter or a click on a pair: show its detail."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, index: int, view: PairView | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.index = index
        # Built with the first values: each panel shows its own once mounted.
        self.caption_line = CaptionLine(classes="caption-line")
        self.employee = MetricPanel("employee", view.employee if view else None, classes="panel")
        self.customer = MetricPanel("customer", view.customer if view else None, classes="panel")
        if view is not None:
            self._show_caption(view)

    def compose(self) -> ComposeResult:
        yield self.caption_line
        with Horizontal(classes="panels"):
            yield self.employee
            yield self.customer

    def _show_caption(self, view: PairView) -> None:
        self.caption_line.show_caption(
            f"{view.employee.label} ↔ {view.customer.label}", view.caption
        )

    def show(self, view: PairView) -> None:
        self._show_caption(view)
        self.employee.show(view.employee)
        self.customer.show(view.customer)

    def show_insight(self, link_text: str, warned: list[str]) -> None:
        """The pair's linkage in a few words, after an early-warning mark naming where."""
        self.caption_line.show_insight(link_text, warned)

    def action_select(self) -> None:
        self.post_message(self.Selected(self.index))

    def on_click(self) -> None:
        self.post_message(self.Selected(self.index))


class InsightsPanel(Widget):
    """Early warnings first, then links found, one sentence each: as many as fit, the rest
    behind `i`. Wrapped to the panel's width, never cut off mid-sentence."""

    LINES = 5
    _warnings: tuple[str, ...] = ()
    _links: tuple[str, ...] = ()

    def show(self, warnings: list[str], links: list[str]) -> None:
        if (tuple(warnings), tuple(links)) == (self._warnings, self._links):
            return
        self._warnings, self._links = tuple(warnings), tuple(links)
        self.refresh()

    def render(self) -> RenderResult:
        marked = [("⚠ ", "bold yellow", s, "") for s in self._warnings]
        marked += [("↗ ", "bold cyan", s, "dim") for s in self._links]
        if not marked:
            return Text("No early warnings, and no link established yet.", style="dim")
        width = max(self.content_size.width, 20)
        shown: list[Text] = []
        used = 0
        for index, (mark, mark_style, sentence, style) in enumerate(marked):
            line = Text()
            line.append(mark, style=mark_style)
            line.append(sentence, style=style)
            height = len(line.wrap(self.app.console, width))
            # Keep a line for "more" unless this is the last sentence.
            room = self.LINES - (0 if index == len(marked) - 1 else 1)
            if used + height > room:
                break
            shown.append(line)
            used += height
        more = len(marked) - len(shown)
        if more:
            shown.append(Text(f"… {more} more: press i for every insight", style="dim italic"))
        return Text("\n").join(shown)


class DashboardHeader(Horizontal):
    """Organisation, a DEMO DATA badge, the period, the last refresh and a clock."""

    def __init__(self, title: str, demo: bool, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._title = title
        self._demo = demo
        self._page = Static(classes="page")
        self._period = Static(classes="period")
        self._updated = Static(classes="updated")
        self._clock = Static(classes="clock")

    def compose(self) -> ComposeResult:
        yield Static(self._title, classes="title")
        yield self._page
        if self._demo:
            yield Static(" DEMO DATA ", classes="demo-badge")
        yield self._period
        yield self._updated
        yield self._clock

    def show_period(self, text: str) -> None:
        self._period.update(text)

    def show_page(self, text: str) -> None:
        """The segment on show ('' for the whole organisation)."""
        self._page.update(text)
        self._page.display = bool(text)

    def show_updated(self, text: str) -> None:
        if str(self._updated.content) != text:
            self._updated.update(text)

    def show_clock(self, now: datetime) -> None:
        text = clock_time(now)
        if str(self._clock.content) != text:
            self._clock.update(text)


_STATE_STYLES = {
    "ok": "green",
    "stale": "yellow",
    "error": "red",
    "waiting": "dim",
    "refreshing": "cyan",
}


class SourceStrip(Static):
    """One entry per source: ok, stale since a time, or its error in one line."""

    _shown: list[SourceLine] | None = None

    def show(self, lines: list[SourceLine]) -> None:
        if lines == self._shown:
            return  # called every second for ages: repaint only on change
        self._shown = lines
        text = Text()
        for index, line in enumerate(lines):
            if index:
                text.append("   ")
            style = _STATE_STYLES.get(line.state, "")
            text.append("● ", style=style)
            text.append(line.source_id, style="bold")
            text.append(f" {line.text}", style=style if line.state != "ok" else "dim")
        self.update(text)
