"""Qualtrics survey responses, through the API v3 export job.

Reference: Qualtrics API, "Surveys Response Import/Export API": "Start Response Export"
(POST /API/v3/surveys/{surveyId}/export-responses, {"format": "json"} → result.progressId),
"Get Response Export Progress" (GET .../export-responses/{progressId} → result.status
inProgress, complete with result.fileId, or failed) and "Get Response Export File"
(GET .../export-responses/{fileId}/file: a ZIP holding one JSON file, or the bare file
with compress false); authentication with the X-API-TOKEN header; every reply in a
{"result", "meta"} envelope; 429 when the concurrent-request limit is reached.

A record per normal, finished response that answered the question:
    response_id, recorded_at (values.recordedDate), score (values[question_id]), and
    each of `embedded_fields` (team, region…).
Responses whose status is not 0 (survey previews, imports, spam) are skipped and
counted, as are unfinished ones unless finished_only is false.

Not confirmed: whether in-progress polls omit fileId or send it as null (read with
.get()); a Retry-After on 429 (used when present, else backoff); the ZIP member's name
(the first .json member is read); the continuationToken flow (not used: each refresh
exports the survey whole).

Fields read, what each means, what is assumed, and the traps handled:

- values[question_id]: the answer's recode value. Assumed: the designer's numbers.
  Handled: recode values that run against the answers' labels (labels[question_id])
  refused, or scored by choice_scores.
- values.status: 0 a real response. Assumed: 1 preview, 2 test, 4 imported, 8 spam….
  Handled: everything but 0 skipped and counted.
- values.finished: the respondent finished. Assumed: unfinished answers are partial.
  Handled: skipped unless finished_only = false.
- values.recordedDate: when it was recorded. Assumed: an ISO timestamp in UTC. Handled:
  out-of-range dates skipped.
- responseId: the response. Assumed: unique within the survey. Handled: counted once.
- values[embedded field]: segments (team…). Assumed: embedded data carried as given.
  Handled: a response without it belongs to no segment.
"""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from tui.config.base import (
    EnvName,
    check_env_name,
    check_vendor_id,
)
from tui.config.sources import (
    DateFiltered,
    HeaderAuth,
    TenantSourceBase,
)
from tui.sources import scales
from tui.sources.auth import auth_headers
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.decode import decode_json
from tui.sources.vendor import collect

if TYPE_CHECKING:
    import httpx

    from tui.sources.http import Sleep


class QualtricsSource(TenantSourceBase, DateFiltered):
    """Qualtrics: a survey's responses through an export job, one question's answers."""

    TENANT_KEY = "datacenter"
    TENANT_PATTERN = r"[a-z0-9]+"
    TENANT_EXAMPLE = "fra1 for fra1.qualtrics.com"
    URL_TEMPLATE = "https://{}.qualtrics.com/API/v3"

    kind: Literal["qualtrics"]
    datacenter: str | None = None
    survey_id: str
    # The NPS (QIDn, 0–10) or rating question whose answers become `score`.
    question_id: str
    token_env: EnvName
    # Embedded data fields to carry into records, such as team or region.
    embedded_fields: list[str] = Field(default_factory=list, max_length=50)
    # Count only responses the respondent finished.
    finished_only: bool = True
    poll_seconds: float = Field(2.0, ge=0, le=60)
    max_export_seconds: float = Field(300, gt=0, le=3600)
    # The score of each answer by its label, for a question whose recode values do not
    # follow its labels' meaning (tui/sources/scales.py).
    choice_scores: dict[str, int] | None = None

    _ids = field_validator("survey_id", "question_id")(check_vendor_id)
    _env = field_validator("token_env")(check_env_name)

    @property
    def auth(self) -> HeaderAuth:
        return HeaderAuth(kind="header", header="X-API-TOKEN", token_env=self.token_env)


VENDOR = "Qualtrics"


def _result(body: Any, source_id: str, what: str) -> dict[str, Any]:
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, dict):
        raise SourceError(f"{source_id}: the {what} reply has no result")
    return result


def read_export(content: bytes, limit: int, source_id: str) -> Any:
    """The export's JSON document, from a ZIP of one JSON file or from the bare file."""
    if content[:2] == b"PK":
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            member = next(i for i in archive.infolist() if i.filename.lower().endswith(".json"))
        except (zipfile.BadZipFile, StopIteration):
            raise SourceError(
                f"{source_id}: the export file is not a ZIP with a JSON file"
            ) from None
        if member.file_size > limit:  # a ZIP can expand far beyond what was downloaded
            raise SourceError(f"{source_id}: the export unpacks to more than {limit:,} bytes")
        content = archive.read(member)
    return decode_json(content, source_id, "the export file")


def response_record(item: Any, source: QualtricsSource) -> Record | str:
    values = item.get("values") if isinstance(item, dict) else None
    if not isinstance(values, dict):
        return "response has no values"
    status = values.get("status", 0)
    if status not in (0, "0"):
        return f"not a normal response (status {status})"
    if source.finished_only and values.get("finished") not in (1, "1", True):
        return "not finished"
    score = values.get(source.question_id)
    if score is None or score == "":
        return "did not answer the question"
    record: Record = {name: values.get(name) for name in source.embedded_fields}
    labels = item.get("labels")
    label = labels.get(source.question_id) if isinstance(labels, dict) else None
    record.update(
        response_id=item.get("responseId"),
        recorded_at=values.get("recordedDate"),
        score=score,
        answer_label=label if isinstance(label, str) else None,
    )
    return record


def score_by_labels(result: FetchResult, source: QualtricsSource) -> None:
    """Check the answers' recode values against their labels, and score by them.

    A question's recode values are the survey designer's, and Qualtrics numbers a
    scale's choices from the top by default: "Extremely satisfied" can be 1. The
    export gives each answer's label beside its value; the pairs seen are read as
    tui/sources/scales.py reads a question's choices, so values that run against
    the labels' meaning refuse the source (or `choice_scores` says what each scores).
    """
    pairs: dict[str, set[Any]] = {}
    for record in result.records:
        if record["answer_label"] is not None:
            pairs.setdefault(record["answer_label"], set()).add(record["score"])
    if not pairs:
        if source.choice_scores:
            raise SourceError(
                f"{source.id}: choice_scores is set, but the export carries no answer labels"
            )
        return
    question = source.question_id
    mixed = [label for label, scores in pairs.items() if len(scores) > 1]
    if mixed:
        raise SourceError(
            f"{source.id}: question {question}: the label {mixed[0]!r} comes with "
            "different recode values; set choice_scores to say which answer scores what"
        )
    choices = []
    for label, (value,) in pairs.items():
        try:
            design = float(value)
        except (TypeError, ValueError):
            design = None
        choices.append(scales.Choice(label, label, design))
    scores = scales.choice_scores(choices, question, source.id, source.choice_scores)
    kept = []
    for record in result.records:
        label = record.pop("answer_label")
        if label is None:
            kept.append(record)  # no label to check: the recode value stands
        elif scores[label] is None:
            result.skipped["chose an answer off the scale (such as N/A)"] += 1
        else:
            record["score"] = scores[label]
            kept.append(record)
    result.records = kept


async def fetch_records(
    source: QualtricsSource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str],
    since: datetime | None = None,
    sleep: Sleep = asyncio.sleep,
) -> FetchResult:
    """Every response, or those recorded since `since` (an incremental refresh)."""
    from tui.sources.http import get_bytes, get_json, request_policy

    headers = auth_headers(source.auth, environ, source.id)
    policy = request_policy(source, VENDOR)
    exports = f"{source.url}/surveys/{source.survey_id}/export-responses"
    result = FetchResult(source.id, [])

    request: dict[str, Any] = {"format": "json", "compress": True}
    if since is not None:
        request["startDate"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    start = await get_json(
        client,
        policy,
        exports,
        headers=headers,
        what="export start",
        method="POST",
        json_body=request,
    )
    progress_id = _result(start.body, source.id, "export start").get("progressId")
    if not isinstance(progress_id, str) or not progress_id:
        raise SourceError(f"{source.id}: the export did not start (no progressId)")
    result.pages += 1

    deadline = time.monotonic() + source.max_export_seconds
    file_id = None
    while file_id is None:
        poll = await get_json(
            client, policy, f"{exports}/{progress_id}", headers=headers, what="export progress"
        )
        result.pages += 1
        progress = _result(poll.body, source.id, "export progress")
        status = progress.get("status")
        if status == "complete":
            file_id = progress.get("fileId")
            if not isinstance(file_id, str) or not file_id:
                raise SourceError(f"{source.id}: the export completed without a fileId")
        elif status == "failed":
            raise SourceError(f"{source.id}: Qualtrics reports the export failed")
        elif time.monotonic() > deadline:
            raise SourceError(
                f"{source.id}: the export did not finish within {source.max_export_seconds:g} s"
            )
        else:
            await sleep(source.poll_seconds)

    download = await get_bytes(
        client, policy, f"{exports}/{file_id}/file", headers=headers, what="export file"
    )
    result.pages += 1
    document = read_export(download.content, source.max_response_bytes, source.id)
    responses = document.get("responses") if isinstance(document, dict) else None
    if not isinstance(responses, list):
        raise SourceError(f"{source.id}: the export file has no list of responses")
    seen: set[str] = set()
    collect(
        result,
        responses,
        lambda item: response_record(item, source),
        "response_id",
        seen,
        "response",
    )
    score_by_labels(result, source)
    return result
