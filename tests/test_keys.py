"""Keys as documented (issue 16, item 4): every binding has an id, help shows the keys of
the screen it is opened on, arrows move between pairs, and [keys] remaps them."""

from __future__ import annotations

import re

import pytest
from textual.binding import Binding

from tests.conftest import DEMO_NOW
from tests.test_app import screen_text
from tui.app import TandemApp
from tui.app.detail import DetailScreen
from tui.app.help import HelpScreen
from tui.app.insights import InsightsScreen
from tui.app.segments import SegmentScreen
from tui.app.widgets import PairRow
from tui.config import ConfigError, load_config, validate_config
from tui.config.keys import KEY_IDS
from tui.demo import bundled_demo_config
from tui.store import Store

BOUND = (TandemApp, PairRow, DetailScreen, SegmentScreen, InsightsScreen, HelpScreen)


def test_every_binding_has_an_id_and_the_config_knows_every_id():
    ids = set()
    for owner in BOUND:
        for binding in owner.__dict__["BINDINGS"]:
            assert isinstance(binding, Binding) and binding.id, (owner.__name__, binding)
            ids.add(binding.id)
    assert ids == KEY_IDS


def config_with(keys: dict[str, str]):
    config = load_config(bundled_demo_config())
    data = config.model_dump(mode="json", exclude_none=True)
    data["keys"] = keys
    return validate_config(data)


def test_keys_are_remapped_by_id_and_an_unknown_id_or_key_is_refused():
    assert config_with({"refresh": "f5"}).keys == {"refresh": "f5"}
    with pytest.raises(ConfigError) as caught:
        config_with({"refrsh": "f5"})
    assert "refrsh: no such key binding; known: back, balance, close-help" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        config_with({"refresh": "F 5"})
    assert 'expected key names such as "f5"' in str(caught.value)


class Counting(TandemApp):
    refreshes = 0

    def action_refresh(self) -> None:
        self.refreshes += 1


async def test_a_remapped_key_works_and_help_shows_it(tmp_path):
    app = Counting(
        config_with({"refresh": "f5"}),
        Store(tmp_path / "s.db"),
        clock=lambda: DEMO_NOW,
        fetch_automatically=False,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await pilot.press("r")  # no longer bound
        assert app.refreshes == 1
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert re.search(r"f5\s+Fetch every source now", text, re.IGNORECASE), text[-3000:]


async def test_arrows_move_between_pairs_and_help_lists_each_screens_keys(tmp_path):
    config = load_config(bundled_demo_config())
    app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
    app.fetch_automatically = False
    async with app.run_test(size=(120, 40)) as pilot:
        rows = list(app.query(PairRow))
        rows[0].focus()
        await pilot.press("down")
        assert app.focused is rows[1]
        await pilot.press("down", "up", "up")
        assert app.focused is rows[0]
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = screen_text(app)
        assert "Open this pair's detail" in help_text and "ctrl+p" in help_text
        dashboard_help = app.screen
        await pilot.press("escape")
        app.open_detail(0)
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = screen_text(app)
        for words in ("[", "]", "The same pair for the next segment", "Return to the dashboard"):
            assert words in help_text, words
        assert "Open this pair's detail" not in help_text
        # Back on the dashboard, `?` shows the help built for it the first time, kept
        # rather than composed again.
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is dashboard_help
        assert "Open this pair's detail" in screen_text(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is app.dashboard


async def test_the_palette_has_one_help_and_one_screenshot(tmp_path):
    config = load_config(bundled_demo_config())
    app = TandemApp(config, Store(tmp_path / "s.db"), clock=lambda: DEMO_NOW)
    app.fetch_automatically = False
    async with app.run_test(size=(120, 40)):
        titles = [command.title for command in app.get_system_commands(app.screen)]
    assert "Keys" not in titles and "Screenshot" not in titles
    assert titles.count("Help") == 1 and titles.count("Save SVG screenshot") == 1
