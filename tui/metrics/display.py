"""How a metric's value is shown: in its own unit, against its own thresholds, and which
of its periods is the current one.

The analysis' sentences and the panels both write numbers this way, so a warning
saying "fell to 12" and the panel beside it showing "12" can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from tui.config import Metric
from tui.metrics.compute import RUNNING

Status = Literal["good", "warn", "bad", "none"]

# The periods a panel shows; its current value is the latest of them (current_index).
HISTORY_PERIODS = 12


class Shown(Protocol):
    """A period's value as stored or as shown: None with no data or when hidden."""

    @property
    def value(self) -> float | None: ...

    @property
    def suppressed(self) -> int: ...


def current_index(history: Sequence[Shown]) -> int | None:
    """Which period of `history` (oldest first) is the current one: the latest with a
    value, or whose group was too small to show. An employee period still running is
    hidden until it closes, so the last closed one is current until then."""
    for i in range(len(history) - 1, -1, -1):
        point = history[i]
        if point.value is not None or (point.suppressed and point.suppressed != RUNNING):
            return i
    return None


def threshold_status(value: float | None, metric: Metric) -> Status:
    """good, warn or bad by the metric's thresholds and direction.

    The thresholds are edges: reaching the warn level is still good, and
    reaching the bad level is still warn.
    """
    if value is None or metric.thresholds is None:
        return "none"
    warn, bad = metric.thresholds.warn, metric.thresholds.bad
    if metric.direction == "higher_is_better":
        return "bad" if value < bad else "warn" if value < warn else "good"
    return "bad" if value > bad else "warn" if value > warn else "good"


def format_value(value: float | None, metric: Metric) -> str:
    if value is None:
        return "—"
    text = f"{value:.{metric.decimals}f}"
    # -0.4 rounds to "-0": a sign on nothing reads as a fall.
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return f"{text}{metric.unit}"


def change_amount(change: float, metric: Metric, *, short: bool = False) -> str:
    """A change in the metric's unit: a percentage moves in points ("1 pt", "9 pts" on a
    panel; "1 point", "9 points" in a sentence), as does a score with no unit."""
    text = f"{change:.{metric.decimals}f}"
    if metric.unit not in ("%", ""):
        return f"{text}{metric.unit}"
    if metric.unit == "" and short:
        return text  # eNPS ▲ 7: a bare score needs no unit on a panel
    one = float(text) == 1.0
    if short:
        return f"{text} {'pt' if one else 'pts'}"
    return f"{text} {'point' if one else 'points'}"


def group_noun(metric: Metric) -> str:
    """What n counts for a metric: responses, people or customers."""
    if metric.kind in ("headcount", "turnover", "hires", "separations"):
        return "people"
    if metric.kind == "churn":
        return "customers"
    return "responses"
