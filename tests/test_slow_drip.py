"""A server that drips its answer never holds a refresh past its time (issue 14 item 6)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tui.sources import SourceError, fetch_records, make_client
from tui.sources.json_api import JsonSource


@contextlib.contextmanager
def dripping_server(seconds: float = 8.0) -> Iterator[str]:
    """127.0.0.1 on a free port: headers at once, then one body byte every 0.3 s, for
    at most `seconds` (it stops by itself)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.recv(65536)
                body = b'[{"date": "2026-03-01"}]' + b" " * 200
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                )
                ends = time.monotonic() + seconds
                for byte in body:
                    if stop.is_set() or time.monotonic() > ends:
                        break
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        break
                    time.sleep(0.3)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()


async def test_timeout_seconds_bounds_the_whole_request_not_each_byte():
    with dripping_server() as url:
        source = JsonSource(id="drip", kind="json", base_url=url, timeout_seconds=1, retries=0)
        started = time.monotonic()
        async with make_client() as client:
            with pytest.raises(
                SourceError, match=r"no answer from http://127\.0\.0\.1:\d+ within 1 s"
            ):
                await fetch_records(source, client, {})
        assert time.monotonic() - started < 3


async def test_a_refresh_has_a_deadline_over_all_its_retries(tmp_path):
    from datetime import datetime, timezone

    from tui.collect.refresh import refresh_source
    from tui.config import validate_config
    from tui.store import Store

    with dripping_server() as url:
        config = validate_config(
            {
                "sources": [
                    {
                        "id": "drip",
                        "kind": "json",
                        "base_url": url,
                        "timeout_seconds": 2,
                        "retries": 5,
                        "backoff_seconds": 0,
                        "deadline_seconds": 5,
                    }
                ],
                "metrics": [
                    {
                        "id": "a",
                        "label": "A",
                        "side": "employee",
                        "source": "drip",
                        "kind": "count",
                    },
                    {
                        "id": "b",
                        "label": "B",
                        "side": "customer",
                        "source": "drip",
                        "kind": "count",
                    },
                ],
                "pairs": [{"employee": "a", "customer": "b"}],
            }
        )
        started = time.monotonic()
        async with make_client() as client:
            outcome = await refresh_source(
                config,
                config.sources[0],
                client,
                Store(tmp_path / "s.db"),
                lambda: datetime(2026, 3, 20, tzinfo=timezone.utc),
                {},
            )
        assert outcome.error == "drip: the refresh did not finish within deadline_seconds = 5 s"
        assert 4.5 < time.monotonic() - started < 7
