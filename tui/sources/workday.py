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

Fields read, what each means, what is assumed, and the traps handled:

- Hire_Date: the latest hire. Assumed: a date, maybe with an offset (its date part).
- Original_Hire_Date: the first hire. Assumed: in the report for rehires. Handled: a
  rehire is two spells: first hire to the termination, latest hire on.
- Termination_Date: the last termination. Assumed: may belong to an earlier employment.
  Handled: a termination before the hire is a rehire, never "end before start"; without
  Original_Hire_Date the first spell starts before any period shown.
- Employee_ID: the worker. Assumed: unique. Handled: each spell counted once.
- Supervisory_Organization: segment. Assumed: text.
- (the report): current and terminated workers. Assumed: the report's prompts include
  terminated workers. Handled: a report with no rows is empty, not an error; a refresh
  that reads nothing is not "ok".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from tui.config.base import (
    EnvName,
    Scalar,
    check_base_url,
    check_env_name,
)
from tui.config.sources import (
    BasicAuth,
    HttpSourceBase,
)
from tui.sources.auth import auth_headers
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.vendor import date_part, into_spells

if TYPE_CHECKING:
    import httpx


class WorkdaySource(HttpSourceBase):
    """Workday Report-as-a-Service: an Advanced custom report, enabled as a web service."""

    kind: Literal["workday"]
    # The report's URL from Related Actions → Web Service → View URLs, without ?format.
    report_url: str
    username_env: EnvName
    password_env: EnvName
    # The report's prompts, such as Effective_as_of_Date.
    prompts: dict[str, Scalar] = Field(default_factory=dict)
    # Record field = the report's column alias. Only these columns are kept.
    columns: dict[str, str] = Field(
        default_factory=lambda: {
            "employee_id": "Employee_ID",
            "hire_date": "Hire_Date",
            "termination_date": "Termination_Date",
            # A rehire's first hire: the start of the employment its termination ended.
            "original_hire_date": "Original_Hire_Date",
            "department": "Supervisory_Organization",
            "status": "Employment_Status",
        }
    )

    _envs = field_validator("username_env", "password_env")(check_env_name)
    _url = field_validator("report_url")(check_base_url)

    @property
    def auth(self) -> BasicAuth:
        return BasicAuth(
            kind="basic", username_env=self.username_env, password_env=self.password_env
        )


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
    source: WorkdaySource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str],
    since: datetime | None = None,
) -> FetchResult:
    from tui.sources.http import get_json, request_policy

    headers = auth_headers(source.auth, environ, source.id)
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
    return result
