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

Fields read, what each means, what is assumed, and the traps handled:

- score: good, bad, offered, unoffered. Assumed: good = 1, bad = 0 (Zendesk's CSAT).
  Handled: offered-but-unanswered ratings skipped, never counted as bad.
- created_at: when it was rated. Assumed: UTC timestamps. Handled: out-of-range dates
  skipped.
- id: the rating. Assumed: unique. Handled: duplicates across cursor pages count once.
- group_id, assignee_id, reason, ticket_id: segments and context. Assumed: ids, not
  names.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from tui.config.base import (
    EnvName,
    check_env_name,
)
from tui.config.sources import (
    BasicAuth,
    DateFiltered,
    TenantSourceBase,
)
from tui.sources.auth import require_secret
from tui.sources.base import FetchResult, Record
from tui.sources.vendor import collect, list_page, next_link

if TYPE_CHECKING:
    import httpx


class ZendeskSource(TenantSourceBase, DateFiltered):
    """Zendesk Support: satisfaction ratings (good or bad) as a 0/1 `rating`."""

    TENANT_KEY = "subdomain"
    TENANT_EXAMPLE = "acme for acme.zendesk.com"
    URL_TEMPLATE = "https://{}.zendesk.com/api/v2"

    kind: Literal["zendesk"]
    subdomain: str | None = None
    # API token auth: the agent's email and the token, each in a variable.
    email_env: EnvName
    token_env: EnvName
    page_size: int = Field(100, ge=1, le=100)

    _envs = field_validator("email_env", "token_env")(check_env_name)

    @property
    def auth(self) -> BasicAuth:
        # "{email}/token:{token}": both names, so both are redacted from messages.
        return BasicAuth(kind="basic", username_env=self.email_env, password_env=self.token_env)


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
    environ: Mapping[str, str],
    since: datetime | None = None,
) -> FetchResult:
    """Every received rating, or those since `since` (an incremental refresh)."""
    import httpx

    from tui.sources.http import request_policy

    headers = _headers(source, environ)
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
    return result
