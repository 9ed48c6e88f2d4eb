"""Is a movement beyond sampling noise? The early-warning charts against hand computations."""

from __future__ import annotations

import pytest

from tui.metrics.evidence import (
    THRESHOLD,
    Sample,
    pooled_variance,
    strongest_movement,
    weighted_level,
    worsened,
)


def test_the_spread_of_samples_taken_together_by_hand():
    # 10 answers at mean 20 (spread 100) and 30 at mean 40 (spread 400): overall mean 35;
    # (10·(100 + 15²) + 30·(400 + 5²)) / 40 = (3250 + 12750) / 40 = 400.
    assert pooled_variance([Sample(20, 100, 10), Sample(40, 400, 30)]) == pytest.approx(400)


def test_a_weighted_level_and_its_effective_n_by_hand():
    # ½·10 + ½·20 = 15; Σ w²/n = ¼/10 + ¼/40 = 0.03125, so an effective n of 32.
    level, n = weighted_level([(0.5, Sample(10, 1, 10)), (0.5, Sample(20, 1, 40))])
    assert (level, n) == pytest.approx((15, 32))


def test_the_threshold_is_one_percent_one_sided():
    assert pytest.approx(2.3263, abs=1e-4) == THRESHOLD


def test_a_rise_of_a_lower_is_better_metric_is_the_worsening():
    steady = [Sample(2.0, 196.0, 500)] * 12  # turnover of 2 %: spread 2·98
    assert worsened([*steady, Sample(6.0, 564.0, 500)], higher_is_better=False) is not None
    assert worsened([*steady, Sample(0.0, 0.0, 500)], higher_is_better=False) is None


def test_gaps_are_skipped_in_the_baseline_and_stop_the_ewma():
    steady = [Sample(20.0, 6000.0, 200)] * 12
    samples = [
        *steady[:5],
        None,
        *steady[6:],
        Sample(15.0, 6000.0, 200),
        None,
        Sample(0.0, 6000.0, 200),
    ]
    movement = strongest_movement(samples, higher_is_better=True)
    assert movement is not None and movement.chart == "step"  # no EWMA across a gap
    assert movement.baseline_periods == 10  # 12 before the latest, two of them empty


def test_every_answer_alike_everywhere_is_no_movement():
    assert strongest_movement([Sample(100.0, 0.0, 10)] * 13, higher_is_better=True) is None
