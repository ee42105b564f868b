"""The partner recommender measured on a time split, against two baselines in the same run.

Everything a method learns comes from projects that started (else whose call opened) in or before the cut-off
year: the Horizon 2020 participations by PIC, and anything else the store holds from then. The answers are the
new partner pairs of Horizon Europe projects after the cut-off: pairs of an organisation located in the
strategy's regions and an organisation seen before the cut-off that had not worked together before it. (Where an
organisation is located is read from the participation records, which are the only ones with NUTS codes; that is
an address, not a collaboration, so nothing about who works with whom leaks.) Partners first seen after the
cut-off cannot be ranked by any method and are counted apart.

Organisations' areas: the Horizon 2020 file has no texts, so the strategy's competence areas cannot be given to
its projects. Each organisation's thematic profile is instead the labels of its projects before the cut-off: the
Horizon 2020 programme parts (SC1 health … SC7 security, LEIT-ICT, ERC …) and, where the store has classified
projects from before the cut-off (the structural-funds registers), their competence areas. The same profile
feeds the recommender's similarity and the same-area baseline, and the preferential-attachment baseline needs
none, so no method sees anything the others could not.

Methods, each ranking organisations that were not yet partners:
- model: the partner recommender (network/recommend.py): partners of partners (Adamic-Adar), profile
  similarity, complementary labels and connectedness;
- preferential_attachment: the most-connected organisations first;
- same_area: organisations sharing a profile label, the most similar profile first (ties: more connected first).
Recall@k = found pairs / all new pairs (pooled over organisations); MRR = the mean over organisations of
1 / rank of the first right partner within the top 50 (0 if none).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select

from smartspec.ingest import import_path
from smartspec.network.graph import NetworkFilter, build_graph, selected_projects
from smartspec.network.load import Collaborations
from smartspec.network.recommend import recommend
from smartspec.store import create_store_engine, sync_strategy, transaction, upgrade
from smartspec.store import models as m
from smartspec.strategy import Strategy

DEPTH = 50
METHODS = ("model", "preferential_attachment", "same_area")
# The files the evaluation reads, relative to the data directory (see their READMEs).
H2020_FOLDER = "cordis_h2020_eunets"
HORIZON_FOLDER = "cordis_horizon_europe"


class ByMethod(BaseModel):
    model: float
    preferential_attachment: float
    same_area: float


class Evaluation(BaseModel):
    cutoff: int
    n_organisations: int = Field(description="organisations of the strategy's regions with new partners to find")
    n_new_pairs: int = Field(description="new pairs after the cut-off whose partner was known before it")
    n_unrankable_pairs: int = Field(description="new pairs whose partner first appears after the cut-off")
    recall_at_10: ByMethod
    recall_at_50: ByMethod
    mrr: ByMethod


def _profiles(data: Collaborations, train: list[int], orgs: list[int]) -> tuple[np.ndarray, dict[int, Counter[str]]]:
    """Each organisation's labels before the cut-off (programme parts and competence areas), as rows of unit
    vectors in the order of ``orgs``."""
    labels: dict[int, Counter[str]] = {}
    for pid in train:
        project = data.projects[pid]
        tags = [f"part:{p}" for p in project.parts] + [f"area:{a}" for a in project.areas]
        if not tags:
            continue
        for member in data.members[pid]:
            labels.setdefault(member.organisation, Counter()).update(tags)
    vocabulary = {tag: i for i, tag in enumerate(sorted({t for c in labels.values() for t in c}))}
    matrix = np.zeros((len(orgs), max(1, len(vocabulary))), dtype=np.float32)
    for row, org in enumerate(orgs):
        for tag, count in labels.get(org, Counter()).items():
            matrix[row, vocabulary[tag]] = count
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0), labels


def evaluate(data: Collaborations, cutoff: int = 2020, programme: str = "HORIZON") -> Evaluation:
    """Learn from the projects up to ``cutoff``, predict the new pairs of ``programme``'s later projects."""
    train = selected_projects(data, NetworkFilter(year_to=cutoff))
    graph = build_graph(data, NetworkFilter(year_to=cutoff))
    neighbours = graph.neighbours()
    known = set(neighbours)
    later = selected_projects(data, NetworkFilter(year_from=cutoff + 1, programme=programme))
    truth: dict[int, set[int]] = {}
    unrankable: set[tuple[int, int]] = set()
    for pid in later:
        orgs = {x.organisation for x in data.members[pid]}
        for org in orgs:
            info = data.organisations.get(org)
            if info is None or info.region is None or org not in known:
                continue
            for partner in orgs - {org} - set(neighbours[org]):
                if partner in known:
                    truth.setdefault(org, set()).add(partner)
                else:
                    unrankable.add((org, partner))
    ids = sorted(known)
    position = {o: i for i, o in enumerate(ids)}
    profiles, labels = _profiles(data, train, ids)
    degree = np.asarray([len(neighbours[o]) for o in ids], dtype=np.int64)
    by_degree = [ids[i] for i in np.lexsort((np.asarray(ids), -degree)).tolist()]
    hits = {method: {10: 0, 50: 0} for method in METHODS}
    reciprocal = dict.fromkeys(METHODS, 0.0)
    for org, answers in sorted(truth.items()):
        mine = set(neighbours[org]) | {org}
        profile = profiles[position[org]] if labels.get(org) else None
        model = [c.organisation for c in recommend(org, neighbours, labels, ids, profiles, profile, limit=DEPTH,
                                                   by_degree=by_degree)]  # fmt: skip
        popular = [o for o in by_degree[: DEPTH + len(mine)] if o not in mine][:DEPTH]
        same: list[int] = []
        if profile is not None:
            sims = profiles @ profile
            order = np.lexsort((np.asarray(ids), -degree, -sims))
            same = [ids[i] for i in order[: DEPTH + len(mine)].tolist() if sims[i] > 0 and ids[i] not in mine][:DEPTH]
        for method, ranking in (("model", model), ("preferential_attachment", popular), ("same_area", same)):
            hits[method][10] += len(answers & set(ranking[:10]))
            hits[method][50] += len(answers & set(ranking[:50]))
            first = next((rank for rank, o in enumerate(ranking, 1) if o in answers), None)
            reciprocal[method] += 1.0 / first if first else 0.0
    pairs = sum(len(v) for v in truth.values())

    def figures(values: dict[str, float], total: int) -> ByMethod:
        return ByMethod(**{k: round(v / total, 4) if total else 0.0 for k, v in values.items()})

    return Evaluation(cutoff=cutoff, n_organisations=len(truth), n_new_pairs=pairs, n_unrankable_pairs=len(unrankable),
                      recall_at_10=figures({k: v[10] for k, v in hits.items()}, pairs),
                      recall_at_50=figures({k: v[50] for k, v in hits.items()}, pairs),
                      mrr=figures(reciprocal, len(truth)))  # fmt: skip


def scratch_store(data_dir: Path, path: Path, strategy: Strategy) -> tuple[Engine, float]:
    """A SQLite store at ``path`` with the Horizon 2020 and Horizon Europe participations of the data directory
    (imported once, about 11 s; an existing file is reused). Returns the engine and the seconds spent importing."""
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    with transaction(engine) as session:
        sync_strategy(session, strategy)
        done = set(session.scalars(select(m.ImportBatch.path).where(m.ImportBatch.status == "done")))
    for folder in (H2020_FOLDER, HORIZON_FOLDER):
        if str(data_dir / folder) not in done:
            import_path(engine, "cordis", data_dir / folder, strategy)
    return engine, time.perf_counter() - started
