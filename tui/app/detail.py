"""The drill-down: one pair's two series on one time axis, r by lag, and the counts behind them."""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from tui.analysis.insights import hidden_words, segment_name
from tui.app.colours import LINK_BOLD, WARN_BOLD, rgb
from tui.app.widgets.footer import Footer
from tui.metrics.display import format_value
from tui.views.detail import PairDetail

Shown = TypeVar("Shown")


def short_label(label: str) -> str:
    """'Jun 2026' as 'Jun 26', 'W05 2026' as 'W05 26': axis ticks are narrow."""
    head, _, year = label.rpartition(" ")
    return f"{head} {year[-2:]}" if head else label


class DetailPlot(PlotextPlot, Generic[Shown]):
    """A plotext figure of what a drill-down shows, rebuilt only when that changes."""

    _shown: tuple[Shown, str] | None = None

    def show(self, detail: Shown) -> None:
        # The lines take the theme's colours: a new theme draws them again.
        if (detail, self.app.theme) == self._shown:
            return  # a plotext figure is costly to rebuild: only for new data
        self._shown = (detail, self.app.theme)
        self.plt.clear_figure()
        self.draw(detail)
        self.refresh()

    def draw(self, detail: Shown) -> None:
        raise NotImplementedError


class PairChart(DetailPlot[PairDetail]):
    """Both series on one time axis: employee metric on the left y-axis, customer on the right."""

    def draw(self, detail: PairDetail) -> None:
        plt = self.plt
        points = detail.points
        ticks = [float(i) for i in range(len(points))]
        step = max(1, len(points) // 8)
        plt.xticks(
            ticks[::-step][::-1], [short_label(p.period.label) for p in points][::-step][::-1]
        )
        colours = self.app.theme_variables
        for side, colour, values in (
            ("left", rgb(colours["tandem-employee"]), [p.employee for p in points]),
            ("right", rgb(colours["tandem-customer"]), [p.customer for p in points]),
        ):
            xy = [(i, v) for i, v in enumerate(values) if v is not None]
            metric = detail.employee if side == "left" else detail.customer
            if xy:
                xs, ys = zip(*xy, strict=True)
                plt.plot(
                    list(xs),
                    list(ys),
                    yside=side,
                    color=colour,
                    marker="braille",
                    label=f"{metric.label} ({side} axis)",
                )
        # plotext takes yside here; textual-plotext's type stub leaves it out.
        plt.ylabel(f"{detail.employee.label} {detail.employee.unit}".strip(), yside="left")  # type: ignore[call-arg]
        plt.ylabel(f"{detail.customer.label} {detail.customer.unit}".strip(), yside="right")  # type: ignore[call-arg]
        plt.xlim(0, max(len(points) - 1, 1))
        by = points[-1].period.granularity
        plt.title(f"{detail.employee.label} and {detail.customer.label}, by {by}")


# A lag's number, a bar each side of 0 and its r: narrower, the bars say little.
LAG_BARS_MIN_WIDTH = 30


class LagBars(Widget):
    """Pearson's r between the two series at each lag the linkage tried: one row a lag.

    Text, not a plotext figure: at 80×24 plotext had eight rows for seven bars and
    dropped one, and drew a bar of r +0.06 on the negative side. Here every lag has
    its row, a bar lies on the side of its sign with its r printed beside it, and a
    lag with too few overlapping periods to count says so instead of showing an r.
    """

    _shown: PairDetail | None = None

    def show(self, detail: PairDetail) -> None:
        if detail != self._shown:
            self._shown = detail
            self.refresh()

    def render(self) -> RenderResult:
        detail = self._shown
        text = Text()
        if detail is None:
            return text
        link = detail.link
        text.append(f"r by lag: {link.granularity}s {detail.employee.label} leads\n", "bold")
        result = link.result
        if result is None or not any(lc.r is not None for lc in result.by_lag):
            text.append("no r to show yet", style="dim")
            return text
        best = result.best.lag if result.linked and result.best else None
        # "  2 " + bar + "│" + bar + " +0.88 ◀": the bars take what the numbers leave.
        half = max(3, (self.size.width - 16) // 2)
        highlight = Style(color=self.app.theme_variables.get("tandem-focus"), bold=True)
        for lc in result.by_lag:
            text.append(f"{lc.lag:>3} ")
            if lc.r is None or lc.overlap < detail.min_overlap:
                text.append(" " * half + "┊" + " " * half, style="dim")
                text.append(f" too few ({lc.overlap})\n", style="dim")
                continue
            cells = min(half, round(abs(lc.r) * half))
            style = highlight if lc.lag == best else Style(dim=True)
            left = " " * half if lc.r >= 0 else " " * (half - cells) + "█" * cells
            right = "█" * cells + " " * (half - cells) if lc.r >= 0 else " " * half
            text.append(left, style=style)
            text.append("│")
            text.append(right, style=style)
            text.append(f" {lc.r:+.2f}", style=style)
            text.append(" ◀\n" if lc.lag == best else "\n", style=style)
        text.append(" " * 4 + "-1".ljust(half) + "0" + "+1".rjust(half), style="dim")
        return text


class DetailScreen(Screen[None]):
    """A pair in one segment; [ and ] step through segments, Escape returns."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back", tooltip="Return to the dashboard"),
        Binding(
            "left_square_bracket",
            "segment(-1)",
            "Prev segment",
            key_display="[",
            id="previous-segment",
            tooltip="The same pair for the segment before",
        ),
        Binding(
            "right_square_bracket",
            "segment(1)",
            "Next segment",
            key_display="]",
            id="next-segment",
            tooltip="The same pair for the next segment",
        ),
    ]

    class SegmentRequested(Message):
        """The viewer stepped to another segment of the same pair."""

        def __init__(self, pair_index: int, segment: str) -> None:
            super().__init__()
            self.pair_index = pair_index
            self.segment = segment

    def __init__(self, detail: PairDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-summary")
        yield PairChart(id="detail-chart")
        with Horizontal(id="detail-lower"):
            yield LagBars(id="detail-lags")
            with Vertical(id="detail-counts-box"):
                yield DataTable(id="detail-counts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.detail)
        # The chart's lines are drawn in the theme's colours: a new theme redraws them.
        self.app.theme_changed_signal.subscribe(self, lambda _: self.show(self.detail))

    def on_resize(self) -> None:
        self._fit_counts()

    def _fit_counts(self) -> None:
        """Leave out the r-by-lag bars where the counts would leave them too little
        room: the counts are never cut (a table scrolled sideways shows 320 as "32", a
        different number), and the summary above still names the strongest lag."""
        table = self.query_one("#detail-counts", DataTable)
        needed = table.virtual_size.width + table.styles.scrollbar_size_vertical
        self.set_class(self.size.width - needed < LAG_BARS_MIN_WIDTH, "-cramped")

    @property
    def pair_index(self) -> int:
        return self.detail.pair_index

    @property
    def segment(self) -> str:
        return self.detail.segment

    def show(self, detail: PairDetail) -> None:
        self.detail = detail
        employee, customer = detail.employee, detail.customer
        title = Text()
        title.append(f"{employee.label} ↔ {customer.label}", style="bold")
        title.append(f"  {segment_name(detail.segment)}", style=LINK_BOLD)
        if detail.caption:
            title.append(f"  {detail.caption}", style="dim")
        if len(detail.segments) > 1:
            position = detail.segments.index(detail.segment) + 1
            title.append(f"   segment {position} of {len(detail.segments)}", style="dim")
        self.query_one("#detail-title", Static).update(title)
        summary = Text(detail.link.sentence)
        if detail.warning is not None:
            summary.append("\n⚠ ", style=WARN_BOLD)
            summary.append(detail.warning.sentence)
        self.query_one("#detail-summary", Static).update(summary)
        self.query_one(PairChart).show(detail)
        self.query_one(LagBars).show(detail)
        self._show_counts(detail)
        # The table measures its columns when it is next idle.
        self.call_after_refresh(self._fit_counts)

    def _show_counts(self, detail: PairDetail) -> None:
        table = self.query_one("#detail-counts", DataTable)
        table.clear(columns=True)
        employee, customer = detail.employee, detail.customer
        table.add_columns("Period", employee.label, "n", customer.label, "n")
        for point in reversed(detail.points):
            label = point.period.label + (" (to date)" if point.in_progress else "")
            if point.employee_hidden:
                e_value = Text(hidden_words(point.employee_hidden, short=True), style="dim")
                e_n = Text("—", style="dim")
            else:
                e_value = Text(format_value(point.employee, employee), justify="right")
                e_n = Text(str(point.employee_n) if point.employee_n else "—", justify="right")
            c_value = Text(format_value(point.customer, customer), justify="right")
            c_n = Text(str(point.customer_n) if point.customer_n else "—", justify="right")
            table.add_row(label, e_value, e_n, c_value, c_n)

    def action_back(self) -> None:
        self.dismiss()

    def action_segment(self, step: int) -> None:
        segments = self.detail.segments
        if len(segments) < 2:
            return
        index = (segments.index(self.detail.segment) + step) % len(segments)
        self.post_message(self.SegmentRequested(self.detail.pair_index, segments[index]))
