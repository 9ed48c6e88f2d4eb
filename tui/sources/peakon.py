"""Workday Peakon Employee Voice: one question's answers, for eNPS.

Reference: Peakon developer docs (developer.peakon.com): "Getting started" (POST
/api/v1/auth/application with {"token", "persists": false} → a bearer_tokens resource
whose data.id is the JWT), "Answers — Get survey answers" (GET /api/v1/answers/export,
per_page required up to 20000; JSON:API documents with data[].attributes and
links.next followed as an opaque URL until null) and "Rate limiting" (published for
SCIM only: 429 handled with backoff).

A record per answer to the configured question that has a score:
    answer_id, answered_at (responseAnsweredAt), score (answerScore), round_type.
Never the employee's id, email, comment or text: Tandem keeps aggregates only.
Answers from test rounds are skipped, as are skipped answers (with their reason
counted). Peakon's export has no team on the answer, so there is no segment here.

Not confirmed: the attribute list comes from a reconstruction of the per-endpoint
OpenAPI slices (the official page for /answers/export was a stub); the query inside
links.next; the set of answerSkipReason values.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import httpx

from tui.config import PeakonSource
from tui.sources.auth import require_secret
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.http import get_json, request_policy
from tui.sources.vendor import collect, list_page, next_link

VENDOR = "Peakon"


def answer_record(item: Any, question_id: str) -> Record | str | None:
    """A record; a reason to skip; or None for another question's answer (not counted)."""
    attributes = item.get("attributes") if isinstance(item, dict) else None
    if not isinstance(attributes, dict):
        return "answer has no attributes"
    if str(attributes.get("questionId")) != question_id:
        return None
    if attributes.get("roundType") == "test":
        return "answer from a test round"
    score = attributes.get("answerScore")
    if score is None:
        return f"skipped: {attributes.get('answerSkipReason') or 'no reason given'}"
    return {
        "answer_id": attributes.get("answerId") or item.get("id"),
        "answered_at": attributes.get("responseAnsweredAt"),
        "score": score,
        "round_type": attributes.get("roundType"),
    }


async def fetch_records(
    source: PeakonSource, client: httpx.AsyncClient, environ: Mapping[str, str] | None = None
) -> FetchResult:
    started = time.monotonic()
    environ = os.environ if environ is None else environ
    policy = request_policy(source, VENDOR)
    application_token = require_secret(environ, source.token_env, source.id)
    auth = await get_json(
        client,
        policy,
        f"{source.url}/auth/application",
        what="token",
        method="POST",
        json_body={"token": application_token, "persists": False},
    )
    data = auth.body.get("data") if isinstance(auth.body, dict) else None
    jwt = data.get("id") if isinstance(data, dict) else None
    if not isinstance(jwt, str) or not jwt:
        raise SourceError(f"401 from {VENDOR} — no token; check {source.token_env}")
    headers = {"Authorization": f"Bearer {jwt}"}

    result = FetchResult(source.id, [])
    url: httpx.URL | None = httpx.URL(f"{source.url}/answers/export")
    params: dict[str, Any] | None = {"per_page": source.per_page}
    seen: set[str] = set()
    while url is not None:
        page, body, items = await list_page(
            client, policy, source, result, url, "data", params=params, headers=headers
        )
        collect(
            result,
            items,
            lambda item: answer_record(item, source.question_id),
            "answer_id",
            seen,
            "answer",
        )
        links = body.get("links")
        url = next_link(
            page.url, links.get("next") if isinstance(links, dict) else None, source.url, source.id
        )
        params = None
    result.seconds = time.monotonic() - started
    return result
