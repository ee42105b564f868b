"""Who an organisation should work with next, from the collaboration graph and organisations' profiles.

One scoring, used by partner search (profiles = the mean meaning of an organisation's project texts) and by the
time-split evaluation (profiles = its thematic labels before the cut-off, since the older data has no texts):

    score = Adamic-Adar over shared partners  +  similarity of profiles  +  0.1 · complementary areas
            + 0.05 · log(1 + partners)

Candidates are partners of partners and the organisations with the most similar profiles, never existing
partners; where they run short, the most-connected organisations fill the list.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

SIMILAR = 200  # most similar profiles taken as candidates


@dataclass(frozen=True)
class Weights:
    adamic_adar: float = 1.0
    similarity: float = 1.0
    complementary: float = 0.1
    degree: float = 0.05


@dataclass
class Candidate:
    organisation: int
    score: float
    via: list[int] = field(default_factory=list)  # shared partners, most telling first
    similarity: float | None = None
    new_areas: list[str] = field(default_factory=list)
    shared_areas: list[str] = field(default_factory=list)


def recommend(org: int, neighbours: dict[int, dict[int, int]], areas: dict[int, Counter[str]],
              profile_ids: list[int], profiles: np.ndarray, profile: np.ndarray | None, *,
              keep: Callable[[int], bool] | None = None, limit: int = 50, weights: Weights | None = None,
              by_degree: list[int] | None = None) -> list[Candidate]:  # fmt: skip
    """The ``limit`` best new partners for ``org``. ``by_degree`` (organisations, most partners first) may be
    given when many calls share one graph; it fills the list when other candidates run short."""
    w = weights or Weights()
    mine = neighbours.get(org, {})
    excluded = set(mine) | {org}
    adamic: dict[int, float] = {}
    via: dict[int, list[tuple[float, int]]] = {}
    for partner in mine:
        weight = 1.0 / math.log1p(len(neighbours.get(partner, {})))
        for candidate in neighbours.get(partner, {}):
            if candidate in excluded:
                continue
            adamic[candidate] = adamic.get(candidate, 0.0) + weight
            via.setdefault(candidate, []).append((weight, partner))
    similarity: dict[int, float] = {}
    if profile is not None and len(profile_ids):
        sims = profiles @ profile
        for i in np.argsort(-sims)[: SIMILAR + len(excluded)].tolist():
            if profile_ids[i] not in excluded and sims[i] > 0:
                similarity[profile_ids[i]] = float(sims[i])
        if adamic:  # partners of partners get their similarity too, where they have a profile
            position = {o: i for i, o in enumerate(profile_ids)}
            for candidate in adamic:
                if candidate not in similarity and candidate in position:
                    similarity[candidate] = max(0.0, float(sims[position[candidate]]))
    own = set(areas.get(org, Counter()))
    scored: list[Candidate] = []
    for candidate in set(adamic) | set(similarity):
        if keep is not None and not keep(candidate):
            continue
        theirs = set(areas.get(candidate, Counter()))
        shared, new = sorted(own & theirs), sorted(theirs - own)
        complementary = 1.0 if shared and new else 0.0
        degree = math.log1p(len(neighbours.get(candidate, {})))
        score = (w.adamic_adar * adamic.get(candidate, 0.0) + w.similarity * similarity.get(candidate, 0.0)
                 + w.complementary * complementary + w.degree * degree)  # fmt: skip
        scored.append(Candidate(candidate, score, [p for _, p in sorted(via.get(candidate, []), reverse=True)],
                                similarity.get(candidate), new if complementary else [], shared))  # fmt: skip
    scored.sort(key=lambda c: (-c.score, c.organisation))
    out = scored[:limit]
    if len(out) < limit:
        taken = {c.organisation for c in out} | excluded
        ranking = by_degree if by_degree is not None else sorted(neighbours, key=lambda o: (-len(neighbours[o]), o))
        for candidate in ranking:
            if len(out) >= limit:
                break
            if candidate not in taken and (keep is None or keep(candidate)):
                out.append(Candidate(candidate, w.degree * math.log1p(len(neighbours.get(candidate, {})))))
    return out
