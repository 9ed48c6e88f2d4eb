"""Survey scores: NPS, top-box share (CSAT), mean and count, each with its n.

Each score is a mean over its answers (NPS counts a promoter as 100, a passive as 0
and a detractor as -100; a top-box share counts 100 or 0), so each also carries the
spread of those answers: `variance`, per answer, so that the sampling error of the
value is √(variance / n). Early warnings weigh a movement against it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Aggregate:
    """A value and the number of records behind it; `value` is None when n is 0."""

    value: float | None
    n: int
    # Per record, in the value's unit squared: the value's standard error is
    # √(variance / n). None where the value is not a mean over records (a count).
    variance: float | None = None


def share_spread(percent: float) -> float:
    """The spread per record of a share in percent: each record counts 100 or 0."""
    return percent * (100.0 - percent)


def net_promoter_score(scores: Sequence[int]) -> Aggregate:
    """% promoters (9–10) minus % detractors (0–6) over 0–10 answers: −100 to 100."""
    return counted_net_promoter_score(Counter(scores))


def counted_net_promoter_score(counts: Mapping[int, int]) -> Aggregate:
    """`net_promoter_score` of answers given as how many gave each score."""
    n = sum(counts.values())
    if not n:
        return Aggregate(None, 0)
    promoters = sum(count for score, count in counts.items() if score >= 9)
    detractors = sum(count for score, count in counts.items() if score <= 6)
    value = 100.0 * (promoters - detractors) / n
    # E[x²] - E[x]² with x = ±100 or 0.
    return Aggregate(value, n, max(0.0, 10_000.0 * (promoters + detractors) / n - value * value))


def top_box_share(scores: Sequence[int], scale_max: int, top_boxes: int) -> Aggregate:
    """% of answers in the `top_boxes` highest options of a scale ending at `scale_max`.

    CSAT on a 1–5 scale with two top boxes counts answers of 4 and 5.
    """
    return counted_top_box_share(Counter(scores), scale_max, top_boxes)


def counted_top_box_share(counts: Mapping[int, int], scale_max: int, top_boxes: int) -> Aggregate:
    """`top_box_share` of answers given as how many gave each score."""
    n = sum(counts.values())
    if not n:
        return Aggregate(None, 0)
    lowest_top = scale_max - top_boxes + 1
    share = 100.0 * sum(count for score, count in counts.items() if score >= lowest_top) / n
    return Aggregate(share, n, share_spread(share))


def mean_score(scores: Sequence[float]) -> Aggregate:
    if not scores:
        return Aggregate(None, 0)
    mean = math.fsum(scores) / len(scores)
    return Aggregate(mean, len(scores), math.fsum((s - mean) ** 2 for s in scores) / len(scores))


def response_count(count: int) -> Aggregate:
    return Aggregate(float(count), count)
