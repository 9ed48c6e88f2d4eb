"""Weeks, months and quarters computed from one reading of the records equal a plain
computation of each, written here from the definitions (no tui.metrics code)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.config import parse_config
from tui.metrics.compute import compute_metric_each
from tui.periods import last_periods

TODAY = date(2026, 6, 17)
CONFIG = """
[[sources]]
id = "s"
kind = "json"
base_url = "http://127.0.0.1:9"
path = "r"

[[metrics]]
id = "nps"
label = "NPS"
side = "customer"
source = "s"
kind = "nps"
score_field = "score"
date_field = "at"
segment_field = "team"
{where}

[[metrics]]
id = "e"
label = "e"
side = "employee"
source = "s"
kind = "count"
date_field = "at"

[[pairs]]
employee = "e"
customer = "nps"
"""

# Awkward on purpose: an offset that moves the day, a bare date, a date-time with no
# zone, a lower-case z, rubbish, nothing; scores off the scale or not numbers; teams
# with spaces, numbers, nothing or an object.
STAMPS = st.one_of(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2026, 6, 17, 23), timezones=st.none()
    ).map(lambda moment: moment.isoformat() + "Z"),
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2026, 6, 17, 23), timezones=st.none()
    ).map(lambda moment: moment.replace(tzinfo=timezone(timedelta(hours=-9))).isoformat()),
    st.dates(min_value=date(2024, 1, 1), max_value=TODAY).map(date.isoformat),
    st.just("2026-05-31T23:30:00z"),
    st.just("2026-02-30T10:00:00Z"),
    st.sampled_from(["yesterday", "", None]),
)
SCORES = st.one_of(st.integers(-1, 12), st.sampled_from([None, "x", 9.5]))
TEAMS = st.sampled_from(["Support", " Support ", "Sales", "", "  ", None, 7, {"n": 1}])
RECORDS = st.lists(
    st.fixed_dictionaries(
        {"at": STAMPS, "score": SCORES, "team": TEAMS, "kind": st.sampled_from(["a", "b"])}
    ),
    max_size=120,
)


def _day(stamp: object) -> date | None:
    if not isinstance(stamp, str) or not stamp:
        return None
    text = stamp[:-1] + "+00:00" if stamp[-1] in "Zz" else stamp
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.date()


def _team(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def _plain_nps(records: list[dict[str, object]], period, team: str) -> tuple[float | None, int]:
    scores = []
    for record in records:
        day, score = _day(record["at"]), record["score"]
        if day is None or type(score) is not int or not 0 <= score <= 10:
            continue
        if period.start <= day < period.end and (not team or _team(record["team"]) == team):
            scores.append(score)
    if not scores:
        return None, 0
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100 * (promoters - detractors) / len(scores), len(scores)


@settings(max_examples=150, deadline=None)
@given(records=RECORDS, filtered=st.booleans())
def test_every_granularity_from_one_reading_is_the_plain_computation(records, filtered):
    config = parse_config(CONFIG.format(where='where = { kind = "a" }' if filtered else ""))
    metric = next(m for m in config.metrics if m.id == "nps")
    windows = [last_periods(TODAY, g, 12) for g in ("week", "month", "quarter")]
    results = compute_metric_each(metric, records, windows, TODAY)
    chosen = [r for r in records if r["kind"] == "a"] if filtered else records
    rejected = sum(
        1
        for r in chosen
        if _day(r["at"]) is None or type(r["score"]) is not int or not 0 <= r["score"] <= 10
    )
    for periods, result in zip(windows, results, strict=True):
        assert sum(result.rejected.values()) == rejected
        found = {(o.segment, o.period): (o.value, o.n) for o in result.observations}
        teams = {_team(r["team"]) for r in chosen if _team(r["team"])}
        for period in periods:
            for team in ["", *teams]:
                expected = _plain_nps(chosen, period, team)
                value, n = found.get((team, period), (None, 0))
                assert n == expected[1], (team, period)
                if n:
                    assert value is not None and expected[0] is not None
                    assert abs(value - expected[0]) < 1e-9, (team, period)
