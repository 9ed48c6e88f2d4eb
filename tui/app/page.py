"""A page over the dashboard — the insights, the balance — with the dashboard's header.

Each page names itself in the header, scrolls its body, and on a wall screen shows
the kiosk strip (pages turning, the data's age) instead of keys nobody types. The
app keeps the header's clock and age and the strip up to date on whichever page is
on top, and a kiosk turns through a long page a screenful at a time.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.app.widgets import DashboardHeader
from tui.app.widgets.footer import Footer
from tui.config import Config


class PageScreen(Screen[None]):
    """A page: the header, a scrolling body (`compose_body`), the kiosk strip, the footer."""

    # The page's name in the header, and its scrolling body's id.
    PAGE = ""
    BODY_ID = ""

    def __init__(self, config: Config, kiosk: bool = False) -> None:
        super().__init__()
        self.config = config
        self.set_class(kiosk, "-kiosk")
        self.header = DashboardHeader.of(config)
        self.kiosk_strip = Static(id="kiosk-strip")

    def compose(self) -> ComposeResult:
        yield self.header
        with VerticalScroll(id=self.BODY_ID):
            yield from self.compose_body()
        yield self.kiosk_strip
        yield Footer()

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def on_mount(self) -> None:
        # Textual calls each class's on_mount: a page's own runs as well as this one.
        self.header.show_page(self.PAGE)

    def show_kiosk(self, text: str) -> None:
        self.kiosk_strip.update(text)

    def scroll_a_screen(self) -> bool:
        """Scroll the body down a screenful, if there is more below: a kiosk turns
        through a long page before its next one. False at the end."""
        body = self.query_one(f"#{self.BODY_ID}", VerticalScroll)
        if body.scroll_y >= body.max_scroll_y:
            return False
        body.scroll_page_down(animate=False)
        return True

    def action_back(self) -> None:
        self.dismiss()
