"""Colours by meaning: readable (WCAG AA) on every theme Tandem offers, and never named in code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

from tui.app.app import THEMES, kiosk_theme
from tui.app.colours import AA, BACKGROUNDS, contrast, readable, readable_variables

# A brand whose own colours are pale on its pale background: Tandem must still read.
PALE_BRAND = Theme(
    name="brand",
    primary="#9EC9FF",
    accent="#FFE08A",
    success="#B8F5C8",
    warning="#FFE08A",
    error="#FFB3B3",
    background="#FAFAFA",
    surface="#FFFFFF",
    panel="#F0F0F0",
    foreground="#A0A0A0",
    dark=False,
)
ALL_THEMES = {**{name: BUILTIN_THEMES[name] for name in THEMES}, "kiosk": kiosk_theme()}
ALL_THEMES["pale brand"] = PALE_BRAND


def test_contrast_matches_the_wcag_examples():
    assert contrast(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21)
    # WCAG's own example: #777777 on white is 4.48:1, just under AA.
    assert contrast(Color.parse("#777777"), Color(255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast(Color.parse("#767676"), Color(255, 255, 255)) >= AA


def test_a_readable_colour_is_kept_and_a_pale_one_is_darkened():
    white = [Color(255, 255, 255)]
    assert readable(Color(0, 0, 0), white) == Color(0, 0, 0)
    pale = Color.parse("#4EBF71")  # textual-light's success: 2.4:1 on white
    darker = readable(pale, white)
    assert contrast(darker, white[0]) >= AA and darker.brightness < pale.brightness


@pytest.mark.parametrize("name", sorted(ALL_THEMES))
def test_every_role_reads_on_every_background_of_every_theme(name):
    variables = ALL_THEMES[name].to_color_system().generate()
    readable_colours = readable_variables(variables)
    background = Color.parse(variables["background"])
    for role, value in readable_colours.items():
        for surface in BACKGROUNDS:
            under = Color.parse(variables[surface])
            under = background + under if under.a < 1 else under
            ratio = contrast(Color.parse(value), under)
            assert ratio >= AA, f"{name}: {role} {value} on {surface} is {ratio:.2f}:1"


PYTHON_COLOUR = re.compile(
    r"""(style|color)\s*=\s*f?["'][^"']*\b(red|green|yellow|cyan|blue|magenta|orange|white|black)\b"""
)


def test_no_widget_names_a_colour():
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(Path("tui/app").glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if PYTHON_COLOUR.search(line)
    ]
    assert not found, "colours must come from tui.app.colours:\n" + "\n".join(found)
