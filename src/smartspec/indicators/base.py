"""What every indicator function shares: the value it returns, the context it reads, and the registry.

An indicator is one catalogue entry (data/catalogue.yaml) and one function registered under the entry's id with
``@indicator("g1_projects")``. The function returns values per region (and area) for the context's year, each with
the records behind it; the id, goal and unit come from the catalogue, so an indicator has one name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from smartspec.errors import SmartspecError
from smartspec.indicators.catalogue import Catalogue, Indicator
from smartspec.indicators.facts import Facts
from smartspec.indicators.reference import Reference


@dataclass
class Value:
    """One value of an indicator: the region (None: all regions), the area (None: all areas), the number, and what
    the record ids are (project, participation, cluster, membership, action, organisation)."""

    region: str | None
    area: str | None
    value: float | int | Decimal
    kind: str
    ids: list[int] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    facts: Facts
    session: Session
    catalogue: Catalogue
    reference: Reference
    year: int
    entry: Indicator | None = None  # the catalogue entry being computed

    @property
    def regions(self) -> list[str]:
        return [region.code for region in self.facts.strategy.regions]

    @property
    def areas(self) -> list[str]:
        return self.facts.strategy.area_codes()

    @property
    def country(self) -> str:
        """The strategy's country (its regions' ISO code)."""
        return self.facts.strategy.country_code

    @property
    def parameters(self) -> dict[str, Any]:
        return self.entry.parameters if self.entry else {}

    def this_year(self) -> range:
        return range(self.year, self.year + 1)

    def window(self) -> range:
        return range(self.year - 2, self.year + 1)


Function = Callable[[Context], list[Value]]
INDICATORS: dict[str, Function] = {}


def indicator(indicator_id: str) -> Callable[[Function], Function]:
    """Register ``function`` as the computation of the catalogue entry ``indicator_id``."""

    def register(function: Function) -> Function:
        if indicator_id in INDICATORS:
            raise ValueError(f"indicator {indicator_id!r} is registered twice")
        INDICATORS[indicator_id] = function
        return function

    return register


def check_registry(catalogue: Catalogue) -> None:
    """Every catalogue entry has a function and every function an entry."""
    ids = [entry.id for entry in catalogue.indicators]
    missing = sorted(set(ids) - INDICATORS.keys())
    extra = sorted(INDICATORS.keys() - set(ids))
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    parts = [f"no function for {', '.join(missing)}" if missing else "",
             f"no catalogue entry for {', '.join(extra)}" if extra else "",
             f"repeated ids {', '.join(repeated)}" if repeated else ""]  # fmt: skip
    if any(parts):
        raise SmartspecError(
            "the indicator catalogue and the registered indicator functions disagree: "
            + "; ".join(part for part in parts if part),
            hint="add the entry to indicators/data/catalogue.yaml or register its function with @indicator(id)",
        )


def count_per_region(c: Context, keep: Callable[[str, int], bool]) -> list[Value]:
    """Per region, this year's projects that ``keep(region, project)`` accepts, counted and listed."""
    out = []
    for r in c.regions:
        hits = [p for p in c.facts.projects_in(r, c.this_year()) if keep(r, p)]
        out.append(Value(r, None, len(hits), "project", hits))
    return out
