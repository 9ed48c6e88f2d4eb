"""Every pair's values are on screen at every size (issue 16, item 1), and compact pairs
leave no rows blank.

At 120×30 only the first pair showed, stretched, with no hint of the others: the
layout counted the header, strip and footer but not the insights panel. This walks
a grid of terminal sizes and checks each panel's figures lie inside the visible
part of the pair list.
"""

from __future__ import annotations

import os

from tests.conftest import DEMO_NOW, DEMO_TODAY
from tui.app import TandemApp
from tui.app.dashboard import PairList
from tui.app.widgets import CompactFigures, Freshness, MetricPanel, RoomyFigures
from tui.collect.refresh import refresh_sources
from tui.config import load_config
from tui.demo import bundled_demo_config, serving_demo
from tui.sources import make_client
from tui.store import Store

# The grid is every 10 columns and every 2 rows (667 sizes, ~2 min here, each
# resize a full relayout); the suite walks every 20 and every 4, both ends included.
# TANDEM_FULL_GRID=1 walks the whole grid.
STEP = (10, 2) if os.environ.get("TANDEM_FULL_GRID") else (20, 4)
SIZES = [(w, h) for w in range(80, 301, STEP[0]) for h in range(24, 81, STEP[1])]
SIZES += [(300, h) for h in range(24, 81, STEP[1]) if (300, h) not in SIZES]


async def test_every_pair_is_on_screen_at_sizes_from_80x24_to_300x80(tmp_path):
    config = load_config(bundled_demo_config())
    store = Store(tmp_path / "s.db")
    with serving_demo(config, DEMO_TODAY) as live:
        async with make_client() as client:
            await refresh_sources(live, live.sources, client, store, lambda: DEMO_NOW)
    app = TandemApp(config, store, clock=lambda: DEMO_NOW, fetch_automatically=False)
    hidden: list[str] = []
    # Compact pairs share the rows there are: none left blank below them (at 120×30
    # nine were, above the insights panel).
    gaps: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pairs = app.screen.query_one(PairList)
        panels = list(app.screen.query(MetricPanel))
        assert len(panels) == 2 * len(config.pairs)
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)  # and waits for the new layout
            compact = app.screen.has_class("-compact")
            for panel in panels:
                figures = panel.query_one(CompactFigures if compact else RoomyFigures)
                region = figures.region
                if not (region.area and pairs.region.contains_region(region)):
                    hidden.append(f"{width}×{height}: {panel.border_title or panel.id}")
                    break
            blank = pairs.region.bottom - panels[-1].region.bottom
            if compact and blank > 0:
                gaps.append(f"{width}×{height}: {blank} rows")
    assert not hidden, f"{len(hidden)} of {len(SIZES)} sizes hide a pair: {hidden[:8]}"
    assert not gaps, f"{len(gaps)} sizes leave rows blank below compact pairs: {gaps[:8]}"


def _still_demo(tmp_path):  # type: ignore[no-untyped-def]
    """The demo's config and a dashboard on an empty store that neither fetches nor
    ticks: its strip and header show what the test gives them."""
    config = load_config(bundled_demo_config())
    app = TandemApp(
        config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW, fetch_automatically=False
    )
    app._tick_clock = lambda: None  # type: ignore[method-assign]
    return config, app


async def test_a_long_error_in_the_source_strip_makes_room_by_going_compact(tmp_path):
    from tui.views.panels import SourceLine

    config, app = _still_demo(tmp_path)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        strip = app.dashboard.sources
        ok = [SourceLine(source.id, "ok", "ok 12:00") for source in config.sources]
        strip.show(ok)
        await pilot.pause()
        assert strip.rows_for(120) == 1 and not app.screen.has_class("-compact")
        error = "stale since 09:00 (3 h) — " + "connection failed after 2 tries; " * 6
        strip.show([SourceLine(ok[0].source_id, "stale", error), *ok[1:]])
        await pilot.pause()
        # Three rows of strip: the three roomy pairs no longer fit in 34.
        assert strip.rows_for(120) == 3 and app.screen.has_class("-compact")
        strip.show(ok)
        await pilot.pause()
        assert not app.screen.has_class("-compact")


async def test_r_by_lag_shows_every_lag_on_its_sign_and_marks_too_few():
    """At 80×24 the plotext chart dropped lag 4 and drew r +0.06 as a negative bar."""
    from textual.app import App, ComposeResult

    from tui.analysis.insights import PairLinkage
    from tui.app.detail import LagBars
    from tui.metrics.linkage import LagCorrelation, Linkage
    from tui.views.detail import PairDetail

    by_lag = (
        LagCorrelation(0, -0.23, 20),
        LagCorrelation(1, 0.06, 19),
        LagCorrelation(2, 0.90, 18),
        LagCorrelation(3, -0.49, 17),
        LagCorrelation(4, 0.70, 5),  # too few periods overlap to count
    )
    result = Linkage(by_lag, by_lag[2], 0.001, 0.6, 0.97, True, True)
    config = load_config(bundled_demo_config())
    metrics = {m.id: m for m in config.metrics}
    link = PairLinkage(0, "", "eNPS", "NPS", "month", result, (), "")
    detail = PairDetail(0, "", "", metrics["enps"], metrics["nps"], (), link, None, ("",), 8)

    class Bars(App[None]):
        def compose(self) -> ComposeResult:
            yield LagBars()

    app = Bars()
    async with app.run_test(size=(40, 10)) as pilot:
        bars = app.query_one(LagBars)
        bars.show(detail)
        await pilot.pause()
        lines = str(bars.render()).splitlines()
    rows = {line[:3].strip(): line[4:] for line in lines[1:6]}
    assert list(rows) == ["0", "1", "2", "3", "4"]  # every lag has its row
    for lag, r in (("0", -0.23), ("1", 0.06), ("2", 0.90), ("3", -0.49)):
        left, _, right = rows[lag].partition("│")
        assert f"{r:+.2f}" in right
        assert ("█" in right) == (r > 0) and ("█" in left) == (r < 0), lag
    assert rows["2"].endswith("◀") and "too few (5)" in rows["4"] and "█" not in rows["4"]


async def test_compact_pairs_that_do_not_fit_scroll_at_three_lines_a_panel(tmp_path):
    """Sharing the rows is for pairs that all fit: in a scrolling list a pair given a
    share of the height would take all of it, one pair a screen."""
    from tests.configs import pairs_config
    from tui.config import parse_config
    from tui.store import Store

    config = parse_config(pairs_config(12, 'kind = "value"\n', 12))
    app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW, viewer=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-compact") and not app.screen.has_class("-fill")
        assert [row.size.height for row in app.dashboard.rows] == [4] * 12
        await pilot.resize_terminal(80, 24)
        assert [row.size.height for row in app.dashboard.rows] == [7] * 12
        await pilot.resize_terminal(200, 60)  # all twelve fit, in 51 rows: shared
        assert app.screen.has_class("-fill")
        assert sum(row.size.height for row in app.dashboard.rows) == 51


async def test_a_long_status_cuts_the_title_with_an_ellipsis_at_80_columns(tmp_path):
    """A screen on a shared store says "collector on … last wrote 3 min ago": at 80
    columns the title gave way by wrapping, and showed "Tandem ·" and nothing else."""
    config, app = _still_demo(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = app.dashboard.header
        status = "collector on ops-1 last wrote 3 min ago"
        header.show_updated(Freshness(status, status))
        await pilot.pause()
        widget = header.query_one(".title")
        room = widget.content_size.width
        full = f"{config.dashboard.title} · {config.dashboard.organisation}"
        assert 1 < room < len(full)
        shown = widget.render_line(0).text.strip()  # "Tandem …", where it was "Tandem ·"
        assert shown.endswith("…") and full.startswith(shown[:-1].rstrip()), shown


async def test_a_status_too_long_for_80_columns_gives_way_before_the_clock(tmp_path):
    """A stopped collector's status, with its error, pushed the title and the clock off
    the header's line: it now ends in an ellipsis, and the clock stays; on a page too,
    whose name takes more of the line."""
    _, app = _still_demo(tmp_path)
    status = (
        "collector on ops-1 stopped: last wrote 12 min ago (pulse: HTTP 503 from the "
        "survey API after 3 tries)"
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in (None, "n"):  # the dashboard, then the internal service page
            if key is not None:
                await pilot.press(key)
                await pilot.pause()
            app.screen.header.show_updated(Freshness(status, status))  # type: ignore[attr-defined]
            await pilot.pause()
            strips = app.screen._compositor.render_strips()
            line = "".join(segment.text for segment in strips[0])
            assert line.rstrip().endswith(DEMO_NOW.strftime("%H:%M")), line
            assert "collector on ops-1" in line and "…" in line, line
            assert line.lstrip().startswith("Tand"), line  # the title keeps a few letters


async def test_a_status_says_itself_short_where_its_age_would_be_cut(tmp_path):
    """A stopped collector on a long host name, with its error: at 80 columns the
    ellipsis took the age; the header says it short there, and in full where it fits
    (the error cut first). A page's name takes more of the line: at 80 columns, beside
    the demo's badge, even the short form lost its age there, and the tiny one is said."""
    _, app = _still_demo(tmp_path)
    status = Freshness(
        "collector on ops-collector-east-1 stopped: last wrote 12 min ago",
        "collector stopped, wrote 12 min ago",
        " (pulse: HTTP 503 from the survey API after 3 tries)",
        "stopped, 12 min ago",
    )

    def header_line() -> str:
        return "".join(s.text for s in app.screen._compositor.render_strips()[0]).strip()

    async with app.run_test(size=(80, 24)) as pilot:
        for key, at_80 in ((None, status.short), ("n", status.tiny)):  # the dashboard, a page
            if key is not None:
                await pilot.press(key)
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            app.screen.header.show_updated(status)  # type: ignore[attr-defined]
            await pilot.pause()
            line = header_line()
            assert at_80 in line and line.endswith(DEMO_NOW.strftime("%H:%M")), line
            assert "…" not in line.split("Monthly", 1)[1], line
            await pilot.resize_terminal(140, 30)
            await pilot.pause()
            line = header_line()
            assert status.text in line and "(pulse: HTTP" in line, line
            # Column by column across the edges between them: never a form cut.
            for width in range(80, 141):
                await pilot.resize_terminal(width, 30)
                await pilot.pause()
                line = header_line()
                forms = (status.text, status.short, status.tiny)
                assert any(form in line for form in forms), (width, line)
                assert line.endswith(DEMO_NOW.strftime("%H:%M")), (width, line)


def test_a_status_takes_the_longest_form_its_room_holds():
    """By hand: the full text where it fits, its detail cut where the text alone leaves
    a cell for the ellipsis, then the text, the short and the tiny form whole, and the
    tiny one cut when nothing fits."""
    status = Freshness("collector stopped: wrote 5 min ago", "stopped, wrote 5 min ago", " (x)")
    status = status._replace(short="collector stopped, 5 min ago", tiny="stopped, 5 min ago")
    assert len(status.text) == 34 and len(status.short) == 28 and len(status.tiny) == 18
    assert status.fitting(38) == status.full  # 38 cells: all of it
    assert status.fitting(35) == status.full  # the text and the ellipsis: the detail cut
    assert status.fitting(34) == status.text  # the text alone, whole
    assert status.fitting(33) == status.short
    assert status.fitting(28) == status.short
    assert status.fitting(27) == status.tiny
    assert status.fitting(18) == status.tiny
    assert status.fitting(10) == status.tiny  # cut: the least there is to cut
    assert Freshness("a long status", "short").fitting(3) == "short"  # no tiny form


async def test_no_screen_cuts_a_key_short_in_its_footer(demo_store_file, tmp_path):
    import shutil

    from textual.widgets._footer import FooterKey

    from tui.app.widgets.footer import Footer

    path = tmp_path / "s.db"
    shutil.copy(demo_store_file, path)
    config = load_config(bundled_demo_config())
    # The dashboard, a drill-down, the segments, insights, balance, internal service.
    screens = ["", "enter", "g", "i", "b", "n"]
    for width, height in ((80, 24), (100, 30), (200, 50)):
        app = TandemApp(config, Store(path), clock=lambda: DEMO_NOW, viewer=True)
        async with app.run_test(size=(width, height)) as pilot:
            for key in screens:
                if key:
                    await pilot.press(key)
                await pilot.pause(0.1)
                footer = app.screen.query_one(Footer)
                keys = list(footer.query(FooterKey))
                shown = [k for k in keys if k.display]
                palette = [k for k in shown if k.has_class("-command-palette")]
                edge = palette[0].region.x if palette else footer.region.right
                where = f"{key or 'dashboard'} at {width}×{height}"
                assert shown, where
                for shown_key in shown:
                    if shown_key not in palette:
                        assert shown_key.region.right <= edge, (shown_key.description, where)
                actions = {k.action for k in keys}
                if "help" in actions:  # the key that lists the others stays
                    assert any(k.action == "help" for k in shown), where
                if width >= 200:
                    assert all(k.display for k in keys), where
                if key:
                    await pilot.press("escape")
                    await pilot.pause(0.1)
