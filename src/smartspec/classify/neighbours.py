"""The vote of the nearest labelled examples: a non-parametric second opinion next to the per-area heads.

Each labelled example near a text in meaning (cosine of their embeddings) votes for its areas, with weight
exp(temperature × cosine) times the example's own weight; a text's vote for an area is the weighted share of
its ``k`` nearest examples that carry the area. The model blends this vote with the heads' probabilities. Where
labelled examples cluster (the many "company buys machines" titles, the tourism projects of one resort) the vote
follows them more closely than a linear head can.

Written here rather than taken from scikit-learn's KNeighborsClassifier: that one votes per output with uniform
or inverse-distance weights and cannot take the examples' weights, and the temperature-weighted vote is a few
lines of NumPy over embeddings that are already normalised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class NeighbourVote:
    k: int
    temperature: float
    vectors: np.ndarray  # the labelled examples' embeddings, one row each (L2-normalised)
    labels: np.ndarray  # their area labels, 0/1, one column per area
    weights: np.ndarray  # their weights (reviewed decisions and gold items)

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: np.ndarray, weights: np.ndarray | None, k: int,
            temperature: float) -> NeighbourVote:  # fmt: skip
        own = np.ones(len(vectors)) if weights is None else np.asarray(weights, dtype=float)
        # the same embeddings are shared, not copied, by the models of both languages (stored once when pickled)
        return cls(k, temperature, vectors.astype(np.float32, copy=False), labels.astype(np.float32), own)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        if len(vectors) == 0 or len(self.vectors) == 0:
            return np.zeros((len(vectors), self.labels.shape[1]))
        k = min(self.k, len(self.vectors))
        similarity = vectors.astype(np.float32) @ self.vectors.T
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        closeness = np.take_along_axis(similarity, nearest, axis=1)
        votes = np.exp(self.temperature * (closeness - closeness.max(axis=1, keepdims=True))) * self.weights[nearest]
        votes /= votes.sum(axis=1, keepdims=True)
        out: np.ndarray = np.einsum("nk,nka->na", votes, self.labels[nearest])
        return out
