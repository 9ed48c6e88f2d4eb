"""BambooHR: every employee, current and former, from a custom report.

Reference: BambooHR API documentation (https://documentation.bamboohr.com/docs/api-details):
"Authentication" (HTTP Basic, the API key as user name, any password), "Request a
custom report" (POST /api/v1/reports/custom?format=JSON&onlyCurrent=false with
{"title", "fields"}; reply {"fields", "employees": [{"id", <field>: value}]}), and
the official SDK BambooHR/bhr-api-python (throttling answered with 503, also 429;
retries on 408, 429, 504).

A record per employee, with no names or emails (Tandem never needs them):
    employee_id, department, hire_date, termination_date (None when empty or
    "0000-00-00"), status, and each of `extra_fields` (division, location…).
Headcount and turnover are then `headcount` / `turnover` metrics on hire_date and
termination_date, segmented by department or an extra field.

No pagination: one report holds everyone. Not confirmed: the "0000-00-00" empty date
(community code, not the docs; handled either way); a Retry-After on the 503 (used
when present, else backoff); BambooHR has flagged this endpoint for deprecation in
favour of its Datasets API.

Fields read, what each means, what is assumed, and the traps handled:

- hireDate: the latest hire. Assumed: YYYY-MM-DD. Handled: "0000-00-00" read as no date.
- originalHireDate: the first hire. Assumed: present for rehires (community code, not
  the docs). Handled: a rehire is two spells: first hire to the termination, latest hire
  on.
- terminationDate: the last termination. Assumed: may belong to an earlier employment.
  Handled: a termination before the hire date is a rehire, not a contradiction; a future
  date is a leaver only when it comes.
- department, status, extra fields: segments. Assumed: text.
- id: the employee. Assumed: stable within a company. Handled: each spell counted once.
"""

from __future__ import annotations

import re
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
    TenantSourceBase,
)
from tui.sources.auth import auth_headers
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.vendor import into_spells, one_response

if TYPE_CHECKING:
    import httpx


class BambooHRSource(TenantSourceBase):
    """BambooHR: a custom report of every employee, current and former."""

    TENANT_KEY = "company_domain"
    TENANT_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]*"
    TENANT_EXAMPLE = "acme for acme.bamboohr.com"
    URL_TEMPLATE = "https://{}.bamboohr.com/api/v1"

    kind: Literal["bamboohr"]
    company_domain: str | None = None
    api_key_env: EnvName = "BAMBOOHR_API_KEY"
    # More report fields to carry into records, such as division or location.
    extra_fields: list[str] = Field(default_factory=list, max_length=50)

    _env = field_validator("api_key_env")(check_env_name)

    @field_validator("extra_fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.]*", name):
                raise ValueError(f"expected BambooHR field names, such as division; got {name!r}")
        return value

    @property
    def auth(self) -> BasicAuth:
        # The API key is the user name; the password is ignored.
        return BasicAuth(kind="basic", username_env=self.api_key_env)


VENDOR = "BambooHR"
BASE_FIELDS = ("department", "hireDate", "originalHireDate", "terminationDate", "status")
_EMPTY_DATES = ("", "0000-00-00", None)


def employee_record(item: Any, extra_fields: list[str]) -> Record | str:
    """A record, or the reason the item is skipped."""
    if not isinstance(item, dict):
        return "employee is not a JSON object"
    if item.get("id") in (None, ""):
        return "employee has no id"
    termination = item.get("terminationDate")
    original = item.get("originalHireDate")
    record: Record = {
        "employee_id": str(item["id"]),
        "department": item.get("department"),
        "hire_date": item.get("hireDate"),
        "termination_date": None if termination in _EMPTY_DATES else termination,
        "original_hire_date": None if original in _EMPTY_DATES else original,
        "status": item.get("status"),
    }
    for name in extra_fields:
        record[name] = item.get(name)
    return record


async def fetch_records(
    source: BambooHRSource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str],
    since: datetime | None = None,
) -> FetchResult:
    from tui.sources.http import get_json, request_policy

    headers = auth_headers(source.auth, environ, source.id)
    policy = request_policy(source, VENDOR)
    fields = [*BASE_FIELDS, *(f for f in source.extra_fields if f not in BASE_FIELDS)]
    page = await get_json(
        client,
        policy,
        f"{source.url}/reports/custom",
        params={"format": "JSON", "onlyCurrent": "false"},
        headers=headers,
        what="custom report",
        method="POST",
        json_body={"title": "Tandem headcount and turnover", "fields": fields},
    )
    employees = page.body.get("employees") if isinstance(page.body, dict) else None
    if not isinstance(employees, list):
        raise SourceError(f"{source.id}: the report has no list of employees")
    result = one_response(
        source.id,
        employees,
        lambda item: employee_record(item, source.extra_fields),
        "employee_id",
        "employee",
    )
    into_spells(result)
    return result
