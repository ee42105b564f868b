"""Where the strategy's regions are active: projects, organisations and funding per priority, competence area and
sub-topic (from each project's effective labels: the model's, less rejected, plus a reviewer's), and a region's
profile: its specialisation with the stored RCA values, the trends of the goals' headline figures, its gap alerts,
its organisations with the most EU funding and the regions it shares projects with. Reads only.

A project counts in a region when one of its participants is located there (as in ``region_figures``); funding is
the sum of those participants' shares. A project with two areas counts in both, so areas do not add up to the
total."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from smartspec.classify.labels import effective_labels
from smartspec.errors import InputError
from smartspec.indicators.results import Alert
from smartspec.indicators.service import alerts, stored_values
from smartspec.indicators.trends import Headlines, headlines, stored_years
from smartspec.money import Money, eur
from smartspec.network.load import place_of
from smartspec.store import models as m
from smartspec.store.queries import strategy_id as stored_strategy_id
from smartspec.strategy import Strategy

NONE = "none"  # classified, and fits no area
TOP_ORGANISATIONS = 10
TOP_PARTNERS_ELSEWHERE = 15  # countries


class Figures(BaseModel):
    projects: int = 0
    organisations: int = 0
    eu_funding: Money = Field(default=Decimal("0.00"), description="EU contribution (CORDIS), EUR")
    public_funding: Money = Field(default=Decimal("0.00"), description="granted public funding (EURA), EUR")


class StrategyFigures(BaseModel):
    """Figures per priority, area and sub-topic code (and ``none``): all regions together, and per region."""

    total: Figures = Field(description="every classified project with a participant in the strategy's regions")
    codes: dict[str, Figures]
    regions: dict[str, dict[str, Figures]] = Field(description="region → code → the region's figures")


class AreaSpecialisation(BaseModel):
    area: str
    figures: Figures
    rca_finland: float | None = Field(description="revealed comparative advantage against Finland (stored value)")
    rca_eu: float | None = Field(description="revealed comparative advantage against the EU (stored value)")


class OrganisationFunding(BaseModel):
    id: int
    name: str
    org_type: str | None
    projects: int
    eu_funding: Money
    public_funding: Money


class PartnerRegion(BaseModel):
    """A place the profiled region shares projects with: a region of the strategy (``in_strategy``, its NUTS code),
    else a country code (the strategy's own country meaning the rest of it)."""

    code: str
    in_strategy: bool
    projects: int


class RegionProfile(BaseModel):
    code: str
    year: int | None = Field(description="the year of the stored values shown (None: no values stored)")
    rca_year: int | None = Field(description="the latest year up to ``year`` with RCA values for the region")
    figures: Figures
    areas: list[AreaSpecialisation]
    trends: Headlines | None
    alerts: list[Alert]
    organisations: list[OrganisationFunding]
    partners: list[PartnerRegion]


@dataclass
class _Sums:
    projects: set[int] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)
    ec_cents: int = 0
    public_cents: int = 0

    def add(self, project: int, organisation: int, ec: int | None, public: int | None) -> None:
        self.projects.add(project)
        self.organisations.add(organisation)
        self.ec_cents += ec or 0
        self.public_cents += public or 0

    def figures(self) -> Figures:
        return Figures(projects=len(self.projects), organisations=len(self.organisations),
                       eu_funding=eur(self.ec_cents), public_funding=eur(self.public_cents))  # fmt: skip


def _participations(session: Session, nuts: list[str]) -> list[tuple[int, int, str, int | None, int | None]]:
    p = m.Participation.__table__
    query = select(p.c.project_id, p.c.organisation_id, p.c.nuts_code, p.c.ec_contribution_cents,
                   p.c.public_funding_cents).where(p.c.nuts_code.in_(nuts))  # fmt: skip
    return [tuple(row) for row in session.execute(query)]


def _with_parents(codes: set[str]) -> set[str]:
    """Area and topic codes plus their priorities' and areas' codes (a topic counts in its area)."""
    out = set(codes)
    for code in codes:
        parts = code.split(".")
        out.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return out or {NONE}


def strategy_figures(session: Session, strategy: Strategy) -> StrategyFigures:
    nuts = strategy.nuts_to_region()
    labels = effective_labels(session, stored_strategy_id(session, strategy))
    total = _Sums()
    codes: dict[str, _Sums] = defaultdict(_Sums)
    regions: dict[str, dict[str, _Sums]] = defaultdict(lambda: defaultdict(_Sums))
    for project, organisation, nuts_code, ec, public in _participations(session, sorted(nuts)):
        if project not in labels:
            continue  # not classified yet
        total.add(project, organisation, ec, public)
        for code in _with_parents(labels[project]):
            codes[code].add(project, organisation, ec, public)
            regions[nuts[nuts_code]][code].add(project, organisation, ec, public)
    return StrategyFigures(total=total.figures(), codes={code: sums.figures() for code, sums in codes.items()},
                           regions={region: {code: sums.figures() for code, sums in by_code.items()}
                                    for region, by_code in regions.items()})  # fmt: skip


def _rca(session: Session, strategy: Strategy, region: str,
         year: int) -> tuple[int | None, dict[tuple[str, str], float]]:  # fmt: skip
    table = m.IndicatorValue
    query = select(table.year, table.indicator, table.area_code, table.value).where(
        table.strategy_id == stored_strategy_id(session, strategy), table.region_code == region,
        table.indicator.in_(["rca_finland", "rca_eu"]), table.year <= year)  # fmt: skip
    by_year: dict[int, dict[tuple[str, str], float]] = defaultdict(dict)
    for found_year, indicator, area, value in session.execute(query):
        by_year[int(found_year)][(indicator, area or "")] = float(value)
    if not by_year:
        return None, {}
    latest = max(by_year)
    return latest, by_year[latest]


def _partners(session: Session, strategy: Strategy, region: str, projects: set[int]) -> list[PartnerRegion]:
    """Places the region shares projects with, as the network layer names places: the strategy's regions, the rest
    of the strategy's country (its country code) and other countries."""
    nuts = strategy.nuts_to_region()
    home = strategy.country_code
    shared: dict[str, set[int]] = defaultdict(set)
    ids = sorted(projects)
    p = m.Participation.__table__
    for start in range(0, len(ids), 900):
        query = select(p.c.project_id, p.c.nuts_code, p.c.country).where(p.c.project_id.in_(ids[start : start + 900]))
        for project, nuts_code, country in session.execute(query):
            place = place_of(nuts_code, country, nuts, home)
            if place is not None and place != region:
                shared[place].add(project)
    regions = {r.code for r in strategy.regions}
    partners = [PartnerRegion(code=place, in_strategy=place in regions, projects=len(found))
                for place, found in shared.items()]  # fmt: skip
    partners.sort(key=lambda partner: (not partner.in_strategy, partner.code != home, -partner.projects, partner.code))
    inside = [partner for partner in partners if partner.in_strategy]
    return inside + [partner for partner in partners if not partner.in_strategy][:TOP_PARTNERS_ELSEWHERE]


def _top_organisations(session: Session, rows: list[tuple[int, int, str, int | None, int | None]]) -> list[
        OrganisationFunding]:  # fmt: skip
    sums: dict[int, _Sums] = defaultdict(_Sums)
    for project, organisation, _, ec, public in rows:
        sums[organisation].add(project, organisation, ec, public)
    top = sorted(sums, key=lambda o: (-sums[o].ec_cents, -sums[o].public_cents, o))[:TOP_ORGANISATIONS]
    found = {o.id: o for o in session.scalars(select(m.Organisation).where(m.Organisation.id.in_(top)))}
    return [OrganisationFunding(id=o, name=found[o].name, org_type=found[o].org_type, projects=len(sums[o].projects),
                                eu_funding=eur(sums[o].ec_cents), public_funding=eur(sums[o].public_cents))
            for o in top]  # fmt: skip


def region_profile(session: Session, strategy: Strategy, code: str, year: int | None = None) -> RegionProfile:
    """The profile of one region (``code`` a current NUTS code) for ``year`` (default: the latest year with stored
    indicator values)."""
    region = strategy.region(code)
    if region is None or region.code != code:
        raise InputError(f"there is no region {code!r} in the strategy {strategy.code}",
                         hint=f"use one of {', '.join(r.code for r in strategy.regions)}")  # fmt: skip
    years = stored_years(session, strategy)
    chosen = year if year is not None else (years[-1] if years else None)
    rows = _participations(session, sorted(region.nuts_codes))
    labels = effective_labels(session, stored_strategy_id(session, strategy), sorted({r[0] for r in rows}))
    total = _Sums()
    per_area: dict[str, _Sums] = defaultdict(_Sums)
    for project, organisation, _, ec, public in rows:
        total.add(project, organisation, ec, public)
        if project in labels:
            for area in {c for c in _with_parents(labels[project]) if c.count(".") == 1 or c == NONE}:
                per_area[area].add(project, organisation, ec, public)
    rca_year, rca = _rca(session, strategy, code, chosen) if chosen is not None else (None, {})
    areas = [AreaSpecialisation(area=area, figures=per_area[area].figures(), rca_finland=rca.get(("rca_finland", area)),
                                rca_eu=rca.get(("rca_eu", area)))
             for area in [*strategy.area_codes(), NONE]]  # fmt: skip
    gaps: list[Alert] = []
    if chosen is not None and chosen in years:
        current = stored_values(session, strategy, chosen)
        gaps = [a for a in alerts(session, strategy, current, stored_values(session, strategy, chosen - 1))
                if a.region == code]  # fmt: skip
    return RegionProfile(code=code, year=chosen, rca_year=rca_year, figures=total.figures(), areas=areas,
                         trends=headlines(session, strategy, chosen, code) if chosen is not None else None,
                         alerts=gaps, organisations=_top_organisations(session, rows),
                         partners=_partners(session, strategy, code, total.projects))  # fmt: skip
