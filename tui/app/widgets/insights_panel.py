"""The dashboard's insights: early warnings, then links found, as many as fit."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from tui.app.colours import LINK_BOLD, WARN_BOLD


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
