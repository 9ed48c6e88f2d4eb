"""How often linkage and early warnings are wrong, on thousands of simulated series.

Not timings: rates. Every figure comes from Tandem's own code run on series whose
truth is known (tests/simulated_series.py, fixed seeds, so a run is repeatable):

- false links per pair, for each null scenario and length (`linkage()` with the
  default settings, as the dashboard calls it);
- all-null screens of 33 verdicts (the whole organisation and 10 teams × 3 pairs)
  showing any false link, after the screen's Benjamini–Hochberg correction;
- power and lag accuracy for a planted 2-period lead, per pair and on a screen of
  3 real links among 30 nulls, and how often the interval shown covers the truth;
- early warnings (`insights.early_warning`, from simulated eNPS answers through
  `net_promoter_score`): false alarms per segment-month on pure sampling noise, and
  how soon a sudden and a gradual 15-point fall are caught.

`python -m tests.bench --only verdicts`. Takes about four minutes on one core.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone

from tests.bench.results import Figure
from tests.simulated_series import NULL_SCENARIOS, enps_answers, null_series, planted_pair, ramp
from tui.analysis.insights import early_warning
from tui.config import Metric, parse_config
from tui.metrics.linkage import Linkage, linkage, screen_corrected
from tui.metrics.scores import net_promoter_score
from tui.periods import last_periods
from tui.store import StoredObservation

PAIR_TRIALS = 2000
SCREENS = 600
SCREEN_SIZE = 33
POWER_TRIALS = 1000
WARNING_TRIALS = 6000
LENGTHS = (12, 18, 24, 36)


def _rate(hits: int, trials: int) -> float:
    return 100 * hits / trials


def _se_note(rate: float, trials: int) -> str:
    """± one standard error of a rate in %, so a reader sees what the trials can tell."""
    p = rate / 100
    return f"± {100 * math.sqrt(max(p * (1 - p), 1e-9) / trials):.1f} pts, {trials:,} trials"


def _screen(results: Sequence[Linkage], alpha: float = 0.05) -> list[bool]:
    """Which verdicts of one screen stay links after the screen's correction, as the
    dashboard corrects them."""
    return [r is not None and r.linked for r in screen_corrected(results, alpha)]


def false_links() -> list[Figure]:
    figures = []
    for scenario, length in itertools.product(NULL_SCENARIOS, LENGTHS):
        rng = random.Random(f"{scenario}-{length}")
        hits = sum(
            linkage(null_series(rng, scenario, length), null_series(rng, scenario, length)).linked
            for _ in range(PAIR_TRIALS)
        )
        rate = _rate(hits, PAIR_TRIALS)
        figures.append(
            Figure(
                f"false links per pair, {scenario} {length}",
                rate,
                "%",
                5.0,
                _se_note(rate, PAIR_TRIALS),
            )
        )
    return figures


def null_screens() -> list[Figure]:
    figures = []
    for scenario in NULL_SCENARIOS:
        rng = random.Random(f"screen-{scenario}")
        any_false = total = 0
        for _ in range(SCREENS):
            results = [
                linkage(null_series(rng, scenario, 24), null_series(rng, scenario, 24))
                for _ in range(SCREEN_SIZE)
            ]
            shown = sum(_screen(results))
            any_false += shown > 0
            total += shown
        rate = _rate(any_false, SCREENS)
        figures.append(
            Figure(
                f"all-null screens with a false link, {scenario} 24",
                rate,
                "%",
                5.0,
                f"{total / SCREENS:.3f} false links a screen; {_se_note(rate, SCREENS)}",
            )
        )
    return figures


def _covers(result: Linkage, truth: float) -> bool:
    return (
        result.ci_low is not None
        and result.ci_high is not None
        and (result.ci_low <= truth <= result.ci_high)
    )


def power() -> list[Figure]:
    figures = []
    for kind, rho, length in itertools.product(("walk", "ar1"), (0.5, 0.6, 0.8), (24, 36)):
        rng = random.Random(f"power-{kind}-{rho}-{length}")
        found = right = covered = 0
        for _ in range(POWER_TRIALS):
            result = linkage(*planted_pair(rng, kind, length, rho))
            if result.linked:
                found += 1
                right += result.lag == 2
                covered += _covers(result, rho)
        rate = _rate(found, POWER_TRIALS)
        target = 60.0 if (rho, length) == (0.8, 24) else None
        note = (
            f"lag right in {_rate(right, max(found, 1)):.0f} % of links found; interval "
            f"covers ρ in {_rate(covered, max(found, 1)):.0f} %"
        )
        figures.append(
            Figure(f"power per pair, {kind} ρ {rho} {length}", rate, "%", target, note, True)
        )
        if target is not None:
            figures.append(
                Figure(
                    f"lag exactly right, {kind} ρ {rho} {length}",
                    _rate(right, max(found, 1)),
                    "%",
                    90.0,
                    f"of {found} links found",
                    True,
                )
            )
    for kind in ("walk", "ar1"):
        # The winner's curse: a weak lead over a short history is rarely found, and when
        # it is, the best of several lags reads high; the interval should still cover it.
        rng = random.Random(f"curse-{kind}")
        shown, covered = [], 0
        for _ in range(POWER_TRIALS * 2):
            result = linkage(*planted_pair(rng, kind, 12, 0.32))
            if result.linked and result.r is not None:
                shown.append(result.r)
                covered += _covers(result, 0.32)
        figures.append(
            Figure(
                f"interval covers a weak lead when one is shown, {kind} ρ 0.32 12",
                _rate(covered, max(len(shown), 1)),
                "%",
                None,
                f"{len(shown)} links found in {POWER_TRIALS * 2}; mean r shown "
                f"{sum(shown) / max(len(shown), 1):.2f}",
            )
        )
    for kind in ("walk", "ar1"):
        rng = random.Random(f"screen-power-{kind}")
        kept = false = 0
        screens = SCREENS // 2
        for _ in range(screens):
            results = [linkage(*planted_pair(rng, kind, 24, 0.8)) for _ in range(3)]
            results += [
                linkage(null_series(rng, kind, 24), null_series(rng, kind, 24))
                for _ in range(SCREEN_SIZE - 3)
            ]
            linked = _screen(results)
            kept += sum(linked[:3])
            false += sum(linked[3:])
        figures.append(
            Figure(
                f"real links kept of 3 on a screen of 33, {kind} ρ 0.8 24",
                kept / screens,
                "",
                None,
                f"{false / screens:.3f} false links a screen; {screens} screens",
            )
        )
    return figures


# ── Early warnings ──

_CONFIG = """
[[sources]]
id = "s"
kind = "json"
base_url = "http://127.0.0.1:1"

[[metrics]]
id = "enps"
label = "eNPS"
side = "employee"
source = "s"
kind = "nps"

[[metrics]]
id = "nps"
label = "NPS"
side = "customer"
source = "s"
kind = "nps"

[[pairs]]
employee = "enps"
customer = "nps"
"""
_TODAY = date(2026, 6, 17)
_FETCHED = datetime(2026, 6, 17, tzinfo=timezone.utc)
_MONTHS = 16  # 12 of baseline, 3 for the EWMA, and the latest


def _stored(rng: random.Random, n: int, shifts: Sequence[float]) -> list[StoredObservation]:
    periods = last_periods(_TODAY, "month", len(shifts) + 1)[:-1]
    stored = []
    for period, shift in zip(periods, shifts, strict=True):
        score = net_promoter_score(enps_answers(rng, n, shift))
        stored.append(
            StoredObservation(
                period.key, period.start, score.value, n, "s", _FETCHED, 0, score.variance
            )
        )
    return stored


@functools.cache
def _metrics() -> tuple[Metric, Metric]:
    employee, customer = parse_config(_CONFIG).metrics
    return employee, customer


def _warns(rng: random.Random, n: int, shifts: Sequence[float]) -> bool:
    employee, customer = _metrics()
    periods = last_periods(_TODAY, "month", len(shifts) + 1)[:-1]
    customers = _stored(rng, 300, [0.0] * len(shifts))
    return (
        early_warning(0, "", employee, customer, _stored(rng, n, shifts), customers, periods, None)
        is not None
    )


def warnings() -> list[Figure]:
    figures = []
    for n in (10, 30, 100, 300):
        rng = random.Random(f"noise-{n}")
        alarms = sum(_warns(rng, n, [0.0] * _MONTHS) for _ in range(WARNING_TRIALS))
        rate = _rate(alarms, WARNING_TRIALS)
        figures.append(
            Figure(
                f"warning false alarms per segment-month, n {n}",
                rate,
                "%",
                2.0 if n == 30 else None,
                _se_note(rate, WARNING_TRIALS),
            )
        )
    start = _MONTHS - 1
    for n, over in itertools.product((30, 100, 300), (1, 3)):
        rng = random.Random(f"fall-{n}-{over}")
        shape = ramp(start + 6, start, 15, over)
        trials = WARNING_TRIALS // 10
        # Each month is judged on answers drawn once: a fall seen later keeps its past.
        delays = []
        for _ in range(trials):
            seed = rng.random()
            delays.append(_first_seen(seed, n, shape, start))
        within_3 = _rate(sum(1 for d in delays if d is not None and d <= 3), trials)
        after_3 = _rate(sum(1 for d in delays if d is not None and d <= over + 3), trials)
        at_once = _rate(sum(1 for d in delays if d == 1), trials)
        what = "one-step" if over == 1 else "3-month"
        target = 50.0 if (n, over) == (100, 3) else None
        note = (
            f"in its first month {at_once:.0f} %"
            if over == 1
            else f"within 3 months of its end: {after_3:.0f} %"
        )
        figures.append(
            Figure(
                f"{what} 15-point fall caught within 3 months of its start, n {n}",
                within_3,
                "%",
                target,
                f"{note}; {trials} trials",
                True,
            )
        )
    return figures


def _first_seen(seed: float, n: int, shape: Sequence[float], start: int) -> int | None:
    """Draw every month's answers once, then judge each month as it closes."""
    rng = random.Random(seed)
    employee = _stored(rng, n, shape)
    customers = _stored(rng, 300, [0.0] * len(shape))
    metric_e, metric_c = _metrics()
    periods = last_periods(_TODAY, "month", len(shape) + 1)[:-1]
    for t in range(start, len(shape)):
        upto = t + 1
        seen = early_warning(
            0, "", metric_e, metric_c, employee[:upto], customers[:upto], periods[:upto], None
        )
        if seen is not None:
            return t - start + 1
    return None


PARTS: tuple[Callable[[], list[Figure]], ...] = (
    false_links,
    null_screens,
    power,
    warnings,
)


def run() -> tuple[list[Figure], str]:
    figures = [figure for part in PARTS for figure in part()]
    return figures, (
        "verdicts: rates in %, from fixed seeds; a null scenario's false links should be at "
        "most 5 %, and a target marked ≥ is a floor."
    )
