"""Colours by meaning, made readable on the running theme.

No widget names a colour. Text says what it is — good, warn, bad, accent, muted —
and this module turns the theme's colours into ones that read on its backgrounds:
each is kept if it already has WCAG AA contrast (4.5:1) against the theme's
background, surface and panel, else moved toward white (on a dark theme) or black
(on a light one) until it has. Textual's own `$text-success` and friends fall short
on several built-in themes (textual-light's is 3.2:1 on its surface), so a brand
theme or a light one would otherwise show pale figures on grey.

The colours reach Textual CSS as `$tandem-good` and the like, and Rich text as the
styles `tandem.good` and the like (the app console's theme), so both follow a theme
change.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.theme import Theme as RichTheme
from textual.color import Color

AA = 4.5
# A little over AA, so that rounding a colour to 8 bits never lands under it.
_AIM = 4.6

# Role -> the theme variable it starts from.
ROLES = {
    "good": "success",
    "warn": "warning",
    "bad": "error",
    "accent": "accent",
    "focus": "primary",
    "text": "foreground",
}
BACKGROUNDS = ("background", "surface", "panel")
# The two sides' lines (sparklines and the detail chart): a cyan and an orange, each
# made readable on the theme like the rest. The only hues named in Tandem.
SERIES = {"employee": "#00AFD7", "customer": "#FF8700"}


def _channel(value: int) -> float:
    v = value / 255
    return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4


def luminance(colour: Color) -> float:
    """WCAG relative luminance."""
    return 0.2126 * _channel(colour.r) + 0.7152 * _channel(colour.g) + 0.0722 * _channel(colour.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(colour: Color, backgrounds: list[Color], aim: float = _AIM) -> Color:
    """`colour`, or the nearest shade of it toward white or black that reads at `aim`
    against every one of `backgrounds`."""
    if min(contrast(colour, bg) for bg in backgrounds) >= aim:
        return colour
    dark = sum(luminance(bg) for bg in backgrounds) / len(backgrounds) < 0.18
    target = Color(255, 255, 255) if dark else Color(0, 0, 0)
    for step in range(1, 21):
        shade = colour.blend(target, step / 20)
        if min(contrast(shade, bg) for bg in backgrounds) >= aim:
            return shade
    return target


def rgb(value: str) -> tuple[int, int, int]:
    """A theme colour as plotext takes it."""
    colour = Color.parse(value)
    return (colour.r, colour.g, colour.b)


def _opaque(value: str, under: Color) -> Color:
    colour = Color.parse(value)
    return under + colour if colour.a < 1 else colour


def readable_variables(variables: Mapping[str, str]) -> dict[str, str]:
    """`tandem-good`, `tandem-warn`, `tandem-bad`, `tandem-accent`, `tandem-focus`,
    `tandem-text`, `tandem-muted`, `tandem-employee` and `tandem-customer` for a
    theme's CSS variables."""
    background = Color.parse(variables["background"])
    backgrounds = [_opaque(variables[name], background) for name in BACKGROUNDS]
    found = {
        f"tandem-{role}": readable(_opaque(variables[name], background), backgrounds)
        for role, name in ROLES.items()
    }
    # Muted: the text colour a third of the way to the background, then made readable.
    muted = found["tandem-text"].blend(background, 0.35)
    found["tandem-muted"] = readable(muted, backgrounds)
    for side, hue in SERIES.items():
        found[f"tandem-{side}"] = readable(Color.parse(hue), backgrounds)
    return {name: colour.hex for name, colour in found.items()}


def rich_theme(variables: Mapping[str, str]) -> RichTheme:
    """The Rich styles `tandem.<role>` for text built in Python."""
    styles: dict[str, Style] = {}
    for name, value in variables.items():
        if name.startswith("tandem-"):
            role = name.replace("tandem-", "tandem.")
            # Rich resolves a theme's style only as a whole name, never "bold <name>".
            styles[role] = Style(color=value)
            styles[f"{role}.bold"] = Style(color=value, bold=True)
    return RichTheme(styles)


# The styles widgets use, by name: resolved by the app console's theme when painted.
GOOD, WARN, BAD = "tandem.good", "tandem.warn", "tandem.bad"
# A link found, the segment shown, the lag picked: the theme's primary, never the
# warning orange that textual-dark's accent shares.
LINK = "tandem.focus"
STATUS = {"good": GOOD, "warn": WARN, "bad": BAD}
WARN_BOLD, LINK_BOLD = f"{WARN}.bold", f"{LINK}.bold"
STATUS_BOLD = {status: f"{style}.bold" for status, style in STATUS.items()}
