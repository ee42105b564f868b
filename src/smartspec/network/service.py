"""The network layer's entry points over the store: one call reads the facts and answers with typed results."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import Engine

from smartspec.network.communities import Communities, find_communities
from smartspec.network.gaps import AreaGaps, area_gaps
from smartspec.network.graph import NetworkFilter, build_graph, build_place_graph
from smartspec.network.load import Collaborations, load_collaborations
from smartspec.store import session_factory
from smartspec.strategy import Strategy


class PlaceLink(BaseModel):
    a: str
    b: str
    kind_a: str = Field(description="region (of the strategy), country (rest of it), abroad")
    kind_b: str
    projects: int = Field(description="distinct projects with partners in both places")
    funding_cents: int = Field(description="what those places' partners received in them")


class PlaceActivity(BaseModel):
    place: str
    kind: str
    projects: int
    organisations: int


class NetworkReport(BaseModel):
    filter: NetworkFilter
    projects: int
    organisations: int
    links: int
    funding_cents: int = Field(description="funding of the selected participations")
    places: list[PlaceActivity]
    place_links: list[PlaceLink] = Field(description="links with a strategy region at one end, most projects first")
    communities: Communities
    gaps: list[AreaGaps]
    files: list[str] = Field(default_factory=list, description="exports written (GraphML, CSV)")


def read(engine: Engine, strategy: Strategy) -> Collaborations:
    with session_factory(engine)() as session:
        return load_collaborations(session, strategy)


def check_filter(strategy: Strategy, where: NetworkFilter) -> list[str]:
    """What is wrong with a filter's codes, for an error a person can act on."""
    problems = []
    if where.area is not None and where.area not in strategy.area_codes():
        problems.append(f"area {where.area!r} is not one of {', '.join(strategy.area_codes())}")
    if where.region is not None and where.region not in [r.code for r in strategy.regions]:
        codes = ", ".join(r.code for r in strategy.regions)
        problems.append(f"region {where.region!r} is not a region of {strategy.code} ({codes})")
    return problems


def network_report(data: Collaborations, strategy: Strategy, where: NetworkFilter | None = None, *,
                   top: int = 10) -> NetworkReport:  # fmt: skip
    """The network of the projects ``where`` selects: size, places, communities and the areas' gaps."""
    where = where or NetworkFilter()
    graph = build_graph(data, where)
    places = build_place_graph(data, where)
    activity = [PlaceActivity(place=p, kind=data.place_kind(p), projects=n, organisations=len(places.organisations[p]))
                for p, n in places.active.most_common()]  # fmt: skip
    links = [PlaceLink(a=a, b=b, kind_a=data.place_kind(a), kind_b=data.place_kind(b), projects=n,
                       funding_cents=places.funding[(a, b)])
             for (a, b), n in places.links.most_common()
             if "region" in (data.place_kind(a), data.place_kind(b))]  # fmt: skip
    areas = [where.area] if where.area else strategy.area_codes()
    return NetworkReport(
        filter=where, projects=len(graph.selection), organisations=len(graph.projects),
        links=len(graph.link_projects), funding_cents=sum(graph.funding.values()), places=activity,
        place_links=links, communities=find_communities(data, graph, top=top),
        gaps=area_gaps(data, areas, where))  # fmt: skip
