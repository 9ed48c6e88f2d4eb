"""Textual's footer, built again only when the keys it shows change, and never cut short."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey  # not exported; a test opens every footer

# The key that lists every other: it stays when keys give way.
HELP_ACTION = "help"


class Footer(TextualFooter):
    """The keys of the screen below, as Textual's footer shows them.

    Textual's footer rebuilds all its keys whenever the screen's bindings may have
    changed: on every change of screen and of focus, so twice for each `?` (open the
    help, close it), each time mounting and styling a widget a key. Here it is rebuilt
    only when the keys it would show differ from those it shows.

    Where they do not all fit (a drill-down at 80 columns), the last keys give way
    whole, where Textual's footer cuts one mid-word ("Refres") and hides the rest past
    the edge; `? Help`, which lists them all, stays.
    """

    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = tuple(
                (binding.key, binding.action, binding.description, enabled, tooltip)
                for _, binding, enabled, tooltip in screen.active_bindings.values()
                if binding.show
            )
            if shown == self._shown:
                return  # the same keys: nothing to build again
            self._shown = shown
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        await super().recompose()
        self._fit_keys()

    def on_resize(self) -> None:
        self._fit_keys()

    def _fit_keys(self) -> None:
        keys = list(self.query_children(FooterKey))
        palette = [key for key in keys if key.has_class("-command-palette")]
        keys = [key for key in keys if key not in palette]
        room = self.size.width - sum(_width(key) for key in palette)
        kept_anyway = [key for key in keys if key.action == HELP_ACTION]
        room -= sum(_width(key) for key in kept_anyway)
        fits = True
        for key in keys:
            if key in kept_anyway:
                continue
            width = _width(key)  # renders the key: once
            fits = fits and width <= room
            if fits:
                room -= width
            key.display = fits


def _width(key: FooterKey) -> int:
    """The columns a key takes in the footer: its text, padding, border and margins."""
    styles = key.styles
    return key.render().cell_len + styles.gutter.width + styles.margin.width
