"""Internal customers: each function's service, the people it serves, their customers.

Every team is someone's customer inside the organisation. IT, HR, facilities and
finance serve the teams that serve customers, and those teams rate them: an
internal service score per function and period (an `internal`-side metric whose
segment field names the function rated). Its raters are employees, so a
function's score is hidden below the anonymity threshold like any employee value
(tui.collect.refresh protects every side but the customer's).

For each function the chain is tested twice with the pairs' linkage machinery:
does its service lead the employee health of the teams it serves, and does that
employee health lead those teams' customer health? Health is made as on the
balance screen (tui.analysis.balance): each metric scaled against its own levels, a side
the mean of its metrics. The teams served count equally: their health is the
mean of each team's, for a period where every one of them has a value, so a
team missing for a month cannot move the line by leaving it. Every verdict on
the screen is corrected together, as on the insights screen.

Pure functions over stored observations, like tui.analysis.insights and tui.analysis.balance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from tui.analysis.balance import side_health
from tui.analysis.insights import (
    LINKAGE_PERIODS,
    PairLinkage,
    SeriesOf,
    describe_linkage,
    linkage_periods,
    screen_adjusted,
    values_on,
)
from tui.config import Config, LinkageSettings, Metric
from tui.config.internal import InternalFunction
from tui.metrics.linkage import linkage
from tui.periods import Period, last_periods
from tui.store import HistoryStore, StoredObservation

Health = list[float | None]


@dataclass(frozen=True)
class ChainPoint:
    """One period of a function's chain: its score, and the health of the teams it serves."""

    period: Period
    score: float | None
    score_n: int
    # Why the score is hidden (a suppression code; 0: shown). Its n is hidden too.
    score_hidden: int
    employee: float | None
    customer: float | None
    in_progress: bool


@dataclass(frozen=True)
class FunctionService:
    """One function's row: its latest closed score, and the chain's two links."""

    index: int
    name: str
    serves: tuple[str, ...]
    # The latest closed period, its score, n and suppression code, and the change
    # from the closed period before (None when either is missing or hidden).
    period: Period | None
    score: float | None
    n: int
    hidden: int
    change: float | None
    service_to_people: PairLinkage
    people_to_customers: PairLinkage
    # The history window, oldest first, the period in progress last (for the detail).
    points: tuple[ChainPoint, ...]
    # Teams served that no employee or customer metric has records for (a misspelt name).
    unknown_teams: tuple[str, ...] = ()

    @property
    def links(self) -> tuple[PairLinkage, PairLinkage]:
        return self.service_to_people, self.people_to_customers


@dataclass(frozen=True)
class InternalService:
    """Every configured function's service and chain, and how the health is made."""

    metric: Metric | None
    employee_metrics: tuple[Metric, ...]
    customer_metrics: tuple[Metric, ...]
    functions: tuple[FunctionService, ...]
    # Why there is nothing to show, when there is not (no [internal] in the config).
    refused: str = ""

    @property
    def health_words(self) -> str:
        """How the served teams' health is made, in words."""
        return (
            f"Teams' employee health: {_side_words(self.employee_metrics)}; customer health: "
            f"{_side_words(self.customer_metrics)} — each metric scaled to 0 at its warn "
            "level, -1 at bad and +1 at its target, as on the balance screen. A function's "
            "teams count equally, in periods where every one of them has a value."
        )

    @property
    def links(self) -> list[PairLinkage]:
        return [link for function in self.functions for link in function.links]

    def function(self, name: str) -> FunctionService | None:
        return next((f for f in self.functions if f.name == name), None)


NOT_CONFIGURED = (
    "No internal service survey is configured. Add an [internal] table naming a metric "
    '(side = "internal") whose segment field is the function rated, and [[internal.functions]] '
    "with the teams each one serves: see config/examples/internal.toml."
)


_BRIEF = {
    "not_enough_history": "too early",
    "no_link": "no link",
    "cant_tell": "can't tell",
    "moves_together": "together",
}
_UNIT = {"week": "wk", "month": "mo", "quarter": "qtr"}


def link_brief(link: PairLinkage) -> str:
    """A link's verdict in a few characters, for a narrow table: 'leads 2 mo'."""
    result = link.result
    if result is None:
        return "—"
    if result.verdict == "leads" and result.lag is not None:
        return f"leads {result.lag} {_UNIT[link.granularity]}"
    return _BRIEF.get(result.verdict, result.verdict)


def possessive(name: str, label: str) -> str:
    """ "IT's internal service": a label's capital goes in the middle of a sentence,
    an acronym's (NPS, CSAT) stays."""
    if label[:1].isupper() and label[1:2].islower():
        label = label[0].lower() + label[1:]
    return f"{name}' {label}" if name.endswith("s") else f"{name}'s {label}"


def _side_words(metrics: Sequence[Metric]) -> str:
    labels = [metric.label for metric in metrics]
    return labels[0] if len(labels) == 1 else "the mean of " + ", ".join(labels)


def served_health(
    metrics: Sequence[Metric],
    series_of: SeriesOf,
    teams: Sequence[str],
    periods: Sequence[Period],
) -> Health:
    """The teams' health on `periods`: the mean of each team's (tui.analysis.balance.side_health),
    where every team has one; None elsewhere."""
    by_team = []
    for team in teams:
        values = [values_on(series_of(metric.id, team), periods) for metric in metrics]
        by_team.append([side_health(metrics, [v[t] for v in values]) for t in range(len(periods))])
    out: Health = []
    for t in range(len(periods)):
        healths = [h for health in by_team if (h := health[t]) is not None]
        out.append(sum(healths) / len(healths) if len(healths) == len(by_team) else None)
    return out


def chain_link(
    index: int,
    who: str,
    cause: str,
    effect: str,
    cause_values: Sequence[float | None],
    effect_values: Sequence[float | None],
    periods: Sequence[Period],
    settings: LinkageSettings,
    expected_sign: int,
) -> PairLinkage:
    """One link of the chain, tested and said as a pair's linkage is (tui.analysis.insights)."""
    granularity = periods[-1].granularity if periods else "month"
    result = linkage(
        cause_values,
        effect_values,
        max_lag=settings.max_lag,
        min_overlap=settings.min_overlap,
        transform=settings.transform,
        alpha=settings.alpha,
        expected_sign=expected_sign,
        meaningful_r=settings.meaningful_r,
    )
    available = sum(
        1
        for x, y in zip(cause_values, effect_values, strict=True)
        if x is not None and y is not None
    )
    sentence = describe_linkage(who, cause, effect, result, granularity, settings, available)
    return PairLinkage(
        index, who, cause, effect, granularity, result, tuple(periods), sentence, available
    )


def _latest_closed(
    series: Sequence[StoredObservation], closed: Sequence[Period]
) -> tuple[StoredObservation | None, StoredObservation | None]:
    by_key = {o.period_key: o for o in series}
    latest = by_key.get(closed[-1].key) if closed else None
    before = by_key.get(closed[-2].key) if len(closed) > 1 else None
    return latest, before


def function_service(
    index: int,
    function: InternalFunction,
    metric: Metric,
    employee: Sequence[Metric],
    customer: Sequence[Metric],
    series_of: SeriesOf,
    known_teams: set[str],
    config: Config,
    today: date,
) -> FunctionService:
    """One function's row and chain, over every complete stored period."""
    granularity = config.dashboard.period
    settings = config.linkage
    teams = function.serves
    score_series = series_of(metric.id, function.name)
    stored = [score_series, *(series_of(m.id, t) for m in (*employee, *customer) for t in teams)]
    closed = linkage_periods(today, granularity, stored, config.dashboard.history_periods - 1)
    scores = values_on(score_series, closed)
    people = served_health(employee, series_of, teams, closed)
    customers = served_health(customer, series_of, teams, closed)
    sign = 1 if metric.direction == "higher_is_better" else -1
    to_people = chain_link(
        index,
        function.name,
        possessive(function.name, metric.label),
        "the employee health of the teams it serves",
        scores,
        people,
        closed,
        settings,
        sign,
    )
    to_customers = chain_link(
        index,
        possessive(function.name, "teams"),
        "employee health",
        "customer health",
        people,
        customers,
        closed,
        settings,
        1,
    )
    latest, before = _latest_closed(score_series, closed)
    shown = latest is not None and not latest.suppressed and latest.value is not None
    change = None
    if shown and before is not None and not before.suppressed and before.value is not None:
        assert latest is not None and latest.value is not None
        change = latest.value - before.value
    window = last_periods(today, granularity, config.dashboard.history_periods)
    return FunctionService(
        index,
        function.name,
        tuple(teams),
        closed[-1] if closed else None,
        latest.value if shown and latest is not None else None,
        latest.n if shown and latest is not None else 0,
        latest.suppressed if latest is not None else 0,
        change,
        to_people,
        to_customers,
        _points(metric, employee, customer, series_of, function, window, today),
        tuple(team for team in teams if team not in known_teams),
    )


def _points(
    metric: Metric,
    employee: Sequence[Metric],
    customer: Sequence[Metric],
    series_of: SeriesOf,
    function: InternalFunction,
    window: Sequence[Period],
    today: date,
) -> tuple[ChainPoint, ...]:
    by_key = {o.period_key: o for o in series_of(metric.id, function.name)}
    people = served_health(employee, series_of, function.serves, window)
    customers = served_health(customer, series_of, function.serves, window)
    points = []
    for t, period in enumerate(window):
        o = by_key.get(period.key)
        hidden = o.suppressed if o is not None else 0
        shown = o is not None and not hidden
        points.append(
            ChainPoint(
                period,
                o.value if shown and o is not None else None,
                o.n if shown and o is not None else 0,
                hidden,
                people[t],
                customers[t],
                period.contains(today),
            )
        )
    return tuple(points)


def compute_internal(
    config: Config,
    series_of: SeriesOf,
    segments_of: Callable[[str], Sequence[str]],
    today: date,
) -> InternalService:
    """Every function's service and chain, the verdicts corrected across the screen."""
    internal = config.internal
    employee_ids, customer_ids = config.internal_sides()
    metrics = {metric.id: metric for metric in config.metrics}
    employee = tuple(metrics[i] for i in employee_ids)
    customer = tuple(metrics[i] for i in customer_ids)
    if internal.metric is None:
        return InternalService(None, employee, customer, (), NOT_CONFIGURED)
    metric = metrics[internal.metric]
    series_of = _remembered(series_of)  # a team's series serves every function that serves it
    known = {team for m in (*employee, *customer) for team in segments_of(m.id)}
    drafts = [
        function_service(
            index, function, metric, employee, customer, series_of, known, config, today
        )
        for index, function in enumerate(internal.functions)
    ]
    corrected = iter(screen_adjusted([link for f in drafts for link in f.links], config.linkage))
    functions = tuple(
        _with_links(function, next(corrected), next(corrected)) for function in drafts
    )
    return InternalService(metric, employee, customer, functions)


def _with_links(
    function: FunctionService, to_people: PairLinkage, to_customers: PairLinkage
) -> FunctionService:
    return replace(function, service_to_people=to_people, people_to_customers=to_customers)


def _remembered(series_of: SeriesOf) -> SeriesOf:
    memo: dict[tuple[str, str], Sequence[StoredObservation]] = {}

    def read(metric_id: str, segment: str) -> Sequence[StoredObservation]:
        key = (metric_id, segment)
        if key not in memo:
            memo[key] = series_of(metric_id, segment)
        return memo[key]

    return read


def internal_from_store(config: Config, store: HistoryStore, today: date) -> InternalService:
    """`compute_internal` over the store's series for the dashboard's period."""
    granularity = config.dashboard.period
    return compute_internal(
        config,
        lambda metric_id, segment: store.series(
            metric_id, granularity, segment, limit=LINKAGE_PERIODS
        ),
        lambda metric_id: store.segments(metric_id, granularity),
        today,
    )
