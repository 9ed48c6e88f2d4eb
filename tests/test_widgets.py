"""The panel's parts on their own: the sparkline's figure, and the figures' width."""

from __future__ import annotations

import asyncio
import dataclasses
from contextlib import asynccontextmanager

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual_plotext.plot import Plot

from tests.conftest import DEMO_NOW, DEMO_TODAY
from tests.test_app import panels_by_metric, wait_for_refresh
from tui.app.colours import readable_variables, rich_theme
from tui.app.widgets import RoomyFigures, SourceStrip, Sparkline
from tui.demo import serving_demo
from tui.store import Store
from tui.views.panels import SourceLine


class SparklineApp(App[None]):
    CSS = """
    Sparkline { width: 24; height: 3; }
    Sparkline.-employee { color: ansi_bright_cyan; }
    Sparkline.-customer { color: ansi_bright_yellow; }
    """

    def compose(self) -> ComposeResult:
        yield Sparkline("employee", id="employee")
        yield Sparkline("customer", id="customer")


def painted(sparkline: Sparkline) -> list[str]:
    return [sparkline.render_line(y).text for y in range(sparkline.size.height)]


def dotted_rows(lines: list[str], column: int) -> set[int]:
    return {y for y, line in enumerate(lines) if line[column] != " "}


async def test_a_rising_series_is_drawn_from_the_bottom_left_to_the_top_right():
    app = SparklineApp()
    async with app.run_test(size=(40, 8)) as pilot:
        sparkline = app.query_one("#employee", Sparkline)
        sparkline.show(tuple(float(v) for v in range(12)))
        await pilot.pause()
        lines = painted(sparkline)
        assert [len(line) for line in lines] == [24, 24, 24]
        assert dotted_rows(lines, 0) == {2}  # the first value, the lowest, at the bottom
        assert dotted_rows(lines, 23) == {0}  # the last, the highest, at the top
        # Every column has a dot: the line is drawn across the whole width.
        assert all(dotted_rows(lines, x) for x in range(24))


async def test_each_side_draws_in_its_own_colour_on_the_panels_background():
    app = SparklineApp()
    async with app.run_test(size=(40, 8)) as pilot:
        for side in ("employee", "customer"):
            app.query_one(f"#{side}", Sparkline).show((1.0, 3.0, 2.0, 5.0))
        await pilot.pause()
        colours = {}
        for side in ("employee", "customer"):
            strip = app.query_one(f"#{side}", Sparkline).render_line(0)
            dots = {seg.style.color for seg in strip if seg.text.strip() and seg.style}
            blanks = {seg.style.color for seg in strip if not seg.text.strip() and seg.style}
            assert len(dots) == 1 and blanks <= {None}
            colours[side] = dots.pop().number  # type: ignore[union-attr]
        assert colours == {"employee": 14, "customer": 11}  # plotext's cyan+ and orange+


async def test_a_missing_period_is_a_gap_not_a_zero():
    app = SparklineApp()
    async with app.run_test(size=(40, 8)) as pilot:
        sparkline = app.query_one("#employee", Sparkline)
        # Were the gap drawn as 0, the line would fall to the bottom row.
        sparkline.show((50.0, 60.0, None, 60.0, 50.0, 55.0))
        await pilot.pause()
        lines = painted(sparkline)
        # 50, the lowest value drawn, sits on the bottom row; across the gap (the
        # third of six periods, column 9 of 24) the line runs from 60 to 60, on top.
        assert dotted_rows(lines, 0) == {2}
        assert dotted_rows(lines, 9) == {0}


async def test_fewer_than_two_values_draw_nothing():
    app = SparklineApp()
    async with app.run_test(size=(40, 8)) as pilot:
        sparkline = app.query_one("#employee", Sparkline)
        sparkline.show((None, 42.0, None))
        await pilot.pause()
        assert [line.strip() for line in painted(sparkline)] == ["", "", ""]


async def test_the_figure_is_built_once_for_its_values_and_size(monkeypatch):
    builds = []
    build = Plot.build

    def counted(self: Plot) -> str:
        builds.append(1)
        return build(self)

    monkeypatch.setattr(Plot, "build", counted)
    app = SparklineApp()
    async with app.run_test(size=(40, 8)) as pilot:
        sparkline = app.query_one("#employee", Sparkline)
        app.query_one("#customer", Sparkline).display = False
        values = (1.0, 4.0, 2.0, 8.0)
        sparkline.show(values)
        await pilot.pause()
        assert len(builds) == 1
        sparkline.refresh()  # a repaint with nothing new
        sparkline.show(values)  # the same values again
        await pilot.pause()
        assert len(builds) == 1
        sparkline.styles.width = 30  # a new size: a new figure
        await pilot.pause()
        assert len(builds) == 2 and len(painted(sparkline)[0]) == 30
        sparkline.show((8.0, 4.0, 2.0, 1.0))
        await pilot.pause()
        assert len(builds) == 3 and dotted_rows(painted(sparkline), 0) == {0}


class ManySparklinesApp(App[None]):
    CSS = "Sparkline { width: 24; height: 1; }"

    def compose(self) -> ComposeResult:
        for i in range(8):
            yield Sparkline("employee", id=f"s{i}")


async def test_a_refresh_of_many_figures_builds_them_a_few_per_turn(monkeypatch):
    """A key pressed during a refresh of 24 panels waits for a few figures, not all."""
    from tui.app.widgets import sparkline as module

    app = ManySparklinesApp()
    async with app.run_test(size=(40, 10)) as pilot:
        sparklines = list(app.query(Sparkline))
        await pilot.pause()
        builds: list[Sparkline] = []
        build = Sparkline._rebuild

        def counted(self: Sparkline, width: int, height: int) -> None:
            builds.append(self)
            build(self, width, height)

        monkeypatch.setattr(Sparkline, "_rebuild", counted)
        # No time at all to build in: each turn of the loop builds one figure.
        monkeypatch.setattr(module, "BUILD_BUDGET_SECONDS", 0.0)
        for i, sparkline in enumerate(sparklines):
            sparkline.show((float(i), 5.0, 2.0, 9.0))
        assert builds == []  # nothing built in the update itself
        for turn in range(1, len(sparklines) + 1):
            await asyncio.sleep(0)  # one turn: anything else ready runs between builds
            assert len(builds) == turn
        assert builds == sparklines  # in the order they were shown, each once
        await pilot.pause()
        # Each is painted with its own new figure, the same as one built on its own.
        for i, sparkline in enumerate(sparklines):
            alone = Sparkline("employee")
            alone.show((float(i), 5.0, 2.0, 9.0))
            assert painted(sparkline) == [line for line in alone._build(24, 1)]
        assert len(builds) == len(sparklines)


async def test_a_screenshot_draws_every_figure_even_before_its_turn(monkeypatch):
    from tui.app.widgets import every_figure_now
    from tui.app.widgets import sparkline as module

    app = ManySparklinesApp()
    async with app.run_test(size=(40, 10)) as pilot:
        sparklines = list(app.query(Sparkline))
        await pilot.pause()
        monkeypatch.setattr(module, "BUILD_BUDGET_SECONDS", 0.0)
        for sparkline in sparklines:
            sparkline.show((1.0, 9.0, 1.0, 9.0))
        # A live paint before their turn shows the figures they had: none yet.
        assert all(painted(sparkline) == [" " * 24] for sparkline in sparklines)
        with every_figure_now():
            assert all(painted(sparkline)[0].strip() for sparkline in sparklines)


@asynccontextmanager
async def demo_enps_panel(demo_config, tmp_path):
    """The demo at 160×45 after its first refresh: its eNPS panel and the view it shows."""
    from tui.app import TandemApp

    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        async with app.run_test(size=(160, 45)) as pilot:
            await wait_for_refresh(app, pilot)
            await pilot.pause()
            panel = panels_by_metric(app)["enps"]
            assert panel._shown is not None
            yield pilot, panel, panel._shown


async def test_the_figures_widen_for_a_long_line_and_narrow_back(demo_config, tmp_path):
    async with demo_enps_panel(demo_config, tmp_path) as (pilot, panel, view):
        figures = panel.query_one(RoomyFigures)
        sparkline = panel.query_one(Sparkline)
        widest = max(cell_len(line) for line in figures.lines)
        before = figures.size.width
        assert before == max(widest, 22)  # its widest line, or the CSS minimum
        assert sparkline.region.x > figures.region.right  # side by side

        longer = dataclasses.replace(view, target_text="target 30 by the end of next year")
        panel.show(longer)
        await pilot.pause()
        meta = figures.lines[1]
        assert meta.startswith("target 30 by the end of next year") and cell_len(meta) > 22
        assert figures.size.width == cell_len(meta)
        assert sparkline.region.x > figures.region.right  # narrower, never overlapped

        panel.show(view)
        await pilot.pause()
        assert figures.size.width == before


async def test_a_new_value_of_the_same_width_needs_no_layout(demo_config, tmp_path):
    async with demo_enps_panel(demo_config, tmp_path) as (pilot, panel, view):
        figures = panel.query_one(RoomyFigures)
        layouts = []
        refresh = type(figures).refresh

        def spy(self, *regions, layout=False, **kwargs):  # type: ignore[no-untyped-def]
            layouts.append(layout)
            return refresh(self, *regions, layout=layout, **kwargs)

        figures.refresh = spy.__get__(figures)  # type: ignore[method-assign]
        same_width = dataclasses.replace(view, value_text="42", change_text="▲ 9")
        panel.show(same_width)
        await pilot.pause()
        assert figures.value == "42" and layouts == [False]
        wider = dataclasses.replace(view, target_text="target 30 by the end of next year")
        panel.show(wider)
        await pilot.pause()
        # The new width asks for one (Textual may follow it with its own, once resized).
        assert layouts[:2] == [False, True]


def digits_colour(figures: RoomyFigures) -> str:
    first = next(seg for seg in figures.render_line(0) if seg.text.strip())
    assert first.style is not None and first.style.color is not None
    return first.style.color.get_truecolor().hex


async def test_a_new_theme_recolours_the_digits_even_on_the_same_background(demo_config, tmp_path):
    async with demo_enps_panel(demo_config, tmp_path) as (pilot, panel, view):
        app = panel.app
        figures = panel.query_one(RoomyFigures)
        panel.show(dataclasses.replace(view, status="good"))
        await pilot.pause()
        assert digits_colour(figures) == app.current_theme.success.lower()
        # Only the success colour differs: the painted lines must not be reused.
        app.register_theme(
            dataclasses.replace(app.current_theme, name="greener", success="#00ff00")
        )
        app.theme = "greener"
        await pilot.pause()
        assert digits_colour(figures) == "#00ff00"


class StripApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SourceStrip()

    def on_mount(self) -> None:
        # The tandem.* styles the strip names, as TandemApp gives its console.
        self.console.push_theme(rich_theme(readable_variables(self.get_css_variables())))


# The demo's sources, in its order.
DEMO_SOURCES = ["pulse", "customer-survey", "internal-survey", "hr", "crm"]


async def test_a_strip_too_long_for_one_row_says_all_ok_in_one_and_any_failure_in_full():
    ok = [SourceLine(name, "ok", "ok 04:56") for name in DEMO_SOURCES]
    app = StripApp()
    async with app.run_test(size=(80, 10)) as pilot:
        strip = app.query_one(SourceStrip)
        strip.show(ok)
        await pilot.pause()
        # 100 characters of "● pulse ok 04:56   ● customer-survey ok…" would take two rows.
        assert str(strip.render()).startswith("● all 5 sources ok: pulse, customer-survey")
        assert strip.rows_for(80) == 1
        # Wide enough, every source has its own entry and time.
        await pilot.resize_terminal(160, 10)
        await pilot.pause()
        assert "● crm ok 04:56" in str(strip.render()) and strip.rows_for(160) == 1
        await pilot.resize_terminal(80, 10)
        failing = [*ok[:-1], SourceLine("crm", "stale", "stale since 04:50 (6 min) — HTTP 503")]
        strip.show(failing)
        await pilot.pause()
        text = str(strip.render())
        assert "all 5" not in text and "crm stale since 04:50 (6 min) — HTTP 503" in text
        # Skipped records are news as well: shown in full.
        strip.show([*ok[:-1], SourceLine("crm", "ok", "ok 04:56 · 3 skipped")])
        await pilot.pause()
        assert "3 skipped" in str(strip.render())


async def test_a_refresh_with_nothing_wrong_keeps_the_strip_to_one_row():
    """A refresh turns every source to "refreshing…", a few characters longer than "ok
    04:56": in full, the entries that fit one row took two while it ran, and every
    panel below moved up and down a row (and redrew its sparkline) twice a refresh."""
    names, ok = DEMO_SOURCES, [SourceLine(name, "ok", "ok 04:56") for name in DEMO_SOURCES]
    app = StripApp()
    async with app.run_test(size=(120, 10)) as pilot:
        strip = app.query_one(SourceStrip)
        strip.show(ok)
        await pilot.pause()
        assert "● crm ok 04:56" in str(strip.render()) and strip.rows_for(120) == 1
        # All five: 122 characters in full.
        strip.show([SourceLine(name, "refreshing", "refreshing…") for name in names])
        await pilot.pause()
        text = str(strip.render())
        assert text.startswith(f"● all 5 sources ok · refreshing {', '.join(names)}"), text
        assert strip.rows_for(120) == 1 and strip.size.height == 1
        # Three, as the first answers land: 116 characters, one row in full.
        strip.show([SourceLine(name, "refreshing", "refreshing…") for name in names[:3]] + ok[3:])
        await pilot.pause()
        assert "● internal-survey refreshing…   ● hr ok 04:56" in str(strip.render())
        assert strip.rows_for(120) == 1 and strip.size.height == 1
        # A source's first fetch has nothing ok to show yet: in full, as an error is.
        first = [*ok[:-1], SourceLine("crm", "refreshing", "waiting for data")]
        strip.show(first)
        await pilot.pause()
        assert "crm waiting for data" in str(strip.render())


class TwoKindsOfFocusApp(App[None]):
    """Two focusable widgets with keys of their own, and the footer below."""

    def compose(self) -> ComposeResult:
        from textual.binding import Binding
        from textual.widgets import Button

        from tui.app.widgets.footer import Footer

        class Saving(Button):
            BINDINGS = [Binding("s", "save", "Save")]

        class Opening(Button):
            BINDINGS = [Binding("o", "open", "Open")]

        yield Saving("save", id="saving")
        yield Opening("open", id="opening")
        yield Footer()


def footer_keys(app: App[None]) -> list[tuple[str, object]]:
    from textual.widgets._footer import FooterKey

    return [(key.description, key) for key in app.screen.query(FooterKey)]


async def test_the_footer_is_built_again_only_when_its_keys_change():
    app = TwoKindsOfFocusApp()
    async with app.run_test(size=(60, 8)) as pilot:
        app.query_one("#saving").focus()
        await pilot.pause()
        saving = footer_keys(app)
        assert [description for description, _ in saving] == ["Save", "palette"]
        # Other keys: built again, showing them.
        app.query_one("#opening").focus()
        await pilot.pause()
        assert [description for description, _ in footer_keys(app)] == ["Open", "palette"]
        app.query_one("#saving").focus()
        await pilot.pause()
        again = footer_keys(app)
        assert [description for description, _ in again] == ["Save", "palette"]
        # The same keys as shown: the very same widgets, nothing built.
        app.screen.bindings_updated_signal.publish(app.screen)
        await pilot.pause()
        assert [key for _, key in footer_keys(app)] == [key for _, key in again]


async def test_the_dashboards_footer_survives_the_help_opening_and_closing(demo_config, tmp_path):
    from tui.app import TandemApp

    with serving_demo(demo_config, DEMO_TODAY) as config:
        app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for_refresh(app, pilot)
            before = footer_keys(app)
            assert "Help" in [description for description, _ in before]
            await pilot.press("question_mark")
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()
            assert [key for _, key in footer_keys(app)] == [key for _, key in before]


# ── plotext's braille grouping, done faster (tui.app.widgets.braille) ──


def test_the_braille_grouping_returns_what_plotexts_own_does():
    import math
    import random

    from tui.app.widgets.braille import hd_group, plotext_hd_group

    rng = random.Random(5)
    for _ in range(3000):
        n = rng.randrange(1, 200)

        def coordinate(top: int) -> float:
            # Whole and fractional dots, on and off the canvas, and repeats.
            return rng.choice([rng.randrange(-3, top), rng.uniform(-3.0, top), 0, top - 1])

        x = [coordinate(120) for _ in range(n)]
        y = [coordinate(12) for _ in range(n)]
        shape = rng.choice([(2, 4), (1, 1), (2, 2), (1, 3)])
        xf, yf = [shape[0]] * n, [shape[1]] * n
        assert hd_group(x, y, xf, yf) == tuple(plotext_hd_group(x, y, xf, yf))

    # What a line of numbers never gives goes to plotext's own, with its answer (or
    # its error: plotext 5.3.2's own takes no date strings here).
    def outcome(group, *args):
        try:
            return tuple(group(*args))
        except Exception as error:  # the same error from both is the point
            return type(error)

    for case in [
        ([1, None, 3], [1, 2, 3], [2] * 3, [4] * 3),
        ([1, 2, 3], [1, math.nan, 3], [2] * 3, [4] * 3),
        (["2026-01", "2026-02"], [1, 2], [2] * 2, [4] * 2),
        ([1, 2, 3], [1, 2, 3], [2, 1, 2], [4, 4, 1]),
        ([True, 2], [1, 2], [2] * 2, [4] * 2),
        ([], [], [], []),
    ]:
        assert outcome(hd_group, *case) == outcome(plotext_hd_group, *case)


def test_sparklines_drawn_with_the_faster_grouping_are_the_ones_plotext_draws(monkeypatch):
    import random

    import plotext._utility

    from tui.app.widgets import braille

    assert plotext._utility.hd_group is braille.hd_group, "installed for plotext 5.3.2"
    rng = random.Random(11)
    cases = []
    for _ in range(300):
        length = rng.randrange(2, 40)
        values = tuple(
            None if rng.random() < 0.1 else rng.choice([rng.uniform(-50, 100), 30.0])
            for _ in range(length)
        )
        cases.append((values, rng.randrange(1, 90), rng.randrange(1, 8)))

    def drawn() -> list[list[str]]:
        sparkline = Sparkline("employee")
        figures = []
        for values, width, height in cases:
            sparkline._values = values
            figures.append(sparkline._build(width, height))
        return figures

    faster = drawn()
    monkeypatch.setattr(plotext._utility, "hd_group", braille.plotext_hd_group)
    assert faster == drawn()
    assert sum(1 for figure in faster if any(line.strip() for line in figure)) > 250


def test_another_plotext_release_keeps_its_own_grouping(monkeypatch):
    import plotext
    import plotext._utility

    from tui.app.widgets import braille

    monkeypatch.setattr(plotext._utility, "hd_group", braille.plotext_hd_group)
    monkeypatch.setattr(plotext, "__version__", "5.4.0")
    assert not braille.install()
    assert plotext._utility.hd_group is braille.plotext_hd_group
