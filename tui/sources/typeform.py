"""Typeform: one field's answers from a form's responses.

Reference: Typeform Developers, "Responses API — Retrieve responses" (GET
/forms/{form_id}/responses; page_size up to 1000; newest first; `before` a response
token for the next page; items[] with response_id, token, submitted_at, hidden,
answers[] of {field: {id, ref, type}, type, number|choice|…}) and "Rate limits"
(2 requests a second per account, HTTP 429 beyond); the official client
Typeform/js-api-client (`autoPageResponses`: before = the last item's token, stop on a
short page).

A record per response that answered the field:
    response_id, submitted_at, score, and each hidden field (team, region…) by name.
The score is the answer's `number` (NPS, opinion scale, rating), or a choice's label
when that label is a whole number.

Not confirmed: a Retry-After on 429 (used when present, else backoff); whether
total_items describes the whole form (not relied on: paging stops on a short page);
very recent responses (about 30 minutes) may not be listed yet.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from tui.config import TypeformSource
from tui.sources.auth import auth_headers
from tui.sources.base import FetchResult, Record
from tui.sources.http import request_policy
from tui.sources.vendor import collect, list_page

VENDOR = "Typeform"


def _score(answer: dict[str, Any]) -> int | float | None:
    kind = answer.get("type")
    if kind == "number":
        number = answer.get("number")
        return number if isinstance(number, (int, float)) and not isinstance(number, bool) else None
    if kind == "choice":
        label = str((answer.get("choice") or {}).get("label", "")).strip()
        return int(label) if label.lstrip("-").isdigit() else None
    return None


def response_record(item: Any, field: str) -> Record | str:
    if not isinstance(item, dict):
        return "response is not a JSON object"
    answer = next(
        (
            a
            for a in item.get("answers") or []
            if isinstance(a, dict)
            and field in ((a.get("field") or {}).get("ref"), (a.get("field") or {}).get("id"))
        ),
        None,
    )
    if answer is None:
        return "did not answer the field"
    score = _score(answer)
    if score is None:
        return "the field's answer is not a number"
    record: Record = {}
    hidden = item.get("hidden")
    if isinstance(hidden, dict):
        record.update({str(k): v for k, v in hidden.items() if isinstance(v, (str, int))})
    record.update(
        response_id=item.get("response_id"), submitted_at=item.get("submitted_at"), score=score
    )
    return record


async def fetch_records(
    source: TypeformSource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str] | None = None,
    since: datetime | None = None,
) -> FetchResult:
    """Every answered response, or those submitted since `since` (an incremental refresh)."""
    started = time.monotonic()
    headers = auth_headers(source.auth, os.environ if environ is None else environ, source.id)
    policy = request_policy(source, VENDOR)
    url = f"{source.base_url}/forms/{source.form_id}/responses"
    result = FetchResult(source.id, [])
    seen: set[str] = set()
    before: str | None = None
    while True:
        params: dict[str, Any] = {"page_size": source.page_size}
        if before:
            params["before"] = before
        if since is not None:
            params["since"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        _, _, items = await list_page(
            client, policy, source, result, url, "items", params=params, headers=headers
        )
        collect(
            result,
            items,
            lambda item: response_record(item, source.field),
            "response_id",
            seen,
            "response",
        )
        last = items[-1] if items else None
        token = (last.get("token") or last.get("response_id")) if isinstance(last, dict) else None
        if len(items) < source.page_size or not token:
            break
        before = str(token)
    result.seconds = time.monotonic() - started
    return result
