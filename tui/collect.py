"""`tandem collect`: the one process that reads vendor secrets, fetches and writes.

Pointed at a PostgreSQL store, one collector serves every screen: laptops, wall
screens and `tandem serve` read what it wrote and never call a vendor API, so
thirty screens cost the vendors what one does. It fetches each source on its own
schedule (tui.scheduler) and beats: every `beat_seconds` it records that it is
alive, with the last error among its sources, so a screen can say "collector last
wrote 3 min ago", or that it stopped. `--once` runs one cycle and exits, for cron
and for tests: 0 when every source was fetched, 1 when one failed.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Mapping

from tui.clock import Clock
from tui.config import Config
from tui.refresh import SourceOutcome
from tui.store import CollectorLock, CollectorStatus, HistoryStore, StoreError

# How often a running collector says it is alive; a screen calls it stopped after
# two missed beats (CollectorStatus.missed).
BEAT_SECONDS = 60.0


def collector_id() -> str:
    """Which collector this is, for the screens' strip: its host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _log(text: str) -> None:
    print(f"tandem collect: {text}", file=sys.stderr, flush=True)


def _outcome_line(outcome: SourceOutcome) -> str:
    if outcome.ok:
        return f"{outcome.source_id} ok, {outcome.records} records in {outcome.seconds:.1f} s"
    return f"{outcome.error}"  # already names the source, secrets redacted (tui.refresh)


def _first_error(errors: Mapping[str, str | None]) -> str | None:
    return next((error for error in errors.values() if error), None)


def _beat(store: HistoryStore, status: CollectorStatus) -> None:
    try:
        store.beat(status)
    except StoreError as error:  # the store is down: say so, try again at the next beat
        _log(f"could not record the heartbeat: {error}")


async def collect_once(config: Config, store: HistoryStore, clock: Clock) -> int:
    """Fetch every source once into the store and record one heartbeat."""
    from tui.refresh import refresh_sources
    from tui.sources import make_client

    started = clock()
    lock = store.collector_lock()
    if not lock.try_acquire():
        _log("another collector is writing this store: nothing to do")
        return 0
    try:
        async with make_client(config.dashboard.ca_bundle) as client:
            outcomes = await refresh_sources(config, config.sources, client, store, clock)
    finally:
        lock.release()
    for outcome in outcomes:
        _log(_outcome_line(outcome))
    errors = {outcome.source_id: outcome.error for outcome in outcomes}
    # Run by cron, the next cycle is due after the dashboard's refresh interval.
    every = config.dashboard.refresh_seconds
    _beat(store, CollectorStatus(collector_id(), started, clock(), every, _first_error(errors)))
    return 0 if all(outcome.ok for outcome in outcomes) else 1


async def collect_forever(
    config: Config, store: HistoryStore, clock: Clock, beat_seconds: float = BEAT_SECONDS
) -> None:
    """Fetch every source on its schedule, and beat, until cancelled; while another
    collector holds the store, stand by and take over when it stops."""
    identity = collector_id()
    lock = store.collector_lock()
    try:
        while True:
            if not lock.try_acquire():
                _log(
                    f"{identity} standing by: another collector is writing {store.path}; "
                    f"taking over within {beat_seconds:g} s of it stopping"
                )
                while not lock.try_acquire():
                    await asyncio.sleep(beat_seconds)
            _log(f"{identity} writing {store.path}, {len(config.sources)} sources")
            await _collect_while_held(config, store, clock, beat_seconds, identity, lock)
            _log(f"{identity} lost the store's lock: standing by")
    finally:
        lock.release()


async def _collect_while_held(
    config: Config,
    store: HistoryStore,
    clock: Clock,
    beat_seconds: float,
    identity: str,
    lock: CollectorLock,
) -> None:
    """Fetch and beat for as long as this collector holds the lock."""
    from tui.scheduler import Scheduler
    from tui.sources import make_client

    started = clock()
    errors: dict[str, str | None] = {}

    def landed(outcome: SourceOutcome) -> None:
        errors[outcome.source_id] = outcome.error
        _log(_outcome_line(outcome))

    async with make_client(config.dashboard.ca_bundle) as client:
        scheduler = Scheduler(
            config, client, store, on_start=lambda _: None, on_outcome=landed, clock=clock
        )
        fetching = asyncio.create_task(scheduler.run())
        try:
            while not fetching.done():
                if not lock.try_acquire():
                    return
                status = CollectorStatus(
                    identity, started, clock(), beat_seconds, _first_error(errors)
                )
                _beat(store, status)
                await asyncio.wait({fetching}, timeout=beat_seconds)
            fetching.result()  # a scheduler that ended by itself failed: say how
        finally:
            fetching.cancel()
