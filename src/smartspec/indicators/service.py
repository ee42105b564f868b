"""Computing, storing and reading indicator values, and the gap alerts built on them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from smartspec.indicators.catalogue import load_catalogue, load_population
from smartspec.indicators.compute import FUNCTIONS, Context, Value
from smartspec.indicators.facts import Facts, load_facts
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.strategy import Strategy


@dataclass
class Computed:
    year: int
    values: list[Value]
    facts: Facts


def compute(session: Session, strategy: Strategy, year: int, *, population: Path | None = None,
            facts: Facts | None = None) -> Computed:  # fmt: skip
    """Every indicator of the catalogue for ``year`` (the store is only read)."""
    catalogue = load_catalogue()
    loaded = facts or load_facts(session, strategy)
    context = Context(loaded, session, catalogue, load_population(population), year)
    values: list[Value] = []
    done: set[str] = set()
    for entry in catalogue.indicators:
        if entry.function in done:
            continue
        done.add(entry.function)
        values.extend(FUNCTIONS[entry.function](context))
    return Computed(year, values, loaded)


def compute_and_store(engine: Engine, strategy: Strategy, years: list[int], *, population: Path | None = None,
                      facts: Facts | None = None) -> dict[int, int]:  # fmt: skip
    """Compute the years' values and replace the stored ones, in one transaction. Returns values per year."""
    catalogue = load_catalogue()
    units = {entry.id: entry.unit for entry in catalogue.indicators}
    counts = {}
    with session_factory(engine)() as session, session.begin():
        facts = facts or load_facts(session, strategy)
        for year in years:
            computed = compute(session, strategy, year, population=population, facts=facts)
            table = m.IndicatorValue
            session.execute(delete(table).where(table.year == year, table.strategy_id == facts.strategy_id))
            rows = [
                {"strategy_id": facts.strategy_id, "indicator": v.indicator, "region_code": v.region, "year": year,
                 "area_code": v.area, "value": v.value, "unit": units[v.indicator], "record_kind": v.kind,
                 "record_ids": v.ids, "details": v.details}
                for v in computed.values
            ]  # fmt: skip
            if rows:
                session.execute(insert(m.IndicatorValue), rows)
            counts[year] = len(rows)
    return counts


def stored_values(session: Session, year: int, region: str | None = None) -> list[m.IndicatorValue]:
    query = select(m.IndicatorValue).where(m.IndicatorValue.year == year)
    if region:
        query = query.where(m.IndicatorValue.region_code == region)
    return list(session.scalars(query.order_by(m.IndicatorValue.indicator, m.IndicatorValue.region_code,
                                                m.IndicatorValue.area_code)))  # fmt: skip


def as_table(values: list[Value]) -> dict[tuple[str, str | None, str | None], Value]:
    return {(v.indicator, v.region, v.area): v for v in values}


def alerts(current: Computed, previous: Computed, session: Session, strategy: Strategy) -> list[dict[str, Any]]:
    """Gap alerts per region and area: EU funding fell by a quarter or more from the year before; the region
    is active in the area but has no registered cluster in it; or the region is specialised in the area
    (RCA against Finland at least 1) but none of its projects there in three years had a partner abroad."""
    now, before = as_table(current.values), as_table(previous.values)
    facts = current.facts
    cluster_areas: dict[str, set[str]] = defaultdict(set)
    for region, areas in session.execute(select(m.Cluster.region_code, m.Cluster.area_codes)):
        cluster_areas[region or ""].update(areas or [])
    rca = {(v.region, v.area): v for v in current.values if v.indicator == "rca_finland"}
    out = []
    for region in strategy.regions:
        for area in strategy.area_codes():
            key = ("g2_eu_funding", region.code, area)
            this, last = now.get(key), before.get(key)
            if last and last.value > 0 and (this is None or this.value <= 0.75 * last.value):
                out.append({"region": region.code, "area": area, "kind": "falling_funding",
                            "value": this.value if this else 0.0, "previous": last.value})  # fmt: skip
            active = this is not None or (region.code, area) in rca
            if active and area not in cluster_areas.get(region.code, set()):
                out.append({"region": region.code, "area": area, "kind": "no_cluster"})
            specialised = rca.get((region.code, area))
            if specialised and specialised.value >= 1.0:
                abroad = any(x.country not in (None, "FI") for p in specialised.ids for x in facts.participants[p])
                if not abroad:
                    out.append({"region": region.code, "area": area, "kind": "no_international_partner"})
    return out
