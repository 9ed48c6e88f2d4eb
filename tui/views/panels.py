"""What a metric panel and the status strip show, computed from stored observations.

Pure functions: the app's widgets and `tandem snapshot` both render these
values, so the screen and the JSON can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from tui.config import Config, Metric
from tui.metrics.compute import COMPLEMENT
from tui.metrics.display import (
    HISTORY_PERIODS,
    Status,
    change_amount,
    current_index,
    format_value,
    group_noun,
    threshold_status,
)
from tui.periods import Period, last_periods, period_of
from tui.store import SourceStatus, StoredObservation

if TYPE_CHECKING:
    from tui.collect.scheduler import SourceSchedule

Trend = Literal["up", "down", "flat"]


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


@dataclass(frozen=True)
class PeriodValue:
    """One period on a panel's time axis; `value` is None for no data or a suppressed group."""

    period_key: str
    period_start: date
    value: float | None
    n: int
    suppressed: int = 0  # 0 shown; else why hidden (metrics.compute.SMALL_GROUP, COMPLEMENT)


@dataclass(frozen=True)
class PanelView:
    """Everything one metric panel shows."""

    metric_id: str
    label: str
    side: str
    # The latest period with a value (or a suppressed one), and the period before it.
    current: PeriodValue | None
    previous: PeriodValue | None
    value_text: str
    period_label: str
    change: float | None
    change_text: str
    # "vs Oct 2026": what the change is measured against.
    compared_with: str
    # "12-period range 12 to 40": the sparkline's scale, which has no axis of its own.
    range_text: str
    trend: Trend | None
    # Whether the change is for the better given the metric's direction.
    improving: bool | None
    status: Status
    target: float | None
    target_text: str
    # "stale 2 h" while the metric's source is failing: the value is its last good one.
    stale_text: str
    # "fewer than 5 responses" when the current group is too small to show.
    suppressed_text: str
    # Oldest first, one entry per period of the axis, gaps included.
    history: tuple[PeriodValue, ...]

    @property
    def value(self) -> float | None:
        return None if self.current is None else self.current.value

    @property
    def n(self) -> int:
        return 0 if self.current is None else self.current.n


def _axis(
    stored: Sequence[StoredObservation], periods: Sequence[Period]
) -> tuple[PeriodValue, ...]:
    by_key = {o.period_key: o for o in stored}
    axis = []
    for period in periods:
        found = by_key.get(period.key)
        if found is None:
            axis.append(PeriodValue(period.key, period.start, None, 0))
        else:
            axis.append(
                PeriodValue(period.key, period.start, found.value, found.n, found.suppressed)
            )
    return tuple(axis)


def panel_view(
    metric: Metric,
    stored: Sequence[StoredObservation],
    periods: Sequence[Period],
    today: date,
    *,
    stale_text: str = "",
    anonymity_threshold: int = 5,
) -> PanelView:
    """The panel for `metric` from its stored series, on the time axis `periods` (oldest first)."""
    history = _axis(stored, periods)
    granularity = periods[-1].granularity if periods else "month"
    latest_index = current_index(history)
    current = None if latest_index is None else history[latest_index]
    previous = history[latest_index - 1] if latest_index else None
    value = None if current is None else current.value
    change = None
    if value is not None and previous is not None and previous.value is not None:
        change = value - previous.value
    trend: Trend | None = None
    improving: bool | None = None
    change_text = "no previous period" if value is not None else ""
    compared_with = ""
    if change is not None and previous is not None:
        rounded = round(change, metric.decimals)
        trend = "up" if rounded > 0 else "down" if rounded < 0 else "flat"
        arrow = {"up": "▲", "down": "▼", "flat": "■"}[trend]
        change_text = f"{arrow} {change_amount(abs(rounded), metric, short=True)}"
        compared_with = f"vs {period_of(previous.period_start, granularity).label}"
        if trend != "flat":
            improving = (trend == "up") == (metric.direction == "higher_is_better")
    values = [point.value for point in history if point.value is not None]
    range_text = ""
    if len(values) >= 2:
        low, high = format_value(min(values), metric), format_value(max(values), metric)
        range_text = f"{len(history)}-period range {low} to {high}"
    suppressed_text = ""
    if current is not None and current.suppressed == COMPLEMENT:
        # Its own group is large enough: showing it would reveal a smaller one.
        suppressed_text = f"hidden: would reveal a group under {anonymity_threshold}"
    elif current is not None and current.suppressed:
        suppressed_text = f"fewer than {anonymity_threshold} {group_noun(metric)}"
    period_label = "no data yet"
    if current is not None:
        period = period_of(current.period_start, granularity)
        period_label = f"{period.label} to date" if period.contains(today) else period.label
    return PanelView(
        metric_id=metric.id,
        label=metric.label,
        side=metric.side,
        current=current,
        previous=previous,
        value_text=format_value(value, metric),
        period_label=period_label,
        change=change,
        change_text=change_text,
        compared_with=compared_with,
        range_text=range_text,
        trend=trend,
        improving=improving,
        status=threshold_status(value, metric),
        target=metric.target,
        target_text=""
        if metric.target is None
        else f"target {format_value(metric.target, metric)}",
        stale_text=stale_text,
        suppressed_text=suppressed_text,
        history=history,
    )


def stale_text(status: SourceStatus | None, now: datetime) -> str:
    """'stale 2 h' when a source's latest fetch failed after an earlier success."""
    if status is None or not status.failing or status.last_ok_at is None:
        return ""
    return f"stale {format_age((now - status.last_ok_at).total_seconds())}"


def metric_views(
    config: Config,
    series_of: Callable[[str], Sequence[StoredObservation]],
    statuses: Mapping[str, SourceStatus],
    now: datetime,
) -> dict[str, PanelView]:
    """Every metric's panel, keyed by metric id."""
    today = now.date()
    periods = last_periods(today, config.dashboard.period, HISTORY_PERIODS)
    return {
        metric.id: panel_view(
            metric,
            series_of(metric.id),
            periods,
            today,
            stale_text=stale_text(statuses.get(metric.source), now),
            anonymity_threshold=config.dashboard.anonymity_threshold,
        )
        for metric in config.metrics
    }


@dataclass(frozen=True)
class PairView:
    caption: str
    employee: PanelView
    customer: PanelView


def pair_views(config: Config, views: Mapping[str, PanelView]) -> list[PairView]:
    """One view per configured pair, from `metric_views`."""
    return [
        PairView(pair.caption, views[pair.employee], views[pair.customer]) for pair in config.pairs
    ]


# ── Sources ──────────────────────────────────────────────────────────────

SourceState = Literal["ok", "stale", "error", "waiting", "refreshing"]

# A source that held good values and is being fetched again.
REFRESHING = "refreshing…"


@dataclass(frozen=True)
class SourceLine:
    """One source's entry in the status strip."""

    source_id: str
    state: SourceState
    text: str


# A fetch the collector started this long ago and never ended is not shown as under
# way: the collector stopped in it (its own line says so), or the clock moved.
FETCH_SHOWN_FOR = timedelta(minutes=15)


def _collector_fetching(status: SourceStatus | None, now: datetime) -> bool:
    """Whether the store says a fetch of the source is under way now."""
    since = None if status is None else status.fetching_since
    return since is not None and timedelta(0) <= now - since <= FETCH_SHOWN_FOR


def fetch_under_way(statuses: Mapping[str, SourceStatus], now: datetime) -> bool:
    """Whether the store says the collector is fetching any source now."""
    return any(_collector_fetching(status, now) for status in statuses.values())


def source_line(
    source_id: str,
    status: SourceStatus | None,
    schedule: SourceSchedule | None,
    now: datetime,
) -> SourceLine:
    """ok with its time, stale since its last success with the error, or the error alone;
    "refreshing…" while this process's scheduler, or the collector writing the store,
    fetches it."""
    refreshing = (schedule is not None and schedule.refreshing) or _collector_fetching(status, now)
    if status is None or (status.last_ok_at is None and status.last_error_at is None):
        return SourceLine(source_id, "refreshing" if refreshing else "waiting", "waiting for data")
    if status.failing:
        # Errors start with the source id, which the strip already shows.
        text = (status.last_error or "failed").removeprefix(f"{source_id}: ")
        if schedule is not None and schedule.circuit_open and schedule.retry_in is not None:
            text += (
                f" · paused after {schedule.consecutive_failures} failures, "
                f"next try in {format_age(schedule.retry_in).replace('just now', 'under a min')}"
            )
        if status.last_ok_at is None:
            return SourceLine(source_id, "error", text)
        age = format_age((now - status.last_ok_at).total_seconds())
        since = clock_time(status.last_ok_at)
        return SourceLine(source_id, "stale", f"stale since {since} ({age}) — {text}")
    if refreshing:
        return SourceLine(source_id, "refreshing", REFRESHING)
    assert status.last_ok_at is not None
    text = f"ok {clock_time(status.last_ok_at)}"
    if status.skipped:
        text += f" · {status.skipped} skipped"
    return SourceLine(source_id, "ok", text)
