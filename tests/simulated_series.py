"""Simulated series for the statistical benchmark and its fast regression tests.

Each generator takes its own `random.Random`, so a seed gives the same series on
every machine. Nothing here is shown to a user: these are the nulls and the planted
links that linkage and early warnings are measured against.

Null scenarios (employee and customer independent, each of the same kind):

- white: independent N(0, 1) values;
- ar1: a stationary AR(1) with φ = 0.8 (slow, persistent swings);
- walk: a random walk (each period's change N(0, 1));
- trend: a straight line with a slope of its own, N(0, 0.3) a period, plus N(0, 1);
- drift: a random walk whose changes have mean 0.5 (both series rise).

A planted lead is set in the *changes*: the customer's change at t is
ρ·(employee's change at t − lag) + √(1 − ρ²)·(a change of its own), both scaled
alike, so the correlation of the employee's changes with the customer's changes
`lag` periods later is ρ ("change-correlation ρ").
"""

from __future__ import annotations

import itertools
import math
import random

NULL_SCENARIOS = ("white", "ar1", "walk", "trend", "drift")
PHI = 0.8


def _ar1(rng: random.Random, length: int) -> list[float]:
    value = rng.gauss(0, 1 / math.sqrt(1 - PHI * PHI))  # from the stationary spread
    values = []
    for _ in range(length):
        value = PHI * value + rng.gauss(0, 1)
        values.append(value)
    return values


def null_series(rng: random.Random, scenario: str, length: int) -> list[float]:
    """One series of `scenario`, `length` periods long."""
    if scenario == "white":
        return [rng.gauss(0, 1) for _ in range(length)]
    if scenario == "ar1":
        return _ar1(rng, length)
    if scenario == "walk":
        return list(itertools.accumulate(rng.gauss(0, 1) for _ in range(length)))
    if scenario == "trend":
        slope = rng.gauss(0, 0.3)
        return [slope * t + rng.gauss(0, 1) for t in range(length)]
    if scenario == "drift":
        return list(itertools.accumulate(rng.gauss(0.5, 1) for _ in range(length)))
    raise ValueError(f"unknown scenario {scenario!r}")


def _changes(rng: random.Random, kind: str, count: int) -> list[float]:
    """`count` changes of unit spread: independent (walk), or an AR(1)'s (ar1)."""
    if kind == "walk":
        return [rng.gauss(0, 1) for _ in range(count)]
    levels = _ar1(rng, count + 1)
    scale = math.sqrt(2 * (1 - PHI) / (1 - PHI * PHI))  # the spread of an AR(1)'s change
    return [(b - a) / scale for a, b in itertools.pairwise(levels)]


def planted_pair(
    rng: random.Random, kind: str, length: int, rho: float, lag: int = 2
) -> tuple[list[float], list[float]]:
    """An employee series and a customer series whose changes follow the employee's
    `lag` periods later with correlation `rho`; `kind` is "walk" or "ar1"."""
    employee_changes = _changes(rng, kind, length - 1 + lag)
    own = _changes(rng, kind, length - 1 + lag)
    customer_changes = [
        rho * employee_changes[t - lag] + math.sqrt(1 - rho * rho) * own[t]
        for t in range(lag, length - 1 + lag)
    ]
    employee = list(itertools.accumulate(employee_changes[lag:], initial=0.0))
    customer = list(itertools.accumulate(customer_changes, initial=0.0))
    return employee, customer


# ── Survey months, for early warnings ──

# A steady team: 40 % promoters, 30 % passives, 30 % detractors (eNPS +10).
PROMOTERS, DETRACTORS = 0.40, 0.30


def enps_answers(rng: random.Random, n: int, enps_shift: float = 0.0) -> list[int]:
    """`n` answers on 0–10 from the steady team, its eNPS moved by `enps_shift` points
    (half of it taken from detractors to promoters, or back)."""
    promoters = PROMOTERS + enps_shift / 200
    detractors = DETRACTORS - enps_shift / 200
    answers = []
    for _ in range(n):
        u = rng.random()
        answers.append(10 if u < promoters else 3 if u < promoters + detractors else 8)
    return answers


def ramp(periods: int, start: int, fall: float, over: int) -> list[float]:
    """A change of the level by period: 0 before `start`, then falling by `fall` in
    equal steps over `over` periods, and staying there."""
    return [0.0 if t < start else -fall * min(t - start + 1, over) / over for t in range(periods)]
