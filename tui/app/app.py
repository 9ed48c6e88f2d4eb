"""The Textual dashboard: one screen of paired panels, fed by one collector (a process of
its own with `tandem`, a thread when embedded with a store, this loop for a store in memory)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from tui.analysis.insights import Insights
from tui.app.colours import readable_variables, rich_theme
from tui.app.dashboard import DashboardScreen, period_name
from tui.app.widgets import Freshness, PairRow, every_figure_now
from tui.clock import Clock, utc_now
from tui.config import Config
from tui.memory import collect_after_start
from tui.metrics.compute import EVERYONE
from tui.periods import Granularity
from tui.store import (
    CollectorStatus,
    HistoryStore,
    SourceStatus,
    StoreError,
    StoreRefused,
    is_store_url,
)
from tui.views.panels import clock_time, fetch_under_way, format_age, source_line
from tui.views.read import (
    DashboardData,
    read_dashboard,
    read_detail,
    read_internal,
    read_segments,
)

if TYPE_CHECKING:
    # httpx and the fetching code load once the first frame is on screen, and the
    # screens on top of the dashboard when one is first opened.
    import httpx
    from textual.theme import Theme

    from tui.analysis.balance import Balance
    from tui.analysis.internal import InternalService
    from tui.app.detail import DetailScreen
    from tui.app.internal import InternalScreen
    from tui.app.page import PageScreen
    from tui.app.segments import SegmentScreen
    from tui.app.shared_reads import PageRead, SharedRead, SharedReader, SharedStoreRead
    from tui.collect.collector import BackgroundCollector
    from tui.collect.process import CollectorProcess
    from tui.collect.refresh import SourceOutcome
    from tui.collect.scheduler import Scheduler
    from tui.views.detail import PairDetail
    from tui.views.segments import SegmentTable

T = TypeVar("T")

# Seconds a page's read may take before the screen says it is reading (a slow network).
PAGE_PATIENCE = 0.5

# The longest the panels wait for a refresh under way to land before showing what
# has (a slow source must not hold the others' values back).
HOLD_PANELS_FOR = timedelta(seconds=10)

KIOSK_INSIGHTS = "\0insights"
KIOSK_BALANCE = "\0balance"
KIOSK_INTERNAL = "\0internal"

THEMES = ("textual-dark", "textual-light", "nord", "gruvbox", "tokyo-night", "solarized-light")


P = ParamSpec("P")


def _not_while_closing(
    timer: Callable[Concatenate[TandemApp, P], None],
) -> Callable[Concatenate[TandemApp, P], None]:
    """For the app's timers: Textual runs them beside its shutdown, which empties the
    screen stack first, and a timer that fires then has nothing to show (seen in CI,
    under load, as a ScreenStackError at quitting)."""

    @wraps(timer)
    def unless_closing(app: TandemApp, /, *args: P.args, **kwargs: P.kwargs) -> None:
        if app.is_running:
            timer(app, *args, **kwargs)

    return unless_closing


def kiosk_theme() -> Theme:
    """Readable from across a room: white on black, saturated status colours."""
    from textual.theme import Theme

    return Theme(
        name="kiosk",
        primary="#FFFFFF",
        accent="#00D7FF",
        foreground="#FFFFFF",
        background="#000000",
        surface="#000000",
        panel="#262626",
        success="#00FF5F",
        warning="#FFD700",
        error="#FF3030",
        dark=True,
    )


class SourceRefreshStarted(Message):
    """A source's fetch began."""

    def __init__(self, source_id: str) -> None:
        super().__init__()
        self.source_id = source_id


class SourceRefreshed(Message):
    """A source's fetch ended, well or not; posted the moment it lands."""

    def __init__(self, outcome: SourceOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class TandemApp(App[None]):
    """Employee health beside customer health, one pair of indicators per row."""

    # Absolute, so a subclass in another module (a test, a benchmark) finds it too.
    CSS_PATH = Path(__file__).with_name("tandem.tcss")
    TITLE = "Tandem"

    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Fetch every source now"),
        Binding("i", "insights", "Insights", id="insights", tooltip="Early warnings and linkage"),
        Binding("g", "segments", "Segments", id="segments", tooltip="Every segment side by side"),
        # Off the footer too (80 columns): in the help and the palette.
        Binding(
            "b",
            "balance",
            "Balance",
            id="balance",
            tooltip="Each team's employee health against its customer health",
            show=False,
        ),
        Binding(
            "n",
            "internal",
            "Internal service",
            id="internal",
            tooltip="Each function's service beside the teams it serves",
            show=False,
        ),
        # Off the footer, which must fit 80 columns; in the help and the palette.
        Binding(
            "t", "next_theme", "Theme", id="theme", tooltip="Switch to the next theme", show=False
        ),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            id="help",
            tooltip="Show the keys and what the panels mean",
        ),
        Binding(
            "p",
            "next_period",
            "Period",
            id="period",
            tooltip="Week, month or quarter, from the store",
            show=False,
        ),
        Binding(
            "s",
            "save_svg",
            "Screenshot",
            id="screenshot",
            tooltip="Save an SVG screenshot in the screenshot folder (your pictures folder)",
            show=False,
        ),
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave Tandem"),
    ]

    def __init__(
        self,
        config: Config,
        store: HistoryStore,
        *,
        config_path: Path | None = None,
        clock: Clock = utc_now,
        client: httpx.AsyncClient | None = None,
        fetch_automatically: bool = True,
        kiosk: bool = False,
        viewer: bool = False,
        collector: CollectorProcess | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.store = store
        self.config_path = config_path
        self.clock = clock
        # A viewer (one browser of `tandem serve`) never fetches: it repaints when
        # the one fetcher writes the store.
        self.viewer = viewer
        # On one machine `tandem` reads, as a viewer, what its own collector process
        # writes: `r` asks that process to fetch now.
        self.collector = collector
        self.fetch_automatically = fetch_automatically and not viewer
        self._store_version = -1
        # A shared (PostgreSQL) store can be out of reach for a while: the screen keeps
        # its last values and says since when, and reads again by itself.
        self.shared_store = is_store_url(store.path)
        self._store_down_since: datetime | None = None
        # Its reads, after the first frame's, run off this loop (tui.app.shared_reads).
        self._shared_reader: SharedReader | None = None
        if self.shared_store:
            from tui.app.shared_reads import SharedReader

            self._shared_reader = SharedReader(store, self.post_message)
        self._last_statuses: dict[str, SourceStatus] = {}
        self.collectors: list[CollectorStatus] = []
        self._client = client
        self._owns_client = client is None
        self.scheduler: Scheduler | BackgroundCollector | None = None
        self._failing: set[str] = set()
        # Failures the store could not record (it is what failed): error and when.
        self._unstored: dict[str, tuple[str, datetime]] = {}
        self.last_refresh: datetime | None = None
        self.outcome_counts: Counter[str] = Counter()
        self._landed: list[SourceOutcome] = []
        # What the store held at the last read, for every screen on show.
        self.data: DashboardData | None = None
        self.last_screenshot: Path | None = None
        # The segment the dashboard shows; kiosk mode rotates through them.
        self.segment = ""
        # The period the panels are shown by; `p` switches it without a refetch.
        self.granularity: Granularity = config.dashboard.period
        self._view_configs: dict[str, Config] = {}
        self.kiosk = kiosk or config.dashboard.kiosk
        self.kiosk_paused = False
        self._kiosk_page = 0
        brand = config.dashboard.brand
        if brand is not None:
            from textual.theme import Theme

            self.register_theme(Theme(name="brand", **brand.model_dump()))
        self.theme = config.dashboard.theme
        if self.kiosk and config.dashboard.brand is None:
            self.register_theme(kiosk_theme())
            self.theme = "kiosk"
        self.title = config.dashboard.title
        if config.keys:
            self.set_keymap(dict(config.keys))

    # ── colours ──

    # Textual asks for the variables at every theme change (and once before __init__
    # ends): the console's theme of tandem.* styles is swapped, never stacked.
    _colour_theme_pushed = False

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, plus Tandem's readable colours by meaning
        (tui.app.colours); Rich text gets the same as `tandem.<role>` styles."""
        variables = super().get_css_variables()
        readable = readable_variables(variables)
        variables.update(readable)
        self.theme_variables = variables
        console = self.console
        if self._colour_theme_pushed:
            console.pop_theme()
        console.push_theme(rich_theme(readable))
        self._colour_theme_pushed = True
        return variables

    # ── layout ──

    def get_default_screen(self) -> DashboardScreen:
        # Kept, not looked up through self.screen: a refresh may land while
        # the help screen is on top, and must still update the dashboard.
        # The store is read first, so the widgets are built with their values
        # and colours: changing them after mounting would restyle every panel.
        data = self._first_read()
        self.dashboard = DashboardScreen(self.config, data, self.kiosk)
        return self.dashboard

    def _first_read(self) -> DashboardData:
        """What the first frame shows. A shared store out of reach (a wall screen that
        started before its database) shows empty panels and says why, and fills them
        once the server answers."""
        try:
            if self.viewer:
                # Taken before the read: a write that lands while this frame is built
                # changes it, and the first poll shows that write.
                self._store_version = self._data_version()
            return self._read_store(self._read_statuses())
        except StoreError as error:
            if not self.shared_store:
                raise
            if isinstance(error, StoreRefused):
                self._refused = error  # said once the screen is up: Textual exits then
            else:
                self._store_unreachable(error)
        from tui.store import Store

        empty = Store(":memory:")
        try:
            self.data = read_dashboard(self.view_config, empty, {}, self.clock(), stored=False)
        finally:
            empty.close()
        return self.data

    _refused: StoreRefused | None = None
    _held_since: datetime | None = None  # since when the panels wait for a refresh
    _store_was_read = False  # the panels show what the store held, not an empty frame

    def on_dashboard_screen_ready(self) -> None:
        if self._refused is not None:
            self.exit(return_code=2, message=f"tandem: {self._refused}")
            return
        now = self.clock()
        self.dashboard.show_clock(now)
        self.set_interval(1.0, self._tick_clock)
        self._show_sources(now)
        self._show_updated()
        if self.viewer:
            # Its own collector's writes show within half a second; a shared store's
            # (many screens polling one server) within two.
            self.set_interval(0.5 if self.collector else 2.0, self._read_store_if_written)
            if self.shared_store and not self.collectors and self._store_down_since is None:
                self.notify(
                    "Nothing fetches into this store yet. Where the vendor secrets are, run:\n"
                    f"tandem collect --store {self.store.path}",
                    title="No collector has written here",
                    severity="warning",
                    timeout=30,
                )
        if self.kiosk:
            self.set_interval(self.config.dashboard.kiosk_seconds, self.next_kiosk_page)
            self._show_kiosk_state()
        self.call_after_refresh(collect_after_start)
        # Fetch only once the frame painted from the store is on screen: the
        # first frame never waits for the network or the demo API.
        if self.fetch_automatically:
            self.call_after_refresh(self.run_scheduler)

    async def on_unmount(self) -> None:
        if self.scheduler is not None:
            from tui.collect.collector import BackgroundCollector

            if isinstance(self.scheduler, BackgroundCollector):
                self.scheduler.stop()
        if self._client is not None and self._owns_client:
            await self._client.aclose()

    @_not_while_closing
    def _tick_clock(self) -> None:
        now = self.clock()
        statuses = self._statuses()
        self.dashboard.show_clock(now)
        page = self._page_on_top()
        if page is not None:
            page.header.show_clock(now)
        self._show_sources(now, statuses)
        self._show_updated(statuses)  # "3 min ago" ages

    def _data_version(self) -> int:
        try:
            version = self.store.data_version()
        except StoreError as error:
            if not self.shared_store or isinstance(error, StoreRefused):
                raise
            self._store_unreachable(error)
            return self._store_version
        if self._store_down_since is not None:
            self._store_down_since = None
            return -2  # back: read it all again
        return version

    def _store_unreachable(self, error: StoreError | None = None) -> None:
        """The shared store is out of reach since now, unless it was already; the
        header says since when, and a toast says why, once an outage."""
        if self._store_down_since is None:
            self._store_down_since = self.clock()
            if error is not None:
                self.notify(str(error), title="Store unreachable", severity="warning")

    @_not_while_closing
    def _read_store_if_written(self) -> None:
        if self.collector is not None:
            self._watch_collector()
        if self._shared_reader is not None:
            self._read_shared_store(everything=False)
            return
        version = self._data_version()
        if version == self._store_version:
            return
        statuses = self._statuses()
        if self._hold_panels(statuses):
            self._show_sources(self.clock(), statuses)  # "refreshing…": the strip only
            self._show_updated(statuses)
            return
        self._store_version = version
        self.last_refresh = self.clock()
        self._held_since = None
        self.show_from_store(statuses)

    def _watch_collector(self) -> None:
        """Start this dashboard's collector process again if it stopped, and say so: once
        in a toast, and on the header until it runs again."""
        assert self.collector is not None
        was_down = self.collector.stopped is not None
        stopped = self.collector.supervise()
        if stopped is not None:
            how = stopped.how
            if stopped.in_a_row > 1:
                how = f"{stopped.in_a_row} times in a row, {how}"
            said = (
                f"The collector process stopped ({how}): "
                f"starting it again in {stopped.restart_in:.0f} s."
            )
            if stopped.last_words:
                said += f"\nLast in its log: {stopped.last_words}"
            said += f"\nIts log: {self.collector.log_path}"
            self.notify(
                said,
                title="Collector stopped",
                severity="warning" if stopped.in_a_row == 1 else "error",
                timeout=max(10.0, min(stopped.restart_in, 60.0)),
            )
        # On the header at once when it stops or runs again; the clock's tick ages it.
        if stopped is not None or (was_down and self.collector.stopped is None):
            self._show_updated()

    def _may_hold(self) -> bool:
        """Whether the panels may wait (longer) for a refresh under way to land."""
        held = self._held_since
        return held is None or self.clock() - held < HOLD_PANELS_FOR

    def _hold_panels(self, statuses: Mapping[str, SourceStatus]) -> bool:
        """Whether to leave the panels as they are while the collector's refresh is
        under way. Each source's landing, and each fetch's start, is a write: read one
        by one, a refresh of the demo updated every panel four times in 1.5 s, and a
        key pressed meanwhile waited behind each. It shows once, as it lands whole,
        and a long one at least every HOLD_PANELS_FOR."""
        hold = self._may_hold() and fetch_under_way(statuses, self.clock())
        if hold:
            self._note_held()
        return hold

    def _note_held(self) -> None:
        """The panels wait for a write they have not shown: since now, unless already."""
        if self._held_since is None:
            self._held_since = self.clock()

    # ── showing data ──

    def _read_store(self, statuses: Mapping[str, SourceStatus]) -> DashboardData:
        """Every panel's view and the insights, for the segment on show ("" is the
        whole organisation): the analysis the collector stored, where it is read."""
        data = read_dashboard(
            self.view_config,
            self.store,
            statuses,
            self.clock(),
            segment=self.segment,
            stored=self.reads_analysis,
        )
        self.data = data
        self._store_was_read = True
        return data

    @property
    def insights(self) -> Insights | None:
        return None if self.data is None else self.data.insights

    @property
    def reads_analysis(self) -> bool:
        """Whether a collector elsewhere (a thread, another process) stores the analysis
        this screen reads; a collector on this loop leaves it to the screen."""
        if self.viewer or self.scheduler is None:
            return self.viewer  # a screen that only reads imports no collector code
        from tui.collect.collector import BackgroundCollector

        return isinstance(self.scheduler, BackgroundCollector)

    def _statuses(self) -> dict[str, SourceStatus]:
        """Each source's status: as the last read of a shared store found it (its reads
        run off this loop), else as stored now."""
        if self._shared_reader is not None:
            return dict(self._last_statuses)
        return self._read_statuses()

    def _read_statuses(self) -> dict[str, SourceStatus]:
        """Each source's status as stored, and, where the store could not record a
        failure (it was not writable), that failure: the strip never says ok over it.
        A shared store out of reach gives the last statuses read."""
        try:
            statuses = self.store.source_statuses()
            if self.viewer:
                self.collectors = self.store.collectors()
        except StoreError as unread:
            if not self.shared_store or isinstance(unread, StoreRefused):
                raise
            self._store_unreachable(unread)
            statuses = dict(self._last_statuses)
        else:
            self._last_statuses = dict(statuses)
            if self.viewer:
                self._toast_new_failures(statuses)
        for source_id, (error, at) in self._unstored.items():
            status = statuses.get(source_id) or SourceStatus(source_id, None, None, None, None)
            statuses[source_id] = dataclasses.replace(status, last_error=error, last_error_at=at)
        return statuses

    def _toast_new_failures(self, statuses: Mapping[str, SourceStatus]) -> None:
        """A viewer toasts a source that starts failing, as a fetching dashboard does."""
        for source_id, status in statuses.items():
            self._note_failing(source_id, (status.last_error or "") if status.failing else None)

    def _note_failing(self, source_id: str, error: str | None) -> None:
        """Toast only when a source starts failing (`error` None: it works): on a wall
        screen a source that is down for a day would otherwise toast at every try."""
        if error is None:
            self._failing.discard(source_id)
        elif source_id not in self._failing:
            self._failing.add(source_id)
            self.notify(error, title="Source failing", severity="warning", timeout=8)

    def show_from_store(self, statuses: dict[str, SourceStatus] | None = None) -> None:
        """Update every panel in place from the store (widgets are never rebuilt), with
        `statuses` if they were just read; a shared store's are shown once its read,
        off this loop, ends."""
        if self._shared_reader is not None:
            self._read_shared_store(everything=True)
            return
        try:
            statuses = self._statuses() if statuses is None else statuses
            data = self._read_store(statuses)
            page = self._page_reader()
            page_view = None if page is None else page(data)
        except StoreError as error:
            # The file went bad under a running screen: say so in one line and stop,
            # rather than paint from history that can no longer be read.
            self.exit(return_code=2, message=f"tandem: {error}")
            return
        self._show_data(data, page_view, statuses)

    def _show_data(
        self, data: DashboardData, page_view: object, statuses: Mapping[str, SourceStatus]
    ) -> None:
        """What was read, on every panel, and on the page on top (`page_view`, from the
        reader `_page_reader` gave for it)."""
        self.dashboard.show(data)
        if page_view is not None:
            self.screen.show(page_view)  # type: ignore[attr-defined]  # the same refresh
        self._show_sources(self.clock(), statuses)
        self._show_updated(statuses)

    def _page_reader(self) -> Callable[[DashboardData], object] | None:
        """How the view of the page on top is read, given what the dashboard read; None
        when the dashboard is on top. Taken where the read starts: a shared store's
        read runs on a thread, and must not look at which screen is on top from there."""
        screen = self.screen
        if screen is self.dashboard:
            return None
        from tui.app.balance import BalanceScreen
        from tui.app.detail import DetailScreen
        from tui.app.insights import InsightsScreen
        from tui.app.internal import FunctionScreen, InternalScreen
        from tui.app.segments import SegmentScreen

        if isinstance(screen, (InternalScreen, FunctionScreen)):
            return self._internal_of()
        if isinstance(screen, InsightsScreen):
            return lambda data: data.insights
        if isinstance(screen, SegmentScreen):
            return self._segments_of()
        if isinstance(screen, DetailScreen):
            return self._detail_of(screen.pair_index, screen.segment)
        if isinstance(screen, BalanceScreen):
            return lambda data: data.balance
        return None  # the help: nothing read to show

    # What a page shows, read from the store beside the dashboard's data, with the
    # period and day on show now: called at once, or later on the reader's thread.

    def _internal_of(self) -> Callable[[DashboardData], InternalService]:
        config, store, today = self.view_config, self.store, self.clock().date()
        return lambda data: read_internal(config, store, today, data.analysis)

    def _segments_of(self) -> Callable[[DashboardData], SegmentTable]:
        config, store, today = self.view_config, self.store, self.clock().date()
        return lambda data: read_segments(config, store, data.insights, today)

    def _detail_of(self, pair_index: int, segment: str) -> Callable[[DashboardData], PairDetail]:
        config, store, today = self.view_config, self.store, self.clock().date()
        return lambda data: read_detail(config, store, data.insights, today, pair_index, segment)

    def _from_shown(self, view_of: Callable[[DashboardData], T]) -> Callable[[], T]:
        """`view_of` the data on show."""
        assert self.data is not None
        return partial(view_of, self.data)

    # ── a shared store, read off this loop ──

    def _read_shared_store(self, everything: bool) -> None:
        """Read the shared store on the reader's thread (`everything`: the panels too,
        written or not); the result arrives as a SharedStoreRead."""
        from tui.app.shared_reads import ReadRequest

        assert self._shared_reader is not None
        self._shared_reader.start(
            ReadRequest(
                self._store_version,
                # Back from out of reach: what was written meanwhile was never counted.
                everything or self._store_down_since is not None,
                self.view_config,
                self.segment,
                self.clock(),
                self.screen,
                self._page_reader(),
                may_hold=self._may_hold(),
            )
        )

    @property
    def reading_store(self) -> bool:
        """Whether a read of a shared store is under way."""
        return self._shared_reader is not None and self._shared_reader.busy

    def on_shared_store_read(self, message: SharedStoreRead) -> None:
        assert self._shared_reader is not None
        again = self._shared_reader.finished()
        read = message.read
        if isinstance(read, BaseException):
            raise read  # a fault of ours, not the network's: shown as on this loop
        if isinstance(read.error, StoreRefused):
            # It answers and can never be shown by this Tandem (a newer schema): stop.
            self.exit(return_code=2, message=f"tandem: {read.error}")
            return
        if read.error is not None:  # out of reach: the last values stay, the header says so
            self._store_unreachable(read.error)
            self._show_updated()
        elif not self._show_shared_read(read) and again is None:
            # The period, segment or page changed while it read: read for the new one.
            again = True
        if again is not None:
            self._read_shared_store(everything=again)

    def _show_shared_read(self, read: SharedRead) -> bool:
        """Show what was read; False if what it was read for is no longer on show."""
        if read.held:
            self._note_held()
        self._store_down_since = None
        self._last_statuses = dict(read.statuses)
        self.collectors = read.collectors
        self._toast_new_failures(read.statuses)
        asked = read.asked
        if read.data is None:  # not written since: the strip and the header only
            self._show_sources(self.clock(), read.statuses)
            self._show_updated(read.statuses)
            return True
        if (
            asked.config is not self.view_config  # one config object a period
            or asked.segment != self.segment
            or asked.screen is not self.screen
        ):
            return False
        if read.version != self._store_version:
            self._store_version = read.version
            self.last_refresh = self.clock()
        self.data = read.data
        self._store_was_read = True
        self._held_since = None
        self._show_data(read.data, read.page, read.statuses)
        return True

    def _show_sources(
        self, now: datetime, statuses: Mapping[str, SourceStatus] | None = None
    ) -> None:
        statuses = self._statuses() if statuses is None else statuses
        scheduler = self.scheduler
        self.dashboard.show_sources(
            [
                source_line(
                    s.id,
                    statuses.get(s.id),
                    scheduler.schedule_of(s.id) if scheduler else None,
                    now,
                )
                for s in self.config.sources
            ]
        )

    @property
    def view_config(self) -> Config:
        """The config as the screens read it: the dashboard's period is the one selected."""
        if self.granularity == self.config.dashboard.period:
            return self.config
        if self.granularity not in self._view_configs:
            dashboard = self.config.dashboard.model_copy(update={"period": self.granularity})
            self._view_configs[self.granularity] = self.config.model_copy(
                update={"dashboard": dashboard}
            )
        return self._view_configs[self.granularity]

    def action_next_period(self) -> None:
        """Week, month, quarter: every one is stored at each refresh, so no refetch."""
        order: list[Granularity] = ["week", "month", "quarter"]
        self.granularity = order[(order.index(self.granularity) + 1) % len(order)]
        self.dashboard.show_period(self.granularity)
        self.show_from_store()
        self.notify(f"By {self.granularity}", timeout=2)

    # ── kiosk ──

    def kiosk_pages(self) -> list[str]:
        """The rotation: the whole organisation, each segment, the insights, the balance,
        and the internal service where there is one."""
        insights = self.insights
        segments = sorted(
            {row.segment for row in insights.rows if row.segment} if insights else set(),
            key=str.casefold,
        )
        internal = [KIOSK_INTERNAL] if self.config.internal.configured else []
        return ["", *segments, KIOSK_INSIGHTS, KIOSK_BALANCE, *internal]

    @_not_while_closing
    def next_kiosk_page(self) -> None:
        if self.kiosk_paused:
            return
        page = self._page_on_top()
        if page is not None and page.scroll_a_screen():
            return  # the page is longer than the screen: the rest of it first
        pages = self.kiosk_pages()
        self._kiosk_page = (self._kiosk_page + 1) % len(pages)
        self.show_kiosk_page(pages[self._kiosk_page])

    def show_kiosk_page(self, page: str) -> None:
        if self._page_on_top() is not None:
            self.pop_screen()
        if page == KIOSK_INSIGHTS:
            self.action_insights()
            return
        if page == KIOSK_BALANCE:
            self.action_balance()
            return
        if page == KIOSK_INTERNAL:
            self.action_internal()
            return
        self.segment = page
        self.show_from_store()

    def _show_kiosk_state(self, updated: str | None = None) -> None:
        """The kiosk strip: `updated` (the data's age), then whether the pages turn.

        The age comes first: it is what a room must not miss ("collector stopped: last
        wrote 3 h ago"), and at 80 columns the end of the strip is cut."""
        seconds = f"{self.config.dashboard.kiosk_seconds:g} s"
        if self.kiosk_paused:
            state = "⏸ paused: any key turns the pages again"
        else:
            state = f"▶ pages turn every {seconds}: any key pauses"
        text = f"{self._freshness().full if updated is None else updated} · {state}"
        self.dashboard.show_kiosk(text)
        page = self._page_on_top()
        if page is not None:
            page.show_kiosk(text)

    def _page_on_top(self) -> PageScreen | None:
        """The page on show over the dashboard (insights, balance), if one is: it has
        a header and a kiosk strip of its own to keep up to date."""
        from tui.app.page import PageScreen

        return self.screen if isinstance(self.screen, PageScreen) else None

    def on_key(self, event: events.Key) -> None:
        # On a wall screen any key pauses the rotation, so someone can read a page;
        # any key again resumes it. Keys keep their own meaning too.
        if self.kiosk and event.key not in ("ctrl+q", "ctrl+c"):
            self.kiosk_paused = not self.kiosk_paused
            self._show_kiosk_state()

    def _freshness(self, statuses: Mapping[str, SourceStatus] | None = None) -> Freshness:
        """How old the data is and why, in full, in short (a narrow header's, the age
        kept: "collector stopped, wrote 45 min ago") and tiny (a page's header at 80
        columns, the demo's badge beside it: "stopped, 45 min ago", 23 cells at most)."""
        statuses = self._statuses() if statuses is None else statuses
        stale = sum(1 for status in statuses.values() if status.failing)
        # An age, not a time: "updated 18:42" beside the clock's 18:42 read as one twice.
        ok_times = [s.last_ok_at for s in statuses.values() if s.last_ok_at]
        now = self.clock()
        if self._store_down_since is not None:
            since = clock_time(self._store_down_since)
            shown = "showing what it held then" if self._store_was_read else "waiting for it"
            return Freshness(
                f"store unreachable since {since} · {shown}",
                f"store unreachable since {since}",
                tiny=f"unreachable since {since}",
            )
        if self.collector is not None and self.collector.stopped is not None:
            wait = self.collector.seconds_to_restart()
            again = f"in {wait:.0f} s" if wait >= 1 else "now"
            return Freshness(
                f"collector stopped ({self.collector.stopped.how}) · starting it again {again}",
                f"collector stopped · again {again}",
                tiny=f"stopped, again {again}",
            )
        latest = self.collectors[0] if self.viewer and self.collectors else None
        if latest is not None and (latest.missed(now) or self.collector is None):
            ago = _ago(now - latest.last_beat_at)
            # Named by its host: with a standby elsewhere, which one writes matters.
            host = latest.collector_id.rsplit(":", 1)[0][:24]
            if latest.missed(now):
                # This dashboard's own collector, alive: on idle priority a machine busy
                # with other work starves it (tui.collect.process.give_way); not stopped.
                alive = self.collector is not None and self.collector.alive
                state = "running but not writing" if alive else "stopped"
                text = f"collector on {host} {state}: last wrote {ago}"
                short = f"collector {'not writing' if alive else 'stopped'}, wrote {ago}"
                tiny = f"{'stalled' if alive else 'stopped'}, {ago}"
                error = f" ({latest.last_error})" if latest.last_error else ""
                return Freshness(text, short, error, tiny)
            # `age`: what the tiny form keeps beside the failing count.
            text, short, age = f"collector on {host} last wrote {ago}", f"last wrote {ago}", ago
        elif self.viewer and self.shared_store:
            text, short = "no collector has written here yet", "no collector yet"
            age = short
        elif self.last_refresh is not None:
            age = _ago(now - self.last_refresh)
            text = short = f"updated {age}"
        elif ok_times:
            age = _ago(now - max(ok_times))
            text = short = f"stored {age}"
        else:
            text = short = age = "no data yet"
        if stale:
            text += f" · {stale} source{'s' if stale > 1 else ''} failing"
            short += f" · {stale} failing"
            return Freshness(text, short, tiny=f"{age} · {stale} failing")
        return Freshness(text, short)

    def _show_updated(self, statuses: Mapping[str, SourceStatus] | None = None) -> None:
        """The data's age, wherever it is shown: headers and the kiosk strip."""
        freshness = self._freshness(statuses)
        self.dashboard.show_updated(freshness)
        page = self._page_on_top()
        if page is not None:
            page.header.show_updated(freshness)
        if self.kiosk:
            self._show_kiosk_state(freshness.full)

    # ── refreshing ──

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def run_scheduler(self) -> None:
        """Fetch every source on its own schedule for as long as the app runs.

        On one machine the collector runs in a thread of its own, with its own
        connection to the store: no fetch, parse or computation of observations runs
        on this loop, so none delays a key. A store no other connection can see (in
        memory) or a client given by the caller (tests) keeps it on this loop.
        """
        from tui.collect.scheduler import Scheduler
        from tui.sources import client_for

        if self._client is None and self.store.path != ":memory:":
            from tui.collect.collector import BackgroundCollector

            self.scheduler = BackgroundCollector(
                self.config,
                self._reopen_store,
                self.clock,
                on_start=lambda source_id: self.post_message(SourceRefreshStarted(source_id)),
                on_outcome=lambda outcome: self.post_message(SourceRefreshed(outcome)),
            )
            self.scheduler.start()
            return
        if self._client is None:
            self._client = client_for(self.config)
        self.scheduler = Scheduler(
            self.config,
            self._client,
            self.store,
            on_start=lambda source_id: self.post_message(SourceRefreshStarted(source_id)),
            on_outcome=lambda outcome: self.post_message(SourceRefreshed(outcome)),
            clock=self.clock,
        )
        await self.scheduler.run()

    def _reopen_store(self) -> HistoryStore:
        """The collector thread's own connection to this app's store."""
        store = self.store.reopen()
        if store is None:  # pragma: no cover - a store in memory never gets a thread
            raise StoreError(f"{self.store.path}: no other connection can see this store")
        return store

    def on_source_refresh_started(self, message: SourceRefreshStarted) -> None:
        self._show_sources(self.clock())
        self._show_updated()

    def on_source_refreshed(self, message: SourceRefreshed) -> None:
        outcome = message.outcome
        self._landed.append(outcome)
        if len(self._landed) == 1:
            # Sources that land together are shown together: one read of the
            # store for the batch, not one per source (29 sources landing within
            # a few ms took 0.6 s to show one by one).
            self.call_later(self._show_landed)
        if outcome.stored:
            self._unstored.pop(outcome.source_id, None)
        else:
            self._unstored[outcome.source_id] = (outcome.error or "failed", self.clock())
        self._note_failing(outcome.source_id, None if outcome.ok else outcome.error or "")

    def _show_landed(self) -> None:
        landed, self._landed = self._landed, []
        self.last_refresh = self.clock()
        self.show_from_store()
        # Counted once on screen: what refresh_rounds reports is what is shown.
        self.outcome_counts.update(outcome.source_id for outcome in landed)

    @property
    def refresh_rounds(self) -> int:
        """How many times every source has reported (a slow one holds this back)."""
        return min(self.outcome_counts[s.id] for s in self.config.sources)

    # ── actions ──

    def action_refresh(self) -> None:
        """Fetch every source now, whatever its schedule or circuit. A viewer never
        fetches (the server does, for every viewer): it reads the store again."""
        if self.viewer and self.collector is not None:
            if not self.collector.alive:  # stopped, waiting to be started again: now
                self.collector.restart()
                self._show_updated()
                self.notify(
                    "The collector process had stopped: started it again, and it "
                    f"fetches as it starts. Its log: {self.collector.log_path}",
                    title="Refresh",
                    severity="warning",
                )
                return
            # Said on the strip ("refreshing …") at the next poll, within half a second,
            # not in a toast: Textual mounts a toast again on every screen a key opens
            # while it is up, and keys during a refresh took 5 ms longer at the median
            # and 10 ms at the p90 (tests/bench/keys.py, paired with and without it).
            self.collector.refresh_now()
        elif self.viewer:
            if self._shared_reader is None:
                self._store_version = self._data_version()
            self.show_from_store()
            fetcher = "the collector" if self.shared_store else "the server"
            self.notify(
                f"Read the store again: {fetcher} fetches every source on its own schedule",
                title="Viewer",
                timeout=4,
            )
        elif self.scheduler is not None:
            self.scheduler.refresh_now()
        else:
            self.run_scheduler()

    def action_next_theme(self) -> None:
        names = list(THEMES)
        if self.config.dashboard.brand is not None:
            names.insert(0, "brand")
        if self.theme not in names:
            names.insert(0, self.theme)
        self.theme = names[(names.index(self.theme) + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def action_help(self) -> None:
        from tui.app.help import HelpScreen

        # One help screen a kind of page, built at its first opening and kept: its keys
        # depend on the page's kind alone. Built afresh, every `?` composed, styled and laid
        # out a whole screen of tables before the first frame.
        below = type(self.screen)
        name = f"help-{below.__name__}"
        if not self.is_screen_installed(name):
            self.install_screen(HelpScreen(self.config_path, below), name)
        self.push_screen(name)

    def action_save_svg(self) -> None:
        """Save what is on screen as an SVG in the screenshot folder, and say where. A
        browser's screenshot downloads to the browser: nothing lands on the server."""
        name = re.sub(r"[^a-z0-9]+", "-", (self.config.dashboard.organisation or "tandem").lower())
        stamp = self.clock().astimezone().strftime("%Y-%m-%d-%H%M%S")
        path = screenshot_folder(self.config) / f"tandem-{name.strip('-')}-{stamp}.svg"
        if self.is_web:
            self.deliver_screenshot(path.name)
            self.notify(path.name, title="Screenshot sent to this browser", timeout=6)
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.save_screenshot(path.name, str(path.parent))
        except OSError as error:
            self.notify(f"Could not save the screenshot: {error.strerror}", severity="error")
            return
        self.last_screenshot = path
        self.notify(str(path), title="Screenshot saved", timeout=6)

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """The screen as an SVG, every row and sparkline up to date: a live paint spreads
        them over a few frames, a picture has only the one."""
        if self.screen is self.dashboard:
            self.dashboard.show_every_row_now()
        with every_figure_now():
            return super().export_screenshot(title=title, simplify=simplify)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action in the command palette (ctrl+p), beside Textual's own (less its
        "Keys" and "Screenshot", which Help and Save SVG screenshot already are)."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Keys", "Screenshot"):
                yield command
        yield SystemCommand("Refresh", "Fetch every source now", self.action_refresh)
        yield SystemCommand(
            "Insights", "Early warnings and linkage, in sentences", self.action_insights
        )
        yield SystemCommand("Segments", "Every segment's pair side by side", self.action_segments)
        yield SystemCommand(
            "Balance",
            "Each team's employee health against its customer health",
            self.action_balance,
        )
        yield SystemCommand(
            "Internal service",
            "Each function's service beside the health of the teams it serves",
            self.action_internal,
        )
        yield SystemCommand("Help", "The keys and how to read a panel", self.action_help)
        yield SystemCommand(
            "Next period", "Week, month or quarter, from the store", self.action_next_period
        )
        yield SystemCommand(
            "Save SVG screenshot", "Into the screenshot folder", self.action_save_svg
        )
        metrics = {metric.id: metric.label for metric in self.config.metrics}
        for index, pair in enumerate(self.config.pairs):
            title = f"Detail: {metrics[pair.employee]} ↔ {metrics[pair.customer]}"
            yield SystemCommand(
                title, pair.caption or "The pair over time", partial(self.open_detail, index)
            )

    def action_insights(self) -> None:
        from tui.app.insights import InsightsScreen

        if self.insights is not None and not isinstance(self.screen, InsightsScreen):
            self._push_page(InsightsScreen(self.view_config, self.insights, self.kiosk))

    def _balance(self) -> Balance:
        """The balance of the last read: the dashboard's warnings came from it too."""
        assert self.data is not None
        return self.data.balance

    def action_balance(self) -> None:
        from tui.app.balance import BalanceScreen

        self._open_page(
            BalanceScreen, lambda: BalanceScreen(self.view_config, self._balance(), self.kiosk)
        )

    def action_internal(self) -> None:
        from tui.app.internal import InternalScreen

        config = self.view_config
        self._read_page(
            self._from_shown(self._internal_of()),
            lambda internal: self._open_page(
                InternalScreen, lambda: InternalScreen(config, internal, self.kiosk)
            ),
        )

    def _open_page(self, kind: type[PageScreen], make: Callable[[], PageScreen]) -> None:
        """Show the page `make` builds, unless one of its `kind` is on show."""
        if not isinstance(self.screen, kind):
            self._push_page(make())

    def _read_page(self, read: Callable[[], T], show: Callable[[T], object]) -> None:
        """Read what a page shows and `show` it: at once from a local store; from a
        shared one on a thread, shown when it ends unless another screen or page was
        asked for meanwhile. A store that cannot be read is said; the screen stays."""
        if self._shared_reader is not None:
            ask = self._shared_reader.read_page(read, show, self.screen)
            # Milliseconds on a network that carries; on one that does not, a key must
            # not seem to do nothing.
            self.set_timer(PAGE_PATIENCE, partial(self._page_still_reading, ask))
            return
        try:
            value = read()
        except StoreError as error:
            self.notify(str(error), severity="error")
            return
        show(value)

    @_not_while_closing
    def _page_still_reading(self, ask: int) -> None:
        assert self._shared_reader is not None
        if self._shared_reader.waiting_for(ask):
            self.notify(
                "The page opens once the store answers.", title="Reading the store…", timeout=4
            )

    def on_page_read(self, message: PageRead) -> None:
        assert self._shared_reader is not None
        if not self._shared_reader.answered(message) or message.screen is not self.screen:
            return  # read for a page no longer wanted
        if isinstance(message.value, StoreError):
            self.notify(str(message.value), severity="error")
        elif isinstance(message.value, BaseException):
            raise message.value  # a fault of ours, not the network's: shown as on this loop
        else:
            message.show(message.value)

    def on_internal_screen_function_requested(
        self, message: InternalScreen.FunctionRequested
    ) -> None:
        from tui.app.internal import FunctionScreen

        self._read_page(
            self._from_shown(self._internal_of()),
            lambda internal: self.push_screen(FunctionScreen(internal, message.name)),
        )

    def _push_page(self, page: PageScreen) -> None:
        """Show a page over the dashboard, its header saying what the dashboard's says
        from its first frame (period, clock, the data's age: not at the next tick),
        and on a wall its kiosk strip."""
        self.push_screen(page)
        page.header.show_period(period_name(self.granularity))
        page.header.show_clock(self.clock())
        page.header.show_updated(self._freshness())
        if self.kiosk:
            self._show_kiosk_state()

    def action_segments(self) -> None:
        from tui.app.segments import SegmentScreen

        if self.insights is None or isinstance(self.screen, SegmentScreen):
            return
        config = self.view_config
        self._read_page(
            self._from_shown(self._segments_of()),
            lambda table: self.push_screen(SegmentScreen(config, table)),
        )

    def open_detail(self, pair_index: int, segment: str = EVERYONE) -> None:
        """Drill into a pair, for the whole organisation or one segment."""
        if self.insights is None:
            return
        self._read_page(self._from_shown(self._detail_of(pair_index, segment)), self._show_detail)

    def _show_detail(self, detail: PairDetail) -> None:
        from tui.app.detail import DetailScreen

        if isinstance(self.screen, DetailScreen):
            self.screen.show(detail)
        else:
            self.push_screen(DetailScreen(detail))

    def on_pair_row_selected(self, message: PairRow.Selected) -> None:
        self.open_detail(message.index)

    def on_segment_screen_detail_requested(self, message: SegmentScreen.DetailRequested) -> None:
        self.open_detail(message.pair_index, message.segment)

    def on_detail_screen_segment_requested(self, message: DetailScreen.SegmentRequested) -> None:
        self.open_detail(message.pair_index, message.segment)


def _ago(elapsed: timedelta) -> str:
    age = format_age(max(0.0, elapsed.total_seconds()))
    return age if age == "just now" else f"{age} ago"


def screenshot_folder(config: Config) -> Path:
    """Where `s` saves: [dashboard] screenshot_folder, else the user's pictures folder
    (never the folder Tandem was started in: a checkout would fill with SVGs)."""
    if config.dashboard.screenshot_folder:
        return Path(config.dashboard.screenshot_folder)
    from platformdirs import user_pictures_path

    return user_pictures_path() / "Tandem"
