"""Pictures of the demo: the dashboard, each screen on it, kiosk and a light theme; the
README shows several.

Update them after an intended change with `pytest tests/test_snapshots.py -n 0 --snapshot-update`
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


# Each screen on top of the dashboard, reached as a user would: the keys, in order.
SCREENS = {
    "balance": ("b",),
    "detail": ("enter",),
    "segments": ("g",),
    "insights": ("i",),
    "help": ("question_mark",),
    "internal": ("n",),
    "function": ("n", "enter"),
}


def _pressing(*keys: str):
    async def run_before(pilot) -> None:
        await _after_first_refresh(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_demo_screens(snap_compare, demo_config, tmp_path, utc_clock, screen, size):
    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        run_before = _pressing(*SCREENS[screen])
        assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
def test_kiosk(snap_compare, demo_config, tmp_path, utc_clock, size):
    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW, kiosk=True)
        assert snap_compare(app, terminal_size=size, run_before=_after_first_refresh)


@pytest.mark.parametrize("screen", ["dashboard", "insights"])
def test_light_theme(snap_compare, demo_config, tmp_path, utc_clock, screen):
    dashboard = demo_config.dashboard.model_copy(update={"theme": "textual-light"})
    with serving_demo(
        demo_config.model_copy(update={"dashboard": dashboard}), DEMO_TODAY
    ) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        keys = ("i",) if screen == "insights" else ()
        assert snap_compare(app, terminal_size=(160, 45), run_before=_pressing(*keys))
