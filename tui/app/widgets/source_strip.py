"""The strip of sources: each one ok, stale since a time, or its error."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from tui.app.colours import BAD, GOOD, LINK, WARN
from tui.views.panels import REFRESHING, SourceLine

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
    # When every source is ok (some perhaps refreshing) and their entries would wrap:
    # one line that says so.
    _all_ok: Text | None = None

    def _text_for(self, width: int) -> Text:
        """Every source's entry; or, where they would take more than a row and all are
        ok, a single line naming them (a failing source is always shown in full).

        "Refreshing…" is longer than "ok 04:56": entries that fit one row can need two
        while a refresh runs. The single line keeps them to one, or every panel below
        would move a row, and redraw, as the refresh starts and again as it ends."""
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
        width = self.app.size.width
        rows = self.rows_for(width)
        text = Text()
        for index, line in enumerate(lines):
            if index:
                text.append("   ")
            style = _STATE_STYLES.get(line.state, "")
            text.append("● ", style=style)
            text.append(line.source_id, style="bold")
            text.append(f" {line.text}", style=style if line.state != "ok" else "dim")
        self._text = text
        self._all_ok = _all_ok(lines)
        changed = self.rows_for(width) != rows
        # The strip's height is its rows': the same rows need no new layout.
        self.update(self._text_for(max(1, width - 2)), layout=changed)
        if changed:
            self.post_message(self.RowsChanged())

    def on_resize(self) -> None:
        self.update(self._text_for(max(1, self.app.size.width - 2)))


def _all_ok(lines: list[SourceLine]) -> Text | None:
    """One line for sources that are all ok, some perhaps refreshing what they hold;
    None where any is news (an error, skipped records, a first fetch)."""
    if len(lines) < 2:
        return None
    refreshing = []
    for line in lines:
        if line.state == "refreshing" and line.text == REFRESHING:
            refreshing.append(line.source_id)
        elif line.state != "ok" or line.text.count(" ") != 1:
            return None
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("● ", style=_STATE_STYLES["ok"])
    text.append(f"all {len(lines)} sources ok", style="bold")
    if refreshing:
        text.append(" · refreshing ", style=_STATE_STYLES["refreshing"])
        text.append(", ".join(refreshing), style="dim")
    else:
        text.append(": " + ", ".join(line.source_id for line in lines), style="dim")
    return text
