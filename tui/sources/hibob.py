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

Fields read, what each means, what is assumed, and the traps handled:

- /work/startDate: the (latest) start. Assumed: YYYY-MM-DD (or an offset date: its date
  part).
- /internal/terminationDate: the termination. Assumed: may belong to an earlier
  employment. Handled: a termination before the start is a rehire: two spells (the first
  from before any period shown: the lifecycle history, one request per person at 50 a
  minute, is not read).
- /root/id: the person. Assumed: unique. Handled: counted once.
- /work/department, extra fields: segments. Assumed: text (humanReadable). Handled: a
  missing department belongs to no segment.
- showInactive: former employees too. Assumed: required for turnover. Handled: always
  sent.
"""

from __future__ import annotations

import re
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
from tui.sources.auth import auth_headers
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.vendor import date_part, into_spells, one_response

if TYPE_CHECKING:
    import httpx


class HiBobSource(HttpSourceBase):
    """HiBob: people search, inactive people included."""

    kind: Literal["hibob"]
    service_user_env: EnvName
    token_env: EnvName
    base_url: str = "https://api.hibob.com/v1"
    # More field paths to carry into records, such as work.site.
    extra_fields: list[str] = Field(default_factory=list, max_length=50)

    _envs = field_validator("service_user_env", "token_env")(check_env_name)
    _base_url = field_validator("base_url")(check_base_url)

    @field_validator("extra_fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+", name):
                raise ValueError(f"expected HiBob field paths, such as work.site; got {name!r}")
        return value

    @property
    def auth(self) -> BasicAuth:
        return BasicAuth(
            kind="basic", username_env=self.service_user_env, password_env=self.token_env
        )


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
    source: HiBobSource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str],
    since: datetime | None = None,
) -> FetchResult:
    from tui.sources.http import get_json, request_policy

    headers = auth_headers(source.auth, environ, source.id)
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
    return result
