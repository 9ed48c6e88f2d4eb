"""The generic `json` source kind: any JSON-over-HTTP API, described in config.

GET the endpoint, follow the pagination the config names (page number, offset,
a cursor or next-URL field in the body, or the RFC 8288 Link header), select
the records with a JMESPath expression (https://jmespath.org/specification.html)
and map each record's fields with more of them.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

import httpx
import jmespath

from tui.config import (
    CursorPagination,
    JsonSource,
    LinkHeaderPagination,
    NextUrlPagination,
    OffsetPagination,
    PagePagination,
)
from tui.sources.auth import auth_headers, credential_names
from tui.sources.base import FetchResult, Record, SourceError, display_url

# A 429 is waited out, never dropped: at most this many waits, each capped.
RATE_LIMIT_RETRIES = 3
MAX_RETRY_AFTER_SECONDS = 30.0


async def fetch_records(
    source: JsonSource, client: httpx.AsyncClient, environ: Mapping[str, str] | None = None
) -> FetchResult:
    """Every record of `source`, across all its pages."""
    started = time.monotonic()
    headers = auth_headers(source.auth, os.environ if environ is None else environ, source.id)
    pagination = source.pagination
    records_path = jmespath.compile(source.records.path) if source.records.path else None
    field_paths = {name: jmespath.compile(expr) for name, expr in source.records.fields.items()}

    url = httpx.URL(source.url)
    first_params: dict[str, Any] = dict(source.params)
    if isinstance(pagination, PagePagination):
        first_params[pagination.page_param] = pagination.first_page
        if pagination.size_param:
            first_params[pagination.size_param] = pagination.size
    elif isinstance(pagination, OffsetPagination):
        first_params[pagination.offset_param] = 0
        first_params[pagination.limit_param] = pagination.limit
    # None once a next-page URL carries its own query string.
    params: dict[str, Any] | None = first_params

    result = FetchResult(source.id, [])
    while True:
        if result.pages >= source.max_pages:
            raise SourceError(
                f"{source.id}: stopped after max_pages = {source.max_pages} pages; "
                "raise max_pages or check the pagination settings"
            )
        response = await _get(client, source, url, params, headers)
        result.pages += 1
        body = _decode(response, source, result.pages)
        page_records = _select(body, records_path, source, result.pages)
        result.records.extend(_map_records(page_records, field_paths, result.skipped))

        next_target = _next_page(pagination, body, url, params, response, len(page_records))
        if next_target is None:
            break
        url, params = next_target
        _require_same_origin(url, source)
    result.seconds = time.monotonic() - started
    return result


def _next_page(
    pagination: Any,
    body: Any,
    url: httpx.URL,
    params: dict[str, Any] | None,
    response: httpx.Response,
    count: int,
) -> tuple[httpx.URL, dict[str, Any] | None] | None:
    """The URL and query of the next page, or None on the last page."""
    params = params or {}
    if isinstance(pagination, PagePagination):
        page = int(params[pagination.page_param])
        if count == 0:
            return None
        if pagination.size_param and count < pagination.size:
            return None
        if pagination.total_pages_path is not None:
            total = jmespath.search(pagination.total_pages_path, body)
            last_page = pagination.first_page + _as_int(total, "total pages") - 1
            if page >= last_page:
                return None
        return url, {
            **params,
            pagination.page_param: page + 1,
        }
    if isinstance(pagination, OffsetPagination):
        if count < pagination.limit:
            return None
        offset = int(params[pagination.offset_param]) + count
        return url, {
            **params,
            pagination.offset_param: offset,
        }
    if isinstance(pagination, CursorPagination):
        cursor = jmespath.search(pagination.next_cursor_path, body)
        if cursor in (None, "", False):
            return None
        return url, {
            **params,
            pagination.cursor_param: cursor,
        }
    if isinstance(pagination, NextUrlPagination):
        next_url = jmespath.search(pagination.next_url_path, body)
        if not next_url:
            return None
        # A next URL carries its own query string; params would replace it.
        return response.url.join(str(next_url)), None
    if isinstance(pagination, LinkHeaderPagination):
        next_link = response.links.get("next", {}).get("url")
        if not next_link:
            return None
        return response.url.join(next_link), None
    return None


def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise SourceError(f"{what} in the response is not a number")
    try:
        return int(value)
    except ValueError:
        raise SourceError(f"{what} in the response is not a number") from None


def _require_same_origin(url: httpx.URL, source: JsonSource) -> None:
    # Credentials go with every page: never follow a link to another host.
    origin = httpx.URL(source.url)
    if (url.scheme, url.host, url.port) != (origin.scheme, origin.host, origin.port):
        raise SourceError(
            f"{source.id}: next page points at another host ({url.host}); not followed"
        )


async def _get(
    client: httpx.AsyncClient,
    source: JsonSource,
    url: httpx.URL,
    params: dict[str, Any] | None,
    headers: dict[str, str],
) -> httpx.Response:
    shown = display_url(url)
    for attempt in range(RATE_LIMIT_RETRIES + 1):
        try:
            response = await client.get(
                url, params=params, headers=headers, timeout=source.timeout_seconds
            )
        except httpx.TimeoutException:
            raise SourceError(
                f"{source.id}: no answer from {shown} within {source.timeout_seconds:g} s"
            ) from None
        except httpx.TransportError as error:
            raise SourceError(f"{source.id}: cannot reach {shown} ({_reason(error)})") from None
        if response.status_code == 429 and attempt < RATE_LIMIT_RETRIES:
            await asyncio.sleep(_retry_after_seconds(response, attempt))
            continue
        break
    if response.is_success:
        return response
    raise SourceError(_status_message(response.status_code, source, shown))


def _reason(error: httpx.TransportError) -> str:
    """'connection refused' from '[Errno 111] Connection refused'; the class name otherwise.

    Only the OS's words are kept, so no URL or header can slip into a message.
    """
    match = re.search(r"\[Errno -?\d+\] ([^\]\[]+)$", str(error))
    return match.group(1).strip().lower() if match else type(error).__name__


def _retry_after_seconds(response: httpx.Response, attempt: int) -> float:
    header = response.headers.get("Retry-After", "")
    try:
        seconds = float(header)
    except ValueError:
        seconds = 2.0**attempt
    return max(0.0, min(seconds, MAX_RETRY_AFTER_SECONDS))


def _status_message(status: int, source: JsonSource, shown: str) -> str:
    if status in (401, 403):
        names = credential_names(source.auth)
        hint = f"check {' and '.join(names)}" if names else "the API needs credentials: set auth"
        return f"{status} from {source.id} — {hint}"
    if status == 404:
        return f"404 from {source.id} — {shown} not found; check base_url and path"
    if status == 429:
        return f"429 from {source.id} — still rate limited after {RATE_LIMIT_RETRIES} waits"
    return f"{status} from {source.id} ({shown})"


def _decode(response: httpx.Response, source: JsonSource, page: int) -> Any:
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{source.id}: page {page} is not valid JSON") from None


def _select(body: Any, records_path: Any, source: JsonSource, page: int) -> list[Any]:
    found = body if records_path is None else records_path.search(body)
    if found is None and records_path is not None:
        raise SourceError(
            f"{source.id}: records.path {source.records.path!r} found nothing on page {page}"
        )
    if not isinstance(found, list):
        raise SourceError(f"{source.id}: records on page {page} are not a list")
    return found


def _map_records(
    items: list[Any], field_paths: dict[str, Any], skipped: Counter[str]
) -> list[Record]:
    records: list[Record] = []
    for item in items:
        if not isinstance(item, dict):
            skipped["record is not a JSON object"] += 1
            continue
        if field_paths:
            records.append({name: path.search(item) for name, path in field_paths.items()})
        else:
            records.append(item)
    return records
