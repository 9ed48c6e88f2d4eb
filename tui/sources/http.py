"""The one `httpx.AsyncClient` that every source shares."""

from __future__ import annotations

import httpx

from tui import __version__

USER_AGENT = f"Tandem/{__version__} httpx/{httpx.__version__}"


def make_client() -> httpx.AsyncClient:
    """A client with a bounded pool and a default timeout; sources set their own per request."""
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        timeout=httpx.Timeout(10.0),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        follow_redirects=True,
    )
