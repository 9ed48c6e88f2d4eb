"""The dashboard screen: header, one row per pair, the source strip and the footer."""

from __future__ import annotations

from datetime import datetime

from textual import constants, events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui.analysis.insights import Insights, segment_name
from tui.app.widgets import (
    DashboardHeader,
    Freshness,
    InsightsPanel,
    PairRow,
    RoomyFigures,
    SourceStrip,
)
from tui.app.widgets.footer import Footer
from tui.config import Config
from tui.views.panels import PairView, SourceLine
from tui.views.read import DashboardData

# Panels side by side from this width; stacked below it.
SIDE_BY_SIDE_MIN_WIDTH = 100
# Rows a bordered panel with big digits needs; the header, the footer (or the kiosk
# strip), the insights panel (roomy only: its rule and InsightsPanel.LINES) and the
# source strip take the rest.
ROOMY_PANEL_ROWS = 7
COMPACT_PANEL_ROWS = 3
# A wall screen's digits are two rows taller (tui.app.widgets.wall_digits); from this width,
# or in kiosk mode, wherever every pair still fits with them.
WALL_PANEL_ROWS = ROOMY_PANEL_ROWS + 2
WALL_MIN_WIDTH = 180
HEADER_AND_FOOTER_ROWS = 2
INSIGHTS_ROWS = 6
# An update shows this many pairs a frame: Textual paints every changed panel in one
# go, and 24 changed panels held the event loop (and a key pressed meanwhile) for
# 60-80 ms on a slow machine; three pairs a frame ripple down a large dashboard in a
# few frames, and a dashboard of up to three pairs updates at once.
PAIRS_PER_FRAME = 3

_PERIOD_NAMES = {"week": "Weekly", "month": "Monthly", "quarter": "Quarterly"}


def period_name(granularity: str) -> str:
    """What the header says of a granularity: Weekly, Monthly, Quarterly."""
    return _PERIOD_NAMES[granularity]


class PairList(VerticalScroll, can_focus=False):
    """The pairs, scrolling when they do not fit. Focus goes to the pairs themselves:
    a focusable container would take it first, and restyle every panel as it did."""


class DashboardScreen(Screen[None]):
    """Built once; every refresh updates its widgets in place."""

    class Ready(Message):
        """The screen's widgets exist: the app can paint and start refreshing."""

    def __init__(self, config: Config, data: DashboardData, kiosk: bool = False) -> None:
        super().__init__()
        # Kiosk: no footer of keys (nobody types at a wall); a strip says when the
        # pages turn and how old the data is. Set before mounting: no restyle.
        self.set_class(kiosk, "-kiosk")
        self.kiosk_strip = Static(id="kiosk-strip")
        self.config = config
        self.data = data
        # The segment whose panels are shown; "" is the whole organisation.
        self.segment = data.segment
        # Kept, not queried: the clock ticks until the app is gone, and a query
        # during teardown would find the widgets already removed.
        self.header = DashboardHeader.of(config)
        self.rows = [PairRow(index, view, classes="pair") for index, view in enumerate(data.pairs)]
        # Rows whose new values wait for the next frame, and whether one is asked for.
        self._unshown: list[tuple[PairRow, PairView]] = []
        self._rows_queued = False
        self.insights = InsightsPanel(id="insights")
        self.sources = SourceStrip(id="sources")

    def compose(self) -> ComposeResult:
        # Layout classes are set before the widgets exist: set later, they would
        # restyle every widget on screen (about 90 ms on the demo).
        self.choose_layout(self.app.size)
        yield self.header
        with PairList(id="pairs"):
            yield from self.rows
        yield self.insights
        yield self.sources
        yield self.kiosk_strip
        yield Footer()

    def on_mount(self) -> None:
        self.show_period(self.config.dashboard.period)
        self.header.show_page(self.segment)
        # The rows show their own first values as they mount.
        self.show_insights(self.data.insights)
        self.post_message(self.Ready())

    def on_resize(self, event: events.Resize) -> None:
        self.choose_layout(event.size)

    def choose_layout(self, size: Size) -> None:
        """Side by side or stacked by width; big digits only where every pair fits, with
        the insights panel and the source strip as they are now."""
        stacked = size.width < SIDE_BY_SIDE_MIN_WIDTH
        panels_per_pair = 2 if stacked else 1
        pairs = len(self.config.pairs)
        chrome = HEADER_AND_FOOTER_ROWS + self.sources.rows_for(size.width)
        roomy = pairs * (1 + ROOMY_PANEL_ROWS * panels_per_pair) + chrome + INSIGHTS_ROWS
        compact = pairs * (1 + COMPACT_PANEL_ROWS * panels_per_pair) + chrome
        wall_rows = pairs * (1 + WALL_PANEL_ROWS) + chrome + INSIGHTS_ROWS
        wall = (
            not stacked
            and (self.has_class("-kiosk") or size.width >= WALL_MIN_WIDTH)
            and wall_rows <= size.height
        )
        self.set_class(stacked, "-stacked")
        self.set_class(roomy > size.height, "-compact")
        if wall != self.has_class("-wall"):
            self.set_class(wall, "-wall")
            # The digits' size is the figures' own: tell each to measure again.
            for figures in self.query(RoomyFigures):
                figures.refresh(layout=True)
        # Compact pairs leave room for the insights panel on a wide, short screen.
        insights = roomy <= size.height or compact + INSIGHTS_ROWS <= size.height
        self.set_class(not insights, "-no-insights")
        # Compact pairs that all fit share the rows left (see tandem.tcss).
        fits = compact + (INSIGHTS_ROWS if insights else 0) <= size.height
        self.set_class(roomy > size.height and fits, "-fill")

    def on_source_strip_rows_changed(self, message: SourceStrip.RowsChanged) -> None:
        # A long error wraps the strip: the pairs may no longer fit with big digits.
        self.choose_layout(self.app.size)

    def show(self, data: DashboardData) -> None:
        self.data = data
        self.segment = data.segment
        self.header.show_page(data.segment)
        # The newest values replace any still waiting for their frame.
        self._unshown = list(zip(self.rows, data.pairs, strict=True))
        self._show_some_rows()
        self.show_insights(data.insights)

    def _show_some_rows(self) -> None:
        shown, self._unshown = self._unshown[:PAIRS_PER_FRAME], self._unshown[PAIRS_PER_FRAME:]
        for row, view in shown:
            row.show(view)
        if self._unshown and not self._rows_queued:
            # A frame's interval later, not at Textual's next idle moment, which often came
            # before its paint: paints took up to 31 changed widgets, now up to 23, and a
            # 24-panel update's longest stall went from 58-75 to 39-48 ms (bench render).
            self._rows_queued = True
            self.set_timer(1 / constants.MAX_FPS, self._show_next_rows)

    def _show_next_rows(self) -> None:
        self._rows_queued = False
        self._show_some_rows()

    def show_every_row_now(self) -> None:
        """Every row's newest values, whatever is still waiting: for a screenshot."""
        unshown, self._unshown = self._unshown, []
        for row, view in unshown:
            row.show(view)

    def show_insights(self, insights: Insights) -> None:
        """Each pair's linkage and warning mark, and the insights panel's sentences."""
        for row in self.rows:
            rows = insights.of_pair(row.index)
            shown = next((r for r in rows if r.segment == self.segment), rows[0])
            warned = [
                segment_name(r.segment)
                for r in rows
                if r.warning and (not self.segment or r.segment == self.segment)
            ]
            row.show_insight(shown.link.short, warned)
        # The whole organisation's links before the segments'.
        links = sorted(
            (link for link in insights.links if link.linked), key=lambda k: bool(k.segment)
        )
        warnings = [w.sentence for w in insights.warnings] + list(insights.balance_warnings)
        self.insights.show(warnings, [k.sentence for k in links])

    def show_period(self, granularity: str) -> None:
        self.header.show_period(period_name(granularity))

    def show_kiosk(self, text: str) -> None:
        self.kiosk_strip.update(text)

    def show_sources(self, lines: list[SourceLine]) -> None:
        self.sources.show(lines)

    def show_updated(self, freshness: Freshness) -> None:
        self.header.show_updated(freshness)

    def show_clock(self, now: datetime) -> None:
        self.header.show_clock(now)
