"""Personio Personnel Data API v1: company employees, for headcount and turnover.

Reference: Personio developer docs, "Authentication" (POST /v1/auth with client_id and
client_secret → data.token, a bearer valid 24 h; /auth allows 60 requests a minute),
"List company employees" (GET /v1/company/employees; limit up to 100 and offset,
mandatory paging; metadata.total_elements, current_page, total_pages; data[] of
{"type": "Employee", "attributes": {<key>: {"label", "value", "type"}}}), "Pagination
adoption guide for v1" and "Rate limits on GET employees" (300 a minute, HTTP 429,
retry after at least 1 s).

A record per employee, never a name or email:
    employee_id, status, hire_date, termination_date (the calendar date of Personio's
    local midnight, or None), department (the department's name), and each of
    `extra_attributes` (a plain value, or an object's name).

The token is kept for the process and fetched again after 23 h or a 401. Not
confirmed: whether `offset` counts records or pages (the docs' wording: records; we
send records and also stop on a short page, so a page-counting server cannot loop);
the 429 body and headers. The v2 API (/v2/persons) is not covered.

Fields read, what each means, what is assumed, and the traps handled:

- attributes.hire_date.value: the (latest) hire. Assumed: local midnight with its
  offset. Handled: the calendar date is kept, not shifted to UTC.
- attributes.termination_date.value: the termination. Assumed: may belong to an earlier
  employment. Handled: a termination before the hire is a rehire: two spells (the first
  from before any period shown, as v1 gives no original hire date).
- attributes.id.value: the employee. Assumed: unique. Handled: duplicates across offset
  pages count once.
- department (an object): segment. Assumed: its attributes.name. Handled: a missing
  department belongs to no segment.
- status: active, inactive…. Assumed: informational. Handled: not used to decide
  headcount: the dates decide.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from tui.config.base import (
    EnvName,
    check_base_url,
    check_env_name,
)
from tui.config.sources import (
    BasicAuth,
    HttpSourceBase,
)
from tui.sources.auth import require_secret
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.vendor import collect, date_part, into_spells, list_page

if TYPE_CHECKING:
    import httpx


class PersonioSource(HttpSourceBase):
    """Personio Personnel Data API v1: company employees, current and former."""

    kind: Literal["personio"]
    client_id_env: EnvName
    client_secret_env: EnvName
    base_url: str = "https://api.personio.de/v1"
    limit: int = Field(100, ge=1, le=100)
    # More employee attributes to carry into records (office, cost_centers…).
    extra_attributes: list[str] = Field(default_factory=list, max_length=50)

    _envs = field_validator("client_id_env", "client_secret_env")(check_env_name)
    _base_url = field_validator("base_url")(check_base_url)

    @property
    def auth(self) -> BasicAuth:
        # Not sent as Basic: the two are exchanged for a token. Named here so that
        # messages can say which to check and never show either.
        return BasicAuth(
            kind="basic", username_env=self.client_id_env, password_env=self.client_secret_env
        )


VENDOR = "Personio"
TOKEN_SECONDS = 23 * 3600
# (source id, base URL, client id) → (token, when it stops being used)
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}


def _value(attributes: dict[str, Any], key: str) -> Any:
    entry = attributes.get(key)
    value = entry.get("value") if isinstance(entry, dict) else None
    if isinstance(value, dict):  # department, office: {"type", "attributes": {"id", "name"}}
        inner = value.get("attributes")
        return inner.get("name") if isinstance(inner, dict) else None
    if isinstance(value, list):  # cost centers and the like: their names
        names = [v.get("attributes", {}).get("name") for v in value if isinstance(v, dict)]
        return ", ".join(n for n in names if n) or None
    return None if value == "" else value


def employee_record(item: Any, extra: list[str]) -> Record | str:
    attributes = item.get("attributes") if isinstance(item, dict) else None
    if not isinstance(attributes, dict):
        return "employee has no attributes"
    employee_id = _value(attributes, "id")
    if employee_id is None:
        return "employee has no id"
    record: Record = {
        "employee_id": str(employee_id),
        "status": _value(attributes, "status"),
        "hire_date": date_part(_value(attributes, "hire_date")),
        "termination_date": date_part(_value(attributes, "termination_date")),
        "department": _value(attributes, "department"),
    }
    for key in extra:
        record[key] = _value(attributes, key)
    return record


async def _token(
    source: PersonioSource, client: httpx.AsyncClient, environ: Mapping[str, str], fresh: bool
) -> str:
    from tui.sources.http import get_json, request_policy

    client_id = require_secret(environ, source.client_id_env, source.id)
    key = (source.id, source.base_url, client_id)
    cached = _tokens.get(key)
    if cached and not fresh and cached[1] > time.monotonic():
        return cached[0]
    secret = require_secret(environ, source.client_secret_env, source.id)
    page = await get_json(
        client,
        request_policy(source, VENDOR),
        f"{source.base_url}/auth",
        what="token",
        method="POST",
        json_body={"client_id": client_id, "client_secret": secret},
    )
    data = page.body.get("data") if isinstance(page.body, dict) else None
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        names = f"{source.client_id_env} and {source.client_secret_env}"
        raise SourceError(f"401 from {VENDOR} — no token; check {names}")
    _tokens[key] = (token, time.monotonic() + TOKEN_SECONDS)
    return token


async def fetch_records(
    source: PersonioSource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str],
    since: datetime | None = None,
) -> FetchResult:
    from tui.sources.http import request_policy

    policy = request_policy(source, VENDOR)
    result = FetchResult(source.id, [])
    token = await _token(source, client, environ, fresh=False)
    seen: set[str] = set()
    offset, retried_auth = 0, False
    while True:
        try:
            _, body, items = await list_page(
                client,
                policy,
                source,
                result,
                f"{source.base_url}/company/employees",
                "data",
                params={"limit": source.limit, "offset": offset},
                headers={"Authorization": f"Bearer {token}"},
            )
        except SourceError as error:
            # A kept token that expired early: one fresh token, then give up.
            if str(error).startswith("401") and not retried_auth:
                retried_auth = True
                token = await _token(source, client, environ, fresh=True)
                continue
            raise
        collect(
            result,
            items,
            lambda item: employee_record(item, source.extra_attributes),
            "employee_id",
            seen,
            "employee",
        )
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        total = metadata.get("total_elements") if isinstance(metadata, dict) else None
        offset += len(items)
        if len(items) < source.limit or (isinstance(total, int) and offset >= total):
            break
    into_spells(result)
    return result
