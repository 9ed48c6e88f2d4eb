"""The balance screen: each team's employee health against its customer health.

From 120 columns a chart: employee health across, customer health up, the four
quadrants labelled, each team's trail ending at its latest closed period. Below
it (and alone on a narrow screen) a table: team, both healths, quadrant and the
direction of travel. Warnings and how the axes are made under that.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from tui.analysis.balance import LIMIT, QUADRANT_WORDS, Balance, Quadrant, TeamBalance
from tui.analysis.insights import segment_name
from tui.app.colours import BAD, GOOD, WARN, WARN_BOLD, rgb
from tui.app.page import PageScreen
from tui.config import Config

# From this width the chart is drawn; below it the table says it all, and below
# COMPACT_WIDTH the table keeps only team, quadrant and travel, in short words.
CHART_MIN_WIDTH = 120
COMPACT_WIDTH = 100
_SHORT_QUADRANT: dict[Quadrant, str] = {
    "both_healthy": "both healthy",
    "employees_expense": "at employees' expense",
    "customers_not": "customers not",
    "both_struggling": "both struggling",
}
_QUADRANT_STYLE: dict[Quadrant, str] = {
    "both_healthy": GOOD,
    "employees_expense": WARN,
    "customers_not": WARN,
    "both_struggling": BAD,
}
# Where each quadrant's name is written on the chart (x, y), inside its corner.
_CORNERS: dict[Quadrant, tuple[float, float]] = {
    "both_healthy": (1.0, 1.85),
    "employees_expense": (-1.0, 1.85),
    "customers_not": (1.0, -1.85),
    "both_struggling": (-1.0, -1.85),
}


def travel_words(team: TeamBalance, short: bool = False) -> str:
    """'employees ▼ 0.67 · customers ■' over the trail ('emp ▼0.67 cust ■' when
    `short`); a change under 0.1 is level."""
    travel = team.travel
    if travel is None:
        return "—"
    parts = []
    sides = ("emp", "cust") if short else ("employees", "customers")
    for side, change in zip(sides, travel, strict=True):
        if abs(change) < 0.1:
            parts.append(f"{side} ■")
        else:
            gap = "" if short else " "
            parts.append(f"{side} {'▲' if change > 0 else '▼'}{gap}{abs(change):.2f}")
    return (" " if short else " · ").join(parts)


Side = Literal["left", "right"]
Label = tuple[float, float, Side]  # x, y and alignment ("left": the name starts at x)


def place_labels(
    points: list[tuple[str, float, float]], cell: tuple[float, float], limit: float = LIMIT
) -> list[Label]:
    """Where to write each point's name so that no two names overlap: beside the point,
    then a row above or below, on whichever side has room. `cell` is one character's
    width and height in the chart's units; names are placed in the order given."""
    width, height = cell
    placed: list[tuple[float, float, float]] = []  # left, right and row of each name
    out: list[Label] = []
    for name, x, y in points:
        size = (len(name) + 1) * width
        right_first = x < limit / 4  # room on the right unless the point is far right
        sides: tuple[Side, Side] = ("left", "right") if right_first else ("right", "left")
        candidates = [
            (side, row) for row in (0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0) for side in sides
        ]
        chosen: tuple[Side, float, float, float] | None = None
        for side, row in candidates:
            left = x if side == "left" else x - size
            right = left + size
            ty = y + row * height
            if left < -limit or right > limit or not -limit <= ty <= limit:
                continue
            if all(
                right <= other_left or left >= other_right or abs(ty - other_row) >= height
                for other_left, other_right, other_row in placed
            ):
                chosen = (side, left, right, ty)
                break
        if chosen is None:  # crowded beyond every place tried: beside it, as before
            side = sides[0]
            left = x if side == "left" else x - size
            chosen = (side, left, left + size, y)
        side, left, right, ty = chosen
        placed.append((left, right, ty))
        out.append((x, ty, side))
    return out


class BalanceChart(PlotextPlot):
    """The quadrants, and each team's trail to its latest point."""

    _shown: tuple[Balance, str, object] | None = None

    def show(self, balance: Balance) -> None:
        # The names are placed by the chart's size: a new size draws them again.
        if (balance, self.app.theme, self.size) == self._shown:
            return
        self._shown = (balance, self.app.theme, self.size)
        plt = self.plt
        plt.clear_figure()
        colours = self.app.theme_variables
        team_colour = rgb(colours["tandem-employee"])
        whole_colour = rgb(colours["tandem-text"])
        # Text on the chart sits on its canvas (textual-plotext paints it $surface).
        paper = rgb(colours["surface"])
        plt.xlim(-LIMIT, LIMIT)
        plt.ylim(-LIMIT, LIMIT)
        plt.vline(0, rgb(colours["tandem-muted"]))
        plt.hline(0, rgb(colours["tandem-muted"]))
        for corner, (x, y) in _CORNERS.items():
            plt.text(
                QUADRANT_WORDS[corner],
                x,
                y,
                alignment="center",
                color=rgb(colours["tandem-muted"]),
                background=paper,
            )
        teams = [team for team in balance.teams if team.trail]
        for team in teams:
            colour = whole_colour if not team.segment else team_colour
            xs = [p.employee for p in team.trail]
            ys = [p.customer for p in team.trail]
            plt.plot(xs, ys, marker="braille", color=colour)
            plt.scatter([xs[-1]], [ys[-1]], marker="●", color=colour)
        # Each named beside its latest point, where no other name is.
        latest = [
            (segment_name(t.segment), t.trail[-1].employee, t.trail[-1].customer) for t in teams
        ]
        for team, (name, _, _), (x, y, side) in zip(
            teams, latest, place_labels(latest, self._cell()), strict=True
        ):
            plt.text(
                f" {name}" if side == "left" else f"{name} ",
                x,
                y,
                color=whole_colour if not team.segment else team_colour,
                background=paper,
                alignment=side,
            )
        plt.xlabel("employee health →")
        plt.ylabel("customer health →")
        self.refresh()

    def _cell(self) -> tuple[float, float]:
        """One character's width and height in health units: the plot spans 2 × LIMIT
        across what the axes, their ticks and labels leave of the widget."""
        columns = max(self.size.width - 8, 10)
        rows = max(self.size.height - 5, 5)
        return 2 * LIMIT / columns, 2 * LIMIT / rows


class BalanceScreen(PageScreen):
    """Every team as a point: employee health across, customer health up."""

    BINDINGS = [Binding("escape,b", "back", "Back", id="back", tooltip="Return to the dashboard")]
    PAGE = "Balance"
    BODY_ID = "balance-body"

    def __init__(self, config: Config, balance: Balance, kiosk: bool = False) -> None:
        super().__init__(config, kiosk)
        self.balance = balance

    def compose_body(self) -> ComposeResult:
        yield BalanceChart(id="balance-chart")
        yield DataTable(id="balance-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="balance-notes")

    _compact: bool | None = None

    def on_mount(self) -> None:
        self.show(self.balance)
        self.app.theme_changed_signal.subscribe(self, lambda _: self.show(self.balance))

    def on_resize(self) -> None:
        self.show(self.balance)

    def show(self, balance: Balance) -> None:
        self.balance = balance
        chart = self.query_one(BalanceChart)
        chart.display = self.size.width >= CHART_MIN_WIDTH and not balance.refused
        chart.show(balance)
        table = self.query_one(DataTable)
        compact = self.size.width < COMPACT_WIDTH
        if compact != self._compact:
            self._compact = compact
            table.clear(columns=True)
            if compact:
                table.add_columns("Team", "Quadrant", "Over the trail")
            else:
                table.add_columns("Team", "Employee", "Customer", "Quadrant", "Over the trail")
        table.clear()
        for team in balance.teams:
            latest = team.latest
            name = Text()
            if team.warning:
                name.append("⚠ ", style=WARN_BOLD)
            name.append(segment_name(team.segment), style="" if team.segment else "bold")
            if latest is None:
                empty = Text("hidden or no data yet", style="dim")
                table.add_row(*((name, empty, "") if compact else (name, "—", "—", empty, "")))
                continue
            words = _SHORT_QUADRANT if compact else QUADRANT_WORDS
            where = Text(words[latest.quadrant], style=_QUADRANT_STYLE[latest.quadrant])
            if compact:
                table.add_row(name, where, travel_words(team, short=True))
                continue
            table.add_row(
                name,
                Text(f"{latest.employee:+.2f}", justify="right"),
                Text(f"{latest.customer:+.2f}", justify="right"),
                where,
                travel_words(team),
            )
        notes = Text()
        if balance.refused:
            notes.append(balance.refused + "\n", style=WARN)
        for warning in balance.warnings:
            notes.append("⚠ ", style=WARN_BOLD)
            notes.append(warning + "\n")
        if balance.teams:
            latest_period = next((t.latest.period for t in balance.teams if t.latest), None)
            if latest_period is not None:
                notes.append(f"Latest closed period: {latest_period.label}. ", style="dim")
        notes.append(balance.axes, style="dim")
        self.query_one("#balance-notes", Static).update(notes)
