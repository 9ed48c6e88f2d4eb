"""What the stored history says about each pair: linkage, early warnings and segments.

Pure functions over stored observations. The dashboard, the insights and
segment screens, `tandem snapshot --json` and `tandem report` all render
these values, so none of them can tell a different story.

Linkage runs on complete periods only: the period in progress holds a part
of its responses, and a half-month would weigh as much as a whole one.
Suppressed employee groups (too few responses to show) are gaps, and a
segment whose current employee value is suppressed is left out entirely.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tui.config import Config, LinkageSettings, Metric, Pair
from tui.metrics.compute import COMPLEMENT, EVERYONE, RUNNING
from tui.metrics.display import (
    HISTORY_PERIODS,
    change_amount,
    current_index,
    format_value,
    threshold_status,
)
from tui.metrics.evidence import (
    BASELINE,
    EWMA_PERIODS,
    FALSE_ALARM_BOUND,
    PERIODS_USED,
    Movement,
    Sample,
    worsened,
)
from tui.metrics.linkage import Linkage, interval_level, linkage, screen_corrected
from tui.metrics.scores import share_spread
from tui.periods import Granularity, Period, last_periods, period_of
from tui.store import HistoryStore, StoredObservation

SeriesOf = Callable[[str, str], Sequence[StoredObservation]]
"""(metric id, segment) -> the stored series, oldest first; segment "" is everyone."""

WHOLE_ORGANISATION = "Whole organisation"
TOO_FEW = "too few responses to show"
PROTECTS = "hidden: would reveal a smaller group"
UNTIL_CLOSED = "shown when the period closes"


def hidden_words(suppressed: int, *, short: bool = False) -> str:
    """What a hidden employee value says in place of a number (metrics.privacy); `short`
    for a narrow table cell."""
    if short:
        return {COMPLEMENT: "protected", RUNNING: "until closed"}.get(suppressed, "too few")
    return {COMPLEMENT: PROTECTS, RUNNING: UNTIL_CLOSED}.get(suppressed, TOO_FEW)


_NOUNS = {
    "week": ("week", "weeks"),
    "month": ("month", "months"),
    "quarter": ("quarter", "quarters"),
}
_STATUS_RANK = {"none": 0, "good": 0, "warn": 1, "bad": 2}


def periods_noun(count: int, granularity: Granularity) -> str:
    singular, plural = _NOUNS[granularity]
    return f"{count} {singular if count == 1 else plural}"


def segment_name(segment: str) -> str:
    return segment or WHOLE_ORGANISATION


def complete_periods(today: date, granularity: Granularity, count: int) -> list[Period]:
    """The last `count` periods that have ended, oldest first (the one in progress left out)."""
    return last_periods(today, granularity, count + 1)[:-1]


# The most periods linkage reads back (ten years of weeks): it uses every stored period
# of a pair, not only the dashboard's window, since each one adds evidence.
LINKAGE_PERIODS = 520


def linkage_periods(
    today: date,
    granularity: Granularity,
    stored: Sequence[Sequence[StoredObservation]],
    at_least: int,
) -> list[Period]:
    """The complete periods from the earliest one stored in any of `stored`, and no
    fewer than `at_least` (so "periods with both" counts against a fixed window)."""
    running = period_of(today, granularity)
    earliest = min(
        (o.period_start for series in stored for o in series if o.period_start < running.start),
        default=None,
    )
    count = at_least
    if earliest is not None:
        first = period_of(earliest, granularity)
        count = max(count, _periods_between(first, running))
    return complete_periods(today, granularity, min(count, LINKAGE_PERIODS))


def _periods_between(first: Period, running: Period) -> int:
    """How many periods from `first` up to (not including) `running`."""
    if first.granularity == "week":
        return (running.start - first.start).days // 7
    months = (running.start.year - first.start.year) * 12 + running.start.month - first.start.month
    return months // 3 if first.granularity == "quarter" else months


def values_on(stored: Sequence[StoredObservation], periods: Sequence[Period]) -> list[float | None]:
    """The stored values on a time axis; a missing or suppressed period is None."""
    by_key = {o.period_key: o.value for o in stored if not o.suppressed}
    return [by_key.get(period.key) for period in periods]


def expected_sign(employee: Metric, customer: Metric) -> int:
    """+1 when both improve in the same direction (eNPS, NPS), -1 when they do not."""
    return 1 if employee.direction == customer.direction else -1


# ── Linkage ──────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PairLinkage:
    """One pair's linkage in one segment, and the sentence that says it."""

    pair_index: int
    segment: str
    employee_label: str
    customer_label: str
    granularity: Granularity
    # None when the segment is left out (too few employee responses).
    result: Linkage | None
    periods: tuple[Period, ...]
    sentence: str
    # Periods where both series have a value.
    available: int = 0
    # Why the segment is left out: the employee value's suppression code (0: it is not).
    left_out: int = 0

    @property
    def linked(self) -> bool:
        return self.result is not None and self.result.linked

    @property
    def lag(self) -> int | None:
        """The lag in periods, only when the link holds."""
        return self.result.lag if self.result is not None and self.result.linked else None

    @property
    def short(self) -> str:
        """A few words for a pair's caption or a table cell."""
        result = self.result
        if result is None:
            if self.left_out == COMPLEMENT:
                return "left out: protects a smaller group"
            return "left out: too few responses"
        verdict = result.verdict
        if verdict == "not_enough_history":
            return "not enough history yet"
        if verdict == "no_link":
            return "no link found"
        if verdict == "cant_tell":
            return "can't tell yet"
        assert result.lag is not None and result.r is not None
        if verdict == "moves_together":  # never "leads by 0 quarters": nothing leads
            return f"moves together · r {result.r:.2f}"
        return f"leads by {periods_noun(result.lag, self.granularity)} · r {result.r:.2f}"


def describe_linkage(
    segment: str,
    employee_label: str,
    customer_label: str,
    result: Linkage | None,
    granularity: Granularity,
    settings: LinkageSettings,
    available: int,
    left_out: int = 0,
) -> str:
    """One plain sentence a board pack can take."""
    who = segment_name(segment)
    if result is None:
        why = (
            "is hidden so that a smaller group cannot be worked out"
            if left_out == COMPLEMENT
            else f"has {TOO_FEW}"
        )
        return (
            f"{who}: {employee_label} {why} this period, so {who} is left out "
            f"of the {employee_label}–{customer_label} linkage."
        )
    # Differencing turns n periods into n - 1 changes.
    needed = settings.min_overlap + (1 if settings.transform == "difference" else 0)
    if not result.enough_history:
        return (
            f"{who}: not enough history yet to link {employee_label} and {customer_label} — "
            f"{periods_noun(available, granularity)} with both, "
            f"{periods_noun(needed, granularity)} needed."
        )
    best = result.best
    assert best is not None and best.r is not None and result.p_value is not None
    over = periods_noun(best.overlap, granularity)
    unit = _NOUNS[granularity][0]
    # Differenced series compare changes: say so, or "r 0.7" reads as a link of levels.
    changes = settings.transform == "difference"
    what_r = "between the changes " if changes else ""
    if result.linked:
        assert result.ci_low is not None and result.ci_high is not None
        if best.lag == 0:
            lead = (
                f"{employee_label} and {customer_label} change together in the same {unit}"
                if changes
                else f"{employee_label} and {customer_label} move together in the same {unit}"
            )
        elif changes:
            follow = "rise" if best.r > 0 else "fall"
            lead = (
                f"a rise in {employee_label} is followed about "
                f"{periods_noun(best.lag, granularity)} later by a {follow} in {customer_label}"
            )
        else:
            lead = (
                f"{employee_label} moves about {periods_noun(best.lag, granularity)} "
                f"ahead of {customer_label}"
            )
        return (
            f"{who}: {lead} — r {best.r:.2f} {what_r}over {over} "
            f"(adjusted {interval_level(settings.alpha):.0%} CI {result.ci_low:.2f} to "
            f"{result.ci_high:.2f}, p {_p_text(result.p_value)})."
        )
    lags = f"0 to {periods_noun(settings.max_lag, granularity)}"
    if result.rules_out:
        return (
            f"{who}: no link found between {employee_label} and {customer_label} — "
            f"over {over} the data rule out a correlation of r {result.meaningful_r:.1f} or more "
            f"{what_r}at every lag from {lags}."
        )
    more = ""
    if result.more_needed is not None:
        more = (
            f"; about {periods_noun(result.more_needed, granularity)} more would show "
            f"an effect of r {result.meaningful_r:.1f}"
        )
    return (
        f"{who}: can't tell yet whether {employee_label} leads {customer_label} — "
        f"the strongest, r {best.r:.2f} at {periods_noun(best.lag, granularity)} over {over}, "
        f"could be chance (p {_p_text(result.p_value)}){more}."
    )


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def pair_linkage(
    pair_index: int,
    segment: str,
    employee: Metric,
    customer: Metric,
    employee_series: Sequence[StoredObservation],
    customer_series: Sequence[StoredObservation],
    periods: Sequence[Period],
    settings: LinkageSettings,
    *,
    left_out: int = 0,
) -> PairLinkage:
    """The linkage of one pair in one segment over the complete `periods`."""
    granularity = periods[-1].granularity if periods else "month"
    e = values_on(employee_series, periods)
    c = values_on(customer_series, periods)
    result = None
    if not left_out:
        result = linkage(
            e,
            c,
            max_lag=settings.max_lag,
            min_overlap=settings.min_overlap,
            transform=settings.transform,
            alpha=settings.alpha,
            expected_sign=expected_sign(employee, customer),
            meaningful_r=settings.meaningful_r,
        )
    available = sum(1 for x, y in zip(e, c, strict=True) if x is not None and y is not None)
    sentence = describe_linkage(
        segment, employee.label, customer.label, result, granularity, settings, available, left_out
    )
    return PairLinkage(
        pair_index,
        segment,
        employee.label,
        customer.label,
        granularity,
        result,
        tuple(periods),
        sentence,
        available,
        left_out,
    )


# ── Early warnings ───────────────────────────────────────────────────────


WarningReason = Literal["crossed_threshold", "dropped", "sustained"]


@dataclass(frozen=True)
class EarlyWarning:
    """An employee metric turned for the worse, beyond its sampling noise, while its
    customer metric has not moved beyond its own, yet."""

    pair_index: int
    segment: str
    reason: WarningReason
    sentence: str
    # The evidence: the chart that passed, its z, and how often noise alone would.
    movement: Movement | None = None


def spread_of(metric: Metric, value: float, variance: float | None) -> float | None:
    """The spread per record behind a value: as stored, or, for a row stored without
    one, what the metric's kind says. A share (CSAT, turnover, churn) counts each
    record as 100 or 0, so its spread follows from the value itself; an NPS's is at
    most 10000 − NPS² (no passives), a bound that only makes a movement look smaller.
    Anything else (a mean, a count, a vendor's value) has none to offer: None."""
    if variance is not None:
        return variance
    if metric.kind in ("csat", "turnover", "churn") and 0 <= value <= 100:
        return share_spread(value)
    if metric.kind == "nps" and -100 <= value <= 100:
        return 10_000 - value * value
    return None


def samples_on(
    metric: Metric, stored: Sequence[StoredObservation], periods: Sequence[Period]
) -> list[Sample | None]:
    """The stored values with their spread on a time axis; None where a period has no
    value, is hidden, or has no spread to weigh it by."""
    by_key = {}
    for o in stored:
        if o.suppressed or o.value is None or o.n <= 0:
            continue
        spread = spread_of(metric, o.value, o.variance)
        if spread is not None:
            by_key[o.period_key] = Sample(o.value, spread, o.n)
    return [by_key.get(period.key) for period in periods]


def _status_rank(value: float | None, metric: Metric) -> int:
    return _STATUS_RANK[threshold_status(value, metric)]


def _customer_moved(
    customer: Metric, stored: Sequence[StoredObservation], periods: Sequence[Period]
) -> bool:
    """Whether the customer metric has already moved for the worse in its latest closed
    period, beyond its own noise; without a known spread (a vendor's value), whether it
    crossed a level or fell by more than its early_warning_drop."""
    samples = samples_on(customer, stored, periods)
    if samples and samples[-1] is not None:
        return worsened(samples, customer.direction == "higher_is_better") is not None
    values = values_on(stored, periods[-2:])
    if len(values) < 2 or values[0] is None or values[1] is None:
        return False
    if _status_rank(values[1], customer) > _status_rank(values[0], customer):
        return True
    worse = (
        values[0] - values[1] if customer.direction == "higher_is_better" else values[1] - values[0]
    )
    return worse > (customer.early_warning_drop or 0.0)


def early_warning(
    pair_index: int,
    segment: str,
    employee: Metric,
    customer: Metric,
    employee_series: Sequence[StoredObservation],
    customer_series: Sequence[StoredObservation],
    closed: Sequence[Period],
    link: PairLinkage | None,
) -> EarlyWarning | None:
    """A warning when the employee side worsened beyond its sampling noise in its latest
    closed period — a sudden step or a slide over a few periods (metrics.evidence) — by
    at least its early_warning_drop or past a level, and the customer side has not
    moved beyond its own noise yet. `closed` are the complete periods, oldest first."""
    if not closed:
        return None
    closed = closed[-PERIODS_USED:]  # what the charts look at (linkage reads far more)
    samples = samples_on(employee, employee_series, closed)
    movement = worsened(samples, employee.direction == "higher_is_better")
    if movement is None:
        return None
    latest = samples[-1]
    assert latest is not None
    crossed = _status_rank(latest.value, employee) > _status_rank(movement.baseline, employee)
    material = (
        employee.early_warning_drop is None or movement.worse_by >= employee.early_warning_drop
    )
    if not (crossed or material) or _customer_moved(customer, customer_series, closed):
        return None
    period, granularity = closed[-1], closed[-1].granularity
    higher = employee.direction == "higher_is_better"
    worse = "below" if higher else "above"
    amount = change_amount(movement.worse_by, employee)
    # Against the periods before the step, or before the slide's window.
    baseline = periods_noun(movement.baseline_periods, granularity)
    before = f"{amount} {worse} its average of the {baseline} before"
    shown = format_value(latest.value, employee)
    if movement.chart == "step":
        verb = "fell" if higher else "rose"
        what = f"{employee.label} {verb} to {shown} in {period.label}, {before}"
    else:
        what = (
            f"{employee.label} {'slid' if higher else 'crept up'} over "
            f"{periods_noun(EWMA_PERIODS, granularity)} to {shown} in {period.label}, "
            f"about {before}"
        )
    if crossed and employee.thresholds is not None:
        level = "bad" if threshold_status(latest.value, employee) == "bad" else "warn"
        edge = employee.thresholds.bad if level == "bad" else employee.thresholds.warn
        _, edge_text = _distinct(latest.value, edge, employee)
        what += f", past its {level} level of {edge_text}"
    sure = f"noise alone would do this {odds_words(movement.chance)}"
    held_values = values_on(customer_series, closed[-1:])
    held = f"{customer.label} has held at {format_value(held_values[0], customer)}"
    if held_values[0] is None:
        held = f"there is no {customer.label} yet to compare"
    if link is not None and link.lag is not None and link.lag > 0:
        follow = period
        for _ in range(link.lag):
            follow = follow.next()
        outlook = (
            f"here {employee.label} has led {customer.label} by about "
            f"{periods_noun(link.lag, granularity)}, "
            f"so watch {customer.label} around {follow.label}"
        )
    elif link is not None and link.lag == 0:
        same = _NOUNS[granularity][0]
        outlook = f"here the two move in the same {same}, so watch {customer.label} now"
    else:
        outlook = f"no lead is established in this data yet, so watch {customer.label}"
    reason: WarningReason = (
        "crossed_threshold" if crossed else "dropped" if movement.chart == "step" else "sustained"
    )
    sentence = f"{segment_name(segment)}: {what} ({sure}), while {held}; {outlook}."
    return EarlyWarning(pair_index, segment, reason, sentence, movement)


def odds_words(chance: float) -> str:
    """'about 1 time in 400' for a chance of 0.0025, in two significant figures."""
    if chance <= 0.001:
        return "less than 1 time in 1,000"
    odds = 1 / chance
    rounded = round(odds, 1 - math.floor(math.log10(odds)))
    return f"about 1 time in {rounded:,.0f}"


def _distinct(value: float, edge: float, metric: Metric) -> tuple[str, str]:
    """Value and threshold with one more decimal when rounding would show them equal."""
    shown, edge_text = format_value(value, metric), format_value(edge, metric)
    if shown == edge_text:
        finer = metric.model_copy(update={"decimals": metric.decimals + 1})
        shown, edge_text = format_value(value, finer), format_value(edge, finer)
    return shown, edge_text


# ── Everything at once ───────────────────────────────────────────────────


@dataclass(frozen=True)
class SegmentInsight:
    """What the analysis says about one pair in one segment: its linkage and warning."""

    pair_index: int
    segment: str
    link: PairLinkage
    warning: EarlyWarning | None


def current_hidden(stored: Sequence[StoredObservation], periods: Sequence[Period]) -> int:
    """Why the value a panel on `periods` shows as current is hidden (a suppression code
    from metrics.privacy), or 0 when it is shown."""
    by_key = {o.period_key: o for o in stored}
    on_axis = [found for period in periods if (found := by_key.get(period.key)) is not None]
    index = current_index(on_axis)
    return 0 if index is None else on_axis[index].suppressed


@dataclass(frozen=True)
class Insights:
    """Linkage and warnings for every pair, for the whole organisation and each segment."""

    # Per pair: the whole organisation first, then each segment by name.
    rows: tuple[SegmentInsight, ...]
    # Pairs and segments whose latest closed employee value could be weighed for a
    # warning (shown, with a known spread): the warnings' false alarms add up over them.
    watched: int = 0
    # Teams that moved into "customers served at employees' expense" (tui.analysis.balance, which
    # builds on this module): added where the balance is computed beside the insights.
    balance_warnings: tuple[str, ...] = ()

    def of_pair(self, pair_index: int) -> list[SegmentInsight]:
        return [row for row in self.rows if row.pair_index == pair_index]

    def segments_of(self, pair_index: int) -> list[SegmentInsight]:
        return [row for row in self.of_pair(pair_index) if row.segment != EVERYONE]

    def overall(self, pair_index: int) -> SegmentInsight:
        return next(row for row in self.of_pair(pair_index) if row.segment == EVERYONE)

    @property
    def warnings(self) -> list[EarlyWarning]:
        return [row.warning for row in self.rows if row.warning is not None]

    @property
    def links(self) -> list[PairLinkage]:
        return [row.link for row in self.rows]


def _segments(pair: Pair, segments_of: Callable[[str], Sequence[str]]) -> list[str]:
    """Segments that either side has stored, the whole organisation first."""
    names = set(segments_of(pair.employee)) | set(segments_of(pair.customer))
    return [EVERYONE, *sorted(names, key=str.casefold)]


# A pair's linkage in one segment, by everything it is computed from (see
# compute_insights); kept by the collector between analyses of one config.
LinkageMemo = dict[tuple[object, ...], PairLinkage]


def compute_insights(
    config: Config,
    series_of: SeriesOf,
    segments_of: Callable[[str], Sequence[str]],
    today: date,
    memo: LinkageMemo | None = None,
) -> Insights:
    """Linkage and warnings for every pair and segment.

    With a `memo` from the analysis before (of the same config), a pair's linkage whose
    series and periods are unchanged is taken from it rather than tested again: a
    source that lands costs the pairs it feeds, not all of them. The memo is left
    holding this analysis' linkages only. The correction across the screen and the
    warnings are computed afresh every time, as they depend on every linkage at once.
    """
    granularity = config.dashboard.period
    settings = config.linkage
    metrics = {metric.id: metric for metric in config.metrics}
    window = config.dashboard.history_periods - 1
    panel_axis = last_periods(today, granularity, HISTORY_PERIODS)
    drafts = []
    links: list[PairLinkage] = []
    evidence: list[
        tuple[Sequence[StoredObservation], Sequence[StoredObservation], list[Period]]
    ] = []
    kept: LinkageMemo = {}
    for index, pair in enumerate(config.pairs):
        employee, customer = metrics[pair.employee], metrics[pair.customer]
        for segment in _segments(pair, segments_of):
            e_series = series_of(employee.id, segment)
            c_series = series_of(customer.id, segment)
            # Left out where the panel's current employee value is hidden.
            hidden = current_hidden(e_series, panel_axis)
            closed = linkage_periods(today, granularity, (e_series, c_series), window)
            key = (
                index,
                segment,
                employee.id,
                customer.id,
                hidden,
                tuple(e_series),
                tuple(c_series),
                tuple(closed),
            )
            link = memo.get(key) if memo is not None else None
            if link is None:
                link = pair_linkage(
                    index,
                    segment,
                    employee,
                    customer,
                    e_series,
                    c_series,
                    closed,
                    settings,
                    left_out=hidden,
                )
            kept[key] = link
            drafts.append((index, segment, employee, customer, hidden))
            links.append(link)
            evidence.append((e_series, c_series, closed))
    # Warnings give the expected lag of a link that holds after the screen's correction.
    rows: list[SegmentInsight] = []
    watched = 0
    for (index, segment, employee, customer, hidden), link, seen in zip(
        drafts, screen_adjusted(links, settings), evidence, strict=True
    ):
        warning = None
        if not hidden:
            e_series, _, closed = seen
            latest = samples_on(employee, e_series, closed[-1:]) if closed else [None]
            watched += latest[0] is not None
            warning = early_warning(index, segment, employee, customer, *seen, link)
        rows.append(SegmentInsight(index, segment, link, warning))
    if memo is not None:
        memo.clear()
        memo.update(kept)
    return Insights(tuple(rows), watched)


def warnings_note(insights: Insights, granularity: Granularity) -> str:
    """How many warnings noise alone would raise on this screen: each watched pair and
    segment passes a chart by chance at most 2 times in 100."""
    watched = insights.watched
    if not watched:
        return "No employee value here can be weighed against its sampling noise yet."
    expected = watched * FALSE_ALARM_BOUND
    what = "value" if watched == 1 else "values"
    return (
        f"{watched} employee {what} watched (each pair, for the whole organisation and each "
        f"segment): noise alone would raise about {expected:.1f} warnings a "
        f"{_NOUNS[granularity][0]} among them, at most 2 in 100 each."
    )


def screen_adjusted(links: Sequence[PairLinkage], settings: LinkageSettings) -> list[PairLinkage]:
    """Every verdict on screen corrected together (metrics.linkage.screen_corrected),
    each sentence saying its corrected p and interval."""
    corrected = screen_corrected([link.result for link in links], settings.alpha)
    out = []
    for link, result in zip(links, corrected, strict=True):
        if result is link.result:  # not tested: nothing to correct
            out.append(link)
            continue
        sentence = describe_linkage(
            link.segment,
            link.employee_label,
            link.customer_label,
            result,
            link.granularity,
            settings,
            link.available,
        )
        out.append(dataclasses.replace(link, result=result, sentence=sentence))
    return out


def insights_from_store(
    config: Config,
    store: HistoryStore,
    today: date,
    series_of: SeriesOf | None = None,
    memo: LinkageMemo | None = None,
) -> Insights:
    """`compute_insights` over the store's series for the dashboard's period; `series_of`
    if given (a reader the caller already uses, reading LINKAGE_PERIODS back), else
    the store's own."""
    granularity = config.dashboard.period
    return compute_insights(
        config,
        series_of
        or (
            lambda metric_id, segment: store.series(
                metric_id, granularity, segment, limit=LINKAGE_PERIODS
            )
        ),
        lambda metric_id: store.segments(metric_id, granularity),
        today,
        memo,
    )


def method_note(config: Config) -> str:
    """How linkage is decided, in words: so a reader can judge what 'linked' means."""
    settings = config.linkage
    granularity = config.dashboard.period
    prepared = {
        "difference": f"{_NOUNS[granularity][0]}-to-{_NOUNS[granularity][0]} changes",
        "detrend": "values with their straight-line trend removed",
        "none": "raw values",
    }[settings.transform]
    plural = _NOUNS[granularity][1]
    return (
        f"How linkage is decided: Pearson's r between {prepared} of the employee metric and "
        f"of the customer metric 0 to {periods_noun(settings.max_lag, granularity)} later, over "
        f"every complete stored {_NOUNS[granularity][0]}; only lags with at least "
        f"{settings.min_overlap} overlapping {plural} are tried, and fewer give no verdict. "
        "The lag with the strongest evidence in the expected direction counts as a link when "
        f"its one-sided p, allowing for autocorrelation and for the lags tried (Bonferroni), "
        f"passes a false discovery rate of {settings.alpha:g} across every verdict on screen "
        "(Benjamini–Hochberg) and holds against shuffles of the employee series. Lag 0 means "
        "the two move together, never that one leads. Intervals allow for the lags and "
        f'verdicts picked. "No link found" means the data rule out r {settings.meaningful_r:g} '
        'or more at every lag; otherwise it is "can\'t tell yet". '
        "A link is a pattern in this data, not proof of cause. "
        "An early warning needs the employee metric to have worsened beyond its sampling "
        f"noise in its last closed {_NOUNS[granularity][0]} — a step, or a slide over "
        f"{periods_noun(EWMA_PERIODS, granularity)}, against the "
        f"{periods_noun(BASELINE, granularity)} before, passed by noise alone at most 2 times "
        "in 100 — while its customer metric has not moved beyond its own."
    )
