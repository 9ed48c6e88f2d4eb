"""A benchmark's figure, its target, and whether it holds."""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    # The figure must be at most this (at least, with at_least); None for figures
    # reported without a target.
    target: float | None
    note: str = ""
    at_least: bool = False

    @property
    def holds(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.at_least else self.value <= self.target

    def cells(self) -> tuple[str, str, str, str]:
        value = f"{_number(self.value)} {self.unit}".strip()
        sign = "≥" if self.at_least else "≤"
        target = "" if self.target is None else f"{sign} {_number(self.target)} {self.unit}".strip()
        verdict = {True: "holds", False: "MISSED", None: ""}[self.holds]
        if self.holds is False and self.target:
            verdict += f" by {_number(abs(self.value - self.target))} {self.unit}".rstrip()
        return value, target, verdict, self.note


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value else "0"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], percent: float) -> float:
    """The `percent`th percentile, interpolated between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * percent / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def difference_interval(
    before: Sequence[float],
    after: Sequence[float],
    statistic: Callable[[Sequence[float]], float],
    level: float = 0.95,
    rounds: int = 2000,
    seed: int = 1,
) -> tuple[float, float]:
    """A percentile-bootstrap interval for statistic(after) − statistic(before): each
    sample drawn again with replacement, on its own, `rounds` times. Whether what
    `after` measured differs from `before` beyond the noise of so few values."""
    rng = random.Random(seed)
    differences = sorted(
        statistic(rng.choices(after, k=len(after))) - statistic(rng.choices(before, k=len(before)))
        for _ in range(rounds)
    )
    tail = (1 - level) / 2 * 100
    return percentile(differences, tail), percentile(differences, 100 - tail)


def table(figures: Sequence[Figure]) -> str:
    """A Markdown table, readable in a terminal and pasteable into the README."""
    rows = [("figure", "measured", "target", "verdict", "notes")]
    rows += [(f.name, *f.cells()) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if index == 0:
            lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)
