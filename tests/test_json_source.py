"""The generic json source against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.local_server import LocalServer, Reply, refusing_url
from tui.sources import SourceError, fetch_records, make_client
from tui.sources.json_api import JsonSource

TOKEN = "tok-very-secret-123"
ENV = {"SURVEY_TOKEN": TOKEN}
RESPONSES = [
    {"id": i, "answers": {"nps": i % 11}, "at": f"2026-03-{i % 28 + 1:02d}"} for i in range(23)
]


def source(url: str, **fields) -> JsonSource:
    return JsonSource.model_validate(
        {
            "id": "survey",
            "kind": "json",
            "base_url": url,
            "path": "responses",
            "auth": {"kind": "bearer", "token_env": "SURVEY_TOKEN"},
            "backoff_seconds": 0,  # retries in tests do not wait
            **fields,
        }
    )


async def fetch(src: JsonSource, environ=ENV):
    async with make_client() as client:
        return await fetch_records(src, client, environ)


def paged(request):
    page, size = int(request.query.get("page", 1)), int(request.query.get("per_page", 10))
    chunk = RESPONSES[(page - 1) * size : page * size]
    return Reply(body={"data": chunk, "meta": {"pages": -(-len(RESPONSES) // size)}})


async def test_page_numbers_are_followed_and_fields_selected():
    with LocalServer({"/responses": paged}) as server:
        src = source(
            server.url,
            pagination={"style": "page", "size": 10, "total_pages_path": "meta.pages"},
            records={"path": "data", "fields": {"score": "answers.nps", "date": "at"}},
            params={"survey": "pulse"},
        )
        result = await fetch(src)
    assert result.pages == 3
    # Mapped fields are handed over as columns, no dict a record.
    assert result.columns is not None and result.records == []
    assert [r["score"] for r in result.received] == [i % 11 for i in range(23)]
    assert set(result.received[0]) == {"score", "date"}
    first = server.requests[0]
    assert first.query == {"survey": "pulse", "page": "1", "per_page": "10"}
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    assert first.headers["user-agent"].startswith("Tandem/")


async def test_offset_pages_stop_at_a_short_page():
    def offsets(request):
        start, limit = int(request.query["offset"]), int(request.query["limit"])
        return Reply(body=RESPONSES[start : start + limit])

    with LocalServer({"/responses": offsets}) as server:
        result = await fetch(source(server.url, pagination={"style": "offset", "limit": 5}))
    assert result.pages == 5
    assert [r["id"] for r in result.records] == list(range(23))


async def test_a_cursor_in_the_body_is_sent_back():
    def cursors(request):
        start = int(request.query.get("after", 0))
        chunk = RESPONSES[start : start + 10]
        more = start + 10 < len(RESPONSES)
        return Reply(body={"items": chunk, "paging": {"next": str(start + 10) if more else None}})

    with LocalServer({"/responses": cursors}) as server:
        src = source(
            server.url,
            pagination={
                "style": "cursor",
                "cursor_param": "after",
                "next_cursor_path": "paging.next",
            },
            records={"path": "items"},
        )
        result = await fetch(src)
    assert len(result.records) == 23 and result.pages == 3


async def test_a_relative_next_url_is_followed_with_its_own_query():
    def next_urls(request):
        page = int(request.query.get("p", 1))
        chunk = RESPONSES[(page - 1) * 10 : page * 10]
        following = f"/responses?p={page + 1}&k=v" if page * 10 < len(RESPONSES) else None
        return Reply(body={"results": chunk, "next": following})

    with LocalServer({"/responses": next_urls}) as server:
        src = source(
            server.url,
            pagination={"style": "next_url", "next_url_path": "next"},
            records={"path": "results"},
        )
        result = await fetch(src)
    assert len(result.records) == 23
    assert server.requests[1].query == {"p": "2", "k": "v"}


async def test_link_headers_are_followed():
    def linked(request):
        page = int(request.query.get("page", 1))
        headers = {}
        if page < 3:
            headers["Link"] = (
                f'<{server.url}/responses?page={page + 1}>; rel="next", <x>; rel="last"'
            )
        return Reply(body=RESPONSES[(page - 1) * 10 : page * 10], headers=headers)

    with LocalServer({"/responses": linked}) as server:
        result = await fetch(source(server.url, pagination={"style": "link_header"}))
    assert len(result.records) == 23 and result.pages == 3


async def test_a_429_is_waited_out_and_no_page_is_dropped():
    calls = {"n": 0}

    def limited(request):
        calls["n"] += 1
        if request.query.get("page") == "2" and calls["n"] == 2:
            return Reply(429, {"error": "slow down"}, {"Retry-After": "0"})
        return paged(request)

    with LocalServer({"/responses": limited}) as server:
        src = source(server.url, pagination={"style": "page", "size": 10}, records={"path": "data"})
        result = await fetch(src)
    assert [r["id"] for r in result.records] == list(range(23))
    assert [r.query["page"] for r in server.requests] == ["1", "2", "2", "3"]


async def test_a_401_names_the_variable_to_check_and_never_the_secret():
    with LocalServer({"/responses": lambda r: Reply(401, {"error": "bad token"})}) as server:
        with pytest.raises(SourceError) as caught:
            await fetch(source(server.url))
    assert str(caught.value) == "401 from survey — check SURVEY_TOKEN"
    assert TOKEN not in repr(caught.value)


async def test_an_unset_variable_is_reported_before_any_request():
    with LocalServer({}) as server:
        with pytest.raises(SourceError, match="environment variable SURVEY_TOKEN is not set"):
            await fetch(source(server.url), environ={})
    assert server.requests == []


async def test_a_server_that_does_not_answer_in_time():
    with LocalServer({"/responses": lambda r: Reply(body=[], delay=1.0)}) as server:
        with pytest.raises(SourceError) as caught:
            await fetch(source(server.url, timeout_seconds=0.2, retries=0))
    assert str(caught.value) == f"survey: no answer from {server.url}/responses within 0.2 s"


async def test_transient_failures_are_retried_then_reported_with_the_count():
    calls = {"n": 0}

    def flaky(request):
        calls["n"] += 1
        return Reply(503, {"error": "busy"}) if calls["n"] <= 2 else Reply(body=[{"id": 1}])

    with LocalServer({"/responses": flaky}) as server:
        result = await fetch(source(server.url, retries=2))
        assert result.records == [{"id": 1}] and calls["n"] == 3
        calls["n"] = -10  # fails more often than it may be retried
        with pytest.raises(SourceError) as caught:
            await fetch(source(server.url, retries=2))
    assert str(caught.value) == f"503 from survey ({server.url}/responses) after 3 tries"


async def test_a_client_error_is_not_retried():
    with LocalServer({"/responses": lambda r: Reply(400, {"error": "bad"})}) as server:
        with pytest.raises(SourceError, match="400 from survey"):
            await fetch(source(server.url, retries=3))
    assert len(server.requests) == 1


async def test_a_dropped_connection_is_retried():
    calls = {"n": 0}

    def dropping(request):
        calls["n"] += 1
        if calls["n"] == 1:  # promise 1000 bytes, send 10, hang up
            return Reply(raw=b'[{"id": 1}', headers={"Content-Length": "1000"}, close=True)
        return Reply(body=[{"id": 1}])

    with LocalServer({"/responses": dropping}) as server:
        result = await fetch(source(server.url, retries=1))
    assert result.records == [{"id": 1}]


async def test_an_oversized_response_is_refused_not_read():
    big = [{"id": i, "text": "x" * 100} for i in range(200)]
    with LocalServer({"/responses": lambda r: Reply(body=big)}) as server:
        with pytest.raises(SourceError, match="larger than 5,000 bytes; raise max_response_bytes"):
            await fetch(source(server.url, max_response_bytes=5000))


async def test_duplicate_records_are_counted_once():
    page = [{"rid": "a", "s": 1}, {"rid": "b", "s": 2}, {"rid": "a", "s": 1}, {"s": 3}]
    with LocalServer({"/responses": lambda r: Reply(body=page)}) as server:
        result = await fetch(source(server.url, records={"id": "rid"}))
    assert [r["rid"] for r in result.records] == ["a", "b"]
    assert result.skipped == {"duplicate record": 1, "record has no id": 1}


async def test_mapped_fields_of_paged_records_are_the_records_as_dicts_would_be():
    # Two pages, with a repeated record across them, an item that is no object, one with
    # no id, a missing field and a field that is an object.
    pages = {
        "1": [{"rid": "a", "s": {"v": 9}, "t": "Support"}, "junk", {"s": {"v": 1}}],
        "2": [{"rid": "b", "t": {"n": 1}}, {"rid": "a", "s": {"v": 9}, "t": "Support"}],
    }

    def paged_by_number(request):  # type: ignore[no-untyped-def]
        return Reply(body={"data": pages.get(request.query.get("page", "1"), [])})

    with LocalServer({"/responses": paged_by_number}) as server:
        src = source(
            server.url,
            pagination={"style": "page", "size": 3},
            records={"path": "data", "id": "rid", "fields": {"score": "s.v", "team": "t"}},
        )
        result = await fetch(src)
    assert list(result.received) == [
        {"score": 9, "team": "Support"},
        {"score": None, "team": {"n": 1}},
    ]
    assert result.skipped == {
        "record is not a JSON object": 1,
        "record has no id": 1,
        "duplicate record": 1,
    }


async def test_a_refused_connection():
    with refusing_url() as dead:
        with pytest.raises(
            SourceError, match=r"survey: cannot reach http://127.0.0.1:\d+/responses"
        ):
            await fetch(source(dead))


async def test_a_body_that_is_not_json():
    with LocalServer({"/responses": lambda r: Reply(raw=b"<html>oops")}) as server:
        with pytest.raises(SourceError, match="survey: page 1 is not valid JSON"):
            await fetch(source(server.url))


async def test_records_path_that_finds_nothing():
    with LocalServer({"/responses": lambda r: Reply(body={"other": []})}) as server:
        with pytest.raises(SourceError, match=r"records\.path 'data' found nothing on page 1"):
            await fetch(source(server.url, records={"path": "data"}))


async def test_a_next_link_to_another_host_is_not_followed_with_credentials():
    def elsewhere(request):
        return Reply(body=[{"id": 1}], headers={"Link": '<http://127.0.0.2:9/steal>; rel="next"'})

    with LocalServer({"/responses": elsewhere}) as server:
        with pytest.raises(SourceError, match="next page points at another host"):
            await fetch(source(server.url, pagination={"style": "link_header"}))
    assert len(server.requests) == 1


async def test_endless_pagination_stops_at_max_pages():
    def endless(request):  # every page names a new next page, for ever
        number = int(request.query.get("p", "1"))
        return Reply(body={"data": [{"id": number}], "next": f"/responses?p={number + 1}"})

    with LocalServer({"/responses": endless}) as server:
        src = source(
            server.url,
            max_pages=5,
            pagination={"style": "next_url", "next_url_path": "next"},
            records={"path": "data"},
        )
        with pytest.raises(SourceError, match="stopped after max_pages = 5 pages"):
            await fetch(src)
    assert len(server.requests) == 5


async def test_items_that_are_not_objects_are_skipped_and_counted():
    with LocalServer({"/responses": lambda r: Reply(body=[{"id": 1}, 7, "x"])}) as server:
        result = await fetch(source(server.url))
    assert result.records == [{"id": 1}]
    assert result.skipped == {"record is not a JSON object": 2}
