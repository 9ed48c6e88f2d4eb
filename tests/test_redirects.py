"""No credential follows a redirect to another origin (hostile-API probe, issue 14 item 3).

Two real servers on 127.0.0.1 are two origins (different ports): the first answers
with a redirect to the second, which records whatever reaches it.
"""

from __future__ import annotations

import pytest

from tests.local_server import LocalServer, Reply
from tui.sources import SourceError, fetch_records, make_client
from tui.sources.json_api import JsonSource
from tui.sources.qualtrics import QualtricsSource

SECRET = "k-secret-value-123"


async def fetch(source, environ):
    async with make_client() as client:
        return await fetch_records(source, client, environ)


def json_source(url: str, **extra) -> JsonSource:
    return JsonSource(
        id="pulse",
        kind="json",
        base_url=url,
        path="data",
        retries=0,
        auth={"kind": "header", "header": "X-API-KEY", "token_env": "KEY"},
        **extra,
    )


async def test_a_cross_origin_redirect_on_an_authenticated_source_is_refused():
    with LocalServer({"/data": lambda r: Reply(body=[{"date": "2026-03-01"}])}) as other:
        moved = Reply(302, {}, headers={"Location": f"{other.url}/data"})
        with LocalServer({"/data": lambda r: moved}) as first:
            with pytest.raises(SourceError) as caught:
                await fetch(json_source(first.url), {"KEY": SECRET})
    # Both origins named (a local server's URL is its origin: scheme, host and port).
    assert str(caught.value) == (
        f"pulse: {first.url} redirected to {other.url}; credentials are never sent to "
        "another origin, so it was not followed"
    )
    assert other.requests == []  # nothing, let alone the key, reached the other origin


async def test_qualtrics_token_never_reaches_another_origin():
    with LocalServer({}) as other:
        moved = Reply(307, {}, headers={"Location": f"{other.url}/steal"})
        base = "/API/v3/surveys/SV_1/export-responses"
        with LocalServer({base: lambda r: moved}) as first:
            source = QualtricsSource(
                id="nps",
                kind="qualtrics",
                base_url=f"{first.url}/API/v3",
                survey_id="SV_1",
                question_id="QID1",
                token_env="QT",
                retries=0,
            )
            with pytest.raises(SourceError, match="credentials are never sent to another origin"):
                await fetch(source, {"QT": SECRET})
    assert other.requests == []


async def test_a_redirect_within_the_origin_is_followed_with_its_credential():
    routes = {
        "/data": lambda r: Reply(301, {}, headers={"Location": "/v2/data?page=1"}),
        "/v2/data": lambda r: Reply(body=[{"date": "2026-03-01"}]),
    }
    with LocalServer(routes) as server:
        result = await fetch(json_source(server.url), {"KEY": SECRET})
    assert len(result.records) == 1
    assert [r.path for r in server.requests] == ["/data", "/v2/data"]
    assert server.requests[1].headers["x-api-key"] == SECRET
    assert server.requests[1].query == {"page": "1"}


def test_an_https_source_is_never_redirected_to_plain_http():
    import httpx

    from tui.sources.http import _check_redirect

    with pytest.raises(SourceError, match="which is not https; not followed"):
        _check_redirect(
            httpx.URL("https://api.example.com/a"),
            httpx.URL("http://api.example.com/a"),
            False,
            "s",
        )
    # The same origin written with and without its default port is one origin.
    _check_redirect(
        httpx.URL("https://api.example.com/a"),
        httpx.URL("https://api.example.com:443/b"),
        True,
        "s",
    )
