"""Linkage, early warnings, segments and drill-down on screen, driven through Pilot."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from textual.widgets import DataTable, Footer, TabbedContent

from tests.conftest import DEMO_NOW, DEMO_TODAY
from tests.hand_computed import demo_function_scores
from tests.test_app import screen_text
from tests.test_insights import CONFIG, TODAY, _fill_store
from tui.analysis.insights import insights_from_store
from tui.app import TandemApp
from tui.app.balance import BalanceScreen
from tui.app.detail import DetailScreen
from tui.app.insights import InsightsScreen
from tui.app.internal import FunctionScreen, InternalScreen
from tui.app.segments import SegmentScreen
from tui.app.widgets import InsightsPanel, PairRow
from tui.config import parse_config
from tui.demo import bundled_demo_config
from tui.metrics.compute import RUNNING
from tui.periods import period_of
from tui.store import Store


def last_closed(store: Store, granularity: str, segment: str = ""):
    """The latest stored eNPS that is not hidden for running still."""
    series = store.series("enps", granularity, segment, limit=3)
    return [o for o in series if o.suppressed != RUNNING][-1]


@pytest.fixture
def demo_app(demo_store_file, demo_config, tmp_path):
    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    return TandemApp(demo_config, Store(path), clock=lambda: DEMO_NOW, fetch_automatically=False)


def test_the_demo_plants_a_linked_team_and_an_unlinked_one(demo_config, demo_store_file):
    insights = insights_from_store(demo_config, Store(demo_store_file), DEMO_TODAY)
    by_segment = {row.segment: row.link for row in insights.of_pair(0)}  # eNPS and NPS
    assert by_segment["Support"].linked and by_segment["Support"].lag == 2
    assert by_segment["Support"].sentence.startswith(
        "Support: a rise in eNPS is followed about 2 months later by a rise in NPS — r 0."
    )
    assert not by_segment["Field Ops"].linked
    assert by_segment["Field Ops"].result is not None
    assert by_segment["Field Ops"].result.enough_history


@pytest.mark.parametrize("granularity", ["week", "month", "quarter"])
def test_the_demo_links_nothing_it_did_not_plant(demo_config, demo_store_file, granularity):
    # Field Ops' customers follow a health of their own: no pair of it is ever linked.
    # Before the demo had six years of HR and CRM records, quarterly turnover and churn
    # were 0 for years and "moved together in the same quarter" for the organisation.
    dashboard = demo_config.dashboard.model_copy(update={"period": granularity})
    config = demo_config.model_copy(update={"dashboard": dashboard})
    insights = insights_from_store(config, Store(demo_store_file), DEMO_TODAY)
    assert [row.link.sentence for row in insights.rows if row.segment == "Field Ops"]
    assert not [
        row.link.sentence for row in insights.rows if row.segment == "Field Ops" and row.link.linked
    ]
    turnover = Store(demo_store_file).series("turnover", "quarter", limit=24)
    # Every closed quarter has a value; the running one is hidden until it closes.
    assert len(turnover) == 24 and all(o.value is not None for o in turnover[:-1])
    assert turnover[-1].suppressed == RUNNING and turnover[-1].value is None


async def test_each_pair_row_shows_its_linkage_and_the_panel_explains(demo_app):
    async with demo_app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        insights = demo_app.insights
        assert insights is not None
        text = screen_text(demo_app)
        for index in range(len(demo_app.config.pairs)):
            assert insights.overall(index).link.short in text
        # Under the pairs: warnings first, then links found (whole organisation first).
        links = sorted((k for k in insights.links if k.linked), key=lambda k: bool(k.segment))
        sentences = [w.sentence for w in insights.warnings] + [k.sentence for k in links]
        panel = demo_app.screen.query_one(InsightsPanel)
        shown = " ".join(str(panel.render()).split())
        fitted = [s for s in sentences if " ".join(s.split()) in shown]
        assert fitted == sentences[: len(fitted)] and fitted  # in order, whole sentences
        more = len(sentences) - len(fitted)
        if more:
            assert shown.endswith(f"… {more} more: press i for every insight")
        # Every shown line is on screen: nothing is cut off.
        flat = " ".join(text.split())
        for sentence in fitted:
            assert " ".join(sentence.split()) in flat


async def test_enter_on_a_pair_opens_its_detail_and_escape_returns(demo_app):
    async with demo_app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        # The first pair has focus from the start, so Enter drills straight in.
        assert isinstance(demo_app.focused, PairRow) and demo_app.focused.index == 0
        await pilot.press("tab")
        assert isinstance(demo_app.focused, PairRow) and demo_app.focused.index == 1
        await pilot.press("shift+tab")
        await pilot.press("enter")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, DetailScreen)
        assert screen.detail.segment == "" and screen.detail.employee.id == "enps"
        table = screen.query_one("#detail-counts", DataTable)
        assert table.row_count == demo_app.config.dashboard.history_periods
        # The newest row is the period in progress, with the stored n of each side.
        stored_c = demo_app.store.series("nps", "month", "", limit=1)[-1]
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[0] == "Jun 2026 (to date)"
        # The employee side of a running month is hidden until it closes.
        assert first[1:3] == ["until closed", "—"]
        assert first[4] == str(stored_c.n)
        stored_e = last_closed(demo_app.store, "month")
        second = [str(cell) for cell in table.get_row_at(1)]
        assert second[0] == "May 2026" and second[2] == str(stored_e.n)
        assert "Whole organisation" in screen_text(demo_app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(demo_app.screen, DetailScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_the_detail_never_shows_a_count_cut_short(demo_app, size):
    """A table scrolled sideways shows 320 as "32": the counts take the width their
    columns need, and where that leaves the r-by-lag bars too little, the bars give
    way; from 120 columns both are shown."""
    async with demo_app.run_test(size=size) as pilot:
        await pilot.pause()
        for pair in range(len(demo_app.config.pairs)):
            demo_app.screen.query(PairRow)[pair].focus()
            await pilot.press("enter")
            await pilot.pause()
            await pilot.pause()
            screen = demo_app.screen
            assert isinstance(screen, DetailScreen)
            table = screen.query_one("#detail-counts", DataTable)
            assert table.virtual_size.width <= table.scrollable_content_region.width
            lags = screen.query_one("#detail-lags")
            assert lags.display is (size != (80, 24))
            await pilot.press("escape")
            await pilot.pause()


async def test_brackets_step_through_segments_in_the_detail(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        demo_app.open_detail(0)
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, DetailScreen)
        seen = [screen.detail.segment]
        for _ in range(len(screen.detail.segments)):
            await pilot.press("right_square_bracket")
            await pilot.pause()
            seen.append(screen.detail.segment)
        assert seen == ["", "Field Ops", "Sales", "Success", "Support", ""]
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.detail.segment == "Support"
        assert (
            "Support: a rise in eNPS is followed about 2 months later by a rise in NPS"
            in screen_text(demo_app)
        )


async def test_a_click_on_a_pair_drills_down(demo_app):
    async with demo_app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.click(".pair .caption-line", offset=(2, 0))
        await pilot.pause()
        assert isinstance(demo_app.screen, DetailScreen)


async def test_g_lists_segments_and_sorts_by_gap_or_change(demo_app):
    # Sales' last closed turnover jumps while its churn holds, so one segment carries an
    # early warning (the demo's own day has none since warnings read closed periods only).
    with sqlite3.connect(demo_app.store.path) as db:
        db.execute(
            "UPDATE observations SET value = 50 WHERE metric_id = 'turnover' AND segment = "
            "'Sales' AND granularity = 'month' AND period_key = '2026-05'"
        )
    async with demo_app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, SegmentScreen)
        table = screen.query_one("#segments-0", DataTable)
        insights = demo_app.insights
        assert insights is not None

        def order() -> list[str]:
            return [str(table.get_row_at(i)[0]).removeprefix("⚠ ") for i in range(table.row_count)]

        rows = screen.table.segments_of(0)
        by_gap = sorted(rows, key=lambda r: -abs(r.gap or 0.0))
        assert order() == ["Whole organisation", *(r.segment for r in by_gap)]
        await pilot.press("c")
        await pilot.pause()
        by_change = sorted(rows, key=lambda r: -(r.largest_change or 0.0))
        assert order() == ["Whole organisation", *(r.segment for r in by_change)]
        await pilot.press("n")
        await pilot.pause()
        assert order() == ["Whole organisation", "Field Ops", "Sales", "Success", "Support"]
        # A segment with an early warning carries the mark.
        pair = insights.warnings[0].pair_index
        warned_table = screen.query_one(f"#segments-{pair}", DataTable)
        marked = {
            str(warned_table.get_row_at(i)[0]).removeprefix("⚠ ")
            for i in range(warned_table.row_count)
            if str(warned_table.get_row_at(i)[0]).startswith("⚠ ")
        }
        warned = {
            w.segment or "Whole organisation" for w in insights.warnings if w.pair_index == pair
        }
        assert marked == warned and warned
        # The rows have the keys from the start: Enter on a segment opens its detail.
        assert table.has_focus
        tabs = screen.query_one("#segments-tabs", TabbedContent)
        tabs.active = "pair-1"  # another pair's tab: its rows take the keys
        await pilot.pause()
        assert screen.query_one("#segments-1", DataTable).has_focus
        tabs.active = "pair-0"
        await pilot.pause()
        assert table.has_focus
        table.move_cursor(row=4)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(demo_app.screen, DetailScreen)
        assert demo_app.screen.detail.segment == "Support"


async def test_i_shows_every_warning_and_linkage_sentence(demo_app):
    async with demo_app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(demo_app.screen, InsightsScreen)
        insights = demo_app.insights
        assert insights is not None
        text = " ".join(screen_text(demo_app).split())
        for warning in insights.warnings:
            assert warning.sentence[:50] in text
        assert "How linkage is decided" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(demo_app.screen, InsightsScreen)


async def test_a_small_segment_says_too_few_and_is_left_out(tmp_path):
    config = parse_config(CONFIG)
    store = Store(tmp_path / "s.db")
    _fill_store(store, config)
    from datetime import datetime, timezone

    now = datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=timezone.utc)
    app = TandemApp(config, store, clock=lambda: now, fetch_automatically=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        table = app.screen.query_one("#segments-0", DataTable)
        rows = {
            str(table.get_row_at(i)[0]).removeprefix("⚠ "): table.get_row_at(i)
            for i in range(table.row_count)
        }
        legal = [str(cell) for cell in rows["Legal"]]
        assert legal[1] == "too few responses to show"
        assert legal[5] == "—"  # no gap from a hidden value
        assert legal[6] == "left out: too few responses"
        assert str(rows["Support"][6]).startswith("leads by 2 months")


async def test_a_refresh_under_the_detail_updates_it(demo_app):
    from tui.metrics.compute import Observation
    from tui.periods import period_of

    async with demo_app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        demo_app.open_detail(0)
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, DetailScreen)
        june = period_of(DEMO_TODAY, "month")
        demo_app.store.write_refresh(
            "pulse", [Observation("enps", "", june, 12.4, 321)], DEMO_NOW, 1, 1, 0.1
        )
        demo_app.show_from_store()
        await pilot.pause()
        table = screen.query_one("#detail-counts", DataTable)
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[1:3] == ["12", "321"]


async def test_s_saves_an_svg_and_says_where(demo_app, tmp_path, monkeypatch):
    # Never into the folder Tandem was started in: a checkout would fill with SVGs.
    started_in, pictures = tmp_path / "checkout", tmp_path / "pictures"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    monkeypatch.setattr("platformdirs.user_pictures_path", lambda: pictures)
    async with demo_app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        path = demo_app.last_screenshot
        assert path is not None and path.parent == pictures / "Tandem" and path.suffix == ".svg"
        assert not list(started_in.iterdir())
        assert path.name.startswith("tandem-northwind-demo-co-")
        assert "DEMO" in path.read_text()
        # Said on screen, in full: the toast on the screen holds the path.
        toasts = [str(toast.render()) for toast in demo_app.screen.query("Toast")]
        assert any(t.startswith("Screenshot saved") and str(path) in t for t in toasts), toasts


async def test_every_action_is_in_the_command_palette(demo_app):
    async with demo_app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in demo_app.get_system_commands(demo_app.screen)}
        for title in (
            "Refresh",
            "Insights",
            "Segments",
            "Help",
            "Save SVG screenshot",
            "Detail: eNPS ↔ NPS",
            "Detail: Employee turnover ↔ Customer churn",
        ):
            assert title in commands, title
        commands["Detail: Engagement ↔ CSAT"].callback()
        await pilot.pause()
        assert isinstance(demo_app.screen, DetailScreen)
        assert demo_app.screen.detail.employee.id == "engagement"


async def test_a_brand_theme_from_config_colours(demo_config, demo_store_file, tmp_path):
    from tui.config import BrandColours

    dashboard = demo_config.dashboard.model_copy(
        update={"theme": "brand", "brand": BrandColours(primary="#0B5FFF", accent="#FFB000")}
    )
    config = demo_config.model_copy(update={"dashboard": dashboard})
    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    app = TandemApp(config, Store(path), clock=lambda: DEMO_NOW, fetch_automatically=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "brand"
        assert app.current_theme.primary == "#0B5FFF"
        await pilot.press("t")  # t cycles on from the brand theme
        assert app.theme != "brand"


async def test_no_color_says_warn_and_bad_in_words(
    demo_store_file, demo_config, tmp_path, monkeypatch
):
    monkeypatch.setenv("NO_COLOR", "1")
    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    app = TandemApp(demo_config, Store(path), clock=lambda: DEMO_NOW, fetch_automatically=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert app.no_color
        from tui.app.widgets import MetricPanel, RoomyFigures

        for panel in app.query(MetricPanel):
            meta = panel.query_one(RoomyFigures).lines[1]
            status = panel._shown.status if panel._shown else "none"
            assert (status.upper() in meta) == (status in ("warn", "bad")), (status, meta)


async def test_kiosk_rotates_overview_segments_and_insights_and_a_key_pauses(
    demo_store_file, demo_config, tmp_path
):
    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    now = {"at": DEMO_NOW}
    app = TandemApp(
        demo_config, Store(path), clock=lambda: now["at"], fetch_automatically=False, kiosk=True
    )
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        assert app.theme == "kiosk"  # high contrast on a wall
        assert app.kiosk_pages() == [
            "",
            "Field Ops",
            "Sales",
            "Success",
            "Support",
            "\0insights",
            "\0balance",
            "\0internal",
        ]
        header = app.dashboard.header
        strip = app.dashboard.kiosk_strip
        assert "pages turn every 20 s" in str(strip.render())
        shown: list[str] = []
        for _ in range(12):
            app.next_kiosk_page()  # what the 20-second timer calls
            await pilot.pause()
            page = app.segment
            if isinstance(app.screen, InsightsScreen):
                page = "insights"
            elif isinstance(app.screen, BalanceScreen):
                page = "balance"
            elif isinstance(app.screen, InternalScreen):
                page = "internal"
            if not shown or shown[-1] != page:  # a long insights page takes a few turns
                shown.append(page)
            if len(shown) == 8:
                break
        assert shown == [
            "Field Ops",
            "Sales",
            "Success",
            "Support",
            "insights",
            "balance",
            "internal",
            "",
        ]
        # The insights page keeps a header and the kiosk strip; no key footer on a wall.
        app.show_kiosk_page("\0insights")
        await pilot.pause()
        page = app.screen
        assert isinstance(page, InsightsScreen)
        assert "Insights" in str(page.header._page.render())
        assert str(page.header._period.render()) == "Monthly"
        assert page.kiosk_strip.display and "pages turn every 20 s" in str(
            page.kiosk_strip.render()
        )
        assert not page.query_one(Footer).display
        # On a segment page the panels are that segment's: Support's eNPS as stored.
        app.show_kiosk_page("Support")
        await pilot.pause()
        stored = last_closed(app.store, "month", "Support")
        panel = app.dashboard.rows[0].employee
        assert panel._shown is not None and panel._shown.value == stored.value
        assert "Support" in str(header._page.render())
        # Any key pauses; the header says so; the timer no longer turns pages.
        await pilot.press("x")
        assert app.kiosk_paused and "paused" in str(strip.render())
        app.next_kiosk_page()
        await pilot.pause()
        assert app.segment == "Support"
        await pilot.press("x")
        assert not app.kiosk_paused


async def test_kiosk_says_how_long_ago_it_updated(demo_store_file, demo_config, tmp_path):
    from datetime import timedelta

    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    now = {"at": DEMO_NOW}
    app = TandemApp(
        demo_config, Store(path), clock=lambda: now["at"], fetch_automatically=False, kiosk=True
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.last_refresh = DEMO_NOW
        now["at"] = DEMO_NOW + timedelta(minutes=7)
        app._tick_clock()
        await pilot.pause()
        assert "updated 7 min ago" in str(app.dashboard.kiosk_strip.render())


async def test_p_switches_week_month_quarter_from_the_store_without_fetching(demo_app):
    async with demo_app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        panel = demo_app.dashboard.rows[0].employee
        requests_before = demo_app.outcome_counts.copy()
        for granularity in ("week", "quarter"):
            while demo_app.granularity != granularity:
                await pilot.press("p")
                await pilot.pause()
            # The latest closed period the pulse survey ran in (the running one is hidden).
            stored = last_closed(demo_app.store, granularity)
            period = period_of(stored.period_start, granularity)
            label = period.label + (" to date" if period.contains(DEMO_TODAY) else "")
            assert panel._shown is not None
            assert panel._shown.value == stored.value and panel._shown.n == stored.n
            assert panel.border_subtitle == label
            period = str(demo_app.dashboard.header._period.render())
            assert period == {"week": "Weekly", "quarter": "Quarterly"}[granularity]
        assert demo_app.outcome_counts == requests_before  # nothing was fetched
        await pilot.press("p")
        await pilot.pause()
        assert demo_app.granularity == "week"


async def test_the_header_says_how_old_the_data_is_not_a_second_clock(demo_app):
    from datetime import timedelta

    async with demo_app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        updated = demo_app.dashboard.header._updated
        assert str(updated.render()) == "stored just now"  # read from the store at 12:00
        demo_app.last_refresh = DEMO_NOW - timedelta(minutes=3)
        demo_app._tick_clock()
        await pilot.pause()
        assert str(updated.render()) == "updated 3 min ago"


async def test_the_big_digits_and_marks_read_on_every_theme(demo_app):
    from textual.color import Color

    from tui.app.colours import AA, contrast
    from tui.app.widgets import RoomyFigures

    async with demo_app.run_test(size=(160, 45)) as pilot:
        for theme in ("textual-light", "textual-dark", "solarized-light"):
            demo_app.theme = theme
            await pilot.pause()
            for figures in demo_app.screen.query(RoomyFigures):
                style = figures._digits_style()
                if style.color is None:
                    continue  # no thresholds: the text colour
                ink = Color.from_rich_color(style.color)
                paper = figures.background_colors[1]
                assert contrast(ink, paper) >= AA, f"{theme}: {ink.hex} on {paper.hex}"
            # Rich text built in Python follows the theme too.
            link = demo_app.console.get_style("tandem.focus").color
            assert Color.from_rich_color(link).hex == demo_app.theme_variables["tandem-focus"]


async def test_a_kiosk_turns_through_insights_longer_than_the_screen(
    demo_store_file, demo_config, tmp_path
):
    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    app = TandemApp(
        demo_config, Store(path), clock=lambda: DEMO_NOW, fetch_automatically=False, kiosk=True
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.show_kiosk_page("\0insights")
        await pilot.pause()
        page = app.screen
        assert isinstance(page, InsightsScreen)
        body = page.query_one("#insights-body")
        assert body.max_scroll_y > 0  # fifteen sentences do not fit in 24 rows
        positions = [body.scroll_y]
        while isinstance(app.screen, InsightsScreen) and len(positions) < 20:
            app.next_kiosk_page()  # what the timer calls
            await pilot.pause()
            if isinstance(app.screen, InsightsScreen):
                positions.append(body.scroll_y)
        # Each turn showed the next screenful, to the end, and then the next page.
        assert positions == sorted(positions) and len(positions) >= 2
        assert positions[-1] == body.max_scroll_y
        assert not isinstance(app.screen, InsightsScreen)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_b_shows_each_teams_balance_as_a_table_and_from_120_columns_a_chart(demo_app, size):
    from textual.widgets import DataTable

    from tui.analysis.balance import QUADRANT_WORDS, balance_from_store
    from tui.app.balance import BalanceChart

    async with demo_app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, BalanceScreen)
        expected = balance_from_store(demo_app.config, demo_app.store, DEMO_TODAY)
        table = screen.query_one(DataTable)
        assert table.row_count == len(expected.teams) == 5  # the organisation and 4 teams
        assert screen.query_one(BalanceChart).display == (size[0] >= 120)
        text = screen_text(demo_app)
        sales = next(team for team in expected.teams if team.segment == "Sales")
        if size[0] >= 100:
            assert QUADRANT_WORDS[sales.latest.quadrant] in text
            assert f"{sales.latest.employee:+.2f}" in text
        notes = str(screen.query_one("#balance-notes").render())
        assert "Employee health: the mean of eNPS, Engagement, Employee turnover." in notes
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(demo_app.screen, BalanceScreen)


async def test_every_page_over_the_dashboard_keeps_its_header_and_kiosk_strip(
    demo_store_file, demo_config, tmp_path
):
    from datetime import timedelta

    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    now = {"at": DEMO_NOW}
    app = TandemApp(
        demo_config, Store(path), clock=lambda: now["at"], fetch_automatically=False, kiosk=True
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pages = (("\0insights", "Insights"), ("\0balance", "Balance"))
        for page, name in (*pages, ("\0internal", "Internal service")):
            app.show_kiosk_page(page)
            await pilot.pause()
            screen = app.screen
            assert name in str(screen.header._page.render())
            assert "pages turn every 20 s" in str(screen.kiosk_strip.render())
            now["at"] += timedelta(minutes=1)
            app._tick_clock()  # what the one-second timer calls
            assert str(screen.header._clock.render()) == now["at"].astimezone().strftime("%H:%M")


async def test_the_balance_page_follows_the_store_when_it_changes(demo_app):
    from textual.widgets import DataTable

    from tui.analysis.balance import balance_from_store

    async with demo_app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        table = demo_app.screen.query_one(DataTable)

        def sales_employee() -> str:
            rows = [table.get_row_at(i) for i in range(table.row_count)]
            return str(next(row for row in rows if str(row[0]).endswith("Sales"))[1])

        before = sales_employee()
        with sqlite3.connect(demo_app.store.path) as db:
            db.execute(
                "UPDATE observations SET value = -50 WHERE metric_id = 'enps' AND "
                "segment = 'Sales' AND granularity = 'month'"
            )
        demo_app.show_from_store()  # what a landed refresh calls
        await pilot.pause()
        fresh = balance_from_store(demo_app.config, demo_app.store, DEMO_TODAY)
        sales = next(team for team in fresh.teams if team.segment == "Sales")
        assert sales_employee() == f"{sales.latest.employee:+.2f}" != before


# ── Internal customers ───────────────────────────────────────────────────


def test_the_demo_plants_one_chain_and_leaves_a_function_unlinked(demo_config, demo_store_file):
    from tui.analysis.internal import internal_from_store

    internal = internal_from_store(demo_config, Store(demo_store_file), DEMO_TODAY)
    assert [f.name for f in internal.functions] == ["IT", "HR", "Facilities"]
    it = internal.function("IT")
    assert it is not None and it.serves == ("Support",)
    # IT's service runs two months ahead of Support's people, who lead its customers by two.
    assert it.service_to_people.linked and it.service_to_people.lag == 2
    assert it.people_to_customers.linked and it.people_to_customers.lag == 2
    hr = internal.function("HR")
    assert hr is not None and not hr.service_to_people.linked
    assert hr.service_to_people.result is not None and hr.service_to_people.result.enough_history
    # Each function's score and n, as computed by hand from the demo's raw ratings.
    by_hand = demo_function_scores(DEMO_TODAY)
    for function in internal.functions:
        value, n = by_hand[function.name]
        assert (function.score, function.n) == (pytest.approx(value), n)
        assert function.period is not None and function.period.key == "2026-05"


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_n_lists_each_functions_service_and_enter_opens_its_chain(demo_app, size):
    from tui.analysis.internal import internal_from_store

    expected = internal_from_store(demo_app.config, demo_app.store, DEMO_TODAY)
    async with demo_app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        screen = demo_app.screen
        assert isinstance(screen, InternalScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 3
        first = [str(cell) for cell in table.get_row_at(0)]
        it = expected.functions[0]
        assert first[0] == "IT" and first[1] == f"{it.score:.0f}"
        if size[0] >= 100:
            assert first[3] == str(it.n) and first[4] == "Support"
            assert first[5] == it.service_to_people.short
        else:
            assert first[3] == "leads 2 mo"
        # Nothing the screen says is cut off on the right at this width.
        text = screen_text(demo_app)
        assert "IT: a rise in IT's internal service is followed about 2 months later" in text
        await pilot.press("enter")
        await pilot.pause()
        detail = demo_app.screen
        assert isinstance(detail, FunctionScreen) and detail.name_shown == "IT"
        counts = detail.query_one("#function-counts", DataTable)
        closed = [str(cell) for cell in counts.get_row_at(1)]  # the latest closed month
        assert closed[1] == f"{it.score:.0f}" and closed[2] == str(it.n)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert detail.name_shown == "HR"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(demo_app.screen, InternalScreen)
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(demo_app.screen, InternalScreen)


async def test_without_an_internal_table_n_says_how_to_add_one(demo_store_file, tmp_path):
    from tui.analysis.internal import NOT_CONFIGURED

    text = bundled_demo_config().read_text(encoding="utf-8")
    start, end = text.index("[internal]"), text.index("# ── Sources")
    config = parse_config(text[:start] + text[end:], bundled_demo_config())
    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    app = TandemApp(config, Store(path), clock=lambda: DEMO_NOW, fetch_automatically=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, InternalScreen)
        assert app.screen.query_one(DataTable).row_count == 0
        assert NOT_CONFIGURED[:60] in " ".join(screen_text(app).split())
        assert "\0internal" not in app.kiosk_pages()


async def test_the_internal_page_follows_the_store_when_it_changes(demo_app):
    async with demo_app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        table = demo_app.screen.query_one(DataTable)
        before = str(table.get_row_at(0)[1])
        with sqlite3.connect(demo_app.store.path) as db:
            db.execute(
                "UPDATE observations SET value = -77 WHERE metric_id = 'service' AND "
                "segment = 'IT' AND granularity = 'month' AND period_key = '2026-05'"
            )
        demo_app.show_from_store()  # what a landed refresh calls
        await pilot.pause()
        assert str(table.get_row_at(0)[1]) == "-77" != before


async def test_a_team_moving_into_employees_expense_warns_on_the_dashboard_and_insights(tmp_path):
    """Sales' eNPS falls from 25 to 5 at 200 answers while its NPS holds at 40 (as in
    tests/test_balance.py): the balance's warning is on the dashboard's insights panel
    and the insights screen, not only on the balance screen."""
    from datetime import datetime, timezone

    from tests.test_balance import CONFIG as BALANCE_CONFIG
    from tui.metrics.compute import Observation
    from tui.periods import last_periods

    config = parse_config(BALANCE_CONFIG)
    periods = last_periods(TODAY, "month", 17)  # 16 closed and the running one
    observations = []
    for team in ("Sales", "Support", ""):
        for i, period in enumerate(periods[:-1]):
            fell = team == "Sales" and i == len(periods) - 2
            observations.append(
                Observation("enps", team, period, 5.0 if fell else 25.0, 200, 0, 6000.0)
            )
            observations.append(Observation("nps", team, period, 40.0, 400, 0, 6000.0))
    store = Store(tmp_path / "s.db")
    store.write_refresh("s", observations, datetime(2026, 6, 17, tzinfo=timezone.utc), 100, 1, 0.1)
    now = datetime(2026, 6, 17, 12, tzinfo=timezone.utc)
    app = TandemApp(config, store, clock=lambda: now, fetch_automatically=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        panel = str(app.query_one(InsightsPanel).render())
        assert '⚠ Sales moved into "customers served at employees\' expense" in May 2026' in panel
        await pilot.press("i")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert 'Sales moved into "customers served at employees\' expense" in May 2026' in text


async def test_the_kiosk_strip_says_the_datas_age_first_at_80_columns(
    demo_store_file, demo_config, tmp_path
):
    from datetime import timedelta

    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    store = Store(path)
    for source in ("pulse", "crm"):  # a long age: two sources failing as well
        store.record_failure(source, f"{source}: HTTP 503 from the vendor", DEMO_NOW)
    later = DEMO_NOW + timedelta(hours=3)
    app = TandemApp(demo_config, store, clock=lambda: later, fetch_automatically=False, kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        age = app._freshness().full
        assert "3 h ago" in age and "2 sources failing" in age
        assert app._freshness().tiny == "3 h ago · 2 failing"  # a page's header, at 80
        last_line = screen_text(app).rstrip().splitlines()[-1]
        assert last_line.strip().startswith(age), last_line
