"""A screen's data, read from the store: the panels of the segment on show, the analysis
the collector stored, a segment table, a pair's detail, the balance and the internal
service.

A screen reads the analysis the collector stored for today when it is given one to
read (`stored`); otherwise, or where none was stored today, it computes the same
analysis here from the same series, so what it shows never depends on which did.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from tui.analysis.insights import LINKAGE_PERIODS, Insights, SeriesOf, insights_from_store
from tui.config import Config
from tui.metrics.display import HISTORY_PERIODS
from tui.store import HistoryStore, SourceStatus, StoredObservation
from tui.views.detail import PairDetail, pair_detail
from tui.views.panels import PairView, PanelView, metric_views, pair_views
from tui.views.segments import SegmentTable, segment_table

if TYPE_CHECKING:
    from tui.analysis.balance import Balance
    from tui.analysis.internal import InternalService
    from tui.analysis.stored import Analysis


@dataclass(frozen=True)
class DashboardData:
    """What the dashboard shows of the store: one view per pair, the insights and the
    balance they warn from."""

    pairs: list[PairView]
    insights: Insights
    balance: Balance
    # Every metric's panel, keyed by metric id (the snapshot prints them all).
    panels: Mapping[str, PanelView]
    segment: str = ""
    # The collector's analysis these came from; None when they were computed here.
    analysis: Analysis | None = None


def stored_analysis(config: Config, store: HistoryStore, today: date) -> Analysis | None:
    """The analysis the collector stored today for the config's period, if any."""
    from tui.analysis.stored import read_analysis

    return read_analysis(store, config.dashboard.period, today)


def read_dashboard(
    config: Config,
    store: HistoryStore,
    statuses: Mapping[str, SourceStatus],
    now: datetime,
    *,
    segment: str = "",
    stored: bool,
) -> DashboardData:
    """Every panel of `segment` ("" is the whole organisation) and the insights, with
    the balance's warnings among them: a team moving into "customers served at
    employees' expense" warns on the dashboard too, not only on the balance screen."""
    granularity = config.dashboard.period
    analysis = stored_analysis(config, store, now.date()) if stored else None
    # Each series is read once, for the panels and the insights alike (panels pick
    # their periods by key, so the longer history linkage uses does them no harm).
    limit = max(config.dashboard.history_periods, HISTORY_PERIODS)
    if analysis is None:
        limit = max(limit, LINKAGE_PERIODS)

    @functools.cache
    def series_of(metric_id: str, group: str) -> list[StoredObservation]:
        return store.series(metric_id, granularity, group, limit=limit)

    views = metric_views(config, lambda metric_id: series_of(metric_id, segment), statuses, now)
    if analysis is not None:
        insights, balance = analysis.insights, analysis.balance
    else:
        from tui.analysis.balance import compute_balance

        insights = insights_from_store(config, store, now.date(), series_of)
        balance = compute_balance(
            config, series_of, lambda metric_id: store.segments(metric_id, granularity), now.date()
        )
    insights = dataclasses.replace(insights, balance_warnings=tuple(balance.warnings))
    return DashboardData(pair_views(config, views), insights, balance, views, segment, analysis)


def _series_reader(config: Config, store: HistoryStore) -> SeriesOf:
    granularity, limit = config.dashboard.period, config.dashboard.history_periods
    return lambda metric_id, segment: store.series(metric_id, granularity, segment, limit=limit)


def read_segments(
    config: Config, store: HistoryStore, insights: Insights, today: date
) -> SegmentTable:
    """Every segment's pair side by side, for the insights on show."""
    series_of = _series_reader(config, store)
    return segment_table(config, insights, series_of, today)


def read_detail(
    config: Config,
    store: HistoryStore,
    insights: Insights,
    today: date,
    pair_index: int,
    segment: str,
) -> PairDetail:
    """One pair in one segment, from the same insights the dashboard shows."""
    return pair_detail(config, insights, _series_reader(config, store), today, pair_index, segment)


def read_internal(
    config: Config, store: HistoryStore, today: date, analysis: Analysis | None
) -> InternalService:
    """The internal service: the collector's, in the `analysis` a screen read
    (DashboardData.analysis), else computed here."""
    if analysis is not None:
        return analysis.internal
    from tui.analysis.internal import internal_from_store

    return internal_from_store(config, store, today)
