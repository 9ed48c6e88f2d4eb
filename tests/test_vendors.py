"""Built-in vendor kinds against local servers that answer in each vendor's documented shape.

Each replay has several pages (where the API pages), a rate-limit answer in the
middle, and records with optional fields missing; the metric computed from the
replay is checked against a hand computation written here. The sources come from
config/examples/vendors.toml, pointed at the local servers.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
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
        "originalHireDate",
        "terminationDate",
        "status",
        "division",
    ]
    key = base64.b64encode(b"bhr-secret-key-3:").decode()
    assert post.headers["authorization"] == f"Basic {key}"
    # Never a name or an email: only what the metrics need.
    assert all(
        set(r)
        == {
            "employee_id",
            "spell_id",
            "department",
            "hire_date",
            "original_hire_date",
            "termination_date",
            "status",
            "division",
        }
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
    assert [r["enps"] for r in result.received] == ["10", "6", "9", "", "8"]
    # By hand: 10, 6, 9, 8 → promoters 2, detractors 1, n 4 → 25.
    assert march_value(example, "enps", result.received) == (25.0, 4)


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
    assert list(result.received) == [{"submitted_at": "2026-03-02", "enps": 9}]
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


# ── Typeform, Personio, HiBob (config/examples/more-vendors.toml) ────────


@pytest.fixture
def more() -> Config:
    return load_config(ROOT / "config" / "examples" / "more-vendors.toml")


MORE_ENV = {
    "TYPEFORM_TOKEN": "tf-secret-4",
    "PERSONIO_CLIENT_ID": "pc-id-5",
    "PERSONIO_CLIENT_SECRET": "pc-secret-6",
    "HIBOB_SERVICE_USER_ID": "svc-7",
    "HIBOB_SERVICE_USER_TOKEN": "hb-secret-8",
}

# Newest first, as Typeform lists them: scores 10, 2, 9, 9, 5, a skipped field, 8.
TF_SCORES = [10, 2, 9, 9, 5, None, 8]


class TypeformReplay:
    def __init__(self) -> None:
        self.rate_limited = False
        self.server = LocalServer({"/forms/lT4Z3j/responses": self.responses})

    def responses(self, request):
        size = int(request.query["page_size"])
        items = []
        for i, score in enumerate(TF_SCORES):
            answers = [
                {
                    "field": {"id": "f0", "ref": "name", "type": "short_text"},
                    "type": "text",
                    "text": "x",
                }
            ]
            if score is not None:
                answers.append(
                    {
                        "field": {"id": "f1", "ref": "nps_question", "type": "nps"},
                        "type": "number",
                        "number": score,
                    }
                )
            item = {
                "response_id": f"r{i}",
                "token": f"r{i}",
                "landed_at": f"2026-03-{20 - i:02d}T10:00:00Z",
                "submitted_at": f"2026-03-{20 - i:02d}T10:01:00Z",
                "answers": answers,
            }
            if i != 2:  # one response without hidden fields
                item["hidden"] = {"team": "Support" if i % 2 else "Sales"}
            items.append(item)
        before = request.query.get("before")
        start = (
            0
            if before is None
            else next(i for i, it in enumerate(items) if it["token"] == before) + 1
        )
        if before == "r2" and not self.rate_limited:
            self.rate_limited = True
            return Reply(429, {"code": "rate_limited"}, headers={"Retry-After": "0"})
        chunk = items[start : start + size]
        return Reply(body={"total_items": len(items), "page_count": 3, "items": chunk})


async def test_typeform_pages_with_before_and_computes_nps(more):
    replay = TypeformReplay()
    with replay.server:
        source = pointed_at(more, "feedback", base_url=replay.server.url, page_size=3)
        result = await fetch(source, MORE_ENV)
        requests = replay.server.requests
    assert replay.rate_limited and result.pages == 3
    assert [r.query.get("before") for r in requests] == [None, "r2", "r2", "r5"]
    assert result.skipped == {"did not answer the field": 1}
    assert requests[0].headers["authorization"] == "Bearer tf-secret-4"
    # By hand: 10, 2, 9, 9, 5, 8 → promoters 3, detractors 2, n 6.
    value, n = march_value(more, "nps", result.records)
    assert (n, value) == (6, pytest.approx(100 * (3 - 2) / 6))


def _personio_employee(number, hired, left, department):
    return {
        "type": "Employee",
        "attributes": {
            "id": {"label": "ID", "value": number, "type": "integer"},
            "first_name": {"label": "First name", "value": "Never", "type": "standard"},
            "email": {"label": "Email", "value": f"p{number}@acme.test", "type": "standard"},
            "status": {"label": "Status", "value": "inactive" if left else "active"},
            "hire_date": {"label": "Hire date", "value": f"{hired}T00:00:00+01:00", "type": "date"},
            "termination_date": {
                "label": "Termination date",
                "value": f"{left}T00:00:00+01:00" if left else None,
                "type": "date",
            },
            "department": {
                "label": "Department",
                "value": {"type": "Department", "attributes": {"id": 3, "name": department}},
            }
            if department
            else {"label": "Department", "value": None},
            "office": {
                "label": "Office",
                "value": {"type": "Office", "attributes": {"id": 1, "name": "Berlin"}},
            },
        },
    }


# Twenty people employed all of February; two leave in March (the 10th and the 15th).
PERSONIO = [
    _personio_employee(i, "2021-04-01", None, "Support" if i % 2 else None) for i in range(18)
] + [
    _personio_employee(18, "2022-01-10", "2026-03-10", "Support"),
    _personio_employee(19, "2020-06-01", "2026-03-15", "Sales"),
]


class PersonioReplay:
    def __init__(self) -> None:
        self.tokens = 0
        self.rate_limited = False
        self.server = LocalServer({"/v1/auth": self.auth, "/v1/company/employees": self.employees})

    def auth(self, request):
        body = json.loads(request.body)
        if body != {"client_id": "pc-id-5", "client_secret": "pc-secret-6"}:
            return Reply(401, {"success": False, "error": {"message": "bad credentials"}})
        self.tokens += 1
        return Reply(body={"success": True, "data": {"token": f"papi-token-{self.tokens}"}})

    def employees(self, request):
        if request.headers.get("authorization") != f"Bearer papi-token-{self.tokens}":
            return Reply(401, {"success": False})
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        if offset == limit and not self.rate_limited:
            self.rate_limited = True
            return Reply(
                429, {"success": False, "error": {"code": 429}}, headers={"Retry-After": "0"}
            )
        chunk = PERSONIO[offset : offset + limit]
        return Reply(
            body={
                "success": True,
                "metadata": {
                    "total_elements": len(PERSONIO),
                    "current_page": offset // limit,
                    "total_pages": -(-len(PERSONIO) // limit),
                },
                "offset": offset,
                "limit": limit,
                "data": chunk,
            }
        )


async def test_personio_gets_a_token_pages_by_offset_and_computes_turnover(more):
    replay = PersonioReplay()
    with replay.server:
        source = pointed_at(more, "personio", base_url=f"{replay.server.url}/v1", limit=8)
        result = await fetch(source, MORE_ENV)
        # A second refresh reuses the token.
        await fetch(source, MORE_ENV)
    assert replay.rate_limited and replay.tokens == 1
    assert result.pages == 3 and len(result.records) == 20
    assert {"first_name", "email"}.isdisjoint(result.records[0])
    assert result.records[0]["hire_date"] == "2021-04-01"  # Personio's local midnight, as a date
    assert result.records[19]["office"] == "Berlin"
    # By hand, March 2026 to date (the 20th): 20 employed on 28 Feb, 18 today.
    # 2 terminations ÷ mean(20, 18) = 2 ÷ 19 → 10.526 %.
    value, _ = march_value(more, "turnover", result.records)
    assert value == pytest.approx(100 * 2 / 19)


async def test_personio_fetches_a_new_token_when_the_kept_one_is_refused(more):
    replay = PersonioReplay()
    with replay.server:
        source = pointed_at(
            more, "personio", id="personio-expiry", base_url=f"{replay.server.url}/v1", limit=50
        )
        await fetch(source, MORE_ENV)
        # The kept token stops working before its time (revoked, say).
        from tui.sources import personio

        key = next(k for k in personio._tokens if k[0] == "personio-expiry")
        personio._tokens[key] = ("papi-token-stale", personio._tokens[key][1])
        result = await fetch(source, MORE_ENV)
    assert len(result.records) == 20 and replay.tokens == 2


async def test_personio_bad_credentials_name_both_variables(more):
    replay = PersonioReplay()
    with replay.server:
        source = pointed_at(more, "personio", id="personio-bad", base_url=f"{replay.server.url}/v1")
        with pytest.raises(SourceError) as caught:
            await fetch(source, {**MORE_ENV, "PERSONIO_CLIENT_SECRET": "wrong-secret-9"})
    message = str(caught.value)
    assert message == "401 from Personio — check PERSONIO_CLIENT_ID and PERSONIO_CLIENT_SECRET"
    assert "wrong-secret-9" not in message


def _bob(number, start, termination, department, site="London"):
    person = {
        "/root/id": {"value": str(number)},
        "/work/startDate": {"value": start},
        "/internal/terminationDate": {"value": termination},
        "/internal/status": {"value": "Inactive" if termination else "Active"},
        "/internal/lifecycleStatus": {"value": "terminated" if termination else "employed"},
        "/work/site": {"value": site},
    }
    if department:  # an optional field, sometimes missing
        person["/work/department"] = {"value": department}
    return person


async def test_hibob_searches_inactive_people_too_and_computes_headcount(more):
    throttled = []

    def search(request):
        if not throttled:
            throttled.append(True)
            return Reply(429, raw=b"rate limited", headers={"Retry-After": "0"})
        body = json.loads(request.body)
        assert body["showInactive"] is True and "work.site" in body["fields"]
        return Reply(
            body={
                "employees": [
                    _bob(1, "2020-01-06", None, "Support"),
                    _bob(2, "2021-05-17", None, None),
                    _bob(3, "2019-03-01", "2026-03-05", "Support"),
                    _bob(4, "2026-03-09", None, "Sales"),
                    _bob(5, "2026-04-01", None, "Sales"),  # starts after the window
                ]
            }
        )

    with LocalServer({"/v1/people/search": search}) as server:
        source = pointed_at(more, "bob", base_url=f"{server.url}/v1")
        result = await fetch(source, MORE_ENV)
        request = server.requests[-1]
    expected = base64.b64encode(b"svc-7:hb-secret-8").decode()
    assert request.method == "POST" and request.headers["authorization"] == f"Basic {expected}"
    assert len(throttled) == 1 and len(result.records) == 5
    assert result.records[1]["department"] is None and result.records[0]["work.site"] == "London"
    # By hand, headcount on the running period's last day (today, 20 March): people 1, 2
    # and 4 (3 left on the 5th, 5 starts in April) → 3.
    value, _ = march_value(more, "headcount", result.records)
    assert value == 3


# ── Workday RaaS and Peakon (config/examples/workday-peakon.toml) ────────


@pytest.fixture
def workday_peakon() -> Config:
    return load_config(ROOT / "config" / "examples" / "workday-peakon.toml")


WP_ENV = {
    "PEAKON_APP_TOKEN": "pk-app-secret-10",
    "WORKDAY_ISU_USER": "ISU_Tandem@acme",
    "WORKDAY_ISU_PASSWORD": "wd-secret-11",
}


async def test_workday_reads_a_report_with_prompts_and_computes_turnover(workday_peakon):
    calls = []

    def report(request):
        calls.append(request)
        if len(calls) == 1:
            return Reply(500, raw=b"<html>busy</html>")  # transient: retried
        rows = [
            {
                "Employee_ID": f"2100{i}",
                "Hire_Date": "2019-02-01-08:00",
                "Supervisory_Organization": "Support",
                "Legal_Name": "Never Stored",
            }
            for i in range(7)
        ]
        rows.append(
            {
                "Employee_ID": "21007",
                "Hire_Date": "2020-01-01",
                "Termination_Date": "2026-03-02-08:00",
            }
        )
        return Reply(body={"Report_Entry": rows})

    with LocalServer(
        {"/ccx/service/customreport2/acme/ISU_Tandem/Tandem_Workers": report}
    ) as server:
        source = pointed_at(
            workday_peakon,
            "workers",
            report_url=f"{server.url}/ccx/service/customreport2/acme/ISU_Tandem/Tandem_Workers",
        )
        result = await fetch(source, WP_ENV)
    assert len(calls) == 2 and calls[-1].query == {
        "Include_Terminated_Workers": "1",
        "format": "json",
    }
    expected = base64.b64encode(b"ISU_Tandem@acme:wd-secret-11").decode()
    assert calls[-1].headers["authorization"] == f"Basic {expected}"
    assert all("Legal_Name" not in r and "legal_name" not in r for r in result.records)
    assert result.records[0]["hire_date"] == "2019-02-01"  # the date part of an offset date
    assert result.records[7]["department"] is None  # a column missing from a row
    # By hand, March to date: 8 employed on 28 Feb, 7 today; 1 ÷ 7.5 → 13.33 %.
    value, _ = march_value(workday_peakon, "turnover", result.records)
    assert value == pytest.approx(100 / 7.5)


async def test_workday_report_with_no_rows_is_empty_not_an_error(workday_peakon):
    with LocalServer({"/r": lambda request: Reply(body={})}) as server:
        source = pointed_at(workday_peakon, "workers", report_url=f"{server.url}/r")
        result = await fetch(source, WP_ENV)
    assert result.records == []


class PeakonReplay:
    def __init__(self) -> None:
        self.rate_limited = False
        self.server = LocalServer(
            {"/api/v1/auth/application": self.auth, "/api/v1/answers/export": self.answers}
        )

    def auth(self, request):
        body = json.loads(request.body)
        if body != {"token": "pk-app-secret-10", "persists": False}:
            return Reply(401, {"errors": [{"status": 401}]})
        return Reply(body={"data": {"type": "bearer_tokens", "id": "jwt.header.payload"}})

    def answers(self, request):
        assert request.headers["authorization"] == "Bearer jwt.header.payload"
        cursor = int(request.query.get("cursor", "0"))
        if cursor == 1 and not self.rate_limited:
            self.rate_limited = True
            return Reply(429, {"errors": [{"status": 429}]}, headers={"Retry-After": "0"})
        pages = [
            [(10, "1473", "automatic"), (3, "1473", "automatic"), (9, "88", "automatic")],
            [(None, "1473", "automatic"), (8, "1473", "automatic"), (10, "1473", "test")],
            [(9, "1473", "automatic"), (0, "1473", "automatic")],
        ]
        data = []
        for i, (score, question, round_type) in enumerate(pages[cursor]):
            attributes = {
                "answerId": f"a{cursor}{i}",
                "answerScore": score,
                "questionId": question,
                "questionType": "scale",
                "responseAnsweredAt": f"2026-03-{cursor * 3 + i + 1:02d}T12:00:00.000Z",
                "roundType": round_type,
                "employeeId": "e1",
                "accountEmail": "someone@acme.test",
                "answerComment": "private",
            }
            if score is None:
                attributes["answerSkipReason"] = "dont_know"
            data.append({"id": f"a{cursor}{i}", "type": "answers_export", "attributes": attributes})
        following = (
            f"{self.server.url}/api/v1/answers/export?per_page=3&cursor={cursor + 1}"
            if cursor + 1 < len(pages)
            else None
        )
        return Reply(body={"data": data, "links": {"self": "…", "next": following}})


async def test_peakon_exchanges_its_token_follows_links_and_computes_enps(workday_peakon):
    replay = PeakonReplay()
    with replay.server:
        source = pointed_at(
            workday_peakon,
            "voice",
            subdomain=None,
            base_url=f"{replay.server.url}/api/v1",
            per_page=3,
        )
        result = await fetch(source, WP_ENV)
    assert replay.rate_limited and result.pages == 3
    assert result.skipped == {"skipped: dont_know": 1, "answer from a test round": 1}
    # Never who answered or what they wrote.
    assert all(
        set(r) == {"answer_id", "answered_at", "score", "round_type"} for r in result.records
    )
    # By hand: 10, 3, 8, 9, 0 → promoters 2, detractors 2 → 0, n 5.
    assert march_value(workday_peakon, "enps", result.records) == (0.0, 5)


async def test_a_wrong_peakon_token_says_which_variable_to_check(workday_peakon):
    replay = PeakonReplay()
    with replay.server:
        source = pointed_at(
            workday_peakon, "voice", subdomain=None, base_url=f"{replay.server.url}/api/v1"
        )
        with pytest.raises(SourceError) as caught:
            await fetch(source, {"PEAKON_APP_TOKEN": "nope-12"})
    assert str(caught.value) == "401 from Peakon — check PEAKON_APP_TOKEN"


# ── Qualtrics (config/examples/qualtrics.toml) ───────────────────────────


def _qualtrics_response(i, score, status=0, finished=1, team="Support"):
    values = {
        "startDate": f"2026-03-{i + 1:02d}T09:58:00Z",
        "endDate": f"2026-03-{i + 1:02d}T10:00:00Z",
        "recordedDate": f"2026-03-{i + 1:02d}T10:00:01.250Z",
        "status": status,
        "progress": 100 if finished else 40,
        "finished": finished,
        "_recordId": f"R_{i}",
        "locationLatitude": "52.5",
    }
    if score is not None:
        values.update(
            {"QID4": score, "QID4_NPS_GROUP": 3 if score >= 9 else 1 if score <= 6 else 2}
        )
    if team:
        values["team"] = team
    return {"responseId": f"R_{i}", "values": values, "labels": {}, "displayedFields": []}


QUALTRICS = [
    _qualtrics_response(0, 10),
    _qualtrics_response(1, 6),
    _qualtrics_response(2, 9, team=None),  # no embedded team
    _qualtrics_response(3, 10, status=1),  # a survey preview
    _qualtrics_response(4, 0, finished=0),  # closed unfinished
    _qualtrics_response(5, None),  # skipped the question
    _qualtrics_response(6, 8, team="Sales"),
    _qualtrics_response(7, 9),
]


class QualtricsReplay:
    def __init__(self) -> None:
        self.polls = 0
        self.base = "/API/v3/surveys/SV_3kFv2sYhVZ1a2b3/export-responses"
        self.server = LocalServer(
            {
                self.base: self.start,
                f"{self.base}/ES_abc123": self.progress,
                f"{self.base}/file-77/file": self.file,
            }
        )

    def start(self, request):
        assert request.method == "POST" and json.loads(request.body)["format"] == "json"
        assert request.headers["x-api-token"] == "ql-secret-13"
        return Reply(
            body={
                "result": {
                    "progressId": "ES_abc123",
                    "percentComplete": 0.0,
                    "status": "inProgress",
                },
                "meta": {"requestId": "r1", "httpStatus": "200 - OK"},
            }
        )

    def progress(self, request):
        self.polls += 1
        if self.polls == 2:
            return Reply(
                429,
                {"meta": {"httpStatus": "429 - Too Many Requests"}},
                headers={"Retry-After": "0"},
            )
        if self.polls == 1:
            result = {"percentComplete": 40.0, "status": "inProgress"}  # no fileId yet
        else:
            result = {"percentComplete": 100.0, "status": "complete", "fileId": "file-77"}
        return Reply(body={"result": result, "meta": {"requestId": "r2", "httpStatus": "200 - OK"}})

    def file(self, request):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("Customer NPS.json", json.dumps({"responses": QUALTRICS}))
        return Reply(raw=buffer.getvalue(), headers={"Content-Type": "application/zip"})


@pytest.fixture
def qualtrics_config() -> Config:
    return load_config(ROOT / "config" / "examples" / "qualtrics.toml")


async def test_qualtrics_runs_the_export_job_and_computes_nps(qualtrics_config):
    replay = QualtricsReplay()
    with replay.server:
        source = pointed_at(
            qualtrics_config,
            "customer-nps",
            datacenter=None,
            base_url=f"{replay.server.url}/API/v3",
            poll_seconds=0,
        )
        result = await fetch(source, {"QUALTRICS_API_TOKEN": "ql-secret-13"})
    assert replay.polls == 3  # in progress, rate limited, complete
    assert result.skipped == {
        "not a normal response (status 1)": 1,
        "not finished": 1,
        "did not answer the question": 1,
    }
    assert [r["team"] for r in result.records] == ["Support", "Support", None, "Sales", "Support"]
    # By hand: 10, 6, 9, 8, 9 → promoters 3, detractors 1, n 5 → 40.
    assert march_value(qualtrics_config, "nps", result.records) == (40.0, 5)


async def test_a_failed_qualtrics_export_says_so(qualtrics_config):
    base = "/API/v3/surveys/SV_3kFv2sYhVZ1a2b3/export-responses"
    routes = {
        base: lambda r: Reply(
            body={"result": {"progressId": "ES_1", "status": "inProgress"}, "meta": {}}
        ),
        f"{base}/ES_1": lambda r: Reply(body={"result": {"status": "failed"}, "meta": {}}),
    }
    with LocalServer(routes) as server:
        source = pointed_at(
            qualtrics_config,
            "customer-nps",
            datacenter=None,
            base_url=f"{server.url}/API/v3",
            poll_seconds=0,
        )
        with pytest.raises(SourceError, match="Qualtrics reports the export failed"):
            await fetch(source, {"QUALTRICS_API_TOKEN": "ql-secret-13"})


def test_an_export_that_unpacks_beyond_the_cap_is_refused():
    from tui.sources.qualtrics import read_export

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.json", json.dumps({"responses": [], "pad": "x" * 100_000}))
    assert len(buffer.getvalue()) < 5_000  # small to download…
    with pytest.raises(SourceError, match="unpacks to more than 50,000 bytes"):
        read_export(buffer.getvalue(), 50_000, "survey")  # …but not to unpack
    assert read_export(json.dumps({"responses": []}).encode(), 50_000, "survey") == {
        "responses": []
    }


async def test_an_internal_service_survey_on_qualtrics_scores_each_function(tmp_path):
    """config/examples/internal.toml: the teams rate IT and HR through a Qualtrics export
    with the function and the rater's team as embedded data; each function's NPS of
    the raters, by hand."""
    config = load_config(ROOT / "config" / "examples" / "internal.toml")
    ratings = [  # (function, rater's team, score)
        ("IT", "Support", 10),
        ("IT", "Support", 9),
        ("IT", "Sales", 3),
        ("IT", "Sales", 7),
        ("IT", "Support", 10),
        ("IT", "Sales", 6),
        ("HR", "Support", 9),
        ("HR", "Field Ops", 2),
        ("HR", "Sales", 8),
        ("HR", "Support", 10),
        ("HR", "Sales", 9),
    ]
    responses = []
    for i, (function, team, score) in enumerate(ratings):
        response = _qualtrics_response(i, None, team=team)
        response["values"].update({"QID2": score, "function": function})
        responses.append(response)
    base = "/API/v3/surveys/SV_0IntSvc7Rated4x/export-responses"

    def file(request):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("Internal service.json", json.dumps({"responses": responses}))
        return Reply(raw=buffer.getvalue(), headers={"Content-Type": "application/zip"})

    routes = {
        base: lambda r: Reply(body={"result": {"progressId": "ES_9"}, "meta": {}}),
        f"{base}/ES_9": lambda r: Reply(
            body={"result": {"status": "complete", "fileId": "f-9"}, "meta": {}}
        ),
        f"{base}/f-9/file": file,
    }
    with LocalServer(routes) as server:
        source = pointed_at(
            config,
            "internal-survey",
            datacenter=None,
            base_url=f"{server.url}/API/v3",
            poll_seconds=0,
        )
        result = await fetch(source, {"QUALTRICS_API_TOKEN": "ql-secret-13"})
    assert {r["function"] for r in result.records} == {"IT", "HR"}
    # IT: 10, 9, 3, 7, 10, 6 → promoters 3, detractors 2, n 6 → (3 - 2) / 6 = 16.67.
    assert march_value(config, "internal_service", result.records, "IT") == (
        pytest.approx(100 / 6),
        6,
    )
    # HR: 9, 2, 8, 10, 9 → promoters 3, detractors 1, n 5 → 40.
    assert march_value(config, "internal_service", result.records, "HR") == (40.0, 5)


# ── Incremental refreshes ────────────────────────────────────────────────


async def test_an_incremental_refresh_fetches_from_the_overlap_and_keeps_older_periods(
    example, tmp_path
):
    from datetime import datetime, timezone

    from tui.collect.refresh import refresh_source
    from tui.store import Store

    ratings = [
        ("2025-12-10T09:00:00Z", "good"),
        ("2025-12-11T09:00:00Z", "bad"),
        ("2026-03-02T09:00:00Z", "good"),
        ("2026-03-03T09:00:00Z", "bad"),
    ]

    def listing(request):
        since = int(request.query.get("start_time", "0"))
        items = [
            {"id": i, "score": score, "created_at": at}
            for i, (at, score) in enumerate(ratings)
            if datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() >= since
        ]
        return Reply(body={"satisfaction_ratings": items, "meta": {"has_more": False}, "links": {}})

    with LocalServer({"/api/v2/satisfaction_ratings.json": listing}) as server:
        source = pointed_at(
            example, "support-csat", subdomain=None, base_url=f"{server.url}/api/v2"
        )
        config = example.model_copy(update={"sources": [source]})
        store = Store(tmp_path / "s.db")
        first = datetime(2026, 3, 20, 12, tzinfo=timezone.utc)
        async with make_client() as client:
            full = await refresh_source(
                config, source, client, store, lambda: first, ENV, full=True
            )
            # A late rating arrives for March; a December one is deleted upstream.
            ratings.append(("2026-03-19T09:00:00Z", "good"))
            del ratings[1]
            later = datetime(2026, 3, 21, 12, tzinfo=timezone.utc)
            incremental = await refresh_source(
                config, source, client, store, lambda: later, ENV, full=False
            )
        requests = server.requests
    assert full.records == 4 and incremental.records == 3
    assert "start_time" not in requests[0].query
    # The last fetch was on 20 March; 7 days' overlap reaches 13 March. Weeks, months
    # and quarters are all stored, so the fetch starts where the earliest period
    # holding 13 March starts — its quarter, on 1 January — and every period of
    # every granularity that the late rating falls in is recomputed whole.
    assert requests[1].query["start_time"] == str(
        int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
    )

    def stored(granularity):
        return {o.period_key: (o.value, o.n) for o in store.series("csat", granularity, limit=24)}

    # December stays as the full refresh computed it (1 good of 2): not refetched, not erased.
    assert stored("month")["2025-12"] == (50.0, 2)
    assert stored("quarter")["2025-Q4"] == (50.0, 2)
    # March, and the first quarter, are recomputed whole: good, bad, the late good → 2 of 3.
    assert stored("month")["2026-03"] == (pytest.approx(100 * 2 / 3), 3)
    assert stored("quarter")["2026-Q1"] == (pytest.approx(100 * 2 / 3), 3)
    assert stored("week")["2026-W12"] == (100.0, 1)  # the late rating's week
