"""SurveyMonkey API v3: one question's answers from a survey's bulk responses.

Reference: SurveyMonkey API v3 documentation (https://api.surveymonkey.com/v3/docs;
SurveyMonkey/public_api_docs): "Authentication" (Authorization: Bearer), "Pagination"
(page, per_page up to 100, links.next), "Request and Response Limits" (120 requests a
minute for private apps; X-Ratelimit-App-Global-Minute-Reset), "Surveys" (GET
/surveys/{id}/details: pages[].questions[].answers.choices[] with id, text, position)
and "Survey Responses" (GET /surveys/{id}/responses/bulk: data[].pages[].questions[]
.answers[].choice_id, date_created, response_status, custom_variables).

A record per response that answered the question:
    response_id, submitted_at (date_created), score, status, collector_id, and each
    custom variable (team, region…) under its own name, so it can be a segment.
The score is read as tui/sources/scales.py says, never from a choice's position: the
config's choice_scores, else the choices' weights (rating questions) or quiz scores,
else the whole number leading a choice's text, else a recognised label set in either
order; a question whose direction none of these settles refuses the source.

Not confirmed against a live account: whether a 429 ever carries Retry-After (we use
it if present, else the minute-reset header); the exact family/subtype of NPS
questions (we read answers.choices whatever they are); whether `position` is 1-based
for every question type (the docs' examples are).

Fields read, what each means, what is assumed, and the traps handled:

- details: answers.choices[] id, text, weight, quiz_options.score: the question's scale.
  Assumed: a choice's position says nothing about its score. Handled: Very satisfied
  listed first (scored by meaning, either order); weights that run against the labels;
  unlabelled scales refused naming the question; N/A choices skipped.
- bulk: pages[].questions[].answers[].choice_id: the answer. Assumed: one choice per
  respondent for the question. Handled: a choice not in the design skipped and counted.
- date_created: when it was answered. Assumed: an offset timestamp, converted to UTC.
  Handled: naive or out-of-range dates skipped, not fatal.
- id: the response. Assumed: unique within the survey. Handled: the same response on two
  pages counts once.
- response_status, collector_id, custom_variables: status, channel, segments. Assumed:
  custom variables are plain text. Handled: partial responses only with status = partial
  or any.
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
from tui.sources.base import FetchResult, Record, SourceError
from tui.sources.vendor import collect, list_page, next_link

if TYPE_CHECKING:
    import httpx


class SurveyMonkeySource(HttpSourceBase, DateFiltered):
    """SurveyMonkey API v3: the bulk responses of one survey, one question's answers."""

    kind: Literal["surveymonkey"]
    survey_id: str
    # The NPS or CSAT question whose answers become `score`.
    question_id: str
    token_env: EnvName
    base_url: str = "https://api.surveymonkey.com/v3"
    # completed (default), partial, or any.
    status: Literal["completed", "partial", "any"] = "completed"
    per_page: int = Field(100, ge=1, le=100)
    # The score of each choice by its text, e.g. { "Very satisfied" = 5, ... }, for a
    # question whose scale Tandem cannot read from the survey (tui/sources/scales.py).
    choice_scores: dict[str, int] | None = None

    _ids = field_validator("survey_id", "question_id")(check_vendor_id)
    _env = field_validator("token_env")(check_env_name)
    _base_url = field_validator("base_url")(check_base_url)

    @property
    def auth(self) -> BearerAuth:
        return BearerAuth(kind="bearer", token_env=self.token_env)


VENDOR = "SurveyMonkey"
RESET_HEADERS = ("X-Ratelimit-App-Global-Minute-Reset",)


def _design_score(choice: dict[str, Any]) -> float | None:
    """A choice's weight (rating questions) or quiz score, if the design gives one."""
    quiz = choice.get("quiz_options")
    for value in (choice.get("weight"), quiz.get("score") if isinstance(quiz, dict) else None):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def choice_scores(
    details: Any, question_id: str, source_id: str, explicit: Mapping[str, int] | None = None
) -> dict[str, int | None]:
    """choice id → score (None for a choice off the scale, such as N/A), from the
    survey's design; SourceError when the question's scale cannot be read."""
    pages = details.get("pages") if isinstance(details, dict) else None
    for page in pages if isinstance(pages, list) else []:
        for question in page.get("questions") or []:
            if isinstance(question, dict) and str(question.get("id")) == question_id:
                choices = (question.get("answers") or {}).get("choices") or []
                return scales.choice_scores(
                    [
                        scales.Choice(
                            str(choice.get("id")),
                            str(choice.get("text", "")),
                            _design_score(choice),
                        )
                        for choice in choices
                        if isinstance(choice, dict)
                    ],
                    _question_name(question),
                    source_id,
                    explicit,
                )
    raise SourceError(f"{source_id}: survey has no question {question_id}; check question_id")


def _question_name(question: dict[str, Any]) -> str:
    """'667788990 ("How satisfied were you…")': the id and, when there is one, its heading."""
    headings = question.get("headings")
    heading = headings[0].get("heading") if isinstance(headings, list) and headings else None
    if isinstance(heading, str) and heading.strip():
        return f'{question.get("id")} ("{scales.normalise_heading(heading)}")'
    return str(question.get("id"))


def response_record(item: Any, question_id: str, scores: Mapping[str, int | None]) -> Record | str:
    """The record of one bulk response, or the reason it has none."""
    if not isinstance(item, dict):
        return "response is not a JSON object"
    chosen = None
    for page in item.get("pages") or []:
        for question in page.get("questions") or []:
            if isinstance(question, dict) and str(question.get("id")) == question_id:
                answers = question.get("answers") or []
                chosen = next((a.get("choice_id") for a in answers if a.get("choice_id")), None)
    if chosen is None:
        return "did not answer the question"
    if str(chosen) not in scores:
        return "answer is not one of the question's choices"
    score = scores[str(chosen)]
    if score is None:
        return "chose an answer off the scale (such as N/A)"
    record: Record = {}
    variables = item.get("custom_variables")
    if isinstance(variables, dict):
        record.update({str(k): v for k, v in variables.items() if isinstance(v, (str, int))})
    record.update(
        response_id=item.get("id"),
        submitted_at=item.get("date_created"),
        score=score,
        status=item.get("response_status"),
        collector_id=item.get("collector_id"),
    )
    return record


async def fetch_records(
    source: SurveyMonkeySource,
    client: httpx.AsyncClient,
    environ: Mapping[str, str],
    since: datetime | None = None,
) -> FetchResult:
    """Every answered response, or those created since `since` (an incremental refresh)."""
    import httpx

    from tui.sources.http import get_json, request_policy

    headers = auth_headers(source.auth, environ, source.id)
    policy = request_policy(source, VENDOR, RESET_HEADERS)
    survey = f"{source.base_url}/surveys/{source.survey_id}"
    details = await get_json(
        client, policy, f"{survey}/details", headers=headers, what="survey details"
    )
    scores = choice_scores(details.body, source.question_id, source.id, source.choice_scores)

    result = FetchResult(source.id, [], pages=1)
    first: dict[str, Any] = {"per_page": source.per_page}
    if source.status != "any":
        first["status"] = source.status
    if since is not None:
        first["start_created_at"] = since.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    params: dict[str, Any] | None = first
    url: httpx.URL | None = httpx.URL(f"{survey}/responses/bulk")
    seen: set[str] = set()
    while url is not None:
        # The survey's details were the first request.
        page, body, items = await list_page(
            client,
            policy,
            source,
            result,
            url,
            "data",
            params=params,
            headers=headers,
            earlier_requests=1,
        )
        collect(
            result,
            items,
            lambda item: response_record(item, source.question_id, scores),
            "response_id",
            seen,
            "response",
        )
        links = body.get("links")
        # The next link carries its own query string.
        url = next_link(page.url, (links or {}).get("next"), source.base_url, source.id)
        params = None
    return result
