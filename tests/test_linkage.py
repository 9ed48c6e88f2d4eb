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
