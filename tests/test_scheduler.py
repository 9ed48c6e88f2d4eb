"""Each source on its own schedule; a circuit for sources that keep failing."""

from __future__ import annotations

import asyncio
import time

from tests.local_server import LocalServer, Reply
from tui.collect.scheduler import Circuit, Scheduler
from tui.config import validate_config
from tui.sources import make_client
from tui.store import Store


def test_the_circuit_opens_after_repeated_failures_and_probes_later():
    circuit = Circuit(failures_to_open=3, open_seconds=60)
    for now in (0, 1):
        circuit.record_failure(now)
        assert circuit.allows(now + 0.1) and not circuit.is_open
    circuit.record_failure(2)
    assert circuit.is_open and not circuit.allows(61) and circuit.allows(62)
    circuit.record_failure(62)  # the probe failed: wait twice as long
    assert not circuit.allows(62 + 119) and circuit.allows(62 + 120)
    circuit.record_success()
    assert not circuit.is_open and circuit.allows(0) and circuit.consecutive_failures == 0


def test_the_open_time_is_capped():
    circuit = Circuit(failures_to_open=1, open_seconds=1000, max_open_seconds=1500)
    circuit.record_failure(0)
    circuit.record_failure(1000)
    assert circuit.retry_at() == 2500


def config_for(fast_url: str, slow_url: str):
    def source(source_id, url, timeout):
        return {
            "id": source_id,
            "kind": "json",
            "base_url": url,
            "path": "x",
            "timeout_seconds": timeout,
            "retries": 0,
        }

    return validate_config(
        {
            "sources": [source("fast", fast_url, 5), source("slow", slow_url, 1.5)],
            "metrics": [
                {"id": "a", "label": "A", "side": "employee", "source": "fast", "kind": "count"},
                {"id": "b", "label": "B", "side": "customer", "source": "slow", "kind": "count"},
            ],
            "pairs": [{"employee": "a", "customer": "b"}],
        }
    )


async def test_a_hanging_source_never_delays_another(tmp_path):
    fast_routes = {"/x": lambda r: Reply(body=[{"date": "2026-01-01"}])}
    slow_routes = {"/x": lambda r: Reply(body=[], delay=3.0)}  # past its 1.5 s timeout
    with LocalServer(fast_routes) as fast, LocalServer(slow_routes) as slow:
        config = config_for(fast.url, slow.url)
        landed: dict[str, float] = {}
        started = time.monotonic()
        async with make_client() as client:
            scheduler = Scheduler(
                config,
                client,
                Store(tmp_path / "s.db"),
                on_start=lambda source_id: None,
                on_outcome=lambda o: landed.setdefault(o.source_id, time.monotonic() - started),
            )
            task = asyncio.create_task(scheduler.run())
            try:
                for _ in range(100):
                    if len(landed) == 2:
                        break
                    await asyncio.sleep(0.05)
            finally:
                task.cancel()
    assert landed["fast"] < 1.0
    assert 1.4 < landed["slow"] < 3.0


async def test_a_source_that_keeps_failing_is_left_alone_until_its_circuit_allows(tmp_path):
    calls = {"n": 0}

    def failing(request):
        calls["n"] += 1
        return Reply(500, {"error": "down"})

    with LocalServer({"/x": failing}) as down, LocalServer({"/x": failing}) as unused:
        base = config_for(down.url, unused.url)
        sources = [
            base.sources[0].model_copy(update={"circuit_after_failures": 2, "refresh_seconds": 5}),
            base.sources[1],
        ]
        config = base.model_copy(update={"sources": sources})
        clock = {"now": 0.0}
        outcomes = []
        async with make_client() as client:
            scheduler = Scheduler(
                config.model_copy(update={"sources": sources[:1]}),
                client,
                Store(tmp_path / "s.db"),
                on_start=lambda s: None,
                on_outcome=outcomes.append,
                monotonic=lambda: clock["now"],
            )
            task = asyncio.create_task(scheduler.run())
            try:
                await asyncio.sleep(0.3)
                assert calls["n"] == 1
                scheduler.refresh_now()  # a second failure opens the circuit
                await asyncio.sleep(0.3)
                schedule = scheduler.schedule_of("fast")
                assert schedule.circuit_open and schedule.consecutive_failures == 2
                assert calls["n"] == 2
                scheduler.refresh_now()  # a person asked: even an open circuit is tried
                await asyncio.sleep(0.3)
                assert calls["n"] == 3
            finally:
                task.cancel()
    assert [o.ok for o in outcomes] == [False, False, False]


async def test_refreshes_are_full_first_incremental_after_and_full_again_on_request(tmp_path):
    """A Zendesk source (its API filters by date): which refreshes send start_time."""
    seen = []

    def ratings(request):
        seen.append(request.query.get("start_time"))
        return Reply(
            body={
                "satisfaction_ratings": [
                    {"id": 1, "score": "good", "created_at": "2026-03-02T09:00:00Z"}
                ],
                "meta": {"has_more": False},
            }
        )

    with LocalServer({"/api/v2/satisfaction_ratings.json": ratings}) as server:
        config = validate_config(
            {
                "sources": [
                    {
                        "id": "csat",
                        "kind": "zendesk",
                        "base_url": f"{server.url}/api/v2",
                        "email_env": "ZD_EMAIL",
                        "token_env": "ZD_TOKEN",
                        "refresh_seconds": 5,
                    }
                ],
                "metrics": [
                    {
                        "id": "e",
                        "label": "E",
                        "side": "employee",
                        "source": "csat",
                        "kind": "count",
                        "date_field": "created_at",
                    },
                    {
                        "id": "c",
                        "label": "C",
                        "side": "customer",
                        "source": "csat",
                        "kind": "count",
                        "date_field": "created_at",
                    },
                ],
                "pairs": [{"employee": "e", "customer": "c"}],
            }
        )
        async with make_client() as client:
            scheduler = Scheduler(
                config,
                client,
                Store(tmp_path / "s.db"),
                on_start=lambda s: None,
                on_outcome=lambda o: None,
                environ={"ZD_EMAIL": "a@b.test", "ZD_TOKEN": "t0ken-x"},
            )
            task = asyncio.create_task(scheduler.run())
            try:
                for _ in range(50):
                    if seen:
                        break
                    await asyncio.sleep(0.05)
                assert seen == [None]  # the first refresh is full
                for _ in range(160):  # the next comes on schedule, 5 s later
                    if len(seen) == 2:
                        break
                    await asyncio.sleep(0.05)
                assert len(seen) == 2 and seen[1] is not None  # and is incremental
                scheduler.refresh_now()  # `r`: full again
                for _ in range(60):
                    if len(seen) == 3:
                        break
                    await asyncio.sleep(0.05)
                assert len(seen) == 3 and seen[2] is None
            finally:
                task.cancel()
