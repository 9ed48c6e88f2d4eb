"""The drill-down of one pair in one segment: both values and their counts, period by period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tui.analysis.insights import EarlyWarning, Insights, PairLinkage, SeriesOf
from tui.config import Config, Metric
from tui.metrics.compute import EVERYONE
from tui.periods import Period, last_periods


@dataclass(frozen=True)
class DetailPoint:
    """One period of a pair: both values and the counts behind them."""

    period: Period
    employee: float | None
    employee_n: int
    # Hidden, and why (a suppression code, 0: shown): neither the value nor its n is shown.
    employee_hidden: int
    customer: float | None
    customer_n: int
    in_progress: bool


@dataclass(frozen=True)
class PairDetail:
    """Everything the drill-down screen shows for one pair in one segment."""

    pair_index: int
    segment: str
    caption: str
    employee: Metric
    customer: Metric
    # The dashboard's whole history window, oldest first, the period in progress last.
    points: tuple[DetailPoint, ...]
    link: PairLinkage
    warning: EarlyWarning | None
    # Every segment of the pair, the whole organisation ("") first, to step through.
    segments: tuple[str, ...]
    # A lag with fewer overlapping periods than this gave no evidence: its r is not shown.
    min_overlap: int = 8


def pair_detail(
    config: Config,
    insights: Insights,
    series_of: SeriesOf,
    today: date,
    pair_index: int,
    segment: str = EVERYONE,
) -> PairDetail:
    """The drill-down of one pair and segment, from the same insights the dashboard shows."""
    pair = config.pairs[pair_index]
    metrics = {metric.id: metric for metric in config.metrics}
    employee, customer = metrics[pair.employee], metrics[pair.customer]
    rows = insights.of_pair(pair_index)
    row = next((r for r in rows if r.segment == segment), rows[0])
    periods = last_periods(today, config.dashboard.period, config.dashboard.history_periods)
    e_by_key = {o.period_key: o for o in series_of(employee.id, row.segment)}
    c_by_key = {o.period_key: o for o in series_of(customer.id, row.segment)}
    points = []
    for period in periods:
        e, c = e_by_key.get(period.key), c_by_key.get(period.key)
        hidden = e.suppressed if e is not None else 0
        points.append(
            DetailPoint(
                period,
                None if e is None or hidden else e.value,
                0 if e is None or hidden else e.n,
                hidden,
                None if c is None else c.value,
                0 if c is None else c.n,
                period.contains(today),
            )
        )
    return PairDetail(
        pair_index,
        row.segment,
        pair.caption,
        employee,
        customer,
        tuple(points),
        row.link,
        row.warning,
        tuple(r.segment for r in rows),
        config.linkage.min_overlap,
    )
