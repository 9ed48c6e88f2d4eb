"""[dashboard] and [linkage]: how the dashboard looks and how linkage is decided."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from tui.config.base import StrictModel, config_relative
from tui.periods import Granularity

_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class BrandColours(StrictModel):
    """The organisation's colours, as a theme named "brand" (`theme = "brand"` uses it)."""

    primary: str
    secondary: str | None = None
    accent: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    foreground: str | None = None
    success: str | None = None
    warning: str | None = None
    error: str | None = None
    dark: bool = True

    @field_validator(
        "primary",
        "secondary",
        "accent",
        "background",
        "surface",
        "panel",
        "foreground",
        "success",
        "warning",
        "error",
    )
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not _HEX_COLOUR.match(value):
            raise ValueError("expected a colour as #RRGGBB, such as #0B5FFF")
        return value


class Dashboard(StrictModel):
    title: str = "Tandem"
    organisation: str = ""
    period: Granularity = "month"
    refresh_seconds: float = Field(300, ge=5, le=86_400)
    theme: str = "textual-dark"
    history_periods: int = Field(24, ge=2, le=520)
    # Employee-side values of a group with fewer responses (or people) than
    # this are never shown, exported or stored.
    anonymity_threshold: int = Field(5, ge=3, le=1000)
    # A PEM file of extra CA certificates for sources behind a private CA.
    # TLS verification itself cannot be turned off.
    ca_bundle: str | None = None
    # Where `s` saves SVG screenshots (default: the user's pictures folder, in Tandem/).
    screenshot_folder: str | None = None
    # A demo config's sources point at the bundled demo API, started by Tandem.
    demo: bool = False
    # [dashboard.brand]: the organisation's colours as the theme "brand".
    brand: BrandColours | None = None
    # Kiosk: no input needed; pages rotate (overview, each segment, insights).
    kiosk: bool = False
    kiosk_seconds: float = Field(20, ge=3, le=3600)

    _folder = field_validator("screenshot_folder")(config_relative)

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle_exists(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        value = config_relative(value, info)
        if not Path(value).expanduser().is_file():
            raise ValueError(f"expected a PEM file of CA certificates; {value} is not a file")
        import ssl  # only a config with a private CA pays for it

        try:
            ssl.create_default_context(cafile=str(Path(value).expanduser()))
        except (ssl.SSLError, OSError, ValueError):
            # Checked here, not at the first fetch: that failure would reach every source.
            raise ValueError(
                f"expected a PEM file of CA certificates; {value} holds none"
            ) from None
        return value


# ── [linkage] ──────────────────────────────────────────────────────────────


class LinkageSettings(StrictModel):
    """How Tandem decides whether an employee metric leads its customer metric."""

    # Lags tried, in periods (6 months by default).
    max_lag: int = Field(6, ge=0, le=24)
    # Fewer overlapping periods than this: "not enough history yet", no number.
    min_overlap: int = Field(8, ge=4, le=200)
    # difference (default) or detrend, so series that merely trend together are
    # not called linked; none compares the raw values.
    transform: Literal["difference", "detrend", "none"] = "difference"
    # Significance after correcting for the number of lags tried; also the false
    # discovery rate held across every verdict shown at once.
    alpha: float = Field(0.05, gt=0, lt=0.5)
    # The smallest correlation of changes worth acting on: "no link found" only when
    # the data rule out one this large at every lag tried, else "can't tell yet".
    meaningful_r: float = Field(0.5, gt=0, lt=1)
