"""Does employee health lead customer health? Lagged correlation between two series.

For each lag L in 0..max_lag, the employee series at period t is paired with
the customer series at t + L, and Pearson's r is computed over the periods
where both have a value. Only lags with at least `min_overlap` such periods
are tried; the one with the strongest evidence in the expected direction is
kept and tested:

- the series are first differenced by default, so two lines that merely
  trend (or wander, like random walks) together are not called linked: it is
  their *changes* that are compared;
- each lag's p-value is one-sided (the direction a link would take is known)
  and comes from Fisher's z transform on an effective sample size that
  discounts autocorrelation; the best lag's p is multiplied by the number of
  lags actually tried (Bonferroni), since the best of several lags always
  looks better than a single one would;
- a link must also hold against shuffles of the employee series (a permutation
  test of the best r, the selection over lags included): a correlation
  made by one or two spikes — a team's single leaver in half a year of weeks —
  passes Fisher's z, which assumes bell-shaped changes, but not this;
- lag 0 is "moves together in the same period", never a lead;
- the confidence interval shown is simultaneous over the lags tried, so the
  lag picked for looking best is still covered at the stated level;
- with no link, the verdict says whether the data rule out a meaningful
  effect (`meaningful_r`) at every lag tried — "no link found" — or cannot
  tell yet, and roughly how many more periods would show one;
- fewer than `min_overlap` overlapping periods give no verdict at all.

Pure functions over plain lists, in floats; `statistics` from the standard
library gives the normal distribution for z and the line for detrending.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import operator
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Transform = Literal["none", "difference", "detrend"]
Verdict = Literal["not_enough_history", "leads", "moves_together", "no_link", "cant_tell"]
Series = Sequence[float | None]

_NORMAL = statistics.NormalDist()
# Power the "can't tell yet" estimate asks for: a meaningful effect found 8 times in 10.
POWER = 0.8


@dataclass(frozen=True)
class LagCorrelation:
    """r between employee[t] and customer[t + lag] over `overlap` periods (r None if too few).

    `effective_n` discounts the overlap for autocorrelation in the two series
    (Bartlett): neighbouring periods that move together are not independent
    evidence, and a differenced series is always autocorrelated.
    """

    lag: int
    r: float | None
    overlap: int
    effective_n: float = 0.0


@dataclass(frozen=True)
class Linkage:
    """The verdict for one pair of series."""

    by_lag: tuple[LagCorrelation, ...]
    # The strongest lag in the expected direction, when there is enough history.
    best: LagCorrelation | None
    p_value: float | None  # one-sided, Bonferroni-adjusted over the lags tried
    # Simultaneous over the lags tried (each at 1 - (1 - confidence) / lags_tried): the
    # lag picked for looking best is still covered.
    ci_low: float | None
    ci_high: float | None
    linked: bool
    enough_history: bool
    # Lags with at least min_overlap periods: the ones tested.
    lags_tried: int = 0
    # The data rule out a correlation of `meaningful_r` or more in the expected
    # direction at every lag tried. With no link: "no link found"; not ruled out and
    # no link: "can't tell yet".
    rules_out: bool = False
    meaningful_r: float = 0.5
    # About how many more periods would detect `meaningful_r` 8 times in 10.
    more_needed: int | None = None

    @property
    def verdict(self) -> Verdict:
        if not self.enough_history:
            return "not_enough_history"
        if self.linked:
            return "moves_together" if self.lag == 0 else "leads"
        return "no_link" if self.rules_out else "cant_tell"

    @property
    def lag(self) -> int | None:
        return None if self.best is None else self.best.lag

    @property
    def r(self) -> float | None:
        return None if self.best is None else self.best.r


def transform_series(values: Series, transform: Transform) -> list[float | None]:
    """The series differenced, detrended (least-squares line removed) or as it is."""
    if transform == "difference":
        return [
            None if current is None or before is None else current - before
            for before, current in itertools.pairwise(values)
        ]
    if transform == "detrend":
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) < 2:
            return list(values)
        xs = [float(i) for i, _ in points]
        ys = [v for _, v in points]
        slope, intercept = statistics.linear_regression(xs, ys)
        return [None if v is None else v - (slope * i + intercept) for i, v in enumerate(values)]
    return list(values)


def lag_correlation(
    employee: Series, customer: Series, lag: int, min_points: int = 3
) -> LagCorrelation:
    """Pearson's r of employee[t] with customer[t + lag], over periods where both exist."""
    pairs = [
        (e, c)
        for e, c in zip(employee, customer[lag:], strict=False)
        if e is not None and c is not None
    ]
    if len(pairs) < max(3, min_points):
        return LagCorrelation(lag, None, len(pairs))
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    r = pearson(xs, ys)
    if r is None:
        return LagCorrelation(lag, None, len(pairs))
    return LagCorrelation(lag, r, len(pairs), effective_sample_size(xs, ys))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r in floats; None when either series is constant.

    statistics.correlation would do, but statistics' exact arithmetic made the
    dashboard's first frame 40 ms slower; floats are plenty for a dozen months.
    """
    n = len(xs)
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx = math.fsum(map(operator.mul, dx, dx))
    syy = math.fsum(map(operator.mul, dy, dy))
    # Relative to the values' size: a series constant up to rounding is constant.
    scale_x = max(abs(mean_x), 1.0) ** 2 * n * 1e-24
    scale_y = max(abs(mean_y), 1.0) ** 2 * n * 1e-24
    if sxx <= scale_x or syy <= scale_y:
        return None
    r = math.fsum(map(operator.mul, dx, dy)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def _autocorrelations(values: Sequence[float], lags: int) -> list[float]:
    """ρ(1)..ρ(lags) of a series, from one pass over its deviations."""
    mean = math.fsum(values) / len(values)
    deviations = [v - mean for v in values]
    # map(operator.mul) gives fsum the same products as a generator, three times faster:
    # the dashboard computes these for every lag of every pair on each refresh.
    total = math.fsum(map(operator.mul, deviations, deviations))
    if total == 0:
        return [0.0] * lags
    return [
        math.fsum(map(operator.mul, deviations, deviations[k:])) / total for k in range(1, lags + 1)
    ]


def effective_sample_size(xs: Sequence[float], ys: Sequence[float]) -> float:
    """n / (1 + 2 Σ ρx(k)·ρy(k)) over the first few lags, kept between 3 and n."""
    n = len(xs)
    lags = min(5, n // 3)
    rho_x, rho_y = _autocorrelations(xs, lags), _autocorrelations(ys, lags)
    inflation = 1 + 2 * math.fsum(a * b for a, b in zip(rho_x, rho_y, strict=True))
    return max(3.0, min(float(n), n / inflation)) if inflation > 0 else float(n)


def fisher_z(r: float) -> float:
    """Fisher's z of r, held short of ±infinity for r of exactly ±1."""
    return math.atanh(max(min(r, 0.999999), -0.999999))


def fisher_interval(r: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """The confidence interval of r by Fisher's z transform."""
    z = fisher_z(r)
    half = _NORMAL.inv_cdf(0.5 + confidence / 2) / math.sqrt(max(n - 3, 1e-9))
    return math.tanh(z - half), math.tanh(z + half)


def lags_interval(best: LagCorrelation, confidence: float, lags: int) -> tuple[float, float]:
    """The interval of the lag picked, simultaneous over the `lags` tried (each at
    1 - (1 - confidence) / lags): picked for looking best, it is still covered."""
    assert best.r is not None
    return fisher_interval(best.r, best.effective_n, 1 - (1 - confidence) / max(lags, 1))


def one_sided_p_value(r: float, n: float) -> float:
    """P(a correlation at least r | none), by Fisher's z transform on n (effective) pairs."""
    return 1 - _NORMAL.cdf(fisher_z(r) * math.sqrt(max(n - 3, 0.0)))


def periods_to_detect(r: float, alpha: float, lags: int, inflation: float = 1.0) -> int:
    """Overlapping periods in which a true correlation `r` at one of `lags` lags would
    pass the one-sided test at `alpha` with probability POWER; `inflation` is n over
    the effective n (autocorrelation makes each period worth less)."""
    z_needed = _NORMAL.inv_cdf(1 - alpha / max(lags, 1)) + _NORMAL.inv_cdf(POWER)
    effective = (z_needed / fisher_z(abs(r))) ** 2 + 3
    return math.ceil(effective * max(inflation, 1.0))


def linkage(
    employee: Series,
    customer: Series,
    *,
    max_lag: int = 6,
    min_overlap: int = 8,
    transform: Transform = "difference",
    alpha: float = 0.05,
    confidence: float | None = None,
    expected_sign: int = 1,
    meaningful_r: float = 0.5,
) -> Linkage:
    """Whether, and at which lag, the employee series leads the customer series.

    `expected_sign` is +1 when both metrics improve in the same direction (eNPS
    and NPS) and -1 when they improve in opposite ones; only a correlation of
    that sign counts as a link. The interval is two-sided at `confidence`, by default
    1 - 2·alpha (90 %), so that each end is a bound at alpha: the lower end leaves out
    "no link" exactly when the one-sided test finds one.
    """
    if confidence is None:
        confidence = interval_level(alpha)
    e, c = transform_series(employee, transform), transform_series(customer, transform)
    by_lag = tuple(lag_correlation(e, c, lag) for lag in range(max_lag + 1))
    tried = [lc for lc in by_lag if lc.r is not None and lc.overlap >= min_overlap]
    if not tried:
        return Linkage(by_lag, None, None, None, None, linked=False, enough_history=False)
    k = len(tried)

    def signed(lc: LagCorrelation) -> float:
        return expected_sign * (lc.r or 0.0)

    # The most evidence, not the largest r: lags differ in overlap and autocorrelation.
    p_by_lag = {lc.lag: one_sided_p_value(signed(lc), lc.effective_n) for lc in tried}
    best = min(tried, key=lambda lc: (p_by_lag[lc.lag], lc.lag))
    assert best.r is not None
    p_value = min(1.0, p_by_lag[best.lag] * k)
    ci_low, ci_high = lags_interval(best, confidence, k)
    linked = signed(best) > 0 and p_value < alpha
    if linked:
        lags = tuple(lc.lag for lc in tried)
        observed = max(signed(lc) for lc in tried)
        shuffled = permutation_p_value(
            tuple(employee), tuple(c), lags, observed, expected_sign, transform
        )
        # When no shuffle came close, all the shuffles say is that p is below their
        # resolution (1 in PERMUTATIONS + 1), too coarse to adjust for many verdicts at
        # once: Fisher's p stands. When some did, the data's own null is the stricter.
        if shuffled > 1 / (PERMUTATIONS + 1):
            p_value = max(p_value, shuffled)
        linked = p_value < alpha
    # Ruled out: at every lag tried, the upper bound of r in the expected direction
    # (one-sided, simultaneous over the lags) is below a meaningful effect.
    z_bound = _NORMAL.inv_cdf(1 - alpha / k)
    rules_out = all(
        math.tanh(fisher_z(signed(lc)) + z_bound / math.sqrt(max(lc.effective_n - 3, 1e-9)))
        < meaningful_r
        for lc in tried
    )
    more_needed = None
    if not rules_out:  # kept for a link the screen's correction may yet turn down
        inflation = best.overlap / best.effective_n if best.effective_n else 1.0
        needed = periods_to_detect(meaningful_r, alpha, k, inflation)
        more_needed = max(1, needed - best.overlap)
    return Linkage(
        by_lag,
        best,
        p_value,
        ci_low,
        ci_high,
        linked,
        enough_history=True,
        lags_tried=k,
        rules_out=rules_out,
        meaningful_r=meaningful_r,
        more_needed=more_needed,
    )


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Each p-value adjusted for all the others (Benjamini–Hochberg), in the same order:
    those below q are the discoveries at a false discovery rate of q. When every
    hypothesis is null this is Simes' test, so the chance of any discovery at all is
    at most q."""
    m = len(p_values)
    adjusted = [1.0] * m
    running = 1.0
    order = sorted(range(m), key=lambda i: p_values[i])
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted


def interval_level(alpha: float) -> float:
    """The two-sided confidence whose ends match a one-sided test at `alpha`."""
    return 1 - 2 * alpha


def false_coverage_level(confidence: float, shown: int, tested: int) -> float:
    """The confidence level at which each of `shown` links picked out of `tested`
    verdicts gets its interval, so that on average no more than 1 - `confidence`
    of the intervals shown miss (Benjamini–Yekutieli's false coverage rate): an
    interval printed because its link looked strongest is otherwise too narrow."""
    if tested <= 0:
        return confidence
    return 1 - (1 - confidence) * max(shown, 1) / tested


def screen_corrected(results: Sequence[Linkage | None], alpha: float) -> list[Linkage | None]:
    """Every verdict shown at once, held to a false discovery rate of `alpha` together.

    One screen shows the whole organisation and every segment for every pair: judged
    one by one at 5 %, a screen of thirty null verdicts shows a false link most days.
    Benjamini–Hochberg over the verdicts that were tested turns each p-value into one
    adjusted for the others, and only those below `alpha` stay links. Each link's
    interval is then widened for having been picked out of the screen (false coverage
    rate) as well as out of its lags. A verdict with no test (None, or no p) is kept.
    """
    tested = {
        k: result
        for k, result in enumerate(results)
        if result is not None and result.p_value is not None
    }
    adjusted = dict(
        zip(tested, benjamini_hochberg([r.p_value or 0.0 for r in tested.values()]), strict=True)
    )
    shown = sum(1 for k, r in tested.items() if r.linked and adjusted[k] < alpha)
    level = false_coverage_level(interval_level(alpha), shown, len(tested))
    out = list(results)
    for k, result in tested.items():
        linked = result.linked and adjusted[k] < alpha
        corrected = dataclasses.replace(result, p_value=adjusted[k], linked=linked)
        if linked:
            assert result.best is not None
            ci_low, ci_high = lags_interval(result.best, level, result.lags_tried)
            corrected = dataclasses.replace(corrected, ci_low=ci_low, ci_high=ci_high)
        out[k] = corrected
    return out


PERMUTATIONS = 499


@functools.lru_cache(maxsize=512)
def permutation_p_value(
    employee: tuple[float | None, ...],
    customer: tuple[float | None, ...],
    lags: tuple[int, ...],
    observed: float,
    expected_sign: int = 1,
    transform: Transform = "difference",
    rounds: int = PERMUTATIONS,
) -> float:
    """P(the best of `lags`' signed r ≥ `observed`) when the employee series' values are
    shuffled among its periods.

    `employee` is the series as stored and `customer` the transformed one: each
    shuffle is transformed as the data was, so a single spike keeps the rise and fall
    that differencing makes of it, and lands anywhere. The statistic is the maximum
    over the same lags, so choosing the best lag is accounted for. Deterministic (a
    fixed seed): the same data always gets the same verdict. Cached, since every
    repaint asks again.
    """
    positions = [i for i, v in enumerate(employee) if v is not None]
    values = [employee[i] for i in positions]
    levels: list[float | None] = list(employee)
    # Shuffling moves values, never gaps: which transformed periods exist, and so each
    # lag's overlap with the customer series, is the same in every round. Per lag: the
    # overlapping periods and the customer's centred values there, so each round is
    # `pearson` with the customer half done once (measured at 999 rounds on one linked
    # pair: 55 ms, where going through lag_correlation took 520 ms).
    present = transform_series(levels, transform)
    plans = []
    for lag in lags:
        indices = [
            i
            for i, x in enumerate(present)
            if x is not None and i + lag < len(customer) and customer[i + lag] is not None
        ]
        ys = [customer[i + lag] for i in indices]
        mean_y = math.fsum(ys) / len(ys)  # type: ignore[arg-type]
        dy = [y - mean_y for y in ys]  # type: ignore[operator]
        plans.append((indices, dy, math.fsum(map(operator.mul, dy, dy))))
    rng = random.Random(20261130)
    allowed = math.floor(0.05 * (rounds + 1))  # enough to stop early on a clear non-link
    at_least = 0
    for done in range(1, rounds + 1):
        rng.shuffle(values)
        for position, value in zip(positions, values, strict=True):
            levels[position] = value
        changed = transform_series(levels, transform)
        best = -math.inf
        for indices, dy, syy in plans:
            xs = [changed[i] for i in indices]
            sx = math.fsum(xs)  # type: ignore[arg-type]
            sxx = math.fsum(map(operator.mul, xs, xs)) - sx * sx / len(xs)
            if sxx > 1e-12 and syy > 0:
                r = math.fsum(map(operator.mul, xs, dy)) / math.sqrt(sxx * syy)
                best = max(best, expected_sign * r)
        if best >= observed - 1e-9:
            at_least += 1
            if at_least > allowed and done < rounds:
                # Already no link at 5 %: the rest cannot bring it back.
                return (1 + at_least) / (1 + done)
    return (1 + at_least) / (1 + rounds)
