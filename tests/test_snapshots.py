"""Pictures of the demo dashboard; the README shows the 160×45 one.

Update them after an intended change with `pytest tests/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import DEMO_NOW, DEMO_TODAY
from tui.app import TandemApp
from tui.demo import serving_demo
from tui.store import Store


@pytest.fixture
def utc_clock(monkeypatch):
    # Times on screen are local; pin the zone so the picture repeats anywhere.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def _after_first_refresh(pilot) -> None:
    for _ in range(200):
        if pilot.app.refresh_rounds:
            break
        await pilot.pause(0.05)
    await pilot.pause()


@pytest.mark.parametrize(
    "size", [(160, 45), (80, 24), (200, 50)], ids=["160x45", "80x24", "200x50"]
)
def test_demo_dashboard(snap_compare, demo_config, tmp_path, utc_clock, size):
    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        assert snap_compare(app, terminal_size=size, run_before=_after_first_refresh)
