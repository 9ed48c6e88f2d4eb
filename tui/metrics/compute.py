"""Turn one metric's records into observations per period, and per segment.

`compute_metric` is pure: records, the periods to fill and today's date in,
observations and the count of rejected records (by reason) out. A record with
a bad value is rejected and counted, never read as a number it is not.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from tui.config import (
    ChurnMetric,
    CountMetric,
    CsatMetric,
    HeadcountMetric,
    HiresMetric,
    LeaversMetric,
    MeanMetric,
    Metric,
    NpsMetric,
    SeparationsMetric,
    TurnoverMetric,
    ValueMetric,
)
from tui.memory import cycle_collection_paused
from tui.metrics.scores import (
    Aggregate,
    counted_net_promoter_score,
    counted_top_box_share,
    mean_score,
    response_count,
)
from tui.metrics.values import (
    EARLIEST_DAY,
    LATEST_DAY,
    BadValue,
    DateFormat,
    parse_day,
    parse_number,
    parse_optional_day,
    parse_scale_answer,
)
from tui.metrics.workforce import (
    Tenure,
    Tenures,
    churn_rate,
    headcount,
    hires,
    separations,
    turnover_rate,
)
from tui.periods import Period, period_start
from tui.sources.base import Columns

if TYPE_CHECKING:
    from tui.metrics.columns import Counted

Record = Mapping[str, Any]
T = TypeVar("T")

# The segment key of the whole organisation (every record, whatever its segment).
EVERYONE = ""


# Why an employee value is hidden (Observation.suppressed; 0 is shown). See metrics.privacy.
SMALL_GROUP = 1  # its own group is under the anonymity threshold
COMPLEMENT = 2  # showing it would let a smaller group be worked out by subtraction
RUNNING = 3  # its period is still running: each refresh would show the answers just in


@dataclass(frozen=True)
class Observation:
    """A metric's value for one segment in one period, with the n behind it."""

    metric_id: str
    segment: str
    period: Period
    value: float | None
    n: int
    # Hidden, and why (SMALL_GROUP or COMPLEMENT); 0 is shown. A hidden value and its n
    # never leave this process.
    suppressed: int = 0
    # The spread per record (scores.Aggregate.variance); None where unknown.
    variance: float | None = None


@dataclass
class MetricResult:
    metric_id: str
    observations: list[Observation] = field(default_factory=list)
    used: int = 0
    rejected: Counter[str] = field(default_factory=Counter)


def compute_metric(
    metric: Metric, records: Iterable[Record], periods: Sequence[Period], today: date
) -> MetricResult:
    """Observations of `metric` for every period in `periods`, overall and per segment.

    Records that `where` does not select are ignored; records dated outside the
    periods are ignored; records with a missing or invalid value are rejected
    and counted in `rejected` by reason.
    """
    return compute_metric_each(metric, records, [periods], today)[0]


def compute_metric_each(
    metric: Metric,
    records: Iterable[Record],
    windows: Sequence[Sequence[Period]],
    today: date,
) -> list[MetricResult]:
    """`compute_metric` for each of `windows` (the periods of a granularity each),
    reading every record once: a refresh stores weeks, months and quarters, and
    reading a record's date, value and segment was most of each computation."""
    selected: Sequence[Record]
    if isinstance(records, Columns):
        # Records read by columns stay columns: a dict a record is built only when one
        # is read (the strict path, event and tenure metrics).
        selected = _selected_columns(records, metric.where) if metric.where else records
    else:
        selected = (
            [record for record in records if _matches(record, metric.where)]
            if metric.where
            else list(records)
        )
    if isinstance(metric, TenureMetric):
        tenures = _read_tenures(metric, selected)
        return [_measure_tenures(metric, tenures, periods, today) for periods in windows]
    if isinstance(metric, (NpsMetric, CsatMetric, CountMetric)):
        answers = _count_answers(metric, selected)
        return [_bucket_counts(metric, answers, periods) for periods in windows]
    events = _read_events(metric, selected)
    return [_bucket_events(metric, events, periods) for periods in windows]


def _matches(record: Record, where: Mapping[str, Any]) -> bool:
    return all(record.get(key) == value for key, value in where.items())


def _selected_columns(records: Columns, where: Mapping[str, Any]) -> Columns:
    """The records `where` selects (as `_matches` does), kept as columns."""
    chosen: Sequence[int] = range(len(records))
    for key, wanted in where.items():
        values = records.column(key)
        chosen = [at for at in chosen if values[at] == wanted]
    return records.taken(list(chosen))


def _segment_of(record: Record, segment_field: str | None) -> str | None:
    if segment_field is None:
        return None
    return _segment_named(record.get(segment_field))


def _segment_named(value: Any) -> str | None:
    """The segment a field's value names: its text, trimmed; None for none."""
    if type(value) is str:
        return value.strip() or None
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


# ── Event metrics: one record is one answer (or one reported value) ───────


EventMetric = NpsMetric | CsatMetric | MeanMetric | CountMetric | ValueMetric
# Answers on a scale, and plain counts, are counted by score (_count_answers); means
# and reported values are kept as lists (_read_events), as their sums need them.
CountedMetric = NpsMetric | CsatMetric | CountMetric
ListedMetric = MeanMetric | ValueMetric


def _event_value(metric: EventMetric, record: Record) -> Any:
    """The parsed value a record contributes, or raise BadValue with the reason."""
    if isinstance(metric, NpsMetric):
        return parse_scale_answer(record.get(metric.score_field), 0, 10)
    if isinstance(metric, CsatMetric):
        return parse_scale_answer(
            record.get(metric.score_field), metric.scale_min, metric.scale_max
        )
    if isinstance(metric, MeanMetric):
        score = parse_number(record.get(metric.score_field))
        low, high = metric.scale_min, metric.scale_max
        if (low is not None and score < low) or (high is not None and score > high):
            raise BadValue(f"score {score:g} is outside the configured scale")
        return score
    if isinstance(metric, ValueMetric):
        value = parse_number(record.get(metric.value_field))
        n = 1
        if metric.n_field is not None:
            raw_n = parse_number(record.get(metric.n_field))
            if raw_n < 0 or not raw_n.is_integer():
                raise BadValue(f"n {raw_n:g} is not a count")
            n = int(raw_n)
        return (value, n)
    return None  # CountMetric: the record itself is the value


def _fold_values(metric: ValueMetric, dated: list[tuple[date, tuple[float, int]]]) -> Aggregate:
    if not dated:
        return Aggregate(None, 0)
    if metric.aggregate == "last":
        # sorted() is stable, so the last of equal dates is the last one received.
        _, (value, n) = sorted(dated, key=lambda item: item[0])[-1]
        return Aggregate(value, n)
    values = [value for _, (value, _) in dated]
    n_total = sum(n for _, (_, n) in dated) if metric.n_field else len(dated)
    total = sum(values)
    return Aggregate(total if metric.aggregate == "sum" else total / len(values), n_total)


def _aggregator(metric: ListedMetric) -> Callable[[list[Any]], Aggregate]:
    if isinstance(metric, MeanMetric):
        return mean_score
    return lambda dated: _fold_values(metric, dated)


def _counted_aggregator(metric: CountedMetric) -> Callable[[Mapping[Any, int]], Aggregate]:
    if isinstance(metric, NpsMetric):
        return counted_net_promoter_score
    if isinstance(metric, CsatMetric):
        return lambda counts: counted_top_box_share(counts, metric.scale_max, metric.top_boxes)
    return lambda counts: response_count(sum(counts.values()))


def _value_reader(metric: EventMetric) -> Callable[[Record], Any]:
    """How a record's value is read, with a fast path for a well-formed integer answer.

    The fast path accepts exactly what `_event_value` would (an int on the scale);
    anything else takes the strict path and its reasons.
    """
    if isinstance(metric, (NpsMetric, CsatMetric)):
        score_field = metric.score_field
        low, high = (
            (0, 10) if isinstance(metric, NpsMetric) else (metric.scale_min, metric.scale_max)
        )

        def read_score(record: Record) -> Any:
            score = record.get(score_field)
            if type(score) is int and low <= score <= high:
                return score
            return _event_value(metric, record)

        return read_score
    return lambda record: _event_value(metric, record)


def _day_reader(field: str, date_format: DateFormat) -> Callable[[Record], date]:
    """`parse_day` of a field, with a fast path for UTC timestamps ending in Z."""
    if date_format != "iso":
        return lambda record: parse_day(record.get(field), date_format)

    def read_day(record: Record) -> date:
        value = record.get(field)
        if type(value) is str and len(value) > 10 and value[-1] in "Zz":
            try:
                moment = datetime.fromisoformat(value[:-1])
            except ValueError:
                pass  # the strict path says why
            else:
                # "…+02:00Z" is not UTC, and a year out of range is refused: the strict
                # path decides both.
                if moment.tzinfo is None and EARLIEST_DAY <= moment.date() <= LATEST_DAY:
                    return moment.date()
        return parse_day(value)

    return read_day


# Answers counted by (day, segment, score); score None for a count metric.
_Counts = dict[tuple[date, "str | None", "int | None"], int]
# Below this many records, counting them one by one is as fast as the arrays.
COLUMNAR_FROM = 2_000


@dataclass
class _Answers:
    """A counted metric's usable answers, counted by day, segment and score: those read
    one by one (`counts`) and, with many records, those counted as arrays; and the
    records refused, by reason."""

    counts: _Counts
    arrays: Counted | None
    rejected: Counter[str]


def _count_answers(metric: CountedMetric, records: Sequence[Record]) -> _Answers:
    """Each usable answer counted by day, segment and score: a few thousand counts for a
    million answers, from which every granularity is bucketed.

    Many records: the well-formed ones are counted as arrays (tui.metrics.columns) and
    the rest read one by one, strictly, as few records are. Either way a record is
    taken or refused exactly as `_read_events` would.
    """
    counts: _Counts = {}
    rejected: Counter[str] = Counter()
    scored = not isinstance(metric, CountMetric)
    left: Sequence[Record] = records
    counted: Counted | None = None
    if len(records) >= COLUMNAR_FROM and metric.date_format == "iso":
        from tui.metrics.columns import count_answers  # numpy: for the collector only

        segment_field = metric.segment_field
        with cycle_collection_paused():
            counted = count_answers(
                _column(records, metric.date_field),
                _column(records, metric.score_field)
                if isinstance(metric, (NpsMetric, CsatMetric))
                else None,
                _column(records, segment_field) if segment_field is not None else None,
                _scale(metric),
                _calendar_day,
                _segment_named,
                records.memo if isinstance(records, Columns) else None,
            )
        left = [records[at] for at in counted.left]
    read_day = _day_reader(metric.date_field, metric.date_format)
    read_value = _value_reader(metric)
    for record in left:
        try:
            day = read_day(record)
            score = read_value(record) if scored else None
        except BadValue as reason:
            rejected[str(reason)] += 1
            continue
        key = (day, _segment_of(record, metric.segment_field), score)
        counts[key] = counts.get(key, 0) + 1
    return _Answers(counts, counted, rejected)


def _column(records: Sequence[Record], field: str) -> Sequence[Any]:
    """Every record's value of `field`, None where it has none."""
    if isinstance(records, Columns):
        return records.column(field)
    try:
        return list(map(itemgetter(field), records))  # every record has it, as a rule
    except KeyError:
        return [record.get(field) for record in records]


def _scale(metric: CountedMetric) -> tuple[int, int]:
    if isinstance(metric, NpsMetric):
        return (0, 10)
    if isinstance(metric, CsatMetric):
        return (int(metric.scale_min), int(metric.scale_max))
    return (0, 0)


def _calendar_day(year: int, month: int, day: int) -> date | None:
    """The day, or None where `parse_day` refuses it (no such day, or out of range)."""
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if EARLIEST_DAY <= found <= LATEST_DAY else None


def _bucket_counts(
    metric: CountedMetric, answers: _Answers, periods: Sequence[Period]
) -> MetricResult:
    """`_bucket_events` for counted answers: the same observations, summed from counts."""
    result = MetricResult(metric.id, rejected=Counter(answers.rejected))
    index_of = _PeriodIndex(periods)
    # The answers by (period, segment, score): those counted as arrays summed there.
    summed = {} if answers.arrays is None else answers.arrays.by_period(index_of.__getitem__)
    for (day, segment, score), count in answers.counts.items():
        index = index_of[day]
        if index >= 0:
            key = (index, segment, score)
            summed[key] = summed.get(key, 0) + count
    # Per period that holds any, answers counted by score, for everyone and for each
    # segment. Most periods of a long window hold none: they share one empty count.
    everyone: dict[int, Counter[Any]] = defaultdict(Counter)
    by_segment: dict[str, dict[int, Counter[Any]]] = {}
    used = 0
    for (index, segment, score), count in summed.items():
        used += count
        everyone[index][score] += count
        if segment is not None:
            counters = by_segment.get(segment)
            if counters is None:
                counters = by_segment[segment] = defaultdict(Counter)
            counters[index][score] += count
    result.used = used
    indices = range(len(periods))
    result.observations = _observations(
        metric.id,
        periods,
        [everyone.get(index, _NO_ANSWERS) for index in indices],
        {
            segment: [counters.get(index, _NO_ANSWERS) for index in indices]
            for segment, counters in by_segment.items()
        },
        _counted_aggregator(metric),
    )
    return result


# What a period with no answers holds; shared, and never added to.
_NO_ANSWERS: Counter[Any] = Counter()


class _PeriodIndex(dict[date, int]):
    """A day's index in `periods` (-1: outside them), worked out once a day, as days
    repeat across records; a day seen before is a plain dict lookup."""

    def __init__(self, periods: Sequence[Period]) -> None:
        super().__init__()
        self._granularity = periods[0].granularity if periods else "month"
        # By start: a date hashes in C, a Period in Python.
        self._window = {period.start: index for index, period in enumerate(periods)}

    def __missing__(self, day: date) -> int:
        index = self[day] = self._window.get(period_start(day, self._granularity), -1)
        return index


def _observations(
    metric_id: str,
    periods: Sequence[Period],
    everyone: Sequence[T],
    by_segment: Mapping[str, Sequence[T]],
    aggregate: Callable[[T], Aggregate],
) -> list[Observation]:
    """Every period's observation for everyone, then for each segment by name, from what
    each period holds."""
    observations = []
    # Most periods of a long window hold nothing: what nothing gives is worked out once.
    nothing: Aggregate | None = None
    for group, held in [(EVERYONE, everyone), *sorted(by_segment.items())]:
        for period, items in zip(periods, held, strict=True):
            if items:
                summary = aggregate(items)
            else:
                summary = nothing = aggregate(items) if nothing is None else nothing
            observations.append(
                Observation(metric_id, group, period, summary.value, summary.n, 0, summary.variance)
            )
    return observations


@dataclass
class _Events:
    """An event metric's usable records, read once: each one's day, value and segment
    (None: it has none), in the order received; and the rejected ones, by reason."""

    days: list[date] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    segments: list[str | None] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)


def _read_events(metric: ListedMetric, records: Sequence[Record]) -> _Events:
    events = _Events()
    read_day = _day_reader(metric.date_field, metric.date_format)
    read_value = _value_reader(metric)
    segment_field = metric.segment_field
    days, values, segments, rejected = (
        events.days,
        events.values,
        events.segments,
        events.rejected,
    )
    for record in records:
        try:
            day = read_day(record)
            value = read_value(record)
        except BadValue as reason:
            rejected[str(reason)] += 1
            continue
        days.append(day)
        values.append(value)
        if segment_field is not None:
            segments.append(_segment_named(record.get(segment_field)))
    return events


def _bucket_events(
    metric: ListedMetric, events: _Events, periods: Sequence[Period]
) -> MetricResult:
    result = MetricResult(metric.id, rejected=Counter(events.rejected))
    index_of = _PeriodIndex(periods)
    keep_day = isinstance(metric, ValueMetric)
    # One list of items per period, for everyone and for each segment.
    everyone: list[list[Any]] = [[] for _ in periods]
    by_segment: dict[str, list[list[Any]]] = {}
    segments: Sequence[str | None] = events.segments or [None] * len(events.days)
    used = 0
    for day, value, segment in zip(events.days, events.values, segments, strict=True):
        index = index_of[day]
        if index < 0:
            continue
        used += 1
        item = (day, value) if keep_day else value
        everyone[index].append(item)
        if segment is not None:
            lists = by_segment.get(segment)
            if lists is None:
                lists = by_segment[segment] = [[] for _ in periods]
            lists[index].append(item)
    result.used = used
    result.observations = _observations(
        metric.id, periods, everyone, by_segment, _aggregator(metric)
    )
    return result


# ── Tenure metrics: one record is one person or one customer over time ────


TenureMetric = HeadcountMetric | TurnoverMetric | HiresMetric | SeparationsMetric | ChurnMetric


def _tenure_of(metric: TenureMetric, record: Record) -> Tenure:
    if isinstance(metric, ChurnMetric):
        start_field, end_field = metric.start_date_field, metric.end_date_field
    else:
        start_field, end_field = metric.hire_date_field, metric.termination_date_field
    start = parse_day(record.get(start_field), metric.date_format)
    end = parse_optional_day(record.get(end_field), metric.date_format)
    if end is not None and end < start:
        raise BadValue("end date is before start date")
    return Tenure(start, end)


@dataclass
class _TenureRecords:
    """A tenure metric's records, read once: each person's tenure, for everyone and by
    segment, how many were used and the rest refused, by reason; and the first day
    the records can show a leaver from (None: not yet)."""

    by_segment: dict[str, list[Tenure]]
    used: int
    rejected: Counter[str]
    leavers_since: date | None


def _read_tenures(metric: TenureMetric, records: Sequence[Record]) -> _TenureRecords:
    by_segment: dict[str, list[Tenure]] = defaultdict(list)
    by_segment[EVERYONE] = []
    used = 0
    rejected: Counter[str] = Counter()
    for record in records:
        try:
            tenure = _tenure_of(metric, record)
        except BadValue as reason:
            rejected[str(reason)] += 1
            continue
        used += 1
        by_segment[EVERYONE].append(tenure)
        segment = _segment_of(record, metric.segment_field)
        if segment is not None:
            by_segment[segment].append(tenure)
    # Headcount counts no leavers and needs no first day for them.
    since = (
        leavers_recorded_since(metric, by_segment[EVERYONE])
        if isinstance(metric, LeaversMetric)
        else date.min
    )
    return _TenureRecords(dict(by_segment), used, rejected, since)


def _measure_tenures(
    metric: TenureMetric, read: _TenureRecords, periods: Sequence[Period], today: date
) -> MetricResult:
    result = MetricResult(metric.id, rejected=Counter(read.rejected))
    result.used = read.used
    by_segment, since = read.by_segment, read.leavers_since

    measure: Callable[[Tenures, Period, date], Aggregate] = {
        "headcount": headcount,
        "turnover": turnover_rate,
        "hires": hires,
        "separations": separations,
        "churn": churn_rate,
    }[metric.kind]
    for segment in [EVERYONE, *sorted(s for s in by_segment if s != EVERYONE)]:
        tenures = Tenures(by_segment[segment])  # sorted once, counted every period
        for period in periods:
            if since is None or period.last_day < since:
                summary = Aggregate(None, 0)  # nobody on record as leaving yet: can't tell
            else:
                summary = measure(tenures, period, today)
            result.observations.append(
                Observation(
                    metric.id, segment, period, summary.value, summary.n, 0, summary.variance
                )
            )
    return result


def leavers_recorded_since(metric: LeaversMetric, tenures: Sequence[Tenure]) -> date | None:
    """The first day from which the records can show who left, or None if they cannot yet.

    An HR or CRM export shows the people and customers it still holds; one that has
    kept no leaver before some day (a system set up then, or one that purges former
    employees) cannot tell a period with nobody leaving from one whose leavers it no
    longer has. So a rate that counts leavers starts at the config's `leavers_since`,
    else at the period holding the first end date on record (for the whole source,
    not per segment: a team with no leaver yet has a real 0).
    """
    if metric.leavers_since is not None:
        return metric.leavers_since
    return min((t.end for t in tenures if t.end is not None), default=None)
