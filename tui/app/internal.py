"""The internal service screen (`n`) and a function's detail.

One row per function: its latest closed score, the change, how many rated it,
the teams it serves, and the chain's two links — does its service lead those
teams' employee health, and does that lead their customer health. Enter opens
the function: its score over time beside the served teams' health, and the
counts behind them.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui.analysis.insights import PairLinkage, hidden_words
from tui.analysis.internal import FunctionService, InternalService, link_brief, possessive
from tui.app.colours import BAD, GOOD, LINK, LINK_BOLD, STATUS, WARN, rgb
from tui.app.detail import DetailPlot, short_label
from tui.app.page import PageScreen
from tui.app.widgets.footer import Footer
from tui.config import Config, Metric
from tui.metrics.display import change_amount, format_value, threshold_status

# Below this width the two links share one short column.
COMPACT_WIDTH = 100


def score_cell(value: float | None, hidden: int, metric: Metric) -> Text:
    if hidden:
        return Text(hidden_words(hidden, short=True), style="dim", justify="right")
    status = threshold_status(value, metric)
    return Text(format_value(value, metric), style=STATUS.get(status, ""), justify="right")


def change_cell(change: float | None, metric: Metric) -> Text:
    if change is None:
        return Text("—", style="dim", justify="right")
    # As shown: a change that rounds to 0 is level, not a rise of 0.
    shown = round(change, metric.decimals)
    better = shown > 0 if metric.direction == "higher_is_better" else shown < 0
    arrow = "▲" if shown > 0 else "▼" if shown < 0 else "■"
    text = f"{arrow} {change_amount(abs(shown), metric, short=True)}"
    return Text(text, style="dim" if shown == 0 else GOOD if better else BAD, justify="right")


def _link_cell(link: PairLinkage, brief: bool = False) -> Text:
    words = link_brief(link) if brief else link.short
    return Text(words, style=LINK if link.linked else "dim")


class InternalScreen(PageScreen):
    """Every function's service beside the health of the teams it serves."""

    BINDINGS = [Binding("escape,n", "back", "Back", id="back", tooltip="Return to the dashboard")]
    PAGE = "Internal service"
    BODY_ID = "internal-body"

    class FunctionRequested(Message):
        """The viewer opened a function's detail."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, config: Config, internal: InternalService, kiosk: bool = False) -> None:
        super().__init__(config, kiosk)
        self.internal = internal

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="internal-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="internal-notes")

    _compact: bool | None = None

    def on_mount(self) -> None:
        self.show(self.internal)
        self.query_one(DataTable).focus()  # Enter opens the function under the cursor

    def on_resize(self) -> None:
        self.show(self.internal)

    def show(self, internal: InternalService) -> None:
        self.internal = internal
        table = self.query_one(DataTable)
        compact = self.size.width < COMPACT_WIDTH
        if compact != self._compact:
            self._compact = compact
            table.clear(columns=True)
            if compact:
                table.add_columns("Function", "Score", "Δ", "→ people", "→ customers")
            else:
                table.add_columns(
                    "Function", "Score", "Δ", "n", "Serves", "Service → people", "→ customers"
                )
        cursor = table.cursor_row
        table.clear()
        metric = internal.metric
        for function in internal.functions:
            assert metric is not None
            score = score_cell(function.score, function.hidden, metric)
            change = change_cell(function.change, metric)
            to_people, to_customers = function.links
            if compact:
                cells = [
                    _link_cell(to_people, brief=True),
                    _link_cell(to_customers, brief=True),
                ]
                table.add_row(Text(function.name), score, change, *cells, key=function.name)
                continue
            n = Text(str(function.n) if function.n else "—", justify="right")
            table.add_row(
                Text(function.name),
                score,
                change,
                n,
                ", ".join(function.serves),
                _link_cell(to_people),
                _link_cell(to_customers),
                key=function.name,
            )
        if internal.functions:
            table.move_cursor(row=min(cursor, len(internal.functions) - 1))
        self.query_one("#internal-notes", Static).update(internal_notes(internal))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(self.FunctionRequested(event.row_key.value))


def internal_notes(internal: InternalService) -> Text:
    """Under the table: what each chain says, teams with no data, how health is made."""
    notes = Text()
    if internal.refused:
        notes.append(internal.refused, style=WARN)
        return notes
    latest = next((f.period for f in internal.functions if f.period), None)
    if latest is not None:
        notes.append(
            f"Scores of {latest.label}, the latest closed period; n is how many rated the "
            "function. Enter: the function over time.\n",
            style="dim",
        )
    for function in internal.functions:
        for link in function.links:
            notes.append("● " if link.linked else "· ", style=LINK if link.linked else "dim")
            notes.append(link.sentence + "\n")
        if function.unknown_teams:
            teams = ", ".join(f'"{team}"' for team in function.unknown_teams)
            notes.append(
                f"{function.name} serves {teams}, which no employee or customer metric has "
                "records for: check the name in [[internal.functions]].\n",
                style=WARN,
            )
    notes.append(internal.health_words, style="dim")
    return notes


class ChainChart(DetailPlot[tuple[FunctionService, Metric]]):
    """A function's score (left axis) beside its teams' employee and customer health
    (right axis), on one time axis."""

    def draw(self, detail: tuple[FunctionService, Metric]) -> None:
        function, metric = detail
        plt = self.plt
        points = function.points
        ticks = [float(i) for i in range(len(points))]
        step = max(1, len(points) // 8)
        labels = [short_label(p.period.label) for p in points]
        plt.xticks(ticks[::-step][::-1], labels[::-step][::-1])
        colours = self.app.theme_variables
        lines = (
            (
                "left",
                "tandem-text",
                [p.score for p in points],
                possessive(function.name, metric.label),
            ),
            ("right", "tandem-employee", [p.employee for p in points], "employee health"),
            ("right", "tandem-customer", [p.customer for p in points], "customer health"),
        )
        for side, colour, values, label in lines:
            xy = [(i, v) for i, v in enumerate(values) if v is not None]
            if xy:
                xs, ys = zip(*xy, strict=True)
                plt.plot(
                    list(xs),
                    list(ys),
                    yside=side,
                    color=rgb(colours[colour]),
                    marker="braille",
                    label=f"{label} ({side})",
                )
        # plotext takes yside here; textual-plotext's type stub leaves it out.
        plt.ylabel(f"{metric.label} {metric.unit}".strip(), yside="left")  # type: ignore[call-arg]
        plt.ylabel("health (0 = warn, +1 = target)", yside="right")  # type: ignore[call-arg]
        plt.xlim(0, max(len(points) - 1, 1))


class FunctionScreen(Screen[None]):
    """One function over time; [ and ] step through the functions, Escape returns."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back", tooltip="Return to the internal service"),
        Binding(
            "left_square_bracket",
            "step(-1)",
            "Prev function",
            key_display="[",
            id="previous-segment",
            tooltip="The function before",
        ),
        Binding(
            "right_square_bracket",
            "step(1)",
            "Next function",
            key_display="]",
            id="next-segment",
            tooltip="The next function",
        ),
    ]

    def __init__(self, internal: InternalService, name: str) -> None:
        super().__init__()
        self.internal = internal
        self.name_shown = name

    def compose(self) -> ComposeResult:
        yield Static(id="function-title", classes="detail-text")
        yield Static(id="function-summary", classes="detail-text")
        yield ChainChart(id="function-chart")
        yield DataTable(id="function-counts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.show(self.internal)
        self.app.theme_changed_signal.subscribe(self, lambda _: self.show(self.internal))

    def show(self, internal: InternalService) -> None:
        self.internal = internal
        function = internal.function(self.name_shown)
        metric = internal.metric
        if function is None or metric is None:
            self.dismiss()  # the function left the config
            return
        title = Text()
        title.append(function.name, style=LINK_BOLD)
        title.append(f"  {metric.label}", style="bold")
        title.append(f"  serves {', '.join(function.serves)}", style="dim")
        position = internal.functions.index(function) + 1
        title.append(f"   function {position} of {len(internal.functions)}", style="dim")
        self.query_one("#function-title", Static).update(title)
        self.query_one("#function-summary", Static).update(
            _summary(function, internal, tall=self.size.height >= TALL)
        )
        self.query_one(ChainChart).show((function, metric))
        self._show_counts(function, metric)

    def _show_counts(self, function: FunctionService, metric: Metric) -> None:
        table = self.query_one("#function-counts", DataTable)
        table.clear()  # the rows only: columns rebuilt in the same frame kept their header widths
        if not table.columns:
            table.add_columns("Period", metric.label, "n", "Employee health", "Customer health")
        for point in reversed(function.points):
            label = point.period.label + (" (to date)" if point.in_progress else "")
            n = Text("—" if point.score_hidden or not point.score_n else str(point.score_n))
            n.justify = "right"
            table.add_row(
                label,
                score_cell(point.score, point.score_hidden, metric),
                n,
                _health_cell(point.employee),
                _health_cell(point.customer),
            )

    def on_resize(self) -> None:
        self.show(self.internal)

    def action_back(self) -> None:
        self.dismiss()

    def action_step(self, step: int) -> None:
        names = [function.name for function in self.internal.functions]
        if len(names) < 2 or self.name_shown not in names:
            return
        self.name_shown = names[(names.index(self.name_shown) + step) % len(names)]
        self.show(self.internal)


# From this height the chain's sentences and how health is made fit above the chart;
# below it, each link in a line, so the chart and the counts keep their rows.
TALL = 36


def _summary(function: FunctionService, internal: InternalService, tall: bool) -> Text:
    summary = Text()
    names = ("service → people", "people → customers")
    for index, link in enumerate(function.links):
        summary.append("● " if link.linked else "· ", style=LINK if link.linked else "dim")
        summary.append(link.sentence if tall else f"{names[index]}: {link.short}")
        summary.append("\n" if tall or index == 0 else "  ")
    if tall:
        summary.append(internal.health_words, style="dim")
    return summary


def _health_cell(health: float | None) -> Text:
    if health is None:
        return Text("—", style="dim", justify="right")
    style = GOOD if health >= 0 else BAD if health <= -1 else WARN
    return Text(f"{health:+.2f}", style=style, justify="right")
