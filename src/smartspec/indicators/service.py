"""Computing and storing indicator values, reading them back, and the gap alerts built on the stored values."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from smartspec.errors import InputError
from smartspec.indicators.base import INDICATORS, Context, Value
from smartspec.indicators.catalogue import load_catalogue
from smartspec.indicators.facts import Facts, load_facts
from smartspec.indicators.reference import Reference
from smartspec.indicators.results import Alert, Computed, Indicators, IndicatorValue, Records
from smartspec.money import eur
from smartspec.store import models as m
from smartspec.store import session_factory
from smartspec.store.bulk import insert_rows
from smartspec.store.queries import strategy_id as stored_strategy_id
from smartspec.strategy import Strategy


def compute(session: Session, facts: Facts, reference: Reference, year: int) -> list[tuple[str, Value]]:
    """Every indicator of the catalogue for ``year``, as (indicator id, value) pairs (the store is only read)."""
    catalogue = load_catalogue()
    context = Context(facts, session, catalogue, reference, year)
    values: list[tuple[str, Value]] = []
    for entry in catalogue.indicators:
        context.entry = entry
        values.extend((entry.id, value) for value in INDICATORS[entry.id](context))
    return values


def compute_and_store(engine: Engine, strategy: Strategy, years: list[int], reference: Reference,
                      facts: Facts | None = None) -> Computed:  # fmt: skip
    """Compute the years' values and replace the stored ones, in one transaction."""
    catalogue = load_catalogue()
    units = {entry.id: entry.unit for entry in catalogue.indicators}
    counts = {}
    with session_factory(engine)() as session, session.begin():
        facts = facts or load_facts(session, strategy)
        for year in years:
            computed = compute(session, facts, reference, year)
            table = m.IndicatorValue
            session.execute(delete(table).where(table.year == year, table.strategy_id == facts.strategy_id))
            rows = [
                {"strategy_id": facts.strategy_id, "indicator": name, "region_code": v.region, "year": year,
                 "area_code": v.area, "value": float(v.value), "unit": units[name], "record_kind": v.kind,
                 "record_ids": v.ids, "details": v.details}
                for name, v in computed
            ]  # fmt: skip
            if rows:
                insert_rows(session, m.IndicatorValue, rows)
            counts[year] = len(rows)
    return Computed(years=counts)


def stored_values(session: Session, strategy: Strategy, year: int, region: str | None = None) -> Indicators:
    """The values stored for ``year`` (by `smartspec indicators`), with the catalogue's definitions."""
    catalogue = load_catalogue()
    goals = {entry.id: entry.goal for entry in catalogue.indicators}
    table = m.IndicatorValue
    query = select(table).where(table.year == year, table.strategy_id == stored_strategy_id(session, strategy))
    if region:
        query = query.where(table.region_code == region)
    values = [
        IndicatorValue(indicator=v.indicator, goal=goals.get(v.indicator, ""), region=v.region_code, area=v.area_code,
                       year=v.year, value=v.value, unit=v.unit, records=Records(kind=v.record_kind, ids=v.record_ids),
                       details=v.details)
        for v in session.scalars(query.order_by(table.indicator, table.region_code, table.area_code))
    ]  # fmt: skip
    return Indicators(year=year, region=region, definitions={i.id: i for i in catalogue.indicators}, values=values)


def require_stored(current: Indicators) -> None:
    if not current.values:
        raise InputError(
            f"no indicator values are stored for {current.year}",
            hint=f"compute them first: smartspec indicators --year {current.year} "
            f"(Python: obs.compute_indicators([{current.year}]))",
        )


def _eur(value: IndicatorValue | None) -> Decimal:
    if value is None:
        return eur(0)
    cents = value.details.get("cents")
    return eur(int(cents)) if cents is not None else Decimal(str(value.value))


def alerts(session: Session, strategy: Strategy, current: Indicators, previous: Indicators) -> list[Alert]:
    """Gap alerts per region and area, from the stored values of a year and the year before: EU funding fell by a
    quarter or more; the region is active in the area but has no registered cluster in it; or the region is
    specialised in the area (RCA against the country at least 1) but none of its projects there in three years had
    a partner abroad."""
    now, before = current.table(), previous.table()
    cluster_areas: dict[str, set[str]] = defaultdict(set)
    for region, areas in session.execute(select(m.Cluster.region_code, m.Cluster.area_codes)):
        cluster_areas[region or ""].update(areas or [])
    rca = {(v.region, v.area): v for v in current.values if v.indicator == "rca_finland"}
    abroad = _projects_with_partner_abroad(session, strategy, {p for v in rca.values() for p in v.records.ids})
    out = []
    for region in strategy.regions:
        for area in strategy.area_codes():
            key = ("g2_eu_funding", region.code, area)
            this, last = now.get(key), before.get(key)
            if last and last.value > 0 and (this is None or this.value <= 0.75 * last.value):
                out.append(Alert(region=region.code, area=area, kind="falling_funding", value=_eur(this),
                                 previous=_eur(last)))  # fmt: skip
            active = this is not None or (region.code, area) in rca
            if active and area not in cluster_areas.get(region.code, set()):
                out.append(Alert(region=region.code, area=area, kind="no_cluster"))
            specialised = rca.get((region.code, area))
            if specialised and specialised.value >= 1.0 and not abroad & set(specialised.records.ids):
                out.append(Alert(region=region.code, area=area, kind="no_international_partner"))
    return out


def _projects_with_partner_abroad(session: Session, strategy: Strategy, projects: set[int]) -> set[int]:
    found: set[int] = set()
    ids = sorted(projects)
    for start in range(0, len(ids), 900):
        query = select(m.Participation.project_id).where(
            m.Participation.project_id.in_(ids[start : start + 900]), m.Participation.country.is_not(None),
            m.Participation.country != strategy.country_code)  # fmt: skip
        found.update(session.scalars(query))
    return found
