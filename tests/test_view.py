"""What a panel shows, from stored values."""

from datetime import date, datetime, timezone

from tui.collect.scheduler import SourceSchedule
from tui.config import validate_config
from tui.metrics.display import threshold_status
from tui.periods import last_periods
from tui.store import SourceStatus, StoredObservation
from tui.views.panels import format_age, panel_view, source_line, stale_text

FETCHED = datetime(2026, 3, 20, tzinfo=timezone.utc)


def metric(**fields):
    config = validate_config(
        {
            "sources": [{"id": "s", "kind": "json", "base_url": "http://127.0.0.1"}],
            "metrics": [
                {
                    "id": "m",
                    "label": "Churn",
                    "side": "customer",
                    "source": "s",
                    "kind": "churn",
                    **fields,
                },
                {"id": "e", "label": "E", "side": "employee", "source": "s", "kind": "count"},
            ],
            "pairs": [{"employee": "e", "customer": "m"}],
        }
    )
    return config.metrics[0]


def stored(*values):
    """Stored rows for January onwards; None is a month that was never stored."""
    return [
        StoredObservation(f"2026-{m:02d}", date(2026, m, 1), v, 50, "s", FETCHED)
        for m, v in enumerate(values, start=1)
        if v is not None
    ]


def axis(today):
    return last_periods(today, "month", 12)


def test_thresholds_for_lower_is_better():
    m = metric(direction="lower_is_better", thresholds={"warn": 1.5, "bad": 2.5})
    assert [threshold_status(v, m) for v in (1.0, 1.5, 2.0, 2.5, 3.0)] == [
        "good",
        "good",
        "warn",
        "warn",
        "bad",
    ]


def test_thresholds_for_higher_is_better():
    m = metric(direction="higher_is_better", thresholds={"warn": 20, "bad": 0})
    assert [threshold_status(v, m) for v in (25, 20, 5, -1, None)] == [
        "good",
        "good",
        "warn",
        "bad",
        "none",
    ]


def test_panel_shows_the_latest_period_with_a_value_and_its_change():
    m = metric(unit="%", decimals=1, direction="lower_is_better", target=1.0)
    view = panel_view(m, stored(1.2, 2.0, 1.5, None), axis(date(2026, 4, 10)), date(2026, 4, 10))
    assert view.value == 1.5 and view.value_text == "1.5%"
    assert view.change_text == "▼ 0.5 pts"
    assert view.improving is True  # churn went down
    assert view.period_label == "Mar 2026"
    assert view.target_text == "target 1.0%"
    assert view.n == 50
    assert view.compared_with == "vs Feb 2026"
    assert view.range_text == "12-period range 1.2% to 2.0%"
    assert len(view.history) == 12 and view.history[-1].period_key == "2026-04"


def test_the_running_period_says_to_date():
    view = panel_view(metric(), stored(1.0, 2.0, 3.0), axis(date(2026, 3, 5)), date(2026, 3, 5))
    assert view.period_label == "Mar 2026 to date"
    assert view.change_text == "▲ 1" and view.improving is False


def test_a_panel_without_data():
    view = panel_view(metric(), [], axis(date(2026, 3, 5)), date(2026, 3, 5))
    assert view.value_text == "—" and view.period_label == "no data yet" and view.status == "none"


def test_after_an_empty_period_there_is_no_change_to_show():
    view = panel_view(metric(), stored(1.0, None, 3.0), axis(date(2026, 3, 5)), date(2026, 3, 5))
    assert view.change is None and view.change_text == "no previous period"
    assert [p.value for p in view.history[-3:]] == [1.0, None, 3.0]


def test_a_suppressed_group_shows_no_value_and_says_why():
    rows = [
        StoredObservation("2026-02", date(2026, 2, 1), 10.0, 40, "s", FETCHED),
        StoredObservation("2026-03", date(2026, 3, 1), None, 0, "s", FETCHED, suppressed=True),
    ]
    m = metric(kind="turnover")
    view = panel_view(m, rows, axis(date(2026, 3, 5)), date(2026, 3, 5), anonymity_threshold=5)
    assert view.value is None and view.value_text == "—"
    assert view.suppressed_text == "fewer than 5 people"
    assert view.change is None and view.status == "none"
    # Hidden as a complement: its own group is large, so it must not say "fewer than".
    rows[-1] = StoredObservation("2026-03", date(2026, 3, 1), None, 0, "s", FETCHED, suppressed=2)
    view = panel_view(m, rows, axis(date(2026, 3, 5)), date(2026, 3, 5), anonymity_threshold=5)
    assert view.value is None and view.suppressed_text == "hidden: would reveal a group under 5"


def test_a_failing_source_makes_its_values_stale_with_their_age():
    now = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)
    ok_at = datetime(2026, 3, 20, 9, 30, tzinfo=timezone.utc)
    failing = SourceStatus("s", ok_at, 10, "503", datetime(2026, 3, 20, 11, 0, tzinfo=timezone.utc))
    assert stale_text(failing, now) == "stale 2 h"
    assert stale_text(SourceStatus("s", ok_at, 10, None, None), now) == ""


def test_source_lines():
    now = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)
    ok = SourceStatus("hr", datetime(2026, 3, 20, 11, 0, tzinfo=timezone.utc), 10, None, None)
    stale = SourceStatus(
        "hr",
        datetime(2026, 3, 20, 10, 0, tzinfo=timezone.utc),
        10,
        "401 from hr — check HR_KEY",
        datetime(2026, 3, 20, 11, 59, tzinfo=timezone.utc),
    )
    broken = SourceStatus("hr", None, None, "hr: cannot reach x", now)
    idle = SourceSchedule(
        refreshing=False, circuit_open=False, consecutive_failures=0, retry_in=None
    )
    busy = SourceSchedule(
        refreshing=True, circuit_open=False, consecutive_failures=0, retry_in=None
    )
    paused = SourceSchedule(
        refreshing=False, circuit_open=True, consecutive_failures=5, retry_in=240
    )
    assert source_line("hr", ok, idle, now).state == "ok"
    line = source_line("hr", stale, idle, now)
    assert line.state == "stale" and line.text.endswith("(2 h) — 401 from hr — check HR_KEY")
    assert source_line("hr", broken, None, now).text == "cannot reach x"
    assert source_line("hr", broken, paused, now).text == (
        "cannot reach x · paused after 5 failures, next try in 4 min"
    )
    assert source_line("hr", None, busy, now).state == "refreshing"
    with_skips = SourceStatus("hr", ok.last_ok_at, 10, None, None, skipped=3)
    assert source_line("hr", with_skips, idle, now).text.endswith("· 3 skipped")


def test_a_screen_that_only_reads_says_refreshing_while_the_collector_fetches():
    now = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)
    ok_at = datetime(2026, 3, 20, 11, 0, tzinfo=timezone.utc)

    def started(at: datetime | None, ok: datetime | None = ok_at) -> SourceStatus:
        return SourceStatus("hr", ok, 10 if ok else None, None, None, fetch_started_at=at)

    # No scheduler here (schedule None): the store says a fetch is under way.
    fetching = source_line(
        "hr", started(datetime(2026, 3, 20, 11, 59, tzinfo=timezone.utc)), None, now
    )
    assert (fetching.state, fetching.text) == ("refreshing", "refreshing…")
    first = source_line(
        "hr", started(datetime(2026, 3, 20, 11, 59, tzinfo=timezone.utc), None), None, now
    )
    assert (first.state, first.text) == ("refreshing", "waiting for data")
    # A start older than its last outcome is over; one never ended for 20 minutes is
    # not shown as under way (the collector stopped in it), nor is a start in the future.
    for at in (
        datetime(2026, 3, 20, 10, 0, tzinfo=timezone.utc),
        datetime(2026, 3, 20, 11, 40, tzinfo=timezone.utc),
        datetime(2026, 3, 20, 12, 5, tzinfo=timezone.utc),
    ):
        assert source_line("hr", started(at), None, now).state == "ok", at
    # A start recorded and nothing after it, long ago: waiting, not an error.
    never = source_line(
        "hr", started(datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc), None), None, now
    )
    assert (never.state, never.text) == ("waiting", "waiting for data")


def test_ages():
    assert [format_age(s) for s in (5, 125, 7300, 200_000)] == ["just now", "2 min", "2 h", "2 d"]


def test_changes_say_pt_or_pts_on_a_panel_and_point_or_points_in_a_sentence():
    from tui.metrics.display import change_amount

    percent, score = metric(unit="%", decimals=0), metric(unit="", decimals=0)
    assert change_amount(1.0, percent, short=True) == "1 pt"
    assert change_amount(9.0, percent, short=True) == "9 pts"
    assert change_amount(1.0, percent) == "1 point" and change_amount(9.0, percent) == "9 points"
    assert (
        change_amount(35.0, score) == "35 points" and change_amount(7.0, score, short=True) == "7"
    )
    rows = stored(75.0, 76.0)
    view = panel_view(percent, rows, axis(date(2026, 3, 5)), date(2026, 3, 5))
    assert view.change_text == "▲ 1 pt"
