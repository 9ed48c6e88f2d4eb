"""Workday Peakon Employee Voice: one question's answers, for eNPS.

Reference: Peakon developer docs (developer.peakon.com): "Getting started" (POST
/api/v1/auth/application with {"token", "persists": false} → a bearer_tokens resource
whose data.id is the JWT), "Answers — Get survey answers" (GET /api/v1/answers/export,
per_page required up to 20000; JSON:API documents with data[].attributes and
links.next followed as an opaque URL until null) and "Rate limiting" (published for
SCIM only: 429 handled with backoff).

A record per answer to the configured question that has a score:
    answer_id, answered_at (responseAnsweredAt), score (answerScore), round_type.
Never the employee's id, email, comment or text: Tandem keeps aggregates only.
Answers from test rounds are skipped, as are skipped answers (with their reason
counted). Peakon's export has no team on the answer, so there is no segment here.

Not confirmed: the attribute list comes from a reconstruction of the per-endpoint
OpenAPI slices (the official page for /answers/export was a stub); the query inside
links.next; the set of answerSkipReason values.

Fields read, what each means, what is assumed, and the traps handled:

- attributes.questionId: which question. Assumed: the configured id. Handled: other
  questions' answers ignored, not counted.
- attributes.answerScore: the score. Assumed: Peakon's 0-10 (or 1-5) with 10 best.
  Handled: skipped answers (no score) counted with answerSkipReason.
- attributes.roundType: test or real round. Assumed: "test" rounds are not employees'
  views. Handled: test rounds skipped and counted.
- attributes.responseAnsweredAt: when it was answered. Assumed: an ISO timestamp.
  Handled: out-of-range dates skipped.
- attributes.answerId: the answer. Assumed: unique. Handled: duplicates across pages
  count once.
"""

from __future__ import annotations

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
    BearerAuth,
    TenantSourceBase,
)
from tui.sources.auth import require_secret
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.vendor import collect, list_page, next_link

if TYPE_CHECKING:
    import httpx


class PeakonSource(TenantSourceBase):
    """Workday Peakon Employee Voice: one question's answers from the answers export."""

    TENANT_KEY = "subdomain"
    TENANT_EXAMPLE = "acme for acme.peakon.com"
    URL_TEMPLATE = "https://{}.peakon.com/api/v1"

    kind: Literal["peakon"]
    subdomain: str | None = None
    # An application token (Administration → Integrations → API).
    token_env: EnvName
    # The eNPS (or other 0–10 or 1–5 scale) question's id.
    question_id: str
    per_page: int = Field(5000, ge=1, le=20_000)

    _env = field_validator("token_env")(check_env_name)
    _question = field_validator("question_id")(check_vendor_id)

    @property
    def auth(self) -> BearerAuth:
        return BearerAuth(kind="bearer", token_env=self.token_env)


VENDOR = "Peakon"


def answer_record(item: Any, question_id: str) -> Record | str | None:
    """A record; a reason to skip; or None for another question's answer (not counted)."""
    attributes = item.get("attributes") if isinstance(item, dict) else None
    if not isinstance(attributes, dict):
        return "answer has no attributes"
    if str(attributes.get("questionId")) != question_id:
        return None
    if attributes.get("roundType") == "test":
        return "answer from a test round"
    score = attributes.get("answerScore")
    if score is None:
        return f"skipped: {attributes.get('answerSkipReason') or 'no reason given'}"
    return {
        "answer_id": attributes.get("answerId") or item.get("id"),
        "answered_at": attributes.get("responseAnsweredAt"),
        "score": score,
        "round_type": attributes.get("roundType"),
    }


async def fetch_records(
    source: PeakonSource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str],
    since: datetime | None = None,
) -> FetchResult:
    import httpx

    from tui.sources.http import get_json, request_policy

    policy = request_policy(source, VENDOR)
    application_token = require_secret(environ, source.token_env, source.id)
    auth = await get_json(
        client,
        policy,
        f"{source.url}/auth/application",
        what="token",
        method="POST",
        json_body={"token": application_token, "persists": False},
    )
    data = auth.body.get("data") if isinstance(auth.body, dict) else None
    jwt = data.get("id") if isinstance(data, dict) else None
    if not isinstance(jwt, str) or not jwt:
        raise SourceError(f"401 from {VENDOR} — no token; check {source.token_env}")
    headers = {"Authorization": f"Bearer {jwt}"}

    result = FetchResult(source.id, [])
    url: httpx.URL | None = httpx.URL(f"{source.url}/answers/export")
    params: dict[str, Any] | None = {"per_page": source.per_page}
    seen: set[str] = set()
    while url is not None:
        page, body, items = await list_page(
            client, policy, source, result, url, "data", params=params, headers=headers
        )
        collect(
            result,
            items,
            lambda item: answer_record(item, source.question_id),
            "answer_id",
            seen,
            "answer",
        )
        links = body.get("links")
        url = next_link(
            page.url, links.get("next") if isinstance(links, dict) else None, source.url, source.id
        )
        params = None
    return result
