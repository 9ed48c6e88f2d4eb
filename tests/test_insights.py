"""Linkage per pair and segment, early warnings and segment rows, from stored observations."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, timezone

import pytest

from tui.analysis.insights import (
    TOO_FEW,
    complete_periods,
    early_warning,
    expected_sign,
    insights_from_store,
    pair_linkage,
    values_on,
)
from tui.config import Config, LinkageSettings, parse_config
from tui.metrics.compute import Observation
from tui.metrics.display import HISTORY_PERIODS
from tui.periods import last_periods
from tui.store import Store, StoredObservation
from tui.views.detail import pair_detail
from tui.views.panels import panel_view
from tui.views.read import read_segments
from tui.views.segments import sort_rows

TODAY = date(2026, 6, 17)
FETCHED = datetime(2026, 6, 17, 12, tzinfo=timezone.utc)

CONFIG = """
[dashboard]
period = "month"
history_periods = 24

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
score_field = "score"
date_field = "at"
segment_field = "team"
thresholds = { warn = 15, bad = 0 }
early_warning_drop = 10

[[metrics]]
id = "nps"
label = "NPS"
side = "customer"
source = "s"
kind = "nps"
score_field = "score"
date_field = "at"
segment_field = "team"
thresholds = { warn = 25, bad = 10 }

[[metrics]]
id = "churn"
label = "Churn"
side = "customer"
source = "s"
kind = "value"
value_field = "v"
date_field = "at"
unit = "%"
direction = "lower_is_better"

[[pairs]]
employee = "enps"
customer = "nps"
"""


@pytest.fixture
def config() -> Config:
    return parse_config(CONFIG)


def _stored(periods, values, n=40, suppressed=()):
    return [
        StoredObservation(
            p.key,
            p.start,
            None if i in suppressed else v,
            0 if i in suppressed else n,
            "s",
            FETCHED,
            i in suppressed,
        )
        for i, (p, v) in enumerate(zip(periods, values, strict=True))
        if v is not None or i in suppressed
    ]


def _link(config, segment, employee, customer, periods, **options):
    """eNPS against NPS in one segment, from plain value lists on `periods`."""
    metrics = {m.id: m for m in config.metrics}
    return pair_linkage(
        0,
        segment,
        metrics["enps"],
        metrics["nps"],
        _stored(periods, employee),
        _stored(periods, customer),
        periods,
        LinkageSettings(),
        **options,
    )


def _planted(count: int, lag: int, seed: int = 7) -> tuple[list[float], list[float]]:
    """An employee series and a customer series that follows it `lag` periods later, with noise."""
    rng = random.Random(seed)
    health = [rng.gauss(0, 10) for _ in range(count + lag)]
    employee = [20 + health[i + lag] + rng.gauss(0, 2) for i in range(count)]
    customer = [30 + health[i] + rng.gauss(0, 2) for i in range(count)]
    return employee, customer


def test_only_complete_periods_count_and_suppressed_ones_are_gaps():
    periods = complete_periods(TODAY, "month", 3)
    assert [p.key for p in periods] == ["2026-03", "2026-04", "2026-05"]  # June is in progress
    stored = _stored(periods, [10.0, 20.0, 30.0], suppressed={1})
    assert values_on(stored, periods) == [10.0, None, 30.0]


def test_expected_sign_follows_the_directions(config):
    metrics = {m.id: m for m in config.metrics}
    assert expected_sign(metrics["enps"], metrics["nps"]) == 1
    assert expected_sign(metrics["enps"], metrics["churn"]) == -1


def test_a_planted_two_month_lead_is_found_and_said_in_a_sentence(config):
    periods = complete_periods(TODAY, "month", 20)
    employee, customer = _planted(20, lag=2)
    link = _link(config, "Support", employee, customer, periods)
    assert link.linked and link.lag == 2
    assert link.result is not None and link.result.best is not None
    r, overlap = link.result.best.r, link.result.best.overlap
    assert overlap == 17  # 20 months, 19 changes, 2 lost to the lag
    assert link.sentence.startswith(
        f"Support: a rise in eNPS is followed about 2 months later by a rise in NPS — r {r:.2f} "
        "between the changes over 17 months (adjusted 90% CI "
    )
    assert link.short == f"leads by 2 months · r {r:.2f}"


def test_too_little_history_gives_no_number(config):
    periods = complete_periods(TODAY, "month", 7)
    employee, customer = _planted(7, lag=1)
    link = _link(config, "", employee, customer, periods)
    assert not link.linked and link.lag is None
    assert link.short == "not enough history yet"
    assert link.sentence == (
        "Whole organisation: not enough history yet to link eNPS and NPS — "
        "7 months with both, 9 months needed."
    )
    assert " r " not in link.sentence


def test_unrelated_series_are_not_called_linked(config):
    periods = complete_periods(TODAY, "month", 23)
    rng = random.Random(3)
    employee = [rng.gauss(20, 8) for _ in periods]
    customer = [rng.gauss(30, 8) for _ in periods]
    link = _link(config, "Field Ops", employee, customer, periods)
    assert not link.linked
    # 22 changes cannot rule out a meaningful link: the sentence does not claim to.
    assert link.short == "can't tell yet"
    assert link.sentence.startswith("Field Ops: can't tell yet whether eNPS leads NPS — ")
    assert link.result is not None and link.result.more_needed is not None
    assert link.sentence.endswith(
        f"about {link.result.more_needed} months more would show an effect of r 0.5."
    )
    assert "no link" not in link.sentence


def test_no_link_found_only_when_the_data_rule_out_a_meaningful_one(config):
    periods = complete_periods(TODAY, "month", 150)
    rng = random.Random(3)
    employee = [rng.gauss(20, 8) for _ in periods]
    customer = [rng.gauss(30, 8) for _ in periods]
    link = _link(config, "Field Ops", employee, customer, periods)
    assert link.short == "no link found"
    assert link.sentence == (
        "Field Ops: no link found between eNPS and NPS — over "
        f"{link.result.best.overlap} months the data rule out a correlation of r 0.5 or more "
        "between the changes at every lag from 0 to 6 months."
    )


def test_a_segment_left_out_has_no_linkage_at_all(config):
    periods = complete_periods(TODAY, "month", 20)
    employee, customer = _planted(20, lag=2)
    link = _link(config, "Legal", employee, customer, periods, left_out=True)
    assert link.result is None and not link.linked
    assert TOO_FEW in link.sentence and "left out" in link.sentence


# ── early warnings ──

# The closed months up to May 2026 (June is in progress on TODAY).
CLOSED = complete_periods(TODAY, "month", 15)


def _answers(values, n=200, variance=6000.0, periods=CLOSED):
    """Stored survey values on the last closed months, each with its n and spread."""
    periods = periods[len(periods) - len(values) :]
    return [
        StoredObservation(p.key, p.start, v, n, "s", FETCHED, 0, variance)
        for p, v in zip(periods, values, strict=True)
        if v is not None
    ]


def _warning(config, employee_values, customer_values, *, n=200, link=None, customer_n=400):
    metrics = {m.id: m for m in config.metrics}
    return early_warning(
        0,
        "Support",
        metrics["enps"],
        metrics["nps"],
        _answers(employee_values, n),
        _answers(customer_values, customer_n),
        CLOSED,
        link,
    )


def test_a_step_past_the_warn_level_beyond_its_noise_warns_with_the_expected_lag(config):
    # Twelve months at 20, then 5; 200 answers a month, spread 6000 per answer.
    # Step: 20 → 5, worse by 15. All 13 months as one sample: mean 245/13 = 18.846,
    # spread 6000 + (12·1.154² + 13.846²)/13 = 6015.98; error √(6015.98·(1/200 + 1/2400))
    # = 5.7085; z = 15 / 5.7085 = 2.628, past 2.326 (1 % one-sided).
    employee = [20.0] * 12 + [5.0]
    link = pair_linkage(
        0,
        "Support",
        *[{m.id: m for m in config.metrics}[k] for k in ("enps", "nps")],
        _stored(CLOSED, _planted(15, 2)[0]),
        _stored(CLOSED, _planted(15, 2)[1]),
        CLOSED,
        LinkageSettings(min_overlap=6),
    )
    assert link.lag == 2
    warning = _warning(config, employee, [40.0] * 13, link=link)
    assert warning is not None and warning.reason == "crossed_threshold"
    assert warning.movement is not None and warning.movement.chart == "step"
    assert warning.movement.z == pytest.approx(2.628, abs=0.001)
    # Noise alone: 2 charts × P(Z > 2.628) = 2 × 0.00430 = 0.0086, about 1 in 120.
    assert warning.sentence == (
        "Support: eNPS fell to 5 in May 2026, 15 points below its average of the 12 months "
        "before, past its warn level of 15 (noise alone would do this about 1 time in 120), "
        "while NPS has held at 40; here eNPS has led NPS by about 2 months, so watch NPS "
        "around Jul 2026."
    )


def test_the_same_fall_from_fewer_answers_is_noise_and_does_not_warn(config):
    # At 40 answers a month the error is √(6015.98·(1/40 + 1/480)) = 12.77: z = 1.17.
    assert _warning(config, [20.0] * 12 + [5.0], [40.0] * 13, n=40) is None


def test_a_slide_over_three_months_warns_on_the_ewma(config):
    # 40 for twelve months, then 35, 30, 25: no single step passes, the slide does.
    # EWMA weights 4/7, 2/7, 1/7 (latest first): level (100 + 60 + 35)/7 = 27.857,
    # 12.143 below 40; effective n 200·49/21 = 466.7 against 2400. Spread of all 15
    # months: 6000 + (12·2² + 3² + 8² + 13²)/15 = 6019.33; error 3.9251; z = 3.094.
    warning = _warning(config, [40.0] * 12 + [35.0, 30.0, 25.0], [40.0] * 15)
    assert warning is not None and warning.reason == "sustained"
    assert warning.movement.chart == "ewma"
    assert warning.movement.z == pytest.approx(3.094, abs=0.001)
    assert warning.sentence.startswith(
        "Support: eNPS slid over 3 months to 25 in May 2026, about 12 points below its "
        "average of the 12 months before (noise alone would do this about 1 time in "
    )


@pytest.mark.parametrize(
    ("employee_values", "customer_values", "n"),
    [
        # Customers already moved beyond their own noise: no longer early.
        ([20.0] * 12 + [5.0], [40.0] * 12 + [25.0], 200),
        ([20.0] * 12 + [30.0], [40.0] * 13, 200),  # improving
        # Beyond noise (2000 answers) but 7 points, under early_warning_drop = 10, and
        # still good: not worth a warning.
        ([40.0] * 12 + [33.0], [40.0] * 13, 2000),
        ([20.0, 5.0], [40.0, 40.0], 200),  # too few months before to say
        ([20.0] * 12 + [None], [40.0] * 13, 200),  # nothing in the latest closed month
    ],
)
def test_no_warning_when_nothing_turned_early(config, employee_values, customer_values, n):
    assert _warning(config, employee_values, customer_values, n=n) is None


def test_without_a_stored_spread_an_nps_is_weighed_by_its_bound_and_a_value_not_at_all(config):
    metrics = {m.id: m for m in config.metrics}
    unknown = [dataclasses.replace(o, variance=None) for o in _answers([20.0] * 12 + [-40.0])]
    customers = _answers([40.0] * 13)
    # A vendor's ready-made value has no spread to weigh a fall by: never a warning.
    assert (
        early_warning(0, "", metrics["churn"], metrics["nps"], unknown, customers, CLOSED, None)
        is None
    )
    # An NPS's spread is at most 10000 - NPS²: 9600 at 20, 8400 at -40. All 13 months as
    # one sample: mean 200/13 = 15.385, spread (12·(9600 + 4.615²) + 8400 + 55.385²)/13
    # = 9763.3; error √(9763.3·(1/200 + 1/2400)) = 7.272; z = 60 / 7.272 = 8.25.
    warning = early_warning(
        0, "", metrics["enps"], metrics["nps"], unknown, customers, CLOSED, None
    )
    assert warning is not None and warning.movement.z == pytest.approx(8.25, abs=0.01)


def test_odds_are_said_in_two_figures():
    from tui.analysis.insights import odds_words

    assert odds_words(0.0086) == "about 1 time in 120"
    assert odds_words(0.02) == "about 1 time in 50"
    assert odds_words(0.0004) == "less than 1 time in 1,000"


# ── segments, from a real store ──


def _fill_store(store: Store, config: Config) -> None:
    """Three teams over 23 months and the one in progress; Legal has too few employee answers."""
    periods = last_periods(TODAY, "month", 24)
    employee, customer = _planted(24, lag=2, seed=11)
    observations = []
    for team, shift in (("Support", 0.0), ("Sales", 5.0), ("Legal", -5.0)):
        for i, period in enumerate(periods):
            small = team == "Legal" and i == len(periods) - 1
            observations.append(
                Observation(
                    "enps",
                    team,
                    period,
                    None if small else employee[i] + shift,
                    0 if small else 30,
                    suppressed=small,
                )
            )
            observations.append(Observation("nps", team, period, customer[i] - shift, 80))
    for i, period in enumerate(periods):
        observations.append(Observation("enps", "", period, employee[i], 90))
        observations.append(Observation("nps", "", period, customer[i], 240))
    store.write_refresh("s", observations, FETCHED, 100, 1, 0.1)


def test_every_segment_gets_a_row_and_a_suppressed_one_is_hidden_and_left_out(config, tmp_path):
    store = Store(tmp_path / "s.db")
    _fill_store(store, config)
    insights = insights_from_store(config, store, TODAY)
    assert [row.segment for row in insights.of_pair(0)] == ["", "Legal", "Sales", "Support"]
    table = read_segments(config, store, insights, TODAY)
    rows = [table.overall(0), *table.segments_of(0)]
    assert [row.segment for row in rows] == ["", "Legal", "Sales", "Support"]
    legal = next(row for row in rows if row.segment == "Legal")
    assert legal.employee_hidden and legal.gap is None
    assert legal.link.result is None and legal.warning is None
    support = next(row for row in rows if row.segment == "Support")
    assert support.link.linked and support.link.lag == 2
    # Gap: employee minus customer in the current (in-progress) month, by hand.
    employee, customer = _planted(24, lag=2, seed=11)
    sales = next(row for row in rows if row.segment == "Sales")
    assert sales.gap == pytest.approx((employee[-1] + 5.0) - (customer[-1] - 5.0))
    assert support.gap == pytest.approx(employee[-1] - customer[-1])


def test_rows_sort_by_gap_by_change_and_by_name(config, tmp_path):
    store = Store(tmp_path / "s.db")
    _fill_store(store, config)
    insights = insights_from_store(config, store, TODAY)
    segments = read_segments(config, store, insights, TODAY).segments_of(0)
    by_gap = [row.segment for row in sort_rows(segments, "gap")]
    expected_gap = sorted(
        (row for row in segments if row.gap is not None), key=lambda row: -abs(row.gap)
    )
    assert by_gap == [row.segment for row in expected_gap] + ["Legal"]  # no gap: last
    by_change = sort_rows(segments, "change")
    sizes = [row.largest_change for row in by_change]
    assert sizes == sorted(sizes, reverse=True)
    assert [row.segment for row in sort_rows(segments, "name")] == ["Legal", "Sales", "Support"]


def test_the_drill_down_has_every_period_and_its_counts(config, tmp_path):
    store = Store(tmp_path / "s.db")
    _fill_store(store, config)

    def series_of(metric_id, segment):
        return store.series(metric_id, "month", segment, limit=24)

    insights = insights_from_store(config, store, TODAY, series_of)
    detail = pair_detail(config, insights, series_of, TODAY, 0, "Legal")
    assert detail.segments == ("", "Legal", "Sales", "Support")
    assert len(detail.points) == 24
    last = detail.points[-1]
    assert last.in_progress and last.employee_hidden
    assert last.employee is None and last.employee_n == 0
    assert last.customer_n == 80
    assert detail.points[0].employee_n == 30


def _views(config, employee_values, customer_values):
    metrics = {m.id: m for m in config.metrics}
    axis = last_periods(TODAY, "month", HISTORY_PERIODS)
    pad = [None] * (HISTORY_PERIODS - len(employee_values))
    e = panel_view(metrics["enps"], _stored(axis, pad + employee_values), axis, TODAY)
    c = panel_view(metrics["nps"], _stored(axis, pad + customer_values), axis, TODAY)
    return metrics["enps"], metrics["nps"], e, c


def test_the_gap_shown_is_the_difference_of_the_values_shown(config):
    from tui.analysis.insights import PairLinkage
    from tui.views.segments import SegmentRow

    # eNPS 24.6 is shown as 25 and NPS 24.4 as 24 (no decimals): the gap shown is +1,
    # not the +0 that rounding 0.2 would give.
    employee, customer, e, c = _views(config, [24.6], [24.4])
    link = PairLinkage(0, "", "eNPS", "NPS", "month", None, (), "")
    row = SegmentRow(0, "", e, c, link, None)
    assert row.gap == pytest.approx(0.2)
    assert row.shown_gap(employee.decimals, customer.decimals) == 1
    assert row.shown_gap(1, 1) == pytest.approx(0.2)


def test_a_link_at_lag_0_moves_together_and_never_leads_by_0():
    from tui.analysis.insights import PairLinkage
    from tui.metrics.linkage import LagCorrelation, Linkage

    best = LagCorrelation(0, 0.7, 20, 18.0)
    result = Linkage((best,), best, 0.01, 0.4, 0.9, True, True)
    link = PairLinkage(0, "", "eNPS", "NPS", "quarter", result, (), "")
    assert link.short == "moves together · r 0.70"
    assert "leads by" not in link.short


def test_a_warning_with_no_customer_value_says_there_is_nothing_to_compare(config):
    warning = _warning(config, [20.0] * 12 + [5.0], [])
    assert warning is not None
    assert "while there is no NPS yet to compare;" in warning.sentence
    assert "has no value yet" not in warning.sentence


def test_linkage_uses_every_stored_period_not_only_the_dashboards_window(tmp_path):
    # 12 periods on screen, 40 months stored: the link is judged on all 39 closed ones.
    config = parse_config(CONFIG.replace("history_periods = 24", "history_periods = 12"))
    periods = last_periods(TODAY, "month", 40)
    employee, customer = _planted(40, lag=2, seed=4)
    store = Store(tmp_path / "s.db")
    store.write_refresh(
        "s",
        [Observation("enps", "", p, e, 90) for p, e in zip(periods, employee, strict=True)]
        + [Observation("nps", "", p, c, 240) for p, c in zip(periods, customer, strict=True)],
        FETCHED,
        80,
        1,
        0.1,
    )
    link = insights_from_store(config, store, TODAY).overall(0).link
    assert len(link.periods) == 39 and link.periods[-1].key == "2026-05"
    assert link.available == 39
    assert link.result is not None and link.result.best is not None
    assert link.result.best.overlap == 38 - link.result.best.lag


def test_a_screen_of_verdicts_is_adjusted_together_and_so_is_each_interval(config):
    from tui.analysis.insights import screen_adjusted
    from tui.metrics.linkage import benjamini_hochberg, fisher_interval

    periods = complete_periods(TODAY, "month", 24)
    rng = random.Random(12)
    links = [_link(config, "Support", *_planted(24, lag=2, seed=5), periods)]
    for team in range(9):
        employee = [rng.gauss(20, 8) for _ in periods]
        customer = [rng.gauss(30, 8) for _ in periods]
        links.append(_link(config, f"Team {team}", employee, customer, periods))
    adjusted = screen_adjusted(links, LinkageSettings())
    hand = benjamini_hochberg([link.result.p_value for link in links])
    assert [link.result.p_value for link in adjusted] == pytest.approx(hand)
    assert adjusted[0].linked and not any(link.linked for link in adjusted[1:])
    # One link shown out of ten verdicts, over its lags tried: 1 - 0.10·1/10/k.
    best, k = adjusted[0].result.best, adjusted[0].result.lags_tried
    low, high = fisher_interval(best.r, best.effective_n, 1 - 0.10 / 10 / k)
    assert (adjusted[0].result.ci_low, adjusted[0].result.ci_high) == pytest.approx((low, high))
    assert f"(adjusted 90% CI {low:.2f} to {high:.2f}, p " in adjusted[0].sentence


def test_the_screen_says_how_many_warnings_noise_alone_would_raise(config, tmp_path):
    from tui.analysis.insights import warnings_note

    store = Store(tmp_path / "s.db")
    _fill_store(store, config)
    insights = insights_from_store(config, store, TODAY)
    # The whole organisation, Sales and Support; Legal's latest value is hidden.
    assert insights.watched == 3
    assert warnings_note(insights, "month") == (
        "3 employee values watched (each pair, for the whole organisation and each segment): "
        "noise alone would raise about 0.1 warnings a month among them, at most 2 in 100 each."
    )


def test_a_memo_of_linkages_tests_again_only_the_series_that_changed(config, tmp_path, monkeypatch):
    import tui.analysis.insights as insights_module

    store = Store(tmp_path / "s.db")
    _fill_store(store, config)
    tested: list[str] = []
    real = insights_module.pair_linkage

    def counting(index, segment, *arguments, **keywords):  # type: ignore[no-untyped-def]
        tested.append(segment)
        return real(index, segment, *arguments, **keywords)

    monkeypatch.setattr(insights_module, "pair_linkage", counting)
    memo: dict = {}
    first = insights_from_store(config, store, TODAY, memo=memo)
    assert sorted(tested) == ["", "Legal", "Sales", "Support"] and len(memo) == 4
    tested.clear()
    assert insights_from_store(config, store, TODAY, memo=memo) == first
    assert tested == []
    # Support's customer series changes: only Support is tested again, and the result
    # is what an analysis without a memo finds.
    later = datetime(2026, 6, 17, 13, tzinfo=timezone.utc)
    changed = [
        Observation("nps", "Support", period, 10.0 + i % 7, 80)
        for i, period in enumerate(last_periods(TODAY, "month", 24))
    ]
    store.write_refresh("s", changed, later, 24, 1, 0.1)
    tested.clear()
    again = insights_from_store(config, store, TODAY, memo=memo)
    assert tested == ["Support"]
    tested.clear()
    assert again == insights_from_store(config, store, TODAY)
    assert again != first and len(memo) == 4
