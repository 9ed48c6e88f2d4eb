"""Independent hand computations of the demo's current-month values.

Written straight from the definitions, from the demo's raw records in their
vendor field names, sharing no code with tui.metrics: if both agree, the
numbers on screen are the numbers the records hold.
"""

from __future__ import annotations

from datetime import date, timedelta

from tui.demo.data import generate


def _month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    return first, today  # the running month, measured to date


def _in_month(stamp: str, first: date, last: date) -> bool:
    day = date.fromisoformat(stamp[:10])  # the demo writes UTC timestamps ending in Z
    return first <= day <= last


def _nps(scores: list[int]) -> float:
    promoters = len([s for s in scores if s in (9, 10)])
    detractors = len([s for s in scores if s <= 6])
    return 100.0 * (promoters - detractors) / len(scores)


def _active(start: str, end: str | None, day: date) -> bool:
    return date.fromisoformat(start) <= day and (end is None or date.fromisoformat(end) > day)


def demo_current_values(today: date) -> dict[str, tuple[float, int]]:
    data = generate(today)
    first, last = _month_bounds(today)
    pulse = [r for r in data.pulse_responses if _in_month(r["submitted_at"], first, last)]
    customers = [r for r in data.customer_responses if _in_month(r["submitted_at"], first, last)]
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
            100.0 * len([s for s in engagement if s >= 4]) / len(engagement),
            len(engagement),
        ),
        "csat": (100.0 * len([s for s in csat if s >= 4]) / len(csat), len(csat)),
        "turnover": (100.0 * leavers / ((start_count + end_count) / 2), employed),
        "churn": (100.0 * len(lost) / len(base), len(base)),
    }
