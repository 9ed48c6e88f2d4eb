"""Zendesk Support: customer satisfaction ratings, good or bad.

Reference: Zendesk developer docs, "Satisfaction Ratings" (GET
/api/v2/satisfaction_ratings.json; filter score=received; fields id, score, ticket_id,
group_id, assignee_id, reason, created_at), "Pagination" (cursor: page[size] up to 100,
meta.has_more, links.next), "API token" authentication (Basic {email}/token:{token}),
and "Rate limits" (429 with Retry-After in seconds).

A record per received rating:
    rating_id, created_at, rating (1 for good, 0 for bad), score ("good" or "bad"),
    ticket_id, group_id, assignee_id, reason.
CSAT is then a `csat` metric on `rating` with scale_min 0, scale_max 1 and one top box:
good ÷ (good + bad), Zendesk's own definition. Ratings offered but not answered are
filtered out by the API (score=received) and skipped if any come through.

Not confirmed: whether the last page still carries links.next (we stop on
meta.has_more false); whether a missing comment or reason is omitted or null (both
are fine here); accounts on the newer "CSAT survey responses" feature are not covered.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from tui.config import ZendeskSource
from tui.sources.auth import require_secret
from tui.sources.base import FetchResult, Record
from tui.sources.http import request_policy
from tui.sources.vendor import collect, list_page, next_link

VENDOR = "Zendesk"
_RATINGS = {"good": 1, "bad": 0}


def rating_record(item: Any) -> Record | str:
    """A record, or the reason the item is skipped."""
    if not isinstance(item, dict):
        return "rating is not a JSON object"
    score = item.get("score")
    if score in ("offered", "unoffered"):
        return "offered, not answered"
    if score not in _RATINGS:
        return "score is neither good nor bad"
    return {
        "rating_id": item.get("id"),
        "created_at": item.get("created_at"),
        "rating": _RATINGS[score],
        "score": score,
        "ticket_id": item.get("ticket_id"),
        "group_id": item.get("group_id"),
        "assignee_id": item.get("assignee_id"),
        "reason": item.get("reason"),
    }


def _headers(source: ZendeskSource, environ: Mapping[str, str]) -> dict[str, str]:
    email = require_secret(environ, source.email_env, source.id)
    token = require_secret(environ, source.token_env, source.id)
    encoded = base64.b64encode(f"{email}/token:{token}".encode()).decode("ascii")
    return {"Authorization": f"Basic {encoded}"}


async def fetch_records(
    source: ZendeskSource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str] | None = None,
    since: datetime | None = None,
) -> FetchResult:
    """Every received rating, or those since `since` (an incremental refresh)."""
    started = time.monotonic()
    headers = _headers(source, os.environ if environ is None else environ)
    policy = request_policy(source, VENDOR)
    result = FetchResult(source.id, [])
    url: httpx.URL | None = httpx.URL(f"{source.url}/satisfaction_ratings.json")
    first: dict[str, Any] = {"score": "received", "page[size]": source.page_size}
    if since is not None:
        first["start_time"] = int(since.timestamp())
    params: dict[str, Any] | None = first
    seen: set[str] = set()
    while url is not None:
        page, body, items = await list_page(
            client,
            policy,
            source,
            result,
            url,
            "satisfaction_ratings",
            params=params,
            headers=headers,
        )
        collect(result, items, rating_record, "rating_id", seen, "rating")
        meta, links = body.get("meta"), body.get("links")
        meta = meta if isinstance(meta, dict) else {}
        links = links if isinstance(links, dict) else {}
        url = None
        if meta.get("has_more"):
            url = next_link(page.url, links.get("next"), source.url, source.id)
        params = None
    result.seconds = time.monotonic() - started
    return result
