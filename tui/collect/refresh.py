"""One refresh: sources → metrics → store. No Textual here; the app and the CLI both use it."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import httpx

from tui.clock import Clock, utc_now, within
from tui.config import Config, DateFiltered, Source
from tui.metrics.compute import Observation, compute_metric_each
from tui.metrics.privacy import protect_small_groups
from tui.periods import Granularity, last_periods, period_of
from tui.sources import FetchResult, SourceError, fetch_records
from tui.sources.kinds import secrets_of
from tui.store import HistoryStore, SourceStatus, StoreWriteError

GRANULARITIES: tuple[Granularity, ...] = ("week", "month", "quarter")


@dataclass
class SourceOutcome:
    """What one source's refresh did: records and pages on success, or its error."""

    source_id: str
    error: str | None = None
    records: int = 0
    pages: int = 0
    seconds: float = 0.0
    # Records or items left out, by reason: a bad value is never stored as a number.
    rejected: Counter[str] = field(default_factory=Counter)
    # False when even the error could not be written to the store: the screen shows
    # it from this outcome, as the store cannot say so.
    stored: bool = True

    @property
    def ok(self) -> bool:
        return self.error is None


class BadPayload(Exception):
    """A response that parsed but cannot be right, such as every record rejected."""


def observe(
    config: Config, fetched: FetchResult, now: datetime, since_day: date | None = None
) -> tuple[list[Observation], Counter[str]]:
    """Every metric of the fetched source, over the dashboard's history window; after an
    incremental fetch, only the periods from `since_day` on, which it fetched whole.

    Raises BadPayload when a metric had records and every one was rejected: a
    changed payload must fail visibly, not store empty periods.
    """
    today = now.date()
    observations: list[Observation] = []
    rejected: Counter[str] = Counter(fetched.skipped)
    # Every granularity is stored, so the period selector needs no refetch; the
    # dashboard's own comes first, and its rejections are the ones reported.
    own = config.dashboard.period
    granularities = (own, *(g for g in GRANULARITIES if g != own))
    history = config.dashboard.history_periods
    stored = {period.key for g in GRANULARITIES for period in last_periods(today, g, history)}
    for metric in config.metrics_of(fetched.source_id):
        protected = metric.side != "customer"  # employees answer both
        windows = [
            last_periods(
                today,
                granularity,
                protection_window(granularity, history) if protected else history,
            )
            for granularity in granularities
        ]
        # Each record read once for every granularity; the dashboard's own comes first.
        computed = compute_metric_each(metric, fetched.received, windows, today)
        result = computed[0]
        metric_observations = [o for each in computed for o in each.observations]
        if result.rejected and result.used == 0:
            reason, count = result.rejected.most_common(1)[0]
            raise BadPayload(
                f"{fetched.source_id}: every record for {metric.id} was rejected "
                f"({count}× {reason})"
            )
        if since_day is not None:
            metric_observations = [o for o in metric_observations if o.period.start >= since_day]
        if protected:
            metric_observations = [
                o
                for o in protect_small_groups(
                    metric_observations, config.dashboard.anonymity_threshold, today
                )
                if o.period.key in stored
            ]
        observations.extend(metric_observations)
        rejected.update({f"{metric.id}: {reason}": n for reason, n in result.rejected.items()})
    return observations, rejected


def protection_window(granularity: Granularity, history: int) -> int:
    """How many periods of `granularity` disclosure control weighs, for `history` stored.

    Every month of every stored quarter, and every week of every stored month: a
    month no longer stored was shown in an earlier export, so it must count in its
    quarter's subtraction as it did then (metrics.privacy).
    """
    if granularity == "month":
        return 3 * history
    if granularity == "week":
        return 5 * history + 2
    return history


def require_records(fetched: FetchResult, previous: int | None) -> None:
    """Refuse a fetch that read nothing usable, so that it is never called ok.

    Every item skipped (a renamed field, a changed payload) or no records where the
    last refresh had some (`previous`; None when there is nothing to compare with,
    such as an incremental fetch) is a failure: the last good values stay, marked
    stale, and the status says "0 usable records (was 412)".
    """
    if fetched.received:
        return
    skipped = sum(fetched.skipped.values())
    if skipped:
        reason, count = fetched.skipped.most_common(1)[0]
        raise BadPayload(
            f"{fetched.source_id}: 0 usable records ({skipped} skipped: {count}× {reason})"
        )
    if previous:
        raise BadPayload(f"{fetched.source_id}: 0 usable records (was {previous})")


def redact(message: str, source: Source, environ: Mapping[str, str]) -> str:
    """The message with any of the source's secrets blanked out: a second line of defence."""
    for secret in secrets_of(source, environ):
        message = message.replace(secret, "•••")
    return message


def incremental_since(source: Source, status: SourceStatus | None, full: bool) -> datetime | None:
    """Where an incremental fetch starts, or None for a full one.

    Take the moment (the last successful fetch − the source's overlap) and every
    period of every stored granularity that holds it; the fetch starts where the
    earliest of them starts. Every period that a new or late-edited record can
    fall in then starts on or after that day, so it is fetched whole and
    recomputed, and no period is stored from part of its records.
    """
    if full or not isinstance(source, DateFiltered):
        return None
    if status is None or status.last_ok_at is None:
        return None
    moment = (status.last_ok_at - timedelta(days=source.overlap_days)).astimezone(timezone.utc)
    start = min(period_of(moment.date(), granularity).start for granularity in GRANULARITIES)
    return datetime.combine(start, datetime.min.time(), tzinfo=timezone.utc)


def _note_fetch_start(store: HistoryStore, source_id: str, at: datetime) -> None:
    """Tell the screens reading the store that this source is being fetched. A store
    that cannot be written now does not hold the fetch up: its outcome is written, or
    reported, when it ends."""
    with contextlib.suppress(StoreWriteError):
        store.record_fetch_start(source_id, at)


async def refresh_source(
    config: Config,
    source: Source,
    client: httpx.AsyncClient,
    store: HistoryStore,
    clock: Clock = utc_now,
    environ: Mapping[str, str] | None = None,
    full: bool = True,
) -> SourceOutcome:
    """Fetch one source, compute its metrics and store them; a failure is stored as its error.

    With `full` false, a source whose API filters by date fetches only what is new
    (see `incremental_since`). A failure never touches the source's stored values:
    the last good ones stay.
    """
    environ = os.environ if environ is None else environ
    try:
        status = store.status_of(source.id)
        _note_fetch_start(store, source.id, clock())
        since = incremental_since(source, status, full)
        deadline = getattr(source, "deadline_seconds", None)
        try:
            fetched = await within(deadline, fetch_records(source, client, environ, since))
        except asyncio.TimeoutError:
            raise SourceError(
                f"{source.id}: the refresh did not finish within deadline_seconds = {deadline:g} s"
            ) from None
        # Compared only with a refresh of the same window: a full one.
        require_records(fetched, status.records if status and since is None else None)
        now = clock()
        observations, rejected = observe(config, fetched, now, since.date() if since else None)
    except (SourceError, BadPayload) as error:
        message = str(error)
    except Exception as error:  # a bug in one source must not stop the others
        message = f"{source.id}: unexpected {type(error).__name__}"
    else:
        try:
            store.write_refresh(
                source.id,
                observations,
                now,
                len(fetched.received),
                fetched.pages,
                fetched.seconds,
                skipped=sum(rejected.values()),
            )
        except StoreWriteError as error:
            # The fetch worked; its values wait for the next refresh. The failure is
            # not written either (the store is what failed): the outcome carries it.
            return SourceOutcome(source.id, error=f"{source.id}: {error}", stored=False)
        return SourceOutcome(
            source.id,
            records=len(fetched.received),
            pages=fetched.pages,
            seconds=fetched.seconds,
            rejected=rejected,
        )
    message = redact(message, source, environ)
    try:
        store.record_failure(source.id, message, clock())
    except StoreWriteError as error:
        return SourceOutcome(source.id, error=f"{message} (and {error})", stored=False)
    return SourceOutcome(source.id, error=message)


async def refresh_sources(
    config: Config,
    sources: Sequence[Source],
    client: httpx.AsyncClient,
    store: HistoryStore,
    clock: Clock = utc_now,
    environ: Mapping[str, str] | None = None,
) -> list[SourceOutcome]:
    """Refresh sources concurrently: a slow or failing one never holds up the others."""
    return list(
        await asyncio.gather(
            *(refresh_source(config, s, client, store, clock, environ) for s in sources)
        )
    )
