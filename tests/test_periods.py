from datetime import date

from tui.periods import last_periods, period_of


def test_month_period_has_its_bounds_key_and_label():
    period = period_of(date(2026, 2, 14), "month")
    assert (period.start, period.end) == (date(2026, 2, 1), date(2026, 3, 1))
    assert period.key == "2026-02"
    assert period.label == "Feb 2026"


def test_iso_weeks_start_on_monday_and_cross_years():
    period = period_of(date(2027, 1, 1), "week")  # a Friday in ISO week 53 of 2026
    assert period.start == date(2026, 12, 28)
    assert period.key == "2026-W53"


def test_quarters():
    period = period_of(date(2026, 11, 25), "quarter")
    assert (period.start, period.end, period.key) == (
        date(2026, 10, 1),
        date(2027, 1, 1),
        "2026-Q4",
    )


def test_last_periods_end_with_the_one_holding_today_oldest_first():
    periods = last_periods(date(2026, 3, 10), "month", 4)
    assert [p.key for p in periods] == ["2025-12", "2026-01", "2026-02", "2026-03"]


def test_a_periods_remembered_key_changes_nothing_of_what_it_is():
    import dataclasses
    import pickle

    week = last_periods(date(2026, 3, 20), "week", 1)[0]
    fresh = dataclasses.replace(week)
    assert week.key == "2026-W12" and "key" in vars(week) and "key" not in vars(fresh)
    # Asked for or not, the same period: equal, hashed and ordered alike, and pickled
    # (a collector process hands periods over) with its key.
    assert fresh == week and hash(fresh) == hash(week) and not fresh < week
    assert pickle.loads(pickle.dumps(week)) == fresh and fresh.key == week.key
