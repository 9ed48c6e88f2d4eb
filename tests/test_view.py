"""What a panel shows, from stored values."""

from datetime import date, datetime, timezone

from tui.config import validate_config
from tui.store import SourceStatus, StoredObservation
from tui.view import format_age, panel_view, source_line, threshold_status

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
    return [
        StoredObservation(
            f"2026-{m:02d}", date(2026, m, 1), v, 0 if v is None else 50, "s", FETCHED
        )
        for m, v in enumerate(values, start=1)
    ]


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
    view = panel_view(m, stored(1.2, 2.0, 1.5, None), "month", date(2026, 4, 10))
    assert view.value == 1.5 and view.value_text == "1.5%"
    assert view.change_text == "▼ 0.5 pts"
    assert view.improving is True  # churn went down
    assert view.period_label == "Mar 2026"
    assert view.target_text == "target 1.0%"
    assert view.n == 50
    assert view.compared_with == "vs Feb 2026"
    assert view.range_text == "4-period range 1.2% to 2.0%"


def test_the_running_period_says_to_date():
    view = panel_view(metric(), stored(1.0, 2.0, 3.0), "month", date(2026, 3, 5))
    assert view.period_label == "Mar 2026 to date"
    assert view.change_text == "▲ 1" and view.improving is False


def test_a_panel_without_data():
    view = panel_view(metric(), [], "month", date(2026, 3, 5))
    assert view.value_text == "—" and view.period_label == "no data yet" and view.status == "none"


def test_after_an_empty_period_there_is_no_change_to_show():
    view = panel_view(metric(), stored(1.0, None, 3.0), "month", date(2026, 3, 5))
    assert view.change is None and view.change_text == "no previous period"


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
    assert source_line("hr", ok, False, now).state == "ok"
    line = source_line("hr", stale, False, now)
    assert line.state == "stale" and line.text.endswith("(2 h) — 401 from hr — check HR_KEY")
    assert source_line("hr", broken, False, now).text == "cannot reach x"
    assert source_line("hr", None, True, now).state == "refreshing"


def test_ages():
    assert [format_age(s) for s in (5, 125, 7300, 200_000)] == ["just now", "2 min", "2 h", "2 d"]
