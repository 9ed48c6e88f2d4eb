"""When each source is fetched: its own schedule, and a circuit for sources that keep failing.

Every source runs in its own task, so a slow or hanging source never holds up
another: each outcome is reported the moment it lands. The next fetch of a
source is scheduled only after its previous one finished, so fetches of one
source never overlap. No Textual here; the app wires the callbacks to messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from tui.clock import Clock, utc_now, within
from tui.collect.refresh import SourceOutcome, refresh_source
from tui.config import Config, Source
from tui.store import HistoryStore

Monotonic = Callable[[], float]

# An incremental refresh catches late edits within its overlap; a daily full one
# catches the rest.
FULL_REFRESH_SECONDS = 24 * 3600


@dataclass
class Circuit:
    """Stops calling a source that keeps failing, then probes it now and then.

    Closed: every scheduled fetch runs. After `failures_to_open` failures in a
    row it opens for `open_seconds`; when that has passed one probe is let
    through (half-open). A probe that fails opens it again for twice as long,
    up to `max_open_seconds`; any success closes it.
    """

    failures_to_open: int
    open_seconds: float
    max_open_seconds: float = 3600.0
    consecutive_failures: int = 0
    opened_at: float | None = None
    open_for: float = 0.0

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def retry_at(self) -> float | None:
        """When the next probe may go, or None while closed."""
        return None if self.opened_at is None else self.opened_at + self.open_for

    def allows(self, now: float) -> bool:
        retry_at = self.retry_at()
        return retry_at is None or now >= retry_at

    def record_success(self) -> None:
        self.consecutive_failures = 0
        self.opened_at = None
        self.open_for = 0.0

    def record_failure(self, now: float) -> None:
        self.consecutive_failures += 1
        if self.opened_at is not None:
            self.open_for = min(self.open_for * 2, self.max_open_seconds)
            self.opened_at = now
        elif self.consecutive_failures >= self.failures_to_open:
            self.open_for = min(self.open_seconds, self.max_open_seconds)
            self.opened_at = now


@dataclass(frozen=True)
class SourceSchedule:
    """What the status strip needs from the scheduler about one source."""

    refreshing: bool
    circuit_open: bool
    consecutive_failures: int
    # Seconds from now until the next probe of an open circuit.
    retry_in: float | None


class Scheduler:
    """Runs every source on its own schedule until cancelled."""

    def __init__(
        self,
        config: Config,
        client: httpx.AsyncClient,
        store: HistoryStore,
        *,
        on_start: Callable[[str], object],
        on_outcome: Callable[[SourceOutcome], object],
        clock: Clock = utc_now,
        monotonic: Monotonic = time.monotonic,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.client = client
        self.store = store
        self.on_start = on_start
        self.on_outcome = on_outcome
        self.clock = clock
        self.monotonic = monotonic
        self.environ = environ
        self.circuits = {
            s.id: Circuit(s.circuit_after_failures, s.circuit_open_seconds) for s in config.sources
        }
        self._wake = {s.id: asyncio.Event() for s in config.sources}
        self._forced: set[str] = set()
        self._refreshing: set[str] = set()
        self._last_full: dict[str, float] = {}

    async def run(self) -> None:
        await asyncio.gather(*(self._run_source(source) for source in self.config.sources))

    def refresh_now(self) -> None:
        """Fetch every source now, open circuits included (a person asked)."""
        for source_id, wake in self._wake.items():
            self._forced.add(source_id)
            wake.set()

    def schedule_of(self, source_id: str) -> SourceSchedule:
        circuit = self.circuits[source_id]
        retry_at = circuit.retry_at()
        return SourceSchedule(
            refreshing=source_id in self._refreshing,
            circuit_open=circuit.is_open,
            consecutive_failures=circuit.consecutive_failures,
            retry_in=None if retry_at is None else max(0.0, retry_at - self.monotonic()),
        )

    async def _run_source(self, source: Source) -> None:
        circuit = self.circuits[source.id]
        wake = self._wake[source.id]
        while True:
            forced = source.id in self._forced
            self._forced.discard(source.id)
            wake.clear()
            if forced or circuit.allows(self.monotonic()):
                await self._refresh(source, circuit, forced)
            await self._sleep_until_due(source, circuit, wake)

    async def _refresh(self, source: Source, circuit: Circuit, forced: bool = False) -> None:
        self._refreshing.add(source.id)
        self.on_start(source.id)
        # Full on the first refresh, on `r`, and once a day; incremental in between.
        last_full = self._last_full.get(source.id)
        full = forced or last_full is None or self.monotonic() - last_full > FULL_REFRESH_SECONDS
        try:
            outcome = await refresh_source(
                self.config, source, self.client, self.store, self.clock, self.environ, full
            )
        except Exception as error:  # a source's cycle never ends its worker
            outcome = SourceOutcome(
                source.id, error=f"{source.id}: unexpected {type(error).__name__}", stored=False
            )
        finally:
            self._refreshing.discard(source.id)
        if outcome.ok:
            circuit.record_success()
            if full:
                self._last_full[source.id] = self.monotonic()
        else:
            circuit.record_failure(self.monotonic())
        self.on_outcome(outcome)

    async def _sleep_until_due(self, source: Source, circuit: Circuit, wake: asyncio.Event) -> None:
        retry_at = circuit.retry_at()
        if retry_at is not None:
            wait = retry_at - self.monotonic()
        else:
            wait = self.config.refresh_seconds_of(source)
        with contextlib.suppress(asyncio.TimeoutError):
            await within(max(0.0, wait), wake.wait())
