"""sources → metrics → store: what reaches the store, and what never does."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from tests.local_server import LocalServer, Reply
from tui.collect.refresh import refresh_source
from tui.config import validate_config
from tui.sources import make_client
from tui.store import Store

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)
SECRET = "pulse-secret-token-9876"


def config_for(url: str, **dashboard):
    return validate_config(
        {
            "dashboard": dashboard,
            "sources": [
                {
                    "id": "pulse",
                    "kind": "json",
                    "base_url": url,
                    "path": "answers",
                    "retries": 0,
                    "auth": {"kind": "bearer", "token_env": "PULSE_TOKEN"},
                }
            ],
            "metrics": [
                {
                    "id": "enps",
                    "label": "eNPS",
                    "side": "employee",
                    "source": "pulse",
                    "kind": "nps",
                    "segment_field": "team",
                },
                {
                    "id": "count",
                    "label": "Answers",
                    "side": "customer",
                    "source": "pulse",
                    "kind": "count",
                },
            ],
            "pairs": [{"employee": "enps", "customer": "count"}],
        }
    )


# February: a closed month on NOW (20 March). A running month's employee values are
# hidden until it closes (metrics.privacy: RUNNING).
def answers(team_sizes: dict[str, int], score: int = 9, date: str = "2026-02-02"):
    return [
        {"date": date, "score": score, "team": team}
        for team, size in team_sizes.items()
        for _ in range(size)
    ]


async def refresh(config, store, environ=None):
    async with make_client() as client:
        return await refresh_source(
            config,
            config.sources[0],
            client,
            store,
            lambda: NOW,
            {"PULSE_TOKEN": SECRET} if environ is None else environ,
        )


def rows(path, metric="enps", granularity="month"):
    db = sqlite3.connect(path)
    return db.execute(
        "SELECT segment, period_key, value, n, suppressed FROM observations "
        "WHERE metric_id = ? AND granularity = ? ORDER BY segment, period_key",
        (metric, granularity),
    ).fetchall()


async def test_employee_groups_below_the_threshold_are_never_stored(tmp_path):
    records = answers({"Support": 6, "Legal": 2})
    with LocalServer({"/answers": lambda r: Reply(body=records)}) as server:
        store = Store(tmp_path / "s.db")
        outcome = await refresh(config_for(server.url, anonymity_threshold=5), store)
    assert outcome.ok
    assert rows(tmp_path / "s.db") == [
        ("", "2026-02", 100.0, 8, 0),
        ("Legal", "2026-02", None, 0, 1),  # 2 answers: no value, no n
        # Shown, Support would give Legal back as 8 − 6: hidden too, and why (2).
        ("Support", "2026-02", None, 0, 2),
    ]
    # The customer-side count is not an employee group: it is kept as it is.
    assert ("", "2026-02", 8.0, 8, 0) in rows(tmp_path / "s.db", "count")
    # Weeks and quarters are stored too (the period selector needs no refetch), and
    # the small group is just as hidden in them; the quarter is still running, so hidden.
    assert ("", "2026-Q1", None, 0, 3) in rows(tmp_path / "s.db", granularity="quarter")
    assert ("Legal", "2026-Q1", None, 0, 1) in rows(tmp_path / "s.db", granularity="quarter")
    weekly = rows(tmp_path / "s.db", granularity="week")
    assert all(value is None for segment, _, value, _, _ in weekly if segment == "Legal")
    assert sum(n for segment, _, _, n, _ in weekly if segment == "") == 8


async def test_a_payload_whose_every_record_is_rejected_fails_and_keeps_the_old_values(tmp_path):
    good = answers({"Support": 6})
    changed = [{"date": "2026-03-02", "rating": 9, "team": "Support"}] * 6  # renamed field
    replies = iter([good, changed])
    with LocalServer({"/answers": lambda r: Reply(body=next(replies))}) as server:
        store = Store(tmp_path / "s.db")
        config = config_for(server.url)
        assert (await refresh(config, store)).ok
        before = rows(tmp_path / "s.db")
        outcome = await refresh(config, store)
    assert outcome.error == "pulse: every record for enps was rejected (6× score is missing)"
    assert rows(tmp_path / "s.db") == before
    assert store.source_statuses()["pulse"].failing


async def test_a_refresh_with_fewer_records_never_erases_a_stored_period(tmp_path):
    january = answers({"Support": 6}, date="2026-01-10")
    february = answers({"Support": 7})
    replies = iter([january + february, february])
    with LocalServer({"/answers": lambda r: Reply(body=next(replies))}) as server:
        store = Store(tmp_path / "s.db")
        await refresh(config_for(server.url), store)
        await refresh(config_for(server.url), store)
    assert [(k, v) for s, k, v, n, _ in rows(tmp_path / "s.db") if s == ""] == [
        ("2026-01", 100.0),
        ("2026-02", 100.0),
    ]


async def test_a_secret_echoed_by_a_server_is_redacted_from_the_stored_error(tmp_path):
    # A misbehaving API that puts the token it got into its error URL.
    def echo(request):
        return Reply(302, headers={"Location": f"/login?token={SECRET}&next=x"})

    with LocalServer({"/answers": echo, "/login": lambda r: Reply(body={"no": "list"})}) as server:
        store = Store(tmp_path / "s.db")
        outcome = await refresh(config_for(server.url), store)
    assert not outcome.ok
    assert SECRET not in (outcome.error or "")
    assert SECRET.encode() not in (tmp_path / "s.db").read_bytes()


async def test_a_secret_can_come_from_a_file_named_by_a_variable(tmp_path):
    secret_file = tmp_path / "token"
    secret_file.write_text(SECRET + "\n")
    with LocalServer({"/answers": lambda r: Reply(body=answers({"A": 5}))}) as server:
        store = Store(tmp_path / "s.db")
        outcome = await refresh(
            config_for(server.url), store, {"PULSE_TOKEN_FILE": str(secret_file)}
        )
    assert outcome.ok
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_redact_blanks_every_credential_of_the_source(tmp_path):
    from tui.collect.refresh import redact

    config = config_for("http://127.0.0.1:9")
    message = f"pulse: got {SECRET} back, and {SECRET[:3]}"
    assert redact(message, config.sources[0], {"PULSE_TOKEN": SECRET}) == (
        f"pulse: got ••• back, and {SECRET[:3]}"
    )


async def test_no_individual_response_or_identity_reaches_the_store(tmp_path):
    from tests.conftest import DEMO_NOW, DEMO_TODAY
    from tui.collect.refresh import refresh_sources
    from tui.config import load_config
    from tui.demo import bundled_demo_config, serving_demo
    from tui.demo.data import generate

    store_path = tmp_path / "s.db"
    with serving_demo(load_config(bundled_demo_config()), DEMO_TODAY) as config:
        async with make_client() as client:
            outcomes = await refresh_sources(
                config, config.sources, client, Store(store_path), lambda: DEMO_NOW
            )
    assert all(o.ok for o in outcomes)
    content = store_path.read_bytes() + b"".join(
        p.read_bytes()
        for p in tmp_path.glob("s.db-*")  # the WAL, if any
    )
    data = generate(DEMO_TODAY)
    identities = [e["employeeId"] for e in data.employees]
    identities += [r["response_id"] for r in data.pulse_responses]
    assert not [i for i in identities if i.encode() in content]


async def test_a_refresh_that_reads_nothing_is_not_ok_and_keeps_the_last_values(tmp_path):
    store = Store(tmp_path / "t.db")
    body = {"reply": answers({"Support": 6})}
    with LocalServer({"/answers": lambda r: Reply(body=body["reply"])}) as server:
        config = config_for(server.url)
        assert (await refresh(config, store)).ok
        kept = rows(tmp_path / "t.db")
        # The API answers with an empty list where it had six answers.
        body["reply"] = []
        outcome = await refresh(config, store)
        assert outcome.error == "pulse: 0 usable records (was 6)"
        # Every item skipped (not objects): also not ok, with the reason.
        body["reply"] = ["a", "b"]
        outcome = await refresh(config, store)
        assert (
            outcome.error == "pulse: 0 usable records (2 skipped: 2× record is not a JSON object)"
        )
    status = store.source_statuses()["pulse"]
    assert status.failing and status.records == 6
    assert rows(tmp_path / "t.db") == kept


async def test_a_fetch_under_way_is_in_the_store_for_screens_that_only_read(tmp_path):
    import asyncio

    records = answers({"Support": 6})
    slow = {"/answers": lambda r: Reply(body=records, delay=1.0)}
    with LocalServer(slow) as server:
        store = Store(tmp_path / "s.db")
        screen = Store(tmp_path / "s.db")  # what another process reads
        fetch = asyncio.create_task(refresh(config_for(server.url), store))
        seen = None
        for _ in range(80):
            await asyncio.sleep(0.01)
            status = screen.source_statuses().get("pulse")
            if status is not None and status.fetching_since is not None:
                seen = status
                break
        outcome = await fetch
    assert seen is not None and seen.fetching_since == NOW and seen.last_ok_at is None
    assert outcome.ok
    done = screen.source_statuses()["pulse"]
    assert done.fetching_since is None and done.last_ok_at == NOW
