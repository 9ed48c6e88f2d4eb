"""The help screen: the keys, and how to read a panel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

_LEGEND = (
    ("Left panel", "employee health; right panel: the customer indicator it is paired with"),
    (
        "Big number",
        "the latest period with data: for a customer metric the running one 'to date'; "
        "for an employee metric the last closed one, so no single answer shows",
    ),
    ("▲ ▼ ■", "change on the period before: green when better, red when worse"),
    ("Border colour", "green, yellow or red by the metric's warn and bad thresholds"),
    ("n", "responses (surveys), people (HR) or customers behind the number"),
    ("Sparkline", "the last 12 periods; gaps are periods with no data"),
    ("Status strip", "each source: ok, stale since its last success, or its error"),
    (
        "leads by 2 months",
        "on a pair's line: the employee metric's changes run ahead of the customer metric's "
        "in this data (r: how closely); 'no link found' when the data does not show one",
    ),
    (
        "⚠ early warning",
        "an employee metric crossed its warn level or fell sharply while its customer "
        "metric has not moved yet; i explains each one",
    ),
)


def _two_columns(rows: Sequence[tuple[str, str]]) -> Table:
    # A grid wraps the second column under itself, not under the first.
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True, min_width=max(len(name) for name, _ in rows))
    grid.add_column()
    for name, meaning in rows:
        grid.add_row(name, meaning)
    return grid


class HelpScreen(ModalScreen[None]):
    """Keys and a legend; Escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="close-help"),
    ]

    def __init__(self, config_path: Path | None, below: type[Screen[Any]] | None = None) -> None:
        super().__init__()
        self._config_path = config_path
        # The kind of screen help was opened from: its own keys come first.
        self._below = below

    def compose(self) -> ComposeResult:
        from tui.app.dashboard import DashboardScreen
        from tui.app.widgets import PairRow

        # The dashboard's own keys are each pair's (Enter, arrows); another screen's
        # are those it defines itself (not the Tab of every screen).
        below = self._below
        own: list[Any] = []
        if below is DashboardScreen:
            own = PairRow.BINDINGS
        elif below is not None:
            own = below.__dict__.get("BINDINGS", [])
        bindings = [b for b in [*own, *self.app.BINDINGS] if isinstance(b, Binding)]
        # As remapped by [keys], not as defined.
        keymap: dict[str, str] = getattr(getattr(self.app, "config", None), "keys", {})
        keys = [
            (
                self.app.get_key_display(
                    replace(binding, key=keymap[binding.id], key_display=None)
                    if binding.id in keymap
                    else binding
                ),
                binding.tooltip or binding.description,
            )
            for binding in bindings
        ]
        keys.append(("ctrl+p", "the command palette: every action, each pair's detail"))
        keys.append(("Escape", "close this screen"))
        with VerticalScroll(id="help-body"):
            yield Static(Text("Keys", style="bold"))
            yield Static(_two_columns(keys))
            yield Static(Text("\nReading the panels", style="bold"))
            yield Static(_two_columns(_LEGEND))
            if self._config_path is not None:
                yield Static(Text(f"\nConfig: {self._config_path}", style="dim"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
