"""The segment table: every segment's pair side by side, sortable by gap or change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tui.analysis.insights import EarlyWarning, Insights, PairLinkage, SeriesOf
from tui.config import Config
from tui.metrics.compute import EVERYONE
from tui.metrics.display import HISTORY_PERIODS
from tui.periods import last_periods
from tui.views.panels import PanelView, panel_view


@dataclass(frozen=True)
class SegmentRow:
    """One segment's pair, side by side: both sides' panels beside what the analysis says."""

    pair_index: int
    segment: str
    employee: PanelView
    customer: PanelView
    link: PairLinkage
    warning: EarlyWarning | None

    @property
    def employee_hidden(self) -> bool:
        """The employee side is hidden (a small group, or one that would reveal it)."""
        return self.employee.current is not None and self.employee.current.suppressed > 0

    @property
    def gap(self) -> float | None:
        """Employee value minus customer value in their shared unit; None if either is missing."""
        if self.employee_hidden or self.employee.value is None or self.customer.value is None:
            return None
        return self.employee.value - self.customer.value

    def shown_gap(self, employee_decimals: int, customer_decimals: int) -> float | None:
        """The gap between the two values as shown (each rounded to its metric's
        decimals), so that the numbers on one line add up: 25 beside 24 is a gap of 1."""
        gap = self.gap
        if gap is None:
            return None
        assert self.employee.value is not None and self.customer.value is not None
        return round(self.employee.value, employee_decimals) - round(
            self.customer.value, customer_decimals
        )

    @property
    def largest_change(self) -> float | None:
        """The larger of the two sides' latest changes, by size."""
        changes = [abs(c) for c in (self.employee.change, self.customer.change) if c is not None]
        if self.employee_hidden:
            changes = [abs(self.customer.change)] if self.customer.change is not None else []
        return max(changes) if changes else None


def sort_rows(rows: Sequence[SegmentRow], by: Literal["gap", "change", "name"]) -> list[SegmentRow]:
    """Largest gap or change first; rows with no figure last; ties by segment name."""
    if by == "name":
        return sorted(rows, key=lambda row: row.segment.casefold())

    def key(row: SegmentRow) -> tuple[bool, float, str]:
        figure = row.gap if by == "gap" else row.largest_change
        return (figure is None, -abs(figure or 0.0), row.segment.casefold())

    return sorted(rows, key=key)


@dataclass(frozen=True)
class SegmentTable:
    """Every pair's segment rows: per pair, the whole organisation first."""

    rows: tuple[SegmentRow, ...]

    def overall(self, pair_index: int) -> SegmentRow:
        return next(r for r in self.rows if r.pair_index == pair_index and r.segment == EVERYONE)

    def segments_of(self, pair_index: int) -> list[SegmentRow]:
        return [r for r in self.rows if r.pair_index == pair_index and r.segment != EVERYONE]


def segment_table(
    config: Config, insights: Insights, series_of: SeriesOf, today: date
) -> SegmentTable:
    """Each segment the insights cover, with both sides' panels from the stored series."""
    metrics = {metric.id: metric for metric in config.metrics}
    axis = last_periods(today, config.dashboard.period, HISTORY_PERIODS)
    rows = []
    for found in insights.rows:
        pair = config.pairs[found.pair_index]
        employee, customer = metrics[pair.employee], metrics[pair.customer]
        rows.append(
            SegmentRow(
                found.pair_index,
                found.segment,
                panel_view(
                    employee,
                    series_of(employee.id, found.segment),
                    axis,
                    today,
                    anonymity_threshold=config.dashboard.anonymity_threshold,
                ),
                panel_view(customer, series_of(customer.id, found.segment), axis, today),
                found.link,
                found.warning,
            )
        )
    return SegmentTable(tuple(rows))
