"""Independent hand computations of the demo's current-month values.

Written straight from the definitions, from the demo's raw records in their
vendor field names, sharing no code with tui.metrics: if both agree, the
numbers on screen are the numbers the records hold.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tui.demo.data import generate


def _in_month(stamp: str, first: date, last: date) -> bool:
    day = date.fromisoformat(stamp[:10])  # the demo writes UTC timestamps ending in Z
    return first <= day <= last


def _nps(scores: list[int]) -> float:
    if not scores:
        return float("nan")  # no answers yet (the 1st of a month): never what is shown
    promoters = len([s for s in scores if s in (9, 10)])
    detractors = len([s for s in scores if s <= 6])
    return 100.0 * (promoters - detractors) / len(scores)


def _active(start: str, end: str | None, day: date) -> bool:
    return date.fromisoformat(start) <= day and (end is None or date.fromisoformat(end) > day)


def demo_current_values(today: date) -> dict[str, tuple[float, int]]:
    """Each panel's current value and n: the running month for customer metrics, and the
    last closed month for employee ones (a running employee period is hidden until it
    closes, so no one can watch a colleague's answer arrive)."""
    data = generate(today)
    running = _month_values(data, today.replace(day=1), today)
    last_day = today.replace(day=1) - timedelta(days=1)
    closed = _month_values(data, last_day.replace(day=1), last_day)
    return {
        metric_id: (closed if metric_id in EMPLOYEE else running)[metric_id]
        for metric_id in running
    }


# Shown for the last closed month: employee values, and internal service scores (their
# raters are employees too).
EMPLOYEE = ("enps", "engagement", "turnover", "service")


def demo_function_scores(today: date) -> dict[str, tuple[float, int]]:
    """Each function's internal service NPS and n in the last closed month."""
    data = generate(today)
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    by_function: dict[str, list[int]] = {}
    for r in data.internal_responses:
        if _in_month(r["submitted_at"], first, last):
            by_function.setdefault(r["function"], []).append(r["answers"]["service"])
    return {name: (_nps(scores), len(scores)) for name, scores in by_function.items()}


def _month_values(data: Any, first: date, last: date) -> dict[str, tuple[float, int]]:
    pulse = [r for r in data.pulse_responses if _in_month(r["submitted_at"], first, last)]
    customers = [r for r in data.customer_responses if _in_month(r["submitted_at"], first, last)]
    service = [
        r["answers"]["service"]
        for r in data.internal_responses
        if _in_month(r["submitted_at"], first, last)
    ]
    enps = [r["answers"]["enps"] for r in pulse]
    engagement = [r["answers"]["engagement"] for r in pulse]
    nps = [r["answers"]["nps"] for r in customers if r["survey"] == "relationship"]
    csat = [r["answers"]["csat"] for r in customers if r["survey"] == "ticket"]

    day_before = first - timedelta(days=1)
    staff = data.employees
    start_count = len(
        [e for e in staff if _active(e["hireDate"], e["terminationDate"], day_before)]
    )
    end_count = len([e for e in staff if _active(e["hireDate"], e["terminationDate"], last)])
    leavers = len(
        [
            e
            for e in staff
            if e["terminationDate"] and first <= date.fromisoformat(e["terminationDate"]) <= last
        ]
    )
    employed = len(
        [
            e
            for e in staff
            if date.fromisoformat(e["hireDate"]) <= last
            and (e["terminationDate"] is None or date.fromisoformat(e["terminationDate"]) >= first)
        ]
    )
    base = [a for a in data.accounts if _active(a["contract_start"], a["contract_end"], day_before)]
    lost = [a for a in base if a["contract_end"] and date.fromisoformat(a["contract_end"]) <= last]

    return {
        "enps": (_nps(enps), len(enps)),
        "nps": (_nps(nps), len(nps)),
        "engagement": (
            100.0 * len([s for s in engagement if s >= 4]) / max(len(engagement), 1),
            len(engagement),
        ),
        "csat": (100.0 * len([s for s in csat if s >= 4]) / max(len(csat), 1), len(csat)),
        "turnover": (100.0 * leavers / ((start_count + end_count) / 2), employed),
        "churn": (100.0 * len(lost) / len(base), len(base)),
        "service": (_nps(service), len(service)),
    }
