"""Which module fetches which source kind."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import httpx

from tui.config import (
    BambooHRSource,
    HiBobSource,
    JsonSource,
    PeakonSource,
    PersonioSource,
    QualtricsSource,
    Source,
    SurveyMonkeySource,
    TypeformSource,
    WorkdaySource,
    ZendeskSource,
)
from tui.sources import (
    bamboohr,
    files,
    hibob,
    json_api,
    peakon,
    personio,
    qualtrics,
    surveymonkey,
    typeform,
    workday,
    zendesk,
)
from tui.sources.base import FetchResult


async def fetch_records(
    source: Source,
    client: httpx.AsyncClient,
    environ: Mapping[str, str] | None = None,
    since: datetime | None = None,
) -> FetchResult:
    """Fetch every record of one configured source; with `since`, and a kind whose API
    filters by date (config.DateFiltered), only those recorded since then."""
    if isinstance(source, JsonSource):
        return await json_api.fetch_records(source, client, environ)
    if isinstance(source, QualtricsSource):
        return await qualtrics.fetch_records(source, client, environ, since)
    if isinstance(source, SurveyMonkeySource):
        return await surveymonkey.fetch_records(source, client, environ, since)
    if isinstance(source, TypeformSource):
        return await typeform.fetch_records(source, client, environ, since)
    if isinstance(source, PersonioSource):
        return await personio.fetch_records(source, client, environ)
    if isinstance(source, WorkdaySource):
        return await workday.fetch_records(source, client, environ)
    if isinstance(source, PeakonSource):
        return await peakon.fetch_records(source, client, environ)
    if isinstance(source, HiBobSource):
        return await hibob.fetch_records(source, client, environ)
    if isinstance(source, ZendeskSource):
        return await zendesk.fetch_records(source, client, environ, since)
    if isinstance(source, BambooHRSource):
        return await bamboohr.fetch_records(source, client, environ)
    return await files.fetch_records(source, client, environ)
