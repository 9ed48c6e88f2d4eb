"""Disclosure control (issue 14, item 2): no group under the anonymity threshold can be
worked out by subtracting what Tandem stores or exports.

The attacker here is written apart from tui.metrics.privacy: it knows every value
and n that is shown, every cell that is hidden, and (more than a real attacker) the
true n of every cell. It tries every subtraction path — the whole organisation
minus its teams, a quarter minus the months or weeks inside it, a month minus its
weeks — and chains them: a hidden cell it recovers exactly becomes known and is
used in the next subtraction. It reports any group under the threshold it learns.
Each test also runs it on hiding without complements, where it must succeed:
the attacker can fail.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.local_server import LocalServer, Reply
from tui.collect.refresh import GRANULARITIES, refresh_source
from tui.config import Config, validate_config
from tui.metrics.compute import COMPLEMENT, RUNNING, SMALL_GROUP, Observation, compute_metric
from tui.metrics.privacy import protect_small_groups
from tui.periods import Period, last_periods, period_of
from tui.sources import make_client
from tui.store import Store

THRESHOLD = 5
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)

Cell = tuple[str, str, str]


# ── The attacker ─────────────────────────────────────────────────────────


SHORTER = {"quarter": ("month", "week"), "month": ("week",), "week": ()}


def subtraction_paths(spans: dict[Cell, Period]) -> list[tuple[Cell, list[Cell]]]:
    """Every (total, parts) an attacker can subtract: everyone minus the segments of the
    same period, and any period minus the months, or the weeks, wholly inside it."""
    paths = []
    for total, period in spans.items():
        segment, granularity, key = total
        if segment == "":
            same_period = [c for c in spans if c[0] and c[1] == granularity and c[2] == key]
            paths.append((total, same_period))
        for shorter in SHORTER[granularity]:
            inside = [
                c
                for c, p in spans.items()
                if c[0] == segment
                and c[1] == shorter
                and period.start <= p.start
                and p.end <= period.end
            ]
            paths.append((total, inside))
    return paths


def attack(
    shown: dict[Cell, int], hidden: set[Cell], spans: dict[Cell, Period], truth: dict[Cell, int]
) -> list[str]:
    """What the attacker learns about groups under the threshold (empty: nothing)."""
    known = dict(shown)
    found: list[str] = []
    paths = subtraction_paths(spans)
    changed = True
    while changed:
        changed = False
        for total, parts in paths:
            if total not in known:
                continue
            residual = known[total] - sum(known[p] for p in parts if p in known)
            if 0 < residual < THRESHOLD:
                found.append(f"{total} minus {len(parts)} parts leaves a group of {residual}")
            unknown = [p for p in parts if p in hidden and p not in known]
            # Generous to the attacker: told when nothing but that one part is left.
            rest = truth[total] - sum(truth.get(p, 0) for p in parts)
            if len(unknown) == 1 and rest == 0:
                [cell] = unknown
                known[cell] = residual
                changed = True
                if 0 < truth[cell] < THRESHOLD:
                    found.append(f"recovered {cell}: n {truth[cell]}")
    return sorted(set(found))


def split(observations: list[Observation]):
    """What an attacker sees of these observations: shown n, hidden cells, periods."""
    shown, hidden, spans = {}, set(), {}
    for o in observations:
        cell = (o.segment, o.period.granularity, o.period.key)
        spans[cell] = o.period
        if o.suppressed:
            hidden.add(cell)
        else:
            shown[cell] = o.n
    return shown, hidden, spans


def primary_only(observations: list[Observation]) -> list[Observation]:
    """Hiding without complements: what Tandem did before."""
    return [
        Observation(o.metric_id, o.segment, o.period, None, 0, SMALL_GROUP)
        if 0 < o.n < THRESHOLD
        else o
        for o in observations
    ]


def truth_of(observations: list[Observation]) -> dict[Cell, int]:
    return {(o.segment, o.period.granularity, o.period.key): o.n for o in observations}


def assert_safe_and_attack_can_fail(raw: list[Observation]) -> list[Observation]:
    truth = truth_of(raw)
    assert attack(*split(primary_only(raw)), truth), "the attacker must win without complements"
    protected = protect_small_groups(raw, THRESHOLD)
    assert attack(*split(protected), truth) == []
    # Every small group is still hidden, and as a small group.
    for o in protected:
        if 0 < truth_of(raw)[(o.segment, o.period.granularity, o.period.key)] < THRESHOLD:
            assert o.suppressed == SMALL_GROUP and o.value is None and o.n == 0
    return protected


# ── The probe's four paths, on hand-made cells ───────────────────────────


def cell(segment: str, period: Period, n: int, value: float = 50.0) -> Observation:
    return Observation("m", segment, period, value, n)


MARCH = period_of(date(2026, 3, 10), "month")
FEBRUARY = MARCH.previous()
Q1 = period_of(date(2026, 3, 10), "quarter")


def test_everyone_minus_the_other_teams_no_longer_gives_a_small_team():
    raw = [cell("", MARCH, 37), cell("Alpha", MARCH, 20), cell("Beta", MARCH, 15)]
    raw.append(cell("Gamma", MARCH, 2))
    protected = {o.segment: o for o in assert_safe_and_attack_can_fail(raw)}
    # The smallest other team is hidden too, and says why; everyone stays shown.
    assert protected["Beta"].suppressed == COMPLEMENT and protected["Alpha"].n == 20
    assert protected[""].n == 37


def test_a_quarter_minus_its_shown_month_no_longer_gives_a_small_month():
    # The running quarter: February shown with 10 answers, March to date with 2.
    raw = [cell("Ops", FEBRUARY, 10), cell("Ops", MARCH, 2), cell("Ops", Q1, 12)]
    raw.append(cell("Ops", FEBRUARY.previous(), 0))
    protected = assert_safe_and_attack_can_fail(raw)
    hidden = {o.period.key for o in protected if o.suppressed}
    assert "2026-03" in hidden and ("2026-02" in hidden or "2026-Q1" in hidden)


def test_a_month_minus_the_weeks_inside_it_no_longer_gives_a_small_week():
    weeks = [p for p in last_periods(date(2026, 3, 31), "week", 6) if MARCH.start <= p.start]
    weeks = [w for w in weeks if w.end <= MARCH.end]
    sizes = [12, 3, 10, 8][: len(weeks)]
    raw = [cell("", MARCH, sum(sizes))] + [
        cell("", w, n) for w, n in zip(weeks, sizes, strict=True)
    ]
    assert_safe_and_attack_can_fail(raw)


def test_a_single_hidden_team_is_protected_in_every_relation_it_is_in():
    """Team Gamma is small in March only; complements must not open a new path (the
    hidden Beta of March would be worked out from the quarter minus Beta's other months)."""
    january = FEBRUARY.previous()
    raw = []
    for period, sizes in (
        (january, {"Alpha": 20, "Beta": 15, "Gamma": 6}),
        (FEBRUARY, {"Alpha": 18, "Beta": 14, "Gamma": 7}),
        (MARCH, {"Alpha": 19, "Beta": 16, "Gamma": 2}),
    ):
        raw.append(cell("", period, sum(sizes.values())))
        raw.extend(cell(team, period, n) for team, n in sizes.items())
    for team in ("", "Alpha", "Beta", "Gamma"):
        n = sum(o.n for o in raw if o.segment == team)
        raw.append(cell(team, Q1, n))
    assert_safe_and_attack_can_fail(raw)


def test_records_with_no_segment_protect_a_single_hidden_team_only_when_enough():
    # 37 = 20 + 2 + 15 with no team: the 15 keep Gamma's 2 from being worked out.
    raw = [cell("", MARCH, 37), cell("Alpha", MARCH, 20), cell("Gamma", MARCH, 2)]
    protected = {o.segment: o for o in protect_small_groups(raw, THRESHOLD)}
    assert protected["Alpha"].suppressed == 0
    # With only 3 without a team, Gamma and those 3 make a group of 5 but Alpha must go.
    raw = [cell("", MARCH, 25), cell("Alpha", MARCH, 20), cell("Gamma", MARCH, 2)]
    protected = {o.segment: o for o in protect_small_groups(raw, THRESHOLD)}
    assert protected["Alpha"].suppressed == COMPLEMENT and protected[""].n == 25


# ── Through a real source, store and export ──────────────────────────────


def config_for(url: str, metrics: list[dict], path: str, date_field: str = "date") -> Config:
    customer = {"id": "count", "label": "Count", "side": "customer", "source": "s"}
    customer["date_field"] = date_field
    return validate_config(
        {
            "dashboard": {"anonymity_threshold": THRESHOLD},
            "sources": [{"id": "s", "kind": "json", "base_url": url, "path": path, "retries": 0}],
            "metrics": [*metrics, {**customer, "kind": "count"}],
            "pairs": [{"employee": metrics[0]["id"], "customer": "count"}],
        }
    )


async def refresh_into(tmp_path: Path, config: Config, records: list[dict], path: str) -> Path:
    with LocalServer({f"/{path}": lambda request: Reply(body=records)}) as server:
        live = config.model_copy(
            update={"sources": [config.sources[0].model_copy(update={"base_url": server.url})]}
        )
        store = Store(tmp_path / "s.db")
        async with make_client() as client:
            outcome = await refresh_source(live, live.sources[0], client, store, lambda: NOW, {})
        store.close()
    assert outcome.ok, outcome.error
    return tmp_path / "s.db"


def stored(path: Path, metric_id: str) -> tuple[dict, set, dict]:
    """The attacker's view, read straight from the SQLite file."""
    shown, hidden, spans = {}, set(), {}
    starts = {p.key: p for g in GRANULARITIES for p in last_periods(NOW.date(), g, 200)}
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT segment, granularity, period_key, n, suppressed, value FROM observations "
            "WHERE metric_id = ?",
            (metric_id,),
        ).fetchall()
    for segment, granularity, key, n, suppressed, value in rows:
        cell = (segment, granularity, key)
        spans[cell] = starts[key]
        if suppressed:
            assert value is None and n == 0  # neither leaves the process
            hidden.add(cell)
        else:
            shown[cell] = n
    return shown, hidden, spans


def raw_observations(config: Config, records: list[dict], metric_id: str) -> list[Observation]:
    metric = next(m for m in config.metrics if m.id == metric_id)
    observations = []
    for granularity in GRANULARITIES:
        periods = last_periods(NOW.date(), granularity, config.dashboard.history_periods)
        observations += compute_metric(metric, records, periods, NOW.date()).observations
    return observations


async def test_survey_answers_stored_leave_no_small_team_to_subtract(tmp_path):
    """Daily answers over a quarter: Alpha ~20 a month, Beta ~15, Gamma 2 in March,
    and a few with no team; eNPS per team by week, month and quarter."""
    records = []
    day = date(2026, 1, 1)
    while day <= NOW.date():
        teams = ["Alpha"] * (day.day % 3 == 0) + ["Beta"] * (day.day % 4 == 0)
        teams += ["Gamma"] * ((day.month < 3 and day.day % 5 == 0) or day in MARCH_GAMMA)
        teams += [None] * (day.day == 15)
        for i, team in enumerate(teams):
            records.append({"date": day.isoformat(), "score": (day.day + i) % 11, "team": team})
        day += timedelta(days=1)
    enps = {"id": "enps", "label": "eNPS", "side": "employee", "source": "s", "kind": "nps"}
    config = config_for("http://127.0.0.1:1", [{**enps, "segment_field": "team"}], "answers")
    path = await refresh_into(tmp_path, config, records, "answers")
    raw = raw_observations(config, records, "enps")
    truth = truth_of(raw)
    assert truth[("Gamma", "month", "2026-03")] == 2  # the small team is there to find
    assert attack(*split(primary_only(raw)), truth)
    assert attack(*stored(path, "enps"), truth) == []


MARCH_GAMMA = {date(2026, 3, 4), date(2026, 3, 11)}


async def test_headcount_and_turnover_leave_no_small_team_to_subtract(tmp_path):
    """37 = 20 + 15 + 2, and Gamma's one leaver the only one in its week."""
    people = []
    for team, size in (("Alpha", 20), ("Beta", 15), ("Gamma", 3)):
        for i in range(size):
            people.append(
                {"id": f"{team}{i}", "team": team, "hire_date": "2024-01-08", "end": None}
            )
    people[-1]["end"] = "2026-03-11"  # Gamma drops to 2 people
    people[0]["end"] = "2025-06-30"  # an earlier leaver, so turnover has a start
    hr = {"side": "employee", "source": "s", "segment_field": "team"}
    metrics = [
        {**hr, "id": "headcount", "label": "Headcount", "kind": "headcount"},
        {**hr, "id": "turnover", "label": "Turnover", "kind": "turnover"},
    ]
    for metric in metrics:
        metric["termination_date_field"] = "end"
    config = config_for("http://127.0.0.1:1", metrics, "people", "hire_date")
    path = await refresh_into(tmp_path, config, people, "people")
    for metric_id in ("headcount", "turnover"):
        raw = raw_observations(config, people, metric_id)
        truth = truth_of(raw)
        assert truth[("Gamma", "month", "2026-03")] < THRESHOLD
        assert attack(*split(primary_only(raw)), truth), metric_id
        assert attack(*stored(path, metric_id), truth) == [], metric_id


def test_a_value_hidden_to_protect_another_says_so_not_too_few():
    from tui.analysis.insights import PROTECTS, TOO_FEW, describe_linkage, hidden_words
    from tui.config.dashboard import LinkageSettings

    assert hidden_words(SMALL_GROUP) == TOO_FEW and hidden_words(COMPLEMENT) == PROTECTS
    sentence = describe_linkage(
        "Beta", "eNPS", "NPS", None, "month", LinkageSettings(), 0, left_out=COMPLEMENT
    )
    assert sentence == (
        "Beta: eNPS is hidden so that a smaller group cannot be worked out this period, "
        "so Beta is left out of the eNPS–NPS linkage."
    )


async def test_a_running_period_never_shows_the_answer_that_just_came_in(tmp_path):
    """eNPS 20 at n 40, then 21.95 at n 41: the 41st answer was a promoter. Two refreshes
    an hour apart while answers arrive must not let anyone tell."""
    base = [
        {"date": "2026-02-10", "score": 9 if i % 2 else 3, "team": "Support"} for i in range(40)
    ]
    base += [
        {"date": "2026-03-10", "score": 9 if i % 3 else 5, "team": "Support"} for i in range(40)
    ]
    later = [*base, {"date": "2026-03-20", "score": 10, "team": "Support"}]
    enps = {"id": "enps", "label": "eNPS", "side": "employee", "source": "s", "kind": "nps"}
    config = config_for("http://127.0.0.1:1", [{**enps, "segment_field": "team"}], "answers")
    seen = []
    for records in (base, later):
        path = await refresh_into(tmp_path, config, records, "answers")
        with sqlite3.connect(path) as db:
            seen.append(
                db.execute(
                    "SELECT segment, granularity, period_key, value, n, suppressed "
                    "FROM observations WHERE metric_id = 'enps' AND period_key IN "
                    "('2026-03', '2026-Q1') ORDER BY 1, 2, 3"
                ).fetchall()
            )
    assert seen[0] == seen[1]  # nothing about the running periods changed
    assert {row[3:] for row in seen[0]} == {(None, 0, RUNNING)}
    # The closed month shows, and that is what a panel shows as current.
    shown, _, _ = stored(path, "enps")
    assert shown[("Support", "month", "2026-02")] == 40


def test_a_panel_shows_the_last_closed_period_while_the_running_one_is_hidden():
    from tui.config.metrics import NpsMetric
    from tui.store import StoredObservation
    from tui.views.panels import panel_view

    fetched = NOW
    rows = [
        StoredObservation("2026-01", date(2026, 1, 1), 10.0, 40, "s", fetched),
        StoredObservation("2026-02", date(2026, 2, 1), 15.0, 42, "s", fetched),
        StoredObservation("2026-03", date(2026, 3, 1), None, 0, "s", fetched, RUNNING),
    ]
    metric = NpsMetric(id="e", label="eNPS", side="employee", source="s", kind="nps")
    view = panel_view(metric, rows, last_periods(NOW.date(), "month", 3), NOW.date())
    assert view.current is not None and view.current.period_key == "2026-02"
    assert view.value == 15.0 and view.change == 5.0 and view.suppressed_text == ""


async def test_an_internal_service_score_protects_its_raters_as_employee_values_do(tmp_path):
    """Teams rate the functions that serve them: IT often, Facilities by two people in
    February. The raters are employees: Facilities' February is hidden, and nothing
    shown gives it back by subtraction."""
    records = []
    day = date(2026, 1, 1)
    while day <= NOW.date():
        functions = ["IT"] * (day.day % 3 == 0)
        functions += ["Facilities"] * (
            (day.month != 2 and day.day % 5 == 0) or day in (date(2026, 2, 3), date(2026, 2, 17))
        )
        for i, function in enumerate(functions):
            records.append(
                {"date": day.isoformat(), "score": (day.day + i) % 11, "function": function}
            )
        day += timedelta(days=1)
    service = {"id": "service", "label": "Service", "side": "internal", "source": "s"}
    service |= {"kind": "nps", "segment_field": "function"}
    enps = {"id": "enps", "label": "eNPS", "side": "employee", "source": "s", "kind": "nps"}
    config = config_for("http://127.0.0.1:1", [enps, service], "ratings")
    path = await refresh_into(tmp_path, config, records, "ratings")
    raw = raw_observations(config, records, "service")
    truth = truth_of(raw)
    assert truth[("Facilities", "month", "2026-02")] == 2  # the small group is there to find
    assert attack(*split(primary_only(raw)), truth)
    _, hidden, _ = stored(path, "service")
    assert ("Facilities", "month", "2026-02") in hidden
    assert attack(*stored(path, "service"), truth) == []


# ── The relations, found by searching starts, against the definition ─────


@settings(max_examples=200, deadline=None)
@given(
    shuffle_seed=st.integers(0, 2**32),
    months=st.integers(0, 30),
    weeks=st.integers(0, 80),
    quarters=st.integers(0, 10),
)
def test_each_longer_period_holds_the_shorter_ones_wholly_inside_it(
    shuffle_seed, months, weeks, quarters
):
    import random

    from tui.metrics.privacy import _cell, _nested

    def observations(granularity: str, count: int) -> list[Observation]:
        periods = last_periods(date(2026, 3, 20), granularity, count)  # type: ignore[arg-type]
        found = [Observation("m", "Support", period, 1.0, 9) for period in periods]
        random.Random(shuffle_seed).shuffle(found)  # in no particular order
        return found

    for total_granularity, part_granularity, total_count, part_count in (
        ("quarter", "month", quarters, months),
        ("month", "week", months, weeks),
        ("quarter", "week", quarters, weeks),
    ):
        totals = observations(total_granularity, total_count)
        parts = observations(part_granularity, part_count)
        found = _nested(totals, parts)
        assert [relation.total for relation in found] == [_cell(t) for t in totals]
        for total, relation in zip(totals, found, strict=True):
            assert relation.parts == tuple(
                _cell(part)
                for part in parts
                if total.period.start <= part.period.start and part.period.end <= total.period.end
            )


# ── Relations that can matter, against every relation ────────────────────


def every_relation(observations):  # type: ignore[no-untyped-def]
    """The relations by their definition, empty cells and all: what relations_of gave
    before it left out those that can never matter."""
    from tui.metrics.privacy import NESTED, Relation, _cell

    observations = list(observations)
    present = {_cell(o) for o in observations}
    relations = []
    periods = sorted({(o.period.granularity, o.period.key) for o in observations if o.segment})
    for granularity, key in periods:
        if ("", granularity, key) in present:
            parts = sorted(
                _cell(o)
                for o in observations
                if o.segment and (o.period.granularity, o.period.key) == (granularity, key)
            )
            relations.append(Relation(("", granularity, key), tuple(parts), True))
    for segment in sorted({o.segment for o in observations}):
        for total_granularity, part_granularity in NESTED:
            mine = [o for o in observations if o.segment == segment]
            for total in (o for o in mine if o.period.granularity == total_granularity):
                inside = tuple(
                    _cell(o)
                    for o in mine
                    if o.period.granularity == part_granularity
                    and total.period.start <= o.period.start
                    and o.period.end <= total.period.end
                )
                relations.append(Relation(_cell(total), inside, False))
    return relations


@settings(max_examples=500, deadline=None)
@given(
    data=st.data(),
    segments=st.lists(st.sampled_from(["Sales", "Support", "Ops"]), unique=True, max_size=3),
    weeks=st.integers(0, 14),
    months=st.integers(0, 4),
    quarters=st.integers(0, 2),
    running=st.booleans(),
)
def test_leaving_out_empty_cells_hides_exactly_what_every_relation_hides(
    data, segments, weeks, months, quarters, running
):
    from unittest import mock

    from tui.metrics import privacy

    today = date(2026, 3, 20)
    # Any n for any cell: mostly empty, as in a long window, and not always consistent
    # (a month may hold more than its quarter), so nothing rests on the data adding up.
    n = st.one_of(st.just(0), st.just(0), st.integers(1, 12))
    raw = [
        Observation("m", segment, period, 50.0, data.draw(n))
        for segment in ["", *segments]
        for granularity, count in (("week", weeks), ("month", months), ("quarter", quarters))
        for period in last_periods(today, granularity, count)  # type: ignore[arg-type]
    ]
    raw = data.draw(st.permutations(raw))
    when = today if running else None
    with mock.patch.object(privacy, "relations_of", every_relation):
        expected = protect_small_groups(raw, THRESHOLD, when)
    assert protect_small_groups(raw, THRESHOLD, when) == expected
