"""[internal]: internal customers — the functions that serve the teams that serve customers.

    [internal]
    metric = "internal_service"     # a metric on the "internal" side, per function rated
    [[internal.functions]]
    name = "IT"                     # as the metric's segment field writes it
    serves = ["Support", "Success"] # as the employee and customer metrics write teams

Each function's internal service score sits beside the employee health and the
customer health of the teams it serves, made as on the balance screen (or from
`employee` and `customer` here), and linkage tests the chain: service → people →
customers.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from tui.config.base import Identifier, StrictModel


class InternalFunction(StrictModel):
    """A function (IT, HR, facilities…) and the teams it serves."""

    name: str = Field(min_length=1, max_length=40)
    serves: list[str] = Field(min_length=1, max_length=50)

    @field_validator("serves")
    @classmethod
    def _teams_once(cls, serves: list[str]) -> list[str]:
        twice = sorted({team for team in serves if serves.count(team) > 1})
        if twice:
            raise ValueError(f"each team once: {', '.join(twice)} listed twice")
        if any(not team.strip() for team in serves):
            raise ValueError("a team's name cannot be empty")
        return serves


class InternalSettings(StrictModel):
    """Left out, there is no internal service screen (`n` says how to add one)."""

    metric: Identifier | None = None
    functions: list[InternalFunction] = Field(default_factory=list, max_length=50)
    # The health of the teams served; left out, [balance]'s sides.
    employee: list[Identifier] = Field(default_factory=list, max_length=10)
    customer: list[Identifier] = Field(default_factory=list, max_length=10)

    @property
    def configured(self) -> bool:
        return self.metric is not None
