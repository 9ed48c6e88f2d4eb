"""Linkage statistics on synthetic series: find planted links, and never invent them."""

from __future__ import annotations

import random

import pytest

from tui.metrics.linkage import (
    effective_sample_size,
    fisher_interval,
    lag_correlation,
    linkage,
    transform_series,
)


def random_walk(rng: random.Random, length: int, step: float = 1.0) -> list[float]:
    level, walk = 0.0, []
    for _ in range(length):
        level += rng.gauss(0, step)
        walk.append(level)
    return walk


def planted(rng: random.Random, length: int, lag: int, noise: float):
    """A customer series that follows the employee series `lag` periods later, plus noise."""
    employee = random_walk(rng, length + lag)
    customer = [employee[t - lag] + rng.gauss(0, noise) for t in range(lag, length + lag)]
    return employee[lag:], customer


def test_lag_correlation_pairs_employee_now_with_customer_later():
    employee = [1.0, 2.0, 3.0, 2.0, 1.0, 5.0, 2.0]
    customer = [9.0, 9.0, 1.0, 2.0, 3.0, 2.0, 1.0]  # the employee series two periods later
    assert lag_correlation(employee, customer, 2).r == pytest.approx(1.0)
    assert lag_correlation(employee, customer, 2).overlap == 5


def test_missing_periods_are_left_out_not_read_as_zero():
    employee = [1.0, None, 3.0, 4.0, 2.0]
    customer = [2.0, 100.0, 6.0, 8.0, 4.0]
    result = lag_correlation(employee, customer, 0)
    assert result.overlap == 4 and result.r == pytest.approx(1.0)


def test_differencing_and_detrending():
    assert transform_series([1.0, 3.0, None, 4.0, 6.0], "difference") == [2.0, None, None, 2.0]
    detrended = transform_series([1.0, 2.0, 3.0, 4.0], "detrend")
    assert all(abs(v) < 1e-9 for v in detrended)


def test_fisher_interval_contains_r_and_narrows_with_n():
    low, high = fisher_interval(0.6, 12)
    low2, high2 = fisher_interval(0.6, 100)
    assert low < 0.6 < high and (high2 - low2) < (high - low)


def test_a_planted_two_period_lead_is_recovered():
    hits = 0
    for seed in range(50):
        employee, customer = planted(random.Random(seed), length=24, lag=2, noise=0.5)
        result = linkage(employee, customer)
        hits += result.linked and result.lag == 2
    assert hits >= 45, f"recovered in {hits} of 50"


def test_independent_noise_is_not_reported_as_linked():
    rng = random.Random(1)
    false_links = sum(
        linkage([rng.gauss(0, 1) for _ in range(24)], [rng.gauss(0, 1) for _ in range(24)]).linked
        for _ in range(300)
    )
    assert false_links <= 15, f"{false_links} of 300 independent pairs called linked"


def test_independent_random_walks_are_not_reported_as_linked():
    rng = random.Random(2)
    false_links = sum(
        linkage(random_walk(rng, 24), random_walk(rng, 24)).linked for _ in range(300)
    )
    assert false_links <= 15, f"{false_links} of 300 random-walk pairs called linked"


def test_autocorrelated_series_count_as_fewer_independent_periods():
    rng = random.Random(4)
    walk_a, walk_b = random_walk(rng, 24), random_walk(rng, 24)
    noise_a, noise_b = [rng.gauss(0, 1) for _ in range(24)], [rng.gauss(0, 1) for _ in range(24)]
    assert effective_sample_size(walk_a, walk_b) < 12 < effective_sample_size(noise_a, noise_b)


def test_too_little_overlap_gives_no_verdict():
    result = linkage([1.0, 2.0, 3.0, 2.0, 5.0], [2.0, 1.0, 3.0, 4.0, 4.0], min_overlap=8)
    assert not result.enough_history and result.best is None and not result.linked


def test_a_link_in_the_unexpected_direction_is_not_a_link():
    employee, customer = planted(random.Random(3), length=24, lag=1, noise=0.3)
    inverted = [-v for v in customer]
    assert not linkage(employee, inverted).linked
    assert linkage(employee, inverted, expected_sign=-1).linked


@pytest.mark.parametrize("seed", range(20))
def test_pearson_agrees_with_the_standard_library(seed):
    import statistics

    from tui.metrics.linkage import pearson

    rng = random.Random(seed)
    xs = [rng.gauss(50, 20) for _ in range(rng.randrange(3, 40))]
    ys = [0.3 * x + rng.gauss(0, 10) for x in xs]
    assert pearson(xs, ys) == pytest.approx(statistics.correlation(xs, ys), abs=1e-12)
    assert pearson(xs, [7.0] * len(xs)) is None


# ── What is tested, and how the verdict is worded ──


def _hand_one_sided(r: float, n: float) -> float:
    """Fisher's z, by hand: P(Z > atanh(r)·√(n − 3))."""
    import math
    import statistics

    return 1 - statistics.NormalDist().cdf(math.atanh(r) * math.sqrt(n - 3))


def test_only_lags_with_enough_overlap_are_tried_and_the_best_p_counts_them():
    # 12 values, 11 changes: lag L overlaps 11 - L; with min_overlap 8, lags 0..3.
    rng = random.Random(9)
    employee, customer = planted(rng, length=12, lag=1, noise=0.2)
    result = linkage(employee, customer, max_lag=6, min_overlap=8)
    assert result.lags_tried == 4
    assert [lc.overlap for lc in result.by_lag] == [11, 10, 9, 8, 7, 6, 5]
    best = result.best
    assert best is not None and best.r is not None and best.lag == 1
    hand = min(1.0, 4 * _hand_one_sided(best.r, best.effective_n))
    assert result.p_value == pytest.approx(hand)
    # The interval is simultaneous over the 4 lags: each at 1 - 0.10 / 4.
    assert (result.ci_low, result.ci_high) == pytest.approx(
        fisher_interval(best.r, best.effective_n, 1 - 0.10 / 4)
    )


def test_lag_0_is_moving_together_never_a_lead():
    rng = random.Random(5)
    employee = random_walk(rng, 24)
    customer = [e + rng.gauss(0, 0.3) for e in employee]
    result = linkage(employee, customer)
    assert result.linked and result.lag == 0
    assert result.verdict == "moves_together"


def test_periods_to_detect_matches_the_power_formula_by_hand():
    from tui.metrics.linkage import periods_to_detect

    # z(1 - 0.05/7) = 2.4501, z(0.8) = 0.8416; atanh(0.5) = 0.5493:
    # ((2.4501 + 0.8416) / 0.5493)² + 3 = 38.91, so 39 periods (78 when each is worth half).
    assert periods_to_detect(0.5, 0.05, 7) == 39
    assert periods_to_detect(0.5, 0.05, 7, inflation=2.0) == 78


def test_no_link_found_only_when_a_meaningful_effect_is_ruled_out():
    rng = random.Random(8)
    short = linkage([rng.gauss(0, 1) for _ in range(20)], [rng.gauss(0, 1) for _ in range(20)])
    assert not short.linked and short.verdict == "cant_tell"
    assert short.more_needed is not None and short.more_needed > 10
    long = linkage([rng.gauss(0, 1) for _ in range(200)], [rng.gauss(0, 1) for _ in range(200)])
    assert long.verdict == "no_link" and long.more_needed is None


def test_benjamini_hochberg_by_hand():
    from tui.metrics.linkage import benjamini_hochberg

    # Sorted 0.01, 0.03, 0.04, 0.2 (m = 4): 0.2·4/4 = 0.2; 0.04·4/3 = 0.0533;
    # 0.03·4/2 = 0.06, held to 0.0533 by the step-up; 0.01·4/1 = 0.04.
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.2]) == pytest.approx(
        [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2]
    )
    assert benjamini_hochberg([]) == []


def test_false_coverage_level_widens_with_the_verdicts_picked_from():
    from tui.metrics.linkage import false_coverage_level

    assert false_coverage_level(0.90, 3, 33) == pytest.approx(1 - 0.10 * 3 / 33)
    assert false_coverage_level(0.90, 0, 33) == pytest.approx(1 - 0.10 / 33)
