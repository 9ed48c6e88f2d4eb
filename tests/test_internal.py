"""Internal customers: each function's score and the health of the teams it serves, by
hand; the chain's linkage checked against r computed here from the differences; the
screen's correction against Benjamini–Hochberg done by hand; the config's checks."""

from __future__ import annotations

import itertools
import random
import statistics
from datetime import date, datetime, timezone

import pytest

from tui.analysis.insights import complete_periods
from tui.analysis.internal import NOT_CONFIGURED, compute_internal, link_brief, possessive
from tui.config import ConfigError, parse_config
from tui.metrics.compute import SMALL_GROUP
from tui.metrics.linkage import linkage
from tui.store import StoredObservation

TODAY = date(2026, 6, 17)
FETCHED = datetime(2026, 6, 17, tzinfo=timezone.utc)

METRICS = """
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
id = "service"
label = "Internal service"
side = "internal"
source = "s"
kind = "nps"
segment_field = "function"
target = 30
thresholds = { warn = 10, bad = 0 }

[[pairs]]
employee = "enps"
customer = "nps"
"""

CONFIG = (
    METRICS
    + """
[internal]
metric = "service"

[[internal.functions]]
name = "IT"
serves = ["Support", "Sales"]

[[internal.functions]]
name = "HR"
serves = ["Support"]
"""
)


def _series(values, n=40, hidden=()):
    """Monthly observations ending with the latest closed month (May 2026); None is no
    row; an index in `hidden` is a small group, stored hidden."""
    periods = complete_periods(TODAY, "month", len(values))
    out = []
    for index, (period, value) in enumerate(zip(periods, values, strict=True)):
        if value is None:
            continue
        if index in hidden:
            out.append(StoredObservation(period.key, period.start, None, 0, "s", FETCHED, 1))
        else:
            out.append(StoredObservation(period.key, period.start, value, n, "s", FETCHED))
    return out


def _internal(config, stored):
    return compute_internal(
        config,
        lambda metric_id, segment: stored.get((metric_id, segment), []),
        lambda metric_id: sorted({s for (m, s) in stored if m == metric_id and s}),
        TODAY,
    )


def test_a_functions_score_change_and_its_teams_health_by_hand():
    config = parse_config(CONFIG)
    stored = {
        # eNPS health: (value - 15) / 15. Support 25, 20 → +0.667, +0.333.
        ("enps", "Support"): _series([25.0, 20.0]),
        # Sales 10, 15 → -0.333, 0.
        ("enps", "Sales"): _series([10.0, 15.0]),
        # NPS health: (value - 25) / 15. Support 40, 25 → +1, 0; Sales 32.5 → +0.5, then none.
        ("nps", "Support"): _series([40.0, 25.0]),
        ("nps", "Sales"): _series([32.5, None]),
        ("service", "IT"): _series([20.0, 35.0], n=40),
        # HR's May: rated by too few, stored hidden.
        ("service", "HR"): _series([12.0, 0.0], hidden={1}),
    }
    internal = _internal(config, stored)
    it, hr = internal.functions
    assert (it.name, it.serves) == ("IT", ("Support", "Sales"))
    assert it.period is not None and it.period.key == "2026-05"
    assert (it.score, it.n, it.hidden, it.change) == (35.0, 40, 0, 15.0)
    april, may = it.points[-3], it.points[-2]  # the running June is last
    assert (april.period.key, may.period.key) == ("2026-04", "2026-05")
    # The teams count equally: (0.667 + -0.333) / 2 and (0.333 + 0) / 2.
    assert april.employee == pytest.approx((10 / 15 - 5 / 15) / 2)
    assert may.employee == pytest.approx((5 / 15 + 0) / 2)
    # Customers: (1 + 0.5) / 2 in April; in May Sales has no NPS, so no mean at all.
    assert april.customer == pytest.approx(0.75)
    assert may.customer is None
    assert it.points[-1].in_progress and it.points[-1].score is None
    # HR: its May is hidden, so no score, no n and no change are shown.
    assert (hr.score, hr.n, hr.hidden, hr.change) == (None, 0, SMALL_GROUP, None)
    assert may.score == 35.0 and hr.points[-2].score is None and hr.points[-2].score_hidden
    assert internal.health_words.startswith("Teams' employee health: eNPS; customer health: NPS")


def _walk(rng, months):
    level, walk = 0.0, []
    for _ in range(months):
        level = max(-1.0, min(1.0, 0.6 * level + rng.gauss(0, 0.4)))
        walk.append(level)
    return walk


def _planted(seed=11, months=30):
    """IT's score runs 2 months ahead of Support's health, and Support's customers
    follow it by 1; HR's score is a walk of its own. Health is exact: eNPS 15 + 15h
    is health h, NPS 25 + 15h is health h."""
    rng = random.Random(seed)
    h = _walk(rng, months + 2)
    own = _walk(rng, months)
    it = [10 + 20 * h[t + 2] + rng.gauss(0, 3) for t in range(months)]
    people = h[:months]
    customers = [people[0], *people[:-1]]  # one month behind
    stored = {
        ("enps", "Support"): _series([15 + 15 * x for x in people]),
        ("nps", "Support"): _series([25 + 15 * x for x in customers]),
        ("service", "IT"): _series(it),
        ("service", "HR"): _series([10 + 20 * x for x in own]),
    }
    return stored, it, people, customers


CHAIN = (
    METRICS
    + """
[internal]
metric = "service"

[[internal.functions]]
name = "IT"
serves = ["Support"]

[[internal.functions]]
name = "HR"
serves = ["Support"]
"""
)


def _changes(values):
    return [b - a for a, b in itertools.pairwise(values)]


def test_the_chain_is_found_where_planted_with_r_as_computed_by_hand():
    config = parse_config(CHAIN)
    stored, it_scores, people, customers = _planted()
    internal = _internal(config, stored)
    it, hr = internal.functions
    to_people, to_customers = it.links
    assert to_people.linked and to_people.lag == 2
    assert to_customers.linked and to_customers.lag == 1
    # r at the lag kept: the changes in IT's score against the changes in health
    # two months on, over every pair of changes both have.
    dx, dy = _changes(it_scores), _changes(people)
    assert to_people.result is not None and to_people.result.r == pytest.approx(
        statistics.correlation(dx[:-2], dy[2:])
    )
    dp, dc = _changes(people), _changes(customers)
    assert to_customers.result is not None and to_customers.result.r == pytest.approx(
        statistics.correlation(dp[:-1], dc[1:])
    )
    assert to_people.sentence.startswith(
        "IT: a rise in IT's internal service is followed about 2 months later by a rise in "
        "the employee health of the teams it serves — r "
    )
    assert link_brief(to_people) == "leads 2 mo"
    # HR's score has nothing to do with Support's people.
    assert not hr.service_to_people.linked


def test_every_verdict_on_the_screen_is_corrected_together_by_hand():
    config = parse_config(CHAIN)
    stored, *_ = _planted()
    internal = _internal(config, stored)
    settings = config.linkage
    # The raw p of each link, as the linkage alone gives it, in screen order.
    periods = internal.functions[0].links[0].periods
    raw = []
    for link in internal.links:
        assert link.periods == periods
    for function in internal.functions:
        for cause, effect in (("service", "enps"), ("enps", "nps")):
            xs = _values(stored, cause, function.name if cause == "service" else "Support")
            ys = _values(stored, effect, "Support")
            result = linkage(
                _health_or_score(xs, cause),
                _health_or_score(ys, effect),
                max_lag=settings.max_lag,
                min_overlap=settings.min_overlap,
                transform=settings.transform,
                alpha=settings.alpha,
                expected_sign=1,
                meaningful_r=settings.meaningful_r,
            )
            raw.append(result.p_value)
    # Benjamini–Hochberg by hand: rank the m p-values; each becomes the smallest
    # p(j) · m / j over the ranks j at or above its own (and at most 1).
    m = len(raw)
    order = sorted(range(m), key=lambda i: raw[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, raw[i] * m / rank)
        adjusted[i] = running
    shown = [link.result.p_value for link in internal.links]
    assert shown == pytest.approx(adjusted)
    assert any(a > r for a, r in zip(adjusted, raw, strict=True))  # the correction did something


def _values(stored, metric_id, segment):
    by_key = {o.period_key: o.value for o in stored[(metric_id, segment)]}
    return [by_key.get(p.key) for p in complete_periods(TODAY, "month", 30)]


def _health_or_score(values, metric_id):
    # eNPS and NPS as health (their levels, as in METRICS); the score as it is.
    low, span = {"enps": (15, 15), "nps": (25, 15)}.get(metric_id, (0, 1))
    return [None if v is None else (v - low) / span for v in values]


def test_a_team_no_metric_knows_is_named_so_a_typo_is_seen():
    config = parse_config(CONFIG.replace('"Support", "Sales"', '"Suport", "Sales"'))
    stored = {("enps", "Support"): _series([20.0]), ("enps", "Sales"): _series([20.0])}
    it = _internal(config, stored).functions[0]
    assert it.unknown_teams == ("Suport",)
    assert all(point.employee is None for point in it.points)


def test_without_an_internal_table_the_screen_says_how_to_add_one():
    internal = _internal(parse_config(METRICS), {})
    assert internal.functions == () and internal.refused == NOT_CONFIGURED
    assert "config/examples/internal.toml" in internal.refused


def test_names_in_sentences():
    assert possessive("IT", "Internal service") == "IT's internal service"
    assert possessive("Facilities", "Internal service") == "Facilities' internal service"
    assert possessive("HR", "iNPS") == "HR's iNPS"
    assert possessive("HR", "NPS") == "HR's NPS"


@pytest.mark.parametrize(
    ("table", "where", "expected"),
    [
        ('[internal]\nmetric = "nope"\n', "internal.metric", 'no metric has id "nope"'),
        ('[internal]\nmetric = "enps"\n', "internal.metric", 'needs side = "internal"'),
        ('[internal]\nmetric = "service"\n', "internal.functions", "at least one"),
        (
            '[internal]\nmetric = "service"\n[[internal.functions]]\nname = "IT"\nserves = ["A"]\n'
            '[[internal.functions]]\nname = "IT"\nserves = ["B"]\n',
            "internal.functions[1].name",
            '"IT" is used twice',
        ),
        (
            '[internal]\nmetric = "service"\n[[internal.functions]]\nname = "IT"\n'
            'serves = ["A", "A"]\n',
            "internal.functions[0].serves",
            "A listed twice",
        ),
        (
            '[internal]\nmetric = "service"\nemployee = ["nps"]\n[[internal.functions]]\n'
            'name = "IT"\nserves = ["A"]\n',
            "internal.employee[0]",
            "on the customer side, not the employee side",
        ),
        (
            '[internal]\nemployee = ["enps"]\n',
            "internal.metric",
            "missing",
        ),
    ],
)
def test_a_bad_internal_table_names_the_field_and_what_was_expected(table, where, expected):
    with pytest.raises(ConfigError) as caught:
        parse_config(METRICS + table, "tandem.toml")
    text = str(caught.value)
    assert text.startswith("tandem.toml:")
    assert where in text and expected in text, text
    assert "Traceback" not in text


def test_an_internal_metric_without_a_segment_field_is_refused():
    text = METRICS.replace('segment_field = "function"\n', "")
    table = '[internal]\nmetric = "service"\n[[internal.functions]]\nname = "IT"\nserves = ["A"]\n'
    with pytest.raises(ConfigError, match="the field naming the function rated"):
        parse_config(text + table)


def test_a_one_to_five_internal_scale_scores_each_function_by_hand():
    """A 1–5 "how satisfied are you with their service?": the share of 4s and 5s per
    function rated, as any CSAT. IT: 5, 4, 3, 2, 5 → 3 of 5 → 60 %; HR: 4, 1 → 50 %."""
    from tui.metrics.compute import compute_metric
    from tui.periods import last_periods

    config = parse_config(
        METRICS.replace(
            'kind = "nps"\nsegment_field = "function"',
            'kind = "csat"\nsegment_field = "function"\nscale_min = 1\nscale_max = 5\nunit = "%"',
        )
    )
    service = next(m for m in config.metrics if m.id == "service")
    assert service.kind == "csat" and service.side == "internal"
    records = [
        {"date": "2026-05-04", "score": score, "function": function}
        for function, scores in (("IT", (5, 4, 3, 2, 5)), ("HR", (4, 1)))
        for score in scores
    ]
    result = compute_metric(service, records, last_periods(TODAY, "month", 2), TODAY)
    may = {o.segment: (o.value, o.n) for o in result.observations if o.period.key == "2026-05"}
    assert may["IT"] == (pytest.approx(60.0), 5)
    assert may["HR"] == (pytest.approx(50.0), 2)
    assert may[""] == (pytest.approx(100 * 4 / 7), 7)  # every rating, every function
