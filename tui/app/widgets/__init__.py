"""Small widgets that receive values and render them, one module a part. None of them
fetches or computes metrics."""

from tui.app.widgets.figures import CompactFigures, Figures, RoomyFigures
from tui.app.widgets.footer import Footer
from tui.app.widgets.header import DashboardHeader, Freshness
from tui.app.widgets.insights_panel import InsightsPanel
from tui.app.widgets.pair_row import CaptionLine, PairRow
from tui.app.widgets.panel import MetricPanel
from tui.app.widgets.source_strip import SourceStrip
from tui.app.widgets.sparkline import Sparkline, every_figure_now

__all__ = [
    "CaptionLine",
    "CompactFigures",
    "DashboardHeader",
    "Figures",
    "Footer",
    "Freshness",
    "InsightsPanel",
    "MetricPanel",
    "PairRow",
    "RoomyFigures",
    "SourceStrip",
    "Sparkline",
    "every_figure_now",
]
