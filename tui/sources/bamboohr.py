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
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import httpx

from tui.config import BambooHRSource
from tui.sources.auth import auth_headers
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.http import get_json, request_policy
from tui.sources.vendor import into_spells, one_response

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
    source: BambooHRSource, client: httpx.AsyncClient, environ: Mapping[str, str] | None = None
) -> FetchResult:
    started = time.monotonic()
    headers = auth_headers(source.auth, os.environ if environ is None else environ, source.id)
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
    result.seconds = time.monotonic() - started
    return result
