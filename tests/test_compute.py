"""compute_metric: records in, observations per period and segment out."""

from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.config import validate_config
from tui.metrics.compute import EVERYONE, compute_metric
from tui.metrics.values import BadValue, parse_day, parse_scale_answer
from tui.periods import last_periods

TODAY = date(2026, 3, 20)
PERIODS = last_periods(TODAY, "month", 3)  # Jan, Feb, Mar 2026


def metric(**fields):
    base = {"id": "m", "label": "M", "side": "customer", "source": "s"}
    config = validate_config(
        {
            "sources": [{"id": "s", "kind": "json", "base_url": "http://127.0.0.1"}],
            "metrics": [
                {**base, **fields},
                {"id": "e", "label": "E", "side": "employee", "source": "s", "kind": "count"},
            ],
            "pairs": [{"employee": "e", "customer": "m"}],
        }
    )
    return config.metrics[0]


def values(result, segment=EVERYONE):
    return {o.period.key: (o.value, o.n) for o in result.observations if o.segment == segment}


def test_nps_by_month_with_records_outside_the_window_ignored():
    records = [
        {"date": "2026-01-05", "score": 10},
        {"date": "2026-01-20T23:30:00-02:00", "score": 0},  # 21 Jan 01:30 UTC
        {"date": "2026-03-01", "score": 9},
        {"date": "2025-12-31", "score": 0},  # before the window
        {"date": "2026-04-02", "score": 0},  # after it
    ]
    result = compute_metric(metric(kind="nps"), records, PERIODS, TODAY)
    assert values(result) == {
        "2026-01": (0.0, 2),
        "2026-02": (None, 0),
        "2026-03": (100.0, 1),
    }
    assert result.used == 3 and not result.rejected


def test_bad_scores_are_rejected_and_counted_never_read_as_numbers():
    records = [
        {"date": "2026-03-02", "score": 11},
        {"date": "2026-03-02", "score": -3},
        {"date": "2026-03-02", "score": "N/A"},
        {"date": "2026-03-02", "score": 8.5},
        {"date": "2026-03-02", "score": None},
        {"date": "not a date", "score": 9},
        {"date": "2026-03-02", "score": "9"},  # a numeric string is a number
    ]
    result = compute_metric(metric(kind="nps"), records, PERIODS, TODAY)
    assert values(result)["2026-03"] == (100.0, 1)
    assert sum(result.rejected.values()) == 6
    assert result.rejected["score 11 is outside 0–10"] == 1


def test_where_selects_records_and_segments_split_them():
    records = [
        {"date": "2026-03-02", "score": 5, "survey": "ticket", "team": "Support"},
        {"date": "2026-03-03", "score": 2, "survey": "ticket", "team": "Support"},
        {"date": "2026-03-04", "score": 4, "survey": "ticket", "team": "Sales"},
        {"date": "2026-03-04", "score": 1, "survey": "other", "team": "Sales"},
        {"date": "2026-03-05", "score": 5, "survey": "ticket"},  # no team: overall only
    ]
    m = metric(kind="csat", where={"survey": "ticket"}, segment_field="team", unit="%")
    result = compute_metric(m, records, PERIODS, TODAY)
    assert values(result)["2026-03"] == (pytest.approx(75.0), 4)
    assert values(result, "Support")["2026-03"] == (50.0, 2)
    assert values(result, "Sales")["2026-03"] == (100.0, 1)


def test_turnover_from_hr_records_with_segments():
    records = [
        {"hire_date": "2020-01-01", "termination_date": None, "dept": "A"},
        {"hire_date": "2020-01-01", "termination_date": "", "dept": "A"},
        {"hire_date": "2020-01-01", "termination_date": "2026-02-10", "dept": "A"},
        {"hire_date": "2020-01-01", "termination_date": None, "dept": "B"},
        {"hire_date": "2026-02-01", "termination_date": "2025-01-01", "dept": "B"},  # bad
    ]
    result = compute_metric(metric(kind="turnover", segment_field="dept"), records, PERIODS, TODAY)
    # February: start 4, end 3, average 3.5, one leaver.
    assert values(result)["2026-02"][0] == pytest.approx(100 / 3.5)
    # Team A: start 3, end 2, average 2.5.
    assert values(result, "A")["2026-02"][0] == pytest.approx(100 / 2.5)
    assert values(result, "B")["2026-02"][0] == 0
    assert result.rejected == {"end date is before start date": 1}


def test_value_metric_takes_the_last_report_of_each_period():
    records = [
        {"date": "2026-02-01", "value": 40, "responses": 10},
        {"date": "2026-02-20", "value": 44, "responses": 12},
        {"date": "2026-03-03", "value": "47.5", "responses": 3},
    ]
    m = metric(kind="value", n_field="responses")
    result = compute_metric(m, records, PERIODS, TODAY)
    assert values(result)["2026-02"] == (44.0, 12)
    assert values(result)["2026-03"] == (47.5, 3)


def test_value_metric_mean_of_a_period():
    records = [{"date": "2026-02-01", "value": 40}, {"date": "2026-02-20", "value": 50}]
    result = compute_metric(metric(kind="value", aggregate="mean"), records, PERIODS, TODAY)
    assert values(result)["2026-02"] == (45.0, 2)


def test_count_metric_counts_responses():
    records = [{"date": "2026-03-01"}, {"date": "2026-03-19"}, {"date": "2026-01-01"}]
    result = compute_metric(metric(kind="count"), records, PERIODS, TODAY)
    assert values(result)["2026-03"] == (2.0, 2)


# The fast paths (an int score, a timestamp ending in Z) must agree with the strict
# parsers on every input, good or bad: compare against a reference built from them.

_DATES = st.one_of(
    st.sampled_from(
        [
            "2026-01-05T10:00:00Z",
            "2026-01-31T23:59:59z",
            "2026-02-28T12:00:00.250Z",
            "2026-03-01T00:30:00+02:00Z",  # an offset and a Z: not plain UTC
            "2026-03-01T01:30:00+02:00",
            "2026-02-30T10:00:00Z",  # no such day
            "2026-02-10T25:00:00Z",  # no such hour
            "2026-02-10",
            "2025-12-31T23:59:59Z",  # before the window
            "Z",
            "",
            "yesterday",
        ]
    ),
    st.none(),
    st.integers(min_value=1_760_000_000, max_value=1_776_000_000),
)
_SCORES = st.one_of(
    st.integers(min_value=-2, max_value=12),
    st.booleans(),
    st.sampled_from(["9", " 7 ", "N/A", "", "10.0", "6.5"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)
_TEAMS = st.one_of(st.sampled_from(["Support", " Sales ", "", "  "]), st.none(), st.integers(0, 2))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({"date": _DATES, "score": _SCORES, "team": _TEAMS})))
def test_fast_paths_agree_with_the_strict_parsers(records):
    nps = metric(kind="nps", segment_field="team")
    result = compute_metric(nps, records, PERIODS, TODAY)
    keys = {p.key: p for p in PERIODS}
    buckets: dict[tuple[str, str], list[int]] = {}
    rejected: Counter[str] = Counter()
    for record in records:
        try:
            day = parse_day(record["date"])
            score = parse_scale_answer(record["score"], 0, 10)
        except BadValue as reason:
            rejected[str(reason)] += 1
            continue
        key = f"{day.year}-{day.month:02d}"
        if key not in keys:
            continue
        buckets.setdefault((EVERYONE, key), []).append(score)
        team = record["team"]
        team = str(team).strip() if team is not None else ""
        if team:
            buckets.setdefault((team, key), []).append(score)
    assert result.rejected == rejected
    for o in result.observations:
        scores = buckets.get((o.segment, o.period.key), [])
        assert o.n == len(scores)
        if scores:
            promoters = sum(s >= 9 for s in scores)
            detractors = sum(s <= 6 for s in scores)
            assert o.value == pytest.approx(100 * (promoters - detractors) / len(scores))
    segments = {o.segment for o in result.observations}
    assert segments == {EVERYONE} | {segment for segment, _ in buckets}
