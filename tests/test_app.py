"""The dashboard, driven headless through Textual's Pilot."""

from __future__ import annotations

import html
import re
from contextlib import asynccontextmanager
from typing import Any

from rich.cells import cell_len
from textual.widgets import Static

from tests.configs import pairs_config
from tests.conftest import DEMO_NOW, DEMO_TODAY
from tests.hand_computed import demo_current_values
from tests.local_server import refusing_url
from tui.app import TandemApp
from tui.app.help import HelpScreen
from tui.app.widgets import CompactFigures, MetricPanel, PairRow, RoomyFigures, SourceStrip
from tui.collect.refresh import refresh_sources
from tui.demo import serving_demo
from tui.sources import make_client
from tui.store import Store

DECIMALS = {"enps": 0, "nps": 0, "engagement": 0, "csat": 0, "turnover": 1, "churn": 1}
UNITS = {"engagement": "%", "csat": "%", "turnover": "%", "churn": "%"}


def expected_text(metric_id: str, value: float) -> str:
    return f"{value:.{DECIMALS[metric_id]}f}{UNITS.get(metric_id, '')}"


async def wait_for_refresh(app: TandemApp, pilot, rounds: int = 1) -> None:
    for _ in range(200):
        if app.refresh_rounds >= rounds:
            return
        await pilot.pause(0.05)
    raise AssertionError("the refresh did not finish in 10 s")


def panels_by_metric(app: TandemApp) -> dict[str, MetricPanel]:
    panels = {}
    for row in app.query(PairRow):
        pair = app.config.pairs[row.index]
        employee, customer = row.query(MetricPanel)
        panels[pair.employee], panels[pair.customer] = employee, customer
    return panels


def screen_text(app: TandemApp) -> str:
    """The characters on screen, read from Textual's own SVG screenshot."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def strip_text(app: TandemApp) -> str:
    return str(app.query_one(SourceStrip).render())


async def test_the_demo_shows_both_panels_of_every_pair_with_computed_values(demo_config, tmp_path):
    expected = demo_current_values(DEMO_TODAY)
    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        async with app.run_test(size=(160, 45)) as pilot:
            await wait_for_refresh(app, pilot)
            panels = panels_by_metric(app)
            assert set(panels) == {"enps", "nps", "engagement", "csat", "turnover", "churn"}
            for metric_id, panel in panels.items():
                value, n = expected[metric_id]
                assert panel.query_one(RoomyFigures).value == expected_text(metric_id, value), (
                    metric_id
                )
                meta = panel.query_one(RoomyFigures).lines[1]
                assert f"n {n}" in meta, metric_id
                # Employee values are the last closed month's: the running one is hidden.
                closed = metric_id in ("enps", "engagement", "turnover")
                assert panel.border_subtitle == ("May 2026" if closed else "Jun 2026 to date")
            header = str(app.query_one("#header .demo-badge", Static).render())
            assert "DEMO DATA" in header
            assert "pulse ok" in strip_text(app)


async def test_it_paints_from_the_store_before_any_fetch(demo_config, tmp_path):
    store = Store(tmp_path / "s.db")
    with serving_demo(demo_config, DEMO_TODAY) as config:
        async with make_client() as client:
            await refresh_sources(config, config.sources, client, store, lambda: DEMO_NOW)
    # The demo API is gone now: what shows can only come from the store.
    app = TandemApp(config, store, clock=lambda: DEMO_NOW, fetch_automatically=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        value, _ = demo_current_values(DEMO_TODAY)["enps"]
        assert panels_by_metric(app)["enps"].query_one(RoomyFigures).value == expected_text(
            "enps", value
        )


@asynccontextmanager
async def demo_with_a_dead_pulse_source(demo_config, store):
    """The demo running, its store filled once, then its pulse source pointed at a dead port."""
    with serving_demo(demo_config, DEMO_TODAY) as config:
        async with make_client() as client:
            await refresh_sources(config, config.sources, client, store, lambda: DEMO_NOW)
        with refusing_url() as dead:
            sources = [
                s.model_copy(update={"base_url": dead + "/survey/v2", "retries": 0})
                if s.id == "pulse"
                else s
                for s in config.sources
            ]
            yield config.model_copy(update={"sources": sources})


async def test_a_failing_source_keeps_its_last_values_and_shows_its_error(demo_config, tmp_path):
    store = Store(tmp_path / "s.db")
    async with demo_with_a_dead_pulse_source(demo_config, store) as broken:
        app = TandemApp(broken, store, clock=lambda: DEMO_NOW, fetch_automatically=False)
        async with app.run_test(size=(160, 45)) as pilot:
            before = panels_by_metric(app)["enps"].query_one(RoomyFigures).value
            app.action_refresh()
            await wait_for_refresh(app, pilot)
            assert panels_by_metric(app)["enps"].query_one(RoomyFigures).value == before
            strip = strip_text(app)
            assert "pulse stale since" in strip and "cannot reach" in strip
            assert "crm ok" in strip


class Announcing(TandemApp):
    """Records every toast as it is raised: a toast times out (8 s) before a test on a
    loaded machine looks, so counting the ones still on screen proves nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.announced: list[tuple[str, str]] = []

    def notify(self, message: str, *, title: str = "", **kwargs: Any) -> None:
        self.announced.append((title, message))
        super().notify(message, title=title, **kwargs)


async def test_a_source_that_keeps_failing_is_announced_once(demo_config, tmp_path):
    store = Store(tmp_path / "s.db")
    async with demo_with_a_dead_pulse_source(demo_config, store) as broken:
        app = Announcing(broken, store, clock=lambda: DEMO_NOW, fetch_automatically=False)
        async with app.run_test(size=(160, 45), notifications=True) as pilot:
            app.action_refresh()
            await wait_for_refresh(app, pilot, rounds=1)
            await pilot.pause(0.1)  # the toast is mounted on the next frame
            # On screen, as a user sees it, while it lasts.
            assert "Source failing" in screen_text(app)
            app.action_refresh()
            await wait_for_refresh(app, pilot, rounds=2)
            assert [title for title, _ in app.announced] == ["Source failing"]


async def test_at_80_by_24_the_panels_stack_compactly_and_nothing_is_clipped(demo_config, tmp_path):
    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for_refresh(app, pilot)
            await pilot.pause()
            assert app.screen.has_class("-stacked") and app.screen.has_class("-compact")
            pairs = app.query_one("#pairs")
            assert pairs.max_scroll_y == 0
            for panel in app.query(MetricPanel):
                assert panel.region.width == 78 and panel.region.height == 3
                assert pairs.region.contains_region(panel.region)
                figures = panel.query_one(CompactFigures)
                assert figures.display and not panel.query_one(RoomyFigures).display
                widest = max(cell_len(line) for line in figures.lines)
                assert figures.region.width >= widest and figures.region.height == 3


async def test_on_a_wide_screen_pairs_sit_side_by_side(demo_config, tmp_path):
    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_refresh(app, pilot)
            assert not app.screen.has_class("-stacked")
            employee, customer = app.query_one(PairRow).query(MetricPanel)
            assert employee.region.y == customer.region.y
            assert employee.region.width >= 95 and customer.region.x > employee.region.right - 1


async def test_help_lists_the_keys_and_escape_closes_it(demo_config, tmp_path):
    app = TandemApp(demo_config, Store(tmp_path / "s.db"), fetch_automatically=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for words in ("Fetch every source now", "Switch to the next theme", "Leave Tandem"):
            assert words in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_t_switches_theme(demo_config, tmp_path):
    app = TandemApp(demo_config, Store(tmp_path / "s.db"), fetch_automatically=False)
    async with app.run_test() as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("t")
        assert app.theme == "textual-light"


async def test_q_quits(demo_config, tmp_path):
    app = TandemApp(demo_config, Store(tmp_path / "s.db"), fetch_automatically=False)
    async with app.run_test() as pilot:
        await pilot.press("q")
    assert app.return_code == 0


async def test_the_layout_follows_the_terminal_when_it_is_resized(demo_config, tmp_path):
    app = TandemApp(demo_config, Store(tmp_path / "s.db"), fetch_automatically=False)
    async with app.run_test(size=(160, 45)) as pilot:
        assert not app.screen.has_class("-stacked") and not app.screen.has_class("-compact")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen.has_class("-stacked") and app.screen.has_class("-compact")
        await pilot.resize_terminal(80, 60)
        await pilot.pause()
        assert app.screen.has_class("-stacked") and not app.screen.has_class("-compact")


async def test_a_refresh_that_lands_under_the_help_screen_updates_the_dashboard(
    demo_config, tmp_path
):
    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(
            config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW, fetch_automatically=False
        )
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.press("question_mark")
            app.action_refresh()
            await wait_for_refresh(app, pilot)
            await pilot.press("escape")
            value, _ = demo_current_values(DEMO_TODAY)["nps"]
            assert panels_by_metric(app)["nps"].query_one(RoomyFigures).value == expected_text(
                "nps", value
            )


async def test_an_employee_group_below_the_threshold_says_so_instead_of_a_number(tmp_path):
    from tests.local_server import LocalServer, Reply
    from tui.config import validate_config

    answers = [{"date": "2026-05-02", "score": 9}] * 3  # three answers last month
    answers += [{"date": "2026-04-02", "score": 9}] * 6
    with LocalServer({"/a": lambda r: Reply(body=answers)}) as server:
        config = validate_config(
            {
                "sources": [{"id": "pulse", "kind": "json", "base_url": server.url, "path": "a"}],
                "metrics": [
                    {
                        "id": "enps",
                        "label": "eNPS",
                        "side": "employee",
                        "source": "pulse",
                        "kind": "nps",
                    },
                    {
                        "id": "n",
                        "label": "Answers",
                        "side": "customer",
                        "source": "pulse",
                        "kind": "count",
                    },
                ],
                "pairs": [{"employee": "enps", "customer": "n"}],
            }
        )
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        async with app.run_test(size=(160, 45)) as pilot:
            await wait_for_refresh(app, pilot)
            employee, customer = app.query_one(PairRow).query(MetricPanel)
            assert employee.query_one(RoomyFigures).value == "—"
            assert employee.query_one(RoomyFigures).lines[0] == "fewer than 5 responses"
            # The customer side is not hidden: May's 3 answers (June has none yet).
            assert customer.query_one(RoomyFigures).value == "3"


async def test_a_store_that_cannot_be_written_is_said_and_fetching_goes_on(demo_config, tmp_path):
    import sqlite3

    path = tmp_path / "s.db"
    with serving_demo(demo_config, DEMO_TODAY) as config:
        filled = Store(path)
        async with make_client() as client:
            await refresh_sources(config, config.sources, client, filled, lambda: DEMO_NOW)
        filled.close()
        store = Store(path, busy_seconds=0.2)
        app = TandemApp(config, store, clock=lambda: DEMO_NOW, fetch_automatically=False)
        async with app.run_test(size=(160, 45)) as pilot:
            before = panels_by_metric(app)["enps"].query_one(RoomyFigures).value
            # Another process holds the write lock through a whole refresh.
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            app.action_refresh()
            await wait_for_refresh(app, pilot)
            strip = strip_text(app)
            failing = strip.count("store not writable: locked by another process")
            assert failing == len(config.sources), strip
            assert "stale since" in strip and " ok " not in strip
            assert panels_by_metric(app)["enps"].query_one(RoomyFigures).value == before
            # Freed, the next refresh stores again: the worker lived through it.
            holder.execute("ROLLBACK")
            holder.close()
            app.action_refresh()
            await wait_for_refresh(app, pilot, rounds=2)
            strip = strip_text(app)
            assert "not writable" not in strip and strip.count(" ok ") == len(config.sources), strip


async def test_a_store_that_goes_bad_under_a_running_screen_ends_it_in_one_line(
    demo_config, tmp_path, monkeypatch
):
    from tui.store import StoreError

    store = Store(tmp_path / "s.db")
    app = TandemApp(demo_config, store, clock=lambda: DEMO_NOW, fetch_automatically=False)
    async with app.run_test(size=(160, 45)) as pilot:

        def damaged(*args, **kwargs):
            raise StoreError(f"{store.path}: the store is damaged (Page 10)")

        # In-process stand-in for a page that went bad after start (the CLI test damages
        # a real file; here the running screen's reaction is what is checked).
        monkeypatch.setattr(store, "series", damaged)
        app.show_from_store()
        await pilot.pause()
    assert app.return_code == 2


async def test_fetching_and_computing_run_off_the_dashboards_event_loop(
    demo_config, tmp_path, monkeypatch
):
    """On one machine the collector has a thread of its own: no record is parsed or
    computed on the loop that answers keys."""
    import threading

    import tui.collect.refresh

    computed_in: set[int] = set()
    observe = tui.collect.refresh.observe

    def recording(*args, **kwargs):
        computed_in.add(threading.get_ident())
        return observe(*args, **kwargs)

    monkeypatch.setattr(tui.collect.refresh, "observe", recording)
    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for_refresh(app, pilot)
            dashboard_thread = threading.get_ident()
            assert app.query(RoomyFigures).first().value != "—"  # and it is shown
            app.action_refresh()  # `r` reaches the thread's scheduler
            await wait_for_refresh(app, pilot, rounds=2)
    assert computed_in and dashboard_thread not in computed_in
    assert app.scheduler is not None and not app.scheduler._thread.is_alive()  # stopped


async def test_a_large_dashboard_shows_an_update_a_few_pairs_a_frame(tmp_path):
    """Textual paints every changed panel in one go: an update of many pairs is shown a
    few pairs a frame, so no frame holds a key up for all of them. The newest values win,
    and a screenshot is whole."""
    from datetime import datetime, timezone

    from tui.app.dashboard import PAIRS_PER_FRAME
    from tui.config import parse_config
    from tui.metrics.compute import Observation
    from tui.periods import last_periods

    now = datetime(2026, 6, 17, 12, tzinfo=timezone.utc)
    pairs = PAIRS_PER_FRAME + 2
    config = parse_config(pairs_config(pairs, 'kind = "value"\n', 12))
    store = Store(tmp_path / "store.db")
    periods = last_periods(now.date(), "month", 12)

    def write(value: float) -> None:
        observations = [
            Observation(metric.id, "", period, value + at, 100)
            for metric in config.metrics
            for at, period in enumerate(periods)
        ]
        store.write_refresh("s", observations, now, 1, 1, 0.1)  # type: ignore[arg-type]

    def shown(app: TandemApp) -> list[float]:
        """The value each pair's panels show (one number a pair, or -1 where they differ)."""
        values = []
        for row in app.dashboard.rows:
            employee, customer = row.employee._shown, row.customer._shown
            assert employee is not None and customer is not None
            same = employee.history[-1].value == customer.history[-1].value
            values.append(employee.history[-1].value if same else -1)
        return values

    last = 11  # the last period's offset from the value written
    write(10)
    app = TandemApp(config, store, clock=lambda: now, viewer=True)
    painted: list[list[float]] = []  # what each frame Textual paints shows
    display = app._display

    def paint(screen: object, update: object) -> None:
        painted.append(shown(app))
        display(screen, update)  # type: ignore[arg-type]

    app._display = paint  # type: ignore[method-assign, assignment]
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        assert shown(app) == [10 + last] * pairs
        write(20)
        painted.clear()
        app.show_from_store()
        # This frame: the first pairs; the rest keep their values until the next.
        assert shown(app) == [20 + last] * PAIRS_PER_FRAME + [10 + last] * 2
        for _ in range(20):
            await pilot.pause(0.02)
            if shown(app) == [20 + last] * pairs:
                break
        assert shown(app) == [20 + last] * pairs
        # The first pairs had a frame of their own: the others were not painted with them.
        assert [20 + last] * PAIRS_PER_FRAME + [10 + last] * 2 in painted, painted
        # Two updates before the frame: the later one's values are the ones left.
        write(30)
        app.show_from_store()
        write(40)
        app.show_from_store()
        for _ in range(20):
            await pilot.pause()
        assert shown(app) == [40 + last] * pairs
        # A screenshot shows every pair's newest values, waiting or not.
        write(50)
        app.show_from_store()
        assert shown(app)[-1] == 40 + last
        app.export_screenshot()
        assert shown(app) == [50 + last] * pairs
    store.close()


async def test_the_garbage_of_starting_is_collected_once_the_first_frame_is_painted(
    demo_config, demo_store_file, tmp_path
):
    import gc
    import shutil
    import weakref

    class Node:
        partner: Node | None = None

    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    app = TandemApp(demo_config, Store(path), clock=lambda: DEMO_NOW, viewer=True)
    gc.disable()  # as the command line starts (tui/__main__.py)
    try:
        garbage = Node()
        garbage.partner = garbage  # a cycle: only the cycle collector frees it
        collected = weakref.ref(garbage)
        del garbage
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(20):
                if gc.isenabled():
                    break
                await pilot.pause(0.05)
            assert gc.isenabled(), "the collector is off after the first frame"
            assert collected() is None, "the garbage of starting outlives the start"
            # What starting built is out of the collector's sight from then on.
            assert gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()


async def test_a_timer_that_fires_while_the_app_closes_finds_no_screen_and_does_nothing(
    demo_config, tmp_path
):
    """Textual runs the app's timers beside its shutdown, which empties the screen stack
    first: under load the clock's tick landed there and raised (seen in CI). Each of the
    app's timers is fired at that moment here."""
    fired: list[str] = []

    class Closing(TandemApp):
        async def _close_all(self) -> None:
            await super()._close_all()
            for timer in (self._tick_clock, self._read_store_if_written, self.next_kiosk_page):
                timer()
                fired.append(timer.__name__)

    app = Closing(
        demo_config,
        Store(tmp_path / "s.db"),
        clock=lambda: DEMO_NOW,
        fetch_automatically=False,
        kiosk=True,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    assert fired == ["_tick_clock", "_read_store_if_written", "next_kiosk_page"]
