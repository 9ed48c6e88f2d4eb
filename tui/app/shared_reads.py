"""Reading a shared (PostgreSQL) store off the screen's event loop.

A shared store is a server across a network. Its reads take milliseconds while the
network is well, and up to a connection timeout (or libpq's TCP user timeout, on a
link gone silent) while it is not. A wall screen reads every two seconds, and a key
opens a page that reads its own rows, so every read after the first frame's runs on
a thread and the screen keeps its clock, keys and last values meanwhile. The thread
is a daemon: a read held up by a silent network must not hold the process when the
user quits.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from textual.message import Message

from tui.config import Config
from tui.store import CollectorStatus, HistoryStore, SourceStatus, StoreError
from tui.views.panels import fetch_under_way
from tui.views.read import DashboardData, read_dashboard


@dataclass(frozen=True)
class ReadRequest:
    """What a read is asked for, taken on the event loop when it starts."""

    known_version: int  # the store's data_version the screen shows
    everything: bool  # read the panels even if the store was not written since
    config: Config  # as the screens read it (the period selected)
    segment: str
    now: datetime
    screen: object  # the screen on top: a page closed meanwhile is not shown a view
    # The view of the page on top of the dashboard (a detail, the segments), from
    # what was read; None: the dashboard is on top.
    page: Callable[[DashboardData], object] | None = None
    # Whether the panels may wait for a refresh under way (TandemApp._hold_panels).
    may_hold: bool = False


@dataclass(frozen=True)
class SharedRead:
    """What one read found: the statuses and collectors always, the panels (and the
    page on top) when the store was written since or everything was asked for."""

    asked: ReadRequest
    version: int = -1
    statuses: dict[str, SourceStatus] = field(default_factory=dict)
    collectors: list[CollectorStatus] = field(default_factory=list)
    data: DashboardData | None = None
    page: object = None
    error: StoreError | None = None  # out of reach, or refused: nothing else was read
    held: bool = False  # written since, and left for the refresh under way to land


def read_shared(store: HistoryStore, asked: ReadRequest) -> SharedRead:
    """One poll, on the reader's thread: a store error is a result, never raised."""
    try:
        version = store.data_version()
        statuses = store.source_statuses()
        collectors = store.collectors()
        if not asked.everything and version == asked.known_version:
            return SharedRead(asked, version, statuses, collectors)
        if not asked.everything and asked.may_hold and fetch_under_way(statuses, asked.now):
            return SharedRead(asked, asked.known_version, statuses, collectors, held=True)
        data = read_dashboard(
            asked.config, store, statuses, asked.now, segment=asked.segment, stored=True
        )
        page = None if asked.page is None else asked.page(data)
    except StoreError as error:
        return SharedRead(asked, error=error)
    return SharedRead(asked, version, statuses, collectors, data, page)


class SharedStoreRead(Message):
    """A read of the shared store ended; `read` is an exception it raised unexpectedly."""

    def __init__(self, read: SharedRead | BaseException) -> None:
        super().__init__()
        self.read = read


class PageRead(Message):
    """A read for a page (a detail, the segments) ended; `value` is what `show` takes,
    or the exception the read raised."""

    def __init__(
        self, ask: int, screen: object, value: object, show: Callable[[Any], object]
    ) -> None:
        super().__init__()
        self.ask = ask
        self.screen = screen  # on top when it was asked for
        self.value = value
        self.show = show


class SharedReader:
    """Every read of a shared store after the first frame's, on one daemon thread, each
    result posted to the screen's app as a message.

    One thread: the store is never read by two at once, so a screen holds one
    connection to the server (and one that listens), whatever its pages do. A poll asked
    for while one is queued or under way is kept, merged with any other, and started
    when the first's result is handed over, so a slow network never piles polls up. A
    page's read is queued behind at most that one poll (milliseconds on a network
    that carries, and on one that does not the page could not be read either); only
    the latest page asked for is read and shown."""

    def __init__(self, store: HistoryStore, post: Callable[[Message], Any]) -> None:
        self.store = store
        self._post = post
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # Set and read on the event loop only.
        self.busy = False  # a poll queued or under way
        self._again: bool | None = None  # an ask kept: whether it wants everything
        self._page_asks = 0
        self._pages_answered = 0  # the latest ask whose read ended

    def _submit(self, job: Callable[[], None]) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="tandem reads", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def _work(self) -> None:
        while True:
            self._jobs.get()()

    def start(self, asked: ReadRequest) -> bool:
        """Queue a poll, or keep the ask for later (False) while one is queued or under way."""
        if self.busy:
            self._again = asked.everything or bool(self._again)
            return False
        self.busy = True
        self._submit(partial(self._poll, asked))
        return True

    def finished(self) -> bool | None:
        """Called on the event loop with each poll's result: None, or the ask kept
        meanwhile (whether it wants everything), to start now."""
        self.busy = False
        again, self._again = self._again, None
        return again

    def read_page(
        self, read: Callable[[], object], show: Callable[[Any], object], screen: object
    ) -> int:
        """Queue a page's read; its result is posted as a PageRead for `show`. The
        ask's number, for `waiting_for`."""
        self._page_asks += 1
        self._submit(partial(self._read_page, self._page_asks, read, show, screen))
        return self._page_asks

    def answered(self, page: PageRead) -> bool:
        """Note that `page`'s read ended; whether no page was asked for after it (a
        key pressed on two pairs in turn shows the second's)."""
        self._pages_answered = max(self._pages_answered, page.ask)
        return page.ask == self._page_asks

    def waiting_for(self, ask: int) -> bool:
        """Whether the page of `ask` is still the one wanted, and its read not ended."""
        return ask == self._page_asks and self._pages_answered < ask

    def _read_page(
        self, ask: int, read: Callable[[], object], show: Callable[[Any], object], screen: object
    ) -> None:
        if ask != self._page_asks:
            return  # another page was asked for while this one waited its turn
        value: object
        try:
            value = read()
        except BaseException as error:  # StoreError is said; anything else, raised
            value = error
        self._hand_over(PageRead(ask, screen, value, show))

    def _poll(self, asked: ReadRequest) -> None:
        result: SharedRead | BaseException
        try:
            result = read_shared(self.store, asked)
        except BaseException as error:  # raised on the event loop: the app shows it
            result = error
        self._hand_over(SharedStoreRead(result))

    def _hand_over(self, message: Message) -> None:
        # RuntimeError: the app ended while this read waited on the network.
        with contextlib.suppress(RuntimeError):
            self._post(message)
