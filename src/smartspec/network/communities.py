"""Communities of the organisation network, as candidate value networks.

Found with the Leiden algorithm (modularity) of igraph, measured against networkx's Louvain and the
leidenalg package on the EU-wide Horizon Europe + Horizon 2020 network (42.6k organisations, 1.19M links,
bench/network.py): igraph's Leiden 3.3 s (modularity 0.410), leidenalg 17 s (0.403), networkx Louvain 51 s
(0.403). Central organisations are ranked by weighted PageRank; bridging ones by their participation
coefficient (how evenly their links spread over communities) and the number of places their partners are in.
"""

from __future__ import annotations

import math
import random
from collections import Counter

import igraph as ig
import numpy as np
from pydantic import BaseModel, Field

from smartspec.network.graph import OrgGraph
from smartspec.network.load import Collaborations


class CommunityMember(BaseModel):
    id: int
    name: str
    country: str | None
    region: str | None
    type: str | None
    projects: int = Field(description="projects in the network's selection")
    partners: int = Field(description="distinct partners (degree)")
    pagerank: float
    bridging: float = Field(description="participation coefficient: 0 = all links inside its community, toward 1 "
                            "= links spread over many communities")  # fmt: skip
    places: int = Field(description="distinct places (regions, countries) its partners are in")


class Community(BaseModel):
    id: int
    size: int
    areas: dict[str, int] = Field(description="competence area → project participations of the members")
    places: dict[str, int] = Field(description="region code or country → members there")
    types: dict[str, int] = Field(description="organisation type → members")
    central: list[CommunityMember]
    bridging: list[CommunityMember]


class Communities(BaseModel):
    algorithm: str
    modularity: float
    organisations: int
    links: int
    count: int = Field(description="communities of two or more organisations")
    singletons: int = Field(description="organisations without a link in the selection (each alone)")
    communities: list[Community] = Field(description="the largest communities, described")


def to_igraph(graph: OrgGraph) -> tuple[ig.Graph, list[int]]:
    """The graph in igraph (vertex i is organisation ids[i]); edge weight = shared projects."""
    ids = sorted(graph.projects)
    index = {org: i for i, org in enumerate(ids)}
    edges = [(index[a], index[b]) for a, b in graph.link_projects]
    g = ig.Graph(n=len(ids), edges=edges, edge_attrs={"weight": list(graph.link_projects.values())})
    return g, ids


def leiden(g: ig.Graph, seed: int = 1) -> ig.VertexClustering:
    """Leiden on modularity, reproducible: igraph draws from Python's random module, seeded here and restored."""
    rng = random.Random(seed)
    ig.set_random_number_generator(rng)
    try:
        return g.community_leiden(objective_function="modularity", weights="weight", n_iterations=2)
    finally:
        ig.set_random_number_generator(random)


def _place(data: Collaborations, org: int) -> str:
    info = data.organisations.get(org)
    if info is None:
        return "unknown"
    return info.region or info.country or "unknown"


def find_communities(data: Collaborations, graph: OrgGraph, *, top: int = 10, per_list: int = 5,
                     seed: int = 1) -> Communities:  # fmt: skip
    """The network's communities, the ``top`` largest described by areas, places, types, central and bridging
    organisations (``per_list`` of each)."""
    g, ids = to_igraph(graph)
    if g.vcount() == 0:
        return Communities(algorithm="leiden", modularity=0.0, organisations=0, links=0, count=0, singletons=0,
                           communities=[])  # fmt: skip
    clusters = leiden(g, seed)
    membership = np.asarray(clusters.membership, dtype=np.int64)
    pagerank = np.asarray(g.pagerank(weights="weight"), dtype=np.float64)
    degree = np.asarray(g.degree(), dtype=np.int64)
    bridging = _participation(g, membership, len(clusters))
    places = _partner_places(data, graph, ids)
    sizes = Counter(membership.tolist())
    described: list[Community] = []
    for community, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:top]:
        members = np.flatnonzero(membership == community)
        rows = [_member(data, graph, ids[i], float(pagerank[i]), int(degree[i]), float(bridging[i]), places)
                for i in members]  # fmt: skip
        areas: Counter[str] = Counter()
        for i in members:
            areas.update(graph.areas.get(ids[i], Counter()))
        central = sorted(rows, key=lambda r: (-r.pagerank, r.id))[:per_list]
        # Bridges need a few partners to be bridges at all; log(partners) keeps one-link nodes from the top.
        linked = [r for r in rows if r.partners >= 2]
        bridges = sorted(linked, key=lambda r: (-(r.bridging * math.log1p(r.partners)), -r.places, r.id))[:per_list]
        described.append(Community(
            id=len(described) + 1, size=int(size), areas=dict(areas.most_common()),
            places=dict(Counter(_place(data, ids[i]) for i in members).most_common()),
            types=dict(Counter(r.type or "unknown" for r in rows).most_common()),
            central=central, bridging=bridges))  # fmt: skip
    # A graph without links has no modularity (igraph gives NaN, which JSON cannot carry): 0.
    modularity = float(clusters.modularity) if g.ecount() and math.isfinite(clusters.modularity) else 0.0
    return Communities(algorithm="leiden (igraph, modularity)", modularity=round(modularity, 4),
                       organisations=g.vcount(), links=g.ecount(),
                       count=sum(1 for n in sizes.values() if n > 1),
                       singletons=sum(1 for n in sizes.values() if n == 1),
                       communities=described)  # fmt: skip


def _participation(g: ig.Graph, membership: np.ndarray, count: int) -> np.ndarray:
    """Participation coefficient 1 - Σ_c (k_ic / k_i)² of every vertex, weighted by shared projects."""
    if g.ecount() == 0:
        return np.zeros(g.vcount())
    edges = np.asarray(g.get_edgelist(), dtype=np.int64)
    weights = np.asarray(g.es["weight"], dtype=np.float64)
    source = np.concatenate([edges[:, 0], edges[:, 1]])
    target_community = np.concatenate([membership[edges[:, 1]], membership[edges[:, 0]]])
    both = np.concatenate([weights, weights])
    keys, inverse = np.unique(source * count + target_community, return_inverse=True)
    per_pair = np.bincount(inverse, weights=both)
    strength = np.bincount(source, weights=both, minlength=g.vcount())
    vertex = keys // count
    share_squared = np.bincount(vertex, weights=(per_pair / strength[vertex]) ** 2, minlength=g.vcount())
    out: np.ndarray = np.where(strength > 0, 1.0 - share_squared, 0.0)
    return out


def _partner_places(data: Collaborations, graph: OrgGraph, ids: list[int]) -> dict[int, int]:
    seen: dict[int, set[str]] = {org: set() for org in ids}
    for a, b in graph.link_projects:
        seen[a].add(_place(data, b))
        seen[b].add(_place(data, a))
    return {org: len(found - {"unknown"}) for org, found in seen.items()}


def _member(data: Collaborations, graph: OrgGraph, org: int, pagerank: float, degree: int, bridging: float,
            places: dict[int, int]) -> CommunityMember:  # fmt: skip
    info = data.organisations.get(org)
    return CommunityMember(
        id=org, name=info.name if info else str(org), country=info.country if info else None,
        region=info.region if info else None, type=info.type if info else None, projects=graph.projects[org],
        partners=degree, pagerank=round(pagerank, 6), bridging=round(bridging, 4),
        places=places.get(org, 0))  # fmt: skip
