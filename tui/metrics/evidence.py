"""Has a metric really moved, or is it sampling noise? Evidence for early warnings.

A score from 30 answers moves by several points from one month to the next with
nothing changed: the people who happened to answer. So a movement is weighed
against the spread of the answers behind it (`variance` per record, stored with
each value), on the metric's closed periods only — the period in progress holds a
part of its answers.

Two charts look at the latest closed period, each against a baseline of the
BASELINE periods before it:

- a **step**: the latest period alone, for a sudden fall;
- an **EWMA** (exponentially weighted moving average, λ = 0.5, over the last
  EWMA_PERIODS periods), for a fall spread over a few periods that no single step
  shows.

Each gives z: the change over its standard error under "nothing changed" — the
records of the baseline and of the recent periods taken as one sample, so that a
change between two groups that each answered alike still has a spread. A metric has
worsened when either z passes THRESHOLD, set so that on pure noise each chart
passes it 1 time in 100 (2 in 100 for the pair, at most, per period).

Pure functions over plain numbers.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

# Measured on simulated answers (tests/bench/statistics.py): a baseline of 12 over 6
# periods cut false alarms from 2.0 to 1.7 in 100 and caught a 3-month slide sooner.
BASELINE = 12  # periods a movement is measured against
MIN_BASELINE = 3  # fewer: no verdict
EWMA_LAMBDA = 0.5
EWMA_PERIODS = 3
# The most periods the charts look at: a baseline before an EWMA window, the latest last.
PERIODS_USED = BASELINE + EWMA_PERIODS + 1
# One-sided 1 % per chart: together at most 2 % of periods on noise alone (Bonferroni).
CHART_ALPHA = 0.01
THRESHOLD = statistics.NormalDist().inv_cdf(1 - CHART_ALPHA)
# The most often the two charts together pass on noise alone, per period watched.
FALSE_ALARM_BOUND = 2 * CHART_ALPHA

Chart = Literal["step", "ewma"]


@dataclass(frozen=True)
class Sample:
    """One period's value, the spread per record behind it and the records' count."""

    value: float
    variance: float
    n: int


@dataclass(frozen=True)
class Movement:
    """How far a metric moved for the worse, and how sure that it is not noise."""

    chart: Chart
    # Recent level minus baseline level, in the metric's unit, positive when worse.
    worse_by: float
    z: float
    baseline: float  # the baseline's level
    recent: float  # the recent level (the latest period, or the EWMA)
    baseline_periods: int = BASELINE  # with a value, of the BASELINE before

    @property
    def chance(self) -> float:
        """How often noise alone would pass either chart this far (both charts counted)."""
        return min(1.0, 2 * (1 - statistics.NormalDist().cdf(self.z)))


def pooled_variance(samples: Sequence[Sample]) -> float:
    """The spread per record of every sample's records taken as one: within each
    sample, plus between their means."""
    total_n = sum(s.n for s in samples)
    mean = math.fsum(s.n * s.value for s in samples) / total_n
    return math.fsum(s.n * (s.variance + (s.value - mean) ** 2) for s in samples) / total_n


def weighted_level(samples: Sequence[tuple[float, Sample]]) -> tuple[float, float]:
    """Σ wᵢ·valueᵢ over (weight, sample) with weights summing to 1, and its effective
    n: the level's standard error is √(variance per record / effective n)."""
    level = math.fsum(w * s.value for w, s in samples)
    return level, 1 / math.fsum(w * w / s.n for w, s in samples)


def _ewma_weights(count: int) -> list[float]:
    """Weights of the last `count` periods, latest first, summing to 1."""
    raw = [EWMA_LAMBDA * (1 - EWMA_LAMBDA) ** i for i in range(count)]
    total = math.fsum(raw)
    return [w / total for w in raw]


def _chart(
    chart: Chart, recent: Sequence[Sample], baseline: Sequence[Sample], sign: int
) -> Movement | None:
    """`recent` (latest first) against `baseline`; `sign` +1 when higher is better."""
    if len(baseline) < MIN_BASELINE or not recent:
        return None
    weights = [1.0] if chart == "step" else _ewma_weights(len(recent))
    level, n_recent = weighted_level(list(zip(weights, recent, strict=True)))
    base, n_base = weighted_level([(1 / len(baseline), s) for s in baseline])
    # Under "nothing changed" every record comes from one spread: that of all of them.
    variance = pooled_variance([*recent, *baseline])
    worse_by = sign * (base - level)
    error = math.sqrt(variance * (1 / n_recent + 1 / n_base))
    if error == 0:
        return None  # every answer alike in every period: nothing moved
    return Movement(chart, worse_by, worse_by / error, base, level, len(baseline))


def worsened(samples: Sequence[Sample | None], higher_is_better: bool) -> Movement | None:
    """The stronger of the two charts at the latest closed period of `samples` (oldest
    first, None where a period has no usable value), when it passes THRESHOLD.

    None when neither passes, when the latest period has no value, or when there are
    too few periods before it to say."""
    strongest = strongest_movement(samples, higher_is_better)
    return strongest if strongest is not None and strongest.z >= THRESHOLD else None


def strongest_movement(samples: Sequence[Sample | None], higher_is_better: bool) -> Movement | None:
    """The step and EWMA charts at the latest period, the one with the larger z."""
    if not samples or samples[-1] is None:
        return None
    sign = 1 if higher_is_better else -1
    step_base = [s for s in samples[-1 - BASELINE : -1] if s is not None]
    latest = samples[-1]
    recent_window = samples[-EWMA_PERIODS:]
    recent = [s for s in reversed(recent_window) if s is not None]  # latest first
    ewma_base_window = samples[-EWMA_PERIODS - BASELINE : -EWMA_PERIODS]
    ewma_base = [s for s in ewma_base_window if s is not None]
    found = [
        m
        for m in (
            _chart("step", [latest], step_base, sign),
            # A gap inside the window would shift every weight: no EWMA then.
            _chart("ewma", recent, ewma_base, sign) if None not in recent_window else None,
        )
        if m is not None
    ]
    return max(found, key=lambda m: m.z, default=None)
