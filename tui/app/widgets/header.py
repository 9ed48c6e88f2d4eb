"""The header every page shows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tui.views.panels import clock_time

if TYPE_CHECKING:
    from tui.config import Config


# Cells the title keeps however long the status ("Tandem …"); its CSS min-width.
TITLE_KEEPS = 8


class Freshness(NamedTuple):
    """How old the data is and why: in full, with a `detail` the edge may cut (the last
    error), short for a header with too little room for `text` itself, the age kept
    ("collector stopped, wrote 45 min ago", where 80 columns cut the full text, which
    names the host, before its age), and `tiny` for a page's header, whose name leaves
    less ("stopped, 45 min ago"; the short form, if not given)."""

    text: str
    short: str
    detail: str = ""
    tiny: str = ""

    @property
    def full(self) -> str:
        return self.text + self.detail

    def fitting(self, room: int) -> str:
        """The longest form that fits `room` cells: the full text with its detail cut
        (that cut costs the ellipsis a cell), else the text, short or tiny form whole,
        else the tiny one, to be cut."""
        if cell_len(self.full) <= room or cell_len(self.text) < room:
            return self.full
        for form in (self.text, self.short, self.tiny):
            if form and cell_len(form) <= room:
                return form
        return self.tiny or self.short


class DashboardHeader(Horizontal):
    """Organisation, a DEMO DATA badge, the period, the last refresh and a clock.

    The status (the last refresh, the collector, the store) gives way first: it has
    what the others leave, in short where the full text does not fit, and ends in an
    ellipsis where even that is too much. A stopped collector's status with its error,
    at 80 columns, pushed the clock off the line, and then lost its age to the ellipsis.
    """

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
        self._page = Static(classes="page")
        self._period = Static(classes="period")
        self._updated = Static(classes="updated")
        self._clock = Static(classes="clock")
        self._badge = Static(" DEMO DATA ", classes="demo-badge") if demo else None
        self._status_room = -1
        self._freshness = Freshness("", "")

    def compose(self) -> ComposeResult:
        yield Static(self._title, classes="title")
        yield self._page
        if self._badge is not None:
            yield self._badge
        yield self._period
        yield self._updated
        yield self._clock

    def on_resize(self) -> None:
        self._fit_status()

    def _fit_status(self) -> None:
        """Give the status what the header's other parts leave of its width."""
        width = self.size.width
        if not width:
            return  # not laid out yet: its first resize fits it
        taken = TITLE_KEEPS
        for part in (self._page, self._badge, self._period, self._clock):
            if part is not None and part.display:
                gaps = part.styles.padding.width + part.styles.margin.width
                taken += cell_len(str(part.content)) + gaps
        room = max(width - taken, 0)
        if room != self._status_room:  # a layout only when it changes
            self._status_room = room
            self._updated.styles.max_width = room
        self._show_freshness()

    def _show_freshness(self) -> None:
        freshness = self._freshness
        text = freshness.full
        if self._status_room >= 0:
            # The room is the status's whole width: its own padding takes some of it.
            text = freshness.fitting(self._status_room - self._updated.styles.gutter.width)
        if str(self._updated.content) != text:
            self._updated.update(text)

    def show_period(self, text: str) -> None:
        self._period.update(text)
        self._fit_status()

    def show_page(self, text: str) -> None:
        """The segment on show ('' for the whole organisation)."""
        if str(self._page.content) == text and self._page.display == bool(text):
            return  # every refresh passes it: a layout only when it changes
        self._page.update(text)
        self._page.display = bool(text)
        self._fit_status()

    def show_updated(self, freshness: Freshness) -> None:
        self._freshness = freshness
        self._show_freshness()

    def show_clock(self, now: datetime) -> None:
        text = clock_time(now)
        if str(self._clock.content) != text:
            self._clock.update(text)
            self._fit_status()  # once a minute; a layout only at the first
