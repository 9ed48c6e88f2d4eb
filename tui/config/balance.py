"""[balance]: which metrics make employee health and customer health on the balance screen."""

from __future__ import annotations

from pydantic import Field

from tui.config.base import Identifier, StrictModel


class BalanceSettings(StrictModel):
    """Each side's health: one metric, or the mean of several, each scaled against its own
    target and thresholds. Left out, the first pair's two metrics."""

    employee: list[Identifier] = Field(default_factory=list, max_length=10)
    customer: list[Identifier] = Field(default_factory=list, max_length=10)
    # Closed periods in each team's trail, the latest included.
    trail: int = Field(4, ge=2, le=12)
