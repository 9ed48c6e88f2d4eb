"""Built-in vendor kinds against local servers that answer in each vendor's documented shape.

Each replay has several pages (where the API pages), a rate-limit answer in the
middle, and records with optional fields missing; the metric computed from the
replay is checked against a hand computation written here. The sources come from
config/examples/vendors.toml, pointed at the local servers.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import pytest

from tests.local_server import LocalServer, Reply
from tui.config import Config, load_config
from tui.metrics.compute import compute_metric
from tui.periods import last_periods
from tui.sources import SourceError, fetch_records, make_client

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 3, 20)
MARCH = "2026-03"
ENV = {
    "SURVEYMONKEY_TOKEN": "sm-secret-token-1",
    "ZENDESK_EMAIL": "agent@example.com",
    "ZENDESK_API_TOKEN": "zd-secret-token-2",
    "BAMBOOHR_API_KEY": "bhr-secret-key-3",
}


@pytest.fixture
def example() -> Config:
    return load_config(ROOT / "config" / "examples" / "vendors.toml")


def pointed_at(config: Config, source_id: str, **update) -> object:
    source = next(s for s in config.sources if s.id == source_id)
    return source.model_copy(update={"backoff_seconds": 0, **update})


async def fetch(source, environ=ENV):
    async with make_client() as client:
        return await fetch_records(source, client, environ)


def march_value(config: Config, metric_id: str, records, segment: str = ""):
    metric = next(m for m in config.metrics if m.id == metric_id)
    result = compute_metric(metric, records, last_periods(TODAY, "month", 3), TODAY)
    return next(
        (o.value, o.n)
        for o in result.observations
        if o.segment == segment and o.period.key == MARCH
    )


# ── SurveyMonkey ─────────────────────────────────────────────────────────

SM_QUESTION = "667788990"
# Chosen answers, by response: scores 10, 9, 3, 7, 10, 0, 8 and one who skipped.
SM_ANSWERS = ["c10", "c9", "c3", "c7", "c10", "c0", "c8", None]


def sm_details(request):
    choices = [{"id": f"c{i}", "text": str(i), "position": i + 1} for i in range(11)]
    return Reply(
        body={
            "id": "405123456",
            "pages": [
                {
                    "id": "p1",
                    "questions": [
                        {"id": "111", "family": "open_ended", "answers": {}},
                        {
                            "id": SM_QUESTION,
                            "family": "matrix",
                            "subtype": "rating",
                            "headings": [{"heading": "How likely…"}],
                            "answers": {"choices": choices},
                        },
                    ],
                }
            ],
        }
    )


def sm_response(index: int, choice: str | None) -> dict:
    questions = [{"id": "111", "answers": [{"text": "fine"}]}]
    if choice is not None:
        questions.append({"id": SM_QUESTION, "answers": [{"choice_id": choice, "row_id": "r1"}]})
    response = {
        "id": f"R{index}",
        "survey_id": "405123456",
        "collector_id": "C1",
        "response_status": "completed",
        "date_created": f"2026-03-{index + 2:02d}T10:00:00+00:00",
        "pages": [{"id": "p1", "questions": questions}],
    }
    if index % 3 != 2:  # some responses carry no custom variables at all
        response["custom_variables"] = {"team": "Support" if index % 2 else "Sales"}
    return response


class SurveyMonkeyReplay:
    def __init__(self) -> None:
        self.rate_limited = False
        self.server = LocalServer(
            {
                "/v3/surveys/405123456/details": sm_details,
                "/v3/surveys/405123456/responses/bulk": self.bulk,
            }
        )

    def bulk(self, request):
        page = int(request.query.get("page", 1))
        per_page = int(request.query["per_page"])
        if page == 2 and not self.rate_limited:
            self.rate_limited = True  # SurveyMonkey sends no Retry-After: its reset header
            return Reply(
                429,
                {"error": {"id": "1040", "name": "Rate limit reached", "http_status_code": 429}},
                headers={"X-Ratelimit-App-Global-Minute-Reset": "0"},
            )
        items = [sm_response(i, c) for i, c in enumerate(SM_ANSWERS)]
        chunk = items[(page - 1) * per_page : page * per_page]
        links = {"self": f"{self.server.url}/v3/surveys/405123456/responses/bulk?page={page}"}
        if page * per_page < len(items):
            links["next"] = (
                f"{self.server.url}/v3/surveys/405123456/responses/bulk"
                f"?page={page + 1}&per_page={per_page}"
            )
        return Reply(
            body={
                "data": chunk,
                "per_page": per_page,
                "page": page,
                "total": len(items),
                "links": links,
            }
        )


async def test_surveymonkey_pages_waits_out_a_429_and_computes_nps(example):
    replay = SurveyMonkeyReplay()
    with replay.server:
        source = pointed_at(example, "nps-survey", base_url=f"{replay.server.url}/v3", per_page=3)
        result = await fetch(source)
        requests = replay.server.requests
    assert replay.rate_limited
    assert result.pages == 4  # the survey's details, then three pages of responses
    assert result.skipped == {"did not answer the question": 1}
    assert all(r.headers["authorization"] == "Bearer sm-secret-token-1" for r in requests)
    assert requests[1].query["status"] == "completed"
    # By hand: 10, 9, 3, 7, 10, 0, 8 → promoters 3, detractors 2, n 7.
    value, n = march_value(example, "nps", result.records)
    assert n == 7
    assert value == pytest.approx(100 * (3 - 2) / 7)
    # Tagged Support: responses 1 and 3 (5 has no custom variables): 9, 7 → 1 promoter of 2.
    assert march_value(example, "nps", result.records, "Support") == (50.0, 2)


async def test_a_wrong_surveymonkey_token_says_which_variable_to_check(example):
    with LocalServer(
        {"/v3/surveys/405123456/details": lambda r: Reply(401, {"error": {}})}
    ) as server:
        source = pointed_at(example, "nps-survey", base_url=f"{server.url}/v3")
        with pytest.raises(SourceError) as caught:
            await fetch(source)
    assert str(caught.value) == "401 from SurveyMonkey — check SURVEYMONKEY_TOKEN"


async def test_a_missing_question_is_named(example):
    with LocalServer({"/v3/surveys/405123456/details": sm_details}) as server:
        source = pointed_at(example, "nps-survey", base_url=f"{server.url}/v3", question_id="42")
        with pytest.raises(SourceError, match="survey has no question 42; check question_id"):
            await fetch(source)


# ── Zendesk ──────────────────────────────────────────────────────────────

# Received ratings, oldest first: 5 good and 2 bad, one offered-only, one duplicate.
ZD_SCORES = ["good", "bad", "good", "offered", "good", "good", "bad", "good"]


class ZendeskReplay:
    def __init__(self) -> None:
        self.rate_limited = False
        self.server = LocalServer({"/api/v2/satisfaction_ratings.json": self.ratings})

    def ratings(self, request):
        after = int(request.query.get("page[after]", "0"))
        size = int(request.query["page[size]"])
        if after == size and not self.rate_limited:
            self.rate_limited = True
            # A user-reported 429 had a text/plain body: never assume JSON on errors.
            return Reply(429, raw=b"Too Many Requests", headers={"Retry-After": "0"})
        items = []
        for i, score in enumerate(ZD_SCORES):
            item = {
                "id": 1000 + i,
                "url": f"https://acme.zendesk.com/api/v2/satisfaction_ratings/{1000 + i}.json",
                "score": score,
                "ticket_id": 500 + i,
                "group_id": 7,
                "requester_id": 9000 + i,
                "created_at": f"2026-03-{i + 1:02d}T09:30:00Z",
                "updated_at": f"2026-03-{i + 1:02d}T09:30:00Z",
            }
            if i % 2 == 0:  # assignee, comment and reason only sometimes
                item.update(assignee_id=42, comment="thanks", reason="Issue took too long")
            items.append(item)
        chunk = items[after : after + size]
        if after == size:
            chunk = [*chunk, items[after - 1]]  # a rating repeated across pages
        more = after + size < len(items)
        return Reply(
            body={
                "satisfaction_ratings": chunk,
                "meta": {"has_more": more, "after_cursor": str(after + size) if more else None},
                "links": {
                    "next": f"{self.server.url}/api/v2/satisfaction_ratings.json"
                    f"?page[size]={size}&page[after]={after + size}&score=received"
                    if more
                    else None
                },
            }
        )


async def test_zendesk_follows_cursors_waits_out_a_429_and_computes_csat(example):
    replay = ZendeskReplay()
    with replay.server:
        source = pointed_at(
            example,
            "support-csat",
            subdomain=None,
            base_url=f"{replay.server.url}/api/v2",
            page_size=3,
        )
        result = await fetch(source)
        requests = replay.server.requests
    assert replay.rate_limited and result.pages == 3
    assert result.skipped == {"offered, not answered": 1, "duplicate rating": 1}
    expected = base64.b64encode(b"agent@example.com/token:zd-secret-token-2").decode()
    assert requests[0].headers["authorization"] == f"Basic {expected}"
    assert requests[0].query == {"score": "received", "page[size]": "3"}
    # By hand: good 5, bad 2 → 100 × 5 / 7.
    value, n = march_value(example, "csat", result.records)
    assert (n, value) == (7, pytest.approx(100 * 5 / 7))


async def test_zendesk_credentials_never_reach_a_message(example):
    with LocalServer({"/api/v2/satisfaction_ratings.json": lambda r: Reply(403, {})}) as server:
        source = pointed_at(
            example, "support-csat", subdomain=None, base_url=f"{server.url}/api/v2"
        )
        with pytest.raises(SourceError) as caught:
            await fetch(source)
    message = str(caught.value)
    assert message == "403 from Zendesk — check ZENDESK_EMAIL and ZENDESK_API_TOKEN"
    assert "secret" not in message and "agent@" not in message


# ── BambooHR ─────────────────────────────────────────────────────────────

BHR_EMPLOYEES = [
    # Ten people employed all of February; Ana leaves on 12 March; Ben joins on 16 March.
    *(
        {
            "id": str(100 + i),
            "department": "Support" if i < 6 else "Sales",
            "division": "EMEA",
            "hireDate": f"202{i % 5}-0{i % 9 + 1}-15",
            "terminationDate": "0000-00-00" if i % 2 else None,
            "status": "Active",
        }
        for i in range(9)
    ),
    {
        "id": "200",
        "department": "Support",
        "hireDate": "2023-05-01",
        "terminationDate": "2026-03-12",
        "status": "Inactive",
    },  # no division: an optional field missing
    {
        "id": "201",
        "department": "Sales",
        "hireDate": "2026-03-16",
        "terminationDate": "",
        "status": "Active",
    },
    {
        "id": "300",
        "department": "Support",
        "hireDate": "2019-01-01",
        "terminationDate": "2025-11-30",
        "status": "Inactive",
    },  # left before the window
]


class BambooReplay:
    def __init__(self) -> None:
        self.throttled = False
        self.server = LocalServer({"/api/v1/reports/custom": self.report})

    def report(self, request):
        if not self.throttled:
            self.throttled = True  # BambooHR throttles with 503
            return Reply(503, raw=b"Service Unavailable", headers={"Retry-After": "0"})
        fields = json.loads(request.body)["fields"]
        return Reply(
            body={
                "title": "Tandem headcount and turnover",
                "fields": [{"id": f, "type": "text", "name": f} for f in fields],
                "employees": [
                    {k: v for k, v in e.items() if k in fields or k == "id"} for e in BHR_EMPLOYEES
                ],
            }
        )


async def test_bamboohr_posts_a_report_waits_out_throttling_and_computes_turnover(example):
    replay = BambooReplay()
    with replay.server:
        source = pointed_at(
            example, "people", company_domain=None, base_url=f"{replay.server.url}/api/v1"
        )
        result = await fetch(source)
        requests = replay.server.requests
    assert replay.throttled and len(requests) == 2
    post = requests[-1]
    assert post.method == "POST" and post.query == {"format": "JSON", "onlyCurrent": "false"}
    assert json.loads(post.body)["fields"] == [
        "department",
        "hireDate",
        "terminationDate",
        "status",
        "division",
    ]
    key = base64.b64encode(b"bhr-secret-key-3:").decode()
    assert post.headers["authorization"] == f"Basic {key}"
    # Never a name or an email: only what the metrics need.
    assert all(
        set(r)
        == {"employee_id", "department", "hire_date", "termination_date", "status", "division"}
        for r in result.records
    )
    assert sum(r["termination_date"] is None for r in result.records) == 10  # "", None, 0000-00-00
    # By hand, March 2026: on 28 Feb, 9 + Ana = 10 employed; on 31 March, 10 − Ana + Ben = 10.
    # One termination ÷ mean headcount 10 → 10 %.
    value, _ = march_value(example, "turnover", result.records)
    assert value == pytest.approx(10.0)


async def test_a_wrong_bamboohr_key_says_which_variable_to_check(example):
    with LocalServer({"/api/v1/reports/custom": lambda r: Reply(401, raw=b"")}) as server:
        source = pointed_at(example, "people", company_domain=None, base_url=f"{server.url}/api/v1")
        with pytest.raises(SourceError) as caught:
            await fetch(source)
    assert str(caught.value) == "401 from BambooHR — check BAMBOOHR_API_KEY"


async def test_an_unset_variable_is_named_before_any_request(example):
    with LocalServer({}) as server:
        source = pointed_at(example, "people", company_domain=None, base_url=f"{server.url}/api/v1")
        with pytest.raises(SourceError, match="environment variable BAMBOOHR_API_KEY is not set"):
            await fetch(source, environ={})
        assert server.requests == []


# ── Files ────────────────────────────────────────────────────────────────


async def test_a_csv_export_with_a_column_mapping(example, tmp_path):
    export = tmp_path / "pulse.csv"
    export.write_text(
        "Submitted At,Team,How likely are you to recommend working here?,Comment\n"
        "2026-03-02T08:00:00Z,Support,10,\n"
        "2026-03-03T08:00:00Z,Support,6,too busy\n"
        "2026-03-04T08:00:00Z,Sales,9,\n"
        "2026-03-05T08:00:00Z,Sales,,\n"  # skipped the question: rejected as missing
        "2026-03-06T08:00:00Z,Sales,8,\n",
        encoding="utf-8",
    )
    source = pointed_at(example, "pulse", path=str(export))
    result = await fetch(source)
    assert [r["enps"] for r in result.records] == ["10", "6", "9", "", "8"]
    # By hand: 10, 6, 9, 8 → promoters 2, detractors 1, n 4 → 25.
    assert march_value(example, "enps", result.records) == (25.0, 4)


async def test_a_json_export_and_a_missing_file(example, tmp_path):
    export = tmp_path / "pulse.json"
    export.write_text(json.dumps({"rows": [{"at": "2026-03-02", "q": {"enps": 9}}, "junk"]}))
    source = pointed_at(
        example,
        "pulse",
        path=str(export),
        records_path="rows",
        columns={"submitted_at": "at", "enps": "q.enps"},
    )
    result = await fetch(source)
    assert result.records == [{"submitted_at": "2026-03-02", "enps": 9}]
    assert result.skipped == {"record is not a JSON object": 1}
    missing = pointed_at(example, "pulse", path=str(tmp_path / "nope.csv"))
    with pytest.raises(SourceError, match="file not found"):
        await fetch(missing)
    wrong = pointed_at(example, "pulse", path=str(tmp_path / "pulse.csv"))
    (tmp_path / "pulse.csv").write_text("When,Who\n2026-03-01,x\n")
    with pytest.raises(SourceError, match="has no column 'Submitted At'"):
        await fetch(wrong)


def test_a_vendor_credential_in_the_config_is_refused(tmp_path):
    text = (ROOT / "config" / "examples" / "vendors.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('api_key_env = "BAMBOOHR_API_KEY"', 'api_key_env = "b9f-3c1:x"'))
    from tui.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_config(bad)
    assert "sources[2].api_key_env" in str(caught.value)
    assert "environment variable" in str(caught.value)


def test_the_example_is_valid_and_names_every_kind(example):
    assert [s.kind for s in example.sources] == ["surveymonkey", "zendesk", "bamboohr", "file"]
