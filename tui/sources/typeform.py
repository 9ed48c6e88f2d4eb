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

Fields read, what each means, what is assumed, and the traps handled:

- answers[].field.ref or id: which answer is the question's. Assumed: the ref, else the
  id. Handled: a response that skipped the field is skipped and counted.
- answers[].number: an NPS, opinion-scale or rating answer. Assumed: Typeform's own 0-10
  or 1-N numbers. Handled: a non-number is skipped.
- answers[].choice.label: a multiple-choice answer. Assumed: a label that is a number is
  that number. Handled: a worded label is refused unless choice_scores scores it (an
  answer shows one choice, never the scale's direction).
- submitted_at: when it was submitted. Assumed: UTC timestamps (Z). Handled: out-of-
  range dates skipped.
- response_id, token: the response, the page cursor. Assumed: newest first, before =
  last token. Handled: duplicates across pages count once.
- hidden: segments (team…). Assumed: hidden fields carried as text. Handled: a response
  without them belongs to no segment.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from tui.config.base import (
    EnvName,
    check_base_url,
    check_env_name,
    check_vendor_id,
)
from tui.config.sources import (
    BearerAuth,
    DateFiltered,
    HttpSourceBase,
)
from tui.sources import scales
from tui.sources.auth import auth_headers
from tui.sources.base import FetchResult, Record
from tui.sources.vendor import collect, list_page

if TYPE_CHECKING:
    import httpx


class TypeformSource(HttpSourceBase, DateFiltered):
    """Typeform: the responses of one form, one field's answers."""

    kind: Literal["typeform"]
    form_id: str
    # The NPS, opinion-scale or rating field, by its ref (or its id).
    field: str
    token_env: EnvName
    base_url: str = "https://api.typeform.com"
    page_size: int = Field(1000, ge=1, le=1000)
    # The score of each choice label, for a multiple-choice field whose labels are words.
    choice_scores: dict[str, int] | None = None

    _ids = field_validator("form_id", "field")(check_vendor_id)
    _env = field_validator("token_env")(check_env_name)
    _base_url = field_validator("base_url")(check_base_url)

    @property
    def auth(self) -> BearerAuth:
        return BearerAuth(kind="bearer", token_env=self.token_env)


VENDOR = "Typeform"


def _score(answer: dict[str, Any], by_label: Mapping[str, int] | None) -> int | float | None:
    """An answer's score; `by_label` is the config's choice_scores by normalised label."""
    kind = answer.get("type")
    if kind == "number":
        number = answer.get("number")
        return number if isinstance(number, (int, float)) and not isinstance(number, bool) else None
    if kind == "choice":
        label = str((answer.get("choice") or {}).get("label", "")).strip()
        if by_label is not None:
            # The config's word: a label it does not list has no score.
            return by_label.get(scales.normalise(label))
        # Only a label that is a number: an answer shows one choice, never the scale
        # its direction would be read from.
        return int(label) if label.lstrip("-").isdigit() else None
    return None


def response_record(
    item: Any, field: str, by_label: Mapping[str, int] | None = None
) -> Record | str:
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
    score = _score(answer, by_label)
    if score is None:
        return "the field's answer is not a number (a labelled choice needs choice_scores)"
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
    environ: Mapping[str, str],
    since: datetime | None = None,
) -> FetchResult:
    """Every answered response, or those submitted since `since` (an incremental refresh)."""
    from tui.sources.http import request_policy

    headers = auth_headers(source.auth, environ, source.id)
    policy = request_policy(source, VENDOR)
    url = f"{source.base_url}/forms/{source.form_id}/responses"
    result = FetchResult(source.id, [])
    seen: set[str] = set()
    by_label = (
        {scales.normalise(label): score for label, score in source.choice_scores.items()}
        if source.choice_scores is not None
        else None
    )
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
            lambda item: response_record(item, source.field, by_label),
            "response_id",
            seen,
            "response",
        )
        last = items[-1] if items else None
        token = (last.get("token") or last.get("response_id")) if isinstance(last, dict) else None
        if len(items) < source.page_size or not token:
            break
        before = str(token)
    return result
