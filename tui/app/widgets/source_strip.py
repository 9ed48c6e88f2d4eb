"""The strip of sources: each one ok, stale since a time, or its error."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from tui.app.colours import BAD, GOOD, LINK, WARN
from tui.views.panels import SourceLine

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
