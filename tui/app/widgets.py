"""Small widgets that receive values and render them. None of them fetches or computes metrics."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.renderables.digits import Digits as DigitsFont
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static
from textual_plotext import PlotextPlot

from tui.analysis.insights import WHOLE_ORGANISATION
from tui.app.colours import BAD, GOOD, LINK, LINK_BOLD, STATUS_BOLD, WARN, WARN_BOLD
from tui.app.wall_digits import wall_digits
from tui.views.panels import PairView, PanelView, SourceLine, clock_time

if TYPE_CHECKING:
    from tui.config import Config

# plotext's output is plain braille with a reset code at each line's end (the theme
# "clear" draws no canvas and the line is in the default colour); this strips what is left.
_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")
_RUNS = re.compile(r" +|[^ ]+")


class Sparkline(PlotextPlot):
    """A plotext line of a metric's recent periods, with no axes: the shape is the point.

    plotext draws the braille; the widget paints it in one style (its CSS colour on the
    panel's background) through the line API. Turning plotext's colour codes into Text
    cost more than building the figure, and the figure is built only when the values or
    the size change, never on a repaint.
    """

    def __init__(self, side: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.add_class(f"-{side}")
        self._values: tuple[float | None, ...] = ()
        self._lines: list[str] = []
        self._lines_key: tuple[tuple[float | None, ...], int, int] | None = None
        # No frame, axes, ticks or canvas colours, set once: each update only replaces
        # the data (plotext's clear_figure rebuilt the whole figure, 0.6 ms a sparkline).
        plt = self.plt
        plt.frame(False)
        plt.xaxes(False, False)
        plt.yaxes(False, False)
        plt.xticks([])
        plt.yticks([])
        plt.theme("clear")

    def _register_theme(self, app_theme_name: str) -> None:
        """The figure has no theme of its own: nothing to register."""

    def show(self, values: tuple[float | None, ...]) -> None:
        if values == self._values:
            return  # unchanged data: no new figure, no repaint
        self._values = values
        self.refresh()

    def _figure_lines(self, width: int, height: int) -> list[str]:
        key = (self._values, width, height)
        if key != self._lines_key:
            self._lines_key = key
            self._lines = self._build(width, height)
        return self._lines

    def _build(self, width: int, height: int) -> list[str]:
        # Periods without a value are gaps, not zeros.
        points = [(i, v) for i, v in enumerate(self._values) if v is not None]
        if len(points) < 2 or width < 1 or height < 1:
            return []
        plt = self.plt
        plt.clear_data()
        xs, ys = zip(*points, strict=True)
        plt.plot(list(xs), list(ys), marker="braille", color="default")
        plt.xlim(0, max(len(self._values) - 1, 1))
        plt.plotsize(width, height)
        plt._set_size(width, height)  # as PlotextPlot.render does: plotsize alone lags a resize
        return _ANSI_CODE.sub("", plt.build()).splitlines()

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        style = self.visual_style.rich_style
        lines = self._figure_lines(width, height)
        if y >= len(lines):
            return Strip.blank(width, style)
        # Runs of dots and runs of blanks in two styles, as plotext's colour codes made
        # them: Textual joins neighbours of one style, and an SVG screenshot places each
        # segment at its cell, where a long run drifts (a braille glyph is not always a
        # cell wide in the viewer's font).
        blank = Style(bgcolor=style.bgcolor)
        segments = [
            Segment(run, blank if run[0] == " " else style) for run in _RUNS.findall(lines[y])
        ]
        return Strip(segments).adjust_cell_length(width, blank)


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


_DIGITS_HEIGHT = 3


class MetricPanel(Horizontal):
    """One metric: its figures (roomy or compact, as the screen's layout shows) and a
    sparkline of its history."""

    def __init__(self, side: str, view: PanelView | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.side = side
        self.add_class(f"-{side}")
        self._view = view
        # Kept, not queried: a refresh updates 24 panels. Both layouts' figures are
        # kept up to date; CSS shows the one the screen's size calls for.
        self._roomy = RoomyFigures(classes="figures roomy")
        self._compact = CompactFigures(classes="figures compact")
        self._sparkline = Sparkline(side, classes="sparkline")
        # Classes from the view, set before mounting: no restyle for the first frame.
        self._state = _state_classes(view)
        self.add_class(*self._state, update=False)

    def compose(self) -> ComposeResult:
        yield self._roomy
        yield self._compact
        yield self._sparkline

    def on_mount(self) -> None:
        if self._view is not None:
            self.show(self._view)

    _shown: PanelView | None = None
    _titles: tuple[str, str] | None = None

    def show(self, view: PanelView) -> None:
        if view == self._shown:
            return  # an update of another source's panels: nothing to repaint here
        self._shown = view
        # Each of these setters repaints the whole panel (and parses markup): only on change.
        titles = (view.label, " · ".join(t for t in (view.period_label, view.stale_text) if t))
        if titles != self._titles:
            self._titles = titles
            self.border_title, self.border_subtitle = titles
        state = _state_classes(view)
        if state != self._state:
            # Only the panel's border depends on these classes: restyle the panel
            # alone, not every part of it (each restyle matches the whole stylesheet).
            self.remove_class(*self._state, update=False)
            self.add_class(*state, update=False)
            self.app.stylesheet.update_nodes((self,))
            self.refresh()
            self._state = state
        no_color = self.app.no_color
        self._roomy.show(view, no_color)
        self._compact.show(view, no_color)
        self._sparkline.show(tuple(point.value for point in view.history))
        tooltip = f"{view.label}: {view.value_text} ({view.period_label})"
        if tooltip != self.tooltip:
            self.tooltip = tooltip


def _state_classes(view: PanelView | None) -> frozenset[str]:
    """-status-good/warn/bad/none by thresholds, and -stale while the source is failing."""
    if view is None:
        return frozenset({"-status-none"})
    return frozenset({f"-status-{view.status}", *(("-stale",) if view.stale_text else ())})


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


class InsightsPanel(Widget):
    """Early warnings first, then links found, one sentence each: as many as fit, the rest
    behind `i`. Wrapped to the panel's width, never cut off mid-sentence."""

    LINES = 5
    _warnings: tuple[str, ...] = ()
    _links: tuple[str, ...] = ()

    def show(self, warnings: list[str], links: list[str]) -> None:
        if (tuple(warnings), tuple(links)) == (self._warnings, self._links):
            return
        self._warnings, self._links = tuple(warnings), tuple(links)
        self.refresh()

    def render(self) -> RenderResult:
        marked = [("⚠ ", WARN_BOLD, s, "") for s in self._warnings]
        marked += [("↗ ", LINK_BOLD, s, "dim") for s in self._links]
        if not marked:
            return Text("No early warnings, and no link established yet.", style="dim")
        width = max(self.content_size.width, 20)
        shown: list[Text] = []
        used = 0
        for index, (mark, mark_style, sentence, style) in enumerate(marked):
            line = Text()
            line.append(mark, style=mark_style)
            line.append(sentence, style=style)
            height = len(line.wrap(self.app.console, width))
            # Keep a line for "more" unless this is the last sentence.
            room = self.LINES - (0 if index == len(marked) - 1 else 1)
            if used + height > room:
                break
            shown.append(line)
            used += height
        more = len(marked) - len(shown)
        if more:
            shown.append(Text(f"… {more} more: press i for every insight", style="dim italic"))
        return Text("\n").join(shown)


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


_STATE_STYLES = {
    "ok": GOOD,
    "stale": WARN,
    "error": BAD,
    "waiting": "dim",
    "refreshing": LINK,
}


class SourceStrip(Static):
    """One entry per source: ok, stale since a time, or its error in one line."""

    # As #sources' max-height in tandem.tcss: an error longer than this is cut.
    MAX_ROWS = 3

    class RowsChanged(Message):
        """The strip needs more or fewer rows: the screen may choose another layout."""

    _shown: list[SourceLine] | None = None
    _text = Text()
    # When every source is ok and their entries would wrap: one line that says so.
    _all_ok: Text | None = None

    def _text_for(self, width: int) -> Text:
        """Every source's entry; or, where they would take more than a row and all are
        ok, a single line naming them (a failing source is always shown in full)."""
        if self._all_ok is not None and len(self._text.wrap(self.app.console, width)) > 1:
            return self._all_ok
        return self._text

    def rows_for(self, width: int) -> int:
        """The rows the strip takes at a screen `width` (its padding is one each side)."""
        if not self._text:
            return 1
        text = self._text_for(max(1, width - 2))
        wrapped = text.wrap(self.app.console, max(1, width - 2))
        return max(1, min(self.MAX_ROWS, len(wrapped)))

    def show(self, lines: list[SourceLine]) -> None:
        if lines == self._shown:
            return  # called every second for ages: repaint only on change
        self._shown = lines
        rows = self.rows_for(self.app.size.width)
        text = Text()
        for index, line in enumerate(lines):
            if index:
                text.append("   ")
            style = _STATE_STYLES.get(line.state, "")
            text.append("● ", style=style)
            text.append(line.source_id, style="bold")
            text.append(f" {line.text}", style=style if line.state != "ok" else "dim")
        self._text = text
        self._all_ok = None
        if len(lines) > 1 and all(
            line.state == "ok" and line.text.count(" ") == 1 for line in lines
        ):
            names = ", ".join(line.source_id for line in lines)
            self._all_ok = Text(no_wrap=True, overflow="ellipsis")
            self._all_ok.append("● ", style=_STATE_STYLES["ok"])
            self._all_ok.append(f"all {len(lines)} sources ok", style="bold")
            self._all_ok.append(f": {names}", style="dim")
        self.update(self._text_for(max(1, self.app.size.width - 2)))
        if self.rows_for(self.app.size.width) != rows:
            self.post_message(self.RowsChanged())

    def on_resize(self) -> None:
        self.update(self._text_for(max(1, self.app.size.width - 2)))
