"""Textual's footer, built again only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """The keys of the screen below, as Textual's footer shows them.

    Textual's footer rebuilds all its keys whenever the screen's bindings may have
    changed: on every change of screen and of focus, so twice for each `?` (open the
    help, close it), each time mounting and styling a widget a key. Here it is rebuilt
    only when the keys it would show differ from those it shows.
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
