"""The balance view: health on a common scale, quadrants, trails and the warning, by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tui.analysis.balance import compute_balance, quadrant, scaled_health, side_health
from tui.analysis.insights import complete_periods
from tui.config import ConfigError, parse_config
from tui.store import StoredObservation

TODAY = date(2026, 6, 17)
FETCHED = datetime(2026, 6, 17, tzinfo=timezone.utc)

CONFIG = """
[[sources]]
id = "s"
kind = "json"
base_url = "http://127.0.0.1:1"

[[metrics]]
id = "enps"
label = "eNPS"
side = "employee"
source = "s"
kind = "nps"
segment_field = "team"
target = 30
thresholds = { warn = 15, bad = 0 }

[[metrics]]
id = "nps"
label = "NPS"
side = "customer"
source = "s"
kind = "nps"
segment_field = "team"
target = 40
thresholds = { warn = 25, bad = 10 }

[[metrics]]
id = "churn"
label = "Churn"
side = "customer"
source = "s"
kind = "churn"
direction = "lower_is_better"
target = 1.0
thresholds = { warn = 1.5, bad = 2.5 }

[[pairs]]
employee = "enps"
customer = "nps"
"""


def _metrics(text=CONFIG):
    config = parse_config(text)
    return config, {m.id: m for m in config.metrics}


def test_each_metric_is_scaled_against_its_own_levels():
    _, m = _metrics()
    # eNPS: warn 15 is 0, target 30 is +1, bad 0 is -1.
    assert scaled_health(22.5, m["enps"]) == pytest.approx(0.5)  # (22.5 - 15) / 15
    assert scaled_health(7.5, m["enps"]) == pytest.approx(-0.5)  # (7.5 - 15) / 15
    assert scaled_health(45, m["enps"]) == pytest.approx(2.0)
    assert scaled_health(-30, m["enps"]) == -2.0  # -3, held at -2
    # Churn, lower is better: 1.25 % is halfway from warn 1.5 to target 1.0.
    assert scaled_health(1.25, m["churn"]) == pytest.approx(0.5)
    assert scaled_health(2.0, m["churn"]) == pytest.approx(-0.5)  # halfway to bad 2.5


def test_a_side_is_the_mean_of_its_metrics_when_all_have_a_value():
    _, m = _metrics()
    assert side_health([m["nps"], m["churn"]], [32.5, 1.25]) == pytest.approx((0.5 + 0.5) / 2)
    assert side_health([m["nps"], m["churn"]], [32.5, None]) is None


def test_the_four_quadrants():
    assert quadrant(0.0, 0.0) == "both_healthy"  # at the warn level is still healthy
    assert quadrant(-0.1, 0.5) == "employees_expense"
    assert quadrant(0.5, -0.1) == "customers_not"
    assert quadrant(-0.1, -0.1) == "both_struggling"


def _series(values, n, variance=6000.0):
    periods = complete_periods(TODAY, "month", len(values))
    return [
        StoredObservation(p.key, p.start, v, n, "s", FETCHED, 0, variance)
        for p, v in zip(periods, values, strict=True)
        if v is not None
    ]


def test_a_team_moving_into_customers_served_at_employees_expense_warns():
    config, _ = _metrics()
    stored = {
        # Sales: eNPS 25 for a year (health +0.67), then 5 (-0.67); NPS holds at 40 (+1).
        ("enps", "Sales"): _series([25.0] * 15 + [5.0], 200),
        ("nps", "Sales"): _series([40.0] * 16, 400),
        # Support: both healthy all along.
        ("enps", "Support"): _series([25.0] * 16, 200),
        ("nps", "Support"): _series([40.0] * 16, 400),
        ("enps", ""): _series([25.0] * 16, 400),
        ("nps", ""): _series([40.0] * 16, 800),
    }
    balance = compute_balance(
        config,
        lambda metric_id, segment: stored.get((metric_id, segment), []),
        lambda metric_id: ["Sales", "Support"],
        TODAY,
    )
    assert [team.segment for team in balance.teams] == ["", "Sales", "Support"]
    sales = balance.teams[1]
    assert len(sales.trail) == 4 and sales.trail[-1].period.key == "2026-05"
    assert sales.trail[-1].employee == pytest.approx(-2 / 3)
    assert sales.trail[-1].customer == pytest.approx(1.0)
    assert sales.trail[-2].quadrant == "both_healthy"
    assert sales.trail[-1].quadrant == "employees_expense"
    assert sales.travel == pytest.approx((-4 / 3, 0.0))
    # eNPS 25 → 5 at 200 answers: z = 20 / 5.714 = 3.5 (as tests/test_insights.py's step).
    assert sales.movement is not None and sales.movement.z == pytest.approx(3.5, abs=0.01)
    assert balance.warnings == [
        'Sales moved into "customers served at employees\' expense" in May 2026: employee '
        "health fell to -0.67 while customer health held at +1.00; eNPS fell beyond its "
        "sampling noise (noise alone: less than 1 time in 1,000)."
    ]
    assert balance.teams[2].warning is None and balance.teams[2].trail[-1].quadrant == (
        "both_healthy"
    )
    assert balance.axes.startswith("Employee health: eNPS. Customer health: NPS. Each metric")


def test_the_same_move_from_too_few_answers_is_not_a_warning():
    config, _ = _metrics()
    stored = {
        ("enps", "Sales"): _series([25.0] * 15 + [5.0], 30),  # z about 1.4: could be noise
        ("nps", "Sales"): _series([40.0] * 16, 400),
    }
    balance = compute_balance(
        config, lambda i, s: stored.get((i, s), []), lambda i: ["Sales"], TODAY
    )
    sales = balance.teams[1]
    assert sales.trail[-1].quadrant == "employees_expense" and sales.warning is None


def test_a_hidden_team_is_not_plotted():
    config, _ = _metrics()
    hidden = [
        StoredObservation(o.period_key, o.period_start, None, 0, "s", FETCHED, 1)
        for o in _series([25.0] * 16, 3)
    ]
    stored = {("enps", "Legal"): hidden, ("nps", "Legal"): _series([40.0] * 16, 400)}
    balance = compute_balance(
        config, lambda i, s: stored.get((i, s), []), lambda i: ["Legal"], TODAY
    )
    assert balance.teams[1].trail == ()


def test_a_composite_side_and_the_config_checks():
    text = CONFIG + '\n[balance]\nemployee = ["enps"]\ncustomer = ["nps", "churn"]\n'
    config, _ = _metrics(text)
    assert config.balance_sides() == (["enps"], ["nps", "churn"])
    with pytest.raises(ConfigError) as wrong_side:
        parse_config(CONFIG + '\n[balance]\nemployee = ["nps"]\n')
    assert 'balance.employee[0]: metric "nps" is on the customer side' in str(wrong_side.value)
    unscaled = CONFIG.replace("target = 40\nthresholds = { warn = 25, bad = 10 }\n", "")
    with pytest.raises(ConfigError) as no_levels:
        parse_config(unscaled + '\n[balance]\ncustomer = ["nps"]\n')
    assert "needs a target and thresholds" in str(no_levels.value)
    flat = CONFIG.replace("target = 40\n", "target = 25\n")  # the target is the warn level
    with pytest.raises(ConfigError) as no_room:
        parse_config(flat + '\n[balance]\ncustomer = ["nps"]\n')
    assert 'metric "nps": its target must be better than its warn level' in str(no_room.value)
    with pytest.raises(ConfigError) as unknown:
        parse_config(CONFIG + '\n[balance]\ncustomer = ["npss"]\n')
    assert 'no metric has id "npss" (did you mean "nps"?)' in str(unknown.value)


def test_without_levels_the_balance_is_refused_and_says_why():
    unscaled = CONFIG.replace("target = 40\nthresholds = { warn = 25, bad = 10 }\n", "")
    config = parse_config(unscaled)  # the default sides: the first pair, not checked here
    balance = compute_balance(config, lambda i, s: [], lambda i: [], TODAY)
    assert balance.teams == ()
    assert balance.refused.startswith("NPS needs a target and warn and bad thresholds")


def test_names_on_the_chart_never_overlap_however_close_the_points():
    from tui.app.balance import place_labels

    # At 120×30 a character is about 0.036 across and 0.16 up: these four points share
    # a few characters, where the names used to overwrite each other.
    cell = (4 / 112, 4 / 25)
    points = [
        ("Whole organisation", 0.38, 0.51),
        ("Success", 0.35, 0.55),
        ("Support", 0.30, 0.60),
        ("Sales", 0.90, 0.84),
    ]
    labels = place_labels(points, cell)
    boxes = []
    for (name, x, _), (lx, ly, side) in zip(points, labels, strict=True):
        assert lx == x  # each name is anchored at its own point's x…
        width = (len(name) + 1) * cell[0]
        left = lx if side == "left" else lx - width
        boxes.append((left, left + width, ly))
        assert left >= -2 and left + width <= 2  # …and stays on the chart
    for i, (left, right, row) in enumerate(boxes):
        for other_left, other_right, other_row in boxes[:i]:
            apart = right <= other_left or left >= other_right or abs(row - other_row) >= cell[1]
            assert apart, (points[i][0], boxes)


def test_the_vendors_example_puts_two_metrics_on_each_axis():
    """config/examples/vendors.toml's [balance], by hand: eNPS 22.5 is +0.5 ((22.5 - 15)
    / 15), turnover 1.25 % is +0.5 (halfway from warn 1.5 to target 1.0); NPS 32.5 is
    +0.5 ((32.5 - 25) / 15), CSAT 87.5 % is +0.5 ((87.5 - 85) / 5)."""
    from pathlib import Path

    from tui.config import load_config

    root = Path(__file__).resolve().parents[1]
    config = load_config(root / "config" / "examples" / "vendors.toml")
    employee_ids, customer_ids = config.balance_sides()
    assert (employee_ids, customer_ids) == (["enps", "turnover"], ["nps", "csat"])
    m = {metric.id: metric for metric in config.metrics}
    employee = side_health([m["enps"], m["turnover"]], [22.5, 1.25])
    customer = side_health([m["nps"], m["csat"]], [32.5, 87.5])
    assert employee == pytest.approx(0.5) and customer == pytest.approx(0.5)
    # Turnover past its bad level pulls the side below warn: (+0.5 + -2) / 2.
    assert side_health([m["enps"], m["turnover"]], [22.5, 4.0]) == pytest.approx(-0.75)
    assert quadrant(-0.75, customer) == "employees_expense"
