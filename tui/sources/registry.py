"""Which module fetches which source kind."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from tui.config import Source
from tui.sources import json_api
from tui.sources.base import FetchResult


async def fetch_records(
    source: Source, client: httpx.AsyncClient, environ: Mapping[str, str] | None = None
) -> FetchResult:
    """Fetch every record of one configured source."""
    if source.kind == "json":
        return await json_api.fetch_records(source, client, environ)
    raise ValueError(f"no fetcher for source kind {source.kind!r}")  # pragma: no cover
