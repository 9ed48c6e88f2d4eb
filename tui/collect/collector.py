"""`tandem collect`: the one process that reads vendor secrets, fetches and writes.

Pointed at a PostgreSQL store, one collector serves every screen: laptops, wall
screens and `tandem serve` read what it wrote and never call a vendor API, so
thirty screens cost the vendors what one does. It fetches each source on its own
schedule (tui.collect.scheduler) and beats: every `beat_seconds` it records that it is
alive, with the last error among its sources, so a screen can say "collector last
wrote 3 min ago", or that it stopped. `--once` runs one cycle and exits, for cron
and for tests: 0 when every source was fetched, 1 when one failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from tui.analysis.stored import Analyst, write_analyses
from tui.clock import Clock
from tui.collect.refresh import SourceOutcome
from tui.config import Config
from tui.store import CollectorLock, CollectorStatus, HistoryStore, StoreError

if TYPE_CHECKING:
    from tui.collect.scheduler import Scheduler, SourceSchedule

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
    return f"{outcome.error}"  # already names the source, secrets redacted (tui.collect.refresh)


def _first_error(errors: Mapping[str, str | None]) -> str | None:
    return next((error for error in errors.values() if error), None)


def _beat(store: HistoryStore, status: CollectorStatus) -> None:
    try:
        store.beat(status)
    except StoreError as error:  # the store is down: say so, try again at the next beat
        _log(f"could not record the heartbeat: {error}")


async def collect_once(config: Config, store: HistoryStore, clock: Clock) -> int:
    """Fetch every source once into the store and record one heartbeat."""
    from tui.collect.refresh import refresh_sources
    from tui.sources import client_for

    started = clock()
    lock = store.collector_lock()
    if not lock.try_acquire():
        _log("another collector is writing this store: nothing to do")
        return 0
    try:
        async with client_for(config) as client:
            outcomes = await refresh_sources(config, config.sources, client, store, clock)
    finally:
        lock.release()
    for outcome in outcomes:
        _log(_outcome_line(outcome))
    try:
        write_analyses(config, store, clock())
    except StoreError as error:
        _log(f"could not store the analysis: {error}")
    errors = {outcome.source_id: outcome.error for outcome in outcomes}
    # Run by cron, the next cycle is due after the dashboard's refresh interval.
    every = config.dashboard.refresh_seconds
    _beat(store, CollectorStatus(collector_id(), started, clock(), every, _first_error(errors)))
    return 0 if all(outcome.ok for outcome in outcomes) else 1


async def collect_forever(
    config: Config,
    store: HistoryStore,
    clock: Clock,
    beat_seconds: float = BEAT_SECONDS,
    parent: int | None = None,
) -> None:
    """Fetch every source on its schedule, and beat, until cancelled; while another
    collector holds the store, stand by and take over when it stops. With `parent`,
    stop within a second of that process ending, however it ends."""
    if parent is not None:
        _stop_when_orphaned(parent)
    # SIGTERM (`systemctl stop`, the dashboard quitting) stops it as Ctrl-C does: the
    # fetches end before the process does.
    main = asyncio.current_task()
    if main is not None:
        _on_signal("SIGTERM", main.cancel)
    await _collect_forever(config, store, clock, beat_seconds)


def _on_signal(name: str, callback: Callable[[], object]) -> None:
    """Call `callback` on the running loop when signal `name` arrives. Only a main
    thread on POSIX can take signals: elsewhere this does nothing."""
    number = getattr(signal, name, None)
    if number is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(number, callback)


def _stop_when_orphaned(parent: int) -> None:
    """End this process within half a second of `parent` ending, whatever it is doing.

    A thread, not a task: parsing a large page or computing the analysis holds the
    event loop for seconds, and a dead dashboard's collector must not go on fetching.
    Ending abruptly loses nothing: each write is one transaction, and the kernel lets
    go of the collector's lock.
    """

    def watch() -> None:
        # A dead parent's children are adopted: their parent process changes.
        while os.getppid() == parent:
            time.sleep(0.5)
        _log(f"the dashboard (process {parent}) ended: stopping")
        os._exit(0)

    threading.Thread(target=watch, name="tandem-orphan-watch", daemon=True).start()


async def _collect_forever(
    config: Config, store: HistoryStore, clock: Clock, beat_seconds: float
) -> None:
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
    from tui.collect.scheduler import Scheduler
    from tui.sources import client_for

    started = clock()
    errors: dict[str, str | None] = {}

    def landed(outcome: SourceOutcome) -> None:
        errors[outcome.source_id] = outcome.error
        _log(_outcome_line(outcome))

    # Each landing's analysis is stored for every screen before it is logged.
    analyst = Analyst(config, store, clock, then=landed, log=_log)
    async with client_for(config) as client:
        scheduler = Scheduler(
            config, client, store, on_start=lambda _: None, on_outcome=analyst.landed, clock=clock
        )
        fetching = asyncio.create_task(scheduler.run())
        # SIGUSR1: fetch every source now (the dashboard's `r`, when this collector is
        # its own process).
        _on_signal("SIGUSR1", scheduler.refresh_now)
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
            await _stop(fetching)


async def _stop(task: asyncio.Task[None], seconds: float = 10.0) -> None:
    """Cancel `task` and wait until it has ended, so that no fetch goes on under a
    client about to close (Ctrl-C mid-fetch)."""
    task.cancel()
    await asyncio.wait({task}, timeout=seconds)
    if task.done() and not task.cancelled():
        task.exception()  # retrieved: a fetch's error was logged as its outcome


class BackgroundCollector:
    """The one-machine collector: the scheduler on an event loop of its own, in a thread,
    writing through a store connection of its own. Fetching, parsing and computing the
    observations never run on the dashboard's event loop, so none of it delays a key;
    the callbacks are called in this thread (Textual's post_message is safe there).
    """

    def __init__(
        self,
        config: Config,
        open_store: Callable[[], HistoryStore],
        clock: Clock,
        *,
        on_start: Callable[[str], object],
        on_outcome: Callable[[SourceOutcome], object],
    ) -> None:
        self.config = config
        # Opened in the thread: a SQLite connection serves the thread that made it.
        self.open_store = open_store
        self.clock = clock
        self.on_start = on_start
        self.on_outcome = on_outcome
        self.scheduler: Scheduler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name="tandem-collector", daemon=True)
        self.error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # reported by `error`, never a thread traceback
            self.error = error

    async def _main(self) -> None:
        from tui.collect.scheduler import Scheduler
        from tui.sources import client_for

        store = self.open_store()
        # The screen is told of a landing once the analysis that includes it is stored.
        analyst = Analyst(self.config, store, self.clock, then=self.on_outcome)
        async with client_for(self.config) as client:
            self.scheduler = Scheduler(
                self.config,
                client,
                store,
                on_start=self.on_start,
                on_outcome=analyst.landed,
                clock=self.clock,
            )
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
            try:
                await self.scheduler.run()
            except asyncio.CancelledError:
                pass
            finally:
                store.close()

    def refresh_now(self) -> None:
        """Fetch every source now (a person asked), from any thread."""
        if self._loop is not None and self.scheduler is not None:
            self._loop.call_soon_threadsafe(self.scheduler.refresh_now)

    def schedule_of(self, source_id: str) -> SourceSchedule | None:
        """What the strip shows of a source's schedule; None until the thread runs."""
        scheduler = self.scheduler
        return None if scheduler is None else scheduler.schedule_of(source_id)

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel the fetching, close its client and store, and wait for the thread."""
        if self._loop is not None and self._task is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout)
