"""What a metric panel shows, computed from stored observations.

Pure functions: the app's widgets and `tandem snapshot` both render these
values, so the screen and the JSON can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from tui.config import Config, Metric
from tui.periods import period_of
from tui.store import SourceStatus, StoredObservation

Status = Literal["good", "warn", "bad", "none"]
Trend = Literal["up", "down", "flat"]

HISTORY_PERIODS = 12


def threshold_status(value: float | None, metric: Metric) -> Status:
    """good, warn or bad by the metric's thresholds and direction.

    The thresholds are edges: reaching the warn level is still good, and
    reaching the bad level is still warn.
    """
    if value is None or metric.thresholds is None:
        return "none"
    warn, bad = metric.thresholds.warn, metric.thresholds.bad
    if metric.direction == "higher_is_better":
        return "bad" if value < bad else "warn" if value < warn else "good"
    return "bad" if value > bad else "warn" if value > warn else "good"


def format_value(value: float | None, metric: Metric) -> str:
    if value is None:
        return "—"
    return f"{value:.{metric.decimals}f}{metric.unit}"


@dataclass(frozen=True)
class PeriodValue:
    period_key: str
    period_start: date
    value: float | None
    n: int


@dataclass(frozen=True)
class PanelView:
    """Everything one metric panel shows."""

    metric_id: str
    label: str
    side: str
    # The latest period with a value, and the period just before it.
    current: PeriodValue | None
    previous: PeriodValue | None
    value_text: str
    period_label: str
    change: float | None
    change_text: str
    # "vs Oct 2026": what the change is measured against.
    compared_with: str
    # "range 12 to 40": the sparkline's scale, which has no axis of its own.
    range_text: str
    trend: Trend | None
    # Whether the change is for the better given the metric's direction.
    improving: bool | None
    status: Status
    target: float | None
    target_text: str
    history: tuple[PeriodValue, ...]

    @property
    def value(self) -> float | None:
        return None if self.current is None else self.current.value

    @property
    def n(self) -> int:
        return 0 if self.current is None else self.current.n


def _period_label(stored: PeriodValue, granularity: str, today: date) -> str:
    period = period_of(stored.period_start, granularity)  # type: ignore[arg-type]
    return f"{period.label} to date" if period.contains(today) else period.label


def panel_view(
    metric: Metric, stored: list[StoredObservation], granularity: str, today: date
) -> PanelView:
    """The panel for `metric`, from its stored series (oldest first)."""
    history = tuple(PeriodValue(o.period_key, o.period_start, o.value, o.n) for o in stored)[
        -HISTORY_PERIODS:
    ]
    # The current value is the latest period that has one; empty periods are skipped.
    latest_index = next(
        (i for i in range(len(history) - 1, -1, -1) if history[i].value is not None), None
    )
    current = None if latest_index is None else history[latest_index]
    previous = history[latest_index - 1] if latest_index else None
    change = None
    if current is not None and previous is not None and previous.value is not None:
        change = current.value - previous.value  # type: ignore[operator]
    trend: Trend | None = None
    improving: bool | None = None
    change_text = "no previous period" if current is not None else ""
    if change is not None:
        rounded = round(change, metric.decimals)
        trend = "up" if rounded > 0 else "down" if rounded < 0 else "flat"
        arrow = {"up": "▲", "down": "▼", "flat": "■"}[trend]
        # A change in a percentage is in percentage points.
        unit = " pts" if metric.unit == "%" else metric.unit
        change_text = f"{arrow} {abs(rounded):.{metric.decimals}f}{unit}"
        if trend != "flat":
            improving = (trend == "up") == (metric.direction == "higher_is_better")
    values = [point.value for point in history if point.value is not None]
    range_text = (
        f"{len(history)}-period range {format_value(min(values), metric)} to "
        f"{format_value(max(values), metric)}"
        if len(values) >= 2
        else ""
    )
    compared_with = ""
    if change is not None and previous is not None:
        compared_with = f"vs {period_of(previous.period_start, granularity).label}"  # type: ignore[arg-type]
    return PanelView(
        metric_id=metric.id,
        label=metric.label,
        side=metric.side,
        current=current,
        previous=previous,
        value_text=format_value(None if current is None else current.value, metric),
        period_label="no data yet"
        if current is None
        else _period_label(current, granularity, today),
        change=change,
        change_text=change_text,
        compared_with=compared_with,
        range_text=range_text,
        trend=trend,
        improving=improving,
        status=threshold_status(None if current is None else current.value, metric),
        target=metric.target,
        target_text=_target_text(metric),
        history=history,
    )


def _target_text(metric: Metric) -> str:
    return "" if metric.target is None else f"target {format_value(metric.target, metric)}"


@dataclass(frozen=True)
class PairView:
    caption: str
    employee: PanelView
    customer: PanelView


def pair_views(
    config: Config, series_of: Callable[[str], list[StoredObservation]], today: date
) -> list[PairView]:
    """One view per configured pair; `series_of(metric_id)` reads the stored series."""
    granularity = config.dashboard.period
    views = []
    for pair in config.pairs:
        employee, customer = config.metric(pair.employee), config.metric(pair.customer)
        views.append(
            PairView(
                pair.caption,
                panel_view(employee, series_of(employee.id), granularity, today),
                panel_view(customer, series_of(customer.id), granularity, today),
            )
        )
    return views


# ── Sources ──────────────────────────────────────────────────────────────

SourceState = Literal["ok", "stale", "error", "waiting", "refreshing"]


@dataclass(frozen=True)
class SourceLine:
    """One source's entry in the status strip."""

    source_id: str
    state: SourceState
    text: str


def format_age(seconds: float) -> str:
    """A short age for people: 'just now', '4 min', '2 h', '3 d'."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 86_400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86_400)} d"


def clock_time(moment: datetime) -> str:
    """A time of day in the viewer's local time zone."""
    return moment.astimezone().strftime("%H:%M")


def source_line(
    source_id: str, status: SourceStatus | None, refreshing: bool, now: datetime
) -> SourceLine:
    """ok with its time, stale since its last success with the error, or the error alone."""
    if status is None:
        return SourceLine(source_id, "refreshing" if refreshing else "waiting", "waiting for data")
    if status.failing:
        # Errors start with the source id, which the strip already shows.
        error = (status.last_error or "failed").removeprefix(f"{source_id}: ")
        if status.last_ok_at is None:
            return SourceLine(source_id, "error", error)
        age = format_age((now - status.last_ok_at).total_seconds())
        since = clock_time(status.last_ok_at)
        return SourceLine(source_id, "stale", f"stale since {since} ({age}) — {error}")
    if refreshing:
        return SourceLine(source_id, "refreshing", "refreshing…")
    assert status.last_ok_at is not None
    return SourceLine(source_id, "ok", f"ok {clock_time(status.last_ok_at)}")
