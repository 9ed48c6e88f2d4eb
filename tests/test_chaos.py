"""Fault injection: a headless Tandem against an API that fails in every way we know.

Run alone with `pytest tests/test_chaos.py -n 0 -s` to see the figures the README quotes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.chaos_server import CLEAN_KINDS, ChaosServer
from tui.app import TandemApp
from tui.app.widgets import MetricPanel, PairRow, RoomyFigures, SourceStrip
from tui.config import validate_config
from tui.store import Store

CYCLES = 500
DEADLINE_SECONDS = 240
SECRET = "chaos-secret-token-5150"
TIMEOUT = 0.25


def dataset(prefix: str, count: int) -> list[dict]:
    months = ("2026-01", "2026-02", "2026-03")
    return [
        {
            "id": f"{prefix}{i}",
            "date": f"{months[i % 3]}-{i % 27 + 1:02d}",
            "score": (i * 7) % 11,
            "team": ("Support", "Sales")[i % 2],
        }
        for i in range(count)
    ]


def chaos_config(url: str):
    def source(source_id: str, path: str) -> dict:
        return {
            "id": source_id,
            "kind": "json",
            "base_url": url,
            "path": path,
            "auth": {"kind": "bearer", "token_env": "CHAOS_TOKEN"},
            "timeout_seconds": TIMEOUT,
            "retries": 2,
            "backoff_seconds": 0,
            "pagination": {"style": "page", "size": 50},
            "records": {"path": "data", "id": "id"},
        }

    return validate_config(
        {
            "dashboard": {"anonymity_threshold": 5},
            "sources": [source("pulse", "pulse"), source("survey", "survey")],
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
                    "id": "nps",
                    "label": "NPS",
                    "side": "customer",
                    "source": "survey",
                    "kind": "nps",
                    "segment_field": "team",
                },
            ],
            "pairs": [{"employee": "enps", "customer": "nps"}],
        }
    )


def shown_values(app: TandemApp) -> dict[str, str]:
    row = app.query_one(PairRow)
    employee, customer = row.query(MetricPanel)
    return {
        "enps": employee.query_one(RoomyFigures).value,
        "nps": customer.query_one(RoomyFigures).value,
    }


def store_rows(path: Path) -> set[tuple]:
    db = sqlite3.connect(path)
    try:
        return set(
            db.execute(
                "SELECT metric_id, segment, period_key, value, n, suppressed FROM observations"
            )
        )
    finally:
        db.close()


async def run_cycles(app: TandemApp, pilot, cycles: int, check) -> int:
    done = 0
    started = time.monotonic()
    while done < cycles and time.monotonic() - started < DEADLINE_SECONDS:
        before = dict(app.outcome_counts)
        app.action_refresh()
        while any(app.outcome_counts[s] <= before.get(s, 0) for s in ("pulse", "survey")):
            await pilot.pause(0.002)
        done += 1
        check()
    return done


async def test_five_hundred_refreshes_against_a_chaotic_api_lose_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAOS_TOKEN", SECRET)
    datasets = {"/pulse": dataset("p", 140), "/survey": dataset("s", 110)}
    with ChaosServer(datasets, seed=7, hang_seconds=TIMEOUT + 0.2) as server:
        config = chaos_config(server.url)

        # The truth: one refresh of clean data.
        server.chaos = False
        clean = TandemApp(config, Store(tmp_path / "clean.db"), fetch_automatically=False)
        async with clean.run_test(size=(120, 30)) as pilot:
            await run_cycles(clean, pilot, 1, lambda: None)
            expected = shown_values(clean)
        expected_rows = store_rows(tmp_path / "clean.db")
        assert expected["enps"] != "—" and expected["nps"] != "—"

        server.chaos = True
        store_path = tmp_path / "chaos.db"
        app = TandemApp(config, Store(store_path), fetch_automatically=False)
        ever_ok: set[str] = set()
        wrong: list[str] = []

        def check() -> None:
            statuses = app.store.source_statuses()
            ever_ok.update(s for s, status in statuses.items() if status.last_ok_at)
            for metric, source in (("enps", "pulse"), ("nps", "survey")):
                want = expected[metric] if source in ever_ok else "—"
                got = shown_values(app)[metric]
                if got != want:
                    wrong.append(f"{metric}: showed {got}, expected {want}")

        async with app.run_test(size=(120, 30)) as pilot:
            cycles = await run_cycles(app, pilot, CYCLES, check)
            assert app.is_running
            strip = str(app.query_one(SourceStrip).render())
            notes = " ".join(str(n.message) for n in app._notifications)

    rows = store_rows(store_path)
    faults = {k: v for k, v in server.faults.items() if k not in CLEAN_KINDS}
    leaked = sum(SECRET in text for text in (strip, notes)) + (
        SECRET.encode() in store_path.read_bytes()
    )
    print(
        f"\nchaos: {cycles} refresh cycles, {sum(server.faults.values())} requests, "
        f"faults injected {sum(faults.values())}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(faults.items()))
        + f"; wrong values shown {len(wrong)}; wrong rows stored {len(rows - expected_rows)}; "
        f"secrets leaked {leaked}"
    )
    assert cycles == CYCLES
    assert wrong == []
    assert rows <= expected_rows  # every stored row is a right one
    assert {source for source in ever_ok} == {"pulse", "survey"}
    assert rows == expected_rows  # and, once both sources landed, nothing is missing
    assert leaked == 0
    assert all(faults.get(kind, 0) > 0 for kind in ("status_500", "hang", "junk_records"))


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date, datetime, timezone
    from tui.metrics.compute import Observation
    from tui.periods import period_of
    from tui.store import Store

    store = Store(sys.argv[1])
    periods = [period_of(date(2020 + m // 12, m % 12 + 1, 1), "month") for m in range(60)]
    round_number = 0
    print("ready", flush=True)
    while True:
        round_number += 1
        observations = [
            Observation(f"metric{k}", f"team{t}", p, float(round_number), 10)
            for k in range(10) for t in range(8) for p in periods
        ]
        store.write_refresh(
            "source", observations, datetime.now(timezone.utc), round_number, 1, 0.0
        )
    """
)


def test_a_kill_in_the_middle_of_a_refresh_loses_at_most_that_refresh(tmp_path):
    """SIGKILL a process that writes refreshes of 4,800 rows back to back, five times."""
    path = tmp_path / "store.db"
    rounds_seen = []
    for attempt in range(5):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
            time.sleep(0.3 + 0.17 * attempt)
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=10)
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        values = {row[0] for row in db.execute("SELECT DISTINCT value FROM observations")}
        count = db.execute("SELECT count(*) FROM observations").fetchone()[0]
        status_round = db.execute("SELECT records FROM source_status").fetchone()[0]
        db.close()
        # One whole refresh, never a mix of two, and the status says which one.
        assert count == 10 * 8 * 60
        assert values == {float(status_round)}
        rounds_seen.append(status_round)
    assert all(r >= 1 for r in rounds_seen)
    print(f"\nkill test: 5 SIGKILLs mid-write, rounds found {rounds_seen}, store intact each time")
