"""[[metrics]]: what each metric kind computes from its source's records."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from tui.config.base import Identifier, Scalar, StrictModel, check_identifier


class Thresholds(StrictModel):
    """`warn` and `bad` levels; which side of them is worse depends on `direction`."""

    warn: float
    bad: float


class MetricBase(StrictModel):
    id: Identifier
    label: str = Field(min_length=1, max_length=40)
    # "internal": a score one part of the organisation gives another (IT, HR…),
    # from employees, so held to the same anonymity threshold as employee metrics.
    side: Literal["employee", "customer", "internal"]
    source: Identifier
    unit: str = ""
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    decimals: int = Field(0, ge=0, le=3)
    target: float | None = None
    thresholds: Thresholds | None = None
    # Only records whose fields equal these values count, e.g. { question = "nps" }.
    where: dict[str, Scalar] = Field(default_factory=dict)
    # A field such as team or region to compute the metric per segment too.
    segment_field: str | None = None
    # Early warning: a move this large for the worse in one period, on an
    # employee metric whose customer metric has not moved yet.
    early_warning_drop: float | None = Field(None, gt=0)
    # How the metric's date fields are written. Numbers are dates only when this says
    # which unit they are in: seconds read as milliseconds (or the reverse) would put
    # every record in the wrong year without a word.
    date_format: Literal["iso", "unix_seconds", "unix_milliseconds"] = "iso"

    _id = field_validator("id")(check_identifier)

    @property
    def health_levels(self) -> tuple[float, float, float] | None:
        """Target, warn and bad in "goodness" (negated when lower is better, so higher is
        always better): what the balance screen scales a value against. None without a
        target and thresholds, or with a target no better than the warn level."""
        if self.target is None or self.thresholds is None:
            return None
        better = 1 if self.direction == "higher_is_better" else -1
        target, warn = better * self.target, better * self.thresholds.warn
        if target <= warn:
            return None
        return target, warn, better * self.thresholds.bad

    @model_validator(mode="after")
    def _thresholds_follow_direction(self) -> MetricBase:
        if self.thresholds is None:
            return self
        warn, bad = self.thresholds.warn, self.thresholds.bad
        if self.direction == "higher_is_better" and bad > warn:
            raise ValueError(
                f"thresholds.bad ({bad:g}) must be at or below thresholds.warn ({warn:g}) "
                "when higher is better"
            )
        if self.direction == "lower_is_better" and bad < warn:
            raise ValueError(
                f"thresholds.bad ({bad:g}) must be at or above thresholds.warn ({warn:g}) "
                "when lower is better"
            )
        return self


class NpsMetric(MetricBase):
    """Net Promoter Score from 0–10 answers: % promoters (9–10) − % detractors (0–6)."""

    kind: Literal["nps"]
    score_field: str = "score"
    date_field: str = "date"


class CsatMetric(MetricBase):
    """Share (%) of answers in the top boxes of a scale, 4–5 on 1–5 by default."""

    kind: Literal["csat"]
    score_field: str = "score"
    date_field: str = "date"
    scale_min: int = 1
    scale_max: int = 5
    top_boxes: int = Field(2, ge=1)

    @model_validator(mode="after")
    def _scale(self) -> CsatMetric:
        if self.scale_max <= self.scale_min:
            raise ValueError("scale_max must be greater than scale_min")
        if self.top_boxes > self.scale_max - self.scale_min:
            raise ValueError("top_boxes must leave at least one box below them on the scale")
        return self


class MeanMetric(MetricBase):
    """The mean of a numeric answer; answers outside scale_min..scale_max are rejected."""

    kind: Literal["mean"]
    score_field: str = "score"
    date_field: str = "date"
    scale_min: float | None = None
    scale_max: float | None = None


class CountMetric(MetricBase):
    """How many records (responses) fall in each period."""

    kind: Literal["count"]
    date_field: str = "date"


class EmploymentDates(StrictModel):
    """The record fields an HR metric reads a spell of employment from."""

    hire_date_field: str = "hire_date"
    termination_date_field: str = "termination_date"


class HeadcountMetric(MetricBase, EmploymentDates):
    """People employed on the last day of each period (or today, for the current one)."""

    kind: Literal["headcount"]


class LeaversMetric(MetricBase):
    """A metric that counts leavers (or lost customers), which a system's records show
    only from the first one they hold: see metrics.compute.leavers_recorded_since."""

    # The day from which the source holds everyone who left since; by default, the
    # first end date on record. Periods before it have no value, never a 0.
    leavers_since: date | None = None


class TurnoverMetric(LeaversMetric, EmploymentDates):
    """Terminations in a period ÷ average headcount over it, in percent."""

    kind: Literal["turnover"]
    direction: Literal["higher_is_better", "lower_is_better"] = "lower_is_better"


class HiresMetric(LeaversMetric, EmploymentDates):
    """How many people were hired in each period (a rehire counts again)."""

    kind: Literal["hires"]


class SeparationsMetric(LeaversMetric, EmploymentDates):
    """How many people left in each period (their termination dates)."""

    kind: Literal["separations"]
    direction: Literal["higher_is_better", "lower_is_better"] = "lower_is_better"


class ChurnMetric(LeaversMetric):
    """Customers lost in a period ÷ customers at its start, in percent."""

    kind: Literal["churn"]
    direction: Literal["higher_is_better", "lower_is_better"] = "lower_is_better"
    start_date_field: str = "start_date"
    end_date_field: str = "end_date"


class ValueMetric(MetricBase):
    """An aggregate the API already computed; `aggregate` folds several in one period."""

    kind: Literal["value"]
    value_field: str = "value"
    date_field: str = "date"
    n_field: str | None = None
    aggregate: Literal["last", "mean", "sum"] = "last"


Metric = Annotated[
    NpsMetric
    | CsatMetric
    | MeanMetric
    | CountMetric
    | HeadcountMetric
    | TurnoverMetric
    | HiresMetric
    | SeparationsMetric
    | ChurnMetric
    | ValueMetric,
    Field(discriminator="kind"),
]
