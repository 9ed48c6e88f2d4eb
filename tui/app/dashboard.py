"""The dashboard screen: header, one row per pair, the source strip and the footer."""

from __future__ import annotations

from datetime import datetime

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer

from tui.app.widgets import DashboardHeader, PairRow, SourceStrip
from tui.config import Config
from tui.view import PairView, SourceLine

# Panels side by side from this width; stacked below it.
SIDE_BY_SIDE_MIN_WIDTH = 100
# Rows a bordered panel with big digits needs; header, source strip and footer take the rest.
ROOMY_PANEL_ROWS = 7
CHROME_ROWS = 3

_PERIOD_NAMES = {"week": "Weekly", "month": "Monthly", "quarter": "Quarterly"}


class DashboardScreen(Screen[None]):
    """Built once; every refresh updates its widgets in place."""

    class Ready(Message):
        """The screen's widgets exist: the app can paint and start refreshing."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config

    def compose(self) -> ComposeResult:
        dashboard = self.config.dashboard
        heading = dashboard.title
        if dashboard.organisation:
            heading = f"{heading} · {dashboard.organisation}"
        yield DashboardHeader(heading, dashboard.demo, id="header")
        with VerticalScroll(id="pairs"):
            for index in range(len(self.config.pairs)):
                yield PairRow(index, classes="pair")
        yield SourceStrip(id="sources")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DashboardHeader).show_period(_PERIOD_NAMES[self.config.dashboard.period])
        self.choose_layout(self.app.size)
        self.post_message(self.Ready())

    def on_resize(self, event: events.Resize) -> None:
        self.choose_layout(event.size)

    def choose_layout(self, size: Size) -> None:
        """Side by side or stacked by width; big digits only where every pair fits."""
        stacked = size.width < SIDE_BY_SIDE_MIN_WIDTH
        panels_per_pair = 2 if stacked else 1
        roomy_rows = len(self.config.pairs) * (1 + ROOMY_PANEL_ROWS * panels_per_pair)
        self.set_class(stacked, "-stacked")
        self.set_class(roomy_rows + CHROME_ROWS > size.height, "-compact")

    def show_pairs(self, views: list[PairView]) -> None:
        for row, view in zip(self.query(PairRow), views, strict=True):
            row.show(view)

    def show_sources(self, lines: list[SourceLine]) -> None:
        self.query_one(SourceStrip).show(lines)

    def show_updated(self, text: str) -> None:
        self.query_one(DashboardHeader).show_updated(text)

    def show_clock(self, now: datetime) -> None:
        self.query_one(DashboardHeader).show_clock(now)
