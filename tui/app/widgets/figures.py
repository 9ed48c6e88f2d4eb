"""A panel's figures: its value, change, target and n, roomy or compact."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.renderables.digits import Digits as DigitsFont
from textual.strip import Strip
from textual.widget import Widget

from tui.app.colours import BAD, GOOD, STATUS_BOLD, WARN
from tui.app.widgets.wall_digits import wall_digits
from tui.views.panels import PanelView

_DIGITS_HEIGHT = 3


class Figures(Widget):
    """A panel's figures as lines in one widget, as wide as its widest line.

    One widget rather than one per line: a refresh of 24 panels updated and painted
    six widgets a panel, and each line that changed width asked for a layout of
    the whole screen. Here a new view repaints, and asks for a layout only when
    the widest line's width changes while the widget is shown.
    """

    _view: PanelView | None = None
    _lines: tuple[Text, ...] = ()
    _width = 0
    # Counts the views shown: the painted lines are kept until it moves.
    _shown_count = 0

    def show(self, view: PanelView, no_color: bool = False) -> None:
        lines = self.lines_of(view, no_color)
        if view == self._view and lines == self._lines:
            return
        self._view, self._lines = view, lines
        self._shown_count += 1
        width = self.content_width()
        # Within the CSS minimum a new width changes nothing on screen.
        minimum = self.styles.min_width
        floor = int(minimum.value) if minimum is not None and minimum.is_cells else 0
        layout = max(width, floor) != max(self._width, floor) and self.display
        self._width = width
        self.refresh(layout=layout)

    @property
    def lines(self) -> list[str]:
        """The text lines shown, big digits aside: for tests and screen readers alike."""
        return [line.plain for line in self._lines]

    def lines_of(self, view: PanelView, no_color: bool) -> tuple[Text, ...]:
        raise NotImplementedError

    def content_width(self) -> int:
        return max((line.cell_len for line in self._lines), default=0)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def styles_of_rows(self) -> tuple[Style, ...]:
        """Styles the rows take from CSS beyond the widget's own: a new theme that changes
        them (and not the background) must still repaint."""
        return ()

    def layout_key(self) -> tuple[object, ...]:
        """What else the rows depend on (the screen's layout): a change repaints."""
        return ()

    def rows(self) -> list[list[Segment]]:
        """Each line as Rich segments (Text.render leaves out the Text's own style)."""
        console = self.app.console
        return [
            list(Segment.apply_style(line.render(console), console.get_style(line.style)))
            for line in self._lines
        ]

    _strips: list[Strip] = []
    _strips_key: tuple[object, ...] | None = None

    def render_line(self, y: int) -> Strip:
        # Through the line API, from Rich's own rendering of each Text: converting the
        # lines to Textual Content and that to strips cost about 1 ms a panel.
        width = self.size.width
        base = self.visual_style.rich_style
        # A count, not the view: the view would be compared whole, history and all, for
        # every line painted.
        key = (self._shown_count, width, base, self.styles_of_rows(), self.layout_key())
        if key != self._strips_key:
            self._strips_key = key
            self._strips = [
                Strip(Segment.apply_style(row, base)).adjust_cell_length(width, base)
                for row in self.rows()
            ]
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, base)


class RoomyFigures(Figures):
    """The value in Textual's big digits, coloured by its status; the change, the target
    and n, and the sparkline's range below it. On a wall screen (the screen's `-wall`
    class) the digits are five rows of solid blocks instead, read from across a room."""

    COMPONENT_CLASSES = {"figures--good", "figures--warn", "figures--bad", "figures--none"}

    @property
    def value(self) -> str:
        return self._view.value_text if self._view else ""

    def lines_of(self, view: PanelView, no_color: bool) -> tuple[Text, ...]:
        return (_change(view), _meta(view, no_color), Text(view.range_text, style="dim"))

    def _wall(self) -> tuple[str, ...] | None:
        """The value in wall digits when the screen is a wall, else None."""
        return wall_digits(self.value) if self.screen.has_class("-wall") else None

    def layout_key(self) -> tuple[object, ...]:
        return (self._wall() is not None,)

    def content_width(self) -> int:
        return max(super().content_width(), DigitsFont.get_width(self.value))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        wall = self._wall()
        return max(self._width, len(wall[0])) if wall else self._width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        wall = self._wall()
        return (len(wall) if wall else _DIGITS_HEIGHT) + len(self._lines)

    def _digits_style(self) -> Style:
        # The colour is a component style, not a class: a status change restyles nothing.
        status = self._view.status if self._view else "none"
        return self.get_component_rich_style(f"figures--{status}", partial=True)

    def styles_of_rows(self) -> tuple[Style, ...]:
        return (self._digits_style(),)

    def rows(self) -> list[list[Segment]]:
        style = self._digits_style()
        wall = self._wall()
        if wall:
            return [*([Segment(line, style)] for line in wall), *super().rows()]
        digits = [
            [segment]
            for segment in DigitsFont(self.value).render(style)
            if isinstance(segment, Segment) and segment.text != "\n"
        ]
        return [*digits, *super().rows()]


class CompactFigures(Figures):
    """Three lines for short screens: label, value and change; target and n; the period."""

    def lines_of(self, view: PanelView, no_color: bool) -> tuple[Text, ...]:
        period = Text(view.period_label, style="dim")
        if view.stale_text:
            period.append(f" · {view.stale_text}", style=WARN)
        return (_headline(view), _meta(view, no_color), period)


def _change_style(view: PanelView) -> str:
    if view.improving is None:
        return "dim"
    return GOOD if view.improving else BAD


def _headline(view: PanelView) -> Text:
    """The compact layout's first line: label, value and change."""
    text = Text()
    text.append(view.label, style="bold")
    text.append("  ")
    text.append(view.value_text, style=STATUS_BOLD.get(view.status, "bold"))
    if view.suppressed_text:
        text.append(f"  {view.suppressed_text}", style="dim")
    elif view.change_text:
        text.append("  ")
        text.append(view.change_text, style=_change_style(view))
    return text


def _change(view: PanelView) -> Text:
    if view.suppressed_text:
        # Employee privacy: too few to show, and the panel says so.
        return Text(view.suppressed_text, style="dim")
    text = Text(view.change_text, style=_change_style(view))
    if view.compared_with:
        text.append(f" {view.compared_with}", style="dim")
    return text


def _meta(view: PanelView, no_color: bool = False) -> Text:
    parts = [view.target_text] if view.target_text else []
    if view.current is not None:
        parts.append(f"n {view.n}")
    if no_color and view.status in ("warn", "bad"):
        # With NO_COLOR the border cannot say it: the word does.
        parts.append(view.status.upper())
    return Text(" · ".join(parts), style="dim")
