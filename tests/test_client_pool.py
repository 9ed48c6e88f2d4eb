"""The shared client lets every configured source have a request in flight at once."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.local_server import LocalServer, Reply
from tui.sources import make_client


@pytest.mark.parametrize(("sources", "expected"), [(0, 32), (45, 45)])
async def test_as_many_requests_run_at_once_as_there_are_sources(sources, expected):
    """Each request waits at the server until `expected` are in, or 5 s: a pool of a
    fixed 32 (as before) holds the other 13 of 45 sources back, in a second wave."""
    lock = threading.Lock()
    arrived = threading.Event()
    in_flight = peak = 0

    def held(request):
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
            if in_flight >= expected:
                arrived.set()
        arrived.wait(5)
        with lock:
            in_flight -= 1
        return Reply(body={"ok": True})

    with LocalServer({"/held": held}) as server:
        async with make_client(sources=sources) as client:
            replies = await asyncio.gather(*(client.get(f"{server.url}/held") for _ in range(45)))
    assert all(reply.status_code == 200 for reply in replies)
    assert arrived.is_set()  # released by the last to arrive, not by the 5 s
    assert peak == expected
