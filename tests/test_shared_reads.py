"""The shared store's reader (tui.app.shared_reads): one poll at a time, asks made
meanwhile merged into one, and what a read raised handed to the event loop. The store
here is a stand-in, in process; tests/test_collect.py runs the reader against a real
PostgreSQL server behind a relay that stalls."""

from __future__ import annotations

import dataclasses
import queue
import threading
from datetime import datetime, timezone

import pytest

from tui.app.shared_reads import ReadRequest, SharedReader, SharedStoreRead
from tui.store import StoreError

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class HeldStore:
    """Answers once `release` is set: a read held up by the network."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.release = threading.Event()
        self.versions_read = 0
        self.fail = fail

    def data_version(self) -> int:
        self.versions_read += 1
        assert self.release.wait(5)
        if self.fail is not None:
            raise self.fail
        return 7

    def source_statuses(self) -> dict[str, object]:
        return {}

    def collectors(self) -> list[object]:
        return []


def _ask(everything: bool = False) -> ReadRequest:
    # Version 7 is what the store holds: the panels are read only if everything is asked.
    return ReadRequest(7, everything, None, "", NOW, screen=None)  # type: ignore[arg-type]


def test_asks_while_a_poll_waits_are_merged_into_one_next_poll() -> None:
    store, posted = HeldStore(), queue.Queue()
    reader = SharedReader(store, posted.put)  # type: ignore[arg-type]
    assert reader.start(_ask())
    assert not reader.start(_ask())
    assert not reader.start(_ask(everything=True))
    assert not reader.start(_ask())
    assert reader.busy
    store.release.set()
    message = posted.get(timeout=5)
    assert isinstance(message, SharedStoreRead)
    assert message.read.version == 7 and message.read.data is None
    assert reader.finished() is True  # one more poll, for everything, as one ask wanted
    assert not reader.busy and reader.finished() is None
    assert store.versions_read == 1 and posted.empty()


@pytest.mark.parametrize(
    ("fault", "posted_as"),
    [(StoreError("store unreachable (timeout)"), "error"), (KeyError("a bug"), "raised")],
)
def test_a_store_out_of_reach_is_a_result_and_a_bug_is_raised_on_the_loop(
    fault: BaseException, posted_as: str
) -> None:
    store, posted = HeldStore(fail=fault), queue.Queue()
    reader = SharedReader(store, posted.put)  # type: ignore[arg-type]
    store.release.set()
    reader.start(_ask())
    read = posted.get(timeout=5).read
    if posted_as == "error":
        assert read.error is fault and read.data is None
    else:
        assert read is fault  # on_shared_store_read raises it, and the app shows it


def test_only_the_latest_page_asked_for_is_read_and_shown() -> None:
    store, posted = HeldStore(), queue.Queue()
    reader = SharedReader(store, posted.put)  # type: ignore[arg-type]
    reader.read_page(lambda: "detail", print, screen=None)
    first = posted.get(timeout=5)
    reader.read_page(lambda: "segments", print, screen=None)
    second = posted.get(timeout=5)
    assert (first.value, second.value) == ("detail", "segments")
    assert not reader.answered(first) and reader.answered(second)
    # Behind a poll held up by the network: of two pages asked for, the second is read.
    reader.start(_ask())
    read: list[str] = []
    reader.read_page(lambda: read.append("balance") or "balance", print, screen=None)
    reader.read_page(lambda: read.append("internal") or "internal", print, screen=None)
    store.release.set()
    assert isinstance(posted.get(timeout=5), SharedStoreRead)
    assert posted.get(timeout=5).value == "internal"
    assert read == ["internal"]


def test_a_poll_leaves_the_panels_while_the_collector_fetches_unless_told_not_to() -> None:
    """Version 8 was written (a fetch's start) and the fetch is under way: the poll
    reads the statuses and leaves the panels for when it lands (read_shared does not
    touch the config it would need to read them)."""
    from tui.app.shared_reads import read_shared
    from tui.store import SourceStatus

    fetching = SourceStatus("pulse", None, None, None, None, fetch_started_at=NOW)

    class FetchingStore(HeldStore):
        def data_version(self) -> int:
            return 8

        def source_statuses(self) -> dict[str, object]:
            return {"pulse": fetching}

    read = read_shared(FetchingStore(), dataclasses.replace(_ask(), may_hold=True))  # type: ignore[arg-type]
    assert read.held and read.data is None and read.version == 7
    assert read.statuses == {"pulse": fetching}
    with pytest.raises(AttributeError):  # not held: it goes on to read the panels
        read_shared(FetchingStore(), _ask())  # type: ignore[arg-type]
