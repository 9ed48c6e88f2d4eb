"""The Textual dashboard: one screen of paired panels, refreshed by one worker."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from pathlib import Path

import httpx
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message

from tui.app.dashboard import DashboardScreen
from tui.app.help import HelpScreen
from tui.config import Config
from tui.refresh import Clock, SourceOutcome, refresh_sources, utc_now
from tui.sources import make_client
from tui.store import Store
from tui.view import clock_time, pair_views, source_line

THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "tokyo-night", "solarized-light")


class RefreshFinished(Message):
    """Posted by the refresh worker after each round of sources."""

    def __init__(self, outcomes: list[SourceOutcome]) -> None:
        super().__init__()
        self.outcomes = outcomes


class TandemApp(App[None]):
    """Employee health beside customer health, one pair of indicators per row."""

    CSS_PATH = "tandem.tcss"
    TITLE = "Tandem"

    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Fetch every source now"),
        Binding("t", "next_theme", "Theme", id="theme", tooltip="Switch to the next theme"),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            id="help",
            tooltip="Show the keys and what the panels mean",
        ),
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave Tandem"),
    ]

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        config_path: Path | None = None,
        clock: Clock = utc_now,
        client: httpx.AsyncClient | None = None,
        fetch_automatically: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.store = store
        self.config_path = config_path
        self.clock = clock
        self.fetch_automatically = fetch_automatically
        self._client = client
        self._owns_client = client is None
        self._refreshing: set[str] = set()
        self._failing: set[str] = set()
        self._next_due: dict[str, float] = {source.id: 0.0 for source in config.sources}
        self._wake = asyncio.Event()
        self.last_refresh: datetime | None = None
        self.refresh_rounds = 0
        self.theme = config.dashboard.theme
        self.title = config.dashboard.title

    # ── layout ──

    def get_default_screen(self) -> DashboardScreen:
        # Kept, not looked up through self.screen: a refresh may land while
        # the help screen is on top, and must still update the dashboard.
        self.dashboard = DashboardScreen(self.config)
        return self.dashboard

    def on_dashboard_screen_ready(self) -> None:
        self.dashboard.show_clock(self.clock())
        self.set_interval(1.0, self._tick_clock)
        # Paint what the store already holds before the first fetch returns.
        self.show_from_store()
        if self.fetch_automatically:
            self.refresh_loop()

    async def on_unmount(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()

    def _tick_clock(self) -> None:
        now = self.clock()
        self.dashboard.show_clock(now)
        self._show_sources(now)

    # ── showing data ──

    def show_from_store(self) -> None:
        """Update every panel in place from the store (widgets are never rebuilt)."""
        now = self.clock()
        granularity = self.config.dashboard.period
        self.dashboard.show_pairs(
            pair_views(
                self.config,
                lambda metric_id: self.store.series(metric_id, granularity),
                now.date(),
            )
        )
        self._show_sources(now)
        self._show_updated()

    def _show_sources(self, now: datetime) -> None:
        statuses = self.store.source_statuses()
        self.dashboard.show_sources(
            [
                source_line(s.id, statuses.get(s.id), s.id in self._refreshing, now)
                for s in self.config.sources
            ]
        )

    def _show_updated(self) -> None:
        if self._refreshing:
            text = "refreshing…"
        elif self.last_refresh is not None:
            text = f"updated {clock_time(self.last_refresh)}"
        else:
            ok_times = [s.last_ok_at for s in self.store.source_statuses().values() if s.last_ok_at]
            text = f"stored {clock_time(max(ok_times))}" if ok_times else "no data yet"
        self.dashboard.show_updated(text)

    # ── refreshing ──

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_loop(self) -> None:
        """Refresh the sources that are due, then sleep until the next one is.

        A round starts only after the previous one ended, so fetches never
        overlap and a slow source backs off by itself.
        """
        loop = asyncio.get_running_loop()
        if self._client is None:
            self._client = make_client()
        while True:
            now = loop.time()
            due = [s for s in self.config.sources if self._next_due[s.id] <= now]
            if due:
                self._refreshing = {s.id for s in due}
                self._show_sources(self.clock())
                self._show_updated()
                outcomes = await refresh_sources(
                    self.config, due, self._client, self.store, self.clock
                )
                finished = loop.time()
                for source in due:
                    self._next_due[source.id] = finished + self.config.refresh_seconds_of(source)
                self._refreshing = set()
                self.post_message(RefreshFinished(outcomes))
            self._wake.clear()
            wait = max(1.0, min(self._next_due.values()) - loop.time())
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.last_refresh = self.clock()
        self.refresh_rounds += 1
        self.show_from_store()
        # Toast only when a source starts failing: on a wall screen a source
        # that is down for a day would otherwise toast every round.
        newly_failed = [
            o for o in message.outcomes if not o.ok and o.source_id not in self._failing
        ]
        self._failing.difference_update(o.source_id for o in message.outcomes if o.ok)
        self._failing.update(o.source_id for o in newly_failed)
        if newly_failed:
            count = len(newly_failed)
            self.notify(
                "\n".join(o.error or "" for o in newly_failed),
                title=f"{count} source{'s' if count > 1 else ''} failing",
                severity="warning",
                timeout=8,
            )

    # ── actions ──

    def action_refresh(self) -> None:
        """Fetch every source now, whatever its schedule."""
        for source_id in self._next_due:
            self._next_due[source_id] = 0.0
        if self.fetch_automatically:
            self._wake.set()
        else:
            self.fetch_automatically = True
            self.refresh_loop()

    def action_next_theme(self) -> None:
        names = list(THEMES)
        if self.theme not in names:
            names.insert(0, self.theme)
        self.theme = names[(names.index(self.theme) + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.config_path))
