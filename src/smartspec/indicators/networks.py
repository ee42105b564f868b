"""G3 value networks: per area, the groups of the region's organisations that work with other regions' ones."""

from __future__ import annotations

import networkx as nx

from smartspec.indicators.base import Context, Value, indicator


@indicator("g3_communities")
def communities(c: Context) -> list[Value]:
    out = []
    upto = range(1900, c.year + 1)
    for area in c.areas:
        graph = nx.Graph()
        for project, parts in c.facts.participants.items():
            if c.facts.year_of.get(project) not in upto or area not in c.facts.areas_of.get(project, set()):
                continue
            local = [(x.organisation_id, x.region) for x in parts if x.region]
            for org, region in local:
                graph.add_node(org, region=region)
            for i, (a, _) in enumerate(local):
                for b, _ in local[i + 1 :]:
                    if a != b:
                        graph.add_edge(a, b)
        components = [set(group) for group in nx.connected_components(graph)]
        for r in c.regions:
            found = [group for group in components
                     if r in (regions := {graph.nodes[n]["region"] for n in group}) and len(regions) >= 2]  # fmt: skip
            if not found:
                continue
            ids = sorted(n for group in found for n in group)
            spans = [len({graph.nodes[n]["region"] for n in group}) for group in found]
            types = sorted({str(c.facts.org_type.get(n)) for group in found for n in group})
            details = {"regions_spanned": spans, "organisation_types": types, "sizes": [len(g) for g in found]}
            out.append(Value(r, area, len(found), "organisation", ids, details))
    return out
