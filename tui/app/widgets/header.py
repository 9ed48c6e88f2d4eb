"""The header every page shows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tui.views.panels import clock_time

if TYPE_CHECKING:
    from tui.config import Config


class DashboardHeader(Horizontal):
    """Organisation, a DEMO DATA badge, the period, the last refresh and a clock."""

    @classmethod
    def of(cls, config: Config) -> DashboardHeader:
        """The header every page shows: the title and organisation, and the badge."""
        heading = config.dashboard.title
        if config.dashboard.organisation:
            heading = f"{heading} · {config.dashboard.organisation}"
        return cls(heading, config.dashboard.demo, id="header")

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
        if str(self._page.content) == text and self._page.display == bool(text):
            return  # every refresh passes it: a layout only when it changes
        self._page.update(text)
        self._page.display = bool(text)

    def show_updated(self, text: str) -> None:
        if str(self._updated.content) != text:
            self._updated.update(text)

    def show_clock(self, now: datetime) -> None:
        text = clock_time(now)
        if str(self._clock.content) != text:
            self._clock.update(text)
