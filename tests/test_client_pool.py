"""The shared client lets every configured source have a request in flight at once, each
on connections of its own, and takes the environment's proxies as httpx does."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.local_server import LocalServer, Reply
from tui.sources import make_client
from tui.sources.http import RequestPolicy, get_json

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


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


async def test_each_source_keeps_connections_of_its_own():
    """A source's pages come one after another on its own connection; another source's
    never wait for it (httpcore's one pool walked every connection at each request:
    a hundred sources spent more time there than waiting for the vendors)."""
    with LocalServer({"/page": lambda request: Reply(body={"ok": True})}) as server:
        async with make_client(sources=2) as client:
            for _ in range(3):
                for source in ("a", "b"):
                    page = await get_json(client, RequestPolicy(source), f"{server.url}/page")
                    assert page.body == {"ok": True}
    ports = [request.client_port for request in server.requests]
    # a, b, a, b, a, b: each source's three requests on one connection, not the other's.
    assert len(set(ports[0::2])) == 1 and len(set(ports[1::2])) == 1
    assert ports[0] != ports[1]


def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "ALL_PROXY"])
async def test_a_proxy_named_in_the_environment_carries_the_requests(monkeypatch, variable):
    with LocalServer({"/page": lambda request: Reply(body={"via": "proxy"})}) as proxy:
        _no_proxies(monkeypatch)
        monkeypatch.setenv(variable, proxy.url)
        async with make_client() as client:
            page = await get_json(client, RequestPolicy("a"), "http://tandem.invalid/page")
    assert page.body == {"via": "proxy"}
    [request] = proxy.requests
    assert request.headers["host"] == "tandem.invalid"


async def test_a_host_in_no_proxy_is_asked_directly(monkeypatch):
    with (
        LocalServer({}) as proxy,
        LocalServer({"/page": lambda request: Reply(body={"via": "direct"})}) as server,
    ):
        _no_proxies(monkeypatch)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with make_client() as client:
            page = await get_json(client, RequestPolicy("a"), f"{server.url}/page")
    assert page.body == {"via": "direct"} and not proxy.requests
