"""The insights screen: every early warning and every linkage, in sentences."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.analysis.insights import Insights, method_note, warnings_note
from tui.app.colours import LINK_BOLD, WARN_BOLD
from tui.app.page import PageScreen
from tui.config import Config


class InsightsScreen(PageScreen):
    """Warnings first, then each pair's linkage: the whole organisation, then each segment."""

    BINDINGS = [Binding("escape,i", "back", "Back", id="back", tooltip="Return to the dashboard")]
    PAGE = "Insights"
    BODY_ID = "insights-body"

    def __init__(self, config: Config, insights: Insights, kiosk: bool = False) -> None:
        super().__init__(config, kiosk)
        self.insights = insights

    def compose_body(self) -> ComposeResult:
        yield Static(id="insights-text")

    def on_mount(self) -> None:
        self.show(self.insights)

    def show(self, insights: Insights) -> None:
        self.insights = insights
        text = Text()
        text.append("Early warnings\n", style="bold")
        text.append(warnings_note(insights, self.config.dashboard.period) + "\n", style="dim")
        warnings = [w.sentence for w in insights.warnings] + list(insights.balance_warnings)
        if not warnings:
            text.append(
                "None: no employee metric has turned ahead of its customer metric.\n", style="dim"
            )
        for warning in warnings:
            text.append("⚠ ", style=WARN_BOLD)
            text.append(f"{warning}\n")
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
