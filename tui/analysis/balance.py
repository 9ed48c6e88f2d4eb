"""Both, not either: each team's employee health against its customer health.

A leadership team that pushes "customer first" can wear out the people who serve
customers, and the reverse happens too. The balance view puts every segment on two
axes, employee health across and customer health up, so a team drifting toward
"customers served at employees' expense" is seen before it arrives.

Different units share an axis by scaling each metric against its own levels:
0 at its warn level, -1 at its bad level, +1 at its target, straight lines between
and beyond (held within -2..2). A side made of several metrics is their mean, for a
period where every one of them has a value. Healthy is at or above 0: no worse than
the warn level. Only closed periods count, as for warnings: the running one holds a
part of its answers, and employee values are hidden until it closes.

Pure functions over stored observations, like tui.analysis.insights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tui.analysis.insights import (
    SeriesOf,
    complete_periods,
    odds_words,
    samples_on,
    segment_name,
    values_on,
)
from tui.config import Config, Metric
from tui.metrics.compute import EVERYONE
from tui.metrics.evidence import PERIODS_USED, Movement, worsened
from tui.periods import Period
from tui.store import HistoryStore, StoredObservation

Quadrant = Literal["both_healthy", "employees_expense", "customers_not", "both_struggling"]

QUADRANT_WORDS: dict[Quadrant, str] = {
    "both_healthy": "both healthy",
    "employees_expense": "customers served at employees' expense",
    "customers_not": "employees fine, customers not",
    "both_struggling": "both struggling",
}
LIMIT = 2.0  # health is held within ±LIMIT: far past a level says no more


def scaled_health(value: float, metric: Metric) -> float | None:
    """`value` on the common scale: 0 at warn, -1 at bad, +1 at target; None when the
    metric has no levels to scale by (Metric.health_levels)."""
    levels = metric.health_levels
    if levels is None:
        return None
    target, warn, bad = levels
    good = value if metric.direction == "higher_is_better" else -value
    if good >= warn:
        health = (good - warn) / (target - warn)
    elif warn > bad:
        health = (good - warn) / (warn - bad)
    else:
        health = -LIMIT  # warn and bad are one level: below it is as bad as it gets
    return max(-LIMIT, min(LIMIT, health))


def side_health(metrics: Sequence[Metric], values: Sequence[float | None]) -> float | None:
    """The mean health of a side's metrics, when every one has a value and a scale."""
    healths = []
    for metric, value in zip(metrics, values, strict=True):
        health = None if value is None else scaled_health(value, metric)
        if health is None:
            return None
        healths.append(health)
    return sum(healths) / len(healths)


def quadrant(employee: float, customer: float) -> Quadrant:
    if employee >= 0:
        return "both_healthy" if customer >= 0 else "customers_not"
    return "employees_expense" if customer >= 0 else "both_struggling"


@dataclass(frozen=True)
class BalancePoint:
    period: Period
    employee: float
    customer: float

    @property
    def quadrant(self) -> Quadrant:
        return quadrant(self.employee, self.customer)


@dataclass(frozen=True)
class TeamBalance:
    """One segment's balance: its trail of closed periods, oldest first, the latest last."""

    segment: str
    trail: tuple[BalancePoint, ...]
    # A warning when the team has just moved into "customers served at employees'
    # expense" with its employee side fallen beyond its sampling noise.
    warning: str | None = None
    movement: Movement | None = None

    @property
    def latest(self) -> BalancePoint | None:
        return self.trail[-1] if self.trail else None

    @property
    def travel(self) -> tuple[float, float] | None:
        """Change in employee and customer health over the trail."""
        if len(self.trail) < 2:
            return None
        first, last = self.trail[0], self.trail[-1]
        return last.employee - first.employee, last.customer - first.customer


@dataclass(frozen=True)
class Balance:
    """Every segment's balance, the whole organisation first, and how the axes are made."""

    employee_metrics: tuple[Metric, ...]
    customer_metrics: tuple[Metric, ...]
    teams: tuple[TeamBalance, ...]
    # Why there is nothing to show, when there is not (a metric with no scale).
    refused: str = ""

    @property
    def axes(self) -> str:
        """How the axes are made, in words."""
        return (
            f"Employee health: {_side_words(self.employee_metrics)}. Customer health: "
            f"{_side_words(self.customer_metrics)}. Each metric is scaled to 0 at its warn "
            "level, -1 at bad and +1 at its target; healthy is 0 or better."
        )

    @property
    def warnings(self) -> list[str]:
        return [team.warning for team in self.teams if team.warning]


def _side_words(metrics: Sequence[Metric]) -> str:
    labels = [metric.label for metric in metrics]
    return labels[0] if len(labels) == 1 else "the mean of " + ", ".join(labels)


def _unscalable(metrics: Sequence[Metric]) -> str:
    missing = [m.label for m in metrics if m.health_levels is None]
    if not missing:
        return ""
    verb = "needs" if len(missing) == 1 else "need"
    return (
        f"{', '.join(missing)} {verb} a target and warn and bad thresholds (target better "
        "than warn) to be placed on the balance screen; set them in the config's [[metrics]]."
    )


def team_balance(
    segment: str,
    employee: Sequence[Metric],
    customer: Sequence[Metric],
    series_of: SeriesOf,
    closed: Sequence[Period],
    trail_length: int,
) -> TeamBalance:
    """One segment over the `closed` periods (oldest first); its trail is the last
    `trail_length` of them that have both sides."""
    e_series = [series_of(m.id, segment) for m in employee]
    c_series = [series_of(m.id, segment) for m in customer]
    e_values = [values_on(s, closed) for s in e_series]
    c_values = [values_on(s, closed) for s in c_series]
    trail = []
    for t, period in enumerate(closed):
        e = side_health(employee, [values[t] for values in e_values])
        c = side_health(customer, [values[t] for values in c_values])
        if e is not None and c is not None:
            trail.append(BalancePoint(period, e, c))
    points = tuple(trail)
    warning, movement = _moved_into_employees_expense(
        segment, employee, customer, e_series, c_series, closed, points
    )
    return TeamBalance(segment, points[-trail_length:], warning, movement)


def _moved_into_employees_expense(
    segment: str,
    employee: Sequence[Metric],
    customer: Sequence[Metric],
    e_series: Sequence[Sequence[StoredObservation]],
    c_series: Sequence[Sequence[StoredObservation]],
    closed: Sequence[Period],
    trail: Sequence[BalancePoint],
) -> tuple[str | None, Movement | None]:
    """A warning when the latest closed period moved the team into "customers served at
    employees' expense" — employee health past its warn level while customer health
    holds — and some employee metric fell beyond its sampling noise (as any warning),
    while no customer metric did."""
    if len(trail) < 2 or trail[-1].period != closed[-1]:
        return None, None
    before, now = trail[-2], trail[-1]
    if now.quadrant != "employees_expense" or before.quadrant == "employees_expense":
        return None, None
    if now.customer < before.customer:
        return None, None  # customers did not hold
    fallen = [
        (metric, movement)
        for metric, series in zip(employee, e_series, strict=True)
        if (
            movement := worsened(
                samples_on(metric, series, closed), metric.direction == "higher_is_better"
            )
        )
        is not None
    ]
    customers_fell = any(
        worsened(samples_on(m, s, closed), m.direction == "higher_is_better")
        for m, s in zip(customer, c_series, strict=True)
    )
    if not fallen or customers_fell:
        return None, None
    metric, movement = max(fallen, key=lambda item: item[1].z)
    odds = odds_words(movement.chance)
    return (
        f'{segment_name(segment)} moved into "customers served at employees\' expense" in '
        f"{now.period.label}: employee health fell to {now.employee:+.2f} while customer "
        f"health held at {now.customer:+.2f}; {metric.label} fell beyond its sampling noise "
        f"(noise alone: {odds}).",
        movement,
    )


def _periods_needed(config: Config) -> int:
    """Closed periods the balance reads: its trail, and the warning's charts behind the
    latest (a baseline before an EWMA window, metrics.evidence)."""
    return max(config.balance.trail, PERIODS_USED)


def compute_balance(
    config: Config,
    series_of: SeriesOf,
    segments_of: Callable[[str], Sequence[str]],
    today: date,
) -> Balance:
    """Every segment's balance at the dashboard's period, the whole organisation first."""
    metrics = {metric.id: metric for metric in config.metrics}
    employee_ids, customer_ids = config.balance_sides()
    employee = tuple(metrics[i] for i in employee_ids)
    customer = tuple(metrics[i] for i in customer_ids)
    refused = _unscalable([*employee, *customer])
    if refused:
        return Balance(employee, customer, (), refused)
    granularity = config.dashboard.period
    closed = complete_periods(today, granularity, _periods_needed(config))
    names = set()
    for metric in (*employee, *customer):
        names |= set(segments_of(metric.id))
    teams = tuple(
        team_balance(segment, employee, customer, series_of, closed, config.balance.trail)
        for segment in [EVERYONE, *sorted(names, key=str.casefold)]
    )
    return Balance(employee, customer, teams)


def balance_from_store(config: Config, store: HistoryStore, today: date) -> Balance:
    """`compute_balance` over the store's series for the dashboard's period."""
    granularity = config.dashboard.period
    limit = _periods_needed(config) + 1  # and the one running
    return compute_balance(
        config,
        lambda metric_id, segment: store.series(metric_id, granularity, segment, limit=limit),
        lambda metric_id: store.segments(metric_id, granularity),
        today,
    )
