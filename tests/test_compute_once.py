"""Weeks, months and quarters computed from one reading of the records equal a plain
computation of each, written here from the definitions (no tui.metrics code)."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.config import parse_config
from tui.metrics import compute
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
segment_field = "team"

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


# ── Counting as arrays (tui.metrics.columns) against reading record by record ──

# The config above, unfiltered, with a CSAT metric beside its NPS and its count.
COUNTED_CONFIG = (
    CONFIG.format(where="")
    + """
[[metrics]]
id = "csat"
label = "CSAT"
side = "customer"
source = "s"
kind = "csat"
score_field = "score"
date_field = "at"
segment_field = "team"
scale_min = 1
scale_max = 5
"""
)

# Each accepted form of the arrays, and its near misses: a bad hour, minute, second or
# day, a one-digit or seven-digit fraction, an offset that moves the day, a lower-case
# t, padding, a NUL, a year out of range. Every one of them must come out as the
# strict reading has it: taken on the same day, or refused for the same reason.
DAYS = ["2026-05-31", "2026-06-01", "2026-02-28", "2024-02-29", "2026-02-30", "1899-12-31"]
TIMES = [
    "T10:11:12Z",
    "T23:59:59z",
    " 00:00:00Z",
    "T10:11:12.123Z",
    "T10:11:12.123456Z",
    "T10:11:12+00:00",
    "T10:11:12.123+00:00",
    "T10:11:12.123456+00:00",
    "T24:00:00Z",
    "T10:60:00Z",
    "T10:11:60Z",
    "T10:11:12.1Z",
    "T10:11:12.1234567Z",
    "T23:30:00+02:00",
    "T23:30:00-09:00",
    "t10:11:12Z",
    "T10:11:12",
    "T10:11Z",
    "T10:11:12Z\x00",
    "T10:11:12ZZ",
    "T1a:11:12Z",
]
NEAR_STAMPS = st.one_of(
    st.builds(lambda day, time: day + time, st.sampled_from(DAYS), st.sampled_from(TIMES)),
    st.builds(lambda day, time: f" {day}{time} ", st.sampled_from(DAYS), st.sampled_from(TIMES)),
    st.sampled_from(["2026-06-01", "20260601T101112Z", "2026-W22-1T10:00:00Z", "", None, 7]),
    st.sampled_from(["0000-01-01T10:11:12Z", "2026-00-10T10:11:12Z", "9999-12-31T10:11:12Z"]),
)
NEAR_SCORES = st.one_of(
    st.integers(-1, 12),
    st.sampled_from([True, False, 9.0, 4.5, None, 2**70, -(2**70)]),
    # As a CSV file gives them: plain digits, and the forms only the strict reading takes.
    st.sampled_from(["9", "4", "10", "0", "11", "-1", "09", " 9", "9.0", "\u0669", "x", ""]),
)
NEAR_TEAMS = st.sampled_from(
    ["Support", " Support ", "", "  ", None, 1, 1.0, True, "1", {"n": 1}, ["a"]]
)
NEAR_RECORDS = st.lists(
    st.fixed_dictionaries({"at": NEAR_STAMPS, "score": NEAR_SCORES, "team": NEAR_TEAMS}),
    max_size=150,
)


@contextlib.contextmanager
def _columnar_from(count: int):  # type: ignore[no-untyped-def]
    kept = compute.COLUMNAR_FROM
    compute.COLUMNAR_FROM = count
    try:
        yield
    finally:
        compute.COLUMNAR_FROM = kept


def _both_ways(metric, records, windows):  # type: ignore[no-untyped-def]
    with _columnar_from(0):
        as_arrays = compute_metric_each(metric, records, windows, TODAY)
    with _columnar_from(10**9):
        one_by_one = compute_metric_each(metric, records, windows, TODAY)
    return as_arrays, one_by_one


def _assert_both_ways_agree(records):  # type: ignore[no-untyped-def]
    """Every counted metric of the config, as arrays and one by one: the same records
    used and refused (by reason), and the same observations."""
    config = parse_config(COUNTED_CONFIG)
    windows = [last_periods(TODAY, g, 40) for g in ("week", "month", "quarter")]
    for metric in config.metrics:
        as_arrays, one_by_one = _both_ways(metric, records, windows)
        for arrays, strict in zip(as_arrays, one_by_one, strict=True):
            assert arrays.used == strict.used, metric.id
            assert arrays.rejected == strict.rejected, metric.id
            assert arrays.observations == strict.observations, metric.id


@settings(max_examples=500, deadline=None)
@given(records=NEAR_RECORDS)
def test_counting_as_arrays_takes_and_refuses_what_the_strict_reading_does(records):
    _assert_both_ways_agree(records)


def test_the_strict_reading_is_checked_here_against_a_record_it_refuses():
    # The comparison above would pass if both ways took everything: each way refuses
    # a one-digit hour offset that moves the day, and a 31st of February, alike.
    config = parse_config(COUNTED_CONFIG)
    metric = next(m for m in config.metrics if m.id == "nps")
    records = [
        {"at": "2026-05-31T23:30:00-09:00", "score": 10, "team": "Support"},
        {"at": "2026-02-31T10:00:00Z", "score": 10, "team": "Support"},
        {"at": "2026-05-31T10:00:00Z", "score": True, "team": "Support"},
        {"at": "2026-05-31T10:00:00.5Z", "score": 0, "team": 1},
        {"at": "2026-05-31T10:00:00Z", "score": 9, "team": True},
        # Equal as Python keys, different teams: each counted under its own name.
        {"at": "2026-05-31T11:00:00Z", "score": 7, "team": 1},
        {"at": "2026-05-31T12:00:00Z", "score": 7, "team": 1.0},
    ]
    windows = [last_periods(TODAY, "month", 3)]
    as_arrays, one_by_one = _both_ways(metric, records, windows)
    assert as_arrays[0].observations == one_by_one[0].observations
    assert sum(as_arrays[0].rejected.values()) == 2  # the 31st of February, and True
    june = {(o.segment, o.period.key): o.n for o in as_arrays[0].observations if o.n}
    assert june == {
        ("", "2026-06"): 1,
        ("", "2026-05"): 4,
        ("1", "2026-05"): 2,
        ("1.0", "2026-05"): 1,
        ("Support", "2026-06"): 1,
        ("True", "2026-05"): 1,
    }


# Stamps all of one length are read as bytes (the common case: a vendor writes every
# stamp alike); a NUL, a character outside ASCII or a different length sends a slice to
# the four-byte reading. Near misses of one length each, so both readings are met.
SAME_LENGTH = [
    "2026-05-31",
    "2026-05-31T23:59:59Z",
    "2026-06-01T10:11:12.123Z",
    "2026-06-01T10:11:12+0000",
    "2026-06-01T10:11:12+00:00",
    "2026-06-01T10:11:12.123456Z",
    "2026-06-01T10:11:12.123+00:00",
    "2026-06-01T10:11:12.123456+00:00",
    "2026-06-01T10:11:1",
]
MUTATIONS = "0123456789-:T tZz.+_\x00\u00e9\u0669"


@st.composite
def same_length_records(draw):  # type: ignore[no-untyped-def]
    base = draw(st.sampled_from(SAME_LENGTH))
    records = []
    for _ in range(draw(st.integers(1, 60))):
        stamp = list(base)
        for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2]))):
            stamp[draw(st.integers(0, len(stamp) - 1))] = draw(st.sampled_from(MUTATIONS))
        records.append(
            {
                "at": "".join(stamp),
                "score": draw(st.integers(0, 10)),
                "team": draw(st.sampled_from(["Support", "Sales"])),
            }
        )
    return records


@settings(max_examples=300, deadline=None)
@given(records=same_length_records())
def test_stamps_of_one_length_are_taken_and_refused_as_the_strict_reading_does(records):
    _assert_both_ways_agree(records)


def test_stamps_are_read_as_bytes_only_when_each_is_as_long_as_the_first():
    from tui.metrics.columns import _uniform_codes

    clean = ["2026-05-31T10:11:12Z", "2026-06-01T00:00:00Z"]
    codes = _uniform_codes(clean)
    assert codes is not None and codes[1] == 20 and codes[0].shape == (2, 21)
    # 20 + 21 + 19 characters are as many as three of 20: the separators tell them apart.
    assert _uniform_codes([clean[0], clean[0] + "Z", clean[0][:-1]]) is None
    assert _uniform_codes([clean[0], "2026-05-31T10:11:1\x00Z"]) is None  # a NUL inside
    assert _uniform_codes([clean[0], "2026-05-31T10:11:1\u0669Z"]) is None  # not ASCII
    assert _uniform_codes([clean[0], None]) is None  # not all text
    assert _uniform_codes(["2026-05-31"])[0].shape == (1, 20)  # padded to the time's width


def test_counting_as_arrays_leaves_the_cycle_collector_as_it_found_it():
    import gc

    metric = next(m for m in parse_config(COUNTED_CONFIG).metrics if m.id == "nps")
    records = [{"at": "2026-05-31T10:11:12Z", "score": 9, "team": "Support"}] * 10
    windows = [last_periods(TODAY, "month", 3)]
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            with _columnar_from(0):
                result = compute_metric_each(metric, records, windows, TODAY)[0]
            assert result.used == 10 and gc.isenabled() is enabled
    finally:
        gc.enable()


# Records read by columns (a CSV file) give what the same records as dicts give, for
# every counted metric, a filtered one and a mean: counted as arrays or one by one.
# CONFIG's NPS metric again, as "filtered", with its where.
_FILTERED = "[[metrics]]" + CONFIG.split("[[metrics]]")[1].replace(
    'id = "nps"', 'id = "filtered"'
).format(where='where = { kind = "a" }')
COLUMNS_CONFIG = (
    COUNTED_CONFIG
    + _FILTERED
    + """
[[metrics]]
id = "mean"
label = "Mean"
side = "employee"
source = "s"
kind = "mean"
score_field = "score"
date_field = "at"
segment_field = "team"
scale_min = 0
scale_max = 10
"""
)


@settings(max_examples=150, deadline=None)
@given(
    records=st.lists(
        st.fixed_dictionaries(
            {
                "at": NEAR_STAMPS,
                "score": NEAR_SCORES,
                "team": NEAR_TEAMS,
                "kind": st.sampled_from(["a", "b", None]),
            }
        ),
        max_size=80,
    ),
    arrays=st.booleans(),
    # Stamps all of one form (one length), as a file or an API gives them: packed.
    one_form=st.one_of(st.none(), st.sampled_from(TIMES)),
    days=st.lists(st.sampled_from(DAYS), min_size=80, max_size=80),
    # Built as a source builds them, a slice at a time, every column that can be packed
    # packed; or given as lists.
    built_in_slices_of=st.one_of(st.none(), st.integers(1, 30)),
)
def test_records_as_columns_compute_what_the_same_records_as_dicts_do(
    records, arrays, one_form, days, built_in_slices_of
):
    from tui.sources.base import Columns, ColumnsBuilder

    if one_form is not None:
        records = [
            {**record, "at": day + one_form} for record, day in zip(records, days, strict=False)
        ]
    fields = ("at", "score", "team", "kind")
    values_of = {name: [record[name] for record in records] for name in fields}
    if built_in_slices_of is None:
        columns = Columns(values_of, len(records))
    else:
        builder = ColumnsBuilder(fields)
        builder.SHARED_AT_MOST = 0  # type: ignore[misc]
        for start in range(0, len(records), built_in_slices_of):
            end = start + built_in_slices_of
            builder.add_columns({name: values[start:end] for name, values in values_of.items()})
        columns = builder.build()
    windows = [last_periods(TODAY, g, 40) for g in ("week", "month", "quarter")]
    with _columnar_from(0 if arrays else 10**9):
        for metric in parse_config(COLUMNS_CONFIG).metrics:
            as_columns = compute_metric_each(metric, columns, windows, TODAY)
            as_dicts = compute_metric_each(metric, records, windows, TODAY)
            for by_columns, by_dicts in zip(as_columns, as_dicts, strict=True):
                assert by_columns.used == by_dicts.used, metric.id
                assert by_columns.rejected == by_dicts.rejected, metric.id
                assert by_columns.observations == by_dicts.observations, metric.id


def test_what_one_metric_reads_of_a_column_serves_the_next_unnarrowed():
    from tui.metrics.columns import count_answers
    from tui.metrics.compute import _calendar_day, _segment_named

    stamps = ["2026-05-31T10:11:12Z"] * 4
    scores = [9, 99, "x", 3]  # two off the scale: left for the strict reading by NPS
    teams = ["Support", "Sales", "Support", "Sales"]
    memo: dict[object, object] = {}
    nps = count_answers(stamps, scores, teams, (0, 10), _calendar_day, _segment_named, memo)
    assert nps.left == [1, 2] and len(memo) == 2  # the stamps and the teams, read once
    count = count_answers(stamps, None, teams, (0, 0), _calendar_day, _segment_named, memo)
    assert count.left == []  # NPS's scores narrowed its own reading, not the column's
    assert int(count.amounts.sum()) == 4 and len(memo) == 2
