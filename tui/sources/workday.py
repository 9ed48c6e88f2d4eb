"""Workday Report-as-a-Service: headcount and turnover from a custom report.

Reference: Workday's own client Workday/raas-python (raas.py: GET the report URL with
format=json and the prompts as query parameters, HTTP Basic with an Integration
System User), and the connectors that read RaaS (singer-io/tap-workday-raas,
Workato's Workday RaaS connector, faros-ai's workday source): one body
{"Report_Entry": [{<column alias>: "text", ...}]}, no pagination, and a report with
no rows returns an object without Report_Entry.

A record per report row, holding only the mapped `columns` (the report's aliases are
the report author's; the defaults follow the public examples Employee_ID, Hire_Date,
Termination_Date, Supervisory_Organization, Employment_Status). Dates are read from
their first 10 characters.

Not confirmed: whether JSON dates carry an offset (handled: the date part is kept);
whether Basic wants user or user@tenant (whatever the variable holds is sent);
throttling (429 and 5xx back off); whether terminated workers appear depends on the
report's data source — turnover needs them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import httpx

from tui.config import WorkdaySource
from tui.sources.auth import auth_headers
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.http import get_json, request_policy
from tui.sources.vendor import date_part, into_spells

VENDOR = "Workday"


def row_record(row: Any, columns: Mapping[str, str]) -> Record | str:
    if not isinstance(row, dict):
        return "report row is not a JSON object"
    record: Record = {field: row.get(column) for field, column in columns.items()}
    for field in ("hire_date", "termination_date", "original_hire_date"):
        if field in record:
            record[field] = date_part(record[field]) or None
    return record


async def fetch_records(
    source: WorkdaySource, client: httpx.AsyncClient, environ: Mapping[str, str] | None = None
) -> FetchResult:
    started = time.monotonic()
    headers = auth_headers(source.auth, os.environ if environ is None else environ, source.id)
    page = await get_json(
        client,
        request_policy(source, VENDOR),
        source.report_url,
        params={**source.prompts, "format": "json"},
        headers=headers,
        what="report",
    )
    if not isinstance(page.body, dict):
        raise SourceError(f"{source.id}: the report is not a JSON object")
    rows = page.body.get("Report_Entry", [])  # absent when the report has no rows
    if not isinstance(rows, list):
        raise SourceError(f"{source.id}: Report_Entry is not a list")
    result = FetchResult(source.id, [], pages=1)
    for row in rows:
        record = row_record(row, source.columns)
        if isinstance(record, str):
            result.skipped[record] += 1
        else:
            result.records.append(record)
    into_spells(result)
    result.seconds = time.monotonic() - started
    return result
