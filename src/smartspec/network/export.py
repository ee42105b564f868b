"""The organisation network as GraphML (for Gephi, Cytoscape, networkx) and as two CSV files (nodes, edges)."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx

from smartspec.network.graph import OrgGraph
from smartspec.network.load import Collaborations

NODE_COLUMNS = ("id", "name", "country", "region", "type", "projects", "funding_cents")
EDGE_COLUMNS = ("source", "target", "projects", "funding_cents")


def _node_rows(data: Collaborations, graph: OrgGraph) -> list[dict[str, str | int]]:
    rows: list[dict[str, str | int]] = []
    for org in sorted(graph.projects):
        info = data.organisations.get(org)
        rows.append({"id": org, "name": info.name if info else "", "country": (info.country if info else None) or "",
                     "region": (info.region if info else None) or "", "type": (info.type if info else None) or "",
                     "projects": graph.projects[org], "funding_cents": graph.funding[org]})  # fmt: skip
    return rows


def to_networkx(data: Collaborations, graph: OrgGraph) -> nx.Graph:
    """A networkx graph with the nodes' and links' attributes (empty strings for unknown values: GraphML has
    no null)."""
    g = nx.Graph()
    for row in _node_rows(data, graph):
        g.add_node(str(row["id"]), **{k: v for k, v in row.items() if k != "id"})
    for (a, b), count in sorted(graph.link_projects.items()):
        g.add_edge(str(a), str(b), projects=count, funding_cents=graph.link_funding[(a, b)])
    return g


def write_graphml(data: Collaborations, graph: OrgGraph, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(to_networkx(data, graph), path, encoding="utf-8")
    return path


def write_csv(data: Collaborations, graph: OrgGraph, folder: Path) -> tuple[Path, Path]:
    """nodes.csv and edges.csv in ``folder`` (UTF-8, comma-separated, one header row)."""
    folder.mkdir(parents=True, exist_ok=True)
    nodes, edges = folder / "nodes.csv", folder / "edges.csv"
    with nodes.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(NODE_COLUMNS))
        writer.writeheader()
        writer.writerows(_node_rows(data, graph))
    with edges.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(EDGE_COLUMNS)
        for (a, b), count in sorted(graph.link_projects.items()):
            out.writerow((a, b, count, graph.link_funding[(a, b)]))
    return nodes, edges
