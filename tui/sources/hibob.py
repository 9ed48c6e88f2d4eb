"""HiBob (Bob): people search, inactive people included, for headcount and turnover.

Reference: HiBob API docs, "Search for employees" (POST /v1/people/search with
{"fields": [...], "showInactive": true, "humanReadable": "REPLACE"}; field paths with
dots in the request and slash keys in the reply: {"/work/startDate": {"value": ...}}),
"Read employee data — API contract", "Authorization" (a service user: Basic
{id}:{token}) and "Rate limiting" (50 a minute on people search, HTTP 429).

A record per person, never a name or email:
    employee_id, hire_date (work.startDate), termination_date, department, status,
    lifecycle_status, and each of `extra_fields` under its dotted path.

No pagination: one search returns everyone. Not confirmed: the full flat reply shape
(the slash rule is documented; the whole body comes from community code — we read
slash keys and fall back to the nested default shape); rate-limit headers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import httpx

from tui.config import HiBobSource
from tui.sources.auth import auth_headers
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.http import get_json, request_policy
from tui.sources.vendor import date_part, into_spells, one_response

VENDOR = "HiBob"
FIELDS = {
    "employee_id": "root.id",
    "hire_date": "work.startDate",
    "termination_date": "internal.terminationDate",
    "department": "work.department",
    "status": "internal.status",
    "lifecycle_status": "internal.lifecycleStatus",
}


def _get(item: dict[str, Any], dotted: str) -> Any:
    """A field by its path: the slash key of a fields search, else the nested default shape."""
    flat = item.get("/" + dotted.replace(".", "/"))
    if isinstance(flat, dict):
        return flat.get("value")
    if flat is not None:
        return flat
    value: Any = item
    for part in dotted.split(".")[1 if dotted.startswith("root.") else 0 :]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def person_record(item: Any, extra: list[str]) -> Record | str:
    if not isinstance(item, dict):
        return "person is not a JSON object"
    record: Record = {name: _get(item, path) for name, path in FIELDS.items()}
    if record["employee_id"] in (None, ""):
        return "person has no id"
    record["employee_id"] = str(record["employee_id"])
    record["hire_date"] = date_part(record["hire_date"])
    record["termination_date"] = date_part(record["termination_date"]) or None
    for path in extra:
        record[path] = _get(item, path)
    return record


async def fetch_records(
    source: HiBobSource, client: httpx.AsyncClient, environ: Mapping[str, str] | None = None
) -> FetchResult:
    started = time.monotonic()
    headers = auth_headers(source.auth, os.environ if environ is None else environ, source.id)
    page = await get_json(
        client,
        request_policy(source, VENDOR),
        f"{source.base_url}/people/search",
        headers=headers,
        what="people search",
        method="POST",
        json_body={
            "fields": [*FIELDS.values(), *source.extra_fields],
            "showInactive": True,
            "humanReadable": "REPLACE",
        },
    )
    people = page.body.get("employees") if isinstance(page.body, dict) else None
    if not isinstance(people, list):
        raise SourceError(f"{source.id}: the search has no list of employees")
    result = one_response(
        source.id,
        people,
        lambda item: person_record(item, source.extra_fields),
        "employee_id",
        "person",
    )
    into_spells(result)
    result.seconds = time.monotonic() - started
    return result
