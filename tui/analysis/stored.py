"""What the collector computes once for every screen, per granularity: linkage and
warnings (insights.py), the balance (balance.py) and the internal service (internal.py).

The collector stores it as JSON beside the observations it came from; a screen reads
it rather than computing it again, so thirty screens do the statistics once, and a
screen's update is a read (tests/bench). pydantic's TypeAdapter writes the
dataclasses and reads them back exactly (a test checks that the read equals the
computation) and validates what it reads: a payload in another format, or computed
for another day, is not used, and the screen computes for itself instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from tui.analysis.balance import Balance, balance_from_store
from tui.analysis.insights import Insights, LinkageMemo, insights_from_store
from tui.analysis.internal import InternalService, internal_from_store
from tui.clock import Clock
from tui.config import Config
from tui.periods import Granularity
from tui.store import HistoryStore, StoredAnalysis, StoreError

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from tui.collect.refresh import SourceOutcome

# The payload's shape: a screen ignores an analysis in any other. 2: the insights
# carry no panels (a screen reads those from the series).
FORMAT = 2
GRANULARITIES: tuple[Granularity, ...] = ("week", "month", "quarter")


@dataclass(frozen=True)
class Analysis:
    """Everything computed from the observations for one granularity, on one day."""

    today: date
    insights: Insights
    balance: Balance
    internal: InternalService


def with_period(config: Config, granularity: Granularity) -> Config:
    if config.dashboard.period == granularity:
        return config
    dashboard = config.dashboard.model_copy(update={"period": granularity})
    return config.model_copy(update={"dashboard": dashboard})


def compute_analysis(
    config: Config, store: HistoryStore, today: date, memo: LinkageMemo | None = None
) -> Analysis:
    """The analysis for the config's period, from the store's observations (`memo`: the
    linkages of the analysis before, see compute_insights)."""
    return Analysis(
        today,
        insights_from_store(config, store, today, memo=memo),
        balance_from_store(config, store, today),
        internal_from_store(config, store, today),
    )


@cache
def _adapter() -> TypeAdapter[Analysis]:
    from pydantic import TypeAdapter  # built once, on first use: it costs a few ms

    return TypeAdapter(Analysis)


def encode(analysis: Analysis) -> str:
    return _adapter().dump_json(analysis).decode()


def decode(payload: str) -> Analysis | None:
    """The analysis, or None if the payload is not one (another version wrote it)."""
    from pydantic import ValidationError

    try:
        return _adapter().validate_json(payload)
    except ValidationError:
        return None


def write_analyses(
    config: Config,
    store: HistoryStore,
    now: datetime,
    memos: dict[Granularity, LinkageMemo] | None = None,
) -> None:
    """Compute and store the analysis of every granularity; with `memos`, reusing the
    linkages of unchanged pairs from the analyses before."""
    for granularity in GRANULARITIES:
        memo = None if memos is None else memos.setdefault(granularity, {})
        analysis = compute_analysis(with_period(config, granularity), store, now.date(), memo)
        store.write_analysis(granularity, StoredAnalysis(now, FORMAT, encode(analysis)))


def read_analysis(store: HistoryStore, granularity: Granularity, today: date) -> Analysis | None:
    """The stored analysis of `granularity` if it was computed today in this format;
    else None, and the caller computes its own."""
    stored = store.analysis(granularity)
    if stored is None or stored.format != FORMAT:
        return None
    analysis = decode(stored.payload)
    if analysis is None or analysis.today != today:
        return None
    return analysis


class Analyst:
    """Stores the analysis after sources land, then passes their outcomes on.

    Called in the collector's event loop: outcomes that land together are analysed
    once, when the loop next runs its callbacks, and are passed to `then` only once
    the analysis that includes them is stored, so a screen told of a landing reads
    an analysis that has it.
    """

    def __init__(
        self,
        config: Config,
        store: HistoryStore,
        clock: Clock,
        then: Callable[[SourceOutcome], object],
        log: Callable[[str], Any] | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.then = then
        self.log = log
        self._pending: list[SourceOutcome] = []
        # Each granularity's linkages, kept from one analysis to the next: a landing
        # tests again only the pairs whose series it changed.
        self._memos: dict[Granularity, LinkageMemo] = {}

    def landed(self, outcome: SourceOutcome) -> None:
        self._pending.append(outcome)
        if len(self._pending) == 1:
            asyncio.get_running_loop().call_soon(self._analyse)

    def _analyse(self) -> None:
        outcomes, self._pending = self._pending, []
        try:
            write_analyses(self.config, self.store, self.clock(), self._memos)
        except StoreError as error:  # screens compute for themselves meanwhile
            if self.log is not None:
                self.log(f"could not store the analysis: {error}")
        for outcome in outcomes:
            self.then(outcome)
