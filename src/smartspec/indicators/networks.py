"""G3 value networks: per area, the communities of the collaboration network (network layer: igraph's Leiden) that
hold the region's organisations and those of at least one other region of the strategy."""

from __future__ import annotations

from collections import Counter

from smartspec.indicators.base import Context, Value, indicator
from smartspec.network.graph import NetworkFilter, build_graph
from smartspec.network.load import Collaborations, load_collaborations


def _collaborations(c: Context) -> Collaborations:
    """The network's facts, read once per run and shared by every year computed with the same facts."""
    cached = c.facts.cache.get("collaborations")
    if cached is None:
        cached = c.facts.cache["collaborations"] = load_collaborations(c.session, c.facts.strategy)
    assert isinstance(cached, Collaborations)
    return cached


@indicator("g3_communities")
def communities(c: Context) -> list[Value]:
    import numpy as np  # here, with igraph: importing the indicators (e.g. for the registers) does not load them

    from smartspec.network.communities import leiden, to_igraph

    data = _collaborations(c)
    out = []
    for area in c.areas:
        graph = build_graph(data, NetworkFilter(year_to=c.year, area=area))
        g, ids = to_igraph(graph)
        if g.vcount() == 0:
            continue
        membership = np.asarray(leiden(g).membership)
        groups: dict[int, list[int]] = {}
        for index, community in enumerate(membership.tolist()):
            groups.setdefault(community, []).append(ids[index])
        spanning = []
        for members in groups.values():
            regions = Counter(data.organisations[o].region for o in members if data.organisations[o].region)
            if len(regions) >= 2:
                spanning.append((members, regions))
        for r in c.regions:
            found = [(members, regions) for members, regions in spanning if r in regions]
            if not found:
                continue
            ids_found = sorted(o for members, _ in found for o in members)
            types = sorted({str(data.organisations[o].type) for o in ids_found})
            details = {"regions_spanned": [len(regions) for _, regions in found], "organisation_types": types,
                       "sizes": [len(members) for members, _ in found], "method": "leiden"}  # fmt: skip
            out.append(Value(r, area, len(found), "organisation", ids_found, details))
    return out
