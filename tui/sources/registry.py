"""Which module fetches which source kind."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from tui.config import BambooHRSource, JsonSource, Source, SurveyMonkeySource, ZendeskSource
from tui.sources import bamboohr, files, json_api, surveymonkey, zendesk
from tui.sources.base import FetchResult


async def fetch_records(
    source: Source, client: httpx.AsyncClient, environ: Mapping[str, str] | None = None
) -> FetchResult:
    """Fetch every record of one configured source."""
    if isinstance(source, JsonSource):
        return await json_api.fetch_records(source, client, environ)
    if isinstance(source, SurveyMonkeySource):
        return await surveymonkey.fetch_records(source, client, environ)
    if isinstance(source, ZendeskSource):
        return await zendesk.fetch_records(source, client, environ)
    if isinstance(source, BambooHRSource):
        return await bamboohr.fetch_records(source, client, environ)
    return await files.fetch_records(source, client, environ)
