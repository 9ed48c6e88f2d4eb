"""The segment screen: every segment's pair side by side, sortable by gap or change."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from tui.analysis.insights import hidden_words, segment_name
from tui.app.colours import BAD, GOOD, LINK, STATUS, WARN_BOLD
from tui.app.widgets.footer import Footer
from tui.config import Config
from tui.views.panels import PanelView
from tui.views.segments import SegmentRow, SegmentTable, sort_rows

SortKey = Literal["gap", "change", "name"]
_SORT_NAMES = {
    "gap": "largest gap first",
    "change": "largest change first",
    "name": "by name",
}
# DataTable row keys must be non-empty; the whole organisation's segment is "".
_EVERYONE_KEY = "\0everyone"


def _value_cell(view: PanelView, hidden: bool) -> Text:
    if hidden:
        return Text(hidden_words(view.current.suppressed if view.current else 0), style="dim")
    style = STATUS.get(view.status, "")
    return Text(view.value_text, style=style, justify="right")


def _change_cell(view: PanelView, hidden: bool) -> Text:
    if hidden or view.change is None:
        return Text("—", style="dim", justify="right")
    style = "dim" if view.improving is None else GOOD if view.improving else BAD
    return Text(view.change_text, style=style, justify="right")


class SegmentScreen(Screen[None]):
    """One tab per pair; in each, one row per segment. g, c and n sort; Enter drills down."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back", tooltip="Return to the dashboard"),
        Binding(
            "g",
            "sort('gap')",
            "Sort by gap",
            id="sort-gap",
            tooltip="Largest employee-customer gap first",
        ),
        Binding(
            "c",
            "sort('change')",
            "Sort by change",
            id="sort-change",
            tooltip="Largest change first",
        ),
        Binding("n", "sort('name')", "Sort by name", id="sort-name", tooltip="By segment name"),
    ]

    class DetailRequested(Message):
        def __init__(self, pair_index: int, segment: str) -> None:
            super().__init__()
            self.pair_index = pair_index
            self.segment = segment

    def __init__(self, config: Config, table: SegmentTable) -> None:
        super().__init__()
        self.config = config
        self.table = table
        self.sort_by: SortKey = "gap"

    def compose(self) -> ComposeResult:
        yield Static(id="segments-title")
        metrics = {metric.id: metric for metric in self.config.metrics}
        with TabbedContent(id="segments-tabs"):
            for index, pair in enumerate(self.config.pairs):
                label = f"{metrics[pair.employee].label} ↔ {metrics[pair.customer].label}"
                with TabPane(label, id=f"pair-{index}"):
                    yield DataTable(id=f"segments-{index}", cursor_type="row", zebra_stripes=True)
        yield Static(id="segments-note")
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.table)
        # The rows take the keys: ↑ ↓ and Enter drill into a segment at once (Tab
        # reaches the pairs' tabs).
        self.query_one("#segments-0", DataTable).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id or "pair-0"
        self.query_one(f"#segments-{pane.removeprefix('pair-')}", DataTable).focus()

    def show(self, table: SegmentTable) -> None:
        self.table = table
        title = Text("Segments", style="bold")
        title.append(f"  sorted {_SORT_NAMES[self.sort_by]}", style="dim")
        self.query_one("#segments-title", Static).update(title)
        for index in range(len(self.config.pairs)):
            self._fill(index, table)
        self.query_one("#segments-note", Static).update(
            Text(
                "Gap: employee value minus customer value. Change: the larger of the two sides' "
                "latest changes. ⚠ an early warning (i explains). Enter: detail.",
                style="dim",
            )
        )

    def _fill(self, pair_index: int, table_rows: SegmentTable) -> None:
        table = self.query_one(f"#segments-{pair_index}", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        overall = table_rows.overall(pair_index)
        employee, customer = overall.employee, overall.customer
        table.add_columns("Segment", employee.label, "Δ", customer.label, "Δ", "Gap", "Linkage")
        rows = [overall, *sort_rows(table_rows.segments_of(pair_index), self.sort_by)]
        for row in rows:
            table.add_row(*self._cells(row), key=row.segment or _EVERYONE_KEY)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def _cells(self, row: SegmentRow) -> list[Text]:
        hidden = row.employee_hidden
        unit, decimals = self._unit(row)
        gap = row.shown_gap(*decimals)
        places = max(decimals)
        gap_text = "—" if gap is None else f"{gap:+.{places}f}{unit}"
        name = Text()
        if row.warning:
            name.append("⚠ ", style=WARN_BOLD)
        name.append(segment_name(row.segment), style="bold" if not row.segment else "")
        return [
            name,
            _value_cell(row.employee, hidden),
            _change_cell(row.employee, hidden),
            _value_cell(row.customer, False),
            _change_cell(row.customer, False),
            Text(gap_text, justify="right"),
            Text(row.link.short, style=LINK if row.link.linked else "dim"),
        ]

    def _unit(self, row: SegmentRow) -> tuple[str, tuple[int, int]]:
        """The gap's unit, and the decimals each side is shown with."""
        pair = self.config.pairs[row.pair_index]
        metrics = {m.id: m for m in self.config.metrics}
        employee, customer = metrics[pair.employee], metrics[pair.customer]
        unit = " pts" if employee.unit == "%" else employee.unit
        return unit, (employee.decimals, customer.decimals)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        pair_index = int((event.data_table.id or "segments-0").rsplit("-", 1)[1])
        segment = "" if key == _EVERYONE_KEY else key
        self.post_message(self.DetailRequested(pair_index, segment))

    def action_sort(self, by: SortKey) -> None:
        self.sort_by = by
        self.show(self.table)

    def action_back(self) -> None:
        self.dismiss()
