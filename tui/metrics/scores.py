"""Survey scores: NPS, top-box share (CSAT), mean and count, each with its n."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Aggregate:
    """A value and the number of records behind it; `value` is None when n is 0."""

    value: float | None
    n: int


def net_promoter_score(scores: Sequence[int]) -> Aggregate:
    """% promoters (9–10) minus % detractors (0–6) over 0–10 answers: −100 to 100."""
    if not scores:
        return Aggregate(None, 0)
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return Aggregate(100.0 * (promoters - detractors) / len(scores), len(scores))


def top_box_share(scores: Sequence[int], scale_max: int, top_boxes: int) -> Aggregate:
    """% of answers in the `top_boxes` highest options of a scale ending at `scale_max`.

    CSAT on a 1–5 scale with two top boxes counts answers of 4 and 5.
    """
    if not scores:
        return Aggregate(None, 0)
    lowest_top = scale_max - top_boxes + 1
    top = sum(1 for score in scores if score >= lowest_top)
    return Aggregate(100.0 * top / len(scores), len(scores))


def mean_score(scores: Sequence[float]) -> Aggregate:
    if not scores:
        return Aggregate(None, 0)
    return Aggregate(sum(scores) / len(scores), len(scores))


def response_count(count: int) -> Aggregate:
    return Aggregate(float(count), count)
