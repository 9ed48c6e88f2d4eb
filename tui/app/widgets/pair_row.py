"""A pair: its caption and linkage above its employee and customer panels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget

from tui.analysis.insights import WHOLE_ORGANISATION
from tui.app.colours import WARN_BOLD
from tui.app.widgets.panel import MetricPanel
from tui.views.panels import PairView


class CaptionLine(Widget):
    """'eNPS ↔ NPS  Would they recommend us?' on the left, the linkage on the right.

    On a narrow screen the caption gives way first, then the linkage is
    shortened: the line never wraps and never cuts a word off silently.
    """

    _names = ""
    _caption = ""
    _link = ""
    _warned: tuple[str, ...] = ()

    def show_caption(self, names: str, caption: str) -> None:
        if (names, caption) != (self._names, self._caption):
            self._names, self._caption = names, caption
            self.refresh()

    def show_insight(self, link_text: str, warned: list[str]) -> None:
        if (link_text, tuple(warned)) != (self._link, self._warned):
            self._link, self._warned = link_text, tuple(warned)
            self.refresh()

    def _warning(self) -> str:
        if not self._warned:
            return ""
        if list(self._warned) == [WHOLE_ORGANISATION]:
            return "⚠ early warning"
        if len(self._warned) > 2:
            return f"⚠ {len(self._warned)} early warnings"
        return "⚠ " + ", ".join(self._warned)

    def render(self) -> RenderResult:
        width = self.content_size.width
        left = Text(self._names, style="bold")
        warning = self._warning()
        right = Text()
        if warning:
            right.append(warning, style=WARN_BOLD)
            right.append("  ")
        right.append(self._link, style="dim")
        if self._caption and len(left) + 2 + len(self._caption) + 2 + len(right) <= width:
            left.append(f"  {self._caption}", style="dim")
        gap = width - len(left) - len(right)
        if gap < 2:
            # Too narrow for everything: the warning stays whole, the linkage is shortened.
            right.truncate(max(width - len(left) - 2, 0), overflow="ellipsis")
            gap = max(width - len(left) - len(right), 0)
        return Text.assemble(left, " " * gap, right, no_wrap=True, overflow="ellipsis")


class PairRow(Vertical, can_focus=True):
    """A pair's caption over its employee panel and its customer panel; Enter drills down."""

    BINDINGS = [
        Binding("enter", "select", "Details", id="details", tooltip="Open this pair's detail"),
        # As the README says: arrows (and Tab) move between pairs, not the scroll.
        Binding("down", "app.focus_next", "Next pair", id="next-pair", show=False),
        Binding("up", "app.focus_previous", "Previous pair", id="previous-pair", show=False),
    ]

    class Selected(Message):
        """Enter or a click on a pair: show its detail."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, index: int, view: PairView | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.index = index
        # Built with the first values: each panel shows its own once mounted.
        self.caption_line = CaptionLine(classes="caption-line")
        self.employee = MetricPanel("employee", view.employee if view else None, classes="panel")
        self.customer = MetricPanel("customer", view.customer if view else None, classes="panel")
        if view is not None:
            self._show_caption(view)

    def compose(self) -> ComposeResult:
        yield self.caption_line
        with Horizontal(classes="panels"):
            yield self.employee
            yield self.customer

    def _show_caption(self, view: PairView) -> None:
        self.caption_line.show_caption(
            f"{view.employee.label} ↔ {view.customer.label}", view.caption
        )

    def show(self, view: PairView) -> None:
        self._show_caption(view)
        self.employee.show(view.employee)
        self.customer.show(view.customer)

    def show_insight(self, link_text: str, warned: list[str]) -> None:
        """The pair's linkage in a few words, after an early-warning mark naming where."""
        self.caption_line.show_insight(link_text, warned)

    def action_select(self) -> None:
        self.post_message(self.Selected(self.index))

    def on_click(self) -> None:
        self.post_message(self.Selected(self.index))
