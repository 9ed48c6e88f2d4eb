"""The insights screen: every early warning and every linkage, in sentences."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.app.colours import LINK_BOLD, WARN_BOLD
from tui.app.widgets import DashboardHeader
from tui.config import Config
from tui.insights import Insights, method_note, warnings_note


class InsightsScreen(Screen[None]):
    """Warnings first, then each pair's linkage: the whole organisation, then each segment."""

    BINDINGS = [Binding("escape,i", "back", "Back", id="back", tooltip="Return to the dashboard")]

    def __init__(self, config: Config, insights: Insights, kiosk: bool = False) -> None:
        super().__init__()
        self.config = config
        self.insights = insights
        # As on the dashboard: the header says whose numbers and which page; a kiosk
        # shows its strip (pages turning, data age) instead of keys nobody types.
        self.set_class(kiosk, "-kiosk")
        self.header = DashboardHeader.of(config)
        self.kiosk_strip = Static(id="kiosk-strip")

    def compose(self) -> ComposeResult:
        yield self.header
        with VerticalScroll(id="insights-body"):
            yield Static(id="insights-text")
        yield self.kiosk_strip
        yield Footer()

    def on_mount(self) -> None:
        self.header.show_page("Insights")
        self.show(self.insights)

    def show_kiosk(self, text: str) -> None:
        self.kiosk_strip.update(text)

    def scroll_a_screen(self) -> bool:
        """Scroll the insights down a screenful, if there is more below: a kiosk turns
        through a long page of them before its next page. False at the end."""
        body = self.query_one("#insights-body", VerticalScroll)
        if body.scroll_y >= body.max_scroll_y:
            return False
        body.scroll_page_down(animate=False)
        return True

    def show(self, insights: Insights) -> None:
        self.insights = insights
        text = Text()
        text.append("Early warnings\n", style="bold")
        text.append(warnings_note(insights, self.config.dashboard.period) + "\n", style="dim")
        warnings = insights.warnings
        if not warnings:
            text.append(
                "None: no employee metric has turned ahead of its customer metric.\n", style="dim"
            )
        for warning in warnings:
            text.append("⚠ ", style=WARN_BOLD)
            text.append(f"{warning.sentence}\n")
        metrics = {metric.id: metric for metric in self.config.metrics}
        for index, pair in enumerate(self.config.pairs):
            heading = f"\n{metrics[pair.employee].label} ↔ {metrics[pair.customer].label}"
            text.append(heading + "\n", style="bold")
            for row in insights.of_pair(index):
                link = row.link
                mark, style = ("↗ ", LINK_BOLD) if link.linked else ("· ", "dim")
                text.append(mark, style=style)
                text.append(f"{link.sentence}\n", style="" if link.linked else "dim")
        text.append(f"\n{method_note(self.config)}", style="dim italic")
        self.query_one("#insights-text", Static).update(text)

    def action_back(self) -> None:
        self.dismiss()
