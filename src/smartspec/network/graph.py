"""The co-participation network: organisations linked by the projects they share, weighted by the number of
shared projects and by the funding they won together (integer cents), and the same aggregated to places (the
strategy's regions, the rest of its country, other countries).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from smartspec.network.load import Collaborations, Member


class NetworkFilter(BaseModel):
    """Which projects make the network: all of them unless narrowed."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    year_from: int | None = Field(default=None, description="first project year (start date, else call year)")
    year_to: int | None = Field(default=None, description="last project year, inclusive")
    area: str | None = Field(default=None, description="competence area code: projects labelled with it")
    programme: str | None = Field(default=None, description="programme code (HORIZON, H2020, …)")
    region: str | None = Field(default=None, description="strategy region: projects with a participant there")

    @model_validator(mode="after")
    def _years(self) -> NetworkFilter:
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ValueError(f"the year range {self.year_from}-{self.year_to} is empty: give the earlier year first")
        return self


def selected_projects(data: Collaborations, where: NetworkFilter) -> list[int]:
    """The projects ``where`` keeps, in id order."""
    kept = []
    for pid in sorted(data.members):
        project = data.projects.get(pid)
        if project is None:
            continue
        if where.year_from is not None or where.year_to is not None:
            if project.year is None:
                continue
            if where.year_from is not None and project.year < where.year_from:
                continue
            if where.year_to is not None and project.year > where.year_to:
                continue
        if where.area is not None and where.area not in project.areas:
            continue
        if where.programme is not None and (project.programme or "").upper() != where.programme.upper():
            continue
        if where.region is not None and not any(x.place == where.region for x in data.members[pid]):
            continue
        kept.append(pid)
    return kept


@dataclass
class OrgGraph:
    """Organisations (nodes) and their links. A link's ``funding`` is what both partners received in the projects
    they shared, summed (EU contribution, or public funding in the structural-funds registers)."""

    projects: Counter[int] = field(default_factory=Counter)  # organisation → projects in the selection
    funding: Counter[int] = field(default_factory=Counter)  # organisation → its funding in them (cents)
    areas: dict[int, Counter[str]] = field(default_factory=dict)  # organisation → projects per area
    link_projects: Counter[tuple[int, int]] = field(default_factory=Counter)  # (a, b), a < b → shared projects
    link_funding: Counter[tuple[int, int]] = field(default_factory=Counter)  # (a, b) → cents won together
    selection: list[int] = field(default_factory=list)

    def neighbours(self) -> dict[int, dict[int, int]]:
        """Organisation → {partner: shared projects}."""
        out: dict[int, dict[int, int]] = {node: {} for node in self.projects}
        for (a, b), count in self.link_projects.items():
            out[a][b] = count
            out[b][a] = count
        return out


def _members(members: list[Member]) -> dict[int, Member]:
    """One entry per organisation (a source may list an organisation twice in one project)."""
    out: dict[int, Member] = {}
    for member in members:
        known = out.get(member.organisation)
        if known is None:
            out[member.organisation] = member
        else:
            out[member.organisation] = Member(member.organisation, known.funding_cents + member.funding_cents,
                                              known.place or member.place)  # fmt: skip
    return out


def build_graph(data: Collaborations, where: NetworkFilter | None = None) -> OrgGraph:
    """The organisation network of the projects ``where`` selects."""
    graph = OrgGraph(selection=selected_projects(data, where or NetworkFilter()))
    link_projects, link_funding = graph.link_projects, graph.link_funding
    for pid in graph.selection:
        members = _members(data.members[pid])
        areas = data.projects[pid].areas
        for org, member in members.items():
            graph.projects[org] += 1
            graph.funding[org] += member.funding_cents
            if areas:
                graph.areas.setdefault(org, Counter()).update(areas)
        ordered = sorted(members)
        for a, b in combinations(ordered, 2):
            link_projects[(a, b)] += 1
            link_funding[(a, b)] += members[a].funding_cents + members[b].funding_cents
    return graph


@dataclass
class PlaceGraph:
    """Places (the strategy's regions, the rest of its country, other countries) linked by shared projects.

    ``links[(p, q)]`` with p <= q counts the distinct projects in which organisations of p and of q took part
    together (p == q: at least two organisations of p); ``funding`` sums those organisations' funding there.
    ``active`` counts each place's projects, linked or not.
    """

    active: Counter[str] = field(default_factory=Counter)
    organisations: dict[str, set[int]] = field(default_factory=dict)
    links: Counter[tuple[str, str]] = field(default_factory=Counter)
    funding: Counter[tuple[str, str]] = field(default_factory=Counter)
    projects: dict[tuple[str, str], list[int]] = field(default_factory=dict)


def build_place_graph(data: Collaborations, where: NetworkFilter | None = None) -> PlaceGraph:
    graph = PlaceGraph()
    for pid in selected_projects(data, where or NetworkFilter()):
        members = [x for x in _members(data.members[pid]).values() if x.place is not None]
        by_place: dict[str, list[Member]] = {}
        for member in members:
            by_place.setdefault(str(member.place), []).append(member)
        for place, group in by_place.items():
            graph.active[place] += 1
            graph.organisations.setdefault(place, set()).update(x.organisation for x in group)
        places = sorted(by_place)
        pairs = [(p, p) for p in places if len(by_place[p]) >= 2] + list(combinations(places, 2))
        for p, q in pairs:
            graph.links[(p, q)] += 1
            cents = sum(x.funding_cents for x in by_place[p]) + (
                sum(x.funding_cents for x in by_place[q]) if p != q else 0
            )
            graph.funding[(p, q)] += cents
            graph.projects.setdefault((p, q), []).append(pid)
    return graph
