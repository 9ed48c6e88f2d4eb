"""[[pairs]]: an employee metric beside the customer metric it is expected to lead."""

from __future__ import annotations

from pydantic import field_validator

from tui.config.base import Identifier, StrictModel, check_identifier


class Pair(StrictModel):
    employee: Identifier
    customer: Identifier
    caption: str = ""
    # How exports name the pair; by default "<employee>-<customer>" (enps-nps).
    id: Identifier | None = None

    _id = field_validator("id")(lambda value: value and check_identifier(value))

    @property
    def key(self) -> str:
        """The pair's id as every export writes it."""
        return self.id or f"{self.employee}-{self.customer}"
