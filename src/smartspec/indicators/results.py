"""What the monitoring operations return: stored indicator values with their records, and gap alerts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from smartspec.indicators.catalogue import Indicator
from smartspec.money import Money


class Records(BaseModel):
    kind: str = Field(description="what the ids are: project, participation, cluster, membership, action, organisation")
    ids: list[int]


class IndicatorValue(BaseModel):
    indicator: str
    goal: str
    region: str | None
    area: str | None
    year: int
    value: float
    unit: str
    records: Records
    details: dict[str, Any]


class Indicators(BaseModel):
    """A year's stored values (optionally of one region) with the catalogue's definitions."""

    year: int
    region: str | None
    definitions: dict[str, Indicator]
    values: list[IndicatorValue]

    def table(self) -> dict[tuple[str, str | None, str | None], IndicatorValue]:
        return {(v.indicator, v.region, v.area): v for v in self.values}


class Computed(BaseModel):
    """How many values were computed and stored per year."""

    years: dict[int, int]


class Alert(BaseModel):
    """A gap: EU funding fell by a quarter or more, no cluster in an active area, or a specialised area without any
    partner abroad in three years."""

    region: str
    area: str
    kind: str  # falling_funding | no_cluster | no_international_partner
    value: Money | None = None
    previous: Money | None = None
