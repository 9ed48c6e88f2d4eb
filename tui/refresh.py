"""One refresh: sources → metrics → store. No Textual here; the app and the CLI both use it."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

import httpx

from tui.config import Config, Source
from tui.metrics.compute import Observation, compute_metric
from tui.periods import last_periods
from tui.sources import FetchResult, SourceError, fetch_records
from tui.store import Store

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


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

    @property
    def ok(self) -> bool:
        return self.error is None


def observe(
    config: Config, fetched: FetchResult, now: datetime
) -> tuple[list[Observation], Counter[str]]:
    """Every metric of the fetched source, over the dashboard's history window."""
    today = now.date()
    periods = last_periods(today, config.dashboard.period, config.dashboard.history_periods)
    observations: list[Observation] = []
    rejected: Counter[str] = Counter(fetched.skipped)
    for metric in config.metrics_of(fetched.source_id):
        result = compute_metric(metric, fetched.records, periods, today)
        observations.extend(result.observations)
        rejected.update({f"{metric.id}: {reason}": n for reason, n in result.rejected.items()})
    return observations, rejected


async def refresh_source(
    config: Config,
    source: Source,
    client: httpx.AsyncClient,
    store: Store,
    clock: Clock = utc_now,
    environ: Mapping[str, str] | None = None,
) -> SourceOutcome:
    """Fetch one source, compute its metrics and store them; a failure is stored as its error."""
    try:
        fetched = await fetch_records(source, client, environ)
    except SourceError as error:
        message = str(error)
    except Exception as error:  # a bug in one source must not stop the others
        message = f"{source.id}: unexpected {type(error).__name__}"
    else:
        now = clock()
        observations, rejected = observe(config, fetched, now)
        store.write_refresh(
            source.id, observations, now, len(fetched.records), fetched.pages, fetched.seconds
        )
        return SourceOutcome(
            source.id,
            records=len(fetched.records),
            pages=fetched.pages,
            seconds=fetched.seconds,
            rejected=rejected,
        )
    store.record_failure(source.id, message, clock())
    return SourceOutcome(source.id, error=message)


async def refresh_sources(
    config: Config,
    sources: Sequence[Source],
    client: httpx.AsyncClient,
    store: Store,
    clock: Clock = utc_now,
    environ: Mapping[str, str] | None = None,
) -> list[SourceOutcome]:
    """Refresh sources concurrently: a slow or failing one never holds up the others."""
    return list(
        await asyncio.gather(
            *(refresh_source(config, s, client, store, clock, environ) for s in sources)
        )
    )
