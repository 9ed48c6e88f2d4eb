"""One metric's panel: its figures beside its sparkline, its border coloured by status."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from tui.app.widgets.figures import CompactFigures, RoomyFigures
from tui.app.widgets.sparkline import Sparkline
from tui.views.panels import PanelView


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
