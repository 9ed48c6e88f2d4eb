"""Bodies under the size cap that would cost gigabytes to decode (issue 14, item 7).

The probe sent 49 MB of empty objects: 1.35 GB to decode. Such a body is now
refused before json.loads sees it, and bodies vendors really send still pass.
"""

from __future__ import annotations

import json
import random
import tracemalloc

import pytest

from tests.local_server import LocalServer, Reply
from tui.sources import SourceError, fetch_records, make_client
from tui.sources.decode import MEMORY_MULTIPLE, decode_json
from tui.sources.files import FileSource
from tui.sources.json_api import JsonSource

rng = random.Random(14)

VENDOR_SHAPED = {
    "survey answers": {
        "data": [
            {
                "id": f"r{i}",
                "submitted_at": "2026-03-01T10:00:00Z",
                "score": rng.randrange(11),
                "team": "Support",
                "comment": "free text " * 3,
            }
            for i in range(20_000)
        ],
        "links": {"next": None},
    },
    "Zendesk satisfaction ratings": {
        "satisfaction_ratings": [
            {
                "id": 1000 + i,
                "score": "good",
                "created_at": "2026-03-01T10:00:00Z",
                "ticket_id": i,
                "comment": None,
                "assignee_id": None,
                "group_id": 3,
                "url": "https://acme.zendesk.com/api/v2/satisfaction_ratings/1.json",
            }
            for i in range(15_000)
        ],
        "next_page": None,
    },
    "Qualtrics export": {
        "responses": [
            {
                "responseId": f"R_{i}",
                "values": {"QID1": rng.randrange(11), "QID2": 3, "finished": 1, "status": 0},
                "labels": {"QID1": "9", "QID2": "Agree"},
                "displayedValues": {"QID1": list(range(11))},
            }
            for i in range(10_000)
        ]
    },
    "a time series of pairs": [[1_700_000_000 + i, i * 0.5] for i in range(100_000)],
}

HOSTILE = {
    "empty objects": b"[" + b",".join([b"{}"] * 1_000_000) + b"]",
    "empty lists": b"[" + b",".join([b"[]"] * 1_000_000) + b"]",
    "one-key objects": b"[" + b",".join([b'{"a":1}'] * 400_000) + b"]",
}


def decoded_bytes(body: bytes) -> int:
    tracemalloc.start()
    try:
        decoded = json.loads(body)
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del decoded
    return size


@pytest.mark.parametrize("shape", VENDOR_SHAPED)
def test_vendor_shaped_pages_decode_and_stay_a_small_multiple(shape):
    body = json.dumps(VENDOR_SHAPED[shape]).encode()
    assert len(body) > 1_000_000  # large enough to be measured
    assert decode_json(body, "s", "response") == VENDOR_SHAPED[shape]
    assert decoded_bytes(body) < 8 * len(body)


@pytest.mark.parametrize("shape", HOSTILE)
def test_bodies_of_tiny_containers_are_refused_before_decoding(shape):
    body = HOSTILE[shape]
    assert decoded_bytes(body) > MEMORY_MULTIPLE * len(body)  # what it would have cost
    with pytest.raises(SourceError) as refused:
        decode_json(body, "s", "response")
    assert "would take about" in str(refused.value) and "ask for smaller pages" in str(
        refused.value
    )


async def test_a_hostile_page_over_http_is_refused_within_a_few_times_its_size():
    body = b"[" + b",".join([b"{}"] * 2_000_000) + b"]"  # 6 MB: ~140 MB decoded
    source = JsonSource(id="s", kind="json", base_url="http://127.0.0.1:1", path="r", retries=0)
    with LocalServer({"/r": lambda request: Reply(raw=body)}) as server:
        source = source.model_copy(update={"base_url": server.url})
        async with make_client() as client:
            tracemalloc.start()
            try:
                with pytest.raises(SourceError) as refused:
                    await fetch_records(source, client, {})
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert str(refused.value).startswith("s: page 1 of 6.0 MB would take about 156 MB")
    assert peak < 4 * len(body), f"{peak / 1e6:.0f} MB"


def test_a_hostile_file_is_refused_too(tmp_path):
    path = tmp_path / "records.json"
    path.write_bytes(HOSTILE["empty objects"])
    source = FileSource(id="f", kind="file", path=str(path))
    import asyncio

    with pytest.raises(SourceError) as refused:
        asyncio.run(fetch_records(source, None, {}))  # type: ignore[arg-type]
    assert str(refused.value).startswith("f: records.json of 3.0 MB would take about")
