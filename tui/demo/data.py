"""DEMO DATA: a made-up organisation, generated deterministically for the demo API.

Nothing here is real. Four customer-facing teams: people and customer accounts
over the six years up to `today`, pulse and customer surveys over the last two
(they began then, as survey programmes do). Each team has a hidden "health"
that drifts month to month. Employee answers and turnover follow a team's
health in the same month; its customers' answers and churn follow it some
months later (Support two months, Success one, Sales three), except Field Ops,
whose customers follow a health of their own — so the demo shows both a linked
team and an unlinked one.

Support is the large team (as support organisations are): with a few hundred
answers a month on each side, its planted two-month lead stands out of the
sampling noise, and Tandem's linkage finds it whatever the day. The smaller
teams' leads are real in the generator but often too noisy to confirm, which
is what a leader should expect of small teams in real data too.

An internal survey has the four teams rate the functions that serve them each
month, 0–10: IT (serving Support and Success), HR (all four) and Facilities
(Support and Field Ops, rated by fewer people). IT's service runs two months
ahead of the health of the teams it serves — the planted chain: its score is
drawn from their health two months on, which is the same statistics as their
health following it. HR and Facilities follow walks of their own: unlinked.
The internal survey draws from a random generator of its own, so adding it
changed no other record.

The same `today` and seed always give the same records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from tui.periods import last_periods

# Surveys began two years ago; the HR system and the CRM go back six, so quarterly
# turnover and churn have a real history (24 quarters, the default history_periods).
MONTHS = 24
HISTORY_MONTHS = 72
SEED = 20260101


@dataclass(frozen=True)
class Team:
    name: str
    headcount: int
    accounts: int
    # Months by which customers feel this team's health; None: not linked.
    customer_lag: int | None


TEAMS = (
    Team("Support", 180, 900, 2),
    Team("Success", 60, 300, 1),
    Team("Sales", 40, 200, 3),
    Team("Field Ops", 40, 200, None),
)


@dataclass(frozen=True)
class Function:
    name: str
    serves: tuple[str, ...]
    # Share of each served team's people who rate it in a month.
    raters: float
    # Months by which its service runs ahead of the served teams' health; None: unlinked.
    leads_by: int | None


FUNCTIONS = (
    Function("IT", ("Support",), 0.5, 2),
    Function("HR", ("Support", "Success", "Sales", "Field Ops"), 0.15, None),
    Function("Facilities", ("Support", "Field Ops"), 0.12, None),
)


@dataclass
class DemoData:
    """The records the demo API serves, in the vendors' own field names."""

    employees: list[dict[str, Any]] = field(default_factory=list)
    pulse_responses: list[dict[str, Any]] = field(default_factory=list)
    customer_responses: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    internal_responses: list[dict[str, Any]] = field(default_factory=list)


def _health_walk(
    rng: random.Random, months: int, dip_at: int | None, start: float | None = None
) -> list[float]:
    """A bounded random walk in [-1, 1], from `start` or a draw; an optional dip
    makes the link easy to see."""
    level, walk = rng.uniform(0.1, 0.5) if start is None else start, []
    for month in range(months):
        level = 0.7 * level + rng.gauss(0.03, 0.26)
        if dip_at is not None and dip_at <= month < dip_at + 3:
            level -= 0.35
        level = max(-1.0, min(1.0, level))
        walk.append(level)
    return walk


def _nps_answer(rng: random.Random, health: float) -> int:
    promoter = min(0.85, max(0.05, 0.38 + 0.36 * health))
    detractor = min(0.7, max(0.03, 0.2 - 0.26 * health))
    draw = rng.random()
    if draw < promoter:
        return rng.choice((9, 10))
    if draw < promoter + detractor:
        return rng.choice((2, 3, 4, 5, 6, 6, 6))
    return rng.choice((7, 8))


def _five_point_answer(rng: random.Random, health: float) -> int:
    satisfied = min(0.97, max(0.2, 0.76 + 0.26 * health))
    if rng.random() < satisfied:
        return rng.choice((4, 4, 5))
    return rng.choice((1, 2, 3, 3))


def _moment(rng: random.Random, day: date) -> str:
    seconds = rng.randrange(8 * 3600, 19 * 3600)
    moment = datetime.combine(day, time(), tzinfo=timezone.utc) + timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")


def _day_in(rng: random.Random, start: date, end: date, today: date) -> date | None:
    last = min(end - timedelta(days=1), today)
    if last < start:
        return None
    return start + timedelta(days=rng.randrange((last - start).days + 1))


def _add_customer_response(
    data: DemoData, rng: random.Random, day: date, team: Team, survey: str, answers: dict[str, int]
) -> None:
    data.customer_responses.append(
        {
            "response_id": f"C{len(data.customer_responses) + 1:06d}",
            "submitted_at": _moment(rng, day),
            "team": team.name,
            "survey": survey,
            "answers": answers,
        }
    )


def generate(today: date, seed: int = SEED) -> DemoData:
    """Records for four teams ending on `today`: six years of people and accounts,
    the last two of surveys."""
    rng = random.Random(seed)
    months = last_periods(today, "month", HISTORY_MONTHS)
    first_survey_month = HISTORY_MONTHS - MONTHS
    lead = 3  # customers feel health from before the window too
    data = DemoData()
    employee_number = account_number = response_number = 0
    healths: dict[str, list[float]] = {}

    for team_index, team in enumerate(TEAMS):
        dip = {0: first_survey_month + lead + 8, 1: first_survey_month + lead + 11}.get(team_index)
        health = _health_walk(rng, HISTORY_MONTHS + lead, dip)
        healths[team.name] = health
        customer_health = (
            _health_walk(rng, HISTORY_MONTHS + lead, None)
            if team.customer_lag is None
            else [health[max(0, m - team.customer_lag)] for m in range(HISTORY_MONTHS + lead)]
        )

        # People: a workforce already in place, plus hires that replace leavers.
        people: list[dict[str, Any]] = []
        for _ in range(team.headcount):
            employee_number += 1
            hired = months[0].start - timedelta(days=rng.randrange(30, 5 * 365))
            people.append({"id": f"E{employee_number:05d}", "hire": hired, "end": None})
        accounts: list[dict[str, Any]] = []
        for _ in range(team.accounts):
            account_number += 1
            started = months[0].start - timedelta(days=rng.randrange(30, 3 * 365))
            accounts.append({"id": f"A{account_number:05d}", "start": started, "end": None})

        for index, month in enumerate(months):
            h = health[index + lead]
            ch = customer_health[index + lead]
            # Turnover rises as health falls; leavers are replaced a few weeks later.
            for person in [p for p in people if p["end"] is None and p["hire"] < month.start]:
                if rng.random() < 0.012 + 0.03 * max(0.0, -h):
                    person["end"] = _day_in(rng, month.start, month.end, today)
                    if person["end"] is None:
                        continue
                    employee_number += 1
                    hire = _day_in(
                        rng,
                        person["end"] + timedelta(days=14),
                        month.end + timedelta(days=45),
                        today,
                    )
                    if hire is not None:
                        people.append({"id": f"E{employee_number:05d}", "hire": hire, "end": None})
            for account in [a for a in accounts if a["end"] is None and a["start"] < month.start]:
                if rng.random() < 0.008 + 0.03 * max(0.0, -ch):
                    account["end"] = _day_in(rng, month.start, month.end, today)
                    if account["end"] is None:
                        continue
                    account_number += 1
                    start = _day_in(rng, month.start, month.end, today)
                    if start is not None:
                        accounts.append(
                            {"id": f"A{account_number:05d}", "start": start, "end": None}
                        )

            if index < first_survey_month:
                continue
            # The monthly pulse survey: most active people answer.
            survey_day = _day_in(
                rng, month.start + timedelta(days=7), month.start + timedelta(days=14), today
            )
            if survey_day is not None:
                for person in people:
                    active = person["hire"] <= survey_day and (
                        person["end"] is None or person["end"] > survey_day
                    )
                    if active and rng.random() < 0.8:
                        response_number += 1
                        data.pulse_responses.append(
                            {
                                "response_id": f"P{response_number:06d}",
                                "submitted_at": _moment(
                                    rng, survey_day + timedelta(days=rng.randrange(4))
                                ),
                                "team": team.name,
                                "answers": {
                                    "enps": _nps_answer(rng, h),
                                    "engagement": _five_point_answer(rng, h),
                                },
                            }
                        )

            # Customers: a relationship NPS survey and CSAT after support tickets.
            for account in accounts:
                if account["start"] > month.start or (
                    account["end"] and account["end"] < month.start
                ):
                    continue
                if rng.random() < 0.3:
                    day = _day_in(rng, month.start, month.end, today)
                    if day is not None:
                        answers = {"nps": _nps_answer(rng, ch)}
                        _add_customer_response(data, rng, day, team, "relationship", answers)
                for _ in range(rng.choice((0, 0, 0, 1, 1))):
                    day = _day_in(rng, month.start, month.end, today)
                    if day is not None:
                        answers = {"csat": _five_point_answer(rng, ch)}
                        _add_customer_response(data, rng, day, team, "ticket", answers)

        data.employees.extend(
            {
                "employeeId": p["id"],
                "department": team.name,
                "hireDate": p["hire"].isoformat(),
                "terminationDate": p["end"].isoformat() if p["end"] else None,
            }
            for p in people
        )
        data.accounts.extend(
            {
                "account_id": a["id"],
                "owner_team": team.name,
                "contract_start": a["start"].isoformat(),
                "contract_end": a["end"].isoformat() if a["end"] else None,
            }
            for a in accounts
        )

    data.internal_responses = _internal_survey(today, seed, healths, lead)
    # APIs list newest answers first; the order must not matter to the metrics.
    data.pulse_responses.sort(key=lambda r: r["submitted_at"], reverse=True)
    data.customer_responses.sort(key=lambda r: r["submitted_at"], reverse=True)
    data.internal_responses.sort(key=lambda r: r["submitted_at"], reverse=True)
    return data


def _internal_survey(
    today: date, seed: int, healths: dict[str, list[float]], lead: int
) -> list[dict[str, Any]]:
    """The teams rate the functions that serve them, monthly over the survey years.
    `healths` are the teams' health walks, `lead` months ahead of the first one."""
    rng = random.Random(seed + 1)  # its own: the other records stay as they were
    months = last_periods(today, "month", HISTORY_MONTHS)[HISTORY_MONTHS - MONTHS :]
    first = HISTORY_MONTHS - MONTHS + lead  # the first survey month's place in a walk
    sizes = {team.name: team.headcount for team in TEAMS}
    responses: list[dict[str, Any]] = []
    for function in FUNCTIONS:
        ahead = function.leads_by or 0
        if function.leads_by is None:
            service = _health_walk(rng, MONTHS, None)
        else:
            # The served teams' health `ahead` months on; past the end of the walks,
            # the mean walk goes on as the walks do.
            served = [healths[name] for name in function.serves]
            mean = [sum(walk[m] for walk in served) / len(served) for m in range(len(served[0]))]
            mean += _health_walk(rng, ahead, None, start=mean[-1])
            service = [mean[first + m + ahead] for m in range(MONTHS)]
        for index, month in enumerate(months):
            for team in function.serves:
                for _ in range(round(sizes[team] * function.raters * rng.uniform(0.8, 1.2))):
                    day = _day_in(rng, month.start, month.end, today)
                    if day is None:
                        continue
                    responses.append(
                        {
                            "response_id": f"I{len(responses) + 1:06d}",
                            "submitted_at": _moment(rng, day),
                            "team": team,
                            "function": function.name,
                            "answers": {"service": _nps_answer(rng, service[index])},
                        }
                    )
    return responses
