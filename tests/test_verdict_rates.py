"""The headline rates of the statistical benchmark, with enough trials to catch a regression.

`python -m tests.bench --only verdicts` prints the whole table; these check the few
figures a reader acts on, from fixed seeds (so they are deterministic, not flaky),
with enough trials that a rate doubling — say 2 % to 4 % — fails them.
"""

from __future__ import annotations

import random

import pytest

from tests.bench import verdicts
from tests.simulated_series import null_series, planted_pair, ramp
from tui.metrics.linkage import linkage


@pytest.mark.parametrize("scenario", ["white", "ar1", "walk"])
def test_false_links_per_pair_stay_under_5_percent(scenario):
    # Measured 2.4-3.4 %; 2,000 trials give ± 0.4 points.
    rng = random.Random(f"regression-{scenario}")
    trials = 2000
    hits = sum(
        linkage(null_series(rng, scenario, 24), null_series(rng, scenario, 24)).linked
        for _ in range(trials)
    )
    assert hits / trials <= 0.045, f"{hits} false links in {trials} null pairs"


def test_a_screen_of_33_null_verdicts_rarely_shows_any_link():
    # Measured about 2 % of screens; 400 screens give ± 0.7 points.
    rng = random.Random("regression-screen")
    screens = 400
    any_false = 0
    for _ in range(screens):
        results = [
            linkage(null_series(rng, "walk", 24), null_series(rng, "walk", 24))
            for _ in range(verdicts.SCREEN_SIZE)
        ]
        any_false += any(verdicts._screen(results))
    assert any_false / screens <= 0.045, f"{any_false} of {screens} null screens showed a link"


def test_a_strong_two_month_lead_is_found_at_the_right_lag():
    rng = random.Random("regression-power")
    trials = 300
    results = [linkage(*planted_pair(rng, "ar1", 24, 0.8)) for _ in range(trials)]
    found = [r for r in results if r.linked]
    assert len(found) / trials >= 0.85, f"found {len(found)} of {trials}"
    assert sum(r.lag == 2 for r in found) / len(found) >= 0.95


def test_warnings_on_sampling_noise_stay_under_2_percent_of_segment_months():
    # Measured about 1.6 % at 30 answers a month; 4,000 trials give ± 0.2 points.
    rng = random.Random("regression-noise")
    trials = 4000
    alarms = sum(verdicts._warns(rng, 30, [0.0] * verdicts._MONTHS) for _ in range(trials))
    assert alarms / trials <= 0.022, f"{alarms} warnings in {trials} segment-months of noise"


def test_a_sudden_fall_and_a_slide_are_caught_soon():
    rng = random.Random("regression-fall")
    start = verdicts._MONTHS - 1
    trials = 300
    step = [
        verdicts._first_seen(rng.random(), 100, ramp(start + 6, start, 15, 1), start)
        for _ in range(trials)
    ]
    slide = [
        verdicts._first_seen(rng.random(), 100, ramp(start + 6, start, 15, 3), start)
        for _ in range(trials)
    ]
    # Measured (600 trials): a 15-point step at 100 answers a month caught in its own
    # month 33 %, within 3 months 74 %; a 3-month slide within 3 months of its end 83 %.
    assert sum(d == 1 for d in step) / trials >= 0.25
    assert sum(d is not None and d <= 3 for d in step) / trials >= 0.65
    assert sum(d is not None and d <= 6 for d in slide) / trials >= 0.75
