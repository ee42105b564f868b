"""G2 funding: EU and public money won per region and area, per inhabitant, per euro of GDP, as a share of the
country, and each region's specialisation (revealed comparative advantage). Amounts are integer cents, results
Decimal euros."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from smartspec.indicators.base import Context, Value, indicator
from smartspec.indicators.facts import Participant
from smartspec.money import eur, per


def _counts_as_public(c: Context, project: int) -> bool:
    """Public funding: every project not from a funding-source kind the catalogue entry excludes (EU direct)."""
    excluded = c.parameters.get("exclude_funding_kinds", [])
    return c.facts.funding_kind_of.get(project) not in excluded


def _funding(c: Context, region: str, years: range, area: str | None, measure: str) -> tuple[list[int], int]:
    ids, total = [], 0
    for project in c.facts.projects_in(region, years):
        if area is not None and area not in c.facts.areas_of.get(project, set()):
            continue
        if measure == "public" and not _counts_as_public(c, project):
            continue
        for x in c.facts.participants[project]:
            amount = x.ec_cents if measure == "ec" else x.public_cents
            if x.region == region and amount:
                ids.append(x.id)
                total += amount
    return ids, total


def _funding_values(c: Context, measure: str) -> list[Value]:
    out = []
    for r in c.regions:
        for area in [None, *c.areas]:
            ids, cents = _funding(c, r, c.this_year(), area, measure)
            if area is None or ids:
                out.append(Value(r, area, eur(cents), "participation", ids, {"cents": cents}))
    return out


@indicator("g2_eu_funding")
def eu_funding(c: Context) -> list[Value]:
    return _funding_values(c, "ec")


@indicator("g2_public_funding")
def public_funding(c: Context) -> list[Value]:
    return _funding_values(c, "public")


@indicator("g2_eu_funding_per_capita")
def eu_funding_per_capita(c: Context) -> list[Value]:
    out = []
    series = c.reference.population
    for r in c.regions:
        ids, cents = _funding(c, r, c.this_year(), None, "ec")
        people, year = series.at(r, c.year)
        out.append(Value(r, None, per(cents, people or 0), "participation", ids,
                         {"cents": cents, "population": people, "population_year": year,
                          "population_source": series.source}))  # fmt: skip
    return out


@indicator("g2_eu_funding_per_gdp")
def eu_funding_per_gdp(c: Context) -> list[Value]:
    out = []
    series = c.reference.gdp
    for r in c.regions:
        gdp, year = series.at(r, c.year)
        if not gdp:
            continue  # no GDP figure for the region (no data directory): no value rather than a wrong one
        ids, cents = _funding(c, r, c.this_year(), None, "ec")
        out.append(Value(r, None, per(cents, gdp, "0.0000001"), "participation", ids,
                         {"cents": cents, "gdp_eur": gdp, "gdp_year": year, "gdp_source": series.source}))  # fmt: skip
    return out


@indicator("g2_share_of_finland")
def share_of_finland(c: Context) -> list[Value]:
    country = sum(x.ec_cents for p in c.facts.projects_of(c.this_year()) for x in c.facts.participants[p]
                  if x.country == c.country)  # fmt: skip
    out = []
    for r in c.regions:
        ids, cents = _funding(c, r, c.this_year(), None, "ec")
        share = round(Decimal(cents) / Decimal(country), 4) if country else Decimal(0)
        out.append(Value(r, None, float(share), "participation", ids, {"cents": cents, "finland_cents": country}))
    return out


def _area_shares(c: Context, projects: list[int], keep: Callable[[Participant], bool]) -> tuple[dict[str, int], int]:
    per_area: dict[str, int] = defaultdict(int)
    total = 0
    for project in projects:
        areas = c.facts.areas_of.get(project)
        if areas is None:
            continue
        cents = sum(x.ec_cents for x in c.facts.participants[project] if keep(x))
        total += cents
        for area in areas:
            per_area[area] += cents
    return per_area, total


def _rca(c: Context, reference: Callable[[Participant], bool]) -> list[Value]:
    window = c.window()
    ref_area, ref_total = _area_shares(c, c.facts.projects_of(window), reference)
    out = []
    for r in c.regions:
        mine = c.facts.projects_in(r, window)
        own_area, own_total = _area_shares(c, mine, lambda x, r=r: x.region == r)  # type: ignore[misc]
        for area in c.areas:
            if not own_total or not ref_total or not ref_area.get(area):
                continue
            value = (own_area.get(area, 0) / own_total) / (ref_area[area] / ref_total)
            ids = [p for p in mine if area in c.facts.areas_of.get(p, set())]
            out.append(Value(r, area, round(value, 3), "project", ids, {
                "region_share": round(own_area.get(area, 0) / own_total, 4),
                "reference_share": round(ref_area[area] / ref_total, 4),
                "window": [window.start, window.stop - 1]}))  # fmt: skip
    return out


@indicator("rca_finland")
def rca_finland(c: Context) -> list[Value]:
    return _rca(c, lambda x: x.country == c.country)


@indicator("rca_eu")
def rca_eu(c: Context) -> list[Value]:
    return _rca(c, lambda x: True)
