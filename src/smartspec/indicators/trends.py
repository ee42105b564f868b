"""Stored indicator values over the years: which years have values, each goal's headline value per region with its
change from the year before, and the series behind the small trend charts. Reads only (light columns: no record
lists), so that an overview page stays cheap however many records stand behind the values."""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartspec.indicators.catalogue import load_catalogue
from smartspec.store import models as m
from smartspec.store.queries import strategy_id as stored_strategy_id
from smartspec.strategy import Strategy

# Each goal's headline indicator: the one figure that answers "is the goal moving?" for a region. G1 is about more
# cooperation across regions, so its headline is interregional projects rather than all projects; G3's
# communities are stored per area only, so its region figure is their sum over the areas.
HEADLINES = {"G1": "g1_multi_region", "G2": "g2_eu_funding", "G3": "g3_communities", "G4": "g4_clusters",
             "G5": "g5_memberships", "G6": "g6_actions", "G7": "g7_records"}  # fmt: skip


class YearValue(BaseModel):
    year: int
    value: float


class RegionHeadline(BaseModel):
    """One region's headline figure of a goal in a year, the year before's, and its values over the stored years."""

    region: str
    value: float | None = Field(description="None: nothing stored for the region in the year")
    previous: float | None
    change: float | None = Field(description="relative change from the year before; None when there was nothing")
    series: list[YearValue]


class GoalHeadline(BaseModel):
    goal: str
    indicator: str
    unit: str
    regions: list[RegionHeadline]


class Headlines(BaseModel):
    """The goals' headline values of ``year`` per region (``years``: every year with stored values)."""

    year: int
    years: list[int]
    goals: list[GoalHeadline]


def stored_years(session: Session, strategy: Strategy, *, with_projects: bool = False) -> list[int]:
    """Years with stored indicator values, oldest first (``with_projects``: only years in which projects of the
    strategy's regions started, so not a year computed before its projects were imported)."""
    table = m.IndicatorValue
    query = select(table.year).where(table.strategy_id == stored_strategy_id(session, strategy)).distinct()
    if with_projects:
        query = query.where(table.indicator == "g1_projects", table.value > 0)
    return sorted(int(year) for year in session.scalars(query))


def region_series(session: Session, strategy: Strategy, indicators: list[str],
                  region: str | None = None) -> dict[tuple[str, str], dict[int, float]]:  # fmt: skip
    """(indicator, region) → {year: value} for region-level figures: the stored region totals, or for indicators
    stored per area only (G3's communities) the sum of the region's per-area values."""
    table = m.IndicatorValue
    query = (
        select(table.indicator, table.region_code, table.year, table.area_code, func.sum(table.value))
        .where(table.strategy_id == stored_strategy_id(session, strategy), table.indicator.in_(indicators),
               table.region_code.is_not(None))
        .group_by(table.indicator, table.region_code, table.year, table.area_code)
    )  # fmt: skip
    if region:
        query = query.where(table.region_code == region)
    totals: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    area_sums: dict[tuple[str, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for indicator, code, year, area, value in session.execute(query):
        code = str(code)  # the query keeps region-level rows only
        if area is None:
            totals[(indicator, code)][int(year)] = float(value)
        else:
            area_sums[(indicator, code)][int(year)] += float(value)
    with_totals = {indicator for indicator, _ in totals}  # per-area sums only for indicators stored per area only
    chosen = {**{k: v for k, v in area_sums.items() if k[0] not in with_totals}, **totals}
    return {key: dict(sorted(values.items())) for key, values in chosen.items()}


def relative_change(value: float | None, previous: float | None) -> float | None:
    if value is None or not previous:
        return None
    return (value - previous) / previous


def headlines(session: Session, strategy: Strategy, year: int, region: str | None = None) -> Headlines:
    """Each goal's headline value per region in ``year`` (or one region), with the change and the series."""
    catalogue = load_catalogue()
    goals = [(goal.code, HEADLINES[goal.code]) for goal in strategy.goals if goal.code in HEADLINES]
    series = region_series(session, strategy, [indicator for _, indicator in goals], region)
    codes = [r.code for r in strategy.regions if region is None or r.code == region]
    years = stored_years(session, strategy)
    out = []
    for goal, indicator in goals:
        rows = []
        for code in codes:
            # Indicators store no row for a region with nothing to count (G3's communities): zero in a stored year.
            values = {y: series.get((indicator, code), {}).get(y, 0.0) for y in years}
            now, before = values.get(year), values.get(year - 1)
            rows.append(RegionHeadline(region=code, value=now, previous=before, change=relative_change(now, before),
                                       series=[YearValue(year=y, value=v) for y, v in values.items()]))  # fmt: skip
        out.append(GoalHeadline(goal=goal, indicator=indicator, unit=catalogue.get(indicator).unit, regions=rows))
    return Headlines(year=year, years=years, goals=out)
