"""Small widgets that receive values and render them. None of them fetches or computes metrics."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Digits, Static
from textual_plotext import PlotextPlot

from tui.view import PairView, PanelView, SourceLine, clock_time

_SIDE_COLOURS = {"employee": "cyan+", "customer": "orange+"}


class Sparkline(PlotextPlot):
    """A plotext line of a metric's recent periods, with no axes: the shape is the point."""

    def __init__(self, side: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._colour = _SIDE_COLOURS.get(side, "white")
        self._values: tuple[float | None, ...] = ()

    def show(self, values: tuple[float | None, ...]) -> None:
        if values == self._values:
            return  # unchanged data: no new figure, no repaint
        self._values = values
        plt = self.plt
        plt.clear_figure()
        plt.frame(False)
        plt.xaxes(False, False)
        plt.yaxes(False, False)
        plt.xticks([])
        plt.yticks([])
        # Periods without a value are gaps, not zeros.
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) >= 2:
            xs, ys = zip(*points, strict=True)
            plt.plot(list(xs), list(ys), marker="braille", color=self._colour)
            plt.xlim(0, max(len(values) - 1, 1))
        self.refresh()


class MetricPanel(Vertical):
    """One metric: its value large, the change, target, n and a sparkline of its history."""

    status: reactive[str] = reactive("none")

    def __init__(self, side: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.side = side
        self.add_class(f"-{side}")

    def compose(self) -> ComposeResult:
        with Horizontal(classes="panel-body"):
            with Vertical(classes="figures"):
                yield Static(classes="headline")
                yield Digits(classes="digits")
                yield Static(classes="change")
                yield Static(classes="meta")
                yield Static(classes="period")
                yield Static(classes="range")
            yield Sparkline(self.side, classes="sparkline")

    def watch_status(self, old: str, new: str) -> None:
        self.remove_class(f"-status-{old}")
        self.add_class(f"-status-{new}")

    _shown: PanelView | None = None

    def show(self, view: PanelView) -> None:
        if view == self._shown:
            return  # an update of another source's panels: nothing to repaint here
        self._shown = view
        self.border_title = view.label
        self.border_subtitle = " · ".join(t for t in (view.period_label, view.stale_text) if t)
        self.set_class(bool(view.stale_text), "-stale")
        self.status = view.status
        self.query_one(".headline", Static).update(_headline(view))
        self.query_one(".digits", Digits).update(view.value_text)
        self.query_one(".change", Static).update(_change(view))
        self.query_one(".meta", Static).update(_meta(view))
        period = Text(view.period_label, style="dim")
        if view.stale_text:
            period.append(f" · {view.stale_text}", style="yellow")
        self.query_one(".period", Static).update(period)
        self.query_one(".range", Static).update(Text(view.range_text, style="dim"))
        self.query_one(Sparkline).show(tuple(point.value for point in view.history))
        self.tooltip = f"{view.label}: {view.value_text} ({view.period_label})"


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


def _meta(view: PanelView) -> Text:
    parts = [view.target_text] if view.target_text else []
    if view.current is not None:
        parts.append(f"n {view.n}")
    return Text(" · ".join(parts), style="dim")


def _status_style(status: str) -> str:
    return {"good": "green", "warn": "yellow", "bad": "red"}.get(status, "")


class PairRow(Vertical):
    """A pair's caption over its employee panel and its customer panel."""

    def __init__(self, index: int, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.index = index

    def compose(self) -> ComposeResult:
        yield Static(classes="caption")
        with Horizontal(classes="panels"):
            yield MetricPanel("employee", classes="panel")
            yield MetricPanel("customer", classes="panel")

    def show(self, view: PairView) -> None:
        caption = Text()
        caption.append(f"{view.employee.label} ↔ {view.customer.label}", style="bold")
        if view.caption:
            caption.append(f"  {view.caption}", style="dim")
        self.query_one(".caption", Static).update(caption)
        employee, customer = self.query(MetricPanel)
        employee.show(view.employee)
        customer.show(view.customer)


class DashboardHeader(Horizontal):
    """Organisation, a DEMO DATA badge, the period, the last refresh and a clock."""

    def __init__(self, title: str, demo: bool, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._title = title
        self._demo = demo

    def compose(self) -> ComposeResult:
        yield Static(self._title, classes="title")
        if self._demo:
            yield Static(" DEMO DATA ", classes="demo-badge")
        yield Static(classes="period")
        yield Static(classes="updated")
        yield Static(classes="clock")

    def show_period(self, text: str) -> None:
        self.query_one(".period", Static).update(text)

    def show_updated(self, text: str) -> None:
        updated = self.query_one(".updated", Static)
        if str(updated.content) != text:
            updated.update(text)

    def show_clock(self, now: datetime) -> None:
        clock = self.query_one(".clock", Static)
        text = clock_time(now)
        if str(clock.content) != text:
            clock.update(text)


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
