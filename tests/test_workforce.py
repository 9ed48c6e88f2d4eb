"""Headcount, turnover and churn against hand computations; the sorted counts they use
against a pass over everyone."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.metrics.workforce import (
    Tenure,
    Tenures,
    churn_rate,
    headcount,
    turnover_rate,
)
from tui.periods import period_of

MARCH = period_of(date(2026, 3, 1), "month")
AFTER_MARCH = date(2026, 6, 1)


def test_headcount_excludes_people_whose_termination_date_has_come():
    people = [Tenure(date(2020, 1, 1)), Tenure(date(2020, 1, 1), date(2026, 3, 10))]
    assert Tenures(people).active_on(date(2026, 3, 9)) == 2
    assert Tenures(people).active_on(date(2026, 3, 10)) == 1
    assert Tenures([Tenure(date(2026, 3, 10))]).active_on(date(2026, 3, 10)) == 1


def test_monthly_turnover_is_leavers_over_average_headcount():
    people = [Tenure(date(2020, 1, 1)) for _ in range(8)]
    people += [
        Tenure(date(2020, 1, 1), date(2026, 3, 5)),
        Tenure(date(2021, 5, 1), date(2026, 3, 31)),
    ]
    people += [Tenure(date(2026, 3, 15))]  # a hire in March
    # Start (28 Feb): 10. End (31 Mar): 8 + the hire = 9. Average 9.5. Leavers 2.
    result = turnover_rate(Tenures(people), MARCH, AFTER_MARCH)
    assert result.value == pytest.approx(100 * 2 / 9.5)
    assert result.n == 11


def test_turnover_of_the_current_month_is_measured_to_date():
    people = [Tenure(date(2020, 1, 1)) for _ in range(4)]
    people += [
        Tenure(date(2020, 1, 1), date(2026, 3, 5)),
        Tenure(date(2020, 1, 1), date(2026, 3, 25)),
    ]
    # Today is 10 March: the leaver of the 25th has not left yet.
    result = turnover_rate(Tenures(people), MARCH, date(2026, 3, 10))
    # Start 6, headcount on the 10th 5, average 5.5, one leaver.
    assert result.value == pytest.approx(100 / 5.5)


def test_turnover_of_a_period_without_people_is_no_value():
    assert turnover_rate(Tenures([]), MARCH, AFTER_MARCH).value is None


def test_turnover_ignores_records_outside_the_period():
    people = [Tenure(date(2020, 1, 1), date(2025, 12, 1)), Tenure(date(2026, 5, 1))]
    people += [Tenure(date(2020, 1, 1)), Tenure(date(2020, 1, 1))]
    assert turnover_rate(Tenures(people), MARCH, AFTER_MARCH).value == 0


def test_future_periods_have_no_value():
    assert turnover_rate(Tenures([Tenure(date(2020, 1, 1))]), MARCH, date(2026, 2, 1)).value is None


def test_headcount_at_the_end_of_the_period():
    people = [Tenure(date(2020, 1, 1)), Tenure(date(2026, 3, 31)), Tenure(date(2026, 4, 1))]
    assert headcount(Tenures(people), MARCH, AFTER_MARCH).value == 2


def test_churn_is_customers_lost_over_customers_at_the_start():
    customers = [Tenure(date(2024, 1, 1)) for _ in range(18)]
    customers += [Tenure(date(2024, 1, 1), date(2026, 3, 20))]
    customers += [Tenure(date(2024, 6, 1), date(2026, 3, 1))]
    # New in March and gone in March: not in the base, not churn.
    customers += [Tenure(date(2026, 3, 2), date(2026, 3, 9))]
    result = churn_rate(Tenures(customers), MARCH, AFTER_MARCH)
    assert result.value == pytest.approx(100 * 2 / 20)
    assert result.n == 20


def test_turnover_and_churn_carry_the_spread_of_a_share_by_hand():
    people = [Tenure(date(2020, 1, 1)) for _ in range(8)]
    people += [
        Tenure(date(2020, 1, 1), date(2026, 3, 5)),
        Tenure(date(2021, 5, 1), date(2026, 3, 31)),
    ]
    people += [Tenure(date(2026, 3, 15))]
    # 2 of an average 9.5 left: share q = 2/9.5; per person employed (n = 11) the spread
    # is 10000·q(1 - q)·11/9.5, so √(variance / 11) = 100·√(q(1 - q) / 9.5).
    result = turnover_rate(Tenures(people), MARCH, AFTER_MARCH)
    q = 2 / 9.5
    assert result.variance == pytest.approx(10_000 * q * (1 - q) * 11 / 9.5)
    customers = [Tenure(date(2024, 1, 1)) for _ in range(18)]
    customers += [Tenure(date(2024, 1, 1), date(2026, 3, 20))]
    customers += [Tenure(date(2024, 6, 1), date(2026, 3, 1))]
    # 2 of 20 lost: 10 %, spread 10·90 = 900.
    assert churn_rate(Tenures(customers), MARCH, AFTER_MARCH).variance == pytest.approx(900)


FIRST_DAY = date(2026, 1, 1)
# A few weeks of days, so that starts, ends and the days asked about often coincide.
days = st.integers(0, 40).map(lambda offset: FIRST_DAY + timedelta(days=offset))


@st.composite
def tenures(draw: st.DrawFn) -> list[Tenure]:
    found = []
    for start in draw(st.lists(days, max_size=40)):
        length = draw(st.none() | st.integers(0, 20))  # 0: ended the day it started
        found.append(Tenure(start, None if length is None else start + timedelta(days=length)))
    return found


@settings(max_examples=400, deadline=None)
@given(tenures(), days, days)
def test_sorted_counts_are_the_counts_of_a_pass_over_everyone(people, one, other):
    first, last = min(one, other), max(one, other)
    index = Tenures(people)
    assert len(index) == len(people)
    assert index.active_on(first) == sum(1 for t in people if t.active_on(first))
    assert index.started(first, last) == sum(1 for t in people if first <= t.start <= last)
    assert index.ended(first, last) == sum(
        1 for t in people if t.end is not None and first <= t.end <= last
    )
    assert index.active_during(first, last) == sum(
        1 for t in people if t.start <= last and (t.end is None or t.end >= first)
    )
    assert index.active_on_and_ended_by(first, last) == sum(
        1 for t in people if t.active_on(first) and t.end is not None and t.end <= last
    )


def test_sorted_counts_refuse_a_tenure_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="ends before it starts"):
        Tenures([Tenure(date(2026, 3, 2), date(2026, 3, 1))])
